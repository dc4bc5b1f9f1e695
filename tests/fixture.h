/*
 * fixture.h: records the unit tests build by hand.
 */
#ifndef SMTPPROBE_TESTS_FIXTURE_H
#define SMTPPROBE_TESTS_FIXTURE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "targets/target.h"

/* The target the parser makes of the line "ip" (IPv4 or IPv6) at origin,
 * to be probed on port. */
static inline void
fixture_target(struct target *t, const char *ip, unsigned port, const char *origin)
{
	memset(t, 0, sizeof(*t));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->sa;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, ip, &sin6->sin6_addr);
		t->salen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->sa;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, ip, &sin->sin_addr);
		t->salen = sizeof(*sin);
	}
	t->port = (uint16_t)port;
	snprintf(t->ip, sizeof(t->ip), "%s", ip);
	snprintf(t->origin, sizeof(t->origin), "%s", origin);
	snprintf(t->input, sizeof(t->input), "%s", ip);
}

#endif
