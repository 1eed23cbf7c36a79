/*
 * Tests of the run model and the summary (host/run.c, host/rows.c,
 * host/summary.c, over host/ktap.c) on recorded runs: tests/data/CASE/ is
 * a run directory as `lab boot` writes it (see host/boot.h and
 * tests/data/README). The bad cases come first. Every case asserts the
 * exact totals make test would print, and that the reasons name the cause:
 * a missing result, a crash, a short plan, a timeout, damage on a channel
 * are failures.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rows.h"
#include "run.h"
#include "summary.h"
#include "lab_trouble.h"
#include "util.h"

#ifndef LAB_TEST_DATA
#error "LAB_TEST_DATA: where the recorded runs are (tests/data)"
#endif

#define KUNIT_SUITE "lab_syscalls"

static struct run *load(const char *name)
{
	char *dir, *err = NULL;
	struct run *r;

	if (asprintf(&dir, "%s/%s", LAB_TEST_DATA, name) < 0)
		fail();
	r = run_load(dir, name, &err);
	if (!r)
		print_error("run_load(%s): %s\n", dir, err);
	free(err);
	free(dir);
	assert_non_null(r);
	return r;
}

/* Whether text has every one of the NULL-terminated needles; the first
 * one it lacks in *missing. */
static bool has_all(const char *text, const char *const *needles,
		    const char **missing)
{
	for (; needles && *needles; needles++) {
		if (!strstr(text, *needles)) {
			*missing = *needles;
			return false;
		}
	}
	return true;
}

/* The text of s as make test prints it, and its totals. */
static char *printed(const struct summary *s, struct ktap_counts *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	*t = sum_print(s, f);
	fclose(f);
	return text;
}

/*
 * The run's summary (with KUnit's suite when suite is not NULL) must total
 * exactly passed/failed/skipped and say every one of why (NULL-terminated).
 */
static void expect_summary(struct run *r, const char *suite, unsigned int passed,
			   unsigned int failed, unsigned int skipped,
			   const char *const *why)
{
	struct summary s = { 0 };
	struct ktap_counts t;
	const char *missing = NULL;
	char *text;
	bool ok;

	sum_add_run(&s, r->name, r, suite);
	text = printed(&s, &t);
	ok = t.passed == passed && t.failed == failed && t.skipped == skipped &&
	     has_all(text, why, &missing);
	if (!ok) {
		print_error("%s: want %u passed, %u failed, %u skipped%s%s%s; the summary:\n%s",
			    r->name, passed, failed, skipped,
			    missing ? " and \"" : "", missing ? missing : "",
			    missing ? "\"" : "", text);
	}
	free(text);
	sum_free(&s);
	assert_true(ok);
}

/* The summary of case (loaded, summed, freed). */
static void expect_case(const char *name, const char *suite, unsigned int passed,
			unsigned int failed, unsigned int skipped,
			const char *const *why)
{
	struct run *r = load(name);

	expect_summary(r, suite, passed, failed, skipped, why);
	run_free(r);
}

static bool has_problem(const struct run *r, const char *needle)
{
	for (size_t i = 0; i < r->nproblems; i++)
		if (strstr(r->problems[i], needle))
			return true;
	return false;
}

/* --- the bad cases ---------------------------------------------------------- */

static void long_step_name(void **state)
{
	/* The old runner dropped rows whose name did not fit in 46 columns. */
	static const char *const why[] = {
		"long-name: enosys_test32_every_family_call_from_a_32_bit_process ",
		"exit status 127", NULL,
	};

	(void)state;
	expect_case("long-name", NULL, 8, 1, 0, why);
}

static void last_lines_without_newline(void **state)
{
	/* A program's last line had no newline (the guest's PID 1 ended it),
	 * and the stream's own last line has none: nothing is lost. */
	struct run *r = load("no-newline");

	(void)state;
	assert_int_equal(0, r->nproblems);
	assert_int_equal(4, r->results->nsub);
	assert_int_equal(6, r->results->sub[2].nsub);
	assert_string_equal("kernel-log-check", r->results->sub[3].name);
	expect_summary(r, NULL, 14, 0, 0, NULL);
	run_free(r);
}

static void guest_died_mid_plan(void **state)
{
	/* Plan 1..5, two steps reported, then the guest hung. */
	static const char *const why[] = {
		"died-mid-plan: boot (timeout)",
		"the guest hung: no end after 300s",
		"the guest stopped after 2 of 5 steps (timeout", NULL,
	};
	struct run *r = load("died-mid-plan");

	(void)state;
	assert_string_equal("timeout", run_outcome(r));
	assert_int_equal(5, r->results->planned);
	assert_int_equal(2, r->results->nsub);
	/* 1 + 21 + KUnit's 7 passed; the boot and 3 steps failed */
	expect_summary(r, KUNIT_SUITE, 29, 4, 0, why);
	run_free(r);
}

static void kernel_panic_mid_step(void **state)
{
	/* A panic in hello_test: the results stop mid-line after 5 of its
	 * 43; two more steps never came. */
	static const char *const why[] = {
		"panic: boot (kernel-trouble)",
		"Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: __x64_sys_lab_transform",
		"38 of 43 planned results never came (5 came)",
		"the guest stopped after 3 of 5 steps", NULL,
	};
	struct run *r = load("panic");

	(void)state;
	assert_int_equal(3, r->results->nsub);
	assert_int_equal(KTAP_FAIL, r->results->sub[2].result);
	assert_non_null(strstr(r->results->sub[2].name, "no result line"));
	/* KUnit ran before the panic, and is counted */
	assert_non_null(r->kunit);
	/* 1 + 21 + 5 + 7 passed; the boot, 38 tests and 2 steps failed */
	expect_summary(r, KUNIT_SUITE, 34, 41, 0, why);
	run_free(r);
}

static void kernel_panic_at_boot(void **state)
{
	/* A real recording: no init (rdinit=/no/such), an empty ktap.txt. */
	static const char *const why[] = {
		"Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)",
		"the guest reported no plan", NULL,
	};

	(void)state;
	expect_case("panic-at-boot", NULL, 0, 2, 0, why);
}

static void timeout_before_any_output(void **state)
{
	/* A real recording: killed at once, no ktap.txt at all. */
	static const char *const why[] = {
		"boot (timeout)", "the guest hung",
		"no results stream (ktap.txt) from the guest", NULL,
	};

	(void)state;
	expect_case("timeout-at-start", NULL, 0, 2, 0, why);
}

static void interrupted_boot(void **state)
{
	static const char *const why[] = {
		"boot (interrupted)", "interrupted by signal 2",
		"the guest reported no plan", NULL,
	};

	(void)state;
	expect_case("interrupted", NULL, 0, 2, 0, why);
}

static void truncated_benchmark_row(void **state)
{
	static const char *const why[] = {
		"rows.jsonl: line 3: truncated: the stream ended inside the row", NULL,
	};
	struct run *r = load("rows-truncated");

	(void)state;
	assert_int_equal(2, r->rows.n);
	assert_int_equal(1, r->nproblems);
	expect_summary(r, NULL, 6, 1, 0, why);
	run_free(r);
}

static void garbage_on_the_results_channel(void **state)
{
	/* Binary junk between two steps, and NUL bytes after the last result:
	 * every result is there, and the run still cannot be trusted. */
	static const char *const why[] = {
		"ktap.txt: 3 NUL bytes (the first at byte",
		"ktap.txt: 2 lines that are no KTAP and no step's output (line 4: \"\\xff\\xfe\\x01\\x80garbage\\x7f\")",
		NULL,
	};
	struct run *r = load("garbage-results");

	(void)state;
	assert_int_equal(4, r->results->nsub);
	assert_int_equal(2, r->nproblems);
	expect_summary(r, NULL, 14, 2, 0, why);
	run_free(r);
}

static void garbage_on_the_rows_channel(void **state)
{
	/* A line of junk with NUL bytes between good rows: the rows after the
	 * NUL are still read, and the damage is a failure. */
	static const char *const why[] = {
		"rows.jsonl: 2 NUL bytes (the first at byte",
		"rows.jsonl: line 2: not JSON", NULL,
	};
	struct run *r = load("garbage-rows");

	(void)state;
	assert_int_equal(3, r->rows.n);
	assert_string_equal("lab_null_vdso32", r->rows.v[2].path);
	assert_true(has_problem(r, "NUL"));
	assert_int_equal(2, r->nproblems);
	expect_summary(r, NULL, 6, 2, 0, why);
	run_free(r);
}

/* A curve row (include/lab/lab_row.h) with "ops" set to value, as text. */
static char *curve_row(const char *value)
{
	char *text;

	assert_true(asprintf(&text,
		"{\"schema\":\"lab-row/1\",\"abi\":\"x86_64\",\"path\":\"batch_lab_batch\","
		"\"unit\":\"milliticks\",\"tsc_khz\":999993,\"batches\":20,\"iters\":64%s%s,"
		"\"min\":209031,\"p5\":209031,\"median\":209031,\"p95\":209031,"
		"\"p99\":209031,\"max\":209031,\"mean\":209031,\"sd\":0,\"cv_ppm\":0,"
		"\"what\":\"one lab_batch() of N records\"}\n",
		value ? ",\"ops\":" : "", value ? value : "") > 0);
	return text;
}

static void curve_rows_with_bad_ops(void **state)
{
	/* "ops" may be absent (no curve row: ops 0); when there, it is a
	 * whole number from 1 to 1048576, or the line is no row: zero,
	 * negative, a string, over the limit (within 32 bits and beyond),
	 * a real, null. One beyond what JSON's integers hold here is not
	 * JSON at all (jansson refuses it): no row either. */
	static const char *const bad[] = {
		"0", "-8", "\"8\"", "1048577", "4294967296", "8.0", "1e3", "null",
		"true", "[8]",
	};
	static const struct {
		const char *value;
		unsigned int ops;
	} good[] = { { NULL, 0 }, { "1", 1 }, { "1024", 1024 }, { "1048576", 1048576 } };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct rows rs = { 0 };
		char *problem, *text = curve_row(bad[i]);

		if (rows_parse(text, "r", "icount", "default", &rs, &problem) != 1 ||
		    strcmp(problem, "line 1: ops is not a whole number from 1 to 1048576"))
			print_error("ops %s: %s\n", bad[i], problem ? problem : "accepted");
		assert_int_equal(0, rs.n);
		assert_string_equal("line 1: ops is not a whole number from 1 to 1048576", problem);
		free(problem);
		free(text);
	}
	{
		struct rows rs = { 0 };
		char *problem, *text = curve_row("99999999999999999999999");

		assert_int_equal(1, rows_parse(text, "r", "icount", "default", &rs, &problem));
		assert_int_equal(0, rs.n);
		assert_string_equal("line 1: not JSON", problem);
		free(problem);
		free(text);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		struct rows rs = { 0 };
		char *problem, *text = curve_row(good[i].value);

		assert_int_equal(0, rows_parse(text, "r", "icount", "default", &rs, &problem));
		assert_null(problem);
		assert_int_equal(1, rs.n);
		assert_int_equal(good[i].ops, rs.v[0].ops);
		rows_free(&rs);
		free(text);
	}
}

/* A row with the k-best's fields as given (NULL: left out), as text. */
static char *kbest_row(const char *kbest, const char *rank)
{
	char *text;

	assert_true(asprintf(&text,
		"{\"schema\":\"lab-row/1\",\"abi\":\"x86_64\",\"path\":\"getppid_syscall\","
		"\"unit\":\"milliticks\",\"tsc_khz\":2596144,\"batches\":200,\"iters\":650,"
		"\"min\":298080,\"p5\":299480,\"median\":395640,\"p95\":531360,"
		"\"p99\":10122720,\"max\":14767280,\"mean\":601385,\"sd\":1532857,"
		"\"cv_ppm\":2548878%s%s%s%s,\"what\":\"getppid()\"}\n",
		kbest ? ",\"kbest\":" : "", kbest ? kbest : "",
		rank ? ",\"kbest_rank\":" : "", rank ? rank : "") > 0);
	return text;
}

static void kbest_fields_bad(void **state)
{
	/* Both or neither; kbest a whole number, kbest_rank one from 0 (no
	 * window: the minimum stands in) to batches (200 here). */
	static const struct {
		const char *kbest, *rank, *why;
	} bad[] = {
		{ "298080", NULL, "line 1: kbest and kbest_rank come together" },
		{ NULL, "1", "line 1: kbest and kbest_rank come together" },
		{ "-1", "1", "line 1: kbest is not a whole number" },
		{ "\"298080\"", "1", "line 1: kbest is not a whole number" },
		{ "298080.5", "1", "line 1: kbest is not a whole number" },
		{ "null", "1", "line 1: kbest is not a whole number" },
		{ "298080", "-1", "line 1: kbest_rank is not a whole number from 0 to batches" },
		{ "298080", "201", "line 1: kbest_rank is not a whole number from 0 to batches" },
		{ "298080", "1.0", "line 1: kbest_rank is not a whole number from 0 to batches" },
		{ "298080", "\"1\"", "line 1: kbest_rank is not a whole number from 0 to batches" },
	};
	static const struct {
		const char *kbest, *rank;
		bool have;
		uint64_t value, r;
	} good[] = {
		{ NULL, NULL, false, 0, 0 },	/* a row from before the k-best */
		{ "298080", "1", true, 298080, 1 },
		{ "298080", "0", true, 298080, 0 },	/* no window: the minimum */
		{ "0", "200", true, 0, 200 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct rows rs = { 0 };
		char *problem, *text = kbest_row(bad[i].kbest, bad[i].rank);

		if (rows_parse(text, "r", "host", "default", &rs, &problem) != 1 ||
		    strcmp(problem, bad[i].why))
			print_error("kbest %s, rank %s: %s\n", bad[i].kbest, bad[i].rank,
				    problem ? problem : "accepted");
		assert_int_equal(0, rs.n);
		assert_string_equal(bad[i].why, problem);
		free(problem);
		free(text);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		struct rows rs = { 0 };
		char *problem, *text = kbest_row(good[i].kbest, good[i].rank);

		assert_int_equal(0, rows_parse(text, "r", "host", "default", &rs, &problem));
		assert_null(problem);
		assert_int_equal(1, rs.n);
		assert_int_equal(good[i].have, rs.v[0].have_kbest);
		assert_int_equal(good[i].have, row_has(&rs.v[0], ST_KBEST));
		assert_true(row_has(&rs.v[0], ST_MEDIAN));
		if (good[i].have) {
			assert_int_equal(good[i].value, rs.v[0].stat[ST_KBEST]);
			assert_int_equal(good[i].r, rs.v[0].kbest_rank);
		}
		rows_free(&rs);
		free(text);
	}
}

static void left_out_rows(void **state)
{
	/* A row its program could not measure: schema, abi, path and a
	 * reason, nothing else; bad ones first. */
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "{\"schema\":\"lab-row/1\",\"abi\":\"i386\",\"path\":\"p\",\"left_out\":\"\"}",
		  "line 1: empty path, abi or reason" },
		{ "{\"schema\":\"lab-row/1\",\"abi\":\"i386\",\"path\":\"p\",\"left_out\":1}",
		  "line 1: a left-out row has schema, abi, path and left_out (a string), nothing else" },
		{ "{\"schema\":\"lab-row/1\",\"abi\":\"i386\",\"left_out\":\"why\"}",
		  "line 1: a left-out row has schema, abi, path and left_out (a string), nothing else" },
		{ "{\"schema\":\"lab-row/1\",\"abi\":\"i386\",\"path\":\"p\",\"left_out\":\"why\",\"median\":5}",
		  "line 1: a left-out row has schema, abi, path and left_out (a string), nothing else" },
		{ "{\"schema\":\"lab-row/2\",\"abi\":\"i386\",\"path\":\"p\",\"left_out\":\"why\"}",
		  "line 1: unknown schema" },
	};
	const char *good = "{\"schema\":\"lab-row/1\",\"abi\":\"i386\",\"path\":\"getppid_vdso32\","
			   "\"left_out\":\"no vDSO in this process (AT_SYSINFO is 0)\"}\n";
	struct rows rs = { 0 };
	char *problem;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *text = xasprintf("%s\n", bad[i].line);

		assert_int_equal(1, rows_parse(text, "r", "host", "default", &rs, &problem));
		assert_string_equal(bad[i].why, problem);
		assert_int_equal(0, rs.n);
		assert_int_equal(0, rs.nleft);
		free(problem);
		free(text);
	}
	assert_int_equal(0, rows_parse(good, "host.1", "host", "default", &rs, &problem));
	assert_null(problem);
	assert_int_equal(0, rs.n);
	assert_int_equal(1, rs.nleft);
	assert_string_equal("host.1", rs.left[0].run);
	assert_string_equal("i386", rs.left[0].abi);
	assert_string_equal("getppid_vdso32", rs.left[0].path);
	assert_string_equal("no vDSO in this process (AT_SYSINFO is 0)", rs.left[0].why);
	rows_free(&rs);
}

static void recorded_host_run_without_kbest(void **state)
{
	/* A host run (bench_user --host) from before the k-best: every row
	 * parses, none has one. */
	struct run *r = load("rows-no-kbest");

	(void)state;
	assert_int_equal(0, r->nproblems);
	assert_int_equal(5, r->rows.n);
	assert_string_equal("host", r->rows.v[0].mode);
	for (size_t i = 0; i < r->rows.n; i++) {
		assert_false(r->rows.v[i].have_kbest);
		assert_false(row_has(&r->rows.v[i], ST_KBEST));
		assert_true(row_has(&r->rows.v[i], ST_MEDIAN));
	}
	assert_string_equal("getppid_syscall", r->rows.v[4].path);
	assert_int_equal(401073, r->rows.v[4].stat[ST_MEDIAN]);
	run_free(r);
}

static void recorded_host_run_with_kbest(void **state)
{
	/* A host run of bench_user and bench_user32 --host, on a busy host
	 * (a kernel build and a busy loop): every row has its k-best, below
	 * its median, getppid()'s far below. */
	struct run *r = load("rows-kbest");
	const struct row *g = rows_find(&r->rows, "x86_64", "getppid_syscall", 0);
	const struct row *f = rows_find(&r->rows, "i386", "function_call", 0);

	(void)state;
	assert_int_equal(0, r->nproblems);
	assert_int_equal(10, r->rows.n);
	for (size_t i = 0; i < r->rows.n; i++) {
		assert_true(r->rows.v[i].have_kbest);
		assert_int_equal(1, r->rows.v[i].kbest_rank);
		assert_true(r->rows.v[i].stat[ST_KBEST] <= r->rows.v[i].stat[ST_MEDIAN]);
	}
	assert_non_null(g);
	assert_int_equal(298063, g->stat[ST_KBEST]);
	assert_int_equal(395623, g->stat[ST_MEDIAN]);
	assert_float_equal(298063.0 * 1000 / 2596144.0, row_value(g, ST_KBEST), 1e-9);
	assert_non_null(f);
	assert_int_equal(2810, f->stat[ST_KBEST]);
	run_free(r);
}

static void recorded_run_with_bad_ops(void **state)
{
	/* rows-icount's run with curve rows: two good, seven with a bad ops
	 * (0, -8, "8", 4294967296, 1048577, 8.0, null), the first bad on
	 * line 3. The good rows are kept, the bad ones are the run's problem. */
	static const char *const why[] = {
		"rows.jsonl: line 3: ops is not a whole number from 1 to 1048576",
		"rows.jsonl: 6 more bad lines", NULL,
	};
	struct run *r = load("rows-bad-ops");

	(void)state;
	assert_int_equal(3, r->rows.n);
	assert_string_equal("kernel_direct", r->rows.v[0].path);
	assert_int_equal(0, r->rows.v[0].ops);
	assert_int_equal(8, r->rows.v[1].ops);
	assert_int_equal(1048576, r->rows.v[2].ops);
	/* found by ops: the curve row of 8, none of 0 (a bad line), the
	 * main row only as ops 0 */
	assert_ptr_equal(&r->rows.v[1], rows_find(&r->rows, "x86_64", "batch_lab_batch", 8));
	assert_null(rows_find(&r->rows, "x86_64", "batch_lab_batch", 0));
	assert_ptr_equal(&r->rows.v[0], rows_find(&r->rows, "kernel", "kernel_direct", 0));
	assert_null(rows_find(&r->rows, "kernel", "kernel_direct", 1));
	assert_int_equal(2, r->nproblems);
	expect_summary(r, NULL, 6, 2, 0, why);
	run_free(r);
}

static void kselftest_made_to_fail(void **state)
{
	static const char *const why[] = {
		"kselftest-fail: enosys_test ",
		"not ok absent.int80.every_family_call_is_enosys: enosys_test.c:41:every_family_call_is_enosys:Expected -ENOSYS (-38) == m->hello() (0)",
		"exit status 1", NULL,
	};

	(void)state;
	expect_case("kselftest-fail", NULL, 13, 1, 0, why);
}

static void module_check_made_to_fail(void **state)
{
	/* make test's "red" run: exactly one failure, the module's other
	 * checks still passed, and the failed load is the step's result. */
	static const char *const why[] = {
		"module-fail: kernel_syscall.ko ",
		"not ok x64_sys_call: lab_null() returns 1: inject_failure=1: this check expects a wrong value on purpose; expected: returns 1; got:      returns 0",
		"finit_module(/lab/kernel_syscall.ko): Invalid argument", NULL,
	};
	struct run *r = load("module-fail");

	(void)state;
	assert_int_equal(2, r->results->planned);
	assert_int_equal(KTAP_FAIL, r->results->sub[0].result);
	assert_int_equal(21, r->results->sub[0].nsub);
	expect_summary(r, NULL, 21, 1, 0, why);
	expect_summary(r, KUNIT_SUITE, 28, 1, 0, why);
	run_free(r);
}

static void step_timed_out(void **state)
{
	static const char *const why[] = {
		"step-timeout: enosys_test32 ",
		"5 of 6 planned results never came (1 came)",
		"timed out after 600 s: killed", NULL,
	};

	(void)state;
	expect_case("step-timeout", NULL, 9, 5, 0, why);
}

static void killed_by_a_signal_after_a_short_plan(void **state)
{
	static const char *const why[] = {
		"signal: hello_test ",
		"33 of 43 planned results never came (10 came)",
		"killed by signal 11 (Segmentation fault)", NULL,
	};

	(void)state;
	/* 1 + 21 + 10 + 43 + 1 + KUnit's 7 */
	expect_case("signal", KUNIT_SUITE, 83, 33, 0, why);
}

static void kunit_absent_module_ktap_is_not_kunit(void **state)
{
	/* No KUnit on this kernel: the first KTAP on the console is the
	 * module's, 21 passing checks that are not KUnit's suite. */
	static const char *const why[] = {
		"kunit: lab_syscalls (kunit-absent console)",
		"KUnit's suite lab_syscalls did not run", NULL,
	};
	struct run *r = load("kunit-absent");

	(void)state;
	assert_non_null(r->kunit);
	expect_summary(r, KUNIT_SUITE, 24, 1, 0, why);
	run_free(r);
}

static void kunit_expected_on_a_kernel_without_the_suite(void **state)
{
	/* The real no-family kernel: KUnit built in, no suite ("1..0"). */
	static const char *const why[] = {
		"KUnit's suite lab_syscalls did not run", NULL,
	};

	(void)state;
	expect_case("enosys", KUNIT_SUITE, 14, 1, 0, why);
}

static void empty_results(void **state)
{
	/* QEMU said the guest finished well; the results are empty. */
	static const char *const why[] = {
		"empty-ktap: plan", "the guest reported no plan", NULL,
	};

	(void)state;
	expect_case("empty-ktap", NULL, 0, 1, 0, why);
}

static void no_run_without_its_meta(void **state)
{
	static const char *const cases[] = { "no-meta", "bad-meta", "wrong-schema" };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *dir, *err = NULL;
		struct run *r;

		assert_true(asprintf(&dir, "%s/%s", LAB_TEST_DATA, cases[i]) > 0);
		r = run_load(dir, cases[i], &err);
		free(dir);
		assert_null(r);
		assert_non_null(err);
		assert_non_null(strstr(err, "meta.json"));
		assert_non_null(strstr(err, cases[i]));
		free(err);
	}
}

/* --- the good cases ------------------------------------------------------------ */

static void clean_real_run(void **state)
{
	/* A real boot of the no-family kernel, as recorded. */
	struct run *r = load("enosys");

	(void)state;
	assert_string_equal("tcg", run_mode(r));
	assert_string_equal("default", run_mitigations(r));
	assert_string_equal("ok", run_outcome(r));
	assert_string_equal("6.1.192", run_fact(r, "release"));
	assert_string_equal("", run_fact(r, "no such fact"));
	assert_int_equal(0, r->nproblems);
	assert_int_equal(4, r->results->planned);
	assert_int_equal(4, r->results->nsub);
	assert_string_equal("enosys_test32", r->results->sub[2].name);
	/* KUnit without a suite: an empty document */
	assert_non_null(r->kunit);
	assert_int_equal(0, r->kunit->planned);
	assert_int_equal(0, r->rows.n);
	expect_summary(r, NULL, 14, 0, 0, NULL);
	run_free(r);
}

static void clean_run_with_kunit(void **state)
{
	struct run *r = load("kunit");
	const struct ktap_test *suite;

	(void)state;
	assert_int_equal(0, r->nproblems);
	assert_non_null(r->kunit);
	assert_int_equal(1, r->kunit->planned);
	assert_int_equal(1, r->kunit->nsub);
	suite = &r->kunit->sub[0];
	assert_string_equal("lab_syscalls", suite->name);
	assert_int_equal(7, suite->planned);
	assert_int_equal(7, suite->nsub);
	assert_string_equal("lab_greeting_refuses_bad_input", suite->sub[6].name);
	/* 21 + 1 + 1 + 1 from the guest, 7 from KUnit; nothing else */
	expect_summary(r, KUNIT_SUITE, 31, 0, 0, NULL);
	expect_summary(r, NULL, 24, 0, 0, NULL);
	run_free(r);
}

static void rows_in_ns(void **state)
{
	/* kvm: ns = milliticks * 1000 / tsc_khz */
	struct run *r = load("rows-good");
	const struct row *v = r->rows.v;

	(void)state;
	assert_int_equal(0, r->nproblems);
	assert_int_equal(3, r->rows.n);
	assert_string_equal("rows-good", v[0].run);
	assert_string_equal("kvm", v[0].mode);
	assert_string_equal("default", v[0].mitigations);
	assert_string_equal("kernel", v[0].abi);
	assert_string_equal("kernel_direct", v[0].path);
	assert_string_equal("ksys_lab_null() called directly", v[0].what);
	assert_int_equal(2500000, v[0].tsc_khz);
	assert_int_equal(20, v[0].batches);
	assert_int_equal(20, v[0].iters);
	assert_int_equal(5000, v[0].stat[ST_MEDIAN]);
	assert_string_equal("ns", row_unit(&v[0]));
	assert_float_equal(2.0, row_value(&v[0], ST_MEDIAN), 1e-9);
	assert_float_equal(100.0, row_value(&v[1], ST_MEDIAN), 1e-9);
	assert_float_equal(25.0, row_value(&v[2], ST_MEDIAN), 1e-9);
	assert_float_equal(1.6, row_value(&v[0], ST_MIN), 1e-9);
	/* cv_ppm is shown in percent */
	assert_float_equal(0.4, row_value(&v[0], ST_CV_PPM), 1e-9);
	expect_summary(r, KUNIT_SUITE, 13, 0, 0, NULL);
	run_free(r);
}

static void rows_kvm_nested(void **state)
{
	/* make test-kvm's run (lab nested): KVM in a guest of QEMU's TCG; the
	 * run and every row say kvm-nested, never kvm (hardware) */
	struct run *r = load("kvm-nested");

	(void)state;
	assert_int_equal(0, r->nproblems);
	assert_string_equal("kvm", run_meta(r, "mode"));
	assert_string_equal("kvm-nested", run_mode(r));
	assert_true(json_is_true(json_object_get(json_object_get(r->meta, "host"), "virtualised")));
	assert_int_equal(26, r->rows.n);
	for (size_t i = 0; i < r->rows.n; i++)
		assert_string_equal("kvm-nested", r->rows.v[i].mode);
	assert_string_equal("ns", row_unit(&r->rows.v[0]));
	expect_summary(r, NULL, 48, 0, 0, NULL);
	run_free(r);
}

static void rows_in_instructions_under_icount(void **state)
{
	/* icount: a tick is an instruction; instructions = milliticks / 1000 */
	struct run *r = load("rows-icount");
	const struct row *v = r->rows.v;

	(void)state;
	assert_int_equal(0, r->nproblems);
	assert_int_equal(2, r->rows.n);
	assert_string_equal("icount", v[0].mode);
	assert_string_equal("instructions", row_unit(&v[0]));
	assert_float_equal(12.0, row_value(&v[0], ST_MEDIAN), 1e-9);
	assert_float_equal(1234.567, row_value(&v[1], ST_MEDIAN), 1e-9);
	expect_summary(r, NULL, 6, 0, 0, NULL);
	run_free(r);
}

/* The median of the run's row abi/path that is no curve row, or -1. */
static double plain_row(const struct run *r, const char *abi, const char *path)
{
	for (size_t i = 0; i < r->rows.n; i++)
		if (!r->rows.v[i].ops && !strcmp(r->rows.v[i].abi, abi) &&
		    !strcmp(r->rows.v[i].path, path))
			return row_value(&r->rows.v[i], ST_MEDIAN);
	return -1;
}

static void crossovers_on_a_recorded_run(void **state)
{
	/* A real boot under TCG with the default mitigations (PTI: every
	 * crossing flushes QEMU's TLB, about 5.5 us of emulation): one
	 * lab_batch() of 2 already beats 2 separate calls, and so does io_uring
	 * with one io_uring_enter() for both; one io_uring_enter() per NOP
	 * never does; nothing comes within 2x of the in-kernel call (10.3 ns). */
	struct run *r = load("rows-curves");
	struct curve_point calls[16], batch[16], uring[16], single[16], calls32[16],
		batch32[16];
	size_t nc, nb, nu, ns, nc32, nb32;
	double floor;

	(void)state;
	assert_int_equal(0, r->nproblems);
	assert_string_equal("tcg", run_mode(r));
	nc = rows_curve(&r->rows, "x86_64", "batch_calls", calls, 16);
	nb = rows_curve(&r->rows, "x86_64", "batch_lab_batch", batch, 16);
	nu = rows_curve(&r->rows, "x86_64", "batch_uring", uring, 16);
	ns = rows_curve(&r->rows, "x86_64", "batch_uring_single", single, 16);
	nc32 = rows_curve(&r->rows, "i386", "batch_calls", calls32, 16);
	nb32 = rows_curve(&r->rows, "i386", "batch_lab_batch", batch32, 16);
	assert_int_equal(11, nc);
	assert_int_equal(11, nb);
	assert_int_equal(11, nu);
	assert_int_equal(11, ns);
	assert_int_equal(11, nc32);
	assert_int_equal(11, nb32);
	for (size_t i = 0; i < nb; i++)
		assert_int_equal(1u << i, batch[i].ops);
	/* no curve: no rows of that path, and the main rows are no curve */
	assert_int_equal(0, rows_curve(&r->rows, "i386", "batch_uring", uring, 16));
	assert_int_equal(0, rows_curve(&r->rows, "x86_64", "lab_null_syscall", uring, 16));
	floor = plain_row(r, "kernel", "kernel_direct");
	assert_true(floor > 10 && floor < 11);
	/* 6529 ns against 5464 at N=1, 3363 against 5469 at N=2 */
	assert_true(batch[0].value > calls[0].value);
	assert_int_equal(2, curve_first_below(batch, nb, calls, nc));
	assert_int_equal(0, curve_first_within(batch, nb, floor, 2.0));
	assert_true(batch[nb - 1].value > 2 * floor);
	assert_int_equal(2, curve_first_below(uring, nu, calls, nc));
	assert_int_equal(0, curve_first_within(uring, nu, floor, 2.0));
	assert_int_equal(0, curve_first_below(single, ns, calls, nc));
	assert_int_equal(0, curve_first_within(single, ns, floor, 2.0));
	assert_int_equal(2, curve_first_below(batch32, nb32, calls32, nc32));
	assert_int_equal(0, curve_first_within(batch32, nb32, floor, 2.0));
	/* 26 rows of the main table, 66 curve rows; a clean run */
	assert_int_equal(92, r->rows.n);
	expect_summary(r, NULL, 8, 0, 0, NULL);
	run_free(r);
}

static void crossovers_on_recorded_figures(void **state)
{
	/* The icount boot's figures (instructions an operation, default
	 * mitigations): a lab_batch() of 4 still costs more than 4 calls
	 * (244 against 241), one of 8 less. Out of order and with a point
	 * the calls lack, to show that neither matters. */
	static const struct curve_point calls[] = {
		{ 1, 241.031 }, { 2, 241.031 }, { 4, 241.031 }, { 8, 241.031 },
		{ 16, 241.031 }, { 1024, 241.002 },
	};
	static const struct curve_point batch[] = {
		{ 1024, 174.275 }, { 16, 191.531 }, { 1, 454.031 }, { 2, 314.031 },
		{ 4, 244.031 }, { 8, 209.031 }, { 32, 182.781 },
	};
	static const struct curve_point uring[] = {
		{ 1, 925.641 }, { 2, 598.891 }, { 4, 435.516 }, { 8, 353.828 },
		{ 16, 312.984 }, { 1024, 272.630 },
	};
	const size_t nc = sizeof(calls) / sizeof(*calls), nb = sizeof(batch) / sizeof(*batch),
		     nu = sizeof(uring) / sizeof(*uring);

	(void)state;
	assert_int_equal(8, curve_first_below(batch, nb, calls, nc));
	/* io_uring, one enter for N NOPs: 273 against 241 at N=1024, never */
	assert_int_equal(0, curve_first_below(uring, nu, calls, nc));
	/* The floor, 5 instructions: never within 2x, 35x at N=1024. */
	assert_int_equal(0, curve_first_within(batch, nb, 5.01, 2.0));
	/* Against a floor of 100 (200 or less): 209 at N=8, 191.5 at N=16. */
	assert_int_equal(16, curve_first_within(batch, nb, 100, 2.0));
	/* Exactly 2x is within. */
	assert_int_equal(8, curve_first_within(batch, nb, 209.031 / 2, 2.0));
	/* No floor, or an empty curve: no answer. */
	assert_int_equal(0, curve_first_within(batch, nb, 0, 2.0));
	assert_int_equal(0, curve_first_within(batch, nb, NAN, 2.0));
	assert_int_equal(0, curve_first_below(batch, nb, calls, 0));
	assert_int_equal(0, curve_first_below(batch, 0, calls, nc));
}

/* --- the host's TAP files (make host-tests) ------------------------------------- */

static void host_tap_files(void **state)
{
	/* make host-tests writes each program's TAP to NAME.tap, and appends
	 * "not ok - NAME exited with status N" when it exits non-zero. */
	static const char *const why[] = {
		"host: crashed ", "not ok crashed exited with status 139",
		"2 of 5 planned results never came (3 came)",
		"host: leaked ", "not ok leaked exited with status 1",
		"host: nul ", "NUL bytes in the results",
		"not ok nul exited with status 1",
		"host: unplanned ", "no plan: the results may be cut short", NULL,
	};
	struct summary s = { 0 };
	struct ktap_counts t;
	const char *missing = NULL;
	char *text;
	bool ok;

	(void)state;
	summary_add_tap_dir(&s, LAB_TEST_DATA "/host-tap");
	text = printed(&s, &t);
	/* crashed: 2 passed, 3 missing + the not ok; leaked: 3 passed, 1
	 * failed; nul: 1 + 1, and the NUL; passing: 3 passed, 1 skipped;
	 * unplanned: 1 passed and the missing plan */
	ok = t.passed == 2 + 3 + 1 + 3 + 1 && t.failed == 3 + 1 + 2 + 0 + 1 &&
	     t.skipped == 1 && has_all(text, why, &missing);
	if (!ok)
		print_error("missing: %s; the summary:\n%s", missing ? missing : "-", text);
	free(text);
	sum_free(&s);
	assert_true(ok);
}

static void cmocka_reason_after_the_result(void **state)
{
	/* cmocka (and TAP 13) print a failure's reason after its "not ok":
	 * the summary must still say it, for a failure in the middle and at
	 * the end. */
	static const char *const why[] = {
		"not ok b: ERROR: expected 1, got 2",
		"not ok d: ERROR: null pointer", NULL,
	};
	struct ktap_test *doc = ktap_parse(
		"TAP version 13\n1..4\nok 1 - a\nnot ok 2 - b\n"
		"# ERROR: expected 1, got 2\nok 3 - c\nnot ok 4 - d\n"
		"# ERROR: null pointer\n");
	struct summary s = { 0 };
	struct ktap_counts t;
	const char *missing = NULL;
	char *text;
	bool ok;

	(void)state;
	sum_add_doc(&s, "host: cmocka", doc);
	text = printed(&s, &t);
	ok = t.passed == 2 && t.failed == 2 && has_all(text, why, &missing);
	if (!ok)
		print_error("missing: %s; the summary:\n%s", missing ? missing : "-", text);
	free(text);
	sum_free(&s);
	ktap_free(doc);
	assert_true(ok);
}

/* --- every case has its test ---------------------------------------------------------- */

static const char *const known_cases[] = {
	"bad-meta", "died-mid-plan", "empty-ktap", "enosys", "garbage-results",
	"garbage-rows", "host-tap", "interrupted", "kselftest-fail", "kunit",
	"kunit-absent", "kvm-nested", "long-name", "module-fail", "no-meta", "no-newline",
	"panic", "panic-at-boot", "rows-bad-ops", "rows-curves", "rows-good",
	"rows-icount", "rows-kbest", "rows-no-kbest", "rows-truncated",
	"signal", "step-timeout", "timeout-at-start", "wrong-schema",
};

static void every_recorded_case_is_tested(void **state)
{
	struct dirent **names;
	int n = scandir(LAB_TEST_DATA, &names, NULL, alphasort);
	size_t k = 0, nknown = sizeof(known_cases) / sizeof(*known_cases);
	bool ok = true;

	(void)state;
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		char *path;
		struct stat st;

		assert_true(asprintf(&path, "%s/%s", LAB_TEST_DATA, name) > 0);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && name[0] != '.') {
			if (k >= nknown || strcmp(name, known_cases[k])) {
				print_error("tests/data/%s: no test knows it (or one is missing)\n",
					    name);
				ok = false;
			}
			k++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	assert_true(ok);
	assert_int_equal(nknown, k);
}

/* The one trouble list: a WARN() and an oops are trouble, a kernel's
 * warning about a setting asked for is not. */
static void trouble_lines(void **state)
{
	(void)state;
	assert_non_null(lab_trouble("[    1.0] WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x0/0x10"));
	assert_non_null(lab_trouble("Kernel panic - not syncing: Fatal exception"));
	assert_non_null(lab_trouble("Oops: 0000 [#1] PREEMPT SMP PTI"));
	assert_non_null(lab_trouble("BUG: unable to handle page fault for address: 0"));
	assert_non_null(lab_trouble(" Call Trace:"));
	assert_null(lab_trouble("ITS: WARNING: Spectre-v2 mitigation is off, disabling ITS"));
	assert_null(lab_trouble("Spectre V2 : WARNING: Unprivileged eBPF is enabled"));
	assert_null(lab_trouble("hello: Hello world"));
}

/* A saved summary (make test's arm64 half), loaded into the whole: the
 * bad cases first. */
static struct ktap_counts saved_totals(const char *json, struct summary *s)
{
	char path[] = "/tmp/lab-summary-XXXXXX";
	int fd = mkstemp(path);
	struct ktap_counts t = { 0 };

	assert_true(fd >= 0);
	if (json)
		assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	if (!json)
		unlink(path);
	sum_add_saved(s, "arm64: ", path);
	unlink(path);
	for (size_t i = 0; i < s->n; i++) {
		t.passed += s->v[i].c.passed;
		t.failed += s->v[i].c.failed;
		t.skipped += s->v[i].c.skipped;
	}
	return t;
}

static void saved_summary_missing_or_damaged(void **state)
{
	static const char *const bad[] = {
		NULL,	/* the file is not there */
		"",
		"{\"schema\":\"lab-summary/2\",\"rows\":[{\"label\":\"x\",\"passed\":1,\"failed\":0,\"skipped\":0,\"why\":[]}]}",
		"{\"schema\":\"lab-summary/1\",\"rows\":[]}",
		"{\"schema\":\"lab-summary/1\",\"rows\":[{\"label\":\"a\",\"passed\":5,\"failed\":0,\"skipped\":0,\"why\":[]},"
		"{\"label\":\"b\",\"passed\":-1,\"failed\":0,\"skipped\":0,\"why\":[]}]}",
		"{\"schema\":\"lab-summary/1\",\"rows\":[{\"passed\":5,\"failed\":0,\"skipped\":0,\"why\":[]}]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct summary s = { 0 };
		struct ktap_counts t = saved_totals(bad[i], &s);

		/* one failure, and nothing the damaged file says counts */
		assert_int_equal(t.failed, 1);
		assert_int_equal(t.passed, 0);
		assert_int_equal(s.n, 1);
		assert_non_null(strstr(s.v[0].label, "arm64: "));
		sum_free(&s);
	}
}

static void saved_summary_round_trip(void **state)
{
	struct summary a = { 0 }, b = { 0 };
	char dir[] = "/tmp/lab-summary-dir-XXXXXX", *path;
	struct ktap_counts t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/summary.json", dir);
	sum_add_failure(&a, "lab kernel", "a boot that timed out");
	a.v[0].c = (struct ktap_counts){ 40, 1, 2 };
	sum_add_failure(&a, "icount", "\"quoted\" and\ttabbed");
	assert_int_equal(sum_save(&a, path), 0);
	sum_add_saved(&b, "arm64: ", path);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.v[0].label, "arm64: lab kernel");
	assert_string_equal(b.v[1].why[0], "\"quoted\" and\ttabbed");
	{
		FILE *null = fopen("/dev/null", "w");

		assert_non_null(null);
		t = sum_print(&b, null);
		fclose(null);
	}
	assert_int_equal(t.passed, 40);
	assert_int_equal(t.failed, 2);
	assert_int_equal(t.skipped, 2);
	unlink(path);
	rmdir(dir);
	free(path);
	sum_free(&a);
	sum_free(&b);
}

/* "LABEL=FILE" labels the rows, "FILE" keeps them as saved, and a spec
 * naming no file is one failure under its label. */
static void saved_summary_spec(void **state)
{
	struct summary a = { 0 }, b = { 0 };
	char dir[] = "/tmp/lab-summary-dir-XXXXXX", *path, *spec;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/summary.json", dir);
	sum_add_failure(&a, "lab kernel", "a boot that timed out");
	assert_int_equal(sum_save(&a, path), 0);
	spec = xasprintf("6.1 arm64=%s", path);
	sum_add_saved_spec(&b, "6.1 arm64=/no/such/summary.json");
	sum_add_saved_spec(&b, spec);
	sum_add_saved_spec(&b, path);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.v[0].label, "6.1 arm64: (summary)");
	assert_int_equal(b.v[0].c.failed, 1);
	assert_string_equal(b.v[1].label, "6.1 arm64: lab kernel");
	assert_string_equal(b.v[2].label, "lab kernel");
	unlink(path);
	rmdir(dir);
	free(spec);
	free(path);
	sum_free(&a);
	sum_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_step_name),
		cmocka_unit_test(last_lines_without_newline),
		cmocka_unit_test(guest_died_mid_plan),
		cmocka_unit_test(kernel_panic_mid_step),
		cmocka_unit_test(kernel_panic_at_boot),
		cmocka_unit_test(timeout_before_any_output),
		cmocka_unit_test(interrupted_boot),
		cmocka_unit_test(truncated_benchmark_row),
		cmocka_unit_test(garbage_on_the_results_channel),
		cmocka_unit_test(garbage_on_the_rows_channel),
		cmocka_unit_test(curve_rows_with_bad_ops),
		cmocka_unit_test(recorded_run_with_bad_ops),
		cmocka_unit_test(kbest_fields_bad),
		cmocka_unit_test(left_out_rows),
		cmocka_unit_test(recorded_host_run_without_kbest),
		cmocka_unit_test(recorded_host_run_with_kbest),
		cmocka_unit_test(kselftest_made_to_fail),
		cmocka_unit_test(module_check_made_to_fail),
		cmocka_unit_test(step_timed_out),
		cmocka_unit_test(killed_by_a_signal_after_a_short_plan),
		cmocka_unit_test(kunit_absent_module_ktap_is_not_kunit),
		cmocka_unit_test(kunit_expected_on_a_kernel_without_the_suite),
		cmocka_unit_test(empty_results),
		cmocka_unit_test(no_run_without_its_meta),
		cmocka_unit_test(clean_real_run),
		cmocka_unit_test(clean_run_with_kunit),
		cmocka_unit_test(rows_in_ns),
		cmocka_unit_test(rows_kvm_nested),
		cmocka_unit_test(rows_in_instructions_under_icount),
		cmocka_unit_test(crossovers_on_a_recorded_run),
		cmocka_unit_test(crossovers_on_recorded_figures),
		cmocka_unit_test(host_tap_files),
		cmocka_unit_test(cmocka_reason_after_the_result),
		cmocka_unit_test(trouble_lines),
		cmocka_unit_test(saved_summary_missing_or_damaged),
		cmocka_unit_test(saved_summary_round_trip),
		cmocka_unit_test(saved_summary_spec),
		cmocka_unit_test(every_recorded_case_is_tested),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
