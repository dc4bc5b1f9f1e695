#!/bin/sh
# matrix.sh: the full relay-test matrix and the MTA fingerprints against the
# lab: the address tricks found exactly, IPv6 literals, a tarpit held to its
# deadline and probed concurrently, greylisting retried once over a fresh
# connection past the RCPT cap, and never DATA.
. "$top_srcdir/tests/integration/lib.sh"

P=2601
N=127.0.100
lab_start \
	"$N.1:$P=percent-hack" \
	"[::1]:$P=open-relay" \
	"$N.3:$P=qmail-localhost" \
	"$N.4:$P=postfix-closed" \
	"$N.5:$P=exim-closed" \
	"$N.6:$P=greylist" \
	"$N.7:$P=open-relay" \
	"$N.16/28:$P=tarpit:2000" \
	"$N.8:$P=nmap-shape:double-at-banner" \
	"$N.9:$P=nmap-shape:source-route-banner" \
	"$N.10:$P=nmap-shape:bang-banner" \
	"$N.11:$P=nmap-shape:trailing-at" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

# A server that refuses plain relaying but accepts the tricks.
"$SMTPPROBE" --allow-private --tests basic --timeout 2 -q -o "$WORK/basic.csv" "$N.1:$P"
is "$(cell "$WORK/basic.csv" "$N.1" verdict)" smtp-closed "percent-hack: basic says smtp-closed"
"$SMTPPROBE" --allow-private --tests full --timeout 2 -q -o "$WORK/full.csv" "$N.1:$P"
is "$?" 1 "percent-hack: full finds a relay (exit 1)"
is "$(cell "$WORK/full.csv" "$N.1" verdict)" accepts-relay "percent-hack: full says accepts-relay"
is "$(cell "$WORK/full.csv" "$N.1" relay_accepted_by)" \
	"percent-literal;percent-banner;quoted;quoted-percent;quoted-literal;bang;bang-literal;bang-banner" \
	"percent-hack: exactly the %-hack, quoted and bang tests are accepted"

# nmap's shapes that name the greeting's host, and OpenSMTPD's old trailing
# "@": each lab server accepts only its own shape, and full finds exactly it.
"$SMTPPROBE" --allow-private --tests full --timeout 2 -q -o "$WORK/nmap.csv" \
	"$N.8:$P" "$N.9:$P" "$N.10:$P" "$N.11:$P"
for pair in 8:double-at-banner 9:source-route-banner 10:bang-banner 11:trailing-at; do
	is "$(cell "$WORK/nmap.csv" "$N.${pair%%:*}" relay_accepted_by)" "${pair#*:}" \
		"nmap-shape:${pair#*:}: only ${pair#*:} is accepted"
done
grep -q " C: RCPT TO:<relay-test@example.net@nmap.example.org>" "$LAB_LOG"
ok $? "double-at-banner: to@dom@banner"
grep -q " C: RCPT TO:<@nmap.example.org:relay-test@example.net>" "$LAB_LOG"
ok $? "source-route-banner: @banner:to@dom"
grep -q " C: RCPT TO:<example.net!relay-test@nmap.example.org>" "$LAB_LOG"
ok $? "bang-banner: dom!to@banner"
grep -q " C: RCPT TO:<relay-test@example.net@>" "$LAB_LOG"
ok $? "trailing-at: to@dom@"

# IPv6: RFC 5321 literals, and an open relay found by every applicable test.
"$SMTPPROBE" --allow-private --tests full --timeout 2 -q -o "$WORK/v6.csv" "[::1]:$P"
is "$(cell "$WORK/v6.csv" "::1" relay_accepted_by)" \
	"third-party;localhost;null-sender;sender-literal;sender-banner;percent-literal;percent-banner;quoted;quoted-percent;double-at;quoted-literal;source-route;bang;bang-literal;double-at-banner;source-route-banner;bang-banner;trailing-at" \
	"::1 open relay: every relay test finds it"
grep -q " C: MAIL FROM:<probe@\[IPv6:::1\]>" "$LAB_LOG"
ok $? "IPv6 sender literal is [IPv6:::1]"
grep -q " C: RCPT TO:<@\[IPv6:::1\]:relay-test@example.net>" "$LAB_LOG"
ok $? "IPv6 source route uses [IPv6:::1]"
grep -q " C: RCPT TO:<[^>]*@\[::1\]" "$LAB_LOG"
ok $((! $?)) "never the bare [::1] literal"

# Fingerprints of the personalities that play a known MTA byte for byte.
"$SMTPPROBE" --allow-private --timeout 2 -q -o "$WORK/fp.csv" "$N.3:$P" "$N.4:$P" "$N.5:$P"
is "$(cell "$WORK/fp.csv" "$N.3" mta)" qmail "the seed's server is qmail"
is "$(cell "$WORK/fp.csv" "$N.3" mta_rules)" "qmail-mail-ok;qmail-rcpthosts;qmail-rset-flushed;qmail-bare-esmtp" "by its tells"
is "$(cell "$WORK/fp.csv" "$N.4" mta)" postfix "postfix-closed is postfix"
is "$(cell "$WORK/fp.csv" "$N.5" mta)" exim "exim-closed is exim"
is "$(cell "$WORK/fp.csv" "$N.5" mta_confidence)" 100 "with full confidence"
is "$(cell "$WORK/fp.csv" "$N.5" verdict)" smtp-closed "exim-closed is closed"

# Greylisting: each 4xx retried once; 19 tests and 19 retries need two connections.
"$SMTPPROBE" --allow-private --tests full --retry-after 50ms --timeout 2 -q \
	-o "$WORK/grey.csv" "$N.6:$P"
is "$(cell "$WORK/grey.csv" "$N.6" verdict)" tempfail "greylist: still tempfail after the retry"
cell "$WORK/grey.csv" "$N.6" relay_tests | grep -q "^third-party:250/450,250/450;"
ok $? "a retried test shows both attempts"
is "$(grep -c "^$N.6:$P .* connect\$" "$LAB_LOG" | tr -d ' ')" 2 "38 RCPTs took two connections"
awk -v a="$N.6:$P" '$1 == a && / connect$/ { n = 0 } $1 == a && / C: RCPT/ { if (++n > max) max = n }
	END { exit max > 20 }' "$LAB_LOG"
ok $? "at most 20 RCPTs on one connection"

# A tarpit (2 s before every reply): the matrix ends at the deadline, and 12
# tarpits probed together take about one deadline, not twelve.
t0=$(date +%s)
"$SMTPPROBE" --allow-private --tests full --timeout 5 --deadline 3 -c 100 -r 0 -q \
	-o "$WORK/tarpit.csv" $(i=16; while [ $i -lt 28 ]; do echo "$N.$i:$P"; i=$((i + 1)); done)
t1=$(date +%s)
is "$(cell "$WORK/tarpit.csv" "$N.16" error)" session-deadline "tarpit: the dialogue ends at its deadline"
is "$(csv_tsv "$WORK/tarpit.csv" | awk -F '\t' 'NR > 1 && $7 == "session-deadline"' | wc -l | tr -d ' ')" 12 "every tarpit ends at its deadline"
ok $(((t1 - t0) > 9)) "12 tarpits with a 3 s deadline took $((t1 - t0)) s: concurrent, not serial (36 s)"

lab_stop report
grep -qiE ' C: (DATA|BDAT|VRFY|EXPN|AUTH|ETRN)' "$LAB_LOG"
ok $((! $?)) "never DATA, BDAT, VRFY, EXPN, AUTH or ETRN"
done_testing
