/*
 * engine.h: runs many sessions on one libevent loop.
 *
 * The engine pulls targets from a target source while fewer than
 * `concurrency` sessions are open and the token bucket (`rate` new
 * connections a second) allows, and hands every result, probed or skipped,
 * to the owner's callback in the order they finish. Nothing is lost: each
 * target the source yields comes back exactly once, unless the run is
 * stopped first (then stats.cut counts the dialogues it cut short).
 *
 * Ownership: the engine borrows the event base and the source; the caller
 * frees them after engine_free.
 */
#ifndef SMTPPROBE_ENGINE_H
#define SMTPPROBE_ENGINE_H

#include <event2/event.h>
#include <stddef.h>

#include "prober/dns.h"
#include "prober/lookup.h"
#include "record/result.h"
#include "record/settings.h"
#include "targets/source.h"

struct engine_config {
	int concurrency; /* sessions open at once, >= 1 */
	int rate;        /* new connections a second; 0 = no limit */
	int per_net;     /* dialogues at once per /24 or /64; 0 = no limit */
	struct probe_settings probe;
	/* DNS: NULL turns lookups off (--no-dns). Borrowed. With it,
	 * each probed address's PTR and FCrDNS are looked up beside its
	 * session (the row waits for both), and host-name and mail-domain
	 * targets are resolved, each address probed as a target of its own. */
	struct dns *dns;
	/* The abuse desk's lookups (--dnsbl, --asn, --abuse-contact) of each
	 * probed address, beside its session like the PTR: NULL = none. Borrowed. */
	struct lookup *lookup;
	/* Called once, with one line of text, when a local failure
	 * (descriptors, ports, memory) first lowers the concurrency; NULL =
	 * quiet. warn_arg is passed along. */
	void (*warn)(const char *line, void *warn_arg);
	void *warn_arg;
};

/* Returns 0, or -1 to stop the run (output failed: errno says why). */
typedef int (*engine_result_cb)(const struct probe_result *r, void *arg);

struct engine_stats {
	size_t results; /* rows handed over, skipped included */
	size_t probed;  /* sessions finished */
	size_t verdicts[VERDICT_COUNT];
	/* Dialogues that ended without a row: cut by a signal (or a broken
	 * output) before a verdict, for --resume to probe again. */
	size_t cut;
};

enum engine_status {
	ENGINE_DONE = 0,      /* every target is reported */
	ENGINE_INTERRUPTED,   /* engine_interrupt was called */
	ENGINE_INPUT_ERROR,   /* the source failed (strict mode, read error) */
	ENGINE_OUTPUT_ERROR,  /* the result callback failed */
	ENGINE_RUNTIME_ERROR, /* out of memory, or no connection could be opened */
};

struct engine;

struct engine *engine_new(struct event_base *base, const struct engine_config *cfg,
                          struct target_source *src, engine_result_cb cb, void *arg);
void engine_free(struct engine *e);

/* Runs the loop until every target is reported or the run is stopped.
 * On ENGINE_INPUT_ERROR and ENGINE_RUNTIME_ERROR, engine_error() says why.
 * A connect that fails for a local reason (descriptors, ports, memory) is
 * never a row: the target is probed again and the concurrency lowered. */
enum engine_status engine_run(struct engine *e);
const char *engine_error(const struct engine *e);

/* Stop starting sessions; running ones get SHUTDOWN_GRACE_MS, then end:
 * those that reached no verdict are not reported (stats.cut counts them),
 * an acceptance already seen is, as `interrupted`. A second call ends them
 * at once. Safe from a signal event. */
void engine_interrupt(struct engine *e);

const struct engine_stats *engine_stats(const struct engine *e);

#endif
