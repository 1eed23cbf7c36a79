# lab_trace.py: run inside gdb, attached to the lab guest through QEMU's
# gdbstub; `lab trace` (host/trace.c) starts it as
#
#   gdb -nx -batch -ex 'python LAB_TRACE_CONFIG = "DIR/trace-config.json"' \
#       -x trace/lab_trace.py
#
# and everything it needs is in that one JSON file:
#
#   socket             QEMU's gdbstub (a Unix socket; QEMU waits, stopped)
#   connect_wait_s     how long to retry connecting (bind/listen race only)
#   vmlinux            the lab kernel (booted with nokaslr: its addresses hold)
#   user_syscall       the static user programs (no PIE: their addresses hold)
#   user_functioncall
#   user_syscall32     the 32-bit static program (its vDSO call site)
#   vdso32             the kernel build's vdso32.so.dbg (the 32-bit vDSO's
#                      symbols; the image is linked at 0, mapped page-aligned)
#   bench_user32       the 32-bit benchmark (optional): its lab_null_vdso32
#                      loop, read for the set-up it repeats per call, not run
#   bench_batch        the batch benchmark (optional): its lab_batch() loop,
#                      read for the set-up it repeats per crossing, not run
#   max_steps          a path longer than this is cut off
#   out                where the result goes (JSON, written atomically)
#
# gdb loads the symbols itself (minimal symbols: the ELF symbol tables of
# vmlinux and of the two programs) and finds the call sites itself, in the
# programs' own code, before it connects:
#
#   syscall   from the `syscall` instruction in user_syscall's
#             lab_call_site_syscall() back to the user instruction after it
#   batch1    the same for lab_call_site_batch1(): one lab_batch() of one
#             LAB_BATCH_NULL record
#   batch4    and lab_call_site_batch4(): one lab_batch() of four
#   kernel    from the module's `call ksys_lab_null` (call_site_kernel) back
#             to the instruction after it
#   function  from user_functioncall's `call lab_null_function` back to the
#             instruction after it
#   vdso32    from the `call *` of __kernel_vsyscall (AT_SYSINFO) in
#             user_syscall32's lab_call_site_vdso() back to the instruction
#             after it: the vDSO's own instructions, sysenter, the compat
#             entry and its return. Those user instructions are 32-bit code:
#             gdb, attached as x86-64, would decode them as 64-bit, so they
#             are read from the guest's memory and decoded as i386 by
#             objdump (binutils). The call site's set-up as it ran (from
#             the function's first instruction to the call, getauxval()
#             included) goes in sites.vdso32.setup_run.
#
# Each path is single-stepped, one instruction at a time. QEMU's gdbstub
# steps with interrupts and timers masked (its default), so a trace holds
# only the path itself. Output (the C tool stages and reports it):
#
#   {"sites": {...}, "paths": {"kernel": [[pc, symbol, insn], ...], ...},
#    "cut_off": {"kernel": false, ...}}
#
# sites.batch1 and sites.batch4 are each site's {pc, nr, setup,
# setup_instructions}; sites.batch_bench is what bench_batch's lab_batch()
# loop repeats per crossing besides the path itself ({setup, extra, ...}),
# or sites.batch_bench_note says why it could not be read.
import bisect
import json
import os
import re
import subprocess
import tempfile
import time

import gdb

# Kernel modules live here on x86-64; the lab's only module in the trace
# plan is kernel_syscall.ko, and its only instruction on a path is the call.
MODULES_START = 0xFFFFFFFFA0000000
MODULES_END = 0xFFFFFFFFFF000000
MODULE_NAME = "kernel_syscall.ko:call_site_kernel"
USER_END = 0x0000800000000000

try:
    config_path = LAB_TRACE_CONFIG  # noqa: F821 (set by -ex before -x)
except NameError:
    raise gdb.GdbError("lab_trace.py: no LAB_TRACE_CONFIG (run it through `lab trace`)")
with open(config_path) as f:
    cfg = json.load(f)


def quote(path):
    """A file name as one gdb command argument."""
    return '"%s"' % path.replace("\\", "\\\\").replace('"', '\\"')


MSYM = re.compile(r"^\[\s*\d+\]\s+([TtWwi])\s+(0x[0-9a-f]+)\s+(\S+)")


def load_msymbols(path, arch="i386:x86-64"):
    """The text symbols of an ELF file, as gdb itself reads them (its
    minimal symbols), sorted by address: [(address, name)]. Unlike `info
    symbol`, which prefers a sized symbol that covers the address, the
    nearest symbol below wins, so that the entry code's inner labels
    (entry_SYSCALL_64_after_hwframe, syscall_return_via_sysret) name their
    own instructions."""
    gdb.execute("set architecture %s" % arch, to_string=True)
    gdb.execute("symbol-file -readnever %s" % quote(path), to_string=True)
    text = gdb.execute("maint print msymbols", to_string=True)
    gdb.execute("set architecture i386:x86-64", to_string=True)
    syms = {}
    for line in text.splitlines():
        m = MSYM.match(line)
        if m:
            # Several names for one address (__x64_sys_lab_null,
            # __ia32_sys_lab_null, __do_sys_lab_null): a global one, and
            # of those the greatest, as nm -n | sort would give.
            # (a shared object's versioned names: without @VERSION)
            key = (m.group(1).isupper(), m.group(3).split("@")[0])
            addr = int(m.group(2), 16)
            if addr not in syms or key > syms[addr]:
                syms[addr] = key
    if not syms:
        raise gdb.GdbError("lab_trace.py: no symbols in %s" % path)
    table = sorted(syms.items())
    return [a for a, _ in table], [k[1] for _, k in table]


def symbolize(user, pc):
    """symbol+0xoffset of pc: the kernel's below USER_END, else the user
    program's (user: its table); "?" if none."""
    if MODULES_START <= pc < MODULES_END:
        return MODULE_NAME
    addrs, names = kernel_syms if pc >= USER_END else user
    i = bisect.bisect_right(addrs, pc) - 1
    if i < 0:
        return "?"
    return "%s+0x%x" % (names[i], pc - addrs[i])


DIS = re.compile(r"^\s*(?:=>\s*)?(0x[0-9a-f]+) <\+\d+>:\t([0-9a-f ]*)\t(.*)$")


def disassemble(path, function, arch="i386:x86-64"):
    """[(address, bytes, text)] of a function of a program, read from the
    file (before gdb connects to anything), decoded as arch."""
    gdb.execute("set architecture %s" % arch, to_string=True)
    gdb.execute("file -readnever %s" % quote(path), to_string=True)
    text = gdb.execute("disassemble /r %s" % function, to_string=True)
    insns = []
    for line in text.splitlines():
        m = DIS.match(line)
        if m:
            insns.append((int(m.group(1), 16), bytes.fromhex(m.group(2)),
                          " ".join(m.group(3).split())))
    if not insns:
        raise gdb.GdbError("lab_trace.py: %s is not in %s" % (function, path))
    return insns


def syscall_site(path, function, entry=b"\x0f\x05"):
    """A call site's syscall instruction (entry: its bytes, `syscall` or
    `int $0x80`): {pc, nr (from its `mov $NR,%eax`), setup (the
    instructions before it), setup_instructions}."""
    insns = disassemble(path, function)
    for i, (pc, raw, text) in enumerate(insns):
        if raw == entry:
            site = {"pc": pc, "setup": i,
                    "setup_instructions": [t for _, _, t in insns[:i]]}
            for _, _, t in reversed(insns[:i]):
                m = re.match(r"mov\s+\$(0x[0-9a-f]+|[0-9]+),%eax$", t)
                if m:
                    site["nr"] = int(m.group(1), 0)
                    return site
            raise gdb.GdbError("lab_trace.py: no `mov $NR,%%eax` before the syscall in %s"
                               % function)
    raise gdb.GdbError("lab_trace.py: no syscall instruction in %s" % function)


JUMP = re.compile(r"^j[a-z]+\s+(0x[0-9a-f]+)\b")


def backward_loop(insns, after):
    """The innermost loop around insns[after]: (top, jump), the indexes of
    the first instruction of the loop (a backward jump's target at or
    before insns[after]) and of that jump (the first one after it)."""
    for j in range(after, len(insns)):
        m = JUMP.match(insns[j][2])
        if m:
            target = int(m.group(1), 16)
            for t in range(0, after + 1):
                if insns[t][0] == target:
                    return t, j
    return None


CALL_INDIRECT = re.compile(r"^call\s+\*")


def is_syscall(raw, text):
    return raw == b"\x0f\x05"


def is_indirect_call(raw, text):
    return bool(CALL_INDIRECT.match(text))


def bench_loop(path, function="batch_lab_batch", empty_function="empty_flat",
               is_entry=is_syscall, arch="i386:x86-64"):
    """What a benchmark loop (bench_batch's batch_lab_batch(), or
    bench_user32's batch_lab_null_vdso32()) runs per call besides the
    traced path, against the empty loop the benchmark subtracts (empty_flat,
    batch_empty): {setup: the loop's instructions before the entry
    instruction (`syscall`, or the `call *` of the vDSO), extra: setup plus
    the loop's instructions after it, less the empty loop's}. Counted as
    written: a call in the set-up (getauxval()) is one instruction here."""
    insns = disassemble(path, function, arch)
    s = next((i for i, (_, raw, t) in enumerate(insns) if is_entry(raw, t)), None)
    if s is None:
        raise gdb.GdbError("no entry instruction in %s" % function)
    loop = backward_loop(insns, s)
    if loop is None:
        raise gdb.GdbError("no loop around the entry instruction in %s" % function)
    top, jump = loop
    empty = disassemble(path, empty_function, arch)
    eloop = None
    for j in range(len(empty)):
        eloop = backward_loop(empty, j)
        if eloop:
            break
    if eloop is None:
        raise gdb.GdbError("no loop in %s" % empty_function)
    setup = [t for _, _, t in insns[top:s]]
    control = [t for _, _, t in insns[s + 1:jump + 1]]
    empty_loop = [t for _, _, t in empty[eloop[0]:eloop[1] + 1]]
    return {"setup": len(setup), "setup_instructions": setup,
            "loop_control": control, "empty_loop": empty_loop,
            "extra": len(setup) + len(control) - len(empty_loop)}


def vdso_site(path, function):
    """The 32-bit call site of __kernel_vsyscall: {pc, len (of the `call *`),
    nr, setup (instructions before it, as written), setup_instructions,
    entry_pc and entry_word (the function's first 4 bytes, little-endian)}."""
    insns = disassemble(path, function, "i386")
    for i, (pc, raw, text) in enumerate(insns):
        if is_indirect_call(raw, text):
            site = {"pc": pc, "len": len(raw), "setup": i,
                    "setup_instructions": [t for _, _, t in insns[:i]],
                    "call": text, "entry_pc": insns[0][0]}
            head = b"".join(r for _, r, _ in insns)[:4]
            if len(head) < 4:
                raise gdb.GdbError("lab_trace.py: %s is too short" % function)
            site["entry_word"] = int.from_bytes(head, "little")
            for _, _, t in reversed(insns[:i]):
                m = re.match(r"mov\s+\$(0x[0-9a-f]+|[0-9]+),%eax$", t)
                if m:
                    site["nr"] = int(m.group(1), 0)
                    return site
            raise gdb.GdbError("lab_trace.py: no `mov $NR,%%eax` before the call in %s"
                               % function)
    raise gdb.GdbError("lab_trace.py: no `call *` in %s" % function)


def find_sites():
    """The call sites, from the programs' code."""
    sites = {}
    site = syscall_site(cfg["user_syscall"], "lab_call_site_syscall")
    sites["syscall_pc"] = site["pc"]
    sites["syscall_nr"] = site["nr"]
    sites["setup"] = site["setup"]
    sites["setup_instructions"] = site["setup_instructions"]
    for name in ("batch1", "batch4"):
        sites[name] = syscall_site(cfg["user_syscall"], "lab_call_site_" + name)
    sites["int80"] = syscall_site(cfg["user_syscall"], "lab_call_site_int80", b"\xcd\x80")
    if cfg.get("bench_batch"):
        try:
            sites["batch_bench"] = bench_loop(cfg["bench_batch"])
        except (gdb.error, gdb.GdbError) as e:
            sites["batch_bench_note"] = "bench_batch's loop not read: %s: %s" % (
                cfg["bench_batch"], e)
    else:
        sites["batch_bench_note"] = "bench_batch's loop not read: no bench_batch beside user_syscall"
    insns = disassemble(cfg["user_functioncall"], "lab_call_site_function")
    for pc, raw, text in insns:
        if len(raw) == 5 and raw[0] == 0xE8:
            sites["function_pc"] = pc
            sites["function_rel"] = int.from_bytes(raw[1:], "little", signed=True)
            sites["function_call"] = text
            break
    if "function_pc" not in sites:
        raise gdb.GdbError("lab_trace.py: no call instruction in lab_call_site_function")
    sites["vdso32"] = vdso_site(cfg["user_syscall32"], "lab_call_site_vdso")
    if cfg.get("bench_user32"):
        try:
            sites["vdso32"]["bench"] = bench_loop(
                cfg["bench_user32"], "batch_lab_null_vdso32", "batch_empty",
                is_indirect_call, "i386")
        except (gdb.error, gdb.GdbError) as e:
            sites["vdso32"]["bench_note"] = "bench_user32's loop not read: %s: %s" % (
                cfg["bench_user32"], e)
    else:
        sites["vdso32"]["bench_note"] = "bench_user32's loop not read: no bench_user32"
    gdb.execute("set architecture i386:x86-64", to_string=True)
    gdb.execute("file", to_string=True)  # forget the program: memory is the guest's
    return sites


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def insn_at(pc):
    arch = gdb.selected_frame().architecture()
    return " ".join(arch.disassemble(pc)[0]["asm"].split())


def trace(user, end_pc, first=None):
    """Steps from the current pc until end_pc: [[pc, symbol, insn]], and
    whether it was cut off. first: a row that ran already (the call)."""
    rows = [first] if first else []
    pc = reg("pc")
    while pc != end_pc and len(rows) < cfg["max_steps"]:
        insn = insn_at(pc)
        # A stop at the pc just stepped, for an instruction that cannot
        # repeat (only rep-prefixed ones do), is the stub stopping twice
        # (seen after a first touch of a page), not an instruction.
        if not (rows and rows[-1][0] == "0x%016x" % pc and
                not insn.startswith("rep")):
            rows.append(["0x%016x" % pc, symbolize(user, pc), insn])
        gdb.execute("stepi", to_string=True)
        pc = reg("pc")
    cut = pc != end_pc
    return rows, cut


def i386_insn(pc):
    """The 32-bit user instruction at pc, read from the guest's memory and
    decoded as i386 by objdump: gdb, attached as x86-64, decodes all code
    as 64-bit (0x40-0x4f are REX prefixes there, inc/dec in 32-bit code)."""
    data = b""
    for size in (16, 8, 4, 2, 1):
        try:
            data = bytes(gdb.selected_inferior().read_memory(pc, size))
            break
        except gdb.MemoryError:
            continue
    if not data:
        raise gdb.GdbError("lab_trace.py: cannot read the instruction at 0x%x" % pc)
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(data)
        f.flush()
        r = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386",
                            "--adjust-vma=0x%x" % pc, "--stop-address=0x%x" % (pc + 1),
                            f.name], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$", line)
        if m and int(m.group(1), 16) == pc:
            return " ".join(m.group(2).split("#")[0].split())
    raise gdb.GdbError("lab_trace.py: objdump could not decode 0x%x: %s"
                       % (pc, (r.stderr or r.stdout).strip()))


def stop_at(pc, condition):
    """Runs the guest until it reaches pc with condition true."""
    bp = gdb.Breakpoint("*0x%x" % pc, internal=True)
    bp.condition = condition
    gdb.execute("continue", to_string=True)
    bp.delete()


def with_program(path):
    """The program's symbols beside the kernel's, for gdb's own messages
    and disassembly while its path runs (both programs have code at the
    same addresses: one at a time)."""
    gdb.execute("add-symbol-file -readnever %s" % quote(path), to_string=True)


def without_program(pc):
    """Removes the program whose code holds pc."""
    gdb.execute("remove-symbol-file -a 0x%x" % pc, to_string=True)


def connect(socket, wait_s):
    """target remote on QEMU's socket; the caller waited for the socket
    to exist, this only covers QEMU's bind-to-listen moment."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            gdb.execute("target remote %s" % socket, to_string=True)
            return
        except gdb.error:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set architecture i386:x86-64", to_string=True)

user_syscall_syms = load_msymbols(cfg["user_syscall"])
user_function_syms = load_msymbols(cfg["user_functioncall"])
user32_syms = load_msymbols(cfg["user_syscall32"], "i386")
vdso_syms = load_msymbols(cfg["vdso32"], "i386")
sites = find_sites()
kernel_syms = load_msymbols(cfg["vmlinux"])  # stays loaded: ksys_lab_null
ksys = int(gdb.parse_and_eval("(unsigned long)&ksys_lab_null"))
gdb.write("lab-trace: syscall at 0x%x (nr %d, %d set-up instructions), "
          "function call at 0x%x, ksys_lab_null at 0x%x\n" % (
              sites["syscall_pc"], sites["syscall_nr"], sites["setup"],
              sites["function_pc"], ksys))
for name in ("batch1", "batch4"):
    gdb.write("lab-trace: %s: syscall at 0x%x (nr %d, %d set-up instructions)\n"
              % (name, sites[name]["pc"], sites[name]["nr"], sites[name]["setup"]))
v = sites["vdso32"]
gdb.write("lab-trace: vdso32: call * at 0x%x (nr %d, %d set-up instructions as written)\n"
          % (v["pc"], v["nr"], v["setup"]))
if "bench" in v:
    gdb.write("lab-trace: bench_user32's lab_null_vdso32 loop: %d set-up instructions, "
              "%d more than the path per call (as written)\n"
              % (v["bench"]["setup"], v["bench"]["extra"]))
else:
    gdb.write("lab-trace: %s\n" % v["bench_note"])
if "batch_bench" in sites:
    gdb.write("lab-trace: bench_batch's lab_batch() loop: %d set-up instructions, "
              "%d more than the path per crossing\n"
              % (sites["batch_bench"]["setup"], sites["batch_bench"]["extra"]))
else:
    gdb.write("lab-trace: %s\n" % sites["batch_bench_note"])

connect(cfg["socket"], cfg["connect_wait_s"])
paths, cut_off = {}, {}

# 1. The in-kernel call: ksys_lab_null() entered from a `call ksys_lab_null`
# in module space (checked by its bytes: other calls, through the syscall
# table, reach it too).
ret = "*(unsigned long *)$sp"
stop_at(ksys, "%s >= 0x%x && %s < 0x%x && *(unsigned char *)(%s - 5) == 0xe8"
        " && %s + *(int *)(%s - 4) == 0x%x"
        % (ret, MODULES_START, ret, MODULES_END, ret, ret, ret, ksys))
ret = int(gdb.parse_and_eval("*(unsigned long *)$sp")) & 0xFFFFFFFFFFFFFFFF
call_pc = ret - 5  # the call itself ran already
paths["kernel"], cut_off["kernel"] = trace(
    ([], []), ret, ["0x%016x" % call_pc, MODULE_NAME, insn_at(call_pc)])
gdb.write("lab-trace: kernel: %d instructions\n" % len(paths["kernel"]))

# 2. The system call: the syscall instruction with the lab_null number (any
# static program has code at these addresses: the bytes and rax say it is
# this one).
with_program(cfg["user_syscall"])
pc = sites["syscall_pc"]
stop_at(pc, "$rax == %d && *(unsigned short *)$pc == 0x050f" % sites["syscall_nr"])
paths["syscall"], cut_off["syscall"] = trace(user_syscall_syms, pc + 2)
gdb.write("lab-trace: syscall: %d instructions\n" % len(paths["syscall"]))

# 2b. lab_batch() of one record and of four, from their own call sites in
# the same program (main() calls them after lab_call_site_syscall()).
for name in ("batch1", "batch4"):
    pc = sites[name]["pc"]
    stop_at(pc, "$rax == %d && *(unsigned short *)$pc == 0x050f" % sites[name]["nr"])
    paths[name], cut_off[name] = trace(user_syscall_syms, pc + 2)
    gdb.write("lab-trace: %s: %d instructions\n" % (name, len(paths[name])))
    sites[name]["pc"] = "0x%x" % pc

# 2c. The same null system call through int $0x80 (the 32-bit table, from
# this 64-bit program; main() calls it after the others).
pc = sites["int80"]["pc"]
stop_at(pc, "$rax == %d && *(unsigned short *)$pc == 0x80cd" % sites["int80"]["nr"])
paths["int80"], cut_off["int80"] = trace(user_syscall_syms, pc + 2)
gdb.write("lab-trace: int80: %d instructions\n" % len(paths["int80"]))
sites["int80"]["pc"] = "0x%x" % pc
without_program(sites["syscall_pc"])

# 3. The function call: the call instruction in lab_call_site_function().
with_program(cfg["user_functioncall"])
pc = sites["function_pc"]
stop_at(pc, "*(unsigned char *)$pc == 0xe8 && *(int *)($pc + 1) == %d"
        % sites["function_rel"])
paths["function"], cut_off["function"] = trace(user_function_syms, pc + 5)
gdb.write("lab-trace: function: %d instructions\n" % len(paths["function"]))
without_program(sites["function_pc"])

# 4. The null system call through the 32-bit vDSO, from user_syscall32's
# lab_call_site_vdso() (the last program of the plan). First its set-up as
# it runs, from the function's first instruction to the `call *`
# (getauxval(AT_SYSINFO) included), then the path itself.
v = sites["vdso32"]
stop_at(v["entry_pc"], "*(unsigned int *)$pc == 0x%x" % v["entry_word"])
setup_run, setup_cut = trace(user32_syms, v["pc"])
if setup_cut:
    raise gdb.GdbError("lab_trace.py: vdso32: the call site's set-up did not reach the call")
if reg("eax") & 0xFFFFFFFF != v["nr"]:
    raise gdb.GdbError("lab_trace.py: vdso32: eax is %d at the call, not %d"
                       % (reg("eax") & 0xFFFFFFFF, v["nr"]))
rows, cut_off["vdso32"] = trace(user32_syms, v["pc"] + v["len"])
# The vDSO's place: the call's target is __kernel_vsyscall (AT_SYSINFO).
kv = vdso_syms[0][vdso_syms[1].index("__kernel_vsyscall")]
target = int(rows[1][0], 16) if len(rows) > 1 else 0
base = target - kv
if base <= 0 or base & 0xFFF or target >= USER_END:
    raise gdb.GdbError("lab_trace.py: vdso32: the call went to 0x%x, not to a page-aligned "
                       "vDSO's __kernel_vsyscall (+0x%x)" % (target, kv))
vdso_end = base + max(vdso_syms[0]) + 0x1000
vdso_rel = ([a + base for a in vdso_syms[0]], vdso_syms[1])


def user32_symbol(pc):
    return symbolize(vdso_rel if base <= pc < vdso_end else user32_syms, pc)


for r in setup_run + rows:
    pc = int(r[0], 16)
    if pc < USER_END:
        r[1] = user32_symbol(pc)
        r[2] = i386_insn(pc)
paths["vdso32"] = rows
v["setup_run"] = setup_run
v["vdso_base"] = "0x%x" % base
v["kernel_vsyscall"] = "0x%x" % target
gdb.write("lab-trace: vdso32: %d instructions (set-up as run: %d; vDSO at 0x%x)\n"
          % (len(rows), len(setup_run), base))
v["pc"] = "0x%x" % v["pc"]
v["entry_pc"] = "0x%x" % v["entry_pc"]

sites["syscall_pc"] = "0x%x" % sites["syscall_pc"]
sites["function_pc"] = "0x%x" % sites["function_pc"]
sites["ksys_lab_null"] = "0x%x" % ksys
tmp = cfg["out"] + ".lab-tmp"
with open(tmp, "w") as f:
    json.dump({"sites": sites, "paths": paths, "cut_off": cut_off}, f, indent=1)
    f.write("\n")
os.replace(tmp, cfg["out"])
gdb.write("lab-trace: done\n")
gdb.execute("detach")  # the guest goes on and finishes its plan
