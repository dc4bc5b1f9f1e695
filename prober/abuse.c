/*
 * abuse.c: the abuse desk's DNS rules; see abuse.h.
 *
 * Return codes are the operators' own documentation: Spamhaus
 * (https://docs.spamhaus.com/datasets/docs/source/40-real-world-usage/
 * PublicMirrors/MTAs/020-Postfix.html and "DNSBL return codes"), SpamCop
 * (https://www.spamcop.net/fom-serve/cache/291.html), PSBL
 * (https://psbl.org/). A zone not in the table still works: its answers
 * are listings (or error codes) without words.
 */
#include "config.h"

#include "prober/abuse.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"

struct code_words {
	unsigned char lo, hi; /* the last octet of 127.0.0.x */
	const char *words;
};

static const struct code_words spamhaus_codes[] = {
    {2, 2, "SBL: spam source or spam operation"},
    {3, 3, "SBL CSS: snowshoe spam"},
    {4, 7, "XBL: exploited or infected host"},
    {9, 9, "SBL DROP: hijacked or leased to spammers"},
    {10, 10, "PBL: ISP policy, not to send mail directly"},
    {11, 11, "PBL: Spamhaus policy, not to send mail directly"},
    {0, 0, NULL},
};

/* 127.255.255.x: Spamhaus's error codes, which other operators follow. */
static const struct code_words spamhaus_errors[] = {
    {252, 252, "typo in the DNSBL name"},
    {254, 254, "query through a public resolver refused"},
    {255, 255, "excessive number of queries"},
    {0, 0, NULL},
};

static const struct code_words spamcop_codes[] = {
    {2, 2, "SpamCop: reported by spam recipients"},
    {0, 0, NULL},
};

static const struct code_words psbl_codes[] = {
    {2, 2, "PSBL: sent to spam traps"},
    {0, 0, NULL},
};

struct known_zone {
	const char *name;
	int suffix; /* matches "*.name" too (key-based zones: KEY.zen.dq.spamhaus.net) */
	int ipv6;   /* the zone lists IPv6 addresses */
	const struct code_words *codes;
	const struct code_words *errors;
};

static const struct known_zone known_zones[] = {
    {"zen.spamhaus.org", 0, 1, spamhaus_codes, spamhaus_errors},
    {"sbl.spamhaus.org", 0, 1, spamhaus_codes, spamhaus_errors},
    {"xbl.spamhaus.org", 0, 1, spamhaus_codes, spamhaus_errors},
    {"pbl.spamhaus.org", 0, 1, spamhaus_codes, spamhaus_errors},
    {"sbl-xbl.spamhaus.org", 0, 1, spamhaus_codes, spamhaus_errors},
    {"dq.spamhaus.net", 1, 1, spamhaus_codes, spamhaus_errors},
    {"bl.spamcop.net", 0, 0, spamcop_codes, spamhaus_errors},
    {"psbl.surriel.com", 0, 0, psbl_codes, spamhaus_errors},
};

#define KNOWN_ZONES (sizeof(known_zones) / sizeof(known_zones[0]))

static const struct known_zone *
known_zone(const char *zone)
{
	size_t i, zl = strlen(zone);

	for (i = 0; i < KNOWN_ZONES; i++) {
		const struct known_zone *k = &known_zones[i];
		size_t kl = strlen(k->name);

		if (strcasecmp(zone, k->name) == 0)
			return k;
		if (k->suffix && zl > kl + 1 && zone[zl - kl - 1] == '.' &&
		    strcasecmp(zone + zl - kl, k->name) == 0)
			return k;
	}
	return NULL;
}

int
abuse_address(const struct sockaddr *sa, unsigned char b[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(b, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(&sin, sa, sizeof(sin));
		memcpy(b, &sin.sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	memcpy(&sin6, sa, sizeof(sin6));
	if (memcmp(sin6.sin6_addr.s6_addr, mapped, sizeof(mapped)) == 0) {
		memcpy(b, sin6.sin6_addr.s6_addr + 12, 4);
		return AF_INET;
	}
	memcpy(b, sin6.sin6_addr.s6_addr, 16);
	return AF_INET6;
}

int
abuse_reverse_name(const struct sockaddr *sa, const char *zone, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	struct strbuf sb;
	int family = abuse_address(sa, b);

	if (size > 0)
		out[0] = '\0';
	if (family < 0 || size == 0)
		return -1;
	sb_init(&sb, out, size);
	if (family == AF_INET) {
		sb_printf(&sb, "%u.%u.%u.%u.", b[3], b[2], b[1], b[0]);
	} else {
		size_t i;

		for (i = 16; i > 0; i--)
			sb_printf(&sb, "%c.%c.", hex[b[i - 1] & 0xf], hex[b[i - 1] >> 4]);
	}
	sb_puts(&sb, zone);
	if (sb.truncated || zone[0] == '\0') {
		out[0] = '\0';
		return -1;
	}
	return family;
}

/* A domain name as a zone: letters, digits, '-', '_' and dots, no empty
 * label, under DNS_HOSTNAME_MAX with room for an IPv6 reversal (64 labels
 * of one nibble) in front. */
static int
zone_ok(const char *z, size_t n)
{
	char prev = '.'; /* no empty label: not first, not twice, not last */
	size_t i;

	if (n == 0 || n + 64 + 1 > 253)
		return 0;
	for (i = 0; i < n; i++) {
		char c = z[i];

		if (c == '.' && prev == '.')
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
		prev = c;
	}
	return prev != '.';
}

static int
zones_add(char zones[][DNS_HOSTNAME_MAX], size_t *n, size_t max, const char *z, size_t len,
          char *err, size_t errlen)
{
	size_t i;

	if (!zone_ok(z, len)) {
		snprintf(err, errlen, "not a DNS zone: \"%.*s\"", (int)(len < 64 ? len : 64), z);
		return -1;
	}
	for (i = 0; i < *n; i++)
		if (strlen(zones[i]) == len && strncasecmp(zones[i], z, len) == 0)
			return 0;
	if (*n == max) {
		snprintf(err, errlen, "more than %zu zones", max);
		return -1;
	}
	memcpy(zones[*n], z, len);
	zones[*n][len] = '\0';
	(*n)++;
	return 0;
}

int
dnsbl_zones_parse(const char *text, char zones[][DNS_HOSTNAME_MAX], size_t max, char *err,
                  size_t errlen)
{
	const char *p = text, *comma;
	size_t n = 0;

	for (;;) {
		size_t len;

		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 7 && strncmp(p, "default", 7) == 0) {
			const char *d = DNSBL_DEFAULT_ZONES, *dc;

			for (;;) {
				dc = strchr(d, ',');
				if (zones_add(zones, &n, max, d, dc ? (size_t)(dc - d) : strlen(d),
				              err, errlen) != 0)
					return -1;
				if (dc == NULL)
					break;
				d = dc + 1;
			}
		} else if (zones_add(zones, &n, max, p, len, err, errlen) != 0)
			return -1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return (int)n;
}

int
dnsbl_zone_lists_ipv6(const char *zone)
{
	const struct known_zone *k = known_zone(zone);

	return k == NULL || k->ipv6;
}

static const char *
words_of(const struct code_words *t, unsigned char octet)
{
	for (; t != NULL && t->words != NULL; t++)
		if (octet >= t->lo && octet <= t->hi)
			return t->words;
	return "";
}

enum dnsbl_class
dnsbl_classify(const char *zone, const unsigned char a[4], const char **words)
{
	const struct known_zone *k = known_zone(zone);

	if (a[0] != 127) {
		*words = "not a list answer (a resolver rewriting NXDOMAIN?)";
		return DNSBL_ERROR;
	}
	if (a[1] == 255 && a[2] == 255) {
		*words = words_of(k != NULL ? k->errors : spamhaus_errors, a[3]);
		if ((*words)[0] == '\0')
			*words = "the list operator's error code";
		return DNSBL_ERROR;
	}
	*words = a[1] == 0 && a[2] == 0 && k != NULL ? words_of(k->codes, a[3]) : "";
	return DNSBL_LISTED;
}

/* Appends item to a ';'-joined list unless it is there already or would
 * not fit whole. */
static void
list_add(char *list, size_t size, const char *item)
{
	size_t have = strlen(list), n = strlen(item);
	const char *p = list;

	if (n == 0)
		return;
	while (*p != '\0') {
		const char *end = strchr(p, ';');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (l == n && memcmp(p, item, n) == 0)
			return;
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (have + (have > 0) + n + 1 > size)
		return;
	if (have > 0)
		list[have++] = ';';
	memcpy(list + have, item, n + 1);
}

/* Copies untrusted bytes as printable ASCII: control and non-ASCII bytes
 * become '?', the list separator ';' a ','. Blanks at both ends go. */
static void
clean_copy(char *dst, size_t size, const char *src, size_t len)
{
	size_t i, o = 0;

	while (len > 0 && (src[0] == ' ' || src[0] == '\t')) {
		src++;
		len--;
	}
	while (len > 0 && (src[len - 1] == ' ' || src[len - 1] == '\t'))
		len--;
	for (i = 0; i < len && o + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == ';')
			dst[o++] = ',';
		else if (c < 0x20 || c > 0x7e)
			dst[o++] = '?';
		else
			dst[o++] = src[i];
	}
	if (size > 0)
		dst[o] = '\0';
}

void
dnsbl_add(struct abuse_facts *f, const struct dnsbl_answer *z)
{
	char item[ABUSE_DNSBL_TEXT_MAX], txt[DNS_TXT_MAX];
	size_t i;

	txt[0] = '\0';
	if (z->txt != NULL)
		clean_copy(txt, sizeof(txt), z->txt, z->txtlen);
	for (i = 0; i < z->na && i < DNS_A_RECORDS_MAX; i++) {
		const unsigned char *a = z->a[i];
		const char *words;
		enum dnsbl_class c = dnsbl_classify(z->zone, a, &words);
		struct strbuf sb;
		/* The zone's TXT speaks for its listing, not for an error code. */
		const char *why = c == DNSBL_LISTED ? txt : "";

		sb_init(&sb, item, sizeof(item));
		sb_printf(&sb, "%s=%u.%u.%u.%u", z->zone, a[0], a[1], a[2], a[3]);
		if (words[0] != '\0' && why[0] != '\0')
			sb_printf(&sb, " (%s: %s)", words, why);
		else if (words[0] != '\0' || why[0] != '\0')
			sb_printf(&sb, " (%s)", words[0] != '\0' ? words : why);
		if (c == DNSBL_LISTED) {
			list_add(f->dnsbl, sizeof(f->dnsbl), item);
			f->listed = 1;
		} else {
			list_add(f->dnsbl_error, sizeof(f->dnsbl_error), item);
		}
	}
}

/* Splits txt[0..len) at '|' into at most max fields (the last keeps the
 * rest), trimmed of blanks. Returns the number of fields. */
static size_t
split_bars(const char *txt, size_t len, const char **start, size_t *flen, size_t max)
{
	size_t n = 0, i = 0;

	while (n < max) {
		size_t b = i, e;

		while (i < len && (txt[i] != '|' || n + 1 == max))
			i++;
		e = i;
		while (b < e && (txt[b] == ' ' || txt[b] == '\t'))
			b++;
		while (e > b && (txt[e - 1] == ' ' || txt[e - 1] == '\t'))
			e--;
		start[n] = txt + b;
		flen[n] = e - b;
		n++;
		if (i >= len)
			break;
		i++; /* past '|' */
	}
	return n;
}

/* A decimal AS number, 1..4294967295, at most 10 digits. */
static int
parse_asn(const char *p, size_t n, unsigned long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(p[i] - '0');
	}
	if (v == 0 || v > 4294967295ULL)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

static int
span_all(const char *p, size_t n, const char *allowed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '\0' || strchr(allowed, p[i]) == NULL)
			return 0;
	return 1;
}

#define CYMRU_FIELDS_MAX 6

int
cymru_parse_origin(const char *txt, size_t len, struct cymru_origin *o)
{
	const char *f[CYMRU_FIELDS_MAX];
	size_t fl[CYMRU_FIELDS_MAX], nf, i;

	memset(o, 0, sizeof(*o));
	nf = split_bars(txt, len, f, fl, CYMRU_FIELDS_MAX);
	if (nf < 3)
		return -1;
	/* One ASN, or several (a prefix two ASes announce), blank-separated. */
	for (i = 0; i < fl[0];) {
		size_t b = i;
		unsigned long asn;

		while (i < fl[0] && f[0][i] != ' ')
			i++;
		if (parse_asn(f[0] + b, i - b, &asn) != 0)
			return -1;
		if (o->nasn < ASN_ORIGINS_MAX)
			o->asn[o->nasn++] = asn;
		while (i < fl[0] && f[0][i] == ' ')
			i++;
	}
	if (o->nasn == 0 || fl[1] == 0 || fl[1] >= sizeof(o->prefix) ||
	    !span_all(f[1], fl[1], "0123456789abcdefABCDEF.:/") || fl[2] >= sizeof(o->cc) ||
	    !span_all(f[2], fl[2], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
		return -1;
	memcpy(o->prefix, f[1], fl[1]);
	memcpy(o->cc, f[2], fl[2]);
	return 0;
}

int
cymru_parse_asname(const char *txt, size_t len, unsigned long *asn, char *name, size_t size)
{
	const char *f[5];
	size_t fl[5];

	if (size > 0)
		name[0] = '\0';
	if (split_bars(txt, len, f, fl, 5) != 5 || parse_asn(f[0], fl[0], asn) != 0 || fl[4] == 0)
		return -1;
	clean_copy(name, size, f[4], fl[4]);
	return 0;
}

void
cymru_add_origin(struct abuse_facts *f, const struct cymru_origin *o)
{
	char num[16];
	size_t i;

	for (i = 0; i < o->nasn; i++) {
		snprintf(num, sizeof(num), "%lu", o->asn[i]);
		list_add(f->asn, sizeof(f->asn), num);
	}
	list_add(f->as_prefix, sizeof(f->as_prefix), o->prefix);
	list_add(f->as_country, sizeof(f->as_country), o->cc);
}

void
cymru_add_asname(struct abuse_facts *f, const char *name)
{
	char item[ABUSE_NAME_TEXT_MAX];

	clean_copy(item, sizeof(item), name, strlen(name));
	list_add(f->as_name, sizeof(f->as_name), item);
}

/* A plain mailbox: local@domain with a dot in the domain, no blanks,
 * quotes, brackets, commas or ';'. */
static int
mailbox_ok(const char *p, size_t n)
{
	const char *at = memchr(p, '@', n);
	size_t i, l;

	if (at == NULL || at == p || memchr(at + 1, '@', n - (size_t)(at - p) - 1) != NULL)
		return 0;
	l = (size_t)(at - p);
	if (memchr(at + 1, '.', n - l - 1) == NULL || at[n - l - 1] == '.' || at[1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= ' ' || c > 0x7e || strchr("\"<>()[];,\\", c) != NULL)
			return 0;
	}
	return n < ABUSE_CONTACT_MAX;
}

size_t
abusix_add_contact(struct abuse_facts *f, const char *txt, size_t len)
{
	char box[ABUSE_CONTACT_MAX];
	size_t i = 0, added = 0;

	while (i < len) {
		size_t b;

		while (i < len && (txt[i] == ',' || txt[i] == ' ' || txt[i] == '\t'))
			i++;
		b = i;
		while (i < len && txt[i] != ',' && txt[i] != ' ' && txt[i] != '\t')
			i++;
		if (i > b && mailbox_ok(txt + b, i - b)) {
			size_t before = strlen(f->abuse_contact);

			memcpy(box, txt + b, i - b);
			box[i - b] = '\0';
			list_add(f->abuse_contact, sizeof(f->abuse_contact), box);
			added += strlen(f->abuse_contact) != before;
		}
	}
	return added;
}
