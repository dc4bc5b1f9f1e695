/*
 * test_arena.c: a dialogue's text arena (common/arena.h): cuts at the caps,
 * slot reuse and moves, growth and its failure, and a model check over
 * random sets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/bounds.h"
#include "tests/tap.h"

enum { T_SHORT, T_MID, T_LONG, T_COUNT };
static const uint16_t caps[T_COUNT] = {[T_SHORT] = 8, [T_MID] = 160, [T_LONG] = 1024};

/* An allocator that fails once fail_after calls have succeeded. */
static int fail_after = -1;
static void *
test_alloc(size_t n)
{
	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	return malloc(n);
}

static void
test_basics(void)
{
	struct arena_ref refs[T_COUNT];
	struct arena a;
	char big[2000];

	is_int(arena_init(&a, refs, caps, T_COUNT, NULL), 0, "init");
	is_int(a.limit, 8 + 160 + 1024, "the limit is the caps' sum");
	is_str(arena_get(&a, T_MID), "", "an unset text is empty");
	is_str(arena_get(&a, T_COUNT), "", "out of range: empty");
	is_int(arena_set_str(&a, T_SHORT, ""), 0, "setting empty");
	ok(a.buf == NULL, "an empty text takes no buffer");
	is_int(arena_set_str(&a, T_MID, "250 ok"), 0, "set");
	is_str(arena_get(&a, T_MID), "250 ok", "get");
	is_int(arena_len(&a, T_MID), 6, "len");
	is_int(a.size, ARENA_START_BYTES, "the buffer starts small");

	/* Cut at the cap less one byte, as char[cap] with snprintf. */
	is_int(arena_set_str(&a, T_SHORT, "localhost.example"), 0, "set past the cap");
	is_str(arena_get(&a, T_SHORT), "localho", "cut to cap - 1");
	is_int(arena_set_str(&a, T_SHORT, "1234567"), 0, "exactly cap - 1");
	is_str(arena_get(&a, T_SHORT), "1234567", "kept whole");
	memset(big, 'x', sizeof(big));
	is_int(arena_set(&a, T_LONG, big, sizeof(big)), 0, "a long text");
	is_int(arena_len(&a, T_LONG), 1023, "cut to 1023");
	ok(a.size <= a.limit, "the buffer never passes the limit (%u <= %u)", a.size, a.limit);
	is_str(arena_get(&a, T_MID), "250 ok", "others survive growth");
	is_str(arena_get(&a, T_SHORT), "1234567", "others survive growth (2)");
	arena_free(&a);
	is_str(arena_get(&a, T_MID), "", "freed: empty");
}

static void
test_reuse_and_move(void)
{
	struct arena_ref refs[T_COUNT];
	struct arena a;
	uint16_t off, used;
	char text[200];
	int i;

	arena_init(&a, refs, caps, T_COUNT, NULL);
	arena_set_str(&a, T_MID, "550 5.7.1 relay denied");
	off = refs[T_MID].off;
	used = a.used;
	arena_set_str(&a, T_MID, "250 ok");
	ok(refs[T_MID].off == off && a.used == used, "a shorter text reuses its slot");
	arena_set_str(&a, T_MID, "");
	ok(refs[T_MID].off == off && a.used == used && arena_get(&a, T_MID)[0] == '\0',
	   "empty keeps the slot");
	arena_set_str(&a, T_SHORT, "abc");
	arena_set_str(&a, T_MID, "550 5.7.1 <probe@example.net>: Relay access denied");
	ok(refs[T_MID].off != off && a.used > used, "a longer one moves");
	is_str(arena_get(&a, T_MID), "550 5.7.1 <probe@example.net>: Relay access denied",
	       "and reads back");
	/* Growing texts again and again: left-behind slots are reclaimed. */
	for (i = 1; i < 160; i++) {
		memset(text, 'a' + i % 26, (size_t)i);
		if (arena_set(&a, T_MID, text, (size_t)i) != 0)
			break;
		if (a.size > a.limit || a.used > a.size)
			break;
	}
	is_int(i, 160, "159 moves, the buffer within its limit");
	is_int(arena_len(&a, T_MID), 159, "the last one whole");
	ok(a.size <= 512, "left-behind slots reclaimed, not piled up (size %u)", a.size);
	is_str(arena_get(&a, T_SHORT), "abc", "the other text kept through the moves");
	arena_free(&a);
}

static void
test_growth_failure(void)
{
	struct arena_ref refs[T_COUNT];
	struct arena a;
	char big[600];

	arena_init(&a, refs, caps, T_COUNT, test_alloc);
	fail_after = 0;
	is_int(arena_set_str(&a, T_MID, "220 hi"), -1, "no first buffer: -1");
	is_str(arena_get(&a, T_MID), "", "the text unchanged");
	fail_after = 1;
	is_int(arena_set_str(&a, T_MID, "220 hi"), 0, "the first buffer");
	memset(big, 'y', sizeof(big));
	is_int(arena_set(&a, T_LONG, big, sizeof(big)), -1, "growth fails: -1");
	is_int(arena_len(&a, T_LONG), 0, "the text unchanged");
	is_str(arena_get(&a, T_MID), "220 hi", "the others intact");
	is_int(arena_set_str(&a, T_SHORT, "ok"), 0, "a text that fits the buffer still goes in");
	fail_after = -1;
	is_int(arena_set(&a, T_LONG, big, sizeof(big)), 0, "memory back: it grows");
	is_int(arena_len(&a, T_LONG), 600, "whole");
	is_str(arena_get(&a, T_MID), "220 hi", "the others intact (2)");
	arena_free(&a);
}

/* Random sets against a model of fixed arrays: every text reads back as
 * char[cap] with snprintf would hold it, the buffer stays within its limit. */
static void
test_model(void)
{
	static char model[T_COUNT][1024];
	struct arena_ref refs[T_COUNT];
	struct arena a;
	unsigned int seed = 12345, i, bad = 0, over = 0;
	char text[1500];

	arena_init(&a, refs, caps, T_COUNT, NULL);
	memset(model, 0, sizeof(model));
	for (i = 0; i < 20000; i++) {
		size_t f, len, j;

		seed = seed * 1103515245u + 12345u;
		f = (seed >> 16) % T_COUNT;
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % ((seed >> 8) % 4 == 0 ? sizeof(text) : 40);
		for (j = 0; j < len; j++)
			text[j] = (char)('A' + (i + j) % 50);
		text[len] = '\0';
		if (arena_set(&a, f, text, len) != 0) {
			bad++;
			break;
		}
		snprintf(model[f], caps[f], "%s", text);
		for (j = 0; j < T_COUNT; j++)
			if (strcmp(arena_get(&a, j), model[j]) != 0)
				bad++;
		if (a.size > a.limit || a.used > a.size)
			over++;
	}
	is_int(bad, 0, "20,000 random sets read back as fixed arrays would hold them");
	is_int(over, 0, "the buffer never passed the caps' sum");
	arena_free(&a);
}

/* The last slot grows where it is, as a text appended to in steps does
 * (the EHLO keywords); a slot that is not last, or outgrows the buffer,
 * moves. */
static void
test_grow_in_place(void)
{
	struct arena_ref refs[T_COUNT];
	struct arena a;
	char text[600];
	uint16_t off;
	int i, stayed = 1;

	arena_init(&a, refs, caps, T_COUNT, NULL);
	arena_set_str(&a, T_SHORT, "abc");
	arena_set_str(&a, T_LONG, "PIPELINING");
	off = refs[T_LONG].off;
	memset(text, 'k', sizeof(text));
	for (i = 11; i < 200 && stayed; i++) {
		arena_set(&a, T_LONG, text, (size_t)i);
		stayed = refs[T_LONG].off == off && a.used == off + i + 1;
	}
	ok(stayed, "the last slot grew in place to 199 bytes, nothing left behind (used %u)",
	   a.used);
	is_int(a.size, ARENA_START_BYTES, "within the first buffer");
	arena_set(&a, T_LONG, text, sizeof(text));
	ok(arena_len(&a, T_LONG) == sizeof(text) && a.size > ARENA_START_BYTES && a.used <= a.size,
	   "past the buffer's end it moves to a larger one");
	ok(strspn(arena_get(&a, T_LONG), "k") == sizeof(text), "and reads back whole");
	is_str(arena_get(&a, T_SHORT), "abc", "the text before it kept");
	arena_set_str(&a, T_SHORT, "abcdefg");
	ok(a.used == refs[T_SHORT].off + 8 && refs[T_SHORT].off > refs[T_LONG].off,
	   "a slot not last moves to the end when it grows");
	arena_free(&a);
}

int
main(void)
{
	test_basics();
	test_reuse_and_move();
	test_grow_in_place();
	test_growth_failure();
	test_model();
	return tap_done();
}
