/*
 * lookup.h: the abuse desk's DNS lookups of an address (--dnsbl, --asn,
 * --abuse-contact), on the prober's loop beside the dialogue.
 *
 * One lookup asks, at once: A <reversed>.ZONE for each DNSBL zone (then TXT
 * there when an answer is a listing), TXT <reversed>.origin.ASNZONE
 * (origin6 for IPv6) and then TXT AS<n>.ASNZONE for each origin AS, and TXT
 * <reversed>.ABUSEZONE. The answers are read by prober/abuse.c into one
 * struct abuse_facts. An address is asked once per run: its facts are kept
 * (the last ABUSE_CACHE_MAX addresses), and a second lookup of an address
 * still being asked waits for the first one's answers.
 *
 * Every lookup that lookup_start accepted calls back exactly once, from the
 * loop or (facts already known) before lookup_start returns, unless the
 * resolver or the lookups are freed first. The facts passed are valid only
 * during the callback.
 */
#ifndef SMTPPROBE_LOOKUP_H
#define SMTPPROBE_LOOKUP_H

#include <stddef.h>
#include <sys/socket.h>

#include "common/bounds.h"
#include "prober/dns.h"
#include "record/result.h"

struct abuse_config {
	size_t nzones; /* DNSBL zones (--dnsbl), 0 for none */
	char zones[DNSBL_ZONES_MAX][DNS_HOSTNAME_MAX];
	int asn;                           /* --asn */
	char asn_zone[DNS_HOSTNAME_MAX];   /* --asn-zone: origin.Z, origin6.Z, AS<n>.Z */
	int contact;                       /* --abuse-contact */
	char abuse_zone[DNS_HOSTNAME_MAX]; /* --abuse-zone */
};

/* Sets c to nothing asked, with the public zones' names. */
void abuse_config_default(struct abuse_config *c);

/* 1 when c asks anything. */
int abuse_config_on(const struct abuse_config *c);

typedef void (*lookup_cb)(const struct abuse_facts *f, void *arg);

struct lookup;

/* Borrows d; copies cfg. Returns NULL without memory. */
struct lookup *lookup_new(struct dns *d, const struct abuse_config *cfg);

/* Frees the lookups; pending ones never call back. Call before dns_free. */
void lookup_free(struct lookup *l);

/* Looks sa up. Returns 0, or -1 (out of memory, or not an IP address)
 * without calling back. */
int lookup_start(struct lookup *l, const struct sockaddr *sa, lookup_cb cb, void *arg);

#endif
