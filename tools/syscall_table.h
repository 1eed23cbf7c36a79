/* Reading and extending the kernel's arch/x86/entry/syscalls/syscall_*.tbl. */
#ifndef SYSCALL_TABLE_H
#define SYSCALL_TABLE_H

#include <stddef.h>

struct tbl_entry {
	long nr;
	char abi[16];
	char name[64];
	char entry[128];	/* may be empty: a reserved number */
};

struct tbl {
	struct tbl_entry *v;
	size_t n;
};

/* 1: *e holds an entry; 0: blank or comment; -1: malformed. */
int tbl_parse_line(const char *line, struct tbl_entry *e);

/* Parses a whole table; on a malformed line returns -1 and sets *bad_line
 * (1-based). The caller frees t->v. */
int tbl_parse(const char *text, struct tbl *t, size_t *bad_line);

/* The number a new syscall gets: one above the highest number in use,
 * leaving out x32's legacy range (the x32 ABI's own entries). */
long tbl_next_free(const struct tbl *t);

/* Where a new entry goes in text: just after the line that holds the
 * highest number outside x32's range, so new entries stay in order. */
size_t tbl_insert_offset(const char *text);

/* The number of the entry called name, or -1. */
long tbl_lookup(const struct tbl *t, const char *name);

/* Formats "nr<TAB>abi<TAB>name<TABs>sys_name\n" into buf (size bytes),
 * with compat (if not NULL) as the compat entry after sys_name and tabs.
 * Returns the length, or -1 if it does not fit. */
int tbl_format(char *buf, size_t size, long nr, const char *abi,
	       const char *name, const char *compat);

#endif
