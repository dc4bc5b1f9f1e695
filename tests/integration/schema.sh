#!/bin/sh
# schema.sh: real --format jsonl output (probed, skipped and bad-input rows)
# is valid against doc/smtpprobe-record.schema.json, with Python's jsonschema
# (Draft 2020-12), and the schema rejects a record with a wrong type or a
# column it does not know. tests/unit/test_schema keeps it equal to the
# column table.
. "$top_srcdir/tests/integration/lib.sh"

SCHEMA="$top_srcdir/doc/smtpprobe-record.schema.json"
# Debian's python3-jsonschema is /usr/bin/python3's.
PY3=python3
"$PY3" -c 'import jsonschema' 2>/dev/null || PY3=/usr/bin/python3

P=2793
N=127.0.93
lab_start "$N.1:$P=open-relay" "$N.2:$P=postfix-closed" "$N.3:$P=qmail-localhost" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
printf '%s\n' "$N.1:$P" "$N.2:$P" "$N.3:$P" "$N.4:$P" "not an address!" "192.0.2.1" \
	>"$WORK/targets.txt"
"$SMTPPROBE" --allow-private --timeout 2 -q --format jsonl -f "$WORK/targets.txt" \
	--allowlist 127.0.0.0/8 >"$WORK/out.jsonl"
is "$?" 1 "a run with an open relay: exit 1"
is "$(wc -l <"$WORK/out.jsonl" | tr -d ' ')" 6 "six records"

"$PY3" - "$SCHEMA" "$WORK/out.jsonl" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for n, line in enumerate(open(sys.argv[2]), 1):
    rec = json.loads(line)
    for e in v.iter_errors(rec):
        print("# line %d: %s" % (n, e.message))
        bad += 1
sys.exit(1 if bad else 0)
PY
ok $? "every record is valid against the schema"

"$PY3" - "$SCHEMA" "$WORK/out.jsonl" <<'PY'
import json, sys
import jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
rec = json.loads(open(sys.argv[2]).readline())
wrong = [dict(rec, port=str(rec["port"])), dict(rec, flags="starttls"),
         dict(rec, mta_confidence="100"), dict(rec, verdict=3), dict(rec, no_such_column="x")]
missed = [w for w in wrong if v.is_valid(w)]
for w in missed:
    print("# accepted:", w)
sys.exit(1 if missed else 0)
PY
ok $? "the schema rejects a wrong type (port, flags, mta_confidence, verdict) and an unknown column"

# A record of fewer columns (--columns) is valid too.
"$SMTPPROBE" --allow-private --timeout 2 -q --columns verdict,port,ip,flags -f "$WORK/targets.txt" \
	--allowlist 127.0.0.0/8 -o "$WORK/few.jsonl"
"$PY3" - "$SCHEMA" "$WORK/few.jsonl" <<'PY'
import json, sys
import jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
recs = [json.loads(l) for l in open(sys.argv[2])]
sys.exit(0 if recs and all(v.is_valid(r) and list(r) == ["verdict", "port", "ip", "flags"]
                           for r in recs) else 1)
PY
ok $? "--columns records are valid, with the members in the order given"

lab_stop report
done_testing
