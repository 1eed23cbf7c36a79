/*
 * lab compare [--out DIR] X86_RESULTS ARM64_RESULTS
 * x86_64 beside arm64 (compare.h): each side's icount boots from a make
 * bench of that architecture (RESULTS/raw/icount-default and icount-off),
 * the table on the terminal, DIR/compare.md and DIR/compare.json (DIR:
 * X86_RESULTS unless given). A run that is missing or damaged is one line
 * and exit 1, and so is a row one side should have and has not: nothing is
 * written then.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "lab.h"
#include "util.h"

static struct run *load_side(const char *results, const char *name)
{
	char *dir = xasprintf("%s/raw/%s", results, name);
	struct run *r;

	if (!file_exists(dir))
		die("no %s: run make bench for that architecture first", dir);
	r = lab_load_run(dir);
	if (r->nproblems)
		die("%s: %s", dir, r->problems[0]);
	if (strcmp(run_mode(r), "icount"))
		die("%s is a %s run, not an icount one", dir, run_mode(r));
	free(dir);
	return r;
}

int cmd_compare(int argc, char **argv)
{
	static const char *const names[MIT_COUNT] = { "icount-default", "icount-off" };
	struct lab_opts o;
	struct run *runs[SIDE_COUNT][MIT_COUNT];
	const struct rows *rows[SIDE_COUNT][MIT_COUNT];
	struct compare c;
	const char *out;
	char *md, *js, *text;
	struct out_file f;
	json_t *j;

	lab_parse_or_exit(&lab_cmd_compare, argc, argv, &o, NULL);
	out = o.out ? o.out : o.args[0];
	for (int s = 0; s < SIDE_COUNT; s++)
		for (int m = 0; m < MIT_COUNT; m++) {
			runs[s][m] = load_side(o.args[s], names[m]);
			rows[s][m] = &runs[s][m]->rows;
		}
	compare_build(&c, rows);
	compare_print(stdout, &c);
	if (c.missing)
		die("%zu figures missing (MISSING above): a run without a row it should have", c.missing);

	md = xasprintf("%s/compare.md", out);
	if (out_open(&f, md))
		die("cannot write %s", md);
	compare_markdown(f.f, &c, run_fact(runs[SIDE_X86][MIT_DEFAULT], "cpu"),
			 run_fact(runs[SIDE_ARM64][MIT_DEFAULT], "cpu"));
	if (out_commit(&f))
		die("cannot write %s", md);
	js = xasprintf("%s/compare.json", out);
	j = compare_json(&c);
	text = json_dumps(j, JSON_INDENT(2));
	if (!text)
		die("encoding %s failed", js);
	write_file(js, text, strlen(text));
	json_decref(j);
	printf("\nside by side: %s, %s\n", md, js);
	free(text);
	free(md);
	free(js);
	for (int s = 0; s < SIDE_COUNT; s++)
		for (int m = 0; m < MIT_COUNT; m++)
			run_free(runs[s][m]);
	return 0;
}
