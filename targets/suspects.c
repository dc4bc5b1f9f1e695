/*
 * suspects.c: a message's chain, walked, and its targets; see suspects.h.
 */
#include "targets/suspects.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "targets/message.h"

static void
put_str(char *dst, size_t size, const char *s)
{
	struct strbuf sb;

	sb_init(&sb, dst, size);
	sb_puts(&sb, s);
}

void
chain_read(struct message_chain *c, const char *hdr, size_t len, int too_big, const char *name,
           const struct trust *t)
{
	struct message_header m;
	char err[TARGET_REASON_MAX];
	size_t i;

	c->nhops = 0;
	c->error[0] = '\0';
	memset(&c->walk, 0, sizeof(c->walk));
	c->walk.boundary = -1;
	put_str(c->name, sizeof(c->name), name);
	put_str(c->origin, sizeof(c->origin), name);
	if (too_big) {
		snprintf(c->error, sizeof(c->error), "header section larger than %d bytes",
		         MESSAGE_HEADER_MAX);
		return;
	}
	if (message_parse_header(hdr, len, &m, err, sizeof(err)) != 0) {
		put_str(c->error, sizeof(c->error), err);
		return;
	}
	if (m.message_id[0] != '\0')
		put_str(c->origin, sizeof(c->origin), m.message_id);
	for (i = 0; i < m.nreceived; i++)
		received_parse(hdr + m.received_off[i], m.received_len[i], &c->hops[i]);
	c->nhops = m.nreceived;
	trust_walk(t, c->hops, c->nhops, &c->walk);
}

static void
base_target(const struct message_chain *c, struct target *t)
{
	memset(t, 0, sizeof(*t));
	put_str(t->origin, sizeof(t->origin), c->origin);
	t->message_flags = c->walk.flags;
	put_str(t->message, sizeof(t->message), c->name);
}

static void
hop_target(const struct message_chain *c, size_t i, uint16_t port, struct target *t)
{
	const struct hop *h = &c->hops[i];

	base_target(c, t);
	target_set_addr(t, (const struct sockaddr *)&h->sa, port);
	put_str(t->input, sizeof(t->input), h->ip);
	snprintf(t->hop, sizeof(t->hop), "%zu:%s", i + 1, hop_role_name(c->walk.role[i]));
}

size_t
chain_targets(const struct message_chain *c, int probe_claimed, uint16_t port, struct target *out,
              size_t max)
{
	size_t n = 0, i;

	if (max == 0)
		return 0;
	if (c->error[0] != '\0' || c->walk.boundary < 0) {
		base_target(c, &out[0]);
		put_str(out[0].input, sizeof(out[0].input), c->name);
		put_str(out[0].skip_reason, sizeof(out[0].skip_reason),
		        c->error[0] != '\0' ? c->error : c->walk.reason);
		return 1;
	}
	hop_target(c, (size_t)c->walk.boundary, port, &out[n++]);
	if (!probe_claimed)
		return n;
	for (i = (size_t)c->walk.boundary + 1; i < c->nhops && n < max; i++) {
		const struct hop *h = &c->hops[i];

		/* A private hop is on the sender's LAN: evidence, never a target. */
		if (h->kind != HOP_RELAY || trust_is_private((const struct sockaddr *)&h->sa))
			continue;
		hop_target(c, i, port, &out[n++]);
	}
	return n;
}

void
message_flags_format(unsigned int flags, char *buf, size_t size)
{
	struct strbuf sb;
	unsigned int i;

	sb_init(&sb, buf, size);
	for (i = 0; i < sizeof(flags) * 8; i++) {
		const char *name;

		if (!(flags & (1u << i)))
			continue;
		if (sb.len > 0)
			sb_putc(&sb, ';');
		if ((name = message_flag_name(1u << i)) != NULL)
			sb_puts(&sb, name);
		else
			sb_printf(&sb, "bit%u", i);
	}
}

int
trust_add_file(struct trust *t, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[TARGET_LINE_MAX + 2];
	unsigned long lineno = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char why[TARGET_REASON_MAX];
		char *p = line, *hash;
		size_t n;

		lineno++;
		if ((hash = strchr(p, '#')) != NULL)
			*hash = '\0';
		n = strlen(p);
		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' ||
		                 p[n - 1] == '\t'))
			p[--n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			continue;
		if (trust_add(t, p, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%lu: %s", path, lineno, why);
			fclose(f);
			return -1;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}
