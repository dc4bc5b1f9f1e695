/*
 * fuzz_abuse.c: the abuse desk's readers of DNS answers (prober/abuse.c) on
 * arbitrary bytes: TXT records come from whoever runs the zone. The input
 * is split at the first newline: the part before is a DNSBL zone name and
 * four answer bytes (the last four bytes before the newline), the part after
 * one TXT record, read as a Team Cymru origin line, an AS-name line, an
 * Abusix contact and a DNSBL reason. Every text the facts hold must stay a
 * NUL-terminated string inside its array, free of ';' inside an item's
 * reason and of control bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prober/abuse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t size)
{
	size_t i;

	if (memchr(s, '\0', size) == NULL)
		abort();
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nl = memchr(p, '\n', size);
	size_t head = nl ? (size_t)(nl - p) : size, tlen = nl ? size - head - 1 : 0;
	const char *txt = nl ? nl + 1 : "";
	char zone[DNS_HOSTNAME_MAX], name[ABUSE_NAME_TEXT_MAX];
	unsigned char a[1][4] = {{127, 0, 0, 2}};
	struct abuse_facts f;
	struct cymru_origin o;
	struct dnsbl_answer z;
	unsigned long asn;
	size_t zl = 0;

	memset(&f, 0, sizeof(f));
	if (head >= 4) {
		memcpy(a[0], p + head - 4, 4);
		zl = head - 4 < sizeof(zone) - 1 ? head - 4 : sizeof(zone) - 1;
	}
	memcpy(zone, p, zl);
	zone[zl] = '\0';
	/* Zones are checked names on the command line: only printable ones here. */
	for (size_t i = 0; i < zl; i++)
		if ((unsigned char)zone[i] <= ' ' || (unsigned char)zone[i] > 0x7e ||
		    zone[i] == ';')
			zone[i] = 'x';

	z.zone = zone;
	z.na = 1;
	z.a = a;
	z.txt = txt;
	z.txtlen = tlen;
	dnsbl_add(&f, &z);
	if (cymru_parse_origin(txt, tlen, &o) == 0) {
		if (o.nasn == 0 || o.nasn > ASN_ORIGINS_MAX)
			abort();
		cymru_add_origin(&f, &o);
	}
	if (cymru_parse_asname(txt, tlen, &asn, name, sizeof(name)) == 0) {
		check_text(name, sizeof(name));
		if (strchr(name, ';') != NULL)
			abort();
		cymru_add_asname(&f, name);
	}
	abusix_add_contact(&f, txt, tlen);

	check_text(f.dnsbl, sizeof(f.dnsbl));
	check_text(f.dnsbl_error, sizeof(f.dnsbl_error));
	check_text(f.asn, sizeof(f.asn));
	check_text(f.as_prefix, sizeof(f.as_prefix));
	check_text(f.as_country, sizeof(f.as_country));
	check_text(f.as_name, sizeof(f.as_name));
	check_text(f.abuse_contact, sizeof(f.abuse_contact));
	if ((f.dnsbl[0] != '\0') != (f.listed != 0))
		abort();
	return 0;
}
