/*
 * test_target_parse.c: the target-line parser against a table of lines,
 * every accepted form and every rejected one with its exact message.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/bounds.h"
#include "common/strbuf.h"
#include "targets/parse.h"
#include "tests/tap.h"

/* A line given with its length, so NUL bytes can be part of it. */
#define L(s) s, sizeof(s) - 1

struct parse_case {
	const char *line;
	size_t len;
	enum target_parse want;
	const char *ip;    /* TP_TARGET: canonical text */
	uint16_t port;     /* TP_TARGET */
	const char *err;   /* TP_ERROR: the exact message; TP_TARGET: a warning */
	const char *input; /* NULL: same as the line */
};

static const struct parse_case cases[] = {
    /* IPv4, with and without a port. */
    {L("192.0.2.7"), TP_TARGET, "192.0.2.7", 25, NULL, NULL},
    {L("192.0.2.7:2525"), TP_TARGET, "192.0.2.7", 2525, NULL, NULL},
    {L("192.0.2.7:1"), TP_TARGET, "192.0.2.7", 1, NULL, NULL},
    {L("192.0.2.7:65535"), TP_TARGET, "192.0.2.7", 65535, NULL, NULL},
    {L("0.0.0.0"), TP_TARGET, "0.0.0.0", 25, NULL, NULL},
    {L("255.255.255.255"), TP_TARGET, "255.255.255.255", 25, NULL, NULL},
    {L("127.0.0.1"), TP_TARGET, "127.0.0.1", 25, NULL, NULL},
    /* Blanks, CRLF, comments, trailing fields. */
    {L("  192.0.2.7\t "), TP_TARGET, "192.0.2.7", 25, NULL, "192.0.2.7"},
    {L("192.0.2.7\r"), TP_TARGET, "192.0.2.7", 25, NULL, "192.0.2.7"},
    {L("192.0.2.7:2525\r"), TP_TARGET, "192.0.2.7", 2525, NULL, "192.0.2.7:2525"},
    {L("192.0.2.7 # old mx"), TP_TARGET, "192.0.2.7", 25, NULL, NULL},
    {L("192.0.2.7#old mx"), TP_TARGET, "192.0.2.7", 25, NULL, NULL},
    {L("192.0.2.7,1700000000,64"), TP_TARGET, "192.0.2.7", 25, NULL, NULL},
    {L("192.0.2.7 1700000000"), TP_TARGET, "192.0.2.7", 25, NULL, NULL},
    {L("192.0.2.7\tsmtp"), TP_TARGET, "192.0.2.7", 25, NULL, "192.0.2.7\\tsmtp"},
    {L("192.0.2.7 garbage!!"), TP_TARGET, "192.0.2.7", 25, NULL, NULL},
    /* masscan -oL: "open tcp PORT ADDR TIME". */
    {L("open tcp 2525 192.0.2.9 1700000000"), TP_TARGET, "192.0.2.9", 2525, NULL, NULL},
    {L("open tcp 25 2001:db8::9 1700000000"), TP_TARGET, "2001:db8::9", 25, NULL, NULL},
    /* IPv6: bare (never split at a colon), bracketed, bracketed with a port. */
    {L("2001:db8::7"), TP_TARGET, "2001:db8::7", 25, NULL, NULL},
    {L("2001:DB8:0:0:0:0:0:7"), TP_TARGET, "2001:db8::7", 25, NULL, NULL},
    {L("2001:db8::1:25"), TP_TARGET, "2001:db8::1:25", 25,
     "\"2001:db8::1:25\" is the IPv6 address 2001:db8::1:25 (port 25); write [2001:db8::1]:25 "
     "for a port",
     NULL},
    /* A bare IPv6 that ends in what looks like a port: read as an address, with a warning. */
    {L("::1:2525"), TP_TARGET, "::0.1.37.37", 25,
     "\"::1:2525\" is the IPv6 address ::0.1.37.37 (port 25); write [::1]:2525 for a port", NULL},
    {L("2001:db8::7:0"), TP_TARGET, "2001:db8::7:0", 25, NULL, NULL},
    {L("2001:db8::25"), TP_TARGET, "2001:db8::25", 25, NULL, NULL},
    {L("2001:db8::1:ab"), TP_TARGET, "2001:db8::1:ab", 25, NULL, NULL},
    {L("1:2:3:4:5:6:7:8"), TP_TARGET, "1:2:3:4:5:6:7:8", 25, NULL, NULL},
    {L("::1"), TP_TARGET, "::1", 25, NULL, NULL},
    {L("::"), TP_TARGET, "::", 25, NULL, NULL},
    {L("::ffff:192.0.2.1"), TP_TARGET, "::ffff:192.0.2.1", 25, NULL, NULL},
    {L("[2001:db8::7]"), TP_TARGET, "2001:db8::7", 25, NULL, NULL},
    {L("[2001:db8::7]:2525"), TP_TARGET, "2001:db8::7", 2525, NULL, NULL},
    {L("[::1]:25\r"), TP_TARGET, "::1", 25, NULL, "[::1]:25"},
    {L("2001:db8::7,foo"), TP_TARGET, "2001:db8::7", 25, NULL, NULL},

    /* Nothing to do. */
    {L(""), TP_EMPTY, NULL, 0, NULL, ""},
    {L("   \t "), TP_EMPTY, NULL, 0, NULL, ""},
    {L("\r"), TP_EMPTY, NULL, 0, NULL, ""},
    {L("# zmap output"), TP_EMPTY, NULL, 0, NULL, NULL},
    {L("   # indented comment\r"), TP_EMPTY, NULL, 0, NULL, "# indented comment"},
    {L("#masscan"), TP_EMPTY, NULL, 0, NULL, NULL},

    /* Not dotted quads. */
    {L("1.2.3"), TP_ERROR, NULL, 0, "not an address: \"1.2.3\"", NULL},
    {L("1.2.3.4.5"), TP_ERROR, NULL, 0, "not an address: \"1.2.3.4.5\"", NULL},
    {L("256.1.1.1"), TP_ERROR, NULL, 0, "not an address: \"256.1.1.1\"", NULL},
    {L("1.2.3.1000"), TP_ERROR, NULL, 0, "not an address: \"1.2.3.1000\"", NULL},
    {L("010.1.1.1"), TP_ERROR, NULL, 0, "not an address: \"010.1.1.1\"", NULL},
    {L("1.2.3.04"), TP_ERROR, NULL, 0, "not an address: \"1.2.3.04\"", NULL},
    {L("00.1.2.3"), TP_ERROR, NULL, 0, "not an address: \"00.1.2.3\"", NULL},
    {L("1..2.3"), TP_ERROR, NULL, 0, "not an address: \"1..2.3\"", NULL},
    {L("1.2.3.4."), TP_ERROR, NULL, 0, "not an address: \"1.2.3.4.\"", NULL},
    {L(".1.2.3.4"), TP_ERROR, NULL, 0, "not an address: \".1.2.3.4\"", NULL},
    {L("0x7f.0.0.1"), TP_ERROR, NULL, 0, "not an address: \"0x7f.0.0.1\"", NULL},
    {L("2130706433"), TP_ERROR, NULL, 0, "not an address: \"2130706433\"", NULL},
    {L("-1.2.3.4"), TP_ERROR, NULL, 0, "not an address: \"-1.2.3.4\"", NULL},
    {L(",192.0.2.7"), TP_ERROR, NULL, 0, "not an address: \"\"", NULL},
    {L("saddr"), TP_ERROR, NULL, 0, "not an address: \"saddr\"", NULL},
    {L("ip,port"), TP_ERROR, NULL, 0, "not an address: \"ip\"", NULL},
    {L("localhost"), TP_ERROR, NULL, 0, "not an address: \"localhost\"", NULL},
    {L("1.2.3:25"), TP_ERROR, NULL, 0, "not an address: \"1.2.3:25\"", NULL},
    {L(":25"), TP_ERROR, NULL, 0, "not an address: \":25\"", NULL},
    {L("192.0.2.7:25:25"), TP_ERROR, NULL, 0, "not an address: \"192.0.2.7:25:25\"", NULL},
    {L("open tcp 99999 192.0.2.9 1"), TP_ERROR, NULL, 0, "not an address: \"open\"", NULL},
    /* Ports. */
    {L("192.0.2.7:99999"), TP_ERROR, NULL, 0, "bad port: \"192.0.2.7:99999\"", NULL},
    {L("192.0.2.7:65536"), TP_ERROR, NULL, 0, "bad port: \"192.0.2.7:65536\"", NULL},
    {L("192.0.2.7:0"), TP_ERROR, NULL, 0, "bad port: \"192.0.2.7:0\"", NULL},
    {L("192.0.2.7:"), TP_ERROR, NULL, 0, "bad port: \"192.0.2.7:\"", NULL},
    {L("192.0.2.7:025"), TP_ERROR, NULL, 0, "bad port: \"192.0.2.7:025\"", NULL},
    {L("192.0.2.7:0x19"), TP_ERROR, NULL, 0, "bad port: \"192.0.2.7:0x19\"", NULL},
    {L("192.0.2.7:+25"), TP_ERROR, NULL, 0, "bad port: \"192.0.2.7:+25\"", NULL},
    {L("192.0.2.7:smtp"), TP_ERROR, NULL, 0, "bad port: \"192.0.2.7:smtp\"", NULL},
    {L("[2001:db8::7]:"), TP_ERROR, NULL, 0, "bad port: \"[2001:db8::7]:\"", NULL},
    {L("[2001:db8::7]:70000"), TP_ERROR, NULL, 0, "bad port: \"[2001:db8::7]:70000\"", NULL},
    /* IPv6 that is not. */
    {L("2001:db8:::1"), TP_ERROR, NULL, 0, "not an address: \"2001:db8:::1\"", NULL},
    {L("2001:db8::g"), TP_ERROR, NULL, 0, "not an address: \"2001:db8::g\"", NULL},
    {L("[2001:db8::7"), TP_ERROR, NULL, 0, "not an address: \"[2001:db8::7\"", NULL},
    {L("[2001:db8::7]x"), TP_ERROR, NULL, 0, "not an address: \"[2001:db8::7]x\"", NULL},
    {L("[2001:db8::7]]"), TP_ERROR, NULL, 0, "not an address: \"[2001:db8::7]]\"", NULL},
    {L("[]"), TP_ERROR, NULL, 0, "not an address: \"[]\"", NULL},
    {L("[]:25"), TP_ERROR, NULL, 0, "not an address: \"[]:25\"", NULL},
    {L("[192.0.2.7]"), TP_ERROR, NULL, 0, "not an address: \"[192.0.2.7]\"", NULL},
    {L("[192.0.2.7]:25"), TP_ERROR, NULL, 0, "not an address: \"[192.0.2.7]:25\"", NULL},
    {L("[2001:db8::/32]"), TP_ERROR, NULL, 0, "not an address: \"[2001:db8::/32]\"", NULL},
    {L("fe80::1%eth0"), TP_ERROR, NULL, 0, "zone ids are not supported: \"fe80::1%eth0\"", NULL},
    {L("[fe80::1%eth0]:25"), TP_ERROR, NULL, 0, "zone ids are not supported: \"[fe80::1%eth0]:25\"",
     NULL},
    /* Not mail domains; good names are in name_cases. */
    {L("mx:192.0.2.7"), TP_ERROR, NULL, 0, "not a mail domain: \"mx:192.0.2.7\"", NULL},
    {L("mx:[2001:db8::7]"), TP_ERROR, NULL, 0, "not a mail domain: \"mx:[2001:db8::7]\"", NULL},
    {L("mx:example"), TP_ERROR, NULL, 0, "not a mail domain: \"mx:example\"", NULL},
    {L("mx:example.com:0"), TP_ERROR, NULL, 0, "not a mail domain: \"mx:example.com:0\"", NULL},
    {L("mx:"), TP_ERROR, NULL, 0, "not an address: \"mx:\"", NULL},
    {L("mail.example.com:99999"), TP_ERROR, NULL, 0, "bad port: \"mail.example.com:99999\"", NULL},
    {L("-mx.example.com"), TP_ERROR, NULL, 0, "not an address: \"-mx.example.com\"", NULL},
    {L("mx-.example.com"), TP_ERROR, NULL, 0, "not an address: \"mx-.example.com\"", NULL},
    {L("mx..example.com"), TP_ERROR, NULL, 0, "not an address: \"mx..example.com\"", NULL},
    {L("mx_1.example.com"), TP_ERROR, NULL, 0, "not an address: \"mx_1.example.com\"", NULL},
    /* Ranges: the first address and the prefix length. */
    {L("198.51.100.0/24"), TP_RANGE, "198.51.100.0", 25, NULL, NULL},
    {L("198.51.100.7/32"), TP_RANGE, "198.51.100.7", 25, NULL, NULL},
    {L("10.0.0.0/8 # a big one"), TP_RANGE, "10.0.0.0", 25, NULL, "10.0.0.0/8 # a big one"},
    {L("0.0.0.0/0"), TP_RANGE, "0.0.0.0", 25, NULL, NULL},
    {L("2001:db8::/120"), TP_RANGE, "2001:db8::", 25, NULL, NULL},
    {L("2001:db8::/96"), TP_RANGE, "2001:db8::", 25, NULL, NULL},
    {L("2001:db8::/32"), TP_ERROR, NULL, 0,
     "range too large (IPv6 ranges go to /96): \"2001:db8::/32\"", NULL},
    {L("198.51.100.1/24"), TP_ERROR, NULL, 0, "host bits set: \"198.51.100.1/24\"", NULL},
    {L("2001:db8::1/120"), TP_ERROR, NULL, 0, "host bits set: \"2001:db8::1/120\"", NULL},
    {L("198.51.100.0/33"), TP_ERROR, NULL, 0, "not an address: \"198.51.100.0/33\"", NULL},
    {L("198.51.100.0/"), TP_ERROR, NULL, 0, "not an address: \"198.51.100.0/\"", NULL},
    {L("198.51.100.0/024"), TP_ERROR, NULL, 0, "not an address: \"198.51.100.0/024\"", NULL},
    {L("2001:db8::/129"), TP_ERROR, NULL, 0, "not an address: \"2001:db8::/129\"", NULL},
    /* Bytes that have no business in a list, shown escaped. */
    {L("192.0.2.7\0"), TP_ERROR, NULL, 0, "nul byte in line: \"192.0.2.7\\x00\"", "192.0.2.7\\x00"},
    {L("\0"
       "192.0.2.7"),
     TP_ERROR, NULL, 0, "nul byte in line: \"\\x00192.0.2.7\"", "\\x00192.0.2.7"},
    {L("192.0.2.7 # \0"), TP_ERROR, NULL, 0, "nul byte in line: \"192.0.2.7 # \\x00\"",
     "192.0.2.7 # \\x00"},
    {L("192.0.2.7\xff"), TP_ERROR, NULL, 0, "not an address: \"192.0.2.7\\xff\"", "192.0.2.7\\xff"},
    {L("h\xc3\xa9llo.example"), TP_ERROR, NULL, 0, "not an address: \"h\xc3\xa9llo.example\"",
     NULL},
    {L("192.0.2.7\x1b[2J"), TP_ERROR, NULL, 0, "not an address: \"192.0.2.7\\x1b[2J\"",
     "192.0.2.7\\x1b[2J"},
    {L("a\\b"), TP_ERROR, NULL, 0, "not an address: \"a\\\\b\"", "a\\\\b"},
};

static const struct {
	const char *s;
	int ok;
	uint16_t port;
} port_cases[] = {
    {"1", 0, 1},      {"25", 0, 25},    {"2525", 0, 2525},     {"65535", 0, 65535}, {"0", -1, 0},
    {"65536", -1, 0}, {"99999", -1, 0}, {"123456", -1, 0},     {"", -1, 0},         {"025", -1, 0},
    {"-1", -1, 0},    {"+25", -1, 0},   {" 25", -1, 0},        {"25 ", -1, 0},      {"0x19", -1, 0},
    {"2.5", -1, 0},   {"smtp", -1, 0},  {"4294967321", -1, 0},
};

/* The line as test output shows it: escaped, so the TAP stream stays text. */
static const char *
show(const struct parse_case *c)
{
	static char buf[256];
	struct strbuf sb;

	sb_init(&sb, buf, sizeof(buf));
	sb_append_escaped(&sb, c->line, c->len);
	return buf;
}

static const char *
status_name(enum target_parse s)
{
	return s == TP_TARGET  ? "target"
	       : s == TP_EMPTY ? "empty"
	       : s == TP_RANGE ? "range"
	                       : "error";
}

static void
check_sockaddr(const struct parse_case *c, const struct target *t)
{
	char buf[INET6_ADDRSTRLEN] = "";
	int v6 = strchr(c->ip, ':') != NULL;

	if (v6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, &t->sa, sizeof(sin6));
		is_int(t->salen, sizeof(sin6), "%s: salen", show(c));
		is_int(sin6.sin6_family, AF_INET6, "%s: family", show(c));
		is_int(ntohs(sin6.sin6_port), c->port, "%s: sin6_port in network order", show(c));
		inet_ntop(AF_INET6, &sin6.sin6_addr, buf, sizeof(buf));
	} else {
		struct sockaddr_in sin;

		memcpy(&sin, &t->sa, sizeof(sin));
		is_int(t->salen, sizeof(sin), "%s: salen", show(c));
		is_int(sin.sin_family, AF_INET, "%s: family", show(c));
		is_int(ntohs(sin.sin_port), c->port, "%s: sin_port in network order", show(c));
		inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof(buf));
	}
	is_str(buf, c->ip, "%s: sockaddr holds the address", show(c));
}

/* Host names and mail domains: resolved later, by the prober. */
struct name_case {
	const char *line;
	size_t len;
	const char *host;
	enum target_name kind;
	uint16_t port;
	const char *input; /* NULL: same as the line */
};

static const struct name_case name_cases[] = {
    {L("mail.example.com"), "mail.example.com", TARGET_NAME_HOST, 25, NULL},
    {L("mail.example.com:2525"), "mail.example.com", TARGET_NAME_HOST, 2525, NULL},
    {L("MX-1.Example.NET."), "MX-1.Example.NET.", TARGET_NAME_HOST, 25, NULL},
    {L("1.2.3.4a"), "1.2.3.4a", TARGET_NAME_HOST, 25, NULL},
    {L("mail.example.com, 192.0.2.7"), "mail.example.com", TARGET_NAME_HOST, 25, NULL},
    {L("mx:example.com"), "example.com", TARGET_NAME_MX, 25, NULL},
    {L("MX:example.com:2525 # comment"), "example.com", TARGET_NAME_MX, 2525, NULL},
};

static void
test_names(void)
{
	size_t i;

	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];
		struct target t;
		char err[TARGET_REASON_MAX];

		memset(&t, 0x5a, sizeof(t));
		strcpy(err, "stale");
		is_int(target_parse_line(c->line, c->len, 25, &t, err, sizeof(err)), TP_TARGET,
		       "name %s: a target", c->line);
		is_str(err, "", "name %s: no error", c->line);
		is_str(t.hostname, c->host, "name %s: hostname", c->line);
		is_int(t.name_kind, c->kind, "name %s: %s", c->line,
		       c->kind == TARGET_NAME_MX ? "MX" : "host");
		is_int(t.port, c->port, "name %s: port", c->line);
		is_str(t.ip, "", "name %s: no ip yet", c->line);
		is_int(t.salen, 0, "name %s: nor a sockaddr", c->line);
		is_str(t.input, c->input ? c->input : c->line, "name %s: input", c->line);
	}
}

static void
test_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *c = &cases[i];
		struct target t;
		char err[TARGET_REASON_MAX];
		char want_input[TARGET_INPUT_MAX];
		enum target_parse got;

		memset(&t, 0x5a, sizeof(t));
		strcpy(t.origin, "kept");
		strcpy(t.skip_reason, "kept");
		strcpy(t.hostname, "kept");
		strcpy(err, "stale");
		got = target_parse_line(c->line, c->len, 25, &t, err, sizeof(err));
		if (!is_str(status_name(got), status_name(c->want), "case %zu %s: %s", i, show(c),
		            status_name(c->want)))
			printf("#   err \"%s\"\n", err);
		snprintf(want_input, sizeof(want_input), "%s", c->input ? c->input : c->line);
		is_str(t.input, want_input, "case %zu %s: input", i, show(c));
		ok(strcmp(t.origin, "kept") == 0 && strcmp(t.skip_reason, "kept") == 0,
		   "case %zu %s: other fields left alone", i, show(c));
		is_str(t.hostname, "", "case %zu %s: no hostname", i, show(c));
		is_int(t.name_kind, TARGET_NAME_NONE, "case %zu %s: not a name", i, show(c));
		if (c->want == TP_RANGE)
			is_int(t.range_prefix, strtoul(strchr(c->line, '/') + 1, NULL, 10),
			       "case %zu %s: prefix", i, show(c));
		if (c->want == TP_TARGET || c->want == TP_RANGE) {
			is_str(t.ip, c->ip, "case %zu %s: ip", i, show(c));
			is_int(t.port, c->port, "case %zu %s: port", i, show(c));
			is_str(err, c->err != NULL ? c->err : "", "case %zu %s: %s", i, show(c),
			       c->err != NULL ? "a warning" : "no error");
			check_sockaddr(c, &t);
		} else {
			is_str(t.ip, "", "case %zu: no ip", i);
			is_int(t.salen, 0, "case %zu: no sockaddr", i);
		}
		if (c->want == TP_ERROR)
			is_str(err, c->err, "case %zu: message", i);
	}
}

static void
test_ports(void)
{
	size_t i;

	for (i = 0; i < sizeof(port_cases) / sizeof(port_cases[0]); i++) {
		uint16_t port = 7;
		int r = target_parse_port(port_cases[i].s, &port);

		is_int(r, port_cases[i].ok, "port \"%s\" %s", port_cases[i].s,
		       port_cases[i].ok == 0 ? "accepted" : "rejected");
		is_int(port, port_cases[i].ok == 0 ? port_cases[i].port : 7, "port \"%s\" value",
		       port_cases[i].s);
	}
}

/* Default port, bounds of untrusted lengths, and a tiny error buffer. */
static void
test_edges(void)
{
	struct target t;
	char err[TARGET_REASON_MAX], small[8];
	char line[TARGET_LINE_MAX + 1];
	size_t n;

	memset(&t, 0, sizeof(t));
	is_int(target_parse_line(L("192.0.2.7"), 587, &t, err, sizeof(err)), TP_TARGET,
	       "default port applies");
	is_int(t.port, 587, "default port 587");
	is_int(target_parse_line(L("192.0.2.7:2525"), 587, &t, err, sizeof(err)), TP_TARGET,
	       "a named port beats the default");
	is_int(t.port, 2525, "port 2525");

	/* A first field far longer than any address: cut in the message and the input. */
	memset(line, 'a', sizeof(line));
	is_int(target_parse_line(line, sizeof(line), 25, &t, err, sizeof(err)), TP_ERROR,
	       "a long field is an error");
	n = strlen(err);
	ok(n < sizeof(err) - 1, "the message fits with room to spare (%zu)", n);
	ok(strncmp(err, "not an address: \"aaaa", 21) == 0 && strcmp(err + n - 4, "\"...") == 0,
	   "the quoted text is cut and marked: %s", err);
	is_int(strlen(t.input), TARGET_INPUT_MAX - 1, "input is cut to TARGET_INPUT_MAX - 1");

	/* Control bytes come back escaped, cut to the bound, on one line. */
	memset(line, '\x01', 200);
	is_int(target_parse_line(line, 200, 25, &t, err, sizeof(err)), TP_ERROR,
	       "control bytes are an error");
	ok(strncmp(t.input, "\\x01\\x01", 8) == 0, "input shows them escaped");
	/* 31 whole "\x01" escapes: an escape is never cut in two. */
	is_int(strlen(t.input), (TARGET_INPUT_MAX - 1) / 4 * 4,
	       "escaped input is cut to the bound");
	ok(strncmp(err, "not an address: \"\\x01", 21) == 0 &&
	       strcmp(err + strlen(err) - 4, "\"...") == 0,
	   "message: escaped and cut: %s", err);

	/* A 63-byte label and a 253-byte name are still names; 64 is not. */
	memset(line, 'a', 63);
	memcpy(line + 63, ".example", 9);
	is_int(target_parse_line(line, strlen(line), 25, &t, err, sizeof(err)), TP_TARGET,
	       "63-byte label");
	is_str(t.hostname, line, "63-byte label is a name");
	memset(line, 'a', 64);
	memcpy(line + 64, ".example", 9);
	target_parse_line(line, strlen(line), 25, &t, err, sizeof(err));
	ok(strncmp(err, "not an address", 14) == 0, "64-byte label is not a name");

	/* The message buffer may be small: cut, terminated. */
	is_int(target_parse_line(L("1.2.3"), 25, &t, small, sizeof(small)), TP_ERROR,
	       "small err buffer");
	is_str(small, "not an ", "message cut to the buffer");
	is_int(target_parse_line(L("1.2.3"), 25, &t, NULL, 0), TP_ERROR, "no err buffer");
}

int
main(void)
{
	test_table();
	test_ports();
	test_edges();
	test_names();
	return tap_done();
}
