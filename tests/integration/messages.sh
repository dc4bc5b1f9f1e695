#!/bin/sh
# messages.sh: --message end to end. --extract-only on the fixtures (the
# seed's suspect and flags, a forged lower line, --trusted moving the
# boundary, mbox and Maildir giving one result per message, bad input as
# skipped rows), then a probe of a suspect on the lab: the seed's chain with
# its suspect on loopback. No fixture address is ever probed.
. "$top_srcdir/tests/integration/lib.sh"

M="$top_srcdir/tests/unit/fixtures/messages"
P=2660
N=127.0.60

# extract FILE [ARGS...]: the CSV hop table of a message.
extract() {
	f=$1
	shift
	"$SMTPPROBE" --extract-only --format csv "$@" --message "$f" 2>"$WORK/extract.err"
}
# suspect FILE [ARGS...]: "role ip" of the suspect row.
suspect() {
	extract "$@" | csv_tsv /dev/stdin | awk -F '\t' '$4 == "suspect" || $4 == "compromised-account" {print $4, $6}'
}
field() { # field FILE COLUMN [ARGS...]: COLUMN of the first data row.
	f=$1
	c=$2
	shift 2
	extract "$f" "$@" | csv_tsv /dev/stdin | awk -F '\t' -v col="$c" '
		NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		{ print $idx[col]; exit }'
}

is "$(suspect "$M/seed.eml")" "suspect 202.215.137.102" "the seed: the suspect is the address our server recorded"
is "$(field "$M/seed.eml" message_flags)" "localhost-helo;lan-hops;utc-zero-timestamps" "the seed's telltales"
is "$(field "$M/seed.eml" origin)" "<200603031154.k23BseD16587@mx.example.com>" "origin is the Message-ID"
is "$(extract "$M/seed.eml" | csv_tsv /dev/stdin | awk -F '\t' '$3 == 3 {print $4, $6, $8}')" "claimed 192.168.0.70 192.168.0.1" "the LAN hop below is claimed, with its HELO"
is "$(suspect "$M/seed-crlf.eml")" "suspect 202.215.137.102" "CRLF line ends read the same"
is "$(suspect "$M/forged.eml")" "suspect 198.51.100.23" "a forged lower line is not the suspect"
is "$(suspect "$M/relays.eml")" "suspect 203.0.113.10" "auto mode: the first public hop"
is "$(suspect "$M/relays.eml" --trusted 203.0.113.10)" "suspect 198.51.100.44" "--trusted moves the boundary down"
is "$(suspect "$M/relays.eml" --trusted mx-in.example.com)" "suspect 198.51.100.44" "--trusted by host name (the rDNS a trusted server recorded)"
printf '# our relays\n203.0.113.0/24\n' >"$WORK/trusted.txt"
is "$(suspect "$M/relays.eml" --trusted-file "$WORK/trusted.txt")" "suspect 198.51.100.44" "--trusted-file"
is "$(suspect "$M/auth.eml")" "compromised-account 192.0.2.77" "an authenticated submission from outside: compromised-account"
is "$(suspect "$M/ipv6.eml")" "suspect 2001:db8:25::9" "an IPv6 suspect, port stripped"
is "$(field "$M/time-travel.eml" message_flags)" "lan-hops;time-travel" "dates going backwards: time-travel"
is "$(suspect "$M/internal.eml")" "" "a message that never left private ranges has no suspect"
is "$(suspect "$M/unparsed.eml")" "" "an unreadable top line stops the walk: nothing below is trusted"
# roles FILE: "hop:role:kind:note" of every row.
roles() {
	extract "$1" | csv_tsv /dev/stdin | awk -F '\t' 'NR > 1 {printf "%s:%s:%s:%s ", $3, $4, $5, $16}'
}
is "$(roles "$M/fetchmail.eml")" "1:trusted:relay: 2:retrieval:retrieval:fetchmail 3:suspect:relay: 4:claimed:relay: " \
	"fetchmail's line is a retrieval, never a relay: the host that handed the message to the mailbox provider is the suspect"
is "$(roles "$M/getmail.eml")" "1:retrieval:retrieval:getmail 2:suspect:relay: 3:claimed:relay: " \
	"getmail's line is a retrieval"
is "$(field "$M/getmail.eml" message_flags)" "" "a retrieval line's -0000 date is no telltale"
is "$(roles "$M/lmtp.eml")" "1:local:local:LMTP delivery 2:local:local:LMTP delivery 3:suspect:relay: " \
	"LMTP lines are local deliveries"
is "$(roles "$M/exim-local.eml")" "1:local:local:local submission 2:suspect:relay: 3:local:local:local submission " \
	"Exim's local submissions are local, above the suspect and below it"
is "$("$SMTPPROBE" --extract-only --format text --message "$M/fetchmail.eml" 2>/dev/null | awk '$1 == 2 {print $2, $3}')" \
	"retrieval 198.51.100.219" "the text hop table shows the retrieval with the mailbox host's address"
is "$(extract "$M/box.mbox" | csv_tsv /dev/stdin | awk -F '\t' 'NR > 1 {print $2 ":" $4}' | sed 's|.*/||' | tr '\n' ' ')" \
	"box.mbox#1:suspect box.mbox#2:suspect box.mbox#3:none " "an mbox: one result per message, >From and mid-paragraph From are no separators"
is "$(extract "$M/Maildir" | csv_tsv /dev/stdin | awk -F '\t' 'NR > 1 {print $6}' | tr '\n' ' ')" \
	"198.51.100.81 198.51.100.82 " "a Maildir: cur/ and new/, one result per message"
is "$(cat "$M/seed.eml" | "$SMTPPROBE" --extract-only --message - | csv_tsv /dev/stdin | awk -F '\t' '$4 == "suspect" {print $2}')" \
	"stdin" "--message - reads stdin"

# Forwarded spam and ARF reports: the inner message's chain is walked, not
# the reporter's own (192.0.2.200, 192.0.2.201); --outer walks the outer.
is "$(suspect "$M/forward-b64.eml")" "suspect 198.51.100.61" "a spam forwarded as a base64 message/rfc822 attachment: its own chain"
is "$(field "$M/forward-b64.eml" origin)" "<spam-inner-1@example.net>" "its origin is the inner Message-ID"
is "$(suspect "$M/forward-b64.eml" --outer)" "suspect 192.0.2.200" "--outer: the forwarder's chain, as written"
is "$(suspect "$M/arf.eml")" "suspect 203.0.113.62" "an ARF report (RFC 5965): its message/rfc822 part"
is "$(suspect "$M/arf.eml" --outer)" "suspect 192.0.2.201" "--outer on an ARF report: the report's own chain"
is "$(suspect "$M/arf-headers.eml")" "suspect 203.0.113.63" "an ARF report with text/rfc822-headers"
is "$(suspect "$M/forward-two.eml")" "suspect 192.0.2.200" "two attached messages: none is guessed, the outer chain is read"
is "$(cat "$M/arf.eml" | "$SMTPPROBE" --extract-only --message - | csv_tsv /dev/stdin | awk -F '\t' '$4 == "suspect" {print $6}')" \
	"203.0.113.62" "an ARF report on stdin"
{
	printf 'From fbl@example.org Sun Nov 29 09:30:00 2026\n'
	cat "$M/arf.eml"
	printf '\nFrom postmaster@example.org Sun Nov 29 09:00:00 2026\n'
	cat "$M/forward-b64.eml"
	printf '\nFrom x@example.net Sun Nov 29 09:00:00 2026\n'
	cat "$M/relays.eml"
} >"$WORK/reports.mbox"
is "$(extract "$WORK/reports.mbox" | csv_tsv /dev/stdin | awk -F '\t' '$4 == "suspect" {print $6}' | tr '\n' ' ')" \
	"203.0.113.62 198.51.100.61 203.0.113.10 " "an mbox of reports and forwards: each message's inner chain"

# Bad input: one clear line on stderr and a row, never a crash.
for f in not-a-message.txt no-received.eml nul.eml 8bit.eml; do
	extract "$M/$f" >"$WORK/bad.csv"
	st=$?
	is "$st" 0 "$f: not fatal"
	is "$(wc -l <"$WORK/extract.err" | tr -d ' ')" 1 "$f: one line on stderr: $(cat "$WORK/extract.err" | sed 's|.*/||')"
	is "$(csv_tsv "$WORK/bad.csv" | awk -F '\t' 'NR == 2 {print $4}')" none "$f: a row without a suspect"
done
{
	i=0
	while [ $i -le 100 ]; do
		printf 'Received: from h%d (h [198.51.100.%d]) by mx.example.com; Sat, 28 Nov 2026 10:00:00 +0000\n' $i $((i % 250))
		i=$((i + 1))
	done
	printf '\nbody\n'
} >"$WORK/many.eml"
extract "$WORK/many.eml" >/dev/null
grep -q "more than 100 Received fields" "$WORK/extract.err"
ok $? "more Received fields than the cap: a clear message"
{
	printf 'Received: from a (a [198.51.100.1]) by mx.example.com; Sat, 28 Nov 2026 10:00:00 +0000\n'
	i=0
	while [ $i -lt 3000 ]; do
		printf 'X-Filler: %0100d\n' $i
		i=$((i + 1))
	done
} >"$WORK/big.eml"
extract "$WORK/big.eml" >/dev/null
grep -q "header section larger than 262144 bytes" "$WORK/extract.err"
ok $? "a header section over the cap: a clear message"
"$SMTPPROBE" --extract-only --message "$WORK/nonexistent.eml" >/dev/null 2>"$WORK/missing.err"
is "$?" 2 "a missing file is an input error"
"$SMTPPROBE" --extract-only --trusted 'not a name!' --message "$M/seed.eml" >/dev/null 2>&1
is "$?" 2 "a bad --trusted is a usage error"

# --strict: unreadable input is fatal, a chain without a suspect is not.
"$SMTPPROBE" --strict --message "$M/not-a-message.txt" -o "$WORK/strict.csv" 2>"$WORK/strict.err"
is "$?" 2 "--strict: a file that is not a message ends the run"
grep -q "not a message" "$WORK/strict.err"
ok $? "with the reason"
"$SMTPPROBE" --strict --message "$M/internal.eml" -o "$WORK/strict2.csv" 2>"$WORK/strict2.err"
is "$?" 5 "--strict: a message whose chain names no suspect is not an error (exit 5: nothing probed)"
is "$(csv_tsv "$WORK/strict2.csv" | awk -F '\t' 'NR == 2 {print $6}')" skipped "it is a skipped row"
grep -q "every hop is trusted" "$WORK/strict2.err"
ok $? "and one line on stderr says why"

# Probing: the seed's chain with its suspect on the lab. Loopback is
# private, so --trusted names our server's range (auto mode would trust it).
lab_start "$N.2:$P=qmail-localhost" || { ok 1 "lab starts"; done_testing; exit 1; }
"$SMTPPROBE" --allow-private --timeout 2 -p "$P" --trusted 203.0.113.0/24 \
	--message "$M/lab.eml" --message "$M/no-received.eml" -o "$WORK/probe.csv" 2>"$WORK/probe.err"
is "$?" 1 "the suspect is the seed's open server: exit 1"
is "$(cell "$WORK/probe.csv" "$N.2" verdict)" accepts-localhost "the suspect from the chain is probed"
is "$(cell "$WORK/probe.csv" "$N.2" origin)" "<lab-1@example.com>" "its origin is the Message-ID"
is "$(cell "$WORK/probe.csv" "$N.2" hop)" "1:suspect" "hop column"
is "$(cell "$WORK/probe.csv" "$N.2" message_flags)" "lan-hops;utc-zero-timestamps" "message_flags column (no localhost-helo: loopback is not public)"
is "$(rows "$WORK/probe.csv")" 2 "every message gives a row, the one without a suspect too"
is "$(csv_tsv "$WORK/probe.csv" | awk -F '\t' '$6 == "skipped" {print $7}')" "no Received fields" "skipped, with the reason"
grep -q "no-received.eml: no Received fields" "$WORK/probe.err"
ok $? "and one line on stderr"
is "$(grep -c "C: EHLO" "$LAB_LOG" | tr -d ' ')" 1 "the private LAN hop was not probed"
"$SMTPPROBE" --timeout 2 -p "$P" --trusted 203.0.113.0/24 --message "$M/lab.eml" -o "$WORK/noallow.csv" 2>/dev/null
cell "$WORK/noallow.csv" "$N.2" error | grep -q loopback
ok $? "without --allow-private a private suspect is a skipped row"
"$SMTPPROBE" --allow-private --timeout 2 -p "$P" --trusted 203.0.113.0/24 --format text \
	--message "$M/lab.eml" -o "$WORK/probe.txt" 2>/dev/null
grep -q "^  message     hop 1:suspect  lan-hops;utc-zero-timestamps\$" "$WORK/probe.txt"
ok $? "the text report shows the hop and the telltales"
lab_stop report

# --probe-claimed: the forged lower line's public address becomes a target
# too. Both are documentation addresses outside the allowlist: skipped rows,
# nothing connects.
"$SMTPPROBE" --timeout 2 --message "$M/forged.eml" -o "$WORK/claimed0.csv" 2>/dev/null
is "$(rows "$WORK/claimed0.csv")" 1 "by default only the suspect"
"$SMTPPROBE" --timeout 2 --probe-claimed --message "$M/forged.eml" -o "$WORK/claimed.csv" 2>/dev/null
is "$(csv_tsv "$WORK/claimed.csv" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
	{ print $idx["hop"] "=" $idx["ip"] }' | tr '\n' ' ')" \
	"1:suspect=198.51.100.23 2:claimed=203.0.113.5 " "--probe-claimed adds the claimed public hop"
"$SMTPPROBE" --timeout 2 --probe-claimed --message "$M/seed.eml" -o "$WORK/claimed2.csv" 2>/dev/null
is "$(rows "$WORK/claimed2.csv")" 1 "a private claimed hop is never a target, even with --probe-claimed"

done_testing
