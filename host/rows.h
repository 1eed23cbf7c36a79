/*
 * rows.h: benchmark rows (include/lab/lab_row.h's JSON lines) read into the
 * model, with the run's own mode and mitigations joined to each row.
 */
#ifndef LAB_ROWS_H
#define LAB_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every row has the statistics before ST_KBEST; rows written before the
 * k-best (include/lab/lab_row.h) have no ST_KBEST (row_has()). */
enum row_stat { ST_MIN, ST_P5, ST_MEDIAN, ST_P95, ST_P99, ST_MAX, ST_MEAN, ST_SD,
	    ST_CV_PPM, ST_KBEST, ST_COUNT };
#define ST_REQUIRED ST_KBEST
extern const char *const stat_names[ST_COUNT];

struct row {
	char *run;		/* the run's name: host, vm-default, icount-off, ... */
	char *mode;		/* host, tcg, kvm, icount */
	char *mitigations;	/* default, off */
	char *abi;		/* x86_64, i386, kernel */
	char *path;
	char *what;
	uint64_t tsc_khz;
	unsigned int batches, iters;
	unsigned int ops;	/* a curve row's operations per crossing
				 * (1..ROW_OPS_MAX); 0: no curve row */
	uint64_t stat[ST_COUNT];	/* milliticks (cv: parts per million) */
	bool have_kbest;	/* stat[ST_KBEST] and kbest_rank are the row's */
	uint64_t kbest_rank;	/* 1..batches; 0: no window qualified, the
				 * k-best is only the minimum */
};

/* The most operations a curve row may say one crossing carries. */
#define ROW_OPS_MAX 1048576

/* A row its program could not measure where it ran, and why. */
struct left_out {
	char *run, *abi, *path, *why;
};

struct rows {
	struct row *v;
	size_t n;
	struct left_out *left;	/* left-out rows (include/lab/lab_row.h) */
	size_t nleft;
};

/*
 * Reads JSON lines from text into rs, each row given run, mode and
 * mitigations. Returns the number of lines that are no valid row (each
 * said once in *problem, which the caller frees, as "line N: why"), 0 if
 * every line is a row. A last line without its newline is a truncated row.
 */
int rows_parse(const char *text, const char *run, const char *mode,
	       const char *mitigations, struct rows *rs, char **problem);
void rows_free(struct rows *rs);

/* The row abi/path with ops operations a crossing (0: the row that is no
 * curve row), or NULL. */
const struct row *rows_find(const struct rows *rs, const char *abi,
			    const char *path, unsigned int ops);

/* Whether row r has statistic s (the k-best only rows written since). */
bool row_has(const struct row *r, enum row_stat s);

/* A row's median in its display unit: ns for host/tcg/kvm (milliticks and
 * the TSC rate), instructions for icount. */
double row_value(const struct row *r, enum row_stat s);
const char *row_unit(const struct row *r);

/*
 * Curves (bench/bench_batch.c): cost per operation against operations per
 * crossing, one point per curve row.
 */
struct curve_point {
	unsigned int ops;
	double value;		/* per operation, in the row's display unit */
};

/* The curve rows of abi/path in rs, by ops ascending, into out (at most
 * max). Returns how many. */
size_t rows_curve(const struct rows *rs, const char *abi, const char *path,
		  struct curve_point *out, size_t max);
/* The smallest ops at which c costs less than ref at the same ops (points
 * without a partner are passed over); 0 if at none. */
unsigned int curve_first_below(const struct curve_point *c, size_t nc,
			       const struct curve_point *ref, size_t nref);
/* The smallest ops at which c costs at most factor times floor; 0 if at
 * none, or if floor is not above 0 (no floor). */
unsigned int curve_first_within(const struct curve_point *c, size_t nc,
				double floor, double factor);

#endif
