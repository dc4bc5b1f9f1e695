/*
 * columns.c: the one table of report columns (see columns.h).
 *
 * Each format function appends a cell's raw value: server bytes exactly as
 * stored, unescaped. Escaping belongs to the writer, since CSV and a terminal
 * need different things. Names and order are part of the output format:
 * append new columns at the end, never rename or reorder one.
 *
 * Text fields of struct probe_result are read up to their first NUL and never
 * past their array, so a field that the prober failed to terminate is still
 * read in bounds.
 */
#include "reports/columns.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "targets/suspects.h"

static void col_timestamp(const struct probe_result *r, struct strbuf *sb);
static void col_ip(const struct probe_result *r, struct strbuf *sb);
static void col_port(const struct probe_result *r, struct strbuf *sb);
static void col_source_ip(const struct probe_result *r, struct strbuf *sb);
static void col_origin(const struct probe_result *r, struct strbuf *sb);
static void col_verdict(const struct probe_result *r, struct strbuf *sb);
static void col_error(const struct probe_result *r, struct strbuf *sb);
static void col_flags(const struct probe_result *r, struct strbuf *sb);
static void col_banner(const struct probe_result *r, struct strbuf *sb);
static void col_ehlo_name(const struct probe_result *r, struct strbuf *sb);
static void col_extensions(const struct probe_result *r, struct strbuf *sb);
static void col_relay_tests(const struct probe_result *r, struct strbuf *sb);
static void col_last_reply(const struct probe_result *r, struct strbuf *sb);
static void col_duration_ms(const struct probe_result *r, struct strbuf *sb);
/* Relay matrix and fingerprint. */
static void col_relay_accepted_by(const struct probe_result *r, struct strbuf *sb);
static void col_mta(const struct probe_result *r, struct strbuf *sb);
static void col_mta_confidence(const struct probe_result *r, struct strbuf *sb);
static void col_mta_rules(const struct probe_result *r, struct strbuf *sb);
/* TLS */
static void col_starttls(const struct probe_result *r, struct strbuf *sb);
static void col_tls_version(const struct probe_result *r, struct strbuf *sb);
static void col_tls_cipher(const struct probe_result *r, struct strbuf *sb);
static void col_cert_subject(const struct probe_result *r, struct strbuf *sb);
static void col_cert_issuer(const struct probe_result *r, struct strbuf *sb);
static void col_cert_san(const struct probe_result *r, struct strbuf *sb);
static void col_cert_not_before(const struct probe_result *r, struct strbuf *sb);
static void col_cert_not_after(const struct probe_result *r, struct strbuf *sb);
static void col_cert_sha256(const struct probe_result *r, struct strbuf *sb);
static void col_cert_self_signed(const struct probe_result *r, struct strbuf *sb);
static void col_cert_expired(const struct probe_result *r, struct strbuf *sb);
static void col_cert_verify(const struct probe_result *r, struct strbuf *sb);
static void col_cert_matches(const struct probe_result *r, struct strbuf *sb);
static void col_tls_error(const struct probe_result *r, struct strbuf *sb);
/* Columns of targets from a message (--message). */
static void col_hop(const struct probe_result *r, struct strbuf *sb);
static void col_message_flags(const struct probe_result *r, struct strbuf *sb);
static void col_transcript(const struct probe_result *r, struct strbuf *sb);
static void col_change(const struct probe_result *r, struct strbuf *sb);

/* Reverse DNS. */
static void col_ptr(const struct probe_result *r, struct strbuf *sb);
static void col_fcrdns(const struct probe_result *r, struct strbuf *sb);
/* The abuse desk's DNS (--dnsbl, --asn, --abuse-contact). */
static void col_dnsbl(const struct probe_result *r, struct strbuf *sb);
static void col_dnsbl_error(const struct probe_result *r, struct strbuf *sb);
static void col_asn(const struct probe_result *r, struct strbuf *sb);
static void col_as_prefix(const struct probe_result *r, struct strbuf *sb);
static void col_as_country(const struct probe_result *r, struct strbuf *sb);
static void col_as_name(const struct probe_result *r, struct strbuf *sb);
static void col_abuse_contact(const struct probe_result *r, struct strbuf *sb);

const struct column report_columns[] = {
    {"timestamp", "when the probe started (for a skipped row: when it was made), UTC, ISO 8601",
     col_timestamp, COL_STRING},
    {"ip", "the target address; empty for an input line that is not an address", col_ip,
     COL_STRING},
    {"port", "the target TCP port; empty for an input line that is not an address", col_port,
     COL_NUMBER},
    {"source_ip", "our side of the connection (a server may trust our network)", col_source_ip,
     COL_STRING},
    {"origin",
     "where the target came from: file:line, arg:N, or a message; then the host name or "
     "mx:DOMAIN and MX host it was resolved from",
     col_origin, COL_STRING},
    {"verdict",
     "accepts-relay, accepts-localhost, auth-required, smtp-closed, tempfail, "
     "refused-service, not-smtp, unreachable or skipped",
     col_verdict, COL_STRING},
    {"error", "what stopped the dialogue early, or why a skipped target was not probed", col_error,
     COL_STRING},
    {"flags", "context flags, ';'-joined (starttls, helo-fallback, localhost-name, ...)", col_flags,
     COL_LIST},
    {"banner", "the greeting, code included, lines joined by newlines", col_banner, COL_STRING},
    {"ehlo_name", "the name the server gave in its EHLO or HELO reply", col_ehlo_name, COL_STRING},
    {"extensions", "EHLO keywords with their parameters, ';'-joined", col_extensions, COL_LIST},
    {"relay_tests",
     "each relay test as name:MAIL/RCPT reply codes, ';'-joined, '-' if not reached; "
     "a retried test shows its first codes too (name:451/-,250/250)",
     col_relay_tests, COL_LIST},
    {"last_reply", "the last reply line the server sent, code included", col_last_reply,
     COL_STRING},
    {"duration_ms", "how long the dialogue took, in milliseconds", col_duration_ms, COL_NUMBER},
    /* Relay matrix and fingerprint. */
    {"relay_accepted_by", "the relay tests whose RCPT was accepted, ';'-joined",
     col_relay_accepted_by, COL_LIST},
    {"mta", "the MTA software the replies point to (qmail, postfix, exim, ...), or empty", col_mta,
     COL_STRING},
    {"mta_confidence", "how sure the fingerprint is, 0 to 100", col_mta_confidence, COL_NUMBER},
    {"mta_rules", "the fingerprint rules that matched, ';'-joined", col_mta_rules, COL_LIST},
    /* TLS. The cert_* cells are empty when no certificate was seen. */
    {"starttls",
     "none, offered (not used), used (tests ran inside TLS), failed, or implicit (SMTPS)",
     col_starttls, COL_STRING},
    {"tls_version", "the TLS version negotiated (TLSv1.3, TLSv1.2, ...)", col_tls_version,
     COL_STRING},
    {"tls_cipher", "the cipher suite negotiated, OpenSSL's name", col_tls_cipher, COL_STRING},
    {"cert_subject", "the server certificate's subject, as openssl x509 -subject prints it",
     col_cert_subject, COL_STRING},
    {"cert_issuer", "the certificate's issuer, in the same form", col_cert_issuer, COL_STRING},
    {"cert_san", "the certificate's subjectAltName DNS names, ';'-joined", col_cert_san, COL_LIST},
    {"cert_not_before", "start of validity, UTC, ISO 8601", col_cert_not_before, COL_STRING},
    {"cert_not_after", "end of validity, UTC, ISO 8601", col_cert_not_after, COL_STRING},
    {"cert_sha256", "SHA-256 fingerprint of the leaf certificate, colon-separated hex",
     col_cert_sha256, COL_STRING},
    {"cert_self_signed", "yes or no: the certificate signs itself", col_cert_self_signed,
     COL_STRING},
    {"cert_expired", "yes or no: past its end of validity when probed", col_cert_expired,
     COL_STRING},
    {"cert_verify", "OpenSSL's verify result (ok, or why not: recorded, never enforced)",
     col_cert_verify, COL_STRING},
    {"cert_matches",
     "yes or no: a certificate name matches the target's host name, else a PTR name; "
     "empty when neither is known",
     col_cert_matches, COL_STRING},
    {"tls_error", "why the TLS handshake failed, OpenSSL's reason", col_tls_error, COL_STRING},
    /* Targets from a message (--message). */
    {"hop", "for --message: the hop in the Received chain, N:role (1 is the newest line)", col_hop,
     COL_STRING},
    {"message_flags",
     "for --message: the message's telltales, ';'-joined (localhost-helo, lan-hops, ...)",
     col_message_flags, COL_LIST},
    /* Audit reports. */
    {"transcript", "the evidence file of the dialogue (--transcripts), empty without",
     col_transcript, COL_STRING},
    {"change", "against --baseline: new, same, changed:<old verdict> or gone; empty without",
     col_change, COL_STRING},
    /* Reverse DNS. */
    {"ptr", "the address's PTR names, ';'-joined; empty for none or with --no-dns", col_ptr,
     COL_LIST},
    {"fcrdns",
     "forward-confirmed reverse DNS: yes, no, none (no PTR), timeout or error; "
     "empty with --no-dns",
     col_fcrdns, COL_STRING},
    /* The abuse desk's DNS (--dnsbl, --asn, --abuse-contact). */
    {"dnsbl",
     "--dnsbl: the zones that list the address, ZONE=ANSWER (the operator's words), "
     "';'-joined; empty for none",
     col_dnsbl, COL_LIST},
    {"dnsbl_error",
     "--dnsbl: zones that answered an error code (127.255.255.x: typo, public resolver "
     "refused, too many queries), never a listing",
     col_dnsbl_error, COL_LIST},
    {"asn", "--asn: the origin AS numbers of the address's prefix (Team Cymru)", col_asn, COL_LIST},
    {"as_prefix", "--asn: the announced prefixes", col_as_prefix, COL_LIST},
    {"as_country", "--asn: the registry's country codes", col_as_country, COL_LIST},
    {"as_name", "--asn: the origin ASes' names", col_as_name, COL_LIST},
    {"abuse_contact", "--abuse-contact: the network's abuse mailboxes (Abusix)", col_abuse_contact,
     COL_LIST},
};

const size_t report_ncolumns = sizeof(report_columns) / sizeof(report_columns[0]);

int
report_column_index(const char *name)
{
	size_t i;

	for (i = 0; i < report_ncolumns; i++)
		if (strcmp(report_columns[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Appends a fixed-size text field up to its NUL, never past its array. */
static void
put_field(struct strbuf *sb, const char *field, size_t size)
{
	if (field[0] != '\0') /* most are empty */
		sb_append(sb, field, strnlen(field, size));
}

#define PUT_FIELD(sb, arr) put_field((sb), (arr), sizeof(arr))

/* A column that is one text field of the result, as stored. */
#define TEXT_COLUMN(fn, member)                                                                    \
	static void fn(const struct probe_result *r, struct strbuf *sb)                            \
	{                                                                                          \
		PUT_FIELD(sb, r->member);                                                          \
	}

/* Writes n as width digits, zero-padded, at p. */
static void
put_digits(char *p, unsigned long n, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

/*
 * "YYYY-MM-DDTHH:MM:SS.mmmZ", UTC. Every row has one, and gmtime_r with
 * strftime cost more than the rest of a row: rows come about in time
 * order, so the text up to the second is made once a second and kept (one
 * writer thread writes rows), and only the milliseconds are new.
 */
static void
col_timestamp(const struct probe_result *r, struct strbuf *sb)
{
	static time_t kept_sec = (time_t)-1;
	static char kept[sizeof("YYYY-MM-DDTHH:MM:SS")];
	time_t t = r->started.tv_sec;
	long ms = (long)r->started.tv_usec / 1000;
	char frac[sizeof(".mmmZ") - 1];

	if (t != kept_sec || kept_sec == (time_t)-1) {
		struct tm tm;

		kept_sec = (time_t)-1;
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(kept, sizeof(kept), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
			return;
		kept_sec = t;
	}
	if (ms < 0 || ms > 999)
		ms = 0;
	memcpy(frac, ".000Z", sizeof(frac));
	put_digits(frac + 1, (unsigned long)ms, 3);
	sb_puts(sb, kept);
	sb_append(sb, frac, sizeof(frac));
}

TEXT_COLUMN(col_ip, target.ip)

static void
col_port(const struct probe_result *r, struct strbuf *sb)
{
	if (r->target.salen == 0)
		return;
	sb_put_int(sb, r->target.port);
}

TEXT_COLUMN(col_source_ip, source_ip)
TEXT_COLUMN(col_origin, target.origin)

static void
col_verdict(const struct probe_result *r, struct strbuf *sb)
{
	sb_puts(sb, verdict_name(r->verdict));
}

static void
col_error(const struct probe_result *r, struct strbuf *sb)
{
	if (r->verdict == VERDICT_SKIPPED)
		PUT_FIELD(sb, r->target.skip_reason);
	else
		sb_puts(sb, probe_error_name(r->error));
}

static void
col_flags(const struct probe_result *r, struct strbuf *sb)
{
	unsigned int rest, i;
	int first = 1;

	/* The bits that are set, lowest first. */
	for (rest = r->flags; rest != 0; rest &= rest - 1) {
		unsigned int bit = rest & (0u - rest);
		const char *name;

		if (!first)
			sb_putc(sb, ';');
		first = 0;
		/* A bit this build has no name for is still shown, not dropped. */
		name = probe_flag_name(bit);
		if (name != NULL) {
			sb_puts(sb, name);
			continue;
		}
		for (i = 0; bit >> i != 1; i++)
			;
		sb_printf(sb, "bit%u", i);
	}
	/* The abuse desk's DNS. */
	if (r->abuse != NULL && r->abuse->listed) {
		sb_puts(sb, first ? "" : ";");
		sb_puts(sb, "dnsbl-listed");
		first = 0;
	}
	if (r->abuse != NULL && r->abuse->dnsbl_error[0] != '\0')
		sb_puts(sb, first ? "dnsbl-error" : ";dnsbl-error");
}

TEXT_COLUMN(col_banner, banner)
TEXT_COLUMN(col_ehlo_name, ehlo_name)
TEXT_COLUMN(col_extensions, extensions)

static void
put_code(struct strbuf *sb, int code)
{
	if (code == 0)
		sb_putc(sb, '-');
	else
		sb_put_int(sb, code);
}

static void
col_relay_tests(const struct probe_result *r, struct strbuf *sb)
{
	size_t i, n = r->ntests;

	if (n > RELAY_TESTS_MAX)
		n = RELAY_TESTS_MAX;
	for (i = 0; i < n; i++) {
		const struct relay_result *t = &r->tests[i];

		if (i > 0)
			sb_putc(sb, ';');
		sb_puts(sb, t->name != NULL ? t->name : "?");
		sb_putc(sb, ':');
		if (t->retried) {
			put_code(sb, t->first_mail_code);
			sb_putc(sb, '/');
			put_code(sb, t->first_rcpt_code);
			sb_putc(sb, ',');
		}
		put_code(sb, t->mail_code);
		sb_putc(sb, '/');
		put_code(sb, t->rcpt_code);
	}
}

TEXT_COLUMN(col_last_reply, last_reply)

static void
col_duration_ms(const struct probe_result *r, struct strbuf *sb)
{
	sb_put_int(sb, r->duration_ms);
}

static void
col_relay_accepted_by(const struct probe_result *r, struct strbuf *sb)
{
	size_t i, n = r->ntests < RELAY_TESTS_MAX ? r->ntests : RELAY_TESTS_MAX;
	const char *sep = "";

	/* cppcheck-suppress knownConditionTrueFalse ; n is ntests, capped, not 0 */
	for (i = 0; i < n; i++) {
		const struct relay_result *t = &r->tests[i];

		/* Accepting postmaster is every server's duty, not a relay. */
		if (t->kind == RELAY_POSTMASTER || t->mail_code / 100 != 2 ||
		    (t->rcpt_code / 100 != 2 && t->rcpt_code / 100 != 3))
			continue;
		sb_puts(sb, sep);
		sb_puts(sb, t->name != NULL ? t->name : "?");
		sep = ";";
	}
}

static void
col_mta(const struct probe_result *r, struct strbuf *sb)
{
	if (r->mta != NULL)
		sb_puts(sb, r->mta);
}

static void
col_mta_confidence(const struct probe_result *r, struct strbuf *sb)
{
	if (r->mta != NULL)
		sb_put_int(sb, r->mta_confidence);
}

TEXT_COLUMN(col_mta_rules, mta_rules)

/* TLS */

static void
col_starttls(const struct probe_result *r, struct strbuf *sb)
{
	/* Empty where no dialogue took place (skipped, unreachable). */
	if (r->connected || r->tls.use != TLS_NONE)
		sb_puts(sb, tls_use_name(r->tls.use));
}

TEXT_COLUMN(col_tls_version, tls.version)
TEXT_COLUMN(col_tls_cipher, tls.cipher)
TEXT_COLUMN(col_cert_subject, tls.subject)
TEXT_COLUMN(col_cert_issuer, tls.issuer)
TEXT_COLUMN(col_cert_san, tls.san)
TEXT_COLUMN(col_cert_not_before, tls.not_before)
TEXT_COLUMN(col_cert_not_after, tls.not_after)
TEXT_COLUMN(col_cert_sha256, tls.sha256)

static void
put_yes_no(const struct probe_result *r, struct strbuf *sb, int v)
{
	if (r->tls.have_cert)
		sb_puts(sb, v ? "yes" : "no");
}

static void
col_cert_self_signed(const struct probe_result *r, struct strbuf *sb)
{
	put_yes_no(r, sb, r->tls.self_signed);
}

static void
col_cert_expired(const struct probe_result *r, struct strbuf *sb)
{
	put_yes_no(r, sb, r->tls.expired);
}

TEXT_COLUMN(col_cert_verify, tls.verify)

static void
col_cert_matches(const struct probe_result *r, struct strbuf *sb)
{
	if (r->tls.matches >= 0)
		put_yes_no(r, sb, r->tls.matches);
}

TEXT_COLUMN(col_tls_error, tls.error)
TEXT_COLUMN(col_hop, target.hop)

static void
col_message_flags(const struct probe_result *r, struct strbuf *sb)
{
	char buf[REPORT_CELL_MAX];

	if (r->target.message_flags == 0)
		return; /* a target from a list or a range */
	message_flags_format(r->target.message_flags, buf, sizeof(buf));
	sb_puts(sb, buf);
}

/* Audit reports. */
TEXT_COLUMN(col_transcript, transcript)
TEXT_COLUMN(col_change, change)

/* Reverse DNS. */
TEXT_COLUMN(col_ptr, ptr)

static void
col_fcrdns(const struct probe_result *r, struct strbuf *sb)
{
	sb_puts(sb, fcrdns_name(r->fcrdns));
}

/* The abuse desk's DNS: empty when not asked. */
#define ABUSE_COLUMN(fn, member)                                                                   \
	static void fn(const struct probe_result *r, struct strbuf *sb)                            \
	{                                                                                          \
		if (r->abuse != NULL)                                                              \
			PUT_FIELD(sb, r->abuse->member);                                           \
	}

ABUSE_COLUMN(col_dnsbl, dnsbl)
ABUSE_COLUMN(col_dnsbl_error, dnsbl_error)
ABUSE_COLUMN(col_asn, asn)
ABUSE_COLUMN(col_as_prefix, as_prefix)
ABUSE_COLUMN(col_as_country, as_country)
ABUSE_COLUMN(col_as_name, as_name)
ABUSE_COLUMN(col_abuse_contact, abuse_contact)

/* --columns. */
static size_t selection[REPORT_COLUMNS_MAX];
static size_t nselection; /* 0: every column */

int
report_columns_select(const char *list, char *err, size_t errlen)
{
	size_t sel[REPORT_COLUMNS_MAX], n = 0, k;
	const char *p = list, *comma;
	char name[64];

	for (;;) {
		size_t len;
		int i;

		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(name)) {
			snprintf(err, errlen, "an empty or too long column name");
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if ((i = report_column_index(name)) < 0) {
			struct strbuf sb;
			char shown[128];

			sb_init(&sb, shown, sizeof(shown));
			sb_append_escaped(&sb, name, len);
			snprintf(err, errlen, "no column \"%s\" (see --help-columns)", shown);
			return -1;
		}
		for (k = 0; k < n; k++) {
			if (sel[k] == (size_t)i) {
				snprintf(err, errlen, "column \"%s\" named twice", name);
				return -1;
			}
		}
		if (n == REPORT_COLUMNS_MAX) {
			snprintf(err, errlen, "more than %d columns", REPORT_COLUMNS_MAX);
			return -1;
		}
		sel[n++] = (size_t)i;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	memcpy(selection, sel, n * sizeof(sel[0]));
	nselection = n;
	return 0;
}

size_t
report_nselected(void)
{
	return nselection > 0 ? nselection : report_ncolumns;
}

size_t
report_selected(size_t j)
{
	return nselection > 0 ? selection[j] : j;
}
