# lib.sh: shared helpers of the integration tests (POSIX sh, TAP output).
#
# Every test script sources this, starts the lab on its own loopback
# addresses and ports, and stops it by PID on exit, whatever happens. All
# traffic stays on 127.0.0.0/8 and ::1; every wait is bounded.

: "${top_builddir:?run under make check}"
: "${top_srcdir:?run under make check}"
SMTPPROBE="$top_builddir/smtpprobe"
SMTPLAB="$top_builddir/smtplab"
SMTPPROBE_ALLOWLIST='127.0.0.0/8,::1/128'
export SMTPPROBE_ALLOWLIST
# DNS off unless a test passes --dns-server to its own dnsmasq: no query
# ever goes to /etc/resolv.conf's server.
SMTPPROBE_DNS_SERVER=none
export SMTPPROBE_DNS_SERVER

TAP_N=0
TAP_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-test.XXXXXX")
LAB_PID=

DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
DNSMASQ_PID=

cleanup() {
	stop_pid "$DNSMASQ_PID"
	lab_stop
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { # ok COND-EXIT-STATUS DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# lab_start SPEC... : starts smtplab with one --listen per SPEC and waits
# (at most 10 s) for its pidfile, which it writes once every listener is bound.
# LAB_OPTS, when set, adds options (no blanks inside one), e.g. --tls-cert F.
lab_start() {
	LAB_LOG="$WORK/lab.log"
	LAB_PIDFILE="$WORK/lab.pid"
	set -- $(for s in "$@"; do printf -- '--listen %s ' "$s"; done)
	"$SMTPLAB" ${LAB_OPTS:-} --log "$LAB_LOG" --pidfile "$LAB_PIDFILE" "$@" 2>"$WORK/lab.err" &
	LAB_PID=$!
	i=0
	while [ ! -s "$LAB_PIDFILE" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$LAB_PID" 2>/dev/null; then
			echo "# smtplab did not start:"
			sed 's/^/#   /' "$WORK/lab.err"
			LAB_PID=
			return 1
		fi
		sleep 0.1
	done
}

# lab_stop [report]: SIGTERM to the lab's PID, then wait for it (bounded).
# With "report", a TAP line says whether it exited cleanly: status 0, so no
# sanitizer or leak report either.
lab_stop() {
	[ -n "$LAB_PID" ] || return 0
	stop_pid "$LAB_PID"
	st=$?
	LAB_PID=
	if [ "${1:-}" = report ]; then
		ok $st "smtplab exits cleanly on SIGTERM (status $st)"
		[ $st -eq 0 ] || sed 's/^/#   /' "$WORK/lab.err" | tail -20
	fi
}

# csv_tsv FILE: the CSV as tab-separated cells.
csv_tsv() {
	awk -f "$top_srcdir/tests/integration/csv2tsv.awk" "$1"
}

# cell FILE IP COLUMN: the COLUMN cell of the row whose ip is IP.
cell() {
	csv_tsv "$1" | awk -F '\t' -v ip="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		$idx["ip"] == ip { print $idx[col]; exit }'
}

# rows FILE: number of data rows.
rows() {
	echo $(($(wc -l <"$1") - 1))
}

# wait_pid PID [TENTHS]: waits at most TENTHS tenths of a second (default
# 100) for PID to end, then SIGKILL; returns its exit status.
wait_pid() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt "${2:-100}" ]; do
		i=$((i + 1))
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# stop_pid PID: SIGTERM, at most 5 s, then SIGKILL; returns its exit status.
stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	wait_pid "$1" 50
}

# dnsmasq_require: skips the whole test where dnsmasq is not installed.
dnsmasq_require() {
	[ -x "$DNSMASQ" ] && return 0
	echo "1..0 # SKIP $DNSMASQ not installed (Debian package dnsmasq-base)"
	exit 0
}

# dnsmasq_conf PORT: starts $WORK/dnsmasq.conf with what every test's dnsmasq
# needs: 127.0.0.1:PORT only, nothing forwarded, nothing read from the system,
# every query logged to $WORK/dnsmasq.log. The test appends its records.
dnsmasq_conf() {
	cat >"$WORK/dnsmasq.conf" <<EOT
port=$1
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
no-poll
user=$(id -un)
log-queries
log-facility=$WORK/dnsmasq.log
EOT
}

# dnsmasq_start PORT: starts the test's own dnsmasq with $WORK/dnsmasq.conf
# (which logs to $WORK/dnsmasq.log and listens on 127.0.0.1:PORT only), waits
# at most 10 s for it, and says so in a TAP line; the test ends if it did not
# start. cleanup stops it by its PID.
dnsmasq_start() {
	"$DNSMASQ" --conf-file="$WORK/dnsmasq.conf" --keep-in-foreground 2>"$WORK/dnsmasq.err" &
	DNSMASQ_PID=$!
	i=0
	until grep -q "started, version" "$WORK/dnsmasq.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$DNSMASQ_PID" 2>/dev/null; then
			echo "# dnsmasq did not start:"
			sed 's/^/#   /' "$WORK/dnsmasq.err"
			DNSMASQ_PID=
			ok 1 "dnsmasq starts"
			done_testing
			exit 1
		fi
		sleep 0.1
	done
	ok 0 "dnsmasq starts on 127.0.0.1:$1"
}
