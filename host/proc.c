/* proc.c: see proc.h. */
#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/*
 * execv() of argv[0], searched in PATH when it has no '/'. Not execvp():
 * that runs /bin/sh on a file the kernel refuses (ENOEXEC), and a file the
 * host cannot run must stay one. In the child; returns why it failed.
 */
static int exec_path(const char *const argv[])
{
	const char *path = getenv("PATH"), *d;
	char file[PATH_MAX];
	int err = ENOENT;

	if (strchr(argv[0], '/')) {
		execv(argv[0], (char *const *)argv);
		return errno;
	}
	for (d = path && *path ? path : "/usr/bin:/bin"; ; d++) {
		size_t len = strcspn(d, ":");

		/* an empty entry is the current directory */
		if (snprintf(file, sizeof(file), "%.*s/%s", (int)(len ? len : 1), len ? d : ".",
			     argv[0]) < (int)sizeof(file)) {
			execv(file, (char *const *)argv);
			if (errno == EACCES)
				err = EACCES;
			else if (errno != ENOENT && errno != ENOTDIR)
				return errno;
		}
		d += len;
		if (!*d)
			return err;
	}
}

/* What the child reports when it cannot exec: which step failed, errno. */
enum { STEP_OUT, STEP_ERR, STEP_EXEC };

/* The child's side: its files, then exec; {step, errno} into report on failure.
 * capture: the write end of the pipe its output goes into, or -1. */
static void child(const char *const argv[], const struct proc_io *io, int report, int capture)
{
	int err[2] = { STEP_OUT, 0 }, out = -1;

	if (capture >= 0) {
		if (dup2(capture, STDOUT_FILENO) < 0)
			err[1] = errno;
	} else if (io && io->out) {
		out = open(io->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0 || dup2(out, STDOUT_FILENO) < 0)
			err[1] = errno;
	}
	if (!err[1] && io && io->err) {
		int fd = out >= 0 && io->out && !strcmp(io->out, io->err) ? out :
			 open(io->err, O_WRONLY | O_CREAT | O_CLOEXEC |
				       (io->err_append ? O_APPEND : O_TRUNC), 0644);

		err[0] = STEP_ERR;
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			err[1] = errno;
	}
	if (!err[1]) {
		signal(SIGPIPE, SIG_DFL);
		err[0] = STEP_EXEC;
		err[1] = exec_path(argv);
	}
	if (write(report, err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

/* All of fd into b, to its end. */
static void drain(int fd, struct strbuf *b)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		sb_add(b, buf, (size_t)n);
	}
}

int proc_run(const char *const argv[], const struct proc_io *io, char **why)
{
	int pipefd[2], cap[2] = { -1, -1 }, status, err[2] = { 0, 0 };
	ssize_t n;
	pid_t pid;

	if (why)
		*why = NULL;
	fflush(NULL);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		int e = errno;

		if (why)
			*why = xasprintf("cannot run %s: %s", argv[0], strerror(e));
		errno = e;
		return -1;
	}
	if ((io && io->capture && pipe2(cap, O_CLOEXEC) < 0) || (pid = fork()) < 0) {
		int e = errno;

		for (int i = 0; i < 2; i++) {
			close(pipefd[i]);
			if (cap[i] >= 0)
				close(cap[i]);
		}
		if (why)
			*why = xasprintf("cannot run %s: %s", argv[0], strerror(e));
		errno = e;
		return -1;
	}
	if (pid == 0)
		child(argv, io, pipefd[1], cap[1]);
	close(pipefd[1]);
	if (cap[0] >= 0) {
		close(cap[1]);
		drain(cap[0], io->capture);
		close(cap[0]);
	}
	while ((n = read(pipefd[0], err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			int e = errno;

			if (why)
				*why = xasprintf("waiting for %s: %s", argv[0], strerror(e));
			errno = e;
			return -1;
		}
	if (n == (ssize_t)sizeof(err)) {
		if (why && err[0] == STEP_EXEC)
			*why = xasprintf("cannot run %s: %s", argv[0], strerror(err[1]));
		else if (why && err[0] == STEP_OUT && io->capture)
			*why = xasprintf("cannot run %s: its output not captured: %s", argv[0],
					 strerror(err[1]));
		else if (why)
			*why = xasprintf("cannot run %s: cannot write %s: %s", argv[0],
					 err[0] == STEP_OUT ? io->out : io->err, strerror(err[1]));
		errno = err[1];
		return -1;
	}
	if (WIFSIGNALED(status)) {
		if (why)
			*why = xasprintf("%s was killed by signal %d (%s)", argv[0],
					 WTERMSIG(status), strsignal(WTERMSIG(status)));
		errno = 0;
		return -1;
	}
	if (WEXITSTATUS(status) && why)
		*why = xasprintf("%s exited with status %d", argv[0], WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

char *proc_line1(const char *const argv[])
{
	struct strbuf b = { 0 };
	struct proc_io io = { .err = "/dev/null", .capture = &b };
	char *line;

	proc_run(argv, &io, NULL);
	line = xstrdup(b.s ? b.s : "");
	line[strcspn(line, "\n")] = '\0';
	sb_free(&b);
	return line;
}

bool proc_on_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL;
	bool found = false;

	copy = xstrdup(path && *path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(copy, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *d ? d : ".", name);

		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}
