/* A text file as its lines (lines.h). */
#define _POSIX_C_SOURCE 200809L
#include "lines.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more lines in l: 0, or -1. */
static int grow(struct lines *l, size_t n)
{
	char **v = realloc(l->v, (l->n + n + 1) * sizeof(*v));

	if (!v)
		return -1;
	l->v = v;
	return 0;
}

int lines_split(const char *text, struct lines *l)
{
	l->v = NULL;
	l->n = 0;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		if (grow(l, 1) || !(l->v[l->n] = strndup(text, len))) {
			lines_free(l);
			return -1;
		}
		l->n++;
		text += len + (nl != NULL);
	}
	return 0;
}

int lines_read(const char *path, struct lines *l)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t size = 0;
	int rc = -1;

	l->v = NULL;
	l->n = 0;
	if (f) {
		FILE *m = open_memstream(&text, &size);
		char buf[65536];
		size_t r;

		while (m && (r = fread(buf, 1, sizeof(buf), f)) > 0)
			if (fwrite(buf, 1, r, m) != r)
				break;
		if (m && !fclose(m) && !ferror(f))
			rc = lines_split(text, l);
		fclose(f);
		free(text);
	}
	return rc;
}

char *lines_join(const struct lines *l)
{
	size_t len = 0;
	char *s, *p;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	s = p = malloc(len + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i]);

		memcpy(p, l->v[i], n);
		p += n;
		*p++ = '\n';
	}
	*p = '\0';
	return s;
}

int lines_write(const char *path, const struct lines *l)
{
	char *s = lines_join(l);
	FILE *f;
	int rc = -1;

	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	f = fopen(path, "wb");
	if (f) {
		size_t len = strlen(s);

		rc = fwrite(s, 1, len, f) == len ? 0 : -1;
		if (fclose(f))
			rc = -1;
	}
	free(s);
	return rc;
}

int lines_insert(struct lines *l, size_t at, char *const *add, size_t n)
{
	if (grow(l, n))
		return -1;
	memmove(l->v + at + n, l->v + at, (l->n - at) * sizeof(*l->v));
	for (size_t i = 0; i < n; i++)
		l->v[at + i] = NULL;
	l->n += n;
	for (size_t i = 0; i < n; i++)
		if (lines_set(l, at + i, add[i])) {
			lines_remove(l, at, at + n);
			return -1;
		}
	return 0;
}

void lines_remove(struct lines *l, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		free(l->v[i]);
	memmove(l->v + from, l->v + to, (l->n - to) * sizeof(*l->v));
	l->n -= to - from;
}

int lines_set(struct lines *l, size_t i, const char *s)
{
	char *c = strdup(s);

	if (!c)
		return -1;
	free(l->v[i]);
	l->v[i] = c;
	return 0;
}

int lines_retail(struct lines *l, size_t i, size_t keep, const char *tail)
{
	char *s = malloc(keep + strlen(tail) + 1);

	if (!s)
		return -1;
	memcpy(s, l->v[i], keep);
	strcpy(s + keep, tail);
	free(l->v[i]);
	l->v[i] = s;
	return 0;
}

long lines_find(const struct lines *l, const char *ere, size_t from)
{
	regex_t re;
	long at = -1;

	if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB))
		return -1;
	for (size_t i = from; at < 0 && i < l->n; i++)
		if (!regexec(&re, l->v[i], 0, NULL, 0))
			at = (long)i;
	regfree(&re);
	return at;
}

int line_matches(const char *s, const char *ere)
{
	struct lines one = { .v = (char **)&s, .n = 1 };

	return lines_find(&one, ere, 0) == 0;
}

long lines_index(const struct lines *l, const char *s, size_t from)
{
	for (size_t i = from; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return (long)i;
	return -1;
}

void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
