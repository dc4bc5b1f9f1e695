/*
 * expand.h: the name-expansion stage between the target source and the
 * prober (no I/O of its own).
 *
 * A target that is a host name or a mail domain (name_kind set, salen 0)
 * goes in; what comes out are its addresses, each a target of its own with
 * an origin that tells where it came from ("arg:1 mx:example.com
 * mx1.example.com"), each passed through the source's policy and dedupe
 * (target_source_admit), in the order DNS gave them. A name that does not
 * resolve comes out as a skipped row carrying the DNS error.
 *
 * Layering: targets/ may not see prober/, where the resolver lives. So the
 * stage takes the resolver as an interface, struct expand_resolver: the
 * prober fills it with a function that starts a lookup (on its dns.c) and
 * hands each answer back through expand_answer(), translated into
 * struct expand_addr, which points into the resolver's answer. Calls go
 * one way in each direction through that struct, and no header of the
 * prober is included here.
 *
 * The stage also holds the ready queue: the addresses waiting for a slot,
 * and targets the prober hands back to be probed again (expand_retry),
 * which go first.
 */
#ifndef SMTPPROBE_EXPAND_H
#define SMTPPROBE_EXPAND_H

#include <stddef.h>
#include <sys/socket.h>

#include "targets/source.h"
#include "targets/target.h"

struct expand;
struct expand_job;

/* One address a name yielded, or (sa NULL) one MX host that yielded none. */
struct expand_addr {
	const char *host;          /* the name the address belongs to */
	const struct sockaddr *sa; /* port 0; NULL: host did not resolve */
	const char *error;         /* with sa NULL: why */
};

struct expand_resolver {
	/*
	 * Starts resolving name (kind TARGET_NAME_HOST: its A and AAAA;
	 * TARGET_NAME_MX: its MX hosts' addresses); the answer must come later
	 * by expand_answer(job, ...), possibly from inside start. Returns 0, or
	 * -1 when the lookup could not start. NULL: DNS is off.
	 */
	int (*start)(void *ctx, const char *name, enum target_name kind, struct expand_job *job);
	/* Called after each answer was expanded: new targets may be ready. */
	void (*answered)(void *ctx);
	void *ctx;
};

/* src: the source whose policy and dedupe each address passes. */
struct expand *expand_new(const struct expand_resolver *res, struct target_source *src);
/* Open lookups must have been dropped by the resolver (never answered). */
void expand_free(struct expand *x);

/*
 * Takes the name target t. Returns 0 when it is being resolved, or -1 when
 * t was turned into a skipped row instead (DNS off, out of memory): the
 * caller reports it.
 */
int expand_name(struct expand *x, struct target *t);

/*
 * The resolver's answer to job: error non-NULL when the name itself failed,
 * else the n entries of v. Frees job.
 */
void expand_answer(struct expand_job *job, const char *error, const struct expand_addr *v,
                   size_t n);

/* Takes the next ready target into *t; returns 1, or 0 when none is ready. */
int expand_next(struct expand *x, struct target *t);
/* Puts t first in line, marked as a dialogue to be started again. Returns 0,
 * or -1 out of memory. */
int expand_retry(struct expand *x, const struct target *t);

/* From now on answers are dropped. Returns the number of targets waiting to
 * be probed again, the dialogues the stop cuts. */
size_t expand_stop(struct expand *x);

size_t expand_resolving(const struct expand *x);
/* 1 when a ready target waits. */
int expand_has_ready(const struct expand *x);
/* 1 when memory ran out while queueing an address (the run must stop). */
int expand_out_of_memory(const struct expand *x);

#endif
