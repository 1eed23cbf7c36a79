#!/usr/bin/env bash
# run.sh --kernel BZIMAGE --kobj KOBJ --initrd CPIO --out DIR --mode M --timeout S
# make run's last step: boot the lab kernel with the "run" plan and show
# what it built, how it ran, and what the hello family answered.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2 ;; --kobj) kobj=$2 ;; --initrd) initrd=$2 ;;
	--out) out=$2 ;; --mode) mode=$2 ;; --timeout) timeout=$2 ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done

release=$(cat "$kobj/include/config/kernel.release" 2>/dev/null || echo unknown)
config_hash=$(sha256sum "$kobj/.config" | cut -c1-12)
say "booting the lab kernel $release (mode: $mode)"
status=0
"$here/boot.sh" --kernel "$kernel" --initrd "$initrd" --plan run --out "$out" \
	--mode "$mode" --timeout "$timeout" || status=$?
ran=$(cat "$out/mode" 2>/dev/null || echo "$mode")

echo
echo "lab kernel  $release, $(du -k "$kernel" | cut -f1) KiB bzImage"
echo "config      $kobj/.config (tinyconfig + config/lab.config, sha256 $config_hash)"
case $ran in
kvm) echo "mode        kvm (hardware virtualisation)" ;;
tcg) echo "mode        tcg (QEMU emulation: any time here is emulation time, not hardware time)" ;;
icount) echo "mode        icount (QEMU -icount shift=0: one guest clock tick per instruction)" ;;
esac
echo "logs        $out/console.log (console), $out/results.txt (result channel)"
if [ -s "$out/results.txt" ]; then
	"$here/show-results.sh" "$out/results.txt" info kernel_syscall.ko user_syscall \
		user_syscall32 user_functioncall kernel-log-check | grep -v ' bench \| tsc_khz '
	if grep -q 'bench lab_null_syscall ' "$out/results.txt"; then
		echo
		echo "--- a short benchmark (20 x 20 calls a path; make bench for the full one)"
		rm -rf "$out/bench" && mkdir -p "$out/bench/raw"
		ln -s ../.. "$out/bench/raw/vm-$ran"
		"$here/bench-report.sh" "$out/bench/raw" "$out/bench" | sed '/^report:/d; s/^/    /'
	fi
fi
echo
if [ "$status" -eq 0 ]; then
	echo "guest status 0: every step succeeded"
else
	echo "guest status $status: a step failed (see above and $out/console.log)"
fi
exit "$status"
