# lab_trace.py: run inside gdb (gdb -batch -x lab_trace.py), attached to the
# lab guest through QEMU's gdbstub. Single-steps three paths, one instruction
# at a time, and writes what ran:
#   syscall   from the `syscall` instruction in user_syscall's
#             lab_call_site_syscall() back to the user instruction after it
#   kernel    from the module's `call ksys_lab_null` (call_site_kernel) back
#             to the instruction after it
#   function  from user_functioncall's `call lab_null_function` back to the
#             instruction after it
# QEMU's gdbstub steps with interrupts and timers masked (its default), so
# a trace holds only the path itself.
#
# Configuration comes from the environment (scripts/trace.sh sets it):
#   LAB_TRACE_PORT, LAB_TRACE_OUT, LAB_SYSTEM_MAP, LAB_SYSCALL_PC,
#   LAB_SYSCALL_NR, LAB_FUNC_CALL_PC, LAB_FUNC_CALL_REL, LAB_KSYS_LAB_NULL,
#   LAB_USER_SYMBOLS (nm -n output of the two user programs, concatenated)
import bisect
import os

import gdb

env = os.environ
out = env["LAB_TRACE_OUT"]
MODULES_START = 0xFFFFFFFFA0000000
USER_END = 0x0000800000000000
MAX_STEPS = 20000


def load_symbols(path, types="TtWw"):
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in types:
                syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return syms


kernel_syms = load_symbols(env["LAB_SYSTEM_MAP"])
user_syms = load_symbols(env["LAB_USER_SYMBOLS"])


def symbolize(pc):
    if pc >= MODULES_START and pc < 0xFFFFFFFFFF000000:
        return "kernel_syscall.ko:call_site_kernel"
    table = kernel_syms if pc >= USER_END else user_syms
    addrs = [a for a, _ in table]
    i = bisect.bisect_right(addrs, pc) - 1
    if i < 0:
        return "?"
    return "%s+0x%x" % (table[i][1], pc - table[i][0])


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def read_u64(addr):
    mem = gdb.selected_inferior().read_memory(addr, 8)
    return int.from_bytes(bytes(mem), "little")


def insn_text():
    text = gdb.execute("x/i $pc", to_string=True).strip()
    return text.split(":", 1)[1].strip() if ":" in text else text


def trace(name, end_pc):
    """Steps from the current pc until end_pc; writes NAME.trace."""
    rows = []
    pc = reg("pc")
    while pc != end_pc and len(rows) < MAX_STEPS:
        sym = symbolize(pc)
        rows.append((pc, sym, insn_text()))
        gdb.execute("stepi", to_string=True)
        pc = reg("pc")
    with open(os.path.join(out, name + ".trace"), "w") as f:
        for i, (pc, sym, text) in enumerate(rows, 1):
            f.write("%d\t0x%016x\t%s\t%s\n" % (i, pc, sym, text))
    gdb.write("lab-trace: %s: %d instructions%s\n" % (
        name, len(rows), "" if len(rows) < MAX_STEPS else " (cut off)"))


def stop_at(pc, condition):
    """Runs the guest until it reaches pc with condition true."""
    bp = gdb.Breakpoint("*0x%x" % pc, internal=True)
    bp.condition = condition
    gdb.execute("continue")
    bp.delete()


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set architecture i386:x86-64")
gdb.execute("target remote :%s" % env["LAB_TRACE_PORT"])

# 1. The in-kernel call: ksys_lab_null() called from module space.
stop_at(int(env["LAB_KSYS_LAB_NULL"], 16),
        "*(unsigned long *)$sp >= 0x%x" % MODULES_START)
ret = read_u64(reg("sp"))
# The call instruction itself ran already: it is the 5 bytes before ret.
call_pc = ret - 5
rows_prefix = (call_pc, "kernel_syscall.ko:call_site_kernel", "call ksys_lab_null")
trace("kernel.tmp", ret)
with open(os.path.join(out, "kernel.tmp.trace")) as f:
    body = f.read().splitlines()
with open(os.path.join(out, "kernel.trace"), "w") as f:
    f.write("1\t0x%016x\t%s\t%s\n" % rows_prefix)
    for line in body:
        n, rest = line.split("\t", 1)
        f.write("%d\t%s\n" % (int(n) + 1, rest))
os.remove(os.path.join(out, "kernel.tmp.trace"))

# 2. The system call: the syscall instruction with the lab_null number.
syscall_pc = int(env["LAB_SYSCALL_PC"], 16)
stop_at(syscall_pc,
        "$rax == %s && *(unsigned short *)$pc == 0x050f" % env["LAB_SYSCALL_NR"])
trace("syscall", syscall_pc + 2)

# 3. The function call: the call instruction in lab_call_site_function().
call_pc = int(env["LAB_FUNC_CALL_PC"], 16)
stop_at(call_pc, "*(unsigned char *)$pc == 0xe8 && *(int *)($pc + 1) == %s"
        % env["LAB_FUNC_CALL_REL"])
trace("function", call_pc + 5)

gdb.write("lab-trace: done\n")
gdb.execute("detach")  # the guest goes on and finishes its plan
