/*
 * jsonread.c: a record of our JSON Lines read back; see jsonread.h.
 */
#include "config.h"

#include "reports/jsonread.h"

#include <stdio.h>
#include <string.h>

struct reader {
	const char *s;
	size_t len, i;
	char *buf;
	size_t cap, w;
	char *err;
	size_t errlen;
};

static int
fail(struct reader *r, const char *why)
{
	snprintf(r->err, r->errlen, "not a JSON object of ours: %s at byte %zu", why, r->i + 1);
	return -1;
}

static void
skip_ws(struct reader *r)
{
	while (r->i < r->len && strchr(" \t\r\n", r->s[r->i]) != NULL && r->s[r->i] != '\0')
		r->i++;
}

static int
put(struct reader *r, unsigned char c)
{
	if (r->w + 1 >= r->cap)
		return fail(r, "record too long");
	r->buf[r->w++] = (char)c;
	return 0;
}

static int
put_utf8(struct reader *r, unsigned long cp)
{
	if (cp < 0x80)
		return put(r, (unsigned char)cp);
	if (cp < 0x800)
		return put(r, (unsigned char)(0xc0 | cp >> 6)) ||
		       put(r, (unsigned char)(0x80 | (cp & 0x3f)));
	if (cp < 0x10000)
		return put(r, (unsigned char)(0xe0 | cp >> 12)) ||
		       put(r, (unsigned char)(0x80 | ((cp >> 6) & 0x3f))) ||
		       put(r, (unsigned char)(0x80 | (cp & 0x3f)));
	return put(r, (unsigned char)(0xf0 | cp >> 18)) ||
	       put(r, (unsigned char)(0x80 | ((cp >> 12) & 0x3f))) ||
	       put(r, (unsigned char)(0x80 | ((cp >> 6) & 0x3f))) ||
	       put(r, (unsigned char)(0x80 | (cp & 0x3f)));
}

static int
hex4(struct reader *r, unsigned long *v)
{
	size_t k;

	*v = 0;
	if (r->len - r->i < 4)
		return fail(r, "\\u without four hex digits");
	for (k = 0; k < 4; k++) {
		char c = r->s[r->i++];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned long)(c - 'A' + 10);
		else
			return fail(r, "\\u without four hex digits");
	}
	return 0;
}

/* A string at r->i (its opening quote), decoded into buf; *out is its start. */
static int
string(struct reader *r, const char **out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t start = r->w;
	unsigned long cp, lo;
	const char *e;

	r->i++;
	while (r->i < r->len && r->s[r->i] != '"') {
		unsigned char c = (unsigned char)r->s[r->i++];

		if (c < 0x20)
			return fail(r, "a control character in a string");
		if (c != '\\') {
			if (put(r, c) != 0)
				return -1;
			continue;
		}
		if (r->i >= r->len)
			break;
		c = (unsigned char)r->s[r->i++];
		if (c == 'u') {
			if (hex4(r, &cp) != 0)
				return -1;
			/* A high surrogate takes the low one after it. */
			if (cp >= 0xd800 && cp < 0xdc00 && r->len - r->i >= 6 &&
			    r->s[r->i] == '\\' && r->s[r->i + 1] == 'u') {
				r->i += 2;
				if (hex4(r, &lo) != 0)
					return -1;
				if (lo < 0xdc00 || lo >= 0xe000)
					return fail(r, "a lone surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xd800 && cp < 0xe000) {
				return fail(r, "a lone surrogate");
			}
			if (put_utf8(r, cp) != 0)
				return -1;
			continue;
		}
		if (c == '\0' || (e = strchr(from, c)) == NULL)
			return fail(r, "an unknown escape");
		if (put(r, (unsigned char)to[e - from]) != 0)
			return -1;
	}
	if (r->i >= r->len)
		return fail(r, "a string not closed");
	r->i++;
	if (put(r, 0) != 0)
		return -1;
	*out = r->buf + start;
	return 0;
}

/* A number, true, false or null: its text (null: ""). */
static int
scalar(struct reader *r, const char **out)
{
	size_t start = r->i, w = r->w;

	while (r->i < r->len && strchr("0123456789+-.eEtruefalsn", r->s[r->i]) != NULL &&
	       r->s[r->i] != '\0')
		r->i++;
	if (r->i == start)
		return fail(r, "not a value");
	if (r->i - start == 4 && memcmp(r->s + start, "null", 4) == 0) {
		if (put(r, 0) != 0)
			return -1;
	} else {
		size_t k;

		for (k = start; k < r->i; k++)
			if (put(r, (unsigned char)r->s[k]) != 0)
				return -1;
		if (put(r, 0) != 0)
			return -1;
	}
	*out = r->buf + w;
	return 0;
}

/* A value; an array's items (strings or scalars) are read and dropped. */
static int
value(struct reader *r, const char **out)
{
	const char *item;
	size_t mark;

	*out = NULL;
	if (r->i >= r->len)
		return fail(r, "a value missing");
	if (r->s[r->i] == '"')
		return string(r, out);
	if (r->s[r->i] != '[')
		return r->s[r->i] == '{' ? fail(r, "a nested object") : scalar(r, out);
	mark = r->w;
	r->i++;
	skip_ws(r);
	if (r->i < r->len && r->s[r->i] == ']') {
		r->i++;
		return 0;
	}
	for (;;) {
		skip_ws(r);
		if (r->i < r->len && (r->s[r->i] == '[' || r->s[r->i] == '{'))
			return fail(r, "a nested array");
		if (value(r, &item) != 0)
			return -1;
		r->w = mark; /* the item is not kept */
		skip_ws(r);
		if (r->i < r->len && r->s[r->i] == ']') {
			r->i++;
			return 0;
		}
		if (r->i >= r->len || r->s[r->i] != ',')
			return fail(r, "no ',' or ']' in an array");
		r->i++;
	}
}

int
json_object_fields(const char *s, size_t len, const char *const names[], size_t n,
                   const char *vals[], char *buf, size_t bufsize, char *err, size_t errlen)
{
	struct reader r = {s, len, 0, buf, bufsize, 0, err, errlen};
	const char *key, *val;
	size_t k, mark;

	for (k = 0; k < n; k++)
		vals[k] = NULL;
	skip_ws(&r);
	if (r.i >= len || s[r.i] != '{')
		return fail(&r, "no '{'");
	r.i++;
	skip_ws(&r);
	if (r.i < len && s[r.i] == '}') {
		r.i++;
		goto end;
	}
	for (;;) {
		skip_ws(&r);
		if (r.i >= len || s[r.i] != '"')
			return fail(&r, "no member name");
		mark = r.w;
		if (string(&r, &key) != 0)
			return -1;
		skip_ws(&r);
		if (r.i >= len || s[r.i] != ':')
			return fail(&r, "no ':'");
		r.i++;
		skip_ws(&r);
		if (value(&r, &val) != 0)
			return -1;
		for (k = 0; k < n; k++)
			if (strcmp(key, names[k]) == 0)
				break;
		if (k < n && val != NULL)
			vals[k] = val;
		else
			r.w = mark; /* neither the name nor the value is kept */
		skip_ws(&r);
		if (r.i < len && s[r.i] == '}') {
			r.i++;
			break;
		}
		if (r.i >= len || s[r.i] != ',')
			return fail(&r, "no ',' or '}'");
		r.i++;
	}
end:
	skip_ws(&r);
	return r.i == len ? 0 : fail(&r, "text after the object");
}
