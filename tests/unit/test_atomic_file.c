// SPDX-License-Identifier: MIT
/* util/atomic_file: the cases a command line cannot reach. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	static char buf[4][256];
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_and_discard),
		cmocka_unit_test(test_never_renames_over_a_fifo),
		cmocka_unit_test(test_symlink_loop),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests_name("atomic_file", tests, setup,
					   teardown);
}
