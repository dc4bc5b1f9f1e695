/*
 * test_policy.c: special-purpose ranges (one address just inside and one
 * just outside each row) and CIDR lists (add, contains, errors).
 *
 * The addresses here are data: nothing connects to them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/bounds.h"
#include "targets/policy.h"
#include "tests/tap.h"

#define LOOPBACK4 "loopback (RFC 1122)"
#define PRIVATE   "private (RFC 1918)"
#define DOC4      "documentation (RFC 5737)"
#define RESERVED4 "reserved (RFC 1112)"

static const struct {
	const char *addr;
	const char *want; /* NULL: an ordinary address */
} special_cases[] = {
    {"0.0.0.0", "this network (RFC 791)"},
    {"0.255.255.255", "this network (RFC 791)"},
    {"1.0.0.0", NULL},
    {"9.255.255.255", NULL},
    {"10.0.0.0", PRIVATE},
    {"10.255.255.255", PRIVATE},
    {"11.0.0.0", NULL},
    {"100.63.255.255", NULL},
    {"100.64.0.0", "shared address space, CGN (RFC 6598)"},
    {"100.127.255.255", "shared address space, CGN (RFC 6598)"},
    {"100.128.0.0", NULL},
    {"126.255.255.255", NULL},
    {"127.0.0.1", LOOPBACK4},
    {"127.255.255.255", LOOPBACK4},
    {"128.0.0.0", NULL},
    {"169.253.255.255", NULL},
    {"169.254.0.0", "link-local (RFC 3927)"},
    {"169.254.255.255", "link-local (RFC 3927)"},
    {"169.255.0.0", NULL},
    {"172.15.255.255", NULL},
    {"172.16.0.0", PRIVATE},
    {"172.31.255.255", PRIVATE},
    {"172.32.0.0", NULL},
    {"191.255.255.255", NULL},
    {"192.0.0.0", "IETF protocol assignments (RFC 6890)"},
    {"192.0.0.255", "IETF protocol assignments (RFC 6890)"},
    {"192.0.1.0", NULL},
    {"192.0.1.255", NULL},
    {"192.0.2.0", DOC4},
    {"192.0.2.255", DOC4},
    {"192.0.3.0", NULL},
    {"192.88.98.255", NULL},
    {"192.88.99.0", "6to4 relay anycast (RFC 7526)"},
    {"192.88.99.255", "6to4 relay anycast (RFC 7526)"},
    {"192.88.100.0", NULL},
    {"192.167.255.255", NULL},
    {"192.168.0.0", PRIVATE},
    {"192.168.255.255", PRIVATE},
    {"192.169.0.0", NULL},
    {"198.17.255.255", NULL},
    {"198.18.0.0", "benchmarking (RFC 2544)"},
    {"198.19.255.255", "benchmarking (RFC 2544)"},
    {"198.20.0.0", NULL},
    {"198.51.99.255", NULL},
    {"198.51.100.0", DOC4},
    {"198.51.100.255", DOC4},
    {"198.51.101.0", NULL},
    {"203.0.112.255", NULL},
    {"203.0.113.0", DOC4},
    {"203.0.113.255", DOC4},
    {"203.0.114.0", NULL},
    {"223.255.255.255", NULL},
    {"224.0.0.0", "multicast (RFC 5771)"},
    {"239.255.255.255", "multicast (RFC 5771)"},
    {"240.0.0.0", RESERVED4},
    {"255.255.255.254", RESERVED4},
    {"255.255.255.255", "limited broadcast (RFC 919)"},

    {"::", "unspecified (RFC 4291)"},
    {"::1", "loopback (RFC 4291)"},
    {"::2", NULL},
    /* IPv4-mapped: judged by the IPv4 address inside. */
    {"::ffff:127.0.0.1", LOOPBACK4},
    {"::ffff:10.1.2.3", PRIVATE},
    {"::ffff:192.0.2.1", DOC4},
    {"::ffff:0.0.0.0", "this network (RFC 791)"},
    {"::ffff:11.0.0.0", NULL},
    {"::fffe:7f00:1", NULL},
    {"64:ff9b:0:ffff:ffff:ffff:ffff:ffff", NULL},
    {"64:ff9b:1::", "local-use translation (RFC 8215)"},
    {"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "local-use translation (RFC 8215)"},
    {"64:ff9b:2::", NULL},
    {"ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"100::", "discard-only (RFC 6666)"},
    {"100::ffff:ffff:ffff:ffff", "discard-only (RFC 6666)"},
    {"100:0:0:1::", NULL},
    {"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"2001::", "IETF protocol assignments (RFC 2928)"},
    {"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "IETF protocol assignments (RFC 2928)"},
    {"2001:200::", NULL},
    {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"2001:db8::", "documentation (RFC 3849)"},
    {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "documentation (RFC 3849)"},
    {"2001:db9::", NULL},
    {"2002:c000:201::1", NULL}, /* 6to4 is routable */
    {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"fc00::", "unique local (RFC 4193)"},
    {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local (RFC 4193)"},
    {"fe00::", NULL},
    {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"fe80::", "link-local (RFC 4291)"},
    {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local (RFC 4291)"},
    {"fec0::", NULL},
    {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"ff00::", "multicast (RFC 4291)"},
    {"ff02::1", "multicast (RFC 4291)"},
    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast (RFC 4291)"},
};

/* Fills ss from text; the port is there to show it plays no part. */
static const struct sockaddr *
sa_of(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 sin6;

		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(25);
		if (inet_pton(AF_INET6, text, &sin6.sin6_addr) != 1)
			printf("# bad test address %s\n", text);
		memcpy(ss, &sin6, sizeof(sin6));
	} else {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(25);
		if (inet_pton(AF_INET, text, &sin.sin_addr) != 1)
			printf("# bad test address %s\n", text);
		memcpy(ss, &sin, sizeof(sin));
	}
	return (const struct sockaddr *)ss;
}

static void
test_special(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	size_t i;

	for (i = 0; i < sizeof(special_cases) / sizeof(special_cases[0]); i++)
		is_str(policy_special_range(sa_of(special_cases[i].addr, &ss)),
		       special_cases[i].want, "%s is %s", special_cases[i].addr,
		       special_cases[i].want ? special_cases[i].want : "ordinary");

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ok(policy_special_range((const struct sockaddr *)&sun) == NULL, "AF_UNIX: no answer");
	ok(policy_special_range(NULL) == NULL, "NULL: no answer");
}

static const struct {
	const char *text;
	const char *err;
} bad_lists[] = {
    {"192.0.2.1/24", "host bits set: \"192.0.2.1/24\""},
    {"192.0.2.128/25,192.0.2.1/31", "host bits set: \"192.0.2.1/31\""},
    {"2001:db8::1/32", "host bits set: \"2001:db8::1/32\""},
    {"11.0.0.0/7", "host bits set: \"11.0.0.0/7\""},
    {"192.0.2.0/33", "bad prefix length: \"192.0.2.0/33\""},
    {"192.0.2.0/", "bad prefix length: \"192.0.2.0/\""},
    {"192.0.2.0/-1", "bad prefix length: \"192.0.2.0/-1\""},
    {"192.0.2.0/024", "bad prefix length: \"192.0.2.0/024\""},
    {"192.0.2.0/24x", "bad prefix length: \"192.0.2.0/24x\""},
    {"192.0.2.0/1000", "bad prefix length: \"192.0.2.0/1000\""},
    {"192.0.2.0/24/24", "bad prefix length: \"192.0.2.0/24/24\""},
    {"2001:db8::/129", "bad prefix length: \"2001:db8::/129\""},
    {"", "empty range in list: \"\""},
    {"  ", "empty range in list: \"  \""},
    {"10.0.0.0/8,", "empty range in list: \"10.0.0.0/8,\""},
    {"10.0.0.0/8,,127.0.0.0/8", "empty range in list: \"10.0.0.0/8,,127.0.0.0/8\""},
    {",10.0.0.0/8", "empty range in list: \",10.0.0.0/8\""},
    {"10.0.0.0/8,mail.example.com", "not an address: \"mail.example.com\""},
    {"010.0.0.0/8", "not an address: \"010.0.0.0/8\""},
    {"1.2.3/24", "not an address: \"1.2.3/24\""},
    {"1.2.3.4.5", "not an address: \"1.2.3.4.5\""},
    {"/8", "not an address: \"/8\""},
    {"fe80::1%eth0", "not an address: \"fe80::1%eth0\""},
    {"[::1]", "not an address: \"[::1]\""},
    {"127.0.0.0 /8", "not an address: \"127.0.0.0 /8\""},
    {"127.0.0.0/8;10.0.0.0/8", "bad prefix length: \"127.0.0.0/8;10.0.0.0/8\""},
    {"127.0.0.1\n", "not an address: \"127.0.0.1\\n\""},
    {"2001:0db8:0000:0000:0000:0000:0000:0000:1/128",
     "not an address: \"2001:0db8:0000:0000:0000:0000:0000:0000:1/128\""},
};

static const struct {
	const char *list;
	const char *addr;
	int want;
} contains_cases[] = {
    {"127.0.0.0/8,::1/128", "127.0.0.11", 1},
    {"127.0.0.0/8,::1/128", "127.255.255.255", 1},
    {"127.0.0.0/8,::1/128", "128.0.0.0", 0},
    {"127.0.0.0/8,::1/128", "::1", 1},
    {"127.0.0.0/8,::1/128", "::2", 0},
    {"127.0.0.0/8,::1/128", "::ffff:127.0.0.1", 1},
    {"127.0.0.0/8,::1/128", "::ffff:128.0.0.1", 0},
    {" 192.0.2.0/25 ,\t2001:db8::/32\t", "192.0.2.127", 1},
    {" 192.0.2.0/25 ,\t2001:db8::/32\t", "192.0.2.128", 0},
    {" 192.0.2.0/25 ,\t2001:db8::/32\t", "2001:db8:ffff::1", 1},
    {" 192.0.2.0/25 ,\t2001:db8::/32\t", "2001:db9::1", 0},
    {"198.51.100.7", "198.51.100.7", 1},
    {"198.51.100.7", "198.51.100.6", 0},
    {"198.51.100.7", "198.51.100.8", 0},
    {"198.51.100.7/32", "198.51.100.7", 1},
    {"2001:db8::7", "2001:db8::7", 1},
    {"2001:db8::7", "2001:db8::6", 0},
    {"203.0.113.0/31", "203.0.113.1", 1},
    {"203.0.113.0/31", "203.0.113.2", 0},
    {"198.18.0.0/15", "198.19.1.1", 1},
    {"0.0.0.0/0", "203.0.113.9", 1},
    {"0.0.0.0/0", "::ffff:203.0.113.9", 1},
    {"0.0.0.0/0", "2001:db8::9", 0},
    {"::/0", "2001:db8::9", 1},
    {"::/0", "203.0.113.9", 0},
    /* A mapped range is an IPv4 range: both spellings of an address match it. */
    {"::ffff:192.0.2.0/120", "192.0.2.5", 1},
    {"::ffff:192.0.2.0/120", "::ffff:192.0.2.5", 1},
    {"::ffff:192.0.2.0/120", "192.0.3.5", 0},
    {"::ffff:127.0.0.1", "127.0.0.1", 1},
    {"127.0.0.1", "::ffff:127.0.0.1", 1},
};

static void
test_cidr_list(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	struct cidr_list *l;
	char err[TARGET_REASON_MAX], text[64];
	size_t i;

	for (i = 0; i < sizeof(contains_cases) / sizeof(contains_cases[0]); i++) {
		l = cidr_list_new();
		strcpy(err, "stale");
		is_int(cidr_list_add(l, contains_cases[i].list, err, sizeof(err)), 0, "add \"%s\"",
		       contains_cases[i].list);
		is_str(err, "", "add \"%s\": err cleared", contains_cases[i].list);
		is_int(cidr_list_contains(l, sa_of(contains_cases[i].addr, &ss)),
		       contains_cases[i].want, "\"%s\" %s %s", contains_cases[i].list,
		       contains_cases[i].want ? "holds" : "does not hold", contains_cases[i].addr);
		cidr_list_free(l);
	}

	l = cidr_list_new();
	is_int(cidr_list_count(l), 0, "a new list is empty");
	ok(!cidr_list_contains(l, sa_of("127.0.0.1", &ss)), "an empty list holds nothing");
	is_int(cidr_list_count(NULL), 0, "no list counts 0");
	ok(!cidr_list_contains(NULL, sa_of("127.0.0.1", &ss)), "no list holds nothing");
	is_int(cidr_list_add(l, "127.0.0.0/8,::1/128", err, sizeof(err)), 0, "add two");
	is_int(cidr_list_add(l, "192.0.2.0/24", err, sizeof(err)), 0, "add one more");
	is_int(cidr_list_count(l), 3, "three ranges");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ok(!cidr_list_contains(l, (const struct sockaddr *)&sun), "AF_UNIX is in no range");

	/* Errors: exact messages, and all or nothing. */
	for (i = 0; i < sizeof(bad_lists) / sizeof(bad_lists[0]); i++) {
		is_int(cidr_list_add(l, bad_lists[i].text, err, sizeof(err)), -1, "reject \"%s\"",
		       bad_lists[i].text);
		is_str(err, bad_lists[i].err, "reject \"%s\": message", bad_lists[i].text);
		is_int(cidr_list_count(l), 3, "reject \"%s\": nothing added", bad_lists[i].text);
	}
	is_int(cidr_list_add(l, "198.51.100.0/24,bogus", err, sizeof(err)), -1,
	       "a bad second entry");
	ok(!cidr_list_contains(l, sa_of("198.51.100.1", &ss)),
	   "the good first entry was not kept either");
	cidr_list_free(l);

	/* At most CIDR_LIST_MAX ranges. */
	l = cidr_list_new();
	for (i = 0; i < CIDR_LIST_MAX; i++) {
		snprintf(text, sizeof(text), "10.%zu.%zu.0/24", i / 256, i % 256);
		if (cidr_list_add(l, text, err, sizeof(err)) != 0)
			break;
	}
	is_int(cidr_list_count(l), CIDR_LIST_MAX, "CIDR_LIST_MAX ranges fit");
	is_int(cidr_list_add(l, "192.0.2.0/24", err, sizeof(err)), -1, "one more does not");
	snprintf(text, sizeof(text), "too many ranges (at most %d)", CIDR_LIST_MAX);
	is_str(err, text, "too many: message");
	ok(cidr_list_contains(l, sa_of("10.15.255.1", &ss)), "the last range is searched");
	cidr_list_free(l);

	l = cidr_list_new();
	is_int(cidr_list_add(l, "192.0.2.0/24", NULL, 0), 0, "no err buffer: fine");
	is_int(cidr_list_add(l, "192.0.2.1/24", NULL, 0), -1, "no err buffer: still -1");
	cidr_list_free(l);
	cidr_list_free(NULL);
	ok(1, "cidr_list_free(NULL) is a no-op");
}

int
main(void)
{
	test_special();
	test_cidr_list();
	return tap_done();
}
