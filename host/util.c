/* util.c: see util.h. */
#define _GNU_SOURCE
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("lab: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void say(const char *fmt, ...)
{
	va_list ap;

	fputs("==> ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		die("out of memory");
	return d;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct strbuf b = { 0 };
	char buf[65536];
	size_t n;
	int err;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&b, buf, n);
	err = ferror(f);
	fclose(f);
	if (err) {
		sb_free(&b);
		errno = EIO;
		return NULL;
	}
	sb_add(&b, "", 0);
	if (len)
		*len = b.len;
	return b.s;
}

bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int out_open(struct out_file *o, const char *path)
{
	o->path = xstrdup(path);
	o->tmp = xasprintf("%s.lab-tmp", path);
	o->f = fopen(o->tmp, "w");
	if (!o->f) {
		free(o->path);
		free(o->tmp);
		return -1;
	}
	return 0;
}

int out_commit(struct out_file *o)
{
	int bad = ferror(o->f);

	bad |= fclose(o->f) != 0;
	if (!bad && rename(o->tmp, o->path) == 0) {
		free(o->path);
		free(o->tmp);
		return 0;
	}
	unlink(o->tmp);
	free(o->path);
	free(o->tmp);
	return -1;
}

void out_abort(struct out_file *o)
{
	fclose(o->f);
	unlink(o->tmp);
	free(o->path);
	free(o->tmp);
}

void write_file(const char *path, const char *data, size_t len)
{
	struct out_file o;

	if (out_open(&o, path))
		die("cannot write %s: %s", path, strerror(errno));
	fwrite(data, 1, len, o.f);
	if (out_commit(&o))
		die("cannot write %s", path);
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST) {
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int ret = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", path, e->d_name);
		ret |= rm_rf(sub);
		free(sub);
	}
	closedir(d);
	return ret | rmdir(path);
}

void sb_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sb_add(b, s, strlen(s));
	free(s);
}

void sb_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *lab_path(const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *p;

#ifdef LAB_SRCDIR
	p = xasprintf("%s/%s", LAB_SRCDIR, rel);
	if (file_exists(p))
		return p;
	free(p);
#endif
	if (file_exists(rel)) {
		p = realpath(rel, NULL);
		return p ? p : xstrdup(rel);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');

		if (slash)
			*slash = '\0';
	}
	p = xasprintf("%s/%s", exe, rel);
	if (file_exists(p))
		return p;
	free(p);
	return NULL;
}
