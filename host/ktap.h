/*
 * ktap.h: the lab's one reader of test results: KTAP (the kernel's), and
 * the TAP 13 that the kselftest harness and cmocka print, which it is a
 * superset of. Subtests are indented four spaces under the result line
 * that ends them (KTAP's nesting); lines that are no KTAP are kept as the
 * enclosing test's output. A document that a guest or program left
 * unfinished is read as far as it goes: the counts say what is missing.
 */
#ifndef LAB_KTAP_H
#define LAB_KTAP_H

#include <stdbool.h>
#include <stddef.h>

enum ktap_result { KTAP_PASS, KTAP_FAIL, KTAP_SKIP };

struct ktap_test {
	char *name;
	int number;
	enum ktap_result result;
	char *directive;	/* after " # " on the result line, or NULL */
	long planned;		/* its subtests' plan, -1: none */
	bool bailed;		/* "Bail out!" among its subtests */
	struct ktap_test *sub;	/* its subtests, in order */
	size_t nsub;
	char **lines;		/* every line between its start and its result
				 * line, one indentation level removed */
	size_t nlines;
	char **diag;		/* "# ..." lines at its own level after its
				 * last subtest, before its result (why) */
	size_t ndiag;
	char **after;		/* "# ..." lines among its subtests after the
				 * last subtest's result (TAP 13 and cmocka put
				 * a failure's reason after its "not ok") */
	size_t nafter;
};

/* The whole text as one document: the returned test is the document
 * itself (no name; its subtests are the top-level results). */
struct ktap_test *ktap_parse(const char *text);
/* The first KTAP document in a console log (KUnit's, between other kernel
 * messages; an optional "[ time]" prefix is removed), or NULL if none. */
struct ktap_test *ktap_parse_console(const char *text);
void ktap_free(struct ktap_test *t);

struct ktap_counts {
	unsigned int passed, failed, skipped;
};

/*
 * Counts the leaves of t: a test with subtests counts as its subtests, plus
 * one failure for each planned subtest that never reported, plus one if it
 * failed itself while all its subtests passed (a program that crashed or
 * exited non-zero after its tests). Without subtests, a test counts as
 * itself. The document's own result is not counted; its plan is.
 */
struct ktap_counts ktap_count(const struct ktap_test *t, bool is_document);

#endif
