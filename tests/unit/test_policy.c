/*
 * test_policy.c: special-purpose ranges (one address just inside and one
 * just outside each row) and CIDR lists (add, contains, errors).
 *
 * The addresses here are data: nothing connects to them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/bounds.h"
#include "common/strbuf.h"
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
    {"::2", "IPv4-compatible, deprecated (RFC 4291)"},
    {"::a00:1", "IPv4-compatible, deprecated (RFC 4291)"},
    {"::1:0:0", NULL},
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
    {"100:0:0:1::", "dummy prefix (RFC 9780)"},
    {"100:0:0:1:ffff:ffff:ffff:ffff", "dummy prefix (RFC 9780)"},
    {"100:0:0:2::", NULL},
    {"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"2001::", "Teredo (RFC 4380)"},
    {"2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "Teredo (RFC 4380)"},
    {"2001:1::", "IETF protocol assignments (RFC 2928)"},
    {"2001:1::1", "PCP anycast (RFC 7723)"},
    {"2001:1::2", "TURN anycast (RFC 8155)"},
    {"2001:1::3", "DNS-SD SRP anycast (RFC 9665)"},
    {"2001:2::", "benchmarking (RFC 5180)"},
    {"2001:2:0:ffff:ffff:ffff:ffff:ffff", "benchmarking (RFC 5180)"},
    {"2001:2:1::", "IETF protocol assignments (RFC 2928)"},
    {"2001:3::", "AMT (RFC 7450)"},
    {"2001:4:112::", "AS112-v6 (RFC 7535)"},
    {"2001:10::", "ORCHID, deprecated (RFC 4843)"},
    {"2001:1f:ffff::", "ORCHID, deprecated (RFC 4843)"},
    {"2001:20::", "ORCHIDv2 (RFC 7343)"},
    {"2001:30::", "drone remote ID tags (RFC 9374)"},
    {"2001:3f:ffff::", "drone remote ID tags (RFC 9374)"},
    {"2001:40::", "IETF protocol assignments (RFC 2928)"},
    {"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "IETF protocol assignments (RFC 2928)"},
    {"2001:200::", NULL},
    {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"2001:db8::", "documentation (RFC 3849)"},
    {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "documentation (RFC 3849)"},
    {"2001:db9::", NULL},
    /* 6to4 and NAT64's well-known prefix: judged by the IPv4 address inside. */
    {"2002:b00:1::1", NULL}, /* 11.0.0.1: routable */
    {"2002:c000:201::1", DOC4},
    {"2002:a00:1::1", PRIVATE},
    {"2002:7f00:1::", LOOPBACK4},
    {"2002:c0a8:101:ffff::1", PRIVATE},
    {"64:ff9b::a00:1", PRIVATE},
    {"64:ff9b::7f00:1", LOOPBACK4},
    {"64:ff9b::c000:201", DOC4},
    {"64:ff9b::a9fe:a9fe", "link-local (RFC 3927)"},
    {"64:ff9b::b00:1", NULL},   /* 11.0.0.1 through a NAT64 gateway */
    {"64:ff9b::1:a00:1", NULL}, /* outside the /96: not a NAT64 address */
    /* IPv4-translated (RFC 2765): never routed. */
    {"::ffff:0:b00:1", "IPv4-translated (RFC 2765)"},
    {"::ffff:0:a00:1", "IPv4-translated (RFC 2765)"},
    {"2620:4f:8000::1", "AS112 direct delegation (RFC 7534)"},
    {"2620:4f:8001::", NULL},
    {"3fff::", "documentation (RFC 9637)"},
    {"3fff:fff:ffff::", "documentation (RFC 9637)"},
    {"3fff:1000::", NULL},
    {"5f00::1", "SRv6 SIDs (RFC 9602)"},
    {"5f01::", NULL},
    {"192.31.196.1", "AS112-v4 (RFC 7535)"},
    {"192.52.193.1", "AMT (RFC 7450)"},
    {"192.175.48.1", "AS112 direct delegation (RFC 7534)"},
    {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"fc00::", "unique local (RFC 4193)"},
    {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local (RFC 4193)"},
    {"fe00::", NULL},
    {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
    {"fe80::", "link-local (RFC 4291)"},
    {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local (RFC 4291)"},
    {"fec0::", "site-local, deprecated (RFC 3879)"},
    {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "site-local, deprecated (RFC 3879)"},
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

/* The IPv6 form an embedded IPv4 address came in is named. */
static const struct {
	const char *addr;
	const char *why, *via;
} via_cases[] = {
    {"64:ff9b::a00:1", PRIVATE, "NAT64 well-known prefix (RFC 6052)"},
    {"2002:a00:1::1", PRIVATE, "6to4 (RFC 3056)"},
    {"64:ff9b::b00:1", NULL, NULL},
    {"2002:b00:1::1", NULL, NULL},
    {"::ffff:10.0.0.1", PRIVATE, NULL}, /* mapped: the IPv4 address itself */
    {"fe80::1", "link-local (RFC 4291)", NULL},
};

static void
test_via(void)
{
	struct sockaddr_storage ss;
	const char *via;
	size_t i;

	for (i = 0; i < sizeof(via_cases) / sizeof(via_cases[0]); i++) {
		via = "stale";
		is_str(policy_special_why(sa_of(via_cases[i].addr, &ss), &via), via_cases[i].why,
		       "%s: why", via_cases[i].addr);
		is_str(via, via_cases[i].via, "%s: via", via_cases[i].addr);
	}
}

/* Ranges against policy: what is walked and what one skipped row says. */
static const struct {
	const char *range;           /* base/prefix */
	const char *allow, *exclude; /* NULL: none */
	int allow_private;
	const char *parts;  /* the spans walked, "lo-hi,..." (hi exclusive) */
	const char *reason; /* the cut row's reason */
} range_cases[] = {
    /* The seed of this table: 29 million skipped rows before. */
    {"0.0.0.0/0", "127.0.0.0/8", NULL, 1, "2130706432-2147483648",
     "outside allowlist: 4278190080 of 4294967296 addresses"},
    {"0.0.0.0/0", "127.0.0.0/8", NULL, 0, "",
     "outside allowlist: 4278190080, special-purpose range: 16777216 of 4294967296 addresses; "
     "use --allow-private"},
    {"127.0.0.0/24", "127.0.0.0/8", NULL, 1, "0-256", ""},
    {"127.0.0.0/24", NULL, NULL, 1, "0-256", ""},
    {"127.0.0.0/24", NULL, NULL, 0, "",
     "special-purpose range: 256 of 256 addresses; use --allow-private"},
    {"127.0.0.0/24", "127.0.0.0/26,127.0.0.200/29,127.0.0.64/26", NULL, 1, "0-128,200-208",
     "outside allowlist: 120 of 256 addresses"},
    {"127.0.0.0/24", "127.0.0.0/8", "127.0.0.16/28,127.0.0.255", 1, "0-16,32-255",
     "excluded: 17 of 256 addresses"},
    {"127.0.0.0/24", "127.0.0.0/25", "127.0.0.0/30", 1, "4-128",
     "outside allowlist: 128, excluded: 4 of 256 addresses"},
    /* Public space with special ranges inside: cut, the rest walked. */
    {"192.0.0.0/22", NULL, NULL, 0, "256-512,768-1024",
     "special-purpose range: 512 of 1024 addresses; use --allow-private"},
    {"192.0.0.0/22", "192.0.0.0/8", NULL, 0, "256-512,768-1024",
     "special-purpose range: 512 of 1024 addresses; use --allow-private"},
    {"11.0.0.0/24", NULL, NULL, 0, "0-256", ""},
    /* IPv6: what carries a special IPv4 address, and mapped ranges. */
    {"64:ff9b::/96", NULL, NULL, 0, NULL, NULL}, /* checked by count below */
    {"2002:a00:1::/96", NULL, NULL, 0, "",
     "special-purpose range: 4294967296 of 4294967296 addresses; use --allow-private"},
    {"2002:b00:1::/120", NULL, NULL, 0, "0-256", ""},
    {"::ffff:127.0.0.0/120", "127.0.0.0/8", NULL, 1, "0-256", ""},
    {"::ffff:127.0.0.0/120", "127.0.0.128/25", NULL, 1, "128-256",
     "outside allowlist: 128 of 256 addresses"},
    {"2001:db8::/120", "127.0.0.0/8,::1/128", NULL, 1, "",
     "outside allowlist: 256 of 256 addresses"},
    {"::/120", "::/64", NULL, 0, "",
     "special-purpose range: 256 of 256 addresses; use --allow-private"},
};

static const struct sockaddr *
range_of(const char *text, struct sockaddr_storage *ss, unsigned int *prefix)
{
	char a[64];
	const char *slash = strchr(text, '/');

	snprintf(a, sizeof(a), "%.*s", (int)(slash - text), text);
	*prefix = (unsigned int)strtoul(slash + 1, NULL, 10);
	return sa_of(a, ss);
}

static void
test_range_parts(void)
{
	static struct addr_span parts[RANGE_PARTS_MAX];
	struct sockaddr_storage ss;
	struct range_cut cut;
	char got[512], reason[TARGET_REASON_MAX], err[TARGET_REASON_MAX];
	size_t i;

	for (i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		struct range_policy p = {NULL, NULL, range_cases[i].allow_private};
		struct cidr_list *allow = cidr_list_new(), *ex = cidr_list_new();
		const struct sockaddr *sa;
		struct strbuf sb;
		unsigned int prefix;
		long n, j;

		if (range_cases[i].allow != NULL) {
			cidr_list_add(allow, range_cases[i].allow, err, sizeof(err));
			p.allowlist = allow;
		}
		if (range_cases[i].exclude != NULL) {
			cidr_list_add(ex, range_cases[i].exclude, err, sizeof(err));
			p.exclude = ex;
		}
		sa = range_of(range_cases[i].range, &ss, &prefix);
		n = policy_range_parts(&p, sa, prefix, parts, RANGE_PARTS_MAX, &cut);
		sb_init(&sb, got, sizeof(got));
		for (j = 0; j < n; j++)
			sb_printf(&sb, "%s%llu-%llu", j ? "," : "", (unsigned long long)parts[j].lo,
			          (unsigned long long)parts[j].hi);
		policy_cut_reason(&cut, reason, sizeof(reason));
		if (range_cases[i].parts == NULL) {
			/* 64:ff9b::/96 without --allow-private: what the IPv4 table
			 * cuts from 0.0.0.0/0, as pieces of the NAT64 range. */
			struct range_policy v4 = {NULL, NULL, 0};
			struct range_cut c4;
			static struct addr_span p4[RANGE_PARTS_MAX];
			long n4;

			sa = range_of("0.0.0.0/0", &ss, &prefix);
			n4 = policy_range_parts(&v4, sa, prefix, p4, RANGE_PARTS_MAX, &c4);

			is_int(n, n4, "%s: as many pieces as 0.0.0.0/0 (%ld)", range_cases[i].range,
			       n4);
			is_int(cut.special, c4.special, "%s: the IPv4 table's count is cut",
			       range_cases[i].range);
			ok(n > 0 && parts[0].lo == p4[0].lo && parts[n - 1].hi == p4[n4 - 1].hi,
			   "%s: at the same offsets", range_cases[i].range);
		} else {
			is_str(got, range_cases[i].parts, "%s allow %s exclude %s%s: walked",
			       range_cases[i].range,
			       range_cases[i].allow ? range_cases[i].allow : "-",
			       range_cases[i].exclude ? range_cases[i].exclude : "-",
			       range_cases[i].allow_private ? " --allow-private" : "");
			is_str(reason, range_cases[i].reason, "%s: cut row", range_cases[i].range);
		}
		is_int(cut.partial, 0, "%s: cut whole", range_cases[i].range);
		cidr_list_free(allow);
		cidr_list_free(ex);
	}
}

/* More rules than RANGE_PARTS_MAX pieces: left to the per-address check. */
static void
test_range_parts_bound(void)
{
	static struct addr_span parts[RANGE_PARTS_MAX];
	struct sockaddr_storage ss;
	struct cidr_list *ex = cidr_list_new();
	struct range_policy p = {NULL, ex, 1};
	const struct sockaddr *sa;
	struct range_cut cut;
	char text[64], err[TARGET_REASON_MAX];
	unsigned int prefix;
	size_t i;
	long n;

	for (i = 0; i < 2 * RANGE_PARTS_MAX; i++) {
		snprintf(text, sizeof(text), "10.%zu.%zu.1", i / 256, i % 256);
		cidr_list_add(ex, text, err, sizeof(err));
	}
	sa = range_of("10.0.0.0/8", &ss, &prefix);
	n = policy_range_parts(&p, sa, prefix, parts, RANGE_PARTS_MAX, &cut);
	is_int(n, 1, "too many pieces: the range stays whole");
	is_int(cut.partial, 1, "and says it is partial");
	is_int(cut.excluded, 0, "nothing counted as cut");
	cidr_list_free(ex);
}

static const struct {
	const char *reason;
	enum skip_class want;
} class_cases[] = {
    {"outside allowlist", SKIP_OUTSIDE_ALLOWLIST},
    {"outside allowlist: 4278190080 of 4294967296 addresses", SKIP_OUTSIDE_ALLOWLIST},
    {"special-purpose range: loopback (RFC 1122); use --allow-private", SKIP_SPECIAL},
    {"excluded: 192.0.2.0/24 (ticket 12)", SKIP_EXCLUDED},
    {"duplicate: already a target of this run", SKIP_DUPLICATE},
    {"DNS: nope.example.com: Domain name not found", SKIP_DNS},
    {"host names need DNS, which is off (--no-dns)", SKIP_DNS},
    {"not an address: \"1.2.3\"", SKIP_BAD_INPUT},
    {"out of memory", SKIP_OTHER},
};

static void
test_skip_class(void)
{
	size_t i;

	for (i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++)
		is_int(policy_skip_class(class_cases[i].reason), class_cases[i].want,
		       "class of \"%s\"", class_cases[i].reason);
	is_str(policy_skip_class_name(SKIP_OUTSIDE_ALLOWLIST), "outside the allowlist",
	       "a class's name");
	is_str(policy_skip_class_name(POLICY_SKIP_CLASSES), "?", "no class");
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
	test_via();
	test_range_parts();
	test_range_parts_bound();
	test_skip_class();
	test_cidr_list();
	return tap_done();
}
