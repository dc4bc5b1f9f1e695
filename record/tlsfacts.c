/*
 * tlsfacts.c: the names of the `starttls` column and the certificate name
 * check, on the plain facts; see tlsfacts.h. No OpenSSL here.
 */
#include "record/tlsfacts.h"

#include <string.h>
#include <strings.h>

static const char *const use_names[TLS_USE_COUNT] = {
    [TLS_NONE] = "none",     [TLS_OFFERED] = "offered",   [TLS_USED] = "used",
    [TLS_FAILED] = "failed", [TLS_IMPLICIT] = "implicit",
};

const char *
tls_use_name(enum tls_use u)
{
	if ((unsigned)u >= TLS_USE_COUNT)
		return "?";
	return use_names[u];
}

/* One certificate name (n bytes) against a host name, RFC 6125 style. */
static int
cert_name_matches(const char *pat, size_t n, const char *name, size_t len)
{
	const char *dot;

	if (n >= 2 && pat[0] == '*' && pat[1] == '.') {
		/* The wildcard stands for one whole, non-empty label. */
		dot = memchr(name, '.', len);
		if (dot == NULL || dot == name)
			return 0;
		len -= (size_t)(dot - name);
		name = dot;
		pat++;
		n--;
	}
	return n == len && strncasecmp(pat, name, n) == 0;
}

int
tls_facts_match_name(const struct tls_facts *f, const char *name)
{
	size_t len = strlen(name);
	const char *p, *end;

	if (!f->have_cert || len == 0)
		return 0;
	if (name[len - 1] == '.')
		len--;
	if (f->san[0] != '\0') {
		for (p = f->san; *p != '\0'; p = *end ? end + 1 : end) {
			end = strchr(p, ';');
			if (end == NULL)
				end = p + strlen(p);
			if (cert_name_matches(p, (size_t)(end - p), name, len))
				return 1;
		}
		return 0;
	}
	/* No subjectAltName: the subject's CN, as in "CN = mx.example.com, O = ...". */
	if ((p = strstr(f->subject, "CN = ")) == NULL)
		return 0;
	p += 5;
	end = p + strcspn(p, ",");
	return cert_name_matches(p, (size_t)(end - p), name, len);
}
