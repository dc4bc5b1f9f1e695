/*
 * arena.h: the texts of one open dialogue, in one buffer sized to what they
 * hold (pure: no I/O).
 *
 * The owner keeps an array of references, one per text it names (an enum of
 * its own), and a table of their caps, NUL included: a text is cut to its
 * cap less one byte, as the fixed array it replaces would cut it. The buffer
 * starts small (ARENA_START_BYTES) and doubles when a text needs room,
 * never past the sum of the caps. A text set again keeps its slot when it
 * fits, otherwise it moves; the slots left behind are reclaimed when the
 * buffer is next reallocated (live texts are copied, packed, into the new
 * one), so the buffer never holds more than the caps' sum.
 *
 * Ownership: arena_free frees the buffer; the references and the caps stay
 * the owner's, and must not move while the arena lives. A pointer from
 * arena_get is valid until the next arena_set.
 */
#ifndef SMTPPROBE_ARENA_H
#define SMTPPROBE_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* Where one text lies: off, len (NUL not counted) and the slot's room (NUL
 * included; 0: no slot yet, the text is ""). */
struct arena_ref {
	uint16_t off;
	uint16_t len;
	uint16_t room;
};

struct arena {
	char *buf;
	struct arena_ref *refs; /* the owner's, nrefs of them */
	const uint16_t *caps;   /* the owner's, one per reference */
	void *(*alloc)(size_t); /* malloc, or a test's that fails */
	uint16_t nrefs;
	uint16_t size;  /* bytes in buf */
	uint16_t used;  /* bytes of buf handed out (live and left behind) */
	uint16_t limit; /* the sum of the caps */
};

/*
 * Sets a to an empty arena over refs (zeroed here) and caps, nrefs each;
 * alloc NULL means malloc. Returns 0, or -1 when the caps' sum does not fit
 * the 16-bit offsets (a programming error).
 */
int arena_init(struct arena *a, struct arena_ref *refs, const uint16_t *caps, size_t nrefs,
               void *(*alloc)(size_t));
/* Frees the buffer; every text is "" again. */
void arena_free(struct arena *a);

/*
 * Sets text i to len bytes at s (not inside the arena), cut to its cap.
 * Returns 0, or -1 when the buffer could not grow (out of memory): text i
 * is then unchanged.
 */
int arena_set(struct arena *a, size_t i, const char *s, size_t len);
/* The same for a C string. */
int arena_set_str(struct arena *a, size_t i, const char *s);

/* Text i, NUL-terminated; "" when unset or i is out of range. */
const char *arena_get(const struct arena *a, size_t i);
/* Its length. */
size_t arena_len(const struct arena *a, size_t i);
/* Copies text i into dst, a char[size] (size > 0): cut to size - 1 bytes
 * and NUL-terminated, as snprintf would. */
void arena_copy(const struct arena *a, size_t i, char *dst, size_t size);

#endif
