# Shared by the lab's build scripts: messages, failure, atomic file edits.
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

# run_logged LOG CMD...: run CMD with its output in LOG; on a terminal, one
# progress line while it runs: the elapsed time and the steps done so far
# (kbuild's "  CC      file" lines), beside the count of the last run that
# succeeded (kept in LOG.steps); on failure show the log's last lines.
run_logged() {
	local log=$1 start pid rc last=
	shift
	mkdir -p "$(dirname "$log")"
	[ -f "$log.steps" ] && last=" (the last build: $(cat "$log.steps"))"
	start=$(date +%s)
	"$@" >"$log" 2>&1 &
	pid=$!
	if [ -t 2 ]; then
		while kill -0 "$pid" 2>/dev/null; do
			printf '\r\033[K    ... %ds, %d steps%s' $(($(date +%s) - start)) \
				"$(log_steps "$log")" "$last" >&2
			sleep 1
		done
		printf '\r\033[K' >&2
	fi
	rc=0
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 25 "$log" | sed 's/^/    | /' >&2
		die "$1 failed (exit $rc); full log: $log"
	fi
	log_steps "$log" >"$log.steps"
	printf '    done in %ds, %d steps (log: %s)\n' $(($(date +%s) - start)) "$(log_steps "$log")" "$log" >&2
}
log_steps() { grep -c '^  [A-Z][A-Z0-9_]* ' "$1" || true; }
