// SPDX-License-Identifier: MIT
/* Executable modules of an address space (modules.h). */
#include "modules.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

/* .eh_frame_hdr encodings (the LSB's DW_EH_PE_*) */
#define EH_PE_UDATA4 0x03
#define EH_PE_DATAREL_SDATA4 0x3b

/* The images of every address space, by device and inode. */
static struct module_image **images;
static int nimages;

/* Whether [OFF, OFF + LEN) lies in an image of SIZE bytes. */
static bool within(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

static void image_notes(struct module_image *m, const Elf64_Phdr *ph)
{
	uint64_t at = ph->p_offset, end;

	if (!within(ph->p_offset, ph->p_filesz, m->size))
		return;
	end = ph->p_offset + ph->p_filesz;
	while (end - at >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *n = (const void *)(m->img + at);
		uint64_t name = (n->n_namesz + 3) & ~3ULL;
		uint64_t desc = (n->n_descsz + 3) & ~3ULL;

		at += sizeof(*n);
		if (name > end - at || desc > end - at - name)
			return;
		if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
		    !memcmp(m->img + at, "GNU", 4) && n->n_descsz > 0 &&
		    n->n_descsz <= MODULE_BUILD_ID_MAX) {
			memcpy(m->build_id, m->img + at + name, n->n_descsz);
			m->build_id_len = (int)n->n_descsz;
			return;
		}
		at += name + desc;
	}
}

/* The segments, unwind table and build-id of M's ELF image: 0, or
 * -ENOEXEC for a file that is no 64-bit x86_64 ELF. */
static int image_parse(struct module_image *m)
{
	const Elf64_Ehdr *eh = (const void *)m->img;
	const Elf64_Phdr *ph;

	if (m->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(*ph) ||
	    !within(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(*ph), m->size))
		return -ENOEXEC;
	m->pie = eh->e_type == ET_DYN;
	m->vaddr_lo = UINT64_MAX;
	ph = (const void *)(m->img + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD) {
			uint64_t lo = ph[i].p_vaddr & ~0xfffULL;

			if (lo < m->vaddr_lo)
				m->vaddr_lo = lo;
			if (m->nload < MODULE_MAX_LOADS) {
				m->load[m->nload].vaddr = ph[i].p_vaddr;
				m->load[m->nload].offset = ph[i].p_offset;
				m->load[m->nload].filesz = ph[i].p_filesz;
				m->nload++;
			}
			if (ph[i].p_vaddr + ph[i].p_memsz > m->vaddr_hi)
				m->vaddr_hi = ph[i].p_vaddr + ph[i].p_memsz;
		} else if (ph[i].p_type == PT_GNU_EH_FRAME &&
			   within(ph[i].p_offset, 12, m->size)) {
			const unsigned char *h = m->img + ph[i].p_offset;
			uint32_t count;

			/* version 1, fde_count udata4, table datarel|sdata4
			 * (what GNU ld writes; others are left to fall back) */
			if (h[0] != 1 || h[2] != EH_PE_UDATA4 ||
			    h[3] != EH_PE_DATAREL_SDATA4)
				continue;
			memcpy(&count, h + 8, sizeof(count));
			if (!within(ph[i].p_offset + 12, (uint64_t)count * 8,
				    m->size))
				continue;
			m->eh_hdr_vaddr = ph[i].p_vaddr;
			m->eh_table_vaddr = ph[i].p_vaddr + 12;
			m->eh_fde_count = count;
		} else if (ph[i].p_type == PT_NOTE && !m->build_id_len) {
			image_notes(m, &ph[i]);
		}
	}
	return m->vaddr_lo == UINT64_MAX ? -ENOEXEC : 0;
}

static struct module_image *image_get(const char *path, dev_t dev, ino_t ino)
{
	struct module_image *m;
	struct stat st;
	void *p;
	int fd;

	for (int i = 0; i < nimages; i++)
		if (images[i]->dev == dev && images[i]->ino == ino) {
			images[i]->refs++;
			return images[i];
		}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* the file at PATH now may not be what was mapped (replaced) */
	if (fstat(fd, &st) < 0 || st.st_dev != dev || st.st_ino != ino ||
	    !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->dev = dev;
	m->ino = ino;
	m->img = p;
	m->size = (size_t)st.st_size;
	if (image_parse(m) < 0) {
		munmap(p, m->size);
		free(m);
		return NULL;
	}
	m->path = xstrdup(path);
	m->refs = 1;
	images = xrealloc(images, (size_t)(nimages + 1) * sizeof(*images));
	images[nimages++] = m;
	return m;
}

static void image_put(struct module_image *m)
{
	if (m)
		m->refs--;
}

void module_images_trim(void)
{
	int k = 0;

	for (int i = 0; i < nimages; i++) {
		struct module_image *m = images[i];

		if (m->refs > 0) {
			images[k++] = m;
			continue;
		}
		munmap((void *)m->img, m->size);
		free(m->path);
		free(m);
	}
	nimages = k;
	if (!nimages) {
		free(images);
		images = NULL;
	}
}

void module_space_init(struct module_space *s, pid_t pid)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->stale = true;
}

static void drop_maps(struct module_space *s)
{
	for (int i = 0; i < s->nmaps; i++)
		image_put(s->maps[i].image);
	free(s->maps);
	s->maps = NULL;
	s->nmaps = 0;
}

void module_space_release(struct module_space *s)
{
	drop_maps(s);
}

/*
 * One line of /proc/PID/maps: "start-end perms offset major:minor inode
 * path". MK_FILE: a mapping of a file by an absolute path; MK_CODE:
 * any other executable one (anonymous JIT code, the vDSO), kept without
 * an image so that an address in it is known to have no file; MK_NONE
 * for the rest.
 */
enum map_kind { MK_NONE, MK_FILE, MK_CODE };

static enum map_kind parse_line(const char *line, struct module_map *m,
				dev_t *dev, ino_t *ino, const char **path)
{
	unsigned long long start, end, off, inode;
	unsigned int major, minor;
	char perms[5];
	int n = 0;

	/* %n right after the inode: an anonymous mapping's line ends
	 * there, and a " %n" at the end of the input is never reached */
	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu%n", &start, &end, perms,
		   &off, &major, &minor, &inode, &n) != 7 ||
	    !n)
		return MK_NONE;
	while (line[n] == ' ')
		n++;
	m->start = start;
	m->end = end;
	m->offset = off;
	m->exec = perms[2] == 'x';
	if (!inode || line[n] != '/')
		return m->exec ? MK_CODE : MK_NONE;
	*dev = makedev(major, minor);
	*ino = (ino_t)inode;
	*path = line + n;
	return MK_FILE;
}

/*
 * M's bias: its start less the vaddr its file offset is loaded at, by
 * the PT_LOAD segment that holds that offset (the kernel maps a segment
 * from its page-aligned offset to its page-aligned vaddr). False if no
 * segment holds it (a mapping of the file's tail, or not of code).
 */
static bool map_bias(struct module_map *m)
{
	const struct module_image *im = m->image;

	if (!im->pie)
		return true;
	for (int i = 0; i < im->nload; i++) {
		uint64_t off = im->load[i].offset & ~0xfffULL;
		uint64_t va = im->load[i].vaddr & ~0xfffULL;

		if (m->offset >= off &&
		    m->offset < im->load[i].offset + im->load[i].filesz) {
			m->bias = m->start - (va + (m->offset - off));
			return true;
		}
	}
	return false;
}

int module_space_refresh(struct module_space *s)
{
	char fn[64], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%d/maps", (int)s->pid);
	f = fopen(fn, "re");
	if (!f)
		return -errno;
	drop_maps(s);
	s->stale = false;
	s->refreshes++;
	s->refreshed_walk = s->walk;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct module_map m = {0};
		const char *path;
		enum map_kind kind;
		dev_t dev;
		ino_t ino;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		kind = parse_line(line, &m, &dev, &ino, &path);
		if (kind == MK_NONE)
			continue;
		/* " (deleted)": the file is gone; its inode may still be
		 * open elsewhere, but not by this name */
		m.image = kind == MK_FILE ? image_get(path, dev, ino) : NULL;
		if (m.image && !map_bias(&m)) {
			image_put(m.image);
			m.image = NULL;
		}
		/* code whose file we cannot use: known, without an image */
		if (!m.image && !m.exec)
			continue;
		s->maps = xrealloc(s->maps,
				   (size_t)(s->nmaps + 1) * sizeof(*s->maps));
		s->maps[s->nmaps++] = m;
	}
	free(line);
	fclose(f);
	return 0;
}

struct module_map *module_space_lookup(const struct module_space *s,
				       uint64_t addr, bool exec)
{
	/* few mappings, in address order: a binary search would not pay */
	for (int i = 0; i < s->nmaps; i++)
		if (addr >= s->maps[i].start && addr < s->maps[i].end)
			return !exec || s->maps[i].exec ? &s->maps[i] : NULL;
	return NULL;
}

struct module_map *module_space_find(struct module_space *s, uint64_t addr,
				     bool exec)
{
	struct module_map *m;

	if (s->stale && module_space_refresh(s) < 0)
		return NULL;
	m = module_space_lookup(s, addr, exec);
	if (m)
		return m;
	/* a miss rereads the maps, at most once a walk and never for a
	 * page a reread did not find (an unwinder that went astray asks
	 * for addresses of nothing) */
	for (unsigned i = 0; i < s->nmissed && i < ARRAY_SIZE(s->missed); i++)
		if (s->missed[i] == addr >> 12)
			return NULL;
	if ((s->walk && s->refreshed_walk == s->walk) ||
	    module_space_refresh(s) < 0)
		return NULL;
	m = module_space_lookup(s, addr, exec);
	if (!m)
		s->missed[s->nmissed++ % ARRAY_SIZE(s->missed)] = addr >> 12;
	return m;
}
