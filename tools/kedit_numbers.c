/* The family's numbers in the generic unistd.h and arm64's asm/unistd32.h
 * (kedit.h): the block of #defines and table entries, and the counts. */
#include "kedit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The line that opens the lab's block (its start: "/" "* MARKER: "). */
#define OPEN "/* " KED_MARKER ": "
#define DEFINE_NR "^#define __NR_[a-z0-9_]+ [0-9]+$"

/* Field k (from 1) of s as awk splits it (at blanks), its length in *len;
 * NULL if s has fewer. */
static const char *field(const char *s, int k, size_t *len)
{
	for (;;) {
		s += strspn(s, " \t");
		*len = strcspn(s, " \t");
		if (!*len)
			return NULL;
		if (--k == 0)
			return s;
		s += *len;
	}
}

/* 1 if field k of s is want. */
static int field_is(const char *s, int k, const char *want)
{
	size_t len;
	const char *f = field(s, k, &len);

	return f && len == strlen(want) && !strncmp(f, want, len);
}

/* Field k of s as a number (awk's: its leading digits; 0 without). */
static long field_nr(const char *s, int k)
{
	size_t len;
	const char *f = field(s, k, &len);

	return f ? strtol(f, NULL, 10) : 0;
}

int ked_numbers_parse(const struct lines *l, struct ked_numbers *ns)
{
	ns->n = 0;
	ns->v = calloc(l->n + 1, sizeof(*ns->v));
	if (!ns->v)
		return -1;
	for (size_t i = 0; i < l->n; i++, ns->n++) {
		size_t len;
		const char *name = field(l->v[i], 1, &len);

		if (name)
			snprintf(ns->v[i].name, sizeof(ns->v[i].name), "%.*s", (int)len, name);
		ns->v[i].nr = field_nr(l->v[i], 2);
	}
	return 0;
}

/* The earlier block taken out of l: its opening line, then its #defines
 * and entries up to and with the blank line that ends it. */
static void remove_block(struct lines *l)
{
	int old = 0;

	for (size_t i = 0; i < l->n;) {
		const char *s = l->v[i];
		int in = old && (line_matches(s, DEFINE_NR) || !strncmp(s, "__SYSCALL(", 10) ||
				 !strncmp(s, "__SC_COMP(", 10) || !*s);

		if (!strncmp(s, OPEN, strlen(OPEN))) {
			old = 1;
		} else if (!in) {
			old = 0;
			i++;
			continue;
		} else if (!*s) {
			old = 0;
		}
		lines_remove(l, i, i + 1);
	}
}

/* The entry of name in entries (its NAME=ENTRY line, the last), or NULL. */
static const char *entry_of(const struct lines *entries, const char *name)
{
	const char *found = NULL;
	size_t len = strlen(name);

	for (size_t i = 0; i < entries->n; i++) {
		const char *e = entries->v[i], *eq = strchr(e, '=');

		if (eq && !strchr(eq + 1, '=') && (size_t)(eq - e) == len && !strncmp(e, name, len))
			found = eq + 1;
	}
	return found;
}

/* fmt's line added at the end of b: 0, or -1. */
static int add(struct lines *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int add(struct lines *b, const char *fmt, ...)
{
	char buf[512], *p = buf;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return lines_insert(b, b->n, &p, 1);
}

/* The block's lines, into b (empty before): 0, or -1. */
static int block(struct lines *b, const struct ked_numbers *ns, const struct lines *entries,
		 int both)
{
	int rc = add(b, "%shello/hello.c */", OPEN);

	for (size_t j = 0; !rc && j < ns->n; j++) {
		const char *n = ns->v[j].name, *e = entry_of(entries, n);

		rc = add(b, "#define __NR_%s %ld", n, ns->v[j].nr);
		if (rc)
			break;
		if (both && e)
			rc = add(b, "__SC_COMP(__NR_%s, sys_%s, %s)", n, n, e);
		else if (e)
			rc = add(b, "__SYSCALL(__NR_%s, %s)", n, e);
		else
			rc = add(b, "__SYSCALL(__NR_%s, sys_%s)", n, n);
	}
	return rc ? rc : add(b, "%s", "");
}

int ked_number_block(struct lines *l, const char *ere, const struct ked_numbers *ns,
		     const struct lines *entries, int both, char *why, size_t whysz)
{
	struct lines b = { 0 };
	long at;
	int rc;

	remove_block(l);
	at = lines_find(l, ere, 0);
	if (at < 0)
		return ked_fail(why, whysz, "no line matches /%s/", ere);
	if (at > 0 && !strcmp(l->v[at - 1], "/*"))
		at--;
	rc = block(&b, ns, entries, both) || lines_insert(l, (size_t)at, b.v, b.n);
	lines_free(&b);
	return rc ? ked_fail(why, whysz, "out of memory") : 0;
}

int ked_set_count(struct lines *l, const char *macro, long n, char *why, size_t whysz)
{
	char re[256];

	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->v[i];
		size_t keep = strlen(s);
		char nr[32];

		if (!field_is(s, 1, "#define") || !field_is(s, 2, macro))
			continue;
		while (keep && s[keep - 1] >= '0' && s[keep - 1] <= '9')
			keep--;
		snprintf(nr, sizeof(nr), "%ld", n);
		if (keep < strlen(s) && lines_retail(l, i, keep, nr))
			return ked_fail(why, whysz, "out of memory");
	}
	snprintf(re, sizeof(re), "^#define %s[[:space:]]+%ld$", macro, n);
	if (lines_find(l, re, 0) < 0)
		return ked_fail(why, whysz, "no line '#define %s N'", macro);
	return 0;
}

long ked_first_number(const struct lines *unistd)
{
	long count = 0;
	int old = 0;

	for (size_t i = 0; i < unistd->n; i++) {
		const char *s = unistd->v[i];

		if (!strncmp(s, OPEN, strlen(OPEN)))
			old = 1;
		else if (old && line_matches(s, DEFINE_NR))
			return field_nr(s, 3);
		else if (line_matches(s, "^#define __NR_syscalls [0-9]+$"))
			count = field_nr(s, 3);
	}
	return count ? count : -1;
}

long ked_next_number(const struct lines *l)
{
	long next = 0;

	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->v[i], *name, *nr;
		size_t len, nrlen;

		name = field(s, 2, &len);
		nr = field(s, 3, &nrlen);
		if (!field_is(s, 1, "#define") || !name || strncmp(name, "__NR_", 5) || !nr ||
		    strspn(nr, "0123456789") != nrlen)
			continue;
		if (field_nr(s, 3) + 1 > next)
			next = field_nr(s, 3) + 1;
	}
	return next;
}
