#!/usr/bin/env bash
# trace-report.sh --kobj KOBJ --kernel BZIMAGE --initrd CPIO --trace DIR --timeout S
# The second half of make trace: per path and mitigation setting, the
# instructions per stage and per kernel function; the totals beside icount's
# counts for the same paths (an icount boot per setting); a Markdown report
# with a gnuplot chart. Also writes DIR/check.tap: the totals agree with
# icount, and every instruction has a symbol.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

while [ $# -gt 0 ]; do
	case $1 in
	--kobj) kobj=$2 ;; --kernel) kernel=$2 ;; --initrd) initrd=$2 ;;
	--trace) dir=$2 ;; --timeout) timeout=$2 ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done
# The benchmark loop inlines the call site's register set-up: icount's count
# for lab_null_syscall is the traced path plus the instructions that come
# before `syscall` in lab_call_site_syscall(). Expected difference: 0;
# allowed: this many, for loop code the compiler lays out differently.
tolerance=3
setup=$(awk '/<lab_call_site_syscall>:$/ { on = 1; next } on && $2 == "syscall" { print n + 0; exit }
	on && NF > 1 { n++ }' "$dir/user_syscall.dis")

mits=""
for m in default off; do [ -d "$dir/$m" ] && mits="$mits $m"; done
[ -n "$mits" ] || die "no traces in $dir: run make trace"

# icount's medians, in instructions (milliticks / 1000).
for m in $mits; do
	if [ ! -f "$dir/$m/icount/results.txt" ] || [ "$dir/$m/icount/results.txt" -ot "$kernel" ]; then
		append=""
		[ "$m" = off ] && append="mitigations=off"
		say "icount boot (mitigations $m), to compare"
		"$here/boot.sh" --kernel "$kernel" --initrd "$initrd" --plan bench-quick \
			--out "$dir/$m/icount" --mode icount --timeout "$timeout" --append "$append" >/dev/null
	fi
	awk '/(^|: )bench [A-Za-z0-9_]+ / { match($0, /(^|: )bench /); l = substr($0, RSTART + RLENGTH)
		split(l, f, " "); med = l; sub(/.* median=/, "", med); sub(/ .*/, "", med)
		if (!(f[1] in seen)) { seen[f[1]] = 1; print f[1], med / 1000 } }' \
		"$dir/$m/icount/results.txt" >"$dir/$m/icount.medians"
done
icount_of() { awk -v r="$2" '$1 == r { print $2 }' "$dir/$1/icount.medians"; }

tap=$dir/check.tap
{
	echo "TAP version 13"
	n=0
	for m in $mits; do
		for p in syscall kernel function; do
			total=$(wc -l <"$dir/$m/$p.staged")
			case $p in
			syscall) row=lab_null_syscall; extra=$setup ;;
			kernel) row=kernel_direct; extra=0 ;;
			function) row=library_call; extra=0 ;;
			esac
			ic=$(icount_of "$m" "$row")
			diff=$(( ${ic%.*} - total - extra ))
			n=$((n + 1))
			if [ -n "$ic" ] && [ "${diff#-}" -le "$tolerance" ]; then r=ok; else r="not ok"; fi
			echo "$r $n trace $p ($m): $total traced + $extra set-up vs icount $row $ic (difference $diff, tolerance $tolerance)"
			n=$((n + 1))
			if ! cut -f3 "$dir/$m/$p.staged" | grep -q '^?'; then r=ok; else r="not ok"; fi
			echo "$r $n trace $p ($m): every instruction attributed to a symbol"
		done
		n=$((n + 1))
		stages=$(cut -f5 "$dir/$m/syscall.staged" | sort -u | wc -l)
		if [ "$stages" -eq 6 ]; then r=ok; else r="not ok"; fi
		echo "$r $n trace syscall ($m): all six stages seen ($stages)"
	done
	echo "1..$n"
} >"$tap"

# Per stage, in order of first appearance, one column per mitigation setting.
stage_table() {
	local p=$1
	awk -F'\t' -v mits="$mits" '
		FNR == 1 { file++ }
		{ if (!($5 in seen)) { seen[$5] = ++n; order[n] = $5 } c[$5, file]++; t[file]++ }
		END {
			k = split(mits, m, " ")
			printf "| stage |"; for (j = 1; j <= k; j++) printf " %s |", m[j]; printf "\n|---|"
			for (j = 1; j <= k; j++) printf "---:|"; printf "\n"
			for (i = 1; i <= n; i++) {
				printf "| %s |", order[i]; for (j = 1; j <= k; j++) printf " %d |", c[order[i], j]; printf "\n"
			}
			printf "| **total** |"; for (j = 1; j <= k; j++) printf " **%d** |", t[j]; printf "\n"
		}' $(for m in $mits; do echo "$dir/$m/$p.staged"; done)
}

# Per function (symbol without offset) and stage, in order of first
# appearance: the entry code's asm runs both before and after the C part.
symbol_table() {
	awk -F'\t' '{ s = $3; sub(/\+0x[0-9a-f]+$/, "", s); k = s "\t" $5
			if (!(k in seen)) { seen[k] = ++n; o[n] = k } c[k]++ }
		END { print "| function | stage | instructions |"; print "|---|---|---:|"
			for (i = 1; i <= n; i++) { split(o[i], f, "\t"); printf "| `%s` | %s | %d |\n", f[1], f[2], c[o[i]] } }' "$1"
}

# The chart: stacked bars, one per path and setting, one colour per stage.
dat=$dir/chart-stages.dat
awk -F'\t' -v mits="$mits" '
	{ split(FILENAME, a, "/"); m = a[length(a) - 1]; p = a[length(a)]; sub(/\.staged$/, "", p)
	  col = p " (" m ")"; if (!(col in cs)) { cs[col] = ++nc; co[nc] = col }
	  if (!($5 in ss)) { ss[$5] = ++ns; so[ns] = $5 } c[col, $5]++ }
	END {
		printf "stage"; for (j = 1; j <= ns; j++) printf "\t%s", so[j]; printf "\n"
		for (i = 1; i <= nc; i++) { printf "%s", co[i]; for (j = 1; j <= ns; j++) printf "\t%d", c[co[i], so[j]]; printf "\n" }
	}' $(for m in $mits; do for p in syscall kernel function; do echo "$dir/$m/$p.staged"; done; done) >"$dat"
if command -v gnuplot >/dev/null; then
	plot_histogram "$dir/chart-stages.png" "$dat" \
		"Instructions per stage, one call each (traced with QEMU's gdbstub)" "instructions" "
set style histogram rowstacked
set boxwidth 0.6
set key outside right
set xtics rotate by -25 left"
fi

{
	echo "# Where a system call's instructions go"
	echo
	echo "One call of each path, single-stepped in the lab kernel under TCG through"
	echo "QEMU's gdbstub (interrupts masked while stepping), symbolised against"
	echo "\`System.map\` of the lab kernel and the static user programs."
	echo
	echo "- **syscall**: from the \`syscall\` instruction in \`lab_call_site_syscall()\` to the"
	echo "  first user instruction after it;"
	echo "- **kernel**: the module's \`call ksys_lab_null\` (the in-kernel system call) to the"
	echo "  instruction after it;"
	echo "- **function**: \`call lab_null_function\` in user space to the instruction after it."
	echo
	echo "## The null system call, per stage"
	echo
	stage_table syscall
	echo
	echo "## The in-kernel call and the function call"
	echo
	for p in kernel function; do
		echo "**$p**"
		echo
		stage_table "$p"
		echo
	done
	echo "![stages](chart-stages.png)"
	echo
	echo "## Against icount"
	echo
	echo "icount counts the same paths inside a benchmark loop. For the system call"
	echo "that includes the $setup register set-up instructions the wrapper puts before"
	echo "\`syscall\` (the loop repeats them), so icount should be the traced total plus"
	echo "$setup; for the other two paths, exactly the traced total. Allowed difference:"
	echo "$tolerance instructions, for loop code the compiler may lay out differently."
	echo
	echo '```'
	grep -E '^(not )?ok' "$tap"
	echo '```'
	for m in $mits; do
		echo
		echo "## Per function, syscall path, mitigations $m"
		echo
		symbol_table "$dir/$m/syscall.staged"
	done
	echo
	echo "Full listings (every instruction, address, symbol, stage): \`*.staged\` beside this file."
} >"$dir/report.md"

for m in $mits; do
	echo "mitigations $m:"
	for p in syscall kernel function; do
		printf '  %-9s %4d instructions\n' "$p" "$(wc -l <"$dir/$m/$p.staged")"
	done
	awk -F'\t' '{ if (!($5 in s)) { s[$5] = ++n; o[n] = $5 } c[$5]++ }
		END { for (i = 1; i <= n; i++) printf "      %-32s %4d\n", o[i], c[o[i]] }' "$dir/$m/syscall.staged"
done
echo
grep -E '^(not )?ok' "$tap"
echo
echo "report: $dir/report.md (per stage, per function, chart); listings: $dir/*/*.staged"
! grep -q '^not ok' "$tap"
