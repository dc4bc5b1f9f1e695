/*
 * pernet.h: how many dialogues are open per network (/24 for IPv4, /64 for
 * IPv6), for --per-net. A small open-addressing table; no I/O.
 */
#ifndef SMTPPROBE_PERNET_H
#define SMTPPROBE_PERNET_H

#include <stddef.h>
#include <sys/socket.h>

struct pernet;

/* A table for about `expect` networks at once (it grows when needed). */
struct pernet *pernet_new(size_t expect);
void pernet_free(struct pernet *p);

/* Dialogues open in sa's network. */
unsigned int pernet_count(const struct pernet *p, const struct sockaddr *sa);
/* Counts one more (delta 1) or one less (delta -1) in sa's network.
 * Returns 0, or -1 when memory runs out. */
int pernet_add(struct pernet *p, const struct sockaddr *sa, int delta);

#endif
