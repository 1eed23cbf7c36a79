/*
 * report_model.h: the report's model, pure functions over structs: from
 * loaded runs (run.h) to the report's tables. Runs whose names differ only
 * after a '.' (host.1 ... host.7) are one series; each series has a column,
 * each abi/path that is no curve row a line (rep_layout). A cell is the
 * median of the series' runs' figures (their medians, or their k-bests)
 * with the spread (max - min) / median across them.
 *
 * Curve rows (ops > 0) have their own model (rep_curves: the approaches
 * in a fixed order, every N), and each approach of a series is held
 * against its N separate calls and its floor (rep_crossing).
 *
 * Nothing here writes: the writers (report_write.c) read these.
 */
#ifndef LAB_REPORT_MODEL_H
#define LAB_REPORT_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "rows.h"

struct rep_series {
	char *name;
	const char *mode, *unit;
	size_t *runs, nruns;
};

struct rep_pathkey {
	const char *abi, *path, *what;
};

struct rep_layout {
	struct rep_series *s;
	size_t ns;
	struct rep_pathkey *p;
	size_t np;
};

struct rep_cell {
	bool have;
	double value, spread_pct;	/* spread: NAN for one run */
	size_t nruns;
	size_t nfallback;	/* ST_KBEST: runs whose k-best had no window */
};

/* N separate calls: what every batch is held against */
#define REP_CURVE_CALLS "batch_calls"

struct rep_curve_key {
	const char *abi, *path;
	char *label;
};

struct rep_curves {
	struct rep_curve_key *k;
	size_t nk;
	unsigned int *ops;	/* every N of any curve row, ascending */
	size_t nops;
};

/* One approach of one series, held against its calls and its floor. */
struct rep_crossing {
	size_t n, ncalls;
	struct curve_point *pts, *calls;
	unsigned int below;	/* first N that beats N calls, or 0 */
	unsigned int within;	/* first N within FLOOR_FACTOR of the floor, or 0 */
	double floor;		/* 0: none */
	/* without calls: getppid() a call (0: none), and the first N below it */
	double scale;
	unsigned int below_scale;
};

/* "host" of "host.3": the series a run belongs to (malloc'd). */
char *rep_series_of(const char *run);
/* The series (runs with rows; runs named alike but of another mode are a
 * series of their own, "NAME-MODE") and the main table's paths, in the
 * runs' order. */
void rep_layout_build(const struct report *r, struct rep_layout *l);
void rep_layout_free(struct rep_layout *l);

/* Statistic st of abi/path (ops a crossing, 0: no curve row) over the
 * series' runs: the median of the runs' figures and their spread. */
struct rep_cell rep_cell_stat(const struct report *r, const struct rep_series *s,
			      const char *abi, const char *path, unsigned int ops,
			      enum row_stat st);
/* The median of the runs' medians: every table's figure. */
struct rep_cell rep_cell_ops(const struct report *r, const struct rep_series *s,
			     const char *abi, const char *path, unsigned int ops);
/* A row that is no curve row: the main table's cells. */
struct rep_cell rep_cell_of(const struct report *r, const struct rep_series *s,
			    const char *abi, const char *path);
/* The same series' function call for this ABI: the ratio's base. */
struct rep_cell rep_base_of(const struct report *r, const struct rep_series *s,
			    const char *abi);
/* Whether a series' cells show the k-best beside the median. */
bool rep_series_kbest(const struct report *r, const struct rep_series *s);
/* What the runs left out, one line each, deduplicated: a JSON array. */
json_t *rep_left_out_lines(const struct report *r);

/* The system call held against for scale where there are no lab_null()s. */
const char *rep_scale_path(const char *abi);
void rep_curves_build(const struct report *r, struct rep_curves *c);
void rep_curves_free(struct rep_curves *c);
/* Series s's points of abi/path (median of its runs' medians at each N)
 * into out (c->nops of room). Returns how many. */
size_t rep_series_curve(const struct report *r, const struct rep_series *s,
			const struct rep_curves *c, const char *abi,
			const char *path, struct curve_point *out);
bool rep_series_has_curves(const struct report *r, const struct rep_series *s);
/* The series' floor (kernel_direct), or 0 when it has none. */
double rep_series_floor(const struct report *r, const struct rep_series *s);
void rep_crossing_of(const struct report *r, const struct rep_series *s,
		     const struct rep_curves *c, const struct rep_curve_key *k,
		     struct rep_crossing *x);
void rep_crossing_free(struct rep_crossing *x);
/* The value at ops, or NAN. */
double rep_point_at(const struct curve_point *p, size_t n, unsigned int ops);

#endif
