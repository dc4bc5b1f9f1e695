/*
 * reply.h: the SMTP reply parser (pure: no I/O, no globals).
 *
 * The session cuts its input into lines (at most SMTP_LINE_MAX bytes, line end
 * removed) and feeds them here one at a time. A reply is one or more lines
 * "NNN-text" ended by "NNN text" (or a bare "NNN"), every line with the same
 * code, 200 <= code <= 599 (OpenSMTPD's rules). Bytes after the code are kept
 * as they came, control bytes included; escaping is for writers. NUL, which
 * a C string cannot carry, is stored as U+2400 (the symbol for NUL).
 */
#ifndef SMTPPROBE_REPLY_H
#define SMTPPROBE_REPLY_H

#include <stddef.h>

#include "common/bounds.h"

enum reply_status {
	REPLY_MORE,  /* a continuation line: feed the next one */
	REPLY_DONE,  /* the reply is complete */
	REPLY_ERROR, /* not a valid reply line; why says which rule broke */
};

enum reply_fault {
	REPLY_FAULT_NONE,
	REPLY_FAULT_SYNTAX,   /* no 3-digit code, bad separator, code out of range */
	REPLY_FAULT_MIXED,    /* a line's code differs from the first line's */
	REPLY_FAULT_TOO_LONG, /* longer than SMTP_LINE_MAX */
	REPLY_FAULT_TOO_MANY, /* more than SMTP_REPLY_LINES_MAX lines */
};

struct smtp_reply {
	int code;
	size_t nlines;
	/* All lines as received (code included), '\n'-joined, truncated to fit. */
	char text[SMTP_TEXT_MAX];
	size_t textlen;
	/* The line just fed, without its code and separator: valid until the
	 * next feed, for callers that read EHLO keywords line by line. */
	const char *line;
	size_t linelen;
	enum reply_fault fault;
};

void smtp_reply_init(struct smtp_reply *r);
/* Feeds one line (no CR/LF at its end). After REPLY_DONE or REPLY_ERROR,
 * call smtp_reply_init before the next reply. */
enum reply_status smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len);
const char *smtp_reply_fault_name(enum reply_fault f);

/* The reply's first line (code included) copied to buf, NUL-terminated. */
void smtp_reply_first_line(const struct smtp_reply *r, char *buf, size_t size);
/* How many bytes of r->text smtp_reply_first_line copies into buf[size]. */
size_t smtp_reply_first_line_len(const struct smtp_reply *r, size_t size);

/*
 * EHLO replies: from a reply line after the first, appends the extension
 * ("SIZE 10240000") to a ';'-joined list in ext (size bytes). Returns 1 when
 * the keyword is STARTTLS, else 0.
 */
int smtp_ehlo_extension(const char *line, size_t len, char *ext, size_t size);
/* The domain of an EHLO/HELO reply's first line, or of a greeting: the first
 * word after the code. Copied to buf; "" when there is none. */
void smtp_reply_domain(const char *line, size_t len, char *buf, size_t size);

/*
 * Line cutting, the step before smtp_reply_feed: the first line of the
 * `avail` bytes at buf ends at the first LF, with one CR before it (if any)
 * part of the line end, as libevent's EVBUFFER_EOL_CRLF reads it. Pure, so
 * the fuzzers drive the same cutting as the session.
 */
enum line_status {
	LINE_OK,       /* a whole line: *len bytes, then *eol_len bytes of line end */
	LINE_PARTIAL,  /* no line end yet, and what is there still fits the cap */
	LINE_TOO_LONG, /* the line is or will be longer than SMTP_LINE_MAX */
};
enum line_status smtp_line_cut(const char *buf, size_t avail, size_t *len, size_t *eol_len);

/* A line that broke the rules, kept as evidence: at most size - 1 bytes, NUL
 * shown as U+2400. */
void smtp_reply_quote(const char *line, size_t len, char *buf, size_t size);

#endif
