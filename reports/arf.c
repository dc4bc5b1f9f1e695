/*
 * arf.c: abuse reports; see arf.h.
 *
 * The MIME structure and its transfer encodings are GMime's; what goes in
 * each part is ours. A report is written on the loop, when its dialogue
 * ends: only accepting targets get one, and that is rare enough that a
 * file write (and reading the spam again from its file) costs nothing
 * against the run; every other dialogue's lines are just dropped.
 */
#include "config.h"

#include "reports/arf.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "record/relay.h"
#include "reports/evidence.h"
#include "reports/transcript.h"
#include "targets/message.h"
#include "targets/received.h"
#include "targets/suspects.h"

#define ARF_CHUNK 2048                     /* a dialogue's buffer grows by this much */
#define ARF_LINE  (SMTP_LINE_MAX * 4 + 64) /* one transcript line, escaped, stamped */
#define ARF_TEXT  65536                    /* the report's human-readable part */
/* The first bytes of every report: a file that does not start so is not
 * ours, and is never replaced. */
#define ARF_MAGIC "X-Smtpprobe-Report: "
/* Ended dialogues whose report waits for the final row (with its DNS
 * facts): one per accepting target whose row the engine still holds, so
 * at most the concurrency's worth, and acceptances are rare. */
#define ARF_PENDING_MAX    1024
#define ARF_LOCAL_PART_MAX 64 /* a To: mailbox's local part (RFC 5321) */

struct dialogue;

struct arf {
	struct arf_options o;
	char dir[TRANSCRIPT_PATH_MAX];
	int dirfd;
	const struct session_observer *next;
	struct session_observer obs;
	size_t written, failed;
	char first_failure[TRANSCRIPT_PATH_MAX + 64];
	struct dialogue *pending[ARF_PENDING_MAX]; /* oldest first */
	size_t npending;
};

/* One dialogue: its lines, and the next observer's handle. */
struct dialogue {
	struct arf *a;
	void *next;
	char *buf;
	size_t len, cap;
	int cut;
	struct probe_result *row; /* pending: the row as the dialogue ended (abuse NULL) */
};

static void *obs_open(void *arg, const struct target *t);
static void obs_line(void *handle, enum observe_kind kind, const char *bytes, size_t len);
static void obs_close(void *handle, struct probe_result *r);
static void write_report(struct arf *a, struct dialogue *d, const struct probe_result *r);
static void dialogue_free(struct dialogue *d);

struct arf *
arf_new(const struct arf_options *o, const struct session_observer *next, char *err, size_t errlen)
{
	struct arf *a;
	size_t n = strlen(o->dir);
	int dirfd =
	    evidence_dir_open(o->dir, "--abuse-report", INET6_ADDRSTRLEN + 16 + 8, err, errlen);

	if (dirfd < 0)
		return NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(dirfd);
		return NULL;
	}
	message_mime_init();
	a->o = *o;
	a->dirfd = dirfd;
	memcpy(a->dir, o->dir, n + 1);
	while (n > 1 && a->dir[n - 1] == '/')
		a->dir[--n] = '\0';
	a->o.dir = a->dir;
	a->next = next;
	a->obs.open = obs_open;
	a->obs.line = obs_line;
	a->obs.close = obs_close;
	a->obs.arg = a;
	return a;
}

void
arf_free(struct arf *a)
{
	if (a == NULL)
		return;
	arf_flush(a);
	close(a->dirfd);
	free(a);
}

const struct session_observer *
arf_observer(struct arf *a)
{
	return &a->obs;
}

size_t
arf_written(const struct arf *a)
{
	return a->written;
}

size_t
arf_failed(const struct arf *a, const char **first)
{
	if (first != NULL)
		*first = a->first_failure;
	return a->failed;
}

int
arf_wanted(const struct probe_result *r)
{
	return probe_result_finished(r) &&
	       (r->verdict == VERDICT_ACCEPTS_RELAY || r->verdict == VERDICT_ACCEPTS_LOCALHOST);
}

/* A plain mailbox: an atom-text local part, '@', a host name. */
static int
mailbox_ok(const char *s)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "0123456789.!#$%&'*+/=?^_`{|}~-";
	size_t local = strspn(s, atext);

	return local > 0 && local <= ARF_LOCAL_PART_MAX && s[local] == '@' &&
	       relay_name_ok(s + local + 1);
}

int
arf_recipient(const struct probe_result *r, char *out, size_t size)
{
	size_t n;

	out[0] = '\0';
	if (r->abuse == NULL)
		return 0;
	/* The first of the ';'-joined mailboxes; the lookup keeps only plain
	 * ones, and what is not one is never put in a header. */
	n = strcspn(r->abuse->abuse_contact, ";");
	if (n == 0 || n >= size)
		return 0;
	memcpy(out, r->abuse->abuse_contact, n);
	out[n] = '\0';
	if (!mailbox_ok(out)) {
		out[0] = '\0';
		return 0;
	}
	return 1;
}

/* ---- The dialogue's lines, as in a transcript. ---- */

/*
 * Adds one line. Room for two more lines is kept below the cap, so that
 * the cut notice and the end line (last) always fit: a dialogue longer
 * than TRANSCRIPT_BYTES_MAX is cut, once, and says so, as a transcript.
 */
static void
add_line(struct dialogue *d, char kind, const char *bytes, size_t len, int last)
{
	static const char cut[] = "# ... transcript cut here: longer than its cap\n";
	size_t need = d->len + (last ? 1 : 3) * ARF_LINE;

	if (d->cut && !last)
		return;
	if (need > d->cap) {
		size_t cap = (need + ARF_CHUNK - 1) / ARF_CHUNK * ARF_CHUNK;
		char *nb = cap <= TRANSCRIPT_BYTES_MAX ? realloc(d->buf, cap) : NULL;

		if (nb == NULL) {
			if (!last && !d->cut && d->len + sizeof(cut) <= d->cap) {
				memcpy(d->buf + d->len, cut, sizeof(cut) - 1);
				d->len += sizeof(cut) - 1;
			}
			d->cut = 1;
			if (!last || d->len + ARF_LINE > d->cap)
				return;
		} else {
			d->buf = nb;
			d->cap = cap;
		}
	}
	transcript_append_line(d->buf, &d->len, d->cap, kind, bytes, len);
}

static void *
obs_open(void *arg, const struct target *t)
{
	struct arf *a = arg;
	struct dialogue *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->a = a;
	if (a->next != NULL)
		d->next = a->next->open(a->next->arg, t);
	add_line(d, OBSERVE_NOTE, "connecting", 10, 0);
	return d;
}

static void
obs_line(void *handle, enum observe_kind kind, const char *bytes, size_t len)
{
	struct dialogue *d = handle;

	if (d->next != NULL)
		d->a->next->line(d->next, kind, bytes, len);
	add_line(d, (char)kind, bytes, len, 0);
}

/* ---- The report. ---- */

static void
put_escaped(struct strbuf *sb, const char *s, size_t max)
{
	sb_append_escaped(sb, s, strnlen(s, max));
}

static const char *
verdict_meaning(enum verdict v)
{
	return v == VERDICT_ACCEPTS_RELAY
	           ? "the server accepted a recipient in another domain from an outside "
	             "sender: it relays for anyone (an open relay)"
	           : "the server accepted a recipient at localhost or at its own address "
	             "literal from an outside sender: it can be made to relay";
}

/* The n-th item of a ';'-joined list s, escaped, or nothing. */
static void
put_item(struct strbuf *sb, const char *s, size_t max, size_t n)
{
	size_t len = strnlen(s, max);

	while (n > 0) {
		const char *semi = memchr(s, ';', len);

		if (semi == NULL)
			return;
		len -= (size_t)(semi + 1 - s);
		s = semi + 1;
		n--;
	}
	sb_append_escaped(sb, s, strcspn(s, ";") < len ? strcspn(s, ";") : len);
}

/* "Name: value" when value is not "". */
static void
put_fact(struct strbuf *sb, const char *name, const char *value, size_t max)
{
	if (value[0] == '\0')
		return;
	sb_puts(sb, name);
	put_escaped(sb, value, max);
	sb_putc(sb, '\n');
}

/* The abuse desk's DNS facts (--dnsbl, --asn, --abuse-contact). */
static void
abuse_lines(const struct abuse_facts *f, struct strbuf *sb)
{
	size_t i, n = 0;

	put_fact(sb, "DNSBL listings: ", f->dnsbl, sizeof(f->dnsbl));
	put_fact(sb, "DNSBL errors: ", f->dnsbl_error, sizeof(f->dnsbl_error));
	/* One line per origin AS: its number, name, prefix and country, the
	 * lists being in the same order. */
	if (f->asn[0] != '\0')
		for (n = 1, i = 0; i < sizeof(f->asn) && f->asn[i] != '\0'; i++)
			n += f->asn[i] == ';';
	for (i = 0; i < n; i++) {
		size_t mark;

		sb_puts(sb, "Origin AS: AS");
		put_item(sb, f->asn, sizeof(f->asn), i);
		mark = sb->len;
		sb_puts(sb, " (");
		put_item(sb, f->as_name, sizeof(f->as_name), i);
		if (sb->len == mark + 2)
			sb->len = mark; /* no name */
		else
			sb_putc(sb, ')');
		mark = sb->len;
		sb_putc(sb, ' ');
		put_item(sb, f->as_prefix, sizeof(f->as_prefix), i);
		if (sb->len == mark + 1)
			sb->len = mark;
		mark = sb->len;
		sb_putc(sb, ' ');
		put_item(sb, f->as_country, sizeof(f->as_country), i);
		if (sb->len == mark + 1)
			sb->len = mark;
		sb_putc(sb, '\n');
	}
	put_fact(sb, "Abuse contact: ", f->abuse_contact, sizeof(f->abuse_contact));
}

void
arf_facts(const struct probe_result *r, struct strbuf *sb)
{
	const struct target *t = &r->target;
	char when[64];
	struct tm tm;
	time_t sec = r->started.tv_sec;
	size_t i;

	sb_printf(sb, "Target: %s port %u\n", t->ip, (unsigned)t->port);
	if (t->hostname[0] != '\0') {
		sb_puts(sb, "Host name: ");
		put_escaped(sb, t->hostname, sizeof(t->hostname));
		sb_putc(sb, '\n');
	}
	if (t->message[0] != '\0') {
		sb_puts(sb, "Found in: the Received chain of ");
		put_escaped(sb, t->origin, sizeof(t->origin));
		sb_puts(sb, " (");
		put_escaped(sb, t->message, sizeof(t->message));
		sb_puts(sb, "), hop ");
		put_escaped(sb, t->hop, sizeof(t->hop));
		sb_putc(sb, '\n');
		if (t->message_flags != 0) {
			char buf[256];

			message_flags_format(t->message_flags, buf, sizeof(buf));
			sb_printf(sb, "Message telltales: %s\n", buf);
		}
	}
	if (gmtime_r(&sec, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) > 0)
		sb_printf(sb, "Tested: %s", when);
	if (r->source_ip[0] != '\0')
		sb_printf(sb, ", from %s", r->source_ip);
	sb_putc(sb, '\n');
	sb_printf(sb, "Verdict: %s: %s\n", verdict_name(r->verdict), verdict_meaning(r->verdict));
	sb_puts(sb, "RCPT accepted; delivery not tested: smtpprobe never sends DATA, so no "
	            "message was delivered.\n");
	sb_puts(sb, "Banner: ");
	put_escaped(sb, r->banner, sizeof(r->banner));
	sb_putc(sb, '\n');
	if (r->ehlo_name[0] != '\0') {
		sb_puts(sb, "EHLO name: ");
		put_escaped(sb, r->ehlo_name, sizeof(r->ehlo_name));
		sb_putc(sb, '\n');
	}
	if (r->mta != NULL)
		sb_printf(sb, "Server software (guessed): %s, %d%% confidence\n", r->mta,
		          r->mta_confidence);
	if (r->fcrdns != FCRDNS_UNKNOWN) {
		sb_puts(sb, "Reverse DNS: ");
		if (r->ptr[0] != '\0')
			put_escaped(sb, r->ptr, sizeof(r->ptr));
		else
			sb_puts(sb, "no PTR name");
		sb_printf(sb, " (forward-confirmed: %s)\n", fcrdns_name(r->fcrdns));
	}
	if (r->abuse != NULL)
		abuse_lines(r->abuse, sb);
	sb_puts(sb, "Relay tests (MAIL FROM, RCPT TO, the server's answer):\n");
	for (i = 0; i < r->ntests; i++) {
		const struct relay_result *x = &r->tests[i];
		char from[SMTP_ADDR_MAX], to[SMTP_ADDR_MAX];

		if (x->mail_code == 0 && x->rcpt_code == 0)
			continue;
		if (relay_address(r, i, RELAY_SENDER, from, sizeof(from)) != 0)
			from[0] = '\0';
		if (relay_address(r, i, RELAY_RECIPIENT, to, sizeof(to)) != 0)
			to[0] = '\0';
		sb_printf(sb, "  %s: MAIL FROM:<", x->name);
		put_escaped(sb, from, sizeof(from));
		sb_printf(sb, "> %d, RCPT TO:<", x->mail_code);
		put_escaped(sb, to, sizeof(to));
		sb_printf(sb, "> %d%s: ", x->rcpt_code,
		          x->rcpt_code >= 200 && x->rcpt_code < 300 ? " ACCEPTED" : "");
		put_escaped(sb, x->reply, sizeof(x->reply));
		sb_putc(sb, '\n');
	}
}

/* The date of the newest Received field of msg, or "" (Arrival-Date). */
static void
arrival_date(const char *msg, size_t len, char *out, size_t size)
{
	struct message_header *m = malloc(sizeof(*m));
	struct hop *h = malloc(sizeof(*h));

	out[0] = '\0';
	if (m != NULL && h != NULL && message_parse_header(msg, len, m, NULL, 0) == 0) {
		received_parse(msg + m->received_off[0], m->received_len[0], h);
		if (h->date_ok) {
			struct strbuf sb;
			size_t i;
			int blank = 0;

			/* Unfolded, its blanks made one space. */
			sb_init(&sb, out, size);
			for (i = 0; h->date[i] != '\0'; i++) {
				char c = h->date[i];

				if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
					blank = sb.len > 0;
					continue;
				}
				if (blank)
					sb_putc(&sb, ' ');
				blank = 0;
				if ((unsigned char)c >= 0x80)
					c = '?';
				sb_putc(&sb, c);
			}
		}
	}
	free(m);
	free(h);
}

/* A leaf part holding bytes as they are, with enc as its transfer encoding. */
static GMimePart *
leaf(const char *type, const char *subtype, const char *bytes, size_t len, GMimeContentEncoding enc)
{
	GMimePart *p = g_mime_part_new_with_type(type, subtype);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(bytes, len);
	GMimeDataWrapper *dw =
	    g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(p, dw);
	g_mime_part_set_content_encoding(p, enc);
	g_object_unref(dw);
	g_object_unref(s);
	return p;
}

/* 7bit when every byte is ASCII, else 8bit: message/ parts take no other. */
static GMimeContentEncoding
identity_encoding(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return GMIME_CONTENT_ENCODING_8BIT;
	return GMIME_CONTENT_ENCODING_7BIT;
}

/* The human part: what was tested, what was accepted, what is attached. */
static void
human_part(struct strbuf *sb, const struct probe_result *r, const struct arf_options *o, int has_to,
           const char *message, const char *why_no_message)
{
	sb_printf(sb,
	          "This is an abuse report about a mail server at %s port %u that accepts mail "
	          "for relaying.\nIt was made by smtpprobe %s, which never sends it: whoever "
	          "sends it has reviewed it.\n\n",
	          r->target.ip, (unsigned)r->target.port, PACKAGE_VERSION);
	arf_facts(r, sb);
	if (!has_to)
		sb_puts(sb, "\nAbuse contact: not known to smtpprobe (the report has no To:).\n");
	if (message == NULL && why_no_message != NULL)
		sb_printf(sb, "\nThe message this target came from is not attached: %s\n",
		          why_no_message);
	sb_puts(sb, "\nAttached: ");
	if (message != NULL)
		sb_puts(sb, o->headers_only ? "the header of the message, " : "the message, ");
	sb_puts(sb, "the machine-readable report (RFC 5965) and the transcript of the "
	            "dialogue.\n");
}

/* The machine-readable part (RFC 5965 section 3.1). */
static void
feedback_part(struct strbuf *sb, const struct probe_result *r, const char *message,
              size_t message_len)
{
	const struct target *t = &r->target;
	/* The domain reported: the name the target was given by, else its
	 * first PTR name. */
	const char *d = t->hostname[0] != '\0' ? t->hostname : r->ptr;
	size_t dn = strcspn(d, ";");
	char domain[DNS_HOSTNAME_MAX];

	sb_printf(sb, "Feedback-Type: abuse\nUser-Agent: smtpprobe/%s\nVersion: 1\nSource-IP: %s\n",
	          PACKAGE_VERSION, t->ip);
	if (message != NULL) {
		char date[128];

		arrival_date(message, message_len, date, sizeof(date));
		if (date[0] != '\0')
			sb_printf(sb, "Arrival-Date: %s\n", date);
	}
	if (dn >= sizeof(domain))
		dn = 0;
	memcpy(domain, d, dn);
	domain[dn] = '\0';
	if (domain[0] != '\0' && relay_name_ok(domain))
		sb_printf(sb, "Reported-Domain: %s\n", domain);
}

/* A new message with the report's headers: From, To, Subject, Date, Message-ID. */
static GMimeMessage *
report_message(const struct probe_result *r, const struct arf_options *o, const char *to)
{
	const struct target *t = &r->target;
	GMimeMessage *m = g_mime_message_new(FALSE);
	char subject[256], date[128], msgid[256];
	const char *at = strrchr(o->from, '@');
	struct timeval now;
	struct tm tm;
	time_t sec;

	g_mime_object_append_header(GMIME_OBJECT(m), "X-Smtpprobe-Report", PACKAGE_VERSION, NULL);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM, NULL, o->from);
	if (to != NULL)
		g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, NULL, to);
	snprintf(subject, sizeof(subject), "Abuse report: %s port %u %s (open relay)", t->ip,
	         (unsigned)t->port, verdict_name(r->verdict));
	g_mime_message_set_subject(m, subject, NULL);
	gettimeofday(&now, NULL);
	sec = now.tv_sec;
	if (gmtime_r(&sec, &tm) != NULL &&
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm) > 0)
		g_mime_object_set_header(GMIME_OBJECT(m), "Date", date, NULL);
	snprintf(msgid, sizeof(msgid), "smtpprobe.%lld.%06ld.%ld.%u@%s", (long long)now.tv_sec,
	         (long)now.tv_usec, (long)getpid(), (unsigned)t->port,
	         at != NULL && at[1] != '\0' ? at + 1 : "smtpprobe.invalid");
	g_mime_message_set_message_id(m, msgid);
	return m;
}

/* Adds part to mp and lets go of it. */
static void
add_part(GMimeMultipart *mp, GMimePart *part)
{
	g_mime_multipart_add(mp, GMIME_OBJECT(part));
	g_object_unref(part);
}

/* The multipart/report: the two parts, then the evidence. */
static GMimeMultipart *
report_body(const struct target *t, const struct arf_options *o, const char *text,
            const char *feedback, const char *transcript, size_t transcript_len,
            const char *message, size_t message_len)
{
	GMimeMultipart *report = g_mime_multipart_new_with_subtype("report");
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(report));
	char fname[INET6_ADDRSTRLEN + 16];
	struct strbuf sb;
	GMimePart *p;

	g_mime_content_type_set_parameter(ct, "report-type", "feedback-report");
	p = leaf("text", "plain", text, strlen(text), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(p), "charset", "utf-8");
	add_part(report, p);
	add_part(report, leaf("message", "feedback-report", feedback, strlen(feedback),
	                      GMIME_CONTENT_ENCODING_7BIT));
	if (message != NULL) {
		size_t n = message_len;

		if (o->headers_only) /* the header section, with its empty line */
			message_header_length(message, message_len, &n);

		add_part(report, o->headers_only ? leaf("text", "rfc822-headers", message, n,
		                                        identity_encoding(message, n))
		                                 : leaf("message", "rfc822", message, n,
		                                        identity_encoding(message, n)));
	}
	sb_init(&sb, fname, sizeof(fname));
	transcript_file_name(t, &sb);
	p = leaf("text", "plain", transcript, transcript_len,
	         GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(p), "charset", "utf-8");
	g_mime_part_set_filename(p, fname);
	g_mime_object_set_disposition(GMIME_OBJECT(p), "attachment");
	add_part(report, p);
	return report;
}

int
arf_build(const struct probe_result *r, const struct arf_options *o, const char *transcript,
          size_t transcript_len, const char *message, size_t message_len,
          const char *why_no_message, char **out, size_t *outlen)
{
	char *text = malloc(ARF_TEXT), *feedback = malloc(ARF_TEXT);
	char to[ABUSE_CONTACT_MAX];
	int has_to = arf_recipient(r, to, sizeof(to));
	struct strbuf sb;
	GMimeMessage *m;
	GMimeMultipart *report;
	GMimeStream *ms;
	GByteArray *ba;
	int rc = -1;

	if (text == NULL || feedback == NULL) {
		free(text);
		free(feedback);
		return -1;
	}
	message_mime_init();
	sb_init(&sb, text, ARF_TEXT);
	human_part(&sb, r, o, has_to, message, why_no_message);
	sb_init(&sb, feedback, ARF_TEXT);
	feedback_part(&sb, r, message, message_len);

	m = report_message(r, o, has_to ? to : NULL);
	report = report_body(&r->target, o, text, feedback, transcript, transcript_len, message,
	                     message_len);
	g_mime_message_set_mime_part(m, GMIME_OBJECT(report));
	g_object_unref(report);

	ms = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, ms);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
	if (ba != NULL && ba->len > 0 && (*out = malloc(ba->len)) != NULL) {
		memcpy(*out, ba->data, ba->len);
		*outlen = ba->len;
		rc = 0;
	}
	g_object_unref(ms);
	g_object_unref(m);
	free(text);
	free(feedback);
	return rc;
}

static void
count_failure(struct arf *a, const char *path, int e, const char *why)
{
	if (a->failed++ == 0)
		snprintf(a->first_failure, sizeof(a->first_failure), "%s: %s", path,
		         why != NULL ? why : strerror(e));
}

static void
write_report(struct arf *a, struct dialogue *d, const struct probe_result *r)
{
	char name[INET6_ADDRSTRLEN + 16], path[TRANSCRIPT_PATH_MAX + INET6_ADDRSTRLEN + 16];
	char why_msg[TARGET_ORIGIN_MAX + TARGET_REASON_MAX];
	char *msg = NULL, *out = NULL;
	size_t msglen = 0, outlen = 0, n;
	const char *why = NULL;
	struct strbuf sb;
	int e;

	sb_init(&sb, name, sizeof(name));
	transcript_file_name(&r->target, &sb);
	n = strlen(name);
	if (n > 4 && strcmp(name + n - 4, ".txt") == 0)
		memcpy(name + n - 4, ".eml", 4);
	snprintf(path, sizeof(path), "%s/%s", a->dir, name);
	why_msg[0] = '\0';
	if (r->target.message[0] != '\0' &&
	    message_file_read_again(r->target.message, a->o.outer, &msg, &msglen, why_msg,
	                            sizeof(why_msg)) != 1)
		msg = NULL;
	if (arf_build(r, &a->o, d->buf != NULL ? d->buf : "", d->len, msg, msglen,
	              why_msg[0] != '\0' ? why_msg : NULL, &out, &outlen) != 0) {
		count_failure(a, path, ENOMEM, NULL);
		free(msg);
		return;
	}
	if ((e = evidence_write(a->dirfd, name, out, outlen, ARF_MAGIC, &why)) != 0)
		count_failure(a, path, e, why);
	else
		a->written++;
	free(out);
	free(msg);
}

static void
obs_close(void *handle, struct probe_result *r)
{
	struct dialogue *d = handle;
	struct arf *a = d->a;

	/* The transcript first: its writer fills the row's transcript field. */
	if (d->next != NULL)
		a->next->close(d->next, r);
	if (arf_wanted(r)) {
		char end[SMTP_TEXT_MAX];

		snprintf(end, sizeof(end),
		         "end: %s (RCPT accepted; delivery not tested: DATA is never sent)",
		         verdict_name(r->verdict));
		add_line(d, OBSERVE_NOTE, end, strlen(end), 1);
		/* The report waits for the final row, which has the DNS facts
		 * (PTR, --dnsbl, --asn, --abuse-contact) the engine adds after
		 * the dialogue: arf_row. Without room or memory to wait, it is
		 * written now with what is known. */
		if (a->npending < ARF_PENDING_MAX && (d->row = malloc(sizeof(*d->row))) != NULL) {
			*d->row = *r;
			d->row->abuse = NULL; /* the engine's, and not there yet */
			a->pending[a->npending++] = d;
			return;
		}
		write_report(a, d, r);
	}
	dialogue_free(d);
}

static void
dialogue_free(struct dialogue *d)
{
	free(d->row);
	free(d->buf);
	free(d);
}

void
arf_row(struct arf *a, const struct probe_result *row)
{
	struct dialogue *d;
	size_t i;

	if (a == NULL || a->npending == 0 || !arf_wanted(row))
		return;
	for (i = 0; i < a->npending; i++) {
		const struct target *t = &a->pending[i]->row->target;

		if (t->port == row->target.port && strcmp(t->ip, row->target.ip) == 0)
			break;
	}
	if (i == a->npending)
		return;
	d = a->pending[i];
	for (a->npending--; i < a->npending; i++)
		a->pending[i] = a->pending[i + 1]; /* the oldest stay first */
	write_report(a, d, row);
	dialogue_free(d);
}

void
arf_flush(struct arf *a)
{
	size_t i;

	/* Rows that never came: the reports go with the dialogue's row. */
	for (i = 0; i < a->npending; i++) {
		write_report(a, a->pending[i], a->pending[i]->row);
		dialogue_free(a->pending[i]);
	}
	a->npending = 0;
}
