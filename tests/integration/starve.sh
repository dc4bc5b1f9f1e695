#!/bin/sh
# starve.sh: a signal ends the run within the 2 s grace whatever the run is
# busy with. The loop turns between bounded batches of work, so SIGINT and
# SIGTERM are read while reading an endless input (-f /dev/zero: one line
# that never ends) and while every connect fails at once (-r 0 over an
# unrouted range, where connect() says "network unreachable" at once).
#
# No lab: the first case connects nowhere; the second runs the prober in a
# network namespace of its own (unshare -n: only loopback), so the kernel has
# no route and nothing is sent; skipped where unshare -n is not allowed (not
# root).
. "$top_srcdir/tests/integration/lib.sh"

# run_and_signal NAME SIGNAL COMMAND...: starts COMMAND, signals it after
# 1 s, and checks it ends within 3 s (2 s grace, 1 s for a loaded machine).
run_and_signal() {
	name=$1 sig=$2
	shift 2
	"$@" 2>"$WORK/$name.err" &
	pid=$!
	sleep 1
	kill -0 "$pid" 2>/dev/null
	ok $? "$name: still running after 1 s"
	kill -"$sig" "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	ok $((i >= 30)) "$name: SIG$sig ends the run within 3 s"
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	is "$?" 4 "$name: exit status 4 (interrupted)"
}

run_and_signal endless-input INT "$SMTPPROBE" -q -f /dev/zero -o "$WORK/zero.csv"
run_and_signal endless-input-term TERM "$SMTPPROBE" -q -f /dev/zero -o "$WORK/zero2.csv"
is "$(rows "$WORK/zero.csv")" 1 "endless input: its one (too long) line is a skipped row"

if ! unshare -n true 2>/dev/null; then
	echo "ok $((TAP_N + 1)) # SKIP unshare -n not allowed here: no namespace without routes"
	TAP_N=$((TAP_N + 1))
else
	echo "2001:db8::/104" >"$WORK/unrouted.txt"
	run_and_signal connects-fail INT unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' "$SMTPPROBE" -q --allow-private \
		--allowlist 2001:db8::/104 -r 0 -c 2000 -f "$WORK/unrouted.txt" -o "$WORK/unrouted.csv"
	grep -q ',unreachable,network-unreachable,' "$WORK/unrouted.csv"
	ok $? "connects fail at once: rows say network-unreachable"
fi

done_testing
