/* template.c - placeholder scanning and expansion. */
#include "config.h"

#include "template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ph {
    PH_SHARD,
    PH_INDEX,
    PH_TOTAL,
    PH_HOST,
    PH_RANK,
    PH_SLOT,
    PH_ATTEMPT,
    PH_OUTPUT_DIR,
    PH_COUNT
};

static const char *const ph_names[PH_COUNT] = {"shard", "index", "total",   "host",
                                               "rank",  "slot",  "attempt", "output_dir"};

/* A growing string; on allocation failure it stays failed and returns NULL. */
struct sbuf {
    char *s;
    size_t len, cap;
    int failed;
};

static void sb_add(struct sbuf *b, const char *p, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || c == '_';
}

/* If text[i] opens a placeholder "{name}", return the name's length, else 0. */
static size_t placeholder_len(const char *text)
{
    if (text[0] != '{' || !is_name_char(text[1]))
        return 0;
    size_t n = 1;
    while (is_name_char(text[n]))
        n++;
    return text[n] == '}' ? n - 1 : 0;
}

static int lookup(const char *name, size_t len)
{
    for (int i = 0; i < PH_COUNT; i++)
        if (strlen(ph_names[i]) == len && !strncmp(ph_names[i], name, len))
            return i;
    return -1;
}

int template_check(const char *text, char *err, size_t errlen)
{
    for (size_t i = 0; text[i]; i++) {
        if ((text[i] == '{' && text[i + 1] == '{') || (text[i] == '}' && text[i + 1] == '}')) {
            i++;
            continue;
        }
        size_t n = placeholder_len(text + i);
        if (n && lookup(text + i + 1, n) < 0) {
            snprintf(err, errlen,
                     "unknown placeholder {%.*s} (known: {shard} {index} {total} {host} {rank} "
                     "{slot} {attempt} {output_dir}; write {{ and }} for literal braces)",
                     (int)n, text + i + 1);
            return -1;
        }
        if (n)
            i += n + 1;
    }
    return 0;
}

static int is_shell_safe(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("_./:=@%+,-", c) != NULL;
}

char *shell_quote(const char *s)
{
    int safe = s[0] != '\0';
    for (const char *p = s; *p && safe; p++)
        safe = is_shell_safe(*p);
    if (safe)
        return strdup(s);
    struct sbuf b = {0};
    sb_add(&b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            sb_add(&b, "'\\''", 4); /* close, escaped quote, reopen */
        else
            sb_add(&b, p, 1);
    }
    sb_add(&b, "'", 1);
    if (b.failed) {
        free(b.s);
        errno = ENOMEM;
        return NULL;
    }
    return b.s;
}

static void add_value(struct sbuf *b, const char *value, bool quote)
{
    if (!quote) {
        sb_add(b, value, strlen(value));
        return;
    }
    char *q = shell_quote(value);
    if (!q) {
        b->failed = 1;
        return;
    }
    sb_add(b, q, strlen(q));
    free(q);
}

char *template_expand(const char *text, const struct subst *v, bool quote)
{
    struct sbuf b = {0};
    sb_add(&b, "", 0);
    for (size_t i = 0; text[i]; i++) {
        if ((text[i] == '{' && text[i + 1] == '{') || (text[i] == '}' && text[i + 1] == '}')) {
            sb_add(&b, text + i, 1);
            i++;
            continue;
        }
        size_t n = placeholder_len(text + i);
        if (!n) {
            sb_add(&b, text + i, 1);
            continue;
        }
        char num[32];
        const char *value = num;
        switch (lookup(text + i + 1, n)) {
        case PH_SHARD:
            snprintf(num, sizeof num, "%ld", v->shard);
            break;
        case PH_INDEX:
            snprintf(num, sizeof num, "%ld", v->index);
            break;
        case PH_TOTAL:
            snprintf(num, sizeof num, "%ld", v->total);
            break;
        case PH_HOST:
            value = v->host ? v->host : "";
            break;
        case PH_RANK:
            snprintf(num, sizeof num, "%ld", v->rank);
            break;
        case PH_SLOT:
            snprintf(num, sizeof num, "%ld", v->slot);
            break;
        case PH_ATTEMPT:
            snprintf(num, sizeof num, "%ld", v->attempt);
            break;
        case PH_OUTPUT_DIR:
            value = v->output_dir ? v->output_dir : "";
            break;
        default:
            free(b.s);
            errno = EINVAL;
            return NULL;
        }
        add_value(&b, value, quote);
        i += n + 1;
    }
    if (b.failed) {
        free(b.s);
        errno = ENOMEM;
        return NULL;
    }
    return b.s;
}
