/*
 * run.h: the model of one run, read from its directory (see boot.h): its
 * metadata, the guest's facts, its test results (the guest's KTAP, KUnit's
 * from the console), its benchmark rows, and every problem found while
 * reading them. Every writer (the terminal, the test summary, CSV, JSON,
 * Markdown, gnuplot data) reads this and nothing else.
 */
#ifndef LAB_RUN_H
#define LAB_RUN_H

#include <jansson.h>
#include <stdbool.h>

#include "ktap.h"
#include "rows.h"

struct run {
	char *dir;
	char *name;		/* e.g. "icount-default"; the directory's name */
	json_t *meta;		/* meta.json */
	json_t *facts;		/* the guest's facts (merged), or NULL */
	struct ktap_test *results; /* ktap.txt as one document, or NULL */
	struct ktap_test *kunit;   /* KUnit's document on the console, or NULL */
	struct rows rows;
	char **problems;	/* one line each: what makes this run untrustworthy */
	size_t nproblems;
};

/* Reads dir. Returns NULL (and why in *err) if dir holds no run at all;
 * a run that is there but damaged is returned with its problems. */
struct run *run_load(const char *dir, const char *name, char **err);
void run_free(struct run *r);

/* meta.json's field, or "" */
const char *run_meta(const struct run *r, const char *key);
/* The mode its times are labelled with: meta.json's mode_label where it
 * has one ("kvm-nested": KVM on a virtual host), else its mode. */
const char *run_mode(const struct run *r);
const char *run_mitigations(const struct run *r);
const char *run_outcome(const struct run *r);
const char *run_reason(const struct run *r);
/* The guest's fact (release, cmdline, cpu, ...), or "". */
const char *run_fact(const struct run *r, const char *key);

#endif
