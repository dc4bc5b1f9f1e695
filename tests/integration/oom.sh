#!/bin/sh
# oom.sh: running out of memory is a runtime failure, exit status 3 (the
# man page's EXIT STATUS), not an input error (2). A million distinct
# addresses (outside the allowlist: skipped rows, nothing is sent) under
# `ulimit -v 40000`: the dedupe set cannot grow, the run stops, says "out
# of memory" and exits 3, after writing the rows it had.
. "$top_srcdir/tests/integration/lib.sh"

if ! (ulimit -v 40000 && "$SMTPPROBE" --version) >/dev/null 2>&1; then
	echo "ok 1 # SKIP smtpprobe does not start under ulimit -v 40000 (a sanitizer build)"
	echo "1..1"
	exit 0
fi
awk 'BEGIN { for (i = 0; i < 1000000; i++)
	printf "10.%d.%d.%d\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256 }' \
	>"$WORK/many.txt"
(
	ulimit -v 40000
	"$SMTPPROBE" -q -f "$WORK/many.txt" 2>"$WORK/err.txt"
	echo $? >"$WORK/rc"
) | wc -l >"$WORK/lines"
is "$(cat "$WORK/rc")" 3 "out of memory: exit status 3 (runtime failure)"
is "$(cat "$WORK/err.txt")" "smtpprobe: out of memory" "stderr says out of memory"
n=$(($(cat "$WORK/lines") - 1))
[ "$n" -gt 1000 ] && [ "$n" -lt 1000000 ]
ok $? "the rows before it ran out are written ($n)"
done_testing
