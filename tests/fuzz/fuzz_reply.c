/*
 * fuzz_reply.c: the SMTP reply parser and the EHLO helpers, fed lines cut
 * from arbitrary bytes the way the session cuts them (CRLF or bare LF).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "prober/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char ext[SMTP_EXTENSIONS_MAX] = "";
	char name[SMTP_NAME_MAX], first[SMTP_TEXT_MAX];
	struct smtp_reply r;

	smtp_reply_init(&r);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		enum reply_status st;

		/* cppcheck-suppress knownConditionTrueFalse ; an empty line (p == nl) has len 0 */
		if (len > 0 && p[len - 1] == '\r')
			len--;
		st = smtp_reply_feed(&r, p, len);
		if (r.line != NULL)
			smtp_ehlo_extension(r.line, r.linelen, ext, sizeof(ext));
		smtp_reply_domain(p, len, name, sizeof(name));
		if (st != REPLY_MORE) {
			smtp_reply_first_line(&r, first, sizeof(first));
			smtp_reply_init(&r);
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}
