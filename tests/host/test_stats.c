/*
 * Unit tests of include/lab/lab_stats.h, the timing engine's arithmetic, and of
 * include/lab/lab_row.h, the one row format every benchmark writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lab_row.h"
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

/* --- the k-best: the bad and degenerate cases first ------------------- */

static void kbest_of_nothing_is_zero_without_rank(void **state)
{
	lab_u64 rank = 99;

	(void)state;
	assert_int_equal(0, lab_kbest(NULL, 0, &rank));
	assert_int_equal(0, rank);
}

static void kbest_of_fewer_than_k_is_the_minimum_flagged(void **state)
{
	lab_u64 one[] = { 7 }, few[LAB_KBEST_K], rank = 99;

	(void)state;
	/* n = 1: the value itself, but no window of LAB_KBEST_K: rank 0 */
	assert_int_equal(7, lab_kbest(one, 1, &rank));
	assert_int_equal(0, rank);
	/* one value fewer than a window, all equal, is still no window */
	for (int i = 0; i < LAB_KBEST_K; i++)
		few[i] = 5;
	assert_int_equal(5, lab_kbest(few, LAB_KBEST_K - 1, &rank));
	assert_int_equal(0, rank);
}

static void kbest_without_a_qualifying_window_is_the_minimum_flagged(void **state)
{
	/* each value 10 % above the one before: no two within 5 % */
	lab_u64 v[12], rank = 99;

	(void)state;
	v[0] = 1000;
	for (int i = 1; i < 12; i++)
		v[i] = v[i - 1] + v[i - 1] / 10;
	assert_int_equal(1000, lab_kbest(v, 12, &rank));
	assert_int_equal(0, rank);
}

static void kbest_of_equal_values_is_that_value(void **state)
{
	lab_u64 v[LAB_KBEST_K], z[LAB_KBEST_K] = { 0 }, rank = 99;

	(void)state;
	for (int i = 0; i < LAB_KBEST_K; i++)
		v[i] = 123456;
	assert_int_equal(123456, lab_kbest(v, LAB_KBEST_K, &rank));
	assert_int_equal(1, rank);
	/* zeros (a row faster than its overhead) agree exactly too */
	assert_int_equal(0, lab_kbest(z, LAB_KBEST_K, &rank));
	assert_int_equal(1, rank);
}

static void kbest_tolerance_is_exact_and_overflow_safe(void **state)
{
	lab_u64 lo = UINT64_MAX / 2, room = lo / 20; /* 5 % of lo, floored */

	(void)state;
	assert_int_equal(5, LAB_KBEST_TOL_PCT); /* the figures below assume it */
	assert_true(lab_within_pct(1000, 1050, 5));
	assert_false(lab_within_pct(1000, 1051, 5));
	assert_true(lab_within_pct(19, 19, 5));	/* room 0: only equal */
	assert_false(lab_within_pct(19, 20, 5));
	assert_true(lab_within_pct(20, 21, 5));	/* room exactly 1 */
	/* lo * 5 would not fit in 64 bits */
	assert_true(lab_within_pct(lo, lo + room, 5));
	assert_false(lab_within_pct(lo, lo + room + 1, 5));
	assert_true(lab_within_pct(UINT64_MAX, UINT64_MAX, 5));
	assert_true(lab_within_pct(UINT64_MAX - 1, UINT64_MAX, 5));
	assert_true(lab_within_pct(0, 0, 5));
	assert_false(lab_within_pct(0, 1, 100));
	assert_true(lab_within_pct(UINT64_MAX / 2, UINT64_MAX - 1, 100));
}

static void kbest_skips_a_lone_fast_batch(void **state)
{
	/* one batch far below the rest, then two that agree */
	lab_u64 v[] = { 500, 1000, 1010, 1500, 3000 };
	lab_u64 w[] = { 1000, 1051, 1104, 1105, 3000 };
	lab_u64 rank = 99;

	(void)state;
	assert_int_equal(2, LAB_KBEST_K); /* the figures below assume it */
	assert_int_equal(1000, lab_kbest(v, 5, &rank));
	assert_int_equal(2, rank);
	/* the next one just out of 5 %, twice: the third window is taken */
	assert_int_equal(1104, lab_kbest(w, 5, &rank));
	assert_int_equal(3, rank);
	/* just within: the first */
	w[1] = 1050;
	assert_int_equal(1000, lab_kbest(w, 5, &rank));
	assert_int_equal(1, rank);
}

static void stats_fill_the_kbest(void **state)
{
	/* 2, 4, 4, 4, 5, 5, 7, 9: the 2 alone, the 4s agree */
	lab_u64 v[] = { 9, 4, 5, 4, 2, 7, 4, 5 }, w[50];
	lab_u64 u[] = { 9, 2, 7, 4 };
	struct lab_stats s;

	(void)state;
	assert_int_equal(2, LAB_KBEST_K); /* the figures below assume it */
	assert_int_equal(0, lab_stats_compute(v, 8, &s));
	assert_int_equal(4, s.kbest);
	assert_int_equal(2, s.kbest_rank);
	/* 2, 4, 7, 9: none agree: the minimum, flagged */
	assert_int_equal(0, lab_stats_compute(u, 4, &s));
	assert_int_equal(2, s.kbest);
	assert_int_equal(0, s.kbest_rank);
	for (int i = 0; i < 50; i++)
		w[i] = 199000 + (lab_u64)i * 100;
	assert_int_equal(0, lab_stats_compute(w, 50, &s));
	assert_int_equal(199000, s.kbest);
	assert_int_equal(1, s.kbest_rank);
}

static void row_kbest_subtracts_the_empty_loops_kbest(void **state)
{
	/* The empty loop: five fast batches, six slowed ones (its median). */
	lab_u64 e[] = { 900, 500, 900, 501, 900, 502, 900, 503, 900, 504, 900 };
	lab_u64 v[] = { 30000, 20500, 30000, 20510, 30000, 20520, 30000,
			20530, 30000, 20540, 30000 };
	lab_u64 raw[11];
	struct lab_stats es, s;

	(void)state;
	assert_int_equal(-1, lab_stats_row(NULL, 0, NULL, 100, &s));
	assert_int_equal(0, lab_stats_compute(e, 11, &es));
	assert_int_equal(900, es.median);
	assert_int_equal(500, es.kbest);
	memcpy(raw, v, sizeof(v));
	assert_int_equal(0, lab_stats_row(v, 11, &es, 100, &s));
	/* every other figure has the median subtracted: (30000 - 900) / 100 */
	assert_int_equal(291000, s.median);
	assert_int_equal(196000, s.min);	/* (20500 - 900) / 100 */
	/* the k-best the k-best: (20500 - 500) / 100 */
	assert_int_equal(200000, s.kbest);
	assert_int_equal(1, s.kbest_rank);
	/* an empty loop whose k-best had no window flags the row's */
	es.kbest_rank = 0;
	memcpy(v, raw, sizeof(v));
	assert_int_equal(0, lab_stats_row(v, 11, &es, 100, &s));
	assert_int_equal(200000, s.kbest);
	assert_int_equal(0, s.kbest_rank);
	/* no empty loop: the row is raw, per call */
	memcpy(v, raw, sizeof(v));
	assert_int_equal(0, lab_stats_row(v, 11, NULL, 100, &s));
	assert_int_equal(205000, s.kbest);
	assert_int_equal(300000, s.median);
	/* a k-best below the empty loop's is no cost: zero, as per call */
	es.kbest = 25000;
	memcpy(v, raw, sizeof(v));
	assert_int_equal(0, lab_stats_row(v, 11, &es, 100, &s));
	assert_int_equal(0, s.kbest);
}

/* A row with every statistic distinct, so that a field in the wrong place
 * shows. */
static const struct lab_stats row_stats = {
	.n = 200, .min = 198000, .p5 = 198500, .median = 199020,
	.p95 = 201000, .p99 = 230000, .max = 18446744073709551615ULL,
	.mean = 199900, .sd = 1234, .cv_ppm = 6173, .kbest = 198200,
	.kbest_rank = 3,
};

/* Not inlined: the compiler would see the small sizes below and say so. */
__attribute__((noinline)) static int format_row(char *buf, size_t size,
						const char *what)
{
	return lab_row_format(buf, size, "x86_64", "lab_null_syscall", what,
			      2596121, 200, 100, &row_stats);
}

static void row_has_every_field(void **state)
{
	static const char want[] =
		"{\"schema\":\"lab-row/1\",\"abi\":\"x86_64\","
		"\"path\":\"lab_null_syscall\",\"unit\":\"milliticks\","
		"\"tsc_khz\":2596121,\"batches\":200,\"iters\":100,"
		"\"min\":198000,\"p5\":198500,\"median\":199020,"
		"\"p95\":201000,\"p99\":230000,"
		"\"max\":18446744073709551615,\"mean\":199900,\"sd\":1234,"
		"\"cv_ppm\":6173,\"kbest\":198200,\"kbest_rank\":3,"
		"\"what\":\"lab_null() with the syscall instruction\"}\n";
	char buf[LAB_ROW_MAX];
	int n;

	(void)state;
	n = format_row(buf, sizeof(buf), "lab_null() with the syscall instruction");
	assert_int_equal((int)strlen(want), n);
	assert_string_equal(want, buf);
	/* One line: the newline is the last character and the only one. */
	assert_ptr_equal(buf + n - 1, strchr(buf, '\n'));
}

static void row_round_trips(void **state)
{
	unsigned long long tsc_khz, max, median, cv_ppm, kbest, rank;
	unsigned int batches, iters;
	char abi[16], path[32], what[64], buf[LAB_ROW_MAX];

	(void)state;
	assert_true(format_row(buf, sizeof(buf), "in and out, 64 bytes") > 0);
	assert_int_equal(11, sscanf(buf,
		"{\"schema\":\"lab-row/1\",\"abi\":\"%15[^\"]\",\"path\":\"%31[^\"]\","
		"\"unit\":\"milliticks\",\"tsc_khz\":%llu,\"batches\":%u,\"iters\":%u,"
		"\"min\":%*u,\"p5\":%*u,\"median\":%llu,\"p95\":%*u,\"p99\":%*u,"
		"\"max\":%llu,\"mean\":%*u,\"sd\":%*u,\"cv_ppm\":%llu,"
		"\"kbest\":%llu,\"kbest_rank\":%llu,\"what\":\"%63[^\"]\"}",
		abi, path, &tsc_khz, &batches, &iters, &median, &max, &cv_ppm,
		&kbest, &rank, what));
	assert_string_equal("x86_64", abi);
	assert_string_equal("lab_null_syscall", path);
	assert_int_equal(2596121, tsc_khz);
	assert_int_equal(200, batches);
	assert_int_equal(100, iters);
	assert_int_equal(199020, median);
	assert_true(max == 18446744073709551615ULL);
	assert_int_equal(6173, cv_ppm);
	assert_int_equal(198200, kbest);
	assert_int_equal(3, rank);
	assert_string_equal("in and out, 64 bytes", what);
}

static void row_refuses_what_json_would_need_escaped(void **state)
{
	static const char *const bad[] = {
		"a \"quoted\" word", "back\\slash", "new\nline", "tab\there",
		"\x1f", "bell\a", "\x7f is fine but \x01 is not",
	};
	char buf[LAB_ROW_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(-1, format_row(buf, sizeof(buf), bad[i]));
	/* In the other strings too. */
	assert_int_equal(-1, lab_row_format(buf, sizeof(buf), "x86\"64", "p",
					    "w", 1, 1, 1, &row_stats));
	assert_int_equal(-1, lab_row_format(buf, sizeof(buf), "x86_64",
					    "pa\th", "w", 1, 1, 1, &row_stats));
	/* DEL and bytes above 0x7f (UTF-8) may stand between quotes. */
	assert_true(format_row(buf, sizeof(buf), "\x7f, 5 \xc2\xb5s") > 0);
}

static void row_refuses_a_buffer_too_small(void **state)
{
	char buf[LAB_ROW_MAX];
	int n;

	(void)state;
	n = format_row(buf, sizeof(buf), "lab_null() with the syscall instruction");
	assert_true(n > 0);
	/* The row and its terminating NUL fit exactly; one byte less does not. */
	assert_int_equal(n, format_row(buf, (size_t)n + 1,
				       "lab_null() with the syscall instruction"));
	assert_int_equal(-1, format_row(buf, (size_t)n,
					"lab_null() with the syscall instruction"));
	assert_int_equal(-1, format_row(buf, 1, "x"));
	assert_int_equal(-1, format_row(NULL, 0, "x"));
}

static void curve_row_has_ops_after_iters(void **state)
{
	/* A curve row: "ops" right after "iters"; everything else as in any
	 * row. ops 0 is no curve row: byte for byte lab_row_format()'s. */
	static const char want[] =
		"{\"schema\":\"lab-row/1\",\"abi\":\"i386\","
		"\"path\":\"batch_lab_batch\",\"unit\":\"milliticks\","
		"\"tsc_khz\":2596121,\"batches\":200,\"iters\":1024,\"ops\":1024,"
		"\"min\":198000,\"p5\":198500,\"median\":199020,"
		"\"p95\":201000,\"p99\":230000,"
		"\"max\":18446744073709551615,\"mean\":199900,\"sd\":1234,"
		"\"cv_ppm\":6173,\"kbest\":198200,\"kbest_rank\":3,"
		"\"what\":\"one lab_batch() of N records, per record\"}\n";
	char buf[LAB_ROW_MAX], plain[LAB_ROW_MAX];
	int n;

	(void)state;
	n = lab_row_format_ops(buf, sizeof(buf), "i386", "batch_lab_batch",
			       "one lab_batch() of N records, per record",
			       2596121, 200, 1024, 1024, &row_stats);
	assert_int_equal((int)strlen(want), n);
	assert_string_equal(want, buf);
	assert_int_equal(1, lab_row_format_ops(buf, sizeof(buf), "x86_64", "p", "w",
					       1, 1, 1, 1, &row_stats) > 0);
	assert_non_null(strstr(buf, ",\"iters\":1,\"ops\":1,\"min\":"));
	/* ops 0: no "ops" at all, the row every program wrote before */
	n = lab_row_format_ops(buf, sizeof(buf), "x86_64", "lab_null_syscall",
			       "lab_null() with the syscall instruction", 2596121,
			       200, 100, 0, &row_stats);
	assert_int_equal(n, format_row(plain, sizeof(plain),
				       "lab_null() with the syscall instruction"));
	assert_string_equal(plain, buf);
	assert_null(strstr(buf, "ops"));
	/* The same refusals as any row. */
	assert_int_equal(-1, lab_row_format_ops(buf, sizeof(buf), "x86_64", "p\"",
						"w", 1, 1, 1, 8, &row_stats));
	assert_int_equal(-1, lab_row_format_ops(buf, (size_t)strlen(want), "i386",
						"batch_lab_batch",
						"one lab_batch() of N records, per record",
						2596121, 200, 1024, 1024, &row_stats));
}

static void row_max_is_enough(void **state)
{
	/* The longest row: every number at its widest, a long what. */
	const struct lab_stats s = {
		.min = UINT64_MAX, .p5 = UINT64_MAX, .median = UINT64_MAX,
		.p95 = UINT64_MAX, .p99 = UINT64_MAX, .max = UINT64_MAX,
		.mean = UINT64_MAX, .sd = UINT64_MAX, .cv_ppm = UINT64_MAX,
		.kbest = UINT64_MAX, .kbest_rank = UINT64_MAX,
	};
	char what[121], buf[LAB_ROW_MAX];

	(void)state;
	memset(what, 'w', sizeof(what) - 1);
	what[sizeof(what) - 1] = '\0';
	assert_true(lab_row_format(buf, sizeof(buf), "x86_64",
				   "kernel_sys_call_table", what, UINT64_MAX,
				   UINT32_MAX, UINT32_MAX, &s) > 0);
	/* and a curve row with the widest ops */
	assert_true(lab_row_format_ops(buf, sizeof(buf), "x86_64",
				       "kernel_sys_call_table", what, UINT64_MAX,
				       UINT32_MAX, UINT32_MAX, UINT32_MAX, &s) > 0);
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
		cmocka_unit_test(kbest_of_nothing_is_zero_without_rank),
		cmocka_unit_test(kbest_of_fewer_than_k_is_the_minimum_flagged),
		cmocka_unit_test(kbest_without_a_qualifying_window_is_the_minimum_flagged),
		cmocka_unit_test(kbest_of_equal_values_is_that_value),
		cmocka_unit_test(kbest_tolerance_is_exact_and_overflow_safe),
		cmocka_unit_test(kbest_skips_a_lone_fast_batch),
		cmocka_unit_test(stats_fill_the_kbest),
		cmocka_unit_test(row_kbest_subtracts_the_empty_loops_kbest),
		cmocka_unit_test(row_has_every_field),
		cmocka_unit_test(row_round_trips),
		cmocka_unit_test(row_refuses_what_json_would_need_escaped),
		cmocka_unit_test(row_refuses_a_buffer_too_small),
		cmocka_unit_test(curve_row_has_ops_after_iters),
		cmocka_unit_test(row_max_is_enough),
	};

	return cmocka_run_group_tests_name("lab_stats", tests, NULL, NULL);
}
