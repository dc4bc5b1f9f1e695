/*
 * arf.h: abuse reports (--abuse-report DIR): for each target that accepted
 * a relay or a localhost RCPT, DIR/<ip>_<port>.eml, an RFC 5965 feedback
 * report ready for the operator to review and send (smtpprobe never sends
 * it):
 *
 *   multipart/report; report-type=feedback-report
 *     text/plain                  what was tested, what was accepted, the
 *                                 facts of the row (arf_facts)
 *     message/feedback-report     Feedback-Type: abuse, User-Agent, Version,
 *                                 Source-IP, Arrival-Date (from a message),
 *                                 Reported-Domain (when known)
 *     message/rfc822              the spam the target came from (--message),
 *       or text/rfc822-headers    its header only (--report-headers-only)
 *     text/plain attachment       the dialogue's transcript
 *
 * From: is --report-from. To: is the target's abuse contact when the row
 * knows one; without one the report has no To: header, and its text says
 * so: the operator addresses it.
 *
 * The writer is a session observer: it keeps each dialogue's lines (as
 * transcripts do); when one ends with an acceptance, its lines wait for
 * the final row (arf_row), which has the DNS facts the engine adds after
 * the dialogue, and the report is built (GMime) and written then:
 * acceptances are few, the rest is dropped. It passes every line on to the next observer (the
 * transcripts'), so both can run at once.
 */
#ifndef SMTPPROBE_ARF_H
#define SMTPPROBE_ARF_H

#include <stddef.h>

#include "common/strbuf.h"
#include "record/observer.h"
#include "record/result.h"

struct arf_options {
	const char *dir;  /* made 0700 when absent */
	const char *from; /* From: */
	int headers_only; /* attach the spam's header only */
	int outer;        /* the message as it is (--outer), not its inner one */
};

struct arf;

/* next: the observer to pass every dialogue on to, or NULL. NULL with err. */
struct arf *arf_new(const struct arf_options *o, const struct session_observer *next, char *err,
                    size_t errlen);
void arf_free(struct arf *a);

/* The observer to put in probe_settings; valid while a is. */
const struct session_observer *arf_observer(struct arf *a);

/* Reports written, and those that could not be (the first one's "PATH:
 * why" in *first). */
size_t arf_written(const struct arf *a);
size_t arf_failed(const struct arf *a, const char **first);

/* 1 when r's verdict gets a report. */
int arf_wanted(const struct probe_result *r);

/*
 * The facts of r for the report's text, one "Name: value" line each (server
 * bytes escaped): the one place that says what a report tells about a
 * target.
 */
void arf_facts(const struct probe_result *r, struct strbuf *sb);

/*
 * The report's To: address: the first of the row's abuse mailboxes
 * (--abuse-contact) when it is a plain one, in out; 0 (out "") when the
 * row knows none.
 */
int arf_recipient(const struct probe_result *r, char *out, size_t size);

/*
 * A final row, as the output gets it (with its DNS facts: PTR names,
 * r->abuse): writes the report of its dialogue, which waits since it
 * ended. Rows without a waiting dialogue are ignored.
 */
void arf_row(struct arf *a, const struct probe_result *row);

/* Writes the reports still waiting for their row (none should) with what
 * their dialogue knew; arf_free does it too. */
void arf_flush(struct arf *a);

/*
 * Builds the report of r: from, the transcript's text, the spam (NULL when
 * none: the reason is in why_no_message, or the target did not come from a
 * message). Returns a malloc'd RFC 5322 message in *out, *outlen; -1 when
 * out of memory.
 */
int arf_build(const struct probe_result *r, const struct arf_options *o, const char *transcript,
              size_t transcript_len, const char *message, size_t message_len,
              const char *why_no_message, char **out, size_t *outlen);

#endif
