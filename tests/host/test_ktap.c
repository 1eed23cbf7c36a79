/*
 * Unit tests of host/ktap.c, the lab's one reader of test results: KTAP
 * (the kernel's), kselftest's TAP 13 and cmocka's TAP, on strings. The bad
 * cases come first: whatever did not report, or reported badly, must count
 * as a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ktap.h"

#define assert_counts(c, p, f, s)                      \
	do {                                           \
		assert_int_equal((p), (c).passed);     \
		assert_int_equal((f), (c).failed);     \
		assert_int_equal((s), (c).skipped);    \
	} while (0)

/* --- the bad cases --------------------------------------------------------- */

static void short_plan_counts_the_missing_as_failed(void **state)
{
	/* A test program that crashed after its second test. */
	struct ktap_test *doc = ktap_parse("TAP version 13\n1..5\nok 1 a\nok 2 b\n");

	(void)state;
	assert_int_equal(5, doc->planned);
	assert_int_equal(2, doc->nsub);
	assert_counts(ktap_count(doc, true), 2, 3, 0);
	ktap_free(doc);
}

static void short_plan_inside_a_step(void **state)
{
	/* The guest's view: a step whose program stopped after 1 of 3 and
	 * whose own result line still says ok. */
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..1\n"
		"    TAP version 13\n    1..3\n    ok 1 x\n"
		"ok 1 prog\n");

	(void)state;
	assert_int_equal(1, doc->nsub);
	assert_int_equal(3, doc->sub[0].planned);
	assert_counts(ktap_count(&doc->sub[0], false), 1, 2, 0);
	assert_counts(ktap_count(doc, true), 1, 2, 0);
	ktap_free(doc);
}

static void bail_out_fails(void **state)
{
	struct ktap_test *doc = ktap_parse("ok 1 a\nBail out! no kernel\n");
	struct ktap_test *planned = ktap_parse("1..3\nok 1 a\nBail out! no kernel\n");

	(void)state;
	assert_true(doc->bailed);
	assert_counts(ktap_count(doc, true), 1, 1, 0);
	/* the missing results are the failures; the bail adds none */
	assert_true(planned->bailed);
	assert_counts(ktap_count(planned, true), 1, 2, 0);
	ktap_free(doc);
	ktap_free(planned);
	/* a program that bailed out and still exited 0: no pass */
	doc = ktap_parse("KTAP version 1\n1..1\n"
			 "    TAP version 13\n    Bail out! no vDSO\nok 1 prog\n");
	assert_true(doc->sub[0].bailed);
	assert_counts(ktap_count(doc, true), 0, 1, 0);
	ktap_free(doc);
}

static void subtest_without_a_result_line_fails(void **state)
{
	/* A suite that never printed its own "ok": its cases count, and it
	 * is a failed test of its own. */
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..2\n"
		"    KTAP version 1\n    # Subtest: one\n    1..1\n    ok 1 a\n"
		"ok 1 one\n"
		"    KTAP version 1\n    # Subtest: two\n    1..2\n    ok 1 b\n    ok 2 c\n");
	const struct ktap_test *two;

	(void)state;
	assert_int_equal(2, doc->nsub);
	two = &doc->sub[1];
	assert_int_equal(KTAP_FAIL, two->result);
	assert_non_null(strstr(two->name, "no result line"));
	assert_int_equal(2, two->nsub);
	assert_counts(ktap_count(two, false), 2, 1, 0);
	assert_counts(ktap_count(doc, true), 3, 1, 0);
	ktap_free(doc);
}

static void unfinished_subtest_with_a_short_plan(void **state)
{
	/* The guest died inside a step: 2 of 6 came, no result line. */
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..3\nok 1 info\n"
		"    TAP version 13\n    1..6\n    ok 1 a\n    ok 2 b\n"
		"    #  RUN           c ...");

	(void)state;
	assert_int_equal(2, doc->nsub);
	assert_int_equal(KTAP_FAIL, doc->sub[1].result);
	assert_counts(ktap_count(&doc->sub[1], false), 2, 4, 0);
	/* 1 + 2 passed; 4 missing in the step, 1 missing step */
	assert_counts(ktap_count(doc, true), 3, 5, 0);
	ktap_free(doc);
}

static void failed_step_whose_subtests_passed(void **state)
{
	/* A program that exited non-zero (or was killed) after its tests. */
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..1\n"
		"    TAP version 13\n    1..2\n    ok 1 a\n    ok 2 b\n"
		"# exit status 3\nnot ok 1 prog\n");

	(void)state;
	assert_counts(ktap_count(doc, true), 2, 1, 0);
	ktap_free(doc);
}

static void results_beyond_the_plan_fail(void **state)
{
	struct ktap_test *doc = ktap_parse("1..2\nok 1 a\nok 2 b\nok 3 c\n");

	(void)state;
	assert_counts(ktap_count(doc, true), 3, 1, 0);
	ktap_free(doc);
}

static void unnumbered_not_ok_is_a_failure(void **state)
{
	/* make host-tests appends this when a test program exits non-zero
	 * (a sanitizer's report at exit) after a complete, passing plan. */
	struct ktap_test *doc = ktap_parse(
		"1..2\nok 1 - a\nok 2 - b\n# ok - suite\n"
		"not ok - test_ktap exited with status 1\n");
	struct ktap_test *bare = ktap_parse("1..1\nnot ok\n");

	(void)state;
	assert_int_equal(3, doc->nsub);
	assert_int_equal(KTAP_FAIL, doc->sub[2].result);
	assert_int_equal(0, doc->sub[2].number);
	assert_string_equal("test_ktap exited with status 1", doc->sub[2].name);
	assert_counts(ktap_count(doc, true), 2, 1, 0);
	assert_counts(ktap_count(bare, true), 0, 1, 0);
	ktap_free(doc);
	ktap_free(bare);
}

static void empty_input_has_no_plan_and_no_results(void **state)
{
	struct ktap_test *doc = ktap_parse("");
	struct ktap_test *null = ktap_parse(NULL);

	(void)state;
	assert_int_equal(-1, doc->planned);
	assert_int_equal(0, doc->nsub);
	assert_counts(ktap_count(doc, true), 0, 0, 0);
	assert_int_equal(-1, null->planned);
	assert_int_equal(0, null->nsub);
	ktap_free(doc);
	ktap_free(null);
}

static void lines_that_are_no_results(void **state)
{
	struct ktap_test *doc = ktap_parse(
		"okay\nnot okay\nok so far\n# ok 1 in a comment\nbook 1\n"
		" ok 1 one space is no level\n1..x\n");

	(void)state;
	assert_int_equal(-1, doc->planned);
	assert_int_equal(0, doc->nsub);
	ktap_free(doc);
}

/* --- the formats ----------------------------------------------------------- */

static void kselftest_flat_tap13(void **state)
{
	struct ktap_test *doc = ktap_parse(
		"TAP version 13\n1..3\n# Starting 3 tests from 1 test cases.\n"
		"#  RUN           lab.glibc.a ...\n#            OK  lab.glibc.a\n"
		"ok 1 lab.glibc.a\n"
		"#  RUN           lab.glibc.b ...\n"
		"# hello_test.c:80:b:Expected 0 (0) == ret (-38)\n"
		"#          FAIL  lab.glibc.b\n"
		"not ok 2 lab.glibc.b\n"
		"ok 3 lab.glibc.c # SKIP no vDSO\n"
		"# FAILED: 1 / 3 tests passed.\n"
		"# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0\n");

	(void)state;
	assert_int_equal(3, doc->planned);
	assert_int_equal(3, doc->nsub);
	assert_string_equal("lab.glibc.a", doc->sub[0].name);
	assert_int_equal(1, doc->sub[0].number);
	assert_int_equal(KTAP_FAIL, doc->sub[1].result);
	assert_int_equal(3, doc->sub[1].ndiag);
	assert_string_equal("# hello_test.c:80:b:Expected 0 (0) == ret (-38)",
			    doc->sub[1].diag[1]);
	assert_int_equal(KTAP_SKIP, doc->sub[2].result);
	assert_string_equal("lab.glibc.c", doc->sub[2].name);
	assert_string_equal("SKIP no vDSO", doc->sub[2].directive);
	assert_counts(ktap_count(doc, true), 1, 1, 1);
	ktap_free(doc);
}

static void cmocka_tap(void **state)
{
	/* CMOCKA_MESSAGE_OUTPUT=TAP, as libcmocka 1.1 prints it. */
	struct ktap_test *doc = ktap_parse(
		"1..3\nok 1 - a\nnot ok 2 - b\n# 0x1 != 0x2\n"
		"# t.c:7: error: Failure!\nnot ok 3 # SKIP c\n# not ok - grp\n");

	(void)state;
	assert_int_equal(3, doc->planned);
	assert_int_equal(3, doc->nsub);
	assert_string_equal("a", doc->sub[0].name);
	assert_string_equal("b", doc->sub[1].name);
	assert_int_equal(KTAP_FAIL, doc->sub[1].result);
	assert_int_equal(KTAP_SKIP, doc->sub[2].result);
	assert_string_equal("", doc->sub[2].name);
	assert_string_equal("SKIP c", doc->sub[2].directive);
	assert_counts(ktap_count(doc, true), 1, 1, 1);
	ktap_free(doc);
}

static void skip_and_xfail_directives(void **state)
{
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..5\n"
		"ok 1 a # SKIP no vDSO here\n"
		"not ok 2 b # skip lower case\n"
		"ok 3 c # XFAIL known to fail\n"
		"ok 4 d # a remark, no directive\n"
		"not ok 5 e # TODO not a pass\n");

	(void)state;
	assert_int_equal(KTAP_SKIP, doc->sub[0].result);
	assert_string_equal("a", doc->sub[0].name);
	assert_string_equal("SKIP no vDSO here", doc->sub[0].directive);
	assert_int_equal(KTAP_SKIP, doc->sub[1].result);
	assert_int_equal(KTAP_PASS, doc->sub[2].result);
	assert_string_equal("XFAIL known to fail", doc->sub[2].directive);
	assert_int_equal(KTAP_PASS, doc->sub[3].result);
	assert_string_equal("a remark, no directive", doc->sub[3].directive);
	assert_int_equal(KTAP_FAIL, doc->sub[4].result);
	assert_null(doc->sub[0].sub);
	assert_counts(ktap_count(doc, true), 2, 1, 2);
	ktap_free(doc);
}

static void skipped_program_counts_as_skipped(void **state)
{
	/* kselftest's ksft_exit_skip(): "1..0 # SKIP why", exit 4 (KSFT_SKIP),
	 * a step with nothing run: not a pass. */
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..2\n"
		"    TAP version 13\n    1..0 # SKIP no 32-bit support\n"
		"ok 1 prog32\n"
		"    TAP version 13\n    1..0 # SKIP no 32-bit support\n"
		"ok 2 prog32_skip # SKIP\n");

	(void)state;
	assert_int_equal(0, doc->sub[0].planned);
	assert_counts(ktap_count(&doc->sub[0], false), 0, 0, 1);
	assert_counts(ktap_count(doc, true), 0, 0, 2);
	ktap_free(doc);
}

static void nested_ktap_counts_cases_not_suites(void **state)
{
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..2\n"
		"    KTAP version 1\n    # Subtest: one\n    1..2\n"
		"    ok 1 a\n    ok 2 b\nok 1 one\n"
		"    KTAP version 1\n    # Subtest: two\n    1..2\n"
		"    # c: EXPECTATION FAILED at lib/x.c:10\n"
		"    Expected 1 == 2, but\n        1 == 1\n"
		"    not ok 1 c\n"
		"        KTAP version 1\n        # Subtest: d\n"
		"        ok 1 d-param-0\n        ok 2 d-param-1 # SKIP no such\n"
		"    ok 2 d\n"
		"not ok 2 two\n");
	const struct ktap_test *two, *d;

	(void)state;
	assert_int_equal(2, doc->nsub);
	two = &doc->sub[1];
	assert_string_equal("two", two->name);
	assert_int_equal(2, two->planned);
	assert_int_equal(2, two->nsub);
	assert_string_equal("c", two->sub[0].name);
	assert_string_equal("# c: EXPECTATION FAILED at lib/x.c:10",
			    two->sub[0].diag[two->sub[0].ndiag - 1]);
	d = &two->sub[1];
	assert_int_equal(2, d->nsub);
	assert_string_equal("d-param-1", d->sub[1].name);
	/* parameters are counted, not their parent */
	assert_counts(ktap_count(d, false), 1, 0, 1);
	assert_counts(ktap_count(doc, true), 3, 1, 1);
	ktap_free(doc);
}

static void plan_at_the_end(void **state)
{
	struct ktap_test *doc = ktap_parse("TAP version 13\nok 1 a\nnot ok 2 b\n1..2\n");
	struct ktap_test *short_run = ktap_parse("ok 1 a\n1..3\n");

	(void)state;
	assert_int_equal(2, doc->planned);
	assert_counts(ktap_count(doc, true), 1, 1, 0);
	assert_counts(ktap_count(short_run, true), 1, 2, 0);
	ktap_free(doc);
	ktap_free(short_run);
}

static void planless_output(void **state)
{
	/* No plan: counted as far as it goes, and the plan says -1 (the
	 * summary calls that a failure: it may be cut short). */
	struct ktap_test *doc = ktap_parse("ok 1 a\nnot ok 2 b\nok 3 c # SKIP\n");

	(void)state;
	assert_int_equal(-1, doc->planned);
	assert_int_equal(3, doc->nsub);
	assert_counts(ktap_count(doc, true), 1, 1, 1);
	ktap_free(doc);
}

static void output_lines_are_kept(void **state)
{
	/* A step that speaks no KTAP: its output, one level of indentation
	 * removed (deeper indentation kept), is the step's lines. */
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..2\n"
		"    user_syscall (x86_64): lab_call_site_syscall() returned 0\n"
		"    every call, every way in:\n"
		"      syscall lab_null()  = 0\n"
		"        deeper still\n"
		"    \n"
		"ok 1 user_syscall\n"
		"ok 2 kernel-log-check\n");
	const struct ktap_test *t = &doc->sub[0];

	(void)state;
	assert_int_equal(2, doc->nsub);
	assert_string_equal("user_syscall", t->name);
	assert_int_equal(0, t->nsub);
	assert_int_equal(-1, t->planned);
	assert_int_equal(5, t->nlines);
	assert_string_equal("user_syscall (x86_64): lab_call_site_syscall() returned 0",
			    t->lines[0]);
	assert_string_equal("  syscall lab_null()  = 0", t->lines[2]);
	assert_string_equal("    deeper still", t->lines[3]);
	assert_string_equal("", t->lines[4]);
	assert_int_equal(0, doc->sub[1].nlines);
	/* output that is no KTAP is no result: the step counts as itself */
	assert_counts(ktap_count(t, false), 1, 0, 0);
	assert_counts(ktap_count(doc, true), 2, 0, 0);
	ktap_free(doc);
}

static void ktap_subtest_lines_are_kept_too(void **state)
{
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..1\n"
		"    kernel_syscall: loading out-of-tree module taints kernel.\n"
		"    KTAP version 1\n    1..1\n    ok 1 direct: ksys_lab_null() returns 0\n"
		"ok 1 kernel_syscall.ko\n");
	const struct ktap_test *t = &doc->sub[0];

	(void)state;
	assert_int_equal(4, t->nlines);
	assert_string_equal("kernel_syscall: loading out-of-tree module taints kernel.",
			    t->lines[0]);
	assert_string_equal("KTAP version 1", t->lines[1]);
	assert_string_equal("ok 1 direct: ksys_lab_null() returns 0", t->lines[3]);
	assert_int_equal(1, t->nsub);
	assert_string_equal("direct: ksys_lab_null() returns 0", t->sub[0].name);
	ktap_free(doc);
}

static void diagnostics_before_a_result_say_why(void **state)
{
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..3\n"
		"ok 1 info\n"
		"# not about step 2\n"
		"    cannot run /lab/bin/x: No such file or directory\n"
		"# exit status 127\n"
		"not ok 2 x\n"
		"#\n"
		"# kernel log: WARNING: CPU: 0 PID: 1 at kernel/x.c:1\n"
		"not ok 3 kernel-log-check\n");
	const struct ktap_test *x = &doc->sub[1], *log = &doc->sub[2];

	(void)state;
	assert_int_equal(0, doc->sub[0].ndiag);
	assert_int_equal(2, x->ndiag);
	assert_string_equal("# not about step 2", x->diag[0]);
	assert_string_equal("# exit status 127", x->diag[1]);
	assert_int_equal(1, x->nlines);
	/* "#" alone is no diagnostic: every diag line starts "# " */
	assert_int_equal(1, log->ndiag);
	assert_string_equal("# kernel log: WARNING: CPU: 0 PID: 1 at kernel/x.c:1",
			    log->diag[0]);
	assert_counts(ktap_count(doc, true), 1, 2, 0);
	ktap_free(doc);
}

static void crlf_line_ends(void **state)
{
	struct ktap_test *doc = ktap_parse("TAP version 13\r\n1..2\r\nok 1 a\r\nnot ok 2 b\r\n");

	(void)state;
	assert_string_equal("a", doc->sub[0].name);
	assert_string_equal("b", doc->sub[1].name);
	assert_counts(ktap_count(doc, true), 1, 1, 0);
	ktap_free(doc);
}

static void last_line_without_newline_is_read(void **state)
{
	struct ktap_test *doc = ktap_parse("1..2\nok 1 - a\nnot ok 2 - b");

	(void)state;
	assert_int_equal(2, doc->nsub);
	assert_counts(ktap_count(doc, true), 1, 1, 0);
	ktap_free(doc);
}

static void long_names_are_kept_whole(void **state)
{
	const char *name = "enosys_test32_every_family_call_from_a_32_bit_process_"
			   "and_then_some_more_words_to_pass_two_hundred_characters_"
			   "because_an_old_runner_cut_names_at_a_fixed_width_and_"
			   "dropped_the_row_when_they_did_not_fit";
	char text[512];
	struct ktap_test *doc;

	(void)state;
	snprintf(text, sizeof(text), "1..1\nnot ok 1 %s\n", name);
	doc = ktap_parse(text);
	assert_int_equal(1, doc->nsub);
	assert_string_equal(name, doc->sub[0].name);
	assert_counts(ktap_count(doc, true), 0, 1, 0);
	ktap_free(doc);
}

/* --- the console ------------------------------------------------------------ */

static void console_timestamped_kunit(void **state)
{
	/* KUnit 6.1 on a console with time stamps, kernel messages between
	 * its lines (the test itself logs), and after it, another module's
	 * KTAP: only the first document is KUnit's. */
	struct ktap_test *doc = ktap_parse_console(
		"[    0.000000] Linux version 6.1.192\r\n"
		"[    0.412345] random: crng init done\r\n"
		"[    0.512345] KTAP version 1\r\n"
		"[    0.512346] 1..1\r\n"
		"[    0.512347]     KTAP version 1\r\n"
		"[    0.512348]     # Subtest: lab_syscalls\r\n"
		"[    0.512349]     1..2\r\n"
		"[    0.512350]     ok 1 lab_null_returns_zero\r\n"
		"[    0.512351] hello: Hello world\r\n"
		"[    0.512352]     ok 2 lab_hello_returns_zero\r\n"
		"[    0.512353] # lab_syscalls: pass:2 fail:0 skip:0 total:2\r\n"
		"[    0.512354] # Totals: pass:2 fail:0 skip:0 total:2\r\n"
		"[    0.512355] ok 1 lab_syscalls\r\n"
		"[    0.600000] Freeing unused kernel image (initmem) memory: 796K\r\n"
		"[    1.000000] KTAP version 1\r\n"
		"[    1.000001] 1..2\r\n"
		"[    1.000002] ok 1 direct: ksys_lab_null() returns 0\r\n"
		"[    1.000003] not ok 2 direct: ksys_hello() returns 0\r\n");
	const struct ktap_test *suite;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(1, doc->planned);
	assert_int_equal(1, doc->nsub);
	suite = &doc->sub[0];
	assert_string_equal("lab_syscalls", suite->name);
	assert_int_equal(2, suite->planned);
	assert_int_equal(2, suite->nsub);
	assert_string_equal("lab_hello_returns_zero", suite->sub[1].name);
	assert_counts(ktap_count(doc, true), 2, 0, 0);
	ktap_free(doc);
}

static void console_untimed_kunit(void **state)
{
	/* The lab's kernels print no time stamps (CONFIG_PRINTK_TIME=n). */
	struct ktap_test *doc = ktap_parse_console(
		"input: AT Translated Set 2 keyboard\n"
		"KTAP version 1\n1..1\n"
		"    KTAP version 1\n    # Subtest: lab_syscalls\n    1..1\n"
		"    # lab_null_returns_zero: EXPECTATION FAILED at kernel/hello/hello_kunit.c:17\n"
		"    Expected ksys_lab_null() == 0L, but\n"
		"        ksys_lab_null() == -38\n"
		"    not ok 1 lab_null_returns_zero\n"
		"# lab_syscalls: pass:0 fail:1 skip:0 total:1\n"
		"not ok 1 lab_syscalls\n");
	const struct ktap_test *suite;

	(void)state;
	assert_non_null(doc);
	assert_counts(ktap_count(doc, true), 0, 1, 0);
	suite = &doc->sub[0];
	assert_string_equal("# lab_null_returns_zero: EXPECTATION FAILED at kernel/hello/hello_kunit.c:17",
			    suite->sub[0].diag[suite->sub[0].ndiag - 1]);
	/* what KUnit says under the diagnostic is the suite's output */
	assert_string_equal("Expected ksys_lab_null() == 0L, but", suite->lines[4]);
	assert_string_equal("    ksys_lab_null() == -38", suite->lines[5]);
	ktap_free(doc);
}

static void console_without_ktap(void **state)
{
	(void)state;
	assert_null(ktap_parse_console(""));
	assert_null(ktap_parse_console(NULL));
	assert_null(ktap_parse_console("Linux version 6.1.192\nok 1 not a document\n"
				       "Run /init as init process\n"));
}

static void console_empty_kunit_document(void **state)
{
	/* KUnit built in, no suite: "1..0", and then a module's KTAP that
	 * must not be taken for KUnit's. */
	struct ktap_test *doc = ktap_parse_console(
		"KTAP version 1\n1..0\nFreeing unused kernel image\n"
		"KTAP version 1\n1..1\nok 1 direct: ksys_lab_null() returns 0\n");

	(void)state;
	assert_non_null(doc);
	assert_int_equal(0, doc->planned);
	assert_int_equal(0, doc->nsub);
	assert_counts(ktap_count(doc, true), 0, 0, 0);
	ktap_free(doc);
}

static void console_kunit_cut_by_a_panic(void **state)
{
	/* KUnit's document never finished; the next document (a module's,
	 * or anything after a reboot) is not part of it. */
	struct ktap_test *doc = ktap_parse_console(
		"KTAP version 1\n1..2\n"
		"    KTAP version 1\n    # Subtest: lab_syscalls\n    1..7\n"
		"    ok 1 lab_null_returns_zero\n"
		"Kernel panic - not syncing: Fatal exception\n"
		"KTAP version 1\n1..3\nok 1 a\nok 2 b\nok 3 c\n");

	(void)state;
	assert_non_null(doc);
	assert_int_equal(2, doc->planned);
	assert_int_equal(1, doc->nsub);
	assert_int_equal(KTAP_FAIL, doc->sub[0].result);
	/* the cut suite is named by its "# Subtest:" line */
	assert_string_equal("lab_syscalls (unfinished: no result line)", doc->sub[0].name);
	/* 1 passed; 6 of 7 cases and 1 of 2 suites never came */
	assert_counts(ktap_count(doc, true), 1, 7, 0);
	ktap_free(doc);
}

static void guest_step_cut_short_keeps_its_name(void **state)
{
	/* PID 1's shape: each step's output under its "# Subtest:" header;
	 * the guest died inside the third step. */
	struct ktap_test *doc = ktap_parse(
		"KTAP version 1\n1..4\n"
		"    # Subtest: info\nok 1 info\n"
		"    # Subtest: user_syscall\n    hello() = 0\nok 2 user_syscall\n"
		"    # Subtest: hello_test\n    TAP version 13\n    1..3\n"
		"    ok 1 lab.glibc.a\n");

	(void)state;
	assert_int_equal(3, doc->nsub);
	assert_string_equal("info", doc->sub[0].name);
	assert_string_equal("user_syscall", doc->sub[1].name);
	assert_string_equal("hello_test (unfinished: no result line)", doc->sub[2].name);
	assert_int_equal(KTAP_FAIL, doc->sub[2].result);
	/* info, user_syscall and a passed; b, c and the fourth step never came */
	assert_counts(ktap_count(doc, true), 3, 3, 0);
	ktap_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_plan_counts_the_missing_as_failed),
		cmocka_unit_test(short_plan_inside_a_step),
		cmocka_unit_test(bail_out_fails),
		cmocka_unit_test(subtest_without_a_result_line_fails),
		cmocka_unit_test(unfinished_subtest_with_a_short_plan),
		cmocka_unit_test(failed_step_whose_subtests_passed),
		cmocka_unit_test(results_beyond_the_plan_fail),
		cmocka_unit_test(unnumbered_not_ok_is_a_failure),
		cmocka_unit_test(empty_input_has_no_plan_and_no_results),
		cmocka_unit_test(lines_that_are_no_results),
		cmocka_unit_test(kselftest_flat_tap13),
		cmocka_unit_test(cmocka_tap),
		cmocka_unit_test(skip_and_xfail_directives),
		cmocka_unit_test(skipped_program_counts_as_skipped),
		cmocka_unit_test(nested_ktap_counts_cases_not_suites),
		cmocka_unit_test(plan_at_the_end),
		cmocka_unit_test(planless_output),
		cmocka_unit_test(output_lines_are_kept),
		cmocka_unit_test(ktap_subtest_lines_are_kept_too),
		cmocka_unit_test(diagnostics_before_a_result_say_why),
		cmocka_unit_test(crlf_line_ends),
		cmocka_unit_test(last_line_without_newline_is_read),
		cmocka_unit_test(long_names_are_kept_whole),
		cmocka_unit_test(console_timestamped_kunit),
		cmocka_unit_test(console_untimed_kunit),
		cmocka_unit_test(console_without_ktap),
		cmocka_unit_test(console_empty_kunit_document),
		cmocka_unit_test(console_kunit_cut_by_a_panic),
		cmocka_unit_test(guest_step_cut_short_keeps_its_name),
	};

	return cmocka_run_group_tests_name("ktap", tests, NULL, NULL);
}
