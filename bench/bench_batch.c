/*
 * bench_batch: what one operation costs against how many operations one
 * crossing into the kernel carries.
 *
 *   bench_batch [--host] [--batches N] [--iters K | --target-us T]
 *
 * For N = 1, 2, 4, ... LAB_BATCH_MAX (1024), per operation:
 *
 *   batch_calls         N separate lab_null() calls, one crossing each
 *                       (x86_64: the syscall instruction; i386: the vDSO;
 *                       arm64 and arm: the svc instruction)
 *   batch_lab_batch     one lab_batch() of N LAB_BATCH_NULL records (the
 *                       same way in as the separate calls)
 *   batch_uring         N io_uring NOPs, one io_uring_enter() for all N
 *                       (submit and wait for N), on a ring of N entries
 *   batch_uring_single  N io_uring NOPs on the same ring, one
 *                       io_uring_enter() each; the N completions reaped
 *                       after the N-th (queue depth N)
 *
 * The floor, the call's body without any crossing, is the module's row
 * kernel_direct (module/kernel_bench.c). io_uring only in the 64-bit
 * build (LAB_HAVE_URING: liburing is 64-bit only here); bench_batch32 has
 * the first two. Each is a curve row (include/lab/lab_row.h): "ops":N, figures
 * in milliticks per operation, iters the operations a batch.
 *
 * Standard output carries those rows and nothing else; anything meant for
 * a person goes to standard error, one line each. Exit status: 0; 1 when
 * something failed; 2 for bad options. --host: on the host's own kernel,
 * which has no lab syscalls (it may kill a process that makes an unknown
 * one): io_uring's rows only. io_uring is probed at run time: when
 * io_uring_queue_init() fails (a kernel without it, a sandbox that
 * refuses it), one line says so and there are no io_uring rows.
 *
 * The timing engine is lab_bench.c's, shared with bench_user (lab_bench.c
 * says why each part is so): `batches` batches (default 200) per row, timed
 * with the TSC; the rows take turns, a twentieth of their batches at a
 * time; each batch is G groups of N operations. From each batch is
 * subtracted the median batch of the same loops with nothing in them: G
 * groups of an inner loop of N for the separate calls and the separate
 * io_uring_enter()s (the loop that repeats the crossing), G iterations for
 * lab_batch and the batched io_uring (one crossing a group). Filling the
 * SQEs and reaping the CQEs are io_uring's own cost and stay in;
 * lab_batch's records are filled once, before the timing (the kernel writes
 * only their results).
 *
 * Groups a batch: under LAB_MODE=icount (two boots must give identical
 * medians) and with --iters K, fixed: the fewest that make K operations or
 * more (K: LAB_ICOUNT_OPS by default), so a batch covers max(N, K)
 * operations. Otherwise calibrated per row, as bench_user's rows are: a
 * batch lasts about T microseconds (--target-us, default LAB_TARGET_US).
 */
#define _GNU_SOURCE
#include "lab_bench.h" /* first: lab_timing.h needs _GNU_SOURCE's sched.h */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab_syscall.h"

#ifdef LAB_HAVE_URING
#include <liburing.h>
#endif

#define LAB_ICOUNT_OPS 64	/* operations a batch at least, when fixed */
#define LAB_SIZES 11		/* N = 1 << k, k = 0 .. 10 */

#if (1 << (LAB_SIZES - 1)) != LAB_BATCH_MAX
#error "the largest N is lab_batch()'s most records"
#endif

/*
 * One batch: `groups` groups of N = 1 << k operations between two reads of
 * the counter (lab_bench.h's lab_batch_fn). Each in a function of its own,
 * aligned on a cache line (see bench_user.c).
 */
static struct lab_batch_rec *recs;	/* LAB_BATCH_MAX LAB_BATCH_NULL records */

#if defined(__i386__)
/* The vDSO's __kernel_vsyscall: sysenter (bench_user's lab_null_vdso32). */
#define NULL_CALL() lab_vdso_lab_null()
#define BATCH_CALL(n) lab_vdso_lab_batch(recs, (n), 0)
#elif defined(__aarch64__) || defined(__arm__)
#define NULL_CALL() lab_svc_lab_null()
#define BATCH_CALL(n) lab_svc_lab_batch(recs, (n), 0)
#else
#define NULL_CALL() lab_syscall_lab_null()
#define BATCH_CALL(n) lab_syscall_lab_batch(recs, (n), 0)
#endif

/* A loop of `groups` crossings, each carrying N operations. */
#define BATCH_FLAT(fn, body)                                                   \
	__attribute__((noinline, aligned(64))) static uint64_t fn(             \
		unsigned int groups, unsigned int k)                           \
	{                                                                      \
		unsigned int n = 1u << k;                                      \
		uint64_t t0 = lab_tsc();                                       \
		(void)n;                                                       \
		for (unsigned int i = 0; i < groups; i++) {                    \
			body;                                                  \
			__asm__ volatile("" ::: "memory");                     \
		}                                                              \
		return lab_tsc() - t0;                                         \
	}

/* `groups` groups of N crossings, one operation each. */
#define BATCH_NEST(fn, body)                                                   \
	__attribute__((noinline, aligned(64))) static uint64_t fn(             \
		unsigned int groups, unsigned int k)                           \
	{                                                                      \
		unsigned int n = 1u << k;                                      \
		uint64_t t0 = lab_tsc();                                       \
		for (unsigned int i = 0; i < groups; i++) {                    \
			for (unsigned int j = 0; j < n; j++) {                 \
				body;                                          \
				__asm__ volatile("" ::: "memory");             \
			}                                                      \
			__asm__ volatile("" ::: "memory");                     \
		}                                                              \
		return lab_tsc() - t0;                                         \
	}

BATCH_FLAT(empty_flat, (void)0)
/* The CPU probe's; same_unit_function() is lab_bench.h's. */
BATCH_FLAT(batch_function_call, same_unit_function())
BATCH_NEST(empty_nest, (void)0)
BATCH_NEST(batch_calls, NULL_CALL())
BATCH_FLAT(batch_lab_batch, BATCH_CALL(n))

#ifdef LAB_HAVE_URING
static struct io_uring rings[LAB_SIZES];	/* N = 1 << k entries each */
static int uring_bad;		/* an SQE missing, a CQE not 0, one too few */

/* Takes every completion there is: uring_bad unless each said 0 and
 * there were n. */
static inline void reap(struct io_uring *ring, unsigned int n)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		uring_bad |= cqe->res;
		seen++;
	}
	io_uring_cq_advance(ring, seen);
	uring_bad |= seen != n;
}

static inline void queue_nop(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (sqe)
		io_uring_prep_nop(sqe);
	else
		uring_bad = 1;
}

/* N NOPs, then one io_uring_enter() that submits them and waits for N. */
static inline void uring_group(unsigned int k)
{
	struct io_uring *ring = &rings[k];
	unsigned int n = 1u << k;

	for (unsigned int j = 0; j < n; j++)
		queue_nop(ring);
	if (io_uring_submit_and_wait(ring, n) != (int)n)
		uring_bad = 1;
	reap(ring, n);
}

/* One NOP, submitted with an io_uring_enter() of its own. */
static inline void uring_one(unsigned int k)
{
	queue_nop(&rings[k]);
	if (io_uring_submit(&rings[k]) != 1)
		uring_bad = 1;
}

BATCH_FLAT(batch_uring, uring_group(k))

/* As BATCH_NEST, and after each group of N its N completions. */
__attribute__((noinline, aligned(64))) static uint64_t
batch_uring_single(unsigned int groups, unsigned int k)
{
	unsigned int n = 1u << k;
	uint64_t t0 = lab_tsc();

	for (unsigned int i = 0; i < groups; i++) {
		for (unsigned int j = 0; j < n; j++) {
			uring_one(k);
			__asm__ volatile("" ::: "memory");
		}
		reap(&rings[k], n);
		__asm__ volatile("" ::: "memory");
	}
	return lab_tsc() - t0;
}
#endif

static char uring_why[128];	/* why there are no io_uring rows */

struct approach {
	const char *path;
	const char *what;
	lab_batch_fn batch, empty;
	int lab;	/* needs the lab kernel: not with --host */
	int uring;	/* needs io_uring */
};

static const struct approach approaches[] = {
#if defined(__x86_64__)
	{ "batch_calls",
	  "N separate lab_null() calls with the syscall instruction, per call",
	  batch_calls, empty_nest, 1, 0 },
	{ "batch_lab_batch",
	  "one lab_batch() of N LAB_BATCH_NULL records (syscall instruction), per record",
	  batch_lab_batch, empty_flat, 1, 0 },
#elif defined(__aarch64__) || defined(__arm__)
	{ "batch_calls",
	  "N separate lab_null() calls with the svc instruction, per call",
	  batch_calls, empty_nest, 1, 0 },
	{ "batch_lab_batch",
	  "one lab_batch() of N LAB_BATCH_NULL records (svc instruction), per record",
	  batch_lab_batch, empty_flat, 1, 0 },
#else
	{ "batch_calls",
	  "N separate lab_null() calls through the vDSO, per call",
	  batch_calls, empty_nest, 1, 0 },
	{ "batch_lab_batch",
	  "one lab_batch() of N LAB_BATCH_NULL records (through the vDSO), per record",
	  batch_lab_batch, empty_flat, 1, 0 },
#endif
#ifdef LAB_HAVE_URING
	{ "batch_uring",
	  "N io_uring NOPs, one io_uring_enter() submitting and waiting for all N (ring of N), per NOP",
	  batch_uring, empty_flat, 0, 1 },
	{ "batch_uring_single",
	  "N io_uring NOPs, one io_uring_enter() each, reaped after the N-th (ring of N), per NOP",
	  batch_uring_single, empty_nest, 0, 1 },
#endif
};
#define NAPPROACHES (sizeof(approaches) / sizeof(approaches[0]))

/* Every record of a lab_batch() of N: processed, and its answer 0. */
static int check_lab_batch(unsigned int n)
{
	long ret;

	for (unsigned int i = 0; i < n; i++)
		recs[i].result = -1;
	ret = BATCH_CALL(n);
	if (ret != (long)n) {
		fprintf(stderr, "bench_batch: lab_batch() of %u records returned %ld, not %u\n",
			n, ret, n);
		return -1;
	}
	for (unsigned int i = 0; i < n; i++)
		if (recs[i].result != 0) {
			fprintf(stderr, "bench_batch: lab_batch() of %u: record %u says %lld, not 0\n",
				n, i, (long long)recs[i].result);
			return -1;
		}
	return 0;
}

#ifdef LAB_HAVE_URING
/* A ring of N entries for every N; 0, or -1 with uring_why said. */
static int uring_setup(void)
{
	for (unsigned int k = 0; k < LAB_SIZES; k++) {
		int ret = io_uring_queue_init(1u << k, &rings[k], 0);

		if (ret < 0) {
			snprintf(uring_why, sizeof(uring_why), "io_uring_queue_init(%u) failed (%s)",
				 1u << k, strerror(-ret));
			while (k--)
				io_uring_queue_exit(&rings[k]);
			return -1;
		}
	}
	/* Each way once: every NOP answers 0. */
	for (unsigned int k = 0; k < LAB_SIZES; k++) {
		batch_uring(1, k);
		batch_uring_single(1, k);
	}
	if (uring_bad) {
		snprintf(uring_why, sizeof(uring_why), "an io_uring NOP did not complete with 0");
		for (unsigned int k = 0; k < LAB_SIZES; k++)
			io_uring_queue_exit(&rings[k]);
		return -1;
	}
	return 0;
}
#endif

/* Without io_uring, a left-out row for each of its approaches. 0, or -1. */
static int uring_left_out(const struct lab_bench *b, int have_uring)
{
	for (size_t a = 0; a < NAPPROACHES && !have_uring; a++)
		if (approaches[a].uring &&
		    lab_bench_left_out(b, approaches[a].path, uring_why))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct lab_bench b = { .prog = "bench_batch", .unit = "operations",
			       .icount_batch = "operations a batch at least",
			       .icount_iters = LAB_ICOUNT_OPS };
	struct lab_timed timed[NAPPROACHES * LAB_SIZES];
	const struct approach *of[NAPPROACHES * LAB_SIZES];	/* timed[i]'s */
	size_t nt = 0;
	int have_uring = 0;

	lab_bench_options(&b, argc, argv);
#ifndef LAB_HAVE_URING
	if (b.host) {
		/* Nothing here runs without the lab kernel. */
		fprintf(stderr, "bench_batch: --host: no rows (no lab system calls on the host, no io_uring in this build)\n");
		return 0;
	}
#endif
#if defined(__i386__)
	if (!lab_vdso_entry()) {
		fprintf(stderr, "bench_batch: no vDSO (AT_SYSINFO): no way in by sysenter\n");
		return 1;
	}
#endif
	recs = mmap(NULL, LAB_BATCH_MAX * sizeof(*recs), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (recs == MAP_FAILED) {
		fprintf(stderr, "bench_batch: out of memory\n");
		return 1;
	}
	for (unsigned int i = 0; i < LAB_BATCH_MAX; i++)
		recs[i] = (struct lab_batch_rec){ .op = LAB_BATCH_NULL };
	lab_bench_start(&b, batch_function_call);

	if (!b.host) {
		if (NULL_CALL() != 0) {
			fprintf(stderr, "bench_batch: lab_null() failed: not the lab kernel?\n");
			return 1;
		}
		for (unsigned int k = 0; k < LAB_SIZES; k++)
			if (check_lab_batch(1u << k))
				return 1;
	}
#ifdef LAB_HAVE_URING
	have_uring = uring_setup() == 0;
#endif

	/* Row by row, N by N: the rows' order in the output. */
	for (size_t a = 0; a < NAPPROACHES; a++) {
		if ((b.host && approaches[a].lab) ||
		    (approaches[a].uring && !have_uring))
			continue;
		for (unsigned int k = 0; k < LAB_SIZES; k++) {
			of[nt] = &approaches[a];
			timed[nt] = (struct lab_timed){
				.path = approaches[a].path,
				.what = approaches[a].what,
				.batch = approaches[a].batch,
				.empty = approaches[a].empty,
				.k = k, .ops = 1u << k,
			};
			if (lab_bench_add(&b, &timed[nt]))
				return 1;
			nt++;
		}
	}
	if (!nt)	/* --host without io_uring */
		return uring_left_out(&b, have_uring) ? 1 : 0;
	lab_bench_time(&b, timed, nt);
#ifdef LAB_HAVE_URING
	if (uring_bad) {
		snprintf(uring_why, sizeof(uring_why), "an io_uring NOP went missing or failed while timed");
		have_uring = 0;
	}
#endif
	if (!b.host)
		for (unsigned int k = 0; k < LAB_SIZES; k++)
			if (check_lab_batch(1u << k))
				return 1;
	for (size_t i = 0; i < nt; i++) {
		if (of[i]->uring && !have_uring)
			continue;
		if (lab_bench_report(&b, &timed[i]))
			return 1;
	}
	if (uring_left_out(&b, have_uring))
		return 1;
	lab_bench_coarse_note(&b);
	return 0;
}
