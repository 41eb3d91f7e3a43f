/* SPDX-License-Identifier: MIT */
/*
 * The strace importer: reads the text strace writes (6.x as Debian 12
 * ships it, and the 4.x/5.x forms where they differ) and gives the same
 * events the live tracer gives for the same system calls, so that the
 * analyzers find the same races in a log as in a live run.
 * docs/strace-import.md lists what each strace option gives and what a
 * log cannot carry.
 *
 * What the reader accepts, line by line:
 *  - a pid prefix ("1234 " with -f -o, "[pid 1234] " on stderr) or none;
 *    one of several files named PREFIX.PID (strace -ff) gives that pid
 *    to its lines; see docs/strace-import.md for unprefixed logs;
 *  - a timestamp of -t, -tt, -ttt or -r, or none, and -T durations;
 *  - "name(args) = ret", "<unfinished ...>" and "<... name resumed>"
 *    pairs (per pid), "+++ exited with N +++", "+++ killed by SIG +++",
 *    "+++ superseded by execve in pid N +++", signal lines ("--- ... ---")
 *    and strace's own messages ("strace: Process N attached"), which
 *    give no event;
 *  - -y/-yy fd decorations, -v stat structures, -X raw/abbrev/verbose
 *    numbers and names, -s truncated strings, C string escapes.
 *
 * Events, as the live tracer makes them (docs/trace-format.md):
 *  - one EV_SYSCALL per completed call of a syscall in syscall_table[];
 *    other syscalls are counted (strace_reader_unknown()) and dropped, as
 *    is a call that never returned ("= ?", a process killed in it). An
 *    <unfinished ...> call is one event, made when it finishes: its
 *    source_line is the line of "<... resumed>", ts_enter the time of
 *    the first line. close, close_range and sync are made at their first
 *    line without a result, as the live tracer does;
 *  - EV_FORK for a successful fork, vfork, clone or clone3 (the kind and
 *    what is shared come from the flags), before any event of the child;
 *  - EV_EXIT for "+++ exited" and "+++ killed" lines.
 * Every event has source_file (the path as given to strace_reader_open)
 * and source_line; seq counts 1, 2, 3 in the order events are returned.
 *
 * Paths are resolved by the process model the live tracer uses too
 * (model/proc.h): against the cwd, root and fd tables it keeps per
 * process (chdir, fchdir, chroot, open, dup*, fcntl(F_DUPFD*, F_SETFD),
 * close, close_range, close-on-exec at execve; fork copies them,
 * CLONE_FILES/CLONE_FS share them). A -y decoration of the call at hand
 * is the model's backend: it fills in what the model does not know: the
 * path of an fd opened
 * before the log starts, the cwd ("AT_FDCWD</home/u>"), the fd an open
 * of an unresolvable path returned. What neither gives is left unknown
 * (abspath, fd_path, dirfd_path NULL), never guessed. A string strace
 * cut short (-s, '"abc"...') keeps what strace printed followed by
 * "..." (path, xattr, argv); a cut path's abspath is NULL, and a cut
 * readlink target is left out.
 *
 * Timestamps are ns since the epoch: -ttt is exact; -t and -tt carry no
 * date, which is taken from the day (local time) of the file's mtime,
 * the day before when the first line's time of day is later than the
 * mtime's (the trace ran over midnight), and moved on a day each time
 * the time of day goes back by more than 12 hours; -r times add up from
 * 0 (1 January 1970). Without timestamps every ts is 0. ts_exit is
 * ts_enter plus the -T duration, else the time of the line where the
 * call finished.
 *
 * Several files (strace -ff -o PREFIX, or any logs of one run) are
 * merged by time; lines of equal time go in file order, a process that
 * has been forked (or the first) before one whose fork is still to come.
 */
#ifndef FSRACE_STRACE_H
#define FSRACE_STRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/* The longest line the reader accepts; a longer one is unparsable. */
#define STRACE_MAX_LINE (16u << 20)
/* Past this much of one line the log is not a log (/dev/zero): an
 * error, the bound the native reader has (TRACE_READER_MAX_LINE). */
#define STRACE_MAX_GARBAGE (256u << 20)

struct strace_reader;

/*
 * Open the strace logs PATHS[0..NPATHS-1] (one log, or the files of one
 * -ff run, merged by time). With STRICT, a line that cannot be parsed is
 * an error; without, it is skipped with a warning on stderr. Returns 0
 * and the reader in *RET, or -errno (a file cannot be opened) or -EINVAL
 * (no file) with a message in ERR ("cannot open 'FILE': reason").
 * Nothing is read yet: a file that is not a strace log at all is found
 * by strace_detect(), or line by line by strace_reader_next().
 */
int strace_reader_open(struct strace_reader **ret, const char *const *paths,
		       int npaths, bool strict, char *err, size_t errlen);
/* The same, each file named NAMES[i] in messages and sources (PATHS[i]
 * may be a copy of it: a pipe read to its end). */
int strace_reader_open_as(struct strace_reader **ret, const char *const *paths,
			  const char *const *names, int npaths, bool strict,
			  char *err, size_t errlen);

/*
 * Read the next event into EV. Its strings are borrowed from the reader
 * and valid until the next call or strace_reader_close(); source_file
 * until close. Returns 1 for an event, 0 at the end of the input,
 * -EINVAL for a line that cannot be parsed in strict mode (ERR holds
 * "FILE:LINE: cannot parse: TEXT", TEXT cut to 100 bytes), or -errno
 * when reading fails ("cannot read 'FILE': reason"). Without strict, a
 * line that cannot be parsed is skipped with the warning
 * "fsrace: warning: FILE:LINE: cannot parse: TEXT" and counted in
 * strace_reader_skipped(); so is a too long one. An unterminated last
 * line that cannot be parsed (strace was killed mid-write) is always
 * a warning, never an error.
 */
int strace_reader_next(struct strace_reader *r, struct event *ev, char *err,
		       size_t errlen);

/* Lines skipped because they could not be parsed. */
unsigned long strace_reader_skipped(const struct strace_reader *r);
/* How many paths were too long to make absolute (proc_model.too_long). */
uint64_t strace_reader_too_long(const struct strace_reader *r);
/* What the table of the logs' -k stacks could not keep, added to OUT. */
struct stack_drops;
void strace_reader_stack_drops(const struct strace_reader *r,
			       struct stack_drops *out);
/* Whether the logs had a -y decoration (an fd's path) anywhere. */
bool strace_reader_decorated(const struct strace_reader *r);

/* Completed calls of syscalls fsrace does not trace: counted, not read. */
unsigned long strace_reader_unknown(const struct strace_reader *r);

void strace_reader_close(struct strace_reader *r);

/*
 * Sniff the start of PATH: 1 when it looks like a strace log (its first
 * non-empty line, or two of its first five, has strace's form), 0 when
 * not (an empty file, binary data, a native trace, other text), -errno
 * when it cannot be read.
 */
int strace_detect(const char *path);

#endif
