#!/bin/sh
# relay_deferred.sh: how a 4xx to a relay test is read. Postfix 3 at its
# defaults (smtplab postfix-closed) defers relay denials with 454 4.7.1: a
# closed server, smtp-closed with the relay-deferred flag, and not worth a
# --retry-after. The 554 of Postfix before 3.0 (postfix-closed:legacy) is
# smtp-closed without the flag; greylisting (450 4.2.0, 451 4.7.1) stays
# tempfail and is retried.
. "$top_srcdir/tests/integration/lib.sh"

P=2615
N=127.0.15
lab_start "$N.1:$P=postfix-closed" "$N.2:$P=postfix-closed:legacy" "$N.3:$P=greylist" \
	"$N.4:$P=greylist:451" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

"$SMTPPROBE" --allow-private --timeout 2 --deadline 10 --retry-after 50ms -q \
	-o "$WORK/out.csv" "$N.1:$P" "$N.2:$P" "$N.3:$P" "$N.4:$P"
is "$?" 0 "exit status 0: nothing accepted a relay"
is "$(rows "$WORK/out.csv")" 4 "one row per server"

check() { # check IP NAME VERDICT FLAGS RELAY_TESTS
	is "$(cell "$WORK/out.csv" "$1" verdict)" "$3" "$2: verdict $3"
	is "$(cell "$WORK/out.csv" "$1" flags)" "$4" "$2: flags '$4'"
	is "$(cell "$WORK/out.csv" "$1" relay_tests)" "$5" "$2: relay tests $5"
}
check $N.1 postfix-closed smtp-closed relay-deferred \
	"third-party:250/454;localhost:250/454;postmaster:250/250"
check $N.2 postfix-closed:legacy smtp-closed "" \
	"third-party:250/554;localhost:250/554;postmaster:250/250"
check $N.3 greylist tempfail "" \
	"third-party:250/450,250/450;localhost:250/450,250/450;postmaster:250/450,250/450"
check $N.4 greylist:451 tempfail "" \
	"third-party:250/451,250/451;localhost:250/451,250/451;postmaster:250/451,250/451"
is "$(cell "$WORK/out.csv" $N.1 mta)" postfix "postfix-closed: still fingerprinted as postfix"
is "$(cell "$WORK/out.csv" $N.1 error)" "" "postfix-closed: the dialogue ran to QUIT"

# What the lab saw: Postfix 3's exact denial, and no test sent twice to it.
grep -q "^$N.1:$P postfix-closed .* S: 454 4.7.1 <relay-test@example.net>: Relay access denied\$" \
	"$LAB_LOG"
ok $? "postfix-closed answers 454 4.7.1 <relay-test@example.net>: Relay access denied"
is "$(grep -c "^$N.1:$P .* C: MAIL FROM:" "$LAB_LOG" | tr -d ' ')" 3 \
	"postfix-closed: three MAILs, no retry despite --retry-after"
is "$(grep -c "^$N.3:$P .* C: MAIL FROM:" "$LAB_LOG" | tr -d ' ')" 6 \
	"greylist: each test retried once"

# The text report says how the 4xx was read.
"$SMTPPROBE" --allow-private --timeout 2 -q --format text "$N.1:$P" >"$WORK/out.txt"
grep -q 'relay-deferred' "$WORK/out.txt"
ok $? "the text report shows the relay-deferred flag"

lab_stop report
done_testing
