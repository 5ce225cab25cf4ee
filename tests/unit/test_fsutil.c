/* SPDX-License-Identifier: BSD-3-Clause */
/* test_fsutil.c - unit tests of careful file creation (fsutil.h): what
 * distmpi names below a directory is never reached through a symbolic
 * link, what the user named is, and nothing a link points to changes. */
#include "config.h"

#include "common/fsutil.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "unit.h"

/* fsync, which this program's definition replaces (for fsutil's calls
 * too): with fail_dir_sync set, fsync of a directory fails with EIO, and
 * dir_syncs counts the directories synced. */
static int fail_dir_sync, dir_syncs;

int fsync(int fd)
{
    static int (*real)(int);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "fsync");
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        dir_syncs++;
        if (fail_dir_sync) {
            errno = EIO;
            return -1;
        }
    }
    return real(fd);
}

#define REFUSED "is a symbolic link; distmpi will not follow it"

static char dir[64];

/* A fresh directory for one test (removed after it), and chdir into it so
 * that relative paths work too. */
static const char *scratch(void)
{
    snprintf(dir, sizeof dir, "/tmp/distmpi-fsutil.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chdir(dir), 0);
    return dir;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* The contents of path (static buffer), or "" when it cannot be read. */
static const char *get(const char *path)
{
    static char buf[256];
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static int is_dir(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

START_TEST(open_dirs_creates_and_follows_the_users_links)
{
    scratch();
    struct error err = {""};
    int fd = fs_open_dirs("a/b", "shard-1/attempt-1", &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert(is_dir("a/b/shard-1/attempt-1"));
    /* a link the user made in BASE is followed, also as its last component */
    ck_assert_int_eq(mkdir("real", 0777), 0);
    ck_assert_int_eq(symlink("real", "mine"), 0);
    fd = fs_open_dirs("mine", "shard-2", &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert(is_dir("real/shard-2"));
    fd = fs_open_dirs("mine/x", NULL, &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert(is_dir("real/x"));
    /* absolute paths, "//" and a trailing slash */
    char abs[4096];
    ck_assert_ptr_nonnull(getcwd(abs, sizeof abs - 16));
    strcat(abs, "//c/");
    fd = fs_open_dirs(abs, "d", &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert(is_dir("c/d"));
}
END_TEST

START_TEST(open_dirs_refuses_links_in_what_distmpi_names)
{
    scratch();
    struct error err = {""};
    ck_assert_int_eq(mkdir("outside", 0777), 0);
    ck_assert_int_eq(mkdir("run", 0777), 0);
    ck_assert_int_eq(symlink("../outside", "run/shard-1"), 0);
    errno = 0;
    ck_assert_int_eq(fs_open_dirs("run", "shard-1/attempt-1", &err), -1);
    ck_assert_int_eq(errno, ELOOP);
    ck_assert_str_eq(err.text, "run/shard-1 " REFUSED);
    ck_assert(!exists("outside/attempt-1"));
    /* a dangling link: its target is not created */
    ck_assert_int_eq(symlink("../outside/new", "run/shard-2"), 0);
    ck_assert_int_eq(fs_open_dirs("run/", "shard-2", &err), -1);
    ck_assert_str_eq(err.text, "run/shard-2 " REFUSED);
    ck_assert(!exists("outside/new"));
    /* ... nor when it is a component of BASE that does not exist */
    ck_assert_int_eq(symlink("outside/base", "dangling"), 0);
    ck_assert_int_eq(fs_open_dirs("dangling/run", "shard-1", &err), -1);
    unit_assert_contains(err.text, "dangling is a symbolic link to nothing");
    ck_assert(!exists("outside/base"));
    /* a file where a directory goes */
    put("run/shard-3", "x");
    errno = 0;
    ck_assert_int_eq(fs_open_dirs("run", "shard-3/attempt-1", &err), -1);
    ck_assert_int_eq(errno, ENOTDIR);
    ck_assert_str_eq(err.text, "run/shard-3 is not a directory");
    /* no way up out of BASE */
    errno = 0;
    ck_assert_int_eq(fs_open_dirs("run", "../outside", &err), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(open_dirs_refuses_another_users_link_in_a_sticky_directory)
{
    struct passwd *nobody = getpwnam("nobody");
    if (geteuid() != 0 || !nobody)
        return; /* needs root, to make a link that is another user's */
    scratch();
    struct error err = {""};
    ck_assert_int_eq(mkdir("shared", 0777), 0);
    ck_assert_int_eq(chmod("shared", 01777), 0);
    ck_assert_int_eq(mkdir("target", 0777), 0);
    ck_assert_int_eq(symlink("../target", "shared/run"), 0);
    ck_assert_int_eq(lchown("shared/run", nobody->pw_uid, nobody->pw_gid), 0);
    errno = 0;
    ck_assert_int_eq(fs_open_dirs("shared/run", "shard-1", &err), -1);
    ck_assert_int_eq(errno, ELOOP);
    unit_assert_contains(err.text, "shared/run is a symbolic link another user made");
    ck_assert(!exists("target/shard-1"));
    /* the directory's owner's (root's here) is followed */
    ck_assert_int_eq(lchown("shared/run", 0, 0), 0);
    int fd = fs_open_dirs("shared/run", "shard-1", &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert(is_dir("target/shard-1"));
    /* not sticky: followed whoever made it */
    ck_assert_int_eq(chmod("shared", 0777), 0);
    ck_assert_int_eq(lchown("shared/run", nobody->pw_uid, nobody->pw_gid), 0);
    fd = fs_open_dirs("shared/run", "shard-2", &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
}
END_TEST

/* A directory that may be searched but not read (0711, another user's) is
 * walked through, as mkdir -p would. */
START_TEST(open_dirs_walks_through_a_directory_it_may_not_read)
{
    struct passwd *nobody = getpwnam("nobody");
    if (geteuid() != 0 || !nobody)
        return; /* needs root, to be another user */
    const char *top = scratch();
    ck_assert_int_eq(chmod(top, 0711), 0);
    ck_assert_int_eq(mkdir("locked", 0711), 0);
    ck_assert_int_eq(mkdir("locked/open", 0777), 0);
    ck_assert_int_eq(chmod("locked/open", 0777), 0);
    char base[128];
    snprintf(base, sizeof base, "%s/locked/open", top);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct error err;
        if (setgid(nobody->pw_gid) < 0 || setuid(nobody->pw_uid) < 0)
            _exit(2);
        int fd = fs_open_dirs(base, "shard-1", &err);
        if (fd < 0)
            fprintf(stderr, "%s\n", err.text);
        if (fd >= 0)
            close(fd);
        _exit(fd >= 0 ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(status, 0);
    ck_assert(is_dir("locked/open/shard-1"));
}
END_TEST

START_TEST(fresh_dir_empties_without_following)
{
    scratch();
    struct error err = {""};
    ck_assert_int_eq(mkdir("outside", 0777), 0);
    put("outside/keep", "precious");
    put("victim", "precious");
    ck_assert_int_eq(fs_fresh_dir(NULL, "run", "shard-1/attempt-1", &err), 0);
    ck_assert_int_eq(mkdir("run/shard-1/attempt-1/sub", 0777), 0);
    ck_assert_int_eq(mkdir("run/shard-1/attempt-1/sub/deeper", 0777), 0);
    put("run/shard-1/attempt-1/sub/deeper/f", "x");
    put("run/shard-1/attempt-1/top", "x");
    ck_assert_int_eq(symlink("../../../../outside", "run/shard-1/attempt-1/sub/dirlink"), 0);
    ck_assert_int_eq(symlink("../../../victim", "run/shard-1/attempt-1/filelink"), 0);
    ck_assert_int_eq(mkfifo("run/shard-1/attempt-1/fifo", 0666), 0);
    ck_assert_int_eq(fs_fresh_dir(NULL, "run", "shard-1/attempt-1", &err), 0);
    ck_assert(is_dir("run/shard-1/attempt-1"));
    ck_assert(!exists("run/shard-1/attempt-1/sub"));
    ck_assert(!exists("run/shard-1/attempt-1/top"));
    ck_assert(!exists("run/shard-1/attempt-1/filelink"));
    ck_assert(!exists("run/shard-1/attempt-1/fifo"));
    ck_assert_str_eq(get("outside/keep"), "precious");
    ck_assert_str_eq(get("victim"), "precious");
    /* a link at the directory itself: refused, its target kept */
    ck_assert_int_eq(symlink("../../outside", "run/shard-1/attempt-2"), 0);
    ck_assert_int_eq(fs_fresh_dir(NULL, "run", "shard-1/attempt-2", &err), -1);
    ck_assert_str_eq(err.text, "run/shard-1/attempt-2 " REFUSED);
    ck_assert_str_eq(get("outside/keep"), "precious");
    /* a link at the shard's directory, which is made before it is opened:
     * refused, and nothing made where it points */
    ck_assert_int_eq(symlink("../outside", "run/shard-9"), 0);
    ck_assert_int_eq(fs_fresh_dir(NULL, "run", "shard-9/attempt-1", &err), -1);
    ck_assert_str_eq(err.text, "run/shard-9 " REFUSED);
    ck_assert(!exists("outside/attempt-1"));
    /* a file where the attempt's directory goes: not replaced */
    ck_assert_int_eq(fs_fresh_dir(NULL, "run", "shard-1/attempt-3/", &err), 0);
    ck_assert(is_dir("run/shard-1/attempt-3"));
    put("run/shard-1/attempt-4", "x");
    ck_assert_int_eq(fs_fresh_dir(NULL, "run", "shard-1/attempt-4", &err), -1);
    ck_assert_str_eq(err.text, "run/shard-1/attempt-4 is not a directory");
    ck_assert_str_eq(get("run/shard-1/attempt-4"), "x");
}
END_TEST

START_TEST(create_never_writes_through_a_link)
{
    scratch();
    struct error err = {""};
    put("victim", "precious");
    int fd = fs_create(NULL, "logs", "shard-1/attempt-1.log", FS_REPLACE, &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    ck_assert_int_eq(write(fd, "one", 3), 3);
    close(fd);
    ck_assert_str_eq(get("logs/shard-1/attempt-1.log"), "one");
    /* replaced by a new file: a hard link to the old one keeps its contents */
    ck_assert_int_eq(link("logs/shard-1/attempt-1.log", "backup"), 0);
    fd = fs_create(NULL, "logs", "shard-1/attempt-1.log", FS_REPLACE, &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    ck_assert_int_eq(write(fd, "two", 3), 3);
    close(fd);
    ck_assert_str_eq(get("logs/shard-1/attempt-1.log"), "two");
    ck_assert_str_eq(get("backup"), "one");
    /* a symbolic link is refused, even with FS_REPLACE */
    ck_assert_int_eq(symlink("../../victim", "logs/shard-1/attempt-2.log"), 0);
    errno = 0;
    ck_assert_int_eq(fs_create(NULL, "logs", "shard-1/attempt-2.log", FS_REPLACE, &err), -1);
    ck_assert_int_eq(errno, ELOOP);
    ck_assert_str_eq(err.text, "logs/shard-1/attempt-2.log " REFUSED);
    ck_assert_str_eq(get("victim"), "precious");
    /* without FS_REPLACE a file there is not touched */
    errno = 0;
    ck_assert_int_eq(fs_create(NULL, "logs", "shard-1/attempt-1.log", FS_SYNC_DIR, &err), -1);
    ck_assert_int_eq(errno, EEXIST);
    ck_assert_str_eq(err.text, "logs/shard-1/attempt-1.log exists already");
    ck_assert_str_eq(get("logs/shard-1/attempt-1.log"), "two");
    /* a FIFO is refused, not opened (which would wait for a reader) */
    ck_assert_int_eq(mkfifo("logs/shard-1/attempt-3.log", 0666), 0);
    ck_assert_int_eq(fs_create(NULL, "logs", "shard-1/attempt-3.log", FS_REPLACE, &err), -1);
    ck_assert_str_eq(err.text,
                     "logs/shard-1/attempt-3.log is not a regular file; distmpi will not "
                     "replace it");
    /* a file in BASE itself, and in the working directory */
    fd = fs_create(NULL, "logs", "journal.jsonl", FS_SYNC_DIR, &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    fd = fs_create(NULL, "", "here.jsonl", FS_SYNC_DIR, &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert(exists("here.jsonl"));
    ck_assert_int_eq(symlink("victim", "there.jsonl"), 0);
    ck_assert_int_eq(fs_create(NULL, "", "there.jsonl", 0, &err), -1);
    ck_assert_str_eq(err.text, "there.jsonl " REFUSED);
}
END_TEST

/* With base_fd, BASE is walked once: a link swapped in for it afterwards
 * does not redirect what follows, and a BASE removed meanwhile is made
 * again. */
START_TEST(base_walked_once)
{
    scratch();
    struct error err = {""};
    int base_fd = -1;
    ck_assert_int_eq(fs_fresh_dir(&base_fd, "run", "shard-1/attempt-1", &err), 0);
    ck_assert_int_ge(base_fd, 0);
    int kept = base_fd;
    int fd = fs_create(&base_fd, "run", "shard-1/attempt-1.log", FS_REPLACE, &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert_int_eq(base_fd, kept);
    /* run moved away and a link to elsewhere put in its place */
    ck_assert_int_eq(mkdir("elsewhere", 0777), 0);
    ck_assert_int_eq(rename("run", "moved"), 0);
    ck_assert_int_eq(symlink("elsewhere", "run"), 0);
    ck_assert_int_eq(fs_fresh_dir(&base_fd, "run", "shard-2/attempt-1", &err), 0);
    ck_assert(is_dir("moved/shard-2/attempt-1"));
    ck_assert(!exists("elsewhere/shard-2"));
    /* removed: made again where the path now leads */
    ck_assert_int_eq(unlink("run"), 0);
    ck_assert_int_eq(system("rm -rf moved"), 0);
    fd = fs_create(&base_fd, "run", "shard-3/attempt-1.log", FS_REPLACE, &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert(exists("run/shard-3/attempt-1.log"));
    close(base_fd);
}
END_TEST

static int write_text(FILE *f, void *arg)
{
    return fputs(arg, f) < 0 ? -1 : 0;
}

static int write_fails(FILE *f, void *arg)
{
    (void)f;
    (void)arg;
    errno = ENOSPC;
    return -1;
}

START_TEST(write_atomic_refuses_a_link)
{
    scratch();
    struct error err = {""};
    put("victim", "precious");
    ck_assert_int_eq(fs_write_atomic("report.json", write_text, "one", &err), 0);
    ck_assert_str_eq(get("report.json"), "one");
    ck_assert_int_eq(fs_write_atomic("report.json", write_text, "two", &err), 0);
    ck_assert_str_eq(get("report.json"), "two");
    ck_assert_int_eq(symlink("victim", "link.json"), 0);
    errno = 0;
    ck_assert_int_eq(fs_write_atomic("link.json", write_text, "x", &err), -1);
    ck_assert_int_eq(errno, ELOOP);
    ck_assert_str_eq(err.text, "link.json " REFUSED);
    ck_assert_str_eq(get("victim"), "precious");
    struct stat st;
    ck_assert_int_eq(lstat("link.json", &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    /* a failed write leaves the old report and no temporary file */
    ck_assert_int_eq(fs_write_atomic("report.json", write_fails, NULL, &err), -1);
    ck_assert_str_eq(err.text, "report.json: No space left on device");
    ck_assert_str_eq(get("report.json"), "two");
    ck_assert_int_eq(fs_write_atomic("no-such-dir/r.json", write_text, "x", &err), -1);
    ck_assert_str_eq(err.text, "no-such-dir/r.json: No such file or directory");
    int n = 0;
    FILE *ls = popen("ls -A", "r");
    char line[256];
    while (ls && fgets(line, sizeof line, ls))
        n++;
    ck_assert_int_eq(pclose(ls), 0);
    ck_assert_int_eq(n, 3); /* victim, report.json, link.json */
}
END_TEST

/* fs_dir_holds_only: nothing, or nothing but the one name; never through
 * a link; a file or a missing name is not an empty directory. */
START_TEST(dir_holds_only)
{
    scratch();
    int at = open(".", O_PATH | O_DIRECTORY);
    ck_assert_int_ge(at, 0);
    ck_assert_int_eq(mkdir("s", 0777), 0);
    ck_assert_int_eq(fs_dir_holds_only(at, "s", NULL), 1);
    ck_assert_int_eq(fs_dir_holds_only(at, "s", "attempt-1"), 1);
    ck_assert_int_eq(mkdir("s/attempt-1", 0777), 0);
    ck_assert_int_eq(fs_dir_holds_only(at, "s", NULL), 0);
    ck_assert_int_eq(fs_dir_holds_only(at, "s", "attempt-1"), 1);
    ck_assert_int_eq(fs_dir_holds_only(at, "s/attempt-1", NULL), 1);
    int sfd = openat(at, "s", O_PATH | O_DIRECTORY); /* as runner.c looks: "." of it */
    ck_assert_int_ge(sfd, 0);
    ck_assert_int_eq(fs_dir_holds_only(sfd, ".", "attempt-1"), 1);
    ck_assert_int_eq(fs_dir_holds_only(sfd, "attempt-1", NULL), 1);
    put("s/attempt-1/.hidden", "x");
    ck_assert_int_eq(fs_dir_holds_only(at, "s/attempt-1", NULL), 0);
    put("s/attempt-1.log", "");
    ck_assert_int_eq(fs_dir_holds_only(at, "s", "attempt-1"), 0);
    ck_assert_int_eq(fs_dir_holds_only(sfd, ".", "attempt-1"), 0);
    close(sfd);
    ck_assert_int_eq(mkdir("e", 0777), 0);
    ck_assert_int_eq(symlink("e", "link"), 0);
    ck_assert_int_eq(fs_dir_holds_only(at, "link", NULL), 0);
    ck_assert_int_eq(fs_dir_holds_only(at, "s/attempt-1.log", NULL), 0);
    ck_assert_int_eq(fs_dir_holds_only(at, "missing", NULL), 0);
    /* many entries: more than one read of the listing */
    for (int i = 0; i < 300; i++) {
        char name[64];
        snprintf(name, sizeof name, "e/a-rather-long-name-to-fill-the-buffer-%d", i);
        put(name, "");
    }
    ck_assert_int_eq(fs_dir_holds_only(at, "e", "attempt-1"), 0);
    close(at);
}
END_TEST

/* After each test (in its process): the scratch directory goes. */
static void remove_scratch(void)
{
    if (!dir[0] || chdir("/") < 0)
        return;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* The journal's directory is synced once it holds the journal, a report's
 * once the report is renamed into it; when that fails, so does the call. */
START_TEST(directories_synced)
{
    scratch();
    struct error err = {""};
    dir_syncs = 0;
    int fd = fs_create(NULL, "run", "journal.jsonl", FS_SYNC_DIR, &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert_int_eq(dir_syncs, 1);
    ck_assert_int_eq(fs_write_atomic("report.json", write_text, "one", &err), 0);
    ck_assert_int_eq(dir_syncs, 2);
    fd = fs_create(NULL, "run", "shard-1/attempt-1.log", FS_REPLACE, &err);
    ck_assert_msg(fd >= 0, "%s", err.text);
    close(fd);
    ck_assert_int_eq(dir_syncs, 2); /* a log is not worth a sync of its directory */
    fail_dir_sync = 1;
    ck_assert_int_eq(fs_create(NULL, "run", "journal-2.jsonl", FS_SYNC_DIR, &err), -1);
    ck_assert_str_eq(err.text, "run/journal-2.jsonl: Input/output error");
    ck_assert(!exists("run/journal-2.jsonl"));
    ck_assert_int_eq(fs_write_atomic("report.json", write_text, "two", &err), -1);
    ck_assert_str_eq(err.text, "report.json: Input/output error");
    fail_dir_sync = 0;
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fsutil");
    TCase *tc = tcase_create("fsutil");
    tcase_add_test(tc, open_dirs_creates_and_follows_the_users_links);
    tcase_add_test(tc, open_dirs_refuses_links_in_what_distmpi_names);
    tcase_add_test(tc, open_dirs_refuses_another_users_link_in_a_sticky_directory);
    tcase_add_test(tc, open_dirs_walks_through_a_directory_it_may_not_read);
    tcase_add_test(tc, fresh_dir_empties_without_following);
    tcase_add_test(tc, create_never_writes_through_a_link);
    tcase_add_test(tc, write_atomic_refuses_a_link);
    tcase_add_test(tc, directories_synced);
    tcase_add_test(tc, base_walked_once);
    tcase_add_test(tc, dir_holds_only);
    tcase_add_checked_fixture(tc, NULL, remove_scratch);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
