/*
 * tls.c: the TLS side of smtpprobe on OpenSSL 3; see tls.h.
 *
 * Nothing here touches a socket: the session hands the SSL to libevent's
 * bufferevent_openssl filter, and calls back here for the facts once the
 * handshake is done. Formats follow the `openssl x509` command (names in
 * its one-line form, dates in ISO 8601, the fingerprint as colon-separated
 * hex) so an operator can check a row against the certificate by hand.
 */
#include "config.h"

#include "prober/tls.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The name form `openssl x509 -subject` prints by default in OpenSSL 3. */
#define NAME_FLAGS                                                                                 \
	(XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_SPC_EQ | XN_FLAG_FN_SN | ASN1_STRFLGS_RFC2253 |           \
	 ASN1_STRFLGS_ESC_QUOTE)
#define NAME_FLAGS_UTF8 ((NAME_FLAGS & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT)

void
tls_error_reason(unsigned long code, char *buf, size_t size)
{
	const char *reason = ERR_reason_error_string(code);

	if (size == 0)
		return;
	if (ERR_SYSTEM_ERROR(code))
		snprintf(buf, size, "%s", strerror(ERR_GET_REASON(code)));
	else if (reason != NULL)
		snprintf(buf, size, "%s", reason);
	else
		ERR_error_string_n(code, buf, size);
}

void
tls_queue_reason(char *err, size_t errlen, const char *what)
{
	char reason[TLS_REASON_MAX] = "";
	unsigned long code = ERR_get_error();

	if (code != 0)
		tls_error_reason(code, reason, sizeof(reason));
	ERR_clear_error();
	snprintf(err, errlen, "%s%s%s", what, reason[0] ? ": " : "", reason);
}

SSL_CTX *
tls_context_new(const char *ca_file, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		tls_queue_reason(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	/* Observe, do not judge: every version and cipher OpenSSL still has. */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET);
	/* Thousands of sessions wait for replies most of the time: give the
	 * record buffers back while they are idle. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0") != 1)
		ERR_clear_error();
	/* The chain is still verified and its result kept (cert_verify);
	 * a failure never stops the dialogue. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			char what[TLS_REASON_MAX];

			snprintf(what, sizeof(what), "--ca-file: %.100s: no CA certificates read",
			         ca_file);
			tls_queue_reason(err, errlen, what);
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else {
		/*
		 * The system store as a hashed directory, read certificate by
		 * certificate when a chain needs one. The bundle file that
		 * SSL_CTX_set_default_verify_paths() loads at once costs every run
		 * some 6 MiB, plaintext ones included.
		 */
		const char *dir = getenv(X509_get_default_cert_dir_env());

		if (SSL_CTX_load_verify_dir(ctx, dir != NULL ? dir : X509_get_default_cert_dir()) !=
		    1)
			ERR_clear_error(); /* no system store: every verify result says so */
	}
	return ctx;
}

void
tls_context_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

struct tls_client {
	char *ca_file;              /* NULL: the system store */
	SSL_CTX *ctx;               /* NULL until a session needs it */
	char error[TLS_REASON_MAX]; /* why it could not be made, "" if it was not tried */
};

struct tls_client *
tls_client_ctx_new(const char *ca_file, char *err, size_t errlen)
{
	struct tls_client *c = calloc(1, sizeof(*c));

	if (c == NULL || (ca_file != NULL && (c->ca_file = strdup(ca_file)) == NULL)) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ca_file != NULL && tls_client_ctx_get(c, err, errlen) == NULL) {
		tls_client_ctx_free(c);
		return NULL;
	}
	return c;
}

SSL_CTX *
tls_client_ctx_get(struct tls_client *c, char *err, size_t errlen)
{
	/* Tried once: tls_context_new gives a reason whenever it fails. */
	if (c->ctx == NULL && c->error[0] == '\0')
		c->ctx = tls_context_new(c->ca_file, c->error, sizeof(c->error));
	if (c->ctx == NULL)
		snprintf(err, errlen, "%s", c->error);
	return c->ctx;
}

void
tls_client_ctx_free(struct tls_client *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c->ca_file);
	free(c);
}

/* RFC 6066 3: SNI carries host names only, never an address literal. */
static int
is_hostname(const char *name)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return name != NULL && name[0] != '\0' && inet_pton(AF_INET, name, buf) != 1 &&
	       inet_pton(AF_INET6, name, buf) != 1;
}

SSL *
tls_client_new(SSL_CTX *ctx, const char *hostname)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL) {
		ERR_clear_error();
		return NULL;
	}
	if (is_hostname(hostname) && SSL_set_tlsext_host_name(ssl, hostname) != 1)
		ERR_clear_error(); /* a name OpenSSL refuses is sent without SNI */
	return ssl;
}

/* Copies what a memory BIO holds (up to size-1 bytes) into buf. */
static void
bio_text(BIO *bio, char *buf, size_t size)
{
	char *p;
	long n = BIO_get_mem_data(bio, &p);

	if (n < 0)
		n = 0;
	if ((size_t)n >= size)
		n = (long)size - 1;
	memcpy(buf, p, (size_t)n);
	buf[n] = '\0';
}

static void
name_text(const X509_NAME *name, char *buf, size_t size)
{
	BIO *bio = BIO_new(BIO_s_mem());

	buf[0] = '\0';
	if (bio == NULL)
		return;
	if (X509_NAME_print_ex(bio, name, 0, NAME_FLAGS_UTF8) >= 0)
		bio_text(bio, buf, size);
	BIO_free(bio);
}

static void
time_text(const ASN1_TIME *t, char *buf, size_t size)
{
	BIO *bio = BIO_new(BIO_s_mem());

	buf[0] = '\0';
	if (bio == NULL || t == NULL) {
		BIO_free(bio);
		return;
	}
	if (ASN1_TIME_print_ex(bio, t, ASN1_DTFLGS_ISO8601) == 1)
		bio_text(bio, buf, size);
	BIO_free(bio);
}

/* DNS names of subjectAltName, ';'-joined; a name that does not fit whole
 * is left out rather than cut. */
static void
san_text(X509 *cert, char *buf, size_t size)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	size_t len = 0;
	int i;

	buf[0] = '\0';
	if (names == NULL)
		return;
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		const unsigned char *d;
		size_t n;

		if (gn->type != GEN_DNS)
			continue;
		d = ASN1_STRING_get0_data(gn->d.dNSName);
		n = strnlen((const char *)d, (size_t)ASN1_STRING_length(gn->d.dNSName));
		if (len + (len > 0) + n + 1 > size)
			break;
		if (len > 0)
			buf[len++] = ';';
		memcpy(buf + len, d, n);
		len += n;
		buf[len] = '\0';
	}
	GENERAL_NAMES_free(names);
}

static void
fingerprint_text(X509 *cert, char *buf, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	size_t len = 0;

	buf[0] = '\0';
	if (X509_digest(cert, EVP_sha256(), md, &n) != 1) {
		ERR_clear_error();
		return;
	}
	for (i = 0; i < n && len + 4 <= size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%02X", i ? ":" : "", md[i]);
}

void
tls_cert_facts(X509 *cert, const char *hostname, struct tls_facts *f)
{
	f->have_cert = 1;
	name_text(X509_get_subject_name(cert), f->subject, sizeof(f->subject));
	name_text(X509_get_issuer_name(cert), f->issuer, sizeof(f->issuer));
	san_text(cert, f->san, sizeof(f->san));
	time_text(X509_get0_notBefore(cert), f->not_before, sizeof(f->not_before));
	time_text(X509_get0_notAfter(cert), f->not_after, sizeof(f->not_after));
	fingerprint_text(cert, f->sha256, sizeof(f->sha256));
	/* Self-signed: issued by itself and its own key signs it. */
	f->self_signed = X509_self_signed(cert, 1) == 1;
	f->expired = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
	if (is_hostname(hostname))
		f->matches = X509_check_host(cert, hostname, 0, 0, NULL) == 1;
	else
		f->matches = -1;
	ERR_clear_error();
}

int
tls_cert_matches_name(X509 *cert, const char *name)
{
	size_t len = strlen(name);
	int rc;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0)
		return 0;
	rc = X509_check_host(cert, name, len, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
	ERR_clear_error();
	return rc == 1;
}

int
tls_cert_facts_file(const char *path, const char *hostname, struct tls_facts *f, char *err,
                    size_t errlen)
{
	FILE *fp = fopen(path, "r");
	X509 *cert;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	cert = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (cert == NULL) {
		tls_queue_reason(err, errlen, "not a PEM certificate");
		return -1;
	}
	tls_cert_facts(cert, hostname, f);
	X509_free(cert);
	return 0;
}

void
tls_session_facts(SSL *ssl, const char *hostname, struct tls_facts *f)
{
	const char *cipher = SSL_get_cipher_name(ssl);
	X509 *cert;

	snprintf(f->version, sizeof(f->version), "%s", SSL_get_version(ssl));
	snprintf(f->cipher, sizeof(f->cipher), "%s", cipher ? cipher : "");
	cert = SSL_get1_peer_certificate(ssl);
	if (cert != NULL) {
		tls_cert_facts(cert, hostname, f);
		X509_free(cert);
		snprintf(f->verify, sizeof(f->verify), "%s",
		         X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
	}
	ERR_clear_error();
}
