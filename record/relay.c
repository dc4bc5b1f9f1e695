/*
 * relay.c: the relay-test matrix; see relay.h.
 *
 * Templates: {F} the configured sender (--mail-from), {L} the local part of
 * the outside recipient, {D} the outside domain (--rcpt-domain), {I} the
 * target's address literal, {B} the name from the target's greeting.
 */
#include "config.h"

#include "record/relay.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"

#define RELAY_LOCAL_PART "relay-test"
/* "[IPv6:" + an address + "]" */
#define RELAY_LITERAL_MAX (INET6_ADDRSTRLEN + 8)

struct relay_row {
	const char *name;
	enum relay_kind kind;
	const char *from; /* template */
	const char *to;   /* template */
};

/* Order matters: a test's bit is its row number. The first three are basic. */
static const struct relay_row relay_rows[] = {
    {"third-party", RELAY_THIRD_PARTY, "{F}", "{L}@{D}"},
    {"localhost", RELAY_LOCALHOST, "probe@localhost", "probe@localhost"},
    /* RFC 5321 4.5.1: every server must accept the bare "postmaster". */
    {"postmaster", RELAY_POSTMASTER, "{F}", "postmaster"},
    {"null-sender", RELAY_THIRD_PARTY, "", "{L}@{D}"},
    {"sender-literal", RELAY_THIRD_PARTY, "probe@{I}", "{L}@{D}"},
    {"sender-banner", RELAY_THIRD_PARTY, "probe@{B}", "{L}@{D}"},
    {"percent-literal", RELAY_THIRD_PARTY, "{F}", "{L}%{D}@{I}"},
    {"percent-banner", RELAY_THIRD_PARTY, "{F}", "{L}%{D}@{B}"},
    {"quoted", RELAY_THIRD_PARTY, "{F}", "\"{L}@{D}\""},
    {"quoted-percent", RELAY_THIRD_PARTY, "{F}", "\"{L}%{D}\""},
    {"double-at", RELAY_THIRD_PARTY, "{F}", "{L}@{D}@{I}"},
    {"quoted-literal", RELAY_THIRD_PARTY, "{F}", "\"{L}@{D}\"@{I}"},
    {"source-route", RELAY_THIRD_PARTY, "{F}", "@{I}:{L}@{D}"},
    {"bang", RELAY_THIRD_PARTY, "{F}", "{D}!{L}"},
    {"bang-literal", RELAY_THIRD_PARTY, "{F}", "{D}!{L}@{I}"},
    /* nmap's smtp-open-relay shapes that name the greeting's host. */
    {"double-at-banner", RELAY_THIRD_PARTY, "{F}", "{L}@{D}@{B}"},
    {"source-route-banner", RELAY_THIRD_PARTY, "{F}", "@{B}:{L}@{D}"},
    {"bang-banner", RELAY_THIRD_PARTY, "{F}", "{D}!{L}@{B}"},
    /* An empty domain after the last '@': OpenSMTPD 5.7 took it for local. */
    {"trailing-at", RELAY_THIRD_PARTY, "{F}", "{L}@{D}@"},
};

#define RELAY_ROWS (sizeof(relay_rows) / sizeof(relay_rows[0]))
_Static_assert(RELAY_ROWS <= RELAY_TESTS_MAX, "a probe records every row of the matrix");
_Static_assert(RELAY_ROWS < sizeof(unsigned int) * 8, "a test's bit is its row number");
/* --tests full: every row of the table. */
#define RELAY_TESTS_FULL ((1u << RELAY_ROWS) - 1u)
/* The names of all rows, comma-separated. */
#define RELAY_NAMES_TEXT_MAX (RELAY_TESTS_MAX * 24)

const char *
relay_tests_names(void)
{
	static char text[RELAY_NAMES_TEXT_MAX];
	struct strbuf sb;
	size_t i;

	if (text[0] != '\0')
		return text;
	sb_init(&sb, text, sizeof(text));
	for (i = 0; i < RELAY_ROWS; i++)
		sb_printf(&sb, "%s%s", i > 0 ? "," : "", relay_rows[i].name);
	return text;
}

int
relay_tests_parse(const char *text, unsigned int *mask, char *err, size_t errlen)
{
	unsigned int m = 0;
	const char *p = text, *comma;
	size_t i;

	if (strcmp(text, "basic") == 0) {
		*mask = RELAY_TESTS_BASIC;
		return 0;
	}
	if (strcmp(text, "full") == 0) {
		*mask = RELAY_TESTS_FULL;
		return 0;
	}
	for (;;) {
		size_t n;

		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		for (i = 0; i < RELAY_ROWS; i++)
			if (strlen(relay_rows[i].name) == n &&
			    strncmp(relay_rows[i].name, p, n) == 0)
				break;
		if (i == RELAY_ROWS) {
			snprintf(err, errlen, "not a test: \"%.*s\" (basic, full, or of: %s)",
			         (int)(n < 64 ? n : 64), p, relay_tests_names());
			return -1;
		}
		m |= 1u << i;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*mask = m;
	return 0;
}

int
relay_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			return 0;
	}
	return i > 0 && i < SMTP_NAME_MAX;
}

/* What a test's addresses are made of: a dialogue's or a record's. */
struct relay_parts {
	const char *mail_from;   /* {F} */
	const char *rcpt_domain; /* {D} */
	const char *name;        /* {B} */
	const char *ip;          /* {I}: the address's canonical text, "" for none */
};

/*
 * Expands a template with the parts; returns -1 when a part is missing or it
 * does not fit. The address literal is made only for the templates that
 * name it: the session expands one template per MAIL and RCPT it sends.
 */
static int
expand(const char *tpl, const struct relay_parts *r, char *out, size_t size)
{
	char literal[RELAY_LITERAL_MAX];
	struct strbuf sb;
	const char *p;

	sb_init(&sb, out, size);
	for (p = tpl; *p != '\0'; p++) {
		const char *part = NULL;

		if (p[0] == '{' && p[1] != '\0' && p[2] == '}') {
			switch (p[1]) {
			case 'F':
				part = r->mail_from;
				break;
			case 'L':
				part = RELAY_LOCAL_PART;
				break;
			case 'D':
				part = r->rcpt_domain;
				break;
			case 'I':
				if (relay_address_literal(r->ip, literal, sizeof(literal)) != 0)
					return -1;
				part = literal;
				break;
			case 'B':
				part = r->name;
				break;
			}
		}
		if (part == NULL) {
			/* Up to the next brace: text as it is. */
			size_t run = 1 + strcspn(p + 1, "{");

			sb_append(&sb, p, run);
			p += run - 1;
			continue;
		}
		if (part[0] == '\0')
			return -1;
		sb_puts(&sb, part);
		p += 2;
	}
	return sb.truncated ? -1 : 0;
}

static struct relay_parts
dialogue_parts(const struct probe_dialogue *r)
{
	struct relay_parts parts;

	parts.mail_from = r->plan_mail_from != NULL ? r->plan_mail_from : "";
	parts.rcpt_domain = r->plan_rcpt_domain != NULL ? r->plan_rcpt_domain : "";
	parts.name = dialogue_text(r, DT_PLAN_NAME);
	parts.ip = r->target.salen != 0 ? dialogue_text(r, DT_TARGET + TT_IP) : "";
	return parts;
}

/* Keeps banner_name as r's plan name when it is fit for an address. */
static void
plan_name(struct probe_dialogue *r, const char *banner_name)
{
	/* A name relay_name_ok takes is shorter than SMTP_NAME_MAX. */
	dialogue_set_str(r, DT_PLAN_NAME,
	                 banner_name != NULL && relay_name_ok(banner_name) ? banner_name : "");
}

size_t
relay_plan(struct probe_dialogue *r, const struct probe_settings *set, const char *banner_name)
{
	char from[SMTP_ADDR_MAX], to[SMTP_ADDR_MAX];
	struct relay_parts parts;
	size_t i, n = 0;

	r->plan_mail_from = set->mail_from;
	r->plan_rcpt_domain = set->rcpt_domain;
	plan_name(r, banner_name);
	parts = dialogue_parts(r);
	for (i = 0; i < RELAY_ROWS && n < RELAY_TESTS_MAX; i++) {
		struct dialogue_test *t = &r->tests[n];

		if (!(set->tests & (1u << i)))
			continue;
		if (expand(relay_rows[i].from, &parts, from, sizeof(from)) != 0 ||
		    expand(relay_rows[i].to, &parts, to, sizeof(to)) != 0)
			continue;
		memset(t, 0, sizeof(*t));
		t->row = (unsigned char)i;
		dialogue_set(r, (enum dialogue_text)(DT_TEST_REPLY + n), "", 0);
		n++;
	}
	r->ntests = n;
	return n;
}

size_t
relay_plan_named(struct probe_dialogue *r, const struct probe_settings *set,
                 const char *banner_name)
{
	size_t i;

	for (i = 0; i < RELAY_ROWS; i++)
		if ((set->tests & (1u << i)) && (strstr(relay_rows[i].from, "{B}") != NULL ||
		                                 strstr(relay_rows[i].to, "{B}") != NULL))
			return relay_plan(r, set, banner_name);
	plan_name(r, banner_name);
	return r->ntests;
}

/* Test i's address on one side, from its row and the parts. */
static int
address(unsigned int row_i, const struct relay_parts *parts, enum relay_side side, char *buf,
        size_t size)
{
	const struct relay_row *row;

	if (row_i >= RELAY_ROWS)
		return -1;
	row = &relay_rows[row_i];
	if (expand(side == RELAY_SENDER ? row->from : row->to, parts, buf, size) != 0) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

int
relay_dialogue_address(const struct probe_dialogue *r, size_t i, enum relay_side side, char *buf,
                       size_t size)
{
	struct relay_parts parts;

	if (size > 0)
		buf[0] = '\0';
	if (i >= r->ntests || i >= RELAY_TESTS_MAX || size == 0)
		return -1;
	parts = dialogue_parts(r);
	return address(r->tests[i].row, &parts, side, buf, size);
}

int
relay_address(const struct probe_result *r, size_t i, enum relay_side side, char *buf, size_t size)
{
	struct relay_parts parts;

	if (size > 0)
		buf[0] = '\0';
	if (i >= r->ntests || i >= RELAY_TESTS_MAX || size == 0)
		return -1;
	parts.mail_from = r->plan_mail_from;
	parts.rcpt_domain = r->plan_rcpt_domain;
	parts.name = r->plan_name;
	parts.ip = r->target.salen != 0 ? r->target.ip : "";
	return address(r->tests[i].row, &parts, side, buf, size);
}

const char *
relay_row_name(unsigned int row)
{
	return row < RELAY_ROWS ? relay_rows[row].name : NULL;
}

enum relay_kind
relay_row_kind(unsigned int row)
{
	return row < RELAY_ROWS ? relay_rows[row].kind : RELAY_THIRD_PARTY;
}

int
relay_address_literal(const char *ip, char *buf, size_t size)
{
	struct strbuf sb;

	if (size == 0)
		return -1;
	sb_init(&sb, buf, size);
	if (ip[0] == '\0')
		return -1;
	sb_putc(&sb, '[');
	if (strchr(ip, ':') != NULL)
		sb_puts(&sb, "IPv6:");
	sb_puts(&sb, ip);
	sb_putc(&sb, ']');
	return sb.truncated ? -1 : 0;
}

int
relay_word_ok(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>')
			return 0;
	}
	return i > 0 && i < max;
}
