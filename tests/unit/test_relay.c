/*
 * test_relay.c: the relay-test plan and RFC 5321 address literals.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/relay.h"
#include "tests/fixture.h"
#include "tests/tap.h"

static void
test_literals(void)
{
	char buf[64];

	is_int(relay_address_literal("192.0.2.1", buf, sizeof(buf)), 0, "IPv4 literal");
	is_str(buf, "[192.0.2.1]", "IPv4 literal text");
	is_int(relay_address_literal("2001:db8::1", buf, sizeof(buf)), 0, "IPv6 literal");
	is_str(buf, "[IPv6:2001:db8::1]", "IPv6 literal carries the IPv6: tag (not [::1])");
	relay_address_literal("::1", buf, sizeof(buf));
	is_str(buf, "[IPv6:::1]", "loopback IPv6 literal");
	is_int(relay_address_literal("::1", buf, 8), -1, "too small a buffer");
	is_int(relay_address_literal("", buf, sizeof(buf)), -1, "no address, no literal");
}

/* Buffers one byte short or just right. */
static void
test_literal_edges(void)
{
	static const struct {
		const char *ip, *want;
	} rows[] = {
	    {"0.0.0.0", "[0.0.0.0]"},
	    {"255.255.255.255", "[255.255.255.255]"},
	    {"203.0.113.250", "[203.0.113.250]"},
	    {"2001:db8:ffff:ffff:ffff:ffff:255.255.255.255",
	     "[IPv6:2001:db8:ffff:ffff:ffff:ffff:255.255.255.255]"},
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n = strlen(rows[i].want);

		is_int(relay_address_literal(rows[i].ip, buf, n + 1), 0,
		       "%s: a buffer just large enough", rows[i].ip);
		is_str(buf, rows[i].want, "its text");
		is_int(relay_address_literal(rows[i].ip, buf, n), -1, "a buffer one byte short");
	}
}

/* Test i's sender or recipient, as the session sends it; the record's
 * (the reports') must be the same. */
static const char *
addr(const struct probe_dialogue *d, size_t i, enum relay_side side)
{
	static char buf[2][SMTP_ADDR_MAX];
	static struct probe_result r;
	char again[SMTP_ADDR_MAX];

	probe_result_from_dialogue(&r, d);
	if (relay_dialogue_address(d, i, side, buf[side], sizeof(buf[side])) != 0)
		return relay_address(&r, i, side, again, sizeof(again)) != 0 ? "(none)"
		                                                             : "(record differs)";
	if (relay_address(&r, i, side, again, sizeof(again)) != 0 || strcmp(again, buf[side]) != 0)
		return "(record differs)";
	return buf[side];
}

/* Plans d's tests as the session does; r is the record made of d. */
static size_t
plan(struct probe_dialogue *d, struct probe_result *r, const struct probe_settings *set,
     const char *name)
{
	size_t n = relay_plan(d, set, name);

	probe_result_from_dialogue(r, d);
	return n;
}

/* A fresh dialogue with t (what d held before is freed). */
static void
start(struct probe_dialogue *d, const struct target *t)
{
	probe_dialogue_free(d);
	if (probe_dialogue_init(d, t) != 0)
		abort(); /* out of memory */
}

static void
test_plan(void)
{
	struct probe_settings set;
	static struct probe_dialogue d;
	static struct probe_result r;
	struct target t;
	char name[SMTP_NAME_MAX], buf[SMTP_ADDR_MAX];
	size_t n;

	fixture_target(&t, "192.0.2.1", 25, "test");
	probe_settings_default(&set);
	start(&d, &t);
	n = plan(&d, &r, &set, "");
	is_int(n, 3, "basic: three tests");
	is_int(r.ntests, 3, "kept in the record");
	is_str(r.tests[0].name, "third-party", "first: third party");
	is_str(addr(&d, 0, RELAY_SENDER), "probe@example.com", "reserved sender (RFC 2606)");
	is_str(addr(&d, 0, RELAY_RECIPIENT), "relay-test@example.net",
	       "reserved recipient (RFC 2606)");
	is_int(r.tests[0].kind, RELAY_THIRD_PARTY, "kind third party");
	is_str(r.tests[1].name, "localhost", "second: the seed's localhost test");
	is_str(addr(&d, 1, RELAY_SENDER), "probe@localhost", "localhost sender");
	is_str(addr(&d, 1, RELAY_RECIPIENT), "probe@localhost", "localhost recipient");
	is_int(r.tests[1].kind, RELAY_LOCALHOST, "kind localhost");
	is_str(r.tests[2].name, "postmaster", "third: postmaster");
	is_str(addr(&d, 2, RELAY_RECIPIENT), "postmaster", "the bare postmaster (RFC 5321 4.5.1)");
	is_int(r.tests[2].kind, RELAY_POSTMASTER, "kind postmaster");
	is_int(r.tests[0].mail_code + r.tests[0].rcpt_code, 0, "codes start at zero");
	is_int(relay_dialogue_address(&d, 3, RELAY_SENDER, buf, sizeof(buf)), -1,
	       "no test 3 in basic");
	is_str(buf, "", "and no address for it");
	is_int(relay_dialogue_address(&d, 0, RELAY_RECIPIENT, buf, 8), -1, "too small a buffer");
	is_str(buf, "", "leaves it empty");

	snprintf(set.mail_from, sizeof(set.mail_from), "abuse@example.org");
	snprintf(set.rcpt_domain, sizeof(set.rcpt_domain), "example.org");
	plan(&d, &r, &set, "");
	is_str(r.plan_mail_from, "abuse@example.org", "the record keeps --mail-from");
	is_str(r.plan_rcpt_domain, "example.org", "and --rcpt-domain");
	is_str(addr(&d, 0, RELAY_SENDER), "abuse@example.org", "--mail-from applies");
	is_str(addr(&d, 0, RELAY_RECIPIENT), "relay-test@example.org", "--rcpt-domain applies");

	/* A banner name as long as a name may be: its tests would not fit. */
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	name[sizeof(name) - 2] = '\0';
	is_int(relay_tests_parse("full", &set.tests, buf, sizeof(buf)), 0, "--tests full");
	n = plan(&d, &r, &set, name);
	is_str(r.plan_name, name, "a usable name is kept, however long");
	is_int(n, 14, "tests whose address would pass SMTP_ADDR_MAX are left out");
	ok(strcmp(r.tests[5].name, "percent-literal") == 0, "and the rest keep their order: %s",
	   r.tests[5].name);
	probe_dialogue_free(&d);
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
    {"double-at-banner", "probe@example.com", "relay-test@example.net@mx.example.org"},
    {"source-route-banner", "probe@example.com", "@mx.example.org:relay-test@example.net"},
    {"bang-banner", "probe@example.com", "example.net!relay-test@mx.example.org"},
    {"trailing-at", "probe@example.com", "relay-test@example.net@"},
};

static void
test_full(void)
{
	struct probe_settings set;
	static struct probe_dialogue d;
	static struct probe_result r;
	struct target t;
	size_t n, i;
	unsigned int mask = 0;
	char err[256];

	probe_settings_default(&set);
	is_int(relay_tests_parse("full", &set.tests, err, sizeof(err)), 0, "--tests full");
	fixture_target(&t, "192.0.2.1", 25, "test");
	start(&d, &t);
	n = plan(&d, &r, &set, "mx.example.org");
	is_int(n, sizeof(full_v4) / sizeof(full_v4[0]), "full: every row");
	for (i = 0; i < n && i < sizeof(full_v4) / sizeof(full_v4[0]); i++) {
		is_str(r.tests[i].name, full_v4[i].name, "full %zu: %s", i, full_v4[i].name);
		is_str(addr(&d, i, RELAY_SENDER), full_v4[i].from, "%s: MAIL FROM:<%s>",
		       full_v4[i].name, full_v4[i].from);
		is_str(addr(&d, i, RELAY_RECIPIENT), full_v4[i].to, "%s: RCPT TO:<%s>",
		       full_v4[i].name, full_v4[i].to);
	}

	fixture_target(&t, "::1", 25, "test");
	start(&d, &t);
	plan(&d, &r, &set, "mail.example.net");
	is_str(addr(&d, 4, RELAY_SENDER), "probe@[IPv6:::1]", "IPv6 sender literal is [IPv6:::1]");
	is_str(addr(&d, 12, RELAY_RECIPIENT), "@[IPv6:::1]:relay-test@example.net",
	       "IPv6 source route uses [IPv6:::1]");

	n = plan(&d, &r, &set, "");
	is_int(n, 14, "before the greeting, the five banner tests are left out");
	n = plan(&d, &r, &set, "evil<name>\r\nDATA");
	is_int(n, 14, "a hostile banner name is never put into a command");
	is_str(r.plan_name, "", "nor kept");

	is_int(relay_tests_parse("basic", &mask, err, sizeof(err)), 0, "--tests basic");
	is_int(mask, RELAY_TESTS_BASIC, "basic mask");
	is_int(relay_tests_parse("bang,quoted", &mask, err, sizeof(err)), 0, "--tests LIST");
	set.tests = mask;
	n = plan(&d, &r, &set, "x");
	is_int(n, 2, "a list runs just its tests");
	is_str(r.tests[0].name, "quoted", "in table order");
	is_str(addr(&d, 1, RELAY_RECIPIENT), "example.net!relay-test",
	       "its addresses follow its row");
	is_int(relay_tests_parse("bang,nope", &mask, err, sizeof(err)), -1, "unknown test name");
	ok(strncmp(err, "not a test: \"nope\"", 18) == 0, "names it: %s", err);
	is_int(relay_tests_parse("", &mask, err, sizeof(err)), -1, "empty list");

	ok(relay_name_ok("mx.example.org"), "a host name is a usable banner name");
	ok(relay_name_ok("localhost"), "so is localhost");
	ok(!relay_name_ok("a b"), "not with a blank");
	ok(!relay_name_ok("[192.0.2.1]"), "not a literal");
	ok(!relay_name_ok(""), "not empty");
	probe_dialogue_free(&d);
}

/* The plan as the session makes it (relay_plan before the greeting, then
 * relay_plan_named with the greeting's name) against the plan made at once
 * with that name: the same tests, addresses and plan name, for each row
 * alone and for basic and full, with usable and unusable names. */
static void
test_plan_named(void)
{
	static const char *const names[] = {"mx.example.org", "", "evil<name>", "a b"};
	static struct probe_dialogue d, want;
	struct probe_settings set;
	struct target t;
	unsigned int masks[RELAY_TESTS_MAX + 2], row;
	size_t nmasks = 0, m, k, i;
	int bad = 0, replanned = 0;

	for (row = 0; relay_row_name(row) != NULL; row++)
		masks[nmasks++] = 1u << row;
	masks[nmasks++] = RELAY_TESTS_BASIC;
	masks[nmasks++] = (1u << row) - 1u; /* full */
	probe_settings_default(&set);
	fixture_target(&t, "192.0.2.1", 25, "test");
	for (m = 0; m < nmasks; m++) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			size_t n, n0;

			set.tests = masks[m];
			start(&d, &t);
			start(&want, &t);
			n0 = relay_plan(&d, &set, "");
			n = relay_plan_named(&d, &set, names[k]);
			replanned += n != n0;
			if (n != relay_plan(&want, &set, names[k]) || d.ntests != want.ntests ||
			    strcmp(dialogue_text(&d, DT_PLAN_NAME),
			           dialogue_text(&want, DT_PLAN_NAME)) != 0)
				bad++;
			for (i = 0; i < n && i < want.ntests; i++) {
				char a[SMTP_ADDR_MAX], b[SMTP_ADDR_MAX];
				enum relay_side side;

				for (side = RELAY_SENDER; side <= RELAY_RECIPIENT; side++) {
					relay_dialogue_address(&d, i, side, a, sizeof(a));
					relay_dialogue_address(&want, i, side, b, sizeof(b));
					bad += d.tests[i].row != want.tests[i].row ||
					       strcmp(a, b) != 0;
				}
			}
		}
	}
	is_int(bad, 0, "%zu plans: named at the greeting as if planned with the name", nmasks * 4);
	is_int(replanned, 6, "the five banner rows alone and full gain their tests with a name");
	probe_dialogue_free(&d);
	probe_dialogue_free(&want);
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
	test_literal_edges();
	test_plan();
	test_full();
	test_plan_named();
	test_words();
	return tap_done();
}
