/*
 * tls.h: what smtpprobe knows about TLS: the one client context of a run,
 * the per-connection SSL object, and the facts recorded for a report
 * (version, cipher, the leaf certificate's names, dates, fingerprint, and
 * whether it verifies). Certificates are recorded, never trusted: a
 * verification failure is a fact, not a reason to stop.
 *
 * The facts themselves (struct tls_facts) are plain data in
 * record/tlsfacts.h, so the record and the reports need no OpenSSL header.
 * The fact extraction (tls_cert_facts) is pure: it reads an X509 and fills
 * that struct, so unit tests call it on certificates they make.
 *
 * Ownership: the run's struct tls_client belongs to main.c, which frees it
 * after the engine; sessions borrow it and take its SSL_CTX when they first
 * need one. An SSL from tls_client_new is handed to a bufferevent_openssl
 * filter, which frees it.
 */
#ifndef SMTPPROBE_TLS_H
#define SMTPPROBE_TLS_H

#include <openssl/types.h>
#include <stddef.h>

#include "common/bounds.h"
#include "record/tlsfacts.h"

/* The client context of a run: security level 0 and every protocol version
 * OpenSSL still has, so old servers are observed, not refused;
 * SSL_OP_IGNORE_UNEXPECTED_EOF, since a missing close_notify is a fact of
 * life; no verification failure is fatal. CAs come from ca_file, or from the
 * system store when ca_file is NULL. Returns NULL with err filled. */
SSL_CTX *tls_context_new(const char *ca_file, char *err, size_t errlen);

void tls_context_free(SSL_CTX *ctx);

/*
 * The client context of a run, made when a session first needs it: a run
 * whose servers never offer TLS does not pay for OpenSSL's initialisation
 * (about 2.5 MiB of RSS). With a ca_file, the context is made at once, so a
 * bad --ca-file is a usage error before any probe. Returns NULL with err
 * filled (out of memory, or the ca_file).
 */
struct tls_client *tls_client_ctx_new(const char *ca_file, char *err, size_t errlen);
/* The context, made now if it was not: NULL with err filled when it cannot
 * be made (the reason is kept, and given again to later callers). */
SSL_CTX *tls_client_ctx_get(struct tls_client *c, char *err, size_t errlen);
void tls_client_ctx_free(struct tls_client *c);

/* A client SSL; SNI is sent only when hostname is a name (not "" and not an
 * address literal). NULL when memory runs out. */
SSL *tls_client_new(SSL_CTX *ctx, const char *hostname);

/* After a completed handshake: version, cipher, the peer's leaf and the
 * verify result. */
void tls_session_facts(SSL *ssl, const char *hostname, struct tls_facts *f);

/* The leaf certificate's facts (pure). hostname "" leaves matches at -1. */
void tls_cert_facts(X509 *cert, const char *hostname, struct tls_facts *f);

/*
 * 1 when name (a PTR name, say) is one cert was issued for, by OpenSSL's
 * X509_check_host: a subjectAltName DNS name, or the subject's CN when there
 * is none; case-insensitive, a final dot ignored, a wildcard only as the
 * whole left-most label (no partial-label wildcards). Pure.
 */
int tls_cert_matches_name(X509 *cert, const char *name);

/* tls_cert_facts on a PEM file. Returns 0, or -1 with err filled. */
int tls_cert_facts_file(const char *path, const char *hostname, struct tls_facts *f, char *err,
                        size_t errlen);

/* OpenSSL's reason for an error code ("wrong version number"), into buf. */
void tls_error_reason(unsigned long code, char *buf, size_t size);
/* err = "WHAT: <the oldest error on OpenSSL's queue>", or WHAT alone when the
 * queue is empty; the queue is emptied. */
void tls_queue_reason(char *err, size_t errlen, const char *what);

#endif
