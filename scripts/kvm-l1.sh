#!/usr/bin/env bash
# kvm-l1.sh fetch ARCH DIR
# kvm-l1.sh list ARCH DIR LAB KERNEL INITRAMFS KOBJ INIT
#
# make test-kvm's first-level guest (L1), which boots the lab kernel with
# KVM inside a TCG guest. Everything comes from Debian's archive.
#
# fetch: the .debs, downloaded once into DIR/debs and unpacked in DIR/x.
#   x86_64 (AMD SVM with nested paging): the stock kernel
#   (linux-image-amd64's 6.1 image: vmlinuz and the modules irqbypass, kvm,
#   ccp, kvm-amd) and busybox-static; L1 runs the host's own
#   qemu-system-x86_64 with every library ldd names and the firmware the pc
#   machine loads.
#   arm64 (the virt machine's emulated EL2): linux-image-arm64's 6.1 image
#   (KVM built in; the modules virtio_mmio and virtio_console for the
#   carry's ports), busybox-static, Debian's arm64 qemu-system-arm and the
#   libraries it depends on, and libjansson4 and libjansson-dev (the lab's
#   host tool, cross-built against them). These come from a private apt
#   state in DIR/apt (APT::Architecture=arm64, its own lists, cache and
#   sources, derived from the host's): the host's dpkg and apt
#   configuration are never touched; its lists are fetched once.
# list: print the gen_init_cpio list of L1. DIR/vmlinuz is L1's kernel.
# The lab's host tool (LAB, built for ARCH), kernel (KERNEL) and initramfs
# go under /lab; INIT is L1's /init. Libraries go at the paths their
# programs look for them: ldd's on x86_64 (the host's own), and on arm64
# (where a cross ldd cannot run) the closure of readelf -d's NEEDED
# entries, resolved in DIR/x.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: kvm-l1.sh fetch ARCH DIR | kvm-l1.sh list ARCH DIR LAB KERNEL INITRAMFS KOBJ INIT"
[ $# -ge 3 ] || die "$usage"
cmd=$1 arch=$2
case $cmd:$# in
fetch:3 | list:8) ;;
*) die "$usage" ;;
esac
# absolute: apt takes its private directories from options
mkdir -p "$3"
dir=$(cd "$3" && pwd)
case $arch in
x86_64) karch=amd64 ;;
arm64) karch=arm64 ;;
*) die "ARCH=$arch: x86_64 or arm64" ;;
esac

# apt with arm64's private state (x86_64: the host's own apt, read only)
apt_arch() {
	if [ "$arch" = x86_64 ]; then
		"$@"
		return
	fi
	local a=$dir/apt
	"$@" -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
		-o Dir::State="$a/state" -o Dir::State::status="$a/state/status" \
		-o Dir::Cache="$a/cache" -o Dir::Etc::SourceList="$a/etc/sources.list" \
		-o Dir::Etc::SourceParts="$a/etc/sources.list.d" \
		-o Dir::Etc::Preferences="$a/etc/preferences" \
		-o Dir::Etc::PreferencesParts="$a/etc/preferences.d"
}

# The private state: the host's sources (deb822 .sources and one-line
# lists), their architecture left to APT::Architectures; the lists once.
apt_private() {
	local a=$dir/apt f
	[ "$arch" = x86_64 ] && return
	if ! ls "$a"/state/lists/*_Packages* >/dev/null 2>&1; then
		rm -rf "$a"
		mkdir -p "$a/state/lists/partial" "$a/cache/archives/partial" \
			"$a/etc/sources.list.d" "$a/etc/preferences.d"
		: >"$a/state/status"
		: >"$a/etc/sources.list"
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && grep -v '^Architectures:' "$f" >"$a/etc/sources.list.d/${f##*/}"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] && sed -E 's/arch=[^] ]*//' "$f" >"$a/etc/sources.list.d/host-${f##*/}.list"
		done
		say "apt-get update for arm64 (a private state in $a; the host's apt untouched)"
		apt_arch apt-get update -q >"$a/update.log" 2>&1 ||
			die "apt-get update (arm64, private state) failed: $a/update.log"
	fi
}

# The library packages a set of packages depends on, and theirs, down to
# the end (virtual packages and anything not named lib* or zlib1g left
# out: readelf's closure later says if one was missing).
lib_closure() {
	local seen=" $* " next=("$@") deps p
	while [ ${#next[@]} -gt 0 ]; do
		deps=$(apt_arch apt-cache depends --no-recommends --no-suggests --no-conflicts \
			--no-breaks --no-replaces --no-enhances "${next[@]}" 2>/dev/null |
			awk '$1 ~ /Depends:$/ && $2 !~ /^</ && $2 ~ /^(lib|zlib1g)/ { sub(/:arm64$/, "", $2); print $2 }' |
			sort -u)
		next=()
		for p in $deps; do
			case $seen in *" $p "*) continue ;; esac
			seen+="$p "
			next+=("$p")
		done
	done
	echo "$seen"
}

fetch() {
	local meta image pkgs
	mkdir -p "$dir/debs"
	# (x86_64's cache from before the stamp: its image's .deb)
	if [ ! -f "$dir/debs/.complete" ] && ! { [ "$arch" = x86_64 ] &&
		ls "$dir"/debs/linux-image-6.1.0-*-amd64_*.deb >/dev/null 2>&1; }; then
		apt_private
		meta=linux-image-$karch
		image=$(apt_arch apt-cache depends "$meta" |
			awk -v k="$karch" '$1 == "Depends:" && $2 ~ "^linux-image-6\\.1\\..*-" k "$" { print $2; exit }')
		[ -n "$image" ] || die "apt-cache names no linux-image-6.1.*-$karch for $meta (apt-get update?)"
		pkgs="$image busybox-static"
		[ "$arch" = arm64 ] && pkgs+=" $(lib_closure qemu-system-arm libjansson4) libjansson-dev"
		say "downloading $(wc -w <<<"$pkgs") .debs for L1 ($arch; cached in $dir/debs)"
		rm -f "$dir"/debs/*.deb
		# shellcheck disable=SC2086 # a list of names
		(cd "$dir/debs" && apt_arch apt-get download -q $pkgs >"$dir/download.log" 2>&1) ||
			die "apt-get download failed ($dir/download.log)"
		touch "$dir/debs/.complete"
	fi
	if [ ! -f "$dir/x/.unpacked" ]; then
		rm -rf "$dir/x"
		for d in "$dir"/debs/*.deb; do
			dpkg-deb -x "$d" "$dir/x" || die "cannot unpack $d"
		done
		touch "$dir/x/.unpacked"
	fi
}

if [ "$cmd" = fetch ]; then
	fetch
	exit 0
fi

lab=$4 kernel=$5 initrd=$6 kobj=$7 init=$8
for f in "$lab" "$kernel" "$initrd" "$kobj/.config" "$kobj/include/config/kernel.release" "$init" "$dir/x/.unpacked"; do
	[ -f "$f" ] || die "no $f"
done
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
# A library once, at GUEST_PATH.
lib() { # lib GUEST_PATH HOST_PATH
	[ -n "${made[lib:$1]:-}" ] && return 1
	made[lib:$1]=1
	file "$1" "$2" 0755
}

# The libraries a program needs, as "GUEST_PATH HOST_PATH" lines.
# x86_64: the host's ldd.
libs_ldd() {
	ldd "$1" | awk '/=> \// { print $3, $3 } /^\t\// { print $1, $1 }'
}
# arm64: readelf's NEEDED entries, each found in DIR/x's library
# directories, then theirs; and the program interpreter. A library not
# found is an error (a package the closure left out).
libs_readelf() {
	local todo=("$1") f so d interp found
	declare -A seen_so=()
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for so in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -n "${seen_so[$so]:-}" ] && continue
			seen_so[$so]=1
			found=
			for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib; do
				if [ -e "$x/$d/$so" ]; then
					found=/$d/$so
					break
				fi
			done
			[ -n "$found" ] || die "${f##*/} needs $so, in none of the .debs in $dir/debs"
			echo "$found $x$found"
			todo+=("$x$found")
		done
	done
	interp=$(readelf -l "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
	if [ -n "$interp" ]; then
		echo "$interp $x$interp"
	fi
}
# A program and every library it needs. On arm64 the interpreter
# (/lib/ld-linux-aarch64.so.1) is a symlink, as in the .deb.
program() {
	local guest host libs
	file "$1" "$2" 0755
	if [ "$arch" = arm64 ]; then
		libs=$(libs_readelf "$2")
	else
		libs=$(libs_ldd "$2")
	fi
	while read -r guest host; do
		if [ "$arch" = arm64 ] && [ -L "$host" ] && [ "${host%/*}" = "$x/lib" ]; then
			[ -n "${made[lib:$guest]:-}" ] && continue
			made[lib:$guest]=1
			mkdirs "${guest%/*}"
			echo "slink $guest $(readlink "$host") 0777 0 0"
		else
			lib "$guest" "$host" || true
		fi
	done <<<"$libs"
}

for d in /dev /proc /sys /tmp /bin /sbin /usr/bin /lib/modules; do mkdirs "$d"; done
echo "nod /dev/console 0600 0 0 c 5 1"
file /init "$init" 0755
file /bin/busybox "$x/bin/busybox" 0755
echo "slink /bin/sh /bin/busybox 0777 0 0"
# L1's modules, loaded by /init in the order of their names
if [ "$arch" = x86_64 ]; then
	mods="virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp arch/x86/kvm/kvm-amd"
else
	mods="drivers/virtio/virtio_mmio drivers/char/virtio_console"
fi
i=0
for m in $mods; do
	i=$((i + 1))
	file "/lib/modules/$i-${m##*/}.ko" "$kmods/$m.ko" 0644
done
if [ "$arch" = x86_64 ]; then
	program /usr/bin/qemu-system-x86_64 "$(command -v qemu-system-x86_64)"
	# (Not TCG, a module of Debian's QEMU: auto's fallback to TCG is a failure
	# here, and without it that boot fails at once instead of emulating L2
	# inside the emulated L1 for minutes.)
	# (Debian's QEMU looks in /usr/share/qemu, then /usr/share/seabios)
	for f in /usr/share/qemu/kvmvapic.bin /usr/share/qemu/linuxboot.bin \
		/usr/share/qemu/linuxboot_dma.bin /usr/share/seabios/bios-256k.bin; do
		file "$f" "$f" 0644
	done
else
	# (the virt machine boots -kernel with no firmware)
	program /usr/bin/qemu-system-aarch64 "$x/usr/bin/qemu-system-aarch64"
fi
program /lab/lab "$lab"
file /lab/kernel "$kernel" 0644
file /lab/initramfs.cpio "$initrd" 0644
# what meta.json records about the lab kernel (meta_set_kernel)
file /lab/kobj/.config "$kobj/.config" 0644
file /lab/kobj/include/config/kernel.release "$kobj/include/config/kernel.release" 0644
