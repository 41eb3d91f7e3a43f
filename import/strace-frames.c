// SPDX-License-Identifier: MIT
/*
 * The frames strace -k prints under a call, as the stack of its event
 * (stacks.h). strace writes one line a frame, innermost first:
 *
 *   " > BINARY(SYMBOL+0xOFF) [0xADDR]"       a frame it could name
 *   " > BINARY(SYMBOL+0xOFF) [0xADDR] FILE:LINE"   with its source line
 *   " > BINARY() [0xADDR]"                   a frame it could not name
 *   " > ERROR [0xADDR]"                      no mapping held the address
 *   " > ERROR", " > BUG IN …"                nothing to keep: the stack
 *                                            ends there
 *
 * ADDR is an offset in BINARY's file (with its libunwind backend: the
 * instruction pointer less the mapping's start plus its file offset).
 * A frame of a stack is at a link-time address (the module's own, as
 * the tracer records it), so ADDR becomes one through the PT_LOAD
 * segment of BINARY that holds that file offset, when BINARY can be read
 * here; otherwise it is kept as it is (the two agree for the code of
 * the files the linkers of this machine make). The log's name of the
 * frame is kept with it: the report shows it when BINARY cannot name it.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strace-int.h"
#include "util.h"

/* A module's file segments, by module id (stacks.h ids are dense). */
struct seg {
	uint64_t offset, filesz, vaddr;
};

struct module_segs {
	bool read;
	int n; /* -1: the file could not be read */
	struct seg *v;
};

static void read_segs(const char *path, struct module_segs *ms)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ms->read = true;
	ms->n = -1;
	if (fd < 0)
		return;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum < 256) {
		Elf64_Phdr ph[256];
		size_t len = (size_t)eh.e_phnum * sizeof(*ph);

		if (pread(fd, ph, len, (off_t)eh.e_phoff) == (ssize_t)len) {
			ms->n = 0;
			ms->v = xcalloc(eh.e_phnum ? eh.e_phnum : 1,
					sizeof(*ms->v));
			for (int i = 0; i < eh.e_phnum; i++)
				if (ph[i].p_type == PT_LOAD)
					ms->v[ms->n++] = (struct seg){
						ph[i].p_offset, ph[i].p_filesz,
						ph[i].p_vaddr};
		}
	}
	close(fd);
}

/* The link-time address of file offset OFF in module M. */
static uint64_t link_addr(struct strace_reader *r, const struct stack_module *m,
			  uint64_t off)
{
	struct module_segs *ms;

	if (m->id >= r->nsegs) {
		uint32_t n = m->id + 16;

		r->segs = xrealloc(r->segs, n * sizeof(*r->segs));
		memset(r->segs + r->nsegs, 0,
		       (n - r->nsegs) * sizeof(*r->segs));
		r->nsegs = n;
	}
	ms = &r->segs[m->id];
	if (!ms->read)
		read_segs(m->path, ms);
	for (int i = 0; i < ms->n; i++)
		if (off >= ms->v[i].offset &&
		    off - ms->v[i].offset < ms->v[i].filesz)
			return off - ms->v[i].offset + ms->v[i].vaddr;
	return off;
}

static bool hex(const char *s, const char *end, uint64_t *v)
{
	*v = 0;
	if (end - s < 3 || s[0] != '0' || s[1] != 'x' || end - s > 18)
		return false;
	for (s += 2; s < end; s++) {
		int d = *s >= '0' && *s <= '9'	 ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
						 : -1;

		if (d < 0)
			return false;
		*v = *v << 4 | (uint64_t)d;
	}
	return true;
}

/*
 * One frame line F (without " > ", N bytes) into PC: 1, 0 for a line
 * that ends the stack (an error without an address, strace's BUG IN).
 */
static int frame(struct strace_reader *r, const char *f, size_t n,
		 struct stack_pc *pc)
{
	const char *end = f + n, *at = NULL, *rb = NULL, *head_end, *open,
		   *plus;
	const char *src = NULL, *colon;
	uint64_t addr, off = 0;
	char *bin, *sym = NULL, *file = NULL;
	int line = 0;

	/* the last " [0x…]" that the end of the line or " FILE:LINE"
	 * follows: a C++ name may hold brackets */
	for (const char *p = f; (p = memmem(p, (size_t)(end - p), " [0x", 4));
	     p++) {
		const char *c = memchr(p, ']', (size_t)(end - p));

		if (c && hex(p + 2, c, &addr) && (c + 1 == end || c[1] == ' '))
			at = p, rb = c;
	}
	if (!at)
		return 0;
	hex(at + 2, rb, &addr);
	if (rb + 1 < end)
		src = rb + 2;
	head_end = at;
	memset(pc, 0, sizeof(*pc));
	if (head_end == f || head_end[-1] != ')' ||
	    !(open = memchr(f, '(', (size_t)(head_end - f))) || open == f) {
		/* "ERROR [0xADDR]": an address no file held */
		pc->addr = addr;
		return 1;
	}
	bin = xstrndup(f, (size_t)(open - f));
	pc->mod = stack_table_module(r->stacks, bin, 0, 0, NULL, 0);
	/* no module (the table of them full): the address as the log
	 * gave it */
	pc->addr = pc->mod ? link_addr(r, pc->mod, addr) : addr;
	/* SYMBOL+0xOFF between the parentheses, or nothing */
	plus = NULL;
	for (const char *p = open + 1; p + 1 < head_end; p++)
		if (p[0] == '+' && p[1] == '0')
			plus = p;
	if (plus && plus > open + 1 && hex(plus + 1, head_end - 1, &off))
		sym = xstrndup(open + 1, (size_t)(plus - open - 1));
	if (src && (colon = memrchr(src, ':', (size_t)(end - src))) &&
	    colon > src && colon + 1 < end &&
	    strspn(colon + 1, "0123456789") == (size_t)(end - colon - 1) &&
	    end - colon - 1 <= 9) {
		file = xstrndup(src, (size_t)(colon - src));
		line = atoi(colon + 1);
	}
	if (sym || file)
		pc->named = stack_table_named(r->stacks, sym, off, file, line);
	free(bin);
	free(sym);
	free(file);
	return 1;
}

const struct stack_trace *strace_frames_stack(struct strace_reader *r,
					      const char *frames, size_t len,
					      bool *dropped)
{
	const struct stack_trace *s;
	struct stack_pc pc[STACK_DEPTH_MAX];
	const char *p = frames, *end = frames + len;
	uint32_t n = 0;

	if (!r->stacks)
		r->stacks = stack_table_new();
	while (p < end && n < STACK_DEPTH_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = (size_t)((nl ? nl : end) - p);

		if (k < 3 || memcmp(p, " > ", 3) ||
		    !frame(r, p + 3, k - 3, &pc[n]))
			break;
		n++;
		p += k + 1;
	}
	if (!n)
		return NULL;
	s = stack_table_intern(r->stacks, pc, n, NULL, 0);
	*dropped = !s;
	return s;
}

void strace_frames_release(struct strace_reader *r)
{
	for (uint32_t i = 0; i < r->nsegs; i++)
		free(r->segs[i].v);
	free(r->segs);
	stack_table_free(r->stacks);
}
