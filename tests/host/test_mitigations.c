/*
 * Tests of lab mitigations' model (host/mitigation.c): the switches read
 * from the kernel's documentation (a real excerpt of 6.1's
 * kernel-parameters.txt, and documents without the list: bad cases first),
 * the classification of instructions as gdb prints them, and the
 * instruction-level difference of two listings, on recorded listings
 * (tests/mitigations/). Then what the command computes from its boots
 * (host/mitigation_model.c): what the vulnerability files say of a switch
 * (files missing, a mitigation turned on: bad cases first; then the files
 * recorded by make mitigations on 6.12.118, Haswell-noTSX), and the model
 * and its checks on the syscall listings recorded in the same run.
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

#include <cmocka.h>
#include <jansson.h>
#include <math.h>

#include "mitigation.h"
#include "mitigation_model.h"
#include "util.h"

#ifndef LAB_MIT_DATA
#error "LAB_MIT_DATA: where the recorded documents and listings are (tests/mitigations)"
#endif

static char *doc(const char *name)
{
	char *path, *text;

	assert_true(asprintf(&path, "%s/%s", LAB_MIT_DATA, name) > 0);
	text = read_file(path, NULL);
	if (!text)
		print_error("cannot read %s\n", path);
	assert_non_null(text);
	free(path);
	return text;
}

static void no_mitigations_parameter(void **state)
{
	char *text = doc("no-mitigations.txt"), *err = NULL;
	struct mit_switches s;

	(void)state;
	assert_int_equal(-1, mit_switches_parse(text, &s, &err));
	assert_non_null(strstr(err, "no 'mitigations=' parameter"));
	assert_int_equal(0, s.n);
	free(err);
	free(text);
}

static void mitigations_without_off_list(void **state)
{
	char *text = doc("no-off-list.txt"), *err = NULL;
	struct mit_switches s;

	(void)state;
	assert_int_equal(-1, mit_switches_parse(text, &s, &err));
	assert_non_null(strstr(err, "no x86 switch"));
	free(err);
	free(text);
}

static void empty_document(void **state)
{
	char *err = NULL;
	struct mit_switches s;

	(void)state;
	assert_int_equal(-1, mit_switches_parse("", &s, &err));
	free(err);
}

/* 6.1's list: the x86 entries in order; ARM64/PPC/S390 ones, the
 * conditional kpti one and KVM's module parameter left out. */
static void linux_6_1_switches(void **state)
{
	static const char *const want[] = {
		"gather_data_sampling=off", "indirect_target_selection=off",
		"l1tf=off", "mds=off", "mmio_stale_data=off", "nopti",
		"nospectre_v1", "nospectre_v2", "reg_file_data_sampling=off",
		"retbleed=off", "spec_store_bypass_disable=off", "spectre_bhi=off",
		"spectre_v2_user=off", "srbds=off", "tsx_async_abort=off",
		"vmscape=off",
	};
	char *text = doc("kernel-parameters-6.1.txt"), *err = NULL;
	struct mit_switches s;
	size_t n = sizeof(want) / sizeof(*want);

	(void)state;
	assert_int_equal(0, mit_switches_parse(text, &s, &err));
	assert_null(err);
	assert_int_equal(n, s.n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(want[i], s.v[i].param);
	assert_string_equal("mds-off", s.v[3].name);
	assert_string_equal("nopti", s.v[5].name);
	/* not x86: left out silently; x86 but not a switch: said */
	for (size_t i = 0; i < s.n; i++) {
		assert_null(strstr(s.v[i].param, "kpti"));
		assert_null(strstr(s.v[i].param, "ssbd"));
		assert_null(strstr(s.v[i].param, "kvm."));
	}
	assert_int_equal(1, s.nskipped);
	assert_non_null(strstr(s.skipped[0], "kvm.nx_huge_pages=off: a module's parameter"));
	mit_switches_free(&s);
	free(text);
}

/* A listing from lines of "pc|sym|insn". */
static void listing(struct mit_listing *l, const char *const *rows, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->v = xcalloc(n, sizeof(*l->v));
	for (size_t i = 0; i < n; i++) {
		char *r = xstrdup(rows[i]), *p = r;

		l->v[i].pc = xstrdup(strsep(&p, "|"));
		l->v[i].sym = xstrdup(strsep(&p, "|"));
		l->v[i].text = xstrdup(p);
		l->v[i].stage = xstrdup("stage");
		l->v[i].func = strndup(l->v[i].sym, strcspn(l->v[i].sym, "+"));
		free(r);
	}
	l->n = n;
}

static void classes(void **state)
{
	static const char *const rows[] = {
		"0x1|entry_SYSCALL_64+0x10|mov %rsp,%cr3",
		"0x2|x|wrmsr",
		"0x3|syscall_return_via_sysret+0x4|verw 0xffffffff82000000(%rip)",
		"0x4|entry_SYSCALL_64+0x20|lfence",
		"0x5|entry_SYSCALL_64+0x30|call 0xffffffff81000040 <entry_SYSCALL_64+64>",
		"0x6|entry_SYSCALL_64+0x40|add $0x10,%rsp",
		"0x7|do_syscall_64+0x5|jmp 0xffffffff81e00000 <__x86_indirect_thunk_rax>",
		"0x8|__x86_return_thunk+0x0|ret",
		"0x9|x64_sys_call+0x9|call *%rax",
		"0xa|x64_sys_call+0xa|call 0xffffffff81100000 <__x64_sys_lab_null>",
		"0xb|x64_sys_call+0xb|add $0x10,%rsp",
		"0xc|x|mov %cr3,%rax",
	};
	static const enum mit_class want[] = {
		MC_CR_MSR, MC_CR_MSR, MC_CLEAR, MC_FENCE, MC_STUFF, MC_STUFF,
		MC_THUNK, MC_THUNK, MC_THUNK, MC_ORDINARY, MC_ORDINARY, MC_ORDINARY,
	};
	struct mit_listing l;

	(void)state;
	listing(&l, rows, sizeof(rows) / sizeof(*rows));
	for (size_t i = 0; i < l.n; i++) {
		if (mit_classify(&l, i) != want[i])
			print_error("%s: %s, not %s\n", l.v[i].text,
				    mit_class_names[mit_classify(&l, i)], mit_class_names[want[i]]);
		assert_int_equal(want[i], mit_classify(&l, i));
	}
	mit_listing_free(&l);
}

/* PTI's shape: two CR3 switches taken out, a jump over them put in. */
static void diff_finds_what_a_switch_takes_away(void **state)
{
	static const char *const base_rows[] = {
		"0x10|entry|swapgs", "0x11|entry|mov %rsp,%gs:0x6014",
		"0x12|entry|mov %cr3,%rsp", "0x13|entry|and $0xffffffffffffe7ff,%rsp",
		"0x14|entry|mov %rsp,%cr3", "0x15|entry|mov %gs:0x1f60c,%rsp",
		"0x20|body|xor %eax,%eax", "0x30|exit|mov %cr3,%rdi",
		"0x31|exit|or $0x1000,%rdi", "0x32|exit|mov %rdi,%cr3", "0x40|exit|sysretq",
	};
	static const char *const off_rows[] = {
		"0x10|entry|swapgs", "0x11|entry|mov %rsp,%gs:0x6014",
		"0x12|entry|jmp 0x15", "0x15|entry|mov %gs:0x1f60c,%rsp",
		"0x20|body|xor %eax,%eax", "0x30|exit|jmp 0x40", "0x40|exit|sysretq",
	};
	struct mit_listing a, b;
	struct mit_diff d;
	size_t cr = 0;

	(void)state;
	listing(&a, base_rows, sizeof(base_rows) / sizeof(*base_rows));
	listing(&b, off_rows, sizeof(off_rows) / sizeof(*off_rows));
	mit_diff(&a, &b, &d);
	assert_int_equal(6, d.nremoved);
	assert_int_equal(2, d.nadded);
	assert_int_equal(a.n - d.nremoved, b.n - d.nadded);
	for (size_t i = 0; i < d.nremoved; i++)
		cr += mit_classify(&a, d.removed[i]) == MC_CR_MSR;
	assert_int_equal(2, cr);
	assert_string_equal("jmp 0x15", b.v[d.added[0]].text);
	assert_false(mit_listing_equal(&a, &b));
	mit_diff_free(&d);

	/* the same listing: no difference */
	mit_diff(&a, &a, &d);
	assert_int_equal(0, d.nremoved);
	assert_int_equal(0, d.nadded);
	assert_true(mit_listing_equal(&a, &a));
	mit_diff_free(&d);
	mit_listing_free(&a);
	mit_listing_free(&b);
}

/* Recorded listings: a malformed one is refused with its line. */
static void malformed_listing(void **state)
{
	char *path;
	struct mit_listing l;
	size_t bad;

	(void)state;
	assert_true(asprintf(&path, "%s/malformed.staged", LAB_MIT_DATA) > 0);
	assert_int_equal(-1, mit_listing_load(path, &l, &bad));
	assert_int_equal(3, bad);
	free(path);
	assert_true(asprintf(&path, "%s/no-such.staged", LAB_MIT_DATA) > 0);
	assert_int_equal(-1, mit_listing_load(path, &l, &bad));
	assert_int_equal(0, bad);
	free(path);
}

/*
 * Recorded listings of the 32-bit vDSO path (make trace, 6.1.192,
 * Haswell-noTSX): the defaults and mitigations=off. What the mitigations
 * add there is kernel code only: the vDSO's 32-bit user instructions (at
 * the same addresses in both: traced boots run with norandmaps) are common
 * to both; PTI's two CR3 writes, MDS's verw and the return thunks go.
 */
static void vdso32_recorded_listings(void **state)
{
	char *pa, *pb;
	struct mit_listing a, b;
	struct mit_diff d;
	size_t bad, cr = 0, clear = 0, thunk = 0;

	(void)state;
	assert_true(asprintf(&pa, "%s/vdso32-default.staged", LAB_MIT_DATA) > 0);
	assert_true(asprintf(&pb, "%s/vdso32-off.staged", LAB_MIT_DATA) > 0);
	assert_int_equal(0, mit_listing_load(pa, &a, &bad));
	assert_int_equal(0, mit_listing_load(pb, &b, &bad));
	assert_int_equal(263, a.n);
	assert_int_equal(251, b.n);
	assert_string_equal("call *0xc(%esp)", a.v[0].text);
	assert_string_equal("sysenter", a.v[5].text);
	assert_string_equal("__kernel_vsyscall", a.v[5].func);
	assert_string_equal("ret", a.v[a.n - 1].text);
	assert_string_equal("int80_landing_pad", a.v[a.n - 1].func);
	mit_diff(&a, &b, &d);
	assert_int_equal(12, (long)d.nremoved - (long)d.nadded);
	for (size_t i = 0; i < d.nremoved; i++) {
		enum mit_class c = mit_classify(&a, d.removed[i]);

		/* kernel addresses only: no user row differs */
		assert_true(strlen(a.v[d.removed[i]].pc) == 18 &&
			    !strncmp(a.v[d.removed[i]].pc, "0xffffffff", 10));
		cr += c == MC_CR_MSR;
		clear += c == MC_CLEAR;
		thunk += c == MC_THUNK;
	}
	for (size_t i = 0; i < d.nadded; i++)
		assert_true(!strncmp(b.v[d.added[i]].pc, "0xffffffff", 10));
	assert_int_equal(2, cr);
	assert_int_equal(1, clear);
	assert_int_equal(6, thunk);
	mit_diff_free(&d);
	mit_listing_free(&a);
	mit_listing_free(&b);
	free(pa);
	free(pb);
}

/* ---- mitigation_model.c ------------------------------------------------------------ */

/* The vulnerability files recorded by make mitigations (6.12.118): one
 * object per setting. */
static json_t *recorded_vuln(void)
{
	char *path;
	json_error_t e;
	json_t *j;

	assert_true(asprintf(&path, "%s/vulnerabilities-6.12.json", LAB_MIT_DATA) > 0);
	j = json_load_file(path, 0, &e);
	if (!j)
		print_error("%s: %s\n", path, e.text);
	assert_non_null(j);
	free(path);
	return j;
}

static void vuln_unrecorded(void **state)
{
	json_t *all = recorded_vuln(), *def = json_object_get(all, "default");
	json_t *empty = json_object(), *lacking = json_deep_copy(json_object_get(all, "nopti"));
	char *why;

	(void)state;
	assert_int_equal(MV_UNRECORDED, mit_vuln_judge(NULL, def, &why));
	assert_string_equal("the defaults' boot recorded no vulnerability files", why);
	free(why);
	assert_int_equal(MV_UNRECORDED, mit_vuln_judge(def, empty, &why));
	assert_string_equal("its boot recorded no vulnerability files", why);
	free(why);
	assert_int_equal(MV_UNRECORDED, mit_vuln_judge(def, NULL, &why));
	free(why);
	json_object_del(lacking, "meltdown");
	json_object_del(lacking, "srbds");
	assert_int_equal(MV_UNRECORDED, mit_vuln_judge(def, lacking, &why));
	assert_string_equal("its boot lacks files the defaults' recorded: meltdown, srbds", why);
	free(why);
	json_decref(lacking);
	json_decref(empty);
	json_decref(all);
}

/* A switch whose boot says a mitigation is on where the defaults' said none was. */
static void vuln_turned_on(void **state)
{
	json_t *all = recorded_vuln(), *def = json_object_get(all, "default");
	json_t *on = json_deep_copy(json_object_get(all, "nopti"));
	char *why;

	(void)state;
	json_object_set_new(on, "spec_store_bypass",
			    json_string("Mitigation: Speculative Store Bypass disabled via prctl"));
	assert_int_equal(MV_TURNED_ON, mit_vuln_judge(def, on, &why));
	assert_string_equal("spec_store_bypass: Vulnerable -> Mitigation: Speculative Store Bypass disabled via prctl",
			    why);
	free(why);
	json_decref(on);
	json_decref(all);
}

static void vuln_recorded(void **state)
{
	json_t *all = recorded_vuln(), *def = json_object_get(all, "default");
	char *why, *changed;

	(void)state;
	assert_int_equal(MV_CHANGED, mit_vuln_judge(def, json_object_get(all, "nopti"), &why));
	assert_null(why);
	changed = mit_vuln_changes(def, json_object_get(all, "nopti"));
	assert_string_equal("meltdown: Mitigation: PTI -> Vulnerable", changed);
	free(changed);
	assert_int_equal(MV_CHANGED, mit_vuln_judge(def, json_object_get(all, "nospectre_v2"), &why));
	changed = mit_vuln_changes(def, json_object_get(all, "nospectre_v2"));
	assert_non_null(strstr(changed, "indirect_target_selection: Mitigation: Aligned branch/return thunks -> Vulnerable; spectre_v2: "));
	free(changed);
	assert_int_equal(MV_CHANGED, mit_vuln_judge(def, json_object_get(all, "off"), &why));
	/* l1tf=off leaves PTE inversion, spectre_bhi=off the retpolines that
	 * also stop BHI: their files still say "Mitigation", as the defaults' */
	assert_int_equal(MV_UNCHANGED, mit_vuln_judge(def, json_object_get(all, "l1tf-off"), &why));
	assert_null(why);
	assert_null(mit_vuln_changes(def, json_object_get(all, "l1tf-off")));
	assert_int_equal(MV_UNCHANGED, mit_vuln_judge(def, json_object_get(all, "spectre_bhi-off"), &why));
	assert_int_equal(MV_UNCHANGED, mit_vuln_judge(def, def, &why));
	json_decref(all);
}

/* A setting: the recorded syscall listing named (or none), its vulnerability
 * files, its icount median on the first row (or -1 for no icount run). */
static void setting(struct mit_setting *s, const char *name, const char *append,
		    const char *listing, json_t *vuln, double icount)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->append = append;
	s->vuln = vuln;
	s->counted = icount >= 0;
	for (size_t r = 0; r < MIT_NROWS; r++)
		s->icount[r] = r == 0 ? icount : -1;
	if (listing) {
		char *path;
		size_t bad;

		assert_true(asprintf(&path, "%s/syscall-6.12-%s.staged", LAB_MIT_DATA, listing) > 0);
		assert_int_equal(0, mit_listing_load(path, &s->l[0], &bad));
		s->have[0] = true;
		free(path);
	}
}

static void settings_free(struct mit_setting *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].have[0])
			mit_listing_free(&s[i].l[0]);
}

/* The second boot with the defaults traced something else, a switch left
 * no icount run and no files: each is a failed check. */
static void model_failures(void **state)
{
	json_t *all = recorded_vuln();
	struct mit_setting s[3];
	struct mit_model m;
	struct checks c = { 0 };

	(void)state;
	setting(&s[0], "default", NULL, "default", json_object_get(all, "default"), 1000);
	setting(&s[1], "nopti", "nopti", "nopti", NULL, -1);
	setting(&s[2], "default-again", "lab.again=1", "nopti", json_object_get(all, "default"), 1000);
	mit_model_build(&m, s, 3, 3);
	assert_false(m.reproduces[0]);
	assert_true(isnan(m.r[1].icount_delta[0]));
	mit_model_check(&m, 0, &c);
	assert_int_equal(7, c.n);
	assert_int_equal(4, c.failed);
	assert_non_null(strstr(c.lines.s, "not ok 1 the kernel's documentation lists 0 x86 switches"));
	assert_non_null(strstr(c.lines.s, "not ok 3 nopti: traced (the syscall path) and counted (icount)"));
	assert_non_null(strstr(c.lines.s, "not ok 5 syscall path: two boots with the defaults trace the same instructions (225, 215)"));
	assert_non_null(strstr(c.lines.s, "not ok 6 nopti: no vulnerability files to compare (its boot recorded no vulnerability files)"));
	assert_non_null(strstr(c.lines.s, "\nok 7 nopti, syscall path: every instruction of the difference attributed to a symbol (0 without)"));
	sb_free(&c.lines);
	mit_model_free(&m);
	settings_free(s, 3);
	json_decref(all);
}

/* Recorded: the defaults, nopti, l1tf=off (the defaults' listing: it
 * changed no instruction there) and the defaults again; no mitigations=off
 * (as with --check-only). */
static void model_recorded(void **state)
{
	json_t *all = recorded_vuln();
	struct mit_setting s[4];
	struct mit_model m;
	struct checks c = { 0 };
	const struct mit_path_result *r;

	(void)state;
	setting(&s[0], "default", NULL, "default", json_object_get(all, "default"), 1000);
	setting(&s[1], "nopti", "nopti", "nopti", json_object_get(all, "nopti"), 990);
	setting(&s[2], "l1tf-off", "l1tf=off", "default", json_object_get(all, "l1tf-off"), 1000);
	setting(&s[3], "default-again", "lab.again=1", "default", json_object_get(all, "default"), 1000);
	mit_model_build(&m, s, 4, 4);
	assert_true(m.reproduces[0]);
	r = &m.r[1].p[0];
	assert_true(r->done);
	assert_false(m.r[1].p[1].done);
	assert_int_equal(10, r->delta);
	assert_int_equal(12, r->d.nremoved);
	assert_int_equal(2, r->d.nadded);
	assert_int_equal(2, r->removed.cls[MC_CR_MSR]);
	assert_int_equal(10, r->removed.cls[MC_ORDINARY]);
	assert_int_equal(2, r->added.cls[MC_ORDINARY]);
	assert_int_equal(0, r->unnamed);
	assert_true(m.r[1].icount_delta[0] == 10);
	assert_true(isnan(m.r[1].icount_delta[1]));
	assert_int_equal(MV_CHANGED, m.r[1].vuln);
	assert_int_equal(MV_UNCHANGED, m.r[2].vuln);
	assert_int_equal(0, m.r[2].p[0].delta);
	assert_int_equal(0, m.r[2].p[0].d.nremoved + m.r[2].p[0].d.nadded);
	assert_int_equal(10, m.sum[0]);
	for (size_t k = 0; k < r->d.nremoved; k++) {
		assert_int_equal(1, m.takers[0][r->d.removed[k]].n);
		assert_int_equal(1, m.takers[0][r->d.removed[k]].who[0]);
	}
	mit_model_check(&m, 2, &c);
	assert_int_equal(10, c.n);
	assert_int_equal(0, c.failed);
	assert_non_null(strstr(c.lines.s, "ok 7 nopti: the vulnerability files changed (meltdown: Mitigation: PTI -> Vulnerable)\n"));
	assert_non_null(strstr(c.lines.s, "ok 9 l1tf-off: no vulnerability file changed (not a mitigation this CPU model has, or not one these files report) # SKIP\n"));
	sb_free(&c.lines);
	mit_model_free(&m);
	settings_free(s, 4);
	json_decref(all);
}

/* mitigations=off and two switches that take the same instructions away:
 * off is no switch (left out of the sum), the two are each one taker. */
static void model_takers(void **state)
{
	json_t *all = recorded_vuln(), *def = json_object_get(all, "default");
	struct mit_setting s[5];
	struct mit_model m;
	const struct mit_path_result *r;

	(void)state;
	setting(&s[0], "default", NULL, "default", def, 1000);
	setting(&s[1], "off", "mitigations=off", "nopti", json_object_get(all, "off"), 990);
	setting(&s[2], "nopti", "nopti", "nopti", json_object_get(all, "nopti"), 990);
	setting(&s[3], "nopti-twice", "nopti nopti", "nopti", json_object_get(all, "nopti"), 990);
	setting(&s[4], "default-again", "lab.again=1", "default", def, 1000);
	mit_model_build(&m, s, 5, 1);
	assert_int_equal(20, m.sum[0]);
	r = &m.r[2].p[0];
	for (size_t k = 0; k < r->d.nremoved; k++) {
		const struct mit_takers *t = &m.takers[0][r->d.removed[k]];

		assert_int_equal(2, t->n);
		assert_int_equal(2, t->who[0]);
		assert_int_equal(3, t->who[1]);
	}
	mit_model_free(&m);
	settings_free(s, 5);
	json_decref(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_mitigations_parameter),
		cmocka_unit_test(mitigations_without_off_list),
		cmocka_unit_test(empty_document),
		cmocka_unit_test(malformed_listing),
		cmocka_unit_test(linux_6_1_switches),
		cmocka_unit_test(classes),
		cmocka_unit_test(diff_finds_what_a_switch_takes_away),
		cmocka_unit_test(vdso32_recorded_listings),
		cmocka_unit_test(vuln_unrecorded),
		cmocka_unit_test(vuln_turned_on),
		cmocka_unit_test(model_failures),
		cmocka_unit_test(vuln_recorded),
		cmocka_unit_test(model_recorded),
		cmocka_unit_test(model_takers),
	};

	return cmocka_run_group_tests_name("mitigations", tests, NULL, NULL);
}
