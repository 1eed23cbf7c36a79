#!/usr/bin/env bash
# deps.sh PACKAGE...: make sure these Debian packages are installed.
# As root: apt-get. Otherwise: sudo apt-get. Otherwise: one line naming them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

missing=()
for p in "$@"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${status:0:2}" = "ii" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	die "missing Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})"
fi

say "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || true
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
	die "could not install Debian packages: ${missing[*]}"
