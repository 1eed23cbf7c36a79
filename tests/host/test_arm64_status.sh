#!/usr/bin/env bash
# lab boot --arch arm64 (and x86_64's status line) end to end, against a
# stand-in for QEMU; TAP.
#   test_arm64_status.sh LAB WORKDIR
# arm64 has no isa-debug-exit: the guest's status is one JSON line on the
# lab.status port (status.h; every wrong kind of line is test_status's, in
# C). Here a stand-in qemu-system-aarch64 (first in PATH) writes the port
# files the command line names, so that the whole boot is seen: the right
# line through a path with a comma is a pass, and QEMU exiting non-zero is
# a failure whatever the status file says. Then the options: kvm refused for
# arm64, unknown architectures, too many vCPUs, auto without a KVM probe.
set -uo pipefail
labtool=$(realpath "$1") work=$2
echo "TAP version 13"

. "$(dirname "$0")/tap.sh"

rm -rf "$work" && mkdir -p "$work/bin"
touch "$work/Image" "$work/initrd"
cat >"$work/bin/qemu-system-aarch64" <<'SH'
#!/usr/bin/env bash
# A stand-in for QEMU: the port files, the right status line, then exit
# (with 1 when FAKE_CASE=qemu-fails).
[ "${1:-}" = --version ] && { echo "stand-in qemu-system-aarch64"; exit 0; }
declare -A path
while [ $# -gt 0 ]; do
	if [ "$1" = -chardev ] && [[ $2 == file,* ]]; then
		v=${2//,,/$'\1'}		# QEMU's doubled comma, kept apart
		id=${v#file,id=}; id=${id%%,*}
		p=${v#*,path=}; p=${p%%,*}
		path[$id]=${p//$'\1'/,}
		shift
	fi
	shift
done
ktap=$'KTAP version 1\n1..1\nok 1 step\n'
printf '%s' "$ktap" >"${path[ktap]}"
: >"${path[rows]}"
echo '{}' >"${path[facts]}"
k=${#ktap}
line() { printf '{"status":%s,"bytes":{"ktap":%s,"rows":0,"facts":3}}' "$1" "$2"; }
line 0 $k >"${path[status]}"
echo >>"${path[status]}"
echo "console: the stand-in ran"
[ "$FAKE_CASE" = qemu-fails ] && exit 1
exit 0
SH
chmod +x "$work/bin/qemu-system-aarch64"

# fake CASE EXPECTED_RC OUTCOME PATTERN NAME: one boot, its exit, the outcome
# meta.json records and the one line it says.
fake() {
	local c=$1 want_rc=$2 want_outcome=$3 pat=$4 name=$5 rc=0 out outcome
	local dir="$work/runs/$c,dir"
	out=$(FAKE_CASE=$c PATH="$work/bin:$PATH" "$labtool" boot --arch arm64 \
		--kernel "$work/Image" --initrd "$work/initrd" --plan x --mode tcg \
		--out "$dir" 2>&1 >/dev/null) || rc=$?
	outcome=$(jq -r '.outcome.name + " " + .arch' "$dir/meta.json" 2>/dev/null)
	if [ "$rc" = "$want_rc" ] && [ "$outcome" = "$want_outcome arm64" ] &&
	   [ "$(grep -c . <<<"$out")" -le 1 ] && grep -qE "$pat" <<<"${out:-}"; then
		ok "$name"
	else
		notok "$name" "exit $rc, outcome '$outcome', said: $out"
	fi
}

fake ok 0 ok '^$' "the right status line (a path with a comma): the guest's 0, a pass"
fake qemu-fails 1 no-status "QEMU exited with 1" "QEMU exiting non-zero: a failure, whatever the status file says"

# x86_64: the same line on its virtio-serial port, the streams on ttyS1-3
# (-serial file:PATH, in that order). QEMU's own failure exits 1, which
# isa-debug-exit's encoding once read as the guest's "status 0".
cat >"$work/bin/qemu-system-x86_64" <<'SH'
#!/usr/bin/env bash
[ "${1:-}" = --version ] && { echo "stand-in qemu-system-x86_64"; exit 0; }
serial=() status=
while [ $# -gt 0 ]; do
	case $1 in
	-serial) [[ $2 == file:* ]] && serial+=("${2#file:}"); shift ;;
	-chardev) [[ $2 == file,id=status,path=* ]] && status=${2#file,id=status,path=}; shift ;;
	esac
	shift
done
[ "$FAKE_CASE" = qemu-fails ] && { echo "qemu-system-x86_64: -accel kvmx: invalid accelerator kvmx" >&2; exit 1; }
printf 'KTAP version 1\n1..1\nok 1 step\n' >"${serial[0]}"
: >"${serial[1]}"
echo '{}' >"${serial[2]}"
[ "$FAKE_CASE" = no-line ] && exit 0
echo '{"status":0,"bytes":{"ktap":30,"rows":0,"facts":3}}' >"$status"
exit 0
SH
chmod +x "$work/bin/qemu-system-x86_64"
fake_x86() {
	local c=$1 want_rc=$2 want_outcome=$3 pat=$4 name=$5 rc=0 out outcome
	local dir="$work/runs/x86-$c"
	out=$(FAKE_CASE=$c PATH="$work/bin:$PATH" "$labtool" boot --kernel "$work/Image" \
		--initrd "$work/initrd" --plan x --mode tcg --out "$dir" 2>&1 >/dev/null) || rc=$?
	outcome=$(jq -r '.outcome.name + " " + .arch' "$dir/meta.json" 2>/dev/null)
	if [ "$rc" = "$want_rc" ] && [ "$outcome" = "$want_outcome x86_64" ] &&
	   grep -qE "$pat" <<<"${out:-}"; then
		ok "$name"
	else
		notok "$name" "exit $rc, outcome '$outcome', said: $out"
	fi
}
fake_x86 ok 0 ok '^$' "x86_64: the status line on lab.status: the guest's 0, a pass"
fake_x86 qemu-fails 1 no-status "QEMU exited with 1" "x86_64: QEMU's own failure (exit 1) is no status, not the guest's 0"
fake_x86 no-line 1 no-status "no status from the guest" "x86_64: QEMU exiting 0 without the guest's line is no status"

b=(boot --kernel "$work/Image" --initrd "$work/initrd" --plan x)
expect_error "kvm for arm64 is refused" "mode kvm cannot boot an arm64 guest" \
	"$labtool" "${b[@]}" --arch arm64 --mode kvm --out "$work/runs/kvm"
expect_error "kvm for arm64 is refused, the options either way round" "mode kvm cannot boot an arm64 guest" \
	"$labtool" "${b[@]}" --mode kvm --arch arm64 --out "$work/runs/kvm2"
expect_error "an unknown architecture" "unknown architecture 'arm'" \
	"$labtool" "${b[@]}" --arch arm --out "$work/runs/arm"
expect_error "more vCPUs than the virt machine's GICv2 takes" "at most 8" \
	"$labtool" "${b[@]}" --arch arm64 --smp 9 --out "$work/runs/smp"
out=$(FAKE_CASE=ok PATH="$work/bin:$PATH" "$labtool" "${b[@]}" --arch arm64 --out "$work/runs/auto" 2>&1)
if [ "$(jq -r '.mode + " " + .mode_requested' "$work/runs/auto/meta.json" 2>/dev/null)" = "tcg auto" ] &&
   jq -e '.kvm_probe | startswith("not probed")' "$work/runs/auto/meta.json" >/dev/null 2>&1; then
	ok "auto on arm64 is TCG, no KVM probe, and meta.json says why"
else
	notok "auto on arm64 is TCG, no KVM probe, and meta.json says why" "$out"
fi

echo "1..$n"
