/* opts.c: see opts.h. The options every command shares, and the parser. */
#define _GNU_SOURCE
#include "opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* --timeout: one rule everywhere (0 stops a boot at once: a hang). */
#define TIMEOUT_MAX 86400
#define TIMEOUT_DEFAULT 300

int lab_opt_fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole number from lo to hi, or -1. */
static long whole(const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	return (long)v;
}

/* ---- the validators -------------------------------------------------- */

/* A path (a file or directory the command reads or writes): not empty. */
static int set_path(const struct lab_opt *self, struct lab_opts *o, void *own,
		    const char *val, char *why, size_t n)
{
	(void)own;
	if (!*val)
		return lab_opt_fail(why, n, "--%s wants a path, not an empty word", self->name);
	*(const char **)((char *)o + self->off) = val;
	return 0;
}

static int set_arch(const struct lab_opt *self, struct lab_opts *o, void *own,
		    const char *val, char *why, size_t n)
{
	int a = arch_parse(val);

	(void)self, (void)own;
	if (a < 0)
		return lab_opt_fail(why, n, "unknown architecture '%s' (x86_64 or arm64)", val);
	o->arch = (enum lab_arch)a;
	return 0;
}

static int set_mode(const struct lab_opt *self, struct lab_opts *o, void *own,
		    const char *val, char *why, size_t n)
{
	int m = mode_parse(val);

	(void)self, (void)own;
	if (m < 0)
		return lab_opt_fail(why, n, "unknown mode '%s' (auto, tcg, kvm or icount)", val);
	o->mode = (enum lab_mode)m;
	return 0;
}

static int set_timeout(const struct lab_opt *self, struct lab_opts *o, void *own,
		       const char *val, char *why, size_t n)
{
	long v = whole(val, 0, TIMEOUT_MAX);

	(void)self, (void)own;
	if (v < 0)
		return lab_opt_fail(why, n, "--timeout wants seconds (0 to %d), not '%s'",
				    TIMEOUT_MAX, val);
	o->timeout_s = (unsigned int)v;
	return 0;
}

static int set_smp(const struct lab_opt *self, struct lab_opts *o, void *own,
		   const char *val, char *why, size_t n)
{
	long v = whole(val, 1, LAB_SMP_MAX);

	(void)self, (void)own;
	if (v < 0)
		return lab_opt_fail(why, n, "--smp wants a number of vCPUs (1 to %d), not '%s'",
				    LAB_SMP_MAX, val);
	o->smp = (unsigned int)v;
	return 0;
}

/* A plan's name: a file under guest/plans. */
static int set_plan(const struct lab_opt *self, struct lab_opts *o, void *own,
		    const char *val, char *why, size_t n)
{
	(void)self, (void)own;
	if (!*val || strchr(val, '/') || strchr(val, ' '))
		return lab_opt_fail(why, n, "--plan wants a plan's name (guest/plans/NAME), not '%s'", val);
	o->plan = val;
	return 0;
}

/* Kernel command-line words: anything, even nothing. */
static int set_append(const struct lab_opt *self, struct lab_opts *o, void *own,
		      const char *val, char *why, size_t n)
{
	(void)self, (void)own, (void)why, (void)n;
	o->append = val;
	return 0;
}

static int set_with_summary(const struct lab_opt *self, struct lab_opts *o, void *own,
			    const char *val, char *why, size_t n)
{
	(void)self, (void)own;
	if (!*val)
		return lab_opt_fail(why, n, "--with-summary wants [LABEL=]FILE, not an empty word");
	if (o->nwith_summary == LAB_WITH_SUMMARY_MAX)
		return lab_opt_fail(why, n, "--with-summary: at most %d", LAB_WITH_SUMMARY_MAX);
	o->with_summary[o->nwith_summary++] = val;
	return 0;
}

static int set_flag(const struct lab_opt *self, struct lab_opts *o, void *own,
		    const char *val, char *why, size_t n)
{
	(void)own, (void)val, (void)why, (void)n;
	*(bool *)((char *)o + self->off) = true;
	return 0;
}

/* ---- the options ------------------------------------------------------- */

#define PATH(var, nm, arg, help, field) \
	const struct lab_opt lab_opt_##var = { nm, arg, help, set_path, offsetof(struct lab_opts, field) }

const struct lab_opt lab_opt_arch = { "arch", "ARCH", "the guest's architecture: x86_64 (the default) or arm64", set_arch, 0 };
const struct lab_opt lab_opt_mode = { "mode", "MODE", "auto (the default), tcg, kvm or icount", set_mode, 0 };
const struct lab_opt lab_opt_timeout = { "timeout", "SECONDS", "each boot's time limit, 0 to 86400 (default 300)", set_timeout, 0 };
const struct lab_opt lab_opt_smp = { "smp", "N", "vCPUs, 1 to 64 (arm64: to 8; default 1)", set_smp, 0 };
const struct lab_opt lab_opt_plan = { "plan", "NAME", "the guest's plan (guest/plans/NAME)", set_plan, 0 };
const struct lab_opt lab_opt_append = { "append", "ARGS", "more words for the guest kernel's command line", set_append, 0 };
const struct lab_opt lab_opt_with_summary = { "with-summary", "[LABEL=]FILE", "another lab test's summary.json, its rows labelled (repeatable, at most 8)", set_with_summary, 0 };
const struct lab_opt lab_opt_lab_only = { "lab-only", NULL, "boot the lab kernel alone (no variant kernels)", set_flag, offsetof(struct lab_opts, lab_only) };
const struct lab_opt lab_opt_check_only = { "check-only", NULL, "the checks alone (check.tap), no report", set_flag, offsetof(struct lab_opts, check_only) };
PATH(kernel, "kernel", "IMAGE", "the kernel image (bzImage, arm64's Image)", kernel);
PATH(kobj, "kobj", "KOBJ", "the kernel's build directory (vmlinux, generated headers)", kobj);
PATH(initrd, "initrd", "CPIO", "the initramfs", initrd);
PATH(guest, "guest", "DIR", "the guest programs' build directory", guest);
PATH(out, "out", "DIR", "where the results go", out);
PATH(ksrc, "ksrc", "KSRC", "the kernel source tree", ksrc);
PATH(kernel_nosys, "kernel-nosys", "IMAGE", "the kernel built without the family", kernel_nosys);
PATH(kernel_noexp, "kernel-noexports", "IMAGE", "the kernel without the dispatch exports", kernel_noexp);
PATH(kobj_noexp, "kobj-noexports", "KOBJ", "that kernel's build directory", kobj_noexp);
PATH(initrd_noexp, "initrd-noexports", "CPIO", "that kernel's initramfs", initrd_noexp);
PATH(host_tap, "host-tap", "DIR", "the host's TAP files, counted in the summary", host_tap);
PATH(trace_tap, "trace-tap", "FILE", "lab trace's check.tap, counted in the summary", trace_tap);
PATH(mitigations_tap, "mitigations-tap", "FILE", "lab mitigations' check.tap, counted in the summary", mitigations_tap);
PATH(wiring_tap, "wiring-tap", "FILE", "lab wiring's check.tap, counted in the summary", wiring_tap);

/* ---- the parser -------------------------------------------------------- */

static int refuse(struct lab_err *e, const struct lab_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse(struct lab_err *e, const struct lab_cmd *c, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(e->msg, sizeof(e->msg), "lab %s: ", c->name);

	va_start(ap, fmt);
	vsnprintf(e->msg + k, sizeof(e->msg) - (size_t)k, fmt, ap);
	va_end(ap);
	e->code = LAB_EXIT_USAGE;
	return LAB_PARSE_ERROR;
}

static int find_opt(const struct lab_cmd *c, const char *name, size_t len)
{
	for (int i = 0; c->opts[i].opt; i++)
		if (strlen(c->opts[i].opt->name) == len && !strncmp(c->opts[i].opt->name, name, len))
			return i;
	return -1;
}

static bool takes(const struct lab_cmd *c, const struct lab_opt *opt)
{
	for (int i = 0; c->opts[i].opt; i++)
		if (c->opts[i].opt == opt)
			return true;
	return false;
}

/* One option word at argv[*i] (and its value after it): 0, or refused. */
static int one_option(const struct lab_cmd *c, int argc, char **argv, int *i,
		      struct lab_opts *o, void *own, uint64_t *seen, struct lab_err *e)
{
	const char *word = argv[*i], *name = word + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	int k = word[1] == '-' ? find_opt(c, name, len) : -1;
	const struct lab_opt *opt;
	const char *val = NULL;
	char why[400];

	if (k < 0)
		return refuse(e, c, "unknown option '%.*s' (lab %s --help lists its options)",
			      (int)(eq ? eq - word : (long)strlen(word)), word, c->name);
	opt = c->opts[k].opt;
	if (!opt->arg && eq)
		return refuse(e, c, "--%s takes no value", opt->name);
	if (opt->arg) {
		if (eq)
			val = eq + 1;
		else if (*i + 1 < argc)
			val = argv[++*i];
		else
			return refuse(e, c, "--%s wants a value (%s)", opt->name, opt->arg);
	}
	if (opt->set(opt, o, own, val, why, sizeof(why)))
		return refuse(e, c, "%s", why);
	*seen |= (uint64_t)1 << k;
	return 0;
}

/* After the words: required options, operands, the command's rules. */
static int finish(const struct lab_cmd *c, struct lab_opts *o, const void *own,
		  uint64_t seen, struct lab_err *e)
{
	char why[400];

	for (int k = 0; c->opts[k].opt; k++)
		if (c->opts[k].required && !(seen & ((uint64_t)1 << k)))
			return refuse(e, c, "--%s %s is required (lab %s --help)",
				      c->opts[k].opt->name, c->opts[k].opt->arg, c->name);
	if (o->nargs < c->min_args || (c->max_args >= 0 && o->nargs > c->max_args)) {
		if (!c->max_args)
			return refuse(e, c, "takes no operands, not '%s'", o->args[0]);
		if (c->max_args < 0)
			return refuse(e, c, "wants %s, at least %d (lab %s --help)",
				      c->operands, c->min_args, c->name);
		return refuse(e, c, "wants %d operands, %s (lab %s --help)",
			      c->max_args, c->operands, c->name);
	}
	if (c->x86_only && o->arch != ARCH_X86_64)
		return refuse(e, c, "x86_64 only (not --arch %s)", arch_name(o->arch));
	if (takes(c, &lab_opt_arch) && takes(c, &lab_opt_mode) && arch_mode_refusal(o->arch, o->mode))
		return refuse(e, c, "%s", arch_mode_refusal(o->arch, o->mode));
	if (c->check && c->check(o, own, why, sizeof(why)))
		return refuse(e, c, "%s", why);
	return LAB_PARSE_OK;
}

int lab_parse(const struct lab_cmd *c, int argc, char **argv, struct lab_opts *o,
	      void *own, struct lab_err *e)
{
	uint64_t seen = 0;
	bool operands_only = false;

	memset(o, 0, sizeof(*o));
	memset(e, 0, sizeof(*e));
	o->timeout_s = TIMEOUT_DEFAULT;
	o->plan = "run";
	o->args = argv + 1;
	for (int i = 1; i < argc; i++) {
		char *w = argv[i];

		if (!operands_only && (!strcmp(w, "--help") || !strcmp(w, "-h")))
			return LAB_PARSE_HELP;
		if (!operands_only && !strcmp(w, "--")) {
			operands_only = true;
		} else if (!operands_only && w[0] == '-' && w[1]) {
			if (one_option(c, argc, argv, &i, o, own, &seen, e))
				return LAB_PARSE_ERROR;
		} else {
			/* operands to the front, in order (what is between
			 * them now is options already read) */
			memmove(argv + 2 + o->nargs, argv + 1 + o->nargs,
				(size_t)(i - 1 - o->nargs) * sizeof(*argv));
			argv[1 + o->nargs++] = w;
		}
	}
	return finish(c, o, own, seen, e);
}

static void usage_line(FILE *f, const struct lab_cmd *c)
{
	fprintf(f, "usage: lab %s", c->name);
	for (int k = 0; c->opts[k].opt; k++) {
		const struct lab_opt *opt = c->opts[k].opt;

		fprintf(f, " %s--%s%s%s%s", c->opts[k].required ? "" : "[", opt->name,
			opt->arg ? " " : "", opt->arg ? opt->arg : "",
			c->opts[k].required ? "" : "]");
	}
	if (c->operands)
		fprintf(f, " %s", c->operands);
	fputc('\n', f);
}

void lab_help(FILE *f, const struct lab_cmd *c)
{
	usage_line(f, c);
	fprintf(f, "\n%s\n\noptions:\n", c->synopsis);
	for (int k = 0; c->opts[k].opt; k++) {
		const struct lab_opt *opt = c->opts[k].opt;
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", opt->name, opt->arg ? " " : "",
			 opt->arg ? opt->arg : "");
		fprintf(f, "  %-26s %s%s\n", left, opt->help, c->opts[k].required ? " (required)" : "");
	}
	fprintf(f, "  %-26s %s\n", "-h, --help", "this help");
	if (c->x86_only)
		fprintf(f, "\nx86_64 only: --arch arm64 is refused.\n");
	if (c->notes)
		fprintf(f, "\n%s\n", c->notes);
}

void lab_parse_or_exit(const struct lab_cmd *c, int argc, char **argv,
		       struct lab_opts *o, void *own)
{
	struct lab_err e;

	switch (lab_parse(c, argc, argv, o, own, &e)) {
	case LAB_PARSE_OK:
		return;
	case LAB_PARSE_HELP:
		lab_help(stdout, c);
		exit(0);
	default:
		fprintf(stderr, "%s\n", e.msg);
		exit(e.code);
	}
}
