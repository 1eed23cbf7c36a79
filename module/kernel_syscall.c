// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_syscall: the lab's "in-kernel system call".
 *
 * Calls the hello family from inside the kernel in two ways:
 *   - directly, through the ksys_*() helpers that the syscalls' bodies are;
 *   - through the syscall table entry, with a struct pt_regs set up the way
 *     do_syscall_64() sets it up, dispatched by x64_sys_call() (as the entry
 *     code does) and by sys_call_table[] (as kernels before the
 *     branch-history-injection fixes did).
 * Every result goes to the kernel log. The calls that take user pointers
 * are given a page mapped into the loading process (insmod's), since a
 * syscall never accepts a kernel pointer where a user one belongs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mman.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <uapi/linux/lab_syscalls.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

static long call_table_switch(unsigned int nr, unsigned long a0,
			      unsigned long a1, unsigned long a2,
			      unsigned long a3)
{
	struct pt_regs regs = {
		.orig_ax = nr, .di = a0, .si = a1, .dx = a2, .r10 = a3,
	};

	return x64_sys_call(&regs, nr);
}

static long call_table_pointer(unsigned int nr, unsigned long a0,
			       unsigned long a1, unsigned long a2,
			       unsigned long a3)
{
	struct pt_regs regs = {
		.orig_ax = nr, .di = a0, .si = a1, .dx = a2, .r10 = a3,
	};

	return sys_call_table[nr](&regs);
}

static void show_greeting(const char *how, long ret, char __user *ubuf)
{
	char text[LAB_GREETING_MAX] = "";

	if (ret >= 0 && strncpy_from_user(text, ubuf, sizeof(text) - 1) < 0)
		ret = -EFAULT;
	pr_info("%s: lab_greeting() returned %ld: \"%s\"\n", how, ret, text);
}

static void show_transform(long ret, char __user *ubuf)
{
	char text[8] = "";

	if (ret > 0 && copy_from_user(text, ubuf, 6))
		ret = -EFAULT;
	pr_info("direct: lab_transform(\"kernel\", UPPER|REVERSE) returned %ld: \"%s\"\n",
		ret, text);
}

static int __init kernel_syscall_init(void)
{
	char kbuf[LAB_GREETING_MAX];
	unsigned long page;
	char __user *ubuf;
	long ret;

	pr_info("calling the hello family from inside the kernel\n");

	ret = ksys_lab_null();
	pr_info("direct: ksys_lab_null() returned %ld\n", ret);
	ret = ksys_hello();
	pr_info("direct: ksys_hello() returned %ld\n", ret);

	ret = call_table_switch(__NR_lab_null, 0, 0, 0, 0);
	pr_info("x64_sys_call: lab_null (nr %d) returned %ld\n",
		__NR_lab_null, ret);
	ret = call_table_switch(__NR_hello, 0, 0, 0, 0);
	pr_info("x64_sys_call: hello (nr %d) returned %ld\n", __NR_hello, ret);
	ret = call_table_pointer(__NR_hello, 0, 0, 0, 0);
	pr_info("sys_call_table: hello (nr %d) returned %ld\n", __NR_hello,
		ret);

	/* A kernel pointer where a user pointer belongs must be refused. */
	ret = ksys_lab_greeting((char __user *)kbuf, sizeof(kbuf));
	pr_info("direct: ksys_lab_greeting(kernel pointer) returned %ld\n",
		ret);

	page = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(page)) {
		pr_err("vm_mmap failed: %ld\n", (long)page);
		return (int)page;
	}
	ubuf = (char __user *)page;

	ret = ksys_lab_greeting(ubuf, PAGE_SIZE);
	show_greeting("direct", ret, ubuf);
	ret = call_table_switch(__NR_lab_greeting, page, PAGE_SIZE, 0, 0);
	show_greeting("x64_sys_call", ret, ubuf);

	if (copy_to_user(ubuf, "kernel", 6) == 0) {
		ret = ksys_lab_transform(ubuf, ubuf + 8, 6,
					 LAB_TRANSFORM_UPPER |
					 LAB_TRANSFORM_REVERSE);
		show_transform(ret, ubuf + 8);
	}

	vm_munmap(page, PAGE_SIZE);
	return 0;
}

static void __exit kernel_syscall_exit(void)
{
	pr_info("unloaded\n");
}

module_init(kernel_syscall_init);
module_exit(kernel_syscall_exit);
MODULE_DESCRIPTION("The syscall lab's in-kernel system call");
MODULE_LICENSE("GPL");
