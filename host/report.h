/*
 * report.h: the benchmark's writers (report_write.c), all reading the one
 * model (report_model.h, over runs and their rows): the terminal table,
 * CSV, JSON (jansson), Markdown and the data that the checked-in gnuplot
 * scripts draw. Every file is written to a temporary name and renamed: a
 * failed report leaves the last good one.
 *
 * Runs whose names differ only after a '.' (host.1 ... host.7) are one
 * series: the table shows the median of their medians and the spread
 * ((max - min) / median) across them.
 *
 * Curve rows (include/lab/lab_row.h: "ops", figures per operation) stay out of
 * the table of medians: report.md gives each series with any its own
 * table (N down, approach across), the crossovers computed from them
 * (rows.h: where a batch first beats N separate calls, where it first
 * comes within 2x of the in-kernel floor) in words, and chart-curves.png
 * (report/curves.gp, one log-log panel a series, its data in
 * chart-curves-SERIES.dat); bench.json adds "curves" and "crossovers".
 */
#ifndef LAB_REPORT_H
#define LAB_REPORT_H

#include <stdio.h>

#include "run.h"

struct report {
	struct run **runs;
	size_t nruns;
	json_t *extra;		/* facts measured beside the runs (perf bench), or NULL */
	const char *trace_md;	/* make trace's report, to include, or NULL */
};

/* The table of medians, one column per series. */
void report_table(FILE *f, const struct report *r);
/* table.txt, bench.csv, bench.json, report.md, chart-*.dat/png (the
 * curves' too) into dir.
 * Returns 0, or -1 after saying what failed. */
int report_write(const char *dir, const struct report *r);

#endif
