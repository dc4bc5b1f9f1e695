/*
 * abuse.h: the abuse desk's DNS rules (pure: no I/O).
 *
 * Three public DNS interfaces answer "is it listed, whose network is it,
 * whom to tell" about an address, each under a reversed-address name:
 *   DNSBLs               A <reversed>.ZONE (127.0.0.x: listed, the last
 *                        octet the reason), TXT there for the words
 *   Team Cymru           TXT <reversed>.origin.asn.cymru.com (origin6 for
 *                        IPv6): "ASN | prefix | CC | registry | date";
 *                        TXT AS<n>.asn.cymru.com: "ASN | CC | registry |
 *                        date | name"
 *   Abusix               TXT <reversed>.abuse-contacts.abusix.zone: the
 *                        network's abuse mailbox
 * This file builds the names and reads the answers, which are untrusted
 * bytes: every parser takes a length, reads nothing past it, and keeps only
 * printable ASCII. The queries themselves are in prober/lookup.c.
 */
#ifndef SMTPPROBE_ABUSE_H
#define SMTPPROBE_ABUSE_H

#include <stddef.h>
#include <sys/socket.h>

#include "common/bounds.h"
#include "record/result.h"

#define ABUSE_ASN_ZONE_DEFAULT   "asn.cymru.com"
#define ABUSE_ABUSE_ZONE_DEFAULT "abuse-contacts.abusix.zone"
/* --dnsbl default: well-known zones free for low-volume use. */
#define DNSBL_DEFAULT_ZONES "zen.spamhaus.org,bl.spamcop.net,psbl.surriel.com"

/* The address as it is listed: its bytes into b (4 for IPv4, 16 for IPv6;
 * the rest zeroed; an IPv4-mapped IPv6 address is its IPv4 address) and
 * AF_INET or AF_INET6, or -1 for another family. */
int abuse_address(const struct sockaddr *sa, unsigned char b[16]);

/*
 * Writes "<reversed address>.ZONE": IPv4 octets reversed
 * ("7.113.0.203.ZONE"), IPv6 nibbles reversed (32 labels). Returns the
 * family (as abuse_address), or -1 when sa is neither or it does not fit.
 */
int abuse_reverse_name(const struct sockaddr *sa, const char *zone, char *out, size_t size);

/*
 * Parses --dnsbl's value: "default" (DNSBL_DEFAULT_ZONES) or zones,
 * comma-separated, each a domain name (a key-based zone such as
 * KEY.zen.dq.spamhaus.net is written whole). "default" may be one of the
 * list. Duplicates are dropped. Returns the number of zones, or -1 with the
 * reason in err.
 */
int dnsbl_zones_parse(const char *text, char zones[][DNS_HOSTNAME_MAX], size_t max, char *err,
                      size_t errlen);

/* 0 when zone is known to list IPv4 addresses only (its IPv6 queries would
 * be wasted), else 1. */
int dnsbl_zone_lists_ipv6(const char *zone);

enum dnsbl_class {
	DNSBL_LISTED,
	DNSBL_ERROR, /* the operator's error code (127.255.255.0/24), or no list answer */
};

/* Classifies one A record a zone answered; *words (never NULL) gets the
 * operator's meaning where it is documented, else "". */
enum dnsbl_class dnsbl_classify(const char *zone, const unsigned char a[4], const char **words);

/* One zone's answer: its A records, and the first TXT record (NULL if none). */
struct dnsbl_answer {
	const char *zone;
	size_t na;
	const unsigned char (*a)[4];
	const char *txt;
	size_t txtlen;
};

/* Adds a zone's answer to f: each A record as "ZONE=ANSWER (words: txt)"
 * to f->dnsbl (listed) or f->dnsbl_error; f->listed when one is a listing. */
void dnsbl_add(struct abuse_facts *f, const struct dnsbl_answer *z);

/* Team Cymru's origin answer. */
struct cymru_origin {
	size_t nasn;
	unsigned long asn[ASN_ORIGINS_MAX];
	char prefix[64];
	char cc[8];
};

/* Parses "ASN[ ASN...] | prefix | CC | registry | date" (registry and date
 * may be missing). Returns 0, or -1 when it is not that shape. */
int cymru_parse_origin(const char *txt, size_t len, struct cymru_origin *o);

/* Parses "ASN | CC | registry | date | name": *asn and name (printable
 * ASCII, ';' made ','). Returns 0, or -1. */
int cymru_parse_asname(const char *txt, size_t len, unsigned long *asn, char *name, size_t size);

/* Adds an origin answer to f's asn, as_prefix and as_country (each value
 * once). */
void cymru_add_origin(struct abuse_facts *f, const struct cymru_origin *o);

/* Adds an AS name to f->as_name. */
void cymru_add_asname(struct abuse_facts *f, const char *name);

/*
 * Adds the mailboxes of one Abusix TXT record (one or more, separated by
 * commas or blanks) to f->abuse_contact, each once; what is not a plain
 * mailbox (local@domain.tld, printable, no quotes, brackets or ';') is
 * dropped. Returns the number added.
 */
size_t abusix_add_contact(struct abuse_facts *f, const char *txt, size_t len);

#endif
