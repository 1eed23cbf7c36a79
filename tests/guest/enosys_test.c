/*
 * On the kernel built with CONFIG_LAB_SYSCALLS=n: the numbers are still in
 * both tables, and every one of them answers ENOSYS (COND_SYSCALL() in
 * kernel/sys_ni.c), through every way into the kernel: each call with
 * arguments it would act on, and every number of the declaration
 * (LAB_FAMILY_NRS, lab_syscall_wrappers.h) without any.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "lab_test.h"

LAB_DEFINE_MECHS()

FIXTURE(absent) {
	char *buf;
};

FIXTURE_VARIANT(absent) {
	const struct lab_mech *m;
};

LAB_MECH_VARIANTS(absent)

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
	struct lab_batch_rec *r = (void *)(b + 128);

	/* A record lab_batch() would run and write its result into. */
	memset(r, 0, sizeof(*r));
	r->op = LAB_BATCH_GREETING;
	r->args[0] = (uintptr_t)b;
	r->args[1] = 64;
	r->result = 0x5a5a5a5a;
	EXPECT_EQ(-ENOSYS, m->null());
	EXPECT_EQ(-ENOSYS, m->hello());
	EXPECT_EQ(-ENOSYS, m->greeting(b, 64));
	EXPECT_EQ(-ENOSYS, m->set_greeting("x", 1));
	EXPECT_EQ(-ENOSYS, m->transform(b, b + 64, 8, 0));
	EXPECT_EQ(-ENOSYS, m->batch(r, 1, 0));
	/* lab_sysinfo(): 32-bit callers through its compat entry's stub */
	EXPECT_EQ(-ENOSYS, m->raw(m->i386_numbers ? LAB_NR32_lab_sysinfo
						  : LAB_NR64_lab_sysinfo,
				  (long)(uintptr_t)(b + 256), 0, 0, 0));
	/* Answered before any argument is looked at. */
	EXPECT_EQ(-ENOSYS, m->batch(NULL, LAB_BATCH_MAX + 1, ~0U));
	/* Nothing was written. */
	EXPECT_EQ(0xaa, (unsigned char)b[0]);
	EXPECT_EQ(0xaa, (unsigned char)b[64]);
	EXPECT_EQ(0xaa, (unsigned char)b[256]);
	EXPECT_EQ(0x5a5a5a5a, r->result);
}

/* Every number of the family, a call added later too, without arguments. */
TEST_F(absent, every_number_is_enosys)
{
	static const long nr64[] = LAB_FAMILY_NRS(LAB_NR64_);
	static const long nr32[] = LAB_FAMILY_NRS(LAB_NR32_);
	static const char *const names[] = LAB_FAMILY_STRINGS;
	const struct lab_mech *m = variant->m;

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		long nr = m->i386_numbers ? nr32[i] : nr64[i];

		EXPECT_EQ(-ENOSYS, m->raw6(nr, 0, 0, 0, 0, 0, 0)) {
			TH_LOG("%s() through %s", names[i], m->name);
		}
	}
}

TEST_F(absent, other_syscalls_still_work)
{
	EXPECT_EQ((long)getpid(),
		  variant->m->raw(variant->m->i386_numbers ? 20 : SYS_getpid,
				  0, 0, 0, 0));
}

TEST_HARNESS_MAIN
