/*
 * received.h: the Received-header parser (pure: no I/O, no globals).
 *
 * One Received header (RFC 5321 4.4, RFC 5322 3.6.7), folded or not, becomes
 * one hop: who connected (HELO name, reverse DNS as the receiving server
 * wrote it, address), who received (by), how (with), id, for and the date.
 * The formats of Postfix, Sendmail, Exim, qmail, Exchange and Microsoft 365,
 * Gmail, Courier and OpenSMTPD are read, with the generic "[address]"
 * fallback that SpamAssassin's Received.pm also uses. A line that names a
 * peer but whose address cannot be read is HOP_UNPARSED, with the reason:
 * nothing is guessed. A line that records no relay, as SpamAssassin also
 * skips it, is HOP_RETRIEVAL (fetchmail, getmail, "with POP3", "with IMAP")
 * or HOP_LOCAL (LMTP, Exim's "with local", qmail's "invoked by", a unix
 * socket, a pickup directory...), its `reason` naming the shape.
 */
#ifndef SMTPPROBE_TARGETS_RECEIVED_H
#define SMTPPROBE_TARGETS_RECEIVED_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/bounds.h"

enum hop_kind {
	HOP_RELAY = 0, /* a "from" part with a connecting address */
	HOP_LOCAL,     /* no peer to judge: qmail "invoked from network", a local
	                  pickup ("by host (Postfix, from userid 1000)"), "with local" */
	HOP_NOADDR,    /* a "from" part that records no address at all */
	HOP_UNPARSED,  /* cannot be read: `reason` says why */
	HOP_RETRIEVAL, /* the user's own client fetched it from a mailbox (fetchmail,
	                  getmail: "with POP3", "with IMAP"): `reason` names the shape */
};

struct hop {
	enum hop_kind kind;
	char helo[RECEIVED_FIELD_MAX]; /* the name the peer gave in HELO/EHLO */
	char rdns[RECEIVED_FIELD_MAX]; /* the peer's name as the receiver looked it up; "" if
	                                  unknown */
	char ip[INET6_ADDRSTRLEN];     /* canonical; an IPv4-mapped IPv6 address as IPv4 */
	struct sockaddr_storage sa;    /* the address, port 0 */
	socklen_t salen;               /* 0 when there is no address */
	char by[RECEIVED_FIELD_MAX];
	char with[RECEIVED_FIELD_MAX]; /* protocol words, "ESMTPSA", "Microsoft SMTP Server" */
	char id[RECEIVED_FIELD_MAX];
	char for_[RECEIVED_FIELD_MAX]; /* the recipient, angle brackets removed */
	char date[RECEIVED_DATE_MAX];  /* the text after the last ';' */
	int authenticated;             /* ESMTPA/ESMTPSA/LMTPA..., or an auth comment */
	int date_ok;                   /* `when` holds the date as seconds since 1970, UTC */
	int64_t when;
	int zone_unknown;                /* the zone was "-0000" (RFC 5322: local time unknown) */
	char reason[RECEIVED_FIELD_MAX]; /* HOP_UNPARSED: why; other kinds: what it was */
};

/*
 * Parses one Received header: its value, or the whole field with its
 * "Received:" name; folded (CRLF or LF then blanks) or not. NUL bytes and
 * more than RECEIVED_LINE_MAX bytes make it HOP_UNPARSED. Always fills *h.
 */
enum hop_kind received_parse(const char *line, size_t len, struct hop *h);

/* "relay", "local", "no-address", "unparsed". */
const char *hop_kind_name(enum hop_kind k);

/*
 * Parses an RFC 5322 date-time ("Fri, 3 Mar 2006 20:54:40 +0900 (JST)",
 * qmail's "3 Mar 2006 11:54:27 -0000", obsolete zones such as GMT and EST).
 * Returns 0 and sets *when (UTC seconds) and *zone_unknown, or -1.
 */
int received_parse_date(const char *s, size_t len, int64_t *when, int *zone_unknown);

/*
 * Parses an address as Received lines write it: "192.0.2.1", "[192.0.2.1]",
 * "[192.0.2.1]:25", "IPv6:2001:db8::1", "[IPv6:2001:db8::1]", "::ffff:192.0.2.1"
 * (kept as IPv4), "fe80::1%11" (zone dropped). Returns 0, or -1.
 */
int received_parse_address(const char *s, size_t len, struct sockaddr_storage *sa, socklen_t *salen,
                           char *ip, size_t iplen);

#endif
