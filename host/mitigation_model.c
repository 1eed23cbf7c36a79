/* mitigation_model.c: see mitigation_model.h. */
#define _GNU_SOURCE
#include "mitigation_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const mit_traced_paths[MIT_NTRACED] = { "syscall", "int80", "vdso32" };

const struct mit_icount_row mit_icount_rows[MIT_NROWS] = {
	{ "x86_64", "lab_null_syscall", "lab_null, syscall" },
	{ "x86_64", "lab_null_int80", "lab_null, int $0x80 (64-bit)" },
	{ "i386", "lab_null_int80_32", "lab_null, int $0x80 (32-bit)" },
	{ "i386", "lab_null_vdso32", "lab_null, vDSO (32-bit)" },
	{ "x86_64", "getppid_syscall", "getppid, syscall" },
	{ "kernel", "kernel_direct", "in-kernel call" },
};

char *mit_vuln_changes(const json_t *base, const json_t *other)
{
	struct strbuf b = { 0 };
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)other, key, v) {
		const char *was = json_string_value(json_object_get(base, key));
		const char *now = json_string_value(v);

		if (was && now && strcmp(was, now))
			sb_printf(&b, "%s%s: %s -> %s", b.len ? "; " : "", key, was, now);
	}
	return b.s;
}

static bool says_mitigated(const char *text)
{
	return text && !strncmp(text, "Mitigation", strlen("Mitigation"));
}

enum mit_vuln mit_vuln_judge(const json_t *base, const json_t *other, char **why)
{
	struct strbuf lacks = { 0 }, on = { 0 };
	const char *key;
	json_t *v;

	*why = NULL;
	if (!json_is_object(base) || !json_object_size(base)) {
		*why = xstrdup("the defaults' boot recorded no vulnerability files");
		return MV_UNRECORDED;
	}
	if (!json_is_object(other) || !json_object_size(other)) {
		*why = xstrdup("its boot recorded no vulnerability files");
		return MV_UNRECORDED;
	}
	json_object_foreach((json_t *)base, key, v) {
		const char *now = json_string_value(json_object_get(other, key));

		if (!now)
			sb_printf(&lacks, "%s%s", lacks.len ? ", " : "", key);
		else if (says_mitigated(now) && !says_mitigated(json_string_value(v)))
			sb_printf(&on, "%s%s: %s -> %s", on.len ? "; " : "", key,
				  json_string_value(v), now);
	}
	if (lacks.len) {
		*why = xasprintf("its boot lacks files the defaults' recorded: %s", lacks.s);
		sb_free(&lacks);
		sb_free(&on);
		return MV_UNRECORDED;
	}
	if (on.len) {
		*why = on.s;
		return MV_TURNED_ON;
	}
	{
		char *changed = mit_vuln_changes(base, other);
		bool any = changed != NULL;

		free(changed);
		return any ? MV_CHANGED : MV_UNCHANGED;
	}
}

static void tally_of(const struct mit_listing *l, const size_t *idx, size_t n,
		     struct mit_tally *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		t->cls[mit_classify(l, idx[i])]++;
		t->n++;
	}
}

/* One switch (s) on path p against the defaults (base). */
static void path_result(const struct mit_setting *base, const struct mit_setting *s, size_t p,
			struct mit_path_result *r)
{
	const struct mit_listing *lb = &base->l[p], *ls = &s->l[p];

	memset(r, 0, sizeof(*r));
	if (!base->have[p] || !s->have[p])
		return;
	r->done = true;
	mit_diff(lb, ls, &r->d);
	tally_of(lb, r->d.removed, r->d.nremoved, &r->removed);
	tally_of(ls, r->d.added, r->d.nadded, &r->added);
	for (size_t k = 0; k < r->d.nremoved; k++)
		r->unnamed += !strcmp(lb->v[r->d.removed[k]].func, "?");
	for (size_t k = 0; k < r->d.nadded; k++)
		r->unnamed += !strcmp(ls->v[r->d.added[k]].func, "?");
	r->delta = (long)lb->n - (long)ls->n;
}

/* Switch i: its vulnerability files, icount rows and paths. */
static void switch_result(struct mit_model *m, size_t i)
{
	const struct mit_setting *base = &m->s[0], *s = &m->s[i];
	struct mit_switch_result *r = &m->r[i];

	r->changed = mit_vuln_changes(base->vuln, s->vuln);
	r->vuln = mit_vuln_judge(base->vuln, s->vuln, &r->why);
	for (size_t k = 0; k < MIT_NROWS; k++)
		r->icount_delta[k] = base->icount[k] < 0 || s->icount[k] < 0 ?
				     NAN : base->icount[k] - s->icount[k];
	for (size_t p = 0; p < MIT_NTRACED; p++) {
		struct mit_path_result *pr = &r->p[p];

		path_result(base, s, p, pr);
		if (!pr->done || i == m->off)
			continue;
		m->sum[p] += pr->delta;
		for (size_t k = 0; k < pr->d.nremoved; k++) {
			struct mit_takers *t = &m->takers[p][pr->d.removed[k]];

			if (t->n < MIT_TAKERS_MAX)
				t->who[t->n] = i;
			t->n++;
		}
	}
}

void mit_model_build(struct mit_model *m, const struct mit_setting *s, size_t ns, size_t off)
{
	memset(m, 0, sizeof(*m));
	m->s = s;
	m->ns = ns;
	m->off = off;
	m->again = ns - 1;
	m->r = xcalloc(ns, sizeof(*m->r));
	for (size_t p = 0; p < MIT_NTRACED; p++) {
		if (!s[0].have[p])
			continue;
		m->takers[p] = xcalloc(s[0].l[p].n + 1, sizeof(*m->takers[p]));
		m->reproduces[p] = s[m->again].have[p] &&
				   mit_listing_equal(&s[0].l[p], &s[m->again].l[p]);
	}
	for (size_t i = 1; i + 1 < ns; i++)
		switch_result(m, i);
}

void mit_model_free(struct mit_model *m)
{
	for (size_t i = 1; i + 1 < m->ns; i++) {
		free(m->r[i].changed);
		free(m->r[i].why);
		for (size_t p = 0; p < MIT_NTRACED; p++)
			if (m->r[i].p[p].done)
				mit_diff_free(&m->r[i].p[p].d);
	}
	free(m->r);
	for (size_t p = 0; p < MIT_NTRACED; p++)
		free(m->takers[p]);
	memset(m, 0, sizeof(*m));
}

/* What the vulnerability files say of switch i, as a check. */
static void vuln_check(const struct mit_model *m, size_t i, struct checks *c)
{
	const struct mit_switch_result *r = &m->r[i];
	const char *name = m->s[i].name;

	switch (r->vuln) {
	case MV_CHANGED:
		check(c, CHECK_PASS, "%s: the vulnerability files changed (%s)", name, r->changed);
		break;
	case MV_UNCHANGED:
		check(c, CHECK_SKIP, "%s: no vulnerability file changed (not a mitigation this CPU model has, or not one these files report)",
		      name);
		break;
	case MV_UNRECORDED:
		check(c, CHECK_FAIL, "%s: no vulnerability files to compare (%s)", name, r->why);
		break;
	case MV_TURNED_ON:
		check(c, CHECK_FAIL, "%s: switched off, a vulnerability file says a mitigation is on where the defaults' said none was (%s)",
		      name, r->why);
		break;
	}
}

void mit_model_check(const struct mit_model *m, size_t nswitches, struct checks *c)
{
	const struct mit_setting *s = m->s;

	check(c, nswitches > 0, "the kernel's documentation lists %zu x86 switches that mitigations=off stands for",
	      nswitches);
	for (size_t i = 0; i < m->ns; i++)
		check(c, s[i].have[0] && s[i].counted, "%s: traced (the syscall path) and counted (icount)",
		      s[i].name);
	for (size_t p = 0; p < MIT_NTRACED; p++)
		if (s[0].have[p])
			check(c, m->reproduces[p],
			      "%s path: two boots with the defaults trace the same instructions (%zu, %zu)",
			      mit_traced_paths[p], s[0].l[p].n, s[m->again].have[p] ? s[m->again].l[p].n : 0);
	for (size_t i = 1; i + 1 < m->ns; i++) {
		if (i != m->off)
			vuln_check(m, i, c);
		for (size_t p = 0; p < MIT_NTRACED; p++)
			if (m->r[i].p[p].done)
				check(c, !m->r[i].p[p].unnamed,
				      "%s, %s path: every instruction of the difference attributed to a symbol (%zu without)",
				      s[i].name, mit_traced_paths[p], m->r[i].p[p].unnamed);
	}
}
