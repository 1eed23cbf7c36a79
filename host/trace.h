/*
 * trace.h: lab trace as a function (trace.c), for its own command line
 * (cmd_trace) and for lab mitigations, which runs it once for all its
 * settings.
 */
#ifndef LAB_TRACE_H
#define LAB_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "boot.h"

/* The most settings one trace boots (default, off and the --setting ones). */
#define TRACE_SETTINGS_MAX 64

/* What lab trace is told. */
struct trace_opts {
	enum lab_arch arch;
	const char *kernel, *kobj, *initrd, *guest, *out;
	unsigned int timeout_s;	/* each boot's */
	bool check_only;	/* listings and check.tap: no report, no chart */
	/* no boots: each setting's trace.json and icount/ already in out */
	bool report_only;
	/*
	 * the built-in settings, words of "default" and "off" (space or
	 * comma between); NULL: "default off", or "default" alone with
	 * check_only and no other setting
	 */
	const char *mitigations;
	/* more settings, each NAME=ARGS: its boots' kernel command line
	 * ends in ARGS */
	const char *settings[TRACE_SETTINGS_MAX - 2];
	unsigned int nsettings;
};

/*
 * Whether t's settings are sound: each of --mitigations' words default or
 * off, each setting NAME=ARGS (NAME of a-z, 0-9, _ . -; ARGS without " or
 * \), no name twice. 0, or -1 with why.
 */
int trace_opts_check(const struct trace_opts *t, char *why, size_t n);
/* One --setting's value alone: 0, or -1 with why. */
int trace_setting_check(const char *setting, char *why, size_t n);

/* Traces every setting of t; 0 only if every check passed (dies with one
 * line when it cannot start). */
int trace_run(const struct trace_opts *t);

#endif
