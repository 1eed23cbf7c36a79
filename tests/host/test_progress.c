/*
 * Tests of progress.c's reading of a growing KTAP stream: what a boot's
 * progress line says. The bad cases first: nothing yet, a stream cut in
 * the middle of a line, nested results and diagnostics (not steps), a
 * line longer than the buffer, "ok" with no number; then a plan counted
 * as it passes, a failure counted and named, the line a terminal shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "progress.h"

static void feed(struct progress *p, const char *s)
{
	progress_feed(p, s, strlen(s));
}

static void shown(const struct progress *p, long long seconds, const char *want)
{
	char line[200];

	progress_format(p, seconds, line, sizeof(line));
	assert_string_equal(line, want);
}

static void nothing_yet(void **state)
{
	struct progress p = { .what = "the boot (mode tcg)" };

	(void)state;
	shown(&p, 3, "    ... 3s, the boot (mode tcg): booting");
}

static void half_a_line(void **state)
{
	struct progress p = { .what = "b" };

	(void)state;
	feed(&p, "KTAP version 1\n1..4\nok 1 kernel_sys");
	assert_int_equal(p.done, 0);
	shown(&p, 1, "    ... 1s, b: 0 of 4 steps");
	feed(&p, "call.ko\n");
	assert_int_equal(p.done, 1);
	assert_string_equal(p.last, "kernel_syscall.ko");
}

static void nested_lines_are_not_steps(void **state)
{
	struct progress p = { .what = "b" };

	(void)state;
	feed(&p, "1..2\n    KTAP version 1\n    1..26\n    ok 1 hello\n"
		 "    not ok 2 greeting\n# ok 3 a diagnostic\n");
	assert_int_equal(p.planned, 2);
	assert_int_equal(p.done, 0);
	assert_int_equal(p.failed, 0);
}

static void overlong_line_is_skipped(void **state)
{
	struct progress p = { .what = "b" };
	char big[600];

	(void)state;
	memset(big, 'x', sizeof(big));
	memcpy(big, "ok 1 ", 5);
	progress_feed(&p, big, sizeof(big));
	feed(&p, "\nok 2 short\n");
	assert_int_equal(p.done, 1);
	assert_string_equal(p.last, "short");
}

static void ok_without_number(void **state)
{
	struct progress p = { .what = "b" };

	(void)state;
	feed(&p, "ok\nok x\n1..x\n");
	assert_int_equal(p.done, 0);
	assert_int_equal(p.planned, 0);
}

static void steps_counted_and_failures_named(void **state)
{
	struct progress p = { .what = "the boot (mode icount)" };

	(void)state;
	feed(&p, "KTAP version 1\n1..3\nok 1 kernel_syscall.ko\n"
		 "not ok 2 user_syscall # exit 1\n");
	assert_int_equal(p.done, 2);
	assert_int_equal(p.failed, 1);
	shown(&p, 42, "    ... 42s, the boot (mode icount): 2 of 3 steps, 1 failed"
		      " (last: user_syscall)");
	feed(&p, "ok 3 kernel-log-check # SKIP no log\n");
	shown(&p, 50, "    ... 50s, the boot (mode icount): 3 of 3 steps, 1 failed"
		      " (last: kernel-log-check)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_yet),
		cmocka_unit_test(half_a_line),
		cmocka_unit_test(nested_lines_are_not_steps),
		cmocka_unit_test(overlong_line_is_skipped),
		cmocka_unit_test(ok_without_number),
		cmocka_unit_test(steps_counted_and_failures_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
