#!/usr/bin/env bash
# The lab's manual pages, linted; TAP.
#   test_man.sh [DIR...]     (default: docs/man1 docs/man2)
# Every page (NAME.N) in each DIR is one result; a DIR with no page is one
# failure. A page passes when groff, with every warning on, has nothing to
# say about it, typeset as for print and as man(1) shows it on a terminal,
# and when it has the sections its manual section asks for, in that order,
# under a .TH that names the page's own file and section. The section is
# the file name's extension: a system call's page (2) has man-pages(7)'s
# sections; a command's page (1) has those of lab(1). Each problem is one
# "# " line.
set -uo pipefail
lab=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || set -- "$lab/docs/man1" "$lab/docs/man2"
# The .SH headings, in order, for each manual section.
sections_1=("NAME" "SYNOPSIS" "DESCRIPTION" "COMMANDS" "EXIT STATUS" "FILES"
	"EXAMPLES" "SEE ALSO")
sections_2=("NAME" "SYNOPSIS" "DESCRIPTION" "RETURN VALUE" "ERRORS" "VERSIONS"
	"STANDARDS" "NOTES" "EXAMPLES" "SEE ALSO")

echo "TAP version 13"
command -v groff >/dev/null || {
	echo "1..0 # SKIP groff is not installed (Debian package groff-base)"
	exit 0
}
# What to check, in order: a page, or "empty:DIR" for a DIR with none.
items=()
for dir in "$@"; do
	pages=("$dir"/*.[1-9])
	if [ -e "${pages[0]}" ]; then
		items+=("${pages[@]}")
	else
		items+=("empty:$dir")
	fi
done
echo "1..${#items[@]}"
n=0
for page in "${items[@]}"; do
	n=$((n + 1))
	if [ "${page#empty:}" != "$page" ]; then
		dir=${page#empty:}
		echo "not ok $n manual pages in ${dir#"$lab"/}"
		echo "# no page (NAME.1 to NAME.9) there"
		continue
	fi
	name=${page##*/}
	sect=${name##*.}
	name=${name%.*}
	problems=$(
		{
			groff -man -ww -z "$page" 2>&1
			groff -man -ww -z -Tutf8 "$page" 2>&1
		} | sed "s|$page|${page##*/}|g" | sort -u
		th=$(grep -m1 '^\.TH ' "$page")
		read -r _ th_name th_sect _ <<<"$th"
		[ "$th_name" = "$name" ] && [ "$th_sect" = "$sect" ] ||
			echo ".TH names \"$th_name($th_sect)\", not $name($sect)"
		# The .SH headings, in order, must be exactly the section's.
		list="sections_$sect[@]"
		if [ -z "${!list+set}" ]; then
			echo "no list of sections for manual section $sect (test_man.sh knows 1 and 2)"
		else
			have=$(sed -n 's/^\.SH[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$page" |
				paste -sd '|')
			want=$(printf '%s\n' "${!list}" | paste -sd '|')
			[ "$have" = "$want" ] ||
				echo "sections are $have, not $want"
		fi
	)
	if [ -z "$problems" ]; then
		echo "ok $n $name($sect)"
	else
		echo "not ok $n $name($sect)"
		sed 's/^/# /' <<<"$problems"
	fi
done
