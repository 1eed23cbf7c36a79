#!/usr/bin/env bash
# trace.sh --kobj KOBJ --kernel BZIMAGE --initrd CPIO --guest DIR --out DIR
#          --timeout S [--mitigations "default off"]
# make trace: boots the lab kernel under TCG with QEMU's gdbstub, and gdb
# (trace/lab_trace.py) single-steps one null system call, one in-kernel call
# and one function call; then symbolises and sorts every instruction into
# stages (trace/stages.awk), once per mitigation setting, and compares the
# totals with icount's instruction counts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
lab=$(dirname "$here")

mits="default off"
while [ $# -gt 0 ]; do
	case $1 in
	--kobj) kobj=$2 ;; --kernel) kernel=$2 ;; --initrd) initrd=$2 ;;
	--guest) guest=$2 ;; --out) out=$2 ;; --timeout) timeout=$2 ;;
	--mitigations) mits=$2 ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done
command -v gdb >/dev/null || die "gdb not found (Debian package gdb)"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Addresses in the static user programs (no PIE: fixed) and in vmlinux
# (booted with nokaslr: fixed).
objdump -d --no-show-raw-insn "$guest/user_syscall" >"$out/user_syscall.dis"
syscall_pc=$(awk '/<lab_call_site_syscall>:$/ { on = 1; next } on && /^$/ { exit }
	on && $2 == "syscall" { sub(/:$/, "", $1); print $1; exit }' "$out/user_syscall.dis")
objdump -d "$guest/user_functioncall" >"$out/user_functioncall.dis"
read -r func_pc func_rel < <(awk '/<lab_call_site_function>:$/ { on = 1; next } on && /^$/ { exit }
	on && $2 == "e8" { sub(/:$/, "", $1); rel = $6 $5 $4 $3; print $1, rel; exit }' "$out/user_functioncall.dis")
[ -n "$syscall_pc" ] && [ -n "$func_pc" ] || die "call sites not found in $guest/user_syscall, user_functioncall"
func_rel=$(( 16#$func_rel ))
[ "$func_rel" -lt 2147483648 ] || func_rel=$((func_rel - 4294967296))
ksys=$(awk '$3 == "ksys_lab_null" { print $1 }' "$kobj/System.map")
nr=$(awk '$2 == "LAB_NR64_lab_null" { print $3 }' "$lab/build/gen/lab_syscall_nr.h" 2>/dev/null || true)
[ -n "$nr" ] || nr=$(grep -m1 'movl	\$[0-9]*, %eax' "$out/user_syscall.dis" | sed 's/.*\$\([0-9]*\).*/\1/')
{ nm -n "$guest/user_syscall"; nm -n "$guest/user_functioncall"; } >"$out/user.syms"

for mit in $mits; do
	dir=$out/$mit
	rm -rf "$dir"
	mkdir -p "$dir"
	port=$((20000 + RANDOM % 20000))
	append=""
	[ "$mit" = off ] && append="mitigations=off"
	say "tracing (mitigations $mit): TCG guest with its gdbstub on port $port"
	LAB_QEMU_EXTRA="-S -gdb tcp:127.0.0.1:$port" "$here/boot.sh" --kernel "$kernel" \
		--initrd "$initrd" --plan trace --out "$dir/boot" --mode tcg \
		--timeout "$timeout" --append "$append" >"$dir/boot.log" 2>&1 &
	boot=$!
	for _ in $(seq 50); do
		grep -qs . "$dir/boot/qemu-cmdline" && break
		sleep 0.1
	done
	sleep 0.5
	rc=0
	LAB_TRACE_PORT=$port LAB_TRACE_OUT=$dir LAB_SYSTEM_MAP=$kobj/System.map \
		LAB_SYSCALL_PC=$syscall_pc LAB_SYSCALL_NR=$nr LAB_FUNC_CALL_PC=$func_pc \
		LAB_FUNC_CALL_REL=$func_rel LAB_KSYS_LAB_NULL=$ksys LAB_USER_SYMBOLS=$out/user.syms \
		timeout "$timeout" gdb -nx -batch -x "$lab/trace/lab_trace.py" >"$dir/gdb.log" 2>&1 || rc=$?
	wait "$boot" || { cat "$dir/boot.log" >&2; die "the traced guest failed; see $dir/boot.log"; }
	[ "$rc" -eq 0 ] && grep -q 'lab-trace: done' "$dir/gdb.log" ||
		{ tail -n 5 "$dir/gdb.log" >&2; die "gdb did not finish the trace; log: $dir/gdb.log"; }
	for p in syscall kernel function; do
		awk -v path="$p" -f "$lab/trace/stages.awk" "$dir/$p.trace" >"$dir/$p.staged"
	done
done
