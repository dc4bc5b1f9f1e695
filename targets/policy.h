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
#include <sys/socket.h>

/*
 * Returns a static description of the special-purpose range that holds sa,
 * such as "loopback (RFC 1122)", or NULL for an ordinary public address.
 * IPv4-mapped IPv6 addresses are judged by their IPv4 address.
 */
const char *policy_special_range(const struct sockaddr *sa);

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

#endif
