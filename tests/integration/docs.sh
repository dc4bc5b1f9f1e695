#!/bin/sh
# docs.sh: the man page and --help stay true to the program: the same
# columns in the same order, and every long option documented in both.
. "$top_srcdir/tests/integration/lib.sh"

MAN="$top_srcdir/doc/smtpprobe.1"

man_cols=$(sed -n '/^\.SS Columns/,/^\.SH/p' "$MAN" | sed -n 's/^\.IP \\fB\([a-z_0-9]*\)\\fR.*/\1/p' | tr '\n' ' ')
prog_cols=$("$SMTPPROBE" --help-columns | awk '{print $1}' | tr '\n' ' ')
is "$man_cols" "$prog_cols" "the man page lists the report columns, in order"

# Long options: from --help, from the man page (\fB\-\-name\fR), from options.c's table.
help_opts=$("$SMTPPROBE" --help | grep -o -- '--[a-z][a-z-]*' | LC_ALL=C sort -u | tr '\n' ' ')
man_opts=$(grep -o '\\fB\\-\\-[a-z\\-]*' "$MAN" | sed 's/\\fB//; s/\\-/-/g; s/\\f$//' | LC_ALL=C sort -u | tr '\n' ' ')
src_opts=$(sed -n 's/^ *{"\([a-z-]*\)", [a-z_]*argument.*/--\1/p' "$top_srcdir/cli/options.c" | LC_ALL=C sort -u | tr '\n' ' ')
is "$help_opts" "$src_opts" "--help names every option the program takes"
is "$man_opts" "$src_opts" "the man page names every option the program takes"

for v in accepts-relay accepts-localhost auth-required smtp-closed tempfail refused-service not-smtp unreachable skipped; do
	grep -q "^\.B $v\$" "$MAN"
	ok $? "the man page explains the verdict $v"
done
# Audit reports: every error value, exit status and the environment.
errs=$(sed -n 's/^ *\[PROBE_[A-Z_]*\] = "\([a-z-]*\)",$/\1/p' "$top_srcdir/record/result.c")
[ "$(echo $errs | wc -w)" -ge 10 ]
ok $? "the error values are read from result.c ($(echo $errs | wc -w | tr -d ' '))"
for e in $errs; do
	sed -n '/^\.SH ERRORS/,/^\.SH [A-Z]/p' "$MAN" | grep -q "^\.BR\{0,1\} $e\( ,\)\{0,1\}\$"
	ok $? "the man page explains the error value $e"
done
for c in 0 1 2 3 4 5; do
	sed -n '/^\.SH EXIT STATUS/,/^\.SH [A-Z]/p' "$MAN" | grep -q "^\.B $c\$"
	ok $? "the man page explains exit status $c"
	"$SMTPPROBE" --help | grep -A2 '^Exit status' | grep -q "$c "
	ok $? "--help names exit status $c"
done
sed -n '/^\.SH ENVIRONMENT/,/^\.SH [A-Z]/p' "$MAN" | grep -q '^\.B SMTPPROBE_ALLOWLIST$'
ok $? "the man page documents SMTPPROBE_ALLOWLIST"
for s in 'RCPT acceptance proves' 'SH TRANSCRIPTS' 'SH BASELINE' 'JSON Lines' 'zmap'; do
	grep -q "$s" "$MAN"
	ok $? "the man page has: $s"
done
grep -Eq '^ +[0-9*,/-]+ [0-9*,/-]+ \* \* \* .*smtpprobe .*--baseline' "$top_srcdir/README.md"
ok $? "the README shows a cron line with --baseline"
grep -q 'doc/smtpprobe.1' "$top_srcdir/README.md"
ok $? "the README links the man page"
grep -q 'make demo\|build.sh demo' "$top_srcdir/README.md"
ok $? "the README names the demo command"
grep -q 'build.sh check' "$top_srcdir/README.md"
ok $? "the README names the test command"

done_testing
