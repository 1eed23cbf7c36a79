/* Unit tests of tools/tap.c: counting TAP and KTAP results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tap.h"

static struct tap_counts count(const char *text)
{
	struct tap_state s;
	char line[512];

	tap_init(&s);
	while (*text) {
		size_t n = strcspn(text, "\n");

		memcpy(line, text, n);
		line[n] = '\0';
		tap_line(&s, line);
		text += n + (text[n] == '\n');
	}
	return tap_finish(&s);
}

static void kselftest_flat(void **state)
{
	struct tap_counts c = count(
		"TAP version 13\n1..3\n# Starting 3 tests from 1 test cases.\n"
		"#  RUN           lab.glibc.a ...\n#            OK  lab.glibc.a\n"
		"ok 1 lab.glibc.a\nnot ok 2 lab.glibc.b\nok 3 lab.glibc.c # SKIP no vDSO\n"
		"# FAILED: 1 / 3 tests passed.\n");

	(void)state;
	assert_int_equal(1, c.passed);
	assert_int_equal(1, c.failed);
	assert_int_equal(1, c.skipped);
	assert_int_equal(0, c.missing);
}

static void ktap_counts_cases_not_suites(void **state)
{
	struct tap_counts c = count(
		"KTAP version 1\n1..2\n"
		"    KTAP version 1\n    # Subtest: one\n    1..2\n"
		"    ok 1 a\n    ok 2 b\nok 1 one\n"
		"    KTAP version 1\n    # Subtest: two\n    1..1\n"
		"    not ok 1 c\nnot ok 2 two\n");

	(void)state;
	assert_int_equal(2, c.passed);
	assert_int_equal(1, c.failed);
	assert_int_equal(0, c.skipped);
}

static void ktap_between_kernel_messages(void **state)
{
	struct tap_counts c = count(
		"Linux version 6.1.192\nrandom: crng init done\n"
		"KTAP version 1\n1..1\n    # Subtest: lab\n    1..1\n"
		"hello: Hello world\n    ok 1 lab_null_returns_zero\nok 1 lab\n"
		"Freeing unused kernel image memory\n");

	(void)state;
	assert_int_equal(1, c.passed);
	assert_int_equal(0, c.failed);
}

static void missing_results_fail(void **state)
{
	/* A test program that crashed after its second test. */
	struct tap_counts c = count("TAP version 13\n1..5\nok 1 a\nok 2 b\n");

	(void)state;
	assert_int_equal(2, c.passed);
	assert_int_equal(3, c.missing);
	assert_int_equal(3, c.failed);
}

static void plan_at_the_end(void **state)
{
	struct tap_counts c = count("TAP version 13\nok 1 a\nnot ok 2 b\n1..2\n");
	struct tap_counts short_run = count("ok 1 a\n1..3\n");

	(void)state;
	assert_int_equal(1, c.passed);
	assert_int_equal(1, c.failed);
	assert_int_equal(0, c.missing);
	assert_int_equal(2, short_run.missing);
}

static void bail_out_fails(void **state)
{
	struct tap_counts c = count("ok 1 a\nBail out! no kernel\n");

	(void)state;
	assert_int_equal(1, c.passed);
	assert_int_equal(1, c.failed);
}

static void empty_input_counts_nothing(void **state)
{
	struct tap_counts c = count("");

	(void)state;
	assert_int_equal(0, c.passed + c.failed + c.skipped);
}

static void not_results(void **state)
{
	struct tap_counts c = count("okay\nnot okay\n# ok 1 in a comment\nbook 1\n");

	(void)state;
	assert_int_equal(0, c.passed + c.failed + c.skipped);
}

static void cmocka_tap(void **state)
{
	struct tap_counts c = count("1..2\nok 1 - x\nnot ok 2 - y\n# not ok - suite\n");

	(void)state;
	assert_int_equal(1, c.passed);
	assert_int_equal(1, c.failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kselftest_flat),
		cmocka_unit_test(ktap_counts_cases_not_suites),
		cmocka_unit_test(ktap_between_kernel_messages),
		cmocka_unit_test(missing_results_fail),
		cmocka_unit_test(plan_at_the_end),
		cmocka_unit_test(bail_out_fails),
		cmocka_unit_test(empty_input_counts_nothing),
		cmocka_unit_test(not_results),
		cmocka_unit_test(cmocka_tap),
	};

	return cmocka_run_group_tests_name("tap", tests, NULL, NULL);
}
