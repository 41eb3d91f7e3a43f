// SPDX-License-Identifier: MIT
#include "syscalls.h"

#include <pthread.h>
#include <string.h>

#include "hashmap.h"

#define ROW(n, c, e, f, ...)                                                   \
	{                                                                      \
		.name = #n, .classes = (c), .effect = (e), .flags = (f),       \
		.args = {                                                      \
			__VA_ARGS__                                            \
		}                                                              \
	}

/*
 * clone, clone3, fork and vfork are stopped on only to learn the flags the
 * child is created with; they produce fork events, not syscall records.
 */
const struct syscall_desc syscall_table[] = {
	ROW(open, SC_USE | SC_CREATE, E_OPEN, 0, A_PATH, A_OFLAGS, A_MODE),
	ROW(openat, SC_USE | SC_CREATE, E_OPEN, 0, A_DIRFD, A_PATH, A_OFLAGS,
	    A_MODE),
	ROW(openat2, SC_USE | SC_CREATE, E_OPEN, 0, A_DIRFD, A_PATH, A_OPENHOW),
	ROW(creat, SC_USE | SC_CREATE, E_OPEN, SCF_IMPLIED_OFLAGS, A_PATH,
	    A_MODE),
	ROW(close, SC_FD, E_CLOSE, SCF_NO_EXIT, A_FD),
	ROW(close_range, SC_FD, E_CLOSE_RANGE, SCF_NO_EXIT, A_FD, A_FDLAST,
	    A_CRFLAGS),
	ROW(dup, SC_FD, E_DUP, 0, A_FD),
	ROW(dup2, SC_FD, E_DUP2, 0, A_FD, A_FD2),
	ROW(dup3, SC_FD, E_DUP2, 0, A_FD, A_FD2, A_DUPFLAGS),
	ROW(fcntl, SC_FD, E_FCNTL, 0, A_FD, A_FCNTL_CMD, A_FCNTL_ARG),
	ROW(stat, SC_CHECK, E_NONE, SCF_STAT_RESULT, A_PATH, A_STATBUF),
	ROW(lstat, SC_CHECK, E_NONE, SCF_STAT_RESULT | SCF_NOFOLLOW, A_PATH,
	    A_STATBUF),
	ROW(fstat, SC_CHECK, E_NONE, SCF_STAT_RESULT, A_FD, A_STATBUF),
	ROW(newfstatat, SC_CHECK, E_NONE, SCF_STAT_RESULT, A_DIRFD, A_PATH,
	    A_STATBUF, A_ATFLAGS),
	ROW(statx, SC_CHECK, E_NONE, SCF_STAT_RESULT, A_DIRFD, A_PATH,
	    A_ATFLAGS, A_NONE, A_STATXBUF),
	ROW(access, SC_CHECK, E_NONE, 0, A_PATH, A_ACCESS),
	ROW(faccessat, SC_CHECK, E_NONE, 0, A_DIRFD, A_PATH, A_ACCESS),
	ROW(faccessat2, SC_CHECK, E_NONE, 0, A_DIRFD, A_PATH, A_ACCESS,
	    A_FACCFLAGS),
	ROW(readlink, SC_CHECK, E_NONE, 0, A_PATH, A_LINKBUF),
	ROW(readlinkat, SC_CHECK, E_NONE, 0, A_DIRFD, A_PATH, A_LINKBUF),
	ROW(rename, SC_CREATE | SC_REMOVE, E_CHANGE_DIR,
	    SCF_DEST2 | SCF_REMOVES, A_PATH, A_PATH2),
	ROW(renameat, SC_CREATE | SC_REMOVE, E_CHANGE_DIR,
	    SCF_DEST2 | SCF_REMOVES, A_DIRFD, A_PATH, A_DIRFD2, A_PATH2),
	ROW(renameat2, SC_CREATE | SC_REMOVE, E_CHANGE_DIR,
	    SCF_DEST2 | SCF_REMOVES, A_DIRFD, A_PATH, A_DIRFD2, A_PATH2,
	    A_RENFLAGS),
	ROW(link, SC_CREATE, E_NONE, SCF_DEST2, A_PATH, A_PATH2),
	ROW(linkat, SC_CREATE, E_NONE, SCF_DEST2, A_DIRFD, A_PATH, A_DIRFD2,
	    A_PATH2, A_ATFLAGS),
	ROW(symlink, SC_CREATE, E_NONE, SCF_CREATES, A_TARGET, A_PATH),
	ROW(symlinkat, SC_CREATE, E_NONE, SCF_CREATES, A_TARGET, A_DIRFD,
	    A_PATH),
	ROW(unlink, SC_REMOVE, E_NONE, SCF_REMOVES, A_PATH),
	ROW(unlinkat, SC_REMOVE, E_CHANGE_DIR, SCF_REMOVES, A_DIRFD, A_PATH,
	    A_ATFLAGS),
	ROW(mkdir, SC_CREATE, E_CHANGE_DIR, SCF_CREATES, A_PATH, A_MODE),
	ROW(mkdirat, SC_CREATE, E_CHANGE_DIR, SCF_CREATES, A_DIRFD, A_PATH,
	    A_MODE),
	ROW(rmdir, SC_REMOVE, E_CHANGE_DIR, SCF_REMOVES, A_PATH),
	ROW(mknod, SC_CREATE, E_NONE, SCF_CREATES, A_PATH, A_MODE),
	ROW(mknodat, SC_CREATE, E_NONE, SCF_CREATES, A_DIRFD, A_PATH, A_MODE),
	ROW(chmod, SC_META, E_CHANGE_DIR, 0, A_PATH, A_MODE),
	ROW(fchmod, SC_META, E_CHANGE_DIR, 0, A_FD, A_MODE),
	ROW(fchmodat, SC_META, E_CHANGE_DIR, 0, A_DIRFD, A_PATH, A_MODE),
	ROW(fchmodat2, SC_META, E_CHANGE_DIR, 0, A_DIRFD, A_PATH, A_MODE,
	    A_ATFLAGS),
	ROW(chown, SC_META, E_CHANGE_DIR, 0, A_PATH, A_UID, A_GID),
	ROW(fchown, SC_META, E_CHANGE_DIR, 0, A_FD, A_UID, A_GID),
	ROW(lchown, SC_META, E_CHANGE_DIR, SCF_NOFOLLOW, A_PATH, A_UID, A_GID),
	ROW(fchownat, SC_META, E_CHANGE_DIR, 0, A_DIRFD, A_PATH, A_UID, A_GID,
	    A_ATFLAGS),
	ROW(truncate, SC_DATA, E_NONE, 0, A_PATH, A_LENGTH),
	ROW(ftruncate, SC_DATA, E_NONE, 0, A_FD, A_LENGTH),
	ROW(utime, SC_META, E_NONE, 0, A_PATH),
	ROW(utimes, SC_META, E_NONE, 0, A_PATH),
	ROW(utimensat, SC_META, E_NONE, 0, A_DIRFD, A_PATH, A_NONE, A_ATFLAGS),
	ROW(futimesat, SC_META, E_NONE, 0, A_DIRFD, A_PATH),
	ROW(setxattr, SC_META, E_NONE, 0, A_PATH, A_XATTR),
	ROW(lsetxattr, SC_META, E_NONE, SCF_NOFOLLOW, A_PATH, A_XATTR),
	ROW(fsetxattr, SC_META, E_NONE, 0, A_FD, A_XATTR),
	ROW(removexattr, SC_META, E_NONE, 0, A_PATH, A_XATTR),
	ROW(lremovexattr, SC_META, E_NONE, SCF_NOFOLLOW, A_PATH, A_XATTR),
	ROW(fremovexattr, SC_META, E_NONE, 0, A_FD, A_XATTR),
	ROW(chdir, SC_PROCESS, E_CHDIR, 0, A_PATH),
	ROW(fchdir, SC_PROCESS, E_FCHDIR, 0, A_FD),
	ROW(chroot, SC_PROCESS, E_CHROOT, 0, A_PATH),
	ROW(execve, SC_USE | SC_PROCESS, E_EXEC, 0, A_PATH, A_ARGV),
	ROW(execveat, SC_USE | SC_PROCESS, E_EXEC, 0, A_DIRFD, A_PATH, A_ARGV,
	    A_NONE, A_ATFLAGS),
	ROW(fsync, SC_SYNC, E_NONE, 0, A_FD),
	ROW(fdatasync, SC_SYNC, E_NONE, 0, A_FD),
	ROW(syncfs, SC_SYNC, E_NONE, 0, A_FD),
	ROW(sync, SC_SYNC, E_NONE, SCF_NO_EXIT, A_NONE),
	ROW(sync_file_range, SC_SYNC, E_NONE, 0, A_FD, A_NONE, A_NONE,
	    A_SFRFLAGS),
	ROW(copy_file_range, SC_DATA, E_NONE, 0, A_FD, A_NONE, A_FD2),
	/* sendfile(out_fd, in_fd, …): fd is the output, fd2 the input */
	ROW(sendfile, SC_DATA, E_NONE, 0, A_FD, A_FD2),
	ROW(clone, SC_PROCESS, E_CLONE, SCF_NO_EXIT, A_CLONEFLAGS),
	ROW(clone3, SC_PROCESS, E_CLONE, SCF_NO_EXIT, A_CLONEARGS),
	ROW(fork, SC_PROCESS, E_CLONE, SCF_NO_EXIT, A_NONE),
	ROW(vfork, SC_PROCESS, E_CLONE, SCF_NO_EXIT, A_NONE),
};

_Static_assert(sizeof(syscall_table) / sizeof(syscall_table[0]) <= SYSCALL_MAX,
	       "syscall sets and the engine's tables hold SYSCALL_MAX rows");

const unsigned syscall_table_size =
	sizeof(syscall_table) / sizeof(syscall_table[0]);

/* The rows by name: built once, read-only after, safe from any thread. */
static struct hashmap by_name;
static struct hashmap_entry by_name_ent[SYSCALL_MAX];
static uint8_t name_len[SYSCALL_MAX];
static pthread_once_t by_name_once = PTHREAD_ONCE_INIT;

struct name_key {
	const char *s;
	size_t n;
};

static bool row_is(const struct hashmap_entry *e, const void *key)
{
	const struct name_key *k = key;
	unsigned i = (unsigned)(e - by_name_ent);

	return name_len[i] == k->n &&
	       !memcmp(syscall_table[i].name, k->s, k->n);
}

static void by_name_build(void)
{
	hashmap_init(&by_name, row_is, syscall_table_size);
	for (unsigned i = 0; i < syscall_table_size; i++) {
		name_len[i] = (uint8_t)strlen(syscall_table[i].name);
		hashmap_put(&by_name, &by_name_ent[i],
			    hash_str(syscall_table[i].name));
	}
}

const struct syscall_desc *syscall_by_name_len(const char *name, size_t len)
{
	struct name_key k = {name, len};
	struct hashmap_entry *e;

	pthread_once(&by_name_once, by_name_build);
	e = hashmap_get(&by_name, hash_bytes(name, len), &k);
	return e ? &syscall_table[e - by_name_ent] : NULL;
}

const struct syscall_desc *syscall_by_name(const char *name)
{
	return syscall_by_name_len(name, strlen(name));
}
