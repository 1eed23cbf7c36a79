/*
 * lab_bench.c: the user-space benchmarks' engine (lab_bench.h): what
 * bench_user and bench_batch share, from their options to their rows.
 *
 * Every row times `batches` (default 200) batches with the TSC and
 * subtracts from each the median batch of the same loop with nothing in
 * it, as many calls a batch (timer and loop: lab_stats.h); its k-best, the
 * near-minimum beside the median, has that loop's k-best subtracted
 * (lab_stats_row()). The rows take
 * turns, a twentieth of their batches at a time (lab_bench_time()). The
 * process runs pinned: to the first CPU it may use, or, when it calibrates,
 * to the one where a call loop runs fastest at the start (pin_cpu()). How
 * many calls a batch: --iters K, LAB_MODE=icount's default, or calibrated
 * row by row as lmbench's ENOUGH does (calibrate()).
 */
#define _GNU_SOURCE
#include "lab_bench.h" /* first: lab_timing.h needs _GNU_SOURCE's sched.h */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_row.h"
#include "lab_stats.h"
#include "lab_syscall.h"	/* LAB_ABI */

#if defined(__aarch64__) || defined(__arm__)
struct lab_counter lab_counter = { .fd = -1 };	/* lab_timing.h's */
#endif

/*
 * lmbench's ENOUGH: the number of calls (groups of 1 << k operations) for
 * which one batch lasts about `target` ticks. Grows n fourfold while a
 * batch is under a quarter of the target, then scales it linearly; the
 * fastest of three tries is taken (an interrupt only ever adds). Rounded
 * down to two significant digits, so that runs mostly agree on it. At most
 * LAB_MAX_ITERS calls (operations).
 */
static unsigned int calibrate(lab_batch_fn fn, unsigned int k, uint64_t target)
{
	uint64_t n = 1, t, p = 1, most = LAB_MAX_ITERS >> k;

	if (most == 0)
		most = 1;
	for (;;) {
		t = UINT64_MAX;
		for (int i = 0; i < 3; i++) {
			uint64_t d = fn((unsigned int)n, k);

			if (d < t)
				t = d;
		}
		if (n >= most)
			break;
		if (t < target / 4) {
			n *= 4;
			continue;
		}
		n = t ? n * target / t : n;
		break;
	}
	if (n > most)
		n = most;
	while (n / p >= 100)
		p *= 10;
	n = n / p * p;
	return n ? (unsigned int)n : 1;
}

/*
 * Pins the process to one CPU of those it may use: the first, or (probe)
 * the one on which a call loop, n calls a batch, runs fastest now, by the
 * median of a few batches on each of the first LAB_PROBE_CPUS. On this
 * host (a virtual machine) each virtual CPU has spells, up to a second or
 * so long and independent of the other's, in which it runs slower, a call
 * loop by a third and more: a run that starts on the quieter one mostly
 * stays out of them. Returns the CPU, or -1 (errno set).
 */
static int pin_cpu(lab_batch_fn probe, unsigned int n)
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
		for (int k = 0; k < 3; k++)	/* warm-up, after the move */
			probe(n, 0);
		for (int k = 0; k < LAB_PROBE_BATCHES; k++)
			v[k] = probe(n, 0);
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

static unsigned int parse_uint(const struct lab_bench *b, const char *opt,
			       const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || *s < '0' || *s > '9' || v == 0 || v > 1000000) {
		fprintf(stderr, "%s: %s wants a whole number from 1 to 1000000, not '%s'\n",
			b->prog, opt, s);
		exit(2);
	}
	return (unsigned int)v;
}

void lab_bench_options(struct lab_bench *b, int argc, char **argv)
{
	const char *mode = getenv("LAB_MODE");

	b->icount = mode && strcmp(mode, "icount") == 0;
	b->batches = 200;
	b->chunks = LAB_CHUNKS;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0)
			b->host = 1;
		else if (strcmp(argv[i], "--batches") == 0 && i + 1 < argc)
			b->batches = parse_uint(b, "--batches", argv[++i]);
		else if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc)
			b->iters = parse_uint(b, "--iters", argv[++i]);
		else if (strcmp(argv[i], "--target-us") == 0 && i + 1 < argc)
			b->target_us = parse_uint(b, "--target-us", argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--host] [--batches N] [--iters K | --target-us T]\n",
				b->prog);
			exit(2);
		}
	}
	if (b->iters && b->target_us) {
		fprintf(stderr, "%s: --iters and --target-us exclude each other\n",
			b->prog);
		exit(2);
	}
	if (b->icount) {
		/* Exact instruction counts, identical from boot to boot: no
		 * calibration, whose outcome could differ between boots. */
		if (b->target_us)
			fprintf(stderr, "%s: LAB_MODE=icount: --target-us ignored, %u %s\n",
				b->prog, b->icount_iters, b->icount_batch);
		if (!b->iters)
			b->iters = b->icount_iters;
	}
	if (!b->target_us)
		b->target_us = LAB_TARGET_US;
	if (b->batches < 10)
		b->batches = 10;
	if (b->chunks > b->batches / 10)
		b->chunks = b->batches / 10;
}

void lab_bench_start(struct lab_bench *b, lab_batch_fn probe)
{
	if (pin_cpu(NULL, 0) < 0)
		fprintf(stderr, "%s: not pinned to a CPU: %s\n", b->prog,
			strerror(errno));
#if defined(__aarch64__) || defined(__arm__)
	/* After pinning: the event is this thread's, its counter this CPU's. */
	lab_counter_open();
	if (lab_counter.why)
		fprintf(stderr, "%s: counter: %s, as %s\n", b->prog,
			lab_counter_name(), lab_counter.why);
	else
		fprintf(stderr, "%s: counter: %s\n", b->prog,
			lab_counter_name());
#endif
	/* Its 100 ms of spinning are also the warm-up: on this host a new
	 * process's first tens of milliseconds run slower. */
	b->tsc_khz = lab_tsc_khz(100);
	b->quantum = lab_tsc_quantum();
	if (!b->iters) {
		b->target = (uint64_t)b->target_us * b->tsc_khz / 1000;
		if (b->target < LAB_MIN_STEPS * b->quantum)
			b->target = LAB_MIN_STEPS * b->quantum;
		if (pin_cpu(probe, calibrate(probe, 0, b->target)) < 0)
			fprintf(stderr, "%s: not pinned to a CPU: %s\n",
				b->prog, strerror(errno));
	}
}

int lab_bench_add(const struct lab_bench *b, struct lab_timed *t)
{
	/* Fixed: the fewest groups that make iters calls (operations) or
	 * more. */
	if (b->iters)
		t->n = ((b->iters - 1) >> t->k) + 1;
	else
		t->n = calibrate(t->batch, t->k, b->target);
	t->v = calloc(b->batches, sizeof(*t->v));
	t->e = NULL;
	if (t->empty)
		t->e = calloc(b->batches, sizeof(*t->e));
	if (!t->v || (t->empty && !t->e)) {
		fprintf(stderr, "%s: out of memory\n", b->prog);
		return -1;
	}
	return 0;
}

/* Batches [from, to) of fn, n calls each, into v; warm more first. */
static void time_batches(lab_batch_fn fn, unsigned int n, unsigned int k,
			 unsigned int warm, uint64_t *v, unsigned int from,
			 unsigned int to)
{
	while (warm--)
		fn(n, k);
	for (unsigned int b = from; b < to; b++)
		v[b] = fn(n, k);
}

/*
 * The rows in turn, a chunk of batches at a time (a twentieth of them), so
 * that every row's batches are spread over the whole run: this host (a
 * virtual machine) has spells, from milliseconds to seconds long, in which
 * everything runs slower, a call loop most (by a third and more); a row
 * timed all at once can fall into one whole, and its median with it, while
 * a spell that takes a minority of every row's batches moves no median.
 * Within a chunk the batches of one loop follow each other, after a tenth
 * as many warm-up batches of their own: a batch of a call loop timed right
 * after other code, such as a batch of the empty loop, runs here two or
 * three cycles a call slower, the whole batch long.
 */
void lab_bench_time(const struct lab_bench *b, struct lab_timed *t, size_t nt)
{
	for (unsigned int c = 0; c < b->chunks; c++) {
		unsigned int from = (unsigned int)((uint64_t)b->batches * c / b->chunks);
		unsigned int to = (unsigned int)((uint64_t)b->batches * (c + 1) / b->chunks);
		unsigned int warm = (to - from + 9) / 10;

		for (size_t i = 0; i < nt; i++) {
			if (t[i].e)
				time_batches(t[i].empty, t[i].n, t[i].k, warm,
					     t[i].e, from, to);
			time_batches(t[i].batch, t[i].n, t[i].k, warm,
				     t[i].v, from, to);
		}
	}
}

/*
 * Writes a timed row's line on stdout, per call (operation). b->coarse is
 * set when the counter's step divided among the batch's calls is over a
 * hundredth of the median: its figures then move in steps that coarse, fine
 * as milliticks look.
 */
int lab_bench_report(struct lab_bench *b, struct lab_timed *t)
{
	unsigned int iters = t->n << t->k;
	struct lab_stats s = { 0 }, e = { 0 };
	char line[LAB_ROW_MAX];
	int len;

	/* The empty loop is reported raw: it is what the others lose (its
	 * median from each batch, its k-best from the k-best). */
	if (t->e)
		lab_stats_compute(t->e, b->batches, &e);
	lab_stats_row(t->v, b->batches, t->e ? &e : NULL, iters, &s);
	if (b->quantum * 1000 * 100 / iters > s.median)
		b->coarse = 1;
	len = lab_row_format_ops(line, sizeof(line), LAB_ABI, t->path, t->what,
				 b->tsc_khz, b->batches, iters, t->ops, &s);
	if (len < 0) {
		if (t->ops)
			fprintf(stderr, "%s: row %s, N=%u does not format\n",
				b->prog, t->path, t->ops);
		else
			fprintf(stderr, "%s: row %s does not format\n",
				b->prog, t->path);
		return -1;
	}
	if (fwrite(line, 1, (size_t)len, stdout) != (size_t)len ||
	    fflush(stdout)) {
		fprintf(stderr, "%s: writing row %s: %s\n", b->prog, t->path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int lab_bench_left_out(const struct lab_bench *b, const char *path,
		       const char *why)
{
	char line[LAB_ROW_MAX];
	int len = lab_row_format_left_out(line, sizeof(line), LAB_ABI, path, why);

	if (len < 0) {
		fprintf(stderr, "%s: row %s does not format\n", b->prog, path);
		return -1;
	}
	fprintf(stderr, "%s: %s left out: %s\n", b->prog, path, why);
	if (fwrite(line, 1, (size_t)len, stdout) != (size_t)len || fflush(stdout)) {
		fprintf(stderr, "%s: writing row %s: %s\n", b->prog, path, strerror(errno));
		return -1;
	}
	return 0;
}

void lab_bench_coarse_note(const struct lab_bench *b)
{
	/* Under icount a step is one instruction, and the count exact. */
	if (b->coarse && b->iters && !b->icount)
		fprintf(stderr, "%s: the counter steps %llu ticks at a time: with %u %s a batch, some rows' figures move in steps over 1%% of them (calibrate instead of --iters)\n",
			b->prog, (unsigned long long)b->quantum, b->iters,
			b->unit);
}
