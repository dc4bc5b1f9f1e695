/*
 * relay.h: the relay-test plan (pure: no I/O).
 *
 * A relay test is one MAIL transaction: MAIL FROM an outside sender, RCPT TO
 * an address the server has no business accepting from us. The plan is built
 * per target because some addresses name the target itself (address
 * literals, RFC 5321 4.1.3: "[192.0.2.1]", "[IPv6:2001:db8::1]").
 */
#ifndef SMTPPROBE_RELAY_H
#define SMTPPROBE_RELAY_H

#include <stddef.h>
#include <sys/socket.h>

#include "prober/result.h"
#include "prober/settings.h"

/*
 * Fills out[] (at most max entries) with the tests for one target: name,
 * kind, mail_from and rcpt_to set, codes zero. Returns the number of tests.
 *   third-party: MAIL FROM:<settings.mail_from> RCPT TO:<relay-test@settings.rcpt_domain>
 *   localhost:   MAIL FROM:<probe@localhost>     RCPT TO:<probe@localhost>   (the seed's test)
 */
size_t relay_plan(const struct probe_settings *set, const struct target *t,
                  struct relay_result *out, size_t max);

/* Writes the RFC 5321 address literal of sa ("[192.0.2.1]", "[IPv6:2001:db8::1]").
 * Returns 0, or -1 when it does not fit or sa is not IPv4/IPv6. */
int relay_address_literal(const struct sockaddr *sa, char *buf, size_t size);

/* 1 when s is safe inside an SMTP command: printable ASCII, no blanks or
 * angle brackets, 1..max-1 bytes. Used to check --ehlo, --mail-from and
 * --rcpt-domain before any byte is sent. */
int relay_word_ok(const char *s, size_t max);

#endif
