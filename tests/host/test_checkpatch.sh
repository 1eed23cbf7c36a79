#!/usr/bin/env bash
# The lab's kernel code against the tree's own scripts/checkpatch.pl; TAP.
# A file passes when checkpatch counts no error; warnings are shown as TAP
# comments.
#   test_checkpatch.sh KSRC
set -uo pipefail
lab=$(cd "$(dirname "$0")/../.." && pwd)
ksrc=$1
files=("$lab"/kernel/hello/*.[ch] "$lab"/module/*.c "$lab"/kernel/include/uapi/linux/*.h)
echo "TAP version 13"
echo "1..${#files[@]}"
n=0
for f in "${files[@]}"; do
	n=$((n + 1))
	out=$(perl "$ksrc/scripts/checkpatch.pl" --no-tree --terse -f "$f" 2>&1)
	rc=$?
	# Passed only when checkpatch ran to its end (status 0, or 1 for
	# warnings it lists) with no error: a missing checkpatch.pl or perl
	# module prints no "ERROR:" either, and perl then exits with 2.
	if ! grep -q "ERROR:" <<<"$out" &&
		{ [ $rc -eq 0 ] || { [ $rc -eq 1 ] && grep -qE "(WARNING|CHECK):" <<<"$out"; }; }; then
		echo "ok $n checkpatch ${f#"$lab"/}"
	else
		echo "not ok $n checkpatch ${f#"$lab"/} (status $rc)"
		[ $rc -le 1 ] || sed 's/^/# /' <<<"$out" | head -5
	fi
	grep -E "(WARNING|ERROR|CHECK):" <<<"$out" | sed 's/^/# /'
done
