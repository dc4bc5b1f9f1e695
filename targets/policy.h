/*
 * policy.h: which addresses may be probed (pure: no I/O, no globals).
 *
 * Special-purpose ranges (RFC 6890 and friends) are skipped unless the user
 * says --allow-private; an allowlist of CIDR ranges bounds a run to what the
 * operator owns. Both answer with a reason string for the skipped row.
 */
#ifndef SMTPPROBE_TARGETS_POLICY_H
#define SMTPPROBE_TARGETS_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Returns a static description of the special-purpose range that holds sa,
 * such as "loopback (RFC 1122)", or NULL for an ordinary public address.
 * IPv4-mapped IPv6 addresses are judged by their IPv4 address.
 */
const char *policy_special_range(const struct sockaddr *sa);
/*
 * The same, and *via (when via is not NULL) names the IPv6 form that carries
 * the IPv4 address judged ("6to4 (RFC 3056)"), or is NULL: NAT64's
 * well-known prefix and 6to4 are judged by the IPv4 address inside them.
 */
const char *policy_special_why(const struct sockaddr *sa, const char **via);

struct cidr_list; /* opaque; owned by whoever called cidr_list_new */

struct cidr_list *cidr_list_new(void);
void cidr_list_free(struct cidr_list *l);
/*
 * Adds comma-separated ranges ("127.0.0.0/8,::1/128"; a bare address means
 * /32 or /128). Returns 0, or -1 with a reason in err and nothing added.
 * Host bits set below the prefix are an error ("192.0.2.1/24").
 */
int cidr_list_add(struct cidr_list *l, const char *text, char *err, size_t errlen);
size_t cidr_list_count(const struct cidr_list *l);
/* 1 when some range of l holds sa (IPv4-mapped IPv6 matches IPv4 ranges). */
int cidr_list_contains(const struct cidr_list *l, const struct sockaddr *sa);

/*
 * Adds one range (n bytes of text, as one entry of cidr_list_add) with a
 * reason (copied), for exclude lists. Returns 0, or -1 with err set.
 */
int cidr_list_add_reason(struct cidr_list *l, const char *cidr, size_t n, const char *reason,
                         char *err, size_t errlen);
/* The reason of the first range of l that holds sa ("" when it has none),
 * or NULL when none does. */
const char *cidr_list_match(const struct cidr_list *l, const struct sockaddr *sa);

/* Offsets [lo, hi) of addresses within one range (targets/range.h). */
struct addr_span {
	uint64_t lo, hi;
};

/* What a range is checked against; the lists are not owned. */
struct range_policy {
	const struct cidr_list *allowlist; /* NULL or empty: no allowlist */
	const struct cidr_list *exclude;   /* NULL: none */
	int allow_private;
};

/* What policy cuts from a range, counted in the order a single address is
 * judged: outside the allowlist, then excluded, then special-purpose. */
struct range_cut {
	uint64_t size; /* addresses in the range */
	uint64_t outside_allowlist, excluded, special;
	const char *exclude_why; /* the first exclude rule that cut (owned by the list) */
	size_t exclude_rules;    /* exclude rules that cut */
	int partial;             /* some rule made too many pieces: left to the per-address check */
};

/*
 * The parts of the range (base: its first address; prefix: its length) that
 * the policy lets through, as at most max sorted, disjoint spans of offsets
 * from base, so that no range is expanded just to be skipped. Returns the
 * number of parts, or -1 (out of memory, or not a range of at most
 * 2^TARGET_RANGE_BITS_MAX addresses). With cut->partial, some addresses of
 * the parts may still fail the per-address check.
 */
long policy_range_parts(const struct range_policy *p, const struct sockaddr *base,
                        unsigned int prefix, struct addr_span *parts, size_t max,
                        struct range_cut *cut);

/* The reason of a range's one skipped row ("outside allowlist: 4278190080 of
 * 4294967296 addresses"; an exclude rule's reason follows "by"); "" when
 * nothing was cut. */
void policy_cut_reason(const struct range_cut *cut, char *buf, size_t len);

/* Skipped rows by kind, for the run's summary. */
enum skip_class {
	SKIP_OUTSIDE_ALLOWLIST,
	SKIP_SPECIAL,
	SKIP_EXCLUDED,
	SKIP_DUPLICATE,
	SKIP_DNS,
	SKIP_BAD_INPUT, /* a line or message that names no target */
	SKIP_OTHER,     /* a local failure (out of memory) */
	POLICY_SKIP_CLASSES
};
enum skip_class policy_skip_class(const char *reason);
const char *policy_skip_class_name(enum skip_class c);

#endif
