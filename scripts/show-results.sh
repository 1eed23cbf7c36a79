#!/usr/bin/env bash
# show-results.sh RESULTS [SECTION...]: print the guest's framed results
# (all sections, or the ones named), each under a heading with its status.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: show-results.sh RESULTS [SECTION...]"
file=$1
shift
awk -v want=" $* " '
	/^@@lab begin / { name = $3; show = (want == "  " || index(want, " " name " ")); if (show) printf "\n--- %s\n", name; next }
	/^@@lab end / { if (show) { st = $4; sub(/status=/, "", st); if (st != 0) printf "    (%s ended with status %s)\n", $3, st }; show = 0; next }
	/^@@lab done/ { next }
	show { sub(/\r$/, ""); print "    " $0 }
' "$file"
