/*
 * dns.h: asynchronous DNS on the prober's event loop (c-ares inside).
 *
 * Three questions are asked, none of which ever blocks the loop:
 *   dns_rdns          an address's PTR names, and whether one of them
 *                     resolves back to the address (FCrDNS)
 *   dns_resolve_host  a name's A and AAAA addresses
 *   dns_resolve_mx    a domain's MX hosts, in preference order, and their
 *                     A and AAAA addresses
 *   dns_query_a,      a name's A or TXT records as they are (DNSBLs, Team
 *   dns_query_txt     Cymru, Abusix: prober/lookup.c), capped
 * Queries go only to the servers given (or, with none given, to those of
 * /etc/resolv.conf); /etc/hosts is never read and no search domain is added.
 *
 * Every request that dns_* accepted calls its callback exactly once, from
 * the loop (possibly before the starting call returns, when c-ares fails at
 * once), unless the resolver is freed first: then it is dropped silently.
 * The result passed is valid only during the callback.
 *
 * Ownership: the resolver borrows the event base; dns_free must not be
 * called from inside a callback (c-ares forbids ares_destroy there).
 */
#ifndef SMTPPROBE_DNS_H
#define SMTPPROBE_DNS_H

#include <event2/event.h>
#include <stddef.h>
#include <sys/socket.h>

#include "common/bounds.h"

struct dns_config {
	const char *servers; /* "IP[:PORT][,...]" ([v6]:PORT), or NULL for resolv.conf's */
	int timeout_ms;      /* one try (DNS_TRIES tries per server) */
};

enum dns_status {
	DNS_OK = 0,
	DNS_NOT_FOUND, /* NXDOMAIN, or no record of the type asked */
	DNS_TIMEOUT,
	DNS_FAILED, /* SERVFAIL, REFUSED, a bad answer, ... */
	DNS_CANCELLED,
};

/* An address's reverse DNS. */
struct dns_rdns {
	enum dns_status status; /* of the PTR lookup */
	size_t nnames;
	char names[DNS_PTR_NAMES_MAX][DNS_HOSTNAME_MAX];
	int confirmed;              /* some name's A/AAAA holds the address */
	enum dns_status fwd_status; /* the worst forward lookup, when none confirmed */
	char error[DNS_ERROR_MAX];  /* the resolver's words for a failure */
};

/* One address a name yielded, or one MX host that yielded none. */
struct dns_addr {
	char host[DNS_HOSTNAME_MAX]; /* the name the address belongs to (an MX host) */
	unsigned int pref;           /* MX preference; 0 for a plain name */
	struct sockaddr_storage sa;  /* port 0 */
	socklen_t salen;             /* 0: host did not resolve; error says why */
	enum dns_status status;
	char error[DNS_ERROR_MAX];
};

/* What a name or an MX domain yielded, in the order to probe. */
struct dns_hosts {
	enum dns_status status; /* of the name, or of the MX query */
	char error[DNS_ERROR_MAX];
	size_t n;
	struct dns_addr v[DNS_HOST_ADDRS_MAX];
};

/* A name's A or TXT records. TXT records are untrusted bytes: each is its
 * strings joined, cut at DNS_TXT_MAX - 1 bytes (NUL bytes kept, hence the
 * lengths), at most DNS_TXT_RECORDS_MAX of them. */
struct dns_answer {
	enum dns_status status; /* DNS_NOT_FOUND: NXDOMAIN or no record of the type */
	char error[DNS_ERROR_MAX];
	size_t na;
	unsigned char a[DNS_A_RECORDS_MAX][4];
	size_t ntxt;
	char txt[DNS_TXT_RECORDS_MAX][DNS_TXT_MAX];
	size_t txtlen[DNS_TXT_RECORDS_MAX];
};

typedef void (*dns_rdns_cb)(const struct dns_rdns *r, void *arg);
typedef void (*dns_answer_cb)(const struct dns_answer *a, void *arg);
typedef void (*dns_hosts_cb)(const struct dns_hosts *h, void *arg);

struct dns;

/* Returns NULL with err filled when c-ares cannot start or the servers are
 * not addresses. */
struct dns *dns_new(struct event_base *base, const struct dns_config *cfg, char *err,
                    size_t errlen);
void dns_free(struct dns *d);

/* Each returns 0, or -1 (out of memory) without calling back. */
int dns_rdns(struct dns *d, const struct sockaddr *sa, dns_rdns_cb cb, void *arg);
int dns_resolve_host(struct dns *d, const char *name, dns_hosts_cb cb, void *arg);
int dns_resolve_mx(struct dns *d, const char *domain, dns_hosts_cb cb, void *arg);
int dns_query_a(struct dns *d, const char *name, dns_answer_cb cb, void *arg);
int dns_query_txt(struct dns *d, const char *name, dns_answer_cb cb, void *arg);

/* Ends every pending request with DNS_CANCELLED, from the loop, soon: safe
 * to call from anywhere, a DNS callback included. */
void dns_cancel_all(struct dns *d);

/* The number of requests not called back yet. */
size_t dns_pending(const struct dns *d);

const char *dns_status_name(enum dns_status s);

#endif
