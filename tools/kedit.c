/* The anchored edits of a kernel tree's files (kedit.h): fragments put
 * before an anchor, after a definition, at the end, and single lines. */
#include "kedit.h"

#include <stdio.h>
#include <string.h>

/* Lines from..to-1 of l replaced by frag's. */
static int replace(struct lines *l, size_t from, size_t to, const struct lines *frag,
		   char *why, size_t whysz)
{
	lines_remove(l, from, to);
	if (lines_insert(l, from, frag->v, frag->n))
		return ked_fail(why, whysz, "out of memory");
	return 0;
}

int ked_insert_before(struct lines *l, const char *ere, const struct lines *frag,
		      char *why, size_t whysz)
{
	long at = lines_find(l, ere, 0);
	long from = lines_index(l, frag->n ? frag->v[0] : "", 0);

	if (at < 0)
		return ked_fail(why, whysz, "no line matches /%s/", ere);
	if (at > 0 && !strcmp(l->v[at - 1], "/*"))
		at--;
	if (from < 0 || from > at)
		from = at;
	return replace(l, (size_t)from, (size_t)at, frag, why, whysz);
}

/* 1 if l has one of frag's EXPORT_SYMBOL lines (frag without any: an
 * empty line, as grep -xF "" finds). */
static int has_export(const struct lines *l, const struct lines *frag)
{
	int exports = 0;

	for (size_t i = 0; i < frag->n; i++) {
		if (strncmp(frag->v[i], "EXPORT_SYMBOL", 13))
			continue;
		exports++;
		if (lines_index(l, frag->v[i], 0) >= 0)
			return 1;
	}
	return !exports && lines_index(l, "", 0) >= 0;
}

int ked_insert_after_block(struct lines *l, const char *start, const struct lines *frag,
			   char *why, size_t whysz)
{
	long at = lines_find(l, start, 0), end;

	if (at < 0 || has_export(l, frag))
		return 1;
	end = lines_find(l, "^};?[ \t]*$", (size_t)at);
	if (end < 0)
		return ked_fail(why, whysz,
				"no \"}\" alone on a line closes the definition at /%s/", start);
	return replace(l, (size_t)end + 1, (size_t)end + 1, frag, why, whysz);
}

int ked_declare(struct lines *l, const struct lines *frag, char *why, size_t whysz)
{
	static const char fwd[] = "^(struct|union|enum) [a-z0-9_]+;$";
	int rc = 1;

	for (size_t i = 0; i < frag->n; i++) {
		long inc = lines_find(l, "^#include ", 0), at = -1;
		size_t end = inc < 0 ? l->n : (size_t)inc;

		if (lines_index(l, frag->v[i], 0) >= 0)
			continue;
		for (long d = lines_find(l, fwd, 0); d >= 0 && (size_t)d < end;
		     d = lines_find(l, fwd, (size_t)d + 1))
			at = d;
		if (at < 0)
			return ked_fail(why, whysz,
					"no forward declaration (struct name;) above its first #include");
		if (lines_insert(l, (size_t)at + 1, &frag->v[i], 1))
			return ked_fail(why, whysz, "out of memory");
		rc = 0;
	}
	return rc;
}

/* The first line of l (0-based) that names the lab, or -1. */
static long marker_line(const struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i], KED_MARKER))
			return (long)i;
	return -1;
}

int ked_end_block(struct lines *l, const struct lines *frag, char *why, size_t whysz)
{
	long from = marker_line(l), above = marker_line(frag);

	/* An earlier version starts as many lines above its marker line as
	 * frag's marker line is below frag's first (with none, right after). */
	from = from < 0 ? (long)l->n : from - (above < 0 ? -1 : above);
	if (from < 0)
		from = 0;
	if (from > (long)l->n)
		from = (long)l->n;
	return replace(l, (size_t)from, l->n, frag, why, whysz);
}

int ked_add_after(struct lines *l, const char *ere, char *const *add, size_t n)
{
	long at = lines_find(l, ere, 0);

	if (at < 0)
		return 0;
	return lines_insert(l, (size_t)at + 1, add, n) ? -1 : 1;
}

int ked_append_to(struct lines *l, const char *ere, const char *tail)
{
	long at = lines_find(l, ere, 0);
	size_t keep;

	if (at < 0)
		return 0;
	keep = strlen(l->v[at]);
	while (keep && (l->v[at][keep - 1] == ' ' || l->v[at][keep - 1] == '\t'))
		keep--;
	return lines_retail(l, (size_t)at, keep, tail) ? -1 : 1;
}
