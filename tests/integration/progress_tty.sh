#!/bin/sh
# progress_tty.sh: on a terminal, the progress line (stderr) and the text
# report (stdout) share the screen: the line is erased before each report
# block, so no block starts on the progress line ("... 0 accepting127.0...").
# smtpprobe runs on a pseudo-terminal (python3's pty module); what a
# terminal would show of each line is what follows its last carriage return.
#
# Addresses 127.0.131.0/30, port 2704 are this test's.
. "$top_srcdir/tests/integration/lib.sh"

N=127.0.131
lab_start "$N.0/30:2704=tarpit:100" || { ok 1 "lab starts"; done_testing; exit 1; }
ok 0 "lab starts"

# Each dialogue takes 1.2 s, one at a time: the line is drawn between rows.
python3 -c '
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out, end = b"", time.time() + 30
while time.time() < end:
    if select.select([fd], [], [], 0.5)[0]:
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        out += b
os.waitpid(pid, 0)
sys.stderr.write(repr(out))
for line in out.decode("utf-8", "replace").split("\n"):
    print(line.split("\r")[-2 if line.endswith("\r") else -1].replace("\x1b[K", ""))
' "$SMTPPROBE" --allow-private -c 1 -r 0 "$N.0:2704" "$N.1:2704" "$N.2:2704" >"$WORK/screen.txt" 2>"$WORK/raw.txt"
grep -q 'smtpprobe: [0-9]/3 done, .* accepting' "$WORK/raw.txt"
ok $? "the progress line was drawn"
is "$(grep -c "^$N\.[0-2]:2704  accepts-relay" "$WORK/screen.txt" | tr -d ' ')" 3 \
	"each of the 3 report blocks starts on a line of its own"
is "$(grep -c "accepting.*$N\." "$WORK/screen.txt" | tr -d ' ')" 0 \
	"no report block is printed on the progress line"

lab_stop report
done_testing
