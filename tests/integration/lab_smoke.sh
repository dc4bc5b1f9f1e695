#!/bin/sh
# lab_smoke.sh: smtplab on its own: exact bytes of the seed's qmail dialogue,
# a Postfix over ::1, a CIDR listen spec, the loopback-only refusal, the log,
# a failed bind, and a clean SIGTERM. Prints TAP. Every wait is bounded and
# every lab started here is stopped by its PID (trap on EXIT).
#
# Needs nc from netcat-openbsd (-N, -w). Ports 2610-2619 are this test's.

LAB="${top_builddir:-.}/smtplab"
DIR="${TMPDIR:-/tmp}/lab_smoke.$$"
P_QMAIL=2610
P_POSTFIX=2611
P_RANGE=2612
P_SPARE=2613
LAB_PID=
N=0

ok() {
	N=$((N + 1))
	echo "ok $N - $1"
}
not_ok() {
	N=$((N + 1))
	echo "not ok $N - $1"
}
check() { # check DESCRIPTION COMMAND...
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# Waits up to 5 s for PID to exit; kills it if it does not. Sets $RC.
wait_bounded() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		RC=timeout
		return 1
	fi
	wait "$1"
	RC=$?
	return 0
}

cleanup() {
	if [ -n "$LAB_PID" ] && kill -0 "$LAB_PID" 2>/dev/null; then
		kill -TERM "$LAB_PID" 2>/dev/null
		wait_bounded "$LAB_PID"
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! command -v nc >/dev/null 2>&1; then
	echo "1..0 # SKIP nc (netcat-openbsd) is not installed"
	exit 0
fi
if [ ! -x "$LAB" ]; then
	echo "Bail out! $LAB not built"
	exit 1
fi
mkdir "$DIR" || exit 1

# chat HOST PORT: sends stdin, prints what the server said (5 s at most).
chat() {
	nc -N -w 5 "$1" "$2" 2>/dev/null
}

# 1. Loopback only, by construction: refused before any socket, exit 2.
for spec in "192.0.2.1:$P_SPARE=open-relay" "0.0.0.0:$P_SPARE=open-relay" \
	"[::]:$P_SPARE=open-relay" "10.0.0.0/24:$P_SPARE=open-relay" \
	"126.255.255.255:$P_SPARE=open-relay"; do
	"$LAB" --pidfile "$DIR/refused.pid" --listen "$spec" 2>"$DIR/refused.err" &
	pid=$!
	wait_bounded $pid
	check "non-loopback $spec refused with exit 2" [ "$RC" = 2 ]
	check "refusal of $spec says why" grep -q "not loopback" "$DIR/refused.err"
	check "no pidfile after refusing $spec" [ ! -e "$DIR/refused.pid" ]
done

# 2. Start a lab: qmail on 127.0.0.1, Postfix on ::1, and a /29 from a config file.
cat >"$DIR/lab.conf" <<EOF
# a range: every address its own listener

127.3.1.0/29:$P_RANGE=open-relay   # eight listeners
EOF
"$LAB" --pidfile "$DIR/lab.pid" --log "$DIR/lab.log" \
	--listen "127.0.0.1:$P_QMAIL=qmail-localhost" \
	--listen "[::1]:$P_POSTFIX=postfix-closed" \
	--config "$DIR/lab.conf" 2>"$DIR/lab.err" &
LAB_PID=$!
i=0
while [ ! -s "$DIR/lab.pid" ] && kill -0 $LAB_PID 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -s "$DIR/lab.pid" ]; then
	not_ok "smtplab wrote its pidfile within 5 s"
	sed 's/^/# /' "$DIR/lab.err"
	echo "Bail out! smtplab did not start"
	exit 1
fi
ok "smtplab wrote its pidfile within 5 s"
check "the pidfile holds the lab's PID" [ "$(cat "$DIR/lab.pid")" = "$LAB_PID" ]
check "stderr says ready, 10 listeners" grep -qx "smtplab: ready, 10 listeners" "$DIR/lab.err"

# 3. The seed's dialogue with qmail-localhost, byte for byte.
printf 'EHLO probe.example.com\r\nMAIL FROM:<stop-spam@localhost>\r\nRCPT TO:<stop-spam@localhost>\r\nRCPT TO:<stop-spam@example.net>\r\nQUIT\r\n' |
	chat 127.0.0.1 $P_QMAIL >"$DIR/qmail.out"
printf "220 localhost ESMTP\r\n250-localhost\r\n250-PIPELINING\r\n250 8BITMIME\r\n250 ok\r\n250 ok\r\n553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\r\n221 localhost\r\n" \
	>"$DIR/qmail.want"
if cmp -s "$DIR/qmail.out" "$DIR/qmail.want"; then
	ok "qmail-localhost: the seed's dialogue, exact bytes"
else
	not_ok "qmail-localhost: the seed's dialogue, exact bytes"
	od -c "$DIR/qmail.out" | sed 's/^/# got  /'
fi

# 4. Postfix over IPv6: @localhost is relaying for it.
printf 'EHLO probe.example.com\r\nMAIL FROM:<stop-spam@localhost>\r\nRCPT TO:<stop-spam@localhost>\r\nRCPT TO:<postmaster>\r\nQUIT\r\n' |
	chat ::1 $P_POSTFIX >"$DIR/postfix.out"
printf '220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n250 2.1.0 Ok\r\n454 4.7.1 <stop-spam@localhost>: Relay access denied\r\n250 2.1.5 Ok\r\n221 2.0.0 Bye\r\n' \
	>"$DIR/postfix.want"
check "postfix-closed on [::1]: 454 relay denied to @localhost (Postfix 3), exact bytes" \
	cmp -s "$DIR/postfix.out" "$DIR/postfix.want"

# 5. The CIDR spec bound every address of the /29, and nothing past it.
for host in 127.3.1.0 127.3.1.3 127.3.1.7; do
	printf 'QUIT\r\n' | chat $host $P_RANGE >"$DIR/range.out"
	check "CIDR listener $host:$P_RANGE greets" \
		[ "$(printf '220 mail.example.net ESMTP\r\n221 2.0.0 Bye\r\n')" = "$(cat "$DIR/range.out")" ]
done
printf 'QUIT\r\n' | chat 127.3.1.8 $P_RANGE >"$DIR/range.out"
check "nothing listens on 127.3.1.8, past the /29" [ ! -s "$DIR/range.out" ]

# 6. Never a data phase: DATA gets 502, whatever the personality.
printf 'EHLO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nQUIT\r\n' |
	chat 127.3.1.1 $P_RANGE >"$DIR/data.out"
check "open-relay answers DATA with 502 5.5.1" \
	grep -q "^502 5.5.1 smtplab never accepts this command" "$DIR/data.out"

# 7. The log: one line per event, the client's lines as "C: ".
LOG="$DIR/lab.log"
check "log: connect" grep -Eq "^127\.0\.0\.1:$P_QMAIL qmail-localhost 127\.0\.0\.1:[0-9]+ connect\$" "$LOG"
check "log: C: RCPT line" \
	grep -Eq "^127\.0\.0\.1:$P_QMAIL qmail-localhost 127\.0\.0\.1:[0-9]+ C: RCPT TO:<stop-spam@localhost>\$" "$LOG"
check "log: S: first reply line" \
	grep -Eq "^127\.0\.0\.1:$P_QMAIL qmail-localhost 127\.0\.0\.1:[0-9]+ S: 250-localhost\$" "$LOG"
check "log: close" grep -Eq "^127\.0\.0\.1:$P_QMAIL qmail-localhost 127\.0\.0\.1:[0-9]+ close\$" "$LOG"
check "log: IPv6 addresses in brackets" \
	grep -Eq "^\[::1\]:$P_POSTFIX postfix-closed \[::1\]:[0-9]+ C: RCPT TO:<postmaster>\$" "$LOG"
check "log: the DATA the lab refused" grep -Eq "^127\.3\.1\.1:$P_RANGE open-relay .* C: DATA\$" "$LOG"

# 8. A bind that fails: the SPEC named, exit 1, no pidfile.
"$LAB" --pidfile "$DIR/dup.pid" --listen "127.0.0.1:$P_QMAIL=open-relay" 2>"$DIR/dup.err" &
pid=$!
wait_bounded $pid
check "a port in use: exit 1" [ "$RC" = 1 ]
check "a port in use: the message names the SPEC" grep -q "127.0.0.1:$P_QMAIL=open-relay" "$DIR/dup.err"
check "a port in use: no pidfile" [ ! -e "$DIR/dup.pid" ]

# 9. SIGTERM: exit 0, pidfile removed.
kill -TERM $LAB_PID
wait_bounded $LAB_PID
LAB_PID=
check "SIGTERM: exit 0 within 5 s" [ "$RC" = 0 ]
check "SIGTERM: pidfile removed" [ ! -e "$DIR/lab.pid" ]
if grep -q "Sanitizer" "$DIR/lab.err"; then
	not_ok "no sanitizer report"
	sed 's/^/# /' "$DIR/lab.err"
else
	ok "no sanitizer report"
fi

echo "1..$N"
