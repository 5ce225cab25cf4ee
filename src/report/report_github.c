/* SPDX-License-Identifier: BSD-3-Clause */
/* report_github.c - the GitHub Actions job summary and annotations. */
#include "config.h"

#include "report/report_github.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fdio.h"
#include "common/fsutil.h"
#include "common/timeutil.h"
#include "common/utf8.h"
#include "model/result.h"
#include "report/junit_merge.h"
#include "report/summary.h"
#include "report/verdict.h"
#include "report/verdict_gather.h"

/* Text in a Markdown table cell: one line, no cell break, no HTML, code
 * spans closed; control characters dropped. */
static void add_cell(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\n' || ch == '\r' || ch == '\t')
            buf_addc(b, ' ');
        else if (ch < 0x20 || ch == 0x7f)
            continue;
        else if (strchr("|\\`*_[]<>#!", ch)) {
            buf_addc(b, '\\');
            buf_addc(b, (char)ch);
        } else
            buf_addc(b, (char)ch);
    }
}

/* Text in a code span: one line, without backquotes (nothing else needs
 * escaping there). */
static void add_code(struct buf *b, const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s >= 0x20 && *s != '`' && *s != 0x7f)
            buf_addc(b, *s);
}

static const char *host_of(const struct report *rep, const struct shard_result *r)
{
    const struct cluster *c = rep->cluster;
    if (r->host)
        return r->host;
    if (r->rank >= 0 && r->rank < c->nranks)
        return c->hosts[c->rank_host[r->rank]].name;
    return "-";
}

static void hosts_table(struct buf *b, const struct report *rep)
{
    const struct cluster *c = rep->cluster;
    buf_addstr(b,
               "| host | cores | ranks | shards | passed | flaky | failed | retries | busy |\n"
               "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (int h = 0; h < c->nhosts; h++) {
        const struct tally *t = &rep->summary->hosts[h];
        long failed = t->shards - t->count[STATUS_PASSED] - t->count[STATUS_FLAKY];
        char busy[32];
        time_format_duration(t->busy, busy, sizeof busy);
        buf_addstr(b, "| ");
        add_cell(b, c->hosts[h].name);
        buf_printf(b, " | %ld | %d | %ld | %ld | %ld | %ld | %ld | %s |\n", c->hosts[h].cores,
                   c->hosts[h].nranks, t->shards, t->count[STATUS_PASSED] + t->count[STATUS_FLAKY],
                   t->count[STATUS_FLAKY], failed, t->retries, busy);
    }
}

static void shards_not_passed(struct buf *b, const struct report *rep)
{
    long n = 0;
    for (long i = 0; i < rep->total; i++) {
        const struct shard_result *r = rep->results[i];
        if (r && status_is_pass(r->status))
            continue;
        if (n == 0)
            buf_addstr(b,
                       "\n### Shards that did not pass\n\n"
                       "| shard | status | host | attempts | log |\n|--:|---|---|--:|---|\n");
        if (n++ >= GITHUB_LIST_MAX)
            continue;
        buf_printf(b, "| %ld | %s | ", i + 1, r ? status_label(r->status) : "lost");
        add_cell(b, r ? host_of(rep, r) : "-");
        buf_printf(b, " | %d | ", r ? r->nattempts : 0);
        add_cell(b, r && r->log ? r->log : r && r->error ? r->error : "-");
        buf_addstr(b, " |\n");
    }
    if (n > GITHUB_LIST_MAX)
        buf_printf(b, "\nand %ld more (see the JSON or HTML report)\n", n - GITHUB_LIST_MAX);
}

static void tests_to_look_at(struct buf *b, const struct report *rep)
{
    const struct verdict_table *t = rep->verdicts;
    long n = 0;
    for (size_t k = 0; t && k < verdict_table_count(t); k++) {
        const struct verdict_test *x = verdict_table_test(t, k);
        if (x->verdict == VERDICT_PASSED || x->verdict == VERDICT_SKIPPED)
            continue;
        if (n == 0)
            buf_addstr(b,
                       "\n### Tests to look at\n\n"
                       "| test | verdict | runs (shard/attempt on host: outcome) |\n"
                       "|---|---|---|\n");
        if (n++ >= GITHUB_LIST_MAX)
            continue;
        buf_addstr(b, "| ");
        add_cell(b, x->classname);
        buf_addstr(b, " › ");
        add_cell(b, x->name);
        if (x->project && *x->project) {
            buf_addstr(b, " [");
            add_cell(b, x->project);
            buf_addstr(b, "]");
        }
        buf_printf(b, " | %s | ", verdict_name(x->verdict));
        for (size_t j = 0; j < x->nruns && j < 10; j++) {
            const struct test_run *r = &x->runs[j];
            buf_printf(b, "%s%ld/%d on ", j ? ", " : "", r->shard + 1, r->attempt);
            add_cell(b, verdict_host_name(rep->cluster, r->host));
            buf_printf(b, ": %s", test_outcome_name(r->outcome));
        }
        if (x->nruns > 10)
            buf_printf(b, ", and %zu more", x->nruns - 10);
        buf_addstr(b, " |\n");
    }
    if (n > GITHUB_LIST_MAX)
        buf_printf(b, "\nand %ld more (see the JSON or HTML report)\n", n - GITHUB_LIST_MAX);
}

int github_summary(struct buf *b, const struct report *rep)
{
    char line[SUMMARY_LINE_MAX];
    summary_total_line(rep->summary, rep->duration, line, sizeof line);
    buf_printf(b, "## distmpi: %s (exit status %d)\n\n",
               rep->exit_status == 0 ? "passed" : "did not pass", rep->exit_status);
    add_cell(b, line);
    buf_addstr(b, "\n\nRun `");
    add_code(b, rep->run_id);
    buf_addstr(b, "`, run directory `");
    add_code(b, rep->run_dir);
    buf_addstr(b, "`.\n\n");
    hosts_table(b, rep);
    shards_not_passed(b, rep);
    tests_to_look_at(b, rep);
    buf_addstr(b, "\n");
    if (b->failed) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

int github_summary_append(const char *path, const struct report *rep, struct error *err)
{
    struct buf b = BUF_INIT;
    if (github_summary(&b, rep) < 0) {
        buf_free(&b);
        return errprintf(err, "%s: out of memory", path);
    }
    /* GitHub gives each step a file of its own and reads it after the step:
     * appended, as its documentation asks, never replaced */
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    int rc = fd >= 0 && write_all(fd, buf_str(&b), b.len) == 0 ? 0 : -1;
    int saved = errno;
    if (fd >= 0 && close(fd) < 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    buf_free(&b);
    if (rc < 0)
        return errprintf(err, "%s: %s", path, strerror(saved));
    return 0;
}

/* The message or property value of a workflow command, escaped. */
static void add_escaped(struct buf *b, const char *s, int property)
{
    for (; s && *s; s++) {
        if (*s == '%')
            buf_addstr(b, "%25");
        else if (*s == '\r')
            buf_addstr(b, "%0D");
        else if (*s == '\n')
            buf_addstr(b, "%0A");
        else if (property && *s == ':')
            buf_addstr(b, "%3A");
        else if (property && *s == ',')
            buf_addstr(b, "%2C");
        else
            buf_addc(b, *s);
    }
}

int github_annotation(struct buf *b, const struct github_failure *f)
{
    buf_addstr(b, "::error file=");
    add_escaped(b, f->file, 1);
    buf_addstr(b, ",line=");
    add_escaped(b, f->line, 1);
    buf_addstr(b, ",title=");
    add_escaped(b, f->title, 1);
    buf_addstr(b, "::");
    add_escaped(b, f->message ? f->message : f->title, 0);
    buf_addc(b, '\n');
    if (b->failed) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* GitHub shows an annotation's message under the line of the diff it marks,
 * where a stack trace or a captured log would bury the rest of the review:
 * of a test's failure message, only its first line that is not blank, and
 * at most this many bytes of it. */
#define ANNOTATION_MESSAGE_MAX 200

/* Append to b the first line of message that is not blank, cut as
 * ANNOTATION_MESSAGE_MAX says, with an ellipsis when something was left out.
 * Returns whether there was such a line. */
static int add_message_line(struct buf *b, const char *message)
{
    static const char blank[] = " \t\r\n";
    const char *s = message + strspn(message, blank);
    size_t len = strcspn(s, "\r\n");
    int more = s[len + strspn(s + len, blank)] != '\0';
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    size_t fit = utf8_fit(s, len, ANNOTATION_MESSAGE_MAX);
    buf_add(b, s, fit);
    if (len > 0 && (more || fit < len))
        buf_addstr(b, "\u2026");
    return len > 0;
}

/* What junit_each_case gives for one shard's file, printed as it goes. */
struct annotate {
    FILE *out;
    long shard, printed, more;
    const char *host;
};

static int annotate_case(void *arg, const struct junit_case *c, struct xml_writer *w)
{
    (void)w;
    struct annotate *a = arg;
    if (c->outcome != JUNIT_CASE_FAILED || !c->file || !*c->file || !c->line || !*c->line)
        return 0;
    if (a->printed >= GITHUB_ANNOTATIONS_MAX) {
        a->more++;
        return 0;
    }
    /* a test case without a name attribute is "a test" here, not the merge's "(unnamed)" */
    const char *name = c->has_name ? c->name : NULL;
    /* why it failed, in the test tool's words when it gave some */
    struct buf b = BUF_INIT, msg = BUF_INIT;
    if (c->message && add_message_line(&msg, c->message))
        buf_printf(&msg, " (shard %ld on %s, distmpi)", a->shard + 1, a->host);
    else
        buf_printf(&msg, "%s failed in shard %ld on %s (distmpi)", name ? name : "a test",
                   a->shard + 1, a->host);
    struct github_failure f = {c->file, c->line, name ? name : "test failed", buf_str(&msg)};
    int rc = msg.failed ? -1 : github_annotation(&b, &f);
    if (rc == 0)
        fputs(buf_str(&b), a->out);
    buf_free(&b);
    buf_free(&msg);
    if (rc < 0) {
        errno = ENOMEM;
        return -1;
    }
    a->printed++;
    return 0;
}

long github_annotations_print(FILE *out, const struct report *rep)
{
    struct annotate a = {.out = out};
    for (long i = 0; rep->collected && i < rep->total; i++) {
        const struct shard_result *r = rep->results[i];
        for (int k = 0; rep->collected[i] && k < rep->ncollected[i]; k++) {
            const struct collected_file *f = &rep->collected[i][k];
            size_t n = f->name ? strlen(f->name) : 0;
            if (f->earlier || !f->path || f->error || n < 4 || strcmp(f->name + n - 4, ".xml"))
                continue;
            char *data;
            size_t len;
            struct error err;
            if (fs_read_file(f->path, JUNIT_MERGE_MAX_BYTES, &data, &len, &err) < 0)
                continue; /* the JUnit report says what is wrong with it */
            a.shard = i;
            a.host = r ? host_of(rep, r) : "-";
            char why[256];
            long got = junit_each_case(data ? data : "", len, annotate_case, &a, why, sizeof why);
            free(data);
            if (got == -2)
                return -1;
        }
    }
    if (a.more > 0)
        fprintf(out,
                "::notice title=distmpi::%ld more failed tests with a file and line (see "
                "the JUnit report)\n",
                a.more);
    fflush(out);
    return a.printed;
}
