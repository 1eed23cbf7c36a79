#!/usr/bin/env bash
# The patcher (scripts/patch-kernel.sh) on every layout it knows; TAP.
#   test_patcher.sh LAB_TBL WORK TARBALL...
# For each kernel source tarball (Debian's linux-source-6.1, -6.12; one not
# there is skipped): a tree of only the files the patcher reads or writes.
# Bad cases first: for each anchor the patcher needs, a copy of that tree
# without it is refused with one line that names the file and the anchor,
# and is left as it was (diff -r against a copy, and every path's type,
# size, mode and time stamp). Then the pristine tree is patched, with the
# numbers the generic unistd.h has free in every table, and a second run
# changes nothing. Then a declaration of the family (LAB_FAMILY) with a
# call that has a compat entry: compat_sys_NAME in the compat tables (x86's
# i386 table; arm64's AArch32 one, its own table or asm/unistd32.h), its
# prototype and COND_SYSCALL_COMPAT(); declarations that are wrong are
# refused in one line naming the file and line, the tree untouched.
set -uo pipefail
[ $# -ge 3 ] || { echo "usage: test_patcher.sh LAB_TBL WORK TARBALL..." >&2; exit 2; }
lab=$(cd "$(dirname "$0")/../.." && pwd)
lab_tbl=$(realpath -- "$1") work=$(realpath -m -- "$2")
shift 2
. "$(dirname "$0")/tap.sh"
echo "TAP version 13"

files=(Makefile Kbuild Kconfig init/Kconfig kernel/sys_ni.c include/linux/{syscalls,compat}.h
	include/uapi/asm-generic/unistd.h scripts/syscall.tbl arch/x86/entry/syscall_64.c
	arch/x86/entry/syscalls/syscall_{64,32}.tbl arch/arm/tools/syscall.tbl
	arch/arm64/tools/syscall_{64,32}.tbl arch/arm64/include/asm/unistd{,32}.h arch/arm64/kernel/sys.c)
# The lab's own calls (shipped_family), unless LAB_FAMILY names another
# declaration.
patcher() { LAB_FAMILY=${LAB_FAMILY:-$work/family.tbl} "$lab/scripts/patch-kernel.sh" "$1" "$lab_tbl"; }
# state DIR: every path under DIR, its type, size, mode and time stamp.
state() { find "$1" -printf '%P %y %s %m %T@\n' | sort; }

# refused NAME FILE EDIT PATTERN: a copy of the pristine tree $p whose FILE
# is removed (EDIT "rm") or edited by sed -e EDIT is refused with one line
# matching PATTERN, and left as it was.
refused() {
	local name=$1 file=$2 edit=$3 pat=$4 t=$work/bad out rc=0 before
	rm -rf "$t" "$t.orig" && cp -a "$p" "$t"
	if [ "$edit" = rm ]; then rm "$t/$file"; else sed -i -e "$edit" "$t/$file"; fi
	if cmp -s "$p/$file" "$t/$file"; then notok "$v: $name" "the edit did not change $file"; return; fi
	cp -a "$t" "$t.orig"
	before=$(state "$t")
	out=$(patcher "$t" 2>&1 >/dev/null) || rc=$?
	check "$v: $name: refused in one line, the tree left as it was" \
		'[ $rc -ne 0 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] && grep -qE "$pat" <<<"$out" &&
		 [ "$(state "$t")" = "$before" ] && diff -r "$t.orig" "$t" >/dev/null' \
		"exit $rc, said: $out$(diff -r "$t.orig" "$t" | head -5)"
}

# compat_entry: the compat column decides: the pristine tree $p patched
# with the family's declaration but lab_sysinfo declared without a compat
# entry calls sys_lab_sysinfo from every table; then bad declarations.
compat_entry() {
	local d=$work/compat.tbl t=$work/$v-compat at
	grep -v '^#' "$lab/kernel/family.tbl" |
		sed -E 's/^(lab_sysinfo\t+long\t+)compat\t([^|]*[^| ]) *\|.*/\1-\t\2/' >"$d"
	at=$(($(grep -c . "$d") + 1))
	declared "a duplicate name" 'lab_null\tlong\t-\tvoid' "/bad\.tbl:$at: 'lab_null' declared twice \(first at line 1\)$"
	declared "an invalid name" 'lab-x\tlong\t-\tvoid' "/bad\.tbl:$at: 'lab-x' is not a C identifier"
	declared "seven arguments" 'lab_x\tlong\t-\tint a, int b, int c, int d, int e, int f, int g' \
		"/bad\.tbl:$at: more than 6 arguments$"
	declared "an unknown type" 'lab_x\tlong\t-\tfloat f' "/bad\.tbl:$at: argument 'f': unknown type 'float'$"
	declared "a compat column neither - nor compat" 'lab_x\tlong\tyes\tvoid' "/bad\.tbl:$at: lab_x: compat column 'yes'"
	cp -a "$p" "$t"
	rc=0 && out=$(LAB_FAMILY=$d patcher "$t" 2>&1) || rc=$?
	check "$v: lab_sysinfo declared without a compat entry: every table calls sys_lab_sysinfo" \
		'[ $rc -eq 0 ] && [ -z "$out" ] && grep -qP "^lab_sysinfo\t+long\t+-\t+struct lab_sysinfo __user \*info, unsigned int flags$" "$d" &&
		 grep -qP "^[0-9]+\ti386\tlab_sysinfo\t+sys_lab_sysinfo$" "$t/$arch/syscall_32.tbl" &&
		 grep -qx "__SYSCALL(__NR_lab_sysinfo, sys_lab_sysinfo)" "$t/$u" &&
		 ! grep -q "compat_sys_lab_sysinfo" "$t/$u" "$t/kernel/sys_ni.c" "$t/include/linux/compat.h" &&
		 { [ ! -f "$t/arch/arm64/tools/syscall_32.tbl" ] ||
		   grep -qP "^[0-9]+\tcommon\tlab_sysinfo\t+sys_lab_sysinfo$" "$t/arch/arm64/tools/syscall_32.tbl"; } &&
		 { [ -f "$p/scripts/syscall.tbl" ] ||
		   grep -qx "__SYSCALL(__NR_lab_sysinfo, sys_lab_sysinfo)" "$t/arch/arm64/include/asm/unistd32.h"; }' "$out"
	before=$(state "$t")
	sleep 0.1
	rc=0 && out=$(LAB_FAMILY=$d patcher "$t" 2>&1) || rc=$?
	check "$v: lab_sysinfo declared without a compat entry: a second run changes nothing" \
		'[ $rc -eq 0 ] && [ -z "$out" ] && [ "$(state "$t")" = "$before" ]' "$out"
}

# declared NAME LINE PATTERN: a declaration of the family with LINE after
# its own is refused with one line matching PATTERN, the pristine
# tree's copy left as it was.
declared() {
	local name=$1 pat=$3 d=$work/bad.tbl t=$work/bad rc=0 out before
	{ grep -v '^#' "$lab/kernel/family.tbl"; printf '%b\n' "$2"; } >"$d"
	rm -rf "$t" && cp -a "$p" "$t"
	before=$(state "$t")
	out=$(LAB_FAMILY=$d patcher "$t" 2>&1 >/dev/null) || rc=$?
	check "$v: a declaration with $name is refused in one line, the tree left as it was" \
		'[ $rc -ne 0 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] && grep -qE "$pat" <<<"$out" &&
		 [ "$(state "$t")" = "$before" ]' "exit $rc, said: $out"
}

rm -rf "$work" && mkdir -p "$work"
shipped_family "$lab" "$work/family.tbl"
for tarball; do
	v=$(basename "$tarball" .tar.xz)
	if [ ! -f "$tarball" ]; then
		ok "$v: patched and patched again # SKIP no $tarball"
		continue
	fi
	p=$work/$v
	mkdir -p "$p"
	# Files a version does not have are "Not found in archive".
	err=$(tar -xf "$tarball" -I 'xz -T0' -C "$p" --strip-components=1 --wildcards \
		--no-wildcards-match-slash "${files[@]/#/*/}" 2>&1 | grep -v 'Not found in archive\|previous errors')
	check "$v: a tree of the files the patcher needs" '[ -z "$err" ] && [ -f "$p/Makefile" ]' "$err"
	arch=arch/x86/entry/syscalls b=$work/bad
	u=include/uapi/asm-generic/unistd.h

	refused "no top Makefile" Makefile rm "not an x86 Linux kernel tree \(no Makefile\)$"
	refused "no top Kconfig" Kconfig rm "not an x86 Linux kernel tree \(no Kconfig\)$"
	refused "no x86 64-bit table" $arch/syscall_64.tbl rm "\(no $arch/syscall_64.tbl\)$"
	refused "no x86 32-bit table" $arch/syscall_32.tbl rm "\(no $arch/syscall_32.tbl\)$"
	refused "no syscalls.h" include/linux/syscalls.h rm "\(no include/linux/syscalls.h\)$"
	refused "no sys_ni.c" kernel/sys_ni.c rm "\(no kernel/sys_ni.c\)$"
	refused "no generic unistd.h" $u rm "\(no $u\)$"
	refused "no obj-y += kernel/ in Kbuild (nor core-y)" Kbuild '/^obj-y.*kernel\//d' \
		"cannot wire hello/ into $b: neither Kbuild's 'obj-y \+= kernel/' nor the Makefile's core-y"
	refused "no source \"init/Kconfig\"" Kconfig '/^source "init\/Kconfig"/d' \
		"$b/Kconfig: no 'source \"init/Kconfig\"' line$"
	refused "no EMBEDDED nor end of General setup" init/Kconfig '/^config EMBEDDED$/d; /^endmenu.*General setup/d' \
		"cannot patch $b/init/Kconfig: no line 'config EMBEDDED' nor 'endmenu # General setup'$"
	refused "no forward declarations in syscalls.h" include/linux/syscalls.h '/^\(struct\|union\|enum\) [a-z0-9_]*;$/d' \
		"cannot patch $b/include/linux/syscalls.h: no forward declaration \(struct name;\) above its first #include$"
	refused "no arch-specific syscalls comment" include/linux/syscalls.h '/Architecture-specific system calls/d' \
		"cannot patch $b/include/linux/syscalls.h: no line matches /\^ \\\\\* Architecture-specific system calls/$"
	refused "no ksys_write()" include/linux/syscalls.h '/^ssize_t ksys_write(/d' \
		"cannot patch $b/include/linux/syscalls.h: no line matches /\^ssize_t ksys_write"
	refused "no __NR_syscalls count" $u '/^#define __NR_syscalls/d' \
		"cannot patch $b/$u: no line '#define __NR_syscalls N'$"
	refused "no #undef __NR_syscalls" $u '/^#undef __NR_syscalls/d' \
		"cannot patch $b/$u: no line matches /\^#undef __NR_syscalls/$"
	refused "a line of the 64-bit table that is not an entry" $arch/syscall_64.tbl '$a 1 common' \
		"lab-tbl: $b/$arch/syscall_64.tbl:[0-9]+: not a syscall table line$"
	refused "a line of the 32-bit table that is not an entry" $arch/syscall_32.tbl '$a 1 i386' \
		"lab-tbl: $b/$arch/syscall_32.tbl:[0-9]+: not a syscall table line$"
	refused "a hello system call not the lab's" $arch/syscall_64.tbl '$a 999\tcommon\thello\t\tsys_hello' \
		"$b already has a 'hello' system call that the lab did not add$"
	refused "x86's sys_call_table[] never closed" arch/x86/entry/syscall_64.c '/^};\?$/d' \
		"cannot patch $b/arch/x86/entry/syscall_64.c: no \"\}\" alone on a line closes the definition"
	refused "arm64's sys_call_table[] never closed" arch/arm64/kernel/sys.c '/^};\?$/d' \
		"cannot patch $b/arch/arm64/kernel/sys.c: no \"\}\" alone on a line closes the definition"
	refused "a line of ARM's table that is not an entry" arch/arm/tools/syscall.tbl '$a 1 common' \
		"lab-tbl: $b/arch/arm/tools/syscall.tbl:[0-9]+: not a syscall table line$"
	if [ -f "$b/scripts/syscall.tbl" ]; then # 6.11 and later
		a32=arch/arm64/tools/syscall_32.tbl
		refused "a generic table whose next numbers are not unistd.h's" scripts/syscall.tbl '$a 999\tcommon\tfoo\t\t\tsys_foo' \
			"cannot patch $b/scripts/syscall.tbl: its next free numbers \(1000-1006\) are not those of $b/$u \([0-9]+-[0-9]+\)$"
		refused "AArch32's table numbering apart from ARM's" $a32 '$a 999\tcommon\tfoo\t\t\tsys_foo' \
			"cannot patch $b/$a32: its next free numbers \(1000-1006\) are not those of $b/arch/arm/tools/syscall.tbl \([0-9]+-[0-9]+\)$"
		refused "a line of AArch32's table that is not an entry" $a32 '$a 1 common' \
			"lab-tbl: $b/$a32:[0-9]+: not a syscall table line$"
		refused "a line of the generic table that is not an entry" scripts/syscall.tbl '$a 1 common' \
			"lab-tbl: $b/scripts/syscall.tbl:[0-9]+: not a syscall table line$"
	else # up to 6.10
		u32=arch/arm64/include/asm/unistd32.h
		refused "no place for new compat calls in unistd32.h" $u32 '/Please add new compat syscalls above this comment/d' \
			"cannot patch $b/$u32: no line matches /\^ \\\\\* Please add new compat syscalls above this comment/$"
		refused "no __NR_compat_syscalls" arch/arm64/include/asm/unistd.h '/__NR_compat_syscalls/d' \
			"cannot patch $b/arch/arm64/include/asm/unistd.h: no line '#define __NR_compat_syscalls N'$"
		refused "unistd32.h without ARM's table" arch/arm/tools/syscall.tbl rm \
			"cannot patch $b/$u32: no $b/arch/arm/tools/syscall.tbl to number AArch32's calls by$"
	fi

	# The good case: every table numbers the family from the generic count.
	t=$work/$v-patched
	cp -a "$p" "$t"
	nr=$(awk '$1 == "#define" && $2 == "__NR_syscalls" { print $3 }' "$p/$u")
	rc=0 && out=$(patcher "$t" 2>&1) || rc=$?
	check "$v: a pristine tree is patched" '[ $rc -eq 0 ] && [ -z "$out" ] && [ -f "$t/hello/hello.c" ]' "$out"
	tables=("$arch/syscall_64.tbl common" "$arch/syscall_32.tbl i386" "arch/arm/tools/syscall.tbl common")
	[ ! -f "$p/scripts/syscall.tbl" ] ||
		tables+=("scripts/syscall.tbl common" "arch/arm64/tools/syscall_32.tbl common")
	for tbl in "${tables[@]}"; do
		abi=${tbl#* } tbl=${tbl% *}
		check "$v: $tbl numbers the family $nr-$((nr + 5))" \
			'grep -qP "^$nr\t$abi\tlab_null\t+sys_lab_null$" "$t/$tbl" &&
			 grep -qP "^$((nr + 5))\t$abi\tlab_batch\t+sys_lab_batch$" "$t/$tbl" &&
			 [ "$(grep -c lab_ "$t/$tbl")" -eq 6 ] && [ "$(grep -c hello "$t/$tbl")" -eq 1 ]'
	done
	# lab_sysinfo(): compat_sys_lab_sysinfo for 32-bit tasks on a 64-bit
	# kernel (and in the generic table); x86_64's entry stays "common"
	# (x32 shares the 64-bit layout); 32-bit ARM's own table needs none.
	for tbl in "${tables[@]}"; do
		abi=${tbl#* } tbl=${tbl% *} c=
		case $tbl in */syscall_32.tbl | scripts/syscall.tbl) c="\t+compat_sys_lab_sysinfo" ;; esac
		check "$v: $tbl: lab_sysinfo $((nr + 6))${c:+ with its compat entry}" \
			'grep -qP "^$((nr + 6))\t$abi\tlab_sysinfo\t+sys_lab_sysinfo$c$" "$t/$tbl"'
	done
	check "$v: compat.h declares compat_sys_lab_sysinfo()" \
		'grep -q "^asmlinkage long compat_sys_lab_sysinfo(struct compat_lab_sysinfo __user \*info,$" "$t/include/linux/compat.h"'
	check "$v: the generic unistd.h gives lab_sysinfo __SC_COMP()" \
		'grep -qx "__SC_COMP(__NR_lab_sysinfo, sys_lab_sysinfo, compat_sys_lab_sysinfo)" "$t/$u"'
	check "$v: the generic unistd.h too, and its count" \
		'grep -qx "#define __NR_lab_null $nr" "$t/$u" && grep -qx "#define __NR_lab_batch $((nr + 5))" "$t/$u" &&
		 grep -qx "#define __NR_syscalls $((nr + 7))" "$t/$u"'
	if [ -f "$p/scripts/syscall.tbl" ]; then
		check "$v: arm64's syscall_64.tbl is still a link to the generic table" \
			'[ "$(readlink "$t/arch/arm64/tools/syscall_64.tbl")" = "$(readlink "$p/arch/arm64/tools/syscall_64.tbl")" ]'
	else
		check "$v: arm64's unistd32.h numbers AArch32's calls, and counts them" \
			'grep -qx "#define __NR_lab_null $nr" "$t/arch/arm64/include/asm/unistd32.h" &&
			 grep -qx "__SYSCALL(__NR_lab_sysinfo, compat_sys_lab_sysinfo)" "$t/arch/arm64/include/asm/unistd32.h" &&
			 grep -qE "^#define __NR_compat_syscalls[[:space:]]+$((nr + 7))$" "$t/arch/arm64/include/asm/unistd.h"'
	fi
	before=$(state "$t")
	sleep 0.1
	rc=0 && out=$(patcher "$t" 2>&1) || rc=$?
	check "$v: a second run changes nothing, not even a time stamp" \
		'[ $rc -eq 0 ] && [ -z "$out" ] && [ "$(state "$t")" = "$before" ]' "$out"
	compat_entry
done

# The plan last (TAP allows it): a script that dies early has none.
echo "1..$n"
