/* untar.c: see untar.h. */
#define _GNU_SOURCE
#include "untar.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BLOCK 512

/* A header's octal field (NUL- or space-terminated), or -1. */
static long long octal(const char *f, size_t n)
{
	long long v = 0;
	size_t i = 0;

	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (1LL << 40))
			return -1;
		v = v * 8 + (f[i] - '0');
	}
	if (i < n && f[i] != '\0' && f[i] != ' ')
		return -1;
	return v;
}

/* The sum of the header's bytes, its checksum field counted as spaces. */
static long long header_sum(const unsigned char *h)
{
	long long sum = 0;

	for (size_t i = 0; i < BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return sum;
}

/* A name under the directory: relative, and no component "..". */
static bool name_ok(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !strncmp(p, "..", 2))
			return false;
		p += n;
		p += *p == '/';
	}
	return true;
}

static bool all_zero(const char *b)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (b[i])
			return false;
	return true;
}

__attribute__((format(printf, 2, 3)))
static int fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

int untar(const char *data, size_t len, const char *dir, char **err)
{
	size_t off = 0;

	*err = NULL;
	if (mkdir_p(dir))
		return fail(err, "cannot make %s: %s", dir, strerror(errno));
	for (;;) {
		const char *h = data + off;
		char name[256], *path;
		long long size, sum;
		size_t nlen, plen;

		if (len - off < BLOCK)
			return fail(err, "the archive ends at byte %zu, without its end blocks", off);
		if (all_zero(h)) {
			if (len - off < 2 * BLOCK || !all_zero(h + BLOCK))
				return fail(err, "the archive ends at byte %zu with one end block of two", off);
			return 0;
		}
		sum = octal(h + 148, 8);
		if (sum < 0 || sum != header_sum((const unsigned char *)h))
			return fail(err, "the header at byte %zu has a wrong checksum", off);
		if (memcmp(h + 257, "ustar", 5))
			return fail(err, "the header at byte %zu is not a ustar header", off);
		size = octal(h + 124, 12);
		if (size < 0)
			return fail(err, "the header at byte %zu has no size", off);
		nlen = strnlen(h, 100);
		plen = !memcmp(h + 257, "ustar\0", 6) ? strnlen(h + 345, 155) : 0;
		snprintf(name, sizeof(name), "%.*s%s%.*s", (int)plen, h + 345,
			 plen ? "/" : "", (int)nlen, h);
		/* busybox names the top "./" and its entries "./x" */
		while (!strncmp(name, "./", 2))
			memmove(name, name + 2, strlen(name + 2) + 1);
		off += BLOCK;
		if ((unsigned long long)size > len - off)
			return fail(err, "%s: %lld bytes, the archive has %zu more", name,
				    size, len - off);
		if (*name && !name_ok(name))
			return fail(err, "%s: not a name under the directory", name);
		path = xasprintf("%s/%s", dir, name);
		if (h[156] == '5') {
			if (mkdir_p(path)) {
				free(path);
				return fail(err, "cannot make %s/%s: %s", dir, name, strerror(errno));
			}
		} else if (h[156] == '0' || h[156] == '\0') {
			char *slash = strrchr(path, '/');

			*slash = '\0';
			mkdir_p(path);
			*slash = '/';
			write_file(path, h + BLOCK, (size_t)size);
		} else {
			free(path);
			return fail(err, "%s: an entry of type '%c', not a file or a directory",
				    name, h[156]);
		}
		free(path);
		off += ((size_t)size + BLOCK - 1) / BLOCK * BLOCK;
	}
}
