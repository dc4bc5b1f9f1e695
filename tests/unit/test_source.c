/*
 * test_source.c: the target stream over arguments, list files and pipes:
 * what comes out, in which order, with which origin and skip reason.
 *
 * Lists are written to a mkdtemp() directory; one fixture comes from
 * $top_srcdir. The addresses are data: nothing connects to them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bounds.h"
#include "targets/parse.h"
#include "targets/policy.h"
#include "targets/source.h"
#include "tests/tap.h"

#define ROWS_MAX 4096

struct row {
	char ip[INET6_ADDRSTRLEN];
	unsigned int port;
	char origin[TARGET_ORIGIN_MAX];
	char skip[TARGET_REASON_MAX];
	char input[TARGET_INPUT_MAX];
};

/* What one line should give: NULL skip means "probe it". */
struct want {
	const char *ip;
	unsigned int port;
	const char *origin; /* after the file's path, e.g. ":3"; or "arg:N" */
	const char *skip;
};

static char tmpdir[256];
static char paths[16][512];
static size_t npaths;

static struct row rows[ROWS_MAX];

static const char *
write_file(const char *name, const char *data, size_t len)
{
	char *path = paths[npaths++];
	FILE *f;

	snprintf(path, sizeof(paths[0]), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return path;
}

static struct target_source *
source(int allow_private, int strict, const struct cidr_list *allowlist, FILE *warn)
{
	struct target_source_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.default_port = 25;
	cfg.allow_private = allow_private;
	cfg.strict = strict;
	cfg.allowlist = allowlist;
	cfg.warn = warn;
	return target_source_new(&cfg);
}

/* Reads until anything but TS_TARGET (TS_YIELD: asks again); returns the
 * number of rows. */
static size_t
drain(struct target_source *src, enum target_source_status *last, char *err, size_t errlen)
{
	struct target t;
	size_t n = 0;

	for (;;) {
		enum target_source_status s = target_source_next(src, &t, err, errlen);

		if (s == TS_YIELD)
			continue;
		if (s != TS_TARGET) {
			*last = s;
			return n;
		}
		if (n < ROWS_MAX) {
			snprintf(rows[n].ip, sizeof(rows[n].ip), "%s", t.ip);
			rows[n].port = t.port;
			snprintf(rows[n].origin, sizeof(rows[n].origin), "%s", t.origin);
			snprintf(rows[n].skip, sizeof(rows[n].skip), "%s", t.skip_reason);
			snprintf(rows[n].input, sizeof(rows[n].input), "%s", t.input);
		}
		n++;
	}
}

static void
check_rows(const char *what, size_t got, const char *prefix, const struct want *want, size_t n)
{
	char origin[TARGET_ORIGIN_MAX];
	size_t i;

	is_int(got, n, "%s: %zu rows", what, n);
	for (i = 0; i < n && i < got; i++) {
		snprintf(origin, sizeof(origin), "%s%s", want[i].origin[0] == ':' ? prefix : "",
		         want[i].origin);
		is_str(rows[i].origin, origin, "%s: row %zu origin", what, i + 1);
		is_str(rows[i].ip, want[i].ip, "%s: row %zu (%s) ip", what, i + 1, origin);
		if (want[i].ip[0] != '\0')
			is_int(rows[i].port, want[i].port, "%s: row %zu (%s) port", what, i + 1,
			       origin);
		is_str(rows[i].skip, want[i].skip ? want[i].skip : "", "%s: row %zu (%s) skip",
		       what, i + 1, origin);
	}
}

static char *
read_stream(FILE *f, char **buf)
{
	fflush(f);
	return *buf;
}

static void
test_list(void)
{
	static const char text[] = "# targets for the weekly audit\n"
	                           "\n"
	                           "192.0.2.1\n"
	                           "192.0.2.2:2525 # submission\n"
	                           "   192.0.2.3  \r\n"
	                           "192.0.2.4,1700000000,64\r\n"
	                           "1.2.3\n"
	                           "192.0.2.1\n"
	                           "[2001:db8::1]:587\n"
	                           "2001:db8::1\n"
	                           "::ffff:192.0.2.1\n"
	                           "mail.example.com\n"
	                           "\r\n"
	                           "192.0.2.2:2525\n"
	                           "192.0.2.9";
	static const struct want want[] = {
	    {"192.0.2.1", 25, ":3", NULL},
	    {"192.0.2.2", 2525, ":4", NULL},
	    {"192.0.2.3", 25, ":5", NULL},
	    {"192.0.2.4", 25, ":6", NULL},
	    {"", 0, ":7", "not an address: \"1.2.3\""},
	    {"2001:db8::1", 587, ":9", NULL},
	    {"2001:db8::1", 25, ":10", NULL},
	    {"", 25, ":12", NULL}, /* a name: resolved by the prober */
	    {"192.0.2.9", 25, ":15", NULL},
	};
	char *wbuf = NULL, expect[2048], err[512], prefix[600];
	size_t wlen = 0, n;
	enum target_source_status last;
	struct target_source *src;
	const char *path;
	FILE *warn;

	path = write_file("list.txt", text, sizeof(text) - 1);
	snprintf(prefix, sizeof(prefix), "%s", path);
	warn = open_memstream(&wbuf, &wlen);
	src = source(1, 0, NULL, warn);
	is_int(target_source_add_file(src, path, err, sizeof(err)), 0, "list: add_file");
	is_int(target_source_fd(src), -1, "list: no descriptor to wait on");
	n = drain(src, &last, err, sizeof(err));
	is_int(last, TS_END, "list: ends with TS_END");
	check_rows("list", n, prefix, want, sizeof(want) / sizeof(want[0]));
	is_str(rows[2].input, "192.0.2.3", "list: input is trimmed, CR too");
	is_str(rows[3].input, "192.0.2.4,1700000000,64", "list: input keeps the line");
	is_str(rows[4].input, "1.2.3", "list: a bad line's input");
	is_int(target_source_duplicates(src), 3, "list: three duplicates");
	is_int(target_source_bad_lines(src), 1, "list: one bad line");
	is_int(target_source_next(src, &(struct target){0}, err, sizeof(err)), TS_END,
	       "list: TS_END again");
	snprintf(expect, sizeof(expect), "smtpprobe: %s:7: not an address: \"1.2.3\"\n", path);
	is_str(read_stream(warn, &wbuf), expect, "list: one warning per bad line");
	target_source_free(src);
	fclose(warn);
	free(wbuf);
}

static void
test_order(void)
{
	static const struct want want[] = {
	    {"192.0.2.20", 25, "arg:1", NULL},
	    {"192.0.2.21", 25, "A", NULL},
	    {"", 0, "arg:2", NULL}, /* a name: resolved by the prober */
	    {"", 0, "arg:3", "empty target"},
	    {"192.0.2.22", 2525, "B", NULL},
	    {"192.0.2.23", 25, "arg:4", NULL},
	};
	char err[512], origin[600];
	enum target_source_status last;
	struct target_source *src;
	const char *a, *b;
	size_t n;

	a = write_file("a.txt", "192.0.2.21\n192.0.2.20\n", 22);
	b = write_file("b.txt", "# only one\n192.0.2.22:2525\n", 27);
	src = source(1, 0, NULL, NULL);
	target_source_add_arg(src, "192.0.2.20");
	is_int(target_source_add_file(src, a, err, sizeof(err)), 0, "order: add a");
	target_source_add_arg(src, "mx.example.net");
	target_source_add_arg(src, "");
	is_int(target_source_add_file(src, b, err, sizeof(err)), 0, "order: add b");
	target_source_add_arg(src, "192.0.2.23 trailing words");
	n = drain(src, &last, err, sizeof(err));
	is_int(last, TS_END, "order: TS_END");
	is_int(n, 6, "order: six rows");
	for (size_t i = 0; i < n && i < 6; i++) {
		if (strcmp(want[i].origin, "A") == 0)
			snprintf(origin, sizeof(origin), "%s:1", a);
		else if (strcmp(want[i].origin, "B") == 0)
			snprintf(origin, sizeof(origin), "%s:2", b);
		else
			snprintf(origin, sizeof(origin), "%s", want[i].origin);
		is_str(rows[i].origin, origin, "order: row %zu origin", i + 1);
		is_str(rows[i].ip, want[i].ip, "order: row %zu ip", i + 1);
		is_str(rows[i].skip, want[i].skip ? want[i].skip : "", "order: row %zu skip",
		       i + 1);
		if (want[i].ip[0] != '\0')
			is_int(rows[i].port, want[i].port, "order: row %zu port", i + 1);
	}
	is_int(target_source_duplicates(src), 1, "order: 192.0.2.20 from a is a duplicate");
	is_int(target_source_bad_lines(src), 1, "order: one bad argument");
	target_source_free(src);
}

/* Addresses DNS found pass the same policy as listed ones. */
static void
test_admit(void)
{
	struct cidr_list *allow = cidr_list_new();
	struct target_source *src;
	struct target t;
	char err[512];
	enum target_source_status last;

	cidr_list_add(allow, "192.0.2.0/24,10.0.0.0/8", err, sizeof(err));
	src = source(0, 0, allow, NULL);
	target_source_add_arg(src, "192.0.2.30");
	target_source_add_arg(src, "mail.example.com:2525");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_TARGET, "admit: a literal");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_TARGET, "admit: a name");
	is_str(t.hostname, "mail.example.com", "admit: the name comes out as given");
	is_int(t.name_kind, TARGET_NAME_HOST, "admit: to be resolved");
	is_int(t.salen, 0, "admit: without an address");
	is_str(t.skip_reason, "", "admit: and no policy yet");
	is_int(t.port, 2525, "admit: with its port");
	drain(src, &last, err, sizeof(err));

	/* What DNS gave for the name: a duplicate, one outside the allowlist,
	 * one in a special range, one fine. */
	target_parse_line("192.0.2.30", 10, 25, &t, err, sizeof(err));
	is_int(target_source_admit(src, &t), 0, "admit: a duplicate of a listed address");
	target_parse_line("198.51.100.30", 13, 25, &t, err, sizeof(err));
	is_int(target_source_admit(src, &t), 1, "admit: outside the allowlist is a row");
	is_str(t.skip_reason, "outside allowlist", "admit: skipped by the allowlist");
	target_parse_line("10.0.0.30", 9, 25, &t, err, sizeof(err));
	t.skip_reason[0] = '\0';
	is_int(target_source_admit(src, &t), 1, "admit: a private address is a row");
	ok(strncmp(t.skip_reason, "special-purpose range: private", 30) == 0,
	   "admit: skipped as special-purpose: %s", t.skip_reason);
	target_parse_line("192.0.2.31", 10, 25, &t, err, sizeof(err));
	t.skip_reason[0] = '\0';
	is_int(target_source_admit(src, &t), 1, "admit: a new address");
	ok(strncmp(t.skip_reason, "special-purpose range: documentation", 36) == 0,
	   "admit: documentation range skipped without --allow-private: %s", t.skip_reason);
	is_int(target_source_admit(src, &t), 0, "admit: the same again is a duplicate");
	is_int((int)target_source_duplicates(src), 2, "admit: duplicates counted");
	target_source_free(src);
	cidr_list_free(allow);
}

static void
test_strict(void)
{
	char err[512], want[600], *wbuf = NULL;
	size_t wlen = 0;
	struct target_source *src;
	struct target t;
	const char *path;
	FILE *warn;

	path = write_file("strict.txt", "192.0.2.1\nbogus\n192.0.2.2\n", 26);
	warn = open_memstream(&wbuf, &wlen);
	src = source(1, 1, NULL, warn);
	is_int(target_source_add_file(src, path, err, sizeof(err)), 0, "strict: add_file");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_TARGET, "strict: first target");
	is_str(t.ip, "192.0.2.1", "strict: first ip");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_FATAL,
	       "strict: a bad line is fatal");
	snprintf(want, sizeof(want), "%s:2: not an address: \"bogus\"", path);
	is_str(err, want, "strict: err names origin and reason");
	strcpy(err, "");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_FATAL, "strict: stays fatal");
	is_str(err, want, "strict: same err again");
	is_int(target_source_bad_lines(src), 1, "strict: one bad line counted");
	is_str(read_stream(warn, &wbuf), "", "strict: nothing on warn (the caller prints err)");
	target_source_free(src);
	fclose(warn);
	free(wbuf);

	src = source(1, 1, NULL, NULL);
	target_source_add_arg(src, "1.2.3.4.5");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_FATAL, "strict: a bad argument");
	is_str(err, "arg:1: not an address: \"1.2.3.4.5\"", "strict: argument err");
	target_source_free(src);
}

static void
test_policy(void)
{
	static const char text[] = "127.0.0.11\n"
	                           "192.0.2.1\n"
	                           "::1\n"
	                           "::ffff:127.0.0.12\n"
	                           "[2001:db8::5]:2525\n"
	                           "10.1.2.3\n";
	static const struct want no_allowlist_private[] = {
	    {"127.0.0.11", 25, ":1", NULL},    {"192.0.2.1", 25, ":2", NULL},
	    {"::1", 25, ":3", NULL},           {"::ffff:127.0.0.12", 25, ":4", NULL},
	    {"2001:db8::5", 2525, ":5", NULL}, {"10.1.2.3", 25, ":6", NULL},
	};
	static const struct want no_allowlist[] = {
	    {"127.0.0.11", 25, ":1",
	     "special-purpose range: loopback (RFC 1122); use --allow-private"},
	    {"192.0.2.1", 25, ":2",
	     "special-purpose range: documentation (RFC 5737); use --allow-private"},
	    {"::1", 25, ":3", "special-purpose range: loopback (RFC 4291); use --allow-private"},
	    {"::ffff:127.0.0.12", 25, ":4",
	     "special-purpose range: loopback (RFC 1122); use --allow-private"},
	    {"2001:db8::5", 2525, ":5",
	     "special-purpose range: documentation (RFC 3849); use --allow-private"},
	    {"10.1.2.3", 25, ":6",
	     "special-purpose range: private (RFC 1918); use --allow-private"},
	};
	static const struct want loopback_private[] = {
	    {"127.0.0.11", 25, ":1", NULL},
	    {"192.0.2.1", 25, ":2", "outside allowlist"},
	    {"::1", 25, ":3", "outside allowlist"},
	    {"::ffff:127.0.0.12", 25, ":4", NULL},
	    {"2001:db8::5", 2525, ":5", "outside allowlist"},
	    {"10.1.2.3", 25, ":6", "outside allowlist"},
	};
	static const struct want loopback[] = {
	    {"127.0.0.11", 25, ":1",
	     "special-purpose range: loopback (RFC 1122); use --allow-private"},
	    {"192.0.2.1", 25, ":2", "outside allowlist"},
	    {"::1", 25, ":3", "outside allowlist"},
	    {"::ffff:127.0.0.12", 25, ":4",
	     "special-purpose range: loopback (RFC 1122); use --allow-private"},
	    {"2001:db8::5", 2525, ":5", "outside allowlist"},
	    {"10.1.2.3", 25, ":6", "outside allowlist"},
	};
	static const struct {
		const char *what;
		const char *allowlist; /* NULL: none */
		int allow_private;
		const struct want *want;
	} runs[] = {
	    {"no allowlist, --allow-private", NULL, 1, no_allowlist_private},
	    {"no allowlist", NULL, 0, no_allowlist},
	    {"empty allowlist", "", 0, no_allowlist},
	    {"allowlist 127.0.0.0/8, --allow-private", "127.0.0.0/8", 1, loopback_private},
	    {"allowlist 127.0.0.0/8", "127.0.0.0/8", 0, loopback},
	};
	char err[512];
	enum target_source_status last;
	const char *path;
	size_t i;

	path = write_file("policy.txt", text, sizeof(text) - 1);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct cidr_list *l = cidr_list_new();
		struct target_source *src;
		size_t n;

		if (runs[i].allowlist != NULL && runs[i].allowlist[0] != '\0')
			cidr_list_add(l, runs[i].allowlist, err, sizeof(err));
		src = source(runs[i].allow_private, 0, runs[i].allowlist ? l : NULL, NULL);
		target_source_add_file(src, path, err, sizeof(err));
		n = drain(src, &last, err, sizeof(err));
		is_int(last, TS_END, "%s: TS_END", runs[i].what);
		check_rows(runs[i].what, n, path, runs[i].want, 6);
		is_int(target_source_bad_lines(src), 0, "%s: policy skips are not bad lines",
		       runs[i].what);
		target_source_free(src);
		cidr_list_free(l);
	}
}

/* Lines at, just over and far over TARGET_LINE_MAX, with and without '\n'. */
static void
test_long_lines(void)
{
	size_t cap = 4 * TARGET_LINE_MAX + 200000, len = 0, n;
	char *text = malloc(cap), err[512], want_input[TARGET_INPUT_MAX];
	enum target_source_status last;
	struct target_source *src;
	const char *path;
	char *wbuf = NULL;
	size_t wlen = 0;
	FILE *warn;
	char msg[128];

	/* 1: exactly TARGET_LINE_MAX bytes. */
	len += (size_t)sprintf(text + len, "192.0.2.1");
	memset(text + len, ' ', TARGET_LINE_MAX - 9);
	len += TARGET_LINE_MAX - 9;
	text[len++] = '\n';
	/* 2: TARGET_LINE_MAX bytes and CRLF. */
	len += (size_t)sprintf(text + len, "192.0.2.2");
	memset(text + len, ' ', TARGET_LINE_MAX - 9);
	len += TARGET_LINE_MAX - 9;
	text[len++] = '\r';
	text[len++] = '\n';
	/* 3: one byte over. */
	len += (size_t)sprintf(text + len, "192.0.2.3");
	memset(text + len, 'x', TARGET_LINE_MAX + 1 - 9);
	len += TARGET_LINE_MAX + 1 - 9;
	text[len++] = '\n';
	/* 4: 100000 bytes, across many reads. */
	len += (size_t)sprintf(text + len, "192.0.2.4");
	memset(text + len, 'y', 100000);
	len += 100000;
	text[len++] = '\n';
	/* 5: fine again. */
	len += (size_t)sprintf(text + len, "192.0.2.5\n");
	/* 6: 50000 bytes and no '\n' at the end. */
	memset(text + len, 'z', 50000);
	len += 50000;

	path = write_file("long.txt", text, len);
	free(text);
	warn = open_memstream(&wbuf, &wlen);
	src = source(1, 0, NULL, warn);
	target_source_add_file(src, path, err, sizeof(err));
	n = drain(src, &last, err, sizeof(err));
	is_int(last, TS_END, "long: TS_END");
	snprintf(msg, sizeof(msg), "line too long (more than %d bytes)", TARGET_LINE_MAX);
	{
		const struct want want[] = {
		    {"192.0.2.1", 25, ":1", NULL},
		    {"192.0.2.2", 25, ":2", NULL},
		    {"", 0, ":3", msg},
		    {"", 0, ":4", msg},
		    {"192.0.2.5", 25, ":5", NULL},
		    {"", 0, ":6", msg},
		};
		check_rows("long", n, path, want, 6);
	}
	memset(want_input, 'x', sizeof(want_input));
	memcpy(want_input, "192.0.2.3", 9);
	want_input[TARGET_INPUT_MAX - 1] = '\0';
	is_str(rows[2].input, want_input, "long: input holds the line's start");
	is_int(target_source_bad_lines(src), 3, "long: three bad lines");
	ok(strstr(read_stream(warn, &wbuf), ":4: line too long") != NULL,
	   "long: warned about line 4");
	target_source_free(src);
	fclose(warn);
	free(wbuf);
}

/* Many distinct targets and their repeats: the set grows, each comes out once. */
static void
test_dedupe(void)
{
	const size_t distinct = 3000;
	size_t cap = distinct * 2 * 40, len = 0, i, n, bad = 0;
	char *text = malloc(cap), err[512];
	enum target_source_status last;
	struct target_source *src;
	const char *path;

	for (i = 0; i < distinct; i++)
		len += (size_t)snprintf(text + len, cap - len, "2001:db8::%zx\n", i);
	for (i = 0; i < distinct; i++)
		len += (size_t)snprintf(text + len, cap - len, "[2001:db8::%zx]:25\n", i);
	path = write_file("dedupe.txt", text, len);
	free(text);

	src = source(1, 0, NULL, NULL);
	target_source_add_file(src, path, err, sizeof(err));
	target_source_add_arg(src, "[2001:db8::1]:2525");
	target_source_add_arg(src, "2001:db8::1");
	n = drain(src, &last, err, sizeof(err));
	is_int(last, TS_END, "dedupe: TS_END");
	is_int(n, distinct + 1, "dedupe: each distinct (address, port) once");
	is_int(target_source_duplicates(src), distinct + 1, "dedupe: repeats counted");
	for (i = 1; i < distinct && i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "2001:db8::%zx", i);
		bad += strcmp(rows[i].ip, want) != 0;
	}
	is_str(rows[0].ip, "2001:db8::", "dedupe: 2001:db8::0 comes out first");
	is_int(bad, 0, "dedupe: first sightings, in order");
	is_int(rows[distinct].port, 2525, "dedupe: another port is another target");
	target_source_free(src);
}

static void
test_fixture(void)
{
	static const struct want want[] = {
	    {"", 0, ":3", "not an address: \"saddr\""},
	    {"192.0.2.10", 25, ":4", NULL},
	    {"192.0.2.11", 25, ":5", NULL},
	    {"198.51.100.20", 25, ":8", NULL},
	    {"198.51.100.21", 2525, ":9", NULL},
	    {"", 0, ":12", "not an address: \"ip\""},
	    {"203.0.113.30", 25, ":13", NULL},
	    {"2001:db8::40", 587, ":14", NULL},
	};
	const char *srcdir = getenv("top_srcdir");
	char path[1024], err[1200];
	enum target_source_status last;
	struct target_source *src;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/targets/zmap-and-friends.txt",
	         srcdir != NULL ? srcdir : ".");
	src = source(1, 0, NULL, NULL);
	if (!is_int(target_source_add_file(src, path, err, sizeof(err)), 0, "fixture: add_file"))
		printf("#   %s\n", err);
	n = drain(src, &last, err, sizeof(err));
	is_int(last, TS_END, "fixture: TS_END");
	check_rows("fixture", n, path, want, sizeof(want) / sizeof(want[0]));
	is_int(target_source_duplicates(src), 1, "fixture: one duplicate");
	is_int(target_source_bad_lines(src), 2, "fixture: two header lines");
	target_source_free(src);
}

static void
test_open_errors(void)
{
	char err[1024], want[1024];
	struct target_source *src = source(1, 0, NULL, NULL);
	enum target_source_status last;
	const char *path;

	snprintf(want, sizeof(want), "%s/missing.txt", tmpdir);
	is_int(target_source_add_file(src, want, err, sizeof(err)), -1, "missing file: -1");
	snprintf(want + strlen(want), sizeof(want) - strlen(want), ": No such file or directory");
	is_str(err, want, "missing file: message");
	is_int(target_source_add_file(src, tmpdir, err, sizeof(err)), -1, "directory: -1");
	snprintf(want, sizeof(want), "%s: Is a directory", tmpdir);
	is_str(err, want, "directory: message");
	path = write_file("empty.txt", "", 0);
	is_int(target_source_add_file(src, path, err, sizeof(err)), 0, "empty file: 0");
	is_int(drain(src, &last, err, sizeof(err)), 0, "empty file: no rows");
	is_int(last, TS_END, "empty file: TS_END");
	target_source_free(src);

	src = source(1, 0, NULL, NULL);
	is_int(target_source_next(src, &(struct target){0}, err, sizeof(err)), TS_END,
	       "no inputs: TS_END");
	target_source_free(src);
	target_source_free(NULL);
	ok(1, "target_source_free(NULL) is a no-op");
}

/*
 * zmap | smtpprobe -f -: half a line waits (TS_WAIT on stdin), the rest
 * completes it, EOF ends it; stdin's flags are put back.
 */
static void
test_pipe(void)
{
	struct target_source *src;
	struct target t;
	char err[512];
	int p[2], saved, flags;

	if (pipe(p) < 0 || (saved = dup(STDIN_FILENO)) < 0 || dup2(p[0], STDIN_FILENO) < 0) {
		printf("Bail out! pipe: %s\n", strerror(errno));
		exit(1);
	}
	close(p[0]);
	ok(!(fcntl(STDIN_FILENO, F_GETFL) & O_NONBLOCK), "pipe: stdin starts blocking");

	src = source(1, 0, NULL, NULL);
	is_int(target_source_add_file(src, "-", err, sizeof(err)), 0, "pipe: add \"-\"");
	ok(fcntl(STDIN_FILENO, F_GETFL) & O_NONBLOCK, "pipe: stdin is now non-blocking");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_WAIT, "pipe: nothing yet");
	is_int(target_source_fd(src), STDIN_FILENO, "pipe: wait on stdin");
	(void)!write(p[1], "192.0.2.", 8);
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_WAIT, "pipe: half a line waits");
	(void)!write(p[1], "7\n# c\n192.0.2.8", 15);
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_TARGET, "pipe: the line is whole");
	is_str(t.ip, "192.0.2.7", "pipe: ip");
	is_str(t.origin, "stdin:1", "pipe: origin stdin:1");
	is_int(target_source_fd(src), -1, "pipe: no wait after a target");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_WAIT, "pipe: a last half line");
	close(p[1]);
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_TARGET,
	       "pipe: EOF completes the last line");
	is_str(t.ip, "192.0.2.8", "pipe: ip of the last line");
	is_str(t.origin, "stdin:3", "pipe: origin stdin:3");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_END, "pipe: TS_END");
	is_int(target_source_fd(src), -1, "pipe: nothing to wait on at the end");
	ok(!(fcntl(STDIN_FILENO, F_GETFL) & O_NONBLOCK), "pipe: flags back at EOF");
	target_source_free(src);

	/* Freed while waiting: flags are put back too. A socket behaves the same. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0 || dup2(p[0], STDIN_FILENO) < 0) {
		printf("Bail out! socketpair: %s\n", strerror(errno));
		exit(1);
	}
	close(p[0]);
	src = source(1, 0, NULL, NULL);
	is_int(target_source_add_file(src, "-", err, sizeof(err)), 0, "socket: add \"-\"");
	(void)!write(p[1], "[2001:db8::9]:2525\n[2001:db8::", 30);
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_TARGET, "socket: first line");
	is_str(t.ip, "2001:db8::9", "socket: ip");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_WAIT, "socket: waits");
	flags = fcntl(STDIN_FILENO, F_GETFL);
	ok(flags & O_NONBLOCK, "socket: non-blocking while read");
	target_source_free(src);
	ok(!(fcntl(STDIN_FILENO, F_GETFL) & O_NONBLOCK), "socket: flags back after free");
	close(p[1]);

	dup2(saved, STDIN_FILENO);
	close(saved);
}

/*
 * Work without a target is bounded per call: a stretch of comment lines, or
 * a line that never ends (-f /dev/zero), gives TS_YIELD after at most
 * SOURCE_STEPS_MAX lines or reads, so the caller's loop turns; asked again,
 * the source goes on where it stopped and loses nothing.
 */
static void
test_yield(void)
{
	static char text[(SOURCE_STEPS_MAX * 3) * 2 + 64];
	struct target_source *src;
	enum target_source_status s;
	struct target t;
	char err[512];
	size_t len = 0, i, yields = 0;

	for (i = 0; i < SOURCE_STEPS_MAX * 3; i++)
		text[len++] = '#', text[len++] = '\n';
	len += (size_t)snprintf(text + len, sizeof(text) - len, "192.0.2.77\n");
	src = source(1, 0, NULL, NULL);
	target_source_add_file(src, write_file("comments.txt", text, len), err, sizeof(err));
	while ((s = target_source_next(src, &t, err, sizeof(err))) == TS_YIELD && yields < 100)
		yields++;
	ok(yields >= 2, "yield: %zu comment lines give TS_YIELD (%zu times)",
	   (size_t)SOURCE_STEPS_MAX * 3, yields);
	is_int(s, TS_TARGET, "yield: then the target after them");
	is_str(t.ip, "192.0.2.77", "yield: its address");
	is_int(target_source_next(src, &t, err, sizeof(err)), TS_END, "yield: then the end");
	target_source_free(src);

	/* /dev/zero: one line that never ends. Reported once, then yields. */
	src = source(1, 0, NULL, NULL);
	target_source_add_file(src, "/dev/zero", err, sizeof(err));
	s = target_source_next(src, &t, err, sizeof(err));
	is_int(s, TS_TARGET, "endless line: reported once");
	ok(strstr(t.skip_reason, "line too long") != NULL, "endless line: as too long");
	for (i = 0; i < 3; i++)
		is_int(target_source_next(src, &t, err, sizeof(err)), TS_YIELD,
		       "endless line: each call yields");
	target_source_free(src);
}

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < npaths; i++)
		unlink(paths[i]);
	rmdir(tmpdir);
}

/* One run's rows, then the same run with some of them marked done: the
 * resumed run gives the others, in order, and no more (ranges, lists,
 * duplicates and --shard alike). */
static void
resume_case(const char *what, const char *path, unsigned int shard_index, unsigned int shard_count)
{
	static struct row fresh[ROWS_MAX];
	struct target_source_config cfg;
	struct target_source *src;
	enum target_source_status last;
	size_t n, m, i, j, marked = 0, bad = 0;
	char err[512];

	memset(&cfg, 0, sizeof(cfg));
	cfg.default_port = 25;
	cfg.allow_private = 1;
	cfg.seed = 7;
	cfg.shard_index = shard_index;
	cfg.shard_count = shard_count;

	src = target_source_new(&cfg);
	target_source_add_file(src, path, err, sizeof(err));
	n = drain(src, &last, err, sizeof(err));
	target_source_free(src);
	memcpy(fresh, rows, sizeof(fresh));

	/* The file holds every third row that has an address. */
	src = target_source_new(&cfg);
	target_source_add_file(src, path, err, sizeof(err));
	for (i = 0; i < n; i += 3) {
		if (fresh[i].ip[0] == '\0')
			continue;
		is_int(target_source_mark_done(src, fresh[i].ip, (uint16_t)fresh[i].port), 0,
		       "%s: mark %s done", what, fresh[i].ip);
		marked++;
	}
	m = drain(src, &last, err, sizeof(err));
	is_int(last, TS_END, "%s: TS_END", what);
	is_int(m, n - marked, "%s: %zu rows, %zu of them already done, %zu left", what, n, marked,
	       n - marked);
	is_int(target_source_already_done(src), marked, "%s: the done ones counted", what);
	for (i = 0, j = 0; i < n && j < m; i++) {
		if (i % 3 == 0 && fresh[i].ip[0] != '\0')
			continue;
		bad += strcmp(rows[j].ip, fresh[i].ip) != 0 || rows[j].port != fresh[i].port ||
		       strcmp(rows[j].origin, fresh[i].origin) != 0 ||
		       strcmp(rows[j].skip, fresh[i].skip) != 0;
		j++;
	}
	is_int(bad, 0, "%s: the rest as the first run gave them, in order", what);
	target_source_free(src);
}

static void
test_resume(void)
{
	static const char list[] = "192.0.2.1\n"
	                           "192.0.2.2:2525\n"
	                           "192.0.2.1\n"
	                           "not-an-address\n"
	                           "198.51.100.0/27\n"
	                           "192.0.2.3\n"
	                           "[2001:db8::1]:26\n"
	                           "203.0.113.0/29\n"
	                           "192.0.2.2:2525\n"
	                           "192.0.2.4\n";
	static const char plain[] = "192.0.2.1\n192.0.2.2\n192.0.2.1\n192.0.2.3\n192.0.2.4\n"
	                            "192.0.2.5\n192.0.2.6\n192.0.2.7\n192.0.2.8\n";
	const char *path = write_file("resume.txt", list, sizeof(list) - 1);
	const char *plain_path = write_file("resume-plain.txt", plain, sizeof(plain) - 1);
	const char *mbox;
	struct target_source_config cfg;
	struct target_source *src;
	struct target t;
	enum target_source_status last;
	char err[512], text[1024];
	size_t len = 0, i, k;

	resume_case("resume", path, 0, 0);
	resume_case("resume --shard 0/3", path, 0, 3);
	resume_case("resume --shard 1/3", path, 1, 3);
	resume_case("resume --shard 2/3", path, 2, 3);
	resume_case("resume a list --shard 0/2", plain_path, 0, 2);
	resume_case("resume a list --shard 1/2", plain_path, 1, 2);

	/* An IPv4-mapped form in the file is its IPv4 target; the port counts. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.default_port = 25;
	cfg.allow_private = 1;
	src = target_source_new(&cfg);
	target_source_add_arg(src, "192.0.2.9");
	target_source_add_arg(src, "192.0.2.9:2525");
	target_source_add_arg(src, "192.0.2.10/31");
	is_int(target_source_mark_done(src, "::ffff:192.0.2.9", 25), 0, "resume: a mapped address");
	is_int(target_source_mark_done(src, "192.0.2.11", 25), 0, "resume: a range's address");
	is_int(target_source_mark_done(src, "not-an-ip", 25), -1, "resume: not an address: -1");
	is_int(errno, EINVAL, "resume: errno EINVAL");
	is_int(drain(src, &last, err, sizeof(err)), 2, "resume: two rows left");
	is_str(rows[0].ip, "192.0.2.9", "resume: the other port is another target");
	is_int(rows[0].port, 2525, "resume: port 2525");
	is_str(rows[1].ip, "192.0.2.10", "resume: the range's address not yet reported");

	/* A bad line the file reports, known by its origin: no row, no warning. */
	{
		char *wbuf = NULL;
		size_t wlen = 0;
		FILE *warn = open_memstream(&wbuf, &wlen);
		struct target_source *bsrc;

		cfg.warn = warn;
		bsrc = target_source_new(&cfg);
		target_source_add_arg(bsrc, "not-an-address");
		target_source_add_arg(bsrc, "also-not");
		is_int(target_source_mark_origin_done(bsrc, "arg:1"), 0, "resume: mark arg:1 done");
		is_int(drain(bsrc, &last, err, sizeof(err)), 1, "resume: one bad line left");
		is_str(rows[0].origin, "arg:2", "resume: the one the file lacks");
		is_int(target_source_bad_lines(bsrc), 1, "resume: one bad line counted");
		is_int(target_source_origin_done(bsrc, "arg:1"), 1, "resume: arg:1 is done");
		is_int(target_source_origin_done(bsrc, "arg:2"), 0, "resume: arg:2 is not");
		fclose(warn);
		ok(wbuf != NULL && strstr(wbuf, "arg:1") == NULL && strstr(wbuf, "arg:2") != NULL,
		   "resume: warned about arg:2 only");
		free(wbuf);
		target_source_free(bsrc);
		cfg.warn = NULL;
	}

	/* A name's addresses: one already reported is dropped like a duplicate. */
	target_parse_line("192.0.2.20", 10, 25, &t, err, sizeof(err));
	target_source_mark_done(src, "192.0.2.20", 25);
	is_int(target_source_admit(src, &t), 0, "resume: a name's address already reported");
	target_parse_line("192.0.2.21", 10, 25, &t, err, sizeof(err));
	is_int(target_source_admit(src, &t), 1, "resume: a name's new address");
	is_int(target_source_already_done(src), 3, "resume: three skipped as done");
	is_int(target_source_duplicates(src), 0, "resume: none counted as a duplicate");
	target_source_free(src);

	/* Three messages from one suspect are three rows (one probed, two
	 * duplicates): the file holding k of them, a resumed run gives 3 - k. */
	for (i = 0; i < 3; i++)
		len += (size_t)snprintf(
		    text + len, sizeof(text) - len,
		    "From probe@example.net Sat Nov 28 10:00:00 2026\n"
		    "Received: from relay.example.net (relay.example.net [198.51.100.120])\n"
		    "  by mail.example.com with ESMTP; Sat, 28 Nov 2026 10:00:00 +0000\n"
		    "Message-ID: <resume-%zu@example.net>\n\nbody\n\n",
		    i);
	mbox = write_file("resume.mbox", text, len);
	for (k = 0; k <= 3; k++) {
		src = target_source_new(&cfg);
		is_int(target_source_add_message(src, mbox, err, sizeof(err)), 0,
		       "resume: add the mbox (%s)", err);
		for (i = 0; i < k; i++)
			target_source_mark_done(src, "198.51.100.120", 25);
		is_int(drain(src, &last, err, sizeof(err)), 3 - k,
		       "resume: a suspect of 3 messages with %zu rows in the file: %zu more", k,
		       3 - k);
		target_source_free(src);
	}
}

int
main(void)
{
	const char *base = getenv("TMPDIR");

	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_source.XXXXXX",
	         base != NULL && base[0] != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return 1;
	}
	test_list();
	test_order();
	test_strict();
	test_admit();
	test_policy();
	test_long_lines();
	test_dedupe();
	test_fixture();
	test_open_errors();
	test_pipe();
	test_resume();
	test_yield();
	cleanup();
	return tap_done();
}
