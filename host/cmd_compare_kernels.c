/*
 * lab compare-kernels [--out DIR] OLD_TRACE_DIR NEW_TRACE_DIR
 *
 * make compare-kernels: one architecture's paths on two kernel versions,
 * side by side (kcompare.h). Each operand is what `lab trace --mitigations
 * default` wrote for one version (make compare-kernels: results/
 * compare-kernels/ARCH/KVER). The terminal gets each traced lab_null
 * path's total, every icount row and each path's largest per-function
 * differences; DIR (default: NEW_TRACE_DIR's parent) gets
 *
 *   compare-kernels.md    per path, stage and function; every row; the
 *                         vulnerability files that differ
 *   compare-kernels.json  the same (schema lab-compare-kernels/1)
 *   <path>.diff           per traced path, the instructions one version
 *                         has and the other lacks, each with its symbol,
 *                         stage and kind (as lab mitigations' <switch>.diff)
 *   chart-kernels.png     per path and version, instructions per stage
 *                         (trace/stages.gp; its data in chart-kernels.dat)
 *
 * each written under a temporary name and renamed. A side that is missing
 * or damaged, of another architecture, guest or command line, is one line
 * and exit 1, and nothing is written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "kcompare.h"
#include "lab.h"
#include "plot.h"
#include "util.h"

/* The chart, from its data; returns its file name, or NULL (said why). */
static const char *chart(const char *out, const struct kcompare *k)
{
	char *dat = xasprintf("%s/chart-kernels.dat", out), *png = xasprintf("%s/chart-kernels.png", out);
	char *title = xasprintf("Instructions per stage, %s beside %s (%s, one traced call each)",
				k->release[KC_OLD], k->release[KC_NEW], k->arch);
	const struct plot_var vars[] = { { "datafile", dat, 0 }, { "charttitle", title, 0 } };
	char *why = NULL;
	struct out_file f;
	bool drawn;

	if (out_open(&f, dat))
		die("cannot write %s: %s", dat, strerror(errno));
	kc_chart_data(f.f, k);
	if (out_commit(&f))
		die("cannot write %s", dat);
	drawn = plot("trace/stages.gp", png, vars, 2, &why);
	if (!drawn)
		say("no chart: %s", why);
	free(why);
	free(title);
	free(dat);
	free(png);
	return drawn ? "chart-kernels.png" : NULL;
}

static void write_json(const char *path, const struct kcompare *k)
{
	json_t *j = kc_json(k);
	char *text = json_dumps(j, JSON_INDENT(2));

	if (!text)
		die("encoding %s failed", path);
	write_file(path, text, strlen(text));
	free(text);
	json_decref(j);
}

static void write_diffs(const char *out, const struct kcompare *k)
{
	for (size_t p = 0; p < k->npaths; p++) {
		char *path = xasprintf("%s/%s.diff", out, k->paths[p].name);
		struct out_file f;

		if (out_open(&f, path))
			die("cannot write %s: %s", path, strerror(errno));
		kc_diff_text(f.f, k, &k->paths[p]);
		if (out_commit(&f))
			die("cannot write %s", path);
		free(path);
	}
}

int cmd_compare_kernels(int argc, char **argv)
{
	struct lab_opts o;
	struct kcompare k;
	struct out_file f;
	char *err, *copy, *md, *js;
	const char *out, *png;

	lab_parse_or_exit(&lab_cmd_compare_kernels, argc, argv, &o, NULL);
	if (kc_build(&k, o.args[0], o.args[1], &err))
		die("%s", err);
	copy = xstrdup(o.args[1]);
	out = o.out ? o.out : dirname(copy);
	kc_print(stdout, &k);
	if (mkdir_p(out))
		die("cannot make %s: %s", out, strerror(errno));
	write_diffs(out, &k);
	png = chart(out, &k);
	md = xasprintf("%s/compare-kernels.md", out);
	if (out_open(&f, md))
		die("cannot write %s: %s", md, strerror(errno));
	kc_markdown(f.f, &k, png);
	if (out_commit(&f))
		die("cannot write %s", md);
	js = xasprintf("%s/compare-kernels.json", out);
	write_json(js, &k);
	printf("\n%s beside %s: %s, %s%s%s%s\n", k.release[KC_OLD], k.release[KC_NEW], md, js,
	       png ? ", " : "", png ? out : "", png ? "/chart-kernels.png" : "");
	free(md);
	free(js);
	free(copy);
	kc_free(&k);
	return 0;
}
