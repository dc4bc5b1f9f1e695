/*
 * iptext.h: an address's text as inet_ntop writes it, with IPv4 written
 * here instead of by inet_ntop's sprintf: every target's canonical text and
 * every connection's source address are made this way.
 */
#ifndef SMTPPROBE_IPTEXT_H
#define SMTPPROBE_IPTEXT_H

#include <stddef.h>

/*
 * Writes the text of addr (a struct in_addr for AF_INET, a struct in6_addr
 * for AF_INET6) into buf of size bytes. Returns buf, or NULL with errno set
 * (EAFNOSUPPORT, ENOSPC) and buf untouched, as inet_ntop does.
 */
const char *ip_text(int family, const void *addr, char *buf, size_t size);

#endif
