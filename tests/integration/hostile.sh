#!/bin/sh
# hostile.sh: smtpprobe against smtplab's hostile personalities.
# For each: the documented verdict and error, the deadline held (every
# duration_ms within --deadline, the whole run bounded), nothing but the six
# allowed verbs in the lab's log (never DATA, and nothing at all after a 3xx),
# text fields capped by common/bounds.h, the peak memory far below what the
# server sent, and output that stays escaped: a CSV that parses into one row
# per target, no raw control byte in the CSV or the text report.
#
# Addresses 127.0.80.0/24, ports 2680-2689 are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2680
N=127.0.80
TIMEOUT=2
DEADLINE=3
# Slack for the loop to notice a timer: not a speed test, a bound.
SLACK_MS=1000

# bound NAME: a constant from common/bounds.h, so the caps are not repeated here.
bound() {
	sed -n "s/^#define $1 *\([0-9][0-9]*\).*/\1/p" "$top_srcdir/common/bounds.h"
}

set -- endless-line endless-multiline huge-ehlo flood drip drip:40 binary garbage ansi \
	rcpt-354 mail-354 early-talker pipeline-inject mixed-codes reset deaf
i=0
specs=
: >"$WORK/targets.txt"
for p in "$@"; do
	i=$((i + 1))
	specs="$specs $N.$i:$P=$p"
	echo "$N.$i:$P" >>"$WORK/targets.txt"
done
NTARGETS=$i
# shellcheck disable=SC2086
lab_start $specs || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts with $NTARGETS hostile personalities"

# Peak memory through GNU time, when it is there (build.sh deps installs it).
TIME=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true 2>/dev/null; then
	TIME="/usr/bin/time -o $WORK/rss -f %M"
fi

# timeout(1) bounds the whole run: a hang fails the test instead of the suite.
# shellcheck disable=SC2086
timeout 30 $TIME "$SMTPPROBE" --allow-private --timeout $TIMEOUT --deadline $DEADLINE -q \
	-f "$WORK/targets.txt" -o "$WORK/out.csv" 2>"$WORK/err"
rc=$?
is "$rc" 1 "exit status 1 (rcpt-354 accepted a relay RCPT), not a crash or a hang"
[ -s "$WORK/err" ] && sed 's/^/#   stderr: /' "$WORK/err" | head -5

# Every row parses into the same number of cells as the header.
cells=$(csv_tsv "$WORK/out.csv" | awk -F '\t' 'NR == 1 { n = NF } NF != n { bad++ } END { print bad + 0 }')
is "$cells" 0 "every CSV row parses into as many cells as the header"
is "$(rows "$WORK/out.csv")" "$NTARGETS" "exactly one row per target"
is "$(csv_tsv "$WORK/out.csv" | awk -F '\t' 'NR > 1 { print $2 }' | sort -u | wc -l | tr -d ' ')" \
	"$NTARGETS" "no target twice"

ctl=$(printf '[\001-\011\013-\037\177]')
LC_ALL=C grep -q "$ctl" "$WORK/out.csv"
ok $((! $?)) "no raw control byte (ESC, BEL, NUL, CR ...) in the CSV"

check() { # check N PERSONALITY VERDICT ERROR [FLAGS]
	ip=$N.$1
	is "$(cell "$WORK/out.csv" "$ip" verdict)" "$3" "$2: verdict $3"
	is "$(cell "$WORK/out.csv" "$ip" error)" "$4" "$2: error '$4'"
	if [ $# -ge 5 ]; then
		is "$(cell "$WORK/out.csv" "$ip" flags)" "$5" "$2: flags '$5'"
	fi
}

check 1 endless-line not-smtp line-too-long
check 2 endless-multiline tempfail too-many-lines
check 3 huge-ehlo smtp-closed ""
check 4 flood tempfail too-much-data
check 5 drip not-smtp greeting-timeout
check 6 drip:40 tempfail session-deadline
check 7 binary smtp-closed "" "no-fqdn;postmaster-refused"
check 8 garbage not-smtp protocol-error
check 9 ansi smtp-closed ""
check 10 rcpt-354 accepts-relay "" rcpt-3xx
check 11 mail-354 tempfail protocol-error ""
check 12 early-talker not-smtp protocol-error unsolicited
check 13 pipeline-inject tempfail protocol-error unsolicited
check 14 mixed-codes tempfail protocol-error ""
check 15 reset tempfail reset
check 16 deaf tempfail io-timeout

# The deadline: no dialogue outlived it, whatever the server did.
late=$(csv_tsv "$WORK/out.csv" | awk -F '\t' -v max=$((DEADLINE * 1000 + SLACK_MS)) '
	NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
	$idx["duration_ms"] + 0 > max { print $idx["ip"] "=" $idx["duration_ms"] }')
is "$late" "" "every dialogue ended within --deadline ${DEADLINE}s (+${SLACK_MS} ms)"

# Caps: the kept text never outgrows its buffer in common/bounds.h.
text_max=$(bound SMTP_TEXT_MAX)
ext_max=$(bound SMTP_EXTENSIONS_MAX)
b1=$(cell "$WORK/out.csv" "$N.1" banner)
is "${#b1}" $((text_max - 1)) "endless-line: the banner is the line's first SMTP_TEXT_MAX-1 bytes"
case "$b1" in "220 xxxx"*) ok 0 "endless-line: the banner shows what came" ;; *) ok 1 "endless-line: banner '$b1'" ;; esac
e3=$(cell "$WORK/out.csv" "$N.3" extensions)
[ "${#e3}" -le $((ext_max - 1)) ] && [ "${#e3}" -gt $((ext_max / 2)) ]
ok $? "huge-ehlo: extensions kept up to SMTP_EXTENSIONS_MAX (${#e3} bytes)"
b4=$(cell "$WORK/out.csv" "$N.4" banner)
[ "${#b4}" -le $((text_max - 1)) ]
ok $? "flood: the 64-line banner capped at SMTP_TEXT_MAX (${#b4} bytes)"

# Escaping: what a server sends shows as escapes, never as raw bytes.
is "$(cell "$WORK/out.csv" "$N.7" banner)" '220 bin␀ary.example.org \x01\x02\x7f\xff\xfe ESMTP' \
	"binary: NUL as U+2400, control and non-UTF-8 bytes as \\xNN"
is "$(cell "$WORK/out.csv" "$N.8" banner)" '\x16\x03\x01␀\x05\x02␀␀\x01␀' \
	"garbage: the bytes kept as evidence, escaped"
case "$(cell "$WORK/out.csv" "$N.9" banner)" in
'220 \x1b[2J\x1b[1;31mansi'*) ok 0 "ansi: escape sequences written as \\x1b" ;;
*) ok 1 "ansi: escape sequences written as \\x1b" ;;
esac
case "$(cell "$WORK/out.csv" "$N.9" ehlo_name)" in
"'="*) ok 0 "ansi: a formula in a cell gets a leading quote" ;;
*) ok 1 "ansi: a formula in a cell gets a leading quote ($(cell "$WORK/out.csv" "$N.9" ehlo_name))" ;;
esac

# Evidence: the line that broke the dialogue is the last reply.
is "$(cell "$WORK/out.csv" "$N.11" last_reply)" "354 Go ahead" "mail-354: the 354 is the last reply"
is "$(cell "$WORK/out.csv" "$N.12" last_reply)" "250-talker.example.org" "early-talker: the unsolicited line kept"
is "$(cell "$WORK/out.csv" "$N.12" banner)" "220 talker.example.org ESMTP" "early-talker: the greeting kept"
is "$(cell "$WORK/out.csv" "$N.13" last_reply)" "250 2.1.0 Ok" "pipeline-inject: the injected reply kept"
is "$(cell "$WORK/out.csv" "$N.14" last_reply)" "550-SIZE 10240000" "mixed-codes: the line whose code changed"

# Memory: the servers above sent megabytes; the prober holds one line at a time.
if [ -n "$TIME" ] && [ -s "$WORK/rss" ]; then
	rss=$(tail -n 1 "$WORK/rss")
	[ "$rss" -lt 131072 ]
	ok $? "peak RSS ${rss} KiB, under 128 MiB though endless servers sent without end"
else
	ok 0 "# SKIP /usr/bin/time (GNU time) not installed"
fi

# The text report escapes too.
timeout 30 "$SMTPPROBE" --allow-private --timeout $TIMEOUT --deadline $DEADLINE -q --format text \
	"$N.1:$P" "$N.7:$P" "$N.8:$P" "$N.9:$P" >"$WORK/out.txt" 2>&1
LC_ALL=C grep -q "$ctl" "$WORK/out.txt"
ok $((! $?)) "no raw control byte in the text report"
grep -q 'x1b\[2J' "$WORK/out.txt"
ok $? "the text report shows the escape sequence as text"

lab_stop report

# The safety promise, against servers that try to provoke more.
bad=$(grep ' C: ' "$LAB_LOG" | sed 's/.* C: //' | grep -ivE '^(EHLO|HELO|MAIL FROM:|RCPT TO:|RSET|QUIT)' | head -3)
is "$bad" "" "the lab received no command but EHLO, HELO, MAIL, RCPT, RSET, QUIT"
grep -qiE ' C: (DATA|BDAT|VRFY|EXPN|AUTH|ETRN)' "$LAB_LOG"
ok $((! $?)) "never DATA, BDAT, VRFY, EXPN, AUTH or ETRN"
# After a 3xx the server reads content: not one more line may follow.
for ip in "$N.10" "$N.11"; do
	after=$(grep "^$ip:$P " "$LAB_LOG" | sed -n '/ S: 354/,$p' | grep -c ' C: ')
	is "$after" 0 "$ip: nothing sent after the 354"
done
grep "^$N.12:$P " "$LAB_LOG" | grep -q ' C: '
ok $((! $?)) "early-talker: not even EHLO was sent into an unsolicited stream"
grep "^$N.13:$P " "$LAB_LOG" | grep -q ' C: MAIL'
ok $((! $?)) "pipeline-inject: the injected replies were not taken as answers (no MAIL sent)"
grep -q "^$N.15:$P .* reset$" "$LAB_LOG"
ok $? "reset: the lab did send a reset"

done_testing
