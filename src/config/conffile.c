/* SPDX-License-Identifier: BSD-3-Clause */
/* conffile.c - libconfig front end for the settings table. */
#include "config.h"

#include "config/conffile.h"

#include "common/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *conffile_choose(const char *explicit_path, const char *env_value,
                            const char *system_path, int *required)
{
    *required = 1;
    if (explicit_path)
        return explicit_path;
    if (env_value && env_value[0])
        return env_value;
    *required = 0;
    if (access("distmpi.conf", F_OK) == 0)
        return "distmpi.conf";
    if (system_path && access(system_path, F_OK) == 0)
        return system_path;
    return NULL;
}

static const char *type_word(int type)
{
    switch (type) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "a whole number";
    case CONFIG_TYPE_FLOAT:
        return "a number";
    case CONFIG_TYPE_STRING:
        return "a string";
    case CONFIG_TYPE_BOOL:
        return "true or false";
    case CONFIG_TYPE_GROUP:
        return "a group";
    case CONFIG_TYPE_ARRAY:
        return "an array";
    case CONFIG_TYPE_LIST:
        return "a list";
    }
    return "something else";
}

static const char *expected_word(const struct setting_desc *d)
{
    switch (d->type) {
    case SETTING_INT:
        return "a whole number";
    case SETTING_DOUBLE:
        return "a number";
    case SETTING_BOOL:
        return "true or false";
    case SETTING_STRING:
        return "a string";
    case SETTING_CHOICE:
        return "a string";
    }
    return "?";
}

/* Apply one setting of the file to a scratch copy or to s, depending on
 * whether a flag already set it. */
static int apply(config_setting_t *cs, const struct setting_desc *d, struct settings *s,
                 struct error *why)
{
    struct settings scratch;
    struct settings *target = s;
    if (s->source[d->id] == SOURCE_FLAG) {
        settings_init(&scratch); /* check the value, but the flag wins */
        target = &scratch;
    }
    int type = config_setting_type(cs);
    int rc;
    if ((type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) &&
        (d->type == SETTING_INT || d->type == SETTING_DOUBLE)) {
        rc = settings_set_long(target, d, (long)config_setting_get_int64(cs), SOURCE_CONFIG, why);
    } else if (type == CONFIG_TYPE_FLOAT && d->type == SETTING_DOUBLE) {
        rc = settings_set_double(target, d, config_setting_get_float(cs), SOURCE_CONFIG, why);
    } else if (type == CONFIG_TYPE_BOOL && d->type == SETTING_BOOL) {
        rc = settings_set_string(target, d, config_setting_get_bool(cs) ? "true" : "false",
                                 SOURCE_CONFIG, why);
    } else if (type == CONFIG_TYPE_STRING &&
               (d->type == SETTING_STRING || d->type == SETTING_CHOICE)) {
        rc = settings_set_string(target, d, config_setting_get_string(cs), SOURCE_CONFIG, why);
    } else {
        rc = errprintf(why, "must be %s, not %s", expected_word(d), type_word(type));
    }
    if (target == &scratch)
        settings_free(&scratch);
    return rc;
}

/* Copy text to out (room for 4 bytes per byte of text, and a NUL) with
 * control characters written as C escapes ("\n", "\x1b"): a value that
 * spans lines or holds escape sequences is quoted in the reason, which must
 * stay one line and print safely on a terminal. */
static void escape_controls(const char *text, char *out)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n')
            o += (size_t)sprintf(out + o, "\\n");
        else if (*p == '\t')
            o += (size_t)sprintf(out + o, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            o += (size_t)sprintf(out + o, "\\x%02x", *p);
        else
            out[o++] = (char)*p;
    }
    out[o] = '\0';
}

/* Configuration files are a few kilobytes; a megabyte is a mistake. */
#define CONF_MAX_BYTES ((size_t)1 << 20)

/* The line of the first @include directive in data, or 0. libconfig opens
 * the file it names itself, and its scanner exits the whole process when
 * that is a directory ("input in flex scanner failed") and never ends on
 * /dev/zero; distmpi's settings all live in one file, so includes are
 * refused. A line inside a comment or a string that looks like one is
 * refused too: better than a miss. */
static long find_include(const char *data, size_t len)
{
    long line = 1;
    for (size_t i = 0; i < len; line++) {
        size_t j = i;
        while (j < len && (data[j] == ' ' || data[j] == '\t'))
            j++;
        if (len - j > 8 && !memcmp(data + j, "@include", 8) &&
            (data[j + 8] == ' ' || data[j + 8] == '\t'))
            return line;
        const char *nl = memchr(data + i, '\n', len - i);
        if (!nl)
            break;
        i = (size_t)(nl - data) + 1;
    }
    return 0;
}

int conffile_load(const char *path, struct settings *s, struct error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errprintf(err, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* libconfig's scanner exits the process on a directory */
        close(fd);
        return errprintf(err, "%s: is a directory, not a configuration file", path);
    }
    char *data;
    size_t len;
    int rc = read_all(fd, CONF_MAX_BYTES, &data, &len);
    int saved = errno;
    close(fd);
    if (rc < 0)
        return errprintf(
            err, "%s: %s", path,
            saved == EFBIG ? "larger than 1 MiB, not a configuration file" : strerror(saved));
    long include = find_include(data, len);
    if (include) {
        free(data);
        return errprintf(err, "%s:%ld: @include is not supported: put the settings in this file",
                         path, include);
    }
    /* libconfig reads the checked bytes, not the file again */
    FILE *f = fmemopen(data, len, "r");
    if (!f) {
        errprintf(err, "%s: %s", path, strerror(errno));
        free(data);
        return -1;
    }
    config_t cfg;
    config_init(&cfg);
    rc = -1;
    if (config_read(&cfg, f) != CONFIG_TRUE) {
        errprintf(err, "%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
        goto done;
    }
    config_setting_t *root = config_root_setting(&cfg);
    int n = config_setting_length(root);
    for (int i = 0; i < n; i++) {
        config_setting_t *cs = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(cs);
        int line = (int)config_setting_source_line(cs);
        const struct setting_desc *d = name ? settings_find(name) : NULL;
        /* the file uses underscores only, so "backoff-max" is not a key */
        if (!d || strchr(name, '-')) {
            errprintf(err, "%s:%d: unknown setting '%s'", path, line, name ? name : "?");
            goto done;
        }
        if (d->cli_only) {
            errprintf(err, "%s:%d: %s: can only be given on the command line (--%s)", path, line,
                      name, d->name);
            goto done;
        }
        if (apply(cs, d, s, err) < 0) {
            char shown[4 * sizeof err->text];
            escape_controls(err->text, shown);
            errprintf(err, "%s:%d: %s: %s", path, line, name, shown);
            goto done;
        }
    }
    rc = 0;
done:
    config_destroy(&cfg);
    fclose(f);
    free(data);
    return rc;
}
