// SPDX-License-Identifier: MIT
#include "names.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define B(set) (1u << (set))

#define ROW(ns_, sets_, v, m, n, a)                                            \
	{                                                                      \
		.name = (n), .value = (uint64_t)(v), .mask = (uint64_t)(m),    \
		.sets = (uint16_t)(sets_), .ns = (ns_), .alias = (a)           \
	}
/* a flag shown by the flag sets SETS */
#define FLAG(ns, sets, v, n) ROW(ns, sets, v, v, n, false)
/* a name of several bits, shown only when all of MASK match V */
#define MASKED(ns, sets, v, m, n) ROW(ns, sets, v, m, n, false)
/* another name strace prints for V: read, never written */
#define ALIAS(ns, sets, v, n) ROW(ns, sets, v, v, n, true)
#define VALUE(ns, v, n) ROW(ns, 0, v, 0, n, false)
#define ERRNO(e) VALUE(NS_ERRNO, e, #e)
#define SIG(s) VALUE(NS_SIGNAL, s, #s)
#define SIGRT(n) VALUE(NS_SIGNAL, 32 + (n), "SIGRT_" #n)

#define OPEN B(FLAGS_OPEN)
#define AT B(FLAGS_AT)
#define FACC B(FLAGS_FACCESSAT)

/*
 * Kernel values for x86_64 (asm-generic/fcntl.h, linux/fcntl.h,
 * linux/sched.h, asm-generic/errno*.h), not libc's. The rows of a flag
 * namespace are in the order flags_each() writes them: the names of
 * several bits first, so that O_SYNC is not written as O_DSYNC|0x100000.
 */
static const struct kernel_name table[] = {
	/* the access mode is always named: exactly one of these matches */
	MASKED(NS_OPEN, OPEN, 0, O_ACCMODE_, "O_RDONLY"),
	MASKED(NS_OPEN, OPEN, 1, O_ACCMODE_, "O_WRONLY"),
	MASKED(NS_OPEN, OPEN, 2, O_ACCMODE_, "O_RDWR"),
	MASKED(NS_OPEN, OPEN, 3, O_ACCMODE_, "O_ACCMODE"),
	MASKED(NS_OPEN, OPEN, 04010000, 04010000, "O_SYNC"),
	MASKED(NS_OPEN, OPEN, 020200000, 020200000, "O_TMPFILE"),
	FLAG(NS_OPEN, OPEN, O_CREAT_, "O_CREAT"),
	FLAG(NS_OPEN, OPEN, O_EXCL_, "O_EXCL"),
	FLAG(NS_OPEN, OPEN, 0400, "O_NOCTTY"),
	FLAG(NS_OPEN, OPEN, O_TRUNC_, "O_TRUNC"),
	FLAG(NS_OPEN, OPEN, 02000, "O_APPEND"),
	FLAG(NS_OPEN, OPEN, 04000, "O_NONBLOCK"),
	FLAG(NS_OPEN, OPEN, 010000, "O_DSYNC"),
	FLAG(NS_OPEN, OPEN, 020000, "O_ASYNC"),
	FLAG(NS_OPEN, OPEN, 040000, "O_DIRECT"),
	FLAG(NS_OPEN, OPEN, 0100000, "O_LARGEFILE"),
	FLAG(NS_OPEN, OPEN, 0200000, "O_DIRECTORY"),
	FLAG(NS_OPEN, OPEN, O_NOFOLLOW_, "O_NOFOLLOW"),
	FLAG(NS_OPEN, OPEN, 01000000, "O_NOATIME"),
	FLAG(NS_OPEN, OPEN | B(FLAGS_DUP3), O_CLOEXEC_, "O_CLOEXEC"),
	FLAG(NS_OPEN, OPEN, 010000000, "O_PATH"),
	ALIAS(NS_OPEN, OPEN, 04000, "O_NDELAY"),
	ALIAS(NS_OPEN, OPEN, 04010000, "O_FSYNC"),
	ALIAS(NS_OPEN, OPEN, 04010000, "O_RSYNC"),
	ALIAS(NS_OPEN, OPEN, 04000000, "__O_SYNC"),
	ALIAS(NS_OPEN, OPEN, O_TMPFILE_, "__O_TMPFILE"),

	FLAG(NS_AT, AT | FACC, AT_SYMLINK_NOFOLLOW_, "AT_SYMLINK_NOFOLLOW"),
	FLAG(NS_AT, AT, AT_REMOVEDIR_, "AT_REMOVEDIR"),
	FLAG(NS_AT, FACC, 0x200, "AT_EACCESS"),
	FLAG(NS_AT, AT, 0x400, "AT_SYMLINK_FOLLOW"),
	FLAG(NS_AT, AT, 0x800, "AT_NO_AUTOMOUNT"),
	FLAG(NS_AT, AT | FACC, AT_EMPTY_PATH_, "AT_EMPTY_PATH"),
	FLAG(NS_AT, AT, 0x2000, "AT_STATX_FORCE_SYNC"),
	FLAG(NS_AT, AT, 0x4000, "AT_STATX_DONT_SYNC"),
	FLAG(NS_AT, AT, 0x8000, "AT_RECURSIVE"),
	ALIAS(NS_AT, AT, 0, "AT_STATX_SYNC_AS_STAT"),
	ALIAS(NS_AT, AT, 0x6000, "AT_STATX_SYNC_TYPE"),

	FLAG(NS_RENAME, B(FLAGS_RENAME), RENAME_NOREPLACE_, "RENAME_NOREPLACE"),
	FLAG(NS_RENAME, B(FLAGS_RENAME), RENAME_EXCHANGE_, "RENAME_EXCHANGE"),
	FLAG(NS_RENAME, B(FLAGS_RENAME), 4, "RENAME_WHITEOUT"),

	FLAG(NS_CLOSE_RANGE, B(FLAGS_CLOSE_RANGE), 2, "CLOSE_RANGE_UNSHARE"),
	FLAG(NS_CLOSE_RANGE, B(FLAGS_CLOSE_RANGE), CLOSE_RANGE_CLOEXEC_,
	     "CLOSE_RANGE_CLOEXEC"),

	FLAG(NS_SYNC_FILE_RANGE, B(FLAGS_SYNC_FILE_RANGE), 1,
	     "SYNC_FILE_RANGE_WAIT_BEFORE"),
	FLAG(NS_SYNC_FILE_RANGE, B(FLAGS_SYNC_FILE_RANGE), 2,
	     "SYNC_FILE_RANGE_WRITE"),
	FLAG(NS_SYNC_FILE_RANGE, B(FLAGS_SYNC_FILE_RANGE), 4,
	     "SYNC_FILE_RANGE_WAIT_AFTER"),

	/* F_OK only for no bit at all */
	MASKED(NS_ACCESS, B(FLAGS_ACCESS), 0, UINT64_MAX, "F_OK"),
	FLAG(NS_ACCESS, B(FLAGS_ACCESS), 4, "R_OK"),
	FLAG(NS_ACCESS, B(FLAGS_ACCESS), 2, "W_OK"),
	FLAG(NS_ACCESS, B(FLAGS_ACCESS), 1, "X_OK"),

	FLAG(NS_RESOLVE, B(FLAGS_RESOLVE), 1, "RESOLVE_NO_XDEV"),
	FLAG(NS_RESOLVE, B(FLAGS_RESOLVE), 2, "RESOLVE_NO_MAGICLINKS"),
	FLAG(NS_RESOLVE, B(FLAGS_RESOLVE), 4, "RESOLVE_NO_SYMLINKS"),
	FLAG(NS_RESOLVE, B(FLAGS_RESOLVE), 8, "RESOLVE_BENEATH"),
	FLAG(NS_RESOLVE, B(FLAGS_RESOLVE), 0x10, "RESOLVE_IN_ROOT"),
	FLAG(NS_RESOLVE, B(FLAGS_RESOLVE), 0x20, "RESOLVE_CACHED"),

	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x80, "CLONE_NEWTIME"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), CLONE_VM_, "CLONE_VM"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), CLONE_FS_, "CLONE_FS"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), CLONE_FILES_, "CLONE_FILES"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x800, "CLONE_SIGHAND"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x1000, "CLONE_PIDFD"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x2000, "CLONE_PTRACE"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), CLONE_VFORK_, "CLONE_VFORK"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x8000, "CLONE_PARENT"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), CLONE_THREAD_, "CLONE_THREAD"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x20000, "CLONE_NEWNS"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x40000, "CLONE_SYSVSEM"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x80000, "CLONE_SETTLS"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x100000, "CLONE_PARENT_SETTID"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x200000, "CLONE_CHILD_CLEARTID"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x400000, "CLONE_DETACHED"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x800000, "CLONE_UNTRACED"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x1000000, "CLONE_CHILD_SETTID"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x2000000, "CLONE_NEWCGROUP"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x4000000, "CLONE_NEWUTS"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x8000000, "CLONE_NEWIPC"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x10000000, "CLONE_NEWUSER"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x20000000, "CLONE_NEWPID"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x40000000, "CLONE_NEWNET"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x80000000, "CLONE_IO"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x100000000, "CLONE_CLEAR_SIGHAND"),
	FLAG(NS_CLONE, B(FLAGS_CLONE), 0x200000000, "CLONE_INTO_CGROUP"),

	/* file types are values of the S_IFMT bits */
	MASKED(NS_MODE, 0, 0100000, 0170000, "S_IFREG"),
	MASKED(NS_MODE, 0, 0040000, 0170000, "S_IFDIR"),
	MASKED(NS_MODE, 0, 0120000, 0170000, "S_IFLNK"),
	MASKED(NS_MODE, 0, 0010000, 0170000, "S_IFIFO"),
	MASKED(NS_MODE, 0, 0140000, 0170000, "S_IFSOCK"),
	MASKED(NS_MODE, 0, 0020000, 0170000, "S_IFCHR"),
	MASKED(NS_MODE, 0, 0060000, 0170000, "S_IFBLK"),
	FLAG(NS_MODE, 0, 04000, "S_ISUID"),
	FLAG(NS_MODE, 0, 02000, "S_ISGID"),
	FLAG(NS_MODE, 0, 01000, "S_ISVTX"),

	VALUE(NS_FD, FD_CLOEXEC_, "FD_CLOEXEC"),
	VALUE(NS_DIRFD, AT_FDCWD_, "AT_FDCWD"),

	VALUE(NS_FCNTL, F_DUPFD_, "F_DUPFD"),
	VALUE(NS_FCNTL, F_DUPFD_CLOEXEC_, "F_DUPFD_CLOEXEC"),
	VALUE(NS_FCNTL, F_SETFD_, "F_SETFD"),

	/* the names glibc's strerrorname_np() gives */
	ERRNO(EPERM),
	ERRNO(ENOENT),
	ERRNO(ESRCH),
	ERRNO(EINTR),
	ERRNO(EIO),
	ERRNO(ENXIO),
	ERRNO(E2BIG),
	ERRNO(ENOEXEC),
	ERRNO(EBADF),
	ERRNO(ECHILD),
	ERRNO(EAGAIN),
	ERRNO(ENOMEM),
	ERRNO(EACCES),
	ERRNO(EFAULT),
	ERRNO(ENOTBLK),
	ERRNO(EBUSY),
	ERRNO(EEXIST),
	ERRNO(EXDEV),
	ERRNO(ENODEV),
	ERRNO(ENOTDIR),
	ERRNO(EISDIR),
	ERRNO(EINVAL),
	ERRNO(ENFILE),
	ERRNO(EMFILE),
	ERRNO(ENOTTY),
	ERRNO(ETXTBSY),
	ERRNO(EFBIG),
	ERRNO(ENOSPC),
	ERRNO(ESPIPE),
	ERRNO(EROFS),
	ERRNO(EMLINK),
	ERRNO(EPIPE),
	ERRNO(EDOM),
	ERRNO(ERANGE),
	ERRNO(EDEADLK),
	ERRNO(ENAMETOOLONG),
	ERRNO(ENOLCK),
	ERRNO(ENOSYS),
	ERRNO(ENOTEMPTY),
	ERRNO(ELOOP),
	ERRNO(ENOMSG),
	ERRNO(EIDRM),
	ERRNO(ECHRNG),
	ERRNO(EL2NSYNC),
	ERRNO(EL3HLT),
	ERRNO(EL3RST),
	ERRNO(ELNRNG),
	ERRNO(EUNATCH),
	ERRNO(ENOCSI),
	ERRNO(EL2HLT),
	ERRNO(EBADE),
	ERRNO(EBADR),
	ERRNO(EXFULL),
	ERRNO(ENOANO),
	ERRNO(EBADRQC),
	ERRNO(EBADSLT),
	ERRNO(EBFONT),
	ERRNO(ENOSTR),
	ERRNO(ENODATA),
	ERRNO(ETIME),
	ERRNO(ENOSR),
	ERRNO(ENONET),
	ERRNO(ENOPKG),
	ERRNO(EREMOTE),
	ERRNO(ENOLINK),
	ERRNO(EADV),
	ERRNO(ESRMNT),
	ERRNO(ECOMM),
	ERRNO(EPROTO),
	ERRNO(EMULTIHOP),
	ERRNO(EDOTDOT),
	ERRNO(EBADMSG),
	ERRNO(EOVERFLOW),
	ERRNO(ENOTUNIQ),
	ERRNO(EBADFD),
	ERRNO(EREMCHG),
	ERRNO(ELIBACC),
	ERRNO(ELIBBAD),
	ERRNO(ELIBSCN),
	ERRNO(ELIBMAX),
	ERRNO(ELIBEXEC),
	ERRNO(EILSEQ),
	ERRNO(ERESTART),
	ERRNO(ESTRPIPE),
	ERRNO(EUSERS),
	ERRNO(ENOTSOCK),
	ERRNO(EDESTADDRREQ),
	ERRNO(EMSGSIZE),
	ERRNO(EPROTOTYPE),
	ERRNO(ENOPROTOOPT),
	ERRNO(EPROTONOSUPPORT),
	ERRNO(ESOCKTNOSUPPORT),
	ERRNO(EOPNOTSUPP),
	ERRNO(EPFNOSUPPORT),
	ERRNO(EAFNOSUPPORT),
	ERRNO(EADDRINUSE),
	ERRNO(EADDRNOTAVAIL),
	ERRNO(ENETDOWN),
	ERRNO(ENETUNREACH),
	ERRNO(ENETRESET),
	ERRNO(ECONNABORTED),
	ERRNO(ECONNRESET),
	ERRNO(ENOBUFS),
	ERRNO(EISCONN),
	ERRNO(ENOTCONN),
	ERRNO(ESHUTDOWN),
	ERRNO(ETOOMANYREFS),
	ERRNO(ETIMEDOUT),
	ERRNO(ECONNREFUSED),
	ERRNO(EHOSTDOWN),
	ERRNO(EHOSTUNREACH),
	ERRNO(EALREADY),
	ERRNO(EINPROGRESS),
	ERRNO(ESTALE),
	ERRNO(EUCLEAN),
	ERRNO(ENOTNAM),
	ERRNO(ENAVAIL),
	ERRNO(EISNAM),
	ERRNO(EREMOTEIO),
	ERRNO(EDQUOT),
	ERRNO(ENOMEDIUM),
	ERRNO(EMEDIUMTYPE),
	ERRNO(ECANCELED),
	ERRNO(ENOKEY),
	ERRNO(EKEYEXPIRED),
	ERRNO(EKEYREVOKED),
	ERRNO(EKEYREJECTED),
	ERRNO(EOWNERDEAD),
	ERRNO(ENOTRECOVERABLE),
	ERRNO(ERFKILL),
	ERRNO(EHWPOISON),
	ALIAS(NS_ERRNO, 0, EAGAIN, "EWOULDBLOCK"),
	ALIAS(NS_ERRNO, 0, EDEADLK, "EDEADLOCK"),
	ALIAS(NS_ERRNO, 0, EOPNOTSUPP, "ENOTSUP"),
	/*
	 * The kernel's own (include/linux/errno.h), which strace prints
	 * ("= ? ERESTARTSYS"): read, but written as numbers, as they always
	 * were, so that older readers can read the trace.
	 */
	ALIAS(NS_ERRNO, 0, 512, "ERESTARTSYS"),
	ALIAS(NS_ERRNO, 0, 513, "ERESTARTNOINTR"),
	ALIAS(NS_ERRNO, 0, 514, "ERESTARTNOHAND"),
	ALIAS(NS_ERRNO, 0, 515, "ENOIOCTLCMD"),
	ALIAS(NS_ERRNO, 0, 516, "ERESTART_RESTARTBLOCK"),
	ALIAS(NS_ERRNO, 0, 517, "EPROBE_DEFER"),
	ALIAS(NS_ERRNO, 0, 518, "EOPENSTALE"),
	ALIAS(NS_ERRNO, 0, 519, "ENOPARAM"),
	ALIAS(NS_ERRNO, 0, 521, "EBADHANDLE"),
	ALIAS(NS_ERRNO, 0, 522, "ENOTSYNC"),
	ALIAS(NS_ERRNO, 0, 523, "EBADCOOKIE"),
	ALIAS(NS_ERRNO, 0, 524, "ENOTSUPP"),
	ALIAS(NS_ERRNO, 0, 525, "ETOOSMALL"),
	ALIAS(NS_ERRNO, 0, 526, "ESERVERFAULT"),
	ALIAS(NS_ERRNO, 0, 527, "EBADTYPE"),
	ALIAS(NS_ERRNO, 0, 528, "EJUKEBOX"),
	ALIAS(NS_ERRNO, 0, 529, "EIOCBQUEUED"),
	ALIAS(NS_ERRNO, 0, 530, "ERECALLCONFLICT"),

	/* glibc's sigabbrev_np() names; real-time signals as strace names
	 * them, from the kernel's SIGRTMIN (32), not libc's */
	SIG(SIGHUP),
	SIG(SIGINT),
	SIG(SIGQUIT),
	SIG(SIGILL),
	SIG(SIGTRAP),
	SIG(SIGABRT),
	SIG(SIGBUS),
	SIG(SIGFPE),
	SIG(SIGKILL),
	SIG(SIGUSR1),
	SIG(SIGSEGV),
	SIG(SIGUSR2),
	SIG(SIGPIPE),
	SIG(SIGALRM),
	SIG(SIGTERM),
	SIG(SIGSTKFLT),
	SIG(SIGCHLD),
	SIG(SIGCONT),
	SIG(SIGSTOP),
	SIG(SIGTSTP),
	SIG(SIGTTIN),
	SIG(SIGTTOU),
	SIG(SIGURG),
	SIG(SIGXCPU),
	SIG(SIGXFSZ),
	SIG(SIGVTALRM),
	SIG(SIGPROF),
	SIG(SIGWINCH),
	SIG(SIGPOLL),
	SIG(SIGPWR),
	SIG(SIGSYS),
	SIGRT(0),
	SIGRT(1),
	SIGRT(2),
	SIGRT(3),
	SIGRT(4),
	SIGRT(5),
	SIGRT(6),
	SIGRT(7),
	SIGRT(8),
	SIGRT(9),
	SIGRT(10),
	SIGRT(11),
	SIGRT(12),
	SIGRT(13),
	SIGRT(14),
	SIGRT(15),
	SIGRT(16),
	SIGRT(17),
	SIGRT(18),
	SIGRT(19),
	SIGRT(20),
	SIGRT(21),
	SIGRT(22),
	SIGRT(23),
	SIGRT(24),
	SIGRT(25),
	SIGRT(26),
	SIGRT(27),
	SIGRT(28),
	SIGRT(29),
	SIGRT(30),
	SIGRT(31),
	SIGRT(32),
	ALIAS(NS_SIGNAL, 0, SIGIO, "SIGIO"),
	ALIAS(NS_SIGNAL, 0, SIGABRT, "SIGIOT"),
	ALIAS(NS_SIGNAL, 0, SIGCHLD, "SIGCLD"),
	ALIAS(NS_SIGNAL, 0, 32, "SIGRTMIN"),
};

static const char *const ns_what[NS_COUNT] = {
	[NS_OPEN] = "an open flag",
	[NS_AT] = "an AT flag",
	[NS_RENAME] = "a rename flag",
	[NS_CLOSE_RANGE] = "a close_range flag",
	[NS_SYNC_FILE_RANGE] = "a sync_file_range flag",
	[NS_ACCESS] = "an access mode",
	[NS_RESOLVE] = "a resolve flag",
	[NS_CLONE] = "a clone flag",
	[NS_MODE] = "a file mode",
	[NS_FD] = "an fd flag",
	[NS_DIRFD] = "a directory fd",
	[NS_ERRNO] = "an errno name",
	[NS_SIGNAL] = "a signal",
	[NS_FCNTL] = "an fcntl command",
};

static const uint8_t set_ns[FLAGS_COUNT] = {
	[FLAGS_NONE] = NS_COUNT,
	[FLAGS_OPEN] = NS_OPEN,
	[FLAGS_AT] = NS_AT,
	[FLAGS_FACCESSAT] = NS_AT,
	[FLAGS_RENAME] = NS_RENAME,
	[FLAGS_CLOSE_RANGE] = NS_CLOSE_RANGE,
	[FLAGS_SYNC_FILE_RANGE] = NS_SYNC_FILE_RANGE,
	[FLAGS_DUP3] = NS_OPEN,
	[FLAGS_ACCESS] = NS_ACCESS,
	[FLAGS_RESOLVE] = NS_RESOLVE,
	[FLAGS_CLONE] = NS_CLONE,
};

_Static_assert(ARRAY_SIZE(table) < UINT16_MAX, "row indexes are 16 bits");
_Static_assert(FLAGS_COUNT <= 16, "kernel_name.sets is 16 bits");

/*
 * Two open-addressing hashes of row index + 1, at most half full: by
 * name, and by (namespace, value) for the namespaces of single values.
 * Built once; read-only after that, so any thread may read them. Not
 * util/hashmap: the table is static and fixed, so 4 KiB of 16-bit slots
 * serve it without a heap allocation that is never freed or an entry
 * per row and index, and the reader's and importer's lookups of flags,
 * modes and errnos probe one slot.
 */
#define NAME_SLOTS 1024
#define VALUE_SLOTS 1024
_Static_assert(ARRAY_SIZE(table) * 2 <= NAME_SLOTS &&
		       ARRAY_SIZE(table) * 2 <= VALUE_SLOTS,
	       "a hash of the names is more than half full");

static uint16_t by_name[NAME_SLOTS];
static uint16_t by_value[VALUE_SLOTS];
/* the rows flags_each() writes for each flag set, in table order */
#define SET_ROWS 64
static uint16_t set_rows[FLAGS_COUNT][SET_ROWS];
static uint8_t set_nrows[FLAGS_COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static unsigned hash_name(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(0x100000001b3);
	return (unsigned)(h ^ (h >> 32));
}

static unsigned hash_value(unsigned ns, uint64_t v)
{
	uint64_t h = (v ^ ((uint64_t)ns << 56)) * UINT64_C(0x9e3779b97f4a7c15);

	return (unsigned)(h >> 40);
}

static bool single_valued(unsigned ns)
{
	return ns == NS_ERRNO || ns == NS_SIGNAL || ns == NS_FCNTL ||
	       ns == NS_FD || ns == NS_DIRFD;
}

static void build(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(table); i++) {
		const struct kernel_name *k = &table[i];
		unsigned h = hash_name(k->name, strlen(k->name));

		for (unsigned set = 0; set < FLAGS_COUNT; set++)
			if (!k->alias && k->ns == set_ns[set] &&
			    (k->sets & B(set)) && set_nrows[set] < SET_ROWS)
				set_rows[set][set_nrows[set]++] = (uint16_t)i;
		while (by_name[h % NAME_SLOTS])
			h++;
		by_name[h % NAME_SLOTS] = (uint16_t)(i + 1);
		if (k->alias || !single_valued(k->ns))
			continue;
		for (h = hash_value(k->ns, k->value); by_value[h % VALUE_SLOTS];
		     h++)
			;
		by_value[h % VALUE_SLOTS] = (uint16_t)(i + 1);
	}
}

static inline void init(void)
{
	pthread_once(&once, build);
}

const struct kernel_name *names_table(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(table);
	return table;
}

const char *name_ns_what(enum name_ns ns)
{
	return ns < NS_COUNT ? ns_what[ns] : "a name";
}

static const struct kernel_name *find(const char *name, size_t len)
{
	init();
	for (unsigned h = hash_name(name, len);; h++) {
		unsigned i = by_name[h % NAME_SLOTS];
		const struct kernel_name *k;

		if (!i)
			return NULL;
		k = &table[i - 1];
		if (strnlen(k->name, len + 1) == len &&
		    !memcmp(k->name, name, len))
			return k;
	}
}

int name_find(const char *name, size_t len, enum name_ns *ret_ns,
	      uint64_t *ret_value)
{
	const struct kernel_name *k = find(name, len);

	if (!k)
		return -ENOENT;
	*ret_ns = (enum name_ns)k->ns;
	*ret_value = k->value;
	return 0;
}

int name_value(enum name_ns ns, const char *name, uint64_t *ret_value)
{
	const struct kernel_name *k = find(name, strlen(name));

	if (!k || k->ns != ns)
		return -EINVAL;
	*ret_value = k->value;
	return 0;
}

const char *name_of(enum name_ns ns, uint64_t value)
{
	init();
	for (unsigned h = hash_value(ns, value);; h++) {
		unsigned i = by_value[h % VALUE_SLOTS];

		if (!i)
			return NULL;
		if (table[i - 1].ns == ns && table[i - 1].value == value)
			return table[i - 1].name;
	}
}

static enum flagset flagset_of_row(const struct syscall_desc *sc)
{
	for (int i = 0; i < 6; i++) {
		switch (sc->args[i]) {
		case A_OFLAGS:
		case A_OPENHOW:
			return FLAGS_OPEN;
		case A_ATFLAGS:
			return FLAGS_AT;
		case A_FACCFLAGS:
			return FLAGS_FACCESSAT;
		case A_RENFLAGS:
			return FLAGS_RENAME;
		case A_CRFLAGS:
			return FLAGS_CLOSE_RANGE;
		case A_SFRFLAGS:
			return FLAGS_SYNC_FILE_RANGE;
		case A_DUPFLAGS:
			return FLAGS_DUP3;
		}
	}
	if (sc->flags & SCF_IMPLIED_OFLAGS)
		return FLAGS_OPEN;
	return FLAGS_NONE;
}

/* by row: the writer and the reader ask it of every record with flags */
static uint8_t row_flagset[SYSCALL_MAX];

__attribute__((constructor)) static void find_flagsets(void)
{
	for (unsigned i = 0; i < syscall_table_size; i++)
		row_flagset[i] = (uint8_t)flagset_of_row(&syscall_table[i]);
}

enum flagset syscall_flagset(const struct syscall_desc *sc)
{
	return (enum flagset)row_flagset[syscall_index(sc)];
}

enum name_ns flagset_ns(enum flagset set)
{
	return set < FLAGS_COUNT ? (enum name_ns)set_ns[set] : NS_COUNT;
}

void flags_each(enum flagset set, uint64_t flags,
		void (*fn)(const char *name, void *ud), void *ud)
{
	char hex[24];

	if (set < FLAGS_COUNT) {
		init();
		for (unsigned i = 0; i < set_nrows[set]; i++) {
			const struct kernel_name *k = &table[set_rows[set][i]];

			if ((flags & k->mask) != k->value)
				continue;
			fn(k->name, ud);
			flags &= ~k->mask;
		}
	}
	if (flags) {
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)flags);
		fn(hex, ud);
	}
}

int flags_parse(enum flagset set, const char *name, uint64_t *ret_bits)
{
	const struct kernel_name *k = find(name, strlen(name));

	if (k && k->ns == flagset_ns(set) && (k->sets & B(set))) {
		*ret_bits = k->value;
		return 0;
	}
	if (name[0] == '0' && name[1] == 'x') {
		char *end;
		unsigned long long v = strtoull(name + 2, &end, 16);

		if (*end == '\0' && end != name + 2) {
			*ret_bits = v;
			return 0;
		}
	}
	return -EINVAL;
}

/* The errno names errno_intern() made up numbers for. */
static struct {
	pthread_mutex_t lock;
	char **v;
	int n;
} interned = {.lock = PTHREAD_MUTEX_INITIALIZER};

const char *errno_name(int err)
{
	const char *name = NULL;

	if (err < ERRNO_INTERNED)
		return err > 0 ? name_of(NS_ERRNO, (uint64_t)err) : NULL;
	pthread_mutex_lock(&interned.lock);
	if (err - ERRNO_INTERNED < interned.n)
		name = interned.v[err - ERRNO_INTERNED];
	pthread_mutex_unlock(&interned.lock);
	return name;
}

int errno_parse(const char *name)
{
	uint64_t v;

	return name_value(NS_ERRNO, name, &v) ? -EINVAL : (int)v;
}

int errno_intern(const char *name)
{
	int err = errno_parse(name), i;

	if (err >= 0)
		return err;
	if (name[0] != 'E' || !name[1] || strlen(name) > 32)
		return -EINVAL;
	for (const char *p = name + 1; *p; p++)
		if (!(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
		    *p != '_')
			return -EINVAL;
	pthread_mutex_lock(&interned.lock);
	for (i = 0; i < interned.n; i++)
		if (!strcmp(interned.v[i], name))
			break;
	if (i == interned.n && i < 4096) {
		interned.v = xrealloc(interned.v,
				      (size_t)(i + 1) * sizeof(*interned.v));
		interned.v[interned.n++] = xstrdup(name);
	}
	pthread_mutex_unlock(&interned.lock);
	return i < 4096 ? ERRNO_INTERNED + i : -EINVAL;
}

const char *signal_name(int sig)
{
	return sig > 0 ? name_of(NS_SIGNAL, (uint64_t)sig) : NULL;
}

int signal_parse(const char *name)
{
	uint64_t v;

	return name_value(NS_SIGNAL, name, &v) ? -EINVAL : (int)v;
}

const char *fcntl_cmd_name(int cmd)
{
	return cmd >= 0 ? name_of(NS_FCNTL, (uint64_t)cmd) : NULL;
}

int fcntl_cmd_parse(const char *name)
{
	uint64_t v;

	return name_value(NS_FCNTL, name, &v) ? -EINVAL : (int)v;
}
