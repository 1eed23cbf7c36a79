/*
 * Tests of untar() (host/untar.c), which unpacks the run directory
 * make test-kvm's L1 sends back: archives made here, header by header, as
 * busybox tar writes them. Every bad archive first (short, one end block,
 * a wrong checksum, not ustar, a size past the end, an absolute name, a
 * "..", a symbolic link), each one line saying why; then the good one,
 * whose files come out as they went in.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "untar.h"
#include "util.h"

/* One entry: a name, a type ('0' a file, '5' a directory, ...), its data. */
struct entry {
	const char *name;
	char type;
	const char *data;
};

enum damage { NONE, SHORT, ONE_END_BLOCK, BAD_SUM, NOT_USTAR, SIZE_PAST_END };

/* A ustar archive of the entries, damaged as asked; its length in *len. */
static char *make_tar(const struct entry *e, size_t n, enum damage d, size_t *len)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		char h[512] = { 0 };
		size_t size = e[i].data ? strlen(e[i].data) : 0;
		unsigned int sum = 0;

		snprintf(h, 100, "%s", e[i].name);
		snprintf(h + 100, 8, "%07o", 0644);
		snprintf(h + 108, 8, "%07o", 0);
		snprintf(h + 116, 8, "%07o", 0);
		snprintf(h + 124, 12, "%011o", (unsigned int)(d == SIZE_PAST_END ? size + 4096 : size) & 07777777u);
		snprintf(h + 136, 12, "%011o", 0);
		h[156] = e[i].type;
		memcpy(h + 257, d == NOT_USTAR ? "tar\0\0\0" : "ustar\0", 6);
		memcpy(h + 263, "00", 2);
		memset(h + 148, ' ', 8);
		for (size_t k = 0; k < 512; k++)
			sum += (unsigned char)h[k];
		snprintf(h + 148, 8, "%06o", d == BAD_SUM ? sum + 1 : sum);
		sb_add(&b, h, 512);
		if (size) {
			char pad[512] = { 0 };

			sb_add(&b, e[i].data, size);
			sb_add(&b, pad, (512 - size % 512) % 512);
		}
	}
	if (d != SHORT) {
		char end[1024] = { 0 };

		sb_add(&b, end, d == ONE_END_BLOCK ? 512 : 1024);
	}
	*len = b.len;
	return b.s;
}

struct untar_case {
	const char *name;
	struct entry e[3];
	size_t n;
	enum damage d;
	const char *why;	/* a part of the error, or NULL: a pass */
};

static const struct untar_case cases[] = {
	{ "no end blocks", { { "./a", '0', "x\n" } }, 1, SHORT, "without its end blocks" },
	{ "one end block", { { "./a", '0', "x\n" } }, 1, ONE_END_BLOCK, "one end block of two" },
	{ "a wrong checksum", { { "./a", '0', "x\n" } }, 1, BAD_SUM, "wrong checksum" },
	{ "not ustar", { { "./a", '0', "x\n" } }, 1, NOT_USTAR, "not a ustar header" },
	{ "a size past the end", { { "./a", '0', "x\n" } }, 1, SIZE_PAST_END, "the archive has" },
	{ "an absolute name", { { "/etc/a", '0', "x\n" } }, 1, NONE, "not a name under the directory" },
	{ "a name with ..", { { "./run/../../a", '0', "x\n" } }, 1, NONE, "not a name under the directory" },
	{ "a symbolic link", { { "./l", '2', NULL } }, 1, NONE, "of type '2'" },
	{ "a run directory", { { "./", '5', NULL }, { "./run/", '5', NULL },
			       { "./run/meta.json", '0', "{}\n" } }, 3, NONE, NULL },
};

static void one_case(void **state)
{
	const struct untar_case *c = *state;
	char dir[] = "/tmp/lab-untar-XXXXXX", *err = NULL, *tar, *path, *text;
	size_t len;
	int rc;

	assert_non_null(mkdtemp(dir));
	tar = make_tar(c->e, c->n, c->d, &len);
	rc = untar(tar, len, dir, &err);
	if (c->why) {
		if (rc != -1 || !err || !strstr(err, c->why))
			fail_msg("%s: rc %d, error \"%s\", want one that says \"%s\"", c->name, rc,
				 err ? err : "(none)", c->why);
	} else {
		if (rc)
			fail_msg("%s: %s", c->name, err);
		path = xasprintf("%s/run/meta.json", dir);
		text = read_file(path, NULL);
		assert_non_null(text);
		assert_string_equal(text, "{}\n");
		free(text);
		free(path);
	}
	free(err);
	free(tar);
	assert_int_equal(rm_rf(dir), 0);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(*cases)];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].name, .test_func = one_case,
						.initial_state = (void *)&cases[i] };
	return _cmocka_run_group_tests("untar", tests, sizeof(tests) / sizeof(*tests),
				       NULL, NULL);
}
