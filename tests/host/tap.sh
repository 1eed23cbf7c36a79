# tap.sh: the TAP helpers the host's shell tests share (sourced).
#   ok NAME / notok NAME [WHY]   one result (WHY shown as "# " lines)
#   check NAME EXPR [WHY]        ok if EXPR (eval'd) succeeds
#   expect_error NAME PATTERN CMD...
#                                ok if CMD fails with exactly one line of
#                                stderr+stdout that matches PATTERN
# The caller prints "TAP version 13" first and "1..$n" last.
n=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; [ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"; }
check() { if eval "$2"; then ok "$1"; else notok "$1" "${3:-}"; fi; }
expect_error() {
	local name=$1 pat=$2 out rc=0
	shift 2
	out=$("$@" 2>&1 >/dev/null) || rc=$?
	if [ "$rc" -ne 0 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] && grep -qE "$pat" <<<"$out"; then
		ok "$name"
	else
		notok "$name" "exit $rc, said: $out"
	fi
}

# shipped_family LAB FILE: LAB's kernel/family.tbl with only the lab's own
# calls, the ones these tests expect: not a call added with make
# new-syscall, so that the tests still hold after one is.
shipped_family() {
	awk 'BEGIN { split("lab_null hello lab_greeting lab_set_greeting lab_transform lab_batch lab_sysinfo", k, " ")
		for (i in k) own[k[i]] = 1 }
		/^#/ || !NF || ($1 in own)' "$1/kernel/family.tbl" >"$2"
}
