// SPDX-License-Identifier: MIT
/* Python frames of CPython 3.11 (python.h). */
#include "python.h"

#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>

#include "util.h"

/*
 * Offsets of a CPython build, x86_64 (a release build of 3.11: 3.11.2
 * Debian and 3.11.7 built from source gave the same, printed with
 * offsetof against the 3.11 headers, Py_BUILD_CORE and internal/).
 */
struct py_offsets {
	uint32_t version; /* major.minor, PY_VERSION_HEX >> 16 */
	uint16_t rt_interp_head;
	uint16_t is_next, is_threads_head;
	uint16_t ts_next, ts_cframe, ts_native_tid;
	uint16_t cf_current;
	uint16_t if_code, if_previous, if_prev_instr, if_owner;
	uint16_t co_firstlineno, co_filename, co_qualname, co_linetable,
		co_code;
	uint16_t bytes_size, bytes_sval;
	uint16_t str_length, str_state, str_ascii_data;
};

static const struct py_offsets offsets_311 = {
	.version = 0x030b,
	.rt_interp_head = 40,
	.is_next = 0,
	.is_threads_head = 16,
	.ts_next = 8,
	.ts_cframe = 56,
	.ts_native_tid = 160,
	.cf_current = 8,
	.if_code = 32,
	.if_previous = 48,
	.if_prev_instr = 56,
	.if_owner = 69,
	.co_firstlineno = 72,
	.co_filename = 112,
	.co_qualname = 128,
	.co_linetable = 136,
	.co_code = 184,
	.bytes_size = 16,
	.bytes_sval = 32,
	.str_length = 16,
	.str_state = 32,
	.str_ascii_data = 48,
};

/* Threads and frames walked at most, so that a cycle in a corrupt
 * interpreter state ends. */
#define PY_MAX_THREADS 4096
#define PY_LINETABLE_MAX 65536

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

/* A str object into OUT: compact ASCII or Latin-1 only, else "?". */
static void read_str(const struct py_offsets *o, pid_t tid, uint64_t obj,
		     char *out, size_t max)
{
	unsigned char h[64];
	int64_t len;
	uint32_t state;

	strcpy(out, "?");
	if (rd(tid, obj, h, sizeof(h)) < 0)
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
	int line = firstlineno, addr = 0;

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
			return has ? line : -1;
		addr += len * 2;
		/* the next entry starts with its high bit set */
		while (p < end && !(*p & 0x80))
			p++;
	}
	return -1;
}

/* --- the interpreter ------------------------------------------------- */

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
		uint32_t hex = 0;

		if (!runtime || !version)
			continue;
		rt->runtime = runtime + m->bias;
		/* the tracee's own value, not the file's */
		if (rd(s->pid, version + m->bias, &hex, sizeof(hex)) < 0)
			return -EFAULT;
		rt->version = hex;
		/* a release build of 3.11 (level 0xf: final) */
		if (hex >> 16 == offsets_311.version &&
		    (hex >> 4 & 0xf) == 0xf) {
			rt->off = &offsets_311;
			return 0;
		}
		return -ENOTSUP;
	}
	return -ENOENT;
}

static uint64_t thread_state(const struct py_runtime *rt, pid_t tid)
{
	const struct py_offsets *o = rt->off;
	int seen = 0;

	/* one bound over both lists: the tracee's other threads run while
	 * they are read, and a list torn or cyclic must not hang us */
	for (uint64_t is = rq(tid, rt->runtime + o->rt_interp_head);
	     is && seen++ < PY_MAX_THREADS; is = rq(tid, is + o->is_next))
		for (uint64_t ts = rq(tid, is + o->is_threads_head);
		     ts && seen++ < PY_MAX_THREADS;
		     ts = rq(tid, ts + o->ts_next))
			if ((pid_t)rq(tid, ts + o->ts_native_tid) == tid)
				return ts;
	return 0;
}

int py_frames(const struct py_runtime *rt, pid_t tid, struct py_frame *f,
	      int max)
{
	const struct py_offsets *o = rt->off;
	static unsigned char lt[PY_LINETABLE_MAX];
	uint64_t ts, frame;
	int n = 0;

	if (!o)
		return -ENOTSUP;
	ts = thread_state(rt, tid);
	if (!ts)
		return 0;
	frame = rq(tid, rq(tid, ts + o->ts_cframe) + o->cf_current);
	for (; frame && n < max; frame = rq(tid, frame + o->if_previous)) {
		uint64_t code = rq(tid, frame + o->if_code);
		uint64_t prev = rq(tid, frame + o->if_prev_instr);
		uint64_t table = rq(tid, code + o->co_linetable);
		int64_t len = (int64_t)rq(tid, table + o->bytes_size);
		int32_t first = 0;
		int64_t lasti;

		if (!code || rd(tid, code + o->co_firstlineno, &first,
				sizeof(first)) < 0)
			break;
		read_str(o, tid, rq(tid, code + o->co_filename), f[n].file,
			 sizeof(f[n].file));
		read_str(o, tid, rq(tid, code + o->co_qualname), f[n].function,
			 sizeof(f[n].function));
		if (len < 0 || len > (int64_t)sizeof(lt) ||
		    rd(tid, table + o->bytes_sval, lt, (size_t)len) < 0)
			len = 0;
		/* the instruction being run, in code units from the first */
		lasti = ((int64_t)prev - (int64_t)(code + o->co_code)) / 2;
		f[n].line = len ? py_addr2line(lt, (size_t)len, first,
					       (int)lasti * 2)
				: -1;
		n++;
	}
	return n;
}
