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
};

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
	s->mean = (sum + n / 2) / n;
	/* Variance without overflow: each squared deviation divided by n as it
	 * is added, the remainders carried so that nothing is lost. */
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

#endif /* LAB_STATS_H */
