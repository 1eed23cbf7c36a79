/*
 * Counting TAP/KTAP results: kselftest's flat TAP 13, KUnit's nested KTAP
 * (from a console log, between other kernel messages) and cmocka's TAP.
 * Only leaf results count: a suite's own "ok" line sums up tests already
 * counted. A plan ("1..N") with fewer top-level results than N counts the
 * missing ones as failed: a test program that crashed did not pass.
 */
#ifndef TAP_H
#define TAP_H

#include <stddef.h>

struct tap_counts {
	unsigned passed;
	unsigned failed;
	unsigned skipped;
	unsigned missing;	/* planned at the top level, never reported */
};

struct tap_state {
	struct tap_counts c;
	int top_indent;		/* indentation of the first plan; -1: none yet */
	long top_planned;
	long seen_at[64];	/* results seen at each indentation */
	int last_indent;	/* the previous result's; -1: none yet */
	int bailed;
};

void tap_init(struct tap_state *s);
void tap_line(struct tap_state *s, const char *line);
/* Ends the input; returns the counts (the missing ones are also counted
 * as failed). */
struct tap_counts tap_finish(struct tap_state *s);

#endif
