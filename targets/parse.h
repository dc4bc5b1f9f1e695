/*
 * parse.h: the target-line parser (pure: no I/O, no globals).
 *
 * Accepted forms, one target a line:
 *   192.0.2.7            IPv4, default port
 *   192.0.2.7:2525       IPv4 and port
 *   2001:db8::7          IPv6 (no port: a bare IPv6 is never split at a colon;
 *                        "::1:2525" is ::0.1.37.37, with a warning)
 *   [2001:db8::7]        IPv6 in brackets
 *   [2001:db8::7]:2525   IPv6 and port
 * Leading and trailing blanks are trimmed; '#' starts a comment (whole line or
 * after the target); anything after the first whitespace or comma is ignored,
 * so the first column of zmap, masscan -oL-style lists and CSV files works.
 *   198.51.100.0/24      an IPv4 range (CIDR), default port
 *   2001:db8::/120       an IPv6 range, at most TARGET_RANGE_BITS_MAX host bits
 * Names are resolved later, by the prober:
 *   mail.example.com[:2525]     a host name: its A and AAAA addresses
 *   mx:example.com[:2525]       a mail domain: its MX hosts' addresses
 * For those, *t gets hostname, port and name_kind, and no address.
 */
#ifndef SMTPPROBE_TARGETS_PARSE_H
#define SMTPPROBE_TARGETS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "targets/target.h"

enum target_parse {
	TP_TARGET = 0, /* *t holds sa, salen, port, ip, input (or hostname, name_kind) */
	TP_EMPTY,      /* blank or comment line: nothing to do */
	TP_ERROR,      /* not a target: err says why, t->input holds the text */
	TP_RANGE,      /* a CIDR range: sa is its first address, range_prefix its length */
};

/*
 * Parses one line (len bytes, no line end needed; NUL bytes make it an error).
 * default_port applies when the line names none. On TP_ERROR, err holds a
 * short reason such as `not an address: "1.2.3"` (the text escaped).
 * On TP_TARGET, err is empty or holds a warning for the caller to print: a
 * bare IPv6 address that ends in what looks like a port ("::1:2525" is the
 * address ::0.1.37.37; the warning says to write [::1]:2525).
 * Fields of *t other than sa, salen, port, ip, hostname, name_kind and
 * input are left alone.
 */
enum target_parse target_parse_line(const char *line, size_t len, uint16_t default_port,
                                    struct target *t, char *err, size_t errlen);

/* Parses a port ("1".."65535"); returns 0 and sets *port, or -1. */
int target_parse_port(const char *s, uint16_t *port);

/*
 * Strict dotted quad: four decimal octets, no leading zeros (inet_aton()
 * would read "010" as octal and "1.2.3" as 1.2.0.3). Returns 0 or -1.
 */
int target_parse_ipv4(const char *s, unsigned char out[4]);

/* Writes `what: "text"` to err, the n bytes of text escaped and cut to
 * TARGET_QUOTE_MAX (marked "..."): the one shape of every input message. */
void target_quote_error(char *err, size_t errlen, const char *what, const char *s, size_t n);

#endif
