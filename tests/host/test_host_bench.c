/*
 * Tests of the host's benchmark runs (host/host_bench.c) with stand-in
 * programs, the bad cases first: a program that is not there, one that dies
 * of a signal, one that writes a row and then fails (its row must not be
 * kept), one this host cannot run (ENOEXEC, as an i386 program on a kernel
 * without 32-bit emulation: left out with one line, not a failure); then a
 * host that runs the 64-bit program and not the 32-bit one, read back
 * through the one parser: the 64-bit rows are all there; and the report's
 * table of two such runs says once what was left out, and why.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "host_bench.h"
#include "report.h"
#include "run.h"
#include "util.h"

#define ROW(path) "{\"schema\":\"lab-row/1\",\"abi\":\"x86_64\",\"path\":\"" path "\"," \
	"\"unit\":\"milliticks\",\"tsc_khz\":2500000,\"batches\":20,\"iters\":20," \
	"\"min\":1000,\"p5\":1000,\"median\":1000,\"p95\":1000,\"p99\":1000,\"max\":1000," \
	"\"mean\":1000,\"sd\":0,\"cv_ppm\":0,\"what\":\"a stand-in row\"}"

static char *top;	/* this test's temporary directory */

/* A program named bin-NAME in top: a shell script with body, or (body NULL)
 * bytes no kernel can execute. Returns its path. */
static char *program(const char *name, const char *body)
{
	char *path = xasprintf("%s/bin-%s", top, name);
	char *text = body ? xasprintf("#!/bin/sh\n%s\n", body) :
		xstrdup("\x7f" "ELF but not really: no kernel runs this\n");

	write_file(path, text, strlen(text));
	assert_int_equal(chmod(path, 0755), 0);
	free(text);
	return path;
}

/* Runs the programs into top/NAME; returns the directory. */
static char *run(const char *name, const struct host_cmd *cmds, size_t n,
		 struct host_result *res)
{
	char *dir = xasprintf("%s/%s", top, name);

	host_bench_run(dir, cmds, n, res);
	return dir;
}

static char *file_in(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *text = read_file(path, NULL);

	free(path);
	assert_non_null(text);
	return text;
}

static void expect_failure(const char *name, const char *body, const char *why)
{
	char *prog = body ? program(name, body) : xasprintf("%s/not-there", top);
	const char *const argv[] = { prog, "--host", NULL };
	const struct host_cmd cmd = { "x86_64", argv };
	struct host_result res;
	char *dir = run(name, &cmd, 1, &res), *rows = file_in(dir, "rows.jsonl"),
	     *errs = file_in(dir, "stderr.txt"), *meta = file_in(dir, "meta.json");

	assert_int_equal(res.failed, 1);
	assert_int_equal(res.ran, 0);
	assert_int_equal(res.nleft, 0);
	assert_string_equal(rows, "");
	assert_non_null(strstr(errs, why));
	assert_non_null(strstr(meta, "\"failed\""));
	host_result_free(&res);
	free(prog);
	free(dir);
	free(rows);
	free(errs);
	free(meta);
}

static void missing_program_fails(void **state)
{
	(void)state;
	expect_failure("missing", NULL, "No such file or directory");
}

static void signal_fails(void **state)
{
	(void)state;
	expect_failure("signal", "kill -SEGV $$", "killed by signal 11");
}

static void rows_of_a_failed_program_are_dropped(void **state)
{
	(void)state;
	expect_failure("exit1", "echo '" ROW("getppid_syscall") "'; exit 1",
		       "exited with status 1");
}

static void enoexec_is_left_out(void **state)
{
	char *prog = program("bench_user32", NULL);
	const char *const argv[] = { prog, "--host", NULL };
	const struct host_cmd cmd = { "i386", argv };
	struct host_result res;
	char *dir = run("enoexec", &cmd, 1, &res), *metapath = xasprintf("%s/meta.json", dir);
	json_t *meta = json_load_file(metapath, 0, NULL), *left;

	(void)state;
	assert_int_equal(res.failed, 0);
	assert_int_equal(res.ran, 0);
	assert_int_equal(res.nleft, 1);
	assert_int_equal(json_array_size(res.lines), 1);
	assert_string_equal(json_string_value(json_array_get(res.lines, 0)),
			    "i386 rows left out: this host cannot run bin-bench_user32 "
			    "(Exec format error: its kernel has no 32-bit emulation)");
	assert_non_null(meta);
	left = json_object_get(meta, "left_out");
	assert_int_equal(json_array_size(left), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(left, 0), "abi")), "i386");
	assert_string_equal(json_string_value(json_object_get(json_array_get(left, 0), "error")),
			    "Exec format error");
	assert_string_equal(json_string_value(json_object_get(json_array_get(left, 0), "program")),
			    prog);
	assert_string_equal(json_string_value(json_object_get(json_object_get(meta, "outcome"), "name")),
			    "ok");
	json_decref(meta);
	host_result_free(&res);
	free(prog);
	free(dir);
	free(metapath);
}

static void the_64bit_rows_stay_without_32bit_emulation(void **state)
{
	char *p64 = program("bench_user", "echo '" ROW("function_call") "'; echo '" ROW("getppid_syscall") "'");
	char *p32 = program("bench_user32.bin", NULL);
	const char *const a64[] = { p64, "--host", NULL }, *const a32[] = { p32, "--host", NULL };
	const struct host_cmd cmds[] = { { "x86_64", a64 }, { "i386", a32 } };
	struct host_result res;
	char *dir = run("no32", cmds, 2, &res), *err = NULL;
	struct run *r;

	(void)state;
	assert_int_equal(res.ran, 1);
	assert_int_equal(res.failed, 0);
	assert_int_equal(res.nleft, 1);
	assert_non_null(strstr(json_string_value(json_array_get(res.lines, 0)), "i386 rows left out"));
	r = run_load(dir, "host", &err);
	assert_non_null(r);
	assert_int_equal(r->rows.n, 2);
	assert_string_equal(r->rows.v[0].path, "function_call");
	assert_string_equal(r->rows.v[1].path, "getppid_syscall");
	assert_string_equal(r->rows.v[1].abi, "x86_64");
	run_free(r);
	host_result_free(&res);
	free(p64);
	free(p32);
	free(dir);
}

/* The report's table from the runs in dirs, as text. */
static char *table_of(const char *const *dirs, size_t n)
{
	struct run *runs[4];
	struct report rep = { .runs = runs, .nruns = n };
	char *text = NULL, *err = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		runs[i] = run_load(dirs[i], i ? "host.2" : "host.1", &err);
		assert_non_null(runs[i]);
	}
	report_table(f, &rep);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		run_free(runs[i]);
	return text;
}

static size_t count(const char *text, const char *line)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, line)); p += strlen(line))
		n++;
	return n;
}

static void the_table_says_what_was_left_out_once(void **state)
{
	/* Two runs of a host without 32-bit emulation or io_uring: two i386
	 * programs refused, a 64-bit one that measures a row and leaves one
	 * out (include/lab/lab_row.h). The table says each thing once. */
	char *p64 = program("bench_batch", "echo '" ROW("function_call") "'; echo '"
			    "{\"schema\":\"lab-row/1\",\"abi\":\"x86_64\",\"path\":\"batch_uring\","
			    "\"left_out\":\"io_uring_queue_init(1) failed (Operation not permitted)\"}'");
	char *pu = program("bench_user32", NULL), *pb = program("bench_batch32", NULL);
	const char *const a64[] = { p64, NULL }, *const au[] = { pu, NULL }, *const ab[] = { pb, NULL };
	const struct host_cmd cmds[] = { { "x86_64", a64 }, { "i386", au }, { "i386", ab } };
	struct host_result r1, r2;
	char *d1 = run("host.1", cmds, 3, &r1), *d2 = run("host.2", cmds, 3, &r2);
	const char *const dirs[] = { d1, d2 };
	char *table;

	(void)state;
	assert_int_equal(r1.ran, 1);
	assert_int_equal(r1.nleft, 2);
	assert_int_equal(json_array_size(r1.lines), 1);
	table = table_of(dirs, 2);
	assert_int_equal(1, count(table, "host: i386 rows left out: this host cannot run "
				  "bin-bench_user32, bin-bench_batch32 (Exec format error: its "
				  "kernel has no 32-bit emulation)\n"));
	assert_int_equal(1, count(table, "host: x86_64/batch_uring left out: "
				  "io_uring_queue_init(1) failed (Operation not permitted)\n"));
	assert_int_equal(1, count(table, "x86_64/function_call"));
	free(table);
	host_result_free(&r1);
	host_result_free(&r2);
	free(p64);
	free(pu);
	free(pb);
	free(d1);
	free(d2);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/test_host_bench.XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	top = xstrdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(top);
	free(top);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(missing_program_fails),
		cmocka_unit_test(signal_fails),
		cmocka_unit_test(rows_of_a_failed_program_are_dropped),
		cmocka_unit_test(enoexec_is_left_out),
		cmocka_unit_test(the_64bit_rows_stay_without_32bit_emulation),
		cmocka_unit_test(the_table_says_what_was_left_out_once),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
