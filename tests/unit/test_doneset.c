/*
 * test_doneset.c: the set of targets an earlier run reported (--resume):
 * counts per (address, port), IPv4-mapped addresses, look-ups after adds,
 * and a set of 100,000 keys in 18 bytes each.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "targets/doneset.h"
#include "tests/tap.h"

#define MANY 100000

static const struct sockaddr *
addr(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &((struct sockaddr_in *)ss)->sin_addr) == 1)
		ss->ss_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1)
		ss->ss_family = AF_INET6;
	return (const struct sockaddr *)ss;
}

static size_t
count(struct doneset *ds, const char *text, uint16_t port)
{
	struct sockaddr_storage ss;

	return doneset_count(ds, addr(text, &ss), port);
}

static void
test_basic(void)
{
	struct doneset *ds = doneset_new();
	struct sockaddr_storage ss;

	ok(ds != NULL, "doneset_new");
	is_int(count(ds, "192.0.2.1", 25), 0, "empty: nothing is done");
	is_int(doneset_add(ds, addr("192.0.2.1", &ss), 25), 0, "add 192.0.2.1:25");
	is_int(doneset_add(ds, addr("2001:db8::1", &ss), 2525), 0, "add [2001:db8::1]:2525");
	is_int(count(ds, "192.0.2.1", 25), 1, "192.0.2.1:25 done");
	is_int(count(ds, "::ffff:192.0.2.1", 25), 1, "its IPv4-mapped form too");
	is_int(count(ds, "192.0.2.1", 26), 0, "another port is another target");
	is_int(count(ds, "192.0.2.2", 25), 0, "another address too");
	is_int(count(ds, "2001:db8::1", 2525), 1, "[2001:db8::1]:2525 done");
	is_int(count(ds, "2001:db8::1", 25), 0, "not on port 25");
	/* Adds after a look-up are seen by the next one. */
	is_int(doneset_add(ds, addr("::ffff:192.0.2.1", &ss), 25), 0, "add its mapped form");
	is_int(doneset_add(ds, addr("192.0.2.0", &ss), 25), 0, "add 192.0.2.0:25");
	is_int(count(ds, "192.0.2.1", 25), 2, "two rows for 192.0.2.1:25");
	is_int(count(ds, "192.0.2.0", 25), 1, "192.0.2.0:25, added after a look-up");
	is_int(doneset_size(ds), 4, "four keys");
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	errno = 0;
	is_int(doneset_add(ds, (const struct sockaddr *)&ss, 25), -1, "not an address: -1");
	is_int(errno, EAFNOSUPPORT, "errno EAFNOSUPPORT");
	is_int(doneset_count(ds, (const struct sockaddr *)&ss, 25), 0, "and never done");
	doneset_free(ds);
	doneset_free(NULL);
	is_int(doneset_size(NULL), 0, "a NULL set is empty");
}

/* Keys added in a scattered order: each found, its neighbours not. */
static void
test_many(void)
{
	struct doneset *ds = doneset_new();
	struct sockaddr_storage ss;
	struct sockaddr_in sin;
	size_t i, missing = 0, extra = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	for (i = 0; i < MANY; i++) {
		/* An odd multiplier permutes 0..2^17-1: a scattered order. */
		uint32_t x = (uint32_t)((i * 40503u) & 0x1ffff);

		sin.sin_addr.s_addr = htonl(0xc6120000u + 2 * x); /* 198.18.0.0/15, even */
		memcpy(&ss, &sin, sizeof(sin));
		if (doneset_add(ds, (const struct sockaddr *)&ss, 25) != 0)
			break;
	}
	is_int(doneset_size(ds), MANY, "%d keys added", MANY);
	for (i = 0; i < MANY; i++) {
		uint32_t x = (uint32_t)((i * 40503u) & 0x1ffff);

		sin.sin_addr.s_addr = htonl(0xc6120000u + 2 * x);
		memcpy(&ss, &sin, sizeof(sin));
		missing += doneset_count(ds, (const struct sockaddr *)&ss, 25) != 1;
		extra += doneset_count(ds, (const struct sockaddr *)&ss, 26) != 0;
		sin.sin_addr.s_addr = htonl(0xc6120000u + 2 * x + 1);
		memcpy(&ss, &sin, sizeof(sin));
		extra += doneset_count(ds, (const struct sockaddr *)&ss, 25) != 0;
	}
	is_int(missing, 0, "each key found once");
	is_int(extra, 0, "no neighbour (next address, next port) found");
	doneset_free(ds);
}

/* Rows without an address, known by origin. */
static void
test_origins(void)
{
	struct doneset *ds = doneset_new();
	char origin[64];
	size_t i, missing = 0;

	is_int(doneset_has_origin(ds, "ips.txt:3"), 0, "origins: none yet");
	is_int(doneset_add_origin(ds, "ips.txt:3"), 0, "origins: add ips.txt:3");
	is_int(doneset_has_origin(ds, "ips.txt:3"), 1, "origins: ips.txt:3 done");
	is_int(doneset_has_origin(ds, "ips.txt:30"), 0, "origins: ips.txt:30 not");
	is_int(doneset_has_origin(ds, "ips.txt:"), 0, "origins: a prefix is not");
	/* Enough to outgrow the first buffer, added after a look-up. */
	for (i = 0; i < 5000; i++) {
		snprintf(origin, sizeof(origin), "list-%zu.txt:%zu", i % 7, i);
		if (doneset_add_origin(ds, origin) != 0)
			break;
	}
	for (i = 0; i < 5000; i++) {
		snprintf(origin, sizeof(origin), "list-%zu.txt:%zu", i % 7, i);
		missing += !doneset_has_origin(ds, origin);
	}
	is_int(missing, 0, "origins: 5,000 more, each found");
	is_int(doneset_has_origin(ds, "ips.txt:3"), 1, "origins: the first still found");
	is_int(doneset_has_origin(ds, "list-0.txt:1"), 0, "origins: one never added is not");
	is_int(doneset_size(ds), 0, "origins are not address keys");
	doneset_free(ds);
}

int
main(void)
{
	test_basic();
	test_many();
	test_origins();
	return tap_done();
}
