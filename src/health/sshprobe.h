/* SPDX-License-Identifier: BSD-3-Clause */
/* sshprobe.h - check one host over SSH (libssh): connect, verify its host
 * key against known_hosts, authenticate with a public key, and read the raw
 * values health.c judges. No MPI: this is the pre-flight check.
 */
#ifndef DISTMPI_SSHPROBE_H
#define DISTMPI_SSHPROBE_H

#include <stddef.h>

#include "common/error.h"
#include "health/health.h"

struct sshprobe_opts {
    const char *ssh_config; /* OpenSSH client config to read, or NULL for ~/.ssh/config */
    double timeout;         /* seconds to connect (and for each read) */
};

struct sshprobe_result {
    int ssh_ok;               /* connected, host key verified, authenticated */
    double latency_ms;        /* until authenticated */
    struct error ssh_error;   /* when !ssh_ok: "connection refused", "timeout after 2.0s", ... */
    int probe_ok;             /* the values were read and parsed */
    struct error probe_error; /* when ssh_ok && !probe_ok */
    struct health_raw raw;    /* when probe_ok */
};

/* The command run on the host; its output is what sshprobe_parse reads. */
extern const char sshprobe_command[];

/* Parse the output of sshprobe_command (len bytes, not necessarily
 * NUL-terminated) into raw; cores from nproc. Pure.
 * Returns 0, or -1 with errno EINVAL and the problem in err. */
int sshprobe_parse(const char *text, size_t len, struct health_raw *raw, struct error *err);

/* Check host as user (NULL: the ssh config's User, else the local user);
 * fills *out whatever happens. Safe to call from several threads at once
 * (each call has its own session) once sshprobe_init() returned 0. */
void sshprobe_run(const char *host, const char *user, const struct sshprobe_opts *o,
                  struct sshprobe_result *out);

/* libssh's global set-up and tear-down, once per process. */
int sshprobe_init(void);
void sshprobe_finish(void);

#endif
