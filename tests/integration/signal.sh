#!/bin/sh
# signal.sh: SIGINT stops starting sessions, gives running ones a short grace,
# writes every finished row (not the ones it cut before a verdict, which it
# counts on stderr for --resume), and exits 4.
. "$top_srcdir/tests/integration/lib.sh"

P=2630
N=127.0.30
lab_start "$N.1:$P=open-relay" "$N.2:$P=silent" "$N.3:$P=silent" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }

printf '%s\n' "$N.1:$P" "$N.2:$P" "$N.3:$P" >"$WORK/list.txt"
# -r 0: all three start at once; with the default rate a loaded machine
# could see the SIGINT before the token bucket let the last ones start.
"$SMTPPROBE" --allow-private -r 0 --timeout 60 --deadline 60 -f "$WORK/list.txt" \
	-o "$WORK/out.csv" 2>"$WORK/err.txt" &
pid=$!
# Wait (bounded) for the fast server's row, then interrupt.
i=0
while ! grep -q "^[^,]*,$N.1," "$WORK/out.csv" 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
ok $((i >= 100)) "the finished row is on disk while the run goes on (rows are flushed)"
kill -INT "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
ok $((i >= 100)) "smtpprobe ends within the grace time after SIGINT"
kill -9 "$pid" 2>/dev/null
wait "$pid"
is "$?" 4 "exit status 4: interrupted"
is "$(rows "$WORK/out.csv")" 1 "the finished dialogue has its row"
is "$(cell "$WORK/out.csv" "$N.1" verdict)" accepts-relay "the finished row"
is "$(cell "$WORK/out.csv" "$N.2" error)" "" "a session cut before a verdict has no row"
grep -q "2 dialogues cut by the signal were not written; --resume probes them again" "$WORK/err.txt"
ok $? "stderr counts the 2 cut dialogues"
grep -q "interrupted" "$WORK/err.txt"
ok $? "stderr says the run was interrupted"

lab_stop report
done_testing
