/*
 * personality.h: the servers smtplab can play, and what each one answers.
 *
 * A personality is one row of a table (personality.c): its greeting, what it
 * does at connect, and its replies to every command. The reply logic is pure:
 * (persona, session state, command line) -> reply bytes + what to do next. No
 * sockets, no libevent, no globals, so a test can call it directly and a new
 * personality (a hostile one: 354 to RCPT, NUL bytes, ...) is one more row.
 *
 * Ownership: personalities are static and constant; a `struct lab_persona` is
 * a plain value filled by personality_parse() and owned by whoever holds it.
 */
#ifndef SMTPPROBE_LAB_PERSONALITY_H
#define SMTPPROBE_LAB_PERSONALITY_H

#include <stddef.h>
#include <stdio.h>

/* Bounds of the lab, in one place. */
#define LAB_LINE_MAX        4096   /* one client line, its CRLF included */
#define LAB_IDLE_TIMEOUT_MS 60000  /* a client that sends nothing for this long is dropped */
#define LAB_CLIENTS_MAX     65536  /* concurrent clients */
#define LAB_LISTENERS_MAX   65536  /* listening sockets, every --listen and --config line */
#define LAB_REPLY_MAX       2048   /* one reply we build, every line */
#define LAB_ECHO_MAX        320    /* a client's address echoed in a reply (RFC 5321: 64+1+255) */
#define LAB_DELAY_MAX_MS    600000 /* slow-greeting:MS */
#define LAB_NAME_MAX        64     /* "personality:arg" as written in a log line */
#define LAB_DRIP_MAX_MS     60000  /* drip:MS, the pause between two bytes */
#define LAB_STREAM_FILL_MAX 65536  /* one repeat's filler bytes (struct lab_stream) */
#define LAB_FOREVER         0      /* lab_stream.count: repeat until the client leaves */

/* What the connection does once the reply is written. */
enum lab_action {
	LAB_KEEP,  /* go on reading commands */
	LAB_CLOSE, /* stop reading; close once the reply has drained */
	/* TLS, after a 220 to STARTTLS: */
	LAB_TLS,         /* start a TLS server handshake (needs --tls-cert/--tls-key) */
	LAB_TLS_GARBAGE, /* answer the client's handshake with bytes that are not TLS, close */
	LAB_STALL,       /* read and drop everything, never answer, never close */
	LAB_RESET,       /* close at once with a TCP reset (SO_LINGER 0), the reply unsent */
	LAB_DEAF,        /* stop reading for good and never answer: the client's window fills */
};

/*
 * Output too long or too endless for a reply buffer, written by smtplab as the
 * socket drains (so the lab's memory stays flat): `count` repeats of head,
 * fill_len copies of `fill` and end, then tail. Hostile personalities only.
 */
struct lab_stream {
	const char *head, *end, *tail; /* C strings; "" for none */
	char fill;
	size_t fill_len;     /* at most LAB_STREAM_FILL_MAX */
	unsigned long count; /* LAB_FOREVER: until the client closes */
};

struct lab_reply {
	char buf[LAB_REPLY_MAX];
	size_t len; /* 0: send nothing */
	enum lab_action action;
	unsigned delay_ms; /* wait this long before sending it */
	/* Hostile servers: written after buf (NULL: none), and the pace of every
	 * byte (0: as fast as the socket takes them). */
	const struct lab_stream *stream;
	unsigned drip_ms;
};

/* What a personality remembers about one client. */
struct lab_session {
	int in_mail; /* a MAIL was accepted and no RSET/EHLO/HELO since */
	int tls;     /* the channel is TLS now (STARTTLS or implicit) */
};

struct personality;
struct lab_dialogue;

/* A personality with its argument applied: what a listener plays. */
struct lab_persona {
	const struct personality *p;
	const struct lab_dialogue *dialogue;
	unsigned delay_ms;       /* the greeting waits this long */
	unsigned reply_delay_ms; /* every other reply waits this long (tarpits) */
	unsigned drip_ms;        /* one byte every drip_ms, 0 for no pacing */
	char name[LAB_NAME_MAX]; /* "name" or "name:arg", for log lines */
};

/* Fills `out` from "NAME" or "NAME:ARG". Returns 0, or -1 with `err` set. */
int personality_parse(const char *spec, struct lab_persona *out, char *err, size_t errlen);

/* What to send when a client connects. */
void personality_greet(const struct lab_persona *lp, struct lab_reply *r);

/* The reply to one command line (without its CRLF; may hold any byte). */
void personality_reply(const struct lab_persona *lp, struct lab_session *s, const char *line,
                       size_t len, struct lab_reply *r);

/* The reply to a line longer than LAB_LINE_MAX. */
void personality_overflow(const struct lab_persona *lp, struct lab_reply *r);

/* TLS: 1 when the personality runs a TLS handshake (it needs a
 * certificate); 1 when it speaks TLS from the first byte (SMTPS). */
int personality_needs_tls(const struct lab_persona *lp);
int personality_implicit_tls(const struct lab_persona *lp);
/* The highest TLS version it speaks (OpenSSL's TLS1_VERSION, ...), 0: any. */
int personality_tls_max_version(const struct lab_persona *lp);

/* Prints every personality with its one-line description. */
void personality_usage(FILE *fp);

#endif
