#!/usr/bin/env bash
# test.sh: make test's guest part and the summary. Boots the lab kernel with
# the "test" plan (kselftests, x86_64 and i386, plus KUnit at boot) and the
# kernel without the family with the "enosys" plan, counts every TAP result
# (the host unit tests' too) and ends with one line: "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2 ;; --kernel-nosys) kernel_nosys=$2 ;;
	--initrd) initrd=$2 ;; --out) out=$2 ;; --mode) mode=$2 ;;
	--timeout) timeout=$2 ;; --tap) lab_tap=$2 ;; --host) host=$2 ;;
	--trace-tap) trace_tap=$2 ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done

passed=0 failed=0 skipped=0
# add LABEL "P F S": one line of the table, and into the totals.
add() {
	local p f s
	read -r p f s <<<"$2"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '  %-44s %4d passed %4d failed %4d skipped\n' "$1" "$p" "$f" "$s"
}

# section RESULTS NAME: the output of one step of the guest's plan.
section() {
	awk -v n="$2" '$0 == "@@lab begin " n { on = 1; next }
		/^@@lab end / && $3 == n { on = 0 } on { sub(/\r$/, ""); print }' "$1"
}

# step_status RESULTS NAME: the step's status, or "missing".
step_status() {
	awk -v n="$2" '/^@@lab end / && $3 == n { sub(/status=/, "", $4); s = $4 }
		END { print (s == "" ? "missing" : s) }' "$1"
}

# boot_plan LABEL KERNEL PLAN DIR: boot; false if the guest never finished.
boot_plan() {
	local rc=0
	local m=$mode
	case $1 in *icount*) m=icount ;; esac
	say "booting the $1 with plan '$3'"
	"$here/boot.sh" --kernel "$2" --initrd "$initrd" --plan "$3" --out "$4" \
		--mode "$m" --timeout "$timeout" || rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q '^@@lab done' "$4/results.txt" 2>/dev/null; then
		return 1
	fi
	return 0
}

results=()
echo "==> host unit tests (cmocka, ASan+UBSan)"
for t in "$host"/*.tap; do
	results+=("$(printf '%-44s %s' "host: $(basename "$t" .tap)" "$("$lab_tap" "$t")")")
done

# steps_as_tests KERNEL RESULTS NAME...: non-TAP steps that must end with
# status 0.
steps_as_tests() {
	local k=$1 r=$2 n st
	shift 2
	for n in "$@"; do
		st=$(step_status "$r" "$n")
		if [ "$st" = 0 ]; then
			results+=("$(printf '%-44s %s' "$k: $n" "1 0 0")")
		else
			results+=("$(printf '%-44s %s' "$k: $n (status $st)" "0 1 0")")
		fi
	done
}

# tap_steps RESULTS NAME...: the kselftest programs' TAP.
tap_steps() {
	local r=$1 n
	shift
	for n in "$@"; do
		section "$r" "$n" >"$(dirname "$r")/$n.tap"
		if [ -s "$(dirname "$r")/$n.tap" ]; then
			results+=("$(printf '%-44s %s' "kselftest: $n" "$("$lab_tap" "$(dirname "$r")/$n.tap")")")
		else
			results+=("$(printf '%-44s %s' "kselftest: $n (no output)" "0 1 0")")
		fi
	done
}

if boot_plan "lab kernel" "$kernel" test "$out/lab"; then
	r=$out/lab/results.txt
	steps_as_tests "lab kernel" "$r" kernel_syscall.ko kernel-log-check
	tap_steps "$r" hello_test hello_test32
	# KUnit ran at boot; its KTAP is on the console, between other messages.
	if grep -q '# Subtest: lab_syscalls' "$out/lab/console.log"; then
		results+=("$(printf '%-44s %s' "kunit: lab_syscalls (console)" "$("$lab_tap" "$out/lab/console.log")")")
	else
		results+=("$(printf '%-44s %s' "kunit: lab_syscalls did not run" "0 1 0")")
	fi
else
	results+=("$(printf '%-44s %s' "boot: lab kernel, plan test" "0 1 0")")
fi

if boot_plan "kernel without the family (CONFIG_LAB_SYSCALLS=n)" "$kernel_nosys" enosys "$out/nosyscalls"; then
	r=$out/nosyscalls/results.txt
	steps_as_tests "no-family kernel" "$r" kernel-log-check
	tap_steps "$r" enosys_test enosys_test32
else
	results+=("$(printf '%-44s %s' "boot: CONFIG_LAB_SYSCALLS=n kernel" "0 1 0")")
fi

# icount: two boots must give the same instruction counts, and the counts
# must be ordered as entering the kernel says they are.
icount_checks() {
	local a=$1 b=$2 tap=$3
	awk '
		FNR == 1 { file++ }
		/(^|: )bench [A-Za-z0-9_]+ / {
			match($0, /(^|: )bench /); line = substr($0, RSTART + RLENGTH)
			sub(/ what=.*/, "", line); split(line, f, " ")
			row = f[1]; if (sec == "bench_user32") row = "i386_" row
			med = line; sub(/.* median=/, "", med); sub(/ .*/, "", med)
			# The per-call figure is the median: a rare batch that a timer
			# tick lands in (the vDSO then retries its seqlock) can move
			# the tail statistics between boots, never the median.
			if (file == 1) { one[row] = med; m[row] = med + 0; order[++n] = row } else two[row] = med
			next
		}
		/^@@lab begin / { sec = $3 }
		function t(ok, name) { printf "%s %d %s\n", ok ? "ok" : "not ok", ++k, name }
		END {
			print "TAP version 13"
			printf "1..%d\n", n + 6
			for (i = 1; i <= n; i++)
				t(one[order[i]] == two[order[i]], "icount: " order[i] " median identical in two boots (" one[order[i]] " milliticks)")
			t(m["kernel_direct"] > 0, "icount: the in-kernel call costs more than nothing (" m["kernel_direct"] / 1000 " instructions)")
			t(m["lab_null_syscall"] > m["kernel_direct"], "icount: lab_null through syscall (" m["lab_null_syscall"] / 1000 ") costs more than the in-kernel call")
			t(m["lab_null_int80"] > m["kernel_direct"], "icount: lab_null through int $0x80 (" m["lab_null_int80"] / 1000 ") costs more than the in-kernel call")
			t(m["i386_lab_null_vdso32"] > m["kernel_direct"], "icount: lab_null through the vDSO (" m["i386_lab_null_vdso32"] / 1000 ") costs more than the in-kernel call")
			t(m["kernel_x64_sys_call"] > m["kernel_direct"], "icount: dispatch through x64_sys_call costs more than the direct call")
			t(m["lab_transform_4KiB"] > m["lab_transform_64B"], "icount: copying 4 KiB costs more than 64 bytes")
		}' "$a" "$b" >"$tap"
}

if boot_plan "lab kernel under icount (1 of 2)" "$kernel" bench-quick "$out/icount-1" &&
	boot_plan "lab kernel under icount (2 of 2)" "$kernel" bench-quick "$out/icount-2"; then
	icount_checks "$out/icount-1/results.txt" "$out/icount-2/results.txt" "$out/icount.tap"
	results+=("$(printf '%-44s %s' "icount: identical runs, ordering" "$("$lab_tap" "$out/icount.tap")")")
else
	results+=("$(printf '%-44s %s' "boot: lab kernel under icount" "0 1 0")")
fi

if [ -s "${trace_tap:-}" ]; then
	results+=("$(printf '%-44s %s' "trace: totals vs icount, symbols" "$("$lab_tap" "$trace_tap")")")
else
	results+=("$(printf '%-44s %s' "trace: did not run (see test-trace.log)" "0 1 0")")
fi

echo
echo "results ($(cat "$out/lab/mode" 2>/dev/null || echo "$mode"); logs under $out):"
for line in "${results[@]}"; do
	add "${line:0:44}" "${line:45}"
done
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
