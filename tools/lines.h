/*
 * A text file as its lines, the way awk reads one: split at each '\n'
 * (a last line without one is still a line), written back with a '\n'
 * after every line.
 */
#ifndef LINES_H
#define LINES_H

#include <stddef.h>

struct lines {
	char **v;
	size_t n;
};

/* text's lines into *l (empty before): 0, or -1 (out of memory). */
int lines_split(const char *text, struct lines *l);

/* The file at path as lines: 0, or -1 with errno. */
int lines_read(const char *path, struct lines *l);

/* l as one string, each line ending '\n'; NULL if out of memory. */
char *lines_join(const struct lines *l);

/* l written over the file at path (through a link, as "cat >" does):
 * 0, or -1 with errno. */
int lines_write(const char *path, const struct lines *l);

/* Copies of add's n lines put before line at (at == l->n: at the end):
 * 0, or -1 (out of memory). */
int lines_insert(struct lines *l, size_t at, char *const *add, size_t n);

/* Takes out lines from..to-1. */
void lines_remove(struct lines *l, size_t from, size_t to);

/* Line i replaced by a copy of s: 0, or -1 (out of memory). */
int lines_set(struct lines *l, size_t i, const char *s);

/* Line i made its first keep characters and then tail: 0, or -1 (out
 * of memory). */
int lines_retail(struct lines *l, size_t i, size_t keep, const char *tail);

/* The first line at or after from that the extended regular expression
 * ere matches (as grep -E does), or -1 (none, or ere is not one). */
long lines_find(const struct lines *l, const char *ere, size_t from);

/* 1 if ere matches s (as grep -E would the line s), else 0. */
int line_matches(const char *s, const char *ere);

/* The first line at or after from equal to s, or -1. */
long lines_index(const struct lines *l, const char *s, size_t from);

void lines_free(struct lines *l);

#endif
