/*
 * bench_user: what one call costs, path by path, from user space.
 *
 *   bench_user [--host] [--batches N] [--iters K | --target-us T]
 *
 * Standard output carries benchmark rows and nothing else: one JSON line a
 * row (bench/lab_row.h, schema lab-row/1). Anything meant for a person (an
 * error, a note) goes to standard error, one line each. Exit status: 0; 1
 * when something failed; 2 for bad options.
 *
 * Every row times `batches` (default 200) batches of `iters` calls with the
 * TSC and subtracts from each the median batch of the same loop with
 * nothing in it, as many calls a batch (timer and loop: lab_stats.h). The
 * empty loop's own row is that loop, raw. The rows take turns, a twentieth
 * of their batches at a time, so that each row's batches spread over the
 * whole run (time_rows()). The process runs pinned: to the first CPU it may
 * use, or, when it calibrates, to the one where a call loop runs fastest
 * at the start (pin_cpu()).
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

#include "lab_timing.h" /* first: it needs _GNU_SOURCE's sched.h */
#include "lab_row.h"
#include "lab_stats.h"
#include "lab_syscall.h"
#include "labfunc.h"

#define LAB_TARGET_US 100	/* a calibrated batch lasts about this long */
#define LAB_MIN_STEPS 2000	/* and at least this many counter steps */
#define LAB_ICOUNT_ITERS 100	/* calls a batch under icount, by default */
#define LAB_MAX_ITERS 1000000u
#define LAB_CHUNKS 20		/* each row's batches, in this many turns */
#define LAB_PROBE_CPUS 8	/* CPUs tried for the quietest */
#define LAB_PROBE_BATCHES 15	/* batches of the call loop on each */

/*
 * One batch: n calls of the row's body between two reads of the counter.
 * Each in a function of its own, aligned on a cache line: the place of a
 * tight loop shapes its speed (here a call loop ran at 3 or 4 cycles a call
 * depending on where unrelated code had pushed it).
 */
typedef uint64_t (*batch_fn)(unsigned int n);

struct row {
	const char *name;
	const char *what;
	batch_fn batch;
	int lab;	/* needs the lab kernel: not with --host */
};

static struct timespec ts;
static char *buf;

/*
 * Does nothing, like lab_null_function(), and compiles to a lone `ret`.
 * Its asm says it clobbers every register the ABI lets a call clobber, so
 * that the caller keeps its loop counter where it would across any call:
 * told that this one touches none (GCC's -fipa-ra), the compiler kept the
 * counter in eax, and the 32-bit loop then ran here at 3 or 4 cycles a call
 * from one run to the next.
 */
__attribute__((noinline, aligned(64))) static long same_unit_function(void)
{
#if defined(__x86_64__)
	__asm__ volatile("" ::: "memory", "rax", "rcx", "rdx", "rsi", "rdi",
			 "r8", "r9", "r10", "r11");
#else
	__asm__ volatile("" ::: "memory", "eax", "ecx", "edx");
#endif
	return 0;
}

#define BATCH(fn, body)                                                        \
	__attribute__((noinline, aligned(64))) static uint64_t fn(unsigned int n) \
	{                                                                      \
		uint64_t t0 = lab_tsc();                                       \
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
#else
BATCH(batch_getppid_vdso32, lab_vdso_call(__NR_getppid, 0, 0, 0, 0))
BATCH(batch_ni_syscall_int80_32,
      lab_int80_call(LAB_NR32_NO_ENTRY, 0, 0, 0, 0))
BATCH(batch_lab_null_glibc, lab_glibc_lab_null())
BATCH(batch_lab_null_int80_32, lab_int80_lab_null())
BATCH(batch_lab_null_vdso32, lab_vdso_lab_null())
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
#else
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
#endif
};

static unsigned int batches = 200;
static uint64_t tsc_khz, quantum;

/*
 * lmbench's ENOUGH: the number of calls for which one batch lasts about
 * `target` ticks. Grows n fourfold while a batch is under a quarter of the
 * target, then scales it linearly; the fastest of three tries is taken (an
 * interrupt only ever adds). Rounded down to two significant digits, so
 * that runs mostly agree on it.
 */
static unsigned int calibrate(batch_fn fn, uint64_t target)
{
	uint64_t n = 1, t, p = 1;

	for (;;) {
		t = UINT64_MAX;
		for (int k = 0; k < 3; k++) {
			uint64_t d = fn((unsigned int)n);

			if (d < t)
				t = d;
		}
		if (n >= LAB_MAX_ITERS)
			break;
		if (t < target / 4) {
			n *= 4;
			continue;
		}
		n = t ? n * target / t : n;
		break;
	}
	if (n > LAB_MAX_ITERS)
		n = LAB_MAX_ITERS;
	while (n / p >= 100)
		p *= 10;
	n = n / p * p;
	return n ? (unsigned int)n : 1;
}

/*
 * Pins the process to one CPU of those it may use: the first, or (probe)
 * the one on which a call loop, n calls a batch, runs fastest now, by the
 * median of a few batches on each of the first LAB_PROBE_CPUS. On this
 * host (a virtual machine) each virtual CPU has spells, up to a second or
 * so long and independent of the other's, in which it runs slower, a call
 * loop by a third and more: a run that starts on the quieter one mostly
 * stays out of them. Returns the CPU, or -1 (errno set).
 */
static int pin_cpu(int probe, unsigned int n)
{
	uint64_t best_t = UINT64_MAX, v[LAB_PROBE_BATCHES];
	int best = -1, tried = 0;
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE && tried < LAB_PROBE_CPUS; cpu++) {
		if (!CPU_ISSET(cpu, &allowed) || lab_pin_to_cpu(cpu))
			continue;
		tried++;
		if (!probe)
			return cpu;
		for (int k = 0; k < 3; k++)	/* warm-up, after the move */
			batch_function_call(n);
		for (int k = 0; k < LAB_PROBE_BATCHES; k++)
			v[k] = batch_function_call(n);
		lab_sort(v, LAB_PROBE_BATCHES);
		if (v[LAB_PROBE_BATCHES / 2] < best_t) {
			best_t = v[LAB_PROBE_BATCHES / 2];
			best = cpu;
		}
	}
	if (best < 0 || lab_pin_to_cpu(best))
		return -1;
	return best;
}

/* A row being timed: its calls a batch and its batches' lengths. */
struct timed {
	const struct row *row;
	unsigned int n;
	uint64_t *v;	/* the row's batches */
	uint64_t *e;	/* the empty loop's, n calls a batch: the overhead */
};

/* Batches [from, to) of fn, n calls each, into v; warm more first. */
static void time_batches(batch_fn fn, unsigned int n, unsigned int warm,
			 uint64_t *v, unsigned int from, unsigned int to)
{
	while (warm--)
		fn(n);
	for (unsigned int b = from; b < to; b++)
		v[b] = fn(n);
}

static unsigned int chunks = LAB_CHUNKS;

/*
 * The rows in turn, a chunk of batches at a time (a twentieth of them), so
 * that every row's batches are spread over the whole run: this host (a
 * virtual machine) has spells, from milliseconds to seconds long, in which
 * everything runs slower, a call loop most (by a third and more); a row
 * timed all at once can fall into one whole, and its median with it, while
 * a spell that takes a minority of every row's batches moves no median.
 * Within a chunk the batches of one loop follow each other, after a tenth
 * as many warm-up batches of their own: a batch of a call loop timed right
 * after other code, such as a batch of the empty loop, runs here two or
 * three cycles a call slower, the whole batch long.
 */
static void time_rows(struct timed *t, size_t nt)
{
	for (unsigned int c = 0; c < chunks; c++) {
		unsigned int from = (unsigned int)((uint64_t)batches * c / chunks);
		unsigned int to = (unsigned int)((uint64_t)batches * (c + 1) / chunks);
		unsigned int warm = (to - from + 9) / 10;

		for (size_t i = 0; i < nt; i++) {
			if (t[i].e)
				time_batches(batch_empty, t[i].n, warm, t[i].e,
					     from, to);
			time_batches(t[i].row->batch, t[i].n, warm, t[i].v,
				     from, to);
		}
	}
}

/*
 * Writes a timed row's line on stdout. *coarse is set when the counter's
 * step divided among the batch's calls is over a hundredth of the median:
 * its figures then move in steps that coarse, fine as milliticks look.
 */
static int report(const struct timed *t, int *coarse)
{
	struct lab_stats s = { 0 };
	char line[LAB_ROW_MAX];
	uint64_t overhead = 0;
	int len;

	/* The empty loop is reported raw: it is what the others lose. */
	if (t->e) {
		lab_stats_compute(t->e, batches, &s);
		overhead = s.median;
	}
	for (unsigned int i = 0; i < batches; i++)
		t->v[i] = lab_per_call_milli(t->v[i], overhead, t->n);
	lab_stats_compute(t->v, batches, &s);
	if (quantum * 1000 * 100 / t->n > s.median)
		*coarse = 1;
	len = lab_row_format(line, sizeof(line), LAB_ABI, t->row->name,
			     t->row->what, tsc_khz, batches, t->n, &s);
	if (len < 0) {
		fprintf(stderr, "bench_user: row %s does not format\n",
			t->row->name);
		return -1;
	}
	if (fwrite(line, 1, (size_t)len, stdout) != (size_t)len ||
	    fflush(stdout)) {
		fprintf(stderr, "bench_user: writing row %s: %s\n",
			t->row->name, strerror(errno));
		return -1;
	}
	return 0;
}

static const char usage[] =
	"usage: bench_user [--host] [--batches N] [--iters K | --target-us T]\n";

static unsigned int parse_uint(const char *opt, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || *s < '0' || *s > '9' || v == 0 || v > 1000000) {
		fprintf(stderr, "bench_user: %s wants a whole number from 1 to 1000000, not '%s'\n",
			opt, s);
		exit(2);
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	unsigned int iters = 0, target_us = 0;
	uint64_t target = 0;
	const char *mode = getenv("LAB_MODE");
	int icount = mode && strcmp(mode, "icount") == 0;
	struct timed timed[sizeof(rows) / sizeof(rows[0])];
	size_t nt = 0;
	int host = 0, coarse = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0)
			host = 1;
		else if (strcmp(argv[i], "--batches") == 0 && i + 1 < argc)
			batches = parse_uint("--batches", argv[++i]);
		else if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc)
			iters = parse_uint("--iters", argv[++i]);
		else if (strcmp(argv[i], "--target-us") == 0 && i + 1 < argc)
			target_us = parse_uint("--target-us", argv[++i]);
		else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (iters && target_us) {
		fprintf(stderr, "bench_user: --iters and --target-us exclude each other\n");
		return 2;
	}
	if (icount) {
		/* Exact instruction counts, identical from boot to boot: no
		 * calibration, whose outcome could differ between boots. */
		if (target_us)
			fprintf(stderr, "bench_user: LAB_MODE=icount: --target-us ignored, %u calls a batch\n",
				LAB_ICOUNT_ITERS);
		if (!iters)
			iters = LAB_ICOUNT_ITERS;
	}
	if (!target_us)
		target_us = LAB_TARGET_US;
	if (batches < 10)
		batches = 10;
	if (chunks > batches / 10)
		chunks = batches / 10;

	buf = mmap(NULL, 2 * LAB_TRANSFORM_MAX, PROT_READ | PROT_WRITE,
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
	if (pin_cpu(0, 0) < 0)
		fprintf(stderr, "bench_user: not pinned to a CPU: %s\n",
			strerror(errno));
	/* Its 100 ms of spinning are also the warm-up: on this host a new
	 * process's first tens of milliseconds run slower. */
	tsc_khz = lab_tsc_khz(100);
	quantum = lab_tsc_quantum();
	if (!iters) {
		target = (uint64_t)target_us * tsc_khz / 1000;
		if (target < LAB_MIN_STEPS * quantum)
			target = LAB_MIN_STEPS * quantum;
		if (pin_cpu(1, calibrate(batch_function_call, target)) < 0)
			fprintf(stderr, "bench_user: not pinned to a CPU: %s\n",
				strerror(errno));
	}

	if (!host && lab_glibc_lab_null() != 0) {
		fprintf(stderr, "bench_user: lab_null() failed (%s): not the lab kernel?\n",
			strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct timed *t = &timed[nt];

		if (host && rows[i].lab)
			continue;
		t->row = &rows[i];
		t->n = iters ? iters : calibrate(rows[i].batch, target);
		t->v = calloc(batches, sizeof(*t->v));
		t->e = NULL;
		if (rows[i].batch != batch_empty)
			t->e = calloc(batches, sizeof(*t->e));
		if (!t->v || (rows[i].batch != batch_empty && !t->e)) {
			fprintf(stderr, "bench_user: out of memory\n");
			return 1;
		}
		nt++;
	}
	time_rows(timed, nt);
	for (size_t i = 0; i < nt; i++)
		if (report(&timed[i], &coarse))
			return 1;
	/* Under icount a step is one instruction, and the count exact. */
	if (coarse && iters && !icount)
		fprintf(stderr, "bench_user: the counter steps %llu ticks at a time: with %u calls a batch, some rows' figures move in steps over 1%% of them (calibrate instead of --iters)\n",
			(unsigned long long)quantum, iters);
	return 0;
}
