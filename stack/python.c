// SPDX-License-Identifier: MIT
/* Python frames of CPython 3.11, 3.12 and 3.13 (python.h). */
#include "python.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>

#include "python-offsets.h"
#include "util.h"

/* Threads walked at most, so that a cycle in a corrupt interpreter
 * state ends; frames of the C stack skipped at most in one walk. */
#define PY_MAX_THREADS 4096
#define PY_SKIP_MAX 64
#define PY_FRAMES_MAX 64
#define PY_LINETABLE_MAX 65536
/* the data stack read at once, below its top: 16 KiB is CPython's
 * first chunk; frames below it are read one by one */
#define PY_WINDOW 16384
/* code objects cached, by address, and threads remembered, by thread
 * id (powers of two); code objects of a thread's last walk read again
 * with its state */
#define PY_CACHE_SIZE 256
#define PY_THREADS_CACHED 64
#define PY_GUESS_MAX 32
#define PY_ALONE_MAX 8
/*
 * Each element of a process_vm_readv costs about as much as two pages
 * more of one (the kernel pins each element's pages apart): ranges of
 * the tracee less than PY_GAP apart are read as one, PY_GAP_BUDGET
 * bytes of gaps at most in one read.
 */
#define PY_GAP 4096
#define PY_GAP_BUDGET 16384
/* the bytes read of a thread state, a frame, a code object at most */
#define PY_TS_MAX 1024
#define PY_FRAME_MAX 128
#define PY_CODE_SPAN_MAX 256
/* FRAME_OWNED_BY_GENERATOR, and where 3.13's code objects have their
 * _co_firsttraceable (both checked by tools/pyoffsets.c) */
#define PY_OWNED_BY_GENERATOR 1
#define PY_313_FIRSTTRACEABLE 184

static const struct py_offsets *const py_tables[] = {
	&offsets_311,
	&offsets_312,
};

/* What tells one code object from another at the same address: the
 * fields whose values are cached with it, and its type. */
struct code_id {
	uint64_t type, filename, qualname, linetable;
	int32_t first;
};

struct py_code {
	uint64_t addr; /* 0: none */
	uint64_t used; /* py_cache.clock when last used */
	struct code_id id;
	char file[PY_FILE_MAX];
	char function[PY_NAME_MAX];
	unsigned char *lt; /* co_linetable's bytes, NLT of them */
	size_t nlt;
};

/*
 * Where the last walk of a thread found its state, frames and code: the
 * next walk reads them all again in one process_vm_readv, and reads
 * apart only what moved since.
 */
struct py_thread {
	pid_t tid; /* 0: none */
	uint64_t ts, cframe, chunk;
	uint64_t is, prev; /* its interpreter, the state before it */
	uint64_t lo;	   /* the data stack read, WINDOW bytes from LO */
	size_t window;
	int ncode, nalone;
	uint64_t code[PY_GUESS_MAX];
	/* frames not in the data stack: 3.12's entry frames, on the C
	 * stack, and generators' */
	uint64_t alone[PY_ALONE_MAX];
};

struct py_cache {
	struct py_code code[PY_CACHE_SIZE];
	uint64_t clock;
	struct py_thread thread[PY_THREADS_CACHED];
	unsigned char window[PY_WINDOW];
	/* the first read of a walk (as the last walk found the thread),
	 * and the spans of the code objects read after the frames */
	unsigned char first[PY_TS_MAX + 3 * 8 + PY_WINDOW +
			    PY_GUESS_MAX * PY_CODE_SPAN_MAX +
			    PY_ALONE_MAX * PY_FRAME_MAX + PY_GAP_BUDGET];
	unsigned char spans[PY_FRAMES_MAX * PY_CODE_SPAN_MAX + PY_GAP_BUDGET];
};

/* --- the ELF dynamic symbols of an image -------------------------- */

/* The value of the dynamic symbol NAME in image M, or 0. */
static uint64_t dynsym(const struct module_image *m, const char *name)
{
	const Elf64_Ehdr *eh = (const void *)m->img;
	const Elf64_Shdr *sh;

	if (eh->e_shentsize != sizeof(*sh) || eh->e_shoff > m->size ||
	    (uint64_t)eh->e_shnum * sizeof(*sh) > m->size - eh->e_shoff)
		return 0;
	sh = (const void *)(m->img + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *str;
		const Elf64_Sym *sym;
		size_t n;

		if (sh[i].sh_type != SHT_DYNSYM ||
		    sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_entsize != sizeof(*sym) ||
		    sh[i].sh_offset > m->size ||
		    sh[i].sh_size > m->size - sh[i].sh_offset)
			continue;
		str = &sh[sh[i].sh_link];
		if (str->sh_offset > m->size ||
		    str->sh_size > m->size - str->sh_offset)
			continue;
		sym = (const void *)(m->img + sh[i].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		for (size_t k = 0; k < n; k++) {
			const char *s;

			if (sym[k].st_name >= str->sh_size ||
			    sym[k].st_shndx == SHN_UNDEF)
				continue;
			s = (const char *)m->img + str->sh_offset +
			    sym[k].st_name;
			if (strnlen(s, str->sh_size - sym[k].st_name) <
				    str->sh_size - sym[k].st_name &&
			    !strcmp(s, name))
				return sym[k].st_value;
		}
	}
	return 0;
}

/* --- tracee memory --------------------------------------------------- */

static int rd(pid_t tid, uint64_t addr, void *buf, size_t n)
{
	struct iovec local = {buf, n}, remote = {(void *)addr, n};

	if (!addr)
		return -EFAULT;
	return process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)n
		       ? 0
		       : -EFAULT;
}

static uint64_t rq(pid_t tid, uint64_t addr)
{
	uint64_t v = 0;

	return rd(tid, addr, &v, sizeof(v)) < 0 ? 0 : v;
}

static uint64_t get64(const unsigned char *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* A str object into OUT: compact ASCII only, else "?". */
static void read_str(const struct py_offsets *o, pid_t tid, uint64_t obj,
		     char *out, size_t max)
{
	unsigned char h[64];
	size_t hn = max_sz(o->str_length + 8u, o->str_state + 4u);
	int64_t len;
	uint32_t state;

	strcpy(out, "?");
	if (hn > sizeof(h) || rd(tid, obj, h, hn) < 0)
		return;
	memcpy(&len, h + o->str_length, sizeof(len));
	memcpy(&state, h + o->str_state, sizeof(state));
	/* kind 1 (one byte a character), compact, ASCII: the data follows
	 * the PyASCIIObject; names and file names are */
	if (((state >> 2) & 7) != 1 || !((state >> 5) & 1) ||
	    !((state >> 6) & 1) || len < 0)
		return;
	if ((uint64_t)len >= max)
		len = (int64_t)max - 1;
	if (rd(tid, obj + o->str_ascii_data, out, (size_t)len) < 0) {
		strcpy(out, "?");
		return;
	}
	out[len] = '\0';
}

/* --- line numbers ---------------------------------------------------- */

static unsigned varint(const unsigned char **p, const unsigned char *end)
{
	unsigned v, shift = 0;

	if (*p >= end)
		return 0;
	v = **p & 63;
	while (**p & 64) {
		(*p)++;
		shift += 6;
		if (*p >= end || shift > 24)
			return v;
		v |= (unsigned)(**p & 63) << shift;
	}
	(*p)++;
	return v;
}

static int svarint(const unsigned char **p, const unsigned char *end)
{
	unsigned v = varint(p, end);

	return v & 1 ? -(int)(v >> 1) : (int)(v >> 1);
}

int py_addr2line(const unsigned char *lt, size_t n, int firstlineno, int addrq)
{
	const unsigned char *p = lt, *end = lt + n;
	/* a table of garbage may add up beyond an int */
	int64_t line = firstlineno, addr = 0;

	if (addrq < 0)
		return firstlineno;
	while (p < end) {
		unsigned char b = *p++;
		int code = (b >> 3) & 15, len = (b & 7) + 1;
		bool has = true;

		switch (code) {
		case 15: /* no location */
			has = false;
			break;
		case 14: /* long form: line delta, end line, columns */
			line += svarint(&p, end);
			varint(&p, end);
			varint(&p, end);
			varint(&p, end);
			break;
		case 13: /* no column */
			line += svarint(&p, end);
			break;
		case 10:
		case 11:
		case 12: /* one-line forms: delta 0, 1, 2, two column bytes */
			line += code - 10;
			p += 2;
			break;
		default: /* short form: same line, one column byte */
			p += 1;
			break;
		}
		if (addrq < addr + len * 2)
			return has && line >= INT_MIN && line <= INT_MAX
				       ? (int)line
				       : -1;
		addr += len * 2;
		/* the next entry starts with its high bit set */
		while (p < end && !(*p & 0x80))
			p++;
	}
	return -1;
}

int py_instr_line(const unsigned char *lt, size_t n, int firstlineno,
		  uint64_t start, uint64_t instr)
{
	/* 3.11 and 3.12's prev_instr is one code unit before the first
	 * until the frame runs: the first line, as CPython says */
	if (instr < start)
		return start - instr <= 2 ? py_addr2line(lt, n, firstlineno, -2)
					  : -1;
	if (instr - start > INT_MAX / 2)
		return -1;
	return py_addr2line(lt, n, firstlineno,
			    (int)((instr - start) & ~(uint64_t)1));
}

/* --- 3.13's _Py_DebugOffsets ------------------------------------- */

/* Include/internal/pycore_runtime.h of 3.13, field for field (the
 * struct may change between minor versions, never within one). */
struct debug_offsets_313 {
	char cookie[8];
	uint64_t version, free_threaded;
	struct {
		uint64_t size, finalizing, interpreters_head;
	} runtime_state;
	struct {
		uint64_t size, id, next, threads_head, gc, imports_modules,
			sysdict, builtins, ceval_gil, gil_runtime_state,
			gil_runtime_state_enabled, gil_runtime_state_locked,
			gil_runtime_state_holder;
	} interpreter_state;
	struct {
		uint64_t size, prev, next, interp, current_frame, thread_id,
			native_thread_id, datastack_chunk, status;
	} thread_state;
	struct {
		uint64_t size, previous, executable, instr_ptr, localsplus,
			owner;
	} interpreter_frame;
	struct {
		uint64_t size, filename, name, qualname, linetable, firstlineno,
			argcount, localsplusnames, localspluskinds,
			co_code_adaptive;
	} code_object;
	struct {
		uint64_t size, ob_type;
	} pyobject;
	struct {
		uint64_t size, tp_name, tp_repr, tp_flags;
	} type_object;
	struct {
		uint64_t size, ob_item, ob_size;
	} tuple_object, list_object;
	struct {
		uint64_t size, ma_keys, ma_values;
	} dict_object;
	struct {
		uint64_t size, ob_fval;
	} float_object;
	struct {
		uint64_t size, lv_tag, ob_digit;
	} long_object;
	struct {
		uint64_t size, ob_size, ob_sval;
	} bytes_object;
	struct {
		uint64_t size, state, length, asciiobject_size;
	} unicode_object;
	struct {
		uint64_t size, collecting;
	} gc;
};

_Static_assert(sizeof(struct debug_offsets_313) == PY_DEBUG_OFFSETS_SIZE,
	       "3.13's _Py_DebugOffsets is 584 bytes");

/* A field of W bytes at OFF in a struct of SIZE into *RET: false if it
 * is not within the struct or does not fit our tables. */
static bool field(uint64_t off, uint64_t w, uint64_t size, uint16_t *ret)
{
	if (off > UINT16_MAX || off + w > size)
		return false;
	*ret = (uint16_t)off;
	return true;
}

int py_debug_offsets(const void *buf, size_t n, uint32_t hex,
		     struct py_offsets *ret)
{
	struct debug_offsets_313 d;
	struct py_offsets o = {.version = hex >> 16, .owner_cstack = 3};
	uint16_t chunk;

	if (n < sizeof(d))
		return -ENOTSUP;
	memcpy(&d, buf, sizeof(d));
	if (memcmp(d.cookie, "xdebugpy", 8) || d.version != hex ||
	    hex >> 16 != 0x030d || d.free_threaded)
		return -ENOTSUP;
	/* datastack_top is the word after datastack_chunk (checked by
	 * tools/pyoffsets.c against 3.13's headers) */
	if (!field(d.runtime_state.interpreters_head, 8, d.runtime_state.size,
		   &o.rt_interp_head) ||
	    !field(d.interpreter_state.next, 8, d.interpreter_state.size,
		   &o.is_next) ||
	    !field(d.interpreter_state.threads_head, 8,
		   d.interpreter_state.size, &o.is_threads_head) ||
	    !field(d.thread_state.prev, 8, d.thread_state.size, &o.ts_prev) ||
	    !field(d.thread_state.next, 8, d.thread_state.size, &o.ts_next) ||
	    !field(d.thread_state.native_thread_id, 8, d.thread_state.size,
		   &o.ts_native_tid) ||
	    !field(d.thread_state.current_frame, 8, d.thread_state.size,
		   &o.ts_current_frame) ||
	    !field(d.thread_state.datastack_chunk, 16, d.thread_state.size,
		   &chunk) ||
	    !field(d.interpreter_frame.executable, 8, d.interpreter_frame.size,
		   &o.if_code) ||
	    !field(d.interpreter_frame.previous, 8, d.interpreter_frame.size,
		   &o.if_previous) ||
	    !field(d.interpreter_frame.instr_ptr, 8, d.interpreter_frame.size,
		   &o.if_prev_instr) ||
	    !field(d.interpreter_frame.owner, 1, d.interpreter_frame.size,
		   &o.if_owner) ||
	    !field(d.pyobject.ob_type, 8, d.pyobject.size, &o.ob_type) ||
	    !field(d.code_object.firstlineno, 4, d.code_object.size,
		   &o.co_firstlineno) ||
	    !field(d.code_object.filename, 8, d.code_object.size,
		   &o.co_filename) ||
	    !field(d.code_object.qualname, 8, d.code_object.size,
		   &o.co_qualname) ||
	    !field(d.code_object.linetable, 8, d.code_object.size,
		   &o.co_linetable) ||
	    !field(d.code_object.co_code_adaptive, 2, d.code_object.size,
		   &o.co_code) ||
	    !field(PY_313_FIRSTTRACEABLE, 4, d.code_object.size,
		   &o.co_firsttraceable) ||
	    !field(d.bytes_object.ob_size, 8, d.bytes_object.size,
		   &o.bytes_size) ||
	    !field(d.bytes_object.ob_sval, 1, d.bytes_object.size,
		   &o.bytes_sval) ||
	    !field(d.unicode_object.length, 8, d.unicode_object.size,
		   &o.str_length) ||
	    !field(d.unicode_object.state, 4, d.unicode_object.size,
		   &o.str_state) ||
	    !field(d.unicode_object.asciiobject_size, 0, d.unicode_object.size,
		   &o.str_ascii_data))
		return -ENOTSUP;
	o.ts_datastack_chunk = chunk;
	o.ts_datastack_top = chunk + 8;
	*ret = o;
	return 0;
}

/* --- the interpreter ------------------------------------------------- */

/* The bytes read of a thread state, of a frame, and where the span of
 * a code object read at each walk begins and how long it is. */
static size_t ts_bytes(const struct py_offsets *o)
{
	size_t n = max_sz(o->ts_prev, max_sz(o->ts_next, o->ts_native_tid));

	n = max_sz(n, o->ts_cframe ? o->ts_cframe : o->ts_current_frame);
	n = max_sz(n, max_sz(o->ts_datastack_chunk, o->ts_datastack_top));
	return n + 8;
}

static size_t frame_bytes(const struct py_offsets *o)
{
	size_t n = max_sz(o->if_code, max_sz(o->if_previous, o->if_prev_instr));

	return max_sz(n + 8, o->if_owner + 1u);
}

static size_t span_of(const struct py_offsets *o, size_t *ret_len)
{
	size_t lo = o->ob_type, hi = o->ob_type + 8u;
	const uint16_t ptrs[] = {o->co_filename, o->co_qualname,
				 o->co_linetable};
	const uint16_t ints[] = {o->co_firstlineno, o->co_firsttraceable};

	for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
		lo = ints[i] < lo ? ints[i] : lo;
		hi = max_sz(hi, ints[i] + 4u);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ptrs); i++) {
		lo = ptrs[i] < lo ? ptrs[i] : lo;
		hi = max_sz(hi, ptrs[i] + 8u);
	}
	*ret_len = hi - lo;
	return lo;
}

static bool offsets_fit(const struct py_offsets *o)
{
	size_t len;

	span_of(o, &len);
	return ts_bytes(o) <= PY_TS_MAX && frame_bytes(o) <= PY_FRAME_MAX &&
	       len <= PY_CODE_SPAN_MAX;
}

int py_runtime_find(struct module_space *s, struct py_runtime *rt)
{
	memset(rt, 0, sizeof(*rt));
	if (s->stale && module_space_refresh(s) < 0)
		return -ESRCH;
	for (int i = 0; i < s->nmaps; i++) {
		const struct module_map *m = &s->maps[i];
		uint64_t runtime =
			m->image ? dynsym(m->image, "_PyRuntime") : 0;
		uint64_t version =
			m->image ? dynsym(m->image, "Py_Version") : 0;
		uint64_t code_type;
		uint32_t hex = 0;

		if (!runtime)
			continue;
		rt->runtime = runtime + m->bias;
		/* 3.7 to 3.10 have a _PyRuntime but no Py_Version */
		if (!version)
			return -ENOTSUP;
		/* the tracee's own value, not the file's */
		if (rd(s->pid, version + m->bias, &hex, sizeof(hex)) < 0)
			return -EFAULT;
		rt->version = hex;
		code_type = dynsym(m->image, "PyCode_Type");
		rt->code_type = code_type ? code_type + m->bias : 0;
		/* a release (level 0xf: final), not a debug build (whose
		 * layouts differ: Py_DEBUG implies Py_REF_DEBUG) */
		if ((hex >> 4 & 0xf) != 0xf ||
		    dynsym(m->image, "_Py_NegativeRefcount"))
			return -ENOTSUP;
		for (size_t k = 0; k < ARRAY_SIZE(py_tables); k++)
			if (hex >> 16 == py_tables[k]->version)
				rt->off = py_tables[k];
		if (!rt->off && hex >> 16 == 0x030d) {
			unsigned char d[PY_DEBUG_OFFSETS_SIZE];

			if (rd(s->pid, rt->runtime, d, sizeof(d)) < 0)
				return -EFAULT;
			if (py_debug_offsets(d, sizeof(d), hex, &rt->debug) ==
			    0)
				rt->off = &rt->debug;
		}
		if (!rt->off || !offsets_fit(rt->off)) {
			rt->off = NULL;
			return -ENOTSUP;
		}
		return 0;
	}
	return -ENOENT;
}

void py_runtime_release(struct py_runtime *rt)
{
	if (!rt->cache)
		return;
	for (int i = 0; i < PY_CACHE_SIZE; i++)
		free(rt->cache->code[i].lt);
	free(rt->cache);
	rt->cache = NULL;
}

/*
 * The thread state of TID, its first bytes (ts_bytes) in H, its
 * interpreter in *RET_IS; 0: none.
 */
static uint64_t thread_state(struct py_runtime *rt, pid_t tid, unsigned char *h,
			     uint64_t *ret_is)
{
	const struct py_offsets *o = rt->off;
	size_t n = ts_bytes(o);
	int seen = 0;

	rt->ts_lookups++;
	/* one bound over both lists: the tracee's other threads run while
	 * they are read, and a list torn or cyclic must not hang us */
	for (uint64_t is = rq(tid, rt->runtime + o->rt_interp_head);
	     is && seen++ < PY_MAX_THREADS; is = rq(tid, is + o->is_next))
		for (uint64_t ts = rq(tid, is + o->is_threads_head);
		     ts && seen++ < PY_MAX_THREADS && rd(tid, ts, h, n) == 0;
		     ts = get64(h, o->ts_next))
			if ((pid_t)get64(h, o->ts_native_tid) == tid) {
				*ret_is = is;
				return ts;
			}
	return 0;
}

/* What a walk read before its frames. */
struct walk {
	unsigned char ts[PY_TS_MAX]; /* the thread state's first bytes */
	uint64_t frame;		     /* the innermost */
	const unsigned char *win;    /* the data stack, GOT bytes from LO */
	uint64_t lo;
	size_t got;
	/* the spans of the last walk's code objects (py_thread.code), as
	 * read with the thread state; NULL: not read */
	const unsigned char *guess[PY_GUESS_MAX];
	int nguess;
	/* the last walk's frames read alone (py_thread.alone), read with
	 * the thread state */
	const unsigned char *alone[PY_ALONE_MAX];
	int nalone;
};

/* A range of the tracee's memory to read, and where it was read. */
struct range {
	uint64_t addr;
	size_t len;
	const unsigned char *got; /* NULL: it was not */
};

#define PY_RANGES_MAX (5 + PY_GUESS_MAX + PY_ALONE_MAX + PY_FRAMES_MAX)

/*
 * The N ranges R of TID's memory in one process_vm_readv into BUF
 * (large enough for their bytes and PY_GAP_BUDGET more), those near one
 * another in one element. A short read stops at an element: the ranges
 * from it on, by address, are not read.
 */
static void gather(pid_t tid, struct range *r, int n, unsigned char *buf)
{
	struct iovec local[PY_RANGES_MAX], remote[PY_RANGES_MAX];
	int ord[PY_RANGES_MAX], el[PY_RANGES_MAX], k = 0, done;
	size_t off[PY_RANGES_MAX], used = 0, gaps = 0, left;
	ssize_t got;

	for (int i = 0; i < n; i++) {
		int j = i;

		while (j > 0 && r[ord[j - 1]].addr > r[i].addr) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = i;
	}
	for (int j = 0; j < n; j++) {
		struct range *x = &r[ord[j]];
		uint64_t s = k ? (uint64_t)remote[k - 1].iov_base : 0;
		uint64_t e = k ? s + remote[k - 1].iov_len : 0;
		uint64_t gap = x->addr > e ? x->addr - e : 0;

		x->got = NULL;
		el[ord[j]] = -1;
		if (!x->addr || !x->len || x->addr + x->len < x->addr)
			continue;
		if (k && gap <= PY_GAP && gaps + gap <= PY_GAP_BUDGET) {
			size_t grow =
				x->addr + x->len > e ? x->addr + x->len - e : 0;

			gaps += gap;
			remote[k - 1].iov_len += grow;
			local[k - 1].iov_len += grow;
			used += grow;
			el[ord[j]] = k - 1;
			off[ord[j]] = x->addr - s;
			continue;
		}
		local[k] = (struct iovec){buf + used, x->len};
		remote[k] = (struct iovec){(void *)x->addr, x->len};
		el[ord[j]] = k++;
		off[ord[j]] = 0;
		used += x->len;
	}
	got = k ? process_vm_readv(tid, local, (unsigned long)k, remote,
				   (unsigned long)k, 0)
		: 0;
	left = got > 0 ? (size_t)got : 0;
	for (done = 0; done < k && left >= local[done].iov_len; done++)
		left -= local[done].iov_len;
	for (int i = 0; i < n; i++)
		if (el[i] >= 0 && el[i] < done)
			r[i].got =
				(unsigned char *)local[el[i]].iov_base + off[i];
}

/* The end of the page of the byte before ADDR. */
static uint64_t page_end(uint64_t addr)
{
	return (addr + 4095) & ~(uint64_t)4095;
}

/* The data stack below TOP, at most PY_WINDOW bytes from CHUNK up. */
static void read_window(struct py_cache *c, pid_t tid, uint64_t chunk,
			uint64_t top, struct walk *w)
{
	uint64_t lo = top - chunk > PY_WINDOW ? top - PY_WINDOW : chunk;
	struct iovec local = {c->window, top - lo};
	struct iovec remote = {(void *)lo, top - lo};
	ssize_t r;

	w->win = c->window;
	w->got = 0;
	if (!chunk || top <= chunk)
		return;
	r = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	w->lo = lo;
	w->got = r > 0 ? (size_t)r : 0;
}

/*
 * Whether TH's state, whose first bytes are H, is still in its
 * interpreter's list (a state freed keeps its thread id, and may be
 * read until its memory is taken again): the state before it points
 * at it, or the list begins with it. PREV_NEXT and HEAD are those
 * pointers as read with H where the last walk found them (NULL: not
 * read).
 */
static bool still_linked(const struct py_offsets *o, pid_t tid,
			 const struct py_thread *th, const unsigned char *h,
			 const unsigned char *prev_next,
			 const unsigned char *head)
{
	uint64_t prev = get64(h, o->ts_prev);

	if (!prev)
		return head && get64(head, 0) == th->ts;
	if (prev == th->prev && prev_next)
		return get64(prev_next, 0) == th->ts;
	return rq(tid, prev + o->ts_next) == th->ts;
}

/*
 * TH's thread state, its current frame, its data stack and the spans
 * of its code objects, where its last walk found them, in one read:
 * false if the state is no longer TID's. What moved is read again.
 */
static bool read_as_before(const struct py_runtime *rt, pid_t tid,
			   const struct py_thread *th, struct walk *w)
{
	const struct py_offsets *o = rt->off;
	struct py_cache *c = rt->cache;
	struct range r[PY_RANGES_MAX - PY_FRAMES_MAX];
	size_t id_len, id_lo = span_of(o, &id_len);
	uint64_t chunk, top;
	int k = 0, cf = -1, win, guess, alone, link;

	r[k++] = (struct range){th->ts, ts_bytes(o), NULL};
	link = k;
	r[k++] = (struct range){th->prev ? th->prev + o->ts_next : 0, 8, NULL};
	r[k++] = (struct range){th->is + o->is_threads_head, 8, NULL};
	if (o->ts_cframe) {
		cf = k;
		r[k++] = (struct range){th->cframe + o->cf_current, 8, NULL};
	}
	win = k;
	r[k++] = (struct range){th->lo, th->window, NULL};
	guess = k;
	for (int i = 0; i < th->ncode; i++)
		r[k++] = (struct range){th->code[i] + id_lo, id_len, NULL};
	alone = k;
	for (int i = 0; i < th->nalone; i++)
		r[k++] = (struct range){th->alone[i], frame_bytes(o), NULL};
	gather(tid, r, k, c->first);
	if (!r[0].got)
		return false;
	memcpy(w->ts, r[0].got, ts_bytes(o));
	if ((pid_t)get64(w->ts, o->ts_native_tid) != tid ||
	    !still_linked(o, tid, th, w->ts, r[link].got, r[link + 1].got))
		return false;
	if (!o->ts_cframe)
		w->frame = get64(w->ts, o->ts_current_frame);
	else if (r[cf].got && get64(w->ts, o->ts_cframe) == th->cframe)
		w->frame = get64(r[cf].got, 0);
	else
		w->frame = rq(tid, get64(w->ts, o->ts_cframe) + o->cf_current);
	chunk = get64(w->ts, o->ts_datastack_chunk);
	top = get64(w->ts, o->ts_datastack_top);
	if (r[win].got && chunk == th->chunk && top > th->lo &&
	    top - th->lo <= th->window) {
		w->win = r[win].got;
		w->lo = th->lo;
		w->got = top - th->lo;
	} else {
		read_window(c, tid, chunk, top, w);
	}
	for (int i = 0; i < th->ncode; i++)
		w->guess[i] = r[guess + i].got;
	w->nguess = th->ncode;
	for (int i = 0; i < th->nalone; i++)
		w->alone[i] = r[alone + i].got;
	w->nalone = th->nalone;
	return true;
}

/* What the next walk of TID reads in one: as this one found it. */
static void remember(struct py_thread *th, const struct py_offsets *o,
		     pid_t tid, uint64_t is, uint64_t ts, const struct walk *w,
		     const uint64_t *code, int n, const uint64_t *alone,
		     int nalone)
{
	uint64_t chunk = get64(w->ts, o->ts_datastack_chunk);
	uint64_t top = get64(w->ts, o->ts_datastack_top);
	/* up to the end of the top's page, where the next frames go */
	uint64_t end = page_end(top);

	th->tid = tid;
	th->ts = ts;
	th->is = is;
	th->prev = get64(w->ts, o->ts_prev);
	th->cframe = o->ts_cframe ? get64(w->ts, o->ts_cframe) : 0;
	th->chunk = chunk;
	th->lo = end - chunk > PY_WINDOW ? end - PY_WINDOW : chunk;
	th->window = chunk && top > chunk ? end - th->lo : 0;
	th->ncode = 0;
	for (int i = 0; i < n && th->ncode < PY_GUESS_MAX; i++) {
		int k = 0;

		while (k < th->ncode && th->code[k] != code[i])
			k++;
		if (k == th->ncode)
			th->code[th->ncode++] = code[i];
	}
	th->nalone = nalone < PY_ALONE_MAX ? nalone : PY_ALONE_MAX;
	memcpy(th->alone, alone, (size_t)th->nalone * sizeof(*alone));
}

/*
 * The entry of the code object at ADDR: two ways a set, by a
 * multiplicative hash of its address; else the way used less recently,
 * to be read.
 */
static struct py_code *cache_entry(struct py_cache *c, uint64_t addr)
{
	uint64_t set = (addr * 0x9e3779b97f4a7c15ull) >> 57 << 1;
	struct py_code *a = &c->code[set], *b = a + 1;

	if (b->addr == addr)
		a = b;
	else if (a->addr != addr && b->used < a->used)
		a = b;
	a->used = ++c->clock;
	return a;
}

static bool id_eq(const struct code_id *a, const struct code_id *b)
{
	return a->type == b->type && a->filename == b->filename &&
	       a->qualname == b->qualname && a->linetable == b->linetable &&
	       a->first == b->first;
}

/* The code object at ADDR, whose fields read are ID, into E. */
static void code_read(const struct py_offsets *o, pid_t tid, struct py_code *e,
		      uint64_t addr, const struct code_id *id)
{
	int64_t len = (int64_t)rq(tid, id->linetable + o->bytes_size);

	e->addr = addr;
	e->id = *id;
	read_str(o, tid, id->filename, e->file, sizeof(e->file));
	read_str(o, tid, id->qualname, e->function, sizeof(e->function));
	e->nlt = 0;
	if (len <= 0 || len > PY_LINETABLE_MAX)
		return;
	e->lt = xrealloc(e->lt, (size_t)len);
	if (rd(tid, id->linetable + o->bytes_sval, e->lt, (size_t)len) == 0)
		e->nlt = (size_t)len;
}

/*
 * The spans of the N code objects CODE into SPAN[i] (NULL: unreadable):
 * those the first read had (as the last walk's), the others in one read
 * now.
 */
static void code_spans(const struct py_runtime *rt, pid_t tid,
		       const struct py_thread *th, const struct walk *w,
		       const uint64_t *code, int n, const unsigned char **span)
{
	const struct py_offsets *o = rt->off;
	struct range r[PY_FRAMES_MAX];
	int at[PY_FRAMES_MAX], k = 0;
	size_t id_len, id_lo = span_of(o, &id_len);

	for (int i = 0; i < n; i++) {
		int g = 0;

		while (g < w->nguess && th->code[g] != code[i])
			g++;
		span[i] = g < w->nguess ? w->guess[g] : NULL;
		if (span[i])
			continue;
		at[k] = i;
		r[k++] = (struct range){code[i] + id_lo, id_len, NULL};
	}
	gather(tid, r, k, rt->cache->spans);
	for (int j = 0; j < k; j++)
		span[at[j]] = r[j].got;
}

/* The frames of one walk, innermost first, and those of them read one
 * by one. */
struct frames {
	uint64_t code[PY_FRAMES_MAX], instr[PY_FRAMES_MAX];
	int8_t owner[PY_FRAMES_MAX];
	int n;
	uint64_t alone[PY_ALONE_MAX];
	int nalone;
};

/* The frames from W's innermost into FR, at most MAX. */
static void walk_frames(struct py_runtime *rt, pid_t tid,
			const struct py_thread *th, const struct walk *w,
			int max, struct frames *fr)
{
	const struct py_offsets *o = rt->off;
	size_t fb = frame_bytes(o);
	uint64_t frame = w->frame;
	int steps = 0;

	fr->n = fr->nalone = 0;
	while (frame && fr->n < max && steps++ < max + PY_SKIP_MAX) {
		unsigned char h[PY_FRAME_MAX];
		const unsigned char *p = NULL;

		if (frame >= w->lo && frame - w->lo <= w->got &&
		    w->got - (frame - w->lo) >= fb) {
			p = w->win + (frame - w->lo);
			rt->frames_batched++;
		} else {
			for (int i = 0; i < w->nalone && !p; i++)
				if (th->alone[i] == frame)
					p = w->alone[i];
			if (!p && rd(tid, frame, h, fb) == 0)
				p = h;
			if (!p)
				break;
			if (fr->nalone < PY_ALONE_MAX)
				fr->alone[fr->nalone++] = frame;
			rt->frames_alone++;
		}
		frame = get64(p, o->if_previous);
		/* 3.12's shim and entry frames: the C stack's, no code of
		 * the program's */
		if (o->owner_cstack >= 0 &&
		    (int8_t)p[o->if_owner] == o->owner_cstack)
			continue;
		fr->code[fr->n] = get64(p, o->if_code);
		fr->instr[fr->n] = get64(p, o->if_prev_instr);
		fr->owner[fr->n] = (int8_t)p[o->if_owner];
		if (!fr->code[fr->n])
			break;
		fr->n++;
	}
}

int py_frames(struct py_runtime *rt, pid_t tid, struct py_frame *f, int max)
{
	const struct py_offsets *o = rt->off;
	struct walk w = {.nguess = 0};
	struct frames fr = {.n = 0};
	const unsigned char *span[PY_FRAMES_MAX];
	uint64_t is = 0, ts = 0;
	size_t id_len, id_lo;
	struct py_thread *th;
	struct py_cache *c;
	int out = 0;

	if (!o)
		return -ENOTSUP;
	if (max > PY_FRAMES_MAX)
		max = PY_FRAMES_MAX;
	if (!rt->cache)
		rt->cache = xcalloc(1, sizeof(*rt->cache));
	c = rt->cache;
	th = &c->thread[(unsigned)tid & (PY_THREADS_CACHED - 1)];
	if (th->tid == tid && read_as_before(rt, tid, th, &w)) {
		is = th->is;
		ts = th->ts;
		walk_frames(rt, tid, th, &w, max, &fr);
	}
	/* no frames from the state the last walk found may be no proof
	 * that the thread runs none: look for its state again */
	if (!fr.n) {
		th->tid = 0;
		w.nguess = w.nalone = 0;
		ts = thread_state(rt, tid, w.ts, &is);
		if (!ts)
			return 0;
		w.frame = o->ts_cframe ? rq(tid, get64(w.ts, o->ts_cframe) +
							 o->cf_current)
				       : get64(w.ts, o->ts_current_frame);
		/* the frames a thread runs are in its data stack, the
		 * innermost at its top: one read gives them (a
		 * generator's is in the generator, an outer one may be in
		 * an older chunk) */
		read_window(c, tid, get64(w.ts, o->ts_datastack_chunk),
			    get64(w.ts, o->ts_datastack_top), &w);
		walk_frames(rt, tid, th, &w, max, &fr);
	}
	/* each code object's identity, read in this walk: a cached one
	 * whose fields changed was freed, and another took its address */
	code_spans(rt, tid, th, &w, fr.code, fr.n, span);
	remember(th, o, tid, is, ts, &w, fr.code, fr.n, fr.alone, fr.nalone);
	id_lo = span_of(o, &id_len);
	for (int i = 0; i < fr.n && span[i]; i++) {
		const unsigned char *s = span[i];
		struct code_id id = {
			.type = get64(s, o->ob_type - id_lo),
			.filename = get64(s, o->co_filename - id_lo),
			.qualname = get64(s, o->co_qualname - id_lo),
			.linetable = get64(s, o->co_linetable - id_lo),
		};
		uint64_t start = fr.code[i] + o->co_code;
		struct py_code *e;
		int32_t ft;

		memcpy(&id.first, s + (o->co_firstlineno - id_lo),
		       sizeof(id.first));
		memcpy(&ft, s + (o->co_firsttraceable - id_lo), sizeof(ft));
		/* 3.13's f_executable may be no code object */
		if (rt->code_type && id.type != rt->code_type)
			continue;
		/* a frame not begun, as _PyFrame_IsIncomplete says: 3.13's
		 * shim under a class's __init__ (_Py_InitCleanup, a code
		 * object of CPython's own), one pushed but not yet run */
		if (fr.owner[i] != PY_OWNED_BY_GENERATOR && ft >= 0 &&
		    fr.instr[i] < start + 2 * (uint64_t)ft)
			continue;
		e = cache_entry(c, fr.code[i]);
		if (e->addr != fr.code[i] || !id_eq(&e->id, &id)) {
			code_read(o, tid, e, fr.code[i], &id);
			rt->code_misses++;
		}
		memcpy(f[out].file, e->file, sizeof(f[out].file));
		memcpy(f[out].function, e->function, sizeof(f[out].function));
		f[out].line = e->nlt ? py_instr_line(e->lt, e->nlt, id.first,
						     start, fr.instr[i])
				     : -1;
		out++;
	}
	return out;
}
