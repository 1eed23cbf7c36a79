/* checks.c: see checks.h. */
#define _GNU_SOURCE
#include "checks.h"

#include <stdarg.h>
#include <stdlib.h>

void check(struct checks *c, int result, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	c->n++;
	c->failed += result == CHECK_FAIL;
	sb_printf(&c->lines, "%sok %u %s%s\n", result == CHECK_FAIL ? "not " : "", c->n, what,
		  result == CHECK_SKIP ? " # SKIP" : "");
	free(what);
}

char *checks_ktap(const struct checks *c)
{
	return xasprintf("KTAP version 1\n1..%u\n%s", c->n, c->lines.s ? c->lines.s : "");
}
