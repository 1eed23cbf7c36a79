#!/usr/bin/env bash
# initramfs-list.sh GUEST_DIR MODULE_DIR PLANS_DIR: print the file list that
# the kernel's usr/gen_init_cpio packs into the lab's initramfs: /init (the
# lab's PID 1), the programs under /lab/bin, the modules and the plans.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: initramfs-list.sh GUEST_DIR MODULE_DIR PLANS_DIR"
guest=$(cd "$1" && pwd)
modules=$(cd "$2" && pwd)
plans=$(cd "$3" && pwd)

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
