/*
 * pack.h: a target packed for an open dialogue (pure: no I/O).
 *
 * struct target is about 1.3 KB of fixed arrays, nearly all empty; a session
 * holds its target for the whole dialogue. Packed, it keeps the scalars and
 * the address (a sockaddr_in6 holds an IPv4 one too) and puts its texts in
 * the dialogue's arena (common/arena.h), TT_COUNT texts from index `first`,
 * each under the cap of its array in struct target (TARGET_TEXT_CAPS).
 */
#ifndef SMTPPROBE_PACK_H
#define SMTPPROBE_PACK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/arena.h"
#include "targets/target.h"

enum target_text {
	TT_IP,
	TT_HOSTNAME,
	TT_ORIGIN,
	TT_INPUT,
	TT_SKIP_REASON,
	TT_HOP,
	TT_MESSAGE,
	TT_COUNT
};

/* The caps of a packed target's texts, for the arena's table, from `first`. */
#define TARGET_TEXT_CAPS(first)                                                                    \
	[(first) + TT_IP] = INET6_ADDRSTRLEN, [(first) + TT_HOSTNAME] = TARGET_HOSTNAME_MAX,       \
	           [(first) + TT_ORIGIN] = TARGET_ORIGIN_MAX,                                      \
	           [(first) + TT_INPUT] = TARGET_INPUT_MAX,                                        \
	           [(first) + TT_SKIP_REASON] = TARGET_REASON_MAX,                                 \
	           [(first) + TT_HOP] = HOP_TEXT_MAX, [(first) + TT_MESSAGE] = TARGET_ORIGIN_MAX

struct target_packed {
	struct sockaddr_in6 sa; /* address and port, ready for connect(); salen says which */
	socklen_t salen;        /* 0 when the input was not an address */
	uint16_t port;
	unsigned char range_prefix;
	unsigned char name_kind; /* enum target_name */
	unsigned int message_flags;
};

/*
 * Packs t into p, its texts into a from index first. Returns 0, or -1 when
 * the arena could not grow (out of memory) or t's address is longer than a
 * sockaddr_in6.
 */
int target_pack(struct target_packed *p, struct arena *a, size_t first, const struct target *t);
/* Unpacks p (texts from a, from index first) into t, whole again. */
void target_unpack(struct target *t, const struct target_packed *p, const struct arena *a,
                   size_t first);

#endif
