/*
 * pack.c: a target packed for an open dialogue, and back (pack.h). Pure.
 */
#include "targets/pack.h"

#include <string.h>

int
target_pack(struct target_packed *p, struct arena *a, size_t first, const struct target *t)
{
	if (t->salen > sizeof(p->sa))
		return -1;
	memset(p, 0, sizeof(*p));
	memcpy(&p->sa, &t->sa, sizeof(p->sa));
	p->salen = t->salen;
	p->port = t->port;
	p->range_prefix = t->range_prefix;
	p->name_kind = (unsigned char)t->name_kind;
	p->message_flags = t->message_flags;
	if (arena_set_str(a, first + TT_IP, t->ip) != 0 ||
	    arena_set_str(a, first + TT_HOSTNAME, t->hostname) != 0 ||
	    arena_set_str(a, first + TT_ORIGIN, t->origin) != 0 ||
	    arena_set_str(a, first + TT_INPUT, t->input) != 0 ||
	    arena_set_str(a, first + TT_SKIP_REASON, t->skip_reason) != 0 ||
	    arena_set_str(a, first + TT_HOP, t->hop) != 0 ||
	    arena_set_str(a, first + TT_MESSAGE, t->message) != 0)
		return -1;
	return 0;
}

void
target_unpack(struct target *t, const struct target_packed *p, const struct arena *a, size_t first)
{
	memset(t, 0, sizeof(*t));
	memcpy(&t->sa, &p->sa, sizeof(p->sa));
	t->salen = p->salen;
	t->port = p->port;
	t->range_prefix = p->range_prefix;
	t->name_kind = (enum target_name)p->name_kind;
	t->message_flags = p->message_flags;
	arena_copy(a, first + TT_IP, t->ip, sizeof(t->ip));
	arena_copy(a, first + TT_HOSTNAME, t->hostname, sizeof(t->hostname));
	arena_copy(a, first + TT_ORIGIN, t->origin, sizeof(t->origin));
	arena_copy(a, first + TT_INPUT, t->input, sizeof(t->input));
	arena_copy(a, first + TT_SKIP_REASON, t->skip_reason, sizeof(t->skip_reason));
	arena_copy(a, first + TT_HOP, t->hop, sizeof(t->hop));
	arena_copy(a, first + TT_MESSAGE, t->message, sizeof(t->message));
}
