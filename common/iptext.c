/*
 * iptext.c: an address's text (iptext.h). Pure: no I/O.
 */
#include "common/iptext.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

const char *
ip_text(int family, const void *addr, char *buf, size_t size)
{
	char tmp[INET_ADDRSTRLEN];
	const unsigned char *b = addr;
	size_t n = 0;
	int i;

	if (family != AF_INET) /* no text is longer than INET6_ADDRSTRLEN */
		return inet_ntop(family, addr, buf,
		                 (socklen_t)(size < INET6_ADDRSTRLEN ? size : INET6_ADDRSTRLEN));
	for (i = 0; i < 4; i++) {
		if (b[i] >= 100)
			tmp[n++] = (char)('0' + b[i] / 100);
		if (b[i] >= 10)
			tmp[n++] = (char)('0' + b[i] / 10 % 10);
		tmp[n++] = (char)('0' + b[i] % 10);
		tmp[n++] = i < 3 ? '.' : '\0';
	}
	if (n > size) {
		errno = ENOSPC;
		return NULL;
	}
	memcpy(buf, tmp, n);
	return buf;
}
