/*
 * lab_own_calls.h: the calls added with `make new-syscall`, and what the
 * benchmarks and the module's check call each with. One line a call:
 *
 *   LAB_OWN_CALL(NAME, (ARGUMENTS))
 *
 * ARGUMENTS as a C call writes them, in parentheses: make new-syscall
 * writes zeros (a NULL pointer for a pointer); write what your call should
 * be timed with. The same arguments go to the system call from user space
 * and to ksys_NAME() from the module, so a pointer is NULL or LAB_OWN_BUF:
 * 4096 bytes of user memory, readable and writable, that each includer
 * provides (the benchmark's own; in the module, pages mapped into the
 * loading process, as a system call never takes a kernel pointer where a
 * user one belongs).
 *
 * Each line gives:
 *   bench_user     rows NAME_syscall and NAME_int80 (x86_64), NAME_int80_32
 *                  and NAME_vdso32 (i386), NAME_svc (arm64), NAME_svc32
 *                  (AArch32): the call through every way in
 *   kernel_bench   a row kernel_NAME: ksys_NAME() called by the module,
 *                  with preemption on (a new body may sleep)
 *   kernel_syscall a check that ksys_NAME() answers the module something
 *                  other than -ENOSYS (what the scaffold's body answers)
 *
 * The includer defines LAB_OWN_CALL(name, args) and LAB_OWN_BUF first; no
 * include guard.
 */
