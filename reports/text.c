/*
 * text.c: the human report, for a terminal. One block per probed target, one
 * line per skipped or unreachable one:
 *
 *   192.0.2.25:25  accepts-relay  (ips.txt:3)
 *     banner      220 mx.example.com ESMTP
 *     ehlo        mx.example.com  PIPELINING;8BITMIME
 *     tls         used  TLSv1.3 TLS_AES_256_GCM_SHA384
 *     cert        CN = mx.example.com   (and issuer, names, validity, sha256, verify)
 *     third-party MAIL FROM:<probe@example.com> 250  RCPT TO:<x@example.net> 250 ok   ACCEPTED
 *     verdict     accepts-relay: RCPT to an outside domain accepted ...
 *     took 12 ms from 198.51.100.7
 *
 * Values come from the column table (columns.c) so the text and the CSV never
 * disagree; only the layout is this file's. Every byte that came from a
 * server or an input file goes through sb_append_escaped: a hostile banner
 * cannot move the cursor, clear the screen or retitle the terminal.
 */
#include <string.h>

#include "record/relay.h"
#include "reports/columns.h"
#include "reports/report_impl.h"

#define LABEL_WIDTH 11 /* "third-party" */

static int text_row(struct report *rep, const struct probe_result *r);
static int text_end(struct report *rep);

const struct report_writer text_writer = {
    .name = "text",
    .begin = NULL,
    .row = text_row,
    .end = text_end,
};

/* What each verdict means, said plainly: a reader may act on it. */
static const char *const verdict_meanings[VERDICT_COUNT] = {
    [VERDICT_ACCEPTS_RELAY] = "RCPT to an outside domain accepted from an outside sender; "
                              "delivery not tested (smtpprobe never sends DATA)",
    [VERDICT_ACCEPTS_LOCALHOST] = "RCPT to @localhost accepted from an outside sender; "
                                  "delivery not tested (smtpprobe never sends DATA)",
    [VERDICT_AUTH_REQUIRED] = "MAIL or RCPT answered 530: closed to senders who do not "
                              "authenticate",
    [VERDICT_SMTP_CLOSED] = "speaks SMTP; every relay attempt was refused",
    [VERDICT_TEMPFAIL] = "speaks SMTP; the deciding answers were temporary (4xx: greylisting "
                         "or local limits), try again later",
    [VERDICT_REFUSED_SERVICE] = "the greeting refused service (554, 521) or said it is busy "
                                "(421)",
    [VERDICT_NOT_SMTP] = "connected, but what came back is not SMTP",
    [VERDICT_UNREACHABLE] = "no SMTP dialogue: the connection failed",
    [VERDICT_SKIPPED] = "not probed",
};

/* Appends untrusted bytes to the line, escaped. */
static void
put_esc(struct report *rep, const char *s, size_t n)
{
	sb_append_escaped(&rep->line, s, n);
}

/* Formats a column's raw value into rep->cell; an unknown name gives "". */
static const struct strbuf *
col(struct report *rep, const char *name, const struct probe_result *r)
{
	int i = report_column_index(name);

	return report_cell(rep, i < 0 ? report_ncolumns : (size_t)i, r);
}

/* Appends a column's value, escaped; returns its raw length. */
static size_t
put_col(struct report *rep, const char *name, const struct probe_result *r)
{
	const struct strbuf *cell = col(rep, name, r);

	put_esc(rep, cell->buf, cell->len);
	return cell->len;
}

/* Starts an indented line with a label padded to LABEL_WIDTH. */
static void
put_label(struct report *rep, const char *label)
{
	size_t start;

	sb_puts(&rep->line, "  ");
	start = rep->line.len;
	put_esc(rep, label, strlen(label));
	do
		sb_putc(&rep->line, ' ');
	while (!rep->line.truncated && rep->line.len - start < LABEL_WIDTH + 1);
}

/* Ends the line in rep->line and writes it; the line is reset. */
static int
end_line(struct report *rep)
{
	struct strbuf *sb = &rep->line;
	int rc;

	if (sb->truncated || sb->len + 1 >= sb->cap) {
		/* Keep the newline: cut before it, never inside a character. */
		size_t n = sb->cap >= 2 ? sb->cap - 2 : 0;
		if (n > sb->len)
			n = sb->len;
		while (n > 0 && ((unsigned char)sb->buf[n] & 0xc0) == 0x80)
			n--;
		sb->len = n;
		sb->buf[n] = '\0';
	}
	sb_putc(sb, '\n');
	rc = report_write(rep, sb->buf, sb->len);
	sb_reset(sb);
	return rc;
}

/* "192.0.2.1:25", "[2001:db8::1]:25", or the bare ip when there is no port. */
static void
put_addr(struct report *rep, const struct probe_result *r)
{
	const struct strbuf *cell = col(rep, "ip", r);
	int v6 = memchr(cell->buf, ':', cell->len) != NULL;

	if (v6)
		sb_putc(&rep->line, '[');
	put_esc(rep, cell->buf, cell->len);
	if (v6)
		sb_putc(&rep->line, ']');
	cell = col(rep, "port", r);
	if (cell->len > 0) {
		sb_putc(&rep->line, ':');
		put_esc(rep, cell->buf, cell->len);
	}
}

static void
put_origin(struct report *rep, const struct probe_result *r)
{
	sb_puts(&rep->line, "  (");
	put_col(rep, "origin", r);
	sb_putc(&rep->line, ')');
}

/* "<input or ip>  skipped  <reason>  (<origin>)" */
static int
skipped_line(struct report *rep, const struct probe_result *r)
{
	size_t n = strnlen(r->target.input, sizeof(r->target.input));

	if (n > 0)
		put_esc(rep, r->target.input, n);
	else
		put_col(rep, "ip", r);
	sb_puts(&rep->line, "  ");
	put_col(rep, "verdict", r);
	sb_puts(&rep->line, "  ");
	put_col(rep, "error", r);
	put_origin(rep, r);
	return end_line(rep);
}

/* "<addr>  <verdict>[  <error>]  (<origin>)" */
static void
put_head(struct report *rep, const struct probe_result *r, int with_error)
{
	put_addr(rep, r);
	sb_puts(&rep->line, "  ");
	put_col(rep, "verdict", r);
	if (with_error) {
		const struct strbuf *cell = col(rep, "error", r);

		if (cell->len > 0) {
			sb_puts(&rep->line, "  ");
			put_esc(rep, cell->buf, cell->len);
		}
	}
	put_origin(rep, r);
}

/* For a target from a message: "message     hop 1:suspect  localhost-helo;lan-hops". */
static int
message_line(struct report *rep, const struct probe_result *r)
{
	const struct strbuf *cell = col(rep, "hop", r);

	if (cell->len == 0)
		return 0;
	put_label(rep, "message");
	sb_puts(&rep->line, "hop ");
	put_esc(rep, cell->buf, cell->len);
	cell = col(rep, "message_flags", r);
	if (cell->len > 0) {
		sb_puts(&rep->line, "  ");
		put_esc(rep, cell->buf, cell->len);
	}
	return end_line(rep);
}

/* Audit reports: the evidence file and the change since the
 * baseline, each on its own line when there is one. */
static int
audit_lines(struct report *rep, const struct probe_result *r)
{
	static const char *const names[] = {"change", "transcript"};
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct strbuf *cell = col(rep, names[i], r);

		if (cell->len == 0)
			continue;
		put_label(rep, names[i]);
		put_esc(rep, cell->buf, cell->len);
		rc |= end_line(rep);
	}
	return rc;
}

/* Unreachable: one line. Not SMTP: that line, and what came back if anything. */
static int
failed_lines(struct report *rep, const struct probe_result *r)
{
	const struct strbuf *cell;
	int rc = 0;

	put_head(rep, r, 1);
	rc |= end_line(rep);
	rc |= message_line(rep, r);
	rc |= audit_lines(rep, r);
	if (r->verdict != VERDICT_NOT_SMTP)
		return rc;
	cell = col(rep, "banner", r);
	if (cell->len == 0)
		cell = col(rep, "last_reply", r);
	if (cell->len > 0) {
		put_label(rep, "got");
		put_esc(rep, cell->buf, cell->len);
		rc |= end_line(rep);
	}
	return rc;
}

/* The banner, one terminal line per greeting line. */
static int
banner_lines(struct report *rep, const struct probe_result *r)
{
	const struct strbuf *cell = col(rep, "banner", r);
	const char *p = cell->buf, *end = cell->buf + cell->len, *nl;
	int rc = 0, first = 1;

	if (cell->len == 0)
		return 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		put_label(rep, first ? "banner" : "");
		put_esc(rep, p, (size_t)(nl - p));
		rc |= end_line(rep);
		first = 0;
		p = nl + 1;
	}
	return rc;
}

static void
put_code(struct report *rep, int code)
{
	if (code == 0)
		sb_putc(&rep->line, '-');
	else
		sb_printf(&rep->line, "%d", code);
}

/* Appends " text" of a reply, without its code when it repeats the one shown. */
static void
put_reply_text(struct report *rep, int code, const char *reply, size_t n)
{
	if (n == 0)
		return;
	if (code >= 100 && code <= 999 && n >= 3) {
		char digits[4];

		(void)snprintf(digits, sizeof(digits), "%d", code);
		if (memcmp(reply, digits, 3) == 0 &&
		    (n == 3 || reply[3] == ' ' || reply[3] == '-')) {
			reply += n == 3 ? 3 : 4;
			n -= n == 3 ? 3 : 4;
			if (n == 0)
				return;
		}
	}
	sb_putc(&rep->line, ' ');
	put_esc(rep, reply, n);
}

/*
 * "third-party MAIL FROM:<a> 250  RCPT TO:<b> 553 text": the deciding reply's
 * text follows the code it answered (RCPT, or MAIL when RCPT was not reached).
 */
static int
relay_line(struct report *rep, const struct probe_result *r, size_t i)
{
	const struct relay_result *t = &r->tests[i];
	size_t n = strnlen(t->reply, sizeof(t->reply));
	char addr[SMTP_ADDR_MAX];

	put_label(rep, t->name != NULL ? t->name : "?");
	sb_puts(&rep->line, "MAIL FROM:<");
	relay_address(r, i, RELAY_SENDER, addr, sizeof(addr));
	put_esc(rep, addr, strlen(addr));
	sb_puts(&rep->line, "> ");
	put_code(rep, t->mail_code);
	if (t->rcpt_code == 0)
		put_reply_text(rep, t->mail_code, t->reply, n);
	sb_puts(&rep->line, "  RCPT TO:<");
	relay_address(r, i, RELAY_RECIPIENT, addr, sizeof(addr));
	put_esc(rep, addr, strlen(addr));
	sb_puts(&rep->line, "> ");
	put_code(rep, t->rcpt_code);
	if (t->rcpt_code != 0)
		put_reply_text(rep, t->rcpt_code, t->reply, n);
	if (t->rcpt_code >= 200 && t->rcpt_code <= 399)
		sb_puts(&rep->line, "   ACCEPTED");
	return end_line(rep);
}

/* "<label> <column value><suffix>", a line only when the column has a value. */
static int
field_line(struct report *rep, const char *label, const char *name, const char *suffix,
           const struct probe_result *r)
{
	if (col(rep, name, r)->len == 0)
		return 0;
	put_label(rep, label);
	put_col(rep, name, r);
	sb_puts(&rep->line, suffix);
	return end_line(rep);
}

/* TLS: how the channel was secured, and the certificate shown. */
static int
tls_lines(struct report *rep, const struct probe_result *r)
{
	int rc = 0;

	if (r->tls.use == TLS_NONE)
		return 0;
	put_label(rep, "tls");
	put_col(rep, "starttls", r);
	if (col(rep, "tls_version", r)->len > 0) {
		sb_puts(&rep->line, "  ");
		put_col(rep, "tls_version", r);
		sb_putc(&rep->line, ' ');
		put_col(rep, "tls_cipher", r);
	}
	if (col(rep, "tls_error", r)->len > 0) {
		sb_puts(&rep->line, ": ");
		put_col(rep, "tls_error", r);
	}
	if (r->tls.use == TLS_FAILED && r->ntests > 0 && r->tests[0].mail_code != 0)
		sb_puts(&rep->line, "; the tests below ran in plaintext");
	rc |= end_line(rep);
	if (!r->tls.have_cert)
		return rc;
	rc |= field_line(rep, "cert", "cert_subject", "", r);
	rc |= field_line(rep, "issuer", "cert_issuer", r->tls.self_signed ? "  (self-signed)" : "",
	                 r);
	rc |= field_line(rep, "cert names", "cert_san", "", r);
	put_label(rep, "valid");
	put_col(rep, "cert_not_before", r);
	sb_puts(&rep->line, " to ");
	put_col(rep, "cert_not_after", r);
	if (r->tls.expired)
		sb_puts(&rep->line, "  EXPIRED");
	rc |= end_line(rep);
	rc |= field_line(rep, "sha256", "cert_sha256", "", r);
	put_label(rep, "verify");
	put_col(rep, "cert_verify", r);
	if (col(rep, "cert_matches", r)->len > 0) {
		sb_puts(&rep->line, "; name matches: ");
		put_col(rep, "cert_matches", r);
	}
	rc |= end_line(rep);
	return rc;
}

/* One labelled line per column of the abuse desk's lookups that has a value. */
static int
abuse_lines(struct report *rep, const struct probe_result *r)
{
	static const char *const rows[][2] = {
	    {"dnsbl", "dnsbl"},
	    {"dnsbl error", "dnsbl_error"},
	    {"origin AS", "asn"},
	    {"AS prefix", "as_prefix"},
	    {"AS country", "as_country"},
	    {"AS name", "as_name"},
	    {"abuse", "abuse_contact"},
	};
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct strbuf *cell = col(rep, rows[i][1], r);

		if (cell->len == 0)
			continue;
		put_label(rep, rows[i][0]);
		put_esc(rep, cell->buf, cell->len);
		rc |= end_line(rep);
	}
	return rc;
}

static int
block(struct report *rep, const struct probe_result *r)
{
	const struct strbuf *cell;
	const char *meaning;
	size_t i, n = r->ntests;
	int rc = 0;

	if (n > RELAY_TESTS_MAX)
		n = RELAY_TESTS_MAX;
	put_head(rep, r, 0);
	rc |= end_line(rep);
	rc |= message_line(rep, r);
	rc |= banner_lines(rep, r);

	if (col(rep, "ehlo_name", r)->len > 0 || col(rep, "extensions", r)->len > 0) {
		put_label(rep, "ehlo");
		if (put_col(rep, "ehlo_name", r) > 0)
			sb_puts(&rep->line, "  ");
		put_col(rep, "extensions", r);
		rc |= end_line(rep);
	}
	rc |= tls_lines(rep, r);
	for (i = 0; i < n; i++)
		rc |= relay_line(rep, r, i);

	cell = col(rep, "flags", r);
	if (cell->len > 0) {
		put_label(rep, "flags");
		put_esc(rep, cell->buf, cell->len);
		rc |= end_line(rep);
	}
	/* Reverse DNS: the PTR names and whether they confirm. */
	if (col(rep, "fcrdns", r)->len > 0) {
		put_label(rep, "rdns");
		if (put_col(rep, "ptr", r) > 0)
			sb_puts(&rep->line, "  ");
		sb_puts(&rep->line, "fcrdns ");
		put_col(rep, "fcrdns", r);
		rc |= end_line(rep);
	}
	/* The abuse desk's DNS (--dnsbl, --asn, --abuse-contact). */
	if (r->abuse != NULL)
		rc |= abuse_lines(rep, r);
	cell = col(rep, "error", r);
	if (cell->len > 0) {
		put_label(rep, "error");
		put_esc(rep, cell->buf, cell->len);
		rc |= end_line(rep);
		cell = col(rep, "last_reply", r);
		if (cell->len > 0) {
			put_label(rep, "last reply");
			put_esc(rep, cell->buf, cell->len);
			rc |= end_line(rep);
		}
	}

	put_label(rep, "verdict");
	put_col(rep, "verdict", r);
	meaning = (unsigned)r->verdict < VERDICT_COUNT ? verdict_meanings[r->verdict] : NULL;
	if (meaning != NULL) {
		sb_puts(&rep->line, ": ");
		sb_puts(&rep->line, meaning);
	}
	rc |= end_line(rep);
	rc |= audit_lines(rep, r);

	sb_puts(&rep->line, "  took ");
	put_col(rep, "duration_ms", r);
	sb_puts(&rep->line, " ms");
	cell = col(rep, "source_ip", r);
	if (cell->len > 0) {
		sb_puts(&rep->line, " from ");
		put_esc(rep, cell->buf, cell->len);
	}
	rc |= end_line(rep);
	return rc;
}

static int
text_row(struct report *rep, const struct probe_result *r)
{
	int rc;

	sb_reset(&rep->line);
	switch (r->verdict) {
	case VERDICT_SKIPPED:
		rc = skipped_line(rep, r);
		break;
	case VERDICT_UNREACHABLE:
	case VERDICT_NOT_SMTP:
		rc = failed_lines(rep, r);
		break;
	default:
		rc = block(rep, r);
		break;
	}
	/* Flush every row even after a failed write, then say it failed. */
	if (report_flush(rep) < 0)
		return -1;
	return rc < 0 ? -1 : 0;
}

static int
text_end(struct report *rep)
{
	return report_flush(rep);
}
