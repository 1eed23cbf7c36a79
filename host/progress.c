/*
 * progress.c: a boot's progress on a terminal, from the guest's KTAP
 * stream as it grows (see progress.h).
 */
#define _GNU_SOURCE
#include "progress.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* "ok N name" or "not ok N name" at the top level (no indent). */
static void progress_result(struct progress *p, const char *s, bool ok)
{
	char *end;

	strtoul(s, &end, 10);
	if (end == s)
		return;
	p->done++;
	p->failed += !ok;
	while (*end == ' ' || *end == '-')
		end++;
	snprintf(p->last, sizeof(p->last), "%.*s", (int)strcspn(end, " #"), end);
}

static void progress_line(struct progress *p)
{
	const char *s = p->line;
	unsigned int n;
	char tail;

	if (strncmp(s, "ok ", 3) == 0)
		progress_result(p, s + 3, true);
	else if (strncmp(s, "not ok ", 7) == 0)
		progress_result(p, s + 7, false);
	else if (sscanf(s, "1..%u%c", &n, &tail) == 1)
		p->planned = n;
}

void progress_feed(struct progress *p, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (p->len < sizeof(p->line) - 1)
				p->line[p->len++] = buf[i];
			else
				p->overlong = true;
			continue;
		}
		p->line[p->len] = '\0';
		if (!p->overlong)
			progress_line(p);
		p->len = 0;
		p->overlong = false;
	}
}

void progress_format(const struct progress *p, long long seconds, char *buf, size_t size)
{
	int n = snprintf(buf, size, "    ... %llds, %s", seconds, p->what);

	if (n < 0 || (size_t)n >= size)
		return;
	if (p->planned)
		n += snprintf(buf + n, size - n, ": %u of %u steps", p->done, p->planned);
	else if (p->done)
		n += snprintf(buf + n, size - n, ": %u steps", p->done);
	else
		n += snprintf(buf + n, size - n, ": booting");
	if ((size_t)n < size && p->failed)
		n += snprintf(buf + n, size - n, ", %u failed", p->failed);
	if ((size_t)n < size && p->done)
		snprintf(buf + n, size - n, " (last: %s)", p->last);
}

void progress_start(struct progress *p, const char *path, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	p->what = what;
	p->start_ms = now_ms();
	p->shown_ms = -1000;
	p->on = isatty(STDERR_FILENO);
}

/* What was added to the stream since the last read. */
static void progress_read(struct progress *p)
{
	char buf[4096];
	ssize_t n;
	int fd = open(p->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = pread(fd, buf, sizeof(buf), p->offset)) > 0) {
		progress_feed(p, buf, (size_t)n);
		p->offset += n;
	}
	close(fd);
}

void progress_tick(struct progress *p)
{
	long long now = now_ms();
	char line[200];

	if (!p->on || now - p->shown_ms < 1000)
		return;
	p->shown_ms = now;
	progress_read(p);
	progress_format(p, (now - p->start_ms) / 1000, line, sizeof(line));
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
}

void progress_end(struct progress *p)
{
	if (p->on && p->shown_ms >= 0) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}
