/*
 * test_rdns.c: the reverse-DNS rules (prober/rdns.c). Every rule of the
 * dynamic-rdns heuristic has a name it must catch and one it must not;
 * then the ptr and fcrdns columns and the DNS flags for each outcome of a
 * lookup; then cert_matches on PTR names, with certificates made here.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "prober/rdns.h"
#include "tests/tap.h"

struct dyn_case {
	const char *name;
	const char *addr;
	const char *want; /* the rule that fires, NULL for none */
};

static const struct dyn_case dyn_cases[] = {
    /* The address spelt out, forward. */
    {"host203-0-113-7.example.net", "203.0.113.7", "ip-dashed"},
    {"host203-0-113-70.example.net", "203.0.113.7", NULL},
    {"203.0.113.7.example.net", "203.0.113.7", "ip-dotted"},
    {"1203.0.113.7.example.net", "203.0.113.7", NULL},
    /* Reversed, as PTR zones are written. */
    {"7-113-0-203.example.net", "203.0.113.7", "ip-reversed-dashed"},
    {"7-113-0-204.example.net", "203.0.113.7", NULL},
    {"7.113.0.203.static.example.net", "203.0.113.7", "ip-reversed-dotted"},
    {"17.113.0.203.example.net", "203.0.113.7", NULL},
    /* Zero-padded and hex. */
    {"h203000113007.example.net", "203.0.113.7", "ip-padded"},
    {"h203000113008.example.net", "203.0.113.7", NULL},
    {"ip-CB007107.example.net", "203.0.113.7", "ip-hex"},
    {"ip-cb0071071.example.net", "203.0.113.7", NULL},
    /* One letter and the last octet: the seed's name. */
    {"d102.GtokyoFL38.vectant.ne.jp", "202.215.137.102", "octet-label"},
    {"d102.GtokyoFL38.vectant.ne.jp", "202.215.137.103", NULL},
    {"mx102.example.com", "202.215.137.102", NULL},
    /* Words of consumer pools, whole. */
    {"p1234-ipbf.dsl.example.net", "192.0.2.1", "word"},
    {"pool-77.example.net", "192.0.2.1", "word"},
    {"host.DHCP.example.org", "192.0.2.1", "word"},
    {"res.example.net", "192.0.2.1", "word"},
    {"cust42.example.net", "192.0.2.1", "word"},
    {"flets-west.example.jp", "192.0.2.1", "word"},
    {"dyn.example.net", "2001:db8::7", "word"},
    {"mail.example.com", "192.0.2.1", NULL},
    {"mail.example.com", "2001:db8::7", NULL},
    {"resources.example.net", "192.0.2.1", NULL},
    {"poolside.example.com", "192.0.2.1", NULL},
    /* Address rules are IPv4's; a mapped address is IPv4. */
    {"7-113-0-203.example.net", "2001:db8::7", NULL},
    {"7-113-0-203.example.net", "::ffff:203.0.113.7", "ip-reversed-dashed"},
    /* Untrusted input. */
    {"", "192.0.2.1", NULL},
    {".", "192.0.2.1", NULL},
};

static void
make_sa(const char *addr, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 sin6;

		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &sin6.sin6_addr);
		memcpy(ss, &sin6, sizeof(sin6));
	} else {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin.sin_addr);
		memcpy(ss, &sin, sizeof(sin));
	}
}

static void
test_dynamic(void)
{
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < sizeof(dyn_cases) / sizeof(dyn_cases[0]); i++) {
		const struct dyn_case *c = &dyn_cases[i];

		make_sa(c->addr, &ss);
		is_str(rdns_dynamic_rule(c->name, (const struct sockaddr *)&ss), c->want,
		       "\"%s\" for %s: %s", c->name, c->addr, c->want ? c->want : "not dynamic");
	}
	/* A name longer than any DNS name is not judged at all. */
	{
		char longname[DNS_HOSTNAME_MAX + 10];

		memset(longname, 'a', sizeof(longname) - 1);
		memcpy(longname, "dyn.", 4);
		longname[sizeof(longname) - 1] = '\0';
		make_sa("192.0.2.1", &ss);
		is_str(rdns_dynamic_rule(longname, (const struct sockaddr *)&ss), NULL,
		       "an over-long name is not judged");
		is_str(rdns_dynamic_rule(NULL, (const struct sockaddr *)&ss), NULL, "NULL name");
	}
}

struct apply_case {
	const char *what;
	const char *addr;
	enum dns_status status;
	const char *names[3];
	int confirmed;
	enum dns_status fwd;
	const char *banner;
	const char *ehlo;
	const char *want_ptr;
	const char *want_fcrdns;
	unsigned int want_flags;
};

static const struct apply_case apply_cases[] = {
    {"confirmed",
     "192.0.2.2",
     DNS_OK,
     {"mail.example.com"},
     1,
     DNS_OK,
     "220 mail.example.com ESMTP",
     "mail.example.com",
     "mail.example.com",
     "yes",
     0},
    {"forward disagrees",
     "192.0.2.3",
     DNS_OK,
     {"liar.example.com"},
     0,
     DNS_OK,
     "220 liar.example.com ESMTP",
     "liar.example.com",
     "liar.example.com",
     "no",
     FLAG_FCRDNS_MISMATCH},
    {"forward NXDOMAIN",
     "192.0.2.3",
     DNS_OK,
     {"gone.example.com"},
     0,
     DNS_NOT_FOUND,
     "",
     "",
     "gone.example.com",
     "no",
     FLAG_FCRDNS_MISMATCH},
    {"forward timed out",
     "192.0.2.3",
     DNS_OK,
     {"slow.example.com"},
     0,
     DNS_TIMEOUT,
     "",
     "",
     "slow.example.com",
     "timeout",
     0},
    {"forward failed",
     "192.0.2.3",
     DNS_OK,
     {"broken.example.com"},
     0,
     DNS_FAILED,
     "",
     "",
     "broken.example.com",
     "error",
     0},
    {"no PTR",
     "192.0.2.4",
     DNS_NOT_FOUND,
     {NULL},
     0,
     DNS_OK,
     "220 localhost",
     "localhost",
     "",
     "none",
     FLAG_NO_PTR},
    {"PTR timed out", "192.0.2.5", DNS_TIMEOUT, {NULL}, 0, DNS_OK, "", "", "", "timeout", 0},
    {"PTR failed", "192.0.2.5", DNS_FAILED, {NULL}, 0, DNS_OK, "", "", "", "error", 0},
    {"cancelled", "192.0.2.5", DNS_CANCELLED, {NULL}, 0, DNS_OK, "", "", "", "", 0},
    {"the seed",
     "202.215.137.102",
     DNS_OK,
     {"d102.GtokyoFL38.vectant.ne.jp"},
     1,
     DNS_OK,
     "220 localhost ESMTP",
     "localhost",
     "d102.GtokyoFL38.vectant.ne.jp",
     "yes",
     FLAG_DYNAMIC_RDNS},
    {"greeting names another host",
     "192.0.2.2",
     DNS_OK,
     {"mail.example.com"},
     1,
     DNS_OK,
     "220 mx.example.org ESMTP",
     "mail.example.com",
     "mail.example.com",
     "yes",
     FLAG_NAME_NOT_PTR},
    {"EHLO names another host",
     "192.0.2.2",
     DNS_OK,
     {"mail.example.com"},
     1,
     DNS_OK,
     "220 mail.example.com ESMTP",
     "mx.example.org",
     "mail.example.com",
     "yes",
     FLAG_NAME_NOT_PTR},
    {"case and final dot do not matter",
     "192.0.2.2",
     DNS_OK,
     {"mail.example.com"},
     1,
     DNS_OK,
     "220 MAIL.Example.COM. ESMTP",
     "mail.example.com.",
     "mail.example.com",
     "yes",
     0},
    {"a bare name or a literal is not compared",
     "192.0.2.2",
     DNS_OK,
     {"mail.example.com"},
     1,
     DNS_OK,
     "220 mailhost ESMTP",
     "[192.0.2.2]",
     "mail.example.com",
     "yes",
     0},
    {"two PTR names, the second named",
     "192.0.2.6",
     DNS_OK,
     {"a.example.com", "b.example.com"},
     1,
     DNS_OK,
     "220-b.example.com ESMTP\n220 hello",
     "b.example.com",
     "a.example.com;b.example.com",
     "yes",
     0},
};

static void
test_apply(void)
{
	size_t i, k;

	for (i = 0; i < sizeof(apply_cases) / sizeof(apply_cases[0]); i++) {
		const struct apply_case *c = &apply_cases[i];
		struct probe_result r;
		struct dns_rdns d;
		struct target t;

		memset(&t, 0, sizeof(t));
		make_sa(c->addr, &t.sa);
		probe_result_init(&r, &t);
		r.flags = FLAG_STARTTLS; /* flags already set are kept */
		snprintf(r.banner, sizeof(r.banner), "%s", c->banner);
		snprintf(r.ehlo_name, sizeof(r.ehlo_name), "%s", c->ehlo);
		memset(&d, 0, sizeof(d));
		d.status = c->status;
		d.confirmed = c->confirmed;
		d.fwd_status = c->fwd;
		for (k = 0; k < 3 && c->names[k] != NULL; k++)
			snprintf(d.names[d.nnames++], DNS_HOSTNAME_MAX, "%s", c->names[k]);
		rdns_apply(&r, &d, NULL);
		is_str(r.ptr, c->want_ptr, "%s: ptr", c->what);
		is_str(fcrdns_name(r.fcrdns), c->want_fcrdns, "%s: fcrdns %s", c->what,
		       c->want_fcrdns);
		is_int(r.flags, c->want_flags | FLAG_STARTTLS, "%s: flags", c->what);
	}
}

/* cert_matches from PTR names, when the target had no host name: the
 * certificate the session kept, checked with X509_check_host. */
struct cert_case {
	const char *what;
	const char *san;    /* X509V3 config syntax, NULL: no extension */
	const char *cn, *o; /* the subject's CN and O, NULL: none */
	const char *ptr;
	int keep; /* 0: no certificate kept (rdns_apply gets NULL) */
	int before, want;
};

static const struct cert_case cert_cases[] = {
    {"a SAN equals the PTR name", "DNS:mx.example.net,DNS:mail.example.net", NULL, NULL,
     "mail.example.net", 1, -1, 1},
    {"case and a final dot do not matter", "DNS:MX.Example.NET", NULL, NULL, "mx.example.net.", 1,
     -1, 1},
    {"a wildcard stands for one label", "DNS:*.example.net", NULL, NULL, "mx1.example.net", 1, -1,
     1},
    {"never for two labels", "DNS:*.example.net", NULL, NULL, "a.b.example.net", 1, -1, 0},
    {"nor for none", "DNS:*.example.net", NULL, NULL, "example.net", 1, -1, 0},
    {"nor for part of a label", "DNS:mx*.example.net", NULL, NULL, "mx1.example.net", 1, -1, 0},
    {"no SAN: the subject's CN", NULL, "mx.example.org", "Example", "mx.example.org", 1, -1, 1},
    {"a DNS SAN hides the CN", "DNS:mx.example.net", "mx.example.org", NULL, "mx.example.org", 1,
     -1, 0},
    {"a PTR name the certificate does not name", "DNS:mx.example.net", NULL, NULL,
     "d102.example.com", 1, -1, 0},
    {"a host name already decided it: kept", "DNS:mx.example.net", NULL, NULL, "mx.example.net", 1,
     0, 0},
    {"no certificate kept: unknown", "DNS:mx.example.net", NULL, NULL, "mx.example.net", 0, -1, -1},
};

static X509 *
make_cert(const struct cert_case *c, EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	if (c->cn != NULL)
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)c->cn,
		                           -1, -1, 0);
	if (c->o != NULL)
		X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)c->o,
		                           -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	if (c->san != NULL) {
		X509_EXTENSION *ext;

		X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, c->san);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	X509_sign(x, key, EVP_sha256());
	X509_NAME_free(name);
	return x;
}

static void
test_cert_matches(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	size_t i;

	ok(key != NULL, "a key for the test certificates");
	for (i = 0; key != NULL && i < sizeof(cert_cases) / sizeof(cert_cases[0]); i++) {
		const struct cert_case *c = &cert_cases[i];
		X509 *x = make_cert(c, key);
		struct probe_result r;
		struct dns_rdns d;
		struct target t;

		memset(&t, 0, sizeof(t));
		make_sa("192.0.2.7", &t.sa);
		probe_result_init(&r, &t);
		r.tls.have_cert = 1;
		r.tls.matches = c->before;
		memset(&d, 0, sizeof(d));
		d.status = DNS_OK;
		snprintf(d.names[d.nnames++], DNS_HOSTNAME_MAX, "%s", c->ptr);
		rdns_apply(&r, &d, c->keep ? x : NULL);
		is_int(r.tls.matches, c->want, "cert_matches: %s", c->what);
		X509_free(x);
	}
	EVP_PKEY_free(key);
}

int
main(void)
{
	test_dynamic();
	test_apply();
	test_cert_matches();
	return tap_done();
}
