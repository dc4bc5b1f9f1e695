/*
 * test_verdict.c: the verdict rules, one row per situation.
 */
#include "config.h"

#include <string.h>

#include "prober/relay.h"
#include "prober/verdict.h"
#include "tests/tap.h"

struct verdict_case {
	const char *name;
	int connected;
	int greeting;
	enum probe_error error;
	int tp_mail, tp_rcpt; /* third-party test codes */
	int lh_mail, lh_rcpt; /* localhost test codes */
	const char *reply;    /* the deciding reply text of both tests */
	const char *last;     /* last reply line */
	enum verdict want;
};

static const struct verdict_case cases[] = {
    {"refused connect", 0, 0, PROBE_CONNECTION_REFUSED, 0, 0, 0, 0, "", "", VERDICT_UNREACHABLE},
    {"silent server", 1, 0, PROBE_GREETING_TIMEOUT, 0, 0, 0, 0, "", "", VERDICT_NOT_SMTP},
    {"closed at connect", 1, 0, PROBE_CLOSED, 0, 0, 0, 0, "", "", VERDICT_NOT_SMTP},
    {"http", 1, 0, PROBE_PROTOCOL_ERROR, 0, 0, 0, 0, "", "", VERDICT_NOT_SMTP},
    {"554 greeting", 1, 554, PROBE_OK, 0, 0, 0, 0, "", "221 Bye", VERDICT_REFUSED_SERVICE},
    {"421 greeting", 1, 421, PROBE_OK, 0, 0, 0, 0, "", "", VERDICT_REFUSED_SERVICE},
    {"open relay", 1, 220, PROBE_OK, 250, 250, 250, 250, "250 ok", "221", VERDICT_ACCEPTS_RELAY},
    {"seed qmail", 1, 220, PROBE_OK, 250, 553, 250, 250, "", "221", VERDICT_ACCEPTS_LOCALHOST},
    {"354 to RCPT counts as accepted", 1, 220, PROBE_OK, 250, 354, 0, 0, "", "",
     VERDICT_ACCEPTS_RELAY},
    {"postfix closed", 1, 220, PROBE_OK, 250, 554, 250, 554, "554 5.7.1 Relay access denied", "221",
     VERDICT_SMTP_CLOSED},
    {"greylist", 1, 220, PROBE_OK, 250, 450, 250, 450, "450 4.2.0 Greylisted", "221",
     VERDICT_TEMPFAIL},
    {"5xx beats 4xx", 1, 220, PROBE_OK, 250, 554, 250, 450, "", "221", VERDICT_SMTP_CLOSED},
    {"auth required at MAIL", 1, 220, PROBE_OK, 530, 0, 530, 0, "530 5.7.0 Authentication required",
     "221", VERDICT_AUTH_REQUIRED},
    {"530 STARTTLS is no auth verdict", 1, 220, PROBE_OK, 530, 0, 530, 0,
     "530 5.7.0 Must issue a STARTTLS command first", "221", VERDICT_SMTP_CLOSED},
    {"cut after greeting", 1, 220, PROBE_IO_TIMEOUT, 0, 0, 0, 0, "", "220 x", VERDICT_TEMPFAIL},
    {"cut after MAIL", 1, 220, PROBE_RESET, 250, 0, 0, 0, "", "250 ok", VERDICT_TEMPFAIL},
    {"HELO refused", 1, 220, PROBE_OK, 0, 0, 0, 0, "", "550 go away", VERDICT_SMTP_CLOSED},
    {"421 at RCPT", 1, 220, PROBE_SERVER_SHUTDOWN, 250, 421, 0, 0, "421 bye", "421 bye",
     VERDICT_TEMPFAIL},
};

static void
run_case(const struct verdict_case *c)
{
	struct probe_settings set;
	struct probe_result r;
	struct target t;

	memset(&t, 0, sizeof(t));
	probe_settings_default(&set);
	probe_result_init(&r, &t);
	relay_plan(&r, &set, "");
	r.connected = c->connected;
	r.greeting_code = c->greeting;
	r.error = c->error;
	r.tests[0].mail_code = c->tp_mail;
	r.tests[0].rcpt_code = c->tp_rcpt;
	r.tests[1].mail_code = c->lh_mail;
	r.tests[1].rcpt_code = c->lh_rcpt;
	/* The postmaster test is accepted everywhere it is reached: never a verdict. */
	if (c->tp_rcpt != 0) {
		r.tests[2].mail_code = c->tp_mail;
		r.tests[2].rcpt_code = 250;
	}
	snprintf(r.tests[0].reply, sizeof(r.tests[0].reply), "%s", c->reply);
	snprintf(r.tests[1].reply, sizeof(r.tests[1].reply), "%s", c->reply);
	snprintf(r.last_reply, sizeof(r.last_reply), "%s", c->last);
	is_str(verdict_name(verdict_decide(&r)), verdict_name(c->want), "%s", c->name);
}

int
main(void)
{
	struct probe_result r;
	struct target t;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);

	memset(&t, 0, sizeof(t));
	snprintf(t.skip_reason, sizeof(t.skip_reason), "outside allowlist");
	probe_result_init(&r, &t);
	is_int(verdict_decide(&r), VERDICT_SKIPPED, "a skip reason makes it skipped");
	is_int(r.verdict, VERDICT_SKIPPED, "and probe_result_init says so too");

	for (i = 0; i < VERDICT_COUNT; i++)
		is_int(verdict_from_name(verdict_name((enum verdict)i)), (long long)i,
		       "verdict name %s round-trips", verdict_name((enum verdict)i));
	is_int(verdict_from_name("open"), -1, "unknown verdict name");

	/* Postmaster alone: it speaks SMTP and relays nothing. */
	memset(&t, 0, sizeof(t));
	probe_result_init(&r, &t);
	r.connected = 1;
	r.greeting_code = 220;
	r.ntests = 1;
	r.tests[0].kind = RELAY_POSTMASTER;
	r.tests[0].mail_code = 250;
	r.tests[0].rcpt_code = 250;
	is_int(verdict_decide(&r), VERDICT_SMTP_CLOSED, "postmaster alone accepted: smtp-closed");
	r.tests[0].rcpt_code = 550;
	is_int(verdict_decide(&r), VERDICT_TEMPFAIL, "postmaster alone refused: nothing decided");
	ok(verdict_is_starttls_530(530, "530 Must issue a starttls command first"),
	   "530 STARTTLS, any case");
	ok(!verdict_is_starttls_530(530, "530 Authentication required"), "530 auth");
	ok(!verdict_is_starttls_530(550, "550 STARTTLS"), "only 530");
	return tap_done();
}
