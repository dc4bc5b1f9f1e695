#!/bin/sh
# transcripts.sh: --transcripts DIR writes one evidence file per target. The
# qmail-localhost transcript reads like the seed's telnet session (220
# localhost ESMTP, MAIL FROM:<...@localhost>, 250 ok, RCPT TO:<...@localhost>,
# 250 ok), every line stamped to the millisecond; the commands in it are the
# ones the lab logged; hostile bytes are escaped; IPv6 names are safe; the
# path is in the transcript column.
. "$top_srcdir/tests/integration/lib.sh"

P=2671
N=127.0.70
lab_start "$N.21:$P=qmail-localhost" "$N.22:$P=hostile-banner" "[::1]:$P=postfix-closed" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
mkdir "$WORK/ev"

"$SMTPPROBE" --allow-private --timeout 2 -q --transcripts "$WORK/ev" -o "$WORK/out.csv" \
	"$N.21:$P" "$N.22:$P" "[::1]:$P" "$N.29:$P"
is "$?" 1 "exit 1: open servers found"
T="$WORK/ev/$N.21_$P.txt"
[ -f "$T" ]
ok $? "one file per target: DIR/<ip>_<port>.txt"
is "$(cell "$WORK/out.csv" "$N.21" transcript)" "$T" "its path is in the transcript column"
is "$(ls "$WORK/ev" | wc -l | tr -d ' ')" 4 "four targets, four files (unreachable included)"
[ -f "$WORK/ev/--1_$P.txt" ]
ok $? "IPv6 ::1 gets a safe name (--1_$P.txt)"
missing=0
for f in $(csv_tsv "$WORK/out.csv" | awk -F '\t' '
	NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
	$idx["transcript"] != "" { print $idx["transcript"] }'); do
	[ -s "$f" ] || missing=$((missing + 1))
done
is "$missing" 0 "every file named in the transcript column is there when smtpprobe exits"

# The seed's telnet session, in order, in the transcript.
sed 's/^[^ ]* //' "$T" | grep -E '^(S: 220|C: MAIL FROM:<probe@localhost>|C: RCPT TO:<probe@localhost>|S: 250 ok)' |
	tr '\n' '|' >"$WORK/seed.txt"
grep -q 'S: 220 localhost ESMTP|.*C: MAIL FROM:<probe@localhost>|S: 250 ok|C: RCPT TO:<probe@localhost>|S: 250 ok|' "$WORK/seed.txt"
ok $? "reads like the seed: 220 localhost ESMTP, MAIL FROM @localhost 250 ok, RCPT TO @localhost 250 ok"
bad=$(grep -v '^#' "$T" | grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z [CS*]: ')
is "$bad" 0 "every line: UTC time to the millisecond, then C:, S: or *:"
grep -q '\*: end: accepts-localhost (RCPT accepted; delivery not tested' "$T"
ok $? "ends with the verdict and what it does not prove"
grep '^[^#]* C: ' "$T" | sed 's/^[^ ]* C: //' >"$WORK/sent.txt"
grep "^$N.21:$P .* C: " "$LAB_LOG" | sed 's/.* C: //' >"$WORK/lab-got.txt"
cmp -s "$WORK/sent.txt" "$WORK/lab-got.txt"
ok $? "the C: lines are exactly what the lab received ($(wc -l <"$WORK/sent.txt" | tr -d ' ') commands)"
grep -q 'S: 221 localhost' "$T"
ok $? "the dialogue ends with QUIT's reply"

H="$WORK/ev/$N.22_$P.txt"
LC_ALL=C tr -d '\n' <"$H" | LC_ALL=C grep -q '[[:cntrl:]]'
ok $((! $?)) "hostile server: no control byte in its transcript"
grep -q 'S: 220-\\x1b\]0;owned\\x07' "$H"
ok $? "hostile server: escape sequences shown escaped"
grep -q '\*: end: unreachable, connection-refused' "$WORK/ev/$N.29_$P.txt"
ok $? "an unreachable target's file says so"

"$SMTPPROBE" --allow-private -q --transcripts "$WORK/nonexistent" "$N.21:$P" >/dev/null 2>"$WORK/err.txt"
is "$?" 2 "--transcripts on a missing directory: exit 2"
grep -q "^smtpprobe: --transcripts: $WORK/nonexistent: " "$WORK/err.txt"
ok $? "with one clear line"

lab_stop report
done_testing
