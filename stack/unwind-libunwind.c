// SPDX-License-Identifier: MIT
/*
 * The libunwind backend (unwind.h), with accessors of our own: libunwind's
 * _UPT accessors read one word per PTRACE_PEEKDATA and reread
 * /proc/PID/maps and the ELF file at every change of module
 * (libunwind#431, #116). Ours serve registers from the snapshot's
 * PTRACE_GETREGS, memory from the stack snapshot (read on once past its
 * end for a deep stack), else from the module's file image mapped once
 * (modules.c), else one process_vm_readv a word; unwind
 * tables from each module's .eh_frame_hdr, found once.
 */
#include "unwind.h"

#include <errno.h>
#include <libunwind.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "util.h"

/* Exported by libunwind-x86_64 but not in its public headers (perf's
 * util/unwind-libunwind-local.c declares it the same way). */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as,
					      unw_word_t ip, unw_dyn_info_t *di,
					      unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

struct stack_space {
	unw_addr_space_t as;
	struct module_space *mods;
	struct stack_snapshot *snap; /* during a walk */
};

/* UNW_X86_64_RAX .. UNW_X86_64_RIP, in user_regs_struct (the same order
 * as DWARF's x86_64 register numbers) */
static const size_t reg_offset[17] = {
	offsetof(struct user_regs_struct, rax),
	offsetof(struct user_regs_struct, rdx),
	offsetof(struct user_regs_struct, rcx),
	offsetof(struct user_regs_struct, rbx),
	offsetof(struct user_regs_struct, rsi),
	offsetof(struct user_regs_struct, rdi),
	offsetof(struct user_regs_struct, rbp),
	offsetof(struct user_regs_struct, rsp),
	offsetof(struct user_regs_struct, r8),
	offsetof(struct user_regs_struct, r9),
	offsetof(struct user_regs_struct, r10),
	offsetof(struct user_regs_struct, r11),
	offsetof(struct user_regs_struct, r12),
	offsetof(struct user_regs_struct, r13),
	offsetof(struct user_regs_struct, r14),
	offsetof(struct user_regs_struct, r15),
	offsetof(struct user_regs_struct, rip),
};

static int find_proc_info(unw_addr_space_t as, unw_word_t ip,
			  unw_proc_info_t *pi, int need, void *arg)
{
	struct stack_space *sp = arg;
	const struct module_map *m = module_space_find(sp->mods, ip, true);
	const struct module_image *im;
	unw_dyn_info_t di;

	if (!m || !m->image || !m->image->eh_fde_count)
		return -UNW_ENOINFO;
	im = m->image;
	memset(&di, 0, sizeof(di));
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = m->bias + im->vaddr_lo;
	di.end_ip = m->bias + im->vaddr_hi;
	/* datarel: relative to .eh_frame_hdr */
	di.u.rti.segbase = m->bias + im->eh_hdr_vaddr;
	di.u.rti.table_data = m->bias + im->eh_table_vaddr;
	di.u.rti.table_len = im->eh_fde_count * 8 / sizeof(unw_word_t);
	return _Ux86_64_dwarf_search_unwind_table(as, ip, &di, pi, need, arg);
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dil,
				  void *arg)
{
	return -UNW_ENOINFO; /* no JIT registration */
}

/* A word of a read-only file-backed mapping, from its file image. */
static bool image_word(const struct module_map *m, uint64_t addr,
		       unw_word_t *val)
{
	uint64_t off = addr - m->start + m->offset;

	if (m->exec || !m->image || off > m->image->size ||
	    sizeof(*val) > m->image->size - off)
		return false;
	memcpy(val, m->image->img + off, sizeof(*val));
	return true;
}

/*
 * A deep stack: the word at ADDR lies past the snapshot, within its CAP.
 * Read on from its end to the page after ADDR's (a caller's frames are
 * further up), at most to CAP, in one call. True if ADDR is now in it.
 */
static bool read_on(struct stack_snapshot *s, uint64_t addr)
{
	uint64_t end = s->sp + s->len, want;
	ssize_t got;

	if (s->read_on || s->cap <= s->len || addr < end ||
	    addr - s->sp > s->cap - sizeof(unw_word_t))
		return false;
	want = ((addr + sizeof(unw_word_t) + 4095) & ~4095ULL) + 4096;
	if (want - s->sp > s->cap)
		want = s->sp + s->cap;
	s->read_on = true;
	got = vm_read_pages(s->tid, end, s->stack + s->len, want - end);
	if (got <= 0)
		return false;
	s->len += (size_t)got;
	return addr - s->sp <= s->len - sizeof(unw_word_t);
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val,
		      int write, void *arg)
{
	struct stack_space *sp = arg;
	struct stack_snapshot *s = sp->snap;
	const struct module_map *m;
	struct iovec local = {val, sizeof(*val)};
	struct iovec remote = {(void *)addr, sizeof(*val)};

	if (write)
		return -UNW_EINVAL;
	if ((addr >= s->sp && addr - s->sp <= s->len &&
	     s->len - (addr - s->sp) >= sizeof(*val)) ||
	    read_on(s, addr)) {
		size_t at = addr - s->sp;

		memcpy(val, s->stack + at, sizeof(*val));
		if (at + sizeof(*val) > s->used)
			s->used = at + sizeof(*val);
		return 0;
	}
	/* .eh_frame lies in a read-only segment, the same in the file */
	m = module_space_lookup(sp->mods, addr, false);
	if (m && image_word(m, addr, val))
		return 0;
	s->slow_reads++;
	return process_vm_readv(s->tid, &local, 1, &remote, 1, 0) ==
			       (ssize_t)sizeof(*val)
		       ? 0
		       : -UNW_EINVAL;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val,
		      int write, void *arg)
{
	struct stack_space *sp = arg;

	if (write || reg < 0 || reg >= (int)ARRAY_SIZE(reg_offset))
		return -UNW_EBADREG;
	memcpy(val, (const char *)&sp->snap->regs + reg_offset[reg],
	       sizeof(*val));
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
			int write, void *arg)
{
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	return -UNW_EINVAL;
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = NULL, /* never on the hot path */
};

static struct stack_space *space_new(struct module_space *s)
{
	struct stack_space *sp = xcalloc(1, sizeof(*sp));

	sp->mods = s;
	sp->as = unw_create_addr_space(&accessors, 0);
	if (!sp->as) {
		free(sp);
		return NULL;
	}
	/* one address space object per traced address space: its cache is
	 * keyed by IP, which means other code in another process */
	unw_set_caching_policy(sp->as, UNW_CACHE_GLOBAL);
	return sp;
}

static void space_free(struct stack_space *sp)
{
	if (!sp)
		return;
	unw_destroy_addr_space(sp->as);
	free(sp);
}

static void space_flush(struct stack_space *sp)
{
	unw_flush_cache(sp->as, 0, 0);
}

static int walk(struct stack_space *sp, struct stack_snapshot *snap,
		uint64_t *ips, int max)
{
	unw_cursor_t c;
	int n = 0, r;

	if (max <= 0)
		return 0;
	sp->snap = snap;
	stack_unwinding = true;
	r = unw_init_remote(&c, sp->as, sp);
	if (r < 0) {
		stack_unwinding = false;
		sp->snap = NULL;
		return -EINVAL;
	}
	do {
		unw_word_t ip;

		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 || !ip)
			break;
		ips[n++] = ip;
	} while (n < max && unw_step(&c) > 0);
	stack_unwinding = false;
	sp->snap = NULL;
	return n ? n : -EINVAL;
}

const struct stack_unwinder stack_unwinder = {
	.name = "libunwind",
	.space_new = space_new,
	.space_free = space_free,
	.space_flush = space_flush,
	.walk = walk,
};

int stack_snapshot_take(struct stack_snapshot *snap, pid_t tid)
{
	ssize_t got;

	snap->tid = tid;
	snap->slow_reads = 0;
	snap->read_on = false;
	snap->used = 0;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &snap->regs) < 0)
		return -errno;
	snap->sp = snap->regs.rsp;
	/* the stack's mapping may end within LEN: a page at a time */
	got = vm_read_pages(tid, snap->sp, snap->stack, snap->len);
	/* short: the stack's mapping ends there */
	if (got < (ssize_t)snap->len)
		snap->cap = 0;
	snap->len = got > 0 ? (size_t)got : 0;
	return 0;
}
