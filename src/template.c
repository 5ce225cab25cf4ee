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

/* ---- where a placeholder stands in a /bin/sh command line ----
 *
 * A task line goes to /bin/sh -c, and {host} and {output_dir} carry text
 * that others choose (a host's name, the directory the run started in).
 * template_expand makes each of them one single-quoted word, which the
 * shell reads back literally only where it stands outside every quote and
 * substitution. The scanner below follows the shell's lexer over the
 * template (with {{ and }} as the braces they stand for) far enough to know
 * that, bash's extras included ([[...]], ((...)), NAME[...]); where dash
 * and bash could read a construct differently (a quote inside ${...},
 * $'...', a case inside $(...), NAME=(...)), it gives up for the rest of
 * the line, so that what it cannot follow is refused, never accepted.
 * Numeric placeholders need none of this: digits and '-' mean nothing to a
 * shell anywhere. */

enum shctx { SH_TOP, SH_SQ, SH_DQ, SH_BQ, SH_CMD, SH_ARITH, SH_PARAM, SH_SUB };

#define SH_MAX_DEPTH 32
#define TOK_END      (-1)
#define TOK_PH       256 /* TOK_PH + enum ph: a placeholder */

/* The shell's view of text at i: a byte, a placeholder or TOK_END; *len
 * is how many bytes of text it takes. */
static int token_at(const char *text, size_t i, size_t *len)
{
    if (!text[i]) {
        *len = 0;
        return TOK_END;
    }
    if ((text[i] == '{' && text[i + 1] == '{') || (text[i] == '}' && text[i + 1] == '}')) {
        *len = 2;
        return (unsigned char)text[i];
    }
    size_t n = placeholder_len(text + i);
    int ph = n ? lookup(text + i + 1, n) : -1;
    if (ph >= 0) {
        *len = n + 2;
        return TOK_PH + ph;
    }
    *len = 1;
    return (unsigned char)text[i];
}

/* A placeholder whose value is text from outside. */
static int is_string_ph(int tok)
{
    return tok == TOK_PH + PH_HOST || tok == TOK_PH + PH_OUTPUT_DIR;
}

static const char *const ctx_where[] = {
    [SH_SQ] = "is inside '...' quotes",
    [SH_DQ] = "is inside \"...\" quotes",
    [SH_BQ] = "is inside `...`",
    [SH_CMD] = "is inside $(...)",
    [SH_ARITH] = "is inside $((...)) or ((...))",
    [SH_PARAM] = "is inside ${...}",
    [SH_SUB] = "is inside an array subscript NAME[...]",
};

/* Report a string placeholder that stands where it is not safe. */
static int refuse(int tok, const char *where, size_t col, char *err, size_t errlen)
{
    const char *name = tok == TOK_PH + PH_HOST ? "host" : "output_dir";
    const char *var = tok == TOK_PH + PH_HOST ? "DISTMPI_HOST" : "DISTMPI_OUTPUT_DIR";
    snprintf(err, errlen,
             "{%s} %s (column %zu); write it outside quotes and substitutions, where distmpi "
             "quotes it as one word, or use \"$%s\" instead",
             name, where, col, var);
    return -1;
}

/* The word being read in a command context. */
struct shword {
    int word_start; /* a '#' here would start a comment */
    char word[4];   /* the current word, while it is plain text */
    size_t wlen;    /* its length so far; > sizeof word: not a keyword */
    int wname;      /* the word so far is a shell name */
    int subscript;  /* the word began NAME[ (bash evaluates a[...]=) */
    int assign;     /* the word is NAME+ (1), or NAME= or NAME+= (2) */
};

/* The scanner's state: a stack of the constructs open at this point. */
struct shscan {
    enum shctx stack[SH_MAX_DEPTH];
    int parens[SH_MAX_DEPTH];          /* '(' open inside a $( or $(( */
    struct shword outer[SH_MAX_DEPTH]; /* the word a $( stands in */
    int sp;
    const char *poison; /* set: every later string placeholder is refused */
    int after_dollar;   /* the previous token was a '$' that expands */
    int dbracket;       /* inside bash's [[ ... ]] */
    struct shword w;
};

static int is_name_byte(int tok, int first)
{
    return (tok >= 'a' && tok <= 'z') || (tok >= 'A' && tok <= 'Z') || tok == '_' ||
           (!first && tok >= '0' && tok <= '9');
}

static void new_word(struct shword *w)
{
    w->word_start = 1;
    w->wlen = 0;
    w->wname = 1;
    w->subscript = 0;
    w->assign = 0;
}

/* One more token of the current word in a command context. Returns 1 when
 * it is the '[' of NAME[, which bash reads to its ']' as one subscript,
 * blanks and operators included. */
static int word_add(struct shword *w, int tok)
{
    int sub = tok == '[' && w->wname && w->wlen > 0;
    w->word_start = 0;
    if (sub)
        w->subscript = 1;
    int assign = w->assign;
    w->assign = 0;
    if (tok == '=' && ((w->wname && w->wlen > 0) || assign == 1))
        w->assign = 2;
    else if (tok == '+' && w->wname && w->wlen > 0)
        w->assign = 1;
    if (!is_name_byte(tok, w->wlen == 0))
        w->wname = 0;
    if (tok >= TOK_PH || tok == '\'' || tok == '"' || tok == '\\' || tok == '$' || tok == '`')
        w->wlen = sizeof w->word + 1; /* quoted or expanded: never a keyword */
    else if (w->wlen < sizeof w->word)
        w->word[w->wlen++] = (char)tok;
    else
        w->wlen = sizeof w->word + 1;
    return sub;
}

static int word_is(const struct shword *w, const char *kw)
{
    return w->wlen == strlen(kw) && !memcmp(w->word, kw, w->wlen);
}

static int push(struct shscan *s, enum shctx c)
{
    if (s->sp + 1 == SH_MAX_DEPTH) {
        s->poison = "is nested too deeply";
        return -1;
    }
    s->stack[++s->sp] = c;
    s->parens[s->sp] = 0;
    return 0;
}

static int is_operator(int tok)
{
    return tok == ' ' || tok == '\t' || tok == ';' || tok == '&' || tok == '|' || tok == '<' ||
           tok == '>' || tok == '(' || tok == ')';
}

int template_check_shell(const char *text, char *err, size_t errlen)
{
    if (template_check(text, err, errlen) < 0)
        return -1;
    struct shscan s = {.sp = 0};
    s.stack[0] = SH_TOP;
    new_word(&s.w);
    size_t len;
    for (size_t i = 0;; i += len) {
        int tok = token_at(text, i, &len);
        if (tok == TOK_END)
            return 0;
        size_t col = i + 1;
        enum shctx c = s.stack[s.sp];
        int was_dollar = s.after_dollar;
        s.after_dollar = 0;
        if (is_string_ph(tok)) {
            if (s.poison)
                return refuse(tok, s.poison, col, err, errlen);
            if (c != SH_TOP)
                return refuse(tok, ctx_where[c], col, err, errlen);
            if (was_dollar)
                return refuse(tok, "follows a $", col, err, errlen);
            if (s.dbracket)
                return refuse(tok, "is inside [[...]]", col, err, errlen);
            if (s.w.subscript)
                return refuse(tok, "is inside an array subscript NAME[...]", col, err, errlen);
            word_add(&s.w, tok);
            continue;
        }
        if (s.poison)
            continue;
        if (tok == '\n') {
            s.poison = "comes after a line break";
            continue;
        }
        size_t nlen;
        int next = token_at(text, i + len, &nlen);
        switch (c) {
        case SH_SQ:
            if (tok == '\'')
                s.sp--;
            continue;
        case SH_BQ:
            /* the first unescaped ` ends it, whatever the quotes */
            if (tok == '\\' && next != TOK_END) {
                if (is_string_ph(next))
                    return refuse(next, ctx_where[c], col + 1, err, errlen);
                len += nlen;
            } else if (tok == '`') {
                s.sp--;
            }
            continue;
        case SH_PARAM:
            /* only what every shell reads alike; a quote, a nested
             * substitution or a brace ends the checking */
            if (tok == '}')
                s.sp--;
            else if (tok == '\'' || tok == '"' || tok == '`' || tok == '\\' || tok == '{' ||
                     tok == '$')
                s.poison = "comes after a quote or substitution inside ${...}";
            continue;
        case SH_SUB:
            /* bash's NAME[...]: to the matching ']', whatever is inside;
             * a quote or substitution there ends the checking */
            if (tok == '[')
                s.parens[s.sp]++;
            else if (tok == ']' && s.parens[s.sp] > 0)
                s.parens[s.sp]--;
            else if (tok == ']')
                s.sp--;
            else if (tok == '\'' || tok == '"' || tok == '`' || tok == '\\' || tok == '$')
                s.poison =
                    "comes after a quote or substitution inside an array subscript NAME[...]";
            continue;
        case SH_ARITH:
            if (tok == '(') {
                s.parens[s.sp]++;
            } else if (tok == ')') {
                if (s.parens[s.sp] > 0) {
                    s.parens[s.sp]--;
                } else if (next == ')') {
                    len += nlen;
                    s.sp--;
                } else {
                    s.poison = "comes after a ((...)) that may not be arithmetic";
                }
            } else if (tok == '\'' || tok == '"' || tok == '`' || tok == '\\' || tok == '#' ||
                       tok == '$') {
                s.poison = "comes after a quote or substitution inside ((...))";
            }
            continue;
        case SH_DQ:
            if (tok == '\\') {
                if (next == '$' || next == '`' || next == '"' || next == '\\')
                    len += nlen;
                continue;
            }
            if (tok == '"') {
                s.sp--;
                continue;
            }
            if (tok != '$' && tok != '`')
                continue;
            break; /* a substitution, below */
        case SH_TOP:
        case SH_CMD:
            if (is_operator(tok)) {
                if (c == SH_CMD && word_is(&s.w, "case")) {
                    /* its patterns' ')' close nothing: where $(...) ends is
                     * more than this scanner knows */
                    s.poison = "comes after a case inside $(...)";
                    continue;
                }
                if (c == SH_TOP && word_is(&s.w, "[["))
                    s.dbracket = 1;
                else if (c == SH_TOP && word_is(&s.w, "]]"))
                    s.dbracket = 0;
                if (tok == '(' && s.w.assign == 2) {
                    /* bash's NAME=(...): after a syntax error in it, bash
                     * goes on reading in the middle of a quoted word */
                    s.poison = "comes after bash's NAME=(...) array";
                    continue;
                }
                new_word(&s.w);
                if (tok == '(' && next == '(') {
                    /* bash's (( arithmetic )) */
                    len += nlen;
                    push(&s, SH_ARITH);
                } else if (c == SH_CMD && tok == '(') {
                    s.parens[s.sp]++;
                } else if (c == SH_CMD && tok == ')') {
                    if (s.parens[s.sp] > 0) {
                        s.parens[s.sp]--;
                    } else {
                        /* the $(...) was part of a word: back to it */
                        s.w = s.outer[s.sp--];
                        word_add(&s.w, '$');
                    }
                }
                continue;
            }
            if (tok == '#' && s.w.word_start) {
                s.poison = "is inside a comment";
                continue;
            }
            if (word_add(&s.w, tok)) {
                push(&s, SH_SUB);
                continue;
            }
            if (tok == '\\') {
                if (is_string_ph(next))
                    return refuse(next, "follows a backslash", col + 1, err, errlen);
                len += nlen;
                continue;
            }
            if (tok == '\'' || tok == '"') {
                push(&s, tok == '\'' ? SH_SQ : SH_DQ);
                continue;
            }
            if (tok != '$' && tok != '`')
                continue;
            if (tok == '$' && next == '\'') {
                s.poison = "comes after $'...', which shells read differently";
                continue;
            }
            break; /* a substitution, below */
        }
        if (tok == '$' && next == '[') {
            s.poison = "comes after bash's $[...]";
            continue;
        }
        /* $(, $((, ${ and ` start here, in commands and in "..." */
        if (tok == '`') {
            push(&s, SH_BQ);
        } else if (next == '{') {
            len += nlen;
            push(&s, SH_PARAM);
        } else if (next == '(') {
            size_t n2;
            int after = token_at(text, i + len + nlen, &n2);
            len += nlen;
            if (after == '(') {
                len += n2;
                push(&s, SH_ARITH);
            } else if (push(&s, SH_CMD) == 0) {
                s.outer[s.sp] = s.w;
                new_word(&s.w);
            }
        } else {
            s.after_dollar = c != SH_DQ; /* $name, or "$" + a placeholder */
        }
    }
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

/* How template_expand writes a value. */
enum quoting { Q_NONE, Q_SHELL, Q_GLOB };

/* A string value for /bin/sh: always one single-quoted word, so that no
 * value (if, PATH=x, a leading ~) is ever a keyword, an assignment or a
 * tilde prefix. */
static void add_shell_word(struct sbuf *b, const char *value)
{
    sb_add(b, "'", 1);
    for (const char *p = value; *p; p++) {
        if (*p == '\'')
            sb_add(b, "'\\''", 4); /* close, escaped quote, reopen */
        else
            sb_add(b, p, 1);
    }
    sb_add(b, "'", 1);
}

/* A value in a glob(3) pattern: each character matches itself. */
static void add_glob_literal(struct sbuf *b, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (strchr("\\*?[]", *p))
            sb_add(b, "\\", 1);
        sb_add(b, p, 1);
    }
}

static char *expand(const char *text, const struct subst *v, enum quoting q)
{
    if (q == Q_SHELL) {
        char err[256];
        if (template_check_shell(text, err, sizeof err) < 0) {
            errno = EINVAL;
            return NULL;
        }
    }
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
        const char *value = NULL; /* a string from outside, else the number in num */
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
        /* a number is digits and '-': nothing to a shell or to glob */
        if (!value)
            sb_add(&b, num, strlen(num));
        else if (q == Q_SHELL && strchr(value, '\n'))
            goto line_break;
        else if (q == Q_SHELL)
            add_shell_word(&b, value);
        else if (q == Q_GLOB)
            add_glob_literal(&b, value);
        else
            sb_add(&b, value, strlen(value));
        i += n + 1;
    }
    if (b.failed) {
        free(b.s);
        errno = ENOMEM;
        return NULL;
    }
    return b.s;
line_break:
    /* one quoted word, and yet: after a syntax error bash goes on at the
     * next line, which would be inside the value */
    free(b.s);
    errno = EILSEQ;
    return NULL;
}

char *template_expand(const char *text, const struct subst *v, bool shell)
{
    return expand(text, v, shell ? Q_SHELL : Q_NONE);
}

char *template_expand_glob(const char *pattern, const struct subst *v)
{
    return expand(pattern, v, Q_GLOB);
}
