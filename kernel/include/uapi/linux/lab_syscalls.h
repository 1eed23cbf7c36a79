/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Constants shared by the syscall lab's system calls and their callers.
 * The syscall numbers themselves come from asm/unistd_{64,32}.h.
 */
#ifndef _UAPI_LINUX_LAB_SYSCALLS_H
#define _UAPI_LINUX_LAB_SYSCALLS_H

#include <linux/types.h>

/* lab_greeting(): the greeting, NUL included, never exceeds this. */
#define LAB_GREETING_MAX	64

/* lab_transform(): longest buffer accepted, in bytes. */
#define LAB_TRANSFORM_MAX	4096

/* lab_transform() flags; every other bit is refused with EINVAL. */
#define LAB_TRANSFORM_UPPER	0x1U	/* a-z become A-Z, no other byte */
#define LAB_TRANSFORM_REVERSE	0x2U	/* last byte first */
#define LAB_TRANSFORM_ALL	(LAB_TRANSFORM_UPPER | LAB_TRANSFORM_REVERSE)

/*
 * lab_batch(recs, count, flags): up to LAB_BATCH_MAX of the family's calls
 * in one entry into the kernel, one record each.
 *
 * A record names its call by operation, not by system call number: the
 * numbers differ between ABIs (x86_64, i386, the generic table), the
 * operations do not. Every field has a fixed width and a fixed offset, so
 * 32-bit and 64-bit callers share the layout and the 32-bit entry needs no
 * compat translation. Pointers travel as __u64 (u64_to_user_ptr()).
 *
 * Per record the kernel reads op, flags and args, and writes result: the
 * call's return value, or -EINVAL for a record it refused (unknown op,
 * non-zero flags, a non-zero argument the call does not take, a
 * lab_transform() flags word over 32 bits). It writes
 * nothing else, and never a record it did not process.
 */
enum lab_batch_op {
	LAB_BATCH_NULL = 1,		/* lab_null() */
	LAB_BATCH_HELLO,		/* hello() */
	LAB_BATCH_GREETING,		/* lab_greeting(args[0], args[1]) */
	LAB_BATCH_SET_GREETING,		/* lab_set_greeting(args[0], args[1]) */
	LAB_BATCH_TRANSFORM,		/* lab_transform(args[0..3]) */
};

struct lab_batch_rec {
	__u32 op;	/* enum lab_batch_op */
	__u32 flags;	/* none defined yet: must be 0 */
	__u64 args[4];	/* the call's arguments; unused ones must be 0 */
	__s64 result;	/* out: the call's return value or -errno */
};

/* lab_batch(): most records in one call. */
#define LAB_BATCH_MAX		1024

/* lab_batch() flags; every other bit is refused with EINVAL. */
#define LAB_BATCH_STOP_ON_ERROR	0x1U	/* stop after the first failed record */
#define LAB_BATCH_ALL		LAB_BATCH_STOP_ON_ERROR

/*
 * lab_sysinfo(info, flags): a few figures of the running system, in the
 * spirit of xv6's sysinfo(), and the kernel's release string copied into a
 * buffer the caller names. flags must be 0.
 *
 * Unlike the family's other structures this one has fields whose width
 * follows the caller's ABI: __kernel_long_t and __kernel_ulong_t are 32 bits
 * for i386 and 32-bit ARM callers and 64 bits for x86_64, arm64 and x32
 * (as in struct sysinfo). So a 32-bit task on a 64-bit kernel goes through
 * a compat entry point that translates the layout, while x32 shares the
 * 64-bit layout and entry point. The buffer's address travels in an
 * unsigned long for that reason: its width is a pointer's on every ABI
 * but x32, where it is 64 bits, as on x86_64.
 */
struct lab_sysinfo {
	__kernel_long_t uptime;		/* out: seconds since boot */
	__kernel_ulong_t freeram;	/* out: free memory, in KiB */
	__kernel_ulong_t procs;		/* out: number of processes */
	__kernel_ulong_t release;	/* in: buffer for the release string, or 0 */
	__kernel_ulong_t release_size;	/* in: its size in bytes, 0 without one */
};

/* lab_sysinfo(): the largest release_size accepted. */
#define LAB_SYSINFO_RELEASE_MAX	4096

#endif /* _UAPI_LINUX_LAB_SYSCALLS_H */
