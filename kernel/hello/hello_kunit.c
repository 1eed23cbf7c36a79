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

/*
 * Every byte value, with every combination of flags, against a reference
 * computed here: UPPER changes 'a'..'z' to 'A'..'Z' and no other byte (not
 * the Latin-1 letters 0xdf-0xfe that toupper() would change), REVERSE puts
 * the last byte first.
 */
static void lab_transform_buf_every_byte(struct kunit *test)
{
	static const unsigned int combos[] = {
		0, LAB_TRANSFORM_UPPER, LAB_TRANSFORM_REVERSE,
		LAB_TRANSFORM_UPPER | LAB_TRANSFORM_REVERSE,
	};
	u8 buf[256], want[256];
	unsigned int c, i;

	for (c = 0; c < ARRAY_SIZE(combos); c++) {
		unsigned int flags = combos[c];

		for (i = 0; i < 256; i++) {
			u8 v = i;

			if ((flags & LAB_TRANSFORM_UPPER) && v >= 'a' && v <= 'z')
				v = v - 'a' + 'A';
			buf[i] = i;
			want[(flags & LAB_TRANSFORM_REVERSE) ? 255 - i : i] = v;
		}
		lab_transform_buf((char *)buf, sizeof(buf), flags);
		/* The first wrong byte, if any: one line, not 256. */
		for (i = 0; i < 256 && buf[i] == want[i]; i++)
			;
		KUNIT_EXPECT_EQ_MSG(test, i, 256U,
				    "flags %#x: output byte %u is %#x, not %#x",
				    flags, i, i < 256 ? buf[i] : 0,
				    i < 256 ? want[i] : 0);
	}
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
	KUNIT_EXPECT_NULL(test, memchr_inv(buf + 2, 0, sizeof(buf) - 2));

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

static void lab_batch_check_limits(struct kunit *test)
{
	unsigned int bit;

	KUNIT_EXPECT_EQ(test, lab_batch_check(0, 0), 0);
	KUNIT_EXPECT_EQ(test, lab_batch_check(LAB_BATCH_MAX, 0), 0);
	KUNIT_EXPECT_EQ(test, lab_batch_check(LAB_BATCH_MAX + 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, lab_batch_check(UINT_MAX, 0), -EINVAL);
	for (bit = 0; bit < 32; bit++) {
		unsigned int flag = 1U << bit;
		int want = (flag & LAB_BATCH_ALL) ? 0 : -EINVAL;

		KUNIT_EXPECT_EQ(test, lab_batch_check(1, flag), want);
	}
}

/* Each operation with the arguments it takes, and one past them. */
static void lab_batch_rec_check_ops(struct kunit *test)
{
	static const struct {
		u32 op;
		unsigned int nargs;
	} ops[] = {
		{ LAB_BATCH_NULL, 0 }, { LAB_BATCH_HELLO, 0 },
		{ LAB_BATCH_GREETING, 2 }, { LAB_BATCH_SET_GREETING, 2 },
		{ LAB_BATCH_TRANSFORM, 4 },
	};
	struct lab_batch_rec rec;
	unsigned int i, a;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		memset(&rec, 0, sizeof(rec));
		rec.op = ops[i].op;
		for (a = 0; a < ops[i].nargs; a++)
			rec.args[a] = 1;
		KUNIT_EXPECT_EQ_MSG(test, lab_batch_rec_check(&rec), 0,
				    "op %u", rec.op);
		for (a = ops[i].nargs; a < ARRAY_SIZE(rec.args); a++) {
			rec.args[a] = 1;
			KUNIT_EXPECT_EQ_MSG(test, lab_batch_rec_check(&rec),
					    -EINVAL, "op %u, args[%u]", rec.op,
					    a);
			rec.args[a] = 0;
		}
		rec.flags = 1;
		KUNIT_EXPECT_EQ_MSG(test, lab_batch_rec_check(&rec), -EINVAL,
				    "op %u, record flags", rec.op);
	}
}

/* Only the family's operations: not 0, not the next, not lab_batch(). */
static void lab_batch_rec_check_refuses(struct kunit *test)
{
	struct lab_batch_rec rec = { 0 };

	rec.op = 0;
	KUNIT_EXPECT_EQ(test, lab_batch_rec_check(&rec), -EINVAL);
	rec.op = LAB_BATCH_TRANSFORM + 1;
	KUNIT_EXPECT_EQ(test, lab_batch_rec_check(&rec), -EINVAL);
	rec.op = U32_MAX;
	KUNIT_EXPECT_EQ(test, lab_batch_rec_check(&rec), -EINVAL);

	/* lab_transform()'s flags are an unsigned int: 1 << 32 is not 0. */
	rec.op = LAB_BATCH_TRANSFORM;
	rec.args[3] = 1ULL << 32;
	KUNIT_EXPECT_EQ(test, lab_batch_rec_check(&rec), -EINVAL);
	rec.args[3] = U32_MAX;
	KUNIT_EXPECT_EQ(test, lab_batch_rec_check(&rec), 0);
}

static struct kunit_case lab_syscalls_cases[] = {
	KUNIT_CASE(lab_null_returns_zero),
	KUNIT_CASE(lab_hello_returns_zero),
	KUNIT_CASE(lab_transform_check_limits),
	KUNIT_CASE(lab_transform_check_flags),
	KUNIT_CASE(lab_transform_buf_cases),
	KUNIT_CASE(lab_transform_buf_every_byte),
	KUNIT_CASE(lab_greeting_round_trip),
	KUNIT_CASE(lab_greeting_refuses_bad_input),
	KUNIT_CASE(lab_batch_check_limits),
	KUNIT_CASE(lab_batch_rec_check_ops),
	KUNIT_CASE(lab_batch_rec_check_refuses),
	{}
};

static struct kunit_suite lab_syscalls_suite = {
	.name = "lab_syscalls",
	.test_cases = lab_syscalls_cases,
};
kunit_test_suite(lab_syscalls_suite);
