/*
 * source.h: the stream of targets from the command line and lists.
 *
 * Inputs are read only as the prober asks for targets, so memory does not
 * grow with a list's length beyond the set of targets already seen (dedupe).
 * Policy is applied here: special ranges, the allowlist, duplicates. A host
 * name or mail domain comes out as a target without an address (hostname
 * and name_kind set); whoever resolves it admits each address it finds with
 * target_source_admit. Every
 * input line that names a target comes out exactly once, as a target to
 * probe or as a target with skip_reason set; a duplicate comes out only the
 * first time and is counted.
 *
 * CIDR lines are ranges: their addresses come out one by one in a seeded
 * order (range.h) without ever being stored, and are not deduplicated; an
 * address an earlier run reported (--resume) is passed over all the same.
 * With shard_count > 1, only this shard's items come out (range.h says how
 * items are numbered); bad lines too, so merged shards report each once.
 *
 * Pipes and sockets (zmap | smtpprobe -f -) are read without blocking: when
 * a line is not complete yet, target_source_next says TS_WAIT and the caller
 * waits for target_source_fd() to be readable.
 */
#ifndef SMTPPROBE_TARGETS_SOURCE_H
#define SMTPPROBE_TARGETS_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "targets/policy.h"
#include "targets/trust.h"
#include "targets/target.h"

struct target_source_config {
	uint16_t default_port;
	int allow_private;                 /* probe special-purpose ranges too */
	int strict;                        /* a bad line is fatal (TS_FATAL) */
	const struct cidr_list *allowlist; /* NULL or empty: no allowlist; not owned */
	FILE *warn;                        /* one line per bad input; NULL = quiet */
	/* Scale. */
	const struct cidr_list *exclude; /* --exclude ranges with reasons; not owned */
	uint64_t seed;                   /* order within ranges (range.h) */
	unsigned int shard_index;        /* this run takes items shard_index mod shard_count */
	unsigned int shard_count;        /* 0 or 1: no sharding */
	uint64_t max_targets;            /* stop after this many targets; 0 = no limit */

	/* --message inputs (targets/suspects.h). */
	const struct trust *trust; /* NULL: auto mode; not owned */
	int probe_claimed;         /* probe the public claimed hops too */
	int outer;                 /* a message's own chain, not a forwarded one's */
};

enum target_source_status {
	TS_FATAL = -1, /* err says why (strict mode, read error) */
	TS_END = 0,    /* every input is exhausted */
	TS_TARGET = 1, /* *t is filled: probe it, or report it as skipped */
	TS_WAIT = 2,   /* wait until target_source_fd() is readable, then ask again */
	TS_YIELD = 3,  /* SOURCE_STEPS_MAX of input gave no target yet: ask again later */
};

struct target_source;

/* The config is copied; allowlist and warn stay the caller's. */
struct target_source *target_source_new(const struct target_source_config *cfg);
void target_source_free(struct target_source *src);

/* Queues a positional argument (origin "arg:N"). */
void target_source_add_arg(struct target_source *src, const char *text);
/*
 * Queues a list file ("-" is stdin). The file is opened now, so a missing file
 * is reported before anything is probed: returns 0, or -1 with err filled.
 */
int target_source_add_file(struct target_source *src, const char *path, char *err, size_t errlen);

/*
 * Queues a message source (--message): a .eml, an mbox, a Maildir, or "-"
 * for stdin (read blocking: a message is finite). Each message gives its
 * suspect (and with probe_claimed its public claimed hops), or one skipped
 * row saying why it gives none. Returns 0, or -1 with err filled.
 */
int target_source_add_message(struct target_source *src, const char *path, char *err,
                              size_t errlen);

/* Inputs are consumed in the order they were added. */
enum target_source_status target_source_next(struct target_source *src, struct target *t, char *err,
                                             size_t errlen);
/*
 * The policy every address passes, whether a list gave it or DNS did (a
 * host name's or an MX host's address): dedupe, then the allowlist
 * and the special-purpose ranges. Returns 1 for a new address (skip_reason
 * set when policy forbids probing it), 0 for a duplicate (counted; drop
 * it), -1 out of memory. t must hold an address (salen > 0).
 */
int target_source_admit(struct target_source *src, struct target *t);

/* The descriptor to wait on after TS_WAIT, else -1. */
int target_source_fd(const struct target_source *src);

size_t target_source_duplicates(const struct target_source *src);
size_t target_source_bad_lines(const struct target_source *src);
/* 1 when the stream stopped (TS_FATAL) because memory ran out. */
int target_source_out_of_memory(const struct target_source *src);

/*
 * Audit reports: marks a target as reported by an earlier run
 * (--resume), once per row of the report; ip as in its ip column. The
 * stream then gives no row for it, whether a list, a range, a name's
 * address or a message names it (a target several messages name gives as
 * many rows as the report lacks). Targets reported still take their shard
 * turn, so a resumed --shard takes the same items as the run it resumes.
 * Memory: 18 bytes per row (targets/doneset.h). Returns 0, or -1 with
 * errno EINVAL (not an address) or ENOMEM.
 */
int target_source_mark_done(struct target_source *src, const char *ip, uint16_t port);
/*
 * The same for a row without an address (a bad line, a message without a
 * suspect, a name that did not resolve), known by its origin column: the
 * stream gives no row (and no warning) for an input with that origin.
 * Returns 0, or -1 with errno ENOMEM.
 */
int target_source_mark_origin_done(struct target_source *src, const char *origin);
/* 1 when a row without an address with this origin was marked done (for
 * rows made after the stream, such as a name that does not resolve). */
int target_source_origin_done(struct target_source *src, const char *origin);
/* Targets skipped because they were marked done. */
size_t target_source_already_done(const struct target_source *src);

#endif
