/*
 * target.h: the record that flows from targets/ to prober/ to reports/.
 *
 * A target is one address and port to probe, or one input that will not be
 * probed (skip_reason set). Either way it ends as exactly one report row.
 * The record is plain data: copy it by assignment, nothing to free.
 */
#ifndef SMTPPROBE_TARGET_H
#define SMTPPROBE_TARGET_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/bounds.h"

struct target {
	struct sockaddr_storage sa; /* address and port, ready for connect() */
	socklen_t salen;            /* 0 when the input was not an address */
	uint16_t port;
	char ip[INET6_ADDRSTRLEN];           /* canonical text, "" for a bad line */
	char hostname[TARGET_HOSTNAME_MAX];  /* the name the address came from, "" for literals */
	char origin[TARGET_ORIGIN_MAX];      /* "ips.txt:12", "stdin:3", "arg:2" */
	char input[TARGET_INPUT_MAX];        /* the input text as given (trimmed, truncated) */
	char skip_reason[TARGET_REASON_MAX]; /* non-empty: not probed, and why */
	unsigned char range_prefix;          /* TP_RANGE from the parser: the prefix length */

	/* Targets from a message's Received chain (targets/suspects.c); the
	 * report columns hop and message_flags. Empty for other inputs. */
	char hop[HOP_TEXT_MAX];     /* "1:suspect", "3:claimed", "2:compromised-account" */
	unsigned int message_flags; /* MF_* bits of targets/trust.h */
	/* Where the message is, to read it again (message_file_read_again):
	 * "spam.eml", "box.mbox#3"; its evidence in an abuse report. */
	char message[TARGET_ORIGIN_MAX];

	/* Names: with salen 0 and hostname set, the engine resolves
	 * the name (TARGET_NAME_HOST: its A and AAAA; TARGET_NAME_MX: its MX
	 * hosts') and probes each address as a target of its own. */
	enum target_name { TARGET_NAME_NONE = 0, TARGET_NAME_HOST, TARGET_NAME_MX } name_kind;
};

/*
 * Sets t's address to sa's (IPv4 or IPv6) with the given port: sa, salen,
 * port and the canonical ip text (parse.c). Returns 0, or -1 (t unchanged)
 * for another family.
 */
int target_set_addr(struct target *t, const struct sockaddr *sa, uint16_t port);

#endif
