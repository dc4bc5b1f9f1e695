/*
 * smtplab.c: a loopback SMTP lab for smtpprobe's tests, demo and benchmarks.
 *
 *   smtplab [--log FILE] [--pidfile FILE] [--config FILE] [--listen SPEC]...
 *           [--tls-cert FILE --tls-key FILE] [--help]
 *
 * Every listener plays one personality (personality.c) byte for byte. The lab
 * never relays, never stores and never enters a data phase; it only listens on
 * 127.0.0.0/8 and ::1, by construction: any other address is refused before a
 * socket is made. Everything a client says is logged, one line per event, so
 * tests can prove what the prober sent:
 *
 *   <listen-addr>:<port> <personality> <peer-addr>:<peer-port> <EVENT>
 *
 * with EVENT one of "connect", "close", "C: <line>" or "S: <first reply line>",
 * and for TLS "tls <version> <cipher> <sni or ->" or "tls-failed <reason>".
 */
#include "config.h"

#include "common/strbuf.h"
#include "lab/personality.h"
#include "lab/tlsserver.h"
#include "prober/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define LAB_FD_RESERVE   64   /* descriptors kept for clients, the log and the loop */
#define LAB_ADDR_TEXT    64   /* "[ipv6]:port" */
#define LAB_SPEC_MAX     256  /* one SPEC's text */
#define LAB_PATH_MAX     4096 /* the pidfile's path */
#define LAB_LOG_LINE_MAX (LAB_LINE_MAX * 4 + 256) /* an escaped line and its prefix */
#define LAB_RESUME_MS    1000 /* accept paused this long when out of descriptors */
#define LAB_LINGER_MS    2000 /* after our last reply, wait this long for the client to close */
#define LAB_STREAM_HIGH  (256 * 1024) /* endless output: refill below this much unsent */

#define EXIT_USAGE 2 /* a bad option or SPEC; 1 is a failure at run time */

/* One --listen SPEC: a loopback address (or IPv4 range) and port, and who plays there. */
struct lab_spec {
	char text[LAB_SPEC_MAX];
	int family;
	uint32_t first; /* AF_INET: first address, host order */
	uint32_t count; /* AF_INET: addresses in the range */
	uint16_t port;
	struct lab_persona persona;
};

struct lab;

struct lab_listener {
	struct lab *lab;
	const struct lab_spec *spec;
	struct evconnlistener *lev;
	int paused; /* out of descriptors; resumed by lab->resume */
	char addr[LAB_ADDR_TEXT];
};

struct lab_client {
	struct lab_client *prev, *next; /* lab->clients */
	struct lab *lab;
	const struct lab_listener *l;
	struct bufferevent *bev;
	struct event *greet_timer; /* slow greetings */
	struct event *reply_timer; /* tarpits: a reply held back for its delay */
	struct lab_reply held;     /* the reply reply_timer will send */
	struct lab_session session;
	int closing;   /* no more commands; lingers once the output drains */
	int lingering; /* our side shut down; reading until the client closes */
	int sent;      /* we sent at least one byte */
	int peer_eof;  /* the client shut down its side */
	/* TLS */
	int handshaking; /* a server handshake runs on bev */
	int tls_garbage; /* the next bytes (a ClientHello) get garbage back */
	int stalled;     /* everything read is dropped, nothing answered */
	char peer[LAB_ADDR_TEXT];
	/* Hostile output: a stream refilled as the socket drains, bytes paced one
	 * by one, and what to do once either is done. */
	const struct lab_stream *stream;
	unsigned long stream_left;
	struct evbuffer *drip; /* bytes not yet paced out */
	struct event *drip_timer;
	enum lab_action after; /* the action of a reply still being streamed or dripped */
	int deaf;              /* LAB_DEAF: neither reads nor closes until the idle timeout */
};

struct lab {
	struct event_base *base;
	struct lab_spec *specs;
	size_t nspecs, specs_cap;
	size_t total; /* listeners the specs ask for */
	struct lab_listener *listeners;
	size_t nlisteners;
	struct lab_client *clients; /* every open client, to free them at exit */
	size_t nclients;
	int warned_full;
	struct event *sigterm, *sigint, *resume;
	FILE *log;
	const char *pidfile;
	int pidfile_written;
	SSL_CTX *tls_ctx; /* TLS: from --tls-cert/--tls-key, NULL without */
};

static void on_read(struct bufferevent *bev, void *arg);
static void on_write(struct bufferevent *bev, void *arg);
static void on_event(struct bufferevent *bev, short what, void *arg);
static int client_finish(struct lab_client *c);
static void on_tls_event(struct bufferevent *bev, short what, void *arg);
static int client_start_tls(struct lab_client *c);
static void client_tls_done(struct lab_client *c);

static void
usage(FILE *fp)
{
	fprintf(fp,
	        "usage: smtplab [--log FILE] [--pidfile FILE] [--config FILE] [--listen SPEC]... "
	        "[--help]\n"
	        "\n"
	        "A loopback SMTP lab: every listener plays one personality, byte for byte.\n"
	        "It never relays, never stores, never enters a data phase.\n"
	        "\n"
	        "  --listen SPEC   ADDR:PORT=PERSONALITY[:ARG]; ADDR is an IPv4 address, an\n"
	        "                  IPv4 CIDR range (one listener per address) or [::1];\n"
	        "                  only 127.0.0.0/8 and ::1 are accepted\n"
	        "  --config FILE   one SPEC per line; # comments and blank lines ignored\n"
	        "  --pidfile FILE  written once every listener is bound, removed at exit\n"
	        "  --log FILE      append the event log there (default: stderr)\n"
	        "  --tls-cert FILE PEM certificate (chain) for the TLS personalities\n"
	        "  --tls-key FILE  its PEM private key\n"
	        "\n"
	        "Log: <listen-addr>:<port> <personality> <peer-addr>:<peer-port> <EVENT>\n"
	        "     EVENT is connect, close, \"C: <client line>\", \"S: <first reply line>\",\n"
	        "     \"tls <version> <cipher> <SNI or ->\" or \"tls-failed <reason>\"\n"
	        "\n"
	        "Personalities:\n");
	personality_usage(fp);
}

/* SPECs */

static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "127.0.0.1", "127.1.0.0/20": fills first and count, 127.0.0.0/8 only. */
static int
parse_ipv4(char *addr, struct lab_spec *spec, char *err, size_t errlen)
{
	char *slash = strchr(addr, '/');
	unsigned long prefix = 32;
	struct in_addr in;
	uint32_t a, mask;
	char *end;

	if (slash) {
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9' ||
		    (prefix = strtoul(slash + 1, &end, 10), *end != '\0') || prefix > 32) {
			snprintf(err, errlen, "bad prefix length \"/%.16s\"", slash + 1);
			return -1;
		}
	}
	if (inet_pton(AF_INET, addr, &in) != 1) {
		snprintf(err, errlen, "\"%.64s\" is not an IPv4 address", addr);
		return -1;
	}
	a = ntohl(in.s_addr);
	mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
	if ((a >> 24) != 127 || prefix < 8) {
		snprintf(err, errlen,
		         "%.64s%s%.16s is not loopback: smtplab only listens on 127.0.0.0/8 "
		         "and ::1",
		         addr, slash ? "/" : "", slash ? slash + 1 : "");
		return -1;
	}
	if ((a & ~mask) != 0) {
		snprintf(err, errlen, "%.64s/%lu has host bits set", addr, prefix);
		return -1;
	}
	spec->family = AF_INET;
	spec->first = a;
	spec->count = (uint32_t)1 << (32 - prefix);
	return 0;
}

/* ADDR:PORT=PERSONALITY[:ARG] */
static int
spec_parse(const char *text, struct lab_spec *spec, char *err, size_t errlen)
{
	char buf[LAB_SPEC_MAX], *eq, *colon, *addr;
	struct in6_addr in6;

	memset(spec, 0, sizeof(*spec));
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "longer than %d bytes", LAB_SPEC_MAX - 1);
		return -1;
	}
	snprintf(spec->text, sizeof(spec->text), "%s", text);
	snprintf(buf, sizeof(buf), "%s", text);
	eq = strchr(buf, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "expected ADDR:PORT=PERSONALITY[:ARG]");
		return -1;
	}
	*eq = '\0';
	if (personality_parse(eq + 1, &spec->persona, err, errlen) < 0)
		return -1;
	if (buf[0] == '[') {
		addr = buf + 1;
		colon = strchr(addr, ']');
		if (colon == NULL || colon[1] != ':') {
			snprintf(err, errlen, "expected [IPv6]:PORT");
			return -1;
		}
		*colon++ = '\0';
		if (inet_pton(AF_INET6, addr, &in6) != 1) {
			snprintf(err, errlen, "\"%.64s\" is not an IPv6 address", addr);
			return -1;
		}
		if (!IN6_IS_ADDR_LOOPBACK(&in6)) {
			snprintf(err, errlen,
			         "%.64s is not loopback: smtplab only listens on "
			         "127.0.0.0/8 and ::1",
			         addr);
			return -1;
		}
		spec->family = AF_INET6;
		spec->count = 1;
	} else {
		addr = buf;
		colon = strrchr(buf, ':');
		if (colon == NULL) {
			snprintf(err, errlen, "expected ADDR:PORT=PERSONALITY[:ARG]");
			return -1;
		}
		*colon = '\0';
		if (parse_ipv4(addr, spec, err, errlen) < 0)
			return -1;
	}
	if (parse_port(colon + 1, &spec->port) < 0) {
		snprintf(err, errlen, "bad port \"%.16s\"", colon + 1);
		return -1;
	}
	return 0;
}

static int
lab_add_spec(struct lab *lab, const char *text, const char *where)
{
	char err[256];
	struct lab_spec *grown;

	if (lab->nspecs == lab->specs_cap) {
		size_t cap = lab->specs_cap ? lab->specs_cap * 2 : 16;

		grown = realloc(lab->specs, cap * sizeof(*grown));
		if (grown == NULL) {
			fprintf(stderr, "smtplab: out of memory\n");
			return -1;
		}
		lab->specs = grown;
		lab->specs_cap = cap;
	}
	if (spec_parse(text, &lab->specs[lab->nspecs], err, sizeof(err)) < 0) {
		fprintf(stderr, "smtplab: %s%s\"%s\": %s\n", where ? where : "", where ? ": " : "",
		        text, err);
		return -1;
	}
	lab->total += lab->specs[lab->nspecs].count;
	lab->nspecs++;
	if (lab->total > LAB_LISTENERS_MAX) {
		fprintf(
		    stderr,
		    "smtplab: %s%s\"%s\": %zu listeners in all, more than LAB_LISTENERS_MAX (%d)\n",
		    where ? where : "", where ? ": " : "", text, lab->total, LAB_LISTENERS_MAX);
		return -1;
	}
	return 0;
}

static int
lab_read_config(struct lab *lab, const char *path)
{
	char where[LAB_PATH_MAX + 32], *line = NULL, *s, *e;
	size_t cap = 0;
	unsigned long lineno = 0;
	int rc = 0;
	FILE *fp;

	fp = fopen(path, "r");
	if (fp == NULL) {
		fprintf(stderr, "smtplab: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, fp) >= 0) {
		lineno++;
		if ((s = strchr(line, '#')) != NULL)
			*s = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s);
		     e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n');
		     e--)
			;
		*e = '\0';
		if (*s == '\0')
			continue;
		snprintf(where, sizeof(where), "%.*s:%lu", LAB_PATH_MAX, path, lineno);
		if (lab_add_spec(lab, s, where) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		fprintf(stderr, "smtplab: %s: read error\n", path);
		rc = -1;
	}
	free(line);
	fclose(fp);
	return rc;
}

/* Logging */

static void
addr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(out, outlen, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(out, outlen, "%s:%u", host, ntohs(s4->sin_port));
	} else {
		snprintf(out, outlen, "?");
	}
}

/* One log line; `bytes` (escaped) follows `event` when given. */
static void
lab_log(struct lab *lab, const struct lab_client *c, const char *event, const char *bytes, size_t n)
{
	char buf[LAB_LOG_LINE_MAX];
	struct strbuf sb;

	sb_init(&sb, buf, sizeof(buf));
	sb_printf(&sb, "%s %s %s %s", c->l->addr, c->l->spec->persona.name, c->peer, event);
	if (bytes)
		sb_append_escaped(&sb, bytes, n);
	fputs(buf, lab->log);
	fputc('\n', lab->log);
	fflush(lab->log);
}

/* Clients */

static void
client_close(struct lab_client *c)
{
	struct lab *lab = c->lab;

	lab_log(lab, c, "close", NULL, 0);
	if (c->prev)
		c->prev->next = c->next;
	else
		lab->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	lab->nclients--;
	if (c->greet_timer)
		event_free(c->greet_timer);
	if (c->drip_timer)
		event_free(c->drip_timer);
	if (c->drip)
		evbuffer_free(c->drip);
	if (c->reply_timer)
		event_free(c->reply_timer);
	if (c->bev)
		bufferevent_free(c->bev); /* a TLS filter frees its socket and SSL too */
	free(c);
}

/*
 * Closing after a reply: the client must get it. close() with unread input
 * makes the kernel send a reset, which can destroy the reply in flight (a long
 * line's tail, commands pipelined after QUIT); so shut down our side and read
 * until the client closes, or for LAB_LINGER_MS at most. Returns 1 if `c` is freed.
 */
static int
client_linger(struct lab_client *c)
{
	struct timeval tv = {LAB_LINGER_MS / 1000, (LAB_LINGER_MS % 1000) * 1000};
	struct evbuffer *in = bufferevent_get_input(c->bev);

	if (!c->sent || c->peer_eof) {
		client_close(c);
		return 1;
	}
	c->lingering = 1;
	/* Over TLS the reply may still sit in the socket's own buffer, below
	 * the filter: no shutdown then; the client closes, or the timeout does. */
	if (bufferevent_get_underlying(c->bev) == NULL)
		shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	evbuffer_drain(in, evbuffer_get_length(in));
	bufferevent_set_timeouts(c->bev, &tv, NULL);
	bufferevent_enable(c->bev, EV_READ);
	return 0;
}

/* Stops taking commands; closes once the output has drained. Returns 1 if `c` is freed. */
static int
client_finish(struct lab_client *c)
{
	c->closing = 1;
	c->stream = NULL;
	if (c->drip_timer)
		event_del(c->drip_timer);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
		bufferevent_disable(c->bev, EV_READ);
		return 0; /* on_write goes on */
	}
	return client_linger(c);
}

/* A reset, not a close: SO_LINGER 0 makes close() send RST and drop unsent bytes. */
static void
client_reset(struct lab_client *c)
{
	struct linger lg = {1, 0};

	lab_log(c->lab, c, "reset", NULL, 0);
	setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	client_close(c);
}

static void
on_deaf_timer(evutil_socket_t fd, short what, void *arg)
{
	client_close(arg);
}

/*
 * What a reply's action says, once its bytes are on their way. LAB_DEAF stops
 * reading for good; since a deaf client cannot see the peer leave, it is
 * dropped after the idle timeout. Returns 1 if `c` is freed.
 */
static int
client_act(struct lab_client *c, enum lab_action action)
{
	struct timeval idle = {LAB_IDLE_TIMEOUT_MS / 1000, (LAB_IDLE_TIMEOUT_MS % 1000) * 1000};

	switch (action) {
	case LAB_KEEP:
		return 0;
	case LAB_CLOSE:
		return client_finish(c);
	case LAB_RESET:
		client_reset(c);
		return 1;
	case LAB_TLS:
		return client_start_tls(c);
	case LAB_TLS_GARBAGE:
		c->tls_garbage = 1;
		return 0;
	case LAB_STALL:
		c->stalled = 1;
		return 0;
	case LAB_DEAF:
		c->closing = 1;
		c->deaf = 1;
		bufferevent_disable(c->bev, EV_READ);
		if (c->greet_timer == NULL)
			c->greet_timer = evtimer_new(c->lab->base, on_deaf_timer, c);
		if (c->greet_timer == NULL || evtimer_add(c->greet_timer, &idle) < 0) {
			client_close(c);
			return 1;
		}
		return 0;
	}
	return 0;
}

/* Appends repeats of the stream until LAB_STREAM_HIGH bytes wait to be sent;
 * at its end, the tail and the pending action. Returns 1 if `c` is freed. */
static int
client_stream(struct lab_client *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	const struct lab_stream *st = c->stream;
	struct evbuffer_iovec v;

	while (c->stream != NULL && evbuffer_get_length(out) < LAB_STREAM_HIGH) {
		if (st->count != LAB_FOREVER && c->stream_left == 0) {
			evbuffer_add(out, st->tail, strlen(st->tail));
			c->stream = NULL;
			bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
			return client_act(c, c->after);
		}
		evbuffer_add(out, st->head, strlen(st->head));
		if (st->fill_len > 0 &&
		    evbuffer_reserve_space(out, (ev_ssize_t)st->fill_len, &v, 1) == 1) {
			memset(v.iov_base, st->fill, st->fill_len);
			v.iov_len = st->fill_len;
			evbuffer_commit_space(out, &v, 1);
		}
		evbuffer_add(out, st->end, strlen(st->end));
		if (st->count != LAB_FOREVER)
			c->stream_left--;
	}
	return 0;
}

/* One byte of a paced reply; the pending action once all are out. */
static void
on_drip(evutil_socket_t fd, short what, void *arg)
{
	struct lab_client *c = arg;

	evbuffer_remove_buffer(c->drip, bufferevent_get_output(c->bev), 1);
	if (evbuffer_get_length(c->drip) == 0) {
		event_del(c->drip_timer);
		client_act(c, c->after);
	}
}

/* Queues a paced reply: one byte every r->drip_ms. Returns 1 if `c` is freed. */
static int
client_drip(struct lab_client *c, const struct lab_reply *r)
{
	struct timeval tv = {r->drip_ms / 1000, (r->drip_ms % 1000) * 1000};

	if (c->drip == NULL)
		c->drip = evbuffer_new();
	if (c->drip != NULL && c->drip_timer == NULL)
		c->drip_timer = event_new(c->lab->base, -1, EV_PERSIST, on_drip, c);
	if (c->drip == NULL || c->drip_timer == NULL || evbuffer_add(c->drip, r->buf, r->len) < 0) {
		client_close(c);
		return 1;
	}
	c->after = r->action;
	if (!evtimer_pending(c->drip_timer, NULL))
		evtimer_add(c->drip_timer, &tv);
	return 0;
}

/* Sends a reply and does what it says. Returns 1 if `c` is freed. */
static int
client_send(struct lab_client *c, const struct lab_reply *r)
{
	if (r->len > 0 || r->stream != NULL) {
		size_t first;

		for (first = 0; first < r->len && r->buf[first] != '\n'; first++)
			;
		if (first > 0 && r->buf[first - 1] == '\r')
			first--;
		if (first > 0 || r->stream == NULL)
			lab_log(c->lab, c, "S: ", r->buf, first);
		else
			lab_log(c->lab, c, "S: ", r->stream->head, strlen(r->stream->head));
		c->sent = 1;
	}
	if (r->drip_ms > 0 && r->len > 0)
		return client_drip(c, r);
	if (r->len > 0 && r->action != LAB_RESET && bufferevent_write(c->bev, r->buf, r->len) < 0) {
		client_close(c);
		return 1;
	}
	if (r->stream != NULL) {
		c->stream = r->stream;
		c->stream_left = r->stream->count;
		c->after = r->action;
		/* on_write refills whenever less than this is left to send. */
		bufferevent_setwatermark(c->bev, EV_WRITE, LAB_STREAM_HIGH / 2, 0);
		return client_stream(c);
	}
	return client_act(c, r->action);
}

/* TLS */

/* Wraps the connection in a TLS server filter; the 220 already queued on the
 * socket goes out first. Returns 1 if `c` is freed. */
static int
client_start_tls(struct lab_client *c)
{
	struct timeval idle = {LAB_IDLE_TIMEOUT_MS / 1000, (LAB_IDLE_TIMEOUT_MS % 1000) * 1000};
	struct bufferevent *filter;
	SSL *ssl = SSL_new(c->lab->tls_ctx);

	if (ssl == NULL) {
		ERR_clear_error();
		lab_log(c->lab, c, "tls-failed out of memory", NULL, 0);
		client_close(c);
		return 1;
	}
	if (personality_tls_max_version(&c->l->spec->persona) != 0)
		SSL_set_max_proto_version(ssl, personality_tls_max_version(&c->l->spec->persona));
	filter = bufferevent_openssl_filter_new(c->lab->base, c->bev, ssl,
	                                        BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (filter == NULL) {
		/* libevent 2.1 fails a filter only before it takes ownership
		 * (out of memory): the SSL and the socket are still ours. */
		SSL_free(ssl);
		lab_log(c->lab, c, "tls-failed out of memory", NULL, 0);
		client_close(c);
		return 1;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(filter, 1);
	c->bev = filter;
	c->handshaking = 1;
	bufferevent_setcb(filter, on_read, on_write, on_tls_event, c);
	bufferevent_setwatermark(filter, EV_READ, 0, LAB_LINE_MAX);
	bufferevent_set_timeouts(filter, &idle, &idle);
	bufferevent_enable(filter, EV_READ);
	return 0;
}

static void
client_greet(struct lab_client *c)
{
	struct lab_reply r;

	personality_greet(&c->l->spec->persona, &r);
	if (client_send(c, &r))
		return;
	if (!c->closing)
		bufferevent_enable(c->bev, EV_READ);
}

static void
on_greet_timer(evutil_socket_t fd, short what, void *arg)
{
	client_greet(arg);
}

static void on_read(struct bufferevent *bev, void *arg);

/* A tarpit's reply is due: send it, then read the next command. */
static void
on_reply_timer(evutil_socket_t fd, short what, void *arg)
{
	struct lab_client *c = arg;

	if (client_send(c, &c->held))
		return;
	if (!c->closing) {
		bufferevent_enable(c->bev, EV_READ);
		on_read(c->bev, c);
	}
}

/* Holds a reply back for its delay; reading stops meanwhile (lock-step). */
static int
client_hold(struct lab_client *c, const struct lab_reply *r)
{
	struct timeval tv = {r->delay_ms / 1000, (r->delay_ms % 1000) * 1000};

	if (c->reply_timer == NULL &&
	    (c->reply_timer = evtimer_new(c->lab->base, on_reply_timer, c)) == NULL) {
		client_close(c);
		return 1;
	}
	c->held = *r;
	bufferevent_disable(c->bev, EV_READ);
	evtimer_add(c->reply_timer, &tv);
	return 1;
}

static int
client_too_long(struct lab_client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct lab_reply r;

	lab_log(c->lab, c, "C: <line-too-long>", NULL, 0);
	evbuffer_drain(in, evbuffer_get_length(in));
	personality_overflow(&c->l->spec->persona, &r);
	return client_send(c, &r);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct lab_client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;
	char line[LAB_LINE_MAX];
	struct lab_reply r;
	size_t eol_len;

	if (c->lingering || c->stalled) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	if (c->reply_timer != NULL && evtimer_pending(c->reply_timer, NULL))
		return; /* a held reply comes first */
	if (c->handshaking)
		client_tls_done(c);
	if (c->tls_garbage && evbuffer_get_length(in) > 0) {
		static const char garbage[] = "garbage: this is not a TLS record\r\n";

		lab_log(c->lab, c, "C: <tls handshake>", NULL, 0);
		evbuffer_drain(in, evbuffer_get_length(in));
		c->tls_garbage = 0;
		c->sent = 1;
		if (bufferevent_write(c->bev, garbage, sizeof(garbage) - 1) < 0) {
			client_close(c);
			return;
		}
		client_finish(c);
		return;
	}
	while (!c->closing) {
		size_t n;

		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) >= LAB_LINE_MAX)
				client_too_long(c);
			return;
		}
		n = (size_t)eol.pos;
		if (n + eol_len > LAB_LINE_MAX) {
			client_too_long(c);
			return;
		}
		evbuffer_remove(in, line, n);
		evbuffer_drain(in, eol_len);
		lab_log(c->lab, c, "C: ", line, n);
		personality_reply(&c->l->spec->persona, &c->session, line, n, &r);
		if (r.delay_ms > 0) {
			client_hold(c, &r);
			return;
		}
		if (client_send(c, &r))
			return;
		if (c->bev != bev || c->tls_garbage || c->stalled)
			return; /* TLS from here on: this input buffer is the filter's now */
	}
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct lab_client *c = arg;

	if (c->stream != NULL) {
		client_stream(c);
		return;
	}
	if (c->deaf)
		return;
	if (c->closing && !c->lingering && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_linger(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct lab_client *c = arg;

	/* A client that shut down its side may still read what we owe it. */
	if ((what & BEV_EVENT_EOF) && !(what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) &&
	    !c->lingering) {
		c->peer_eof = 1;
		client_finish(c);
	} else {
		client_close(c);
	}
}

/* The server handshake is done. libevent may deliver the first bytes read
 * over TLS before the CONNECTED event, so both paths come here, once. */
static void
client_tls_done(struct lab_client *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
	const char *cipher = SSL_get_cipher_name(ssl);
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	char buf[LAB_NAME_MAX + TLS_CIPHER_MAX + TARGET_HOSTNAME_MAX];

	c->handshaking = 0;
	c->session.tls = 1;
	c->session.in_mail = 0;
	/* The client's SNI, "-" for none: tests check none is sent for literals. */
	snprintf(buf, sizeof(buf), "tls %s %s %.255s", SSL_get_version(ssl), cipher ? cipher : "?",
	         sni ? sni : "-");
	lab_log(c->lab, c, buf, NULL, 0);
	if (personality_implicit_tls(&c->l->spec->persona) && !c->sent)
		client_greet(c);
}

/* Events of a TLS connection: the handshake's end, then as on_event. */
static void
on_tls_event(struct bufferevent *bev, short what, void *arg)
{
	struct lab_client *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		if (c->handshaking)
			client_tls_done(c);
		return;
	}
	if (c->handshaking) {
		char reason[TLS_REASON_MAX] = "connection closed";
		char buf[LAB_NAME_MAX + TLS_REASON_MAX];
		unsigned long code, first = 0;

		/* Newest first, the cause last; SSL_get_error() codes skipped. */
		while ((code = bufferevent_get_openssl_error(bev)) != 0)
			if (ERR_GET_LIB(code) != 0)
				first = code;
		if (first != 0)
			tls_error_reason(first, reason, sizeof(reason));
		ERR_clear_error();
		snprintf(buf, sizeof(buf), "tls-failed %s", reason);
		lab_log(c->lab, c, buf, NULL, 0);
		client_close(c);
		return;
	}
	on_event(bev, what, arg);
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct lab_listener *l = arg;
	struct lab *lab = l->lab;
	struct timeval idle = {LAB_IDLE_TIMEOUT_MS / 1000, (LAB_IDLE_TIMEOUT_MS % 1000) * 1000};
	struct lab_reply r;
	struct lab_client *c;

	if (lab->nclients >= LAB_CLIENTS_MAX) {
		if (!lab->warned_full)
			fprintf(stderr, "smtplab: %d clients (LAB_CLIENTS_MAX), closing new ones\n",
			        LAB_CLIENTS_MAX);
		lab->warned_full = 1;
		evutil_closesocket(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		evutil_closesocket(fd);
		return;
	}
	c->bev = bufferevent_socket_new(lab->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	c->lab = lab;
	c->l = l;
	addr_text(sa, c->peer, sizeof(c->peer));
	c->next = lab->clients;
	if (c->next)
		c->next->prev = c;
	lab->clients = c;
	lab->nclients++;
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	/* Reading stops at the cap, so an endless line costs LAB_LINE_MAX bytes, no more. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, LAB_LINE_MAX);
	bufferevent_set_timeouts(c->bev, &idle, &idle);
	lab_log(lab, c, "connect", NULL, 0);
	if (personality_implicit_tls(&l->spec->persona)) {
		/* SMTPS: the greeting waits for the handshake (on_tls_event). */
		client_start_tls(c);
		return;
	}

	personality_greet(&l->spec->persona, &r);
	if (r.delay_ms > 0) {
		struct timeval tv = {r.delay_ms / 1000, (r.delay_ms % 1000) * 1000};

		c->greet_timer = evtimer_new(lab->base, on_greet_timer, c);
		if (c->greet_timer == NULL || evtimer_add(c->greet_timer, &tv) < 0)
			client_close(c);
		return;
	}
	client_greet(c);
}

/* Out of descriptors: pause the listener instead of spinning on accept(). */
static void
on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct lab_listener *l = arg;
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv = {LAB_RESUME_MS / 1000, (LAB_RESUME_MS % 1000) * 1000};

	fprintf(stderr, "smtplab: %s: accept: %s; pausing\n", l->addr, strerror(err));
	evconnlistener_disable(lev);
	l->paused = 1;
	if (!evtimer_pending(l->lab->resume, NULL))
		evtimer_add(l->lab->resume, &tv);
}

static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct lab *lab = arg;
	size_t i;

	for (i = 0; i < lab->nlisteners; i++) {
		if (lab->listeners[i].paused) {
			lab->listeners[i].paused = 0;
			evconnlistener_enable(lab->listeners[i].lev);
		}
	}
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct lab *lab = arg;

	event_base_loopbreak(lab->base);
}

/* Listeners */

static int
listener_open(struct lab *lab, struct lab_listener *l, const struct sockaddr *sa, socklen_t salen)
{
	evutil_socket_t fd;
	int one = 1, err;

	addr_text(sa, l->addr, sizeof(l->addr));
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (sa->sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, sa, salen) < 0 || listen(fd, SOMAXCONN) < 0) {
		err = errno;
		close(fd);
		errno = err;
		goto fail;
	}
	/* Backlog 0: the socket is already listening. */
	l->lev = evconnlistener_new(lab->base, on_accept, l,
	                            LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (l->lev == NULL) {
		err = errno;
		close(fd);
		errno = err;
		goto fail;
	}
	evconnlistener_set_error_cb(l->lev, on_accept_error);
	return 0;
fail:
	fprintf(stderr, "smtplab: \"%s\": cannot listen on %s: %s\n", l->spec->text, l->addr,
	        strerror(errno));
	return -1;
}

static int
lab_listen(struct lab *lab)
{
	struct rlimit rl;
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct lab_listener *l;
	size_t i;
	uint32_t k;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    lab->total + LAB_FD_RESERVE > rl.rlim_cur) {
		fprintf(
		    stderr,
		    "smtplab: %zu listeners need more file descriptors than RLIMIT_NOFILE (%llu)\n",
		    lab->total, (unsigned long long)rl.rlim_cur);
		return -1;
	}
	lab->listeners = calloc(lab->total, sizeof(*lab->listeners));
	if (lab->listeners == NULL) {
		fprintf(stderr, "smtplab: out of memory\n");
		return -1;
	}
	for (i = 0; i < lab->nspecs; i++) {
		const struct lab_spec *spec = &lab->specs[i];

		for (k = 0; k < spec->count; k++) {
			l = &lab->listeners[lab->nlisteners];
			l->lab = lab;
			l->spec = spec;
			if (spec->family == AF_INET6) {
				memset(&s6, 0, sizeof(s6));
				s6.sin6_family = AF_INET6;
				s6.sin6_addr = in6addr_loopback;
				s6.sin6_port = htons(spec->port);
				if (listener_open(lab, l, (struct sockaddr *)&s6, sizeof(s6)) < 0)
					return -1;
			} else {
				memset(&s4, 0, sizeof(s4));
				s4.sin_family = AF_INET;
				s4.sin_addr.s_addr = htonl(spec->first + k);
				s4.sin_port = htons(spec->port);
				if (listener_open(lab, l, (struct sockaddr *)&s4, sizeof(s4)) < 0)
					return -1;
			}
			lab->nlisteners++;
		}
	}
	return 0;
}

/* 10,000+ listeners need more than the usual 1024 descriptors. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			fprintf(stderr, "smtplab: cannot raise RLIMIT_NOFILE: %s\n",
			        strerror(errno));
	}
}

/* Written under a temporary name, then renamed: a reader never sees it half written. */
static int
write_pidfile(const char *path)
{
	char tmp[LAB_PATH_MAX + 8];
	FILE *fp;

	if (strlen(path) >= LAB_PATH_MAX) {
		fprintf(stderr, "smtplab: pidfile path too long\n");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (fp == NULL) {
		fprintf(stderr, "smtplab: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "smtplab: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void
lab_free(struct lab *lab)
{
	struct lab_client *c, *next;
	size_t i;

	for (c = lab->clients; c != NULL; c = next) {
		next = c->next;
		client_close(c);
	}
	for (i = 0; i < lab->nlisteners; i++)
		evconnlistener_free(lab->listeners[i].lev);
	free(lab->listeners);
	if (lab->sigterm)
		event_free(lab->sigterm);
	if (lab->sigint)
		event_free(lab->sigint);
	if (lab->resume)
		event_free(lab->resume);
	if (lab->base)
		event_base_free(lab->base);
	free(lab->specs);
	if (lab->pidfile_written && lab->pidfile != NULL)
		unlink(lab->pidfile);
	if (lab->log && lab->log != stderr)
		fclose(lab->log);
	tls_context_free(lab->tls_ctx);
	libevent_global_shutdown();
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"log", required_argument, NULL, 'l'},
	    {"pidfile", required_argument, NULL, 'p'},
	    {"config", required_argument, NULL, 'c'},
	    {"listen", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    /* TLS */
	    {"tls-cert", required_argument, NULL, 'C'},
	    {"tls-key", required_argument, NULL, 'K'},
	    {NULL, 0, NULL, 0},
	};
	const char *tls_cert = NULL, *tls_key = NULL;
	char err[256];
	size_t i;
	struct lab lab;
	const char *logpath = NULL;
	int ch, rc = 1;

	memset(&lab, 0, sizeof(lab));
	lab.log = stderr;
	signal(SIGPIPE, SIG_IGN);

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			logpath = optarg;
			break;
		case 'p':
			lab.pidfile = optarg;
			break;
		case 'c':
			if (lab_read_config(&lab, optarg) < 0) {
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case 'L':
			if (lab_add_spec(&lab, optarg, NULL) < 0) {
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case 'C':
			tls_cert = optarg;
			break;
		case 'K':
			tls_key = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "smtplab: unexpected argument \"%s\"\n", argv[optind]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (lab.nspecs == 0) {
		fprintf(stderr, "smtplab: nothing to listen on (give --listen or --config)\n");
		rc = EXIT_USAGE;
		goto out;
	}

	/* TLS: a personality that shakes hands needs a certificate. */
	if ((tls_cert == NULL) != (tls_key == NULL)) {
		fprintf(stderr, "smtplab: --tls-cert and --tls-key go together\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (tls_cert != NULL &&
	    (lab.tls_ctx = tls_server_context_new(tls_cert, tls_key, err, sizeof(err))) == NULL) {
		fprintf(stderr, "smtplab: %s: %s\n", tls_cert, err);
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < lab.nspecs; i++) {
		if (lab.tls_ctx == NULL && personality_needs_tls(&lab.specs[i].persona)) {
			fprintf(stderr, "smtplab: \"%s\": needs --tls-cert and --tls-key\n",
			        lab.specs[i].text);
			rc = EXIT_USAGE;
			goto out;
		}
	}

	raise_nofile();
	if (logpath) {
		lab.log = fopen(logpath, "a");
		if (lab.log == NULL) {
			fprintf(stderr, "smtplab: %s: %s\n", logpath, strerror(errno));
			goto out;
		}
	}
	lab.base = event_base_new();
	if (lab.base == NULL) {
		fprintf(stderr, "smtplab: cannot create the event loop\n");
		goto out;
	}
	lab.sigterm = evsignal_new(lab.base, SIGTERM, on_signal, &lab);
	lab.sigint = evsignal_new(lab.base, SIGINT, on_signal, &lab);
	lab.resume = evtimer_new(lab.base, on_resume, &lab);
	if (!lab.sigterm || !lab.sigint || !lab.resume || evsignal_add(lab.sigterm, NULL) < 0 ||
	    evsignal_add(lab.sigint, NULL) < 0) {
		fprintf(stderr, "smtplab: cannot set up signals\n");
		goto out;
	}
	if (lab_listen(&lab) < 0)
		goto out;
	/* After binding: a test that waits for the pidfile knows the lab is ready. */
	if (lab.pidfile) {
		if (write_pidfile(lab.pidfile) < 0)
			goto out;
		lab.pidfile_written = 1;
	}
	fprintf(stderr, "smtplab: ready, %zu listeners\n", lab.nlisteners);

	if (event_base_dispatch(lab.base) < 0) {
		fprintf(stderr, "smtplab: event loop failed\n");
		goto out;
	}
	rc = 0;
out:
	lab_free(&lab);
	return rc;
}
