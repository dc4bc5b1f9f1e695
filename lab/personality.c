/*
 * personality.c: the table of servers smtplab plays, byte for byte.
 *
 * Each personality is a row: what it sends at connect, then a dialogue (its
 * replies to EHLO, HELO, MAIL, RCPT, ...). A reply left empty in a dialogue
 * falls back to the "polite" Postfix-like default below, so a row only names
 * what makes that server itself. The lab never relays, never stores and never
 * enters a data phase: DATA, BDAT, VRFY, EXPN, ETRN and AUTH get NEVER_REPLY
 * whatever the row says, because the prober must never send them and a test
 * that sees one in the log should fail loudly, not be helped along.
 */
#include "config.h"

#include "lab/personality.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Reply bytes; a length, not a C string, so a hostile row may hold NUL bytes. */
struct lab_bytes {
	const char *p;
	size_t n;
};
#define B(s)                                                                                       \
	{                                                                                          \
		(s), sizeof(s) - 1                                                                 \
	}

/* Defaults for a dialogue's empty fields ("polite" behaviour). */
#define POLITE_RSET      "250 2.0.0 Ok\r\n"
#define POLITE_NOOP      "250 2.0.0 Ok\r\n"
#define POLITE_QUIT      "221 2.0.0 Bye\r\n"
#define POLITE_UNKNOWN   "502 5.5.2 Error: command not recognized\r\n"
#define POLITE_NEED_MAIL "503 5.5.1 Error: need MAIL command\r\n"
#define NEVER_REPLY      "502 5.5.1 smtplab never accepts this command\r\n"
#define TOO_LONG_REPLY   "500 5.5.2 Line too long\r\n"

enum rcpt_policy {
	RCPT_ACCEPT_ALL,  /* an open relay */
	RCPT_DENY_ALL,    /* rcpt_denied for every address */
	RCPT_OWN_DOMAINS, /* rcpt_ok for `domains` (and bare_ok/postmaster), else rcpt_denied */
	RCPT_ROUTING,     /* as RCPT_OWN_DOMAINS, and also any address with %, ! or a quote */
	RCPT_SHAPE,       /* as RCPT_OWN_DOMAINS, and also the addresses of `shape` */
};

/* RCPT_SHAPE: one relay trick a server falls for, and no other. */
enum rcpt_shape {
	SHAPE_DOUBLE_AT_BANNER,    /* to@dom@host: two '@', a name (not a literal) last */
	SHAPE_SOURCE_ROUTE_BANNER, /* @host:to@dom, a name (not a literal) as the route */
	SHAPE_BANG_BANNER,         /* dom!to@host, a name (not a literal) last */
	SHAPE_TRAILING_AT,         /* to@dom@: nothing after the last '@' */
};

/*
 * What a server answers once the greeting is out. In rcpt_ok and rcpt_denied,
 * "%a" stands for the client's mailbox (what is inside <>), sanitized.
 */
struct lab_dialogue {
	int mute;               /* never sends a byte, never closes on its own */
	struct lab_bytes other; /* when set: the reply to every command but QUIT */
	struct lab_bytes ehlo, helo, mail;
	struct lab_bytes rcpt_ok, rcpt_denied, need_mail;
	struct lab_bytes rset, noop, quit, unknown;
	enum rcpt_policy rcpt;
	const char *const *domains; /* RCPT_OWN_DOMAINS, NULL-terminated, case-insensitive */
	int bare_ok;                /* a mailbox without @ is local (qmail's rcpthosts) */
	int postmaster;             /* a bare "postmaster" is accepted (RFC 5321 4.5.1) */
	int resolves_routing;       /* % and ! are resolved before the relay check (Postfix) */
	enum rcpt_shape shape;      /* RCPT_SHAPE */
	/* TLS: the reply to STARTTLS (empty: not understood), what
	 * follows it, and the dialogue once TLS is on (NULL: this one). */
	struct lab_bytes starttls;
	enum lab_action starttls_action;
	const struct lab_dialogue *tls;
	int tls_max_version; /* an old server: TLS1_VERSION, ...; 0 = what OpenSSL has */
	/* Hostile servers. */
	const struct lab_stream *ehlo_stream; /* written after ehlo */
	int reset_at_mail;                    /* MAIL gets no reply but a TCP reset */
};

enum lab_arg {
	ARG_NONE,
	ARG_DELAY_MS, /* :MS replaces the greeting delay */
	ARG_VARIANT,  /* :WORD picks a dialogue among `variants` */
	ARG_REPLY_MS, /* :MS replaces the delay of every reply (tarpits) */
	ARG_DRIP_MS,  /* :MS replaces the pause between two bytes */
};

struct lab_variant {
	const char *arg;
	const struct lab_dialogue *dialogue;
};

struct personality {
	const char *name;
	const char *arg_help; /* how the argument is written in --help, or "" */
	const char *summary;  /* one line for --help */
	struct lab_bytes greeting;
	enum lab_action after_greeting;
	unsigned delay_ms;
	unsigned reply_delay_ms; /* every reply waits this long (tarpits) */
	const struct lab_dialogue *dialogue;
	enum lab_arg arg;
	const struct lab_variant *variants;       /* ARG_VARIANT, ended by a NULL arg */
	int needs_tls;                            /* TLS: a handshake happens */
	int implicit_tls;                         /* TLS from the first byte (SMTPS) */
	const struct lab_stream *greeting_stream; /* written after greeting (hostile) */
	unsigned drip_ms;                         /* every byte paced (hostile) */
};

/* The dialogues. */

static const char *const qmail_domains[] = {"localhost", NULL};

/* qmail-smtpd 1.03 with "localhost" in control/me and control/rcpthosts. */
static const struct lab_dialogue qmail_localhost = {
    .ehlo = B("250-localhost\r\n250-PIPELINING\r\n250 8BITMIME\r\n"),
    .helo = B("250 localhost\r\n"),
    .mail = B("250 ok\r\n"),
    .rcpt = RCPT_OWN_DOMAINS,
    .domains = qmail_domains,
    .bare_ok = 1,
    .rcpt_ok = B("250 ok\r\n"),
    .rcpt_denied = B("553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\r\n"),
    .need_mail = B("503 MAIL first (#5.5.1)\r\n"),
    .rset = B("250 flushed\r\n"),
    .noop = B("250 ok\r\n"),
    .quit = B("221 localhost\r\n"),
    .unknown = B("502 unimplemented (#5.5.1)\r\n"),
};

static const struct lab_dialogue open_relay = {
    .ehlo = B("250-mail.example.net\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n"),
    .helo = B("250 mail.example.net\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_ACCEPT_ALL,
    .rcpt_ok = B("250 2.1.5 Ok\r\n"),
};

static const char *const postfix_domains[] = {"mx.example.org", "example.org", NULL};

/*
 * Postfix 3 with mydestination = mx.example.org, example.org and no relay
 * rights for us, at its default smtpd_relay_restrictions (permit_mynetworks,
 * permit_sasl_authenticated, defer_unauth_destination): relaying is denied
 * with a 454, as Debian's and most distributions' Postfix answer.
 */
#define POSTFIX_EHLO                                                                               \
	B("250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"              \
	  "250-ETRN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"                     \
	  "250-SMTPUTF8\r\n250 CHUNKING\r\n")
#define POSTFIX_RELAY_DEFERRED "454 4.7.1 <%a>: Relay access denied\r\n"
#define POSTFIX_RELAY_REFUSED  "554 5.7.1 <%a>: Relay access denied\r\n"

static const struct lab_dialogue postfix_closed = {
    .ehlo = POSTFIX_EHLO,
    .helo = B("250 mx.example.org\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_OWN_DOMAINS,
    .domains = postfix_domains,
    .postmaster = 1,
    .resolves_routing = 1,
    .rcpt_ok = B("250 2.1.5 Ok\r\n"),
    .rcpt_denied = B(POSTFIX_RELAY_DEFERRED),
};

/* Older Postfix, or one told to reject_unauth_destination: relaying refused, 554. */
static const struct lab_dialogue postfix_closed_legacy = {
    .ehlo = POSTFIX_EHLO,
    .helo = B("250 mx.example.org\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_OWN_DOMAINS,
    .domains = postfix_domains,
    .postmaster = 1,
    .resolves_routing = 1,
    .rcpt_ok = B("250 2.1.5 Ok\r\n"),
    .rcpt_denied = B(POSTFIX_RELAY_REFUSED),
};

static const struct lab_variant postfix_closed_variants[] = {
    {"legacy", &postfix_closed_legacy},
    {NULL, NULL},
};

/* OpenSMTPD 6.8 matching only its own domains (tests/interop/mta.sh runs the real one). */
static const char *const opensmtpd_domains[] = {"smtpd.example.org", "example.org", NULL};

static const struct lab_dialogue opensmtpd_closed = {
    .ehlo = B("250-smtpd.example.org Hello smtpprobe.example.com [127.0.0.1], pleased to meet "
              "you\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE 36700160\r\n"
              "250-DSN\r\n250 HELP\r\n"),
    .helo = B("250 smtpd.example.org Hello smtpprobe.example.com [127.0.0.1], pleased to meet "
              "you\r\n"),
    .mail = B("250 2.0.0 Ok\r\n"),
    .rcpt = RCPT_OWN_DOMAINS,
    .domains = opensmtpd_domains,
    .rcpt_ok = B("250 2.1.5 Destination address valid: Recipient ok\r\n"),
    .rcpt_denied = B("550 Invalid recipient: <%a>\r\n"),
    .need_mail = B("503 5.5.1 Invalid command: Command not allowed at this point.\r\n"),
    .rset = B("250 2.0.0 Reset state\r\n"),
    .noop = B("250 2.0.0 Ok\r\n"),
    .quit = B("221 2.0.0 Bye\r\n"),
    .unknown = B("500 5.5.1 Invalid command: Command unrecognized\r\n"),
};

#define GREY_EHLO                                                                                  \
	B("250-grey.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n")

static const struct lab_dialogue greylist_450 = {
    .ehlo = GREY_EHLO,
    .helo = B("250 grey.example.org\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B("450 4.2.0 <%a>: Recipient address rejected: Greylisted, please try "
                     "again later\r\n"),
};

static const struct lab_dialogue greylist_451 = {
    .ehlo = GREY_EHLO,
    .helo = B("250 grey.example.org\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B("451 4.7.1 Try again later\r\n"),
};

static const struct lab_variant greylist_variants[] = {
    {"450", &greylist_450},
    {"451", &greylist_451},
    {NULL, NULL},
};

/* MAIL never succeeds, so every RCPT gets need_mail. */
static const struct lab_dialogue auth_required = {
    .ehlo = B("250-auth.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
              "250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"),
    .helo = B("250 auth.example.org\r\n"),
    .mail = B("530 5.7.0 Authentication required\r\n"),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B("530 5.7.0 Authentication required\r\n"),
};

/* RFC 5321 3.1: after a 554 greeting, everything but QUIT is 503. */
static const struct lab_dialogue refuse_554 = {
    .other = B("503 5.5.1 Bad sequence of commands\r\n"),
};

static const struct lab_dialogue helo_only = {
    .ehlo = B("500 5.5.1 Command unrecognized: \"EHLO\"\r\n"),
    .helo = B("250 old.example.com\r\n"),
    .mail = B("250 Sender ok\r\n"),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B("550 5.7.1 Unable to relay\r\n"),
};

/* A Postfix-like server with old source-routing rules: refuses plain
 * relaying but forwards %-hack, bang paths and quoted local parts. */
static const struct lab_dialogue percent_hack = {
    .ehlo = B("250-legacy.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n"),
    .helo = B("250 legacy.example.org\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_ROUTING,
    .domains = postfix_domains,
    .postmaster = 1,
    .rcpt_ok = B("250 2.1.5 Ok\r\n"),
    .rcpt_denied = B(POSTFIX_RELAY_REFUSED),
};

/* Servers that refuse plain relaying but each fall for one of nmap's
 * shapes that name the server's host, or for OpenSMTPD 5.7's trailing '@'. */
#define NMAP_SHAPE(name, which)                                                                    \
	static const struct lab_dialogue name = {                                                  \
	    .ehlo = B("250-nmap.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n"),               \
	    .helo = B("250 nmap.example.org\r\n"),                                                 \
	    .mail = B("250 2.1.0 Ok\r\n"),                                                         \
	    .rcpt = RCPT_SHAPE,                                                                    \
	    .shape = (which),                                                                      \
	    .domains = postfix_domains,                                                            \
	    .postmaster = 1,                                                                       \
	    .rcpt_ok = B("250 2.1.5 Ok\r\n"),                                                      \
	    .rcpt_denied = B(POSTFIX_RELAY_REFUSED),                                               \
	}
NMAP_SHAPE(nmap_double_at_banner, SHAPE_DOUBLE_AT_BANNER);
NMAP_SHAPE(nmap_source_route_banner, SHAPE_SOURCE_ROUTE_BANNER);
NMAP_SHAPE(nmap_bang_banner, SHAPE_BANG_BANNER);
NMAP_SHAPE(nmap_trailing_at, SHAPE_TRAILING_AT);

static const struct lab_variant nmap_shape_variants[] = {
    {"double-at-banner", &nmap_double_at_banner},
    {"source-route-banner", &nmap_source_route_banner},
    {"bang-banner", &nmap_bang_banner},
    {"trailing-at", &nmap_trailing_at},
    {NULL, NULL},
};

/* Exim 4.96 as Debian ships it (exim4-daemon-light), relaying for nobody. */
static const struct lab_dialogue exim_closed = {
    .ehlo = B("250-mx.example.com Hello smtpprobe.example.com [127.0.0.1]\r\n"
              "250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
              "250-PIPECONNECT\r\n250-CHUNKING\r\n250-PRDR\r\n250 HELP\r\n"),
    .helo = B("250 mx.example.com Hello smtpprobe.example.com [127.0.0.1]\r\n"),
    .mail = B("250 OK\r\n"),
    .rcpt = RCPT_OWN_DOMAINS, /* no domains: only the bare postmaster */
    .postmaster = 1,
    .rcpt_ok = B("250 Accepted\r\n"),
    .rcpt_denied = B("550 relay not permitted\r\n"),
    .need_mail = B("503 sender not yet given\r\n"),
    .rset = B("250 Reset OK\r\n"),
    .quit = B("221 mx.example.com closing connection\r\n"),
    .unknown = B("500 unrecognized command\r\n"),
};

/* Audit reports: a server whose words are built to break reports. */
static const struct lab_dialogue hostile_banner = {
    .ehlo = B("250-=1+2 \"hi\",there\r\n250-\x1b[31mRED\x1b[0m\r\n250 8BITMIME\r\n"),
    .helo = B("250 =1+2\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_ACCEPT_ALL,
    .rcpt_ok = B("250 2.1.5 Ok, \"queued\"\r\n"),
};

static const struct lab_dialogue mute = {
    .mute = 1,
};

/* TLS. Every STARTTLS-capable row starts from Postfix's replies. */
#define STARTTLS_READY "220 2.0.0 Ready to start TLS\r\n"
#define POSTFIX_TLS_EHLO                                                                           \
	B("250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n"          \
	  "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 CHUNKING\r\n")
#define POSTFIX_CLOSED_FIELDS                                                                      \
	.helo = B("250 mx.example.org\r\n"), .mail = B("250 2.1.0 Ok\r\n"),                        \
	.rcpt = RCPT_OWN_DOMAINS, .domains = postfix_domains, .postmaster = 1,                     \
	.rcpt_ok = B("250 2.1.5 Ok\r\n"), .rcpt_denied = B(POSTFIX_RELAY_DEFERRED)

/* Postfix with smtpd_tls_security_level = may; after TLS, postfix-closed. */
static const struct lab_dialogue postfix_starttls = {
    .ehlo = POSTFIX_TLS_EHLO,
    POSTFIX_CLOSED_FIELDS,
    .starttls = B(STARTTLS_READY),
    .starttls_action = LAB_TLS,
    .tls = &postfix_closed,
};

/* An old server that speaks TLS 1.0 at most (0x0301, OpenSSL's TLS1_VERSION):
 * a client at the default security level would refuse it. */
static const struct lab_dialogue postfix_starttls_tls10 = {
    .ehlo = POSTFIX_TLS_EHLO,
    POSTFIX_CLOSED_FIELDS,
    .starttls = B(STARTTLS_READY),
    .starttls_action = LAB_TLS,
    .tls = &postfix_closed,
    .tls_max_version = 0x0301,
};

static const struct lab_variant postfix_starttls_variants[] = {
    {"tls1.0", &postfix_starttls_tls10},
    {NULL, NULL},
};

/* smtpd_tls_security_level = encrypt on a server that relays for anyone
 * who comes over TLS: the prober must upgrade to see it. */
#define MUST_STARTTLS "530 5.7.0 Must issue a STARTTLS command first\r\n"
static const struct lab_dialogue starttls_required = {
    .ehlo = B("250-mail.example.net\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"),
    .helo = B("250 mail.example.net\r\n"),
    .mail = B(MUST_STARTTLS),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B(MUST_STARTTLS),
    .starttls = B(STARTTLS_READY),
    .starttls_action = LAB_TLS,
    .tls = &open_relay,
};

/* The same, without STARTTLS in EHLO: only the 530 says to upgrade. */
static const struct lab_dialogue starttls_required_hidden = {
    .ehlo = B("250-mail.example.net\r\n250-PIPELINING\r\n250 8BITMIME\r\n"),
    .helo = B("250 mail.example.net\r\n"),
    .mail = B(MUST_STARTTLS),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B(MUST_STARTTLS),
    .starttls = B(STARTTLS_READY),
    .starttls_action = LAB_TLS,
    .tls = &open_relay,
};

static const struct lab_variant starttls_required_variants[] = {
    {"hidden", &starttls_required_hidden},
    {NULL, NULL},
};

static const struct lab_dialogue tls_broken_garbage = {
    .ehlo = POSTFIX_TLS_EHLO,
    POSTFIX_CLOSED_FIELDS,
    .starttls = B(STARTTLS_READY),
    .starttls_action = LAB_TLS_GARBAGE,
};

static const struct lab_dialogue tls_broken_close = {
    .ehlo = POSTFIX_TLS_EHLO,
    POSTFIX_CLOSED_FIELDS,
    .starttls = B(STARTTLS_READY),
    .starttls_action = LAB_CLOSE,
};

static const struct lab_variant tls_broken_variants[] = {
    {"garbage", &tls_broken_garbage},
    {"close", &tls_broken_close},
    {NULL, NULL},
};

/* A second reply in the same write as the 220: what an attacker on the path
 * injects (CVE-2011-0411). A prober that reads it as a TLS reply is fooled. */
static const struct lab_dialogue starttls_inject = {
    .ehlo = POSTFIX_TLS_EHLO,
    POSTFIX_CLOSED_FIELDS,
    .starttls = B(STARTTLS_READY "250 2.0.0 injected reply\r\n"),
    .starttls_action = LAB_TLS,
    .tls = &postfix_closed,
};

static const struct lab_dialogue tls_stall = {
    .ehlo = POSTFIX_TLS_EHLO,
    POSTFIX_CLOSED_FIELDS,
    .starttls = B(STARTTLS_READY),
    .starttls_action = LAB_STALL,
};

/*
 * Hostile servers: what a spammer's or a tarpit's server may send a
 * scanner. Each has an integration test in tests/integration/hostile.sh.
 */

/* "220 " then 'x' forever, no line end. */
static const struct lab_stream endless_line_stream = {
    .head = "",
    .end = "",
    .tail = "",
    .fill = 'x',
    .fill_len = 65536,
    .count = LAB_FOREVER,
};

/* An EHLO reply of "250-" lines that never ends. */
static const struct lab_stream endless_ehlo_stream = {
    .head = "250-X-ENDLESS-",
    .end = "\r\n",
    .tail = "",
    .fill = 'A',
    .fill_len = 32,
    .count = LAB_FOREVER,
};

static const struct lab_dialogue endless_multiline = {
    .ehlo = B("250-endless.example.org\r\n"),
    .ehlo_stream = &endless_ehlo_stream,
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B("554 5.7.1 Relay access denied\r\n"),
};

/* 64 EHLO lines of 900 bytes: every cap of the prober holds, none is passed. */
static const struct lab_stream huge_ehlo_stream = {
    .head = "250-X-HUGE-",
    .end = "\r\n",
    .tail = "250 8BITMIME\r\n",
    .fill = 'H',
    .fill_len = 889,
    .count = 62,
};

static const struct lab_dialogue huge_ehlo = {
    .ehlo = B("250-huge.example.org\r\n"),
    .ehlo_stream = &huge_ehlo_stream,
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B("554 5.7.1 Relay access denied\r\n"),
};

/* Replies within the line and line-count caps, but past the dialogue's byte cap:
 * a 64-line greeting of 994-byte lines, then an EHLO reply as big. */
static const struct lab_stream flood_greeting_stream = {
    .head = "220-",
    .end = "\r\n",
    .tail = "220 flood.example.org ESMTP\r\n",
    .fill = 'F',
    .fill_len = 990,
    .count = 63,
};

static const struct lab_stream flood_ehlo_stream = {
    .head = "250-",
    .end = "\r\n",
    .tail = "250 8BITMIME\r\n",
    .fill = 'F',
    .fill_len = 990,
    .count = 63,
};

static const struct lab_dialogue flood = {
    .ehlo = B(""),
    .ehlo_stream = &flood_ehlo_stream,
};

/* NUL bytes, C0 controls, DEL and bytes that are not UTF-8, inside valid replies. */
static const struct lab_dialogue binary = {
    .ehlo = B("250-bin\0ary.example.org\r\n250-X-\x80\x81\0\x1b\x7f\r\n250 8BITMIME\r\n"),
    .helo = B("250 bin\0ary.example.org\r\n"),
    .mail = B("250 2.1.0 \0\xff Ok\r\n"),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B("550 5.7.1 \0\xfe\x01 no relay\r\n"),
};

/* Terminal escapes (clear screen, colours, window title) and spreadsheet formulas. */
static const struct lab_dialogue ansi = {
    .ehlo = B("250-=HYPERLINK(\"http://example.com/\",\"x\")\r\n250-\x1b[31mPIPELINING\x1b[0m\r\n"
              "250 +SUM(1+1)\r\n"),
    .helo = B("250 =1+1\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_DENY_ALL,
    .rcpt_denied = B("554 5.7.1 \x1b[2J\x1b]0;owned\x07-cmd|' /C calc'!A0\r\n"),
};

/* RCPT answered as if it were DATA: the server now waits for content. */
static const struct lab_dialogue rcpt_354 = {
    .ehlo = B("250-data.example.org\r\n250 PIPELINING\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_ACCEPT_ALL,
    .rcpt_ok = B("354 End data with <CR><LF>.<CR><LF>\r\n"),
};

/* MAIL answered 354: no command has a 3xx reply but DATA (and RCPT's tarpits). */
static const struct lab_dialogue mail_354 = {
    .ehlo = B("250-data.example.org\r\n250 PIPELINING\r\n"),
    .mail = B("354 Go ahead\r\n"),
    .rcpt = RCPT_ACCEPT_ALL,
    .rcpt_ok = B("250 2.1.5 Ok\r\n"),
};

/* Replies to commands not sent yet, after the EHLO reply in the same write. */
static const struct lab_dialogue pipeline_inject = {
    .ehlo = B("250-inject.example.org\r\n250 PIPELINING\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_ACCEPT_ALL,
    .rcpt_ok = B("250 2.1.5 Ok\r\n"),
};

/* The code changes in the middle of a multi-line reply. */
static const struct lab_dialogue mixed_codes = {
    .ehlo = B("250-mixed.example.org\r\n550-SIZE 10240000\r\n250 8BITMIME\r\n"),
    .mail = B("250 2.1.0 Ok\r\n"),
    .rcpt = RCPT_ACCEPT_ALL,
    .rcpt_ok = B("250 2.1.5 Ok\r\n"),
};

static const struct lab_dialogue reset_at_mail = {
    .ehlo = B("250-reset.example.org\r\n250 PIPELINING\r\n"),
    .reset_at_mail = 1,
};

static const struct lab_dialogue deaf = {
    .mute = 1,
};

/* The table: one row per personality. */

#define NO_BYTES                                                                                   \
	{                                                                                          \
		NULL, 0                                                                            \
	}

static const struct personality personalities[] = {
    {
        .name = "qmail-localhost",
        .arg_help = "",
        .summary = "qmail calling itself localhost: RCPT @localhost 250, others 553 (the seed)",
        .greeting = B("220 localhost ESMTP\r\n"),
        .dialogue = &qmail_localhost,
    },
    {
        .name = "open-relay",
        .arg_help = "",
        .summary = "accepts every RCPT (an open relay)",
        .greeting = B("220 mail.example.net ESMTP\r\n"),
        .dialogue = &open_relay,
    },
    {
        .name = "postfix-closed",
        .arg_help = "[:legacy]",
        .summary = "Postfix 3: own domains and postmaster 250, everything else 454 4.7.1 relay "
                   "denied (:legacy, older ones: 554 5.7.1)",
        .greeting = B("220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n"),
        .dialogue = &postfix_closed,
        .arg = ARG_VARIANT,
        .variants = postfix_closed_variants,
    },
    {
        .name = "opensmtpd-closed",
        .arg_help = "",
        .summary = "OpenSMTPD 6.8: own domains accepted, others 550 Invalid recipient",
        .greeting = B("220 smtpd.example.org ESMTP OpenSMTPD\r\n"),
        .dialogue = &opensmtpd_closed,
    },
    {
        .name = "greylist",
        .arg_help = "[:451]",
        .summary = "every RCPT 450 greylisted (:451 for 451 4.7.1 Try again later)",
        .greeting = B("220 grey.example.org ESMTP\r\n"),
        .dialogue = &greylist_450,
        .arg = ARG_VARIANT,
        .variants = greylist_variants,
    },
    {
        .name = "auth-required",
        .arg_help = "",
        .summary = "advertises AUTH; MAIL 530 authentication required",
        .greeting = B("220 auth.example.org ESMTP\r\n"),
        .dialogue = &auth_required,
    },
    {
        .name = "refuse-554",
        .arg_help = "",
        .summary = "greeting 554 no SMTP service; every command but QUIT 503",
        .greeting = B("554 5.7.1 No SMTP service here\r\n"),
        .dialogue = &refuse_554,
    },
    {
        .name = "busy-421",
        .arg_help = "",
        .summary = "greeting 421 service not available, then closes",
        .greeting = B("421 4.3.2 Service not available, closing transmission channel\r\n"),
        .after_greeting = LAB_CLOSE,
        .dialogue = &mute,
    },
    {
        .name = "close-on-connect",
        .arg_help = "",
        .summary = "accepts and closes at once, no bytes",
        .greeting = NO_BYTES,
        .after_greeting = LAB_CLOSE,
        .dialogue = &mute,
    },
    {
        .name = "silent",
        .arg_help = "",
        .summary = "accepts and never sends a byte (idle timeout still applies)",
        .greeting = NO_BYTES,
        .dialogue = &mute,
    },
    {
        .name = "slow-greeting",
        .arg_help = "[:MS]",
        .summary = "open-relay's greeting after MS ms (default 3000), then postfix-closed",
        .greeting = B("220 mail.example.net ESMTP\r\n"),
        .delay_ms = 3000,
        .dialogue = &postfix_closed,
        .arg = ARG_DELAY_MS,
    },
    {
        .name = "http",
        .arg_help = "",
        .summary = "an nginx answering HTTP 400 at connect, then closes",
        .greeting = B("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                      "Content-Length: 0\r\n\r\n"),
        .after_greeting = LAB_CLOSE,
        .dialogue = &mute,
    },
    /* Audit reports. */
    {
        .name = "hostile-banner",
        .arg_help = "",
        .summary = "an open relay whose greeting and EHLO hold commas, quotes, =HYPERLINK(...), "
                   "escape sequences and invalid UTF-8",
        .greeting = B("220-=HYPERLINK(\"http://example.com/x\",\"click\"), \"quoted\", commas\r\n"
                      "220-\x1b]0;owned\x07\x1b[2J\xff\xfe\xc2\x9b caf\xc3\xa9 a\0b\r\n"
                      "220 +SUM(1,2) @evil -2+3\r\n"),
        .dialogue = &hostile_banner,
    },
    {
        .name = "bidi-banner",
        .arg_help = "",
        .summary = "Postfix-closed whose greeting holds bidirectional and invisible characters "
                   "(Trojan Source: U+202E, U+2066/9, U+200B, U+FEFF, U+2028)",
        .greeting = B("220-mx.example.org \xe2\x80\xaegnp.exe\xe2\x80\xac ESMTP\r\n"
                      "220 zero\xe2\x80\x8bwidth \xef\xbb\xbf"
                      "bom \xe2\x81\xa6iso\xe2\x81\xa9 "
                      "line\xe2\x80\xa8sep caf\xc3\xa9\r\n"),
        .dialogue = &postfix_closed,
    },
    {
        .name = "percent-hack",
        .arg_help = "",
        .summary = "refuses plain relay, accepts %-hack, bang paths and quoted local parts",
        .greeting = B("220 legacy.example.org ESMTP\r\n"),
        .dialogue = &percent_hack,
    },
    {
        .name = "nmap-shape",
        .arg_help = ":double-at-banner|:source-route-banner|:bang-banner|:trailing-at",
        .summary = "refuses plain relay, accepts only the one address shape named",
        .greeting = B("220 nmap.example.org ESMTP\r\n"),
        .dialogue = &nmap_double_at_banner,
        .arg = ARG_VARIANT,
        .variants = nmap_shape_variants,
    },
    {
        .name = "exim-closed",
        .arg_help = "",
        .summary = "Exim 4.96: own domains and postmaster, everything else 550 relay not permitted",
        .greeting = B("220 mx.example.com ESMTP Exim 4.96 Sun, 29 Nov 2026 01:39:54 +0000\r\n"),
        .dialogue = &exim_closed,
    },
    {
        .name = "tarpit",
        .arg_help = "[:MS]",
        .summary = "open-relay that waits MS ms (default 3000) before every reply, greeting too",
        .greeting = B("220 mail.example.net ESMTP\r\n"),
        .delay_ms = 3000,
        .reply_delay_ms = 3000,
        .dialogue = &open_relay,
        .arg = ARG_REPLY_MS,
    },
    {
        .name = "helo-only",
        .arg_help = "",
        .summary = "an old server: EHLO 500, HELO 250, every RCPT 550 unable to relay",
        .greeting = B("220 old.example.com Service ready\r\n"),
        .dialogue = &helo_only,
    },
    /* TLS: these need smtplab --tls-cert and --tls-key. */
    {
        .name = "postfix-starttls",
        .arg_help = "[:tls1.0]",
        .summary = "Postfix offering STARTTLS (the lab's certificate); over TLS, postfix-closed "
                   "(:tls1.0 speaks TLS 1.0 at most)",
        .greeting = B("220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n"),
        .dialogue = &postfix_starttls,
        .arg = ARG_VARIANT,
        .variants = postfix_starttls_variants,
        .needs_tls = 1,
    },
    {
        .name = "starttls-required",
        .arg_help = "[:hidden]",
        .summary = "MAIL 530 must issue STARTTLS until TLS, then an open relay "
                   "(:hidden does not offer STARTTLS in EHLO)",
        .greeting = B("220 mail.example.net ESMTP\r\n"),
        .dialogue = &starttls_required,
        .arg = ARG_VARIANT,
        .variants = starttls_required_variants,
        .needs_tls = 1,
    },
    {
        .name = "smtps",
        .arg_help = "",
        .summary = "implicit TLS from the first byte (port 465 style), then an open relay",
        .greeting = B("220 mail.example.net ESMTP\r\n"),
        .dialogue = &open_relay,
        .needs_tls = 1,
        .implicit_tls = 1,
    },
    {
        .name = "tls-broken",
        .arg_help = "[:close]",
        .summary = "offers STARTTLS, answers 220, then garbage to the handshake (:close "
                   "closes); in plaintext, postfix-closed",
        .greeting = B("220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n"),
        .dialogue = &tls_broken_garbage,
        .arg = ARG_VARIANT,
        .variants = tls_broken_variants,
    },
    {
        .name = "starttls-inject",
        .arg_help = "",
        .summary = "offers STARTTLS and sends its 220 and a second reply in one write",
        .greeting = B("220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n"),
        .dialogue = &starttls_inject,
        .needs_tls = 1,
    },
    {
        .name = "tls-stall",
        .arg_help = "",
        .summary = "offers STARTTLS, answers 220, then never answers the handshake",
        .greeting = B("220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n"),
        .dialogue = &tls_stall,
    },
    {
        .name = "endless-line",
        .arg_help = "",
        .summary = "hostile: \"220 \" then 'x' forever, no line end (megabytes)",
        .greeting = B("220 "),
        .greeting_stream = &endless_line_stream,
        .dialogue = &mute,
    },
    {
        .name = "endless-multiline",
        .arg_help = "",
        .summary = "hostile: EHLO answered with 250- lines forever",
        .greeting = B("220 endless.example.org ESMTP\r\n"),
        .dialogue = &endless_multiline,
    },
    {
        .name = "huge-ehlo",
        .arg_help = "",
        .summary = "hostile: a 64-line EHLO reply of 900-byte lines (within every cap), "
                   "RCPT 554",
        .greeting = B("220 huge.example.org ESMTP\r\n"),
        .dialogue = &huge_ehlo,
    },
    {
        .name = "flood",
        .arg_help = "",
        .summary = "hostile: 64-line greeting and EHLO of 994-byte lines (over 64 KiB in all)",
        .greeting = B(""),
        .greeting_stream = &flood_greeting_stream,
        .dialogue = &flood,
    },
    {
        .name = "drip",
        .arg_help = "[:MS]",
        .summary = "hostile: open-relay, every byte MS ms after the last (default 1000)",
        .greeting = B("220 drip.example.org ESMTP\r\n"),
        .dialogue = &open_relay,
        .drip_ms = 1000,
        .arg = ARG_DRIP_MS,
    },
    {
        .name = "binary",
        .arg_help = "",
        .summary = "hostile: NUL, control and non-UTF-8 bytes inside valid replies; RCPT 550",
        .greeting = B("220 bin\0ary.example.org \x01\x02\x7f\xff\xfe ESMTP\r\n"),
        .dialogue = &binary,
    },
    {
        .name = "garbage",
        .arg_help = "",
        .summary = "hostile: binary bytes with NULs at connect (a TLS record), then closes",
        .greeting = B("\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00\r\n"),
        .after_greeting = LAB_CLOSE,
        .dialogue = &mute,
    },
    {
        .name = "ansi",
        .arg_help = "",
        .summary = "hostile: ANSI escapes in the banner, spreadsheet formulas in EHLO and RCPT",
        .greeting = B("220 \x1b[2J\x1b[1;31mansi.example.org\x1b[0m ESMTP "
                      "=HYPERLINK(\"http://example.com/\") \x1b]0;owned\x07\r\n"),
        .dialogue = &ansi,
    },
    {
        .name = "rcpt-354",
        .arg_help = "",
        .summary = "hostile: RCPT answered 354 (as if DATA had been sent)",
        .greeting = B("220 data.example.org ESMTP\r\n"),
        .dialogue = &rcpt_354,
    },
    {
        .name = "mail-354",
        .arg_help = "",
        .summary = "hostile: MAIL answered 354 (the server would now read content)",
        .greeting = B("220 data.example.org ESMTP\r\n"),
        .dialogue = &mail_354,
    },
    {
        .name = "early-talker",
        .arg_help = "",
        .summary = "hostile: replies to EHLO and MAIL sent with the greeting, unasked",
        .greeting = B("220 talker.example.org ESMTP\r\n250-talker.example.org\r\n"
                      "250 PIPELINING\r\n250 2.1.0 Ok\r\n"),
        .dialogue = &open_relay,
    },
    {
        .name = "pipeline-inject",
        .arg_help = "",
        .summary = "hostile: replies to MAIL and RCPT sent with the EHLO reply, unasked",
        .greeting = B("220 inject.example.org ESMTP\r\n"),
        .dialogue = &pipeline_inject,
    },
    {
        .name = "mixed-codes",
        .arg_help = "",
        .summary = "hostile: EHLO reply whose code changes mid-reply (250-, 550-, 250)",
        .greeting = B("220 mixed.example.org ESMTP\r\n"),
        .dialogue = &mixed_codes,
    },
    {
        .name = "reset",
        .arg_help = "",
        .summary = "hostile: MAIL gets a TCP reset (SO_LINGER 0) instead of a reply",
        .greeting = B("220 reset.example.org ESMTP\r\n"),
        .dialogue = &reset_at_mail,
    },
    {
        .name = "deaf",
        .arg_help = "",
        .summary = "hostile: greets, then never reads nor answers (the client's window fills)",
        .greeting = B("220 deaf.example.org ESMTP\r\n"),
        .after_greeting = LAB_DEAF,
        .dialogue = &deaf,
    },
};

#define PERSONALITIES_N (sizeof(personalities) / sizeof(personalities[0]))

/* Commands, by their first word. */
enum verb {
	VERB_UNKNOWN,
	VERB_EHLO,
	VERB_HELO,
	VERB_MAIL,
	VERB_RCPT,
	VERB_RSET,
	VERB_NOOP,
	VERB_QUIT,
	VERB_NEVER, /* never accepted, whatever the personality */
	VERB_STARTTLS,
};

static const struct {
	const char *word;
	enum verb verb;
} verbs[] = {
    {"EHLO", VERB_EHLO},  {"HELO", VERB_HELO},         {"MAIL", VERB_MAIL},  {"RCPT", VERB_RCPT},
    {"RSET", VERB_RSET},  {"NOOP", VERB_NOOP},         {"QUIT", VERB_QUIT},  {"DATA", VERB_NEVER},
    {"BDAT", VERB_NEVER}, {"VRFY", VERB_NEVER},        {"EXPN", VERB_NEVER}, {"ETRN", VERB_NEVER},
    {"AUTH", VERB_NEVER}, {"STARTTLS", VERB_STARTTLS},
};

static enum verb
verb_of(const char *line, size_t len)
{
	size_t i, n;

	for (n = 0; n < len && line[n] != ' '; n++)
		;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strlen(verbs[i].word) == n && strncasecmp(line, verbs[i].word, n) == 0)
			return verbs[i].verb;
	return VERB_UNKNOWN;
}

static int
eq_ci(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* The mailbox of "RCPT TO:<box>" (or of "RCPT TO:box"), as a span of `line`. */
static void
rcpt_mailbox(const char *line, size_t len, const char **box, size_t *boxlen)
{
	size_t i = len < 4 ? len : 4, end; /* past "RCPT" */

	while (i < len && line[i] == ' ')
		i++;
	if (i + 3 <= len && strncasecmp(line + i, "TO:", 3) == 0)
		i += 3;
	while (i < len && line[i] == ' ')
		i++;
	if (i < len && line[i] == '<') {
		i++;
		for (end = i; end < len && line[end] != '>'; end++)
			;
	} else {
		for (end = i; end < len && line[end] != ' '; end++)
			;
	}
	*box = line + i;
	*boxlen = end - i;
}

/* 1 when box is d->shape's address (RCPT_SHAPE). */
static int
shape_matches(const struct lab_dialogue *d, const char *box, size_t n)
{
	const char *first = memchr(box, '@', n), *last = memrchr(box, '@', n);
	int named = last != NULL && last + 1 < box + n && last[1] != '[';

	switch (d->shape) {
	case SHAPE_DOUBLE_AT_BANNER:
		return first != last && named && box[0] != '@' && memchr(box, '!', n) == NULL;
	case SHAPE_SOURCE_ROUTE_BANNER:
		return n > 1 && box[0] == '@' && box[1] != '[' && memchr(box, ':', n) != NULL;
	case SHAPE_BANG_BANNER:
		return memchr(box, '!', n) != NULL && named && first == last;
	case SHAPE_TRAILING_AT:
		return n > 1 && box[n - 1] == '@' && box[0] != '"';
	}
	return 0;
}

static int
rcpt_accepted(const struct lab_dialogue *d, const char *box, size_t n)
{
	const char *const *dom;
	size_t at;

	switch (d->rcpt) {
	case RCPT_ACCEPT_ALL:
		return 1;
	case RCPT_DENY_ALL:
		return 0;
	case RCPT_ROUTING:
		if (memchr(box, '%', n) != NULL || memchr(box, '!', n) != NULL ||
		    (n > 0 && box[0] == '"'))
			return 1;
		break;
	case RCPT_SHAPE:
		if (shape_matches(d, box, n))
			return 1;
		break;
	case RCPT_OWN_DOMAINS:
		if (d->resolves_routing &&
		    (memchr(box, '%', n) != NULL || memchr(box, '!', n) != NULL ||
		     memchr(box, '@', n) != memrchr(box, '@', n)))
			return 0; /* user%example.net@own, user@example.net@own: routed, refused */
		break;
	}
	for (at = n; at > 0 && box[at - 1] != '@'; at--)
		;
	if (at == 0)
		return d->bare_ok || (d->postmaster && eq_ci(box, n, "postmaster"));
	for (dom = d->domains; dom && *dom; dom++)
		if (eq_ci(box + at, n - at, *dom))
			return 1;
	return 0;
}

static void
reply_put(struct lab_reply *r, const char *p, size_t n)
{
	if (n > sizeof(r->buf) - r->len)
		n = sizeof(r->buf) - r->len;
	if (n == 0)
		return;
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

/* Appends `tmpl`, with "%a" replaced by the mailbox: printable ASCII only, capped. */
static void
reply_template(struct lab_reply *r, struct lab_bytes tmpl, const char *box, size_t boxlen)
{
	size_t i, j;

	for (i = 0; i < tmpl.n; i++) {
		if (tmpl.p[i] == '%' && i + 1 < tmpl.n && tmpl.p[i + 1] == 'a') {
			for (j = 0; j < boxlen && j < LAB_ECHO_MAX; j++) {
				char c = box[j];

				if (c < 0x20 || c > 0x7e)
					c = '?';
				reply_put(r, &c, 1);
			}
			i++;
			continue;
		}
		reply_put(r, tmpl.p + i, 1);
	}
}

/* The row's reply, or the polite default when the row leaves it empty. */
static struct lab_bytes
pick(struct lab_bytes row, const char *fallback)
{
	struct lab_bytes b = {fallback, strlen(fallback)};

	return row.p ? row : b;
}

static const struct personality *
personality_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < PERSONALITIES_N; i++)
		if (strlen(personalities[i].name) == n &&
		    strncmp(personalities[i].name, name, n) == 0)
			return &personalities[i];
	return NULL;
}

int
personality_parse(const char *spec, struct lab_persona *out, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t namelen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *arg = colon ? colon + 1 : NULL;
	const struct personality *p;
	const struct lab_variant *v;
	char *end;
	unsigned long ms;

	p = personality_find(spec, namelen);
	if (p == NULL) {
		snprintf(err, errlen, "unknown personality \"%.*s\" (smtplab --help lists them)",
		         (int)(namelen > 64 ? 64 : namelen), spec);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->p = p;
	out->dialogue = p->dialogue;
	out->delay_ms = p->delay_ms;
	out->reply_delay_ms = p->reply_delay_ms;
	out->drip_ms = p->drip_ms;
	snprintf(out->name, sizeof(out->name), "%s", p->name);
	if (arg == NULL)
		return 0;
	switch (p->arg) {
	case ARG_NONE:
		snprintf(err, errlen, "personality %s takes no argument", p->name);
		return -1;
	case ARG_DELAY_MS:
	case ARG_REPLY_MS:
		errno = 0;
		ms = strtoul(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 ||
		    ms > LAB_DELAY_MAX_MS) {
			snprintf(err, errlen, "%s: delay must be 0..%d milliseconds", p->name,
			         LAB_DELAY_MAX_MS);
			return -1;
		}
		out->delay_ms = (unsigned)ms;
		if (p->arg == ARG_REPLY_MS)
			out->reply_delay_ms = (unsigned)ms;
		snprintf(out->name, sizeof(out->name), "%s:%lu", p->name, ms);
		return 0;
	case ARG_DRIP_MS:
		errno = 0;
		ms = strtoul(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 || ms == 0 ||
		    ms > LAB_DRIP_MAX_MS) {
			snprintf(err, errlen, "%s: pause must be 1..%d milliseconds", p->name,
			         LAB_DRIP_MAX_MS);
			return -1;
		}
		out->drip_ms = (unsigned)ms;
		snprintf(out->name, sizeof(out->name), "%s:%lu", p->name, ms);
		return 0;
	case ARG_VARIANT:
		for (v = p->variants; v->arg; v++) {
			if (strcmp(v->arg, arg) == 0) {
				out->dialogue = v->dialogue;
				snprintf(out->name, sizeof(out->name), "%s:%s", p->name, v->arg);
				return 0;
			}
		}
		snprintf(err, errlen, "%s: unknown argument (see smtplab --help)", p->name);
		return -1;
	}
	return -1;
}

void
personality_greet(const struct lab_persona *lp, struct lab_reply *r)
{
	r->len = 0;
	reply_put(r, lp->p->greeting.p, lp->p->greeting.n);
	r->action = lp->p->after_greeting;
	r->delay_ms = lp->delay_ms;
	r->stream = lp->p->greeting_stream;
	r->drip_ms = lp->drip_ms;
}

void
personality_reply(const struct lab_persona *lp, struct lab_session *s, const char *line, size_t len,
                  struct lab_reply *r)
{
	const struct lab_dialogue *d = lp->dialogue;
	enum verb verb = verb_of(line, len);
	struct lab_bytes b = {NULL, 0};
	const char *box = NULL;
	size_t boxlen = 0;

	r->len = 0;
	r->action = LAB_KEEP;
	r->delay_ms = lp->reply_delay_ms;
	if (s->tls && d->tls != NULL)
		d = d->tls;
	r->stream = NULL;
	r->drip_ms = lp->drip_ms;
	if (d->mute)
		return;
	if (verb == VERB_NEVER) {
		reply_put(r, NEVER_REPLY, strlen(NEVER_REPLY));
		return;
	}
	if (verb == VERB_QUIT) {
		b = pick(d->quit, POLITE_QUIT);
		reply_put(r, b.p, b.n);
		r->action = LAB_CLOSE;
		return;
	}
	if (d->other.p) {
		reply_put(r, d->other.p, d->other.n);
		return;
	}
	switch (verb) {
	case VERB_EHLO:
		b = pick(d->ehlo, POLITE_UNKNOWN);
		r->stream = d->ehlo_stream;
		break;
	case VERB_HELO:
		b = pick(d->helo, POLITE_UNKNOWN);
		break;
	case VERB_MAIL:
		if (d->reset_at_mail) {
			r->action = LAB_RESET;
			return;
		}
		b = pick(d->mail, POLITE_UNKNOWN);
		break;
	case VERB_RCPT:
		if (!s->in_mail) {
			b = pick(d->need_mail, POLITE_NEED_MAIL);
			break;
		}
		rcpt_mailbox(line, len, &box, &boxlen);
		b = rcpt_accepted(d, box, boxlen) ? pick(d->rcpt_ok, POLITE_UNKNOWN)
		                                  : pick(d->rcpt_denied, POLITE_UNKNOWN);
		break;
	case VERB_RSET:
		b = pick(d->rset, POLITE_RSET);
		break;
	case VERB_NOOP:
		b = pick(d->noop, POLITE_NOOP);
		break;
	case VERB_STARTTLS:
		if (s->tls) {
			b = pick(d->unknown, "554 5.5.1 Error: TLS already active\r\n");
			break;
		}
		b = pick(d->starttls, POLITE_UNKNOWN);
		if (d->starttls.p != NULL)
			r->action = d->starttls_action;
		break;
	case VERB_UNKNOWN:
	case VERB_QUIT:
	case VERB_NEVER:
		b = pick(d->unknown, POLITE_UNKNOWN);
		break;
	}
	reply_template(r, b, box, boxlen);

	/* A transaction starts with an accepted MAIL and ends with RSET, EHLO or HELO. */
	if (r->len > 0 && r->buf[0] == '2') {
		if (verb == VERB_MAIL)
			s->in_mail = 1;
		else if (verb == VERB_RSET || verb == VERB_EHLO || verb == VERB_HELO)
			s->in_mail = 0;
	}
}

void
personality_overflow(const struct lab_persona *lp, struct lab_reply *r)
{
	r->len = 0;
	r->action = LAB_CLOSE;
	r->delay_ms = 0;
	r->stream = NULL;
	r->drip_ms = lp->drip_ms;
	if (!lp->dialogue->mute)
		reply_put(r, TOO_LONG_REPLY, strlen(TOO_LONG_REPLY));
}

int
personality_needs_tls(const struct lab_persona *lp)
{
	return lp->p->needs_tls;
}

int
personality_implicit_tls(const struct lab_persona *lp)
{
	return lp->p->implicit_tls;
}

int
personality_tls_max_version(const struct lab_persona *lp)
{
	return lp->dialogue->tls_max_version;
}

void
personality_usage(FILE *fp)
{
	char name[LAB_NAME_MAX];
	size_t i;

	for (i = 0; i < PERSONALITIES_N; i++) {
		snprintf(name, sizeof(name), "%s%s", personalities[i].name,
		         personalities[i].arg_help);
		fprintf(fp, "  %-22s %s\n", name, personalities[i].summary);
	}
}
