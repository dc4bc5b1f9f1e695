/*
 * parse.c: the target-line parser; see parse.h.
 *
 * A line is untrusted bytes of any length. Only its first field is looked
 * at, and that field is copied into a small bounded buffer before anything
 * else is done with it, so no input can make the parser read or write past
 * what it was given. Messages quote the offending text escaped and cut.
 */
#include "targets/parse.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "common/bounds.h"
#include "common/iptext.h"
#include "common/strbuf.h"

/* Quoted text in a message is cut here, so the message fits a skip_reason. */
/* Longest first field worth looking at: a host name and ":65535". */
#define PARSE_TOKEN_MAX (TARGET_HOSTNAME_MAX + 8)
#define HOST_LABEL_MAX  63
#define DNS_NAME_MAX    253
#define MX_PREFIX       "mx:"
#define MX_PREFIX_LEN   3

static int is_blank(char c);
static int is_sep(char c);
static int looks_like_hostname(const char *s, size_t n);
static int is_prefix_len(const char *s, unsigned int max);
static enum target_parse parse_token(const char *tok, size_t n, uint16_t port, struct target *t,
                                     char *err, size_t errlen);
static enum target_parse parse_v6(const char *tok, size_t n, const char *addr, uint16_t port,
                                  struct target *t, char *err, size_t errlen);
static void set_v4(struct target *t, const unsigned char a[4], uint16_t port);
static void set_v6(struct target *t, const struct in6_addr *a, uint16_t port);
static void set_name(struct target *t, const char *name, uint16_t port, enum target_name kind);
static void warn_v6_port(const char *addr, const struct target *t, char *err, size_t errlen);
static enum target_parse parse_mx(const char *tok, size_t n, uint16_t port, struct target *t,
                                  char *err, size_t errlen);

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Fields end at whitespace or a comma: zmap, masscan and CSV first columns. */
static int
is_sep(char c)
{
	return is_blank(c) || c == ',';
}

void
target_quote_error(char *err, size_t errlen, const char *what, const char *s, size_t n)
{
	char q[TARGET_QUOTE_MAX];
	struct strbuf qb, sb;

	if (err == NULL || errlen == 0)
		return;
	sb_init(&qb, q, sizeof(q));
	sb_append_escaped(&qb, s, n);
	sb_init(&sb, err, errlen);
	sb_printf(&sb, "%s: \"%s\"%s", what, q, qb.truncated ? "..." : "");
}

/* A list meaning one thing and a probe going elsewhere is the one mistake
 * not to make: hence the strict form (see parse.h). */
int
target_parse_ipv4(const char *s, unsigned char out[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned int v = 0;
		int digits = 0;

		if (i > 0 && *s++ != '.')
			return -1;
		if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
			return -1;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -1;
		out[i] = (unsigned char)v;
	}
	return *s == '\0' ? 0 : -1;
}

/*
 * A name in LDH labels with at least one dot and a top label that is not
 * all digits (RFC 3696 2), so "1.2.3" stays a bad address, not a name.
 */
static int
looks_like_hostname(const char *s, size_t n)
{
	size_t i, label = 0, labels = 0;
	int alpha_in_label = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX)
		return 0;
	for (i = 0; i <= n; i++) {
		char c = '.';

		if (i < n)
			c = s[i];

		if (c == '.') {
			if (label == 0 || label > HOST_LABEL_MAX || s[i - 1] == '-')
				return 0;
			labels++;
			if (i == n && !alpha_in_label)
				return 0;
			label = 0;
			alpha_in_label = 0;
			continue;
		}
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			alpha_in_label = 1;
		else if (c == '-') {
			if (label == 0)
				return 0;
		} else if (c < '0' || c > '9')
			return 0;
		label++;
	}
	return labels >= 2;
}

/* 1 when any bit of the n-byte address past the first len bits is set. */
static int
host_bits_set(const unsigned char *a, size_t n, unsigned int len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned int bits = len >= 8 * (i + 1) ? 8
		                    : len > 8 * i      ? len - 8 * (unsigned)i
		                                       : 0;
		unsigned char host = (unsigned char)(bits == 8 ? 0 : 0xffu >> bits);

		if (a[i] & host)
			return 1;
	}
	return 0;
}

/* A decimal prefix length, 0..max, without leading zeros. */
static int
is_prefix_len(const char *s, unsigned int max)
{
	size_t n = strspn(s, "0123456789");

	if (n < 1 || n > 3 || s[n] != '\0' || (s[0] == '0' && n > 1))
		return 0;
	return (unsigned int)strtoul(s, NULL, 10) <= max;
}

int
target_parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	/* Decimal digits only: no sign, no blanks, no leading zero, no hex. */
	if (s == NULL || s[0] < '1' || s[0] > '9')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
target_set_addr(struct target *t, const struct sockaddr *sa, uint16_t port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (sa->sa_family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		sin.sin_port = htons(port);
		memset(&t->sa, 0, sizeof(t->sa));
		memcpy(&t->sa, &sin, sizeof(sin));
		t->salen = sizeof(sin);
		ip_text(AF_INET, &sin.sin_addr, t->ip, sizeof(t->ip));
	} else if (sa->sa_family == AF_INET6) {
		memcpy(&sin6, sa, sizeof(sin6));
		sin6.sin6_port = htons(port);
		memset(&t->sa, 0, sizeof(t->sa));
		memcpy(&t->sa, &sin6, sizeof(sin6));
		t->salen = sizeof(sin6);
		ip_text(AF_INET6, &sin6.sin6_addr, t->ip, sizeof(t->ip));
	} else
		return -1;
	t->port = port;
	return 0;
}

static void
set_v4(struct target *t, const unsigned char a[4], uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	memcpy(&sin.sin_addr, a, 4);
	target_set_addr(t, (const struct sockaddr *)&sin, port);
}

static void
set_v6(struct target *t, const struct in6_addr *a, uint16_t port)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = *a;
	target_set_addr(t, (const struct sockaddr *)&sin6, port);
}

/* A host name to resolve: no address yet, so no ip either. */
static void
set_name(struct target *t, const char *name, uint16_t port, enum target_name kind)
{
	struct strbuf sb;

	t->port = port;
	t->name_kind = kind;
	sb_init(&sb, t->hostname, sizeof(t->hostname));
	sb_puts(&sb, name);
}

/* addr is the NUL-terminated IPv6 text inside tok (bare or in brackets). */
static enum target_parse
parse_v6(const char *tok, size_t n, const char *addr, uint16_t port, struct target *t, char *err,
         size_t errlen)
{
	struct in6_addr a6;
	const char *slash;

	if (strchr(addr, '%') != NULL) {
		target_quote_error(err, errlen, "zone ids are not supported", tok, n);
		return TP_ERROR;
	}
	slash = strchr(addr, '/');
	if (slash != NULL) {
		char a[INET6_ADDRSTRLEN];
		size_t alen = (size_t)(slash - addr);

		if (alen < sizeof(a)) {
			memcpy(a, addr, alen);
			a[alen] = '\0';
			if (inet_pton(AF_INET6, a, &a6) == 1 && is_prefix_len(slash + 1, 128)) {
				unsigned int len = (unsigned int)strtoul(slash + 1, NULL, 10);

				if (128 - len > TARGET_RANGE_BITS_MAX) {
					target_quote_error(
					    err, errlen, "range too large (IPv6 ranges go to /96)",
					    tok, n);
					return TP_ERROR;
				}
				if (host_bits_set(a6.s6_addr, 16, len)) {
					target_quote_error(err, errlen, "host bits set", tok, n);
					return TP_ERROR;
				}
				set_v6(t, &a6, port);
				t->range_prefix = (unsigned char)len;
				return TP_RANGE;
			}
		}
		target_quote_error(err, errlen, "not an address", tok, n);
		return TP_ERROR;
	}
	if (inet_pton(AF_INET6, addr, &a6) != 1) {
		target_quote_error(err, errlen, "not an address", tok, n);
		return TP_ERROR;
	}
	set_v6(t, &a6, port);
	return TP_TARGET;
}

/*
 * "::1:2525" is the address ::0.1.37.37 on the default port, but whoever
 * wrote it most likely meant ::1 port 2525: when the text before the last
 * colon is an IPv6 address of its own and the text after it a port, say how
 * to write a port (the line is still read as an address, as RFC 5952 says).
 */
static void
warn_v6_port(const char *addr, const struct target *t, char *err, size_t errlen)
{
	const char *last = strrchr(addr, ':');
	char head[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct strbuf sb;
	uint16_t port;
	size_t hlen;

	if (err == NULL || errlen == 0 || last == NULL || target_parse_port(last + 1, &port) != 0)
		return;
	hlen = (size_t)(last - addr);
	if (hlen == 0 || hlen >= sizeof(head))
		return;
	memcpy(head, addr, hlen);
	head[hlen] = '\0';
	if (inet_pton(AF_INET6, head, &a6) != 1)
		return;
	sb_init(&sb, err, errlen);
	sb_printf(&sb, "\"%s\" is the IPv6 address %s (port %u); write [%s]:%s for a port", addr,
	          t->ip, (unsigned)t->port, head, last + 1);
}

/* tok is the first field: an address, maybe with a port, or not a target. */
static enum target_parse
parse_token(const char *tok, size_t n, uint16_t port, struct target *t, char *err, size_t errlen)
{
	char buf[PARSE_TOKEN_MAX];
	unsigned char a4[4];
	char *colon, *slash;
	size_t i, colons = 0;

	if (n == 0 || n >= sizeof(buf)) {
		target_quote_error(err, errlen, "not an address", tok, n);
		return TP_ERROR;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tok[i];

		if (c <= 0x20 || c >= 0x7f) {
			target_quote_error(err, errlen, "not an address", tok, n);
			return TP_ERROR;
		}
		colons += c == ':';
	}
	memcpy(buf, tok, n);
	buf[n] = '\0';

	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (close == NULL || close == buf + 1) {
			target_quote_error(err, errlen, "not an address", tok, n);
			return TP_ERROR;
		}
		*close = '\0';
		if (close[1] == ':') {
			if (target_parse_port(close + 2, &port) < 0) {
				target_quote_error(err, errlen, "bad port", tok, n);
				return TP_ERROR;
			}
		} else if (close[1] != '\0') {
			target_quote_error(err, errlen, "not an address", tok, n);
			return TP_ERROR;
		}
		/* Brackets are for IPv6 only; "[192.0.2.1]" fails inet_pton(AF_INET6). */
		if (strchr(buf + 1, '/') != NULL) {
			target_quote_error(err, errlen, "not an address", tok, n);
			return TP_ERROR;
		}
		return parse_v6(tok, n, buf + 1, port, t, err, errlen);
	}

	/* Two colons or more: IPv6, never split at a colon. */
	if (colons >= 2) {
		enum target_parse r = parse_v6(tok, n, buf, port, t, err, errlen);

		if (r == TP_TARGET)
			warn_v6_port(buf, t, err, errlen);
		return r;
	}

	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (colons == 0 && target_parse_ipv4(buf, a4) == 0 &&
		    is_prefix_len(slash + 1, 32)) {
			unsigned int len = (unsigned int)strtoul(slash + 1, NULL, 10);

			if (host_bits_set(a4, 4, len)) {
				target_quote_error(err, errlen, "host bits set", tok, n);
				return TP_ERROR;
			}
			set_v4(t, a4, port);
			t->range_prefix = (unsigned char)len;
			return TP_RANGE;
		}
		target_quote_error(err, errlen, "not an address", tok, n);
		return TP_ERROR;
	}

	colon = strchr(buf, ':');
	if (colon != NULL)
		*colon = '\0';
	if (target_parse_ipv4(buf, a4) < 0 && !looks_like_hostname(buf, strlen(buf))) {
		target_quote_error(err, errlen, "not an address", tok, n);
		return TP_ERROR;
	}
	if (colon != NULL && target_parse_port(colon + 1, &port) < 0) {
		target_quote_error(err, errlen, "bad port", tok, n);
		return TP_ERROR;
	}
	if (target_parse_ipv4(buf, a4) == 0)
		set_v4(t, a4, port);
	else
		set_name(t, buf, port, TARGET_NAME_HOST);
	return TP_TARGET;
}

/* "mx:example.com[:port]": the domain's MX hosts. */
static enum target_parse
parse_mx(const char *tok, size_t n, uint16_t port, struct target *t, char *err, size_t errlen)
{
	enum target_parse r = parse_token(tok + MX_PREFIX_LEN, n - MX_PREFIX_LEN, port, t, NULL, 0);

	if (r != TP_TARGET || t->name_kind != TARGET_NAME_HOST) {
		target_quote_error(err, errlen, "not a mail domain", tok, n);
		memset(&t->sa, 0, sizeof(t->sa));
		t->salen = 0;
		t->ip[0] = '\0';
		t->hostname[0] = '\0';
		t->name_kind = TARGET_NAME_NONE;
		return TP_ERROR;
	}
	t->name_kind = TARGET_NAME_MX;
	return TP_TARGET;
}

/*
 * masscan -oL writes "open tcp 25 192.0.2.7 1700000000": the address is the
 * fourth field and the port the third. Returns 1 and sets the address field
 * when s..e is such a line.
 */
static int
masscan_line(const char *s, const char *e, const char **addr, size_t *addrlen, uint16_t *port)
{
	const char *f[4];
	size_t fl[4];
	char pbuf[8];
	int i;

	for (i = 0; i < 4; i++) {
		while (s < e && is_blank(*s))
			s++;
		f[i] = s;
		while (s < e && !is_blank(*s))
			s++;
		fl[i] = (size_t)(s - f[i]);
		if (fl[i] == 0)
			return 0;
	}
	if (fl[0] != 4 || memcmp(f[0], "open", 4) != 0 || fl[1] != 3 ||
	    memcmp(f[1], "tcp", 3) != 0 || fl[2] >= sizeof(pbuf))
		return 0;
	memcpy(pbuf, f[2], fl[2]);
	pbuf[fl[2]] = '\0';
	if (target_parse_port(pbuf, port) < 0)
		return 0;
	*addr = f[3];
	*addrlen = fl[3];
	return 1;
}

enum target_parse
target_parse_line(const char *line, size_t len, uint16_t default_port, struct target *t, char *err,
                  size_t errlen)
{
	const char *s = line, *e = line + len, *hash, *tok;
	size_t toklen;
	uint16_t port = default_port;
	struct strbuf sb;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&t->sa, 0, sizeof(t->sa));
	t->salen = 0;
	t->port = 0;
	t->ip[0] = '\0';
	t->hostname[0] = '\0';
	t->name_kind = TARGET_NAME_NONE;

	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	sb_init(&sb, t->input, sizeof(t->input));
	sb_append_escaped(&sb, s, (size_t)(e - s));

	if (memchr(s, '\0', (size_t)(e - s)) != NULL) {
		target_quote_error(err, errlen, "nul byte in line", s, (size_t)(e - s));
		return TP_ERROR;
	}
	hash = memchr(s, '#', (size_t)(e - s));
	if (hash != NULL)
		e = hash;
	while (e > s && is_blank(e[-1]))
		e--;
	if (s == e)
		return TP_EMPTY;

	if (!masscan_line(s, e, &tok, &toklen, &port)) {
		tok = s;
		while (s < e && !is_sep(*s))
			s++;
		toklen = (size_t)(s - tok);
	}
	if (toklen > MX_PREFIX_LEN && strncasecmp(tok, MX_PREFIX, MX_PREFIX_LEN) == 0)
		return parse_mx(tok, toklen, port, t, err, errlen);
	return parse_token(tok, toklen, port, t, err, errlen);
}
