#!/usr/bin/env bash
# The patch series (make patches) against the pristine source; TAP.
#   test_patches.sh TARBALL PATCHES KSRC WORK
# On a fresh extract of TARBALL's files in WORK, each patch of PATCHES/series
# applies in order with git apply, and checkpatch.pl finds no error in it
# (warnings are shown as comments). The tree it gives is KSRC, the tree the
# lab builds: the same content in every file the series touches, and no
# other file of KSRC changed since the tarball. There, the kernel's own
# selftests Makefile builds TARGETS=lab_syscalls (x86: 64- and 32-bit;
# arm64: 64-bit, with Debian's aarch64 cross compiler), against the uapi
# headers of KSRC for each, from the sources the lab's guest runs (32-bit:
# with Debian's i686 cross compiler, as the lab's guest programs), and
# run_tests would run them (they are not run: the host does not have
# these system calls).
set -uo pipefail
[ $# -eq 4 ] || { echo "usage: test_patches.sh TARBALL PATCHES KSRC WORK" >&2; exit 2; }
# Absolute paths (git runs in the tree), and no make flags from a calling make.
mapfile -t arg < <(realpath -m -- "$@")
tarball=${arg[0]} patches=${arg[1]} ksrc=${arg[2]} work=${arg[3]}
unset MAKEFLAGS MFLAGS MAKELEVEL
lab=$(cd "$(dirname "$0")/../.." && pwd)
sel=tools/testing/selftests
t=$work/tree
n=0
echo "TAP version 13"
tap() { # tap STATUS DESCRIPTION [DIRECTIVE]
	n=$((n + 1))
	echo "$([ "$1" -eq 0 ] || echo "not ")ok $n $2${3:+ # $3}"
	return "$1"
}
diag() { sed 's/^/# /'; }
git() { GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 command git -C "$t" -c user.name=test \
	-c user.email=test@example.org "$@"; }
done_testing() { echo "1..$n"; exit 0; }

series=()
[ ! -f "$patches/series" ] || mapfile -t series <"$patches/series"
tap $((${#series[@]} > 0 ? 0 : 1)) "make patches wrote a series (${#series[@]} patches in $patches)" ||
	done_testing

# The pristine files the series changes, and what checkpatch and the
# selftests' build need beside them.
mapfile -t touched < <(sed -n 's|^--- a/||p' "${series[@]/#/$patches/}" | sort -u)
rm -rf "$t" && mkdir -p "$t"
out=$(tar -xf "$tarball" -I 'xz -T0' -C "$t" --strip-components=1 --wildcards --no-wildcards-match-slash \
	"${touched[@]/#/*/}" "*/Makefile" "*/scripts/"{checkpatch.pl,spelling.txt,const_structs.checkpatch,subarch.include} \
	"*/$sel/"{lib.mk,kselftest_harness.h,kselftest.h} 2>&1 &&
	git init -q && git add -A && git commit -q -m pristine 2>&1)
tap $? "a pristine extract of the ${#touched[@]} files the series changes" || { diag <<<"$out"; done_testing; }

applied=0
for p in "${series[@]}"; do
	out=$(git apply --check --whitespace=error "$patches/$p" 2>&1 && git apply --whitespace=error "$patches/$p" 2>&1)
	tap $? "$p applies cleanly (git apply)" || { diag <<<"$out"; break; }
	applied=$((applied + 1))
done
for p in "${series[@]}"; do
	out=$(cd "$t" && perl scripts/checkpatch.pl --no-tree --terse --showfile "$patches/$p" 2>&1)
	rc=$?
	! grep -q ': ERROR:' <<<"$out" && { [ $rc -eq 0 ] || grep -q '^total: 0 errors' <<<"$out"; }
	tap $? "checkpatch: no errors in $p ($(sed -n 's/^total: //p' <<<"$out" | grep . || echo clean))"
	grep -v '^total: ' <<<"$out" | grep . | diag
done
[ "$applied" -eq ${#series[@]} ] || done_testing
git add -A && mapfile -t changed < <(git diff --cached --name-only HEAD)
out=$(rc=0; for f in tests/guest/{hello_test.c,batch_test.c,sysinfo_test.c,enosys_test.c,lab_test.h} user/lab_syscall.h; do
	cmp "$lab/$f" "$t/$sel/lab_syscalls/${f##*/}" 2>&1 || rc=1
done; exit $rc)
tap $? "the in-tree selftests are the sources the lab's guest runs" || diag <<<"$out"

# The lab's tree: the same kernel, and with or without the selftests
# (installed by the patcher or not).
version() { sed -n -E '/^(VERSION|PATCHLEVEL|SUBLEVEL) = /p' "$1/Makefile" | tr -d '\n'; }
if [ "$(version "$ksrc" 2>/dev/null)" != "$(version "$t")" ]; then
	tap 0 "the series makes the lab's tree" "SKIP $ksrc is not the kernel of $tarball"
	done_testing
fi
compare=("${changed[@]}")
if [ ! -d "$ksrc/$sel/lab_syscalls" ]; then
	tap 0 "the lab's tree has the selftests" "SKIP $ksrc has no $sel/lab_syscalls (the patcher does not install them)"
	mapfile -t compare < <(printf '%s\n' "${changed[@]}" | grep -v "^$sel/")
fi
out=$(rc=0; for f in "${compare[@]}"; do
	diff -u --label "series: $f" --label "lab: $f" "$t/$f" "$ksrc/$f" 2>&1 || rc=1
done; exit $rc)
tap $? "the series gives the lab's tree in all ${#compare[@]} files it changes" || diag <<<"$out" | head -40
if [ "$ksrc/COPYING" -nt "$tarball" ]; then
	tap 0 "the lab's tree changes no file the series does not" "SKIP $ksrc was not extracted from $tarball"
else
	out=$(cd "$ksrc" && find . -path "./$sel/lab_syscalls" -prune -o \( -type f -o -type l \) \
		-newer "$tarball" -print | sed 's|^\./||' | grep -vxF -f <(printf '%s\n' "${compare[@]}"))
	tap $((${#out} > 0)) "the lab's tree changes no file the series does not" || diag <<<"$out"
fi

# The selftests run_tests runs: the family's own, then (in name order) the
# kselftest of each call added with make new-syscall.
tests=(hello_test batch_test sysinfo_test)
for f in "$lab"/tests/guest/*_test.c; do
	b=${f##*/} b=${b%.c}
	[[ " ${tests[*]} enosys_test " == *" $b "* ]] ||
		! grep -q "^${b%_test}[[:space:]]" "$lab/kernel/family.tbl" || tests+=("$b")
done
# The selftests, in the series' tree, with the uapi headers of the lab's.
obj=$work/obj
rm -rf "$obj/kselftest" && mkdir -p "$obj"
# The 32-bit compiler, the same for the build and for emit_tests (which
# lists the 32-bit programs only when it finds one).
cc32=(CC_32=i686-linux-gnu-gcc)
out=$(make -s -C "$ksrc" O="$obj" headers 2>&1 &&
	make -s -C "$t/$sel" O="$obj" TARGETS=lab_syscalls USERCFLAGS=-Werror "${cc32[@]}" 2>&1)
tap $? "make -C $sel TARGETS=lab_syscalls builds, warning-free (headers from $ksrc)" || diag <<<"$out"
for b in hello_test hello_test_32 batch_test batch_test_32 sysinfo_test sysinfo_test_32 enosys_test enosys_test_32; do
	class=$(od -An -tu1 -j4 -N1 "$obj/kselftest/lab_syscalls/$b" 2>/dev/null | tr -d ' ')
	[ "$class" = "$([ "${b%_32}" = "$b" ] && echo 2 || echo 1)" ]
	tap $? "built $b ($([ "$class" = 1 ] && echo 32 || echo 64)-bit)"
done
out=$(make -s --no-print-directory -C "$t/$sel/lab_syscalls" O="$obj" \
	OUTPUT="$obj/kselftest/lab_syscalls" COLLECTION=lab_syscalls "${cc32[@]}" emit_tests 2>&1)
want=$(for b in "${tests[@]}"; do printf 'lab_syscalls:%s ' "$b"; done
	for b in "${tests[@]}"; do printf 'lab_syscalls:%s_32 ' "$b"; done)
[ "$(tr '\n' ' ' <<<"$out")" = "$want" ]
tap $? "run_tests runs hello_test, batch_test, sysinfo_test and their 32-bit builds (not enosys_test: its kernel is built without the family)" ||
	diag <<<"$out"

# arm64, cross-compiled: the same sources against arm64's uapi headers of
# the lab's tree (patched for both), 64-bit programs only.
arm=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
rm -rf "$obj-arm64/kselftest" && mkdir -p "$obj-arm64"
out=$(make -s -C "$ksrc" O="$obj-arm64" ARCH=arm64 headers 2>&1 &&
	make -s -C "$t/$sel" O="$obj-arm64" TARGETS=lab_syscalls "${arm[@]}" USERCFLAGS=-Werror 2>&1)
tap $? "make -C $sel TARGETS=lab_syscalls ${arm[*]} builds, warning-free (headers from $ksrc)" ||
	diag <<<"$out"
for b in hello_test batch_test sysinfo_test enosys_test; do
	# ELFCLASS64, and e_machine (little-endian, at 18) EM_AARCH64, 183.
	elf=$(od -An -tu1 -j4 -N1 "$obj-arm64/kselftest/lab_syscalls/$b" 2>/dev/null | tr -d ' '
		od -An -tu2 -j18 -N2 --endian=little "$obj-arm64/kselftest/lab_syscalls/$b" 2>/dev/null | tr -d ' ')
	[ "$(tr '\n' ' ' <<<"$elf")" = "2 183 " ]
	tap $? "built $b for arm64 (ELF64, AArch64)" || diag <<<"class and machine: $elf"
done
out=$(make -s --no-print-directory -C "$t/$sel/lab_syscalls" O="$obj-arm64" "${arm[@]}" \
	OUTPUT="$obj-arm64/kselftest/lab_syscalls" COLLECTION=lab_syscalls emit_tests 2>&1)
[ "$(tr '\n' ' ' <<<"$out")" = "$(for b in "${tests[@]}"; do printf 'lab_syscalls:%s ' "$b"; done)" ] &&
	! compgen -G "$obj-arm64/kselftest/lab_syscalls/*_32" >/dev/null
tap $? "arm64: run_tests runs hello_test, batch_test and sysinfo_test, and there are no 32-bit builds (AArch32's numbers are not uapi)" ||
	diag <<<"$out"
done_testing
