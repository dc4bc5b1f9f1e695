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
 *   smtp-closed        every deciding answer was 5xx (HELO refused included)
 *                      or a deferred relay denial (below)
 *   tempfail           a deciding answer was another 4xx, or the dialogue
 *                      was cut short before any test was decided
 * A test's deciding answer is its RCPT reply when MAIL was accepted, else
 * its MAIL reply. A 4xx to RCPT is read by a table of reply patterns in
 * verdict.c: most say "not now" (greylisting) and stay tempfail, but a relay
 * denial that is deferred rather than refused (Postfix 3's default
 * defer_unauth_destination: "454 4.7.1 <addr>: Relay access denied") does
 * not change on retry: smtp-closed, with the relay-deferred flag. The
 * postmaster test decides nothing (every server must accept postmaster)
 * unless it is the only one that ran: smtp-closed. A "530 ... STARTTLS"
 * is not auth-required: the session upgrades with STARTTLS and runs the
 * test again (unless --starttls never); one that stays (no TLS possible)
 * counts as a refusal.
 */
#ifndef SMTPPROBE_VERDICT_H
#define SMTPPROBE_VERDICT_H

#include "record/result.h"

enum verdict verdict_decide(const struct probe_result *r);

/* Sets r->verdict (verdict_decide) and adds the flags the rules derive
 * (FLAG_RELAY_DEFERRED); other flags are kept. */
void verdict_apply(struct probe_result *r);

/* 1 when a reply (code, first line with its code) is a relay denial
 * deferred rather than refused: a 4xx other than 421 that the table reads
 * so. Such a reply is not worth a retry. */
int verdict_is_relay_deferred(int code, const char *reply);

/* The id of the table row that reads a reply (whatever its code), or NULL
 * when none does; and the id of row i, NULL past the last (for the tests). */
const char *verdict_reply_rule(const char *reply);
const char *verdict_reply_rule_id(size_t i);

/* 1 when a 530 reply's text asks for STARTTLS rather than authentication. */
int verdict_is_starttls_530(int code, const char *text);

#endif
