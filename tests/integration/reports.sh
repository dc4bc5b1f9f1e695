#!/bin/sh
# reports.sh: the report formats read by real parsers. Every lab personality,
# the hostile one included, is probed as JSON Lines and as CSV: Python's json
# module parses every line, and Python's csv module reads the CSV back, where
# the hostile banner (commas, quotes, newlines, =HYPERLINK(...), escape
# sequences, invalid UTF-8) round-trips by the documented rule: a cell holds
# the escaped text, and undoing the escapes gives back the server's bytes.
# The checks live in check_reports.py; this script runs the probes.
. "$top_srcdir/tests/integration/lib.sh"

P=2670
N=127.0.70
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed (./build.sh deps installs it)"
	exit 0
fi
lab_start \
	"$N.1:$P=qmail-localhost" \
	"$N.2:$P=open-relay" \
	"$N.3:$P=postfix-closed" \
	"$N.4:$P=greylist" \
	"$N.5:$P=auth-required" \
	"$N.6:$P=refuse-554" \
	"$N.7:$P=busy-421" \
	"$N.8:$P=close-on-connect" \
	"$N.9:$P=silent" \
	"$N.10:$P=slow-greeting:200" \
	"$N.11:$P=http" \
	"$N.12:$P=helo-only" \
	"$N.13:$P=hostile-banner" \
	"[::1]:$P=hostile-banner" || { ok 1 "lab starts"; done_testing; exit 1; }

i=1
: >"$WORK/targets.txt"
while [ $i -le 14 ]; do # .14 has no listener: connection refused
	echo "$N.$i:$P" >>"$WORK/targets.txt"
	i=$((i + 1))
done
printf '%s\n' "[::1]:$P" "not-an-address" >>"$WORK/targets.txt"
"$SMTPPROBE" --help-columns >"$WORK/columns.txt"

# pycheck KIND FILE: check_reports.py's lines as TAP.
pycheck() {
	python3 "$top_srcdir/tests/integration/check_reports.py" "$1" "$2" "$WORK/columns.txt" \
		>"$WORK/check.txt" 2>"$WORK/check.err"
	ok $? "$1: the checker ran to its end"
	sed 's/^/#   /' "$WORK/check.err"
	while IFS='	' read -r st what; do
		ok "$st" "$1: $what"
	done <"$WORK/check.txt"
}

"$SMTPPROBE" --allow-private --timeout 1 --deadline 5 -q -f "$WORK/targets.txt" \
	--format jsonl -o "$WORK/out.jsonl"
is "$?" 1 "--format jsonl: exit 1, open relays found"
pycheck jsonl "$WORK/out.jsonl"
python3 -m json.tool --json-lines "$WORK/out.jsonl" >/dev/null 2>&1 ||
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/out.jsonl"
ok $? "python3 -m json.tool reads the whole file"

"$SMTPPROBE" --allow-private --timeout 1 --deadline 5 -q -f "$WORK/targets.txt" \
	-o "$WORK/out.csv"
is "$?" 1 "CSV: exit 1"
pycheck csv "$WORK/out.csv"

# The text report is for a terminal: no control byte but line ends.
"$SMTPPROBE" --allow-private --timeout 1 -q --format text "$N.13:$P" >"$WORK/out.txt"
LC_ALL=C tr -d '\n' <"$WORK/out.txt" | LC_ALL=C grep -q '[[:cntrl:]]'
ok $((! $?)) "text report of the hostile server: no escape sequence or other control byte"
grep -q 'RCPT accepted\|delivery not tested' "$WORK/out.txt"
ok $? "text report says what RCPT acceptance means"

lab_stop report
done_testing
