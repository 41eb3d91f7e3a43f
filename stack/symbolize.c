// SPDX-License-Identifier: MIT
/* Symbolization with libdw (symbolize.h). */
#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "path.h"
#include "util.h"

/* One file, reported at its link addresses in a Dwfl of its own. */
struct sym_module {
	char *path;
	Dwfl *dwfl;
	Dwfl_Module *mod; /* NULL: the file could not be read */
	const unsigned char *build_id;
	int build_id_len;
};

/* A source file's name made absolute, by the libdw name it came from. */
struct sym_file {
	struct hashmap_entry ent;
	const char *raw; /* libdw's, valid as long as its Dwfl */
	char path[];
};

struct stack_symbolizer {
	struct sym_module *v;
	int n;
	struct hashmap files;
};

static bool file_eq(const struct hashmap_entry *e, const void *key)
{
	return container_of(e, struct sym_file, ent)->raw == key;
}

static const Dwfl_Callbacks callbacks = {
	.find_elf = NULL,
	/* /usr/lib/debug/.build-id/xx/yyyy.debug when it is installed */
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct stack_symbolizer *stack_symbolizer_new(void)
{
	struct stack_symbolizer *s = xcalloc(1, sizeof(*s));

	hashmap_init(&s->files, file_eq, 64);
	return s;
}

void stack_symbolizer_free(struct stack_symbolizer *s)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	if (!s)
		return;
	for (int i = 0; i < s->n; i++) {
		if (s->v[i].dwfl)
			dwfl_end(s->v[i].dwfl);
		free(s->v[i].path);
	}
	free(s->v);
	hashmap_iter_init(&s->files, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(&s->files, e);
		free(container_of(e, struct sym_file, ent));
	}
	hashmap_release(&s->files);
	free(s);
}

/*
 * FILE as the line table names it, relative to its compilation unit's
 * directory when it is not absolute (gcc writes "../src/x.c" for a build
 * in a subdirectory): the absolute name, lexically, kept in S.
 */
static const char *path_in(struct stack_symbolizer *s, const char *dir,
			   const char *file)
{
	uint32_t h = hash_int((uint64_t)(uintptr_t)file);
	struct hashmap_entry *e = hashmap_get(&s->files, h, file);
	char buf[PATH_MAX];
	struct sym_file *f;
	size_t n;

	if (e)
		return container_of(e, struct sym_file, ent)->path;
	if (file[0] == '/' || !dir || dir[0] != '/' ||
	    path_resolve(dir, file, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "%s", file);
	n = strlen(buf) + 1;
	f = xmalloc(sizeof(*f) + n);
	f->raw = file;
	memcpy(f->path, buf, n);
	hashmap_put(&s->files, &f->ent, h);
	return f->path;
}

static const char *source_path(struct stack_symbolizer *s, Dwfl_Line *line,
			       const char *file)
{
	return path_in(s, dwfl_line_comp_dir(line), file);
}

/* The same for a name of the compilation unit CU's file table. */
static const char *cu_source_path(struct stack_symbolizer *s, Dwarf_Die *cu,
				  const char *file)
{
	Dwarf_Attribute a;

	return path_in(s, dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a)),
		       file);
}

static struct sym_module *module_get(struct stack_symbolizer *s,
				     const char *path)
{
	struct sym_module *m;
	GElf_Addr vaddr;

	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].path, path))
			return &s->v[i];
	s->v = xrealloc(s->v, (size_t)(s->n + 1) * sizeof(*s->v));
	m = &s->v[s->n++];
	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	m->dwfl = dwfl_begin(&callbacks);
	if (!m->dwfl)
		return m;
	dwfl_report_begin(m->dwfl);
	/* base 0 plus the segments' own p_vaddr: an ET_DYN file at its link
	 * addresses even when its first PT_LOAD is not at 0, an ET_EXEC at
	 * its own */
	m->mod = dwfl_report_elf(m->dwfl, path, path, -1, 0, true);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (m->mod)
		m->build_id_len =
			dwfl_module_build_id(m->mod, &m->build_id, &vaddr);
	if (m->build_id_len < 0)
		m->build_id_len = 0;
	return m;
}

/* The name of the function of the DWARF scope D (an inlined call's
 * from its abstract origin), or NULL. */
static const char *scope_name(Dwarf_Die *d)
{
	Dwarf_Attribute a;

	/* the source's name ("open"), as eu-addr2line -i tells it, not the
	 * one it links as ("open64") */
	if (dwarf_attr_integrate(d, DW_AT_name, &a) ||
	    dwarf_attr_integrate(d, DW_AT_linkage_name, &a))
		return dwarf_formstring(&a);
	return NULL;
}

/* The file and line of the inlined call D, into C. */
static void call_site(struct stack_symbolizer *s, Dwarf_Die *cu, Dwarf_Die *d,
		      struct stack_caller *c)
{
	Dwarf_Attribute a;
	Dwarf_Word file = 0, line = 0;
	Dwarf_Files *files;
	size_t nfiles;
	const char *name;

	if (dwarf_formudata(dwarf_attr(d, DW_AT_call_line, &a), &line) == 0)
		c->line = (int)line;
	if (dwarf_formudata(dwarf_attr(d, DW_AT_call_file, &a), &file) ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) || file >= nfiles)
		return;
	name = dwarf_filesrc(files, file, NULL, NULL);
	if (name)
		c->file = cu_source_path(s, cu, name);
}

/*
 * The functions whose code holds PC below PARENT, outermost first, into
 * CHAIN from N on (of MAX): a DW_TAG_subprogram, then each
 * DW_TAG_inlined_subroutine inside it. A walk of our own, not
 * dwarf_getscopes(): elfutils 0.188's leaks on the dwz-compressed debug
 * files Debian ships (libc6-dbg), 61 bytes a scope.
 */
static int scopes_at(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *chain, int n,
		     int max, int depth)
{
	Dwarf_Die child;

	if (depth > 64 || dwarf_child(parent, &child) != 0)
		return n;
	do {
		int tag = dwarf_tag(&child);

		switch (tag) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
		case DW_TAG_lexical_block:
			if (dwarf_haspc(&child, pc) != 1)
				break;
			if (tag != DW_TAG_lexical_block && n < max)
				chain[n++] = child;
			return scopes_at(&child, pc, chain, n, max, depth + 1);
		case DW_TAG_namespace:
		case DW_TAG_class_type:
		case DW_TAG_structure_type: {
			int k = scopes_at(&child, pc, chain, n, max, depth + 1);

			if (k > n)
				return k;
			break;
		}
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

/*
 * Where the code at PC was inlined (DW_TAG_inlined_subroutine scopes):
 * F names the innermost inlined function, at the line the line table
 * gives, and F->callers each function it sits in, at the line of the
 * inlined call, out to the symbol's own function.
 */
static void inlined_frames(struct stack_symbolizer *s, struct sym_module *m,
			   Dwarf_Addr pc, struct stack_frame *f)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(m->mod, pc, &bias);
	Dwarf_Die chain[STACK_INLINE_MAX + 2];
	const char *outer = f->function;
	int n;

	if (!cu)
		return;
	n = scopes_at(cu, pc - bias, chain, 0, (int)ARRAY_SIZE(chain), 0);
	if (n < 2 || dwarf_tag(&chain[n - 1]) != DW_TAG_inlined_subroutine)
		return;
	f->function = scope_name(&chain[n - 1]);
	/* chain[k] was inlined into chain[k - 1], at its call's line */
	for (int k = n - 1; k >= 1 && f->ncallers < STACK_INLINE_MAX; k--) {
		struct stack_caller *c = &f->callers[f->ncallers++];

		call_site(s, cu, &chain[k], c);
		if (dwarf_tag(&chain[k - 1]) == DW_TAG_inlined_subroutine)
			c->function = scope_name(&chain[k - 1]);
		else /* the function itself, by its symbol when it has one */
			c->function = outer ? outer : scope_name(&chain[k - 1]);
	}
}

int stack_symbolize(struct stack_symbolizer *s, const char *path,
		    const unsigned char *build_id, int len, uint64_t vaddr,
		    bool call_site, struct stack_frame *f)
{
	struct sym_module *m = module_get(s, path);
	/* a return address: the call is the instruction before it */
	Dwarf_Addr pc = vaddr - (call_site && vaddr > 0);
	GElf_Off off = 0;
	GElf_Sym sym;
	Dwfl_Line *line;

	memset(f, 0, sizeof(*f));
	if (!m->mod)
		return -ENOENT;
	if (len > 0 && (m->build_id_len != len ||
			memcmp(m->build_id, build_id, (size_t)len)))
		return -ESTALE;
	f->function =
		dwfl_module_addrinfo(m->mod, pc, &off, &sym, NULL, NULL, NULL);
	/* within the symbol, or no name (a size 0 symbol covers nothing) */
	if (f->function && (sym.st_size == 0 || off >= sym.st_size))
		f->function = NULL;
	if (f->function)
		f->offset = vaddr - (pc - off);
	line = dwfl_module_getsrc(m->mod, pc);
	if (line)
		f->file = dwfl_lineinfo(line, NULL, &f->line, NULL, NULL, NULL);
	if (f->file)
		f->file = source_path(s, line, f->file);
	inlined_frames(s, m, pc, f);
	return 0;
}

bool stack_symbol_at(struct stack_symbolizer *s, const char *path,
		     const char *name, uint64_t value)
{
	struct sym_module *m = module_get(s, path);
	int n = m->mod ? dwfl_module_getsymtab(m->mod) : -1;

	for (int i = 1; i < n; i++) {
		GElf_Addr addr;
		GElf_Sym sym;
		const char *sn = dwfl_module_getsym_info(m->mod, i, &sym, &addr,
							 NULL, NULL, NULL);
		int type = sn ? GELF_ST_TYPE(sym.st_info) : STT_SECTION;

		size_t len = strlen(name);

		/* libdw gives a versioned name with its version:
		 * "__libc_start_main@@GLIBC_2.34" */
		if ((type == STT_FUNC || type == STT_GNU_IFUNC ||
		     type == STT_NOTYPE) &&
		    sym.st_shndx != SHN_UNDEF && addr == value &&
		    !strncmp(sn, name, len) && (!sn[len] || sn[len] == '@'))
			return true;
	}
	return false;
}
