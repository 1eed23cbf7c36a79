/*
 * lab summary [--host-tap DIR] [--with-summary [LABEL=]FILE ...] [RUN_DIR...]
 * The test summary of stored runs (each a directory lab boot wrote), of
 * the host's TAP files (DIR/NAME.tap) and of the summaries lab test saved
 * (their rows labelled "LABEL: ..."; a file not there or damaged is a
 * failure; make test puts its halves together so): one row per program or step, why each
 * failure failed, and "N passed, N failed, N skipped". Exit status 0 only
 * if nothing failed and something passed.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "summary.h"
#include "util.h"

int cmd_summary(int argc, char **argv)
{
	struct summary s = { 0 };
	struct ktap_counts t;
	struct lab_opts o;

	lab_parse_or_exit(&lab_cmd_summary, argc, argv, &o, NULL);
	if (o.host_tap)
		summary_add_tap_dir(&s, o.host_tap);
	for (int i = 0; i < o.nargs; i++) {
		struct run *r = lab_load_run(o.args[i]);

		sum_add_run(&s, r->name, r, NULL);
		run_free(r);
	}
	for (unsigned int i = 0; i < o.nwith_summary; i++)
		sum_add_saved_spec(&s, o.with_summary[i]);
	t = sum_print(&s, stdout);
	sum_free(&s);
	return t.failed == 0 && t.passed > 0 ? 0 : 1;
}
