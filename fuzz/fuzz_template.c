/* fuzz_template.c - libFuzzer harness for command templates (template.h):
 * template_check on arbitrary text, template_expand of every accepted one in
 * both quoting modes, and shell_quote checked by undoing its quoting. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Undo /bin/sh quoting as shell_quote writes it: '...' runs and \x.
 * Returns a heap string, or NULL when q is not such a word (unbalanced
 * quote, a character a shell would interpret outside quotes). */
static char *sh_unquote(const char *q)
{
    char *out = malloc(strlen(q) + 1), *o = out;
    if (!out)
        abort();
    for (const char *p = q; *p;) {
        if (*p == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end) {
                free(out);
                return NULL;
            }
            memcpy(o, p + 1, (size_t)(end - p - 1));
            o += end - p - 1;
            p = end + 1;
        } else if (*p == '\\' && p[1]) {
            *o++ = p[1];
            p += 2;
        } else if (strchr("_./:=@%+,-", *p) || (*p >= 'a' && *p <= 'z') ||
                   (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
            *o++ = *p++;
        } else {
            free(out);
            return NULL;
        }
    }
    *o = '\0';
    return out;
}

static void check_quote(const char *s)
{
    char *q = shell_quote(s);
    if (!q)
        return; /* ENOMEM */
    char *back = sh_unquote(q);
    if (!back || strcmp(back, s) || !q[0])
        abort(); /* a shell would not read s back (or an empty word vanished) */
    free(back);
    free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1); /* the text ends at the first NUL, as a C string does */
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check_quote(text);

    char err[1024];
    err[0] = '\0';
    /* values with everything a shell would split or interpret */
    static const struct subst v = {.shard = 3,
                                   .index = 2,
                                   .total = 48,
                                   .host = "node-1 $(reboot) 'x'",
                                   .rank = 5,
                                   .slot = 1,
                                   .attempt = 2,
                                   .output_dir = "/tmp/out dir/it's {shard}"};
    if (template_check(text, err, sizeof err) == 0) {
        for (int quote = 0; quote <= 1; quote++) {
            errno = 0;
            char *s = template_expand(text, &v, quote);
            if (!s && errno != ENOMEM)
                abort(); /* template_check accepted it: expansion must work */
            free(s);
        }
    } else {
        if (strncmp(err, "unknown placeholder {", 21) || strchr(err, '\n'))
            abort();
        errno = 0;
        char *s = template_expand(text, &v, 0);
        if (s || errno != EINVAL)
            abort(); /* what the check refuses, expansion refuses too */
    }
    free(text);
    return 0;
}
