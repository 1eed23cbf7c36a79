/*
 * lab-new-syscall: a new call in the family, scaffolded (make new-syscall).
 *
 *   lab-new-syscall [--compat CARGS] LAB NAME ARGS [TABLE...]
 *
 * Adds "NAME long - ARGS" to LAB/kernel/family.tbl (with --compat, "NAME
 * long compat ARGS | CARGS": 32-bit callers enter compat_sys_NAME, whose
 * arguments are CARGS) and writes, for NAME: its body returning -ENOSYS
 * (kernel/hello/NAME.c, into kernel/hello's Makefile; with --compat also
 * COMPAT_SYSCALL_DEFINEn, -ENOSYS too until written), a manual page stub
 * (docs/man2/NAME.2) and a kselftest through every way in
 * (tests/guest/NAME_test.c), which fails until the body is written; the
 * kselftest, 64-bit and 32-bit, goes into guest/programs.list and the run
 * and test plans; and a line in include/lab/lab_own_calls.h, which gives
 * the call its benchmark rows (every way in, and ksys_NAME() from the
 * module) and the module's check that it answers. Refused in one line,
 * exit status 2, with nothing written: a NAME declared already or in one
 * of the kernel's syscall TABLEs, a name or an argument the declaration
 * refuses (family.h), a file that exists already. Every file is written
 * beside its place first; only when all are written are they renamed
 * into place.
 */
#define _GNU_SOURCE
#include "family.h"
#include "syscall_table.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NFILES 10

struct out {
	char path[NFILES][4096];
	char tmp[NFILES][4200];
	size_t n;
};

__attribute__((format(printf, 1, 2), noreturn))
static void refuse(const char *fmt, ...)
{
	va_list ap;

	fputs("lab-new-syscall: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		refuse("cannot read %s: %s", path, strerror(errno));
	if (getdelim(&buf, &len, '\0', f) < 0 && ferror(f))
		refuse("cannot read %s", path);
	fclose(f);
	return buf ? buf : calloc(1, 1);
}

/* The declaration with NAME's line added, parsed: refused if it cannot be.
 * cargs: the compat entry's arguments, or NULL for none. */
static char *declare(const char *path, const char *name, const char *args,
		     const char *cargs, struct family *f)
{
	char *old = slurp(path), *text, err[512];
	size_t len = strlen(old);
	FILE *null;

	if (asprintf(&text, "%s%s%s\tlong\t%s\t%s%s%s\n", old,
		     len && old[len - 1] != '\n' ? "\n" : "", name,
		     cargs ? "compat" : "-", *args ? args : "void",
		     cargs ? " | " : "", cargs ? (*cargs ? cargs : "void") : "") < 0)
		refuse("out of memory");
	free(old);
	if (!fam_is_ident(name))
		refuse("'%s' is not a C identifier", name);
	if (fam_parse(path, text, f, err, sizeof(err)))
		refuse("%s", err);
	null = fopen("/dev/null", "w");
	if (!null || fam_write(null, f, "wrappers"))
		exit(2);
	fclose(null);
	return text;
}

/* Refused if a kernel table has a call NAME. */
static void not_in_table(const char *path, const char *name)
{
	char *text = slurp(path);
	struct tbl t;
	size_t bad = 0;

	if (tbl_parse(text, &t, &bad))
		refuse("%s:%zu: not a syscall table line", path, bad);
	if (tbl_lookup(&t, name) >= 0)
		refuse("the kernel already has a system call '%s' (%s)", name, path);
	free(t.v);
	free(text);
}

static void discard(const struct out *o)
{
	for (size_t i = 0; i < o->n; i++)
		remove(o->tmp[i]);
}

/* A new file of o at LAB/rel, opened beside its place; it must not exist
 * unless replace. */
static FILE *create(struct out *o, const char *lab, const char *rel, int replace)
{
	struct stat st;
	FILE *f;
	size_t i = o->n++;

	snprintf(o->path[i], sizeof(o->path[i]), "%s/%s", lab, rel);
	snprintf(o->tmp[i], sizeof(o->tmp[i]), "%s/%s.new-syscall-tmp", lab, rel);
	if (!replace && !stat(o->path[i], &st)) {
		discard(o);
		refuse("%s exists already", o->path[i]);
	}
	f = fopen(o->tmp[i], "w");
	if (!f) {
		discard(o);
		refuse("cannot write %s: %s", o->tmp[i], strerror(errno));
	}
	return f;
}

static void finish(struct out *o, FILE *f)
{
	if (fclose(f)) {
		discard(o);
		refuse("cannot write %s", o->tmp[o->n - 1]);
	}
}

/* as, a call's arguments: as C declares them (how 'k'), as
 * SYSCALL_DEFINEn() takes them (", TYPE, NAME" each: 'd'), or their names
 * ('n'). */
static void args(FILE *f, const struct fam_args *as, char how)
{
	for (size_t i = 0; i < as->n; i++) {
		const struct fam_arg *a = &as->v[i];

		if (how == 'n')
			fprintf(f, "%s%s", i ? ", " : "", a->name);
		else if (how == 'd')
			fprintf(f, ", %s%s%.*s, %s", a->type, a->stars ? " " : "",
				a->stars, "******", a->name);
		else
			fprintf(f, "%s%s %.*s%s", i ? ", " : "", a->type, a->stars,
				"******", a->name);
	}
	if (!as->n && how == 'k')
		fputs("void", f);
}

static void body(FILE *f, const struct fam_call *c)
{
	fprintf(f, "// SPDX-License-Identifier: GPL-2.0-only\n"
		"/*\n * %s(): a new call of the lab's family (make new-syscall): not\n"
		" * written yet, so it answers ENOSYS.\n */\n%s"
		"#include <linux/errno.h>\n#include <linux/export.h>\n"
		"#include <linux/syscalls.h>\n\nlong ksys_%s(", c->name,
		c->compat ? "#include <linux/compat.h>\n" : "", c->name);
	args(f, &c->args, 'k');
	fprintf(f, ")\n{\n\treturn -ENOSYS;\n}\nEXPORT_SYMBOL_NS_GPL(ksys_%s, LAB_SYSCALLS);\n\n"
		"SYSCALL_DEFINE%zu(%s", c->name, c->args.n, c->name);
	args(f, &c->args, 'd');
	fprintf(f, ")\n{\n\treturn ksys_%s(", c->name);
	args(f, &c->args, 'n');
	fputs(");\n}\n", f);
	if (!c->compat)
		return;
	fprintf(f, "\n#ifdef CONFIG_COMPAT\n/*\n"
		" * The entry of 32-bit callers (i386, AArch32): read their layout\n"
		" * (compat_ptr() for an address), run the same body as ksys_%s(),\n"
		" * write back in their layout. kernel/hello/sysinfo.c shows how.\n"
		" */\nCOMPAT_SYSCALL_DEFINE%zu(%s", c->name, c->cargs.n, c->name);
	args(f, &c->cargs, 'd');
	fputs(")\n{\n\treturn -ENOSYS;\n}\n#endif\n", f);
}

/* The manual page: every section test_man.sh asks for, in order. */
static void man_page(FILE *f, const struct fam_call *c)
{
	static const char *const sections[] = {
		"RETURN VALUE", "ERRORS", "VERSIONS", "STANDARDS", "NOTES",
		"EXAMPLES",
	};

	fprintf(f, ".\\\" SPDX-License-Identifier: GPL-2.0-only\n"
		".\\\" The syscall lab: %s(2).\n"
		".TH %s 2 2026-12-07 \"syscall lab (Linux 6.12, 6.1)\" \"System Calls Manual\"\n"
		".SH NAME\n%s \\- not written yet\n.SH SYNOPSIS\n.nf\n"
		".BR \"#include <asm/unistd.h>\" \"  /* Definition of \" __NR_%s \" */\"\n"
		".B #include <unistd.h>\n.P\n.BI \"long syscall(__NR_%s",
		c->name, c->name, c->name, c->name, c->name);
	for (size_t i = 0; i < c->args.n; i++)
		fprintf(f, ", %s %.*s\" %s \"", c->args.v[i].type,
			c->args.v[i].stars, "******", c->args.v[i].name);
	fprintf(f, ");\"\n.fi\n.SH DESCRIPTION\n.BR %s ()\nis scaffolded:\n"
		"it answers\n.B ENOSYS\nuntil its body is written.\n", c->name);
	for (size_t i = 0; i < sizeof(sections) / sizeof(*sections); i++)
		fprintf(f, ".SH %s%s%s\nTo be written.\n", i ? "" : "\"",
			sections[i], i ? "" : "\"");
	fputs(".SH \"SEE ALSO\"\n.BR syscall (2)\n", f);
}

/* The kselftest: the call through every way in (lab_test.h's variants). */
static void selftest(FILE *f, const struct fam_call *c)
{
	const char *m = strncmp(c->name, "lab_", 4) ? c->name : c->name + 4;

	fprintf(f, "// SPDX-License-Identifier: GPL-2.0-only\n"
		"/* %s(), through every way into the kernel (make new-syscall). */\n"
		"#define _GNU_SOURCE\n#include \"kselftest_harness.h\"\n"
		"#include \"lab_test.h\"\n\nLAB_DEFINE_MECHS()\n\n"
		"FIXTURE(%s) {\n\tint unused;\n};\n\n"
		"FIXTURE_VARIANT(%s) {\n\tconst struct lab_mech *m;\n};\n\n"
		"LAB_MECH_VARIANTS(%s)\n\nFIXTURE_SETUP(%s)\n{\n}\n\n"
		"FIXTURE_TEARDOWN(%s)\n{\n}\n\n"
		"/*\n * Wired and written: every way in reaches a body that answers\n"
		" * (ENOSYS is what the scaffold's body and a missing entry say).\n"
		" * Then check what it answers.\n */\nTEST_F(%s, answers)\n{\n"
		"\tlong r = variant->m->%s(",
		c->name, c->name, c->name, c->name, c->name, c->name, c->name, m);
	for (size_t i = 0; i < c->args.n; i++)
		fputs(i ? ", 0" : "0", f);
	fprintf(f, ");\n\n\tTH_LOG(\"%s() through %%s: %%ld\", variant->m->name, r);\n"
		"\tEXPECT_NE(-ENOSYS, r);\n}\n\nTEST_HARNESS_MAIN\n", c->name);
}

/* The line of lab_own_calls.h: zeros, NULL for a pointer. */
static void own_call(char *line, size_t size, const struct fam_call *c)
{
	size_t n = snprintf(line, size, "LAB_OWN_CALL(%s, (", c->name);

	for (size_t i = 0; i < c->args.n && n < size; i++)
		n += snprintf(line + n, size - n, "%s%s", i ? ", " : "",
			      c->args.v[i].stars ? "NULL" : "0");
	if (n < size)
		snprintf(line + n, size - n, "))");
}

/* LAB/rel again, with line added at its end. */
static void append(struct out *o, const char *lab, const char *rel, const char *line)
{
	char path[4096], *old;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", lab, rel);
	old = slurp(path);
	len = strlen(old);
	f = create(o, lab, rel, 1);
	fprintf(f, "%s%s%s\n", old, len && old[len - 1] != '\n' ? "\n" : "", line);
	finish(o, f);
	free(old);
}

/* The kselftest, 64-bit and 32-bit, in the programs' table and the plans
 * (their columns as the files align them). */
static void programs(struct out *o, const char *lab, const char *name)
{
	char t64[256], t32[256], line[2048];

	snprintf(t64, sizeof(t64), "%s_test", name);
	snprintf(t32, sizeof(t32), "%s_test32", name);
	snprintf(line, sizeof(line), "%-18s x86_64,arm64   run,test               tests/guest/%s.c\n"
		 "%-18s x86_64,arm64   run,test               tests/guest/%s.c",
		 t64, t64, t32, t64);
	append(o, lab, "guest/programs.list", line);
	snprintf(line, sizeof(line), "%-18s exec /lab/bin/%s\n%-18s exec /lab/bin/%s",
		 t64, t64, t32, t32);
	append(o, lab, "guest/plans/run", line);
	append(o, lab, "guest/plans/test", line);
}

/* Its rows and check (lab_own_calls.h). */
static void own(struct out *o, const char *lab, const struct fam_call *c)
{
	char line[1024];

	own_call(line, sizeof(line), c);
	append(o, lab, "include/lab/lab_own_calls.h", line);
}

int main(int argc, char **argv)
{
	static struct out o;
	struct family f;
	char rel[512], *decl, *mk;
	const struct fam_call *c;
	const char *cargs = NULL;
	FILE *out;

	if (argc > 2 && !strcmp(argv[1], "--compat")) {
		cargs = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 4)
		refuse("usage: lab-new-syscall [--compat CARGS] LAB NAME ARGS [TABLE...]");
	snprintf(rel, sizeof(rel), "%s/kernel/family.tbl", argv[1]);
	decl = declare(rel, argv[2], argv[3], cargs, &f);
	for (int i = 4; i < argc; i++)
		not_in_table(argv[i], argv[2]);
	c = &f.v[f.n - 1];
	for (int i = 0; i < 3; i++) {
		struct stat st;

		snprintf(rel, sizeof(rel), i == 0 ? "%s/kernel/hello/%s.c" :
			 i == 1 ? "%s/docs/man2/%s.2" : "%s/tests/guest/%s_test.c",
			 argv[1], c->name);
		if (!stat(rel, &st))
			refuse("%s exists already", rel);
	}
	snprintf(rel, sizeof(rel), "%s/kernel/hello/Makefile", argv[1]);
	mk = slurp(rel);
	snprintf(rel, sizeof(rel), "kernel/hello/%s.c", c->name);
	body(out = create(&o, argv[1], rel, 0), c);
	finish(&o, out);
	snprintf(rel, sizeof(rel), "docs/man2/%s.2", c->name);
	man_page(out = create(&o, argv[1], rel, 0), c);
	finish(&o, out);
	snprintf(rel, sizeof(rel), "tests/guest/%s_test.c", c->name);
	selftest(out = create(&o, argv[1], rel, 0), c);
	finish(&o, out);
	programs(&o, argv[1], c->name);
	own(&o, argv[1], c);
	out = create(&o, argv[1], "kernel/hello/Makefile", 1);
	fprintf(out, "%sobj-$(CONFIG_LAB_SYSCALLS) += %s.o\n", mk, c->name);
	finish(&o, out);
	fputs(decl, out = create(&o, argv[1], "kernel/family.tbl", 1));
	finish(&o, out);
	for (size_t i = 0; i < o.n; i++)
		if (rename(o.tmp[i], o.path[i])) {
			discard(&o);
			refuse("cannot rename %s: %s", o.tmp[i], strerror(errno));
		}
	printf("%s: declared in kernel/family.tbl; kernel/hello/%s.c, docs/man2/%s.2, tests/guest/%s_test.c written; %s_test and %s_test32 in guest/programs.list and the run and test plans; its benchmark rows and module check in include/lab/lab_own_calls.h\n",
	       c->name, c->name, c->name, c->name, c->name, c->name);
	free(decl);
	free(mk);
	free(f.v);
	return 0;
}
