#!/bin/sh
# nightly.sh: the nightly audit as a service. -S binds every connection (the
# lab sees the address, source_ip shows it; an address not on this host is a
# usage error at start-up); -o picks the format from the extension; a
# --baseline that does not exist yet is an empty one; --fail-on any|new|
# changed decides exit 1; --metrics is Prometheus text that a real
# exposition parser reads; --metadata is one JSON object about the run.
. "$top_srcdir/tests/integration/lib.sh"

# Debian's python3-prometheus-client is /usr/bin/python3's, whatever
# python3 comes first in PATH.
PY3=python3
"$PY3" -c 'import prometheus_client' 2>/dev/null || PY3=/usr/bin/python3

P=2791
N=127.0.91
lab_start "$N.1:$P=open-relay" "$N.2:$P=postfix-closed" \
	|| { ok 1 "lab starts"; done_testing; exit 1; }
printf '%s\n' "$N.1:$P" "$N.2:$P" >"$WORK/targets.txt"
run() { "$SMTPPROBE" --allow-private --timeout 2 -f "$WORK/targets.txt" "$@"; }

# -S: bind to 127.0.0.2; the lab saw it, source_ip says it.
run -q -S 127.0.0.2 -o "$WORK/s.csv"
is "$?" 1 "-S 127.0.0.2: exit 1 (an open relay)"
is "$(cell "$WORK/s.csv" "$N.1" source_ip)" 127.0.0.2 "source_ip is the -S address"
grep -q " 127\.0\.0\.2:[0-9]* connect$" "$LAB_LOG"
ok $? "the lab saw the connection from 127.0.0.2"
grep -v " 127\.0\.0\.2:[0-9]* " "$LAB_LOG" | grep -q " connect$"
is "$?" 1 "no connection from any other address"
run -q --source-address 127.0.0.2 --source-address ::1 -o "$WORK/s2.csv"
is "$?" 1 "one IPv4 and one IPv6 -S address"
run -q -S 192.0.2.7 -o "$WORK/bad.csv" 2>"$WORK/err.txt"
is "$?" 2 "-S an address not on this host: exit 2"
grep -q "^smtpprobe: --source-address: cannot bind to 192.0.2.7: " "$WORK/err.txt"
ok $? "and it says why"
run -q -S 127.0.0.2 -S 2001:db8::7 -o "$WORK/bad.csv" 2>"$WORK/err.txt"
is "$?" 2 "-S an IPv6 address not on this host: exit 2"
run -q -S 127.0.0.2 -S 127.0.0.3 2>"$WORK/err.txt" >/dev/null
is "$?" 2 "-S: two IPv4 addresses: exit 2"
run -q -S not-an-address 2>"$WORK/err.txt" >/dev/null
is "$?" 2 "-S: not an address: exit 2"

# -o FILE's extension picks the format; --format still wins.
run -q -o "$WORK/r.jsonl"
python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/r.jsonl"
ok $? "-o x.jsonl writes JSON Lines"
run -q -o "$WORK/r.ndjson"
head -c 1 "$WORK/r.ndjson" | grep -q '{'
ok $? "-o x.ndjson writes JSON Lines"
run -q -o "$WORK/r.txt"
head -1 "$WORK/r.txt" | grep -q '^timestamp,ip,'
is "$?" 1 "-o x.txt writes text, not CSV"
run -q -o "$WORK/r.jsonl.csv"
head -1 "$WORK/r.jsonl.csv" | grep -q '^timestamp,ip,'
ok $? "-o x.csv writes CSV"
run -q --format csv -o "$WORK/f.jsonl"
head -1 "$WORK/f.jsonl" | grep -q '^timestamp,ip,'
ok $? "--format csv wins over the extension"

# JSON Lines is read back: --baseline, --resume (a cut last row removed).
run -q -o "$WORK/last.jsonl"
run -q --baseline "$WORK/last.jsonl" -o "$WORK/vs-jsonl.csv"
is "$(cell "$WORK/vs-jsonl.csv" "$N.1" change)" same "--baseline reads a JSON Lines report"
head -n 1 "$WORK/last.jsonl" >"$WORK/half.jsonl"
sed -n 2p "$WORK/last.jsonl" | head -c 40 >>"$WORK/half.jsonl"
run -q --resume -o "$WORK/half.jsonl"
is "$?" 0 "--resume on JSON Lines: only the closed server was left (exit 0)"
"$PY3" -c '
import json, sys
ips = sorted(json.loads(l)["ip"] for l in open(sys.argv[1]))
sys.exit(0 if ips == sys.argv[2:] else 1)' "$WORK/half.jsonl" "$N.1" "$N.2"
ok $? "--resume on JSON Lines: every target once, the cut row replaced"
run -q --append --format csv -o "$WORK/last.jsonl" 2>"$WORK/err.txt"
is "$?" 2 "--append CSV to a JSON Lines file: refused"
printf '{"ip":"%s","port":%s}\n' "$N.9" "$P" >"$WORK/notours.jsonl"
run -q --baseline "$WORK/notours.jsonl" -o "$WORK/x.csv" 2>"$WORK/err.txt"
is "$?" 2 "--baseline: JSON Lines without verdict and origin: exit 2"
grep -q "no ip, port, verdict or origin member" "$WORK/err.txt"
ok $? "and it says which members it needs"

# --columns selects and orders the columns of CSV and JSON Lines.
run -q --columns ip,verdict,port -o "$WORK/c.csv"
is "$(head -n 1 "$WORK/c.csv")" "ip,verdict,port" "--columns: the CSV header, in the order given"
is "$(grep "^$N.1," "$WORK/c.csv")" "$N.1,accepts-relay,$P" "--columns: the CSV row"
run -q --columns verdict,port,ip -o "$WORK/c.jsonl"
grep -qx "{\"verdict\":\"accepts-relay\",\"port\":$P,\"ip\":\"$N.1\"}" "$WORK/c.jsonl"
ok $? "--columns: the JSON Lines members, in the order given"
run -q --columns ip,nonsense -o "$WORK/x.csv" 2>"$WORK/err.txt"
is "$?" 2 "--columns: an unknown column: exit 2"
grep -q 'no column "nonsense"' "$WORK/err.txt"
ok $? "naming it"
run -q --columns ip,ip -o "$WORK/x.csv" 2>/dev/null
is "$?" 2 "--columns: a column twice: exit 2"
run -q --columns ip --format text 2>/dev/null >/dev/null
is "$?" 2 "--columns with --format text: exit 2"
run -q --columns ip,port,verdict --resume -o "$WORK/c.csv" 2>"$WORK/err.txt"
is "$?" 2 "--resume with --columns that leave out origin: exit 2"
grep -q "reads back the ip, port, verdict and origin columns" "$WORK/err.txt"
ok $? "saying which columns it needs"
run -q --columns ip,port,verdict,origin -o "$WORK/c4.csv" --max-targets 1
run -q --columns ip,port,verdict,origin --resume -o "$WORK/c4.csv"
is "$(sort "$WORK/c4.csv" | cut -d, -f1 | tr '\n' ' ')" "$N.1 $N.2 ip " \
	"--resume with the same --columns: every target once"
run -q --resume -o "$WORK/c4.csv" 2>"$WORK/err.txt"
is "$?" 2 "--resume without the --columns the file was written with: refused"
sed 's/^/#   /' "$WORK/err.txt"

# The first night: no baseline yet, every target new; not an error.
run -S 127.0.0.2 --baseline "$WORK/last.csv" -o "$WORK/tonight.csv" 2>"$WORK/err.txt"
is "$?" 1 "a --baseline that does not exist: the run goes on (exit 1: an open relay)"
grep -c "no baseline yet: every target counts as new" "$WORK/err.txt" | grep -qx 1
ok $? "said on stderr once"
is "$(cell "$WORK/tonight.csv" "$N.1" change)" new "every target counts as new"
mv "$WORK/tonight.csv" "$WORK/last.csv"

# --fail-on: the same relay the next night is no news.
run -q --baseline "$WORK/last.csv" --fail-on new -o "$WORK/n2.csv" \
	--metrics "$WORK/m.prom" --metadata "$WORK/meta.json"
is "$?" 0 "--fail-on new: the same open relay as last night: exit 0"
run -q --baseline "$WORK/last.csv" --fail-on changed -o "$WORK/n3.csv"
is "$?" 0 "--fail-on changed: nothing changed: exit 0"
run -q --baseline "$WORK/last.csv" -o "$WORK/n4.csv"
is "$?" 1 "--fail-on any (the default): exit 1"
run -q --fail-on new -o "$WORK/n5.csv" 2>"$WORK/err.txt"
is "$?" 2 "--fail-on new without --baseline: exit 2"
run -q --fail-on sometimes --baseline "$WORK/last.csv" -o "$WORK/n5.csv" 2>/dev/null
is "$?" 2 "--fail-on: an unknown word: exit 2"
lab_stop

# The night the closed server opens: new and changed both alert.
lab_start "$N.1:$P=open-relay" "$N.2:$P=open-relay" \
	|| { ok 1 "lab starts again"; done_testing; exit 1; }
run -q --baseline "$WORK/last.csv" --fail-on new -o "$WORK/n6.csv" --metrics "$WORK/m6.prom"
is "$?" 1 "--fail-on new: a newly open relay: exit 1"
run -q --baseline "$WORK/last.csv" --fail-on changed -o "$WORK/n7.csv"
is "$?" 1 "--fail-on changed: a changed verdict: exit 1"
lab_stop

# --metrics: read with Prometheus' own parser.
ls "$WORK"/*.tmp >/dev/null 2>&1
is "$?" 2 "no FILE.tmp left behind"
"$PY3" - "$WORK/m.prom" "$WORK/m6.prom" <<'PY'
import sys, time
from prometheus_client.parser import text_string_to_metric_families as parse

def read(path):
    out = {}
    for fam in parse(open(path).read()):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out

def want(m, name, value, **labels):
    got = m.get((name, tuple(sorted(labels.items()))))
    print("#", ("good" if got == value else "BAD"), name, labels, got, "want", value)
    return got == value

m, m6 = read(sys.argv[1]), read(sys.argv[2])
good = all([
    want(m, "smtpprobe_targets", 1, verdict="accepts-relay"),
    want(m, "smtpprobe_targets", 1, verdict="smtp-closed"),
    want(m, "smtpprobe_newly_accepting_targets", 0),
    want(m, "smtpprobe_changed_targets", 0),
    want(m, "smtpprobe_last_run_exit_status", 0),
    want(m6, "smtpprobe_targets", 2, verdict="accepts-relay"),
    want(m6, "smtpprobe_newly_accepting_targets", 1),
    want(m6, "smtpprobe_changed_targets", 1),
    want(m6, "smtpprobe_last_run_exit_status", 1),
])
start = m[("smtpprobe_last_run_start_timestamp_seconds", ())]
end = m[("smtpprobe_last_run_timestamp_seconds", ())]
dur = m[("smtpprobe_last_run_duration_seconds", ())]
now = time.time()
good &= now - 600 < start <= end <= now + 1 and 0 <= dur <= end - start + 1
print("# timestamps", start, end, dur)
sys.exit(0 if good else 1)
PY
ok $? "--metrics: Prometheus text with targets by verdict, changes, times, exit status"

# --metadata: one JSON object.
python3 - "$WORK/meta.json" "$WORK/targets.txt" <<'PY'
import json, sys
m = json.loads(open(sys.argv[1]).read())
print("#", m)
assert m["version"]
assert sys.argv[2] in m["options"] and "--fail-on" in m["options"]
assert m["targets"] == 2
assert m["verdicts"]["accepts-relay"] == 1 and m["verdicts"]["smtp-closed"] == 1
assert all(v == 0 for v in m["skipped"].values())
assert m["newly_accepting"] == 0 and m["changed"] == 0
assert m["start"] <= m["end"] and m["rate"] >= 0 and m["exit_status"] == 0
PY
ok $? "--metadata: version, options, counts, start, end, rate"

run -q --metrics "$WORK/no/such/dir/m.prom" -o "$WORK/x.csv" 2>"$WORK/err.txt"
is "$?" 3 "--metrics into a missing directory: exit 3"
grep -q "^smtpprobe: --metrics: " "$WORK/err.txt"
ok $? "and it says why"

done_testing
