/*
 * lab-tbl --edit EDIT ARGS... (kedit_tree.h): the edits made to a tree's
 * files, one file each; the wiring, which looks at several, is in
 * kedit_wire.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "kedit_tree.h"
#include "kedit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int ked_refuse(const char *fmt, ...)
{
	va_list ap;

	fputs("lab-tbl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int ked_is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

int ked_load(const char *path, struct lines *l)
{
	if (lines_read(path, l))
		return ked_refuse("cannot read %s: %s", path, strerror(errno));
	return 0;
}

int ked_save(const char *path, struct lines *l)
{
	int rc = 0;

	if (lines_write(path, l))
		rc = ked_refuse("cannot write %s: %s", path, strerror(errno));
	lines_free(l);
	return rc;
}

/* An edit's arguments: FILE [ARG] FRAGMENT [ENTRIES]. */
struct edit {
	const char *file;
	const char *arg;	/* an anchor (an extended regular expression), a macro */
	struct lines frag;	/* the lines to put in, or to number */
	struct lines entries;	/* lab-tbl's NAME[=ENTRY] lines */
};

/* The edits, each on FILE's lines. */
typedef int edit_fn(struct lines *l, struct edit *e, char *why, size_t whysz);

static int before(struct lines *l, struct edit *e, char *why, size_t whysz)
{
	return ked_insert_before(l, e->arg, &e->frag, why, whysz);
}

static int after_block(struct lines *l, struct edit *e, char *why, size_t whysz)
{
	return ked_insert_after_block(l, e->arg, &e->frag, why, whysz);
}

static int declare(struct lines *l, struct edit *e, char *why, size_t whysz)
{
	return ked_declare(l, &e->frag, why, whysz);
}

static int end_block(struct lines *l, struct edit *e, char *why, size_t whysz)
{
	return ked_end_block(l, &e->frag, why, whysz);
}

/* The generic unistd.h: the family numbered from its first number (frag:
 * the names), each "NAME N" on stdout, and __NR_syscalls raised to match. */
static int generic(struct lines *l, struct edit *e, char *why, size_t whysz)
{
	long first = ked_first_number(l);
	struct ked_numbers ns = { .n = e->frag.n };
	int rc;

	if (first < 0)
		return ked_fail(why, whysz, "no line '#define __NR_syscalls N'");
	ns.v = calloc(ns.n + 1, sizeof(*ns.v));
	if (!ns.v)
		return ked_fail(why, whysz, "out of memory");
	for (size_t i = 0; i < ns.n; i++) {
		snprintf(ns.v[i].name, sizeof(ns.v[i].name), "%s", e->frag.v[i]);
		ns.v[i].nr = first + (long)i;
	}
	rc = ked_number_block(l, "^#undef __NR_syscalls", &ns, &e->entries, 1, why, whysz) ||
	     ked_set_count(l, "__NR_syscalls", first + (long)ns.n, why, whysz);
	for (size_t i = 0; !rc && i < ns.n; i++)
		printf("%s %ld\n", ns.v[i].name, ns.v[i].nr);
	free(ns.v);
	return rc ? -1 : 0;
}

/* arm64's asm/unistd32.h (before 6.11): AArch32's numbers (frag: "NAME N"
 * lines), above the comment that asks for new calls there. */
static int unistd32(struct lines *l, struct edit *e, char *why, size_t whysz)
{
	struct ked_numbers ns;
	int rc;

	if (ked_numbers_parse(&e->frag, &ns))
		return ked_fail(why, whysz, "out of memory");
	rc = ked_number_block(l, "^ \\* Please add new compat syscalls above this comment", &ns,
			      &e->entries, 0, why, whysz);
	free(ns.v);
	return rc;
}

/* "#define ARG N", N one above the highest number that FRAGMENT (a file)
 * #defines (asm/unistd.h's count of AArch32's calls, in asm/unistd32.h). */
static int count(struct lines *l, struct edit *e, char *why, size_t whysz)
{
	return ked_set_count(l, e->arg, ked_next_number(&e->frag), why, whysz);
}

/* e's FILE edited by fn (and written, unless fn had nothing to do): 0, or
 * 1 (refused). */
static int edit_file(struct edit *e, edit_fn *fn)
{
	struct lines l;
	char why[512];

	int rc;

	if (ked_load(e->file, &l))
		return 1;
	rc = fn(&l, e, why, sizeof(why));
	if (rc) {
		lines_free(&l);
		return rc < 0 ? ked_refuse("cannot patch %s: %s", e->file, why) : 0;
	}
	return ked_save(e->file, &l);
}

enum { ARG = 1, ENTRIES = 2, IF_THERE = 4 };

static const struct cmd {
	const char *name, *args;
	int argc;
	edit_fn *fn;		/* NULL: wire */
	int flags;		/* ARG, ENTRIES: taken; IF_THERE: FILE may be missing */
} cmds[] = {
	{ "insert-before", "FILE ERE FRAGMENT", 3, before, ARG },
	{ "export-after", "FILE START_ERE FRAGMENT", 3, after_block, ARG | IF_THERE },
	{ "declare", "FILE FRAGMENT", 2, declare, 0 },
	{ "end-block", "FILE FRAGMENT", 2, end_block, 0 },
	{ "generic", "FILE NAMES ENTRIES", 3, generic, ENTRIES },
	{ "unistd32", "FILE NUMBERS ENTRIES", 3, unistd32, ENTRIES },
	{ "count", "FILE MACRO FROM", 3, count, ARG },
	{ "wire", "TREE KCONFIG_FRAGMENT", 2, NULL, 0 },
};

/* c's edit with its arguments argv: 0, or 1 (refused). */
static int run(const struct cmd *c, char **argv)
{
	struct edit e = { .file = argv[0] };
	char **a = argv + 1;
	int rc = 1;

	if ((c->flags & IF_THERE) && !ked_is_file(e.file))
		return 0;
	if (c->flags & ARG)
		e.arg = *a++;
	if (ked_load(*a++, &e.frag))
		return 1;
	if (!(c->flags & ENTRIES) || !ked_load(*a, &e.entries))
		rc = edit_file(&e, c->fn);
	lines_free(&e.frag);
	lines_free(&e.entries);
	return rc;
}

void ked_usage(FILE *out)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %s %s\n", cmds[i].name, cmds[i].args);
}

int ked_main(int argc, char **argv)
{
	for (size_t i = 0; argc > 0 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const struct cmd *c = &cmds[i];

		if (strcmp(argv[0], c->name))
			continue;
		if (argc - 1 != c->argc)
			break;
		return c->fn ? run(c, argv + 1) : ked_wire_main(argv + 1);
	}
	fprintf(stderr, "usage: lab-tbl --edit EDIT ARGS...; the edits:\n");
	ked_usage(stderr);
	return 2;
}
