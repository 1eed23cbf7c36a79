/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lab_stats.h: the timing engine's arithmetic, shared by the user-space
 * benchmarks and the kernel module (so: integers only, no libc, no floating
 * point, no 128-bit division).
 *
 * A sample is the tick count of one batch of `iters` calls. The cost of one
 * call is (sample - overhead) / iters, where overhead is the median of the
 * same loop with nothing in it (timer and loop together); costs are kept in
 * thousandths of a tick ("milliticks") so that a sub-tick cost survives.
 * Percentiles are nearest-rank: p-th = the ceil(p/100 * n)-th smallest.
 *
 * Beside the median, a near-minimum that holds on a busy host: the k-best
 * (lab_kbest()). Whatever else runs on the machine (other processes, the
 * hypervisor, another tenant) only ever adds time to a batch, so the
 * batches that nothing slowed are the fastest ones, and a figure taken
 * from them moves little when the share of slowed batches does (the median
 * moves with it). lmbench takes the minimum of its repetitions; LEBench
 * the lowest of five samples that agree within 5 %, so that one sample
 * timed too fast (its samples are single calls, timed with
 * clock_gettime()) is not the answer on its own. Here a sample is a batch
 * of some 100 us between two fenced counter reads, which nothing makes too
 * fast, and on a busy host the quiet batches can be few: with five asked
 * for, 7 runs of getppid() under load spread 10-32 % (the fifth-fastest
 * batch was already a slowed one), with two 0.3-3.6 %, as the plain
 * minimum. So LAB_KBEST_K is 2: the fastest batch that the next one
 * confirms, a lone batch passed over.
 */
#ifndef LAB_STATS_H
#define LAB_STATS_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u64 lab_u64;
#else
#include <stddef.h>
#include <stdint.h>
typedef uint64_t lab_u64;
#endif

struct lab_stats {
	lab_u64 n;
	lab_u64 min, p5, median, p95, p99, max;
	lab_u64 mean;	/* rounded to the nearest */
	lab_u64 sd;	/* population standard deviation, rounded down */
	lab_u64 cv_ppm;	/* sd / mean, in parts per million; 0 if mean is 0 */
	lab_u64 kbest;	/* lab_kbest() of the values */
	lab_u64 kbest_rank;	/* its rank among them (1: the minimum); 0: no
				 * window qualified, and kbest is the minimum */
};

/* The k-best's window: LAB_KBEST_K sorted values, the highest within
 * LAB_KBEST_TOL_PCT percent of the lowest. */
#define LAB_KBEST_K 2
#define LAB_KBEST_TOL_PCT 5

/* In-place heapsort: no recursion, no allocation, O(n log n). */
static inline void lab_sort(lab_u64 *v, size_t n)
{
	size_t start = n / 2, end = n;

	if (n < 2)
		return;
	for (;;) {
		size_t root, child;
		lab_u64 t;

		if (start > 0) {
			start--;
		} else {
			end--;
			if (end == 0)
				return;
			t = v[end];
			v[end] = v[0];
			v[0] = t;
		}
		root = start;
		while ((child = 2 * root + 1) < end) {
			if (child + 1 < end && v[child] < v[child + 1])
				child++;
			if (v[root] >= v[child])
				break;
			t = v[root];
			v[root] = v[child];
			v[child] = t;
			root = child;
		}
	}
}

/* Nearest-rank percentile of sorted v[0..n-1], n > 0, pct in 0..100. */
static inline lab_u64 lab_percentile(const lab_u64 *sorted, size_t n,
				     unsigned int pct)
{
	size_t rank = (size_t)(((lab_u64)pct * n + 99) / 100);

	if (rank == 0)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* floor(sqrt(x)), bit by bit. */
static inline lab_u64 lab_isqrt(lab_u64 x)
{
	lab_u64 r = 0, bit = (lab_u64)1 << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* 1 if hi - lo <= lo * tol_pct / 100, for lo <= hi and tol_pct <= 100,
 * exactly and without overflow: lo * tol_pct may not fit in 64 bits, but
 * (lo / 100) * tol_pct and (lo % 100) * tol_pct do, and the room they make
 * is floor(lo * tol_pct / 100), which a whole difference fits in exactly
 * when it fits in lo * tol_pct / 100 itself. */
static inline int lab_within_pct(lab_u64 lo, lab_u64 hi, unsigned int tol_pct)
{
	lab_u64 room = lo / 100 * tol_pct + lo % 100 * tol_pct / 100;

	return hi - lo <= room;
}

/*
 * The k-best of sorted v[0..n-1]: the lowest value that starts a window of
 * LAB_KBEST_K consecutive values (in sorted order) whose highest is within
 * LAB_KBEST_TOL_PCT percent of it; *rank is its rank (1 for v[0]). LEBench
 * chains its five instead (each within 5 % of the one before), which lets
 * a window stretch over some 20 %; here the whole window is held to it.
 * When no window qualifies (fewer than LAB_KBEST_K values, or values too
 * scattered), it says so, *rank 0, and returns the minimum, v[0]; n 0:
 * 0, rank 0.
 */
static inline lab_u64 lab_kbest(const lab_u64 *sorted, size_t n, lab_u64 *rank)
{
	size_t i;

	*rank = 0;
	if (n == 0)
		return 0;
	for (i = 0; i + LAB_KBEST_K <= n; i++)
		if (lab_within_pct(sorted[i], sorted[i + LAB_KBEST_K - 1],
				   LAB_KBEST_TOL_PCT)) {
			*rank = i + 1;
			return sorted[i];
		}
	return sorted[0];
}

/* One call's cost in milliticks: the batch less its overhead, never below
 * zero (a batch faster than the empty loop measured nothing but noise). */
static inline lab_u64 lab_per_call_milli(lab_u64 batch, lab_u64 overhead,
					 lab_u64 iters)
{
	if (batch <= overhead || iters == 0)
		return 0;
	return ((batch - overhead) * 1000 + iters / 2) / iters;
}

/* Sorts v[0..n-1] and fills *s. Returns -1 if n is 0. */
static inline int lab_stats_compute(lab_u64 *v, size_t n, struct lab_stats *s)
{
	lab_u64 sum = 0, var = 0, rem = 0;
	size_t i;

	if (n == 0)
		return -1;
	lab_sort(v, n);
	for (i = 0; i < n; i++)
		sum += v[i];
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	s->p5 = lab_percentile(v, n, 5);
	s->median = lab_percentile(v, n, 50);
	s->p95 = lab_percentile(v, n, 95);
	s->p99 = lab_percentile(v, n, 99);
	s->kbest = lab_kbest(v, n, &s->kbest_rank);
	s->mean = (sum + n / 2) / n;
	/*
	 * Variance without overflowing the sum: each squared deviation
	 * divided by n as it is added, the remainders carried so that
	 * nothing is lost. Exact while each deviation is under 2^32
	 * milliticks (its square fits in 64 bits): 4.3 million ticks, about
	 * 1.6 ms a call at 2.6 GHz, far beyond any row the lab times.
	 */
	for (i = 0; i < n; i++) {
		lab_u64 d = v[i] > s->mean ? v[i] - s->mean : s->mean - v[i];
		lab_u64 sq = d * d;

		var += sq / n;
		rem += sq % n;
		if (rem >= n) {
			var += rem / n;
			rem %= n;
		}
	}
	s->sd = lab_isqrt(var);
	s->cv_ppm = s->mean ? (s->sd * 1000000 + s->mean / 2) / s->mean : 0;
	return 0;
}

/*
 * A row's statistics, per call, from its raw batches v[0..n-1] (ticks of
 * iters calls each; sorted, then turned into per-call milliticks in place)
 * and its empty loop's statistics *e (over the empty loop's raw batches;
 * NULL: no overhead, the row is the empty loop itself). Every figure but
 * the k-best has the empty loop's median subtracted from each batch; the
 * k-best is the matched statistic instead: the batches' k-best less the
 * empty loop's k-best, as lmbench takes the minimum of both. A median
 * subtracted from a near-minimum leaves the difference between the two
 * (the empty loop's own noise) in a sub-nanosecond figure. kbest_rank is
 * the batches' own, or 0 if either k-best had no window. Returns -1 if n
 * is 0.
 */
static inline int lab_stats_row(lab_u64 *v, size_t n,
				const struct lab_stats *e, lab_u64 iters,
				struct lab_stats *s)
{
	lab_u64 kbest, rank;
	size_t i;

	if (n == 0)
		return -1;
	lab_sort(v, n);
	kbest = lab_kbest(v, n, &rank);
	for (i = 0; i < n; i++)
		v[i] = lab_per_call_milli(v[i], e ? e->median : 0, iters);
	lab_stats_compute(v, n, s);
	s->kbest = lab_per_call_milli(kbest, e ? e->kbest : 0, iters);
	s->kbest_rank = e && !e->kbest_rank ? 0 : rank;
	return 0;
}

#endif /* LAB_STATS_H */
