#!/usr/bin/env bash
# build-kernel.sh KSRC KOBJ FRAGMENT...: configure and build a lab kernel
# out of tree (O=KOBJ): `make tinyconfig`, the fragments merged onto it with
# the kernel's scripts/kconfig/merge_config.sh, then `make`. A .config that
# comes out the same as before is left untouched, so kbuild rebuilds only
# what really changed. ARCH (x86_64, the default, or arm64) and
# CROSS_COMPILE come from the environment, as for the kernel's own make.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: build-kernel.sh KSRC KOBJ FRAGMENT..."
ksrc=$(cd "$1" && pwd)
mkdir -p "$2"
kobj=$(cd "$2" && pwd)
shift 2
frags=()
for f in "$@"; do
	[ -f "$f" ] || die "no config fragment $f"
	frags+=("$(cd "$(dirname "$f")" && pwd)/${f##*/}")
done
karch=${ARCH:-x86_64}
kmake=(make -C "$ksrc" O="$kobj" ARCH="$karch" ${CROSS_COMPILE:+CROSS_COMPILE="$CROSS_COMPILE"})
jobs=$(($(nproc) + 1))

say "configuring $(make -s -C "$ksrc" kernelversion) for $karch in $kobj (tinyconfig + ${*##*/})"
cfg=$kobj/lab-config
rm -rf "$cfg"
mkdir -p "$cfg"
"${kmake[@]}" KCONFIG_CONFIG="$cfg/tiny.config" tinyconfig >"$cfg/log" 2>&1 ||
	die "make tinyconfig failed; log: $cfg/log"
(cd "$ksrc" && ARCH=$karch \
	scripts/kconfig/merge_config.sh -O "$kobj" "$cfg/tiny.config" "${frags[@]}") \
	>>"$cfg/log" 2>&1 || die "merge_config.sh failed; log: $cfg/log"
[ -f "$kobj/.config" ] || die "merge_config.sh wrote no $kobj/.config; log: $cfg/log"
# Every line of the fragments (the last one to set an option wins) must be
# in the final .config: a typo or an unmet dependency fails the build here.
# A renamed option (config/renamed) is set under both names: the one this
# kernel does not have is not asked for when the other one stuck.
lost=$(awk -v renamed="$(dirname "$0")/../config/renamed" '
	BEGIN {
		while ((getline l < renamed) > 0)
			if (l !~ /^#/ && split(l, f) == 2) {
				other["CONFIG_" f[1]] = "CONFIG_" f[2]
				other["CONFIG_" f[2]] = "CONFIG_" f[1]
			}
	}
	FNR == 1 { last = (FILENAME == ARGV[ARGC - 1]) }
	!last && /^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)/ {
		name = $0; sub(/^# /, "", name); sub(/[= ].*/, "", name); want[name] = $0; next }
	last && /^(CONFIG_|# CONFIG_)/ {
		name = $0; sub(/^# /, "", name); sub(/[= ].*/, "", name); have[name] = $0 }
	END {
		for (n in want) {
			if (n in have) {
				if (have[n] != want[n])
					printf "%s (got: %s)\n", want[n], have[n]
			} else if (want[n] !~ /is not set$/ &&
				   !((n in other) && (other[n] in want) && (other[n] in have) &&
				     have[other[n]] == want[other[n]])) {
				printf "%s (got: absent)\n", want[n]
			}
		}
	}
	' "${frags[@]}" "$kobj/.config")
if [ -n "$lost" ]; then
	printf '    | %s\n' "$lost" >&2
	die "the config fragments ask for options this kernel did not take; log: $cfg/log"
fi
if cmp -s "$kobj/.config" "$kobj/lab-config.last" 2>/dev/null; then
	# Same configuration as last time: keep the old file's time stamp.
	cp -p "$kobj/lab-config.last" "$kobj/.config"
else
	cp -p "$kobj/.config" "$kobj/lab-config.last"
fi

say "building the kernel (make -j$jobs)"
run_logged "$kobj/lab-build.log" "${kmake[@]}" -j"$jobs"
