/*
 * result.c: names of verdicts, errors and flags, as they appear in reports.
 * These strings are part of the output format: never rename one.
 */
#include "record/result.h"

#include <string.h>

static const char *const verdict_names[VERDICT_COUNT] = {
    [VERDICT_ACCEPTS_RELAY] = "accepts-relay",
    [VERDICT_ACCEPTS_LOCALHOST] = "accepts-localhost",
    [VERDICT_AUTH_REQUIRED] = "auth-required",
    [VERDICT_SMTP_CLOSED] = "smtp-closed",
    [VERDICT_TEMPFAIL] = "tempfail",
    [VERDICT_REFUSED_SERVICE] = "refused-service",
    [VERDICT_NOT_SMTP] = "not-smtp",
    [VERDICT_UNREACHABLE] = "unreachable",
    [VERDICT_SKIPPED] = "skipped",
};

static const char *const error_names[PROBE_ERROR_COUNT] = {
    [PROBE_OK] = "",
    [PROBE_CONNECTION_REFUSED] = "connection-refused",
    [PROBE_CONNECTION_TIMEOUT] = "connection-timeout",
    [PROBE_NETWORK_UNREACHABLE] = "network-unreachable",
    [PROBE_RESET] = "reset",
    [PROBE_CLOSED] = "closed",
    [PROBE_GREETING_TIMEOUT] = "greeting-timeout",
    [PROBE_IO_TIMEOUT] = "io-timeout",
    [PROBE_PROTOCOL_ERROR] = "protocol-error",
    [PROBE_LINE_TOO_LONG] = "line-too-long",
    [PROBE_TOO_MANY_LINES] = "too-many-lines",
    [PROBE_TOO_MUCH_DATA] = "too-much-data",
    [PROBE_TLS_FAILED] = "tls-failed",
    [PROBE_SESSION_DEADLINE] = "session-deadline",
    [PROBE_SERVER_SHUTDOWN] = "server-shutdown",
    [PROBE_INTERRUPTED] = "interrupted",
    [PROBE_LOCAL_FAILURE] = "local-failure",
    [PROBE_INTERNAL_ERROR] = "internal-error",
};

/* The bit number of a one-bit flag (up to 16 bits), as a constant. */
#define FLAG_INDEX(f)                                                                              \
	((((f)&0xff00u) ? 8 : 0) + (((f)&0xf0f0u) ? 4 : 0) + (((f)&0xccccu) ? 2 : 0) +             \
	 (((f)&0xaaaau) ? 1 : 0))
_Static_assert(FLAG_COUNT_BITS <= 16, "FLAG_INDEX covers every flag");

static const char *const flag_names[FLAG_COUNT_BITS] = {
    [FLAG_INDEX(FLAG_STARTTLS)] = "starttls",
    [FLAG_INDEX(FLAG_STARTTLS_REQUIRED)] = "starttls-required",
    [FLAG_INDEX(FLAG_HELO_FALLBACK)] = "helo-fallback",
    [FLAG_INDEX(FLAG_LOCALHOST_NAME)] = "localhost-name",
    [FLAG_INDEX(FLAG_NO_FQDN)] = "no-fqdn",
    [FLAG_INDEX(FLAG_RCPT_3XX)] = "rcpt-3xx",
    [FLAG_INDEX(FLAG_UNSOLICITED)] = "unsolicited",
    [FLAG_INDEX(FLAG_POSTMASTER_REFUSED)] = "postmaster-refused",
    [FLAG_INDEX(FLAG_TLS_FAILED)] = "tls-failed",
    [FLAG_INDEX(FLAG_SELF_SIGNED)] = "self-signed",
    [FLAG_INDEX(FLAG_STARTTLS_INJECTION)] = "starttls-injection",
    [FLAG_INDEX(FLAG_NO_PTR)] = "no-ptr",
    [FLAG_INDEX(FLAG_FCRDNS_MISMATCH)] = "fcrdns-mismatch",
    [FLAG_INDEX(FLAG_DYNAMIC_RDNS)] = "dynamic-rdns",
    [FLAG_INDEX(FLAG_NAME_NOT_PTR)] = "name-not-ptr",
    [FLAG_INDEX(FLAG_RELAY_DEFERRED)] = "relay-deferred",
};

static const char *const fcrdns_names[FCRDNS_COUNT] = {
    [FCRDNS_UNKNOWN] = "",  [FCRDNS_YES] = "yes",         [FCRDNS_NO] = "no",
    [FCRDNS_NONE] = "none", [FCRDNS_TIMEOUT] = "timeout", [FCRDNS_ERROR] = "error",
};

const char *
fcrdns_name(enum fcrdns f)
{
	if ((unsigned)f >= FCRDNS_COUNT)
		return "?";
	return fcrdns_names[f];
}

const char *
verdict_name(enum verdict v)
{
	if ((unsigned)v >= VERDICT_COUNT)
		return "?";
	return verdict_names[v];
}

int
verdict_from_name(const char *name)
{
	int v;

	for (v = 0; v < VERDICT_COUNT; v++)
		if (strcmp(verdict_names[v], name) == 0)
			return v;
	return -1;
}

const char *
probe_error_name(enum probe_error e)
{
	if ((unsigned)e >= PROBE_ERROR_COUNT)
		return "?";
	return error_names[e];
}

const char *
probe_flag_name(unsigned int bit)
{
	unsigned int i;

	for (i = 0; i < FLAG_COUNT_BITS; i++)
		if (bit == (1u << i))
			return flag_names[i];
	return NULL;
}

void
probe_dialogue_init(struct probe_dialogue *d, const struct target *t)
{
	memset(d, 0, sizeof(*d));
	d->target = *t;
	d->verdict = t->skip_reason[0] ? VERDICT_SKIPPED : VERDICT_UNREACHABLE;
}

void
probe_result_from_dialogue(struct probe_result *r, const struct probe_dialogue *d)
{
	memset((char *)r + sizeof(r->dialogue), 0, sizeof(*r) - sizeof(r->dialogue));
	r->dialogue = *d;
	r->tls_tried = NULL;
	if (d->tls_tried != NULL)
		r->tls = *d->tls_tried;
	else
		r->tls.matches = -1;
	r->tls.use = d->tls_use;
}

void
probe_result_init(struct probe_result *r, const struct target *t)
{
	memset((char *)r + sizeof(r->dialogue), 0, sizeof(*r) - sizeof(r->dialogue));
	probe_dialogue_init(&r->dialogue, t);
	r->tls.matches = -1;
}

int
probe_result_finished(const struct probe_result *r)
{
	if (r->error == PROBE_LOCAL_FAILURE)
		return 0;
	if (r->error == PROBE_INTERRUPTED)
		return r->verdict == VERDICT_ACCEPTS_RELAY ||
		       r->verdict == VERDICT_ACCEPTS_LOCALHOST;
	return 1;
}
