#!/bin/sh
# mistakes_files.sh: a user's mistake with files never costs data. The same
# file as input and output (by name, hard link, symlink or redirection) is a
# usage error before anything is opened for writing; --append and --resume
# refuse a file that is not a report and leave it byte for byte; transcripts
# never follow a planted link nor overwrite a file that is not a transcript,
# and --transcripts creates its directory; an empty, header-only, binary or
# cut baseline is said or refused, never taken silently.
#
# Addresses 127.0.147.0/24, port 2747 are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2747
N=127.0.147
lab_start "$N.1:$P=postfix-closed" "$N.2:$P=postfix-closed" ||
	{ ok 1 "lab starts"; done_testing; exit 1; }

# probe ARGS...: smtpprobe bounded in time and in the size of what it may
# write (ulimit -f, 512-byte blocks), so a run that loops over its own
# output fails fast instead of filling the disk; status in $rc.
probe() {
	(
		ulimit -f 4096
		exec timeout 20 "$SMTPPROBE" --allow-private --timeout 2 "$@"
	) >"$WORK/out.std" 2>"$WORK/err.txt"
	rc=$?
}

# same FILE COPY DESCRIPTION: FILE is byte for byte its saved COPY.
same() {
	cmp -s "$1" "$2"
	ok $? "$3"
}

printf '%s\n' "$N.1:$P" "$N.2:$P" >"$WORK/io.txt"
cp "$WORK/io.txt" "$WORK/io.saved"

# --- the same file for input and output ---------------------------------
probe -f "$WORK/io.txt" -o "$WORK/io.txt"
is "$rc" 2 "-f X -o X: usage error (exit 2)"
same "$WORK/io.txt" "$WORK/io.saved" "-f X -o X: the list is left as it was"
grep -q "^smtpprobe: -o $WORK/io.txt is the same file as -f $WORK/io.txt" "$WORK/err.txt"
ok $? "-f X -o X: stderr names both"
sed 's/^/#   /' "$WORK/err.txt" | head -3

ln "$WORK/io.txt" "$WORK/hard.txt"
probe -f "$WORK/io.txt" -o "$WORK/hard.txt"
is "$rc" 2 "-o a hard link of the -f file: exit 2"
same "$WORK/io.txt" "$WORK/io.saved" "hard link: the list is left as it was"

ln -s io.txt "$WORK/link.txt"
probe -f "$WORK/link.txt" -o "$WORK/io.txt"
is "$rc" 2 "-f a symlink to the -o file: exit 2"
same "$WORK/io.txt" "$WORK/io.saved" "symlink: the list is left as it was"

probe -f - -o "$WORK/io.txt" <"$WORK/io.txt"
is "$rc" 2 "-f - with stdin from the -o file: exit 2"
same "$WORK/io.txt" "$WORK/io.saved" "stdin: the list is left as it was"

(
	ulimit -f 4096
	exec timeout 20 "$SMTPPROBE" --allow-private --timeout 2 -f "$WORK/io.txt"
) >>"$WORK/io.txt" 2>"$WORK/err.txt"
is "$?" 2 "-f X with stdout appended to X: exit 2"
same "$WORK/io.txt" "$WORK/io.saved" "stdout: the list is left as it was"

probe --resume -f "$WORK/io.txt" -o "$WORK/io.txt"
is "$rc" 2 "--resume -f X -o X: exit 2"
same "$WORK/io.txt" "$WORK/io.saved" "--resume: the list is left as it was"

printf '# mine\n%s/32\n' "$N.9" >"$WORK/exclude.txt"
cp "$WORK/exclude.txt" "$WORK/exclude.saved"
probe -f "$WORK/io.txt" --exclude "$WORK/exclude.txt" -o "$WORK/exclude.txt"
is "$rc" 2 "--exclude X -o X: exit 2"
same "$WORK/exclude.txt" "$WORK/exclude.saved" "--exclude X -o X: left as it was"

printf 'Received: from x ([192.0.2.1]) by mx.example.com; Sun, 29 Nov 2026 01:00:00 +0000\n\nbody\n' \
	>"$WORK/spam.eml"
cp "$WORK/spam.eml" "$WORK/spam.saved"
probe --message "$WORK/spam.eml" -o "$WORK/spam.eml"
is "$rc" 2 "--message X -o X: exit 2"
same "$WORK/spam.eml" "$WORK/spam.saved" "--message X -o X: left as it was"

printf '198.51.100.0/24\n' >"$WORK/trusted.txt"
cp "$WORK/trusted.txt" "$WORK/trusted.saved"
probe -f "$WORK/io.saved" --trusted-file "$WORK/trusted.txt" -o "$WORK/trusted.txt"
is "$rc" 2 "--trusted-file X -o X: exit 2"
same "$WORK/trusted.txt" "$WORK/trusted.saved" "--trusted-file X -o X: left as it was"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
	-days 1 -subj /CN=ca.example.com >/dev/null 2>&1
cp "$WORK/ca.pem" "$WORK/ca.saved"
probe -f "$WORK/io.saved" --ca-file "$WORK/ca.pem" -o "$WORK/ca.pem"
is "$rc" 2 "--ca-file X -o X: exit 2"
same "$WORK/ca.pem" "$WORK/ca.saved" "--ca-file X -o X: left as it was"

# The nightly cron line: the baseline is read before the output is opened.
probe -q -f "$WORK/io.saved" -o "$WORK/last.csv"
is "$rc" 0 "a first run writes last.csv"
probe -f "$WORK/io.saved" --baseline "$WORK/last.csv" -o "$WORK/last.csv"
is "$rc" 0 "--baseline X -o X still works (exit 0)"
is "$(cell "$WORK/last.csv" "$N.1" change)" same "--baseline X -o X: compared with the old X"
is "$(rows "$WORK/last.csv")" 2 "--baseline X -o X: X holds this run"

# --- --append and --resume onto a file that is not a report -------------
printf precious >"$WORK/notes"
cp "$WORK/notes" "$WORK/notes.saved"
probe -q -f "$WORK/io.saved" --append -o "$WORK/notes"
is "$rc" 2 "--append onto a file that is not a report: exit 2"
same "$WORK/notes" "$WORK/notes.saved" "--append: the file is left byte for byte"
grep -q "not smtpprobe's report" "$WORK/err.txt"
ok $? "--append: stderr says it is not a report"
sed 's/^/#   /' "$WORK/err.txt" | head -3
probe -q -f "$WORK/io.saved" --resume -o "$WORK/notes"
is "$rc" 2 "--resume onto it: exit 2"
same "$WORK/notes" "$WORK/notes.saved" "--resume: the file is left byte for byte"
probe -q -f "$WORK/io.saved" --append --format jsonl -o "$WORK/notes"
is "$rc" 2 "--append --format jsonl onto it: exit 2"
same "$WORK/notes" "$WORK/notes.saved" "--append jsonl: the file is left byte for byte"
printf 'line one\nline two' >"$WORK/notes2"
cp "$WORK/notes2" "$WORK/notes2.saved"
probe -q -f "$WORK/io.saved" --append -o "$WORK/notes2"
is "$rc" 2 "--append onto two lines of notes: exit 2"
same "$WORK/notes2" "$WORK/notes2.saved" "two lines of notes: left byte for byte"
: >"$WORK/empty.csv"
probe -q -f "$WORK/io.saved" --append -o "$WORK/empty.csv"
is "$rc" 0 "--append onto an empty file: exit 0"
is "$(rows "$WORK/empty.csv")" 2 "an empty file gets a header and the rows"
# A header cut short by a killed run is still smtpprobe's: repaired.
head -1 "$WORK/empty.csv" | head -c 40 >"$WORK/cut.csv"
probe -q -f "$WORK/io.saved" --append -o "$WORK/cut.csv"
is "$rc" 0 "--append onto a cut header of ours: exit 0"
is "$(rows "$WORK/cut.csv")" 2 "the cut header is replaced: one header, the rows"

# --- transcripts --------------------------------------------------------
mkdir "$WORK/ev"
printf 'secret\n' >"$WORK/victim"
cp "$WORK/victim" "$WORK/victim.saved"
ln -s "$WORK/victim" "$WORK/ev/${N}.1_$P.txt"
printf 'other\n' >"$WORK/victim2"
cp "$WORK/victim2" "$WORK/victim2.saved"
ln "$WORK/victim2" "$WORK/ev/${N}.2_$P.txt"
probe -q -f "$WORK/io.saved" --transcripts "$WORK/ev" -o "$WORK/tr.csv"
same "$WORK/victim" "$WORK/victim.saved" "a planted symlink's target is not written"
[ -L "$WORK/ev/${N}.1_$P.txt" ]
ok $? "and the symlink is refused, left as it is"
same "$WORK/victim2" "$WORK/victim2.saved" "a planted hard link is not written"
probe -f "$WORK/io.saved" --transcripts "$WORK/ev" -o "$WORK/tr.csv"
grep -q "^smtpprobe: 2 transcripts could not be written: $WORK/ev/$N.[12]_$P.txt: a \(symbolic link\|file with other hard links\): refused\$" "$WORK/err.txt"
ok $? "the summary says a transcript was refused, and why"
sed 's/^/#   /' "$WORK/err.txt" | grep transcript
rm -f "$WORK/ev/${N}.1_$P.txt" "$WORK/ev/${N}.2_$P.txt"
printf 'my notes\n' >"$WORK/ev/${N}.1_$P.txt"
probe -q -f "$WORK/io.saved" --transcripts "$WORK/ev" -o "$WORK/tr.csv"
is "$(cat "$WORK/ev/${N}.1_$P.txt")" "my notes" "a file that is not a transcript is not overwritten"
grep -q '^# smtpprobe ' "$WORK/ev/${N}.2_$P.txt"
ok $? "a fresh name gets its transcript"
probe -q -f "$WORK/io.saved" --transcripts "$WORK/ev" -o "$WORK/tr.csv"
is "$(grep -c '^# smtpprobe ' "$WORK/ev/${N}.2_$P.txt")" 1 "a transcript of an earlier run is replaced"

probe -q -f "$WORK/io.saved" --transcripts "$WORK/new-ev" -o "$WORK/tr.csv"
is "$rc" 0 "--transcripts DIR that does not exist: exit 0"
is "$(stat -c %a "$WORK/new-ev" 2>/dev/null)" 700 "DIR is created, mode 0700"
[ -s "$WORK/new-ev/${N}.1_$P.txt" ]
ok $? "and holds the transcripts"

# --- a baseline that is not one -----------------------------------------
: >"$WORK/b-empty.csv"
probe -f "$WORK/io.saved" --baseline "$WORK/b-empty.csv" -o "$WORK/b.csv"
is "$rc" 0 "an empty baseline: the run goes on (exit 0)"
grep -q "^smtpprobe: baseline $WORK/b-empty.csv is empty: every target counts as new\$" "$WORK/err.txt"
ok $? "an empty baseline: said on stderr"
grep -q 'runtime error' "$WORK/err.txt"
ok $((! $?)) "an empty baseline: no sanitizer report"
head -1 "$WORK/last.csv" >"$WORK/b-header.csv"
probe -f "$WORK/io.saved" --baseline "$WORK/b-header.csv" -o "$WORK/b.csv"
is "$rc" 0 "a header-only baseline: the run goes on (exit 0)"
grep -q "^smtpprobe: baseline $WORK/b-header.csv has no rows: every target counts as new\$" "$WORK/err.txt"
ok $? "a header-only baseline: said on stderr"
grep -q 'runtime error' "$WORK/err.txt"
ok $((! $?)) "a header-only baseline: no sanitizer report"
head -c 600 /bin/sh >"$WORK/b-binary.csv"
probe -f "$WORK/io.saved" --baseline "$WORK/b-binary.csv" -o "$WORK/b-bin.csv"
is "$rc" 2 "a binary baseline: refused (exit 2)"
[ ! -e "$WORK/b-bin.csv" ]
ok $? "a binary baseline: no output was opened"
head -c 30 "$WORK/last.csv" >"$WORK/b-cuthead.csv"
probe -f "$WORK/io.saved" --baseline "$WORK/b-cuthead.csv" -o "$WORK/b2.csv"
is "$rc" 2 "a baseline cut inside its header: refused (exit 2)"
head -c $(($(wc -c <"$WORK/last.csv") - 5)) "$WORK/last.csv" >"$WORK/b-cutrow.csv"
probe -f "$WORK/io.saved" --baseline "$WORK/b-cutrow.csv" -o "$WORK/b3.csv"
is "$rc" 0 "a baseline with a cut last row: the run goes on"
grep -q "^smtpprobe: baseline $WORK/b-cutrow.csv: its last row is cut short (a killed run?) and was left out\$" "$WORK/err.txt"
ok $? "a cut last row: said on stderr"
is "$(cell "$WORK/b3.csv" "$N.1" change)+$(cell "$WORK/b3.csv" "$N.2" change)" \
	"$(head -2 "$WORK/last.csv" | grep -q "$N.1" && echo same+new || echo new+same)" \
	"the whole row still counts, the cut one is new"

lab_stop report
done_testing
