/* summary.c: see summary.h. */
#define _GNU_SOURCE
#include "summary.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_WHY 12

static struct sum_row *add_row(struct summary *s, const char *label)
{
	struct sum_row *r;

	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	r = &s->v[s->n++];
	memset(r, 0, sizeof(*r));
	r->label = xstrdup(label);
	return r;
}

static void sum_free_row(struct sum_row *r)
{
	free(r->label);
	for (size_t j = 0; j < r->nwhy; j++)
		free(r->why[j]);
	free(r->why);
}

__attribute__((format(printf, 2, 3)))
static void why(struct sum_row *r, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (r->nwhy == MAX_WHY) {
		line = xstrdup("...");
	} else if (r->nwhy > MAX_WHY) {
		return;
	} else {
		va_start(ap, fmt);
		line = xvasprintf(fmt, ap);
		va_end(ap);
	}
	r->why = xrealloc(r->why, (r->nwhy + 1) * sizeof(char *));
	r->why[r->nwhy++] = line;
}

/*
 * A diagnostic's text without its "# ", or NULL when it only marks
 * progress ("#  RUN  x ...", "#  OK  x", "#  FAIL  x": kselftest's; "#
 * Subtest: x": KUnit's), which says nothing about why.
 */
static const char *why_text(const char *diag)
{
	static const char *const progress[] = {
		"RUN ", "OK ", "FAIL ", "SKIP ", "XFAIL ", "XPASS ",
		"Subtest: ", "Starting ", "PASSED: ", "FAILED: ", "Totals: ",
	};
	const char *s = diag + strspn(diag, "# ");

	for (size_t i = 0; i < sizeof(progress) / sizeof(*progress); i++)
		if (!strncmp(s, progress[i], strlen(progress[i])))
			return NULL;
	return *s ? s : NULL;
}

/* The diagnostics among lines that say why, joined by "; ", or NULL. */
static char *why_in(char *const *lines, size_t n)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		const char *w = why_text(lines[i]);

		if (w)
			sb_printf(&b, "%s%s", b.s ? "; " : "", w);
	}
	return b.s;
}

/* t's diagnostics that say why, or NULL. */
static char *why_of(const struct ktap_test *t)
{
	return why_in(t->diag, t->ndiag);
}

/* Failing leaf i of t said nothing before its result: what came right after
 * it (cmocka's and TAP 13's place for the reason), or NULL. */
static char *why_after(const struct ktap_test *t, size_t i)
{
	if (i + 1 < t->nsub)
		return why_in(t->sub[i + 1].diag, t->sub[i + 1].ndiag);
	return why_in(t->after, t->nafter);
}

static bool is_leaf(const struct ktap_test *t)
{
	return !t->nsub && t->planned < 0 && !t->bailed;
}

/* The failed leaves under t, with the diagnostics that explain them; then
 * what is wrong with t itself. */
static void failures(struct sum_row *r, const struct ktap_test *t,
		     const char *prefix)
{
	size_t before = r->nwhy;
	char *w;

	for (size_t i = 0; i < t->nsub; i++) {
		const struct ktap_test *u = &t->sub[i];
		struct ktap_counts c = ktap_count(u, false);

		if (!c.failed)
			continue;
		if (!is_leaf(u)) {
			char *p = xasprintf("%s%s: ", prefix, u->name);

			failures(r, u, p);
			free(p);
		} else {
			w = why_of(u);
			if (!w)
				w = why_after(t, i);
			why(r, "%snot ok %s%s%s", prefix, u->name, w ? ": " : "",
			    w ? w : "");
			free(w);
		}
	}
	if (t->planned > (long)t->nsub)
		why(r, "%s%ld of %ld planned results never came (%zu came)",
		    prefix, t->planned - (long)t->nsub, t->planned, t->nsub);
	if (t->planned >= 0 && (long)t->nsub > t->planned)
		why(r, "%s%zu results where %ld were planned", prefix, t->nsub,
		    t->planned);
	if (t->bailed)
		why(r, "%sbailed out", prefix);
	if (t->result == KTAP_FAIL && (w = why_of(t))) {
		why(r, "%s%s", prefix, w);
		free(w);
	}
	if (r->nwhy == before)
		why(r, "%snot ok (no reason given)", prefix);
}

static void add_counts(struct sum_row *row, const struct ktap_test *t,
		       bool document)
{
	row->c = ktap_count(t, document);
	if (row->c.failed)
		failures(row, t, "");
}

void sum_add_doc(struct summary *s, const char *label,
		 const struct ktap_test *doc)
{
	struct sum_row *r = add_row(s, label);

	if (!doc || (doc->planned < 0 && doc->nsub == 0)) {
		r->c.failed = 1;
		why(r, "no results at all");
		return;
	}
	add_counts(r, doc, true);
	if (doc->planned < 0) {
		r->c.failed++;
		why(r, "no plan: the results may be cut short");
	}
}

void sum_add_failure(struct summary *s, const char *label, const char *reason)
{
	struct sum_row *r = add_row(s, label);

	r->c.failed = 1;
	why(r, "%s", reason);
}

/* Whether KUnit's document doc holds the suite: its result line, or (if it
 * was cut) its "# Subtest:" line. The first KTAP document on a console is
 * not KUnit's when KUnit did not run, but a module's. */
static bool has_suite(const struct ktap_test *doc, const char *suite)
{
	for (size_t i = 0; i < doc->nsub; i++) {
		const struct ktap_test *t = &doc->sub[i];

		if (t->name && !strcmp(t->name, suite))
			return true;
		for (size_t j = 0; j < t->nlines; j++)
			if (!strncmp(t->lines[j], "# Subtest: ", 11) &&
			    !strcmp(t->lines[j] + 11, suite))
				return true;
	}
	return false;
}

void sum_add_run(struct summary *s, const char *label, const struct run *run,
		 const char *kunit_suite)
{
	const struct ktap_test *doc = run->results;
	const char *outcome = run_outcome(run);
	char *l;

	if (strcmp(outcome, "ok") && strcmp(outcome, "failed")) {
		l = xasprintf("%s: boot (%s)", label,
			      *outcome ? outcome : "no outcome");
		sum_add_failure(s, l, *run_reason(run) ? run_reason(run) :
				"meta.json gives no reason");
		free(l);
	}
	for (size_t i = 0; i < run->nproblems; i++) {
		l = xasprintf("%s: results", label);
		sum_add_failure(s, l, run->problems[i]);
		free(l);
	}
	if (doc && doc->planned < 0) {
		l = xasprintf("%s: plan", label);
		sum_add_failure(s, l, "the guest reported no plan");
		free(l);
	}
	if (doc && doc->planned >= 0 && (long)doc->nsub > doc->planned) {
		char *w = xasprintf("%zu results where the guest planned %ld steps",
				    doc->nsub, doc->planned);

		l = xasprintf("%s: plan", label);
		sum_add_failure(s, l, w);
		free(w);
		free(l);
	}
	if (doc && doc->bailed) {
		l = xasprintf("%s: plan", label);
		sum_add_failure(s, l, "the results say \"Bail out!\"");
		free(l);
	}
	for (size_t i = 0; doc && i < doc->nsub; i++) {
		struct sum_row *r;

		l = xasprintf("%s: %s", label, doc->sub[i].name);
		r = add_row(s, l);
		free(l);
		add_counts(r, &doc->sub[i], false);
	}
	if (doc && doc->planned > (long)doc->nsub) {
		struct sum_row *r;

		l = xasprintf("%s: steps that never reported", label);
		r = add_row(s, l);
		free(l);
		r->c.failed = (unsigned int)(doc->planned - (long)doc->nsub);
		why(r, "the guest stopped after %zu of %ld steps (%s%s%s)",
		    doc->nsub, doc->planned, outcome,
		    run_reason(run)[0] ? ": " : "", run_reason(run));
	}
	if (!strcmp(outcome, "failed") && doc && !ktap_count(doc, true).failed) {
		l = xasprintf("%s: guest status", label);
		sum_add_failure(s, l, *run_reason(run) ? run_reason(run) :
				"the guest said a step failed");
		free(l);
	}
	if (kunit_suite) {
		l = xasprintf("kunit: %s (%s console)", kunit_suite, label);
		if (run->kunit && has_suite(run->kunit, kunit_suite)) {
			sum_add_doc(s, l, run->kunit);
		} else {
			char *w = xasprintf("KUnit's suite %s did not run (%s)", kunit_suite,
					    run->kunit ? "the console's first KTAP document has no such suite"
						       : "no KTAP on the console");

			sum_add_failure(s, l, w);
			free(w);
		}
		free(l);
	}
}

void summary_add_tap_dir(struct summary *s, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0) {
		char *why = xasprintf("no host test results in %s", dir);

		sum_add_failure(s, "host", why);
		free(why);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t len = strlen(name);

		if (len > 4 && !strcmp(name + len - 4, ".tap")) {
			char *path = xasprintf("%s/%s", dir, name);
			size_t size = 0;
			char *text = read_file(path, &size);
			char *label = xasprintf("host: %.*s", (int)(len - 4), name);
			struct ktap_test *doc;

			/* a NUL would end the text there, and hide the rest
			 * (say, "not ok - PROG exited with status 1") */
			if (text && strlen(text) != size) {
				sum_add_failure(s, label, "NUL bytes in the results: they are damaged");
				for (size_t j = 0; j < size; j++)
					if (!text[j])
						text[j] = '\x1a';
			}
			doc = text ? ktap_parse(text) : NULL;
			sum_add_doc(s, label, doc);
			ktap_free(doc);
			free(text);
			free(label);
			free(path);
		}
		free(names[i]);
	}
	free(names);
}

struct ktap_counts sum_print(const struct summary *s, FILE *f)
{
	struct ktap_counts t = { 0 };
	size_t width = 20;

	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i].label) > width)
			width = strlen(s->v[i].label);
	for (size_t i = 0; i < s->n; i++) {
		const struct sum_row *r = &s->v[i];

		fprintf(f, "  %-*s %4u passed %4u failed %4u skipped\n",
			(int)width, r->label, r->c.passed, r->c.failed,
			r->c.skipped);
		for (size_t j = 0; j < r->nwhy; j++)
			fprintf(f, "  %*s   %s\n", (int)width, "", r->why[j]);
		t.passed += r->c.passed;
		t.failed += r->c.failed;
		t.skipped += r->c.skipped;
	}
	fprintf(f, "\n%u passed, %u failed, %u skipped\n", t.passed, t.failed,
		t.skipped);
	return t;
}

int sum_save(const struct summary *s, const char *path)
{
	json_t *rows = json_array(), *root;
	char *text;

	for (size_t i = 0; i < s->n; i++) {
		const struct sum_row *r = &s->v[i];
		json_t *why = json_array();

		for (size_t j = 0; j < r->nwhy; j++)
			json_array_append_new(why, json_string(r->why[j]));
		json_array_append_new(rows, json_pack("{s:s, s:i, s:i, s:i, s:o}", "label", r->label,
						      "passed", r->c.passed, "failed", r->c.failed,
						      "skipped", r->c.skipped, "why", why));
	}
	root = json_pack("{s:s, s:o}", "schema", "lab-summary/1", "rows", rows);
	text = root ? json_dumps(root, JSON_INDENT(1)) : NULL;
	json_decref(root);
	if (!text) {
		fprintf(stderr, "lab: error: encoding the summary for %s failed\n", path);
		return -1;
	}
	write_file(path, text, strlen(text));
	free(text);
	return 0;
}

/* A count in a saved row: a non-negative integer, or -1. */
static long long saved_count(json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 &&
	       json_integer_value(v) <= 1000000 ? json_integer_value(v) : -1;
}

void sum_add_saved(struct summary *s, const char *prefix, const char *path)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err), *rows, *row;
	const char *schema = json_string_value(json_object_get(root, "schema"));
	size_t i, n = s->n;
	char *label;

	rows = json_object_get(root, "rows");
	if (!root || !schema || strcmp(schema, "lab-summary/1") || !json_is_array(rows) ||
	    !json_array_size(rows)) {
		label = xasprintf("%s(summary)", prefix);
		sum_add_failure(s, label, root ? "not a lab-summary/1 document with rows" :
					   "no summary: that part of the test did not finish");
		free(label);
		json_decref(root);
		return;
	}
	json_array_foreach(rows, i, row) {
		const char *l = json_string_value(json_object_get(row, "label"));
		long long p = saved_count(row, "passed"), f = saved_count(row, "failed"),
			  k = saved_count(row, "skipped");
		json_t *reasons = json_object_get(row, "why"), *w;
		struct sum_row *r;
		size_t j;

		if (!l || p < 0 || f < 0 || k < 0 || !json_is_array(reasons)) {
			/* a damaged file counts for nothing it says */
			while (s->n > n)
				sum_free_row(&s->v[--s->n]);
			label = xasprintf("%s(summary)", prefix);
			sum_add_failure(s, label, "a row without its label, counts or reasons");
			free(label);
			break;
		}
		label = xasprintf("%s%s", prefix, l);
		r = add_row(s, label);
		free(label);
		r->c = (struct ktap_counts){ (unsigned int)p, (unsigned int)f, (unsigned int)k };
		json_array_foreach(reasons, j, w)
			why(r, "%s", json_is_string(w) ? json_string_value(w) : "(not text)");
	}
	json_decref(root);
}

void sum_add_saved_spec(struct summary *s, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char *prefix;

	if (!eq) {
		sum_add_saved(s, "", spec);
		return;
	}
	prefix = xasprintf("%.*s: ", (int)(eq - spec), spec);
	sum_add_saved(s, prefix, eq + 1);
	free(prefix);
}

void sum_free(struct summary *s)
{
	for (size_t i = 0; i < s->n; i++)
		sum_free_row(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
