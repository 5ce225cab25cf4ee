/* SPDX-License-Identifier: BSD-3-Clause */
/* cli.c - getopt_long over the settings table, and the --help text. */
#include "config.h"

#include "config/cli.h"

#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_CONFIG = 1000, OPT_HELP = 'h', OPT_VERSION = 'V', OPT_SETTING_BASE = 2000 };

/* Built on each call from the table: no state survives between calls. */
static void build_options(struct option *opts, char *shortopts)
{
    int n = 0;
    char *sp = shortopts;
    *sp++ = '+'; /* stop at the first non-option: it starts the command */
    *sp++ = ':'; /* report a missing argument as ':' rather than '?' */
    for (int i = 0; i < SET_COUNT; i++) {
        const struct setting_desc *d = &settings_table[i];
        opts[n].name = d->name;
        opts[n].has_arg = d->type == SETTING_BOOL ? no_argument : required_argument;
        opts[n].flag = NULL;
        opts[n].val = d->short_opt ? d->short_opt : OPT_SETTING_BASE + i;
        n++;
        if (d->short_opt) {
            *sp++ = (char)d->short_opt;
            if (d->type != SETTING_BOOL)
                *sp++ = ':';
        }
    }
    opts[n++] = (struct option){"config", required_argument, NULL, OPT_CONFIG};
    opts[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
    opts[n++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
    opts[n] = (struct option){NULL, 0, NULL, 0};
    *sp++ = 'h';
    *sp++ = 'V';
    *sp = '\0';
}

/* Say what was wrong with word: a value for an option that takes none, an
 * abbreviation that fits several options, or an option that does not exist.
 * (glibc sets optopt to the option's value for the first case, so the word
 * itself is what to go by.) */
static int unknown_option(const struct option *opts, const char *word, int opt, struct error *err)
{
    if (strncmp(word, "--", 2) != 0)
        return errprintf(err, "unknown option '-%c' (see distmpi --help)",
                         opt > 0 && opt < 128 ? opt : '?');
    const char *name = word + 2;
    size_t n = strcspn(name, "=");
    int matches = 0;
    for (const struct option *o = opts; o->name; o++) {
        if (strlen(o->name) == n && !strncmp(o->name, name, n) && name[n] == '=')
            return errprintf(err, "option '--%s' takes no value", o->name);
        matches += !strncmp(o->name, name, n);
    }
    if (matches > 1)
        return errprintf(err, "option '%.*s' is ambiguous: write it in full (see distmpi --help)",
                         (int)n + 2, word);
    return errprintf(err, "unknown option '%.*s' (see distmpi --help)", (int)n + 2, word);
}

/* The long options of a run besides the settings (build_options adds them). */
static const char *const other_options[] = {"config", "help", "version", NULL};

int cli_is_option(const char *name, size_t len)
{
    for (int i = 0; i < SET_COUNT; i++)
        if (strlen(settings_table[i].name) == len && !strncmp(settings_table[i].name, name, len))
            return 1;
    for (int i = 0; other_options[i]; i++)
        if (strlen(other_options[i]) == len && !strncmp(other_options[i], name, len))
            return 1;
    return 0;
}

/* Edits from a[0..alen) to b (optimal string alignment: a swap of
 * neighbours is one edit), counted up to cap + 1. */
static size_t edit_distance(const char *a, size_t alen, const char *b, size_t cap)
{
    size_t blen = strlen(b);
    if (alen > blen + cap || blen > alen + cap || alen > 64 || blen > 64)
        return cap + 1;
    size_t d[65][65];
    for (size_t i = 0; i <= alen; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= blen; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= alen; i++) {
        for (size_t j = 1; j <= blen; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[alen][blen] > cap ? cap + 1 : d[alen][blen];
}

/* How near name[0..len) is to option: 0 the same, then the edits, or
 * cap + 1 when not near (a beginning of it counts as cap). */
static size_t nearness(const char *name, size_t len, const char *option)
{
    size_t cap = strlen(option) <= 5 ? 1 : 2;
    size_t d = edit_distance(name, len, option, cap);
    if (d > cap && len >= 4 && len < strlen(option) && !strncmp(option, name, len))
        d = cap;
    return d;
}

const char *cli_near_option(const char *name, size_t len, const char *const *extra)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (int list = 0; list < 3; list++) {
        for (int i = 0;; i++) {
            const char *o = list == 0   ? (i < SET_COUNT ? settings_table[i].name : NULL)
                            : list == 1 ? other_options[i]
                                        : (extra ? extra[i] : NULL);
            if (!o)
                break;
            size_t cap = strlen(o) <= 5 ? 1 : 2, d = nearness(name, len, o);
            if (d <= cap && d < best_d) {
                best = o;
                best_d = d;
            }
        }
    }
    return best;
}

static const struct setting_desc *desc_for_val(int val)
{
    if (val >= OPT_SETTING_BASE && val < OPT_SETTING_BASE + SET_COUNT)
        return &settings_table[val - OPT_SETTING_BASE];
    for (int i = 0; i < SET_COUNT; i++)
        if (settings_table[i].short_opt && settings_table[i].short_opt == val)
            return &settings_table[i];
    return NULL;
}

int cli_parse(int argc, char **argv, struct cli *c, struct settings *s, struct error *err)
{
    struct option opts[SET_COUNT + 4];
    char shortopts[2 * SET_COUNT + 8];
    build_options(opts, shortopts);
    memset(c, 0, sizeof *c);

    optind = 0; /* GNU: full re-initialisation, so cli_parse can be called again */
    opterr = 0;
    int val;
    while ((val = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        const char *word = argv[optind - 1];
        if (val == '?')
            return unknown_option(opts, word, optopt, err);
        if (val == ':')
            return errprintf(err, "option '%s' needs a value", word);
        if (val == OPT_CONFIG) {
            c->config_path = optarg;
            continue;
        }
        if (val == OPT_HELP) {
            c->help = 1;
            continue;
        }
        if (val == OPT_VERSION) {
            c->version = 1;
            continue;
        }
        const struct setting_desc *d = desc_for_val(val);
        if (!d)
            return errprintf(err, "internal error: option %d has no setting", val);
        const char *value = d->type == SETTING_BOOL ? "true" : optarg;
        if (settings_set_string(s, d, value, SOURCE_FLAG, err) < 0)
            return errprefix(err, "--%s: ", d->name);
    }
    c->command = argv + optind;
    c->ncommand = argc - optind;
    return 0;
}

int cli_check_command(const struct cli *c, const struct settings *s, struct error *err)
{
    if (s->tasks && c->ncommand > 0)
        return errprintf(err, "give either --tasks FILE or a command, not both");
    if (!s->tasks && c->ncommand == 0)
        return errprintf(err, "no command given (see distmpi --help)");
    if (c->ncommand > 0 && c->command[0][0] == '\0')
        return errprintf(err, "the command is empty");
    if (s->source[SET_HISTORY] == SOURCE_FLAG && s->source[SET_NO_HISTORY] == SOURCE_FLAG &&
        s->no_history)
        return errprintf(err, "give either --history FILE or --no-history, not both");
    if (s->items && s->items_command)
        return errprintf(err, "give either --items FILE or --items-command CMD, not both");
    if ((s->items || s->items_command) && s->tasks)
        return errprintf(err,
                         "--items and --items-command go with a command that has a word "
                         "{items}, not with --tasks");
    if (s->tasks && s->source[SET_SHARDS] == SOURCE_FLAG)
        return errprintf(err,
                         "--shards cannot be used with --tasks: the task file's lines are "
                         "the shards");
    return 0;
}

void cli_usage(FILE *out)
{
    fprintf(out,
            "Usage: mpirun [-np N] [-hostfile FILE] distmpi [OPTION]... [--] COMMAND [ARG]...\n"
            "       mpirun [-np N] [-hostfile FILE] distmpi [OPTION]... --tasks FILE\n"
            "       distmpi health [OPTION]... [HOST]...   (check hosts over SSH first; see\n"
            "                                              distmpi health --help)\n"
            "       distmpi launch --hostfile FILE ... -- [OPTION]... COMMAND...\n"
            "                          (check, then mpirun on the healthy hosts only)\n"
            "Run the shards of a test suite (or a list of tasks) on every rank of an MPI job,\n"
            "with retries, timeouts, a per-host summary and an exit status you can trust.\n"
            "\n"
            "COMMAND is run once per shard with {shard} {index} {total} {host} {rank} {slot}\n"
            "{attempt} replaced in its words; write {{ and }} for literal braces.\n"
            "\n"
            "Options:\n");
    for (int i = 0; i < SET_COUNT; i++) {
        const struct setting_desc *d = &settings_table[i];
        char left[64];
        if (d->short_opt)
            snprintf(left, sizeof left, "-%c, --%s%s%s", d->short_opt, d->name, d->arg ? " " : "",
                     d->arg ? d->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", d->name, d->arg ? " " : "",
                     d->arg ? d->arg : "");
        fprintf(out, "  %-30s %s\n", left, d->help);
    }
    fprintf(out, "  %-30s %s\n  %-30s %s\n  %-30s %s\n", "    --config FILE",
            "read settings from FILE (default $DISTMPI_CONFIG, ./distmpi.conf, then " SYSCONFDIR
            "/distmpi.conf)",
            "-h, --help", "show this help and exit", "-V, --version", "show the version and exit");
    fprintf(out,
            "\n"
            "Exit status: 0 all shards passed (flaky ones included), 1 some shard failed,\n"
            "2 usage or configuration error, 3 infrastructure failure, 128+N stopped by\n"
            "signal N. See distmpi(1) and distmpi.conf(5).\n");
}
