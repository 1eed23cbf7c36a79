/*
 * Tests of x86_64 beside arm64 (host/compare.c) on rows as the guests
 * write them (include/lab/lab_row.h), parsed by host/rows.c. The bad cases come
 * first: a run that is not there, a row a side should have and has not, a
 * row from a run that is no icount run; then the table's figures and the
 * pairs an architecture has no way to do.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"

/* One row in icount milliticks: median instructions * 1000. */
static char *row(const char *abi, const char *path, unsigned int median)
{
	char *s;

	if (asprintf(&s, "{\"schema\":\"lab-row/1\",\"abi\":\"%s\",\"path\":\"%s\","
			 "\"unit\":\"milliticks\",\"tsc_khz\":1000000,\"batches\":20,\"iters\":20,"
			 "\"min\":%u000,\"p5\":%u000,\"median\":%u000,\"p95\":%u000,\"p99\":%u000,"
			 "\"max\":%u000,\"mean\":%u000,\"sd\":0,\"cv_ppm\":0,\"what\":\"t\"}\n",
		     abi, path, median, median, median, median, median, median, median) < 0)
		abort();
	return s;
}

/* Every row of one side's pairs, lab_null's native row at native_null. */
static void side_rows(struct rows *rs, int side, const char *mode, unsigned int native_null)
{
	size_t len = 0;
	char *text = NULL, *problem = NULL;
	FILE *f = open_memstream(&text, &len);

	for (size_t p = 0; p < compare_npairs; p++) {
		const struct compare_pair *q = &compare_pairs[p];
		char *r;

		if (!q->path[side])
			continue;
		r = row(q->abi[side], q->path[side],
			strstr(q->path[side], "lab_null_s") ? native_null : 100 + (unsigned int)p);
		fputs(r, f);
		free(r);
	}
	fclose(f);
	memset(rs, 0, sizeof(*rs));
	assert_int_equal(rows_parse(text, "icount-default", mode, "default", rs, &problem), 0);
	free(problem);
	free(text);
}

static size_t pair_of(const char *x86_path)
{
	for (size_t p = 0; p < compare_npairs; p++)
		if (compare_pairs[p].path[SIDE_X86] && !strcmp(compare_pairs[p].path[SIDE_X86], x86_path))
			return p;
	fail_msg("no pair for %s", x86_path);
	return 0;
}

static void test_absent_runs_are_missing(void **state)
{
	const struct rows *rows[SIDE_COUNT][MIT_COUNT] = { { NULL } };
	struct compare c;
	size_t want = 0;

	(void)state;
	for (size_t p = 0; p < compare_npairs; p++)
		for (int s = 0; s < SIDE_COUNT; s++)
			want += compare_pairs[p].path[s] ? MIT_COUNT : 0;
	compare_build(&c, rows);
	assert_int_equal(c.missing, want);
	assert_true(c.cell[SIDE_X86][MIT_DEFAULT][0] == CELL_MISSING);
}

static void test_a_missing_row_is_counted(void **state)
{
	struct rows x86, arm;
	const struct rows *rows[SIDE_COUNT][MIT_COUNT] = { { &x86, &x86 }, { &arm, &arm } };
	struct compare c;
	size_t p = pair_of("lab_null_syscall");

	(void)state;
	side_rows(&x86, SIDE_X86, "icount", 239);
	side_rows(&arm, SIDE_ARM64, "icount", 352);
	/* arm64's lab_null_svc row goes: renamed away */
	for (size_t i = 0; i < arm.n; i++)
		if (!strcmp(arm.v[i].path, "lab_null_svc"))
			arm.v[i].path[0] = 'X';
	compare_build(&c, rows);
	assert_int_equal(c.missing, 2);
	assert_true(c.cell[SIDE_ARM64][MIT_DEFAULT][p] == CELL_MISSING);
	assert_true(c.cell[SIDE_X86][MIT_DEFAULT][p] == 239.0);
	rows_free(&x86);
	rows_free(&arm);
}

static void test_a_tcg_row_is_no_instruction_count(void **state)
{
	struct rows x86, arm;
	const struct rows *rows[SIDE_COUNT][MIT_COUNT] = { { &x86, &x86 }, { &arm, &arm } };
	struct compare c;
	size_t want = 0;

	(void)state;
	side_rows(&x86, SIDE_X86, "icount", 239);
	side_rows(&arm, SIDE_ARM64, "tcg", 352);
	for (size_t p = 0; p < compare_npairs; p++)
		want += compare_pairs[p].path[SIDE_ARM64] ? MIT_COUNT : 0;
	compare_build(&c, rows);
	assert_int_equal(c.missing, want);
	rows_free(&x86);
	rows_free(&arm);
}

static void test_figures_and_ways_one_side_lacks(void **state)
{
	struct rows x86, arm, x86off, armoff;
	const struct rows *rows[SIDE_COUNT][MIT_COUNT] = { { &x86, &x86off }, { &arm, &armoff } };
	struct compare c;
	size_t p = pair_of("lab_null_syscall"), v = pair_of("lab_null_vdso32");
	char *md = NULL, *js;
	size_t len = 0;
	FILE *f;
	json_t *j;

	(void)state;
	side_rows(&x86, SIDE_X86, "icount", 239);
	side_rows(&x86off, SIDE_X86, "icount", 229);
	side_rows(&arm, SIDE_ARM64, "icount", 352);
	side_rows(&armoff, SIDE_ARM64, "icount", 340);
	compare_build(&c, rows);
	assert_int_equal(c.missing, 0);
	assert_true(c.cell[SIDE_X86][MIT_OFF][p] == 229.0);
	assert_true(c.cell[SIDE_ARM64][MIT_DEFAULT][p] == 352.0);
	assert_true(c.cell[SIDE_ARM64][MIT_OFF][v] == CELL_NONE);
	f = open_memstream(&md, &len);
	compare_markdown(f, &c, "Haswell-noTSX", "cortex-a72");
	fclose(f);
	assert_non_null(strstr(md, "| lab_null(), the native instruction (syscall / svc) | 239 | 229 | 352 | 340 | 1.47 |"));
	assert_non_null(strstr(md, "| none | none | - |"));
	assert_null(strstr(md, "MISSING"));
	j = compare_json(&c);
	js = json_dumps(j, JSON_COMPACT);
	assert_non_null(strstr(js, "\"row\":\"arm64/lab_null_svc\",\"default\":352.0,\"off\":340.0"));
	assert_non_null(strstr(js, "\"arm64\":{\"none\":\"AArch32 has one way in"));
	free(js);
	json_decref(j);
	free(md);
	rows_free(&x86);
	rows_free(&x86off);
	rows_free(&arm);
	rows_free(&armoff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_runs_are_missing),
		cmocka_unit_test(test_a_missing_row_is_counted),
		cmocka_unit_test(test_a_tcg_row_is_no_instruction_count),
		cmocka_unit_test(test_figures_and_ways_one_side_lacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
