#!/usr/bin/env bash
# bench-report.sh RAW OUT: turn make bench's raw results into
#   OUT/bench.csv   one line per run and row, every statistic
#   OUT/bench.json  the same, with what a reader needs to trust or redo it
#   OUT/table.txt   the terminal table (also printed)
#   OUT/report.md   the Markdown report, with OUT/chart-*.png (gnuplot)
# Units: host and vm rows are TSC ticks converted to ns with the TSC rate
# each program measured; icount rows are guest instructions (1 tick each).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: bench-report.sh RAW OUT"
raw=$1 out=$2
mkdir -p "$out"
tsv=$out/rows.tsv

# rows RUN MODE MITIGATIONS FILE [ABI]: one TSV line per "bench" line in FILE.
rows() {
	awk -v run="$1" -v mode="$2" -v mit="$3" -v forced_abi="${5:-}" -F'\t' '
		BEGIN { OFS = "\t"; section = "bench_user" }
		/^@@lab begin / { split($0, a, " "); section = a[3]; next }
		/tsc_khz [0-9]+/ { match($0, /tsc_khz [0-9]+/); khz[section] = substr($0, RSTART + 8, RLENGTH - 8); next }
		/(^|: )bench [A-Za-z0-9_]+ / {
			match($0, /(^|: )bench /); line = substr($0, RSTART + RLENGTH)
			what = line; sub(/^.*what="/, "", what); sub(/"$/, "", what)
			sub(/ what=.*$/, "", line)
			n = split(line, f, " ")
			row = f[1]
			for (i = 2; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
			abi = section == "bench_user32" ? "i386" : row ~ /^kernel_/ ? "kernel" : "x86_64"
			if (forced_abi != "") abi = forced_abi
			print run, mode, mit, abi, row, khz[section], v["batches"], v["iters"], v["min"], v["p5"], v["median"], v["p95"], v["p99"], v["max"], v["mean"], v["sd"], v["cv_ppm"], what
		}' "$4"
}

: >"$tsv"
[ -f "$raw/host.txt" ] && rows host host default "$raw/host.txt" >>"$tsv"
if [ -s "$raw/host-i386.txt" ]; then rows host host default "$raw/host-i386.txt" i386 >>"$tsv"; fi
for d in "$raw"/vm-* "$raw"/icount-*; do
	[ -f "$d/results.txt" ] || continue
	run=${d##*/}
	mit=default
	grep -q '^cmdline .*mitigations=off' "$d/results.txt" && mit=off
	rows "$run" "$(cat "$d/mode")" "$mit" "$d/results.txt" >>"$tsv"
done
[ -s "$tsv" ] || die "no benchmark rows in $raw"

perf_ns=""
if [ -f "$raw/perf-bench.txt" ]; then
	perf_ns=$(awk '/usecs\/op/ { printf "%.1f", $1 * 1000 }' "$raw/perf-bench.txt")
fi

# The same 10 million getppid() calls as perf's, timed by the lab.
long_mean="" long_median=""
if [ -f "$raw/host-10M.txt" ]; then
	read -r khz long_median long_mean < <(awk '/^tsc_khz/ { k = $2 }
		/^bench getppid_syscall / { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			printf "%s %.1f %.1f\n", k, v["median"] * 1000 / k, v["mean"] * 1000 / k }' "$raw/host-10M.txt")
fi

# CSV: every statistic; ns for host/vm (milliticks * 1000 / kHz), instructions
# for icount; ratio of medians to the same run's and ABI's function call.
awk -F'\t' -v OFS=',' '
	{ key = $1 SUBSEP $4; if ($5 == "function_call" || $5 == "kernel_function_call") fc[$1 SUBSEP ($5 == "function_call" ? $4 : "kernel")] = $11; line[NR] = $0 }
	END {
		print "run,mode,mitigations,abi,row,unit,median,min,p5,p95,p99,max,mean,sd,cv_percent,ratio_to_function_call,batches,iters,tsc_khz,what"
		for (i = 1; i <= NR; i++) {
			split(line[i], f, "\t")
			icount = f[2] == "icount"
			unit = icount ? "instructions" : "ns"
			scale = icount ? 1000 : f[6] / 1000    # milliticks per unit
			if (scale == 0) scale = 1000
			base = fc[f[1] SUBSEP f[4]]
			ratio = (base > 0 && f[5] !~ /empty_loop/) ? sprintf("%.1f", f[11] / base) : ""
			printf "%s,%s,%s,%s,%s,%s,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.2f,%s,%s,%s,%s,\"%s\"\n",
				f[1], f[2], f[3], f[4], f[5], unit, f[11] / scale, f[9] / scale, f[10] / scale,
				f[12] / scale, f[13] / scale, f[14] / scale, f[15] / scale, f[16] / scale,
				f[17] / 10000, ratio, f[7], f[8], f[6], f[18]
		}
	}' "$tsv" >"$out/bench.csv"

# The table: one line per path, one column per run (medians).
runs=$(cut -f1 "$tsv" | awk '!seen[$0]++' | tr '\n' ' ')
awk -F, -v runs="$runs" -v perf="$perf_ns" -v long_mean="$long_mean" '
	NR == 1 { next }
	{
		id = $4 "/" $5; if (!(id in order)) { order[id] = ++n; ids[n] = id }
		val[id, $1] = $7; unit[$1] = $6; mode[$1] = $2; ratio[id, $1] = $16
	}
	END {
		nr = split(runs, r, " ")
		printf "%-32s", "path (median per call)"
		for (j = 1; j <= nr; j++) printf " %18s", r[j]
		printf "\n%-32s", ""
		for (j = 1; j <= nr; j++) printf " %18s", "[" mode[r[j]] ", " (unit[r[j]] == "ns" ? "ns" : "instr") "]"
		printf "\n"
		for (k = 1; k <= n; k++) {
			id = ids[k]; printf "%-32s", id
			for (j = 1; j <= nr; j++) {
				v = val[id, r[j]]
				if (v == "") { printf " %18s", "-"; continue }
				cell = unit[r[j]] == "ns" ? sprintf("%.1f", v) : sprintf("%.0f", v)
				if (ratio[id, r[j]] != "") cell = cell " (" ratio[id, r[j]] "x)"
				printf " %18s", cell
			}
			printf "\n"
		}
		if (perf != "") printf "%-32s %18s\n", "x86_64/perf_bench_syscall_basic", perf " (mean)"
		if (long_mean != "") printf "%-32s %18s\n", "x86_64/getppid, 10M calls", long_mean " (mean)"
		printf "\n(Nx) = median / the same run'"'"'s function call. host: this machine, hardware time.\n"
		printf "tcg: QEMU emulation time, not hardware time. kvm: hardware virtualisation.\n"
		printf "icount: exact guest instructions per call (QEMU -icount shift=0).\n"
	}' "$out/bench.csv" >"$out/table.txt"
cat "$out/table.txt"

# --- JSON: the rows, and what a reader needs to trust or reproduce them ------
json_str() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
{
	echo "{"
	echo "  \"generated\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
	echo "  \"host\": {"
	echo "    \"cpu\": \"$(json_str "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)")\","
	echo "    \"kernel\": \"$(json_str "$(uname -r)")\","
	echo "    \"compiler\": \"$(json_str "$(${CC:-cc} --version | head -n 1)")\","
	echo "    \"qemu\": \"$(json_str "$(qemu-system-x86_64 --version | head -n 1)")\","
	echo "    \"perf_bench_syscall_basic_ns\": ${perf_ns:-null}"
	echo "  },"
	echo "  \"lab_kernel\": {"
	echo "    \"release\": \"$(json_str "$(cat "$raw/lab-kernel.release" 2>/dev/null)")\","
	echo "    \"config_sha256\": \"$(sha256sum "$raw/lab-kernel.config" 2>/dev/null | cut -d' ' -f1)\","
	echo "    \"guest_cpu_under_tcg\": \"${LAB_TCG_CPU:-Haswell-noTSX}\""
	echo "  },"
	echo "  \"runs\": ["
	first=1
	for d in "$raw"/vm-* "$raw"/icount-*; do
		[ -f "$d/results.txt" ] || continue
		[ $first -eq 1 ] || echo ","
		first=0
		printf '    {"name": "%s", "mode": "%s", "cmdline": "%s", "vulnerabilities": {' \
			"${d##*/}" "$(cat "$d/mode")" \
			"$(json_str "$(awk '/^cmdline / { sub(/^cmdline /, ""); print; exit }' "$d/results.txt")")"
		awk '/^vulnerability / { sub(/^vulnerability /, ""); n = index($0, ": ");
			k = substr($0, 1, n - 1); v = substr($0, n + 2); gsub(/"/, "\\\"", v);
			printf "%s\"%s\": \"%s\"", (c++ ? ", " : ""), k, v }' "$d/results.txt"
		printf '}}'
	done
	echo
	echo "  ],"
	echo "  \"rows\": ["
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next }
		{
			what = $0; sub(/^[^"]*"/, "", what); sub(/"$/, "", what)
			printf "%s    {", (NR > 2 ? ",\n" : "")
			for (i = 1; i <= 19; i++) {
				num = ($i ~ /^-?[0-9.]+$/)
				printf "\"%s\": %s%s%s, ", h[i], num ? "" : "\"", ($i == "" ? (num ? "null" : "") : $i), num ? "" : "\""
			}
			printf "\"what\": \"%s\"}", what
		}
		END { print "" }' "$out/bench.csv"
	echo "  ]"
	echo "}"
} >"$out/bench.json"

# --- charts (gnuplot, log-scale bars) and the Markdown report ----------------------
# chart NAME TITLE YLABEL RUN...: clustered bars of each run's medians.
chart() {
	local name=$1 title=$2 ylabel=$3 dat=$out/chart-$1.dat
	shift 3
	[ $# -gt 0 ] || return 1
	awk -F, -v runs="$*" '
		NR == 1 { next }
		{ id = $4 "/" $5; if ($5 ~ /empty_loop/) next
		  if (!(id in seen)) { seen[id] = ++n; ids[n] = id } v[id, $1] = $7 }
		END {
			nr = split(runs, r, " ")
			printf "path"; for (j = 1; j <= nr; j++) printf "\t%s", r[j]; printf "\n"
			for (k = 1; k <= n; k++) {
				any = 0; for (j = 1; j <= nr; j++) if (v[ids[k], r[j]] != "") any = 1
				if (!any) continue
				printf "%s", ids[k]
				for (j = 1; j <= nr; j++) { x = v[ids[k], r[j]]; printf "\t%s", (x == "" || x + 0 <= 0) ? "NaN" : x }
				printf "\n"
			}
		}' "$out/bench.csv" >"$dat"
	plot_histogram "$out/chart-$name.png" "$dat" "$title" "$ylabel (log scale)" "
set logscale y
set style histogram clustered gap 1
set boxwidth 0.9
set xtics rotate by -40 left
set rmargin 8
set key top left"
}
# runs_like REGEX: the runs in the CSV whose mode matches, in order.
runs_like() { awk -F, -v re="$1" 'NR > 1 && $2 ~ re && !seen[$1]++ { print $1 }' "$out/bench.csv"; }
charts=()
if command -v gnuplot >/dev/null; then
	# shellcheck disable=SC2046
	chart icount "Instructions per call (QEMU -icount shift=0: exact)" "instructions" \
		$(runs_like '^icount$') && charts+=(icount)
	# shellcheck disable=SC2046
	chart time "Time per call (median)" "ns" $(runs_like '^(host|tcg|kvm)$') && charts+=(time)
fi

{
	echo "# Syscall lab benchmark"
	echo
	echo "Generated $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "(host kernel $(uname -r)); lab kernel $(cat "$raw/lab-kernel.release" 2>/dev/null),"
	echo "config sha256 $(sha256sum "$raw/lab-kernel.config" 2>/dev/null | cut -c1-12); $(qemu-system-x86_64 --version | head -n 1)."
	echo
	echo "Every figure is the median of per-call costs over batches of calls, with the"
	echo "empty loop's median (timer and loop overhead) subtracted. Columns:"
	echo
	echo "- **host**: this machine's own kernel, hardware time (rows that need no lab kernel);"
	echo "- **vm-\***: the lab kernel under QEMU $(cat "$raw/vm-default/mode" 2>/dev/null) — $( [ "$(cat "$raw/vm-default/mode" 2>/dev/null)" = kvm ] && echo "hardware virtualisation" || echo "TCG emulation time, not hardware time: compare ratios, not ns, with real machines");"
	echo "- **icount-\***: QEMU \`-icount shift=0\`: the TSC counts guest instructions, so these are exact"
	echo "  instruction counts per call (medians identical from run to run);"
	echo "- **-default** / **-off**: the lab kernel's mitigations as configured, or \`mitigations=off\`."
	echo
	echo '```'
	cat "$out/table.txt"
	echo '```'
	echo
	if [ -n "$perf_ns" ]; then
		hm=$(awk -F, '$1 == "host" && $5 == "getppid_syscall" { print $13 }' "$out/bench.csv")
		hmed=$(awk -F, '$1 == "host" && $5 == "getppid_syscall" { print $7 }' "$out/bench.csv")
		echo "**Beside \`perf bench syscall basic\`** (getppid(), same host, run right after the lab's):"
		echo "perf reports a mean of ${perf_ns} ns per call over 10 million calls. The lab's own"
		echo "10 million calls (2000 batches of 5000) give a mean of ${long_mean:-?} ns and a median of"
		echo "${long_median:-?} ns; its short run (200 batches of 100) a median of ${hmed} ns and a mean"
		echo "of ${hm} ns. Means over the same stretch of time agree; the median is lower because"
		echo "a share of batches on this host is slowed many times over by something outside the"
		echo "process (the hypervisor, other tenants), which a mean takes in and a median does not."
		echo
	fi
	for c in "${charts[@]}"; do
		echo "![$c](chart-$c.png)"
		echo
	done
	echo "Mitigation state of each boot (from /sys/devices/system/cpu/vulnerabilities):"
	echo
	for d in "$raw"/vm-* "$raw"/icount-*; do
		[ -f "$d/results.txt" ] || continue
		echo "- ${d##*/}: $(grep -E '^vulnerability (meltdown|spectre_v2|mds):' "$d/results.txt" | sed 's/^vulnerability //' | paste -sd ';' | sed 's/;/; /g')"
	done
	echo
	if [ -f "$out/trace/report.md" ]; then
		echo "## Where the instructions go (make trace)"
		echo
		awk '/^## The null system call, per stage/ { on = 1; next } on && /^## / { exit } on' "$out/trace/report.md"
		echo "![stages](trace/chart-stages.png)"
		echo
		echo "Per function and in full: [trace/report.md](trace/report.md)."
		echo
	else
		echo "Run \`make trace\` to add where a system call's instructions go, stage by stage."
		echo
	fi
	echo "Raw data: bench.csv, bench.json; raw guest output under raw/."
} >"$out/report.md"
echo
echo "report: $out/report.md (table, charts), $out/bench.json, $out/bench.csv"
