#!/usr/bin/env bash
# initramfs-list.sh GUEST_DIR MODULE_DIR PLANS_DIR PROGRAMS ARCH: print the
# file list that the kernel's usr/gen_init_cpio packs into the lab's
# initramfs: /init (the lab's PID 1), the programs under /lab/bin, the
# modules and the plans. PROGRAMS (guest/programs.list) names every program
# of /lab/bin, its architectures, the plans that run it and its sources;
# the built programs for ARCH, the table and the plans must agree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 5 ] || die "usage: initramfs-list.sh GUEST_DIR MODULE_DIR PLANS_DIR PROGRAMS ARCH"
guest=$(cd "$1" && pwd)
modules=$(cd "$2" && pwd)
plans=$(cd "$3" && pwd)
table=$4
arch=$5
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$table" ] || die "no table of the guest's programs: $table"

# The table: name arches plans sources...
declare -A for_arch=()
while read -r name arches plan_list sources; do
	case $name in '' | '#'*) continue ;; esac
	[ -n "$sources" ] || die "$table: $name: fewer than four fields"
	for s in $sources; do
		[ -f "$root/$s" ] || die "$table: $name: no source $s"
	done
	# The plans that exec it, as the table says and as guest/plans/ says.
	have=$({ grep -lw -- "/lab/bin/$name" "$plans"/* || true; } | sed 's|.*/||' | sort | paste -sd, -)
	want=$(tr , '\n' <<<"$plan_list" | sort | paste -sd, -)
	[ "$have" = "$want" ] || die "$table: $name: the plans that run it are ${have:-none}, not $plan_list"
	case ",$arches," in *",$arch,"*) for_arch[$name]=1 ;; esac
done <"$table"
for p in $({ grep -ho '/lab/bin/[A-Za-z0-9_.-]*' "$plans"/* || true; } | sed 's|/lab/bin/||' | sort -u); do
	grep -qE "^${p}[[:space:]]" "$table" || die "$table: no row for /lab/bin/$p, which a plan runs"
done
for name in "${!for_arch[@]}"; do
	[ -f "$guest/$name" ] || die "$guest/$name: not built ($table names it for $arch)"
done
for f in "$guest"/*; do
	[ "${f##*/}" = init ] && continue
	[ -n "${for_arch[${f##*/}]:-}" ] || die "$f: not in $table for $arch"
done

cat <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0555 0 0
dir /sys 0555 0 0
dir /tmp 1777 0 0
dir /lab 0755 0 0
dir /lab/bin 0755 0 0
dir /lab/plans 0755 0 0
file /init $guest/init 0755 0 0
LIST
for f in "$modules"/*.ko; do
	echo "file /lab/${f##*/} $f 0644 0 0"
done
for f in "$guest"/*; do
	[ "${f##*/}" = init ] && continue
	echo "file /lab/bin/${f##*/} $f 0755 0 0"
done
for f in "$plans"/*; do
	echo "file /lab/plans/${f##*/} $f 0644 0 0"
done
