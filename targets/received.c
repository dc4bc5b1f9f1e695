/*
 * received.c: the Received-header parser; see received.h.
 *
 * The line is unfolded and its blanks collapsed, the date cut off at the last
 * ';' outside comments, and the rest read as tokens: words and (nested)
 * comments. Clause keywords (from, by, via, with, id, for) give each token
 * its place, so one reader covers the MTAs that write "from HELO (RDNS [IP])"
 * (Postfix, Sendmail, OpenSMTPD, Courier, Gmail), "from RDNS ([IP] helo=HELO)"
 * (Exim), "from RDNS (HELO name) (IP)" (qmail) and "from NAME (IP)"
 * (Exchange). The address is looked for in this order, most specific first:
 * a bracketed literal inside a comment of the from part, a comment that is
 * only an address, a bracketed word after the from name, the from name
 * itself when it is a literal. SpamAssassin's Received.pm reads the same
 * forms with regular expressions per MTA; a token walk needs no backtracking,
 * so no line can make it slow.
 *
 * Some lines record no relay at all: the user's own client fetching the
 * message from a mailbox (fetchmail, getmail), or a handover inside one
 * host (LMTP to the mail store, a local submission, a content scanner). The
 * shape table below names each one that SpamAssassin's Received.pm also
 * skips; such a line is HOP_RETRIEVAL or HOP_LOCAL, never a relay.
 */
#include "targets/received.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/types.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"
#include "targets/parse.h"

#define COMMENT_DEPTH_MAX 8 /* deeper parentheses are kept as text */

enum token_type {
	TOK_WORD,
	TOK_COMMENT, /* text inside the outer parentheses, without them */
};

struct token {
	enum token_type type;
	const char *s;
	size_t n;
};

enum clause {
	CL_NONE,
	CL_FROM,
	CL_BY,
	CL_VIA,
	CL_WITH,
	CL_ID,
	CL_FOR,
};

static const struct {
	const char *word;
	enum clause clause;
} keywords[] = {
    {"from", CL_FROM}, {"by", CL_BY}, {"via", CL_VIA},
    {"with", CL_WITH}, {"id", CL_ID}, {"for", CL_FOR},
};

/*
 * What a shape looks at. Only what the receiving host wrote can make a line
 * "not a relay", never what the sender chose (its HELO in the from part,
 * its MAIL FROM in Exim's "(envelope-from <...>)", its RCPT in "for"): the
 * protocol word after "by", the words right after it, the comment right
 * after the by host or the protocol; the from part only when it records no
 * address, since a host that records its peer's address saw a network
 * connection. A line with two "by" or two "with" outside comments has had
 * words put into it ("EHLO x by y with POP3"): no shape applies to it.
 */
enum shape_test {
	SH_PROTOCOL,           /* the first word of the with clause starts with text */
	SH_WITH_WORD,          /* a word after it, before any comment, starts with text */
	SH_BY_COMMENT,         /* the comment after the by host or protocol starts with text */
	SH_FROM_COMMENT,       /* no address; a from-part comment holds text */
	SH_FROM_COMMENT_START, /* no address; a from-part comment starts with text */
	SH_FROM_USER,          /* no address; a from-part comment is "user" + text ("@localhost") */
	SH_FROM_TEXT,          /* no address; the from part's words are text */
	SH_FROM_AT,            /* no address; the from part is one name, user@host */
};

/*
 * Lines that are no relay: each row names the shape (shown as the hop's
 * note) and the tool that writes it. SpamAssassin's Received.pm skips the
 * same lines (its mail-fetcher check, "with local", "ignore" cases), for
 * the same reason: nothing crossed the internet there. The order matters
 * only for the name shown: fetchmail and getmail before the protocols.
 * Two more local shapes need no row: a line that opens with a comment
 * (qmail's "(qmail 4321 invoked by uid 89)" and "invoked from network",
 * Sendmail's "(from user@localhost)"), and one with no from part
 * (Postfix's pickup "by host (Postfix, from userid 1000)"); the reason of
 * such a hop quotes the comment, or says "no from part".
 */
static const struct shape {
	const char *name;
	enum hop_kind kind;
	enum shape_test test;
	const char *text;
	int noaddr; /* only when the from part records no address */
} shapes[] = {
    /* fetchmail: "by HOST with PROTO (fetchmail-6.4.38 ...)", any protocol
       (POP3, IMAP, ETRN); fetchmail 4: "by HOST (fetchmail-4.3.9 POP3 run by USER)". */
    {"fetchmail", HOP_RETRIEVAL, SH_BY_COMMENT, "fetchmail-", 0},
    /* getmail6: "by HOST with POP3-SSL getmail6 for <R>". */
    {"getmail", HOP_RETRIEVAL, SH_WITH_WORD, "getmail", 0},
    /* Any POP3 or IMAP client that writes a line (getmail 4 and 5: "with POP3",
       "with IMAP4-SSL"); SpamAssassin's own mail-fetcher test. */
    {"POP3 retrieval", HOP_RETRIEVAL, SH_PROTOCOL, "POP", 0},
    {"IMAP retrieval", HOP_RETRIEVAL, SH_PROTOCOL, "IMAP", 0},
    /* LMTP (RFC 2033) hands a message to the mail store, never across the
       internet: Dovecot, Cyrus ("([unix socket]) ... with LMTPA"), sieve filters. */
    {"LMTP delivery", HOP_LOCAL, SH_PROTOCOL, "LMTP", 0},
    /* Exim's local submissions: "with local", "with local-esmtp", "with local-bsmtp". */
    {"local submission", HOP_LOCAL, SH_PROTOCOL, "local", 0},
    /* Batched SMTP (rsmtp, UUCP): a file, not a TCP handover. */
    {"batched SMTP", HOP_LOCAL, SH_PROTOCOL, "BSMTP", 1},
    /* qmail-scanner logs again the handover the line above describes. */
    {"qmail-scanner", HOP_LOCAL, SH_PROTOCOL, "qmail-scanner", 0},
    /* GroupWise's internal agents: "from GWGC6-MTA by host with Novell_GroupWise". */
    {"GroupWise", HOP_LOCAL, SH_PROTOCOL, "Novell_GroupWise", 1},
    /* IIS: "from mail pickup service by host with Microsoft SMTPSVC". */
    {"SMTPSVC pickup", HOP_LOCAL, SH_FROM_TEXT, "mail pickup service", 1},
    /* Sendmail run locally: "from host (user@localhost) by host (8.15.2/8.15.2)". */
    {"sendmail local submission", HOP_LOCAL, SH_FROM_USER, "@localhost", 1},
    /* Sendmail over its unix-domain socket: "from localhost (localhost [[UNIX: localhost]])". */
    {"unix socket", HOP_LOCAL, SH_FROM_COMMENT, "[UNIX: ", 1},
    /* OpenSMTPD's local enqueuer: "from localhost (host [local]) by host (OpenSMTPD)". */
    {"OpenSMTPD local", HOP_LOCAL, SH_FROM_COMMENT, "[local]", 1},
    /* AVG's scanning proxy: "from 127.0.0.1 (AVG SMTP 7.0.299 [265.6.8])". */
    {"AVG SMTP scanner", HOP_LOCAL, SH_FROM_COMMENT_START, "AVG SMTP", 1},
    /* A mailbox, not a host, handed it in: "from user@example.org by host (mail_out)". */
    {"user submission", HOP_LOCAL, SH_FROM_AT, "@", 1},
};

/* Where received_parse found the keywords the shapes look at; -1: absent. */
struct clauses {
	ssize_t from_at, by_at;
	ssize_t with_first, with_after_by;
	int nby, nwith; /* "by" and "with" keywords outside comments */
};

static size_t normalize(const char *in, size_t len, char *out, size_t cap);
static size_t tokenize(const char *s, size_t n, struct token *tok, size_t max);
static enum clause keyword(const struct token *t);
static void put(char *dst, size_t size, const char *s, size_t n);
static int is_auth_with(const char *s, size_t n);
static int has_word_ci(const char *s, size_t n, const char *word);
static size_t from_end(const struct token *tok, size_t ntok, size_t from_at);
static void read_from(struct hop *h, const struct token *tok, size_t ntok, size_t from_at);
static const struct shape *match_shape(const struct hop *h, const struct token *tok, size_t ntok,
                                       const struct clauses *c);

static const char *const kind_names[] = {
    [HOP_RELAY] = "relay",       [HOP_LOCAL] = "local",         [HOP_NOADDR] = "no-address",
    [HOP_UNPARSED] = "unparsed", [HOP_RETRIEVAL] = "retrieval",
};

const char *
hop_kind_name(enum hop_kind k)
{
	if ((unsigned)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "?";
	return kind_names[k];
}

/* Copies n bytes of s into dst as a C string, cut to fit. */
static void
put(char *dst, size_t size, const char *s, size_t n)
{
	struct strbuf sb;

	sb_init(&sb, dst, size);
	sb_append(&sb, s, n);
}

/*
 * Unfolds (CR and LF become blanks, RFC 5322 2.2.3), collapses runs of
 * blanks to one space and trims. Returns the new length.
 */
static size_t
normalize(const char *in, size_t len, char *out, size_t cap)
{
	size_t i, o = 0;
	int space = 1; /* drop leading blanks */

	for (i = 0; i < len && o + 1 < cap; i++) {
		char c = in[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (!space)
				out[o++] = ' ';
			space = 1;
			continue;
		}
		out[o++] = c;
		space = 0;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o;
}

/* Words and comments; a comment without its ')' runs to the end. */
static size_t
tokenize(const char *s, size_t n, struct token *tok, size_t max)
{
	size_t i = 0, nt = 0;

	while (i < n && nt < max) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		if (s[i] == '(') {
			size_t start = ++i;
			int depth = 1;

			while (i < n && depth > 0) {
				if (s[i] == '(' && depth < COMMENT_DEPTH_MAX)
					depth++;
				else if (s[i] == ')')
					depth--;
				if (depth > 0)
					i++;
			}
			tok[nt].type = TOK_COMMENT;
			tok[nt].s = s + start;
			tok[nt].n = i - start;
			nt++;
			if (i < n)
				i++; /* the closing ')' */
			continue;
		}
		tok[nt].type = TOK_WORD;
		tok[nt].s = s + i;
		while (i < n && s[i] != ' ' && s[i] != '(')
			i++;
		tok[nt].n = (size_t)(s + i - tok[nt].s);
		nt++;
	}
	return nt;
}

static enum clause
keyword(const struct token *t)
{
	size_t i;

	if (t->type != TOK_WORD)
		return CL_NONE;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].word) == t->n &&
		    strncasecmp(t->s, keywords[i].word, t->n) == 0)
			return keywords[i].clause;
	return CL_NONE;
}

/* RFC 3848's authenticated protocols, and ASMTP (Exim, Earthlink). */
static int
is_auth_with(const char *s, size_t n)
{
	static const char *const names[] = {
	    "ESMTPA",     "ESMTPSA",   "LMTPA",      "LMTPSA", "UTF8SMTPA",
	    "UTF8SMTPSA", "UTF8LMTPA", "UTF8LMTPSA", "ASMTP",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
			return 1;
	return 0;
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 when word occurs in s[0..n) as a whole word, any case. */
static int
has_word_ci(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word), i;

	for (i = 0; i + w <= n; i++) {
		if (strncasecmp(s + i, word, w) != 0)
			continue;
		if ((i == 0 || !is_alpha(s[i - 1])) && (i + w == n || !is_alpha(s[i + w])))
			return 1;
	}
	return 0;
}

/* "[ip]:port" and "[ip]" become "ip"; 0, or -1 when something else follows. */
static int
unbracket(const char **s, size_t *len)
{
	const char *close = memchr(*s, ']', *len);

	if (close == NULL)
		return -1;
	/* "[ip]:port" and "[ip]" only: nothing else may follow. */
	if (close + 1 < *s + *len) {
		uint16_t port;
		char pbuf[8];
		size_t pn = (size_t)(*s + *len - close - 2);

		if (close[1] != ':' || pn == 0 || pn >= sizeof(pbuf))
			return -1;
		memcpy(pbuf, close + 2, pn);
		pbuf[pn] = '\0';
		if (target_parse_port(pbuf, &port) != 0)
			return -1;
	}
	*len = (size_t)(close - *s - 1);
	(*s)++;
	return 0;
}

static void
set_sin(struct sockaddr_storage *sa, socklen_t *salen, const unsigned char *a4)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	memcpy(&sin.sin_addr, a4, 4);
	memcpy(sa, &sin, sizeof(sin));
	*salen = sizeof(sin);
}

/* An IPv4 address in buf, or IPv4 and a port. */
static int
parse_v4(char *buf, struct sockaddr_storage *sa, socklen_t *salen)
{
	char *colon = strchr(buf, ':');
	unsigned char a4[4];

	if (colon != NULL) {
		uint16_t port;

		if (target_parse_port(colon + 1, &port) != 0)
			return -1;
		*colon = '\0';
	}
	if (target_parse_ipv4(buf, a4) != 0)
		return -1;
	set_sin(sa, salen, a4);
	return 0;
}

/* An IPv6 address in buf; one mapped from IPv4 is stored as IPv4. */
static int
parse_v6(const char *buf, struct sockaddr_storage *sa, socklen_t *salen)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct sockaddr_in6 sin6;
	struct in6_addr a6;

	if (buf[0] == '\0' || inet_pton(AF_INET6, buf, &a6) != 1)
		return -1;
	if (memcmp(a6.s6_addr, mapped, sizeof(mapped)) == 0) {
		set_sin(sa, salen, a6.s6_addr + 12);
		return 0;
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = a6;
	memcpy(sa, &sin6, sizeof(sin6));
	*salen = sizeof(sin6);
	return 0;
}

int
received_parse_address(const char *s, size_t len, struct sockaddr_storage *sa, socklen_t *salen,
                       char *ip, size_t iplen)
{
	char buf[INET6_ADDRSTRLEN + 16];
	char *pct;

	if (len > 0 && s[0] == '[' && unbracket(&s, &len) != 0)
		return -1;
	if (len >= 5 && strncasecmp(s, "IPv6:", 5) == 0) {
		s += 5;
		len -= 5;
	}
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL)
		return -1;
	if ((pct = strchr(buf, '%')) != NULL)
		*pct = '\0'; /* an IPv6 zone (RFC 4007): meaningless off the host */
	memset(sa, 0, sizeof(*sa));

	if (strchr(buf, ':') == NULL ||
	    (strchr(buf, '.') != NULL && strchr(buf, ':') == strrchr(buf, ':') &&
	     strchr(buf, ':') > strchr(buf, '.'))) {
		if (parse_v4(buf, sa, salen) != 0)
			return -1;
	} else if (parse_v6(buf, sa, salen) != 0)
		return -1;
	if (ip != NULL) {
		const void *src;

		if (sa->ss_family == AF_INET)
			src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		else
			src = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		if (inet_ntop(sa->ss_family, src, ip, (socklen_t)iplen) == NULL)
			return -1;
	}
	return 0;
}

/* Finds the next "[...]" in s[0..n) from *pos; returns its length, or 0. */
static size_t
next_literal(const char *s, size_t n, size_t *pos, const char **lit)
{
	const char *open = *pos < n ? memchr(s + *pos, '[', n - *pos) : NULL;
	const char *close;
	size_t end;

	if (open == NULL)
		return 0;
	close = memchr(open, ']', (size_t)(s + n - open));
	if (close == NULL)
		return 0;
	end = (size_t)(close - s) + 1;
	/* Keep ":port" with the literal, so it is stripped, not read as a name. */
	if (end < n && s[end] == ':') {
		size_t e = end + 1;

		while (e < n && s[e] >= '0' && s[e] <= '9')
			e++;
		if (e > end + 1)
			end = e;
	}
	*lit = open;
	*pos = end;
	return (size_t)(s + end - open);
}

static int
is_unknown(const char *s, size_t n)
{
	return n == 7 && strncasecmp(s, "unknown", 7) == 0;
}

/* A name as written, without the dot some MTAs leave at its end (Gmail). */
static void
put_name(char *dst, size_t size, const char *s, size_t n)
{
	while (n > 1 && s[n - 1] == '.')
		n--;
	if (is_unknown(s, n))
		n = 0;
	put(dst, size, s, n);
}

static int
set_addr(struct hop *h, const char *s, size_t n)
{
	return received_parse_address(s, n, &h->sa, &h->salen, h->ip, sizeof(h->ip));
}

/*
 * The end of the from part: the "by" that follows it, so that a comment the
 * receiving host wrote after a HELO with spaces in it ("EHLO x with POP3")
 * is still read; without a "by", the next clause.
 */
static size_t
from_end(const struct token *tok, size_t ntok, size_t from_at)
{
	size_t i, next = ntok;

	for (i = from_at + 1; i < ntok; i++) {
		enum clause k = keyword(&tok[i]);

		if (k == CL_BY)
			return i;
		if (k != CL_NONE && next == ntok)
			next = i;
	}
	return next;
}

/* What the from part says, gathered before any of it is written to the hop. */
struct from_scan {
	const struct token *name;      /* the word after "from", when it is not a keyword */
	const char *helo_kw, *helo_eq; /* "(HELO name)", "(... helo=name)" */
	const char *rdns, *bad;        /* "(rdns [ip])"; the first literal that is no address */
	size_t helo_kw_n, helo_eq_n, rdns_n, bad_n;
	int have, empty; /* an address was read into the hop; "[]" was seen */
};

static void
note_bad(struct from_scan *fs, const char *s, size_t n)
{
	if (fs->bad == NULL) {
		fs->bad = s;
		fs->bad_n = n;
	}
}

/* The HELO a comment records: "(HELO name)", "(EHLO name)", "(... helo=name ...)". */
static void
scan_helo(struct from_scan *fs, const struct token *t)
{
	const char *p = t->s;
	size_t k;

	if (t->n > 5 &&
	    (strncasecmp(t->s, "HELO ", 5) == 0 || strncasecmp(t->s, "EHLO ", 5) == 0)) {
		const char *w = t->s + 5, *sp = memchr(w, ' ', t->n - 5);

		fs->helo_kw = w;
		fs->helo_kw_n = sp ? (size_t)(sp - w) : t->n - 5;
	}
	for (k = 0; k + 5 <= t->n; k++) {
		if (strncasecmp(p + k, "helo=", 5) == 0 && (k == 0 || p[k - 1] == ' ')) {
			const char *w = p + k + 5;
			const char *sp = memchr(w, ' ', t->n - k - 5);

			fs->helo_eq = w;
			fs->helo_eq_n = sp ? (size_t)(sp - w) : t->n - k - 5;
			break;
		}
	}
}

/* "(rdns [ip])": the name written just before the literal lit in comment t. */
static void
scan_rdns(struct from_scan *fs, const struct token *t, const char *lit)
{
	const char *w, *at;

	if (!(lit > t->s + 1 && lit[-1] == ' '))
		return;
	w = lit - 1;
	while (w > t->s && w[-1] != ' ')
		w--;
	if (w != t->s || *w == '[')
		return;
	fs->rdns = w;
	fs->rdns_n = (size_t)(lit - 1 - w);
	/* Sendmail's ident: "IDENT:user@rdns", "user@rdns". */
	while ((at = memchr(fs->rdns, '@', fs->rdns_n)) != NULL) {
		fs->rdns_n -= (size_t)(at + 1 - fs->rdns);
		fs->rdns = at + 1;
	}
}

/* 1. A bracketed literal inside a comment: "(rdns [ip])", "([ip] helo=x)". */
static void
scan_comment_literals(struct hop *h, struct from_scan *fs, const struct token *tok, size_t from_at,
                      size_t end)
{
	size_t i;

	for (i = from_at + 1; i < end; i++) {
		const struct token *t = &tok[i];
		const char *lit;
		size_t pos = 0, ln;

		if (t->type != TOK_COMMENT)
			continue;
		scan_helo(fs, t);
		while (!fs->have && (ln = next_literal(t->s, t->n, &pos, &lit)) > 0) {
			if (ln == 2) {
				fs->empty = 1;
				continue;
			}
			if (set_addr(h, lit, ln) == 0) {
				fs->have = 1;
				scan_rdns(fs, t, lit);
			} else
				note_bad(fs, lit, ln);
		}
	}
}

/* 2. A comment that is only an address: qmail "(192.0.2.1)", Exchange. */
static void
scan_bare_comments(struct hop *h, struct from_scan *fs, const struct token *tok, size_t from_at,
                   size_t end)
{
	size_t i;

	for (i = from_at + 1; !fs->have && i < end; i++) {
		const struct token *t = &tok[i];
		const char *at;
		size_t off = 0;

		if (t->type != TOK_COMMENT || t->n == 0 || memchr(t->s, ' ', t->n) != NULL)
			continue;
		/* qmail with TCPREMOTEINFO: "(user@192.0.2.1)". */
		if ((at = memchr(t->s, '@', t->n)) != NULL)
			off = (size_t)(at - t->s) + 1;
		if (set_addr(h, t->s + off, t->n - off) == 0)
			fs->have = 1;
	}
}

/* 3. A bracketed word after the name (old Exim: "from host ([helo]) [ip]"). */
static void
scan_bracket_words(struct hop *h, struct from_scan *fs, const struct token *tok, size_t from_at,
                   size_t end)
{
	size_t i;

	for (i = from_at + 2; !fs->have && i < end; i++) {
		const struct token *t = &tok[i];

		if (t->type == TOK_WORD && t->n > 2 && t->s[0] == '[') {
			if (set_addr(h, t->s, t->n) == 0)
				fs->have = 1;
			else
				note_bad(fs, t->s, t->n);
		}
	}
}

/* 4. The name itself, when it is a literal: "from [192.0.2.1] by ...". */
static void
scan_name_literal(struct hop *h, struct from_scan *fs)
{
	const struct token *name = fs->name;

	if (fs->have || name == NULL || name->n == 0 || name->s[0] != '[')
		return;
	if (name->n == 2)
		fs->empty = 1;
	else if (set_addr(h, name->s, name->n) == 0)
		fs->have = 1;
	else
		note_bad(fs, name->s, name->n);
}

static void
set_helo_rdns(struct hop *h, const struct from_scan *fs)
{
	const struct token *name = fs->name;

	if (fs->helo_kw != NULL) {
		/* qmail: "from RDNS (HELO name) (ip)". */
		put(h->helo, sizeof(h->helo), fs->helo_kw, fs->helo_kw_n);
		if (name != NULL)
			put_name(h->rdns, sizeof(h->rdns), name->s, name->n);
	} else if (fs->helo_eq != NULL) {
		/* Exim: "from RDNS ([ip] helo=name)", or "from [ip] (helo=name)". */
		put(h->helo, sizeof(h->helo), fs->helo_eq, fs->helo_eq_n);
		if (name != NULL && name->s[0] != '[')
			put_name(h->rdns, sizeof(h->rdns), name->s, name->n);
	} else {
		if (name != NULL)
			put(h->helo, sizeof(h->helo), name->s, name->n);
		if (fs->rdns != NULL)
			put_name(h->rdns, sizeof(h->rdns), fs->rdns, fs->rdns_n);
	}
}

static void
set_from_kind(struct hop *h, const struct from_scan *fs)
{
	const char *why = fs->empty ? "empty address []" : "no address recorded";

	if (fs->have) {
		h->kind = HOP_RELAY;
		return;
	}
	h->salen = 0;
	h->ip[0] = '\0';
	if (fs->bad != NULL) {
		h->kind = HOP_UNPARSED;
		target_quote_error(h->reason, sizeof(h->reason), "not an address", fs->bad,
		                   fs->bad_n);
	} else {
		h->kind = HOP_NOADDR;
		put(h->reason, sizeof(h->reason), why, strlen(why));
	}
}

/* The from part: tokens from_at (the keyword) up to from_end(). */
static void
read_from(struct hop *h, const struct token *tok, size_t ntok, size_t from_at)
{
	struct from_scan fs;
	size_t end = from_end(tok, ntok, from_at);

	memset(&fs, 0, sizeof(fs));
	if (from_at + 1 < ntok && tok[from_at + 1].type == TOK_WORD &&
	    keyword(&tok[from_at + 1]) == CL_NONE)
		fs.name = &tok[from_at + 1];
	scan_comment_literals(h, &fs, tok, from_at, end);
	scan_bare_comments(h, &fs, tok, from_at, end);
	scan_bracket_words(h, &fs, tok, from_at, end);
	scan_name_literal(h, &fs);
	set_helo_rdns(h, &fs);
	set_from_kind(h, &fs);
}

static int
starts_ci(const struct token *t, const char *text)
{
	size_t k = strlen(text);

	return t->n >= k && strncasecmp(t->s, text, k) == 0;
}

static int
contains_ci(const struct token *t, const char *text)
{
	size_t k = strlen(text), i;

	for (i = 0; i + k <= t->n; i++)
		if (strncasecmp(t->s + i, text, k) == 0)
			return 1;
	return 0;
}

/* The from part's words, one space apart, are text (any case); no comment. */
static int
from_words_are(const struct token *tok, size_t from_at, size_t end, const char *text)
{
	const char *p = text;
	size_t i;

	for (i = from_at + 1; i < end; i++) {
		size_t k = tok[i].n;

		if (tok[i].type != TOK_WORD || strncasecmp(p, tok[i].s, k) != 0)
			return 0;
		p += k;
		if (i + 1 < end) {
			if (*p != ' ')
				return 0;
			p++;
		}
	}
	return i > from_at + 1 && *p == '\0';
}

/* One row against the line: 1 when it matches. */
static int
shape_matches(const struct shape *sh, const struct token *tok, size_t ntok, const struct clauses *c,
              int noaddr)
{
	size_t i, end;
	ssize_t w;

	switch (sh->test) {
	case SH_PROTOCOL:
	case SH_WITH_WORD:
		/* The with clause after "by"; one before it only on a line with no address. */
		w = c->with_after_by >= 0 ? c->with_after_by : noaddr ? c->with_first : -1;
		if (w < 0 || (size_t)w + 1 >= ntok || tok[w + 1].type != TOK_WORD ||
		    keyword(&tok[w + 1]) != CL_NONE)
			return 0;
		if (sh->test == SH_PROTOCOL)
			return starts_ci(&tok[w + 1], sh->text);
		for (i = (size_t)w + 2;
		     i < ntok && tok[i].type == TOK_WORD && keyword(&tok[i]) == CL_NONE; i++)
			if (starts_ci(&tok[i], sh->text))
				return 1;
		return 0;
	case SH_BY_COMMENT:
		/* "by HOST (fetchmail-4.3.9 ...)", "by HOST with POP3 (fetchmail-6.4.38)". */
		return (c->by_at >= 0 && (size_t)c->by_at + 2 < ntok &&
		        tok[c->by_at + 2].type == TOK_COMMENT &&
		        starts_ci(&tok[c->by_at + 2], sh->text)) ||
		       (c->with_after_by >= 0 && (size_t)c->with_after_by + 2 < ntok &&
		        tok[c->with_after_by + 2].type == TOK_COMMENT &&
		        starts_ci(&tok[c->with_after_by + 2], sh->text));
	default:
		break;
	}
	if (c->from_at < 0)
		return 0;
	end = from_end(tok, ntok, (size_t)c->from_at);
	if (sh->test == SH_FROM_TEXT)
		return from_words_are(tok, (size_t)c->from_at, end, sh->text);
	if (sh->test == SH_FROM_AT)
		return end == (size_t)c->from_at + 2 && tok[end - 1].type == TOK_WORD &&
		       memchr(tok[end - 1].s, '@', tok[end - 1].n) != NULL;
	for (i = (size_t)c->from_at + 1; i < end; i++) {
		const struct token *t = &tok[i];
		size_t k = strlen(sh->text);

		if (t->type != TOK_COMMENT)
			continue;
		if (sh->test == SH_FROM_COMMENT && contains_ci(t, sh->text))
			return 1;
		if (sh->test == SH_FROM_COMMENT_START && starts_ci(t, sh->text))
			return 1;
		/* "user@localhost": one word, a user, then text at its end. */
		if (sh->test == SH_FROM_USER && t->n > k && memchr(t->s, ' ', t->n) == NULL &&
		    strncasecmp(t->s + t->n - k, sh->text, k) == 0)
			return 1;
	}
	return 0;
}

static const struct shape *
match_shape(const struct hop *h, const struct token *tok, size_t ntok, const struct clauses *c)
{
	int noaddr = h->kind != HOP_RELAY;
	size_t i;

	if (c->nby > 1 || c->nwith > 1)
		return NULL;
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		if (shapes[i].noaddr && !noaddr)
			continue;
		if (shape_matches(&shapes[i], tok, ntok, c, noaddr))
			return &shapes[i];
	}
	return NULL;
}

/*
 * The line without its "Received:" name, normalized into norm; its length, or
 * 0 with h set to HOP_UNPARSED and the reason.
 */
static size_t
prepare_line(const char *line, size_t len, char *norm, size_t cap, struct hop *h)
{
	size_t n;

	if (len >= 9 && strncasecmp(line, "Received:", 9) == 0) {
		line += 9;
		len -= 9;
	}
	if (memchr(line, '\0', len) != NULL) {
		h->kind = HOP_UNPARSED;
		put(h->reason, sizeof(h->reason), "NUL byte", 8);
		return 0;
	}
	if (len > RECEIVED_LINE_MAX) {
		h->kind = HOP_UNPARSED;
		snprintf(h->reason, sizeof(h->reason), "longer than %d bytes", RECEIVED_LINE_MAX);
		return 0;
	}
	n = normalize(line, len, norm, cap);
	if (n == 0) {
		h->kind = HOP_UNPARSED;
		put(h->reason, sizeof(h->reason), "empty", 5);
	}
	return n;
}

/* Reads the date into h; returns the length of the part before it. */
static size_t
read_date(const char *norm, size_t n, struct hop *h)
{
	const char *semi = NULL, *d;
	size_t i, dn;
	int depth = 0;

	/* The date follows the last ';' outside comments (RFC 5322 3.6.7). */
	for (i = 0; i < n; i++) {
		if (norm[i] == '(')
			depth++;
		else if (norm[i] == ')' && depth > 0)
			depth--;
		else if (norm[i] == ';' && depth == 0)
			semi = norm + i;
	}
	if (semi == NULL)
		return n;
	d = semi + 1;
	dn = (size_t)(norm + n - d);
	while (dn > 0 && *d == ' ') {
		d++;
		dn--;
	}
	put(h->date, sizeof(h->date), d, dn);
	if (received_parse_date(d, dn, &h->when, &h->zone_unknown) == 0)
		h->date_ok = 1;
	return (size_t)(semi - norm);
}

/* Where the clause walk stands: the clause, and whether its value is next. */
struct walk {
	enum clause cl;
	int expect;
	int with_words; /* words in the with clause so far; -1 after a comment */
};

/* Keyword k at token i opens a clause. */
static void
open_clause(struct hop *h, struct clauses *c, struct walk *w, enum clause k, size_t i)
{
	w->cl = k;
	w->expect = 1;
	w->with_words = 0;
	if (k == CL_FROM && c->from_at < 0)
		c->from_at = (ssize_t)i;
	if (k == CL_BY && c->nby++ == 0)
		c->by_at = (ssize_t)i;
	if (k == CL_WITH) {
		c->nwith++;
		/* The receiving host's with clause, after its "by", is the one kept. */
		h->with[0] = '\0';
		if (c->with_first < 0)
			c->with_first = (ssize_t)i;
		if (c->by_at >= 0 && c->with_after_by < 0)
			c->with_after_by = (ssize_t)i;
	}
}

/* s[0..*m) without the '<' and '>' around it; both needed unless one_sided. */
static const char *
strip_angles(const char *s, size_t *m, int one_sided)
{
	if (one_sided) {
		if (*m > 1 && s[0] == '<') {
			s++;
			(*m)--;
		}
		if (*m > 0 && s[*m - 1] == '>')
			(*m)--;
	} else if (*m > 1 && s[0] == '<' && s[*m - 1] == '>') {
		s++;
		*m -= 2;
	}
	return s;
}

/* A word t (not a keyword, not a comment) in the clause the walk stands in. */
static void
put_clause_word(struct hop *h, struct walk *w, const struct token *t)
{
	const char *s;
	size_t m = t->n;
	struct strbuf sb;

	switch (w->cl) {
	case CL_BY:
		if (w->expect)
			put(h->by, sizeof(h->by), t->s, t->n);
		break;
	case CL_ID:
		if (w->expect) {
			s = strip_angles(t->s, &m, 0);
			put(h->id, sizeof(h->id), s, m);
		}
		break;
	case CL_FOR:
		if (w->expect) {
			s = strip_angles(t->s, &m, 1);
			put(h->for_, sizeof(h->for_), s, m);
		}
		break;
	case CL_WITH:
		if (w->with_words >= 0) {
			sb_resume(&sb, h->with, sizeof(h->with));
			if (w->with_words > 0)
				sb_putc(&sb, ' ');
			sb_append(&sb, t->s, t->n);
			if (w->with_words == 0 && is_auth_with(t->s, t->n))
				h->authenticated = 1;
			w->with_words++;
		}
		break;
	default:
		break;
	}
	w->expect = 0;
}

/* Walks the clauses: fills by, id, for, with, authenticated and c. */
static void
walk_clauses(struct hop *h, const struct token *tok, size_t ntok, struct clauses *c)
{
	struct walk w = {CL_NONE, 0, 0};
	size_t i;

	for (i = 0; i < ntok; i++) {
		const struct token *t = &tok[i];
		enum clause k = keyword(t);

		if (t->type == TOK_COMMENT && (has_word_ci(t->s, t->n, "authenticated") ||
		                               (t->n > 5 && strncasecmp(t->s, "AUTH:", 5) == 0)))
			h->authenticated = 1;
		if (k != CL_NONE && !(w.expect && w.cl == CL_FROM && k == CL_FROM)) {
			open_clause(h, c, &w, k, i);
			continue;
		}
		if (t->type == TOK_COMMENT) {
			w.expect = 0;
			if (w.cl == CL_WITH)
				w.with_words = -1; /* words after a comment are not the protocol */
			continue;
		}
		put_clause_word(h, &w, t);
	}
}

enum hop_kind
received_parse(const char *line, size_t len, struct hop *h)
{
	char norm[RECEIVED_LINE_MAX + 1];
	struct token tok[RECEIVED_TOKENS_MAX];
	size_t n, ntok;
	struct clauses c = {-1, -1, -1, -1, 0, 0};
	const struct shape *sh;

	memset(h, 0, sizeof(*h));
	n = prepare_line(line, len, norm, sizeof(norm), h);
	if (n == 0)
		return h->kind;
	ntok = tokenize(norm, read_date(norm, n, h), tok, RECEIVED_TOKENS_MAX);
	walk_clauses(h, tok, ntok, &c);

	if (ntok > 0 && tok[0].type == TOK_COMMENT && c.from_at != 0) {
		/* "(qmail 1 invoked from network)", "(from user@localhost)". */
		h->kind = HOP_LOCAL;
		put(h->reason, sizeof(h->reason), tok[0].s, tok[0].n);
		return h->kind;
	}
	if (c.from_at >= 0)
		read_from(h, tok, ntok, (size_t)c.from_at);
	else
		h->kind = HOP_LOCAL;
	if ((sh = match_shape(h, tok, ntok, &c)) != NULL) {
		/* The address, when there is one, stays for the hop table. */
		h->kind = sh->kind;
		put(h->reason, sizeof(h->reason), sh->name, strlen(sh->name));
		return h->kind;
	}
	if (c.from_at < 0)
		put(h->reason, sizeof(h->reason), "no from part", 12);
	return h->kind;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Reads up to max digits; returns how many, 0 for none. */
static size_t
digits(const char *s, size_t n, size_t max, int *v)
{
	size_t i = 0;

	*v = 0;
	while (i < n && i < max && s[i] >= '0' && s[i] <= '9')
		*v = *v * 10 + (s[i++] - '0');
	return i;
}

static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

int
received_parse_date(const char *s, size_t len, int64_t *when, int *zone_unknown)
{
	static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
	                                     "jul", "aug", "sep", "oct", "nov", "dec"};
	static const struct {
		const char *name;
		int minutes;
	} zones[] = {
	    {"UT", 0},        {"UTC", 0},       {"GMT", 0},       {"Z", 0},
	    {"EST", -5 * 60}, {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},
	    {"MST", -7 * 60}, {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60},
	};
	const char *p = s, *end = s + len;
	int day, year, hh, mm, ss = 0, zone = 0, mon = -1, k;
	size_t n, i;

	*zone_unknown = 0;
	p = skip_blanks(p, end);
	/* An optional day name and comma. */
	if (p < end && is_alpha(*p)) {
		while (p < end && is_alpha(*p))
			p++;
		if (p < end && *p == ',')
			p++;
		p = skip_blanks(p, end);
	}
	if ((n = digits(p, (size_t)(end - p), 2, &day)) == 0 || day < 1 || day > 31)
		return -1;
	p += n;
	p = skip_blanks(p, end);
	n = (size_t)(end - p);
	for (i = 0; i < 12; i++)
		if (n >= 3 && strncasecmp(p, months[i], 3) == 0)
			mon = (int)i;
	if (mon < 0)
		return -1;
	p += 3;
	while (p < end && is_alpha(*p))
		p++; /* "March" */
	p = skip_blanks(p, end);
	if ((n = digits(p, (size_t)(end - p), 4, &year)) == 0 || n == 3)
		return -1;
	if (n == 2)
		year += year < 50 ? 2000 : 1900; /* RFC 5322 4.3 */
	else if (n == 1 || year < 1970)
		return -1;
	p += n;
	p = skip_blanks(p, end);
	if ((n = digits(p, (size_t)(end - p), 2, &hh)) == 0 || hh > 23)
		return -1;
	p += n;
	if (p >= end || *p++ != ':')
		return -1;
	if ((n = digits(p, (size_t)(end - p), 2, &mm)) != 2 || mm > 59)
		return -1;
	p += n;
	if (p < end && *p == ':') {
		p++;
		if ((n = digits(p, (size_t)(end - p), 2, &ss)) != 2 || ss > 60)
			return -1;
		p += n;
	}
	p = skip_blanks(p, end);
	if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p == '-' ? -1 : 1;

		p++;
		if (digits(p, (size_t)(end - p), 4, &k) != 4 || k % 100 > 59)
			return -1;
		zone = sign * (k / 100 * 60 + k % 100);
		if (sign < 0 && k == 0)
			*zone_unknown = 1;
	} else {
		const char *z = p;

		while (p < end && is_alpha(*p))
			p++;
		n = (size_t)(p - z);
		for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
			if (strlen(zones[i].name) == n && strncasecmp(z, zones[i].name, n) == 0)
				break;
		if (n == 0 || i == sizeof(zones) / sizeof(zones[0]))
			return -1;
		zone = zones[i].minutes;
	}
	*when = days_from_civil(year, (unsigned)mon + 1, (unsigned)day) * 86400 + hh * 3600 +
	        mm * 60 + ss - (int64_t)zone * 60;
	return 0;
}
