/*
 * kcompare_write.c: the writers of lab compare-kernels' model (kcompare.h):
 * the terminal's table, Markdown, JSON and the chart's data. They read the
 * model and nothing else.
 */
#define _GNU_SOURCE
#include "kcompare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t changed_total(const struct kc_path *p, enum kc_side s);

/* The per-function differences shown on the terminal, per path. */
#define TOP_FUNCS 8

static void value_text(char *buf, size_t n, double v)
{
	if (v < 0)
		snprintf(buf, n, "left out");
	else if (fabs(v - round(v)) < 0.05)
		snprintf(buf, n, "%.0f", v);
	else	/* a loop's constant shared among its calls */
		snprintf(buf, n, "%.1f", v);
}

static void diff_text(char *buf, size_t n, const struct kc_row *r)
{
	if (r->v[KC_OLD] < 0 || r->v[KC_NEW] < 0)
		snprintf(buf, n, "-");
	else if (fabs(r->v[KC_NEW] - r->v[KC_OLD] - round(r->v[KC_NEW] - r->v[KC_OLD])) < 0.05)
		snprintf(buf, n, "%+.0f", r->v[KC_NEW] - r->v[KC_OLD]);
	else
		snprintf(buf, n, "%+.1f", r->v[KC_NEW] - r->v[KC_OLD]);
}

static char *row_name(const struct kc_row *r)
{
	return r->ops ? xasprintf("%s/%s (ops %u)", r->abi, r->path, r->ops)
		      : xasprintf("%s/%s", r->abi, r->path);
}

/* "only in 6.12", "only in 6.1" or "" */
static char *only_text(const struct kcompare *k, const struct kc_func *f)
{
	if (f->absent[KC_OLD] && !f->absent[KC_NEW])
		return xasprintf("only in %s", k->release[KC_NEW]);
	if (f->absent[KC_NEW] && !f->absent[KC_OLD])
		return xasprintf("only in %s", k->release[KC_OLD]);
	return xstrdup("");
}

/* The path's functions by the size of their difference, largest first
 * (ties in the order they ran); those with none left out. Returns how many. */
static size_t by_difference(const struct kc_path *p, size_t *idx)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nfuncs; i++)
		if (kc_func_diff(&p->funcs[i]))
			idx[n++] = i;
	for (size_t i = 1; i < n; i++)	/* insertion sort: stable, and short */
		for (size_t j = i; j > 0 && labs(kc_func_diff(&p->funcs[idx[j]])) >
					    labs(kc_func_diff(&p->funcs[idx[j - 1]])); j--) {
			size_t t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	return n;
}

void kc_print(FILE *f, const struct kcompare *k)
{
	size_t more = 0;

	fprintf(f, "%s: %s beside %s (guest CPU %s, icount, default mitigations)\n\n", k->arch,
		k->release[KC_OLD], k->release[KC_NEW], k->cpu);
	for (int s = 0; s < KC_SIDES; s++)
		for (size_t i = 0; i < k->nfailed[s]; i++)
			fprintf(f, "%s's trace: check failed: %s\n", k->release[s], k->failed[s][i]);
	fprintf(f, "%-40s %12s %12s %8s\n", "traced lab_null path (instructions)",
		k->release[KC_OLD], k->release[KC_NEW], "diff");
	for (size_t p = 0; p < k->npaths; p++)
		fprintf(f, "%-40s %12zu %12zu %+8ld\n", k->paths[p].name, k->paths[p].total[KC_OLD],
			k->paths[p].total[KC_NEW],
			(long)k->paths[p].total[KC_NEW] - (long)k->paths[p].total[KC_OLD]);
	fprintf(f, "\n%-40s %12s %12s %8s\n", "icount row (median instructions)",
		k->release[KC_OLD], k->release[KC_NEW], "diff");
	for (size_t i = 0; i < k->nrows; i++) {
		char *name, v[KC_SIDES][24], d[24];

		if (k->rows[i].ops > 1) {	/* a curve's further points: in the .md */
			more++;
			continue;
		}
		name = row_name(&k->rows[i]);
		for (int s = 0; s < KC_SIDES; s++)
			value_text(v[s], sizeof(v[s]), k->rows[i].v[s]);
		diff_text(d, sizeof(d), &k->rows[i]);
		fprintf(f, "%-40s %12s %12s %8s\n", name, v[KC_OLD], v[KC_NEW], d);
		free(name);
	}
	if (more)
		fprintf(f, "(and %zu more points of the curves, ops 2 and up: compare-kernels.md)\n", more);
	for (size_t p = 0; p < k->npaths; p++) {
		const struct kc_path *pa = &k->paths[p];
		size_t *idx = xcalloc(pa->nfuncs + 1, sizeof(*idx)), n = by_difference(pa, idx);

		fprintf(f, "\n%s: %zu instructions only in %s, %zu only in %s; %zu function%s differ%s",
			pa->name, changed_total(pa, KC_OLD), k->release[KC_OLD], changed_total(pa, KC_NEW),
			k->release[KC_NEW], n, n == 1 ? "" : "s", n == 1 ? "s" : "");
		fprintf(f, n > TOP_FUNCS ? " (the %d largest; all in compare-kernels.md)\n" : "\n",
			TOP_FUNCS);
		for (size_t i = 0; i < n && i < TOP_FUNCS; i++) {
			const struct kc_func *fn = &pa->funcs[idx[i]];
			char *only = only_text(k, fn);

			fprintf(f, "  %+5ld  %-36s %-28s %s\n", kc_func_diff(fn), fn->name,
				pa->stages[fn->stage].name, only);
			free(only);
		}
		free(idx);
	}
}

/* ---- Markdown ----------------------------------------------------------------------- */

static void md_rows(FILE *f, const struct kcompare *k)
{
	fprintf(f, "## Every icount row\n\nThe medians of the icount boot of plan `bench-quick` "
		   "(20 batches of 20 calls; a curve row's figure is per operation).\n\n"
		   "| row | %s | %s | difference |\n|---|---:|---:|---:|\n",
		k->release[KC_OLD], k->release[KC_NEW]);
	for (size_t i = 0; i < k->nrows; i++) {
		const struct kc_row *r = &k->rows[i];
		char *name = row_name(r), v[KC_SIDES][24], d[24];

		for (int s = 0; s < KC_SIDES; s++)
			value_text(v[s], sizeof(v[s]), r->v[s]);
		diff_text(d, sizeof(d), r);
		fprintf(f, "| `%s` | %s | %s | %s |\n", name, v[KC_OLD], v[KC_NEW], d);
		free(name);
	}
	for (size_t i = 0; i < k->nrows; i++)
		for (int s = 0; s < KC_SIDES; s++)
			if (k->rows[i].left_out[s])
				fprintf(f, "\n%s left `%s/%s` out: %s\n", k->release[s], k->rows[i].abi,
					k->rows[i].path, k->rows[i].left_out[s]);
}

static size_t changed_total(const struct kc_path *p, enum kc_side s)
{
	size_t n = 0;

	for (int c = 0; c < MC_COUNT; c++)
		n += p->changed_kinds[s][c];
	return n;
}

/* " fence or serialising 0 against 1; ...; ordinary 16 against 19.\n" */
static void kinds_words(FILE *f, const size_t (*kinds)[MC_COUNT])
{
	bool any = false;

	for (int c = MC_COUNT - 1; c >= 0; c--) {
		if (!kinds[KC_OLD][c] && !kinds[KC_NEW][c])
			continue;
		fprintf(f, "%s %s %zu against %zu", any ? ";" : "", mit_class_names[c],
			kinds[KC_OLD][c], kinds[KC_NEW][c]);
		any = true;
	}
	fprintf(f, "%s.\n\n", any ? "" : " none");
}

static void md_path(FILE *f, const struct kcompare *k, const struct kc_path *p)
{
	fprintf(f, "\n### %s\n\n| stage | function | %s | %s | difference | changed (-/+) | |\n"
		   "|---|---|---:|---:|---:|---:|---|\n", p->name, k->release[KC_OLD], k->release[KC_NEW]);
	for (size_t s = 0; s < p->nstages; s++) {
		fprintf(f, "| **%s** | | **%zu** | **%zu** | **%+ld** | | |\n", p->stages[s].name,
			p->stages[s].n[KC_OLD], p->stages[s].n[KC_NEW],
			(long)p->stages[s].n[KC_NEW] - (long)p->stages[s].n[KC_OLD]);
		for (size_t i = 0; i < p->nfuncs; i++) {
			const struct kc_func *fn = &p->funcs[i];
			char *only;

			if (fn->stage != s)
				continue;
			only = only_text(k, fn);
			fprintf(f, "| | `%s` | %zu | %zu | %+ld | -%zu/+%zu | %s |\n", fn->name,
				fn->n[KC_OLD], fn->n[KC_NEW], kc_func_diff(fn), fn->changed[KC_OLD],
				fn->changed[KC_NEW], only);
			free(only);
		}
	}
	fprintf(f, "| **total** | | **%zu** | **%zu** | **%+ld** | -%zu/+%zu | |\n\nBy kind (what "
		   "an instruction count treats as one like any other), %s against %s:",
		p->total[KC_OLD], p->total[KC_NEW], (long)p->total[KC_NEW] - (long)p->total[KC_OLD],
		changed_total(p, KC_OLD), changed_total(p, KC_NEW), k->release[KC_OLD],
		k->release[KC_NEW]);
	kinds_words(f, p->kinds);
	fprintf(f, "Of those, the instructions the other version lacks (`%s.diff`):", p->name);
	kinds_words(f, p->changed_kinds);
}

/* lab trace's own checks on each side: a failed one is said here. */
static void md_checks(FILE *f, const struct kcompare *k)
{
	fprintf(f, "\n## lab trace's own checks\n\nEach side's traced totals against its "
		   "icount rows (`check.tap` beside each trace):\n\n");
	for (int s = 0; s < KC_SIDES; s++) {
		fprintf(f, "- %s: %u checks, %zu failed%s\n", k->release[s], k->nchecks[s],
			k->nfailed[s], k->nfailed[s] ? ":" : "");
		for (size_t i = 0; i < k->nfailed[s]; i++)
			fprintf(f, "  - not ok: %s\n", k->failed[s][i]);
	}
}

void kc_markdown(FILE *f, const struct kcompare *k, const char *chart)
{
	fprintf(f, "# %s beside %s (%s)\n\n", k->release[KC_OLD], k->release[KC_NEW], k->arch);
	fprintf(f, "The same lab sources and config fragments on both kernels, booted the same "
		   "way: guest CPU `%s` (%s), kernel command line `%s`, the default mitigations. "
		   "The traced paths are one single-stepped null system call each (QEMU's "
		   "gdbstub); the rows are icount's exact counts. All figures are guest "
		   "instructions, not time.\n\n", k->cpu, k->guest_cpu, k->cmdline);
	fprintf(f, "## The traced lab_null paths\n\n| path | %s | %s | difference |\n"
		   "|---|---:|---:|---:|\n", k->release[KC_OLD], k->release[KC_NEW]);
	for (size_t p = 0; p < k->npaths; p++)
		fprintf(f, "| %s | %zu | %zu | %+ld |\n", k->paths[p].name, k->paths[p].total[KC_OLD],
			k->paths[p].total[KC_NEW],
			(long)k->paths[p].total[KC_NEW] - (long)k->paths[p].total[KC_OLD]);
	if (chart)
		fprintf(f, "\n![instructions per stage, per path and version](%s)\n", chart);
	fprintf(f, "\n## Per stage and function\n\nEach function's instructions in each stage "
		   "(a function that moved between stages is in both); *changed* counts those the "
		   "other version's listing lacks (-: only in %s, +: only in %s; the longest common "
		   "subsequence of function and instruction, addresses left out, as `make "
		   "mitigations` diffs a switch; every one in `<path>.diff`); *only in* marks a "
		   "function that one version's listing of the path does not have at all.\n",
		k->release[KC_OLD], k->release[KC_NEW]);
	for (size_t p = 0; p < k->npaths; p++)
		md_path(f, k, &k->paths[p]);
	md_checks(f, k);
	fprintf(f, "\n");
	md_rows(f, k);
	fprintf(f, "\n## What each boot saw\n\nThe vulnerability files "
		   "(`/sys/devices/system/cpu/vulnerabilities`) whose text differs:\n\n");
	for (size_t i = 0; i < k->nvuln; i++)
		fprintf(f, "- %s\n", k->vuln[i]);
	if (!k->nvuln)
		fprintf(f, "- none\n");
}

/* ---- JSON and the chart's data -------------------------------------------------------- */

static json_t *pair(double old, double new)
{
	return json_pack("{s:o, s:o}", "old", old >= 0 ? json_real(old) : json_null(), "new",
			 new >= 0 ? json_real(new) : json_null());
}

static json_t *path_json(const struct kc_path *p)
{
	json_t *stages = json_array(), *kinds = json_object();

	for (size_t s = 0; s < p->nstages; s++) {
		json_t *funcs = json_array();

		for (size_t i = 0; i < p->nfuncs; i++) {
			const struct kc_func *fn = &p->funcs[i];

			if (fn->stage == s)
				json_array_append_new(funcs, json_pack(
					"{s:s, s:I, s:I, s:I, s:I, s:I, s:s?}", "function", fn->name,
					"old", (json_int_t)fn->n[KC_OLD], "new", (json_int_t)fn->n[KC_NEW],
					"difference", (json_int_t)kc_func_diff(fn),
					"only_old", (json_int_t)fn->changed[KC_OLD],
					"only_new", (json_int_t)fn->changed[KC_NEW], "only",
					fn->absent[KC_OLD] != fn->absent[KC_NEW] ?
					(fn->absent[KC_OLD] ? "new" : "old") : NULL));
		}
		json_array_append_new(stages, json_pack("{s:s, s:I, s:I, s:o}", "stage",
							p->stages[s].name, "old",
							(json_int_t)p->stages[s].n[KC_OLD], "new",
							(json_int_t)p->stages[s].n[KC_NEW],
							"functions", funcs));
	}
	for (int c = 0; c < MC_COUNT; c++) {
		json_t *o = pair((double)p->kinds[KC_OLD][c], (double)p->kinds[KC_NEW][c]);

		json_object_set_new(o, "only_old", json_integer((json_int_t)p->changed_kinds[KC_OLD][c]));
		json_object_set_new(o, "only_new", json_integer((json_int_t)p->changed_kinds[KC_NEW][c]));
		json_object_set_new(kinds, mit_class_names[c], o);
	}
	return json_pack("{s:s, s:I, s:I, s:o, s:o}", "path", p->name, "old",
			 (json_int_t)p->total[KC_OLD], "new", (json_int_t)p->total[KC_NEW],
			 "stages", stages, "kinds", kinds);
}

json_t *kc_json(const struct kcompare *k)
{
	json_t *rows = json_array(), *paths = json_array(), *vuln = json_array();
	json_t *checks = json_object();

	for (size_t i = 0; i < k->nrows; i++) {
		const struct kc_row *r = &k->rows[i];
		json_t *o = pair(r->v[KC_OLD], r->v[KC_NEW]);

		json_object_set_new(o, "abi", json_string(r->abi));
		json_object_set_new(o, "path", json_string(r->path));
		json_object_set_new(o, "ops", json_integer(r->ops));
		for (int s = 0; s < KC_SIDES; s++)
			if (r->left_out[s])
				json_object_set_new(o, s == KC_OLD ? "old_left_out" : "new_left_out",
						    json_string(r->left_out[s]));
		json_array_append_new(rows, o);
	}
	for (size_t p = 0; p < k->npaths; p++)
		json_array_append_new(paths, path_json(&k->paths[p]));
	for (size_t i = 0; i < k->nvuln; i++)
		json_array_append_new(vuln, json_string(k->vuln[i]));
	for (int s = 0; s < KC_SIDES; s++) {
		json_t *failed = json_array();

		for (size_t i = 0; i < k->nfailed[s]; i++)
			json_array_append_new(failed, json_string(k->failed[s][i]));
		json_object_set_new(checks, s == KC_OLD ? "old" : "new",
				    json_pack("{s:i, s:o}", "checks", k->nchecks[s], "failed", failed));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "schema",
			 "lab-compare-kernels/1", "unit", "guest instructions (traced: one call; "
			 "rows: icount median)", "arch", k->arch, "old", k->release[KC_OLD], "new",
			 k->release[KC_NEW], "cpu", k->cpu, "guest_cpu", k->guest_cpu, "cmdline",
			 k->cmdline, "paths", paths, "rows", rows, "vulnerabilities_changed", vuln,
			 "trace_checks", checks);
}

/* The stages of every path, in the order first seen. */
static size_t all_stages(const struct kcompare *k, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t p = 0; p < k->npaths; p++)
		for (size_t s = 0; s < k->paths[p].nstages; s++) {
			size_t i;

			for (i = 0; i < n && strcmp(names[i], k->paths[p].stages[s].name); i++)
				;
			if (i == n && n < max)
				names[n++] = k->paths[p].stages[s].name;
		}
	return n;
}

void kc_chart_data(FILE *f, const struct kcompare *k)
{
	const char *names[64];
	size_t n = all_stages(k, names, sizeof(names) / sizeof(*names));

	fprintf(f, "stage");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\t%s", names[i]);
	fprintf(f, "\n");
	for (size_t p = 0; p < k->npaths; p++)
		for (int s = 0; s < KC_SIDES; s++) {
			fprintf(f, "%s (%s)", k->paths[p].name, k->release[s]);
			for (size_t i = 0; i < n; i++) {
				size_t c = 0;

				for (size_t j = 0; j < k->paths[p].nstages; j++)
					if (!strcmp(k->paths[p].stages[j].name, names[i]))
						c = k->paths[p].stages[j].n[s];
				fprintf(f, "\t%zu", c);
			}
			fprintf(f, "\n");
		}
}

void kc_diff_text(FILE *f, const struct kcompare *k, const struct kc_path *p)
{
	fprintf(f, "## %s path: %zu instructions on %s, %zu on %s\n"
		   "## - only on %s, + only on %s (matched by function and instruction, "
		   "addresses left out)\n", p->name, p->total[KC_OLD], k->release[KC_OLD],
		p->total[KC_NEW], k->release[KC_NEW], k->release[KC_OLD], k->release[KC_NEW]);
	for (size_t i = 0; i < p->nchanges; i++) {
		const struct kc_change *c = &p->changes[i];

		fprintf(f, "%s %-40s %-30s %-45s %s\n", c->side == KC_OLD ? "-" : "+", c->sym,
			c->stage, c->text, mit_class_names[c->kind]);
	}
}
