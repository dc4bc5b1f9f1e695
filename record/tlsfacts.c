/*
 * tlsfacts.c: the names of the `starttls` column; see tlsfacts.h. No
 * OpenSSL here.
 */
#include "record/tlsfacts.h"

static const char *const use_names[TLS_USE_COUNT] = {
    [TLS_NONE] = "none",     [TLS_OFFERED] = "offered",   [TLS_USED] = "used",
    [TLS_FAILED] = "failed", [TLS_IMPLICIT] = "implicit",
};

const char *
tls_use_name(enum tls_use u)
{
	if ((unsigned)u >= TLS_USE_COUNT)
		return "?";
	return use_names[u];
}
