/*
 * commands.c: every command's table (opts.h): the options it takes, which
 * it requires, its operands, its synopsis; the options of its own
 * (trace's, mitigations'); the rules between options.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "opts.h"
#include "trace.h"

#define R(opt) { &lab_opt_##opt, true }
#define O(opt) { &lab_opt_##opt, false }
#define END { NULL, false }

/* ---- trace's own options, and its settings' rules ----------------------- */

int trace_setting_check(const char *setting, char *why, size_t n)
{
	const char *eq = strchr(setting, '=');
	size_t len = eq ? (size_t)(eq - setting) : 0;

	if (!len || strspn(setting, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != len ||
	    !eq[1] || strchr(eq + 1, '"') || strchr(eq + 1, '\\'))
		return lab_opt_fail(why, n, "--setting wants NAME=ARGS (NAME of a-z, 0-9, _ . -; ARGS kernel command-line words), not '%s'",
				    setting);
	return 0;
}

/* The i-th word of --mitigations' value (space or comma between), into w. */
static bool mit_word(const char *s, int i, char *w, size_t n)
{
	for (;;) {
		size_t len;

		s += strspn(s, " ,");
		if (!*s)
			return false;
		len = strcspn(s, " ,");
		if (i-- == 0) {
			snprintf(w, n, "%.*s", (int)len, s);
			return true;
		}
		s += len;
	}
}

/* Whether name is one of the settings before setting k (words w of
 * --mitigations first, then the --setting ones). */
static bool named_before(const struct trace_opts *t, const char *mits, int w, int k,
			 const char *name, size_t len)
{
	char word[64];

	for (int i = 0; i < w && mit_word(mits, i, word, sizeof(word)); i++)
		if (strlen(word) == len && !strncmp(word, name, len))
			return true;
	for (int i = 0; i < k; i++)
		if (!strncmp(t->settings[i], name, len) && t->settings[i][len] == '=')
			return true;
	return false;
}

int trace_opts_check(const struct trace_opts *t, char *why, size_t n)
{
	const char *mits = t->mitigations ? t->mitigations : "default off";
	char word[64];
	int w = 0;

	for (; mit_word(mits, w, word, sizeof(word)); w++) {
		if (strcmp(word, "default") && strcmp(word, "off"))
			return lab_opt_fail(why, n, "--mitigations: '%s' is no setting (default, off)", word);
		if (named_before(t, mits, w, 0, word, strlen(word)))
			return lab_opt_fail(why, n, "--mitigations: '%s' twice", word);
	}
	if (!w && !t->nsettings)
		return lab_opt_fail(why, n, "--mitigations: no setting given");
	for (unsigned int k = 0; k < t->nsettings; k++) {
		size_t len = strcspn(t->settings[k], "=");

		if (trace_setting_check(t->settings[k], why, n))
			return -1;
		if (named_before(t, mits, w, (int)k, t->settings[k], len))
			return lab_opt_fail(why, n, "--setting: '%.*s' twice", (int)len, t->settings[k]);
	}
	return 0;
}

static int set_mitigations(const struct lab_opt *self, struct lab_opts *o, void *own,
			   const char *val, char *why, size_t n)
{
	(void)self, (void)o, (void)why, (void)n;
	((struct trace_opts *)own)->mitigations = val;
	return 0;
}

static int set_setting(const struct lab_opt *self, struct lab_opts *o, void *own,
		       const char *val, char *why, size_t n)
{
	struct trace_opts *t = own;

	(void)self, (void)o;
	if (trace_setting_check(val, why, n))
		return -1;
	if (t->nsettings == TRACE_SETTINGS_MAX - 2)
		return lab_opt_fail(why, n, "--setting: at most %d", TRACE_SETTINGS_MAX - 2);
	t->settings[t->nsettings++] = val;
	return 0;
}

static const struct lab_opt opt_mitigations = { "mitigations", "\"default off\"",
	"the built-in settings traced: default, off, or both (the default)", set_mitigations, 0 };
static const struct lab_opt opt_setting = { "setting", "NAME=ARGS",
	"one more setting: its boots' kernel command line ends in ARGS (repeatable)", set_setting, 0 };

static int set_trace_report_only(const struct lab_opt *self, struct lab_opts *o, void *own,
				 const char *val, char *why, size_t n)
{
	(void)self, (void)o, (void)val, (void)why, (void)n;
	((struct trace_opts *)own)->report_only = true;
	return 0;
}

static const struct lab_opt opt_trace_report_only = { "report-only", NULL,
	"no boots: the listings, checks and report again from what OUT holds", set_trace_report_only, 0 };

static int trace_check(const struct lab_opts *o, const void *own, char *why, size_t n)
{
	struct trace_opts t = *(const struct trace_opts *)own;

	t.check_only = o->check_only;
	return trace_opts_check(&t, why, n);
}

/* ---- mitigations' own options ------------------------------------------- */

static int set_only(const struct lab_opt *self, struct lab_opts *o, void *own,
		    const char *val, char *why, size_t n)
{
	(void)self, (void)o;
	if (!val[strspn(val, " ,")])
		return lab_opt_fail(why, n, "--only wants switches' names (NAME,...), not '%s'", val);
	((struct mitigations_opts *)own)->only = val;
	return 0;
}

static int set_report_only(const struct lab_opt *self, struct lab_opts *o, void *own,
			   const char *val, char *why, size_t n)
{
	(void)self, (void)o, (void)val, (void)why, (void)n;
	((struct mitigations_opts *)own)->report_only = true;
	return 0;
}

static const struct lab_opt opt_only = { "only", "NAME,...",
	"those switches alone (names from the kernel's documentation)", set_only, 0 };
static const struct lab_opt opt_report_only = { "report-only", NULL,
	"no boots: the report again from what OUT/trace holds", set_report_only, 0 };

static int mitigations_check(const struct lab_opts *o, const void *own, char *why, size_t n)
{
	if (o->check_only && ((const struct mitigations_opts *)own)->report_only)
		return lab_opt_fail(why, n, "--check-only and --report-only exclude each other");
	return 0;
}

/* ---- the rules of test and summary ------------------------------------ */

static int test_check(const struct lab_opts *o, const void *own, char *why, size_t n)
{
	(void)own;
	if (o->lab_only && (o->kernel_nosys || o->kernel_noexp || o->kobj_noexp || o->initrd_noexp))
		return lab_opt_fail(why, n, "--lab-only boots no other kernel (--kernel-nosys, --kernel-noexports, --kobj-noexports, --initrd-noexports)");
	if (!o->lab_only) {
		const char *missing = !o->kernel_nosys ? "--kernel-nosys" :
				      !o->kernel_noexp ? "--kernel-noexports" :
				      !o->kobj_noexp ? "--kobj-noexports" :
				      !o->initrd_noexp ? "--initrd-noexports" : NULL;

		if (missing)
			return lab_opt_fail(why, n, "%s is required without --lab-only (lab test --help)", missing);
	}
	return 0;
}

static int summary_check(const struct lab_opts *o, const void *own, char *why, size_t n)
{
	(void)own;
	if (!o->host_tap && !o->nwith_summary && !o->nargs)
		return lab_opt_fail(why, n, "nothing to sum up: --host-tap, --with-summary or a run directory");
	return 0;
}

/* ---- the commands ------------------------------------------------------- */

static const struct lab_cmd_opt boot_opts[] = {
	O(arch), R(kernel), R(initrd), O(kobj), O(plan), R(out), O(mode), O(timeout),
	O(append), O(smp), END,
};
const struct lab_cmd lab_cmd_boot = {
	.name = "boot", .synopsis = "boot a lab kernel once into a run directory",
	.opts = boot_opts,
	.notes = "The plan defaults to run; auto's KVM probe answer is kept beside OUT.",
};

static const struct lab_cmd_opt run_opts[] = {
	O(arch), R(kernel), R(kobj), R(initrd), R(guest), R(out), O(mode), O(timeout),
	O(append), O(smp), END,
};
const struct lab_cmd lab_cmd_run = {
	.name = "run", .synopsis = "boot, show the family at work, a short benchmark",
	.opts = run_opts,
	.notes = "--mode auto boots under icount (figures that mean something under TCG).",
};

static const struct lab_cmd_opt test_opts[] = {
	O(arch), R(kernel), R(kobj), R(initrd), O(guest), R(out), O(mode), O(timeout),
	O(lab_only), O(kernel_nosys), O(kernel_noexp), O(kobj_noexp), O(initrd_noexp),
	O(host_tap), O(trace_tap), O(mitigations_tap), O(wiring_tap), O(with_summary), END,
};
const struct lab_cmd lab_cmd_test = {
	.name = "test", .synopsis = "every boot of the test suite, and the summary",
	.opts = test_opts, .check = test_check,
	.notes = "Without --lab-only, --kernel-nosys, --kernel-noexports, --kobj-noexports and\n"
		 "--initrd-noexports are required; with it, none of them is taken.\n"
		 "--guest is taken (the Makefile's common options) and not used.",
};

static int bench_check(const struct lab_opts *o, const void *own, char *why, size_t n)
{
	(void)own;
	if (o->mode == MODE_ICOUNT)
		return lab_opt_fail(why, n, "--mode icount: make bench runs icount itself; choose auto, tcg or kvm for its vm mode");
	return 0;
}

static const struct lab_cmd_opt bench_opts[] = {
	O(arch), R(kernel), R(kobj), R(initrd), R(guest), R(out), O(mode), O(timeout),
	O(plan), O(smp), END,
};
const struct lab_cmd lab_cmd_bench = {
	.name = "bench", .synopsis = "every path timed in every mode, and the report",
	.opts = bench_opts, .check = bench_check,
	.notes = "The plan defaults to bench; --mode picks the vm boot's mode (not icount:\n"
		 "bench boots icount itself).",
};

static const struct lab_cmd_opt report_opts[] = { R(out), END };
const struct lab_cmd lab_cmd_report = {
	.name = "report", .synopsis = "the benchmark report from stored runs",
	.opts = report_opts, .operands = "RUN_DIR...", .min_args = 1, .max_args = -1,
};

static const struct lab_cmd_opt summary_opts[] = { O(host_tap), O(with_summary), END };
const struct lab_cmd lab_cmd_summary = {
	.name = "summary", .synopsis = "the test summary of stored runs and TAP files",
	.opts = summary_opts, .operands = "[RUN_DIR...]", .max_args = -1, .check = summary_check,
};

static const struct lab_cmd_opt trace_opts[] = {
	O(arch), R(kernel), R(kobj), R(initrd), R(guest), R(out), O(timeout),
	{ &opt_mitigations, false }, { &opt_setting, false }, O(check_only),
	{ &opt_trace_report_only, false }, END,
};
const struct lab_cmd lab_cmd_trace = {
	.name = "trace", .synopsis = "single-step the paths with gdb, against icount",
	.opts = trace_opts, .check = trace_check,
	.notes = "--check-only traces the default setting alone (and the --setting ones):\n"
		 "listings and check.tap, no report, no chart.\n"
		 "--report-only boots nothing: each setting's trace.json and icount/ in OUT\n"
		 "staged and checked again (the other options as the run that made them).",
};

static const struct lab_cmd_opt mitigations_opts[] = {
	O(arch), R(kernel), R(kobj), R(initrd), R(guest), R(ksrc), R(out), O(timeout),
	{ &opt_only, false }, O(check_only), { &opt_report_only, false }, END,
};
const struct lab_cmd lab_cmd_mitigations = {
	.name = "mitigations", .synopsis = "what each mitigation adds, instruction by instruction",
	.opts = mitigations_opts, .x86_only = true, .check = mitigations_check,
	.notes = "--check-only and --report-only exclude each other.",
};

static const struct lab_cmd_opt wiring_opts[] = {
	O(arch), R(kernel), R(kobj), R(initrd), O(guest), R(ksrc), R(out), O(mode),
	O(timeout), O(check_only), END,
};
const struct lab_cmd lab_cmd_wiring = {
	.name = "wiring", .synopsis = "the IDT gate, MSRs and tables behind a system call",
	.opts = wiring_opts, .x86_only = true,
	.notes = "--guest is taken (the Makefile's common options) and not used.",
};

static const struct lab_cmd_opt compare_opts[] = { O(out), END };
const struct lab_cmd lab_cmd_compare = {
	.name = "compare", .synopsis = "x86_64 beside arm64, from make bench's icount runs",
	.opts = compare_opts, .operands = "X86_RESULTS ARM64_RESULTS", .min_args = 2, .max_args = 2,
	.notes = "--out defaults to X86_RESULTS.",
};

const struct lab_cmd lab_cmd_compare_kernels = {
	.name = "compare-kernels", .synopsis = "two kernel versions' traced paths and icount rows",
	.opts = compare_opts, .operands = "OLD_TRACE_DIR NEW_TRACE_DIR", .min_args = 2, .max_args = 2,
	.notes = "--out defaults to NEW_TRACE_DIR's parent.",
};

static const struct lab_cmd_opt nested_opts[] = {
	O(arch), R(kernel), R(initrd), R(out), O(plan), O(timeout), O(append), END,
};
const struct lab_cmd lab_cmd_nested = {
	.name = "nested", .synopsis = "kvm mode for real: lab boot --mode auto inside a TCG guest with KVM",
	.opts = nested_opts,
	.notes = "--kernel and --initrd are L1's (make test-kvm's); --timeout is L1's whole run\n"
		 "(L2's boots get two thirds of it); --append is L1's command line.",
};

const struct lab_cmd *const lab_cmds[] = {
	&lab_cmd_boot, &lab_cmd_run, &lab_cmd_test, &lab_cmd_bench, &lab_cmd_report,
	&lab_cmd_summary, &lab_cmd_trace, &lab_cmd_mitigations, &lab_cmd_wiring,
	&lab_cmd_compare, &lab_cmd_compare_kernels, &lab_cmd_nested,
};
const size_t lab_ncmds = sizeof(lab_cmds) / sizeof(*lab_cmds);

const struct lab_cmd *lab_cmd_find(const char *name)
{
	for (size_t i = 0; i < lab_ncmds; i++)
		if (!strcmp(lab_cmds[i]->name, name))
			return lab_cmds[i];
	return NULL;
}

void lab_commands_help(FILE *f)
{
	fprintf(f, "usage: lab COMMAND [OPTIONS]\n\n");
	for (size_t i = 0; i < lab_ncmds; i++)
		fprintf(f, "  %-15s %s\n", lab_cmds[i]->name, lab_cmds[i]->synopsis);
	fprintf(f, "\nlab COMMAND --help: the command's options.\n");
}
