/*
 * lab nested [--arch A] --kernel VMLINUZ --initrd L1_CPIO --out DIR
 *            [--plan NAME] [--timeout S] [--append L1_ARGS]
 * (its options: commands.c; lab nested --help)
 * make test-kvm: the lab's kvm mode run for real, where the host has no
 * KVM of its own. QEMU's TCG emulates AMD SVM with nested paging (x86_64)
 * and the virt machine's EL2 (arm64, --arch arm64), so a first-level guest
 * (L1: Debian's kernel, the initramfs scripts/kvm-l1.sh packs, with the
 * lab's host tool built for A) gets /dev/kvm. In it the lab's own host
 * tool does what it does on a user's KVM machine: lab boot --mode auto
 * probes KVM, chooses it and boots the lab kernel (L2) with plan NAME
 * (default "run") under -accel kvm. L1 carries the run directory back as a
 * tar stream on a port of its own (DIR/carry.tar; x86_64: a serial port,
 * arm64: a virtio-serial port named lab.carry, as the virt machine has one
 * PL011) and ends with one status line on another (DIR/l1-status.json;
 * arm64: lab.l1status): {"status":N,"bytes":N}, lab boot's exit status and
 * the stream's length.
 *
 * DIR then holds L1's console.log and qemu.log, carry.tar, l1-status.json,
 * l1/ (what L1 sent: run/, the L2 run directory; lab-boot.log; l1.txt;
 * l1-dmesg.txt), checks.tap and summary.json (schema lab-summary/1, for
 * lab summary --with-summary). A missing or short stream, a failed or
 * skipped probe, a fallback to TCG, a run not labelled kvm-nested, a
 * warning in L2's log or a failed step is a failure. Exit status 0 only if
 * nothing failed.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lab.h"
#include "summary.h"
#include "untar.h"
#include "util.h"

/*
 * L1's CPU: QEMU's qemu64 with SVM and nested paging. With -cpu max, a
 * lab kernel under -cpu host in L2 warns at boot (fpu__init_system_xstate:
 * "XSAVE consistency problem, size 2696 != kernel_size 576"): CPUID.0xD.0
 * says EAX 0x207 (x87, SSE, AVX, PKRU) but EBX 0x240, the size for XCR0 =
 * 3, as if L1's KVM never saw L2's XSETBV. That is TCG's emulation of SVM,
 * not KVM on hardware; qemu64 has no XSAVE, so L2 has none either.
 */
#define L1_CPU "qemu64,+svm,+npt"
#define L1_MEM_MB "2048"
/*
 * arm64's L1: the virt machine with EL2 (virtualization=on) and -cpu max
 * (pauth-impdef=on: QEMU's cheaper pointer authentication, the same
 * instructions). Debian's 6.1 kernel there runs KVM at EL2 itself.
 * kvm-arm.mode=nvhe is required: in its default VHE mode L1's perf driver
 * clears PMUSERENR_EL0 while L2's vCPU is loaded, so L2's bench_user gets
 * SIGILL at its first mrs pmccntr_el0.
 */
#define L1_CPU_ARM64 "max,pauth-impdef=on"

/*
 * L1's command line. x86_64: q35, the carry and the status line on
 * ttyS1 and ttyS2. arm64: the virt machine with EL2, its one PL011 the
 * console, the carry and the status line on virtio-serial ports that L1's
 * /init finds by name.
 */
static char **l1_argv(const struct lab_opts *o, const char *dir)
{
	static const struct {
		const char *id, *file, *port;
	} ports[] = { { "carry", "carry.tar", "lab.carry" },
		      { "l1status", "l1-status.json", "lab.l1status" } };
	bool arm64 = o->arch == ARCH_ARM64;
	char **v = xcalloc(48, sizeof(*v));
	int n = 0;

#define A(...) (v[n++] = xasprintf(__VA_ARGS__))
	A(arm64 ? "qemu-system-aarch64" : "qemu-system-x86_64");
	A("-accel"); A("tcg"); A("-M"); A(arm64 ? "virt,virtualization=on" : "q35");
	A("-cpu"); A(arm64 ? L1_CPU_ARM64 : L1_CPU);
	A("-smp"); A("1"); A("-m"); A(L1_MEM_MB);
	A("-nodefaults"); A("-no-user-config"); A("-display"); A("none");
	A("-no-reboot");
	A("-kernel"); A("%s", o->kernel);
	A("-initrd"); A("%s", o->initrd);
	/*
	 * L2's boots get two thirds of L1's time: L1 still ends by itself
	 * and sends what there is when one of them hangs.
	 * x86_64's nohz=off highres=off: L1's tick is the LAPIC timer's
	 * periodic mode. With the default one-shot timer, five of nine L1
	 * boots froze soon after L2's plan boot began (QEMU at 0 % CPU, L1's
	 * own 15-second progress line never came again), as if one timer
	 * interrupt was lost while TCG ran L2 and no timer was armed after
	 * it; with a periodic tick none of fifteen did. (Not understood
	 * further.) arm64's kvm-arm.mode=nvhe: see L1_CPU_ARM64. x86's
	 * no_timer_check: as the lab kernel's (boot.c), L1 under TCG on a
	 * busy host panicked in the IO-APIC timer check.
	 */
	A("-append"); A("%s lab.plan=%s lab.timeout=%u%s%s",
			arm64 ? "console=ttyAMA0 panic=-1 quiet kvm-arm.mode=nvhe" :
			"console=ttyS0 panic=-1 mitigations=off quiet nohz=off highres=off no_timer_check",
			o->plan, o->timeout_s * 2 / 3, o->append ? " " : "", o->append ? o->append : "");
	A("-chardev"); A("stdio,id=console,signal=off");
	A("-serial"); A("chardev:console");
	if (!arm64) {
		A("-serial"); A("file:%s/carry.tar", dir);
		A("-serial"); A("file:%s/l1-status.json", dir);
		return v;
	}
	A("-device"); A("virtio-serial-device");
	for (size_t i = 0; i < sizeof(ports) / sizeof(*ports); i++) {
		char *path = xasprintf("%s/%s", dir, ports[i].file);
		char *esc = qemu_opt_escape(path);

		A("-chardev"); A("file,id=%s,path=%s", ports[i].id, esc);
		A("-device"); A("virtserialport,chardev=%s,name=%s", ports[i].id, ports[i].port);
		free(esc);
		free(path);
	}
#undef A
	return v;
}

/* L1's status line: 0 and its fields, or -1 with why in r. */
static int l1_status(const char *dir, int *status, long long *bytes, char *why, size_t size)
{
	char *path = xasprintf("%s/l1-status.json", dir);
	size_t len = 0;
	char *text = read_file(path, &len);
	json_t *j = NULL;
	json_error_t jerr;
	json_int_t st = -1, by = -1;
	int ret = -1;

	if (!text || !len)
		snprintf(why, size, "L1 sent no status line (%s is %s)", path,
			 text ? "empty" : "missing");
	else if (text[len - 1] != '\n' || memchr(text, '\n', len - 1) ||
		 !(j = json_loadb(text, len - 1, JSON_REJECT_DUPLICATES, &jerr)) ||
		 json_unpack_ex(j, &jerr, JSON_STRICT, "{s:I, s:I}", "status", &st,
				"bytes", &by) || st < 0 || st > 255 || by < 0)
		snprintf(why, size, "L1's status line is malformed (%s: want one line {\"status\":0-255,\"bytes\":N})",
			 path);
	else
		ret = 0;
	*status = (int)st;
	*bytes = by;
	json_decref(j);
	free(text);
	free(path);
	return ret;
}

/* meta.json's qemu_argv has these two words one after the other. */
static bool argv_has(const struct run *r, const char *a, const char *b)
{
	json_t *v = json_object_get(r->meta, "qemu_argv");

	for (size_t i = 0; i + 1 < json_array_size(v); i++) {
		const char *x = json_string_value(json_array_get(v, i));
		const char *y = json_string_value(json_array_get(v, i + 1));

		if (x && y && !strcmp(x, a) && !strcmp(y, b))
			return true;
	}
	return false;
}

/* KTAP: what the kvm path must have done inside L1. */
static char *nested_checks(const struct run *r, int lab_status)
{
	json_t *host = r ? json_object_get(r->meta, "host") : NULL;
	const char *probe = r ? run_meta(r, "kvm_probe") : "";
	const char *mode = r ? run_meta(r, "mode") : "";
	size_t kvm_rows = 0, nrows = r ? r->rows.n : 0;

	for (size_t i = 0; i < nrows; i++)
		kvm_rows += !strcmp(r->rows.v[i].mode, MODE_LABEL_KVM_NESTED);
	return xasprintf("KTAP version 1\n1..7\n"
			 "%sok 1 lab boot in L1 exited 0 (exit %d)\n"
			 "%sok 2 auto was asked for (mode_requested: %s)\n"
			 "%sok 3 the probe booted under KVM and chose it (kvm_probe: %s)\n"
			 "%sok 4 the plan ran in mode kvm, not a fallback (mode: %s)\n"
			 "%sok 5 QEMU ran with -accel kvm\n"
			 "%sok 6 the run says its host is a virtual machine: kvm-nested, not hardware (host.virtualised, mode_label: %s)\n"
			 "%sok 7 every benchmark row is labelled kvm-nested (%zu of %zu)\n",
			 lab_status == 0 ? "" : "not ", lab_status,
			 r && !strcmp(run_meta(r, "mode_requested"), "auto") ? "" : "not ",
			 r ? run_meta(r, "mode_requested") : "no run",
			 !strncmp(probe, "kvm: ", 5) ? "" : "not ", *probe ? probe : "none",
			 !strcmp(mode, "kvm") ? "" : "not ", *mode ? mode : "none",
			 r && argv_has(r, "-accel", "kvm") ? "" : "not ",
			 json_is_true(json_object_get(host, "virtualised")) &&
			 r && !strcmp(run_mode(r), MODE_LABEL_KVM_NESTED) ? "" : "not ",
			 r ? run_mode(r) : "none",
			 nrows && kvm_rows == nrows ? "" : "not ", kvm_rows, nrows);
}

/* One figure a line: seconds of the runs, labelled for what they are. */
static void show_times(double l1_s, const struct run *r)
{
	json_t *ps = r ? json_object_get(r->meta, "kvm_probe_seconds") : NULL;
	json_t *rs = r ? json_object_get(r->meta, "seconds") : NULL;

	printf("times (wall clock; L1 is TCG, L2 is KVM nested under it: not hardware times)\n");
	printf("  L1 boot to power-off, everything included   %.1f s\n", l1_s);
	if (json_is_number(ps))
		printf("  L2 probe boot (-accel kvm)                  %.1f s\n", json_number_value(ps));
	if (json_is_number(rs))
		printf("  L2 plan boot, %-30s %.1f s\n", r ? run_mode(r) : "", json_number_value(rs));
}

int cmd_nested(int argc, char **argv)
{
	struct lab_opts o;
	struct summary s = { 0 };
	struct boot_result br;
	struct ktap_counts t;
	struct run *run = NULL;
	char why[1024] = "", *tar_path, *l1_dir, *run_dir, *text, *err = NULL;
	char **qemu;
	size_t len = 0;
	long long bytes = -1, start;
	int code, lab_status = -1;
	double l1_s;

	lab_parse_or_exit(&lab_cmd_nested, argc, argv, &o, NULL);
	lab_lock(o.out);
	boot_install_signals();
	tar_path = xasprintf("%s/carry.tar", o.out);
	l1_dir = xasprintf("%s/l1", o.out);
	run_dir = xasprintf("%s/run", l1_dir);
	rm_rf(l1_dir);
	say("booting %s L1 (TCG, -cpu %s) to run lab boot --mode auto, plan '%s', under KVM inside it",
	    arch_name(o.arch), o.arch == ARCH_ARM64 ? L1_CPU_ARM64 : L1_CPU, o.plan);
	qemu = l1_argv(&o, o.out);
	start = now_ms();
	code = qemu_supervised(qemu, o.out, o.timeout_s, "L1, TCG", &br);
	l1_s = (double)(now_ms() - start) / 1000;
	for (char **p = qemu; *p; p++)
		free(*p);
	free(qemu);
	if (code != 0) {
		snprintf(why, sizeof(why), "L1: %.512s (console: %.400s/console.log)", br.reason, o.out);
	} else if (!l1_status(o.out, &lab_status, &bytes, why, sizeof(why))) {
		text = read_file(tar_path, &len);
		if (!text || (long long)len != bytes)
			snprintf(why, sizeof(why), "L1 sent %lld bytes of its run directory, the host has %lld in %s",
				 bytes, text ? (long long)len : -1LL, tar_path);
		else if (untar(text, len, l1_dir, &err))
			snprintf(why, sizeof(why), "%s: %s", tar_path, err);
		free(text);
		free(err);
	}
	if (why[0]) {
		sum_add_failure(&s, "kvm-nested: L1", why);
	} else {
		run = run_load(run_dir, "kvm-nested", &err);
		if (!run) {
			sum_add_failure(&s, "kvm-nested: L1", err);
			free(err);
		}
	}
	if (run)
		sum_add_run(&s, "kvm-nested: lab kernel under KVM in L1", run, NULL);
	text = nested_checks(run, lab_status);
	{
		char *path = xasprintf("%s/checks.tap", o.out);
		struct ktap_test *doc = ktap_parse(text);

		write_file(path, text, strlen(text));
		sum_add_doc(&s, "kvm-nested: probe, mode, labels", doc);
		ktap_free(doc);
		free(path);
	}
	free(text);
	text = xasprintf("%s/summary.json", o.out);
	if (sum_save(&s, text))
		sum_add_failure(&s, "summary", "could not save the summary");
	show_times(l1_s, run);
	printf("\nresults (logs under %s; L2's under %s):\n", o.out, run_dir);
	t = sum_print(&s, stdout);
	free(text);
	run_free(run);
	sum_free(&s);
	free(tar_path);
	free(l1_dir);
	free(run_dir);
	return t.failed == 0 && t.passed > 0 ? 0 : 1;
}
