/*
 * pernet.c: dialogues per network; see pernet.h.
 *
 * Keys are the family and the network's leading bytes (3 for IPv4, 8 for
 * IPv6). A network whose count falls to zero leaves a tombstone, and the
 * table is rebuilt when live entries and tombstones fill three quarters.
 */
#include "config.h"

#include "prober/pernet.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { PN_EMPTY, PN_USED, PN_TOMB };

struct pn_entry {
	unsigned char state;
	unsigned char key[9]; /* family tag, then up to 8 network bytes */
	unsigned int count;
};

struct pernet {
	struct pn_entry *v;
	size_t cap; /* a power of two */
	size_t used, tombs;
};

static int
pn_key(const struct sockaddr *sa, unsigned char key[9])
{
	memset(key, 0, 9);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;

		key[0] = 4;
		memcpy(key + 1, &sin->sin_addr, 3);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;

		key[0] = 6;
		memcpy(key + 1, &sin6->sin6_addr, 8);
		return 0;
	}
	return -1;
}

static size_t
pn_hash(const unsigned char key[9])
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < 9; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static struct pn_entry *
pn_find(const struct pernet *p, const unsigned char key[9], struct pn_entry **slot)
{
	size_t i = pn_hash(key) & (p->cap - 1), n;

	*slot = NULL;
	for (n = 0; n < p->cap; n++, i = (i + 1) & (p->cap - 1)) {
		struct pn_entry *e = &p->v[i];

		if (e->state == PN_EMPTY) {
			if (*slot == NULL)
				*slot = e;
			return NULL;
		}
		if (e->state == PN_TOMB) {
			if (*slot == NULL)
				*slot = e;
			continue;
		}
		if (memcmp(e->key, key, 9) == 0)
			return e;
	}
	return NULL;
}

static int
pn_rebuild(struct pernet *p, size_t cap)
{
	struct pn_entry *old = p->v, *slot;
	size_t oldcap = p->cap, i;

	if (cap == 0)
		return -1;
	if ((p->v = calloc(cap, sizeof(*p->v))) == NULL) {
		p->v = old;
		return -1;
	}
	p->cap = cap;
	p->used = p->tombs = 0;
	for (i = 0; i < oldcap; i++) {
		if (old[i].state != PN_USED)
			continue;
		pn_find(p, old[i].key, &slot);
		if (slot == NULL)
			continue; /* cannot happen: the new table is larger and empty */
		*slot = old[i];
		p->used++;
	}
	free(old);
	return 0;
}

struct pernet *
pernet_new(size_t expect)
{
	struct pernet *p = calloc(1, sizeof(*p));
	size_t cap = 16;

	if (p == NULL)
		return NULL;
	while (cap < 2 * expect)
		cap *= 2;
	if ((p->v = calloc(cap, sizeof(*p->v))) == NULL) {
		free(p);
		return NULL;
	}
	p->cap = cap;
	return p;
}

void
pernet_free(struct pernet *p)
{
	if (p == NULL)
		return;
	free(p->v);
	free(p);
}

unsigned int
pernet_count(const struct pernet *p, const struct sockaddr *sa)
{
	unsigned char key[9];
	struct pn_entry *e, *slot;

	if (pn_key(sa, key) < 0 || (e = pn_find(p, key, &slot)) == NULL)
		return 0;
	return e->count;
}

int
pernet_add(struct pernet *p, const struct sockaddr *sa, int delta)
{
	unsigned char key[9];
	struct pn_entry *e, *slot;

	if (pn_key(sa, key) < 0)
		return 0;
	if ((e = pn_find(p, key, &slot)) != NULL) {
		if (delta < 0 && e->count <= 1) {
			e->state = PN_TOMB;
			e->count = 0;
			p->used--;
			p->tombs++;
		} else
			e->count = (unsigned int)((int)e->count + delta);
		return 0;
	}
	if (delta < 0)
		return 0;
	if ((p->used + p->tombs + 1) * 4 > p->cap * 3) {
		if (pn_rebuild(p, p->used * 4 > p->cap ? p->cap * 2 : p->cap) < 0)
			return -1;
		pn_find(p, key, &slot);
	}
	if (slot == NULL)
		return -1; /* cannot happen: the load factor keeps a free slot */
	if (slot->state == PN_TOMB)
		p->tombs--;
	slot->state = PN_USED;
	memcpy(slot->key, key, 9);
	slot->count = (unsigned int)delta;
	p->used++;
	return 0;
}
