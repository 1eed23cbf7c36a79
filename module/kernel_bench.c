// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_bench: what the hello family costs when the kernel calls it.
 *
 * At load it times, with the user-space benchmark's engine (lab_stats.h),
 * one call path a row: a function in this module, ksys_lab_null()
 * directly, through x64_sys_call() with a struct pt_regs (the entry code's
 * dispatch), through sys_call_table[] (an indirect call, as kernels before
 * the branch-history-injection fixes made), ksys_lab_transform() on 64
 * bytes and each call added with make new-syscall (lab_own_calls.h),
 * besides the empty loop. Every row is `bench_batches` batches of
 * `bench_iters` calls, a tenth as many batches again first as warm-up,
 * less the empty loop's median batch. Each batch runs with preemption off,
 * except ksys_lab_transform()'s, which allocates and may fault, and the
 * added calls', which may: they must be allowed to sleep.
 *
 * x64_sys_call() and sys_call_table[] are exported only by a kernel built
 * with CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS=y (namespace
 * LAB_SYSCALLS_DISPATCH); without it their two rows are left out, and the
 * log line says so. The ksys_*() helpers are in the LAB_SYSCALLS namespace.
 *
 * On arm64 the entry code itself dispatches through sys_call_table[]
 * (invoke_syscall()), so there is one dispatch row, kernel_sys_call_table,
 * made that way; and the counter is the PMU's cycle counter, PMCCNTR_EL0,
 * read at EL1 while a pinned CPU-cycles perf event of this module's holds
 * it on and counting (at EL0 and EL1) on the CPU the whole run stays on
 * (migrate_disable()). Under QEMU TCG that counter is QEMU's virtual clock
 * at 1 GHz, which under -icount shift=0 is one tick an instruction: the
 * same exact counts as the user-space rows'. Where the event cannot be
 * had, or does not get the cycle counter, the generic timer's CNTVCT_EL0
 * stands in (a clock at CNTFRQ_EL0, never an instruction count), and the
 * log line says so and why.
 *
 * The rows (include/lab/lab_row.h, JSON lines, abi "kernel") stay in memory and
 * are served read-only from /proc/lab_bench for as long as the module is
 * loaded; the kernel log gets one line. ksys_lab_transform() is given
 * memory mapped into the loading process (insmod's), since a syscall never
 * accepts a kernel pointer where a user one belongs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/perf_event.h>
#include <linux/preempt.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/timekeeping.h>
#include <linux/version.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#ifdef CONFIG_X86
#include <asm/tsc.h>
#endif
#ifdef CONFIG_ARM64
#include <asm/arch_timer.h>
#include <asm/sysreg.h>
#endif

#include "lab_stats.h"
#include "lab_row.h"

#define BENCH_MAX_BATCHES	100000
#define BENCH_MAX_ITERS		1000000

static unsigned int bench_batches = 200;
module_param(bench_batches, uint, 0444);
MODULE_PARM_DESC(bench_batches, "timed batches a row, 10 to 100000 (default 200)");
static unsigned int bench_iters = 100;
module_param(bench_iters, uint, 0444);
MODULE_PARM_DESC(bench_iters, "calls a batch, 1 to 1000000 (default 100)");

static char __user *bench_ubuf;	/* two pages in the loading process */
#ifdef CONFIG_X86
static const struct pt_regs bench_regs = { .orig_ax = __NR_lab_null };
#else
static const struct pt_regs bench_regs = { .syscallno = __NR_lab_null };
#endif
static char *rows;		/* the rows, JSON lines */
static size_t rows_len;
static unsigned int rows_n;

static noinline long kernel_function(void)
{
	barrier();
	return 0;
}

#ifdef CONFIG_X86
#define bench_counter()	rdtsc_ordered()
#define bench_khz	((u64)tsc_khz)
#define BENCH_COUNTER	"the TSC"
#else
static struct perf_event *bench_event;	/* holds PMCCNTR_EL0 on, or NULL */
static u64 bench_khz;			/* the counter's rate */
static const char *bench_why;		/* why not the PMU, or NULL */
/* What the rows were timed with (bench_event is gone by the log line). */
#define BENCH_COUNTER	(bench_why ? "CNTVCT_EL0 (the generic timer, a clock)" : \
			 "PMCCNTR_EL0 (the PMU cycle counter)")

/* The counter, read in order: nothing before it or after it overlaps. */
static __always_inline u64 bench_counter(void)
{
	u64 v;

	isb();
	v = bench_event ? read_sysreg(pmccntr_el0) :
			  __arch_counter_get_cntvct();
	isb();
	return v;
}
#endif

/*
 * One batch: n calls of the row's body between two ordered reads of the
 * counter (the TSC; arm64: see above), the ticks between them into *ticks.
 * A function a row, so that the loop is the same in every row.
 */
#define BENCH_BATCH(fn, body)						\
static noinline void fn(unsigned int n, u64 *ticks)			\
{									\
	unsigned int i;							\
	u64 t0 = bench_counter();					\
									\
	for (i = 0; i < n; i++) {					\
		body;							\
		barrier();						\
	}								\
	*ticks = bench_counter() - t0;					\
}

BENCH_BATCH(batch_empty, (void)0)
BENCH_BATCH(batch_function_call, kernel_function())
BENCH_BATCH(batch_direct, ksys_lab_null())
/* The dispatch symbols: referenced only where the kernel exports them. */
#define DISPATCH_EXPORTED IS_ENABLED(CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS)

#ifdef CONFIG_X86
static __always_inline long dispatch_switch(void)
{
	return DISPATCH_EXPORTED ? x64_sys_call(&bench_regs, __NR_lab_null) :
				   -EOPNOTSUPP;
}

static __always_inline long dispatch_pointer(void)
{
	return DISPATCH_EXPORTED ? sys_call_table[__NR_lab_null](&bench_regs) :
				   -EOPNOTSUPP;
}

BENCH_BATCH(batch_x64_sys_call, dispatch_switch())
#else
/* invoke_syscall()'s way: the number bounded, the index clamped. */
static __always_inline long dispatch_pointer(void)
{
	unsigned int nr = bench_regs.syscallno;

	if (!DISPATCH_EXPORTED)
		return -EOPNOTSUPP;
	/*
	 * Never here (the family's numbers are in the table); the entry
	 * code's do_ni_syscall() is not exported.
	 */
	if (nr >= __NR_syscalls)
		return -EINVAL;
	return sys_call_table[array_index_nospec(nr, __NR_syscalls)](&bench_regs);
}
#endif
BENCH_BATCH(batch_sys_call_table, dispatch_pointer())
BENCH_BATCH(batch_transform_64B,
	    ksys_lab_transform(bench_ubuf, bench_ubuf + PAGE_SIZE, 64, 0))
/* The calls added with make new-syscall, with lab_own_calls.h's arguments. */
#define LAB_OWN_BUF ((void __user *)(bench_ubuf + PAGE_SIZE))
#define LAB_OWN_CALL(name, args) BENCH_BATCH(batch_##name, ksys_##name args)
#include "lab_own_calls.h"
#undef LAB_OWN_CALL

struct bench_row {
	const char *path;
	const char *what;
	void (*batch)(unsigned int n, u64 *ticks);
	bool may_sleep;		/* preemption stays on */
	bool raw;		/* the empty loop: nothing subtracted */
	bool dispatch;		/* needs the dispatch exports */
};

static const struct bench_row bench_rows[] = {
	{ "kernel_empty_loop",
	  "in the kernel: the loop and timer alone (not subtracted)",
	  batch_empty, false, true },
	{ "kernel_function_call",
	  "in the kernel: a non-inlined function in the module",
	  batch_function_call, false, false },
	{ "kernel_direct",
	  "in the kernel: ksys_lab_null(), the syscall's body",
	  batch_direct, false, false },
#ifdef CONFIG_X86
	{ "kernel_x64_sys_call",
	  "in the kernel: x64_sys_call(regs, nr), the entry code's dispatch",
	  batch_x64_sys_call, false, false, true },
	{ "kernel_sys_call_table",
	  "in the kernel: sys_call_table[nr](regs), an indirect call",
	  batch_sys_call_table, false, false, true },
#else
	{ "kernel_sys_call_table",
	  "in the kernel: sys_call_table[nr](regs) as invoke_syscall() calls it, the entry code's dispatch",
	  batch_sys_call_table, false, false, true },
#endif
	{ "kernel_transform_64B",
	  "in the kernel: ksys_lab_transform(), 64 bytes in and out",
	  batch_transform_64B, true, false },
	/* Preemption on: a new call's body may sleep. */
#define LAB_OWN_CALL(name, args)					\
	{ "kernel_" #name, "in the kernel: ksys_" #name #args,		\
	  batch_##name, true, false },
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
};

/* bench_batches batches of fn into samples, after a tenth as many more. */
static void bench_time(void (*fn)(unsigned int n, u64 *ticks),
		       bool may_sleep, u64 *samples)
{
	unsigned int b, warm = bench_batches / 10;

	for (b = 0; b < warm + bench_batches; b++) {
		u64 t;

		if (!may_sleep)
			preempt_disable();
		fn(bench_iters, &t);
		if (!may_sleep)
			preempt_enable();
		if (b >= warm)
			samples[b - warm] = t;
		cond_resched();
	}
}

/* Times every row into rows; 0 or -errno. */
static int bench_run(void)
{
	struct lab_stats e, s;
	u64 *samples;
	size_t i, size;
	int len, ret = 0;

	samples = kmalloc_array(bench_batches + bench_batches / 10,
				sizeof(*samples), GFP_KERNEL);
	size = ARRAY_SIZE(bench_rows) * LAB_ROW_MAX;
	rows = kmalloc(size, GFP_KERNEL);
	if (!samples || !rows) {
		ret = -ENOMEM;
		goto out;
	}

	/*
	 * The overhead: the empty loop (timer and loop), its median batch
	 * taken from each batch, its k-best from the k-best.
	 */
	bench_time(batch_empty, false, samples);
	lab_stats_compute(samples, bench_batches, &e);

	for (i = 0; i < ARRAY_SIZE(bench_rows); i++) {
		const struct bench_row *r = &bench_rows[i];

		if (r->dispatch && !DISPATCH_EXPORTED)
			continue;
		bench_time(r->batch, r->may_sleep, samples);
		lab_stats_row(samples, bench_batches, r->raw ? NULL : &e,
			      bench_iters, &s);
		len = lab_row_format(rows + rows_len, size - rows_len,
				     "kernel", r->path, r->what, bench_khz,
				     bench_batches, bench_iters, &s);
		if (len < 0) {
			ret = -EINVAL;
			goto out;
		}
		rows_len += len;
		rows_n++;
	}
out:
	kfree(samples);
	if (ret) {
		kfree(rows);
		rows = NULL;
	}
	return ret;
}

#ifdef CONFIG_ARM64
/*
 * The cycle counter's index in a perf event's hw.idx. 6.1's PMUv3 driver
 * numbers it 0 (ARMV8_IDX_CYCLE_COUNTER, the event counters from 1); the
 * driver's rework for more than 32 counters (6.11) dropped that remapping,
 * and 6.12's indices are the hardware's: the cycle counter is 31
 * (ARMV8_PMU_CYCLE_IDX, drivers/perf/arm_pmuv3.c). With 0 on 6.12 the
 * check below never matched, and the rows fell back to the generic timer.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define BENCH_CYCLE_IDX	31
#else
#define BENCH_CYCLE_IDX	0
#endif

/*
 * The cycle counter on this CPU for the run: a pinned CPU-cycles event,
 * 64 bits wide (attr.config1 bit 0: it never overflows, so perf never
 * rewrites the counter under a batch), counting at EL0 and EL1. Only if
 * it sits in the cycle counter (hw.idx BENCH_CYCLE_IDX) and is active;
 * otherwise the generic timer, and bench_why says why.
 */
static void bench_counter_start(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.config1 = 1,
		.pinned = 1,
		.exclude_hv = 1,
	};
	struct perf_event *ev;
	u64 c0, c1, t0, t1;

	ev = perf_event_create_kernel_counter(&attr, raw_smp_processor_id(),
					      NULL, NULL, NULL);
	if (IS_ERR(ev)) {
		bench_why = "no CPU-cycles perf event on this CPU";
	} else if (ev->state != PERF_EVENT_STATE_ACTIVE || ev->hw.idx != BENCH_CYCLE_IDX) {
		bench_why = "the CPU-cycles event did not get the cycle counter";
		perf_event_release_kernel(ev);
	} else {
		bench_event = ev;
	}
	if (!bench_event) {
		bench_khz = read_sysreg(cntfrq_el0) / 1000;
		return;
	}
	/* Its rate, against the kernel's clock, over 10 ms. */
	t0 = ktime_get_ns();
	c0 = bench_counter();
	do
		t1 = ktime_get_ns();
	while (t1 - t0 < 10 * NSEC_PER_MSEC);
	c1 = bench_counter();
	bench_khz = div64_u64((c1 - c0) * NSEC_PER_MSEC, t1 - t0);
}

static void bench_counter_stop(void)
{
	if (bench_event)
		perf_event_release_kernel(bench_event);
	bench_event = NULL;
}
#else
static void bench_counter_start(void)
{
}

static void bench_counter_stop(void)
{
}
#endif

static int lab_bench_show(struct seq_file *m, void *v)
{
	seq_write(m, rows, rows_len);
	return 0;
}

static int __init kernel_bench_init(void)
{
	unsigned long page;
	int ret;

	if (bench_batches < 10 || bench_batches > BENCH_MAX_BATCHES ||
	    bench_iters < 1 || bench_iters > BENCH_MAX_ITERS) {
		pr_err("bench_batches must be 10 to %u, bench_iters 1 to %u\n",
		       BENCH_MAX_BATCHES, BENCH_MAX_ITERS);
		return -EINVAL;
	}

	page = vm_mmap(NULL, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(page)) {
		pr_err("vm_mmap failed: %ld\n", (long)page);
		return (int)page;
	}
	bench_ubuf = (char __user *)page;
	/* One CPU for the whole run: the counter, on arm64, is that CPU's. */
	if (!IS_ENABLED(CONFIG_X86))
		migrate_disable();
	bench_counter_start();
	ret = bench_run();
	bench_counter_stop();
	if (!IS_ENABLED(CONFIG_X86))
		migrate_enable();
	vm_munmap(page, 2 * PAGE_SIZE);
	bench_ubuf = NULL;
	if (ret) {
		pr_err("benchmark failed: %d\n", ret);
		return ret;
	}

	if (!proc_create_single("lab_bench", 0444, NULL, lab_bench_show)) {
		kfree(rows);
		pr_err("cannot create /proc/lab_bench\n");
		return -ENOMEM;
	}
#ifdef CONFIG_X86
	pr_info("%u rows of %u batches of %u calls in /proc/lab_bench (tsc_khz %u)\n",
		rows_n, bench_batches, bench_iters, tsc_khz);
	if (!DISPATCH_EXPORTED)
		pr_info("rows kernel_x64_sys_call and kernel_sys_call_table left out: dispatch symbols not exported (CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS=n)\n");
#else
	pr_info("%u rows of %u batches of %u calls in /proc/lab_bench (counter %s, %llu kHz%s%s)\n",
		rows_n, bench_batches, bench_iters, BENCH_COUNTER, bench_khz,
		bench_why ? ": " : "", bench_why ? bench_why : "");
	if (!DISPATCH_EXPORTED)
		pr_info("row kernel_sys_call_table left out: dispatch symbols not exported (CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS=n)\n");
#endif
	return 0;
}

static void __exit kernel_bench_exit(void)
{
	remove_proc_entry("lab_bench", NULL);
	kfree(rows);
}

module_init(kernel_bench_init);
module_exit(kernel_bench_exit);
MODULE_DESCRIPTION("The syscall lab's in-kernel benchmark: rows in /proc/lab_bench");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(LAB_SYSCALLS);
#if IS_ENABLED(CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS)
MODULE_IMPORT_NS(LAB_SYSCALLS_DISPATCH);
#endif
