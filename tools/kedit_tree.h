/*
 * lab-tbl --edit: the edits of kedit.h made to a kernel tree's files
 * (scripts/patch-kernel.sh's scratch copy of it), each file read, edited
 * and written back; what cannot be done is refused in one line on stderr,
 * "lab-tbl: cannot patch FILE: WHY".
 */
#ifndef KEDIT_TREE_H
#define KEDIT_TREE_H

#include "lines.h"

#include <stdio.h>

/* lab-tbl --edit EDIT ARGS... (argv[0] is EDIT): 0, 1 (refused), 2 (usage). */
int ked_main(int argc, char **argv);

/* The edits' usage, one line each. */
void ked_usage(FILE *out);

/* wire TREE KCONFIG_FRAGMENT (kedit_wire.c): 0, or 1 (refused). */
int ked_wire_main(char **argv);

/* 1, with "lab-tbl: " and fmt's line on stderr. */
int ked_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 if path is a regular file (or a link to one). */
int ked_is_file(const char *path);

/* The file at path into l: 0, or 1 (refused). */
int ked_load(const char *path, struct lines *l);

/* l written over path, and freed: 0, or 1 (refused). */
int ked_save(const char *path, struct lines *l);

#endif
