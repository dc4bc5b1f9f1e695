/*
 * test_verdict.c: the verdict rules, one row per situation.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "record/relay.h"
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
    {"postfix 3 closed", 1, 220, PROBE_OK, 250, 454, 250, 454,
     "454 4.7.1 <probe@localhost>: Relay access denied", "221", VERDICT_SMTP_CLOSED},
    {"a deferred relay denial at MAIL is no relay test's", 1, 220, PROBE_OK, 454, 0, 454, 0,
     "454 4.7.1 <probe@example.com>: Relay access denied", "221", VERDICT_TEMPFAIL},
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

/*
 * How a 4xx to a relay test's RCPT is read: one case per row of verdict.c's
 * reply table, each quoting what a real server answers, and the guards
 * around them. Both relay tests get the reply; postmaster is accepted.
 */
struct reply_case {
	const char *who; /* whose reply this is */
	int code;
	const char *reply;
	enum verdict want;
	int deferred;     /* the relay-deferred flag */
	const char *rule; /* the row of verdict.c's table that reads it, NULL: none */
};

static const struct reply_case reply_cases[] = {
    /* Row postfix-relay-access-denied; the 554 beside it is a refusal, read by no row. */
    {"Postfix 3 default (defer_unauth_destination)", 454,
     "454 4.7.1 <relay-test@example.net>: Relay access denied", VERDICT_SMTP_CLOSED, 1,
     "postfix-relay-access-denied"},
    {"Postfix, relay_domains_reject_code = 450", 450,
     "450 4.7.1 <relay-test@example.net>: Relay access denied", VERDICT_SMTP_CLOSED, 1,
     "postfix-relay-access-denied"},
    {"Postfix 2 check_relay_domains, soft_bounce", 454,
     "454 4.7.1 <relay-test@example.net>: Recipient address rejected: Relay access denied",
     VERDICT_SMTP_CLOSED, 1, "postfix-relay-access-denied"},
    {"Postfix reject_unauth_destination (554: a refusal, no flag)", 554,
     "554 5.7.1 <relay-test@example.net>: Relay access denied", VERDICT_SMTP_CLOSED, 0, NULL},
    /* Rows that stay tempfail: greylisting and waits that end. */
    {"postgrey through Postfix", 450,
     "450 4.2.0 <relay-test@example.net>: Recipient address rejected: Greylisted, see "
     "http://postgrey.schweikert.ch/help/example.net.html",
     VERDICT_TEMPFAIL, 0, "greylisted"},
    {"postgrey through an older Postfix (4.7.1)", 450,
     "450 4.7.1 <relay-test@example.net>: Recipient address rejected: Greylisted, see "
     "http://postgrey.schweikert.ch/help/example.net.html",
     VERDICT_TEMPFAIL, 0, "greylisted"},
    {"milter-greylist", 451, "451 4.7.1 Greylisting in action, please come back in 00:29:58",
     VERDICT_TEMPFAIL, 0, "greylisted"},
    {"rspamd's greylist (smtplab greylist:451)", 451, "451 4.7.1 Try again later", VERDICT_TEMPFAIL,
     0, "try-again-later"},
    {"greylistd with Exim", 451,
     "451 192.0.2.1 is not yet authorized to deliver mail from <probe@example.com> to "
     "<relay-test@example.net>. Please try later.",
     VERDICT_TEMPFAIL, 0, "not-yet-authorized"},
    {"sendmail, PTR lookup failed: relaying undecided", 450,
     "450 4.7.1 <relay-test@example.net>... Relaying temporarily denied. Cannot resolve PTR "
     "record for 192.0.2.1",
     VERDICT_TEMPFAIL, 0, "sendmail-relaying-temporarily-denied"},
    /* Guards: a 4.7.1 that is not a relay denial, a relay text without 4.7.1,
     * words of ours echoed back inside <...>. */
    {"Postfix 3, --rcpt-domain greylist.example", 454,
     "454 4.7.1 <relay-test@greylist.example>: Relay access denied", VERDICT_SMTP_CLOSED, 1,
     "postfix-relay-access-denied"},
    {"an address of ours that says Relay access denied", 450,
     "450 4.7.1 <\"Relay access denied\"@example.net>: Recipient address rejected: Access "
     "denied",
     VERDICT_TEMPFAIL, 0, NULL},
    {"Postfix postscreen", 450, "450 4.3.2 Service currently unavailable", VERDICT_TEMPFAIL, 0,
     NULL},
    {"Postfix reject_unknown_client_hostname", 450,
     "450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]", VERDICT_TEMPFAIL, 0,
     NULL},
    {"Postfix, relay check with a lookup failure", 451,
     "451 4.3.0 <relay-test@example.net>: Temporary lookup failure", VERDICT_TEMPFAIL, 0, NULL},
    {"old Haraka (no enhanced code: not read)", 450,
     "450 I cannot deliver mail for <relay-test@example.net>", VERDICT_TEMPFAIL, 0, NULL},
    {"enhanced code elsewhere in the text is not the reply's", 454,
     "454 <relay-test@example.net>: 4.7.1 Relay access denied", VERDICT_TEMPFAIL, 0, NULL},
};

/* r: the record of a dialogue with t planned with set's tests. */
static void
planned(struct probe_result *r, const struct target *t, const struct probe_settings *set)
{
	static struct probe_dialogue d;

	if (probe_dialogue_init(&d, t) != 0)
		abort(); /* out of memory */
	relay_plan(&d, set, "");
	probe_result_from_dialogue(r, &d);
	probe_dialogue_free(&d);
}

static void
run_reply_case(const struct reply_case *c)
{
	struct probe_settings set;
	struct probe_result r;
	struct target t;
	size_t i;

	memset(&t, 0, sizeof(t));
	probe_settings_default(&set);
	planned(&r, &t, &set);
	r.connected = 1;
	r.greeting_code = 220;
	for (i = 0; i < r.ntests; i++) {
		r.tests[i].mail_code = 250;
		r.tests[i].rcpt_code = r.tests[i].kind == RELAY_POSTMASTER ? 250 : c->code;
		snprintf(r.tests[i].reply, sizeof(r.tests[i].reply), "%s",
		         r.tests[i].kind == RELAY_POSTMASTER ? "250 2.1.5 Ok" : c->reply);
	}
	snprintf(r.last_reply, sizeof(r.last_reply), "221 2.0.0 Bye");
	verdict_apply(&r);
	is_str(verdict_name(r.verdict), verdict_name(c->want), "%s: verdict", c->who);
	is_int(!!(r.flags & FLAG_RELAY_DEFERRED), c->deferred, "%s: relay-deferred flag", c->who);
	is_int(verdict_is_relay_deferred(c->code, c->reply), c->deferred, "%s: read as deferred",
	       c->who);
	is_str(verdict_reply_rule(c->reply) ? verdict_reply_rule(c->reply) : "(none)",
	       c->rule ? c->rule : "(none)", "%s: read by row %s", c->who,
	       c->rule ? c->rule : "(none)");
}

/* Every row of the table has a case above. */
static void
check_rows_covered(void)
{
	const char *id;
	size_t i, j, n = sizeof(reply_cases) / sizeof(reply_cases[0]);

	for (i = 0; (id = verdict_reply_rule_id(i)) != NULL; i++) {
		for (j = 0; j < n; j++)
			if (reply_cases[j].rule != NULL && strcmp(reply_cases[j].rule, id) == 0)
				break;
		ok(j < n, "reply row %s has a case quoting a real server", id);
	}
	ok(i >= 5, "the reply table has its rows (%zu)", i);
}

static void
run_case(const struct verdict_case *c)
{
	struct probe_settings set;
	struct probe_result r;
	struct target t;

	memset(&t, 0, sizeof(t));
	probe_settings_default(&set);
	planned(&r, &t, &set);
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
	for (i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++)
		run_reply_case(&reply_cases[i]);
	check_rows_covered();

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

	/* One test's relay denial deferred, the other's greylisted: the denial
	 * decides, as a 5xx would beside a 4xx. */
	memset(&t, 0, sizeof(t));
	probe_result_init(&r, &t);
	r.connected = 1;
	r.greeting_code = 220;
	r.ntests = 2;
	r.tests[0].kind = RELAY_THIRD_PARTY;
	r.tests[0].mail_code = 250;
	r.tests[0].rcpt_code = 454;
	snprintf(r.tests[0].reply, sizeof(r.tests[0].reply), "%s",
	         "454 4.7.1 <relay-test@example.net>: Relay access denied");
	r.tests[1].kind = RELAY_LOCALHOST;
	r.tests[1].mail_code = 250;
	r.tests[1].rcpt_code = 450;
	snprintf(r.tests[1].reply, sizeof(r.tests[1].reply), "%s",
	         "450 4.2.0 <probe@localhost>: Recipient address rejected: Greylisted");
	verdict_apply(&r);
	is_str(verdict_name(r.verdict), "smtp-closed",
	       "deferred denial beside greylisting: closed");
	ok(r.flags & FLAG_RELAY_DEFERRED, "deferred denial beside greylisting: flagged");
	/* The same, but the other test accepted: the flag stays, the verdict is the acceptance. */
	r.flags = 0;
	r.tests[1].rcpt_code = 250;
	verdict_apply(&r);
	is_str(verdict_name(r.verdict), "accepts-localhost", "deferred denial, localhost accepted");
	ok(r.flags & FLAG_RELAY_DEFERRED, "deferred denial, localhost accepted: still flagged");
	/* 421 ends the dialogue whatever its text says. */
	ok(!verdict_is_relay_deferred(421, "421 4.7.1 <x@example.net>: Relay access denied"),
	   "421 is never a deferred relay denial");
	ok(!verdict_is_relay_deferred(554, "554 5.7.1 <x@example.net>: Relay access denied"),
	   "only a 4xx is deferred");
	is_str(probe_flag_name(FLAG_RELAY_DEFERRED), "relay-deferred", "the flag's name");
	return tap_done();
}
