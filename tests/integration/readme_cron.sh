#!/bin/sh
# readme_cron.sh: the README's crontab line, as written, run night after
# night against the lab: the first night has no baseline yet and mails the
# open relay; the next, same servers, mails nothing; a run that does not
# finish does not become the baseline; the night a server opens, mail. The
# line is taken from README.md; only its schedule, directory, smtpprobe
# (the built one, loopback options) and mail (a stand-in) are replaced, and
# the test fails when the README's line no longer has that shape. Then the
# README's systemd example: the units it names are the package's, the
# settings it names are audit.conf's, and the service's ExecStart, as the
# unit writes it, runs one audit into a state directory.
. "$top_srcdir/tests/integration/lib.sh"

P=2792
N=127.0.92
STATE="$WORK/state"
mkdir -p "$STATE" "$WORK/bin"
# mail: a stand-in that keeps what would be sent.
cat >"$WORK/bin/mail" <<MAIL
#!/bin/sh
n=\$(ls "$WORK" | grep -c '^mail\\.')
{ echo "args: \$*"; cat; } >"$WORK/mail.\$n"
MAIL
chmod +x "$WORK/bin/mail"

n=$(grep -c '^    30 2 \* \* \* ' "$top_srcdir/README.md")
is "$n" 1 "README.md has one crontab line"
line=$(sed -n 's/^    30 2 \* \* \* //p' "$top_srcdir/README.md")
cmd=$(printf '%s\n' "$line" | sed -e "s|^cd /var/lib/smtpprobe && smtpprobe |cd \"\$STATE\" \\&\\& \"\$SMTPPROBE\" --allow-private --timeout 2 |")
[ "$cmd" != "$line" ] && printf '%s\n' "$line" | grep -q " mail -s 'new open relay' ops " &&
	printf '%s\n' "$line" | grep -q -- '--baseline last.csv' &&
	printf '%s\n' "$line" | grep -q -- '-o tonight.csv'
ok $? "the line has the shape this test knows (cd DIR && smtpprobe ..., mail, last.csv, tonight.csv)"
echo "# $cmd"
night() { STATE=$STATE SMTPPROBE=$SMTPPROBE PATH="$WORK/bin:$PATH" sh -c "$cmd"; }
mails() { ls "$WORK" | grep -c '^mail\.'; }

printf '%s\n' "$N.1:$P" "$N.2:$P" >"$STATE/ips.txt"
lab_start "$N.1:$P=open-relay" "$N.2:$P=postfix-closed" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }

night
is "$(mails)" 1 "night one (no last.csv yet): one mail, the open relay is new"
grep -q "no baseline yet: every target counts as new" "$WORK/mail.0"
ok $? "night one: the mail says there was no baseline yet"
grep -q "newly accepting relay since the baseline: $N.1:$P" "$WORK/mail.0"
ok $? "night one: the mail names the open relay"
is "$(cell "$STATE/last.csv" "$N.2" verdict)" smtp-closed "night one: last.csv is tonight's report"
[ ! -e "$STATE/tonight.csv" ]
ok $? "night one: tonight.csv became last.csv"
grep -q '^smtpprobe_last_run_exit_status 1$' "$STATE/smtpprobe.prom"
ok $? "night one: the metrics file is there"

night
is "$(mails)" 1 "night two, the same servers: no mail"
is "$(cell "$STATE/last.csv" "$N.1" change)" same "night two: last.csv compared with night one"
cp "$STATE/last.csv" "$WORK/night2.csv"

# Night three does not finish: the report cannot be written (exit 3).
mkdir "$STATE/tonight.csv"
night
is "$(mails)" 1 "night three, unfinished: no mail"
cmp -s "$STATE/last.csv" "$WORK/night2.csv"
ok $? "night three, unfinished: last.csv stays night two's report"
grep -q '^smtpprobe_last_run_exit_status 3$' "$STATE/smtpprobe.prom"
ok $? "night three: the metrics say exit status 3"
rmdir "$STATE/tonight.csv"
lab_stop

lab_start "$N.1:$P=open-relay" "$N.2:$P=open-relay" ||
	{ ok 1 "lab starts again"; done_testing; exit 1; }
night
is "$(mails)" 2 "night four, a server opened: a mail"
grep -q "1 newly accepting relay since the baseline: $N.2:$P (was smtp-closed)" "$WORK/mail.1"
ok $? "night four: the mail names it"
grep -q "^args: -s new open relay ops\$" "$WORK/mail.1"
ok $? "night four: to ops, with the README's subject"
is "$(cell "$STATE/last.csv" "$N.2" verdict)" accepts-relay "night four: last.csv is the new report"

# The systemd example: sudoedit audit.conf, systemctl enable/start, journalctl.
sed -n 's/^    sudo systemctl [a-z]* \(--now \)\{0,1\}\([^ ]*\).*/\2/p' "$top_srcdir/README.md" |
	sort -u >"$WORK/units"
is "$(tr '\n' ' ' <"$WORK/units")" "smtpprobe-audit.service smtpprobe-audit.timer " \
	"the README enables the timer and starts the service"
for u in $(cat "$WORK/units"); do
	[ -f "$top_srcdir/package/$u" ] || [ -f "$top_srcdir/package/$u.in" ]
	ok $? "the README's $u is the package's"
done
grep -q '^    journalctl -u smtpprobe-audit ' "$top_srcdir/README.md"
ok $? "the README reads the journal of that unit"
conf=$(sed -n 's|^    sudoedit /etc/smtpprobe/audit.conf *# *||p' "$top_srcdir/README.md")
for v in $(printf '%s\n' "$conf" | grep -o '[A-Z_]*=' | tr -d =); do
	grep -q "^#* *$v=" "$top_srcdir/package/audit.conf"
	ok $? "the README's setting $v is one of audit.conf's"
done
exec_start=$(sed -n 's/^ExecStart=//p' "$top_srcdir/package/smtpprobe-audit.service.in" |
	sed "s|@pkglibexecdir@|$top_builddir/package|")
mkdir -p "$WORK/sysstate"
STATE_DIRECTORY="$WORK/sysstate" SMTPPROBE_BIN=$SMTPPROBE AUDIT_TARGETS="$N.1:$P $N.2:$P" \
	AUDIT_TARGETS_FILE= AUDIT_OPTIONS="--allow-private --timeout 2 --no-dns" \
	SMTPPROBE_ALLOWLIST=127.0.0.0/8 sh -c "$exec_start" 2>"$WORK/journal"
is "$?" 1 "the service's ExecStart: exit 1 (the unit fails: open relays)"
is "$(cell "$WORK/sysstate/last.csv" "$N.2" verdict)" accepts-relay "the service's report is last.csv"
grep -q '^smtpprobe_targets{verdict="accepts-relay"} 2$' "$WORK/sysstate/smtpprobe.prom"
ok $? "and its metrics are smtpprobe.prom in the state directory"

lab_stop report
done_testing
