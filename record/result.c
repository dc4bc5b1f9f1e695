/*
 * result.c: names of verdicts, errors and flags, as they appear in reports
 * (these strings are part of the output format: never rename one); the
 * compact dialogue a session holds, and the record made of it.
 */
#include "record/result.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/relay.h"

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

/* The dialogue's texts' caps: those of the record's arrays. */
static const uint16_t dialogue_caps[DT_COUNT] = {
    TARGET_TEXT_CAPS(DT_TARGET),
    [DT_SOURCE_IP] = INET6_ADDRSTRLEN,
    [DT_BANNER] = SMTP_TEXT_MAX,
    [DT_EHLO_NAME] = SMTP_NAME_MAX,
    [DT_EXTENSIONS] = SMTP_EXTENSIONS_MAX,
    [DT_LAST_REPLY] = SMTP_TEXT_MAX,
    [DT_PLAN_NAME] = SMTP_NAME_MAX,
    [DT_EHLO_LINE] = RELAY_REPLY_MAX,
    [DT_MAIL_REPLY] = RELAY_REPLY_MAX,
    [DT_RSET_REPLY] = RELAY_REPLY_MAX,
    [DT_QUIT_REPLY] = RELAY_REPLY_MAX,
#define TEST_CAP(i) [DT_TEST_REPLY + (i)] = RELAY_REPLY_MAX
    TEST_CAP(0),
    TEST_CAP(1),
    TEST_CAP(2),
    TEST_CAP(3),
    TEST_CAP(4),
    TEST_CAP(5),
    TEST_CAP(6),
    TEST_CAP(7),
    TEST_CAP(8),
    TEST_CAP(9),
    TEST_CAP(10),
    TEST_CAP(11),
    TEST_CAP(12),
    TEST_CAP(13),
    TEST_CAP(14),
    TEST_CAP(15),
    TEST_CAP(16),
    TEST_CAP(17),
    TEST_CAP(18),
#undef TEST_CAP
};
_Static_assert(RELAY_TESTS_MAX == 19, "a cap for every test's reply");
/* The record's text fields are the caps above: the same cuts. */
_Static_assert(sizeof(((struct probe_result *)0)->banner) == SMTP_TEXT_MAX &&
                   sizeof(((struct probe_result *)0)->tests[0].reply) == RELAY_REPLY_MAX &&
                   sizeof(((struct probe_result *)0)->extensions) == SMTP_EXTENSIONS_MAX &&
                   sizeof(((struct probe_result *)0)->plan_name) == SMTP_NAME_MAX,
               "a dialogue's caps and the record's arrays differ");

const char *
dialogue_text(const struct probe_dialogue *d, enum dialogue_text f)
{
	return arena_get(&d->text, f);
}

size_t
dialogue_text_len(const struct probe_dialogue *d, enum dialogue_text f)
{
	return arena_len(&d->text, f);
}

int
dialogue_set(struct probe_dialogue *d, enum dialogue_text f, const char *s, size_t len)
{
	if (arena_set(&d->text, f, s, len) == 0)
		return 0;
	d->nomem = 1;
	d->local_errno = ENOMEM;
	return -1;
}

int
dialogue_set_str(struct probe_dialogue *d, enum dialogue_text f, const char *s)
{
	return dialogue_set(d, f, s, strlen(s));
}

int
probe_dialogue_init(struct probe_dialogue *d, const struct target *t)
{
	memset(d, 0, offsetof(struct probe_dialogue, refs)); /* arena_init zeroes refs */
	if (arena_init(&d->text, d->refs, dialogue_caps, DT_COUNT, NULL) != 0 ||
	    target_pack(&d->target, &d->text, DT_TARGET, t) != 0) {
		arena_free(&d->text);
		return -1;
	}
	d->verdict = t->skip_reason[0] ? VERDICT_SKIPPED : VERDICT_UNREACHABLE;
	return 0;
}

void
probe_dialogue_free(struct probe_dialogue *d)
{
	arena_free(&d->text);
	free(d->tls_tried);
	d->tls_tried = NULL;
}

/* Copies s (NULL is "") into dst of size bytes, cut to fit. */
static void
copy_str(char *dst, size_t size, const char *s)
{
	size_t n = s != NULL ? strnlen(s, size - 1) : 0;

	memcpy(dst, s != NULL ? s : "", n);
	dst[n] = '\0';
}

static void
tests_from_dialogue(struct probe_result *r, const struct probe_dialogue *d)
{
	size_t i;

	for (i = 0; i < d->ntests && i < RELAY_TESTS_MAX; i++) {
		const struct dialogue_test *x = &d->tests[i];
		struct relay_result *t = &r->tests[i];

		t->name = relay_row_name(x->row);
		t->kind = relay_row_kind(x->row);
		t->row = x->row;
		t->mail_code = x->mail_code;
		t->rcpt_code = x->rcpt_code;
		arena_copy(&d->text, (enum dialogue_text)(DT_TEST_REPLY + i), t->reply,
		           sizeof(t->reply));
		t->retried = x->retried;
		t->first_mail_code = x->first_mail_code;
		t->first_rcpt_code = x->first_rcpt_code;
	}
}

void
probe_result_from_dialogue(struct probe_result *r, const struct probe_dialogue *d)
{
	memset(r, 0, sizeof(*r));
	target_unpack(&r->target, &d->target, &d->text, DT_TARGET);
	r->started = d->started;
	r->duration_ms = d->duration_ms;
	arena_copy(&d->text, DT_SOURCE_IP, r->source_ip, sizeof(r->source_ip));
	r->verdict = d->verdict;
	r->error = d->error;
	r->local_errno = d->local_errno;
	r->flags = d->flags;
	r->connected = d->connected;
	r->greeting_code = d->greeting_code;
	arena_copy(&d->text, DT_BANNER, r->banner, sizeof(r->banner));
	arena_copy(&d->text, DT_EHLO_NAME, r->ehlo_name, sizeof(r->ehlo_name));
	arena_copy(&d->text, DT_EXTENSIONS, r->extensions, sizeof(r->extensions));
	arena_copy(&d->text, DT_LAST_REPLY, r->last_reply, sizeof(r->last_reply));
	r->ntests = d->ntests;
	tests_from_dialogue(r, d);
	copy_str(r->plan_mail_from, sizeof(r->plan_mail_from), d->plan_mail_from);
	copy_str(r->plan_rcpt_domain, sizeof(r->plan_rcpt_domain), d->plan_rcpt_domain);
	arena_copy(&d->text, DT_PLAN_NAME, r->plan_name, sizeof(r->plan_name));
	r->connections = d->connections;
	arena_copy(&d->text, DT_EHLO_LINE, r->ehlo_line, sizeof(r->ehlo_line));
	arena_copy(&d->text, DT_MAIL_REPLY, r->mail_reply, sizeof(r->mail_reply));
	arena_copy(&d->text, DT_RSET_REPLY, r->rset_reply, sizeof(r->rset_reply));
	arena_copy(&d->text, DT_QUIT_REPLY, r->quit_reply, sizeof(r->quit_reply));
	if (d->tls_tried != NULL)
		r->tls = *d->tls_tried;
	else
		r->tls.matches = -1;
	r->tls.use = d->tls_use;
}

void
probe_result_init(struct probe_result *r, const struct target *t)
{
	memset(r, 0, sizeof(*r));
	r->target = *t;
	r->verdict = t->skip_reason[0] ? VERDICT_SKIPPED : VERDICT_UNREACHABLE;
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
