/*
 * lab_syscall.h: to the lab's system calls what _syscallN() was to old
 * kernels. One inline function per system call and per way into the kernel:
 *
 *   lab_glibc_NAME()   glibc's syscall(2): -1 and errno on failure
 *   lab_syscall_NAME() the `syscall` instruction (x86_64 only)
 *   lab_int80_NAME()   `int $0x80`: the 32-bit table and registers, from a
 *                      64-bit process too (then pointers must lie below 4 GiB)
 *   lab_vdso_NAME()    __kernel_vsyscall from the vDSO (i386 only), found
 *                      through AT_SYSINFO: sysenter or syscall, as the CPU has
 *   lab_svc_NAME()     the `svc #0` instruction (arm64: the number in x8,
 *                      the arguments in x0..x5, the answer in x0; 32-bit
 *                      arm, EABI, an AArch32 program on arm64 too: the
 *                      number in r7, the arguments in r0..r5)
 *
 * Under them, per way in, lab_MECH_call(nr, a0..a3) makes a call of up to
 * four arguments and lab_MECH_call6(nr, a0..a5) one of up to six (the
 * wrappers of a call with five or six take it): the fifth and sixth
 * arguments go in registers the compiler may not name in an asm of the
 * 32-bit ABIs (ebp), so the four-argument call does not pay for them.
 *
 * All but lab_glibc_*() return the kernel's answer untouched: a negative
 * errno on failure. The numbers come from lab_syscall_nr.h, which the build
 * generates from the lab kernel's own uapi headers: the 32-bit table may
 * number the family differently from the 64-bit one. On arm64, LAB_NR64_*
 * are the native (generic unistd.h) numbers and LAB_NR32_* the AArch32
 * compat table's, which a 32-bit arm program uses natively.
 */
#ifndef LAB_SYSCALL_H
#define LAB_SYSCALL_H

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/lab_syscalls.h>

#include "lab_syscall_nr.h"

#if defined(__x86_64__)
#define LAB_NR_NATIVE(name) LAB_NR64_##name
#define LAB_ABI "x86_64"
#elif defined(__i386__)
#define LAB_NR_NATIVE(name) LAB_NR32_##name
#define LAB_ABI "i386"
#elif defined(__aarch64__)
#define LAB_NR_NATIVE(name) LAB_NR64_##name
#define LAB_ABI "arm64"
#elif defined(__arm__)
#define LAB_NR_NATIVE(name) LAB_NR32_##name
#define LAB_ABI "arm"
#else
#error "the lab's system calls exist on x86 and arm only"
#endif
#if defined(__x86_64__) || defined(__i386__)
#define LAB_NR_I386(name) LAB_NR32_##name
#endif

static inline long lab_glibc_call(long nr, long a0, long a1, long a2, long a3)
{
	return syscall(nr, a0, a1, a2, a3);
}

static inline long lab_glibc_call6(long nr, long a0, long a1, long a2, long a3,
				   long a4, long a5)
{
	return syscall(nr, a0, a1, a2, a3, a4, a5);
}

#if defined(__x86_64__) || defined(__i386__)
static inline long lab_int80_call(long nr, long a0, long a1, long a2, long a3)
{
#if defined(__x86_64__)
	/* The 32-bit entry zeroes r8-r11 on the way back to a 64-bit task. */
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			 : "r8", "r9", "r10", "r11", "memory");
	return (int)ret;
#else
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			 : "memory");
	return ret;
#endif
}

/*
 * The sixth argument goes in ebp, which may be the frame pointer: it is
 * saved, set and restored inside the asm. On x86_64 it is kept in r12 (a
 * push would write into the red zone below rsp); on i386 on the stack, and
 * a5 is read through eax, the only operand not yet in its register, so that
 * no operand is addressed relative to a moved esp.
 */
#if defined(__i386__)
/* ebp saved on the stack and set to blk[1]; blk's address in eax. */
#define LAB_I386_EBP6 "push %%ebp\n\tmov 4(%%eax), %%ebp\n\t"
#define LAB_I386_IN6(blk) \
	"a"(blk), "b"(a0), "c"(a1), "d"(a2), "S"(a3), "D"(a4), "m"(blk)
#endif

static inline long lab_int80_call6(long nr, long a0, long a1, long a2, long a3,
				   long a4, long a5)
{
#if defined(__x86_64__)
	long ret;

	__asm__ volatile("mov %%rbp, %%r12\n\t"
			 "mov %[a5], %%rbp\n\t"
			 "int $0x80\n\t"
			 "mov %%r12, %%rbp"
			 : "=a"(ret)
			 : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3), "D"(a4),
			   [a5] "r"(a5)
			 : "r8", "r9", "r10", "r11", "r12", "memory");
	return (int)ret;
#else
	long blk[2] = { nr, a5 }, ret;

	__asm__ volatile(LAB_I386_EBP6 "mov (%%eax), %%eax\n\t"
			 "int $0x80\n\t"
			 "pop %%ebp"
			 : "=a"(ret) : LAB_I386_IN6(blk) : "memory");
	return ret;
#endif
}
#endif

#if defined(__aarch64__) || defined(__arm__)
/*
 * svc #0, the number in x8 (arm64) or r7 (AArch32, EABI), the arguments
 * in x0..x5 / r0..r5, the answer in x0 / r0; the kernel gives every other
 * register back as it was.
 */
#if defined(__aarch64__)
#define LAB_SVC_NR "x8"
#define LAB_SVC_ARG(n) "x" #n
#else
#define LAB_SVC_NR "r7"
#define LAB_SVC_ARG(n) "r" #n
#endif
/* The number and the first four arguments, each in its register. */
#define LAB_SVC_REGS                                                         \
	register long number __asm__(LAB_SVC_NR) = nr;                       \
	register long r0 __asm__(LAB_SVC_ARG(0)) = a0;                       \
	register long r1 __asm__(LAB_SVC_ARG(1)) = a1;                       \
	register long r2 __asm__(LAB_SVC_ARG(2)) = a2;                       \
	register long r3 __asm__(LAB_SVC_ARG(3)) = a3

static inline long lab_svc_call(long nr, long a0, long a1, long a2, long a3)
{
	LAB_SVC_REGS;

	__asm__ volatile("svc #0"
			 : "+r"(r0)
			 : "r"(number), "r"(r1), "r"(r2), "r"(r3)
			 : "memory");
	return r0;
}

static inline long lab_svc_call6(long nr, long a0, long a1, long a2, long a3,
				 long a4, long a5)
{
	LAB_SVC_REGS;
	register long r4 __asm__(LAB_SVC_ARG(4)) = a4;
	register long r5 __asm__(LAB_SVC_ARG(5)) = a5;

	__asm__ volatile("svc #0"
			 : "+r"(r0)
			 : "r"(number), "r"(r1), "r"(r2), "r"(r3), "r"(r4),
			   "r"(r5)
			 : "memory");
	return r0;
}
#endif

#if defined(__x86_64__)
static inline long lab_syscall_call(long nr, long a0, long a1, long a2,
				    long a3)
{
	/*
	 * The syscall instruction puts the return address in rcx and rflags
	 * in r11; the fourth argument goes in r10, not rcx.
	 */
	register long r10 __asm__("r10") = a3;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long lab_syscall_call6(long nr, long a0, long a1, long a2,
				     long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#endif

#if defined(__i386__)
#include <sys/auxv.h>

/* The address of __kernel_vsyscall, or 0 when there is no vDSO. */
static inline unsigned long lab_vdso_entry(void)
{
	return getauxval(AT_SYSINFO);
}

static inline long lab_vdso_call(long nr, long a0, long a1, long a2, long a3)
{
	unsigned long entry = lab_vdso_entry();
	long ret;

	if (!entry)
		return -38; /* ENOSYS: no vDSO, no fast path */
	__asm__ volatile("call *%[entry]"
			 : "=a"(ret)
			 : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3),
			   [entry] "m"(entry)
			 : "memory");
	return ret;
}

/* As lab_int80_call6(), the entry's address read through eax too. */
static inline long lab_vdso_call6(long nr, long a0, long a1, long a2, long a3,
				  long a4, long a5)
{
	long blk[3] = { nr, a5, (long)lab_vdso_entry() }, ret;

	if (!blk[2])
		return -38; /* ENOSYS: no vDSO, no fast path */
	__asm__ volatile(LAB_I386_EBP6 "push 8(%%eax)\n\t"
			 "mov (%%eax), %%eax\n\t"
			 "call *(%%esp)\n\t"
			 "add $4, %%esp\n\t"
			 "pop %%ebp"
			 : "=a"(ret) : LAB_I386_IN6(blk) : "memory");
	return ret;
}
#endif

/*
 * struct lab_sysinfo as i386 and 32-bit ARM lay it out (the kernel's struct
 * compat_lab_sysinfo): a 32-bit program's own struct lab_sysinfo, and what a
 * 64-bit x86 process passes through int $0x80, which enters the 32-bit
 * table and its compat entry points.
 */
struct lab_sysinfo32 {
	int32_t uptime;
	uint32_t freeram;
	uint32_t procs;
	uint32_t release;
	uint32_t release_size;
};

/*
 * LAB_DEFINE_WRAPPERS(mech, nr): one typed wrapper per system call for a
 * way in (mech) and its numbers (nr), lab_MECH_NAME(), written by the
 * build from the family's declaration, kernel/family.tbl (lab-tbl
 * --family ... wrappers).
 */
#include "lab_syscall_wrappers.h"

LAB_DEFINE_WRAPPERS(glibc, LAB_NR_NATIVE)
#if defined(__x86_64__) || defined(__i386__)
LAB_DEFINE_WRAPPERS(int80, LAB_NR_I386)
#endif
#if defined(__aarch64__) || defined(__arm__)
LAB_DEFINE_WRAPPERS(svc, LAB_NR_NATIVE)
#endif
#if defined(__x86_64__)
LAB_DEFINE_WRAPPERS(syscall, LAB_NR_NATIVE)
#endif
#if defined(__i386__)
LAB_DEFINE_WRAPPERS(vdso, LAB_NR_I386)
#endif

#endif /* LAB_SYSCALL_H */
