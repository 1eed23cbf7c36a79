/* mitigation.c: see mitigation.h. */
#define _GNU_SOURCE
#include "mitigation.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const mit_class_names[MC_COUNT] = {
	[MC_ORDINARY] = "ordinary",
	[MC_FENCE] = "fence or serialising",
	[MC_CR_MSR] = "control-register or MSR write",
	[MC_CLEAR] = "buffer clear (verw)",
	[MC_STUFF] = "return-stack or stack stuffing",
	[MC_THUNK] = "indirect branch or thunk",
};

/* ---- the switches, from the kernel's documentation ---------------------- */

/* The line's text without its leading and trailing blanks, as [*b, *e). */
static void trim(const char *line, size_t len, const char **b, const char **e)
{
	*b = line;
	*e = line + len;
	while (*b < *e && isspace((unsigned char)**b))
		(*b)++;
	while (*e > *b && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

static void add_skipped(struct mit_switches *s, char *why)
{
	s->skipped = xrealloc(s->skipped, (s->nskipped + 1) * sizeof(*s->skipped));
	s->skipped[s->nskipped++] = why;
}

/* One entry, "param [ARCH,ARCH]". */
static void add_entry(struct mit_switches *s, const char *b, const char *e)
{
	const char *open = memrchr(b, '[', (size_t)(e - b));
	char *param, *archs, *name;
	bool x86 = false;

	if (!open || e[-1] != ']')
		return;
	archs = strndup(open + 1, (size_t)(e - open - 2));
	for (char *tok = strtok(archs, ","); tok; tok = strtok(NULL, ","))
		x86 |= !strcmp(tok, "X86");
	free(archs);
	while (open > b && isspace((unsigned char)open[-1]))
		open--;
	param = strndup(b, (size_t)(open - b));
	if (!x86) {
		free(param);
		return;
	}
	if (strchr(param, ' ')) {
		add_skipped(s, xasprintf("%s: a condition, not one switch", param));
		free(param);
		return;
	}
	if (strchr(param, '.')) {
		add_skipped(s, xasprintf("%s: a module's parameter, not the kernel's", param));
		free(param);
		return;
	}
	name = xstrdup(param);
	for (char *p = name; *p; p++)
		if (*p == '=' || *p == ',')
			*p = '-';
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = (struct mit_switch){ .param = param, .name = name };
}

int mit_switches_parse(const char *doc, struct mit_switches *out, char **err)
{
	enum { FIND_PARAM, FIND_OFF, FIND_LIST, IN_LIST, DONE } st = FIND_PARAM;
	const char *line = doc;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	while (line && *line && st != DONE) {
		size_t len = strcspn(line, "\n");
		const char *b, *e;

		trim(line, len, &b, &e);
		switch (st) {
		case FIND_PARAM:
			/* the parameter's own line: "\tmitigations=" */
			if (line[0] == '\t' && line[1] != '\t' &&
			    (size_t)(e - b) == strlen("mitigations=") &&
			    !strncmp(b, "mitigations=", (size_t)(e - b)))
				st = FIND_OFF;
			break;
		case FIND_OFF:
			if (e - b == 3 && !strncmp(b, "off", 3))
				st = FIND_LIST;
			else if (line[0] == '\t' && line[1] != '\t' && b < e)
				st = DONE;	/* the next parameter: no "off" */
			break;
		case FIND_LIST: {
			const char *eq = memmem(b, (size_t)(e - b), "Equivalent to:", 14);

			if (eq) {
				trim(eq + 14, (size_t)(e - eq - 14), &b, &e);
				if (b < e)
					add_entry(out, b, e);
				st = IN_LIST;
			} else if (b == e) {
				st = DONE;
			}
			break;
		}
		case IN_LIST:
			if (b == e)
				st = DONE;
			else
				add_entry(out, b, e);
			break;
		case DONE:
			break;
		}
		line += len + (line[len] == '\n');
	}
	if (!out->n) {
		*err = xstrdup(st == FIND_PARAM ? "no 'mitigations=' parameter in it" :
			       "no x86 switch in the 'Equivalent to:' list of mitigations=off");
		mit_switches_free(out);
		return -1;
	}
	return 0;
}

void mit_switches_free(struct mit_switches *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].param);
		free(s->v[i].name);
	}
	for (size_t i = 0; i < s->nskipped; i++)
		free(s->skipped[i]);
	free(s->v);
	free(s->skipped);
	memset(s, 0, sizeof(*s));
}

/* ---- listings ------------------------------------------------------------- */

int mit_listing_load(const char *path, struct mit_listing *l, size_t *bad_line)
{
	char *text = read_file(path, NULL), *line, *save = NULL;
	size_t lineno = 0;

	memset(l, 0, sizeof(*l));
	*bad_line = 0;
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[5], *p = line;
		struct mit_insn in;
		int nf;

		lineno++;
		for (nf = 0; nf < 5 && p; nf++)
			f[nf] = strsep(&p, "\t");
		if (nf != 5 || p || !*f[1] || !*f[2] || !*f[3] || !*f[4]) {
			*bad_line = lineno;
			free(text);
			mit_listing_free(l);
			errno = EINVAL;
			return -1;
		}
		in.pc = xstrdup(f[1]);
		in.sym = xstrdup(f[2]);
		in.text = xstrdup(f[3]);
		in.stage = xstrdup(f[4]);
		in.func = strndup(f[2], strcspn(f[2], "+"));
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		l->v[l->n++] = in;
	}
	free(text);
	return 0;
}

void mit_listing_free(struct mit_listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].pc);
		free(l->v[i].sym);
		free(l->v[i].text);
		free(l->v[i].stage);
		free(l->v[i].func);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool mit_listing_equal(const struct mit_listing *a, const struct mit_listing *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].pc, b->v[i].pc) || strcmp(a->v[i].text, b->v[i].text))
			return false;
	return true;
}

/* ---- what an instruction is ------------------------------------------------ */

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The function a direct call or jump goes to: "<name+0x..>" in its text. */
static char *target_func(const char *text)
{
	const char *lt = strchr(text, '<');

	if (!lt)
		return NULL;
	lt++;
	return strndup(lt, strcspn(lt, "+>"));
}

static bool is_thunk_name(const char *f)
{
	static const char *const thunks[] = {
		"__x86_indirect_thunk", "__x86_indirect_its_thunk", "__x86_return_thunk",
		"its_return_thunk", "retbleed_return_thunk", "retbleed_untrain_ret",
		"srso_", "zen_untrain_ret", "entry_untrain_ret", "entry_ibpb",
		"__x86_indirect_call_thunk", "__x86_indirect_jump_thunk",
	};

	for (size_t i = 0; i < sizeof(thunks) / sizeof(*thunks); i++)
		if (starts(f, thunks[i]))
			return true;
	return false;
}

/* A call to a later line of its own function (the RSB-filling loop's
 * calls, which never return there: each one's return address is dropped). */
static bool is_stuffing_call(const struct mit_insn *in)
{
	char *t;
	bool same;

	if (!starts(in->text, "call ") || strchr(in->text, '*'))
		return false;
	t = target_func(in->text);
	same = t && !strcmp(t, in->func);
	free(t);
	return same;
}

enum mit_class mit_classify(const struct mit_listing *l, size_t i)
{
	const struct mit_insn *in = &l->v[i];
	const char *t = in->text;
	char *target;
	bool thunk;

	if (strstr(t, ",%cr3") || strstr(t, ",%cr4") || strstr(t, ",%cr0") ||
	    starts(t, "wrmsr"))
		return MC_CR_MSR;
	if (starts(t, "verw"))
		return MC_CLEAR;
	if (starts(t, "lfence") || starts(t, "mfence") || starts(t, "sfence") ||
	    starts(t, "cpuid") || starts(t, "serialize"))
		return MC_FENCE;
	if (is_stuffing_call(in))
		return MC_STUFF;
	/* the stack pointer put back after the stuffing calls */
	if (starts(t, "add ") && strstr(t, ",%rsp") && i > 0 &&
	    is_stuffing_call(&l->v[i - 1]))
		return MC_STUFF;
	if (is_thunk_name(in->func))
		return MC_THUNK;
	if ((starts(t, "call") || starts(t, "jmp")) && strchr(t, '*'))
		return MC_THUNK;
	target = target_func(t);
	thunk = target && (starts(t, "call") || starts(t, "jmp")) && is_thunk_name(target);
	free(target);
	return thunk ? MC_THUNK : MC_ORDINARY;
}

/* ---- the difference ----------------------------------------------------------- */

static bool same_insn(const struct mit_insn *a, const struct mit_insn *b)
{
	return !strcmp(a->pc, b->pc) && !strcmp(a->text, b->text);
}

void mit_diff(const struct mit_listing *base, const struct mit_listing *other,
	      struct mit_diff *d)
{
	size_t n = base->n, m = other->n, i, j;
	/* lcs[i][j]: the common subsequence's length of base[i..] and other[j..] */
	unsigned int *lcs = xcalloc((n + 1) * (m + 1), sizeof(*lcs));

#define LCS(i, j) lcs[(i) * (m + 1) + (j)]
	memset(d, 0, sizeof(*d));
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			LCS(i, j) = same_insn(&base->v[i], &other->v[j]) ?
				    LCS(i + 1, j + 1) + 1 :
				    (LCS(i + 1, j) >= LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1));
	d->removed = xcalloc(n + 1, sizeof(*d->removed));
	d->added = xcalloc(m + 1, sizeof(*d->added));
	for (i = 0, j = 0; i < n || j < m;) {
		if (i < n && j < m && same_insn(&base->v[i], &other->v[j])) {
			i++;
			j++;
		} else if (j == m || (i < n && LCS(i + 1, j) >= LCS(i, j + 1))) {
			d->removed[d->nremoved++] = i++;
		} else {
			d->added[d->nadded++] = j++;
		}
	}
#undef LCS
	free(lcs);
}

void mit_diff_free(struct mit_diff *d)
{
	free(d->removed);
	free(d->added);
	memset(d, 0, sizeof(*d));
}
