/*
 * fuzz_rdns.c: the reverse-DNS rules on arbitrary names (PTR names come
 * from whoever runs the address's reverse zone). The first 4 bytes are the
 * IPv4 address the name is judged against (16 with the fifth byte odd:
 * IPv6); the rest is split at newlines into PTR names, a greeting and an
 * EHLO name.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "prober/rdns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_result r;
	struct dns_rdns d;
	struct target t;
	const char *p, *end;
	size_t alen = 4;

	if (size < 5)
		return 0;
	memset(&t, 0, sizeof(t));
	if (data[4] & 1) {
		struct sockaddr_in6 sin6;

		if (size < 17)
			return 0;
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, data, 16);
		memcpy(&t.sa, &sin6, sizeof(sin6));
		alen = 17;
	} else {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, data, 4);
		memcpy(&t.sa, &sin, sizeof(sin));
		alen = 5;
	}
	probe_result_init(&r, &t);
	memset(&d, 0, sizeof(d));
	d.status = (enum dns_status)(data[4] >> 1) % (DNS_CANCELLED + 1);
	d.confirmed = (data[4] >> 4) & 1;
	d.fwd_status = (enum dns_status)(data[4] >> 5) % (DNS_CANCELLED + 1);

	/* Lines: PTR names (at most DNS_PTR_NAMES_MAX), then the greeting and
	 * the EHLO name, each cut to its field; NUL bytes end a C string early,
	 * as they would in what c-ares hands over. */
	p = (const char *)data + alen;
	end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl != NULL ? nl : end) - p);
		char *dst;
		size_t cap;

		if (d.nnames < DNS_PTR_NAMES_MAX) {
			dst = d.names[d.nnames++];
			cap = DNS_HOSTNAME_MAX;
		} else if (r.banner[0] == '\0') {
			dst = r.banner;
			cap = sizeof(r.banner);
		} else {
			dst = r.ehlo_name;
			cap = sizeof(r.ehlo_name);
		}
		if (n >= cap)
			n = cap - 1;
		memcpy(dst, p, n);
		dst[n] = '\0';
		(void)rdns_dynamic_rule(dst, (const struct sockaddr *)&t.sa);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	rdns_apply(&r, &d, NULL);
	return 0;
}
