/*
 * dns.c: c-ares on the prober's libevent loop; see dns.h.
 *
 * The pattern (pgbouncer's dnslookup.c does the same): c-ares tells us
 * through ARES_OPT_SOCK_STATE_CB which sockets it wants to read or write;
 * each gets one persistent event whose callback hands the socket to
 * ares_process_fd. One timer, re-armed from ares_timeout after every
 * callback and every new query, lets c-ares notice its own timeouts. Every
 * c-ares call of the program is in this file.
 *
 * Requests are small heap objects that count their outstanding c-ares
 * queries and call the caller back when the count drops to zero. When the
 * channel is destroyed (dns_free), c-ares calls every pending query back
 * with ARES_EDESTRUCTION: requests are then freed without calling back.
 */
#include "config.h"

#include "prober/dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"

#define DNS_MX_HOST_ADDRS_MAX 8 /* addresses kept per MX host */

/* The kinds of c-ares query made here. */
enum qkind {
	Q_PTR,  /* an address's PTR records (ares_query) */
	Q_FWD,  /* a PTR name's A or AAAA, to confirm it (ares_getaddrinfo) */
	Q_HOST, /* a host name's or MX host's A and AAAA (ares_getaddrinfo) */
	Q_MX,   /* a domain's MX records (ares_query) */
	Q_A,    /* a name's A records, as they are (ares_query) */
	Q_TXT,  /* a name's TXT records (ares_query) */
};

/* A query waiting for room under DNS_QUERIES_MAX. */
struct qitem {
	struct qitem *next;
	enum qkind kind;
	int family;
	void *arg;
	char name[DNS_HOSTNAME_MAX];
};

struct dns_sock {
	ares_socket_t fd;
	struct event *ev; /* allocated once, re-assigned per socket */
	short wait;       /* EV_READ | EV_WRITE asked for, 0 when unwatched */
	int in_use;
};

struct dns {
	struct event_base *base;
	ares_channel channel;
	int channel_ok;
	int lib_ok;
	struct event *timer;
	struct event *cancel_ev;
	struct dns_sock *socks;
	size_t nsocks, capsocks;
	size_t pending;
	int destroying;
	size_t inflight; /* queries c-ares holds */
	struct qitem *qhead, *qtail;
};

/* An address in comparable form: family and raw bytes. */
struct raw_addr {
	int family;
	unsigned char b[16];
	size_t len;
};

struct rdns_req {
	struct dns *d;
	struct raw_addr addr;
	dns_rdns_cb cb;
	void *arg;
	size_t outstanding; /* c-ares queries not called back yet, plus a hold */
	struct dns_rdns res;
};

struct mx_host {
	char name[DNS_HOSTNAME_MAX];
	unsigned int pref;
	enum dns_status status;
	char error[DNS_ERROR_MAX];
	size_t n;
	struct sockaddr_storage sa[DNS_MX_HOST_ADDRS_MAX];
	socklen_t salen[DNS_MX_HOST_ADDRS_MAX];
	struct hosts_req *req;
};

/* A name's A or TXT records, as they are. */
struct answer_req {
	struct dns *d;
	dns_answer_cb cb;
	void *arg;
	enum qkind kind;
	struct dns_answer res;
};

/* A name's addresses (nmx == 0), or an MX domain's hosts and theirs. */
struct hosts_req {
	struct dns *d;
	dns_hosts_cb cb;
	void *arg;
	size_t outstanding;
	int is_mx;
	char name[DNS_HOSTNAME_MAX];
	size_t nmx;
	struct mx_host mx[DNS_MX_HOSTS_MAX];
	struct dns_hosts res;
};

static void dns_rearm(struct dns *d);
static void dns_launch(struct dns *d, enum qkind kind, const char *name, int family, void *arg);
static void dns_submit(struct dns *d, enum qkind kind, const char *name, int family, void *arg);
static void rdns_ptr_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen);
static void rdns_fwd_done(void *arg, int status, int timeouts, struct ares_addrinfo *ai);
static void host_addr_done(void *arg, int status, int timeouts, struct ares_addrinfo *ai);
static void mx_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen);
static void answer_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen);
static void queue_fail_all(struct dns *d, int status);

const char *
dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "ok";
	case DNS_NOT_FOUND:
		return "not found";
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_FAILED:
		return "failed";
	case DNS_CANCELLED:
		return "cancelled";
	}
	return "?";
}

static enum dns_status
map_status(int status)
{
	switch (status) {
	case ARES_SUCCESS:
		return DNS_OK;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return DNS_NOT_FOUND;
	case ARES_ETIMEOUT:
		return DNS_TIMEOUT;
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		return DNS_CANCELLED;
	default:
		return DNS_FAILED;
	}
}

/* A failure worse than another, for the one status a request reports: a
 * timeout says more than "not found" about why nothing confirmed. */
static int
status_rank(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return 0;
	case DNS_NOT_FOUND:
		return 1;
	case DNS_FAILED:
		return 2;
	case DNS_TIMEOUT:
		return 3;
	case DNS_CANCELLED:
		return 4;
	}
	return 5;
}

static void
set_error(char *dst, size_t size, int status)
{
	struct strbuf sb;

	sb_init(&sb, dst, size);
	sb_puts(&sb, ares_strerror(status));
}

static void
copy_name(char *dst, size_t size, const char *src)
{
	struct strbuf sb;

	sb_init(&sb, dst, size);
	sb_puts(&sb, src);
}

/* --- the loop glue --- */

static void
dns_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns *d = arg;

	ares_process_fd(d->channel, (what & EV_READ) ? (ares_socket_t)fd : ARES_SOCKET_BAD,
	                (what & EV_WRITE) ? (ares_socket_t)fd : ARES_SOCKET_BAD);
	dns_rearm(d);
}

static void
dns_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns *d = arg;

	ares_process_fd(d->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_rearm(d);
}

static void
dns_cancel_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns *d = arg;

	/* Queued queries first, so none is launched as the others end. */
	queue_fail_all(d, ARES_ECANCELLED);
	ares_cancel(d->channel);
	dns_rearm(d);
}

static void
dns_rearm(struct dns *d)
{
	struct timeval tv, *tvp;

	if (d->destroying)
		return;
	while (d->qhead != NULL && d->inflight < DNS_QUERIES_MAX) {
		struct qitem *it = d->qhead;

		d->qhead = it->next;
		if (d->qhead == NULL)
			d->qtail = NULL;
		dns_launch(d, it->kind, it->name, it->family, it->arg);
		free(it);
	}
	tvp = ares_timeout(d->channel, NULL, &tv);
	if (tvp != NULL)
		evtimer_add(d->timer, tvp);
	else
		evtimer_del(d->timer);
}

/*
 * c-ares says which sockets it wants watched, and for what. Each socket has
 * one persistent event, re-assigned when the interest changes (pgbouncer's
 * way); a closed socket's event is deleted and kept for the next socket,
 * never freed here, since this runs inside the event's own callback.
 */
static void
dns_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns *d = data;
	short what = (short)((readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
	struct dns_sock *s = NULL, *spare = NULL;
	size_t i;

	for (i = 0; i < d->nsocks && s == NULL; i++) {
		if (d->socks[i].in_use && d->socks[i].fd == fd)
			s = &d->socks[i];
		else if (!d->socks[i].in_use && spare == NULL)
			spare = &d->socks[i];
	}
	if (s == NULL) {
		if (what == 0)
			return;
		if (spare == NULL) {
			struct dns_sock *v;

			if (d->nsocks == d->capsocks) {
				size_t cap = d->capsocks ? d->capsocks * 2 : 4;

				/* Without memory its queries time out: recorded, never fatal. */
				if ((v = realloc(d->socks, cap * sizeof(*v))) == NULL)
					return;
				d->socks = v;
				d->capsocks = cap;
			}
			spare = &d->socks[d->nsocks];
			memset(spare, 0, sizeof(*spare));
			if ((spare->ev = event_new(d->base, -1, 0, dns_sock_cb, d)) == NULL)
				return;
			d->nsocks++;
		}
		s = spare;
		s->fd = fd;
		s->in_use = 1;
		s->wait = 0;
	}
	if (s->wait == what)
		return;
	if (s->wait != 0)
		event_del(s->ev);
	s->wait = what;
	if (what == 0) {
		s->in_use = 0;
		return;
	}
	if (event_assign(s->ev, d->base, fd, (short)(what | EV_PERSIST), dns_sock_cb, d) < 0 ||
	    event_add(s->ev, NULL) < 0) {
		s->wait = 0;
		s->in_use = 0;
	}
}

struct dns *
dns_new(struct event_base *base, const struct dns_config *cfg, char *err, size_t errlen)
{
	struct ares_options opt;
	struct dns *d;
	int rc, mask;
	char lookups[] = "b"; /* DNS only: never /etc/hosts */

	if (err == NULL)
		errlen = 0; /* every message below goes nowhere */
	if (errlen > 0)
		err[0] = '\0';
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		copy_name(err, errlen, "out of memory");
		return NULL;
	}
	d->base = base;
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		set_error(err, errlen, rc);
		dns_free(d);
		return NULL;
	}
	d->lib_ok = 1;

	memset(&opt, 0, sizeof(opt));
	/* No search domains, no HOSTALIASES: a name is asked as given. */
	opt.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	opt.timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_DNS_TIMEOUT_MS;
	opt.tries = DNS_TRIES;
	opt.lookups = lookups;
	opt.sock_state_cb = dns_sock_state;
	opt.sock_state_cb_data = d;
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS |
	       ARES_OPT_SOCK_STATE_CB;
	if ((rc = ares_init_options(&d->channel, &opt, mask)) != ARES_SUCCESS) {
		set_error(err, errlen, rc);
		dns_free(d);
		return NULL;
	}
	d->channel_ok = 1;
	/* ares_set_servers_csv would drop the ports. */
	if (cfg->servers != NULL &&
	    (cfg->servers[0] == '\0' ||
	     ares_set_servers_ports_csv(d->channel, cfg->servers) != ARES_SUCCESS)) {
		char q[TARGET_QUOTE_MAX];
		struct strbuf sb;

		sb_init(&sb, q, sizeof(q));
		sb_append_escaped(&sb, cfg->servers, strlen(cfg->servers));
		sb_init(&sb, err, errlen);
		sb_printf(&sb, "not IP[:PORT][,...]: \"%s\"", q);
		dns_free(d);
		return NULL;
	}
	d->timer = evtimer_new(base, dns_timer_cb, d);
	d->cancel_ev = event_new(base, -1, 0, dns_cancel_cb, d);
	if (d->timer == NULL || d->cancel_ev == NULL) {
		copy_name(err, errlen, "out of memory");
		dns_free(d);
		return NULL;
	}
	return d;
}

void
dns_free(struct dns *d)
{
	size_t i;

	if (d == NULL)
		return;
	d->destroying = 1;
	if (d->channel_ok)
		ares_destroy(d->channel); /* pending requests are dropped, see above */
	queue_fail_all(d, ARES_EDESTRUCTION);
	for (i = 0; i < d->nsocks; i++)
		event_free(d->socks[i].ev);
	free(d->socks);
	if (d->timer)
		event_free(d->timer);
	if (d->cancel_ev)
		event_free(d->cancel_ev);
	if (d->lib_ok)
		ares_library_cleanup();
	free(d);
}

void
dns_cancel_all(struct dns *d)
{
	/* ares_cancel calls back at once, which must not happen inside a
	 * c-ares callback: the loop runs it on its next turn. */
	if (d != NULL && d->pending > 0)
		event_active(d->cancel_ev, 0, 0);
}

size_t
dns_pending(const struct dns *d)
{
	return d->pending;
}

/* --- addresses --- */

static int
raw_from_sa(const struct sockaddr *sa, struct raw_addr *a)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		a->family = AF_INET;
		a->len = 4;
		memcpy(a->b, &sin.sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		/* An IPv4-mapped address has the reverse name of its IPv4 address. */
		if (memcmp(sin6.sin6_addr.s6_addr, mapped, sizeof(mapped)) == 0) {
			a->family = AF_INET;
			a->len = 4;
			memcpy(a->b, sin6.sin6_addr.s6_addr + 12, 4);
		} else {
			a->family = AF_INET6;
			a->len = 16;
			memcpy(a->b, sin6.sin6_addr.s6_addr, 16);
		}
		return 0;
	}
	return -1;
}

/* Appends an ares_addrinfo's addresses of the family (AF_UNSPEC: IPv4 ones
 * first, then IPv6, so the probe order does not depend on the answer's),
 * skipping duplicates. Returns how many are kept in total. */
static size_t
collect_addrs(const struct ares_addrinfo *ai, int family, struct sockaddr_storage *sa,
              socklen_t *salen, size_t n, size_t max)
{
	static const int order[2] = {AF_INET, AF_INET6};
	const struct ares_addrinfo_node *node;
	size_t pass, j;

	for (pass = 0; pass < 2 && ai != NULL; pass++) {
		if (family != AF_UNSPEC && family != order[pass])
			continue;
		for (node = ai->nodes; node != NULL && n < max; node = node->ai_next) {
			socklen_t len = node->ai_family == AF_INET    ? sizeof(struct sockaddr_in)
			                : node->ai_family == AF_INET6 ? sizeof(struct sockaddr_in6)
			                                              : 0;

			if (node->ai_family != order[pass] || len == 0 || node->ai_addr == NULL ||
			    (socklen_t)node->ai_addrlen < len)
				continue;
			for (j = 0; j < n; j++)
				if (salen[j] == len && memcmp(&sa[j], node->ai_addr, len) == 0)
					break;
			if (j < n)
				continue;
			memset(&sa[n], 0, sizeof(sa[n]));
			memcpy(&sa[n], node->ai_addr, len);
			salen[n] = len;
			n++;
		}
	}
	return n;
}

static void
start_getaddrinfo(struct dns *d, const char *name, int family, ares_addrinfo_callback cb, void *arg)
{
	struct ares_addrinfo_hints hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	/* No sorting: RFC 6724 sorting would connect() probe sockets. */
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(d->channel, name, NULL, &hints, cb, arg);
}

/* --- the gate: at most DNS_QUERIES_MAX queries in flight --- */

/*
 * A resolver, dnsmasq on a small machine above all, drops UDP queries that
 * arrive in a burst faster than it reads them, and c-ares then waits a whole
 * timeout to retry: a thousand sessions starting at once would turn into a
 * thousand timeouts. So queries beyond DNS_QUERIES_MAX wait here, in order,
 * and go out as answers come back. The c-ares callbacks below only count the
 * query out and hand over to the *_done functions.
 */
static void
ptr_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	((struct rdns_req *)arg)->d->inflight--;
	rdns_ptr_done(arg, status, timeouts, abuf, alen);
}

static void
fwd_cb(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	((struct rdns_req *)arg)->d->inflight--;
	rdns_fwd_done(arg, status, timeouts, ai);
}

static void
host_cb(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	((struct mx_host *)arg)->req->d->inflight--;
	host_addr_done(arg, status, timeouts, ai);
}

static void
mx_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	((struct hosts_req *)arg)->d->inflight--;
	mx_done(arg, status, timeouts, abuf, alen);
}

static void
answer_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	((struct answer_req *)arg)->d->inflight--;
	answer_done(arg, status, timeouts, abuf, alen);
}

static void
dns_launch(struct dns *d, enum qkind kind, const char *name, int family, void *arg)
{
	d->inflight++;
	switch (kind) {
	case Q_PTR:
		ares_query(d->channel, name, ns_c_in, ns_t_ptr, ptr_cb, arg);
		break;
	case Q_MX:
		ares_query(d->channel, name, ns_c_in, ns_t_mx, mx_cb, arg);
		break;
	case Q_A:
		ares_query(d->channel, name, ns_c_in, ns_t_a, answer_cb, arg);
		break;
	case Q_TXT:
		ares_query(d->channel, name, ns_c_in, ns_t_txt, answer_cb, arg);
		break;
	case Q_FWD:
		start_getaddrinfo(d, name, family, fwd_cb, arg);
		break;
	case Q_HOST:
		start_getaddrinfo(d, name, family, host_cb, arg);
		break;
	}
}

/* Ends a query that never reached c-ares as if c-ares had said status. */
static void
query_fail(enum qkind kind, void *arg, int status)
{
	switch (kind) {
	case Q_PTR:
		rdns_ptr_done(arg, status, 0, NULL, 0);
		break;
	case Q_MX:
		mx_done(arg, status, 0, NULL, 0);
		break;
	case Q_A:
	case Q_TXT:
		answer_done(arg, status, 0, NULL, 0);
		break;
	case Q_FWD:
		rdns_fwd_done(arg, status, 0, NULL);
		break;
	case Q_HOST:
		host_addr_done(arg, status, 0, NULL);
		break;
	}
}

static void
queue_fail_all(struct dns *d, int status)
{
	while (d->qhead != NULL) {
		struct qitem *it = d->qhead;

		d->qhead = it->next;
		if (d->qhead == NULL)
			d->qtail = NULL;
		query_fail(it->kind, it->arg, status);
		free(it);
	}
}

static void
dns_submit(struct dns *d, enum qkind kind, const char *name, int family, void *arg)
{
	struct qitem *it;

	if (d->inflight < DNS_QUERIES_MAX && d->qhead == NULL) {
		dns_launch(d, kind, name, family, arg);
		return;
	}
	if ((it = calloc(1, sizeof(*it))) == NULL) {
		query_fail(kind, arg, ARES_ENOMEM);
		return;
	}
	it->kind = kind;
	it->family = family;
	it->arg = arg;
	copy_name(it->name, sizeof(it->name), name);
	if (d->qtail != NULL)
		d->qtail->next = it;
	else
		d->qhead = it;
	d->qtail = it;
}

/* --- reverse DNS and forward confirmation --- */

static void
rdns_release(struct rdns_req *q)
{
	struct dns *d = q->d;

	if (--q->outstanding > 0)
		return;
	d->pending--;
	if (!d->destroying)
		q->cb(&q->res, q->arg);
	free(q);
}

static void
rdns_fwd_done(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct rdns_req *q = arg;
	struct sockaddr_storage sa[DNS_MX_HOST_ADDRS_MAX];
	socklen_t salen[DNS_MX_HOST_ADDRS_MAX];
	struct raw_addr a;
	enum dns_status st = map_status(status);

	if (st == DNS_OK) {
		size_t i,
		    n = collect_addrs(ai, q->addr.family, sa, salen, 0, DNS_MX_HOST_ADDRS_MAX);

		for (i = 0; i < n; i++)
			if (raw_from_sa((const struct sockaddr *)&sa[i], &a) == 0 &&
			    a.family == q->addr.family && memcmp(a.b, q->addr.b, a.len) == 0)
				q->res.confirmed = 1;
	} else if (status_rank(st) > status_rank(q->res.fwd_status)) {
		q->res.fwd_status = st;
		set_error(q->res.error, sizeof(q->res.error), status);
	}
	if (ai != NULL)
		ares_freeaddrinfo(ai);
	rdns_release(q);
}

/* The PTR query's name: "7.113.0.203.in-addr.arpa", or the nibbles of an
 * IPv6 address under ip6.arpa (RFC 3596). */
static void
reverse_name(const struct raw_addr *a, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	struct strbuf sb;
	size_t i;

	sb_init(&sb, out, size);
	if (a->family == AF_INET) {
		sb_printf(&sb, "%u.%u.%u.%u.in-addr.arpa", a->b[3], a->b[2], a->b[1], a->b[0]);
		return;
	}
	for (i = 16; i > 0; i--)
		sb_printf(&sb, "%c.%c.", hex[a->b[i - 1] & 0xf], hex[a->b[i - 1] >> 4]);
	sb_puts(&sb, "ip6.arpa");
}

/*
 * ares_query, not ares_gethostbyaddr: the latter turns every failure of its
 * last lookup method into ARES_ENOTFOUND, and a timeout must not read as
 * "no PTR".
 */
static void
rdns_ptr_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct rdns_req *q = arg;
	struct dns *d = q->d;
	struct hostent *h = NULL;
	size_t i, j;

	if (status == ARES_SUCCESS)
		status = ares_parse_ptr_reply(abuf, alen, q->addr.b, (int)q->addr.len,
		                              q->addr.family, &h);
	q->res.status = map_status(status);
	if (q->res.status != DNS_OK) {
		set_error(q->res.error, sizeof(q->res.error), status);
		if (h != NULL)
			ares_free_hostent(h);
		rdns_release(q);
		return;
	}
	for (i = 0; h != NULL && q->res.nnames < DNS_PTR_NAMES_MAX; i++) {
		const char *name = i == 0 ? h->h_name : h->h_aliases ? h->h_aliases[i - 1] : NULL;

		if (name == NULL)
			break;
		if (name[0] == '\0' || strlen(name) >= DNS_HOSTNAME_MAX)
			continue;
		for (j = 0; j < q->res.nnames; j++)
			if (strcasecmp(q->res.names[j], name) == 0)
				break;
		if (j == q->res.nnames)
			copy_name(q->res.names[q->res.nnames++], DNS_HOSTNAME_MAX, name);
	}
	if (h != NULL)
		ares_free_hostent(h);
	if (q->res.nnames == 0)
		q->res.status = DNS_NOT_FOUND;
	/* The hold taken for the PTR query covers the forward ones started here
	 * (any may call back at once); the last release delivers. */
	if (!d->destroying) {
		q->outstanding += q->res.nnames;
		for (i = 0; i < q->res.nnames; i++)
			dns_submit(d, Q_FWD, q->res.names[i], q->addr.family, q);
	}
	rdns_release(q);
}

int
dns_rdns(struct dns *d, const struct sockaddr *sa, dns_rdns_cb cb, void *arg)
{
	struct rdns_req *q = calloc(1, sizeof(*q));
	char rname[80]; /* 32 nibbles, 32 dots, "ip6.arpa" */

	if (q == NULL)
		return -1;
	q->d = d;
	q->cb = cb;
	q->arg = arg;
	q->outstanding = 1;
	if (raw_from_sa(sa, &q->addr) != 0) {
		free(q);
		return -1;
	}
	d->pending++;
	reverse_name(&q->addr, rname, sizeof(rname));
	dns_submit(d, Q_PTR, rname, AF_UNSPEC, q);
	dns_rearm(d);
	return 0;
}

/* --- names and MX domains --- */

/* Lays the MX hosts' addresses out in preference order (hosts of equal
 * preference in the answer's order), then calls back. */
static void
hosts_release(struct hosts_req *q)
{
	struct dns *d = q->d;
	struct dns_hosts *r = &q->res;
	size_t i, k;

	if (--q->outstanding > 0)
		return;
	d->pending--;
	if (d->destroying) {
		free(q);
		return;
	}
	for (i = 0; i < q->nmx && r->status == DNS_OK; i++) {
		const struct mx_host *m = &q->mx[i];

		if (m->n == 0 && r->n < DNS_HOST_ADDRS_MAX) {
			struct dns_addr *a = &r->v[r->n++];

			copy_name(a->host, sizeof(a->host), m->name);
			a->pref = m->pref;
			a->status = m->status == DNS_OK ? DNS_NOT_FOUND : m->status;
			copy_name(a->error, sizeof(a->error), m->error);
		}
		for (k = 0; k < m->n && r->n < DNS_HOST_ADDRS_MAX; k++) {
			struct dns_addr *a = &r->v[r->n++];

			copy_name(a->host, sizeof(a->host), m->name);
			a->pref = m->pref;
			memcpy(&a->sa, &m->sa[k], sizeof(a->sa));
			a->salen = m->salen[k];
		}
	}
	/* A plain name that resolved to nothing is a failure of the name. */
	if (!q->is_mx && r->status == DNS_OK && (r->n == 0 || r->v[0].salen == 0)) {
		r->status = q->nmx > 0 ? q->mx[0].status : DNS_NOT_FOUND;
		if (r->status == DNS_OK)
			r->status = DNS_NOT_FOUND;
		copy_name(r->error, sizeof(r->error),
		          q->nmx > 0 && q->mx[0].error[0] ? q->mx[0].error : "no address");
		r->n = 0;
	}
	q->cb(r, q->arg);
	free(q);
}

static void
host_addr_done(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct mx_host *m = arg;

	m->status = map_status(status);
	if (m->status == DNS_OK)
		m->n = collect_addrs(ai, AF_UNSPEC, m->sa, m->salen, 0, DNS_MX_HOST_ADDRS_MAX);
	else
		set_error(m->error, sizeof(m->error), status);
	if (m->status == DNS_OK && m->n == 0) {
		m->status = DNS_NOT_FOUND;
		copy_name(m->error, sizeof(m->error), "no A or AAAA record");
	}
	if (ai != NULL)
		ares_freeaddrinfo(ai);
	hosts_release(m->req);
}

static struct hosts_req *
hosts_req_new(struct dns *d, const char *name, dns_hosts_cb cb, void *arg)
{
	struct hosts_req *q;

	if (strlen(name) >= DNS_HOSTNAME_MAX || (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->d = d;
	q->cb = cb;
	q->arg = arg;
	q->outstanding = 1;
	copy_name(q->name, sizeof(q->name), name);
	d->pending++;
	return q;
}

/* Starts the address lookups of the hosts gathered so far, then drops the
 * request's own hold. */
static void
hosts_start(struct hosts_req *q)
{
	size_t i;

	if (q->d->destroying)
		q->nmx = 0;
	q->outstanding += q->nmx;
	for (i = 0; i < q->nmx; i++)
		dns_submit(q->d, Q_HOST, q->mx[i].name, AF_UNSPEC, &q->mx[i]);
	hosts_release(q);
	/* q may be gone here. */
}

int
dns_resolve_host(struct dns *d, const char *name, dns_hosts_cb cb, void *arg)
{
	struct hosts_req *q = hosts_req_new(d, name, cb, arg);

	if (q == NULL)
		return -1;
	q->nmx = 1;
	copy_name(q->mx[0].name, sizeof(q->mx[0].name), name);
	q->mx[0].req = q;
	hosts_start(q);
	dns_rearm(d);
	return 0;
}

static void
mx_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct hosts_req *q = arg;
	struct ares_mx_reply *mx = NULL, *p;
	size_t i, j;

	if (status == ARES_SUCCESS)
		status = ares_parse_mx_reply(abuf, alen, &mx);
	if (status == ARES_ENODATA) {
		/* No MX record: the domain is its own mail host (RFC 5321 5.1). */
		q->nmx = 1;
		copy_name(q->mx[0].name, sizeof(q->mx[0].name), q->name);
		q->mx[0].req = q;
	} else if (status != ARES_SUCCESS) {
		q->res.status = map_status(status);
		set_error(q->res.error, sizeof(q->res.error), status);
	} else {
		for (p = mx; p != NULL && q->nmx < DNS_MX_HOSTS_MAX; p = p->next) {
			struct mx_host m;

			/* "." is a null MX (RFC 7505): no mail host at all. */
			if (p->host == NULL || p->host[0] == '\0' || strcmp(p->host, ".") == 0 ||
			    strlen(p->host) >= DNS_HOSTNAME_MAX)
				continue;
			memset(&m, 0, sizeof(m));
			copy_name(m.name, sizeof(m.name), p->host);
			m.pref = p->priority;
			/* Insertion sort, stable: equal preferences keep answer order. */
			for (i = q->nmx; i > 0 && q->mx[i - 1].pref > m.pref; i--)
				q->mx[i] = q->mx[i - 1];
			q->mx[i] = m;
			q->nmx++;
		}
		for (j = 0; j < q->nmx; j++)
			q->mx[j].req = q;
		if (q->nmx == 0) {
			q->res.status = DNS_NOT_FOUND;
			copy_name(q->res.error, sizeof(q->res.error),
			          "null MX: the domain takes no mail");
		}
	}
	if (mx != NULL)
		ares_free_data(mx);
	if (q->d->destroying)
		q->nmx = 0;
	hosts_start(q);
}

int
dns_resolve_mx(struct dns *d, const char *domain, dns_hosts_cb cb, void *arg)
{
	struct hosts_req *q = hosts_req_new(d, domain, cb, arg);

	if (q == NULL)
		return -1;
	q->is_mx = 1;
	dns_submit(d, Q_MX, domain, AF_UNSPEC, q);
	dns_rearm(d);
	return 0;
}

/* --- A and TXT records, as they are --- */

static void
answer_a(struct dns_answer *r, unsigned char *abuf, int alen, int *status)
{
	struct ares_addrttl ttls[DNS_A_RECORDS_MAX];
	int i, n = DNS_A_RECORDS_MAX;

	*status = ares_parse_a_reply(abuf, alen, NULL, ttls, &n);
	if (*status != ARES_SUCCESS)
		return;
	for (i = 0; i < n && r->na < DNS_A_RECORDS_MAX; i++)
		memcpy(r->a[r->na++], &ttls[i].ipaddr, 4);
	if (r->na == 0)
		*status = ARES_ENODATA;
}

/* A record's strings are joined (RFC 7208 3.3 reads them so), cut at
 * DNS_TXT_MAX - 1 bytes. */
static void
answer_txt(struct dns_answer *r, unsigned char *abuf, int alen, int *status)
{
	struct ares_txt_ext *txt = NULL, *p;
	long cur = -1;

	*status = ares_parse_txt_reply_ext(abuf, alen, &txt);
	if (*status != ARES_SUCCESS)
		return;
	for (p = txt; p != NULL; p = p->next) {
		size_t room, n;

		if (p->record_start || cur < 0) {
			if (r->ntxt == DNS_TXT_RECORDS_MAX)
				break;
			cur = (long)r->ntxt++;
			r->txtlen[cur] = 0;
		}
		room = DNS_TXT_MAX - 1 - r->txtlen[cur];
		n = p->length < room ? p->length : room;
		if (n > 0 && p->txt != NULL)
			memcpy(r->txt[cur] + r->txtlen[cur], p->txt, n);
		r->txtlen[cur] += n;
		r->txt[cur][r->txtlen[cur]] = '\0';
	}
	if (txt != NULL)
		ares_free_data(txt);
	if (r->ntxt == 0)
		*status = ARES_ENODATA;
}

static void
answer_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct answer_req *q = arg;
	struct dns *d = q->d;

	if (status == ARES_SUCCESS) {
		if (q->kind == Q_A)
			answer_a(&q->res, abuf, alen, &status);
		else
			answer_txt(&q->res, abuf, alen, &status);
	}
	q->res.status = map_status(status);
	if (q->res.status != DNS_OK)
		set_error(q->res.error, sizeof(q->res.error), status);
	d->pending--;
	if (!d->destroying)
		q->cb(&q->res, q->arg);
	free(q);
}

static int
answer_start(struct dns *d, enum qkind kind, const char *name, dns_answer_cb cb, void *arg)
{
	struct answer_req *q;

	if (strlen(name) >= DNS_HOSTNAME_MAX || (q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	q->d = d;
	q->cb = cb;
	q->arg = arg;
	q->kind = kind;
	d->pending++;
	dns_submit(d, kind, name, AF_UNSPEC, q);
	dns_rearm(d);
	return 0;
}

int
dns_query_a(struct dns *d, const char *name, dns_answer_cb cb, void *arg)
{
	return answer_start(d, Q_A, name, cb, arg);
}

int
dns_query_txt(struct dns *d, const char *name, dns_answer_cb cb, void *arg)
{
	return answer_start(d, Q_TXT, name, cb, arg);
}
