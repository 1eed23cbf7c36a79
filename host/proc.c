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

/* The child's side: its files, then exec; {step, errno} into report on failure. */
static void child(const char *const argv[], const struct proc_io *io, int report)
{
	int err[2] = { STEP_OUT, 0 }, out = -1;

	if (io && io->out) {
		out = open(io->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0 || dup2(out, STDOUT_FILENO) < 0)
			err[1] = errno;
	}
	if (!err[1] && io && io->err) {
		int fd = out >= 0 && !strcmp(io->out, io->err) ? out :
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

int proc_run(const char *const argv[], const struct proc_io *io, char **why)
{
	int pipefd[2], status, err[2] = { 0, 0 };
	ssize_t n;
	pid_t pid;

	if (why)
		*why = NULL;
	fflush(NULL);
	if (pipe2(pipefd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		if (why)
			*why = xasprintf("cannot run %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (pid == 0)
		child(argv, io, pipefd[1]);
	close(pipefd[1]);
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
