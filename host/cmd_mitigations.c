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
 * What is computed (the differences, the sums, what the vulnerability files
 * say, the checks) is mitigation_model.c's; here: the boots, loading what
 * they left, and the writers (check.tap, the .diff files, report.md, the
 * chart's data and the chart, plot.h).
 *
 * --only: those switches alone (make test's quick version). --check-only:
 * check.tap and the diffs, no report. --report-only: no boots, the report
 * again from what DIR/trace holds. Exits 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "lab.h"
#include "mitigation.h"
#include "mitigation_model.h"
#include "plot.h"
#include "trace.h"
#include "util.h"

#define DOC "Documentation/admin-guide/kernel-parameters.txt"
#define NTRACED MIT_NTRACED
#define NROWS MIT_NROWS

/* The settings booted, and the icount runs they left (freed at the end). */
struct settings {
	struct mit_setting *s;
	struct run **runs;
	size_t ns, off;		/* off == ns: no mitigations=off (--check-only) */
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

/* default, off (not for --check-only), the switches, the defaults again */
static void settings_make(const struct args *a, const struct mit_switches *sw, struct settings *t)
{
	struct mit_setting *s = xcalloc(sw->n + 3, sizeof(*s));
	size_t ns = 0, off = SIZE_MAX;

	s[ns++].name = "default";
	if (!a->check_only) {
		off = ns;
		s[ns].name = "off";
		s[ns++].append = "mitigations=off";
	}
	for (size_t i = 0; i < sw->n; i++) {
		s[ns].name = sw->v[i].name;
		s[ns++].append = sw->v[i].param;
	}
	s[ns].name = "default-again";
	s[ns++].append = "lab.again=1";	/* a word the kernel ignores */
	*t = (struct settings){ .s = s, .runs = xcalloc(ns, sizeof(*t->runs)), .ns = ns,
				.off = off == SIZE_MAX ? ns : off };
}

static void settings_free(struct settings *t)
{
	for (size_t i = 0; i < t->ns; i++) {
		for (size_t p = 0; p < NTRACED; p++)
			if (t->s[i].have[p])
				mit_listing_free(&t->s[i].l[p]);
		if (t->runs[i])
			run_free(t->runs[i]);
	}
	free(t->s);
	free(t->runs);
}

/* lab trace (trace_run) for every setting: s[0] is the defaults, the
 * rest are its --setting ones. Its exit status. */
static int run_trace(const struct args *a, const struct mit_setting *s, size_t ns)
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

/* What a setting's boots left: listings, its icount run (into *run), its facts. */
static void load_setting(const struct args *a, struct mit_setting *s, struct run **run)
{
	char *dir = xasprintf("%s/trace/%s", a->out, s->name), *idir;

	for (size_t p = 0; p < NTRACED; p++) {
		char *path = xasprintf("%s/%s.staged", dir, mit_traced_paths[p]);
		size_t bad;

		s->have[p] = file_exists(path) && !mit_listing_load(path, &s->l[p], &bad);
		free(path);
	}
	idir = xasprintf("%s/icount", dir);
	if (file_exists(idir)) {
		char *err = NULL;

		*run = run_load(idir, s->name, &err);
		free(err);
	}
	free(idir);
	free(dir);
	s->counted = *run != NULL;
	for (size_t r = 0; r < NROWS; r++) {
		const struct row *w = *run ? rows_find(&(*run)->rows, mit_icount_rows[r].abi,
						       mit_icount_rows[r].path, 0) : NULL;

		s->icount[r] = w ? (double)w->stat[ST_MEDIAN] / 1000.0 : -1;
	}
	if (*run)
		s->release = run_fact(*run, "release");
	if (*run && (*run)->facts) {
		s->vuln = json_object_get((*run)->facts, "vulnerabilities");
		s->cpu = json_string_value(json_object_get((*run)->facts, "cpu"));
	}
}

/* ---- the writers ------------------------------------------------------------------ */

/* "2 control-register or MSR write, 1 fence or serialising, 9 ordinary" */
static void tally_words(struct strbuf *b, const struct mit_tally *t)
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

/* DIR/<switch>.diff: every instruction each switch takes away or adds. */
static void write_diffs(const char *out, const struct mit_model *m)
{
	const struct mit_setting *base = &m->s[0];

	for (size_t i = 1; i + 1 < m->ns; i++) {
		const struct mit_setting *s = &m->s[i];
		struct strbuf b = { 0 };
		char *path;

		for (size_t p = 0; p < NTRACED; p++) {
			const struct mit_path_result *r = &m->r[i].p[p];

			if (!r->done)
				continue;
			sb_printf(&b, "## %s path: %zu instructions with the defaults, %zu with %s\n"
				  "## - taken away by %s (the mitigation's), + only with it\n",
				  mit_traced_paths[p], base->l[p].n, s->l[p].n, s->append, s->append);
			diff_lines(&b, "-", &base->l[p], r->d.removed, r->d.nremoved);
			diff_lines(&b, "+", &s->l[p], r->d.added, r->d.nadded);
		}
		path = xasprintf("%s/%s.diff", out, s->name);
		write_file(path, b.s ? b.s : "", b.len);
		free(path);
		sb_free(&b);
	}
}

/* The chart's data: per switch, the syscall path's removed instructions by kind. */
static void chart_data(const struct mit_model *m, struct strbuf *dat)
{
	sb_printf(dat, "switch");
	for (int k = 0; k < MC_COUNT; k++)
		sb_printf(dat, "\t%s", mit_class_names[k]);
	sb_printf(dat, "\n");
	for (size_t i = 1; i + 1 < m->ns; i++) {
		const struct mit_path_result *r = &m->r[i].p[0];

		sb_printf(dat, "%s", m->s[i].name);
		for (int k = 0; k < MC_COUNT; k++)
			sb_printf(dat, "\t%zu", r->done ? r->removed.cls[k] : 0);
		sb_printf(dat, "\n");
	}
}

/* The report's opening, and the head of its table. */
static void report_head(struct strbuf *rep, const struct mit_model *m, const struct mit_switches *sw)
{
	const struct mit_setting *base = &m->s[0];

	sb_printf(rep, "# What each mitigation adds to a system call\n\n");
	sb_printf(rep, "The lab kernel %s, booted under QEMU (TCG, and icount for the counts) "
		  "with the guest CPU model **%s**, once per setting: the defaults, "
		  "`mitigations=off`, and each switch that the kernel's own "
		  "`%s` lists for `mitigations=off` on x86, alone. For each switch: the "
		  "instructions its absence takes away from a traced path (what the mitigation "
		  "adds), found by an instruction-level difference (longest common subsequence "
		  "of address and instruction) of the single-stepped listings, each "
		  "classified; and icount's difference for every measured path.\n\n",
		  base->release ? base->release : "?", base->cpu ? base->cpu : "?", DOC);
	for (size_t i = 0; i < sw->nskipped; i++)
		sb_printf(rep, "Left out: %s.\n", sw->skipped[i]);
	sb_printf(rep, "\n## Instructions each mitigation adds, per path\n\n"
		  "icount: defaults minus this switch off (exact instructions, per call). "
		  "traced: the same for one single-stepped call.\n\n| switch |");
	for (size_t r = 0; r < NROWS; r++)
		sb_printf(rep, " %s |", mit_icount_rows[r].label);
	for (size_t p = 0; p < NTRACED; p++)
		if (base->have[p])
			sb_printf(rep, " traced %s |", mit_traced_paths[p]);
	sb_printf(rep, "\n|---|");
	for (size_t r = 0; r < NROWS; r++)
		sb_printf(rep, "---:|");
	for (size_t p = 0; p < NTRACED; p++)
		if (base->have[p])
			sb_printf(rep, "---:|");
	sb_printf(rep, "\n");
}

/* The table's rows: per switch, icount's difference and the traced one. */
static void report_table(struct strbuf *rep, const struct mit_model *m)
{
	for (size_t i = 1; i + 1 < m->ns; i++) {
		const struct mit_switch_result *r = &m->r[i];

		sb_printf(rep, "| `%s` |", m->s[i].append);
		for (size_t k = 0; k < NROWS; k++) {
			if (isnan(r->icount_delta[k]))
				sb_printf(rep, " - |");
			else
				sb_printf(rep, " %+.0f |", r->icount_delta[k]);
		}
		for (size_t p = 0; p < NTRACED; p++) {
			if (!m->s[0].have[p])
				continue;
			if (r->p[p].done)
				sb_printf(rep, " %+ld |", r->p[p].delta);
			else
				sb_printf(rep, " - |");
		}
		sb_printf(rep, "\n");
	}
}

/* Per switch and path, the instructions of the difference in words. */
static void report_words(struct strbuf *rep, const struct mit_model *m)
{
	struct strbuf w = { 0 };

	for (size_t i = 1; i + 1 < m->ns; i++)
		for (size_t p = 0; p < NTRACED; p++) {
			const struct mit_path_result *r = &m->r[i].p[p];

			if (!r->done || !(r->d.nremoved || r->d.nadded))
				continue;
			sb_printf(&w, "- **`%s`**, %s path: the mitigation adds %zu instructions (",
				  m->s[i].append, mit_traced_paths[p], r->d.nremoved);
			tally_words(&w, &r->removed);
			sb_printf(&w, ") in ");
			func_words(&w, &m->s[0].l[p], r->d.removed, r->d.nremoved);
			if (r->d.nadded) {
				sb_printf(&w, "; without it %zu others run instead (", r->d.nadded);
				tally_words(&w, &r->added);
				sb_printf(&w, ")");
			}
			sb_printf(&w, ".\n");
		}
	sb_printf(rep, "\n## Which instructions, and what kind\n\n"
		  "Per switch and path, what the difference holds (every instruction, its "
		  "function and stage: `<switch>.diff` beside this file). The kinds are "
		  "those an instruction count treats as one like any other, though "
		  "they are not: a CR3 write switches page tables (under TCG it also "
		  "flushes QEMU's TLB), a `verw` clears CPU buffers, an `lfence` waits, "
		  "return-stack stuffing makes calls whose returns never happen.\n\n%s\n",
		  w.s ? w.s : "No switch changed a traced instruction.\n");
	sb_free(&w);
}

/* The instructions of path p more than one switch takes away. */
static void report_takers(struct strbuf *rep, const struct mit_model *m, size_t p)
{
	const struct mit_listing *l = &m->s[0].l[p];

	for (size_t k = 0; k < l->n; k++) {
		const struct mit_takers *t = &m->takers[p][k];

		if (t->n < 2)
			continue;
		sb_printf(rep, "  - `%s` in `%s`: taken away by %zu switches (",
			  l->v[k].text, l->v[k].sym, t->n);
		for (size_t j = 0; j < t->n && j < MIT_TAKERS_MAX; j++)
			sb_printf(rep, "%s`%s`", j ? ", " : "", m->s[t->who[j]].append);
		sb_printf(rep, ")\n");
	}
}

/* Whether the switches, one by one, add up to mitigations=off. */
static void report_addup(struct strbuf *rep, const struct mit_model *m, bool only)
{
	const struct mit_setting *base = &m->s[0], *off = m->off < m->ns ? &m->s[m->off] : NULL;

	sb_printf(rep, "## Do the switches add up?\n\n");
	for (size_t p = 0; p < NTRACED; p++) {
		long total;

		if (!off || !base->have[p] || !off->have[p])
			continue;
		total = (long)base->l[p].n - (long)off->l[p].n;
		sb_printf(rep, "- %s path: defaults %zu, `mitigations=off` %zu: %ld "
			  "instructions; the switches one by one: %ld%s\n",
			  mit_traced_paths[p], base->l[p].n, off->l[p].n, total, m->sum[p],
			  only ? " (only some switches were run: --only)" :
			  total == m->sum[p] ? ": they add up" :
			  ": they do not add up by themselves; the instructions more "
			  "than one switch takes away, each counted once per switch:");
		report_takers(rep, m, p);
	}
}

/* The vulnerability files each boot saw, and the closing word on time. */
static void report_vuln(struct strbuf *rep, const struct mit_model *m)
{
	const char *key;
	json_t *v;

	sb_printf(rep, "\n## What each boot saw\n\nThe vulnerability files "
		  "(`/sys/devices/system/cpu/vulnerabilities`) that differ from the "
		  "defaults'; the defaults' in full first.\n\n");
	json_object_foreach(m->s[0].vuln, key, v)
		sb_printf(rep, "- defaults, %s: %s\n", key, json_string_value(v));
	for (size_t i = 1; i + 1 < m->ns; i++)
		sb_printf(rep, "- `%s`: %s\n", m->s[i].append,
			  m->r[i].changed ? m->r[i].changed : "no file changed");
	sb_printf(rep, "\nTime: none here. Instruction counts are exact but "
		  "treat a CR3 write like a `nop`; TCG's times are emulation time "
		  "(a CR3 write flushes QEMU's software TLB), and this machine cannot "
		  "run KVM, so no hardware time of a mitigation is measured here.\n");
}

/* DIR/report.md, DIR/chart-mitigations.dat and the chart drawn from it. */
static void write_report(const struct args *a, const struct mit_switches *sw,
			 const struct mit_model *m)
{
	struct strbuf rep = { 0 }, dat = { 0 };
	char *path = xasprintf("%s/chart-mitigations.dat", a->out), *why = NULL;
	char *png = xasprintf("%s/chart-mitigations.png", a->out);
	const struct plot_var vars[] = { { "datafile", path, 0 }, { "ncols", NULL, MC_COUNT + 1 } };

	report_head(&rep, m, sw);
	report_table(&rep, m);
	report_words(&rep, m);
	report_addup(&rep, m, a->only != NULL);
	report_vuln(&rep, m);
	chart_data(m, &dat);
	write_file(path, dat.s, dat.len);
	if (!plot("report/mitigations.gp", png, vars, 2, &why))
		say("no chart: %s", why);
	else
		sb_printf(&rep, "\n![instructions each mitigation adds to the syscall path, by kind](chart-mitigations.png)\n");
	free(why);
	free(png);
	free(path);
	path = xasprintf("%s/report.md", a->out);
	write_file(path, rep.s, rep.len);
	printf("report: %s\n", path);
	free(path);
	sb_free(&rep);
	sb_free(&dat);
}

static void write_checks(const char *out, const struct checks *c)
{
	char *path = xasprintf("%s/check.tap", out), *tap = checks_ktap(c);

	write_file(path, tap, strlen(tap));
	free(tap);
	free(path);
}

int cmd_mitigations(int argc, char **argv)
{
	struct args a;
	struct mit_switches sw;
	struct settings t;
	struct mit_model m;
	struct checks c = { 0 };
	int trace_status;

	parse(argc, argv, &a);
	discover(&a, &sw);
	if (mkdir_p(a.out))
		die("cannot make %s: %s", a.out, strerror(errno));
	lab_lock(a.out);
	boot_install_signals();
	settings_make(&a, &sw, &t);
	say("%zu x86 switches from %s/%s%s", sw.n, a.ksrc, DOC, a.only ? " (--only)" : "");
	trace_status = a.report_only ? 0 : run_trace(&a, t.s, t.ns);
	for (size_t i = 0; i < t.ns; i++)
		load_setting(&a, &t.s[i], &t.runs[i]);

	mit_model_build(&m, t.s, t.ns, t.off);
	mit_model_check(&m, sw.n, &c);
	write_diffs(a.out, &m);
	write_checks(a.out, &c);
	if (!a.check_only)
		write_report(&a, &sw, &m);
	printf("%s", c.lines.s ? c.lines.s : "");
	printf("%u checks, %u failed%s\n", c.n, c.failed,
	       trace_status ? " (lab trace's own checks failed too: see trace/check.tap)" : "");
	sb_free(&c.lines);
	mit_model_free(&m);
	settings_free(&t);
	mit_switches_free(&sw);
	return c.failed ? 1 : 0;
}
