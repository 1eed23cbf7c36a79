#!/usr/bin/env bash
# lab boot --arch arm64's end of a boot, against a stand-in for QEMU; TAP.
#   test_arm64_status.sh LAB WORKDIR
# arm64 has no isa-debug-exit: the guest's status is one JSON line on the
# lab.status port, with the bytes it sent on the other ports, and QEMU exits
# 0 whatever happened (boot.h). A stand-in qemu-system-aarch64 (first in
# PATH) writes the port files the command line names, then exits: every way
# that line can be missing, malformed or contradicted by the files must be a
# failed boot with one line saying why; only the right line is a pass. Then
# the options: kvm refused for arm64, unknown architectures, too many vCPUs.
set -uo pipefail
labtool=$(realpath "$1") work=$2
echo "TAP version 13"

. "$(dirname "$0")/tap.sh"

rm -rf "$work" && mkdir -p "$work/bin"
touch "$work/Image" "$work/initrd"
cat >"$work/bin/qemu-system-aarch64" <<'SH'
#!/usr/bin/env bash
# A stand-in for QEMU: the port files as FAKE_CASE says, then exit.
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
case $FAKE_CASE in
ok) line 0 $k; echo ;;
failed) line 1 $k; echo ;;
lost) line 0 $((k + 5)); echo ;;
empty) ;;
garbage) echo ok ;;
two-lines) line 0 $k; echo; line 0 $k; echo ;;
extra-key) printf '{"status":0,"bytes":{"ktap":%s,"rows":0,"facts":3},"more":1}\n' $k ;;
no-newline) line 0 $k ;;
status-256) line 256 $k; echo ;;
negative-bytes) line 0 -1; echo ;;
string-status) line '"0"' $k; echo ;;
missing|qemu-fails) ;;
esac >"${path[status]}"
[ "$FAKE_CASE" = missing ] || [ "$FAKE_CASE" = qemu-fails ] && rm -f "${path[status]}"
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
fake failed 1 failed '^$' "status 1: the guest's failure"
fake lost 1 lost-output "sent 35 bytes on lab.ktap, the host has 30 in ktap.txt: output lost" \
	"byte counts the files do not match: output lost, a failure"
fake empty 1 no-status "no status from the guest .*status.json is empty" "an empty status file: no status"
fake missing 1 no-status "no status from the guest .*status.json is missing" "no status file: no status"
for c in garbage two-lines extra-key no-newline status-256 negative-bytes string-status; do
	fake "$c" 1 no-status "status line is malformed" "a malformed status line ($c): no status"
done
fake qemu-fails 1 no-status "QEMU exited with 1" "QEMU exiting non-zero: a failure, whatever the status file says"

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
