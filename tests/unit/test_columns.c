/*
 * test_columns.c: the column table (reports/columns.c): names stable and
 * unique, every column documented, and each cell formatted as the CSV and
 * text reports expect, for probed and skipped results.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "reports/columns.h"
#include "tests/fixture.h"
#include "tests/tap.h"

/* The released names, in order: a change here breaks users' scripts. */
static const char *const names[] = {
    "timestamp",
    "ip",
    "port",
    "source_ip",
    "origin",
    "verdict",
    "error",
    "flags",
    "banner",
    "ehlo_name",
    "extensions",
    "relay_tests",
    "last_reply",
    "duration_ms",
    /* relay matrix and fingerprint */
    "relay_accepted_by",
    "mta",
    "mta_confidence",
    "mta_rules",
    /* TLS */
    "starttls",
    "tls_version",
    "tls_cipher",
    "cert_subject",
    "cert_issuer",
    "cert_san",
    "cert_not_before",
    "cert_not_after",
    "cert_sha256",
    "cert_self_signed",
    "cert_expired",
    "cert_verify",
    "cert_matches",
    "tls_error",
    /* messages */
    "hop",
    "message_flags",
    /* audit reports */
    "transcript",
    "change",
    /* reverse DNS */
    "ptr",
    "fcrdns",
    /* the abuse desk's DNS */
    "dnsbl",
    "dnsbl_error",
    "asn",
    "as_prefix",
    "as_country",
    "as_name",
    "abuse_contact",
};

static struct probe_result res;
static char cellbuf[REPORT_CELL_MAX];

/* The raw cell of a column, by name ("" and a failed test if unknown). */
static const char *
cell(const char *name)
{
	struct strbuf sb;
	int i = report_column_index(name);

	sb_init(&sb, cellbuf, sizeof(cellbuf));
	if (i < 0) {
		ok(0, "column %s exists", name);
		return "";
	}
	report_columns[i].format(&res, &sb);
	return sb.buf;
}

/* Its input line is "ip:port". */
static void
target_v4(struct target *t, const char *ip, unsigned port, const char *origin)
{
	fixture_target(t, ip, port, origin);
	snprintf(t->input, sizeof(t->input), "%s:%u", ip, port);
}

static void
add_test(const char *name, int mail, int rcpt)
{
	struct relay_result *t = &res.tests[res.ntests++];

	t->name = name;
	t->mail_code = mail;
	t->rcpt_code = rcpt;
}

static void
test_table(void)
{
	size_t i, j;
	int dup = 0;

	is_int(report_ncolumns, sizeof(names) / sizeof(names[0]), "%zu columns",
	       sizeof(names) / sizeof(names[0]));
	for (i = 0; i < report_ncolumns && i < sizeof(names) / sizeof(names[0]); i++)
		is_str(report_columns[i].name, names[i], "column %zu is %s", i, names[i]);
	for (i = 0; i < report_ncolumns; i++) {
		const struct column *c = &report_columns[i];

		ok(c->name != NULL && c->name[0] != '\0', "column %zu has a name", i);
		ok(c->doc != NULL && c->doc[0] != '\0' && strchr(c->doc, '\n') == NULL,
		   "column %s has a one-line doc", c->name);
		ok(c->format != NULL, "column %s has a format function", c->name);
		ok(strspn(c->name, "abcdefghijklmnopqrstuvwxyz_0123456789") == strlen(c->name) &&
		       c->name[0] >= 'a' && c->name[0] <= 'z',
		   "column %s: lower case, digits and _ only (no CSV quoting)", c->name);
		for (j = i + 1; j < report_ncolumns; j++)
			dup |= strcmp(c->name, report_columns[j].name) == 0;
	}
	ok(!dup, "column names are unique");
	is_int(report_column_index("banner"), 8, "index of banner");
	is_int(report_column_index("timestamp"), 0, "index of timestamp");
	is_int(report_column_index("no-such-column"), -1, "index of an unknown name");
	is_int(report_column_index(""), -1, "index of the empty name");
}

static void
test_probed(void)
{
	struct target t;

	target_v4(&t, "192.0.2.25", 2525, "ips.txt:12");
	probe_result_init(&res, &t);
	res.started.tv_sec = 1795916394; /* 2026-11-29T01:39:54Z */
	res.started.tv_usec = 123456;
	res.duration_ms = 1234;
	snprintf(res.source_ip, sizeof(res.source_ip), "198.51.100.7");
	res.verdict = VERDICT_ACCEPTS_RELAY;
	res.flags = FLAG_STARTTLS | FLAG_LOCALHOST_NAME | FLAG_NO_FQDN;
	snprintf(res.banner, sizeof(res.banner), "220-mx.example.com ESMTP\n220 hi");
	snprintf(res.ehlo_name, sizeof(res.ehlo_name), "mx.example.com");
	snprintf(res.extensions, sizeof(res.extensions), "PIPELINING;SIZE 10240000;STARTTLS");
	snprintf(res.last_reply, sizeof(res.last_reply), "221 bye");
	add_test("third-party", 250, 553);
	add_test("localhost", 250, 250);

	is_str(cell("timestamp"), "2026-11-29T01:39:54.123Z", "timestamp: UTC, milliseconds");
	is_str(cell("ip"), "192.0.2.25", "ip");
	is_str(cell("port"), "2525", "port");
	is_str(cell("source_ip"), "198.51.100.7", "source_ip");
	is_str(cell("origin"), "ips.txt:12", "origin");
	is_str(cell("verdict"), "accepts-relay", "verdict");
	is_str(cell("error"), "", "error: empty when the dialogue ran to the end");
	is_str(cell("flags"), "starttls;localhost-name;no-fqdn", "flags in bit order");
	is_str(cell("banner"), "220-mx.example.com ESMTP\n220 hi", "banner raw, newline kept");
	is_str(cell("ehlo_name"), "mx.example.com", "ehlo_name");
	is_str(cell("extensions"), "PIPELINING;SIZE 10240000;STARTTLS", "extensions as stored");
	is_str(cell("relay_tests"), "third-party:250/553;localhost:250/250", "relay_tests");
	is_str(cell("last_reply"), "221 bye", "last_reply");
	is_str(cell("duration_ms"), "1234", "duration_ms");

	res.error = PROBE_IO_TIMEOUT;
	res.verdict = VERDICT_SMTP_CLOSED;
	is_str(cell("error"), "io-timeout", "error name of a probed result");
	res.ntests = 0;
	add_test("third-party", 550, 0);
	add_test("localhost", 0, 0);
	is_str(cell("relay_tests"), "third-party:550/-;localhost:-/-", "a code not reached is -");
	res.ntests = 0;
	is_str(cell("relay_tests"), "", "relay_tests empty without tests");
	add_test(NULL, 250, 250);
	is_str(cell("relay_tests"), "?:250/250", "a test without a name");

	/* Issue 7: retries, accepted tests, fingerprint. */
	res.ntests = 0;
	add_test("third-party", 250, 250);
	res.tests[0].retried = 1;
	res.tests[0].first_mail_code = 250;
	res.tests[0].first_rcpt_code = 451;
	add_test("postmaster", 250, 250);
	res.tests[1].kind = RELAY_POSTMASTER;
	add_test("quoted", 250, 554);
	add_test("bang", 250, 354);
	is_str(cell("relay_tests"),
	       "third-party:250/451,250/250;postmaster:250/250;quoted:250/554;bang:250/354",
	       "a retried test shows its first codes, then the retry's");
	is_str(cell("relay_accepted_by"), "third-party;bang",
	       "relay_accepted_by: 2xx and 3xx RCPTs, postmaster never");
	res.mta = NULL;
	is_str(cell("mta"), "", "no mta: empty");
	is_str(cell("mta_confidence"), "", "no mta: no confidence");
	res.mta = "qmail";
	res.mta_confidence = 100;
	snprintf(res.mta_rules, sizeof(res.mta_rules), "qmail-mail-ok;qmail-rset-flushed");
	is_str(cell("mta"), "qmail", "mta");
	is_str(cell("mta_confidence"), "100", "mta_confidence");
	is_str(cell("mta_rules"), "qmail-mail-ok;qmail-rset-flushed", "mta_rules");
	res.mta = NULL;
	res.mta_rules[0] = '\0';

	res.flags = 0;
	is_str(cell("flags"), "", "no flags: empty");
	res.flags = FLAG_UNSOLICITED | FLAG_STARTTLS;
	is_str(cell("flags"), "starttls;unsolicited", "first and last flag");
	res.flags = FLAG_HELO_FALLBACK | (1u << 30);
	is_str(cell("flags"), "helo-fallback;bit30", "a bit without a name is shown, not dropped");
	res.flags = FLAG_TLS_FAILED | FLAG_SELF_SIGNED | FLAG_STARTTLS_INJECTION;
	is_str(cell("flags"), "tls-failed;self-signed;starttls-injection", "the TLS flags");
	res.flags = FLAG_NO_PTR | FLAG_FCRDNS_MISMATCH | FLAG_DYNAMIC_RDNS | FLAG_NAME_NOT_PTR;
	is_str(cell("flags"), "no-ptr;fcrdns-mismatch;dynamic-rdns;name-not-ptr", "DNS flags");

	/* Reverse DNS. */
	is_str(cell("fcrdns"), "", "fcrdns: empty when not looked up");
	is_str(cell("ptr"), "", "ptr: empty when not looked up");
	res.fcrdns = FCRDNS_YES;
	is_str(cell("fcrdns"), "yes", "fcrdns yes");
	res.fcrdns = FCRDNS_NO;
	is_str(cell("fcrdns"), "no", "fcrdns no");
	res.fcrdns = FCRDNS_NONE;
	is_str(cell("fcrdns"), "none", "fcrdns none");
	res.fcrdns = FCRDNS_TIMEOUT;
	is_str(cell("fcrdns"), "timeout", "fcrdns timeout");
	res.fcrdns = FCRDNS_ERROR;
	is_str(cell("fcrdns"), "error", "fcrdns error");
	snprintf(res.ptr, sizeof(res.ptr), "a.example.com;b.example.com");
	is_str(cell("ptr"), "a.example.com;b.example.com", "ptr: names ';'-joined");
	res.fcrdns = FCRDNS_UNKNOWN;
	res.ptr[0] = '\0';

	res.verdict = VERDICT_UNREACHABLE;
	res.error = PROBE_CONNECTION_REFUSED;
	is_str(cell("error"), "connection-refused", "unreachable: error name");
	is_str(cell("verdict"), "unreachable", "unreachable verdict");

	res.started.tv_sec = 0;
	res.started.tv_usec = 999999;
	is_str(cell("timestamp"), "1970-01-01T00:00:00.999Z", "timestamp rounds down to ms");
}

/* TLS: the cells of each starttls state, and yes/no/empty. */
static void
test_tls(void)
{
	struct target t;

	target_v4(&t, "192.0.2.25", 465, "arg:1");
	probe_result_init(&res, &t);
	res.verdict = VERDICT_UNREACHABLE;
	is_str(cell("starttls"), "", "unreachable: starttls empty");
	is_str(cell("cert_self_signed"), "", "no certificate: cert_self_signed empty");
	is_str(cell("cert_matches"), "", "no certificate: cert_matches empty");
	res.connected = 1;
	res.verdict = VERDICT_SMTP_CLOSED;
	is_str(cell("starttls"), "none", "connected, no TLS: none");
	res.tls.use = TLS_OFFERED;
	is_str(cell("starttls"), "offered", "offered");
	res.tls.use = TLS_USED;
	is_str(cell("starttls"), "used", "used");
	res.tls.use = TLS_IMPLICIT;
	is_str(cell("starttls"), "implicit", "implicit");
	res.tls.use = TLS_FAILED;
	snprintf(res.tls.error, sizeof(res.tls.error), "wrong version number");
	is_str(cell("starttls"), "failed", "failed");
	is_str(cell("tls_error"), "wrong version number", "tls_error");
	res.tls.use = TLS_USED;
	snprintf(res.tls.version, sizeof(res.tls.version), "TLSv1.3");
	snprintf(res.tls.cipher, sizeof(res.tls.cipher), "TLS_AES_256_GCM_SHA384");
	res.tls.have_cert = 1;
	snprintf(res.tls.subject, sizeof(res.tls.subject), "CN = mx.example.org");
	snprintf(res.tls.issuer, sizeof(res.tls.issuer), "CN = CA, O = Example");
	snprintf(res.tls.san, sizeof(res.tls.san), "mx.example.org;example.org");
	snprintf(res.tls.not_before, sizeof(res.tls.not_before), "2026-11-29 02:00:43Z");
	snprintf(res.tls.not_after, sizeof(res.tls.not_after), "2026-12-29 02:00:43Z");
	snprintf(res.tls.sha256, sizeof(res.tls.sha256), "CB:B1");
	snprintf(res.tls.verify, sizeof(res.tls.verify), "ok");
	res.tls.expired = 1;
	is_str(cell("tls_version"), "TLSv1.3", "tls_version");
	is_str(cell("tls_cipher"), "TLS_AES_256_GCM_SHA384", "tls_cipher");
	is_str(cell("cert_subject"), "CN = mx.example.org", "cert_subject");
	is_str(cell("cert_issuer"), "CN = CA, O = Example", "cert_issuer");
	is_str(cell("cert_san"), "mx.example.org;example.org", "cert_san");
	is_str(cell("cert_not_before"), "2026-11-29 02:00:43Z", "cert_not_before");
	is_str(cell("cert_not_after"), "2026-12-29 02:00:43Z", "cert_not_after");
	is_str(cell("cert_sha256"), "CB:B1", "cert_sha256");
	is_str(cell("cert_self_signed"), "no", "cert_self_signed no");
	is_str(cell("cert_expired"), "yes", "cert_expired yes");
	is_str(cell("cert_verify"), "ok", "cert_verify");
	is_str(cell("cert_matches"), "", "no host name known: cert_matches empty");
	res.tls.matches = 1;
	is_str(cell("cert_matches"), "yes", "cert_matches yes");
	res.tls.matches = 0;
	is_str(cell("cert_matches"), "no", "cert_matches no");
}

static void
test_skipped(void)
{
	struct target t;

	target_v4(&t, "192.0.2.9", 25, "ips.txt:3");
	snprintf(t.skip_reason, sizeof(t.skip_reason), "special-purpose range (RFC 5737)");
	probe_result_init(&res, &t);
	res.started.tv_sec = 1795916394;
	is_str(cell("verdict"), "skipped", "skipped verdict");
	is_str(cell("error"), "special-purpose range (RFC 5737)",
	       "skipped: error is the skip reason");
	is_str(cell("port"), "25", "skipped address: port kept");
	is_str(cell("relay_tests"), "", "skipped: no relay tests");
	is_str(cell("timestamp"), "2026-11-29T01:39:54.000Z", "skipped: when the row was made");

	/* A bad input line: no address at all. */
	memset(&t, 0, sizeof(t));
	snprintf(t.origin, sizeof(t.origin), "ips.txt:4");
	snprintf(t.input, sizeof(t.input), "1.2.3");
	snprintf(t.skip_reason, sizeof(t.skip_reason), "not an address");
	probe_result_init(&res, &t);
	is_str(cell("ip"), "", "bad line: ip empty");
	is_str(cell("port"), "", "bad line: port empty (salen 0)");
	is_str(cell("error"), "not an address", "bad line: reason");
	is_str(cell("origin"), "ips.txt:4", "bad line: origin");
}

static void
test_unterminated(void)
{
	struct target t;

	target_v4(&t, "192.0.2.1", 25, "arg:1");
	probe_result_init(&res, &t);
	/* A field filled to the brim with no NUL: read within its array only. */
	memset(res.banner, 'A', sizeof(res.banner));
	is_int(strlen(cell("banner")), sizeof(res.banner), "unterminated banner: array length");
	memset(res.last_reply, 'B', sizeof(res.last_reply));
	is_int(strlen(cell("last_reply")), sizeof(res.last_reply), "unterminated last_reply");
	/* A NUL from the server ends the stored text. */
	memcpy(res.banner, "220 a\0b", 8);
	is_str(cell("banner"), "220 a", "a field is read up to its first NUL");
}

/* Issue 6: each column's kind (JSON types), and the audit columns' cells. */
static void
test_kinds(void)
{
	static const struct {
		const char *name;
		enum column_kind kind;
	} kinds[] = {
	    {"port", COL_NUMBER},       {"duration_ms", COL_NUMBER}, {"flags", COL_LIST},
	    {"extensions", COL_LIST},   {"relay_tests", COL_LIST},   {"banner", COL_STRING},
	    {"transcript", COL_STRING}, {"change", COL_STRING},
	};
	struct target t;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int c = report_column_index(kinds[i].name);

		ok(c >= 0 && report_columns[c].kind == kinds[i].kind, "column %s has kind %d",
		   kinds[i].name, (int)kinds[i].kind);
	}
	target_v4(&t, "192.0.2.1", 25, "arg:1");
	probe_result_init(&res, &t);
	is_str(cell("transcript"), "", "no --transcripts: transcript empty");
	is_str(cell("change"), "", "no --baseline: change empty");
	snprintf(res.transcript, sizeof(res.transcript), "ev/192.0.2.1_25.txt");
	snprintf(res.change, sizeof(res.change), "changed:smtp-closed");
	is_str(cell("transcript"), "ev/192.0.2.1_25.txt", "transcript: the file's path");
	is_str(cell("change"), "changed:smtp-closed", "change: as the baseline said");
}

/* Timestamps keep the text of their second: fixed rows (leap days, the
 * ends of years and centuries, one second twice with other milliseconds,
 * then the second before it), then a sweep from 1970 to 9999 against
 * gmtime_r and strftime. */
static void
test_timestamps(void)
{
	static const struct {
		long long sec;
		long usec;
		const char *want;
	} rows[] = {
	    {0, 0, "1970-01-01T00:00:00.000Z"},
	    {951782400, 1000, "2000-02-29T00:00:00.001Z"},
	    {951782400, 998000, "2000-02-29T00:00:00.998Z"},
	    {951782399, 998000, "2000-02-28T23:59:59.998Z"},
	    {951868799, 999000, "2000-02-29T23:59:59.999Z"},
	    {946684799, 500000, "1999-12-31T23:59:59.500Z"},
	    {1709251199, 42000, "2024-02-29T23:59:59.042Z"},
	    {4107542400, 0, "2100-03-01T00:00:00.000Z"},
	    {2147483648LL, 0, "2038-01-19T03:14:08.000Z"},
	    {253402300799LL, 999999, "9999-12-31T23:59:59.999Z"},
	};
	char want[64];
	long long sec;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		res.started.tv_sec = (time_t)rows[i].sec;
		res.started.tv_usec = rows[i].usec;
		is_str(cell("timestamp"), rows[i].want, "timestamp %s", rows[i].want);
	}
	for (sec = 0; sec < 253402300800LL && bad < 3; sec += 86400LL * 97 + 3671) {
		time_t t = (time_t)sec;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.007Z", &tm);
		res.started.tv_sec = t;
		res.started.tv_usec = 7000;
		if (strcmp(cell("timestamp"), want) != 0) {
			bad++;
			is_str(cell("timestamp"), want, "timestamp of %lld", sec);
		}
	}
	is_int(bad, 0, "timestamps from 1970 to 9999 as strftime writes them");
}

/* Numbers are written without printf: their edges. */
static void
test_numbers(void)
{
	res.duration_ms = 0;
	is_str(cell("duration_ms"), "0", "duration_ms 0");
	res.duration_ms = 4294967295u;
	is_str(cell("duration_ms"), "4294967295", "duration_ms at its largest");
	res.duration_ms = 1000;
	is_str(cell("duration_ms"), "1000", "duration_ms 1000");
	res.target.salen = sizeof(struct sockaddr_in);
	res.target.port = 65535;
	is_str(cell("port"), "65535", "port at its largest");
	res.target.port = 1;
	is_str(cell("port"), "1", "port 1");
	res.ntests = 0;
	add_test("t", -1, 2147483647);
	add_test("u", -2147483647 - 1, 10);
	is_str(cell("relay_tests"), "t:-1/2147483647;u:-2147483648/10",
	       "relay_tests codes: any int, as printf writes it");
	res.ntests = 0;
}

int
main(void)
{
	test_table();
	test_probed();
	test_tls();
	test_skipped();
	test_unterminated();
	test_kinds();
	test_timestamps();
	test_numbers();
	return tap_done();
}
