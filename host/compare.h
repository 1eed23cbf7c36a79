/*
 * compare.h: x86_64 beside arm64. The same operation has a row of its own
 * name on each architecture (lab_null through `syscall` is
 * x86_64/lab_null_syscall, through `svc` arm64/lab_null_svc); the pairs
 * are one table here, and each side's figure is its icount median, in
 * guest instructions, with the kernel's default mitigations and with
 * mitigations=off. A pair one architecture has no way to do says so
 * (`none`) rather than showing a blank.
 */
#ifndef LAB_COMPARE_H
#define LAB_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#include "rows.h"

/* Where a side's figure comes from. */
enum side { SIDE_X86, SIDE_ARM64, SIDE_COUNT };
/* Which boot: the kernel's default mitigations, or mitigations=off. */
enum mit { MIT_DEFAULT, MIT_OFF, MIT_COUNT };

struct compare_pair {
	const char *what;
	/* abi/path per side; path NULL: that architecture has no such way,
	 * and why (in why[side]) */
	const char *abi[SIDE_COUNT], *path[SIDE_COUNT], *why[SIDE_COUNT];
};

extern const struct compare_pair compare_pairs[];
extern const size_t compare_npairs;

/* A cell: the median in instructions, or below 0 when there is none:
 * CELL_NONE (the architecture has no such way) or CELL_MISSING (it has,
 * and the run has no row: a failure). */
#define CELL_NONE (-1.0)
#define CELL_MISSING (-2.0)

#define COMPARE_MAX 128

struct compare {
	double cell[SIDE_COUNT][MIT_COUNT][COMPARE_MAX];
	size_t missing;		/* cells that should be there and are not */
};

/* Fills c from each side's icount rows (rows[side][mit]: NULL is a run
 * that is not there, every cell of it missing). */
void compare_build(struct compare *c, const struct rows *rows[SIDE_COUNT][MIT_COUNT]);

/* The table as text (terminal), Markdown and JSON. */
void compare_print(FILE *f, const struct compare *c);
void compare_markdown(FILE *f, const struct compare *c, const char *x86_cpu,
		      const char *arm64_cpu);
json_t *compare_json(const struct compare *c);

#endif
