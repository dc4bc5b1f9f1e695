#!/bin/sh
# transcripts.sh: --transcripts DIR writes one evidence file per target. The
# qmail-localhost transcript reads like the seed's telnet session (220
# localhost ESMTP, MAIL FROM:<...@localhost>, 250 ok, RCPT TO:<...@localhost>,
# 250 ok), every line stamped to the millisecond; the commands in it are the
# ones the lab logged; hostile bytes are escaped; IPv6 names are safe; the
# path is in the transcript column; TLS upgrades (and failed ones) are marked.
. "$top_srcdir/tests/integration/lib.sh"

P=2671
N=127.0.70
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 30 -subj "/CN=mx.example.org" \
	>"$WORK/openssl.err" 2>&1 || sed 's/^/#   /' "$WORK/openssl.err"
LAB_OPTS="--tls-cert $WORK/cert.pem --tls-key $WORK/key.pem"
lab_start "$N.21:$P=qmail-localhost" "$N.22:$P=hostile-banner" "[::1]:$P=postfix-closed" \
	"$N.23:$P=postfix-starttls" "$N.24:$P=tls-broken" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
mkdir "$WORK/ev"

"$SMTPPROBE" --allow-private --timeout 2 -q --transcripts "$WORK/ev" -o "$WORK/out.csv" \
	"$N.21:$P" "$N.22:$P" "[::1]:$P" "$N.29:$P" "$N.23:$P" "$N.24:$P"
is "$?" 1 "exit 1: open servers found"
T="$WORK/ev/$N.21_$P.txt"
[ -f "$T" ]
ok $? "one file per target: DIR/<ip>_<port>.txt"
is "$(cell "$WORK/out.csv" "$N.21" transcript)" "$T" "its path is in the transcript column"
is "$(ls "$WORK/ev" | wc -l | tr -d ' ')" 6 "six targets, six files (unreachable included)"
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

# TLS: the upgrade is marked where it happens, and EHLO is said again inside.
S="$WORK/ev/$N.23_$P.txt"
sed 's/^[^ ]* //' "$S" | grep -E '^(C: STARTTLS|S: 220 2.0.0 Ready to start TLS|\*: TLS started: TLSv1\.[23] |C: EHLO)' |
	cut -c1-22 | tr '\n' '|' >"$WORK/tls.txt"
grep -q 'C: EHLO [^|]*|C: STARTTLS|S: 220 2.0.0 Ready to |\*: TLS started: TLSv1[^|]*|C: EHLO ' "$WORK/tls.txt"
ok $? "STARTTLS: 220, then '*: TLS started: <version> <cipher>', then EHLO again"
sed 's/^/#   /' "$WORK/tls.txt"
echo # sed left the line open
B="$WORK/ev/$N.24_$P.txt"
grep -q '\*: TLS failed: ' "$B"
ok $? "a failed handshake is marked, with OpenSSL's reason"
is "$(grep -c '\*: connected from' "$B" | tr -d ' ')" 2 "and the plaintext retry's connection too"

# A missing DIR is made (mistakes_files.sh); a missing parent is an error.
"$SMTPPROBE" --allow-private -q --transcripts "$WORK/nonexistent/ev" "$N.21:$P" >/dev/null 2>"$WORK/err.txt"
is "$?" 2 "--transcripts in a missing directory: exit 2"
grep -q "^smtpprobe: --transcripts: cannot create $WORK/nonexistent/ev: " "$WORK/err.txt"
ok $? "with one clear line"

lab_stop report
done_testing
