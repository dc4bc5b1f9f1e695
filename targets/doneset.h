/*
 * doneset.h: the targets an earlier run already reported (--resume), as a
 * compact set of (address, port) keys (pure: no I/O, no globals).
 *
 * Keys are 18 bytes each in one sorted array (the address as 16 bytes, an
 * IPv4 address as its IPv4-mapped IPv6 form, then the port in network
 * order), so the set costs 18 bytes per row of the report it was read
 * from, whatever the range or list that gave the rows. A key may be added
 * more than once: the count of rows per target is kept, for inputs (message
 * folders) whose target legitimately has several rows.
 *
 * Adding is append-only; the first look-up after an add sorts the array
 * (and gives back its spare room), so reading a report of n rows costs
 * O(n log n) once and each look-up O(log n).
 */
#ifndef SMTPPROBE_TARGETS_DONESET_H
#define SMTPPROBE_TARGETS_DONESET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct doneset;

struct doneset *doneset_new(void);
void doneset_free(struct doneset *ds);

/* Adds one row's target: sa is AF_INET or AF_INET6 (its port is not read).
 * Returns 0, or -1 with errno ENOMEM or EAFNOSUPPORT. */
int doneset_add(struct doneset *ds, const struct sockaddr *sa, uint16_t port);

/* How many times the target was added (0: not done). An IPv4-mapped IPv6
 * address is the same target as its IPv4 address. */
size_t doneset_count(struct doneset *ds, const struct sockaddr *sa, uint16_t port);

/* Keys added, each row counted. */
size_t doneset_size(const struct doneset *ds);

#endif
