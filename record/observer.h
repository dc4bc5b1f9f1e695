/*
 * observer.h: what a session tells an observer about its dialogue, line by
 * line, without knowing what the observer does with it. The transcript
 * writer (reports/transcript.c) is the observer that writes evidence files;
 * the session knows nothing of files.
 *
 * Lines are handed over as bytes, exactly as sent or received (without the
 * CRLF), never escaped: escaping is the observer's business. Notes are the
 * session's own words: the connection, and a TLS upgrade ("TLS started ...")
 * when the session has one.
 *
 * Ownership: the observer (and its arg) outlive every session started with
 * it; a handle returned by open is the observer's and ends with close.
 */
#ifndef SMTPPROBE_OBSERVER_H
#define SMTPPROBE_OBSERVER_H

#include <stddef.h>

struct probe_result;
struct target;

enum observe_kind {
	OBSERVE_SENT = 'C',     /* a command we sent */
	OBSERVE_RECEIVED = 'S', /* a line the server sent */
	OBSERVE_NOTE = '*',     /* the session's own note: connect, TLS, end */
};

struct session_observer {
	/* A dialogue starts: returns its handle, or NULL to observe nothing. */
	void *(*open)(void *arg, const struct target *t);
	void (*line)(void *handle, enum observe_kind kind, const char *bytes, size_t len);
	/* The dialogue ended; r is final but for the fields the observer owns
	 * (transcript), which it may fill. The handle is freed. */
	void (*close)(void *handle, struct probe_result *r);
	void *arg;
};

#endif
