/*
 * kcompare.h: one architecture's paths on two kernel versions, side by
 * side (lab compare-kernels). Each side is what `lab trace --mitigations
 * default` wrote for one version (host/trace.c):
 *
 *   DIR/default/<path>.staged  the traced lab_null paths (x86_64: syscall,
 *                              int80, vdso32; arm64: svc, svc32)
 *   DIR/default/icount/        the icount boot of plan bench-quick
 *   DIR/check.tap              lab trace's own checks (traced against icount)
 *
 * The model: per icount row, each side's median (guest instructions); per
 * traced path, each side's total, per stage, and per function within each
 * stage, with the functions one side's listing of the path lacks flagged,
 * and how many instructions of each kind (mitigation.h) each side ran.
 * Both sides must be icount runs of the same architecture, the same guest
 * CPU, machine and kernel command line, with the default mitigations:
 * otherwise, and when a path, a row or a file is missing or damaged,
 * kc_build() fails with one line, never a shorter table. Reading the files
 * named is its only I/O; the writers are in kcompare_write.c.
 */
#ifndef LAB_KCOMPARE_H
#define LAB_KCOMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "mitigation.h"

/* The older version (first operand) and the newer. */
enum kc_side { KC_OLD, KC_NEW, KC_SIDES };

/* One icount row on both sides (matched by ABI, path and ops). */
struct kc_row {
	char *abi, *path;
	unsigned int ops;		/* a curve row's operations per crossing, or 0 */
	double v[KC_SIDES];		/* the median, instructions (per operation) */
	char *left_out[KC_SIDES];	/* that side left the row out: why (v is -1) */
};

struct kc_stage {
	char *name;
	size_t n[KC_SIDES];
};

/* One function within one stage of a path. */
struct kc_func {
	char *name;
	size_t stage;			/* index into the path's stages */
	size_t n[KC_SIDES];
	bool absent[KC_SIDES];		/* nowhere in that side's listing of the path */
	size_t changed[KC_SIDES];	/* of n, the instructions the other side lacks */
};

/*
 * An instruction one side's listing has and the other's lacks, by
 * mitigation.h's difference (the longest common subsequence) of the two
 * listings with each instruction known by its function and its text with
 * what differs between two builds of the same code left out: a branch's
 * target is its symbol alone (no address, no offset), a RIP-relative
 * operand has no displacement, an immediate is $? (a switch comparing the
 * number with other cases' numbers is the same code), any other address
 * 0x?. (The two kernels' addresses differ throughout; mit_diff() on the
 * raw listings would match nothing.)
 */
struct kc_change {
	enum kc_side side;		/* KC_OLD: only the old has it; KC_NEW: only the new */
	char *sym, *text, *stage;
	enum mit_class kind;
};

struct kc_path {
	char *name;			/* the listing's name: syscall, int80, svc, ... */
	size_t total[KC_SIDES];
	struct kc_stage *stages;	/* in the order the paths run them */
	size_t nstages;
	struct kc_func *funcs;		/* by stage, then in the order they ran */
	size_t nfuncs;
	size_t kinds[KC_SIDES][MC_COUNT];
	struct kc_change *changes;	/* the old's first, then the new's, each in order */
	size_t nchanges;
	size_t changed_kinds[KC_SIDES][MC_COUNT];
};

struct kcompare {
	char *arch;
	char *release[KC_SIDES];	/* the guest kernel's, as it said (facts) */
	char *cpu;			/* QEMU's -cpu, the same on both sides */
	char *guest_cpu;		/* the old side's guest's name for it */
	char *cmdline;			/* the icount boots' kernel command line */
	struct kc_row *rows;
	size_t nrows;
	struct kc_path *paths;
	size_t npaths;
	char **vuln;			/* "file: old -> new", files whose text differs */
	size_t nvuln;
	/* lab trace's checks on each side (check.tap): how many, and the
	 * names of those that failed (a failed check is said, not fatal) */
	unsigned int nchecks[KC_SIDES];
	char **failed[KC_SIDES];
	size_t nfailed[KC_SIDES];
};

/*
 * Reads both trace directories (each `lab trace`'s --out) into k. Returns
 * 0, or -1 with one line in *err (malloc'd) and nothing in k to free.
 */
int kc_build(struct kcompare *k, const char *old_dir, const char *new_dir, char **err);
void kc_free(struct kcompare *k);

/* A function's difference, new minus old. */
long kc_func_diff(const struct kc_func *f);

/* The writers (kcompare_write.c): the terminal's table, Markdown (chart:
 * the chart's file name, or NULL for none), JSON, and the chart's data
 * (trace/stages.gp's: stages across, one line per path and version). */
void kc_print(FILE *f, const struct kcompare *k);
void kc_markdown(FILE *f, const struct kcompare *k, const char *chart);
json_t *kc_json(const struct kcompare *k);
void kc_chart_data(FILE *f, const struct kcompare *k);
/* A path's instruction-level difference, as lab mitigations writes its
 * <switch>.diff: "-" only in the old, "+" only in the new. */
void kc_diff_text(FILE *f, const struct kcompare *k, const struct kc_path *p);

#endif
