/*
 * Tests of lab trace's model (host/trace_model.c) on recorded traces
 * (tests/trace/): make test's x86_64 lab trace --check-only run (6.12, the
 * default setting) and an arm64 lab trace run (6.12, default), each its
 * trace.json as gdb wrote it, its icount run (meta.json, ktap.txt,
 * console.log and the rows the checks read), the check.tap that the
 * traced run wrote and its listings of both ways in. Bad cases first, each made from a recorded trace: a
 * trace.json cut short, a path missing, a row that is no row, a listing
 * cut short (stages missing, totals off), an instruction without a
 * symbol, icount beyond the tolerance (and at it), no icount row, a path
 * cut off by the step limit, no trace at all. Then the recorded traces
 * themselves: their checks give the recorded check.tap byte for byte,
 * both ways in are staged as the recorded listings (.staged) say, every
 * stage is there, and lab_batch()'s per-record figures.
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
#include <jansson.h>

#include "checks.h"
#include "run.h"
#include "trace_model.h"
#include "util.h"

#ifndef LAB_TRACE_DATA
#error "LAB_TRACE_DATA: where the recorded traces are (tests/trace)"
#endif

static const char *dir_of(enum lab_arch arch)
{
	return arch == ARCH_ARM64 ? LAB_TRACE_DATA "/arm64" : LAB_TRACE_DATA "/x86_64";
}

static void setting_init(struct trace_setting *s, enum lab_arch arch)
{
	memset(s, 0, sizeof(*s));
	s->arch = trace_arch_of(arch);
	s->mit = "default";
	s->dir = xstrdup("DIR/default");
}

/* The recorded trace.json, parsed (to be changed by a bad case). */
static json_t *recorded_json(enum lab_arch arch)
{
	char *path = xasprintf("%s/trace.json", dir_of(arch));
	json_error_t err;
	json_t *t = json_load_file(path, 0, &err);

	if (!t)
		print_error("%s: %s\n", path, err.text);
	assert_non_null(t);
	free(path);
	return t;
}

/* text as a trace.json, loaded into s; trace_load()'s answer. */
static char *load_text(struct trace_setting *s, const char *text, size_t len)
{
	char path[] = "/tmp/test_trace.XXXXXX";
	int fd = mkstemp(path);
	char *why;

	assert_true(fd >= 0);
	close(fd);
	write_file(path, text, len);
	why = trace_load(s, path);
	unlink(path);
	return why;
}

/* t (consumed) as s's trace.json. */
static char *load_json(struct trace_setting *s, json_t *t)
{
	char *text = json_dumps(t, JSON_COMPACT);
	char *why = load_text(s, text, strlen(text));

	free(text);
	json_decref(t);
	return why;
}

/* The recorded icount run's rows into s. */
static void load_icount(struct trace_setting *s, enum lab_arch arch)
{
	char *dir = xasprintf("%s/icount", dir_of(arch)), *err = NULL;
	struct run *run = run_load(dir, "icount-default", &err);

	if (!run)
		print_error("%s\n", err);
	assert_non_null(run);
	trace_icount_of_run(s, run);
	run_free(run);
	free(dir);
}

/* s's checks as a KTAP document; *failed: how many failed. */
static char *ktap_of(const struct trace_setting *s, unsigned int *failed)
{
	struct checks c = { 0 };
	char *doc;

	trace_checks(&c, s);
	doc = checks_ktap(&c);
	*failed = c.failed;
	sb_free(&c.lines);
	return doc;
}

static void assert_has(const char *doc, const char *what)
{
	if (!strstr(doc, what))
		print_error("no '%s' in:\n%s\n", what, doc);
	assert_non_null(strstr(doc, what));
}

/* The recorded trace of arch, with t in place of its trace.json (NULL: as
 * recorded), staged and its icount read. */
static void traced(struct trace_setting *s, enum lab_arch arch, json_t *t)
{
	char *why;

	setting_init(s, arch);
	why = load_json(s, t ? t : recorded_json(arch));
	if (why)
		print_error("%s\n", why);
	assert_null(why);
	trace_stage(s);
	load_icount(s, arch);
}

/* ---- bad cases ----------------------------------------------------------- */

static void truncated_json(void **state)
{
	char *path = xasprintf("%s/trace.json", dir_of(ARCH_X86_64)), *why;
	size_t len;
	char *text = read_file(path, &len);
	struct trace_setting s;

	(void)state;
	assert_non_null(text);
	setting_init(&s, ARCH_X86_64);
	why = load_text(&s, text, len / 2);
	assert_non_null(why);
	/* jansson's own words follow the file's name */
	assert_non_null(strstr(why, "/tmp/test_trace."));
	free(why);
	trace_setting_free(&s);
	free(text);
	free(path);
}

static void missing_path(void **state)
{
	json_t *t = recorded_json(ARCH_X86_64);
	struct trace_setting s;
	char *why;

	(void)state;
	json_object_del(json_object_get(t, "paths"), "batch4");
	setting_init(&s, ARCH_X86_64);
	why = load_json(&s, t);
	assert_non_null(why);
	assert_non_null(strstr(why, ": no batch4 path"));
	free(why);
	trace_setting_free(&s);

	/* arm64's svc32 site, and an empty path */
	t = recorded_json(ARCH_ARM64);
	json_object_del(json_object_get(t, "sites"), "svc32");
	setting_init(&s, ARCH_ARM64);
	why = load_json(&s, t);
	assert_non_null(strstr(why, ": no svc32 call site"));
	free(why);
	trace_setting_free(&s);
	t = recorded_json(ARCH_ARM64);
	json_array_clear(json_object_get(json_object_get(t, "paths"), "svc"));
	setting_init(&s, ARCH_ARM64);
	why = load_json(&s, t);
	assert_non_null(strstr(why, ": no svc path"));
	free(why);
	trace_setting_free(&s);
}

static void bad_row(void **state)
{
	json_t *t = recorded_json(ARCH_X86_64);
	json_t *rows = json_object_get(json_object_get(t, "paths"), "syscall");
	struct trace_setting s;
	char *why;

	(void)state;
	json_array_set_new(rows, 2, json_pack("[s,i]", "0xffffffff81000000", 7));
	setting_init(&s, ARCH_X86_64);
	why = load_json(&s, t);
	assert_non_null(why);
	assert_non_null(strstr(why, ": syscall row 3 is no [pc, symbol, instruction]"));
	free(why);
	trace_setting_free(&s);
}

/* The syscall listing cut after its first 40 instructions: the body, the
 * exit work and the return never seen, the total far below icount's. */
static void truncated_listing(void **state)
{
	json_t *t = recorded_json(ARCH_X86_64);
	json_t *rows = json_object_get(json_object_get(t, "paths"), "syscall");
	struct trace_setting s;
	unsigned int failed;
	char *doc;

	(void)state;
	while (json_array_size(rows) > 40)
		json_array_remove(rows, json_array_size(rows) - 1);
	traced(&s, ARCH_X86_64, t);
	assert_int_equal(40, s.p[P_SYSCALL].n);
	assert_int_equal(0, trace_count_stage(&s.p[P_SYSCALL], STAGE_EXIT));
	doc = ktap_of(&s, &failed);
	assert_int_equal(2, failed);
	assert_has(doc, "not ok 1 trace syscall (default): 40 traced + 5 set-up vs icount lab_null_syscall 230.1 (difference 185.1, tolerance 3)");
	assert_has(doc, "not ok 15 trace syscall (default): all six stages seen (");
	/* the other paths as recorded */
	assert_has(doc, "ok 16 trace vdso32 (default): all seven stages seen (7)");
	free(doc);
	trace_setting_free(&s);
}

static void unknown_symbol(void **state)
{
	json_t *t = recorded_json(ARCH_ARM64);
	json_t *rows = json_object_get(json_object_get(t, "paths"), "svc32");
	struct trace_setting s;
	unsigned int failed;
	char *doc;

	(void)state;
	json_array_set_new(json_array_get(rows, 10), 1, json_string("??"));
	json_array_set_new(json_array_get(rows, 11), 1, json_string("??"));
	traced(&s, ARCH_ARM64, t);
	doc = ktap_of(&s, &failed);
	assert_int_equal(1, failed);
	assert_has(doc, "# 2 instructions without a symbol in DIR/default/svc32.staged\n"
		   "not ok 12 trace svc32 (default): every instruction attributed to a symbol\n");
	free(doc);
	trace_setting_free(&s);
}

/* icount's figure moved to the tolerance and past it. */
static void icount_tolerance(void **state)
{
	struct trace_setting s;
	unsigned int failed;
	double expected;
	char *doc;

	(void)state;
	traced(&s, ARCH_X86_64, NULL);
	expected = (double)s.p[P_INT80].n + trace_icount_extra(&s, P_INT80) +
		   trace_rep_runs(&s.p[P_INT80]);
	assert_int_equal(250 + 6 + 1, (int)expected);
	s.icount[P_INT80] = expected - 3;
	doc = ktap_of(&s, &failed);
	assert_int_equal(0, failed);
	assert_has(doc, "ok 11 trace int80 (default): 250 traced + 6 set-up + 1 rep end vs icount lab_null_int80 254 (difference -3, tolerance 3)");
	free(doc);
	s.icount[P_INT80] = expected + 3.25;
	doc = ktap_of(&s, &failed);
	assert_int_equal(1, failed);
	assert_has(doc, "not ok 11 trace int80 (default): 250 traced + 6 set-up + 1 rep end vs icount lab_null_int80 260.25 (difference 3.25, tolerance 3)");
	free(doc);
	/* a note about the icount run goes with a disagreement only */
	s.icount_note = xstrdup("the icount boot: timeout");
	doc = ktap_of(&s, &failed);
	assert_has(doc, "# the icount boot: timeout\nnot ok 11 trace int80");
	assert_null(strstr(doc, "# the icount boot: timeout\nok"));
	free(doc);
	trace_setting_free(&s);
}

static void no_icount_row(void **state)
{
	struct trace_setting s;
	unsigned int failed;
	char *doc;

	(void)state;
	traced(&s, ARCH_ARM64, NULL);
	s.have_icount[P_SVC32] = false;
	doc = ktap_of(&s, &failed);
	assert_int_equal(1, failed);
	assert_has(doc, "not ok 11 trace svc32 (default): 270 traced + 5 set-up (bench_user32's loop, as written) vs icount lab_null_svc32: no such row (abi arm)");
	free(doc);
	trace_setting_free(&s);
}

static void cut_off(void **state)
{
	json_t *t = recorded_json(ARCH_X86_64);
	struct trace_setting s;
	unsigned int failed;
	char *doc;

	(void)state;
	json_object_set_new(t, "cut_off", json_pack("{s:b}", "batch4", 1));
	traced(&s, ARCH_X86_64, t);
	assert_true(s.p[P_BATCH4].cut_off);
	doc = ktap_of(&s, &failed);
	assert_int_equal(2, failed);
	assert_has(doc, "# the batch4 path was cut off after 20000 instructions\nnot ok 9 trace batch4");
	assert_has(doc, "# a batch path was cut off after 20000 instructions\nnot ok 17 trace batch (default)");
	free(doc);
	trace_setting_free(&s);
}

static void no_trace(void **state)
{
	struct trace_setting s;
	unsigned int failed;
	char *doc;

	(void)state;
	setting_init(&s, ARCH_ARM64);
	s.failure = xstrdup("gdb did not finish the trace");
	doc = ktap_of(&s, &failed);
	/* two per path (six on arm64), the two ways in's stages, the batch */
	assert_int_equal(15, failed);
	assert_has(doc, "1..15\n# gdb did not finish the trace\nnot ok 1 trace svc (default): traced vs icount lab_null_svc: no trace");
	assert_has(doc, "not ok 14 trace svc32 (default): all six stages seen: no trace");
	free(doc);
	trace_setting_free(&s);
}

/* ---- the recorded traces --------------------------------------------------- */

/* Path p of s as a .staged listing, as trace_write.c writes it, against
 * the listing the traced run wrote (name: its file in tests/trace/ARCH). */
static void same_listing(const struct trace_setting *s, enum lab_arch arch, int p,
			 const char *name)
{
	char *path = xasprintf("%s/%s", dir_of(arch), name);
	char *want = read_file(path, NULL);
	struct strbuf b = { 0 };

	assert_non_null(want);
	for (size_t i = 0; i < s->p[p].n; i++) {
		const struct trace_insn *in = &s->p[p].v[i];

		sb_printf(&b, "%zu\t%s\t%s\t%s\t%s\n", i + 1, in->pc, in->sym, in->text,
			  in->stage);
	}
	assert_string_equal(want, b.s);
	sb_free(&b);
	free(want);
	free(path);
}

static void recorded(enum lab_arch arch, const char *stages_path_name, int second,
		     const char *const listing[2])
{
	struct trace_setting s;
	unsigned int failed;
	char *doc, *path = xasprintf("%s/check.tap", dir_of(arch));
	char *want = read_file(path, NULL);
	struct trace_names st = { 0 };
	size_t sum = 0;

	assert_non_null(want);
	traced(&s, arch, NULL);
	assert_string_equal(stages_path_name, s.arch->names[P_SYSCALL]);
	doc = ktap_of(&s, &failed);
	assert_int_equal(0, failed);
	/* what the traced run wrote, byte for byte */
	assert_string_equal(want, doc);
	/* the syscall path: six stages, every instruction in one of them */
	for (size_t i = 0; i < s.p[P_SYSCALL].n; i++)
		trace_names_add(&st, s.p[P_SYSCALL].v[i].stage);
	assert_int_equal(SYSCALL_STAGES, st.n);
	assert_string_equal(s.arch->stage_syscall, st.v[0]);
	assert_string_equal(STAGE_ENTRY, st.v[1]);
	assert_string_equal(s.arch->stage_return, st.v[st.n - 1]);
	for (size_t k = 0; k < st.n; k++)
		sum += trace_count_stage(&s.p[P_SYSCALL], st.v[k]);
	assert_int_equal(s.p[P_SYSCALL].n, sum);
	assert_int_equal(1, trace_count_stage(&s.p[P_SYSCALL], s.arch->stage_syscall));
	free(st.v);
	/* every instruction's stage as the traced run gave it, both ways in
	 * (x86: also the 32-bit vDSO, arm64: AArch32's svc) */
	same_listing(&s, arch, P_SYSCALL, listing[0]);
	same_listing(&s, arch, second, listing[1]);
	free(doc);
	free(want);
	free(path);
	trace_setting_free(&s);
}

static void recorded_x86_64(void **state)
{
	static const char *const listing[] = { "syscall.staged", "vdso32.staged" };

	(void)state;
	recorded(ARCH_X86_64, "syscall", P_VDSO32, listing);
}

static void recorded_arm64(void **state)
{
	static const char *const listing[] = { "svc.staged", "svc32.staged" };

	(void)state;
	recorded(ARCH_ARM64, "svc", P_SVC32, listing);
}

/* lab_batch(): per record, and the functions where the records' instructions are. */
static void recorded_batch(void **state)
{
	struct trace_setting s;
	struct trace_fcount *d;
	size_t n;
	long more = 0;

	(void)state;
	traced(&s, ARCH_X86_64, NULL);
	assert_int_equal(373, s.p[P_BATCH1].n);
	assert_int_equal(754, s.p[P_BATCH4].n);
	assert_true(trace_per_record(&s) == 127.0);
	d = trace_batch_diff(&s, &n);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(d[i].n[0], d[i].n[1]);
		more += (long)d[i].n[1] - (long)d[i].n[0];
	}
	/* the syscall instructions, one each, are left out */
	assert_int_equal(754 - 373, more);
	trace_free_fcounts(d, n);
	/* one rep stos in each batch path: icount counts a step more */
	assert_int_equal(1, trace_rep_runs(&s.p[P_BATCH1]));
	assert_int_equal(1, trace_rep_runs(&s.p[P_BATCH4]));
	assert_int_equal(0, trace_rep_runs(&s.p[P_SYSCALL]));
	trace_setting_free(&s);
}

static void symbol_base(void **state)
{
	static const char *const cases[][2] = {
		{ "entry_SYSCALL_64+0x1f", "entry_SYSCALL_64" },
		{ "lab_null", "lab_null" },
		{ "x+0xzz", "x+0xzz" },		/* no hex offset */
		{ "a+b+0x10", "a+b" },
		{ "?", "?" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *b = trace_symbol_base(cases[i][0]);

		assert_string_equal(cases[i][1], b);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(truncated_json),
		cmocka_unit_test(missing_path),
		cmocka_unit_test(bad_row),
		cmocka_unit_test(truncated_listing),
		cmocka_unit_test(unknown_symbol),
		cmocka_unit_test(icount_tolerance),
		cmocka_unit_test(no_icount_row),
		cmocka_unit_test(cut_off),
		cmocka_unit_test(no_trace),
		cmocka_unit_test(symbol_base),
		cmocka_unit_test(recorded_x86_64),
		cmocka_unit_test(recorded_arm64),
		cmocka_unit_test(recorded_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
