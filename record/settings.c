/*
 * settings.c: the probe settings' defaults; see settings.h.
 */
#include "record/settings.h"

#include <stdio.h>
#include <string.h>

#include "record/relay.h"

void
probe_settings_default(struct probe_settings *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->ehlo, sizeof(s->ehlo), "%s", "smtpprobe.example.com");
	snprintf(s->mail_from, sizeof(s->mail_from), "%s", "probe@example.com");
	snprintf(s->rcpt_domain, sizeof(s->rcpt_domain), "%s", "example.net");
	s->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	s->timeout_ms = DEFAULT_TIMEOUT_MS;
	s->deadline_ms = DEFAULT_DEADLINE_MS;
	s->tests = RELAY_TESTS_BASIC;
}
