/*
 * arena.c: one buffer for a dialogue's texts (arena.h). Pure: no I/O.
 */
#include "common/arena.h"

#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"

int
arena_init(struct arena *a, struct arena_ref *refs, const uint16_t *caps, size_t nrefs,
           void *(*alloc)(size_t))
{
	size_t i, sum = 0;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < nrefs; i++)
		sum += caps[i];
	if (nrefs > UINT16_MAX || sum > UINT16_MAX)
		return -1;
	memset(refs, 0, nrefs * sizeof(*refs));
	a->refs = refs;
	a->caps = caps;
	a->alloc = alloc != NULL ? alloc : malloc;
	a->nrefs = (uint16_t)nrefs;
	a->limit = (uint16_t)sum;
	return 0;
}

void
arena_free(struct arena *a)
{
	free(a->buf);
	a->buf = NULL;
	a->size = a->used = 0;
	if (a->refs != NULL)
		memset(a->refs, 0, a->nrefs * sizeof(*a->refs));
}

/*
 * Makes room for want more bytes at a->used. When the buffer is full, a new
 * one takes the live texts but text skip (about to move), packed, and
 * doubles only when they and want do not fit the old size. Returns 0, or -1
 * (nothing changed) when no buffer could be had.
 */
static int
arena_room(struct arena *a, size_t skip, size_t want)
{
	size_t live = 0, size, off = 0, i;
	char *nb;

	if ((size_t)a->used + want <= a->size)
		return 0;
	/* Before the first text (used 0) no slot holds one: nothing to count
	 * or move. */
	for (i = 0; a->used != 0 && i < a->nrefs; i++)
		if (i != skip && a->refs[i].room != 0)
			live += (size_t)a->refs[i].len + 1;
	size = a->size != 0 ? a->size : ARENA_START_BYTES;
	while (size < live + want)
		size *= 2;
	if (size > a->limit)
		size = a->limit;
	if (size < live + want || (nb = a->alloc(size)) == NULL)
		return -1;
	for (i = 0; a->used != 0 && i < a->nrefs; i++) {
		struct arena_ref *r = &a->refs[i];

		if (i == skip || r->room == 0)
			continue;
		memcpy(nb + off, a->buf + r->off, (size_t)r->len + 1);
		r->off = (uint16_t)off;
		r->room = (uint16_t)(r->len + 1);
		off += (size_t)r->len + 1;
	}
	a->refs[skip].room = 0; /* its slot stays behind in the old buffer */
	a->refs[skip].len = 0;
	free(a->buf);
	a->buf = nb;
	a->size = (uint16_t)size;
	a->used = (uint16_t)off;
	return 0;
}

int
arena_set(struct arena *a, size_t i, const char *s, size_t len)
{
	struct arena_ref *r;

	if (i >= a->nrefs || a->caps[i] == 0)
		return -1;
	r = &a->refs[i];
	if (len > (size_t)a->caps[i] - 1)
		len = (size_t)a->caps[i] - 1;
	if (len == 0 && r->room == 0)
		return 0; /* "" needs no slot */
	if (len + 1 > r->room) {
		/* The last slot grows where it is: text appended to in steps
		 * (the EHLO keywords) leaves no old copies behind. */
		if (r->room == 0 || (size_t)r->off + r->room != a->used ||
		    (size_t)r->off + len + 1 > a->size) {
			if (arena_room(a, i, len + 1) != 0)
				return -1;
			r->off = a->used;
		}
		r->room = (uint16_t)(len + 1);
		a->used = (uint16_t)(r->off + len + 1);
	}
	memcpy(a->buf + r->off, s, len);
	a->buf[r->off + len] = '\0';
	r->len = (uint16_t)len;
	return 0;
}

int
arena_set_str(struct arena *a, size_t i, const char *s)
{
	return arena_set(a, i, s, strlen(s));
}

const char *
arena_get(const struct arena *a, size_t i)
{
	if (i >= a->nrefs || a->refs[i].room == 0)
		return "";
	return a->buf + a->refs[i].off;
}

size_t
arena_len(const struct arena *a, size_t i)
{
	return i < a->nrefs ? a->refs[i].len : 0;
}

void
arena_copy(const struct arena *a, size_t i, char *dst, size_t size)
{
	size_t n = arena_len(a, i);

	if (n >= size)
		n = size - 1;
	memcpy(dst, arena_get(a, i), n);
	dst[n] = '\0';
}
