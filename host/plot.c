/* plot.c: see plot.h. */
#define _GNU_SOURCE
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* script at the top of the lab: here, or above build/tools/lab. */
static char *find_script(const char *script)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (file_exists(script))
		return xstrdup(script);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');

		if (slash)
			*slash = '\0';
	}
	{
		char *p = xasprintf("%s/%s", exe, script);

		if (file_exists(p))
			return p;
		free(p);
	}
	return NULL;
}

static int run_gnuplot(const char *expr, const char *script)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDERR_FILENO);
		execlp("gnuplot", "gnuplot", "-e", expr, script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool plot(const char *script, const char *dat, const char *png, const char *extra, char **why)
{
	char *path = find_script(script), *tmp = xasprintf("%s.lab-tmp", png), *expr;
	int status;
	bool ok;

	*why = NULL;
	if (!path) {
		*why = xasprintf("no %s (run at the top of the lab)", script);
		free(tmp);
		return false;
	}
	if (strchr(dat, '\'') || strchr(tmp, '\'')) {
		*why = xasprintf("a ' in %s or %s", dat, png);
		free(tmp);
		free(path);
		return false;
	}
	expr = xasprintf("datafile='%s'; outfile='%s'%s%s", dat, tmp, extra ? "; " : "",
			 extra ? extra : "");
	status = run_gnuplot(expr, path);
	ok = status == 0 && file_exists(tmp) && rename(tmp, png) == 0;
	if (!ok) {
		unlink(tmp);
		*why = status == 127 ? xstrdup("no gnuplot (Debian package gnuplot-nox)")
				     : xasprintf("gnuplot %s failed (status %d)", path, status);
	}
	free(expr);
	free(tmp);
	free(path);
	return ok;
}
