#!/bin/sh
# debug.sh: --debug traces each dialogue on stderr, one line per state
# entered, reply read and ending, named from the protocol core's state table;
# without it, stderr says nothing of the kind. The report is the same.
. "$top_srcdir/tests/integration/lib.sh"

P=2616
N=127.0.16
lab_start "$N.1:$P=open-relay" "$N.2:$P=greylist" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

"$SMTPPROBE" --allow-private --timeout 2 --deadline 10 --retry-after 50ms -q --debug \
	-o "$WORK/debug.csv" "$N.1:$P" "$N.2:$P" 2>"$WORK/debug.err"
is "$?" 1 "--debug: exit status 1 (an open relay)"
"$SMTPPROBE" --allow-private --timeout 2 --deadline 10 --retry-after 50ms -q \
	-o "$WORK/plain.csv" "$N.1:$P" "$N.2:$P" 2>"$WORK/plain.err"
is "$?" 1 "without --debug: exit status 1"

t="smtpprobe: debug: $N.1 port $P:"
for line in "greeting: enter" "greeting: reply 220" "ehlo: enter" "ehlo: reply 250" \
	"mail: reply 250" "rcpt: reply 250" "rset: enter" "quit: reply 221" "quit: done"; do
	grep -qx "$t $line" "$WORK/debug.err"
	ok $? "open relay traced: $line"
done
t="smtpprobe: debug: $N.2 port $P:"
grep -qx "$t retry-wait: enter" "$WORK/debug.err"
ok $? "greylisting traced: the retry wait"
grep -qx "$t retry-wait: timer" "$WORK/debug.err"
ok $? "greylisting traced: the wait's end"
is "$(grep -vc '^smtpprobe: debug: ' "$WORK/debug.err")" 0 "nothing else on stderr"
is "$(grep -c . "$WORK/plain.err")" 0 "without --debug: no trace"
is "$(cut -d, -f2-12 "$WORK/debug.csv" | sed 1d | sort)" \
	"$(cut -d, -f2-12 "$WORK/plain.csv" | sed 1d | sort)" "the same verdicts with and without"

lab_stop report
done_testing
