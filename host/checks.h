/*
 * checks.h: a KTAP document of checks, built one check at a time, for the
 * commands that check what they found (lab trace, lab mitigations) and
 * hand make test a check.tap.
 */
#ifndef LAB_CHECKS_H
#define LAB_CHECKS_H

#include "util.h"

struct checks {
	struct strbuf lines;	/* results and their "# " diagnostics */
	unsigned int n, failed;
};

enum check_result { CHECK_FAIL = 0, CHECK_PASS = 1, CHECK_SKIP = -1 };

/* One result line: "ok N what", "not ok N what" or "ok N what # SKIP". */
__attribute__((format(printf, 3, 4)))
void check(struct checks *c, int result, const char *fmt, ...);
/* The whole document: version line, plan, the lines (malloc'd). */
char *checks_ktap(const struct checks *c);

#endif
