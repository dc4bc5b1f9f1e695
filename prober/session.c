/*
 * session.c: the I/O shell of one SMTP dialogue. The decisions are the
 * pure protocol core's (protocol.h): this file cuts the input into lines,
 * feeds the reply parser, sends what the core says, runs the TLS upgrade and
 * the timers, tells the observer, and carries out the core's actions
 * (session_act). Every ending goes through session_finish.
 *
 * Safety lives in the core: the only commands it can produce are the seven
 * of its enum proto_cmd, and this file sends nothing else.
 *
 * A session may be finished inside one of its own callbacks, even deep
 * inside a libevent call (a TLS filter reads, and reports the peer's close,
 * while we drain). Every libevent callback is an I/O frame
 * (session_frame_enter/leave, as OpenSMTPD's io_frame_enter/leave):
 * session_finish inside a frame only marks the session done, and the
 * outermost frame frees it on the way out.
 *
 * Plaintext is read and written on the socket itself: one event, recv()
 * into a buffer on the stack, send() of each command. Lock-step makes the
 * buffers of a bufferevent idle weight: a command nearly always fits the
 * socket at once, and a reply is read whole and answered before the next
 * read. Only a line cut by a read (carry) or a command's tail the socket did
 * not take (unsent) is kept, in memory allocated while it exists.
 *
 * With epoll the event is edge-triggered, for reading, writing and the
 * peer's close at once (PLAIN_EDGE), added once for the whole connection:
 * the first edge says the connection is made (or failed), a read that
 * fills the buffer reads again, and a close that came with the last bytes
 * is read to its end, since no later edge would tell. While a command's
 * tail waits for room, and on a loop without edges, it is level-triggered.
 *
 * TLS stays on the same loop: after the 220 to STARTTLS (or at
 * connect for SMTPS) the socket becomes a socket bufferevent wrapped in a
 * bufferevent_openssl filter, the handshake runs under the same timer, and
 * a failed handshake is recorded and followed by a fresh plaintext
 * connection within the same deadline, so the verdict is still known.
 */
#include "config.h"

#include "prober/session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/iptext.h"
#include "common/strbuf.h"
#include "prober/fingerprint.h"
#include "prober/protocol.h"
#include "prober/reply.h"
#include "prober/tls.h"
#include "prober/verdict.h"
#include "record/relay.h"

/* The shell's flags, one word. */
enum session_flag {
	SF_TIMER_IS_DEADLINE = 1u << 0, /* the armed timer is the dialogue's deadline */
	SF_DONE = 1u << 1,              /* finished: freed when the last frame leaves */
	SF_TIMER_ARMED = 1u << 2,       /* the timer is added, for armed_ms */
};

struct session {
	struct event_base *base;
	struct bufferevent *bev;  /* TLS: the filter, which owns the socket */
	struct event *io;         /* plaintext: the socket's one event */
	struct event timer;       /* in place: one allocation fewer a session */
	char *carry;              /* plaintext: a line the last read cut, while one is */
	char *unsent;             /* plaintext: what the socket did not take yet */
	evutil_socket_t fd;       /* plaintext: the socket, or -1 */
	unsigned short carry_len; /* < SMTP_LINE_MAX + 2 */
	unsigned int unsent_len;
	const struct probe_settings *set; /* the engine's, which outlives every session */
	struct proto p;                   /* the protocol core's state */
	struct smtp_reply reply;
	unsigned int flags; /* enum session_flag */
	unsigned int depth; /* I/O frames open (callbacks on the stack) */
	size_t bytes_in;
	long long now_ms;         /* monotonic: when this callback began */
	long long started_ms;     /* monotonic */
	long long deadline_ms;    /* monotonic */
	long long due_ms;         /* monotonic: when this phase's time is up */
	long long armed_ms;       /* monotonic: when the added timer fires */
	enum probe_error pending; /* a failure to report from the loop */
	session_done_cb done;
	void *arg;
	void *obs;        /* the observer's handle (transcripts), or NULL */
	X509 **keep_cert; /* session_keep_cert's, or NULL */
	/* What the dialogue writes, compact (its texts in an arena); the
	 * record is made from it when it ends (session_finish). Last, so
	 * session_start zeroes the fields above and probe_dialogue_init this. */
	struct probe_dialogue result;
};

/*
 * Every open dialogue holds one session, so its size is most of the prober's
 * memory at high concurrency (the goal: a session's share, everything
 * included - this struct, its dialogue's texts, its socket's event (or, with
 * TLS, libevent's bufferevent and OpenSSL's state), malloc's overhead - at
 * most 4 KiB, for peak RSS under 30 MB at concurrency 5,000 and 50 MB at
 * 10,000 on the tarpit bench; bench/RESULTS.md). A field that would grow it
 * past this budget belongs outside the session (the record is made only when
 * the dialogue ends), or wants the budget and the bench run again.
 */
#define SESSION_BYTES_BUDGET (1024 + 512)
_Static_assert(sizeof(struct session) <= SESSION_BYTES_BUDGET,
               "a session outgrew its memory budget (see bench/RESULTS.md)");

static void session_enter(struct session *, enum proto_state);
static void session_act(struct session *, struct proto_action);
static void session_finish(struct session *, enum probe_error);
static void session_arm(struct session *, int);
static void session_read_cb(struct bufferevent *, void *);
static void session_read(struct session *, struct bufferevent *);
static void session_event_cb(struct bufferevent *, short, void *);
static void session_event(struct session *, struct bufferevent *, short, int);
static void session_io_cb(evutil_socket_t, short, void *);
static void session_closed(struct session *, int);
static void session_close(struct session *);
static void session_timer_cb(evutil_socket_t, short, void *);
static void session_observe(struct session *, enum observe_kind, const char *, size_t);
static int session_connect(struct session *);
static void session_reconnect(struct session *);
static void session_frame_enter(struct session *);
static void session_frame_leave(struct session *);
static void session_free(struct session *);
static void session_tls_record(struct session *, const char *);
static void session_tls_failed(struct session *, const char *);
static void session_start_tls(struct session *);
static void session_tls_done(struct session *);

struct session *
session_start(struct event_base *base, const struct probe_settings *set, const struct target *t,
              session_done_cb done, void *arg)
{
	struct session *s;

	if ((s = malloc(sizeof(*s))) == NULL)
		return NULL;
	memset(s, 0, offsetof(struct session, result));
	s->fd = -1;
	s->base = base;
	s->set = set;
	s->done = done;
	s->arg = arg;
	if (probe_dialogue_init(&s->result, t) != 0) {
		free(s); /* out of memory: the engine starts the target again later */
		return NULL;
	}
	gettimeofday(&s->result.started, NULL);
	/* The plan is made again once the greeting names the server. */
	relay_plan(&s->result, s->set, "");
	s->started_ms = s->now_ms = clock_now_ms();
	s->deadline_ms = s->started_ms + s->set->deadline_ms;
	if (s->set->observer != NULL)
		s->obs = s->set->observer->open(s->set->observer->arg, t);

	proto_init(&s->p, set, &s->result,
	           set->tls != NULL &&
	               (set->smtps == SMTPS_ALWAYS ||
	                (set->smtps == SMTPS_PORT && t->port == SMTPS_WELL_KNOWN_PORT)));

	evtimer_assign(&s->timer, base, session_timer_cb, s);
	if (session_connect(s) < 0) {
		event_del(&s->timer);
		/* Out of memory: the engine starts the target again later. */
		s->result.error = PROBE_LOCAL_FAILURE;
		if (s->obs != NULL) {
			struct probe_result r;

			probe_result_from_dialogue(&r, &s->result);
			s->set->observer->close(s->obs, &r);
		}
		session_free(s);
		return NULL;
	}
	return s;
}

/* 1 for an errno of socket() or connect() that says our side is short of
 * something (descriptors, buffers, memory, local ports): not the target's doing. */
static int
local_failure(int err)
{
	switch (err) {
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
	case EADDRNOTAVAIL: /* no local port left */
	case EAGAIN:        /* the same, on older kernels */
		return 1;
	default:
		return 0;
	}
}

/* A connection that could not be made: reported from the loop, so the
 * owner is never re-entered. Returns 0. */
static int
session_connect_failed(struct session *s, int err)
{
	session_close(s);
	if (local_failure(err)) {
		s->pending = PROBE_LOCAL_FAILURE;
		s->result.local_errno = err;
	} else {
		s->pending =
		    err == ECONNREFUSED ? PROBE_CONNECTION_REFUSED : PROBE_NETWORK_UNREACHABLE;
	}
	event_active(&s->timer, EV_TIMEOUT, 0);
	return 0;
}

/* The plaintext socket's event with epoll: see the top of this file. */
#define PLAIN_EDGE (EV_READ | EV_WRITE | EV_ET | EV_CLOSED | EV_PERSIST)
/* Without edges: the connection (EV_WRITE), then replies. */
#define PLAIN_LEVEL (EV_READ | EV_PERSIST)

/* 1 when the loop's backend has edges and the peer's close (epoll). */
static int
session_edges(const struct session *s)
{
	int want = EV_FEATURE_ET | EV_FEATURE_EARLY_CLOSE;

	return (event_base_get_features(s->base) & want) == want;
}

/* Points the socket's one event at what the session waits for: the
 * connection and replies (PLAIN_EDGE, or EV_WRITE then PLAIN_LEVEL), and
 * room for an unsent tail too. Returns -1 when memory runs out. */
static int
session_watch(struct session *s, short what)
{
	if (s->io == NULL)
		s->io = event_new(s->base, s->fd, what, session_io_cb, s);
	else if (event_del(s->io) != 0 ||
	         event_assign(s->io, s->base, s->fd, what, session_io_cb, s) != 0)
		return -1;
	return s->io != NULL ? event_add(s->io, NULL) : -1;
}

/* Opens a connection: the first, the plaintext one after a failed
 * handshake, or a fresh one when the tests need more RCPTs than one
 * connection may carry. Returns -1 only when memory runs out. */
static int
session_connect(struct session *s)
{
	const struct sockaddr *sa = (const struct sockaddr *)&s->result.target.sa;
	const struct sockaddr_storage *src = NULL;
	socklen_t srclen = 0;

	/* -S: bind before connecting, on the target's family. */
	if (sa->sa_family == AF_INET && s->set->source4_len > 0) {
		src = &s->set->source4;
		srclen = s->set->source4_len;
	} else if (sa->sa_family == AF_INET6 && s->set->source6_len > 0) {
		src = &s->set->source6;
		srclen = s->set->source6_len;
	}
	proto_connection(&s->p);
	s->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return session_connect_failed(s, errno);
	if (src != NULL && bind(s->fd, (const struct sockaddr *)src, srclen) != 0)
		return session_connect_failed(s, errno);
	if (connect(s->fd, sa, (socklen_t)s->result.target.salen) != 0 && errno != EINPROGRESS &&
	    errno != EINTR)
		return session_connect_failed(s, errno);
	if (session_watch(s, session_edges(s) ? PLAIN_EDGE : EV_WRITE) != 0) {
		session_close(s);
		return -1;
	}
	session_arm(s, proto_state_timeout(&s->p, PS_CONNECT));
	return 0;
}

/* Closes the connection, whichever way it is held. */
static void
session_close(struct session *s)
{
	if (s->bev != NULL)
		bufferevent_free(s->bev); /* a TLS filter frees its socket and SSL too */
	s->bev = NULL;
	if (s->io != NULL)
		event_free(s->io);
	s->io = NULL;
	if (s->fd >= 0)
		evutil_closesocket(s->fd);
	s->fd = -1;
	free(s->carry);
	s->carry = NULL;
	s->carry_len = 0;
	free(s->unsent);
	s->unsent = NULL;
	s->unsent_len = 0;
}

/* The QUIT of a connection is done and the dialogue goes on: a fresh connection. */
static void
session_reconnect(struct session *s)
{
	session_close(s);
	if (session_connect(s) != 0)
		session_finish(s, PROBE_CLOSED);
}

void
session_keep_cert(struct session *s, X509 **keep)
{
	s->keep_cert = keep;
}

void
session_abort(struct session *s, enum probe_error e)
{
	session_frame_enter(s);
	session_finish(s, e);
	session_frame_leave(s);
}

/* Every libevent callback runs as one I/O frame: a session finished inside
 * it is freed when the outermost frame leaves, never under a caller. The
 * clock is read once a callback: what it does takes microseconds. */
static void
session_frame_enter(struct session *s)
{
	if (s->depth++ == 0)
		s->now_ms = clock_now_ms();
}

static void
session_free(struct session *s)
{
	probe_dialogue_free(&s->result);
	free(s);
}

static void
session_frame_leave(struct session *s)
{
	if (--s->depth == 0 && (s->flags & SF_DONE))
		session_free(s);
}

/* The TLS facts of the dialogue, allocated when a handshake is first tried
 * (most dialogues never try one); NULL when memory runs out. */
static struct tls_facts *
session_tls_facts(struct session *s)
{
	if (s->result.tls_tried == NULL &&
	    (s->result.tls_tried = calloc(1, sizeof(struct tls_facts))) != NULL)
		s->result.tls_tried->matches = -1;
	return s->result.tls_tried;
}

/* The optional trace (--debug): one line per state change and reply. */
static void
session_trace(const struct session *s, const char *what, int code)
{
	const char *ip;

	if (!s->set->debug)
		return;
	ip = dialogue_text(&s->result, DT_TARGET + TT_IP);
	if (code != 0)
		fprintf(stderr, "smtpprobe: debug: %s port %u: %s: %s %d\n", ip,
		        s->result.target.port, proto_state_names[s->p.state], what, code);
	else
		fprintf(stderr, "smtpprobe: debug: %s port %u: %s: %s\n", ip, s->result.target.port,
		        proto_state_names[s->p.state], what);
}

/* Adds the timer for due_ms; now is clock_now_ms(). */
static void
session_timer_add(struct session *s, long long now)
{
	long long ms = s->due_ms > now ? s->due_ms - now : 0;
	struct timeval tv;

	/* evtimer_add counts from libevent's cached time, taken when this loop
	 * turn began; whatever ran since (other sessions, OpenSSL's first load)
	 * would make the timer fire that much early against our clock. */
	event_base_update_cache_time(s->base);
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(&s->timer, &tv);
	s->armed_ms = s->due_ms;
	s->flags |= SF_TIMER_ARMED;
}

/*
 * Arms the one timer for this phase, never past the dialogue's deadline.
 * Replies nearly always come long before their time is up, and each command
 * moves the time due later: that is only noted, and a timer that fires
 * before the time due waits the rest (session_timer_cb). The timer is
 * added again only when the time due comes sooner than it would fire.
 */
static void
session_arm(struct session *s, int phase_ms)
{
	long long now = s->now_ms;
	long long left = s->deadline_ms - now;

	if (left < 0)
		left = 0;
	if (left <= phase_ms)
		s->flags |= SF_TIMER_IS_DEADLINE;
	else
		s->flags &= ~SF_TIMER_IS_DEADLINE;
	s->due_ms = now + (left <= phase_ms ? left : phase_ms);
	if (!(s->flags & SF_TIMER_ARMED) || s->due_ms < s->armed_ms)
		session_timer_add(s, now);
}

static void
session_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;
	int is_deadline = (s->flags & SF_TIMER_IS_DEADLINE) != 0;
	long long now;

	session_frame_enter(s);
	s->flags &= ~SF_TIMER_ARMED;
	if (s->pending != PROBE_OK) {
		session_finish(s, s->pending);
	} else if ((now = s->now_ms) < s->due_ms) {
		/* Fired for an earlier command: the time due moved on. */
		session_timer_add(s, now);
	} else {
		struct proto_action a;

		session_trace(s, "timer", 0);
		a = proto_timeout(&s->p, is_deadline);
		if (a.act == PA_TLS_FAILED) {
			session_tls_record(s, a.why);
			if (is_deadline) {
				a.act = PA_FINISH;
				a.error = PROBE_SESSION_DEADLINE;
			}
		}
		session_act(s, a);
	}
	session_frame_leave(s);
}

/* Keeps what the socket did not take of a command, after anything kept
 * before, and waits for room. */
static void
session_keep_unsent(struct session *s, const char *buf, size_t len)
{
	size_t have = s->unsent_len;
	char *p = have + len <= SMTP_SESSION_BYTES_MAX ? realloc(s->unsent, have + len) : NULL;

	if (p == NULL) {
		session_finish(s, PROBE_LOCAL_FAILURE);
		return;
	}
	memcpy(p + have, buf, len);
	s->unsent = p;
	s->unsent_len = (unsigned int)(have + len);
	if (have == 0 && session_watch(s, EV_READ | EV_WRITE | EV_PERSIST) != 0)
		session_finish(s, PROBE_LOCAL_FAILURE);
}

/* Sends one command the core wrote (CRLF included). */
static void
session_send(struct session *s, const char *buf, size_t len)
{
	ssize_t n = 0;

	if (s->obs != NULL)
		session_observe(s, OBSERVE_SENT, buf, len >= 2 ? len - 2 : len);
	if (s->bev != NULL) {
		/* TLS: the filter must see every byte. */
		bufferevent_write(s->bev, buf, len);
		return;
	}
	/*
	 * Lock-step means nothing is waiting to go whenever we send, and a
	 * command nearly always fits the socket at once. Whatever it does not
	 * take, or an error, waits for EV_WRITE (session_flush), which reports
	 * the error after the reads, as a bufferevent would.
	 */
	if (s->unsent_len == 0 && (n = send(s->fd, buf, len, MSG_NOSIGNAL)) < 0)
		n = 0;
	if ((size_t)n < len)
		session_keep_unsent(s, buf + n, len - (size_t)n);
}

/* The socket has room: sends what it did not take before. */
static void
session_flush(struct session *s)
{
	ssize_t n = send(s->fd, s->unsent, s->unsent_len, MSG_NOSIGNAL);

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			session_closed(s, errno == ECONNRESET);
		return;
	}
	s->unsent_len -= (unsigned int)n;
	if (s->unsent_len > 0) {
		memmove(s->unsent, s->unsent + n, s->unsent_len);
		return;
	}
	free(s->unsent);
	s->unsent = NULL;
	if (session_watch(s, session_edges(s) ? PLAIN_EDGE : PLAIN_LEVEL) != 0)
		session_finish(s, PROBE_LOCAL_FAILURE);
}

/* Tells the observer, if any (transcripts). */
static void
session_observe(struct session *s, enum observe_kind kind, const char *bytes, size_t len)
{
	if (s->obs != NULL)
		s->set->observer->line(s->obs, kind, bytes, len);
}

static void
session_finish(struct session *s, enum probe_error e)
{
	struct probe_result r; /* the whole record, made now */

	if (s->flags & SF_DONE)
		return;
	s->flags |= SF_DONE;
	session_trace(s, e == PROBE_OK ? "done" : probe_error_name(e), 0);
	if (s->result.nomem)
		e = PROBE_LOCAL_FAILURE; /* a text was lost: no record, probed again */
	s->result.error = e;
	s->result.duration_ms = (unsigned int)(s->now_ms - s->started_ms);
	probe_result_from_dialogue(&r, &s->result);
	verdict_apply(&r);
	fingerprint_apply(&r);
	if (s->obs != NULL)
		s->set->observer->close(s->obs, &r);
	event_del(&s->timer);
	session_close(s);
	s->done(&r, s->arg);
	/* Freed by the frame that called us (session_frame_leave). */
}

static enum probe_error
connect_error(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return PROBE_CONNECTION_REFUSED;
	case ETIMEDOUT:
		return PROBE_CONNECTION_TIMEOUT;
	case ECONNRESET:
		return PROBE_RESET;
	default:
		return PROBE_NETWORK_UNREACHABLE;
	}
}

static void
session_connected(struct session *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const void *addr = NULL;

	memset(&ss, 0, sizeof(ss));
	s->result.connected = 1;
	if (getsockname(s->fd, (struct sockaddr *)&ss, &len) == 0) {
		char source_ip[INET6_ADDRSTRLEN];

		if (ss.ss_family == AF_INET)
			addr = &((struct sockaddr_in *)&ss)->sin_addr;
		else if (ss.ss_family == AF_INET6)
			addr = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		if (addr == NULL ||
		    ip_text(ss.ss_family, addr, source_ip, sizeof(source_ip)) == NULL)
			source_ip[0] = '\0';
		dialogue_set_str(&s->result, DT_SOURCE_IP, source_ip);
	}
	if (s->obs != NULL) {
		const char *ip = dialogue_text(&s->result, DT_SOURCE_IP);
		char note[INET6_ADDRSTRLEN + 32];
		int n = snprintf(note, sizeof(note), "connected from %s", ip[0] ? ip : "?");

		session_observe(s, OBSERVE_NOTE, note, n > 0 ? (size_t)n : 0);
	}
	if ((s->p.flags & PF_IMPLICIT) && !(s->p.flags & PF_NO_TLS))
		session_start_tls(s);
	else if (!session_edges(s) && session_watch(s, PLAIN_LEVEL) != 0)
		session_finish(s, PROBE_LOCAL_FAILURE);
	else
		session_enter(s, PS_GREETING);
}

/*
 * The connection is made, or failed: SO_ERROR says which. An edge that
 * only says "writable" (what) needs no asking: libevent turns an error
 * (EPOLLERR, EPOLLHUP) into EV_READ and EV_WRITE both, and the edge-
 * triggered event watches both; the level-triggered one watches EV_WRITE
 * alone and asks.
 */
static void
session_connect_done(struct session *s, short what)
{
	int err = 0, writable_only = session_edges(s) && !(what & (EV_READ | EV_CLOSED));
	socklen_t len = sizeof(err);

	if (!writable_only && getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0)
		session_finish(s, connect_error(err));
	else
		session_connected(s);
}

/*
 * 1 when the first read is to say whether the connection was made: the
 * edge says readable, so the socket holds the greeting, the peer's close
 * or the connection's error, and recv() returns whichever it is
 * (session_recv). Not for SMTPS, whose first bytes are TLS's.
 */
static int
session_connect_by_read(const struct session *s, short what)
{
	return session_edges(s) && (what & (EV_READ | EV_CLOSED)) &&
	       !((s->p.flags & PF_IMPLICIT) && !(s->p.flags & PF_NO_TLS));
}

/* The handshake is done: record what it negotiated and what it showed. */
static void
session_tls_done(struct session *s)
{
	struct probe_dialogue *r = &s->result;
	struct tls_facts *f = r->tls_tried; /* made in session_start_tls */
	struct proto_action a;

	tls_session_facts(bufferevent_openssl_get_ssl(s->bev),
	                  dialogue_text(r, DT_TARGET + TT_HOSTNAME), f);
	if (s->keep_cert != NULL && *s->keep_cert == NULL && f->have_cert && f->matches < 0)
		*s->keep_cert = SSL_get1_peer_certificate(bufferevent_openssl_get_ssl(s->bev));
	if (f->have_cert && f->self_signed)
		r->flags |= FLAG_SELF_SIGNED;
	a = proto_tls_done(&s->p);
	if (s->obs != NULL) {
		/* Audit reports: the transcript marks the upgrade. */
		char note[96];
		int n =
		    snprintf(note, sizeof(note), "TLS started: %.20s %.60s", f->version, f->cipher);

		session_observe(s, OBSERVE_NOTE, note, n > 0 ? (size_t)n : 0);
	}
	session_act(s, a);
}

/* A handshake failed or stalled: the facts for the report. */
static void
session_tls_record(struct session *s, const char *why)
{
	struct probe_dialogue *r = &s->result;
	struct tls_facts *f = session_tls_facts(s);

	r->flags |= FLAG_TLS_FAILED;
	r->tls_use = TLS_FAILED;
	if (f != NULL)
		snprintf(f->error, sizeof(f->error), "%s", why);
	if (s->obs != NULL) {
		char note[TLS_REASON_MAX + 16];
		int n = snprintf(note, sizeof(note), "TLS failed: %s", why);

		session_observe(s, OBSERVE_NOTE, note,
		                n < 0                      ? 0
		                : (size_t)n < sizeof(note) ? (size_t)n
		                                           : sizeof(note) - 1);
	}
}

/*
 * The handshake failed (or stalled): record why, then finish the relay tests
 * over a fresh plaintext connection within the same deadline. SMTPS has no
 * plaintext to fall back to.
 */
static void
session_tls_failed(struct session *s, const char *why)
{
	session_tls_record(s, why);
	if (s->p.flags & PF_IMPLICIT) {
		session_finish(s, PROBE_TLS_FAILED);
		return;
	}
	event_del(&s->timer);
	s->flags &= ~SF_TIMER_ARMED;
	session_close(s);
	s->bytes_in = 0;
	proto_tls_restart(&s->p);
	if (session_connect(s) < 0)
		session_finish(s, PROBE_TLS_FAILED);
}

/* Hands the plaintext socket to a socket bufferevent, for a TLS filter to
 * wrap, with anything not sent yet. Nothing read is left: a whole reply
 * was just read, and what followed it ended the dialogue (lock-step).
 * Returns -1 when memory runs out. */
static int
session_socket_bev(struct session *s)
{
	struct bufferevent *bev = bufferevent_socket_new(s->base, s->fd, BEV_OPT_CLOSE_ON_FREE);

	if (bev == NULL ||
	    (s->unsent_len > 0 && bufferevent_write(bev, s->unsent, s->unsent_len) != 0)) {
		if (bev != NULL) {
			bufferevent_setfd(bev,
			                  -1); /* the socket stays ours, closed by session_close */
			bufferevent_free(bev);
		}
		return -1;
	}
	event_free(s->io);
	s->io = NULL;
	s->fd = -1;
	free(s->unsent);
	s->unsent = NULL;
	s->unsent_len = 0;
	s->bev = bev;
	/* Stop reading a little past the longest line we accept: a server that
	 * never ends its line cannot make us buffer more than that. */
	bufferevent_setwatermark(bev, EV_READ, 0, SMTP_LINE_MAX + 2);
	bufferevent_enable(bev, EV_READ);
	return 0;
}

/* Wraps the connection in TLS: the filter owns the socket bufferevent and
 * the SSL from now on. */
static void
session_start_tls(struct session *s)
{
	char why[TLS_REASON_MAX];
	SSL_CTX *ctx = tls_client_ctx_get(s->set->tls, why, sizeof(why));
	SSL *ssl = ctx != NULL && session_tls_facts(s) != NULL
	               ? tls_client_new(ctx, dialogue_text(&s->result, DT_TARGET + TT_HOSTNAME))
	               : NULL;
	struct bufferevent *filter;

	if (ssl == NULL) {
		session_tls_failed(s, ctx != NULL ? "out of memory" : why);
		return;
	}
	if (session_socket_bev(s) != 0) {
		SSL_free(ssl);
		session_tls_record(s, "out of memory");
		session_finish(s, PROBE_TLS_FAILED);
		return;
	}
	filter = bufferevent_openssl_filter_new(s->base, s->bev, ssl, BUFFEREVENT_SSL_CONNECTING,
	                                        BEV_OPT_CLOSE_ON_FREE);
	if (filter == NULL) {
		/* libevent 2.1 fails a filter only before it takes ownership
		 * (out of memory): the SSL and the socket are still ours. */
		SSL_free(ssl);
		session_tls_record(s, "out of memory");
		session_finish(s, PROBE_TLS_FAILED);
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(filter, 1);
	s->bev = filter;
	bufferevent_setcb(filter, session_read_cb, NULL, session_event_cb, s);
	bufferevent_setwatermark(filter, EV_READ, 0, SMTP_LINE_MAX + 2);
	bufferevent_enable(filter, EV_READ);
	session_enter(s, PS_HANDSHAKE);
}

/* Why a handshake failed, from what libevent kept of OpenSSL's errors. It
 * hands them back newest first, the oldest (the cause) last, mixed with
 * SSL_get_error() codes, which name no library and are skipped. */
static void
handshake_reason(struct bufferevent *bev, short what, int err, char *buf, size_t size)
{
	unsigned long code, first = 0;

	while ((code = bufferevent_get_openssl_error(bev)) != 0)
		if (ERR_GET_LIB(code) != 0)
			first = code;
	ERR_clear_error();
	if (first != 0)
		tls_error_reason(first, buf, size);
	else if ((what & BEV_EVENT_ERROR) && err != 0)
		snprintf(buf, size, "%s", strerror(err));
	else
		snprintf(buf, size, "connection closed during the handshake");
}

static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct session *s = arg;
	int err = EVUTIL_SOCKET_ERROR();

	session_frame_enter(s);
	session_event(s, bev, what, err);
	session_frame_leave(s);
}

/* What an event of the TLS filter means, by state. */
static void
session_event(struct session *s, struct bufferevent *bev, short what, int err)
{
	if (what & BEV_EVENT_CONNECTED) {
		if (s->p.state == PS_HANDSHAKE)
			session_tls_done(s);
		return;
	}
	if (s->p.state == PS_HANDSHAKE) {
		char why[TLS_REASON_MAX];

		handshake_reason(bev, what, err, why, sizeof(why));
		session_tls_failed(s, why);
		return;
	}
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		/* The TLS filter reports the peer's close before the last
		 * bytes it decrypted (a 221, a 421): read them first. */
		session_read(s, bev);
		if ((s->flags & SF_DONE) || s->bev != bev)
			return; /* ended, or a fresh connection after QUIT */
	}
	session_closed(s, (what & BEV_EVENT_ERROR) && err == ECONNRESET);
}

/* The peer closed the connection (reset: with a reset), or writing to it
 * failed. */
static void
session_closed(struct session *s, int reset)
{
	if (s->p.state == PS_QUIT) {
		/* Closing after QUIT is what a server should do. */
		session_act(s, proto_quit_done(&s->p));
		return;
	}
	session_finish(s, reset ? PROBE_RESET : PROBE_CLOSED);
}

/* Carries out the core's action. */
static void
session_act(struct session *s, struct proto_action a)
{
	switch (a.act) {
	case PA_NONE:
		break;
	case PA_ENTER:
		session_enter(s, a.next);
		break;
	case PA_START_TLS:
		session_start_tls(s);
		break;
	case PA_RECONNECT:
		session_reconnect(s);
		break;
	case PA_TLS_FAILED:
		session_tls_failed(s, a.why);
		break;
	case PA_FINISH:
		session_finish(s, a.error);
		break;
	}
}

/* Enters a state: sends what the core says, arms the state's timer. */
static void
session_enter(struct session *s, enum proto_state st)
{
	char buf[SMTP_CMD_MAX];
	size_t len = proto_enter(&s->p, st, buf, sizeof(buf));
	int ms = proto_state_timeout(&s->p, st);

	session_trace(s, "enter", 0);
	smtp_reply_init(&s->reply);
	if (len > 0)
		session_send(s, buf, len);
	if (ms >= 0 && !(s->flags & SF_DONE))
		session_arm(s, ms);
}

/*
 * A line that ended the dialogue is the evidence: it becomes last_reply (the
 * last line the server sent), and the banner too when nothing else was
 * received yet.
 */
static void
session_keep_bad_line(struct session *s, const char *line, size_t len)
{
	char quoted[SMTP_TEXT_MAX];

	smtp_reply_quote(line, len, quoted, sizeof(quoted));
	dialogue_set_str(&s->result, DT_LAST_REPLY, quoted);
	if (s->p.state == PS_GREETING && s->reply.nlines == 0 && s->result.greeting_code == 0)
		dialogue_set_str(&s->result, DT_BANNER, quoted);
}

/*
 * Feeds one whole line (NUL-terminated, line end removed) to the reply
 * parser. REPLY_MORE: read the next line; REPLY_DONE: the reply is whole,
 * for session_replied; REPLY_ERROR: the session has acted on a bad line.
 */
static enum reply_status
session_line(struct session *s, const char *line, size_t len)
{
	enum reply_status st;

	session_observe(s, OBSERVE_RECEIVED, line, len);
	st = smtp_reply_feed(&s->reply, line, len);
	if (st == REPLY_ERROR) {
		session_keep_bad_line(s, line, len);
		session_act(s, proto_bad_reply(s->reply.fault));
		return st;
	}
	proto_line(&s->p, &s->reply, line, len);
	if (st == REPLY_DONE)
		session_trace(s, "reply", s->reply.code);
	return st;
}

/*
 * A whole reply. more: input follows it, and rest (restlen bytes, when
 * known) is where it starts. Lock-step: nothing may follow a reply before
 * our next command, but after QUIT's the connection ends anyway.
 */
static void
session_replied(struct session *s, int more, const char *rest, size_t restlen)
{
	struct proto_action a;
	size_t len, eol_len;

	if (!more || s->p.state == PS_QUIT) {
		session_act(s, proto_reply(&s->p, &s->reply, s->deadline_ms - s->now_ms));
		return;
	}
	a = proto_unsolicited(&s->p, &s->reply);
	/* The first unsolicited line is the evidence. */
	if (rest != NULL) {
		char quoted[SMTP_TEXT_MAX];

		if (restlen > SMTP_LINE_MAX + 2)
			restlen = SMTP_LINE_MAX + 2;
		if (smtp_line_cut(rest, restlen, &len, &eol_len) != LINE_OK)
			len = restlen;
		smtp_reply_quote(rest, len, quoted, sizeof(quoted));
		dialogue_set_str(&s->result, DT_LAST_REPLY, quoted);
	}
	session_act(s, a);
}

/*
 * The cutter's verdict on the input's next line, when it is not a whole
 * one. Returns 1 when the session ended.
 */
static int
session_cut_failed(struct session *s, enum line_status ls, const char *head, size_t avail)
{
	if (ls != LINE_TOO_LONG)
		return 0;
	session_keep_bad_line(s, head, avail < SMTP_TEXT_MAX ? avail : SMTP_TEXT_MAX);
	session_finish(s, PROBE_LINE_TOO_LONG);
	return 1;
}

/*
 * Takes one whole line off the TLS filter's input and feeds it to the
 * reply parser. Returns 0 to read the next line, 1 to stop reading for
 * now: the line is not complete yet, or a reply was complete (the session
 * has sent its next command or finished).
 *
 * Draining below the read high-watermark resumes reading, and libevent's
 * TLS filter then reads at once, inside evbuffer_drain: the peer's close can
 * be reported and the session finished before the drain returns (found by
 * the interop suite against a real Postfix over TLS, under ASan). The frame
 * keeps s alive; SF_DONE says so.
 */
static int
session_read_line(struct session *s, struct evbuffer *in)
{
	char line[SMTP_LINE_MAX + 1];
	size_t avail = evbuffer_get_length(in), want, len, eol_len;
	const char *head;
	enum line_status ls;

	/* The cutter needs at most a line and its line end in one piece. */
	want = avail < SMTP_LINE_MAX + 2 ? avail : SMTP_LINE_MAX + 2;
	head = (const char *)evbuffer_pullup(in, (ev_ssize_t)want);
	if (head == NULL) {
		session_finish(s, PROBE_TOO_MUCH_DATA);
		return 1;
	}
	ls = smtp_line_cut(head, want, &len, &eol_len);
	if (ls != LINE_OK) {
		session_cut_failed(s, ls, head, want);
		return 1; /* too long, or wait for the rest of the line */
	}
	s->bytes_in += len + eol_len;
	if (s->bytes_in > SMTP_SESSION_BYTES_MAX) {
		session_finish(s, PROBE_TOO_MUCH_DATA);
		return 1;
	}
	memcpy(line, head, len);
	line[len] = '\0';
	evbuffer_drain(in, len + eol_len);
	if (s->flags & SF_DONE)
		return 1;
	switch (session_line(s, line, len)) {
	case REPLY_MORE:
		return 0;
	case REPLY_ERROR:
		return 1;
	case REPLY_DONE:
		break;
	}
	avail = evbuffer_get_length(in);
	want = avail < SMTP_LINE_MAX + 2 ? avail : SMTP_LINE_MAX + 2;
	head = avail > 0 ? (const char *)evbuffer_pullup(in, (ev_ssize_t)want) : NULL;
	session_replied(s, avail > 0, head, want);
	return 1;
}

static void
session_read_cb(struct bufferevent *bev, void *arg)
{
	struct session *s = arg;

	session_frame_enter(s);
	session_read(s, bev);
	session_frame_leave(s);
}

/* The TLS filter's input. */
static void
session_read(struct session *s, struct bufferevent *bev)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	if (s->p.state == PS_HANDSHAKE) {
		/* libevent may deliver the first bytes over TLS before the
		 * CONNECTED event: the handshake is done. */
		session_tls_done(s);
		if (s->p.state != PS_GREETING) {
			/* Nothing is due before our EHLO over TLS. */
			s->result.flags |= FLAG_UNSOLICITED;
			session_finish(s, PROBE_PROTOCOL_ERROR);
			return;
		}
	}
	/* One complete reply per call at most: after it the session has sent
	 * its next command (or ended), and lock-step says nothing else is due. */
	while (!(s->flags & SF_DONE) && evbuffer_get_length(in) > 0)
		if (session_read_line(s, in) != 0)
			return;
}

/*
 * Cuts plaintext input into lines for the reply parser: one complete reply
 * at most, as session_read does; a line the read cut is carried to the
 * next read.
 */
static void
session_input(struct session *s, char *buf, size_t avail)
{
	size_t off = 0, len, eol_len;
	enum reply_status st = REPLY_MORE;

	while (st == REPLY_MORE) {
		enum line_status ls = smtp_line_cut(buf + off, avail - off, &len, &eol_len);
		if (ls != LINE_OK) {
			if (session_cut_failed(s, ls, buf + off, avail - off) || off == avail)
				return;
			/* A line begun: less than SMTP_LINE_MAX + 2 bytes. */
			if ((s->carry = malloc(avail - off)) == NULL) {
				session_finish(s, PROBE_LOCAL_FAILURE);
				return;
			}
			memcpy(s->carry, buf + off, avail - off);
			s->carry_len = (unsigned short)(avail - off);
			return;
		}
		s->bytes_in += len + eol_len;
		if (s->bytes_in > SMTP_SESSION_BYTES_MAX) {
			session_finish(s, PROBE_TOO_MUCH_DATA);
			return;
		}
		buf[off + len] = '\0';
		st = session_line(s, buf + off, len);
		off += len + eol_len;
	}
	if (st == REPLY_DONE)
		session_replied(s, off < avail, buf + off, avail - off);
}

/* A carried line is shorter than SMTP_LINE_MAX + 2 bytes: a read always
 * has room after it (a recv of 0 bytes would look like the peer's close). */
_Static_assert(SMTP_READ_MAX > SMTP_LINE_MAX + 2, "no room to read after a carried line");

/* 1 while the plaintext socket is this session's to read. */
static int
session_reading(const struct session *s)
{
	return !(s->flags & SF_DONE) && s->bev == NULL && s->fd >= 0;
}

/* What one read of the plaintext socket found. */
enum recv_status {
	RECV_FULL, /* the buffer filled: more may wait */
	RECV_SOME, /* less: the socket held no more just then */
	RECV_END,  /* nothing now (EAGAIN), or the end, which was handled */
};

/* Reads the plaintext socket once: replies, or its end. */
static enum recv_status
session_recv(struct session *s)
{
	char buf[SMTP_READ_MAX];
	size_t have = s->carry_len, room = sizeof(buf) - have;
	ssize_t n;

	if (have > 0)
		memcpy(buf, s->carry, have);
	n = recv(s->fd, buf + have, room, 0);
	if (n < 0 && s->p.state == PS_CONNECT) {
		/* The first read (session_connect_by_read): the connection's
		 * error; nothing to read yet leaves SO_ERROR to say. */
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			session_connect_done(s, EV_READ);
		else
			session_finish(s, connect_error(errno));
		return RECV_END;
	}
	if (n < 0) {
		if (errno == EINTR)
			return RECV_FULL;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			session_closed(s, errno == ECONNRESET);
		return RECV_END;
	}
	if (s->p.state == PS_CONNECT) {
		session_connected(s); /* the greeting, or the close, is here */
		if (!session_reading(s))
			return RECV_END;
	}
	if (n == 0) {
		/* A line begun and never ended is no reply. */
		session_closed(s, 0);
		return RECV_END;
	}
	free(s->carry);
	s->carry = NULL;
	s->carry_len = 0;
	session_input(s, buf, have + (size_t)n);
	return (size_t)n == room ? RECV_FULL : RECV_SOME;
}

/* Reads what the socket holds: again after a read that filled the buffer,
 * and to the end when the peer closed (closed), since an edge-triggered
 * event tells neither twice. SMTP_SESSION_BYTES_MAX bounds the loop. */
static void
session_drain(struct session *s, int closed)
{
	enum recv_status st;

	do
		st = session_recv(s);
	while (session_reading(s) && (st == RECV_FULL || (closed && st == RECV_SOME)));
}

static void
session_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;

	(void)fd;
	session_frame_enter(s);
	/* The first edge may bring the greeting, or the close, with the
	 * connection: read on at once. */
	if (s->p.state == PS_CONNECT && !session_connect_by_read(s, what))
		session_connect_done(s, what);
	if ((what & (EV_READ | EV_CLOSED)) && session_reading(s))
		session_drain(s, (what & EV_CLOSED) != 0);
	/* Reads first, as a bufferevent does: a reply or the peer's close
	 * says more than a failed write. A fresh connection has nothing
	 * unsent. */
	if ((what & EV_WRITE) && session_reading(s) && s->unsent_len > 0)
		session_flush(s);
	session_frame_leave(s);
}
