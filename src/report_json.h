/* report_json.h - the --json report (format in distmpi(1), JSON REPORT). */
#ifndef DISTMPI_REPORT_JSON_H
#define DISTMPI_REPORT_JSON_H

#include <stddef.h>

#include "hostinfo.h"
#include "result.h"
#include "summary.h"
#include "watch.h"

struct report {
    const char *run_id;
    const char *run_dir;
    char *const *command; /* NULL in task mode */
    int ncommand;
    const char *tasks; /* task file, or NULL */
    const char *schedule;
    long total;
    double started; /* wall clock */
    double duration;
    int exit_status;
    const struct cluster *cluster;
    const struct summary *summary;
    struct shard_result *const *results; /* total entries, NULL = lost */
    const struct watch *watch;           /* NULL: no health checks */
    double health_interval;
};

/* Write the report to path atomically. Returns 0, or -1 with a reason in err. */
int report_json_write(const char *path, const struct report *rep, char *err, size_t errlen);

#endif
