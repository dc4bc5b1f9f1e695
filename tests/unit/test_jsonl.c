/*
 * test_jsonl.c: the JSON string encoder (a table of cases, then random bytes
 * that must always give one valid JSON string of valid UTF-8 that decodes to
 * what the encoder promises), cut strings, and the JSON Lines writer: a
 * golden file of hostile rows, one line and one object per row, the column
 * kinds (numbers, null, arrays).
 *
 * UPDATE_GOLDEN=1 rewrites tests/unit/golden/row.jsonl from the output.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reports/columns.h"
#include "reports/json.h"
#include "reports/report.h"
#include "tests/fixture.h"
#include "tests/tap.h"
#include "tests/golden.h"

#define S(lit) lit, sizeof(lit) - 1

struct str_case {
	const char *what;
	const char *raw;
	size_t len;
	const char *want;
};

static const struct str_case cases[] = {
    {"plain", S("250 ok"), "\"250 ok\""},
    {"empty", S(""), "\"\""},
    {"quote and backslash", S("say \"hi\" C:\\x"), "\"say \\\"hi\\\" C:\\\\x\""},
    {"short escapes", S("a\nb\rc\td\be\f"), "\"a\\nb\\rc\\td\\be\\f\""},
    {"NUL", S("a\0b"), "\"a\\u0000b\""},
    {"ESC sequence", S("\x1b[2J"), "\"\\u001b[2J\""},
    {"DEL", S("\x7f"), "\"\\u007f\""},
    {"C1 control (CSI)", S("\xc2\x9b"), "\"\\u009b\""},
    {"valid UTF-8 kept", S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7"),
     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7\""},
    {"invalid byte as Latin-1", S("\xff"), "\"\\u00ff\""},
    {"truncated sequence", S("caf\xc3"), "\"caf\\u00c3\""},
    {"overlong slash", S("\xc0\xaf"), "\"\\u00c0\\u00af\""},
    {"surrogate (CESU)", S("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\""},
    {"past U+10FFFF", S("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\""},
    {"line separators escaped", S("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\""},
    {"bidirectional override escaped",
     S("a\xe2\x80\xae"
       "b\xe2\x80\xac"),
     "\"a\\u202eb\\u202c\""},
    {"isolates escaped", S("\xe2\x81\xa6x\xe2\x81\xa9"), "\"\\u2066x\\u2069\""},
    {"zero width and BOM escaped", S("\xe2\x80\x8b\xef\xbb\xbf"), "\"\\u200b\\ufeff\""},
    {"formula text is just text", S("=HYPERLINK(\"x\")"), "\"=HYPERLINK(\\\"x\\\")\""},
    {"slash left alone", S("a/b"), "\"a/b\""},
};

static void
test_cases(void)
{
	char buf[256];
	struct strbuf sb;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		sb_init(&sb, buf, sizeof(buf));
		rc = json_escape_string(cases[i].raw, cases[i].len, &sb);
		is_str(sb.buf, cases[i].want, "string: %s", cases[i].what);
		ok(rc == 0 && !sb.truncated, "string: %s: not cut", cases[i].what);
	}
	sb_init(&sb, buf, sizeof(buf));
	sb_puts(&sb, "{\"a\":");
	json_escape_string(S("b"), &sb);
	is_str(sb.buf, "{\"a\":\"b\"", "appends to what is there");
}

/* Cut strings stay closed, never split an escape or a character. */
static void
test_cut(void)
{
	char buf[64];
	struct strbuf sb;
	int rc;

	sb_init(&sb, buf, 8);
	rc = json_escape_string(S("abcdefghij"), &sb);
	is_str(sb.buf, "\"abcde\"", "cut inside its quotes");
	ok(rc == -1 && sb.truncated, "cut: -1 and truncated");

	sb_init(&sb, buf, 9);
	json_escape_string(S("ab\x1b"), &sb);
	is_str(sb.buf, "\"ab\"", "an escape is never split");

	sb_init(&sb, buf, 6);
	json_escape_string(S("a\xe2\x82\xac"), &sb);
	is_str(sb.buf, "\"a\"", "a character is never split");

	sb_init(&sb, buf, 2);
	rc = json_escape_string(S("a"), &sb);
	is_str(sb.buf, "", "no room for the quotes: nothing");
	ok(rc == -1 && sb.truncated, "no room: -1");
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends code point cp as UTF-8. */
static size_t
put_utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/*
 * A strict JSON string checker and decoder: s must be one string (RFC 8259:
 * no raw byte below 0x20, only the defined escapes) of valid UTF-8, and is
 * decoded into dec (UTF-8). Returns the decoded length, or -1.
 */
static long
decode_string(const char *s, size_t n, char *dec)
{
	size_t i, d = 0;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return -1;
	for (i = 1; i < n - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"')
			return -1;
		if (c >= 0x80) {
			size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0, k;

			if (len == 0 || c > 0xf4 || i + len > n - 1)
				return -1;
			for (k = 1; k < len; k++)
				if (((unsigned char)s[i + k] & 0xc0) != 0x80)
					return -1;
			memcpy(dec + d, s + i, len);
			d += len;
			i += len - 1;
			continue;
		}
		if (c != '\\') {
			dec[d++] = (char)c;
			continue;
		}
		if (++i >= n - 1)
			return -1;
		switch (s[i]) {
		case '"':
		case '\\':
		case '/':
			dec[d++] = s[i];
			break;
		case 'n':
			dec[d++] = '\n';
			break;
		case 'r':
			dec[d++] = '\r';
			break;
		case 't':
			dec[d++] = '\t';
			break;
		case 'b':
			dec[d++] = '\b';
			break;
		case 'f':
			dec[d++] = '\f';
			break;
		case 'u': {
			unsigned cp = 0;
			int k;

			if (i + 4 >= n - 1)
				return -1;
			for (k = 1; k <= 4; k++) {
				int h = hexval(s[i + k]);

				if (h < 0)
					return -1;
				cp = cp << 4 | (unsigned)h;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				return -1; /* the encoder never needs surrogates */
			d += put_utf8(cp, dec + d);
			i += 4;
			break;
		}
		default:
			return -1;
		}
	}
	return (long)d;
}

/* What a parser gives back for raw: valid UTF-8 as is, other bytes as Latin-1. */
static size_t
expected_decoding(const char *raw, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char c = (unsigned char)raw[i];
		size_t len = 0, k;
		unsigned cp = 0;

		if (c < 0x80)
			len = 1, cp = c;
		else if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		if (len == 0 || i + len > n)
			len = 0;
		for (k = 1; k < len; k++) {
			if (((unsigned char)raw[i + k] & 0xc0) != 0x80) {
				len = 0;
				break;
			}
			cp = cp << 6 | ((unsigned char)raw[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			len = 0;
		if (len == 0) {
			o += put_utf8(c, out + o);
			i++;
		} else {
			memcpy(out + o, raw + i, len);
			o += len;
			i += len;
		}
	}
	return o;
}

static uint32_t rng = 2463534242u;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
test_random(void)
{
	static const unsigned char alphabet[] = {
	    0,    '\t', '\r', '\n', '"',  '\\', '/',  ' ',  'a',  '0',  0x1b, 0x7f, 0xc3, 0xa9,
	    0xc2, 0x9b, 0xe2, 0x82, 0xac, 0x80, 0xa8, 0xed, 0xa0, 0xf0, 0x9f, 0xff, 0xf4, 0x90};
	char raw[64], buf[1024], dec[1024], want[1024];
	struct strbuf sb;
	size_t i, k;
	int bad_form = 0, bad_trip = 0, bad_cut = 0;

	for (i = 0; i < 20000; i++) {
		size_t n = next_rand() % (sizeof(raw) + 1), cap, wlen;
		long d;

		for (k = 0; k < n; k++)
			raw[k] = (char)alphabet[next_rand() % sizeof(alphabet)];
		sb_init(&sb, buf, sizeof(buf));
		json_escape_string(raw, n, &sb);
		d = decode_string(sb.buf, sb.len, dec);
		wlen = expected_decoding(raw, n, want);
		if (d < 0) {
			if (bad_form++ == 0)
				printf("# malformed: %s\n", sb.buf);
		} else if ((size_t)d != wlen || memcmp(dec, want, wlen) != 0) {
			if (bad_trip++ == 0)
				printf("# wrong decoding: %s\n", sb.buf);
		}
		cap = 3 + next_rand() % 40;
		sb_init(&sb, buf, cap);
		json_escape_string(raw, n, &sb);
		if (sb.len >= cap || decode_string(sb.buf, sb.len, dec) < 0) {
			if (bad_cut++ == 0)
				printf("# bad cut (cap %zu): %s\n", cap, sb.buf);
		}
	}
	is_int(bad_form, 0, "20000 random strings: valid JSON strings of valid UTF-8");
	is_int(bad_trip, 0, "20000 random strings: decode to the bytes (invalid ones as Latin-1)");
	is_int(bad_cut, 0, "20000 random strings cut to fit: still valid");
}

static void
add_test(struct probe_result *r, const char *name, int mail, int rcpt)
{
	struct relay_result *t = &r->tests[r->ntests++];

	t->name = name;
	t->mail_code = mail;
	t->rcpt_code = rcpt;
}

/* The same hostile seed row as test_csv.c's golden row, and a skipped one. */
static void
golden_rows(struct probe_result *r)
{
	struct target t;

	fixture_target(&t, "192.0.2.25", 25, "ips.txt:12");
	probe_result_init(&r[0], &t);
	r[0].started.tv_sec = 1795916394;
	r[0].started.tv_usec = 123000;
	r[0].duration_ms = 12;
	snprintf(r[0].source_ip, sizeof(r[0].source_ip), "198.51.100.7");
	r[0].verdict = VERDICT_ACCEPTS_LOCALHOST;
	r[0].flags = FLAG_LOCALHOST_NAME | FLAG_NO_FQDN;
	snprintf(r[0].banner, sizeof(r[0].banner),
	         "220-localhost ESMTP, \"welcome\"\n220 \x1b[2J caf\xc3\xa9 \xff\\");
	snprintf(r[0].ehlo_name, sizeof(r[0].ehlo_name), "=HYPERLINK(\"http://example.com\")");
	snprintf(r[0].extensions, sizeof(r[0].extensions), "PIPELINING;8BITMIME;SIZE 10240000");
	snprintf(r[0].last_reply, sizeof(r[0].last_reply), "221 localhost closing\r");
	snprintf(r[0].transcript, sizeof(r[0].transcript), "evidence/192.0.2.25_25.txt");
	snprintf(r[0].change, sizeof(r[0].change), "changed:smtp-closed");
	add_test(&r[0], "third-party", 250, 553);
	add_test(&r[0], "localhost", 250, 250);
	/* Reverse DNS: two PTR names, a JSON array. */
	snprintf(r[0].ptr, sizeof(r[0].ptr), "d102.GtokyoFL38.vectant.ne.jp;mail.example.com");
	r[0].fcrdns = FCRDNS_YES;
	/* The abuse desk's DNS: arrays, a hostile AS name. */
	{
		static struct abuse_facts f;

		snprintf(f.dnsbl, sizeof(f.dnsbl),
		         "zen.spamhaus.org=127.0.0.2 (SBL: spam source or spam "
		         "operation);bl.example=127.0.0.2");
		f.listed = 1;
		snprintf(f.asn, sizeof(f.asn), "64496;64497");
		snprintf(f.as_prefix, sizeof(f.as_prefix), "192.0.2.0/24");
		snprintf(f.as_country, sizeof(f.as_country), "JP");
		snprintf(f.as_name, sizeof(f.as_name), "EXAMPLE \"ONE\" \\ \x1b[2J");
		snprintf(f.abuse_contact, sizeof(f.abuse_contact),
		         "abuse@example.net;noc@example.org");
		r[0].abuse = &f;
	}

	memset(&t, 0, sizeof(t));
	snprintf(t.origin, sizeof(t.origin), "ips.txt:13");
	snprintf(t.skip_reason, sizeof(t.skip_reason), "not an address: \"-1.2.3\"");
	probe_result_init(&r[1], &t);
	r[1].started.tv_sec = 1795916394;
	r[1].started.tv_usec = 456000;
}

static char *
render(const struct probe_result *rows, size_t nrows, size_t *lenp)
{
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&out, &len);
	struct report *rep;
	int rc = 0;

	if (f == NULL)
		return NULL;
	if ((rep = report_new(report_writer_find("jsonl"), f)) == NULL) {
		fclose(f);
		free(out);
		return NULL;
	}
	rc |= report_begin(rep);
	for (i = 0; i < nrows; i++)
		rc |= report_row(rep, &rows[i]);
	rc |= report_end(rep);
	report_free(rep);
	fclose(f);
	*lenp = len;
	if (rc != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static void
test_writer(void)
{
	static struct probe_result rows[2];
	size_t len = 0, i, lines = 0;
	char *out;

	ok(report_writer_find("jsonl") != NULL, "writer jsonl exists");
	golden_rows(rows);
	out = render(rows, 2, &len);
	ok(out != NULL, "rows written");
	if (out != NULL) {
		is_golden(out, len, "row.jsonl");
		ok(strstr(out, "\"port\":25,") != NULL, "a number column is a JSON number");
		ok(strstr(out, "\"port\":null,") != NULL, "an empty number is null");
		ok(strstr(out, "\"flags\":[\"localhost-name\",\"no-fqdn\",\"dnsbl-listed\"]") != NULL,
		   "a list column is an array");
		ok(strstr(out, "\"relay_tests\":[]") != NULL, "an empty list is []");
	}
	free(out);

	/* Hostile bytes everywhere: still one line per row, every line an object. */
	for (i = 0; i + 1 < sizeof(rows[0].banner); i++)
		rows[0].banner[i] = (char)(i % 4 == 0   ? '\n'
		                           : i % 4 == 1 ? '\xff'
		                           : i % 4 == 2 ? '"'
		                                        : '\\');
	memset(rows[0].extensions, '\x1b', sizeof(rows[0].extensions));
	memset(rows[0].last_reply, '\x9b', sizeof(rows[0].last_reply));
	memset(rows[0].ehlo_name, '\x01', sizeof(rows[0].ehlo_name));
	memset(rows[0].transcript, '\\', sizeof(rows[0].transcript));
	out = render(rows, 1, &len);
	for (i = 0; out != NULL && i < len; i++)
		lines += out[i] == '\n';
	ok(out != NULL && lines == 1 && out[len - 1] == '\n' && out[0] == '{' &&
	       out[len - 2] == '}',
	   "a row of fields full of hostile bytes is one line, one object");
	free(out);
}

int
main(void)
{
	test_cases();
	test_cut();
	test_random();
	test_writer();
	return tap_done();
}
