/*
 * lab-tap: counts the TAP/KTAP results in files (or standard input).
 *   lab-tap FILE...   prints "PASSED FAILED SKIPPED" for all of them
 * Exit status 0 whatever the results; 1 when a file cannot be read.
 */
#include "tap.h"

#include <stdio.h>
#include <string.h>

static int count(FILE *f, struct tap_counts *sum)
{
	struct tap_state s;
	struct tap_counts c;
	char line[4096];

	tap_init(&s);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		tap_line(&s, line);
	}
	c = tap_finish(&s);
	sum->passed += c.passed;
	sum->failed += c.failed;
	sum->skipped += c.skipped;
	return ferror(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct tap_counts sum = { 0 };

	if (argc == 1 && count(stdin, &sum)) {
		fprintf(stderr, "lab-tap: cannot read standard input\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");

		if (!f || count(f, &sum)) {
			fprintf(stderr, "lab-tap: cannot read %s\n", argv[i]);
			return 1;
		}
		fclose(f);
	}
	printf("%u %u %u\n", sum.passed, sum.failed, sum.skipped);
	return 0;
}
