#!/bin/sh
# pressure.sh: running short of descriptors is never a verdict about a
# server. 4,096 loopback open relays probed at -c 2000 -r 0 under
# `ulimit -n 256`: every one is accepts-relay (none "unreachable"), each
# exactly once, and every transcript a row names was written. Then the same
# with 150 of the 256 descriptors taken by the parent (the clamp cannot see
# them): socket() fails with EMFILE, the targets are probed again, and the
# lowered concurrency is said once on stderr. A transcript that cannot be
# written is not named in its row.
#
# Addresses 127.2.0.0/20, port 2701 are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2701
lab_start "127.2.0.0/20:$P=open-relay" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

i=0
while [ $i -lt 16 ]; do
	j=0
	while [ $j -lt 256 ]; do
		echo "127.2.$i.$j:$P"
		j=$((j + 1))
	done
	i=$((i + 1))
done >"$WORK/targets.txt"

# check NAME: the report and transcripts of one run.
check() {
	out=$WORK/$1.csv
	is "$(rows "$out")" 4096 "$1: 4096 rows"
	is "$(sed 1d "$out" | cut -d, -f2,3 | sort -u | wc -l | tr -d ' ')" 4096 "$1: each target once"
	is "$(csv_tsv "$out" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		$idx["verdict"] != "accepts-relay" { k++ } END { print k + 0 }')" 0 \
		"$1: every open relay is accepts-relay (none unreachable)"
	csv_tsv "$out" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		{ print $idx["transcript"] }' >"$WORK/$1.cells"
	is "$(grep -c . "$WORK/$1.cells" | tr -d ' ')" 4096 "$1: every row names its transcript"
	missing=0
	while read -r f; do
		[ -s "$f" ] || missing=$((missing + 1))
	done <"$WORK/$1.cells"
	is "$missing" 0 "$1: every transcript a row names was written"
	grep -q "transcripts* could not be written" "$WORK/$1.err"
	ok $((!$?)) "$1: no transcript failed"
}

mkdir "$WORK/tr1" "$WORK/tr2"
(
	ulimit -n 256 && exec "$SMTPPROBE" --allow-private -c 2000 -r 0 --timeout 10 \
		--transcripts "$WORK/tr1" -f "$WORK/targets.txt" -o "$WORK/clamp.csv"
) 2>"$WORK/clamp.err"
is "$?" 1 "ulimit -n 256, -c 2000 -r 0: exit status 1 (open relays found)"
grep -q "concurrency 2000 clamped to" "$WORK/clamp.err"
ok $? "the clamp is said"
check clamp

# The parent keeps 150 descriptors open: the clamp counts on 256.
python3 -c '
import os, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
for _ in range(150):
    os.set_inheritable(os.open("/dev/null", os.O_RDONLY), True)
os.execv(sys.argv[1], sys.argv[1:])' "$SMTPPROBE" --allow-private -c 2000 -r 0 --timeout 10 \
	--transcripts "$WORK/tr2" -f "$WORK/targets.txt" -o "$WORK/emfile.csv" 2>"$WORK/emfile.err"
is "$?" 1 "150 descriptors taken: exit status 1"
is "$(grep -c 'concurrency lowered to' "$WORK/emfile.err" | tr -d ' ')" 1 \
	"the lowered concurrency is said once"
check emfile

# A transcript cell names a file only if it was written: a directory where
# one target's file would go makes its write fail.
mkdir -p "$WORK/tr3/127.2.0.2_$P.txt"
printf '127.2.0.%s:%s\n' 1 $P 2 $P 3 $P >"$WORK/three.txt"
"$SMTPPROBE" --allow-private -r 0 --timeout 10 --transcripts "$WORK/tr3" -f "$WORK/three.txt" \
	-o "$WORK/three.csv" 2>"$WORK/three.err"
is "$(cell "$WORK/three.csv" 127.2.0.2 transcript)" "" "a transcript that could not be written is not named"
is "$(cell "$WORK/three.csv" 127.2.0.2 verdict)" accepts-relay "its row is there, with its verdict"
is "$(cell "$WORK/three.csv" 127.2.0.3 transcript)" "$WORK/tr3/127.2.0.3_$P.txt" \
	"the others name theirs"
[ -s "$WORK/tr3/127.2.0.1_$P.txt" ] && [ -s "$WORK/tr3/127.2.0.3_$P.txt" ]
ok $? "and they were written"
grep -q '1 transcript could not be written' "$WORK/three.err"
ok $? "the summary counts the one that failed"

lab_stop report
done_testing
