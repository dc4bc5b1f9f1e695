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
test_plan(void)
{
	struct probe_settings set;
	struct relay_result tests[RELAY_TESTS_MAX];
	struct target t;
	size_t n;

	memset(&t, 0, sizeof(t));
	probe_settings_default(&set);
	n = relay_plan(&set, &t, tests, RELAY_TESTS_MAX);
	is_int(n, 2, "two tests by default");
	is_str(tests[0].name, "third-party", "first: third party");
	is_str(tests[0].mail_from, "probe@example.com", "reserved sender (RFC 2606)");
	is_str(tests[0].rcpt_to, "relay-test@example.net", "reserved recipient (RFC 2606)");
	is_int(tests[0].kind, RELAY_THIRD_PARTY, "kind third party");
	is_str(tests[1].name, "localhost", "second: the seed's localhost test");
	is_str(tests[1].mail_from, "probe@localhost", "localhost sender");
	is_str(tests[1].rcpt_to, "probe@localhost", "localhost recipient");
	is_int(tests[1].kind, RELAY_LOCALHOST, "kind localhost");
	is_int(tests[0].mail_code + tests[0].rcpt_code, 0, "codes start at zero");

	snprintf(set.mail_from, sizeof(set.mail_from), "abuse@example.org");
	snprintf(set.rcpt_domain, sizeof(set.rcpt_domain), "example.org");
	relay_plan(&set, &t, tests, RELAY_TESTS_MAX);
	is_str(tests[0].mail_from, "abuse@example.org", "--mail-from applies");
	is_str(tests[0].rcpt_to, "relay-test@example.org", "--rcpt-domain applies");
	is_int(relay_plan(&set, &t, tests, 1), 1, "the plan respects its room");
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
	test_words();
	return tap_done();
}
