#!/bin/sh
# mistakes_chars.sh: characters that mislead. Bidirectional and invisible
# characters from a server (the "Trojan Source" class) are escaped as
# \u{XXXX} in CSV, text and transcripts and as \uxxxx in JSON Lines; a UTF-8
# byte-order mark before the first target of -f is skipped; a bare IPv6
# address that ends in what looks like a port is warned about.
#
# Addresses 127.0.148.0/24, port 2748 are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2748
N=127.0.148
lab_start "$N.1:$P=bidi-banner" "$N.2:$P=postfix-closed" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }

# raw_bidi FILE: lines holding one of the characters as raw UTF-8.
raw_bidi() {
	LC_ALL=C grep -c "$(printf '\342\200\256')\|$(printf '\342\200\213')\|$(printf '\357\273\277')\|$(printf '\342\201\246')\|$(printf '\342\200\250')" "$1"
}

mkdir "$WORK/ev"
"$SMTPPROBE" --allow-private --timeout 2 -q --transcripts "$WORK/ev" -o "$WORK/out.csv" "$N.1:$P"
is "$?" 0 "bidi-banner: exit 0"
is "$(raw_bidi "$WORK/out.csv")" 0 "CSV: no bidirectional or invisible character raw"
banner=$(cell "$WORK/out.csv" "$N.1" banner)
case "$banner" in
*'\u{202E}gnp.exe\u{202C}'*'zero\u{200B}width \u{FEFF}bom \u{2066}iso\u{2069} line\u{2028}sep caf'*) ok 0 "CSV: escaped as \\u{XXXX}, other UTF-8 kept" ;;
*) ok 1 "CSV: escaped as \\u{XXXX}, other UTF-8 kept"; echo "#   banner: $banner" ;;
esac
is "$(raw_bidi "$WORK/ev/$N.1_$P.txt")" 0 "transcript: no bidirectional or invisible character raw"
grep -q 'S: 220-mx.example.org \\u{202E}gnp.exe\\u{202C} ESMTP' "$WORK/ev/$N.1_$P.txt"
ok $? "transcript: escaped as \\u{XXXX}"

"$SMTPPROBE" --allow-private --timeout 2 -q --format text "$N.1:$P" >"$WORK/out.txt"
is "$(raw_bidi "$WORK/out.txt")" 0 "text: no bidirectional or invisible character raw"
grep -q '\\u{202E}gnp.exe' "$WORK/out.txt"
ok $? "text: escaped as \\u{XXXX}"

"$SMTPPROBE" --allow-private --timeout 2 -q --format jsonl "$N.1:$P" >"$WORK/out.jsonl"
is "$(raw_bidi "$WORK/out.jsonl")" 0 "JSON Lines: no bidirectional or invisible character raw"
grep -q '\\u202e' "$WORK/out.jsonl"
ok $? "JSON Lines: escaped as \\u202e"
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import json, sys
row = json.loads(open(sys.argv[1], encoding="utf-8").readline())
sys.exit(0 if "\u202egnp.exe\u202c" in row["banner"] and "\ufeffbom" in row["banner"] else 1)' \
		"$WORK/out.jsonl"
	ok $? "JSON Lines: valid JSON that gives the characters back"
fi

# A byte-order mark before the first line of a list (Windows editors).
printf '\357\273\277%s\n%s\n' "$N.2:$P" "$N.1:$P" >"$WORK/bom.txt"
"$SMTPPROBE" --allow-private --timeout 2 -f "$WORK/bom.txt" -o "$WORK/bom.csv" 2>"$WORK/err.txt"
is "$?" 0 "a list that starts with a BOM: exit 0"
grep -q 'not an address' "$WORK/err.txt"
ok $((! $?)) "the BOM is not taken for part of an address"
is "$(cell "$WORK/bom.csv" "$N.2" verdict)" smtp-closed "the first target is probed"
is "$(rows "$WORK/bom.csv")" 2 "two targets, two rows"
# Only at the start of the file: a BOM further down is an error as before.
printf '%s\n\357\273\277%s\n' "$N.2:$P" "$N.1:$P" >"$WORK/bom2.txt"
"$SMTPPROBE" --allow-private --timeout 2 -f "$WORK/bom2.txt" -o "$WORK/bom2.csv" 2>"$WORK/err.txt"
grep -q "bom2.txt:2: not an address" "$WORK/err.txt"
ok $? "a BOM inside the list is still not an address"

# ::1:2748 is the IPv6 address ::1:2748 (port 25), not ::1 port 2748.
"$SMTPPROBE" --timeout 2 -o "$WORK/v6.csv" "::1:$P" 2>"$WORK/err.txt"
grep -q "^smtpprobe: arg:1: warning: \"::1:$P\" is the IPv6 address .*; write \[::1\]:$P for a port\$" "$WORK/err.txt"
ok $? "::1:$P: a warning says to write [::1]:$P"
sed 's/^/#   /' "$WORK/err.txt" | head -3
"$SMTPPROBE" --timeout 2 -o "$WORK/v6.csv" "[::1]:$P" "2001:db8::7" 2>"$WORK/err.txt"
grep -q 'warning' "$WORK/err.txt"
ok $((! $?)) "[::1]:$P and 2001:db8::7: no warning"

lab_stop report
done_testing
