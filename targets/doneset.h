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
 * Rows without an address (a bad input line, a message without a
 * suspect, a name that did not resolve) are known by their origin instead:
 * the origins are kept end to end in one buffer.
 *
 * Adding is append-only; the first look-up after an add sorts (and gives
 * back the spare room), so reading a report of n rows costs O(n log n) once
 * and each look-up O(log n).
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

/* Adds the origin of a row without an address. Returns 0, or -1 (ENOMEM). */
int doneset_add_origin(struct doneset *ds, const char *origin);

/* 1 when a row without an address had this origin. */
int doneset_has_origin(struct doneset *ds, const char *origin);

/* Keys added, each row counted. */
size_t doneset_size(const struct doneset *ds);

#endif
