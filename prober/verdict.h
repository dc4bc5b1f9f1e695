/*
 * verdict.h: from what a server answered to one verdict (pure: no I/O).
 *
 * The rules, most severe first (see DESIGN.md's table):
 *   skipped            the target has a skip reason
 *   unreachable        no connection
 *   not-smtp           connected, but no valid greeting came
 *   refused-service    the greeting was not 2xx (554, 521, 421, ...)
 *   accepts-relay      a third-party test's RCPT got 2xx or 3xx
 *   accepts-localhost  a localhost test's RCPT got 2xx or 3xx
 *   auth-required      a deciding answer was 530 not asking for STARTTLS
 *   tempfail           a deciding answer was 4xx, or the dialogue was cut
 *                      short before any test was decided
 *   smtp-closed        every deciding answer was 5xx (HELO refused included)
 * A test's deciding answer is its RCPT reply when MAIL was accepted, else
 * its MAIL reply. The postmaster test decides nothing (every server must
 * accept postmaster) unless it is the only one that ran: smtp-closed. A
 * "530 ... STARTTLS" is not auth-required: the session upgrades with
 * STARTTLS and runs the test again (unless --starttls never); one that
 * stays (no TLS possible) counts as a refusal.
 */
#ifndef SMTPPROBE_VERDICT_H
#define SMTPPROBE_VERDICT_H

#include "prober/result.h"

enum verdict verdict_decide(const struct probe_result *r);

/* 1 when a 530 reply's text asks for STARTTLS rather than authentication. */
int verdict_is_starttls_530(int code, const char *text);

#endif
