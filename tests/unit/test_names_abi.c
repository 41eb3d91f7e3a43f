// SPDX-License-Identifier: MIT
/*
 * schema/names.c against the kernel: every flag, mode, fcntl and clone
 * name fsrace decodes has the value the kernel's own headers (the
 * linux/ and asm/ ones, not libc's) give it, and the kernel-internal errnos
 * that strace prints ("= ? ERESTARTSYS") the values of include/linux/errno.h.
 * A wrong value is a wrong name in `fsrace dump`, a rule that matches
 * the wrong calls, an imported flag read as another.
 */
#include <errno.h>
#include <linux/close_range.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "names.h"

struct abi {
	const char *name;
	uint64_t value;
};

#define K(n)                                                                   \
	{                                                                      \
#n, (uint64_t)(n)                                              \
	}

static const struct abi kernel[] = {
	/* asm-generic/fcntl.h, as x86_64 uses it */
	K(O_RDONLY),
	K(O_WRONLY),
	K(O_RDWR),
	K(O_ACCMODE),
	K(O_CREAT),
	K(O_EXCL),
	K(O_NOCTTY),
	K(O_TRUNC),
	K(O_APPEND),
	K(O_NONBLOCK),
	K(O_DSYNC),
	K(FASYNC), /* the kernel's name for O_ASYNC */
	K(O_DIRECT),
	K(O_LARGEFILE),
	K(O_DIRECTORY),
	K(O_NOFOLLOW),
	K(O_NOATIME),
	K(O_CLOEXEC),
	K(O_PATH),
	K(O_SYNC),
	K(O_TMPFILE),
	K(O_NDELAY),
	K(__O_SYNC),
	K(__O_TMPFILE),
	K(F_DUPFD),
	K(F_SETFD),
	K(F_DUPFD_CLOEXEC),
	K(FD_CLOEXEC),
	/* linux/fcntl.h */
	K(AT_FDCWD),
	K(AT_SYMLINK_NOFOLLOW),
	K(AT_REMOVEDIR),
	K(AT_EACCESS),
	K(AT_SYMLINK_FOLLOW),
	K(AT_NO_AUTOMOUNT),
	K(AT_EMPTY_PATH),
	K(AT_STATX_SYNC_TYPE),
	K(AT_STATX_SYNC_AS_STAT),
	K(AT_STATX_FORCE_SYNC),
	K(AT_STATX_DONT_SYNC),
	K(AT_RECURSIVE),
	/* linux/fs.h */
	K(RENAME_NOREPLACE),
	K(RENAME_EXCHANGE),
	K(RENAME_WHITEOUT),
	K(SYNC_FILE_RANGE_WAIT_BEFORE),
	K(SYNC_FILE_RANGE_WRITE),
	K(SYNC_FILE_RANGE_WAIT_AFTER),
	/* linux/close_range.h */
	K(CLOSE_RANGE_UNSHARE),
	K(CLOSE_RANGE_CLOEXEC),
	/* unistd.h (the same in the kernel's fs.h) */
	K(F_OK),
	K(R_OK),
	K(W_OK),
	K(X_OK),
	/* linux/openat2.h */
	K(RESOLVE_NO_XDEV),
	K(RESOLVE_NO_MAGICLINKS),
	K(RESOLVE_NO_SYMLINKS),
	K(RESOLVE_BENEATH),
	K(RESOLVE_IN_ROOT),
	K(RESOLVE_CACHED),
	/* linux/sched.h */
	K(CLONE_NEWTIME),
	K(CLONE_VM),
	K(CLONE_FS),
	K(CLONE_FILES),
	K(CLONE_SIGHAND),
	K(CLONE_PIDFD),
	K(CLONE_PTRACE),
	K(CLONE_VFORK),
	K(CLONE_PARENT),
	K(CLONE_THREAD),
	K(CLONE_NEWNS),
	K(CLONE_SYSVSEM),
	K(CLONE_SETTLS),
	K(CLONE_PARENT_SETTID),
	K(CLONE_CHILD_CLEARTID),
	K(CLONE_DETACHED),
	K(CLONE_UNTRACED),
	K(CLONE_CHILD_SETTID),
	K(CLONE_NEWCGROUP),
	K(CLONE_NEWUTS),
	K(CLONE_NEWIPC),
	K(CLONE_NEWUSER),
	K(CLONE_NEWPID),
	K(CLONE_NEWNET),
	K(CLONE_IO),
	K(CLONE_CLEAR_SIGHAND),
	K(CLONE_INTO_CGROUP),
	/* sys/stat.h: the kernel's linux/stat.h leaves them to glibc */
	K(S_IFREG),
	K(S_IFDIR),
	K(S_IFLNK),
	K(S_IFIFO),
	K(S_IFSOCK),
	K(S_IFCHR),
	K(S_IFBLK),
	K(S_ISUID),
	K(S_ISGID),
	K(S_ISVTX),
	/*
	 * include/linux/errno.h (not exported to user space): the errnos
	 * the kernel uses inside and strace prints for an interrupted or
	 * failed call
	 */
	{"ERESTARTSYS", 512},
	{"ERESTARTNOINTR", 513},
	{"ERESTARTNOHAND", 514},
	{"ENOIOCTLCMD", 515},
	{"ERESTART_RESTARTBLOCK", 516},
	{"EPROBE_DEFER", 517},
	{"EOPENSTALE", 518},
	{"ENOPARAM", 519},
	{"EBADHANDLE", 521},
	{"ENOTSYNC", 522},
	{"EBADCOOKIE", 523},
	{"ENOTSUPP", 524},
	{"ETOOSMALL", 525},
	{"ESERVERFAULT", 526},
	{"EBADTYPE", 527},
	{"EJUKEBOX", 528},
	{"EIOCBQUEUED", 529},
	{"ERECALLCONFLICT", 530},
};

/* the kernel spells some names otherwise than strace prints them */
static const char *table_name(const char *kname)
{
	if (!strcmp(kname, "FASYNC"))
		return "O_ASYNC";
	return kname;
}

/* Every name above is in the table, with the kernel's value. */
static void test_kernel_values(void **state)
{
	for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) {
		const char *name = table_name(kernel[i].name);
		enum name_ns ns;
		uint64_t v;

		if (name_find(name, strlen(name), &ns, &v) != 0)
			fail_msg("%s: not in the table", name);
		if (ns == NS_DIRFD)
			v = (uint64_t)(int64_t)(int)v;
		if (v != kernel[i].value)
			fail_msg("%s is %#llx, the kernel's is %#llx", name,
				 (unsigned long long)v,
				 (unsigned long long)kernel[i].value);
	}
}

/* And the rows of the table themselves: each named one of them checked. */
static void test_rows_checked(void **state)
{
	size_t n, checked = 0;
	const struct kernel_name *t = names_table(&n);

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < sizeof(kernel) / sizeof(kernel[0]);
		     j++) {
			if (strcmp(t[i].name, table_name(kernel[j].name)))
				continue;
			checked++;
			if (t[i].ns == NS_DIRFD)
				assert_int_equal((int)t[i].value,
						 (int)kernel[j].value);
			else if (t[i].value != kernel[j].value)
				fail_msg("row %s: %#llx, the kernel's %#llx",
					 t[i].name,
					 (unsigned long long)t[i].value,
					 (unsigned long long)kernel[j].value);
		}
	}
	assert_int_equal(checked, sizeof(kernel) / sizeof(kernel[0]));
}

/* What a user sees of them: flags named as the kernel's bits. */
static void cat(const char *name, void *ud)
{
	char *buf = ud;

	if (*buf)
		strcat(buf, "|");
	strcat(buf, name);
}

static const char *each(enum flagset set, uint64_t v)
{
	static char buf[1024];

	buf[0] = '\0';
	flags_each(set, v, cat, buf);
	return buf;
}

static void test_each_flag_named(void **state)
{
	assert_string_equal(each(FLAGS_RESOLVE, RESOLVE_NO_MAGICLINKS),
			    "RESOLVE_NO_MAGICLINKS");
	assert_string_equal(each(FLAGS_RESOLVE,
				 RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
					 RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
					 RESOLVE_IN_ROOT | RESOLVE_CACHED),
			    "RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|"
			    "RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH|"
			    "RESOLVE_IN_ROOT|RESOLVE_CACHED");
	assert_string_equal(
		each(FLAGS_SYNC_FILE_RANGE, SYNC_FILE_RANGE_WAIT_BEFORE |
						    SYNC_FILE_RANGE_WRITE |
						    SYNC_FILE_RANGE_WAIT_AFTER),
		"SYNC_FILE_RANGE_WAIT_BEFORE|"
		"SYNC_FILE_RANGE_WRITE|"
		"SYNC_FILE_RANGE_WAIT_AFTER");
	assert_string_equal(each(FLAGS_CLOSE_RANGE,
				 CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC),
			    "CLOSE_RANGE_UNSHARE|CLOSE_RANGE_CLOEXEC");
	assert_string_equal(each(FLAGS_RENAME, RENAME_NOREPLACE |
						       RENAME_EXCHANGE |
						       RENAME_WHITEOUT),
			    "RENAME_NOREPLACE|RENAME_EXCHANGE|RENAME_WHITEOUT");
	assert_string_equal(
		each(FLAGS_AT, AT_SYMLINK_NOFOLLOW | AT_REMOVEDIR |
				       AT_SYMLINK_FOLLOW | AT_NO_AUTOMOUNT |
				       AT_EMPTY_PATH | AT_RECURSIVE),
		"AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|"
		"AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE");
	assert_string_equal(
		each(FLAGS_OPEN, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY |
					 O_TRUNC | O_APPEND | O_NONBLOCK |
					 FASYNC | O_DIRECT | O_LARGEFILE |
					 O_DIRECTORY | O_NOFOLLOW | O_NOATIME |
					 O_CLOEXEC | O_PATH),
		"O_WRONLY|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|"
		"O_NONBLOCK|O_ASYNC|O_DIRECT|O_LARGEFILE|O_DIRECTORY|"
		"O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_values),
		cmocka_unit_test(test_rows_checked),
		cmocka_unit_test(test_each_flag_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
