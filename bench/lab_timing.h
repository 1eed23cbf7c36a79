/*
 * lab_timing.h: the user-space half of the timing engine: the time stamp
 * counter read in order, its resolution, pinning, and the TSC's frequency
 * calibrated against CLOCK_MONOTONIC. The arithmetic is in lab_stats.h,
 * shared with the module.
 *
 * On arm (arm64, and 32-bit arm programs on an arm64 kernel) the counter is
 * the PMU's cycle counter, PMCCNTR_EL0, read from user space the way the
 * kernel supports (Documentation/arm64/perf.rst): lab_counter_open() sets
 * kernel.perf_user_access, opens a CPU-cycles perf event bound to this
 * thread with user access asked for (attr.config1 bits 0 and 1: a 64-bit
 * counter, readable from EL0; an AArch32 program asks for 32 bits, all
 * that mrc reads there), maps its perf_event_mmap_page, and lab_tsc()
 * reads offset + counter under the page's sequence lock, as tools/lib/perf
 * does. The event counts at EL0 and EL1 (exclude_kernel 0), i.e. the
 * calls' kernel side too, as the TSC does, but only while this thread runs.
 * Under QEMU TCG PMCCNTR_EL0 counts QEMU's virtual clock at 1 GHz, and
 * with -icount shift=0 that clock advances 1 ns per guest instruction: the
 * counts are exact instruction counts (the machine's: with -smp 1, this
 * CPU's, interrupts included, as the TSC's are on x86 under icount; the
 * row's tsc_khz then reads 1000000, give or take the calibration's
 * spread). Without icount they are emulation nanoseconds. When the PMU
 * cannot be read so, lab_tsc() reads the generic timer's virtual count,
 * CNTVCT_EL0, at CNTFRQ_EL0 (62.5 MHz under QEMU virt: 16 ns, and 16
 * instructions under icount, a step): a clock, never an instruction count.
 * lab_counter_name() says which one it is, and the benchmarks say it on
 * standard error.
 *
 * Include it before any libc header: pinning needs _GNU_SOURCE's sched.h.
 */
#ifndef LAB_TIMING_H
#define LAB_TIMING_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdint.h>
#include <time.h>

#ifndef CPU_SET
#error "lab_timing.h needs _GNU_SOURCE defined before the first libc header"
#endif

#if defined(__x86_64__) || defined(__i386__)
/* rdtsc fenced on both sides: nothing before it is still running, nothing
 * after it has started (Intel's recommended ordering; lfence also orders
 * rdtsc on AMD with the kernel's LFENCE-serialising MSR set). */
static inline uint64_t lab_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc\n\tlfence"
			 : "=a"(lo), "=d"(hi)
			 :
			 : "memory");
	return ((uint64_t)hi << 32) | lo;
}
#elif defined(__aarch64__) || defined(__arm__)
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

/* The PMU event's page (NULL: the generic timer), its descriptor, and the
 * value kernel.perf_user_access had before lab_counter_open() set it. One
 * for the program: defined in lab_bench.c. */
struct lab_counter {
	volatile struct perf_event_mmap_page *pc;
	int fd;
	char user_access_was;	/* '0' or '1'; 0: not read */
	const char *name;	/* what lab_tsc() reads, for people */
	const char *why;	/* why it is not the PMU, or NULL */
};
extern struct lab_counter lab_counter;

#if defined(__aarch64__)
#define LAB_PMCCNTR "PMCCNTR_EL0"
#else
#define LAB_PMCCNTR "PMCCNTR_EL0 (its low 32 bits, AArch32's PMCCNTR; the perf page's offset carries the rest)"
#endif

/*
 * perf_event_mmap_page.index is the counter's number + 1 (0: none), the
 * cycle counter's number 31 (arm64's armv8pmu_user_event_idx() gives 32),
 * PMEVCNTR<n>_EL0's n.
 */
#define LAB_PMU_CYCLE_INDEX 32

#if defined(__aarch64__)
#define LAB_MRS(reg, v) __asm__ volatile("mrs %0, " #reg : "=r"(v) :: "memory")

static inline uint64_t lab_cntvct(void)
{
	uint64_t v;

	__asm__ volatile("isb" ::: "memory");
	LAB_MRS(cntvct_el0, v);
	__asm__ volatile("isb" ::: "memory");
	return v;
}

static inline uint64_t lab_cntfrq(void)
{
	uint64_t v;

	LAB_MRS(cntfrq_el0, v);
	return v;
}

/* The PMU counter the page names. */
static inline uint64_t lab_pmu_read(uint32_t index)
{
	uint64_t v;

	__asm__ volatile("isb" ::: "memory");
	if (index == LAB_PMU_CYCLE_INDEX) {
		LAB_MRS(pmccntr_el0, v);
	} else {
		__asm__ volatile("msr pmselr_el0, %0\n\tisb"
				 :: "r"((uint64_t)(index - 1)) : "memory");
		LAB_MRS(pmxevcntr_el0, v);
	}
	__asm__ volatile("isb" ::: "memory");
	return v;
}
#else
/* AArch32 (a compat program): the same registers through cp15. */
static inline uint64_t lab_cntvct(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrrc p15, 1, %Q0, %R0, c14\n\tisb"
			 : "=r"(v) :: "memory");
	return v;
}

static inline uint64_t lab_cntfrq(void)
{
	uint32_t v;

	__asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(v));
	return v;
}

/*
 * 32 bits: the event is opened as a 32-bit one (pmc_width 32) and the
 * register read with mrc (QEMU 7.2 has no 64-bit mrrc PMCCNTR: SIGILL).
 */
static inline uint64_t lab_pmu_read(uint32_t index)
{
	uint32_t v;

	if (index == LAB_PMU_CYCLE_INDEX)
		__asm__ volatile("isb\n\tmrc p15, 0, %0, c9, c13, 0\n\tisb"
				 : "=r"(v) :: "memory");
	else
		__asm__ volatile("mcr p15, 0, %1, c9, c12, 5\n\tisb\n\t"
				 "mrc p15, 0, %0, c9, c13, 2\n\tisb"
				 : "=r"(v) : "r"(index - 1) : "memory");
	return v;
}
#endif

/* The event's count through read(2): when the page offers no index. */
static inline uint64_t lab_counter_read_slow(void)
{
	uint64_t v = 0;

	if (read(lab_counter.fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

/*
 * The counter: the event's count (offset + the register, sign-extended
 * from pmc_width, under the page's sequence lock), or CNTVCT_EL0.
 */
static inline uint64_t lab_tsc(void)
{
	volatile struct perf_event_mmap_page *pc = lab_counter.pc;

	if (!pc)
		return lab_cntvct();
	for (;;) {
		uint32_t seq = pc->lock, index, width;
		uint64_t offset, v;

		__asm__ volatile("" ::: "memory");
		index = pc->index;
		offset = (uint64_t)pc->offset;
		if (!pc->cap_user_rdpmc || !index)
			return lab_counter_read_slow();
		v = lab_pmu_read(index);
		width = pc->pmc_width;
		if (width && width < 64)
			v = (uint64_t)((int64_t)(v << (64 - width)) >>
				       (64 - width));
		__asm__ volatile("" ::: "memory");
		if (pc->lock == seq)
			return offset + v;
	}
}

/* What lab_tsc() reads, in words. */
static inline const char *lab_counter_name(void)
{
	return lab_counter.name;
}

static inline void lab_counter_restore(void)
{
	int fd;

	if (lab_counter.user_access_was != '0')
		return;
	fd = open("/proc/sys/kernel/perf_user_access", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "0\n", 2) != 2)
			lab_counter.user_access_was = 0;
		close(fd);
	}
}

/* The generic timer instead of the PMU, and why. */
static inline void lab_counter_timer(const char *why)
{
	if (lab_counter.pc)
		munmap((void *)lab_counter.pc, (size_t)sysconf(_SC_PAGESIZE));
	if (lab_counter.fd >= 0)
		close(lab_counter.fd);
	lab_counter.pc = NULL;
	lab_counter.fd = -1;
	lab_counter.why = why;
	lab_counter.name = "CNTVCT_EL0, the generic timer's virtual count (a clock at CNTFRQ_EL0, not an instruction count)";
}

/*
 * Opens the PMU cycle counter for this thread, readable from user space
 * (see above); on failure the generic timer, and lab_counter.why says what
 * failed. Call it once, before the first lab_tsc(), with no other thread.
 */
static inline void lab_counter_open(void)
{
	struct perf_event_attr attr;
	long page = sysconf(_SC_PAGESIZE);
	char was = 0;
	void *p;
	int fd;

	lab_counter.fd = -1;
#ifdef LAB_COUNTER_TIMER
	/* Built to use the generic timer (to try that path). */
	lab_counter_timer("built with LAB_COUNTER_TIMER");
	return;
#endif
	/* The kernel lets EL0 read the PMU only with perf_user_access set. */
	fd = open("/proc/sys/kernel/perf_user_access", O_RDWR);
	if (fd < 0) {
		lab_counter_timer("no /proc/sys/kernel/perf_user_access (a kernel without arm64 PMU user access)");
		return;
	}
	if (read(fd, &was, 1) != 1)
		was = 0;
	if (was == '0' && (lseek(fd, 0, SEEK_SET) != 0 || write(fd, "1\n", 2) != 2))
		was = 0;
	close(fd);
	if (was != '0' && was != '1') {
		lab_counter_timer("kernel.perf_user_access could not be set to 1");
		return;
	}
	lab_counter.user_access_was = was;
	if (was == '0')
		atexit(lab_counter_restore);

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_CPU_CYCLES;
#if defined(__aarch64__)
	attr.config1 = 0x3;	/* arm64 PMUv3: "long" (64 bits), "rdpmc" */
#else
	attr.config1 = 0x2;	/* "rdpmc", 32 bits: what mrc reads */
#endif
	attr.exclude_hv = 1;	/* EL0 and EL1: the user and the kernel side */
	fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0) {
		lab_counter_timer("perf_event_open(CPU cycles, user access) failed");
		return;
	}
	lab_counter.fd = fd;
	p = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		lab_counter_timer("mmap() of the perf event's page failed");
		return;
	}
	lab_counter.pc = p;
	if (!lab_counter.pc->cap_user_rdpmc || !lab_counter.pc->index) {
		lab_counter_timer("the perf event's page offers no counter to read from user space");
		return;
	}
	lab_counter.why = NULL;
	if (lab_counter.pc->index == LAB_PMU_CYCLE_INDEX)
		lab_counter.name = LAB_PMCCNTR ", the PMU cycle counter, through perf_event_open() with perf_user_access (under QEMU: its virtual clock at 1 GHz; with -icount shift=0, instructions)";
	else
		lab_counter.name = "a PMU event counter counting CPU cycles, through perf_event_open() with perf_user_access (under QEMU: its virtual clock at 1 GHz; with -icount shift=0, instructions)";
}
#endif

/*
 * The counter's resolution in ticks: the greatest common divisor of the
 * steps between successive reads. 1 on most machines; more where the
 * counter advances in steps: this host's (a hypervisor's) TSC moves 26
 * ticks at a time, every 10 ns, for its 2.6 GHz, and QEMU's TCG guests,
 * whose TSC follows the host's, see the same steps. A batch must last many
 * steps before its length means anything. (Under -icount the steps are
 * instruction counts, and their divisor says nothing.)
 */
static inline uint64_t lab_tsc_quantum(void)
{
	uint64_t g = 0, prev = lab_tsc();

	for (int i = 0; i < 10000 && g != 1; i++) {
		uint64_t t = lab_tsc(), d = t - prev;

		prev = t;
		while (d) {
			uint64_t r = g % d;

			g = d;
			d = r;
		}
	}
	return g ? g : 1;
}

static inline int lab_pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static inline uint64_t lab_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per microsecond times 1000 (i.e. kHz), over about ms ms. */
static inline uint64_t lab_tsc_khz(unsigned int ms)
{
	uint64_t t0 = lab_mono_ns(), c0 = lab_tsc(), t1, c1;

	do
		t1 = lab_mono_ns();
	while (t1 - t0 < (uint64_t)ms * 1000000u);
	c1 = lab_tsc();
#if defined(__aarch64__) || defined(__arm__)
	/* The generic timer says its own frequency (after the same warm-up). */
	if (!lab_counter.pc && lab_cntfrq() >= 1000)
		return lab_cntfrq() / 1000;
#endif
	return (c1 - c0) * 1000000u / (t1 - t0);
}

#endif
