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
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/mman.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <uapi/linux/lab_syscalls.h>
#include <asm/syscall.h>
#include <asm/tsc.h>
#include <asm/unistd.h>

#include "lab_stats.h"

static unsigned int bench_batches;
module_param(bench_batches, uint, 0444);
MODULE_PARM_DESC(bench_batches, "time the in-kernel calls in this many batches (0: do not)");
static unsigned int bench_iters = 100;
module_param(bench_iters, uint, 0444);
MODULE_PARM_DESC(bench_iters, "calls per timed batch");

/*
 * The call site that make asm shows and make trace follows: the in-kernel
 * system call, one direct call of the syscall's body.
 */
static noinline long call_site_kernel(void)
{
	long ret = ksys_lab_null();

	barrier(); /* a real call, not a tail-call jump */
	return ret;
}

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

static noinline long kernel_function(void)
{
	barrier();
	return 0;
}

/*
 * Times batches of calls of `body`, the first tenth as warm-up; the same
 * engine as user space (lab_stats.h). Each batch runs with preemption off,
 * unless `may_sleep` (a body that allocates or may fault must not).
 */
#define BENCH_TIME(samples, may_sleep, body)				\
	do {								\
		unsigned int b_, i_, warm_ = bench_batches / 10;	\
		for (b_ = 0; b_ < bench_batches + warm_; b_++) {	\
			u64 t0_, t1_;					\
			if (!(may_sleep))				\
				preempt_disable();			\
			t0_ = rdtsc_ordered();				\
			for (i_ = 0; i_ < bench_iters; i_++) {		\
				body;					\
				barrier();				\
			}						\
			t1_ = rdtsc_ordered();				\
			if (!(may_sleep))				\
				preempt_enable();			\
			if (b_ >= warm_)				\
				(samples)[b_ - warm_] = t1_ - t0_;	\
		}							\
	} while (0)

static void bench_report(const char *row, const char *what, u64 *samples,
			 u64 overhead)
{
	struct lab_stats s;
	unsigned int i;

	for (i = 0; i < bench_batches; i++)
		samples[i] = lab_per_call_milli(samples[i], overhead,
						bench_iters);
	lab_stats_compute(samples, bench_batches, &s);
	pr_info("bench %s unit=milliticks batches=%u iters=%u min=%llu p5=%llu median=%llu p95=%llu p99=%llu max=%llu mean=%llu sd=%llu cv_ppm=%llu what=\"%s\"\n",
		row, bench_batches, bench_iters, s.min, s.p5, s.median, s.p95,
		s.p99, s.max, s.mean, s.sd, s.cv_ppm, what);
}

#define BENCH_ROW(samples, overhead, may_sleep, row, what, body)	\
	do {								\
		BENCH_TIME(samples, may_sleep, body);			\
		bench_report(row, what, samples, overhead);		\
	} while (0)

static void bench(char __user *ubuf)
{
	struct pt_regs regs = { .orig_ax = __NR_lab_null };
	struct lab_stats s;
	u64 *samples, overhead;

	if (bench_batches < 10)
		bench_batches = 10;
	if (!bench_iters)
		bench_iters = 1;
	samples = kmalloc_array(bench_batches + bench_batches / 10,
				sizeof(*samples), GFP_KERNEL);
	if (!samples)
		return;
	pr_info("tsc_khz %u\n", tsc_khz);

	BENCH_TIME(samples, false, (void)0);
	lab_stats_compute(samples, bench_batches, &s);
	overhead = s.median;
	BENCH_ROW(samples, 0, false, "kernel_empty_loop",
		  "in the kernel: the loop and timer alone (not subtracted)",
		  (void)0);
	BENCH_ROW(samples, overhead, false, "kernel_function_call",
		  "in the kernel: a non-inlined function in the module",
		  kernel_function());
	BENCH_ROW(samples, overhead, false, "kernel_direct",
		  "in the kernel: ksys_lab_null(), the syscall's body",
		  ksys_lab_null());
	BENCH_ROW(samples, overhead, false, "kernel_x64_sys_call",
		  "in the kernel: x64_sys_call(regs, nr), the entry code's dispatch",
		  x64_sys_call(&regs, __NR_lab_null));
	BENCH_ROW(samples, overhead, false, "kernel_sys_call_table",
		  "in the kernel: sys_call_table[nr](regs), an indirect call",
		  sys_call_table[__NR_lab_null](&regs));
	BENCH_ROW(samples, overhead, true, "kernel_transform_64B",
		  "in the kernel: ksys_lab_transform(), 64 bytes in and out",
		  ksys_lab_transform(ubuf, ubuf + PAGE_SIZE, 64, 0));
	kfree(samples);
}

static int __init kernel_syscall_init(void)
{
	char kbuf[LAB_GREETING_MAX];
	unsigned long page;
	char __user *ubuf;
	long ret;

	pr_info("calling the hello family from inside the kernel\n");

	ret = call_site_kernel();
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

	page = vm_mmap(NULL, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
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

	if (bench_batches)
		bench(ubuf);
	vm_munmap(page, 2 * PAGE_SIZE);
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
