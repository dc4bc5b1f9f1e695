#!/bin/sh
# bench.sh: smtpprobe against 10,240 loopback targets served by smtplab.
#
#   [BENCH_PORT=2700] bench/bench.sh [--tls] [--transcripts] [--dns] BUILD_DIR [CONCURRENCY...]
#                                                 (default: 100 1000)
#
# The lab listens on 9,216 addresses of 127.1.0.0/18 with a mix of
# personalities; 1,024 more addresses have no listener (connection refused).
# For each concurrency, the whole list is probed once with no rate limit and
# /usr/bin/time (Debian package "time") reports wall time, CPU time and peak
# RSS of smtpprobe alone. Prints a Markdown table row per run. A benchmark,
# not a test: numbers depend on the machine; compare runs made side by side.
#
# --tls: after the plaintext runs, the same list again against
# STARTTLS personalities (every listener offers or demands STARTTLS, so every
# dialogue that connects upgrades: one TLS 1.3 handshake each, with a P-256
# certificate made here by the openssl command), side by side in one table.
#
# --transcripts: each plaintext run is followed at once by the same
# run with --transcripts (10,240 evidence files written to a fresh directory
# under $TMPDIR), mode "transcripts". BENCH_RATE=N sets --rate (default 0,
# no limit) for every run.
#
# --dns: after the plaintext runs, the same runs with DNS on
# (mode "plaintext+dns"), against a local dnsmasq (Debian package
# dnsmasq-base) on 127.0.0.1:5359 that holds a PTR and a matching A record
# for every one of the 10,240 addresses, so every row costs a PTR and a
# forward lookup. Every other run is --no-dns.
# Traffic stays on 127.0.0.0/8.
set -eu
TLS=0
TRANSCRIPTS=0
DNS=0
while :; do
	case "${1:-}" in
	--tls) TLS=1 ;;
	--transcripts) TRANSCRIPTS=1 ;;
	--dns) DNS=1 ;;
	*) break ;;
	esac
	shift
done
BUILD=${1:?usage: bench.sh [--tls] [--transcripts] [--dns] BUILD_DIR [CONCURRENCY...]}
shift
[ $# -gt 0 ] || set -- 100 1000
BUILD=$(cd "$BUILD" && pwd)
SMTPPROBE_ALLOWLIST='127.0.0.0/8,::1/128'
export SMTPPROBE_ALLOWLIST
# No DNS unless asked for: no query may leave the machine.
SMTPPROBE_DNS_SERVER=none
export SMTPPROBE_DNS_SERVER
PORT=${BENCH_PORT:-2700} # another port when two benchmarks share a machine
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-bench.XXXXXX")
LAB_PID=
DNS_PID=
DNS_PORT=5359
PROBE_DNS=--no-dns
trap '[ -n "$LAB_PID" ] && kill "$LAB_PID" 2>/dev/null; [ -n "$DNS_PID" ] && kill "$DNS_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

cat >"$WORK/plain.conf" <<EOT
# 9,216 listeners; 127.1.36.0/22 is left without one (connection refused).
127.1.0.0/20:$PORT=postfix-closed
127.1.16.0/21:$PORT=qmail-localhost
127.1.24.0/21:$PORT=open-relay
127.1.32.0/22:$PORT=greylist
EOT
# The same ranges, every listener with STARTTLS (offered, demanded, or
# demanded only by a 530).
cat >"$WORK/tls.conf" <<EOT
127.1.0.0/20:$PORT=postfix-starttls
127.1.16.0/21:$PORT=starttls-required
127.1.24.0/21:$PORT=starttls-required:hidden
127.1.32.0/22:$PORT=postfix-starttls
EOT
# 127.1.0.0 .. 127.1.39.255: 10,240 targets.
awk -v port=$PORT 'BEGIN { for (i = 0; i < 40; i++) for (j = 0; j < 256; j++)
	printf "127.1.%d.%d:%d\n", i, j, port }' >"$WORK/targets.txt"

lab_start() { # lab_start CONF [LAB OPTIONS...]
	conf=$1
	shift
	rm -f "$WORK/lab.pid"
	"$BUILD/smtplab" "$@" --config "$conf" --pidfile "$WORK/lab.pid" 2>"$WORK/lab.err" &
	LAB_PID=$!
	i=0
	while [ ! -s "$WORK/lab.pid" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$LAB_PID" 2>/dev/null; then
			cat "$WORK/lab.err" >&2
			exit 1
		fi
		sleep 0.1
	done
}

lab_stop() {
	kill "$LAB_PID"
	wait "$LAB_PID" || true
	LAB_PID=
}

runs() { # runs MODE CONCURRENCY...: one table row per concurrency
	mode=$1
	shift
	for c in "$@"; do
		topt= # mktemp's path has no blanks: split on purpose below
		if [ "$mode" = transcripts ]; then
			rm -rf "$WORK/ev"
			mkdir "$WORK/ev"
			topt="--transcripts $WORK/ev"
		fi
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" \
			"$BUILD/smtpprobe" --allow-private -r "${BENCH_RATE:-0}" -c "$c" --timeout 10 -q \
			$topt $PROBE_DNS -f "$WORK/targets.txt" -o "$WORK/out.csv" || [ $? -eq 1 ]
		# /usr/bin/time puts "Command exited with non-zero status 1" first.
		read -r wall user sys rss <<EOT
$(tail -n 1 "$WORK/time.txt")
EOT
		n=$(($(wc -l <"$WORK/out.csv") - 1))
		verdicts=$(cut -d, -f6 "$WORK/out.csv" | sed 1d | sort | uniq -c |
			awk '{printf "%s%s %s", sep, $1, $2; sep = ", "}')
		# starttls and fcrdns, found by name: the header gives their columns.
		tls=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "starttls") k = i; next }
			k && $k == "used" { u++ } END { print u + 0 }' "$WORK/out.csv")
		fcr=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fcrdns") k = i; next }
			k && $k == "yes" { y++ } END { print y + 0 }' "$WORK/out.csv")
		awk -v m="$mode" -v c="$c" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" \
			-v r="$rss" -v t="$tls" -v f="$fcr" -v v="$verdicts" \
			'BEGIN { printf "| %s | %d | %d | %d | %d | %.2f | %.0f | %.3f | %.1f | %s |\n",
				m, c, n, t, f, w, n / (w > 0 ? w : 0.01), (u + s) * 1000 / n, r / 1024, v }'
		if [ "$mode" = transcripts ] && [ "$(ls "$WORK/ev" | wc -l)" -ne "$n" ]; then
			echo "bench.sh: $(ls "$WORK/ev" | wc -l) transcripts for $n rows" >&2
		fi
	done
}

# DNS: one host-record (A and PTR) per address; nothing else answered.
dns_start() {
	{
		printf 'port=%d\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n' \
			$DNS_PORT
		printf 'user=%s\nlocal=/example.net/\nlocal=/127.in-addr.arpa/\n' "$(id -un)"
		awk 'BEGIN { for (i = 0; i < 40; i++) for (j = 0; j < 256; j++)
			printf "host-record=mx%d.lab.example.net,127.1.%d.%d\n", i * 256 + j, i, j }'
	} >"$WORK/dnsmasq.conf"
	/usr/sbin/dnsmasq --conf-file="$WORK/dnsmasq.conf" --keep-in-foreground \
		--log-facility="$WORK/dnsmasq.log" 2>"$WORK/dnsmasq.err" &
	DNS_PID=$!
	i=0
	until grep -q "started, version" "$WORK/dnsmasq.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$DNS_PID" 2>/dev/null; then
			cat "$WORK/dnsmasq.err" >&2
			exit 1
		fi
		sleep 0.1
	done
}

echo "| mode | concurrency | targets | TLS used | fcrdns yes | wall s | dialogues/s | CPU s per 1,000 | peak RSS MiB | verdicts |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
lab_start "$WORK/plain.conf"
if [ $TRANSCRIPTS -eq 1 ]; then
	for c in "$@"; do # side by side: without, then with
		runs plaintext "$c"
		runs transcripts "$c"
	done
else
	runs plaintext "$@"
fi
if [ $DNS -eq 1 ]; then
	dns_start
	PROBE_DNS="--dns-server=127.0.0.1:$DNS_PORT"
	runs plaintext+dns "$@"
	PROBE_DNS=--no-dns
	kill "$DNS_PID"
	wait "$DNS_PID" || true
	DNS_PID=
fi
lab_stop
if [ $TLS -eq 1 ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
		-subj "/CN=bench.example.org" >/dev/null 2>&1
	lab_start "$WORK/tls.conf" --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
	runs starttls "$@"
	lab_stop
fi
