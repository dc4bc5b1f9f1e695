/*
 * fuzz_message.c: the message reader on a memory buffer, fed in chunks
 * whose size the first byte picks, and every header section it hands out
 * read as a chain and walked (auto trust), as --message does. When that
 * byte is odd, the reader keeps whole messages and each goes through
 * message_inner (GMime) first, as --message without --outer does.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "targets/message.h"
#include "targets/suspects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct message_chain chain;

static void
drain(struct message_reader *r, int inner)
{
	struct target out[MESSAGE_RECEIVED_MAX + 1];
	const char *hdr;
	size_t len, msgno;
	int too_big;

	while (message_reader_take(r, &hdr, &len, &too_big, &msgno)) {
		char *in = NULL;
		size_t inlen = 0;

		if (inner && !too_big && message_inner(hdr, len, &in, &inlen) == 1) {
			hdr = in;
			len = inlen;
		}
		chain_read(&chain, hdr, len, too_big, "fuzz", NULL);
		chain_targets(&chain, 1, 25, out, sizeof(out) / sizeof(out[0]));
		free(in);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message_reader *r;
	size_t chunk, pos = 0;
	int inner;

	if (size == 0)
		return 0;
	chunk = (size_t)data[0] + 1;
	inner = data[0] & 1;
	data++;
	size--;
	if ((r = message_reader_new(MESSAGE_AUTO)) == NULL)
		return 0;
	if (inner)
		message_reader_keep_body(r);
	while (pos < size) {
		size_t n = size - pos < chunk ? size - pos : chunk;

		pos += message_reader_feed(r, (const char *)data + pos, n);
		drain(r, inner);
	}
	message_reader_end(r);
	drain(r, inner);
	message_reader_free(r);
	return 0;
}
