#!/usr/bin/env bash
# patch-kernel.sh KSRC LAB_TBL: add the lab's system calls to a kernel tree,
# the way a real system call is added (Documentation/process/adding-syscalls.rst).
# The calls are those declared in kernel/family.tbl (LAB_FAMILY=FILE: another
# declaration, for tests); every fragment that names them is written from it
# by LAB_TBL --family.
#   hello/                        the syscalls' own directory, wired into the build
#   init/Kconfig                  CONFIG_LAB_SYSCALLS, CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS
#   Kconfig                       source "hello/Kconfig" (the KUnit tests' option)
#   arch/x86/entry/syscall_64.c   the dispatch exports, beside their definitions,
#                                 with CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS only
#   arch/x86/entry/syscalls/      entries in syscall_64.tbl and syscall_32.tbl
#   include/linux/syscalls.h      sys_*() and ksys_*() prototypes
#   include/linux/compat.h        compat_sys_*() prototypes, for the calls
#                                 declared with a compat entry (none today)
#   kernel/sys_ni.c               COND_SYSCALL(), so a kernel without them links
#   include/uapi/asm-generic/unistd.h  numbers for the generic table (arm64, riscv, ...)
#   scripts/syscall.tbl           the generic table itself, since 6.11 (arm64's
#                                 arch/arm64/tools/syscall_64.tbl links to it)
#   arch/arm/tools/syscall.tbl    32-bit ARM's table, and arm64's copy of it for
#                                 AArch32 tasks: arch/arm64/tools/syscall_32.tbl
#                                 since 6.11, hand-numbered before (asm/unistd32.h,
#                                 asm/unistd.h's count)
#   arch/arm64/kernel/sys.c       arm64's sys_call_table[] export, as on x86
#   include/uapi/linux/lab_syscalls.h  flags and limits for user space
# The layout is told by the files the tree has, not by its version; the
# numbers are the next free ones of each table (lab-tbl), and the tables
# that must agree are checked to agree. The edits are LAB_TBL's (--edit,
# tools/kedit*.c); this script copies, calls them in order, and applies.
# All or nothing: the files it may change are copied into a scratch tree and
# every edit is made there; only when all succeeded is each changed file
# written beside its original and renamed over it. A tree it cannot patch
# is left as it was, with one line that names the file and what was missing.
# Idempotent: on a tree it has patched already it changes nothing, not even
# a time stamp.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: patch-kernel.sh KSRC LAB_TBL"
[ -d "$1" ] || die "KSRC=$1 is not a directory"
real=$(cd "$1" && pwd)
lab_tbl=$2
lab=$(cd "$(dirname "$0")/.." && pwd)
patch=$lab/kernel/patch
family=${LAB_FAMILY:-$lab/kernel/family.tbl}
marker="the syscall lab"
for f in Makefile Kconfig arch/x86/entry/syscalls/syscall_64.tbl \
	arch/x86/entry/syscalls/syscall_32.tbl include/linux/syscalls.h \
	kernel/sys_ni.c include/uapi/asm-generic/unistd.h; do
	[ -f "$real/$f" ] || die "KSRC=$real is not an x86 Linux kernel tree (no $f)"
done
[ -w "$real" ] || die "$real is not writable"

# The scratch tree: the files below that KSRC has (symbolic links kept).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
ksrc=$scratch/tree
mkdir "$ksrc"
(cd "$real" && for f in Makefile Kbuild Kconfig init/Kconfig arch/x86/entry/syscall_64.c \
	arch/x86/entry/syscalls/syscall_{64,32}.tbl include/linux/{syscalls,compat}.h kernel/sys_ni.c \
	include/uapi/asm-generic/unistd.h scripts/syscall.tbl arch/arm/tools/syscall.tbl \
	arch/arm64/tools/syscall_{64,32}.tbl arch/arm64/include/asm/unistd{32,}.h \
	arch/arm64/kernel/sys.c include/uapi/linux/lab_syscalls.h hello/*; do
	[ ! -e "$f" ] || cp -a --parents -- "$f" "$ksrc/" || exit 1
done) || die "cannot copy the files to patch from $real"
# Messages name the tree's files, not their copies.
die() { printf '%s: error: %s\n' "${0##*/}" "${*//"$ksrc"/"$real"}" >&2; exit 1; }
# The fragments that name the family, written from its declaration.
frag=$scratch/frag
mkdir "$frag"
for f in names compat-names structs sys ksys compat-sys cond; do
	err=$("$lab_tbl" --family "$family" "$f" 2>&1 >"$frag/$f") || die "${err#lab-tbl: }"
done
tbl64=$ksrc/arch/x86/entry/syscalls/syscall_64.tbl
tbl32=$ksrc/arch/x86/entry/syscalls/syscall_32.tbl

# A hello syscall that is not ours: refuse rather than guess.
if grep -qE '^[0-9]+[[:space:]]+[a-z0-9]+[[:space:]]+hello[[:space:]]' "$tbl64" &&
	! grep -qs "$marker\|syscall lab" "$ksrc/hello/hello.c"; then
	die "$ksrc already has a 'hello' system call that the lab did not add"
fi

# kedit EDIT ARGS...: one of lab-tbl's edits of the scratch tree (lab-tbl
# --edit, tools/kedit*.c); its output in $scratch/out.
kedit() {
	local err
	err=$("$lab_tbl" --edit "$@" 2>&1 >"$scratch/out") || die "${err#lab-tbl: }"
}

# 1. The syscalls' own directory and their uapi header.
for f in "$lab"/kernel/hello/*; do
	install_if_changed "$f" "$ksrc/hello/${f##*/}"
done
install_if_changed "$lab/kernel/include/uapi/linux/lab_syscalls.h" \
	"$ksrc/include/uapi/linux/lab_syscalls.h"

# 2. Into the build: Kbuild's obj-y list on current kernels, the core-y
#    line of the top Makefile on old ones; hello/Kconfig after init/Kconfig;
#    the family's options where adding-syscalls.rst puts a new call's, in
#    init/Kconfig after the other optional system calls (a partial tree
#    without init/Kconfig, the lab's patcher test, gets none).
kedit wire "$ksrc" "$patch/Kconfig.init"
#    The dispatch exports, each right after the definition it exports (as
#    checkpatch asks), compiled only with CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS=y;
#    only what the tree defines (x64_sys_call() came with the branch
#    history injection fixes).
sc64=$ksrc/arch/x86/entry/syscall_64.c
kedit export-after "$sc64" '^const sys_call_ptr_t sys_call_table\[\]' "$patch/syscall_64.c.table"
kedit export-after "$sc64" '^long x64_sys_call\(' "$patch/syscall_64.c.switch"

# 3. Both x86 tables: the next free numbers, found by lab-tbl.
mapfile -t names <"$frag/names"
# The compat tables' (i386's, AArch32's): NAME=compat_sys_NAME for a call
# declared with a compat entry.
mapfile -t compat_names <"$frag/compat-names"
# add_to_table TABLE ABI KIND [WANT WHOSE]: the family into TABLE with lab-tbl
#    (the numbers it has, or the next free ones; KIND compat: the compat
#    entries too), into $scratch/numbers as "name N" lines; with WANT, they
#    must be those (WHOSE numbers).
add_to_table() {
	local err list=("${names[@]}")
	[ "$3" = native ] || list=("${compat_names[@]}")
	err=$("$lab_tbl" "$1" "$2" "${list[@]}" 2>&1 >"$scratch/numbers") || die "$err"
	[ -z "${4:-}" ] || cmp -s "$scratch/numbers" "$4" ||
		die "cannot patch $1: its next free numbers ($(range "$scratch/numbers")) are not those of $5 ($(range "$4"))"
}
# range NUMBERS: "FIRST-LAST" of "name N" lines.
range() {
	local first last
	first=$(head -n 1 "$1") last=$(tail -n 1 "$1")
	echo "${first#* }-${last#* }"
}
add_to_table "$tbl64" common native
add_to_table "$tbl32" i386 compat

# 4. Prototypes: sys_*() with the other syscalls, ksys_*() with the others;
#    the structs they point to (lab_batch()'s record) declared at the end
#    of the forward declarations that open the header, where new ones go.
kedit declare "$ksrc/include/linux/syscalls.h" "$frag/structs"
kedit insert-before "$ksrc/include/linux/syscalls.h" '^ \* Architecture-specific system calls' "$frag/sys"
kedit insert-before "$ksrc/include/linux/syscalls.h" '^ssize_t ksys_write\(' "$frag/ksys"
#    compat_sys_*() with the other compat entries, in linux/compat.h,
#    before its deprecated ones; only if a call declares one.
if [ -s "$frag/compat-sys" ]; then
	[ -f "$ksrc/include/linux/compat.h" ] ||
		die "cannot patch $real: no include/linux/compat.h for the compat entries"
	kedit insert-before "$ksrc/include/linux/compat.h" \
		'^ \* Deprecated system calls which are still defined in' "$frag/compat-sys"
fi

# 5. COND_SYSCALL(): with CONFIG_LAB_SYSCALLS=n the numbers answer -ENOSYS.
#    At the end of the file; an earlier version there (from the line that
#    names the lab, and the blank lines the fragment has above it) is
#    replaced.
kedit end-block "$ksrc/kernel/sys_ni.c" "$frag/cond"

# 6. The generic table (arm64, riscv, ...): the next numbers after
#    __NR_syscalls (after what it was before the lab's block, if the tree
#    has one), and __NR_syscalls raised to match. It serves the compat
#    tasks of the architectures that use it for them too (riscv's): a call
#    declared with a compat entry gets __SC_COMP(), or, in syscall.tbl,
#    the compat column.
generic=$ksrc/include/uapi/asm-generic/unistd.h
kedit generic "$generic" "$frag/names" "$frag/compat-names"
mv "$scratch/out" "$scratch/generic-numbers"

#    Since 6.11 the generic table is scripts/syscall.tbl (arm64's
#    arch/arm64/tools/syscall_64.tbl is a link to it), unistd.h kept for
#    user space: each table's next free numbers must be unistd.h's.
declare -A seen
for tbl in scripts/syscall.tbl arch/arm64/tools/syscall_64.tbl; do
	[ -f "$ksrc/$tbl" ] || continue
	tbl=$(realpath "$ksrc/$tbl")
	[[ $tbl == "$ksrc"/* ]] || die "cannot patch $tbl: a link out of the tree"
	[ -z "${seen[$tbl]:-}" ] || continue
	seen[$tbl]=1
	add_to_table "$tbl" common compat "$scratch/generic-numbers" "$generic"
done

# 7. 32-bit ARM: the same numbers in arch/arm's table ("common": OABI and
#    EABI), and in arm64's copy of it for AArch32 tasks: since 6.11 a table
#    of its own, arch/arm64/tools/syscall_32.tbl; before, hand-numbered in
#    asm/unistd32.h (above the comment that asks for new calls there, its
#    count __NR_compat_syscalls in asm/unistd.h raised to match). A call
#    declared without a compat entry (no 64-bit argument, one layout for
#    every ABI, as lab_batch()'s records have) is called there at its
#    native entry point, as x86's i386 table does; one declared with one,
#    at compat_sys_NAME. Trees without arm64 skip this.
tblarm=$ksrc/arch/arm/tools/syscall.tbl
a32=$ksrc/arch/arm64/tools/syscall_32.tbl
u32=$ksrc/arch/arm64/include/asm/unistd32.h
uarm64=$ksrc/arch/arm64/include/asm/unistd.h
[ ! -f "$tblarm" ] || { add_to_table "$tblarm" common native && mv "$scratch/numbers" "$scratch/arm-numbers"; }
if [ -f "$a32" ]; then
	if [ -f "$tblarm" ]; then add_to_table "$a32" common compat "$scratch/arm-numbers" "$tblarm"; else add_to_table "$a32" common compat; fi
elif [ -f "$u32" ]; then
	[ -f "$tblarm" ] || die "cannot patch $u32: no $tblarm to number AArch32's calls by"
	[ -f "$uarm64" ] || die "cannot patch $u32: no $uarm64 for its count"
	kedit unistd32 "$u32" "$scratch/arm-numbers" "$frag/compat-names"
	kedit count "$uarm64" __NR_compat_syscalls "$u32"
fi
# 8. arm64's dispatch: its sys_call_table[] exported like x86's.
kedit export-after "$ksrc/arch/arm64/kernel/sys.c" '^const syscall_fn_t sys_call_table\[' \
	"$patch/syscall_64.c.table"

# 9. Apply: each file of the scratch tree that differs from KSRC's is
#    written beside it, and once all are, renamed over it.
mapfile -t changed < <(cd "$ksrc" && find . -type f ! -name '*.lab-tmp' -printf '%P\n' | sort |
	while IFS= read -r f; do cmp -s "$f" "$real/$f" || printf '%s\n' "$f"; done)
for f in "${changed[@]}"; do
	[ ! -L "$real/$f" ] || die "cannot patch $real/$f: a symbolic link, not a file"
	d=$(dirname "$real/$f")
	until [ -d "$d" ]; do d=$(dirname "$d"); done
	[ -w "$d" ] || die "cannot patch $real/$f: $d is not writable"
done
for f in "${changed[@]}"; do
	mkdir -p "$(dirname "$real/$f")" && cp "$ksrc/$f" "$real/$f.lab-tmp" || {
		for g in "${changed[@]}"; do rm -f "$real/$g.lab-tmp"; done
		die "could not write $real/$f"
	}
done
for f in "${changed[@]}"; do mv -f "$real/$f.lab-tmp" "$real/$f"; done
exit 0
