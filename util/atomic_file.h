/* SPDX-License-Identifier: MIT */
/*
 * Output files that never clobber what they point at.
 *
 * After systemd's write_string_file_atomic_at() and git's lockfile:
 *
 *  - "-" is standard output (a duplicate of fd 1, never closed);
 *  - a symbolic link is followed to its final target (the link stays);
 *  - a regular file, existing or not, is written to a temporary beside it
 *    (".NAME.XXXXXX" in the same directory) and renamed over it on commit,
 *    with the existing file's mode or 0666 & ~umask; the temporary is
 *    removed on every error, on discard, and when SIGINT, SIGTERM or
 *    SIGHUP kills the process while it exists;
 *  - anything else (a character device, a FIFO, /dev/stdout,
 *    /proc/self/fd/N) is opened and written in place: never truncated,
 *    never renamed over, never removed.
 *
 * ATOMIC_FILE_STREAM writes a regular file in place instead (created or
 * truncated), for a trace that others read while it grows and that must
 * survive its writer being killed; on discard or a failed commit a file
 * the open created is removed, one that existed is truncated.
 */
#ifndef FSRACE_ATOMIC_FILE_H
#define FSRACE_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

enum {
	ATOMIC_FILE_STREAM = 1 << 0,
};

struct atomic_file {
	int fd;		/* where to write; owned */
	char *path;	/* as given, for messages; owned */
	char *target;	/* the name replaced or written; owned */
	char *tmp;	/* the temporary, NULL when in place; owned */
	FILE *fp;	/* from atomic_file_fp(), on a dup of fd; owned */
	unsigned flags; /* ATOMIC_FILE_* */
	mode_t mode;	/* given to the temporary on commit */
	bool created;	/* STREAM: the open created the target */
	dev_t dev;	/* STREAM: identity of what was created */
	ino_t ino;
	int slot; /* signal registry slot of tmp, or -1 */
};

/*
 * Whether atomic_file_open(PATH, FLAGS) can succeed, without touching
 * anything: the target's directory exists and is writable (a new or a
 * replaced regular file), or the target itself is writable (written in
 * place). A FIFO is not opened, so this never blocks. Returns 0 or
 * -errno; -EISDIR for a directory.
 */
int atomic_file_check(const char *path, unsigned flags);

/*
 * Open PATH for writing as described above, into *F (which the caller
 * owns and passes to exactly one of atomic_file_commit() or
 * atomic_file_discard()). Returns 0 or -errno; on error nothing is
 * created and *F needs no release (-EMFILE: more than 16 temporaries
 * would be live at once). Opening a FIFO blocks until it has a reader, as
 * a shell redirection does.
 */
int atomic_file_open(struct atomic_file *f, const char *path, unsigned flags);

/*
 * A stdio stream on F (created on first call, on a duplicate of F->fd),
 * or NULL with errno set. Owned by F: flushed and closed by commit or
 * discard, never by the caller.
 */
FILE *atomic_file_fp(struct atomic_file *f);

/* True when F is written in place (not through a temporary). */
bool atomic_file_in_place(const struct atomic_file *f);

/*
 * Flush, close and put the file in place: rename the temporary over the
 * target (refused with -EEXIST if the target has meanwhile become
 * something other than a regular file). Returns 0, or the first error as
 * -errno (a write error of the stream, ENOSPC, EIO…), in which case
 * nothing half-written is left under the target's name. Releases F
 * either way.
 */
int atomic_file_commit(struct atomic_file *f);

/* Close F and remove what it wrote, as on an error. Releases F. */
void atomic_file_discard(struct atomic_file *f);

#endif
