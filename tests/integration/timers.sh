#!/bin/sh
# timers.sh: --timeout is the time for each reply, counted again from every
# command, never from the first: a tarpit that answers every line 400 ms
# late finishes its 12 replies (4.8 s) under --timeout 1, and a tarpit that
# answers 1.5 s late times out at the greeting after about 1 s. A fast
# dialogue then a stall: the deaf server greets at once and never answers
# EHLO; the reply timeout counts from EHLO, not from the connection
# (--connect-timeout 4 would be later).
#
# Addresses 127.0.218.0/29, port 2818, are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2818
N=127.0.218
lab_start "$N.1:$P=tarpit:400" "$N.2:$P=tarpit:1500" "$N.3:$P=deaf" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

timeout 60 "$SMTPPROBE" --allow-private -c 10 -r 0 -q --tests basic --timeout 1 \
	--connect-timeout 4 --deadline 30 -o "$WORK/out.csv" "$N.1:$P" "$N.2:$P" "$N.3:$P"
is "$?" 1 "exit status 1 (an open relay)"
is "$(rows "$WORK/out.csv")" 3 "one row a target"

is "$(cell "$WORK/out.csv" "$N.1" verdict)" accepts-relay "replies 400 ms late: the dialogue ends"
is "$(cell "$WORK/out.csv" "$N.1" error)" "" "replies 400 ms late under --timeout 1: no timeout"
d=$(cell "$WORK/out.csv" "$N.1" duration_ms)
ok $((d < 4400)) "12 replies 400 ms late took $d ms: every one waited for"

is "$(cell "$WORK/out.csv" "$N.2" error)" greeting-timeout "replies 1.5 s late: the greeting times out"
d=$(cell "$WORK/out.csv" "$N.2" duration_ms)
ok $((d < 900 || d > 1900)) "the greeting timed out after $d ms, --timeout 1"

is "$(cell "$WORK/out.csv" "$N.3" error)" io-timeout "a server deaf after its greeting: the EHLO reply times out"
d=$(cell "$WORK/out.csv" "$N.3" duration_ms)
ok $((d < 900 || d > 1900)) "the EHLO reply timed out after $d ms, --timeout 1"

lab_stop report
done_testing
