# Shared by the lab's scripts: messages, failure, atomic file edits.
# shellcheck shell=bash

lab_name=${0##*/}

die() {
	printf '%s: error: %s\n' "$lab_name" "$*" >&2
	exit 1
}

say() {
	printf '==> %s\n' "$*" >&2
}

# install_if_changed SRC DST: copy only when the contents differ, so that
# an unchanged file keeps its time stamp and triggers no rebuild.
install_if_changed() {
	if ! cmp -s "$1" "$2"; then
		mkdir -p "$(dirname "$2")"
		cp "$1" "$2.lab-tmp" && mv "$2.lab-tmp" "$2"
	fi
}

# run_logged LOG CMD...: run CMD with its output in LOG, one progress line
# with the elapsed time while it runs; on failure show the log's last lines.
run_logged() {
	local log=$1 start pid rc
	shift
	mkdir -p "$(dirname "$log")"
	start=$(date +%s)
	"$@" >"$log" 2>&1 &
	pid=$!
	if [ -t 2 ]; then
		while kill -0 "$pid" 2>/dev/null; do
			printf '\r    ... %ds' $(($(date +%s) - start)) >&2
			sleep 1
		done
		printf '\r' >&2
	fi
	rc=0
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 25 "$log" | sed 's/^/    | /' >&2
		die "$1 failed (exit $rc); full log: $log"
	fi
	printf '    done in %ds (log: %s)\n' $(($(date +%s) - start)) "$log" >&2
}

# plot_histogram PNG DAT TITLE YLABEL [GNUPLOT-LINES]: bars from DAT (tab
# separated, a header row, the first column the x labels, one series per
# further column), with gnuplot; GNUPLOT-LINES set what differs per chart
# (clustered or stacked, log scale, key, size).
plot_histogram() {
	local png=$1 dat=$2 title=$3 ylabel=$4 extra=${5:-} ncol
	ncol=$(head -n 1 "$dat" | awk -F'\t' '{ print NF }')
	gnuplot <<GP
set terminal pngcairo size 1200,650 font ",10" noenhanced
set output "$png"
set title "$title"
set ylabel "$ylabel"
set style data histograms
set style fill solid 0.8 border -1
set grid ytics
set datafile separator "\t"
set datafile missing "NaN"
set bmargin 9
$extra
plot for [c=2:$ncol] "$dat" using c:xtic(1) title columnheader(c)
GP
}
