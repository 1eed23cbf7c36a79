/*
 * The family's declaration (kernel/family.tbl), read strictly, and the
 * fragments written from it: the kernel's prototypes, COND_SYSCALL()s and
 * table entries, user space's wrappers, the lists the checks name.
 */
#ifndef FAMILY_H
#define FAMILY_H

#include <stddef.h>
#include <stdio.h>

#define FAM_MAX_ARGS 6

struct fam_arg {
	char type[96];	/* its words as written, without the stars */
	int stars;	/* how many '*' */
	char name[64];
};

struct fam_args {
	struct fam_arg v[FAM_MAX_ARGS];
	size_t n;
};

struct fam_call {
	char name[64];
	char ret[32];
	int compat;		/* the compat tables call compat_sys_NAME */
	struct fam_args args;
	struct fam_args cargs;	/* the compat entry's: args unless given */
	size_t line;
};

struct family {
	struct fam_call *v;
	size_t n;
};

/*
 * Parses text, the declaration read from path: 0, or -1 with one line
 * "path:N: why" in err (errsz bytes). The caller frees f->v.
 */
int fam_parse(const char *path, const char *text, struct family *f,
	      char *err, size_t errsz);

/* 1 if s is a C identifier. */
int fam_is_ident(const char *s);

/*
 * Writes fragment what of f to out: 0, or -1 (with why on stderr) for a
 * fragment that is not known or cannot be written from f.
 */
int fam_write(FILE *out, const struct family *f, const char *what);

/* The fragments fam_write() knows, one per line, with what each is. */
void fam_list(FILE *out);

#endif
