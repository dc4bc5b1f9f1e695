#!/bin/sh
# spamassassin.sh: the differential check. For each fixture message, the
# first untrusted relay that SpamAssassin finds (Mail::SpamAssassin's
# relays_untrusted, trusted_networks set like our --trusted) against the
# suspect of `smtpprobe --extract-only`. They agree, or the row below names
# the documented reason they should not. Offline; skipped only when
# SpamAssassin is not installed (Debian package spamassassin; CI has it).
# Each shape of Received line that is no relay (mail retrieval, local
# delivery: received.c's shape table) has a message here, written from the
# format in the tool's own source, with the MTAs' own real-world shapes.
. "$top_srcdir/tests/integration/lib.sh"

M="$top_srcdir/tests/unit/fixtures/messages"
if ! perl -MMail::SpamAssassin -e 1 2>/dev/null; then
	echo "1..0 # SKIP spamassassin is not installed"
	exit 0
fi

# fixture | --trusted (and trusted_networks) | known difference, or empty
while IFS='|' read -r f trusted diff; do
	[ -n "$f" ] || continue
	theirs=$(perl "$top_srcdir/tests/integration/sa-relays.pl" "$M/$f" "$trusted" 2>/dev/null)
	set -- --extract-only --format csv --message "$M/$f"
	[ -n "$trusted" ] && set -- "$@" --trusted "$trusted"
	ours=$("$SMTPPROBE" "$@" 2>/dev/null | csv_tsv /dev/stdin |
		awk -F '\t' '$4 == "suspect" || $4 == "compromised-account" {print $6; exit}')
	[ -n "$ours" ] || ours=-
	if [ -z "$diff" ]; then
		is "$ours" "$theirs" "$f${trusted:+ (trusted $trusted)}: SpamAssassin agrees ($theirs)"
	else
		# A documented difference: it must still be the one we expect.
		is "$ours/$theirs" "${diff%%:*}" "$f${trusted:+ (trusted $trusted)}: differs by design: ${diff#*:}"
	fi
done <<'LIST'
seed.eml||
seed-crlf.eml||
seed.eml|202.215.137.102|
forged.eml||
relays.eml||
relays.eml|203.0.113.10|
relays.eml|203.0.113.0/24|
ipv6.eml||
time-travel.eml||
internal.eml||
exchange.eml|198.51.100.0/24|
sendmail.eml||
gmail.eml||
opensmtpd.eml||
courier.eml||
lab.eml||
lab.eml|203.0.113.0/24|127.0.60.2/192.168.0.70:SpamAssassin always adds 127.0.0.0/8 to trusted_networks; with --trusted we trust exactly what is given, so the lab can play a suspect on loopback
auth.eml||192.0.2.77/-:an authenticated public hop is a compromised-account suspect here; SpamAssassin trusts it and, with nothing below it, finds no untrusted relay
fetchmail.eml||
fetchmail.eml|127.0.0.0/8|
fetchmail-imap.eml||
fetchmail-imap.eml|10.0.0.0/8|
fetchmail-old.eml||
fetchmail-etrn.eml||203.0.113.109/198.51.100.25:a fetchmail line is a retrieval whatever its protocol; SpamAssassin skips it only with POP3 or IMAP, so with ETRN (or ODMR, POP2) it names the user's own mailbox provider, the address on fetchmail's line
getmail.eml||
getmail.eml|198.51.100.0/24|
getmail-imap.eml||
lmtp.eml||
qmail-invoked.eml||
sendmail-ident.eml||
smtpsvc.eml||
exchange-internal.eml||
exim-local.eml||
opensmtpd-local.eml||
unparsed.eml||-/203.0.113.77:an unreadable line stops our walk with no suspect; SpamAssassin skips it and trusts the lines below it, which the sender may have forged
LIST

done_testing
