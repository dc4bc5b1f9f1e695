/*
 * test_abuse.c: the abuse desk's DNS rules (prober/abuse.c): reversed
 * names, --dnsbl's zone list, DNSBL answers (listings, error codes,
 * decoded words), Team Cymru's TXT lines and Abusix's contacts, each as a
 * table of cases, hostile bytes included.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "prober/abuse.h"
#include "tests/tap.h"

static void
make_sa(struct sockaddr_storage *ss, const char *ip)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &s4->sin_addr);
	}
}

struct rev_case {
	const char *ip, *zone;
	int family; /* -1: refused */
	const char *want;
};

static const struct rev_case rev_cases[] = {
    {"203.0.113.7", "zen.spamhaus.org", AF_INET, "7.113.0.203.zen.spamhaus.org"},
    {"192.0.2.1", "origin.asn.cymru.com", AF_INET, "1.2.0.192.origin.asn.cymru.com"},
    {"::ffff:198.51.100.25", "bl.example", AF_INET, "25.100.51.198.bl.example"},
    {"2001:db8::1", "zen.spamhaus.org", AF_INET6,
     "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org"},
    {"2001:db8:abcd:12::f0", "origin6.asn.cymru.com", AF_INET6,
     "0.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2.origin6.asn.cymru.com"},
    {"192.0.2.1", "", -1, ""},
};

static void
test_reverse(void)
{
	struct sockaddr_storage ss;
	char out[DNS_HOSTNAME_MAX], small[16];
	size_t i;

	for (i = 0; i < sizeof(rev_cases) / sizeof(rev_cases[0]); i++) {
		const struct rev_case *c = &rev_cases[i];

		make_sa(&ss, c->ip);
		is_int(abuse_reverse_name((struct sockaddr *)&ss, c->zone, out, sizeof(out)),
		       c->family, "reverse %s in %s: family", c->ip, c->zone);
		is_str(out, c->want, "reverse %s in %s", c->ip, c->zone);
	}
	make_sa(&ss, "203.0.113.7");
	is_int(abuse_reverse_name((struct sockaddr *)&ss, "zen.spamhaus.org", small, sizeof(small)),
	       -1, "a name that does not fit is refused");
	is_str(small, "", "and left empty");
	ss.ss_family = AF_UNIX;
	is_int(abuse_reverse_name((struct sockaddr *)&ss, "zen.spamhaus.org", out, sizeof(out)), -1,
	       "not an IP address");
}

struct zones_case {
	const char *text;
	int n; /* -1: refused */
	const char *first, *last;
};

static const struct zones_case zones_cases[] = {
    {"default", 3, "zen.spamhaus.org", "psbl.surriel.com"},
    {"bl.example", 1, "bl.example", "bl.example"},
    {"bl.example,default,bl.example", 4, "bl.example", "psbl.surriel.com"},
    {"ABCDEF0123.zen.dq.spamhaus.net", 1, "ABCDEF0123.zen.dq.spamhaus.net",
     "ABCDEF0123.zen.dq.spamhaus.net"},
    {"", -1, NULL, NULL},
    {"bl.example,", -1, NULL, NULL},
    {"bl..example", -1, NULL, NULL},
    {".bl.example", -1, NULL, NULL},
    {"bl.example.", -1, NULL, NULL},
    {"bl example", -1, NULL, NULL},
    {"a,b,c,d,e,f,g,h,i", -1, NULL, NULL},
};

static void
test_zones(void)
{
	char zones[DNSBL_ZONES_MAX][DNS_HOSTNAME_MAX], err[128];
	size_t i;

	for (i = 0; i < sizeof(zones_cases) / sizeof(zones_cases[0]); i++) {
		const struct zones_case *c = &zones_cases[i];
		int n = dnsbl_zones_parse(c->text, zones, DNSBL_ZONES_MAX, err, sizeof(err));

		is_int(n, c->n, "--dnsbl \"%s\"", c->text);
		if (c->n > 0 && n == c->n) {
			is_str(zones[0], c->first, "  first zone");
			is_str(zones[n - 1], c->last, "  last zone");
		}
		if (c->n < 0)
			ok(err[0] != '\0', "  says why: %s", err);
	}
	ok(dnsbl_zone_lists_ipv6("zen.spamhaus.org"), "ZEN lists IPv6");
	ok(dnsbl_zone_lists_ipv6("KEY.zen.dq.spamhaus.net"), "and so does DQS");
	ok(!dnsbl_zone_lists_ipv6("bl.spamcop.net"), "SpamCop lists IPv4 only");
	ok(dnsbl_zone_lists_ipv6("bl.example"), "an unknown zone is asked for IPv6 too");
}

struct class_case {
	const char *zone;
	unsigned char a[4];
	enum dnsbl_class want;
	const char *words;
};

static const struct class_case class_cases[] = {
    {"zen.spamhaus.org", {127, 0, 0, 2}, DNSBL_LISTED, "SBL: spam source or spam operation"},
    {"zen.spamhaus.org", {127, 0, 0, 3}, DNSBL_LISTED, "SBL CSS: snowshoe spam"},
    {"zen.spamhaus.org", {127, 0, 0, 4}, DNSBL_LISTED, "XBL: exploited or infected host"},
    {"zen.spamhaus.org", {127, 0, 0, 7}, DNSBL_LISTED, "XBL: exploited or infected host"},
    {"zen.spamhaus.org", {127, 0, 0, 9}, DNSBL_LISTED, "SBL DROP: hijacked or leased to spammers"},
    {"zen.spamhaus.org",
     {127, 0, 0, 10},
     DNSBL_LISTED,
     "PBL: ISP policy, not to send mail directly"},
    {"ZEN.Spamhaus.ORG",
     {127, 0, 0, 11},
     DNSBL_LISTED,
     "PBL: Spamhaus policy, not to send mail directly"},
    {"zen.spamhaus.org", {127, 0, 0, 8}, DNSBL_LISTED, ""},
    {"KEY.zen.dq.spamhaus.net", {127, 0, 0, 4}, DNSBL_LISTED, "XBL: exploited or infected host"},
    {"zen.spamhaus.org", {127, 255, 255, 252}, DNSBL_ERROR, "typo in the DNSBL name"},
    {"zen.spamhaus.org",
     {127, 255, 255, 254},
     DNSBL_ERROR,
     "query through a public resolver refused"},
    {"zen.spamhaus.org", {127, 255, 255, 255}, DNSBL_ERROR, "excessive number of queries"},
    {"zen.spamhaus.org", {127, 255, 255, 1}, DNSBL_ERROR, "the list operator's error code"},
    {"bl.example", {127, 255, 255, 254}, DNSBL_ERROR, "query through a public resolver refused"},
    {"bl.example", {127, 0, 0, 2}, DNSBL_LISTED, ""},
    {"bl.spamcop.net", {127, 0, 0, 2}, DNSBL_LISTED, "SpamCop: reported by spam recipients"},
    {"psbl.surriel.com", {127, 0, 0, 2}, DNSBL_LISTED, "PSBL: sent to spam traps"},
    {"bl.example",
     {198, 51, 100, 1},
     DNSBL_ERROR,
     "not a list answer (a resolver rewriting NXDOMAIN?)"},
};

static void
test_classify(void)
{
	struct abuse_facts f;
	const unsigned char two[2][4] = {{127, 0, 0, 2}, {127, 0, 0, 10}};
	const unsigned char err[1][4] = {{127, 255, 255, 254}};
	const char hostile[] = "see http://example.com/?a=1;b=2\r\n\x1b[2J\xff";
	struct dnsbl_answer z;
	size_t i;

	for (i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		const struct class_case *c = &class_cases[i];
		const char *words = NULL;

		is_int(dnsbl_classify(c->zone, c->a, &words), c->want, "%s %u.%u.%u.%u: %s",
		       c->zone, c->a[0], c->a[1], c->a[2], c->a[3],
		       c->want == DNSBL_LISTED ? "listed" : "error");
		is_str(words, c->words, "  decoded");
	}

	memset(&f, 0, sizeof(f));
	z.zone = "zen.spamhaus.org";
	z.na = 2;
	z.a = two;
	z.txt = hostile;
	z.txtlen = sizeof(hostile) - 1;
	dnsbl_add(&f, &z);
	is_str(f.dnsbl,
	       "zen.spamhaus.org=127.0.0.2 (SBL: spam source or spam operation: see "
	       "http://example.com/?a=1,b=2???[2J?);"
	       "zen.spamhaus.org=127.0.0.10 (PBL: ISP policy, not to send mail directly: see "
	       "http://example.com/?a=1,b=2???[2J?)",
	       "two listings, each with its words and the zone's TXT, made printable");
	ok(f.listed, "listed");
	is_str(f.dnsbl_error, "", "no error");

	memset(&f, 0, sizeof(f));
	z.zone = "bl.example";
	z.na = 1;
	z.a = err;
	z.txt = "Error: open resolver";
	z.txtlen = strlen(z.txt);
	dnsbl_add(&f, &z);
	is_str(f.dnsbl, "", "an error code is never a listing");
	ok(!f.listed, "nor makes the address listed");
	is_str(f.dnsbl_error,
	       "bl.example=127.255.255.254 (query through a public resolver refused)",
	       "it is kept apart, with its words");
	dnsbl_add(&f, &z);
	is_str(f.dnsbl_error,
	       "bl.example=127.255.255.254 (query through a public resolver refused)",
	       "the same answer twice is kept once");

	memset(&f, 0, sizeof(f));
	z.na = 1;
	z.a = two;
	z.txt = NULL;
	dnsbl_add(&f, &z);
	is_str(f.dnsbl, "bl.example=127.0.0.2", "an unknown zone's listing: ZONE=ANSWER");
}

struct origin_case {
	const char *txt;
	int rc;
	size_t nasn;
	unsigned long asn0, asn1;
	const char *prefix, *cc;
};

static const struct origin_case origin_cases[] = {
    {"23028 | 216.90.108.0/24 | US | arin | 1998-09-25", 0, 1, 23028, 0, "216.90.108.0/24", "US"},
    {"64496 64497 | 192.0.2.0/24 | ZZ | ripencc | 2010-01-01", 0, 2, 64496, 64497, "192.0.2.0/24",
     "ZZ"},
    {"64496|2001:db8::/32|JP|apnic|", 0, 1, 64496, 0, "2001:db8::/32", "JP"},
    {"64496 | 192.0.2.0/24 | ", 0, 1, 64496, 0, "192.0.2.0/24", ""},
    {"4294967295 | 192.0.2.0/24 | US", 0, 1, 4294967295UL, 0, "192.0.2.0/24", "US"},
    {"4294967296 | 192.0.2.0/24 | US", -1, 0, 0, 0, "", ""},
    {"0 | 192.0.2.0/24 | US", -1, 0, 0, 0, "", ""},
    {"AS64496 | 192.0.2.0/24 | US", -1, 0, 0, 0, "", ""},
    {"64496 | 192.0.2.0/24", -1, 0, 0, 0, "", ""},
    {"64496 | 192.0.2.0/24; DROP | US", -1, 0, 0, 0, "", ""},
    {"64496 | | US", -1, 0, 0, 0, "", ""},
    {"64496 | 192.0.2.0/24 | U\x1bS", -1, 0, 0, 0, "", ""},
    {"", -1, 0, 0, 0, "", ""},
    {"|||||||||", -1, 0, 0, 0, "", ""},
};

static void
test_cymru(void)
{
	struct cymru_origin o;
	struct abuse_facts f;
	unsigned long asn = 0;
	char name[64];
	const char nul[] = "64496 | 192.0.2.0/24 | US\0 | arin";
	size_t i;

	for (i = 0; i < sizeof(origin_cases) / sizeof(origin_cases[0]); i++) {
		const struct origin_case *c = &origin_cases[i];

		is_int(cymru_parse_origin(c->txt, strlen(c->txt), &o), c->rc, "origin \"%s\"",
		       c->txt);
		if (c->rc != 0)
			continue;
		is_int((long long)o.nasn, (long long)c->nasn, "  ASNs");
		is_int((long long)o.asn[0], (long long)c->asn0, "  first ASN");
		if (c->nasn > 1)
			is_int((long long)o.asn[1], (long long)c->asn1, "  second ASN");
		is_str(o.prefix, c->prefix, "  prefix");
		is_str(o.cc, c->cc, "  country");
	}
	is_int(cymru_parse_origin(nul, sizeof(nul) - 1, &o), -1, "a NUL inside a field is refused");
	is_int(cymru_parse_origin("1 2 3 4 5 6 | 192.0.2.0/24 | US",
	                          strlen("1 2 3 4 5 6 | 192.0.2.0/24 | US"), &o),
	       0, "more origins than kept");
	is_int((long long)o.nasn, ASN_ORIGINS_MAX, "  the first ASN_ORIGINS_MAX kept");

	is_int(cymru_parse_asname("23028 | US | arin | 2002-01-04 | TEAMCYMRU - SAUNET, US",
	                          strlen("23028 | US | arin | 2002-01-04 | TEAMCYMRU - SAUNET, US"),
	                          &asn, name, sizeof(name)),
	       0, "AS name line");
	is_int((long long)asn, 23028, "  its ASN");
	is_str(name, "TEAMCYMRU - SAUNET, US", "  its name");
	is_int(cymru_parse_asname("64496 | ZZ | arin | 2002-01-04 | EVIL;NAME | x\r\n\x1b", 49,
	                          &asn, name, sizeof(name)),
	       0, "a hostile AS name");
	is_str(name, "EVIL,NAME | x???", "  is made printable, ';' made ','");
	is_int(cymru_parse_asname("64496 | ZZ | arin | 2002-01-04 | ",
	                          strlen("64496 | ZZ | arin | 2002-01-04 | "), &asn, name,
	                          sizeof(name)),
	       -1, "no name");
	is_int(cymru_parse_asname("64496 | ZZ | arin", strlen("64496 | ZZ | arin"), &asn, name,
	                          sizeof(name)),
	       -1, "too few fields");

	memset(&f, 0, sizeof(f));
	cymru_parse_origin("64496 64497 | 192.0.2.0/24 | US | arin",
	                   strlen("64496 64497 | 192.0.2.0/24 | US | arin"), &o);
	cymru_add_origin(&f, &o);
	cymru_parse_origin("64496 | 192.0.2.0/23 | US | arin",
	                   strlen("64496 | 192.0.2.0/23 | US | arin"), &o);
	cymru_add_origin(&f, &o);
	is_str(f.asn, "64496;64497", "every origin ASN kept, each once");
	is_str(f.as_prefix, "192.0.2.0/24;192.0.2.0/23", "every prefix");
	is_str(f.as_country, "US", "the country once");
	cymru_add_asname(&f, "EXAMPLE-NET");
	cymru_add_asname(&f, "OTHER-NET");
	is_str(f.as_name, "EXAMPLE-NET;OTHER-NET", "the names in order");
}

struct contact_case {
	const char *txt;
	size_t added;
	const char *want;
};

static const struct contact_case contact_cases[] = {
    {"abuse@example.net", 1, "abuse@example.net"},
    {"abuse@example.net,noc@example.org", 2, "abuse@example.net;noc@example.org"},
    {"  abuse@example.net   abuse@example.net ", 1, "abuse@example.net"},
    {"abuse@localhost", 0, ""},
    {"@example.net", 0, ""},
    {"abuse@@example.net", 0, ""},
    {"abuse@example.net.", 0, ""},
    {"a;b@example.net", 0, ""},
    {"\"a b\"@example.net", 0, ""},
    {"abuse@exa\x1bmple.net", 0, ""},
    {"<abuse@example.net>", 0, ""},
    {"", 0, ""},
};

static void
test_contact(void)
{
	struct abuse_facts f;
	char big[600];
	size_t i;

	for (i = 0; i < sizeof(contact_cases) / sizeof(contact_cases[0]); i++) {
		const struct contact_case *c = &contact_cases[i];

		memset(&f, 0, sizeof(f));
		is_int((long long)abusix_add_contact(&f, c->txt, strlen(c->txt)),
		       (long long)c->added, "contact \"%s\"", c->txt);
		is_str(f.abuse_contact, c->want, "  kept");
	}
	memset(&f, 0, sizeof(f));
	memset(big, 'a', sizeof(big));
	snprintf(big + sizeof(big) - 13, 13, "@example.net");
	is_int((long long)abusix_add_contact(&f, big, sizeof(big) - 1), 0,
	       "a mailbox past the cap");
	is_str(f.abuse_contact, "", "  is dropped, not cut");
}

int
main(void)
{
	test_reverse();
	test_zones();
	test_classify();
	test_cymru();
	test_contact();
	return tap_done();
}
