/*
 * test_text.c: the text writer. A golden set of blocks (probed, skipped,
 * unreachable, not SMTP, IPv6), and hostile server bytes (ESC [ 2 J, NUL, CR,
 * C1 controls) that must never reach the terminal raw.
 *
 * UPDATE_GOLDEN=1 rewrites tests/unit/golden/block.txt from the output.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "tests/fixture.h"
#include "tests/tap.h"
#include "tests/golden.h"

/* A test of the basic plan (third-party or localhost) with its codes; the
 * addresses come from its row of the matrix and the default settings. */
static void
add_test(struct probe_result *r, const char *name, int mail, int rcpt, const char *reply)
{
	struct relay_result *t = &r->tests[r->ntests++];

	snprintf(r->plan_mail_from, sizeof(r->plan_mail_from), "probe@example.com");
	snprintf(r->plan_rcpt_domain, sizeof(r->plan_rcpt_domain), "example.net");
	t->name = name;
	t->kind = strcmp(name, "localhost") == 0 ? RELAY_LOCALHOST : RELAY_THIRD_PARTY;
	t->row = strcmp(name, "localhost") == 0 ? 1 : 0;
	t->mail_code = mail;
	t->rcpt_code = rcpt;
	snprintf(t->reply, sizeof(t->reply), "%s", reply);
}

/* The seed's case, as in the design: a qmail calling itself localhost. */
static void
seed_result(struct probe_result *r)
{
	struct target t;

	fixture_target(&t, "127.0.0.11", 2525, "arg:1");
	probe_result_init(r, &t);
	r->started.tv_sec = 1795916394;
	r->duration_ms = 12;
	snprintf(r->source_ip, sizeof(r->source_ip), "127.0.0.1");
	r->verdict = VERDICT_ACCEPTS_LOCALHOST;
	r->flags = FLAG_LOCALHOST_NAME | FLAG_NO_FQDN;
	r->connected = 1;
	r->greeting_code = 220;
	snprintf(r->banner, sizeof(r->banner), "220 localhost ESMTP");
	snprintf(r->ehlo_name, sizeof(r->ehlo_name), "localhost");
	snprintf(r->extensions, sizeof(r->extensions), "PIPELINING;8BITMIME");
	snprintf(r->last_reply, sizeof(r->last_reply), "221 localhost");
	add_test(r, "third-party", 250, 553,
	         "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)");
	add_test(r, "localhost", 250, 250, "250 ok");
	/* Reverse DNS: the seed's own PTR name, confirmed. */
	r->flags |= FLAG_DYNAMIC_RDNS;
	snprintf(r->ptr, sizeof(r->ptr), "d102.GtokyoFL38.vectant.ne.jp");
	r->fcrdns = FCRDNS_YES;
}

static void
golden_results(struct probe_result *rs)
{
	struct target t;
	struct probe_result *r;

	seed_result(&rs[0]);

	/* An IPv6 server that refused everything, then timed out. */
	r = &rs[1];
	fixture_target(&t, "2001:db8::25", 25, "ips.txt:2");
	probe_result_init(r, &t);
	r->duration_ms = 30012;
	snprintf(r->source_ip, sizeof(r->source_ip), "2001:db8::7");
	r->verdict = VERDICT_SMTP_CLOSED;
	r->error = PROBE_IO_TIMEOUT;
	r->flags = FLAG_STARTTLS | FLAG_NO_PTR;
	r->fcrdns = FCRDNS_NONE;
	snprintf(r->banner, sizeof(r->banner),
	         "220-mx.example.com ESMTP Postfix\n220 no UCE, no relaying");
	snprintf(r->extensions, sizeof(r->extensions), "STARTTLS;SIZE 10240000");
	snprintf(r->last_reply, sizeof(r->last_reply),
	         "554 5.7.1 <relay-test@example.net>: "
	         "Relay access denied");
	add_test(r, "third-party", 250, 554,
	         "554 5.7.1 <relay-test@example.net>: Relay access denied");
	add_test(r, "localhost", 550, 0, "550-5.1.0 sender rejected");
	/* TLS: upgraded, with a self-signed, expired certificate. */
	r->tls.use = TLS_USED;
	snprintf(r->tls.version, sizeof(r->tls.version), "TLSv1.2");
	snprintf(r->tls.cipher, sizeof(r->tls.cipher), "ECDHE-RSA-AES256-GCM-SHA384");
	r->tls.have_cert = 1;
	snprintf(r->tls.subject, sizeof(r->tls.subject), "CN = mx.example.com, O = \"Ex, Inc\"");
	snprintf(r->tls.issuer, sizeof(r->tls.issuer), "CN = mx.example.com, O = \"Ex, Inc\"");
	snprintf(r->tls.san, sizeof(r->tls.san), "mx.example.com;\x1b[2Jevil.example.com");
	snprintf(r->tls.not_before, sizeof(r->tls.not_before), "2020-01-01 00:00:00Z");
	snprintf(r->tls.not_after, sizeof(r->tls.not_after), "2021-01-01 00:00:00Z");
	snprintf(r->tls.sha256, sizeof(r->tls.sha256), "AB:CD:EF");
	r->tls.self_signed = 1;
	r->tls.expired = 1;
	snprintf(r->tls.verify, sizeof(r->tls.verify), "self-signed certificate");
	r->tls.matches = 0;
	/* Audit reports: evidence file and change, one line each. */
	snprintf(r->transcript, sizeof(r->transcript), "evidence/2001-db8--25_25.txt");
	snprintf(r->change, sizeof(r->change), "changed:accepts-relay");

	/* Skipped: a special range, and a line that is no address. */
	r = &rs[2];
	fixture_target(&t, "192.0.2.70", 25, "spam.eml:Received[3]");
	snprintf(t.skip_reason, sizeof(t.skip_reason), "special-purpose range (RFC 5737)");
	probe_result_init(r, &t);
	r = &rs[3];
	memset(&t, 0, sizeof(t));
	snprintf(t.origin, sizeof(t.origin), "ips.txt:4");
	snprintf(t.input, sizeof(t.input), "1.2.3");
	snprintf(t.skip_reason, sizeof(t.skip_reason), "not an address");
	probe_result_init(r, &t);

	/* Unreachable: one line. */
	r = &rs[4];
	fixture_target(&t, "198.51.100.9", 25, "ips.txt:5");
	probe_result_init(r, &t);
	r->verdict = VERDICT_UNREACHABLE;
	r->error = PROBE_CONNECTION_REFUSED;
	snprintf(r->change, sizeof(r->change), "new");

	/* Not SMTP: a web server on port 25. */
	r = &rs[5];
	fixture_target(&t, "203.0.113.80", 25, "ips.txt:6");
	probe_result_init(r, &t);
	r->verdict = VERDICT_NOT_SMTP;
	r->error = PROBE_PROTOCOL_ERROR;
	r->connected = 1;
	snprintf(r->last_reply, sizeof(r->last_reply), "HTTP/1.1 400 Bad Request\r");

	/* Not SMTP, and silent. */
	r = &rs[6];
	fixture_target(&t, "203.0.113.81", 25, "ips.txt:7");
	probe_result_init(r, &t);
	r->verdict = VERDICT_NOT_SMTP;
	r->error = PROBE_GREETING_TIMEOUT;
	r->connected = 1;

	/* TLS: the handshake failed; the tests ran in plaintext. */
	r = &rs[7];
	fixture_target(&t, "192.0.2.26", 25, "ips.txt:8");
	probe_result_init(r, &t);
	r->verdict = VERDICT_SMTP_CLOSED;
	r->connected = 1;
	r->greeting_code = 220;
	r->flags = FLAG_STARTTLS | FLAG_TLS_FAILED;
	r->tls.use = TLS_FAILED;
	snprintf(r->tls.error, sizeof(r->tls.error), "wrong version number");
	snprintf(r->banner, sizeof(r->banner), "220 mx.example.org ESMTP");
	add_test(r, "third-party", 250, 554, "554 5.7.1 Relay access denied");
}

#define NGOLDEN 8

static char *
render(const struct probe_result *rows, size_t nrows, size_t *lenp, int *rcp)
{
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&out, &len);
	struct report *rep;
	int rc = 0;

	if (f == NULL)
		return NULL;
	rep = report_new(report_writer_find("text"), f);
	if (rep == NULL) {
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
	*rcp = rc;
	return out;
}

static void
test_golden(void)
{
	static struct probe_result rs[NGOLDEN];
	size_t len = 0;
	int rc = 0;
	char *out;

	ok(report_writer_find("text") != NULL, "writer text exists");
	ok(report_writer_find("json") == NULL, "no writer json (yet)");
	ok(report_writer_find("") == NULL, "no writer with an empty name");
	golden_results(rs);
	out = render(rs, NGOLDEN, &len, &rc);
	ok(out != NULL && rc == 0, "blocks written");
	if (out != NULL)
		is_golden(out, len, "block.txt");
	free(out);
}

/* No byte a terminal would act on: C0 but LF, DEL, C1 (as UTF-8), NUL. */
static size_t
count_unsafe(const char *s, size_t n, const char **first)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		int unsafe = (p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f ||
		             (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) ||
		             p[i] == 0xff || p[i] == 0xfe;

		if (unsafe && bad++ == 0)
			*first = s + i;
	}
	return bad;
}

struct hostile_case {
	const char *what;
	enum verdict verdict;
};

static const struct hostile_case hostile_cases[] = {
    {"accepts-relay block", VERDICT_ACCEPTS_RELAY},
    {"smtp-closed block", VERDICT_SMTP_CLOSED},
    {"not-smtp lines", VERDICT_NOT_SMTP},
    {"unreachable line", VERDICT_UNREACHABLE},
    {"skipped line", VERDICT_SKIPPED},
};

/* Every server- or input-supplied field carries terminal escapes. */
static void
hostile_result(struct probe_result *r, enum verdict v)
{
	static const char evil[] = "\x1b[2J\x1b]0;pwned\x07\r\x9b\xc2\x9b"
	                           "31m\x08\x7f\xff";

	seed_result(r);
	r->verdict = v;
	r->error = v == VERDICT_SKIPPED ? PROBE_OK : PROBE_IO_TIMEOUT;
	/* A NUL, then more escapes after it. */
	memcpy(r->banner, "220 \x1b[2J hi\r\n220 \0\x1b[31mred", 26);
	snprintf(r->ehlo_name, sizeof(r->ehlo_name), "%s", evil);
	snprintf(r->extensions, sizeof(r->extensions), "%s;%s", evil, evil);
	snprintf(r->last_reply, sizeof(r->last_reply), "500 %s", evil);
	snprintf(r->tests[0].reply, sizeof(r->tests[0].reply), "553 %s", evil);
	snprintf(r->tests[1].reply, sizeof(r->tests[1].reply), "%s", evil);
	/* Into the third-party test's recipient, relay-test@<evil>. */
	snprintf(r->plan_rcpt_domain, sizeof(r->plan_rcpt_domain), "%s", evil);
	snprintf(r->target.origin, sizeof(r->target.origin), "%s.txt:1", evil);
	snprintf(r->target.input, sizeof(r->target.input), "%s", evil);
	snprintf(r->target.skip_reason, sizeof(r->target.skip_reason), "bad: %s", evil);
}

static void
test_hostile(void)
{
	static struct probe_result r;
	const char *first = NULL;
	size_t i, len = 0, bad;
	int rc = 0;
	char *out;

	for (i = 0; i < sizeof(hostile_cases) / sizeof(hostile_cases[0]); i++) {
		hostile_result(&r, hostile_cases[i].verdict);
		out = render(&r, 1, &len, &rc);
		ok(out != NULL && rc == 0, "%s: written", hostile_cases[i].what);
		if (out == NULL)
			continue;
		bad = count_unsafe(out, len, &first);
		if (!is_int(bad, 0, "%s: no control byte reaches the terminal",
		            hostile_cases[i].what))
			printf("#   first at offset %zu of:\n%.*s", (size_t)(first - out), (int)len,
			       out);
		ok(memchr(out, '\0', len) == NULL, "%s: no NUL", hostile_cases[i].what);
		ok(len > 0 && out[len - 1] == '\n', "%s: ends with a line end",
		   hostile_cases[i].what);
		ok(strstr(out, "\\x1b[2J") != NULL, "%s: ESC shown as \\x1b",
		   hostile_cases[i].what);
		free(out);
	}

	/* The banner block shows the escapes, and stops at the NUL. */
	hostile_result(&r, VERDICT_ACCEPTS_RELAY);
	out = render(&r, 1, &len, &rc);
	ok(out != NULL && strstr(out, "  banner      220 \\x1b[2J hi\\r\n"
	                              "              220 \n") != NULL,
	   "banner lines escaped, one per line, cut at the NUL");
	ok(out != NULL && strstr(out, "red") == NULL, "nothing after the NUL is shown");
	free(out);

	/* A banner that would display reversed ("Trojan Source"): shown escaped. */
	seed_result(&r);
	snprintf(r.banner, sizeof(r.banner), "220 mx \xe2\x80\xaegnp.exe\xe2\x80\xac ok");
	snprintf(r.ehlo_name, sizeof(r.ehlo_name), "mx\xe2\x80\x8b.example.org");
	out = render(&r, 1, &len, &rc);
	ok(out != NULL && strstr(out, "220 mx \\u{202E}gnp.exe\\u{202C} ok") != NULL,
	   "bidirectional overrides in the banner shown as \\u{XXXX}");
	ok(out != NULL && strstr(out, "mx\\u{200B}.example.org") != NULL,
	   "a zero-width space in the EHLO name shown as \\u{200B}");
	ok(out != NULL && strstr(out, "\xe2\x80") == NULL, "none of them raw");
	free(out);
}

int
main(void)
{
	test_golden();
	test_hostile();
	return tap_done();
}
