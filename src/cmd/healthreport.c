/* SPDX-License-Identifier: BSD-3-Clause */
/* healthreport.c - the health command's results: the report, its JSON
 * form and the hostfile of the healthy hosts. */
#include "config.h"

#include "cmd/healthreport.h"

#include <jansson.h>
#include <string.h>

#include "config/hostfile.h"

int healthreport_print(FILE *out, const struct host_check *hosts, long n, long healthy, int colour)
{
    const char *green = colour ? "\033[32m" : "", *red = colour ? "\033[31m" : "",
               *plain = colour ? "\033[0m" : "";
    for (long i = 0; i < n; i++) {
        const struct host_check *h = &hosts[i];
        fprintf(out, "[%s] %s%s%s\n", h->name, h->healthy ? green : red,
                h->healthy ? "OK" : "UNHEALTHY", plain);
        if (!h->res.ssh_ok) {
            fprintf(out, "  SSH: %s\n\n", h->res.ssh_error.text);
            continue;
        }
        fprintf(out, "  SSH: OK (%.0fms)\n", h->res.latency_ms);
        if (h->sample_ok) {
            char lines[512];
            health_format(&h->sample, lines, sizeof lines);
            for (char *line = strtok(lines, "\n"); line; line = strtok(NULL, "\n"))
                fprintf(out, "  %s\n", line);
        }
        if (!h->healthy)
            fprintf(out, "  Problem: %s\n", h->problem.text);
        fputc('\n', out);
    }
    return fprintf(out, "Health Summary: %ld/%ld hosts healthy\n", healthy, n) < 0 ? -1 : 0;
}

static json_t *number_or_null(int ok, double v)
{
    return ok ? json_real(v) : json_null();
}

int healthreport_json(FILE *out, const struct host_check *hosts, long n, long healthy,
                      long min_healthy, const char *allocation)
{
    json_t *root = json_object(), *list = json_array();
    for (long i = 0; i < n; i++) {
        const struct host_check *h = &hosts[i];
        json_t *o = json_object(), *ssh = json_object();
        json_object_set_new(o, "host", json_string(h->name));
        json_object_set_new(o, "healthy", json_boolean(h->healthy));
        json_object_set_new(ssh, "ok", json_boolean(h->res.ssh_ok));
        json_object_set_new(ssh, "latency_ms", number_or_null(h->res.ssh_ok, h->res.latency_ms));
        json_object_set_new(ssh, "error",
                            h->res.ssh_ok ? json_null() : json_string(h->res.ssh_error.text));
        json_object_set_new(o, "ssh", ssh);
        json_object_set_new(o, "disk_free_percent",
                            number_or_null(h->sample_ok, h->sample.disk_free * 100));
        json_object_set_new(o, "memory_used_percent",
                            number_or_null(h->sample_ok, h->sample.mem_used * 100));
        json_object_set_new(o, "load1", number_or_null(h->sample_ok, h->sample.load1));
        json_object_set_new(o, "load_per_core",
                            number_or_null(h->sample_ok, h->sample.load_per_core));
        json_object_set_new(o, "other_load", number_or_null(h->sample_ok, h->sample.other_load));
        json_object_set_new(o, "other_load_per_core",
                            number_or_null(h->sample_ok, h->sample.other_per_core));
        json_object_set_new(o, "cores", h->sample_ok ? json_integer(h->sample.cores) : json_null());
        json_object_set_new(
            o, "problem",
            h->res.ssh_ok && !h->healthy ? json_string(h->problem.text) : json_null());
        json_array_append_new(list, o);
    }
    json_object_set_new(root, "hosts", list);
    json_object_set_new(root, "healthy", json_integer(healthy));
    json_object_set_new(root, "total", json_integer(n));
    json_object_set_new(root, "min_healthy", json_integer(min_healthy));
    json_object_set_new(root, "allocation", allocation ? json_string(allocation) : json_null());
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    if (fputc('\n', out) == EOF)
        rc = -1;
    json_decref(root);
    return rc < 0 ? -1 : 0;
}

int healthreport_hostfile(FILE *f, const struct host_check *hosts, long n)
{
    for (long i = 0; i < n; i++) {
        const struct host_check *h = &hosts[i];
        if (!h->healthy)
            continue;
        struct hostfile_entry e = {.name = (char *)h->name,
                                   .user = (char *)h->user,
                                   .slots = h->slots ? h->slots : h->sample.cores};
        const struct hostfile_entry *list[] = {&e};
        if (hostfile_write(f, list, 1) < 0)
            return -1;
    }
    return 0;
}
