/* SPDX-License-Identifier: BSD-3-Clause */
/* timeutil.c - clocks and time formatting. */
#include "config.h"

#include "common/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

double time_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double time_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first second of year 10000: later times do not fit the format (and
 * far later ones not a time_t), and come only from a broken clock or
 * message. */
#define ISO_END_SECONDS 253402300800.0

void time_format_iso(double t, char *buf, size_t len)
{
    if (!isfinite(t) || t < 0 || t >= ISO_END_SECONDS)
        t = 0;
    time_t secs = (time_t)t;
    int ms = (int)((t - (double)secs) * 1000);
    if (ms > 999)
        ms = 999;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03dZ", base, ms);
}

void time_format_duration(double s, char *buf, size_t len)
{
    if (!isfinite(s) || s < 0)
        s = 0;
    if (s < 10)
        snprintf(buf, len, "%.2fs", s);
    else if (s < 60)
        snprintf(buf, len, "%.1fs", s);
    else if (s < 3600)
        snprintf(buf, len, "%dm %02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        /* hours as a double: a duration from a malformed message can be
         * far beyond INT_MAX hours, and converting it to int is undefined */
        snprintf(buf, len, "%.0fh %02dm", floor(s / 3600), (int)fmod(s / 60, 60));
}
