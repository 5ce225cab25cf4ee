/* SPDX-License-Identifier: BSD-3-Clause */
/* template.c - placeholder scanning and expansion. */
#include "config.h"

#include "model/template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

const struct placeholder_info placeholders[PH_COUNT] = {
    [PH_SHARD] = {"shard", "DISTMPI_SHARD", false},
    [PH_INDEX] = {"index", "DISTMPI_SHARD_INDEX", false},
    [PH_TOTAL] = {"total", "DISTMPI_TOTAL_SHARDS", false},
    [PH_HOST] = {"host", "DISTMPI_HOST", true},
    [PH_RANK] = {"rank", "DISTMPI_RANK", false},
    [PH_SLOT] = {"slot", "DISTMPI_SLOT", false},
    [PH_ATTEMPT] = {"attempt", "DISTMPI_ATTEMPT", false},
    [PH_OUTPUT_DIR] = {"output_dir", "DISTMPI_OUTPUT_DIR", true},
};

/* Room for any long in decimal. */
#define NUM_MAX 24

/* Placeholder ph's value in v: a string (NULL taken as ""), or the number
 * written into num. */
static const char *value_of(const struct subst *v, enum placeholder ph, char num[NUM_MAX])
{
    long n = 0;
    switch (ph) {
    case PH_SHARD:
        n = v->shard;
        break;
    case PH_INDEX:
        n = v->index;
        break;
    case PH_TOTAL:
        n = v->total;
        break;
    case PH_HOST:
        return v->host ? v->host : "";
    case PH_RANK:
        n = v->rank;
        break;
    case PH_SLOT:
        n = v->slot;
        break;
    case PH_ATTEMPT:
        n = v->attempt;
        break;
    case PH_OUTPUT_DIR:
        return v->output_dir ? v->output_dir : "";
    case PH_COUNT:
        break;
    }
    snprintf(num, NUM_MAX, "%ld", n);
    return num;
}

char *template_env_entry(const struct subst *v, enum placeholder ph)
{
    if ((unsigned)ph >= PH_COUNT) {
        errno = EINVAL;
        return NULL;
    }
    char num[NUM_MAX];
    struct buf b = BUF_INIT;
    buf_addstr(&b, placeholders[ph].env);
    buf_addc(&b, '=');
    buf_addstr(&b, value_of(v, ph, num));
    return buf_take(&b, NULL);
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
        if (strlen(placeholders[i].name) == len && !strncmp(placeholders[i].name, name, len))
            return i;
    return -1;
}

int template_check(const char *text, struct error *err)
{
    for (size_t i = 0; text[i]; i++) {
        if ((text[i] == '{' && text[i + 1] == '{') || (text[i] == '}' && text[i + 1] == '}')) {
            i++;
            continue;
        }
        size_t n = placeholder_len(text + i);
        if (n && lookup(text + i + 1, n) < 0) {
            struct buf known = BUF_INIT;
            for (int k = 0; k < PH_COUNT; k++)
                buf_printf(&known, "%s{%s}", k ? " " : "", placeholders[k].name);
            errprintf(err,
                      "unknown placeholder {%.*s} (known: %s; write {{ and }} for literal braces)",
                      (int)n, text + i + 1, known.failed ? "see distmpi(1)" : buf_str(&known));
            buf_free(&known);
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
#define TOK_PH       256 /* TOK_PH + enum placeholder: a placeholder */

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
    return tok >= TOK_PH && tok < TOK_PH + PH_COUNT && placeholders[tok - TOK_PH].is_string;
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
static int refuse(int tok, const char *where, size_t col, struct error *err)
{
    const char *name = placeholders[tok - TOK_PH].name;
    const char *var = placeholders[tok - TOK_PH].env;
    return errprintf(err,
                     "{%s} %s (column %zu); write it outside quotes and substitutions, where "
                     "distmpi quotes it as one word, or use \"$%s\" instead",
                     name, where, col, var);
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

int template_check_shell(const char *text, struct error *err)
{
    if (template_check(text, err) < 0)
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
                return refuse(tok, s.poison, col, err);
            if (c != SH_TOP)
                return refuse(tok, ctx_where[c], col, err);
            if (was_dollar)
                return refuse(tok, "follows a $", col, err);
            if (s.dbracket)
                return refuse(tok, "is inside [[...]]", col, err);
            if (s.w.subscript)
                return refuse(tok, "is inside an array subscript NAME[...]", col, err);
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
                    return refuse(next, ctx_where[c], col + 1, err);
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
                    return refuse(next, "follows a backslash", col + 1, err);
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

/* s as one single-quoted word for /bin/sh. */
static void add_shell_word(struct buf *b, const char *s)
{
    buf_addc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            buf_addstr(b, "'\\''"); /* close, escaped quote, reopen */
        else
            buf_addc(b, *p);
    }
    buf_addc(b, '\'');
}

char *shell_quote(const char *s)
{
    int safe = s[0] != '\0';
    for (const char *p = s; *p && safe; p++)
        safe = is_shell_safe(*p);
    if (safe)
        return strdup(s);
    struct buf b = BUF_INIT;
    add_shell_word(&b, s);
    return buf_take(&b, NULL);
}

/* How template_expand writes a value. */
enum quoting { Q_NONE, Q_SHELL, Q_GLOB };

/* A value in a glob(3) pattern: each character matches itself. */
static void add_glob_literal(struct buf *b, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (strchr("\\*?[]", *p))
            buf_addc(b, '\\');
        buf_addc(b, *p);
    }
}

static char *expand(const char *text, const struct subst *v, enum quoting q)
{
    if (q == Q_SHELL) {
        if (template_check_shell(text, NULL) < 0) {
            errno = EINVAL;
            return NULL;
        }
    }
    struct buf b = BUF_INIT;
    for (size_t i = 0; text[i]; i++) {
        if ((text[i] == '{' && text[i + 1] == '{') || (text[i] == '}' && text[i + 1] == '}')) {
            buf_addc(&b, text[i]);
            i++;
            continue;
        }
        size_t n = placeholder_len(text + i);
        if (!n) {
            buf_addc(&b, text[i]);
            continue;
        }
        int ph = lookup(text + i + 1, n);
        if (ph < 0) {
            buf_free(&b);
            errno = EINVAL;
            return NULL;
        }
        char num[NUM_MAX];
        const char *value = value_of(v, (enum placeholder)ph, num);
        /* a number is digits and '-': nothing to a shell or to glob */
        if (!placeholders[ph].is_string || q == Q_NONE) {
            buf_addstr(&b, value);
        } else if (q == Q_GLOB) {
            add_glob_literal(&b, value);
        } else if (strchr(value, '\n')) {
            /* one quoted word, and yet: after a syntax error bash goes on
             * at the next line, which would be inside the value */
            buf_free(&b);
            errno = EILSEQ;
            return NULL;
        } else {
            /* always one single-quoted word, so that no value (if, PATH=x,
             * a leading ~) is ever a keyword, an assignment or a tilde
             * prefix */
            add_shell_word(&b, value);
        }
        i += n + 1;
    }
    return buf_take(&b, NULL);
}

char *template_expand(const char *text, const struct subst *v, bool shell)
{
    return expand(text, v, shell ? Q_SHELL : Q_NONE);
}

char *template_expand_glob(const char *pattern, const struct subst *v)
{
    return expand(pattern, v, Q_GLOB);
}

char *template_key(const char *text, long index, long total, bool append_shard)
{
    static const struct {
        const char *name;
        enum placeholder ph;
    } keyed[] = {{"{shard}", PH_SHARD}, {"{index}", PH_INDEX}, {"{total}", PH_TOTAL}};
    struct buf b = BUF_INIT;
    bool named = false; /* {shard} or {index}: the text tells the shards apart */
    for (const char *p = text; *p;) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            buf_add(&b, p, 2); /* an escaped brace stays as written */
            p += 2;
            continue;
        }
        size_t k = 0;
        while (k < 3 && strncmp(p, keyed[k].name, strlen(keyed[k].name)) != 0)
            k++;
        if (k == 3) {
            buf_addc(&b, *p++);
            continue;
        }
        enum placeholder ph = keyed[k].ph;
        buf_printf(&b, "%ld", ph == PH_SHARD ? index + 1 : ph == PH_INDEX ? index : total);
        named |= ph != PH_TOTAL;
        p += strlen(keyed[k].name);
    }
    if (append_shard && !named)
        buf_printf(&b, " [shard %ld/%ld]", index + 1, total);
    return buf_take(&b, NULL);
}
