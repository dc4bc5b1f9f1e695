#!/bin/sh
# mta.sh: smtpprobe against real MTAs from Debian 12, each run from its
# unpacked .deb (tests/interop/fetch.sh) with a throw-away configuration on
# loopback high ports, in the foreground, delivery impossible (Postfix:
# every transport discard; Exim: one router, :blackhole:; OpenSMTPD: the only
# action an MDA of /bin/true) and no DATA ever sent:
#
#   postfix-closed   127.0.90.1:2690  Postfix's stock relay rule: smtpd_relay_restrictions
#                                     left at its default (..., defer_unauth_destination)
#   exim-closed      127.0.90.2:2691  Debian's relay ACL (relay not permitted)
#   opensmtpd-closed 127.0.90.3:2692  match only its own domains
#   postfix-open     127.0.90.4:2693  mynetworks = 127.0.0.0/8: an open relay to us
#   opensmtpd-open   127.0.90.5:2694  match from any for any (relay to a dead loopback port)
#   postfix-legacy   127.0.90.6:2696  the older rule, reject_unauth_destination (554)
#   postfix-starttls 127.0.90.7:2697  postfix-closed with STARTTLS (a fresh self-signed cert)
#
# For each: smtpprobe's verdict, relay tests, fingerprint (mta) and TLS facts,
# the MTA's own log shows the dialogue and no DATA, and the lab personality that
# plays it (smtplab on 127.0.90.1x:2695) gives the same banner shape,
# extensions, relay tests and fingerprint.
# Every daemon is stopped by its PID. Needs root (the daemons switch users);
# without root or without the unpacked packages the whole test is skipped.
#
# Run by `make interop` (INTEROP_ROOT: where fetch.sh unpacked them;
# INTEROP_KEEP=DIR keeps the configurations and the MTAs' logs there).
. "$top_srcdir/tests/integration/lib.sh"

ROOT=${INTEROP_ROOT:-$top_builddir/interop}
PF=$ROOT/root-postfix
EX=$ROOT/root-exim4-daemon-light
OS=$ROOT/root-opensmtpd
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP the MTAs need root"
	exit 0
fi
for d in "$PF" "$EX" "$OS"; do
	if [ ! -d "$d" ]; then
		echo "1..0 # SKIP $d missing: run tests/interop/fetch.sh $ROOT first"
		exit 0
	fi
done

PIDS=
mta_stop() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait_pid "$p" 50
	done
	PIDS=
}
trap 'mta_stop; cleanup' EXIT
# The daemons drop root: they must reach their files under WORK.
chmod 755 "$WORK"

# wait_port ADDR PORT: up to 10 s for a listener.
wait_port() {
	i=0
	while ! nc -z -w 1 "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

# start_postfix NAME ADDR PORT MYNETWORKS RELAY-RULE [CERT KEY]. RELAY-RULE
# "stock" leaves smtpd_relay_restrictions unset: Postfix's own default.
start_postfix() {
	d=$WORK/$1
	mkdir -p "$d/conf" "$d/data" "$d/spool/pid"
	(cd "$d/spool" && mkdir -p incoming active deferred defer bounce corrupt flush hold \
		maildrop private public saved trace && chown nobody incoming active deferred defer \
		bounce corrupt flush hold maildrop private public saved trace)
	chown nobody "$d/data"
	cat >"$d/conf/main.cf" <<EOF
# $1: Debian's postfix defaults where they matter to a prober, nothing deliverable.
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
daemon_directory = $PF/usr/lib/postfix/sbin
shlib_directory = $PF/usr/lib/postfix
command_directory = $PF/usr/sbin
meta_directory = $PF/etc/postfix
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH
mail_owner = nobody
default_privs = daemon
setgid_group = mail
maillog_file = $d/maillog
maillog_file_prefixes = $d
smtpd_banner = \$myhostname ESMTP \$mail_name (Debian/GNU)
myhostname = mx.example.org
mydomain = example.org
myorigin = example.org
mydestination = mx.example.org, example.org
mynetworks = $4
inet_interfaces = all
inet_protocols = ipv4
$([ "$5" = stock ] || echo "smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated $5")
smtpd_recipient_restrictions =
alias_maps =
alias_database =
local_recipient_maps =
default_transport = discard:
relay_transport = discard:
local_transport = discard:
virtual_transport = discard:
biff = no
EOF
	if [ -n "${6:-}" ]; then
		cat >>"$d/conf/main.cf" <<EOF
smtpd_tls_cert_file = $6
smtpd_tls_key_file = $7
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
EOF
	fi
	cat >"$d/conf/master.cf" <<EOF
$2:$3 inet n - n - - smtpd
cleanup unix n - n - 0 cleanup
rewrite unix - - n - - trivial-rewrite
anvil unix - - n - 1 anvil
postlog unix-dgram n - n - 1 postlogd
discard unix - - n - - discard
tlsmgr unix - - n 1000? 1 tlsmgr
EOF
	LD_LIBRARY_PATH=$PF/usr/lib/postfix "$PF/usr/lib/postfix/sbin/master" -c "$d/conf" -d \
		>"$d/stderr" 2>&1 &
	PIDS="$PIDS $!"
	wait_port "$2" "$3"
}

# start_exim ADDR PORT
start_exim() {
	d=$WORK/exim
	mkdir -p "$d/spool" "$d/log"
	chown Debian-exim "$d/spool" "$d/log"
	cat >"$d/exim.conf" <<EOF
# Debian's exim4-config relay ACL and the options of its template that show
# in a dialogue (PRDR on, SMTPUTF8 and STARTTLS not advertised); one
# blackhole router: nothing deliverable. (Debian's local_domains also holds
# localhost, where its recipient verification refuses unknown users; here
# the lab's shape is kept: only its own name.)
primary_hostname = mx.example.com
domainlist local_domains = mx.example.com
domainlist relay_to_domains =
hostlist relay_from_hosts = 192.0.2.0/24
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
spool_directory = $d/spool
log_file_path = $d/log/%slog
log_selector = +smtp_connection +smtp_incomplete_transaction
pid_file_path = $d/exim.pid
daemon_smtp_ports = $2
local_interfaces = $1
keep_environment =
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
prdr_enable = true
smtputf8_advertise_hosts =
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept  hosts = +relay_from_hosts
  require message = relay not permitted
          domains = +local_domains : +relay_to_domains
  accept
begin routers
blackhole:
  driver = redirect
  data = :blackhole:
begin transports
EOF
	"$EX/usr/sbin/exim4" -C "$d/exim.conf" -bdf >"$d/stderr" 2>&1 &
	PIDS="$PIDS $!"
	wait_port "$1" "$2"
}

# start_opensmtpd NAME ADDR PORT open|closed. OpenSMTPD's spool, chroot and
# control socket paths are compiled in (/var/spool/smtpd, /var/lib/opensmtpd/
# empty, /run/smtpd.sock): it runs in its own mount namespace with tmpfs there,
# so it touches nothing of the machine's.
start_opensmtpd() {
	d=$WORK/$1
	mkdir -p "$d"
	# The relay action points at a loopback port nothing listens on: no
	# message ever gets that far (no DATA), and if one did it could not leave.
	if [ "$4" = open ]; then
		match='match from any for any action "out"'
	else
		match='match from any for domain <own> action "discard"'
	fi
	cat >"$d/smtpd.conf" <<EOF
table own { "example.org", "smtpd.example.org" }
listen on $2 port $3 hostname smtpd.example.org
action "discard" mda "/bin/true"
action "out" relay host "smtp://127.0.90.99:2699"
$match
EOF
	cat >"$d/run.sh" <<EOF
#!/bin/sh
set -e
mount -t tmpfs -o mode=755 none /var/spool
mount -t tmpfs -o mode=755 none /var/lib
mkdir -p /var/lib/opensmtpd/empty
mount -t tmpfs -o mode=755 none /run
exec "$OS/usr/sbin/smtpd" -d -T smtp -f "$d/smtpd.conf"
EOF
	unshare -m --propagation private sh "$d/run.sh" >"$d/log" 2>&1 &
	PIDS="$PIDS $!"
	wait_port "$2" "$3"
}

N=127.0.90
start_postfix postfix-closed $N.1 2690 192.0.2.0/24 stock
ok $? "postfix-closed listens on $N.1:2690"
start_exim $N.2 2691
ok $? "exim-closed listens on $N.2:2691"
start_opensmtpd opensmtpd-closed $N.3 2692 closed
ok $? "opensmtpd-closed listens on $N.3:2692"
start_postfix postfix-open $N.4 2693 127.0.0.0/8 stock
ok $? "postfix-open listens on $N.4:2693"
start_opensmtpd opensmtpd-open $N.5 2694 open
ok $? "opensmtpd-open listens on $N.5:2694"
start_postfix postfix-legacy $N.6 2696 192.0.2.0/24 reject_unauth_destination
ok $? "postfix-legacy listens on $N.6:2696"
CERT=$WORK/cert.pem
KEY=$WORK/key.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$KEY" \
	-out "$CERT" -days 30 -subj "/CN=mx.example.org" -addext "subjectAltName=DNS:mx.example.org" \
	>"$WORK/openssl.err" 2>&1
ok $? "openssl makes a self-signed certificate"
chmod 644 "$CERT" "$KEY"
start_postfix postfix-starttls $N.7 2697 192.0.2.0/24 stock "$CERT" "$KEY"
ok $? "postfix-starttls listens on $N.7:2697"
LAB_OPTS="--tls-cert $CERT --tls-key $KEY"
lab_start "$N.11:2695=postfix-closed" "$N.12:2695=exim-closed" "$N.13:2695=opensmtpd-closed" \
	"$N.14:2695=open-relay" "$N.15:2695=postfix-starttls" "$N.16:2695=postfix-closed:legacy"
ok $? "smtplab plays the same shapes on $N.11-16:2695"

timeout 60 "$SMTPPROBE" --allow-private --timeout 10 --deadline 30 -q -o "$WORK/out.csv" \
	$N.1:2690 $N.2:2691 $N.3:2692 $N.4:2693 $N.5:2694 $N.6:2696 $N.7:2697 \
	$N.11:2695 $N.12:2695 $N.13:2695 $N.14:2695 $N.15:2695 $N.16:2695
is "$?" 1 "exit status 1: open relays found"
is "$(rows "$WORK/out.csv")" 13 "one row per server"
sed 's/^/# /' "$WORK/out.csv"

check() { # check IP NAME VERDICT RELAY_TESTS MTA [FLAGS]
	is "$(cell "$WORK/out.csv" "$1" verdict)" "$3" "$2: verdict $3"
	is "$(cell "$WORK/out.csv" "$1" error)" "" "$2: the dialogue ran to QUIT"
	is "$(cell "$WORK/out.csv" "$1" relay_tests)" "$4" "$2: relay tests $4"
	is "$(cell "$WORK/out.csv" "$1" mta)" "$5" "$2: fingerprint mta=$5"
	[ $# -lt 6 ] || is "$(cell "$WORK/out.csv" "$1" flags)" "$6" "$2: flags '$6'"
}
# Postfix's stock rule defers relaying with 454 4.7.1 (a safety net against
# a wrong config bouncing mail): a closed server all the same.
check $N.1 postfix-closed smtp-closed "third-party:250/454;localhost:250/454;postmaster:250/250" \
	postfix relay-deferred
check $N.2 exim-closed smtp-closed "third-party:250/550;localhost:250/550;postmaster:250/250" exim ""
# OpenSMTPD refuses a bare "postmaster" (RFC 5321 4.5.1 says accept it).
check $N.3 opensmtpd-closed smtp-closed "third-party:250/550;localhost:250/550;postmaster:250/550" \
	opensmtpd postmaster-refused
check $N.4 postfix-open accepts-relay "third-party:250/250;localhost:250/250;postmaster:250/250" postfix ""
check $N.5 opensmtpd-open accepts-relay "third-party:250/250;localhost:250/250;postmaster:250/250" opensmtpd
check $N.6 postfix-legacy smtp-closed "third-party:250/554;localhost:250/554;postmaster:250/250" postfix ""
check $N.7 postfix-starttls smtp-closed "third-party:250/454;localhost:250/454;postmaster:250/250" \
	postfix "starttls;self-signed;relay-deferred"
is "$(cell "$WORK/out.csv" $N.7 starttls)" used "postfix-starttls: the tests ran inside TLS"
case "$(cell "$WORK/out.csv" $N.7 tls_version)" in
TLSv1.[23]) ok 0 "postfix-starttls: TLS 1.2 or 1.3 negotiated" ;;
*) ok 1 "postfix-starttls: TLS version '$(cell "$WORK/out.csv" $N.7 tls_version)'" ;;
esac
is "$(cell "$WORK/out.csv" $N.7 cert_self_signed)" yes "postfix-starttls: the certificate is self-signed"
is "$(cell "$WORK/out.csv" $N.7 cert_sha256)" \
	"$(openssl x509 -in "$CERT" -noout -fingerprint -sha256 | sed 's/.*=//')" \
	"postfix-starttls: the certificate recorded is the one Postfix was given"
is "$(cell "$WORK/out.csv" $N.1 starttls)" none "postfix-closed: no STARTTLS offered"
is "$(cell "$WORK/out.csv" $N.6 last_reply)" "221 2.0.0 Bye" "postfix-legacy: QUIT answered"

# The lab's imitations against the real thing: same shape, same answers.
same() { # same REAL LAB NAME COLUMN [SED]
	real=$(cell "$WORK/out.csv" "$1" "$4" | sed -e "${5:-s/^//}")
	lab=$(cell "$WORK/out.csv" "$2" "$4" | sed -e "${5:-s/^//}")
	is "$lab" "$real" "lab $3 matches the real one: $4"
}
for col in banner ehlo_name extensions relay_tests verdict flags mta; do
	same $N.1 $N.11 postfix-closed $col
done
for col in banner ehlo_name extensions relay_tests verdict flags mta; do
	same $N.6 $N.16 postfix-closed:legacy $col
done
for col in banner ehlo_name extensions relay_tests verdict mta starttls tls_version; do
	same $N.7 $N.15 postfix-starttls $col
done
# Exim's greeting carries the date: compare its shape.
for col in banner ehlo_name extensions relay_tests verdict mta; do
	same $N.2 $N.12 exim-closed $col 's/[A-Z][a-z][a-z], [0-9]* [A-Z][a-z][a-z] [0-9]* [0-9:]* [-+][0-9]*/DATE/'
done
for col in banner ehlo_name extensions relay_tests verdict mta; do
	same $N.3 $N.13 opensmtpd-closed $col
done
for col in verdict relay_tests; do
	same $N.4 $N.14 "open-relay (as postfix-open)" $col
done

mta_stop

# What each MTA logged: the dialogues, and never a DATA or a message.
pl=$WORK/postfix-closed/maillog
grep -q 'disconnect from .* ehlo=1 mail=3 rcpt=1/3 rset=3 quit=1' "$pl"
ok $? "postfix-closed log: ehlo, 3 MAIL, 2 of 3 RCPT refused, 3 RSET, QUIT"
grep -q 'reject: RCPT from .*: 454 4.7.1 <relay-test@example.net>: Relay access denied;' "$pl"
ok $? "postfix-closed log: 454 4.7.1 <relay-test@example.net>: Relay access denied"
pc() { LD_LIBRARY_PATH=$PF/usr/lib/postfix "$PF/usr/sbin/postconf" -c "$WORK/$1/conf" -x -h "$2" 2>/dev/null; }
is "$(pc postfix-closed smtpd_relay_restrictions)" \
	"permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination" \
	"postfix-closed runs Postfix $(pc postfix-closed mail_version)'s stock smtpd_relay_restrictions"
grep -q 'reject: RCPT from .*: 554 5.7.1 <relay-test@example.net>: Relay access denied;' \
	"$WORK/postfix-legacy/maillog"
ok $? "postfix-legacy log: 554 5.7.1 <relay-test@example.net>: Relay access denied"
grep -q 'disconnect from .* ehlo=1 mail=3 rcpt=3 rset=3 quit=1' "$WORK/postfix-open/maillog"
ok $? "postfix-open log: every RCPT accepted"
grep -q 'disconnect from .* ehlo=2 starttls=1 mail=3 rcpt=1/3 rset=3 quit=1' \
	"$WORK/postfix-starttls/maillog"
ok $? "postfix-starttls log: EHLO, STARTTLS, EHLO again, the tests inside TLS"
grep -q 'TLS connection established from' "$WORK/postfix-starttls/maillog"
ok $? "postfix-starttls log: the TLS session"
! grep -E 'disconnect from .*(data|bdat)=' "$WORK"/postfix-*/maillog >/dev/null
ok $? "postfix logs: no DATA or BDAT"
! grep -qE 'queued as|status=sent|removed' "$WORK"/postfix-*/maillog
ok $? "postfix logs: nothing queued or delivered"

el=$WORK/exim/log/mainlog
grep -q 'rejected RCPT <.*>: relay not permitted' "$el"
ok $? "exim log: relay not permitted"
! grep -q ' <= ' "$el"
ok $? "exim log: no message received (no <= line)"
grep -q 'SMTP connection from .* closed by QUIT' "$el"
ok $? "exim log: the connection closed by QUIT"

for o in opensmtpd-closed opensmtpd-open; do
	grep -q '<<< RCPT TO:' "$WORK/$o/log"
	ok $? "$o trace: RCPT seen"
	! grep -qiE '<<< (DATA|BDAT)' "$WORK/$o/log"
	ok $? "$o trace: no DATA or BDAT"
done
grep -q '550 Invalid recipient' "$WORK/opensmtpd-closed/log"
ok $? "opensmtpd-closed trace: 550 Invalid recipient"

[ -n "${INTEROP_KEEP:-}" ] && cp -r "$WORK" "$INTEROP_KEEP"
done_testing
