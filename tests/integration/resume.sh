#!/bin/sh
# resume.sh: a run killed with SIGKILL halfway, then --resume: the union has
# every target exactly once, the targets already written are not probed
# again, and a half-written last line is cut off. --append writes the header
# once and refuses a file whose header is not this version's.
. "$top_srcdir/tests/integration/lib.sh"

P=2673
N=127.0.70
# 20 servers that each take 300 ms to greet: at two at a time, about 3 s.
specs=
i=41
while [ $i -le 60 ]; do
	specs="$specs $N.$i:$P=slow-greeting:300"
	i=$((i + 1))
done
lab_start $specs || { ok 1 "lab starts"; done_testing; exit 1; }
i=41
echo "not-an-address" >"$WORK/list.txt" # a bad line is a row too: once
while [ $i -le 60 ]; do
	echo "$N.$i:$P" >>"$WORK/list.txt"
	i=$((i + 1))
done

"$SMTPPROBE" --allow-private -c 2 -r 0 --timeout 5 -q -f "$WORK/list.txt" -o "$WORK/out.csv" &
pid=$!
i=0
while [ "$(cat "$WORK/out.csv" 2>/dev/null | wc -l)" -lt 7 ] && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null
before=$(rows "$WORK/out.csv")
ok $((before < 6 || before >= 21)) "killed halfway: $before of 21 rows written"
# SIGKILL in the middle of a write leaves a cut last line: make one.
printf '2026-11-29T00:00:00.000Z,%s,%s,127.0.0.1,x:1,smtp-cl' "$N.60" "$P" >>"$WORK/out.csv"
csv_tsv "$WORK/out.csv" | sed 1d | cut -f2 | sort >"$WORK/done-before.txt"

"$SMTPPROBE" --allow-private -c 4 -r 0 --timeout 5 --resume -f "$WORK/list.txt" \
	-o "$WORK/out.csv" 2>"$WORK/err.txt"
is "$?" 0 "--resume: exit 0"
sed 's/^/#   /' "$WORK/err.txt"
is "$(rows "$WORK/out.csv")" 21 "the union has 21 rows"
is "$(csv_tsv "$WORK/out.csv" | sed 1d | awk -F '\t' '$2 != ""' | cut -f2 | sort -u | wc -l | tr -d ' ')" 20 "every target exactly once"
is "$(grep -c 'not an address: ' "$WORK/out.csv" | tr -d ' ')" 1 "the bad input line exactly once"
is "$(grep -c '^timestamp,' "$WORK/out.csv" | tr -d ' ')" 1 "one header"
grep -q 'smtp-cl$' "$WORK/out.csv"
ok $((! $?)) "the half-written line is gone"
is "$(awk -F, 'NR > 1 && NF < 16' "$WORK/out.csv" | wc -l | tr -d ' ')" 0 "no short row"
grep -q "^smtpprobe: resumed: $((before)) rows already in $WORK/out.csv, not probed again\$" "$WORK/err.txt"
ok $? "stderr says how many rows were kept"
grep -q "half-written last row" "$WORK/err.txt"
ok $? "and that a cut row was removed"
grep -q 'not an address' "$WORK/err.txt"
ok $((! $?)) "the bad line the file has is not warned about again"
is "$(sed -n 's/^smtpprobe: \([0-9]*\) targets\{0,1\} in .*/\1/p' "$WORK/err.txt")" $((21 - before)) \
	"the summary counts the $((21 - before)) rows this run added"
# The lab saw each already-written target once: the resumed run skipped it.
again=0
for ip in $(cat "$WORK/done-before.txt"); do
	[ "$ip" = "$N.60" ] && continue
	n=$(grep -c "^$ip:$P .* connect\$" "$LAB_LOG")
	[ "$n" -eq 1 ] || again=$((again + 1))
done
is "$again" 0 "no target already written was probed again"

# --resume once more: nothing left to probe.
"$SMTPPROBE" --allow-private --resume -f "$WORK/list.txt" -o "$WORK/out.csv" 2>"$WORK/err.txt"
is "$?" 0 "a second --resume: exit 0"
is "$(rows "$WORK/out.csv")" 21 "and adds nothing"

# Progress: never on a stderr that is not a terminal; on one (script(1)
# gives a pseudo-terminal), a line redrawn in place, erased before the summary.
LC_ALL=C grep -q "$(printf '\r\|\033')" "$WORK/err.txt"
ok $((! $?)) "no progress line when stderr is a file"
if command -v script >/dev/null 2>&1; then
	script -qec "'$SMTPPROBE' --allow-private -c 2 -r 0 -f '$WORK/list.txt' -o '$WORK/tty.csv'" \
		/dev/null </dev/null >"$WORK/tty.txt" 2>&1
	grep -q "$(printf '\r')smtpprobe: [0-9]*/21 done, [0-9]*/s, 0 accepting" "$WORK/tty.txt"
	ok $? "on a terminal: a progress line with done/total, rate, accepting"
	grep -q "$(printf '\r\033')\[K" "$WORK/tty.txt"
	ok $? "erased before the summary"
	grep -q "$(printf '\033')\[Ksmtpprobe: 21 targets in .*/s): .*; report in " "$WORK/tty.txt"
	ok $? "then the summary: targets, time, rate, where the report went"
else
	ok 0 "# SKIP no script(1) for a pseudo-terminal"
fi

# --append: header once; a foreign header is an error, and the file is left alone.
"$SMTPPROBE" --allow-private -q --append -o "$WORK/app.csv" "$N.41:$P"
"$SMTPPROBE" --allow-private -q --append -o "$WORK/app.csv" "$N.42:$P"
is "$(wc -l <"$WORK/app.csv" | tr -d ' ')" 3 "--append twice: header once, two rows"
printf 'timestamp,ip,port\n1,2,3\n' >"$WORK/other.csv"
cp "$WORK/other.csv" "$WORK/other.orig"
"$SMTPPROBE" --allow-private -q --append -o "$WORK/other.csv" "$N.41:$P" 2>"$WORK/err.txt"
is "$?" 2 "--append to a CSV with other columns: exit 2"
grep -q "header does not match" "$WORK/err.txt"
ok $? "saying the header does not match"
cmp -s "$WORK/other.csv" "$WORK/other.orig"
ok $? "and the file is left as it was"
"$SMTPPROBE" --allow-private -q --resume "$N.41:$P" >/dev/null 2>&1
is "$?" 2 "--resume without -o: usage error"

lab_stop report
done_testing
