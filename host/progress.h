/*
 * progress.h: a boot's progress on a terminal. While QEMU runs, the
 * guest's KTAP stream (ktap.txt in the run directory) is read as it
 * grows, and one line on stderr says how far the plan is: the elapsed
 * time, the steps done of the plan's count, how many failed, the last
 * one's name. Nothing is printed when stderr is not a terminal: logs get
 * the boot's own lines when it ends.
 */
#ifndef LAB_PROGRESS_H
#define LAB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct progress {
	/* what the KTAP stream said so far (the top level only) */
	unsigned int planned;	/* its "1..N", or 0 before it came */
	unsigned int done, failed;
	char last[64];		/* the last step's name */
	/* the stream being read */
	char line[256];
	size_t len;
	bool overlong;		/* the line being read is longer than line[] */
	/* the terminal line */
	const char *path, *what;
	off_t offset;
	long long start_ms, shown_ms;
	bool on;
};

/* Feeds n bytes of a KTAP stream: counts the top-level results. */
void progress_feed(struct progress *p, const char *buf, size_t n);
/* The line as it would be shown, at elapsed seconds. */
void progress_format(const struct progress *p, long long seconds, char *buf, size_t size);

/* Starts watching path (it may not exist yet) for the boot called what. */
void progress_start(struct progress *p, const char *path, const char *what);
/* Reads what was added and redraws, at most once a second. */
void progress_tick(struct progress *p);
/* Clears the line. */
void progress_end(struct progress *p);

#endif
