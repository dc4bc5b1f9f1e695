#!/bin/sh
# bench.sh: smtpprobe against 10,240 loopback targets served by smtplab.
#
#   bench/bench.sh BUILD_DIR [CONCURRENCY...]      (default: 100 1000)
#
# The lab listens on 9,216 addresses of 127.1.0.0/18 with a mix of
# personalities; 1,024 more addresses have no listener (connection refused).
# For each concurrency, the whole list is probed once with no rate limit and
# /usr/bin/time (Debian package "time") reports wall time, CPU time and peak
# RSS of smtpprobe alone. Prints a Markdown table row per run. A benchmark,
# not a test: numbers depend on the machine; compare runs made side by side.
# Traffic stays on 127.0.0.0/8.
#
# BENCH_TRANSCRIPTS=1 runs each concurrency twice in a row, without and with
# --transcripts (10,240 evidence files written to a fresh directory under
# $TMPDIR), and adds a column saying which (issue 6). BENCH_RATE=N sets
# --rate (default 0, no limit).
set -eu
BUILD=${1:?usage: bench.sh BUILD_DIR [CONCURRENCY...]}
shift
[ $# -gt 0 ] || set -- 100 1000
BUILD=$(cd "$BUILD" && pwd)
SMTPPROBE_ALLOWLIST='127.0.0.0/8,::1/128'
export SMTPPROBE_ALLOWLIST
PORT=2700
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-bench.XXXXXX")
LAB_PID=
trap '[ -n "$LAB_PID" ] && kill "$LAB_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

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

MODES=off
TCOL=
TSEP=
if [ "${BENCH_TRANSCRIPTS:-0}" = 1 ]; then
	MODES="off on"
	TCOL=" transcripts |"
	TSEP=" --- |"
fi
echo "| concurrency |$TCOL targets | wall s | dialogues/s | CPU s per 1,000 | peak RSS MiB | verdicts |"
echo "| ---: |$TSEP ---: | ---: | ---: | ---: | ---: | --- |"
for c in "$@"; do
for mode in $MODES; do
	topt= # mktemp's path has no blanks: split on purpose below
	if [ "$mode" = on ]; then
		rm -rf "$WORK/ev"
		mkdir "$WORK/ev"
		topt="--transcripts $WORK/ev"
	fi
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" \
		"$BUILD/smtpprobe" --allow-private -r "${BENCH_RATE:-0}" -c "$c" --timeout 10 -q $topt \
		-f "$WORK/targets.txt" -o "$WORK/out.csv" || [ $? -eq 1 ]
	# /usr/bin/time puts "Command exited with non-zero status 1" first.
	read -r wall user sys rss <<EOT
$(tail -n 1 "$WORK/time.txt")
EOT
	n=$(($(wc -l <"$WORK/out.csv") - 1))
	verdicts=$(cut -d, -f6 "$WORK/out.csv" | sed 1d | sort | uniq -c |
		awk '{printf "%s%s %s", sep, $1, $2; sep = ", "}')
	tcell=
	[ -z "$TCOL" ] || tcell=" $mode |"
	awk -v c="$c" -v t="$tcell" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v v="$verdicts" \
		'BEGIN { printf "| %d |%s %d | %.2f | %.0f | %.3f | %.1f | %s |\n",
			c, t, n, w, n / (w > 0 ? w : 0.01), (u + s) * 1000 / n, r / 1024, v }'
	if [ "$mode" = on ]; then
		files=$(ls "$WORK/ev" | wc -l)
		[ "$files" -eq "$n" ] || echo "bench.sh: $files transcripts for $n rows" >&2
	fi
done
done
