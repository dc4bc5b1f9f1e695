#!/bin/sh
# abuse.sh: the abuse desk's DNS (--dnsbl, --asn, --abuse-contact) end to
# end, against a dnsmasq this test starts on 127.0.0.1:5366 with a test
# DNSBL zone (one address listed, one answered with the operator's error
# code 127.255.255.254), Team Cymru-shaped TXT records under
# asn.example.org and Abusix-shaped ones under abuse.example.org. No query
# leaves the machine: every run names the test's server.
. "$top_srcdir/tests/integration/lib.sh"

P=2761
N=127.0.76
DNS_PORT=5366

dnsmasq_require

V6=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0
dnsmasq_conf "$DNS_PORT"
cat >>"$WORK/dnsmasq.conf" <<EOT
local=/example.org/
local=/127.in-addr.arpa/
local=/ip6.arpa/
# The DNSBL: $N.1 listed, with a reason in TXT; $N.2 answered with the
# operator's "public resolver refused" code; $N.3 not listed (NXDOMAIN).
address=/1.76.0.127.bl.example.org/127.0.0.2
txt-record=1.76.0.127.bl.example.org,"Listed; see https://bl.example.org/?ip=$N.1"
address=/2.76.0.127.bl.example.org/127.255.255.254
txt-record=2.76.0.127.bl.example.org,"Error: open resolver"
address=/$V6.bl.example.org/127.0.0.4
# The suspect of a test message (tests/unit/fixtures/messages/relays.eml).
address=/10.113.0.203.bl.example.org/127.0.0.3
# Team Cymru's shape: a prefix two ASes announce, and their names.
txt-record=1.76.0.127.origin.asn.example.org,"64496 64497 | 127.0.76.0/24 | ZZ | test | 2026-11-29"
txt-record=AS64496.asn.example.org,"64496 | ZZ | test | 2026-11-29 | EXAMPLE-ONE, ZZ"
txt-record=AS64497.asn.example.org,"64497 | ZZ | test | 2026-11-29 | EXAMPLE-TWO, ZZ"
txt-record=$V6.origin6.asn.example.org,"64498 | ::1/128 | ZZ | test | 2026-11-29"
txt-record=AS64498.asn.example.org,"64498 | ZZ | test | 2026-11-29 | EXAMPLE-SIX, ZZ"
# Abusix's shape: the network's abuse mailbox, and one that is not a mailbox.
txt-record=1.76.0.127.abuse.example.org,"abuse@example.net"
txt-record=2.76.0.127.abuse.example.org,"<script>@example.net"
EOT

dnsmasq_start "$DNS_PORT"

lab_start \
	"$N.1:$P=postfix-closed" \
	"$N.1:$((P + 1))=postfix-closed" \
	"$N.2:$P=postfix-closed" \
	"$N.3:$P=open-relay" \
	"[::1]:$P=postfix-closed" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

DNS="--dns-server 127.0.0.1:$DNS_PORT"
ABUSE="--dnsbl bl.example.org --asn --asn-zone asn.example.org --abuse-contact --abuse-zone abuse.example.org"
# shellcheck disable=SC2086
"$SMTPPROBE" --allow-private $DNS $ABUSE --timeout 2 -c 8 -q -o "$WORK/out.csv" \
	"$N.1:$P" "$N.1:$((P + 1))" "$N.2:$P" "$N.3:$P" "[::1]:$P"
is "$?" 1 "exit 1 (an open relay), no sanitizer report"
col() { cell "$WORK/out.csv" "$1" "$2"; }

is "$(col "$N.1" dnsbl)" "bl.example.org=127.0.0.2 (Listed, see https://bl.example.org/?ip=$N.1)" \
	"listed: ZONE=ANSWER with the zone's TXT reason (';' made ',')"
is "$(col "$N.1" dnsbl_error)" "" "  no error"
col "$N.1" flags | grep -q "dnsbl-listed"
ok $? "  flagged dnsbl-listed"
is "$(col "$N.2" dnsbl)" "" "an error code is never a listing"
is "$(col "$N.2" dnsbl_error)" "bl.example.org=127.255.255.254 (query through a public resolver refused)" \
	"  it is the operator's error code, in words"
col "$N.2" flags | grep -q "dnsbl-error"
ok $? "  flagged dnsbl-error"
col "$N.2" flags | grep -q "dnsbl-listed"
ok $((! $?)) "  not flagged dnsbl-listed"
is "$(col "$N.3" dnsbl)" "" "NXDOMAIN: not listed"
col "$N.3" flags | grep -q "dnsbl"
ok $((! $?)) "  no dnsbl flag"
is "$(col ::1 dnsbl)" "bl.example.org=127.0.0.4" "IPv6: the zone's nibble name is asked"

is "$(col "$N.1" asn)" "64496;64497" "both origin ASes kept"
is "$(col "$N.1" as_prefix)" "127.0.76.0/24" "the prefix"
is "$(col "$N.1" as_country)" "ZZ" "the country"
is "$(col "$N.1" as_name)" "EXAMPLE-ONE, ZZ;EXAMPLE-TWO, ZZ" "the AS names, in the ASNs' order"
is "$(col ::1 asn):$(col ::1 as_name)" "64498:EXAMPLE-SIX, ZZ" "IPv6: origin6 and its AS name"
is "$(col "$N.3" asn)" "" "no origin record: empty"

is "$(col "$N.1" abuse_contact)" "abuse@example.net" "the abuse contact"
is "$(col "$N.2" abuse_contact)" "" "what is not a plain mailbox is dropped"

# One query per address and zone, however many rows the address has.
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v ip="$N.1" '$2 == ip' | wc -l | tr -d ' ')" 2 \
	"$N.1 has two rows (two ports)"
is "$(cell "$WORK/out.csv" "$N.1" dnsbl)" "$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v ip="$N.1" '
	NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next } $2 == ip { v = $idx["dnsbl"] } END { print v }')" \
	"  both rows say it is listed"
is "$(grep -c "query\[A\] 1.76.0.127.bl.example.org" "$WORK/dnsmasq.log" | tr -d ' ')" 1 \
	"  one A query for the two"
is "$(grep -c "query\[TXT\] 1.76.0.127.origin.asn.example.org" "$WORK/dnsmasq.log" | tr -d ' ')" 1 \
	"  one origin query"
grep -q "query\[TXT\] 3.76.0.127.bl.example.org" "$WORK/dnsmasq.log"
ok $((! $?)) "no TXT query where nothing is listed"

# JSON Lines: arrays.
# shellcheck disable=SC2086
"$SMTPPROBE" --allow-private $DNS $ABUSE --timeout 2 -q --format jsonl -o "$WORK/out.jsonl" "$N.1:$P"
grep -q '"dnsbl":\["bl.example.org=127.0.0.2 (Listed, see https://bl.example.org/?ip='"$N.1"')"\]' "$WORK/out.jsonl"
ok $? "jsonl: dnsbl is an array"
grep -q '"asn":\["64496","64497"\]' "$WORK/out.jsonl"
ok $? "jsonl: asn is an array"

# With --transcripts a row waits for its file: it keeps its facts meanwhile.
# shellcheck disable=SC2086
"$SMTPPROBE" --allow-private $DNS $ABUSE --timeout 2 -q --transcripts "$WORK/ev" \
	-o "$WORK/tr.csv" "$N.1:$P" "$N.2:$P"
is "$(cell "$WORK/tr.csv" "$N.1" dnsbl):$(cell "$WORK/tr.csv" "$N.1" asn)" \
	"bl.example.org=127.0.0.2 (Listed, see https://bl.example.org/?ip=$N.1):64496;64497" \
	"--transcripts: the held row keeps its listing and origin AS"
is "$(cell "$WORK/tr.csv" "$N.2" dnsbl_error)" \
	"bl.example.org=127.255.255.254 (query through a public resolver refused)" "  and its error code"

# The text report: one labelled line each.
# shellcheck disable=SC2086
"$SMTPPROBE" --allow-private $DNS $ABUSE --timeout 2 -q --format text -o "$WORK/out.txt" "$N.1:$P"
grep -q "dnsbl .*bl.example.org=127.0.0.2" "$WORK/out.txt"
ok $? "text: the listing"
grep -q "  abuse  .*abuse@example.net" "$WORK/out.txt"
ok $? "text: the abuse contact"

# Without the options, no query and empty columns.
: >"$WORK/dnsmasq.log.mark"
n0=$(wc -l <"$WORK/dnsmasq.log")
"$SMTPPROBE" --allow-private $DNS --timeout 2 -q -o "$WORK/plain.csv" "$N.1:$P"
is "$(cell "$WORK/plain.csv" "$N.1" dnsbl)" "" "without --dnsbl: empty"
tail -n +$((n0 + 1)) "$WORK/dnsmasq.log" | grep -qE "bl\.example\.org|asn\.example\.org|abuse\.example\.org"
ok $((! $?)) "without the options: no such query"

# --extract-only: the suspect's listings in a last column, nothing probed.
M="$top_srcdir/tests/unit/fixtures/messages"
"$SMTPPROBE" $DNS --dnsbl bl.example.org --extract-only --format csv --message "$M/relays.eml" \
	>"$WORK/hops.csv" 2>"$WORK/hops.err"
is "$?" 0 "--extract-only --dnsbl: exit 0"
is "$(head -1 "$WORK/hops.csv" | awk -F, '{print $NF}')" dnsbl "the hop table gets a dnsbl column"
is "$(csv_tsv "$WORK/hops.csv" | awk -F '\t' 'NR > 1 && $NF != "" {print $4 " " $6 " " $NF}')" \
	"suspect 203.0.113.10 bl.example.org=127.0.0.3" "filled for the suspect only"
"$SMTPPROBE" $DNS --dnsbl bl.example.org --extract-only --format text --message "$M/relays.eml" \
	>"$WORK/hops.txt" 2>&1
grep -q "suspect 203.0.113.10 .*dnsbl bl.example.org=127.0.0.3" "$WORK/hops.txt"
ok $? "the text table names the listing beside the suspect"
"$SMTPPROBE" $DNS --extract-only --format csv --message "$M/relays.eml" >"$WORK/hops0.csv" 2>&1
head -1 "$WORK/hops0.csv" | grep -q dnsbl
ok $((! $?)) "without --dnsbl, no dnsbl column"

# --no-dns cannot look anything up.
"$SMTPPROBE" --allow-private --no-dns --dnsbl default -q "$N.1:$P" >/dev/null 2>"$WORK/nodns.err"
is "$?" 2 "--dnsbl with --no-dns is a usage error"
"$SMTPPROBE" --allow-private $DNS --dnsbl "bl..example.org" -q "$N.1:$P" >/dev/null 2>"$WORK/bad.err"
is "$?" 2 "a zone that is not a name is a usage error"

lab_stop report
done_testing
