/*
 * fuzz_session.c: a whole dialogue's worth of server bytes, from the wire to
 * the CSV row, without sockets. The bytes arrive in chunks (the first input
 * byte picks their size) and go through what the session's I/O shell does
 * with them: smtp_line_cut, smtp_reply_feed, the evidence of a bad line
 * (smtp_reply_quote), and the product's protocol core (protocol.h) for every
 * line and every complete reply, its actions carried out as the shell does
 * (a command entered, TLS taken as refused, a reconnect as a fresh
 * connection); then verdict_apply and every report column through the CSV
 * encoder. A second input byte picks the settings (STARTTLS, retries).
 *
 * Checked besides the sanitizers: chunking never changes where lines are cut
 * (the same lines as when everything arrives at once), no cut line is longer
 * than SMTP_LINE_MAX, no cell holds a control byte, the verdict is a real one,
 * every command the core writes is one of its seven and fits SMTP_CMD_MAX,
 * and the core never reports a broken invariant (PROBE_INTERNAL_ERROR; a
 * fuzzer build aborts inside the core already).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/strbuf.h"
#include "prober/protocol.h"
#include "prober/reply.h"
#include "record/relay.h"
#include "record/result.h"
#include "record/settings.h"
#include "prober/verdict.h"
#include "reports/columns.h"
#include "reports/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sim {
	struct probe_dialogue d; /* what the session holds */
	struct probe_result r;   /* made of it at the end */
	struct smtp_reply reply;
	struct proto p;
	int done;
};

/* Where each line was cut, to compare chunked and whole input. */
struct cuts {
	size_t off[SMTP_SESSION_BYTES_MAX / 2 + 1];
	size_t n;
	enum line_status last;
};

/* The commands the core may write, and nothing else. */
static void
check_command(const char *buf, size_t len)
{
	static const char *const ok[] = {"EHLO ",    "HELO ",    "MAIL FROM:<", "RCPT TO:<",
	                                 "RSET\r\n", "QUIT\r\n", "STARTTLS\r\n"};
	size_t i;

	if (len < 2 || len >= SMTP_CMD_MAX || buf[len - 2] != '\r' || buf[len - 1] != '\n' ||
	    memchr(buf, '\n', len - 1) != NULL)
		abort();
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strncmp(buf, ok[i], strlen(ok[i])) == 0)
			return;
	abort();
}

/* Carries out one action of the core, as the shell would with no network. */
static void
sim_act(struct sim *s, struct proto_action a)
{
	char cmd[SMTP_CMD_MAX];
	size_t len;

	/* Bounded: each step of a chain consumes a test or ends the dialogue. */
	for (int steps = 0; steps < 64; steps++) {
		switch (a.act) {
		case PA_NONE:
			return;
		case PA_ENTER:
			len = proto_enter(&s->p, a.next, cmd, sizeof(cmd));
			if (len > 0)
				check_command(cmd, len);
			if (a.next == PS_RETRY_WAIT) {
				/* The wait passes. */
				a = proto_timeout(&s->p, 0);
				continue;
			}
			return;
		case PA_START_TLS:
			/* No TLS here: as a handshake that failed. */
			a.act = PA_TLS_FAILED;
			continue;
		case PA_TLS_FAILED:
			s->d.flags |= FLAG_TLS_FAILED;
			proto_tls_restart(&s->p);
			/* fall through */
		case PA_RECONNECT:
			proto_connection(&s->p);
			a.act = PA_ENTER;
			a.next = PS_GREETING;
			continue;
		case PA_FINISH:
			s->d.error = a.error;
			s->done = 1;
			return;
		}
	}
	abort(); /* the core looped without reading */
}

/* One cut line through the parser. Returns 0 to go on, -1 when the dialogue ends. */
static int
sim_line(struct sim *s, const char *line, size_t len)
{
	enum reply_status st;

	st = smtp_reply_feed(&s->reply, line, len);
	if (st == REPLY_ERROR) {
		char quoted[SMTP_TEXT_MAX];

		smtp_reply_quote(line, len, quoted, sizeof(quoted));
		dialogue_set_str(&s->d, DT_LAST_REPLY, quoted);
		s->d.error = PROBE_PROTOCOL_ERROR;
		return -1;
	}
	proto_line(&s->p, &s->reply, line, len);
	if (st == REPLY_DONE) {
		sim_act(s, proto_reply(&s->p, &s->reply, 1000000));
		smtp_reply_init(&s->reply);
		if (s->done)
			return -1;
	}
	return 0;
}

/* Cuts lines off buf[*start..end), recording each cut; feeds them to s if given. */
static int
cut_lines(const char *buf, size_t *start, size_t end, struct cuts *c, struct sim *s)
{
	size_t len, eol_len;

	while (*start < end) {
		c->last = smtp_line_cut(buf + *start, end - *start, &len, &eol_len);
		if (c->last == LINE_PARTIAL)
			return 0;
		if (c->last == LINE_TOO_LONG)
			return -1;
		if (len > SMTP_LINE_MAX || eol_len == 0 || eol_len > 2)
			abort();
		if (c->n < sizeof(c->off) / sizeof(c->off[0]))
			c->off[c->n++] = *start + len;
		if (s != NULL && sim_line(s, buf + *start, len) < 0)
			return -1;
		*start += len + eol_len;
	}
	return 0;
}

static void
check_row(const struct probe_result *r)
{
	char raw[REPORT_CELL_MAX], cell[REPORT_CELL_MAX];
	struct strbuf sr, sc;
	size_t i, k;

	for (i = 0; i < report_ncolumns; i++) {
		sb_init(&sr, raw, sizeof(raw));
		report_columns[i].format(r, &sr);
		sb_init(&sc, cell, sizeof(cell));
		csv_escape_cell(raw, sr.len, &sc);
		for (k = 0; k < sc.len; k++)
			if ((unsigned char)cell[k] < 0x20 || cell[k] == 0x7f)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cuts whole, chunked;
	static struct sim s;
	struct target t;
	struct sockaddr_in *sin = (struct sockaddr_in *)&t.sa;
	struct probe_settings set;
	const char *buf;
	size_t chunk, start = 0, end, n;
	int stop = 0;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] + 1;
	buf = (const char *)data + 1;
	n = size - 1;
	if (n > SMTP_SESSION_BYTES_MAX)
		n = SMTP_SESSION_BYTES_MAX;

	/* Everything at once, cuts only. */
	memset(&whole, 0, sizeof(whole));
	start = 0;
	cut_lines(buf, &start, n, &whole, NULL);

	/* In chunks, through the simulated session. */
	memset(&chunked, 0, sizeof(chunked));
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(25);
	sin->sin_addr.s_addr = htonl(0xc0000201); /* 192.0.2.1 */
	t.salen = sizeof(*sin);
	t.port = 25;
	strcpy(t.ip, "192.0.2.1");
	strcpy(t.origin, "fuzz:1");
	probe_settings_default(&set);
	if (n > 0) {
		/* The second byte: STARTTLS (with a stand-in context the core
		 * never touches) and greylisting retries. */
		set.tls = (data[1] & 1) ? (struct tls_client *)&set : NULL;
		set.starttls = (data[1] & 2) ? STARTTLS_ALWAYS : STARTTLS_AUTO;
		set.retry_after_ms = (data[1] & 4) ? 1000 : 0;
	}
	if (probe_dialogue_init(&s.d, &t) != 0)
		abort();
	s.d.connected = 1;
	relay_plan(&s.d, &set, "");
	proto_init(&s.p, &set, &s.d, 0);
	proto_connection(&s.p);
	(void)proto_enter(&s.p, PS_GREETING, NULL, 0);
	smtp_reply_init(&s.reply);
	start = 0;
	for (end = 0; end < n && !stop;) {
		end = end + chunk < n ? end + chunk : n;
		if (cut_lines(buf, &start, end, &chunked, &s) < 0)
			stop = 1;
	}
	if (chunked.last == LINE_TOO_LONG) {
		char quoted[SMTP_TEXT_MAX];

		smtp_reply_quote(buf + start, end - start, quoted, sizeof(quoted));
		dialogue_set_str(&s.d, DT_LAST_REPLY, quoted);
		s.d.error = PROBE_LINE_TOO_LONG;
	}
	probe_result_from_dialogue(&s.r, &s.d);
	probe_dialogue_free(&s.d);
	/* The session stops at its first error; up to there, the cuts agree. */
	if (chunked.n > whole.n || memcmp(chunked.off, whole.off, chunked.n * sizeof(size_t)) != 0)
		abort();
	if (!stop && chunked.n != whole.n)
		abort();

	if (s.r.error == PROBE_INTERNAL_ERROR)
		abort();
	verdict_apply(&s.r);
	if ((int)s.r.verdict < 0 || s.r.verdict >= VERDICT_COUNT)
		abort();
	check_row(&s.r);
	return 0;
}
