/*
 * summary.h: make test's summary, computed from the model: one row per
 * test program or step, what failed and why, and the totals, which say
 * "N passed, N failed, N skipped". Anything that did not report is a
 * failure: a step with no result, a short plan, a boot that timed out or
 * whose kernel failed, a stream that could not be read.
 */
#ifndef LAB_SUMMARY_H
#define LAB_SUMMARY_H

#include <stdio.h>

#include "ktap.h"
#include "run.h"

struct sum_row {
	char *label;
	struct ktap_counts c;
	char **why;		/* one line per failure found */
	size_t nwhy;
};

struct summary {
	struct sum_row *v;
	size_t n;
};

/* A whole KTAP/TAP document (a host test program's) as one row. */
void sum_add_doc(struct summary *s, const char *label,
		 const struct ktap_test *doc);
/* A guest run: one row per plan step, its KUnit document if kunit_suite
 * is not NULL (then it must be there), its boot's outcome and problems. */
void sum_add_run(struct summary *s, const char *label, const struct run *r,
		 const char *kunit_suite);
/* Every DIR/NAME.tap (the host's test programs), a row each. */
void summary_add_tap_dir(struct summary *s, const char *dir);
/* One failure. */
void sum_add_failure(struct summary *s, const char *label, const char *why);
/* The rows, to be included in another summary (make test's arm64 half
 * in the whole): JSON, schema "lab-summary/1", written atomically.
 * 0, or -1 after saying why. */
int sum_save(const struct summary *s, const char *path);
/* A saved summary's rows, each label after prefix. A file that is not
 * there, not a summary or not self-consistent is one failure. */
void sum_add_saved(struct summary *s, const char *prefix, const char *path);
/* The same from "LABEL=FILE" (rows labelled "LABEL: ...") or "FILE"
 * (rows as they were saved). */
void sum_add_saved_spec(struct summary *s, const char *spec);
/* The table and the totals line; returns the totals. */
struct ktap_counts sum_print(const struct summary *s, FILE *f);
void sum_free(struct summary *s);

#endif
