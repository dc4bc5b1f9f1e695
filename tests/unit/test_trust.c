/*
 * test_trust.c: the trust walk against a table of chains (hops given as
 * Received lines, newest first): where the boundary falls, its role, the
 * flags; then which ranges count as private, and --trusted's parser.
 */
#include <arpa/inet.h>
#include <string.h>

#include "targets/received.h"
#include "targets/suspects.h"
#include "targets/trust.h"
#include "tests/tap.h"

#define D         "; Sat, 28 Nov 2026 10:00:00 +0000"
#define LINES_MAX 5

struct wcase {
	const char *what;
	const char *trusted; /* --trusted, NULL: auto */
	const char *lines[LINES_MAX];
	int boundary;      /* -1: none */
	const char *role;  /* of the boundary */
	const char *flags; /* message_flags_format */
};

static const struct wcase cases[] = {
    {"auto: the first public hop",
     NULL,
     {"from a (a [198.51.100.1]) by mx" D, "from b (b [203.0.113.2]) by a" D},
     0,
     "suspect",
     ""},
    {"auto: private hops are trusted",
     NULL,
     {"from a (a [10.0.0.1]) by mx" D, "from b (b [203.0.113.2]) by a" D},
     1,
     "suspect",
     ""},
    {"auto: loopback, CGN, link-local, ULA are private",
     NULL,
     {"from a (a [127.0.0.1]) by mx" D, "from b (b [100.64.1.1]) by a" D,
      "from c (c [169.254.1.1]) by b" D, "from d (d [IPv6:fd00::1]) by c" D},
     -1,
     NULL,
     ""},
    {"auto: documentation ranges are public",
     NULL,
     {"from a (a [192.0.2.1]) by mx" D},
     0,
     "suspect",
     ""},
    {"auto: an authenticated public hop is a compromised account",
     NULL,
     {"from a (a [198.51.100.1]) by mx with ESMTPSA" D, "from b (b [203.0.113.2]) by a" D},
     0,
     "compromised-account",
     ""},
    {"auto: an authenticated private hop is trusted",
     NULL,
     {"from a (a [10.0.0.1]) by mx with ESMTPSA" D, "from b (b [203.0.113.2]) by a" D},
     1,
     "suspect",
     ""},
    {"--trusted CIDR",
     "198.51.100.0/24",
     {"from a (a [198.51.100.1]) by mx" D, "from b (b [203.0.113.2]) by a" D},
     1,
     "suspect",
     ""},
    {"--trusted: private is not trusted unless listed",
     "198.51.100.0/24",
     {"from a (a [10.0.0.1]) by mx" D},
     0,
     "suspect",
     ""},
    {"--trusted name matches the rDNS",
     "relay.example.com",
     {"from x (relay.example.com [198.51.100.1]) by mx" D, "from b (b [203.0.113.2]) by a" D},
     1,
     "suspect",
     ""},
    {"--trusted name never matches the HELO",
     "relay.example.com",
     {"from relay.example.com (x.example.net [198.51.100.1]) by mx" D},
     0,
     "suspect",
     ""},
    {"--trusted .domain matches names under it",
     ".example.com",
     {"from x (relay.example.com [198.51.100.1]) by mx" D, "from b (b [203.0.113.2]) by a" D},
     1,
     "suspect",
     ""},
    {"local hops are passed over",
     NULL,
     {"(qmail 1 invoked from network)" D, "from b (b [203.0.113.2]) by a" D},
     1,
     "suspect",
     ""},
    {"auto: fetchmail's line is passed over; the provider's sender is the suspect",
     NULL,
     {"from localhost (localhost [127.0.0.1]) by laptop (Postfix) with ESMTP id 1" D,
      "from mail.example.net [198.51.100.219] by localhost with POP3 (fetchmail-5.9.0) for "
      "user@localhost (single-drop)" D,
      "from relay.example.org ([203.0.113.108]) by example.net (8.9.3/8.9.3) with ESMTP id "
      "MAA14603" D},
     2,
     "suspect",
     ""},
    {"auto: the provider's own private hops are trusted below the retrieval",
     NULL,
     {"from imap.example.net [198.51.100.219] by laptop with IMAP (fetchmail-6.4.38)" D,
      "from mx.example.net ([10.1.1.1]) by store.example.net with LMTP id 2" D,
      "from mx.example.net (mx.example.net [192.168.1.2]) by filter.example.net with ESMTP" D,
      "from sender.example.org (sender.example.org [203.0.113.5]) by mx.example.net with "
      "ESMTP" D},
     3,
     "suspect",
     ""},
    {"--trusted: the retrieval line is passed over too",
     "192.0.2.0/24",
     {"from pop.example.net (198.51.100.30:995) by laptop with POP3-SSL getmail6 for <a@b>" D,
      "from relay.example.org ([203.0.113.108]) by mx.example.net with ESMTP" D},
     1,
     "suspect",
     ""},
    {"a retrieval line's -0000 date and the user's clock are not telltales",
     NULL,
     {"from pop.example.net (198.51.100.30:995) by laptop with POP3 getmail6 for <a@b>; 28 Nov "
      "2026 08:00:00 -0000",
      "from relay.example.org ([203.0.113.108]) by mx.example.net with ESMTP" D},
     1,
     "suspect",
     ""},
    {"a retrieval line below the boundary is still no relay",
     NULL,
     {"from relay.example.org ([203.0.113.108]) by mx.example.net with ESMTP" D,
      "from pop.example.net [198.51.100.219] by localhost with POP3 (fetchmail-5.9.0)" D},
     0,
     "suspect",
     ""},
    {"local delivery: LMTP, Exim local, OpenSMTPD local are passed over",
     NULL,
     {"from mx.example.com by store.example.com with LMTP id 0Kx1" D,
      "from amavis by mx.example.com with local-bsmtp (Exim 4.96) id 1G" D,
      "from localhost (mx.example.com [local]) by mx.example.com (OpenSMTPD) with ESMTPA id 5" D,
      "from relay.example.org ([203.0.113.108]) by mx.example.com with ESMTP" D},
     3,
     "suspect",
     ""},
    {"an unreadable line stops the walk",
     NULL,
     {"from a ([300.1.2.3]) by mx" D, "from b (b [203.0.113.2]) by a" D},
     -1,
     NULL,
     ""},
    {"a line with no address stops the walk",
     NULL,
     {"from a by mx" D, "from b (b [203.0.113.2]) by a" D},
     -1,
     NULL,
     ""},
    {"localhost-helo, lan-hops, utc-zero",
     NULL,
     {"from localhost (x [198.51.100.1]) by mx; Sat, 28 Nov 2026 10:00:00 +0000",
      "from y (HELO z) (192.168.0.7) by localhost; 28 Nov 2026 09:59:00 -0000"},
     0,
     "suspect",
     "localhost-helo;lan-hops;utc-zero-timestamps"},
    {"helo-ip-mismatch",
     NULL,
     {"from [198.51.100.9] (x [198.51.100.1]) by mx" D},
     0,
     "suspect",
     "helo-ip-mismatch"},
    {"a HELO that is its own address is no mismatch",
     NULL,
     {"from [198.51.100.1] (x [198.51.100.1]) by mx" D},
     0,
     "suspect",
     ""},
    {"time-travel beyond the skew",
     NULL,
     {"from a (a [198.51.100.1]) by mx; Sat, 28 Nov 2026 10:00:00 +0000",
      "from b (b [203.0.113.2]) by a; Sat, 28 Nov 2026 10:11:00 +0000"},
     0,
     "suspect",
     "time-travel"},
    {"clock skew within the tolerance",
     NULL,
     {"from a (a [198.51.100.1]) by mx; Sat, 28 Nov 2026 10:00:00 +0000",
      "from b (b [203.0.113.2]) by a; Sat, 28 Nov 2026 10:09:00 +0000"},
     0,
     "suspect",
     ""},
};

static void
test_walks(void)
{
	static struct hop hops[LINES_MAX];
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct wcase *c = &cases[i];
		struct trust *t = trust_new();
		struct trust_walk w;
		char err[200], flags[200];
		size_t n = 0;

		if (c->trusted != NULL && trust_add(t, c->trusted, err, sizeof(err)) != 0)
			ok(0, "%s: --trusted %s: %s", c->what, c->trusted, err);
		for (j = 0; j < LINES_MAX && c->lines[j] != NULL; j++)
			received_parse(c->lines[j], strlen(c->lines[j]), &hops[n++]);
		trust_walk(t, hops, n, &w);
		message_flags_format(w.flags, flags, sizeof(flags));
		is_int(w.boundary, c->boundary, "%s: boundary", c->what);
		if (c->role != NULL && w.boundary >= 0)
			is_str(hop_role_name(w.role[w.boundary]), c->role, "%s: role", c->what);
		if (w.boundary < 0)
			ok(w.reason[0] != '\0', "%s: a reason (%s)", c->what, w.reason);
		is_str(flags, c->flags, "%s: flags", c->what);
		for (j = (size_t)w.boundary + 1; w.boundary >= 0 && j < n; j++)
			ok(w.role[j] == ROLE_CLAIMED || w.role[j] == ROLE_LOCAL ||
			       w.role[j] == ROLE_RETRIEVAL,
			   "%s: hop %zu below is claimed", c->what, j + 1);
		/* A retrieval or local line is never a relay, whatever its place. */
		for (j = 0; j < n; j++)
			if (hops[j].kind == HOP_RETRIEVAL || hops[j].kind == HOP_LOCAL)
				ok(w.role[j] == (hops[j].kind == HOP_RETRIEVAL ? ROLE_RETRIEVAL
				                                               : ROLE_LOCAL),
				   "%s: hop %zu is %s", c->what, j + 1,
				   hop_kind_name(hops[j].kind));
		trust_free(t);
	}
}

static int
private_text(const char *ip)
{
	struct sockaddr_storage sa;
	socklen_t salen;

	if (received_parse_address(ip, strlen(ip), &sa, &salen, NULL, 0) != 0)
		return -1;
	return trust_is_private((const struct sockaddr *)&sa);
}

static void
test_private(void)
{
	static const struct {
		const char *ip;
		int priv;
	} v[] = {
	    {"10.1.2.3", 1},     {"172.16.0.1", 1},      {"172.32.0.1", 0},
	    {"192.168.0.70", 1}, {"127.0.60.1", 1},      {"169.254.0.1", 1},
	    {"100.64.0.1", 1},   {"100.128.0.1", 0},     {"192.0.2.1", 0},
	    {"198.51.100.1", 0}, {"203.0.113.1", 0},     {"202.215.137.102", 0},
	    {"::1", 1},          {"fe80::1", 1},         {"fd12::1", 1},
	    {"2001:db8::1", 0},  {"::ffff:10.0.0.1", 1}, {"::ffff:192.0.2.1", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		is_int(private_text(v[i].ip), v[i].priv, "%s is %s in the walk", v[i].ip,
		       v[i].priv ? "private" : "public");
}

static void
test_trusted_specs(void)
{
	struct trust *t = trust_new();
	char err[200];

	ok(trust_is_auto(t), "no --trusted: auto mode");
	is_int(trust_add(t, "198.51.100.0/24, 2001:db8::/32,mx.example.com,.example.net", err,
	                 sizeof(err)),
	       0, "ranges and names, comma-separated");
	ok(!trust_is_auto(t), "then not auto");
	is_int(trust_add(t, "1.2.3", err, sizeof(err)), -1, "1.2.3 is neither");
	is_int(trust_add(t, "bad_name!", err, sizeof(err)), -1, "a bad name");
	is_str(err, "not a range or host name: \"bad_name!\"", "with a reason");
	is_int(trust_add(t, "192.0.2.1/24", err, sizeof(err)), -1, "host bits set");
	trust_free(t);
}

int
main(void)
{
	test_walks();
	test_private();
	test_trusted_specs();
	return tap_done();
}
