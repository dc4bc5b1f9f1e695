/*
 * lookup.c: the abuse desk's DNS lookups; see lookup.h.
 *
 * An address's entry lives in a hash table for the run. While its queries
 * are out, a work area (freed when the last one answers) holds the raw
 * answers, so the facts are laid out in the order of the zones and of the
 * origin ASNs, whatever order the answers came in.
 */
#include "config.h"

#include "prober/lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "prober/abuse.h"

#define LOOKUP_BUCKETS 1024 /* a power of two */

enum sub_kind { SUB_BL_A, SUB_BL_TXT, SUB_ORIGIN, SUB_ASNAME, SUB_CONTACT };

/* One query's context: which answer it is. */
struct sub {
	struct work *w;
	enum sub_kind kind;
	size_t idx; /* the zone, or the origin ASN */
};

struct zone_answer {
	size_t na;
	unsigned char a[DNS_A_RECORDS_MAX][4];
	char txt[DNS_TXT_MAX];
	size_t txtlen;
	int has_txt;
};

struct work {
	struct entry *e;
	size_t outstanding; /* queries not answered yet, plus a hold */
	struct zone_answer zone[DNSBL_ZONES_MAX];
	struct sub zone_a[DNSBL_ZONES_MAX], zone_txt[DNSBL_ZONES_MAX];
	struct sub origin, contact;
	struct sub names[ASN_ORIGINS_MAX];
	size_t norigins;
	struct cymru_origin origins[DNS_TXT_RECORDS_MAX];
	size_t nasn;
	unsigned long asn[ASN_ORIGINS_MAX];
	char asname[ASN_ORIGINS_MAX][ABUSE_NAME_TEXT_MAX];
};

struct waiter {
	struct waiter *next;
	lookup_cb cb;
	void *arg;
};

struct entry {
	struct lookup *l;
	struct entry *hnext;         /* the bucket's chain */
	struct entry *older, *newer; /* the age list */
	int family;
	unsigned char addr[16];
	struct work *work; /* NULL once answered */
	int calling;       /* its waiters are being called: not to be freed */
	struct waiter *waiters, **wtail;
	struct abuse_facts facts;
};

struct lookup {
	struct dns *d;
	struct abuse_config cfg;
	struct entry *bucket[LOOKUP_BUCKETS];
	struct entry *oldest, *newest;
	size_t n;
};

void
abuse_config_default(struct abuse_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->asn_zone, sizeof(c->asn_zone), "%s", ABUSE_ASN_ZONE_DEFAULT);
	snprintf(c->abuse_zone, sizeof(c->abuse_zone), "%s", ABUSE_ABUSE_ZONE_DEFAULT);
}

int
abuse_config_on(const struct abuse_config *c)
{
	return c->nzones > 0 || c->asn || c->contact;
}

struct lookup *
lookup_new(struct dns *d, const struct abuse_config *cfg)
{
	struct lookup *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->d = d;
	l->cfg = *cfg;
	if (l->cfg.nzones > DNSBL_ZONES_MAX)
		l->cfg.nzones = DNSBL_ZONES_MAX;
	return l;
}

static size_t
hash_addr(int family, const unsigned char *b)
{
	size_t i, n = family == AF_INET ? 4 : 16;
	unsigned int h = 2166136261u; /* FNV-1a */

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h & (LOOKUP_BUCKETS - 1);
}

static void
entry_unlink(struct lookup *l, struct entry *e)
{
	struct entry **pp = &l->bucket[hash_addr(e->family, e->addr)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		l->oldest = e->newer;
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		l->newest = e->older;
	l->n--;
}

static void
entry_free(struct entry *e)
{
	while (e->waiters != NULL) {
		struct waiter *w = e->waiters;

		e->waiters = w->next;
		free(w);
	}
	free(e->work);
	free(e);
}

void
lookup_free(struct lookup *l)
{
	if (l == NULL)
		return;
	while (l->oldest != NULL) {
		struct entry *e = l->oldest;

		entry_unlink(l, e);
		entry_free(e);
	}
	free(l);
}

/* The last answer is in: lays the facts out and calls every waiter. */
static void
work_release(struct work *w)
{
	struct entry *e = w->e;
	struct lookup *l = e->l;
	size_t i;

	if (--w->outstanding > 0)
		return;
	for (i = 0; i < l->cfg.nzones; i++) {
		const struct zone_answer *z = &w->zone[i];
		struct dnsbl_answer da;

		if (z->na == 0)
			continue;
		da.zone = l->cfg.zones[i];
		da.na = z->na;
		da.a = z->a;
		da.txt = z->has_txt ? z->txt : NULL;
		da.txtlen = z->txtlen;
		dnsbl_add(&e->facts, &da);
	}
	for (i = 0; i < w->norigins; i++)
		cymru_add_origin(&e->facts, &w->origins[i]);
	for (i = 0; i < w->nasn; i++)
		cymru_add_asname(&e->facts, w->asname[i]);
	e->work = NULL;
	free(w);
	e->calling = 1;
	while (e->waiters != NULL) {
		struct waiter *wt = e->waiters;

		e->waiters = wt->next;
		if (e->waiters == NULL)
			e->wtail = &e->waiters;
		wt->cb(&e->facts, wt->arg);
		free(wt);
	}
	e->calling = 0;
}

static void lookup_answer(const struct dns_answer *a, void *arg);

static void
ask(struct work *w, struct sub *s, enum sub_kind kind, size_t idx, const char *name, int txt)
{
	struct dns *d = w->e->l->d;

	s->w = w;
	s->kind = kind;
	s->idx = idx;
	w->outstanding++;
	if ((txt ? dns_query_txt(d, name, lookup_answer, s)
	         : dns_query_a(d, name, lookup_answer, s)) != 0)
		w->outstanding--;
}

/* The origin answer: its records, then a query for each new AS's name. */
static void
origin_answer(struct work *w, const struct dns_answer *a)
{
	struct lookup *l = w->e->l;
	char name[DNS_HOSTNAME_MAX];
	struct strbuf sb;
	size_t i, k, j;

	for (i = 0; i < a->ntxt && w->norigins < DNS_TXT_RECORDS_MAX; i++) {
		struct cymru_origin *o = &w->origins[w->norigins];

		if (cymru_parse_origin(a->txt[i], a->txtlen[i], o) != 0)
			continue;
		w->norigins++;
		for (k = 0; k < o->nasn && w->nasn < ASN_ORIGINS_MAX; k++) {
			for (j = 0; j < w->nasn && w->asn[j] != o->asn[k]; j++)
				;
			if (j < w->nasn)
				continue;
			w->asn[w->nasn] = o->asn[k];
			sb_init(&sb, name, sizeof(name));
			sb_printf(&sb, "AS%lu.%s", o->asn[k], l->cfg.asn_zone);
			ask(w, &w->names[w->nasn], SUB_ASNAME, w->nasn, name, 1);
			w->nasn++;
		}
	}
}

/* A DNSBL's A records; for a listing, the TXT reason where the zone gives one. */
static void
bl_a_answer(struct work *w, size_t zi, const struct dns_answer *a)
{
	struct entry *e = w->e;
	struct zone_answer *z = &w->zone[zi];
	struct sockaddr_storage ss;
	char qname[DNS_HOSTNAME_MAX];
	int listed = 0;
	size_t i;

	for (i = 0; i < a->na && z->na < DNS_A_RECORDS_MAX; i++) {
		const char *words;

		memcpy(z->a[z->na++], a->a[i], 4);
		listed |= dnsbl_classify(e->l->cfg.zones[zi], a->a[i], &words) == DNSBL_LISTED;
	}
	if (!listed)
		return;
	memset(&ss, 0, sizeof(ss));
	if (e->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, e->addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, e->addr, 16);
	}
	if (abuse_reverse_name((struct sockaddr *)&ss, e->l->cfg.zones[zi], qname, sizeof(qname)) >
	    0)
		ask(w, &w->zone_txt[zi], SUB_BL_TXT, zi, qname, 1);
}

/* The AS name of origin ASN k: the first record that names that AS. */
static void
asname_answer(struct work *w, size_t k, const struct dns_answer *a)
{
	char name[ABUSE_NAME_TEXT_MAX];
	unsigned long asn;
	size_t i;

	for (i = 0; i < a->ntxt; i++) {
		if (cymru_parse_asname(a->txt[i], a->txtlen[i], &asn, name, sizeof(name)) == 0 &&
		    asn == w->asn[k]) {
			memcpy(w->asname[k], name, sizeof(name));
			return;
		}
	}
}

static void
lookup_answer(const struct dns_answer *a, void *arg)
{
	struct sub *s = arg;
	struct work *w = s->w;

	if (a->status == DNS_OK) {
		switch (s->kind) {
		case SUB_BL_A:
			bl_a_answer(w, s->idx, a);
			break;
		case SUB_BL_TXT:
			if (a->ntxt > 0) {
				struct zone_answer *z = &w->zone[s->idx];

				memcpy(z->txt, a->txt[0], sizeof(z->txt));
				z->txtlen = a->txtlen[0];
				z->has_txt = 1;
			}
			break;
		case SUB_ORIGIN:
			origin_answer(w, a);
			break;
		case SUB_ASNAME:
			asname_answer(w, s->idx, a);
			break;
		case SUB_CONTACT: {
			size_t i;

			for (i = 0; i < a->ntxt; i++)
				abusix_add_contact(&w->e->facts, a->txt[i], a->txtlen[i]);
			break;
		}
		}
	}
	work_release(w);
}

/* Starts an address's queries; the entry's hold is released by the caller. */
static void
entry_ask(struct entry *e, const struct sockaddr *sa)
{
	struct lookup *l = e->l;
	struct work *w = e->work;
	char name[DNS_HOSTNAME_MAX];
	size_t i;

	for (i = 0; i < l->cfg.nzones; i++) {
		if (e->family == AF_INET6 && !dnsbl_zone_lists_ipv6(l->cfg.zones[i]))
			continue;
		if (abuse_reverse_name(sa, l->cfg.zones[i], name, sizeof(name)) > 0)
			ask(w, &w->zone_a[i], SUB_BL_A, i, name, 0);
	}
	if (l->cfg.asn) {
		char zone[DNS_HOSTNAME_MAX];
		struct strbuf sb;

		sb_init(&sb, zone, sizeof(zone));
		sb_printf(&sb, "%s.%s", e->family == AF_INET ? "origin" : "origin6",
		          l->cfg.asn_zone);
		if (abuse_reverse_name(sa, zone, name, sizeof(name)) > 0)
			ask(w, &w->origin, SUB_ORIGIN, 0, name, 1);
	}
	if (l->cfg.contact && abuse_reverse_name(sa, l->cfg.abuse_zone, name, sizeof(name)) > 0)
		ask(w, &w->contact, SUB_CONTACT, 0, name, 1);
}

/* Makes room for one more entry: the oldest answered one goes. */
static void
make_room(struct lookup *l)
{
	struct entry *e;

	if (l->n < ABUSE_CACHE_MAX)
		return;
	for (e = l->oldest; e != NULL && (e->work != NULL || e->calling); e = e->newer)
		;
	if (e != NULL) {
		entry_unlink(l, e);
		entry_free(e);
	}
}

int
lookup_start(struct lookup *l, const struct sockaddr *sa, lookup_cb cb, void *arg)
{
	unsigned char b[16];
	struct waiter *wt;
	struct entry *e;
	int family = abuse_address(sa, b);
	size_t h;

	if (family < 0)
		return -1;
	h = hash_addr(family, b);
	for (e = l->bucket[h]; e != NULL; e = e->hnext)
		if (e->family == family && memcmp(e->addr, b, sizeof(b)) == 0)
			break;
	if (e != NULL && e->work == NULL) {
		cb(&e->facts, arg);
		return 0;
	}
	if ((wt = calloc(1, sizeof(*wt))) == NULL)
		return -1;
	wt->cb = cb;
	wt->arg = arg;
	if (e != NULL) {
		*e->wtail = wt;
		e->wtail = &wt->next;
		return 0;
	}
	make_room(l);
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->work = calloc(1, sizeof(*e->work))) == NULL) {
		free(e);
		free(wt);
		return -1;
	}
	e->l = l;
	e->family = family;
	memcpy(e->addr, b, sizeof(b));
	e->waiters = wt;
	e->wtail = &wt->next;
	e->hnext = l->bucket[h];
	l->bucket[h] = e;
	e->older = l->newest;
	if (l->newest != NULL)
		l->newest->newer = e;
	else
		l->oldest = e;
	l->newest = e;
	l->n++;
	e->work->e = e;
	e->work->outstanding = 1;
	entry_ask(e, sa);
	work_release(e->work);
	return 0;
}
