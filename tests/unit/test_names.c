// SPDX-License-Identifier: MIT
/* schema/names.c: one table of kernel names, looked up both ways. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hashmap.h"
#include "names.h"
#include "syscalls.h"

/* Every name once, found as itself; every value of a single-valued
 * namespace named once. */
static void test_table_consistent(void **state)
{
	size_t n;
	const struct kernel_name *t = names_table(&n);

	assert_true(n > 200);
	for (size_t i = 0; i < n; i++) {
		enum name_ns ns;
		uint64_t v;

		for (size_t j = 0; j < i; j++)
			if (!strcmp(t[i].name, t[j].name))
				fail_msg("%s twice", t[i].name);
		assert_int_equal(
			name_find(t[i].name, strlen(t[i].name), &ns, &v), 0);
		assert_int_equal(ns, t[i].ns);
		assert_true(v == t[i].value);
		if (t[i].alias || ns < NS_FD)
			continue;
		for (size_t j = 0; j < i; j++)
			if (t[j].ns == t[i].ns && t[j].value == t[i].value &&
			    !t[j].alias)
				fail_msg("%s and %s", t[i].name, t[j].name);
		assert_string_equal(name_of(ns, v), t[i].name);
	}
	assert_int_equal(
		name_find("O_CREATX", 7, &(enum name_ns){0}, &(uint64_t){0}),
		0); /* a prefix of the buffer */
	assert_int_equal(
		name_find("O_CREA", 6, &(enum name_ns){0}, &(uint64_t){0}),
		-ENOENT);
}

/* The names glibc gives, as fsrace wrote them before the table. */
static void test_errno_and_signals(void **state)
{
	char old[24];

	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (!n) {
			assert_null(errno_name(e));
			continue;
		}
		assert_string_equal(errno_name(e), n);
		assert_int_equal(errno_parse(n), e);
	}
	assert_null(errno_name(0));
	assert_null(errno_name(-2));
	assert_int_equal(errno_parse("EWOULDBLOCK"), EAGAIN);
	assert_int_equal(errno_parse("ENOTSUP"), EOPNOTSUPP);
	assert_int_equal(errno_parse("ERESTARTSYS"), 512);
	assert_null(errno_name(512)); /* written as a number */
	assert_int_equal(errno_parse("SIGKILL"), -EINVAL);
	assert_int_equal(errno_parse("0"), -EINVAL);
	for (int s = 1; s < NSIG; s++) {
		const char *a = sigabbrev_np(s);

		if (a)
			snprintf(old, sizeof(old), "SIG%s", a);
		else
			snprintf(old, sizeof(old), "SIGRT_%d", s - 32);
		assert_string_equal(signal_name(s), old);
		assert_int_equal(signal_parse(old), s);
	}
	assert_null(signal_name(0));
	assert_null(signal_name(65));
	assert_int_equal(signal_parse("SIGRTMIN"), 32);
	assert_int_equal(signal_parse("SIGIO"), SIGIO);
	assert_int_equal(signal_parse("SIGIOT"), SIGABRT);
	assert_int_equal(signal_parse("ENOENT"), -EINVAL);
	assert_int_equal(signal_parse("KILL"), -EINVAL);
	assert_string_equal(fcntl_cmd_name(1030), "F_DUPFD_CLOEXEC");
	assert_int_equal(fcntl_cmd_parse("F_SETFD"), 2);
	assert_null(fcntl_cmd_name(3));
	assert_string_equal(name_of(NS_DIRFD, (uint64_t)(int64_t)-100),
			    "AT_FDCWD");
}

static void cat(const char *name, void *ud)
{
	char *buf = ud;

	if (*buf)
		strcat(buf, "|");
	strcat(buf, name);
}

static const char *each(enum flagset set, uint64_t v)
{
	static char buf[512];

	buf[0] = '\0';
	flags_each(set, v, cat, buf);
	return buf;
}

static void test_flags(void **state)
{
	uint64_t b;

	assert_string_equal(each(FLAGS_OPEN, 0), "O_RDONLY");
	assert_string_equal(each(FLAGS_OPEN, 01101),
			    "O_WRONLY|O_CREAT|O_TRUNC");
	assert_string_equal(each(FLAGS_OPEN, 04010002), "O_RDWR|O_SYNC");
	assert_string_equal(each(FLAGS_OPEN, 010000), "O_RDONLY|O_DSYNC");
	assert_string_equal(each(FLAGS_OPEN, 020200002), "O_RDWR|O_TMPFILE");
	assert_string_equal(each(FLAGS_OPEN, 040000000003),
			    "O_ACCMODE|0x100000000");
	assert_string_equal(each(FLAGS_DUP3, 02004000), "O_CLOEXEC|0x800");
	assert_string_equal(each(FLAGS_AT, 0x1200),
			    "AT_REMOVEDIR|AT_EMPTY_PATH");
	assert_string_equal(each(FLAGS_FACCESSAT, 0x300),
			    "AT_SYMLINK_NOFOLLOW|AT_EACCESS");
	assert_string_equal(each(FLAGS_ACCESS, 0), "F_OK");
	assert_string_equal(each(FLAGS_ACCESS, 6), "R_OK|W_OK");
	assert_string_equal(each(FLAGS_ACCESS, 8), "0x8");
	assert_string_equal(each(FLAGS_RENAME, 1), "RENAME_NOREPLACE");
	assert_string_equal(each(FLAGS_NONE, 5), "0x5");
	assert_string_equal(each(FLAGS_NONE, 0), "");

	assert_int_equal(flags_parse(FLAGS_OPEN, "O_NOFOLLOW", &b), 0);
	assert_true(b == 0400000);
	assert_int_equal(flags_parse(FLAGS_OPEN, "O_NDELAY", &b), 0);
	assert_true(b == 04000);
	assert_int_equal(flags_parse(FLAGS_OPEN, "0x10", &b), 0);
	assert_true(b == 0x10);
	/* the same bits, another namespace or another view */
	assert_int_equal(flags_parse(FLAGS_OPEN, "AT_SYMLINK_NOFOLLOW", &b),
			 -EINVAL);
	assert_int_equal(flags_parse(FLAGS_DUP3, "O_NONBLOCK", &b), -EINVAL);
	assert_int_equal(flags_parse(FLAGS_AT, "AT_EACCESS", &b), -EINVAL);
	assert_int_equal(flags_parse(FLAGS_FACCESSAT, "AT_EACCESS", &b), 0);
	assert_int_equal(flags_parse(FLAGS_OPEN, "0x", &b), -EINVAL);
	assert_int_equal(flagset_ns(FLAGS_FACCESSAT), NS_AT);
	assert_string_equal(name_ns_what(NS_OPEN), "an open flag");
}

/*
 * The flag names each syscall's "flags" take, by the kind of its flags
 * argument (the kernel's: open(2), openat2(2) open_how, dup3(2),
 * close_range(2), the AT_ calls, faccessat2(2), renameat2(2),
 * sync_file_range(2); creat(2)'s are implied O_ flags); every other
 * row takes none. And a syscall is found by its exact name only.
 */
static void test_syscall_flagsets(void **state)
{
	static const struct {
		const char *name;
		enum flagset set;
	} rows[] = {
		{"open", FLAGS_OPEN},
		{"openat", FLAGS_OPEN},
		{"openat2", FLAGS_OPEN},
		{"creat", FLAGS_OPEN},
		{"dup3", FLAGS_DUP3},
		{"close_range", FLAGS_CLOSE_RANGE},
		{"newfstatat", FLAGS_AT},
		{"statx", FLAGS_AT},
		{"linkat", FLAGS_AT},
		{"unlinkat", FLAGS_AT},
		{"fchmodat2", FLAGS_AT},
		{"fchownat", FLAGS_AT},
		{"utimensat", FLAGS_AT},
		{"execveat", FLAGS_AT},
		{"faccessat2", FLAGS_FACCESSAT},
		{"renameat2", FLAGS_RENAME},
		{"sync_file_range", FLAGS_SYNC_FILE_RANGE},
	};
	unsigned named = 0;

	for (unsigned i = 0; i < syscall_table_size; i++) {
		const struct syscall_desc *sc = &syscall_table[i];
		enum flagset want = FLAGS_NONE;

		for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
			if (!strcmp(rows[k].name, sc->name)) {
				want = rows[k].set;
				named++;
			}
		if (syscall_flagset(sc) != want)
			fail_msg("%s: flag set %d, not %d", sc->name,
				 syscall_flagset(sc), want);
		assert_ptr_equal(syscall_by_name(sc->name), sc);
		assert_int_equal(syscall_index(sc), i);
	}
	assert_int_equal(named, sizeof(rows) / sizeof(rows[0]));
	assert_ptr_equal(syscall_by_name_len("openat2", 4),
			 syscall_by_name("open"));
	assert_ptr_equal(syscall_by_name_len("openat2", 6),
			 syscall_by_name("openat"));
	assert_null(syscall_by_name_len("open", 3));
	assert_null(syscall_by_name_len("openat", 5));
	assert_null(syscall_by_name("opena"));
	assert_null(syscall_by_name(""));
	assert_null(syscall_by_name("OPEN"));
	/* the same FNV-1a hash and length as "symlink", not the same name */
	assert_int_equal(hash_str("fbfrmjz"), hash_str("symlink"));
	assert_null(syscall_by_name("fbfrmjz"));
	assert_non_null(syscall_by_name("symlink"));
	/* what a set's names are, and what is none */
	assert_int_equal(flagset_ns(FLAGS_NONE), NS_COUNT);
	assert_int_equal(flagset_ns(FLAGS_DUP3), NS_OPEN);
	assert_int_equal(flagset_ns(FLAGS_RESOLVE), NS_RESOLVE);
	assert_int_equal(flagset_ns(FLAGS_COUNT), NS_COUNT);
	assert_string_equal(name_ns_what(NS_FCNTL), "an fcntl command");
	assert_string_equal(name_ns_what(NS_ERRNO), "an errno name");
	assert_string_equal(name_ns_what(NS_COUNT), "a name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_errno_and_signals),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_syscall_flagsets),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
