/*
 * proc.h: one program run to its end, without a shell: fork, exec (PATH
 * searched), wait; a signal that ends it and an exec that fails are told
 * apart from an exit status. Its standard output and error can go to files.
 * (QEMU's supervision in boot.c, and lab trace's boot and gdb children,
 * which run beside this process, are not this: they have their own.)
 */
#ifndef LAB_PROC_H
#define LAB_PROC_H

#include <stdbool.h>

#include "util.h"

/* Where the child's standard output and error go: NULL leaves this
 * process's; a path is truncated and written ("/dev/null" discards). The
 * same path for both: one file, both streams in it. capture (if set)
 * takes the standard output instead of out: all of it, appended. */
struct proc_io {
	const char *out, *err;
	bool err_append;	/* err appended to, not truncated */
	struct strbuf *capture;
};

/*
 * Runs argv[0] (argv NULL-terminated; searched in PATH when it has no '/',
 * and never handed to a shell, not even a file the kernel cannot execute)
 * with io (NULL: both inherited) and waits for it. Returns its exit status
 * (0 to 255), or -1 if it could not be run (a file not opened, fork or
 * exec failed: errno says why, ENOEXEC for a program this host cannot run)
 * or a signal ended it (errno 0).
 * Unless it exited 0, *why (if why) is a malloc'd sentence: "cannot run
 * gnuplot: No such file or directory", "gnuplot was killed by signal 9
 * (Killed)", "gnuplot exited with status 1"; otherwise NULL.
 */
int proc_run(const char *const argv[], const struct proc_io *io, char **why);

/* The first line of argv's standard output, without its newline (its
 * standard error discarded, its exit status not looked at), malloc'd; ""
 * if it could not be run or printed nothing. */
char *proc_line1(const char *const argv[]);

/* name is an executable file in a directory of PATH. */
bool proc_on_path(const char *name);

#endif
