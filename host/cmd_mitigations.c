/*
 * lab mitigations [--arch x86_64] --kernel BZIMAGE --kobj KOBJ --initrd CPIO
 *                 --guest DIR --ksrc KSRC --out DIR [--timeout S] [--only NAME,...]
 *                 [--check-only | --report-only]
 * (its options: commands.c; lab mitigations --help)
 *
 * make mitigations: what each speculative-execution mitigation adds to a
 * system call, instruction by instruction. The switches are the x86 ones
 * that the kernel's own documentation (KSRC/Documentation/admin-guide/
 * kernel-parameters.txt) lists as what `mitigations=off` stands for. Then
 * `lab trace` (trace_run(), trace.h) boots the lab kernel once
 * per setting: the defaults, everything off, each switch alone, and the
 * defaults again (to show the listings reproduce); each setting is one
 * single-stepped boot and one icount boot. Here: for each switch, the
 * instruction-level difference of each traced path against the defaults,
 * every instruction classified (mitigation.h), the icount difference of
 * each measured path, the vulnerability files each boot saw, and whether
 * the switches add up to the defaults-against-off total.
 *
 *   DIR/trace/<setting>/...    lab trace's output (listings, icount runs)
 *   DIR/<switch>.diff          every instruction the switch takes away or adds
 *   DIR/check.tap              KTAP: the checks (make test reads it)
 *   DIR/report.md, DIR/chart-mitigations.png (report/mitigations.gp)
 *
 * --only: those switches alone (make test's quick version). --check-only:
 * check.tap and the diffs, no report. --report-only: no boots, the report
 * again from what DIR/trace holds. Exits 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "lab.h"
#include "mitigation.h"
#include "plot.h"
#include "trace.h"
#include "util.h"

#define DOC "Documentation/admin-guide/kernel-parameters.txt"
/* The traced paths `lab trace` writes listings for (those there are). */
static const char *const traced_paths[] = { "syscall", "int80", "vdso32" };
#define NTRACED (sizeof(traced_paths) / sizeof(*traced_paths))
/* The icount rows each switch is measured on. */
static const struct {
	const char *abi, *path, *label;
} icount_rows[] = {
	{ "x86_64", "lab_null_syscall", "lab_null, syscall" },
	{ "x86_64", "lab_null_int80", "lab_null, int $0x80 (64-bit)" },
	{ "i386", "lab_null_int80_32", "lab_null, int $0x80 (32-bit)" },
	{ "i386", "lab_null_vdso32", "lab_null, vDSO (32-bit)" },
	{ "x86_64", "getppid_syscall", "getppid, syscall" },
	{ "kernel", "kernel_direct", "in-kernel call" },
};
#define NROWS (sizeof(icount_rows) / sizeof(*icount_rows))

/* One boot setting and what it left. */
struct setting {
	const char *name, *append;	/* append: NULL for the defaults */
	char *dir;
	struct mit_listing l[NTRACED];
	bool have[NTRACED];
	struct run *icount;		/* NULL if it left none */
	json_t *vuln;			/* its vulnerability files, or NULL */
	const char *cpu;
};

struct args {
	const char *kernel, *kobj, *initrd, *guest, *ksrc, *out, *only;
	unsigned int timeout;
	bool check_only, report_only;
};

/* The command line, into a (exits with one line if it is refused). */
static void parse(int argc, char **argv, struct args *a)
{
	struct lab_opts o;
	struct mitigations_opts m = { 0 };

	lab_parse_or_exit(&lab_cmd_mitigations, argc, argv, &o, &m);
	*a = (struct args){
		.kernel = o.kernel, .kobj = o.kobj, .initrd = o.initrd, .guest = o.guest,
		.ksrc = o.ksrc, .out = o.out, .only = m.only, .timeout = o.timeout_s,
		.check_only = o.check_only, .report_only = m.report_only,
	};
}

/* The switches, from the documentation, narrowed by --only. */
static void discover(const struct args *a, struct mit_switches *sw)
{
	char *path = xasprintf("%s/%s", a->ksrc, DOC), *doc = read_file(path, NULL), *err;

	if (!doc)
		die("cannot read %s: %s", path, strerror(errno));
	if (mit_switches_parse(doc, sw, &err))
		die("%s: %s", path, err);
	free(doc);
	free(path);
	if (a->only) {
		char *list = xstrdup(a->only), *save = NULL;
		struct mit_switches keep = { 0 };

		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			size_t i;

			for (i = 0; i < sw->n && strcmp(sw->v[i].name, t) && strcmp(sw->v[i].param, t); i++)
				;
			if (i == sw->n)
				die("--only: '%s' is none of the switches the kernel documents", t);
			keep.v = xrealloc(keep.v, (keep.n + 1) * sizeof(*keep.v));
			keep.v[keep.n++] = (struct mit_switch){ xstrdup(sw->v[i].param),
								xstrdup(sw->v[i].name) };
		}
		free(list);
		keep.skipped = sw->skipped;
		keep.nskipped = sw->nskipped;
		sw->skipped = NULL;
		sw->nskipped = 0;
		mit_switches_free(sw);
		*sw = keep;
	}
}

/* lab trace (trace_run) for every setting: s[0] is the defaults, the
 * rest are its --setting ones. Its exit status. */
static int run_trace(const struct args *a, struct setting *s, size_t ns)
{
	struct trace_opts t = {
		.arch = ARCH_X86_64, .kernel = a->kernel, .kobj = a->kobj,
		.initrd = a->initrd, .guest = a->guest, .timeout_s = a->timeout,
		.check_only = a->check_only, .mitigations = "default",
	};
	char *settings[TRACE_SETTINGS_MAX];
	char *tout = xasprintf("%s/trace", a->out);
	int status;

	if (ns - 1 > sizeof(t.settings) / sizeof(*t.settings))
		die("%zu settings: lab trace takes at most %zu besides the defaults", ns - 1,
		    sizeof(t.settings) / sizeof(*t.settings));
	t.out = tout;
	for (size_t i = 1; i < ns; i++)
		t.settings[t.nsettings++] = settings[i - 1] =
			xasprintf("%s=%s", s[i].name, s[i].append);
	say("lab trace: %zu settings, each one traced boot and one icount boot", ns);
	status = trace_run(&t);
	for (size_t i = 1; i < ns; i++)
		free(settings[i - 1]);
	free(tout);
	return status;
}

/* What a setting's boots left: listings, its icount run, its facts. */
static void load_setting(const struct args *a, struct setting *s)
{
	char *idir;

	s->dir = xasprintf("%s/trace/%s", a->out, s->name);
	for (size_t p = 0; p < NTRACED; p++) {
		char *path = xasprintf("%s/%s.staged", s->dir, traced_paths[p]);
		size_t bad;

		s->have[p] = file_exists(path) && !mit_listing_load(path, &s->l[p], &bad);
		free(path);
	}
	idir = xasprintf("%s/icount", s->dir);
	if (file_exists(idir)) {
		char *err = NULL;

		s->icount = run_load(idir, s->name, &err);
		free(err);
	}
	free(idir);
	if (s->icount && s->icount->facts) {
		s->vuln = json_object_get(s->icount->facts, "vulnerabilities");
		s->cpu = json_string_value(json_object_get(s->icount->facts, "cpu"));
	}
}

static double icount_of(const struct setting *s, size_t r)
{
	const struct row *w = s->icount ? rows_find(&s->icount->rows, icount_rows[r].abi,
						    icount_rows[r].path, 0) : NULL;

	return w ? (double)w->stat[ST_MEDIAN] / 1000.0 : -1;
}

/* The vulnerability files whose text differs from the defaults', as
 * "file: before -> after; ..." (or NULL if none). */
static char *vuln_changes(const struct setting *base, const struct setting *s)
{
	struct strbuf b = { 0 };
	const char *key;
	json_t *v;

	json_object_foreach(s->vuln, key, v) {
		const char *was = json_string_value(json_object_get(base->vuln, key));
		const char *now = json_string_value(v);

		if (was && now && strcmp(was, now))
			sb_printf(&b, "%s%s: %s -> %s", b.len ? "; " : "", key, was, now);
	}
	return b.s;
}

/* ---- the difference of one switch, written out ---------------------------------- */

struct tally {
	size_t cls[MC_COUNT];
	size_t n;
};

static void tally_of(const struct mit_listing *l, const size_t *idx, size_t n, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		t->cls[mit_classify(l, idx[i])]++;
		t->n++;
	}
}

/* "2 control-register or MSR write, 1 fence or serialising, 9 ordinary" */
static void tally_words(struct strbuf *b, const struct tally *t)
{
	bool first = true;

	for (int c = MC_COUNT - 1; c >= 0; c--) {
		if (!t->cls[c])
			continue;
		sb_printf(b, "%s%zu %s", first ? "" : ", ", t->cls[c], mit_class_names[c]);
		first = false;
	}
	if (first)
		sb_printf(b, "none");
}

static void diff_lines(struct strbuf *b, const char *sign, const struct mit_listing *l,
		       const size_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct mit_insn *in = &l->v[idx[i]];

		sb_printf(b, "%s %-40s %-30s %-45s %s\n", sign, in->sym, in->stage, in->text,
			  mit_class_names[mit_classify(l, idx[i])]);
	}
}

/* Functions and their counts among idx, as "f (n), g (m)". */
static void func_words(struct strbuf *b, const struct mit_listing *l, const size_t *idx, size_t n)
{
	const char **seen = xcalloc(n + 1, sizeof(*seen));
	size_t *cnt = xcalloc(n + 1, sizeof(*cnt)), k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *f = l->v[idx[i]].func;
		size_t j;

		for (j = 0; j < k && strcmp(seen[j], f); j++)
			;
		if (j == k)
			seen[k++] = f;
		cnt[j]++;
	}
	for (size_t j = 0; j < k; j++)
		sb_printf(b, "%s`%s` (%zu)", j ? ", " : "", seen[j], cnt[j]);
	free(seen);
	free(cnt);
}

int cmd_mitigations(int argc, char **argv)
{
	struct args a;
	struct mit_switches sw;
	struct setting *s;
	struct checks c = { 0 };
	struct strbuf rep = { 0 }, dat = { 0 };
	size_t ns, base = 0, off, again;
	char *path;
	int trace_status;

	parse(argc, argv, &a);
	discover(&a, &sw);
	if (mkdir_p(a.out))
		die("cannot make %s: %s", a.out, strerror(errno));
	lab_lock(a.out);
	boot_install_signals();

	/* default, off (not for --check-only), the switches, the defaults again */
	s = xcalloc(sw.n + 3, sizeof(*s));
	ns = 0;
	s[ns++].name = "default";
	off = SIZE_MAX;
	if (!a.check_only) {
		off = ns;
		s[ns].name = "off";
		s[ns++].append = "mitigations=off";
	}
	for (size_t i = 0; i < sw.n; i++) {
		s[ns].name = sw.v[i].name;
		s[ns++].append = sw.v[i].param;
	}
	again = ns++;
	s[again].name = "default-again";
	s[again].append = "lab.again=1";	/* a word the kernel ignores */
	say("%zu x86 switches from %s/%s%s", sw.n, a.ksrc, DOC, a.only ? " (--only)" : "");
	trace_status = a.report_only ? 0 : run_trace(&a, s, ns);
	for (size_t i = 0; i < ns; i++)
		load_setting(&a, &s[i]);

	check(&c, sw.n > 0, "the kernel's documentation lists %zu x86 switches that mitigations=off stands for", sw.n);
	for (size_t i = 0; i < ns; i++)
		check(&c, s[i].have[0] && s[i].icount, "%s: traced (the syscall path) and counted (icount)", s[i].name);
	for (size_t p = 0; p < NTRACED; p++) {
		if (!s[base].have[p])
			continue;
		check(&c, s[again].have[p] && mit_listing_equal(&s[base].l[p], &s[again].l[p]),
		      "%s path: two boots with the defaults trace the same instructions (%zu, %zu)",
		      traced_paths[p], s[base].l[p].n, s[again].have[p] ? s[again].l[p].n : 0);
	}

	if (!a.check_only) {
		sb_printf(&rep, "# What each mitigation adds to a system call\n\n");
		sb_printf(&rep, "The lab kernel %s, booted under QEMU (TCG, and icount for the counts) "
			  "with the guest CPU model **%s**, once per setting: the defaults, "
			  "`mitigations=off`, and each switch that the kernel's own "
			  "`%s` lists for `mitigations=off` on x86, alone. For each switch: the "
			  "instructions its absence takes away from a traced path (what the mitigation "
			  "adds), found by an instruction-level difference (longest common subsequence "
			  "of address and instruction) of the single-stepped listings, each "
			  "classified; and icount's difference for every measured path.\n\n",
			  s[base].icount ? run_fact(s[base].icount, "release") : "?",
			  s[base].cpu ? s[base].cpu : "?", DOC);
		for (size_t i = 0; i < sw.nskipped; i++)
			sb_printf(&rep, "Left out: %s.\n", sw.skipped[i]);
		sb_printf(&rep, "\n## Instructions each mitigation adds, per path\n\n"
			  "icount: defaults minus this switch off (exact instructions, per call). "
			  "traced: the same for one single-stepped call.\n\n| switch |");
		for (size_t r = 0; r < NROWS; r++)
			sb_printf(&rep, " %s |", icount_rows[r].label);
		for (size_t p = 0; p < NTRACED; p++)
			if (s[base].have[p])
				sb_printf(&rep, " traced %s |", traced_paths[p]);
		sb_printf(&rep, "\n|---|");
		for (size_t r = 0; r < NROWS; r++)
			sb_printf(&rep, "---:|");
		for (size_t p = 0; p < NTRACED; p++)
			if (s[base].have[p])
				sb_printf(&rep, "---:|");
		sb_printf(&rep, "\n");
	}
	sb_printf(&dat, "switch");
	for (int k = 0; k < MC_COUNT; k++)
		sb_printf(&dat, "\t%s", mit_class_names[k]);
	sb_printf(&dat, "\n");

	{
		struct strbuf words = { 0 };
		long sum[NTRACED] = { 0 };
		/* per instruction of the defaults' listing: which switches take it
		 * away (indices into s, the first ntakers_max of them, after their count) */
		size_t *takers[NTRACED], ntakers_max = 4;

		for (size_t p = 0; p < NTRACED; p++)
			takers[p] = s[base].have[p] ?
				    xcalloc(s[base].l[p].n * (ntakers_max + 1), sizeof(size_t)) : NULL;

		for (size_t i = 1; i + 1 < ns; i++) {
			struct strbuf diffs = { 0 };
			char *changed = vuln_changes(&s[base], &s[i]);
			struct tally sys_t = { 0 };

			if (i != off) {
				/* really off: its boot's vulnerability files say so */
				if (changed)
					check(&c, 1, "%s: the vulnerability files changed (%s)", s[i].name, changed);
				else
					check(&c, -1, "%s: no vulnerability file changed (not a mitigation this CPU model has, or not one these files report)",
					      s[i].name);
			}
			if (!a.check_only) {
				sb_printf(&rep, "| `%s` |", s[i].append);
				for (size_t r = 0; r < NROWS; r++) {
					double d0 = icount_of(&s[base], r), d1 = icount_of(&s[i], r);

					if (d0 < 0 || d1 < 0)
						sb_printf(&rep, " - |");
					else
						sb_printf(&rep, " %+.0f |", d0 - d1);
				}
			}
			for (size_t p = 0; p < NTRACED; p++) {
				struct mit_diff d;
				struct tally tr, ta;
				size_t unnamed = 0;

				if (!s[base].have[p])
					continue;
				if (!s[i].have[p]) {
					if (!a.check_only)
						sb_printf(&rep, " - |");
					continue;
				}
				mit_diff(&s[base].l[p], &s[i].l[p], &d);
				tally_of(&s[base].l[p], d.removed, d.nremoved, &tr);
				tally_of(&s[i].l[p], d.added, d.nadded, &ta);
				for (size_t k = 0; k < d.nremoved; k++)
					unnamed += !strcmp(s[base].l[p].v[d.removed[k]].func, "?");
				for (size_t k = 0; k < d.nadded; k++)
					unnamed += !strcmp(s[i].l[p].v[d.added[k]].func, "?");
				check(&c, !unnamed, "%s, %s path: every instruction of the difference attributed to a symbol (%zu without)",
				      s[i].name, traced_paths[p], unnamed);
				if (i != off) {
					sum[p] += (long)s[base].l[p].n - (long)s[i].l[p].n;
					for (size_t k = 0; k < d.nremoved; k++) {
						size_t *t = &takers[p][d.removed[k] * (ntakers_max + 1)];

						if (t[0] < ntakers_max)
							t[1 + t[0]] = i;
						t[0]++;
					}
				}
				if (p == 0)
					sys_t = tr;
				sb_printf(&diffs, "## %s path: %zu instructions with the defaults, %zu with %s\n"
					  "## - taken away by %s (the mitigation's), + only with it\n",
					  traced_paths[p], s[base].l[p].n, s[i].l[p].n, s[i].append, s[i].append);
				diff_lines(&diffs, "-", &s[base].l[p], d.removed, d.nremoved);
				diff_lines(&diffs, "+", &s[i].l[p], d.added, d.nadded);
				if (!a.check_only) {
					sb_printf(&rep, " %+ld |", (long)s[base].l[p].n - (long)s[i].l[p].n);
					if (d.nremoved || d.nadded) {
						sb_printf(&words, "- **`%s`**, %s path: the mitigation adds %zu instructions (",
							  s[i].append, traced_paths[p], d.nremoved);
						tally_words(&words, &tr);
						sb_printf(&words, ") in ");
						func_words(&words, &s[base].l[p], d.removed, d.nremoved);
						if (d.nadded) {
							sb_printf(&words, "; without it %zu others run instead (", d.nadded);
							tally_words(&words, &ta);
							sb_printf(&words, ")");
						}
						sb_printf(&words, ".\n");
					}
				}
				mit_diff_free(&d);
			}
			if (!a.check_only)
				sb_printf(&rep, "\n");
			sb_printf(&dat, "%s", s[i].name);
			for (int k = 0; k < MC_COUNT; k++)
				sb_printf(&dat, "\t%zu", sys_t.cls[k]);
			sb_printf(&dat, "\n");
			path = xasprintf("%s/%s.diff", a.out, s[i].name);
			write_file(path, diffs.s ? diffs.s : "", diffs.len);
			free(path);
			sb_free(&diffs);
			free(changed);
		}

		if (!a.check_only) {
			sb_printf(&rep, "\n## Which instructions, and what kind\n\n"
				  "Per switch and path, what the difference holds (every instruction, its "
				  "function and stage: `<switch>.diff` beside this file). The kinds are "
				  "those an instruction count treats as one like any other, though "
				  "they are not: a CR3 write switches page tables (under TCG it also "
				  "flushes QEMU's TLB), a `verw` clears CPU buffers, an `lfence` waits, "
				  "return-stack stuffing makes calls whose returns never happen.\n\n%s\n",
				  words.s ? words.s : "No switch changed a traced instruction.\n");
			sb_printf(&rep, "## Do the switches add up?\n\n");
			for (size_t p = 0; p < NTRACED; p++) {
				long total;

				if (off == SIZE_MAX || !s[base].have[p] || !s[off].have[p])
					continue;
				total = (long)s[base].l[p].n - (long)s[off].l[p].n;
				sb_printf(&rep, "- %s path: defaults %zu, `mitigations=off` %zu: %ld "
					  "instructions; the switches one by one: %ld%s\n",
					  traced_paths[p], s[base].l[p].n, s[off].l[p].n, total, sum[p],
					  a.only ? " (only some switches were run: --only)" :
					  total == sum[p] ? ": they add up" :
					  ": they do not add up by themselves; the instructions more "
					  "than one switch takes away, each counted once per switch:");
				for (size_t k = 0; k < s[base].l[p].n; k++) {
					const size_t *t = &takers[p][k * (ntakers_max + 1)];
					const struct mit_insn *in = &s[base].l[p].v[k];

					if (t[0] < 2)
						continue;
					sb_printf(&rep, "  - `%s` in `%s`: taken away by %zu switches (",
						  in->text, in->sym, t[0]);
					for (size_t j = 0; j < t[0] && j < ntakers_max; j++)
						sb_printf(&rep, "%s`%s`", j ? ", " : "", s[t[1 + j]].append);
					sb_printf(&rep, ")\n");
				}
			}
			sb_printf(&rep, "\n## What each boot saw\n\nThe vulnerability files "
				  "(`/sys/devices/system/cpu/vulnerabilities`) that differ from the "
				  "defaults'; the defaults' in full first.\n\n");
			{
				const char *key;
				json_t *v;

				json_object_foreach(s[base].vuln, key, v)
					sb_printf(&rep, "- defaults, %s: %s\n", key, json_string_value(v));
			}
			for (size_t i = 1; i + 1 < ns; i++) {
				char *changed = vuln_changes(&s[base], &s[i]);

				sb_printf(&rep, "- `%s`: %s\n", s[i].append,
					  changed ? changed : "no file changed");
				free(changed);
			}
			sb_printf(&rep, "\nTime: none here. Instruction counts are exact but "
				  "treat a CR3 write like a `nop`; TCG's times are emulation time "
				  "(a CR3 write flushes QEMU's software TLB), and this machine cannot "
				  "run KVM, so no hardware time of a mitigation is measured here.\n");
		}
		sb_free(&words);
		for (size_t p = 0; p < NTRACED; p++)
			free(takers[p]);
	}

	path = xasprintf("%s/check.tap", a.out);
	{
		char *tap = checks_ktap(&c);

		write_file(path, tap, strlen(tap));
		free(tap);
	}
	free(path);
	if (!a.check_only) {
		char *png = xasprintf("%s/chart-mitigations.png", a.out), *why = NULL;

		path = xasprintf("%s/chart-mitigations.dat", a.out);
		write_file(path, dat.s, dat.len);
		{
			const struct plot_var vars[] = { { "datafile", path, 0 },
							 { "ncols", NULL, MC_COUNT + 1 } };

			if (!plot("report/mitigations.gp", png, vars, 2, &why))
				say("no chart: %s", why);
			else
				sb_printf(&rep, "\n![instructions each mitigation adds to the syscall path, by kind](chart-mitigations.png)\n");
		}
		free(why);
		free(png);
		free(path);
		path = xasprintf("%s/report.md", a.out);
		write_file(path, rep.s, rep.len);
		printf("report: %s\n", path);
		free(path);
	}
	printf("%s", c.lines.s ? c.lines.s : "");
	printf("%u checks, %u failed%s\n", c.n, c.failed,
	       trace_status ? " (lab trace's own checks failed too: see trace/check.tap)" : "");
	sb_free(&rep);
	sb_free(&dat);
	sb_free(&c.lines);
	for (size_t i = 0; i < ns; i++) {
		for (size_t p = 0; p < NTRACED; p++)
			if (s[i].have[p])
				mit_listing_free(&s[i].l[p]);
		if (s[i].icount)
			run_free(s[i].icount);
		free(s[i].dir);
	}
	free(s);
	mit_switches_free(&sw);
	return c.failed ? 1 : 0;
}
