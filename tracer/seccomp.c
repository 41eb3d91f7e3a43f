// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tracer-int.h"
#include "util.h"

/* SECCOMP_RET_DATA for a task of another architecture. */
#define BADARCH_DATA 0xffff

/*
 * What can replace a file's code at an address the tracer knows: an
 * munmap (then a new mapping there), an mremap, an mmap with MAP_FIXED
 * of executable memory (over a mapping).
 */
static int filter_maps_rules(scmp_filter_ctx ctx)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(MAPS_DATA),
				 SCMP_SYS(munmap), 0);

	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(MAPS_DATA),
				     SCMP_SYS(mremap), 0);
	if (!r)
		r = seccomp_rule_add(
			ctx, SCMP_ACT_TRACE(MAPS_DATA), SCMP_SYS(mmap), 2,
			SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC),
			SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_FIXED, MAP_FIXED));
	return r;
}

/* The reads and writes --confirm follows: through any descriptor in the
 * confirm run (ALL), only to descriptor 2 in the unperturbed one. */
static const long confirm_reads[] = {
	SYS_read,    SYS_pread64, SYS_readv,  SYS_preadv,
	SYS_preadv2, SYS_mmap,	  SYS_splice,
};
static const long confirm_writes[] = {
	SYS_write, SYS_writev, SYS_pwrite64, SYS_pwritev, SYS_pwritev2,
};

static int filter_confirm_rules(scmp_filter_ctx ctx, bool all)
{
	int r = 0;

	for (size_t i = 0; all && !r && i < ARRAY_SIZE(confirm_reads); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(CONFIRM_DATA),
				     (int)confirm_reads[i], 0);
	for (size_t i = 0; !r && i < ARRAY_SIZE(confirm_writes); i++)
		r = all ? seccomp_rule_add(ctx, SCMP_ACT_TRACE(CONFIRM_DATA),
					   (int)confirm_writes[i], 0)
			: seccomp_rule_add(ctx, SCMP_ACT_TRACE(CONFIRM_DATA),
					   (int)confirm_writes[i], 1,
					   SCMP_A0(SCMP_CMP_EQ, 2));
	return r;
}

bool filter_confirm_call(const struct tracer *t, long nr)
{
	if (!t->opt.confirm.under && !t->opt.confirm.count_stderr)
		return false;
	for (size_t i = 0;
	     t->opt.confirm.under && i < ARRAY_SIZE(confirm_reads); i++)
		if (nr == confirm_reads[i])
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(confirm_writes); i++)
		if (nr == confirm_writes[i])
			return true;
	return false;
}

bool filter_maps_call(long nr, const uint64_t *args)
{
	if (nr == SYS_munmap || nr == SYS_mremap)
		return true;
	return nr == SYS_mmap && (args[2] & PROT_EXEC) && (args[3] & MAP_FIXED);
}

int filter_build(struct tracer *t)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_TRACE(BADARCH_DATA));
	/* root may filter without no_new_privs, so setuid keeps working */
	if (!r && geteuid() == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (unsigned i = 0; !r && i < syscall_table_size; i++) {
		const struct syscall_desc *sc = &syscall_table[i];
		int nr = seccomp_syscall_resolve_name(sc->name);

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue;
		if (sc->effect == E_FCNTL) {
			const int *cmds = proc_fcntl_cmds;
			unsigned arg = (unsigned)t->fcntl_cmd_arg;

			for (unsigned c = 0;
			     !r && c < ARRAY_SIZE(proc_fcntl_cmds); c++)
				r = seccomp_rule_add(
					ctx, SCMP_ACT_TRACE(i), nr, 1,
					SCMP_CMP(arg, SCMP_CMP_EQ,
						 (scmp_datum_t)cmds[c]));
		} else {
			r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(i), nr, 0);
		}
	}
	/* --stacks: the calls that change code mappings (as strace's
	 * --seccomp-bpf -k traps them); a new mapping where none was is
	 * found by the walk itself (an address no module covers) */
	if (!r && t->opt.stacks)
		r = filter_maps_rules(ctx);
	if (!r && (t->opt.confirm.under || t->opt.confirm.count_stderr))
		r = filter_confirm_rules(ctx, t->opt.confirm.under != NULL);
	if (r) {
		seccomp_release(ctx);
		return r;
	}
	t->filter = ctx;
	return 0;
}

void filter_map(struct tracer *t)
{
	t->fcntl_cmd_arg =
		proc_arg_index(syscall_by_name("fcntl"), A_FCNTL_CMD);
	for (unsigned i = 0; i < syscall_table_size; i++) {
		int nr = seccomp_syscall_resolve_name(syscall_table[i].name);

		if (nr >= 0 && nr < NR_MAX)
			t->by_nr[nr] = &syscall_table[i];
	}
}

const char *filter_probe(void)
{
	uint32_t action = SECCOMP_RET_TRACE;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return "the kernel has no seccomp";
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0)
		return "the kernel has no SECCOMP_RET_TRACE";
	return NULL;
}
