#!/bin/sh
# scale.sh: CIDR ranges, shards, --seed, --exclude, --per-net and a /8 in
# constant memory, against the lab on 127.0.110.0/28.
. "$top_srcdir/tests/integration/lib.sh"

P=2611
N=127.0.110
lab_start "$N.0/28:$P=postfix-closed" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

# Four shards of one range: disjoint, and together every address once.
echo "$N.0/28" >"$WORK/range.txt"
for s in 0 1 2 3; do
	"$SMTPPROBE" --allow-private -p $P --shard $s/4 --timeout 2 -q -f "$WORK/range.txt" \
		-o "$WORK/shard$s.csv"
done
cat "$WORK"/shard*.csv | grep -v '^timestamp' | cut -d, -f2 | sort >"$WORK/union.txt"
is "$(wc -l <"$WORK/union.txt" | tr -d ' ')" 16 "4 shards of a /28: 16 rows"
is "$(sort -u "$WORK/union.txt" | wc -l | tr -d ' ')" 16 "each address once"
is "$(grep -c "^$N\." "$WORK/union.txt" | tr -d ' ')" 16 "all inside the range"
is "$(cat "$WORK"/shard*.csv | grep -c ',smtp-closed,' | tr -d ' ')" 16 "each one probed"
is "$(cell "$WORK/shard0.csv" "$(sed -n 2p "$WORK/shard0.csv" | cut -d, -f2)" origin)" \
	"$WORK/range.txt:1" "a range's rows name its line"

# --seed: one connection at a time, so rows come in the order of the range.
order() { "$SMTPPROBE" --allow-private -p $P -c 1 -r 0 --timeout 2 -q --seed "$1" \
	-f "$WORK/range.txt" | sed 1d | cut -d, -f2 | tr '\n' ' '; }
a=$(order 7)
is "$(order 7)" "$a" "--seed: the same seed gives the same order"
b=$(order 8)
ok $([ "$a" != "$b" ]; echo $?) "another seed, another order"

# --exclude, zmap's blocklist format.
printf '# held back\n%s   # customer asked, ticket 12\n' "$N.0/29" >"$WORK/exclude.txt"
"$SMTPPROBE" --allow-private -p $P --exclude "$WORK/exclude.txt" --timeout 2 -q \
	-f "$WORK/range.txt" -o "$WORK/excl.csv"
is "$(grep -c 'excluded: 8 of 16 addresses; by 127.0.110.0/29 (customer asked, ticket 12)' "$WORK/excl.csv" | tr -d ' ')" 1 \
	"--exclude: one skipped row for the 8 excluded, naming the rule and its reason"
is "$(grep -c ',smtp-closed,' "$WORK/excl.csv" | tr -d ' ')" 8 "the other 8 are probed"
printf '127.0.110.0/99\n' >"$WORK/bad-exclude.txt"
"$SMTPPROBE" --exclude "$WORK/bad-exclude.txt" "$N.1" >/dev/null 2>"$WORK/bad.err"
is "$?" 2 "a bad exclude file is a usage error"
grep -q "bad-exclude.txt:1: " "$WORK/bad.err"
ok $? "naming its line"
"$SMTPPROBE" --shard 4/4 "$N.1" >/dev/null 2>&1
is "$?" 2 "--shard 4/4 is refused"

# --per-net 1: never two dialogues at once in one /24. A dialogue starts at
# the lab's "connect" and is over for the prober once the lab has said 221.
start=$(wc -l <"$LAB_LOG")
"$SMTPPROBE" --allow-private -p $P --per-net 1 -c 50 -r 0 --timeout 2 -q \
	-f "$WORK/range.txt" -o "$WORK/pernet.csv"
is "$(grep -c ',smtp-closed,' "$WORK/pernet.csv" | tr -d ' ')" 16 "--per-net 1: every address probed"
lab_stop report
pmax=$(tail -n +$((start + 1)) "$LAB_LOG" |
	awk '/ connect$/ { n++; if (n > m) m = n } / S: 221 / { n-- } END { print m + 0 }')
is "$pmax" 1 "--per-net 1: at most one open dialogue in the /24 at any time"
# A /8 costs constant memory: 1,000 or 100,000 of its addresses take the same
# peak RSS. Loopback's /8 with no server on the port: each is refused at once.
# Under ASan, freed sessions wait in its quarantine (256 MB): keep it small.
if [ -x /usr/bin/time ]; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
	export ASAN_OPTIONS
	echo "127.0.0.0/8" >"$WORK/big.txt"
	/usr/bin/time -f %M -o "$WORK/rss1" "$SMTPPROBE" --allow-private -p $((P + 7)) -r 0 -c 100 \
		--timeout 2 --shard 1/3 --max-targets 1000 -q -f "$WORK/big.txt" -o "$WORK/big1.csv"
	/usr/bin/time -f %M -o "$WORK/rss2" "$SMTPPROBE" --allow-private -p $((P + 7)) -r 0 -c 100 \
		--timeout 2 --shard 1/3 --max-targets 100000 -q -f "$WORK/big.txt" -o "$WORK/big2.csv"
	is "$(rows "$WORK/big2.csv")" 100000 "a /8 with --max-targets 100000: 100,000 rows"
	r1=$(tail -n 1 "$WORK/rss1")
	r2=$(tail -n 1 "$WORK/rss2")
	ok $([ $((r2 - r1)) -lt 4096 ]; echo $?) \
		"peak RSS $r1 KiB for 1,000 targets, $r2 KiB for 100,000: constant (a /8 is never expanded)"
else
	echo "ok $((TAP_N + 1)) # SKIP /usr/bin/time (Debian package time) is not installed"
	TAP_N=$((TAP_N + 1))
fi
done_testing
