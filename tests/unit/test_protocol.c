/*
 * test_protocol.c: the protocol core (prober/protocol.h), one row per state
 * and reply class: the reply's lines go through the reply parser and the
 * core as the session feeds them, and the row says the next action.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prober/protocol.h"
#include "record/relay.h"
#include "tests/tap.h"

#define ALL ((size_t)-1) /* test index: past the last planned test */
#define BIG 1000000LL    /* time left: plenty */

struct row {
	const char *name;
	enum proto_state state;
	size_t test;           /* the test in progress; ALL: none left */
	size_t rcpts;          /* RCPTs sent on this connection */
	unsigned int pflags;   /* enum proto_flag at the start */
	int tls;               /* a TLS context is configured */
	int retry;             /* --retry-after 1000 */
	int greeting;          /* greeting_code already on record */
	const char *reply;     /* lines, '\n'-separated */
	enum proto_act act;    /* the action wanted */
	enum proto_state next; /* PA_ENTER: the state wanted */
	enum probe_error err;  /* PA_FINISH: the error wanted */
	unsigned int rflag;    /* a result flag that must be set (0: none checked) */
	unsigned int pflag;    /* a protocol flag that must be set after (0: none) */
};

#define ENTER(st) PA_ENTER, st, PROBE_OK
#define FINISH(e) PA_FINISH, PS_CONNECT, e
#define DO(a)     a, PS_CONNECT, PROBE_OK

static const struct row rows[] = {
    /* greeting */
    {"greeting 2xx", PS_GREETING, 0, 0, 0, 0, 0, 0, "220 mx.example.com ESMTP", ENTER(PS_EHLO), 0,
     0},
    {"greeting multiline", PS_GREETING, 0, 0, 0, 0, 0, 0, "220-mx.example.com\n220 ESMTP",
     ENTER(PS_EHLO), 0, 0},
    {"greeting 3xx", PS_GREETING, 0, 0, 0, 0, 0, 0, "354 go on", ENTER(PS_QUIT), 0, 0},
    {"greeting 4xx", PS_GREETING, 0, 0, 0, 0, 0, 0, "450 busy", ENTER(PS_QUIT), 0, 0},
    {"greeting 421", PS_GREETING, 0, 0, 0, 0, 0, 0, "421 closing", FINISH(PROBE_OK), 0, 0},
    {"greeting 5xx", PS_GREETING, 0, 0, 0, 0, 0, 0, "554 no service", ENTER(PS_QUIT), 0, 0},
    {"greeting garbage", PS_GREETING, 0, 0, 0, 0, 0, 0, "HTTP/1.1 400 Bad Request",
     FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    {"greeting localhost", PS_GREETING, 0, 0, 0, 0, 0, 0, "220 localhost ESMTP", ENTER(PS_EHLO),
     FLAG_LOCALHOST_NAME, 0},
    {"greeting of a fresh connection 2xx", PS_GREETING, 0, 0, 0, 0, 0, 220, "220 again",
     ENTER(PS_EHLO), 0, 0},
    {"greeting of a fresh connection 5xx", PS_GREETING, 0, 0, 0, 0, 0, 220, "554 not now",
     FINISH(PROBE_OK), 0, 0},
    /* EHLO */
    {"ehlo 2xx", PS_EHLO, 0, 0, 0, 0, 0, 220, "250 mx.example.com", ENTER(PS_MAIL), 0,
     PF_EHLO_NOTED},
    {"ehlo multiline STARTTLS, TLS on hand", PS_EHLO, 0, 0, 0, 1, 0, 220,
     "250-mx.example.com\n250-STARTTLS\n250 SIZE 1000", ENTER(PS_STARTTLS), FLAG_STARTTLS, 0},
    {"ehlo multiline STARTTLS, no TLS", PS_EHLO, 0, 0, 0, 0, 0, 220,
     "250-mx.example.com\n250-STARTTLS\n250 SIZE 1000", ENTER(PS_MAIL), FLAG_STARTTLS, 0},
    {"ehlo STARTTLS over TLS already", PS_EHLO, 0, 0, PF_TLS_ON, 1, 0, 220,
     "250-mx.example.com\n250 STARTTLS", ENTER(PS_MAIL), 0, 0},
    {"ehlo 3xx", PS_EHLO, 0, 0, 0, 0, 0, 220, "354 go on", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    {"ehlo 4xx", PS_EHLO, 0, 0, 0, 0, 0, 220, "450 later", ENTER(PS_HELO), FLAG_HELO_FALLBACK, 0},
    {"ehlo 421", PS_EHLO, 0, 0, 0, 0, 0, 220, "421 closing", FINISH(PROBE_SERVER_SHUTDOWN), 0, 0},
    {"ehlo 5xx", PS_EHLO, 0, 0, 0, 0, 0, 220, "502 no EHLO", ENTER(PS_HELO), FLAG_HELO_FALLBACK, 0},
    {"ehlo garbage", PS_EHLO, 0, 0, 0, 0, 0, 220, "EHLO", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    {"ehlo mixed codes", PS_EHLO, 0, 0, 0, 0, 0, 220, "250-a\n251 b", FINISH(PROBE_PROTOCOL_ERROR),
     0, 0},
    /* HELO */
    {"helo 2xx", PS_HELO, 0, 0, 0, 0, 0, 220, "250 mx", ENTER(PS_MAIL), 0, PF_EHLO_NOTED},
    {"helo 3xx", PS_HELO, 0, 0, 0, 0, 0, 220, "354 go on", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    {"helo 4xx", PS_HELO, 0, 0, 0, 0, 0, 220, "450 later", ENTER(PS_QUIT), 0, 0},
    {"helo 5xx", PS_HELO, 0, 0, 0, 0, 0, 220, "550 no", ENTER(PS_QUIT), 0, 0},
    {"helo garbage", PS_HELO, 0, 0, 0, 0, 0, 220, "25O ok", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    /* MAIL */
    {"mail 2xx", PS_MAIL, 0, 0, 0, 0, 0, 220, "250 ok", ENTER(PS_RCPT), 0, 0},
    {"mail multiline 2xx", PS_MAIL, 0, 0, 0, 0, 0, 220, "250-ok\n250 really", ENTER(PS_RCPT), 0, 0},
    {"mail 3xx", PS_MAIL, 0, 0, 0, 0, 0, 220, "354 go on", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    {"mail 4xx", PS_MAIL, 0, 0, 0, 0, 0, 220, "451 later", ENTER(PS_MAIL), 0, 0},
    {"mail 4xx, retry asked", PS_MAIL, 0, 0, 0, 0, 1, 220, "451 later", ENTER(PS_RSET), 0,
     PF_RETRY_PENDING},
    {"mail 421", PS_MAIL, 0, 0, 0, 0, 0, 220, "421 closing", FINISH(PROBE_SERVER_SHUTDOWN), 0, 0},
    {"mail 5xx", PS_MAIL, 0, 0, 0, 0, 0, 220, "550 no", ENTER(PS_MAIL), 0, 0},
    {"mail 5xx, last test", PS_MAIL, 2, 0, 0, 0, 0, 220, "550 no", ENTER(PS_QUIT), 0, 0},
    {"mail 530 STARTTLS, TLS on hand", PS_MAIL, 0, 0, 0, 1, 0, 220,
     "530 5.7.0 Must issue a STARTTLS command first", ENTER(PS_STARTTLS), FLAG_STARTTLS_REQUIRED,
     0},
    {"mail 530 STARTTLS, no TLS", PS_MAIL, 0, 0, 0, 0, 0, 220,
     "530 5.7.0 Must issue a STARTTLS command first", ENTER(PS_MAIL), FLAG_STARTTLS_REQUIRED, 0},
    {"mail garbage", PS_MAIL, 0, 0, 0, 0, 0, 220, "", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
#ifndef SMTPPROBE_DEBUG
    /* A debug build aborts here instead. */
    {"mail with no test planned: our bug", PS_MAIL, ALL, 0, 0, 0, 0, 220, "250 ok",
     FINISH(PROBE_INTERNAL_ERROR), 0, 0},
#endif
    /* RCPT */
    {"rcpt 2xx", PS_RCPT, 0, 0, 0, 0, 0, 220, "250 ok", ENTER(PS_RSET), 0, 0},
    {"rcpt 3xx: never DATA", PS_RCPT, 0, 0, 0, 0, 0, 220, "354 go on", FINISH(PROBE_OK),
     FLAG_RCPT_3XX, 0},
    {"rcpt 4xx", PS_RCPT, 0, 0, 0, 0, 0, 220, "450 greylisted", ENTER(PS_RSET), 0, 0},
    {"rcpt 4xx, retry asked", PS_RCPT, 0, 0, 0, 0, 1, 220, "450 greylisted", ENTER(PS_RSET), 0,
     PF_RETRY_PENDING},
    {"rcpt 421", PS_RCPT, 0, 0, 0, 0, 0, 220, "421 closing", FINISH(PROBE_SERVER_SHUTDOWN), 0, 0},
    {"rcpt 5xx", PS_RCPT, 0, 0, 0, 0, 0, 220, "554 relay denied", ENTER(PS_RSET), 0, 0},
    {"rcpt 530 STARTTLS, TLS on hand", PS_RCPT, 0, 0, 0, 1, 0, 220,
     "530 5.7.0 Must issue a STARTTLS command first", ENTER(PS_RSET), FLAG_STARTTLS_REQUIRED,
     PF_WANT_TLS},
    {"rcpt multiline 5xx", PS_RCPT, 0, 0, 0, 0, 0, 220, "554-no\n554 really", ENTER(PS_RSET), 0, 0},
    {"rcpt garbage", PS_RCPT, 0, 0, 0, 0, 0, 220, "2500 ok", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    /* RSET */
    {"rset 2xx", PS_RSET, 1, 2, 0, 0, 0, 220, "250 ok", ENTER(PS_MAIL), 0, 0},
    {"rset 2xx, no test left", PS_RSET, ALL, 2, 0, 0, 0, 220, "250 ok", ENTER(PS_QUIT), 0, 0},
    {"rset 2xx, connection full", PS_RSET, 1, RCPTS_PER_CONNECTION, 0, 0, 0, 220, "250 ok",
     ENTER(PS_QUIT), 0, PF_RECONNECT},
    {"rset 2xx, STARTTLS wanted", PS_RSET, 0, 1, PF_WANT_TLS, 1, 0, 220, "250 ok",
     ENTER(PS_STARTTLS), 0, 0},
    {"rset 2xx, retry pending", PS_RSET, 0, 1, PF_RETRY_PENDING, 0, 1, 220, "250 ok",
     ENTER(PS_RETRY_WAIT), 0, PF_RETRY_PENDING},
    {"rset 3xx", PS_RSET, 1, 1, 0, 0, 0, 220, "354 go on", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    {"rset 4xx", PS_RSET, 1, 1, 0, 0, 0, 220, "450 hm", ENTER(PS_MAIL), 0, 0},
    {"rset 5xx", PS_RSET, 1, 1, 0, 0, 0, 220, "500 what", ENTER(PS_MAIL), 0, 0},
    {"rset 421", PS_RSET, 1, 1, 0, 0, 0, 220, "421 closing", FINISH(PROBE_SERVER_SHUTDOWN), 0, 0},
    /* QUIT */
    {"quit 2xx", PS_QUIT, ALL, 0, 0, 0, 0, 220, "221 bye", FINISH(PROBE_OK), 0, 0},
    {"quit 2xx, more tests", PS_QUIT, 1, 0, PF_RECONNECT, 0, 0, 220, "221 bye", DO(PA_RECONNECT), 0,
     0},
    {"quit 3xx", PS_QUIT, ALL, 0, 0, 0, 0, 220, "354 hm", FINISH(PROBE_OK), 0, 0},
    {"quit 421", PS_QUIT, ALL, 0, 0, 0, 0, 220, "421 bye", FINISH(PROBE_OK), 0, 0},
    {"quit 5xx", PS_QUIT, ALL, 0, 0, 0, 0, 220, "500 what", FINISH(PROBE_OK), 0, 0},
    {"quit garbage", PS_QUIT, ALL, 0, 0, 0, 0, 220, "bye", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    /* STARTTLS */
    {"starttls 220", PS_STARTTLS, 0, 0, 0, 1, 0, 220, "220 go ahead", DO(PA_START_TLS), 0, 0},
    {"starttls 3xx", PS_STARTTLS, 0, 0, 0, 1, 0, 220, "354 hm", FINISH(PROBE_PROTOCOL_ERROR), 0, 0},
    {"starttls 4xx: plaintext", PS_STARTTLS, 0, 0, 0, 1, 0, 220, "454 TLS not available",
     ENTER(PS_MAIL), 0, PF_NO_TLS},
    {"starttls 421", PS_STARTTLS, 0, 0, 0, 1, 0, 220, "421 closing", FINISH(PROBE_SERVER_SHUTDOWN),
     0, 0},
    {"starttls 5xx: plaintext", PS_STARTTLS, 0, 0, 0, 1, 0, 220, "502 no", ENTER(PS_MAIL), 0,
     PF_NO_TLS},
    {"starttls garbage", PS_STARTTLS, 0, 0, 0, 1, 0, 220, "22O ready", FINISH(PROBE_PROTOCOL_ERROR),
     0, 0},
};

/* Sets up a core as the row says, on a dialogue planned with the default
 * tests (what it held before is freed). */
static void
setup(const struct row *w, struct probe_settings *set, struct probe_dialogue *r, struct proto *p)
{
	static struct target t;

	memset(&t, 0, sizeof(t));
	strcpy(t.ip, "192.0.2.1");
	t.port = 25;
	probe_settings_default(set);
	set->tls = w->tls ? (struct tls_client *)set : NULL; /* never touched by the core */
	set->retry_after_ms = w->retry ? 1000 : 0;
	probe_dialogue_free(r);
	if (probe_dialogue_init(r, &t) != 0)
		abort(); /* out of memory */
	relay_plan(r, set, "");
	proto_init(p, set, r, 0);
	proto_connection(p);
	r->greeting_code = w->greeting;
	p->state = w->state;
	p->test = w->test == ALL ? r->ntests : w->test;
	p->rcpts = w->rcpts;
	p->flags = w->pflags;
}

/* Feeds the row's reply line by line as the session does; the action. */
static struct proto_action
feed(struct proto *p, const char *text)
{
	struct smtp_reply reply;
	const char *line = text, *nl;
	enum reply_status st = REPLY_MORE;

	smtp_reply_init(&reply);
	for (;;) {
		nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);

		st = smtp_reply_feed(&reply, line, len);
		if (st == REPLY_ERROR)
			return proto_bad_reply(reply.fault);
		proto_line(p, &reply, line, len);
		if (st == REPLY_DONE || nl == NULL)
			break;
		line = nl + 1;
	}
	if (st != REPLY_DONE) {
		struct proto_action none = {PA_NONE, PS_CONNECT, PROBE_OK, NULL};

		return none;
	}
	return proto_reply(p, &reply, BIG);
}

static void
test_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		static struct probe_dialogue d;
		static struct probe_result r;
		struct probe_settings set;
		struct proto p;
		struct proto_action a;

		setup(w, &set, &d, &p);
		a = feed(&p, w->reply);
		probe_result_from_dialogue(&r, &d);
		is_int(a.act, w->act, "%s: action", w->name);
		if (w->act == PA_ENTER)
			is_str(proto_state_names[a.next], proto_state_names[w->next],
			       "%s: next state", w->name);
		if (w->act == PA_FINISH)
			is_str(probe_error_name(a.error), probe_error_name(w->err), "%s: error",
			       w->name);
		if (w->rflag != 0)
			ok(r.flags & w->rflag, "%s: result flag 0x%x", w->name, w->rflag);
		if (w->pflag != 0)
			ok(p.flags & w->pflag, "%s: protocol flag 0x%x", w->name, w->pflag);
		probe_dialogue_free(&d);
	}
}

/* What a timer means, per state. */
static void
test_timeouts(void)
{
	static const struct {
		enum proto_state state;
		unsigned int pflags;
		int deadline;
		enum proto_act act;
		enum probe_error err;
	} tt[] = {
	    {PS_CONNECT, 0, 0, PA_FINISH, PROBE_CONNECTION_TIMEOUT},
	    {PS_GREETING, 0, 0, PA_FINISH, PROBE_GREETING_TIMEOUT},
	    {PS_EHLO, 0, 0, PA_FINISH, PROBE_IO_TIMEOUT},
	    {PS_RCPT, 0, 0, PA_FINISH, PROBE_IO_TIMEOUT},
	    {PS_STARTTLS, 0, 0, PA_FINISH, PROBE_IO_TIMEOUT},
	    {PS_MAIL, 0, 1, PA_FINISH, PROBE_SESSION_DEADLINE},
	    {PS_QUIT, 0, 0, PA_FINISH, PROBE_OK},
	    {PS_QUIT, 0, 1, PA_FINISH, PROBE_OK},
	    {PS_QUIT, PF_RECONNECT, 0, PA_RECONNECT, PROBE_OK},
	    {PS_QUIT, PF_RECONNECT, 1, PA_FINISH, PROBE_SESSION_DEADLINE},
	    {PS_HANDSHAKE, 0, 0, PA_TLS_FAILED, PROBE_OK},
	    {PS_RETRY_WAIT, PF_RETRY_PENDING, 0, PA_ENTER, PROBE_OK},
	    {PS_RETRY_WAIT, PF_RETRY_PENDING, 1, PA_FINISH, PROBE_SESSION_DEADLINE},
	};
	struct row w = {"", PS_CONNECT, 0, 0, 0, 0, 0, 220, "", ENTER(PS_CONNECT), 0, 0};
	size_t i;

	for (i = 0; i < sizeof(tt) / sizeof(tt[0]); i++) {
		static struct probe_dialogue d;
		struct probe_settings set;
		struct proto p;
		struct proto_action a;

		w.state = tt[i].state;
		w.pflags = tt[i].pflags;
		setup(&w, &set, &d, &p);
		a = proto_timeout(&p, tt[i].deadline);
		is_int(a.act, tt[i].act, "timer in %s (deadline %d): action",
		       proto_state_names[tt[i].state], tt[i].deadline);
		if (a.act == PA_FINISH)
			is_str(probe_error_name(a.error), probe_error_name(tt[i].err),
			       "timer in %s (deadline %d): error", proto_state_names[tt[i].state],
			       tt[i].deadline);
		if (tt[i].state == PS_RETRY_WAIT && !tt[i].deadline)
			ok(a.next == PS_MAIL && !(p.flags & PF_RETRY_PENDING),
			   "the wait over, the same test again");
		probe_dialogue_free(&d);
	}
}

/* What entering a state sends, and the seven commands only. */
static void
test_commands(void)
{
	static const struct {
		enum proto_state state;
		const char *want;
	} ct[] = {
	    {PS_CONNECT, ""},      {PS_GREETING, ""},        {PS_EHLO, "EHLO "},
	    {PS_HELO, "HELO "},    {PS_MAIL, "MAIL FROM:<"}, {PS_RCPT, "RCPT TO:<"},
	    {PS_RSET, "RSET\r\n"}, {PS_QUIT, "QUIT\r\n"},    {PS_STARTTLS, "STARTTLS\r\n"},
	    {PS_HANDSHAKE, ""},    {PS_RETRY_WAIT, ""},
	};
	struct row w = {"", PS_CONNECT, 0, 0, 0, 0, 0, 220, "", ENTER(PS_CONNECT), 0, 0};
	size_t i;

	ok(sizeof(ct) / sizeof(ct[0]) == PS_COUNT, "a row per state");
	for (i = 0; i < sizeof(ct) / sizeof(ct[0]); i++) {
		static struct probe_dialogue d;
		struct probe_settings set;
		struct proto p;
		char buf[SMTP_CMD_MAX];
		size_t n;

		setup(&w, &set, &d, &p);
		n = proto_enter(&p, ct[i].state, buf, sizeof(buf));
		ok(proto_state_names[ct[i].state] != NULL && p.state == ct[i].state,
		   "%s: entered, named", proto_state_names[ct[i].state]);
		if (ct[i].want[0] == '\0')
			is_int(n, 0, "%s sends nothing", proto_state_names[ct[i].state]);
		else
			ok(n >= strlen(ct[i].want) &&
			       strncmp(buf, ct[i].want, strlen(ct[i].want)) == 0 &&
			       buf[n - 2] == '\r' && buf[n - 1] == '\n',
			   "%s sends %.*s", proto_state_names[ct[i].state],
			   (int)(n > 2 ? n - 2 : 0), buf);
		probe_dialogue_free(&d);
	}
}

/* Lines after a complete reply before our command. */
static void
test_unsolicited(void)
{
	struct row w = {"", PS_STARTTLS, 0, 0, 0, 1, 0, 220, "", ENTER(PS_CONNECT), 0, 0};
	static struct probe_dialogue d;
	static struct probe_result r;
	struct probe_settings set;
	struct smtp_reply reply;
	struct proto p;
	struct proto_action a;

	setup(&w, &set, &d, &p);
	smtp_reply_init(&reply);
	smtp_reply_feed(&reply, "220 go ahead", 12);
	a = proto_unsolicited(&p, &reply);
	probe_result_from_dialogue(&r, &d);
	ok(a.act == PA_FINISH && a.error == PROBE_PROTOCOL_ERROR &&
	       (r.flags & FLAG_STARTTLS_INJECTION),
	   "lines after the 220 to STARTTLS: injection, hang up");
	w.state = PS_GREETING;
	w.greeting = 0;
	setup(&w, &set, &d, &p);
	a = proto_unsolicited(&p, &reply);
	probe_result_from_dialogue(&r, &d);
	ok(a.act == PA_FINISH && (r.flags & FLAG_UNSOLICITED) &&
	       strcmp(r.banner, "220 go ahead") == 0,
	   "an early talker: unsolicited, the banner kept");
	probe_dialogue_free(&d);
}

static void *
no_memory(size_t n)
{
	(void)n;
	return NULL;
}

/* A reply text the dialogue cannot keep (its arena cannot grow): no record
 * is made of it, the dialogue ends as a local failure and is probed again. */
static void
test_out_of_memory(void)
{
	struct row w = {"", PS_MAIL, 0, 0, 0, 0, 0, 220, "", ENTER(PS_CONNECT), 0, 0};
	static struct probe_dialogue d;
	static struct probe_result r;
	struct probe_settings set;
	struct proto p;
	struct proto_action a;
	char reply[400];

	setup(&w, &set, &d, &p);
	memset(reply, 'x', sizeof(reply) - 1);
	memcpy(reply, "250 ", 4);
	reply[sizeof(reply) - 1] = '\0';
	d.text.alloc = no_memory; /* the buffer holds the target's texts: it must grow */
	a = feed(&p, reply);
	d.error = a.error; /* as session_finish records it */
	probe_result_from_dialogue(&r, &d);
	ok(a.act == PA_FINISH && a.error == PROBE_LOCAL_FAILURE,
	   "a text lost to memory: the dialogue ends as a local failure");
	is_int(r.local_errno, ENOMEM, "ENOMEM, what our side ran out of");
	ok(!probe_result_finished(&r), "no row is written of it (the engine probes again)");
	probe_dialogue_free(&d);
}

int
main(void)
{
	test_rows();
	test_out_of_memory();
	test_timeouts();
	test_commands();
	test_unsolicited();
	return tap_done();
}
