#!/usr/bin/env bash
# asm.sh KOBJ MODULE_DIR ASM_DIR CC GUEST_CFLAGS...: make asm.
#   kernel_syscall.s     the module, through kbuild's own .s target (the
#                        kernel's flags: retpolines, return thunks, ...)
#   user_syscall.s, user_functioncall.s   the user programs, same flags as
#                        their binaries
#   call-sites.txt       the call sites side by side, annotated
# ARCH (x86_64, the default, or arm64) and CROSS_COMPILE come from the
# environment, as for the kernel's own make; CC is the guest's compiler.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 4 ] || die "usage: asm.sh KOBJ MODULE_DIR ASM_DIR CC CFLAGS..."
kobj=$1 mdir=$2 adir=$3 cc=$4
shift 4
mkdir -p "$adir"

arch=${ARCH:-x86_64}
make -s -C "$kobj" ARCH="$arch" ${CROSS_COMPILE:+CROSS_COMPILE="$CROSS_COMPILE"} \
	M="$(cd "$mdir" && pwd)" kernel_syscall.s
cp "$mdir/kernel_syscall.s" "$adir/kernel_syscall.s"
"$cc" "$@" -S -fno-asynchronous-unwind-tables -o "$adir/user_syscall.s" user/user_syscall.c
"$cc" "$@" -S -fno-asynchronous-unwind-tables -o "$adir/user_functioncall.s" user/user_functioncall.c

# body FILE FUNCTION: the instructions of one function in a .s file.
body() {
	awk -v f="$2" '
		$0 == f ":" { on = 1; next }
		on && /^\t\.size\t/ { exit }
		on && /^\t\.cfi/ { next }
		on && /^\t[a-z]/ { sub(/^\t/, ""); gsub(/\t/, " "); print }
		on && /^\.L[A-Za-z0-9_]+:/ { print }' "$1"
}

# annotate: a note for the instructions that make each path what it is.
annotate() {
	awk -v arch="$arch" '{
		n = ""
		if ($0 ~ /^(call|bl) / && $0 ~ /ksys_lab_null/) n = "in-kernel: a plain call into the syscall body"
		else if ($0 ~ /^call/) n = "a plain call: push the return address, jump"
		else if ($0 ~ /^bl /) n = "a plain call: the return address in x30 (lr), jump"
		else if ($0 ~ /^svc /) n = "enter the kernel: an exception to EL1, VBAR_EL1 + 0x400 (el0t_64_sync)"
		else if ($0 ~ /^mov x8, [0-9]+/) n = "the syscall number, in x8"
		else if ($0 ~ /^mov (w1|x1), 4$/) n = "count: 4 records (x1, the 2nd argument)"
		else if ($0 ~ /^mov (w2|x2), 0$/) n = "the 3rd argument, 0 (x2; lab_batch: its flags)"
		else if ($0 ~ /paciasp/) n = "sign the return address (pointer auth; a NOP on the lab'"'"'s cortex-a72)"
		else if ($0 ~ /autiasp/) n = "check the return address (pointer auth; a NOP on the lab'"'"'s cortex-a72)"
		else if ($0 ~ /^(bti|hint 3[4-8])/) n = "BTI landing pad (a NOP without BTI)"
		else if ($0 ~ /^syscall/) n = "enter the kernel: rcx = rip, r11 = rflags, jump to MSR_LSTAR"
		else if ($0 ~ /^int \$0?x?80|^int \$128/) n = "enter the kernel through the IDT (the 32-bit table)"
		else if ($0 ~ /^movl? \$[0-9]+, %eax/) n = "the syscall number, in eax"
		else if ($0 ~ /^movl? \$4, %esi/) n = "count: 4 records (rsi, the 2nd argument)"
		else if ($0 ~ /^xorl? %edx, %edx/) n = "the 3rd argument, 0 (rdx; lab_batch: its flags)"
		else if ($0 ~ /recs/) n = "the address of the records (rdi, the 1st argument)"
		else if ($0 ~ /__x86_return_thunk/) n = "return thunk (retbleed/SRSO); patched to ret at boot where not needed"
		else if ($0 ~ /^ret/) n = "return"
		else if ($0 ~ /^nop/ && arch == "arm64") n = "ftrace'"'"'s patchable entry (-fpatchable-function-entry)"
		else if ($0 ~ /^(nop|endbr)/) n = "padding / CFI landing pad"
		printf "%-44s %s\n", $0, (n == "" ? "" : "# " n)
	}'
}

{
	echo "The call sites, as compiled (make asm; full files beside this one)."
	echo
	echo "== in-kernel system call: call_site_kernel() in kernel_syscall.s"
	body "$adir/kernel_syscall.s" call_site_kernel | annotate
	echo
	if [ "$arch" = arm64 ]; then
		echo "== user-space system call: lab_call_site_svc() in user_syscall.s"
		body "$adir/user_syscall.s" lab_call_site_svc | annotate
	else
		echo "== user-space system call: lab_call_site_syscall() in user_syscall.s"
		body "$adir/user_syscall.s" lab_call_site_syscall | annotate
		echo
		echo "== user-space system call, 32-bit table: lab_call_site_int80() in user_syscall.s"
		body "$adir/user_syscall.s" lab_call_site_int80 | annotate
	fi
	echo
	echo "== four calls, one crossing: lab_call_site_batch4() in user_syscall.s"
	echo "   (lab_batch(recs, 4, 0): the records were filled before; the kernel"
	echo "   runs ksys_lab_null() once per record, see make trace's per-record count)"
	body "$adir/user_syscall.s" lab_call_site_batch4 | annotate
	echo
	echo "== function call: lab_call_site_function() in user_functioncall.s"
	body "$adir/user_functioncall.s" lab_call_site_function | annotate
	echo
	echo "The instructions after the entry instruction (kernel entry, dispatch,"
	echo "the body, exit work, the return: sysret, iret or eret) are not in any .s"
	echo "file: make trace follows them."
} >"$adir/call-sites.txt"
cat "$adir/call-sites.txt"
echo
echo "assembly: $adir/kernel_syscall.s, $adir/user_syscall.s, $adir/user_functioncall.s"
