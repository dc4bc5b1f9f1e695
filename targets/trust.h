/*
 * trust.h: the trust walk over a Received chain (pure: no I/O, no globals).
 *
 * Hops are read newest first, as SpamAssassin's Received.pm does: the top
 * line was written by our own server, so the address it recorded is the
 * host that really connected. While that host is one of ours, the line it
 * wrote below is trusted too, and so on down. The first hop whose connecting
 * host is not ours is the boundary: its address is the suspect. Everything
 * below it was written by the suspect's side and may be forged ("claimed").
 *
 * "Ours" is --trusted (CIDR ranges, or host names matched against the rDNS
 * that a trusted server recorded). With none given (auto mode, as
 * SpamAssassin infers): private addresses and authenticated hops. An
 * authenticated public hop ends the walk either way: the message was
 * submitted with one of our accounts from outside, a compromised-account
 * suspect. Documentation ranges are public here (only policy refuses them
 * at probe time), so fixtures can use them.
 *
 * Retrieval and local-delivery lines (HOP_RETRIEVAL, HOP_LOCAL) are no
 * relay: they are passed over, never a suspect nor a trusted relay, and a
 * retrieval line's date (the user's own clock) is no telltale.
 */
#ifndef SMTPPROBE_TARGETS_TRUST_H
#define SMTPPROBE_TARGETS_TRUST_H

#include <stddef.h>
#include <sys/socket.h>

#include "common/bounds.h"
#include "targets/received.h"

enum hop_role {
	ROLE_TRUSTED = 0,
	ROLE_SUSPECT,     /* the boundary: the first host that is not ours */
	ROLE_COMPROMISED, /* the boundary is an authenticated submission */
	ROLE_CLAIMED,     /* below the boundary: written by the suspect's side */
	ROLE_LOCAL,       /* a local handover: qmail "invoked from network", pickup, LMTP */
	ROLE_UNREAD,      /* the walk stopped at or above it: not judged */
	ROLE_RETRIEVAL,   /* fetched from a mailbox by the user's client: no relay */
	ROLE_COUNT
};

/* Telltales of a message, one bit each; names from message_flag_name(). */
enum message_flag {
	MF_LOCALHOST_HELO = 1u << 0,   /* the suspect, a public address, said HELO localhost */
	MF_HELO_IP_MISMATCH = 1u << 1, /* the suspect's HELO is an address, not its own */
	MF_LAN_HOPS = 1u << 2,         /* private addresses below the boundary */
	MF_UTC_ZERO = 1u << 3,         /* "-0000" dates: qmail without its localtime patch */
	MF_TIME_TRAVEL = 1u << 4,      /* a lower hop dated later than the one above it */
	MF_COUNT_BITS = 5
};

struct trust; /* owned by whoever called trust_new */

struct trust *trust_new(void);
void trust_free(struct trust *t);
/*
 * Adds what --trusted gives: comma-separated CIDR ranges or addresses, or
 * host names ("mx1.example.com"; ".example.com" matches every name under
 * it). Returns 0, or -1 with a reason in err.
 */
int trust_add(struct trust *t, const char *spec, char *err, size_t errlen);
/* 1 when nothing was added: the walk infers trust (auto mode). */
int trust_is_auto(const struct trust *t);

struct trust_walk {
	int boundary;   /* index of the suspect hop, or -1 */
	unsigned flags; /* MF_* */
	enum hop_role role[MESSAGE_RECEIVED_MAX];
	char reason[TARGET_REASON_MAX]; /* boundary -1: why there is no suspect */
};

/* Walks n hops (newest first; n <= MESSAGE_RECEIVED_MAX). */
void trust_walk(const struct trust *t, const struct hop *hops, size_t n, struct trust_walk *w);

/* Private in the walk's sense: RFC 1918, loopback, link-local, CGN, ULA. */
int trust_is_private(const struct sockaddr *sa);

const char *hop_role_name(enum hop_role r);
/* Name of a single MF_* bit, or NULL. */
const char *message_flag_name(unsigned int bit);

#endif
