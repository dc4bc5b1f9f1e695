/*
 * test_iptext.c: ip_text writes what inet_ntop writes, for the IPv4
 * addresses at every digit count's edges, 200,000 random ones, IPv6 (which
 * it hands to inet_ntop), and buffers one byte too small.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "common/iptext.h"
#include "tests/tap.h"

/* 1 when ip_text and inet_ntop agree on a (4 bytes) with size bytes. */
static int
same4(const unsigned char a[4], size_t size)
{
	char got[INET_ADDRSTRLEN + 8], want[INET_ADDRSTRLEN + 8];
	const char *g, *w;

	memset(got, 'x', sizeof(got));
	memset(want, 'x', sizeof(want));
	g = ip_text(AF_INET, a, got, size);
	w = inet_ntop(AF_INET, a, want, (socklen_t)size);
	if (w == NULL)
		return g == NULL && errno == ENOSPC && got[0] == 'x';
	return g == got && strcmp(got, want) == 0;
}

int
main(void)
{
	static const unsigned char edges[][4] = {
	    {0, 0, 0, 0},     {255, 255, 255, 255}, {9, 10, 99, 100}, {127, 0, 0, 1},
	    {192, 0, 2, 1},   {198, 51, 100, 254},  {203, 0, 113, 7}, {1, 20, 200, 0},
	    {100, 64, 0, 10}, {10, 0, 0, 255},
	};
	unsigned char a[4], v6[16];
	char got[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN];
	uint32_t seed = 2463534242u; /* xorshift32: the same addresses every run */
	size_t i, bad = 0;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		size_t len = strlen(inet_ntop(AF_INET, edges[i], want, sizeof(want)));

		ok(same4(edges[i], INET_ADDRSTRLEN), "%s as inet_ntop writes it", want);
		ok(same4(edges[i], len + 1) && same4(edges[i], len),
		   "%s: exactly room, then a byte short", want);
	}
	for (i = 0; i < 200000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		memcpy(a, &seed, sizeof(a));
		bad += !same4(a, INET_ADDRSTRLEN);
	}
	is_int((int)bad, 0, "200,000 random addresses as inet_ntop writes them");

	inet_pton(AF_INET6, "2001:db8::25", v6);
	ok(ip_text(AF_INET6, v6, got, sizeof(got)) == got &&
	       strcmp(got, inet_ntop(AF_INET6, v6, want, sizeof(want))) == 0,
	   "IPv6 is inet_ntop's: %s", got);
	errno = 0;
	ok(ip_text(AF_UNIX, v6, got, sizeof(got)) == NULL && errno == EAFNOSUPPORT,
	   "another family: NULL, EAFNOSUPPORT");
	return tap_done();
}
