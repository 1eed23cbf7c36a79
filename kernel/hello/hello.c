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
 *
 * Each body lives in a ksys_*() helper so that in-kernel callers (the
 * lab's module) run exactly the code the system call runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
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
