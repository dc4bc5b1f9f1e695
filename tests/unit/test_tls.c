/*
 * test_tls.c: the certificate facts (prober/tls.c) on certificates made here
 * with OpenSSL, none committed: a table of cases (self-signed or CA-issued,
 * expired, SAN lists, names that match or not, oversized fields), the same
 * facts read from a PEM file, the client context and SNI rules.
 */
#include "config.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prober/tls.h"
#include "lab/tlsserver.h"
#include "tests/tap.h"

struct cert_case {
	const char *name;
	const char *subject_cn;
	const char *subject_o; /* NULL: none */
	const char *san;       /* X509V3 config syntax, NULL: no extension */
	const char *not_before;
	const char *not_after; /* ASN1 GeneralizedTime */
	int by_ca;             /* signed by a separate CA key */
	const char *host;      /* the target's host name, "" for a literal */
	/* expected */
	const char *want_subject;
	const char *want_san;
	const char *want_not_after;
	int want_self_signed, want_expired, want_matches;
};

static const struct cert_case cases[] = {
    {"self-signed with SANs", "mx.example.org", "smtplab, Inc",
     "DNS:mx.example.org,IP:192.0.2.1,DNS:mail.example.org", "20260101000000Z", "20990101000000Z",
     0, "mx.example.org", "CN = mx.example.org, O = \"smtplab, Inc\"",
     "mx.example.org;mail.example.org", "2099-01-01 00:00:00Z", 1, 0, 1},
    {"no name known", "mx.example.org", NULL, "DNS:mx.example.org", "20260101000000Z",
     "20990101000000Z", 0, "", "CN = mx.example.org", "mx.example.org", "2099-01-01 00:00:00Z", 1,
     0, -1},
    {"address literal: no match attempted", "mx.example.org", NULL, "IP:192.0.2.1",
     "20260101000000Z", "20990101000000Z", 0, "192.0.2.1", "CN = mx.example.org", "",
     "2099-01-01 00:00:00Z", 1, 0, -1},
    {"name does not match", "mx.example.org", NULL, "DNS:mx.example.org", "20260101000000Z",
     "20990101000000Z", 0, "relay.example.com", "CN = mx.example.org", "mx.example.org",
     "2099-01-01 00:00:00Z", 1, 0, 0},
    {"wildcard matches", "example.net", NULL, "DNS:*.example.net", "20260101000000Z",
     "20990101000000Z", 0, "mx.example.net", "CN = example.net", "*.example.net",
     "2099-01-01 00:00:00Z", 1, 0, 1},
    {"expired", "old.example.com", NULL, NULL, "20100101000000Z", "20110101000000Z", 0,
     "old.example.com", "CN = old.example.com", "", "2011-01-01 00:00:00Z", 1, 1, 1},
    {"issued by a CA", "mx.example.com", "Example", "DNS:mx.example.com", "20260101000000Z",
     "20990101000000Z", 1, "mx.example.com", "CN = mx.example.com, O = Example", "mx.example.com",
     "2099-01-01 00:00:00Z", 0, 0, 1},
};

static EVP_PKEY *ca_key;
static X509_NAME *ca_name;

static X509 *
make_cert(const struct cert_case *c, EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)c->subject_cn,
	                           -1, -1, 0);
	if (c->subject_o != NULL)
		X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
		                           (const unsigned char *)c->subject_o, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, c->by_ca ? ca_name : name);
	ASN1_TIME_set_string_X509(X509_getm_notBefore(x), c->not_before);
	ASN1_TIME_set_string_X509(X509_getm_notAfter(x), c->not_after);
	X509_set_pubkey(x, key);
	if (c->san != NULL) {
		X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
		X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, c->san);

		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	X509_sign(x, c->by_ca ? ca_key : key, EVP_sha256());
	X509_NAME_free(name);
	return x;
}

/* The fingerprint, computed here the long way, as `openssl x509` prints it. */
static void
fingerprint(X509 *x, char *buf, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	size_t len = 0;

	X509_digest(x, EVP_sha256(), md, &n);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, i ? ":%02X" : "%02X", md[i]);
}

static void
test_cases(EVP_PKEY *key)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cert_case *c = &cases[i];
		struct tls_facts f;
		char fp[CERT_SHA256_MAX];
		X509 *x = make_cert(c, key);

		memset(&f, 0, sizeof(f));
		tls_cert_facts(x, c->host, &f);
		fingerprint(x, fp, sizeof(fp));
		ok(f.have_cert, "%s: have_cert", c->name);
		is_str(f.subject, c->want_subject, "%s: subject", c->name);
		is_str(f.issuer, c->by_ca ? "CN = Example CA" : c->want_subject, "%s: issuer",
		       c->name);
		is_str(f.san, c->want_san, "%s: DNS names only, ';'-joined", c->name);
		is_str(f.not_after, c->want_not_after, "%s: not_after in ISO 8601", c->name);
		is_str(f.sha256, fp, "%s: SHA-256 fingerprint", c->name);
		is_int(strlen(f.sha256), 95, "%s: 32 bytes as colon-separated hex", c->name);
		is_int(f.self_signed, c->want_self_signed, "%s: self_signed", c->name);
		is_int(f.expired, c->want_expired, "%s: expired", c->name);
		is_int(f.matches, c->want_matches, "%s: matches", c->name);
		X509_free(x);
	}
}

/* Fields larger than their caps: cut to fit (SAN: whole names only). */
static void
test_caps(EVP_PKEY *key)
{
	static char o[400], san[3000];
	struct cert_case c = cases[0];
	struct tls_facts f;
	size_t i, len = 0;
	X509 *x;

	memset(o, 'O', 60); /* X.520 caps O at 64 characters */
	o[60] = '\0';
	for (i = 0; i < 60; i++)
		len += (size_t)snprintf(san + len, sizeof(san) - len, "%sDNS:host%03zu.example.org",
		                        i ? "," : "", i);
	c.subject_o = o;
	c.san = san;
	x = make_cert(&c, key);
	memset(&f, 0, sizeof(f));
	tls_cert_facts(x, "host000.example.org", &f);
	ok(strlen(f.san) < sizeof(f.san), "a long SAN list fits its field");
	ok(strlen(f.san) >= sizeof(f.san) - 20, "and fills it");
	ok(f.san[strlen(f.san) - 1] == 'g', "the last name is whole (ends in .org)");
	is_int(f.matches, 1, "a name past the kept list still matches");
	X509_free(x);
}

static void
test_file(EVP_PKEY *key)
{
	char path[] = "/tmp/smtpprobe-test-tls.XXXXXX", err[256] = "";
	struct tls_facts f, g;
	X509 *x = make_cert(&cases[0], key);
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	ok(fp != NULL, "temporary PEM file");
	if (fp == NULL)
		return;
	PEM_write_X509(fp, x);
	fclose(fp);
	memset(&f, 0, sizeof(f));
	memset(&g, 0, sizeof(g));
	tls_cert_facts(x, "mx.example.org", &f);
	is_int(tls_cert_facts_file(path, "mx.example.org", &g, err, sizeof(err)), 0,
	       "tls_cert_facts_file reads the PEM file");
	ok(memcmp(&f, &g, sizeof(f)) == 0, "the same facts as from memory");
	fp = fopen(path, "w");
	fputs("not a certificate\n", fp);
	fclose(fp);
	is_int(tls_cert_facts_file(path, "", &g, err, sizeof(err)), -1, "not PEM: -1");
	ok(strstr(err, "not a PEM certificate") != NULL, "not PEM: reason \"%s\"", err);
	unlink(path);
	is_int(tls_cert_facts_file(path, "", &g, err, sizeof(err)), -1, "no file: -1");
	ok(strstr(err, "cannot open") != NULL, "no file: reason \"%s\"", err);
	X509_free(x);
}

static void
test_context(void)
{
	char err[256] = "";
	SSL_CTX *ctx = tls_context_new(NULL, err, sizeof(err));
	SSL *ssl;

	ok(ctx != NULL, "client context with the system store");
	if (ctx == NULL)
		return;
	is_int(SSL_CTX_get_security_level(ctx), 0, "security level 0: old TLS is observed");
	ok((SSL_CTX_get_options(ctx) & SSL_OP_IGNORE_UNEXPECTED_EOF) != 0,
	   "SSL_OP_IGNORE_UNEXPECTED_EOF");
	is_int(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE, "verification never stops a probe");
	ssl = tls_client_new(ctx, "mx.example.org");
	is_str(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name), "mx.example.org",
	       "SNI for a host name");
	SSL_free(ssl);
	ssl = tls_client_new(ctx, "192.0.2.1");
	ok(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) == NULL, "no SNI for IPv4");
	SSL_free(ssl);
	ssl = tls_client_new(ctx, "2001:db8::1");
	ok(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) == NULL, "no SNI for IPv6");
	SSL_free(ssl);
	ssl = tls_client_new(ctx, "");
	ok(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) == NULL, "no SNI without a name");
	SSL_free(ssl);
	tls_context_free(ctx);

	ctx = tls_context_new("/nonexistent/ca.pem", err, sizeof(err));
	ok(ctx == NULL, "a CA file that cannot be read is an error");
	ok(strncmp(err, "--ca-file: ", 11) == 0, "reason names the option: \"%s\"", err);
	tls_context_free(ctx);
	ctx = tls_server_context_new("/nonexistent/c.pem", "/nonexistent/k.pem", err, sizeof(err));
	ok(ctx == NULL && strstr(err, "certificate") != NULL, "server context: missing cert \"%s\"",
	   err);
}

/* The run's context, made when a session first asks for it. */
static void
test_client_ctx(void)
{
	char err[256] = "";
	struct tls_client *c = tls_client_ctx_new(NULL, err, sizeof(err));
	SSL_CTX *ctx;

	ok(c != NULL, "a run's TLS client with the system store");
	if (c == NULL)
		return;
	ctx = tls_client_ctx_get(c, err, sizeof(err));
	ok(ctx != NULL, "its context is made when first asked for");
	ok(tls_client_ctx_get(c, err, sizeof(err)) == ctx, "and the same one is given after");
	is_int(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE, "with the settings of the run");
	tls_client_ctx_free(c);
	tls_client_ctx_free(NULL);

	err[0] = '\0';
	c = tls_client_ctx_new("/nonexistent/ca.pem", err, sizeof(err));
	ok(c == NULL, "with --ca-file, a CA file that cannot be read fails at once");
	ok(strncmp(err, "--ca-file: ", 11) == 0, "before any probe, naming the option: \"%s\"",
	   err);
	tls_client_ctx_free(c);
}

static void
test_names(void)
{
	is_str(tls_use_name(TLS_NONE), "none", "none");
	is_str(tls_use_name(TLS_OFFERED), "offered", "offered");
	is_str(tls_use_name(TLS_USED), "used", "used");
	is_str(tls_use_name(TLS_FAILED), "failed", "failed");
	is_str(tls_use_name(TLS_IMPLICIT), "implicit", "implicit");
	is_str(tls_use_name(TLS_USE_COUNT), "?", "out of range");
}

int
main(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");

	ca_key = EVP_EC_gen("P-256");
	ca_name = X509_NAME_new();
	X509_NAME_add_entry_by_txt(ca_name, "CN", MBSTRING_UTF8,
	                           (const unsigned char *)"Example CA", -1, -1, 0);
	ok(key != NULL && ca_key != NULL, "keys made");
	if (key == NULL || ca_key == NULL)
		return tap_done();
	test_cases(key);
	test_caps(key);
	test_file(key);
	test_context();
	test_client_ctx();
	test_names();
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	X509_NAME_free(ca_name);
	return tap_done();
}
