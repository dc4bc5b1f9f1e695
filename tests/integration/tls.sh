#!/bin/sh
# tls.sh: STARTTLS and SMTPS against smtplab's TLS personalities, with a
# certificate made here by the openssl command (none is committed):
# every certificate field as `openssl x509` prints it, version and cipher as
# the lab negotiated them, 530-STARTTLS upgraded, a broken handshake retried
# in plaintext, an injected reply after the 220 caught, a stalled handshake
# ended by the deadline, and never DATA.
. "$top_srcdir/tests/integration/lib.sh"

P=2640
PS=2641
N=127.0.40
CERT="$WORK/cert.pem"
KEY="$WORK/key.pem"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$KEY" -out "$CERT" -days 30 -subj "/CN=mx.example.org/O=smtplab test, Inc" \
	-addext "subjectAltName=DNS:mx.example.org,IP:127.0.40.1,DNS:mail.example.org" \
	>"$WORK/openssl.err" 2>&1
ok $? "openssl makes a self-signed certificate" || { sed 's/^/#   /' "$WORK/openssl.err"; }

LAB_OPTS="--tls-cert $CERT --tls-key $KEY"
lab_start \
	"$N.1:$P=postfix-starttls" \
	"$N.2:$P=starttls-required" \
	"$N.3:$P=starttls-required:hidden" \
	"$N.4:$PS=smtps" \
	"$N.5:$P=tls-broken" \
	"$N.6:$P=tls-broken:close" \
	"$N.7:$P=starttls-inject" \
	"$N.8:$P=tls-stall" \
	"$N.9:$P=postfix-closed" \
	"$N.10:$P=postfix-starttls" \
	"$N.11:$P=starttls-required" \
	"$N.12:$P=postfix-starttls" \
	"$N.13:$P=postfix-starttls:tls1.0" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts with a certificate"

probe() { # probe OUT ARGS...: smtpprobe, CSV into OUT; prints its exit status
	out=$1
	shift
	"$SMTPPROBE" --allow-private --timeout 5 --deadline 20 -q -o "$WORK/$out" "$@"
	echo $?
}

rc=$(probe auto.csv "$N.1:$P" "$N.2:$P" "$N.3:$P" "$N.5:$P" "$N.6:$P" "$N.7:$P")
is "$rc" 1 "auto: exit status 1 (relays found inside TLS)"
is "$(rows "$WORK/auto.csv")" 6 "auto: one row per target"

# postfix-starttls: every certificate field as openssl prints it.
c() { cell "$WORK/${CSV:-auto.csv}" "$1" "$2"; }
x509() { openssl x509 -in "$CERT" -noout -dateopt iso_8601 "$@" | sed 's/^[^=]*=//'; }
is "$(c "$N.1" verdict)" smtp-closed "postfix-starttls: smtp-closed, tested inside TLS"
is "$(c "$N.1" starttls)" used "postfix-starttls: starttls used"
is "$(c "$N.1" flags)" "starttls;self-signed;relay-deferred" "postfix-starttls: flags"
is "$(c "$N.1" cert_subject)" "$(x509 -subject)" "cert_subject as openssl x509 -subject"
is "$(c "$N.1" cert_issuer)" "$(x509 -issuer)" "cert_issuer as openssl x509 -issuer"
is "$(c "$N.1" cert_not_before)" "$(x509 -startdate)" "cert_not_before as openssl -startdate"
is "$(c "$N.1" cert_not_after)" "$(x509 -enddate)" "cert_not_after as openssl -enddate"
is "$(c "$N.1" cert_sha256)" "$(x509 -fingerprint -sha256)" "cert_sha256 as openssl -fingerprint -sha256"
is "$(c "$N.1" cert_san)" "mx.example.org;mail.example.org" "cert_san: the DNS names"
is "$(c "$N.1" cert_self_signed)" yes "cert_self_signed"
is "$(c "$N.1" cert_expired)" no "cert_expired"
is "$(c "$N.1" cert_verify)" "self-signed certificate" "cert_verify: recorded, not enforced"
is "$(c "$N.1" cert_matches)" "" "cert_matches: empty for an address literal"
lab_tls() { # lab_tls ADDR FIELD: the lab's negotiated version ($5) or cipher ($6)
	grep "^$1:$P [^ ]* [^ ]* tls " "$LAB_LOG" | head -1 | awk -v f="$2" '{print $f}'
}
is "$(c "$N.1" tls_version)" "$(lab_tls "$N.1" 5)" "tls_version as the server negotiated it"
is "$(c "$N.1" tls_cipher)" "$(lab_tls "$N.1" 6)" "tls_cipher as the server negotiated it"
[ -n "$(c "$N.1" tls_cipher)" ]
ok $? "tls_cipher is not empty ($(c "$N.1" tls_cipher))"
is "$(lab_tls "$N.1" 7)" "-" "no SNI for an address literal (the lab saw none)"
is "$(c "$N.1" extensions)" "PIPELINING;SIZE 10240000;VRFY;ETRN;ENHANCEDSTATUSCODES;8BITMIME;DSN;SMTPUTF8;CHUNKING" \
	"extensions are the TLS EHLO's; the plaintext ones are forgotten"
is "$(c "$N.1" last_reply)" "221 2.0.0 Bye" "the 221 to QUIT is read over TLS"

# starttls-required: upgraded, then an open relay.
is "$(c "$N.2" verdict)" accepts-relay "starttls-required: accepts-relay, not auth-required"
is "$(c "$N.2" relay_tests)" "third-party:250/250;localhost:250/250;postmaster:250/250" "starttls-required: relay tests"
is "$(c "$N.2" starttls)" used "starttls-required: starttls used"
first() { grep -n "^$1:$P .* C: $2" "$LAB_LOG" | head -1 | cut -d: -f1; }
s=$(first "$N.2" STARTTLS)
m=$(first "$N.2" MAIL)
[ -n "$s" ] && [ -n "$m" ] && [ "$s" -lt "$m" ]
ok $? "starttls-required: the lab's log shows STARTTLS (line $s) before MAIL (line $m)"
# :hidden does not offer STARTTLS: only the 530 says to upgrade.
is "$(c "$N.3" verdict)" accepts-relay "starttls-required:hidden: the 530 makes the prober upgrade"
is "$(c "$N.3" flags)" "starttls-required;self-signed" "starttls-required:hidden: flags"
is "$(c "$N.3" starttls)" used "starttls-required:hidden: starttls used"
is "$(grep "^$N.3:$P " "$LAB_LOG" | sed -n 's/.* C: //p' | cut -c1-8 | tr '\n' ' ')" \
	"EHLO smt MAIL FRO STARTTLS EHLO smt MAIL FRO RCPT TO: RSET MAIL FRO RCPT TO: RSET MAIL FRO RCPT TO: RSET QUIT " \
	"starttls-required:hidden: MAIL 530, STARTTLS, EHLO again, the tests over TLS"

# tls-broken: recorded, then a fresh plaintext connection gives the verdict.
for a in "$N.5" "$N.6"; do
	is "$(c "$a" verdict)" smtp-closed "tls-broken ($a): verdict from the plaintext retry"
	is "$(c "$a" relay_tests)" "third-party:250/454;localhost:250/454;postmaster:250/250" "tls-broken ($a): tests done in plaintext"
	is "$(c "$a" flags)" "starttls;tls-failed;relay-deferred" "tls-broken ($a): flags"
	is "$(c "$a" starttls)" failed "tls-broken ($a): starttls failed"
	is "$(c "$a" error)" "" "tls-broken ($a): no error: the dialogue ended well"
	is "$(grep -c "^$a:$P .* connect$" "$LAB_LOG" | tr -d ' ')" 2 "tls-broken ($a): two connections"
done
is "$(c "$N.5" tls_error)" "wrong version number" "tls-broken: OpenSSL's reason for the garbage"
is "$(c "$N.6" tls_error)" "connection closed during the handshake" "tls-broken:close: the reason"

# starttls-inject: a reply after the 220 is an injection.
is "$(c "$N.7" error)" protocol-error "starttls-inject: protocol-error"
is "$(c "$N.7" flags)" "starttls;starttls-injection" "starttls-inject: flagged starttls-injection"
is "$(c "$N.7" tls_version)" "" "starttls-inject: no handshake"
grep -q "^$N.7:$P .* C: MAIL" "$LAB_LOG"
ok $((! $?)) "starttls-inject: no MAIL after the injected reply"

# SMTPS on a port that is not 465.
rc=$(probe smtps.csv --smtps "$N.4:$PS")
is "$rc" 1 "--smtps: exit status 1"
CSV=smtps.csv
is "$(c "$N.4" verdict)" accepts-relay "--smtps on port $PS: the dialogue runs inside TLS"
is "$(c "$N.4" starttls)" implicit "--smtps: starttls implicit"
is "$(c "$N.4" tls_version)" "$(grep "^$N.4:$PS .* tls " "$LAB_LOG" | head -1 | awk '{print $5}')" "--smtps: tls_version"
is "$(c "$N.4" cert_sha256)" "$(x509 -fingerprint -sha256)" "--smtps: cert_sha256"

# tls-stall: the handshake never ends; the deadline does.
rc=$("$SMTPPROBE" --allow-private --timeout 30 --deadline 1 -q -o "$WORK/stall.csv" "$N.8:$P"; echo $?)
is "$rc" 0 "tls-stall: exit status 0"
CSV=stall.csv
is "$(c "$N.8" error)" session-deadline "tls-stall: ends at its deadline"
is "$(c "$N.8" flags)" "starttls;tls-failed" "tls-stall: flags"
is "$(c "$N.8" tls_error)" "handshake timed out" "tls-stall: tls_error"
d=$(c "$N.8" duration_ms)
[ "$d" -ge 1000 ] && [ "$d" -lt 30000 ]
ok $? "tls-stall: ended by the 1 s deadline, not the 30 s timeout ($d ms)"

# --starttls never and always; --ca-file.
rc=$(probe never.csv --starttls never "$N.10:$P" "$N.11:$P")
CSV=never.csv
is "$(c "$N.10" starttls)" offered "--starttls never: offered, not used"
is "$(c "$N.10" tls_version)" "" "--starttls never: no TLS"
is "$(c "$N.11" verdict)" smtp-closed "--starttls never: a 530 STARTTLS stays a refusal"
is "$(c "$N.11" flags)" "starttls;starttls-required" "--starttls never: flagged starttls-required"
grep -qE "^$N.1[01]:$P .* C: STARTTLS" "$LAB_LOG"
ok $((! $?)) "--starttls never: no STARTTLS sent"
rc=$(probe always.csv --starttls always "$N.9:$P")
CSV=always.csv
grep -q "^$N.9:$P .* C: STARTTLS" "$LAB_LOG"
ok $? "--starttls always: STARTTLS sent though not offered"
is "$(c "$N.9" verdict)" smtp-closed "--starttls always: refused (502), the tests go on in plaintext"
is "$(c "$N.9" relay_tests)" "third-party:250/454;localhost:250/454;postmaster:250/250" "--starttls always: tests done"
# An old server: security level 0 lets the prober see TLS 1.0, not refuse it.
rc=$(probe old.csv "$N.13:$P")
CSV=old.csv
is "$(c "$N.13" tls_version)" TLSv1 "postfix-starttls:tls1.0: TLS 1.0 observed"
is "$(c "$N.13" tls_cipher)" "$(lab_tls "$N.13" 6)" "postfix-starttls:tls1.0: the cipher the server chose"
is "$(c "$N.13" verdict)" smtp-closed "postfix-starttls:tls1.0: tested inside TLS 1.0"
rc=$(probe ca.csv --ca-file "$CERT" "$N.12:$P")
CSV=ca.csv
is "$(c "$N.12" cert_verify)" ok "--ca-file: the certificate verifies against it"
"$SMTPPROBE" --allow-private -q --ca-file "$WORK/none.pem" "$N.12:$P" >/dev/null 2>"$WORK/ca.err"
is "$?" 2 "--ca-file: a missing file is a usage error"
grep -q '^smtpprobe: --ca-file: ' "$WORK/ca.err"
ok $? "--ca-file: one clear line ($(head -1 "$WORK/ca.err"))"

lab_stop report
# The safety promise, with TLS: only these verbs were sent, never DATA.
bad=$(grep ' C: ' "$LAB_LOG" | sed 's/.* C: //' | grep -ivE '^(EHLO|HELO|STARTTLS$|MAIL FROM:|RCPT TO:|RSET|QUIT|<tls handshake>)' | head -3)
is "$bad" "" "the lab received nothing but EHLO, HELO, STARTTLS, MAIL, RCPT, RSET, QUIT"
grep -qiE ' C: (DATA|BDAT|VRFY|EXPN|AUTH|ETRN)' "$LAB_LOG"
ok $((! $?)) "never DATA, BDAT, VRFY, EXPN, AUTH or ETRN"

done_testing
