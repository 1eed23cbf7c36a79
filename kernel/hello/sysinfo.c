// SPDX-License-Identifier: GPL-2.0-only
/*
 * lab_sysinfo(info, flags): seconds since boot, free memory, the number of
 * processes, and the kernel's release string copied into a buffer the
 * caller names (struct lab_sysinfo, <uapi/linux/lab_syscalls.h>).
 *
 * struct lab_sysinfo has __kernel_long_t fields and carries a user address,
 * so its layout follows the caller's ABI: 20 bytes for i386 and AArch32
 * tasks, 40 for 64-bit ones (x32's __kernel_long_t is 64 bits, so x32
 * shares the 64-bit layout and entry point). A 32-bit task on a 64-bit
 * kernel enters through compat_sys_lab_sysinfo(). Both entry points read
 * the caller's structure into struct lab_sysinfo_args, run the same body,
 * lab_sysinfo_run(), and write the answer back in the caller's layout:
 * they differ only in that translation. ksys_lab_sysinfo() is the native
 * entry's, as every call of the family has one, for in-kernel callers.
 */
#include <linux/compat.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/rwsem.h>
#include <linux/sched/stat.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <linux/vmstat.h>
#include <uapi/linux/lab_syscalls.h>

#include "hello.h"

int lab_sysinfo_check(const struct lab_sysinfo_args *a, unsigned int flags)
{
	if (flags)
		return -EINVAL;
	/* A buffer and its size come together, or not at all. */
	if (!a->release != !a->release_size)
		return -EINVAL;
	if (a->release_size > LAB_SYSINFO_RELEASE_MAX)
		return -EINVAL;
	return 0;
}

void lab_sysinfo_fill(struct lab_sysinfo_args *a)
{
	a->uptime = ktime_get_boottime_seconds();
	a->freeram = global_zone_page_state(NR_FREE_PAGES) << (PAGE_SHIFT - 10);
	a->procs = nr_processes();
}

/* The release string, NUL included, into buf: its length or -errno. */
static long lab_sysinfo_release(char __user *buf, size_t size)
{
	char release[__NEW_UTS_LEN + 1];
	size_t len;

	down_read(&uts_sem);
	strscpy(release, utsname()->release, sizeof(release));
	up_read(&uts_sem);
	len = strlen(release);
	if (len + 1 > size)
		return -ERANGE;
	if (copy_to_user(buf, release, len + 1))
		return -EFAULT;
	return len;
}

/*
 * The body both entry points share: a holds what the caller passed, read
 * from user memory and translated; on success a holds the figures, and the
 * return value is the release string's length (0 without a buffer).
 */
long lab_sysinfo_run(struct lab_sysinfo_args *a, unsigned int flags)
{
	long ret = lab_sysinfo_check(a, flags);

	if (ret)
		return ret;
	if (a->release) {
		ret = lab_sysinfo_release(a->release, a->release_size);
		if (ret < 0)
			return ret;
	}
	lab_sysinfo_fill(a);
	return ret;
}

/* Only the figures go back: the caller's buffer and size stay as given. */
long ksys_lab_sysinfo(struct lab_sysinfo __user *uinfo, unsigned int flags)
{
	struct lab_sysinfo info;
	struct lab_sysinfo_args a = {};
	long ret;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	a.release = (char __user *)info.release;
	a.release_size = info.release_size;
	ret = lab_sysinfo_run(&a, flags);
	if (ret < 0)
		return ret;
	info.uptime = a.uptime;
	info.freeram = a.freeram;
	info.procs = a.procs;
	if (copy_to_user(uinfo, &info, offsetofend(struct lab_sysinfo, procs)))
		return -EFAULT;
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ksys_lab_sysinfo, LAB_SYSCALLS);

SYSCALL_DEFINE2(lab_sysinfo, struct lab_sysinfo __user *, uinfo,
		unsigned int, flags)
{
	return ksys_lab_sysinfo(uinfo, flags);
}

#ifdef CONFIG_COMPAT
/* The figures in 32 bits, or -EOVERFLOW when one does not fit. */
int lab_sysinfo_to_compat(const struct lab_sysinfo_args *a,
			  struct compat_lab_sysinfo *c)
{
	if (a->uptime > S32_MAX || a->freeram > U32_MAX || a->procs > U32_MAX)
		return -EOVERFLOW;
	c->uptime = a->uptime;
	c->freeram = a->freeram;
	c->procs = a->procs;
	return 0;
}

COMPAT_SYSCALL_DEFINE2(lab_sysinfo, struct compat_lab_sysinfo __user *, uinfo,
		       unsigned int, flags)
{
	struct compat_lab_sysinfo info;
	struct lab_sysinfo_args a = {};
	long ret;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	a.release = compat_ptr(info.release);
	a.release_size = info.release_size;
	ret = lab_sysinfo_run(&a, flags);
	if (ret < 0)
		return ret;
	if (lab_sysinfo_to_compat(&a, &info))
		return -EOVERFLOW;
	if (copy_to_user(uinfo, &info,
			 offsetofend(struct compat_lab_sysinfo, procs)))
		return -EFAULT;
	return ret;
}
#endif
