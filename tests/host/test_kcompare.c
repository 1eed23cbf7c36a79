/*
 * Tests of lab compare-kernels' model (host/kcompare.c) and its writers
 * (host/kcompare_write.c) on two constructed trace directories
 * (tests/kcompare/x86-old, x86-new: lab trace's layout, a 6.1-like and a
 * 6.12-like kernel, small listings). The bad cases come first, each made
 * from a copy of x86-new with one thing wrong: a side that is not there, a
 * path missing on one side, a malformed listing, an empty one, a run of
 * a trace that did not finish, the wrong mode, another setting, guest CPU or architecture, a row one
 * side lacks, a damaged run. Each is an error naming what is wrong, never
 * a shorter table. Then the figures and what the writers make of them.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kcompare.h"
#include "util.h"

#ifndef LAB_KC_DATA
#error "LAB_KC_DATA: where the recorded trace directories are (tests/kcompare)"
#endif

#define OLD LAB_KC_DATA "/x86-old"
#define NEW LAB_KC_DATA "/x86-new"

/* A copy of x86-new in a directory of its own, to break. */
static char *copy_new(void)
{
	char tmpl[] = "/tmp/test_kcompare.XXXXXX", *cmd;
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	cmd = xasprintf("cp -r '%s/default' '%s/check.tap' '%s/'", NEW, NEW, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return xstrdup(dir);
}

/* In dir/default/file, the first from replaced by to. */
static void edit(const char *dir, const char *file, const char *from, const char *to)
{
	char *path = xasprintf("%s/default/%s", dir, file), *text = read_file(path, NULL), *at;
	struct strbuf b = { 0 };

	assert_non_null(text);
	at = strstr(text, from);
	if (!at)
		fail_msg("no '%s' in %s", from, path);
	sb_add(&b, text, (size_t)(at - text));
	sb_printf(&b, "%s%s", to, at + strlen(from));
	write_file(path, b.s, b.len);
	sb_free(&b);
	free(text);
	free(path);
}

/* kc_build(OLD, dir) fails, and its line has want in it. */
static void fails_with(const char *old, const char *new, const char *want)
{
	struct kcompare k;
	char *err = NULL;

	assert_int_equal(kc_build(&k, old, new, &err), -1);
	assert_non_null(err);
	if (!strstr(err, want))
		fail_msg("error '%s' does not say '%s'", err, want);
	assert_null(strchr(err, '\n'));
	assert_int_equal(k.npaths, 0);
	assert_int_equal(k.nrows, 0);
	free(err);
}

static void done(char *dir)
{
	assert_int_equal(rm_rf(dir), 0);
	free(dir);
}

static void a_side_that_is_not_there(void **state)
{
	(void)state;
	fails_with(OLD, LAB_KC_DATA "/no-such-trace", "no-such-trace/default/icount is no run");
	fails_with(LAB_KC_DATA "/no-such-trace", NEW, "no-such-trace/default/icount is no run");
}

static void a_path_missing_on_one_side(void **state)
{
	char *dir = copy_new(), *path = xasprintf("%s/default/int80.staged", dir);

	(void)state;
	assert_int_equal(unlink(path), 0);
	fails_with(OLD, dir, "int80.staged: No such file or directory (lab trace left no int80 path)");
	fails_with(dir, OLD, "int80.staged: No such file");
	free(path);
	done(dir);
}

static void a_malformed_listing(void **state)
{
	char *dir = copy_new(), *bad = read_file(LAB_KC_DATA "/malformed.staged", NULL);
	char *path = xasprintf("%s/default/syscall.staged", dir);

	(void)state;
	assert_non_null(bad);
	write_file(path, bad, strlen(bad));
	fails_with(OLD, dir, "syscall.staged: line 2 is no listing line");
	free(bad);
	free(path);
	done(dir);
}

static void an_empty_listing(void **state)
{
	char *dir = copy_new(), *path = xasprintf("%s/default/vdso32.staged", dir);

	(void)state;
	write_file(path, "", 0);
	fails_with(OLD, dir, "vdso32.staged: no instructions (the trace of vdso32 failed)");
	free(path);
	done(dir);
}

static void a_trace_that_did_not_finish(void **state)
{
	char *dir = copy_new(), *path = xasprintf("%s/check.tap", dir);
	const char *cut = "KTAP version 1\n1..3\nok 1 trace syscall\n";

	(void)state;
	write_file(path, cut, strlen(cut));
	fails_with(OLD, dir, "check.tap: 1 checks of a plan of 3: lab trace did not finish");
	assert_int_equal(unlink(path), 0);
	fails_with(OLD, dir, "check.tap: No such file or directory (lab trace did not finish)");
	free(path);
	done(dir);
}

static void a_run_of_the_wrong_mode(void **state)
{
	char *dir = copy_new();

	(void)state;
	edit(dir, "icount/meta.json", "\"mode\": \"icount\"", "\"mode\": \"tcg\"");
	fails_with(OLD, dir, "default/icount is a tcg run, not an icount one");
	done(dir);
}

static void another_setting(void **state)
{
	char *dir = copy_new();

	(void)state;
	edit(dir, "icount/meta.json", "\"append\": \"\"", "\"append\": \"nopti\"");
	fails_with(OLD, dir, "booted with 'nopti', not the default mitigations");
	done(dir);
}

static void another_guest_cpu(void **state)
{
	char *dir = copy_new();

	(void)state;
	edit(dir, "icount/meta.json", "\"Haswell-noTSX\"", "\"Skylake-Client\"");
	fails_with(OLD, dir, "not the same guest: QEMU -cpu 'Haswell-noTSX'");
	done(dir);
}

static void another_architecture(void **state)
{
	char *dir = copy_new();

	(void)state;
	edit(dir, "icount/meta.json", "\"arch\": \"x86_64\"", "\"arch\": \"arm64\"");
	fails_with(OLD, dir, "not one architecture");
	done(dir);
}

static void a_row_one_side_lacks(void **state)
{
	char *dir = copy_new();

	(void)state;
	edit(dir, "icount/rows.jsonl", "\"path\":\"lab_null_int80\"", "\"path\":\"lab_null_int81\"");
	fails_with(OLD, dir, "no row x86_64/lab_null_int80 (the old kernel's run has it)");
	fails_with(dir, OLD, "no row x86_64/lab_null_int81 (the old kernel's run has it)");
	done(dir);
}

static void a_damaged_run(void **state)
{
	char *dir = copy_new();

	(void)state;
	edit(dir, "icount/rows.jsonl", "{\"schema\":\"lab-row/1\",\"abi\":\"kernel\"", "junk\n{");
	fails_with(OLD, dir, "rows.jsonl: line 1");
	done(dir);
}

/* ---- the figures ------------------------------------------------------------- */

static const struct kc_func *func(const struct kc_path *p, const char *stage, const char *name)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		if (!strcmp(p->funcs[i].name, name) && !strcmp(p->stages[p->funcs[i].stage].name, stage))
			return &p->funcs[i];
	fail_msg("no %s in %s's stage %s", name, p->name, stage);
	return NULL;
}

static void paths_stages_and_functions(void **state)
{
	struct kcompare k;
	char *err = NULL;
	const struct kc_path *p;
	const struct kc_func *f;

	(void)state;
	assert_int_equal(kc_build(&k, OLD, NEW, &err), 0);
	assert_string_equal(k.arch, "x86_64");
	assert_string_equal(k.release[KC_OLD], "6.1.192");
	assert_string_equal(k.release[KC_NEW], "6.12.57");
	assert_string_equal(k.cpu, "Haswell-noTSX");
	assert_int_equal(k.npaths, 3);
	p = &k.paths[0];
	assert_string_equal(p->name, "syscall");
	assert_int_equal(p->total[KC_OLD], 20);
	assert_int_equal(p->total[KC_NEW], 24);
	assert_int_equal(p->nstages, 6);
	assert_string_equal(p->stages[1].name, "entry (asm)");
	assert_int_equal(p->stages[1].n[KC_OLD], 4);
	assert_int_equal(p->stages[1].n[KC_NEW], 9);
	/* the BHI loop: new, in the entry */
	f = func(p, "entry (asm)", "clear_bhb_loop");
	assert_true(f->absent[KC_OLD] && !f->absent[KC_NEW]);
	assert_int_equal(kc_func_diff(f), 4);
	/* the enter work, inlined into do_syscall_64 */
	f = func(p, "entry work and dispatch", "syscall_enter_from_user_mode");
	assert_true(!f->absent[KC_OLD] && f->absent[KC_NEW]);
	assert_int_equal(kc_func_diff(f), -2);
	assert_int_equal(kc_func_diff(func(p, "entry work and dispatch", "do_syscall_64")), 1);
	assert_int_equal(kc_func_diff(func(p, "entry work and dispatch", "x64_sys_call")), 0);
	/* grouped by stage, in the order the path runs them */
	for (size_t i = 1; i < p->nfuncs; i++)
		assert_true(p->funcs[i - 1].stage <= p->funcs[i].stage);
	assert_string_equal(p->funcs[0].name, "lab_call_site_syscall");
	assert_int_equal(p->kinds[KC_OLD][MC_FENCE], 0);
	assert_int_equal(p->kinds[KC_NEW][MC_FENCE], 1);
	assert_int_equal(p->kinds[KC_NEW][MC_CR_MSR], 1);	/* mov %rdi,%cr3: a write; mov %cr3,%rsp reads */
	assert_int_equal(p->kinds[KC_NEW][MC_CLEAR], 1);
	assert_string_equal(k.paths[1].name, "int80");
	assert_int_equal(k.paths[1].total[KC_NEW] - k.paths[1].total[KC_OLD], 1);
	assert_int_equal(k.nvuln, 1);
	assert_non_null(strstr(k.vuln[0], "spectre_v2: "));
	assert_non_null(strstr(k.vuln[0], "BHI: SW loop"));
	/* lab trace's own checks: counted, a failed one named, not fatal */
	assert_int_equal(k.nchecks[KC_OLD], 3);
	assert_int_equal(k.nfailed[KC_OLD], 0);
	assert_int_equal(k.nfailed[KC_NEW], 1);
	assert_non_null(strstr(k.failed[KC_NEW][0], "trace vdso32 (default)"));
	kc_free(&k);
}

static const struct kc_row *row(const struct kcompare *k, const char *path, unsigned int ops)
{
	for (size_t i = 0; i < k->nrows; i++)
		if (!strcmp(k->rows[i].path, path) && k->rows[i].ops == ops)
			return &k->rows[i];
	fail_msg("no row %s (ops %u)", path, ops);
	return NULL;
}

static void rows_side_by_side(void **state)
{
	struct kcompare k;
	char *err = NULL;
	const struct kc_row *r;

	(void)state;
	assert_int_equal(kc_build(&k, OLD, NEW, &err), 0);
	assert_int_equal(k.nrows, 7);
	r = row(&k, "lab_null_syscall", 0);
	assert_true(r->v[KC_OLD] == 25.0 && r->v[KC_NEW] == 29.0);
	r = row(&k, "batch_lab_batch", 4);
	assert_true(r->v[KC_OLD] == 340.0 && r->v[KC_NEW] == 347.0);
	/* left out by the new kernel's run, measured by the old's: said, not missing */
	r = row(&k, "io_uring_nop", 0);
	assert_true(r->v[KC_OLD] == 900.0 && r->v[KC_NEW] < 0);
	assert_null(r->left_out[KC_OLD]);
	assert_non_null(strstr(r->left_out[KC_NEW], "io_uring_queue_init(1) failed"));
	kc_free(&k);
}

static char *written(void (*w)(FILE *, const struct kcompare *), const struct kcompare *k)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	w(f, k);
	fclose(f);
	return text;
}

static void markdown_with_chart(FILE *f, const struct kcompare *k)
{
	kc_markdown(f, k, "chart-kernels.png");
}

static void what_the_writers_say(void **state)
{
	struct kcompare k;
	char *err = NULL, *md, *txt, *dat, *js;
	json_t *j;

	(void)state;
	assert_int_equal(kc_build(&k, OLD, NEW, &err), 0);
	md = written(markdown_with_chart, &k);
	assert_non_null(strstr(md, "# 6.1.192 beside 6.12.57 (x86_64)"));
	assert_non_null(strstr(md, "| syscall | 20 | 24 | +4 |"));
	assert_non_null(strstr(md, "| | `clear_bhb_loop` | 0 | 4 | +4 | -0/+4 | only in 6.12.57 |"));
	assert_non_null(strstr(md, "| | `syscall_enter_from_user_mode` | 2 | 0 | -2 | -2/+0 | only in 6.1.192 |"));
	assert_non_null(strstr(md, "| | `entry_SYSCALL_64` | 4 | 5 | +1 | -1/+2 |  |"));
	assert_non_null(strstr(md, "| **entry (asm)** | | **4** | **9** | **+5** | | |"));
	assert_non_null(strstr(md, "| `x86_64/batch_lab_batch (ops 4)` | 340 | 347 | +7 |"));
	assert_non_null(strstr(md, "| `x86_64/io_uring_nop` | 900 | left out | - |"));
	assert_non_null(strstr(md, "6.12.57 left `x86_64/io_uring_nop` out: io_uring_queue_init(1)"));
	assert_non_null(strstr(md, "fence or serialising 0 against 1;"));
	assert_non_null(strstr(md, "- 6.12.57: 3 checks, 1 failed:\n  - not ok: trace vdso32 (default)"));
	assert_non_null(strstr(md, "![instructions per stage, per path and version](chart-kernels.png)"));
	txt = written(kc_print, &k);
	/* the largest first, named with its stage and which version has it */
	assert_non_null(strstr(txt, "syscall: 3 instructions only in 6.1.192, 7 only in 6.12.57; "
				    "4 functions differ\n     +4  clear_bhb_loop"));
	assert_non_null(strstr(txt, "only in 6.12.57"));
	/* a curve's first point on the terminal, the others in the .md */
	assert_non_null(strstr(txt, "x86_64/batch_lab_batch (ops 1)"));
	assert_null(strstr(txt, "x86_64/batch_lab_batch (ops 4)"));
	assert_non_null(strstr(txt, "(and 1 more points of the curves, ops 2 and up: compare-kernels.md)"));
	dat = written(kc_chart_data, &k);
	assert_non_null(strstr(dat, "stage\tsyscall instruction\tentry (asm)\tentry work and dispatch\t"));
	assert_non_null(strstr(dat, "\nsyscall (6.12.57)\t1\t9\t6\t3\t2\t3\t0\n"));
	j = kc_json(&k);
	js = json_dumps(j, JSON_COMPACT);
	assert_non_null(strstr(js, "\"schema\":\"lab-compare-kernels/1\""));
	assert_non_null(strstr(js, "{\"function\":\"clear_bhb_loop\",\"old\":0,\"new\":4,\"difference\":4,"
				   "\"only_old\":0,\"only_new\":4,\"only\":\"new\"}"));
	assert_non_null(strstr(js, "\"new_left_out\":\"io_uring_queue_init(1)"));
	assert_non_null(strstr(js, "\"old\":{\"checks\":3,\"failed\":[]}"));
	free(js);
	json_decref(j);
	free(md);
	free(txt);
	free(dat);
	kc_free(&k);
}

/* Matched by function and instruction, what differs between builds left
 * out: the entry's call of do_syscall_64, its RIP-relative verw and
 * x64_sys_call's comparison (another immediate) and branch (a decimal
 * offset) are the same on both sides; the per-CPU offset in
 * entry_SYSCALL_64 is not. */
static void the_instructions_one_side_lacks(void **state)
{
	struct kcompare k;
	char *err = NULL, *diff = NULL;
	size_t len = 0;
	const struct kc_path *p;
	FILE *f;

	(void)state;
	assert_int_equal(kc_build(&k, OLD, NEW, &err), 0);
	p = &k.paths[0];
	assert_int_equal(p->nchanges, 10);
	assert_int_equal(p->changed_kinds[KC_OLD][MC_ORDINARY], 3);
	assert_int_equal(p->changed_kinds[KC_NEW][MC_ORDINARY], 6);
	assert_int_equal(p->changed_kinds[KC_NEW][MC_FENCE], 1);
	assert_int_equal(func(p, "entry (asm)", "entry_SYSCALL_64")->changed[KC_OLD], 1);
	assert_int_equal(func(p, "entry (asm)", "entry_SYSCALL_64")->changed[KC_NEW], 2);
	assert_int_equal(func(p, "entry work and dispatch", "do_syscall_64")->changed[KC_NEW], 1);
	f = open_memstream(&diff, &len);
	kc_diff_text(f, &k, p);
	fclose(f);
	assert_non_null(strstr(diff, "## syscall path: 20 instructions on 6.1.192, 24 on 6.12.57\n"));
	assert_non_null(strstr(diff, "\n- entry_SYSCALL_64+0x3 "));
	assert_non_null(strstr(diff, "mov %rsp,%gs:0x6014"));
	assert_non_null(strstr(diff, "\n+ clear_bhb_loop+0x30 "));
	assert_null(strstr(diff, "do_syscall_64>"));
	assert_null(strstr(diff, "verw"));
	assert_null(strstr(diff, "x64_sys_call"));
	free(diff);
	kc_free(&k);
}

static void one_kernel_against_itself(void **state)
{
	struct kcompare k;
	char *err = NULL;

	(void)state;
	assert_int_equal(kc_build(&k, OLD, OLD, &err), 0);
	for (size_t p = 0; p < k.npaths; p++)
		for (size_t i = 0; i < k.paths[p].nfuncs; i++) {
			assert_int_equal(kc_func_diff(&k.paths[p].funcs[i]), 0);
			assert_false(k.paths[p].funcs[i].absent[KC_OLD] || k.paths[p].funcs[i].absent[KC_NEW]);
		}
	for (size_t p = 0; p < k.npaths; p++)
		assert_int_equal(k.paths[p].nchanges, 0);
	for (size_t i = 0; i < k.nrows; i++)
		assert_true(k.rows[i].v[KC_OLD] == k.rows[i].v[KC_NEW]);
	assert_int_equal(k.nvuln, 0);
	kc_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_side_that_is_not_there),
		cmocka_unit_test(a_path_missing_on_one_side),
		cmocka_unit_test(a_malformed_listing),
		cmocka_unit_test(an_empty_listing),
		cmocka_unit_test(a_trace_that_did_not_finish),
		cmocka_unit_test(a_run_of_the_wrong_mode),
		cmocka_unit_test(another_setting),
		cmocka_unit_test(another_guest_cpu),
		cmocka_unit_test(another_architecture),
		cmocka_unit_test(a_row_one_side_lacks),
		cmocka_unit_test(a_damaged_run),
		cmocka_unit_test(paths_stages_and_functions),
		cmocka_unit_test(rows_side_by_side),
		cmocka_unit_test(what_the_writers_say),
		cmocka_unit_test(the_instructions_one_side_lacks),
		cmocka_unit_test(one_kernel_against_itself),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
