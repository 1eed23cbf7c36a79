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
# that must agree are checked to agree.
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

# edit FILE WANTS AWK-ARGS...: rewrite FILE (in the scratch tree) through
# awk (FILE is its last input); if awk fails, FILE lacks what WANTS says.
edit() {
	local file=$1 wants=$2
	shift 2
	awk "$@" "$file" >"$scratch/out" || die "cannot patch $file: $wants"
	cat "$scratch/out" >"$file"
}

# insert_before FILE REGEX FRAGMENT: put FRAGMENT's lines before the first
# line matching REGEX (before the "/*" that opens it, if it is inside a
# comment). If FILE has the fragment's first line already, above that
# line, what lies from there to the anchor is an earlier version of the
# fragment: it is replaced, so that a changed fragment reaches a tree the
# lab patched before (and an unchanged one changes nothing).
insert_before() {
	local file=$1 re=$2 frag=$3
	grep -qE "$re" "$file" || die "cannot patch $file: no line matches /$re/"
	edit "$file" "no line matches /$re/" -v re="$re" '
		FNR == NR { add = add $0 "\n"; if (FNR == 1) first = $0; next }
		{ line[++n] = $0; if (!at && $0 ~ re) at = n; if (!from && $0 == first) from = n }
		END {
			if (at > 1 && line[at - 1] == "/*") at--
			if (!from || from > at) from = at
			for (i = 1; i <= n; i++) {
				if (i == from) printf "%s", add
				if (i < from || i >= at) print line[i]
			}
		}' "$frag"
}

# insert_after_block FILE START_RE KEY FRAGMENT: put FRAGMENT's lines after
# the line that closes ("}" or "};" alone on a line) the definition that
# starts at the first line matching START_RE, unless FILE already has the
# line KEY.
insert_after_block() {
	local file=$1 re=$2 key=$3 frag=$4
	grep -qxF "$key" "$file" && return 0
	grep -qE "$re" "$file" || die "cannot patch $file: no line matches /$re/"
	edit "$file" "no \"}\" alone on a line closes the definition at /$re/" -v re="$re" '
		FNR == NR { add = add $0 "\n"; next }
		{ print }
		!started && $0 ~ re { started = 1 }
		started && !done && /^};?[ \t]*$/ { printf "%s", add; done = 1 }
		END { if (!done) exit 1 }' "$frag"
}

# 1. The syscalls' own directory and their uapi header.
for f in "$lab"/kernel/hello/*; do
	install_if_changed "$f" "$ksrc/hello/${f##*/}"
done
install_if_changed "$lab/kernel/include/uapi/linux/lab_syscalls.h" \
	"$ksrc/include/uapi/linux/lab_syscalls.h"

# 2. Into the build: Kbuild's obj-y list on current kernels, the core-y
#    line of the top Makefile on old ones.
if [ -f "$ksrc/Kbuild" ] && grep -qE '^obj-y[[:space:]]+\+=[[:space:]]*kernel/' "$ksrc/Kbuild"; then
	grep -qE '^obj-y[[:space:]]+\+=[[:space:]]*hello/' "$ksrc/Kbuild" ||
		edit "$ksrc/Kbuild" "" '{ print } /^obj-y[ \t]+\+=[ \t]*kernel\/[ \t]*$/ && !done {
			print "obj-y\t\t\t+= hello/"; done = 1 }'
elif grep -qE '^core-y[[:space:]]+(\+|:)?=.*kernel/' "$ksrc/Makefile"; then
	grep -qE '^core-y.*[[:space:]]hello/' "$ksrc/Makefile" ||
		edit "$ksrc/Makefile" "" '/^core-y[ \t]+(\+|:)?=.*kernel\// && !done {
			sub(/[ \t]*$/, " hello/"); done = 1 } { print }'
else
	die "cannot wire hello/ into $ksrc: neither Kbuild's 'obj-y += kernel/' nor the Makefile's core-y line was found"
fi
grep -qE '^(obj-y[[:space:]]+\+=[[:space:]]*hello/|core-y.*hello/)' "$ksrc/Kbuild" "$ksrc/Makefile" 2>/dev/null ||
	die "wiring hello/ into the build of $ksrc failed"

grep -q '^source "hello/Kconfig"' "$ksrc/Kconfig" ||
	edit "$ksrc/Kconfig" "" '{ print } /^source "init\/Kconfig"/ && !done {
		print ""; print "source \"hello/Kconfig\""; done = 1 }'
grep -q '^source "hello/Kconfig"' "$ksrc/Kconfig" ||
	die "cannot add hello/Kconfig to $ksrc/Kconfig: no 'source \"init/Kconfig\"' line"

# The family's option where adding-syscalls.rst puts a new call's: in
# init/Kconfig, after the other optional system calls (before EMBEDDED),
# with the option for the dispatch exports. Every buildable tree has
# init/Kconfig; a partial tree without it (the lab's patcher test) gets none.
if [ -f "$ksrc/init/Kconfig" ]; then
	anchor='^config EMBEDDED$'
	grep -qE "$anchor" "$ksrc/init/Kconfig" || anchor='^endmenu[[:space:]]*# General setup'
	grep -qE "$anchor" "$ksrc/init/Kconfig" ||
		die "cannot patch $ksrc/init/Kconfig: no line 'config EMBEDDED' nor 'endmenu # General setup'"
	insert_before "$ksrc/init/Kconfig" "$anchor" "$patch/Kconfig.init"
fi

# The dispatch exports, each right after the definition it exports (as
# checkpatch asks), compiled only with CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS=y.
# Only what the tree defines: x64_sys_call() came with the branch history
# injection fixes.
sc64=$ksrc/arch/x86/entry/syscall_64.c
if [ -f "$sc64" ]; then
	if grep -qE '^const sys_call_ptr_t sys_call_table\[\]' "$sc64"; then
		insert_after_block "$sc64" '^const sys_call_ptr_t sys_call_table\[\]' \
			"$(grep "^EXPORT_SYMBOL" "$patch/syscall_64.c.table")" "$patch/syscall_64.c.table"
	fi
	if grep -qE '^long x64_sys_call\(' "$sc64"; then
		insert_after_block "$sc64" '^long x64_sys_call\(' \
			"$(grep "^EXPORT_SYMBOL" "$patch/syscall_64.c.switch")" "$patch/syscall_64.c.switch"
	fi
fi

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
	local err range='NR == 1 { a = $2 } { b = $2 } END { print a "-" b }' list=("${names[@]}")
	[ "$3" = native ] || list=("${compat_names[@]}")
	err=$("$lab_tbl" "$1" "$2" "${list[@]}" 2>&1 >"$scratch/numbers") || die "$err"
	[ -z "${4:-}" ] || cmp -s "$scratch/numbers" "$4" ||
		die "cannot patch $1: its next free numbers ($(awk "$range" "$scratch/numbers")) are not those of $5 ($(awk "$range" "$4"))"
}
add_to_table "$tbl64" common native
add_to_table "$tbl32" i386 compat

# 4. Prototypes: sys_*() with the other syscalls, ksys_*() with the others;
#    the structs they point to (lab_batch()'s record) declared at the end
#    of the forward declarations that open the header, where new ones go.
while IFS= read -r decl; do
	grep -qxF "$decl" "$ksrc/include/linux/syscalls.h" ||
		edit "$ksrc/include/linux/syscalls.h" "no forward declaration (struct name;) above its first #include" -v decl="$decl" '
			{ line[++n] = $0 }
			!inc && /^(struct|union|enum) [a-z0-9_]+;$/ { at = n }
			/^#include / { inc = 1 }
			END {
				if (!at) exit 1
				for (i = 1; i <= n; i++) {
					print line[i]
					if (i == at) print decl
				}
			}'
done <"$frag/structs"
insert_before "$ksrc/include/linux/syscalls.h" \
	'^ \* Architecture-specific system calls' "$frag/sys"
insert_before "$ksrc/include/linux/syscalls.h" \
	'^ssize_t ksys_write\(' "$frag/ksys"
#    compat_sys_*() with the other compat entries, in linux/compat.h,
#    before its deprecated ones; only if a call declares one.
if [ -s "$frag/compat-sys" ]; then
	[ -f "$ksrc/include/linux/compat.h" ] ||
		die "cannot patch $real: no include/linux/compat.h for the compat entries"
	insert_before "$ksrc/include/linux/compat.h" \
		'^ \* Deprecated system calls which are still defined in' "$frag/compat-sys"
fi

# 5. COND_SYSCALL(): with CONFIG_LAB_SYSCALLS=n the numbers answer -ENOSYS.
#    At the end of the file; an earlier version there (from the line that
#    names the lab, and the blank lines the fragment has above it) is
#    replaced.
edit "$ksrc/kernel/sys_ni.c" "" -v frag="$frag/cond" -v marker="$marker" '
	BEGIN {
		while ((getline l < frag) > 0) {
			add[++m] = l
			if (!k && index(l, marker)) k = m
		}
	}
	{ line[++n] = $0; if (!from && index($0, marker)) from = n }
	END {
		from = from ? from - (k - 1) : n + 1
		for (i = 1; i < from; i++) print line[i]
		for (i = 1; i <= m; i++) print add[i]
	}'

# number_block FILE ANCHOR_RE NUMBERS [ENTRIES [BOTH]]: the family's
#    "#define __NR_name N" and "__SYSCALL(__NR_name, sys_name)" lines
#    (NUMBERS: "name N" lines; ENTRIES: lab-tbl's NAME[=ENTRY] lines, to
#    call ENTRY instead, or with BOTH, as a table for native and compat
#    tasks does, "__SC_COMP(__NR_name, sys_name, ENTRY)"), after a line
#    naming the lab, before the first line matching ANCHOR_RE (before the
#    "/*" that opens it, if it is inside a comment). An earlier version of
#    the block is taken out first.
number_block() {
	local file=$1 re=$2 numbers=$3 entries=${4:-/dev/null}
	edit "$file" "no line matches /$re/" -v marker="$marker" -v re="$re" -v entries="$entries" \
		-v both="${5:-}" '
		BEGIN { while ((getline l < entries) > 0) if (split(l, e, "=") == 2) entry[e[1]] = e[2] }
		FNR == NR { nr[++n] = $2; name[n] = $1; next }
		index($0, "/* " marker ": ") == 1 { old = 1; next }
		old && (/^#define __NR_[a-z0-9_]+ [0-9]+$/ || /^__SYSCALL\(/ || /^__SC_COMP\(/) { next }
		old && /^$/ { old = 0; next }
		{ old = 0; line[++m] = $0 }
		!at && $0 ~ re { at = m }
		END {
			if (!at) exit 1
			if (line[at - 1] == "/*") at--
			for (i = 1; i <= m; i++) {
				if (i == at) {
					print "/* " marker ": hello/hello.c */"
					for (j = 1; j <= n; j++) {
						printf "#define __NR_%s %d\n", name[j], nr[j]
						if (both && name[j] in entry)
							printf "__SC_COMP(__NR_%s, sys_%s, %s)\n", name[j],
								name[j], entry[name[j]]
						else
							printf "__SYSCALL(__NR_%s, %s)\n", name[j],
								name[j] in entry ? entry[name[j]] : "sys_" name[j]
					}
					print ""
				}
				print line[i]
			}
		}' "$numbers"
}

# set_count FILE MACRO N: "#define MACRO N", checked.
set_count() {
	edit "$1" "" -v m="$2" -v n="$3" '$1 == "#define" && $2 == m { sub(/[0-9]+$/, n) } { print }'
	grep -qE "^#define $2[[:space:]]+$3\$" "$1" || die "cannot patch $1: no line '#define $2 N'"
}

# 6. The generic table (arm64, riscv, ...): the next numbers after
#    __NR_syscalls (after what it was before the lab's block, if the tree
#    has one), and __NR_syscalls raised to match. It serves the compat
#    tasks of the architectures that use it for them too (riscv's): a call
#    declared with a compat entry gets __SC_COMP(), or, in syscall.tbl,
#    the compat column.
generic=$ksrc/include/uapi/asm-generic/unistd.h
first=$(awk -v marker="$marker" '
	index($0, "/* " marker ": ") == 1 { old = 1; next }
	old && /^#define __NR_[a-z0-9_]+ [0-9]+$/ { print $3; exit }
	/^#define __NR_syscalls [0-9]+$/ { count = $3 }
	END { if (count) print count }' "$generic" | head -n 1)
[ -n "$first" ] || die "cannot patch $generic: no line '#define __NR_syscalls N'"
for i in "${!names[@]}"; do echo "${names[$i]} $((first + i))"; done >"$scratch/generic-numbers"
number_block "$generic" '^#undef __NR_syscalls' "$scratch/generic-numbers" "$frag/compat-names" both
set_count "$generic" __NR_syscalls $((first + ${#names[@]}))

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
	number_block "$u32" '^ \* Please add new compat syscalls above this comment' "$scratch/arm-numbers" \
		"$frag/compat-names"
	set_count "$uarm64" __NR_compat_syscalls "$(awk '
		$1 == "#define" && $2 ~ /^__NR_/ && $3 ~ /^[0-9]+$/ && $3 + 1 > c { c = $3 + 1 }
		END { print c + 0 }' "$u32")"
fi
# 8. arm64's dispatch: its sys_call_table[] exported like x86's, after its
#    definition, with CONFIG_LAB_SYSCALLS_DISPATCH_EXPORTS only.
sysarm64=$ksrc/arch/arm64/kernel/sys.c
if [ -f "$sysarm64" ] && grep -qE '^const syscall_fn_t sys_call_table\[' "$sysarm64"; then
	insert_after_block "$sysarm64" '^const syscall_fn_t sys_call_table\[' \
		"$(grep "^EXPORT_SYMBOL" "$patch/syscall_64.c.table")" "$patch/syscall_64.c.table"
fi

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
