/* SPDX-License-Identifier: BSD-3-Clause */
/* sshprobe.c - the SSH side of distmpi health. */
#include "config.h"

#include "health/sshprobe.h"

#include <errno.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/timeutil.h"

#define SECTION "@@distmpi@@"

/* Raw numbers only: computing is done here, the same way as for a run. The
 * load average is read five times, 10 ms apart, for the runnable tasks now
 * (where sleep takes no fraction the reads come back to back). */
const char sshprobe_command[] =
    "LC_ALL=C; export LC_ALL; cat /proc/meminfo; echo " SECTION
    "; for i in 1 2 3 4 5; do cat /proc/loadavg; sleep 0.01 2>/dev/null; done; echo " SECTION
    "; stat -f -c '%b %f %a %S' .; echo " SECTION "; nproc";

/* Output larger than this is not our command's. */
#define MAX_OUTPUT (1 << 20)

static int invalid(struct error *err, const char *what)
{
    errprintf(err, "%s", what);
    errno = EINVAL;
    return -1;
}

/* The next section of text, up to a line SECTION or the end. */
static const char *next_section(const char *p, const char *end, size_t *n, const char **after)
{
    const char *q = p;
    while (q < end) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        const char *line_end = nl ? nl : end;
        if ((size_t)(line_end - q) == strlen(SECTION) && !memcmp(q, SECTION, strlen(SECTION))) {
            *n = (size_t)(q - p);
            *after = nl ? nl + 1 : end;
            return p;
        }
        q = nl ? nl + 1 : end;
    }
    *n = (size_t)(end - p);
    *after = end;
    return p;
}

/* Each line of the load section is one read of /proc/loadavg; the cat that
 * read it was running then, and is the only task of ours. Before a run
 * nothing else on the host is the run's own. */
static int parse_running_lines(const char *p, size_t len, struct health_raw *raw, struct error *err)
{
    long running[HEALTH_SAMPLES * 4], own[HEALTH_SAMPLES * 4];
    int n = 0;
    const char *end = p + len;
    while (p < end && n < HEALTH_SAMPLES * 4) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t linelen = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (linelen > 0) {
            if (health_parse_running(p, linelen, &running[n], err) < 0)
                return -1;
            own[n++] = 1;
        }
        p = nl ? nl + 1 : end;
    }
    if (n == 0)
        return invalid(err, "loadavg: no line with the running tasks");
    raw->other_load = health_other_load(running, own, n);
    return 0;
}

int sshprobe_parse(const char *text, size_t len, struct health_raw *raw, struct error *err)
{
    const char *end = text + len, *p = text, *sec[4];
    size_t n[4];
    for (int i = 0; i < 4; i++) {
        if (p >= end && i > 0)
            return invalid(err, "the host's answer is incomplete");
        sec[i] = next_section(p, end, &n[i], &p);
    }
    memset(raw, 0, sizeof *raw);
    if (health_parse_meminfo(sec[0], n[0], &raw->mem_total_kb, &raw->mem_available_kb, err) < 0 ||
        health_parse_loadavg(sec[1], n[1], &raw->load1, err) < 0 ||
        parse_running_lines(sec[1], n[1], raw, err) < 0)
        return -1;
    char buf[128];
    if (n[2] >= sizeof buf)
        return invalid(err, "stat -f: answer too long");
    memcpy(buf, sec[2], n[2]);
    buf[n[2]] = '\0';
    unsigned long long blocks, bfree, bavail, bsize;
    char extra;
    if (sscanf(buf, "%llu %llu %llu %llu %c", &blocks, &bfree, &bavail, &bsize, &extra) != 4)
        return invalid(err, "stat -f: not four block counts");
    raw->disk_blocks = blocks;
    raw->disk_bfree = bfree;
    raw->disk_bavail = bavail;
    raw->disk_block_size = bsize;
    if (n[3] >= sizeof buf)
        return invalid(err, "nproc: answer too long");
    memcpy(buf, sec[3], n[3]);
    buf[n[3]] = '\0';
    long cores;
    if (sscanf(buf, "%ld %c", &cores, &extra) != 1 || cores < 1)
        return invalid(err, "nproc: not a count of processors");
    raw->cores = cores;
    return 0;
}

/* libssh's own log is never printed: a LogLevel in the user's ssh config
 * (LogLevel ERROR is common) turns it on, and its lines on stderr would
 * garble the report. What matters is in the report, in its words. The
 * callback is per thread in libssh: set it in the thread that connects. */
static void discard_log(int priority, const char *function, const char *buffer, void *userdata)
{
    (void)priority;
    (void)function;
    (void)buffer;
    (void)userdata;
}

int sshprobe_init(void)
{
    return ssh_init() == SSH_OK ? 0 : -1;
}

void sshprobe_finish(void)
{
    ssh_finalize();
}

/* libssh's messages, in the words of the report. */
static void describe_connect_error(const char *msg, double timeout, struct error *err)
{
    if (strstr(msg, "refused"))
        errprintf(err, "connection refused");
    else if (strstr(msg, "Timeout") || strstr(msg, "timeout") || strstr(msg, "timed out"))
        errprintf(err, "timeout after %.1fs", timeout);
    else if (strstr(msg, "resolve") || strstr(msg, "getaddrinfo"))
        errprintf(err, "cannot resolve host name");
    else
        errprintf(err, "%s", msg);
}

/* Read the command's output into out until EOF, at most MAX_OUTPUT bytes.
 * Returns 0, or -1 with the problem in err. */
static int read_output(ssh_channel ch, int timeout_ms, struct buf *out, struct error *err)
{
    char chunk[16384];
    for (;;) {
        int r = ssh_channel_read_timeout(ch, chunk, sizeof chunk, 0, timeout_ms);
        if (r == SSH_ERROR)
            return errprintf(err, "reading the probe's output failed");
        if (r == 0) {
            if (ssh_channel_is_eof(ch))
                return 0;
            return errprintf(err, "no answer from the probe within %d ms", timeout_ms);
        }
        if (out->len + (size_t)r > MAX_OUTPUT)
            return errprintf(err, "the probe printed more than %d bytes", MAX_OUTPUT);
        if (buf_add(out, chunk, (size_t)r) < 0)
            return errprintf(err, "out of memory");
    }
}

static void run_probe(ssh_session s, const struct sshprobe_opts *o, struct sshprobe_result *out)
{
    int timeout_ms = (int)(o->timeout * 1000);
    ssh_channel ch = ssh_channel_new(s);
    if (!ch || ssh_channel_open_session(ch) != SSH_OK ||
        ssh_channel_request_exec(ch, sshprobe_command) != SSH_OK) {
        errprintf(&out->probe_error, "cannot run the probe: %s", ssh_get_error(s));
        if (ch)
            ssh_channel_free(ch);
        return;
    }
    struct buf text = BUF_INIT;
    if (read_output(ch, timeout_ms, &text, &out->probe_error) == 0 &&
        sshprobe_parse(buf_str(&text), text.len, &out->raw, &out->probe_error) == 0)
        out->probe_ok = 1;
    buf_free(&text);
    ssh_channel_send_eof(ch);
    ssh_channel_close(ch);
    ssh_channel_free(ch);
}

void sshprobe_run(const char *host, const char *user, const struct sshprobe_opts *o,
                  struct sshprobe_result *out)
{
    memset(out, 0, sizeof *out);
    ssh_set_log_callback(discard_log);
    double start = time_mono();
    ssh_session s = ssh_new();
    if (!s) {
        errprintf(&out->ssh_error, "out of memory");
        return;
    }
    long sec = (long)o->timeout;
    long usec = (long)((o->timeout - (double)sec) * 1e6);
    int no = 0;
    if (ssh_options_set(s, SSH_OPTIONS_HOST, host) < 0) {
        errprintf(&out->ssh_error, "bad host name");
        goto done;
    }
    if (o->ssh_config) {
        /* only this file, not ~/.ssh/config as well */
        ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
        if (ssh_options_parse_config(s, o->ssh_config) < 0) {
            errprintf(&out->ssh_error, "cannot read %s", o->ssh_config);
            goto done;
        }
    }
    /* after the config, so that USER@HOST of a hostfile wins over User */
    if (user && ssh_options_set(s, SSH_OPTIONS_USER, user) < 0) {
        errprintf(&out->ssh_error, "bad user name");
        goto done;
    }
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
    if (ssh_connect(s) != SSH_OK) {
        describe_connect_error(ssh_get_error(s), o->timeout, &out->ssh_error);
        goto done;
    }
    switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
        break;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        errprintf(&out->ssh_error, "host key CHANGED (not the one in known_hosts)");
        goto disconnect;
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        errprintf(&out->ssh_error, "unknown host key (not in known_hosts)");
        goto disconnect;
    default:
        errprintf(&out->ssh_error, "cannot check the host key: %s", ssh_get_error(s));
        goto disconnect;
    }
    if (ssh_userauth_publickey_auto(s, NULL, NULL) != SSH_AUTH_SUCCESS) {
        errprintf(&out->ssh_error, "authentication denied");
        goto disconnect;
    }
    out->ssh_ok = 1;
    out->latency_ms = (time_mono() - start) * 1000;
    run_probe(s, o, out);
disconnect:
    ssh_disconnect(s);
done:
    ssh_free(s);
}
