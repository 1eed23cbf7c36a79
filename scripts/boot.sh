#!/usr/bin/env bash
# boot.sh [options]: boot a lab kernel and its initramfs in QEMU, once.
#   --kernel BZIMAGE --initrd CPIO --plan NAME --out DIR
#   --mode auto|tcg|kvm|icount   (auto: KVM if a probe boot works, else TCG)
#   --timeout SECONDS            hard limit for the whole boot (default 300)
#   --append "ARGS"              more kernel command line
# Writes DIR/console.log (the console), DIR/results.txt (the guest's result
# channel, the second serial port) and DIR/mode. Exits with the guest's
# status; 1 with a one-line reason if the guest hung, panicked or oopsed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel="" initrd="" plan=run out="" mode=auto timeout=300 append=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2 ;;
	--initrd) initrd=$2 ;;
	--plan) plan=$2 ;;
	--out) out=$2 ;;
	--mode) mode=$2 ;;
	--timeout) timeout=$2 ;;
	--append) append=$2 ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done
[ -n "$kernel" ] && [ -n "$out" ] || die "usage: boot.sh --kernel BZIMAGE --initrd CPIO --plan NAME --out DIR"
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -f "$initrd" ] || die "no initramfs $initrd"
command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found (Debian package qemu-system-x86)"
case $mode in auto | tcg | kvm | icount) ;; *) die "unknown mode '$mode' (auto, tcg, kvm or icount)" ;; esac
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout wants seconds, not '$timeout'"

# An Intel CPU model that the kernel treats as affected by Meltdown and
# Spectre, so its mitigations (page-table isolation, retpolines, ...) are on
# under TCG as they are on such hardware.
tcg_cpu=${LAB_TCG_CPU:-Haswell-noTSX}

# qemu_cmd MODE PLAN CONSOLE RESULTS: the QEMU command line, in "cmd".
qemu_cmd() {
	local m=$1 p=$2 console=$3 results=$4 accel
	case $m in
	kvm) accel=(-accel kvm -cpu host) ;;
	tcg) accel=(-accel tcg -cpu "$tcg_cpu") ;;
	icount) accel=(-accel tcg,thread=single -icount shift=0,sleep=off -cpu "$tcg_cpu") ;;
	esac
	cmd=(qemu-system-x86_64 -M pc -m 512 -smp 1 -nodefaults -display none
		-no-reboot "${accel[@]}"
		-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyS0 panic=-1 nokaslr lab.plan=$p $append"
		-serial "file:$console" -serial "file:$results"
		-device isa-debug-exit,iobase=0xf4,iosize=0x04)
	# More QEMU arguments for this boot only (make trace: the gdbstub).
	# shellcheck disable=SC2206
	[ "$p" = probe ] || cmd+=(${LAB_QEMU_EXTRA:-})
}

# run_qemu MODE PLAN DIR LIMIT: boot once; sets "status" (the guest's status,
# or a negative reason: -1 hung, -2 panic/oops, -3 no status) and "why".
run_qemu() {
	local m=$1 p=$2 dir=$3 limit=$4 pid start rc
	mkdir -p "$dir"
	: >"$dir/console.log"
	: >"$dir/results.txt"
	qemu_cmd "$m" "$p" "$dir/console.log" "$dir/results.txt"
	printf '%q ' "${cmd[@]}" >"$dir/qemu-cmdline"
	# In a subshell, so that a QEMU that aborts is reported by us, not bash.
	("${cmd[@]}" </dev/null >"$dir/qemu.log" 2>&1; exit $?) 2>/dev/null &
	pid=$!
	start=$(date +%s)
	why=""
	while kill -0 "$pid" 2>/dev/null; do
		if grep -qE 'Kernel panic|Oops:|BUG: |WARNING: |general protection fault' "$dir/console.log"; then
			sleep 0.5 # let the rest of the report reach the log
			why=$(grep -m1 -E 'Kernel panic|Oops:|BUG: |WARNING: |general protection fault' "$dir/console.log")
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			status=-2
			return
		fi
		if [ $(($(date +%s) - start)) -ge "$limit" ]; then
			kill -9 "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			status=-1
			why="no answer after ${limit}s"
			return
		fi
		sleep 0.2
	done
	rc=0
	wait "$pid" 2>/dev/null || rc=$?
	if grep -qE 'Kernel panic|Oops:|BUG: |WARNING: ' "$dir/console.log"; then
		status=-2
		why=$(grep -m1 -E 'Kernel panic|Oops:|BUG: |WARNING: ' "$dir/console.log")
	elif [ $((rc & 1)) -eq 1 ] && grep -q '^@@lab done' "$dir/results.txt"; then
		status=$((rc >> 1)) # isa-debug-exit: (status << 1) | 1
	else
		status=-3
		why="QEMU exited with $rc and no status from the guest; $(tail -n 1 "$dir/qemu.log" 2>/dev/null)"
	fi
}

mkdir -p "$out"
if [ "$mode" = auto ]; then
	# /dev/kvm can exist and still hang a guest (nested, paravirtualised
	# hosts): a short probe boot decides, and its answer is kept per kernel.
	probe=$out/../kvm-probe
	mode=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		if [ -f "$probe" ] && [ "$probe" -nt "$kernel" ]; then
			mode=$(cat "$probe")
		else
			run_qemu kvm probe "$out/kvm-probe" "${LAB_KVM_PROBE_TIMEOUT:-20}"
			if [ "$status" -eq 0 ]; then mode=kvm; fi
			echo "$mode" >"$probe"
			[ "$mode" = kvm ] || say "KVM probe failed ($why): using TCG"
		fi
	fi
fi
echo "$mode" >"$out/mode"

run_qemu "$mode" "$plan" "$out" "$timeout"
case $status in
-1) die "the guest hung: $why (mode $mode); console log: $out/console.log" ;;
-2) die "the guest kernel failed: $why; console log: $out/console.log" ;;
-3) die "$why; console log: $out/console.log" ;;
esac
grep -q '^@@lab done' "$out/results.txt" ||
	die "the guest ended without finishing its plan; results: $out/results.txt"
exit "$status"
