#!/bin/sh
# cut.sh: a dialogue a signal cuts before it reached a verdict is not a
# finished row. 16 open relays that answer every line 1.5 s late, SIGINT
# after 0.5 s: no row is written for them (stderr says how many were cut
# and that --resume probes them), exit status 4; --resume then gives each
# its true verdict, accepts-relay, once. A dialogue that already saw an
# acceptance keeps it: written as accepts-relay, error "interrupted".
#
# Addresses 127.0.130.0/28 (ports 2702, 2703) are this test's.
. "$top_srcdir/tests/integration/lib.sh"

N=127.0.130
lab_start "$N.0/28:2702=tarpit:1500" "$N.0/30:2703=tarpit:500" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

i=0
while [ $i -lt 16 ]; do
	echo "$N.$i:2702"
	i=$((i + 1))
done >"$WORK/slow.txt"

# stop PID: waits (at most 10 s) for it to end; its exit status in $st.
stop() {
	wait_pid "$1"
	st=$?
}

"$SMTPPROBE" --allow-private -c 100 -r 0 --timeout 10 -f "$WORK/slow.txt" \
	-o "$WORK/slow.csv" 2>"$WORK/slow.err" &
pid=$!
# 0.5 s, once all 16 are connected (bounded: a loaded machine may be slow).
sleep 0.5
i=0
while [ "$(grep -c ':2702 .* connect$' "$LAB_LOG")" -lt 16 ] && [ $i -lt 50 ]; do
	i=$((i + 1))
	sleep 0.1
done
kill -INT "$pid"
stop $pid
is "$st" 4 "SIGINT after 0.5 s: exit status 4"
is "$(rows "$WORK/slow.csv")" 0 "no row for the 16 dialogues the signal cut"
grep -q '^smtpprobe: 16 dialogues cut by the signal were not written; --resume probes them again$' \
	"$WORK/slow.err"
ok $? "stderr says 16 dialogues were cut and --resume probes them"
grep -q 'interrupted; 0 finished rows written' "$WORK/slow.err"
ok $? "stderr says 0 finished rows were written"

timeout 60 "$SMTPPROBE" --allow-private -c 100 -r 0 --timeout 10 -q -f "$WORK/slow.txt" \
	--resume -o "$WORK/slow.csv" 2>"$WORK/resume.err"
is "$?" 1 "--resume: exit status 1"
is "$(rows "$WORK/slow.csv")" 16 "--resume: 16 rows"
is "$(sed 1d "$WORK/slow.csv" | cut -d, -f2,3 | sort -u | wc -l | tr -d ' ')" 16 \
	"--resume: every target exactly once"
is "$(grep -c ',accepts-relay,,' "$WORK/slow.csv" | tr -d ' ')" 16 \
	"--resume: each with a full dialogue's verdict, accepts-relay"

# An acceptance seen before the signal stays: SIGINT once every dialogue has
# had its relay RCPT accepted (its RSET reached the lab), with 3.5 s of
# dialogue left, more than the 2 s grace.
i=0
while [ $i -lt 4 ]; do
	echo "$N.$i:2703"
	i=$((i + 1))
done >"$WORK/seen.txt"
start=$(wc -l <"$LAB_LOG")
"$SMTPPROBE" --allow-private -c 100 -r 0 --timeout 10 -f "$WORK/seen.txt" \
	-o "$WORK/seen.csv" 2>"$WORK/seen.err" &
pid=$!
i=0
while [ "$(tail -n +$((start + 1)) "$LAB_LOG" | grep -c ':2703 .* C: RSET$')" -lt 4 ] &&
	[ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
kill -INT "$pid"
stop $pid
is "$st" 4 "SIGINT after the acceptance: exit status 4"
is "$(rows "$WORK/seen.csv")" 4 "the 4 dialogues that saw an acceptance are written"
is "$(grep -c ',accepts-relay,interrupted,' "$WORK/seen.csv" | tr -d ' ')" 4 \
	"as accepts-relay, error interrupted"

lab_stop report
done_testing
