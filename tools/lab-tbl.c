/*
 * lab-tbl: gives the lab's system calls numbers in an x86 syscall table.
 *
 *   lab-tbl TABLE ABI NAME[=COMPAT_ENTRY]...
 *   lab-tbl --family DECLARATION FRAGMENT
 *   lab-tbl --edit EDIT ARGS...
 *
 * Each NAME already in TABLE keeps its number; each one missing is
 * appended with the next free number (and COMPAT_ENTRY, if given, in the
 * compat column). Prints "NAME NUMBER" per name. The file is rewritten
 * (atomically) only when something was added, so a second run changes
 * nothing, not even the file's time stamp.
 *
 * With --family, prints FRAGMENT of the family's declaration
 * (kernel/family.tbl): the names in number order, the kernel's
 * prototypes and COND_SYSCALL()s, user space's wrappers (family.h).
 *
 * With --edit, makes one of scripts/patch-kernel.sh's edits of a kernel
 * tree's files (kedit_tree.h): the fragments put in at their anchors, the
 * generic numbers, the wiring into the build.
 */
#include "family.h"
#include "kedit_tree.h"
#include "syscall_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap + 65536);
			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The table at path, read and parsed; 0, or 1 with why on stderr. */
static int load_table(const char *path, char **text, size_t *len, struct tbl *t)
{
	size_t bad = 0;

	*text = read_file(path, len);
	if (!*text) {
		fprintf(stderr, "lab-tbl: cannot read %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	if (tbl_parse(*text, t, &bad)) {
		fprintf(stderr, "lab-tbl: %s:%zu: not a syscall table line\n",
			path, bad);
		return 1;
	}
	if (t->n == 0) {
		fprintf(stderr, "lab-tbl: %s: no syscall entries\n", path);
		return 1;
	}
	return 0;
}

/* The lines to add (in add, addlen of them so far): one per name not in t. */
struct additions {
	char text[4096];
	size_t len;
	int added;
};

/* name's number in t, given the next free one if it has none; -1 on error. */
static long number_of(struct tbl *t, const char *abi, const char *name,
		      const char *compat, struct additions *a)
{
	long nr = tbl_lookup(t, name);
	struct tbl_entry e = { .nr = tbl_next_free(t) };
	struct tbl_entry *v;
	int n;

	if (nr >= 0)
		return nr;
	if (strlen(name) >= sizeof(e.name) ||
	    (n = tbl_format(a->text + a->len, sizeof(a->text) - a->len,
			    e.nr, abi, name, compat)) < 0) {
		fprintf(stderr, "lab-tbl: name too long: %s\n", name);
		return -1;
	}
	a->len += (size_t)n;
	snprintf(e.abi, sizeof(e.abi), "%s", abi);
	snprintf(e.name, sizeof(e.name), "%s", name);
	v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v) {
		fprintf(stderr, "lab-tbl: out of memory\n");
		return -1;
	}
	t->v = v;
	t->v[t->n++] = e;
	a->added = 1;
	return e.nr;
}

/* text with the additions at offset at, written to a temporary name and renamed. */
static int write_table(const char *path, const char *text, size_t len, size_t at,
		       const struct additions *a)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.lab-tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "lab-tbl: path too long\n");
		return 1;
	}
	f = fopen(tmp, "wb");
	if (!f || fwrite(text, 1, at, f) != at ||
	    fwrite(a->text, 1, a->len, f) != a->len ||
	    fwrite(text + at, 1, len - at, f) != len - at || fclose(f) ||
	    rename(tmp, path)) {
		fprintf(stderr, "lab-tbl: cannot write %s: %s\n", path,
			strerror(errno));
		remove(tmp);
		return 1;
	}
	return 0;
}

/* --family DECLARATION FRAGMENT: 0, 1 (why on stderr), 2 (usage). */
static int family_main(int argc, char **argv)
{
	struct family f;
	char err[512];
	size_t len;
	char *text;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: lab-tbl --family DECLARATION FRAGMENT; the fragments:\n");
		fam_list(stderr);
		return 2;
	}
	text = read_file(argv[2], &len);
	if (!text) {
		fprintf(stderr, "lab-tbl: cannot read %s: %s\n", argv[2],
			strerror(errno));
		return 1;
	}
	rc = fam_parse(argv[2], text, &f, err, sizeof(err));
	if (rc)
		fprintf(stderr, "lab-tbl: %s\n", err);
	else if (strlen(text) != len)
		fprintf(stderr, "lab-tbl: %s: a NUL byte in the file\n", argv[2]), rc = -1;
	else
		rc = fam_write(stdout, &f, argv[3]);
	free(text);
	free(f.v);
	if (!rc && (fflush(stdout) || ferror(stdout))) {
		fprintf(stderr, "lab-tbl: cannot write: %s\n", strerror(errno));
		rc = -1;
	}
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct additions a;
	struct tbl t;
	size_t len, at;
	char *text;

	if (argc > 1 && !strcmp(argv[1], "--family"))
		return family_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--edit"))
		return ked_main(argc - 2, argv + 2);
	if (argc < 4) {
		fprintf(stderr, "usage: lab-tbl TABLE ABI NAME[=COMPAT_ENTRY]...\n"
			"       lab-tbl --family DECLARATION FRAGMENT\n"
			"       lab-tbl --edit EDIT ARGS...\n");
		return 2;
	}
	if (load_table(argv[1], &text, &len, &t))
		return 1;
	/* New lines go after the highest entry outside x32's range. */
	at = tbl_insert_offset(text);
	if (at > 0 && text[at - 1] != '\n')
		a.text[a.len++] = '\n';
	for (int i = 3; i < argc; i++) {
		char *compat = strchr(argv[i], '=');
		long nr;

		if (compat)
			*compat++ = '\0';
		nr = number_of(&t, argv[2], argv[i], compat, &a);
		if (nr < 0)
			return 1;
		printf("%s %ld\n", argv[i], nr);
	}
	if (a.added && write_table(argv[1], text, len, at, &a))
		return 1;
	free(text);
	free(t.v);
	return 0;
}
