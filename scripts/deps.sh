#!/usr/bin/env bash
# deps.sh [--background LOG] PACKAGE...: make sure these Debian packages are installed.
# As root: apt-get. Otherwise: sudo apt-get. Otherwise: one line naming them.
# Calls take turns (a lock), and each looks for what is missing once it has
# its turn. --background: the install runs on after this returns, its
# output in LOG, holding the lock, so that a later call for any of these
# packages waits for it and then finds them (or installs what it could not).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=
if [ "${1:-}" = --background ]; then
	[ $# -ge 2 ] || die "usage: deps.sh [--background LOG] PACKAGE..."
	log=$2
	shift 2
fi

exec 9>"${TMPDIR:-/tmp}/lab-deps.lock"
flock 9

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

# apt and what it starts do not keep the lock (fd 9) open.
install() {
	say "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq >/dev/null 2>&1 9>&- || true
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 9>&- ||
		die "could not install Debian packages: ${missing[*]}"
}

if [ -z "$log" ]; then
	install
	exit 0
fi
mkdir -p "$(dirname "$log")"
say "installing in the background: ${missing[*]} (log: $log)"
# The subshell inherits fd 9, and with it the lock, until it ends.
(install) >"$log" 2>&1 </dev/null &
