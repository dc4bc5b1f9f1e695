/*
 * options.c: the command line into one struct settings. Each option is a
 * row of long_options, a line of usage_text and a case in one of the
 * apply_* functions below (by the part of the program it sets); an option
 * whose value is one of a few words looks it up in a name_code table.
 */
#include "config.h"

#include "cli/options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/paths.h"
#include "prober/abuse.h"
#include "record/relay.h"
#include "reports/columns.h"
#include "reports/report.h"
#include "targets/parse.h"
#include "targets/range.h"
#include "targets/suspects.h"
#include "targets/trust.h"

enum {
	OPT_ALLOW_PRIVATE = 256,
	OPT_ALLOWLIST,
	OPT_CONNECT_TIMEOUT,
	OPT_DEADLINE,
	OPT_EHLO,
	OPT_FORMAT,
	OPT_HELP_COLUMNS,
	OPT_MAIL_FROM,
	OPT_RCPT_DOMAIN,
	OPT_STRICT,
	OPT_DEBUG,
	OPT_TIMEOUT,
	/* relay matrix */
	OPT_TESTS,
	OPT_RETRY_AFTER,
	/* scale */
	OPT_EXCLUDE,
	OPT_SEED,
	OPT_SHARD,
	OPT_MAX_TARGETS,
	OPT_PER_NET,
	/* TLS */
	OPT_STARTTLS,
	OPT_SMTPS,
	OPT_NO_SMTPS,
	OPT_CA_FILE,
	/* Suspects from messages. */
	OPT_MESSAGE,
	OPT_TRUSTED,
	OPT_TRUSTED_FILE,
	OPT_PROBE_CLAIMED,
	OPT_EXTRACT_ONLY,
	/* Audit reports. */
	OPT_APPEND,
	OPT_BASELINE,
	OPT_RESUME,
	OPT_TRANSCRIPTS,
	/* DNS. */
	OPT_DNS_SERVER,
	OPT_DNS_TIMEOUT,
	OPT_MX,
	OPT_NO_DNS,
	/* The nightly audit. */
	OPT_METRICS,
	OPT_METADATA,
	OPT_FAIL_ON,
	OPT_COLUMNS,
	/* Forwarded spam and abuse reports. */
	OPT_OUTER,
	OPT_ABUSE_REPORT,
	OPT_REPORT_FROM,
	OPT_REPORT_HEADERS_ONLY,
	/* The abuse desk's DNS. */
	OPT_DNSBL,
	OPT_ASN,
	OPT_ASN_ZONE,
	OPT_ABUSE_CONTACT,
	OPT_ABUSE_ZONE,
};

static const struct option long_options[] = {
    {"file", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"port", required_argument, NULL, 'p'},
    {"concurrency", required_argument, NULL, 'c'},
    {"rate", required_argument, NULL, 'r'},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"deadline", required_argument, NULL, OPT_DEADLINE},
    {"ehlo", required_argument, NULL, OPT_EHLO},
    {"mail-from", required_argument, NULL, OPT_MAIL_FROM},
    {"rcpt-domain", required_argument, NULL, OPT_RCPT_DOMAIN},
    /* TLS */
    {"starttls", required_argument, NULL, OPT_STARTTLS},
    {"smtps", no_argument, NULL, OPT_SMTPS},
    {"no-smtps", no_argument, NULL, OPT_NO_SMTPS},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"allow-private", no_argument, NULL, OPT_ALLOW_PRIVATE},
    {"allowlist", required_argument, NULL, OPT_ALLOWLIST},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"help-columns", no_argument, NULL, OPT_HELP_COLUMNS},
    {"version", no_argument, NULL, 'V'},
    /* relay matrix */
    {"tests", required_argument, NULL, OPT_TESTS},
    {"retry-after", required_argument, NULL, OPT_RETRY_AFTER},
    /* scale */
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"max-targets", required_argument, NULL, OPT_MAX_TARGETS},
    {"per-net", required_argument, NULL, OPT_PER_NET},
    /* Suspects from messages. */
    {"message", required_argument, NULL, OPT_MESSAGE},
    {"trusted", required_argument, NULL, OPT_TRUSTED},
    {"trusted-file", required_argument, NULL, OPT_TRUSTED_FILE},
    {"probe-claimed", no_argument, NULL, OPT_PROBE_CLAIMED},
    {"extract-only", no_argument, NULL, OPT_EXTRACT_ONLY},
    /* Audit reports. */
    {"transcripts", required_argument, NULL, OPT_TRANSCRIPTS},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"append", no_argument, NULL, OPT_APPEND},
    /* DNS. */
    {"dns-server", required_argument, NULL, OPT_DNS_SERVER},
    {"dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT},
    {"mx", required_argument, NULL, OPT_MX},
    {"no-dns", no_argument, NULL, OPT_NO_DNS},
    /* The nightly audit. */
    {"source-address", required_argument, NULL, 'S'},
    {"metrics", required_argument, NULL, OPT_METRICS},
    {"metadata", required_argument, NULL, OPT_METADATA},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"columns", required_argument, NULL, OPT_COLUMNS},
    /* Forwarded spam and abuse reports. */
    {"outer", no_argument, NULL, OPT_OUTER},
    {"abuse-report", required_argument, NULL, OPT_ABUSE_REPORT},
    {"report-from", required_argument, NULL, OPT_REPORT_FROM},
    {"report-headers-only", no_argument, NULL, OPT_REPORT_HEADERS_ONLY},
    /* The abuse desk's DNS. */
    {"dnsbl", required_argument, NULL, OPT_DNSBL},
    {"asn", no_argument, NULL, OPT_ASN},
    {"asn-zone", required_argument, NULL, OPT_ASN_ZONE},
    {"abuse-contact", no_argument, NULL, OPT_ABUSE_CONTACT},
    {"abuse-zone", required_argument, NULL, OPT_ABUSE_ZONE},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "usage: smtpprobe [options] [TARGET ...]\n"
    "\n"
    "Audits SMTP servers for open relaying, safely: EHLO/HELO, STARTTLS, MAIL FROM,\n"
    "RCPT TO, RSET and QUIT only. It never sends DATA, so no message is ever delivered.\n"
    "\n"
    "Targets (one per argument or line: IPv4, IPv6, host:port, [v6]:port, CIDR, a\n"
    "host name (all its A and AAAA addresses), mx:DOMAIN (its MX hosts, by preference);\n"
    "'#' comments, blank lines and fields after a blank or comma are ignored):\n"
    "  -f, --file FILE         read targets from FILE ('-' is stdin); repeatable\n"
    "                          (write [::1]:2525 for an IPv6 address and a port)\n"
    "  -p, --port PORT         port when a target names none (default 25)\n"
    "      --allow-private     probe special-purpose ranges too (loopback, RFC 1918, ...)\n"
    "      --allowlist CIDRS   probe only inside these comma-separated ranges\n"
    "                          (default: $SMTPPROBE_ALLOWLIST; empty is an error);\n"
    "                          the part of a CIDR target outside it, in --exclude or\n"
    "                          in special ranges is one skipped row, never walked\n"
    "      --strict            a bad target line is fatal instead of a skipped row\n"
    "      --exclude FILE      skip the ranges of FILE (zmap blocklist format: CIDR,\n"
    "                          '#' reason); repeatable\n"
    "      --seed N            order of addresses within CIDR ranges (default 1)\n"
    "      --shard I/N         probe only shard I (0..N-1) of N: the N shards of a run\n"
    "                          are disjoint and together complete\n"
    "      --max-targets N     stop after N targets\n"
    "\n"
    "Suspects from spam (Received chains of .eml, mbox, Maildir):\n"
    "      --message FILE      read messages from FILE, an mbox or a Maildir ('-' is\n"
    "                          stdin); probe each one's suspect; repeatable\n"
    "      --trusted SPEC      our own relays: CIDRs or host names, comma-separated;\n"
    "                          repeatable (default: private and authenticated hops)\n"
    "      --trusted-file FILE the same, one per line\n"
    "      --probe-claimed     probe the public addresses below the suspect too\n"
    "      --extract-only      print each message's hops and suspect; probe nothing\n"
    "\n"
    "Forwarded spam and abuse reports:\n"
    "      --outer             walk each message's own Received chain, not that of the\n"
    "                          message forwarded inside it (an attached message/rfc822\n"
    "                          or an ARF feedback report's message; the default)\n"
    "      --abuse-report DIR  for each target that accepts a relay or localhost RCPT,\n"
    "                          write DIR/<ip>_<port>.eml, an RFC 5965 feedback report\n"
    "                          with the evidence (never sent; DIR made 0700)\n"
    "      --report-from ADDR  its From: address (needed with --abuse-report)\n"
    "      --report-headers-only  attach the spam's header only (text/rfc822-headers)\n"
    "\n"
    "DNS (PTR and forward-confirmed rDNS of every probed address; names; MX):\n"
    "      --mx DOMAIN         probe DOMAIN's MX hosts, like the target mx:DOMAIN;\n"
    "                          repeatable\n"
    "      --dns-server IP[:PORT][,...]  ask only these servers ([v6]:PORT for IPv6)\n"
    "                          (default: $SMTPPROBE_DNS_SERVER, else /etc/resolv.conf's;\n"
    "                          'none' there is --no-dns)\n"
    "      --dns-timeout T     time for one DNS try, two tries (default 3s)\n"
    "      --no-dns            no lookups: DNS columns stay empty, names are skipped\n"
    "\n"
    "Abuse desk (beside the dialogue, each address asked once; need DNS):\n"
    "      --dnsbl ZONES       is the address on these DNS blocklists (comma-separated;\n"
    "                          'default' is " DNSBL_DEFAULT_ZONES ";\n"
    "                          a keyed zone is written whole: KEY.zen.dq.spamhaus.net);\n"
    "                          some lists refuse queries through public resolvers\n"
    "      --asn               origin AS, prefix, country and AS name (Team Cymru)\n"
    "      --asn-zone ZONE     Team Cymru's zone (default " ABUSE_ASN_ZONE_DEFAULT ")\n"
    "      --abuse-contact     the network's abuse mailbox (Abusix)\n"
    "      --abuse-zone ZONE   Abusix's zone (default " ABUSE_ABUSE_ZONE_DEFAULT ")\n"
    "\n"
    "Dialogue:\n"
    "  -c, --concurrency N     sessions at once (default 256)\n"
    "  -r, --rate N            new connections per second, 0 = no limit (default 100)\n"
    "      --per-net N         dialogues at once per /24 (IPv4) or /64 (IPv6)\n"
    "      --connect-timeout T connect timeout (default 10s)\n"
    "      --timeout T         time for each reply, the greeting included (default 30s)\n"
    "      --deadline T        time for a whole dialogue (default 120s)\n"
    "                          (T: seconds, e.g. 5, 0.5, 1500ms)\n"
    "      --ehlo NAME         EHLO/HELO name (default smtpprobe.example.com)\n"
    "      --mail-from ADDR    sender of the third-party test (default probe@example.com)\n"
    "      --rcpt-domain DOM   recipient domain of that test (default example.net)\n"
    "      --tests SET         relay tests: basic (third-party, localhost, postmaster;\n"
    "                          the default), full (19 address tricks), or a\n"
    "                          comma-separated list of test names\n"
    "      --retry-after T     retry a test answered 4xx once, after T (greylisting;\n"
    "                          never a deferred relay denial: 454 4.7.1 Relay access denied)\n"
    "\n"
    "TLS (recorded, never trusted: a bad certificate does not stop a probe):\n"
    "      --starttls WHEN     auto (when offered or a 530 asks), never or always\n"
    "                          (default auto)\n"
    "      --smtps             TLS from the first byte on every target\n"
    "      --no-smtps          not even on port 465 (default: TLS at once on 465)\n"
    "      --ca-file FILE      CA certificates for cert_verify (default: system store)\n"
    "\n"
    "Output:\n"
    "  -o, --output FILE       write the report to FILE (default stdout); never an\n"
    "                          input file (-f, --exclude, --message, ...): exit 2\n"
    "      --format FMT        csv, jsonl or text (default: from -o FILE's extension,\n"
    "                          .csv, .jsonl, .ndjson or .txt; else text on a terminal,\n"
    "                          else csv)\n"
    "      --help-columns      list the report's columns and exit\n"
    "  -q, --quiet             nothing on stderr but errors (no progress, no summary)\n"
    "      --debug             trace each dialogue on stderr: a line per state and reply\n"
    "      --transcripts DIR   write each dialogue, timestamped, to DIR/<ip>_<port>.txt\n"
    "                          (DIR made 0700 if absent; links are never followed)\n"
    "      --baseline FILE     compare with an earlier run's CSV or JSON Lines: change\n"
    "                          column, gone rows, and what changed on stderr (a FILE\n"
    "                          that does not exist yet: every target is new)\n"
    "      --append            add rows to -o FILE (its header must match; a file\n"
    "                          that is not our report is refused, left as it is)\n"
    "      --resume            --append, probing only targets not yet in -o FILE\n"
    "\n"
    "The nightly audit:\n"
    "  -S, --source-address ADDR  bind every connection to ADDR (our side, as the\n"
    "                          server sees it); one IPv4 and one IPv6 at most\n"
    "      --metrics FILE      Prometheus text for node_exporter's textfile collector\n"
    "                          (written to FILE.tmp, then renamed)\n"
    "      --metadata FILE     one JSON object about the run (version, options,\n"
    "                          counts, start, end, rate)\n"
    "      --fail-on WHEN      exit 1 when: any target accepts (any, the default),\n"
    "                          one accepts that did not in --baseline (new), or any\n"
    "                          verdict changed since --baseline (changed)\n"
    "      --columns LIST      CSV and JSON Lines columns, comma-separated, in this\n"
    "                          order (default: all, see --help-columns)\n"
    "  -h, --help              this text;  -V, --version  the version\n"
    "\n"
    "Exit status: 0 nothing accepted a relay or localhost RCPT, 1 something did,\n"
    "2 usage or input error, 3 runtime failure, 4 interrupted, 5 nothing probed:\n"
    "every target was skipped (allowlist, special ranges, --exclude, bad input).\n";
static const struct name_code fail_on_names[] = {
    {"any", FAIL_ON_ANY},
    {"new", FAIL_ON_NEW},
    {"changed", FAIL_ON_CHANGED},
    {NULL, 0},
};

/* -o FILE's extension: the format when --format is not given. */
static const struct {
	const char *ext, *format;
} format_extensions[] = {
    {".csv", "csv"},
    {".jsonl", "jsonl"},
    {".ndjson", "jsonl"},
    {".txt", "text"},
};

static const struct name_code starttls_names[] = {
    {"auto", STARTTLS_AUTO},
    {"never", STARTTLS_NEVER},
    {"always", STARTTLS_ALWAYS},
    {NULL, 0},
};

/* --extract-only's formats: whether the hop table is text. */
static const struct name_code hops_formats[] = {
    {"csv", 0},
    {"text", 1},
    {NULL, 0},
};

int
name_code(const struct name_code *table, const char *name, int dflt)
{
	for (; table->name != NULL; table++)
		if (strcmp(table->name, name) == 0)
			return table->code;
	return dflt;
}

/* The name of code in table. */
static const char *
name_of(const struct name_code *table, int code)
{
	for (; table->name != NULL; table++)
		if (table->code == code)
			return table->name;
	return "?";
}

static void __attribute__((format(printf, 1, 2), noreturn)) usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "smtpprobe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'smtpprobe --help'.\n");
	exit(EXIT_USAGE);
}

static long
parse_number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "smtpprobe: %s: not a number from %ld to %ld: \"%s\"\n", opt, min,
		        max, s);
		exit(EXIT_USAGE);
	}
	return v;
}

/* "5", "0.5", "5s", "1500ms": to milliseconds, at least 1. */
static int
parse_duration(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno == 0 && end != s && v > 0) {
		if (strcmp(end, "ms") == 0)
			v /= 1000;
		else if (strcmp(end, "s") != 0 && *end != '\0')
			v = -1;
		if (v > 0 && v * 1000 <= TIMEOUT_MS_MAX)
			return v * 1000 < 1 ? 1 : (int)(v * 1000);
	}
	fprintf(stderr, "smtpprobe: %s: not a duration (seconds, e.g. 5, 0.5, 1500ms): \"%s\"\n",
	        opt, s);
	exit(EXIT_USAGE);
}

static void
set_word(const char *opt, char *dst, size_t size, const char *value)
{
	if (!relay_word_ok(value, size)) {
		fprintf(stderr,
		        "smtpprobe: %s: must be 1 to %zu printable characters without "
		        "blanks or <>: \"%s\"\n",
		        opt, size - 1, value);
		exit(EXIT_USAGE);
	}
	snprintf(dst, size, "%s", value);
}

/*
 * Refuses an output that is the same file as an input (cli/paths.h), before
 * anything is opened for writing. --baseline is not among the inputs: it is
 * read whole before the output is opened, so "--baseline X -o X" is safe.
 */
static void
check_same_files(const struct settings *s)
{
	struct path_arg out = {"-o", s->output}, *in;
	size_t n = 0, i;
	char err[1024];
	int r;

	in = calloc(s->nfiles + s->nexcludes + s->nmessages + s->ntrusted_files + 2, sizeof(*in));
	if (in == NULL)
		return;
	for (i = 0; i < s->nfiles; i++)
		in[n++] = (struct path_arg){"-f", s->files[i]};
	for (i = 0; i < s->nexcludes; i++)
		in[n++] = (struct path_arg){"--exclude", s->excludes[i]};
	for (i = 0; i < s->nmessages; i++)
		in[n++] = (struct path_arg){"--message", s->messages[i]};
	for (i = 0; i < s->ntrusted_files; i++)
		in[n++] = (struct path_arg){"--trusted-file", s->trusted_files[i]};
	if (s->ca_file != NULL)
		in[n++] = (struct path_arg){"--ca-file", s->ca_file};
	r = paths_check_distinct(&out, in, n, err, sizeof(err));
	free(in);
	if (r != 0)
		usage_error("%s", err);
}

static void
print_columns(void)
{
	size_t i;

	for (i = 0; i < report_ncolumns; i++)
		printf("%-14s %s\n", report_columns[i].name, report_columns[i].doc);
}

/* -S ADDR into the probe settings: one address per family. */
static int
source_address_parse(struct probe_settings *p, const char *arg)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, arg, &sin.sin_addr) == 1) {
		if (p->source4_len != 0)
			return -1;
		sin.sin_family = AF_INET;
		memcpy(&p->source4, &sin, sizeof(sin));
		p->source4_len = sizeof(sin);
		return 0;
	}
	if (inet_pton(AF_INET6, arg, &sin6.sin6_addr) == 1) {
		if (p->source6_len != 0)
			return -1;
		sin6.sin6_family = AF_INET6;
		memcpy(&p->source6, &sin6, sizeof(sin6));
		p->source6_len = sizeof(sin6);
		return 0;
	}
	return -1;
}

/* The format -o FILE's extension names, or NULL. */
static const char *
format_from_extension(const char *path)
{
	size_t n = strlen(path), i;

	for (i = 0; i < sizeof(format_extensions) / sizeof(format_extensions[0]); i++) {
		size_t e = strlen(format_extensions[i].ext);

		if (n > e && strcasecmp(path + n - e, format_extensions[i].ext) == 0)
			return format_extensions[i].format;
	}
	return NULL;
}

/* Targets, their policy, suspects from messages and DNS. */
static int
apply_target_option(struct settings *s, int c, const char *arg)
{
	char err[512];

	switch (c) {
	case 'f':
		s->files[s->nfiles++] = arg;
		break;
	case 'p':
		if (target_parse_port(arg, &s->src.default_port) != 0)
			usage_error("--port: not a port from 1 to 65535: \"%s\"", arg);
		break;
	case OPT_ALLOW_PRIVATE:
		s->src.allow_private = 1;
		break;
	case OPT_ALLOWLIST:
		s->allowlist = arg;
		s->allowlist_from = "--allowlist";
		break;
	case OPT_STRICT:
		s->src.strict = 1;
		break;
	case OPT_EXCLUDE:
		s->excludes[s->nexcludes++] = arg;
		break;
	case OPT_SEED:
		s->src.seed = (uint64_t)parse_number("--seed", arg, 0, LONG_MAX);
		break;
	case OPT_SHARD:
		if (range_shard_parse(arg, &s->src.shard_index, &s->src.shard_count) != 0)
			usage_error("--shard: not I/N with 0 <= I < N <= 65536: \"%s\"", arg);
		break;
	case OPT_MAX_TARGETS:
		s->src.max_targets = (uint64_t)parse_number("--max-targets", arg, 1, LONG_MAX);
		break;
	/* Suspects from messages. */
	case OPT_MESSAGE:
		s->messages[s->nmessages++] = arg;
		break;
	case OPT_TRUSTED:
		if (trust_add(s->trust, arg, err, sizeof(err)) != 0)
			usage_error("--trusted: %s", err);
		break;
	case OPT_TRUSTED_FILE:
		if (trust_add_file(s->trust, arg, err, sizeof(err)) != 0)
			usage_error("--trusted-file: %s", err);
		s->trusted_files[s->ntrusted_files++] = arg;
		break;
	case OPT_PROBE_CLAIMED:
		s->src.probe_claimed = 1;
		break;
	case OPT_EXTRACT_ONLY:
		s->extract_only = 1;
		break;
	/* Forwarded spam and abuse reports. */
	case OPT_OUTER:
		s->src.outer = s->audit.outer = 1;
		break;
	case OPT_ABUSE_REPORT:
		s->audit.abuse_report = arg;
		break;
	case OPT_REPORT_FROM:
		s->audit.report_from = arg;
		break;
	case OPT_REPORT_HEADERS_ONLY:
		s->audit.report_headers_only = 1;
		break;
	/* DNS. */
	case OPT_MX:
		s->mx[s->nmx++] = arg;
		break;
	case OPT_DNS_SERVER:
		s->dns_server = arg;
		s->no_dns = 0;
		break;
	case OPT_DNS_TIMEOUT:
		s->dns.timeout_ms = parse_duration("--dns-timeout", arg);
		break;
	case OPT_NO_DNS:
		s->no_dns = 1;
		break;
	default:
		return 0;
	}
	return 1;
}

/* A zone name for --asn-zone and --abuse-zone. */
static void
set_zone(const char *opt, char *dst, size_t size, const char *arg)
{
	char zones[1][DNS_HOSTNAME_MAX], err[256];

	if (strchr(arg, ',') != NULL || dnsbl_zones_parse(arg, zones, 1, err, sizeof(err)) != 1 ||
	    strcmp(arg, "default") == 0)
		usage_error("%s: not a DNS zone: \"%s\"", opt, arg);
	snprintf(dst, size, "%s", zones[0]);
}

/* The abuse desk's lookups. */
static int
apply_abuse_option(struct settings *s, int c, const char *arg)
{
	char err[256];
	int n;

	switch (c) {
	case OPT_DNSBL:
		n = dnsbl_zones_parse(arg, s->abuse.zones, DNSBL_ZONES_MAX, err, sizeof(err));
		if (n < 0)
			usage_error("--dnsbl: %s", err);
		s->abuse.nzones = (size_t)n;
		break;
	case OPT_ASN:
		s->abuse.asn = 1;
		break;
	case OPT_ASN_ZONE:
		set_zone("--asn-zone", s->abuse.asn_zone, sizeof(s->abuse.asn_zone), arg);
		break;
	case OPT_ABUSE_CONTACT:
		s->abuse.contact = 1;
		break;
	case OPT_ABUSE_ZONE:
		set_zone("--abuse-zone", s->abuse.abuse_zone, sizeof(s->abuse.abuse_zone), arg);
		break;
	default:
		return 0;
	}
	return 1;
}

/* The dialogue: pace, timeouts, what is said, relay tests, TLS. */
static int
apply_dialogue_option(struct settings *s, int c, const char *arg)
{
	struct probe_settings *p = &s->eng.probe;
	char err[512];

	switch (c) {
	case 'c':
		s->eng.concurrency = (int)parse_number("--concurrency", arg, 1, CONCURRENCY_MAX);
		break;
	case 'r':
		s->eng.rate = (int)parse_number("--rate", arg, 0, 1000000);
		break;
	case OPT_PER_NET:
		s->eng.per_net = (int)parse_number("--per-net", arg, 1, CONCURRENCY_MAX);
		break;
	case OPT_CONNECT_TIMEOUT:
		p->connect_timeout_ms = parse_duration("--connect-timeout", arg);
		break;
	case OPT_TIMEOUT:
		p->timeout_ms = parse_duration("--timeout", arg);
		break;
	case OPT_DEADLINE:
		p->deadline_ms = parse_duration("--deadline", arg);
		break;
	case OPT_EHLO:
		set_word("--ehlo", p->ehlo, sizeof(p->ehlo), arg);
		break;
	case OPT_MAIL_FROM:
		set_word("--mail-from", p->mail_from, sizeof(p->mail_from), arg);
		if (strchr(arg, '@') == NULL)
			usage_error("--mail-from: not an address: \"%s\"", arg);
		break;
	case OPT_RCPT_DOMAIN:
		set_word("--rcpt-domain", p->rcpt_domain, sizeof(p->rcpt_domain), arg);
		break;
	case OPT_TESTS:
		if (relay_tests_parse(arg, &p->tests, err, sizeof(err)) != 0)
			usage_error("--tests: %s", err);
		break;
	case OPT_RETRY_AFTER:
		p->retry_after_ms = parse_duration("--retry-after", arg);
		break;
	/* TLS */
	case OPT_STARTTLS: {
		int v = name_code(starttls_names, arg, -1);

		if (v < 0)
			usage_error("--starttls: not auto, never or always: \"%s\"", arg);
		p->starttls = (enum starttls_mode)v;
		break;
	}
	case OPT_SMTPS:
		p->smtps = SMTPS_ALWAYS;
		break;
	case OPT_NO_SMTPS:
		p->smtps = SMTPS_NEVER;
		break;
	case OPT_CA_FILE:
		s->ca_file = arg;
		break;
	default:
		return 0;
	}
	return 1;
}

/* The report and the audit files around it. */
static int
apply_output_option(struct settings *s, int c, const char *arg)
{
	switch (c) {
	case 'o':
		s->output = arg;
		break;
	case OPT_FORMAT:
		s->format = arg;
		break;
	case 'q':
		s->quiet = 1;
		break;
	case OPT_DEBUG:
		s->eng.probe.debug = 1;
		break;
	case OPT_TRANSCRIPTS:
		s->audit.transcripts = arg;
		break;
	case OPT_BASELINE:
		s->audit.baseline = arg;
		break;
	case OPT_RESUME:
		s->audit.resume = s->audit.append = 1;
		break;
	case OPT_APPEND:
		s->audit.append = 1;
		break;
	/* The nightly audit. */
	case 'S':
		if (source_address_parse(&s->eng.probe, arg) != 0)
			usage_error("--source-address: not an IPv4 or IPv6 address, or a second "
			            "one of its family: \"%s\"",
			            arg);
		break;
	case OPT_METRICS:
		s->metrics = arg;
		break;
	case OPT_METADATA:
		s->metadata = arg;
		break;
	case OPT_FAIL_ON: {
		int v = name_code(fail_on_names, arg, -1);

		if (v < 0)
			usage_error("--fail-on: not any, new or changed: \"%s\"", arg);
		s->fail_on = v;
		break;
	}
	case OPT_COLUMNS: {
		char err[256];

		if (report_columns_select(arg, err, sizeof(err)) != 0)
			usage_error("--columns: %s", err);
		s->columns = arg;
		break;
	}
	default:
		return 0;
	}
	return 1;
}

/* The defaults, the environment's settings and room for the lists. */
static int
settings_init(struct settings *s, int argc)
{
	memset(s, 0, sizeof(*s));
	s->src.default_port = DEFAULT_PORT;
	s->src.seed = RANGE_DEFAULT_SEED;
	s->eng.concurrency = DEFAULT_CONCURRENCY;
	s->eng.rate = DEFAULT_RATE;
	probe_settings_default(&s->eng.probe);
	s->allowlist = getenv("SMTPPROBE_ALLOWLIST");
	s->allowlist_from = "SMTPPROBE_ALLOWLIST";
	/* DNS: the environment's server, "none" for no lookups. */
	s->dns_server = getenv("SMTPPROBE_DNS_SERVER");
	if (s->dns_server != NULL &&
	    (s->dns_server[0] == '\0' || strcmp(s->dns_server, "none") == 0)) {
		s->no_dns = s->dns_server[0] != '\0';
		s->dns_server = NULL;
	}
	s->dns.timeout_ms = DEFAULT_DNS_TIMEOUT_MS;
	abuse_config_default(&s->abuse);
	/* One allocation for the five lists of names, so one free releases
	 * them on every way out. */
	if ((s->files = calloc(5 * (size_t)argc, sizeof(*s->files))) == NULL)
		return -1;
	s->excludes = s->files + argc;
	s->messages = s->excludes + argc;
	s->mx = s->messages + argc;
	s->trusted_files = s->mx + argc;
	return (s->trust = trust_new()) != NULL ? 0 : -1;
}

/* Whether the selected columns hold what --append and --resume read back. */
static int
columns_read_back(void)
{
	static const char *const need[] = {"ip", "port", "verdict", "origin"};
	size_t k, j;

	for (k = 0; k < sizeof(need) / sizeof(need[0]); k++) {
		int i = report_column_index(need[k]);

		for (j = 0; j < report_nselected(); j++)
			if (report_selected(j) == (size_t)i)
				break;
		if (j == report_nselected())
			return 0;
	}
	return 1;
}

/* What no single option can check: the options together. */
static int
check_settings(struct settings *s)
{
	if (s->ntargets == 0 && s->nfiles == 0 && s->nmessages == 0 && s->nmx == 0) {
		fprintf(stderr, "smtpprobe: no targets: give addresses, -f FILE or --message FILE\n"
		                "Try 'smtpprobe --help'.\n");
		return EXIT_USAGE;
	}
	check_same_files(s);
	if (s->format == NULL && s->output != NULL && !s->extract_only)
		s->format = format_from_extension(s->output);
	if (s->format == NULL)
		s->format = s->output == NULL && isatty(STDOUT_FILENO) ? "text" : "csv";
	if (abuse_config_on(&s->abuse) && s->no_dns)
		usage_error("--dnsbl, --asn and --abuse-contact need DNS, not --no-dns");
	/* --extract-only: the hop tables, nothing probed. */
	if (s->extract_only) {
		if (s->nmessages == 0)
			usage_error("--extract-only needs --message FILE");
		if (name_code(hops_formats, s->format, -1) < 0)
			usage_error("--format: not csv or text: \"%s\"", s->format);
		return OPTIONS_RUN;
	}
	if (report_writer_find(s->format) == NULL)
		usage_error("--format: not csv, jsonl or text: \"%s\"", s->format);
	/* Audit reports. */
	if (s->audit.append && s->output == NULL)
		usage_error("%s needs -o FILE", s->audit.resume ? "--resume" : "--append");
	if (s->fail_on != FAIL_ON_ANY && s->audit.baseline == NULL)
		usage_error("--fail-on %s needs --baseline FILE",
		            name_of(fail_on_names, s->fail_on));
	if (s->columns != NULL && strcmp(s->format, "text") == 0)
		usage_error("--columns: for CSV and JSON Lines, not --format text");
	if (s->columns != NULL && s->audit.append && !columns_read_back())
		usage_error("--columns: %s reads back the ip, port, verdict and origin columns: "
		            "name them too",
		            s->audit.resume ? "--resume" : "--append");
	if (s->audit.resume && strcmp(s->format, "text") == 0)
		usage_error("--resume reads back CSV or JSON Lines, not --format %s", s->format);
	if (s->audit.abuse_report != NULL && s->audit.report_from == NULL)
		usage_error("--abuse-report needs --report-from ADDR");
	if (s->audit.abuse_report == NULL &&
	    (s->audit.report_from != NULL || s->audit.report_headers_only))
		usage_error("--report-from and --report-headers-only need --abuse-report DIR");
	return OPTIONS_RUN;
}

int
options_hops_text(const struct settings *s)
{
	return name_code(hops_formats, s->format, 0);
}

int
options_parse(int argc, char **argv, struct settings *s)
{
	int c;

	if (settings_init(s, argc) != 0)
		return EXIT_RUNTIME;
	while ((c = getopt_long(argc, argv, "f:o:p:c:r:qhVS:", long_options, NULL)) != -1) {
		if (apply_target_option(s, c, optarg) || apply_dialogue_option(s, c, optarg) ||
		    apply_output_option(s, c, optarg) || apply_abuse_option(s, c, optarg))
			continue;
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case OPT_HELP_COLUMNS:
			print_columns();
			return 0;
		case 'V':
			printf("smtpprobe %s\n", PACKAGE_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'smtpprobe --help'.\n");
			return EXIT_USAGE;
		}
	}
	s->targets = argv + optind;
	s->ntargets = (size_t)(argc - optind);
	return check_settings(s);
}

void
settings_free(struct settings *s)
{
	trust_free(s->trust);
	free(s->files);
	s->trust = NULL;
	s->files = NULL;
}
