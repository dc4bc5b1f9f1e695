/*
 * test_target_pack.c: a target packed for a dialogue and unpacked again
 * (targets/pack.h) is the same record: every field, empty and at its
 * longest, IPv4, IPv6, a skipped line and a message's hop.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "targets/pack.h"
#include "tests/tap.h"

enum { FIRST = 3, NTEXTS = FIRST + TT_COUNT + 2 }; /* texts of others around the target's */
static const uint16_t caps[NTEXTS] = {[0] = 16,
                                      [1] = 16,
                                      [2] = 16,
                                      TARGET_TEXT_CAPS(FIRST),
                                      [FIRST + TT_COUNT] = 16,
                                      [FIRST + TT_COUNT + 1] = 16};

/* Fills dst (size bytes) with its longest text: size - 1 bytes, every byte
 * value but NUL. */
static void
longest(char *dst, size_t size, int seed)
{
	size_t i;

	for (i = 0; i + 1 < size; i++)
		dst[i] = (char)(1 + (i * 7 + (size_t)seed) % 255);
	dst[size - 1] = '\0';
}

static void
round_trip(const struct target *t, const char *what)
{
	struct arena_ref refs[NTEXTS];
	struct target_packed p;
	struct target back;
	struct arena a;

	arena_init(&a, refs, caps, NTEXTS, NULL);
	arena_set_str(&a, 0, "before");
	is_int(target_pack(&p, &a, FIRST, t), 0, "%s: packed", what);
	arena_set_str(&a, FIRST + TT_COUNT, "after");
	memset(&back, 0x55, sizeof(back));
	target_unpack(&back, &p, &a, FIRST);
	is_str(back.ip, t->ip, "%s: ip", what);
	is_str(back.hostname, t->hostname, "%s: hostname", what);
	is_str(back.origin, t->origin, "%s: origin", what);
	is_str(back.input, t->input, "%s: input", what);
	is_str(back.skip_reason, t->skip_reason, "%s: skip_reason", what);
	is_str(back.hop, t->hop, "%s: hop", what);
	is_str(back.message, t->message, "%s: message", what);
	ok(back.salen == t->salen && back.port == t->port && back.range_prefix == t->range_prefix &&
	       back.message_flags == t->message_flags && back.name_kind == t->name_kind &&
	       memcmp(&back.sa, &t->sa, sizeof(back.sa)) == 0,
	   "%s: the scalars and the address", what);
	is_str(arena_get(&a, 0), "before", "%s: the texts around it untouched", what);
	is_str(arena_get(&a, FIRST + TT_COUNT), "after", "%s: (2)", what);
	ok(p.salen == t->salen, "%s: the packed address's length", what);
	arena_free(&a);
}

/* Clears t and gives it the IPv4 address ip and port. */
static void
ipv4_target(struct target *t, const char *ip, uint16_t port)
{
	struct sockaddr_in sin;

	memset(t, 0, sizeof(*t));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin.sin_addr);
	target_set_addr(t, (struct sockaddr *)&sin, port);
}

int
main(void)
{
	struct sockaddr_in6 sin6;
	static struct target t;

	ipv4_target(&t, "192.0.2.1", 2525);
	strcpy(t.origin, "ips.txt:12");
	strcpy(t.input, "192.0.2.1:2525");
	round_trip(&t, "IPv4 from a list");

	memset(&t, 0, sizeof(t));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:ffff:ffff:ffff:ffff:255.255.255.255", &sin6.sin6_addr);
	sin6.sin6_scope_id = 7;
	target_set_addr(&t, (struct sockaddr *)&sin6, 65535);
	t.range_prefix = 128;
	t.name_kind = TARGET_NAME_MX;
	t.message_flags = 0xffffffffu;
	longest(t.ip, sizeof(t.ip), 1);
	longest(t.hostname, sizeof(t.hostname), 2);
	longest(t.origin, sizeof(t.origin), 3);
	longest(t.input, sizeof(t.input), 4);
	longest(t.skip_reason, sizeof(t.skip_reason), 5);
	longest(t.hop, sizeof(t.hop), 6);
	longest(t.message, sizeof(t.message), 7);
	round_trip(&t, "IPv6, every text at its longest");

	memset(&t, 0, sizeof(t));
	strcpy(t.origin, "arg:1");
	strcpy(t.input, "not-an-address");
	strcpy(t.skip_reason, "not an address: \"not-an-address\"");
	round_trip(&t, "a skipped line, no address");

	ipv4_target(&t, "203.0.113.7", 25);
	strcpy(t.hostname, "mx.example.net");
	strcpy(t.hop, "1:suspect");
	strcpy(t.message, "spam.eml");
	t.message_flags = 5;
	t.name_kind = TARGET_NAME_HOST;
	round_trip(&t, "a message's hop, a name");
	return tap_done();
}
