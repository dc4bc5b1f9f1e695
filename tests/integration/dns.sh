#!/bin/sh
# dns.sh: reverse and forward DNS end to end, against a real dnsmasq that
# this test starts on 127.0.0.1:5350 with records it writes itself:
#   PTR of lab addresses: one dynamic-looking, one normal, one whose forward
#   lookup disagrees, one NXDOMAIN; a host name with A and AAAA records; MX
#   hosts of a mail domain (one that does not resolve); a domain without MX;
#   a name that does not exist; a name outside the allowlist.
# Then a server that never answers (a UDP socket that only listens), for the
# timeout case. smtpprobe is always given --dns-server, and the suite sets
# SMTPPROBE_DNS_SERVER=none, so no query can reach /etc/resolv.conf's server:
# the silent server's run shows timeouts, not answers from elsewhere.
. "$top_srcdir/tests/integration/lib.sh"

P=2650
N=127.0.50
DNS_PORT=5350
SILENT_PORT=5351
SILENT_PID=

dns_cleanup() {
	stop_pid "$SILENT_PID"
	cleanup
}
trap dns_cleanup EXIT

dnsmasq_require

dnsmasq_conf "$DNS_PORT"
cat >>"$WORK/dnsmasq.conf" <<EOT
# Only this test's records.
# Unknown names here are NXDOMAIN, not REFUSED.
local=/example.com/
local=/example.net/
local=/example.org/
local=/127.in-addr.arpa/
local=/ip6.arpa/
# Dynamic-looking, forward-confirmed (host-record makes the A and the PTR).
host-record=dsl-127-0-50-1.pool.example.net,$N.1
# Normal: the name the server greets with.
host-record=mx.example.org,$N.2
# Forward disagrees: the PTR's name points elsewhere.
ptr-record=3.50.0.127.in-addr.arpa,liar.example.net
host-record=liar.example.net,$N.99
# $N.4 has no PTR: NXDOMAIN.
# A host name with two A records and an AAAA.
host-record=multi.example.com,$N.5,::1
host-record=multi.example.com,$N.6
# A mail domain, MX records listed out of preference order; mx3 does not exist.
mx-host=example.net,mx2.example.net,20
mx-host=example.net,mx3.example.net,30
mx-host=example.net,mx1.example.net,10
host-record=mx1.example.net,$N.7
host-record=mx2.example.net,$N.8
# A domain without MX: its own A record is its mail host.
host-record=solo.example.org,$N.9
# A name whose address is outside the allowlist.
host-record=outside.example.com,192.0.2.50
# A STARTTLS server reached by name: SNI and cert_matches come from the name.
host-record=tls.example.com,$N.10
# IPv6 forms that carry a special IPv4 address (NAT64's prefix: 10.0.0.1;
# 6to4: 127.0.0.1), and an MX host that has one.
host-record=nat64.example.com,64:ff9b::a00:1
host-record=sixtofour.example.com,2002:7f00:1::1
mx-host=example.org,nat64.example.com,10
EOT

dnsmasq_start "$DNS_PORT"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 30 -subj "/CN=tls.example.com" \
	-addext "subjectAltName=DNS:tls.example.com" >"$WORK/openssl.err" 2>&1 ||
	sed 's/^/#   /' "$WORK/openssl.err"
LAB_OPTS="--tls-cert $WORK/cert.pem --tls-key $WORK/key.pem"
lab_start \
	"$N.10:$P=postfix-starttls" \
	"$N.1:$P=qmail-localhost" \
	"$N.2:$P=postfix-closed" \
	"$N.3:$P=open-relay" \
	"$N.4:$P=greylist" \
	"$N.5:$P=postfix-closed" \
	"$N.6:$P=postfix-closed" \
	"$N.7:$P=open-relay" \
	"$N.8:$P=postfix-closed" \
	"$N.9:$P=postfix-closed" \
	"[::1]:$P=open-relay" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

cat >"$WORK/list.txt" <<EOT
$N.1
$N.2
$N.3
$N.4
multi.example.com
mx:example.net
nope.example.com
outside.example.com
mx:nomail.example.com
EOT
L="$WORK/list.txt"

# One session at a time, so rows come in the order targets are probed.
"$SMTPPROBE" --allow-private --dns-server "127.0.0.1:$DNS_PORT" --timeout 2 -p $P -c 1 -q \
	--mx solo.example.org -f "$L" -o "$WORK/out.csv"
is "$?" 1 "exit 1 (open relays found), no sanitizer report"
is "$(rows "$WORK/out.csv")" 14 "14 rows: 4 addresses, 3 of a name, 3 of MX hosts, 1 implicit MX, 3 names that fail"

col() { cell "$WORK/out.csv" "$1" "$2"; }
check() { # check IP PTR FCRDNS FLAGS
	is "$(col "$1" ptr)" "$2" "$1: ptr '$2'"
	is "$(col "$1" fcrdns)" "$3" "$1: fcrdns $3"
	is "$(col "$1" flags)" "$4" "$1: flags '$4'"
}
check "$N.1" dsl-127-0-50-1.pool.example.net yes "localhost-name;dynamic-rdns"
check "$N.2" mx.example.org yes "relay-deferred"
check "$N.3" liar.example.net no "fcrdns-mismatch;name-not-ptr"
check "$N.4" "" none "no-ptr"
is "$(col "$N.1" verdict)" accepts-localhost "DNS does not change the verdict"

# The host name: every address, IPv4 first, each with the name in origin.
is "$(col "$N.5" origin)" "$L:5 multi.example.com" "a name's address keeps the name in origin"
is "$(col "$N.6" origin)" "$L:5 multi.example.com" "so does its second address"
is "$(col ::1 origin)" "$L:5 multi.example.com" "and its AAAA"
is "$(col ::1 verdict)" accepts-relay "the AAAA address is probed too"
check "$N.5" multi.example.com yes "name-not-ptr;relay-deferred"
order=$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v o="$L:5 multi.example.com" '$5 == o {print $2}' | tr '\n' ' ')
case "$order" in
"$N.5 $N.6 ::1 " | "$N.6 $N.5 ::1 ") ok 0 "IPv4 addresses first, then IPv6 ($order)" ;;
*) ok 1 "IPv4 addresses first, then IPv6 ($order)" ;;
esac

# MX hosts in preference order, whatever order the answer had.
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' '$5 ~ / mx:example.net / && $6 != "skipped" {print $5 "=" $2}' | tr '\n' ' ')" \
	"$L:6 mx:example.net mx1.example.net=$N.7 $L:6 mx:example.net mx2.example.net=$N.8 " \
	"MX hosts probed in preference order (10, 20)"
is "$(col "$N.7" verdict)" accepts-relay "the first MX host is probed"
is "$(grep " C: EHLO" "$LAB_LOG" | grep -n "" | grep -E "$N\.(7|8):" | cut -d: -f2 | awk '{print $1}' | tr '\n' ' ')" \
	"$N.7 $N.8 " "the lab saw mx1 before mx2"
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' '$5 ~ / mx3\.example\.net$/ {print $6 ": " $7}')" \
	"skipped: DNS: mx3.example.net: Domain name not found" "an MX host that does not resolve is a skipped row with the DNS error"
is "$(col "$N.9" origin)" "arg:1 mx:solo.example.org solo.example.org" "--mx: a domain without MX is its own mail host"

# Names that fail, and policy on what DNS gave.
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v o="$L:7 nope.example.com" '$5 == o {print $6 ": " $7}')" \
	"skipped: DNS: nope.example.com: Domain name not found" "a name that does not resolve is a skipped row with the DNS error"
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v o="$L:9 mx:nomail.example.com" '$5 == o {print $6 ": " $7}')" \
	"skipped: DNS: nomail.example.com: Domain name not found" "a mail domain that does not exist is one skipped row"
is "$(col 192.0.2.50 verdict): $(col 192.0.2.50 error)" "skipped: outside allowlist" \
	"a resolved address outside the allowlist is skipped, never probed"
grep -q "query\[PTR\] 4.50.0.127.in-addr.arpa from 127.0.0.1" "$WORK/dnsmasq.log"
ok $? "the PTR queries went to the test's dnsmasq"
ptrs=$(grep -c "query\[PTR\]" "$WORK/dnsmasq.log")
is "$ptrs" 10 "one PTR query per probed address (10), none for skipped rows"

# A name's address is probed with the name as SNI, and the certificate is
# checked against it.
"$SMTPPROBE" --allow-private --dns-server "127.0.0.1:$DNS_PORT" --timeout 2 -p $P -q \
	tls.example.com -o "$WORK/tls.csv"
is "$?" 0 "TLS run: exit 0, no sanitizer report"
is "$(cell "$WORK/tls.csv" "$N.10" starttls)" used "the name's address is probed over STARTTLS"
is "$(grep "^$N.10:$P [^ ]* [^ ]* tls " "$LAB_LOG" | head -1 | awk '{print $7}')" tls.example.com \
	"the lab saw the host name as SNI"
is "$(cell "$WORK/tls.csv" "$N.10" cert_matches)" yes "cert_matches: the certificate names the host"

# An address literal has no host name: the certificate the session kept is
# checked against the address's PTR name once DNS answers.
"$SMTPPROBE" --allow-private --dns-server "127.0.0.1:$DNS_PORT" --timeout 2 -p $P -q \
	"$N.10" -o "$WORK/tlsptr.csv"
is "$?" 0 "TLS run by address: exit 0, no sanitizer report"
is "$(cell "$WORK/tlsptr.csv" "$N.10" ptr)" tls.example.com "the address's PTR name"
is "$(cell "$WORK/tlsptr.csv" "$N.10" cert_matches)" yes \
	"cert_matches: the kept certificate names the PTR name"

# Policy: without --allow-private, a name's loopback addresses are skipped.
"$SMTPPROBE" --dns-server "127.0.0.1:$DNS_PORT" --timeout 2 -p $P -q multi.example.com \
	-o "$WORK/policy.csv"
is "$?" 5 "policy run: exit 5, nothing probed, no sanitizer report"
is "$(csv_tsv "$WORK/policy.csv" | awk -F '\t' 'NR > 1 {print $2 "=" $6}' | LC_ALL=C sort | tr '\n' ' ')" \
	"$N.5=skipped $N.6=skipped ::1=skipped " "a name's addresses pass the same special-range policy"
is "$(cell "$WORK/policy.csv" "$N.5" error)" "special-purpose range: loopback (RFC 1122); use --allow-private" \
	"with the same reason as a listed address"

# The same for IPv6 forms that carry an IPv4 address, from a name and from
# an MX host, even inside the allowlist: nothing is connected to.
"$SMTPPROBE" --allowlist "127.0.0.0/8,::1/128,64:ff9b::/96,2002::/16" \
	--dns-server "127.0.0.1:$DNS_PORT" --timeout 2 -p $P -q sixtofour.example.com mx:example.org \
	-o "$WORK/embed.csv"
is "$?" 5 "embedded run: exit 5, nothing probed"
is "$(cell "$WORK/embed.csv" 64:ff9b::a00:1 error)" \
	"special-purpose range: private (RFC 1918) inside NAT64 well-known prefix (RFC 6052); use --allow-private" \
	"an MX host's NAT64 address is judged by the IPv4 address inside"
is "$(cell "$WORK/embed.csv" 2002:7f00:1::1 error)" \
	"special-purpose range: loopback (RFC 1122) inside 6to4 (RFC 3056); use --allow-private" \
	"a name's 6to4 address is judged by the IPv4 address inside"

# Dedupe across names and literals.
"$SMTPPROBE" --allow-private --dns-server "127.0.0.1:$DNS_PORT" --timeout 2 -p $P -q -c 1 \
	"$N.5" multi.example.com -o "$WORK/dedupe.csv" 2>/dev/null
is "$?" 1 "dedupe run: exit 1 (::1 relays), no sanitizer report"
is "$(rows "$WORK/dedupe.csv")" 3 "an address both listed and resolved is probed once"

# --no-dns: no lookups, DNS columns empty, names skipped.
before=$(grep -c "query\[" "$WORK/dnsmasq.log")
"$SMTPPROBE" --allow-private --dns-server "127.0.0.1:$DNS_PORT" --no-dns --timeout 2 -p $P -q \
	"$N.2" multi.example.com -o "$WORK/nodns.csv"
is "$?" 0 "--no-dns run: exit 0, no sanitizer report"
is "$(cell "$WORK/nodns.csv" "$N.2" fcrdns)|$(cell "$WORK/nodns.csv" "$N.2" ptr)" "|" "--no-dns: ptr and fcrdns empty"
is "$(csv_tsv "$WORK/nodns.csv" | awk -F '\t' '$5 == "arg:2 multi.example.com" {print $6}')" skipped \
	"--no-dns: a name is a skipped row, the name in its origin"
is "$(grep -c "query\[" "$WORK/dnsmasq.log")" "$before" "--no-dns: no query at all"

# A server that never answers: a UDP socket that only listens (-k: to every
# sender, -d: never reads stdin, so never stops on its end).
nc -d -u -k -l 127.0.0.1 $SILENT_PORT >"$WORK/silent.bin" 2>/dev/null &
SILENT_PID=$!
sleep 0.3
"$SMTPPROBE" --allow-private --dns-server "127.0.0.1:$SILENT_PORT" --dns-timeout 0.2 \
	--timeout 2 -p $P -q "$N.2" multi.example.com -o "$WORK/silent.csv"
is "$?" 0 "timeouts never fail the run"
is "$(cell "$WORK/silent.csv" "$N.2" fcrdns)" timeout "unanswered PTR: fcrdns timeout"
is "$(cell "$WORK/silent.csv" "$N.2" ptr)" "" "and no PTR name from anywhere else"
is "$(cell "$WORK/silent.csv" "$N.2" verdict)" smtp-closed "the probe itself is not failed"
is "$(csv_tsv "$WORK/silent.csv" | awk -F '\t' '$5 == "arg:2 multi.example.com" {print $6 ": " $7}')" \
	"skipped: DNS: multi.example.com: Timeout while contacting DNS servers" \
	"an unanswered name is a skipped row saying so"
test -s "$WORK/silent.bin"
ok $? "the queries went to the server given, which kept silent"

# SIGINT while a row waits for its DNS: the row still comes out, with what
# it has, once the grace time is over.
quits=$(grep -c "^$N.9:$P .* C: QUIT" "$LAB_LOG")
"$SMTPPROBE" --allow-private --dns-server "127.0.0.1:$SILENT_PORT" --dns-timeout 30 \
	--timeout 2 -p $P -q "$N.9" -o "$WORK/int.csv" &
PROBE_PID=$!
i=0
while [ "$(grep -c "^$N.9:$P .* C: QUIT" "$LAB_LOG")" -eq "$quits" ] && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
ok $((i >= 100)) "the dialogue runs to QUIT while its PTR query is unanswered: DNS never holds up the connect"
kill -INT "$PROBE_PID"
wait_pid "$PROBE_PID"
is "$?" 4 "SIGINT: exit 4 within the grace time"
is "$(cell "$WORK/int.csv" "$N.9" verdict)|$(cell "$WORK/int.csv" "$N.9" fcrdns)" "smtp-closed|" \
	"the row waiting for DNS is written, fcrdns empty (not looked up)"

# A bad server list is a usage error.
"$SMTPPROBE" --dns-server "not-an-ip" "$N.2" >/dev/null 2>"$WORK/bad.err"
is "$?" 2 "--dns-server: a bad list is exit 2"
grep -q '^smtpprobe: --dns-server: not IP\[:PORT\]\[,...\]: "not-an-ip"$' "$WORK/bad.err"
ok $? "with one clear line"

lab_stop report
done_testing
