#!/bin/sh
# resume_range.sh: a run over a 4,096-address range and a list, stopped by
# SIGTERM after 3 s, then the same command with --resume: the file ends with
# the rows an uninterrupted run writes, every target exactly once (the
# range's addresses as the list's), each with the verdict its server gives,
# and nothing already in the file is probed or written again: not a
# dialogue's row, not a skipped (excluded) one, not a bad line. The same for
# two --shard halves, and for a range of 524,288 addresses, whose resumed run
# costs memory by the rows already there, not by the range.
#
# Addresses 127.5.0.0/20 and 127.5.16.0/26 (port 2690, the lab) and
# 127.64.0.0/13 (port 2699, nothing listening) are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2690
N=127.5
# Open relays on the range's first half and the list, Postfix refusing on the
# range's second half; 127.5.15.0/24 is excluded, so skipped.
lab_start "$N.0.0/21:$P=open-relay" "$N.8.0/21:$P=postfix-closed" "$N.16.0/26:$P=open-relay" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

# Half the list, a bad line, the range, the other half of the list.
: >"$WORK/targets.txt"
i=0
while [ $i -lt 32 ]; do
	echo "$N.16.$i:$P" >>"$WORK/targets.txt"
	i=$((i + 1))
done
echo "not-an-address" >>"$WORK/targets.txt"
echo "$N.0.0/20" >>"$WORK/targets.txt"
while [ $i -lt 64 ]; do
	echo "$N.16.$i:$P" >>"$WORK/targets.txt"
	i=$((i + 1))
done
echo "$N.15.0/24 # held back" >"$WORK/exclude.txt"

# rowset CSV: each row as ip:port, or as origin and reason when it has no
# address, sorted; interrupted rows apart (see below).
rowset() {
	csv_tsv "$1" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		$idx["ip"] != "" { print $idx["ip"] ":" $idx["port"]; next }
		{ print $idx["origin"] " " $idx["verdict"] " " $idx["error"] }' | sort
}

# At 600 new dialogues a second the run takes 7 s: SIGTERM after 3 s.
"$SMTPPROBE" --allow-private -p $P -c 50 -r 600 --timeout 5 -q --exclude "$WORK/exclude.txt" \
	-f "$WORK/targets.txt" -o "$WORK/out.csv" 2>"$WORK/first.err" &
pid=$!
sleep 3
kill -TERM "$pid"
wait_pid "$pid"
is "$?" 4 "SIGTERM after 3 s: exit status 4"
before=$(rows "$WORK/out.csv")
[ "$before" -gt 100 ] && [ "$before" -lt 3800 ]
ok $? "stopped part way: $before rows"

"$SMTPPROBE" --allow-private -p $P -c 50 -r 0 --timeout 5 --exclude "$WORK/exclude.txt" \
	-f "$WORK/targets.txt" --resume -o "$WORK/out.csv" 2>"$WORK/resume.err"
is "$?" 1 "--resume: exit status 1 (open relays in the file)"
sed 's/^/#   /' "$WORK/resume.err"
grep -q "^smtpprobe: resumed: $before rows already in $WORK/out.csv, not probed again\$" \
	"$WORK/resume.err"
ok $? "stderr: resumed: $before rows already in the file"
is "$(grep -c '^timestamp,' "$WORK/out.csv")" 1 "one header"

# The lab saw every address it serves, and each once over both runs, but
# for a dialogue the signal cut (probed again if its row was not written):
# nothing in the file was probed again.
grep ' connect$' "$LAB_LOG" | cut -d' ' -f1 | sort | uniq -c >"$WORK/connects.txt"
is "$(wc -l <"$WORK/connects.txt" | tr -d ' ')" 3904 \
	"3,904 servers reached: 4,096 + 64 less the 256 excluded"
twice=$(awk '$1 > 1' "$WORK/connects.txt" | wc -l | tr -d ' ')
ok $([ "$twice" -le 50 ]; echo $?) "no server probed again but those the signal cut ($twice)"
is "$(awk '$1 > 2' "$WORK/connects.txt" | wc -l | tr -d ' ')" 0 "none more than twice"

# The same command, uninterrupted, into another file: the rows to compare with.
"$SMTPPROBE" --allow-private -p $P -c 50 -r 0 --timeout 5 -q --exclude "$WORK/exclude.txt" \
	-f "$WORK/targets.txt" -o "$WORK/ref.csv"
TOTAL=$(rows "$WORK/ref.csv")
rowset "$WORK/ref.csv" >"$WORK/ref.set"
rowset "$WORK/out.csv" >"$WORK/out.set"
is "$(rows "$WORK/out.csv")" "$TOTAL" "--resume: $TOTAL rows, as many as an uninterrupted run"
is "$(sed -n 's/^smtpprobe: \([0-9]*\) targets\{0,1\} in .*/\1/p' "$WORK/resume.err")" \
	$((TOTAL - before)) "the resumed run's summary counts the $((TOTAL - before)) rows it added"
is "$(csv_tsv "$WORK/ref.csv" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
	$idx["ip"] != "" && $idx["verdict"] != "skipped" { k++ } END { print k + 0 }')" 3904 \
	"the uninterrupted run: 3,904 addresses probed, the excluded ones skipped"
is "$(uniq -d "$WORK/out.set" | wc -l | tr -d ' ')" 0 "no target twice"
cmp -s "$WORK/ref.set" "$WORK/out.set"
ok $? "the same targets and rows without an address as the uninterrupted run"
diff "$WORK/ref.set" "$WORK/out.set" | head -5 | sed 's/^/#   /'
is "$(grep -c 'not an address' "$WORK/out.csv")" 1 "the bad line once"
is "$(grep -c 'excluded: 127.5.15.0/24 (held back)' "$WORK/out.csv")" \
	"$(grep -c 'excluded: 127.5.15.0/24 (held back)' "$WORK/ref.csv")" \
	"the excluded addresses' skipped rows as in the uninterrupted run"
# The verdict each server gives. A dialogue cut by the signal is another
# matter (a row with error "interrupted" while such rows are still written):
# it is counted apart, and only the first run may have it.
verdicts() {
	csv_tsv "$1" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
	$idx["ip"] == "" || $idx["error"] == "interrupted" { next }
	{ split($idx["ip"], o, ".")
	  want = o[3] < 8 || o[3] == 16 ? "accepts-relay" : o[3] < 15 ? "smtp-closed" : "skipped"
	  if ($idx["verdict"] != want) { print $idx["ip"] " " $idx["verdict"] " (want " want ")"; k++ } }
	END { exit k > 0 }'
}
bad=$(verdicts "$WORK/out.csv")
ok $? "each target has the verdict its server gives"
[ -n "$bad" ] && echo "$bad" | head -5 | sed 's/^/#   /'
verdicts "$WORK/ref.csv" >/dev/null
ok $? "as in the uninterrupted run"
cut_rows=$(grep -c ',interrupted,' "$WORK/out.csv")
ok $([ "$cut_rows" -le 50 ]; echo $?) "at most one concurrency's worth of rows cut by the signal ($cut_rows)"

# Once more: nothing left, nothing written.
"$SMTPPROBE" --allow-private -p $P --exclude "$WORK/exclude.txt" -f "$WORK/targets.txt" \
	--resume -o "$WORK/out.csv" 2>"$WORK/again.err"
is "$(rows "$WORK/out.csv")" "$TOTAL" "a second --resume adds nothing"
grep -q "^smtpprobe: resumed: $TOTAL rows already in" "$WORK/again.err"
ok $? "and says all $TOTAL rows were there"

# --shard: each of two shards stopped and resumed; merged, every target once.
for s in 0 1; do
	"$SMTPPROBE" --allow-private -p $P -c 20 -r 400 --timeout 5 -q --shard $s/2 \
		--exclude "$WORK/exclude.txt" -f "$WORK/targets.txt" -o "$WORK/shard$s.csv" \
		2>/dev/null &
	pid=$!
	sleep 1
	kill -TERM "$pid"
	wait "$pid"
	"$SMTPPROBE" --allow-private -p $P -c 50 -r 0 --timeout 5 -q --shard $s/2 \
		--exclude "$WORK/exclude.txt" -f "$WORK/targets.txt" --resume -o "$WORK/shard$s.csv" \
		2>/dev/null
done
rowset "$WORK/shard0.csv" >"$WORK/shards.set"
rowset "$WORK/shard1.csv" >>"$WORK/shards.set"
sort -o "$WORK/shards.set" "$WORK/shards.set"
is "$(wc -l <"$WORK/shards.set" | tr -d ' ')" "$TOTAL" \
	"--shard 0/2 and 1/2, each resumed: $TOTAL rows"
cmp -s "$WORK/ref.set" "$WORK/shards.set"
ok $? "every target exactly once across the shards, as in the uninterrupted run"

lab_stop report

# A range of 524,288 addresses where nothing listens (each a refused
# connection), cut after 300,000 rows, then resumed: every address once, and
# the resumed run's memory grows by the set of rows already there (18 bytes
# a row in a sorted array, twice that while it doubles), not by the range.
echo "127.64.0.0/13" >"$WORK/big.txt"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$WORK/rss1" "$SMTPPROBE" --allow-private -p 2699 -c 200 -r 0 \
		--timeout 5 -q --max-targets 300000 -f "$WORK/big.txt" -o "$WORK/big.csv"
	/usr/bin/time -f %M -o "$WORK/rss2" "$SMTPPROBE" --allow-private -p 2699 -c 200 -r 0 \
		--timeout 5 -q --resume -f "$WORK/big.txt" -o "$WORK/big.csv"
	cut -d, -f2,3 "$WORK/big.csv" | sed 1d | sort >"$WORK/big.seen"
	is "$(wc -l <"$WORK/big.seen" | tr -d ' ')/$(uniq "$WORK/big.seen" | wc -l | tr -d ' ')" \
		524288/524288 "a /13 cut at 300,000 rows, resumed: 524,288 rows, each address once"
	r1=$(tail -n 1 "$WORK/rss1")
	r2=$(tail -n 1 "$WORK/rss2")
	if grep -aq __asan_init "$SMTPPROBE"; then
		# ASan keeps freed blocks (each doubling's old array) in quarantine.
		echo "ok $((TAP_N + 1)) # SKIP RSS under AddressSanitizer ($r1, $r2 KiB)"
		TAP_N=$((TAP_N + 1))
	else
		ok $([ $(((r2 - r1) * 1024)) -le $((300000 * 48)) ]; echo $?) \
			"peak RSS $r1 KiB for the first 300,000, $r2 KiB resuming after them: under 48 bytes a row"
	fi
else
	echo "ok $((TAP_N + 1)) # SKIP /usr/bin/time (Debian package time) is not installed"
	TAP_N=$((TAP_N + 1))
fi
done_testing
