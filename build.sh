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
#   ./build.sh package deps, then the Debian package from a copy of the tree
#                      in build/package (dpkg-buildpackage -b -us -uc): its
#                      file list, systemd-analyze verify on its units, lintian
#                      (errors fail), and make install/uninstall under a prefix
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
# Forwarded spam and ARF (--message), --abuse-report: GMime.
PACKAGES="$PACKAGES libgmime-3.0-dev"
# Audit reports: the tests read JSON and CSV with Python's own parsers.
PACKAGES="$PACKAGES python3"
# DNS tests: a local dnsmasq answers for the lab.
PACKAGES="$PACKAGES dnsmasq-base"
# Hardening: make lint.
PACKAGES="$PACKAGES cppcheck clang-tidy"
# Package and service: ./build.sh package. bash-completion and
# systemd give configure their directories (pkg-config) and systemd-analyze;
# man-db lets systemd-analyze verify check the units' Documentation=man:.
PACKAGES="$PACKAGES debhelper dpkg-dev fakeroot lintian bash-completion systemd man-db git"
# The nightly audit: --metrics read by a real Prometheus exposition parser.
PACKAGES="$PACKAGES python3-prometheus-client"
# and real JSON Lines output validated against its JSON Schema.
PACKAGES="$PACKAGES python3-jsonschema"
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

# The Debian package (debian/), built from a copy of the tree's files (git's
# tracked and untracked-but-not-ignored ones) in build/package, so nothing the
# build writes lands in the tree; dpkg-buildpackage leaves the .deb beside
# the copy. Each check prints a TAP line, and a tally closes the step.
package() {
	out=build/package
	pn=0
	pfailed=0
	t() { # t STATUS DESCRIPTION
		pn=$((pn + 1))
		if [ "$1" -eq 0 ]; then
			echo "ok $pn - package: $2"
		else
			echo "not ok $pn - package: $2"
			pfailed=$((pfailed + 1))
		fi
	}
	version=$(sed -n 's/^AC_INIT(\[smtpprobe\], \[\([^]]*\)\].*/\1/p' configure.ac)
	[ "$(dpkg-parsechangelog -S Version)" = "$version" ]
	t $? "debian/changelog's version is configure.ac's ($version)"
	arch=$(dpkg-architecture -qDEB_HOST_ARCH)
	deb=$out/smtpprobe_${version}_$arch.deb
	src=$out/smtpprobe-$version
	rm -rf "$out"
	mkdir -p "$src"
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard
	else # an unpacked make dist tarball: all but build/
		find . -path ./build -prune -o ! -type d -print0
	fi | xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf - | tar -xf - -C "$src"
	# nocheck: the suite needs the lab and network namespaces; ./build.sh check runs it.
	st=0
	(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$JOBS" dpkg-buildpackage -b -us -uc) \
		>"$out/dpkg-buildpackage.log" 2>&1 || st=$?
	[ $st -eq 0 ] && [ -f "$deb" ]
	st=$?
	t $st "dpkg-buildpackage -b -us -uc builds $deb"
	if [ $st -ne 0 ]; then
		tail -n 40 "$out/dpkg-buildpackage.log"
		echo "tests: $((pn - pfailed)) passed, $pfailed failed"
		return 1
	fi

	# The file list, exactly (directories aside).
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort >"$out/files.txt"
	echo "# $deb:"
	sed 's/^/#   /' "$out/files.txt"
	printf '%s\n' /etc/smtpprobe/audit.conf /lib/systemd/system/smtpprobe-audit.service \
		/lib/systemd/system/smtpprobe-audit.timer /usr/bin/smtpprobe \
		/usr/libexec/smtpprobe/audit-run /usr/share/bash-completion/completions/smtpprobe \
		/usr/share/doc/smtpprobe/changelog.gz /usr/share/doc/smtpprobe/copyright \
		/usr/share/man/man1/smtpprobe.1.gz /usr/share/smtpprobe/smtpprobe-record.schema.json |
		sort >"$out/expected.txt"
	for f in $(cat "$out/expected.txt"); do
		grep -qx "$f" "$out/files.txt"
		t $? "the package holds $f"
	done
	extra=$(comm -23 "$out/files.txt" "$out/expected.txt" | tr '\n' ' ')
	[ -z "$extra" ]
	t $? "the package holds nothing else (the lab is not packaged)${extra:+: $extra}"
	dpkg-deb -f "$deb" Depends | grep -q 'libevent' && dpkg-deb -f "$deb" Depends | grep -q 'libssl'
	t $? "Depends: names the libraries ($(dpkg-deb -f "$deb" Depends))"
	dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null |
		grep -qx /etc/smtpprobe/audit.conf
	t $? "/etc/smtpprobe/audit.conf is a conffile"

	# systemd-analyze verify in a scratch root: the package's files and the
	# host's units (sysinit.target, timers.target), so it needs no running
	# systemd; MANPATH lets it find the package's man page (Documentation=).
	# Any message it prints is a finding, as its status ignores warnings.
	vroot=$TOP/$out/verify-root
	mkdir -p "$vroot/lib/systemd"
	cp -a /lib/systemd/system "$vroot/lib/systemd/"
	dpkg-deb -x "$deb" "$vroot"
	st=0
	MANPATH=$vroot/usr/share/man systemd-analyze verify --root="$vroot" \
		"$vroot/lib/systemd/system/smtpprobe-audit.service" \
		"$vroot/lib/systemd/system/smtpprobe-audit.timer" >"$out/verify.txt" 2>&1 || st=$?
	[ $st -eq 0 ] && [ ! -s "$out/verify.txt" ]
	t $? "systemd-analyze verify: the units are clean"
	sed 's/^/#   /' "$out/verify.txt"

	# lintian: every finding is printed; only errors (E:) fail.
	lintian --info "$out"/smtpprobe_"${version}"_"$arch".changes >"$out/lintian.txt" 2>&1 || true
	grep -v '^running with root privileges' "$out/lintian.txt" | sed 's/^/#   lintian: /'
	errors=$(grep -c '^E: ' "$out/lintian.txt" || true)
	warnings=$(grep -c '^W: ' "$out/lintian.txt" || true)
	[ "$errors" -eq 0 ]
	t $? "lintian: $errors errors, $warnings warnings"

	# make install under a prefix puts the same files in place (paths
	# relative to it), then make uninstall removes them all.
	prefix=$TOP/$out/prefix
	st=0
	configure_in "$out/make" --prefix="$prefix" >"$out/make.log" 2>&1 &&
		make -C "$out/make" -j"$JOBS" install >>"$out/make.log" 2>&1 || st=$?
	t $st "make install --prefix=$prefix"
	(cd "$prefix" 2>/dev/null && find . ! -type d | sed 's/^\.//' | sort) >"$out/installed.txt"
	sed -e '/^\/usr\/share\/doc\//d' -e 's/\.gz$//' -e 's/^\/usr\//\//' "$out/files.txt" |
		sort >"$out/want-installed.txt"
	diff "$out/want-installed.txt" "$out/installed.txt" >"$out/install.diff"
	t $? "make install installs the package's files under the prefix"
	sed 's/^/#   /' "$out/install.diff"
	grep -qx "ExecStart=$prefix/libexec/smtpprobe/audit-run" \
		"$prefix/lib/systemd/system/smtpprobe-audit.service" 2>/dev/null &&
		grep -qx "EnvironmentFile=-$prefix/etc/smtpprobe/audit.conf" \
			"$prefix/lib/systemd/system/smtpprobe-audit.service"
	t $? "the installed service names the prefix's wrapper and configuration"
	grep -q "^SMTPPROBE_BIN=\${SMTPPROBE_BIN:-$prefix/bin/smtpprobe}\$" \
		"$prefix/libexec/smtpprobe/audit-run" 2>/dev/null
	t $? "the installed wrapper runs the prefix's smtpprobe"
	make -C "$out/make" uninstall >>"$out/make.log" 2>&1
	left=$(find "$prefix" ! -type d | tr '\n' ' ')
	[ -z "$left" ]
	t $? "make uninstall removes them all${left:+ (left: $left)}"
	# Without the directories, no completion and no units.
	rm -rf "$prefix"
	configure_in "$out/make-none" --prefix="$prefix" --with-bash-completion-dir=no \
		--with-systemdsystemunitdir=no >>"$out/make.log" 2>&1 &&
		make -C "$out/make-none" install-data >>"$out/make.log" 2>&1
	[ -f "$prefix/etc/smtpprobe/audit.conf" ] && [ ! -d "$prefix/lib/systemd" ] &&
		[ ! -d "$prefix/share/bash-completion" ]
	t $? "--with-bash-completion-dir=no --with-systemdsystemunitdir=no install neither"

	echo "tests: $((pn - pfailed)) passed, $pfailed failed"
	[ "$pfailed" -eq 0 ]
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
package)
	deps
	# Called in an || list: a failed check is a "not ok" line, not the end.
	status=0
	package || status=$?
	exit $status
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
	echo "usage: ./build.sh deps|demo|check|fuzz|package|interop-deps|interop" >&2
	exit 2
	;;
esac
