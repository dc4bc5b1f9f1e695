#!/bin/sh
# fetch.sh DIR: makes Postfix, Exim and OpenSMTPD runnable from DIR for the
# interop suite (tests/interop/mta.sh), without installing any of them.
#
# Debian's MTA packages conflict (each provides mail-transport-agent), so each
# .deb is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
# DIR/root-NAME; only their shared libraries are installed normally. The
# system users the daemons look up by compiled-in name (Debian-exim,
# opensmtpd, opensmtpq) are created if missing. Needs root and the network:
# run it before the tests' network namespace (.ci/run, ./build.sh interop-deps).
set -eu
DIR=${1:?usage: fetch.sh DIR}
PKGS="postfix exim4-daemon-light opensmtpd"
LIBS="libdb5.3 libicu72 libnsl2 libsasl2-2 libgnutls-dane0 libgnutls30 libidn12 libidn2-0
libpcre2-8-0 libpam0g zlib1g libevent-2.1-7 libssl3"

[ "$(id -u)" -eq 0 ] || { echo "fetch.sh: needs root (apt-get, useradd)" >&2; exit 1; }
mkdir -p "$DIR/debs"
chmod 755 "$DIR" "$DIR/debs" # apt-get download drops root to _apt
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $LIBS >/dev/null
(cd "$DIR/debs" && apt-get download $PKGS)
for p in $PKGS; do
	rm -rf "$DIR/root-$p"
	mkdir -p "$DIR/root-$p"
	dpkg-deb -x "$DIR"/debs/"${p}"_*.deb "$DIR/root-$p"
done
for u in Debian-exim opensmtpd opensmtpq; do
	getent passwd "$u" >/dev/null ||
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$u"
done
echo "fetch.sh: $PKGS unpacked under $DIR"
