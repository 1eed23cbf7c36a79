/* ktap.c: see ktap.h. */
#define _GNU_SOURCE
#include "ktap.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define MAX_DEPTH 16

enum kind { K_OTHER, K_VERSION, K_PLAN, K_RESULT, K_BAIL, K_DIAG };

static void push_line(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The length of "ok" or "not ok" when s is a result line, else 0. The
 * number is optional (TAP 13): "not ok - prog exited with status 1", which
 * make host-tests appends for a program that died after its plan, is a
 * failure; "ok so far" is no result. */
static size_t result_word(const char *s)
{
	size_t n = !strncmp(s, "ok", 2) ? 2 : !strncmp(s, "not ok", 6) ? 6 : 0;
	const char *p = s + n;

	if (!n)
		return 0;
	if (!*p)
		return n;
	if (*p++ != ' ')
		return 0;
	if (isdigit((unsigned char)*p) || *p == '#' ||
	    (*p == '-' && (p[1] == ' ' || !p[1])))
		return n;
	return 0;
}

static enum kind classify(const char *s)
{
	if (!strncmp(s, "KTAP version ", 13) || !strncmp(s, "TAP version ", 12))
		return K_VERSION;
	if (!strncmp(s, "1..", 3) && isdigit((unsigned char)s[3]))
		return K_PLAN;
	if (result_word(s))
		return K_RESULT;
	if (!strncmp(s, "Bail out!", 9))
		return K_BAIL;
	if (s[0] == '#')
		return K_DIAG;
	return K_OTHER;
}

static struct ktap_test *new_test(void)
{
	struct ktap_test *t = xcalloc(1, sizeof(*t));

	t->planned = -1;
	return t;
}

/* Moves everything of src into dst (dst keeps its name and result). */
static void adopt(struct ktap_test *dst, struct ktap_test *src)
{
	dst->sub = src->sub;
	dst->nsub = src->nsub;
	dst->planned = src->planned;
	dst->bailed = src->bailed;
	dst->lines = src->lines;
	dst->nlines = src->nlines;
	free_lines(src->diag, src->ndiag);
	free(src->name);
	free(src->directive);
	free(src);
}

static void add_sub(struct ktap_test *parent, struct ktap_test *t)
{
	parent->sub = xrealloc(parent->sub, (parent->nsub + 1) * sizeof(*t));
	parent->sub[parent->nsub++] = *t;
	free(t);
}

/* "ok 3 - name # SKIP why" into t; the number and the name are optional
 * ("not ok - name", cmocka's "not ok 3 # SKIP name"). */
static void parse_result(struct ktap_test *t, const char *s)
{
	const char *p = s + result_word(s), *hash, *directive = NULL;
	char *name;

	t->result = strncmp(s, "not ", 4) ? KTAP_PASS : KTAP_FAIL;
	while (*p == ' ')
		p++;
	t->number = atoi(p);
	while (isdigit((unsigned char)*p))
		p++;
	while (*p == ' ')
		p++;
	if (p[0] == '-' && (p[1] == ' ' || !p[1]))
		p += 1 + (p[1] == ' ');
	hash = strstr(p, " # ");
	if (hash)
		directive = hash + 3;
	else if (!strncmp(p, "# ", 2))
		hash = p, directive = p + 2;
	name = hash ? strndup(p, (size_t)(hash - p)) : strdup(p);
	if (!name)
		die("out of memory");
	t->name = name;
	if (directive) {
		t->directive = xstrdup(directive);
		if (!strncasecmp(t->directive, "SKIP", 4))
			t->result = KTAP_SKIP;
		else if (!strncasecmp(t->directive, "XFAIL", 5))
			t->result = KTAP_PASS;
	}
}

struct parser {
	struct ktap_test *level[MAX_DEPTH];
	int deepest;
	char **recent[MAX_DEPTH];	/* "#" lines since the last result */
	size_t nrecent[MAX_DEPTH];
};

/* Levels deeper than k are folded into their parents: a subtest that
 * never got its result line is a failed test named for that (and for its
 * "# Subtest: NAME" line, when it has one). */
static void fold_to(struct parser *p, int k)
{
	while (p->deepest > k) {
		struct ktap_test *t = p->level[p->deepest], *u = new_test();
		const char *subtest = NULL;

		for (size_t i = 0; i < t->nlines && !subtest; i++)
			if (!strncmp(t->lines[i], "# Subtest: ", 11))
				subtest = t->lines[i] + 11;
		u->name = subtest ? xasprintf("%s (unfinished: no result line)", subtest)
				  : xstrdup("(unfinished: no result line)");
		adopt(u, t);
		u->result = KTAP_FAIL;
		free_lines(p->recent[p->deepest], p->nrecent[p->deepest]);
		p->recent[p->deepest] = NULL;
		p->nrecent[p->deepest] = 0;
		p->level[p->deepest--] = NULL;
		add_sub(p->level[p->deepest], u);
	}
}

static void feed(struct parser *p, const char *line)
{
	size_t indent = strspn(line, " ");
	int k = (int)(indent / 4), L;
	const char *s = line + indent;
	enum kind kind = classify(s);
	/* KTAP nests by four spaces: a result indented otherwise is output */
	bool structural = indent % 4 == 0 &&
			  (kind == K_VERSION || kind == K_PLAN ||
			   kind == K_RESULT || kind == K_BAIL);

	if (k >= MAX_DEPTH)
		k = MAX_DEPTH - 1;
	if (structural && k <= p->deepest + 1)
		L = k;
	else if (k > p->deepest)
		L = p->deepest == 0 ? 1 : p->deepest;
	else
		L = k;
	if (L > p->deepest) {
		p->level[++p->deepest] = new_test();
		L = p->deepest;
	}
	/* the line belongs to every open test from level 1 to L */
	for (int j = 1; j <= L; j++) {
		size_t cut = 4 * (size_t)j < indent ? 4 * (size_t)j : indent;

		push_line(&p->level[j]->lines, &p->level[j]->nlines, line + cut);
	}
	if (!structural) {
		if (kind == K_DIAG && s[1] == ' ' && indent % 4 == 0 &&
		    L <= p->deepest && k == L)
			push_line(&p->recent[L], &p->nrecent[L], s);
		return;
	}
	if (kind == K_RESULT) {
		struct ktap_test *t = new_test();

		fold_to(p, L + 1);
		if (p->deepest == L + 1) {
			adopt(t, p->level[L + 1]);
			p->level[L + 1] = NULL;
			t->after = p->recent[L + 1];
			t->nafter = p->nrecent[L + 1];
			p->recent[L + 1] = NULL;
			p->nrecent[L + 1] = 0;
			p->deepest = L;
		}
		parse_result(t, s);
		t->diag = p->recent[L];
		t->ndiag = p->nrecent[L];
		p->recent[L] = NULL;
		p->nrecent[L] = 0;
		add_sub(p->level[L], t);
		return;
	}
	fold_to(p, L);
	if (kind == K_PLAN)
		p->level[L]->planned = atol(s + 3);
	else if (kind == K_BAIL)
		p->level[L]->bailed = true;
}

static struct ktap_test *finish(struct parser *p)
{
	fold_to(p, 0);
	p->level[0]->after = p->recent[0];
	p->level[0]->nafter = p->nrecent[0];
	return p->level[0];
}

/* Calls fn for each line of text (without its end of line); stops when fn
 * returns false. */
static void each_line(const char *text, bool (*fn)(void *, const char *),
		      void *arg)
{
	while (text && *text) {
		size_t n = strcspn(text, "\n");
		char *line = strndup(text, n);

		if (!line)
			die("out of memory");
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (!fn(arg, line)) {
			free(line);
			return;
		}
		free(line);
		text += n + (text[n] == '\n');
	}
}

static bool feed_all(void *arg, const char *line)
{
	feed(arg, line);
	return true;
}

struct ktap_test *ktap_parse(const char *text)
{
	struct parser p = { .level = { new_test() } };

	each_line(text, feed_all, &p);
	return finish(&p);
}

struct console_state {
	struct parser p;
	bool started;
};

/* A kernel log line without its "[    1.234567] " time stamp. */
static const char *untimed(const char *line)
{
	const char *p = line;

	if (*p != '[')
		return line;
	p++;
	while (*p == ' ')
		p++;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	return *p == ']' && p[1] == ' ' ? p + 2 : line;
}

static bool feed_console(void *arg, const char *line)
{
	struct console_state *c = arg;
	const char *s = untimed(line);

	if (!c->started) {
		if (classify(s) != K_VERSION)
			return true;
		c->started = true;
	} else if (classify(s) == K_VERSION) {
		/* another document (a module's, say): this one was cut */
		return false;
	}
	feed(&c->p, s);
	/* one document: it ends when its plan is complete */
	return !(c->p.deepest == 0 && c->p.level[0]->planned >= 0 &&
		 (long)c->p.level[0]->nsub >= c->p.level[0]->planned);
}

struct ktap_test *ktap_parse_console(const char *text)
{
	struct console_state c = { .p = { .level = { new_test() } } };

	each_line(text, feed_console, &c);
	if (!c.started) {
		ktap_free(finish(&c.p));
		return NULL;
	}
	return finish(&c.p);
}

static void free_members(struct ktap_test *t)
{
	for (size_t i = 0; i < t->nsub; i++)
		free_members(&t->sub[i]);
	free(t->sub);
	free(t->name);
	free(t->directive);
	free_lines(t->lines, t->nlines);
	free_lines(t->diag, t->ndiag);
	free_lines(t->after, t->nafter);
}

void ktap_free(struct ktap_test *t)
{
	if (!t)
		return;
	free_members(t);
	free(t);
}

struct ktap_counts ktap_count(const struct ktap_test *t, bool is_document)
{
	struct ktap_counts c = { 0 };

	if (t->nsub == 0 && t->planned < 0 && !t->bailed && !is_document) {
		if (t->result == KTAP_PASS)
			c.passed = 1;
		else if (t->result == KTAP_SKIP)
			c.skipped = 1;
		else
			c.failed = 1;
		return c;
	}
	for (size_t i = 0; i < t->nsub; i++) {
		struct ktap_counts s = ktap_count(&t->sub[i], false);

		c.passed += s.passed;
		c.failed += s.failed;
		c.skipped += s.skipped;
	}
	if (t->planned > (long)t->nsub)
		c.failed += (unsigned int)(t->planned - (long)t->nsub);
	/* more results than the plan: the stream is not what was planned */
	if (t->planned >= 0 && (long)t->nsub > t->planned && c.failed == 0)
		c.failed++;
	if (t->bailed && c.failed == 0)
		c.failed++;
	if (!is_document && t->result == KTAP_FAIL && c.failed == 0)
		c.failed++;
	/* a plan of 0 subtests and no failure (kselftest's "1..0 # SKIP"):
	 * it ran nothing, which is no pass */
	if (!is_document && c.passed + c.failed + c.skipped == 0)
		c.skipped++;
	return c;
}
