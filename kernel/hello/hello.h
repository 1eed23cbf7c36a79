/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers behind the syscall lab's system calls that touch no user memory,
 * shared with their KUnit tests.
 */
#ifndef _LAB_HELLO_H
#define _LAB_HELLO_H

#include <linux/compat.h>
#include <linux/types.h>

struct lab_batch_rec;

/*
 * What lab_sysinfo()'s two entry points hand to its body, whatever the
 * caller's layout: the buffer (compat_ptr()'d for a 32-bit caller) and its
 * size in, the figures out.
 */
struct lab_sysinfo_args {
	long uptime;
	unsigned long freeram;
	unsigned long procs;
	char __user *release;
	size_t release_size;
};

#ifdef CONFIG_COMPAT
/* struct lab_sysinfo as i386 and AArch32 tasks lay it out. */
struct compat_lab_sysinfo {
	compat_long_t uptime;
	compat_ulong_t freeram;
	compat_ulong_t procs;
	compat_uptr_t release;
	compat_ulong_t release_size;
};

int lab_sysinfo_to_compat(const struct lab_sysinfo_args *a,
			  struct compat_lab_sysinfo *c);
#endif

int lab_transform_check(size_t len, unsigned int flags);
void lab_transform_buf(char *buf, size_t len, unsigned int flags);
int lab_greeting_store(const char *msg, size_t len);
size_t lab_greeting_load(char *buf);
void lab_greeting_reset(void);
int lab_batch_check(unsigned int count, unsigned int flags);
int lab_batch_rec_check(const struct lab_batch_rec *rec);
int lab_sysinfo_check(const struct lab_sysinfo_args *a, unsigned int flags);
void lab_sysinfo_fill(struct lab_sysinfo_args *a);
long lab_sysinfo_run(struct lab_sysinfo_args *a, unsigned int flags);

#endif /* _LAB_HELLO_H */
