/* SPDX-License-Identifier: MIT */
/*
 * The executable modules of one traced address space (issue 9), read
 * from /proc/PID/maps once and again only when told its mappings changed
 * or when an address no module covers is asked for. Each module's file
 * is mapped read-only once and shared by every address space that maps
 * it (by device and inode), so that an unwinder reads the unwind tables
 * and text from memory, not from the tracee.
 */
#ifndef FSRACE_STACK_MODULES_H
#define FSRACE_STACK_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MODULE_BUILD_ID_MAX 20
#define MODULE_MAX_LOADS 16

/* A file image, shared. */
struct module_image {
	dev_t dev;
	ino_t ino;
	char *path;
	const unsigned char *img; /* the whole file, read-only */
	size_t size;
	bool pie;		     /* ET_DYN: loaded at a bias */
	uint64_t vaddr_lo, vaddr_hi; /* of its PT_LOAD segments */
	struct {
		uint64_t vaddr, offset, filesz;
	} load[MODULE_MAX_LOADS];
	int nload;
	/* .eh_frame_hdr's binary-search table, as vaddr, or 0 */
	uint64_t eh_hdr_vaddr, eh_table_vaddr;
	uint32_t eh_fde_count;
	unsigned char build_id[MODULE_BUILD_ID_MAX];
	int build_id_len;
	int refs;
};

/* One file-backed mapping of an address space, or one of code without
 * a file we can use (anonymous JIT code, the vDSO): IMAGE NULL. */
struct module_map {
	uint64_t start, end, offset;
	bool exec;
	struct module_image *image;
	uint64_t bias; /* load address - vaddr, for the image */
	/* the caller's, NULL when the maps are (re)read: the tracer keeps
	 * the mapping's module in its stack table here */
	const void *cookie;
};

struct module_space {
	pid_t pid; /* a task of the address space, for /proc/PID/maps */
	struct module_map *maps;
	int nmaps;
	bool stale; /* reread before the next lookup */
	unsigned refreshes;
	/* module_space_begin_walk()'s count, and its value at the last
	 * reread: a miss rereads the maps at most once a walk */
	unsigned walk, refreshed_walk;
	/* pages that no mapping held even after a reread, until the maps
	 * change: an unwinder gone astray asks for them at every walk */
	uint64_t missed[8];
	unsigned nmissed;
};

/* A walk begins: the next miss may reread the maps again. */
static inline void module_space_begin_walk(struct module_space *s)
{
	s->walk++;
}

void module_space_init(struct module_space *s, pid_t pid);
void module_space_release(struct module_space *s);

/* Its mappings changed (an exec, an mmap or munmap of code). */
static inline void module_space_invalidate(struct module_space *s)
{
	s->stale = true;
	s->nmissed = 0;
}

/* Reread /proc/PID/maps: 0, or -errno. */
int module_space_refresh(struct module_space *s);

/*
 * The mapping holding ADDR, rereading the maps once if none does (a
 * library loaded since; once a walk, with module_space_begin_walk()):
 * NULL if none still does. EXEC: only executable mappings, for an
 * instruction pointer. Its image may be NULL: code without a file.
 */
struct module_map *module_space_find(struct module_space *s, uint64_t addr,
				     bool exec);

/* Without a refresh, for memory reads on the hot path. */
struct module_map *module_space_lookup(const struct module_space *s,
				       uint64_t addr, bool exec);

/* Drop every cached image no address space maps any more. */
void module_images_trim(void);

#endif
