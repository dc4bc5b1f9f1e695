/*
 * hops.c: the hop table of --extract-only; see hops.h.
 *
 * Every byte from a message goes through the CSV encoder or
 * sb_append_escaped, as in the probe reports: a hostile Received line
 * cannot break a row or drive a terminal.
 */
#include "cli/hops.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "reports/csv.h"
#include "targets/message.h"

#define HOPS_LINE_MAX (16 * (REPORT_CELL_MAX + 1))

const char *const hops_columns[] = {
    "origin", "file", "hop", "role", "kind", "ip",   "rdns",          "helo",
    "by",     "with", "id",  "for",  "date", "auth", "message_flags", "note",
};
const size_t hops_ncolumns = sizeof(hops_columns) / sizeof(hops_columns[0]);

static void
cell(struct strbuf *line, const char *s, int first)
{
	if (!first)
		sb_putc(line, ',');
	csv_escape_cell(s, strlen(s), line);
}

static int
emit(FILE *out, struct strbuf *line)
{
	sb_putc(line, '\n');
	if (fwrite(line->buf, 1, line->len, out) != line->len)
		return -1;
	sb_reset(line);
	return 0;
}

/* The suspect's listings (--dnsbl), waited for on the loop: every lookup
 * calls back once, its queries bounded by the DNS timeouts. */
struct bl_wait {
	char *out;
	size_t size;
	int done;
};

static void
bl_done(const struct abuse_facts *f, void *arg)
{
	struct bl_wait *w = arg;

	snprintf(w->out, w->size, "%s", f->dnsbl);
	w->done = 1;
}

static void
suspect_dnsbl(const struct hops_dnsbl *bl, const char *ip, char *out, size_t size)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct bl_wait w = {out, size, 0};

	out[0] = '\0';
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	else
		return;
	if (lookup_start(bl->lookup, (struct sockaddr *)&ss, bl_done, &w) != 0)
		return;
	while (!w.done && event_base_loop(bl->base, EVLOOP_ONCE) == 0)
		;
}

static int
write_csv(FILE *out, const struct message_chain *c, struct strbuf *line, int *header_done,
          const char *listed, int with_dnsbl)
{
	char flags[REPORT_CELL_MAX], num[24];
	size_t i;
	int rc = 0;

	if (!*header_done) {
		for (i = 0; i < hops_ncolumns; i++)
			cell(line, hops_columns[i], i == 0);
		if (with_dnsbl)
			cell(line, "dnsbl", 0);
		rc |= emit(out, line);
		*header_done = 1;
	}
	message_flags_format(c->walk.flags, flags, sizeof(flags));
	for (i = 0; i < c->nhops; i++) {
		const struct hop *h = &c->hops[i];

		snprintf(num, sizeof(num), "%zu", i + 1);
		cell(line, c->origin, 1);
		cell(line, c->name, 0);
		cell(line, num, 0);
		cell(line, hop_role_name(c->walk.role[i]), 0);
		cell(line, hop_kind_name(h->kind), 0);
		cell(line, h->ip, 0);
		cell(line, h->rdns, 0);
		cell(line, h->helo, 0);
		cell(line, h->by, 0);
		cell(line, h->with, 0);
		cell(line, h->id, 0);
		cell(line, h->for_, 0);
		cell(line, h->date, 0);
		cell(line, h->authenticated ? "yes" : "", 0);
		cell(line, flags, 0);
		cell(line, h->reason, 0);
		if (with_dnsbl)
			cell(line, (int)i == c->walk.boundary ? listed : "", 0);
		rc |= emit(out, line);
	}
	if (c->error[0] != '\0' || c->walk.boundary < 0) {
		/* The message's own row: no suspect, and why. */
		cell(line, c->origin, 1);
		cell(line, c->name, 0);
		for (i = 2; i < hops_ncolumns - 2; i++)
			cell(line, i == 3 ? "none" : "", 0);
		cell(line, flags, 0);
		cell(line, c->error[0] != '\0' ? c->error : c->walk.reason, 0);
		if (with_dnsbl)
			cell(line, "", 0);
		rc |= emit(out, line);
	}
	return rc;
}

static void
esc(struct strbuf *line, const char *s)
{
	sb_append_escaped(line, s, strlen(s));
}

static void
field(struct strbuf *line, const char *label, const char *s)
{
	if (s[0] == '\0')
		return;
	sb_printf(line, "  %s ", label);
	esc(line, s);
}

static int
write_text(FILE *out, const struct message_chain *c, struct strbuf *line, const char *listed)
{
	char flags[REPORT_CELL_MAX];
	size_t i;
	int rc = 0;

	esc(line, c->origin);
	if (strcmp(c->origin, c->name) != 0) {
		sb_puts(line, "  (");
		esc(line, c->name);
		sb_putc(line, ')');
	}
	rc |= emit(out, line);
	message_flags_format(c->walk.flags, flags, sizeof(flags));
	if (c->error[0] != '\0' || c->walk.boundary < 0) {
		sb_puts(line, "  no suspect: ");
		esc(line, c->error[0] != '\0' ? c->error : c->walk.reason);
	} else {
		const struct hop *b = &c->hops[c->walk.boundary];

		sb_printf(line, "  %s %s (hop %d)", hop_role_name(c->walk.role[c->walk.boundary]),
		          b->ip, c->walk.boundary + 1);
	}
	if (flags[0] != '\0') {
		sb_puts(line, "  flags ");
		sb_puts(line, flags);
	}
	field(line, "dnsbl", listed);
	rc |= emit(out, line);
	for (i = 0; i < c->nhops; i++) {
		const struct hop *h = &c->hops[i];

		sb_printf(line, "  %2zu %-19s %s", i + 1, hop_role_name(c->walk.role[i]),
		          h->ip[0] != '\0' ? h->ip : "-");
		field(line, "helo", h->helo);
		field(line, "rdns", h->rdns);
		field(line, "by", h->by);
		field(line, "with", h->with);
		if (h->authenticated)
			sb_puts(line, "  authenticated");
		field(line, "date", h->date);
		if (h->reason[0] != '\0') {
			sb_puts(line, "  (");
			esc(line, h->reason);
			sb_putc(line, ')');
		}
		rc |= emit(out, line);
	}
	return rc;
}

/* One chain, then a flush, so a reader sees whole messages only. */
static int
write_chain(FILE *out, int text, const struct message_chain *c, struct strbuf *line,
            int *header_done, const struct hops_dnsbl *bl)
{
	char listed[ABUSE_DNSBL_TEXT_MAX];
	int rc;

	listed[0] = '\0';
	if (bl != NULL && c->error[0] == '\0' && c->walk.boundary >= 0)
		suspect_dnsbl(bl, c->hops[c->walk.boundary].ip, listed, sizeof(listed));
	rc = text ? write_text(out, c, line, listed)
	          : write_csv(out, c, line, header_done, listed, bl != NULL);

	if (fflush(out) != 0)
		rc = -1;
	return rc;
}

int
hops_extract(FILE *out, int text, const char *const *paths, size_t npaths, const struct trust *t,
             int outer, FILE *warn, const struct hops_dnsbl *bl)
{
	struct message_chain *c = malloc(sizeof(*c));
	char *buf = malloc(HOPS_LINE_MAX);
	int header_done = 0, status = 0;
	struct strbuf line;
	size_t i;

	if (c == NULL || buf == NULL) {
		free(c);
		free(buf);
		return 3;
	}
	sb_init(&line, buf, HOPS_LINE_MAX);
	for (i = 0; i < npaths; i++) {
		char err[TARGET_ORIGIN_MAX + TARGET_REASON_MAX], name[TARGET_ORIGIN_MAX];
		struct message_file *f = message_file_open(paths[i], err, sizeof(err));
		const char *hdr;
		size_t len;
		int too_big, r;

		if (f == NULL) {
			fprintf(stderr, "smtpprobe: %s\n", err);
			status = 2;
			continue;
		}
		message_file_set_outer(f, outer);
		while ((r = message_file_next(f, &hdr, &len, &too_big, name, sizeof(name), err,
		                              sizeof(err))) != 0) {
			if (r < 0) {
				fprintf(stderr, "smtpprobe: %s: %s\n", name, err);
				status = 2;
				continue; /* a Maildir goes on with its next file */
			}
			chain_read(c, hdr, len, too_big, name, t);
			if (warn != NULL && (c->error[0] != '\0' || c->walk.boundary < 0))
				fprintf(warn, "smtpprobe: %s: %s\n", c->name,
				        c->error[0] != '\0' ? c->error : c->walk.reason);
			if (write_chain(out, text, c, &line, &header_done, bl) != 0) {
				message_file_free(f);
				free(c);
				free(buf);
				return 3;
			}
		}
		message_file_free(f);
	}
	free(c);
	free(buf);
	return status;
}
