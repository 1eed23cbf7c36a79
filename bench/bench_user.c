/*
 * bench_user: what one call costs, path by path, from user space.
 *
 *   bench_user [--host] [--batches N] [--iters K | --target-us T]
 *
 * Standard output carries benchmark rows and nothing else: one JSON line a
 * row (include/lab/lab_row.h, schema lab-row/1). Anything for a person (an
 * error, a note) goes to standard error, one line each. Exit status: 0; 1
 * when something failed; 2 for bad options.
 *
 * Every row times `batches` (default 200) batches of `iters` calls with the
 * TSC and subtracts from each the median batch of the same loop with
 * nothing in it, as many calls a batch (timer and loop: lab_stats.h). The
 * empty loop's own row is that loop, raw. The rows take turns, a twentieth
 * of their batches at a time, so that each row's batches spread over the
 * whole run. The process runs pinned: to the first CPU it may use, or, when
 * it calibrates, to the one where a call loop runs fastest at the start.
 * That engine is lab_bench.c's, shared with bench_batch; it says why each
 * part is so.
 *
 * How many calls a batch: by default each row calibrates its own, as
 * lmbench's ENOUGH does: a batch lasts about T microseconds (--target-us,
 * default LAB_TARGET_US) and at least LAB_MIN_STEPS steps of the counter,
 * so that neither the timer's cost nor the counter's resolution (on some
 * machines far coarser than a tick: lab_tsc_quantum()) shows in it.
 * --iters K fixes K calls a batch for every row instead. With LAB_MODE=icount
 * in the environment (QEMU -icount shift=0: a tick is one instruction, and
 * two boots must give identical medians) nothing is calibrated either:
 * iters is --iters K, or 100.
 *
 * The calls added with make new-syscall have their rows too, through every
 * way in, with the arguments include/lab/lab_own_calls.h gives them.
 *
 * --host: on the host's own kernel, which has no lab syscalls (their
 * numbers may belong to other calls there): only the rows that need none.
 */
#define _GNU_SOURCE
#include "lab_bench.h" /* first: lab_timing.h needs _GNU_SOURCE's sched.h */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "lab_syscall.h"
#include "labfunc.h"

#define LAB_ICOUNT_ITERS 100	/* calls a batch under icount, by default */

struct row {
	const char *name;
	const char *what;
	lab_batch_fn batch;
	int lab;	/* needs the lab kernel: not with --host */
};

static struct timespec ts;
static char *buf;
/* The user memory lab_own_calls.h's arguments may point to. */
#define LAB_OWN_BUF ((void *)(buf + 3 * LAB_TRANSFORM_MAX))
/* lab_sysinfo()'s request (a release buffer of 64 bytes), in this
 * process's layout; on x86_64 also in the 32-bit one, for int $0x80,
 * which enters the compat entry point. */
static struct lab_sysinfo *si;
#if defined(__x86_64__)
static struct lab_sysinfo32 *si32;
#endif

/*
 * One batch: n calls of the row's body between two reads of the counter
 * (k, the engine's, is 0 here). Each in a function of its own, aligned on a
 * cache line: the place of a tight loop shapes its speed (here a call loop
 * ran at 3 or 4 cycles a call depending on where unrelated code had pushed
 * it). The function call's callee, same_unit_function(), is lab_bench.h's.
 */
#define BATCH(fn, body)                                                        \
	__attribute__((noinline, aligned(64))) static uint64_t fn(             \
		unsigned int n, unsigned int k)                                \
	{                                                                      \
		uint64_t t0 = lab_tsc();                                       \
		(void)k;                                                       \
		for (unsigned int i = 0; i < n; i++) {                         \
			body;                                                  \
			__asm__ volatile("" ::: "memory");                     \
		}                                                              \
		return lab_tsc() - t0;                                         \
	}

BATCH(batch_empty, (void)0)
BATCH(batch_function_call, same_unit_function())
BATCH(batch_library_call, lab_null_function())
BATCH(batch_vdso_clock_gettime, clock_gettime(CLOCK_MONOTONIC, &ts))
#if defined(__x86_64__)
BATCH(batch_getppid_syscall, lab_syscall_call(__NR_getppid, 0, 0, 0, 0))
BATCH(batch_ni_syscall, lab_syscall_call(LAB_NR64_NO_ENTRY, 0, 0, 0, 0))
BATCH(batch_lab_null_glibc, lab_glibc_lab_null())
BATCH(batch_lab_null_syscall, lab_syscall_lab_null())
BATCH(batch_lab_null_int80, lab_int80_lab_null())
BATCH(batch_lab_transform_64B,
      lab_syscall_lab_transform(buf, buf + LAB_TRANSFORM_MAX, 64, 0))
BATCH(batch_lab_transform_4KiB,
      lab_syscall_lab_transform(buf, buf + LAB_TRANSFORM_MAX, 4096, 0))
BATCH(batch_lab_sysinfo_syscall, lab_syscall_lab_sysinfo(si, 0))
/* the wrapper is typed for the native layout; the compat entry reads si32's */
BATCH(batch_lab_sysinfo_int80,
      lab_int80_lab_sysinfo((struct lab_sysinfo *)(void *)si32, 0))
#define LAB_OWN_CALL(name, args)                                               \
	BATCH(batch_##name##_syscall, lab_syscall_##name args)                 \
	BATCH(batch_##name##_int80, lab_int80_##name args)
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
#elif defined(__i386__)
BATCH(batch_getppid_vdso32, lab_vdso_call(__NR_getppid, 0, 0, 0, 0))
BATCH(batch_ni_syscall_int80_32,
      lab_int80_call(LAB_NR32_NO_ENTRY, 0, 0, 0, 0))
BATCH(batch_lab_null_glibc, lab_glibc_lab_null())
BATCH(batch_lab_null_int80_32, lab_int80_lab_null())
BATCH(batch_lab_null_vdso32, lab_vdso_lab_null())
BATCH(batch_lab_sysinfo_int80_32, lab_int80_lab_sysinfo(si, 0))
BATCH(batch_lab_sysinfo_vdso32, lab_vdso_lab_sysinfo(si, 0))
#define LAB_OWN_CALL(name, args)                                               \
	BATCH(batch_##name##_int80_32, lab_int80_##name args)                  \
	BATCH(batch_##name##_vdso32, lab_vdso_##name args)
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
#elif defined(__aarch64__)
BATCH(batch_getppid_svc, lab_svc_call(__NR_getppid, 0, 0, 0, 0))
BATCH(batch_ni_syscall, lab_svc_call(LAB_NR64_NO_ENTRY, 0, 0, 0, 0))
BATCH(batch_lab_null_glibc, lab_glibc_lab_null())
BATCH(batch_lab_null_svc, lab_svc_lab_null())
BATCH(batch_lab_transform_64B,
      lab_svc_lab_transform(buf, buf + LAB_TRANSFORM_MAX, 64, 0))
BATCH(batch_lab_transform_4KiB,
      lab_svc_lab_transform(buf, buf + LAB_TRANSFORM_MAX, 4096, 0))
BATCH(batch_lab_sysinfo_svc, lab_svc_lab_sysinfo(si, 0))
#define LAB_OWN_CALL(name, args) BATCH(batch_##name##_svc, lab_svc_##name args)
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
#else
BATCH(batch_getppid_svc32, lab_svc_call(__NR_getppid, 0, 0, 0, 0))
BATCH(batch_ni_syscall_svc32, lab_svc_call(LAB_NR32_NO_ENTRY, 0, 0, 0, 0))
BATCH(batch_lab_null_glibc, lab_glibc_lab_null())
BATCH(batch_lab_null_svc32, lab_svc_lab_null())
BATCH(batch_lab_sysinfo_svc32, lab_svc_lab_sysinfo(si, 0))
#define LAB_OWN_CALL(name, args) BATCH(batch_##name##_svc32, lab_svc_##name args)
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
#endif

/* The empty loop's row is the loop alone; every other row has that loop,
 * timed with as many calls a batch as the row's own, subtracted. */
static const struct row rows[] = {
	{ "empty_loop", "the loop and timer alone, per call (not subtracted)",
	  batch_empty, 0 },
	{ "function_call", "a non-inlined function in the same file",
	  batch_function_call, 0 },
	{ "library_call", "lab_null_function() from the lab's library",
	  batch_library_call, 0 },
	{ "vdso_clock_gettime", "clock_gettime(CLOCK_MONOTONIC) through the vDSO",
	  batch_vdso_clock_gettime, 0 },
#if defined(__x86_64__)
	{ "getppid_syscall", "getppid() with the syscall instruction (perf bench syscall basic's call)",
	  batch_getppid_syscall, 0 },
	/* Not on the host: its kernel (or sandbox) may give that number a
	 * meaning, or kill the caller for it. */
	{ "ni_syscall", "a number with no entry: sys_ni_syscall, -ENOSYS",
	  batch_ni_syscall, 1 },
	{ "lab_null_glibc", "lab_null() through glibc's syscall(2)",
	  batch_lab_null_glibc, 1 },
	{ "lab_null_syscall", "lab_null() with the syscall instruction",
	  batch_lab_null_syscall, 1 },
	{ "lab_null_int80", "lab_null() with int $0x80 from a 64-bit process",
	  batch_lab_null_int80, 1 },
	{ "lab_transform_64B", "lab_transform(), 64 bytes in and out (syscall instruction)",
	  batch_lab_transform_64B, 1 },
	{ "lab_transform_4KiB", "lab_transform(), 4096 bytes in and out (syscall instruction)",
	  batch_lab_transform_4KiB, 1 },
	{ "lab_sysinfo_syscall", "lab_sysinfo() with the syscall instruction: the native entry, 64-bit layout",
	  batch_lab_sysinfo_syscall, 1 },
	{ "lab_sysinfo_int80", "lab_sysinfo() with int $0x80 from a 64-bit process: the compat entry, 32-bit layout",
	  batch_lab_sysinfo_int80, 1 },
#define LAB_OWN_CALL(name, args)                                               \
	{ #name "_syscall", #name "() with the syscall instruction", batch_##name##_syscall, 1 }, \
	{ #name "_int80", #name "() with int $0x80 from a 64-bit process", batch_##name##_int80, 1 },
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
#elif defined(__i386__)
	{ "getppid_vdso32", "getppid() through __kernel_vsyscall",
	  batch_getppid_vdso32, 0 },
	{ "ni_syscall_int80_32", "a number with no entry through int $0x80",
	  batch_ni_syscall_int80_32, 1 },
	{ "lab_null_glibc", "lab_null() through glibc's syscall(2)",
	  batch_lab_null_glibc, 1 },
	{ "lab_null_int80_32", "lab_null() with int $0x80 from a 32-bit process",
	  batch_lab_null_int80_32, 1 },
	{ "lab_null_vdso32", "lab_null() through the vDSO's __kernel_vsyscall (sysenter)",
	  batch_lab_null_vdso32, 1 },
	{ "lab_sysinfo_int80_32", "lab_sysinfo() with int $0x80 from a 32-bit process: the compat entry",
	  batch_lab_sysinfo_int80_32, 1 },
	{ "lab_sysinfo_vdso32", "lab_sysinfo() through __kernel_vsyscall (sysenter): the compat entry",
	  batch_lab_sysinfo_vdso32, 1 },
#define LAB_OWN_CALL(name, args)                                               \
	{ #name "_int80_32", #name "() with int $0x80 from a 32-bit process", batch_##name##_int80_32, 1 }, \
	{ #name "_vdso32", #name "() through __kernel_vsyscall (sysenter)", batch_##name##_vdso32, 1 },
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
#elif defined(__aarch64__)
	{ "getppid_svc", "getppid() with the svc instruction",
	  batch_getppid_svc, 0 },
	/* Not on the host: see ni_syscall above. */
	{ "ni_syscall", "a number with no entry: sys_ni_syscall, -ENOSYS",
	  batch_ni_syscall, 1 },
	{ "lab_null_glibc", "lab_null() through glibc's syscall(2)",
	  batch_lab_null_glibc, 1 },
	{ "lab_null_svc", "lab_null() with the svc instruction",
	  batch_lab_null_svc, 1 },
	{ "lab_transform_64B", "lab_transform(), 64 bytes in and out (svc instruction)",
	  batch_lab_transform_64B, 1 },
	{ "lab_transform_4KiB", "lab_transform(), 4096 bytes in and out (svc instruction)",
	  batch_lab_transform_4KiB, 1 },
	{ "lab_sysinfo_svc", "lab_sysinfo() with the svc instruction: the native entry, 64-bit layout",
	  batch_lab_sysinfo_svc, 1 },
#define LAB_OWN_CALL(name, args)                                               \
	{ #name "_svc", #name "() with the svc instruction", batch_##name##_svc, 1 },
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
#else
	{ "getppid_svc32", "getppid() with svc from a 32-bit (AArch32) process",
	  batch_getppid_svc32, 0 },
	{ "ni_syscall_svc32", "a number with no entry through svc from a 32-bit process",
	  batch_ni_syscall_svc32, 1 },
	{ "lab_null_glibc", "lab_null() through glibc's syscall(2)",
	  batch_lab_null_glibc, 1 },
	{ "lab_null_svc32", "lab_null() with svc from a 32-bit (AArch32) process",
	  batch_lab_null_svc32, 1 },
	{ "lab_sysinfo_svc32", "lab_sysinfo() with svc from a 32-bit (AArch32) process: the compat entry",
	  batch_lab_sysinfo_svc32, 1 },
#define LAB_OWN_CALL(name, args)                                               \
	{ #name "_svc32", #name "() with svc from a 32-bit (AArch32) process", batch_##name##_svc32, 1 },
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
#endif
};

/* Why this process cannot time row r here, or NULL: the vDSO rows of a
 * 32-bit process that the kernel gave no vDSO (a host booted with
 * vdso32=0, or without the 32-bit vDSO). */
static const char *cannot_run(const struct row *r)
{
#if defined(__i386__)
	static const lab_batch_fn vdso[] = {
		batch_getppid_vdso32, batch_lab_null_vdso32, batch_lab_sysinfo_vdso32,
#define LAB_OWN_CALL(name, args) batch_##name##_vdso32,
#include "lab_own_calls.h"
#undef LAB_OWN_CALL
	};

	for (size_t i = 0; i < sizeof(vdso) / sizeof(*vdso); i++)
		if (r->batch == vdso[i] && !lab_vdso_entry())
			return "no vDSO in this process (AT_SYSINFO is 0)";
#endif
	(void)r;
	return NULL;
}

int main(int argc, char **argv)
{
	struct lab_bench b = { .prog = "bench_user", .unit = "calls",
			       .icount_batch = "calls a batch",
			       .icount_iters = LAB_ICOUNT_ITERS };
	struct lab_timed timed[sizeof(rows) / sizeof(rows[0])];
	size_t nt = 0;

	lab_bench_options(&b, argc, argv);
	buf = mmap(NULL, 4 * LAB_TRANSFORM_MAX, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS
#if defined(__x86_64__)
			   | MAP_32BIT
#endif
		   , -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "bench_user: out of memory\n");
		return 1;
	}
	memset(buf, 'a', 2 * LAB_TRANSFORM_MAX);
	si = (void *)(buf + 2 * LAB_TRANSFORM_MAX);
	*si = (struct lab_sysinfo){ .release = (uintptr_t)(buf + 2 * LAB_TRANSFORM_MAX + 64),
				    .release_size = 64 };
#if defined(__x86_64__)
	si32 = (void *)(buf + 2 * LAB_TRANSFORM_MAX + 128);
	*si32 = (struct lab_sysinfo32){ .release = (uint32_t)(uintptr_t)(buf + 2 * LAB_TRANSFORM_MAX + 192),
					.release_size = 64 };
#endif
	lab_bench_start(&b, batch_function_call);

	if (!b.host && lab_glibc_lab_null() != 0) {
		fprintf(stderr, "bench_user: lab_null() failed (%s): not the lab kernel?\n",
			strerror(errno));
		return 1;
	}
	if (!b.host && lab_glibc_lab_sysinfo(si, 0) <= 0) {
		fprintf(stderr, "bench_user: lab_sysinfo() failed (%s)\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = cannot_run(&rows[i]);

		if (b.host && rows[i].lab)
			continue;
		if (why) {
			if (lab_bench_left_out(&b, rows[i].name, why))
				return 1;
			continue;
		}
		timed[nt] = (struct lab_timed){
			.path = rows[i].name, .what = rows[i].what,
			.batch = rows[i].batch,
			.empty = rows[i].batch != batch_empty ? batch_empty : NULL,
		};
		/* A process without a vDSO (an arm64 kernel gives AArch32
		 * tasks one only when built with a 32-bit compiler,
		 * CONFIG_COMPAT_VDSO; a host booted with vdso=0 or vdso32=0):
		 * glibc's clock_gettime() then makes the system call, and the
		 * row says so. */
		if (rows[i].batch == batch_vdso_clock_gettime &&
		    !getauxval(AT_SYSINFO_EHDR))
			timed[nt].what = "clock_gettime(CLOCK_MONOTONIC): no vDSO in this process, so the system call";
		if (lab_bench_add(&b, &timed[nt]))
			return 1;
		nt++;
	}
	lab_bench_time(&b, timed, nt);
	for (size_t i = 0; i < nt; i++)
		if (lab_bench_report(&b, &timed[i]))
			return 1;
	lab_bench_coarse_note(&b);
	return 0;
}
