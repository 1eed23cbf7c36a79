/*
 * The hello family through every way into the kernel, with the kernel's
 * own kselftest harness. Every test runs once per way in (a fixture
 * variant); all of them must give the same answers. Built twice: x86_64
 * (syscall(2), syscall, int $0x80) and i386 (syscall(2), int $0x80, vDSO).
 *
 * Buffers come from mmap(MAP_32BIT): int $0x80 from a 64-bit process
 * passes 32-bit pointers.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lab_test.h"

LAB_DEFINE_MECHS()

#define PAGE 4096UL
#define KERNEL_HALF ((void *)(uintptr_t)(sizeof(long) == 8 ? 0xffffffff81000000UL : 0xffffe000UL))

FIXTURE(lab) {
	char *rw;	/* two read-write pages */
	char *ro;	/* a read-only page */
	char *gone;	/* a page that was unmapped */
	char *edge;	/* a read-write page followed by an inaccessible one */
};

FIXTURE_VARIANT(lab) {
	const struct lab_mech *m;
};

LAB_MECH_VARIANTS(lab)

static char *map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE_SETUP(lab)
{
	self->rw = map(2 * PAGE, PROT_READ | PROT_WRITE);
	self->ro = map(PAGE, PROT_READ);
	self->gone = map(PAGE, PROT_READ | PROT_WRITE);
	self->edge = map(2 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->rw);
	ASSERT_NE(NULL, self->ro);
	ASSERT_NE(NULL, self->gone);
	ASSERT_NE(NULL, self->edge);
	ASSERT_EQ(0, munmap(self->gone, PAGE));
	ASSERT_EQ(0, mprotect(self->edge + PAGE, PAGE, PROT_NONE));
	memset(self->rw, 0xaa, 2 * PAGE);
}

FIXTURE_TEARDOWN(lab)
{
	munmap(self->rw, 2 * PAGE);
	munmap(self->ro, PAGE);
	munmap(self->edge, 2 * PAGE);
}

static long nr_of(const struct lab_mech *m, long nr64, long nr32)
{
	return m->i386_numbers ? nr32 : nr64;
}

TEST_F(lab, null_returns_zero)
{
	EXPECT_EQ(0, variant->m->null());
}

TEST_F(lab, hello_returns_zero_and_logs)
{
	char rec[1024];
	int found = 0;
	ssize_t n;
	int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	ASSERT_LE(0, kmsg);
	lseek(kmsg, 0, SEEK_END);
	EXPECT_EQ(0, variant->m->hello());
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = '\0';
		if (strstr(rec, ";hello: Hello world"))
			found = 1;
	}
	close(kmsg);
	EXPECT_TRUE(found);
}

TEST_F(lab, greeting_copies_string_and_nothing_more)
{
	char *buf = self->rw;

	ASSERT_EQ(11, variant->m->greeting(buf, 64));
	EXPECT_STREQ("Hello world", buf);
	/* Past the NUL, the caller's bytes are untouched. */
	for (int i = 12; i < 64; i++)
		ASSERT_EQ(0xaa, (unsigned char)buf[i]);
	/* Exactly enough room. */
	EXPECT_EQ(11, variant->m->greeting(buf, 12));
}

TEST_F(lab, greeting_too_small_is_erange)
{
	EXPECT_EQ(-ERANGE, variant->m->greeting(self->rw, 11));
	EXPECT_EQ(-ERANGE, variant->m->greeting(self->rw, 0));
	EXPECT_EQ(-ERANGE, variant->m->greeting(NULL, 0));
	EXPECT_EQ(0xaa, (unsigned char)self->rw[0]);
}

TEST_F(lab, greeting_bad_pointers_are_efault)
{
	EXPECT_EQ(-EFAULT, variant->m->greeting(NULL, 64));
	EXPECT_EQ(-EFAULT, variant->m->greeting(self->gone, 64));
	EXPECT_EQ(-EFAULT, variant->m->greeting(self->ro, 64));
	EXPECT_EQ(-EFAULT, variant->m->greeting(KERNEL_HALF, 64));
	/* The string would straddle into an inaccessible page. */
	EXPECT_EQ(-EFAULT, variant->m->greeting(self->edge + PAGE - 4, 64));
}

TEST_F(lab, transform_copies_and_transforms)
{
	char *in = self->rw, *out = self->rw + PAGE;

	memcpy(in, "Hello, Kernel", 13);
	EXPECT_EQ(13, variant->m->transform(in, out, 13, 0));
	EXPECT_EQ(0, memcmp(out, "Hello, Kernel", 13));
	EXPECT_EQ(13, variant->m->transform(in, out, 13, LAB_TRANSFORM_UPPER));
	EXPECT_EQ(0, memcmp(out, "HELLO, KERNEL", 13));
	EXPECT_EQ(13, variant->m->transform(in, out, 13, LAB_TRANSFORM_REVERSE));
	EXPECT_EQ(0, memcmp(out, "lenreK ,olleH", 13));
	EXPECT_EQ(13, variant->m->transform(in, out, 13, LAB_TRANSFORM_ALL));
	EXPECT_EQ(0, memcmp(out, "LENREK ,OLLEH", 13));
	EXPECT_EQ(0xaa, (unsigned char)out[13]);
	/* In place: source and destination may be the same buffer. */
	EXPECT_EQ(13, variant->m->transform(in, in, 13, LAB_TRANSFORM_REVERSE));
	EXPECT_EQ(0, memcmp(in, "lenreK ,olleH", 13));
}

TEST_F(lab, transform_length_limits)
{
	char *in = self->rw, *out = self->rw + PAGE;

	EXPECT_EQ(0, variant->m->transform(NULL, NULL, 0, 0));
	EXPECT_EQ(LAB_TRANSFORM_MAX,
		  variant->m->transform(in, out, LAB_TRANSFORM_MAX, 0));
	EXPECT_EQ(-EINVAL,
		  variant->m->transform(in, out, LAB_TRANSFORM_MAX + 1, 0));
	EXPECT_EQ(-EINVAL, variant->m->transform(in, out, (size_t)-1, 0));
	/* Sign bit set, in 32 bits too (int $0x80 passes only those). */
	EXPECT_EQ(-EINVAL,
		  variant->m->transform(in, out, (size_t)UINT32_MAX / 2 + 2, 0));
}

TEST_F(lab, transform_unknown_flags_are_einval)
{
	char *in = self->rw, *out = self->rw + PAGE;

	for (int bit = 0; bit < 32; bit++) {
		unsigned int flag = 1U << bit;

		if (flag & LAB_TRANSFORM_ALL)
			continue;
		ASSERT_EQ(-EINVAL, variant->m->transform(in, out, 1, flag))
			TH_LOG("flag bit %d was accepted", bit);
	}
	EXPECT_EQ(0xaa, (unsigned char)out[0]);
}

TEST_F(lab, transform_bad_pointers_are_efault)
{
	char *in = self->rw, *out = self->rw + PAGE;

	EXPECT_EQ(-EFAULT, variant->m->transform(NULL, out, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(in, NULL, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(self->gone, out, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(in, self->gone, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(in, self->ro, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(KERNEL_HALF, out, 8, 0));
	EXPECT_EQ(-EFAULT, variant->m->transform(in, KERNEL_HALF, 8, 0));
	/* The last address plus a length wraps around: never a success. */
	EXPECT_EQ(-EFAULT, variant->m->transform((void *)(uintptr_t)-16, out,
						 64, 0));
}

TEST_F(lab, transform_partial_copies_are_not_success)
{
	char *in = self->rw;

	/* Half of the output fits before the inaccessible page. */
	EXPECT_EQ(-EFAULT, variant->m->transform(in, self->edge + PAGE - 8,
						 16, 0));
	/* Half of the input lies before it. */
	EXPECT_EQ(-EFAULT, variant->m->transform(self->edge + PAGE - 8, in,
						 16, 0));
}

TEST_F(lab, set_greeting_round_trip)
{
	char *msg = self->rw, *buf = self->rw + PAGE;

	memcpy(msg, "Hi", 2);
	ASSERT_EQ(0, variant->m->set_greeting(msg, 2));
	EXPECT_EQ(2, variant->m->greeting(buf, 64));
	EXPECT_STREQ("Hi", buf);
	/* Nothing of the old, longer greeting comes out. */
	EXPECT_EQ(0xaa, (unsigned char)buf[3]);
	memcpy(msg, "Hello world", 11);
	ASSERT_EQ(0, variant->m->set_greeting(msg, 11));
}

TEST_F(lab, set_greeting_bad_input)
{
	char *msg = self->rw;

	memset(msg, 'x', LAB_GREETING_MAX);
	EXPECT_EQ(-EINVAL, variant->m->set_greeting(msg, 0));
	EXPECT_EQ(-EINVAL, variant->m->set_greeting(msg, LAB_GREETING_MAX));
	EXPECT_EQ(-EINVAL, variant->m->set_greeting(msg, (size_t)-1));
	memcpy(msg, "a\0b", 3);
	EXPECT_EQ(-EINVAL, variant->m->set_greeting(msg, 3));
	EXPECT_EQ(-EFAULT, variant->m->set_greeting(NULL, 5));
	EXPECT_EQ(-EFAULT, variant->m->set_greeting(self->gone, 5));
	EXPECT_EQ(-EFAULT, variant->m->set_greeting(KERNEL_HALF, 5));
	EXPECT_EQ(11, variant->m->greeting(self->rw + PAGE, 64));
}

/* The harness runs each test in its own child: dropping privileges here
 * touches no other test. */
TEST_F(lab, set_greeting_unprivileged_is_eperm)
{
	memcpy(self->rw, "pwned", 5);
	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	EXPECT_EQ(-EPERM, variant->m->set_greeting(self->rw, 5));
	/* Permission is checked before the pointer is looked at. */
	EXPECT_EQ(-EPERM, variant->m->set_greeting(NULL, 5));
	EXPECT_EQ(11, variant->m->greeting(self->rw + PAGE, 64));
	EXPECT_STREQ("Hello world", self->rw + PAGE);
}

TEST_F(lab, numbers_without_a_syscall_are_enosys)
{
	const struct lab_mech *m = variant->m;

	EXPECT_EQ(-ENOSYS, m->raw(nr_of(m, LAB_NR64_COUNT, LAB_NR32_COUNT),
				  0, 0, 0, 0));
	EXPECT_EQ(-ENOSYS, m->raw(nr_of(m, LAB_NR64_COUNT, LAB_NR32_COUNT) +
				  1000, 0, 0, 0, 0));
	EXPECT_EQ(-ENOSYS, m->raw(nr_of(m, LAB_NR64_NO_ENTRY,
					LAB_NR32_NO_ENTRY), 0, 0, 0, 0));
	EXPECT_EQ(-ENOSYS, m->raw(-1, 0, 0, 0, 0));
}

/* One answer, whatever the way in. */
TEST(every_way_in_agrees)
{
	static const struct lab_mech *const all[] = LAB_ALL_MECHS;
	char *buf = map(PAGE, PROT_READ | PROT_WRITE);
	long want_greet, want_tr;

	ASSERT_NE(NULL, buf);
	memcpy(buf, "agree", 5);
	want_greet = all[0]->greeting(buf + 64, 64);
	want_tr = all[0]->transform(buf, buf + 128, 5, LAB_TRANSFORM_ALL);
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		char *out = buf + 256 + i * 256;

		EXPECT_EQ(0, all[i]->null());
		EXPECT_EQ(want_greet, all[i]->greeting(out, 64));
		EXPECT_STREQ(buf + 64, out);
		EXPECT_EQ(want_tr, all[i]->transform(buf, out + 64, 5,
						     LAB_TRANSFORM_ALL));
		EXPECT_EQ(0, memcmp(buf + 128, out + 64, 5));
		EXPECT_EQ(-EINVAL, all[i]->transform(buf, out, 1, 4));
		EXPECT_EQ(-EFAULT, all[i]->greeting(NULL, 64));
	}
	EXPECT_EQ(0, memcmp(buf + 128, "EERGA", 5));
	munmap(buf, PAGE);
}

TEST_HARNESS_MAIN
