/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Constants shared by the syscall lab's system calls and their callers.
 * The syscall numbers themselves come from asm/unistd_{64,32}.h.
 */
#ifndef _UAPI_LINUX_LAB_SYSCALLS_H
#define _UAPI_LINUX_LAB_SYSCALLS_H

/* lab_greeting(): the greeting, NUL included, never exceeds this. */
#define LAB_GREETING_MAX	64

/* lab_transform(): longest buffer accepted, in bytes. */
#define LAB_TRANSFORM_MAX	4096

/* lab_transform() flags; every other bit is refused with EINVAL. */
#define LAB_TRANSFORM_UPPER	0x1U	/* a-z become A-Z, no other byte */
#define LAB_TRANSFORM_REVERSE	0x2U	/* last byte first */
#define LAB_TRANSFORM_ALL	(LAB_TRANSFORM_UPPER | LAB_TRANSFORM_REVERSE)

#endif /* _UAPI_LINUX_LAB_SYSCALLS_H */
