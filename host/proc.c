/* proc.c: see proc.h. */
#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

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
			 open(io->err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		err[0] = STEP_ERR;
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			err[1] = errno;
	}
	if (!err[1]) {
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], (char *const *)argv);
		err[0] = STEP_EXEC;
		err[1] = errno;
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
		if (why)
			*why = xasprintf("cannot run %s: %s", argv[0], strerror(errno));
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
			if (why)
				*why = xasprintf("waiting for %s: %s", argv[0], strerror(errno));
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
		return -1;
	}
	if (WIFSIGNALED(status)) {
		if (why)
			*why = xasprintf("%s was killed by signal %d (%s)", argv[0],
					 WTERMSIG(status), strsignal(WTERMSIG(status)));
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
