/* plot.c: see plot.h. */
#define _GNU_SOURCE
#include "plot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

char *plot_quote(const char *s)
{
	struct strbuf b = { 0 };

	sb_add(&b, "'", 1);
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			sb_free(&b);
			return NULL;
		}
		sb_add(&b, p, 1);
		if (*p == '\'')
			sb_add(&b, "'", 1);
	}
	sb_add(&b, "'", 1);
	return b.s;
}

/* "a='x'; n=3; outfile='tmp'", or NULL with why. */
static char *expression(const struct plot_var *vars, size_t n, const char *tmp, char **why)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i <= n; i++) {
		const char *name = i < n ? vars[i].name : "outfile";
		const char *str = i < n ? vars[i].str : tmp;
		char *q = NULL;

		if (str && !(q = plot_quote(str))) {
			*why = xasprintf("%s holds a character gnuplot cannot be given: %s", name, str);
			sb_free(&b);
			return NULL;
		}
		if (q)
			sb_printf(&b, "%s%s=%s", i ? "; " : "", name, q);
		else
			sb_printf(&b, "%s%s=%ld", i ? "; " : "", name, vars[i].num);
		free(q);
	}
	return b.s;
}

bool plot(const char *script, const char *png, const struct plot_var *vars, size_t n,
	  char **why)
{
	char *path = lab_path(script), *tmp = xasprintf("%s.lab-tmp", png), *expr = NULL;
	struct proc_io io = { .err = "/dev/null" };
	struct stat st;
	bool ok = false;

	*why = NULL;
	if (!path)
		*why = xasprintf("no %s (run at the top of the lab)", script);
	else if ((expr = expression(vars, n, tmp, why))) {
		const char *argv[] = { "gnuplot", "-e", expr, path, NULL };
		int status = proc_run(argv, &io, why);

		ok = status == 0 && stat(tmp, &st) == 0 && st.st_size > 0 && rename(tmp, png) == 0;
		if (!ok && !*why)
			*why = xasprintf("gnuplot %s wrote no chart", path);
		else if (!ok && status < 0 && strstr(*why, strerror(ENOENT))) {
			free(*why);
			*why = xstrdup("no gnuplot (Debian package gnuplot-nox)");
		}
	}
	if (!ok) {
		unlink(tmp);
		unlink(png);
	}
	free(expr);
	free(tmp);
	free(path);
	return ok;
}
