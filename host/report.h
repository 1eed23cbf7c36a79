/*
 * report.h: the benchmark's writers, all reading the one model (runs and
 * their rows): the terminal table, CSV, JSON (jansson), Markdown and the
 * data that the checked-in gnuplot scripts draw. Every file is written to
 * a temporary name and renamed: a failed report leaves the last good one.
 *
 * Runs whose names differ only after a '.' (host.1 ... host.7) are one
 * series: the table shows the median of their medians and the spread
 * ((max - min) / median) across them.
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
/* table.txt, bench.csv, bench.json, report.md, chart-*.dat/png into dir.
 * Returns 0, or -1 after saying what failed. */
int report_write(const char *dir, const struct report *r);

#endif
