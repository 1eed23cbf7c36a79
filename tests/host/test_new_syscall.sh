#!/usr/bin/env bash
# make new-syscall (tools/new-syscall.c) on a copy of the lab; TAP.
#   test_new_syscall.sh LAB_NEW_SYSCALL WORK [TABLE]
# Bad cases first: each refused in one line, exit status 2, the copy left
# as it was (every path's type, size and time stamp). Then a call is
# scaffolded: declared, its body, manual page (test_man.sh passes) and
# kselftest written, the kselftest in the programs' table and two
# plans, its benchmark rows and module check in lab_own_calls.h; and the
# same name again is refused. Then one with a compat entry, one with six
# arguments.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: test_new_syscall.sh LAB_NEW_SYSCALL WORK [TABLE]" >&2; exit 2; }
lab=$(cd "$(dirname "$0")/../.." && pwd)
tool=$(realpath -- "$1") work=$(realpath -m -- "$2") table=${3:-}
. "$(dirname "$0")/tap.sh"
echo "TAP version 13"

rm -rf "$work" && mkdir -p "$work/lab/docs" "$work/lab/tests"
cp -a "$lab/kernel" "$lab/guest" "$lab/include" "$work/lab/" && cp -a "$lab/docs/man2" "$work/lab/docs/" &&
	cp -a "$lab/tests/guest" "$work/lab/tests/"
state() { find "$work/lab" -printf '%P %y %s %T@\n' | sort; }
# refused NAME PATTERN ARGS...: the tool with ARGS is refused as promised.
refused() {
	local name=$1 pat=$2 before out rc=0
	shift 2
	before=$(state)
	out=$("$tool" "$work/lab" "$@" 2>&1 >/dev/null) || rc=$?
	check "refused: $name, in one line, exit 2, nothing written" \
		'[ $rc -eq 2 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] && grep -qE "$pat" <<<"$out" &&
		 [ "$(state)" = "$before" ]' "exit $rc, said: $out"
}
refused "a name the family has" "'lab_null' declared twice" lab_null ""
refused "an invalid name" "'9x' is not a C identifier" 9x ""
refused "seven arguments" "more than 6 arguments" lab_x "int a, int b, int c, int d, int e, int f, int g"
refused "an unknown type" "argument 'f': unknown type 'float'" lab_x "float f"
touch "$work/lab/docs/man2/lab_x.2"
refused "a file that exists" "lab_x.2 exists already" lab_x ""
rm "$work/lab/docs/man2/lab_x.2"
if [ -n "$table" ] && [ -f "$table" ]; then
	refused "a name the kernel's table has" "the kernel already has a system call 'read'" read "" "$table"
else
	ok "refused: a name the kernel's table has # SKIP no table given"
fi

own=$(grep -c "^LAB_OWN_CALL" "$work/lab/include/lab/lab_own_calls.h")
rc=0 && out=$("$tool" "$work/lab" lab_echo "const char __user *msg, size_t len" 2>&1) || rc=$?
l=$work/lab
check "a new call is declared and scaffolded" \
	'[ $rc -eq 0 ] && grep -qP "^lab_echo\tlong\t-\tconst char __user \*msg, size_t len$" "$l/kernel/family.tbl" &&
	 grep -qx "SYSCALL_DEFINE2(lab_echo, const char __user \*, msg, size_t, len)" "$l/kernel/hello/lab_echo.c" &&
	 grep -qx "obj-\$(CONFIG_LAB_SYSCALLS) += lab_echo.o" "$l/kernel/hello/Makefile" &&
	 grep -q "variant->m->echo(0, 0)" "$l/tests/guest/lab_echo_test.c" &&
	 grep -q "EXPECT_NE(-ENOSYS, r)" "$l/tests/guest/lab_echo_test.c" &&
	 [ -z "$(find "$l" -name "*.new-syscall-tmp")" ]' "exit $rc, said: $out"
check "its kselftest, 64-bit and 32-bit, is a guest program of the run and test plans" \
	'grep -qP "^lab_echo_test32 +x86_64,arm64 +run,test +tests/guest/lab_echo_test.c$" "$l/guest/programs.list" &&
	 grep -qP "^lab_echo_test +x86_64,arm64 +run,test +tests/guest/lab_echo_test.c$" "$l/guest/programs.list" &&
	 for p in run test; do grep -qP "^lab_echo_test32 +exec /lab/bin/lab_echo_test32$" "$l/guest/plans/$p" &&
	 grep -qP "^lab_echo_test +exec /lab/bin/lab_echo_test$" "$l/guest/plans/$p" || exit 1; done'
check "its benchmark rows and module check: one line of lab_own_calls.h, a NULL for the pointer" \
	'[ "$(grep -c "^LAB_OWN_CALL" "$l/include/lab/lab_own_calls.h")" -eq $((own + 1)) ] &&
	 grep -qx "LAB_OWN_CALL(lab_echo, (NULL, 0))" "$l/include/lab/lab_own_calls.h"'
man=$("$lab/tests/host/test_man.sh" "$l/docs/man2" 2>&1)
check "its manual page passes test_man.sh" 'grep -q "^ok .* lab_echo(2)$" <<<"$man"' "$man"
refused "the same name again" "'lab_echo' declared twice" lab_echo ""
rc=0 && out=$("$tool" "$l" lab_six "int a, int b, int c, int d, long e, unsigned long f" 2>&1) || rc=$?
w=$("$(dirname "$tool")/lab-tbl" --family "$l/kernel/family.tbl" wrappers 2>&1)
rc=0 && out=$("$tool" --compat "struct compat_lab_stat __user *st" "$l" lab_stat "struct lab_stat __user *st" 2>&1) || rc=$?
check "a compat entry (--compat): declared, and COMPAT_SYSCALL_DEFINE1 beside SYSCALL_DEFINE1" \
	'[ $rc -eq 0 ] && grep -qP "^lab_stat\tlong\tcompat\tstruct lab_stat __user \*st \| struct compat_lab_stat __user \*st$" "$l/kernel/family.tbl" &&
	 grep -qx "SYSCALL_DEFINE1(lab_stat, struct lab_stat __user \*, st)" "$l/kernel/hello/lab_stat.c" &&
	 grep -qx "COMPAT_SYSCALL_DEFINE1(lab_stat, struct compat_lab_stat __user \*, st)" "$l/kernel/hello/lab_stat.c" &&
	 grep -qx "#include <linux/compat.h>" "$l/kernel/hello/lab_stat.c"' "exit $rc, said: $out"
check "six arguments: scaffolded, its wrappers through lab_MECH_call6()" \
	'[ $rc -eq 0 ] && grep -qF "return lab_##mech##_call6(nr(lab_six), (long)a, (long)b," <<<"$w" &&
	 grep -qF "return lab_##mech##_call(nr(lab_echo), (long)msg, (long)len," <<<"$w" &&
	 grep -qx "LAB_OWN_CALL(lab_six, (0, 0, 0, 0, 0, 0))" "$l/include/lab/lab_own_calls.h"' "exit $rc, said: $out; $w"
echo "1..$n"
