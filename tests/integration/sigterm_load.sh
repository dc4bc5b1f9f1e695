#!/bin/sh
# sigterm_load.sh: SIGTERM in the middle of a busy run (512 targets, 100 at
# a time, fast and slow servers mixed), once and twice. Every row on disk is
# whole (the CSV parses, the file ends with a line end), no target has two
# rows, the count on disk is the count smtpprobe says it wrote, running
# sessions without a verdict are not written (stderr counts them), and the
# exit status is 4 (doc/smtpprobe.1).
# Then --resume completes the run: every target exactly once in the file.
#
# Addresses 127.0.80.128/25, ports 2684-2687 are this test's.
. "$top_srcdir/tests/integration/lib.sh"

N=127.0.80
lab_start "$N.128/25:2684=open-relay" "$N.128/25:2685=postfix-closed" \
	"$N.128/25:2686=drip:20" "$N.128/25:2687=silent" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

: >"$WORK/targets.txt"
i=128
while [ $i -lt 256 ]; do
	for p in 2684 2685 2686 2687; do
		echo "$N.$i:$p" >>"$WORK/targets.txt"
	done
	i=$((i + 1))
done

# run_and_signal NAME SIGNALS: starts a run, waits for 50 rows, sends each signal.
run_and_signal() {
	out=$WORK/$1.csv
	"$SMTPPROBE" --allow-private -c 100 -r 0 --timeout 20 --deadline 30 -f "$WORK/targets.txt" \
		-o "$out" 2>"$WORK/$1.err" &
	pid=$!
	i=0
	while [ "$(rows "$out" 2>/dev/null || echo 0)" -lt 50 ] && [ $i -lt 200 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	for sig in $2; do
		kill -"$sig" "$pid"
		sleep 0.1
	done
	wait_pid "$pid"
	st=$?
	is "$st" 4 "$1: exit status 4 (interrupted)"

	n=$(rows "$out")
	[ "$n" -ge 50 ] && [ "$n" -lt 512 ]
	ok $? "$1: stopped mid-run ($n of 512 rows)"
	cells=$(csv_tsv "$out" | awk -F '\t' 'NR == 1 { n = NF } NF != n { bad++ } END { print bad + 0 }')
	is "$cells" 0 "$1: every row on disk is whole"
	is "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" '\n' "$1: the file ends with a line end"
	is "$(sed 1d "$out" | cut -d, -f2,3 | sort | uniq -d | wc -l | tr -d ' ')" 0 "$1: no target twice"
	said=$(sed -n 's/.*interrupted; \([0-9]*\) finished rows written.*/\1/p' "$WORK/$1.err")
	is "$said" "$n" "$1: stderr's count of rows is the count on disk"
	cut=$(sed -n 's/.*: \([0-9]*\) dialogues* cut by the signal .* not written.*/\1/p' "$WORK/$1.err")
	[ "${cut:-0}" -gt 0 ]
	ok $? "$1: sessions cut before a verdict are not written, and stderr counts them (${cut:-none})"
	bad=$(csv_tsv "$out" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		$idx["error"] == "interrupted" && $idx["verdict"] !~ /^accepts-/ { k++ } END { print k + 0 }')
	is "$bad" 0 "$1: an interrupted row is one that had seen an acceptance"
}

run_and_signal sigterm TERM
run_and_signal twice "TERM TERM"

# The same command with --resume finishes the SIGTERM'd file (shorter
# timeouts, so the silent servers do not hold the suite up).
before=$(rows "$WORK/sigterm.csv")
timeout 60 "$SMTPPROBE" --allow-private -c 100 -r 0 --timeout 2 --deadline 3 -q \
	-f "$WORK/targets.txt" --resume -o "$WORK/sigterm.csv" 2>"$WORK/resume.err"
is "$?" 1 "--resume: exit status 1 (the open relays are in the file)"
is "$(rows "$WORK/sigterm.csv")" 512 "--resume: every target has its row now ($before before)"
is "$(sed 1d "$WORK/sigterm.csv" | cut -d, -f2,3 | sort -u | wc -l | tr -d ' ')" 512 \
	"--resume: every target exactly once"
is "$(grep -c '^timestamp,' "$WORK/sigterm.csv" | tr -d ' ')" 1 "--resume: one header"

lab_stop report
done_testing
