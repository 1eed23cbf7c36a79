// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the helpers behind the syscall lab's system calls.
 * They run at boot, before user space, in a kernel thread: only the parts
 * that touch no user memory are tested here; the user-pointer paths are
 * tested from user space by the lab's kselftests.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <uapi/linux/lab_syscalls.h>

#include "hello.h"

static void lab_null_returns_zero(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ksys_lab_null(), 0L);
}

static void lab_hello_returns_zero(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ksys_hello(), 0L);
}

static void lab_transform_check_limits(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, lab_transform_check(0, 0), 0);
	KUNIT_EXPECT_EQ(test, lab_transform_check(LAB_TRANSFORM_MAX, 0), 0);
	KUNIT_EXPECT_EQ(test, lab_transform_check(LAB_TRANSFORM_MAX + 1, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, lab_transform_check(SIZE_MAX, 0), -EINVAL);
}

static void lab_transform_check_flags(struct kunit *test)
{
	unsigned int bit;

	KUNIT_EXPECT_EQ(test, lab_transform_check(1, LAB_TRANSFORM_ALL), 0);
	for (bit = 0; bit < 32; bit++) {
		unsigned int flag = 1U << bit;
		int want = (flag & LAB_TRANSFORM_ALL) ? 0 : -EINVAL;

		KUNIT_EXPECT_EQ(test, lab_transform_check(1, flag), want);
	}
}

static void lab_transform_buf_cases(struct kunit *test)
{
	char buf[16];

	strscpy(buf, "abc-XyZ", sizeof(buf));
	lab_transform_buf(buf, 7, 0);
	KUNIT_EXPECT_STREQ(test, buf, "abc-XyZ");

	lab_transform_buf(buf, 7, LAB_TRANSFORM_UPPER);
	KUNIT_EXPECT_STREQ(test, buf, "ABC-XYZ");

	strscpy(buf, "abcd", sizeof(buf));
	lab_transform_buf(buf, 4, LAB_TRANSFORM_REVERSE);
	KUNIT_EXPECT_STREQ(test, buf, "dcba");

	strscpy(buf, "hello", sizeof(buf));
	lab_transform_buf(buf, 5, LAB_TRANSFORM_ALL);
	KUNIT_EXPECT_STREQ(test, buf, "OLLEH");

	/* Only the first len bytes are touched. */
	strscpy(buf, "abcdef", sizeof(buf));
	lab_transform_buf(buf, 3, LAB_TRANSFORM_ALL);
	KUNIT_EXPECT_STREQ(test, buf, "CBAdef");
}

static void lab_greeting_round_trip(struct kunit *test)
{
	char buf[LAB_GREETING_MAX];

	KUNIT_EXPECT_EQ(test, lab_greeting_load(buf), strlen("Hello world"));
	KUNIT_EXPECT_STREQ(test, buf, "Hello world");

	KUNIT_ASSERT_EQ(test, lab_greeting_store("Hi", 2), 0);
	KUNIT_EXPECT_EQ(test, lab_greeting_load(buf), (size_t)2);
	KUNIT_EXPECT_STREQ(test, buf, "Hi");
	/* The rest of the old, longer greeting was cleared. */
	KUNIT_EXPECT_EQ(test, memchr_inv(buf + 2, 0, sizeof(buf) - 2), NULL);

	lab_greeting_reset();
	KUNIT_EXPECT_EQ(test, lab_greeting_load(buf), strlen("Hello world"));
}

static void lab_greeting_refuses_bad_input(struct kunit *test)
{
	char longest[LAB_GREETING_MAX];
	char buf[LAB_GREETING_MAX];

	memset(longest, 'x', sizeof(longest));
	KUNIT_EXPECT_EQ(test, lab_greeting_store("", 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, lab_greeting_store("a\0b", 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, lab_greeting_store(longest, sizeof(longest)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, lab_greeting_store(longest, sizeof(longest) - 1),
			0);
	KUNIT_EXPECT_EQ(test, lab_greeting_load(buf), sizeof(longest) - 1);
	lab_greeting_reset();
}

static struct kunit_case lab_syscalls_cases[] = {
	KUNIT_CASE(lab_null_returns_zero),
	KUNIT_CASE(lab_hello_returns_zero),
	KUNIT_CASE(lab_transform_check_limits),
	KUNIT_CASE(lab_transform_check_flags),
	KUNIT_CASE(lab_transform_buf_cases),
	KUNIT_CASE(lab_greeting_round_trip),
	KUNIT_CASE(lab_greeting_refuses_bad_input),
	{}
};

static struct kunit_suite lab_syscalls_suite = {
	.name = "lab_syscalls",
	.test_cases = lab_syscalls_cases,
};
kunit_test_suite(lab_syscalls_suite);
