/*
 * suspects.h: from a message's header section to its Received chain, the
 * trust walk over it, and the targets it yields.
 *
 * chain_read and chain_targets are pure (bytes in, structs out); the
 * stream (source.c) and --extract-only (cli/hops.c) both use them, so
 * the probed suspects and the printed hop table can never disagree.
 */
#ifndef SMTPPROBE_TARGETS_SUSPECTS_H
#define SMTPPROBE_TARGETS_SUSPECTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/bounds.h"
#include "targets/received.h"
#include "targets/target.h"
#include "targets/trust.h"

struct message_chain {
	char origin[TARGET_ORIGIN_MAX]; /* the Message-ID, else the file name ("box.mbox#3") */
	char name[TARGET_ORIGIN_MAX];   /* the file name, always */
	char error[TARGET_REASON_MAX];  /* non-empty: the message gives no chain, and why */
	size_t nhops;
	struct hop hops[MESSAGE_RECEIVED_MAX];
	struct trust_walk walk;
};

/*
 * Reads a header section (too_big: it was cut at MESSAGE_HEADER_MAX) from
 * the message `name`, parses every Received field and walks the chain.
 * Always fills *c; c->error says when there is nothing to walk.
 */
void chain_read(struct message_chain *c, const char *hdr, size_t len, int too_big, const char *name,
                const struct trust *t);

/*
 * The targets of a chain, at most max (MESSAGE_RECEIVED_MAX + 1 is always
 * enough): the suspect, then with probe_claimed the public addresses of the
 * claimed hops. A message without a suspect gives one target with
 * skip_reason set. Every target carries origin, hop and message_flags; the
 * caller applies policy (special ranges, allowlist, dedupe).
 */
size_t chain_targets(const struct message_chain *c, int probe_claimed, uint16_t port,
                     struct target *out, size_t max);

/* Names the flags of a message, ';'-joined, into buf. */
void message_flags_format(unsigned int flags, char *buf, size_t size);

/*
 * Reads --trusted-file: one range or host name per line, '#' comments and
 * blank lines ignored. Returns 0, or -1 with "file:line: reason" in err.
 */
int trust_add_file(struct trust *t, const char *path, char *err, size_t errlen);

#endif
