/*
 * Shared by the lab's in-guest tests: every way into the kernel as one
 * table of functions, each returning the kernel's own answer (a negative
 * errno on failure, whatever convention the way in has).
 */
#ifndef LAB_TEST_H
#define LAB_TEST_H

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "lab_syscall.h"

/*
 * One member per call of the family (kernel/family.tbl), named without its
 * "lab_" (null, hello, greeting, ...): LAB_MECH_CALLS, from
 * lab_syscall_wrappers.h, which the build writes from the declaration.
 */
struct lab_mech {
	const char *name;
	LAB_MECH_CALLS
	long (*raw)(long nr, long a0, long a1, long a2, long a3);
	long (*raw6)(long nr, long a0, long a1, long a2, long a3, long a4,
		     long a5);
	int i386_numbers; /* uses the 32-bit table */
};

/*
 * glibc says -1 and errno; the others hand over the kernel's -errno.
 * (Functions, not macros: the call must be made exactly once.)
 */
static inline long lab_answer_glibc(long r)
{
	return r == -1 ? -(long)errno : r;
}

static inline long lab_answer_raw(long r)
{
	return r;
}

#define LAB_ADAPT(mech, conv)                                                \
	LAB_ADAPT_CALLS(mech, conv)                                          \
	static long mech##_raw(long nr, long a0, long a1, long a2, long a3)  \
	{                                                                    \
		return lab_answer_##conv(lab_##mech##_call(nr, a0, a1, a2, a3)); \
	}                                                                    \
	static long mech##_raw6(long nr, long a0, long a1, long a2, long a3, \
				long a4, long a5)                            \
	{                                                                    \
		return lab_answer_##conv(                                    \
			lab_##mech##_call6(nr, a0, a1, a2, a3, a4, a5));     \
	}

#define LAB_MECH(mech, i386)                                                 \
	{ .name = #mech, LAB_MECH_CALLS_INIT(mech)                           \
	  .raw = mech##_raw, .raw6 = mech##_raw6,                            \
	  .i386_numbers = (i386) }

/*
 * LAB_DEFINE_MECHS(): the ways in of this binary's ABI, as mech_NAME.
 * LAB_MECH_VARIANTS(fixture): one kselftest fixture variant per way in
 * (needs kselftest_harness.h first; the variant holds `const struct
 * lab_mech *m`). It names the mech_NAME it uses first (they are the
 * static ones above), which also tells checkpatch.pl that the macro
 * declares things rather than being a statement to wrap in do-while.
 */
#if defined(__x86_64__)
#define LAB_DEFINE_MECHS()                                                   \
	LAB_ADAPT(glibc, glibc)                                              \
	LAB_ADAPT(int80, raw)                                                \
	LAB_ADAPT(syscall, raw)                                              \
	static const struct lab_mech mech_glibc = LAB_MECH(glibc, 0);        \
	static const struct lab_mech mech_syscall = LAB_MECH(syscall, 0);    \
	static const struct lab_mech mech_int80 = LAB_MECH(int80, 1);
#define LAB_MECH_VARIANTS(fixture)                                           \
	extern const struct lab_mech mech_glibc, mech_int80, mech_syscall;   \
	FIXTURE_VARIANT_ADD(fixture, glibc) { .m = &mech_glibc };            \
	FIXTURE_VARIANT_ADD(fixture, int80) { .m = &mech_int80 };            \
	FIXTURE_VARIANT_ADD(fixture, syscall) { .m = &mech_syscall };
#define LAB_ALL_MECHS { &mech_glibc, &mech_int80, &mech_syscall }
#elif defined(__aarch64__) || defined(__arm__)
/* arm64 and 32-bit arm: syscall(2) and svc #0, both with the native table
 * (on arm, the 32-bit one: i386_numbers means "the 32-bit table"). */
#if defined(__arm__)
#define LAB_SVC_32 1
#else
#define LAB_SVC_32 0
#endif
#define LAB_DEFINE_MECHS()                                                   \
	LAB_ADAPT(glibc, glibc)                                              \
	LAB_ADAPT(svc, raw)                                                  \
	static const struct lab_mech mech_glibc = LAB_MECH(glibc, LAB_SVC_32); \
	static const struct lab_mech mech_svc = LAB_MECH(svc, LAB_SVC_32);
#define LAB_MECH_VARIANTS(fixture)                                           \
	extern const struct lab_mech mech_glibc, mech_svc;                   \
	FIXTURE_VARIANT_ADD(fixture, glibc) { .m = &mech_glibc };            \
	FIXTURE_VARIANT_ADD(fixture, svc) { .m = &mech_svc };
#define LAB_ALL_MECHS { &mech_glibc, &mech_svc }
#else
#define LAB_DEFINE_MECHS()                                                   \
	LAB_ADAPT(glibc, glibc)                                              \
	LAB_ADAPT(int80, raw)                                                \
	LAB_ADAPT(vdso, raw)                                                 \
	static const struct lab_mech mech_glibc = LAB_MECH(glibc, 1);        \
	static const struct lab_mech mech_vdso = LAB_MECH(vdso, 1);          \
	static const struct lab_mech mech_int80 = LAB_MECH(int80, 1);
#define LAB_MECH_VARIANTS(fixture)                                           \
	extern const struct lab_mech mech_glibc, mech_int80, mech_vdso;      \
	FIXTURE_VARIANT_ADD(fixture, glibc) { .m = &mech_glibc };            \
	FIXTURE_VARIANT_ADD(fixture, int80) { .m = &mech_int80 };            \
	FIXTURE_VARIANT_ADD(fixture, vdso) { .m = &mech_vdso };
#define LAB_ALL_MECHS { &mech_glibc, &mech_int80, &mech_vdso }
#endif

#ifndef MAP_32BIT
#define MAP_32BIT 0
#endif

/*
 * Fresh private pages, below 4 GiB where the architecture can place them
 * (MAP_32BIT: an address every way in, 32-bit ones too, can carry), or
 * NULL.
 */
static inline void *lab_map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * A copy out that faulted part-way: how many of the n bytes at p are the
 * first bytes of want, when every byte after those still holds fill; -1
 * when the bytes are anything else.
 */
static inline int lab_prefix_then_fill(const char *p, const char *want,
				       int n, unsigned char fill)
{
	int k = 0;

	while (k < n && p[k] == want[k])
		k++;
	for (int i = k; i < n; i++)
		if ((unsigned char)p[i] != fill)
			return -1;
	return k;
}

/*
 * What a copy_to_user() that faults part-way has written before the fault.
 * x86's writes every byte up to the fault, as lab_greeting(2) says. arm64's
 * (__arch_copy_to_user(), AArch32 tasks' too) stores a word at a time and,
 * when a store faults with nothing copied yet, stores one byte more and
 * stops: less than possible, which the kernel's uaccess contract allows
 * (include/linux/uaccess.h: a copy need not "squeeze as much as possible",
 * only make progress). There, at least the first byte, and a prefix.
 */
#if defined(__aarch64__) || defined(__arm__)
#define LAB_FAULT_COPY_EXACT 0
#else
#define LAB_FAULT_COPY_EXACT 1
#endif

#endif
