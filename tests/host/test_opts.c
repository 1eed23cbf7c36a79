/*
 * The host tool's command lines (host/opts.c, host/commands.c): refusals
 * first (an option the command does not take, a bad --timeout, a missing
 * value, a missing required option, --arch arm64 for an x86_64-only
 * command, ...), each one line and exit status 2; then the command lines
 * the Makefile, scripts/ and tests/ use, parsed; then --help's text.
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

#include "lab.h"
#include "opts.h"
#include "trace.h"

/* A command line, split at spaces (a word of its own: '|' for a space). */
struct cl {
	char buf[2048];
	char *argv[64];
	int argc;
};

static void split(struct cl *c, const char *line)
{
	char *save = NULL;

	snprintf(c->buf, sizeof(c->buf), "%s", line);
	c->argc = 0;
	for (char *w = strtok_r(c->buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		for (char *p = w; *p; p++)
			if (*p == '|')
				*p = ' ';
		c->argv[c->argc++] = w;
	}
	c->argv[c->argc] = NULL;
}

/* Parses line (its first word the command's name) with the command's table. */
static int parse(struct cl *c, const char *line, struct lab_opts *o, void *own, struct lab_err *e)
{
	const struct lab_cmd *cmd;

	split(c, line);
	cmd = lab_cmd_find(c->argv[0]);
	assert_non_null(cmd);
	return lab_parse(cmd, c->argc, c->argv, o, own, e);
}

/* line is refused with exactly msg, status 2. */
static void refused(const char *line, void *own, const char *msg)
{
	struct cl c;
	struct lab_opts o;
	struct lab_err e;

	assert_int_equal(parse(&c, line, &o, own, &e), LAB_PARSE_ERROR);
	assert_string_equal(e.msg, msg);
	assert_int_equal(e.code, LAB_EXIT_USAGE);
	assert_null(strchr(e.msg, '\n'));
}

#define BOOT "boot --kernel k --initrd i --out o"
#define TRACE "trace --kernel k --kobj b --initrd i --guest g --out o"
#define MIT "mitigations --kernel k --kobj b --initrd i --guest g --ksrc s --out o"
#define WIRING "wiring --kernel k --kobj b --initrd i --ksrc s --out o"
#define NESTED "nested --kernel k --initrd i --out o"

/* ---- refusals ---------------------------------------------------------- */

static void test_unknown_option(void **state)
{
	struct trace_opts t = { 0 };

	(void)state;
	refused("report --kernel k --out o r", NULL,
		"lab report: unknown option '--kernel' (lab report --help lists its options)");
	refused("run --kernel k --kobj b --initrd i --guest g --out o --check-only", NULL,
		"lab run: unknown option '--check-only' (lab run --help lists its options)");
	refused(BOOT " --ksrc s", NULL,
		"lab boot: unknown option '--ksrc' (lab boot --help lists its options)");
	refused(TRACE " --mode tcg", &t,
		"lab trace: unknown option '--mode' (lab trace --help lists its options)");
	refused(BOOT " --no-such=1", NULL,
		"lab boot: unknown option '--no-such' (lab boot --help lists its options)");
	refused(BOOT " -x", NULL,
		"lab boot: unknown option '-x' (lab boot --help lists its options)");
	/* no abbreviations */
	refused(BOOT " --time 5", NULL,
		"lab boot: unknown option '--time' (lab boot --help lists its options)");
	/* another command's own option */
	refused(WIRING " --only nopti", NULL,
		"lab wiring: unknown option '--only' (lab wiring --help lists its options)");
}

static void test_bad_timeout(void **state)
{
	static const char *const bad[] = { "abc", "-1", "+5", "86401", "5s", "99999999999999999999" };
	struct trace_opts t = { 0 };
	struct mitigations_opts m = { 0 };
	char line[256], msg[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		/* one rule, one message, in every command that takes it */
		snprintf(line, sizeof(line), BOOT " --timeout %s", bad[i]);
		snprintf(msg, sizeof(msg), "lab boot: --timeout wants seconds (0 to 86400), not '%s'", bad[i]);
		refused(line, NULL, msg);
		snprintf(line, sizeof(line), TRACE " --timeout=%s", bad[i]);
		snprintf(msg, sizeof(msg), "lab trace: --timeout wants seconds (0 to 86400), not '%s'", bad[i]);
		refused(line, &t, msg);
		snprintf(line, sizeof(line), MIT " --timeout %s", bad[i]);
		snprintf(msg, sizeof(msg), "lab mitigations: --timeout wants seconds (0 to 86400), not '%s'", bad[i]);
		refused(line, &m, msg);
	}
	refused(BOOT " --timeout=", NULL, "lab boot: --timeout wants seconds (0 to 86400), not ''");
}

static void test_missing_value(void **state)
{
	struct trace_opts t = { 0 };

	(void)state;
	refused(BOOT " --timeout", NULL, "lab boot: --timeout wants a value (SECONDS)");
	refused("boot --kernel k --initrd i --out", NULL, "lab boot: --out wants a value (DIR)");
	refused(TRACE " --setting", &t, "lab trace: --setting wants a value (NAME=ARGS)");
	refused(BOOT " --kernel=", NULL, "lab boot: --kernel wants a path, not an empty word");
	refused(WIRING " --check-only=yes", NULL, "lab wiring: --check-only takes no value");
}

static void test_missing_required(void **state)
{
	struct trace_opts t = { 0 };
	struct mitigations_opts m = { 0 };

	(void)state;
	refused("trace --kernel k --kobj b --initrd i --guest g", &t,
		"lab trace: --out DIR is required (lab trace --help)");
	refused("boot --initrd i --out o", NULL,
		"lab boot: --kernel IMAGE is required (lab boot --help)");
	refused("mitigations --kernel k --kobj b --initrd i --guest g --out o", &m,
		"lab mitigations: --ksrc KSRC is required (lab mitigations --help)");
	refused("wiring --kernel k --kobj b --initrd i --out o", NULL,
		"lab wiring: --ksrc KSRC is required (lab wiring --help)");
	refused("report --out o", NULL, "lab report: wants RUN_DIR..., at least 1 (lab report --help)");
	refused("report r", NULL, "lab report: --out DIR is required (lab report --help)");
	refused("test --kernel k --kobj b --initrd i --out o", NULL,
		"lab test: --kernel-nosys is required without --lab-only (lab test --help)");
	refused("summary", NULL,
		"lab summary: nothing to sum up: --host-tap, --with-summary or a run directory");
}

static void test_x86_only(void **state)
{
	struct mitigations_opts m = { 0 };

	(void)state;
	refused(WIRING " --arch arm64", NULL, "lab wiring: x86_64 only (not --arch arm64)");
	refused(MIT " --arch arm64", &m, "lab mitigations: x86_64 only (not --arch arm64)");
}

static void test_other_refusals(void **state)
{
	struct trace_opts t = { 0 };
	struct mitigations_opts m = { 0 };

	(void)state;
	refused(BOOT " --mode warp", NULL, "lab boot: unknown mode 'warp' (auto, tcg, kvm or icount)");
	refused(BOOT " --arch arm", NULL, "lab boot: unknown architecture 'arm' (x86_64 or arm64)");
	refused(BOOT " --arch arm64 --mode kvm", NULL,
		"lab boot: mode kvm cannot boot an arm64 guest on this x86_64 host (arm64 runs under TCG: use --mode tcg, icount or auto)");
	refused(BOOT " --mode kvm --arch arm64", NULL,
		"lab boot: mode kvm cannot boot an arm64 guest on this x86_64 host (arm64 runs under TCG: use --mode tcg, icount or auto)");
	refused(BOOT " --smp 0", NULL, "lab boot: --smp wants a number of vCPUs (1 to 64), not '0'");
	refused(BOOT " --smp 65", NULL, "lab boot: --smp wants a number of vCPUs (1 to 64), not '65'");
	refused(BOOT " --plan a/b", NULL, "lab boot: --plan wants a plan's name (guest/plans/NAME), not 'a/b'");
	refused(BOOT " extra", NULL, "lab boot: takes no operands, not 'extra'");
	refused("compare a", NULL, "lab compare: wants 2 operands, X86_RESULTS ARM64_RESULTS (lab compare --help)");
	refused("compare-kernels a b c", NULL,
		"lab compare-kernels: wants 2 operands, OLD_TRACE_DIR NEW_TRACE_DIR (lab compare-kernels --help)");
	refused("bench --kernel k --kobj b --initrd i --guest g --out o --mode icount", NULL,
		"lab bench: --mode icount: make bench runs icount itself; choose auto, tcg or kvm for its vm mode");
	refused("test --kernel k --kobj b --initrd i --out o --lab-only --kernel-nosys n", NULL,
		"lab test: --lab-only boots no other kernel (--kernel-nosys, --kernel-noexports, --kobj-noexports, --initrd-noexports)");
	refused(MIT " --check-only --report-only", &m,
		"lab mitigations: --check-only and --report-only exclude each other");
	refused(MIT " --only ,", &m, "lab mitigations: --only wants switches' names (NAME,...), not ','");
	memset(&t, 0, sizeof(t));
	refused(TRACE " --mitigations default,foo", &t,
		"lab trace: --mitigations: 'foo' is no setting (default, off)");
	memset(&t, 0, sizeof(t));
	refused(TRACE " --mitigations off,off", &t, "lab trace: --mitigations: 'off' twice");
	memset(&t, 0, sizeof(t));
	refused(TRACE " --mitigations ,", &t, "lab trace: --mitigations: no setting given");
	memset(&t, 0, sizeof(t));
	refused(TRACE " --setting nopti=nopti --setting nopti=x", &t, "lab trace: --setting: 'nopti' twice");
	memset(&t, 0, sizeof(t));
	refused(TRACE " --setting off=x", &t, "lab trace: --setting: 'off' twice");
	memset(&t, 0, sizeof(t));
	refused(TRACE " --setting Bad=x", &t,
		"lab trace: --setting wants NAME=ARGS (NAME of a-z, 0-9, _ . -; ARGS kernel command-line words), not 'Bad=x'");
	refused("summary --with-summary a --with-summary b --with-summary c --with-summary d "
		"--with-summary e --with-summary f --with-summary g --with-summary h --with-summary i",
		NULL, "lab summary: --with-summary: at most 8");
}

/* ---- good command lines ------------------------------------------------ */

/* Every command line of the Makefile (make VARIABLES expanded), scripts/
 * and tests/host/'s shell tests parses. */
static void test_used_lines_parse(void **state)
{
#define LAB_BOOT "--arch x86_64 --kernel K --kobj B --initrd I --guest G --timeout 300"
	static const char *const lines[] = {
		"run " LAB_BOOT " --out O --mode auto",
		"run --arch arm64 --kernel K --kobj B --initrd I --guest G --timeout 300 --out O --mode auto",
		"bench " LAB_BOOT " --out O --mode auto",
		"bench --arch arm64 --kernel K --kobj B --initrd I --guest G --timeout 300 --out O --mode tcg",
		"compare results results/arm64",
		"mitigations " LAB_BOOT " --ksrc S --out O",
		"mitigations " LAB_BOOT " --ksrc S --out O --only nopti --check-only",
		"wiring " LAB_BOOT " --ksrc S --out O --mode auto",
		"wiring " LAB_BOOT " --ksrc S --out O --mode auto --check-only",
		"trace " LAB_BOOT " --out O",
		"trace --arch arm64 --kernel K --kobj B --initrd I --guest G --timeout 300 --out O",
		"trace " LAB_BOOT " --mitigations default --out O",
		"trace " LAB_BOOT " --out O --check-only",
		"compare-kernels --out R R/6.1 R/6.12",
		"test " LAB_BOOT " --kernel-nosys N --kernel-noexports E --kobj-noexports EB "
			"--initrd-noexports EI --out O --mode auto --trace-tap T --mitigations-tap M --wiring-tap W",
		"test --arch arm64 --kernel K --kobj B --initrd I --guest G --timeout 300 --lab-only --out O "
			"--mode auto --trace-tap T",
		"summary --host-tap H --with-summary O/s.json --with-summary arm64=A/s.json "
			"--with-summary 6.1|x86_64=X/s.json --with-summary 6.1|arm64=Y/s.json --with-summary kvm=K/s.json",
		"nested --kernel K --initrd C --out O --timeout 300",
		/* guest/kvm-l1/init */
		"boot --kernel /lab/bzImage --initrd /lab/initramfs.cpio --kobj /lab/kobj --plan run "
			"--mode auto --timeout 300 --out /out/run --append tsc_early_khz=2000000",
		/* tests/host/test_scripts.sh, test_arm64_status.sh */
		"boot --kernel K --initrd I --plan probe --out O --mode tcg --timeout 0",
		"boot --kernel K --initrd I --plan probe --out O --mode tcg --append rdinit=/no/such/init",
		"boot --arch arm64 --kernel K --initrd I --plan x --mode tcg --out O",
		"boot --kernel K --initrd I --plan x --arch arm64 --smp 9 --out O",
		"report --out O tests/data/rows-good tests/data/rows-icount",
	};
	struct trace_opts t;
	struct mitigations_opts m;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		struct cl c;
		struct lab_opts o;
		struct lab_err e;
		int r;

		memset(&t, 0, sizeof(t));
		memset(&m, 0, sizeof(m));
		r = parse(&c, lines[i], &o, !strncmp(lines[i], "trace", 5) ? (void *)&t : (void *)&m, &e);
		if (r != LAB_PARSE_OK)
			fail_msg("%s: %s", lines[i], e.msg);
	}
#undef LAB_BOOT
}

static void test_values(void **state)
{
	struct cl c;
	struct lab_opts o;
	struct lab_err e;

	(void)state;
	/* the defaults */
	assert_int_equal(parse(&c, BOOT, &o, NULL, &e), LAB_PARSE_OK);
	assert_int_equal(o.timeout_s, 300);
	assert_string_equal(o.plan, "run");
	assert_int_equal(o.arch, ARCH_X86_64);
	assert_int_equal(o.mode, MODE_AUTO);
	assert_int_equal(o.smp, 0);
	assert_null(o.probe_cache);
	assert_int_equal(o.nargs, 0);
	/* both forms, the edges of --timeout, the last one wins */
	assert_int_equal(parse(&c, BOOT " --timeout=0 --smp 64 --mode=icount --arch arm64 --plan x --plan y",
			       &o, NULL, &e), LAB_PARSE_OK);
	assert_int_equal(o.timeout_s, 0);
	assert_int_equal(o.smp, 64);
	assert_int_equal(o.mode, MODE_ICOUNT);
	assert_int_equal(o.arch, ARCH_ARM64);
	assert_string_equal(o.plan, "y");
	assert_string_equal(o.kernel, "k");
	assert_int_equal(parse(&c, BOOT " --timeout 86400 --append a|b", &o, NULL, &e), LAB_PARSE_OK);
	assert_int_equal(o.timeout_s, 86400);
	assert_string_equal(o.append, "a b");
	/* operands anywhere, kept in order; after --, even one like an option */
	assert_int_equal(parse(&c, "summary r1 --host-tap H r2 --with-summary a=f -- --r3", &o, NULL, &e),
			 LAB_PARSE_OK);
	assert_int_equal(o.nargs, 3);
	assert_string_equal(o.args[0], "r1");
	assert_string_equal(o.args[1], "r2");
	assert_string_equal(o.args[2], "--r3");
	assert_string_equal(o.host_tap, "H");
	assert_int_equal(o.nwith_summary, 1);
	assert_string_equal(o.with_summary[0], "a=f");
	/* the x86_64-only commands take --arch x86_64 */
	assert_int_equal(parse(&c, WIRING " --arch x86_64 --check-only", &o, NULL, &e), LAB_PARSE_OK);
	assert_true(o.check_only);
	assert_string_equal(o.ksrc, "s");
}

static void test_own_options(void **state)
{
	struct cl c;
	struct lab_opts o;
	struct lab_err e;
	struct trace_opts t = { 0 };
	struct mitigations_opts m = { 0 };
	char why[400];

	(void)state;
	assert_int_equal(parse(&c, TRACE " --mitigations default|off --setting nopti=nopti "
			       "--setting v2=spectre_v2=off|nospectre_v1", &o, &t, &e), LAB_PARSE_OK);
	assert_string_equal(t.mitigations, "default off");
	assert_int_equal(t.nsettings, 2);
	assert_string_equal(t.settings[0], "nopti=nopti");
	assert_string_equal(t.settings[1], "v2=spectre_v2=off nospectre_v1");
	assert_int_equal(parse(&c, MIT " --only nopti,nospectre_v2 --report-only", &o, &m, &e), LAB_PARSE_OK);
	assert_string_equal(m.only, "nopti,nospectre_v2");
	assert_true(m.report_only);
	assert_false(o.check_only);
	/* the struct lab mitigations hands to trace_run */
	memset(&t, 0, sizeof(t));
	t.mitigations = "default";
	t.check_only = true;
	t.settings[t.nsettings++] = "nopti=nopti";
	t.settings[t.nsettings++] = "default-again=lab.again=1";
	assert_int_equal(trace_opts_check(&t, why, sizeof(why)), 0);
	t.settings[t.nsettings++] = "default=x";
	assert_int_equal(trace_opts_check(&t, why, sizeof(why)), -1);
	assert_string_equal(why, "--setting: 'default' twice");
}

/* ---- help ------------------------------------------------------------------- */

static char *help_of(const struct lab_cmd *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	lab_help(f, c);
	fclose(f);
	return text;
}

static void test_help(void **state)
{
	struct cl c;
	struct lab_opts o;
	struct lab_err e;
	char *text;

	(void)state;
	assert_int_equal(parse(&c, "run --help", &o, NULL, &e), LAB_PARSE_HELP);
	assert_int_equal(parse(&c, "mitigations -h", &o, NULL, &e), LAB_PARSE_HELP);
	assert_int_equal(parse(&c, BOOT " --help", &o, NULL, &e), LAB_PARSE_HELP);

	text = help_of(&lab_cmd_run);
	assert_non_null(strstr(text, "usage: lab run [--arch ARCH] --kernel IMAGE --kobj KOBJ --initrd CPIO "
				     "--guest DIR --out DIR [--mode MODE] [--timeout SECONDS]"));
	assert_non_null(strstr(text, "\nboot, show the family at work, a short benchmark\n"));
	assert_non_null(strstr(text, "  --timeout SECONDS          each boot's time limit, 0 to 86400 (default 300)\n"));
	assert_non_null(strstr(text, "  --out DIR                  where the results go (required)\n"));
	assert_non_null(strstr(text, "  -h, --help"));
	free(text);

	/* trace: --timeout optional, its own options listed */
	text = help_of(&lab_cmd_trace);
	assert_non_null(strstr(text, " [--timeout SECONDS] [--mitigations \"default off\"] [--setting NAME=ARGS] [--check-only] [--report-only]\n"));
	assert_non_null(strstr(text, "  --setting NAME=ARGS "));
	free(text);

	text = help_of(&lab_cmd_wiring);
	assert_non_null(strstr(text, "x86_64 only: --arch arm64 is refused."));
	free(text);

	text = help_of(&lab_cmd_report);
	assert_non_null(strstr(text, "usage: lab report --out DIR RUN_DIR...\n"));
	free(text);

	/* every option of every table has its help; lab --help lists every command */
	{
		char *all = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&all, &len);

		lab_commands_help(f);
		fclose(f);
		for (size_t i = 0; i < lab_ncmds; i++) {
			char line[128];

			snprintf(line, sizeof(line), "  %-15s %s\n", lab_cmds[i]->name, lab_cmds[i]->synopsis);
			assert_non_null(strstr(all, line));
			for (int k = 0; lab_cmds[i]->opts[k].opt; k++) {
				assert_non_null(lab_cmds[i]->opts[k].opt->help);
				assert_non_null(lab_cmds[i]->opts[k].opt->set);
			}
		}
		assert_int_equal(lab_ncmds, 12);
		free(all);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_option),
		cmocka_unit_test(test_bad_timeout),
		cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_x86_only),
		cmocka_unit_test(test_other_refusals),
		cmocka_unit_test(test_used_lines_parse),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_own_options),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
