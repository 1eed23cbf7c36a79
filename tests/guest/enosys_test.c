/*
 * On the kernel built with CONFIG_LAB_SYSCALLS=n: the numbers are still in
 * both tables, and every one of them answers ENOSYS (COND_SYSCALL() in
 * kernel/sys_ni.c), through every way into the kernel.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "lab_test.h"

#ifndef MAP_32BIT
#define MAP_32BIT 0
#endif

LAB_ADAPT(glibc, glibc)
LAB_ADAPT(int80, raw)
#if defined(__x86_64__)
LAB_ADAPT(syscall, raw)
static const struct lab_mech mech_glibc = LAB_MECH(glibc, 0);
static const struct lab_mech mech_syscall = LAB_MECH(syscall, 0);
#else
LAB_ADAPT(vdso, raw)
static const struct lab_mech mech_glibc = LAB_MECH(glibc, 1);
static const struct lab_mech mech_vdso = LAB_MECH(vdso, 1);
#endif
static const struct lab_mech mech_int80 = LAB_MECH(int80, 1);

FIXTURE(absent) {
	char *buf;
};

FIXTURE_VARIANT(absent) {
	const struct lab_mech *m;
};

FIXTURE_VARIANT_ADD(absent, glibc) { .m = &mech_glibc };
FIXTURE_VARIANT_ADD(absent, int80) { .m = &mech_int80 };
#if defined(__x86_64__)
FIXTURE_VARIANT_ADD(absent, syscall) { .m = &mech_syscall };
#else
FIXTURE_VARIANT_ADD(absent, vdso) { .m = &mech_vdso };
#endif

FIXTURE_SETUP(absent)
{
	self->buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, 0xaa, 4096);
}

FIXTURE_TEARDOWN(absent)
{
	munmap(self->buf, 4096);
}

TEST_F(absent, every_family_call_is_enosys)
{
	const struct lab_mech *m = variant->m;
	char *b = self->buf;

	EXPECT_EQ(-ENOSYS, m->null());
	EXPECT_EQ(-ENOSYS, m->hello());
	EXPECT_EQ(-ENOSYS, m->greeting(b, 64));
	EXPECT_EQ(-ENOSYS, m->set_greeting("x", 1));
	EXPECT_EQ(-ENOSYS, m->transform(b, b + 64, 8, 0));
	/* Nothing was written. */
	EXPECT_EQ(0xaa, (unsigned char)b[0]);
	EXPECT_EQ(0xaa, (unsigned char)b[64]);
}

TEST_F(absent, other_syscalls_still_work)
{
	EXPECT_EQ((long)getpid(),
		  variant->m->raw(variant->m->i386_numbers ? 20 : 39, 0, 0, 0, 0));
}

TEST_HARNESS_MAIN
