/*
 * protocol.h: the SMTP dialogue's decisions, with no I/O (no libevent, no
 * OpenSSL, no sockets, no clock).
 *
 * The session (session.c) is the I/O shell: it cuts lines, feeds the reply
 * parser, sends, upgrades to TLS and keeps the timers. For every decision
 * it asks this core, in the shape of OpenSMTPD's smtp_client.c: what to send
 * on entering a state (proto_enter), how to read one line and one complete
 * reply in a state (proto_line, proto_reply), what a timer means
 * (proto_timeout), and what follows the end of a connection's QUIT
 * (proto_quit_done). Each returns the next action; the core writes what it
 * learns into the result (codes, banner, flags) and nothing else.
 *
 * The only command texts the core can produce are the seven of enum
 * proto_cmd: nothing here can produce DATA, BDAT, VRFY, EXPN, ETRN or AUTH,
 * whatever the server says.
 */
#ifndef SMTPPROBE_PROTOCOL_H
#define SMTPPROBE_PROTOCOL_H

#include <stddef.h>

#include "prober/reply.h"
#include "record/result.h"
#include "record/settings.h"

enum proto_state {
	PS_CONNECT,
	PS_GREETING,
	PS_EHLO,
	PS_HELO,
	PS_MAIL,
	PS_RCPT,
	PS_RSET,
	PS_QUIT,
	PS_STARTTLS,   /* STARTTLS sent, waiting for its 220 */
	PS_HANDSHAKE,  /* the TLS handshake runs */
	PS_RETRY_WAIT, /* idle until --retry-after has passed, then the same test again */
	PS_COUNT
};

/* The dialogue's flags, one word. */
enum proto_flag {
	PF_RETRY_PENDING = 1u << 0, /* the current test is to be run again after a wait */
	PF_RECONNECT = 1u << 1,     /* after QUIT, a fresh connection for the rest */
	PF_EHLO_NOTED = 1u << 2,    /* the EHLO reply on record; a fresh connection's is not kept */
	PF_IMPLICIT = 1u << 3,      /* SMTPS: the handshake comes before the greeting */
	PF_TLS_ON = 1u << 4,        /* the channel is TLS now */
	PF_NO_TLS = 1u << 5,        /* a handshake failed: this connection stays plaintext */
	PF_WANT_TLS = 1u << 6,      /* a 530 asked for STARTTLS: upgrade once RSET is answered */
};

/* The protocol state of one dialogue. The result and settings are the
 * session's; the core writes into the result. */
struct proto {
	enum proto_state state;
	unsigned int flags;
	size_t test;  /* the relay test in progress */
	size_t rcpts; /* RCPT commands sent on this connection */
	const struct probe_settings *set;
	struct probe_dialogue *result;
};

enum proto_act {
	PA_NONE,       /* nothing to do: read on */
	PA_ENTER,      /* enter state `next`: proto_enter says what to send */
	PA_START_TLS,  /* wrap the connection in TLS, then enter PS_HANDSHAKE */
	PA_RECONNECT,  /* close this connection, open a fresh plaintext one */
	PA_TLS_FAILED, /* the handshake failed (why: `why`): fall back or finish */
	PA_FINISH,     /* end the dialogue with `error` */
};

struct proto_action {
	enum proto_act act;
	enum proto_state next;  /* PA_ENTER */
	enum probe_error error; /* PA_FINISH */
	const char *why;        /* PA_TLS_FAILED */
};

/* The state names, for traces ("greeting", "ehlo"...). */
extern const char *const proto_state_names[PS_COUNT];

/* Sets up p for a dialogue; implicit says SMTPS (TLS before the greeting). */
void proto_init(struct proto *p, const struct probe_settings *set, struct probe_dialogue *r,
                int implicit);

/* A new connection begins (the first, or a fresh one). */
void proto_connection(struct proto *p);

/*
 * Enters state st. Writes the command to send, CRLF included, to buf (size
 * bytes, SMTP_CMD_MAX is enough) and returns its length; 0 when the state
 * sends nothing.
 */
size_t proto_enter(struct proto *p, enum proto_state st, char *buf, size_t size);

/* The timeout, in ms, that the shell arms on entering st; -1 for none. */
int proto_state_timeout(const struct proto *p, enum proto_state st);

/* One line just fed to the reply parser in the current state (EHLO
 * keywords and names are read line by line). */
void proto_line(struct proto *p, const struct smtp_reply *reply, const char *line, size_t len);

/*
 * One complete reply in the current state. left_ms is the time left before
 * the dialogue's deadline (a retry must fit in it).
 */
struct proto_action proto_reply(struct proto *p, const struct smtp_reply *reply, long long left_ms);

/* A line broke the reply rules (reply.h): the error that ends the dialogue. */
struct proto_action proto_bad_reply(enum reply_fault f);

/* Lines followed a complete reply before our next command (lock-step
 * broken): the flag and the error. */
struct proto_action proto_unsolicited(struct proto *p, const struct smtp_reply *reply);

/* The phase timer fired; is_deadline says it was the dialogue's deadline. */
struct proto_action proto_timeout(struct proto *p, int is_deadline);

/* A connection's QUIT is done (answered, or the server closed or went
 * quiet): the dialogue ends, or goes on over a fresh connection. */
struct proto_action proto_quit_done(struct proto *p);

/* 1 when this connection may still upgrade with STARTTLS. */
int proto_may_starttls(const struct proto *p);

/* The handshake worked (implicit or STARTTLS): the next action. */
struct proto_action proto_tls_done(struct proto *p);

/* A handshake failed: forget what the failed connection said and start
 * over in plaintext (not for SMTPS). */
void proto_tls_restart(struct proto *p);

#endif
