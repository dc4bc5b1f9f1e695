/*
 * fuzz_received.c: the Received parser, its date and address readers, fed
 * arbitrary bytes as one header field.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "targets/received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sockaddr_storage sa;
	socklen_t salen;
	char ip[INET6_ADDRSTRLEN];
	struct hop h;
	int64_t when;
	int zone;

	received_parse(p, size, &h);
	received_parse_date(p, size, &when, &zone);
	received_parse_address(p, size, &sa, &salen, ip, sizeof(ip));
	return 0;
}
