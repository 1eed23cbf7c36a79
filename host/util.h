/*
 * util.h: what every part of the host tool shares: messages and failure,
 * files read whole, files written whole (to a temporary name, then
 * renamed: never half-written), directories, growable text.
 */
#ifndef LAB_UTIL_H
#define LAB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* "lab: error: ..." on stderr, exit 1. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* "==> ..." on stderr. */
__attribute__((format(printf, 1, 2))) void say(const char *fmt, ...);
/* A malloc'd string; dies when out of memory. */
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);
__attribute__((format(printf, 1, 0))) char *xvasprintf(const char *fmt, va_list ap);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

/* The whole file, NUL-terminated (its length in *len if len); NULL with
 * errno set when it cannot be read. */
char *read_file(const char *path, size_t *len);
bool file_exists(const char *path);

/* A file written under PATH.lab-tmp and renamed to PATH on commit; on
 * abort (or an error) the temporary is removed and PATH is untouched. */
struct out_file {
	FILE *f;
	char *path, *tmp;
};
int out_open(struct out_file *o, const char *path);
int out_commit(struct out_file *o);	/* 0, or -1 (the file is removed) */
void out_abort(struct out_file *o);
/* The whole of data into path, atomically; dies on failure. */
void write_file(const char *path, const char *data, size_t len);

int mkdir_p(const char *path);
int rm_rf(const char *path);

/* Growable text. */
struct strbuf {
	char *s;
	size_t len, cap;
};
void sb_add(struct strbuf *b, const char *s, size_t n);
__attribute__((format(printf, 2, 3))) void sb_printf(struct strbuf *b, const char *fmt, ...);
void sb_free(struct strbuf *b);

/* CLOCK_MONOTONIC in milliseconds. */
long long now_ms(void);

/*
 * A checked-in file of the lab (trace/lab_trace.py, report/bars.gp), by its
 * path from the lab's top: under LAB_SRCDIR if the build defines it, else
 * the current directory (make runs at the top), else three levels above
 * the running program (BUILD/tools/lab). A malloc'd path (absolute when
 * found in the current directory), or NULL if it is in none of them.
 */
char *lab_path(const char *rel);

#endif
