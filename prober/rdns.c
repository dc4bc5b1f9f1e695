/*
 * rdns.c: the dynamic-rdns heuristic and the reverse-DNS columns; see
 * rdns.h.
 *
 * The heuristic is a table of rules, tried in order, in the spirit of
 * SpamAssassin's RDNS_DYNAMIC and the ISP naming habits it catches: a name
 * that spells the address (forward or reversed, dashed or dotted, zero-padded
 * or in hex), a first label made of one letter and the last octet (d102 for
 * .102), or a word that consumer pools use (dyn, dhcp, pool, dsl, ...).
 * Address rules apply to IPv4 only; words apply to both families. Words are
 * whole runs of letters, so "res" matches res.example.net but not
 * resources.example.net.
 */
#include "config.h"

#include "prober/rdns.h"

#include "prober/tls.h"

#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"
#include "prober/reply.h"

enum rule_kind {
	RULE_ADDRESS,     /* the address spelt out, with sep, in style */
	RULE_OCTET_LABEL, /* a label of one letter and the last octet */
	RULE_WORD,        /* a consumer-pool word */
};

enum addr_style {
	STYLE_DECIMAL, /* 203-0-113-7 */
	STYLE_PADDED,  /* 203000113007 */
	STYLE_HEX,     /* cb007107 */
};

struct rule {
	const char *name;
	enum rule_kind kind;
	enum addr_style style;
	char sep;
	int reversed;
};

static const struct rule rules[] = {
    {"ip-dashed", RULE_ADDRESS, STYLE_DECIMAL, '-', 0},
    {"ip-dotted", RULE_ADDRESS, STYLE_DECIMAL, '.', 0},
    {"ip-reversed-dashed", RULE_ADDRESS, STYLE_DECIMAL, '-', 1},
    {"ip-reversed-dotted", RULE_ADDRESS, STYLE_DECIMAL, '.', 1},
    {"ip-padded", RULE_ADDRESS, STYLE_PADDED, 0, 0},
    {"ip-hex", RULE_ADDRESS, STYLE_HEX, 0, 0},
    {"octet-label", RULE_OCTET_LABEL, STYLE_DECIMAL, 0, 0},
    {"word", RULE_WORD, STYLE_DECIMAL, 0, 0},
};

/* Words of consumer and dynamic pools, lower case, matched whole. */
static const char *const pool_words[] = {
    "dyn",    "dynamic", "dynip", "dhcp",      "pool",  "ppp",      "pppoe",
    "dsl",    "adsl",    "vdsl",  "xdsl",      "cable", "dialup",   "dial",
    "client", "clients", "cust",  "customer",  "res",   "resident", "residential",
    "flets",  "catv",    "ftth",  "broadband", "bb",    "home",     "user",
};

#define NAME_BUF DNS_HOSTNAME_MAX

/* The name in lower case, without a final dot; 0, or -1 if too long. */
static int
lower_name(const char *name, char *out)
{
	size_t i, n = strlen(name);

	if (n >= NAME_BUF)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	if (n > 0 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
	return 0;
}

static int
is_digit_of(char c, enum addr_style style)
{
	return style == STYLE_HEX ? isxdigit((unsigned char)c) != 0
	                          : isdigit((unsigned char)c) != 0;
}

/* 1 when needle occurs in hay with no digit (hex digit) glued to it. */
static int
contains_whole(const char *hay, const char *needle, enum addr_style style)
{
	size_t m = strlen(needle);
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		if ((p == hay || !is_digit_of(p[-1], style)) && !is_digit_of(p[m], style))
			return 1;
		p++;
	}
	return 0;
}

static void
addr_text(const struct rule *r, const unsigned char a[4], char *out, size_t size)
{
	unsigned char o[4];
	int i;

	for (i = 0; i < 4; i++)
		o[i] = r->reversed ? a[3 - i] : a[i];
	switch (r->style) {
	case STYLE_DECIMAL:
		snprintf(out, size, "%u%c%u%c%u%c%u", o[0], r->sep, o[1], r->sep, o[2], r->sep,
		         o[3]);
		break;
	case STYLE_PADDED:
		snprintf(out, size, "%03u%03u%03u%03u", o[0], o[1], o[2], o[3]);
		break;
	case STYLE_HEX:
		snprintf(out, size, "%02x%02x%02x%02x", o[0], o[1], o[2], o[3]);
		break;
	}
}

/* Some label is one letter followed by the last octet: "d102". */
static int
octet_label(const char *name, unsigned char last)
{
	char want[8];
	const char *label = name;
	size_t n;

	snprintf(want, sizeof(want), "%u", last);
	n = strlen(want);
	while (*label != '\0') {
		size_t len = strcspn(label, ".");

		if (len == n + 1 && isalpha((unsigned char)label[0]) &&
		    memcmp(label + 1, want, n) == 0)
			return 1;
		label += len;
		if (*label == '.')
			label++;
	}
	return 0;
}

static int
pool_word(const char *name)
{
	const char *p = name;
	size_t i;

	while (*p != '\0') {
		size_t len;

		while (*p != '\0' && !isalpha((unsigned char)*p))
			p++;
		/* name is lower_name()'s output, NUL-terminated within NAME_BUF. */
		/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.ArraySubscript) */
		for (len = 0; isalpha((unsigned char)p[len]); len++)
			;
		for (i = 0; len > 0 && i < sizeof(pool_words) / sizeof(pool_words[0]); i++)
			if (strlen(pool_words[i]) == len && memcmp(p, pool_words[i], len) == 0)
				return 1;
		p += len;
	}
	return 0;
}

const char *
rdns_dynamic_rule(const char *name, const struct sockaddr *sa)
{
	char lname[NAME_BUF], text[32];
	unsigned char a4[4];
	int have_v4 = 0;
	size_t i;

	if (name == NULL || lower_name(name, lname) < 0 || lname[0] == '\0')
		return NULL;
	if (sa != NULL && sa->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		memcpy(a4, &sin.sin_addr, 4);
		have_v4 = 1;
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		if (memcmp(sin6.sin6_addr.s6_addr, mapped, sizeof(mapped)) == 0) {
			memcpy(a4, sin6.sin6_addr.s6_addr + 12, 4);
			have_v4 = 1;
		}
	}
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *r = &rules[i];

		switch (r->kind) {
		case RULE_ADDRESS:
			if (!have_v4)
				continue;
			addr_text(r, a4, text, sizeof(text));
			if (contains_whole(lname, text, r->style))
				return r->name;
			break;
		case RULE_OCTET_LABEL:
			if (have_v4 && octet_label(lname, a4[3]))
				return r->name;
			break;
		case RULE_WORD:
			if (pool_word(lname))
				return r->name;
			break;
		}
	}
	return NULL;
}

/* Names equal but for case and a final dot. */
static int
same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* A name the server gives itself that can be held against its PTR: a
 * domain name, not localhost, not an address literal. */
static int
comparable_name(const char *name)
{
	return name[0] != '\0' && name[0] != '[' && strchr(name, '.') != NULL &&
	       strcasecmp(name, "localhost") != 0 && strncasecmp(name, "localhost.", 10) != 0;
}

static int
is_ptr_name(const struct dns_rdns *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nnames && i < DNS_PTR_NAMES_MAX; i++)
		if (same_name(d->names[i], name))
			return 1;
	return 0;
}

void
rdns_apply(struct probe_result *r, const struct dns_rdns *d, X509 *cert)
{
	char greeting[SMTP_NAME_MAX], ehlo[SMTP_NAME_MAX];
	const char *nl;
	size_t bl;
	struct strbuf sb;
	size_t i, n = d->nnames;

	if (n > DNS_PTR_NAMES_MAX)
		n = DNS_PTR_NAMES_MAX;
	sb_init(&sb, r->ptr, sizeof(r->ptr));
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_putc(&sb, ';');
		sb_append(&sb, d->names[i], strnlen(d->names[i], DNS_HOSTNAME_MAX));
	}

	switch (d->status) {
	case DNS_OK:
		if (d->confirmed)
			r->fcrdns = FCRDNS_YES;
		else if (d->fwd_status == DNS_TIMEOUT)
			r->fcrdns = FCRDNS_TIMEOUT;
		else if (d->fwd_status == DNS_FAILED)
			r->fcrdns = FCRDNS_ERROR;
		else if (d->fwd_status == DNS_CANCELLED)
			r->fcrdns = FCRDNS_UNKNOWN;
		else
			r->fcrdns = FCRDNS_NO;
		break;
	case DNS_NOT_FOUND:
		r->fcrdns = FCRDNS_NONE;
		r->flags |= FLAG_NO_PTR;
		break;
	case DNS_TIMEOUT:
		r->fcrdns = FCRDNS_TIMEOUT;
		break;
	case DNS_FAILED:
		r->fcrdns = FCRDNS_ERROR;
		break;
	case DNS_CANCELLED:
		r->fcrdns = FCRDNS_UNKNOWN;
		break;
	}
	if (r->fcrdns == FCRDNS_NO)
		r->flags |= FLAG_FCRDNS_MISMATCH;
	/* cert_matches: with no host name to check at the handshake, the
	 * certificate is checked against the PTR names now. */
	if (cert != NULL && r->tls.have_cert && r->tls.matches < 0 && n > 0) {
		r->tls.matches = 0;
		for (i = 0; i < n && !r->tls.matches; i++)
			r->tls.matches = tls_cert_matches_name(cert, d->names[i]);
	}
	for (i = 0; i < n; i++)
		if (rdns_dynamic_rule(d->names[i], (const struct sockaddr *)&r->target.sa) != NULL)
			r->flags |= FLAG_DYNAMIC_RDNS;

	if (n == 0)
		return;
	bl = strnlen(r->banner, sizeof(r->banner));
	nl = memchr(r->banner, '\n', bl);
	smtp_reply_domain(r->banner, nl != NULL ? (size_t)(nl - r->banner) : bl, greeting,
	                  sizeof(greeting));
	snprintf(ehlo, sizeof(ehlo), "%.*s", (int)strnlen(r->ehlo_name, sizeof(r->ehlo_name)),
	         r->ehlo_name);
	if ((comparable_name(greeting) && !is_ptr_name(d, greeting)) ||
	    (comparable_name(ehlo) && !is_ptr_name(d, ehlo)))
		r->flags |= FLAG_NAME_NOT_PTR;
}
