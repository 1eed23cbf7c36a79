#!/usr/bin/env bash
# The lab's scripts and host tool against bad input and second runs; TAP.
#   test_scripts.sh LAB_TBL TARBALL BZIMAGE INITRD WORKDIR LAB
# Each case must end the way the documentation promises (docs/, lab(1)): a
# clear one-line error and a non-zero exit, or (for a second run) no change
# at all.
set -uo pipefail
lab=$(cd "$(dirname "$0")/../.." && pwd)
lab_tbl=$1 tarball=$2 bzimage=$3 initrd=$4 work=$5 labtool=$6
echo "TAP version 13"

. "$(dirname "$0")/tap.sh"


rm -rf "$work" && mkdir -p "$work"
# The patcher with the lab's own calls (shipped_family): what these
# checks expect, whatever make new-syscall added.
shipped_family "$lab" "$work/family.tbl"
lab_patch() { LAB_FAMILY=$work/family.tbl "$lab/scripts/patch-kernel.sh" "$@"; }
# A pristine mini tree: just the files the patch touches.
files=(Makefile Kbuild Kconfig init/Kconfig arch/x86/entry/syscall_64.c
	arch/x86/entry/syscalls/syscall_64.tbl
	arch/x86/entry/syscalls/syscall_32.tbl include/linux/syscalls.h
	include/linux/compat.h kernel/sys_ni.c include/uapi/asm-generic/unistd.h)
tar -xf "$tarball" -C "$work" "${files[@]/#/linux-source-6.1/}"
pristine=$work/linux-source-6.1
cp -a "$pristine" "$work/tree"
t=$work/tree

check "patch a pristine tree" 'lab_patch "$t" "$lab_tbl"'
check "both tables number the family from the next free number" \
	'grep -qP "^451\tcommon\tlab_null\t" "$t/arch/x86/entry/syscalls/syscall_64.tbl" &&
	 grep -qP "^455\ti386\tlab_transform\t" "$t/arch/x86/entry/syscalls/syscall_32.tbl"'
check "wired in through Kbuild, prototypes, COND_SYSCALL, generic numbers" \
	'grep -q "^obj-y.*+= hello/" "$t/Kbuild" && grep -q "^long ksys_hello(void);" "$t/include/linux/syscalls.h" &&
	 grep -q "^asmlinkage long sys_hello(void);" "$t/include/linux/syscalls.h" &&
	 grep -q "^COND_SYSCALL(lab_batch);" "$t/kernel/sys_ni.c" &&
	 grep -qx "struct lab_batch_rec;" "$t/include/linux/syscalls.h" &&
	 grep -q "^#define __NR_lab_batch 456" "$t/include/uapi/asm-generic/unistd.h" &&
	 grep -qx "__SC_COMP(__NR_lab_sysinfo, sys_lab_sysinfo, compat_sys_lab_sysinfo)" "$t/include/uapi/asm-generic/unistd.h" &&
	 grep -q "^#define __NR_syscalls 458" "$t/include/uapi/asm-generic/unistd.h" &&
	 [ -f "$t/hello/hello.c" ]'
touch "$work/stamp"
sleep 1
lab_patch "$t" "$lab_tbl" >/dev/null 2>&1
check "a second run changes nothing, not even a time stamp" \
	'[ -z "$(find "$t" -newer "$work/stamp" -print -quit)" ]'

# A tree the lab patched before its fragments changed (here: an older lab
# without lab_sysinfo, the family's last call and its only compat entry)
# is brought up to date: the same as a fresh patch.
mkdir -p "$work/oldlab/kernel"
cp -a "$lab/scripts" "$work/oldlab/"
cp -a "$lab/kernel/patch" "$lab/kernel/hello" "$lab/kernel/include" "$work/family.tbl" \
	"$work/oldlab/kernel/"
(cd "$work/oldlab/kernel" &&
	sed -i '/^lab_sysinfo/d' family.tbl &&
	sed -i 's/lab_batch(), which runs/lab_batch(), that runs/' patch/Kconfig.init)
cp -a "$pristine" "$work/updated"
cp -a "$pristine" "$work/fresh"
rc=0
LAB_FAMILY=$work/oldlab/kernel/family.tbl "$work/oldlab/scripts/patch-kernel.sh" "$work/updated" "$lab_tbl" \
	>/dev/null 2>&1 || rc=1
! grep -q lab_sysinfo "$work/updated/include/linux/syscalls.h" || rc=1
lab_patch "$work/updated" "$lab_tbl" >/dev/null 2>&1 || rc=1
lab_patch "$work/fresh" "$lab_tbl" >/dev/null 2>&1 || rc=1
check "a tree patched by an earlier lab is brought up to date (as a fresh patch)" \
	'[ $rc -eq 0 ] && grep -q "lab_batch(), that runs" "$work/oldlab/kernel/patch/Kconfig.init" &&
	 ! grep -q ^lab_sysinfo "$work/oldlab/kernel/family.tbl" &&
	 grep -q "^asmlinkage long compat_sys_lab_sysinfo(" "$work/fresh/include/linux/compat.h" &&
	 diff -r "$work/updated" "$work/fresh" >/dev/null'

# An old kernel: top-level directories on the Makefile's core-y line.
cp -a "$pristine" "$work/old"
o=$work/old
sed -i '/^obj-y[[:space:]]*+= kernel\//d' "$o/Kbuild"
sed -i 's/^core-y\t\t:=$/core-y\t\t+= kernel\/ certs\/ mm\//' "$o/Makefile"
check "an old tree is wired through core-y" \
	'lab_patch "$o" "$lab_tbl" 2>/dev/null && grep -q "^core-y.*kernel/.* hello/" "$o/Makefile"'

cp -a "$pristine" "$work/foreign"
printf '999\tcommon\thello\t\t\tsys_hello\n' >>"$work/foreign/arch/x86/entry/syscalls/syscall_64.tbl"
expect_error "a tree with someone else's hello syscall is refused" "already has a 'hello'" \
	lab_patch "$work/foreign" "$lab_tbl"
expect_error "a directory that is not a kernel tree is refused" "not an x86 Linux kernel tree" \
	lab_patch "$work" "$lab_tbl"
expect_error "make with KSRC that is not a kernel tree" "is not a kernel tree" \
	make -s -C "$lab" KSRC="$work/nowhere" kernel

# no_qemu DIR: no process of the run in DIR is left. started DIR: one
# appears within ten seconds (so that no_qemu after it means something).
no_qemu() { ! pgrep -f "file:$1/ktap.txt" >/dev/null; }
started() {
	for _ in $(seq 100); do
		pgrep -f "file:$1/ktap.txt" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}
boot() { "$labtool" boot --kernel "$bzimage" --initrd "$initrd" --plan probe "$@"; }

expect_error "boot without a kernel image" "no kernel image" \
	"$labtool" boot --kernel "$work/none" --initrd "$initrd" --out "$work/b0"
expect_error "boot with an unknown mode" "unknown mode" boot --out "$work/b1" --mode warp
expect_error "a guest that does not finish in time is stopped" "hung: no end after 0s" \
	boot --out "$work/b2" --mode tcg --timeout 0
check "a timed-out boot leaves no QEMU behind" 'sleep 0.5; no_qemu "$work/b2"'
expect_error "a guest kernel that panics ends the run with its console log" \
	"Kernel panic.*console log: .*console.log" \
	boot --out "$work/b3" --mode tcg --append "rdinit=/no/such/init"
boot --out "$work/b4" --mode tcg >/dev/null 2>&1 &
check "a boot's QEMU runs (the one interrupted next)" 'started "$work/b4"'
kill -INT $!
wait $! 2>/dev/null
check "an interrupted boot leaves no QEMU behind" 'sleep 0.5; no_qemu "$work/b4"'
boot --out "$work/b6" --mode tcg --append "lab.step_timeout=abc" >/dev/null 2>&1
check "a step timeout that is not a whole number fails the plan, named" \
	'grep -q "^not ok 1 lab.step_timeout=abc: not a whole number of seconds" "$work/b6/ktap.txt"' \
	"$(cat "$work/b6/ktap.txt" 2>/dev/null)"
boot --out "$work/b7" --mode tcg --append "lab.mode=warp" >/dev/null 2>&1
check "a word of the lab's given twice on the guest's command line fails the plan, named" \
	'grep -q "^not ok 1 lab.mode: given 2 times" "$work/b7/ktap.txt"' \
	"$(cat "$work/b7/ktap.txt" 2>/dev/null)"
expect_error "two runs in one directory at once: busy" "busy" \
	flock "$work/.lock" "$labtool" boot --kernel "$bzimage" --initrd "$initrd" --out "$work/b5"

# Packages: installs take turns (deps.sh's lock, here in WORK), and each
# looks for what is missing only when its turn comes.
expect_error "deps.sh --background without a log" "usage: deps.sh" \
	env TMPDIR="$work" "$lab/scripts/deps.sh" --background
TMPDIR="$work" flock "$work/lab-deps.lock" sleep 2 &
sleep 0.3
start=$(date +%s%N)
TMPDIR="$work" "$lab/scripts/deps.sh" make >/dev/null 2>&1
waited=$((($(date +%s%N) - start) / 1000000))
wait
check "deps.sh waits its turn while another install holds the lock" '[ "$waited" -ge 1500 ]' \
	"it returned after ${waited} ms"

# Reports: garbage in, one line out, and the last good report left alone.
mkdir -p "$work/rep"
echo "good report" >"$work/rep/report.md"
cp -r "$lab/tests/data/enosys" "$work/garbage"
printf '{"schema":"lab-row/1",\001\377 garbage\n' >"$work/garbage/rows.jsonl"
expect_error "a report from a run with garbage rows is refused" "rows.jsonl: line 1" \
	"$labtool" report --out "$work/rep" "$work/garbage"
check "and leaves the previous report as it was" '[ "$(cat "$work/rep/report.md")" = "good report" ]'
expect_error "a report asked for a run that does not exist" "no run of the lab" \
	"$labtool" report --out "$work/rep" "$work/no-such-run"
check "a report's bench.json passes a JSON validator (jq)" \
	'"$labtool" report --out "$work/rep2" "$lab/tests/data/rows-good" "$lab/tests/data/rows-icount" &&
	 jq -e ".rows | length > 0" "$work/rep2/bench.json" >/dev/null'
# The tree the lab builds is the tree the user named: two mini trees with
# the same base name, the default one (under this make's own BUILD) and
# another elsewhere, each patched and built in its own directory. make runs
# with a clean environment: nothing of the make that runs this script.
kb=$(cd "$work" && pwd)/keyed
mkdir -p "$kb/build/src" "$kb/elsewhere"
cp -a "$pristine" "$kb/build/src/linux-source-6.1"
cp -a "$pristine" "$kb/elsewhere/linux-source-6.1"
first=$kb/build/src/linux-source-6.1 second=$kb/elsewhere/linux-source-6.1
ln -s elsewhere/linux-source-6.1 "$kb/link"
km() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$lab" BUILD="$kb/build" KVER=6.1 "$@"; }
# The object directory `make kernel` would build KSRC's kernel in.
kobj_of() { km -n "$@" kernel 2>/dev/null |
	awk '{ for (i = 1; i < NF - 1; i++) if ($i ~ /build-kernel\.sh$/) { print $(i + 2); exit } }'; }
kobj1=$(kobj_of) kobj2=$(kobj_of KSRC="$second")
plan2=$(km -n KSRC="$second" kernel kernel-nosys 2>&1)
check "the default tree keeps its readable build directory" \
	'[ "$kobj1" = "$kb/build/linux-source-6.1/lab" ]' "make -n kernel builds in: $kobj1"
check "a second tree with the same name is patched and built in a directory of its own" \
	'[[ "$kobj2" == "$kb/build/linux-source-6.1-"????????????"/lab" ]] &&
	 grep -q "patch-kernel\.sh $second " <<<"$plan2" &&
	 grep -q "build-kernel\.sh --from $kobj2 $second ${kobj2%/lab}/nosyscalls " <<<"$plan2"' "$plan2"
check "the same tree named through a symlink or an untidy path shares that directory" \
	'[ "$(kobj_of KSRC="$kb/link")" = "$kobj2" ] &&
	 [ "$(kobj_of KSRC="$kb/elsewhere/./linux-source-6.1/")" = "$kobj2" ] &&
	 [ "$(kobj_of KSRC="$first")" = "$kobj1" ]'
tbl=arch/x86/entry/syscalls/syscall_64.tbl
km -s patch-tree >"$kb/patch1.log" 2>&1
check "make patch-tree patches the default tree, and only that one" \
	'grep -q lab_null "$first/$tbl" && ! grep -q lab_null "$second/$tbl"' "$(cat "$kb/patch1.log")"
km -s KSRC="$second" patch-tree >"$kb/patch2.log" 2>&1
check "with the default tree patched, KSRC= a same-named tree patches THAT tree" \
	'grep -q lab_null "$second/$tbl" && [ -f "${kobj2%/lab}/.lab-patched" ] &&
	 [ "$(cat "${kobj2%/lab}/ksrc")" = "$second" ] &&
	 [ "$(cat "$kb/build/linux-source-6.1/ksrc")" = "$first" ]' "$(cat "$kb/patch2.log")"
touch "$kb/stamp"
sleep 1
km -s KSRC="$kb/link" patch-tree >"$kb/patch3.log" 2>&1
km -s patch-tree >>"$kb/patch3.log" 2>&1
check "a second make patch-tree of either tree changes nothing" \
	'[ ! -s "$kb/patch3.log" ] && [ -z "$(find "$kb/build" "$kb/elsewhere" -newer "$kb/stamp" -print -quit)" ]' \
	"$(cat "$kb/patch3.log"; find "$kb/build" "$kb/elsewhere" -newer "$kb/stamp" | head -5)"
dirs2=$(km -s KSRC="$second" --eval 'dirs: ; @echo $(GUEST) $(GEN) $(MODULES) $(INITRAMFS)' dirs 2>&1)
check "the module, guest programs and initramfs of each tree are its own" \
	'[ "$dirs2" = "${kobj2%/lab}/guest ${kobj2%/lab}/gen ${kobj2%/lab}/module ${kobj2%/lab}/initramfs.cpio" ]' "$dirs2"

# The plan last (TAP allows it): a script that dies early has none.
echo "1..$n"
