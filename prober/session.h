/*
 * session.h: one SMTP dialogue with one target, on the caller's event loop.
 *
 * The session connects, reads the greeting, says EHLO (HELO if EHLO is
 * refused), upgrades with STARTTLS when it may (settings: --starttls,
 * --smtps; TLS facts go to result.tls), runs the relay tests one MAIL
 * transaction at a time with RSET between, and says QUIT. It sends nothing
 * but EHLO, HELO, STARTTLS, MAIL, RCPT, RSET and QUIT, lock-step, whatever
 * the server answers. Every phase has a timeout and the whole dialogue a
 * deadline; a failed handshake is followed by one plaintext connection
 * within that deadline, so done is still called once per target.
 *
 * Ownership: the session copies the target and points to the settings,
 * which are the run's (the engine's) and must outlive it. When the
 * dialogue ends, however it ends, it calls done(result, arg) exactly once
 * and then frees itself; the result is valid only during that call. The
 * callback must not touch the session.
 */
#ifndef SMTPPROBE_SESSION_H
#define SMTPPROBE_SESSION_H

#include <event2/event.h>
#include <openssl/types.h>

#include "record/result.h"
#include "record/settings.h"
#include "targets/target.h"

struct session;

typedef void (*session_done_cb)(const struct probe_result *r, void *arg);

/* Starts a dialogue; returns NULL only when memory runs out (nothing is
 * called back then). A connect that fails at once is reported through done,
 * from the loop, never from inside session_start. */
struct session *session_start(struct event_base *base, const struct probe_settings *set,
                              const struct target *t, session_done_cb done, void *arg);

/* After the handshake, when the target had no host name to check the peer's
 * certificate against (result.tls.matches is -1), the session stores a
 * reference to that certificate in *keep (which must outlive the session);
 * the caller owns it then and X509_free()s it. */
void session_keep_cert(struct session *s, X509 **keep);

/* Ends a dialogue now with the given error (used on shutdown); done is
 * called before this returns. */
void session_abort(struct session *s, enum probe_error e);

#endif
