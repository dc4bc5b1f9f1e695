#!/bin/sh
# ranges.sh: a range is checked against the allowlist, --exclude and the
# special-purpose ranges as a range: what they cut is one skipped row with
# counts, only the rest is walked (seeded order, shards disjoint and
# complete). An empty allowlist is a usage error. IPv6 forms that carry an
# IPv4 address are judged by it. The summary counts skips by kind, and a run
# that probed nothing exits 5. Every address probed here is on 127.0.197.0/24.
. "$top_srcdir/tests/integration/lib.sh"

P=2697
N=127.0.197
lab_start "$N.1:$P=postfix-closed" || { ok 1 "lab starts"; done_testing; exit 1; }

# Columns by name: ip origin verdict error.
ids() { # ids FILE: "ip verdict error" per row, sorted
	csv_tsv "$1" | awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print $c["ip"] "\t" $c["verdict"] "\t" $c["error"] }' | sort
}

# The seed: 0.0.0.0/0 with a small allowlist wrote one skipped row per address
# outside it. --max-targets bounds the run either way.
SMTPPROBE_ALLOWLIST="$N.0/30" "$SMTPPROBE" --allow-private --rate 0 --timeout 2 -p $P \
	--max-targets 100 0.0.0.0/0 -o "$WORK/all.csv" 2>"$WORK/all.err"
is "$?" 0 "0.0.0.0/0 inside a /30 allowlist: a clean run"
is "$(rows "$WORK/all.csv")" 5 "one skipped row for the range, one row per allowed address"
is "$(csv_tsv "$WORK/all.csv" | awk -F '\t' '$6 == "skipped" {print $2 "|" $7}')" \
	"|outside allowlist: 4294967292 of 4294967296 addresses" \
	"the skipped row counts what lies outside, and names no address"
is "$(ids "$WORK/all.csv" | awk -F '\t' '$1 != "" {print $1}' | tr '\n' ' ')" \
	"$N.0 $N.1 $N.2 $N.3 " "exactly the allowed addresses were walked, each once"
is "$(cell "$WORK/all.csv" "$N.1" verdict)" smtp-closed "and probed"

# Without --allow-private the special ranges are cut the same way: nothing is
# left, and the run says so and exits 5.
SMTPPROBE_ALLOWLIST=127.0.0.0/8 "$SMTPPROBE" --rate 0 --timeout 2 --max-targets 100 0.0.0.0/0 \
	-o "$WORK/none.csv" 2>"$WORK/none.err"
is "$?" 5 "nothing left to probe: exit 5"
is "$(rows "$WORK/none.csv")" 1 "one row"
is "$(cell "$WORK/none.csv" "" error)" \
	"outside allowlist: 4278190080, special-purpose range: 16777216 of 4294967296 addresses; use --allow-private" \
	"its reason counts each cut"
grep -q "^smtpprobe: 1 skipped: 1 outside the allowlist\$" "$WORK/none.err"
ok $? "the summary says why it was skipped"
grep -q "^smtpprobe: nothing probed: every target was skipped (exit status 5)\$" "$WORK/none.err"
ok $? "and that nothing was probed"

# Allowlist, --exclude and shards together: the shards' rows merge into
# exactly one run's, the cut row once.
printf '%s\n' "$N.64/28   # theirs, ticket 7" >"$WORK/exclude.txt"
for s in 0 1 2; do
	"$SMTPPROBE" --allow-private --allowlist "$N.0/25,$N.200/30" --exclude "$WORK/exclude.txt" \
		--rate 0 -c 200 --timeout 2 -p $P -q --seed 5 --shard $s/3 "$N.0/24" \
		-o "$WORK/shard$s.csv"
	is "$?" 0 "shard $s/3 runs"
done
for s in 0 1 2; do ids "$WORK/shard$s.csv"; done | sort >"$WORK/merged.txt"
is "$(wc -l <"$WORK/merged.txt" | tr -d ' ')" $((128 - 16 + 4 + 1)) \
	"shards: the allowed addresses and one cut row"
is "$(cut -f1 "$WORK/merged.txt" | sort | uniq -d | wc -l | tr -d ' ')" 0 "shards: disjoint"
want=$(i=0; while [ $i -lt 128 ]; do [ $i -ge 64 ] && [ $i -lt 80 ] || echo "$N.$i"; i=$((i + 1)); done
	echo "$N.200"; echo "$N.201"; echo "$N.202"; echo "$N.203")
is "$(awk -F '\t' '$1 != "" {print $1}' "$WORK/merged.txt" | sort)" "$(echo "$want" | sort)" \
	"shards: together exactly the allowed addresses"
is "$(awk -F '\t' '$1 == "" {print $2 ": " $3}' "$WORK/merged.txt")" \
	"skipped: outside allowlist: 124, excluded: 16 of 256 addresses; by $N.64/28 (theirs, ticket 7)" \
	"the cut row counts both cuts and names the exclude rule"

# An empty allowlist is a mistake, not "no bound"; unset still means none.
SMTPPROBE_ALLOWLIST= "$SMTPPROBE" --allow-private -p $P "$N.1" -o "$WORK/empty.csv" \
	2>"$WORK/empty.err"
is "$?" 2 "SMTPPROBE_ALLOWLIST set but empty: usage error"
is "$(cat "$WORK/empty.err")" \
	"smtpprobe: SMTPPROBE_ALLOWLIST is empty: name the ranges to probe (unset it for no allowlist)" \
	"saying so"
ok "$([ ! -s "$WORK/empty.csv" ]; echo $?)" "and nothing was probed or written"
"$SMTPPROBE" --allow-private --allowlist '' -p $P "$N.1" >/dev/null 2>"$WORK/empty2.err"
is "$?" 2 "--allowlist '': usage error"
grep -q "^smtpprobe: --allowlist is empty" "$WORK/empty2.err"
ok $? "saying so"
(unset SMTPPROBE_ALLOWLIST && "$SMTPPROBE" --allow-private --timeout 2 -p $P -q "$N.1" \
	-o "$WORK/unset.csv")
is "$(cell "$WORK/unset.csv" "$N.1" verdict)" smtp-closed "unset: no allowlist, as before"

# IPv6 forms that carry an IPv4 address are judged by it, even inside the
# allowlist. Nothing here is connected to: every one is skipped.
"$SMTPPROBE" --allowlist "127.0.0.0/8,::1/128,64:ff9b::/96,2002::/16,::/96,fec0::/10,2001::/32" \
	--timeout 2 -p $P 64:ff9b::a00:1 2002:7f00:1::1 ::a00:1 fec0::1 2001::1 \
	-o "$WORK/v6.csv" 2>"$WORK/v6.err"
is "$?" 5 "every IPv6 target skipped: exit 5"
is "$(cell "$WORK/v6.csv" 64:ff9b::a00:1 error)" \
	"special-purpose range: private (RFC 1918) inside NAT64 well-known prefix (RFC 6052); use --allow-private" \
	"NAT64: the IPv4 address inside is private"
is "$(cell "$WORK/v6.csv" 2002:7f00:1::1 error)" \
	"special-purpose range: loopback (RFC 1122) inside 6to4 (RFC 3056); use --allow-private" \
	"6to4: the IPv4 address inside is loopback"
cell "$WORK/v6.csv" ::10.0.0.1 error | grep -q "IPv4-compatible, deprecated (RFC 4291)"
ok $? "IPv4-compatible: special"
cell "$WORK/v6.csv" fec0::1 error | grep -q "site-local, deprecated (RFC 3879)"
ok $? "site-local: special"
cell "$WORK/v6.csv" 2001::1 error | grep -q "Teredo (RFC 4380)"
ok $? "Teredo: special"
grep -q "^smtpprobe: 5 skipped: 5 special-purpose range\$" "$WORK/v6.err"
ok $? "the summary counts them by kind"

# A mixed run: the summary lists each kind with its count.
printf '%s\n' "$N.1:$P" "192.0.2.1" "$N.1:$P" "not-an-address!" >"$WORK/mixed.txt"
"$SMTPPROBE" --allowlist 127.0.0.0/8 --allow-private --timeout 2 --exclude "$WORK/exclude.txt" \
	-f "$WORK/mixed.txt" "$N.70:$P" -o "$WORK/mixed.csv" 2>"$WORK/mixed.err"
is "$?" 0 "a run that probed something exits 0"
is "$(grep " skipped" "$WORK/mixed.err" | tail -1)" \
	"smtpprobe: 3 skipped: 1 outside the allowlist, 1 excluded, 1 bad input" \
	"the summary lists the skips by kind"

lab_stop report
done_testing
