/*
 * tlsfacts.h: the TLS facts recorded per target (the `starttls` column, the
 * version and cipher, the leaf certificate's names, dates and fingerprint,
 * the verify result), as plain data without OpenSSL types, so the record and
 * the reports read them without OpenSSL headers. prober/tls.c fills them.
 */
#ifndef SMTPPROBE_TLSFACTS_H
#define SMTPPROBE_TLSFACTS_H

#include "common/bounds.h"

/* The `starttls` column. */
enum tls_use {
	TLS_NONE = 0, /* not offered, not tried */
	TLS_OFFERED,  /* EHLO offered STARTTLS; not used (--starttls never, or refused) */
	TLS_USED,     /* upgraded with STARTTLS; the relay tests ran inside TLS */
	TLS_FAILED,   /* the handshake failed (tls_error says why) */
	TLS_IMPLICIT, /* SMTPS: TLS from the first byte */
	TLS_USE_COUNT
};

/* Plain data: copy by assignment. Text is as OpenSSL gave it; writers escape. */
struct tls_facts {
	enum tls_use use;
	char version[TLS_VERSION_MAX];
	char cipher[TLS_CIPHER_MAX];
	char error[TLS_REASON_MAX]; /* why the handshake failed, "" if it did not */
	int have_cert;              /* 0: none of the cert_* fields below is set */
	char subject[CERT_NAME_MAX];
	char issuer[CERT_NAME_MAX];
	char san[CERT_SAN_MAX]; /* DNS names, ';'-joined */
	char not_before[CERT_DATE_MAX];
	char not_after[CERT_DATE_MAX];
	char sha256[CERT_SHA256_MAX]; /* "AB:CD:...", as `openssl x509 -fingerprint -sha256` */
	int self_signed;
	int expired;
	char verify[CERT_VERIFY_MAX]; /* X509_verify_cert_error_string(), "ok" when trusted */
	int matches;                  /* a name matches the target's hostname: 1, 0, -1 unknown */
};

const char *tls_use_name(enum tls_use u);

#endif
