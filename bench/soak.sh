#!/bin/sh
# soak.sh: 100,000 dialogues at concurrency 2,000 against smtplab with random
# faults, in one smtpprobe process ("faults and load").
#
#   bench/soak.sh BUILD_DIR [TARGETS] [CONCURRENCY]   (default: 100000 2000)
#
# Six smtplab processes (one process holds at most RLIMIT_NOFILE listeners)
# serve 98,304 addresses in 127.10.0.0/15 .. on port 2800, in /22 blocks of 16
# personalities: well-behaved ones (open relay, Postfix, qmail, greylisting,
# Exim, OpenSMTPD) and faults: TCP resets, garbage, an endless line, early
# talkers, mixed reply codes, deaf servers (stalls until --timeout), 1 byte per
# 50 ms (until --deadline), closes at connect, binary bytes, floods. The other
# targets have no listener (connection refused). The list is shuffled with a
# fixed seed, so faults come in random order, and fed to smtpprobe through a
# pipe that stays open after the last target: once every row is written the
# process is idle but alive, and its descriptors and RSS can be read from
# /proc before the pipe is closed.
#
# Then a second round interrupts and resumes: the same targets (the labs'
# full /18s as range lines), SIGTERM at a third of the rows, the same command
# with --resume, and the file must hold every target exactly once.
#
# Checked, and the script exits 1 if any fails: exactly one row per target (no
# loss, no duplicate) in each round, descriptors back to the count before the first target,
# RSS flat after warm-up: the peak after 25% of the rows at most 10% over the
# RSS at 25%, plus what the dedupe set of distinct targets may take by design
# (targets/source.c: 20-byte slots, load <= 3/4, doubling: < 64 B a target).
# Prints a Markdown summary and the samples (second, rows, fds, RSS KiB).
#
# Then a descriptor-pressure round: the same targets from a file,
# same concurrency, under `ulimit -n NOFILE` (default 512): the clamp and the
# retry of connects that find no descriptor must lose nothing, so again one
# row per target, and as many accepts-relay and unreachable rows as above.
# A benchmark, not a test: run by hand, results in bench/RESULTS.md.
set -eu
BUILD=${1:?usage: soak.sh BUILD_DIR [TARGETS] [CONCURRENCY] [NOFILE]}
TARGETS=${2:-100000}
CONC=${3:-2000}
NOFILE=${4:-512}
BUILD=$(cd "$BUILD" && pwd)
SMTPPROBE_ALLOWLIST='127.0.0.0/8,::1/128'
# DNS is on by default there: no query may leave the machine.
SMTPPROBE_DNS_SERVER=none
export SMTPPROBE_ALLOWLIST SMTPPROBE_DNS_SERVER
PORT=2800
LABS=6
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-soak.XXXXXX")
LAB_PIDS=
PROBE_PID=
cleanup() {
	exec 9>&- 2>/dev/null || true
	[ -n "$PROBE_PID" ] && kill "$PROBE_PID" 2>/dev/null
	for p in $LAB_PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# 16 personalities, one per /22 of each lab's /18.
set -- open-relay postfix-closed qmail-localhost greylist exim-closed opensmtpd-closed \
	reset garbage endless-line early-talker mixed-codes deaf close-on-connect binary flood drip:50
k=0
while [ $k -lt $LABS ]; do
	b=0
	for p in "$@"; do
		echo "127.$((10 + k)).$((b * 4)).0/22:$PORT=$p"
		b=$((b + 1))
	done >"$WORK/lab$k.conf"
	"$BUILD/smtplab" --config "$WORK/lab$k.conf" --pidfile "$WORK/lab$k.pid" \
		--log /dev/null 2>"$WORK/lab$k.err" &
	LAB_PIDS="$LAB_PIDS $!"
	k=$((k + 1))
done
k=0
while [ $k -lt $LABS ]; do
	i=0
	while [ ! -s "$WORK/lab$k.pid" ]; do
		i=$((i + 1))
		if [ $i -gt 600 ]; then
			cat "$WORK/lab$k.err" >&2
			exit 1
		fi
		sleep 0.1
	done
	k=$((k + 1))
done

# TARGETS addresses: the labs' 98,304, then 127.20.0.0/16 (no listener).
awk -v n="$TARGETS" -v labs=$LABS -v port=$PORT 'BEGIN {
	for (i = 0; i < n; i++) {
		if (i < labs * 16384) {
			k = int(i / 16384); r = i % 16384
			printf "127.%d.%d.%d:%d\n", 10 + k, int(r / 256), r % 256, port
		} else {
			r = i - labs * 16384
			printf "127.20.%d.%d:%d\n", int(r / 256), r % 256, port
		}
	}}' >"$WORK/ordered.txt"
openssl enc -aes-128-ctr -pass pass:smtpprobe-soak -nosalt </dev/zero 2>/dev/null |
	head -c 1048576 >"$WORK/seed"
shuf --random-source="$WORK/seed" "$WORK/ordered.txt" >"$WORK/targets.txt"

mkfifo "$WORK/in"
start=$(date +%s)
"$BUILD/smtpprobe" --allow-private -r 0 -c "$CONC" --timeout 2 --deadline 4 -q -f - \
	-o "$WORK/out.csv" <"$WORK/in" 2>"$WORK/probe.err" &
PROBE_PID=$!
exec 9>"$WORK/in"
sleep 1

fds() { ls "/proc/$PROBE_PID/fd" | wc -l | tr -d ' '; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$PROBE_PID/status"; }
rows_now_of() { if [ -s "$1" ]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi; }
rows_now() { rows_now_of "$WORK/out.csv"; }
FD0=$(fds)
RSS0=$(rss)
cat "$WORK/targets.txt" >&9 &
FEED=$!
: >"$WORK/samples"
while :; do
	r=$(rows_now)
	echo "$(($(date +%s) - start)) $r $(fds) $(rss)" >>"$WORK/samples"
	[ "$r" -ge "$TARGETS" ] && break
	kill -0 "$PROBE_PID" 2>/dev/null || break
	[ $(($(date +%s) - start)) -gt 1800 ] && break
	sleep 1
done
wait "$FEED" || true
sleep 1
FD1=$(fds)
RSS1=$(rss)
ROWS=$(rows_now)
exec 9>&-
status=0
wait "$PROBE_PID" || status=$?
PROBE_PID=
end=$(date +%s)

uniq_rows=$(cut -d, -f2,3 "$WORK/out.csv" | sed 1d | sort -u | wc -l | tr -d ' ')
# RSS after warm-up: the sample at 25% of the rows against the peak of the rest.
read -r rss25 rssmax <<EOT
$(awk -v q=$((TARGETS / 4)) '$2 >= q && !a { a = $4 } $2 >= q && $4 > m { m = $4 }
	END { print a + 0, m + 0 }' "$WORK/samples")
EOT

echo "| targets | concurrency | wall s | rows | distinct ip:port | exit | fds before / after | RSS KiB before / at 25% / peak after 25% / after |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
echo "| $TARGETS | $CONC | $((end - start)) | $ROWS | $uniq_rows | $status | $FD0 / $FD1 | $RSS0 / $rss25 / $rssmax / $RSS1 |"
echo
echo "verdict and error counts:"
cut -d, -f6,7 "$WORK/out.csv" | sed 1d | sort | uniq -c | sort -rn | sed 's/^/    /'
echo
echo "samples (second, rows, open fds, RSS KiB), every 5th:"
awk 'NR % 5 == 1' "$WORK/samples" | sed 's/^/    /'
[ -s "$WORK/probe.err" ] && sed 's/^/    stderr: /' "$WORK/probe.err"

# Interrupt, then resume: the same targets, each lab's /18 written as one
# range line when all of it is among them (the rest stays a list), shuffled;
# SIGTERM once a third of the rows are written, then the same command with
# --resume. Every target must end exactly once in the file, as in the first
# round; verdicts that differ from the first round's are counted.
awk -v n="$TARGETS" -v labs=$LABS 'BEGIN {
		for (k = 0; k < labs && (k + 1) * 16384 <= n; k++) printf "127.%d.0.0/18\n", 10 + k
		full = k }
	{ split($0, o, "."); k = o[2] - 10; if (k < 0 || k >= full) print }' \
	"$WORK/ordered.txt" | shuf --random-source="$WORK/seed" >"$WORK/resume-targets.txt"
ranges=$(grep -c / "$WORK/resume-targets.txt" || true)
rstart=$(date +%s)
"$BUILD/smtpprobe" --allow-private -p $PORT -r 0 -c "$CONC" --timeout 2 --deadline 4 -q \
	-f "$WORK/resume-targets.txt" -o "$WORK/resume.csv" 2>"$WORK/resume1.err" &
PROBE_PID=$!
i=0
while [ "$(rows_now_of "$WORK/resume.csv")" -lt $((TARGETS / 3)) ] && [ $i -lt 6000 ]; do
	kill -0 "$PROBE_PID" 2>/dev/null || break
	i=$((i + 1))
	sleep 0.1
done
kill -TERM "$PROBE_PID" 2>/dev/null || true
rstatus1=0
wait "$PROBE_PID" || rstatus1=$?
PROBE_PID=
cut_at=$(rows_now_of "$WORK/resume.csv")
rstatus2=0
timeout 1800 "$BUILD/smtpprobe" --allow-private -p $PORT -r 0 -c "$CONC" --timeout 2 \
	--deadline 4 -f "$WORK/resume-targets.txt" --resume -o "$WORK/resume.csv" \
	2>"$WORK/resume2.err" || rstatus2=$?
rend=$(date +%s)
RROWS=$(rows_now_of "$WORK/resume.csv")
runiq=$(cut -d, -f2,3 "$WORK/resume.csv" | sed 1d | sort -u | wc -l | tr -d ' ')
rheaders=$(grep -c '^timestamp,' "$WORK/resume.csv" || true)
rcut=$(cut -d, -f7 "$WORK/resume.csv" | grep -c '^interrupted$' || true)
cut -d, -f2,3,6 "$WORK/out.csv" | sed 1d | sort >"$WORK/v1"
cut -d, -f2,3,6 "$WORK/resume.csv" | sed 1d | sort >"$WORK/v2"
rdiffer=$(comm -13 "$WORK/v1" "$WORK/v2" | wc -l | tr -d ' ')

echo
echo "interrupt, then resume ($ranges range lines, the rest a list; SIGTERM at a third):"
echo
echo "| targets | rows at SIGTERM | exit | rows after --resume | distinct ip:port | headers | exit | wall s (both) | rows cut by the signal | verdicts unlike the first round |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
echo "| $TARGETS | $cut_at | $rstatus1 | $RROWS | $runiq | $rheaders | $rstatus2 | $((rend - rstart)) | $rcut | $rdiffer |"
sed 's/^/    stderr: /' "$WORK/resume2.err"
if [ "$rdiffer" -gt 0 ]; then
	echo
	echo "verdicts unlike the first round (first round -> this one, error of this one):"
	cut -d, -f2,3,6,7 "$WORK/resume.csv" | sed 1d |
		awk -F, 'NR == FNR { v[$1 "," $2] = $3; next }
			v[$1 "," $2] != $3 { print v[$1 "," $2] " -> " $3 ", " $4 }' "$WORK/v1" - |
		sort | uniq -c | sort -rn | head -12 | sed 's/^/    /'
fi

fail=0
[ "$RROWS" -eq "$TARGETS" ] || { echo "FAIL: resume: $RROWS rows for $TARGETS targets"; fail=1; }
[ "$runiq" -eq "$TARGETS" ] || { echo "FAIL: resume: $runiq distinct targets in the rows"; fail=1; }
[ "$rheaders" -eq 1 ] || { echo "FAIL: resume: $rheaders headers"; fail=1; }
[ "$rstatus1" -eq 4 ] || { echo "FAIL: resume: SIGTERM gave exit status $rstatus1 (want 4)"; fail=1; }

# The descriptor-pressure round.
pstart=$(date +%s)
pstatus=0
(ulimit -n "$NOFILE" && exec "$BUILD/smtpprobe" --allow-private -r 0 -c "$CONC" --timeout 2 \
	--deadline 4 -f "$WORK/targets.txt" -o "$WORK/pressure.csv") 2>"$WORK/pressure.err" ||
	pstatus=$?
pend=$(date +%s)
count() { grep -c ",$2," "$1" | tr -d ' '; }
prows=$(($(wc -l <"$WORK/pressure.csv") - 1))
puniq=$(cut -d, -f2,3 "$WORK/pressure.csv" | sed 1d | sort -u | wc -l | tr -d ' ')
echo
echo "descriptor pressure: ulimit -n $NOFILE, -c $CONC, the same $TARGETS targets from a file"
echo
echo "| ulimit -n | wall s | rows | distinct ip:port | exit | accepts-relay (above) | unreachable (above) |"
echo "| ---: | ---: | ---: | ---: | ---: | --- | --- |"
echo "| $NOFILE | $((pend - pstart)) | $prows | $puniq | $pstatus |" \
	"$(count "$WORK/pressure.csv" accepts-relay) ($(count "$WORK/out.csv" accepts-relay)) |" \
	"$(count "$WORK/pressure.csv" unreachable) ($(count "$WORK/out.csv" unreachable)) |"
sed 's/^/    stderr: /' "$WORK/pressure.err"

[ "$prows" -eq "$TARGETS" ] || { echo "FAIL: pressure: $prows rows for $TARGETS targets"; fail=1; }
[ "$puniq" -eq "$TARGETS" ] || { echo "FAIL: pressure: $puniq distinct targets"; fail=1; }
for v in accepts-relay unreachable; do
	[ "$(count "$WORK/pressure.csv" $v)" -eq "$(count "$WORK/out.csv" $v)" ] ||
		{ echo "FAIL: pressure: $v rows differ from the first round"; fail=1; }
done
[ "$pstatus" -eq 1 ] || { echo "FAIL: pressure: exit status $pstatus (want 1)"; fail=1; }
[ "$ROWS" -eq "$TARGETS" ] || { echo "FAIL: $ROWS rows for $TARGETS targets"; fail=1; }
[ "$uniq_rows" -eq "$TARGETS" ] || { echo "FAIL: $uniq_rows distinct targets in the rows"; fail=1; }
[ "$FD1" -eq "$FD0" ] || { echo "FAIL: $FD0 descriptors before, $FD1 after"; fail=1; }
[ $((rssmax * 10)) -le $((rss25 * 11 + TARGETS * 64 * 10 / 1024)) ] ||
	{ echo "FAIL: RSS grew after warm-up"; fail=1; }
[ "$status" -eq 1 ] || { echo "FAIL: exit status $status (want 1: open relays)"; fail=1; }
exit $fail
