/* report_write.c: the report's writers (see report.h), all reading the
 * model (report_model.h). */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "plot.h"
#include "report_model.h"
#include "util.h"
/* the k-best's window and tolerance, for the legend: the engine's own */
#include "lab_stats.h"

static void format_value(char *buf, size_t size, const char *unit, double v)
{
	/* Under icount a fraction is a per-batch loop constant divided by
	 * the batch's calls, not part of a call: whole instructions. */
	if (!strcmp(unit, "instructions"))
		snprintf(buf, size, "%.0f", v);
	else if (v >= 100)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.1f", v);
}

/* "±0.4%", "±23%"; "" for one run. */
static void format_spread(char *buf, size_t size, double pct)
{
	if (isnan(pct))
		snprintf(buf, size, "%s", "");
	else
		snprintf(buf, size, pct < 9.95 ? " ±%.1f%%" : " ±%.0f%%", pct);
}

/* A series with the k-best: "median ±N% | k-best ±N%", the k-best marked
 * '!' when in some run no window qualified (the minimum stands in). */
static void format_dual(char *buf, size_t size, const struct rep_series *s,
			const struct rep_cell *m, const struct rep_cell *k)
{
	char mv[32], ms[16], kv[32], ks[16];

	format_value(mv, sizeof(mv), s->unit, m->value);
	format_spread(ms, sizeof(ms), m->spread_pct);
	if (!k->have) {
		snprintf(buf, size, "%s%s | -", mv, ms);
		return;
	}
	format_value(kv, sizeof(kv), s->unit, k->value);
	format_spread(ks, sizeof(ks), k->spread_pct);
	snprintf(buf, size, "%s%s | %s%s%s", mv, ms, kv, k->nfallback ? "!" : "", ks);
}

/* One cell of the main table: the median of the runs' medians with its
 * spread, or for one run its ratio to the function call; with the k-best,
 * both figures. */
static void format_cell(char *buf, size_t size, const struct report *r,
			const struct rep_series *s, const struct rep_pathkey *p, bool kbest)
{
	struct rep_cell c = rep_cell_of(r, s, p->abi, p->path);
	struct rep_cell b = rep_base_of(r, s, p->abi);
	char val[32];

	if (!c.have) {
		snprintf(buf, size, "-");
		return;
	}
	if (kbest) {
		struct rep_cell k = rep_cell_stat(r, s, p->abi, p->path, 0, ST_KBEST);

		format_dual(buf, size, s, &c, &k);
		return;
	}
	format_value(val, sizeof(val), s->unit, c.value);
	if (!isnan(c.spread_pct))
		snprintf(buf, size, "%s ±%.0f%%", val, c.spread_pct);
	else if (b.have && b.value > 0 && !strstr(p->path, "empty_loop"))
		snprintf(buf, size, c.value / b.value < 10 ? "%s (%.1fx)" : "%s (%.0fx)",
			 val, c.value / b.value);
	else
		snprintf(buf, size, "%s", val);
}

#define COL_W 20	/* a column of the main table */
#define DUAL_W 32	/* one with the k-best beside the median */

void report_table(FILE *f, const struct report *r)
{
	struct rep_layout l;
	char head[64], buf[128];
	bool *kb, any = false;
	json_t *left, *v;
	size_t k;

	rep_layout_build(r, &l);
	kb = xcalloc(l.ns ? l.ns : 1, sizeof(*kb));
	fprintf(f, "%-32s", "path (median per call)");
	for (size_t j = 0; j < l.ns; j++) {
		kb[j] = rep_series_kbest(r, &l.s[j]);
		any |= kb[j];
		if (l.s[j].nruns > 1)
			snprintf(head, sizeof(head), "%s (%zu runs)", l.s[j].name, l.s[j].nruns);
		else
			snprintf(head, sizeof(head), "%s", l.s[j].name);
		fprintf(f, " %*s", kb[j] ? DUAL_W : COL_W, head);
	}
	fprintf(f, "\n%-32s", "");
	for (size_t j = 0; j < l.ns; j++) {
		snprintf(head, sizeof(head), "[%s, %s]%s", l.s[j].mode,
			 strcmp(l.s[j].unit, "ns") ? "instr" : "ns",
			 kb[j] ? " median | k-best" : "");
		fprintf(f, " %*s", kb[j] ? DUAL_W : COL_W, head);
	}
	fputc('\n', f);
	for (size_t i = 0; i < l.np; i++) {
		snprintf(buf, sizeof(buf), "%s/%s", l.p[i].abi, l.p[i].path);
		fprintf(f, "%-32s", buf);
		for (size_t j = 0; j < l.ns; j++) {
			format_cell(buf, sizeof(buf), r, &l.s[j], &l.p[i], kb[j]);
			fprintf(f, " %*s", kb[j] ? DUAL_W : COL_W, buf);
		}
		fputc('\n', f);
	}
	fprintf(f, "\nicount: exact guest instructions per call (QEMU -icount shift=0), (Nx) = per\n"
		   "the same run's function call. host: this machine's kernel, hardware ns;\n"
		   "±N%% = spread (max - min) / median over the runs. tcg: QEMU emulation time,\n"
		   "not hardware time. kvm: hardware virtualisation.\n");
	for (size_t j = 0; j < l.ns; j++)
		if (!strcmp(l.s[j].mode, MODE_LABEL_KVM_NESTED)) {
			fprintf(f, "kvm-nested: KVM on a host that is itself a virtual machine (its CPU's\n"
				   "hypervisor flag): nested times, not hardware times.\n");
			break;
		}
	if (any)
		fprintf(f, "median | k-best: the median of the runs' medians, then the median of the\n"
			   "runs' k-bests, each with its own spread. A run's median is its middle batch,\n"
			   "which anything else running on the machine moves. Its k-best (k = %d) is the\n"
			   "fastest batch that the k - 1 = %d next fastest confirm within %d%% (a lone\n"
			   "fast batch is passed over: LEBench's k-best; lmbench keeps the minimum),\n"
			   "less the empty loop's k-best: what a call costs when nothing interferes,\n"
			   "which a busy host leaves in place. '!': in some run no batches agreed, and\n"
			   "the k-best is that run's minimum.\n",
			   LAB_KBEST_K, LAB_KBEST_K - 1, LAB_KBEST_TOL_PCT);
	left = rep_left_out_lines(r);
	json_array_foreach(left, k, v)
		fprintf(f, "%s%s\n", k ? "" : "\n", json_string_value(v));
	json_decref(left);
	free(kb);
	rep_layout_free(&l);
}

/* The crossovers of one approach, in words, as a Markdown list item. */
static void md_crossing(FILE *f, const struct rep_series *s, const struct rep_curve_key *k,
			const struct rep_crossing *x)
{
	const char *u = s->unit;
	char a[32], b[32];
	unsigned int last;

	if (!x->n)
		return;
	last = x->pts[x->n - 1].ops;
	fprintf(f, "- %s: ", k->label);
	if (x->below) {
		format_value(a, sizeof(a), u, rep_point_at(x->pts, x->n, x->below));
		format_value(b, sizeof(b), u, rep_point_at(x->calls, x->ncalls, x->below));
		fprintf(f, "first beats N separate calls at N=%u (%s against %s %s an operation)",
			x->below, a, b, u);
	} else if (x->ncalls) {
		double mine = rep_point_at(x->pts, x->n, last), theirs = rep_point_at(x->calls, x->ncalls, last);

		format_value(a, sizeof(a), u, mine);
		format_value(b, sizeof(b), u, theirs);
		if (isnan(theirs))
			fprintf(f, "never beats N separate calls where both were measured");
		else
			fprintf(f, "never beats N separate calls up to N=%u (%s against %s %s an operation at N=%u)",
				last, a, b, u, last);
	} else if (x->scale > 0) {
		format_value(b, sizeof(b), u, x->scale);
		fprintf(f, "no lab_null() calls in this series; against one `getppid()` call here (%s %s)", b, u);
		if (x->below_scale) {
			format_value(a, sizeof(a), u, rep_point_at(x->pts, x->n, x->below_scale));
			fprintf(f, ", first cheaper at N=%u (%s %s an operation)", x->below_scale, a, u);
		} else {
			format_value(a, sizeof(a), u, rep_point_at(x->pts, x->n, last));
			fprintf(f, ", never cheaper up to N=%u (%s %s an operation at N=%u)", last, a, u, last);
		}
	} else {
		fprintf(f, "no separate calls in this series to hold it against");
	}
	if (x->floor > 0 && x->within) {
		format_value(a, sizeof(a), u, rep_point_at(x->pts, x->n, x->within));
		format_value(b, sizeof(b), u, x->floor);
		fprintf(f, "; first within 2x of the floor at N=%u (%s against %s %s)",
			x->within, a, b, u);
	} else if (x->floor > 0) {
		double v = rep_point_at(x->pts, x->n, last);

		format_value(a, sizeof(a), u, v);
		format_value(b, sizeof(b), u, x->floor);
		fprintf(f, "; not within 2x of the floor up to N=%u (%s %s at N=%u: %.0fx the floor's %s)",
			last, a, u, last, v / x->floor, b);
	} else {
		fprintf(f, "; no floor in this series");
	}
	fprintf(f, ".\n");
}

/* One series' table of curves (N down, approach across), its floor and its
 * crossovers in words; nothing for a series without curve rows. */
static void md_curve_series(FILE *f, const struct report *r,
			    const struct rep_series *s, const struct rep_curves *c)
{
	struct curve_point *pts = xcalloc(c->nops ? c->nops : 1, sizeof(*pts));
	bool *has = xcalloc(c->nk ? c->nk : 1, sizeof(*has));
	double floor = rep_series_floor(r, s);
	char buf[32];

	if (!rep_series_has_curves(r, s)) {
		free(pts);
		free(has);
		return;
	}
	fprintf(f, "### %s: %s per operation (%s)\n\n| N |", s->name, s->unit, s->mode);
	for (size_t i = 0; i < c->nk; i++) {
		has[i] = rep_series_curve(r, s, c, c->k[i].abi, c->k[i].path, pts) > 0;
		if (has[i])
			fprintf(f, " %s |", c->k[i].label);
	}
	fprintf(f, "\n|---:|");
	for (size_t i = 0; i < c->nk; i++)
		if (has[i])
			fprintf(f, "---:|");
	fputc('\n', f);
	for (size_t q = 0; q < c->nops; q++) {
		fprintf(f, "| %u |", c->ops[q]);
		for (size_t i = 0; i < c->nk; i++) {
			struct rep_cell v;

			if (!has[i])
				continue;
			v = rep_cell_ops(r, s, c->k[i].abi, c->k[i].path, c->ops[q]);
			if (v.have)
				format_value(buf, sizeof(buf), s->unit, v.value);
			fprintf(f, " %s |", v.have ? buf : "-");
		}
		fputc('\n', f);
	}
	if (floor > 0) {
		format_value(buf, sizeof(buf), s->unit, floor);
		fprintf(f, "\nThe floor (`kernel_direct`): %s %s.\n\n", buf, s->unit);
	} else {
		fprintf(f, "\nNo floor in this series (`kernel_direct` comes from the lab kernel's module).\n\n");
	}
	for (size_t i = 0; i < c->nk; i++) {
		struct rep_crossing x;

		if (!has[i] || !strcmp(c->k[i].path, REP_CURVE_CALLS))
			continue;
		rep_crossing_of(r, s, c, &c->k[i], &x);
		md_crossing(f, s, &c->k[i], &x);
		rep_crossing_free(&x);
	}
	fputc('\n', f);
	free(pts);
	free(has);
}

static void write_md_curves(FILE *f, const struct report *r, bool chart)
{
	struct rep_layout l;
	struct rep_curves c;
	unsigned int n;

	rep_layout_build(r, &l);
	rep_curves_build(r, &c);
	fprintf(f, "## Cost per operation against operations per crossing\n\n"
		   "N operations for each crossing into the kernel: N separate `lab_null()` calls\n"
		   "(one crossing each: the reference), one `lab_batch()` of N `LAB_BATCH_NULL`\n"
		   "records, N io_uring `IORING_OP_NOP`s submitted (and waited for) by one\n"
		   "`io_uring_enter()`, and the same N NOPs with one `io_uring_enter()` each (ring of\n"
		   "N entries: queue depth N). Every figure is the median cost of ONE operation;\n"
		   "the floor is the call's body called inside the kernel, no crossing at all\n"
		   "(`kernel/kernel_direct`, from the module). On the host only io_uring runs (its\n"
		   "kernel has no lab system calls, and no module). x86_64 enters with the\n"
		   "`syscall` instruction, i386 through the vDSO.\n\n");
	if (chart)
		fprintf(f, "![cost per operation against N](chart-curves.png)\n\n");
	for (size_t j = 0; j < l.ns; j++)
		md_curve_series(f, r, &l.s[j], &c);
	n = c.nops ? c.ops[c.nops - 1] : 1024;
	fprintf(f, "What the figures leave out, each approach's own costs: `lab_batch()` needs its\n"
		   "records in memory, 48 bytes each (%.1f KiB for N=%u), read and written back by\n"
		   "the kernel, and nothing else. io_uring needs a ring, set up first by\n"
		   "`io_uring_setup()` (a file descriptor, kernel memory, and the rings mapped into\n"
		   "the process with `mmap()`: for N=%u entries, %.1f KiB of 64-byte SQEs, a 4-byte\n"
		   "index per entry, and %.1f KiB of CQEs, twice as many, 16 bytes each), torn down\n"
		   "with its file; neither the setup nor the teardown is in the figures. Its SQPOLL\n"
		   "mode (a kernel thread polling the submission ring, so that submitting needs no\n"
		   "`io_uring_enter()` at all, at the price of a thread spinning on a CPU) is not\n"
		   "measured. N separate calls need nothing beyond the calls.\n\n",
		   48.0 * n / 1024, n, n, (64.0 + 4.0) * n / 1024, 2.0 * 16 * n / 1024);
	rep_layout_free(&l);
	rep_curves_free(&c);
}

/* chart-curves-SERIES.dat: N down, every curve's column across (NaN where
 * the series has none: gnuplot leaves such a column out), then one
 * getppid() call for scale (only where the series has no lab_null() calls:
 * the host), then the floor. */
static void write_curve_dat(FILE *f, const struct report *r, const struct rep_series *s,
			    const struct rep_curves *c)
{
	double floor = rep_series_floor(r, s), scale = 0;
	struct curve_point *pts = xcalloc(c->nops ? c->nops : 1, sizeof(*pts));
	struct rep_cell g = rep_cell_of(r, s, "x86_64", rep_scale_path("x86_64"));

	if (g.have && !rep_series_curve(r, s, c, "x86_64", REP_CURVE_CALLS, pts))
		scale = g.value;
	free(pts);
	fprintf(f, "N");
	for (size_t i = 0; i < c->nk; i++)
		fprintf(f, "\t%s", c->k[i].label);
	fprintf(f, "\tx86_64: one getppid() call\tfloor (kernel_direct)\n");
	for (size_t q = 0; q < c->nops; q++) {
		fprintf(f, "%u", c->ops[q]);
		for (size_t i = 0; i < c->nk; i++) {
			struct rep_cell v = rep_cell_ops(r, s, c->k[i].abi, c->k[i].path, c->ops[q]);

			if (v.have && v.value > 0)
				fprintf(f, "\t%.3f", v.value);
			else
				fprintf(f, "\tNaN");
		}
		if (scale > 0)
			fprintf(f, "\t%.3f", scale);
		else
			fprintf(f, "\tNaN");
		if (floor > 0)
			fprintf(f, "\t%.3f\n", floor);
		else
			fprintf(f, "\tNaN\n");
	}
}

static json_t *json_curves(const struct report *r, json_t **crossings)
{
	struct rep_layout l;
	struct rep_curves c;
	json_t *a = json_array();

	*crossings = json_array();
	rep_layout_build(r, &l);
	rep_curves_build(r, &c);
	for (size_t j = 0; j < l.ns; j++) {
		const struct rep_series *s = &l.s[j];

		for (size_t i = 0; i < c.nk; i++) {
			struct rep_crossing x;

			for (size_t q = 0; q < c.nops; q++) {
				struct rep_cell v = rep_cell_ops(r, s, c.k[i].abi, c.k[i].path, c.ops[q]);

				if (!v.have)
					continue;
				json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:f, s:o, s:i}",
					"series", s->name, "mode", s->mode,
					"abi", c.k[i].abi, "path", c.k[i].path,
					"ops", (int)c.ops[q], "unit", s->unit,
					"median_of_medians", v.value,
					"spread_percent", isnan(v.spread_pct) ? json_null() : json_real(v.spread_pct),
					"runs", (int)v.nruns));
			}
			if (!strcmp(c.k[i].path, REP_CURVE_CALLS))
				continue;
			rep_crossing_of(r, s, &c, &c.k[i], &x);
			if (x.n)
				json_array_append_new(*crossings, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:i}",
					"series", s->name, "mode", s->mode,
					"abi", c.k[i].abi, "path", c.k[i].path, "unit", s->unit,
					"beats_calls_at", x.below ? json_integer(x.below) : json_null(),
					"within_2x_floor_at", x.within ? json_integer(x.within) : json_null(),
					"floor", x.floor > 0 ? json_real(x.floor) : json_null(),
					"getppid", x.scale > 0 ? json_real(x.scale) : json_null(),
					"beats_getppid_at", x.below_scale ? json_integer(x.below_scale) : json_null(),
					"largest_ops", (int)x.pts[x.n - 1].ops));
			rep_crossing_free(&x);
		}
	}
	rep_layout_free(&l);
	rep_curves_free(&c);
	return a;
}

/* --- files ------------------------------------------------------------- */

static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void write_csv(FILE *f, const struct report *r)
{
	fprintf(f, "run,mode,mitigations,abi,path,unit,median,min,p5,p95,p99,max,mean,sd,cv_percent,batches,iters,ops,tsc_khz,what,kbest,kbest_rank\n");
	for (size_t i = 0; i < r->nruns; i++)
		for (size_t k = 0; k < r->runs[i]->rows.n; k++) {
			const struct row *w = &r->runs[i]->rows.v[k];

			fprintf(f, "%s,%s,%s,%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.2f,%u,%u,",
				w->run, w->mode, w->mitigations, w->abi, w->path,
				row_unit(w), row_value(w, ST_MEDIAN),
				row_value(w, ST_MIN), row_value(w, ST_P5),
				row_value(w, ST_P95), row_value(w, ST_P99),
				row_value(w, ST_MAX), row_value(w, ST_MEAN),
				row_value(w, ST_SD), row_value(w, ST_CV_PPM),
				w->batches, w->iters);
			/* ops: a curve row's operations a crossing; empty for
			 * the others */
			if (w->ops)
				fprintf(f, "%u", w->ops);
			fprintf(f, ",%llu,", (unsigned long long)w->tsc_khz);
			csv_str(f, w->what);
			/* the k-best, last (empty in rows from before it) */
			if (w->have_kbest)
				fprintf(f, ",%.3f,%llu", row_value(w, ST_KBEST),
					(unsigned long long)w->kbest_rank);
			else
				fprintf(f, ",,");
			fputc('\n', f);
		}
}

static json_t *json_rows(const struct report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nruns; i++)
		for (size_t k = 0; k < r->runs[i]->rows.n; k++) {
			const struct row *w = &r->runs[i]->rows.v[k];
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:i}",
					      "run", w->run, "mode", w->mode,
					      "mitigations", w->mitigations,
					      "abi", w->abi, "path", w->path,
					      "unit", row_unit(w), "what", w->what,
					      "tsc_khz", (json_int_t)w->tsc_khz,
					      "batches", (int)w->batches,
					      "iters", (int)w->iters);

			for (int s = 0; s < ST_COUNT; s++)
				if (row_has(w, (enum row_stat)s))
					json_object_set_new(o, s == ST_CV_PPM ? "cv_percent" : stat_names[s],
							    json_real(row_value(w, (enum row_stat)s)));
			if (w->have_kbest)	/* 0: no window, kbest is the min */
				json_object_set_new(o, "kbest_rank", json_integer((json_int_t)w->kbest_rank));
			if (w->ops)	/* a curve row: figures per operation */
				json_object_set_new(o, "ops", json_integer(w->ops));
			json_array_append_new(a, o);
		}
	return a;
}

static json_t *json_series(const struct report *r)
{
	struct rep_layout l;
	json_t *a = json_array();

	rep_layout_build(r, &l);
	for (size_t j = 0; j < l.ns; j++)
		for (size_t i = 0; i < l.np; i++) {
			struct rep_cell c = rep_cell_of(r, &l.s[j], l.p[i].abi, l.p[i].path);
			struct rep_cell k = rep_cell_stat(r, &l.s[j], l.p[i].abi, l.p[i].path, 0, ST_KBEST);
			json_t *o;

			if (!c.have)
				continue;
			o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:i}",
				"series", l.s[j].name, "mode", l.s[j].mode,
				"abi", l.p[i].abi, "path", l.p[i].path,
				"unit", l.s[j].unit, "median_of_medians", c.value,
				"spread_percent", isnan(c.spread_pct) ? json_null() : json_real(c.spread_pct),
				"runs", (int)c.nruns);
			/* the k-best beside the median, where the rows have one */
			if (k.have)
				json_object_update_new(o, json_pack("{s:f, s:o, s:i, s:i}",
					"kbest_of_runs", k.value,
					"kbest_spread_percent", isnan(k.spread_pct) ? json_null() : json_real(k.spread_pct),
					"kbest_runs", (int)k.nruns,
					"kbest_fallback_runs", (int)k.nfallback));
			json_array_append_new(a, o);
		}
	rep_layout_free(&l);
	return a;
}

static int write_json(FILE *f, const struct report *r)
{
	json_t *root = json_object(), *runs = json_array(), *crossings;
	char when[32];
	time_t t = time(NULL);
	int ret;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_object_set_new(root, "schema", json_string("lab-bench/1"));
	json_object_set_new(root, "generated", json_string(when));
	for (size_t i = 0; i < r->nruns; i++)
		json_array_append_new(runs, json_pack("{s:s, s:O, s:O}", "name",
			r->runs[i]->name, "meta", r->runs[i]->meta,
			"facts", r->runs[i]->facts ? r->runs[i]->facts : json_null()));
	json_object_set_new(root, "runs", runs);
	json_object_set_new(root, "series", json_series(r));
	json_object_set_new(root, "rows", json_rows(r));
	json_object_set_new(root, "curves", json_curves(r, &crossings));
	json_object_set_new(root, "crossovers", crossings);
	json_object_set_new(root, "left_out", rep_left_out_lines(r));
	if (r->extra)
		json_object_set(root, "extra", r->extra);
	ret = json_dumpf(root, f, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', f);
	json_decref(root);
	return ret;
}

/* chart-NAME.dat: one line per path, one column per series of that unit.
 * Returns the number of columns, or 0 if no series has a figure. */
static int write_dat(FILE *f, const struct report *r, const char *unit)
{
	struct rep_layout l;
	bool any = false;
	int ncols = 1;

	rep_layout_build(r, &l);
	fprintf(f, "path");
	for (size_t j = 0; j < l.ns; j++)
		if (!strcmp(l.s[j].unit, unit)) {
			fprintf(f, "\t%s", l.s[j].name);
			ncols++;
		}
	fputc('\n', f);
	for (size_t i = 0; i < l.np; i++) {
		if (strstr(l.p[i].path, "empty_loop"))
			continue;
		fprintf(f, "%s/%s", l.p[i].abi, l.p[i].path);
		for (size_t j = 0; j < l.ns; j++) {
			struct rep_cell c;

			if (strcmp(l.s[j].unit, unit))
				continue;
			c = rep_cell_of(r, &l.s[j], l.p[i].abi, l.p[i].path);
			if (c.have && c.value > 0) {
				fprintf(f, "\t%.3f", c.value);
				any = true;
			} else {
				fprintf(f, "\tNaN");
			}
		}
		fputc('\n', f);
	}
	rep_layout_free(&l);
	return any ? ncols : 0;
}

static void write_md(FILE *f, const struct report *r, bool icount_chart,
		     bool time_chart, bool curves, bool curves_chart)
{
	const struct run *first = r->nruns ? r->runs[0] : NULL;
	json_t *host = first ? json_object_get(first->meta, "host") : NULL;
	json_t *perf = r->extra ? json_object_get(r->extra, "perf_bench_syscall_basic") : NULL;

	fprintf(f, "# Syscall lab benchmark\n\n");
	if (first)
		fprintf(f, "Recorded on %s (host kernel %s); %s; %s.\n\n",
			json_string_value(json_object_get(host, "cpu")),
			json_string_value(json_object_get(host, "kernel")),
			run_meta(first, "qemu"), run_meta(first, "compiler"));
	fprintf(f, "Every figure is the median of per-call costs over batches of calls, with the\n"
		   "empty loop's median (timer and loop overhead) subtracted; a k-best (beside it\n"
		   "on the host) has the empty loop's k-best subtracted instead.\n\n"
		   "- **icount-\\***: QEMU `-icount shift=0`: the TSC counts guest instructions, so these\n"
		   "  are exact instruction counts per call, identical from boot to boot;\n"
		   "- **host**: this machine's own kernel, hardware time, several runs (±: spread\n"
		   "  across them); where its rows have one, each cell is `median | k-best`: the\n"
		   "  k-best is a near-minimum that a busy host leaves in place (the legend under\n"
		   "  the table);\n"
		   "- **vm-\\***: the lab kernel under QEMU TCG (emulation time, not hardware time:\n"
		   "  compare ratios, not ns) or KVM;\n"
		   "- **-default** / **-off**: the lab kernel's mitigations as configured, or\n"
		   "  `mitigations=off`.\n\n```\n");
	report_table(f, r);
	fprintf(f, "```\n\n");
	if (json_string_value(json_object_get(perf, "left_out")))
		fprintf(f, "**Beside `perf bench syscall basic`**: not measured: %s.\n\n",
			json_string_value(json_object_get(perf, "left_out")));
	else if (json_is_object(perf))
		fprintf(f, "**Beside `perf bench syscall basic`** (getppid(), this host): perf's mean over\n"
			   "%lld calls: %.1f ns per call. The lab's own %lld calls right before it: mean %.1f ns,\n"
			   "median %.1f ns. Means over the same stretch of time agree; a median leaves out\n"
			   "the batches that something outside the process (the hypervisor, other tenants)\n"
			   "slowed, which a mean takes in.\n\n",
			json_integer_value(json_object_get(perf, "calls")),
			json_number_value(json_object_get(perf, "perf_mean_ns")),
			json_integer_value(json_object_get(perf, "calls")),
			json_number_value(json_object_get(perf, "lab_mean_ns")),
			json_number_value(json_object_get(perf, "lab_median_ns")));
	if (icount_chart)
		fprintf(f, "![instructions](chart-icount.png)\n\n");
	if (time_chart)
		fprintf(f, "![time](chart-time.png)\n\n");
	if (curves)
		write_md_curves(f, r, curves_chart);
	fprintf(f, "Each boot's mitigations, as its kernel reported them\n"
		   "(`/sys/devices/system/cpu/vulnerabilities`):\n\n");
	for (size_t i = 0; i < r->nruns; i++) {
		json_t *v = r->runs[i]->facts ? json_object_get(r->runs[i]->facts, "vulnerabilities") : NULL;

		if (!v)
			continue;
		fprintf(f, "- %s: meltdown: %s; spectre_v2: %s; mds: %s\n", r->runs[i]->name,
			json_string_value(json_object_get(v, "meltdown")),
			json_string_value(json_object_get(v, "spectre_v2")),
			json_string_value(json_object_get(v, "mds")));
	}
	fprintf(f, "\n");
	if (r->trace_md)
		fprintf(f, "## Where the instructions go\n\nSee [the trace report](%s) (make trace).\n\n",
			r->trace_md);
	else
		fprintf(f, "Run `make trace` to see where a system call's instructions go.\n\n");
	fprintf(f, "Data: bench.csv, bench.json (with each run's recorded metadata); runs under raw/.\n");
}

/* Opens dir/name for writing, or says why not. */
static int open_in(struct out_file *o, const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	int ret = out_open(o, path);

	if (ret)
		fprintf(stderr, "lab: error: cannot write %s: %s\n", path, strerror(errno));
	free(path);
	return ret;
}

static int finish(struct out_file *o, const char *name)
{
	if (out_commit(o)) {
		fprintf(stderr, "lab: error: writing %s failed\n", name);
		return -1;
	}
	return 0;
}

/* gnuplot with the checked-in script (plot.h); no chart is no failure
 * (the report then says nothing of it). */
static bool plot_bars(const char *dir, const char *name, int ncols,
		      const char *title, const char *ylabel)
{
	char *png = xasprintf("%s/chart-%s.png", dir, name);
	char *dat = xasprintf("%s/chart-%s.dat", dir, name), *why = NULL;
	const struct plot_var vars[] = {
		{ "datafile", dat, 0 }, { "charttitle", title, 0 },
		{ "ylabel", ylabel, 0 }, { "ncols", NULL, ncols },
	};
	bool ok = plot("report/bars.gp", png, vars, 4, &why);

	free(why);
	free(dat);
	free(png);
	return ok;
}

/*
 * chart-curves-SERIES.dat for every series with curve rows, and
 * chart-curves.png from them, one panel a series (report/curves.gp).
 * Returns -1 if a data file cannot be written; *drawn says whether the
 * chart was (no chart is no failure), *any whether there are curves.
 */
static int plot_curves(const char *dir, const struct report *r, bool *any,
		       bool *drawn)
{
	struct rep_layout l;
	struct rep_curves c;
	struct strbuf files = { 0 }, names = { 0 }, modes = { 0 }, units = { 0 };
	struct out_file o;
	int ret = 0;

	*any = *drawn = false;
	rep_layout_build(r, &l);
	rep_curves_build(r, &c);
	for (size_t j = 0; j < l.ns && !ret; j++) {
		char *name = xasprintf("chart-curves-%s.dat", l.s[j].name);

		if (!rep_series_has_curves(r, &l.s[j])) {
			free(name);
			continue;
		}
		if (open_in(&o, dir, name)) {
			ret = -1;
		} else {
			write_curve_dat(o.f, r, &l.s[j], &c);
			ret = finish(&o, name);
		}
		sb_printf(&files, "%s%s/%s", *any ? " " : "", dir, name);
		sb_printf(&names, "%s%s", *any ? " " : "", l.s[j].name);
		sb_printf(&modes, "%s%s", *any ? " " : "", l.s[j].mode);
		sb_printf(&units, "%s%s", *any ? " " : "", l.s[j].unit);
		*any = true;
		free(name);
	}
	if (!ret && *any) {
		char *png = xasprintf("%s/chart-curves.png", dir), *why = NULL;
		const struct plot_var vars[] = {
			{ "files", files.s, 0 }, { "names", names.s, 0 },
			{ "modes", modes.s, 0 }, { "units", units.s, 0 },
		};

		*drawn = plot("report/curves.gp", png, vars, 4, &why);
		free(why);
		free(png);
	}
	sb_free(&files);
	sb_free(&names);
	sb_free(&modes);
	sb_free(&units);
	rep_layout_free(&l);
	rep_curves_free(&c);
	return ret;
}

int report_write(const char *dir, const struct report *r)
{
	struct out_file o;
	int icount_cols, time_cols;
	bool icount, time, curves, curves_chart;

	if (mkdir_p(dir)) {
		fprintf(stderr, "lab: error: cannot make %s\n", dir);
		return -1;
	}
	if (open_in(&o, dir, "table.txt"))
		return -1;
	report_table(o.f, r);
	if (finish(&o, "table.txt") || open_in(&o, dir, "bench.csv"))
		return -1;
	write_csv(o.f, r);
	if (finish(&o, "bench.csv") || open_in(&o, dir, "bench.json"))
		return -1;
	if (write_json(o.f, r)) {
		out_abort(&o);
		fprintf(stderr, "lab: error: encoding bench.json failed\n");
		return -1;
	}
	if (finish(&o, "bench.json") || open_in(&o, dir, "chart-icount.dat"))
		return -1;
	icount_cols = write_dat(o.f, r, "instructions");
	if (finish(&o, "chart-icount.dat") || open_in(&o, dir, "chart-time.dat"))
		return -1;
	time_cols = write_dat(o.f, r, "ns");
	if (finish(&o, "chart-time.dat"))
		return -1;
	icount = icount_cols && plot_bars(dir, "icount", icount_cols,
				     "Instructions per call (QEMU -icount shift=0: exact)",
				     "instructions (log scale)");
	time = time_cols && plot_bars(dir, "time", time_cols, "Time per call (median)",
				 "ns (log scale)");
	if (plot_curves(dir, r, &curves, &curves_chart))
		return -1;
	if (open_in(&o, dir, "report.md"))
		return -1;
	write_md(o.f, r, icount, time, curves, curves_chart);
	return finish(&o, "report.md");
}
