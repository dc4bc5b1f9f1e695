/*
 * test_fingerprint.c: the MTA fingerprint rules against what real servers
 * say, one row per server (the lab's personalities and known banners).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "prober/fingerprint.h"
#include "tests/tap.h"

struct fp_case {
	const char *name;
	const char *greeting, *ehlo, *extensions, *mail, *rcpt, *rset, *quit;
	const char *want; /* NULL: nothing named */
	int min_confidence;
};

static const struct fp_case cases[] = {
    {"the seed's qmail", "220 localhost ESMTP", "250-localhost", "PIPELINING;8BITMIME", "250 ok",
     "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", "250 flushed",
     "221 localhost", "qmail", 100},
    {"qmail without a refusal", "220 mail.example.com ESMTP", "250-mail.example.com", "", "250 ok",
     "250 ok", "250 flushed", "221 mail.example.com", "qmail", 100},
    {"Postfix closed", "220 mx.example.org ESMTP Postfix (Debian/GNU)", "250-mx.example.org",
     "PIPELINING;SIZE 10240000", "250 2.1.0 Ok",
     "554 5.7.1 <relay-test@example.net>: Relay access denied", "250 2.0.0 Ok", "221 2.0.0 Bye",
     "postfix", 100},
    {"Postfix 3 at its defaults (a deferred relay denial)",
     "220 mx.example.org ESMTP Postfix (Debian/GNU)", "250-mx.example.org",
     "PIPELINING;SIZE 10240000", "250 2.1.0 Ok",
     "454 4.7.1 <relay-test@example.net>: Relay access denied", "250 2.0.0 Ok", "221 2.0.0 Bye",
     "postfix", 100},
    {"Postfix 3, banner hidden, by its 454 alone", "220 mx.example.org ESMTP", "", "", "",
     "454 4.7.1 <relay-test@example.net>: Relay access denied", "", "", "postfix", 60},
    {"Sendmail deferring relaying (PTR lookup failed)", "220 mx.example.com ESMTP", "", "", "",
     "450 4.7.1 <relay-test@example.net>... Relaying temporarily denied. Cannot resolve PTR "
     "record for 192.0.2.1",
     "", "", "sendmail", 40},
    {"Postfix with its banner hidden", "220 mx.example.org ESMTP", "250-mx.example.org", "",
     "250 2.1.0 Ok", "554 5.7.1 <relay-test@example.net>: Relay access denied", "250 2.0.0 Ok",
     "221 2.0.0 Bye", "postfix", 100},
    {"Exim", "220 mx.example.com ESMTP Exim 4.96 Sun, 29 Nov 2026 01:39:54 +0000",
     "250-mx.example.com Hello smtpprobe.example.com [127.0.0.1]", "SIZE 52428800;PRDR;HELP",
     "250 OK", "550 relay not permitted", "250 Reset OK", "221 mx.example.com closing connection",
     "exim", 100},
    {"Sendmail", "220 mx.example.com ESMTP Sendmail 8.17.1/8.17.1; Sun, 29 Nov 2026",
     "250-mx.example.com Hello x [192.0.2.1], pleased to meet you", "ENHANCEDSTATUSCODES",
     "250 2.1.0 <probe@example.com>... Sender ok",
     "550 5.7.1 <relay-test@example.net>... Relaying denied", "250 2.0.0 Reset state",
     "221 2.0.0 mx.example.com closing connection", "sendmail", 100},
    {"Exchange", "220 mail.example.com Microsoft ESMTP MAIL Service ready at Sun, 29 Nov 2026",
     "250-mail.example.com Hello [192.0.2.1]", "XEXCH50", "250 2.1.0 Sender OK",
     "550 5.7.1 Unable to relay", "250 2.0.0 Resetting",
     "221 2.0.0 Service closing transmission channel", "exchange", 100},
    {"Microsoft 365",
     "220 AM0EUR02FT001.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready", "", "", "",
     "", "", "", "microsoft-365", 90},
    {"OpenSMTPD", "220 mx.example.com ESMTP OpenSMTPD", "250-mx.example.com Hello", "",
     "250 2.0.0 Ok", "550 5.7.1 Delivery not authorized, message refused", "250 2.0.0 Reset state",
     "221 2.0.0 Bye", "opensmtpd", 100},
    {"Gmail", "220 mx.google.com ESMTP a1-20020a05600c000000b00000000000000si1.1 - gsmtp", "", "",
     "", "", "", "221 2.0.0 closing connection a1si1 - gsmtp", "gmail", 100},
    {"Haraka", "220 mx.example.com ESMTP Haraka/3.0.2 ready", "", "", "", "", "", "", "haraka", 80},
    {"MDaemon", "220 mx.example.com ESMTP MDaemon 23.0.1; Sun, 29 Nov 2026", "", "", "", "", "", "",
     "mdaemon", 80},
    {"hMailServer", "220 mx.example.com ESMTP", "", "", "",
     "550 Delivery is not allowed to this address.", "", "", "hmailserver", 60},
    {"a generic server names nothing", "220 mail.example.net ESMTP", "250-mail.example.net", "",
     "250 Accepted", "250 Accepted", "250 Done", "221 Goodbye", NULL, 0},
    {"nothing said", "", "", "", "", "", "", "", NULL, 0},
};

static void
run_case(const struct fp_case *c)
{
	struct probe_result r;

	memset(&r, 0, sizeof(r));
	r.greeting_code = c->greeting[0] ? 220 : 0;
	snprintf(r.banner, sizeof(r.banner), "%s", c->greeting);
	snprintf(r.ehlo_line, sizeof(r.ehlo_line), "%s", c->ehlo);
	snprintf(r.extensions, sizeof(r.extensions), "%s", c->extensions);
	snprintf(r.mail_reply, sizeof(r.mail_reply), "%s", c->mail);
	snprintf(r.rset_reply, sizeof(r.rset_reply), "%s", c->rset);
	snprintf(r.quit_reply, sizeof(r.quit_reply), "%s", c->quit);
	if (c->rcpt[0]) {
		r.ntests = 1;
		r.tests[0].name = "third-party";
		snprintf(r.tests[0].reply, sizeof(r.tests[0].reply), "%s", c->rcpt);
	}
	fingerprint_apply(&r);
	is_str(r.mta, c->want, "%s: %s", c->name, c->want ? c->want : "unknown");
	if (c->want != NULL) {
		ok(r.mta_confidence >= c->min_confidence && r.mta_confidence <= 100,
		   "%s: confidence %d >= %d", c->name, r.mta_confidence, c->min_confidence);
		ok(r.mta_rules[0] != '\0', "%s: rules listed (%s)", c->name, r.mta_rules);
	} else {
		is_int(r.mta_confidence, 0, "%s: no confidence", c->name);
		is_str(r.mta_rules, "", "%s: no rules", c->name);
	}
}

int
main(void)
{
	struct probe_result r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);

	/* The seed's tells, one by one: each is listed. */
	memset(&r, 0, sizeof(r));
	r.greeting_code = 220;
	snprintf(r.banner, sizeof(r.banner), "220 localhost ESMTP");
	snprintf(r.mail_reply, sizeof(r.mail_reply), "250 ok");
	snprintf(r.rset_reply, sizeof(r.rset_reply), "250 flushed");
	fingerprint_apply(&r);
	is_str(r.mta_rules, "qmail-mail-ok;qmail-rset-flushed;qmail-bare-esmtp",
	       "the seed's qmail: lowercase ok, flushed, bare ESMTP");
	/* Case is a tell: Postfix's "Ok" is not qmail's "ok". */
	snprintf(r.mail_reply, sizeof(r.mail_reply), "250 Ok");
	snprintf(r.rset_reply, sizeof(r.rset_reply), "250 Ok");
	fingerprint_apply(&r);
	is_str(r.mta, NULL, "\"250 Ok\" is not qmail's \"250 ok\"");
	ok(strstr(fingerprint_mtas(), "qmail") != NULL, "the list of MTAs names qmail");
	return tap_done();
}
