/* SPDX-License-Identifier: BSD-3-Clause */
/* journal_find.c - the newest journal under the run directory (see
 * journal_find.h). */
#include "config.h"

#include "coord/journal_find.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool journal_is_last(const char *arg)
{
    return arg && strcmp(arg, JOURNAL_LAST) == 0;
}

/* The best candidate so far. */
struct newest {
    char *path;
    struct timespec mtime;
};

static bool is_journal_name(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "journal", 7) == 0 && n >= 13 && strcmp(name + n - 6, ".jsonl") == 0;
}

static bool newer(const struct timespec *a, const char *apath, const struct newest *b)
{
    if (!b->path)
        return true;
    if (a->tv_sec != b->mtime.tv_sec)
        return a->tv_sec > b->mtime.tv_sec;
    if (a->tv_nsec != b->mtime.tv_nsec)
        return a->tv_nsec > b->mtime.tv_nsec;
    return strcmp(apath, b->path) > 0;
}

/* Consider every journal directly in dir. Returns 0 (a directory that
 * vanished or cannot be read counts as holding none, when quiet), or -1
 * with err (out of memory, or dir unreadable and not quiet). */
static int scan(const char *dir, bool quiet, struct newest *best, struct error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (quiet)
            return 0;
        return errprintf(err, "cannot read the run directory %s: %s", dir, strerror(errno));
    }
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        if (!is_journal_name(de->d_name))
            continue;
        char *p;
        if (asprintf(&p, "%s/%s", dir, de->d_name) < 0) {
            rc = errprintf(err, "out of memory");
            break;
        }
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && newer(&st.st_mtim, p, best)) {
            free(best->path);
            best->path = p;
            best->mtime = st.st_mtim;
        } else {
            free(p);
        }
    }
    closedir(d);
    return rc;
}

int journal_find_last(const char *run_dir, const char *base, char **path, struct error *err)
{
    struct newest best = {0};
    *path = NULL;
    if (run_dir) {
        if (scan(run_dir, false, &best, err) < 0) {
            free(best.path);
            return -1;
        }
        if (!best.path)
            return errprintf(err, "no journal (journal*.jsonl) in the run directory %s", run_dir);
        *path = best.path;
        return 0;
    }
    DIR *d = opendir(base);
    if (!d)
        return errprintf(err,
                         "no journal under %s: %s (did a run start in this directory? give the "
                         "journal's path, or the --run-dir it used)",
                         base, strerror(errno));
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) && rc == 0) {
        if (de->d_name[0] == '.')
            continue;
        char *sub;
        if (asprintf(&sub, "%s/%s", base, de->d_name) < 0) {
            rc = errprintf(err, "out of memory");
            break;
        }
        /* a run directory is a directory; anything else holds nothing */
        rc = scan(sub, true, &best, err);
        free(sub);
    }
    closedir(d);
    if (rc < 0) {
        free(best.path);
        return -1;
    }
    if (!best.path)
        return errprintf(err, "no journal (journal*.jsonl) in the run directories under %s", base);
    *path = best.path;
    return 0;
}
