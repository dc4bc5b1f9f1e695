/*
 * verdict.c: the verdict rules; see verdict.h.
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
