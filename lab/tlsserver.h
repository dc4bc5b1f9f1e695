/*
 * tlsserver.h: smtplab's server TLS context, from PEM files (--tls-cert,
 * --tls-key). The lab's own: the prober only ever speaks TLS as a client.
 */
#ifndef SMTPPROBE_LAB_TLSSERVER_H
#define SMTPPROBE_LAB_TLSSERVER_H

#include <openssl/types.h>
#include <stddef.h>

/* Security level 0 and a missing close_notify tolerated, like the prober's
 * client context. Returns NULL with err filled; free with SSL_CTX_free. */
SSL_CTX *tls_server_context_new(const char *cert_file, const char *key_file, char *err,
                                size_t errlen);

#endif
