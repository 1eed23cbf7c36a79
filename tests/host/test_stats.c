/* Unit tests of bench/lab_stats.h, the timing engine's arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lab_stats.h"

static void sort_orders_and_keeps_values(void **state)
{
	lab_u64 v[] = { 5, 3, 9, 1, 5, 0, 7, 2, 8, 6, 4, 5 };
	lab_u64 want[] = { 0, 1, 2, 3, 4, 5, 5, 5, 6, 7, 8, 9 };

	(void)state;
	lab_sort(v, 12);
	assert_memory_equal(want, v, sizeof(want));
	lab_sort(v, 0);
	lab_sort(v, 1);
	assert_int_equal(0, v[0]);
}

static void percentiles_are_nearest_rank(void **state)
{
	lab_u64 v[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		v[i] = (lab_u64)i + 1; /* 1..100 */
	assert_int_equal(5, lab_percentile(v, 100, 5));
	assert_int_equal(50, lab_percentile(v, 100, 50));
	assert_int_equal(95, lab_percentile(v, 100, 95));
	assert_int_equal(99, lab_percentile(v, 100, 99));
	assert_int_equal(100, lab_percentile(v, 100, 100));
	assert_int_equal(1, lab_percentile(v, 100, 0));
	/* Five values: the median is the third, p99 the fifth. */
	assert_int_equal(3, lab_percentile(v, 5, 50));
	assert_int_equal(5, lab_percentile(v, 5, 99));
	assert_int_equal(1, lab_percentile(v, 5, 5));
}

static void isqrt_is_floor(void **state)
{
	(void)state;
	assert_int_equal(0, lab_isqrt(0));
	assert_int_equal(1, lab_isqrt(3));
	assert_int_equal(2, lab_isqrt(4));
	assert_int_equal(9, lab_isqrt(99));
	assert_int_equal(10, lab_isqrt(100));
	assert_int_equal(4294967295ULL, lab_isqrt(UINT64_MAX));
}

static void stats_on_known_values(void **state)
{
	/* 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population sd 2. */
	lab_u64 v[] = { 9, 4, 5, 4, 2, 7, 4, 5 };
	struct lab_stats s;

	(void)state;
	assert_int_equal(0, lab_stats_compute(v, 8, &s));
	assert_int_equal(8, s.n);
	assert_int_equal(2, s.min);
	assert_int_equal(9, s.max);
	assert_int_equal(4, s.median);
	assert_int_equal(5, s.mean);
	assert_int_equal(2, s.sd);
	assert_int_equal(400000, s.cv_ppm);
	assert_int_equal(2, s.p5);
	assert_int_equal(9, s.p95);
}

static void stats_constant_input_has_no_spread(void **state)
{
	lab_u64 v[50];
	struct lab_stats s;

	(void)state;
	for (int i = 0; i < 50; i++)
		v[i] = 199000;
	assert_int_equal(0, lab_stats_compute(v, 50, &s));
	assert_int_equal(199000, s.median);
	assert_int_equal(0, s.sd);
	assert_int_equal(0, s.cv_ppm);
}

static void stats_large_values_do_not_overflow(void **state)
{
	/* Deviations of 2e9 squared are 4e18: near the top of 64 bits. */
	lab_u64 v[] = { 0, 4000000000ULL, 0, 4000000000ULL };
	struct lab_stats s;

	(void)state;
	assert_int_equal(0, lab_stats_compute(v, 4, &s));
	assert_int_equal(2000000000ULL, s.mean);
	assert_int_equal(2000000000ULL, s.sd);
}

static void stats_refuse_empty_input(void **state)
{
	struct lab_stats s;

	(void)state;
	assert_int_equal(-1, lab_stats_compute(NULL, 0, &s));
}

static void overhead_is_subtracted_per_call(void **state)
{
	(void)state;
	/* 100 calls in 20500 ticks, of which 500 were loop and timer. */
	assert_int_equal(200000, lab_per_call_milli(20500, 500, 100));
	/* Sub-tick costs survive in milliticks. */
	assert_int_equal(250, lab_per_call_milli(525, 500, 100));
	/* A batch faster than the overhead measured nothing: zero. */
	assert_int_equal(0, lab_per_call_milli(400, 500, 100));
	assert_int_equal(0, lab_per_call_milli(500, 500, 100));
	assert_int_equal(0, lab_per_call_milli(900, 500, 0));
	/* Rounded to the nearest millitick. */
	assert_int_equal(333, lab_per_call_milli(1, 0, 3));
	assert_int_equal(667, lab_per_call_milli(2, 0, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sort_orders_and_keeps_values),
		cmocka_unit_test(percentiles_are_nearest_rank),
		cmocka_unit_test(isqrt_is_floor),
		cmocka_unit_test(stats_on_known_values),
		cmocka_unit_test(stats_constant_input_has_no_spread),
		cmocka_unit_test(stats_large_values_do_not_overflow),
		cmocka_unit_test(stats_refuse_empty_input),
		cmocka_unit_test(overhead_is_subtracted_per_call),
	};

	return cmocka_run_group_tests_name("lab_stats", tests, NULL, NULL);
}
