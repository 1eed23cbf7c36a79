/*
 * Tests of proc_run() (host/proc.c), the one way the host tool runs a
 * program to its end, and of plot.c's quoting for gnuplot. The bad cases
 * first: a program that is not there, a file the kernel will not execute
 * (ENOEXEC: no shell runs it instead), one a signal ends, one that exits
 * non-zero, an output file that cannot be opened, values gnuplot cannot be
 * given, a chart script that is not there, a first line from a program
 * that is not there; then a program that runs, its output in a file (and
 * both streams in one file), its output captured (a first line, and more
 * than a pipe holds), a program found on PATH.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "plot.h"
#include "proc.h"
#include "util.h"

static char *scratch(void)
{
	char tmpl[] = "/tmp/lab-test-proc.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void missing_program(void **state)
{
	const char *argv[] = { "lab-no-such-program", "x", NULL };
	char *why;

	(void)state;
	assert_int_equal(proc_run(argv, NULL, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, "cannot run lab-no-such-program: No such file or directory");
	free(why);
}

/* A file the kernel will not execute: reported as such, never run by a shell. */
static void not_executable(void **state)
{
	char *dir = scratch(), *prog = xasprintf("%s/not-elf", dir), *mark = xasprintf("%s/ran", dir);
	char *text = xasprintf("touch %s\n", mark), *why;
	const char *argv[] = { prog, NULL };

	(void)state;
	write_file(prog, text, strlen(text));
	assert_int_equal(chmod(prog, 0755), 0);
	errno = 0;
	assert_int_equal(proc_run(argv, NULL, &why), -1);
	assert_int_equal(errno, ENOEXEC);
	assert_non_null(strstr(why, "Exec format error"));
	assert_false(file_exists(mark));
	free(why);
	free(text);
	free(mark);
	free(prog);
	assert_int_equal(rm_rf(dir), 0);
	free(dir);
}

static void killed_by_signal(void **state)
{
	const char *argv[] = { "sh", "-c", "kill -TERM $$", NULL };
	char *why;

	(void)state;
	errno = EINVAL;
	assert_int_equal(proc_run(argv, NULL, &why), -1);
	assert_int_equal(errno, 0);
	assert_non_null(why);
	assert_string_equal(why, "sh was killed by signal 15 (Terminated)");
	free(why);
}

static void exit_status(void **state)
{
	const char *argv[] = { "sh", "-c", "exit 3", NULL };
	char *why;

	(void)state;
	assert_int_equal(proc_run(argv, NULL, &why), 3);
	assert_non_null(why);
	assert_string_equal(why, "sh exited with status 3");
	free(why);
	assert_int_equal(proc_run(argv, NULL, NULL), 3);
}

static void unopenable_output(void **state)
{
	const char *argv[] = { "true", NULL };
	struct proc_io io = { .out = "/nonexistent-dir/out.txt" };
	char *why;

	(void)state;
	assert_int_equal(proc_run(argv, &io, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, "cannot run true: cannot write /nonexistent-dir/out.txt: No such file or directory");
	free(why);
}

static void unquotable(void **state)
{
	char *why = NULL;
	const struct plot_var nl[] = { { "datafile", "a\nb.dat", 0 } };

	(void)state;
	assert_null(plot_quote("a\nb"));
	assert_null(plot_quote("a\rb"));
	assert_null(plot_quote("a\tb"));
	assert_false(plot("report/bars.gp", "/tmp/lab-test-proc-never.png", nl, 1, &why));
	assert_non_null(why);
	assert_non_null(strstr(why, "datafile holds a character gnuplot cannot be given"));
	free(why);
	assert_false(plot("report/no-such-script.gp", "/tmp/lab-test-proc-never.png", nl, 0, &why));
	assert_string_equal(why, "no report/no-such-script.gp (run at the top of the lab)");
	free(why);
	assert_false(file_exists("/tmp/lab-test-proc-never.png"));
}

static void no_line(void **state)
{
	const char *missing[] = { "lab-no-such-program", "--version", NULL };
	const char *silent[] = { "sh", "-c", "echo only-on-stderr >&2; exit 2", NULL };
	char *line;

	(void)state;
	line = proc_line1(missing);
	assert_string_equal(line, "");
	free(line);
	line = proc_line1(silent);
	assert_string_equal(line, "");
	free(line);
	assert_false(proc_on_path("lab-no-such-program"));
}

static void quoted(void **state)
{
	char *q;

	(void)state;
	q = plot_quote("");
	assert_string_equal(q, "''");
	free(q);
	q = plot_quote("it's; \"x\" \\n $HOME `id`");
	assert_string_equal(q, "'it''s; \"x\" \\n $HOME `id`'");
	free(q);
}

static void output_to_files(void **state)
{
	char *dir = scratch(), *out = xasprintf("%s/out.txt", dir), *text, *why;
	const char *argv[] = { "sh", "-c", "echo to-out; echo to-err >&2", NULL };
	struct proc_io io = { .out = out, .err = "/dev/null" };

	(void)state;
	assert_int_equal(proc_run(argv, &io, &why), 0);
	assert_null(why);
	text = read_file(out, NULL);
	assert_string_equal(text, "to-out\n");
	free(text);
	io.err = out;
	assert_int_equal(proc_run(argv, &io, &why), 0);
	text = read_file(out, NULL);
	assert_string_equal(text, "to-out\nto-err\n");
	free(text);
	free(out);
	assert_int_equal(rm_rf(dir), 0);
	free(dir);
}

static void captured(void **state)
{
	const char *two[] = { "sh", "-c", "echo first; echo err >&2; echo second", NULL };
	const char *big[] = { "sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo 0123456789; i=$((i+1)); done", NULL };
	struct strbuf b = { 0 };
	struct proc_io io = { .capture = &b };
	char *line, *why;

	(void)state;
	line = proc_line1(two);
	assert_string_equal(line, "first");
	free(line);
	assert_int_equal(proc_run(big, &io, &why), 0);
	assert_null(why);
	assert_int_equal(b.len, 20000 * 11);
	sb_free(&b);
	assert_true(proc_on_path("sh"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(missing_program),
		cmocka_unit_test(not_executable),
		cmocka_unit_test(killed_by_signal),
		cmocka_unit_test(exit_status),
		cmocka_unit_test(unopenable_output),
		cmocka_unit_test(unquotable),
		cmocka_unit_test(no_line),
		cmocka_unit_test(quoted),
		cmocka_unit_test(output_to_files),
		cmocka_unit_test(captured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
