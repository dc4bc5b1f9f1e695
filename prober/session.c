/*
 * session.c: the SMTP dialogue as an explicit state machine, in the shape
 * of OpenSMTPD's smtp_client.c: one function that says what to send on
 * entering a state (session_enter), one that reads the reply in a state
 * (session_reply), one for I/O events (session_event_cb), and one exit
 * (session_finish) that every ending goes through.
 *
 * Safety lives in session_send: the only commands it can write are the
 * seven of enum smtp_cmd. Nothing in this file can produce DATA, BDAT, VRFY,
 * EXPN, ETRN or AUTH, whatever the server says.
 *
 * TLS stays on the same loop: after the 220 to STARTTLS (or at
 * connect for SMTPS) the socket bufferevent is wrapped in a
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
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "prober/fingerprint.h"
#include "record/relay.h"
#include "prober/reply.h"
#include "prober/tls.h"
#include "prober/verdict.h"

enum session_state {
	S_CONNECT,
	S_GREETING,
	S_EHLO,
	S_HELO,
	S_MAIL,
	S_RCPT,
	S_RSET,
	S_QUIT,
	S_STARTTLS,   /* STARTTLS sent, waiting for its 220 */
	S_HANDSHAKE,  /* the TLS handshake runs */
	S_RETRY_WAIT, /* idle until --retry-after has passed, then the same test again */
};

/* The whole vocabulary of the prober. */
enum smtp_cmd {
	CMD_EHLO,
	CMD_HELO,
	CMD_MAIL,
	CMD_RCPT,
	CMD_RSET,
	CMD_QUIT,
	CMD_STARTTLS,
};

/* Each command is head + argument + tail + CRLF. */
static const struct {
	const char *head;
	const char *tail;
} cmd_syntax[] = {
    [CMD_EHLO] = {"EHLO ", ""},        [CMD_HELO] = {"HELO ", ""},
    [CMD_MAIL] = {"MAIL FROM:<", ">"}, [CMD_RCPT] = {"RCPT TO:<", ">"},
    [CMD_RSET] = {"RSET", ""},         [CMD_QUIT] = {"QUIT", ""},
    [CMD_STARTTLS] = {"STARTTLS", ""},
};

struct session {
	struct event_base *base;
	struct bufferevent *bev;
	struct event *timer;
	const struct probe_settings *set; /* the engine's, which outlives every session */
	enum session_state state;
	struct smtp_reply reply;
	size_t test;       /* the relay test in progress */
	size_t rcpts;      /* RCPT commands sent on this connection */
	int retry_pending; /* the current test is to be run again after a wait */
	int reconnect;     /* after QUIT, a fresh connection for the rest of the tests */
	int ehlo_noted;    /* the EHLO reply on record; a fresh connection's is not kept */
	size_t bytes_in;
	long long started_ms;  /* monotonic */
	long long deadline_ms; /* monotonic */
	int timer_is_deadline;
	enum probe_error pending; /* a failure to report from the loop */
	int implicit;             /* SMTPS: the handshake comes before the greeting */
	int tls_on;               /* the channel is TLS now */
	int no_tls;               /* a handshake failed: this connection stays plaintext */
	int want_tls;             /* a 530 asked for STARTTLS: upgrade once RSET is answered */
	int *gone;                /* set to 1 by session_finish, for a caller that must know */
	session_done_cb done;
	void *arg;
	void *obs; /* the observer's handle (transcripts), or NULL */
	/* Last, so session_start zeroes the fields above and lets
	 * probe_result_init do this large one: memset was the top cost. */
	struct probe_result result;
};

/*
 * Every open dialogue holds one session, so its size is most of the prober's
 * memory at high concurrency (the goal: under 20 MB at concurrency
 * 1000; bench/RESULTS.md). A field that would grow it past this budget
 * belongs outside the session, or wants the budget and the bench run again.
 */
#define SESSION_BYTES_BUDGET (13 * 1024)
_Static_assert(sizeof(struct session) <= SESSION_BYTES_BUDGET,
               "a session outgrew its memory budget (see bench/RESULTS.md)");

static void session_enter(struct session *, enum session_state);
static void session_finish(struct session *, enum probe_error);
static void session_next_test(struct session *);
static void session_arm(struct session *, int);
static void session_read_cb(struct bufferevent *, void *);
static void session_event_cb(struct bufferevent *, short, void *);
static void session_timer_cb(evutil_socket_t, short, void *);
static void session_observe(struct session *, enum observe_kind, const char *, size_t);
static int session_connect(struct session *);
static void session_quit_done(struct session *);
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
	s->base = base;
	s->set = set;
	s->done = done;
	s->arg = arg;
	probe_result_init(&s->result, t);
	gettimeofday(&s->result.started, NULL);
	/* The plan is made again once the greeting names the server. */
	relay_plan(&s->result, s->set, "");
	s->started_ms = clock_now_ms();
	s->deadline_ms = s->started_ms + s->set->deadline_ms;
	if (s->set->observer != NULL)
		s->obs = s->set->observer->open(s->set->observer->arg, t);

	s->implicit = s->set->tls != NULL &&
	              (s->set->smtps == SMTPS_ALWAYS ||
	               (s->set->smtps == SMTPS_PORT && t->port == SMTPS_WELL_KNOWN_PORT));

	s->timer = evtimer_new(base, session_timer_cb, s);
	if (s->timer == NULL || session_connect(s) < 0) {
		if (s->timer)
			event_free(s->timer);
		/* Out of memory: the engine starts the target again later. */
		s->result.error = PROBE_LOCAL_FAILURE;
		if (s->obs != NULL)
			s->set->observer->close(s->obs, &s->result);
		free(s);
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

/* Opens a connection: the first, the plaintext one after a failed
 * handshake, or a fresh one when the tests need more RCPTs than one
 * connection may carry. Returns -1 only when memory runs out. */
static int
session_connect(struct session *s)
{
	s->bev = bufferevent_socket_new(s->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (s->bev == NULL)
		return -1;
	bufferevent_setcb(s->bev, session_read_cb, NULL, session_event_cb, s);
	/* Stop reading a little past the longest line we accept: a server that
	 * never ends its line cannot make us buffer more than that. */
	bufferevent_setwatermark(s->bev, EV_READ, 0, SMTP_LINE_MAX + 2);
	s->state = S_CONNECT;
	s->rcpts = 0;
	s->result.connections++;
	if (bufferevent_socket_connect(s->bev, (struct sockaddr *)&s->result.target.sa,
	                               (int)s->result.target.salen) < 0) {
		int err = errno;

		/* Report from the loop, so the owner is never re-entered. */
		if (local_failure(err)) {
			s->pending = PROBE_LOCAL_FAILURE;
			s->result.local_errno = err;
		} else {
			s->pending = err == ECONNREFUSED ? PROBE_CONNECTION_REFUSED
			                                 : PROBE_NETWORK_UNREACHABLE;
		}
		event_active(s->timer, EV_TIMEOUT, 0);
		return 0;
	}
	session_arm(s, s->set->connect_timeout_ms);
	return 0;
}

/* The QUIT of a connection is done: end, or go on with a fresh connection. */
static void
session_quit_done(struct session *s)
{
	if (!s->reconnect) {
		session_finish(s, PROBE_OK);
		return;
	}
	s->reconnect = 0;
	s->tls_on = 0; /* a fresh connection starts in plaintext */
	s->want_tls = 0;
	bufferevent_free(s->bev);
	s->bev = NULL;
	if (session_connect(s) != 0)
		session_finish(s, PROBE_CLOSED);
}

void
session_abort(struct session *s, enum probe_error e)
{
	session_finish(s, e);
}

/* Arms the one timer for this phase, never past the dialogue's deadline. */
static void
session_arm(struct session *s, int phase_ms)
{
	long long left = s->deadline_ms - clock_now_ms();
	struct timeval tv;
	long long ms;

	if (left < 0)
		left = 0;
	s->timer_is_deadline = left <= phase_ms;
	ms = s->timer_is_deadline ? left : phase_ms;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(s->timer, &tv);
}

static void
session_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;

	if (s->pending != PROBE_OK) {
		session_finish(s, s->pending);
		return;
	}
	if (s->state == S_QUIT && !s->reconnect) {
		/* Everything was said; a server that ignores QUIT changes nothing. */
		session_finish(s, PROBE_OK);
		return;
	}
	if (s->state == S_HANDSHAKE) {
		/* A stalled handshake is a failed one; the deadline still rules. */
		session_tls_record(s, "handshake timed out");
		if (s->timer_is_deadline)
			session_finish(s, PROBE_SESSION_DEADLINE);
		else
			session_tls_failed(s, "handshake timed out");
		return;
	}
	if (s->timer_is_deadline) {
		session_finish(s, PROBE_SESSION_DEADLINE);
		return;
	}
	if (s->state == S_QUIT) {
		session_quit_done(s);
		return;
	}
	if (s->state == S_RETRY_WAIT) {
		s->retry_pending = 0;
		session_next_test(s);
		return;
	}
	switch (s->state) {
	case S_CONNECT:
		session_finish(s, PROBE_CONNECTION_TIMEOUT);
		break;
	case S_GREETING:
		session_finish(s, PROBE_GREETING_TIMEOUT);
		break;
	default:
		session_finish(s, PROBE_IO_TIMEOUT);
		break;
	}
}

static void
session_send(struct session *s, enum smtp_cmd cmd, const char *arg)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	char buf[SMTP_CMD_MAX];
	struct strbuf sb;
	ssize_t n = 0;

	if (cmd == CMD_RCPT)
		s->rcpts++;
	sb_init(&sb, buf, sizeof(buf));
	sb_puts(&sb, cmd_syntax[cmd].head);
	if (arg != NULL)
		sb_puts(&sb, arg);
	sb_puts(&sb, cmd_syntax[cmd].tail);
	sb_append(&sb, "\r\n", 2);
	/*
	 * Lock-step means our output is empty whenever we send, and a command
	 * nearly always fits the socket at once. Writing it here spares libevent
	 * turning write interest on and off again (two epoll_ctl calls per
	 * command, the largest cost after the reads); whatever the socket does
	 * not take, or an error, goes the bufferevent's way. Only on a plain
	 * socket: a filter (TLS) must see every byte.
	 */
	if (evbuffer_get_length(out) == 0 && bufferevent_get_underlying(s->bev) == NULL) {
		n = send(bufferevent_getfd(s->bev), buf, sb.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			n = 0;
	}
	if ((size_t)n < sb.len)
		evbuffer_add(out, buf + n, sb.len - (size_t)n);
	if (s->obs != NULL)
		session_observe(s, OBSERVE_SENT, buf, sb.len >= 2 ? sb.len - 2 : sb.len);
}

/* Tells the observer, if any (transcripts). */
static void
session_observe(struct session *s, enum observe_kind kind, const char *bytes, size_t len)
{
	/* s->set is never NULL; clang's analyzer forgets so after a call that
	 * takes &s->reply (smtp_reply_init, in another file). */
	if (s->obs != NULL)
		// NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
		s->set->observer->line(s->obs, kind, bytes, len);
}

static void
session_finish(struct session *s, enum probe_error e)
{
	struct probe_result *r = &s->result;

	r->error = e;
	r->duration_ms = (unsigned int)(clock_now_ms() - s->started_ms);
	verdict_apply(r);
	fingerprint_apply(r);
	if (s->obs != NULL)
		s->set->observer->close(s->obs, r);
	event_free(s->timer);
	if (s->bev != NULL)
		bufferevent_free(s->bev); /* a TLS filter frees its socket and SSL too */
	if (s->gone != NULL)
		*s->gone = 1;
	s->done(r, s->arg);
	free(s);
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
	if (getsockname(bufferevent_getfd(s->bev), (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			addr = &((struct sockaddr_in *)&ss)->sin_addr;
		else if (ss.ss_family == AF_INET6)
			addr = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		if (addr == NULL || inet_ntop(ss.ss_family, addr, s->result.source_ip,
		                              sizeof(s->result.source_ip)) == NULL)
			s->result.source_ip[0] = '\0';
	}
	if (s->obs != NULL) {
		char note[INET6_ADDRSTRLEN + 32];
		int n = snprintf(note, sizeof(note), "connected from %s",
		                 s->result.source_ip[0] ? s->result.source_ip : "?");

		session_observe(s, OBSERVE_NOTE, note, n > 0 ? (size_t)n : 0);
	}
	bufferevent_enable(s->bev, EV_READ);
	if (s->implicit && !s->no_tls)
		session_start_tls(s);
	else
		session_enter(s, S_GREETING);
}

/* The handshake is done: record what it negotiated and what it showed. */
static void
session_tls_done(struct session *s)
{
	struct probe_result *r = &s->result;

	tls_session_facts(bufferevent_openssl_get_ssl(s->bev), r->target.hostname, &r->tls);
	if (r->tls.have_cert && r->tls.self_signed)
		r->flags |= FLAG_SELF_SIGNED;
	r->tls.use = s->implicit ? TLS_IMPLICIT : TLS_USED;
	s->tls_on = 1;
	if (s->obs != NULL) {
		/* Audit reports: the transcript marks the upgrade. */
		char note[96];
		int n = snprintf(note, sizeof(note), "TLS started: %.20s %.60s", r->tls.version,
		                 r->tls.cipher);

		session_observe(s, OBSERVE_NOTE, note, n > 0 ? (size_t)n : 0);
	}
	if (s->implicit) {
		session_enter(s, S_GREETING);
		return;
	}
	/* RFC 3207 4.2: what the server said in plaintext no longer holds. */
	r->extensions[0] = '\0';
	r->ehlo_name[0] = '\0';
	s->ehlo_noted = 0;
	session_enter(s, S_EHLO);
}

/* A handshake failed or stalled: the facts for the report. */
static void
session_tls_record(struct session *s, const char *why)
{
	struct probe_result *r = &s->result;

	r->flags |= FLAG_TLS_FAILED;
	r->tls.use = TLS_FAILED;
	snprintf(r->tls.error, sizeof(r->tls.error), "%s", why);
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
	struct probe_result *r = &s->result;
	size_t i;

	session_tls_record(s, why);
	if (s->implicit) {
		session_finish(s, PROBE_TLS_FAILED);
		return;
	}
	event_del(s->timer);
	bufferevent_free(s->bev);
	s->bev = NULL;
	s->no_tls = 1;
	s->tls_on = 0;
	s->want_tls = 0;
	s->test = 0;
	s->rcpts = 0;
	s->bytes_in = 0;
	s->retry_pending = 0;
	s->reconnect = 0;
	s->ehlo_noted = 0;
	for (i = 0; i < r->ntests; i++) {
		r->tests[i].mail_code = 0;
		r->tests[i].rcpt_code = 0;
		r->tests[i].reply[0] = '\0';
		r->tests[i].retried = 0;
	}
	r->greeting_code = 0;
	r->banner[0] = r->ehlo_name[0] = r->extensions[0] = r->last_reply[0] = '\0';
	if (session_connect(s) < 0)
		session_finish(s, PROBE_TLS_FAILED);
}

/* Wraps the connection in TLS: the filter owns the socket bufferevent and
 * the SSL from now on. */
static void
session_start_tls(struct session *s)
{
	char why[TLS_REASON_MAX];
	SSL_CTX *ctx = tls_client_ctx_get(s->set->tls, why, sizeof(why));
	SSL *ssl = ctx != NULL ? tls_client_new(ctx, s->result.target.hostname) : NULL;
	struct bufferevent *filter;

	/* The run's first TLS session made the context just now, loading
	 * OpenSSL: libevent's cached time is behind by that long, and a timer
	 * armed from it would fire early. */
	event_base_update_cache_time(s->base);
	if (ssl == NULL) {
		session_tls_failed(s, ctx != NULL ? "out of memory" : why);
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
	session_enter(s, S_HANDSHAKE);
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

/* 1 when this connection may still upgrade with STARTTLS. */
static int
session_may_starttls(const struct session *s)
{
	return s->set->tls != NULL && !s->tls_on && !s->no_tls && !s->implicit &&
	       s->set->starttls != STARTTLS_NEVER;
}

static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct session *s = arg;
	int err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		if (s->state == S_HANDSHAKE)
			session_tls_done(s);
		else
			session_connected(s);
		return;
	}
	if (s->state == S_HANDSHAKE) {
		char why[TLS_REASON_MAX];

		handshake_reason(bev, what, err, why, sizeof(why));
		session_tls_failed(s, why);
		return;
	}
	if (s->state == S_CONNECT) {
		session_finish(s, connect_error(err));
		return;
	}
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		/* The TLS filter reports the peer's close before the last
		 * bytes it decrypted (a 221, a 421): read them first. */
		int gone = 0;

		s->gone = &gone;
		session_read_cb(bev, s);
		/* session_finish sets it through s->gone. */
		// cppcheck-suppress knownConditionTrueFalse
		if (gone)
			return;
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): not freed, `gone` says so */
		s->gone = NULL;
		if (s->bev != bev)
			return; /* a 220 to STARTTLS: the new filter reports its own end */
	}
	if (s->state == S_QUIT) {
		/* Closing after QUIT is what a server should do. */
		session_quit_done(s);
		return;
	}
	if ((what & BEV_EVENT_ERROR) && err == ECONNRESET)
		session_finish(s, PROBE_RESET);
	else
		session_finish(s, PROBE_CLOSED);
}

/* Reads the name a server gives itself (greeting, EHLO) into name and flags
 * the telling ones. */
static void
session_note_name(struct session *s, const char *line, size_t len, char *name, size_t size)
{
	smtp_reply_domain(line, len, name, size);
	if (name[0] == '\0')
		return;
	if (strcasecmp(name, "localhost") == 0 || strncasecmp(name, "localhost.", 10) == 0)
		s->result.flags |= FLAG_LOCALHOST_NAME;
	else if (strchr(name, '.') == NULL && name[0] != '[')
		s->result.flags |= FLAG_NO_FQDN;
}

/* Keeps the first reply of its kind for the fingerprint. */
static void
session_note_reply(struct session *s, char *dst, size_t size)
{
	if (dst[0] == '\0')
		smtp_reply_first_line(&s->reply, dst, size);
}

/*
 * A 4xx (greylisting) is retried once after --retry-after, when asked and
 * when the deadline leaves room for the wait and a reply: never a tight
 * loop. A deferred relay denial is not: it says no again (verdict.h).
 * Returns 1 when the test t is to run again (its first codes saved).
 */
static int
session_want_retry(struct session *s, struct relay_result *t)
{
	int code = t->rcpt_code ? t->rcpt_code : t->mail_code;

	if (code / 100 != 4 || code == 421 || s->set->retry_after_ms <= 0 || t->retried ||
	    (t->rcpt_code != 0 && verdict_is_relay_deferred(code, t->reply)) ||
	    s->deadline_ms - clock_now_ms() <=
	        (long long)s->set->retry_after_ms + s->set->timeout_ms)
		return 0;
	t->retried = 1;
	t->first_mail_code = t->mail_code;
	t->first_rcpt_code = t->rcpt_code;
	t->mail_code = t->rcpt_code = 0;
	s->retry_pending = 1;
	return 1;
}

/* Reads a complete reply in the current state and moves on. */
static void
session_reply(struct session *s)
{
	struct probe_result *r = &s->result;
	struct relay_result *t = s->test < r->ntests ? &r->tests[s->test] : NULL;
	int code = s->reply.code;
	char name[SMTP_NAME_MAX];

	smtp_reply_first_line(&s->reply, r->last_reply, sizeof(r->last_reply));

	if (code == 421 && s->state != S_GREETING && s->state != S_QUIT) {
		/* The server is closing: record where, and stop politely. */
		if (s->state == S_MAIL && t) {
			t->mail_code = code;
			smtp_reply_first_line(&s->reply, t->reply, sizeof(t->reply));
		} else if (s->state == S_RCPT && t) {
			t->rcpt_code = code;
			smtp_reply_first_line(&s->reply, t->reply, sizeof(t->reply));
		}
		session_finish(s, PROBE_SERVER_SHUTDOWN);
		return;
	}

	if (code / 100 == 3 && s->state != S_GREETING && s->state != S_RCPT && s->state != S_QUIT) {
		/* No command of ours has a 3xx reply (RFC 5321 4.3.2); after one
		 * the server may be reading message content, so anything more we
		 * sent would become part of a message. Hang up; last_reply holds it.
		 * (RCPT's 3xx is handled below, with its flag.) */
		session_finish(s, PROBE_PROTOCOL_ERROR);
		return;
	}

	if ((s->state == S_MAIL || s->state == S_RCPT) && t == NULL) {
		/* Cannot happen: MAIL is only sent for a planned test. */
		session_finish(s, PROBE_PROTOCOL_ERROR);
		return;
	}

	switch (s->state) {
	case S_GREETING:
		if (r->greeting_code != 0) {
			/* A fresh connection for more tests: the first one's
			 * greeting is the one on record. */
			if (code / 100 == 2)
				session_enter(s, S_EHLO);
			else
				session_finish(s, PROBE_OK);
			break;
		}
		r->greeting_code = code;
		memcpy(r->banner, s->reply.text, s->reply.textlen);
		r->banner[s->reply.textlen] = '\0';
		session_note_name(s, s->reply.text, strcspn(s->reply.text, "\n"), name,
		                  sizeof(name));
		relay_plan(r, s->set, name);
		if (code / 100 == 2)
			session_enter(s, S_EHLO);
		else if (code == 421)
			session_finish(s, PROBE_OK);
		else
			session_enter(s, S_QUIT); /* RFC 5321 3.1: wait for QUIT */
		break;
	case S_EHLO:
		if (code / 100 == 2) {
			s->ehlo_noted = 1;
			session_note_reply(s, r->ehlo_line, sizeof(r->ehlo_line));
		}
		if (code / 100 == 2 && session_may_starttls(s) &&
		    (s->set->starttls == STARTTLS_ALWAYS || (r->flags & FLAG_STARTTLS)))
			session_enter(s, S_STARTTLS);
		else if (code / 100 == 2)
			session_next_test(s);
		else {
			r->flags |= FLAG_HELO_FALLBACK;
			r->extensions[0] = '\0';
			session_enter(s, S_HELO);
		}
		break;
	case S_HELO:
		if (code / 100 == 2) {
			s->ehlo_noted = 1;
			session_note_reply(s, r->ehlo_line, sizeof(r->ehlo_line));
			session_next_test(s);
		} else
			session_enter(s, S_QUIT);
		break;
	case S_MAIL:
		t->mail_code = code;
		smtp_reply_first_line(&s->reply, t->reply, sizeof(t->reply));
		if (verdict_is_starttls_530(code, t->reply)) {
			r->flags |= FLAG_STARTTLS_REQUIRED;
			if (session_may_starttls(s)) {
				/* Not a verdict: upgrade, then run this test again. */
				t->mail_code = 0;
				t->reply[0] = '\0';
				session_enter(s, S_STARTTLS);
				break;
			}
		}
		if (code / 100 == 2) {
			session_note_reply(s, r->mail_reply, sizeof(r->mail_reply));
			session_enter(s, S_RCPT);
		} else if (session_want_retry(s, t))
			session_enter(s, S_RSET);
		else {
			s->test++;
			session_next_test(s);
		}
		break;
	case S_RCPT:
		t->rcpt_code = code;
		smtp_reply_first_line(&s->reply, t->reply, sizeof(t->reply));
		if (verdict_is_starttls_530(code, t->reply)) {
			r->flags |= FLAG_STARTTLS_REQUIRED;
			if (session_may_starttls(s)) {
				/* End the open transaction, upgrade, run this test again. */
				t->mail_code = t->rcpt_code = 0;
				t->reply[0] = '\0';
				s->want_tls = 1;
				session_enter(s, S_RSET);
				break;
			}
		}
		if (t->kind == RELAY_POSTMASTER && code / 100 == 5)
			r->flags |= FLAG_POSTMASTER_REFUSED;
		if (code / 100 == 3) {
			/* The server now waits for message content: anything we
			 * send would be read as such. Hang up; never DATA. */
			r->flags |= FLAG_RCPT_3XX;
			session_finish(s, PROBE_OK);
			return;
		}
		if (!session_want_retry(s, t))
			s->test++;
		session_enter(s, S_RSET);
		break;
	case S_RSET:
		session_note_reply(s, r->rset_reply, sizeof(r->rset_reply));
		if (s->want_tls) {
			s->want_tls = 0;
			session_enter(s, S_STARTTLS);
		} else if (s->retry_pending)
			session_enter(s, S_RETRY_WAIT);
		else
			session_next_test(s);
		break;
	case S_QUIT:
		session_note_reply(s, r->quit_reply, sizeof(r->quit_reply));
		session_quit_done(s);
		break;
	case S_STARTTLS:
		if (code == 220) {
			session_start_tls(s);
			break;
		}
		/* Refused (454 and the like): carry on in plaintext. */
		s->no_tls = 1;
		session_next_test(s);
		break;
	case S_CONNECT:
	case S_HANDSHAKE:
	case S_RETRY_WAIT:
		break;
	}
}

/* Starts the next relay test, or says QUIT when none is left. */
static void
session_next_test(struct session *s)
{
	if (s->test >= s->result.ntests)
		session_enter(s, S_QUIT);
	else if (s->rcpts >= RCPTS_PER_CONNECTION) {
		/* One connection carries RCPTS_PER_CONNECTION at most. */
		s->reconnect = 1;
		session_enter(s, S_QUIT);
	} else
		session_enter(s, S_MAIL);
}

/* What to send on entering a state. */
static void
session_enter(struct session *s, enum session_state st)
{
	char addr[SMTP_ADDR_MAX];

	s->state = st;
	smtp_reply_init(&s->reply);
	switch (st) {
	case S_CONNECT:
		return;
	case S_GREETING:
		break;
	case S_EHLO:
		session_send(s, CMD_EHLO, s->set->ehlo);
		break;
	case S_HELO:
		session_send(s, CMD_HELO, s->set->ehlo);
		break;
	case S_MAIL:
	case S_RCPT:
		/* relay_plan kept only tests whose addresses fit. */
		relay_address(&s->result, s->test, st == S_MAIL ? RELAY_SENDER : RELAY_RECIPIENT,
		              addr, sizeof(addr));
		session_send(s, st == S_MAIL ? CMD_MAIL : CMD_RCPT, addr);
		break;
	case S_RSET:
		session_send(s, CMD_RSET, NULL);
		break;
	case S_QUIT:
		session_send(s, CMD_QUIT, NULL);
		break;
	case S_STARTTLS:
		session_send(s, CMD_STARTTLS, NULL);
		break;
	case S_HANDSHAKE:
		break;
	case S_RETRY_WAIT:
		session_arm(s, s->set->retry_after_ms);
		return;
	}
	session_arm(s, s->set->timeout_ms);
}

static enum probe_error
fault_error(enum reply_fault f)
{
	switch (f) {
	case REPLY_FAULT_TOO_LONG:
		return PROBE_LINE_TOO_LONG;
	case REPLY_FAULT_TOO_MANY:
		return PROBE_TOO_MANY_LINES;
	default:
		return PROBE_PROTOCOL_ERROR;
	}
}

/*
 * A line that ended the dialogue is the evidence: it becomes last_reply (the
 * last line the server sent), and the banner too when nothing else was
 * received yet.
 */
static void
session_keep_bad_line(struct session *s, const char *line, size_t len)
{
	smtp_reply_quote(line, len, s->result.last_reply, sizeof(s->result.last_reply));
	if (s->state == S_GREETING && s->reply.nlines == 0 && s->result.greeting_code == 0)
		smtp_reply_quote(line, len, s->result.banner, sizeof(s->result.banner));
}

/*
 * Drains n bytes of input. Draining below the read high-watermark resumes
 * reading, and libevent's TLS filter then reads at once, inside
 * evbuffer_drain: the peer's close can be reported and the session finished
 * and freed before the drain returns (found by the interop suite against a
 * real Postfix over TLS, under ASan). Returns 1 when that happened: s is gone,
 * and so is any caller's, which is told through its own s->gone.
 */
static int
session_drain(struct session *s, struct evbuffer *in, size_t n)
{
	int gone = 0, *outer = s->gone;

	// cppcheck-suppress autoVariables ; restored before returning
	s->gone = &gone;
	evbuffer_drain(in, n);
	// cppcheck-suppress knownConditionTrueFalse ; set by session_finish
	if (gone) {
		if (outer != NULL)
			*outer = 1;
		return 1;
	}
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): not freed, `gone` says so */
	s->gone = outer;
	return 0;
}

/*
 * Takes one whole line off the input and feeds it to the reply parser.
 * Returns 0 to read the next line, 1 to stop reading for now: the line is
 * not complete yet, or a reply was complete (the session has sent its next
 * command or finished and been freed).
 */
static int
session_read_line(struct session *s, struct evbuffer *in)
{
	char line[SMTP_LINE_MAX + 1];
	size_t avail = evbuffer_get_length(in), want, len, eol_len;
	const char *head;
	enum line_status ls;
	enum reply_status st;

	/* The cutter needs at most a line and its line end in one piece. */
	want = avail < SMTP_LINE_MAX + 2 ? avail : SMTP_LINE_MAX + 2;
	head = (const char *)evbuffer_pullup(in, (ev_ssize_t)want);
	if (head == NULL) {
		session_finish(s, PROBE_TOO_MUCH_DATA);
		return 1;
	}
	ls = smtp_line_cut(head, want, &len, &eol_len);
	if (ls == LINE_PARTIAL)
		return 1; /* wait for the rest of the line */
	if (ls == LINE_TOO_LONG) {
		session_keep_bad_line(s, head, want < SMTP_TEXT_MAX ? want : SMTP_TEXT_MAX);
		session_finish(s, PROBE_LINE_TOO_LONG);
		return 1;
	}
	s->bytes_in += len + eol_len;
	if (s->bytes_in > SMTP_SESSION_BYTES_MAX) {
		session_finish(s, PROBE_TOO_MUCH_DATA);
		return 1;
	}
	memcpy(line, head, len);
	line[len] = '\0';
	if (session_drain(s, in, len + eol_len))
		return 1;
	session_observe(s, OBSERVE_RECEIVED, line, len);

	st = smtp_reply_feed(&s->reply, line, len);
	if (st == REPLY_ERROR) {
		session_keep_bad_line(s, line, len);
		session_finish(s, fault_error(s->reply.fault));
		return 1;
	}
	if ((s->state == S_EHLO || s->state == S_HELO) && s->reply.code / 100 == 2 &&
	    !s->ehlo_noted) {
		if (s->reply.nlines == 1)
			session_note_name(s, line, len, s->result.ehlo_name,
			                  sizeof(s->result.ehlo_name));
		else if (s->state == S_EHLO &&
		         smtp_ehlo_extension(s->reply.line, s->reply.linelen, s->result.extensions,
		                             sizeof(s->result.extensions)) &&
		         !s->tls_on) {
			s->result.flags |= FLAG_STARTTLS;
			if (s->result.tls.use == TLS_NONE)
				s->result.tls.use = TLS_OFFERED;
		}
	}
	if (st == REPLY_MORE)
		return 0;
	if (evbuffer_get_length(in) > 0 && s->state != S_QUIT) {
		/* Lock-step: nothing may follow a reply before our next
		 * command. Extra lines are an early talker or an injection;
		 * after the 220 to STARTTLS they would be read as if they came
		 * over TLS (CVE-2011-0411 and its family). */
		s->result.flags |= s->state == S_STARTTLS && s->reply.code == 220
		                       ? FLAG_STARTTLS_INJECTION
		                       : FLAG_UNSOLICITED;
		if (s->state == S_GREETING && s->result.greeting_code == 0) {
			memcpy(s->result.banner, s->reply.text, s->reply.textlen);
			s->result.banner[s->reply.textlen] = '\0';
		}
		/* The first unsolicited line is the evidence. */
		want = evbuffer_get_length(in);
		if (want > SMTP_LINE_MAX + 2)
			want = SMTP_LINE_MAX + 2;
		if ((head = (const char *)evbuffer_pullup(in, (ev_ssize_t)want)) != NULL) {
			if (smtp_line_cut(head, want, &len, &eol_len) != LINE_OK)
				len = want;
			smtp_reply_quote(head, len, s->result.last_reply,
			                 sizeof(s->result.last_reply));
		}
		session_finish(s, PROBE_PROTOCOL_ERROR);
		return 1;
	}
	session_reply(s);
	return 1;
}

static void
session_read_cb(struct bufferevent *bev, void *arg)
{
	struct session *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	if (s->state == S_HANDSHAKE) {
		/* libevent may deliver the first bytes over TLS before the
		 * CONNECTED event: the handshake is done. */
		session_tls_done(s);
		if (s->state != S_GREETING) {
			/* Nothing is due before our EHLO over TLS. */
			s->result.flags |= FLAG_UNSOLICITED;
			session_finish(s, PROBE_PROTOCOL_ERROR);
			return;
		}
	}
	/* One complete reply per call at most: after it the session has sent
	 * its next command (or ended), and lock-step says nothing else is due. */
	while (evbuffer_get_length(in) > 0)
		if (session_read_line(s, in) != 0)
			return;
}
