/*
 * lab report --out DIR RUN_DIR...
 * The benchmark report (report.h) again, from runs stored earlier (each a
 * directory that lab boot or lab bench wrote): nothing is measured or
 * probed now. DIR/raw/extra.json, if there, adds perf bench's figures. A
 * run that is missing or damaged is one line and exit 1, and the previous
 * report stays as it was.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "report.h"
#include "util.h"

int cmd_report(int argc, char **argv)
{
	struct lab_opts o;
	struct report rep = { 0 };
	json_error_t err;
	char *extra, *trace;
	size_t rows = 0;
	int ret;

	lab_parse_or_exit(&lab_cmd_report, argc, argv, &o, NULL);
	rep.runs = xcalloc((size_t)o.nargs, sizeof(*rep.runs));
	for (int i = 0; i < o.nargs; i++) {
		struct run *r = lab_load_run(o.args[i]);

		if (r->nproblems)
			die("%s: %s", o.args[i], r->problems[0]);
		rows += r->rows.n;
		rep.runs[rep.nruns++] = r;
	}
	if (!rows)
		die("no benchmark rows in the runs given");
	extra = xasprintf("%s/raw/extra.json", o.out);
	if (file_exists(extra) && !(rep.extra = json_load_file(extra, 0, &err)))
		die("%s: %s", extra, err.text);
	trace = xasprintf("%s/trace/report.md", o.out);
	if (file_exists(trace))
		rep.trace_md = "trace/report.md";
	ret = report_write(o.out, &rep);
	json_decref(rep.extra);
	for (size_t i = 0; i < rep.nruns; i++)
		run_free(rep.runs[i]);
	free(rep.runs);
	free(extra);
	free(trace);
	return ret ? 1 : 0;
}
