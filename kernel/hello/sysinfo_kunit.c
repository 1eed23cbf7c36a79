// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for lab_sysinfo()'s body and its 32-bit translation: the
 * argument checks, the figures, and the compat layout's limits. The copies
 * to and from user memory are tested from user space by the lab's
 * kselftests (sysinfo_test, 64- and 32-bit).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/timekeeping.h>
#include <uapi/linux/lab_syscalls.h>

#include "hello.h"

static void lab_sysinfo_check_refuses(struct kunit *test)
{
	char __user *buf = (char __user *)0x10000;
	struct lab_sysinfo_args none = {}, ok = { .release = buf, .release_size = 65 };
	struct lab_sysinfo_args a;
	unsigned int bit;

	KUNIT_EXPECT_EQ(test, lab_sysinfo_check(&none, 0), 0);
	KUNIT_EXPECT_EQ(test, lab_sysinfo_check(&ok, 0), 0);
	for (bit = 0; bit < 32; bit++)
		KUNIT_EXPECT_EQ(test, lab_sysinfo_check(&none, 1U << bit), -EINVAL);
	a = (struct lab_sysinfo_args){ .release = buf };
	KUNIT_EXPECT_EQ(test, lab_sysinfo_check(&a, 0), -EINVAL);
	a = (struct lab_sysinfo_args){ .release_size = 1 };
	KUNIT_EXPECT_EQ(test, lab_sysinfo_check(&a, 0), -EINVAL);
	a = (struct lab_sysinfo_args){ .release = buf,
				       .release_size = LAB_SYSINFO_RELEASE_MAX };
	KUNIT_EXPECT_EQ(test, lab_sysinfo_check(&a, 0), 0);
	a.release_size++;
	KUNIT_EXPECT_EQ(test, lab_sysinfo_check(&a, 0), -EINVAL);
	a.release_size = SIZE_MAX;
	KUNIT_EXPECT_EQ(test, lab_sysinfo_check(&a, 0), -EINVAL);
}

static void lab_sysinfo_figures(struct kunit *test)
{
	struct lab_sysinfo_args a = {};
	time64_t before = ktime_get_boottime_seconds();

	KUNIT_EXPECT_EQ(test, lab_sysinfo_run(&a, 0), 0L);
	KUNIT_EXPECT_GE(test, a.uptime, (long)before);
	KUNIT_EXPECT_LE(test, a.uptime, (long)ktime_get_boottime_seconds());
	KUNIT_EXPECT_GT(test, a.freeram, 0UL);
	KUNIT_EXPECT_LE(test, a.freeram, totalram_pages() << (PAGE_SHIFT - 10));
	/* at least init_task's successors: kthreadd and this test's thread */
	KUNIT_EXPECT_GE(test, a.procs, 2UL);
}

/* A refused call leaves the figures as they were. */
static void lab_sysinfo_refused_fills_nothing(struct kunit *test)
{
	struct lab_sysinfo_args a = { .uptime = -1, .freeram = 7, .procs = 7,
				      .release_size = 1 };

	KUNIT_EXPECT_EQ(test, lab_sysinfo_run(&a, 0), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, a.uptime, -1L);
	KUNIT_EXPECT_EQ(test, a.freeram, 7UL);
	KUNIT_EXPECT_EQ(test, a.procs, 7UL);
}

#ifdef CONFIG_COMPAT
static void lab_sysinfo_compat_layout(struct kunit *test)
{
	struct compat_lab_sysinfo c = {};
	struct lab_sysinfo_args a = { .uptime = S32_MAX, .freeram = U32_MAX,
				      .procs = 3 };

	/* the 32-bit layout: five 4-byte fields, no padding */
	KUNIT_EXPECT_EQ(test, sizeof(c), (size_t)20);
	KUNIT_EXPECT_EQ(test, offsetof(struct compat_lab_sysinfo, release),
			(size_t)12);
	KUNIT_EXPECT_EQ(test, lab_sysinfo_to_compat(&a, &c), 0);
	KUNIT_EXPECT_EQ(test, c.uptime, (compat_long_t)S32_MAX);
	KUNIT_EXPECT_EQ(test, c.freeram, (compat_ulong_t)U32_MAX);
	KUNIT_EXPECT_EQ(test, c.procs, (compat_ulong_t)3);
	a.uptime = (long)S32_MAX + 1;
	KUNIT_EXPECT_EQ(test, lab_sysinfo_to_compat(&a, &c), -EOVERFLOW);
	a.uptime = 0;
	a.freeram = (unsigned long)U32_MAX + 1;
	KUNIT_EXPECT_EQ(test, lab_sysinfo_to_compat(&a, &c), -EOVERFLOW);
	a.freeram = 0;
	a.procs = (unsigned long)U32_MAX + 1;
	KUNIT_EXPECT_EQ(test, lab_sysinfo_to_compat(&a, &c), -EOVERFLOW);
}
#endif

static struct kunit_case lab_sysinfo_cases[] = {
	KUNIT_CASE(lab_sysinfo_check_refuses),
	KUNIT_CASE(lab_sysinfo_figures),
	KUNIT_CASE(lab_sysinfo_refused_fills_nothing),
#ifdef CONFIG_COMPAT
	KUNIT_CASE(lab_sysinfo_compat_layout),
#endif
	{}
};

static struct kunit_suite lab_sysinfo_suite = {
	.name = "lab_sysinfo",
	.test_cases = lab_sysinfo_cases,
};
kunit_test_suite(lab_sysinfo_suite);
