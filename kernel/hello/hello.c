// SPDX-License-Identifier: GPL-2.0-only
/*
 * The syscall lab's system calls: hello and its family.
 *
 *   lab_null()                          does nothing, returns 0
 *   hello()                             "Hello world" into the kernel log
 *                                       (rate-limited)
 *   lab_greeting(buf, size)             copies the greeting out
 *   lab_set_greeting(msg, len)          replaces it (CAP_SYS_ADMIN)
 *   lab_transform(src, dst, len, flags) copies a buffer in, transforms it,
 *                                       copies it out
 *   lab_batch(recs, count, flags)       runs up to LAB_BATCH_MAX of the
 *                                       calls above in one kernel entry
 *
 * Each body lives in a ksys_*() helper so that in-kernel callers (the
 * lab's module) run exactly the code the system call runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/export.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <uapi/linux/lab_syscalls.h>

#include "hello.h"

#define LAB_GREETING_DEFAULT "Hello world"

static DEFINE_SPINLOCK(lab_greeting_lock);
static char lab_greeting_text[LAB_GREETING_MAX] = LAB_GREETING_DEFAULT;

int lab_transform_check(size_t len, unsigned int flags)
{
	if (flags & ~LAB_TRANSFORM_ALL)
		return -EINVAL;
	if (len > LAB_TRANSFORM_MAX)
		return -EINVAL;
	return 0;
}

/*
 * UPPER changes exactly the bytes 'a' to 'z' and no other: not toupper(),
 * whose table follows Latin-1 and would change 0xdf-0xfe as well.
 */
void lab_transform_buf(char *buf, size_t len, unsigned int flags)
{
	size_t i;

	if (flags & LAB_TRANSFORM_UPPER)
		for (i = 0; i < len; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] -= 'a' - 'A';
	if (flags & LAB_TRANSFORM_REVERSE)
		for (i = 0; i < len / 2; i++)
			swap(buf[i], buf[len - 1 - i]);
}

/* @msg holds @len bytes and no NUL; the stored greeting is NUL-terminated. */
int lab_greeting_store(const char *msg, size_t len)
{
	if (len == 0 || len >= LAB_GREETING_MAX || memchr(msg, '\0', len))
		return -EINVAL;

	spin_lock(&lab_greeting_lock);
	memcpy(lab_greeting_text, msg, len);
	memset(lab_greeting_text + len, 0, LAB_GREETING_MAX - len);
	spin_unlock(&lab_greeting_lock);
	return 0;
}

/* @buf must hold LAB_GREETING_MAX bytes; returns the greeting's length. */
size_t lab_greeting_load(char *buf)
{
	spin_lock(&lab_greeting_lock);
	memcpy(buf, lab_greeting_text, LAB_GREETING_MAX);
	spin_unlock(&lab_greeting_lock);
	return strnlen(buf, LAB_GREETING_MAX - 1);
}

void lab_greeting_reset(void)
{
	lab_greeting_store(LAB_GREETING_DEFAULT,
			   sizeof(LAB_GREETING_DEFAULT) - 1);
}

long ksys_lab_null(void)
{
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ksys_lab_null, LAB_SYSCALLS);

/*
 * Any user may call hello(), so its line is rate-limited with printk's
 * defaults: at most DEFAULT_RATELIMIT_BURST (10) lines in each
 * DEFAULT_RATELIMIT_INTERVAL (5 s); the calls beyond still return 0.
 */
long ksys_hello(void)
{
	pr_info_ratelimited("Hello world\n");
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ksys_hello, LAB_SYSCALLS);

long ksys_lab_greeting(char __user *buf, size_t size)
{
	char kbuf[LAB_GREETING_MAX];
	size_t len = lab_greeting_load(kbuf);

	if (size < len + 1)
		return -ERANGE;
	/*
	 * Only the string and its NUL leave the kernel. A copy that faults
	 * part-way has written the bytes before the fault (lab_greeting(2)
	 * says so) and fails as a whole.
	 */
	kbuf[len] = '\0';
	if (copy_to_user(buf, kbuf, len + 1))
		return -EFAULT;
	return len;
}
EXPORT_SYMBOL_NS_GPL(ksys_lab_greeting, LAB_SYSCALLS);

long ksys_lab_set_greeting(const char __user *msg, size_t len)
{
	char kbuf[LAB_GREETING_MAX];

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len == 0 || len >= LAB_GREETING_MAX)
		return -EINVAL;
	if (copy_from_user(kbuf, msg, len))
		return -EFAULT;
	return lab_greeting_store(kbuf, len);
}
EXPORT_SYMBOL_NS_GPL(ksys_lab_set_greeting, LAB_SYSCALLS);

long ksys_lab_transform(const void __user *src, void __user *dst,
			size_t len, unsigned int flags)
{
	char *kbuf;
	long ret;

	ret = lab_transform_check(len, flags);
	if (ret)
		return ret;
	if (len == 0)
		return 0;

	/* All of src is read before any of dst is written. */
	kbuf = memdup_user(src, len);
	if (IS_ERR(kbuf))
		return PTR_ERR(kbuf);
	lab_transform_buf(kbuf, len, flags);
	/* As in ksys_lab_greeting(): a partial copy out is a failure. */
	ret = copy_to_user(dst, kbuf, len) ? -EFAULT : (long)len;
	kfree(kbuf);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ksys_lab_transform, LAB_SYSCALLS);

SYSCALL_DEFINE0(lab_null)
{
	return ksys_lab_null();
}

SYSCALL_DEFINE0(hello)
{
	return ksys_hello();
}

SYSCALL_DEFINE2(lab_greeting, char __user *, buf, size_t, size)
{
	return ksys_lab_greeting(buf, size);
}

SYSCALL_DEFINE2(lab_set_greeting, const char __user *, msg, size_t, len)
{
	return ksys_lab_set_greeting(msg, len);
}

SYSCALL_DEFINE4(lab_transform, const void __user *, src, void __user *, dst,
		size_t, len, unsigned int, flags)
{
	return ksys_lab_transform(src, dst, len, flags);
}

/*
 * lab_batch(): the operations a record may name, and the arguments each
 * takes. Only the family's own calls, and never lab_batch() itself: a
 * batch can do nothing that its calls made one by one could not.
 */
struct lab_batch_op_desc {
	u8 nargs;	/* args[nargs..3] must be 0 */
	u8 u32_args;	/* bit i: args[i] is an unsigned int */
};

static const struct lab_batch_op_desc lab_batch_ops[] = {
	[LAB_BATCH_NULL]		= { 0, 0 },
	[LAB_BATCH_HELLO]		= { 0, 0 },
	[LAB_BATCH_GREETING]		= { 2, 0 },
	[LAB_BATCH_SET_GREETING]	= { 2, 0 },
	[LAB_BATCH_TRANSFORM]		= { 4, BIT(3) },
};

int lab_batch_check(unsigned int count, unsigned int flags)
{
	if (flags & ~LAB_BATCH_ALL)
		return -EINVAL;
	if (count > LAB_BATCH_MAX)
		return -EINVAL;
	return 0;
}

/*
 * A record the kernel has copied: a known operation, no record flags, no
 * argument the call does not take, none wider than the parameter it is
 * passed as (a pointer or size wider than unsigned long, an unsigned int
 * flags word over 32 bits: refused rather than truncated).
 */
int lab_batch_rec_check(const struct lab_batch_rec *rec)
{
	const struct lab_batch_op_desc *d;
	unsigned int i, op = rec->op;

	if (op == 0 || op >= ARRAY_SIZE(lab_batch_ops) || rec->flags)
		return -EINVAL;
	d = &lab_batch_ops[array_index_nospec(op, ARRAY_SIZE(lab_batch_ops))];
	for (i = d->nargs; i < ARRAY_SIZE(rec->args); i++)
		if (rec->args[i])
			return -EINVAL;
	for (i = 0; i < d->nargs; i++) {
		u64 arg = rec->args[i];

		if ((d->u32_args & BIT(i)) && arg > U32_MAX)
			return -EINVAL;
		if ((unsigned long)arg != arg)
			return -EINVAL;
	}
	return 0;
}

/* Runs a record that lab_batch_rec_check() accepted. */
static long lab_batch_run(const struct lab_batch_rec *rec)
{
	const u64 *a = rec->args;

	switch (rec->op) {
	case LAB_BATCH_NULL:
		return ksys_lab_null();
	case LAB_BATCH_HELLO:
		return ksys_hello();
	case LAB_BATCH_GREETING:
		return ksys_lab_greeting(u64_to_user_ptr(a[0]), a[1]);
	case LAB_BATCH_SET_GREETING:
		return ksys_lab_set_greeting(u64_to_user_ptr(a[0]), a[1]);
	case LAB_BATCH_TRANSFORM:
		return ksys_lab_transform(u64_to_user_ptr(a[0]),
					  u64_to_user_ptr(a[1]), a[2], a[3]);
	}
	return -EINVAL;
}

/*
 * Copies record @urec in and proves its result slot writable (by writing
 * back what it holds) before its call runs: a call that ran always gets
 * its result reported. One user-access window for the whole record, as
 * the record is read on every trip through the batch's loop.
 */
static int lab_batch_fetch(struct lab_batch_rec __user *urec,
			   struct lab_batch_rec *rec)
{
	if (!user_access_begin(urec, sizeof(*urec)))
		return -EFAULT;
	unsafe_get_user(rec->op, &urec->op, efault);
	unsafe_get_user(rec->flags, &urec->flags, efault);
	unsafe_get_user(rec->args[0], &urec->args[0], efault);
	unsafe_get_user(rec->args[1], &urec->args[1], efault);
	unsafe_get_user(rec->args[2], &urec->args[2], efault);
	unsafe_get_user(rec->args[3], &urec->args[3], efault);
	unsafe_get_user(rec->result, &urec->result, efault);
	unsafe_put_user(rec->result, &urec->result, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * Returns the number of records processed (each has its result), or a
 * negative errno when none was: -EINVAL for unknown flags or a count over
 * LAB_BATCH_MAX, -EFAULT when the first record cannot be read or its
 * result written. A record that cannot be read or written after the first
 * ends the batch there, and the count says how far it got, as read(2)
 * does; a call that fails gives its record a negative result and ends the
 * batch only with LAB_BATCH_STOP_ON_ERROR.
 */
long ksys_lab_batch(struct lab_batch_rec __user *recs, unsigned int count,
		    unsigned int flags)
{
	struct lab_batch_rec rec;
	unsigned int i;
	long ret;

	ret = lab_batch_check(count, flags);
	if (ret)
		return ret;
	for (i = 0; i < count; i++) {
		if (i)
			cond_resched();
		/* (long) first: an unsigned int would carry -EFAULT as 4G - 14 */
		if (lab_batch_fetch(&recs[i], &rec))
			return i ? (long)i : -EFAULT;
		ret = lab_batch_rec_check(&rec);
		if (!ret)
			ret = lab_batch_run(&rec);
		/* Only another thread unmapping the record can fail this. */
		if (put_user(ret, &recs[i].result))
			return i + 1;
		if (ret < 0 && (flags & LAB_BATCH_STOP_ON_ERROR))
			return i + 1;
	}
	return count;
}
EXPORT_SYMBOL_NS_GPL(ksys_lab_batch, LAB_SYSCALLS);

SYSCALL_DEFINE3(lab_batch, struct lab_batch_rec __user *, recs,
		unsigned int, count, unsigned int, flags)
{
	return ksys_lab_batch(recs, count, flags);
}
