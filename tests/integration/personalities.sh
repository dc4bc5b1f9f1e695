#!/bin/sh
# personalities.sh: the built smtpprobe against every smtplab personality:
# each gives its documented verdict and error, and across all of them the
# lab's log shows that the prober never sent DATA, BDAT, VRFY, EXPN or AUTH.
. "$top_srcdir/tests/integration/lib.sh"

P=2610
N=127.0.10
lab_start \
	"$N.1:$P=qmail-localhost" \
	"$N.2:$P=open-relay" \
	"$N.3:$P=postfix-closed" \
	"$N.4:$P=greylist" \
	"$N.5:$P=auth-required" \
	"$N.6:$P=refuse-554" \
	"$N.7:$P=busy-421" \
	"$N.8:$P=close-on-connect" \
	"$N.9:$P=silent" \
	"$N.10:$P=slow-greeting:3000" \
	"$N.11:$P=http" \
	"$N.12:$P=helo-only" \
	"$N.13:$P=slow-greeting:200" \
	"[::1]:$P=open-relay" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

cat >"$WORK/targets.txt" <<EOT
# every personality, one per line; .99 has no listener (connection refused)
$N.1:$P
$N.2:$P
$N.3:$P
$N.4:$P
$N.5:$P
$N.6:$P
$N.7:$P
$N.8:$P
$N.9:$P
$N.10:$P
$N.11:$P
$N.12:$P
$N.13:$P
$N.99:$P
[::1]:$P
EOT

"$SMTPPROBE" --allow-private --timeout 1 --deadline 10 -q -f "$WORK/targets.txt" \
	-o "$WORK/out.csv"
rc=$?
is "$rc" 1 "exit status 1: open servers found"
is "$(rows "$WORK/out.csv")" 15 "one row per target"

check() { # check IP VERDICT ERROR [RELAY_TESTS]
	is "$(cell "$WORK/out.csv" "$1" verdict)" "$2" "$1 ($(cell "$WORK/out.csv" "$1" banner | cut -c1-30)): verdict $2"
	is "$(cell "$WORK/out.csv" "$1" error)" "$3" "$1: error '$3'"
	if [ -n "$4" ]; then
		is "$(cell "$WORK/out.csv" "$1" relay_tests)" "$4" "$1: relay tests $4"
	fi
}

check "$N.1" accepts-localhost "" "third-party:250/553;localhost:250/250;postmaster:250/250"
check "$N.2" accepts-relay "" "third-party:250/250;localhost:250/250;postmaster:250/250"
check "$N.3" smtp-closed "" "third-party:250/454;localhost:250/454;postmaster:250/250"
check "$N.4" tempfail "" "third-party:250/450;localhost:250/450;postmaster:250/450"
check "$N.5" auth-required "" "third-party:530/-;localhost:530/-;postmaster:530/-"
check "$N.6" refused-service "" "third-party:-/-;localhost:-/-;postmaster:-/-"
check "$N.7" refused-service ""
check "$N.8" not-smtp closed
check "$N.9" not-smtp greeting-timeout
check "$N.10" not-smtp greeting-timeout
check "$N.11" not-smtp protocol-error
check "$N.12" smtp-closed "" "third-party:250/550;localhost:250/550;postmaster:250/550"
check "$N.13" smtp-closed ""
check "$N.99" unreachable connection-refused
check "::1" accepts-relay "" "third-party:250/250;localhost:250/250;postmaster:250/250"

is "$(cell "$WORK/out.csv" "$N.1" banner)" "220 localhost ESMTP" "the seed's banner is recorded"
is "$(cell "$WORK/out.csv" "$N.1" ehlo_name)" "localhost" "the seed's EHLO name"
is "$(cell "$WORK/out.csv" "$N.1" extensions)" "PIPELINING;8BITMIME" "the seed's extensions"
is "$(cell "$WORK/out.csv" "$N.1" flags)" "localhost-name" "localhost-name flag"
is "$(cell "$WORK/out.csv" "$N.3" flags)" "relay-deferred" "Postfix 3's 454 relay denial: closed, flagged relay-deferred"
is "$(cell "$WORK/out.csv" "$N.12" flags)" "helo-fallback;postmaster-refused" "HELO used after EHLO was refused; postmaster refusal noted"
is "$(cell "$WORK/out.csv" "$N.1" port)" "$P" "port column"
is "$(cell "$WORK/out.csv" "$N.1" source_ip)" "127.0.0.1" "source address recorded"
is "$(cell "$WORK/out.csv" "$N.2" origin)" "$WORK/targets.txt:3" "origin is file:line"
is "$(cell "$WORK/out.csv" "$N.3" last_reply)" "221 2.0.0 Bye" "the dialogue ended with QUIT"

lab_stop report
# The safety promise: whatever the personality, only these verbs were sent.
bad=$(grep ' C: ' "$LAB_LOG" | sed 's/.* C: //' | grep -ivE '^(EHLO|HELO|MAIL FROM:|RCPT TO:|RSET|QUIT)' | head -3)
is "$bad" "" "the lab received no command but EHLO, HELO, MAIL, RCPT, RSET, QUIT"
grep -qiE ' C: (DATA|BDAT|VRFY|EXPN|AUTH|ETRN)' "$LAB_LOG"
ok $((! $?)) "never DATA, BDAT, VRFY, EXPN, AUTH or ETRN"
is "$(grep -c ' C: MAIL FROM:<probe@localhost>' "$LAB_LOG" | tr -d ' ')" 8 "the localhost test ran wherever MAIL was reached"
grep -q "$N.1:$P qmail-localhost .* C: RCPT TO:<probe@localhost>" "$LAB_LOG"
ok $? "the seed's RCPT TO:<probe@localhost> reached qmail-localhost"

done_testing
