#include "tap.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void tap_init(struct tap_state *s)
{
	memset(s, 0, sizeof(*s));
	s->top_indent = -1;
	s->last_indent = -1;
}

static int indent_of(const char **p)
{
	int n = 0;

	for (; **p == ' ' || **p == '\t'; (*p)++)
		n += **p == '\t' ? 8 : 1;
	return n;
}

static int has_skip(const char *p)
{
	const char *hash = strchr(p, '#');

	while (hash) {
		const char *d = hash + 1;

		while (*d == ' ')
			d++;
		if (strncasecmp(d, "SKIP", 4) == 0)
			return 1;
		hash = strchr(d, '#');
	}
	return 0;
}

void tap_line(struct tap_state *s, const char *line)
{
	const char *p = line;
	int indent = indent_of(&p);
	int kind;

	if (strncmp(p, "Bail out!", 9) == 0) {
		s->bailed = 1;
		return;
	}
	if (isdigit((unsigned char)p[0]) && strstr(p, "..")) {
		char *end;
		long first = strtol(p, &end, 10);

		if (first == 1 && strncmp(end, "..", 2) == 0 &&
		    isdigit((unsigned char)end[2]) && s->top_indent < 0) {
			s->top_indent = indent;
			s->top_planned = strtol(end + 2, NULL, 10);
		}
		return;
	}
	if (strncmp(p, "ok ", 3) == 0 || strcmp(p, "ok") == 0)
		kind = 0;
	else if (strncmp(p, "not ok", 6) == 0 && (p[6] == ' ' || !p[6]))
		kind = 1;
	else
		return;
	if (has_skip(p))
		kind = 2;

	/* A result right after deeper ones closes them: it is their parent
	 * (a KTAP suite), and its tests are already counted. */
	if (s->last_indent < 0 || s->last_indent <= indent) {
		if (kind == 0)
			s->c.passed++;
		else if (kind == 1)
			s->c.failed++;
		else
			s->c.skipped++;
	}
	s->last_indent = indent;
	s->seen_at[indent < 63 ? indent : 63]++;
}

struct tap_counts tap_finish(struct tap_state *s)
{
	/* The plan may come first or last (TAP allows both). */
	if (s->top_indent >= 0) {
		long seen = s->seen_at[s->top_indent < 63 ? s->top_indent : 63];

		if (seen < s->top_planned)
			s->c.missing = (unsigned)(s->top_planned - seen);
	}
	if (s->bailed && s->c.missing == 0)
		s->c.missing = 1;
	s->c.failed += s->c.missing;
	return s->c;
}
