#!/bin/sh
# abuse_report.sh: --abuse-report on the lab. Spam forwarded as a base64
# attachment and inside an ARF report names an open relay on loopback; the
# report files are parsed back by Python's email package and each part is
# checked: the RFC 5965 structure, the feedback fields, the spam (or its
# header) attached, the transcript. Then the same with --transcripts, and
# the directory's safety: made 0700, a planted symlink or a foreign file is
# never written. Last, with the abuse desk's DNS (--dnsbl, --asn,
# --abuse-contact) against a dnsmasq the test starts on 127.0.0.1:5368: the
# report goes To: the served abuse mailbox and tells the listing, the origin
# AS and the PTR name.
. "$top_srcdir/tests/integration/lib.sh"

M="$top_srcdir/tests/unit/fixtures/messages"
P=2670
N=127.0.60
D="$WORK/reports"
DNS_PORT=5368
V=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")

# check FILE EXPECT...: Python's email package reads the report; each
# expectation is KEY=VALUE, printed back as "KEY=what was found" when it
# differs. Prints "ok" when all hold.
check() {
	python3 - "$@" <<'PY'
import email, email.policy, sys
path, want = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
with open(path, "rb") as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
got = {}
got["type"] = m.get_content_type()
got["report-type"] = m.get_param("report-type") or ""
got["from"] = str(m["From"] or "")
got["to"] = str(m["To"] or "")
got["first"] = open(path, "rb").read(20).decode()
parts = m.get_payload() if m.is_multipart() else []
got["parts"] = ";".join(p.get_content_type() for p in parts)
if len(parts) >= 2:
    text = parts[0].get_content()
    got["text-relay"] = str("accepts-relay" in text)
    got["text-rcpt"] = str("RCPT accepted; delivery not tested" in text)
    got["text-origin"] = str(want.get("origin", "-") in text)
    fb = parts[1].get_payload()[0]
    for k in ("Feedback-Type", "User-Agent", "Version", "Source-IP", "Reported-Domain"):
        got[k] = str(fb[k] or "")
    got["Arrival-Date"] = str(fb["Arrival-Date"] or "")[:31]
    # text~NAME=LINE: the text part holds LINE.
    for k, v in want.items():
        if k.startswith("text~"):
            got[k] = v if v in text else "(missing)"
tr = [p for p in parts if p.get_filename()]
if tr:
    t = tr[-1].get_content()
    got["transcript-name"] = tr[-1].get_filename()
    got["transcript-rcpt"] = str("C: RCPT TO:" in t and "S: 250" in t and "end: accepts-relay" in t)
    with open(path + ".transcript", "w") as f:
        f.write(t)
if len(parts) == 4:
    e = parts[2]
    if e.get_content_type() == "message/rfc822":
        inner = e.get_payload()[0]
        got["evidence-id"] = str(inner["Message-ID"])
        got["evidence-body"] = str("The seed's chain" in inner.get_payload())
    else:
        h = e.get_payload(decode=True).decode()
        got["evidence-id"] = "<lab-1@example.com>" if "Message-ID: <lab-1@example.com>" in h else h[:40]
        got["evidence-body"] = str("The seed's chain" in h)
bad = [f"{k}={got.get(k, '(none)')}" for k, v in want.items() if k != "origin" and got.get(k, "(none)") != v]
print("ok" if not bad else " ".join(bad))
PY
}

lab_start "$N.2:$P=open-relay" "$N.3:$P=open-relay" "$N.4:$P=postfix-closed" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }

"$SMTPPROBE" --abuse-report "$D" -p "$P" "$N.2" >/dev/null 2>"$WORK/usage.err"
is "$?" 2 "--abuse-report without --report-from is a usage error"
[ ! -e "$D" ]
ok $? "and makes no directory"

# A forwarded spam (base64 message/rfc822) whose chain names $N.2, a plain
# target $N.3, a closed server $N.4.
"$SMTPPROBE" --allow-private --timeout 2 -p "$P" --trusted 203.0.113.0/24 \
	--message "$M/lab-forward.eml" "$N.3" "$N.4" \
	--abuse-report "$D" --report-from abuse@example.com -o "$WORK/run.csv" 2>"$WORK/run.err"
is "$?" 1 "open relays found: exit 1"
is "$(stat -c %a "$D")" 700 "the report directory is made 0700"
is "$(ls "$D" | tr '\n' ' ')" "$N.2_$P.eml $N.3_$P.eml " "a report for each accepting target, none for the closed one"
grep -q "2 abuse reports written in $D (not sent)" "$WORK/run.err"
ok $? "the summary counts them"
is "$(check "$D/$N.2_$P.eml" type=multipart/report report-type=feedback-report from=abuse@example.com \
	to= first="X-Smtpprobe-Report: " \
	parts="text/plain;message/feedback-report;message/rfc822;text/plain" \
	text-relay=True text-rcpt=True origin="<lab-1@example.com>" text-origin=True \
	Feedback-Type=abuse User-Agent="smtpprobe/$V" Version=1 Source-IP="$N.2" \
	Arrival-Date="Sat, 28 Nov 2026 19:54:40 +0900" \
	evidence-id="<lab-1@example.com>" evidence-body=True \
	transcript-name="$N.2_$P.txt" transcript-rcpt=True)" ok \
	"a spam forwarded base64: RFC 5965 report, feedback fields, the inner spam attached, the transcript"
is "$(check "$D/$N.3_$P.eml" type=multipart/report \
	parts="text/plain;message/feedback-report;text/plain" \
	Source-IP="$N.3" Arrival-Date= transcript-rcpt=True text-rcpt=True)" ok \
	"a target not from a message: no message part, no Arrival-Date"
grep -q "C: RCPT TO:<probe@example.net>" "$D/$N.2_$P.eml.transcript" 2>/dev/null ||
	grep -q "C: RCPT TO:" "$D/$N.2_$P.eml.transcript"
ok $? "the transcript attachment holds the dialogue"
rm -f "$D"/*.transcript

# An ARF report in, its header only out; transcripts written beside.
"$SMTPPROBE" --allow-private --timeout 2 -p "$P" --trusted 203.0.113.0/24 \
	--message "$M/lab-arf.eml" --transcripts "$WORK/tr" \
	--abuse-report "$WORK/r2" --report-from abuse@example.com --report-headers-only \
	-o "$WORK/run2.csv" 2>"$WORK/run2.err"
is "$?" 1 "an ARF report's spam names the open relay: exit 1"
is "$(check "$WORK/r2/$N.2_$P.eml" \
	parts="text/plain;message/feedback-report;text/rfc822-headers;text/plain" \
	Source-IP="$N.2" evidence-id="<lab-1@example.com>" evidence-body=False transcript-rcpt=True)" ok \
	"--report-headers-only: the spam's header as text/rfc822-headers, no body"
is "$(cell "$WORK/run2.csv" "$N.2" transcript)" "$WORK/tr/${N}.2_$P.txt" "--transcripts runs beside it: the transcript column"
strip() { sed -e 's/^[0-9TZ:.-]* //' -e '/^# /d' "$1"; }
strip "$WORK/tr/$N.2_$P.txt" >"$WORK/a.txt"
strip "$WORK/r2/$N.2_$P.eml.transcript" >"$WORK/b.txt"
cmp -s "$WORK/a.txt" "$WORK/b.txt"
ok $? "the report's transcript is the transcript file's dialogue"

# --outer: the forward's own chain (192.0.2.200, outside the allowlist).
"$SMTPPROBE" --allow-private --timeout 2 -p "$P" --outer --message "$M/lab-forward.eml" \
	--abuse-report "$WORK/r3" --report-from abuse@example.com -o "$WORK/run3.csv" 2>/dev/null
is "$(cell "$WORK/run3.csv" 192.0.2.200 verdict)" skipped "--outer: the forwarder's hop, skipped outside the allowlist"
is "$(ls "$WORK/r3" | wc -l | tr -d ' ')" 0 "and no report"

# Safety: a planted symlink and a foreign file are never written.
mkdir -p "$WORK/r4"
chmod 700 "$WORK/r4"
echo precious >"$WORK/victim"
ln -s "$WORK/victim" "$WORK/r4/$N.2_$P.eml"
echo "not a report" >"$WORK/r4/$N.3_$P.eml"
"$SMTPPROBE" --allow-private --timeout 2 -p "$P" "$N.2" "$N.3" \
	--abuse-report "$WORK/r4" --report-from abuse@example.com -o "$WORK/run4.csv" 2>"$WORK/run4.err"
is "$(cat "$WORK/victim")" precious "a symlink planted at a report's name is not followed"
is "$(cat "$WORK/r4/$N.3_$P.eml")" "not a report" "a file that is not a report is left as it is"
grep -q "2 abuse reports could not be written" "$WORK/run4.err"
ok $? "both are counted on stderr: $(grep 'abuse report' "$WORK/run4.err" | head -1)"
# A second run replaces its own reports.
"$SMTPPROBE" --allow-private --timeout 2 -p "$P" "$N.3" \
	--abuse-report "$D" --report-from abuse@example.com -o "$WORK/run5.csv" 2>/dev/null
is "$(check "$D/$N.3_$P.eml" Source-IP="$N.3")" ok "a report of an earlier run is replaced"

# The abuse desk's DNS: the report is built from the row with its facts.
if [ ! -x "$DNSMASQ" ]; then
	echo "# SKIP the abuse desk's facts: $DNSMASQ not installed (Debian package dnsmasq-base)"
	lab_stop report
	done_testing
	exit 0
fi
dnsmasq_conf "$DNS_PORT"
cat >>"$WORK/dnsmasq.conf" <<EOT
local=/example.org/
local=/example.com/
local=/127.in-addr.arpa/
# $N.2: a PTR name that resolves back to it, listed, an origin AS, an abuse mailbox.
ptr-record=2.60.0.127.in-addr.arpa,mx.relay.example.com
address=/mx.relay.example.com/$N.2
address=/2.60.0.127.bl.example.org/127.0.0.2
txt-record=2.60.0.127.bl.example.org,"Listed; see https://bl.example.org/?ip=$N.2"
txt-record=2.60.0.127.origin.asn.example.org,"64496 | 127.0.60.0/24 | ZZ | test | 2026-11-29"
txt-record=AS64496.asn.example.org,"64496 | ZZ | test | 2026-11-29 | EXAMPLE-ONE, ZZ"
txt-record=2.60.0.127.abuse.example.org,"abuse@example.net"
# $N.3: the operator's error code, and an abuse answer that is no mailbox.
address=/3.60.0.127.bl.example.org/127.255.255.254
txt-record=3.60.0.127.abuse.example.org,"<script>@example.net"
EOT
dnsmasq_start "$DNS_PORT"
for tr in "" "--transcripts $WORK/tr6"; do
	rm -rf "$WORK/r6"
	# shellcheck disable=SC2086
	"$SMTPPROBE" --allow-private --timeout 2 -p "$P" -c 4 --dns-server "127.0.0.1:$DNS_PORT" \
		--dnsbl bl.example.org --asn --asn-zone asn.example.org \
		--abuse-contact --abuse-zone abuse.example.org $tr "$N.2" "$N.3" \
		--abuse-report "$WORK/r6" --report-from abuse@example.com -o "$WORK/run6.csv" 2>/dev/null
	is "$?" 1 "${tr:+$tr: }with the abuse desk's DNS: exit 1"
	is "$(check "$WORK/r6/$N.2_$P.eml" to=abuse@example.net Source-IP="$N.2" \
		Reported-Domain=mx.relay.example.com \
		"text~ptr=Reverse DNS: mx.relay.example.com (forward-confirmed: yes)" \
		"text~listing=DNSBL listings: bl.example.org=127.0.0.2 (Listed, see https://bl.example.org/?ip=$N.2)" \
		"text~as=Origin AS: AS64496 (EXAMPLE-ONE, ZZ) 127.0.60.0/24 ZZ" \
		"text~contact=Abuse contact: abuse@example.net" transcript-rcpt=True)" ok \
		"${tr:+$tr: }To: the abuse mailbox; the listing, the origin AS, the PTR name as Reported-Domain"
	is "$(check "$WORK/r6/$N.3_$P.eml" to= Reported-Domain= \
		"text~error=DNSBL errors: bl.example.org=127.255.255.254 (query through a public resolver refused)" \
		"text~contact=Abuse contact: not known to smtpprobe (the report has no To:)." transcript-rcpt=True)" ok \
		"${tr:+$tr: }no mailbox served: no To:, the DNSBL's error code told as one"
done

lab_stop report
done_testing
