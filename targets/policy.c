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
#include <stdint.h>
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
	/* Nonzero: the byte at which an IPv4 address sits inside this IPv6
	 * prefix. Such a row is not special itself; the IPv4 address it
	 * carries is judged by the IPv4 rows, and the row names the carrier. */
	unsigned int embed;
	const char *what;
};

/*
 * RFC 6890 and the IANA special-purpose registries (IPv4 and IPv6), with
 * the RFCs they collect. Where ranges nest, the narrower row comes first so
 * its name wins. ::ffff:0:0/96 (IPv4-mapped) is not a row: such an address
 * is judged by the IPv4 address inside it.
 *
 * IPv6 forms that carry an IPv4 address, decided one by one:
 *  - NAT64's well-known prefix 64:ff9b::/96 (RFC 6052 3.1: never with a
 *    non-global IPv4 address) and 6to4 2002::/16 (RFC 3056) reach the IPv4
 *    address they carry: that address is judged by the IPv4 rows;
 *  - IPv4-compatible ::/96 (deprecated, RFC 4291 2.5.5.1) and
 *    IPv4-translated ::ffff:0:0:0/96 (RFC 2765) are never routed: special;
 *  - Teredo 2001::/32 (RFC 4380) carries a server and a hidden client
 *    address: special, as IANA lists it;
 *  - site-local fec0::/10 (deprecated, RFC 3879) is a private scope.
 */
static const struct special_range special_ranges[] = {
    /* 0.0.0.0/8 */ {AF_INET, {0}, 8, 0, "this network (RFC 791)"},
    /* 10.0.0.0/8 */ {AF_INET, {10}, 8, 0, "private (RFC 1918)"},
    /* 100.64.0.0/10 */ {AF_INET, {100, 64}, 10, 0, "shared address space, CGN (RFC 6598)"},
    /* 127.0.0.0/8 */ {AF_INET, {127}, 8, 0, "loopback (RFC 1122)"},
    /* 169.254.0.0/16 */ {AF_INET, {169, 254}, 16, 0, "link-local (RFC 3927)"},
    /* 172.16.0.0/12 */ {AF_INET, {172, 16}, 12, 0, "private (RFC 1918)"},
    /* 192.0.0.0/24 */ {AF_INET, {192, 0, 0}, 24, 0, "IETF protocol assignments (RFC 6890)"},
    /* 192.0.2.0/24 */ {AF_INET, {192, 0, 2}, 24, 0, "documentation (RFC 5737)"},
    /* 192.31.196.0/24 */ {AF_INET, {192, 31, 196}, 24, 0, "AS112-v4 (RFC 7535)"},
    /* 192.52.193.0/24 */ {AF_INET, {192, 52, 193}, 24, 0, "AMT (RFC 7450)"},
    /* 192.88.99.0/24 */ {AF_INET, {192, 88, 99}, 24, 0, "6to4 relay anycast (RFC 7526)"},
    /* 192.168.0.0/16 */ {AF_INET, {192, 168}, 16, 0, "private (RFC 1918)"},
    /* 192.175.48.0/24 */
    {AF_INET, {192, 175, 48}, 24, 0, "AS112 direct delegation (RFC 7534)"},
    /* 198.18.0.0/15 */ {AF_INET, {198, 18}, 15, 0, "benchmarking (RFC 2544)"},
    /* 198.51.100.0/24 */ {AF_INET, {198, 51, 100}, 24, 0, "documentation (RFC 5737)"},
    /* 203.0.113.0/24 */ {AF_INET, {203, 0, 113}, 24, 0, "documentation (RFC 5737)"},
    /* 224.0.0.0/4 */ {AF_INET, {224}, 4, 0, "multicast (RFC 5771)"},
    /* 255.255.255.255/32 */
    {AF_INET, {255, 255, 255, 255}, 32, 0, "limited broadcast (RFC 919)"},
    /* 240.0.0.0/4 */ {AF_INET, {240}, 4, 0, "reserved (RFC 1112)"},

    /* ::/128 */ {AF_INET6, {0}, 128, 0, "unspecified (RFC 4291)"},
    /* ::1/128 */
    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, 0, "loopback (RFC 4291)"},
    /* ::/96 */ {AF_INET6, {0}, 96, 0, "IPv4-compatible, deprecated (RFC 4291)"},
    /* ::ffff:0:0:0/96 */
    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, 0, "IPv4-translated (RFC 2765)"},
    /* 64:ff9b::/96 */
    {AF_INET6, {0x00, 0x64, 0xff, 0x9b}, 96, 12, "NAT64 well-known prefix (RFC 6052)"},
    /* 64:ff9b:1::/48 */
    {AF_INET6, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, 0, "local-use translation (RFC 8215)"},
    /* 100:0:0:1::/64 */
    {AF_INET6, {0x01, 0x00, 0, 0, 0, 0, 0, 0x01}, 64, 0, "dummy prefix (RFC 9780)"},
    /* 100::/64 */ {AF_INET6, {0x01, 0x00}, 64, 0, "discard-only (RFC 6666)"},
    /* 2001::/32 */ {AF_INET6, {0x20, 0x01, 0x00, 0x00}, 32, 0, "Teredo (RFC 4380)"},
    /* 2001:1::1/128 */
    {AF_INET6,
     {0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
     128,
     0,
     "PCP anycast (RFC 7723)"},
    /* 2001:1::2/128 */
    {AF_INET6,
     {0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
     128,
     0,
     "TURN anycast (RFC 8155)"},
    /* 2001:1::3/128 */
    {AF_INET6,
     {0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3},
     128,
     0,
     "DNS-SD SRP anycast (RFC 9665)"},
    /* 2001:2::/48 */ {AF_INET6, {0x20, 0x01, 0x00, 0x02}, 48, 0, "benchmarking (RFC 5180)"},
    /* 2001:3::/32 */ {AF_INET6, {0x20, 0x01, 0x00, 0x03}, 32, 0, "AMT (RFC 7450)"},
    /* 2001:4:112::/48 */
    {AF_INET6, {0x20, 0x01, 0x00, 0x04, 0x01, 0x12}, 48, 0, "AS112-v6 (RFC 7535)"},
    /* 2001:10::/28 */
    {AF_INET6, {0x20, 0x01, 0x00, 0x10}, 28, 0, "ORCHID, deprecated (RFC 4843)"},
    /* 2001:20::/28 */ {AF_INET6, {0x20, 0x01, 0x00, 0x20}, 28, 0, "ORCHIDv2 (RFC 7343)"},
    /* 2001:30::/28 */
    {AF_INET6, {0x20, 0x01, 0x00, 0x30}, 28, 0, "drone remote ID tags (RFC 9374)"},
    /* 2001::/23 */ {AF_INET6, {0x20, 0x01}, 23, 0, "IETF protocol assignments (RFC 2928)"},
    /* 2001:db8::/32 */
    {AF_INET6, {0x20, 0x01, 0x0d, 0xb8}, 32, 0, "documentation (RFC 3849)"},
    /* 2002::/16 */ {AF_INET6, {0x20, 0x02}, 16, 2, "6to4 (RFC 3056)"},
    /* 2620:4f:8000::/48 */
    {AF_INET6, {0x26, 0x20, 0x00, 0x4f, 0x80, 0x00}, 48, 0, "AS112 direct delegation (RFC 7534)"},
    /* 3fff::/20 */ {AF_INET6, {0x3f, 0xff, 0x00}, 20, 0, "documentation (RFC 9637)"},
    /* 5f00::/16 */ {AF_INET6, {0x5f, 0x00}, 16, 0, "SRv6 SIDs (RFC 9602)"},
    /* fc00::/7 */ {AF_INET6, {0xfc}, 7, 0, "unique local (RFC 4193)"},
    /* fe80::/10 */ {AF_INET6, {0xfe, 0x80}, 10, 0, "link-local (RFC 4291)"},
    /* fec0::/10 */ {AF_INET6, {0xfe, 0xc0}, 10, 0, "site-local, deprecated (RFC 3879)"},
    /* ff00::/8 */ {AF_INET6, {0xff}, 8, 0, "multicast (RFC 4291)"},
};

#define SPECIAL_RANGES (sizeof(special_ranges) / sizeof(special_ranges[0]))

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

/* The row of the IPv4 table that holds the 4 bytes at a, or NULL. */
static const struct special_range *
special_v4(const unsigned char *a)
{
	size_t i;

	for (i = 0; i < SPECIAL_RANGES && special_ranges[i].family == AF_INET; i++)
		if (prefix_match(a, special_ranges[i].prefix, special_ranges[i].len))
			return &special_ranges[i];
	return NULL;
}

const char *
policy_special_why(const struct sockaddr *sa, const char **via)
{
	unsigned char addr[16];
	int family;
	size_t i;

	if (via != NULL)
		*via = NULL;
	if (sa_address(sa, &family, addr) < 0)
		return NULL;
	for (i = 0; i < SPECIAL_RANGES; i++) {
		const struct special_range *r = &special_ranges[i], *in;

		if (r->family != family || !prefix_match(addr, r->prefix, r->len))
			continue;
		if (r->embed == 0)
			return r->what;
		if ((in = special_v4(addr + r->embed)) == NULL)
			return NULL; /* carries an ordinary IPv4 address */
		if (via != NULL)
			*via = r->what;
		return in->what;
	}
	return NULL;
}

const char *
policy_special_range(const struct sockaddr *sa)
{
	return policy_special_why(sa, NULL);
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

/*
 * Ranges against policy. A range here is at most 2^TARGET_RANGE_BITS_MAX
 * addresses from a base, so an address inside it is an offset that fits in
 * 64 bits, and a rule (a CIDR) meets it as nothing, all of it, or one block
 * of offsets. Each stage turns the rules that meet the range into sorted,
 * merged spans and cuts them from what is left; a stage whose pieces would
 * not fit in max is left to the address-by-address check.
 */

/* The range as the policy sees it: an IPv4-mapped IPv6 range is IPv4. */
struct range_view {
	int family;
	unsigned char base[16];
	unsigned int prefix, bits;
};

static int
range_view(const struct sockaddr *base, unsigned int prefix, struct range_view *v)
{
	unsigned int maxlen;

	if (sa_address(base, &v->family, v->base) < 0)
		return -1;
	maxlen = v->family == AF_INET ? 32 : 128;
	if (base->sa_family == AF_INET6 && v->family == AF_INET) {
		if (prefix < 96)
			return -1; /* not a range of mapped addresses only */
		prefix -= 96;
	}
	if (prefix > maxlen || maxlen - prefix > TARGET_RANGE_BITS_MAX)
		return -1;
	v->prefix = prefix;
	v->bits = maxlen - prefix;
	return 0;
}

/* The low bits of the 4 last address bytes (all of them for IPv4). */
static uint64_t
low_bits(const struct range_view *v, const unsigned char *addr, unsigned int bits)
{
	const unsigned char *p = addr + (v->family == AF_INET ? 0 : 12);
	uint64_t x = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];

	return bits >= 32 ? x : x & (((uint64_t)1 << bits) - 1);
}

/* Where the CIDR (family, addr, len) meets the range: 1 and *s, or 0. */
static int
span_of(const struct range_view *v, int family, const unsigned char *addr, unsigned int len,
        struct addr_span *s)
{
	unsigned int maxlen = family == AF_INET ? 32 : 128;

	if (family != v->family)
		return 0;
	if (len <= v->prefix) {
		if (!prefix_match(v->base, addr, len))
			return 0;
		s->lo = 0;
		s->hi = (uint64_t)1 << v->bits;
		return 1;
	}
	if (!prefix_match(addr, v->base, v->prefix))
		return 0;
	s->lo = low_bits(v, addr, v->bits);
	s->hi = s->lo + ((uint64_t)1 << (maxlen - len));
	return 1;
}

struct spans {
	struct addr_span *v;
	size_t n, max;
	int overflow;
};

static void
spans_put(struct spans *s, const struct addr_span *x)
{
	if (s->n >= s->max)
		s->overflow = 1;
	else
		s->v[s->n++] = *x;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct addr_span *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts s and joins spans that touch or overlap. */
static void
spans_merge(struct spans *s)
{
	size_t i, n = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), span_cmp);
	for (i = 1; i < s->n; i++) {
		if (s->v[i].lo <= s->v[n].hi) {
			if (s->v[i].hi > s->v[n].hi)
				s->v[n].hi = s->v[i].hi;
		} else {
			s->v[++n] = s->v[i];
		}
	}
	s->n = n + 1;
}

static uint64_t
spans_total(const struct addr_span *v, size_t n)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		t += v[i].hi - v[i].lo;
	return t;
}

/* out = a minus cut (both sorted and merged); out->overflow when it does not fit. */
static void
spans_subtract(const struct addr_span *a, size_t na, const struct spans *cut, struct spans *out)
{
	size_t i, j = 0;

	out->n = 0;
	out->overflow = 0;
	for (i = 0; i < na; i++) {
		uint64_t lo = a[i].lo;
		size_t k;

		while (j < cut->n && cut->v[j].hi <= lo)
			j++;
		for (k = j; k < cut->n && cut->v[k].lo < a[i].hi && lo < a[i].hi; k++) {
			if (cut->v[k].lo > lo) {
				struct addr_span x = {lo, cut->v[k].lo};

				spans_put(out, &x);
			}
			if (cut->v[k].hi > lo)
				lo = cut->v[k].hi;
		}
		if (lo < a[i].hi) {
			struct addr_span x = {lo, a[i].hi};

			spans_put(out, &x);
		}
	}
}

/* The spans of l's ranges that meet the range. */
static void
cidr_list_spans(const struct cidr_list *l, const struct range_view *v, struct spans *s)
{
	size_t i;

	s->n = 0;
	s->overflow = 0;
	for (i = 0; l != NULL && i < l->n && !s->overflow; i++) {
		struct addr_span x;

		if (!span_of(v, l->v[i].family, l->v[i].addr, l->v[i].len, &x))
			continue;
		if (s->n == s->max)
			spans_merge(s); /* neighbours may join and make room */
		spans_put(s, &x);
	}
	spans_merge(s);
}

/* The spans of the special-purpose table that meet the range; an IPv6 row
 * that carries IPv4 stands for each IPv4 row inside it. */
static void
special_spans(const struct range_view *v, struct spans *s)
{
	size_t i, j;

	s->n = 0;
	s->overflow = 0;
	for (i = 0; i < SPECIAL_RANGES; i++) {
		const struct special_range *r = &special_ranges[i];
		struct addr_span x;

		if (r->embed == 0) {
			if (span_of(v, r->family, r->prefix, r->len, &x))
				spans_put(s, &x);
			continue;
		}
		for (j = 0; j < SPECIAL_RANGES && special_ranges[j].family == AF_INET; j++) {
			unsigned char a[16];

			memcpy(a, r->prefix, sizeof(a));
			memcpy(a + r->embed, special_ranges[j].prefix, 4);
			if (span_of(v, AF_INET6, a, r->len + special_ranges[j].len, &x))
				spans_put(s, &x);
		}
	}
	spans_merge(s);
}

/* Cuts the spans of one stage from what is left (left->v holds left->n
 * spans); returns the addresses cut. An overflowing stage cuts nothing. */
static uint64_t
cut_stage(struct spans *left, const struct spans *rule, struct spans *tmp, int *partial)
{
	uint64_t before = spans_total(left->v, left->n);

	if (rule->overflow) {
		*partial = 1;
		return 0;
	}
	spans_subtract(left->v, left->n, rule, tmp);
	if (tmp->overflow) {
		*partial = 1;
		return 0;
	}
	memcpy(left->v, tmp->v, tmp->n * sizeof(*tmp->v));
	left->n = tmp->n;
	return before - spans_total(left->v, left->n);
}

/* 1 when x overlaps one of the sorted, disjoint spans v[0..n). */
static int
spans_meet(const struct addr_span *v, size_t n, const struct addr_span *x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* the first span that ends after x starts */
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].hi <= x->lo)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].lo < x->hi;
}

/* Which exclude rules cut from what is left, so the row can name them. */
static void
exclude_rules(const struct cidr_list *l, const struct range_view *v, const struct spans *left,
              struct range_cut *cut)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct addr_span x;

		if (!span_of(v, l->v[i].family, l->v[i].addr, l->v[i].len, &x) ||
		    !spans_meet(left->v, left->n, &x))
			continue;
		if (cut->exclude_rules++ == 0)
			cut->exclude_why = l->v[i].reason != NULL ? l->v[i].reason : "";
	}
}

long
policy_range_parts(const struct range_policy *p, const struct sockaddr *base, unsigned int prefix,
                   struct addr_span *parts, size_t max, struct range_cut *cut)
{
	struct range_view v;
	struct spans left = {parts, 0, max, 0}, rule, tmp;
	struct addr_span *buf;

	memset(cut, 0, sizeof(*cut));
	if (max == 0 || range_view(base, prefix, &v) < 0)
		return -1;
	cut->size = (uint64_t)1 << v.bits;
	parts[0].lo = 0;
	parts[0].hi = cut->size;
	left.n = 1;
	if (cidr_list_count(p->allowlist) == 0 && cidr_list_count(p->exclude) == 0 &&
	    p->allow_private)
		return 1;
	if ((buf = malloc(2 * max * sizeof(*buf))) == NULL)
		return -1;
	rule.v = buf;
	rule.max = max;
	tmp.v = buf + max;
	tmp.max = max;

	/* The order a single address is judged in: allowlist, exclude, special. */
	if (cidr_list_count(p->allowlist) > 0) {
		cidr_list_spans(p->allowlist, &v, &rule);
		if (rule.overflow) {
			cut->partial = 1;
		} else {
			memcpy(left.v, rule.v, rule.n * sizeof(*rule.v));
			left.n = rule.n;
			cut->outside_allowlist = cut->size - spans_total(left.v, left.n);
		}
	}
	if (cidr_list_count(p->exclude) > 0) {
		exclude_rules(p->exclude, &v, &left, cut);
		cidr_list_spans(p->exclude, &v, &rule);
		cut->excluded = cut_stage(&left, &rule, &tmp, &cut->partial);
	}
	if (!p->allow_private) {
		special_spans(&v, &rule);
		cut->special = cut_stage(&left, &rule, &tmp, &cut->partial);
	}
	free(buf);
	return (long)left.n;
}

void
policy_cut_reason(const struct range_cut *cut, char *buf, size_t len)
{
	struct strbuf sb;
	const char *sep = "";

	if (buf == NULL || len == 0)
		return;
	sb_init(&sb, buf, len);
	if (cut->outside_allowlist > 0) {
		sb_printf(&sb, "outside allowlist: %llu",
		          (unsigned long long)cut->outside_allowlist);
		sep = ", ";
	}
	if (cut->excluded > 0) {
		sb_printf(&sb, "%sexcluded: %llu", sep, (unsigned long long)cut->excluded);
		sep = ", ";
	}
	if (cut->special > 0)
		sb_printf(&sb, "%sspecial-purpose range: %llu", sep,
		          (unsigned long long)cut->special);
	if (sb.len == 0)
		return;
	sb_printf(&sb, " of %llu addresses", (unsigned long long)cut->size);
	if (cut->excluded > 0 && cut->exclude_why != NULL && cut->exclude_why[0] != '\0') {
		sb_printf(&sb, "; by %.*s", TARGET_QUOTE_MAX, cut->exclude_why);
		if (cut->exclude_rules > 1)
			sb_printf(&sb, " and %zu more", cut->exclude_rules - 1);
	}
	if (cut->special > 0)
		sb_puts(&sb, "; use --allow-private");
}

/* Reasons a row was skipped, by the words they start with (source.c,
 * engine.c and parse.c write them); the summary counts rows by class. */
static const char *const skip_class_names[POLICY_SKIP_CLASSES] = {
    [SKIP_OUTSIDE_ALLOWLIST] = "outside the allowlist",
    [SKIP_SPECIAL] = "special-purpose range",
    [SKIP_EXCLUDED] = "excluded",
    [SKIP_DUPLICATE] = "duplicate",
    [SKIP_DNS] = "DNS",
    [SKIP_BAD_INPUT] = "bad input",
    [SKIP_OTHER] = "other",
};

static const struct {
	const char *prefix;
	enum skip_class c;
} skip_prefixes[] = {
    {"outside allowlist", SKIP_OUTSIDE_ALLOWLIST},
    {"special-purpose range", SKIP_SPECIAL},
    {"excluded", SKIP_EXCLUDED},
    {"duplicate", SKIP_DUPLICATE},
    {"DNS:", SKIP_DNS},
    {"host names need DNS", SKIP_DNS},
    {"out of memory", SKIP_OTHER},
};

enum skip_class
policy_skip_class(const char *reason)
{
	size_t i;

	for (i = 0; i < sizeof(skip_prefixes) / sizeof(skip_prefixes[0]); i++)
		if (strncmp(reason, skip_prefixes[i].prefix, strlen(skip_prefixes[i].prefix)) == 0)
			return skip_prefixes[i].c;
	return SKIP_BAD_INPUT;
}

const char *
policy_skip_class_name(enum skip_class c)
{
	return (unsigned)c < POLICY_SKIP_CLASSES ? skip_class_names[c] : "?";
}
