/*
 * bench_user: what one call costs, path by path, from user space.
 *
 *   bench_user [--host] [--batches N] [--iters K]
 *
 * Every row times `batches` batches of `iters` calls with the TSC, subtracts
 * the empty loop's median batch (timer and loop overhead), and prints one
 * line per row:
 *
 *   bench ROW unit=milliticks batches=N iters=K min=.. p5=.. median=.. p95=..
 *         p99=.. max=.. mean=.. sd=.. cv_ppm=.. what="..."
 *
 * --host: on the host's own kernel, which has no lab syscalls (their
 * numbers may belong to other calls there): only the rows that need none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lab_stats.h"
#include "lab_syscall.h"
#include "lab_timing.h"
#include "labfunc.h"

static unsigned int batches = 200, iters = 100;
static uint64_t *samples;
static uint64_t overhead;
static char *buf;

__attribute__((noinline)) static long same_unit_function(void)
{
	__asm__ volatile("" ::: "memory");
	return 0;
}

#define TIME_ROW(body)                                                        \
	do {                                                                  \
		for (unsigned int b_ = 0; b_ < batches + batches / 10; b_++) { \
			uint64_t t0_ = lab_tsc();                             \
			for (unsigned int i_ = 0; i_ < iters; i_++) {         \
				body;                                         \
				__asm__ volatile("" ::: "memory");            \
			}                                                     \
			uint64_t t1_ = lab_tsc();                             \
			/* the first tenth is warm-up, not kept */            \
			if (b_ >= batches / 10)                               \
				samples[b_ - batches / 10] = t1_ - t0_;       \
		}                                                             \
	} while (0)

static void report(const char *row, const char *what)
{
	struct lab_stats s;

	for (unsigned int i = 0; i < batches; i++)
		samples[i] = lab_per_call_milli(samples[i], overhead, iters);
	lab_stats_compute(samples, batches, &s);
	printf("bench %s unit=milliticks batches=%u iters=%u min=%llu p5=%llu "
	       "median=%llu p95=%llu p99=%llu max=%llu mean=%llu sd=%llu "
	       "cv_ppm=%llu what=\"%s\"\n",
	       row, batches, iters, (unsigned long long)s.min,
	       (unsigned long long)s.p5, (unsigned long long)s.median,
	       (unsigned long long)s.p95, (unsigned long long)s.p99,
	       (unsigned long long)s.max, (unsigned long long)s.mean,
	       (unsigned long long)s.sd, (unsigned long long)s.cv_ppm, what);
	fflush(stdout);
}

#define ROW(name, what, body)            \
	do {                             \
		TIME_ROW(body);          \
		report(name, what);      \
	} while (0)

static unsigned int parse_uint(const char *opt, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 1000000) {
		fprintf(stderr, "bench_user: %s wants a whole number from 1 to 1000000, not '%s'\n",
			opt, s);
		exit(2);
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	int host = 0;
	struct timespec ts;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0)
			host = 1;
		else if (strcmp(argv[i], "--batches") == 0 && i + 1 < argc)
			batches = parse_uint("--batches", argv[++i]);
		else if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc)
			iters = parse_uint("--iters", argv[++i]);
		else {
			fprintf(stderr, "usage: bench_user [--host] [--batches N] [--iters K]\n");
			return 2;
		}
	}
	if (batches < 10)
		batches = 10;
	samples = calloc(batches + batches / 10, sizeof(*samples));
	buf = mmap(NULL, 2 * LAB_TRANSFORM_MAX, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS
#if defined(__x86_64__)
			   | MAP_32BIT
#endif
		   , -1, 0);
	if (!samples || buf == MAP_FAILED) {
		fprintf(stderr, "bench_user: out of memory\n");
		return 1;
	}
	memset(buf, 'a', 2 * LAB_TRANSFORM_MAX);
	if (lab_pin_to_cpu(0))
		perror("bench_user: sched_setaffinity (not pinned)");

	printf("abi %s\ntsc_khz %llu\n", LAB_ABI, (unsigned long long)lab_tsc_khz(100));

	/* The overhead: the same loop, empty. Reported raw, not subtracted. */
	overhead = 0;
	TIME_ROW((void)0);
	{
		uint64_t copy[batches];
		struct lab_stats s;

		memcpy(copy, samples, sizeof(copy));
		lab_stats_compute(copy, batches, &s);
		overhead = s.median;
	}
	{
		uint64_t keep = overhead;

		overhead = 0;
		TIME_ROW((void)0);
		report("empty_loop", "the loop and timer alone, per call (not subtracted)");
		overhead = keep;
	}

	ROW("function_call", "a non-inlined function in the same file",
	    same_unit_function());
	ROW("library_call", "lab_null_function() from the lab's library",
	    lab_null_function());
	ROW("vdso_clock_gettime", "clock_gettime(CLOCK_MONOTONIC) through the vDSO",
	    clock_gettime(CLOCK_MONOTONIC, &ts));
#if defined(__x86_64__)
	ROW("getppid_syscall", "getppid() with the syscall instruction (perf bench syscall basic's call)",
	    lab_syscall_call(__NR_getppid, 0, 0, 0, 0));
	/* Not on the host: its kernel (or sandbox) may give that number a
	 * meaning, or kill the caller for it. */
	if (!host)
		ROW("ni_syscall", "a number with no entry: sys_ni_syscall, -ENOSYS",
		    lab_syscall_call(LAB_NR64_NO_ENTRY, 0, 0, 0, 0));
#else
	ROW("getppid_vdso32", "getppid() through __kernel_vsyscall",
	    lab_vdso_call(__NR_getppid, 0, 0, 0, 0));
	if (!host)
		ROW("ni_syscall_int80_32", "a number with no entry through int $0x80",
		    lab_int80_call(LAB_NR32_NO_ENTRY, 0, 0, 0, 0));
#endif
	if (host)
		return 0;

	if (lab_glibc_lab_null() != 0) {
		fprintf(stderr, "bench_user: lab_null() failed (%s): not the lab kernel?\n",
			strerror(errno));
		return 1;
	}
	ROW("lab_null_glibc", "lab_null() through glibc's syscall(2)",
	    lab_glibc_lab_null());
#if defined(__x86_64__)
	ROW("lab_null_syscall", "lab_null() with the syscall instruction",
	    lab_syscall_lab_null());
	ROW("lab_null_int80", "lab_null() with int $0x80 from a 64-bit process",
	    lab_int80_lab_null());
	ROW("lab_transform_64B", "lab_transform(), 64 bytes in and out (syscall instruction)",
	    lab_syscall_lab_transform(buf, buf + LAB_TRANSFORM_MAX, 64, 0));
	ROW("lab_transform_4KiB", "lab_transform(), 4096 bytes in and out (syscall instruction)",
	    lab_syscall_lab_transform(buf, buf + LAB_TRANSFORM_MAX, 4096, 0));
#else
	ROW("lab_null_int80_32", "lab_null() with int $0x80 from a 32-bit process",
	    lab_int80_lab_null());
	ROW("lab_null_vdso32", "lab_null() through the vDSO's __kernel_vsyscall (sysenter)",
	    lab_vdso_lab_null());
#endif
	return 0;
}
