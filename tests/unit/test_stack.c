// SPDX-License-Identifier: MIT
/*
 * Native stacks (stack/): a child of this test, stopped by ptrace at the
 * entry of access(2) three calls deep, is unwound from a snapshot; its
 * instruction pointers are the test's own functions, in order, under
 * libc's access(). The child shares this binary's layout (fork, no
 * exec), so the functions' addresses here are theirs there.
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>

#include "modules.h"
#include "python.h"
#include "symbolize.h"
#include "unwind.h"

#define NOINLINE __attribute__((noinline, noclone))
#define BARRIER() __asm__ volatile("" ::: "memory")

static const char probe[] = "/nonexistent/fsrace-stack-probe";

/* the line of each call, which its frame must name */
static const int leaf_call = __LINE__ + 3;
NOINLINE static int leaf(const char *p)
{
	int r = access(p, F_OK);

	BARRIER(); /* no tail call: leaf keeps its frame */
	return r + 1;
}

static const int mid_call = __LINE__ + 3;
NOINLINE static int mid(const char *p)
{
	int r = leaf(p);

	BARRIER();
	return r + 1;
}

static const int top_call = __LINE__ + 3;
NOINLINE static int top(const char *p)
{
	int r = mid(p);

	BARRIER();
	return r + 1;
}

/*
 * Drive the traced child PID, stopped at its first stop, to the entry of
 * an access() whose path holds MARKER (any access with MARKER NULL).
 */
NOINLINE static pid_t to_access(pid_t pid, const char *marker)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSTOPPED(status));
	assert_int_equal(ptrace(PTRACE_SETOPTIONS, pid, NULL,
				PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL),
			 0);
	for (;;) {
		struct user_regs_struct regs;
		char path[64] = "";
		struct iovec local = {path, sizeof(path) - 1}, remote;

		assert_int_equal(ptrace(PTRACE_SYSCALL, pid, NULL, NULL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSTOPPED(status));
		if (WSTOPSIG(status) != (SIGTRAP | 0x80))
			continue;
		assert_int_equal(ptrace(PTRACE_GETREGS, pid, NULL, &regs), 0);
		/* at an entry stop rax is -ENOSYS */
		if (regs.orig_rax != SYS_access || (long)regs.rax != -ENOSYS)
			continue;
		if (!marker)
			return pid;
		remote.iov_base = (void *)regs.rdi;
		remote.iov_len = local.iov_len;
		if (process_vm_readv(pid, &local, 1, &remote, 1, 0) > 0 &&
		    strstr(path, marker))
			return pid;
	}
}

/* A child stopped at the entry of its access(PROBE), called by FN. */
static pid_t child_at_access_in(int (*fn)(const char *))
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(fn(probe) == 0 ? 0 : 1);
	}
	return to_access(pid, NULL);
}

static pid_t child_at_access(void)
{
	return child_at_access_in(top);
}

/* top() under 12 KiB of its caller's locals: its frames and theirs lie
 * past an 8 KiB snapshot */
NOINLINE static int deep(const char *p)
{
	volatile char pad[12288];
	int r;

	pad[0] = p[0];
	pad[sizeof(pad) - 1] = p[1];
	r = top(p);
	BARRIER();
	return r + pad[0] + pad[sizeof(pad) - 1];
}

static void reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* Whether IP is within the first 512 bytes of function F (each of ours
 * is much smaller). */
static bool in(uint64_t ip, const void *f)
{
	return ip > (uint64_t)(uintptr_t)f && ip - (uint64_t)(uintptr_t)f < 512;
}

static void expect_frames(struct module_space *mods, const uint64_t *ips,
			  int at);

static void test_unwinds_our_frames(void **state)
{
	unsigned char stack[STACK_SNAPSHOT_DEFAULT];
	struct stack_snapshot snap = {.stack = stack, .len = sizeof(stack)};
	struct module_space mods;
	struct stack_space *sp;
	const struct module_map *m;
	uint64_t ips[64];
	pid_t pid = child_at_access();
	int n, at = -1;

	(void)state;
	assert_int_equal(stack_snapshot_take(&snap, pid), 0);
	assert_true(snap.len > 256 && snap.len <= sizeof(stack));
	module_space_init(&mods, pid);
	sp = stack_unwinder.space_new(&mods);
	assert_non_null(sp);
	n = stack_unwinder.walk(sp, &snap, ips, 64);
	assert_true(n >= 4);
	/* the innermost frame is libc's access() */
	m = module_space_find(&mods, ips[0], true);
	assert_non_null(m);
	assert_non_null(strstr(m->image->path, "libc.so"));
	for (int i = 1; i < n && at < 0; i++)
		if (in(ips[i], leaf))
			at = i;
	if (at < 0)
		fail_msg("no frame in leaf() among %d", n);
	assert_true(at + 2 < n);
	assert_true(in(ips[at + 1], mid));
	assert_true(in(ips[at + 2], top));
	/* our code comes from this binary, which has a build-id */
	m = module_space_find(&mods, ips[at], true);
	assert_non_null(m);
	assert_int_equal(m->image->build_id_len, 20);
	/* the frames up to top() were served by the snapshot and the file
	 * images (the test runner's deeper frames lie past its 8 KiB) */
	{
		uint64_t again[64];

		snap.slow_reads = 0;
		assert_int_equal(stack_unwinder.walk(sp, &snap, again, at + 3),
				 at + 3);
		assert_memory_equal(again, ips, (size_t)(at + 3) * 8);
		assert_int_equal(snap.slow_reads, 0);
	}
	expect_frames(&mods, ips, at);
	stack_unwinder.space_free(sp);
	module_space_release(&mods);
	module_images_trim();
	reap(pid);
}

/*
 * A stack deeper than the snapshot: the walk reads on once, in one call,
 * and finds the same frames as a snapshot that held it all; without room
 * to read on, it reads the frames past 8 KiB a word at a time.
 */
static void test_deep_stack_reads_on_once(void **state)
{
	static unsigned char stack[4 * STACK_SNAPSHOT_DEFAULT];
	struct stack_snapshot snap = {.stack = stack};
	struct module_space mods;
	struct stack_space *sp;
	uint64_t whole[64], on[64], words[64];
	pid_t pid = child_at_access_in(deep);
	int n, n_on, n_words;

	(void)state;
	module_space_init(&mods, pid);
	sp = stack_unwinder.space_new(&mods);
	assert_non_null(sp);
	/* all of it at once */
	snap.len = snap.cap = sizeof(stack);
	assert_int_equal(stack_snapshot_take(&snap, pid), 0);
	n = stack_unwinder.walk(sp, &snap, whole, 64);
	assert_true(n >= 6);
	assert_true(snap.used > STACK_SNAPSHOT_DEFAULT + 4096);
	assert_int_equal(snap.read_on, 0);
	/* 8 KiB, and room to read on */
	snap.len = STACK_SNAPSHOT_DEFAULT;
	snap.cap = sizeof(stack);
	assert_int_equal(stack_snapshot_take(&snap, pid), 0);
	assert_int_equal(snap.len, STACK_SNAPSHOT_DEFAULT);
	n_on = stack_unwinder.walk(sp, &snap, on, 64);
	assert_int_equal(n_on, n);
	assert_memory_equal(on, whole, (size_t)n * 8);
	assert_int_equal(snap.read_on, 1);
	assert_true(snap.len > STACK_SNAPSHOT_DEFAULT &&
		    snap.len <= sizeof(stack));
	/* 8 KiB, no room: the same frames, word by word */
	snap.len = STACK_SNAPSHOT_DEFAULT;
	snap.cap = 0;
	assert_int_equal(stack_snapshot_take(&snap, pid), 0);
	n_words = stack_unwinder.walk(sp, &snap, words, 64);
	assert_int_equal(n_words, n);
	assert_memory_equal(words, whole, (size_t)n * 8);
	assert_int_equal(snap.read_on, 0);
	assert_true(snap.slow_reads > 0);
	stack_unwinder.space_free(sp);
	module_space_release(&mods);
	module_images_trim();
	reap(pid);
}

static void expect_frame(struct stack_symbolizer *sym,
			 struct module_space *mods, uint64_t ip,
			 const char *function, int line)
{
	const struct module_map *m = module_space_find(mods, ip, true);
	struct stack_frame f;
	const char *base;

	assert_non_null(m);
	assert_int_equal(
		stack_symbolize(sym, m->image->path, m->image->build_id,
				m->image->build_id_len, ip - m->bias, true, &f),
		0);
	if (!f.function || strcmp(f.function, function))
		fail_msg("%#lx is %s, not %s", (unsigned long)ip,
			 f.function ? f.function : "??", function);
	assert_non_null(f.file);
	base = strrchr(f.file, '/');
	assert_string_equal(base ? base + 1 : f.file, "test_stack.c");
	assert_int_equal(f.line, line);
	assert_true(f.offset > 0 && f.offset < 512);
}

/* IPS[AT], [AT + 1], [AT + 2]: leaf, mid and top at their calls. */
static void expect_frames(struct module_space *mods, const uint64_t *ips,
			  int at)
{
	struct stack_symbolizer *sym = stack_symbolizer_new();
	const struct module_map *m = module_space_find(mods, ips[at], true);
	unsigned char wrong[20];
	struct stack_frame f;

	expect_frame(sym, mods, ips[at], "leaf", leaf_call);
	expect_frame(sym, mods, ips[at + 1], "mid", mid_call);
	expect_frame(sym, mods, ips[at + 2], "top", top_call);
	/* a binary rebuilt since the recording is not named */
	memcpy(wrong, m->image->build_id, sizeof(wrong));
	wrong[0] ^= 1;
	assert_int_equal(stack_symbolize(sym, m->image->path, wrong, 20,
					 ips[at] - m->bias, true, &f),
			 -ESTALE);
	assert_null(f.function);
	assert_int_equal(stack_symbolize(sym, "/nonexistent/x.so", NULL, 0,
					 0x1000, true, &f),
			 -ENOENT);
	/* no symbol covers the ELF header */
	assert_int_equal(
		stack_symbolize(sym, m->image->path, NULL, 0, 1, false, &f), 0);
	assert_null(f.function);
	stack_symbolizer_free(sym);
}

/* The symbol NAME of the ELF file PATH, from its .symtab with libelf
 * (not libdw, which is what is tested): its value and size. */
static bool elf_symbol(const char *path, const char *name, uint64_t *value,
		       uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e;
	Elf_Scn *scn = NULL;
	bool found = false;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && !found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; !found && i < sh.sh_size / sh.sh_entsize;
		     i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, (int)i, &s))
				continue;
			n = elf_strptr(e, sh.sh_link, s.st_name);
			if (n && !strcmp(n, name) &&
			    GELF_ST_TYPE(s.st_info) == STT_FUNC) {
				*value = s.st_value;
				*size = s.st_size;
				found = true;
			}
		}
	}
	elf_end(e);
	close(fd);
	return found;
}

/*
 * A function is named only within its size: its last byte is it; the
 * first byte after it, padding before the next function, is nothing
 * (libunwind named the preceding symbol whatever its size).
 */
static void test_symbol_within_its_size(void **state)
{
	static const char *const names[] = {"leaf", "mid", "top", "to_access"};
	struct stack_symbolizer *sym = stack_symbolizer_new();
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int padded = 0;

	(void)state;
	assert_true(n > 0);
	exe[n] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t value = 0, size = 0;
		struct stack_frame f;

		assert_true(elf_symbol(exe, names[i], &value, &size));
		assert_true(size > 0);
		assert_int_equal(stack_symbolize(sym, exe, NULL, 0,
						 value + size - 1, false, &f),
				 0);
		assert_non_null(f.function);
		assert_string_equal(f.function, names[i]);
		assert_true(f.offset == size - 1);
		/* a return address just past it: the call is its last byte */
		assert_int_equal(stack_symbolize(sym, exe, NULL, 0,
						 value + size, true, &f),
				 0);
		assert_string_equal(f.function, names[i]);
		assert_int_equal(stack_symbolize(sym, exe, NULL, 0,
						 value + size, false, &f),
				 0);
		if (f.function && !strcmp(f.function, names[i]))
			fail_msg("%s+%#lx, past its size %#lx, is named",
				 names[i], (unsigned long)size,
				 (unsigned long)size);
		padded += f.function == NULL;
	}
	/* functions are aligned to 16: some of these end in padding */
	assert_true(padded > 0);
	stack_symbolizer_free(sym);
}

static void test_modules_of_a_space(void **state)
{
	struct module_space mods;
	const struct module_map *m;
	pid_t pid = child_at_access();
	unsigned refreshes;

	(void)state;
	module_space_init(&mods, pid);
	m = module_space_find(&mods, (uint64_t)(uintptr_t)leaf, true);
	assert_non_null(m);
	assert_true(m->exec);
	/* the bias maps the function back to its address in the file */
	assert_true((uint64_t)(uintptr_t)leaf - m->bias >= m->image->vaddr_lo);
	assert_true((uint64_t)(uintptr_t)leaf - m->bias < m->image->vaddr_hi);
	assert_true(m->image->eh_fde_count > 0);
	refreshes = mods.refreshes;
	/* a known address: no reread; data is no code */
	assert_non_null(
		module_space_find(&mods, (uint64_t)(uintptr_t)top, true));
	assert_null(module_space_find(&mods, (uint64_t)(uintptr_t)probe, true));
	/* an address no module covers rereads once, and finds nothing */
	assert_null(module_space_find(&mods, 8, true));
	assert_int_equal(mods.refreshes, refreshes + 2);
	module_space_invalidate(&mods);
	assert_non_null(
		module_space_find(&mods, (uint64_t)(uintptr_t)leaf, true));
	assert_int_equal(mods.refreshes, refreshes + 3);
	/* in a walk: a miss rereads at most once, and a page a reread did
	 * not find is not reread for again until the maps change */
	module_space_begin_walk(&mods);
	assert_null(module_space_find(&mods, 0x10000, true));
	assert_null(module_space_find(&mods, 0x20000, true));
	assert_int_equal(mods.refreshes, refreshes + 4);
	module_space_begin_walk(&mods);
	assert_null(module_space_find(&mods, 0x10008, true));
	assert_int_equal(mods.refreshes, refreshes + 4);
	assert_null(module_space_find(&mods, 0x20000, true));
	assert_int_equal(mods.refreshes, refreshes + 5);
	module_space_begin_walk(&mods);
	module_space_invalidate(&mods);
	assert_null(module_space_find(&mods, 0x10000, true));
	assert_int_equal(mods.refreshes, refreshes + 6);
	module_space_release(&mods);
	module_images_trim();
	reap(pid);
}

/* sigprocmask() is ours, exported, so libunwind.so's calls come to it:
 * a no-op while this thread walks, libc's behaviour otherwise. */
static void test_sigprocmask_while_walking(void **state)
{
	sigset_t usr1, cur;

	(void)state;
	assert_ptr_equal(dlsym(RTLD_DEFAULT, "sigprocmask"),
			 (void *)sigprocmask);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	stack_unwinding = true;
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, NULL), 0);
	stack_unwinding = false;
	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &cur), 0);
	assert_false(sigismember(&cur, SIGUSR1));
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, NULL), 0);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &cur), 0);
	assert_true(sigismember(&cur, SIGUSR1));
	assert_int_equal(sigprocmask(SIG_UNBLOCK, &usr1, NULL), 0);
	errno = 0;
	assert_int_equal(sigprocmask(12345, &usr1, NULL), -1);
	assert_int_equal(errno, EINVAL);
}

static const char py_script[] =
	"import os\n"
	"def check(p):\n"
	"    return os.access(p, os.F_OK)\n"
	"def outer():\n"
	"    return check('/nonexistent/fsrace-py-probe')\n"
	"outer()\n";

/* Debian's python3.11 at the entry of the script's access(). */
static pid_t python_at_access(const char *python, const char *script)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execl(python, python, "-S", script, (char *)NULL);
		_exit(127);
	}
	return to_access(pid, "fsrace-py-probe");
}

static void test_python_frames(void **state)
{
	static const char python[] = "/usr/bin/python3.11";
	char dir[] = "/tmp/fsrace-test-stack-XXXXXX", script[64];
	struct module_space mods;
	struct py_runtime rt;
	struct py_frame f[16];
	FILE *fp;
	pid_t pid;
	int n;

	(void)state;
	if (access(python, X_OK) < 0)
		skip(); /* loudly: the runner counts it */
	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/t.py", dir);
	fp = fopen(script, "w");
	assert_non_null(fp);
	fputs(py_script, fp);
	fclose(fp);
	pid = python_at_access(python, script);
	module_space_init(&mods, pid);
	assert_int_equal(py_runtime_find(&mods, &rt), 0);
	assert_int_equal(rt.version >> 16, 0x030b);
	n = py_frames(&rt, pid, f, 16);
	assert_int_equal(n, 3);
	assert_string_equal(f[0].file, script);
	assert_string_equal(f[0].function, "check");
	assert_int_equal(f[0].line, 3);
	assert_string_equal(f[1].function, "outer");
	assert_int_equal(f[1].line, 5);
	assert_string_equal(f[2].function, "<module>");
	assert_int_equal(f[2].line, 6);
	/* another thread id runs no Python code */
	assert_int_equal(py_frames(&rt, pid + 100000, f, 16), 0);
	py_runtime_release(&rt);
	module_space_release(&mods);
	module_images_trim();
	reap(pid);
	unlink(script);
	rmdir(dir);
}

/*
 * Two walks of PYTHON (3.MINOR) stopped at the script's access(), each
 * its three frames: the first finds the thread's state in the list and
 * reads the code objects; the second takes all from the one read of
 * the state as the first found it (the frames from the data stack, the
 * code objects from the cache), and looks nothing up. Entry frames of
 * 3.12 and later are on the C stack: one read alone a walk.
 */
static void walk_twice(const char *python, int minor)
{
	char dir[] = "/tmp/fsrace-test-stack-XXXXXX", script[64];
	const unsigned long alone = minor >= 12;
	struct module_space mods;
	struct py_runtime rt;
	struct py_frame f[16];
	FILE *fp;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/t.py", dir);
	fp = fopen(script, "w");
	assert_non_null(fp);
	fputs(py_script, fp);
	fclose(fp);
	pid = python_at_access(python, script);
	module_space_init(&mods, pid);
	assert_int_equal(py_runtime_find(&mods, &rt), 0);
	assert_int_equal(rt.version >> 16, 0x0300 | (uint32_t)minor);
	for (unsigned long walk = 1; walk <= 2; walk++) {
		assert_int_equal(py_frames(&rt, pid, f, 16), 3);
		assert_string_equal(f[0].function, "check");
		assert_int_equal(f[0].line, 3);
		assert_string_equal(f[2].function, "<module>");
		assert_int_equal(rt.ts_lookups, 1);
		assert_int_equal(rt.frames_batched, 3 * walk);
		assert_int_equal(rt.frames_alone, alone * walk);
		assert_int_equal(rt.code_misses, 3);
	}
	py_runtime_release(&rt);
	module_space_release(&mods);
	module_images_trim();
	reap(pid);
	unlink(script);
	rmdir(dir);
}

/* The batched path is the one taken: Debian's python3.11 and pyenv's
 * 3.12 and 3.13, those here. */
static void test_python_walks_batched(void **state)
{
	const char *home = getenv("HOME");
	int walked = 0;

	(void)state;
	if (access("/usr/bin/python3.11", X_OK) == 0) {
		walk_twice("/usr/bin/python3.11", 11);
		walked++;
	}
	for (int minor = 12; home && minor <= 13; minor++) {
		char pat[256];
		glob_t g;

		snprintf(pat, sizeof(pat),
			 "%s/.pyenv/versions/3.%d.*/bin/python3.%d", home,
			 minor, minor);
		if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			walk_twice(g.gl_pathv[g.gl_pathc - 1], minor);
			walked++;
		}
		globfree(&g);
	}
	if (!walked)
		skip(); /* loudly: the runner counts it */
}

/* co_linetable entries of Objects/locations.md, one form each. */
static void test_python_linetable(void **state)
{
	/* short form (code 0, 2 units), one-line +1 (code 11, 1 unit),
	 * no column -3 (code 13, 1 unit: svarint 7), no location (code
	 * 15, 1 unit), long form +10 (code 14, 2 units) */
	static const unsigned char lt[] = {
		0x80 | (0 << 3) | 1,
		0x05,
		0x80 | (11 << 3) | 0,
		4,
		8,
		0x80 | (13 << 3) | 0,
		7,
		0x80 | (15 << 3) | 0,
		0x80 | (14 << 3) | 1,
		20,
		0,
		1,
		2,
	};

	(void)state;
	assert_int_equal(py_addr2line(lt, sizeof(lt), 40, -2), 40);
	assert_int_equal(py_addr2line(lt, sizeof(lt), 40, 0), 40);
	assert_int_equal(py_addr2line(lt, sizeof(lt), 40, 2), 40);
	assert_int_equal(py_addr2line(lt, sizeof(lt), 40, 4), 41);
	assert_int_equal(py_addr2line(lt, sizeof(lt), 40, 6), 38);
	assert_int_equal(py_addr2line(lt, sizeof(lt), 40, 8), -1);
	assert_int_equal(py_addr2line(lt, sizeof(lt), 40, 10), 48);
	assert_int_equal(py_addr2line(lt, sizeof(lt), 40, 12), 48);
	assert_int_equal(py_addr2line(lt, sizeof(lt), 40, 14), -1);
}

/* Five "no column" entries of one unit each, each +2^29 - 1 lines
 * (svarint 2^30 - 2, the longest varint read): the fifth is past
 * INT_MAX. SIGN 1 makes each a minus, past INT_MIN. */
static void big_deltas(unsigned char *lt, int sign)
{
	for (int i = 0; i < 5; i++) {
		unsigned char *e = lt + 6 * i;

		e[0] = 0x80 | (13 << 3) | 0;
		e[1] = 64 | (62 + sign);
		e[2] = e[3] = e[4] = 64 | 63;
		e[5] = 63;
	}
}

/* A table or an instruction of garbage (a code object freed while it is
 * read) gives no line, and no overflow of an int. */
static void test_python_linetable_garbage(void **state)
{
	static const unsigned char lt[] = {0x80 | (0 << 3) | 3, 0x05};
	unsigned char big[30];
	const uint64_t start = 0x7f0000001000;

	(void)state;
	big_deltas(big, 0);
	assert_int_equal(py_addr2line(big, sizeof(big), 1, 0), 536870912);
	assert_int_equal(py_addr2line(big, sizeof(big), 1, 6), 2147483645);
	assert_int_equal(py_addr2line(big, sizeof(big), 1, 8), -1);
	big_deltas(big, 1);
	assert_int_equal(py_addr2line(big, sizeof(big), 1, 6), -2147483643);
	assert_int_equal(py_addr2line(big, sizeof(big), 1, 8), -1);
	/* the instruction: in the table; before the first (3.11 and 3.12's
	 * prev_instr of a frame not begun); farther */
	assert_int_equal(py_instr_line(lt, sizeof(lt), 40, start, start + 6),
			 40);
	assert_int_equal(py_instr_line(lt, sizeof(lt), 40, start, start + 7),
			 40);
	assert_int_equal(py_instr_line(lt, sizeof(lt), 40, start, start + 8),
			 -1);
	assert_int_equal(py_instr_line(lt, sizeof(lt), 40, start, start - 2),
			 40);
	assert_int_equal(py_instr_line(lt, sizeof(lt), 40, start, start - 4),
			 -1);
	assert_int_equal(py_instr_line(lt, sizeof(lt), 40, start, 0), -1);
	assert_int_equal(py_instr_line(lt, sizeof(lt), 40, start,
				       start + ((uint64_t)1 << 32)),
			 -1);
	assert_int_equal(py_instr_line(lt, sizeof(lt), 40, start, UINT64_MAX),
			 -1);
	assert_int_equal(py_instr_line(lt, sizeof(lt), 40, UINT64_MAX, start),
			 -1);
}

/* The _Py_DebugOffsets of CPython 3.13.0 (its libpython's _PyRuntime
 * initializer), word by word after the cookie. */
static const uint64_t debug_313[72] = {
	0x030d00f0, 0,	  283320, 608,	632, 194968, 7272, 7264, 7344,
	7400,	    7656, 7640,	  7648, 16,  7752,   0,	   7768, 7760,
	304,	    0,	  8,	  16,	72,  152,    160,  232,	 32,
	80,	    8,	  0,	  56,	72,  70,     208,  112,	 120,
	128,	    136,  68,	  52,	96,  104,    200,  16,	 8,
	416,	    24,	  88,	  168,	32,  24,     16,   40,	 24,
	16,	    48,	  32,	  40,	24,  16,     32,   16,	 24,
	40,	    16,	  32,	  64,	32,  16,     40,   240,	 200,
};

static void debug_buf(unsigned char *buf, const uint64_t *words)
{
	memcpy(buf, "xdebugpy", 8);
	memcpy(buf + 8, words, sizeof(debug_313));
}

/* 3.13's offsets from its _Py_DebugOffsets, and what is refused. */
static void test_python_debug_offsets(void **state)
{
	unsigned char buf[PY_DEBUG_OFFSETS_SIZE];
	uint64_t w[72];
	struct py_offsets o = {0};
	const uint32_t hex = 0x030d00f0;

	(void)state;
	assert_int_equal(sizeof(buf), 8 + sizeof(debug_313));
	debug_buf(buf, debug_313);
	assert_int_equal(py_debug_offsets(buf, sizeof(buf), hex, &o), 0);
	assert_int_equal(o.version, 0x030d);
	assert_int_equal(o.rt_interp_head, 632);
	assert_int_equal(o.is_next, 7264);
	assert_int_equal(o.is_threads_head, 7344);
	assert_int_equal(o.ts_next, 8);
	assert_int_equal(o.ts_native_tid, 160);
	/* no cframe: the thread state has the frame */
	assert_int_equal(o.ts_cframe, 0);
	assert_int_equal(o.ts_current_frame, 72);
	assert_int_equal(o.ts_datastack_chunk, 232);
	assert_int_equal(o.ts_datastack_top, 240);
	assert_int_equal(o.if_code, 0);
	assert_int_equal(o.if_previous, 8);
	assert_int_equal(o.if_prev_instr, 56);
	assert_int_equal(o.if_owner, 70);
	assert_int_equal(o.owner_cstack, 3);
	assert_int_equal(o.ob_type, 8);
	assert_int_equal(o.co_firstlineno, 68);
	assert_int_equal(o.co_filename, 112);
	assert_int_equal(o.co_qualname, 128);
	assert_int_equal(o.co_linetable, 136);
	assert_int_equal(o.co_code, 200);
	/* not in the struct: pinned by tools/pyoffsets.c */
	assert_int_equal(o.co_firsttraceable, 184);
	assert_int_equal(o.bytes_size, 16);
	assert_int_equal(o.bytes_sval, 32);
	assert_int_equal(o.str_length, 16);
	assert_int_equal(o.str_state, 32);
	assert_int_equal(o.str_ascii_data, 40);
	/* a patch release reads the same */
	memcpy(w, debug_313, sizeof(w));
	w[0] = 0x030d05f0;
	debug_buf(buf, w);
	assert_int_equal(py_debug_offsets(buf, sizeof(buf), 0x030d05f0, &o), 0);
	/* refused, RET untouched: a short buffer, another cookie, a
	 * version other than Py_Version's or than 3.13 (3.14 changed the
	 * struct), a free-threaded build, an offset beyond its struct */
	memset(&o, 0, sizeof(o));
	debug_buf(buf, debug_313);
	assert_int_equal(py_debug_offsets(buf, sizeof(buf) - 1, hex, &o),
			 -ENOTSUP);
	buf[0] = 'X';
	assert_int_equal(py_debug_offsets(buf, sizeof(buf), hex, &o), -ENOTSUP);
	debug_buf(buf, debug_313);
	assert_int_equal(py_debug_offsets(buf, sizeof(buf), 0x030d01f0, &o),
			 -ENOTSUP);
	w[0] = 0x030e00f0;
	debug_buf(buf, w);
	assert_int_equal(py_debug_offsets(buf, sizeof(buf), 0x030e00f0, &o),
			 -ENOTSUP);
	memcpy(w, debug_313, sizeof(w));
	w[1] = 1;
	debug_buf(buf, w);
	assert_int_equal(py_debug_offsets(buf, sizeof(buf), hex, &o), -ENOTSUP);
	memcpy(w, debug_313, sizeof(w));
	w[24] = 304; /* native_thread_id at the thread state's end */
	debug_buf(buf, w);
	assert_int_equal(py_debug_offsets(buf, sizeof(buf), hex, &o), -ENOTSUP);
	memcpy(w, debug_313, sizeof(w));
	w[25] = 296; /* datastack_top would be beyond it */
	debug_buf(buf, w);
	assert_int_equal(py_debug_offsets(buf, sizeof(buf), hex, &o), -ENOTSUP);
	assert_int_equal(o.version, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwinds_our_frames),
		cmocka_unit_test(test_deep_stack_reads_on_once),
		cmocka_unit_test(test_modules_of_a_space),
		cmocka_unit_test(test_symbol_within_its_size),
		cmocka_unit_test(test_sigprocmask_while_walking),
		cmocka_unit_test(test_python_frames),
		cmocka_unit_test(test_python_walks_batched),
		cmocka_unit_test(test_python_linetable),
		cmocka_unit_test(test_python_linetable_garbage),
		cmocka_unit_test(test_python_debug_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
