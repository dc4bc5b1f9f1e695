#!/bin/sh
# audit_run.sh: the wrapper smtpprobe-audit.service runs (package/audit-run),
# with a scratch state directory, against the lab. The first night (no
# baseline yet) writes last.csv; a run that does not finish (interrupted, or
# a usage error) leaves last.csv as it was; a complete run is compared with
# it and replaces it.
. "$top_srcdir/tests/integration/lib.sh"

AUDIT_RUN="$top_builddir/package/audit-run"
P=2771
N=127.0.171
STATE="$WORK/state"
mkdir -p "$STATE"
SMTPPROBE_BIN=$SMTPPROBE
STATE_DIRECTORY=$STATE
AUDIT_TARGETS=
AUDIT_TARGETS_FILE=
AUDIT_OPTIONS="--allow-private --timeout 2 --no-dns"
export SMTPPROBE_BIN STATE_DIRECTORY AUDIT_TARGETS AUDIT_TARGETS_FILE AUDIT_OPTIONS
listing() { (cd "$STATE" && ls | tr '\n' ' '); }

"$AUDIT_RUN" 2>"$WORK/err0"
is "$?" 2 "no targets configured: exit 2"
grep -q '^audit-run: no targets: set AUDIT_TARGETS or AUDIT_TARGETS_FILE' "$WORK/err0"
ok $? "saying which settings are missing"
is "$(listing)" "" "and nothing is written"

lab_start "$N.1:$P=qmail-localhost" "$N.2:$P=postfix-closed" "$N.3:$P=silent" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }
printf '%s\n' "$N.1:$P" "$N.2:$P" >"$WORK/targets.txt"
AUDIT_TARGETS_FILE="$WORK/targets.txt"

# Night one: no baseline yet.
"$AUDIT_RUN" 2>"$WORK/err1"
is "$?" 1 "night one: exit 1, smtpprobe's (the qmail accepts localhost)"
is "$(listing)" "last.csv smtpprobe.prom " "night one: the report is last.csv and the metrics, nothing else is left"
grep -qx 'smtpprobe_last_run_exit_status 1' "$STATE/smtpprobe.prom"
ok $? "night one: the metrics say exit status 1"
is "$(rows "$STATE/last.csv")" 2 "night one: both targets"
is "$(cell "$STATE/last.csv" "$N.2" verdict)" smtp-closed "night one: $N.2 is closed"
is "$(cell "$STATE/last.csv" "$N.2" change)" "" "night one: no baseline, no change column"
sed 's/^/#   /' "$WORK/err1"
cp "$STATE/last.csv" "$WORK/night1.csv"

# Night two: stopped halfway (systemctl stop sends SIGTERM to the wrapper).
AUDIT_OPTIONS="--allow-private -r 0 --timeout 60 --deadline 60 --no-dns" \
	AUDIT_TARGETS="$N.3:$P" "$AUDIT_RUN" 2>"$WORK/err2" &
pid=$!
i=0
while ! grep -q "^[^,]*,$N.2," "$STATE"/tonight.* 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
ok $((i >= 100)) "night two: finished rows are on disk while the silent target holds the run"
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
ok $((i >= 100)) "night two: the wrapper ends within smtpprobe's grace time after SIGTERM"
kill -9 "$pid" 2>/dev/null
wait "$pid"
is "$?" 4 "night two: exit 4, interrupted"
cmp -s "$STATE/last.csv" "$WORK/night1.csv"
ok $? "night two: last.csv is still night one's report"
is "$(listing)" "incomplete.csv last.csv smtpprobe.prom " "night two: the unfinished report is incomplete.csv"
grep -qx 'smtpprobe_last_run_exit_status 4' "$STATE/smtpprobe.prom"
ok $? "night two: the metrics say exit status 4 (interrupted)"
is "$(cell "$STATE/incomplete.csv" "$N.3" verdict)" "" "night two: the dialogue the signal cut has no row in incomplete.csv"
grep -q "1 dialogue cut by the signal was not written" "$WORK/err2"
ok $? "night two: stderr says one dialogue was cut"
grep -q "^audit-run: smtpprobe exited 4: the run did not finish; $STATE/last.csv stays the baseline\$" "$WORK/err2"
ok $? "night two: stderr says the baseline stays"

# A usage error does not replace the baseline either.
AUDIT_OPTIONS="--tests no-such-test" "$AUDIT_RUN" 2>"$WORK/err3"
is "$?" 2 "a usage error: exit 2"
cmp -s "$STATE/last.csv" "$WORK/night1.csv"
ok $? "a usage error: last.csv is still night one's report"

# Night three: $N.2 became an open relay; the run completes.
lab_stop
lab_start "$N.1:$P=qmail-localhost" "$N.2:$P=open-relay" ||
	{ ok 1 "lab starts again"; done_testing; exit 1; }
"$AUDIT_RUN" 2>"$WORK/err4"
is "$?" 1 "night three: exit 1"
is "$(listing)" "incomplete.csv last.csv smtpprobe.prom " "night three: no temporary file is left"
grep -qx 'smtpprobe_newly_accepting_targets 1' "$STATE/smtpprobe.prom"
ok $? "night three: the metrics count the newly open relay"
is "$(cell "$STATE/last.csv" "$N.2" verdict)" accepts-relay "night three: last.csv is the new report"
is "$(cell "$STATE/last.csv" "$N.2" change)" changed:smtp-closed "night three: compared with night one, not the interrupted night"
is "$(cell "$STATE/last.csv" "$N.1" change)" same "night three: the unchanged target is same"
is "$(cell "$STATE/last.csv" "$N.3" verdict)" "" "night three: the interrupted night's extra target is not in it"
grep -q "^smtpprobe: 1 newly accepting relay since the baseline: $N.2:$P (was smtp-closed)\$" "$WORK/err4"
ok $? "night three: stderr names the newly open relay (the journal's alert)"

lab_stop report
done_testing
