#!/bin/sh
# build.sh: everything on a fresh Debian 12 machine, one command each.
#
#   ./build.sh deps    install the Debian packages the build and tests need
#   ./build.sh demo    deps, build, start the lab on loopback, probe it,
#                      print the report, stop the lab
#   ./build.sh check   deps, build with -Werror and ASan/UBSan (leak check
#                      included), run the whole test suite, then make distcheck
#
# Builds happen out of tree, in build/demo and build/check. Nothing here
# connects anywhere but loopback: SMTPPROBE_ALLOWLIST is set to it.
set -eu

cd "$(dirname "$0")"
TOP=$(pwd)
PACKAGES="build-essential autoconf automake libtool pkg-config libevent-dev libssl-dev
libc-ares-dev netcat-openbsd"
# Audit reports (issue 6): the tests read JSON and CSV with Python's own parsers.
PACKAGES="$PACKAGES python3"
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

# Adds up the TAP lines of every test log into one closing line.
tally() {
	find "$1" -name '*.log' ! -name 'test-suite.log' ! -name 'config.log' -exec cat {} + |
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
	tally build/check
	exit $status
	;;
*)
	echo "usage: ./build.sh deps|demo|check" >&2
	exit 2
	;;
esac
