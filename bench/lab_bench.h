/*
 * lab_bench.h: the user-space benchmarks' engine (bench_user, bench_batch):
 * options, pinning, batch sizes, rows of batches timed in turns, and their
 * rows written on standard output (lab_bench.c). Each program keeps its own
 * batch functions, its rows and its own set-up and checks; the engine times
 * whatever batch functions it is given.
 *
 * A program: lab_bench_options(), its set-up, lab_bench_start(), its
 * checks, lab_bench_add() for every row, lab_bench_time() for all of them,
 * lab_bench_report() for every row to write, then lab_bench_coarse_note().
 *
 * Include it before any libc header: it includes lab_timing.h, which needs
 * _GNU_SOURCE's sched.h.
 */
#ifndef LAB_BENCH_H
#define LAB_BENCH_H

#include "lab_timing.h"

#include <stddef.h>
#include <stdint.h>

#define LAB_TARGET_US 100	/* a calibrated batch lasts about this long */
#define LAB_MIN_STEPS 2000	/* and at least this many counter steps */
#define LAB_MAX_ITERS 1000000u	/* calls (operations) a batch at most */
#define LAB_CHUNKS 20		/* each row's batches, in this many turns */
#define LAB_PROBE_CPUS 8	/* CPUs tried for the quietest */
#define LAB_PROBE_BATCHES 15	/* batches of the call loop on each */

/*
 * One batch between two reads of the counter, its length in ticks: n calls
 * of a row's body (bench_user: k is 0 and unused), or n groups of
 * N = 1 << k operations (bench_batch). The batch functions are the
 * programs' own, each in a function of its own, aligned on a cache line
 * (bench_user.c says why).
 */
typedef uint64_t (*lab_batch_fn)(unsigned int n, unsigned int k);

/*
 * Does nothing, like lab_null_function(), and compiles to a lone `ret`.
 * Its asm says it clobbers every register the ABI lets a call clobber, so
 * that the caller keeps its loop counter where it would across any call:
 * told that this one touches none (GCC's -fipa-ra), the compiler kept the
 * counter in eax, and the 32-bit loop then ran here at 3 or 4 cycles a call
 * from one run to the next.
 *
 * Static, in this header: every program that calls it has its own copy, in
 * its own unit (bench_user's function_call row: "a non-inlined function in
 * the same file"; both programs' CPU probe).
 */
__attribute__((noinline, aligned(64), unused)) static long
same_unit_function(void)
{
#if defined(__x86_64__)
	__asm__ volatile("" ::: "memory", "rax", "rcx", "rdx", "rsi", "rdi",
			 "r8", "r9", "r10", "r11");
#elif defined(__i386__)
	__asm__ volatile("" ::: "memory", "eax", "ecx", "edx");
#elif defined(__aarch64__)
	__asm__ volatile("" ::: "memory", "x0", "x1", "x2", "x3", "x4", "x5",
			 "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			 "x14", "x15", "x16", "x17");
#else
	__asm__ volatile("" ::: "memory", "r0", "r1", "r2", "r3", "r12");
#endif
	return 0;
}

/* The program, its options and the counter. */
struct lab_bench {
	/* The program's, before lab_bench_options(): */
	const char *prog;	/* its name: every line on stderr starts so */
	const char *unit;	/* what a batch counts: "calls", "operations" */
	const char *icount_batch;	/* the icount note's: "calls a batch" */
	unsigned int icount_iters;	/* iters under icount, without --iters */
	/* lab_bench_options(): */
	int host;		/* --host: no row that needs the lab kernel */
	int icount;		/* LAB_MODE=icount */
	unsigned int batches;	/* --batches (default 200), at least 10 */
	unsigned int chunks;	/* the turns each row's batches take */
	unsigned int iters;	/* --iters, icount_iters, or 0: calibrated */
	unsigned int target_us;	/* --target-us, or LAB_TARGET_US */
	/* lab_bench_start(): */
	uint64_t tsc_khz, quantum;
	uint64_t target;	/* a calibrated batch's ticks (0 with iters) */
	/* lab_bench_report(): */
	int coarse;		/* a row's figures move in coarse steps */
};

/* A row being timed. The program fills the first six; lab_bench_add() the
 * rest. */
struct lab_timed {
	const char *path, *what;	/* the row's constants (lab_row.h) */
	lab_batch_fn batch;
	lab_batch_fn empty;	/* the same loop with nothing in it, whose median
				 * batch is subtracted; NULL: the row is reported
				 * raw (it is that loop) */
	unsigned int k;		/* both get k; a batch is n << k calls
				 * (operations) */
	unsigned int ops;	/* 0: no curve row; else its "ops" (1 << k) */
	unsigned int n;		/* calls (groups of 1 << k) a batch */
	uint64_t *v;		/* the row's batches */
	uint64_t *e;		/* its empty loop's, as many calls: the overhead */
};

/* The options (and LAB_MODE): on bad ones, one line on stderr and exit(2). */
void lab_bench_options(struct lab_bench *b, int argc, char **argv);

/* Pins the process, measures the counter and, unless iters is fixed, the
 * ticks a batch should last, probing the CPUs with probe (a call loop of
 * same_unit_function(), k 0). */
void lab_bench_start(struct lab_bench *b, lab_batch_fn probe);

/* Sizes a row's batches (iters, or calibrated) and allocates its samples:
 * 0, or -1 after one line on stderr. */
int lab_bench_add(const struct lab_bench *b, struct lab_timed *t);

/* Times the rows' batches, the rows in turns. */
void lab_bench_time(const struct lab_bench *b, struct lab_timed *t,
		    size_t nt);

/* Writes a timed row's line on stdout: 0, or -1 after one line on stderr. */
int lab_bench_report(struct lab_bench *b, struct lab_timed *t);

/* A row this program cannot time where it runs: a left-out row on stdout
 * (lab_row.h) and the same on stderr. 0, or -1 after one line on stderr. */
int lab_bench_left_out(const struct lab_bench *b, const char *path,
		       const char *why);

/* After the rows: one line on stderr if some row's figures were coarse. */
void lab_bench_coarse_note(const struct lab_bench *b);

#endif /* LAB_BENCH_H */
