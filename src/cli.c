/* cli.c - getopt_long over the settings table, and the --help text. */
#include "config.h"

#include "cli.h"

#include <getopt.h>
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
static void unknown_option(const struct option *opts, const char *word, int opt, char *err,
                           size_t errlen)
{
    if (strncmp(word, "--", 2) != 0) {
        snprintf(err, errlen, "unknown option '-%c' (see distmpi --help)",
                 opt > 0 && opt < 128 ? opt : '?');
        return;
    }
    const char *name = word + 2;
    size_t n = strcspn(name, "=");
    int matches = 0;
    for (const struct option *o = opts; o->name; o++) {
        if (strlen(o->name) == n && !strncmp(o->name, name, n) && name[n] == '=') {
            snprintf(err, errlen, "option '--%s' takes no value", o->name);
            return;
        }
        matches += !strncmp(o->name, name, n);
    }
    if (matches > 1)
        snprintf(err, errlen, "option '%.*s' is ambiguous: write it in full (see distmpi --help)",
                 (int)n + 2, word);
    else
        snprintf(err, errlen, "unknown option '%.*s' (see distmpi --help)", (int)n + 2, word);
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

int cli_parse(int argc, char **argv, struct cli *c, struct settings *s, char *err, size_t errlen)
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
        if (val == '?') {
            unknown_option(opts, word, optopt, err, errlen);
            return -1;
        }
        if (val == ':') {
            snprintf(err, errlen, "option '%s' needs a value", word);
            return -1;
        }
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
        if (!d) {
            snprintf(err, errlen, "internal error: option %d has no setting", val);
            return -1;
        }
        char why[256];
        if (settings_set_string(s, d, d->type == SETTING_BOOL ? "true" : optarg, SOURCE_FLAG, why,
                                sizeof why) < 0) {
            snprintf(err, errlen, "--%s: %s", d->name, why);
            return -1;
        }
    }
    c->command = argv + optind;
    c->ncommand = argc - optind;
    return 0;
}

int cli_check_command(const struct cli *c, const struct settings *s, char *err, size_t errlen)
{
    if (s->tasks && c->ncommand > 0) {
        snprintf(err, errlen, "give either --tasks FILE or a command, not both");
        return -1;
    }
    if (!s->tasks && c->ncommand == 0) {
        snprintf(err, errlen, "no command given (see distmpi --help)");
        return -1;
    }
    if (c->ncommand > 0 && c->command[0][0] == '\0') {
        snprintf(err, errlen, "the command is empty");
        return -1;
    }
    if (s->tasks && s->source[SET_SHARDS] == SOURCE_FLAG) {
        snprintf(err, errlen,
                 "--shards cannot be used with --tasks: the task file's lines are "
                 "the shards");
        return -1;
    }
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
