#!/bin/sh
# build.sh: everything on a fresh Debian 12 machine, one command each.
#
#   ./build.sh deps    install the Debian packages the build and tests need
#   ./build.sh demo    deps, build, start the lab on loopback, probe it,
#                      print the report, stop the lab
#   ./build.sh check   deps, build with -Werror and ASan/UBSan (leak check
#                      included), run the whole test suite, make distcheck,
#                      make lint (cppcheck, clang-tidy), then fuzz each
#                      libFuzzer target for FUZZ_SECONDS (30)
#   ./build.sh fuzz    only the fuzzing step
#   ./build.sh interop-deps   fetch and unpack Postfix, Exim and OpenSMTPD into
#                      build/interop (root, network: tests/interop/fetch.sh)
#   ./build.sh interop the check build against those real MTAs on loopback
#                      (make interop; root)
#
# Builds happen out of tree, in build/demo and build/check. Nothing here
# connects anywhere but loopback: SMTPPROBE_ALLOWLIST is set to it.
set -eu

cd "$(dirname "$0")"
TOP=$(pwd)
PACKAGES="build-essential autoconf automake libtool pkg-config libevent-dev libssl-dev
libc-ares-dev netcat-openbsd clang libclang-rt-14-dev time openssl
spamassassin"
# Audit reports (issue 6): the tests read JSON and CSV with Python's own parsers.
PACKAGES="$PACKAGES python3"
# DNS tests (issue 4): a local dnsmasq answers for the lab.
PACKAGES="$PACKAGES dnsmasq-base"
# Hardening (issue 9): make lint.
PACKAGES="$PACKAGES cppcheck clang-tidy"
JOBS=$(nproc 2>/dev/null || echo 2)
SMTPPROBE_ALLOWLIST='127.0.0.0/8,::1/128'
export SMTPPROBE_ALLOWLIST

deps() {
	missing=
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "build.sh: installing:$missing"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
}

configure_in() { # configure_in DIR CONFIGURE-ARGS...
	dir=$1
	shift
	[ -x "$TOP/configure" ] || (cd "$TOP" && ./autogen.sh)
	mkdir -p "$dir"
	(cd "$dir" && "$TOP/configure" -q "$@")
}

# Builds the fuzz targets with clang's libFuzzer and ASan/UBSan and runs each
# for FUZZ_SECONDS on a scratch copy of its seed corpus; a crash leaves its
# input in build/fuzz/crashes/ and fails the step.
fuzz() {
	configure_in build/fuzz CC=clang --enable-fuzzers --enable-sanitizers
	make -C build/fuzz -j"$JOBS" fuzz-targets
	mkdir -p build/fuzz/crashes
	fstatus=0
	for src in tests/fuzz/fuzz_*.c; do
		name=$(basename "$src" .c)
		scratch=build/fuzz/corpus-${name#fuzz_}
		rm -rf "$scratch" && mkdir -p "$scratch"
		cp tests/fuzz/corpus/"${name#fuzz_}"/* "$scratch"/
		echo "build.sh: fuzzing $name for ${FUZZ_SECONDS:-30}s"
		if build/fuzz/tests/fuzz/"$name" -max_total_time="${FUZZ_SECONDS:-30}" \
			-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crashes/"$name"- "$scratch" \
			>build/fuzz/"$name".log 2>&1; then
			echo "ok - fuzz $name: $(ls "$scratch" | wc -l) corpus files, $(grep -o 'stat::number_of_executed_units: *[0-9]*' build/fuzz/"$name".log | grep -o '[0-9]*$') runs" |
				tee -a build/fuzz/fuzz.log
		else
			echo "not ok - fuzz $name: see build/fuzz/$name.log" | tee -a build/fuzz/fuzz.log
			tail -n 40 build/fuzz/"$name".log
			fstatus=1
		fi
	done
	return $fstatus
}

# Adds up the TAP lines of every test log into one closing line.
tally() {
	find "$@" -name '*.log' ! -name 'test-suite.log' ! -name 'config.log' -exec cat {} + 2>/dev/null |
		awk '/^ok /{p++} /^not ok /{f++} END {printf "tests: %d passed, %d failed\n", p, f}'
}

case "${1:-}" in
deps)
	deps
	;;
demo)
	deps
	configure_in build/demo
	make -C build/demo -j"$JOBS" >/dev/null
	make -C build/demo demo
	;;
check)
	deps
	configure_in build/check --enable-werror --enable-sanitizers
	make -C build/check -j"$JOBS"
	status=0
	make -C build/check -j"$JOBS" check || status=$?
	[ $status -eq 0 ] || cat build/check/test-suite.log
	if [ $status -eq 0 ]; then
		make -C build/check distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror || status=$?
	fi
	if [ $status -eq 0 ]; then
		make -C build/check lint || status=$?
	fi
	if [ $status -eq 0 ]; then
		rm -f build/fuzz/fuzz.log
		fuzz || status=$?
	fi
	tally build/check build/fuzz
	exit $status
	;;
fuzz)
	deps
	fuzz
	;;
interop-deps)
	sh tests/interop/fetch.sh "$TOP/build/interop"
	;;
interop)
	deps
	configure_in build/check --enable-werror --enable-sanitizers
	status=0
	INTEROP_ROOT="$TOP/build/interop" make -C build/check -j"$JOBS" interop || status=$?
	[ $status -eq 0 ] || cat build/check/tests/interop/mta.log
	tally build/check/tests/interop
	exit $status
	;;
*)
	echo "usage: ./build.sh deps|demo|check|fuzz|interop-deps|interop" >&2
	exit 2
	;;
esac
