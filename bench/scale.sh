#!/bin/sh
# scale.sh: the scale benchmark. Run from the top of the source tree:
#
#   bench/scale.sh BUILD_DIR [all|mix|curve|compare|floor]
#
# It re-runs itself inside a new network namespace that holds only
# loopback (unshare -n; needs root), so nothing it starts can reach any
# other address, and so Postfix's smtp-sink may listen on 0.0.0.0 there to
# serve every 127.x address. Prints Markdown tables for bench/RESULTS.md.
#
#   mix      51,200 targets, 55% refused, 5% silent, 30% closed, 2.5% greylist,
#            2.5% tarpit (300 ms a reply), 5% open; concurrency 100, 1000, 5000
#   curve    the same mix at 1k, 10k and 50k targets (concurrency 1000)
#   compare  1,000 targets on the lab and on smtp-sink: smtpprobe (basic and
#            full), nmap --script smtp-open-relay, swaks --quit-after RCPT,
#            and the floor client holding as many transactions as the full
#            matrix has tests (counted from a run; the most any lock-step
#            client could do); the server's CPU beside each
#   floor    a bare epoll client's CPU per dialogue against smtpprobe's
#   tarpit   8,192 targets, every reply 50 ms late: concurrency 100 to 10,000,
#            wall time, CPU, peak RSS and the speed-up of 5,000 over 1,000;
#            then nmap --script smtp-open-relay beside smtpprobe (basic and
#            full) on the first 200 and 1,000 of them (TARPIT_NMAP; none:
#            no nmap), nmap cut after 600 s (TARPIT_NMAP_TIMEOUT) (not part
#            of all)
#   cpu      smtp-sink, 10,000 targets at concurrency 100: the floor client and
#            smtpprobe (--tests basic, then full, the floor holding as many
#            transactions) in turn, 3 rounds, CPU per dialogue and the ratio,
#            alone and with smtp-sink's CPU added; CPU_BUILDS="DIR..." sets
#            the smtpprobe builds to alternate (not part of all)
#   insn     smtp-sink again: the instructions each build of CPU_BUILDS and the
#            floor client run per basic dialogue, counted by valgrind's
#            callgrind (user space only, exact where CPU time is noisy): a run
#            of 4,000 targets less one of 2,000, over 2,000 (not part of all)
#
# Needs Debian's time, nmap and swaks, and postfix's smtp-sink (taken from
# the postfix .deb without installing it; see bench/RESULTS.md).
set -eu
BUILD=$(cd "${1:?usage: bench/scale.sh BUILD_DIR [all|mix|curve|compare|floor|tarpit|cpu|insn]}" && pwd)
WHAT=${2:-all}
if [ -z "${SMTPPROBE_BENCH_NETNS:-}" ]; then
	exec unshare -n env SMTPPROBE_BENCH_NETNS=1 sh -c 'ip link set lo up && exec "$0" "$@"' \
		"$0" "$@"
fi
SMTPPROBE_ALLOWLIST='127.0.0.0/8,::1/128'
export SMTPPROBE_ALLOWLIST
# No DNS unless asked for: no query may leave the machine.
SMTPPROBE_DNS_SERVER=none
export SMTPPROBE_DNS_SERVER
P=2750
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtpprobe-scale.XXXXXX")
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT

wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -le 600 ] || { echo "timeout waiting for $1" >&2; [ -n "${2:-}" ] && cat "$2" >&2; exit 1; }
		sleep 0.1
	done
}

# server_cpu PID...: the user and system CPU seconds the servers have used so
# far (/proc/PID/stat), so a tool's CPU can be set against the server's.
server_cpu() {
	for p in "$@"; do sed 's/.*) //' "/proc/$p/stat"; done |
		awk -v hz="$(getconf CLK_TCK)" '{ t += $12 + $13 } END { printf "%.2f", t / hz }'
}

# server_since S0 PID...: the CPU seconds the servers have used since
# server_cpu said S0.
server_since() {
	since=$1
	shift
	awk -v a="$since" -v b="$(server_cpu "$@")" 'BEGIN { printf "%.2f", b - a }'
}

# tarpit: every reply 50 ms late, 8,192 addresses, --tests basic, at
# concurrency 100 to 10000 (the descriptor limit may clamp the last:
# smtpprobe says so on stderr, shown under the table), then nmap beside
# smtpprobe (basic and full) on the first TARPIT_NMAP targets of the same lab,
# nmap cut after TARPIT_NMAP_TIMEOUT seconds. A lab of its own, so its 8,192
# listeners and up to 10,000 accepted connections fit its limit.
if [ "$WHAT" = tarpit ]; then
	echo "127.5.0.0/19:$P=tarpit:50" >"$WORK/tarpit.conf"
	"$BUILD/smtplab" --config "$WORK/tarpit.conf" --pidfile "$WORK/tarpit.pid" \
		2>"$WORK/tarpit.err" &
	PIDS=$!
	wait_file "$WORK/tarpit.pid" "$WORK/tarpit.err"
	awk 'BEGIN { for (i = 0; i < 8192; i++) printf "127.5.%d.%d\n", i / 256, i % 256 }' \
		>"$WORK/tarpit-hosts.txt"
	sed "s/\$/:$P/" "$WORK/tarpit-hosts.txt" >"$WORK/tarpit.txt"
	echo "### 8,192 targets, every reply 50 ms late (--tests basic, --timeout 10), descriptor limit $(ulimit -Hn)"
	echo "| run | rows | wall s | targets/s | CPU s | peak RSS MiB | open found | KiB per session above the first |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	base=
	for c in ${TARPIT_CONC:-100 1000 5000 10000}; do
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$BUILD/smtpprobe" --allow-private -r 0 \
			-c $c --tests basic --timeout 10 -f "$WORK/tarpit.txt" -o "$WORK/out.csv" \
			2>"$WORK/sp.err" || [ $? -eq 1 ]
		read -r wall user sys rss <<EOT
$(tail -n 1 "$WORK/time")
EOT
		echo "$wall" >"$WORK/wall-$c"
		n=$(($(wc -l <"$WORK/out.csv") - 1))
		open=$(grep -c ',accepts-relay,' "$WORK/out.csv" || true)
		[ -n "$base" ] || { base=$rss; basec=$c; }
		awk -v c="$c" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v b="$base" \
			-v bc="$basec" -v o="$open" 'BEGIN { k = c > bc ? (r - b) / (c - bc) : 0
				printf "| concurrency %d | %d | %.2f | %.0f | %.2f | %.1f | %d | %.1f |\n",
				c, n, w, n / (w > 0 ? w : 0.01), u + s, r / 1024, o, k }'
		grep -i 'clamp\|descriptor' "$WORK/sp.err" | sed 's/^/    /' >>"$WORK/notes" || true
	done
	[ -s "$WORK/notes" ] && { echo; cat "$WORK/notes"; }
	if [ -s "$WORK/wall-1000" ] && [ -s "$WORK/wall-5000" ]; then
		awk -v a="$(cat "$WORK/wall-1000")" -v b="$(cat "$WORK/wall-5000")" 'BEGIN {
			printf "\nSpeed-up of concurrency 5000 over 1000: %.2fx (%.2f s against %.2f s).\n",
				a / (b > 0 ? b : 0.01), b, a }'
	fi
	echo
	[ "${TARPIT_NMAP:-}" != none ] || exit 0
	# nmap runs its script only on ports it takes for SMTP: a copy of its
	# services file names ours so (as in the compare block).
	mkdir -p "$WORK/nmap"
	grep -v "[[:space:]]$P/tcp" /usr/share/nmap/nmap-services >"$WORK/nmap/nmap-services"
	printf 'smtp\t%s/tcp\t0.5\t# smtpprobe bench\n' $P >>"$WORK/nmap/nmap-services"
	cut=${TARPIT_NMAP_TIMEOUT:-600}
	echo "### nmap beside smtpprobe on the same 50-ms lab (smtpprobe -c 1000 --timeout 10; nmap -sT -Pn -n --script smtp-open-relay, cut after $cut s)"
	echo "| tool | targets | rows | wall s | targets/s | CPU s | peak RSS MiB | open found |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for n in ${TARPIT_NMAP:-200 1000}; do
		head -n "$n" "$WORK/tarpit-hosts.txt" >"$WORK/sub-hosts.txt"
		head -n "$n" "$WORK/tarpit.txt" >"$WORK/sub.txt"
		for tests in basic full; do
			/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$BUILD/smtpprobe" --allow-private \
				-r 0 -c 1000 -q --tests $tests --timeout 10 -f "$WORK/sub.txt" \
				-o "$WORK/sub.csv" || [ $? -eq 1 ]
			rows=$(($(wc -l <"$WORK/sub.csv") - 1))
			open=$(grep -c ',accepts-relay,' "$WORK/sub.csv" || true)
			echo "smtpprobe --tests $tests|$n|$rows|$open|$(tail -n 1 "$WORK/time")" >>"$WORK/nmap-rows"
		done
		rm -f "$WORK/nmap.txt"
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" timeout "$cut" nmap --datadir "$WORK/nmap" \
			-n -Pn -sT -p $P --script smtp-open-relay \
			--script-args smtp-open-relay.domain=example.net -iL "$WORK/sub-hosts.txt" \
			-oN "$WORK/nmap.txt" >/dev/null 2>&1 && label=nmap || label="nmap (cut at $cut s)"
		rows=$(grep -c '^Nmap scan report for' "$WORK/nmap.txt" || true)
		open=$(grep -c 'Server is an open relay' "$WORK/nmap.txt" || true)
		echo "$label|$n|$rows|$open|$(tail -n 1 "$WORK/time")" >>"$WORK/nmap-rows"
	done
	awk -F'|' '{ split($5, t, " ")
		printf "| %s | %d | %d | %.2f | %.1f | %.2f | %.1f | %d |\n", $1, $2, $3, t[1],
			$3 / (t[1] > 0 ? t[1] : 0.01), t[2] + t[3], t[4] / 1024, $4 }' "$WORK/nmap-rows"
	exit 0
fi

# sink_start: Postfix's smtp-sink (SMTP_SINK) on 0.0.0.0:2799, its PID in PIDS.
sink_start() {
	SINK=${SMTP_SINK:-/tmp/pf/root/usr/sbin/smtp-sink}
	LD_LIBRARY_PATH=$(dirname "$SINK")/../lib/postfix "$SINK" -u nobody 0.0.0.0:2799 1000 \
		2>"$WORK/sink.err" &
	PIDS=$!
	sleep 0.5
}

# sink_targets N FILE: N addresses of 127.3.0.0/16, on smtp-sink's port.
sink_targets() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "127.3.%d.%d:2799\n", i / 256, i % 256 }' \
		>"$2"
}

# insn: instructions per basic dialogue on smtp-sink (callgrind). Start-up
# and exit cost the same in both runs, so the difference of a run of 4,000
# targets and one of 2,000 is what 2,000 dialogues cost. callgrind's CPU is
# not this machine's: its memset runs the AVX2 loop, counted per 32 bytes,
# where the CPU runs rep stosb.
if [ "$WHAT" = insn ]; then
	sink_start
	sink_targets 2000 "$WORK/insn2000.txt"
	sink_targets 4000 "$WORK/insn4000.txt"
	insn() { # insn CMD...: the instructions callgrind counted for CMD
		valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$@" 2>&1 >/dev/null |
			awk '/Collected/ { print $4 }'
	}
	echo "### Instructions per basic dialogue on smtp-sink (callgrind, concurrency 100)"
	echo "| program | instructions per dialogue |"
	echo "| --- | ---: |"
	for b in ${CPU_BUILDS:-$BUILD} floor; do
		count=
		for n in 2000 4000; do
			if [ "$b" = floor ]; then
				c=$(insn "$BUILD/bench/floor" "$WORK/insn$n.txt" 100 3)
			else
				c=$(insn "$b/smtpprobe" --allow-private -r 0 -c 100 -q --tests basic \
					-f "$WORK/insn$n.txt" -o "$WORK/insn.csv")
				rows=$(($(wc -l <"$WORK/insn.csv") - 1))
				[ "$rows" -eq "$n" ] || echo "$b: $rows rows of $n" >&2
			fi
			count="$count $c"
		done
		echo "$count" | awk -v b="$b" '{ printf "| %s | %d |\n", b, ($2 - $1) / 2000 }'
	done
	exit 0
fi

# cpu: CPU per dialogue on smtp-sink against the floor client holding the
# same commands, each build of CPU_BUILDS in turn with the floor, 3 rounds.
# /usr/bin/time counts in 10 ms ticks: 10,000 dialogues make a run of
# about 1 s of CPU at least. The floor holds as many transactions as
# smtpprobe's rows list relay tests, and strace checks once that both send
# the same number of commands per dialogue. On loopback the kernel does the
# receiving side's work (and wakes a sleeping receiver) in the sender's
# system call, so the client's CPU depends on whether smtp-sink waits for it
# or it for smtp-sink: beside each client, its CPU and smtp-sink's together.
if [ "$WHAT" = cpu ]; then
	sink_start
	n=${CPU_TARGETS:-10000}
	sink_targets "$n" "$WORK/cpu.txt"
	head -n 10 "$WORK/cpu.txt" >"$WORK/cpu10.txt"
	builds=${CPU_BUILDS:-$BUILD}
	echo "### CPU per dialogue on smtp-sink, $n targets, concurrency 100 ($(uptime | sed 's/.*load/load/'))"
	printf '| round | tests | floor transactions | floor µs per dialogue | floor + sink |'
	for b in $builds; do printf ' %s µs per dialogue (ratio) | %s + sink (ratio) |' "$b" "$b"; done
	printf '\n| ---: | --- | ---: | ---: | ---: |'
	for b in $builds; do printf ' ---: | ---: |'; done
	echo
	cpu_us() { # cpu_us DIALOGUES [SINK_SECONDS]: µs per dialogue from $WORK/time
		read -r user sys <<EOT
$(tail -n 1 "$WORK/time")
EOT
		awk -v n="$1" -v u="$user" -v s="$sys" -v k="${2:-0}" \
			'BEGIN { printf "%.1f", (n > 0 ? (u + s + k) * 1e6 / n : 0) }'
	}
	for round in 1 2 3; do
		for tests in basic full; do
			row=
			tx=
			for b in $builds; do
				s0=$(server_cpu $PIDS)
				/usr/bin/time -f '%U %S' -o "$WORK/time" "$b/smtpprobe" --allow-private -r 0 \
					-c 100 -q --tests $tests -f "$WORK/cpu.txt" -o "$WORK/cpu.csv" || true
				sink=$(server_since "$s0" $PIDS)
				rows=$(($(wc -l <"$WORK/cpu.csv") - 1))
				us=$(cpu_us "$rows")
				both=$(cpu_us "$rows" "$sink")
				[ "$rows" -eq "$n" ] || us="$us, $rows rows"
				# transactions: the relay tests of the first row
				t=$(sed -n 2p "$WORK/cpu.csv" | cut -d, -f12 | tr ';' '\n' | grep -c .)
				[ -z "$tx" ] || [ "$tx" = "$t" ] || echo "builds disagree: $tx and $t transactions" >&2
				tx=$t
				row="$row $us/$both"
			done
			s0=$(server_cpu $PIDS)
			/usr/bin/time -f '%U %S' -o "$WORK/time" "$BUILD/bench/floor" "$WORK/cpu.txt" 100 "$tx" \
				>"$WORK/floor.out"
			sink=$(server_since "$s0" $PIDS)
			d=$(awk '{print $2}' "$WORK/floor.out")
			fl=$(cpu_us "$d")
			flboth=$(cpu_us "$d" "$sink")
			printf '| %d | %s | %d | %s | %s |' "$round" "$tests" "$tx" "$fl" "$flboth"
			for us in $row; do
				awk -v u="${us%%/*}" -v b="${us#*/}" -v f="$fl" -v fb="$flboth" \
					'BEGIN { printf " %.1f (%.2f) | %.1f (%.2f) |", u, u / f, b, b / fb }'
			done
			echo
			if [ "$round" = 1 ] && command -v strace >/dev/null; then
				strace -f -qq -s 256 -e trace=sendto -o "$WORK/sp.trace" "$BUILD/smtpprobe" \
					--allow-private -r 0 -c 10 -q --tests $tests -f "$WORK/cpu10.txt" \
					-o "$WORK/cpu10.csv" || true
				strace -f -qq -s 256 -e trace=write -o "$WORK/fl.trace" "$BUILD/bench/floor" \
					"$WORK/cpu10.txt" 10 "$tx" >/dev/null
				echo "    $tests: commands per dialogue: smtpprobe $(($(grep -c ' sendto(' "$WORK/sp.trace") / 10)), floor $(($(grep -c '\\r\\n' "$WORK/fl.trace") / 10))" >>"$WORK/notes"
			fi
		done
	done
	[ -s "$WORK/notes" ] && { echo; cat "$WORK/notes"; }
	exit 0
fi

# The mix: /24 blocks of 127.2.0.0/16, by personality.
awk -v p=$P 'BEGIN {
	for (b = 110; b < 120; b++) printf "127.2.%d.0/24:%d=silent\n", b, p
	for (b = 120; b < 180; b++) printf "127.2.%d.0/24:%d=postfix-closed\n", b, p
	for (b = 180; b < 185; b++) printf "127.2.%d.0/24:%d=greylist\n", b, p
	for (b = 185; b < 190; b++) printf "127.2.%d.0/24:%d=tarpit:300\n", b, p
	for (b = 190; b < 200; b++) printf "127.2.%d.0/24:%d=open-relay\n", b, p
	# the comparison: 1,000 lab targets, half open, half closed
	printf "127.4.0.0/23:%d=open-relay\n127.4.2.0/23:%d=postfix-closed\n", p, p
}' >"$WORK/lab.conf"
# 24,000 listeners and up to 5,000 dialogues would not fit one process's
# descriptor limit (often 20,000, which a container's root cannot raise):
# three labs share the /24 blocks.
LABS=
for l in 0 1 2; do
	awk -v l=$l 'NR % 3 == l' "$WORK/lab.conf" >"$WORK/lab$l.conf"
	"$BUILD/smtplab" --config "$WORK/lab$l.conf" --pidfile "$WORK/lab$l.pid" \
		2>"$WORK/lab$l.err" &
	LABS="$LABS $!"
done
PIDS=$LABS
for l in 0 1 2; do
	wait_file "$WORK/lab$l.pid" "$WORK/lab$l.err"
done

# 51,200 targets in a fixed pseudo-random order (blocks 0..109 have no listener).
awk -v p=$P 'BEGIN { srand(1); for (b = 0; b < 200; b++) for (h = 0; h < 256; h++)
	printf "%.8f 127.2.%d.%d:%d\n", rand(), b, h, p }' | sort | cut -d' ' -f2 >"$WORK/mix.txt"

run() { # run LABEL TARGETS ARGS...: one smtpprobe run, one table row
	label=$1
	list=$2
	shift 2
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$BUILD/smtpprobe" --allow-private -r 0 -q \
		"$@" -f "$list" -o "$WORK/out.csv" || [ $? -eq 1 ]
	read -r wall user sys rss <<EOT
$(tail -n 1 "$WORK/time")
EOT
	n=$(($(wc -l <"$WORK/out.csv") - 1))
	v=$(cut -d, -f6 "$WORK/out.csv" | sed 1d | sort | uniq -c | sort -rn |
		awk '{printf "%s%s %s", s, $1, $2; s = ", "}')
	awk -v l="$label" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v v="$v" \
		'BEGIN { printf "| %s | %d | %.2f | %.0f | %.3f | %.1f | %s |\n",
			l, n, w, n / (w > 0 ? w : 0.01), (u + s) * 1000 / n, r / 1024, v }'
}

header() {
	echo "| run | targets | wall s | targets/s | CPU s per 1,000 | peak RSS MiB | verdicts |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
}

if [ "$WHAT" = all ] || [ "$WHAT" = mix ]; then
	echo "### The mix, 51,200 targets (--timeout 2)"
	header
	for c in 100 1000 5000; do
		run "concurrency $c" "$WORK/mix.txt" -c $c --timeout 2
	done
	echo
fi

if [ "$WHAT" = all ] || [ "$WHAT" = curve ]; then
	echo "### Time against number of targets (concurrency 1000, --timeout 2)"
	header
	for n in 1000 10000 51200; do
		head -n $n "$WORK/mix.txt" >"$WORK/curve.txt"
		run "$n targets" "$WORK/curve.txt" -c 1000 --timeout 2
	done
	echo
fi

if [ "$WHAT" = all ] || [ "$WHAT" = compare ]; then
	# smtp-sink: Postfix's test server, run from the unpacked .deb.
	SINK=${SMTP_SINK:-/tmp/pf/root/usr/sbin/smtp-sink}
	LD_LIBRARY_PATH=$(dirname "$SINK")/../lib/postfix "$SINK" -u nobody 0.0.0.0:2799 1000 \
		2>"$WORK/sink.err" &
	SINKPID=$!
	PIDS="$PIDS $SINKPID"
	sleep 0.5
	awk 'BEGIN { for (i = 0; i < 1000; i++) printf "127.3.%d.%d\n", i / 256, i % 256 }' \
		>"$WORK/sink-hosts.txt"
	sed 's/$/:2799/' "$WORK/sink-hosts.txt" >"$WORK/sink.txt"
	awk -v p=$P 'BEGIN { for (i = 0; i < 1000; i++) printf "127.4.%d.%d\n", i / 256, i % 256 }' \
		>"$WORK/lab-hosts.txt"
	sed "s/\$/:$P/" "$WORK/lab-hosts.txt" >"$WORK/lab.txt"
	for set in lab sink; do
		port=$P
		servers=$LABS
		[ $set = sink ] && port=2799 && servers=$SINKPID
		echo "### 1,000 targets on the $set: tools side by side"
		echo "| tool | wall s | targets/s | CPU s per 1,000 | server CPU s per 1,000 | open found | agrees with smtpprobe full |"
		echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
		for tests in full basic; do
			s0=$(server_cpu $servers)
			/usr/bin/time -f '%e %U %S' -o "$WORK/time" "$BUILD/smtpprobe" --allow-private \
				-r 0 -c 100 -q --tests $tests -f "$WORK/$set.txt" -o "$WORK/sp-$tests.csv" ||
				true
			read -r wall user sys <<EOT
$(tail -n 1 "$WORK/time")
EOT
			srv=$(server_since "$s0" $servers)
			open=$(grep -c ',accepts-relay,' "$WORK/sp-$tests.csv" || true)
			cut -d, -f2,6 "$WORK/sp-$tests.csv" | sed 1d |
				awk -F, '{print $1, ($2 == "accepts-relay") ? "open" : "closed"}' | sort \
				>"$WORK/v-sp-$tests.txt"
			awk -v t="smtpprobe --tests $tests" -v w="$wall" -v u="$user" -v s="$sys" -v o="$open" \
				-v c="$srv" 'BEGIN { printf "| %s | %.2f | %.0f | %.3f | %.2f | %d |", t, w,
					1000 / w, (u + s), c, o }'
			agree=$(join "$WORK/v-sp-full.txt" "$WORK/v-sp-$tests.txt" 2>/dev/null |
				awk '$2 == $3' | wc -l)
			echo " $agree |"
		done
		# The floor client with as many transactions as smtpprobe --tests
		# full holds (the tests its relay_tests column shows reached on the
		# set's first target): what any lock-step client could do against
		# this server on this machine.
		head -n 1 "$WORK/$set.txt" | "$BUILD/smtpprobe" --allow-private -r 0 -q --tests full \
			--columns relay_tests -f - -o "$WORK/ntx.csv" || [ $? -eq 1 ]
		ntx=$(sed -n 2p "$WORK/ntx.csv" | tr -d '"' | tr ';' '\n' | grep -vc ':-$' || true)
		s0=$(server_cpu $servers)
		/usr/bin/time -f '%e %U %S' -o "$WORK/time" "$BUILD/bench/floor" "$WORK/$set.txt" 100 \
			"$ntx" >"$WORK/floor-full.out"
		read -r wall user sys <<EOT
$(tail -n 1 "$WORK/time")
EOT
		srv=$(server_since "$s0" $servers)
		awk -v w="$wall" -v u="$user" -v s="$sys" -v c="$srv" -v n="$(awk '{print $2}' "$WORK/floor-full.out")" \
			-v t="$ntx" 'BEGIN { printf "| floor, %d transactions (%d dialogues) | %.2f | %.0f | %.3f | %.2f | - | - |\n",
				t, n, w, 1000 / w, (u + s), c }'
		# nmap runs its script only on ports it takes for SMTP: a copy of
		# its services file names ours so (no -sV service probes needed).
		mkdir -p "$WORK/nmap"
		grep -v "[[:space:]]$port/tcp" /usr/share/nmap/nmap-services >"$WORK/nmap/nmap-services"
		printf 'smtp\t%s/tcp\t0.5\t# smtpprobe bench\n' $port >>"$WORK/nmap/nmap-services"
		s0=$(server_cpu $servers)
		/usr/bin/time -f '%e %U %S' -o "$WORK/time" nmap --datadir "$WORK/nmap" -n -Pn -sT -p $port \
			--script smtp-open-relay --script-args smtp-open-relay.domain=example.net \
			-iL "$WORK/$set-hosts.txt" -oN "$WORK/nmap.txt" >/dev/null 2>&1 || true
		read -r wall user sys <<EOT
$(tail -n 1 "$WORK/time")
EOT
		srv=$(server_since "$s0" $servers)
		awk '/^Nmap scan report for/ { ip = $NF } /Server is an open relay/ { print ip, "open" }
			/Server doesn.t seem to be an open relay/ { print ip, "closed" }' "$WORK/nmap.txt" |
			sort -u >"$WORK/v-nmap.txt"
		open=$(grep -c ' open$' "$WORK/v-nmap.txt" || true)
		agree=$(join "$WORK/v-sp-full.txt" "$WORK/v-nmap.txt" | awk '$2 == $3' | wc -l)
		awk -v w="$wall" -v u="$user" -v s="$sys" -v o="$open" -v a="$agree" -v c="$srv" \
			'BEGIN { printf "| nmap --script smtp-open-relay | %.2f | %.0f | %.3f | %.2f | %d | %d |\n",
				w, 1000 / w, (u + s), c, o, a }'
		s0=$(server_cpu $servers)
		/usr/bin/time -f '%e %U %S' -o "$WORK/time" sh -c "xargs -P 100 -I@ sh -c 'if swaks \
			--server @:$port --quit-after RCPT --from probe@example.com \
			--to relay-test@example.net --timeout 10 >/dev/null 2>&1; then echo @ open; \
			else echo @ closed; fi' <'$WORK/$set-hosts.txt' >'$WORK/swaks.txt'" || true
		read -r wall user sys <<EOT
$(tail -n 1 "$WORK/time")
EOT
		srv=$(server_since "$s0" $servers)
		sort "$WORK/swaks.txt" >"$WORK/v-swaks.txt"
		open=$(grep -c ' open$' "$WORK/v-swaks.txt" || true)
		agree=$(join "$WORK/v-sp-basic.txt" "$WORK/v-swaks.txt" | awk '$2 == $3' | wc -l)
		awk -v w="$wall" -v u="$user" -v s="$sys" -v o="$open" -v a="$agree" -v c="$srv" \
			'BEGIN { printf "| swaks --quit-after RCPT (xargs -P 100) | %.2f | %.0f | %.3f | %.2f | %d | %d (vs basic) |\n",
				w, 1000 / w, (u + s), c, o, a }'
		echo
	done
fi

if [ "$WHAT" = all ] || [ "$WHAT" = floor ]; then
	echo "### CPU per dialogue: smtpprobe --tests basic against the floor (10,240 closed and open lab targets, concurrency 100)"
	echo "| client | dialogues | CPU s | CPU µs per dialogue | the lab's CPU µs per dialogue |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	awk -v p=$P 'BEGIN { for (b = 120; b < 160; b++) for (h = 0; h < 256; h++)
		printf "127.2.%d.%d:%d\n", b, h, p }' >"$WORK/floor.txt"
	for round in 1 2 3; do
		s0=$(server_cpu $LABS)
		/usr/bin/time -f '%U %S' -o "$WORK/time" "$BUILD/bench/floor" "$WORK/floor.txt" 100 \
			>"$WORK/floor.out"
		read -r user sys <<EOT
$(tail -n 1 "$WORK/time")
EOT
		n=$(awk '{print $2}' "$WORK/floor.out")
		awk -v n="$n" -v u="$user" -v s="$sys" -v c="$(server_since "$s0" $LABS)" \
			'BEGIN { printf "| floor (epoll, no parsing) | %d | %.2f | %.1f | %.1f |\n", n, u + s,
				(u + s) * 1e6 / n, c * 1e6 / n }'
		s0=$(server_cpu $LABS)
		/usr/bin/time -f '%U %S' -o "$WORK/time" "$BUILD/smtpprobe" --allow-private -r 0 \
			-c 100 -q --tests basic -f "$WORK/floor.txt" -o "$WORK/floor.csv" || true
		read -r user sys <<EOT
$(tail -n 1 "$WORK/time")
EOT
		n=$(($(wc -l <"$WORK/floor.csv") - 1))
		awk -v n="$n" -v u="$user" -v s="$sys" -v c="$(server_since "$s0" $LABS)" \
			'BEGIN { printf "| smtpprobe --tests basic | %d | %.2f | %.1f | %.1f |\n", n, u + s,
				(u + s) * 1e6 / n, c * 1e6 / n }'
	done
fi
