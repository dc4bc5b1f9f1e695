/*
 * doneset.c: the targets an earlier run already reported; see doneset.h.
 */
#include "config.h"

#include "targets/doneset.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define DONESET_KEY_SIZE     18 /* 16 address bytes, 2 port bytes */
#define DONESET_INITIAL_KEYS 1024

#define DONESET_INITIAL_TEXT 4096

struct doneset {
	unsigned char *keys; /* n keys of DONESET_KEY_SIZE bytes */
	size_t n, cap;
	int sorted; /* keys[0..n) is in memcmp order */

	char *text; /* norigins origins, each ended by its NUL */
	size_t text_len, text_cap, norigins;
	const char **origins; /* into text, sorted; NULL until the first look-up */
};

static int
key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, DONESET_KEY_SIZE);
}

static int
origin_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 0, or -1 for a family that is not an address. */
static int
make_key(const struct sockaddr *sa, uint16_t port, unsigned char *k)
{
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		memset(k, 0, 10);
		k[10] = k[11] = 0xff;
		memcpy(k + 12, &sin.sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		memcpy(k, sin6.sin6_addr.s6_addr, 16);
	} else {
		return -1;
	}
	k[16] = (unsigned char)(port >> 8);
	k[17] = (unsigned char)(port & 0xff);
	return 0;
}

struct doneset *
doneset_new(void)
{
	return calloc(1, sizeof(struct doneset));
}

void
doneset_free(struct doneset *ds)
{
	if (ds == NULL)
		return;
	free(ds->keys);
	free(ds->text);
	free(ds->origins);
	free(ds);
}

int
doneset_add(struct doneset *ds, const struct sockaddr *sa, uint16_t port)
{
	unsigned char k[DONESET_KEY_SIZE];

	if (make_key(sa, port, k) != 0) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : DONESET_INITIAL_KEYS;
		unsigned char *v;

		if (cap > SIZE_MAX / DONESET_KEY_SIZE ||
		    (v = realloc(ds->keys, cap * DONESET_KEY_SIZE)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		ds->keys = v;
		ds->cap = cap;
	}
	memcpy(ds->keys + ds->n * DONESET_KEY_SIZE, k, DONESET_KEY_SIZE);
	ds->n++;
	ds->sorted = 0;
	return 0;
}

/* The first index whose key is not below k (upper: above k). */
static size_t
bound(const struct doneset *ds, const unsigned char *k, int upper)
{
	size_t lo = 0, hi = ds->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(ds->keys + mid * DONESET_KEY_SIZE, k, DONESET_KEY_SIZE);

		if (c < 0 || (upper && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
doneset_count(struct doneset *ds, const struct sockaddr *sa, uint16_t port)
{
	unsigned char k[DONESET_KEY_SIZE];

	if (ds == NULL || ds->n == 0 || make_key(sa, port, k) != 0)
		return 0;
	if (!ds->sorted) {
		qsort(ds->keys, ds->n, DONESET_KEY_SIZE, key_cmp);
		ds->sorted = 1;
		if (ds->cap > ds->n) {
			/* Reading is over: give back the doubling's spare room. */
			unsigned char *v = realloc(ds->keys, ds->n * DONESET_KEY_SIZE);

			if (v != NULL) {
				ds->keys = v;
				ds->cap = ds->n;
			}
		}
	}
	return bound(ds, k, 1) - bound(ds, k, 0);
}

int
doneset_add_origin(struct doneset *ds, const char *origin)
{
	size_t len = strlen(origin) + 1;

	if (ds->text_cap - ds->text_len < len) {
		size_t cap = ds->text_cap ? ds->text_cap : DONESET_INITIAL_TEXT;
		char *v;

		while (cap - ds->text_len < len) {
			if (cap > SIZE_MAX / 2) {
				errno = ENOMEM;
				return -1;
			}
			cap *= 2;
		}
		if ((v = realloc(ds->text, cap)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		ds->text = v;
		ds->text_cap = cap;
	}
	memcpy(ds->text + ds->text_len, origin, len);
	ds->text_len += len;
	ds->norigins++;
	free(ds->origins); /* made again, with this one, at the next look-up */
	ds->origins = NULL;
	return 0;
}

int
doneset_has_origin(struct doneset *ds, const char *origin)
{
	if (ds == NULL || ds->norigins == 0)
		return 0;
	if (ds->origins == NULL) {
		size_t i, at;

		if ((ds->origins = malloc(ds->norigins * sizeof(*ds->origins))) == NULL)
			return 0; /* not known as done: the row is made again, never lost */
		for (i = 0, at = 0; i < ds->norigins; i++) {
			ds->origins[i] = ds->text + at;
			at += strlen(ds->text + at) + 1;
		}
		qsort(ds->origins, ds->norigins, sizeof(*ds->origins), origin_cmp);
	}
	return bsearch(&origin, ds->origins, ds->norigins, sizeof(*ds->origins), origin_cmp) !=
	       NULL;
}

size_t
doneset_size(const struct doneset *ds)
{
	return ds != NULL ? ds->n : 0;
}
