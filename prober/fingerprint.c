/*
 * fingerprint.c: the MTA fingerprint rules; see fingerprint.h.
 *
 * Texts are matched case-sensitively on the reply line after its code and
 * separator ("250 ok" is read as "ok"): case is often the tell (qmail's
 * "ok" against Postfix's "Ok"). Weights: 80 a product name in the greeting,
 * 60 a reply text only that product writes (Postfix's "Relay access
 * denied", refused with 554 or, as Postfix 3 does by default, deferred with
 * 454), 20-40 a text a few share, 10 a weak hint. Sources: the products' own reply strings
 * (qmail-smtpd.c, Postfix's smtpd.c, Exim's smtp_in.c, OpenSMTPD's smtp_session.c, sendmail's
 * srvrsmtp.c) and what real servers answer.
 */
#include "config.h"

#include "prober/fingerprint.h"

#include <string.h>

#include "common/strbuf.h"

enum fp_field {
	FP_GREETING,   /* the greeting's first line */
	FP_EHLO,       /* the first line of the EHLO (or HELO) reply */
	FP_EXTENSIONS, /* the EHLO keywords, ';'-joined */
	FP_MAIL,       /* the first accepted MAIL's reply */
	FP_RCPT,       /* any relay test's deciding reply */
	FP_RSET,
	FP_QUIT,
};

enum fp_how {
	FP_CONTAINS,
	FP_EXACT,
	FP_SUFFIX,
};

struct fp_rule {
	const char *id;
	const char *mta;
	enum fp_field field;
	enum fp_how how;
	const char *text;
	int weight;
};

static const struct fp_rule fp_rules[] = {
    /* qmail: the seed's server. */
    {"qmail-mail-ok", "qmail", FP_MAIL, FP_EXACT, "ok", 40},
    {"qmail-rcpthosts", "qmail", FP_RCPT, FP_CONTAINS, "isn't in my list of allowed rcpthosts", 60},
    {"qmail-rset-flushed", "qmail", FP_RSET, FP_EXACT, "flushed", 60},
    {"qmail-bare-esmtp", "qmail", FP_GREETING, FP_SUFFIX, " ESMTP", 10},
    /* Postfix. */
    {"postfix-greeting", "postfix", FP_GREETING, FP_CONTAINS, "ESMTP Postfix", 80},
    {"postfix-relay-denied", "postfix", FP_RCPT, FP_CONTAINS, "Relay access denied", 60},
    {"postfix-mail-ok", "postfix", FP_MAIL, FP_EXACT, "2.1.0 Ok", 20},
    {"postfix-quit-bye", "postfix", FP_QUIT, FP_EXACT, "2.0.0 Bye", 20},
    {"postfix-rset-ok", "postfix", FP_RSET, FP_EXACT, "2.0.0 Ok", 10},
    /* Exim. */
    {"exim-greeting", "exim", FP_GREETING, FP_CONTAINS, "ESMTP Exim", 80},
    {"exim-relay-not-permitted", "exim", FP_RCPT, FP_CONTAINS, "relay not permitted", 60},
    {"exim-rset", "exim", FP_RSET, FP_EXACT, "Reset OK", 60},
    {"exim-quit", "exim", FP_QUIT, FP_SUFFIX, " closing connection", 10},
    {"exim-prdr", "exim", FP_EXTENSIONS, FP_CONTAINS, "PRDR", 20},
    /* Sendmail. */
    {"sendmail-greeting", "sendmail", FP_GREETING, FP_CONTAINS, "Sendmail", 80},
    {"sendmail-pleased", "sendmail", FP_EHLO, FP_CONTAINS, "pleased to meet you", 50},
    {"sendmail-sender-ok", "sendmail", FP_MAIL, FP_CONTAINS, "Sender ok", 30},
    {"sendmail-relaying-denied", "sendmail", FP_RCPT, FP_CONTAINS, "Relaying denied", 40},
    /* proto.m4 when the client's PTR lookup failed (a 4xx the verdict reads as temporary). */
    {"sendmail-relaying-temporarily-denied", "sendmail", FP_RCPT, FP_CONTAINS,
     "Relaying temporarily denied", 40},
    {"sendmail-reset-state", "sendmail", FP_RSET, FP_EXACT, "2.0.0 Reset state", 15},
    /* Microsoft: Microsoft 365 names itself with outlook.com. */
    {"m365-greeting", "microsoft-365", FP_GREETING, FP_CONTAINS, "outlook.com Microsoft ESMTP", 90},
    {"exchange-greeting", "exchange", FP_GREETING, FP_CONTAINS, "Microsoft ESMTP MAIL Service", 80},
    {"exchange-unable-to-relay", "exchange", FP_RCPT, FP_CONTAINS, "Unable to relay", 30},
    {"exchange-quit", "exchange", FP_QUIT, FP_CONTAINS, "Service closing transmission channel", 30},
    {"exchange-rset", "exchange", FP_RSET, FP_CONTAINS, "Resetting", 30},
    /* OpenSMTPD. */
    {"opensmtpd-greeting", "opensmtpd", FP_GREETING, FP_CONTAINS, "ESMTP OpenSMTPD", 80},
    {"opensmtpd-not-authorized", "opensmtpd", FP_RCPT, FP_CONTAINS, "Delivery not authorized", 50},
    {"opensmtpd-invalid-recipient", "opensmtpd", FP_RCPT, FP_CONTAINS, "Invalid recipient", 30},
    {"opensmtpd-mail-ok", "opensmtpd", FP_MAIL, FP_EXACT, "2.0.0 Ok", 20},
    {"opensmtpd-reset-state", "opensmtpd", FP_RSET, FP_EXACT, "2.0.0 Reset state", 15},
    /* Others, by their greeting or a reply only they write. */
    {"courier-greeting", "courier", FP_GREETING, FP_CONTAINS, "Courier", 60},
    {"haraka-greeting", "haraka", FP_GREETING, FP_CONTAINS, "Haraka", 80},
    {"mdaemon-greeting", "mdaemon", FP_GREETING, FP_CONTAINS, "MDaemon", 80},
    {"hmailserver-greeting", "hmailserver", FP_GREETING, FP_CONTAINS, "hMailServer", 80},
    {"hmailserver-not-allowed", "hmailserver", FP_RCPT, FP_CONTAINS,
     "Delivery is not allowed to this address", 60},
    {"gmail-greeting", "gmail", FP_GREETING, FP_CONTAINS, "mx.google.com ESMTP", 80},
    {"gmail-gsmtp", "gmail", FP_QUIT, FP_CONTAINS, "gsmtp", 60},
};

#define FP_RULES (sizeof(fp_rules) / sizeof(fp_rules[0]))

const char *
fingerprint_mtas(void)
{
	return "qmail,postfix,exim,sendmail,microsoft-365,exchange,opensmtpd,courier,haraka,"
	       "mdaemon,hmailserver,gmail";
}

/* The text of a reply line after "NNN " or "NNN-". */
static const char *
after_code(const char *line)
{
	size_t n = strlen(line);

	if (n >= 4 && line[0] >= '0' && line[0] <= '9')
		return line + 4;
	return n == 3 ? line + 3 : line;
}

static int
text_matches(const struct fp_rule *rule, const char *text)
{
	size_t n, m;

	switch (rule->how) {
	case FP_EXACT:
		return strcmp(text, rule->text) == 0;
	case FP_SUFFIX:
		n = strlen(text);
		m = strlen(rule->text);
		return n >= m && strcmp(text + n - m, rule->text) == 0;
	case FP_CONTAINS:
	default:
		return strstr(text, rule->text) != NULL;
	}
}

/* The texts the rules read, each found once per record: a field's text
 * after its code, NULL when the server never sent it; the relay tests'
 * replies once each (most tests get the same few). */
struct fp_texts {
	char first[SMTP_TEXT_MAX]; /* the greeting's first line */
	const char *field[FP_QUIT + 1];
	const char *rcpt[RELAY_TESTS_MAX];
	size_t nrcpt;
};

static const char *
sent(const char *reply)
{
	return reply[0] != '\0' ? after_code(reply) : NULL;
}

static void
fp_texts_init(struct fp_texts *x, const struct probe_result *r)
{
	size_t i, j, n = strcspn(r->banner, "\n");

	memcpy(x->first, r->banner, n);
	x->first[n] = '\0';
	x->field[FP_GREETING] = r->greeting_code != 0 ? after_code(x->first) : NULL;
	x->field[FP_EHLO] = after_code(r->ehlo_line);
	x->field[FP_EXTENSIONS] = r->extensions;
	x->field[FP_MAIL] = sent(r->mail_reply);
	x->field[FP_RCPT] = NULL;
	x->field[FP_RSET] = sent(r->rset_reply);
	x->field[FP_QUIT] = sent(r->quit_reply);
	x->nrcpt = 0;
	for (i = 0; i < r->ntests && i < RELAY_TESTS_MAX; i++) {
		const char *t = sent(r->tests[i].reply);

		if (t == NULL)
			continue;
		for (j = 0; j < x->nrcpt && strcmp(x->rcpt[j], t) != 0; j++)
			;
		if (j == x->nrcpt)
			x->rcpt[x->nrcpt++] = t;
	}
}

static int
rule_matches(const struct fp_rule *rule, const struct fp_texts *x)
{
	size_t i;

	if (rule->field != FP_RCPT)
		return x->field[rule->field] != NULL && text_matches(rule, x->field[rule->field]);
	for (i = 0; i < x->nrcpt; i++)
		if (text_matches(rule, x->rcpt[i]))
			return 1;
	return 0;
}

void
fingerprint_apply(struct probe_result *r)
{
	int matched[FP_RULES];
	const char *best = NULL;
	int best_score = 0;
	struct strbuf sb;
	struct fp_texts x;
	size_t i, j;

	r->mta = NULL;
	r->mta_confidence = 0;
	r->mta_rules[0] = '\0';
	fp_texts_init(&x, r);
	for (i = 0; i < FP_RULES; i++)
		matched[i] = rule_matches(&fp_rules[i], &x);
	/* Score each MTA that has a matched rule; the first of a tie wins. */
	for (i = 0; i < FP_RULES; i++) {
		int score = 0;

		if (!matched[i])
			continue;
		for (j = 0; j < FP_RULES; j++)
			if (matched[j] && strcmp(fp_rules[j].mta, fp_rules[i].mta) == 0)
				score += fp_rules[j].weight;
		if (score > best_score) {
			best_score = score;
			best = fp_rules[i].mta;
		}
	}
	if (best == NULL || best_score < FINGERPRINT_MIN_SCORE)
		return;
	r->mta = best;
	r->mta_confidence = best_score > 100 ? 100 : best_score;
	sb_init(&sb, r->mta_rules, sizeof(r->mta_rules));
	for (i = 0; i < FP_RULES; i++) {
		if (!matched[i] || strcmp(fp_rules[i].mta, best) != 0)
			continue;
		if (sb.len > 0)
			sb_putc(&sb, ';');
		sb_puts(&sb, fp_rules[i].id);
	}
}
