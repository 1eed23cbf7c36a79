#!/usr/bin/env bash
# kvm-l1.sh DIR LAB BZIMAGE INITRAMFS KOBJ INIT: print the gen_init_cpio list
# of make test-kvm's first-level guest (L1), which boots the lab kernel with
# KVM inside a TCG guest (AMD SVM with nested paging). Everything comes from
# Debian: the stock kernel (linux-image-amd64's 6.1 image: vmlinuz and the
# modules irqbypass, kvm, ccp, kvm-amd), busybox-static, and the host's own
# qemu-system-x86_64 with every library ldd names and the firmware the pc
# machine loads. The two .debs are fetched once (apt-get download) into
# DIR/debs and unpacked in DIR/x; DIR/vmlinuz is L1's kernel. The lab's
# host tool, kernel and initramfs go under /lab; INIT is L1's /init.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 6 ] || die "usage: kvm-l1.sh DIR LAB BZIMAGE INITRAMFS KOBJ INIT"
dir=$1 lab=$2 bzimage=$3 initrd=$4 kobj=$5 init=$6
for f in "$lab" "$bzimage" "$initrd" "$kobj/.config" "$kobj/include/config/kernel.release" "$init"; do
	[ -f "$f" ] || die "no $f"
done
mkdir -p "$dir/debs"
# The image linux-image-amd64 names, fetched once (the cache is its .deb).
if ! ls "$dir"/debs/linux-image-6.1.0-*-amd64_*.deb >/dev/null 2>&1; then
	image=$(apt-cache depends linux-image-amd64 | awk '$1 == "Depends:" && $2 ~ /^linux-image-6\.1\./ { print $2; exit }')
	[ -n "$image" ] || die "apt-cache names no linux-image-6.1.*-amd64 for linux-image-amd64 (apt-get update?)"
	say "downloading $image and busybox-static (cached in $dir/debs)"
	(cd "$dir/debs" && apt-get download -q "$image" busybox-static >/dev/null 2>&1) ||
		die "apt-get download $image busybox-static failed"
fi
if [ ! -f "$dir/x/.unpacked" ]; then
	rm -rf "$dir/x"
	for d in "$dir"/debs/*.deb; do
		dpkg-deb -x "$d" "$dir/x" || die "cannot unpack $d"
	done
	touch "$dir/x/.unpacked"
fi
x=$(cd "$dir/x" && pwd)
vmlinuz=$(ls "$x"/boot/vmlinuz-* | head -n 1)
kver=${vmlinuz##*/vmlinuz-}
cp "$vmlinuz" "$dir/vmlinuz"
kmods=$x/lib/modules/$kver/kernel

# Directories once each, parents first; files with their directories.
declare -A made=()
mkdirs() {
	local d=$1 path=
	IFS=/ read -ra parts <<<"${d#/}"
	for p in "${parts[@]}"; do
		path+=/$p
		[ -n "${made[$path]:-}" ] && continue
		made[$path]=1
		echo "dir $path 0755 0 0"
	done
}
file() { # file GUEST_PATH HOST_PATH MODE
	mkdirs "$(dirname "$1")"
	echo "file $1 $(readlink -f "$2") $3 0 0"
}
# A program and every library it needs, at the paths ldd names.
program() {
	local lib
	file "$1" "$2" 0755
	for lib in $(ldd "$2" | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
		[ -n "${made[lib:$lib]:-}" ] && continue
		made[lib:$lib]=1
		file "$lib" "$lib" 0755
	done
}

for d in /dev /proc /sys /tmp /bin /sbin /usr/bin; do mkdirs "$d"; done
echo "nod /dev/console 0600 0 0 c 5 1"
file /init "$init" 0755
file /bin/busybox "$x/bin/busybox" 0755
echo "slink /bin/sh /bin/busybox 0777 0 0"
for m in virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp arch/x86/kvm/kvm-amd; do
	file "/lib/modules/${m##*/}.ko" "$kmods/$m.ko" 0644
done
program /usr/bin/qemu-system-x86_64 "$(command -v qemu-system-x86_64)"
# (Not TCG, a module of Debian's QEMU: auto's fallback to TCG is a failure
# here, and without it that boot fails at once instead of emulating L2
# inside the emulated L1 for minutes.)
# (Debian's QEMU looks in /usr/share/qemu, then /usr/share/seabios)
for f in /usr/share/qemu/kvmvapic.bin /usr/share/qemu/linuxboot.bin \
	/usr/share/qemu/linuxboot_dma.bin /usr/share/seabios/bios-256k.bin; do
	file "$f" "$f" 0644
done
program /lab/lab "$lab"
file /lab/bzImage "$bzimage" 0644
file /lab/initramfs.cpio "$initrd" 0644
# what meta.json records about the lab kernel (meta_set_kernel)
file /lab/kobj/.config "$kobj/.config" 0644
file /lab/kobj/include/config/kernel.release "$kobj/include/config/kernel.release" 0644
