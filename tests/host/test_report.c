/*
 * Tests of the report's model (host/report_model.c) on recorded runs
 * (tests/report/: three host runs and an icount run of results/raw, their
 * rows trimmed). The bad cases come first: a run with no rows, rows of a
 * path the model does not know, runs of one series in two modes; then the
 * figures, each computed here from the fixture's rows.jsonl (jansson),
 * not taken from the tool: the median of the runs' medians and its spread,
 * the k-best beside it, and the batching curves' crossovers.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report_model.h"
#include "run.h"

#ifndef LAB_REPORT_DATA
#error "LAB_REPORT_DATA: where the recorded runs are (tests/report)"
#endif

static const unsigned int all_ops[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 };
#define NOPS (sizeof(all_ops) / sizeof(*all_ops))

static char *path_of(const char *run, const char *file)
{
	char *s;

	assert_true(asprintf(&s, "%s/%s%s%s", LAB_REPORT_DATA, run, file ? "/" : "",
			     file ? file : "") > 0);
	return s;
}

static struct run *load(const char *name)
{
	char *dir = path_of(name, NULL), *err = NULL;
	struct run *r = run_load(dir, name, &err);

	if (!r)
		fail_msg("%s: %s", dir, err);
	assert_int_equal(r->nproblems, 0);
	free(dir);
	return r;
}

static char *slurp(const char *run)
{
	char *path = path_of(run, "rows.jsonl"), *text = NULL;
	size_t len = 0;
	FILE *in = fopen(path, "r"), *out = open_memstream(&text, &len);
	int ch;

	assert_non_null(in);
	while ((ch = fgetc(in)) != EOF)
		fputc(ch, out);
	fclose(in);
	fclose(out);
	free(path);
	return text;
}

/* A run made here: name, its mode in meta.json, and rows text. */
static struct run *made_run(const char *name, const char *mode, const char *text)
{
	struct run *r = calloc(1, sizeof(*r));
	char *problem = NULL;

	assert_non_null(r);
	r->name = strdup(name);
	r->meta = json_pack("{s:s, s:s, s:s}", "schema", "lab-run/1", "mode", mode,
			    "mitigations", "default");
	assert_int_equal(rows_parse(text, name, mode, "default", &r->rows, &problem), 0);
	free(problem);
	return r;
}

/* The fixture's own statistic key of abi/path (ops: a curve row's N, 0
 * for none) in run's rows.jsonl, as recorded (milliticks), and the row's
 * tsc_khz; NAN if the run has no such row. */
static double raw(const char *run, const char *abi, const char *path,
		  unsigned int ops, const char *key, double *khz)
{
	char *file = path_of(run, "rows.jsonl");
	FILE *f = fopen(file, "r");
	json_error_t err;
	double v = NAN;
	char line[4096];

	assert_non_null(f);
	while (isnan(v) && fgets(line, sizeof(line), f)) {
		json_t *o = json_loads(line, 0, &err);

		assert_non_null(o);
		if (!strcmp(json_string_value(json_object_get(o, "abi")), abi) &&
		    !strcmp(json_string_value(json_object_get(o, "path")), path) &&
		    json_integer_value(json_object_get(o, "ops")) == ops) {
			v = (double)json_integer_value(json_object_get(o, key));
			*khz = (double)json_integer_value(json_object_get(o, "tsc_khz"));
		}
		json_decref(o);
	}
	fclose(f);
	free(file);
	return v;
}

/* The same in the display unit: icount runs' in instructions (milliticks
 * / 1000), the others' in ns (milliticks / 1000 ticks at kHz / 1e6 a ns). */
static double fig(const char *run, const char *abi, const char *path,
		  unsigned int ops, const char *key)
{
	double khz = 0, milli = raw(run, abi, path, ops, key, &khz);

	return !strncmp(run, "icount", 6) ? milli / 1000 : milli / khz * 1000;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of three runs' figures, and their spread in percent. */
static double median3(const char *abi, const char *path, unsigned int ops,
		      const char *key, double *spread)
{
	double v[3] = { fig("host.1", abi, path, ops, key), fig("host.2", abi, path, ops, key),
			fig("host.3", abi, path, ops, key) };

	qsort(v, 3, sizeof(*v), cmp);
	if (spread)
		*spread = (v[2] - v[0]) / v[1] * 100;
	return v[1];
}

static void assert_near(double got, double want)
{
	if (!(fabs(got - want) <= 1e-9 * fabs(want)))
		fail_msg("%.12g, not %.12g", got, want);
}

static const struct rep_series *series_named(const struct rep_layout *l, const char *name)
{
	for (size_t j = 0; j < l->ns; j++)
		if (!strcmp(l->s[j].name, name))
			return &l->s[j];
	fail_msg("no series %s", name);
	return NULL;
}

static void free_runs(struct run **runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_free(runs[i]);
}

/* --- bad cases ---------------------------------------------------------- */

/* A run without rows is no column; beside one with rows it is no run of
 * the series (one run: no spread). */
static void test_a_run_with_no_rows(void **state)
{
	struct run *runs[2] = { made_run("host.1", "host", ""), load("host.2") };
	struct report r = { .runs = runs, .nruns = 1 };
	struct rep_layout l;
	struct rep_cell c;

	(void)state;
	rep_layout_build(&r, &l);
	assert_int_equal(l.ns, 0);
	assert_int_equal(l.np, 0);
	rep_layout_free(&l);
	r.nruns = 2;
	rep_layout_build(&r, &l);
	assert_int_equal(l.ns, 1);
	assert_int_equal(l.s[0].nruns, 1);
	assert_int_equal(l.s[0].runs[0], 1);
	c = rep_cell_of(&r, &l.s[0], "x86_64", "function_call");
	assert_true(c.have);
	assert_int_equal(c.nruns, 1);
	assert_true(isnan(c.spread_pct));
	assert_near(c.value, fig("host.2", "x86_64", "function_call", 0, "median"));
	rep_layout_free(&l);
	free_runs(runs, 2);
}

/* A path the model does not know: a line of its own after the known ones;
 * a curve path it does not know: a curve after the known ones, labelled
 * abi/path, its N among the curves' N. A path no run has: no figure. */
static void test_rows_of_an_unknown_path(void **state)
{
	char *text = slurp("host.1"), *more;
	struct run *runs[1];
	struct report r = { .runs = runs, .nruns = 1 };
	struct rep_layout l;
	struct rep_curves c;
	struct rep_cell v;
	const char *row = "{\"schema\":\"lab-row/1\",\"abi\":\"x86_64\",\"path\":\"%s\","
			  "\"unit\":\"milliticks\",\"tsc_khz\":1000000,\"batches\":20,\"iters\":20,%s"
			  "\"min\":7000,\"p5\":7000,\"median\":7000,\"p95\":7000,\"p99\":7000,"
			  "\"max\":7000,\"mean\":7000,\"sd\":0,\"cv_ppm\":0,\"what\":\"t\"}\n";
	char *frob, *curve;

	(void)state;
	assert_true(asprintf(&frob, row, "frobnicate", "") > 0);
	assert_true(asprintf(&curve, row, "batch_frob", "\"ops\":3,") > 0);
	assert_true(asprintf(&more, "%s%s%s", text, frob, curve) > 0);
	runs[0] = made_run("host.1", "host", more);
	rep_layout_build(&r, &l);
	assert_int_equal(l.np, 4);
	assert_string_equal(l.p[3].path, "frobnicate");
	v = rep_cell_of(&r, &l.s[0], "x86_64", "frobnicate");
	assert_true(v.have);
	assert_near(v.value, 7.0);	/* 7000 milliticks at 1 GHz */
	assert_false(rep_cell_of(&r, &l.s[0], "x86_64", "no_such_path").have);
	rep_curves_build(&r, &c);
	assert_int_equal(c.nk, 2);
	assert_string_equal(c.k[0].label, "x86_64: io_uring, 1 enter for N");
	assert_string_equal(c.k[1].label, "x86_64/batch_frob");
	assert_int_equal(c.nops, NOPS + 1);
	assert_int_equal(c.ops[2], 3);	/* 1, 2, 3, 4, ... */
	assert_int_equal(c.ops[3], 4);
	rep_curves_free(&c);
	rep_layout_free(&l);
	free_runs(runs, 1);
	free(frob);
	free(curve);
	free(more);
	free(text);
}

/* host.1 a host run, host.2's rows as an icount run's: two series, each
 * its own unit and its own figure, not one median of ns and instructions. */
static void test_runs_of_one_series_in_two_modes(void **state)
{
	char *text = slurp("host.2");
	struct run *runs[2] = { load("host.1"), made_run("host.2", "icount", text) };
	struct report r = { .runs = runs, .nruns = 2 };
	struct rep_layout l;
	const struct rep_series *h, *i;
	struct rep_cell c;
	double khz;

	(void)state;
	rep_layout_build(&r, &l);
	assert_int_equal(l.ns, 2);
	h = series_named(&l, "host");
	i = series_named(&l, "host-icount");
	assert_string_equal(h->unit, "ns");
	assert_string_equal(i->unit, "instructions");
	assert_int_equal(h->nruns, 1);
	assert_int_equal(i->nruns, 1);
	c = rep_cell_of(&r, h, "x86_64", "getppid_syscall");
	assert_near(c.value, fig("host.1", "x86_64", "getppid_syscall", 0, "median"));
	c = rep_cell_of(&r, i, "x86_64", "getppid_syscall");
	/* as icount: milliticks / 1000 */
	assert_near(c.value, raw("host.2", "x86_64", "getppid_syscall", 0, "median", &khz) / 1000);
	rep_layout_free(&l);
	free_runs(runs, 2);
	free(text);
}

/* --- figures ------------------------------------------------------------ */

static void test_series_names(void **state)
{
	char *a = rep_series_of("host.3"), *b = rep_series_of("icount-default");

	(void)state;
	assert_string_equal(a, "host");
	assert_string_equal(b, "icount-default");
	free(a);
	free(b);
}

/* Three host runs, one series: every path's median of medians, its spread,
 * the k-best beside it, the function call as the ratio's base. */
static void test_the_host_series_of_three_runs(void **state)
{
	struct run *runs[3] = { load("host.1"), load("host.2"), load("host.3") };
	struct report r = { .runs = runs, .nruns = 3 };
	const char *paths[] = { "empty_loop", "function_call", "getppid_syscall" };
	struct rep_layout l;

	(void)state;
	rep_layout_build(&r, &l);
	assert_int_equal(l.ns, 1);
	assert_string_equal(l.s[0].name, "host");
	assert_string_equal(l.s[0].mode, "host");
	assert_string_equal(l.s[0].unit, "ns");
	assert_int_equal(l.s[0].nruns, 3);
	assert_int_equal(l.np, 3);	/* curve rows are no lines */
	assert_true(rep_series_kbest(&r, &l.s[0]));
	for (size_t p = 0; p < 3; p++) {
		struct rep_cell m = rep_cell_of(&r, &l.s[0], "x86_64", paths[p]);
		struct rep_cell k = rep_cell_stat(&r, &l.s[0], "x86_64", paths[p], 0, ST_KBEST);
		double spread, kspread;

		assert_string_equal(l.p[p].path, paths[p]);
		assert_true(m.have && k.have);
		assert_int_equal(m.nruns, 3);
		assert_near(m.value, median3("x86_64", paths[p], 0, "median", &spread));
		assert_near(m.spread_pct, spread);
		assert_near(k.value, median3("x86_64", paths[p], 0, "kbest", &kspread));
		assert_near(k.spread_pct, kspread);
		assert_int_equal(k.nfallback, 0);	/* every kbest_rank is 1 */
	}
	assert_near(rep_base_of(&r, &l.s[0], "x86_64").value,
		    median3("x86_64", "function_call", 0, "median", NULL));
	rep_layout_free(&l);
	free_runs(runs, 3);
}

/* What the host could not run: one line an ABI and error (the programs
 * named in it), once for the three runs. */
static void test_left_out_once_for_the_series(void **state)
{
	struct run *runs[3] = { load("host.1"), load("host.2"), load("host.3") };
	struct report r = { .runs = runs, .nruns = 3 };
	json_t *left = json_object_get(runs[0]->meta, "left_out"), *lines, *v, *e;
	size_t i, j, kinds = 0;

	(void)state;
	json_array_foreach(left, i, e) {
		bool first = true;

		for (j = 0; j < i; j++) {
			json_t *d = json_array_get(left, j);

			if (json_equal(json_object_get(d, "abi"), json_object_get(e, "abi")) &&
			    json_equal(json_object_get(d, "error"), json_object_get(e, "error")))
				first = false;
		}
		kinds += first;
	}
	assert_true(kinds > 0);
	lines = rep_left_out_lines(&r);
	assert_int_equal(json_array_size(lines), kinds);
	json_array_foreach(lines, i, v)
		assert_true(!strncmp(json_string_value(v), "host: ", 6));
	json_array_foreach(left, i, e) {
		const char *prog = strrchr(json_string_value(json_object_get(e, "program")), '/');
		bool named = false;

		json_array_foreach(lines, j, v)
			named = named || strstr(json_string_value(v), prog + 1);
		assert_true(named);
	}
	json_decref(lines);
	free_runs(runs, 3);
}

/* The host has io_uring but no lab_null() calls and no floor: held
 * against one getppid() call, first cheaper at the smallest N whose
 * median of medians is below getppid()'s. */
static void test_the_host_curve_against_getppid(void **state)
{
	struct run *runs[3] = { load("host.1"), load("host.2"), load("host.3") };
	struct report r = { .runs = runs, .nruns = 3 };
	double scale = median3("x86_64", "getppid_syscall", 0, "median", NULL);
	unsigned int below = 0;
	struct rep_layout l;
	struct rep_curves c;
	struct rep_crossing x;

	(void)state;
	for (size_t q = 0; q < NOPS && !below; q++)
		if (median3("x86_64", "batch_uring", all_ops[q], "median", NULL) < scale)
			below = all_ops[q];
	assert_true(below > 0);
	rep_layout_build(&r, &l);
	rep_curves_build(&r, &c);
	assert_int_equal(c.nk, 1);
	assert_int_equal(c.nops, NOPS);
	assert_true(rep_series_has_curves(&r, &l.s[0]));
	rep_crossing_of(&r, &l.s[0], &c, &c.k[0], &x);
	assert_int_equal(x.n, NOPS);
	assert_int_equal(x.ncalls, 0);
	assert_near(x.scale, scale);
	assert_int_equal(x.below_scale, below);
	assert_int_equal(x.below, 0);
	assert_true(x.floor == 0);
	assert_int_equal(x.within, 0);
	for (size_t q = 0; q < NOPS; q++)
		assert_near(rep_point_at(x.pts, x.n, all_ops[q]),
			    median3("x86_64", "batch_uring", all_ops[q], "median", NULL));
	assert_true(isnan(rep_point_at(x.pts, x.n, 3)));
	rep_crossing_free(&x);
	rep_curves_free(&c);
	rep_layout_free(&l);
	free_runs(runs, 3);
}

/* icount: lab_batch() against N lab_null() calls and the floor
 * (kernel_direct), both crossovers found here from the rows. */
static void test_the_icount_crossovers(void **state)
{
	struct run *runs[1] = { load("icount-default") };
	struct report r = { .runs = runs, .nruns = 1 };
	const char *run = "icount-default";
	double floor = fig(run, "kernel", "kernel_direct", 0, "median");
	unsigned int below = 0, within = 0;
	struct rep_layout l;
	struct rep_curves c;
	struct rep_crossing x;

	(void)state;
	for (size_t q = 0; q < NOPS; q++) {
		double b = fig(run, "x86_64", "batch_lab_batch", all_ops[q], "median");

		if (!below && b < fig(run, "x86_64", "batch_calls", all_ops[q], "median"))
			below = all_ops[q];
		if (!within && b <= 2 * floor)
			within = all_ops[q];
	}
	rep_layout_build(&r, &l);
	rep_curves_build(&r, &c);
	assert_string_equal(l.s[0].unit, "instructions");
	assert_int_equal(c.nk, 2);
	assert_string_equal(c.k[0].path, REP_CURVE_CALLS);
	assert_string_equal(c.k[1].label, "x86_64: lab_batch() of N");
	assert_near(rep_series_floor(&r, &l.s[0]), floor);
	rep_crossing_of(&r, &l.s[0], &c, &c.k[1], &x);
	assert_int_equal(x.n, NOPS);
	assert_int_equal(x.ncalls, NOPS);
	assert_near(x.floor, floor);
	assert_int_equal(x.below, below);
	assert_int_equal(x.within, within);
	assert_true(x.scale == 0);
	rep_crossing_free(&x);
	rep_curves_free(&c);
	rep_layout_free(&l);
	free_runs(runs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_run_with_no_rows),
		cmocka_unit_test(test_rows_of_an_unknown_path),
		cmocka_unit_test(test_runs_of_one_series_in_two_modes),
		cmocka_unit_test(test_series_names),
		cmocka_unit_test(test_the_host_series_of_three_runs),
		cmocka_unit_test(test_left_out_once_for_the_series),
		cmocka_unit_test(test_the_host_curve_against_getppid),
		cmocka_unit_test(test_the_icount_crossovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
