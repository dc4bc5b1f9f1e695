/*
 * protocol.c: the SMTP dialogue's decisions, pure (protocol.h). The I/O
 * shell is session.c; the fuzzer and tests/unit/test_protocol.c drive this
 * file directly.
 */
#include "config.h"

#include "prober/protocol.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"
#include "prober/verdict.h"
#include "record/relay.h"

/*
 * A broken invariant ("cannot happen") is our bug, not the server's: a
 * debug build (--enable-sanitizers, the fuzzers) stops at once; a release
 * build ends the dialogue with PROBE_INTERNAL_ERROR.
 */
#ifdef SMTPPROBE_DEBUG
#define PROTO_BROKEN() abort()
#else
#define PROTO_BROKEN() ((void)0)
#endif

const char *const proto_state_names[PS_COUNT] = {
    [PS_CONNECT] = "connect",
    [PS_GREETING] = "greeting",
    [PS_EHLO] = "ehlo",
    [PS_HELO] = "helo",
    [PS_MAIL] = "mail",
    [PS_RCPT] = "rcpt",
    [PS_RSET] = "rset",
    [PS_QUIT] = "quit",
    [PS_STARTTLS] = "starttls",
    [PS_HANDSHAKE] = "handshake",
    [PS_RETRY_WAIT] = "retry-wait",
};

/* The whole vocabulary of the prober. */
enum proto_cmd {
	CMD_NONE,
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

enum timer_kind {
	TIMER_NONE,    /* the state arms nothing (the shell's own) */
	TIMER_CONNECT, /* --connect-timeout */
	TIMER_REPLY,   /* --timeout */
	TIMER_RETRY,   /* --retry-after */
};

/* Per state: what entering it sends, which timer runs, what its expiry means. */
static const struct {
	enum proto_cmd cmd;
	enum timer_kind timer;
	enum probe_error expired;
} state_table[PS_COUNT] = {
    [PS_CONNECT] = {CMD_NONE, TIMER_CONNECT, PROBE_CONNECTION_TIMEOUT},
    [PS_GREETING] = {CMD_NONE, TIMER_REPLY, PROBE_GREETING_TIMEOUT},
    [PS_EHLO] = {CMD_EHLO, TIMER_REPLY, PROBE_IO_TIMEOUT},
    [PS_HELO] = {CMD_HELO, TIMER_REPLY, PROBE_IO_TIMEOUT},
    [PS_MAIL] = {CMD_MAIL, TIMER_REPLY, PROBE_IO_TIMEOUT},
    [PS_RCPT] = {CMD_RCPT, TIMER_REPLY, PROBE_IO_TIMEOUT},
    [PS_RSET] = {CMD_RSET, TIMER_REPLY, PROBE_IO_TIMEOUT},
    [PS_QUIT] = {CMD_QUIT, TIMER_REPLY, PROBE_OK},
    [PS_STARTTLS] = {CMD_STARTTLS, TIMER_REPLY, PROBE_IO_TIMEOUT},
    [PS_HANDSHAKE] = {CMD_NONE, TIMER_REPLY, PROBE_TLS_FAILED},
    [PS_RETRY_WAIT] = {CMD_NONE, TIMER_RETRY, PROBE_OK},
};

static struct proto_action
act_enter(enum proto_state st)
{
	struct proto_action a = {PA_ENTER, st, PROBE_OK, NULL};

	return a;
}

static struct proto_action
act_do(enum proto_act act)
{
	struct proto_action a = {act, PS_CONNECT, PROBE_OK, NULL};

	return a;
}

static struct proto_action
act_finish(enum probe_error e)
{
	struct proto_action a = {PA_FINISH, PS_CONNECT, e, NULL};

	return a;
}

/* Our bug: see PROTO_BROKEN. */
static struct proto_action
act_broken(void)
{
	PROTO_BROKEN();
	return act_finish(PROBE_INTERNAL_ERROR);
}

void
proto_init(struct proto *p, const struct probe_settings *set, struct probe_dialogue *r,
           int implicit)
{
	memset(p, 0, sizeof(*p));
	p->set = set;
	p->result = r;
	if (implicit)
		p->flags |= PF_IMPLICIT;
}

void
proto_connection(struct proto *p)
{
	p->state = PS_CONNECT;
	p->rcpts = 0;
	p->result->connections++;
}

size_t
proto_enter(struct proto *p, enum proto_state st, char *buf, size_t size)
{
	enum proto_cmd cmd = state_table[st].cmd;
	char addr[SMTP_ADDR_MAX];
	const char *arg = NULL;
	struct strbuf sb;

	p->state = st;
	if (cmd == CMD_NONE)
		return 0;
	if (cmd == CMD_EHLO || cmd == CMD_HELO)
		arg = p->set->ehlo;
	else if (cmd == CMD_MAIL || cmd == CMD_RCPT) {
		/* relay_plan kept only tests whose addresses fit. */
		relay_dialogue_address(p->result, p->test,
		                       cmd == CMD_MAIL ? RELAY_SENDER : RELAY_RECIPIENT, addr,
		                       sizeof(addr));
		arg = addr;
	}
	if (cmd == CMD_RCPT)
		p->rcpts++;
	sb_init(&sb, buf, size);
	sb_puts(&sb, cmd_syntax[cmd].head);
	if (arg != NULL)
		sb_puts(&sb, arg);
	sb_puts(&sb, cmd_syntax[cmd].tail);
	sb_append(&sb, "\r\n", 2);
	return sb.len;
}

int
proto_state_timeout(const struct proto *p, enum proto_state st)
{
	switch (state_table[st].timer) {
	case TIMER_CONNECT:
		return p->set->connect_timeout_ms;
	case TIMER_REPLY:
		return p->set->timeout_ms;
	case TIMER_RETRY:
		return p->set->retry_after_ms;
	case TIMER_NONE:
		break;
	}
	return -1;
}

int
proto_may_starttls(const struct proto *p)
{
	return p->set->tls != NULL && !(p->flags & (PF_TLS_ON | PF_NO_TLS | PF_IMPLICIT)) &&
	       p->set->starttls != STARTTLS_NEVER;
}

/* Reads the name a server gives itself (greeting, EHLO) into name and flags
 * the telling ones. */
static void
note_name(struct proto *p, const char *line, size_t len, char *name, size_t size)
{
	smtp_reply_domain(line, len, name, size);
	if (name[0] == '\0')
		return;
	if (strcasecmp(name, "localhost") == 0 || strncasecmp(name, "localhost.", 10) == 0)
		p->result->flags |= FLAG_LOCALHOST_NAME;
	else if (strchr(name, '.') == NULL && name[0] != '[')
		p->result->flags |= FLAG_NO_FQDN;
}

/* Sets text f to the reply's first line, as a char[size] would hold it
 * (size: f's cap, at most SMTP_TEXT_MAX). */
static void
set_first_line(struct probe_dialogue *r, const struct smtp_reply *reply, enum dialogue_text f,
               size_t size)
{
	dialogue_set(r, f, reply->text,
	             strnlen(reply->text, smtp_reply_first_line_len(reply, size)));
}

/* Keeps the first reply of its kind for the fingerprint (text f). */
static void
note_reply(struct probe_dialogue *r, const struct smtp_reply *reply, enum dialogue_text f)
{
	if (dialogue_text(r, f)[0] == '\0')
		set_first_line(r, reply, f, RELAY_REPLY_MAX);
}

/* The reply text of the test in progress (p->test). */
static enum dialogue_text
test_reply(const struct proto *p)
{
	return (enum dialogue_text)(DT_TEST_REPLY + p->test);
}

/* Appends an EHLO keyword line to the extensions (smtp_ehlo_extension's
 * cut); 1 when it is STARTTLS. */
static int
note_extension(struct probe_dialogue *r, const struct smtp_reply *reply)
{
	char ext[SMTP_EXTENSIONS_MAX];
	size_t n = dialogue_text_len(r, DT_EXTENSIONS);
	int starttls;

	memcpy(ext, dialogue_text(r, DT_EXTENSIONS), n + 1);
	starttls = smtp_ehlo_extension(reply->line, reply->linelen, ext, sizeof(ext));
	dialogue_set(r, DT_EXTENSIONS, ext, n + strlen(ext + n));
	return starttls;
}

void
proto_line(struct proto *p, const struct smtp_reply *reply, const char *line, size_t len)
{
	struct probe_dialogue *r = p->result;

	if ((p->state != PS_EHLO && p->state != PS_HELO) || reply->code / 100 != 2 ||
	    (p->flags & PF_EHLO_NOTED))
		return;
	if (reply->nlines == 1) {
		char name[SMTP_NAME_MAX];

		note_name(p, line, len, name, sizeof(name));
		dialogue_set_str(r, DT_EHLO_NAME, name);
	} else if (p->state == PS_EHLO && note_extension(r, reply) && !(p->flags & PF_TLS_ON)) {
		r->flags |= FLAG_STARTTLS;
		if (r->tls_use == TLS_NONE)
			r->tls_use = TLS_OFFERED;
	}
}

/* Starts the next relay test, or says QUIT when none is left. */
static struct proto_action
next_test(struct proto *p)
{
	if (p->test >= p->result->ntests)
		return act_enter(PS_QUIT);
	if (p->rcpts >= RCPTS_PER_CONNECTION) {
		/* One connection carries RCPTS_PER_CONNECTION at most. */
		p->flags |= PF_RECONNECT;
		return act_enter(PS_QUIT);
	}
	return act_enter(PS_MAIL);
}

/*
 * A 4xx (greylisting) is retried once after --retry-after, when asked and
 * when the deadline leaves room for the wait and a reply: never a tight
 * loop. A deferred relay denial is not: it says no again (verdict.h).
 * Returns 1 when the test t is to run again (its first codes saved).
 */
static int
want_retry(struct proto *p, struct dialogue_test *t, long long left_ms)
{
	int code = t->rcpt_code ? t->rcpt_code : t->mail_code;

	if (code / 100 != 4 || code == 421 || p->set->retry_after_ms <= 0 || t->retried ||
	    (t->rcpt_code != 0 &&
	     verdict_is_relay_deferred(code, dialogue_text(p->result, test_reply(p)))) ||
	    left_ms <= (long long)p->set->retry_after_ms + p->set->timeout_ms)
		return 0;
	t->retried = 1;
	t->first_mail_code = t->mail_code;
	t->first_rcpt_code = t->rcpt_code;
	t->mail_code = t->rcpt_code = 0;
	p->flags |= PF_RETRY_PENDING;
	return 1;
}

static struct proto_action
reply_greeting(struct proto *p, const struct smtp_reply *reply)
{
	struct probe_dialogue *r = p->result;
	int code = reply->code;
	char name[SMTP_NAME_MAX];

	if (r->greeting_code != 0) {
		/* A fresh connection for more tests: the first one's greeting
		 * is the one on record. */
		return code / 100 == 2 ? act_enter(PS_EHLO) : act_finish(PROBE_OK);
	}
	r->greeting_code = code;
	dialogue_set(r, DT_BANNER, reply->text, reply->textlen);
	note_name(p, reply->text, strcspn(reply->text, "\n"), name, sizeof(name));
	relay_plan_named(r, p->set, name);
	if (code / 100 == 2)
		return act_enter(PS_EHLO);
	if (code == 421)
		return act_finish(PROBE_OK);
	return act_enter(PS_QUIT); /* RFC 5321 3.1: wait for QUIT */
}

static struct proto_action
reply_ehlo(struct proto *p, const struct smtp_reply *reply)
{
	struct probe_dialogue *r = p->result;

	if (reply->code / 100 != 2) {
		if (p->state == PS_HELO)
			return act_enter(PS_QUIT);
		r->flags |= FLAG_HELO_FALLBACK;
		dialogue_set(r, DT_EXTENSIONS, "", 0);
		return act_enter(PS_HELO);
	}
	p->flags |= PF_EHLO_NOTED;
	note_reply(r, reply, DT_EHLO_LINE);
	if (p->state == PS_EHLO && proto_may_starttls(p) &&
	    (p->set->starttls == STARTTLS_ALWAYS || (r->flags & FLAG_STARTTLS)))
		return act_enter(PS_STARTTLS);
	return next_test(p);
}

/*
 * A 530 to MAIL or RCPT that asks for STARTTLS (its text the test's reply):
 * flagged; 1 when the upgrade is still possible, so the reply is no verdict
 * and the test's text is cleared for it to run again after it.
 */
static int
starttls_asked(struct proto *p, int code)
{
	if (!verdict_is_starttls_530(code, dialogue_text(p->result, test_reply(p))))
		return 0;
	p->result->flags |= FLAG_STARTTLS_REQUIRED;
	if (!proto_may_starttls(p))
		return 0;
	dialogue_set(p->result, test_reply(p), "", 0);
	return 1;
}

static struct proto_action
reply_mail(struct proto *p, const struct smtp_reply *reply, struct dialogue_test *t,
           long long left_ms)
{
	struct probe_dialogue *r = p->result;
	int code = reply->code;

	t->mail_code = (short)code;
	set_first_line(r, reply, test_reply(p), RELAY_REPLY_MAX);
	if (starttls_asked(p, code)) {
		/* Not a verdict: upgrade, then run this test again. */
		t->mail_code = 0;
		return act_enter(PS_STARTTLS);
	}
	if (code / 100 == 2) {
		note_reply(r, reply, DT_MAIL_REPLY);
		return act_enter(PS_RCPT);
	}
	if (want_retry(p, t, left_ms))
		return act_enter(PS_RSET);
	p->test++;
	return next_test(p);
}

static struct proto_action
reply_rcpt(struct proto *p, const struct smtp_reply *reply, struct dialogue_test *t,
           long long left_ms)
{
	struct probe_dialogue *r = p->result;
	int code = reply->code;

	t->rcpt_code = (short)code;
	set_first_line(r, reply, test_reply(p), RELAY_REPLY_MAX);
	if (starttls_asked(p, code)) {
		/* End the open transaction, upgrade, run this test again. */
		t->mail_code = t->rcpt_code = 0;
		p->flags |= PF_WANT_TLS;
		return act_enter(PS_RSET);
	}
	if (relay_row_kind(t->row) == RELAY_POSTMASTER && code / 100 == 5)
		r->flags |= FLAG_POSTMASTER_REFUSED;
	if (code / 100 == 3) {
		/* The server now waits for message content: anything we send
		 * would be read as such. Hang up; never DATA. */
		r->flags |= FLAG_RCPT_3XX;
		return act_finish(PROBE_OK);
	}
	if (!want_retry(p, t, left_ms))
		p->test++;
	return act_enter(PS_RSET);
}

static struct proto_action
reply_rset(struct proto *p, const struct smtp_reply *reply)
{
	note_reply(p->result, reply, DT_RSET_REPLY);
	if (p->flags & PF_WANT_TLS) {
		p->flags &= ~PF_WANT_TLS;
		return act_enter(PS_STARTTLS);
	}
	if (p->flags & PF_RETRY_PENDING)
		return act_enter(PS_RETRY_WAIT);
	return next_test(p);
}

/* The 421 of a server that closes: record where, and stop politely. */
static struct proto_action
reply_shutdown(struct proto *p, const struct smtp_reply *reply, struct dialogue_test *t)
{
	if (t != NULL && p->state == PS_MAIL)
		t->mail_code = (short)reply->code;
	else if (t != NULL && p->state == PS_RCPT)
		t->rcpt_code = (short)reply->code;
	if (t != NULL && (p->state == PS_MAIL || p->state == PS_RCPT))
		set_first_line(p->result, reply, test_reply(p), RELAY_REPLY_MAX);
	return act_finish(PROBE_SERVER_SHUTDOWN);
}

static struct proto_action
reply_dispatch(struct proto *p, const struct smtp_reply *reply, long long left_ms)
{
	struct probe_dialogue *r = p->result;
	struct dialogue_test *t = p->test < r->ntests ? &r->tests[p->test] : NULL;
	int code = reply->code;

	set_first_line(r, reply, DT_LAST_REPLY, SMTP_TEXT_MAX);
	if (code == 421 && p->state != PS_GREETING && p->state != PS_QUIT)
		return reply_shutdown(p, reply, t);
	if (code / 100 == 3 && p->state != PS_GREETING && p->state != PS_RCPT &&
	    p->state != PS_QUIT) {
		/* No command of ours has a 3xx reply (RFC 5321 4.3.2); after one
		 * the server may be reading message content, so anything more we
		 * sent would become part of a message. Hang up; last_reply holds
		 * it. (RCPT's 3xx is handled with its flag.) */
		return act_finish(PROBE_PROTOCOL_ERROR);
	}
	switch (p->state) {
	case PS_GREETING:
		return reply_greeting(p, reply);
	case PS_EHLO:
	case PS_HELO:
		return reply_ehlo(p, reply);
	case PS_MAIL:
		/* MAIL and RCPT are only sent for a planned test. */
		return t != NULL ? reply_mail(p, reply, t, left_ms) : act_broken();
	case PS_RCPT:
		return t != NULL ? reply_rcpt(p, reply, t, left_ms) : act_broken();
	case PS_RSET:
		return reply_rset(p, reply);
	case PS_QUIT:
		note_reply(r, reply, DT_QUIT_REPLY);
		return proto_quit_done(p);
	case PS_STARTTLS:
		if (code == 220)
			return act_do(PA_START_TLS);
		/* Refused (454 and the like): carry on in plaintext. */
		p->flags |= PF_NO_TLS;
		return next_test(p);
	case PS_CONNECT:
	case PS_HANDSHAKE:
	case PS_RETRY_WAIT:
	case PS_COUNT:
		break;
	}
	/* No reply is read in these states: the shell reads none. */
	return act_broken();
}

struct proto_action
proto_reply(struct proto *p, const struct smtp_reply *reply, long long left_ms)
{
	struct proto_action a = reply_dispatch(p, reply, left_ms);

	/* A text the dialogue could not keep (out of memory): its record would
	 * be wrong, so none is made; the engine probes the target again. */
	if (p->result->nomem)
		return act_finish(PROBE_LOCAL_FAILURE);
	return a;
}

struct proto_action
proto_bad_reply(enum reply_fault f)
{
	switch (f) {
	case REPLY_FAULT_TOO_LONG:
		return act_finish(PROBE_LINE_TOO_LONG);
	case REPLY_FAULT_TOO_MANY:
		return act_finish(PROBE_TOO_MANY_LINES);
	default:
		return act_finish(PROBE_PROTOCOL_ERROR);
	}
}

struct proto_action
proto_unsolicited(struct proto *p, const struct smtp_reply *reply)
{
	struct probe_dialogue *r = p->result;

	/* Extra lines are an early talker or an injection; after the 220 to
	 * STARTTLS they would be read as if they came over TLS
	 * (CVE-2011-0411 and its family). */
	r->flags |= p->state == PS_STARTTLS && reply->code == 220 ? FLAG_STARTTLS_INJECTION
	                                                          : FLAG_UNSOLICITED;
	if (p->state == PS_GREETING && r->greeting_code == 0)
		dialogue_set(r, DT_BANNER, reply->text, reply->textlen);
	return act_finish(PROBE_PROTOCOL_ERROR);
}

struct proto_action
proto_quit_done(struct proto *p)
{
	if (!(p->flags & PF_RECONNECT))
		return act_finish(PROBE_OK);
	/* A fresh connection starts in plaintext. */
	p->flags &= ~(PF_RECONNECT | PF_TLS_ON | PF_WANT_TLS);
	return act_do(PA_RECONNECT);
}

struct proto_action
proto_timeout(struct proto *p, int is_deadline)
{
	struct proto_action a;

	switch (p->state) {
	case PS_QUIT:
		/* Everything was said; a server that ignores QUIT changes nothing. */
		if (!(p->flags & PF_RECONNECT))
			return act_finish(PROBE_OK);
		return is_deadline ? act_finish(PROBE_SESSION_DEADLINE) : proto_quit_done(p);
	case PS_HANDSHAKE:
		/* A stalled handshake is a failed one; the deadline still rules. */
		a = act_do(PA_TLS_FAILED);
		a.why = "handshake timed out";
		return a;
	case PS_RETRY_WAIT:
		if (is_deadline)
			return act_finish(PROBE_SESSION_DEADLINE);
		p->flags &= ~PF_RETRY_PENDING;
		return next_test(p);
	case PS_COUNT:
		return act_broken();
	default:
		return act_finish(is_deadline ? PROBE_SESSION_DEADLINE
		                              : state_table[p->state].expired);
	}
}

struct proto_action
proto_tls_done(struct proto *p)
{
	struct probe_dialogue *r = p->result;

	r->tls_use = (p->flags & PF_IMPLICIT) ? TLS_IMPLICIT : TLS_USED;
	p->flags |= PF_TLS_ON;
	if (p->flags & PF_IMPLICIT)
		return act_enter(PS_GREETING);
	/* RFC 3207 4.2: what the server said in plaintext no longer holds. */
	dialogue_set(r, DT_EXTENSIONS, "", 0);
	dialogue_set(r, DT_EHLO_NAME, "", 0);
	p->flags &= ~PF_EHLO_NOTED;
	return act_enter(PS_EHLO);
}

void
proto_tls_restart(struct proto *p)
{
	struct probe_dialogue *r = p->result;
	size_t i;

	p->flags = (p->flags & PF_IMPLICIT) | PF_NO_TLS;
	p->test = 0;
	p->rcpts = 0;
	for (i = 0; i < r->ntests; i++) {
		r->tests[i].mail_code = 0;
		r->tests[i].rcpt_code = 0;
		dialogue_set(r, (enum dialogue_text)(DT_TEST_REPLY + i), "", 0);
		r->tests[i].retried = 0;
	}
	r->greeting_code = 0;
	dialogue_set(r, DT_BANNER, "", 0);
	dialogue_set(r, DT_EHLO_NAME, "", 0);
	dialogue_set(r, DT_EXTENSIONS, "", 0);
	dialogue_set(r, DT_LAST_REPLY, "", 0);
}
