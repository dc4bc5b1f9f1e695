#!/bin/sh
# messages.sh BUILDDIR [MESSAGES]: how fast --message reads Received chains.
#
# Writes an mbox of MESSAGES (default 100000) spams with the seed's chain
# shape (three Received fields, one qmail "invoked from network", ~1 KiB
# each with a body holding ">From " lines), and a Maildir of a tenth as
# many files, then times smtpprobe on them with /usr/bin/time:
#   --extract-only   parse and walk every chain, write the hop table as CSV;
#   probe mode       the same messages through the target stream; every
#                    suspect is a documentation address outside the
#                    allowlist (127.0.0.0/8), so each row is skipped and
#                    nothing connects anywhere.
set -eu
B=${1:?usage: bench/messages.sh BUILDDIR [MESSAGES]}
N=${2:-100000}
SMTPPROBE_ALLOWLIST='127.0.0.0/8,::1/128'
export SMTPPROBE_ALLOWLIST
# No DNS unless asked for: no query may leave the machine.
SMTPPROBE_DNS_SERVER=none
export SMTPPROBE_DNS_SERVER
W=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

awk -v n="$N" 'BEGIN {
	for (i = 0; i < n; i++) {
		a = i % 250 + 1; b = int(i / 250) % 250 + 1
		printf "From spammer@example.net Sat Nov 28 10:00:00 2026\n"
		printf "Received: from localhost (d%d.dyn.example.net [198.51.100.%d])\n", i, a
		printf "\tby mx.example.com with SMTP id k%d\n\tfor <abuse@example.com>; Sat, 28 Nov 2026 19:54:40 +0900 (JST)\n", i
		printf "Message-Id: <%d.k%d@mx.example.com>\n", i, i
		printf "Received: (qmail %d invoked from network); 28 Nov 2026 10:54:27 -0000\n", i
		printf "Received: from unknown (HELO 192.168.0.1) (192.168.0.%d)\n  by localhost with SMTP; 28 Nov 2026 10:54:27 -0000\n", b
		printf "Subject: bench %d\nFrom: <x@example.net>\nTo: <abuse@example.com>\n\n", i
		printf "Body line one of a message that is not read.\n>From quoted, not a separator\n"
		printf "%s\n%s\n\n", "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.", "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip."
	}
}' >"$W/box.mbox"
mkdir -p "$W/Maildir/cur" "$W/Maildir/new" "$W/Maildir/tmp"
awk -v n="$((N / 10))" -v d="$W/Maildir/new" 'BEGIN {
	for (i = 0; i < n; i++) {
		f = sprintf("%s/%d.M%dP1.bench", d, 1764324000 + i, i)
		printf "Received: from h%d (h%d.example.net [203.0.113.%d])\n\tby mx.example.com (Postfix) with ESMTP id Q%d;\n\tSat, 28 Nov 2026 10:00:00 +0000 (UTC)\nMessage-ID: <md%d@example.net>\n\nbody\n", i, i, i % 250 + 1, i, i > f
		close(f)
	}
}'

run() { # run LABEL COUNT ARGS...
	label=$1
	count=$2
	shift 2
	/usr/bin/time -f '%e %U %S %M' -o "$W/time" "$B/smtpprobe" -q "$@" -o "$W/out.csv" || true
	read -r wall user sys rss <"$W/time"
	rows=$(($(wc -l <"$W/out.csv") - 1))
	awk -v l="$label" -v c="$count" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v rows="$rows" 'BEGIN {
		printf "| %s | %d | %d | %.2f | %.0f | %.3f | %.1f |\n", l, c, rows, w, (w > 0 ? c / w : 0), (u + s) * 1000 / c, r / 1024 }'
}

echo "| run | messages | rows | wall s | messages/s | CPU s per 1,000 | peak RSS MiB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
run "mbox, --extract-only" "$N" --extract-only --format csv --message "$W/box.mbox"
run "mbox, probe mode (all skipped)" "$N" --message "$W/box.mbox"
run "Maildir, --extract-only" "$((N / 10))" --extract-only --format csv --message "$W/Maildir"
echo "mbox: $(wc -c <"$W/box.mbox") bytes"
