/* summary.c: see summary.h. */
#define _GNU_SOURCE
#include "summary.h"

#include <dirent.h>
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
		if (vasprintf(&line, fmt, ap) < 0)
			die("out of memory");
		va_end(ap);
	}
	r->why = xrealloc(r->why, (r->nwhy + 1) * sizeof(char *));
	r->why[r->nwhy++] = line;
}

/* The failed leaves under t, with the diagnostics that explain them. */
static void failures(struct sum_row *r, const struct ktap_test *t,
		     const char *prefix)
{
	size_t nfailed_sub = 0;

	for (size_t i = 0; i < t->nsub; i++) {
		const struct ktap_test *u = &t->sub[i];
		struct ktap_counts c = ktap_count(u, false);

		if (!c.failed)
			continue;
		nfailed_sub++;
		if (u->nsub) {
			char *p = xasprintf("%s%s: ", prefix, u->name);

			failures(r, u, p);
			free(p);
		} else {
			why(r, "%snot ok %s%s%s", prefix, u->name,
			    u->ndiag ? ": " : "",
			    u->ndiag ? u->diag[u->ndiag - 1] : "");
		}
	}
	if (t->planned > (long)t->nsub)
		why(r, "%s%ld of %ld planned results never came (%zu came)",
		    prefix, t->planned - (long)t->nsub, t->planned, t->nsub);
	if (t->bailed)
		why(r, "%sbailed out", prefix);
	if (!nfailed_sub && t->result == KTAP_FAIL)
		for (size_t i = 0; i < t->ndiag; i++)
			why(r, "%s%s", prefix, t->diag[i]);
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

void sum_add_run(struct summary *s, const char *label, const struct run *run,
		 const char *kunit_suite)
{
	const struct ktap_test *doc = run->results;
	const char *outcome = run_outcome(run);
	char *l;

	if (strcmp(outcome, "ok") && strcmp(outcome, "failed")) {
		l = xasprintf("%s: boot (%s)", label, outcome);
		sum_add_failure(s, l, run_reason(run));
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
		sum_add_failure(s, l, run_reason(run));
		free(l);
	}
	if (kunit_suite) {
		l = xasprintf("kunit: %s (%s console)", kunit_suite, label);
		if (run->kunit) {
			sum_add_doc(s, l, run->kunit);
		} else {
			char *w = xasprintf("KUnit's suite %s did not run (no KTAP on the console)",
					    kunit_suite);

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
			char *text = read_file(path, NULL);
			char *label = xasprintf("host: %.*s", (int)(len - 4), name);
			struct ktap_test *doc = text ? ktap_parse(text) : NULL;

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

void sum_free(struct summary *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].label);
		for (size_t j = 0; j < s->v[i].nwhy; j++)
			free(s->v[i].why[j]);
		free(s->v[i].why);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
