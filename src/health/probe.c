/* SPDX-License-Identifier: BSD-3-Clause */
/* probe.c - a host's probe in words. */
#include "config.h"

#include "health/probe.h"

#include <stdio.h>

void probe_format_line(const struct probe *pr, char *buf, size_t len)
{
    if (!pr->ok) {
        snprintf(buf, len, "probe failed: %s", pr->error);
        return;
    }
    char lines[512];
    health_format(&pr->sample, lines, sizeof lines);
    size_t k = 0;
    for (const char *p = lines; *p && k + 3 < len; p++) {
        if (*p == '\n') {
            buf[k++] = ',';
            buf[k++] = ' ';
        } else {
            buf[k++] = *p;
        }
    }
    if (len)
        buf[k] = '\0';
}
