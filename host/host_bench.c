/*
 * host_bench.c: benchmark programs on the host's own kernel (host_bench.h).
 *
 * Each program is run by proc_run() (proc.h), which reports an execve()
 * that failed apart from the program's own failure, and never hands a
 * file the kernel refused to a shell: ENOEXEC there is the host saying it
 * cannot run that kind of program, and that alone makes a program "left
 * out". Its standard output goes to a
 * file of its own and joins rows.jsonl only when the program exited 0.
 */
#define _GNU_SOURCE
#include "host_bench.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meta.h"
#include "proc.h"
#include "util.h"

/* A string field of o, or "?" when it has none. */
static const char *field(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "?";
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

json_t *host_left_out_lines(json_t *left_out)
{
	json_t *lines = json_array(), *e, *v;
	size_t i, j;

	json_array_foreach(left_out, i, e) {
		const char *abi = field(e, "abi"), *err = field(e, "error");
		struct strbuf progs = { 0 };
		bool first = true;

		json_array_foreach(left_out, j, v) {
			if (strcmp(field(v, "abi"), abi) || strcmp(field(v, "error"), err))
				continue;
			first = first && j >= i;	/* this ABI and error's first entry */
			sb_printf(&progs, "%s%s", progs.len ? ", " : "", base_name(field(v, "program")));
		}
		if (first)
			json_array_append_new(lines, json_sprintf("%s rows left out: this host cannot run %s (%s%s)",
								  abi, progs.s, err, !strcmp(abi, "i386") ?
								  ": its kernel has no 32-bit emulation" : ""));
		sb_free(&progs);
	}
	return lines;
}

/* Appends the file from to the file to: 0, or -1. */
static int append_file(const char *from, const char *to)
{
	size_t len;
	char *text = read_file(from, &len);
	int fd, ok;

	if (!text)
		return -1;
	fd = open(to, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
	if (fd >= 0 && close(fd))
		ok = 0;
	free(text);
	return ok ? 0 : -1;
}

/* One line appended to the run's stderr.txt: why a program failed. */
__attribute__((format(printf, 2, 3))) static void note(const char *errs, const char *fmt, ...)
{
	FILE *f = fopen(errs, "a");
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

/* Runs one program; records it in res and, when left out, in left. */
static void run_one(const struct host_cmd *c, const char *dir,
		    struct host_result *res, json_t *left)
{
	char *tmp = xasprintf("%s/rows.%d.tmp", dir, (int)(res->ran + res->failed + res->nleft));
	char *rows = xasprintf("%s/rows.jsonl", dir), *errs = xasprintf("%s/stderr.txt", dir);
	struct proc_io io = { .out = tmp, .err = errs, .err_append = true };
	char *why = NULL;
	int status = proc_run(c->argv, &io, &why);

	if (status < 0 && errno == ENOEXEC) {
		res->nleft++;
		json_array_append_new(left, json_pack("{s:s, s:s, s:s}", "abi", c->abi,
						      "program", c->argv[0], "error",
						      strerror(ENOEXEC)));
	} else {
		bool ok = false;

		if (status)
			note(errs, "%s", why);
		else if (append_file(tmp, rows))
			note(errs, "cannot append %s's rows to %s", c->argv[0], rows);
		else
			ok = true;
		if (ok)
			res->ran++;
		else
			res->failed++;
	}
	free(why);
	unlink(tmp);
	free(tmp);
	free(rows);
	free(errs);
}

void host_bench_run(const char *dir, const struct host_cmd *cmds, size_t n,
		    struct host_result *res)
{
	char *metapath = xasprintf("%s/meta.json", dir), *rows = xasprintf("%s/rows.jsonl", dir);
	json_t *meta, *jcmds = json_array(), *left = json_array();

	memset(res, 0, sizeof(*res));
	if (rm_rf(dir) || mkdir_p(dir))
		die("cannot make %s: %s", dir, strerror(errno));
	write_file(rows, "", 0);	/* a host that ran nothing has no rows, not no file */
	meta = meta_new_run("host", NULL);
	json_object_set_new(meta, "mode", json_string("host"));
	for (size_t i = 0; i < n; i++) {
		json_t *jargv = json_array();

		for (int j = 0; cmds[i].argv[j]; j++)
			json_array_append_new(jargv, json_string(cmds[i].argv[j]));
		json_array_append_new(jcmds, jargv);
		run_one(&cmds[i], dir, res, left);
	}
	json_object_set_new(meta, "commands", jcmds);
	res->lines = host_left_out_lines(left);
	json_object_set_new(meta, "left_out", left);
	meta_set_outcome(meta, res->failed ? "failed" : "ok", res->failed ? 1 : 0,
			 res->failed ? "a host benchmark failed: see stderr.txt" : "");
	meta_write(meta, metapath);
	json_decref(meta);
	free(metapath);
	free(rows);
}

void host_result_free(struct host_result *res)
{
	json_decref(res->lines);
	memset(res, 0, sizeof(*res));
}
