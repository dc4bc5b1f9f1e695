/*
 * test_reply.c: the SMTP reply parser, as a table of cases (Postfix style).
 * Each case is a sequence of lines fed in order and the outcome expected.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "prober/reply.h"
#include "tests/tap.h"

struct reply_case {
	const char *name;
	const char *lines[6]; /* NULL-terminated; "\x01" stands for an overlong line */
	enum reply_status want;
	int code;
	size_t nlines;
	enum reply_fault fault;
};

static const struct reply_case cases[] = {
    {"single line", {"220 localhost ESMTP"}, REPLY_DONE, 220, 1, REPLY_FAULT_NONE},
    {"bare code", {"250"}, REPLY_DONE, 250, 1, REPLY_FAULT_NONE},
    {"multi-line EHLO",
     {"250-localhost", "250-PIPELINING", "250 8BITMIME"},
     REPLY_DONE,
     250,
     3,
     REPLY_FAULT_NONE},
    {"continuation without end", {"250-a", "250-b"}, REPLY_MORE, 250, 2, REPLY_FAULT_NONE},
    {"mixed codes", {"250-a", "251 b"}, REPLY_ERROR, 250, 1, REPLY_FAULT_MIXED},
    {"code below 200", {"199 x"}, REPLY_ERROR, 0, 0, REPLY_FAULT_SYNTAX},
    {"code above 599", {"600 x"}, REPLY_ERROR, 0, 0, REPLY_FAULT_SYNTAX},
    {"two digits", {"25 x"}, REPLY_ERROR, 0, 0, REPLY_FAULT_SYNTAX},
    {"bad separator", {"250_x"}, REPLY_ERROR, 0, 0, REPLY_FAULT_SYNTAX},
    {"http", {"HTTP/1.1 400 Bad Request"}, REPLY_ERROR, 0, 0, REPLY_FAULT_SYNTAX},
    {"empty line", {""}, REPLY_ERROR, 0, 0, REPLY_FAULT_SYNTAX},
    {"garbage after good line", {"250-ok", "garbage"}, REPLY_ERROR, 250, 1, REPLY_FAULT_SYNTAX},
    {"overlong", {"\x01"}, REPLY_ERROR, 0, 0, REPLY_FAULT_TOO_LONG},
    {"554 greeting", {"554 5.7.1 No SMTP service here"}, REPLY_DONE, 554, 1, REPLY_FAULT_NONE},
};

static void
run_case(const struct reply_case *c)
{
	struct smtp_reply r;
	enum reply_status st = REPLY_MORE;
	char *longline = NULL;
	size_t i;

	smtp_reply_init(&r);
	for (i = 0; c->lines[i] != NULL; i++) {
		const char *line = c->lines[i];
		size_t len = strlen(line);

		if (strcmp(line, "\x01") == 0) {
			len = SMTP_LINE_MAX + 1;
			longline = malloc(len);
			memset(longline, 'x', len);
			memcpy(longline, "250 ", 4);
			line = longline;
		}
		st = smtp_reply_feed(&r, line, len);
		if (st != REPLY_MORE)
			break;
	}
	is_int(st, c->want, "%s: status", c->name);
	if (c->want != REPLY_ERROR)
		is_int(r.code, c->code, "%s: code", c->name);
	is_int(r.nlines, c->nlines, "%s: lines", c->name);
	is_int(r.fault, c->fault, "%s: fault", c->name);
	free(longline);
}

static void
test_too_many_lines(void)
{
	struct smtp_reply r;
	enum reply_status st = REPLY_MORE;
	size_t i;

	smtp_reply_init(&r);
	for (i = 0; i <= SMTP_REPLY_LINES_MAX && st == REPLY_MORE; i++)
		st = smtp_reply_feed(&r, "250-x", 5);
	is_int(st, REPLY_ERROR, "an endless multi-line reply stops at SMTP_REPLY_LINES_MAX");
	is_int(r.fault, REPLY_FAULT_TOO_MANY, "with the too-many fault");
	is_int(r.nlines, SMTP_REPLY_LINES_MAX, "after exactly the cap");
}

static void
test_text(void)
{
	struct smtp_reply r;
	char first[64];
	static const char nul_line[] = "220 a\0b";

	smtp_reply_init(&r);
	smtp_reply_feed(&r, "250-localhost", 13);
	smtp_reply_feed(&r, "250 8BITMIME", 12);
	is_str(r.text, "250-localhost\n250 8BITMIME", "lines are kept, newline-joined");
	smtp_reply_first_line(&r, first, sizeof(first));
	is_str(first, "250-localhost", "first line");
	is_str(r.line, "8BITMIME", "the last line's text without its code");

	smtp_reply_init(&r);
	smtp_reply_feed(&r, nul_line, sizeof(nul_line) - 1);
	is_str(r.text,
	       "220 a\xe2\x90\x80"
	       "b",
	       "NUL is kept visible as U+2400");
	smtp_reply_init(&r);
	smtp_reply_feed(&r, "220 \x1b[2Jx", 9);
	is_str(r.text, "220 \x1b[2Jx", "control bytes are kept as received (writers escape)");
}

static void
test_ehlo(void)
{
	char ext[64] = "";
	char name[32];

	is_int(smtp_ehlo_extension("PIPELINING", 10, ext, sizeof(ext)), 0, "PIPELINING");
	is_int(smtp_ehlo_extension(" SIZE 1000 ", 11, ext, sizeof(ext)), 0, "SIZE trimmed");
	is_int(smtp_ehlo_extension("starttls", 8, ext, sizeof(ext)), 1, "STARTTLS, any case");
	is_int(smtp_ehlo_extension("STARTTLSX", 9, ext, sizeof(ext)), 0, "not STARTTLSX");
	is_str(ext, "PIPELINING;SIZE 1000;starttls;STARTTLSX", "extensions joined");
	is_int(smtp_ehlo_extension("", 0, ext, sizeof(ext)), 0, "empty line adds nothing");
	is_str(ext, "PIPELINING;SIZE 1000;starttls;STARTTLSX", "unchanged");

	memset(ext, 0, sizeof(ext));
	smtp_ehlo_extension("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	                    68, ext, sizeof(ext));
	is_int(strlen(ext), sizeof(ext) - 1, "extensions are capped");

	smtp_reply_domain("250-mx.example.org Hello", 24, name, sizeof(name));
	is_str(name, "mx.example.org", "domain of an EHLO line");
	smtp_reply_domain("220 localhost ESMTP", 19, name, sizeof(name));
	is_str(name, "localhost", "domain of the seed's greeting");
	smtp_reply_domain("250", 3, name, sizeof(name));
	is_str(name, "", "no domain");
	smtp_reply_domain("220 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 46, name, 8);
	is_str(name, "aaaaaaa", "domain truncated to its buffer");
}

/* Line cutting: where a line ends, and when it can no longer end in time. */
struct cut_case {
	const char *name;
	const char *in; /* "#" stands for SMTP_LINE_MAX bytes of 'x' */
	enum line_status want;
	size_t len, eol_len;
};

static const struct cut_case cut_cases[] = {
    {"CRLF", "220 x\r\n250", LINE_OK, 5, 2},
    {"bare LF", "220 x\n", LINE_OK, 5, 1},
    {"CR inside the line", "220 a\rb\r\n", LINE_OK, 7, 2},
    {"two CRs: one belongs to the line", "220 x\r\r\n", LINE_OK, 6, 2},
    {"empty line", "\r\n", LINE_OK, 0, 2},
    {"nothing yet", "", LINE_PARTIAL, 0, 0},
    {"no line end yet", "220 x", LINE_PARTIAL, 0, 0},
    {"CR waiting for its LF", "220 x\r", LINE_PARTIAL, 0, 0},
    {"longest line, CRLF", "#\r\n", LINE_OK, SMTP_LINE_MAX, 2},
    {"longest line, CR waiting", "#\r", LINE_PARTIAL, 0, 0},
    {"longest line, no end yet", "#", LINE_PARTIAL, 0, 0},
    {"one byte too many", "#x", LINE_TOO_LONG, 0, 0},
    {"one byte too many, CRLF", "#x\r\n", LINE_TOO_LONG, 0, 0},
    {"line end past the cap", "#xxxxxxxx\n", LINE_TOO_LONG, 0, 0},
};

static void
test_cut(void)
{
	char buf[SMTP_LINE_MAX + 64];
	size_t i, len, eol_len;

	for (i = 0; i < sizeof(cut_cases) / sizeof(cut_cases[0]); i++) {
		const struct cut_case *c = &cut_cases[i];
		size_t n;

		if (c->in[0] == '#') {
			memset(buf, 'x', SMTP_LINE_MAX);
			n = SMTP_LINE_MAX;
			memcpy(buf + n, c->in + 1, strlen(c->in + 1));
			n += strlen(c->in + 1);
		} else {
			n = strlen(c->in);
			memcpy(buf, c->in, n);
		}
		is_int(smtp_line_cut(buf, n, &len, &eol_len), c->want, "%s", c->name);
		if (c->want == LINE_OK) {
			is_int(len, c->len, "  its length");
			is_int(eol_len, c->eol_len, "  its line end");
		}
	}
}

static void
test_quote(void)
{
	char buf[16];

	smtp_reply_quote("220 a\0b", 7, buf, sizeof(buf));
	is_str(buf,
	       "220 a\xe2\x90\x80"
	       "b",
	       "a quoted line shows NUL as U+2400");
	smtp_reply_quote("0123456789abcdefghij", 20, buf, sizeof(buf));
	is_int(strlen(buf), sizeof(buf) - 1, "a quoted line is capped");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_too_many_lines();
	test_text();
	test_ehlo();
	test_cut();
	test_quote();
	return tap_done();
}
