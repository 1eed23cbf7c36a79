/*
 * lab run --kernel BZIMAGE --kobj KOBJ --initrd CPIO --guest DIR --out OUT
 *         [--mode auto|tcg|kvm|icount] [--timeout S] [--arch x86_64|arm64]
 *         [--append ARGS] [--smp N]
 * (its options: commands.c; lab run --help)
 * make run: boots the lab kernel with the "run" plan (under icount unless
 * another mode is asked for, so that its benchmark rows are exact
 * instruction counts), times the rows the host can run on the host, and
 * shows what the family answered, from the run's own files only. A boot
 * that did not finish prints its own failure and nothing else. An arm64
 * guest's programs do not run on this x86_64 host: that run has no host
 * column, and says so.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host_bench.h"
#include "lab.h"
#include "report.h"
#include "summary.h"
#include "util.h"

static const char *mode_label(const char *mode)
{
	if (!strcmp(mode, "icount"))
		return "icount (QEMU -icount shift=0: the benchmark's figures are exact instruction counts)";
	if (!strcmp(mode, "kvm"))
		return "kvm (hardware virtualisation)";
	if (!strcmp(mode, MODE_LABEL_KVM_NESTED))
		return "kvm-nested (KVM on a host that is itself a virtual machine: nested times, not hardware times)";
	return "tcg (QEMU emulation: any time here is emulation time, not hardware time)";
}

static void show_facts(const struct run *r)
{
	json_t *v = r->facts ? json_object_get(r->facts, "vulnerabilities") : NULL;
	const char *key;
	json_t *val;

	printf("\n--- the guest kernel\n");
	printf("    release %s\n    version %s\n    cmdline %s\n    cpu     %s\n",
	       run_fact(r, "release"), run_fact(r, "version"),
	       run_fact(r, "cmdline"), run_fact(r, "cpu"));
	json_object_foreach(v, key, val)
		printf("    vulnerability %s: %s\n", key, json_string_value(val));
}

/* kernel_wiring.ko's facts, in four lines (make wiring has the rest). */
static void show_wiring(const struct run *r)
{
	json_t *w = r->facts ? json_object_get(r->facts, "wiring") : NULL;
	json_t *idt = json_object_get(json_object_get(w, "idt"), "0x80");
	json_t *msr = json_object_get(w, "msr"), *t = json_object_get(w, "x86_64");
#define S(o, k) (json_string_value(json_object_get(o, k)) ? \
		 json_string_value(json_object_get(o, k)) : "?")

	if (!w)
		return;
	printf("\n--- the wiring (kernel_wiring.ko; make wiring for all of it)\n");
	printf("    int $0x80     IDT gate type %lld, DPL %lld -> %s\n",
	       json_integer_value(json_object_get(idt, "type")),
	       json_integer_value(json_object_get(idt, "dpl")), S(idt, "symbol"));
	printf("    syscall       MSR_LSTAR -> %s\n", S(json_object_get(msr, "LSTAR"), "symbol"));
	printf("    sysenter      MSR_IA32_SYSENTER_EIP -> %s\n",
	       S(json_object_get(msr, "SYSENTER_EIP"), "symbol"));
	printf("    dispatch      sys_call_table: %lld numbers, %lld of them holes (ENOSYS)\n",
	       json_integer_value(json_object_get(t, "nr_syscalls")),
	       json_integer_value(json_object_get(t, "holes")));
#undef S
}

static void show_steps(const struct run *r)
{
	const struct ktap_test *doc = r->results;

	for (size_t i = 0; doc && i < doc->nsub; i++) {
		const struct ktap_test *t = &doc->sub[i];
		/* the step's own "# Subtest: NAME" header is not its output */
		size_t first = t->nlines && !strncmp(t->lines[0], "# Subtest: ", 11);

		if (t->nlines == first && t->result == KTAP_PASS)
			continue;
		printf("\n--- %s\n", t->name);
		for (size_t j = first; j < t->nlines; j++)
			printf("    %s\n", t->lines[j]);
		if (t->result == KTAP_SKIP) {
			/* "SKIP only on x86_64: this guest is arm64" */
			const char *why = t->directive ? t->directive + 4 : "";

			printf("    (skipped%s%s)\n", *why ? ":" : "", why);
		}
		if (t->result == KTAP_FAIL) {
			printf("    (not ok");
			for (size_t j = 0; j < t->ndiag; j++)
				printf("%s %s", j ? ";" : ":", t->diag[j] + 2);
			printf(")\n");
		}
	}
}

/* The host's column: bench_user and bench_user32 on this machine's kernel,
 * each left out (said under the table, from the run's meta.json) when the
 * host cannot run it. 1 if the run is there to load. */
static int host_column(const char *hostdir, const char *guest)
{
	char *b64 = xasprintf("%s/bench_user", guest), *b32 = xasprintf("%s/bench_user32", guest);
	const char *const argv64[] = { b64, "--host", "--batches", "20", NULL };
	const char *const argv32[] = { b32, "--host", "--batches", "20", NULL };
	const struct host_cmd cmds[] = { { "x86_64", argv64 }, { "i386", argv32 } };
	struct host_result res;
	int any;

	say("timing the rows the host can run, on the host");
	host_bench_run(hostdir, cmds, 2, &res);
	if (res.failed)
		say("a host benchmark failed (%s/stderr.txt): its rows are left out", hostdir);
	any = res.ran + res.nleft > 0;
	host_result_free(&res);
	free(b64);
	free(b32);
	return any;
}

int cmd_run(int argc, char **argv)
{
	struct lab_opts o;
	struct boot_opts b;
	struct boot_result br;
	struct summary s = { 0 };
	struct ktap_counts t;
	struct run *runs[2];
	struct report rep = { .runs = runs };
	struct stat st;
	char *dir, *hostdir, *probe;

	lab_parse_or_exit(&lab_cmd_run, argc, argv, &o, NULL);
	if (o.mode == MODE_AUTO)
		o.mode = MODE_ICOUNT;
	lab_lock(o.out);
	probe = lab_probe_path(o.out);
	o.probe_cache = probe;
	boot_install_signals();
	/* the columns of the table are named by these directories */
	dir = xasprintf("%s/run/%s", o.out, mode_name(o.mode));
	hostdir = xasprintf("%s/run/host", o.out);
	rm_rf(hostdir);
	say("booting the lab kernel (mode: %s)", mode_name(o.mode));
	b = lab_boot_opts(&o, "run", dir);
	if (lab_boot(&b, &br))
		die("%s; console log: %s/console.log", br.reason, dir);
	runs[rep.nruns++] = lab_load_run(dir);

	if (o.arch != ARCH_X86_64)
		say("no host column: the %s guest's programs do not run on this host",
		    arch_name(o.arch));
	else if (host_column(hostdir, o.guest))
		runs[rep.nruns++] = lab_load_run(hostdir);

	printf("\nlab kernel  %s, %s, %lld KiB %s\n", run_fact(runs[0], "release"),
	       arch_name(o.arch), stat(o.kernel, &st) ? 0LL : (long long)st.st_size / 1024,
	       o.arch == ARCH_ARM64 ? "Image" : "bzImage");
	printf("config      %s/.config (tinyconfig + config/lab.config + config/%s.config, sha256 %.12s)\n",
	       o.kobj, arch_name(o.arch),
	       json_string_value(json_object_get(json_object_get(runs[0]->meta, "lab_kernel"),
						 "config_sha256")));
	printf("mode        %s\n", mode_label(run_mode(runs[0])));
	printf("logs        %s/: console.log, ktap.txt (results), rows.jsonl (benchmark), meta.json\n", dir);
	show_facts(runs[0]);
	show_steps(runs[0]);
	show_wiring(runs[0]);
	printf("\n--- a short benchmark (20 batches a path; make bench for the full one)\n");
	report_table(stdout, &rep);

	sum_add_run(&s, "guest", runs[0], NULL);
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i].c.failed) {
			printf("\nnot everything passed:\n");
			break;
		}
	t = (struct ktap_counts){ 0 };
	for (size_t i = 0; i < s.n; i++) {
		t.failed += s.v[i].c.failed;
		for (size_t j = 0; s.v[i].c.failed && j < s.v[i].nwhy; j++)
			printf("  %s: %s\n", s.v[i].label, s.v[i].why[j]);
	}
	printf("\n%s\n", t.failed ? "a step failed (see above)" :
	       "every step passed");
	sum_free(&s);
	for (size_t i = 0; i < rep.nruns; i++)
		run_free(runs[i]);
	free(dir);
	free(hostdir);
	free(probe);
	return t.failed ? 1 : 0;
}
