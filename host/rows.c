/* rows.c: see rows.h. */
#define _GNU_SOURCE
#include "rows.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const stat_names[ST_COUNT] = {
	"min", "p5", "median", "p95", "p99", "max", "mean", "sd", "cv_ppm",
	"kbest",
};

/* The k-best and its rank: both or neither (a row from before them). */
static const char *kbest_error(json_t *o, struct row *r)
{
	json_t *k = json_object_get(o, "kbest"), *rank = json_object_get(o, "kbest_rank");

	r->have_kbest = false;
	if (!k && !rank)
		return NULL;
	if (!k || !rank)
		return "kbest and kbest_rank come together";
	if (!json_is_integer(k) || json_integer_value(k) < 0)
		return "kbest is not a whole number";
	if (!json_is_integer(rank) || json_integer_value(rank) < 0 ||
	    json_integer_value(rank) > (json_int_t)r->batches)
		return "kbest_rank is not a whole number from 0 to batches";
	r->stat[ST_KBEST] = (uint64_t)json_integer_value(k);
	r->kbest_rank = (uint64_t)json_integer_value(rank);
	r->have_kbest = true;
	return NULL;
}

static const char *row_error(json_t *o, struct row *r)
{
	const char *schema, *abi, *path, *unit, *what, *why;
	json_t *v;

	if (!json_is_object(o))
		return "not a JSON object";
	if (json_unpack(o, "{s:s, s:s, s:s, s:s, s:s}", "schema", &schema,
			"abi", &abi, "path", &path, "unit", &unit, "what",
			&what))
		return "a field is missing (schema, abi, path, unit, what)";
	if (strcmp(schema, "lab-row/1"))
		return "unknown schema";
	if (strcmp(unit, "milliticks"))
		return "unknown unit";
	if (!*path || !*abi)
		return "empty path or abi";
	for (int i = 0; i < ST_REQUIRED; i++) {
		v = json_object_get(o, stat_names[i]);
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return "a statistic is missing or not a whole number";
		r->stat[i] = (uint64_t)json_integer_value(v);
	}
	v = json_object_get(o, "tsc_khz");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return "no tsc_khz";
	r->tsc_khz = (uint64_t)json_integer_value(v);
	v = json_object_get(o, "batches");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return "no batches";
	r->batches = (unsigned int)json_integer_value(v);
	v = json_object_get(o, "iters");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return "no iters";
	r->iters = (unsigned int)json_integer_value(v);
	/* Optional: only curve rows have it, and then it must make sense. */
	v = json_object_get(o, "ops");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 1 ||
		  json_integer_value(v) > ROW_OPS_MAX))
		return "ops is not a whole number from 1 to 1048576";
	r->ops = v ? (unsigned int)json_integer_value(v) : 0;
	if ((why = kbest_error(o, r)))
		return why;
	if (r->stat[ST_MIN] > r->stat[ST_MEDIAN] ||
	    r->stat[ST_MEDIAN] > r->stat[ST_MAX])
		return "min <= median <= max does not hold";
	r->abi = xstrdup(abi);
	r->path = xstrdup(path);
	r->what = xstrdup(what);
	return NULL;
}

/* A left-out row: schema, abi, path and a reason, nothing else. */
static const char *left_out_error(json_t *o, struct left_out *l)
{
	const char *schema, *abi, *path, *why;

	if (json_unpack(o, "{s:s, s:s, s:s, s:s !}", "schema", &schema, "abi", &abi,
			"path", &path, "left_out", &why))
		return "a left-out row has schema, abi, path and left_out (a string), nothing else";
	if (strcmp(schema, "lab-row/1"))
		return "unknown schema";
	if (!*path || !*abi || !*why)
		return "empty path, abi or reason";
	l->abi = xstrdup(abi);
	l->path = xstrdup(path);
	l->why = xstrdup(why);
	return NULL;
}

/* One line's object into rs (run joined); NULL, or why it is no row. */
static const char *add_line(json_t *o, const char *run, const char *mode,
			    const char *mitigations, struct rows *rs)
{
	struct left_out l = { 0 };
	struct row r = { 0 };
	const char *why;

	if (json_is_object(o) && json_object_get(o, "left_out")) {
		if ((why = left_out_error(o, &l)))
			return why;
		l.run = xstrdup(run);
		rs->left = xrealloc(rs->left, (rs->nleft + 1) * sizeof(l));
		rs->left[rs->nleft++] = l;
		return NULL;
	}
	if ((why = row_error(o, &r))) {
		free(r.abi);
		free(r.path);
		free(r.what);
		return why;
	}
	r.run = xstrdup(run);
	r.mode = xstrdup(mode);
	r.mitigations = xstrdup(mitigations);
	rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof(r));
	rs->v[rs->n++] = r;
	return NULL;
}

int rows_parse(const char *text, const char *run, const char *mode,
	       const char *mitigations, struct rows *rs, char **problem)
{
	int bad = 0, lineno = 0;

	*problem = NULL;
	while (text && *text) {
		size_t n = strcspn(text, "\n");
		bool terminated = text[n] == '\n';
		const char *why = NULL;
		json_error_t err;
		json_t *o;

		lineno++;
		if (n == 0 || (n == 1 && text[0] == '\r')) {
			text += n + terminated;
			continue;
		}
		o = json_loadb(text, n, 0, &err);
		if (!terminated)
			why = "truncated: the stream ended inside the row";
		else if (!o)
			why = "not JSON";
		else
			why = add_line(o, run, mode, mitigations, rs);
		json_decref(o);
		if (why) {
			if (!bad)
				*problem = xasprintf("line %d: %s", lineno, why);
			bad++;
		}
		text += n + terminated;
	}
	return bad;
}

void rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct row *r = &rs->v[i];

		free(r->run);
		free(r->mode);
		free(r->mitigations);
		free(r->abi);
		free(r->path);
		free(r->what);
	}
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
	for (size_t i = 0; i < rs->nleft; i++) {
		free(rs->left[i].run);
		free(rs->left[i].abi);
		free(rs->left[i].path);
		free(rs->left[i].why);
	}
	free(rs->left);
	rs->left = NULL;
	rs->nleft = 0;
}

const struct row *rows_find(const struct rows *rs, const char *abi,
			    const char *path, unsigned int ops)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].ops == ops && !strcmp(rs->v[i].abi, abi) &&
		    !strcmp(rs->v[i].path, path))
			return &rs->v[i];
	return NULL;
}

bool row_has(const struct row *r, enum row_stat s)
{
	return s != ST_KBEST || r->have_kbest;
}

double row_value(const struct row *r, enum row_stat s)
{
	double milli = (double)r->stat[s];

	if (s == ST_CV_PPM)
		return milli / 10000.0; /* percent */
	if (!strcmp(r->mode, "icount"))
		return milli / 1000.0;
	/* ticks per ns = kHz / 1e6; a millitick is 1/1000 tick */
	return milli * 1000.0 / (double)r->tsc_khz;
}

const char *row_unit(const struct row *r)
{
	return strcmp(r->mode, "icount") ? "ns" : "instructions";
}

size_t rows_curve(const struct rows *rs, const char *abi, const char *path,
		  struct curve_point *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->n; i++) {
		const struct row *r = &rs->v[i];
		size_t j;

		if (!r->ops || strcmp(r->abi, abi) || strcmp(r->path, path) ||
		    n == max)
			continue;
		/* insertion by ops; a second row of the same ops is passed over */
		for (j = n; j > 0 && out[j - 1].ops > r->ops; j--)
			;
		if (j > 0 && out[j - 1].ops == r->ops)
			continue;
		memmove(out + j + 1, out + j, (n - j) * sizeof(*out));
		out[j] = (struct curve_point){ r->ops, row_value(r, ST_MEDIAN) };
		n++;
	}
	return n;
}

unsigned int curve_first_below(const struct curve_point *c, size_t nc,
			       const struct curve_point *ref, size_t nref)
{
	unsigned int best = 0;

	for (size_t i = 0; i < nc; i++)
		for (size_t j = 0; j < nref; j++)
			if (ref[j].ops == c[i].ops && c[i].value < ref[j].value &&
			    (!best || c[i].ops < best))
				best = c[i].ops;
	return best;
}

unsigned int curve_first_within(const struct curve_point *c, size_t nc,
				double floor, double factor)
{
	unsigned int best = 0;

	if (!(floor > 0))
		return 0;
	for (size_t i = 0; i < nc; i++)
		if (c[i].value <= factor * floor && (!best || c[i].ops < best))
			best = c[i].ops;
	return best;
}
