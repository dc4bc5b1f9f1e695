/*
 * reply.c: SMTP reply lines to replies; see reply.h.
 */
#include "config.h"

#include "prober/reply.h"

#include <ctype.h>
#include <string.h>

#include "common/strbuf.h"

void
smtp_reply_init(struct smtp_reply *r)
{
	/* Not the text's bytes: textlen says how many are the reply's. */
	r->code = 0;
	r->nlines = 0;
	r->text[0] = '\0';
	r->textlen = 0;
	r->line = NULL;
	r->linelen = 0;
	r->fault = REPLY_FAULT_NONE;
}

/* C strings cannot carry NUL: show it as U+2400 SYMBOL FOR NULL instead. */
static void
append_nul_safe(struct strbuf *sb, const char *s, size_t n)
{
	const char *nul;

	while (n > 0 && (nul = memchr(s, '\0', n)) != NULL) {
		sb_append(sb, s, (size_t)(nul - s));
		sb_append(sb, "\xe2\x90\x80", 3);
		n -= (size_t)(nul - s) + 1;
		s = nul + 1;
	}
	sb_append(sb, s, n);
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

enum reply_status
smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
{
	struct strbuf sb;
	int code, last;

	r->line = NULL;
	r->linelen = 0;
	if (len > SMTP_LINE_MAX) {
		r->fault = REPLY_FAULT_TOO_LONG;
		return REPLY_ERROR;
	}
	if (r->nlines >= SMTP_REPLY_LINES_MAX) {
		r->fault = REPLY_FAULT_TOO_MANY;
		return REPLY_ERROR;
	}
	if (len < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
		r->fault = REPLY_FAULT_SYNTAX;
		return REPLY_ERROR;
	}
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (code < 200 || code > 599) {
		r->fault = REPLY_FAULT_SYNTAX;
		return REPLY_ERROR;
	}
	if (len == 3 || line[3] == ' ')
		last = 1;
	else if (line[3] == '-')
		last = 0;
	else {
		r->fault = REPLY_FAULT_SYNTAX;
		return REPLY_ERROR;
	}
	if (r->nlines > 0 && code != r->code) {
		r->fault = REPLY_FAULT_MIXED;
		return REPLY_ERROR;
	}
	r->code = code;

	sb.buf = r->text;
	sb.cap = sizeof(r->text);
	sb.len = r->textlen;
	sb.truncated = 0;
	if (r->nlines > 0)
		sb_putc(&sb, '\n');
	append_nul_safe(&sb, line, len);
	r->textlen = sb.len;
	r->nlines++;

	r->line = len > 4 ? line + 4 : line + len;
	r->linelen = len > 4 ? len - 4 : 0;
	return last ? REPLY_DONE : REPLY_MORE;
}

const char *
smtp_reply_fault_name(enum reply_fault f)
{
	switch (f) {
	case REPLY_FAULT_NONE:
		return "none";
	case REPLY_FAULT_SYNTAX:
		return "not an SMTP reply line";
	case REPLY_FAULT_MIXED:
		return "reply code changed within a multi-line reply";
	case REPLY_FAULT_TOO_LONG:
		return "reply line too long";
	case REPLY_FAULT_TOO_MANY:
		return "too many lines in one reply";
	}
	return "?";
}

size_t
smtp_reply_first_line_len(const struct smtp_reply *r, size_t size)
{
	const char *nl = memchr(r->text, '\n', r->textlen);
	size_t n = nl ? (size_t)(nl - r->text) : r->textlen;

	return size == 0 ? 0 : n >= size ? size - 1 : n;
}

void
smtp_reply_first_line(const struct smtp_reply *r, char *buf, size_t size)
{
	size_t n = smtp_reply_first_line_len(r, size);

	if (size == 0)
		return;
	memcpy(buf, r->text, n);
	buf[n] = '\0';
}

int
smtp_ehlo_extension(const char *line, size_t len, char *ext, size_t size)
{
	struct strbuf sb;
	size_t kw;

	/* Trim blanks both sides; keep the parameters as the server wrote them. */
	while (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0;
	sb_resume(&sb, ext, size);
	if (sb.len > 0)
		sb_putc(&sb, ';');
	append_nul_safe(&sb, line, len);
	for (kw = 0; kw < len && line[kw] != ' '; kw++)
		;
	return kw == 8 && strncasecmp(line, "STARTTLS", 8) == 0;
}

void
smtp_reply_domain(const char *line, size_t len, char *buf, size_t size)
{
	size_t i, start;

	if (size == 0)
		return;
	buf[0] = '\0';
	i = len > 4 ? 4 : len;
	while (i < len && line[i] == ' ')
		i++;
	start = i;
	while (i < len && !isspace((unsigned char)line[i]) && line[i] != '\0')
		i++;
	if (i - start >= size)
		i = start + size - 1;
	memcpy(buf, line + start, i - start);
	buf[i - start] = '\0';
}

enum line_status
smtp_line_cut(const char *buf, size_t avail, size_t *len, size_t *eol_len)
{
	size_t scan = avail < SMTP_LINE_MAX + 2 ? avail : SMTP_LINE_MAX + 2;
	const char *lf = memchr(buf, '\n', scan);
	size_t n;

	*len = 0;
	*eol_len = 0;
	if (lf == NULL) {
		/* A CR at the end may be the start of the line end. */
		if (scan > SMTP_LINE_MAX + 1 ||
		    (scan == SMTP_LINE_MAX + 1 && buf[SMTP_LINE_MAX] != '\r'))
			return LINE_TOO_LONG;
		return LINE_PARTIAL;
	}
	n = (size_t)(lf - buf);
	*eol_len = 1;
	if (n > 0 && buf[n - 1] == '\r') {
		n--;
		*eol_len = 2;
	}
	if (n > SMTP_LINE_MAX)
		return LINE_TOO_LONG;
	*len = n;
	return LINE_OK;
}

void
smtp_reply_quote(const char *line, size_t len, char *buf, size_t size)
{
	struct strbuf sb;

	if (size == 0)
		return;
	sb_init(&sb, buf, size);
	append_nul_safe(&sb, line, len);
}
