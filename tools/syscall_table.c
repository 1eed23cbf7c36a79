#include "syscall_table.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy_field(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

int tbl_parse_line(const char *line, struct tbl_entry *e)
{
	const char *p = line;
	const char *field[4];
	size_t flen[4];
	int nf = 0;

	while (*p && isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	while (*p && *p != '#' && nf < 4) {
		field[nf] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		flen[nf] = (size_t)(p - field[nf]);
		nf++;
		while (*p && isspace((unsigned char)*p) && *p != '\n')
			p++;
		if (*p == '\n')
			break;
	}
	if (nf < 3)
		return -1;

	char *end;
	errno = 0;
	long nr = strtol(field[0], &end, 10);
	if (errno || end != field[0] + flen[0] || nr < 0)
		return -1;
	e->nr = nr;
	if (copy_field(e->abi, sizeof(e->abi), field[1], flen[1]) ||
	    copy_field(e->name, sizeof(e->name), field[2], flen[2]))
		return -1;
	e->entry[0] = '\0';
	if (nf == 4 &&
	    copy_field(e->entry, sizeof(e->entry), field[3], flen[3]))
		return -1;
	return 1;
}

int tbl_parse(const char *text, struct tbl *t, size_t *bad_line)
{
	size_t cap = 0, lineno = 0;

	t->v = NULL;
	t->n = 0;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[512];
		struct tbl_entry e;
		int r;

		lineno++;
		if (len >= sizeof(buf))
			goto bad;
		memcpy(buf, line, len);
		buf[len] = '\0';
		r = tbl_parse_line(buf, &e);
		if (r < 0)
			goto bad;
		if (r > 0) {
			if (t->n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct tbl_entry *v =
					realloc(t->v, ncap * sizeof(*v));
				if (!v)
					goto bad;
				t->v = v;
				cap = ncap;
			}
			t->v[t->n++] = e;
		}
		line += len + (nl ? 1 : 0);
	}
	return 0;
bad:
	free(t->v);
	t->v = NULL;
	t->n = 0;
	if (bad_line)
		*bad_line = lineno;
	return -1;
}

long tbl_next_free(const struct tbl *t)
{
	long max = -1;

	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].abi, "x32") == 0)
			continue;
		if (t->v[i].nr > max)
			max = t->v[i].nr;
	}
	return max + 1;
}

size_t tbl_insert_offset(const char *text)
{
	size_t best = strlen(text);
	long max = -1;

	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		char buf[512];
		struct tbl_entry e;

		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			if (tbl_parse_line(buf, &e) > 0 &&
			    strcmp(e.abi, "x32") != 0 && e.nr > max) {
				max = e.nr;
				best = (size_t)(line - text) + len;
			}
		}
		line += len;
	}
	return best;
}

long tbl_lookup(const struct tbl *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return t->v[i].nr;
	return -1;
}

/* The tabs that follow a column of text, to align the next one. */
static const char *tabs_after(size_t col)
{
	return col < 8 ? "\t\t\t" : col < 16 ? "\t\t" : "\t";
}

int tbl_format(char *buf, size_t size, long nr, const char *abi,
	       const char *name, const char *compat)
{
	/* The tables align the entry points with tabs after each column. */
	int n = compat ?
		snprintf(buf, size, "%ld\t%s\t%s%ssys_%s%s%s\n", nr, abi, name,
			 tabs_after(strlen(name)), name,
			 tabs_after(strlen(name) + 4), compat) :
		snprintf(buf, size, "%ld\t%s\t%s%ssys_%s\n", nr, abi, name,
			 tabs_after(strlen(name)), name);

	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}
