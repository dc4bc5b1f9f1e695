#!/bin/sh
# demo.sh (make demo): start smtplab on loopback with the seed's qmail, an
# open relay, a closed Postfix and a few others; probe them all with the
# built smtpprobe; print the report; stop the lab. Exits non-zero when a
# verdict is not the one each personality is there to show.
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
SMTPPROBE_ALLOWLIST='127.0.0.0/8,::1/128'
export SMTPPROBE_ALLOWLIST
# No DNS in the demo: the lab's loopback names are nobody's to ask about,
# and no query may leave the machine (tests/integration/dns.sh shows DNS).
SMTPPROBE_DNS_SERVER=none
export SMTPPROBE_DNS_SERVER
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-demo.XXXXXX")
LAB_PID=
trap '[ -n "$LAB_PID" ] && kill "$LAB_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

"$top_builddir/smtplab" --pidfile "$WORK/lab.pid" --log "$WORK/lab.log" \
	--listen 127.0.0.11:2525=qmail-localhost \
	--listen 127.0.0.12:2525=open-relay \
	--listen 127.0.0.13:2525=postfix-closed \
	--listen 127.0.0.14:2525=greylist \
	--listen 127.0.0.15:2525=auth-required \
	--listen 127.0.0.16:2525=refuse-554 \
	--listen 127.0.0.17:2525=http \
	--listen '[::1]:2525=postfix-closed' 2>"$WORK/lab.err" &
LAB_PID=$!
i=0
while [ ! -s "$WORK/lab.pid" ]; do
	i=$((i + 1))
	[ $i -le 100 ] && kill -0 "$LAB_PID" 2>/dev/null || { echo "demo: smtplab did not start" >&2; exit 1; }
	sleep 0.1
done

cd "$WORK" || exit 1
cat >suspects.txt <<EOT
# The seed: a home line's qmail that calls itself localhost.
127.0.0.11:2525
127.0.0.12:2525   an open relay
127.0.0.13:2525   a closed Postfix 3 (454 4.7.1 Relay access denied)
127.0.0.14:2525   greylisting
127.0.0.15:2525   authentication required
127.0.0.16:2525   no SMTP service here
127.0.0.17:2525   a web server
127.0.0.18:2525   nothing listens here
[::1]:2525
EOT

echo "== smtpprobe --allow-private --timeout 2 -f suspects.txt --format text"
"$top_builddir/smtpprobe" --allow-private --timeout 2 -f suspects.txt --format text
rc=$?
echo
echo "== the same run as CSV (-o demo.csv)"
"$top_builddir/smtpprobe" --allow-private --timeout 2 -q -f suspects.txt -o demo.csv
cat demo.csv
kill "$LAB_PID" && wait "$LAB_PID"
LAB_PID=

fail=0
expect() {
	grep -q "^[^,]*,$1,[^,]*,[^,]*,[^,]*,$2," demo.csv ||
		{ echo "demo: expected $1 to be $2" >&2; fail=1; }
}
expect 127.0.0.11 accepts-localhost
expect 127.0.0.12 accepts-relay
expect 127.0.0.13 smtp-closed
expect 127.0.0.14 tempfail
grep -q "^[^,]*,127.0.0.13,[^,]*,[^,]*,[^,]*,smtp-closed,,relay-deferred," demo.csv ||
	{ echo "demo: expected 127.0.0.13's 454 relay denial to be flagged relay-deferred" >&2; fail=1; }
expect 127.0.0.18 unreachable
[ $rc -eq 1 ] || { echo "demo: exit status $rc, expected 1 (open servers found)" >&2; fail=1; }
if grep -qiE ' C: (DATA|BDAT|VRFY|EXPN|AUTH)' "$WORK/lab.log"; then
	echo "demo: the lab received a forbidden command" >&2
	fail=1
fi
[ $fail -eq 0 ] && echo "demo: the seed's server is found (accepts-localhost), the open relay too; the closed Postfix is closed (its 454 a deferred denial), greylisting is tempfail."
exit $fail
