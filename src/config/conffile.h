/* SPDX-License-Identifier: BSD-3-Clause */
/* conffile.h - read distmpi.conf (libconfig syntax) into struct settings. */
#ifndef DISTMPI_CONFFILE_H
#define DISTMPI_CONFFILE_H

#include <stddef.h>

#include "common/error.h"
#include "config/settings.h"

/* Choose the configuration file: explicit (--config), else $DISTMPI_CONFIG
 * (env_value), else ./distmpi.conf if it exists, else system_path if it exists.
 * Returns the path (explicit, env_value, or a static string), or NULL when
 * there is no file to read. *required is set when the file was named by the
 * user and must therefore exist. */
const char *conffile_choose(const char *explicit_path, const char *env_value,
                            const char *system_path, int *required);

/* Load path into s. Settings whose source is SOURCE_FLAG keep their value
 * (flags win) but the file's value is still checked. Unknown keys, wrong types,
 * out-of-range values and syntax errors are errors.
 * Returns 0, or -1 with "FILE:LINE: problem" (or "FILE: problem") in err. */
int conffile_load(const char *path, struct settings *s, struct error *err);

#endif
