/*
 * fingerprint.h: which MTA software a server runs, from what it said
 * (pure: no I/O, no globals).
 *
 * One table of rules in fingerprint.c: each looks at one thing the server
 * said (greeting, EHLO line, extensions, the reply to MAIL, RCPT, RSET or
 * QUIT) for a text, and gives weight to one MTA. The MTA with the most
 * weight (at least FINGERPRINT_MIN_SCORE) is named; its score, capped at
 * 100, is the confidence, and the ids of its matched rules are recorded.
 */
#ifndef SMTPPROBE_FINGERPRINT_H
#define SMTPPROBE_FINGERPRINT_H

#include "record/result.h"

#define FINGERPRINT_MIN_SCORE 30 /* one weak tell alone names nothing */

/* Sets r->mta, r->mta_confidence and r->mta_rules from r's replies. */
void fingerprint_apply(struct probe_result *r);

/* The MTAs the table knows, comma-separated (for docs and tests). */
const char *fingerprint_mtas(void);

#endif
