/* report_model.c: see report_model.h. */
#define _GNU_SOURCE
#include "report_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "host_bench.h"
#include "util.h"

char *rep_series_of(const char *run)
{
	const char *dot = strchr(run, '.');

	return dot ? strndup(run, (size_t)(dot - run)) : xstrdup(run);
}

/* The series that a run of this name and mode belongs to, or -1. */
static ssize_t series_find(const struct rep_layout *l, const char *name,
			   const char *mode)
{
	for (size_t j = 0; j < l->ns; j++)
		if (!strcmp(l->s[j].name, name) && !strcmp(l->s[j].mode, mode))
			return (ssize_t)j;
	return -1;
}

/*
 * The run's series, made if it is the first of its series: runs named
 * alike ("host.1", "host.2") are one series only when their modes agree
 * (a median of ns and instructions is no figure). A run whose mode differs
 * from its namesakes' is in a series of its own, named "NAME-MODE".
 */
static size_t series_index(struct rep_layout *l, const struct run *run)
{
	char *name = rep_series_of(run->name);
	const char *mode = run_mode(run);
	ssize_t j = series_find(l, name, mode);

	if (j < 0) {
		for (size_t k = 0; k < l->ns; k++)
			if (!strcmp(l->s[k].name, name)) {
				char *own = xasprintf("%s-%s", name, mode);

				free(name);
				name = own;
				break;
			}
		j = series_find(l, name, mode);
	}
	if (j >= 0) {
		free(name);
		return (size_t)j;
	}
	l->s = xrealloc(l->s, (l->ns + 1) * sizeof(*l->s));
	l->s[l->ns] = (struct rep_series){ .name = name, .mode = mode,
					   .unit = row_unit(&run->rows.v[0]) };
	return l->ns++;
}

/* The run's paths (no curve rows: the curves' own tables) not yet in l. */
static void add_paths(struct rep_layout *l, const struct run *run)
{
	for (size_t k = 0; k < run->rows.n; k++) {
		const struct row *row = &run->rows.v[k];
		size_t q;

		if (row->ops)
			continue;
		for (q = 0; q < l->np; q++)
			if (!strcmp(l->p[q].abi, row->abi) &&
			    !strcmp(l->p[q].path, row->path))
				break;
		if (q == l->np) {
			l->p = xrealloc(l->p, (l->np + 1) * sizeof(*l->p));
			l->p[l->np++] = (struct rep_pathkey){ row->abi, row->path, row->what };
		}
	}
}

void rep_layout_build(const struct report *r, struct rep_layout *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < r->nruns; i++) {
		const struct run *run = r->runs[i];
		size_t j;

		if (!run->rows.n)	/* no rows: no column */
			continue;
		j = series_index(l, run);
		l->s[j].runs = xrealloc(l->s[j].runs, (l->s[j].nruns + 1) * sizeof(size_t));
		l->s[j].runs[l->s[j].nruns++] = i;
		add_paths(l, run);
	}
}

void rep_layout_free(struct rep_layout *l)
{
	for (size_t i = 0; i < l->ns; i++) {
		free(l->s[i].name);
		free(l->s[i].runs);
	}
	free(l->s);
	free(l->p);
}

/* The run's row abi/path with ops operations a crossing (0: no curve row). */
static const struct row *find_row(const struct run *run, const char *abi,
				  const char *path, unsigned int ops)
{
	return rows_find(&run->rows, abi, path, ops);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Statistic st of abi/path (ops a crossing) over the series' runs: the
 * median of the runs' figures and their spread, (max - min) / median.
 * Runs whose row lacks st (the k-best, in rows from before it) count as
 * runs without the row.
 */
struct rep_cell rep_cell_stat(const struct report *r, const struct rep_series *s,
			     const char *abi, const char *path, unsigned int ops,
			     enum row_stat st)
{
	double v[64];
	struct rep_cell c = { .spread_pct = NAN };
	size_t n = 0;

	for (size_t i = 0; i < s->nruns && n < 64; i++) {
		const struct row *row = find_row(r->runs[s->runs[i]], abi, path, ops);

		if (!row || !row_has(row, st))
			continue;
		v[n++] = row_value(row, st);
		if (st == ST_KBEST && !row->kbest_rank)
			c.nfallback++;
	}
	if (!n)
		return c;
	qsort(v, n, sizeof(*v), cmp_double);
	c.have = true;
	c.nruns = n;
	c.value = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	if (n > 1 && c.value > 0)
		c.spread_pct = (v[n - 1] - v[0]) / c.value * 100;
	return c;
}

/* The median of the runs' medians: every table's figure. */
struct rep_cell rep_cell_ops(const struct report *r, const struct rep_series *s,
			    const char *abi, const char *path, unsigned int ops)
{
	return rep_cell_stat(r, s, abi, path, ops, ST_MEDIAN);
}

/* A row that is no curve row: the main table's cells. */
struct rep_cell rep_cell_of(const struct report *r, const struct rep_series *s,
			   const char *abi, const char *path)
{
	return rep_cell_ops(r, s, abi, path, 0);
}

/* The same series' function call for this ABI: the ratio's base. */
struct rep_cell rep_base_of(const struct report *r, const struct rep_series *s,
			   const char *abi)
{
	return rep_cell_of(r, s, abi, strcmp(abi, "kernel") ? "function_call" :
			      "kernel_function_call");
}


/* Whether a series' cells show the k-best beside the median: the host's
 * (hardware time, on a machine that may be busy), when its rows have one. */
bool rep_series_kbest(const struct report *r, const struct rep_series *s)
{
	if (strcmp(s->mode, "host"))
		return false;
	for (size_t i = 0; i < s->nruns; i++) {
		const struct run *run = r->runs[s->runs[i]];

		for (size_t k = 0; k < run->rows.n; k++)
			if (run->rows.v[k].have_kbest)
				return true;
	}
	return false;
}


/*
 * What the runs left out, one line each, deduplicated across the runs of a
 * series (every host run of make bench says the same): a program the host
 * could not start (the run's meta.json "left_out", host_bench.h) and a row
 * its program could not measure there (a left-out row, include/lab/lab_row.h).
 */
/* Appends line (freed) to the array unless it is there already. */
static void add_unique(json_t *lines, char *line)
{
	size_t i;
	json_t *v;

	json_array_foreach(lines, i, v)
		if (!strcmp(json_string_value(v), line))
			break;
	if (i == json_array_size(lines))
		json_array_append_new(lines, json_string(line));
	free(line);
}

json_t *rep_left_out_lines(const struct report *r)
{
	json_t *lines = json_array();

	for (size_t i = 0; i < r->nruns; i++) {
		const struct run *run = r->runs[i];
		json_t *progs = host_left_out_lines(json_object_get(run->meta, "left_out")), *v;
		char *series = rep_series_of(run->name);
		size_t k;

		json_array_foreach(progs, k, v)
			add_unique(lines, xasprintf("%s: %s", series, json_string_value(v)));
		json_decref(progs);
		for (size_t j = 0; j < run->rows.nleft; j++) {
			const struct left_out *l = &run->rows.left[j];
			char *line = xasprintf("%s: %s/%s left out: %s", series, l->abi,
					       l->path, l->why);

			add_unique(lines, line);
		}
		free(series);
	}
	return lines;
}

/* --- curves: cost per operation against operations per crossing ------- */

/*
 * Curve rows (ops > 0, bench/bench_batch.c) never enter the main table:
 * each series with any gets a table of its own, N down, approach across,
 * its crossovers in words, and a panel of chart-curves.png. The columns
 * come in a fixed order (the chart's colours follow it): the known ones
 * first, then any other curve path, as abi/path.
 */
static const struct curve_known {
	const char *abi, *path, *label;
} curve_known[] = {
	{ "x86_64", "batch_calls", "x86_64: N calls" },
	{ "x86_64", "batch_lab_batch", "x86_64: lab_batch() of N" },
	{ "x86_64", "batch_uring", "x86_64: io_uring, 1 enter for N" },
	{ "x86_64", "batch_uring_single", "x86_64: io_uring, 1 enter each" },
	{ "i386", "batch_calls", "i386: N calls" },
	{ "i386", "batch_lab_batch", "i386: lab_batch() of N" },
};

/* What every batch is held against: N separate calls of the same ABI, and
 * the call's body in the kernel, no crossing at all (the module's row). */

#define FLOOR_ABI "kernel"
#define FLOOR_PATH "kernel_direct"
#define FLOOR_FACTOR 2.0

/* Where a series has no lab_null() calls (the host), a system call it does
 * have, held against instead for scale: the main table's getppid(). */
const char *rep_scale_path(const char *abi)
{
	return strcmp(abi, "i386") ? "getppid_syscall" : "getppid_vdso32";
}


static void curves_add_key(struct rep_curves *c, const char *abi, const char *path,
			   const char *label)
{
	for (size_t i = 0; i < c->nk; i++)
		if (!strcmp(c->k[i].abi, abi) && !strcmp(c->k[i].path, path))
			return;
	c->k = xrealloc(c->k, (c->nk + 1) * sizeof(*c->k));
	c->k[c->nk++] = (struct rep_curve_key){ abi, path, label ? xstrdup(label) :
						       xasprintf("%s/%s", abi, path) };
}

static bool curves_has(const struct report *r, const char *abi, const char *path)
{
	for (size_t i = 0; i < r->nruns; i++)
		for (size_t k = 0; k < r->runs[i]->rows.n; k++) {
			const struct row *w = &r->runs[i]->rows.v[k];

			if (w->ops && !strcmp(w->abi, abi) && !strcmp(w->path, path))
				return true;
		}
	return false;
}

void rep_curves_build(const struct report *r, struct rep_curves *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(curve_known) / sizeof(*curve_known); i++)
		if (curves_has(r, curve_known[i].abi, curve_known[i].path))
			curves_add_key(c, curve_known[i].abi, curve_known[i].path,
				       curve_known[i].label);
	for (size_t i = 0; i < r->nruns; i++)
		for (size_t k = 0; k < r->runs[i]->rows.n; k++) {
			const struct row *w = &r->runs[i]->rows.v[k];
			size_t j;

			if (!w->ops)
				continue;
			curves_add_key(c, w->abi, w->path, NULL);
			for (j = 0; j < c->nops && c->ops[j] < w->ops; j++)
				;
			if (j < c->nops && c->ops[j] == w->ops)
				continue;
			c->ops = xrealloc(c->ops, (c->nops + 1) * sizeof(*c->ops));
			memmove(c->ops + j + 1, c->ops + j, (c->nops - j) * sizeof(*c->ops));
			c->ops[j] = w->ops;
			c->nops++;
		}
}

void rep_curves_free(struct rep_curves *c)
{
	for (size_t i = 0; i < c->nk; i++)
		free(c->k[i].label);
	free(c->k);
	free(c->ops);
}

/* Series s's points of abi/path (median of its runs' medians at each N)
 * into out (c->nops of room). Returns how many. */
size_t rep_series_curve(const struct report *r, const struct rep_series *s,
			   const struct rep_curves *c, const char *abi,
			   const char *path, struct curve_point *out)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nops; i++) {
		struct rep_cell v = rep_cell_ops(r, s, abi, path, c->ops[i]);

		if (v.have)
			out[n++] = (struct curve_point){ c->ops[i], v.value };
	}
	return n;
}

bool rep_series_has_curves(const struct report *r, const struct rep_series *s)
{
	for (size_t i = 0; i < s->nruns; i++) {
		const struct run *run = r->runs[s->runs[i]];

		for (size_t k = 0; k < run->rows.n; k++)
			if (run->rows.v[k].ops)
				return true;
	}
	return false;
}

/* The series' floor (kernel_direct), or 0 when it has none. */
double rep_series_floor(const struct report *r, const struct rep_series *s)
{
	struct rep_cell f = rep_cell_of(r, s, FLOOR_ABI, FLOOR_PATH);

	return f.have && f.value > 0 ? f.value : 0;
}


void rep_crossing_of(const struct report *r, const struct rep_series *s,
			const struct rep_curves *c, const struct rep_curve_key *k,
			struct rep_crossing *x)
{
	x->pts = xcalloc(c->nops ? c->nops : 1, sizeof(*x->pts));
	x->calls = xcalloc(c->nops ? c->nops : 1, sizeof(*x->calls));
	x->n = rep_series_curve(r, s, c, k->abi, k->path, x->pts);
	x->ncalls = rep_series_curve(r, s, c, k->abi, REP_CURVE_CALLS, x->calls);
	x->floor = rep_series_floor(r, s);
	x->below = curve_first_below(x->pts, x->n, x->calls, x->ncalls);
	x->within = curve_first_within(x->pts, x->n, x->floor, FLOOR_FACTOR);
	x->scale = 0;
	x->below_scale = 0;
	if (!x->ncalls) {
		struct rep_cell g = rep_cell_of(r, s, k->abi, rep_scale_path(k->abi));

		if (g.have && g.value > 0) {
			/* the same figure at every N */
			for (size_t i = 0; i < x->n; i++)
				x->calls[i] = (struct curve_point){ x->pts[i].ops, g.value };
			x->scale = g.value;
			x->below_scale = curve_first_below(x->pts, x->n, x->calls, x->n);
		}
	}
}

void rep_crossing_free(struct rep_crossing *x)
{
	free(x->pts);
	free(x->calls);
}

double rep_point_at(const struct curve_point *p, size_t n, unsigned int ops)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].ops == ops)
			return p[i].value;
	return NAN;
}
