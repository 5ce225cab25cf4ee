/* SPDX-License-Identifier: BSD-3-Clause */
/* spawnloop - run a command N times, P at a time, with posix_spawn and
 * waitpid: the cost of starting and reaping processes and nothing else, the
 * baseline bench/dispatch.sh holds distmpi's dispatch rate against.
 *
 *   spawnloop N P COMMAND [ARG]...
 *
 * COMMAND is looked up in PATH. Exit status: 0 every run exited 0, 1 some
 * did not, 2 usage error or a spawn or wait failed. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static long parse_count(const char *what, const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1) {
        fprintf(stderr, "spawnloop: %s must be a whole number of at least 1, not '%s'\n", what, s);
        return -1;
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: spawnloop N P COMMAND [ARG]...\n");
        return 2;
    }
    long total = parse_count("N", argv[1]);
    long width = parse_count("P", argv[2]);
    if (total < 0 || width < 0)
        return 2;

    long started = 0, running = 0, failed = 0;
    while (started < total || running > 0) {
        while (running < width && started < total) {
            pid_t pid;
            int rc = posix_spawnp(&pid, argv[3], NULL, NULL, &argv[3], environ);
            if (rc != 0) {
                fprintf(stderr, "spawnloop: cannot run %s: %s\n", argv[3], strerror(rc));
                /* reap what runs, so no child outlives us as a zombie */
                while (running > 0 && wait(NULL) > 0)
                    running--;
                return 2;
            }
            started++;
            running++;
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "spawnloop: waitpid: %s\n", strerror(errno));
            return 2;
        }
        running--;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
    }
    if (failed > 0) {
        fprintf(stderr, "spawnloop: %ld of %ld runs of %s did not exit 0\n", failed, total,
                argv[3]);
        return 1;
    }
    return 0;
}
