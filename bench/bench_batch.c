/*
 * bench_batch: what one operation costs against how many operations one
 * crossing into the kernel carries.
 *
 *   bench_batch [--host] [--batches N] [--iters K | --target-us T]
 *
 * For N = 1, 2, 4, ... LAB_BATCH_MAX (1024), per operation:
 *
 *   batch_calls         N separate lab_null() calls, one crossing each
 *                       (x86_64: the syscall instruction; i386: the vDSO)
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
 * the first two. Each is a curve row (bench/lab_row.h): "ops":N, figures
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
 * The timing engine is bench_user's (bench_user.c says why each part is
 * so): `batches` batches (default 200) per row, timed with the TSC; the
 * rows take turns, a twentieth of their batches at a time; each batch is
 * G groups of N operations. From each batch is subtracted the median batch
 * of the same loops with nothing in them: G groups of an inner loop of N
 * for the separate calls and the separate io_uring_enter()s (the loop that
 * repeats the crossing), G iterations for lab_batch and the batched
 * io_uring (one crossing a group). Filling the SQEs and reaping the CQEs
 * are io_uring's own cost and stay in; lab_batch's records are filled once,
 * before the timing (the kernel writes only their results).
 *
 * Groups a batch: under LAB_MODE=icount (two boots must give identical
 * medians) and with --iters K, fixed: the fewest that make K operations or
 * more (K: LAB_ICOUNT_OPS by default), so a batch covers max(N, K)
 * operations. Otherwise calibrated per row, as bench_user does: a batch
 * lasts about T microseconds (--target-us, default LAB_TARGET_US).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab_timing.h" /* first: it needs _GNU_SOURCE's sched.h */
#include "lab_row.h"
#include "lab_stats.h"
#include "lab_syscall.h"

#ifdef LAB_HAVE_URING
#include <liburing.h>
#endif

#define LAB_TARGET_US 100	/* a calibrated batch lasts about this long */
#define LAB_MIN_STEPS 2000	/* and at least this many counter steps */
#define LAB_ICOUNT_OPS 64	/* operations a batch at least, when fixed */
#define LAB_MAX_OPS 1000000u	/* operations a batch at most */
#define LAB_CHUNKS 20		/* each row's batches, in this many turns */
#define LAB_PROBE_CPUS 8	/* CPUs tried for the quietest */
#define LAB_PROBE_BATCHES 15	/* batches of the call loop on each */
#define LAB_SIZES 11		/* N = 1 << k, k = 0 .. 10 */

#if (1 << (LAB_SIZES - 1)) != LAB_BATCH_MAX
#error "the largest N is lab_batch()'s most records"
#endif

/*
 * One batch: `groups` groups of N = 1 << k operations between two reads of
 * the counter. Each in a function of its own, aligned on a cache line (see
 * bench_user.c).
 */
typedef uint64_t (*batch_fn)(unsigned int groups, unsigned int k);

static struct lab_batch_rec *recs;	/* LAB_BATCH_MAX LAB_BATCH_NULL records */

#if defined(__i386__)
/* The vDSO's __kernel_vsyscall: sysenter (bench_user's lab_null_vdso32). */
#define NULL_CALL() lab_vdso_lab_null()
#define BATCH_CALL(n) lab_vdso_lab_batch(recs, (n), 0)
#else
#define NULL_CALL() lab_syscall_lab_null()
#define BATCH_CALL(n) lab_syscall_lab_batch(recs, (n), 0)
#endif

/* Does nothing; only the CPU probe uses it (bench_user.c says why it says
 * it clobbers what it does not). */
__attribute__((noinline, aligned(64))) static long same_unit_function(void)
{
#if defined(__x86_64__)
	__asm__ volatile("" ::: "memory", "rax", "rcx", "rdx", "rsi", "rdi",
			 "r8", "r9", "r10", "r11");
#else
	__asm__ volatile("" ::: "memory", "eax", "ecx", "edx");
#endif
	return 0;
}

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
BATCH_FLAT(batch_function_call, same_unit_function())	/* the CPU probe's */
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

struct approach {
	const char *path;
	const char *what;
	batch_fn batch, empty;
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

/* A row being timed: one approach at one N. */
struct timed {
	const struct approach *a;
	unsigned int k;		/* N = 1 << k */
	unsigned int groups;	/* groups of N a batch */
	uint64_t *v;		/* the row's batches */
	uint64_t *e;		/* its empty loops': the overhead */
};

static unsigned int batches = 200, chunks = LAB_CHUNKS;
static uint64_t tsc_khz, quantum;

/* The groups for which one batch of fn lasts about target ticks: as
 * bench_user's calibrate(), with groups in place of calls. */
static unsigned int calibrate(batch_fn fn, unsigned int k, uint64_t target)
{
	uint64_t g = 1, t, p = 1, most = LAB_MAX_OPS >> k;

	if (most == 0)
		most = 1;
	for (;;) {
		t = UINT64_MAX;
		for (int i = 0; i < 3; i++) {
			uint64_t d = fn((unsigned int)g, k);

			if (d < t)
				t = d;
		}
		if (g >= most)
			break;
		if (t < target / 4) {
			g *= 4;
			continue;
		}
		g = t ? g * target / t : g;
		break;
	}
	if (g > most)
		g = most;
	while (g / p >= 100)
		p *= 10;
	g = g / p * p;
	return g ? (unsigned int)g : 1;
}

/* Pins the process: bench_user.c's pin_cpu(). */
static int pin_cpu(int probe, unsigned int n)
{
	uint64_t best_t = UINT64_MAX, v[LAB_PROBE_BATCHES];
	int best = -1, tried = 0;
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE && tried < LAB_PROBE_CPUS; cpu++) {
		if (!CPU_ISSET(cpu, &allowed) || lab_pin_to_cpu(cpu))
			continue;
		tried++;
		if (!probe)
			return cpu;
		for (int i = 0; i < 3; i++)
			batch_function_call(n, 0);
		for (int i = 0; i < LAB_PROBE_BATCHES; i++)
			v[i] = batch_function_call(n, 0);
		lab_sort(v, LAB_PROBE_BATCHES);
		if (v[LAB_PROBE_BATCHES / 2] < best_t) {
			best_t = v[LAB_PROBE_BATCHES / 2];
			best = cpu;
		}
	}
	if (best < 0 || lab_pin_to_cpu(best))
		return -1;
	return best;
}

static void time_batches(batch_fn fn, unsigned int groups, unsigned int k,
			 unsigned int warm, uint64_t *v, unsigned int from,
			 unsigned int to)
{
	while (warm--)
		fn(groups, k);
	for (unsigned int b = from; b < to; b++)
		v[b] = fn(groups, k);
}

/* The rows in turn, a chunk of batches at a time: bench_user's time_rows(). */
static void time_rows(struct timed *t, size_t nt)
{
	for (unsigned int c = 0; c < chunks; c++) {
		unsigned int from = (unsigned int)((uint64_t)batches * c / chunks);
		unsigned int to = (unsigned int)((uint64_t)batches * (c + 1) / chunks);
		unsigned int warm = (to - from + 9) / 10;

		for (size_t i = 0; i < nt; i++) {
			time_batches(t[i].a->empty, t[i].groups, t[i].k, warm,
				     t[i].e, from, to);
			time_batches(t[i].a->batch, t[i].groups, t[i].k, warm,
				     t[i].v, from, to);
		}
	}
}

/* Writes a timed row's line on stdout; *coarse as in bench_user.c. */
static int report(const struct timed *t, int *coarse)
{
	unsigned int ops = t->groups << t->k;
	struct lab_stats s = { 0 };
	char line[LAB_ROW_MAX];
	uint64_t overhead;
	int len;

	lab_stats_compute(t->e, batches, &s);
	overhead = s.median;
	for (unsigned int i = 0; i < batches; i++)
		t->v[i] = lab_per_call_milli(t->v[i], overhead, ops);
	lab_stats_compute(t->v, batches, &s);
	if (quantum * 1000 * 100 / ops > s.median)
		*coarse = 1;
	len = lab_row_format_ops(line, sizeof(line), LAB_ABI, t->a->path,
				 t->a->what, tsc_khz, batches, ops,
				 1u << t->k, &s);
	if (len < 0) {
		fprintf(stderr, "bench_batch: row %s, N=%u does not format\n",
			t->a->path, 1u << t->k);
		return -1;
	}
	if (fwrite(line, 1, (size_t)len, stdout) != (size_t)len ||
	    fflush(stdout)) {
		fprintf(stderr, "bench_batch: writing row %s: %s\n",
			t->a->path, strerror(errno));
		return -1;
	}
	return 0;
}

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
/* A ring of N entries for every N; 0, or -1 after one line on stderr. */
static int uring_setup(void)
{
	for (unsigned int k = 0; k < LAB_SIZES; k++) {
		int ret = io_uring_queue_init(1u << k, &rings[k], 0);

		if (ret < 0) {
			fprintf(stderr, "bench_batch: io_uring_queue_init(%u) failed (%s): no io_uring rows\n",
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
		fprintf(stderr, "bench_batch: an io_uring NOP did not complete with 0: no io_uring rows\n");
		for (unsigned int k = 0; k < LAB_SIZES; k++)
			io_uring_queue_exit(&rings[k]);
		return -1;
	}
	return 0;
}
#endif

static const char usage[] =
	"usage: bench_batch [--host] [--batches N] [--iters K | --target-us T]\n";

static unsigned int parse_uint(const char *opt, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || *s < '0' || *s > '9' || v == 0 || v > 1000000) {
		fprintf(stderr, "bench_batch: %s wants a whole number from 1 to 1000000, not '%s'\n",
			opt, s);
		exit(2);
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	unsigned int iters = 0, target_us = 0;
	uint64_t target = 0;
	const char *mode = getenv("LAB_MODE");
	int icount = mode && strcmp(mode, "icount") == 0;
	struct timed timed[NAPPROACHES * LAB_SIZES];
	size_t nt = 0;
	int host = 0, coarse = 0, have_uring = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0)
			host = 1;
		else if (strcmp(argv[i], "--batches") == 0 && i + 1 < argc)
			batches = parse_uint("--batches", argv[++i]);
		else if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc)
			iters = parse_uint("--iters", argv[++i]);
		else if (strcmp(argv[i], "--target-us") == 0 && i + 1 < argc)
			target_us = parse_uint("--target-us", argv[++i]);
		else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (iters && target_us) {
		fprintf(stderr, "bench_batch: --iters and --target-us exclude each other\n");
		return 2;
	}
	if (icount) {
		if (target_us)
			fprintf(stderr, "bench_batch: LAB_MODE=icount: --target-us ignored, %u operations a batch at least\n",
				iters ? iters : LAB_ICOUNT_OPS);
		if (!iters)
			iters = LAB_ICOUNT_OPS;
	}
	if (!target_us)
		target_us = LAB_TARGET_US;
	if (batches < 10)
		batches = 10;
	if (chunks > batches / 10)
		chunks = batches / 10;

#ifndef LAB_HAVE_URING
	if (host) {
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

	if (pin_cpu(0, 0) < 0)
		fprintf(stderr, "bench_batch: not pinned to a CPU: %s\n",
			strerror(errno));
	tsc_khz = lab_tsc_khz(100);	/* and the warm-up */
	quantum = lab_tsc_quantum();
	if (!iters) {
		target = (uint64_t)target_us * tsc_khz / 1000;
		if (target < LAB_MIN_STEPS * quantum)
			target = LAB_MIN_STEPS * quantum;
		if (pin_cpu(1, calibrate(batch_function_call, 0, target)) < 0)
			fprintf(stderr, "bench_batch: not pinned to a CPU: %s\n",
				strerror(errno));
	}

	if (!host) {
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
		if ((host && approaches[a].lab) ||
		    (approaches[a].uring && !have_uring))
			continue;
		for (unsigned int k = 0; k < LAB_SIZES; k++) {
			struct timed *t = &timed[nt];

			t->a = &approaches[a];
			t->k = k;
			if (iters)
				t->groups = ((iters - 1) >> k) + 1;
			else
				t->groups = calibrate(t->a->batch, k, target);
			t->v = calloc(batches, sizeof(*t->v));
			t->e = calloc(batches, sizeof(*t->e));
			if (!t->v || !t->e) {
				fprintf(stderr, "bench_batch: out of memory\n");
				return 1;
			}
			nt++;
		}
	}
	if (!nt)	/* --host without io_uring: said above */
		return 0;
	time_rows(timed, nt);
#ifdef LAB_HAVE_URING
	if (uring_bad) {
		fprintf(stderr, "bench_batch: an io_uring NOP went missing or failed while timed: no io_uring rows\n");
		have_uring = 0;
	}
#endif
	if (!host)
		for (unsigned int k = 0; k < LAB_SIZES; k++)
			if (check_lab_batch(1u << k))
				return 1;
	for (size_t i = 0; i < nt; i++) {
		if (timed[i].a->uring && !have_uring)
			continue;
		if (report(&timed[i], &coarse))
			return 1;
	}
	if (coarse && iters && !icount)
		fprintf(stderr, "bench_batch: the counter steps %llu ticks at a time: with %u operations a batch, some rows' figures move in steps over 1%% of them (calibrate instead of --iters)\n",
			(unsigned long long)quantum, iters);
	return 0;
}
