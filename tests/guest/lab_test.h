/*
 * Shared by the lab's in-guest tests: every way into the kernel as one
 * table of functions, each returning the kernel's own answer (a negative
 * errno on failure, whatever convention the way in has).
 */
#ifndef LAB_TEST_H
#define LAB_TEST_H

#include <errno.h>
#include <stdint.h>

#include "lab_syscall.h"

struct lab_mech {
	const char *name;
	long (*null)(void);
	long (*hello)(void);
	long (*greeting)(char *buf, size_t size);
	long (*set_greeting)(const char *msg, size_t len);
	long (*transform)(const void *src, void *dst, size_t len,
			  unsigned int flags);
	long (*raw)(long nr, long a0, long a1, long a2, long a3);
	int i386_numbers; /* uses the 32-bit table */
};

/* glibc says -1 and errno; the others hand over the kernel's -errno.
 * (Functions, not macros: the call must be made exactly once.) */
static inline long lab_answer_glibc(long r)
{
	return r == -1 ? -(long)errno : r;
}

static inline long lab_answer_raw(long r)
{
	return r;
}

#define LAB_ADAPT(mech, conv)                                                \
	static long mech##_null(void)                                        \
	{                                                                    \
		return lab_answer_##conv(lab_##mech##_lab_null());          \
	}                                                                    \
	static long mech##_hello(void)                                       \
	{                                                                    \
		return lab_answer_##conv(lab_##mech##_hello());             \
	}                                                                    \
	static long mech##_greeting(char *buf, size_t size)                  \
	{                                                                    \
		return lab_answer_##conv(lab_##mech##_lab_greeting(buf, size)); \
	}                                                                    \
	static long mech##_set_greeting(const char *msg, size_t len)         \
	{                                                                    \
		return lab_answer_##conv(                                    \
			lab_##mech##_lab_set_greeting(msg, len));            \
	}                                                                    \
	static long mech##_transform(const void *src, void *dst, size_t len, \
				     unsigned int flags)                     \
	{                                                                    \
		return lab_answer_##conv(                                    \
			lab_##mech##_lab_transform(src, dst, len, flags));   \
	}                                                                    \
	static long mech##_raw(long nr, long a0, long a1, long a2, long a3)  \
	{                                                                    \
		return lab_answer_##conv(lab_##mech##_call(nr, a0, a1, a2, a3)); \
	}

#define LAB_MECH(mech, i386)                                                 \
	{ .name = #mech, .null = mech##_null, .hello = mech##_hello,         \
	  .greeting = mech##_greeting, .set_greeting = mech##_set_greeting,   \
	  .transform = mech##_transform, .raw = mech##_raw,                 \
	  .i386_numbers = (i386) }

#endif
