/* SPDX-License-Identifier: BSD-3-Clause */
/* cli.h - the command line: options from the settings table plus --config,
 * --help and --version, then the command to run.
 *
 * Pure: writes only into the caller's structures.
 */
#ifndef DISTMPI_CLI_H
#define DISTMPI_CLI_H

#include <stdio.h>

#include "common/error.h"
#include "config/settings.h"

struct cli {
    const char *config_path; /* --config FILE, or NULL; points into argv */
    int help;                /* --help given */
    int version;             /* --version given */
    char **command;          /* words after the options; points into argv */
    int ncommand;
};

/* Parse argv into c and s (values from flags get SOURCE_FLAG).
 * s must have been set up with settings_init. Stops at "--" or the first
 * word that is not an option; the rest is the command.
 * Returns 0, or -1 with one line naming the problem in err. */
int cli_parse(int argc, char **argv, struct cli *c, struct settings *s, struct error *err);

/* Check what only makes sense once flags and config are merged:
 * a command or --tasks, not both, and no empty command word.
 * Returns 0, or -1 with the problem in err. */
int cli_check_command(const struct cli *c, const struct settings *s, struct error *err);

/* Whether name[0..len) (without its dashes) is a long option of a run. */
int cli_is_option(const char *name, size_t len);

/* "Did you mean": the long option of a run, or of extra (NULL-terminated,
 * may be NULL: another command's options), that name[0..len) nearly is:
 * the same, one edit away (a character added, dropped, changed, or two
 * neighbours swapped) for a name of up to 5 characters, two for a longer
 * one, or the beginning of it when len >= 4. The nearest one, the first of
 * equals; NULL when none is near. Returns a static string or one of extra. */
const char *cli_near_option(const char *name, size_t len, const char *const *extra);

/* Print the --help text. */
void cli_usage(FILE *out);

#endif
