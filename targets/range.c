/*
 * range.c: seeded order within CIDR ranges, and shard arithmetic; see
 * range.h.
 *
 * The permutation is four rounds of (multiply by an odd key, add a key,
 * fold the high half into the low half), each step a bijection on k-bit
 * numbers; the keys come from the seed through splitmix64. It is not
 * cryptographic: it only has to scatter neighbours and be the same on
 * every machine.
 */
#include "config.h"

#include "targets/range.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define RANGE_ROUNDS 4

static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Sets the walk to parts[0..n) (already in r->parts). */
static void
range_set_walk(struct range *r, size_t n)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		r->before[i] = total;
		total += r->parts[i].hi - r->parts[i].lo;
	}
	r->nparts = n;
	r->total = total;
	for (r->walk_bits = 0; r->walk_bits < 64 && ((uint64_t)1 << r->walk_bits) < total;
	     r->walk_bits++)
		;
}

void
range_init(struct range *r, const struct target *base, uint64_t seed)
{
	uint64_t state = seed;
	size_t i;

	/* Not the whole struct: the parts are many, and a list may hold a
	 * million /32 lines. */
	r->base = *base;
	r->bits = (base->sa.ss_family == AF_INET ? 32u : 128u) - base->range_prefix;
	for (i = 0; i < 2 * RANGE_ROUNDS; i++)
		r->keys[i] = splitmix64(&state);
	r->parts[0].lo = 0;
	r->parts[0].hi = (uint64_t)1 << r->bits;
	range_set_walk(r, 1);
}

int
range_apply_policy(struct range *r, const struct range_policy *p, struct range_cut *cut)
{
	long n = policy_range_parts(p, (const struct sockaddr *)&r->base.sa, r->base.range_prefix,
	                            r->parts, RANGE_PARTS_MAX, cut);

	if (n < 0) {
		r->parts[0].lo = 0;
		r->parts[0].hi = (uint64_t)1 << r->bits;
		return -1;
	}
	range_set_walk(r, (size_t)n);
	return 0;
}

uint64_t
range_size(const struct range *r)
{
	return r->total;
}

uint64_t
range_permute(const uint64_t keys[8], unsigned int bits, uint64_t x)
{
	uint64_t mask = bits >= 64 ? ~0ull : ((uint64_t)1 << bits) - 1;
	unsigned int half = (bits + 1) / 2;
	int i;

	if (bits == 0)
		return 0;
	for (i = 0; i < RANGE_ROUNDS; i++) {
		x = (x * (keys[2 * i] | 1)) & mask; /* odd: invertible mod 2^bits */
		x = (x + keys[2 * i + 1]) & mask;
		x ^= x >> half; /* invertible: the high half is kept */
	}
	return x;
}

void
range_nth(const struct range *r, uint64_t i, struct target *t)
{
	uint64_t x = i, off;
	size_t lo = 0, hi = r->nparts;

	/* Cycle-walking: the permutation of [0, 2^walk_bits) visits [0, total)
	 * in its own order; i's cycle holds i itself, so this ends, and with
	 * total > 2^(walk_bits-1) it takes under two steps on average. */
	do
		x = range_permute(r->keys, r->walk_bits, x);
	while (x >= r->total);
	while (hi - lo > 1) { /* the last part that starts at or before x */
		size_t mid = lo + (hi - lo) / 2;

		if (r->before[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	off = r->parts[lo].lo + (x - r->before[lo]);

	*t = r->base;
	t->range_prefix = 0;
	if (t->sa.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->sa;
		uint32_t a = ntohl(sin->sin_addr.s_addr);

		sin->sin_addr.s_addr = htonl(a | (uint32_t)off);
		inet_ntop(AF_INET, &sin->sin_addr, t->ip, sizeof(t->ip));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->sa;
		int b;

		/* Host bits are at most TARGET_RANGE_BITS_MAX: the last bytes. */
		for (b = 15; b >= 0 && off != 0; b--, off >>= 8)
			sin6->sin6_addr.s6_addr[b] |= (uint8_t)(off & 0xff);
		inet_ntop(AF_INET6, &sin6->sin6_addr, t->ip, sizeof(t->ip));
	}
}

int
range_shard_parse(const char *s, unsigned int *index, unsigned int *count)
{
	char *end;
	unsigned long i, n;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	i = strtoul(s, &end, 10);
	if (*end != '/' || end[1] < '1' || end[1] > '9')
		return -1;
	n = strtoul(end + 1, &end, 10);
	if (*end != '\0' || n < 1 || n > 65536 || i >= n)
		return -1;
	*index = (unsigned int)i;
	*count = (unsigned int)n;
	return 0;
}
