/*
 * strbuf.h: a bounded string builder over a caller's buffer.
 *
 * Appends never overflow: what does not fit is dropped and `truncated` is set,
 * so report and prober code can build text from untrusted bytes without
 * checking every length. The buffer is always NUL-terminated.
 */
#ifndef SMTPPROBE_STRBUF_H
#define SMTPPROBE_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap; /* bytes in buf, the NUL included */
	int truncated;
};

/* Empties sb (its buffer holds ""). */
static inline void
sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->truncated = 0;
	if (sb->cap > 0)
		sb->buf[0] = '\0';
}

/* Starts an empty sb over buf (cap bytes, the NUL included). Inline, as
 * sb_reset and sb_putc are: a row calls them for every cell. */
static inline void
sb_init(struct strbuf *sb, char *buf, size_t cap)
{
	sb->buf = buf;
	sb->cap = cap;
	sb_reset(sb);
}

/* Attaches to a buffer that already holds a NUL-terminated string, to append to it. */
void sb_resume(struct strbuf *sb, char *buf, size_t cap);
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);

static inline void
sb_putc(struct strbuf *sb, char c)
{
	if (sb->len + 1 < sb->cap) {
		sb->buf[sb->len++] = c;
		sb->buf[sb->len] = '\0';
		return;
	}
	sb_append(sb, &c, 1); /* full: marks it truncated */
}

/* Appends v in decimal, as "%lld" would, without printf (a row's numbers,
 * a target's line number). */
void sb_put_int(struct strbuf *sb, long long v);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends bytes with control bytes, DEL, backslash and invalid UTF-8 shown as
 * \n \r \t \\ \xNN, and the characters of utf8_is_invisible() as \u{XXXX}
 * (four upper-case hex digits): the result is printable UTF-8 on one line
 * that displays as what it holds. An escaped byte takes at most 4 bytes. */
void sb_append_escaped(struct strbuf *sb, const char *s, size_t n);

/* 1 for a code point that reorders or hides text (the "Trojan Source"
 * class): bidirectional embeddings, overrides, isolates and marks (U+061C,
 * U+200E/F, U+202A..E, U+2066..9), zero-width characters (U+200B..D), the
 * line and paragraph separators (U+2028/9) and the BOM (U+FEFF). */
int utf8_is_invisible(unsigned int cp);

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0, with its
 * code point in *cp: overlong forms, surrogates and > U+10FFFF are invalid. */
size_t utf8_decode(const unsigned char *s, size_t n, unsigned int *cp);

#endif
