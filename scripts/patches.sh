#!/usr/bin/env bash
# patches.sh TARBALL LAB_TBL OUTDIR: the lab's change to the pristine source
# in TARBALL as a git format-patch series in OUTDIR: a cover letter, one
# patch per message in kernel/patch/series/ (subject line, then body), and
# `series`, the patches in order. The change is what patch-kernel.sh does
# to the tarball's files, plus the selftests in the kernel's layout; the
# syscall numbers are the ones lab-tbl finds free there. The tree's layout
# (6.1's hand-numbered AArch32 table or 6.11's generated tables) decides
# which files change and which message variant a patch gets.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: patches.sh TARBALL LAB_TBL OUTDIR"
tarball=$1 lab_tbl=$2 out=$(realpath -m -- "$3")
[ -f "$tarball" ] || die "no kernel source tarball $tarball"
[ -x "$lab_tbl" ] || die "$lab_tbl is not the lab-tbl tool (make build/tools/lab-tbl)"
lab=$(cd "$(dirname "$0")/.." && pwd)
sel=tools/testing/selftests
# Each patch's paths (its message's name), those of every layout: a path
# the tree does not have is left out. The generic table is
# asm-generic/unistd.h, and since 6.11 scripts/syscall.tbl as well; arm64's
# AArch32 table was hand-numbered in asm/unistd32.h (its count in
# asm/unistd.h), and is arch/arm64/tools/syscall_32.tbl since 6.11. The
# exports' Kconfig option is taken out of 1-core's init/Kconfig below.
declare -A paths=(
	[1-core]="hello include/uapi/linux/lab_syscalls.h include/linux/syscalls.h include/linux/compat.h
		kernel/sys_ni.c include/uapi/asm-generic/unistd.h scripts/syscall.tbl
		Kbuild Kconfig init/Kconfig"
	[2-x86]="arch/x86/entry/syscalls"
	[3-arm]="arch/arm/tools/syscall.tbl arch/arm64/tools/syscall_32.tbl
		arch/arm64/include/asm/unistd32.h arch/arm64/include/asm/unistd.h"
	[4-exports]="arch/x86/entry/syscall_64.c arch/arm64/kernel/sys.c init/Kconfig"
	[5-selftests]="$sel/Makefile $sel/lab_syscalls")
# The pristine files patch-kernel.sh may edit (its list), and the
# selftests' Makefile: those of them the tarball has are extracted.
files=(Makefile Kbuild Kconfig init/Kconfig kernel/sys_ni.c include/linux/syscalls.h include/linux/compat.h
	include/uapi/asm-generic/unistd.h scripts/syscall.tbl "$sel/Makefile"
	arch/x86/entry/{syscall_64.c,syscalls/syscall_64.tbl,syscalls/syscall_32.tbl}
	arch/arm/tools/syscall.tbl arch/arm64/tools/syscall_{64,32}.tbl
	arch/arm64/include/asm/{unistd32.h,unistd.h} arch/arm64/kernel/sys.c)

tmp=$(mkdir -p "$(dirname "$out")" 2>/dev/null && mktemp -d "$(dirname "$out")/.patches.XXXXXX") ||
	die "cannot write in $(dirname "$out")"
trap 'rm -rf "$tmp"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME="Your Name" \
	GIT_AUTHOR_EMAIL=you@example.org GIT_COMMITTER_NAME="Your Name" \
	GIT_COMMITTER_EMAIL=you@example.org
GIT_AUTHOR_DATE=$(git -C "$lab" log -1 --format=%cI 2>/dev/null || date -R)
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
t=$tmp/tree
git() { command git -C "$t" "$@"; }

say "extracting the files the change touches from $tarball"
mkdir "$t"
# tar fails on a name the archive lacks, and which files exist depends on
# the version: the listing says which do (a second read of the archive,
# seconds), and patch-kernel.sh refuses a tree without the ones it needs.
members=$(tar -tf "$tarball" -I 'xz -T0' 2>"$tmp/err" | awk -v want="${files[*]}" '
	BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) wanted[w[i]] = 1 }
	{ f = $0; sub(/^[^\/]*\//, "", f) } f in wanted') ||
	die "cannot list $tarball: $(head -n 1 "$tmp/err")"
mapfile -t members <<<"$members"
[ -n "${members[0]}" ] || die "$tarball has none of the kernel's files the change touches"
err=$(tar -xf "$tarball" -I 'xz -T0' -C "$t" --strip-components=1 -- "${members[@]}" 2>&1) ||
	die "cannot extract the kernel's files from $tarball: $(head -n 1 <<<"$err")"
git init -q -b lab && git add -A && git commit -q -m pristine && git tag pristine

"$lab/scripts/patch-kernel.sh" "$t" "$lab_tbl"
# The selftests: the in-tree Makefile, the sources the lab's guest runs, and
# their place in the selftests' TARGETS (a no-op once patch-kernel.sh does it).
# Besides the family's own, each call's NAME_test.c that make new-syscall
# wrote.
mkdir -p "$t/$sel/lab_syscalls"
names=$("$lab_tbl" --family "$lab/kernel/family.tbl" names) || die "cannot read kernel/family.tbl"
tests=(hello_test batch_test sysinfo_test enosys_test)
for name in $names; do
	[[ " ${tests[*]} " == *" ${name}_test "* ]] || [ ! -f "$lab/tests/guest/${name}_test.c" ] ||
		tests+=("${name}_test")
done
tests=("${tests[@]/#/$lab/tests/guest/}")
cp -r "$lab/kernel/selftests/lab_syscalls/." "${tests[@]/%/.c}" "$lab/tests/guest/lab_test.h" \
	"$lab/user/lab_syscall.h" "$t/$sel/lab_syscalls/"
# What names the family there is written from its declaration, as the lab's
# build writes it: the wrappers lab_syscall.h includes, the Makefile's list.
for f in wrappers:lab_syscall_wrappers.h make:lab_family.mk; do
	"$lab_tbl" --family "$lab/kernel/family.tbl" "${f%%:*}" >"$t/$sel/lab_syscalls/${f#*:}" ||
		die "cannot write $sel/lab_syscalls/${f#*:} from kernel/family.tbl"
done
grep -qx 'TARGETS += lab_syscalls' "$t/$sel/Makefile" || {
	awk '!done && /^TARGETS \+= / && $3 > "lab_syscalls" { print "TARGETS += lab_syscalls"; done = 1 }
		{ print }' "$t/$sel/Makefile" >"$tmp/Makefile" && mv "$tmp/Makefile" "$t/$sel/Makefile"
}
grep -qx 'TARGETS += lab_syscalls' "$t/$sel/Makefile" || die "cannot add lab_syscalls to $sel/Makefile's TARGETS"

# unnamed_calls MSG: MSG, or a copy of it ending with a paragraph that names
# the calls it does not (those added with make new-syscall), so that the
# series says what it adds.
unnamed_calls() {
	local name list=()
	for name in $names; do grep -qF "$name(" "$1" || list+=("$name()"); done
	[ ${#list[@]} -gt 0 ] || { echo "$1"; return; }
	{ cat "$1" && echo &&
		echo "Also add ${list[*]}, scaffolded by the lab's make new-syscall:" |
		sed 's/() /(), /g' | fold -s -w 72 | sed 's/ *$//' &&
		echo "each manual page, docs/man2/NAME.2 in the lab, says what it does."; } >"$tmp/1-core.msg"
	echo "$tmp/1-core.msg"
}

# A message says what its patch does to this tree: where that depends on
# arm64's AArch32 table, MSG is for the generated one (syscall_32.tbl) and
# MSG.unistd32 for trees that hand-number it in asm/unistd32.h.
for msg in "$lab"/kernel/patch/series/[1-9]*; do
	name=${msg##*/}
	[[ $name != *.* ]] || continue
	[ -n "${paths[$name]:-}" ] || die "no paths for the patch $name (kernel/patch/series/)"
	[ -f "$t/arch/arm64/tools/syscall_32.tbl" ] || [ ! -f "$msg.unistd32" ] || msg=$msg.unistd32
	have=()
	# shellcheck disable=SC2086 # a list of paths
	for p in ${paths[$name]}; do [ ! -e "$t/$p" ] || have+=("$p"); done
	[ ${#have[@]} -eq 0 ] || git add -A -- "${have[@]}"
	[ "$name" != 1-core ] || git update-index --cacheinfo "100644,$(awk '
		/^config LAB_SYSCALLS_DISPATCH_EXPORTS$/ { skip = 1; next }
		skip && /^[^ \t]/ { skip = 0 } !skip' "$t/init/Kconfig" | git hash-object -w --stdin),init/Kconfig"
	[ "$name" != 1-core ] || msg=$(unnamed_calls "$msg")
	git commit -q -s -F "$msg"
done
[ -z "$(git status --porcelain)" ] || die "patch-kernel.sh changed paths no patch holds: $(git status --porcelain | tr '\n' ' ')"
git config branch.lab.description "$(cat "$lab/kernel/patch/series/0-cover")"
git format-patch --cover-letter --cover-from-description=subject -o "$tmp/out" pristine |
	sed -n 's|.*/||; /^0000-cover-letter/!p' >"$tmp/series" && mv "$tmp/series" "$tmp/out/"
# Only this series' files are replaced: OUTDIR may hold another version's
# series in a directory of its own (build/patches/6.12). The series list
# goes last, so that it names only patches that are there.
{ mkdir -p "$out" && rm -f "$out"/*.patch "$out/series" && mv "$tmp"/out/*.patch "$out/" &&
	mv "$tmp/out/series" "$out/"; } || die "cannot write the series in $out"
say "$(wc -l <"$out/series") patches and a cover letter in $out"
