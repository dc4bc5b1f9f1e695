/*
 * range.h: the addresses of a CIDR range in a seeded pseudo-random order,
 * and the slice of a run that one shard takes (pure: no I/O, no globals).
 *
 * A range of 2^k addresses is never expanded: its i-th target is computed
 * from i by a bijection on k-bit numbers keyed by the seed, so a /8 costs
 * constant memory and consecutive addresses of one network are not hit
 * together. Shards follow zmap's idea with a simpler cut: every input item
 * (a single target, a bad line, each address of a range) has a sequence
 * number in the run, and shard I of N takes the items whose number is I mod
 * N. With the same inputs and seed, the N shards are disjoint and together
 * complete, whichever machine runs which.
 *
 * Policy cuts a range before it is walked (range_apply_policy): what is left
 * is a few spans of the range, and the walk permutes the indices of their
 * addresses only, so each allowed address comes out once and no other does.
 */
#ifndef SMTPPROBE_TARGETS_RANGE_H
#define SMTPPROBE_TARGETS_RANGE_H

#include <stdint.h>
#include <sys/socket.h>

#include "targets/policy.h"
#include "targets/target.h"

#define RANGE_DEFAULT_SEED 1 /* shards agree on the order without being told */

struct range {
	struct target base; /* the network address, port, origin, input */
	unsigned int bits;  /* host bits: 2^bits addresses */
	uint64_t keys[8];   /* the permutation's round keys, from the seed */

	/* The walk: the addresses of parts[0..nparts), in that index order. */
	uint64_t total;         /* addresses walked */
	unsigned int walk_bits; /* the permutation's width: 2^walk_bits >= total */
	size_t nparts;
	struct addr_span parts[RANGE_PARTS_MAX];
	uint64_t before[RANGE_PARTS_MAX]; /* addresses in the parts before each */
};

/* Sets up the range whose first address is base (TP_RANGE from the
 * parser: base->range_prefix is the prefix length). */
void range_init(struct range *r, const struct target *base, uint64_t seed);

/*
 * Cuts what policy forbids from the range (policy_range_parts): only the
 * rest is walked. Returns 0 with *cut saying what was cut, or -1 (out of
 * memory) with the range unchanged.
 */
int range_apply_policy(struct range *r, const struct range_policy *p, struct range_cut *cut);

/* Number of addresses walked: 2^bits, less what policy cut. */
uint64_t range_size(const struct range *r);

/* The i-th address in the seeded order (i < range_size), as a target with
 * ip, sa, port, origin and input set. */
void range_nth(const struct range *r, uint64_t i, struct target *t);

/* The bijection itself, on numbers of `bits` bits (exposed for tests). */
uint64_t range_permute(const uint64_t keys[8], unsigned int bits, uint64_t x);

/* Parses "I/N" (0 <= I < N, 1 <= N <= 65536). Returns 0, or -1. */
int range_shard_parse(const char *s, unsigned int *index, unsigned int *count);

#endif
