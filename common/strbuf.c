/*
 * strbuf.c: bounded string builder; see strbuf.h.
 */
#include "common/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
sb_resume(struct strbuf *sb, char *buf, size_t cap)
{
	sb->buf = buf;
	sb->cap = cap;
	sb->truncated = 0;
	sb->len = cap > 0 ? strnlen(buf, cap - 1) : 0;
	if (cap > 0)
		buf[sb->len] = '\0';
}

void
sb_append(struct strbuf *sb, const char *s, size_t n)
{
	size_t room;

	if (sb->cap == 0) {
		sb->truncated |= n > 0;
		return;
	}
	room = sb->cap - 1 - sb->len;
	if (n > room) {
		n = room;
		sb->truncated = 1;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
sb_puts(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

void
sb_put_int(struct strbuf *sb, long long v)
{
	char buf[24];
	size_t i = sizeof(buf);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		buf[--i] = '-';
	sb_append(sb, buf + i, sizeof(buf) - i);
}

void
sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(tmp)) {
		n = sizeof(tmp) - 1;
		sb->truncated = 1;
	}
	sb_append(sb, tmp, (size_t)n);
}

size_t
utf8_decode(const unsigned char *s, size_t n, unsigned int *cp)
{
	size_t len, i;
	unsigned int c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
utf8_is_invisible(unsigned int cp)
{
	return cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* Length of the printable UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned int cp;
	size_t len = utf8_decode(s, n, &cp);

	/* C1 controls (U+0080..U+009F) can act as terminal escapes. */
	if (len == 0 || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

/* Appends n bytes only if all fit: an escape or a character is never cut. */
static int
sb_append_whole(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->cap == 0 || sb->len + n > sb->cap - 1) {
		sb->truncated = 1;
		return -1;
	}
	sb_append(sb, s, n);
	return 0;
}

void
sb_append_escaped(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, seq;
	char esc[9];
	unsigned int cp;
	int r;

	while (i < n) {
		unsigned char c = p[i];
		size_t run;

		/* Plain printable ASCII, the common case, goes in whole runs. */
		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '\\'; run++)
			;
		if (run > i) {
			if (sb_append_whole(sb, s + i, run - i) != 0) {
				/* Keep what fits: a run of ASCII can be cut anywhere. */
				sb_append(sb, s + i, run - i);
				return;
			}
			i = run;
			continue;
		}
		if (c == '\\')
			r = sb_append_whole(sb, "\\\\", 2);
		else if (c == '\n' || c == '\r' || c == '\t') {
			esc[0] = '\\';
			esc[1] = (char)(c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
			r = sb_append_whole(sb, esc, 2);
		} else if (c < 0x20 || c == 0x7f || (seq = utf8_seq_len(p + i, n - i)) == 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			r = sb_append_whole(sb, esc, 4);
		} else if (utf8_decode(p + i, n - i, &cp) == seq && utf8_is_invisible(cp)) {
			/* Shown, not obeyed: a reversed or hidden banner misleads a reader. */
			snprintf(esc, sizeof(esc), "\\u{%04X}", cp);
			r = sb_append_whole(sb, esc, 8);
			i += seq - 1;
		} else {
			r = sb_append_whole(sb, s + i, seq);
			i += seq - 1;
		}
		if (r != 0)
			return;
		i++;
	}
}
