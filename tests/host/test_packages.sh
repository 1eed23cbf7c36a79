#!/usr/bin/env bash
# config/debian-packages against this machine and against the lab's
# sources; TAP. Run after make test installed its packages.
#   test_packages.sh
# 1. Every line has four fields, "image" yes or no, and jobs the Makefile knows.
# 2. Every line whose package is installed names something that is there
#    and that dpkg says is that package's.
# 3. Every program the lab runs (a word in command position in the shell
#    scripts, .ci/run and the Makefile's recipes; the first word of a string
#    literal in the host tool and the trace scripts) comes from an essential
#    or required package, or from a package on a line (or one a line's
#    package depends on).
set -uo pipefail
lab=$(cd "$(dirname "$0")/../.." && pwd)
. "$lab/tests/host/tap.sh"
map=$lab/config/debian-packages
jobs=" build x86_64 arm64 ksrc ksrc-6.1 ksrc-6.12 test trace bench patches "
# Words in command position that are no program there: strings, modes,
# registers and variables that share a program's name.
not_programs=" file kvm less pc python red tbl w as "
cd "$lab" || exit 1
echo "TAP version 13"

bad=$(awk -v jobs="$jobs" '!/^#/ && NF {
	ok = NF == 4 && ($3 == "yes" || $3 == "no")
	n = split($4, j, ",")
	for (i = 1; i <= n; i++) ok = ok && index(jobs, " " j[i] " ")
	if (!ok) printf "line %d: %s\n", FNR, $0 }' "$map")
check "every line of config/debian-packages: what, package, image yes/no, known jobs" '[ -z "$bad" ]' "$bad"

# The package dpkg says owns a path (usrmerge: /bin and /usr/bin alike),
# from one index of dpkg's file lists, "PATH<tab>PACKAGE" sorted for look
# (dpkg -S would read every list again for each path).
index=$(mktemp)
trap 'rm -f "$index"' EXIT
awk '{ f = FILENAME; sub(/.*\//, "", f); sub(/\.list$/, "", f); sub(/:.*/, "", f); print $0 "\t" f }' \
	/var/lib/dpkg/info/*.list | LC_ALL=C sort >"$index"
owner() {
	local p
	for p in "$1" "/usr$1" "${1#/usr}" "$(realpath -- "$1" 2>/dev/null)"; do
		LC_ALL=C look -- "$p"$'\t' "$index" | sed -n '1s/.*\t//p' | grep . && return
	done
}
installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | cut -c1-2)" = ii ]; }

while read -r what pkg _ _; do
	if ! installed "$pkg"; then
		ok "$what comes from $pkg # SKIP $pkg is not installed here"
		continue
	fi
	path=$what
	[ "${what#/}" != "$what" ] || path=$(command -v -- "$what") || path=""
	got=$([ -n "$path" ] && [ -e "$path" ] && owner "$path")
	check "$what comes from $pkg" '[ "$got" = "$pkg" ]' "found ${path:-nothing}, owned by ${got:-no package}"
done < <(grep -v '^#' "$map" | grep .)

# Every program the sources run, once, with the files that run it.
commands() {
	local f
	for f in scripts/*.sh tests/host/*.sh .ci/run Makefile; do
		sed -E 's/(^|[[:space:]])#.*//' "$f" |
			grep -oE '(^[[:space:]]*@?|[|;&(`!]|\$\(|\b(then|do|else|exec|env|command -v|sudo -n|sudo)[[:space:]])[[:space:]]*[A-Za-z_][A-Za-z0-9_.+-]*=?' |
			grep -oE '[A-Za-z_][A-Za-z0-9_.+-]*=?$' | grep -v '=$' | sed "s|\$| $f|"
	done
	for f in host/*.c trace/*.py; do
		grep -oE '"[A-Za-z_][A-Za-z0-9_.+-]*( |")' "$f" | grep -oE '[A-Za-z_][A-Za-z0-9_.+-]*' | sed "s|\$| $f|"
	done
}
mapped=" $(grep -v '^#' "$map" | awk 'NF { print $2 }' | tr '\n' ' ')"
for p in $mapped; do
	installed "$p" && mapped+="$(dpkg-query -W -f='${Depends}' "$p" | tr ',|' '\n\n' |
		sed -E 's/^ *//; s/[ :].*//' | tr '\n' ' ') "
done
missing="" count=0
while read -r word files; do
	case "$not_programs" in *" $word "*) continue ;; esac
	path=$(command -v -- "$word") && [ "${path#/}" != "$path" ] || continue
	pkg=$(owner "$path") || continue
	count=$((count + 1))
	base=$(dpkg-query -W -f='${Essential} ${Priority}' "$pkg" 2>/dev/null)
	case "$base $mapped" in
	"yes "* | *" required "* | *" $pkg "*) ;;
	*) missing+="$word ($files) comes from $pkg, which no line names"$'\n' ;;
	esac
done < <(commands | sort -u | awk '{ f[$1] = f[$1] (f[$1] ? "," : "") $2 } END { for (w in f) print w, f[w] }' | sort)
check "each of the $count programs the sources run is on a line, essential or required" \
	'[ "$count" -gt 10 ] && [ -z "$missing" ]' "${missing%$'\n'}"
echo "1..$n"
