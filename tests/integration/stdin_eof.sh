#!/bin/sh
# stdin_eof.sh: targets from a pipe whose writer closes only after every
# dialogue has finished (zmap | smtpprobe -f -, or a FIFO a script feeds).
# smtpprobe must notice the end of input on its own and exit; it used to wait
# forever, since only a session's end looked whether the run was over.
#
# Address 127.0.80.30, port 2683 are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2683
lab_start "127.0.80.30:$P=postfix-closed" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

mkfifo "$WORK/in"
timeout 30 "$SMTPPROBE" --allow-private -q -f - -o "$WORK/out.csv" <"$WORK/in" &
PROBE=$!
exec 9>"$WORK/in"
echo "127.0.80.30:$P" >&9
# Wait (bounded) for the row: the dialogue is over, the pipe still open.
i=0
while [ "$(rows "$WORK/out.csv" 2>/dev/null || echo 0)" -lt 1 ] && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
is "$(rows "$WORK/out.csv")" 1 "the row is written while the pipe is still open"
kill -0 $PROBE 2>/dev/null
ok $? "smtpprobe waits for more targets"
exec 9>&-
# timeout(1) above ends a hang with 124 after 30 s.
wait $PROBE
is "$?" 0 "the end of the pipe ends the run (exit 0, not a hang)"
is "$(cell "$WORK/out.csv" 127.0.80.30 verdict)" smtp-closed "the verdict is there"

lab_stop report
done_testing
