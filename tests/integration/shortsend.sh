#!/bin/sh
# shortsend.sh: a socket that takes one byte at a time, and nothing on every
# other try, changes nothing: under the shortsend.so shim (LD_PRELOAD), each
# command waits for room and goes out whole and in order, and the rows of
# every personality, STARTTLS included, are the rows of a run without it.
# The same rows again on libevent's poll backend (EVENT_NOEPOLL), where the
# socket's event is level-triggered all through, not epoll's edges.
#
# Addresses 127.0.231.0/28, port 2831, are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2831
N=127.0.231
SHIM="$top_builddir/tests/integration/shortsend.so"
CERT="$WORK/cert.pem"
KEY="$WORK/key.pem"

[ -f "$SHIM" ] || { ok 1 "the shim $SHIM is built"; done_testing; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$KEY" -out "$CERT" -days 30 -subj "/CN=mx.example.org" \
	>"$WORK/openssl.err" 2>&1
ok $? "openssl makes a self-signed certificate" || sed 's/^/#   /' "$WORK/openssl.err"
LAB_OPTS="--tls-cert $CERT --tls-key $KEY"
lab_start "$N.1:$P=open-relay" "$N.2:$P=postfix-closed" "$N.3:$P=qmail-localhost" \
	"$N.4:$P=greylist" "$N.5:$P=percent-hack" "$N.6:$P=exim-closed" "$N.7:$P=helo-only" \
	"$N.8:$P=postfix-starttls" "$N.9:$P=starttls-required" "$N.10:$P=auth-required" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"
targets=$(seq 1 10 | sed "s/.*/$N.&:$P/")

# The columns a dialogue decides (not when it ran or how long it took).
decided() {
	csv_tsv "$1" | awk -F '\t' '
		NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		{ print $idx["ip"], $idx["verdict"], $idx["error"], $idx["flags"], $idx["banner"],
			$idx["extensions"], $idx["relay_tests"], $idx["last_reply"],
			$idx["relay_accepted_by"], $idx["mta"], $idx["starttls"], $idx["tls_version"] }' |
		sort
}

timeout 120 "$SMTPPROBE" --allow-private -c 10 -r 0 -q --tests full -o "$WORK/plain.csv" $targets
st_plain=$?
# A sanitizer build: its runtime need not come first for this shim.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" LD_PRELOAD="$SHIM" \
	SHORTSEND_LOG="$WORK/shim.log" \
	timeout 120 "$SMTPPROBE" --allow-private -c 10 -r 0 -q --tests full -o "$WORK/short.csv" $targets
is "$?" "$st_plain" "the exit status is the same under the shim ($st_plain)"
read -r calls cut <"$WORK/shim.log" || { calls=0; cut=0; }
ok $((cut == 0)) "the shim cut $cut of $calls sends short"
is "$(rows "$WORK/short.csv")" 10 "one row a target"
decided "$WORK/plain.csv" >"$WORK/plain.txt"
decided "$WORK/short.csv" >"$WORK/short.txt"
diff "$WORK/plain.txt" "$WORK/short.txt" | sed 's/^/#   /'
cmp -s "$WORK/plain.txt" "$WORK/short.txt"
ok $? "every row decides what it decided without the shim"
is "$(cell "$WORK/short.csv" "$N.1" verdict)" accepts-relay "the open relay is found"
EVENT_NOEPOLL=1 timeout 120 "$SMTPPROBE" --allow-private -c 10 -r 0 -q --tests full \
	-o "$WORK/level.csv" $targets
is "$?" "$st_plain" "the exit status is the same on the poll backend"
decided "$WORK/level.csv" >"$WORK/level.txt"
diff "$WORK/plain.txt" "$WORK/level.txt" | sed 's/^/#   /'
cmp -s "$WORK/plain.txt" "$WORK/level.txt"
ok $? "and so is every row"
is "$(cell "$WORK/short.csv" "$N.8" tls_version)" "$(cell "$WORK/plain.csv" "$N.8" tls_version)" \
	"STARTTLS after a command sent a byte at a time"
is "$(cell "$WORK/short.csv" "$N.8" starttls)" used "and TLS is used"
# The lab heard the same commands from the three runs: each line a
# multiple of three times, none lost, repeated or torn.
grep ' C: ' "$LAB_LOG" | sed 's/.* C: //' | sort | uniq -c |
	awk '$1 % 3 { print "#   not a multiple of 3:", $0; n++ } END { exit n > 0 }'
ok $? "each client line came as often under the shim and on poll as without them"

lab_stop report
done_testing
