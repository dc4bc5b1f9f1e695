/*
 * hops.h: --extract-only, the hop table of each message and its suspect,
 * without probing: CSV (one row per hop) or text (one block per message).
 */
#ifndef SMTPPROBE_HOPS_H
#define SMTPPROBE_HOPS_H

#include <stddef.h>
#include <stdio.h>

#include <event2/event.h>

#include "prober/lookup.h"
#include "targets/suspects.h"
#include "targets/trust.h"

/* The CSV columns, in order (also the man page's list). */
extern const char *const hops_columns[];
extern const size_t hops_ncolumns;

/* --dnsbl with --extract-only: each suspect's listings, asked on base's
 * loop through lookup, in a last column "dnsbl" (CSV) or after the suspect
 * (text). */
struct hops_dnsbl {
	struct event_base *base;
	struct lookup *lookup;
};

/*
 * Reads every message of the given paths (as --message takes them) and
 * writes its hop table to out. A message that cannot be read, or gives no
 * suspect, is still written, with the reason, and one line goes to warn
 * (NULL: quiet). Returns 0; 2 when an input could not be opened or read;
 * 3 when out could not be written. bl: NULL without --dnsbl.
 */
int hops_extract(FILE *out, int text, const char *const *paths, size_t npaths,
                 const struct trust *t, int outer, FILE *warn, const struct hops_dnsbl *bl);

#endif
