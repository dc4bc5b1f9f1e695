/*
 * session.c: the SMTP dialogue as an explicit state machine, in the shape
 * of OpenSMTPD's smtp_client.c: one function that says what to send on
 * entering a state (session_enter), one that reads the reply in a state
 * (session_reply), one for I/O events (session_event_cb), and one exit
 * (session_finish) that every ending goes through.
 *
 * Safety lives in session_send: the only commands it can write are the six
 * of enum smtp_cmd. Nothing in this file can produce DATA, BDAT, VRFY, EXPN,
 * ETRN or AUTH, whatever the server says.
 */
#include "config.h"

#include "prober/session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prober/relay.h"
#include "prober/reply.h"
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
};

/* The whole vocabulary of the prober. */
enum smtp_cmd {
	CMD_EHLO,
	CMD_HELO,
	CMD_MAIL,
	CMD_RCPT,
	CMD_RSET,
	CMD_QUIT,
};

/* Each command is head + argument + tail + CRLF. */
static const struct {
	const char *head;
	const char *tail;
} cmd_syntax[] = {
    [CMD_EHLO] = {"EHLO ", ""},      [CMD_HELO] = {"HELO ", ""}, [CMD_MAIL] = {"MAIL FROM:<", ">"},
    [CMD_RCPT] = {"RCPT TO:<", ">"}, [CMD_RSET] = {"RSET", ""},  [CMD_QUIT] = {"QUIT", ""},
};

struct session {
	struct event_base *base;
	struct bufferevent *bev;
	struct event *timer;
	struct probe_settings set;
	enum session_state state;
	struct smtp_reply reply;
	struct probe_result result;
	size_t test;  /* the relay test in progress */
	size_t rcpts; /* RCPT commands sent on this connection */
	size_t bytes_in;
	long long started_ms;  /* monotonic */
	long long deadline_ms; /* monotonic */
	int timer_is_deadline;
	enum probe_error pending; /* a failure to report from the loop */
	session_done_cb done;
	void *arg;
};

static void session_enter(struct session *, enum session_state);
static void session_finish(struct session *, enum probe_error);
static void session_next_test(struct session *);
static void session_arm(struct session *, int);
static void session_read_cb(struct bufferevent *, void *);
static void session_event_cb(struct bufferevent *, short, void *);
static void session_timer_cb(evutil_socket_t, short, void *);

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct session *
session_start(struct event_base *base, const struct probe_settings *set, const struct target *t,
              session_done_cb done, void *arg)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->base = base;
	s->set = *set;
	s->done = done;
	s->arg = arg;
	probe_result_init(&s->result, t);
	gettimeofday(&s->result.started, NULL);
	s->result.ntests = relay_plan(&s->set, t, s->result.tests, RELAY_TESTS_MAX);
	s->started_ms = now_ms();
	s->deadline_ms = s->started_ms + s->set.deadline_ms;

	s->timer = evtimer_new(base, session_timer_cb, s);
	s->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (s->timer == NULL || s->bev == NULL) {
		if (s->timer)
			event_free(s->timer);
		if (s->bev)
			bufferevent_free(s->bev);
		free(s);
		return NULL;
	}
	bufferevent_setcb(s->bev, session_read_cb, NULL, session_event_cb, s);
	/* Stop reading a little past the longest line we accept: a server that
	 * never ends its line cannot make us buffer more than that. */
	bufferevent_setwatermark(s->bev, EV_READ, 0, SMTP_LINE_MAX + 2);
	s->state = S_CONNECT;
	if (bufferevent_socket_connect(s->bev, (struct sockaddr *)&s->result.target.sa,
	                               (int)s->result.target.salen) < 0) {
		/* Report from the loop, so the owner is never re-entered. */
		s->pending =
		    errno == ECONNREFUSED ? PROBE_CONNECTION_REFUSED : PROBE_NETWORK_UNREACHABLE;
		event_active(s->timer, EV_TIMEOUT, 0);
		return s;
	}
	session_arm(s, s->set.connect_timeout_ms);
	return s;
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
	long long left = s->deadline_ms - now_ms();
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
	if (s->state == S_QUIT) {
		/* Everything was said; a server that ignores QUIT changes nothing. */
		session_finish(s, PROBE_OK);
		return;
	}
	if (s->timer_is_deadline) {
		session_finish(s, PROBE_SESSION_DEADLINE);
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

	if (cmd == CMD_RCPT)
		s->rcpts++;
	evbuffer_add(out, cmd_syntax[cmd].head, strlen(cmd_syntax[cmd].head));
	if (arg != NULL)
		evbuffer_add(out, arg, strlen(arg));
	evbuffer_add(out, cmd_syntax[cmd].tail, strlen(cmd_syntax[cmd].tail));
	evbuffer_add(out, "\r\n", 2);
}

static void
session_finish(struct session *s, enum probe_error e)
{
	struct probe_result *r = &s->result;

	r->error = e;
	r->duration_ms = (unsigned int)(now_ms() - s->started_ms);
	r->verdict = verdict_decide(r);
	event_free(s->timer);
	bufferevent_free(s->bev);
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
	bufferevent_enable(s->bev, EV_READ);
	session_enter(s, S_GREETING);
}

static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct session *s = arg;
	int err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		session_connected(s);
		return;
	}
	if (s->state == S_CONNECT) {
		session_finish(s, connect_error(err));
		return;
	}
	if (s->state == S_QUIT) {
		/* Closing after QUIT is what a server should do. */
		session_finish(s, PROBE_OK);
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
		r->greeting_code = code;
		memcpy(r->banner, s->reply.text, s->reply.textlen);
		r->banner[s->reply.textlen] = '\0';
		session_note_name(s, s->reply.text, strcspn(s->reply.text, "\n"), name,
		                  sizeof(name));
		if (code / 100 == 2)
			session_enter(s, S_EHLO);
		else if (code == 421)
			session_finish(s, PROBE_OK);
		else
			session_enter(s, S_QUIT); /* RFC 5321 3.1: wait for QUIT */
		break;
	case S_EHLO:
		if (code / 100 == 2)
			session_next_test(s);
		else {
			r->flags |= FLAG_HELO_FALLBACK;
			r->extensions[0] = '\0';
			session_enter(s, S_HELO);
		}
		break;
	case S_HELO:
		if (code / 100 == 2)
			session_next_test(s);
		else
			session_enter(s, S_QUIT);
		break;
	case S_MAIL:
		t->mail_code = code;
		smtp_reply_first_line(&s->reply, t->reply, sizeof(t->reply));
		if (verdict_is_starttls_530(code, t->reply))
			r->flags |= FLAG_STARTTLS_REQUIRED;
		if (code / 100 == 2)
			session_enter(s, S_RCPT);
		else {
			s->test++;
			session_next_test(s);
		}
		break;
	case S_RCPT:
		t->rcpt_code = code;
		smtp_reply_first_line(&s->reply, t->reply, sizeof(t->reply));
		if (verdict_is_starttls_530(code, t->reply))
			r->flags |= FLAG_STARTTLS_REQUIRED;
		if (code / 100 == 3) {
			/* The server now waits for message content: anything we
			 * send would be read as such. Hang up; never DATA. */
			r->flags |= FLAG_RCPT_354;
			session_finish(s, PROBE_OK);
			return;
		}
		s->test++;
		session_enter(s, S_RSET);
		break;
	case S_RSET:
		session_next_test(s);
		break;
	case S_QUIT:
		session_finish(s, PROBE_OK);
		break;
	case S_CONNECT:
		break;
	}
}

/* Starts the next relay test, or says QUIT when none is left. */
static void
session_next_test(struct session *s)
{
	if (s->test < s->result.ntests && s->rcpts < RCPTS_PER_CONNECTION)
		session_enter(s, S_MAIL);
	else
		session_enter(s, S_QUIT);
}

/* What to send on entering a state. */
static void
session_enter(struct session *s, enum session_state st)
{
	struct relay_result *t = &s->result.tests[s->test];

	s->state = st;
	smtp_reply_init(&s->reply);
	switch (st) {
	case S_CONNECT:
		return;
	case S_GREETING:
		break;
	case S_EHLO:
		session_send(s, CMD_EHLO, s->set.ehlo);
		break;
	case S_HELO:
		session_send(s, CMD_HELO, s->set.ehlo);
		break;
	case S_MAIL:
		session_send(s, CMD_MAIL, t->mail_from);
		break;
	case S_RCPT:
		session_send(s, CMD_RCPT, t->rcpt_to);
		break;
	case S_RSET:
		session_send(s, CMD_RSET, NULL);
		break;
	case S_QUIT:
		session_send(s, CMD_QUIT, NULL);
		break;
	}
	session_arm(s, s->set.timeout_ms);
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
	if (s->state == S_GREETING && s->reply.nlines == 0)
		smtp_reply_quote(line, len, s->result.banner, sizeof(s->result.banner));
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
	evbuffer_drain(in, len + eol_len);

	st = smtp_reply_feed(&s->reply, line, len);
	if (st == REPLY_ERROR) {
		session_keep_bad_line(s, line, len);
		session_finish(s, fault_error(s->reply.fault));
		return 1;
	}
	if ((s->state == S_EHLO || s->state == S_HELO) && s->reply.code / 100 == 2) {
		if (s->reply.nlines == 1)
			session_note_name(s, line, len, s->result.ehlo_name,
			                  sizeof(s->result.ehlo_name));
		else if (s->state == S_EHLO &&
		         smtp_ehlo_extension(s->reply.line, s->reply.linelen, s->result.extensions,
		                             sizeof(s->result.extensions)))
			s->result.flags |= FLAG_STARTTLS;
	}
	if (st == REPLY_MORE)
		return 0;
	if (evbuffer_get_length(in) > 0 && s->state != S_QUIT) {
		/* Lock-step: nothing may follow a reply before our next
		 * command. Extra lines are an early talker or an injection. */
		s->result.flags |= FLAG_UNSOLICITED;
		if (s->state == S_GREETING) {
			memcpy(s->result.banner, s->reply.text, s->reply.textlen);
			s->result.banner[s->reply.textlen] = '\0';
		}
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

	/* One complete reply per call at most: after it the session has sent
	 * its next command (or ended), and lock-step says nothing else is due. */
	while (evbuffer_get_length(in) > 0)
		if (session_read_line(s, in) != 0)
			return;
}
