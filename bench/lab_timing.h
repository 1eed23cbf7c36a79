/*
 * lab_timing.h: the user-space half of the timing engine: the time stamp
 * counter read in order, its resolution, pinning, and the TSC's frequency
 * calibrated against CLOCK_MONOTONIC. The arithmetic is in lab_stats.h,
 * shared with the module.
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
	return (c1 - c0) * 1000000u / (t1 - t0);
}

#endif
