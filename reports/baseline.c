/*
 * baseline.c: what changed since a previous run; see baseline.h.
 *
 * The baseline is a sorted array of fixed-size entries (about 28 bytes a
 * target, whatever the row held), searched with bsearch: a million-target
 * audit costs some 28 MB, and nothing is allocated per result.
 */
#include "config.h"

#include "reports/baseline.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "common/strbuf.h"
#include "reports/previous.h"

#define NEWLY_OPEN_SHOWN 5 /* targets named in the summary line */

/* (family, address, port): IPv4-mapped IPv6 is the IPv4 address. */
struct key {
	unsigned char family; /* 4 or 6 */
	unsigned char addr[16];
	uint16_t port;
};

struct entry {
	struct key key;
	signed char verdict; /* -1: a name this version does not know */
	unsigned char present;
	unsigned long lineno;
};

struct baseline {
	char path[TARGET_ORIGIN_MAX];
	struct entry *v;
	size_t n, cap;
	size_t rows; /* rows read, with an address or not */
	size_t news, same, changed, gone, newly_open;
	char note[128]; /* what the summary must say about the file itself */
	char shown[NEWLY_OPEN_SHOWN][INET6_ADDRSTRLEN + 64];
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((c = memcmp(x->addr, y->addr, sizeof(x->addr))) != 0)
		return c;
	return x->port < y->port ? -1 : x->port > y->port;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = key_cmp(&x->key, &y->key);

	/* Equal keys: the earlier row first, so it is the one kept. */
	if (c == 0)
		return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
	return c;
}

static int
key_from_text(struct key *k, const char *ip, const char *port)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned char a6[16];
	char *end;
	unsigned long p;

	memset(k, 0, sizeof(*k));
	p = strtoul(port, &end, 10);
	if (port[0] == '\0' || *end != '\0' || p == 0 || p > 65535)
		return -1;
	k->port = (uint16_t)p;
	if (inet_pton(AF_INET, ip, k->addr) == 1) {
		k->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a6) != 1)
		return -1;
	if (memcmp(a6, mapped, sizeof(mapped)) == 0) {
		k->family = 4;
		memcpy(k->addr, a6 + 12, 4);
	} else {
		k->family = 6;
		memcpy(k->addr, a6, 16);
	}
	return 0;
}

static int
key_from_target(struct key *k, const struct target *t)
{
	char port[8];

	if (t->salen == 0 || t->ip[0] == '\0')
		return -1;
	snprintf(port, sizeof(port), "%u", (unsigned)t->port);
	return key_from_text(k, t->ip, port);
}

static int
load_row(const struct previous_row *row, void *arg)
{
	struct baseline *b = arg;
	struct entry *e;

	b->rows++;
	if (row->ip[0] == '\0')
		return 0; /* a bad input line: nothing to compare */
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct entry *v;

		if (b->n >= BASELINE_ROWS_MAX || (v = realloc(b->v, cap * sizeof(*v))) == NULL)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	e = &b->v[b->n];
	memset(e, 0, sizeof(*e));
	if (key_from_text(&e->key, row->ip, row->port) != 0)
		return 0; /* not an address we could have probed: ignored */
	e->verdict = (signed char)verdict_from_name(row->verdict);
	e->lineno = row->lineno;
	b->n++;
	return 0;
}

struct baseline *
baseline_load(const char *path, char *err, size_t errlen)
{
	struct baseline *b;
	FILE *f;
	long partial;
	size_t i, w;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(b->path, sizeof(b->path), "%s", path);
	if ((f = fopen(path, "r")) == NULL && errno == ENOENT) {
		/* The first night: nothing to compare with yet. */
		snprintf(b->note, sizeof(b->note), ": no baseline yet: every target counts as new");
		return b;
	}
	if (f == NULL) {
		struct strbuf sb;
		char shown[256];

		sb_init(&sb, shown, sizeof(shown));
		sb_append_escaped(&sb, path, strlen(path));
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		free(b);
		return NULL;
	}
	if (previous_read(f, path, 0, load_row, b, &partial, err, errlen) != 0) {
		fclose(f);
		baseline_free(b);
		return NULL;
	}
	/* A file that holds nothing to compare with makes every target new:
	 * said in the summary, or refused when it is no report at all. */
	if (partial == 0) {
		struct strbuf sb;
		char shown[256];

		sb_init(&sb, shown, sizeof(shown));
		sb_append_escaped(&sb, path, strlen(path));
		snprintf(err, errlen, "%s: not smtpprobe's report: no whole header line", shown);
		fclose(f);
		baseline_free(b);
		return NULL;
	}
	if (partial > 0)
		snprintf(b->note, sizeof(b->note),
		         ": its last row is cut short (a killed run?) and was left out");
	else if (ftell(f) == 0)
		snprintf(b->note, sizeof(b->note), " is empty: every target counts as new");
	else if (b->rows == 0)
		snprintf(b->note, sizeof(b->note), " has no rows: every target counts as new");
	fclose(f);
	if (b->n > 1) /* qsort's base must not be NULL, even for no entries */
		qsort(b->v, b->n, sizeof(*b->v), entry_cmp);
	/* A target listed twice keeps its first row. */
	for (i = 0, w = 0; i < b->n; i++)
		if (w == 0 || key_cmp(&b->v[w - 1].key, &b->v[i].key) != 0)
			b->v[w++] = b->v[i];
	b->n = w;
	return b;
}

void
baseline_free(struct baseline *b)
{
	if (b == NULL)
		return;
	free(b->v);
	free(b);
}

static struct entry *
find(struct baseline *b, const struct key *k)
{
	return b->n > 0 ? bsearch(k, b->v, b->n, sizeof(*b->v), key_cmp) : NULL;
}

static int
is_open(int v)
{
	return v == VERDICT_ACCEPTS_RELAY || v == VERDICT_ACCEPTS_LOCALHOST;
}

void
baseline_compare(struct baseline *b, struct probe_result *r)
{
	struct entry *e;
	struct key k;
	int was = -1;

	r->change[0] = '\0';
	if (key_from_target(&k, &r->target) != 0)
		return;
	e = find(b, &k);
	if (e == NULL) {
		snprintf(r->change, sizeof(r->change), "new");
		b->news++;
	} else {
		e->present = 1;
		/* NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c): -1 means unknown */
		was = e->verdict;
		if (was == (int)r->verdict) {
			snprintf(r->change, sizeof(r->change), "same");
			b->same++;
		} else {
			snprintf(r->change, sizeof(r->change), "changed:%s",
			         was >= 0 ? verdict_name((enum verdict)was) : "?");
			b->changed++;
		}
	}
	if (is_open((int)r->verdict) && !is_open(was)) {
		if (b->newly_open < NEWLY_OPEN_SHOWN) {
			int v6 = strchr(r->target.ip, ':') != NULL;

			snprintf(b->shown[b->newly_open], sizeof(b->shown[0]), "%s%s%s:%u (%s%s)",
			         v6 ? "[" : "", r->target.ip, v6 ? "]" : "",
			         (unsigned)r->target.port, e == NULL ? "new" : "was ",
			         e == NULL  ? ""
			         : was >= 0 ? verdict_name((enum verdict)was)
			                    : "?");
		}
		b->newly_open++;
	}
}

void
baseline_mark_present(struct baseline *b, const char *ip, const char *port)
{
	struct entry *e;
	struct key k;

	if (key_from_text(&k, ip, port) == 0 && (e = find(b, &k)) != NULL)
		e->present = 1;
}

int
baseline_emit_gone(struct baseline *b, int (*emit)(const struct probe_result *r, void *arg),
                   void *arg)
{
	static struct probe_result r; /* 20 KiB: kept off the stack */
	struct target t;
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct entry *e = &b->v[i];
		struct strbuf sb;

		if (e->present)
			continue;
		memset(&t, 0, sizeof(t));
		t.port = e->key.port;
		if (e->key.family == 4) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&t.sa;

			sin->sin_family = AF_INET;
			sin->sin_port = htons(t.port);
			memcpy(&sin->sin_addr, e->key.addr, 4);
			t.salen = sizeof(*sin);
			inet_ntop(AF_INET, e->key.addr, t.ip, sizeof(t.ip));
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t.sa;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(t.port);
			memcpy(&sin6->sin6_addr, e->key.addr, 16);
			t.salen = sizeof(*sin6);
			inet_ntop(AF_INET6, e->key.addr, t.ip, sizeof(t.ip));
		}
		sb_init(&sb, t.origin, sizeof(t.origin));
		sb_printf(&sb, "%s:%lu", b->path, e->lineno);
		snprintf(t.input, sizeof(t.input), "%s", t.ip);
		snprintf(t.skip_reason, sizeof(t.skip_reason),
		         "not in this run; the baseline said %s",
		         e->verdict >= 0 ? verdict_name((enum verdict)e->verdict) : "?");
		probe_result_init(&r, &t);
		gettimeofday(&r.started, NULL);
		snprintf(r.change, sizeof(r.change), "gone");
		b->gone++;
		if (emit(&r, arg) != 0)
			return -1;
	}
	return 0;
}

size_t
baseline_newly_open(const struct baseline *b)
{
	return b->newly_open;
}

size_t
baseline_changed(const struct baseline *b)
{
	return b->changed;
}

void
baseline_summary(const struct baseline *b, FILE *fp)
{
	char shown[256];
	struct strbuf sb;
	size_t i;

	sb_init(&sb, shown, sizeof(shown));
	sb_append_escaped(&sb, b->path, strlen(b->path));
	if (b->note[0] != '\0')
		fprintf(fp, "smtpprobe: baseline %s%s\n", shown, b->note);
	fprintf(fp, "smtpprobe: since the baseline %s: %zu new, %zu same, %zu changed, %zu gone\n",
	        shown, b->news, b->same, b->changed, b->gone);
	if (b->newly_open == 0)
		return;
	fprintf(fp, "smtpprobe: %zu newly accepting relay since the baseline:", b->newly_open);
	for (i = 0; i < b->newly_open && i < NEWLY_OPEN_SHOWN; i++)
		fprintf(fp, "%s %s", i > 0 ? "," : "", b->shown[i]);
	if (b->newly_open > NEWLY_OPEN_SHOWN)
		fprintf(fp, ", ...");
	fprintf(fp, "\n");
}
