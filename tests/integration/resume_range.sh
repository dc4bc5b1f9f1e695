#!/bin/sh
# resume_range.sh: a run over a 4,096-address range and a list, stopped by
# SIGTERM after 3 s, then the same command with --resume: the file ends with
# every target exactly once (the range's addresses as the list's), each with
# the verdict its server gives, and nothing already in the file is probed or
# written again: not a dialogue's row, not a skipped (excluded) address, not
# a bad line.
#
# Addresses 127.5.0.0/20 and 127.5.16.0/26, port 2690, are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2690
N=127.5
# Open relays on the range's first half and the list, Postfix refusing on the
# range's second half; 127.5.15.0/24 is excluded, so skipped rows.
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
TOTAL=4161 # 4,096 + 64 targets and the bad line

# At 600 new dialogues a second the run takes 7 s: SIGTERM after 3 s.
"$SMTPPROBE" --allow-private -p $P -c 50 -r 600 --timeout 5 -q --exclude "$WORK/exclude.txt" \
	-f "$WORK/targets.txt" -o "$WORK/out.csv" 2>"$WORK/first.err" &
pid=$!
sleep 3
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
kill -9 "$pid" 2>/dev/null
wait "$pid"
is "$?" 4 "SIGTERM after 3 s: exit status 4"
before=$(rows "$WORK/out.csv")
[ "$before" -gt 100 ] && [ "$before" -lt $((TOTAL - 100)) ]
ok $? "stopped part way: $before of $TOTAL rows"

"$SMTPPROBE" --allow-private -p $P -c 50 -r 0 --timeout 5 --exclude "$WORK/exclude.txt" \
	-f "$WORK/targets.txt" --resume -o "$WORK/out.csv" 2>"$WORK/resume.err"
is "$?" 1 "--resume: exit status 1 (open relays in the file)"
sed 's/^/#   /' "$WORK/resume.err"
is "$(rows "$WORK/out.csv")" $TOTAL "--resume: $TOTAL rows ($before before)"
csv_tsv "$WORK/out.csv" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
	{ print $idx["ip"] "\t" $idx["port"] "\t" $idx["verdict"] "\t" $idx["error"] "\t" $idx["origin"] }' \
	>"$WORK/rows.tsv"
awk -F '\t' '$1 != "" { print $1 ":" $2 }' "$WORK/rows.tsv" | sort >"$WORK/targets.seen"
is "$(wc -l <"$WORK/targets.seen" | tr -d ' ')/$(sort -u "$WORK/targets.seen" | wc -l | tr -d ' ')" \
	"$((TOTAL - 1))/$((TOTAL - 1))" "every target exactly once (rows/distinct)"
is "$(awk -F '\t' '$1 != ""' "$WORK/rows.tsv" | cut -f1 | grep -c "^$N\.\([0-9]\|1[0-5]\)\.")" 4096 \
	"the range's 4,096 addresses"
is "$(grep -c 'not an address' "$WORK/out.csv")" 1 "the bad line once"
is "$(grep -c '^timestamp,' "$WORK/out.csv")" 1 "one header"
is "$(grep -c 'excluded: 127.5.15.0/24 (held back)' "$WORK/out.csv")" 256 \
	"each excluded address once, as a skipped row"
# The verdict each server gives. A dialogue cut by the signal is another
# matter (a row with error "interrupted" while such rows are still written):
# it is counted apart, and only the first run may have it.
bad=$(awk -F '\t' -v n="$N" '
	$1 == "" || $4 == "interrupted" { next }
	{ split($1, o, ".")
	  want = o[3] < 8 || o[3] == 16 ? "accepts-relay" : o[3] < 15 ? "smtp-closed" : "skipped"
	  if ($3 != want) { print $1 " " $3 " (want " want ")"; k++ } }
	END { exit k > 0 }' "$WORK/rows.tsv")
ok $? "each target has the verdict its server gives"
[ -n "$bad" ] && echo "$bad" | head -5 | sed 's/^/#   /'
cut_rows=$(awk -F '\t' '$4 == "interrupted"' "$WORK/rows.tsv" | wc -l | tr -d ' ')
ok $([ "$cut_rows" -le 50 ]; echo $?) "at most one concurrency's worth of rows cut by the signal ($cut_rows)"
grep -q "^smtpprobe: resumed: $before rows already in $WORK/out.csv, not probed again\$" \
	"$WORK/resume.err"
ok $? "stderr: resumed: $before rows already in the file"
# The lab saw every address it serves, and each once over both runs, but
# for a dialogue the signal cut (probed again if its row was not written):
# nothing in the file was probed again.
grep ' connect$' "$LAB_LOG" | cut -d' ' -f1 | sort | uniq -c >"$WORK/connects.txt"
is "$(wc -l <"$WORK/connects.txt" | tr -d ' ')" 3904 \
	"3,904 servers reached: 4,096 + 64 less the 256 excluded"
twice=$(awk '$1 > 1' "$WORK/connects.txt" | wc -l | tr -d ' ')
ok $([ "$twice" -le 50 ]; echo $?) "no server probed again but those the signal cut ($twice)"
is "$(awk '$1 > 2' "$WORK/connects.txt" | wc -l | tr -d ' ')" 0 "none more than twice"

# Once more: nothing left, nothing written.
"$SMTPPROBE" --allow-private -p $P --exclude "$WORK/exclude.txt" -f "$WORK/targets.txt" \
	--resume -o "$WORK/out.csv" 2>"$WORK/again.err"
is "$(rows "$WORK/out.csv")" $TOTAL "a second --resume adds nothing"
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
cat "$WORK/shard0.csv" "$WORK/shard1.csv" | grep -v '^timestamp,' >"$WORK/shards.csv"
is "$(wc -l <"$WORK/shards.csv" | tr -d ' ')" $TOTAL "--shard 0/2 and 1/2, each resumed: $TOTAL rows"
cut -d, -f2,3 "$WORK/shards.csv" | grep -v '^,' | sort >"$WORK/shards.seen"
is "$(wc -l <"$WORK/shards.seen" | tr -d ' ')/$(sort -u "$WORK/shards.seen" | wc -l | tr -d ' ')" \
	"$((TOTAL - 1))/$((TOTAL - 1))" "every target exactly once across the shards (rows/distinct)"

lab_stop report

# A range of 1,048,576 addresses (all outside the allowlist, so skipped rows:
# nothing is sent), cut after 300,000 rows, then resumed: every address once,
# and the resumed run's memory grows by the set of rows already there (18
# bytes a row in a sorted array, twice that while it doubles), not more.
echo "10.0.0.0/12" >"$WORK/big.txt"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$WORK/rss1" "$SMTPPROBE" -q --max-targets 300000 -f "$WORK/big.txt" \
		-o "$WORK/big.csv"
	/usr/bin/time -f %M -o "$WORK/rss2" "$SMTPPROBE" -q --resume -f "$WORK/big.txt" \
		-o "$WORK/big.csv"
	cut -d, -f2,3 "$WORK/big.csv" | sed 1d | sort >"$WORK/big.seen"
	is "$(wc -l <"$WORK/big.seen" | tr -d ' ')/$(uniq "$WORK/big.seen" | wc -l | tr -d ' ')" \
		1048576/1048576 "a /12 cut at 300,000 rows, resumed: 1,048,576 rows, each address once"
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
