// SPDX-License-Identifier: MIT
/* util/atomic_file: the cases a command line cannot reach. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "atomic_file.h"

static char dir[] = "/tmp/fsrace-atomic-XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static const char *at(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* The names in the scratch dir, sorted, joined by spaces. */
static const char *entries(void)
{
	static char out[1024];
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort);

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..")) {
			if (out[0])
				strcat(out, " ");
			strcat(out, v[i]->d_name);
		}
		free(v[i]);
	}
	free(v);
	return out;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static const char *get(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_commit_and_discard(void **state)
{
	struct atomic_file f;

	assert_int_equal(atomic_file_open(&f, at("a"), 0), 0);
	assert_false(atomic_file_in_place(&f));
	assert_int_equal(write(f.fd, "one\n", 4), 4);
	/* nothing under the name until the commit */
	assert_null(get(at("a")));
	assert_int_equal(atomic_file_commit(&f), 0);
	assert_string_equal(get(at("a")), "one\n");
	assert_int_equal(atomic_file_open(&f, at("a"), 0), 0);
	fputs("two\n", atomic_file_fp(&f));
	atomic_file_discard(&f);
	assert_string_equal(get(at("a")), "one\n");
	assert_string_equal(entries(), "a");
	unlink(at("a"));
}

/* A target that became something else meanwhile is not renamed over. */
static void test_never_renames_over_a_fifo(void **state)
{
	struct atomic_file f;
	struct stat st;

	assert_int_equal(atomic_file_open(&f, at("p"), 0), 0);
	assert_int_equal(mkfifo(at("p"), 0600), 0);
	assert_int_equal(atomic_file_commit(&f), -EEXIST);
	assert_int_equal(lstat(at("p"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_string_equal(entries(), "p");
	unlink(at("p"));
}

static void test_symlink_loop(void **state)
{
	struct atomic_file f;

	assert_int_equal(symlink("l2", at("l1")), 0);
	assert_int_equal(symlink("l1", at("l2")), 0);
	assert_int_equal(atomic_file_check(at("l1"), 0), -ELOOP);
	assert_int_equal(atomic_file_open(&f, at("l1"), 0), -ELOOP);
	assert_string_equal(entries(), "l1 l2");
	unlink(at("l1"));
	unlink(at("l2"));
}

/* 40 links, as the kernel follows (MAXSYMLINKS), then ELOOP: l0 -> l1
 * -> ... -> lN -> t. */
static void test_symlink_chain_limit(void **state)
{
	char name[16], next[16];
	struct atomic_file f;

	for (int n = 40; n <= 41; n++) {
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "l%d", i);
			snprintf(next, sizeof(next), "l%d", i + 1);
			if (i == n - 1)
				snprintf(next, sizeof(next), "t");
			assert_int_equal(symlink(next, at(name)), 0);
		}
		if (n == 40) {
			assert_int_equal(atomic_file_open(&f, at("l0"), 0), 0);
			fputs("x\n", atomic_file_fp(&f));
			assert_int_equal(atomic_file_commit(&f), 0);
			assert_string_equal(get(at("t")), "x\n");
			unlink(at("t"));
		} else {
			assert_int_equal(atomic_file_check(at("l0"), 0),
					 -ELOOP);
		}
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "l%d", i);
			unlink(at(name));
		}
	}
	assert_string_equal(entries(), "");
}

static void test_checks(void **state)
{
	assert_int_equal(atomic_file_check("-", 0), 0);
	assert_int_equal(atomic_file_check("", 0), -ENOENT);
	assert_int_equal(atomic_file_check(dir, 0), -EISDIR);
	assert_int_equal(atomic_file_check(at("no/x"), 0), -ENOENT);
	put(at("f"), "x");
	assert_int_equal(atomic_file_check(at("f/x"), 0), -ENOTDIR);
	assert_int_equal(atomic_file_check(at("f"), 0), 0);
	assert_int_equal(atomic_file_check(at("new"), ATOMIC_FILE_STREAM), 0);
	unlink(at("f"));
	assert_string_equal(entries(), "");
}

/* A stream is written in place; undone, a file it created goes, one that
 * existed is emptied. */
static void test_stream(void **state)
{
	struct atomic_file f;
	struct stat st;

	assert_int_equal(atomic_file_open(&f, at("s"), ATOMIC_FILE_STREAM), 0);
	assert_true(atomic_file_in_place(&f));
	assert_int_equal(write(f.fd, "live\n", 5), 5);
	assert_string_equal(get(at("s")), "live\n");
	atomic_file_discard(&f);
	assert_string_equal(entries(), "");
	put(at("s"), "previous content\n");
	assert_int_equal(atomic_file_open(&f, at("s"), ATOMIC_FILE_STREAM), 0);
	assert_string_equal(get(at("s")), "");
	assert_int_equal(write(f.fd, "x\n", 2), 2);
	atomic_file_discard(&f);
	assert_int_equal(stat(at("s"), &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(atomic_file_open(&f, at("s"), ATOMIC_FILE_STREAM), 0);
	assert_int_equal(write(f.fd, "kept\n", 5), 5);
	assert_int_equal(atomic_file_commit(&f), 0);
	assert_string_equal(get(at("s")), "kept\n");
	unlink(at("s"));
}

/* The error paths: each with the -errno the caller reports, and nothing
 * left on disk. */

/* How many entries the scratch dir holds. */
static int nentries(void)
{
	char cmd[160];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void test_open_refuses(void **state)
{
	struct atomic_file f;

	assert_int_equal(atomic_file_open(&f, "", 0), -ENOENT);
	assert_int_equal(f.fd, -1);
	assert_int_equal(atomic_file_open(&f, dir, 0), -EISDIR);
	assert_int_equal(atomic_file_open(&f, dir, ATOMIC_FILE_STREAM),
			 -EISDIR);
	/* the temporary goes beside the target, in a directory that is not
	 * there */
	assert_int_equal(atomic_file_open(&f, at("nodir/x"), 0), -ENOENT);
	assert_int_equal(
		atomic_file_open(&f, at("nodir/x"), ATOMIC_FILE_STREAM),
		-ENOENT);
	assert_int_equal(nentries(), 0);
}

/* A target name that fits PATH_MAX, but not its temporary's. */
static void test_temporary_name_too_long(void **state)
{
	char path[PATH_MAX];
	struct atomic_file f;
	size_t n = strlen(dir);

	memcpy(path, dir, n);
	while (n < PATH_MAX - 4) {
		size_t k = PATH_MAX - 4 - n > 200 ? 200 : PATH_MAX - 4 - n;

		path[n++] = '/';
		memset(path + n, 'a', k - 1);
		n += k - 1;
	}
	path[n] = '\0';
	assert_true(strlen(path) < PATH_MAX);
	assert_int_equal(atomic_file_check(path, 0), -ENOENT);
	assert_int_equal(atomic_file_open(&f, path, 0), -ENAMETOOLONG);
	assert_int_equal(nentries(), 0);
}

/* A socket's name cannot be opened for writing: told before any work. */
static void test_socket_is_refused(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(s >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("sock"));
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(atomic_file_check(at("sock"), 0), -ENXIO);
	assert_int_equal(atomic_file_check(at("sock"), ATOMIC_FILE_STREAM),
			 -ENXIO);
	close(s);
	unlink(at("sock"));
}

/* In the root directory the temporary goes in "/", not "". */
static void test_target_in_root(void **state)
{
	int want = access("/", W_OK | X_OK) == 0 ? 0 : -EACCES;

	assert_int_equal(atomic_file_check("/fsrace-no-such-file-here", 0),
			 want);
}

/* Sixteen temporaries at once; a seventeenth is refused, and once one
 * is gone there is room again. */
static void test_too_many_temporaries(void **state)
{
	struct atomic_file f[17];
	char name[32];

	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		assert_int_equal(atomic_file_open(&f[i], at(name), 0), 0);
	}
	assert_int_equal(nentries(), 16);
	assert_int_equal(atomic_file_open(&f[16], at("t16"), 0), -EMFILE);
	assert_int_equal(nentries(), 16);
	atomic_file_discard(&f[3]);
	assert_int_equal(atomic_file_open(&f[16], at("t16"), 0), 0);
	assert_int_equal(atomic_file_commit(&f[16]), 0);
	for (int i = 0; i < 16; i++)
		if (i != 3)
			atomic_file_discard(&f[i]);
	assert_int_equal(nentries(), 1);
	unlink(at("t16"));
}

/* The temporary removed behind its back: the commit fails with the
 * rename's error and leaves nothing. */
static void test_commit_rename_fails(void **state)
{
	struct atomic_file f;

	assert_int_equal(atomic_file_open(&f, at("r"), 0), 0);
	assert_int_equal(write(f.fd, "x", 1), 1);
	assert_int_equal(unlink(f.tmp), 0);
	assert_int_equal(atomic_file_commit(&f), -ENOENT);
	assert_int_equal(nentries(), 0);
}

/* A write error of the stdio stream is the commit's error, and the
 * temporary goes. */
static void test_commit_reports_stream_error(void **state)
{
	struct atomic_file f;
	FILE *fp;
	int ro;

	assert_int_equal(atomic_file_open(&f, at("w"), 0), 0);
	fp = atomic_file_fp(&f);
	assert_non_null(fp);
	assert_ptr_equal(atomic_file_fp(&f), fp);
	/* a stream whose descriptor is read-only fails its flush */
	ro = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_true(ro >= 0);
	assert_int_equal(dup3(ro, fileno(fp), O_CLOEXEC), fileno(fp));
	close(ro);
	fputs("lost", fp);
	assert_int_equal(atomic_file_commit(&f), -EBADF);
	assert_int_equal(nentries(), 0);
}

/* A stream onto a file that another name replaced meanwhile: the undo
 * leaves the new file alone. */
static void test_stream_undo_spares_a_replaced_file(void **state)
{
	struct atomic_file f;
	struct stat st;
	FILE *fp;

	assert_int_equal(atomic_file_open(&f, at("s"), ATOMIC_FILE_STREAM), 0);
	assert_int_equal(write(f.fd, "mine", 4), 4);
	assert_int_equal(rename(at("s"), at("s.old")), 0);
	fp = fopen(at("s"), "w");
	assert_non_null(fp);
	fputs("theirs", fp);
	assert_int_equal(fclose(fp), 0);
	atomic_file_discard(&f);
	assert_int_equal(stat(at("s"), &st), 0);
	assert_int_equal(st.st_size, 6);
	unlink(at("s"));
	unlink(at("s.old"));
	assert_int_equal(nentries(), 0);
}

/*
 * Out of file descriptors while following a symbolic link: whether it is
 * a /proc magic link cannot be told, so it is not taken for one, and the
 * name it leads to is checked: a link to a name that does not exist yet,
 * in a writable directory, can be written.
 */
static void test_check_link_without_fds(void **state)
{
	struct rlimit old, low;
	int fds[256], n = 0, r;

	assert_int_equal(symlink("new", at("l")), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (n < 256 && (fds[n] = fcntl(2, F_DUPFD_CLOEXEC, 0)) >= 0)
		n++;
	r = atomic_file_check(at("l"), 0);
	while (n)
		close(fds[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(r, 0);
	/* and with descriptors to spare, the same */
	assert_int_equal(atomic_file_check(at("l"), 0), 0);
	unlink(at("l"));
	assert_string_equal(entries(), "");
}

/*
 * With standard input closed, the stream opened in place is fd 0: a file
 * like any other, written and kept, whatever errno said before.
 */
static void test_stream_on_fd_zero(void **state)
{
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
	struct atomic_file f;
	int r;

	assert_true(saved >= 0);
	put(at("z"), "old\n");
	close(0);
	errno = ENOENT;
	r = atomic_file_open(&f, at("z"), ATOMIC_FILE_STREAM);
	if (r == 0) {
		assert_int_equal(f.fd, 0);
		assert_int_equal(write(f.fd, "new\n", 4), 4);
		r = atomic_file_commit(&f);
	}
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(r, 0);
	assert_string_equal(get(at("z")), "new\n");
	unlink(at("z"));
}

/*
 * /proc/self/fd/N and /dev/fd/N are our own fd N: written through it, at
 * its offset, never truncated, never replaced; a commit or a discard
 * leaves it open and the file as written.
 */
static void test_own_fd_link(void **state)
{
	static const char *const forms[] = {"/proc/self/fd/", "/dev/fd/"};
	struct atomic_file f;
	char name[64];
	int fd;

	for (size_t i = 0; i < 2; i++) {
		fd = open(at("o"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "ab", 2), 2);
		snprintf(name, sizeof(name), "%s%d", forms[i], fd);
		assert_int_equal(atomic_file_check(name, 0), 0);
		assert_int_equal(atomic_file_open(&f, name, 0), 0);
		assert_true(atomic_file_in_place(&f));
		assert_int_not_equal(f.fd, fd);
		assert_int_equal(write(f.fd, "cd", 2), 2);
		assert_int_equal(atomic_file_commit(&f), 0);
		assert_string_equal(get(at("o")), "abcd");
		assert_int_equal(atomic_file_open(&f, name, ATOMIC_FILE_STREAM),
				 0);
		assert_int_equal(write(f.fd, "e", 1), 1);
		atomic_file_discard(&f);
		assert_string_equal(get(at("o")), "abcde");
		/* FD is still open, at the end */
		assert_int_equal(write(fd, "f", 1), 1);
		close(fd);
		assert_string_equal(get(at("o")), "abcdef");
		assert_string_equal(entries(), "o");
		unlink(at("o"));
	}
}

/* Written through the stdio stream and committed: 0, and what was
 * written is there, after what went through the fd. */
static void test_commit_through_stream(void **state)
{
	struct atomic_file f;
	FILE *fp;

	assert_int_equal(atomic_file_open(&f, at("p"), 0), 0);
	assert_int_equal(write(f.fd, "fd\n", 3), 3);
	fp = atomic_file_fp(&f);
	assert_non_null(fp);
	assert_true(fprintf(fp, "stdio %d\n", 1) > 0);
	errno = EIO;
	assert_int_equal(atomic_file_commit(&f), 0);
	assert_string_equal(get(at("p")), "fd\nstdio 1\n");
	unlink(at("p"));
}

/* A file replaced keeps its permission bits (set-gid and sticky too);
 * a new one gets 0666 less the umask. */
static void test_replaced_file_keeps_mode(void **state)
{
	struct atomic_file f;
	struct stat st;
	mode_t old = umask(022);

	put(at("m"), "x");
	assert_int_equal(chmod(at("m"), 02640), 0);
	assert_int_equal(atomic_file_open(&f, at("m"), 0), 0);
	assert_int_equal(atomic_file_commit(&f), 0);
	assert_int_equal(stat(at("m"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 02640);
	unlink(at("m"));
	assert_int_equal(atomic_file_open(&f, at("m"), 0), 0);
	assert_int_equal(atomic_file_commit(&f), 0);
	assert_int_equal(stat(at("m"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	umask(old);
	unlink(at("m"));
}

/* What errno said before a check is not its answer: every kind of name
 * that can be written checks 0 with a stale errno. */
static void test_check_ignores_stale_errno(void **state)
{
	char own[64];
	int fd = open(at("own"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	put(at("reg"), "x");
	snprintf(own, sizeof(own), "/proc/self/fd/%d", fd);
	errno = EIO;
	assert_int_equal(atomic_file_check(at("fifo"), 0), 0);
	errno = EIO;
	assert_int_equal(atomic_file_check(at("reg"), ATOMIC_FILE_STREAM), 0);
	errno = EIO;
	assert_int_equal(atomic_file_check(at("reg"), 0), 0);
	errno = EIO;
	assert_int_equal(atomic_file_check(at("new"), 0), 0);
	errno = EIO;
	assert_int_equal(atomic_file_check(own, 0), 0);
	close(fd);
	unlink(at("own"));
	unlink(at("fifo"));
	unlink(at("reg"));
	assert_string_equal(entries(), "");
}

/*
 * With standard input closed, fd 0 is what the next open gets: a
 * temporary created as fd 0 is renamed into place, and /proc/self/fd/N
 * is still found to be a magic link (its O_PATH open being fd 0) and
 * written at N's offset.
 */
static void test_fd_zero_temporary_and_link(void **state)
{
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
	struct atomic_file f;
	char name[64];
	int r1, r2 = -1, fd0 = -1, in_place = 0, fd;

	assert_true(saved >= 0);
	fd = open(at("o"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "ab", 2), 2);
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	close(0);
	r1 = atomic_file_open(&f, at("t"), 0);
	if (r1 == 0) {
		fd0 = f.fd;
		assert_int_equal(write(f.fd, "t\n", 2), 2);
		r1 = atomic_file_commit(&f);
	}
	if (fcntl(0, F_GETFD) < 0) {
		r2 = atomic_file_open(&f, name, 0);
		if (r2 == 0) {
			in_place = atomic_file_in_place(&f);
			assert_int_equal(write(f.fd, "cd", 2), 2);
			r2 = atomic_file_commit(&f);
		}
	}
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	close(fd);
	assert_int_equal(r1, 0);
	assert_int_equal(fd0, 0);
	assert_string_equal(get(at("t")), "t\n");
	assert_int_equal(r2, 0);
	assert_true(in_place);
	assert_string_equal(get(at("o")), "abcd");
	unlink(at("t"));
	unlink(at("o"));
	assert_string_equal(entries(), "");
}

/* /proc/self/fd/0 is fd 0 itself, like any other N. */
static void test_own_fd_zero(void **state)
{
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
	struct atomic_file f;
	int fd, r;

	assert_true(saved >= 0);
	fd = open(at("z0"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "ab", 2), 2);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	r = atomic_file_open(&f, "/proc/self/fd/0", 0);
	if (r == 0) {
		assert_int_equal(write(f.fd, "cd", 2), 2);
		r = atomic_file_commit(&f);
	}
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(r, 0);
	assert_string_equal(get(at("z0")), "abcd");
	unlink(at("z0"));
}

/* With standard input closed: a temporary or a new stream as fd 0 is
 * closed and removed by a discard like any other. */
static void test_fd_zero_discarded(void **state)
{
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
	struct atomic_file f;
	int r1, r2, fd1 = -1, fd2 = -1, open1, open2;
	char names1[256], names2[256];

	assert_true(saved >= 0);
	close(0);
	r1 = atomic_file_open(&f, at("d1"), 0);
	if (r1 == 0) {
		fd1 = f.fd;
		atomic_file_discard(&f);
	}
	open1 = fcntl(0, F_GETFD) >= 0;
	snprintf(names1, sizeof(names1), "%s", entries());
	if (open1)
		close(0);
	r2 = atomic_file_open(&f, at("d2"), ATOMIC_FILE_STREAM);
	if (r2 == 0) {
		fd2 = f.fd;
		atomic_file_discard(&f);
	}
	open2 = fcntl(0, F_GETFD) >= 0;
	snprintf(names2, sizeof(names2), "%s", entries());
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(r1, 0);
	assert_int_equal(fd1, 0);
	assert_false(open1);
	assert_string_equal(names1, "");
	assert_int_equal(r2, 0);
	assert_int_equal(fd2, 0);
	assert_false(open2);
	assert_string_equal(names2, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_and_discard),
		cmocka_unit_test(test_never_renames_over_a_fifo),
		cmocka_unit_test(test_symlink_loop),
		cmocka_unit_test(test_symlink_chain_limit),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_open_refuses),
		cmocka_unit_test(test_temporary_name_too_long),
		cmocka_unit_test(test_socket_is_refused),
		cmocka_unit_test(test_target_in_root),
		cmocka_unit_test(test_too_many_temporaries),
		cmocka_unit_test(test_commit_rename_fails),
		cmocka_unit_test(test_commit_reports_stream_error),
		cmocka_unit_test(test_stream_undo_spares_a_replaced_file),
		cmocka_unit_test(test_check_link_without_fds),
		cmocka_unit_test(test_stream_on_fd_zero),
		cmocka_unit_test(test_own_fd_link),
		cmocka_unit_test(test_commit_through_stream),
		cmocka_unit_test(test_replaced_file_keeps_mode),
		cmocka_unit_test(test_check_ignores_stale_errno),
		cmocka_unit_test(test_fd_zero_temporary_and_link),
		cmocka_unit_test(test_own_fd_zero),
		cmocka_unit_test(test_fd_zero_discarded),
	};

	return cmocka_run_group_tests_name("atomic_file", tests, setup,
					   teardown);
}
