/*
 * test_relay.c: the relay-test plan and RFC 5321 address literals.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "prober/relay.h"
#include "tests/tap.h"

static void
test_literals(void)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	char buf[64];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	is_int(relay_address_literal((struct sockaddr *)&sin, buf, sizeof(buf)), 0, "IPv4 literal");
	is_str(buf, "[192.0.2.1]", "IPv4 literal text");

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
	is_int(relay_address_literal((struct sockaddr *)&sin6, buf, sizeof(buf)), 0,
	       "IPv6 literal");
	is_str(buf, "[IPv6:2001:db8::1]", "IPv6 literal carries the IPv6: tag (not [::1])");
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	relay_address_literal((struct sockaddr *)&sin6, buf, sizeof(buf));
	is_str(buf, "[IPv6:::1]", "loopback IPv6 literal");
	is_int(relay_address_literal((struct sockaddr *)&sin6, buf, 8), -1, "too small a buffer");
}

static void
target_v(struct target *t, int family, const char *ip)
{
	memset(t, 0, sizeof(*t));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->sa;

		sin->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &sin->sin_addr);
		t->salen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->sa;

		sin6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &sin6->sin6_addr);
		t->salen = sizeof(*sin6);
	}
}

static void
test_plan(void)
{
	struct probe_settings set;
	struct relay_result tests[RELAY_TESTS_MAX];
	struct target t;
	size_t n;

	target_v(&t, AF_INET, "192.0.2.1");
	probe_settings_default(&set);
	n = relay_plan(&set, &t, "", tests, RELAY_TESTS_MAX);
	is_int(n, 3, "basic: three tests");
	is_str(tests[0].name, "third-party", "first: third party");
	is_str(tests[0].mail_from, "probe@example.com", "reserved sender (RFC 2606)");
	is_str(tests[0].rcpt_to, "relay-test@example.net", "reserved recipient (RFC 2606)");
	is_int(tests[0].kind, RELAY_THIRD_PARTY, "kind third party");
	is_str(tests[1].name, "localhost", "second: the seed's localhost test");
	is_str(tests[1].mail_from, "probe@localhost", "localhost sender");
	is_str(tests[1].rcpt_to, "probe@localhost", "localhost recipient");
	is_int(tests[1].kind, RELAY_LOCALHOST, "kind localhost");
	is_str(tests[2].name, "postmaster", "third: postmaster");
	is_str(tests[2].rcpt_to, "postmaster", "the bare postmaster (RFC 5321 4.5.1)");
	is_int(tests[2].kind, RELAY_POSTMASTER, "kind postmaster");
	is_int(tests[0].mail_code + tests[0].rcpt_code, 0, "codes start at zero");

	snprintf(set.mail_from, sizeof(set.mail_from), "abuse@example.org");
	snprintf(set.rcpt_domain, sizeof(set.rcpt_domain), "example.org");
	relay_plan(&set, &t, "", tests, RELAY_TESTS_MAX);
	is_str(tests[0].mail_from, "abuse@example.org", "--mail-from applies");
	is_str(tests[0].rcpt_to, "relay-test@example.org", "--rcpt-domain applies");
	is_int(relay_plan(&set, &t, "", tests, 1), 1, "the plan respects its room");
}

/* The full matrix, as nmap's smtp-open-relay pairs but with RFC 5321 literals. */
struct full_case {
	const char *name, *from, *to;
};

static const struct full_case full_v4[] = {
    {"third-party", "probe@example.com", "relay-test@example.net"},
    {"localhost", "probe@localhost", "probe@localhost"},
    {"postmaster", "probe@example.com", "postmaster"},
    {"null-sender", "", "relay-test@example.net"},
    {"sender-literal", "probe@[192.0.2.1]", "relay-test@example.net"},
    {"sender-banner", "probe@mx.example.org", "relay-test@example.net"},
    {"percent-literal", "probe@example.com", "relay-test%example.net@[192.0.2.1]"},
    {"percent-banner", "probe@example.com", "relay-test%example.net@mx.example.org"},
    {"quoted", "probe@example.com", "\"relay-test@example.net\""},
    {"quoted-percent", "probe@example.com", "\"relay-test%example.net\""},
    {"double-at", "probe@example.com", "relay-test@example.net@[192.0.2.1]"},
    {"quoted-literal", "probe@example.com", "\"relay-test@example.net\"@[192.0.2.1]"},
    {"source-route", "probe@example.com", "@[192.0.2.1]:relay-test@example.net"},
    {"bang", "probe@example.com", "example.net!relay-test"},
    {"bang-literal", "probe@example.com", "example.net!relay-test@[192.0.2.1]"},
};

static void
test_full(void)
{
	struct probe_settings set;
	struct relay_result tests[RELAY_TESTS_MAX];
	struct target t;
	size_t n, i;
	unsigned int mask = 0;
	char err[256];

	probe_settings_default(&set);
	is_int(relay_tests_parse("full", &set.tests, err, sizeof(err)), 0, "--tests full");
	target_v(&t, AF_INET, "192.0.2.1");
	n = relay_plan(&set, &t, "mx.example.org", tests, RELAY_TESTS_MAX);
	is_int(n, sizeof(full_v4) / sizeof(full_v4[0]), "full: every row");
	for (i = 0; i < n && i < sizeof(full_v4) / sizeof(full_v4[0]); i++) {
		is_str(tests[i].name, full_v4[i].name, "full %zu: %s", i, full_v4[i].name);
		is_str(tests[i].mail_from, full_v4[i].from, "%s: MAIL FROM:<%s>", full_v4[i].name,
		       full_v4[i].from);
		is_str(tests[i].rcpt_to, full_v4[i].to, "%s: RCPT TO:<%s>", full_v4[i].name,
		       full_v4[i].to);
	}

	target_v(&t, AF_INET6, "::1");
	relay_plan(&set, &t, "mail.example.net", tests, RELAY_TESTS_MAX);
	is_str(tests[4].mail_from, "probe@[IPv6:::1]", "IPv6 sender literal is [IPv6:::1]");
	is_str(tests[12].rcpt_to, "@[IPv6:::1]:relay-test@example.net",
	       "IPv6 source route uses [IPv6:::1]");

	n = relay_plan(&set, &t, "", tests, RELAY_TESTS_MAX);
	is_int(n, 13, "before the greeting, the two banner tests are left out");
	n = relay_plan(&set, &t, "evil<name>\r\nDATA", tests, RELAY_TESTS_MAX);
	is_int(n, 13, "a hostile banner name is never put into a command");

	is_int(relay_tests_parse("basic", &mask, err, sizeof(err)), 0, "--tests basic");
	is_int(mask, RELAY_TESTS_BASIC, "basic mask");
	is_int(relay_tests_parse("bang,quoted", &mask, err, sizeof(err)), 0, "--tests LIST");
	set.tests = mask;
	n = relay_plan(&set, &t, "x", tests, RELAY_TESTS_MAX);
	is_int(n, 2, "a list runs just its tests");
	is_str(tests[0].name, "quoted", "in table order");
	is_int(relay_tests_parse("bang,nope", &mask, err, sizeof(err)), -1, "unknown test name");
	ok(strncmp(err, "not a test: \"nope\"", 18) == 0, "names it: %s", err);
	is_int(relay_tests_parse("", &mask, err, sizeof(err)), -1, "empty list");

	ok(relay_name_ok("mx.example.org"), "a host name is a usable banner name");
	ok(relay_name_ok("localhost"), "so is localhost");
	ok(!relay_name_ok("a b"), "not with a blank");
	ok(!relay_name_ok("[192.0.2.1]"), "not a literal");
	ok(!relay_name_ok(""), "not empty");
}

static void
test_words(void)
{
	ok(relay_word_ok("probe@example.com", 64), "an address");
	ok(!relay_word_ok("", 64), "empty");
	ok(!relay_word_ok("a b", 64), "blank");
	ok(!relay_word_ok("a\r\nDATA", 64), "CRLF injection");
	ok(!relay_word_ok("a>b", 64), "angle bracket");
	ok(!relay_word_ok("abcdefgh", 8), "too long for its field");
	ok(!relay_word_ok("caf\xc3\xa9", 64), "non-ASCII");
}

int
main(void)
{
	test_literals();
	test_plan();
	test_full();
	test_words();
	return tap_done();
}
