/*
 * trust.c: the trust walk; see trust.h.
 *
 * Trust follows SpamAssassin's trusted_networks rules (Received.pm's
 * parse_received_headers) with two deliberate differences, both named in
 * tests/integration/spamassassin.sh: an authenticated public hop ends the
 * walk as a compromised-account suspect (SpamAssassin trusts it and walks
 * on), and a line that names a peer but cannot be read stops the walk with
 * no suspect (SpamAssassin skips it and trusts the lines below, which may
 * then be forged ones).
 *
 * Lines that record no relay (received.c's shape table: mail retrieval by
 * fetchmail or getmail, LMTP and other local handovers) are passed over
 * wherever they stand, as SpamAssassin skips them: below a retrieval line,
 * the mailbox provider's own line says who handed the message to it.
 */
#include "targets/trust.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"
#include "targets/parse.h"
#include "targets/policy.h"

struct trust {
	struct cidr_list *cidrs;
	char *names[TRUSTED_NAMES_MAX];
	size_t nnames;
};

static const char *const role_names[ROLE_COUNT] = {
    [ROLE_TRUSTED] = "trusted",
    [ROLE_SUSPECT] = "suspect",
    [ROLE_COMPROMISED] = "compromised-account",
    [ROLE_CLAIMED] = "claimed",
    [ROLE_LOCAL] = "local",
    [ROLE_UNREAD] = "unread",
    [ROLE_RETRIEVAL] = "retrieval",
};

static const char *const flag_names[MF_COUNT_BITS] = {
    "localhost-helo", "helo-ip-mismatch", "lan-hops", "utc-zero-timestamps", "time-travel",
};

/*
 * The rows of policy.c's special-range table that are someone's own
 * network: SpamAssassin's IP_PRIVATE set. Named by the start of their
 * description, so the ranges themselves live in one table only.
 */
static const char *const private_kinds[] = {
    "private", "loopback", "link-local", "shared address space", "unique local",
};

const char *
hop_role_name(enum hop_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

const char *
message_flag_name(unsigned int bit)
{
	unsigned int i;

	for (i = 0; i < MF_COUNT_BITS; i++)
		if (bit == (1u << i))
			return flag_names[i];
	return NULL;
}

int
trust_is_private(const struct sockaddr *sa)
{
	const char *what = policy_special_range(sa);
	size_t i;

	if (what == NULL)
		return 0;
	for (i = 0; i < sizeof(private_kinds) / sizeof(private_kinds[0]); i++)
		if (strncmp(what, private_kinds[i], strlen(private_kinds[i])) == 0)
			return 1;
	return 0;
}

struct trust *
trust_new(void)
{
	struct trust *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if ((t->cidrs = cidr_list_new()) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
trust_free(struct trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nnames; i++)
		free(t->names[i]);
	cidr_list_free(t->cidrs);
	free(t);
}

/* LDH labels, dots between; a leading dot means "any name under". */
static int
is_hostname(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= RECEIVED_FIELD_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(isalnum(c) || c == '-' || c == '.'))
			return 0;
		if (c == '.' && i + 1 < n && s[i + 1] == '.')
			return 0;
	}
	return s[n - 1] != '.';
}

int
trust_add(struct trust *t, const char *spec, char *err, size_t errlen)
{
	const char *p = spec;

	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char item[RECEIVED_FIELD_MAX];
		size_t i;
		int digits_only = 1;

		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0 || n >= sizeof(item)) {
			target_quote_error(err, errlen, "not a range or host name", p, n);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		for (i = 0; i < n; i++)
			if (!(isdigit((unsigned char)item[i]) || item[i] == '.' || item[i] == '/'))
				digits_only = 0;
		/* An address or range, or else a name; "1.2.3" is neither. */
		if (strchr(item, ':') != NULL || strchr(item, '/') != NULL || digits_only) {
			if (cidr_list_add(t->cidrs, item, err, errlen) != 0)
				return -1;
		} else if (is_hostname(item, n)) {
			if (t->nnames == TRUSTED_NAMES_MAX) {
				target_quote_error(err, errlen, "too many trusted host names", item,
				                   n);
				return -1;
			}
			for (i = 0; i < n; i++)
				item[i] = (char)tolower((unsigned char)item[i]);
			if ((t->names[t->nnames] = strdup(item)) == NULL) {
				target_quote_error(err, errlen, "out of memory", item, n);
				return -1;
			}
			t->nnames++;
		} else {
			target_quote_error(err, errlen, "not a range or host name", item, n);
			return -1;
		}
		p += n;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ',')
			p++;
	}
	return 0;
}

int
trust_is_auto(const struct trust *t)
{
	return t == NULL || (cidr_list_count(t->cidrs) == 0 && t->nnames == 0);
}

/* The rDNS a trusted server recorded, against --trusted names. */
static int
name_listed(const struct trust *t, const char *rdns)
{
	size_t n = strlen(rdns), i;

	if (n == 0)
		return 0;
	for (i = 0; i < t->nnames; i++) {
		const char *want = t->names[i];
		size_t w = strlen(want);

		if (want[0] == '.') {
			if (n > w && strcasecmp(rdns + n - w, want) == 0)
				return 1;
		} else if (strcasecmp(rdns, want) == 0) {
			return 1;
		}
	}
	return 0;
}

static int
hop_is_ours(const struct trust *t, const struct hop *h)
{
	const struct sockaddr *sa = (const struct sockaddr *)&h->sa;

	if (trust_is_auto(t))
		return trust_is_private(sa);
	return cidr_list_contains(t->cidrs, sa) || name_listed(t, h->rdns);
}

static int
is_localhost_name(const char *s)
{
	return strcasecmp(s, "localhost") == 0 || strcasecmp(s, "localhost.localdomain") == 0;
}

/* The boundary hop's HELO, when it is an address literal, is its own? */
static int
helo_mismatch(const struct hop *h)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	char ip[INET6_ADDRSTRLEN];

	if (received_parse_address(h->helo, strlen(h->helo), &sa, &salen, ip, sizeof(ip)) != 0)
		return 0;
	return strcmp(ip, h->ip) != 0;
}

static enum hop_role
not_relay_role(const struct hop *h)
{
	return h->kind == HOP_RETRIEVAL ? ROLE_RETRIEVAL : ROLE_LOCAL;
}

void
trust_walk(const struct trust *t, const struct hop *hops, size_t n, struct trust_walk *w)
{
	size_t i, stop = n;
	int64_t prev = 0;
	int have_prev = 0;

	memset(w, 0, sizeof(*w));
	w->boundary = -1;
	if (n > MESSAGE_RECEIVED_MAX)
		n = MESSAGE_RECEIVED_MAX;
	for (i = 0; i < n; i++)
		w->role[i] = ROLE_UNREAD;

	for (i = 0; i < n; i++) {
		const struct hop *h = &hops[i];

		if (h->kind == HOP_LOCAL || h->kind == HOP_RETRIEVAL) {
			/* No relay here: the line below, written by the mailbox's own
			   host, is judged as the top line would be. */
			w->role[i] = not_relay_role(h);
			continue;
		}
		if (h->kind != HOP_RELAY) {
			/* Unreadable: trusting what lies below it would be a guess. */
			struct strbuf sb;

			/* The hop's reason may be long: strbuf cuts it, not a warning. */
			sb_init(&sb, w->reason, sizeof(w->reason));
			sb_printf(&sb, "Received field %zu cannot be read: ", i + 1);
			sb_puts(&sb, h->reason);
			stop = i;
			break;
		}
		if (hop_is_ours(t, h)) {
			w->role[i] = ROLE_TRUSTED;
			continue;
		}
		w->boundary = (int)i;
		w->role[i] = h->authenticated ? ROLE_COMPROMISED : ROLE_SUSPECT;
		break;
	}
	if (w->boundary < 0 && stop == n)
		snprintf(w->reason, sizeof(w->reason),
		         "every hop is trusted: no host outside %s sent it",
		         trust_is_auto(t) ? "private ranges" : "--trusted");

	if (w->boundary >= 0) {
		const struct hop *b = &hops[w->boundary];

		if (!trust_is_private((const struct sockaddr *)&b->sa) &&
		    is_localhost_name(b->helo))
			w->flags |= MF_LOCALHOST_HELO;
		if (helo_mismatch(b))
			w->flags |= MF_HELO_IP_MISMATCH;
		for (i = (size_t)w->boundary + 1; i < n; i++) {
			w->role[i] = hops[i].kind == HOP_RELAY || hops[i].kind == HOP_NOADDR ||
			                     hops[i].kind == HOP_UNPARSED
			                 ? ROLE_CLAIMED
			                 : not_relay_role(&hops[i]);
			if (hops[i].kind == HOP_RELAY &&
			    trust_is_private((const struct sockaddr *)&hops[i].sa))
				w->flags |= MF_LAN_HOPS;
		}
	}
	for (i = 0; i < n; i++) {
		/* A retrieval's date is the user's own clock: no telltale of the chain. */
		if (hops[i].kind == HOP_RETRIEVAL)
			continue;
		if (hops[i].zone_unknown && hops[i].date_ok)
			w->flags |= MF_UTC_ZERO;
		if (!hops[i].date_ok)
			continue;
		/* Newest first: each lower hop should be no later than the one above. */
		if (have_prev && hops[i].when > prev + RECEIVED_CLOCK_SKEW_MAX)
			w->flags |= MF_TIME_TRAVEL;
		prev = hops[i].when;
		have_prev = 1;
	}
}
