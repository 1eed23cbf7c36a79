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
# A conditional or unconditional branch to an address (the loops').
JUMP = re.compile(r"^(?:b(?:\.[a-z]+)?|cbn?z\s+[wx]\d+,|tbn?z\s+[wx]\d+, #\d+,)\s+(0x[0-9a-f]+)\b")
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
