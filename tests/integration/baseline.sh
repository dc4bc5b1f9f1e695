#!/bin/sh
# baseline.sh: --baseline PREVIOUS.csv. Two runs against the lab, with one
# personality changed, one target removed and one added between them: the
# second run marks exactly the changed target changed:<old verdict>, the
# removed one gone, the added one new, the others same, and stderr names
# the target newly accepting relay (the nightly cron alert).
. "$top_srcdir/tests/integration/lib.sh"

P=2672
N=127.0.70
lab_start "$N.31:$P=qmail-localhost" "$N.32:$P=postfix-closed" "$N.33:$P=open-relay" \
	"$N.35:$P=greylist" || { ok 1 "lab starts"; done_testing; exit 1; }
printf '%s\n' "$N.31:$P" "$N.32:$P" "$N.33:$P" "$N.35:$P" >"$WORK/last-night.txt"
"$SMTPPROBE" --allow-private --timeout 2 -q -f "$WORK/last-night.txt" -o "$WORK/last.csv"
is "$?" 1 "first run: exit 1"
is "$(cell "$WORK/last.csv" "$N.32" verdict)" smtp-closed "first run: $N.32 is closed"
is "$(cell "$WORK/last.csv" "$N.32" change)" "" "no --baseline: change column empty"
lab_stop

# Overnight: .32 became an open relay, .33 left the list, .34 joined it.
lab_start "$N.31:$P=qmail-localhost" "$N.32:$P=open-relay" "$N.34:$P=greylist" \
	"$N.35:$P=greylist" || { ok 1 "lab starts again"; done_testing; exit 1; }
printf '%s\n' "$N.31:$P" "$N.32:$P" "$N.34:$P" "$N.35:$P" >"$WORK/tonight.txt"
"$SMTPPROBE" --allow-private --timeout 2 -f "$WORK/tonight.txt" --baseline "$WORK/last.csv" \
	-o "$WORK/tonight.csv" 2>"$WORK/err.txt"
is "$?" 1 "second run: exit 1"
is "$(rows "$WORK/tonight.csv")" 5 "four targets and one gone row"
is "$(cell "$WORK/tonight.csv" "$N.31" change)" same "unchanged target: same"
is "$(cell "$WORK/tonight.csv" "$N.35" change)" same "another unchanged target: same"
is "$(cell "$WORK/tonight.csv" "$N.32" change)" changed:smtp-closed "the changed personality: changed:smtp-closed"
is "$(cell "$WORK/tonight.csv" "$N.32" verdict)" accepts-relay "and its verdict now"
is "$(csv_tsv "$WORK/tonight.csv" | grep -c 'changed:' | tr -d ' ')" 1 "exactly one target changed"
is "$(cell "$WORK/tonight.csv" "$N.34" change)" new "the added target: new"
is "$(cell "$WORK/tonight.csv" "$N.33" change)" gone "the removed target: gone"
is "$(cell "$WORK/tonight.csv" "$N.33" verdict)" skipped "a gone row is not probed: skipped"
cell "$WORK/tonight.csv" "$N.33" error | grep -q 'accepts-relay'
ok $? "a gone row says what the baseline said"
is "$(cell "$WORK/tonight.csv" "$N.33" origin)" "$WORK/last.csv:4" "a gone row's origin is the baseline's line"
grep -q "^smtpprobe: since the baseline $WORK/last.csv: 1 new, 2 same, 1 changed, 1 gone\$" "$WORK/err.txt"
ok $? "stderr: the counts of changes"
grep -q "^smtpprobe: 1 newly accepting relay since the baseline: $N.32:$P (was smtp-closed)\$" "$WORK/err.txt"
ok $? "stderr: the cron alert names the newly open target"
sed 's/^/#   /' "$WORK/err.txt"

# JSON Lines gets the same change field.
"$SMTPPROBE" --allow-private --timeout 2 -q --format jsonl -f "$WORK/tonight.txt" \
	--baseline "$WORK/last.csv" >"$WORK/tonight.jsonl"
grep -q "\"ip\":\"$N.32\".*\"change\":\"changed:smtp-closed\"" "$WORK/tonight.jsonl"
ok $? "jsonl: the change field"

# A baseline written by an older version (fewer columns) still reads.
cut -d, -f1-14 "$WORK/last.csv" >"$WORK/old.csv"
"$SMTPPROBE" --allow-private --timeout 2 -q -f "$WORK/tonight.txt" --baseline "$WORK/old.csv" \
	-o "$WORK/vs-old.csv"
is "$(cell "$WORK/vs-old.csv" "$N.32" change)" changed:smtp-closed "an older version's CSV is a baseline too"

printf 'a,b\n"x,1\n' >"$WORK/bad.csv"
"$SMTPPROBE" --allow-private -q "$N.31:$P" --baseline "$WORK/bad.csv" >/dev/null 2>"$WORK/err.txt"
is "$?" 2 "a baseline that is not smtpprobe's CSV: exit 2"
grep -q "^smtpprobe: --baseline: $WORK/bad.csv:1: " "$WORK/err.txt"
ok $? "naming the file and line"
# The first night: a baseline that does not exist yet is an empty one.
"$SMTPPROBE" --allow-private --timeout 2 "$N.31:$P" --baseline "$WORK/none.csv" \
	-o "$WORK/first.csv" 2>"$WORK/err.txt"
is "$?" 1 "a missing baseline: the run goes on (exit 1, the qmail accepts localhost)"
is "$(cell "$WORK/first.csv" "$N.31" change)" new "a missing baseline: every target is new"
is "$(grep -c 'no baseline yet: every target counts as new' "$WORK/err.txt")" 1 \
	"a missing baseline: said once on stderr"
mkdir "$WORK/dir.csv"
"$SMTPPROBE" --allow-private -q "$N.31:$P" --baseline "$WORK/dir.csv" >/dev/null 2>&1
is "$?" 2 "a baseline that cannot be read (a directory): exit 2"

lab_stop report
done_testing
