// SPDX-License-Identifier: MIT
/*
 * The project configuration file (docs/ci.md, "The configuration file"):
 * fsrace.json or .fsrace.json, found from the working directory upwards,
 * or --config FILE; --no-config reads none. Each key is a command-line
 * option of run and analyze; the file's become arguments placed before
 * the command line's, so that the command line wins (its scalars come
 * later, its -o replace the file's outputs). Paths in the file are taken
 * from its own directory. An unknown key, a value of the wrong type or
 * not one of an option's words is an error naming the file, line and
 * column.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "jdoc.h"
#include "path.h"
#include "strbuf.h"
#include "util.h"

enum kind {
	K_BOOL,
	K_STRING,
	K_PATH,
	K_STRINGS,
	K_PATHS,
	K_MAP,
	K_INT,
	K_PARAMS,
};

static const struct key {
	const char *name;
	enum kind kind;
	const char *option;
	const char *const *words; /* the values a string may take */
	bool run_only, analyze_only;
	const char *off; /* a K_BOOL's option for false, if it has one */
} keys[] = {
#define WORDS(...)                                                             \
	(const char *const[])                                                  \
	{                                                                      \
		__VA_ARGS__, NULL                                              \
	}
	{"rules", K_PATHS, "--rules", NULL, false, false},
	{"no_default_rules", K_BOOL, "--no-default-rules", NULL, false, false},
	{"enable", K_STRINGS, "--enable", NULL, false, false},
	{"disable", K_STRINGS, "--disable", NULL, false, false},
	{"severity", K_MAP, "--severity", WORDS("error", "warning", "note"),
	 false, false},
	{"parameters", K_PARAMS, "--param", NULL, false, false},
	{"fail_on", K_STRING, "--fail-on",
	 WORDS("error", "warning", "note", "none"), false, false},
	/* the words of -f, as cli_format_known() has them */
	{"format", K_STRING, "--format", NULL, false, false},
	{"outputs", K_STRINGS, "--output", NULL, false, false},
	{"color", K_STRING, "--color", WORDS("auto", "always", "never"), false,
	 false},
	{"root", K_PATH, "--root", NULL, false, false},
	{"baseline", K_PATH, "--baseline", NULL, false, false},
	{"ignore", K_STRINGS, "--ignore", NULL, false, false},
	{"no_default_filters", K_BOOL, "--no-default-filters", NULL, false,
	 false},
	{"no_default_suppressions", K_BOOL, "--no-default-suppressions", NULL,
	 false, false},
	{"show_suppressed", K_BOOL, "--show-suppressed", NULL, false, false},
	{"scope", K_STRING, "--scope", WORDS("default", "all"), false, false},
	{"stacks", K_BOOL, "--stacks", NULL, true, false, "--no-stacks"},
	{"stack_depth", K_INT, "--stack-depth", NULL, false, false},
	{"native_stacks", K_BOOL, "--native-stacks", NULL, false, false},
	{"input_format", K_STRING, "--input-format",
	 WORDS("auto", "native", "strace"), false, true},
	{"strict", K_BOOL, "--strict", NULL, false, true},
	{"each_trace", K_BOOL, "--each-trace", NULL, false, true},
#undef WORDS
};

struct args {
	char **v;
	int n, cap;
};

static void add(struct args *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? 2 * a->cap : 32;
		a->v = xrealloc(a->v, (size_t)a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

/* PATH from the configuration's directory DIR, unless absolute or "-". */
static char *from_dir(const char *dir, const char *path)
{
	char buf[PATH_MAX];

	if (!strcmp(path, "-") || path_resolve(dir, path, buf, sizeof(buf)) < 0)
		return xstrdup(path);
	return xstrdup(buf);
}

/* An output "FORMAT:FILE": its FILE from DIR (FORMAT as it is). */
static char *output_from_dir(const char *dir, const char *v)
{
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) + 1 : 0;
	char *file, *out;

	if (!colon || !cli_format_known(v, n - 1))
		return from_dir(dir, v);
	file = from_dir(dir, v + n);
	out = xmalloc(n + strlen(file) + 1);
	memcpy(out, v, n);
	strcpy(out + n, file);
	free(file);
	return out;
}

static bool one_of(const char *const *words, const char *s)
{
	for (; words && *words; words++)
		if (!strcmp(*words, s))
			return true;
	return !words;
}

#define BAD(n, ...)                                                            \
	do {                                                                   \
		char msg_[512];                                                \
		snprintf(msg_, sizeof(msg_), __VA_ARGS__);                     \
		errorx("%s:%d:%d: %s", path, (n)->line, (n)->col, msg_);       \
		return -1;                                                     \
	} while (0)

static int string_value(const char *path, const struct key *k,
			const struct jnode *v)
{
	if (v->type != J_STRING)
		BAD(v, "\"%s\" takes a string, not %s", k->name,
		    jtype_name(v->type));
	if (!one_of(k->words, v->s) || (!strcmp(k->name, "format") &&
					!cli_format_known(v->s, strlen(v->s))))
		BAD(v, "\"%s\" is not '%s'", k->name, v->s);
	return 0;
}

/*
 * "parameters": {"ID": {"NAME": ["V", …]}} as --param ID.NAME=V:…; a
 * value neither absolute nor "$ROOT"… is from the file's directory DIR.
 */
static int param_args(const char *path, const char *dir, const struct key *k,
		      const struct jnode *v, struct args *a)
{
	if (v->type != J_OBJECT)
		BAD(v, "\"%s\" takes an object of rule ids, not %s", k->name,
		    jtype_name(v->type));
	for (size_t i = 0; i < v->n; i++) {
		const struct jnode *r = v->items[i];

		if (r->type != J_OBJECT)
			BAD(r,
			    "\"%s\": rule '%s' takes an object of "
			    "parameters, not %s",
			    k->name, v->keys[i], jtype_name(r->type));
		for (size_t j = 0; j < r->n; j++) {
			const struct jnode *l = r->items[j];
			struct strbuf b;

			if (l->type != J_ARRAY)
				BAD(l,
				    "parameter '%s' takes an array of "
				    "strings, not %s",
				    r->keys[j], jtype_name(l->type));
			strbuf_init(&b, 128);
			strbuf_addf(&b, "%s.%s=", v->keys[i], r->keys[j]);
			for (size_t e = 0; e < l->n; e++) {
				const struct jnode *s = l->items[e];
				char *p;

				if (s->type != J_STRING || strchr(s->s, ':')) {
					strbuf_release(&b);
					BAD(s,
					    "parameter '%s' takes strings "
					    "without ':'",
					    r->keys[j]);
				}
				p = s->s[0] == '$' ? xstrdup(s->s)
						   : from_dir(dir, s->s);
				strbuf_addf(&b, "%s%s", e ? ":" : "", p);
				free(p);
			}
			add(a, k->option);
			add(a, b.buf);
			strbuf_release(&b);
		}
	}
	return 0;
}

static int key_args(const char *path, const char *dir, const struct key *k,
		    const struct jnode *v, struct args *a)
{
	char buf[64];

	switch (k->kind) {
	case K_BOOL:
		if (v->type != J_BOOL)
			BAD(v, "\"%s\" takes true or false, not %s", k->name,
			    jtype_name(v->type));
		if (v->b)
			add(a, k->option);
		else if (k->off)
			add(a, k->off);
		return 0;
	case K_INT:
		if (v->type != J_INT)
			BAD(v, "\"%s\" takes an integer, not %s", k->name,
			    jtype_name(v->type));
		snprintf(buf, sizeof(buf), "%lld", (long long)v->i);
		add(a, k->option);
		add(a, buf);
		return 0;
	case K_STRING:
	case K_PATH:
		if (string_value(path, k, v) < 0)
			return -1;
		add(a, k->option);
		if (k->kind == K_PATH) {
			char *p = from_dir(dir, v->s);

			add(a, p);
			free(p);
		} else {
			add(a, v->s);
		}
		return 0;
	case K_STRINGS:
	case K_PATHS:
		if (v->type != J_ARRAY)
			BAD(v, "\"%s\" takes an array of strings, not %s",
			    k->name, jtype_name(v->type));
		for (size_t i = 0; i < v->n; i++) {
			const struct jnode *e = v->items[i];
			char *p;

			if (e->type != J_STRING)
				BAD(e, "\"%s\" takes strings, not %s", k->name,
				    jtype_name(e->type));
			add(a, k->option);
			p = k->kind == K_PATHS ? from_dir(dir, e->s)
			    : !strcmp(k->name, "outputs")
				    ? output_from_dir(dir, e->s)
				    : xstrdup(e->s);
			add(a, p);
			free(p);
		}
		return 0;
	case K_PARAMS:
		return param_args(path, dir, k, v, a);
	case K_MAP:
		if (v->type != J_OBJECT)
			BAD(v, "\"%s\" takes an object of rule ids, not %s",
			    k->name, jtype_name(v->type));
		for (size_t i = 0; i < v->n; i++) {
			const struct jnode *e = v->items[i];
			char *kv;

			if (string_value(path, k, e) < 0)
				return -1;
			kv = xmalloc(strlen(v->keys[i]) + strlen(e->s) + 2);
			sprintf(kv, "%s=%s", v->keys[i], e->s);
			add(a, k->option);
			add(a, kv);
			free(kv);
		}
		return 0;
	}
	return 0;
}

/* a configuration larger than this is refused (/dev/zero has no end) */
#define CONFIG_MAX (1 << 20)

/* The whole file PATH, NUL-terminated, into *TEXT: 0, or -1 (errno;
 * EFBIG past CONFIG_MAX). */
static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "re");
	struct strbuf b;
	char chunk[4096];
	size_t n;

	if (!f)
		return -1;
	strbuf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		strbuf_add(&b, chunk, n);
		if (b.len > CONFIG_MAX) {
			fclose(f);
			strbuf_release(&b);
			errno = EFBIG;
			return -1;
		}
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		strbuf_release(&b);
		errno = e ? e : EIO;
		return -1;
	}
	fclose(f);
	*len = b.len;
	*text = strbuf_detach(&b, NULL);
	return 0;
}

/* The configuration PATH as arguments of CMD into A: 0, or -1. */
static int load(const char *path, bool run, struct args *a)
{
	char *text, err[256], dir[PATH_MAX];
	size_t len;
	struct jnode *doc;
	int r = 0;

	if (read_file(path, &text, &len) < 0) {
		if (errno == EFBIG)
			errorx("%s: configuration larger than %d bytes", path,
			       CONFIG_MAX);
		else
			errorx("cannot read configuration '%s': %s", path,
			       strerror(errno));
		return -1;
	}
	doc = jdoc_parse(text, len, err, sizeof(err));
	free(text);
	if (!doc) {
		errorx("%s:%s", path, err);
		return -1;
	}
	if (doc->type != J_OBJECT) {
		errorx("%s:%d:%d: a configuration is an object of options",
		       path, doc->line, doc->col);
		jnode_free(doc);
		return -1;
	}
	{
		char cwd[PATH_MAX], abs[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    path_resolve(cwd, path, abs, sizeof(abs)) < 0 ||
		    path_dirname(abs, dir, sizeof(dir)) < 0)
			strcpy(dir, ".");
	}
	for (size_t i = 0; i < doc->n && !r; i++) {
		const struct key *k = NULL;
		const struct jnode *kn = doc->keynodes[i];

		for (size_t j = 0; j < ARRAY_SIZE(keys) && !k; j++)
			if (!strcmp(keys[j].name, doc->keys[i]))
				k = &keys[j];
		if (!k) {
			errorx("%s:%d:%d: unknown key \"%s\" (docs/ci.md, "
			       "\"The configuration file\")",
			       path, kn->line, kn->col, doc->keys[i]);
			r = -1;
		} else if ((k->run_only && !run) || (k->analyze_only && run)) {
			/* a key of the other command: one file serves both */
			continue;
		} else {
			r = key_args(path, dir, k, doc->items[i], a);
		}
	}
	jnode_free(doc);
	return r;
}

/* fsrace.json or .fsrace.json in the working directory or above it, into
 * BUF; false when there is none. */
static bool discover(char *buf, size_t size)
{
	static const char *const names[] = {"fsrace.json", ".fsrace.json"};
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (!getcwd(dir, sizeof(dir)))
		return false;
	for (;;) {
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			int n = snprintf(buf, size, "%s%s%s", dir,
					 strcmp(dir, "/") ? "/" : "", names[i]);

			if (n > 0 && (size_t)n < size && stat(buf, &st) == 0 &&
			    S_ISREG(st.st_mode))
				return true;
		}
		if (!strcmp(dir, "/"))
			return false;
		slash = strrchr(dir, '/');
		if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
}

int config_argv(int argc, char **argv, bool run, int *ret_argc,
		char ***ret_argv, char **ret_path)
{
	const char *given = NULL;
	bool none = false;
	char found[PATH_MAX];
	struct args a = {0};
	int cfg_n, i;

	*ret_path = NULL;
	/* --config and --no-config before the operands ("--" ends them) */
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--no-config"))
			none = true;
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			given = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			given = argv[i] + 9;
	}
	add(&a, argv[0]);
	if (!none && (given || discover(found, sizeof(found)))) {
		const char *path = given ? given : found;

		if (load(path, run, &a) < 0) {
			for (int k = 0; k < a.n; k++)
				free(a.v[k]);
			free(a.v);
			return -1;
		}
		*ret_path = xstrdup(path);
	}
	cfg_n = a.n - 1;
	for (i = 1; i < argc; i++)
		add(&a, argv[i]);
	*ret_argc = a.n;
	*ret_argv = a.v;
	return cfg_n;
}

void config_argv_free(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}
