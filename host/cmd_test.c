/*
 * lab test --kernel BZIMAGE --kernel-nosys BZIMAGE --kobj KOBJ --initrd CPIO
 *          --out OUT --host-tap DIR [--trace-tap FILE] [--mode M] [--timeout S]
 * make test's boots and its summary:
 *   - the lab kernel with two vCPUs, plan "test": the module's checks, the
 *     kselftests (threads among them, contending on both CPUs), and KUnit's
 *     suite on the console;
 *   - the kernel without the family, plan "enosys";
 *   - the lab kernel twice under icount, plan "bench-quick": identical
 *     medians, and the order entering the kernel implies;
 *   - the lab kernel, plan "red": a module check made to fail must come out
 *     as exactly one failure (the failure path itself, tested);
 * with the host's TAP files (DIR/NAME.tap) and make trace's check. Every boot
 * but the first has one vCPU, as every measurement does (--smp is not
 * taken). The summary is computed from the model; the exit status follows it.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "summary.h"
#include "util.h"

/* Test-plan boots get two vCPUs, so that threads run at once; the others
 * one, as measurements do. */
#define TEST_SMP 2

/* Boots plan into OUT/sub with smp vCPUs; the run, or NULL after adding
 * why to s. */
static struct run *boot_plan(struct summary *s, const struct lab_opts *o,
			     const char *kernel, enum lab_mode mode,
			     unsigned int smp, const char *plan,
			     const char *sub, const char *label)
{
	struct lab_opts k = *o;
	struct boot_opts b;
	struct boot_result r;
	char *dir = xasprintf("%s/%s", o->out, sub);
	struct run *run;
	char *err = NULL;

	k.kernel = kernel;
	k.mode = mode;
	k.smp = smp;
	say("booting the %s with plan '%s' (%s, %u vCPU%s)", label, plan,
	    mode_name(mode), smp, smp == 1 ? "" : "s");
	b = lab_boot_opts(&k, plan, dir);
	lab_boot(&b, &r);
	run = run_load(dir, sub, &err);
	if (!run) {
		sum_add_failure(s, label, err);
		free(err);
	}
	free(dir);
	return run;
}

static double median_of(const struct run *r, const char *abi, const char *path)
{
	for (size_t i = 0; r && i < r->rows.n; i++)
		if (!strcmp(r->rows.v[i].abi, abi) && !strcmp(r->rows.v[i].path, path))
			return (double)r->rows.v[i].stat[ST_MEDIAN] / 1000.0;
	return -1;
}

/* KTAP: the two icount boots agree, and the costs are ordered. */
static char *icount_checks(const struct run *a, const struct run *b)
{
	struct strbuf k = { 0 };
	int n = 0;
	double direct = median_of(a, "kernel", "kernel_direct");
	struct {
		const char *abi, *path, *what;
		double more_than;
	} order[] = {
		{ "kernel", "kernel_direct", "the in-kernel call costs more than nothing", 0 },
		{ "x86_64", "lab_null_syscall", "lab_null through syscall costs more than the in-kernel call", direct },
		{ "x86_64", "lab_null_int80", "lab_null through int $0x80 costs more than the in-kernel call", direct },
		{ "i386", "lab_null_vdso32", "lab_null through the vDSO costs more than the in-kernel call", direct },
		{ "kernel", "kernel_x64_sys_call", "dispatch through x64_sys_call costs more than the direct call", direct },
		{ "x86_64", "lab_transform_4KiB", "copying 4 KiB costs more than 64 bytes",
		  median_of(a, "x86_64", "lab_transform_64B") },
	};
	size_t norder = sizeof(order) / sizeof(*order);

	sb_printf(&k, "KTAP version 1\n1..%zu\n", a->rows.n + norder);
	for (size_t i = 0; i < a->rows.n; i++) {
		const struct row *r = &a->rows.v[i];
		double one = (double)r->stat[ST_MEDIAN] / 1000.0;
		double two = median_of(b, r->abi, r->path);

		/* The median: a timer tick in a rare batch can move the tail
		 * (the vDSO retries its read), never the median. */
		sb_printf(&k, "%sok %d %s/%s: median identical in two boots (%.3f, %.3f instructions)\n",
			  one == two ? "" : "not ", ++n, r->abi, r->path, one, two);
	}
	for (size_t i = 0; i < norder; i++) {
		double v = median_of(a, order[i].abi, order[i].path);

		sb_printf(&k, "%sok %d %s (%.1f > %.1f)\n",
			  v > order[i].more_than && order[i].more_than >= 0 ? "" : "not ",
			  ++n, order[i].what, v, order[i].more_than);
	}
	return k.s;
}

/* The failure path: the "red" run must show exactly one failed check. */
static char *red_checks(const struct run *red)
{
	struct summary s = { 0 };
	struct ktap_counts t = { 0 };
	const struct ktap_test *step = red && red->results && red->results->nsub ?
				       &red->results->sub[0] : NULL;
	char *text;

	if (red)
		sum_add_run(&s, "red", red, NULL);
	for (size_t i = 0; i < s.n; i++) {
		t.failed += s.v[i].c.failed;
		t.passed += s.v[i].c.passed;
	}
	sum_free(&s);
	text = xasprintf("KTAP version 1\n1..3\n"
			 "%sok 1 a module check made to fail is counted as exactly one failure (%u failed)\n"
			 "%sok 2 the failing module's other checks still count as passed (%u passed)\n"
			 "%sok 3 the failed load is reported as the step's result\n",
			 t.failed == 1 ? "" : "not ", t.failed,
			 t.passed > 0 ? "" : "not ", t.passed,
			 step && step->result == KTAP_FAIL ? "" : "not ");
	return text;
}

static void add_text(struct summary *s, const char *label, const char *text,
		     const char *save_as)
{
	struct ktap_test *doc = ktap_parse(text);

	if (save_as)
		write_file(save_as, text, strlen(text));
	sum_add_doc(s, label, doc);
	ktap_free(doc);
}

int cmd_test(int argc, char **argv)
{
	struct lab_opts o;
	struct summary s = { 0 };
	struct ktap_counts t;
	struct run *lab, *nosys, *ic1, *ic2, *red;
	char *text, *path;

	lab_opts_parse(argc, argv, &o);
	if (!o.out || !o.kernel || !o.kernel_nosys || !o.host_tap)
		die("usage: lab test --kernel BZIMAGE --kernel-nosys BZIMAGE --kobj KOBJ --initrd CPIO --out OUT --host-tap DIR [--trace-tap FILE] [--mode M] [--timeout S]");
	lab_lock(o.out);
	boot_install_signals();
	summary_add_tap_dir(&s, o.host_tap);

	lab = boot_plan(&s, &o, o.kernel, o.mode, TEST_SMP, "test", "lab", "lab kernel");
	if (lab)
		sum_add_run(&s, "lab kernel", lab, "lab_syscalls");
	nosys = boot_plan(&s, &o, o.kernel_nosys, o.mode, 1, "enosys", "nosyscalls",
			  "no-family kernel");
	if (nosys)
		sum_add_run(&s, "no-family kernel", nosys, NULL);
	ic1 = boot_plan(&s, &o, o.kernel, MODE_ICOUNT, 1, "bench-quick", "icount-1",
			"lab kernel under icount (1 of 2)");
	ic2 = boot_plan(&s, &o, o.kernel, MODE_ICOUNT, 1, "bench-quick", "icount-2",
			"lab kernel under icount (2 of 2)");
	if (ic1 && ic2) {
		sum_add_run(&s, "icount boot 1", ic1, NULL);
		sum_add_run(&s, "icount boot 2", ic2, NULL);
		text = icount_checks(ic1, ic2);
		path = xasprintf("%s/icount.tap", o.out);
		add_text(&s, "icount: identical runs, ordering", text, path);
		free(text);
		free(path);
	}
	red = boot_plan(&s, &o, o.kernel, o.mode, 1, "red", "red",
			"lab kernel with a module check made to fail");
	text = red_checks(red);
	path = xasprintf("%s/red.tap", o.out);
	add_text(&s, "failure path: a failing module check", text, path);
	free(text);
	free(path);

	if (o.trace_tap) {
		text = read_file(o.trace_tap, NULL);
		if (text)
			add_text(&s, "trace: totals vs icount, symbols", text, NULL);
		else
			sum_add_failure(&s, "trace", "make trace's check did not run (no check.tap)");
		free(text);
	}

	printf("\nresults (logs under %s):\n", o.out);
	t = sum_print(&s, stdout);
	sum_free(&s);
	run_free(lab);
	run_free(nosys);
	run_free(ic1);
	run_free(ic2);
	run_free(red);
	return t.failed == 0 && t.passed > 0 ? 0 : 1;
}
