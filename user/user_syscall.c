/*
 * user_syscall: the hello family from user space, through every way into
 * the kernel this binary's ABI has (x86_64: syscall(2), the syscall
 * instruction, int $0x80; i386: syscall(2), int $0x80, the vDSO; arm64 and
 * 32-bit arm: syscall(2), the svc instruction).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "lab_syscall.h"

/*
 * The call sites that make asm shows and make trace follows: one null
 * system call each, nothing around it. Not inlined, so each stands alone in
 * user_syscall.s and has an address of its own.
 */
#if defined(__x86_64__)
__attribute__((noinline)) long lab_call_site_syscall(void)
{
	return lab_syscall_lab_null();
}
#define lab_native_lab_batch lab_syscall_lab_batch
#endif

#if defined(__aarch64__)
__attribute__((noinline)) long lab_call_site_svc(void)
{
	return lab_svc_lab_null();
}
#define lab_native_lab_batch lab_svc_lab_batch
#endif

#if defined(__arm__)
/*
 * The null system call from a 32-bit (AArch32) program: svc #0 with the
 * compat table's number in r7. On arm64, make trace follows it through the
 * compat entry (el0t_32_sync, el0_svc_compat, compat_sys_call_table).
 */
__attribute__((noinline)) long lab_call_site_svc32(void)
{
	return lab_svc_lab_null();
}
#endif

#if defined(__aarch64__) || defined(__arm__)
/*
 * On arm64 every system call's exit takes a random kernel stack offset
 * from get_random_u16(), and about one call in 48 refills that per-CPU
 * batch (chacha20: thousands of instructions). make trace follows one
 * call of each site: each runs LAB_TRACE_CALLS times in a row, and if the
 * traced call refilled, lab_trace.py traces the next instead (after a
 * refill the batch holds 47 more; only a reseed, which the refill itself
 * may start, makes the next call refill too).
 */
#define LAB_TRACE_CALLS 3
#define LAB_TRACED(site) lab_traced(site)

static long lab_traced(long (*site)(void))
{
	long ret = 0;

	for (int i = 0; i < LAB_TRACE_CALLS; i++)
		ret = site();
	return ret;
}
#else
#define LAB_TRACED(site) site()
#endif

#if defined(__x86_64__) || defined(__aarch64__)

/*
 * One lab_batch() each, of 1 and of 4 LAB_BATCH_NULL records: make trace
 * follows both, and the difference is what a record costs. The records
 * are filled before (batch_prepare()), so that each call site is only the
 * argument set-up and the syscall instruction (arm64: svc), and their page
 * is present and written when the kernel copies them in and writes their
 * results.
 */
static struct lab_batch_rec lab_batch1_recs[1];
static struct lab_batch_rec lab_batch4_recs[4];

__attribute__((noinline)) long lab_call_site_batch1(void)
{
	return lab_native_lab_batch(lab_batch1_recs, 1, 0);
}

__attribute__((noinline)) long lab_call_site_batch4(void)
{
	return lab_native_lab_batch(lab_batch4_recs, 4, 0);
}

static void batch_prepare(struct lab_batch_rec *recs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		recs[i] = (struct lab_batch_rec){ .op = LAB_BATCH_NULL,
						  .result = -1 };
}

/* A call site's answer and its records' results, on one line. */
static void batch_show(const char *site, long ret,
		       const struct lab_batch_rec *recs, unsigned int n)
{
	printf("user_syscall (%s): %s() returned %ld, results", LAB_ABI, site,
	       ret);
	for (unsigned int i = 0; i < n; i++)
		printf(" %lld", (long long)recs[i].result);
	printf("\n");
}
#endif

#if defined(__x86_64__) || defined(__i386__)
__attribute__((noinline)) long lab_call_site_int80(void)
{
	return lab_int80_lab_null();
}
#endif

#if defined(__i386__)
/*
 * The null system call through the vDSO: AT_SYSINFO's __kernel_vsyscall,
 * which enters with sysenter (or syscall, as the CPU has). make trace
 * follows it from the `call *` to the instruction after it.
 */
__attribute__((noinline)) long lab_call_site_vdso(void)
{
	return lab_vdso_lab_null();
}
#endif

/* The kernel's answer whatever the way in: glibc's -1/errno made -errno. */
static long kernel_answer(const char *mech, long ret)
{
	return (strcmp(mech, "glibc") == 0 && ret == -1) ? -errno : ret;
}

static void show(const char *mech, const char *call, long ret,
		 const char *data)
{
	ret = kernel_answer(mech, ret);
	if (ret < 0)
		printf("  %-7s %-34s = %ld (%s)\n", mech, call, ret,
		       strerror((int)-ret));
	else if (data)
		printf("  %-7s %-34s = %ld \"%s\"\n", mech, call, ret, data);
	else
		printf("  %-7s %-34s = %ld\n", mech, call, ret);
}

#define SHOW_MECH(mech)                                                      \
	do {                                                                 \
		memset(buf, 0, 128);                                         \
		show(#mech, "hello()", lab_##mech##_hello(), NULL);           \
		show(#mech, "lab_null()", lab_##mech##_lab_null(), NULL);     \
		show(#mech, "lab_greeting(buf, 64)",                         \
		     lab_##mech##_lab_greeting(buf, 64), buf);               \
		show(#mech, "lab_transform(\"syscall\", UPPER|REV)",           \
		     lab_##mech##_lab_transform("syscall", buf + 64, 7,      \
						LAB_TRANSFORM_ALL),          \
		     buf + 64);                                              \
		show(#mech, "lab_transform(.., flags=0x80)",                 \
		     lab_##mech##_lab_transform(buf, buf, 1, 0x80), NULL);   \
		show(#mech, "lab_greeting(NULL, 64)",                        \
		     lab_##mech##_lab_greeting(NULL, 64), NULL);             \
	} while (0)

int main(void)
{
	/* Below 4 GiB, so that int $0x80 from a 64-bit process can reach it. */
	char *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS
#if defined(__x86_64__)
				 | MAP_32BIT
#endif
			 , -1, 0);
	long ret;

	if (buf == MAP_FAILED) {
		perror("user_syscall: mmap");
		return 1;
	}
#if defined(__x86_64__)
	printf("user_syscall (%s): lab_call_site_syscall() returned %ld\n", LAB_ABI,
	       lab_call_site_syscall());
#endif
#if defined(__aarch64__)
	printf("user_syscall (%s): lab_call_site_svc() returned %ld\n", LAB_ABI,
	       LAB_TRACED(lab_call_site_svc));
#endif
#if defined(__x86_64__) || defined(__aarch64__)
	batch_prepare(lab_batch1_recs, 1);
	batch_prepare(lab_batch4_recs, 4);
	batch_show("lab_call_site_batch1", LAB_TRACED(lab_call_site_batch1),
		   lab_batch1_recs, 1);
	batch_show("lab_call_site_batch4", LAB_TRACED(lab_call_site_batch4),
		   lab_batch4_recs, 4);
#endif
#if defined(__x86_64__) || defined(__i386__)
	printf("user_syscall (%s): lab_call_site_int80() returned %ld\n", LAB_ABI,
	       lab_call_site_int80());
#endif
#if defined(__i386__)
	printf("user_syscall (%s): lab_call_site_vdso() returned %ld\n", LAB_ABI,
	       lab_call_site_vdso());
#endif
#if defined(__arm__)
	printf("user_syscall (%s): lab_call_site_svc32() returned %ld\n", LAB_ABI,
	       LAB_TRACED(lab_call_site_svc32));
#endif
	ret = syscall(LAB_NR_NATIVE(hello));
	printf("user_syscall (%s): syscall(%d /* hello */) returned %ld\n", LAB_ABI,
	       LAB_NR_NATIVE(hello), ret);
#if defined(__x86_64__) || defined(__i386__)
	printf("every call, every way in (%s numbers: hello=%d; i386 table: hello=%d):\n",
	       LAB_ABI, LAB_NR_NATIVE(hello), LAB_NR_I386(hello));
#elif defined(__aarch64__)
	printf("every call, every way in (%s numbers: hello=%d; AArch32 compat table: hello=%d):\n",
	       LAB_ABI, LAB_NR_NATIVE(hello), LAB_NR32_hello);
#else
	printf("every call, every way in (%s numbers: hello=%d):\n", LAB_ABI,
	       LAB_NR_NATIVE(hello));
#endif
	SHOW_MECH(glibc);
#if defined(__x86_64__)
	SHOW_MECH(syscall);
#endif
#if defined(__x86_64__) || defined(__i386__)
	SHOW_MECH(int80);
#endif
#if defined(__aarch64__) || defined(__arm__)
	SHOW_MECH(svc);
#endif
#if defined(__i386__)
	SHOW_MECH(vdso);
#endif
	return ret == 0 ? 0 : 1;
}
