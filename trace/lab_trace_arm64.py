# lab_trace_arm64.py: what lab_trace.py needs to know about arm64 (the
# lab's qemu-system-aarch64 virt machine, cortex-a72, a 39-bit VA kernel
# booted with nokaslr), and nothing else: lab_trace.py imports it when its
# configuration says "arch": "arm64". Its x86-64 counterpart is the class
# X86_64 in lab_trace.py; both give the same names.
#
# The paths (all from `svc #0` or `bl` to the instruction after it):
#
#   svc       user_syscall's lab_call_site_svc(): `svc #0` with x8 = the
#             lab_null number; the CPU takes the synchronous exception to
#             VBAR_EL1 + 0x400 (vectors: EL0 64-bit sync; QEMU's gdbstub
#             stops there on the step over svc), el0t_64_sync,
#             el0t_64_sync_handler, el0_svc, do_el0_svc, el0_svc_common,
#             invoke_syscall, __arm64_sys_lab_null, the exit work,
#             ret_to_user and its eret (the step over eret stops at the
#             user instruction after the svc)
#   batch1, batch4  the same for lab_call_site_batch1/4() (lab_batch())
#   kernel    kernel_syscall.ko's `bl ksys_lab_null` back to the instruction
#             after it (the link register)
#   function  user_functioncall's `bl lab_null_function` to the instruction
#             after it
#   svc32     user_syscall32's lab_call_site_svc32() (a 32-bit AArch32
#             program, Thumb-2 as Debian's armhf compiler emits it): `svc #0`
#             with r7 = the compat table's lab_null number; the exception
#             goes to VBAR_EL1 + 0x600 (EL0 32-bit sync), el0t_32_sync,
#             el0t_32_sync_handler, el0_svc_compat, do_el0_svc_compat,
#             el0_svc_common with compat_sys_call_table, invoke_syscall, the
#             body, the exit work and ret_to_user's eret back to the user
#             instruction after the svc.
#
# AArch32 through QEMU 7.2's gdbstub: an aarch64 CPU always shows gdb its
# 64-bit registers (env->xregs, env->pc), which QEMU updates only in
# AArch64 state: while the CPU runs AArch32 EL0 code, gdb's pc, x0..x30
# and cpsr are what they were at the last eret (pc: the eret's own
# address). The real AArch32 state (r0..r15, the PSR with its T bit and
# mode) is in QEMU's monitor, `monitor info registers` (one vCPU: the trace
# boots run with one). So lab_trace.py stops at the 32-bit svc by address
# and checks r7 and the mode there, and after the step over ret_to_user's
# eret reads the user pc there; everything between is AArch64 EL1, where
# gdb's view holds. Its 32-bit user instructions are decoded like the x86
# vDSO path's i386 ones: read from the guest's memory, through objdump
# (OBJDUMP32, -m arm, Thumb when the PSR's T bit says so).
#
# get_random_u16()'s refill: on every system call's way out invoke_syscall()
# takes a random kernel stack offset from get_random_u16(), whose per-CPU
# batch holds 48 values (1.5 ChaCha blocks of u16); the call that finds it
# used up (or from an older crng generation) refills it through the
# functions in REFILL_FUNCTIONS, thousands of instructions that icount's
# median (one call in 48) leaves out. A traced call whose path runs any of
# them is skipped and the call site's next call traced: user_syscall runs
# each traced call site TRACE_CALLS times in a row (LAB_TRACE_CALLS in
# user/user_syscall.c).
import re

NAME = "arm64"
GDB_ARCH = "aarch64"
# gdb's debugger for this architecture (Debian's gdb knows only x86).
GDB = "gdb-multiarch"
# Every instruction is one 32-bit word.
INSN_LEN = 4
# User addresses are below this (TTBR0); the kernel's (TTBR1) at the top.
USER_END = 0x0001000000000000
# A module's code: a kernel address outside the image's [_text, _end)
# (module_alloc()'s region sits below the image's end, beside it).
MODULE_NAME = "kernel_syscall.ko:call_site_kernel"
# `svc #0`, as gdb's `disassemble /r` shows the word.
SYSCALL_RAW = bytes.fromhex("d4000001")
# The set-up's number: `mov x8, #NR` (the generic syscall ABI).
NR = re.compile(r"^mov\s+x8, #(0x[0-9a-f]+|[0-9]+)\b")
NR_TEXT = "`mov x8, #NR`"
# A conditional or unconditional branch to an address (the loops'):
# A64's b, b.cond, cbz, tbz; A32/T32's b, bcond, with Thumb's .n/.w.
JUMP = re.compile(r"^(?:b(?:\.[a-z]+)?|b(?:eq|ne|cs|cc|hs|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)"
                  r"(?:\.[nw])?|b\.[nw]|cbn?z\s+[wxr]\d+,|tbn?z\s+[wx]\d+, #\d+,)"
                  r"\s+(0x[0-9a-f]+)\b")
SYSCALL_SITES = {"svc": "lab_call_site_svc", "batch1": "lab_call_site_batch1",
                 "batch4": "lab_call_site_batch4"}
# bench_user's loop for the null system call (read, never run), and the
# empty loop it subtracts.
BENCH_SYSCALL = ("svc", "batch_lab_null_svc", "batch_empty")
BENCH_BATCH = ("batch_lab_batch", "empty_flat")


def is_call(raw, text):
    """`bl ADDR`."""
    return len(raw) == 4 and raw[0] & 0xFC == 0x94


def syscall_stop(nr, raw):
    """The condition on a breakpoint at a call site's svc (raw): this
    program's (every static program has code at these addresses), this
    number."""
    return "$x8 == %d && *(unsigned int *)$pc == 0x%x" % (nr, int.from_bytes(raw, "big"))


def call_stop(raw):
    """The condition on a breakpoint at a call site's `bl`: its word."""
    return "*(unsigned int *)$pc == 0x%x" % int.from_bytes(raw, "big")


# Where a call returns to, once in the callee (the link register), and
# the call's length.
RETURN_ADDRESS = "$x30"
CALL_LEN = INSN_LEN


def kernel_call_stop(ksys, text_start, text_end):
    """The condition at ksys_lab_null's first instruction: entered by a
    `bl ksys_lab_null` from module code (the link register outside the
    image; the word before it a bl whose target is ksys_lab_null)."""
    lr = "(unsigned long)$x30"
    word = "*(unsigned int *)(%s - 4)" % lr
    # imm26, sign-extended and times 4: (int)(word << 6) >> 4
    return ("%s >= 0x%x && (%s < 0x%x || %s >= 0x%x) && (%s & 0xfc000000) == 0x94000000"
            " && %s - 4 + ((int)(%s << 6) >> 4) == 0x%x"
            % (lr, USER_END, lr, text_start, lr, text_end, word, lr, word, ksys))


# get_random_u16()'s batch refill (drivers/char/random.c, 6.1):
# _get_random_bytes() -> crng_make_state() (crng_reseed() when the base
# crng is old, crng_fast_key_erasure()) -> chacha20_block(), that is
# chacha_block_generic() and chacha_permute().
REFILL_FUNCTIONS = ("_get_random_bytes", "crng_make_state", "crng_reseed",
                    "crng_fast_key_erasure", "chacha_block_generic", "chacha_permute")
# Calls of each traced call site in a row (user_syscall.c's LAB_TRACE_CALLS):
# a refilled call's path is skipped and the next one traced.
TRACE_CALLS = 3

# The AArch32 path: gdb decodes the 32-bit program's code as "arm" (the
# file's mapping symbols say Thumb); objdump decodes it from memory.
GDB_ARCH32 = "arm"
OBJDUMP32 = "arm-linux-gnueabihf-objdump"
SVC32_SITE = ("svc32", "lab_call_site_svc32")
# svc #0 as gdb's `disassemble /r` shows it: Thumb's halfword, A32's word
SVC32_RAW = (bytes.fromhex("df00"), bytes.fromhex("ef000000"))
# the number: movs/movw r7, #NR (EABI)
NR32 = re.compile(r"^mov[sw]?(?:\.w)?\s+r7, #(0x[0-9a-f]+|[0-9]+)\b")
NR32_TEXT = "`movw r7, #NR`"
# bench_user32's loop of the null system call, and its empty loop
BENCH_SVC32 = ("batch_lab_null_svc32", "batch_empty")

A32_REG = re.compile(r"\bR(\d\d)=([0-9a-f]{8})\b")
A32_PSR = re.compile(r"^PSR=([0-9a-f]{8}) \S+ (T|A) (\w+)", re.M)


def a32_state(text):
    """The AArch32 state in QEMU's `info registers` (text), or None when
    the CPU is in AArch64 state (" PC=" and X00..): {"r": [r0..r15],
    "psr", "thumb", "mode" (usr32 for EL0)}."""
    regs = dict((int(n), int(v, 16)) for n, v in A32_REG.findall(text))
    m = A32_PSR.search(text)
    if len(regs) != 16 or not m:
        return None
    return {"r": [regs[i] for i in range(16)], "psr": int(m.group(1), 16),
            "thumb": m.group(2) == "T", "mode": m.group(3)}


def is_svc32(raw, text):
    return raw in SVC32_RAW
