/*
 * verdict.c: the verdict rules; see verdict.h.
 *
 * A 4xx to a relay test's RCPT says "not now", but not always: a server may
 * defer a relay denial instead of refusing it, so that a mistake in its own
 * configuration delays mail rather than bouncing it. Postfix 3 does so out
 * of the box (smtpd_relay_restrictions = permit_mynetworks,
 * permit_sasl_authenticated, defer_unauth_destination), which makes every
 * closed Postfix left at its defaults answer 454. Asking again changes
 * nothing: such a server is closed. reply_rules says which 4xx replies mean
 * what; the first row that matches decides, and a reply no row matches is
 * temporary. Rows that stay temporary come first, so that a greylister's
 * "4.7.1" never reads as a relay denial. Texts are not looked for inside
 * <...>: that is our own address echoed back (--rcpt-domain is the user's),
 * not the server's words.
 */
#include "config.h"

#include "prober/verdict.h"

#include <string.h>
#include <strings.h>

static int
code_class(int code)
{
	return code / 100;
}

/* Case-insensitive search, since strcasestr is a GNU extension. */
static int
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

int
verdict_is_starttls_530(int code, const char *text)
{
	return code == 530 && contains_nocase(text, "STARTTLS");
}

enum reply_reading {
	READ_TEMPORARY,    /* ask again later: tempfail */
	READ_RELAY_DENIED, /* relaying refused, but with a 4xx: smtp-closed */
};

struct reply_rule {
	const char *id;
	const char *esc;  /* the reply's enhanced status code, or NULL for any */
	const char *text; /* in the reply's text outside <...>, case-insensitive */
	enum reply_reading reading;
};

/*
 * Sources: the MTAs' and greylisters' own reply strings. Each row has a case
 * in tests/unit/test_verdict.c quoting a real server's reply.
 */
static const struct reply_rule reply_rules[] = {
    /* postgrey (through Postfix: "450 4.2.0 <addr>: Recipient address
     * rejected: Greylisted, see http://postgrey...") and milter-greylist
     * ("451 4.7.1 Greylisting in action, please come back in 00:29:58"). */
    {"greylisted", NULL, "greylist", READ_TEMPORARY},
    /* rspamd's greylisting ("451 4.7.1 Try again later"). */
    {"try-again-later", NULL, "try again later", READ_TEMPORARY},
    /* greylistd's Exim ACL: "451 <ip> is not yet authorized to deliver
     * mail from <s> to <r>. Please try later." */
    {"not-yet-authorized", NULL, "not yet authorized", READ_TEMPORARY},
    /* sendmail's proto.m4 when the client's PTR lookup failed: "450 4.7.1
     * <r>... Relaying temporarily denied. Cannot resolve PTR record for
     * <ip>". Sendmail grants relaying by client name, so the answer may
     * change once DNS does: undecided, not closed. */
    {"sendmail-relaying-temporarily-denied", NULL, "Relaying temporarily denied", READ_TEMPORARY},
    /* Postfix's smtpd_check.c (reject_unauth_destination) when the denial
     * is deferred: defer_unauth_destination (in the default
     * smtpd_relay_restrictions since Postfix 2.10), soft_bounce = yes, or a
     * 4xx relay_domains_reject_code: "454 4.7.1 <addr>: Relay access
     * denied"; check_relay_domains writes "<addr>: Recipient address
     * rejected: Relay access denied". Exim ("relay not permitted"),
     * OpenSMTPD ("Invalid recipient"), qmail (rcpthosts) and Exchange
     * ("Unable to relay") refuse with 5xx and have no deferred form; old
     * Haraka releases answered "450 I cannot deliver mail for <addr>", with
     * no enhanced code, which no row reads. */
    {"postfix-relay-access-denied", "4.7.1", "Relay access denied", READ_RELAY_DENIED},
};

#define REPLY_RULES (sizeof(reply_rules) / sizeof(reply_rules[0]))

/* The text of a reply line after "NNN " or "NNN-". */
static const char *
reply_text(const char *line)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return line;
	return line[3] == ' ' || line[3] == '-' ? line + 4 : line + 3;
}

/* 1 when text starts with the enhanced status code esc, then a space or its end. */
static int
has_esc(const char *text, const char *esc)
{
	size_t n = strlen(esc);

	return strncmp(text, esc, n) == 0 && (text[n] == ' ' || text[n] == '\0');
}

/* contains_nocase, but no match starts inside <...> (an address echoed back). */
static int
says_nocase(const char *text, const char *needle)
{
	size_t n = strlen(needle);
	int inside = 0;

	for (; *text != '\0'; text++) {
		if (*text == '<')
			inside = 1;
		else if (*text == '>')
			inside = 0;
		else if (!inside && strncasecmp(text, needle, n) == 0)
			return 1;
	}
	return 0;
}

/* The first row that matches reply, or NULL. */
static const struct reply_rule *
reply_rule_find(const char *reply)
{
	const char *text = reply_text(reply);
	size_t i;

	for (i = 0; i < REPLY_RULES; i++) {
		const struct reply_rule *rule = &reply_rules[i];

		if (rule->esc != NULL && !has_esc(text, rule->esc))
			continue;
		if (says_nocase(text, rule->text))
			return rule;
	}
	return NULL;
}

static enum reply_reading
reply_read(const char *reply)
{
	const struct reply_rule *rule = reply_rule_find(reply);

	return rule != NULL ? rule->reading : READ_TEMPORARY;
}

const char *
verdict_reply_rule(const char *reply)
{
	const struct reply_rule *rule = reply_rule_find(reply);

	return rule != NULL ? rule->id : NULL;
}

const char *
verdict_reply_rule_id(size_t i)
{
	return i < REPLY_RULES ? reply_rules[i].id : NULL;
}

int
verdict_is_relay_deferred(int code, const char *reply)
{
	return code_class(code) == 4 && code != 421 && reply_read(reply) == READ_RELAY_DENIED;
}

/* 1 when test t was decided by a deferred relay denial at RCPT. */
static int
test_relay_deferred(const struct relay_result *t)
{
	return t->kind != RELAY_POSTMASTER && code_class(t->mail_code) == 2 &&
	       verdict_is_relay_deferred(t->rcpt_code, t->reply);
}

static int
leading_code(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return 0;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

static enum verdict
test_verdict(const struct relay_result *t)
{
	int code;

	if (t->mail_code == 0 || t->kind == RELAY_POSTMASTER)
		return VERDICT_COUNT; /* not reached, or no verdict of its own */
	if (code_class(t->mail_code) == 2) {
		if (t->rcpt_code == 0)
			return VERDICT_COUNT;
		if (code_class(t->rcpt_code) == 2 || code_class(t->rcpt_code) == 3)
			return t->kind == RELAY_THIRD_PARTY ? VERDICT_ACCEPTS_RELAY
			                                    : VERDICT_ACCEPTS_LOCALHOST;
		code = t->rcpt_code;
	} else
		code = t->mail_code;
	if (code == 530 && !verdict_is_starttls_530(code, t->reply))
		return VERDICT_AUTH_REQUIRED;
	if (test_relay_deferred(t))
		return VERDICT_SMTP_CLOSED;
	if (code_class(code) == 4)
		return VERDICT_TEMPFAIL;
	return VERDICT_SMTP_CLOSED;
}

enum verdict
verdict_decide(const struct probe_result *r)
{
	enum verdict best = VERDICT_COUNT;
	size_t i;

	if (r->target.skip_reason[0] != '\0')
		return VERDICT_SKIPPED;
	if (!r->connected)
		return VERDICT_UNREACHABLE;
	if (r->greeting_code == 0)
		return VERDICT_NOT_SMTP;
	if (code_class(r->greeting_code) != 2)
		return VERDICT_REFUSED_SERVICE;
	for (i = 0; i < r->ntests; i++) {
		enum verdict v = test_verdict(&r->tests[i]);

		if (v < best)
			best = v;
	}
	if (best != VERDICT_COUNT)
		return best;
	for (i = 0; i < r->ntests; i++)
		if (r->tests[i].kind == RELAY_POSTMASTER && r->tests[i].rcpt_code / 100 == 2)
			return VERDICT_SMTP_CLOSED; /* it speaks SMTP; postmaster alone relays
			                               nothing */
	/* No test was decided: refused at EHLO/HELO, or cut short. */
	if (r->error == PROBE_OK && code_class(leading_code(r->last_reply)) == 5)
		return VERDICT_SMTP_CLOSED;
	return VERDICT_TEMPFAIL;
}

void
verdict_apply(struct probe_result *r)
{
	size_t i;

	r->verdict = verdict_decide(r);
	for (i = 0; i < r->ntests; i++)
		if (test_relay_deferred(&r->tests[i]))
			r->flags |= FLAG_RELAY_DEFERRED;
}
