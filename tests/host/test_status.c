/*
 * Tests of an arm64 boot's end (host/status.c): the run directory as QEMU's
 * file chardevs leave it (ktap.txt, rows.jsonl, facts.jsonl, status.json),
 * every way the guest's status line can be missing, malformed or
 * contradicted by the files first, then the two good ones. A bad line is a
 * failed boot with one line saying why, never a pass.
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

#include "status.h"
#include "util.h"

#define KTAP "KTAP version 1\n1..1\nok 1 step\n"	/* 30 bytes */
#define FACTS "{}\n"					/* 3 bytes */

struct status_case {
	const char *name;
	const char *status;	/* status.json's content; NULL: no file */
	enum lab_outcome outcome;
	const char *reason;	/* a part of the reason, or NULL (none) */
	int guest_status;
};

static const struct status_case cases[] = {
	{ "missing", NULL, OUTCOME_NO_STATUS, "status.json is missing", 0 },
	{ "empty", "", OUTCOME_NO_STATUS, "status.json is empty", 0 },
	{ "garbage", "ok\n", OUTCOME_NO_STATUS, "status line is malformed", 0 },
	{ "two lines", "{\"status\":0,\"bytes\":{\"ktap\":30,\"rows\":0,\"facts\":3}}\n"
		       "{\"status\":0,\"bytes\":{\"ktap\":30,\"rows\":0,\"facts\":3}}\n",
	  OUTCOME_NO_STATUS, "status line is malformed", 0 },
	{ "an extra key", "{\"status\":0,\"bytes\":{\"ktap\":30,\"rows\":0,\"facts\":3},\"more\":1}\n",
	  OUTCOME_NO_STATUS, "status line is malformed", 0 },
	{ "no newline", "{\"status\":0,\"bytes\":{\"ktap\":30,\"rows\":0,\"facts\":3}}",
	  OUTCOME_NO_STATUS, "status line is malformed", 0 },
	{ "status 256", "{\"status\":256,\"bytes\":{\"ktap\":30,\"rows\":0,\"facts\":3}}\n",
	  OUTCOME_NO_STATUS, "status line is malformed", 0 },
	{ "negative bytes", "{\"status\":0,\"bytes\":{\"ktap\":-1,\"rows\":0,\"facts\":3}}\n",
	  OUTCOME_NO_STATUS, "status line is malformed", 0 },
	{ "a string status", "{\"status\":\"0\",\"bytes\":{\"ktap\":30,\"rows\":0,\"facts\":3}}\n",
	  OUTCOME_NO_STATUS, "status line is malformed", 0 },
	{ "lost output", "{\"status\":0,\"bytes\":{\"ktap\":35,\"rows\":0,\"facts\":3}}\n",
	  OUTCOME_LOST, "sent 35 bytes on lab.ktap, the host has 30 in ktap.txt: output lost", 0 },
	{ "the guest's failure", "{\"status\":1,\"bytes\":{\"ktap\":30,\"rows\":0,\"facts\":3}}\n",
	  OUTCOME_FAILED, "the guest said status 1", 1 },
	{ "a pass", "{\"status\":0,\"bytes\":{\"ktap\":30,\"rows\":0,\"facts\":3}}\n",
	  OUTCOME_OK, NULL, 0 },
};

static void put(const char *dir, const char *file, const char *text)
{
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* Each case in a directory of its own, removed even when the case fails. */
struct fixture {
	const struct status_case *c;
	char dir[32];
};

static int make_dir(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->c = *state;
	snprintf(f->dir, sizeof(f->dir), "/tmp/lab-status-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int remove_dir(void **state)
{
	struct fixture *f = *state;

	rm_rf(f->dir);
	free(f);
	return 0;
}

static void one_case(void **state)
{
	const struct fixture *f = *state;
	const struct status_case *c = f->c;
	struct boot_result r = { .outcome = OUTCOME_OK, .guest_status = -1 };

	put(f->dir, "ktap.txt", KTAP);
	put(f->dir, "rows.jsonl", "");
	put(f->dir, "facts.jsonl", FACTS);
	if (c->status)
		put(f->dir, "status.json", c->status);
	status_line_read(f->dir, &r);
	if (r.outcome != c->outcome)
		fail_msg("%s: outcome %d, want %d (%s)", c->name, (int)r.outcome,
			 (int)c->outcome, r.reason);
	if (c->reason && !strstr(r.reason, c->reason))
		fail_msg("%s: reason \"%s\" does not say \"%s\"", c->name, r.reason, c->reason);
	if (!c->reason && r.reason[0])
		fail_msg("%s: a reason for a pass: %s", c->name, r.reason);
	if (c->outcome == OUTCOME_OK || c->outcome == OUTCOME_FAILED)
		assert_int_equal(r.guest_status, c->guest_status);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(*cases)];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].name, .test_func = one_case,
						.setup_func = make_dir, .teardown_func = remove_dir,
						.initial_state = (void *)&cases[i] };
	return cmocka_run_group_tests_name("arm64 status", tests, NULL, NULL);
}
