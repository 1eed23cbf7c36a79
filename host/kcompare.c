/* kcompare.c: one architecture's paths on two kernel versions (kcompare.h). */
#define _GNU_SOURCE
#include "kcompare.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "run.h"
#include "util.h"

/* The traced lab_null paths, per architecture (trace.c's names). */
#define KC_MAXPATHS 4
static const struct {
	const char *arch;
	const char *paths[KC_MAXPATHS];
} arch_paths[] = {
	{ "x86_64", { "syscall", "int80", "vdso32" } },
	{ "arm64", { "svc", "svc32" } },
};

/* QEMU's options that make the guest what it is: the same on both sides. */
static const char *const same_options[] = { "-M", "-cpu", "-smp", "-m", "-icount", "-accel" };

/* What one side's directory holds. */
struct side {
	const char *dir;
	struct run *icount;
	struct mit_listing l[KC_MAXPATHS];
};

__attribute__((format(printf, 2, 3)))
static int fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

static const char *side_name(enum kc_side s)
{
	return s == KC_OLD ? "old" : "new";
}

/* The value after option opt in the run's QEMU command line, or "". */
static const char *qemu_option(const struct run *r, const char *opt)
{
	json_t *argv = json_object_get(r->meta, "qemu_argv");

	for (size_t i = 0; i + 1 < json_array_size(argv); i++)
		if (json_string_value(json_array_get(argv, i)) &&
		    !strcmp(json_string_value(json_array_get(argv, i)), opt) &&
		    json_string_value(json_array_get(argv, i + 1)))
			return json_string_value(json_array_get(argv, i + 1));
	return "";
}

/* DIR/default/icount: there, undamaged, finished, icount, the defaults. */
static int load_icount(struct side *s, char **err)
{
	char *dir = xasprintf("%s/default/icount", s->dir), *why = NULL;
	int ret = 0;

	s->icount = run_load(dir, "icount-default", &why);
	if (!s->icount)
		ret = fail(err, "%s (run lab trace --mitigations default for that kernel first)", why);
	else if (s->icount->nproblems)
		ret = fail(err, "%s: %s", dir, s->icount->problems[0]);
	else if (strcmp(run_mode(s->icount), "icount"))
		ret = fail(err, "%s is a %s run, not an icount one", dir,
			   *run_mode(s->icount) ? run_mode(s->icount) : "modeless");
	else if (strcmp(run_mitigations(s->icount), "default") || *run_meta(s->icount, "append"))
		ret = fail(err, "%s: booted with '%s', not the default mitigations", dir,
			   run_meta(s->icount, "append"));
	else if (strcmp(run_outcome(s->icount), "ok"))
		ret = fail(err, "%s: the boot ended %s (%s)", dir, run_outcome(s->icount),
			   run_reason(s->icount));
	else if (!*run_fact(s->icount, "release"))
		ret = fail(err, "%s: the guest said no kernel release (facts.jsonl)", dir);
	free(why);
	free(dir);
	return ret;
}

/* The same architecture, guest and kernel command line on both sides. */
static int same_setup(const struct side *sd, char **err)
{
	const struct run *o = sd[KC_OLD].icount, *n = sd[KC_NEW].icount;

	if (strcmp(run_meta(o, "arch"), run_meta(n, "arch")))
		return fail(err, "not one architecture: %s is %s, %s is %s", sd[KC_OLD].dir,
			    run_meta(o, "arch"), sd[KC_NEW].dir, run_meta(n, "arch"));
	for (size_t i = 0; i < sizeof(same_options) / sizeof(*same_options); i++)
		if (strcmp(qemu_option(o, same_options[i]), qemu_option(n, same_options[i])))
			return fail(err, "not the same guest: QEMU %s '%s' (%s) against '%s' (%s)",
				    same_options[i], qemu_option(o, same_options[i]), sd[KC_OLD].dir,
				    qemu_option(n, same_options[i]), sd[KC_NEW].dir);
	if (!*qemu_option(o, "-cpu"))
		return fail(err, "%s/default/icount: no -cpu in its QEMU command line", sd[KC_OLD].dir);
	if (strcmp(run_meta(o, "cmdline"), run_meta(n, "cmdline")))
		return fail(err, "not the same kernel command line: '%s' against '%s'",
			    run_meta(o, "cmdline"), run_meta(n, "cmdline"));
	return 0;
}

/* The listings of the architecture's paths; an empty one is no trace. */
static int load_listings(struct side *s, const char *const *paths, char **err)
{
	for (size_t p = 0; p < KC_MAXPATHS && paths[p]; p++) {
		char *file = xasprintf("%s/default/%s.staged", s->dir, paths[p]);
		size_t bad = 0;
		int ret = 0;

		if (mit_listing_load(file, &s->l[p], &bad))
			ret = bad ? fail(err, "%s: line %zu is no listing line (n, address, "
					 "symbol, instruction, stage)", file, bad)
				  : fail(err, "%s: %s (lab trace left no %s path)", file,
					 strerror(errno), paths[p]);
		else if (!s->l[p].n)
			ret = fail(err, "%s: no instructions (the trace of %s failed)", file, paths[p]);
		free(file);
		if (ret)
			return ret;
	}
	return 0;
}

static void free_side(struct side *s)
{
	for (size_t p = 0; p < KC_MAXPATHS; p++)
		mit_listing_free(&s->l[p]);
	run_free(s->icount);
	s->icount = NULL;
}

/* lab trace's check.tap: each check counted, the failed ones named. */
static int load_checks(struct kcompare *k, const struct side *sd, enum kc_side s, char **err)
{
	char *path = xasprintf("%s/check.tap", sd[s].dir), *text = read_file(path, NULL);
	struct ktap_test *t = text ? ktap_parse(text) : NULL;
	int ret = 0;

	if (!text)
		ret = fail(err, "%s: %s (lab trace did not finish)", path, strerror(errno));
	else if (!t->nsub || t->planned != (long)t->nsub)
		ret = fail(err, "%s: %zu checks of a plan of %ld: lab trace did not finish", path,
			   t->nsub, t->planned);
	for (size_t i = 0; !ret && i < t->nsub; i++) {
		k->nchecks[s]++;
		if (t->sub[i].result != KTAP_FAIL)
			continue;
		k->failed[s] = xrealloc(k->failed[s], (k->nfailed[s] + 1) * sizeof(char *));
		k->failed[s][k->nfailed[s]++] = xstrdup(t->sub[i].name);
	}
	ktap_free(t);
	free(text);
	free(path);
	return ret;
}

/* ---- the icount rows ------------------------------------------------------ */

static const struct left_out *find_left_out(const struct rows *rs, const char *abi,
					    const char *path)
{
	for (size_t i = 0; i < rs->nleft; i++)
		if (!strcmp(rs->left[i].abi, abi) && !strcmp(rs->left[i].path, path))
			return &rs->left[i];
	return NULL;
}

static struct kc_row *find_row(struct kcompare *k, const char *abi, const char *path,
			       unsigned int ops)
{
	for (size_t i = 0; i < k->nrows; i++)
		if (!strcmp(k->rows[i].abi, abi) && !strcmp(k->rows[i].path, path) &&
		    k->rows[i].ops == ops)
			return &k->rows[i];
	return NULL;
}

static struct kc_row *add_row(struct kcompare *k, const char *abi, const char *path,
			      unsigned int ops)
{
	struct kc_row *r;

	k->rows = xrealloc(k->rows, (k->nrows + 1) * sizeof(*k->rows));
	r = &k->rows[k->nrows++];
	*r = (struct kc_row){ .abi = xstrdup(abi), .path = xstrdup(path), .ops = ops,
			      .v = { -1, -1 } };
	return r;
}

/* Every row and left-out row of either side, on both; a row one side has
 * and the other neither measured nor left out is missing. */
static int build_rows(struct kcompare *k, const struct side *sd, char **err)
{
	for (int s = 0; s < KC_SIDES; s++) {
		const struct rows *rs = &sd[s].icount->rows;

		for (size_t i = 0; i < rs->n; i++) {
			const struct row *w = &rs->v[i];
			struct kc_row *r = find_row(k, w->abi, w->path, w->ops);

			if (!r)
				r = add_row(k, w->abi, w->path, w->ops);
			r->v[s] = row_value(w, ST_MEDIAN);
		}
		for (size_t i = 0; i < rs->nleft; i++) {
			const struct left_out *l = &rs->left[i];
			struct kc_row *r = find_row(k, l->abi, l->path, 0);

			if (!r)
				r = add_row(k, l->abi, l->path, 0);
			free(r->left_out[s]);
			r->left_out[s] = xstrdup(l->why);
		}
	}
	for (size_t i = 0; i < k->nrows; i++)
		for (int s = 0; s < KC_SIDES; s++) {
			struct kc_row *r = &k->rows[i];

			if (r->v[s] >= 0 || r->left_out[s])
				continue;
			if (find_left_out(&sd[s].icount->rows, r->abi, r->path)) {
				r->left_out[s] = xstrdup(find_left_out(&sd[s].icount->rows, r->abi,
								       r->path)->why);
				continue;
			}
			return fail(err, "%s/default/icount: no row %s/%s%s (the %s kernel's run has it)",
				    sd[s].dir, r->abi, r->path, r->ops ? " (a curve's point)" : "",
				    side_name(!s));
		}
	if (!k->nrows)
		return fail(err, "%s/default/icount: no rows at all", sd[KC_OLD].dir);
	return 0;
}

/* ---- the traced paths ------------------------------------------------------ */

static size_t stage_index(struct kc_path *p, const char *stage)
{
	for (size_t i = 0; i < p->nstages; i++)
		if (!strcmp(p->stages[i].name, stage))
			return i;
	p->stages = xrealloc(p->stages, (p->nstages + 1) * sizeof(*p->stages));
	p->stages[p->nstages] = (struct kc_stage){ .name = xstrdup(stage) };
	return p->nstages++;
}

static struct kc_func *func_of(struct kc_path *p, size_t stage, const char *name)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		if (p->funcs[i].stage == stage && !strcmp(p->funcs[i].name, name))
			return &p->funcs[i];
	p->funcs = xrealloc(p->funcs, (p->nfuncs + 1) * sizeof(*p->funcs));
	p->funcs[p->nfuncs] = (struct kc_func){ .name = xstrdup(name), .stage = stage };
	return &p->funcs[p->nfuncs++];
}

static bool listing_has(const struct mit_listing *l, const char *func)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].func, func))
			return true;
	return false;
}

/* By stage; within a stage, in the order first seen (old's, then new's):
 * func_of() appended them in that order, so a stable sort on the stage. */
static void group_by_stage(struct kc_path *p)
{
	struct kc_func *sorted = xcalloc(p->nfuncs + 1, sizeof(*sorted));
	size_t n = 0;

	for (size_t s = 0; s < p->nstages; s++)
		for (size_t i = 0; i < p->nfuncs; i++)
			if (p->funcs[i].stage == s)
				sorted[n++] = p->funcs[i];
	free(p->funcs);
	p->funcs = sorted;
}

static size_t hex_digits(const char *t)
{
	return strspn(t, "0123456789abcdef");
}

/*
 * The text with what differs between two builds of the same code left
 * out: a branch's or a comment's address before "<sym>", the offset in
 * "<sym+0x1f>" or "<sym+31>", a RIP-relative displacement, an immediate
 * ("$0x1c3", a switch's case), and any other address (nine or more hex
 * digits) as "0x?".
 */
static char *without_addresses(const char *t)
{
	struct strbuf b = { 0 };

	while (*t) {
		bool neg = *t == '-' && !strncmp(t + 1, "0x", 2);
		const char *h = t + neg + 2;
		size_t hex = !strncmp(t + neg, "0x", 2) ? hex_digits(h) : 0;

		if (hex && !neg && !strncmp(h + hex, " <", 2)) {
			t = h + hex + 1;			/* "0x... <sym>": "<sym>" */
		} else if (hex && !strncmp(h + hex, "(%rip)", 6)) {
			t = h + hex;				/* "-0x1e7(%rip)": "(%rip)" */
		} else if (*t == '$' && (t[1] == '-' || (t[1] >= '0' && t[1] <= '9'))) {
			t += 1 + (t[1] == '-');
			t += !strncmp(t, "0x", 2) ? 2 + hex_digits(t + 2) : strspn(t, "0123456789");
			sb_add(&b, "$?", 2);
		} else if (*t == '+' && strchr(t, '>') &&
			   (size_t)(strchr(t, '>') - t) == 1 + strspn(t + 1, "0123456789abcdefx")) {
			t = strchr(t, '>');			/* "<sym+31>": "<sym>" */
		} else if (hex >= 9) {
			sb_add(&b, "0x?", 3);
			t = h + hex;
		} else {
			sb_add(&b, t++, 1);
		}
	}
	return b.s ? b.s : xstrdup("");
}

/* The listing as mit_diff() should match it: the function for the
 * address, the text without addresses. */
static void comparable(const struct mit_listing *l, struct mit_listing *c)
{
	c->n = l->n;
	c->v = xcalloc(l->n + 1, sizeof(*c->v));
	for (size_t i = 0; i < l->n; i++) {
		c->v[i].pc = xstrdup(l->v[i].func);
		c->v[i].text = without_addresses(l->v[i].text);
		c->v[i].sym = xstrdup(l->v[i].sym);
		c->v[i].stage = xstrdup(l->v[i].stage);
		c->v[i].func = xstrdup(l->v[i].func);
	}
}

static void add_change(struct kc_path *p, enum kc_side s, const struct mit_listing *l, size_t i)
{
	const struct mit_insn *in = &l->v[i];
	enum mit_class kind = mit_classify(l, i);

	p->changes = xrealloc(p->changes, (p->nchanges + 1) * sizeof(*p->changes));
	p->changes[p->nchanges++] = (struct kc_change){ .side = s, .sym = xstrdup(in->sym),
		.text = xstrdup(in->text), .stage = xstrdup(in->stage), .kind = kind };
	p->changed_kinds[s][kind]++;
	func_of(p, stage_index(p, in->stage), in->func)->changed[s]++;
}

/* The instructions one side has and the other lacks, each counted in its
 * function. */
static void build_changes(struct kc_path *p, const struct mit_listing *l[KC_SIDES])
{
	struct mit_listing c[KC_SIDES];
	struct mit_diff d;

	for (int s = 0; s < KC_SIDES; s++)
		comparable(l[s], &c[s]);
	mit_diff(&c[KC_OLD], &c[KC_NEW], &d);
	for (size_t i = 0; i < d.nremoved; i++)
		add_change(p, KC_OLD, l[KC_OLD], d.removed[i]);
	for (size_t i = 0; i < d.nadded; i++)
		add_change(p, KC_NEW, l[KC_NEW], d.added[i]);
	mit_diff_free(&d);
	for (int s = 0; s < KC_SIDES; s++)
		mit_listing_free(&c[s]);
}

static void build_path(struct kc_path *p, const char *name, const struct mit_listing *l[KC_SIDES])
{
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	for (int s = 0; s < KC_SIDES; s++) {
		p->total[s] = l[s]->n;
		for (size_t i = 0; i < l[s]->n; i++) {
			const struct mit_insn *in = &l[s]->v[i];
			size_t st = stage_index(p, in->stage);

			p->stages[st].n[s]++;
			func_of(p, st, in->func)->n[s]++;
			p->kinds[s][mit_classify(l[s], i)]++;
		}
	}
	for (size_t i = 0; i < p->nfuncs; i++)
		for (int s = 0; s < KC_SIDES; s++)
			p->funcs[i].absent[s] = !listing_has(l[s], p->funcs[i].name);
	build_changes(p, l);
	group_by_stage(p);
}

/* ---- the whole ------------------------------------------------------------------ */

/* The vulnerability files whose text differs, as "file: old -> new". */
static void vuln_changes(struct kcompare *k, const struct side *sd)
{
	json_t *o = json_object_get(sd[KC_OLD].icount->facts, "vulnerabilities");
	json_t *n = json_object_get(sd[KC_NEW].icount->facts, "vulnerabilities");
	const char *key;
	json_t *v;

	json_object_foreach(n, key, v) {
		const char *was = json_string_value(json_object_get(o, key));
		const char *now = json_string_value(v);

		if (now && (!was || strcmp(was, now))) {
			k->vuln = xrealloc(k->vuln, (k->nvuln + 1) * sizeof(*k->vuln));
			k->vuln[k->nvuln++] = xasprintf("%s: %s -> %s", key, was ? was : "(no such file)",
							now);
		}
	}
	json_object_foreach(o, key, v) {
		if (!json_object_get(n, key)) {
			k->vuln = xrealloc(k->vuln, (k->nvuln + 1) * sizeof(*k->vuln));
			k->vuln[k->nvuln++] = xasprintf("%s: %s -> (no such file)", key,
							json_string_value(v) ? json_string_value(v) : "");
		}
	}
}

static const char *const *paths_of(const char *arch)
{
	for (size_t a = 0; a < sizeof(arch_paths) / sizeof(*arch_paths); a++)
		if (!strcmp(arch_paths[a].arch, arch))
			return arch_paths[a].paths;
	return NULL;
}

static int build_all(struct kcompare *k, struct side *sd, char **err)
{
	const char *const *paths;

	for (int s = 0; s < KC_SIDES; s++)
		if (load_icount(&sd[s], err))
			return -1;
	if (same_setup(sd, err))
		return -1;
	paths = paths_of(run_meta(sd[KC_OLD].icount, "arch"));
	if (!paths)
		return fail(err, "%s/default/icount: an architecture the lab does not trace ('%s')",
			    sd[KC_OLD].dir, run_meta(sd[KC_OLD].icount, "arch"));
	for (int s = 0; s < KC_SIDES; s++)
		if (load_listings(&sd[s], paths, err))
			return -1;
	if (build_rows(k, sd, err))
		return -1;
	for (int s = 0; s < KC_SIDES; s++)
		if (load_checks(k, sd, s, err))
			return -1;
	k->arch = xstrdup(run_meta(sd[KC_OLD].icount, "arch"));
	for (int s = 0; s < KC_SIDES; s++)
		k->release[s] = xstrdup(run_fact(sd[s].icount, "release"));
	k->cpu = xstrdup(qemu_option(sd[KC_OLD].icount, "-cpu"));
	k->guest_cpu = xstrdup(run_fact(sd[KC_OLD].icount, "cpu"));
	k->cmdline = xstrdup(run_meta(sd[KC_OLD].icount, "cmdline"));
	for (size_t p = 0; p < KC_MAXPATHS && paths[p]; p++) {
		const struct mit_listing *l[KC_SIDES] = { &sd[KC_OLD].l[p], &sd[KC_NEW].l[p] };

		k->paths = xrealloc(k->paths, (k->npaths + 1) * sizeof(*k->paths));
		build_path(&k->paths[k->npaths++], paths[p], l);
	}
	vuln_changes(k, sd);
	return 0;
}

int kc_build(struct kcompare *k, const char *old_dir, const char *new_dir, char **err)
{
	struct side sd[KC_SIDES] = { { .dir = old_dir }, { .dir = new_dir } };
	int ret;

	memset(k, 0, sizeof(*k));
	*err = NULL;
	ret = build_all(k, sd, err);
	for (int s = 0; s < KC_SIDES; s++)
		free_side(&sd[s]);
	if (ret)
		kc_free(k);
	return ret;
}

void kc_free(struct kcompare *k)
{
	for (size_t i = 0; i < k->nrows; i++) {
		free(k->rows[i].abi);
		free(k->rows[i].path);
		for (int s = 0; s < KC_SIDES; s++)
			free(k->rows[i].left_out[s]);
	}
	for (size_t p = 0; p < k->npaths; p++) {
		for (size_t i = 0; i < k->paths[p].nstages; i++)
			free(k->paths[p].stages[i].name);
		for (size_t i = 0; i < k->paths[p].nfuncs; i++)
			free(k->paths[p].funcs[i].name);
		for (size_t i = 0; i < k->paths[p].nchanges; i++) {
			free(k->paths[p].changes[i].sym);
			free(k->paths[p].changes[i].text);
			free(k->paths[p].changes[i].stage);
		}
		free(k->paths[p].changes);
		free(k->paths[p].stages);
		free(k->paths[p].funcs);
		free(k->paths[p].name);
	}
	for (size_t i = 0; i < k->nvuln; i++)
		free(k->vuln[i]);
	for (int s = 0; s < KC_SIDES; s++) {
		for (size_t i = 0; i < k->nfailed[s]; i++)
			free(k->failed[s][i]);
		free(k->failed[s]);
		free(k->release[s]);
	}
	free(k->vuln);
	free(k->rows);
	free(k->paths);
	free(k->arch);
	free(k->cpu);
	free(k->guest_cpu);
	free(k->cmdline);
	memset(k, 0, sizeof(*k));
}

long kc_func_diff(const struct kc_func *f)
{
	return (long)f->n[KC_NEW] - (long)f->n[KC_OLD];
}
