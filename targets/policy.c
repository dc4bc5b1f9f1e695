/*
 * policy.c: special-purpose ranges and CIDR lists; see policy.h.
 *
 * The special ranges are one table in the manner of zmap's blocklist.conf:
 * a row per range, with what it is and the RFC that reserves it, kept as
 * bytes so nothing is parsed or allocated to answer a question. A cidr_list
 * is a plain array scanned in order: allowlists are short, and a lookup costs
 * less than the connect() it guards.
 */
#include "targets/policy.h"

#include "targets/parse.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/strbuf.h"

/* Quoted text in a message is cut here. */
/* Longest range text worth parsing: an IPv6 address and "/128". */
#define CIDR_TEXT_MAX (INET6_ADDRSTRLEN + 4)

struct special_range {
	int family;
	unsigned char prefix[16];
	unsigned int len;
	const char *what;
};

/*
 * RFC 6890 and the RFCs it collects. Where ranges nest, the narrower row
 * comes first so its name wins. ::ffff:0:0/96 (IPv4-mapped) is not a row:
 * such an address is judged by the IPv4 address inside it.
 */
static const struct special_range special_ranges[] = {
    /* 0.0.0.0/8 */ {AF_INET, {0}, 8, "this network (RFC 791)"},
    /* 10.0.0.0/8 */ {AF_INET, {10}, 8, "private (RFC 1918)"},
    /* 100.64.0.0/10 */ {AF_INET, {100, 64}, 10, "shared address space, CGN (RFC 6598)"},
    /* 127.0.0.0/8 */ {AF_INET, {127}, 8, "loopback (RFC 1122)"},
    /* 169.254.0.0/16 */ {AF_INET, {169, 254}, 16, "link-local (RFC 3927)"},
    /* 172.16.0.0/12 */ {AF_INET, {172, 16}, 12, "private (RFC 1918)"},
    /* 192.0.0.0/24 */ {AF_INET, {192, 0, 0}, 24, "IETF protocol assignments (RFC 6890)"},
    /* 192.0.2.0/24 */ {AF_INET, {192, 0, 2}, 24, "documentation (RFC 5737)"},
    /* 192.88.99.0/24 */ {AF_INET, {192, 88, 99}, 24, "6to4 relay anycast (RFC 7526)"},
    /* 192.168.0.0/16 */ {AF_INET, {192, 168}, 16, "private (RFC 1918)"},
    /* 198.18.0.0/15 */ {AF_INET, {198, 18}, 15, "benchmarking (RFC 2544)"},
    /* 198.51.100.0/24 */ {AF_INET, {198, 51, 100}, 24, "documentation (RFC 5737)"},
    /* 203.0.113.0/24 */ {AF_INET, {203, 0, 113}, 24, "documentation (RFC 5737)"},
    /* 224.0.0.0/4 */ {AF_INET, {224}, 4, "multicast (RFC 5771)"},
    /* 255.255.255.255/32 */ {AF_INET, {255, 255, 255, 255}, 32, "limited broadcast (RFC 919)"},
    /* 240.0.0.0/4 */ {AF_INET, {240}, 4, "reserved (RFC 1112)"},

    /* ::/128 */ {AF_INET6, {0}, 128, "unspecified (RFC 4291)"},
    /* ::1/128 */
    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback (RFC 4291)"},
    /* 64:ff9b:1::/48 */
    {AF_INET6, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, "local-use translation (RFC 8215)"},
    /* 100::/64 */ {AF_INET6, {0x01, 0x00}, 64, "discard-only (RFC 6666)"},
    /* 2001::/23 */ {AF_INET6, {0x20, 0x01}, 23, "IETF protocol assignments (RFC 2928)"},
    /* 2001:db8::/32 */ {AF_INET6, {0x20, 0x01, 0x0d, 0xb8}, 32, "documentation (RFC 3849)"},
    /* fc00::/7 */ {AF_INET6, {0xfc}, 7, "unique local (RFC 4193)"},
    /* fe80::/10 */ {AF_INET6, {0xfe, 0x80}, 10, "link-local (RFC 4291)"},
    /* ff00::/8 */ {AF_INET6, {0xff}, 8, "multicast (RFC 4291)"},
};

struct cidr {
	int family;
	unsigned int len;
	unsigned char addr[16];
	char *reason; /* owned; NULL for allowlist entries */
};

struct cidr_list {
	struct cidr *v;
	size_t n, cap;
};

static int sa_address(const struct sockaddr *sa, int *family, unsigned char addr[16]);
static int prefix_match(const unsigned char *a, const unsigned char *p, unsigned int len);
static int parse_cidr(const char *s, size_t n, struct cidr *c, char *err, size_t errlen);

/*
 * The address of sa as (family, bytes); an IPv4-mapped IPv6 address comes
 * back as the IPv4 address it carries. -1 for other families.
 */
static int
sa_address(const struct sockaddr *sa, int *family, unsigned char addr[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(addr, 0, 16);
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		memcpy(addr, &sin.sin_addr, 4);
		*family = AF_INET;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		if (memcmp(sin6.sin6_addr.s6_addr, mapped, sizeof(mapped)) == 0) {
			memcpy(addr, sin6.sin6_addr.s6_addr + 12, 4);
			*family = AF_INET;
		} else {
			memcpy(addr, sin6.sin6_addr.s6_addr, 16);
			*family = AF_INET6;
		}
		return 0;
	}
	return -1;
}

static int
prefix_match(const unsigned char *a, const unsigned char *p, unsigned int len)
{
	unsigned int full = len / 8, rem = len % 8;
	unsigned char mask;

	if (memcmp(a, p, full) != 0)
		return 0;
	if (rem == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rem));
	return (a[full] & mask) == (p[full] & mask);
}

const char *
policy_special_range(const struct sockaddr *sa)
{
	unsigned char addr[16];
	int family;
	size_t i;

	if (sa_address(sa, &family, addr) < 0)
		return NULL;
	for (i = 0; i < sizeof(special_ranges) / sizeof(special_ranges[0]); i++) {
		const struct special_range *r = &special_ranges[i];

		if (r->family == family && prefix_match(addr, r->prefix, r->len))
			return r->what;
	}
	return NULL;
}

/* One "address[/len]" entry, n bytes at s, trimmed. */
static int
parse_cidr(const char *s, size_t n, struct cidr *c, char *err, size_t errlen)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char buf[CIDR_TEXT_MAX + 1];
	char *slash;
	unsigned int maxlen, bit;
	struct in6_addr a6;

	memset(c, 0, sizeof(*c));
	if (n >= sizeof(buf) || memchr(s, '\0', n) != NULL) {
		target_quote_error(err, errlen, "not an address", s, n);
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';

	if (target_parse_ipv4(buf, c->addr) == 0) {
		c->family = AF_INET;
		maxlen = 32;
	} else if (strchr(buf, '%') == NULL && inet_pton(AF_INET6, buf, &a6) == 1) {
		c->family = AF_INET6;
		memcpy(c->addr, a6.s6_addr, 16);
		maxlen = 128;
	} else {
		target_quote_error(err, errlen, "not an address", s, n);
		return -1;
	}

	c->len = maxlen;
	if (slash != NULL) {
		const char *p = slash + 1;
		unsigned int v = 0;
		size_t digits = strspn(p, "0123456789");

		if (digits == 0 || digits > 3 || p[digits] != '\0' || (p[0] == '0' && digits > 1)) {
			target_quote_error(err, errlen, "bad prefix length", s, n);
			return -1;
		}
		while (*p != '\0')
			v = v * 10 + (unsigned int)(*p++ - '0');
		if (v > maxlen) {
			target_quote_error(err, errlen, "bad prefix length", s, n);
			return -1;
		}
		c->len = v;
	}
	for (bit = c->len; bit < maxlen; bit++) {
		if (c->addr[bit / 8] & (0x80 >> (bit % 8))) {
			target_quote_error(err, errlen, "host bits set", s, n);
			return -1;
		}
	}
	/* ::ffff:192.0.2.0/120 is 192.0.2.0/24: keep one form, so either matches. */
	if (c->family == AF_INET6 && c->len >= 96 && memcmp(c->addr, mapped, 12) == 0) {
		memmove(c->addr, c->addr + 12, 4);
		memset(c->addr + 4, 0, 12);
		c->family = AF_INET;
		c->len -= 96;
	}
	return 0;
}

struct cidr_list *
cidr_list_new(void)
{
	return calloc(1, sizeof(struct cidr_list));
}

void
cidr_list_free(struct cidr_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i].reason);
	free(l->v);
	free(l);
}

/* Makes room for one more entry; -1 with err set when there is none. */
static int
cidr_list_grow(struct cidr_list *l, char *err, size_t errlen)
{
	struct strbuf sb;
	size_t cap;
	struct cidr *v;

	if (l->n >= CIDR_LIST_MAX) {
		if (err != NULL && errlen > 0) {
			sb_init(&sb, err, errlen);
			sb_printf(&sb, "too many ranges (at most %d)", CIDR_LIST_MAX);
		}
		return -1;
	}
	if (l->n < l->cap)
		return 0;
	cap = l->cap ? l->cap * 2 : 16;
	if (cap > CIDR_LIST_MAX)
		cap = CIDR_LIST_MAX;
	if ((v = realloc(l->v, cap * sizeof(*v))) == NULL) {
		if (err != NULL && errlen > 0) {
			sb_init(&sb, err, errlen);
			sb_puts(&sb, "out of memory");
		}
		return -1;
	}
	l->v = v;
	l->cap = cap;
	return 0;
}

int
cidr_list_add_reason(struct cidr_list *l, const char *cidr, size_t n, const char *reason, char *err,
                     size_t errlen)
{
	struct cidr c;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (parse_cidr(cidr, n, &c, err, errlen) < 0 || cidr_list_grow(l, err, errlen) < 0)
		return -1;
	if ((c.reason = strdup(reason)) == NULL) {
		target_quote_error(err, errlen, "out of memory", "", 0);
		return -1;
	}
	l->v[l->n++] = c;
	return 0;
}

const char *
cidr_list_match(const struct cidr_list *l, const struct sockaddr *sa)
{
	unsigned char addr[16];
	int family;
	size_t i;

	if (l == NULL || sa_address(sa, &family, addr) < 0)
		return NULL;
	for (i = 0; i < l->n; i++)
		if (l->v[i].family == family && prefix_match(addr, l->v[i].addr, l->v[i].len))
			return l->v[i].reason != NULL ? l->v[i].reason : "";
	return NULL;
}

int
cidr_list_add(struct cidr_list *l, const char *text, char *err, size_t errlen)
{
	size_t old_n = l->n;
	const char *p = text;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (text == NULL) {
		target_quote_error(err, errlen, "empty range", "", 0);
		return -1;
	}
	for (;;) {
		const char *end = strchr(p, ','), *s = p, *e;
		struct cidr c;

		if (end == NULL)
			end = p + strlen(p);
		e = end;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (s == e) {
			target_quote_error(err, errlen, "empty range in list", text, strlen(text));
			goto undo;
		}
		if (parse_cidr(s, (size_t)(e - s), &c, err, errlen) < 0 ||
		    cidr_list_grow(l, err, errlen) < 0)
			goto undo;
		l->v[l->n++] = c;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return 0;
undo:
	l->n = old_n;
	return -1;
}

size_t
cidr_list_count(const struct cidr_list *l)
{
	return l == NULL ? 0 : l->n;
}

int
cidr_list_contains(const struct cidr_list *l, const struct sockaddr *sa)
{
	unsigned char addr[16];
	int family;
	size_t i;

	if (l == NULL || sa_address(sa, &family, addr) < 0)
		return 0;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].family == family && prefix_match(addr, l->v[i].addr, l->v[i].len))
			return 1;
	}
	return 0;
}
