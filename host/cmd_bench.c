/*
 * lab bench [--arch x86_64|arm64] --kernel BZIMAGE --kobj KOBJ --initrd CPIO
 *           --guest DIR --out OUT [--mode auto|tcg|kvm] [--timeout S]
 *           [--plan bench|bench-quick] [--smp N]
 * (its options: commands.c; lab bench --help)
 * make bench: every path timed
 *   host.1 .. host.7  this machine's kernel, hardware time, seven runs (the
 *                     spread across them is part of the report): bench_user
 *                     and bench_batch (io_uring's curves, when the host
 *                     lets a process set up a ring) with --host
 *   vm-default/off    the lab kernel under QEMU (TCG or KVM), with the
 *                     kernel's mitigations and with mitigations=off
 *   icount-default/off  the same under -icount shift=0: exact instructions
 * and beside them perf bench syscall basic and the lab's own 10 million
 * getppid() calls. Runs go to OUT/raw/, the report to OUT/ (report.h).
 * With --arch arm64 the guest's programs cannot run on this x86_64 host:
 * no host runs and no perf, only the four boots (said, not silent).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "host_bench.h"
#include "lab.h"
#include "proc.h"
#include "report.h"
#include "util.h"

#define HOST_RUNS 7

/* perf's own figure: `perf bench --format=simple syscall basic` prints the
 * total seconds for its 10 million calls. */
static double perf_mean_ns(long long calls)
{
	const char *const argv[] = { "perf", "bench", "--format=simple", "syscall", "basic", NULL };
	char *line = proc_line1(argv);
	char *end;
	double secs = strtod(line, &end);
	bool ok = end != line && secs > 0;

	free(line);
	return ok ? secs * 1e9 / (double)calls : -1;
}

/* perf's figure beside the lab's own 10 million getppid() calls, or why
 * there is none: {"calls":..} or {"left_out": "..."}. */
/* 1 if no perf is on PATH. */
static int perf_missing(void)
{
	return !proc_on_path("perf");
}

static json_t *beside_perf(const char *raw, const char *guest)
{
	char *dir = xasprintf("%s/host-10M", raw), *prog = xasprintf("%s/bench_user", guest);
	const char *const argv[] = { prog, "--host", "--batches", "2000", "--iters", "5000", NULL };
	const struct host_cmd cmd = { "x86_64", argv };
	struct host_result res;
	json_t *o = NULL;
	struct run *r;
	double perf;

	say("host: 10 million getppid() calls, the lab's way and perf's");
	host_bench_run(dir, &cmd, 1, &res);
	if (res.ran != 1) {
		say("the lab's 10 million calls failed (see %s/stderr.txt)", dir);
		o = json_pack("{s:s}", "left_out", "the lab's 10 million calls did not run");
		goto out;
	}
	r = lab_load_run(dir);
	perf = perf_mean_ns(10000000LL);
	for (size_t i = 0; i < r->rows.n; i++)
		if (!strcmp(r->rows.v[i].path, "getppid_syscall") && perf > 0) {
			const struct row *w = &r->rows.v[i];

			o = json_pack("{s:I, s:f, s:f, s:f}", "calls", (json_int_t)w->batches * w->iters,
				      "perf_mean_ns", perf, "lab_mean_ns", row_value(w, ST_MEAN),
				      "lab_median_ns", row_value(w, ST_MEDIAN));
		}
	if (perf <= 0) {
		const char *why = perf_missing() ? "no perf on this host (Debian: linux-perf)" :
			"perf bench syscall basic failed here";

		say("host: %s", why);
		o = json_pack("{s:s}", "left_out", why);
	}
	run_free(r);
out:
	host_result_free(&res);
	free(dir);
	free(prog);
	return o;
}

/*
 * The host's runs: bench_user and bench_batch, 64- and 32-bit, HOST_RUNS
 * times. A program this host cannot start (an i386 one without 32-bit
 * emulation) is left out of every run, said once here and once under the
 * report's table (from the runs' meta.json). A program that started and
 * failed ends make bench.
 */
static void host_runs(const struct lab_opts *o, const char *raw, struct report *rep)
{
	char *b64 = xasprintf("%s/bench_user", o->guest), *b32 = xasprintf("%s/bench_user32", o->guest);
	char *bb64 = xasprintf("%s/bench_batch", o->guest), *bb32 = xasprintf("%s/bench_batch32", o->guest);
	const char *const c64[] = { b64, "--host", NULL }, *const c32[] = { b32, "--host", NULL };
	const char *const cb64[] = { bb64, "--host", NULL }, *const cb32[] = { bb32, "--host", NULL };
	const struct host_cmd cmds[] = { { "x86_64", c64 }, { "i386", c32 },
					 { "x86_64", cb64 }, { "i386", cb32 } };

	say("host: bench_user and bench_batch on this machine's kernel, %d runs", HOST_RUNS);
	for (int i = 1; i <= HOST_RUNS && !lab_interrupted; i++) {
		char *dir = xasprintf("%s/host.%d", raw, i);
		struct host_result res;

		host_bench_run(dir, cmds, sizeof(cmds) / sizeof(*cmds), &res);
		if (res.failed)
			die("a benchmark failed on the host; see %s/stderr.txt", dir);
		for (size_t j = 0; i == 1 && j < json_array_size(res.lines); j++)
			say("host: %s", json_string_value(json_array_get(res.lines, j)));
		rep->runs[rep->nruns++] = lab_load_run(dir);
		host_result_free(&res);
		free(dir);
	}
	free(b64);
	free(b32);
	free(bb64);
	free(bb32);
}

int cmd_bench(int argc, char **argv)
{
	static const char *const names[] = { "vm-default", "vm-off", "icount-default", "icount-off" };
	struct lab_opts o;
	struct run *runs[HOST_RUNS + 4];
	struct report rep = { .runs = runs };
	char *raw, *trace, *probe;
	json_t *perf;
	int ret;

	lab_parse_or_exit(&lab_cmd_bench, argc, argv, &o, NULL);
	if (!strcmp(o.plan, "run"))
		o.plan = "bench";
	lab_lock(o.out);
	probe = lab_probe_path(o.out);
	o.probe_cache = probe;
	boot_install_signals();
	raw = xasprintf("%s/raw", o.out);
	if (o.arch != ARCH_X86_64)
		say("no host runs: the %s guest's programs do not run on this host",
		    arch_name(o.arch));
	else
		host_runs(&o, raw, &rep);
	perf = o.arch == ARCH_X86_64 ? beside_perf(raw, o.guest) : NULL;
	for (size_t i = 0; i < 4; i++) {
		struct lab_opts k = o;
		struct boot_opts b;
		struct boot_result r;
		char *dir = xasprintf("%s/%s", raw, names[i]);

		k.mode = i >= 2 ? MODE_ICOUNT : o.mode;
		k.append = i % 2 ? "mitigations=off" : NULL;
		say("%s: booting with plan '%s'", names[i], o.plan);
		b = lab_boot_opts(&k, o.plan, dir);
		if (lab_boot(&b, &r) || r.outcome != OUTCOME_OK)
			die("the %s boot failed: %s; see %s", names[i], r.reason, dir);
		runs[rep.nruns++] = lab_load_run(dir);
		if (runs[rep.nruns - 1]->nproblems)
			die("%s: %s", dir, runs[rep.nruns - 1]->problems[0]);
		free(dir);
	}
	rep.extra = json_pack("{s:o?}", "perf_bench_syscall_basic", perf);
	trace = xasprintf("%s/trace/report.md", o.out);
	if (file_exists(trace))
		rep.trace_md = "trace/report.md";
	{
		char *path = xasprintf("%s/extra.json", raw);
		char *text = json_dumps(rep.extra, JSON_INDENT(2));

		write_file(path, text, strlen(text));
		free(text);
		free(path);
	}
	report_table(stdout, &rep);
	ret = report_write(o.out, &rep);
	if (!ret)
		printf("\nreport: %s/report.md (table, charts), %s/bench.json, %s/bench.csv\n",
		       o.out, o.out, o.out);
	json_decref(rep.extra);
	for (size_t i = 0; i < rep.nruns; i++)
		run_free(runs[i]);
	free(raw);
	free(trace);
	free(probe);
	return ret ? 1 : 0;
}
