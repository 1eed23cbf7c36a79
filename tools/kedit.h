/*
 * The edits scripts/patch-kernel.sh makes to a kernel tree's files, each
 * on a file's lines in memory (lines.h). Each returns 0 (done: the file
 * is to be written, as the script's awk wrote it, even if unchanged), 1
 * where said (nothing to do: the file is left alone), or -1 with why it
 * could not in why (whysz bytes): what the file lacks, for "cannot patch
 * FILE: WHY"; out of memory says so.
 */
#ifndef KEDIT_H
#define KEDIT_H

#include "lines.h"

#include <stddef.h>
#include <stdio.h>

/* What names the lab's lines in a tree: "/" "* MARKER: ..." opens its blocks. */
#define KED_MARKER "the syscall lab"

/* -1, with why formatted into why (whysz bytes). */
#define ked_fail(why, whysz, ...) (snprintf((why), (whysz), __VA_ARGS__), -1)

/*
 * frag's lines before the first line that ere matches (before the "/" "*"
 * line that opens it, if it is inside a comment). If l has frag's first
 * line above that, what lies from there to the anchor is an earlier
 * version of frag, and is replaced.
 */
int ked_insert_before(struct lines *l, const char *ere, const struct lines *frag,
		      char *why, size_t whysz);

/*
 * frag's lines after the line ("}" or "};" alone) that closes the
 * definition starting at the first line start matches; 1 (nothing) if no
 * line does, or if l has one of frag's EXPORT_SYMBOL lines already (a frag
 * without any: if l has an empty line).
 */
int ked_insert_after_block(struct lines *l, const char *start, const struct lines *frag,
			   char *why, size_t whysz);

/* Each of frag's lines that l lacks (forward declarations, "struct s;")
 * after the last forward declaration above l's first #include; 1 if l
 * lacks none. */
int ked_declare(struct lines *l, const struct lines *frag, char *why, size_t whysz);

/* frag at the end of l, in place of an earlier version there: from the
 * first line naming KED_MARKER, less the lines frag has above its own. */
int ked_end_block(struct lines *l, const struct lines *frag, char *why, size_t whysz);

/* After the first line ere matches, the n lines add: 1, 0 (no such
 * line), or -1 (out of memory). */
int ked_add_after(struct lines *l, const char *ere, char *const *add, size_t n);

/* The first line ere matches, its trailing blanks replaced by tail:
 * 1, 0 (no such line), or -1 (out of memory). */
int ked_append_to(struct lines *l, const char *ere, const char *tail);

/* "NAME NUMBER" lines (lab-tbl's output), read as awk's $1 and $2. */
struct ked_number {
	char name[64];
	long nr;
};

struct ked_numbers {
	struct ked_number *v;
	size_t n;
};

/* l's lines as numbers: 0, or -1 (out of memory). The caller frees ns->v. */
int ked_numbers_parse(const struct lines *l, struct ked_numbers *ns);

/*
 * The family's "#define __NR_NAME N" and "__SYSCALL(__NR_NAME, sys_NAME)"
 * lines, under a line naming KED_MARKER and above the first line ere
 * matches (above the "/" "*" that opens it, if inside a comment); an
 * earlier version of the block is taken out first. entries: lab-tbl's
 * NAME[=ENTRY] lines, to call ENTRY instead, or with both,
 * "__SC_COMP(__NR_NAME, sys_NAME, ENTRY)" (a table for native and compat
 * tasks).
 */
int ked_number_block(struct lines *l, const char *ere, const struct ked_numbers *ns,
		     const struct lines *entries, int both, char *why, size_t whysz);

/* "#define MACRO N" (each such line's last number made n), checked. */
int ked_set_count(struct lines *l, const char *macro, long n, char *why, size_t whysz);

/* The family's first number in the generic unistd.h: its block's, or
 * __NR_syscalls for a tree without one; -1 if neither is there. */
long ked_first_number(const struct lines *unistd);

/* One above the highest "#define __NR_NAME N" (0 if none). */
long ked_next_number(const struct lines *l);

#endif
