#!/bin/sh
# replay.sh: runs every fuzz target over its seed corpus (tests/fuzz/corpus/NAME)
# and its past crashes (tests/fuzz/regressions/NAME, if any), under the
# sanitizers of the build. TAP, one line per target.
: "${top_builddir:?}" "${top_srcdir:?}"
n=0
failed=0
for src in "$top_srcdir"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	corpus=${name#fuzz_}
	n=$((n + 1))
	set -- "$top_srcdir/tests/fuzz/corpus/$corpus"
	[ -d "$top_srcdir/tests/fuzz/regressions/$corpus" ] && set -- "$@" "$top_srcdir/tests/fuzz/regressions/$corpus"
	if out=$("$top_builddir/tests/fuzz/$name" "$@" 2>&1); then
		echo "ok $n - $name: $(echo "$out" | tail -n 1)"
	else
		echo "not ok $n - $name"
		echo "$out" | tail -n 20 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ $failed -eq 0 ]
