/* Unit tests of tools/syscall_table.c: reading and extending x86 tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "syscall_table.h"

/* The shape of arch/x86/entry/syscalls/syscall_64.tbl, shortened. */
static const char table64[] =
	"#\n"
	"# 64-bit system call numbers and entry vectors\n"
	"#\n"
	"0\tcommon\tread\t\t\tsys_read\n"
	"1\tcommon\twrite\t\t\tsys_write\n"
	"334\tcommon\trseq\t\t\tsys_rseq\n"
	"450\tcommon\tset_mempolicy_home_node\tsys_set_mempolicy_home_node\n"
	"\n"
	"#\n"
	"# Due to a historical design error, certain syscalls are numbered differently\n"
	"# in x32 as compared to native x86_64.  These syscalls have numbers 512-547.\n"
	"#\n"
	"512\tx32\trt_sigaction\t\tcompat_sys_rt_sigaction\n"
	"513\tx32\trt_sigreturn\t\tcompat_sys_x32_rt_sigreturn\n"
	"547\tx32\tpwritev2\t\tcompat_sys_pwritev64v2\n";

static void parse_line_entry(void **state)
{
	struct tbl_entry e;

	(void)state;
	assert_int_equal(1, tbl_parse_line("452\ti386\thello\t\t\tsys_hello", &e));
	assert_int_equal(452, e.nr);
	assert_string_equal("i386", e.abi);
	assert_string_equal("hello", e.name);
	assert_string_equal("sys_hello", e.entry);
}

static void parse_line_reserved_number_has_no_entry(void **state)
{
	struct tbl_entry e;

	(void)state;
	assert_int_equal(1, tbl_parse_line("223\ti386\treserved223", &e));
	assert_string_equal("", e.entry);
}

static void parse_line_comments_and_blanks(void **state)
{
	struct tbl_entry e;

	(void)state;
	assert_int_equal(0, tbl_parse_line("", &e));
	assert_int_equal(0, tbl_parse_line("   \t", &e));
	assert_int_equal(0, tbl_parse_line("# 0 common read sys_read", &e));
}

static void parse_line_malformed(void **state)
{
	struct tbl_entry e;
	char longname[200];

	(void)state;
	assert_int_equal(-1, tbl_parse_line("x\tcommon\tread\tsys_read", &e));
	assert_int_equal(-1, tbl_parse_line("12a\tcommon\tread", &e));
	assert_int_equal(-1, tbl_parse_line("-1\tcommon\tread", &e));
	assert_int_equal(-1, tbl_parse_line("5\tcommon", &e));
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	char line[300];
	snprintf(line, sizeof(line), "5\tcommon\t%s\tsys_x", longname);
	assert_int_equal(-1, tbl_parse_line(line, &e));
}

static void next_free_skips_x32_range(void **state)
{
	struct tbl t;

	(void)state;
	assert_int_equal(0, tbl_parse(table64, &t, NULL));
	assert_int_equal(7, (int)t.n);
	assert_int_equal(451, tbl_next_free(&t));
	free(t.v);
}

static void next_free_empty_table_is_zero(void **state)
{
	struct tbl t;

	(void)state;
	assert_int_equal(0, tbl_parse("# nothing\n", &t, NULL));
	assert_int_equal(0, tbl_next_free(&t));
	free(t.v);
}

static void lookup_finds_names(void **state)
{
	struct tbl t;

	(void)state;
	assert_int_equal(0, tbl_parse(table64, &t, NULL));
	assert_int_equal(334, tbl_lookup(&t, "rseq"));
	assert_int_equal(513, tbl_lookup(&t, "rt_sigreturn"));
	assert_int_equal(-1, tbl_lookup(&t, "hello"));
	assert_int_equal(-1, tbl_lookup(&t, "rse"));
	free(t.v);
}

static void parse_reports_bad_line(void **state)
{
	struct tbl t;
	size_t bad = 0;

	(void)state;
	assert_int_equal(-1, tbl_parse("0\tcommon\tread\tsys_read\n# ok\nbroken\n", &t, &bad));
	assert_int_equal(3, (int)bad);
	assert_null(t.v);
}

static void insert_offset_is_after_highest_native_entry(void **state)
{
	size_t at = tbl_insert_offset(table64);
	const char *line450 = strstr(table64, "450\t");

	(void)state;
	assert_non_null(line450);
	assert_int_equal((size_t)(strchr(line450, '\n') + 1 - table64), at);
}

static void insert_offset_without_newline_at_end(void **state)
{
	const char text[] = "0\tcommon\tread\tsys_read";

	(void)state;
	assert_int_equal(strlen(text), tbl_insert_offset(text));
}

static void format_round_trips(void **state)
{
	char buf[128];
	struct tbl_entry e;
	int n;

	(void)state;
	n = tbl_format(buf, sizeof(buf), 451, "common", "lab_null", NULL);
	assert_int_equal((int)strlen(buf), n);
	assert_string_equal("451\tcommon\tlab_null\t\tsys_lab_null\n", buf);
	assert_int_equal(1, tbl_parse_line(buf, &e));
	assert_int_equal(451, e.nr);
	assert_string_equal("lab_null", e.name);
	assert_string_equal("sys_lab_null", e.entry);
	assert_int_equal(-1, tbl_format(buf, 10, 451, "common", "lab_null", NULL));
	/* A compat entry point in a fifth column, as the tables have it. */
	n = tbl_format(buf, sizeof(buf), 469, "i386", "lab_sysinfo",
		       "compat_sys_lab_sysinfo");
	assert_int_equal((int)strlen(buf), n);
	assert_string_equal("469\ti386\tlab_sysinfo\t\tsys_lab_sysinfo\t\tcompat_sys_lab_sysinfo\n",
			    buf);
	assert_int_equal(1, tbl_parse_line(buf, &e));
	assert_string_equal("sys_lab_sysinfo", e.entry);
}

/* The shape of 6.12's scripts/syscall.tbl (the generic table, which
 * arm64's tools/syscall_64.tbl links to): one number twice for two ABIs,
 * ABIs named after an architecture or an option, a compat entry point in
 * a fifth column. */
static const char generic[] =
	"# SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note\n"
	"0\tcommon\tio_setup\t\t\tsys_io_setup\t\t\tcompat_sys_io_setup\n"
	"4\ttime32\tio_getevents\t\t\tsys_io_getevents_time32\n"
	"4\t64\tio_getevents\t\t\tsys_io_getevents\n"
	"244\tcsky\tset_thread_area\t\t\tsys_set_thread_area\n"
	"447\tmemfd_secret\tmemfd_secret\t\tsys_memfd_secret\n"
	"462\tcommon\tmseal\t\t\t\tsys_mseal\n";

static void generic_table_numbers_after_its_last_entry(void **state)
{
	struct tbl t;

	(void)state;
	assert_int_equal(0, tbl_parse(generic, &t, NULL));
	assert_int_equal(6, (int)t.n);
	assert_string_equal("sys_io_setup", t.v[0].entry);
	assert_int_equal(4, tbl_lookup(&t, "io_getevents"));
	assert_int_equal(447, tbl_lookup(&t, "memfd_secret"));
	assert_int_equal(463, tbl_next_free(&t));
	assert_int_equal(strlen(generic), tbl_insert_offset(generic));
	free(t.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_line_entry),
		cmocka_unit_test(parse_line_reserved_number_has_no_entry),
		cmocka_unit_test(parse_line_comments_and_blanks),
		cmocka_unit_test(parse_line_malformed),
		cmocka_unit_test(next_free_skips_x32_range),
		cmocka_unit_test(next_free_empty_table_is_zero),
		cmocka_unit_test(lookup_finds_names),
		cmocka_unit_test(parse_reports_bad_line),
		cmocka_unit_test(insert_offset_is_after_highest_native_entry),
		cmocka_unit_test(insert_offset_without_newline_at_end),
		cmocka_unit_test(format_round_trips),
		cmocka_unit_test(generic_table_numbers_after_its_last_entry),
	};

	return cmocka_run_group_tests_name("syscall_table", tests, NULL, NULL);
}
