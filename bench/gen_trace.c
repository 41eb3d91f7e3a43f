// SPDX-License-Identifier: MIT
/*
 * gen_trace — write a large synthetic native trace, for benchmarks.
 *
 * usage: gen_trace [-n EVENTS] [-j JOBS] [-s SEED] [-o FILE]
 *
 * Simulates `make -jJOBS` compiling a tree of C files: make stats sources
 * and forks one compiler per object; each compiler execs, loads its
 * libraries, opens its source and a few dozen headers (trying include
 * directories that miss first), then writes its object the way a careful
 * tool does (temp file, fsync, rename) or a careless one (unlink, open
 * O_TRUNC), and exits. The jobs' events interleave, as they do on a real
 * machine. The records are made by the trace writer's own event_to_json(),
 * so every line is exactly what `fsrace record` would write for the same
 * events. Writes exactly EVENTS records (default 1000000) after the header;
 * the same seed gives the same file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "jsonw.h"
#include "names.h"
#include "syscalls.h"
#include "util.h"
#include "writer.h"

#define CWD "/home/builder/src/libfrobnicate"
#define DEV 65024
#define MAX_JOBS 64
#define MAKE_PID 4000

static const char *const modules[] = {
	"core",
	"net",
	"util",
	"codec/h264",
	"codec/opus",
	"storage",
	"storage/btree",
	"crypto",
	"ui/widgets",
	"platform/linux",
	"third_party/zlib",
	"tests/unit",
};

static const char *const files[] = {
	"alloc",	  "buffer",	 "connection_pool",    "dispatcher",
	"error",	  "event_loop",	 "hash_table",	       "inflate",
	"logging",	  "parser",	 "reference_counting", "scheduler",
	"string_builder", "timer_wheel", "unicode_tables",     "varint",
	"worker_thread",  "xml_reader",
};

static const char *const sys_headers[] = {
	"stdio.h",
	"stdlib.h",
	"string.h",
	"errno.h",
	"stdint.h",
	"x86_64-linux-gnu/bits/types/struct_timespec.h",
	"x86_64-linux-gnu/sys/types.h",
	"x86_64-linux-gnu/bits/wordsize.h",
	"x86_64-linux-gnu/gnu/stubs-64.h",
	"linux/limits.h",
	"unistd.h",
	"x86_64-linux-gnu/bits/pthreadtypes.h",
	"pthread.h",
	"fcntl.h",
	"x86_64-linux-gnu/sys/stat.h",
	"assert.h",
	"limits.h",
};

static const char *const libs[] = {
	"/lib/x86_64-linux-gnu/libc.so.6",
	"/lib/x86_64-linux-gnu/libm.so.6",
	"/lib/x86_64-linux-gnu/libz.so.1",
	"/usr/lib/x86_64-linux-gnu/libzstd.so.1",
};

/* A compiler job: one process, one object file, a step at a time. */
struct job {
	int pid;
	int phase;
	int step; /* progress within the phase */
	int nheaders;
	int careful; /* temp + fsync + rename, or unlink + O_TRUNC */
	int fd_src, fd_out;
	char src[128], obj[128], tmp[128];
	char abs_src[192], abs_obj[192], abs_tmp[192], obj_dir[192];
	char hdr[192], hdr_raw[128];
	const char *argv[8];
};

enum {
	P_EXEC,
	P_LOADER,
	P_SOURCE,
	P_HEADERS,
	P_OUTPUT,
	P_EXIT,
	P_DONE,
};

static uint64_t rng_state;
static uint64_t seq, limit, clock_ns;
static int next_pid = 4001;
static struct jsonw out;
static FILE *outf;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void ident(struct ident *id, const char *path, uint32_t type)
{
	uint64_t h = hash(path);

	id->valid = true;
	id->dev = DEV;
	id->ino = 100000 + h % 9000000;
	id->mode = type | (type == S_IFDIR ? 0755 : 0644);
	id->nlink = type == S_IFDIR ? 2 + h % 9 : 1;
	id->uid = id->gid = path[1] == 'h' ? 1000 : 0; /* /home is the user's */
	id->size = type == S_IFDIR ? 4096 : (int64_t)(h % 200000);
}

/* The parent of an absolute path, into BUF. */
static const char *dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash && slash != path ? (size_t)(slash - path) : 1;

	if (n >= len)
		n = len - 1;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return buf;
}

static char parent_buf[2][192];

static void parent(struct parent_info *p, int which, const char *abspath)
{
	const char *d =
		dir_of(abspath, parent_buf[which], sizeof(parent_buf[which]));

	p->valid = true;
	p->path = d;
	if (!strncmp(d, "/usr", 4) || !strncmp(d, "/lib", 4) ||
	    !strcmp(d, "/etc")) {
		p->uid = 0;
		p->mode = S_IFDIR | 0755;
	} else {
		p->uid = 1000;
		p->mode = S_IFDIR | 0755;
	}
}

/* Events past the limit are made (a job may take two steps) but dropped. */
static void emit(const struct event *ev)
{
	if (ev->seq > limit)
		return;
	event_to_json(&out, ev);
	jsonw_raw(&out, "\n", 1);
	out.nfields = 0; /* as the writer's end_line(): a new top level */
	if (out.len >= (1 << 20)) {
		if (fwrite(out.buf, 1, out.len, outf) != out.len) {
			perror("gen_trace: write");
			exit(1);
		}
		jsonw_reset(&out);
	}
}

/* A syscall event of PID named NAME, with fresh seq and timestamps. */
static void sc_init(struct event *ev, int pid, const char *name)
{
	event_init(ev, EV_SYSCALL);
	ev->seq = ++seq;
	ev->pid = ev->tid = pid;
	ev->sc = syscall_by_name(name);
	clock_ns += 800 + below(30000);
	ev->ts_enter = clock_ns;
	clock_ns += 1500 + below(20000);
	ev->ts_exit = clock_ns;
}

static void with_path(struct event *ev, const char *raw, const char *abs,
		      bool at)
{
	if (at) {
		ev->has |= HAS_DIRFD;
		ev->dirfd = AT_FDCWD_;
		ev->dirfd_path = CWD;
	}
	ev->has |= HAS_PATH;
	ev->path = raw;
	ev->abspath = abs;
}

static void result(struct event *ev, int64_t ret, int err)
{
	ev->has |= HAS_RET;
	ev->ret = err ? -1 : ret;
	ev->err = err;
}

static void ev_openat(int pid, const char *raw, const char *abs, uint64_t flags,
		      int fd, int err)
{
	struct event ev;

	sc_init(&ev, pid, "openat");
	with_path(&ev, raw, abs, true);
	ev.has |= HAS_FLAGS;
	ev.flags = flags;
	if (flags & O_CREAT_) {
		ev.has |= HAS_MODE;
		ev.mode = 0666;
	}
	result(&ev, fd, err);
	if (!err) {
		ev.ret_path = abs;
		ident(&ev.stat, abs, S_IFREG);
	}
	parent(&ev.parent, 0, abs);
	emit(&ev);
}

static void ev_stat(int pid, const char *raw, const char *abs, int err,
		    uint32_t type)
{
	struct event ev;

	sc_init(&ev, pid, "newfstatat");
	with_path(&ev, raw, abs, true);
	ev.has |= HAS_FLAGS;
	ev.flags = 0;
	result(&ev, 0, err);
	if (!err)
		ident(&ev.stat, abs, type);
	parent(&ev.parent, 0, abs);
	emit(&ev);
}

static void ev_fstat(int pid, int fd, const char *abs)
{
	struct event ev;

	sc_init(&ev, pid, "newfstatat");
	with_path(&ev, "", abs, false);
	ev.has |= HAS_DIRFD | HAS_FD | HAS_FLAGS;
	ev.dirfd = ev.fd = fd;
	ev.dirfd_path = ev.fd_path = abs;
	ev.flags = AT_EMPTY_PATH_;
	result(&ev, 0, 0);
	ident(&ev.stat, abs, S_IFREG);
	emit(&ev);
}

static void ev_fd(int pid, const char *name, int fd, const char *abs)
{
	struct event ev;

	sc_init(&ev, pid, name);
	ev.has |= HAS_FD;
	ev.fd = fd;
	ev.fd_path = abs;
	if (!strcmp(name, "close"))
		ev.ts_exit = ev.ts_enter; /* no exit stop for close */
	else
		result(&ev, 0, 0);
	emit(&ev);
}

static void ev_access(int pid, const char *abs, uint32_t mode, int err)
{
	struct event ev;

	sc_init(&ev, pid, "access");
	with_path(&ev, abs, abs, false);
	ev.has |= HAS_ACCESS;
	ev.access = mode;
	result(&ev, 0, err);
	parent(&ev.parent, 0, abs);
	emit(&ev);
}

static void ev_rename(int pid, bool at, const char *raw, const char *abs,
		      const char *raw2, const char *abs2)
{
	struct event ev;

	sc_init(&ev, pid, at ? "renameat" : "rename");
	with_path(&ev, raw, abs, at);
	if (at) {
		ev.has |= HAS_DIRFD2;
		ev.dirfd2 = AT_FDCWD_;
		ev.dirfd2_path = CWD;
	}
	ev.has |= HAS_PATH2;
	ev.path2 = raw2;
	ev.abspath2 = abs2;
	result(&ev, 0, 0);
	parent(&ev.parent, 0, abs);
	parent(&ev.parent2, 1, abs2);
	emit(&ev);
}

static void ev_unlink(int pid, const char *raw, const char *abs, int err)
{
	struct event ev;

	sc_init(&ev, pid, "unlink");
	with_path(&ev, raw, abs, false);
	result(&ev, 0, err);
	parent(&ev.parent, 0, abs);
	emit(&ev);
}

static void ev_mkdir(int pid, const char *abs, int err)
{
	struct event ev;

	sc_init(&ev, pid, "mkdir");
	with_path(&ev, abs, abs, false);
	ev.has |= HAS_MODE;
	ev.mode = 0777;
	result(&ev, 0, err);
	parent(&ev.parent, 0, abs);
	emit(&ev);
}

static void ev_execve(int pid, const char *abs, const char *const *argv,
		      int argc)
{
	struct event ev;

	sc_init(&ev, pid, "execve");
	with_path(&ev, abs, abs, false);
	ev.has |= HAS_ARGV;
	ev.argv = argv;
	ev.argc = argc;
	result(&ev, 0, 0);
	parent(&ev.parent, 0, abs);
	emit(&ev);
}

static void ev_fork(int pid, int child)
{
	struct event ev;

	event_init(&ev, EV_FORK);
	ev.seq = ++seq;
	ev.pid = ev.tid = pid;
	clock_ns += 20000 + below(60000);
	ev.ts_enter = ev.ts_exit = clock_ns;
	ev.fork_syscall = "clone";
	ev.child_pid = ev.child_tid = child;
	ev.fork_kind = FORK_PROCESS;
	emit(&ev);
}

static void ev_exit(int pid, int status)
{
	struct event ev;

	event_init(&ev, EV_EXIT);
	ev.seq = ++seq;
	ev.pid = ev.tid = pid;
	clock_ns += 5000 + below(20000);
	ev.ts_enter = ev.ts_exit = clock_ns;
	ev.exit_status = status;
	emit(&ev);
}

static void job_start(struct job *j)
{
	const char *mod = modules[below(ARRAY_SIZE(modules))];
	const char *file = files[below(ARRAY_SIZE(files))];
	unsigned variant = below(40);

	memset(j, 0, sizeof(*j));
	j->pid = next_pid++;
	j->careful = below(4) != 0;
	j->nheaders = 5 + (int)below(36);
	j->fd_src = 3;
	j->fd_out = 4;
	snprintf(j->src, sizeof(j->src), "src/%s/%s_%u.c", mod, file, variant);
	snprintf(j->obj, sizeof(j->obj), "build/%s/%s_%u.o", mod, file,
		 variant);
	snprintf(j->tmp, sizeof(j->tmp), "build/%s/%s_%u.o.tmp%d", mod, file,
		 variant, j->pid);
	snprintf(j->abs_src, sizeof(j->abs_src), CWD "/src/%s/%s_%u.c", mod,
		 file, variant);
	snprintf(j->abs_obj, sizeof(j->abs_obj), CWD "/build/%s/%s_%u.o", mod,
		 file, variant);
	snprintf(j->abs_tmp, sizeof(j->abs_tmp), CWD "/build/%s/%s_%u.o.tmp%d",
		 mod, file, variant, j->pid);
	dir_of(j->abs_obj, j->obj_dir, sizeof(j->obj_dir));
	j->argv[0] = "cc";
	j->argv[1] = "-O2";
	j->argv[2] = "-Iinclude";
	j->argv[3] = "-c";
	j->argv[4] = j->src;
	j->argv[5] = "-o";
	j->argv[6] = j->obj;
	j->argv[7] = NULL;
	/* make checks the source and the object, then forks */
	ev_stat(MAKE_PID, j->src, j->abs_src, 0, S_IFREG);
	ev_stat(MAKE_PID, j->obj, j->abs_obj, below(3) ? ENOENT : 0, S_IFREG);
	ev_fork(MAKE_PID, j->pid);
}

/* One event of job J (sometimes two); false when the job is done. */
static bool job_step(struct job *j)
{
	int pid = j->pid;

	switch (j->phase) {
	case P_EXEC:
		ev_execve(pid, "/usr/bin/cc", j->argv, 7);
		j->phase = P_LOADER;
		return true;
	case P_LOADER: {
		/* preload check, then ld.so.cache and each library:
		 * openat, fstat, close */
		int s = j->step++;
		int lib = (s - 1) / 3;

		if (s == 0) {
			ev_access(pid, "/etc/ld.so.preload", 4, ENOENT);
			return true;
		}
		if (lib > (int)ARRAY_SIZE(libs)) {
			j->phase = P_SOURCE;
			j->step = 0;
			return job_step(j);
		}
		{
			const char *p =
				lib == 0 ? "/etc/ld.so.cache" : libs[lib - 1];

			switch ((s - 1) % 3) {
			case 0:
				ev_openat(pid, p, p, O_RDONLY_ | O_CLOEXEC_, 3,
					  0);
				break;
			case 1:
				ev_fstat(pid, 3, p);
				break;
			default:
				ev_fd(pid, "close", 3, p);
			}
		}
		return true;
	}
	case P_SOURCE:
		if (j->step++ == 0)
			ev_openat(pid, j->src, j->abs_src,
				  O_RDONLY_ | O_CLOEXEC_ |
					  (below(8) ? 0 : O_LARGEFILE_),
				  j->fd_src, 0);
		else {
			ev_fstat(pid, j->fd_src, j->abs_src);
			j->phase = P_HEADERS;
			j->step = 0;
		}
		return true;
	case P_HEADERS: {
		/* per header: a miss in include/, then openat and close */
		int s = j->step++;
		int h = s / 3;

		if (h >= j->nheaders) {
			ev_fd(pid, "close", j->fd_src, j->abs_src);
			j->phase = P_OUTPUT;
			j->step = 0;
			return true;
		}
		if (s % 3 == 0) {
			const char *name =
				sys_headers[below(ARRAY_SIZE(sys_headers))];

			snprintf(j->hdr_raw, sizeof(j->hdr_raw), "include/%s",
				 name);
			snprintf(j->hdr, sizeof(j->hdr), CWD "/include/%s",
				 name);
			ev_stat(pid, j->hdr_raw, j->hdr, ENOENT, S_IFREG);
			snprintf(j->hdr, sizeof(j->hdr), "/usr/include/%s",
				 name);
		} else if (s % 3 == 1) {
			ev_openat(pid, j->hdr, j->hdr, O_RDONLY_ | O_CLOEXEC_,
				  4, 0);
		} else {
			ev_fd(pid, "close", 4, j->hdr);
		}
		return true;
	}
	case P_OUTPUT: {
		int s = j->step++;

		if (j->careful) {
			switch (s) {
			case 0:
				ev_mkdir(pid, j->obj_dir, EEXIST);
				break;
			case 1:
				ev_openat(pid, j->tmp, j->abs_tmp,
					  O_WRONLY_ | O_CREAT_ | O_TRUNC_ |
						  O_CLOEXEC_,
					  j->fd_out, 0);
				break;
			case 2:
				ev_fd(pid, "fsync", j->fd_out, j->abs_tmp);
				break;
			case 3:
				ev_fd(pid, "close", j->fd_out, j->abs_tmp);
				break;
			default:
				ev_rename(pid, below(2), j->tmp, j->abs_tmp,
					  j->obj, j->abs_obj);
				j->phase = P_EXIT;
			}
		} else {
			switch (s) {
			case 0:
				ev_unlink(pid, j->obj, j->abs_obj,
					  below(2) ? ENOENT : 0);
				break;
			case 1:
				ev_openat(pid, j->obj, j->abs_obj,
					  O_WRONLY_ | O_CREAT_ | O_TRUNC_,
					  j->fd_out, 0);
				break;
			default:
				ev_fd(pid, "close", j->fd_out, j->abs_obj);
				j->phase = P_EXIT;
			}
		}
		return true;
	}
	case P_EXIT:
		ev_exit(pid, 0);
		j->phase = P_DONE;
		return false;
	}
	return false;
}

static void usage(FILE *f)
{
	fputs("usage: gen_trace [-n EVENTS] [-j JOBS] [-s SEED] [-o FILE]\n",
	      f);
}

static long number(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0) {
		fprintf(stderr, "gen_trace: %s wants a number, not '%s'\n",
			what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const char *const hargv[] = {"make", "-j4", "all", NULL};
	struct trace_header h = {
		.version = TRACE_FORMAT_VERSION,
		.fsrace_version = "0.1.0",
		.argv = hargv,
		.cwd = CWD,
		.start_ns = 1764082800123456789ULL,
		.host = "buildhost",
		.kernel = "Linux 6.1.0-27-amd64 x86_64",
		.seccomp = true,
	};
	struct job jobs[MAX_JOBS];
	long n = 1000000, njobs = 4;
	const char *path = NULL;
	int c, active = 0;

	rng_state = 0x9e3779b97f4a7c15ULL;
	while ((c = getopt(argc, argv, "n:j:s:o:h")) != -1) {
		switch (c) {
		case 'n':
			n = number(optarg, "-n");
			break;
		case 'j':
			njobs = number(optarg, "-j");
			if (njobs < 1 || njobs > MAX_JOBS) {
				fprintf(stderr, "gen_trace: -j is 1..%d\n",
					MAX_JOBS);
				return 2;
			}
			break;
		case 's':
			rng_state ^= (uint64_t)number(optarg, "-s") *
				     0x100000001b3ULL;
			if (!rng_state)
				rng_state = 1;
			break;
		case 'o':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	outf = path ? fopen(path, "we") : stdout;
	if (!outf) {
		fprintf(stderr, "gen_trace: cannot open '%s': %s\n", path,
			strerror(errno));
		return 2;
	}
	jsonw_init(&out);
	header_to_json(&out, &h);
	jsonw_raw(&out, "\n", 1);
	out.nfields = 0;
	limit = (uint64_t)n;
	clock_ns = h.start_ns + 1000000;
	ev_execve(MAKE_PID, "/usr/bin/make", hargv, 3);
	/* records are counted by seq; stop at exactly N */
	while (seq < (uint64_t)n) {
		if (active < njobs && below(4) == 0) {
			job_start(&jobs[active++]);
			continue;
		}
		if (!active)
			continue;
		{
			int i = (int)below((unsigned)active);

			if (!job_step(&jobs[i]))
				jobs[i] = jobs[--active];
		}
	}
	if (fwrite(out.buf, 1, out.len, outf) != out.len ||
	    (path ? fclose(outf) : fflush(outf)) != 0) {
		perror("gen_trace: write");
		return 1;
	}
	jsonw_release(&out);
	return 0;
}
