/*
 * relay.c: the relay-test plan; see relay.h.
 */
#include "config.h"

#include "prober/relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

void
probe_settings_default(struct probe_settings *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->ehlo, sizeof(s->ehlo), "%s", "smtpprobe.example.com");
	snprintf(s->mail_from, sizeof(s->mail_from), "%s", "probe@example.com");
	snprintf(s->rcpt_domain, sizeof(s->rcpt_domain), "%s", "example.net");
	s->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	s->timeout_ms = DEFAULT_TIMEOUT_MS;
	s->deadline_ms = DEFAULT_DEADLINE_MS;
}

static void
add_test(struct relay_result *out, size_t max, size_t *n, const char *name, enum relay_kind kind,
         const char *from, const char *to_local, const char *to_domain)
{
	struct relay_result *r;

	if (*n >= max)
		return;
	r = &out[(*n)++];
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->kind = kind;
	snprintf(r->mail_from, sizeof(r->mail_from), "%s", from);
	snprintf(r->rcpt_to, sizeof(r->rcpt_to), "%s@%s", to_local, to_domain);
}

size_t
relay_plan(const struct probe_settings *set, const struct target *t, struct relay_result *out,
           size_t max)
{
	size_t n = 0;

	(void)t; /* the variants that name the target come with --tests full */
	add_test(out, max, &n, "third-party", RELAY_THIRD_PARTY, set->mail_from, "relay-test",
	         set->rcpt_domain);
	add_test(out, max, &n, "localhost", RELAY_LOCALHOST, "probe@localhost", "probe",
	         "localhost");
	return n;
}

int
relay_address_literal(const struct sockaddr *sa, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];
	const void *addr;
	const char *tag;
	int n;

	if (sa->sa_family == AF_INET) {
		addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		tag = "";
	} else if (sa->sa_family == AF_INET6) {
		addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		tag = "IPv6:";
	} else
		return -1;
	if (inet_ntop(sa->sa_family, addr, ip, sizeof(ip)) == NULL)
		return -1;
	n = snprintf(buf, size, "[%s%s]", tag, ip);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
relay_word_ok(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>')
			return 0;
	}
	return i > 0 && i < max;
}
