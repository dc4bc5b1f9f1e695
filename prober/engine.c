/*
 * engine.c: the scheduler of sessions; see engine.h.
 *
 * Sessions live in a fixed array of slots (one per unit of concurrency) with
 * a free list, so the engine can find and end every running session on
 * shutdown without a list walk through the sessions themselves.
 *
 * DNS: a slot also holds its address's reverse-DNS lookup, which
 * starts with the session and runs beside it; the slot's row is handed over
 * when both are done. Host names and mail domains go to the expansion
 * stage (targets/expand.h), with dns.c as its resolver; the addresses they
 * yield wait in its ready queue, which is served before the source, so a
 * name's addresses are probed in the order DNS gave them.
 */
#include "config.h"

#include "prober/engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "prober/lookup.h"
#include "prober/rdns.h"
#include "prober/pernet.h"
#include "prober/session.h"
#include "targets/expand.h"

struct slot {
	struct engine *e;
	struct session *s; /* NULL when free */
	size_t next_free;
	/* Reverse DNS and the abuse desk's lookups beside the session. */
	int dns_pending;           /* lookups that have not answered yet */
	int row_sent;              /* the row went without DNS (out of memory) */
	struct probe_result *held; /* the session's result, waiting for DNS */
	struct dns_rdns *rdns;     /* DNS's answer, waiting for the session */
	X509 *cert;                /* the peer's certificate, for cert_matches on the PTR names */
	struct abuse_facts *abuse; /* the abuse desk's facts, for the row */
};

struct engine {
	struct event_base *base;
	struct engine_config cfg;
	struct target_source *src;
	engine_result_cb cb;
	void *arg;

	struct slot *slots;
	size_t free_head; /* == cfg.concurrency when none is free */
	size_t active;
	/* Slots in use at once: cfg.concurrency, lowered for the rest of the
	 * run when our side runs out of descriptors, ports or memory. */
	size_t limit;
	size_t turn_work;     /* targets started or skipped since the loop last turned */
	long long rest_until; /* no new connection before (ms): a local failure backs off */
	int local_failures;   /* in a row, with nothing else running */
	int warned;           /* the lowered concurrency was said */

	struct event *pump_ev;  /* the next turn: rate wait or batch yield */
	struct event *input_ev; /* the source's descriptor became readable */
	struct event *grace_ev; /* shutdown grace is over */

	long long tokens;  /* in thousandths of a connection */
	long long last_ms; /* when tokens were last refilled */

	struct target pending; /* taken from the source, not started yet */
	int have_pending;

	/* --per-net: open dialogues per network, and targets held back until
	 * their network has room (unordered: politeness, not fairness). */
	struct pernet *nets;
	struct target *deferred;
	size_t ndeferred;
	int source_done;
	int stopping;
	int interrupts;
	enum engine_status status;
	char err[TARGET_ORIGIN_MAX + TARGET_REASON_MAX];
	struct engine_stats stats;

	struct expand *names; /* host names and mail domains into addresses */
};

static void engine_pump(struct engine *);
static void engine_pump_cb(evutil_socket_t, short, void *);
static void engine_abort_all(struct engine *, enum probe_error);
static void engine_fail(struct engine *, enum engine_status, const char *);
static void engine_kick(struct engine *);
static void engine_maybe_done(struct engine *);

/* The expansion stage's resolver: dns.c. */
static void
engine_name_answer(const struct dns_hosts *h, void *job)
{
	struct expand_addr v[DNS_HOST_ADDRS_MAX];
	size_t i;

	for (i = 0; i < h->n && i < DNS_HOST_ADDRS_MAX; i++) {
		v[i].host = h->v[i].host;
		v[i].sa = h->v[i].salen > 0 ? (const struct sockaddr *)&h->v[i].sa : NULL;
		v[i].error = h->v[i].error;
	}
	expand_answer(job, h->status != DNS_OK ? h->error : NULL, v, i);
}

static int
engine_name_start(void *ctx, const char *name, enum target_name kind, struct expand_job *job)
{
	struct engine *e = ctx;

	return kind == TARGET_NAME_MX ? dns_resolve_mx(e->cfg.dns, name, engine_name_answer, job)
	                              : dns_resolve_host(e->cfg.dns, name, engine_name_answer, job);
}

static void
engine_name_answered(void *ctx)
{
	struct engine *e = ctx;

	if (expand_out_of_memory(e->names))
		engine_fail(e, ENGINE_RUNTIME_ERROR, "out of memory");
	engine_kick(e);
	engine_maybe_done(e);
}

static void
engine_grace_cb(evutil_socket_t fd, short what, void *arg)
{
	engine_abort_all(arg, PROBE_INTERRUPTED);
}

struct engine *
engine_new(struct event_base *base, const struct engine_config *cfg, struct target_source *src,
           engine_result_cb cb, void *arg)
{
	struct engine *e;
	size_t i, n = (size_t)cfg->concurrency;

	if (n == 0 || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->base = base;
	e->cfg = *cfg;
	e->src = src;
	e->cb = cb;
	e->arg = arg;
	e->slots = calloc(n, sizeof(*e->slots));
	e->pump_ev = evtimer_new(base, engine_pump_cb, e);
	e->grace_ev = evtimer_new(base, engine_grace_cb, e);
	{
		struct expand_resolver res = {cfg->dns != NULL ? engine_name_start : NULL,
		                              engine_name_answered, e};

		e->names = expand_new(&res, src);
	}
	if (cfg->per_net > 0) {
		e->nets = pernet_new(n);
		e->deferred = calloc(PER_NET_DEFER_MAX, sizeof(*e->deferred));
	}
	if (e->slots == NULL || e->pump_ev == NULL || e->grace_ev == NULL || e->names == NULL ||
	    (cfg->per_net > 0 && (e->nets == NULL || e->deferred == NULL))) {
		engine_free(e);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		e->slots[i].e = e;
		e->slots[i].next_free = i + 1;
	}
	e->free_head = 0;
	e->limit = n;
	e->last_ms = clock_now_ms();
	e->tokens = 1000;
	return e;
}

void
engine_free(struct engine *e)
{
	size_t i;

	if (e == NULL)
		return;
	/* DNS requests still open are dropped by dns_free, never called back. */
	expand_free(e->names);
	for (i = 0; e->slots != NULL && i < (size_t)e->cfg.concurrency; i++) {
		free(e->slots[i].held);
		free(e->slots[i].rdns);
		X509_free(e->slots[i].cert);
	}
	if (e->pump_ev)
		event_free(e->pump_ev);
	if (e->grace_ev)
		event_free(e->grace_ev);
	if (e->input_ev)
		event_free(e->input_ev);
	pernet_free(e->nets);
	free(e->deferred);
	free(e->slots);
	free(e);
}

const char *
engine_error(const struct engine *e)
{
	return e->err;
}

const struct engine_stats *
engine_stats(const struct engine *e)
{
	return &e->stats;
}

static void
engine_maybe_done(struct engine *e)
{
	if (e->active == 0 && expand_resolving(e->names) == 0 &&
	    (e->stopping || (e->source_done && !e->have_pending && e->ndeferred == 0 &&
	                     !expand_has_ready(e->names))))
		event_base_loopexit(e->base, NULL);
}

static void
engine_abort_all(struct engine *e, enum probe_error why)
{
	size_t i;

	for (i = 0; i < (size_t)e->cfg.concurrency; i++)
		if (e->slots[i].s != NULL)
			session_abort(e->slots[i].s, why);
	/* Rows waiting for DNS go out with what they have. */
	dns_cancel_all(e->cfg.dns);
}

static void
engine_stop(struct engine *e)
{
	/* Targets waiting to be probed again were dialogues too: cut. */
	e->stats.cut += expand_stop(e->names);
	e->stopping = 1;
	event_del(e->pump_ev);
	if (e->input_ev)
		event_del(e->input_ev);
}

static void
engine_emit(struct engine *e, const struct probe_result *r)
{
	e->stats.results++;
	if ((unsigned)r->verdict < VERDICT_COUNT)
		e->stats.verdicts[r->verdict]++;
	if (e->cb(r, e->arg) == 0 || e->status == ENGINE_OUTPUT_ERROR)
		return;
	/* Output is broken: nothing more can be reported, so stop at once. */
	e->status = ENGINE_OUTPUT_ERROR;
	engine_stop(e);
	engine_abort_all(e, PROBE_INTERRUPTED);
	event_base_loopexit(e->base, NULL);
}

static void
engine_slot_release(struct engine *e, struct slot *sl)
{
	free(sl->held);
	free(sl->rdns);
	if (sl->cert != NULL) /* X509_free(NULL) is three calls deep into OpenSSL */
		X509_free(sl->cert);
	free(sl->abuse);
	sl->held = NULL;
	sl->rdns = NULL;
	sl->cert = NULL;
	sl->abuse = NULL;
	sl->row_sent = 0;
	sl->next_free = e->free_head;
	e->free_head = (size_t)(sl - e->slots);
	e->active--;
}

/* Runs the pump from the loop, soon: DNS may call back from inside the
 * pump itself (c-ares fails some queries at once). */
static void
engine_kick(struct engine *e)
{
	struct timeval now = {0, 0};

	if (!e->stopping)
		evtimer_add(e->pump_ev, &now);
}

/* The session ended without a row (a local failure, or cut by a signal):
 * its slot goes, or waits for its DNS answer only to drop it. */
static void
engine_slot_drop(struct engine *e, struct slot *sl)
{
	if (sl->dns_pending)
		sl->row_sent = 1;
	else
		engine_slot_release(e, sl);
}

/*
 * Our side ran out of descriptors, ports or memory: nothing is known about
 * the target, which is probed again once a running dialogue has ended (or
 * after a pause when none runs). The concurrency that was reached is what
 * the system gives: the rest of the run keeps under it.
 */
static void
engine_local_failure(struct engine *e, const struct target *t, int err)
{
	size_t running = e->active;

	if (running < 1)
		running = 1;
	if (running < e->limit) {
		e->limit = running;
		if (!e->warned && e->cfg.warn != NULL) {
			char line[256];

			snprintf(line, sizeof(line),
			         "%s at %zu dialogues; concurrency lowered to %zu for the rest of "
			         "the run (such targets are probed again)",
			         strerror(err), e->active + 1, e->limit);
			e->cfg.warn(line, e->cfg.warn_arg);
		}
		e->warned = 1;
	}
	if (e->stopping) {
		e->stats.cut++; /* --resume probes it */
		return;
	}
	if (expand_retry(e->names, t) != 0)
		engine_fail(e, ENGINE_RUNTIME_ERROR, "out of memory");
	if (e->active > 0) {
		e->local_failures = 0;
		return;
	}
	if (++e->local_failures > RESOURCE_RETRIES_MAX) {
		char why[TARGET_REASON_MAX];

		snprintf(why, sizeof(why), "cannot open a connection: %s", strerror(err));
		engine_fail(e, ENGINE_RUNTIME_ERROR, why);
		return;
	}
	{
		struct timeval tv = {RESOURCE_BACKOFF_MS / 1000,
		                     (RESOURCE_BACKOFF_MS % 1000) * 1000};

		e->rest_until = clock_now_ms() + RESOURCE_BACKOFF_MS;
		evtimer_add(e->pump_ev, &tv);
	}
}

static void
engine_session_done(const struct probe_result *r, void *arg)
{
	struct slot *sl = arg;
	struct engine *e = sl->e;

	sl->s = NULL;
	/* The connection is closed: its network has room again, whether or
	 * not the row still waits for its DNS. */
	if (e->nets != NULL)
		pernet_add(e->nets, (const struct sockaddr *)&r->target.sa, -1);
	if (!probe_result_finished(r)) {
		engine_slot_drop(e, sl);
		if (r->error == PROBE_LOCAL_FAILURE)
			engine_local_failure(e, &r->target, r->local_errno);
		else
			e->stats.cut++;
		if (!e->stopping)
			engine_pump(e);
		engine_maybe_done(e);
		return;
	}
	e->stats.probed++;
	e->local_failures = 0;
	if (sl->dns_pending && (sl->held = malloc(sizeof(*sl->held))) != NULL) {
		*sl->held = *r; /* the row waits for its DNS */
		return;
	}
	if (sl->rdns != NULL || sl->abuse != NULL) {
		struct probe_result row = *r;

		if (sl->rdns != NULL)
			rdns_apply(&row, sl->rdns, sl->cert);
		row.abuse = sl->abuse;
		engine_emit(e, &row);
	} else {
		engine_emit(e, r);
	}
	if (sl->dns_pending)
		sl->row_sent = 1; /* no memory to hold the row: DNS's answer is dropped */
	else
		engine_slot_release(e, sl);
	if (!e->stopping)
		engine_pump(e);
	engine_maybe_done(e);
}

/* A lookup answered; once the session is over and none is left, the
 * held row goes with what DNS said. */
static void
engine_dns_answered(struct engine *e, struct slot *sl)
{
	sl->dns_pending--;
	if (sl->s != NULL || sl->dns_pending > 0)
		return;
	if (sl->held != NULL) {
		if (sl->rdns != NULL)
			rdns_apply(sl->held, sl->rdns, sl->cert);
		sl->held->abuse = sl->abuse;
		engine_emit(e, sl->held);
	}
	engine_slot_release(e, sl);
	engine_kick(e);
	engine_maybe_done(e);
}

/* Without memory to keep an answer, the row goes without its columns. */
static void
engine_rdns_done(const struct dns_rdns *d, void *arg)
{
	struct slot *sl = arg;

	if (sl->rdns == NULL && (sl->rdns = malloc(sizeof(*sl->rdns))) != NULL)
		*sl->rdns = *d;
	engine_dns_answered(sl->e, sl);
}

static void
engine_abuse_done(const struct abuse_facts *f, void *arg)
{
	struct slot *sl = arg;

	if (sl->abuse == NULL && (sl->abuse = malloc(sizeof(*sl->abuse))) != NULL)
		*sl->abuse = *f;
	engine_dns_answered(sl->e, sl);
}

/* Takes one connection's worth from the token bucket; when empty, returns 0
 * and sets *wait_ms to when the next one is due. */
static int
engine_take_token(struct engine *e, long long *wait_ms)
{
	long long now, cap;

	if (e->cfg.rate <= 0)
		return 1;
	now = clock_now_ms();
	e->tokens += (now - e->last_ms) * e->cfg.rate;
	e->last_ms = now;
	cap = (long long)e->cfg.rate * RATE_BURST_MS;
	if (cap < 1000)
		cap = 1000;
	if (e->tokens > cap)
		e->tokens = cap;
	if (e->tokens >= 1000) {
		e->tokens -= 1000;
		return 1;
	}
	*wait_ms = (1000 - e->tokens + e->cfg.rate - 1) / e->cfg.rate;
	return 0;
}

static void
engine_input_cb(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;

	/* The input may end (EOF) after every session did: then nothing
	 * else would notice that the run is over. */
	e->turn_work = 0; /* the loop turned */
	engine_pump(e);
	engine_maybe_done(e);
}

static void
engine_wait_input(struct engine *e)
{
	int fd = target_source_fd(e->src);

	if (e->input_ev != NULL && event_get_fd(e->input_ev) != fd) {
		event_free(e->input_ev);
		e->input_ev = NULL;
	}
	if (e->input_ev == NULL)
		e->input_ev = event_new(e->base, fd, EV_READ, engine_input_cb, e);
	if (e->input_ev == NULL || event_add(e->input_ev, NULL) < 0)
		engine_fail(e, ENGINE_INPUT_ERROR, "cannot wait for input");
}

/* The run cannot go on: running sessions still finish and are reported.
 * why NULL: the error text is already in e->err (the source wrote it). */
static void
engine_fail(struct engine *e, enum engine_status status, const char *why)
{
	if (why != NULL)
		snprintf(e->err, sizeof(e->err), "%s", why);
	e->status = status;
	engine_stop(e);
}

static void
engine_skip(struct engine *e, const struct target *t)
{
	struct probe_result r;

	probe_result_init(&r, t);
	gettimeofday(&r.started, NULL);
	engine_emit(e, &r);
}

/* Fills e->pending from the source; returns 1 when a target is pending. */
static int
engine_fetch(struct engine *e)
{
	switch (target_source_next(e->src, &e->pending, e->err, sizeof(e->err))) {
	case TS_TARGET:
		e->have_pending = 1;
		return 1;
	case TS_WAIT:
		engine_wait_input(e);
		return 0;
	case TS_YIELD:
		/* A stretch of input without a target: let signals and
		 * sessions in, then read on. */
		engine_kick(e);
		return 0;
	case TS_END:
		e->source_done = 1;
		return 0;
	case TS_FATAL:
	default:
		e->source_done = 1;
		engine_fail(e,
		            target_source_out_of_memory(e->src) ? ENGINE_RUNTIME_ERROR
		                                                : ENGINE_INPUT_ERROR,
		            NULL);
		return 0;
	}
}

/* Starts a dialogue with t; returns -1 when it could not start (memory:
 * the target waits for a retry, or the run stops). */
static int
engine_start(struct engine *e, const struct target *t)
{
	struct slot *sl = &e->slots[e->free_head];

	e->turn_work++;
	e->free_head = sl->next_free;
	e->active++;
	sl->s = session_start(e->base, &e->cfg.probe, t, engine_session_done, sl);
	if (sl->s == NULL) {
		sl->next_free = e->free_head;
		e->free_head = (size_t)(sl - e->slots);
		e->active--;
		engine_local_failure(e, t, ENOMEM);
		return -1;
	}
	if (e->nets != NULL && pernet_add(e->nets, (const struct sockaddr *)&t->sa, 1) < 0) {
		engine_fail(e, ENGINE_RUNTIME_ERROR, "out of memory");
		session_abort(sl->s, PROBE_INTERRUPTED);
		return -1;
	}
	/* Reverse DNS runs beside the dialogue, never before it. */
	if (e->cfg.dns != NULL) {
		session_keep_cert(sl->s, &sl->cert);
		sl->dns_pending++;
		if (dns_rdns(e->cfg.dns, (const struct sockaddr *)&t->sa, engine_rdns_done, sl) !=
		    0)
			sl->dns_pending--;
	}
	/* So do the abuse desk's lookups (--dnsbl, --asn, --abuse-contact). */
	if (e->cfg.lookup != NULL) {
		sl->dns_pending++;
		if (lookup_start(e->cfg.lookup, (const struct sockaddr *)&t->sa, engine_abuse_done,
		                 sl) != 0)
			sl->dns_pending--;
	}
	return 0;
}

static int
engine_net_full(const struct engine *e, const struct target *t)
{
	return e->nets != NULL && pernet_count(e->nets, (const struct sockaddr *)&t->sa) >=
	                              (unsigned int)e->cfg.per_net;
}

/* Starts held-back targets whose network has room now. */
static void
engine_undefer(struct engine *e)
{
	size_t i = 0;

	while (i < e->ndeferred && e->active < e->limit && !e->stopping) {
		long long wait_ms;
		struct target t;

		if (engine_net_full(e, &e->deferred[i])) {
			i++;
			continue;
		}
		if (!engine_take_token(e, &wait_ms))
			return;
		t = e->deferred[i];
		e->deferred[i] = e->deferred[--e->ndeferred];
		if (engine_start(e, &t) < 0)
			return;
	}
}

/*
 * Starts what may start now. It runs from the loop's timer and input
 * events and after every session's end; however it is called, at most
 * PUMP_BATCH_MAX targets are started or skipped before the loop turns
 * again (connects that fail at once would otherwise feed the pump from
 * the loop's active queue forever, and no signal would be read).
 */
static void
engine_pump(struct engine *e)
{
	struct timeval tv = {0, 0};
	long long wait_ms;

	if (e->stopping)
		return;
	if (e->rest_until > 0) {
		long long left = e->rest_until - clock_now_ms();

		if (left > 0) {
			tv.tv_sec = (time_t)(left / 1000);
			tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
			evtimer_add(e->pump_ev, &tv);
			return;
		}
		e->rest_until = 0;
	}
	if (e->ndeferred > 0)
		engine_undefer(e);
	while (!e->stopping) {
		if (e->turn_work >= PUMP_BATCH_MAX) {
			evtimer_add(e->pump_ev, &tv); /* let the loop breathe, then go on */
			return;
		}
		if (!e->have_pending && expand_next(e->names, &e->pending))
			e->have_pending = 1;
		if (!e->have_pending) {
			if (e->source_done || e->active >= e->limit)
				break;
			if (!engine_fetch(e))
				break;
		}
		if (e->pending.skip_reason[0] == '\0' && e->pending.salen == 0 &&
		    e->pending.name_kind != TARGET_NAME_NONE) {
			if (expand_resolving(e->names) >= DNS_NAMES_AT_ONCE)
				break;
			if (expand_name(e->names, &e->pending) == 0) {
				e->have_pending = 0;
				continue;
			}
		}
		if (e->pending.skip_reason[0] != '\0') {
			e->have_pending = 0;
			e->turn_work++;
			engine_skip(e, &e->pending);
			continue;
		}
		if (engine_net_full(e, &e->pending)) {
			if (e->ndeferred >= PER_NET_DEFER_MAX)
				break; /* wait for a dialogue to end */
			e->deferred[e->ndeferred++] = e->pending;
			e->have_pending = 0;
			continue;
		}
		if (e->active >= e->limit)
			break;
		if (!engine_take_token(e, &wait_ms)) {
			tv.tv_sec = (time_t)(wait_ms / 1000);
			tv.tv_usec = (suseconds_t)(wait_ms % 1000) * 1000;
			evtimer_add(e->pump_ev, &tv);
			return;
		}
		e->have_pending = 0;
		if (engine_start(e, &e->pending) < 0)
			return;
	}
}

static void
engine_pump_cb(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;

	e->turn_work = 0; /* the loop turned */
	engine_pump(e);
	engine_maybe_done(e);
}

enum engine_status
engine_run(struct engine *e)
{
	struct timeval now = {0, 0};

	evtimer_add(e->pump_ev, &now);
	event_base_dispatch(e->base);
	return e->status;
}

void
engine_interrupt(struct engine *e)
{
	struct timeval tv = {SHUTDOWN_GRACE_MS / 1000, (SHUTDOWN_GRACE_MS % 1000) * 1000};

	e->interrupts++;
	if (e->status == ENGINE_DONE)
		e->status = ENGINE_INTERRUPTED;
	engine_stop(e);
	if (e->interrupts > 1)
		engine_abort_all(e, PROBE_INTERRUPTED);
	else
		evtimer_add(e->grace_ev, &tv);
	engine_maybe_done(e);
}
