/*
 * test_range.c: CIDR ranges in a seeded order, sharding, --exclude and the
 * per-network counter. The shard test is zmap's: the N shards of
 * one input are disjoint and together complete, for several N.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prober/pernet.h"
#include "targets/exclude.h"
#include "targets/parse.h"
#include "targets/range.h"
#include "targets/source.h"
#include "tests/tap.h"

#define BIJECTION_BITS_MAX 20 /* checked exhaustively up to 2^20 */

static void
test_bijection(void)
{
	static unsigned char seen[1u << BIJECTION_BITS_MAX];
	struct range r;
	struct target t;
	unsigned int bits;
	int all_ok = 1;

	memset(&t, 0, sizeof(t));
	t.sa.ss_family = AF_INET;
	range_init(&r, &t, 7);
	for (bits = 0; bits <= BIJECTION_BITS_MAX; bits++) {
		uint64_t n = (uint64_t)1 << bits, i, dups = 0;

		memset(seen, 0, (size_t)n);
		for (i = 0; i < n; i++) {
			uint64_t x = range_permute(r.keys, bits, i);

			if (x >= n || seen[x]++)
				dups++;
		}
		if (dups != 0) {
			all_ok = 0;
			ok(0, "%u bits: %llu values missed or repeated", bits,
			   (unsigned long long)dups);
		}
	}
	ok(all_ok, "the order is a permutation for every size from 1 to 2^%d", BIJECTION_BITS_MAX);
}

static void
test_order(void)
{
	struct target base, a, b;
	struct range r1, r2, r3;
	char err[128];
	unsigned int same24 = 0, i;

	memset(&base, 0, sizeof(base));
	is_int(target_parse_line("198.51.0.0/16", 13, 25, &base, err, sizeof(err)), TP_RANGE,
	       "a /16");
	range_init(&r1, &base, 1);
	range_init(&r2, &base, 1);
	range_init(&r3, &base, 2);
	is_int(range_size(&r1), 65536, "2^16 addresses");
	range_nth(&r1, 0, &a);
	range_nth(&r2, 0, &b);
	is_str(a.ip, b.ip, "same seed, same first address");
	for (i = 0; i < 1000; i++) {
		range_nth(&r1, i, &a);
		range_nth(&r2, i, &b);
		if (strcmp(a.ip, b.ip) != 0)
			break;
	}
	is_int(i, 1000, "same seed, same order");
	for (i = 0; i < 1000; i++) {
		range_nth(&r1, i, &a);
		range_nth(&r3, i, &b);
		if (strcmp(a.ip, b.ip) != 0)
			break;
	}
	ok(i < 1000, "another seed, another order");
	for (i = 0; i + 1 < 4096; i++) {
		range_nth(&r1, i, &a);
		range_nth(&r1, i + 1, &b);
		if (strncmp(a.ip, b.ip, strrchr(a.ip, '.') - a.ip) == 0)
			same24++;
	}
	ok(same24 < 4096 / 16, "neighbours in the order rarely share a /24 (%u of 4095)", same24);
	range_nth(&r1, 0, &a);
	ok(strncmp(a.ip, "198.51.", 7) == 0, "addresses stay in the range (%s)", a.ip);
	is_int(a.port, 25, "the port is kept");
	is_str(a.input, "198.51.0.0/16", "the input is the range line");

	memset(&base, 0, sizeof(base));
	target_parse_line("2001:db8::/124", 14, 25, &base, err, sizeof(err));
	range_init(&r1, &base, 1);
	is_int(range_size(&r1), 16, "an IPv6 /124 has 16 addresses");
	for (i = 0; i < 16; i++) {
		range_nth(&r1, i, &a);
		if (strncmp(a.ip, "2001:db8::", 10) != 0)
			break;
	}
	is_int(i, 16, "IPv6 addresses stay in the range");
}

static void
test_shard_parse(void)
{
	unsigned int i = 9, n = 9;

	is_int(range_shard_parse("0/1", &i, &n), 0, "0/1");
	is_int(range_shard_parse("3/8", &i, &n), 0, "3/8");
	ok(i == 3 && n == 8, "3 of 8");
	is_int(range_shard_parse("8/8", &i, &n), -1, "8/8: I < N");
	is_int(range_shard_parse("1/0", &i, &n), -1, "1/0");
	is_int(range_shard_parse("-1/4", &i, &n), -1, "-1/4");
	is_int(range_shard_parse("1/4x", &i, &n), -1, "trailing bytes");
	is_int(range_shard_parse("1", &i, &n), -1, "no N");
	is_int(range_shard_parse("0/65537", &i, &n), -1, "too many shards");
}

static char dir[] = "/tmp/smtpprobe-range.XXXXXX";

static const char *
write_list(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* realloc that never returns NULL: a test has nothing better to do than stop. */
static void *
grow(void *p, size_t size)
{
	void *q = realloc(p, size > 0 ? size : 1);

	if (q == NULL) {
		free(p);
		abort();
	}
	return q;
}

/* The policy read_shard applies besides exclude (test_policy_walk). */
static const struct cidr_list *shard_allow;
static int shard_allow_private;

/* Every item of one shard as "ip|origin|reason" lines, sorted later by the caller. */
static size_t
read_shard(const char *path, unsigned int index, unsigned int count, uint64_t max,
           const struct cidr_list *exclude, char ***out)
{
	struct target_source_config cfg;
	struct target_source *src;
	struct target t;
	char err[256], line[600];
	size_t n = 0, cap = 256;
	char **v = grow(NULL, cap * sizeof(*v));

	memset(&cfg, 0, sizeof(cfg));
	cfg.default_port = 25;
	cfg.seed = 42;
	cfg.shard_index = index;
	cfg.shard_count = count;
	cfg.max_targets = max;
	cfg.exclude = exclude;
	cfg.allowlist = shard_allow;
	cfg.allow_private = shard_allow_private;
	src = target_source_new(&cfg);
	target_source_add_file(src, path, err, sizeof(err));
	for (;;) {
		enum target_source_status st = target_source_next(src, &t, err, sizeof(err));

		if (st == TS_YIELD)
			continue;
		if (st != TS_TARGET)
			break;
		if (n == cap)
			v = grow(v, (cap *= 2) * sizeof(*v));
		snprintf(line, sizeof(line), "%s|%s|%s", t.ip, t.origin, t.skip_reason);
		v[n++] = strdup(line);
	}
	target_source_free(src);
	*out = v;
	return n;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_all(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
test_shards(void)
{
	const char *path;
	char **all;
	size_t nall, i;
	unsigned int count;

	path = write_list("mixed.txt", "# singles, a bad line, ranges\n"
	                               "192.0.2.1\n"
	                               "198.51.100.0/22\n"
	                               "not-an-address!\n"
	                               "192.0.2.2:2525\n"
	                               "192.0.2.1\n" /* a duplicate: once, in one shard */
	                               "2001:db8::/118\n"
	                               "203.0.113.9/32\n");
	/* Documentation ranges: with --allow-private, so they are walked. */
	shard_allow_private = 1;
	nall = read_shard(path, 0, 1, 0, NULL, &all);
	is_int(nall, 1 + 1024 + 1 + 1 + 1024 + 1, "unsharded: every item once");
	qsort(all, nall, sizeof(*all), cmp);
	for (count = 2; count <= 7; count++) {
		size_t nmerged = 0, dup = 0, missing = 0;
		char **merged = grow(NULL, sizeof(char *));
		unsigned int s;

		for (s = 0; s < count; s++) {
			char **part;
			size_t n = read_shard(path, s, count, 0, NULL, &part);

			merged = grow(merged, (nmerged + n) * sizeof(*merged));
			if (n > 0)
				memcpy(merged + nmerged, part, n * sizeof(*part));
			nmerged += n;
			free(part);
		}
		qsort(merged, nmerged, sizeof(*merged), cmp);
		for (i = 1; i < nmerged; i++)
			dup += strcmp(merged[i - 1], merged[i]) == 0;
		for (i = 0; i < nall && i < nmerged; i++)
			missing += strcmp(all[i], merged[i]) != 0;
		is_int(nmerged, nall, "%u shards: as many items as one run", count);
		is_int(dup, 0, "%u shards: disjoint", count);
		is_int(missing, 0, "%u shards: together complete", count);
		free_all(merged, nmerged);
	}
	free_all(all, nall);

	nall = read_shard(path, 1, 3, 100, NULL, &all);
	is_int(nall, 100, "--max-targets stops the shard at 100");
	free_all(all, nall);
	shard_allow_private = 0;
}

static void
test_exclude(void)
{
	struct cidr_list *l = cidr_list_new();
	char err[256], **v;
	const char *path;
	size_t n, i, excluded = 0;

	is_int(exclude_line(l, "# a comment only", 16, "x:1", err, sizeof(err)), 0, "comment line");
	is_int(exclude_line(l, "   ", 3, "x:2", err, sizeof(err)), 0, "blank line");
	is_int(cidr_list_count(l), 0, "nothing added");
	is_int(exclude_line(l, "198.51.100.0/24 a b", 19, "x:3", err, sizeof(err)), -1,
	       "two words");
	is_str(err, "one range a line: \"198.51.100.0/24 a b\"", "says so");
	is_int(exclude_line(l, "198.51.100.1/24", 15, "x:4", err, sizeof(err)), -1, "host bits");
	is_int(exclude_line(l, "nonsense", 8, "x:5", err, sizeof(err)), -1, "not a range");
	cidr_list_free(l);

	path = write_list("exclude.txt", "# our customers who asked\n"
	                                 "198.51.100.0/23   # ticket 12\n"
	                                 "192.0.2.2\n");
	l = cidr_list_new();
	is_int(exclude_load(l, path, err, sizeof(err)), 0, "an exclude file loads");
	path = write_list("mixed.txt", "198.51.100.0/22\n192.0.2.2\n192.0.2.3\n");
	n = read_shard(path, 0, 1, 0, l, &v);
	for (i = 0; i < n; i++)
		excluded += strstr(v[i], "|excluded: ") != NULL;
	is_int(excluded, 1 + 1, "the excluded range is one row, the excluded address another");
	is_int(n, 1 + 512 + 2, "the rest of the range is walked");
	for (i = 0; i < n && strncmp(v[i], "192.0.2.2|", 10) != 0; i++)
		;
	ok(i < n && strstr(v[i], "excluded: 192.0.2.2 (") != NULL &&
	       strstr(v[i], "exclude.txt:3)") != NULL,
	   "a rule without a comment names its file and line: %s", i < n ? v[i] : "");
	for (i = 0; i < n && strstr(v[i], "ticket 12") == NULL; i++)
		;
	ok(i < n &&
	       strstr(v[i], "|excluded: 512 of 1024 addresses; by 198.51.100.0/23 (ticket 12)") !=
	           NULL,
	   "a rule's comment is its reason: %s", i < n ? v[i] : "");
	free_all(v, n);
	path = write_list("bad.txt", "192.0.2.0/24\n192.0.2.0/99\n");
	is_int(exclude_load(l, path, err, sizeof(err)), -1, "a bad exclude file is an error");
	ok(strstr(err, "bad.txt:2: ") != NULL, "naming its line: %s", err);
	cidr_list_free(l);
}

/*
 * A range cut by policy: its walk is exactly the allowed addresses, each
 * once, in a seeded order; what was cut is one row; shards stay disjoint
 * and complete.
 */
static void
test_policy_walk(void)
{
	static unsigned char seen[1024];
	struct cidr_list *allow = cidr_list_new(), *ex = cidr_list_new();
	struct range_policy p = {allow, ex, 1};
	struct range_cut cut;
	struct target base, t;
	struct range r, r2;
	char err[256], **all, **v;
	const char *path;
	uint64_t i, bad = 0, dups = 0, same = 0;
	size_t n, nall, k, cutrows = 0;
	unsigned int count;

	cidr_list_add(allow, "127.0.0.0/24,127.0.2.128/25,10.0.0.0/8", err, sizeof(err));
	exclude_line(ex, "127.0.0.64/27 # theirs", 22, "x:1", err, sizeof(err));
	memset(&base, 0, sizeof(base));
	target_parse_line("127.0.0.0/22", 12, 25, &base, err, sizeof(err));
	range_init(&r, &base, 9);
	is_int(range_apply_policy(&r, &p, &cut), 0, "a /22 against the policy");
	is_int(range_size(&r), 256 - 32 + 128, "only the allowed addresses are walked");
	is_int(cut.outside_allowlist, 1024 - 384, "the rest of the /22 is outside");
	is_int(cut.excluded, 32, "the excluded /27 is cut");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < range_size(&r); i++) {
		struct sockaddr_in sin;
		uint32_t off;

		range_nth(&r, i, &t);
		memcpy(&sin, &t.sa, sizeof(sin));
		off = ntohl(sin.sin_addr.s_addr) - 0x7f000000u;
		if (off >= 1024 || !cidr_list_contains(allow, (struct sockaddr *)&sin) ||
		    cidr_list_match(ex, (struct sockaddr *)&sin) != NULL)
			bad++;
		else if (seen[off]++)
			dups++;
	}
	is_int(bad, 0, "every walked address is allowed");
	is_int(dups, 0, "and comes out once");
	range_init(&r2, &base, 9);
	range_apply_policy(&r2, &p, &cut);
	for (i = 1; i < range_size(&r); i++) {
		struct target a, b;

		range_nth(&r, i - 1, &a);
		range_nth(&r, i, &b);
		same += strcmp(a.ip, b.ip) < 0; /* ascending steps */
	}
	ok(same > range_size(&r) / 4 && same < range_size(&r) * 3 / 4,
	   "the walk is shuffled (%llu of %llu steps go up)", (unsigned long long)same,
	   (unsigned long long)range_size(&r));

	shard_allow = allow;
	shard_allow_private = 1;
	path = write_list("cut.txt", "127.0.0.0/22\n127.0.1.0/24\n127.0.0.5\n10.0.0.0/30\n");
	nall = read_shard(path, 0, 1, 0, ex, &all);
	for (k = 0; k < nall; k++)
		cutrows += strncmp(all[k], "|", 1) == 0;
	is_int(nall, 2 + 352 + 1 + 4, "unsharded: two cut rows, the allowed addresses, a single");
	is_int(cutrows, 2, "a range wholly or partly outside is one row each");
	for (k = 0;
	     k < nall && strstr(all[k], "outside allowlist: 640, excluded: 32 of 1024") == NULL;
	     k++)
		;
	ok(k < nall, "the /22's row counts what was cut: %s", k < nall ? all[k] : "(none)");
	for (k = 0; k < nall && strstr(all[k], "cut.txt:2|outside allowlist: 256 of 256") == NULL;
	     k++)
		;
	ok(k < nall, "a range wholly outside is one row, not 256");
	qsort(all, nall, sizeof(*all), cmp);
	for (count = 2; count <= 5; count++) {
		size_t nmerged = 0, dup = 0, missing = 0, s;
		char **merged = grow(NULL, sizeof(char *));

		for (s = 0; s < count; s++) {
			n = read_shard(path, (unsigned int)s, count, 0, ex, &v);
			merged = grow(merged, (nmerged + n) * sizeof(*merged));
			if (n > 0)
				memcpy(merged + nmerged, v, n * sizeof(*v));
			nmerged += n;
			free(v);
		}
		qsort(merged, nmerged, sizeof(*merged), cmp);
		for (k = 1; k < nmerged; k++)
			dup += strcmp(merged[k - 1], merged[k]) == 0;
		for (k = 0; k < nall && k < nmerged; k++)
			missing += strcmp(all[k], merged[k]) != 0;
		is_int(nmerged, nall, "%u shards of a cut range: as many items as one run", count);
		is_int(dup, 0, "%u shards of a cut range: disjoint", count);
		is_int(missing, 0, "%u shards of a cut range: together complete", count);
		free_all(merged, nmerged);
	}
	free_all(all, nall);
	shard_allow = NULL;
	shard_allow_private = 0;
	cidr_list_free(allow);
	cidr_list_free(ex);
}

static void
test_pernet(void)
{
	struct pernet *p = pernet_new(4);
	struct sockaddr_in a, b;
	int i;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	b = a;
	inet_pton(AF_INET, "198.51.100.7", &a.sin_addr);
	inet_pton(AF_INET, "198.51.100.200", &b.sin_addr);
	pernet_add(p, (struct sockaddr *)&a, 1);
	pernet_add(p, (struct sockaddr *)&b, 1);
	is_int(pernet_count(p, (struct sockaddr *)&a), 2, "two in one /24");
	pernet_add(p, (struct sockaddr *)&a, -1);
	is_int(pernet_count(p, (struct sockaddr *)&b), 1, "one left");
	/* Many networks come and go: the table keeps working. */
	for (i = 0; i < 100000; i++) {
		struct sockaddr_in c = a;

		c.sin_addr.s_addr = htonl((uint32_t)i << 8);
		pernet_add(p, (struct sockaddr *)&c, 1);
		if (i % 3 != 0)
			pernet_add(p, (struct sockaddr *)&c, -1);
	}
	is_int(pernet_count(p, (struct sockaddr *)&b), 1, "counts survive rebuilds");
	a.sin_addr.s_addr = htonl(3u << 8);
	is_int(pernet_count(p, (struct sockaddr *)&a), 1, "a network left open is still counted");
	pernet_free(p);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_bijection();
	test_order();
	test_shard_parse();
	test_shards();
	test_exclude();
	test_policy_walk();
	test_pernet();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		/* NOLINTNEXTLINE(cert-env33-c): removes the test's own temporary directory */
		(void)!system(cmd);
	}
	return tap_done();
}
