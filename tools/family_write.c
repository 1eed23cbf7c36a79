/* The fragments written from the family's declaration (family.h). */
#include "family.h"

#include <string.h>

/*
 * Prototypes are wrapped as the hand-written fragments were: each argument
 * on the line before if the line stays within 76 columns (tabs of 8),
 * continuation lines aligned under the first argument.
 */
#define FAM_WRAP 76

/* Argument a as "TYPE *NAME"; without __user for user space. */
static void arg_text(char *buf, size_t size, const struct fam_arg *a, int user)
{
	char type[sizeof(a->type)], *u;

	strcpy(type, a->type);
	if (user) {
		while ((u = strstr(type, "__user")))
			memmove(u > type ? u - 1 : u, u + 6, strlen(u + 6) + 1);
	}
	snprintf(buf, size, "%s %.*s%s", type, a->stars, "******", a->name);
}

#define TABS "\t\t\t\t\t\t\t\t\t\t"

/* An argument list's items: "TYPE NAME" (user: without __user), or with
 * names_only the names alone; "void" for none unless names_only. */
typedef char fam_item[192];
static size_t items_of(fam_item *items, const struct fam_args *as, int user,
		       int names_only)
{
	for (size_t i = 0; i < as->n; i++) {
		if (names_only)
			snprintf(items[i], sizeof(*items), "%s", as->v[i].name);
		else
			arg_text(items[i], sizeof(*items), &as->v[i], user);
	}
	if (as->n || names_only)
		return as->n;
	strcpy(items[0], "void");
	return 1;
}

/*
 * lead tabs, head, the n items separated by commas and filled in to
 * FAM_WRAP columns (continuation lines aligned under the first item),
 * close; in a macro (macro) each line but the last ends " \".
 */
static void fill(FILE *out, int lead, const char *head, const fam_item *items,
		 size_t n, const char *close, int macro)
{
	size_t indent = (size_t)lead * 8 + strlen(head), col = indent;

	fprintf(out, "%.*s%s", lead, TABS, head);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(items[i]) + (i + 1 < n ? 1 : strlen(close));

		if (i && col + 1 + len > FAM_WRAP) {
			fprintf(out, "%s\n%.*s%*s", macro ? " \\" : "",
				(int)(indent / 8), TABS, (int)(indent % 8), "");
			col = indent;
		} else if (i) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%s%s", items[i], i + 1 < n ? "," : "");
		col += len;
	}
	fputs(close, out);
}

/* head, then the kernel's arguments filled in, then ");". */
static void prototype(FILE *out, const char *head, const struct fam_args *as)
{
	fam_item items[FAM_MAX_ARGS];

	fill(out, 0, head, items, items_of(items, as, 0, 0), ");", 0);
	fputc('\n', out);
}

/* The struct or union an argument points to ("struct NAME"), or NULL. */
static const char *aggregate(const struct fam_arg *a, char *buf, size_t size)
{
	const char *s = strstr(a->type, "struct ");

	if (!s)
		s = strstr(a->type, "union ");
	if (!s)
		return NULL;
	snprintf(buf, size, "%.*s", (int)strcspn(strchr(s, ' ') + 1, " ") +
		 (int)(strchr(s, ' ') + 1 - s), s);
	return buf;
}

/* "struct NAME;" for each struct or union the arguments (compat: the
 * compat entries') point to, each once, in order. */
static void forward_declarations(FILE *out, const struct family *f, int compat)
{
	char seen[64][96];
	size_t nseen = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct fam_args *as = compat ? &f->v[i].cargs : &f->v[i].args;

		if (compat && !f->v[i].compat)
			continue;
		for (size_t j = 0; j < as->n; j++) {
			char buf[96];
			size_t k = 0;

			if (!aggregate(&as->v[j], buf, sizeof(buf)))
				continue;
			while (k < nseen && strcmp(seen[k], buf))
				k++;
			if (k < nseen || nseen == 64)
				continue;
			strcpy(seen[nseen++], buf);
			fprintf(out, "%s;\n", buf);
		}
	}
}

static int has_compat(const struct family *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].compat)
			return 1;
	return 0;
}

/* The sys_*(), ksys_*() or compat_sys_*() prototypes (kind). */
static void prototypes(FILE *out, const struct family *f, const char *kind)
{
	int compat = !strcmp(kind, "compat_sys"), sys = !strcmp(kind, "sys");

	if (compat && !has_compat(f))
		return;
	fprintf(out, "/* the syscall lab: hello/hello.c, %s */\n",
		compat ? "the compat entries" :
		sys ? "the system calls" : "for in-kernel callers");
	if (compat)
		forward_declarations(out, f, 1);
	for (size_t i = 0; i < f->n; i++) {
		const struct fam_call *c = &f->v[i];
		char head[160];

		if (compat && !c->compat)
			continue;
		snprintf(head, sizeof(head), "%s%s %s_%s(",
			 compat || sys ? "asmlinkage " : "", c->ret, kind,
			 c->name);
		prototype(out, head, compat ? &c->cargs : &c->args);
	}
	if (compat || sys)
		fputc('\n', out);
}

static void cond_syscalls(FILE *out, const struct family *f)
{
	fputs("\n/* the syscall lab: hello/hello.c, compiled out with CONFIG_LAB_SYSCALLS=n */\n",
	      out);
	for (size_t i = 0; i < f->n; i++) {
		fprintf(out, "COND_SYSCALL(%s);\n", f->v[i].name);
		if (f->v[i].compat)
			fprintf(out, "COND_SYSCALL_COMPAT(%s);\n", f->v[i].name);
	}
}

/* The names, one a line (how = 'n'), as lab-tbl's NAME[=COMPAT_ENTRY] for
 * a compat table ('c'), or on one line for make and the shell ('w'). */
static void names(FILE *out, const struct family *f, int how)
{
	for (size_t i = 0; i < f->n; i++) {
		fputs(f->v[i].name, out);
		if (how == 'c' && f->v[i].compat)
			fprintf(out, "=compat_sys_%s", f->v[i].name);
		fputc(how == 'w' && i + 1 < f->n ? ' ' : '\n', out);
	}
}

static void c_header_open(FILE *out, const char *guard)
{
	fprintf(out, "/* SPDX-License-Identifier: GPL-2.0 */\n"
		"/* Generated from kernel/family.tbl by lab-tbl --family: do not edit. */\n"
		"#ifndef %s\n#define %s\n\n", guard, guard);
}

/* The names as C strings, for the module's and the host's checks. */
/* LAB_FAMILY_EACH(X): X(name) for each call, in number order. */
static void each(FILE *out, const struct family *f)
{
	fputs("\n/* X(name) for each call, in the order the tables number them. */\n"
	      "#define LAB_FAMILY_EACH(X)", out);
	for (size_t i = 0; i < f->n; i++)
		fprintf(out, " \\\n\tX(%s)", f->v[i].name);
	fputc('\n', out);
}

/* LAB_FAMILY_NRS(prefix): the calls' numbers, prefix##NAME each, and
 * LAB_FAMILY_STRINGS, their names, in number order, as initializers. */
static void numbers(FILE *out, const struct family *f)
{
	fputs("\n/* The calls' numbers (LAB_NR64_, LAB_NR32_) and names, in number order. */\n"
	      "#define LAB_FAMILY_NRS(prefix) {", out);
	for (size_t i = 0; i < f->n; i++)
		fprintf(out, "%s \\\n\tprefix##%s", i ? "," : "", f->v[i].name);
	fputs(" \\\n}\n#define LAB_FAMILY_STRINGS {", out);
	for (size_t i = 0; i < f->n; i++)
		fprintf(out, "%s \\\n\t\"%s\"", i ? "," : "", f->v[i].name);
	fputs(" \\\n}\n", out);
}

static void c_names(FILE *out, const struct family *f)
{
	c_header_open(out, "LAB_FAMILY_H");
	fputs("/* The family's names, in the order the tables number them. */\n"
	      "#define LAB_FAMILY_NAMES", out);
	for (size_t i = 0; i < f->n; i++)
		fprintf(out, " \\\n\t\"%s\"%s", f->v[i].name, i + 1 < f->n ? "," : "");
	fprintf(out, "\n#define LAB_FAMILY_SIZE %zu\n", f->n);
	each(out, f);
	fputs("\n#endif\n", out);
}

/* NAME without the family's "lab_": its member of the tests' struct lab_mech. */
static const char *short_name(const char *name)
{
	return strncmp(name, "lab_", 4) ? name : name + 4;
}

/*
 * What tests/guest/lab_test.h's struct lab_mech has per call: its
 * members (LAB_MECH_CALLS), the functions each way in fills them with,
 * giving the kernel's own answer (LAB_ADAPT_CALLS), the initializers
 * (LAB_MECH_CALLS_INIT).
 */
static void test_adapters(FILE *out, const struct family *f)
{
	fam_item items[FAM_MAX_ARGS];
	char head[160];

	fputs("\n/* struct lab_mech's members (tests/guest/lab_test.h), without \"lab_\". */\n"
	      "#define LAB_MECH_CALLS \\\n", out);
	for (size_t i = 0; i < f->n; i++) {
		const struct fam_call *c = &f->v[i];

		snprintf(head, sizeof(head), "%s (*%s)(", c->ret, short_name(c->name));
		fill(out, 1, head, items, items_of(items, &c->args, 1, 0), ");", 1);
		fputs(i + 1 < f->n ? " \\\n" : "\n", out);
	}
	fputs("#define LAB_ADAPT_CALLS(mech, conv) \\\n", out);
	for (size_t i = 0; i < f->n; i++) {
		const struct fam_call *c = &f->v[i];

		snprintf(head, sizeof(head), "static %s mech##_%s(", c->ret, short_name(c->name));
		fill(out, 1, head, items, items_of(items, &c->args, 1, 0), ")", 1);
		fputs(" \\\n\t{ \\\n", out);
		snprintf(head, sizeof(head), "return lab_answer_##conv(lab_##mech##_%s(", c->name);
		fill(out, 2, head, items, items_of(items, &c->args, 1, 1), "));", 1);
		fprintf(out, " \\\n\t}%s\n", i + 1 < f->n ? " \\" : "");
	}
	fputs("#define LAB_MECH_CALLS_INIT(mech)", out);
	for (size_t i = 0; i < f->n; i++)
		fprintf(out, " \\\n\t.%s = mech##_%s,", short_name(f->v[i].name),
			short_name(f->v[i].name));
	fputc('\n', out);
}

/* One wrapper per call for a way in: lab_MECH_NAME(args), its number
 * nr(NAME), the arguments as longs, the unused ones 0, through
 * lab_MECH_call() (four) or, for five or six, lab_MECH_call6(). */
static int wrappers(FILE *out, const struct family *f)
{
	fam_item items[FAM_MAX_ARGS + 1];
	char head[160];

	c_header_open(out, "LAB_SYSCALL_WRAPPERS_H");
	fputs("/* The structures the calls point to (<linux/lab_syscalls.h> defines them). */\n", out);
	forward_declarations(out, f, 0);
	fputs("\n/* One typed wrapper per system call for a way in (mech) and its numbers. */\n"
	      "#define LAB_DEFINE_WRAPPERS(mech, nr) \\\n", out);
	for (size_t i = 0; i < f->n; i++) {
		const struct fam_call *c = &f->v[i];
		size_t slots = c->args.n > 4 ? 6 : 4;

		snprintf(head, sizeof(head), "static inline %s lab_##mech##_%s(", c->ret, c->name);
		fill(out, 1, head, items, items_of(items, &c->args, 1, 0), ")", 1);
		fputs(" \\\n\t{ \\\n", out);
		snprintf(items[0], sizeof(*items), "nr(%s)", c->name);
		for (size_t j = 0; j < slots; j++) {
			if (j < c->args.n)
				snprintf(items[j + 1], sizeof(*items), "(long)%s", c->args.v[j].name);
			else
				strcpy(items[j + 1], "0");
		}
		fill(out, 2, slots == 6 ? "return lab_##mech##_call6(" : "return lab_##mech##_call(",
		     items, slots + 1, ");", 1);
		fprintf(out, " \\\n\t}%s\n", i + 1 < f->n ? " \\" : "");
	}
	test_adapters(out, f);
	numbers(out, f);
	fputs("\n#endif\n", out);
	return 0;
}

static const struct {
	const char *name, *what;
} fragments[] = {
	{ "names", "the names, one a line, in the order the tables number them" },
	{ "compat-names", "the same as lab-tbl's NAME[=COMPAT_ENTRY], for the compat tables" },
	{ "words", "the names on one line" },
	{ "sys", "include/linux/syscalls.h's sys_*() prototypes" },
	{ "ksys", "include/linux/syscalls.h's ksys_*() prototypes" },
	{ "compat-sys", "include/linux/compat.h's compat_sys_*() prototypes (none: nothing)" },
	{ "structs", "the forward declarations the sys_*() prototypes need" },
	{ "cond", "kernel/sys_ni.c's COND_SYSCALL()s and COND_SYSCALL_COMPAT()s" },
	{ "make", "lab_family.mk: the names as make's LAB_SYSCALLS (the in-tree selftests)" },
	{ "c-names", "lab_family.h: the names as C strings (module, host)" },
	{ "wrappers", "lab_syscall_wrappers.h: user space's LAB_DEFINE_WRAPPERS(), the tests' LAB_ADAPT_CALLS()" },
};

void fam_list(FILE *out)
{
	for (size_t i = 0; i < sizeof(fragments) / sizeof(*fragments); i++)
		fprintf(out, "  %-13s %s\n", fragments[i].name, fragments[i].what);
}

int fam_write(FILE *out, const struct family *f, const char *what)
{
	if (!strcmp(what, "names") || !strcmp(what, "compat-names") ||
	    !strcmp(what, "words"))
		names(out, f, what[0] == 'c' ? 'c' : what[0] == 'w' ? 'w' : 'n');
	else if (!strcmp(what, "sys") || !strcmp(what, "ksys"))
		prototypes(out, f, what);
	else if (!strcmp(what, "compat-sys"))
		prototypes(out, f, "compat_sys");
	else if (!strcmp(what, "structs"))
		forward_declarations(out, f, 0);
	else if (!strcmp(what, "cond"))
		cond_syscalls(out, f);
	else if (!strcmp(what, "make")) {
		fputs("# SPDX-License-Identifier: GPL-2.0\n"
		      "# Generated from the lab's kernel/family.tbl: the family's names.\n"
		      "LAB_SYSCALLS := ", out);
		names(out, f, 'w');
	} else if (!strcmp(what, "c-names"))
		c_names(out, f);
	else if (!strcmp(what, "wrappers"))
		return wrappers(out, f);
	else {
		fprintf(stderr, "lab-tbl: --family: unknown fragment '%s'; the fragments:\n", what);
		fam_list(stderr);
		return -1;
	}
	return 0;
}
