# lab_trace.py: run inside gdb, attached to the lab guest through QEMU's
# gdbstub; `lab trace` (host/trace.c) starts it as
#
#   gdb -nx -batch -ex 'python LAB_TRACE_CONFIG = "DIR/trace-config.json"' \
#       -x trace/lab_trace.py
#
# (gdb-multiarch for arm64), and everything it needs is in that one JSON
# file:
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
#   arch               x86_64 (the default) or arm64
#
# On arm64 (lab_trace_arm64.py, beside this file, says what differs) the
# configuration has vmlinux, user_syscall, user_functioncall, bench_user
# and bench_batch (optional, read only), and the paths are svc, batch1,
# batch4, kernel and function: from the `svc #0` in lab_call_site_svc()
# (x8 the lab_null number) through the EL0 synchronous exception vector,
# el0t_64_sync, el0t_64_sync_handler, el0_svc, ..., invoke_syscall, the
# body, the exit work and ret_to_user's eret back to the user instruction
# after it; and from the `bl` of the module and of user_functioncall.
# sites.svc is the svc site's {pc, nr, setup, setup_instructions, bench}
# (bench: bench_user's lab_null_svc loop, read like bench_batch's). With
# user_syscall32 and bench_user32 in the configuration, also svc32: from
# the `svc #0` of a 32-bit (AArch32) program, user_syscall32's
# lab_call_site_svc32() (r7 the compat table's number), through the compat
# entry back to the user instruction after it (sites.svc32, its bench from
# bench_user32's lab_null_svc32 loop). On arm64 a call whose path refilled
# get_random_u16()'s batch is skipped and the site's next call traced
# (lab_trace_arm64.py says why); sites.NAME.refills_skipped lists the
# skipped ones ({instructions, functions}).
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
import sys
import tempfile
import time

import gdb


class X86_64:
    """What this script needs to know about x86-64 (lab_trace_arm64.py
    gives the same names for arm64)."""
    NAME = "x86_64"
    GDB_ARCH = "i386:x86-64"
    # Kernel modules live here on x86-64; the lab's only module in the
    # trace plan is kernel_syscall.ko, and its only instruction on a path
    # is the call.
    MODULES_START = 0xFFFFFFFFA0000000
    MODULES_END = 0xFFFFFFFFFF000000
    MODULE_NAME = "kernel_syscall.ko:call_site_kernel"
    USER_END = 0x0000800000000000
    SYSCALL_RAW = b"\x0f\x05"
    NR = re.compile(r"^mov\s+\$(0x[0-9a-f]+|[0-9]+),%eax$")
    NR_TEXT = "`mov $NR,%eax`"
    JUMP = re.compile(r"^j[a-z]+\s+(0x[0-9a-f]+)\b")
    # Where a call returns to, once in the callee; the call's length.
    RETURN_ADDRESS = "*(unsigned long *)$sp"
    CALL_LEN = 5
    # No refill to skip (x86's kernel stack offset comes from rdtsc): one
    # call of each site is traced.
    REFILL_FUNCTIONS = ()
    TRACE_CALLS = 1

    @staticmethod
    def is_call(raw, text):
        """`call rel32`."""
        return len(raw) == 5 and raw[0] == 0xE8

    @staticmethod
    def call_stop(raw):
        """The condition on a breakpoint at a call site's `call`."""
        return "*(unsigned char *)$pc == 0xe8 && *(int *)($pc + 1) == %d" % (
            int.from_bytes(raw[1:], "little", signed=True))

    @staticmethod
    def syscall_stop(nr, raw):
        """The condition on a breakpoint at a call site's `syscall` or
        `int $0x80` (raw): this program's, this number."""
        return "$rax == %d && *(unsigned short *)$pc == 0x%04x" % (
            nr, int.from_bytes(raw, "little"))

    @staticmethod
    def kernel_call_stop(ksys, text_start, text_end):
        """At ksys_lab_null's first instruction: entered by a `call
        ksys_lab_null` in module space (checked by its bytes: other calls,
        through the syscall table, reach it too)."""
        ret = "*(unsigned long *)$sp"
        return ("%s >= 0x%x && %s < 0x%x && *(unsigned char *)(%s - 5) == 0xe8"
                " && %s + *(int *)(%s - 4) == 0x%x"
                % (ret, X86_64.MODULES_START, ret, X86_64.MODULES_END, ret, ret, ret, ksys))


try:
    config_path = LAB_TRACE_CONFIG  # noqa: F821 (set by -ex before -x)
except NameError:
    raise gdb.GdbError("lab_trace.py: no LAB_TRACE_CONFIG (run it through `lab trace`)")
with open(config_path) as f:
    cfg = json.load(f)

if cfg.get("arch", "x86_64") == "arm64":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True  # no __pycache__ in the lab's trace/
    import lab_trace_arm64 as ARCH
elif cfg.get("arch", "x86_64") == "x86_64":
    ARCH = X86_64
else:
    raise gdb.GdbError("lab_trace.py: no architecture %s (x86_64, arm64)" % cfg["arch"])
USER_END = ARCH.USER_END
# arm64: the kernel image's [_text, _end), once vmlinux is loaded (a module's
# code is a kernel address outside it)
kernel_image = None


def quote(path):
    """A file name as one gdb command argument."""
    return '"%s"' % path.replace("\\", "\\\\").replace('"', '\\"')


MSYM = re.compile(r"^\[\s*\d+\]\s+([TtWwi])\s+(0x[0-9a-f]+)\s+(\S+)")


def load_msymbols(path, arch=None):
    """The text symbols of an ELF file, as gdb itself reads them (its
    minimal symbols), sorted by address: [(address, name)]. Unlike `info
    symbol`, which prefers a sized symbol that covers the address, the
    nearest symbol below wins, so that the entry code's inner labels
    (entry_SYSCALL_64_after_hwframe, syscall_return_via_sysret) name their
    own instructions."""
    gdb.execute("set architecture %s" % (arch or ARCH.GDB_ARCH), to_string=True)
    gdb.execute("symbol-file -readnever %s" % quote(path), to_string=True)
    text = gdb.execute("maint print msymbols", to_string=True)
    gdb.execute("set architecture %s" % ARCH.GDB_ARCH, to_string=True)
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


def in_module(pc):
    """Whether pc is in a kernel module's code."""
    if ARCH is X86_64:
        return ARCH.MODULES_START <= pc < ARCH.MODULES_END
    return pc >= USER_END and not (kernel_image[0] <= pc < kernel_image[1])


def symbolize(user, pc):
    """symbol+0xoffset of pc: the kernel's from USER_END on, else the user
    program's (user: its table); "?" if none."""
    if in_module(pc):
        return ARCH.MODULE_NAME
    addrs, names = kernel_syms if pc >= USER_END else user
    i = bisect.bisect_right(addrs, pc) - 1
    if i < 0:
        return "?"
    return "%s+0x%x" % (names[i], pc - addrs[i])


DIS = re.compile(r"^\s*(?:=>\s*)?(0x[0-9a-f]+) <\+\d+>:\t([0-9a-f ]*)\t(.*)$")


def disassemble(path, function, arch=None):
    """[(address, bytes, text)] of a function of a program, read from the
    file (before gdb connects to anything), decoded as arch. (bytes: as
    gdb's /r shows them: x86's in memory order, arm64's as one word.)"""
    gdb.execute("set architecture %s" % (arch or ARCH.GDB_ARCH), to_string=True)
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


def syscall_site(path, function, entry=None, arch=None, nr=None, nr_text=None):
    """A call site's syscall instruction (entry: its bytes, `syscall` or
    `int $0x80`; arm64's `svc #0`; or a tuple of such): {pc, len, nr (from
    its `mov $NR,%eax`, or `mov x8, #NR`; nr: another pattern, as AArch32's
    `movw r7, #NR`), setup (the instructions before it),
    setup_instructions}. arch: the file's, if not ARCH's."""
    insns = disassemble(path, function, arch)
    entries = entry if isinstance(entry, tuple) else (entry or ARCH.SYSCALL_RAW,)
    for i, (pc, raw, text) in enumerate(insns):
        if raw in entries:
            site = {"pc": pc, "len": len(raw), "setup": i,
                    "setup_instructions": [t for _, _, t in insns[:i]]}
            for _, _, t in reversed(insns[:i]):
                m = (nr or ARCH.NR).match(t)
                if m:
                    site["nr"] = int(m.group(1), 0)
                    return site
            raise gdb.GdbError("lab_trace.py: no %s before the syscall in %s"
                               % (nr_text or ARCH.NR_TEXT, function))
    raise gdb.GdbError("lab_trace.py: no syscall instruction in %s" % function)


def backward_loop(insns, after):
    """The innermost loop around insns[after]: (top, jump), the indexes of
    the first instruction of the loop (a backward jump's target at or
    before insns[after]) and of that jump (the first one after it)."""
    for j in range(after, len(insns)):
        m = ARCH.JUMP.match(insns[j][2])
        if m:
            target = int(m.group(1), 16)
            for t in range(0, after + 1):
                if insns[t][0] == target:
                    return t, j
    return None


CALL_INDIRECT = re.compile(r"^call\s+\*")


def is_syscall(raw, text):
    return raw == ARCH.SYSCALL_RAW


def is_indirect_call(raw, text):
    return bool(CALL_INDIRECT.match(text))


def bench_loop(path, function="batch_lab_batch", empty_function="empty_flat",
               is_entry=is_syscall, arch=None):
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
    # its shortest loop: the timer read before and after it may loop too
    # (arm64's PMU counter read through the perf page, a seqlock retry)
    eloops = [lp for lp in (backward_loop(empty, j) for j in range(len(empty))) if lp]
    if not eloops:
        raise gdb.GdbError("no loop in %s" % empty_function)
    eloop = min(eloops, key=lambda lp: (lp[1] - lp[0], lp[0]))
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


def batch_bench(sites, empty_function):
    """bench_batch's lab_batch() loop into sites (batch_bench, or
    batch_bench_note: why not)."""
    if cfg.get("bench_batch"):
        try:
            sites["batch_bench"] = bench_loop(cfg["bench_batch"], "batch_lab_batch",
                                              empty_function)
        except (gdb.error, gdb.GdbError) as e:
            sites["batch_bench_note"] = "bench_batch's loop not read: %s: %s" % (
                cfg["bench_batch"], e)
    else:
        sites["batch_bench_note"] = "bench_batch's loop not read: no bench_batch beside user_syscall"


def function_site(sites):
    """The call of lab_null_function in user_functioncall's
    lab_call_site_function(): sites.function_pc, function_stop (the
    breakpoint's condition: this call's bytes), function_call."""
    insns = disassemble(cfg["user_functioncall"], "lab_call_site_function")
    for pc, raw, text in insns:
        if ARCH.is_call(raw, text):
            sites["function_pc"] = pc
            sites["function_stop"] = ARCH.call_stop(raw)
            sites["function_call"] = text
            sites["function_len"] = len(raw)
            return
    raise gdb.GdbError("lab_trace.py: no call instruction in lab_call_site_function")


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
    batch_bench(sites, "empty_flat")
    function_site(sites)
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


def find_sites_arm64():
    """arm64's call sites: svc, batch1, batch4 (each {pc, nr, setup,
    setup_instructions}; svc's with bench_user's loop), the function call."""
    sites = {}
    for name, function in ARCH.SYSCALL_SITES.items():
        sites[name] = syscall_site(cfg["user_syscall"], function)
    name, function, empty = ARCH.BENCH_SYSCALL
    if cfg.get("bench_user"):
        try:
            sites[name]["bench"] = bench_loop(cfg["bench_user"], function, empty)
        except (gdb.error, gdb.GdbError) as e:
            sites[name]["bench_note"] = "bench_user's loop not read: %s: %s" % (
                cfg["bench_user"], e)
    else:
        sites[name]["bench_note"] = "bench_user's loop not read: no bench_user"
    # the top-level set-up: the null system call's (lab trace reads it)
    sites["setup"] = sites[name]["setup"]
    batch_bench(sites, ARCH.BENCH_BATCH[1])
    function_site(sites)
    if cfg.get("user_syscall32"):
        # the AArch32 program's svc, and bench_user32's loop of it
        name, function = ARCH.SVC32_SITE
        sites[name] = syscall_site(cfg["user_syscall32"], function, ARCH.SVC32_RAW,
                                   ARCH.GDB_ARCH32, ARCH.NR32, ARCH.NR32_TEXT)
        if cfg.get("bench_user32"):
            try:
                sites[name]["bench"] = bench_loop(cfg["bench_user32"], *ARCH.BENCH_SVC32,
                                                  is_entry=ARCH.is_svc32, arch=ARCH.GDB_ARCH32)
            except (gdb.error, gdb.GdbError) as e:
                sites[name]["bench_note"] = "bench_user32's loop not read: %s: %s" % (
                    cfg["bench_user32"], e)
        else:
            sites[name]["bench_note"] = "bench_user32's loop not read: no bench_user32"
        gdb.execute("set architecture %s" % ARCH.GDB_ARCH, to_string=True)
    gdb.execute("file", to_string=True)
    return sites


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def insn_at(pc):
    arch = gdb.selected_frame().architecture()
    return " ".join(arch.disassemble(pc)[0]["asm"].split())


def trace(user, end_pc, first=None, pc0=None, pc_after=None):
    """Steps from the current pc until end_pc: [[pc, symbol, insn]], and
    whether it was cut off. first: a row that ran already (the call).
    pc0: the current pc, where gdb's is not (AArch32); pc_after(insn): the
    pc after a step over insn, where gdb's may not be (after an eret to
    AArch32)."""
    rows = [first] if first else []
    pc = reg("pc") if pc0 is None else pc0
    while pc != end_pc and len(rows) < cfg["max_steps"]:
        insn = insn_at(pc)
        # A stop at the pc just stepped, for an instruction that cannot
        # repeat (only rep-prefixed ones do), is the stub stopping twice
        # (seen after a first touch of a page), not an instruction.
        if not (rows and rows[-1][0] == "0x%016x" % pc and
                not insn.startswith("rep")):
            rows.append(["0x%016x" % pc, symbolize(user, pc), insn])
        gdb.execute("stepi", to_string=True)
        pc = pc_after(insn) if pc_after else reg("pc")
    cut = pc != end_pc
    return rows, cut


def user32_insn(pc, objdump="objdump", machine="i386", options=()):
    """The 32-bit user instruction at pc, read from the guest's memory and
    decoded by objdump as machine (options: its -M, Thumb's force-thumb):
    gdb, attached as x86-64, decodes all code as 64-bit (0x40-0x4f are REX
    prefixes there, inc/dec in 32-bit code), and attached as aarch64 all
    code as A64."""
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
        r = subprocess.run([objdump, "-D", "-b", "binary", "-m", machine]
                           + [o for opt in options for o in ("-M", opt)]
                           + ["--adjust-vma=0x%x" % pc, f.name],
                           capture_output=True, text=True)
    # (the first line, pc's: with --stop-address=pc+1, as for i386, arm's
    # objdump decodes nothing)
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


def trace_kernel(paths, cut_off, ksys):
    """1. The in-kernel call: ksys_lab_null() entered from a call of it
    in module code (checked by the call's bytes: other calls, through the
    syscall table, reach it too), from the call (it ran already) to the
    instruction after it."""
    stop_at(ksys, ARCH.kernel_call_stop(ksys, *kernel_image))
    ret = int(gdb.parse_and_eval(ARCH.RETURN_ADDRESS)) & 0xFFFFFFFFFFFFFFFF
    call_pc = ret - ARCH.CALL_LEN
    paths["kernel"], cut_off["kernel"] = trace(
        ([], []), ret, ["0x%016x" % call_pc, ARCH.MODULE_NAME, insn_at(call_pc)])
    gdb.write("lab-trace: kernel: %d instructions\n" % len(paths["kernel"]))


def refill_in(rows):
    """The functions of get_random_u16()'s batch refill (ARCH's
    REFILL_FUNCTIONS) a path ran, in order of first appearance."""
    seen = []
    for r in rows:
        base = r[1].split("+0x")[0]
        if base in ARCH.REFILL_FUNCTIONS and base not in seen:
            seen.append(base)
    return seen


def trace_call(paths, cut_off, name, site, stop, run):
    """One call of a call site: stop() runs the guest to the site's next
    call, run() traces it ([rows], cut off). A call whose path refilled
    get_random_u16()'s batch (arm64) is not the one icount's median counts:
    it goes in site["refills_skipped"] and the site's next call is traced
    (the program makes ARCH.TRACE_CALLS in a row); if every one refilled,
    the last is kept, refill and all, and lab trace says so."""
    skipped = []
    for attempt in range(ARCH.TRACE_CALLS):
        stop()
        rows, cut = run()
        fns = refill_in(rows)
        if not fns or attempt + 1 == ARCH.TRACE_CALLS:
            break
        skipped.append({"instructions": len(rows), "functions": fns})
        gdb.write("lab-trace: %s: call %d refilled get_random_u16()'s batch (%d instructions: %s);"
                  " skipped, the next call is traced\n"
                  % (name, attempt + 1, len(rows), ", ".join(fns)))
    if skipped:
        site["refills_skipped"] = skipped
    if fns:
        site["refilled"] = True
        gdb.write("lab-trace: %s: every call refilled get_random_u16()'s batch; the last kept\n"
                  % name)
    paths[name], cut_off[name] = rows, cut
    gdb.write("lab-trace: %s: %d instructions\n" % (name, len(paths[name])))
    return rows


def trace_syscall(paths, cut_off, name, site, syms, raw=None):
    """A call site's syscall instruction with its number (any static
    program has code at these addresses: the bytes and the number register
    say it is this one) to the user instruction after it."""
    raw = raw or ARCH.SYSCALL_RAW
    pc = site["pc"]
    trace_call(paths, cut_off, name, site,
               lambda: stop_at(pc, ARCH.syscall_stop(site["nr"], raw)),
               lambda: trace(syms, pc + len(raw)))


def a32_now():
    """The AArch32 state of the (one) vCPU from QEMU's monitor, or None
    in AArch64 state (see lab_trace_arm64.py)."""
    return ARCH.a32_state(gdb.execute("monitor info registers", to_string=True))


def stop_at_a32(pc, nr):
    """Runs the guest until AArch32 user code reaches pc with r7 = nr.
    gdb cannot test a condition there (its pc and registers are stale in
    AArch32), so the breakpoint is plain and the stop checked through the
    monitor; a stop at pc that is not this call is stepped past."""
    bp = gdb.Breakpoint("*0x%x" % pc, internal=True)
    while True:
        gdb.execute("continue", to_string=True)
        st = a32_now()
        if st and st["r"][15] == pc and st["r"][7] == nr and st["mode"] == "usr32":
            break
        if st and st["r"][15] == pc:
            bp.enabled = False
            gdb.execute("stepi", to_string=True)
            bp.enabled = True
    bp.delete()
    return st


def trace_svc32(paths, cut_off, syms):
    """The AArch32 program's svc (user_syscall32's lab_call_site_svc32()) to
    the user instruction after it. Stepping from the svc, every stop is in
    AArch64 EL1 (gdb's pc holds) until ret_to_user's eret, after which the
    pc is the monitor's; the user rows are decoded by objdump."""
    name = ARCH.SVC32_SITE[0]
    site = sites[name]
    pc, end = site["pc"], site["pc"] + site["len"]
    start = {}

    def stop():
        start["state"] = stop_at_a32(pc, site["nr"])

    def after(insn):
        if insn.startswith("eret"):
            st = a32_now()
            if st:
                return st["r"][15]
        return reg("pc")

    rows = trace_call(paths, cut_off, name, site, stop,
                      lambda: trace(syms, end, pc0=pc, pc_after=after))
    # still in the process, at the instruction after the svc: its memory
    options = ("force-thumb",) if start["state"]["thumb"] else ()
    for r in rows:
        upc = int(r[0], 16)
        if upc < USER_END:
            r[1] = symbolize(syms, upc)
            r[2] = user32_insn(upc, ARCH.OBJDUMP32, "arm", options)
    site["thumb"] = start["state"]["thumb"]


def trace_function(paths, cut_off):
    """3. The function call: the call instruction in lab_call_site_function()
    to the instruction after it."""
    with_program(cfg["user_functioncall"])
    pc = sites["function_pc"]
    stop_at(pc, sites["function_stop"])
    paths["function"], cut_off["function"] = trace(user_function_syms,
                                                   pc + sites["function_len"])
    gdb.write("lab-trace: function: %d instructions\n" % len(paths["function"]))
    without_program(pc)
    sites["function_pc"] = "0x%x" % pc


def write_result(paths, cut_off):
    tmp = cfg["out"] + ".lab-tmp"
    with open(tmp, "w") as f:
        json.dump({"arch": ARCH.NAME, "sites": sites, "paths": paths,
                   "cut_off": cut_off}, f, indent=1)
        f.write("\n")
    os.replace(tmp, cfg["out"])
    gdb.write("lab-trace: done\n")
    gdb.execute("detach")  # the guest goes on and finishes its plan


def load_kernel():
    """vmlinux's symbols (they stay loaded: ksys_lab_null), its image's
    bounds; ksys_lab_null's address."""
    global kernel_syms, kernel_image
    kernel_syms = load_msymbols(cfg["vmlinux"])
    kernel_image = (int(gdb.parse_and_eval("(unsigned long)&_text")),
                    int(gdb.parse_and_eval("(unsigned long)&_end")))
    return int(gdb.parse_and_eval("(unsigned long)&ksys_lab_null"))


def bench_says(what, site, key="bench", note="bench_note", per="call"):
    if key in site:
        gdb.write("lab-trace: %s: %d set-up instructions, %d more than the path per %s\n"
                  % (what, site[key]["setup"], site[key]["extra"], per))
    else:
        gdb.write("lab-trace: %s\n" % site[note])


def main_arm64():
    global sites, user_function_syms
    user_syscall_syms = load_msymbols(cfg["user_syscall"])
    user_function_syms = load_msymbols(cfg["user_functioncall"])
    user32_syms = (load_msymbols(cfg["user_syscall32"], ARCH.GDB_ARCH32)
                   if cfg.get("user_syscall32") else None)
    sites = find_sites_arm64()
    ksys = load_kernel()
    for name in ARCH.SYSCALL_SITES:
        gdb.write("lab-trace: %s: svc at 0x%x (nr %d, %d set-up instructions)\n"
                  % (name, sites[name]["pc"], sites[name]["nr"], sites[name]["setup"]))
    bench_says("bench_user's lab_null_svc loop", sites["svc"])
    bench_says("bench_batch's lab_batch() loop", sites, "batch_bench", "batch_bench_note",
               "crossing")
    gdb.write("lab-trace: function call at 0x%x, ksys_lab_null at 0x%x\n"
              % (sites["function_pc"], ksys))
    if user32_syms:
        v = sites[ARCH.SVC32_SITE[0]]
        gdb.write("lab-trace: %s: svc at 0x%x (nr %d, %d set-up instructions)\n"
                  % (ARCH.SVC32_SITE[0], v["pc"], v["nr"], v["setup"]))
        bench_says("bench_user32's lab_null_svc32 loop", v)

    connect(cfg["socket"], cfg["connect_wait_s"])
    paths, cut_off = {}, {}
    trace_kernel(paths, cut_off, ksys)
    # 2. svc, then lab_batch() of one record and of four, in user_syscall's
    # main() in that order
    with_program(cfg["user_syscall"])
    for name in ARCH.SYSCALL_SITES:
        trace_syscall(paths, cut_off, name, sites[name], user_syscall_syms)
    without_program(sites["svc"]["pc"])
    for name in ARCH.SYSCALL_SITES:
        sites[name]["pc"] = "0x%x" % sites[name]["pc"]
    trace_function(paths, cut_off)
    # 4. The AArch32 program's svc (user_syscall32, last in the plan).
    if user32_syms:
        trace_svc32(paths, cut_off, user32_syms)
        sites[ARCH.SVC32_SITE[0]]["pc"] = "0x%x" % sites[ARCH.SVC32_SITE[0]]["pc"]
    sites["ksys_lab_null"] = "0x%x" % ksys
    write_result(paths, cut_off)


def main_x86_64():
    global sites, user_function_syms
    user_syscall_syms = load_msymbols(cfg["user_syscall"])
    user_function_syms = load_msymbols(cfg["user_functioncall"])
    user32_syms = load_msymbols(cfg["user_syscall32"], "i386")
    vdso_syms = load_msymbols(cfg["vdso32"], "i386")
    sites = find_sites()
    ksys = load_kernel()
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
    bench_says("bench_user32's lab_null_vdso32 loop", v)
    bench_says("bench_batch's lab_batch() loop", sites, "batch_bench", "batch_bench_note",
               "crossing")

    connect(cfg["socket"], cfg["connect_wait_s"])
    paths, cut_off = {}, {}
    trace_kernel(paths, cut_off, ksys)

    # 2. The system call: the syscall instruction with the lab_null number.
    with_program(cfg["user_syscall"])
    trace_syscall(paths, cut_off, "syscall",
                  {"pc": sites["syscall_pc"], "nr": sites["syscall_nr"]}, user_syscall_syms)
    # 2b. lab_batch() of one record and of four, from their own call sites
    # in the same program (main() calls them after lab_call_site_syscall()).
    # 2c. The same null system call through int $0x80 (the 32-bit table,
    # from this 64-bit program; main() calls it after the others).
    for name, raw in (("batch1", None), ("batch4", None), ("int80", b"\xcd\x80")):
        trace_syscall(paths, cut_off, name, sites[name], user_syscall_syms, raw)
        sites[name]["pc"] = "0x%x" % sites[name]["pc"]
    without_program(sites["syscall_pc"])

    trace_function(paths, cut_off)

    # 4. The null system call through the 32-bit vDSO, from user_syscall32's
    # lab_call_site_vdso() (the last program of the plan). First its set-up as
    # it runs, from the function's first instruction to the `call *`
    # (getauxval(AT_SYSINFO) included), then the path itself.
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
            r[2] = user32_insn(pc)
    paths["vdso32"] = rows
    v["setup_run"] = setup_run
    v["vdso_base"] = "0x%x" % base
    v["kernel_vsyscall"] = "0x%x" % target
    gdb.write("lab-trace: vdso32: %d instructions (set-up as run: %d; vDSO at 0x%x)\n"
              % (len(rows), len(setup_run), base))
    v["pc"] = "0x%x" % v["pc"]
    v["entry_pc"] = "0x%x" % v["entry_pc"]

    sites["syscall_pc"] = "0x%x" % sites["syscall_pc"]
    sites["ksys_lab_null"] = "0x%x" % ksys
    write_result(paths, cut_off)


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set architecture %s" % ARCH.GDB_ARCH, to_string=True)
kernel_syms = sites = user_function_syms = None
if ARCH is X86_64:
    main_x86_64()
else:
    main_arm64()
