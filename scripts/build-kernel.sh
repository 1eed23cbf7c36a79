#!/usr/bin/env bash
# build-kernel.sh [--from KOBJ] KSRC KOBJ FRAGMENT...: configure and build a lab kernel
# out of tree (O=KOBJ): what `make tinyconfig` makes, the fragments merged onto it with
# the kernel's scripts/kconfig/merge_config.sh, then `make`. A .config that
# comes out the same as before is left untouched, so kbuild rebuilds only
# what really changed. ARCH (x86_64, the default, or arm64) and
# CROSS_COMPILE come from the environment, as for the kernel's own make.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

from=
if [ "${1:-}" = --from ]; then
	[ $# -ge 2 ] && [ -f "$2/.config" ] || die "--from ${2:-}: not a built kernel directory"
	from=$(cd "$2" && pwd)
	shift 2
fi
[ $# -ge 3 ] || die "usage: build-kernel.sh [--from KOBJ] KSRC KOBJ FRAGMENT..."
ksrc=$(cd "$1" && pwd)
mkdir -p "$2"
kobj=$(cd "$2" && pwd)
shift 2
# A variant of a kernel already built from the same tree starts as a copy
# of that build (time stamps kept): kbuild's fixdep has recorded which
# CONFIG_ symbols each object depends on, so only the objects that depend
# on the options the variant changes are compiled again, then the link.
# It starts again so whenever that kernel was linked after it: what
# rebuilt that kernel (a header every file includes: all of it) would
# otherwise be compiled a second time here, and the copy costs what a
# small change's rebuild does.
if [ -n "$from" ] && { [ ! -f "$kobj/.config" ] || [ "$from/vmlinux" -nt "$kobj/vmlinux" ]; }; then
	say "starting $kobj as a copy of $from"
	# Copied aside and renamed: an interrupted copy is not a build.
	rm -rf "$kobj.copy"
	cp -a "$from/." "$kobj.copy/"
	rm -f "$kobj.copy/.lab-built"
	# The host tools kbuild builds under tools/ (objtool) record their
	# output directory in their .cmd files; with another one they would be
	# built again, and every object objtool checked would be compiled again.
	# (arm64 has no objtool; grep's status 1 is "none found".)
	if [ -d "$kobj.copy/tools" ]; then
		{ grep -rlIZ --include='.*.cmd' -F -e "$from" "$kobj.copy/tools" || [ $? -eq 1 ]; } |
			xargs -0 -r sed -i "s|$from|$kobj|g"
	fi
	rm -rf "$kobj" && mv "$kobj.copy" "$kobj"
fi
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
# make_tinyconfig: $cfg/tiny.config, what `make tinyconfig` does, spelled
# out: allnoconfig with tiny-base.config, then kernel/configs/tiny.config
# and the architecture's merged onto it and olddefconfig. Before 6.2 its
# second step merges into .config, not into KCONFIG_CONFIG: 6.1's
# tinyconfig under KCONFIG_CONFIG was allnoconfig plus tiny-base alone.
make_tinyconfig() {
	"${kmake[@]}" KCONFIG_CONFIG="$cfg/base.config" \
		KCONFIG_ALLCONFIG="$ksrc/kernel/configs/tiny-base.config" allnoconfig >"$cfg/log" 2>&1 ||
		die "make allnoconfig (tiny-base.config) failed; log: $cfg/log"
	merge -O "$cfg" "$cfg/base.config" "${tiny[@]}" || die "merge_config.sh (tiny.config) failed; log: $cfg/log"
	mv "$cfg/.config" "$cfg/tiny.config"
	"${kmake[@]}" KCONFIG_CONFIG="$cfg/tiny.config" olddefconfig >>"$cfg/log" 2>&1 ||
		die "make olddefconfig (tinyconfig) failed; log: $cfg/log"
}
# merge ARGS...: the kernel's merge_config.sh -m, run in $cfg, where it
# leaves its temporary files (in the tree, a make test checking the tree
# beside this build would see them).
merge() {
	(cd "$cfg" && ARCH=$karch "$ksrc/scripts/kconfig/merge_config.sh" -m "$@") >>"$cfg/log" 2>&1
}
case $karch in x86_64 | i386) srcarch=x86 ;; *) srcarch=$karch ;; esac
tiny=()
for f in kernel/configs/tiny.config "arch/$srcarch/configs/tiny.config"; do
	[ ! -f "$ksrc/$f" ] || tiny+=("$ksrc/$f")
done
[ ${#tiny[@]} -gt 0 ] || die "no kernel/configs/tiny.config in $ksrc"
# A variant takes the tinyconfig of the kernel it is a copy of: the same
# tree and architecture (its configuration runs Kconfig three times).
if [ -n "$from" ] && [ -f "$from/lab-config/tiny.config" ]; then
	cp "$from/lab-config/tiny.config" "$cfg/tiny.config"
else
	make_tinyconfig
fi
# Then the lab's fragments, and alldefconfig, as merge_config.sh without
# -m would run it.
merge -O "$cfg" "$cfg/tiny.config" "${frags[@]}" || die "merge_config.sh failed; log: $cfg/log"
mv "$cfg/.config" "$cfg/merged.config"
"${kmake[@]}" KCONFIG_ALLCONFIG="$cfg/merged.config" alldefconfig >>"$cfg/log" 2>&1 ||
	die "make alldefconfig failed; log: $cfg/log"
[ -f "$kobj/.config" ] || die "make alldefconfig wrote no $kobj/.config; log: $cfg/log"
# Every line of the fragments (the last one to set an option wins) must be
# in the final .config: a typo or an unmet dependency fails the build here.
# A renamed option (config/renamed) is set under both names: the one this
# kernel does not have is not asked for when the other one stuck.
# An option a later kernel removed (config/removed) is not asked for of a
# kernel whose Kconfig files do not define it at all.
removed=$(grep -v '^#' "$(dirname "$0")/../config/removed" | awk 'NF { print $1 }')
gone=" "
for name in $removed; do
	grep -rqsxF --include='Kconfig*' "config $name" "$ksrc" || gone+="CONFIG_$name "
done
lost=$(awk -v renamed="$(dirname "$0")/../config/renamed" -v gone="$gone" '
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
			} else if (want[n] !~ /is not set$/ && !index(gone, " " n " ") &&
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
# Not silent even under "make -s": kbuild's step lines are the log, and what
# the progress line counts. MAKEFLAGS holds nothing else this make needs.
run_logged "$kobj/lab-build.log" env MAKEFLAGS= MFLAGS= "${kmake[@]}" -j"$jobs"
