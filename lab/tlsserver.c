/*
 * tlsserver.c: smtplab's server TLS context; see tlsserver.h.
 */
#include "config.h"

#include "lab/tlsserver.h"

#include <openssl/ssl.h>

#include "prober/tls.h"

SSL_CTX *
tls_server_context_new(const char *cert_file, const char *key_file, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		tls_queue_reason(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		tls_queue_reason(err, errlen, "cannot load the certificate");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		tls_queue_reason(err, errlen,
		                 "cannot load the key (or it does not fit the certificate)");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
