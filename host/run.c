/* run.c: see run.h. */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

__attribute__((format(printf, 2, 3)))
static void problem(struct run *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	r->problems = xrealloc(r->problems, (r->nproblems + 1) * sizeof(char *));
	r->problems[r->nproblems++] = s;
}

/*
 * dir/file as text, NULL if it cannot be read. A NUL byte would end the
 * text where it stands and silently drop what follows (results, rows), so
 * each is replaced by SUB (0x1a), which no KTAP keyword and no JSON
 * accepts, and with damaged set the damage is one of the run's problems.
 * (The console is read with damaged unset: a serial console may carry a
 * NUL of its own, and KUnit's document is judged by its plan.)
 */
static char *read_in(struct run *r, const char *file, bool damaged)
{
	char *path = xasprintf("%s/%s", r->dir, file);
	size_t len, nul = 0, first = 0;
	char *text = read_file(path, &len);

	free(path);
	for (size_t i = 0; text && i < len; i++) {
		if (text[i] == '\0') {
			if (!nul++)
				first = i;
			text[i] = '\x1a';
		}
	}
	if (nul && damaged)
		problem(r, "%s: %zu NUL byte%s (the first at byte %zu): the stream is damaged",
			file, nul, nul == 1 ? "" : "s", first);
	return text;
}

/* s (n bytes) quoted for a message: at most 40 bytes, others as \xNN. */
static char *quoted(const char *s, size_t n)
{
	struct strbuf b = { 0 };

	sb_add(&b, "\"", 1);
	for (size_t i = 0; i < n && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= ' ' && c < 0x7f && c != '"' && c != '\\')
			sb_add(&b, s + i, 1);
		else
			sb_printf(&b, "\\x%02x", c);
	}
	sb_add(&b, n > 40 ? "...\"" : "\"", n > 40 ? 4 : 1);
	return b.s;
}

/*
 * The results stream has only what the guest's PID 1 writes at its top
 * level: KTAP lines (version, plan, results, "# " diagnostics) and the
 * steps' output, indented. Any other line is damage on the channel (line
 * noise, another writer), which the counts alone might not show: a
 * problem.
 */
static void check_results_channel(struct run *r, const char *text)
{
	static const char *const starts[] = {
		"KTAP version ", "TAP version ", "1..", "ok ", "not ok ", "#",
		"Bail out!", " ",
	};
	int lineno = 0, bad = 0, first = 0;
	char *example = NULL;

	while (text && *text) {
		size_t n = strcspn(text, "\n");
		bool fine = n == 0 || (n == 2 && !strncmp(text, "ok", 2)) ||
			    (n == 6 && !strncmp(text, "not ok", 6));

		lineno++;
		for (size_t i = 0; !fine && i < sizeof(starts) / sizeof(*starts); i++)
			fine = !strncmp(text, starts[i], strlen(starts[i])) &&
			       n >= strlen(starts[i]);
		if (!fine && !bad++) {
			first = lineno;
			example = quoted(text, n);
		}
		text += n + (text[n] == '\n');
	}
	if (bad)
		problem(r, "ktap.txt: %d line%s that %s no KTAP and no step's output (line %d: %s)",
			bad, bad == 1 ? "" : "s", bad == 1 ? "is" : "are", first,
			example);
	free(example);
}

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void load_facts(struct run *r)
{
	char *text = read_in(r, "facts.jsonl", true);
	int lineno = 0;

	if (!text)
		return;
	for (char *line = text, *next; line && *line; line = next) {
		json_error_t err;
		json_t *o;

		next = strchr(line, '\n');
		lineno++;
		if (!next) {
			problem(r, "facts.jsonl: the last line is truncated");
			break;
		}
		*next++ = '\0';
		o = json_loads(line, 0, &err);
		if (!json_is_object(o)) {
			problem(r, "facts.jsonl: line %d is not a JSON object",
				lineno);
			json_decref(o);
			continue;
		}
		if (!r->facts)
			r->facts = json_object();
		json_object_update(r->facts, o);
		json_decref(o);
	}
	free(text);
}

struct run *run_load(const char *dir, const char *name, char **err)
{
	struct run *r;
	char *text, *why;
	json_error_t jerr;
	char *path = xasprintf("%s/meta.json", dir);
	json_t *meta = json_load_file(path, 0, &jerr);

	free(path);
	if (!meta) {
		*err = xasprintf("%s is no run of the lab (meta.json: %s)", dir,
				 jerr.text);
		return NULL;
	}
	if (!json_is_object(meta) || strcmp(str_of(meta, "schema"), "lab-run/1")) {
		json_decref(meta);
		*err = xasprintf("%s/meta.json is not a lab run's record", dir);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->dir = xstrdup(dir);
	r->name = xstrdup(name);
	r->meta = meta;
	load_facts(r);
	if (strcmp(run_mode(r), "host")) {
		text = read_in(r, "ktap.txt", true);
		if (!text) {
			problem(r, "no results stream (ktap.txt) from the guest");
		} else {
			check_results_channel(r, text);
			r->results = ktap_parse(text);
		}
		free(text);
		text = read_in(r, "console.log", false);
		if (text)
			r->kunit = ktap_parse_console(text);
		else
			problem(r, "no console log");
		free(text);
	}
	text = read_in(r, "rows.jsonl", true);
	if (text) {
		int bad = rows_parse(text, name, run_mode(r), run_mitigations(r),
				     &r->rows, &why);

		if (bad) {
			problem(r, "rows.jsonl: %s", why);
			if (bad > 1)
				problem(r, "rows.jsonl: %d more bad lines",
					bad - 1);
			free(why);
		}
	}
	free(text);
	return r;
}

void run_free(struct run *r)
{
	if (!r)
		return;
	free(r->dir);
	free(r->name);
	json_decref(r->meta);
	json_decref(r->facts);
	ktap_free(r->results);
	ktap_free(r->kunit);
	rows_free(&r->rows);
	for (size_t i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	free(r->problems);
	free(r);
}

const char *run_meta(const struct run *r, const char *key)
{
	return str_of(r->meta, key);
}

const char *run_mode(const struct run *r)
{
	/* a kvm run on a virtual host says so (boot.h: host_mode_label()) */
	const char *label = run_meta(r, "mode_label");

	return *label ? label : run_meta(r, "mode");
}

const char *run_mitigations(const struct run *r)
{
	return run_meta(r, "mitigations");
}

const char *run_outcome(const struct run *r)
{
	return str_of(json_object_get(r->meta, "outcome"), "name");
}

const char *run_reason(const struct run *r)
{
	return str_of(json_object_get(r->meta, "outcome"), "reason");
}

const char *run_fact(const struct run *r, const char *key)
{
	return r->facts ? str_of(r->facts, key) : "";
}
