/*
 * settings.h: what every probe of a run is told: who we say we are, which
 * addresses the relay tests use, and the time limits. Filled by main.c from
 * the command line; sessions copy it.
 */
#ifndef SMTPPROBE_SETTINGS_H
#define SMTPPROBE_SETTINGS_H

#include "common/bounds.h"
#include "prober/observer.h"

struct probe_settings {
	char ehlo[SMTP_NAME_MAX];          /* EHLO/HELO argument */
	char mail_from[SMTP_ADDR_MAX];     /* third-party test's sender */
	char rcpt_domain[SMTP_DOMAIN_MAX]; /* third-party test's recipient domain */
	int connect_timeout_ms;
	int timeout_ms;     /* one reply, the greeting included */
	int deadline_ms;    /* the whole dialogue */
	unsigned int tests; /* relay tests to run: a mask (relay.h) */
	int retry_after_ms; /* a 4xx test is retried once after this; 0 = never */

	/* Audit reports (issue 6): who is told every line (--transcripts);
	 * NULL for nobody. Not owned; outlives every session. */
	const struct session_observer *observer;
};

/* The defaults: reserved names only (RFC 2606), so a default run can never
 * address a real third party. */
void probe_settings_default(struct probe_settings *s);

#endif
