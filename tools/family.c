/* Reading kernel/family.tbl strictly: see family.h and the file itself. */
#define _POSIX_C_SOURCE 200809L
#include "family.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The types an argument may have: the family's and common kernel ones. */
static const char *const known_types[] = {
	"void", "char", "signed char", "unsigned char", "short",
	"unsigned short", "int", "unsigned int", "long", "unsigned long",
	"long long", "unsigned long long", "size_t", "ssize_t", "loff_t",
	"off_t", "pid_t", "uid_t", "gid_t", "umode_t", "mode_t", "clockid_t",
	"timer_t", "key_serial_t", "aio_context_t", "qid_t", "rwf_t",
	"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
	"__u8", "__u16", "__u32", "__u64", "__s8", "__s16", "__s32", "__s64",
	"compat_uptr_t", "compat_ulong_t", "compat_long_t", "compat_size_t",
	"compat_ssize_t", "compat_int_t", "compat_uint_t", "compat_pid_t",
	"compat_loff_t",
};

int fam_is_ident(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

struct where {
	const char *path;
	size_t line;
	char *err;
	size_t errsz;
};

__attribute__((format(printf, 2, 3)))
static int fail(const struct where *w, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(w->err, w->errsz, "%s:%zu: ", w->path, w->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < w->errsz)
		vsnprintf(w->err + n, w->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* s without leading and trailing blanks, in place. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* 1 if base (a type's words without qualifiers) is a type the file may use;
 * a struct or union only through a pointer. */
static int known_type(const char *base, int stars)
{
	if (!strncmp(base, "struct ", 7) || !strncmp(base, "union ", 6))
		return stars > 0 && fam_is_ident(strchr(base, ' ') + 1);
	if (!strcmp(base, "void"))
		return stars > 0;
	for (size_t i = 0; i < sizeof(known_types) / sizeof(*known_types); i++)
		if (!strcmp(base, known_types[i]))
			return 1;
	return 0;
}

/* Appends word to buf (size bytes), a blank between words; -1 if too long. */
static int append(char *buf, size_t size, const char *word)
{
	size_t len = strlen(buf);
	int n = snprintf(buf + len, size - len, "%s%s", len ? " " : "", word);

	return n < 0 || (size_t)n >= size - len ? -1 : 0;
}

/* One "TYPE NAME" into a: its words, its stars, its name, checked. */
static int parse_arg(const struct where *w, char *s, struct fam_arg *a)
{
	char base[96] = "", *tok, *save, *star;
	int user = 0;

	memset(a, 0, sizeof(*a));
	while ((star = strchr(s, '*'))) {	/* "char *p" and "char*p" alike */
		*star = ' ';
		a->stars++;
	}
	s = trim(s);
	tok = strrchr(s, ' ');
	if (!tok)
		return fail(w, "argument '%s' has no type and name", s);
	*tok++ = '\0';
	if (!fam_is_ident(tok) || strlen(tok) >= sizeof(a->name))
		return fail(w, "argument name '%s' is not a C identifier", tok);
	strcpy(a->name, tok);
	for (tok = strtok_r(s, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		user |= !strcmp(tok, "__user");
		if (append(a->type, sizeof(a->type), tok) ||
		    (strcmp(tok, "const") && strcmp(tok, "__user") &&
		     append(base, sizeof(base), tok)))
			return fail(w, "argument '%s': type too long", a->name);
	}
	if (!known_type(base, a->stars))
		return fail(w, "argument '%s': unknown type '%s%s'", a->name,
			    base, a->stars ? " *" : "");
	if (user && !a->stars)
		return fail(w, "argument '%s': __user on a type that is not a pointer",
			    a->name);
	return 0;
}

/* "void" or up to six comma-separated arguments, each name once. */
static int parse_args(const struct where *w, char *s, struct fam_args *as)
{
	char *save, *tok;

	as->n = 0;
	s = trim(s);
	if (!strcmp(s, "void"))
		return 0;
	if (!*s)
		return fail(w, "no arguments: write \"void\" for none");
	if (*s == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return fail(w, "an empty argument (two commas, or one at an end)");
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (as->n == FAM_MAX_ARGS)
			return fail(w, "more than %d arguments", FAM_MAX_ARGS);
		if (parse_arg(w, tok, &as->v[as->n]))
			return -1;
		for (size_t i = 0; i < as->n; i++)
			if (!strcmp(as->v[i].name, as->v[as->n].name))
				return fail(w, "argument '%s' named twice",
					    as->v[i].name);
		as->n++;
	}
	return 0;
}

/* The fields of one line (blank-separated, the arguments the rest). */
static int parse_line(const struct where *w, char *s, const struct family *f,
		      struct fam_call *c)
{
	char *name, *ret, *compat, *args, *cargs, *save;

	memset(c, 0, sizeof(*c));
	c->line = w->line;
	name = strtok_r(s, " \t", &save);
	ret = strtok_r(NULL, " \t", &save);
	compat = strtok_r(NULL, " \t", &save);
	args = strtok_r(NULL, "", &save);
	if (!args)
		return fail(w, "expected NAME RETURN COMPAT ARGUMENTS");
	if (!fam_is_ident(name) || strlen(name) >= 48)
		return fail(w, "'%s' is not a C identifier (of at most 47 characters)", name);
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].name, name))
			return fail(w, "'%s' declared twice (first at line %zu)",
				    name, f->v[i].line);
	strcpy(c->name, name);
	if (strlen(ret) >= sizeof(c->ret) || !known_type(ret, 0) ||
	    !strcmp(ret, "void"))
		return fail(w, "%s: unknown return type '%s'", name, ret);
	strcpy(c->ret, ret);
	if (strcmp(compat, "-") && strcmp(compat, "compat"))
		return fail(w, "%s: compat column '%s': \"-\" or \"compat\"", name, compat);
	c->compat = !strcmp(compat, "compat");
	cargs = strchr(args, '|');
	if (cargs) {
		*cargs++ = '\0';
		if (!c->compat)
			return fail(w, "%s: compat arguments without a compat entry", name);
	}
	if (parse_args(w, args, &c->args))
		return -1;
	c->cargs = c->args;
	return cargs ? parse_args(w, cargs, &c->cargs) : 0;
}

int fam_parse(const char *path, const char *text, struct family *f,
	      char *err, size_t errsz)
{
	struct where w = { path, 0, err, errsz };
	const char *p = text;
	char buf[1024];

	f->v = NULL;
	f->n = 0;
	while (*p) {
		size_t len = strcspn(p, "\n");
		struct fam_call *v;
		char *s;

		w.line++;
		if (len >= sizeof(buf))
			return fail(&w, "line too long");
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (p[len] == '\n');
		s = strchr(buf, '#');
		if (s)
			*s = '\0';
		s = trim(buf);
		if (!*s)
			continue;
		v = realloc(f->v, (f->n + 1) * sizeof(*v));
		if (!v)
			return fail(&w, "out of memory");
		f->v = v;
		if (parse_line(&w, s, f, &f->v[f->n]))
			return -1;
		f->n++;
	}
	if (!f->n) {
		snprintf(err, errsz, "%s: no system calls declared", path);
		return -1;
	}
	return 0;
}
