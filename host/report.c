/* report.c: see report.h. */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct series {
	char *name;
	const char *mode, *unit;
	size_t *runs, nruns;
};

struct pathkey {
	const char *abi, *path, *what;
};

struct layout {
	struct series *s;
	size_t ns;
	struct pathkey *p;
	size_t np;
};

struct cell {
	bool have;
	double value, spread_pct;	/* spread: NAN for one run */
	size_t nruns;
};

static char *series_of(const char *run)
{
	const char *dot = strchr(run, '.');

	return dot ? strndup(run, (size_t)(dot - run)) : xstrdup(run);
}

static void build(const struct report *r, struct layout *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < r->nruns; i++) {
		const struct run *run = r->runs[i];
		char *name = series_of(run->name);
		size_t j;

		if (!run->rows.n) {
			free(name);
			continue;
		}
		for (j = 0; j < l->ns && strcmp(l->s[j].name, name); j++)
			;
		if (j == l->ns) {
			l->s = xrealloc(l->s, (l->ns + 1) * sizeof(*l->s));
			l->s[j] = (struct series){ .name = name,
						   .mode = run_mode(run),
						   .unit = row_unit(&run->rows.v[0]) };
			l->ns++;
		} else {
			free(name);
		}
		l->s[j].runs = xrealloc(l->s[j].runs, (l->s[j].nruns + 1) * sizeof(size_t));
		l->s[j].runs[l->s[j].nruns++] = i;
		for (size_t k = 0; k < run->rows.n; k++) {
			const struct row *row = &run->rows.v[k];
			size_t q;

			for (q = 0; q < l->np; q++)
				if (!strcmp(l->p[q].abi, row->abi) &&
				    !strcmp(l->p[q].path, row->path))
					break;
			if (q == l->np) {
				l->p = xrealloc(l->p, (l->np + 1) * sizeof(*l->p));
				l->p[l->np++] = (struct pathkey){ row->abi, row->path, row->what };
			}
		}
	}
}

static void layout_free(struct layout *l)
{
	for (size_t i = 0; i < l->ns; i++) {
		free(l->s[i].name);
		free(l->s[i].runs);
	}
	free(l->s);
	free(l->p);
}

static const struct row *find_row(const struct run *run, const char *abi,
				  const char *path)
{
	for (size_t i = 0; i < run->rows.n; i++)
		if (!strcmp(run->rows.v[i].abi, abi) &&
		    !strcmp(run->rows.v[i].path, path))
			return &run->rows.v[i];
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct cell cell_of(const struct report *r, const struct series *s,
			   const char *abi, const char *path)
{
	double v[64];
	struct cell c = { .spread_pct = NAN };
	size_t n = 0;

	for (size_t i = 0; i < s->nruns && n < 64; i++) {
		const struct row *row = find_row(r->runs[s->runs[i]], abi, path);

		if (row)
			v[n++] = row_value(row, ST_MEDIAN);
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

/* The same series' function call for this ABI: the ratio's base. */
static struct cell base_of(const struct report *r, const struct series *s,
			   const char *abi)
{
	return cell_of(r, s, abi, strcmp(abi, "kernel") ? "function_call" :
			      "kernel_function_call");
}

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

void report_table(FILE *f, const struct report *r)
{
	struct layout l;
	char head[64], buf[64], val[32];

	build(r, &l);
	fprintf(f, "%-32s", "path (median per call)");
	for (size_t j = 0; j < l.ns; j++) {
		if (l.s[j].nruns > 1)
			snprintf(head, sizeof(head), "%s (%zu runs)", l.s[j].name, l.s[j].nruns);
		else
			snprintf(head, sizeof(head), "%s", l.s[j].name);
		fprintf(f, " %20s", head);
	}
	fprintf(f, "\n%-32s", "");
	for (size_t j = 0; j < l.ns; j++) {
		snprintf(head, sizeof(head), "[%s, %s]", l.s[j].mode,
			 strcmp(l.s[j].unit, "ns") ? "instr" : "ns");
		fprintf(f, " %20s", head);
	}
	fputc('\n', f);
	for (size_t i = 0; i < l.np; i++) {
		snprintf(buf, sizeof(buf), "%s/%s", l.p[i].abi, l.p[i].path);
		fprintf(f, "%-32s", buf);
		for (size_t j = 0; j < l.ns; j++) {
			struct cell c = cell_of(r, &l.s[j], l.p[i].abi, l.p[i].path);
			struct cell b = base_of(r, &l.s[j], l.p[i].abi);

			if (!c.have) {
				fprintf(f, " %20s", "-");
				continue;
			}
			format_value(val, sizeof(val), l.s[j].unit, c.value);
			if (!isnan(c.spread_pct))
				snprintf(buf, sizeof(buf), "%s ±%.0f%%", val, c.spread_pct);
			else if (b.have && b.value > 0 && !strstr(l.p[i].path, "empty_loop"))
				snprintf(buf, sizeof(buf), c.value / b.value < 10 ? "%s (%.1fx)" : "%s (%.0fx)",
					 val, c.value / b.value);
			else
				snprintf(buf, sizeof(buf), "%s", val);
			fprintf(f, " %20s", buf);
		}
		fputc('\n', f);
	}
	fprintf(f, "\nicount: exact guest instructions per call (QEMU -icount shift=0), (Nx) = per\n"
		   "the same run's function call. host: this machine's kernel, hardware ns;\n"
		   "±N%% = spread (max - min) / median over the runs. tcg: QEMU emulation time,\n"
		   "not hardware time. kvm: hardware virtualisation.\n");
	layout_free(&l);
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
	fprintf(f, "run,mode,mitigations,abi,path,unit,median,min,p5,p95,p99,max,mean,sd,cv_percent,batches,iters,tsc_khz,what\n");
	for (size_t i = 0; i < r->nruns; i++)
		for (size_t k = 0; k < r->runs[i]->rows.n; k++) {
			const struct row *w = &r->runs[i]->rows.v[k];

			fprintf(f, "%s,%s,%s,%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.2f,%u,%u,%llu,",
				w->run, w->mode, w->mitigations, w->abi, w->path,
				row_unit(w), row_value(w, ST_MEDIAN),
				row_value(w, ST_MIN), row_value(w, ST_P5),
				row_value(w, ST_P95), row_value(w, ST_P99),
				row_value(w, ST_MAX), row_value(w, ST_MEAN),
				row_value(w, ST_SD), row_value(w, ST_CV_PPM),
				w->batches, w->iters, (unsigned long long)w->tsc_khz);
			csv_str(f, w->what);
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
				json_object_set_new(o, s == ST_CV_PPM ? "cv_percent" : stat_names[s],
						    json_real(row_value(w, (enum row_stat)s)));
			json_array_append_new(a, o);
		}
	return a;
}

static json_t *json_series(const struct report *r)
{
	struct layout l;
	json_t *a = json_array();

	build(r, &l);
	for (size_t j = 0; j < l.ns; j++)
		for (size_t i = 0; i < l.np; i++) {
			struct cell c = cell_of(r, &l.s[j], l.p[i].abi, l.p[i].path);

			if (!c.have)
				continue;
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:i}",
				"series", l.s[j].name, "mode", l.s[j].mode,
				"abi", l.p[i].abi, "path", l.p[i].path,
				"unit", l.s[j].unit, "median_of_medians", c.value,
				"spread_percent", isnan(c.spread_pct) ? json_null() : json_real(c.spread_pct),
				"runs", (int)c.nruns));
		}
	layout_free(&l);
	return a;
}

static int write_json(FILE *f, const struct report *r)
{
	json_t *root = json_object(), *runs = json_array();
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
	struct layout l;
	bool any = false;
	int ncols = 1;

	build(r, &l);
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
			struct cell c;

			if (strcmp(l.s[j].unit, unit))
				continue;
			c = cell_of(r, &l.s[j], l.p[i].abi, l.p[i].path);
			if (c.have && c.value > 0) {
				fprintf(f, "\t%.3f", c.value);
				any = true;
			} else {
				fprintf(f, "\tNaN");
			}
		}
		fputc('\n', f);
	}
	layout_free(&l);
	return any ? ncols : 0;
}

static void write_md(FILE *f, const struct report *r, bool icount_chart,
		     bool time_chart)
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
		   "empty loop's median (timer and loop overhead) subtracted.\n\n"
		   "- **icount-\\***: QEMU `-icount shift=0`: the TSC counts guest instructions, so these\n"
		   "  are exact instruction counts per call, identical from boot to boot;\n"
		   "- **host**: this machine's own kernel, hardware time, several runs (±: spread);\n"
		   "- **vm-\\***: the lab kernel under QEMU TCG (emulation time, not hardware time:\n"
		   "  compare ratios, not ns) or KVM;\n"
		   "- **-default** / **-off**: the lab kernel's mitigations as configured, or\n"
		   "  `mitigations=off`.\n\n```\n");
	report_table(f, r);
	fprintf(f, "```\n\n");
	if (json_is_object(perf))
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

/* gnuplot with the checked-in script, into a temporary name renamed on
 * success; no chart is no failure (the report then says nothing of it). */
static bool plot(const char *dir, const char *name, int ncols,
		 const char *title, const char *ylabel)
{
	char *png = xasprintf("%s/chart-%s.png", dir, name);
	char *tmp = xasprintf("%s.lab-tmp", png);
	char *cmd = xasprintf("gnuplot -e \"datafile='%s/chart-%s.dat'; outfile='%s'; "
			      "charttitle='%s'; ylabel='%s'; ncols=%d\" report/bars.gp 2>/dev/null",
			      dir, name, tmp, title, ylabel, ncols);
	struct stat st;
	bool ok = system(cmd) == 0 && stat(tmp, &st) == 0 && st.st_size > 0 &&
		  rename(tmp, png) == 0;

	if (!ok) {
		unlink(tmp);
		unlink(png);
	}
	free(cmd);
	free(tmp);
	free(png);
	return ok;
}

int report_write(const char *dir, const struct report *r)
{
	struct out_file o;
	int icount_cols, time_cols;
	bool icount, time;

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
	icount = icount_cols && plot(dir, "icount", icount_cols,
				     "Instructions per call (QEMU -icount shift=0: exact)",
				     "instructions (log scale)");
	time = time_cols && plot(dir, "time", time_cols, "Time per call (median)",
				 "ns (log scale)");
	if (open_in(&o, dir, "report.md"))
		return -1;
	write_md(o.f, r, icount, time);
	return finish(&o, "report.md");
}
