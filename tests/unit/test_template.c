/* SPDX-License-Identifier: BSD-3-Clause */
/* test_template.c - unit tests of command templates and shell quoting
 * (template.h). The quoting tests hand the quoted text to /bin/sh and check
 * that it gives back the original value; the task-line check is tried
 * against /bin/sh and bash with values that would run a command. */
#include "config.h"

#include "model/template.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <sys/wait.h>

#include "unit.h"

static const struct subst V = {
    .shard = 4, .index = 3, .total = 10, .host = "node1", .rank = 2, .slot = 1, .attempt = 1};

/* Expand text and compare with want (NULL: expansion must fail with EINVAL). */
static void assert_expands(const char *text, const struct subst *v, bool quote, const char *want)
{
    errno = 0;
    char *got = template_expand(text, v, quote);
    if (!want) {
        ck_assert_msg(got == NULL, "'%s' expanded to '%s', expected an error", text,
                      got ? got : "");
        ck_assert_int_eq(errno, EINVAL);
        return;
    }
    ck_assert_msg(got != NULL, "'%s' not expanded (errno %d)", text, errno);
    ck_assert_msg(!strcmp(got, want), "'%s' expanded to '%s', want '%s'", text, got, want);
    free(got);
}

static void assert_check_ok(const char *text)
{
    struct error err = {""};
    ck_assert_msg(template_check(text, &err) == 0, "'%s' refused: %s", text, err.text);
}

START_TEST(all_placeholders)
{
    const char *text = "{shard} {index} {total} {host} {rank} {slot} {attempt}";
    assert_check_ok(text);
    assert_expands(text, &V, false, "4 3 10 node1 2 1 1");
    assert_expands(text, &V, true, "4 3 10 'node1' 2 1 1"); /* strings: always quoted */
    struct subst w = {.shard = 1000000,
                      .index = 999999,
                      .total = 1000000,
                      .host = "h",
                      .rank = 0,
                      .slot = 0,
                      .attempt = 3};
    assert_expands("--shard={shard}/{total} -i{index} a{attempt}", &w, false,
                   "--shard=1000000/1000000 -i999999 a3");
}
END_TEST

START_TEST(output_dir_placeholder)
{
    struct subst w = V;
    w.output_dir = "/runs/r 1/shard-04/attempt-1";
    assert_check_ok("--output={output_dir}/results");
    assert_expands("--output={output_dir}/results", &w, false,
                   "--output=/runs/r 1/shard-04/attempt-1/results");
    assert_expands("cp x {output_dir}", &w, true, "cp x '/runs/r 1/shard-04/attempt-1'");
    assert_expands("[{output_dir}]", &V, false, "[]"); /* none known: empty */
}
END_TEST

START_TEST(repeated_and_adjacent)
{
    assert_expands("{shard}{shard}{index}", &V, false, "443");
    assert_expands("out-{rank}-{slot}.log", &V, false, "out-2-1.log");
    assert_expands("{host}:{host}", &V, false, "node1:node1");
    assert_expands("", &V, false, "");
    assert_expands("no placeholders at all", &V, true, "no placeholders at all");
}
END_TEST

START_TEST(extreme_numbers)
{
    struct subst w = V;
    w.rank = -1;
    w.shard = LONG_MAX;
    w.index = LONG_MIN;
    assert_expands("{rank} {shard} {index}", &w, false,
                   "-1 9223372036854775807 -9223372036854775808");
    assert_expands("{rank}", &w, true, "-1");
}
END_TEST

START_TEST(doubled_braces_are_literal)
{
    assert_check_ok("{{shard}}");
    assert_expands("{{shard}}", &V, false, "{shard}");
    assert_expands("a{{b", &V, false, "a{b");
    assert_expands("a}}b", &V, false, "a}b");
    assert_expands("{{{shard}}}", &V, false, "{4}");
    assert_expands("{{}}", &V, false, "{}");
    assert_expands("{{foo}}", &V, false, "{foo}"); /* not a placeholder: no error */
    assert_check_ok("{{foo}}");
    assert_expands("awk '{{print $1}}'", &V, true, "awk '{print $1}'");
}
END_TEST

START_TEST(other_braces_left_alone)
{
    const char *texts[] = {"${HOME}",   "{ echo; }", "{\"a\":1}", "{}",      "{Shard}",
                           "{ shard }", "{shard",    "shard}",    "}",       "{",
                           "{1}",       "{a-b}",     "x{}y",      "{SHARD}", "${PATH:-x}",
                           "a { b } c", "{}{}",      "{shard-1}", "{-shard}"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        assert_check_ok(texts[i]);
        assert_expands(texts[i], &V, false, texts[i]);
    }
}
END_TEST

START_TEST(unknown_placeholder_refused)
{
    const char *texts[][2] = {{"echo {foo}", "{foo}"},
                              {"{shard} {bogus_name}", "{bogus_name}"},
                              {"{hosts}", "{hosts}"},
                              {"{{shard}} {nope}", "{nope}"},
                              {"${home}", "{home}"}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct error err = {""};
        ck_assert_msg(template_check(texts[i][0], &err) == -1, "'%s' accepted", texts[i][0]);
        unit_assert_contains(err.text, "unknown placeholder");
        unit_assert_contains(err.text, texts[i][1]);
        ck_assert_ptr_null(strchr(err.text, '\n'));
        assert_expands(texts[i][0], &V, false, NULL);
        assert_expands(texts[i][0], &V, true, NULL);
    }
}
END_TEST

START_TEST(check_message_too_long_is_marked)
{
    /* a name longer than the message holds: cut, and the cut shown */
    char text[3 * ERROR_TEXT_MAX];
    text[0] = '{';
    memset(text + 1, 'x', sizeof text - 3);
    text[sizeof text - 2] = '}';
    text[sizeof text - 1] = '\0';
    struct error err;
    ck_assert_int_eq(template_check(text, &err), -1);
    ck_assert_uint_eq(strlen(err.text), ERROR_TEXT_MAX - 1);
    unit_assert_prefix(err.text, "unknown placeholder {xxx");
    ck_assert_str_eq(err.text + ERROR_TEXT_MAX - 4, "...");
    /* and a caller that wants no message need not give a place for one */
    ck_assert_int_eq(template_check(text, NULL), -1);
    ck_assert_int_eq(template_check_shell("'{host}'", NULL), -1);
}
END_TEST

/* A value is substituted as it is, never scanned again. */
START_TEST(values_not_rescanned)
{
    struct subst w = V;
    w.host = "{shard}";
    assert_expands("{host}", &w, false, "{shard}");
    w.host = "{{";
    assert_expands("{host}", &w, false, "{{");
    w.host = "{foo}";
    assert_expands("x{host}x", &w, false, "x{foo}x");
}
END_TEST

START_TEST(no_splitting_without_quoting)
{
    /* in command mode each word is expanded on its own: a host with a space
     * stays one string, unquoted */
    struct subst w = V;
    w.host = "a b";
    assert_expands("{host}", &w, false, "a b");
    assert_expands("--host={host}", &w, false, "--host=a b");
    w.host = "it's \"x\" $y";
    assert_expands("{host}", &w, false, "it's \"x\" $y");
    w.host = NULL;
    assert_expands("[{host}]", &w, false, "[]");
}
END_TEST

START_TEST(task_mode_quotes_values)
{
    struct subst w = V;
    w.host = "a b";
    assert_expands("echo {host} {shard}", &w, true, "echo 'a b' 4");
    w.host = "";
    assert_expands("echo {host}", &w, true, "echo ''");
    w.host = NULL;
    assert_expands("echo {host}", &w, true, "echo ''");
    /* always one quoted word, so never a keyword, an assignment or ~user */
    w.host = "node-1.example.com";
    assert_expands("ssh {host}", &w, true, "ssh 'node-1.example.com'");
    w.host = "if";
    assert_expands("{host} x", &w, true, "'if' x");
    w.host = "PATH=/tmp";
    assert_expands("{host} ls", &w, true, "'PATH=/tmp' ls");
    w.host = "x'y";
    assert_expands("{host}", &w, true, "'x'\\''y'");
    /* literal text around the value is not quoted */
    w.host = "a b";
    assert_expands("echo \"{{\" {host} $HOME", &w, true, "echo \"{\" 'a b' $HOME");
}
END_TEST

static void assert_quote(const char *s, const char *want)
{
    char *q = shell_quote(s);
    ck_assert_ptr_nonnull(q);
    ck_assert_msg(!strcmp(q, want), "shell_quote(\"%s\") = \"%s\", want \"%s\"", s, q, want);
    free(q);
}

START_TEST(quote_safe_values_unchanged)
{
    const char *safe[] = {"abc",
                          "ABC",
                          "0123456789",
                          "node-01.cluster.example.org",
                          "A-Z_0.9/x:y=z@w%v+u,t",
                          "-1",
                          "/usr/bin/env",
                          "a=b",
                          "%",
                          "@host"};
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        assert_quote(safe[i], safe[i]);
}
END_TEST

START_TEST(quote_unsafe_values)
{
    assert_quote("", "''");
    assert_quote("a b", "'a b'");
    assert_quote("$x", "'$x'");
    assert_quote("it's", "'it'\\''s'");
    assert_quote("'", "''\\'''");
    assert_quote("\"", "'\"'");
    assert_quote("~", "'~'");
    assert_quote("*", "'*'");
    assert_quote("a;b", "'a;b'");
    assert_quote("a\nb", "'a\nb'");
    assert_quote("\\", "'\\'");
    assert_quote("\xc3\xa9", "'\xc3\xa9'"); /* non-ASCII is quoted too */
}
END_TEST

/* Run one /bin/sh script that prints each quoted value followed by a NUL,
 * and compare what comes back with the originals. */
static void assert_shell_gives_back(const char *const *values, size_t n)
{
    size_t cap = 1 << 16, len = 0;
    char *script = malloc(cap);
    len += (size_t)snprintf(script, cap, "printf '%%s\\0'");
    for (size_t i = 0; i < n; i++) {
        char *q = shell_quote(values[i]);
        ck_assert_ptr_nonnull(q);
        ck_assert_uint_lt(len + strlen(q) + 2, cap);
        len += (size_t)snprintf(script + len, cap - len, " %s", q);
        free(q);
    }
    char path[4096];
    unit_write_temp(script, len, path);
    free(script);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "/bin/sh %s", path);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    char *out = malloc(cap);
    size_t got = fread(out, 1, cap, f);
    int status = pclose(f);
    unlink(path);
    ck_assert_int_eq(status, 0);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(pos < got, "the shell printed only %zu of %zu values", i, n);
        ck_assert_msg(!strcmp(out + pos, values[i]), "value %zu: shell gave '%s', want '%s'", i,
                      out + pos, values[i]);
        pos += strlen(values[i]) + 1;
    }
    ck_assert_uint_eq(pos, got);
    free(out);
}

START_TEST(quote_round_trip_through_sh)
{
    const char *values[] = {"a'b \"c\" $(x) ;`",
                            "",
                            " ",
                            "'",
                            "''",
                            "\\",
                            "\n",
                            "*",
                            "~",
                            "a\tb",
                            "$HOME",
                            "!x",
                            "#x",
                            "-n",
                            "%s%d",
                            "a b  c",
                            "$(touch /tmp/distmpi-unit-pwned)",
                            "`id`",
                            "x\\'y",
                            "}{",
                            "&|<>",
                            "\xc3\xa9t\xc3\xa9",
                            "\x7f\x01\x1b[0m"};
    assert_shell_gives_back(values, sizeof values / sizeof values[0]);
}
END_TEST

START_TEST(quote_random_round_trip)
{
    /* random strings of every byte but NUL */
    enum { N = 200 };
    static char buf[N][48];
    const char *values[N];
    unsigned long long st = 4242;
    for (int i = 0; i < N; i++) {
        int len = (int)unit_rand_range(&st, 0, 47);
        for (int k = 0; k < len; k++)
            buf[i][k] = (char)unit_rand_range(&st, 1, 255);
        buf[i][len] = '\0';
        values[i] = buf[i];
    }
    assert_shell_gives_back(values, N);
}
END_TEST

/* The task-mode expansion of "printf %s {host}" through /bin/sh prints the host. */
START_TEST(task_mode_through_sh)
{
    const char *nasty = "a'b \"c\" $(x) ;`";
    struct subst w = V;
    w.host = nasty;
    char *cmd = template_expand("printf %s {host}", &w, true);
    ck_assert_ptr_nonnull(cmd);
    FILE *f = popen(cmd, "r");
    free(cmd);
    ck_assert_ptr_nonnull(f);
    char out[256] = "";
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    ck_assert_int_eq(pclose(f), 0);
    ck_assert_str_eq(out, nasty);
}
END_TEST

/* ---- task lines: where {host} and {output_dir} may stand ---- */

static void assert_shell_ok(const char *text)
{
    struct error err = {""};
    ck_assert_msg(template_check_shell(text, &err) == 0, "task line '%s' refused: %s", text,
                  err.text);
    char *s = template_expand(text, &V, true);
    ck_assert_msg(s != NULL, "'%s' accepted but not expanded", text);
    free(s);
}

/* text is refused, with why in the message, naming the placeholder */
static void assert_shell_refused(const char *text, const char *why)
{
    struct error err = {""};
    ck_assert_msg(template_check_shell(text, &err) == -1, "task line '%s' accepted", text);
    unit_assert_contains(err.text, why);
    ck_assert_msg(strstr(err.text, "{host}") || strstr(err.text, "{output_dir}"), "'%s': %s", text,
                  err.text);
    unit_assert_contains(err.text, "$DISTMPI_");
    ck_assert_ptr_null(strchr(err.text, '\n'));
    assert_expands(text, &V, true, NULL);
    char *s = template_expand(text, &V, false); /* command mode has no shell */
    ck_assert_ptr_nonnull(s);
    free(s);
}

START_TEST(shell_placeholders_where_safe)
{
    const char *ok[] = {
        "cd {output_dir} && pwd",
        "{output_dir}/run.sh --shard {shard}",
        "tool --out={output_dir}/x --host={host}:22",
        "printf '%s\\n' {host} \"$DISTMPI_OUTPUT_DIR\"",
        "echo \"shard {shard} of {total}\" {output_dir}",
        "echo 'a' {host} 'b' \"c\"{host}",
        "echo \"it's\" 'a\"b' \"a\\\"b\" {host}",
        "x=$(date) {output_dir}",
        "echo \"$(echo \")\")\" {host}",
        "echo $(echo \\)) $(cd x; (pwd)) {host}",
        "echo `date` `echo \\`` {host}",
        "echo ${HOME} ${x:-a b} ${{x}} ${#x} {host}",
        "echo $((1+{slot})) $(( (2) )) {host}",
        "echo \\\\ \\' \\\" {host}",
        "echo a#b \"#\" '#' {host}",
        "[[ -d x ]] && cd {output_dir}",
        "[ -d {output_dir} ] && x= ({host}) && y=1 {host} && a+b=(1)",
        "ls log[0-9].txt [ab] {output_dir} a[1]=2 {host}; a[1 ]; echo {host}",
        "for i in 1 2; do echo {host}; done",
        "case {host} in a) echo x;; esac",
        "echo {{ {host} }} {{{{",
        "echo $$ x {host}",
        "echo \\${output_dir}",
        "(cd {output_dir}) | tr a b >{output_dir}/x 2>&1",
        "x={output_dir} y=a{host}b",
        "echo '{{host}}' \"{{output_dir}}\" # {{host}}",
        /* the numbers may stand anywhere */
        "echo '{shard}' \"{total}\" `echo {rank}` $(({slot}+1)) ${x:-{attempt}} \\{index} # "
        "{index}",
        "",
        "true",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_shell_ok(ok[i]);
}
END_TEST

START_TEST(shell_placeholders_refused)
{
    const char *bad[][2] = {
        {"cd '{output_dir}' && pwd", "inside '...' quotes"},
        {"cd \"{output_dir}\"", "inside \"...\" quotes"},
        {"echo \"a\\\"{host}\"", "inside \"...\" quotes"},
        {"echo 'it'\\''s {host}'", "inside '...' quotes"},
        {"echo \"$(echo ')')\" '{host}'", "inside '...' quotes"},
        {"echo `ls {output_dir}`", "inside `...`"},
        {"echo `\\{host}`", "inside `...`"},
        {"echo \"`{host}`\"", "inside `...`"},
        {"echo $(ls {output_dir})", "inside $(...)"},
        {"echo \"$(ls {output_dir})\"", "inside $(...)"},
        {"echo $( (ls {output_dir}) )", "inside $(...)"},
        {"echo ${x:-{output_dir}}", "inside ${...}"},
        {"echo $(( {host} ))", "inside $((...))"},
        {"(( {host} ))", "((...))"},
        {"for (({host};;)); do :; done", "((...))"},
        {"echo \\{host}", "follows a backslash"},
        {"echo ${output_dir}", "follows a $"},
        {"echo $$$output_dir", NULL}, /* not a placeholder at all: checked below */
        {"echo # {host}", "inside a comment"},
        {"echo x;#{host}", "inside a comment"},
        {"echo x&&#{host}", "inside a comment"},
        {"echo $(#) {host}", "inside a comment"},
        {"[[ {host} -eq 1 ]]", "inside [[...]]"},
        {"[[ -n x && {host} == x ]]", "inside [[...]]"},
        {"a[{host}]=1", "subscript"},
        {"a[$(echo)]{host}]=1", "subscript"},
        {"x=([{host}]=1)", "NAME=(...)"},
        {"declare -A y; y+=( [{output_dir}]=1 )", "NAME=(...)"},
        {"x=(a < {host}", "NAME=(...)"},
        {"x=({host})", "NAME=(...)"},
        {"a[~;;{host}]=1", "subscript NAME[...]"},
        {"a[1 ; echo {host} ]=1", "subscript NAME[...]"}, /* one word to bash */
        {"a[ ${X} {host} ]=1", "subscript"},
        {"a[ \"x\" ] {host}", "quote or substitution inside an array subscript"},
        {"echo $'a\\' {host} '", "$'...'"},
        {"echo \"${x:-'}'}\" {host}", "inside ${...}"},
        {"echo ${x:-${Y}} {host}", "inside ${...}"},
        {"echo $(case a in a) echo \" {host} \";; esac)", "case inside $(...)"},
        {"echo $(( ')' )) {host}", "inside ((...))"},
        {"echo $((1) ) {host}", "may not be arithmetic"},
        {"echo x\n{host}", "line break"},
        {"echo $[1+{host}]", "$[...]"},
        {"echo \"$[ \" {host} \" ]\"", "$[...]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (bad[i][1])
            assert_shell_refused(bad[i][0], bad[i][1]);
        else
            assert_shell_ok(bad[i][0]);
    }
}
END_TEST

START_TEST(shell_refusal_message)
{
    struct error err;
    ck_assert_int_eq(template_check_shell("cd '{output_dir}' && pwd", &err), -1);
    ck_assert_str_eq(err.text,
                     "{output_dir} is inside '...' quotes (column 5); write it outside "
                     "quotes and substitutions, where distmpi quotes it as one word, or "
                     "use \"$DISTMPI_OUTPUT_DIR\" instead");
    ck_assert_int_eq(template_check_shell("x \"{{\" \"{host}\"", &err), -1);
    unit_assert_prefix(err.text, "{host} is inside \"...\" quotes (column 9);");
    unit_assert_contains(err.text, "\"$DISTMPI_HOST\"");
    /* unknown placeholders first, as template_check says */
    ck_assert_int_eq(template_check_shell("'{host}' {nope}", &err), -1);
    unit_assert_contains(err.text, "unknown placeholder {nope}");
}
END_TEST

/* Values that run a command, by any reading a shell might give them. */
static const char hostile_host[] =
    "h'$(touch PWNED)\"$(touch PWNED)\"`touch PWNED`;touch PWNED;'\\";
static const char hostile_dir[] =
    "/d/My Proj $(touch PWNED)/a[$(touch PWNED)];touch PWNED;'\"\r$(touch PWNED) #";

/* A value with a line break is not put in a task line at all: one quoted
 * word still, but after a syntax error (in NAME=(...), say) bash goes on
 * reading at the next line, which would be inside the value. */
START_TEST(shell_value_with_line_break_refused)
{
    struct subst w = V;
    w.output_dir = "/d/x\ntouch PWNED\n";
    assert_expands("cd {output_dir}", &w, false, "cd /d/x\ntouch PWNED\n");
    errno = 0;
    ck_assert_ptr_null(template_expand("cd {output_dir}", &w, true));
    ck_assert_int_eq(errno, EILSEQ);
    w.host = "a\nb";
    errno = 0;
    ck_assert_ptr_null(template_expand("ssh {host} true", &w, true));
    ck_assert_int_eq(errno, EILSEQ);
    /* only where the value is used */
    assert_expands("echo {shard} {{host}}", &w, true, "echo 4 {host}");
}
END_TEST

/* Run cmd with shell (argv[0]) in dir; returns the exit status. */
static int run_in(const char *dir, const char *shell, const char *cmd)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        if (fd < 0 || chdir(dir) < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(126);
        execl(shell, shell, "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

/* Brute force against the real shells: random task lines built from the
 * pieces of shell syntax; every one the check accepts is expanded with
 * hostile values and run by /bin/sh and bash. None may create PWNED. */
START_TEST(shell_check_against_real_shells)
{
    static const char *const pieces[] = {"echo ",   " ",
                                         "'",       "\"",
                                         "\\",      "`",
                                         "$(",      "$((",
                                         "((",      "(",
                                         ")",       "))",
                                         "${",      "{{",
                                         "}}",      "}",
                                         "$",       "#",
                                         ";",       "&&",
                                         "|",       "x",
                                         "a[",      "]",
                                         "=",       "case ",
                                         " in ",    ";;",
                                         " esac",   "[[ ",
                                         " ]]",     " -eq 1",
                                         "$'",      "$[",
                                         ":",       ">",
                                         "1",       "-",
                                         "{host}",  "{output_dir}",
                                         "{host}",  "{output_dir}",
                                         "{shard}", "x=",
                                         "\t",      "a)",
                                         "+",       "eval x",
                                         "*",       "!",
                                         "\n",      "<",
                                         "~",       "x=(",
                                         "[",       "]=1"};
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/distmpi-unit-sh-XXXXXX", unit_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(dir));
    const char *shells[] = {"/bin/sh", "/bin/bash"};
    struct subst w = V;
    w.host = hostile_host;
    w.output_dir = hostile_dir;
    unsigned long long st = 1111;
    int ran = 0, tried = 0;
    char pwned[4200];
    snprintf(pwned, sizeof pwned, "%s/PWNED", dir);
    while (ran < 400 && tried < 200000) {
        tried++;
        char text[256] = "";
        size_t len = 0;
        int n = (int)unit_rand_range(&st, 1, 12), strings = 0;
        for (int k = 0; k < n; k++) {
            const char *p = pieces[unit_rand_range(&st, 0, (long)npieces - 1)];
            if (len + strlen(p) + 1 > sizeof text)
                break;
            strings += p[0] == '{' && (p[1] == 'h' || p[1] == 'o');
            memcpy(text + len, p, strlen(p) + 1);
            len += strlen(p);
        }
        /* "eval" runs what it is given: that is the line's own choice */
        if (!strings || strstr(text, "eval") || template_check_shell(text, NULL) < 0)
            continue;
        char *cmd = template_expand(text, &w, true);
        ck_assert_ptr_nonnull(cmd);
        for (size_t k = 0; k < sizeof shells / sizeof shells[0]; k++) {
            if (access(shells[k], X_OK) < 0)
                continue;
            run_in(dir, shells[k], cmd);
            ck_assert_msg(access(pwned, F_OK) < 0, "%s ran a value as code: task line '%s'",
                          shells[k], text);
        }
        free(cmd);
        ran++;
    }
    ck_assert_int_eq(ran, 400); /* enough accepted lines to mean something */
    char rm[4200];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(rm), 0);
}
END_TEST

/* The value reaches the command as one word, unchanged, through the shell. */
START_TEST(shell_value_is_one_word)
{
    const char *lines[] = {"printf '%s\\0' {output_dir} {host}",
                           "x={output_dir}; printf '%s\\0' \"$x\" {host}",
                           "printf '%s\\0' `echo` {output_dir} \"$(echo)\"{host}"};
    struct subst w = V;
    w.host = hostile_host;
    w.output_dir = hostile_dir;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char *cmd = template_expand(lines[i], &w, true);
        ck_assert_ptr_nonnull(cmd);
        FILE *f = popen(cmd, "r");
        free(cmd);
        ck_assert_ptr_nonnull(f);
        char out[1024];
        size_t n = fread(out, 1, sizeof out, f);
        ck_assert_int_eq(pclose(f), 0);
        ck_assert_uint_eq(n, sizeof hostile_dir + sizeof hostile_host);
        ck_assert_str_eq(out, hostile_dir);
        ck_assert_str_eq(out + sizeof hostile_dir, hostile_host);
    }
}
END_TEST

/* ---- --collect patterns: values match literally ---- */

START_TEST(glob_values_escaped)
{
    struct subst w = V;
    w.output_dir = "/r/a*b/[x]?\\";
    w.host = "n[1-3]";
    char *p = template_expand_glob("{output_dir}/*-{shard}.xml {host}", &w);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p, "/r/a\\*b/\\[x\\]\\?\\\\/*-4.xml n\\[1-3\\]");
    free(p);
    p = template_expand_glob("r/[ab]*{{x}}", &w); /* the pattern's own are kept */
    ck_assert_str_eq(p, "r/[ab]*{x}");
    free(p);
    errno = 0;
    ck_assert_ptr_null(template_expand_glob("{nope}", &w));
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Random values of glob characters: the escaped value matches itself, and
 * no other string. */
START_TEST(glob_values_match_only_themselves)
{
    static const char alphabet[] = "ab*?[]\\!-^/.";
    unsigned long long st = 77;
    for (int i = 0; i < 20000; i++) {
        char value[12], other[12];
        int n = (int)unit_rand_range(&st, 1, 10), m = (int)unit_rand_range(&st, 0, 10);
        for (int k = 0; k < n; k++)
            value[k] = alphabet[unit_rand_range(&st, 0, (long)sizeof alphabet - 2)];
        value[n] = '\0';
        for (int k = 0; k < m; k++)
            other[k] = alphabet[unit_rand_range(&st, 0, (long)sizeof alphabet - 2)];
        other[m] = '\0';
        struct subst w = V;
        w.host = value;
        char *p = template_expand_glob("{host}", &w);
        unit_require(p != NULL, "no pattern for '%s'", value);
        unit_require(fnmatch(p, value, FNM_PERIOD | FNM_PATHNAME) == 0,
                     "'%s' (from '%s') does not match itself", p, value);
        unit_require(strcmp(other, value) == 0 || fnmatch(p, other, FNM_PERIOD) != 0,
                     "'%s' (from '%s') matches '%s'", p, value, other);
        free(p);
    }
}
END_TEST

/* The table names every placeholder once, with its variable, in the
 * order the brief and distmpi(1) give them. */
START_TEST(table_names_and_variables)
{
    static const char *const want[PH_COUNT][2] = {
        {"shard", "DISTMPI_SHARD"},        {"index", "DISTMPI_SHARD_INDEX"},
        {"total", "DISTMPI_TOTAL_SHARDS"}, {"host", "DISTMPI_HOST"},
        {"rank", "DISTMPI_RANK"},          {"slot", "DISTMPI_SLOT"},
        {"attempt", "DISTMPI_ATTEMPT"},    {"output_dir", "DISTMPI_OUTPUT_DIR"}};
    for (int i = 0; i < PH_COUNT; i++) {
        ck_assert_str_eq(placeholders[i].name, want[i][0]);
        ck_assert_str_eq(placeholders[i].env, want[i][1]);
        /* text others choose is what a shell must get quoted */
        ck_assert_int_eq(placeholders[i].is_string, i == PH_HOST || i == PH_OUTPUT_DIR);
    }
}
END_TEST

/* What a template gets for {name} is what the child gets in its variable,
 * for every placeholder and for values at the edges. */
START_TEST(environment_matches_expansion)
{
    struct subst vs[] = {V, V, V};
    vs[1].output_dir = "/run dir/shard-0004/attempt-1";
    vs[1].host = "h'o st";
    vs[2].shard = LONG_MAX;
    vs[2].index = LONG_MIN;
    vs[2].rank = -1;
    vs[2].host = NULL; /* taken as "" */
    for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++) {
        for (int i = 0; i < PH_COUNT; i++) {
            char text[32];
            snprintf(text, sizeof text, "{%s}", placeholders[i].name);
            char *value = template_expand(text, &vs[k], false);
            char *entry = template_env_entry(&vs[k], (enum placeholder)i);
            ck_assert_ptr_nonnull(value);
            ck_assert_ptr_nonnull(entry);
            size_t n = strlen(placeholders[i].env);
            ck_assert_msg(!strncmp(entry, placeholders[i].env, n) && entry[n] == '=',
                          "entry '%s' for {%s}", entry, placeholders[i].name);
            ck_assert_str_eq(entry + n + 1, value);
            free(value);
            free(entry);
        }
    }
    char *e = template_env_entry(&V, PH_SHARD);
    ck_assert_str_eq(e, "DISTMPI_SHARD=4");
    free(e);
    errno = 0;
    ck_assert_ptr_null(template_env_entry(&V, PH_COUNT));
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* template_check's message lists the known placeholders from the table. */
START_TEST(unknown_placeholder_lists_the_table)
{
    struct error err;
    ck_assert_int_eq(template_check("{shrad}", &err), -1);
    ck_assert_str_eq(err.text,
                     "unknown placeholder {shrad} (known: {shard} {index} {total} {host} "
                     "{rank} {slot} {attempt} {output_dir}; write {{ and }} for literal "
                     "braces)");
}
END_TEST

/* The timing history's key: {shard}, {index} and {total} put in, every
 * other placeholder and {{ }} as written; in command mode a text that
 * names neither {shard} nor {index} gets the shard added. */
START_TEST(keys)
{
    struct {
        const char *text;
        bool append;
        const char *want;
    } cases[] = {
        {"npx playwright test --shard={shard}/{total}", true, "npx playwright test --shard=3/48"},
        {"run {index} of {total} on {host} in {output_dir}", true,
         "run 2 of 48 on {host} in {output_dir}"},
        {"npm test", true, "npm test [shard 3/48]"},
        {"npm test --total={total}", true, "npm test --total=48 [shard 3/48]"},
        {"npm test", false, "npm test"},
        {"echo {{shard}} {shard}}}", true, "echo {{shard}} 3}}"},
        {"{attempt} {rank} {slot}", false, "{attempt} {rank} {slot}"},
        {"", false, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *k = template_key(cases[i].text, 2, 48, cases[i].append);
        ck_assert_ptr_nonnull(k);
        ck_assert_str_eq(k, cases[i].want);
        free(k);
    }
}
END_TEST

static Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("expand");
    tcase_add_test(tc, all_placeholders);
    tcase_add_test(tc, output_dir_placeholder);
    tcase_add_test(tc, repeated_and_adjacent);
    tcase_add_test(tc, extreme_numbers);
    tcase_add_test(tc, doubled_braces_are_literal);
    tcase_add_test(tc, other_braces_left_alone);
    tcase_add_test(tc, unknown_placeholder_refused);
    tcase_add_test(tc, check_message_too_long_is_marked);
    tcase_add_test(tc, values_not_rescanned);
    tcase_add_test(tc, no_splitting_without_quoting);
    tcase_add_test(tc, task_mode_quotes_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_add_test(tc, table_names_and_variables);
    tcase_add_test(tc, environment_matches_expansion);
    tcase_add_test(tc, unknown_placeholder_lists_the_table);
    suite_add_tcase(s, tc);

    tc = tcase_create("quote");
    tcase_add_test(tc, quote_safe_values_unchanged);
    tcase_add_test(tc, quote_unsafe_values);
    tcase_add_test(tc, quote_round_trip_through_sh);
    tcase_add_test(tc, quote_random_round_trip);
    tcase_add_test(tc, task_mode_through_sh);
    suite_add_tcase(s, tc);

    tc = tcase_create("shell");
    tcase_set_timeout(tc, 120); /* runs a shell a few hundred times */
    tcase_add_test(tc, shell_placeholders_where_safe);
    tcase_add_test(tc, shell_placeholders_refused);
    tcase_add_test(tc, shell_refusal_message);
    tcase_add_test(tc, shell_check_against_real_shells);
    tcase_add_test(tc, shell_value_is_one_word);
    tcase_add_test(tc, shell_value_with_line_break_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("glob");
    tcase_add_test(tc, glob_values_escaped);
    tcase_add_test(tc, glob_values_match_only_themselves);
    tcase_add_test(tc, keys);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(template_suite());
}
