/*
 * rdns.h: what an address's reverse DNS says about it (pure: no I/O, no
 * globals, no event loop), so the rules are unit-tested alone.
 *
 * rdns_dynamic_rule is the dynamic-rdns heuristic: a name that embeds the
 * address, or a word typical of consumer pools, marks a line where no MTA
 * belongs (the seed's d102.GtokyoFL38.vectant.ne.jp for 202.215.137.102).
 * rdns_apply turns a lookup's outcome into a result's ptr and fcrdns
 * columns and its flags.
 */
#ifndef SMTPPROBE_RDNS_H
#define SMTPPROBE_RDNS_H

#include <openssl/types.h>
#include <sys/socket.h>

#include "prober/dns.h"
#include "record/result.h"

/* The name of the first rule that finds name dynamic for the address sa
 * (such as "ip-dashed" or "word"), or NULL. */
const char *rdns_dynamic_rule(const char *name, const struct sockaddr *sa);

/* Sets r->ptr, r->fcrdns, and the flags no-ptr, fcrdns-mismatch,
 * dynamic-rdns and name-not-ptr (the greeting's or EHLO's name compared
 * with the PTR names), from d and from r's own address, banner and
 * ehlo_name. cert is the peer's certificate the session kept (borrowed,
 * NULL if none): when no host name could be checked at the handshake
 * (r->tls.matches is -1), cert_matches is decided on the PTR names. */
void rdns_apply(struct probe_result *r, const struct dns_rdns *d, X509 *cert);

#endif
