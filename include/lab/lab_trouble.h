/*
 * lab_trouble.h: the one list of kernel-log lines that mean the kernel is in
 * trouble. The guest's PID 1 checks the kernel log against it at the end of
 * every plan; the host's supervisor checks every console line against it as
 * the console streams in, and stops the boot at the first one.
 */
#ifndef LAB_TROUBLE_H
#define LAB_TROUBLE_H

#include <string.h>

static const char *const lab_trouble_patterns[] = {
	"Kernel panic",
	"Oops:",
	"BUG: ",
	"kernel BUG",
	/* WARN()'s own line (kernel/panic.c __warn()); not any pr_warn()
	 * that says "WARNING:", as "ITS: WARNING: Spectre-v2 mitigation is
	 * off, disabling ITS" does when a switch is off on purpose */
	"WARNING: CPU: ",
	"general protection fault",
	"UBSAN:",
	"Call Trace:",
};

/* The pattern that line contains, or NULL. */
static inline const char *lab_trouble(const char *line)
{
	for (size_t i = 0; i < sizeof(lab_trouble_patterns) /
				   sizeof(lab_trouble_patterns[0]); i++)
		if (strstr(line, lab_trouble_patterns[i]))
			return lab_trouble_patterns[i];
	return NULL;
}

#endif
