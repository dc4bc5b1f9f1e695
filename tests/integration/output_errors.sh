#!/bin/sh
# output_errors.sh: a report that cannot be written is never lost silently.
# A full disk (/dev/full, as -o and as stdout), a file that fills up in the
# middle of a run (RLIMIT_FSIZE, SIGXFSZ ignored so write() fails with EFBIG
# as on a full file system), and a path that cannot be opened: each gives one
# clear "smtpprobe: ..." line and exit status 3 (doc/smtpprobe.1, EXIT STATUS).
#
# Addresses 127.0.80.64/26, port 2682 are this test's.
. "$top_srcdir/tests/integration/lib.sh"

P=2682
lab_start "127.0.80.64/26:$P=open-relay" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"
i=64
: >"$WORK/targets.txt"
while [ $i -lt 128 ]; do
	echo "127.0.80.$i:$P" >>"$WORK/targets.txt"
	i=$((i + 1))
done

# -o /dev/full
timeout 30 "$SMTPPROBE" --allow-private -q -o /dev/full 127.0.80.64:$P 2>"$WORK/err"
is "$?" 3 "-o /dev/full: exit status 3"
is "$(cat "$WORK/err")" "smtpprobe: writing /dev/full: No space left on device" \
	"-o /dev/full: one clear line"

# stdout on a full disk
timeout 30 "$SMTPPROBE" --allow-private -q 127.0.80.64:$P >/dev/full 2>"$WORK/err"
is "$?" 3 "stdout on /dev/full: exit status 3"
is "$(cat "$WORK/err")" "smtpprobe: writing the report: No space left on device" \
	"stdout on /dev/full: one clear line"

# The file fills up after a few rows: at most 4 KiB (ulimit -f counts 512-byte
# blocks in dash, KiB in bash) for 64 rows of more than 200 bytes.
(
	trap '' XFSZ
	ulimit -f 4
	exec timeout 30 "$SMTPPROBE" --allow-private -q -f "$WORK/targets.txt" -o "$WORK/big.csv"
) 2>"$WORK/err"
is "$?" 3 "a file that fills up mid-run: exit status 3, not 1 (open relays were found)"
grep -q "^smtpprobe: writing $WORK/big.csv: File too large$" "$WORK/err"
ok $? "a file that fills up mid-run: the error is said ($(head -c 80 "$WORK/err"))"
size=$(wc -c <"$WORK/big.csv" | tr -d ' ')
[ "$size" -le 4096 ] && [ "$size" -gt 0 ]
ok $? "the rows that fitted were written ($size bytes)"

# A path that cannot be opened.
timeout 30 "$SMTPPROBE" --allow-private -q -o "$WORK/no/such/dir/out.csv" 127.0.80.64:$P \
	2>"$WORK/err"
is "$?" 3 "-o into a missing directory: exit status 3"
is "$(cat "$WORK/err")" "smtpprobe: $WORK/no/such/dir/out.csv: No such file or directory" \
	"-o into a missing directory: one clear line"
: >"$WORK/ro.csv"
chmod 444 "$WORK/ro.csv"
if [ "$(id -u)" -eq 0 ]; then
	ok 0 "# SKIP a read-only file: root writes anyway"
else
	timeout 30 "$SMTPPROBE" --allow-private -q -o "$WORK/ro.csv" 127.0.80.64:$P 2>"$WORK/err"
	is "$?" 3 "-o a read-only file: exit status 3"
fi

lab_stop report
done_testing
