/*
 * fuzz_session.c: a whole dialogue's worth of server bytes, from the wire to
 * the CSV row, without sockets. The bytes arrive in chunks (the first input
 * byte picks their size) and go through what the session does with them:
 * smtp_line_cut, smtp_reply_feed, the EHLO and name helpers, the evidence of
 * a bad line (smtp_reply_quote), then a lock-step walk through the states
 * (greeting, EHLO, MAIL/RCPT/RSET per relay test, QUIT), verdict_apply and
 * every report column through the CSV encoder.
 *
 * Checked besides the sanitizers: chunking never changes where lines are cut
 * (the same lines as when everything arrives at once), no cut line is longer
 * than SMTP_LINE_MAX, no cell holds a control byte, the verdict is a real one.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/strbuf.h"
#include "record/relay.h"
#include "prober/reply.h"
#include "record/result.h"
#include "record/settings.h"
#include "prober/verdict.h"
#include "reports/columns.h"
#include "reports/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum sim_state { SIM_GREETING, SIM_EHLO, SIM_MAIL, SIM_RCPT, SIM_RSET, SIM_QUIT, SIM_DONE };

struct sim {
	struct probe_result r;
	struct smtp_reply reply;
	enum sim_state state;
	size_t test;
	const struct probe_settings *set;
};

/* Where each line was cut, to compare chunked and whole input. */
struct cuts {
	size_t off[SMTP_SESSION_BYTES_MAX / 2 + 1];
	size_t n;
	enum line_status last;
};

static void
sim_next_test(struct sim *s)
{
	s->state = s->test < s->r.ntests ? SIM_MAIL : SIM_QUIT;
}

/* A complete reply in the current state: the session's decisions, in short. */
static void
sim_reply(struct sim *s)
{
	struct relay_result *t = s->test < s->r.ntests ? &s->r.tests[s->test] : NULL;
	int code = s->reply.code;
	char name[SMTP_NAME_MAX];

	smtp_reply_first_line(&s->reply, s->r.last_reply, sizeof(s->r.last_reply));
	if ((code / 100 == 3 && s->state != SIM_GREETING && s->state != SIM_RCPT) ||
	    ((s->state == SIM_MAIL || s->state == SIM_RCPT) && t == NULL)) {
		s->r.error = PROBE_PROTOCOL_ERROR;
		s->state = SIM_DONE;
		return;
	}
	switch (s->state) {
	case SIM_GREETING:
		s->r.greeting_code = code;
		memcpy(s->r.banner, s->reply.text, s->reply.textlen);
		s->r.banner[s->reply.textlen] = '\0';
		/* The plan may use the name the greeting gave, as the session's does. */
		smtp_reply_domain(s->reply.text, strcspn(s->reply.text, "\n"), name, sizeof(name));
		relay_plan(&s->r, s->set, name);
		s->state = code / 100 == 2 ? SIM_EHLO : SIM_QUIT;
		break;
	case SIM_EHLO:
		if (code / 100 == 2)
			sim_next_test(s);
		else
			s->state = SIM_QUIT;
		break;
	case SIM_MAIL:
		t->mail_code = code;
		smtp_reply_first_line(&s->reply, t->reply, sizeof(t->reply));
		if (code / 100 == 2)
			s->state = SIM_RCPT;
		else {
			s->test++;
			sim_next_test(s);
		}
		break;
	case SIM_RCPT:
		t->rcpt_code = code;
		smtp_reply_first_line(&s->reply, t->reply, sizeof(t->reply));
		if (code / 100 == 3) {
			s->r.flags |= FLAG_RCPT_3XX;
			s->state = SIM_DONE;
			return;
		}
		s->test++;
		s->state = SIM_RSET;
		break;
	case SIM_RSET:
		sim_next_test(s);
		break;
	case SIM_QUIT:
	case SIM_DONE:
		s->state = SIM_DONE;
		break;
	}
}

/* One cut line through the parser. Returns 0 to go on, -1 when the dialogue ends. */
static int
sim_line(struct sim *s, const char *line, size_t len)
{
	enum reply_status st;

	st = smtp_reply_feed(&s->reply, line, len);
	if (st == REPLY_ERROR) {
		smtp_reply_quote(line, len, s->r.last_reply, sizeof(s->r.last_reply));
		s->r.error = PROBE_PROTOCOL_ERROR;
		return -1;
	}
	if (s->state == SIM_EHLO && s->reply.code / 100 == 2) {
		if (s->reply.nlines == 1)
			smtp_reply_domain(line, len, s->r.ehlo_name, sizeof(s->r.ehlo_name));
		else if (smtp_ehlo_extension(s->reply.line, s->reply.linelen, s->r.extensions,
		                             sizeof(s->r.extensions)))
			s->r.flags |= FLAG_STARTTLS;
	}
	if (st == REPLY_DONE) {
		sim_reply(s);
		smtp_reply_init(&s->reply);
		if (s->state == SIM_DONE)
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
	probe_result_init(&s.r, &t);
	s.r.connected = 1;
	relay_plan(&s.r, &set, "");
	s.set = &set;
	smtp_reply_init(&s.reply);
	start = 0;
	for (end = 0; end < n && !stop;) {
		end = end + chunk < n ? end + chunk : n;
		if (cut_lines(buf, &start, end, &chunked, &s) < 0)
			stop = 1;
	}
	if (chunked.last == LINE_TOO_LONG) {
		smtp_reply_quote(buf + start, end - start, s.r.last_reply, sizeof(s.r.last_reply));
		s.r.error = PROBE_LINE_TOO_LONG;
	}
	/* The session stops at its first error; up to there, the cuts agree. */
	if (chunked.n > whole.n || memcmp(chunked.off, whole.off, chunked.n * sizeof(size_t)) != 0)
		abort();
	if (!stop && chunked.n != whole.n)
		abort();

	verdict_apply(&s.r);
	if ((int)s.r.verdict < 0 || s.r.verdict >= VERDICT_COUNT)
		abort();
	check_row(&s.r);
	return 0;
}
