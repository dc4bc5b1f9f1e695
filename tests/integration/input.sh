#!/bin/sh
# input.sh: target input end to end: bad lines give one clear stderr line
# naming file:line and a skipped row; --strict makes them fatal; duplicates
# are probed once; policy skips are rows with reasons; exit statuses.
. "$top_srcdir/tests/integration/lib.sh"

P=2620
N=127.0.20
lab_start "$N.1:$P=postfix-closed" "$N.2:$P=qmail-localhost" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }

printf '%s\n' \
	"# a comment, then a blank line" \
	"" \
	"$N.1:$P" \
	"1.2.3" \
	"$N.1:$P   trailing fields are ignored" \
	"$N.1:99999" \
	"$N.1,$P" \
	"mail.example.com" >"$WORK/list.txt"
printf '%s\r\n' "$N.1:$P" >>"$WORK/list.txt"

"$SMTPPROBE" --allow-private --timeout 2 -f "$WORK/list.txt" -o "$WORK/out.csv" 2>"$WORK/err.txt"
is "$?" 0 "exit 0 when nothing accepted a relay"
grep -q "^smtpprobe: $WORK/list.txt:4: not an address: \"1.2.3\"\$" "$WORK/err.txt"
ok $? "a bad line is one stderr line naming file:line and the text"
grep -q "^smtpprobe: $WORK/list.txt:6: " "$WORK/err.txt"
ok $? "a bad port is reported with its line"
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v o="$WORK/list.txt:8 mail.example.com" '$5 == o {print $6 ": " $7}')" \
	"skipped: host names need DNS, which is off (--no-dns)" "a host name without DNS is a skipped row saying why"
is "$(rows "$WORK/out.csv")" 5 "rows: one probed target (duplicates once), bad lines skipped, the comma form"
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' 'NR>1 && $6 == "skipped"' | wc -l | tr -d ' ')" 3 "three skipped rows for three bad lines"
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v o="$WORK/list.txt:4" '$5 == o {print $6}')" skipped "the bad line's row is skipped, with its origin"
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v o="$WORK/list.txt:4" '$5 == o {print $7}')" 'not an address: "1.2.3"' "and its reason"
grep -q "duplicate" "$WORK/err.txt"
ok $? "the summary counts the duplicates"
# By address and port: the comma form gives a second $N.1 row (port 25), and
# which of the two finishes first is a matter of timing.
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v ip="$N.1" -v p="$P" '$2 == ip && $3 == p {print $6}')" \
	smtp-closed "the target itself was probed"
is "$(grep -c " C: EHLO" "$LAB_LOG" | tr -d ' ')" 1 "duplicates were probed once"

"$SMTPPROBE" --allow-private --strict --timeout 2 -f "$WORK/list.txt" -o "$WORK/strict.csv" 2>"$WORK/strict.err"
is "$?" 2 "--strict: a bad line is a usage error (exit 2)"
grep -q "list.txt:4: not an address" "$WORK/strict.err"
ok $? "--strict names the line"

# Policy: special-purpose ranges and the allowlist.
"$SMTPPROBE" --timeout 2 -o "$WORK/policy.csv" "$N.2:$P" 2>/dev/null
is "$?" 5 "loopback without --allow-private is not probed: nothing probed, exit 5"
is "$(cell "$WORK/policy.csv" "$N.2" verdict)" skipped "it is a skipped row"
cell "$WORK/policy.csv" "$N.2" error | grep -q "loopback"
ok $? "the reason names the loopback range"
SMTPPROBE_ALLOWLIST=127.0.99.0/24 "$SMTPPROBE" --allow-private --timeout 2 -o "$WORK/allow.csv" "$N.2:$P" 2>/dev/null
is "$(cell "$WORK/allow.csv" "$N.2" error)" "outside allowlist" "outside \$SMTPPROBE_ALLOWLIST: skipped with the reason"
"$SMTPPROBE" --allow-private --allowlist "$N.0/24" --timeout 2 -o "$WORK/allow2.csv" "$N.2:$P" 2>/dev/null
is "$?" 1 "inside --allowlist: probed; the seed's server makes the exit status 1"
is "$(cell "$WORK/allow2.csv" "$N.2" verdict)" accepts-localhost "and it is found"
"$SMTPPROBE" --allowlist 192.0.2.1/24 "$N.2:$P" >/dev/null 2>"$WORK/bad-allow.err"
is "$?" 2 "a bad allowlist is a usage error"
grep -q "host bits" "$WORK/bad-allow.err"
ok $? "with a reason"

# stdin and positional targets.
printf '%s\n' "$N.1:$P" | "$SMTPPROBE" --allow-private --timeout 2 -q -f - -o "$WORK/stdin.csv"
is "$(cell "$WORK/stdin.csv" "$N.1" origin)" "stdin:1" "-f - reads stdin; origin stdin:LINE"
"$SMTPPROBE" --allow-private --timeout 2 -q -p "$P" "$N.1" -o "$WORK/arg.csv"
is "$(cell "$WORK/arg.csv" "$N.1" origin)" "arg:1" "a positional target; -p sets the port"
is "$(cell "$WORK/arg.csv" "$N.1" port)" "$P" "port from -p"

# Streaming: the second line is written only once the first target's row is
# on disk. If smtpprobe waited for the whole input before probing (or blocked
# the loop on the pipe), that row would never come and the producer gives up.
{
	echo "$N.1:$P"
	i=0
	while ! grep -q "$N.1" "$WORK/stream.csv" 2>/dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	[ $i -lt 100 ] && echo "$N.2:$P"
} | "$SMTPPROBE" --allow-private --timeout 2 -q -f - -o "$WORK/stream.csv"
is "$(rows "$WORK/stream.csv")" 2 "a pipe is probed as it is read (zmap | smtpprobe -f -)"

# The end of a pipe that comes after every dialogue is over still ends the run.
{ echo "$N.1:$P"; sleep 1; } | timeout 20 "$SMTPPROBE" --allow-private --timeout 2 -q -f - \
	-o "$WORK/late-eof.csv"
is "$?" 0 "an input that ends after its last dialogue still ends the run"

# The descriptor limit bounds the concurrency, with a warning.
(ulimit -n 64 && "$SMTPPROBE" --allow-private -c 1000 --timeout 2 "$N.1:$P" -o "$WORK/fd.csv" 2>"$WORK/fd.err")
is "$?" 0 "a small descriptor limit still runs"
grep -q "concurrency 1000 clamped to" "$WORK/fd.err"
ok $? "with a warning that the concurrency was clamped"

# A soft descriptor limit below the hard one is raised to it for a
# concurrency that needs it, and the grant is said.
(ulimit -Sn 64 && ulimit -Hn 1024 && "$SMTPPROBE" --allow-private -c 200 --timeout 2 "$N.1:$P" \
	-o "$WORK/fdraise.csv" 2>"$WORK/fdraise.err")
is "$?" 0 "a soft limit below the hard one still runs"
grep -q "descriptor limit raised from 64 to 1024" "$WORK/fdraise.err"
ok $? "the raise of the soft limit to the hard one is said"
grep -q "clamped" "$WORK/fdraise.err"
ok $((!$?)) "and the concurrency the hard limit allows is not clamped"

# Usage errors.
"$SMTPPROBE" >/dev/null 2>&1
is "$?" 2 "no targets: exit 2"
"$SMTPPROBE" -f "$WORK/missing.txt" >/dev/null 2>"$WORK/missing.err"
is "$?" 2 "a missing list: exit 2"
grep -q "missing.txt" "$WORK/missing.err"
ok $? "naming the file"
"$SMTPPROBE" --concurrency 0 "$N.1" >/dev/null 2>&1
is "$?" 2 "--concurrency 0 is refused"
"$SMTPPROBE" --timeout abc "$N.1" >/dev/null 2>&1
is "$?" 2 "a bad duration is refused"
"$SMTPPROBE" --mail-from 'a@b
DATA' "$N.1" >/dev/null 2>&1
is "$?" 2 "a sender with a line break is refused before anything is sent"
"$SMTPPROBE" --format xml "$N.1" >/dev/null 2>&1
is "$?" 2 "an unknown format is refused"
"$SMTPPROBE" --no-such-option >/dev/null 2>&1
is "$?" 2 "an unknown option is refused"
"$SMTPPROBE" --help | grep -q "^usage: smtpprobe"
ok $? "--help prints usage"
"$SMTPPROBE" --version | grep -q "^smtpprobe [0-9]"
ok $? "--version"
"$SMTPPROBE" --help-columns | awk '{print $1}' | tr '\n' ' ' | grep -q "^timestamp ip port source_ip origin verdict error flags banner ehlo_name extensions relay_tests"
ok $? "--help-columns lists the columns in order"

lab_stop report
done_testing
