#!/usr/bin/env bash
# The system calls' manual pages (docs/man2/*.2), linted; TAP.
#   test_man.sh [DIR]
# A page passes when groff, with every warning on, has nothing to say about
# it, typeset as for print and as man(1) shows it on a terminal, and when it
# has the sections man-pages(7) asks of a system call's page, in that order,
# under a .TH that names the page's own file. Each problem is one "# " line.
set -uo pipefail
lab=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$lab/docs/man2}
sections=("NAME" "SYNOPSIS" "DESCRIPTION" "RETURN VALUE" "ERRORS" "VERSIONS"
	"STANDARDS" "NOTES" "EXAMPLES" "SEE ALSO")

echo "TAP version 13"
command -v groff >/dev/null || {
	echo "1..0 # SKIP groff is not installed (Debian package groff-base)"
	exit 0
}
pages=("$dir"/*.2)
[ -e "${pages[0]}" ] || {
	echo "1..1"
	echo "not ok 1 manual pages in ${dir#"$lab"/}"
	echo "# no *.2 file there"
	exit 0
}
echo "1..${#pages[@]}"
n=0
for page in "${pages[@]}"; do
	n=$((n + 1))
	name=${page##*/}
	name=${name%.2}
	problems=$(
		{
			groff -man -ww -z "$page" 2>&1
			groff -man -ww -z -Tutf8 "$page" 2>&1
		} | sed "s|$page|${page##*/}|g" | sort -u
		th=$(grep -m1 '^\.TH ' "$page")
		read -r _ th_name th_sect _ <<<"$th"
		[ "$th_name" = "$name" ] && [ "$th_sect" = 2 ] ||
			echo ".TH names \"$th_name($th_sect)\", not $name(2)"
		# The .SH headings, in order, must be exactly the ones above.
		have=$(sed -n 's/^\.SH[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$page" |
			paste -sd '|')
		want=$(printf '%s\n' "${sections[@]}" | paste -sd '|')
		[ "$have" = "$want" ] ||
			echo "sections are $have, not $want"
	)
	if [ -z "$problems" ]; then
		echo "ok $n $name(2)"
	else
		echo "not ok $n $name(2)"
		sed 's/^/# /' <<<"$problems"
	fi
done
