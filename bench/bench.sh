#!/bin/sh
# bench.sh: smtpprobe against 10,240 loopback targets served by smtplab.
#
#   [BENCH_PORT=2700] bench/bench.sh BUILD_DIR [CONCURRENCY...]   (default: 100 1000)
#
# The lab listens on 9,216 addresses of 127.1.0.0/18 with a mix of
# personalities; 1,024 more addresses have no listener (connection refused).
# For each concurrency, the whole list is probed once with no rate limit and
# /usr/bin/time (Debian package "time") reports wall time, CPU time and peak
# RSS of smtpprobe alone. Prints a Markdown table row per run. A benchmark,
# not a test: numbers depend on the machine; compare runs made side by side.
# Traffic stays on 127.0.0.0/8.
#
# DNS (issue 4): each concurrency is run twice, side by side: with --no-dns,
# and with DNS on against a local dnsmasq (Debian package dnsmasq-base) on
# 127.0.0.1:5359 that holds a PTR and a matching A record for every one of
# the 10,240 addresses, so every row costs a PTR and a forward lookup.
set -eu
BUILD=${1:?usage: bench.sh BUILD_DIR [CONCURRENCY...]}
shift
[ $# -gt 0 ] || set -- 100 1000
BUILD=$(cd "$BUILD" && pwd)
SMTPPROBE_ALLOWLIST='127.0.0.0/8,::1/128'
export SMTPPROBE_ALLOWLIST
PORT=${BENCH_PORT:-2700} # another port lets two benchmarks share the machine
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-bench.XXXXXX")
LAB_PID=
DNS_PID=
DNS_PORT=5359
trap '[ -n "$LAB_PID" ] && kill "$LAB_PID" 2>/dev/null; [ -n "$DNS_PID" ] && kill "$DNS_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

cat >"$WORK/lab.conf" <<EOT
# 9,216 listeners; 127.1.36.0/22 is left without one (connection refused).
127.1.0.0/20:$PORT=postfix-closed
127.1.16.0/21:$PORT=qmail-localhost
127.1.24.0/21:$PORT=open-relay
127.1.32.0/22:$PORT=greylist
EOT
# 127.1.0.0 .. 127.1.39.255: 10,240 targets.
awk -v port=$PORT 'BEGIN { for (i = 0; i < 40; i++) for (j = 0; j < 256; j++)
	printf "127.1.%d.%d:%d\n", i, j, port }' >"$WORK/targets.txt"

"$BUILD/smtplab" --config "$WORK/lab.conf" --pidfile "$WORK/lab.pid" 2>"$WORK/lab.err" &
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

# DNS: one host-record (A and PTR) per address; nothing else answered.
{
	printf 'port=%d\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n' $DNS_PORT
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

echo "| concurrency | DNS | targets | wall s | dialogues/s | CPU s per 1,000 | peak RSS MiB | fcrdns | verdicts |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
for c in "$@"; do
for dns in off on; do
	dns_args=--no-dns
	[ $dns = off ] || dns_args="--dns-server=127.0.0.1:$DNS_PORT"
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" \
		"$BUILD/smtpprobe" --allow-private -r 0 -c "$c" --timeout 10 -q $dns_args \
		-f "$WORK/targets.txt" -o "$WORK/out.csv" || [ $? -eq 1 ]
	# /usr/bin/time puts "Command exited with non-zero status 1" first.
	read -r wall user sys rss <<EOT
$(tail -n 1 "$WORK/time.txt")
EOT
	n=$(($(wc -l <"$WORK/out.csv") - 1))
	verdicts=$(cut -d, -f6 "$WORK/out.csv" | sed 1d | sort | uniq -c |
		awk '{printf "%s%s %s", sep, $1, $2; sep = ", "}')
	fcrdns=$(awk -F, 'NR > 1 {print $NF}' "$WORK/out.csv" | sort | uniq -c |
		awk '{printf "%s%s %s", sep, $1, $2 == "" ? "-" : $2; sep = ", "}')
	awk -v c="$c" -v d="$dns" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
		-v f="$fcrdns" -v v="$verdicts" \
		'BEGIN { printf "| %d | %s | %d | %.2f | %.0f | %.3f | %.1f | %s | %s |\n",
			c, d, n, w, n / (w > 0 ? w : 0.01), (u + s) * 1000 / n, r / 1024, f, v }'
done
done
