/*
 * settings.h: what every probe of a run is told: who we say we are, which
 * addresses the relay tests use, and the time limits. Filled by main.c from
 * the command line; sessions point to the engine's copy, which outlives them.
 */
#ifndef SMTPPROBE_SETTINGS_H
#define SMTPPROBE_SETTINGS_H

#include <sys/socket.h>

#include "common/bounds.h"
#include "record/observer.h"

struct tls_client;

/* TLS: when to upgrade with STARTTLS, when to speak TLS at once. */
enum starttls_mode {
	STARTTLS_AUTO = 0, /* when EHLO offers it, or a 530 asks for it */
	STARTTLS_NEVER,
	STARTTLS_ALWAYS, /* even when not offered */
};

enum smtps_mode {
	SMTPS_PORT = 0, /* TLS from the first byte on port 465 (SMTPS_WELL_KNOWN_PORT) */
	SMTPS_ALWAYS,   /* on every target (--smtps) */
	SMTPS_NEVER,    /* on none (--no-smtps) */
};

struct probe_settings {
	char ehlo[SMTP_NAME_MAX];          /* EHLO/HELO argument */
	char mail_from[SMTP_ADDR_MAX];     /* third-party test's sender */
	char rcpt_domain[SMTP_DOMAIN_MAX]; /* third-party test's recipient domain */
	int connect_timeout_ms;
	int timeout_ms;     /* one reply, the greeting included */
	int deadline_ms;    /* the whole dialogue */
	unsigned int tests; /* relay tests to run: a mask (relay.h) */
	int retry_after_ms; /* a 4xx test is retried once after this; 0 = never */
	/* TLS */
	enum starttls_mode starttls;
	enum smtps_mode smtps;
	struct tls_client *tls; /* borrowed from main.c, one per run; NULL: no TLS at all */

	/* -S: the local address every connection is bound to, one per
	 * family; a length of 0 for a family lets the kernel choose. */
	struct sockaddr_storage source4, source6;
	socklen_t source4_len, source6_len;

	/* Audit reports: who is told every line (--transcripts);
	 * NULL for nobody. Not owned; outlives every session. */
	const struct session_observer *observer;

	/* --debug: a trace line on stderr per state change and reply. */
	int debug;
};

/* The defaults: reserved names only (RFC 2606), so a default run can never
 * address a real third party. */
void probe_settings_default(struct probe_settings *s);

#endif
