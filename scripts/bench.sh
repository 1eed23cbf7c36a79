#!/usr/bin/env bash
# bench.sh --kobj KOBJ --kernel BZIMAGE --initrd CPIO --guest DIR --out DIR
#          --mode auto|tcg|kvm --timeout S [--quick]
# make bench: every path timed in three modes, each with the lab kernel's
# default mitigations and with mitigations=off:
#   host    this machine's kernel, real hardware time (rows needing no lab kernel)
#   vm      the lab kernel under QEMU (TCG or KVM: whichever ran)
#   icount  QEMU -icount shift=0: one TSC tick per guest instruction
# Raw results go to OUT/raw/, the report (table, JSON, CSV, Markdown, chart)
# to OUT/ by bench-report.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--kobj) kobj=$2 ;; --kernel) kernel=$2 ;; --initrd) initrd=$2 ;;
	--guest) guest=$2 ;; --out) out=$2 ;; --mode) mode=$2 ;;
	--timeout) timeout=$2 ;;
	--quick) quick=1; shift; continue ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done
[ "$mode" != icount ] || die "LAB_MODE=icount: make bench runs icount itself; choose auto, tcg or kvm for its vm mode"
raw=$out/raw
rm -rf "$raw"
mkdir -p "$raw"

say "host: bench_user on this machine's kernel ($(uname -r)), pinned to CPU 0"
"$guest/bench_user" --host >"$raw/host.txt" ||
	die "bench_user failed on the host; output: $raw/host.txt"
"$guest/bench_user32" --host >"$raw/host-i386.txt" 2>/dev/null || true
# perf bench syscall basic makes 10 million getppid() calls and reports
# their mean; the lab makes as many (2000 batches of 5000) beside it, so the
# two means cover the same stretch of time.
say "host: 10 million getppid() calls, the lab's way and perf's"
"$guest/bench_user" --host --batches 2000 --iters 5000 >"$raw/host-10M.txt" ||
	die "bench_user failed on the host; output: $raw/host-10M.txt"
if command -v perf >/dev/null && perf bench syscall basic >"$raw/perf-bench.txt" 2>&1; then
	:
else
	say "perf bench syscall basic did not run here (see $raw/perf-bench.txt)"
fi

plan=bench
[ "$quick" -eq 1 ] && plan=bench-quick
for m in vm icount; do
	for mit in default off; do
		qm=$mode
		[ "$m" = icount ] && qm=icount
		append=""
		[ "$mit" = off ] && append="mitigations=off"
		say "$m ($qm), mitigations $mit: booting with plan '$plan'"
		"$here/boot.sh" --kernel "$kernel" --initrd "$initrd" --plan "$plan" \
			--out "$raw/$m-$mit" --mode "$qm" --timeout "$timeout" \
			--append "$append" ||
			die "the $m boot (mitigations $mit) failed; results: $raw/$m-$mit/results.txt"
	done
done
cp "$kobj/.config" "$raw/lab-kernel.config"
cat "$kobj/include/config/kernel.release" >"$raw/lab-kernel.release"
"$here/bench-report.sh" "$raw" "$out"
