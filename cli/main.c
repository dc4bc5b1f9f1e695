/*
 * main.c: smtpprobe's command line. Parses options into the settings of
 * targets/, prober/ and reports/, wires them together on one event loop,
 * and turns the outcome into an exit status:
 *   0  no target accepted a relay or localhost RCPT
 *   1  at least one did (like grep: for cron and scripts)
 *   2  usage or input error
 *   3  runtime failure (output could not be written, out of memory)
 *   4  interrupted (SIGINT/SIGTERM): the rows finished so far were written
 *   5  nothing probed: every target was skipped (policy, bad input), so a
 *      wrong allowlist in cron does not read as "no open relays"
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/audit.h"
#include "prober/engine.h"
#include "cli/paths.h"
#include "record/relay.h"
#include "prober/tls.h"
#include "reports/columns.h"
#include "cli/hops.h"
#include "reports/report.h"
#include "targets/exclude.h"
#include "targets/parse.h"
#include "targets/range.h"
#include "targets/source.h"
#include "targets/suspects.h"
#include "targets/trust.h"

enum {
	EXIT_NOTHING_OPEN = 0,
	EXIT_FOUND_OPEN = 1,
	EXIT_USAGE = 2,
	EXIT_RUNTIME = 3,
	EXIT_INTERRUPTED = 4,
	EXIT_ALL_SKIPPED = 5,
};

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
    "DNS (PTR and forward-confirmed rDNS of every probed address; names; MX):\n"
    "      --mx DOMAIN         probe DOMAIN's MX hosts, like the target mx:DOMAIN;\n"
    "                          repeatable\n"
    "      --dns-server IP[:PORT][,...]  ask only these servers ([v6]:PORT for IPv6)\n"
    "                          (default: $SMTPPROBE_DNS_SERVER, else /etc/resolv.conf's;\n"
    "                          'none' there is --no-dns)\n"
    "      --dns-timeout T     time for one DNS try, two tries (default 3s)\n"
    "      --no-dns            no lookups: DNS columns stay empty, names are skipped\n"
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
    "                          the default), full (15 address tricks), or a\n"
    "                          comma-separated list of test names\n"
    "      --retry-after T     retry a test answered 4xx once, after T (greylisting)\n"
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
    "                          input file (-f, --exclude, --message): exit 2\n"
    "      --format FMT        csv, jsonl or text (default: text on a terminal, else csv)\n"
    "      --help-columns      list the report's columns and exit\n"
    "  -q, --quiet             nothing on stderr but errors (no progress, no summary)\n"
    "      --debug             trace each dialogue on stderr: a line per state and reply\n"
    "      --transcripts DIR   write each dialogue, timestamped, to DIR/<ip>_<port>.txt\n"
    "                          (DIR made 0700 if absent; links are never followed)\n"
    "      --baseline FILE     compare with an earlier run's CSV: change column, gone\n"
    "                          rows, and what changed on stderr\n"
    "      --append            add rows to -o FILE (its header must match; a file\n"
    "                          that is not our report is refused, left as it is)\n"
    "      --resume            --append, probing only targets not yet in -o FILE\n"
    "  -h, --help              this text;  -V, --version  the version\n"
    "\n"
    "Exit status: 0 nothing accepted a relay or localhost RCPT, 1 something did,\n"
    "2 usage or input error, 3 runtime failure, 4 interrupted, 5 nothing probed:\n"
    "every target was skipped (allowlist, special ranges, --exclude, bad input).\n";

struct options {
	const char **excludes;
	size_t nexcludes;
	struct audit_options audit; /* audit reports */
	const char *output;
	const char *format;
	int quiet;
	struct target_source_config src;
	struct engine_config eng;
	const char *allowlist;
	const char *allowlist_from; /* where it came from, for errors */
	const char *ca_file;        /* TLS */
	/* DNS. */
	const char *dns_server; /* NULL: resolv.conf's servers */
	int no_dns;
	struct dns_config dns;
};

struct run {
	struct report *rep;
	struct audit *audit;
	int write_failed;
	size_t skipped[POLICY_SKIP_CLASSES]; /* skipped rows written, by kind */
	size_t probed;                       /* other rows written */
	int out_tty; /* the report goes to a terminal, where the progress line is */
};

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
 * Raises the descriptor limit to its hard limit and clamps the concurrency
 * to what it allows: FD_RESERVE for the run (standard streams, input and
 * output files, the transcript being written, DNS sockets, the loop's own)
 * and FD_PER_SESSION for each dialogue (its socket, and the one libevent
 * has yet to close when the next dialogue takes the slot; TLS adds none).
 * Whatever else runs short later is the engine's to back off from.
 */
static void
fit_descriptors(struct options *o)
{
	struct rlimit rl;
	long room;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return;
	room = ((long)rl.rlim_cur - FD_RESERVE) / FD_PER_SESSION;
	if (room < 1)
		room = 1;
	if (o->eng.concurrency > room) {
		if (!o->quiet)
			fprintf(stderr,
			        "smtpprobe: warning: concurrency %d clamped to %ld by the "
			        "descriptor limit (ulimit -n %ld)\n",
			        o->eng.concurrency, room, (long)rl.rlim_cur);
		o->eng.concurrency = (int)room;
	}
}

/* An output that is one of the inputs is a usage error, before anything is
 * opened for writing (cli/paths.h). */
static void
check_same_files(const char *output, const char **files, size_t nfiles, const char **excludes,
                 size_t nexcludes, const char **messages, size_t nmessages)
{
	struct path_arg out = {"-o", output}, *in;
	size_t n = 0, i;
	char err[1024];
	int r;

	if ((in = calloc(nfiles + nexcludes + nmessages + 1, sizeof(*in))) == NULL)
		return;
	for (i = 0; i < nfiles; i++)
		in[n++] = (struct path_arg){"-f", files[i]};
	for (i = 0; i < nexcludes; i++)
		in[n++] = (struct path_arg){"--exclude", excludes[i]};
	for (i = 0; i < nmessages; i++)
		in[n++] = (struct path_arg){"--message", messages[i]};
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

static int
on_result(const struct probe_result *r, void *arg)
{
	struct run *run = arg;
	const struct probe_result *row = audit_result(run->audit, r);

	if (row != NULL && r->verdict == VERDICT_SKIPPED)
		run->skipped[policy_skip_class(r->target.skip_reason)]++;
	else if (row != NULL)
		run->probed++;
	if (run->write_failed)
		return -1;
	return row != NULL ? audit_write(run->audit, row) : 0;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	engine_interrupt(arg);
}

/* Writes one row: a result (when audit_write lets it go) or a gone row. */
static int
write_row(const struct probe_result *r, void *arg)
{
	struct run *run = arg;

	if (run->write_failed)
		return -1;
	if (run->out_tty)
		audit_progress_clear(run->audit);
	if (report_row(run->rep, r) != 0) {
		run->write_failed = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

/* Rows were written and every one of them was skipped. */
static int
all_skipped(const struct run *run)
{
	size_t v;

	for (v = 0; v < POLICY_SKIP_CLASSES; v++)
		if (run->skipped[v] > 0)
			return run->probed == 0;
	return 0;
}

/* The engine's one warning (a lowered concurrency), off the progress line. */
static void
on_warn(const char *line, void *arg)
{
	struct run *run = arg;

	audit_progress_clear(run->audit);
	fprintf(stderr, "smtpprobe: warning: %s\n", line);
}

static void
print_summary(const struct engine *e, const struct target_source *src, double secs,
              const char *output, const struct run *run)
{
	const struct engine_stats *st = engine_stats(e);
	const char *sep = "";
	size_t skipped;
	int v;

	fprintf(stderr, "smtpprobe: %zu target%s in %.1fs (%.0f/s)", st->results,
	        st->results == 1 ? "" : "s", secs, secs > 0 ? (double)st->results / secs : 0.0);
	for (v = 0; v < VERDICT_COUNT; v++) {
		if (st->verdicts[v] == 0)
			continue;
		fprintf(stderr, "%s %zu %s", *sep ? sep : ":", st->verdicts[v],
		        verdict_name((enum verdict)v));
		sep = ",";
	}
	if (target_source_duplicates(src) > 0)
		fprintf(stderr, " (%zu duplicate%s probed once)", target_source_duplicates(src),
		        target_source_duplicates(src) == 1 ? "" : "s");
	fprintf(stderr, "; report in %s\n", output != NULL ? output : "standard output");
	for (v = 0, skipped = 0; v < POLICY_SKIP_CLASSES; v++)
		skipped += run->skipped[v];
	if (skipped == 0)
		return;
	/* Why, by kind: in cron, a wrong allowlist must not read as a clean run. */
	fprintf(stderr, "smtpprobe: %zu skipped", skipped);
	sep = ":";
	for (v = 0; v < POLICY_SKIP_CLASSES; v++) {
		if (run->skipped[v] == 0)
			continue;
		fprintf(stderr, "%s %zu %s", sep, run->skipped[v],
		        policy_skip_class_name((enum skip_class)v));
		sep = ",";
	}
	fputc('\n', stderr);
	if (all_skipped(run))
		fprintf(stderr,
		        "smtpprobe: nothing probed: every target was skipped (exit status %d)\n",
		        EXIT_ALL_SKIPPED);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct cidr_list *allow = NULL, *exclude = NULL;
	struct target_source *src = NULL;
	struct event_base *base = NULL;
	struct event *sigint_ev = NULL, *sigterm_ev = NULL;
	struct engine *eng = NULL;
	const struct report_writer *w;
	struct run run = {NULL, NULL, 0, {0}, 0, 0};
	size_t total = 0;
	int need_header = 1;
	enum engine_status status;
	struct timespec t0, t1;
	const struct engine_stats *st;
	const char **files = NULL;
	size_t nfiles = 0, i;
	/* Suspects from messages. */
	const char **messages = NULL;
	size_t nmessages = 0;
	struct trust *trust = NULL;
	int extract_only = 0;
	/* DNS. */
	const char **mx = NULL;
	size_t nmx = 0;
	struct dns *dns = NULL;
	char err[512];
	FILE *out = stdout;
	int c, rc = EXIT_RUNTIME;

	memset(&o, 0, sizeof(o));
	o.src.default_port = DEFAULT_PORT;
	o.eng.concurrency = DEFAULT_CONCURRENCY;
	o.eng.rate = DEFAULT_RATE;
	probe_settings_default(&o.eng.probe);
	o.allowlist = getenv("SMTPPROBE_ALLOWLIST");
	o.allowlist_from = "SMTPPROBE_ALLOWLIST";
	o.src.seed = RANGE_DEFAULT_SEED;
	/* One allocation for both lists of file names, so one free(files)
	 * releases them on every way out. */
	if ((files = calloc(2 * (size_t)argc, sizeof(*files))) == NULL)
		return EXIT_RUNTIME;
	o.excludes = files + argc;
	if ((messages = calloc((size_t)argc, sizeof(*messages))) == NULL ||
	    (trust = trust_new()) == NULL)
		goto done;
	/* DNS: the environment's server, "none" for no lookups. */
	o.dns_server = getenv("SMTPPROBE_DNS_SERVER");
	if (o.dns_server != NULL &&
	    (o.dns_server[0] == '\0' || strcmp(o.dns_server, "none") == 0)) {
		o.no_dns = o.dns_server[0] != '\0';
		o.dns_server = NULL;
	}
	o.dns.timeout_ms = DEFAULT_DNS_TIMEOUT_MS;
	if ((mx = calloc((size_t)argc, sizeof(*mx))) == NULL)
		goto done;

	while ((c = getopt_long(argc, argv, "f:o:p:c:r:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			files[nfiles++] = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case OPT_FORMAT:
			o.format = optarg;
			break;
		case 'p':
			if (target_parse_port(optarg, &o.src.default_port) != 0)
				usage_error("--port: not a port from 1 to 65535: \"%s\"", optarg);
			break;
		case 'c':
			o.eng.concurrency =
			    (int)parse_number("--concurrency", optarg, 1, CONCURRENCY_MAX);
			break;
		case 'r':
			o.eng.rate = (int)parse_number("--rate", optarg, 0, 1000000);
			break;
		case OPT_CONNECT_TIMEOUT:
			o.eng.probe.connect_timeout_ms =
			    parse_duration("--connect-timeout", optarg);
			break;
		case OPT_TIMEOUT:
			o.eng.probe.timeout_ms = parse_duration("--timeout", optarg);
			break;
		case OPT_DEADLINE:
			o.eng.probe.deadline_ms = parse_duration("--deadline", optarg);
			break;
		case OPT_EHLO:
			set_word("--ehlo", o.eng.probe.ehlo, sizeof(o.eng.probe.ehlo), optarg);
			break;
		case OPT_MAIL_FROM:
			set_word("--mail-from", o.eng.probe.mail_from,
			         sizeof(o.eng.probe.mail_from), optarg);
			if (strchr(optarg, '@') == NULL)
				usage_error("--mail-from: not an address: \"%s\"", optarg);
			break;
		case OPT_RCPT_DOMAIN:
			set_word("--rcpt-domain", o.eng.probe.rcpt_domain,
			         sizeof(o.eng.probe.rcpt_domain), optarg);
			break;
		/* TLS */
		case OPT_STARTTLS:
			if (strcmp(optarg, "auto") == 0)
				o.eng.probe.starttls = STARTTLS_AUTO;
			else if (strcmp(optarg, "never") == 0)
				o.eng.probe.starttls = STARTTLS_NEVER;
			else if (strcmp(optarg, "always") == 0)
				o.eng.probe.starttls = STARTTLS_ALWAYS;
			else
				usage_error("--starttls: not auto, never or always: \"%s\"",
				            optarg);
			break;
		case OPT_SMTPS:
			o.eng.probe.smtps = SMTPS_ALWAYS;
			break;
		case OPT_NO_SMTPS:
			o.eng.probe.smtps = SMTPS_NEVER;
			break;
		case OPT_CA_FILE:
			o.ca_file = optarg;
			break;
		case OPT_ALLOW_PRIVATE:
			o.src.allow_private = 1;
			break;
		case OPT_ALLOWLIST:
			o.allowlist = optarg;
			o.allowlist_from = "--allowlist";
			break;
		case OPT_STRICT:
			o.src.strict = 1;
			break;
		case OPT_DEBUG:
			o.eng.probe.debug = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		/* Suspects from messages. */
		case OPT_MESSAGE:
			messages[nmessages++] = optarg;
			break;
		case OPT_TRUSTED:
			if (trust_add(trust, optarg, err, sizeof(err)) != 0)
				usage_error("--trusted: %s", err);
			break;
		case OPT_TRUSTED_FILE:
			if (trust_add_file(trust, optarg, err, sizeof(err)) != 0)
				usage_error("--trusted-file: %s", err);
			break;
		case OPT_PROBE_CLAIMED:
			o.src.probe_claimed = 1;
			break;
		case OPT_EXTRACT_ONLY:
			extract_only = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			rc = 0;
			goto done;
		case OPT_HELP_COLUMNS:
			print_columns();
			rc = 0;
			goto done;
		case OPT_TESTS:
			if (relay_tests_parse(optarg, &o.eng.probe.tests, err, sizeof(err)) != 0)
				usage_error("--tests: %s", err);
			break;
		case OPT_RETRY_AFTER:
			o.eng.probe.retry_after_ms = parse_duration("--retry-after", optarg);
			break;
		case OPT_EXCLUDE:
			o.excludes[o.nexcludes++] = optarg;
			break;
		case OPT_SEED:
			o.src.seed = (uint64_t)parse_number("--seed", optarg, 0, LONG_MAX);
			break;
		case OPT_SHARD:
			if (range_shard_parse(optarg, &o.src.shard_index, &o.src.shard_count) != 0)
				usage_error("--shard: not I/N with 0 <= I < N <= 65536: \"%s\"",
				            optarg);
			break;
		case OPT_MAX_TARGETS:
			o.src.max_targets =
			    (uint64_t)parse_number("--max-targets", optarg, 1, LONG_MAX);
			break;
		case OPT_PER_NET:
			o.eng.per_net = (int)parse_number("--per-net", optarg, 1, CONCURRENCY_MAX);
			break;
		/* DNS. */
		case OPT_DNS_SERVER:
			o.dns_server = optarg;
			o.no_dns = 0;
			break;
		case OPT_DNS_TIMEOUT:
			o.dns.timeout_ms = parse_duration("--dns-timeout", optarg);
			break;
		case OPT_MX:
			mx[nmx++] = optarg;
			break;
		case OPT_NO_DNS:
			o.no_dns = 1;
			break;
		case 'V':
			printf("smtpprobe %s\n", PACKAGE_VERSION);
			rc = 0;
			goto done;
		/* Audit reports. */
		case OPT_TRANSCRIPTS:
			o.audit.transcripts = optarg;
			break;
		case OPT_BASELINE:
			o.audit.baseline = optarg;
			break;
		case OPT_RESUME:
			o.audit.resume = o.audit.append = 1;
			break;
		case OPT_APPEND:
			o.audit.append = 1;
			break;
		default:
			fprintf(stderr, "Try 'smtpprobe --help'.\n");
			rc = EXIT_USAGE;
			goto done;
		}
	}
	if (optind >= argc && nfiles == 0 && nmessages == 0 && nmx == 0) {
		fprintf(stderr, "smtpprobe: no targets: give addresses, -f FILE or --message FILE\n"
		                "Try 'smtpprobe --help'.\n");
		rc = EXIT_USAGE;
		goto done;
	}
	check_same_files(o.output, files, nfiles, o.excludes, o.nexcludes, messages, nmessages);

	if (o.format == NULL)
		o.format = o.output == NULL && isatty(STDOUT_FILENO) ? "text" : "csv";
	/* --extract-only: the hop tables, nothing probed. */
	if (extract_only) {
		if (nmessages == 0)
			usage_error("--extract-only needs --message FILE");
		if (strcmp(o.format, "csv") != 0 && strcmp(o.format, "text") != 0)
			usage_error("--format: not csv or text: \"%s\"", o.format);
		if (o.output != NULL && (out = fopen(o.output, "w")) == NULL) {
			fprintf(stderr, "smtpprobe: %s: %s\n", o.output, strerror(errno));
			goto done;
		}
		rc = hops_extract(out, strcmp(o.format, "text") == 0, messages, nmessages, trust,
		                  o.quiet ? NULL : stderr);
		goto done;
	}
	o.src.trust = trust;
	if ((w = report_writer_find(o.format)) == NULL)
		usage_error("--format: not csv, jsonl or text: \"%s\"", o.format);
	/* Audit reports. */
	if (o.audit.append && o.output == NULL)
		usage_error("%s needs -o FILE", o.audit.resume ? "--resume" : "--append");
	if (o.audit.resume && strcmp(o.format, "csv") != 0)
		usage_error("--resume reads back CSV only, not --format %s", o.format);
	o.audit.progress = !o.quiet && isatty(STDERR_FILENO);
	/* The progress line's total: known for addresses in arguments and
	 * regular files, not for ranges or a shard. */
	total = (size_t)(argc - optind);
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (strchr(argv[i], '/') != NULL)
			total = (size_t)-1;
	if (o.src.shard_count > 1)
		total = (size_t)-1;
	for (i = 0; o.audit.progress && i < nfiles && total != (size_t)-1; i++) {
		size_t n = audit_count_targets(files[i]);

		total = n > 0 ? total + n : (size_t)-1;
	}
	if (total == (size_t)-1)
		total = 0; /* a pipe: unknown */

	if (o.allowlist != NULL) {
		/* Set but empty is a mistake (a variable that lost its value), not
		 * "no bound": only an unset variable means that. */
		if (o.allowlist[strspn(o.allowlist, " \t")] == '\0') {
			fprintf(stderr, "smtpprobe: %s is empty: name the ranges to probe%s\n",
			        o.allowlist_from,
			        o.allowlist_from[0] == '-' ? "" : " (unset it for no allowlist)");
			rc = EXIT_USAGE;
			goto done;
		}
		if ((allow = cidr_list_new()) == NULL)
			goto done;
		if (cidr_list_add(allow, o.allowlist, err, sizeof(err)) != 0) {
			fprintf(stderr, "smtpprobe: allowlist: %s\n", err);
			rc = EXIT_USAGE;
			goto done;
		}
	}
	o.src.allowlist = allow;
	if (o.nexcludes > 0) {
		if ((exclude = cidr_list_new()) == NULL)
			goto done;
		for (i = 0; i < o.nexcludes; i++) {
			if (exclude_load(exclude, o.excludes[i], err, sizeof(err)) != 0) {
				fprintf(stderr, "smtpprobe: --exclude: %s\n", err);
				rc = EXIT_USAGE;
				goto done;
			}
		}
	}
	o.src.exclude = exclude;
	o.src.warn = o.quiet ? NULL : stderr;
	if ((src = target_source_new(&o.src)) == NULL)
		goto done;
	for (i = 0; i < nmx; i++) { /* DNS: --mx DOMAIN is mx:DOMAIN */
		char arg[TARGET_LINE_MAX];

		snprintf(arg, sizeof(arg), "mx:%s", mx[i]);
		target_source_add_arg(src, arg);
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		target_source_add_arg(src, argv[i]);
	for (i = 0; i < nfiles; i++) {
		if (target_source_add_file(src, files[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "smtpprobe: %s\n", err);
			rc = EXIT_USAGE;
			goto done;
		}
	}
	for (i = 0; i < nmessages; i++) {
		if (target_source_add_message(src, messages[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "smtpprobe: %s\n", err);
			rc = EXIT_USAGE;
			goto done;
		}
	}

	if ((run.audit = audit_new(&o.audit, err, sizeof(err))) == NULL) {
		fprintf(stderr, "smtpprobe: %s\n", err);
		rc = EXIT_USAGE;
		goto done;
	}
	o.eng.probe.observer = audit_observer(run.audit);
	if (o.audit.append) {
		out = audit_open_output(run.audit, o.output, o.format, src, &need_header, err,
		                        sizeof(err));
		if (out == NULL) {
			fprintf(stderr, "smtpprobe: %s\n", err);
			rc = EXIT_USAGE;
			goto done;
		}
	} else if (o.output != NULL && (out = fopen(o.output, "w")) == NULL) {
		fprintf(stderr, "smtpprobe: %s: %s\n", o.output, strerror(errno));
		goto done;
	}
	signal(SIGPIPE, SIG_IGN);
	fit_descriptors(&o);
	o.eng.warn = o.quiet ? NULL : on_warn;
	o.eng.warn_arg = &run;
	/* TLS: one client context for the run, borrowed by sessions
	 * and made when the first of them needs it (at once with --ca-file). */
	if ((o.eng.probe.tls = tls_client_ctx_new(o.ca_file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "smtpprobe: %s\n", err);
		rc = o.ca_file != NULL ? EXIT_USAGE : EXIT_RUNTIME;
		goto done;
	}

	base = event_base_new();
	/* DNS. */
	if (base != NULL && !o.no_dns) {
		o.dns.servers = o.dns_server;
		if ((dns = dns_new(base, &o.dns, err, sizeof(err))) == NULL) {
			fprintf(stderr, "smtpprobe: --dns-server: %s\n", err);
			rc = EXIT_USAGE;
			goto done;
		}
		o.eng.dns = dns;
	}
	run.rep = report_new(w, out);
	eng = base && run.rep && audit_set_writer(run.audit, base, write_row, &run) == 0
	          ? engine_new(base, &o.eng, src, on_result, &run)
	          : NULL;
	if (eng == NULL) {
		fprintf(stderr, "smtpprobe: cannot start: out of memory\n");
		goto done;
	}
	sigint_ev = evsignal_new(base, SIGINT, on_signal, eng);
	sigterm_ev = evsignal_new(base, SIGTERM, on_signal, eng);
	event_add(sigint_ev, NULL);
	event_add(sigterm_ev, NULL);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (need_header && report_begin(run.rep) != 0)
		run.write_failed = errno ? errno : EIO;
	run.out_tty = isatty(fileno(out));
	audit_progress_start(run.audit, base, eng, src, total);
	status = run.write_failed ? ENGINE_OUTPUT_ERROR : engine_run(eng);
	(void)audit_end_run(run.audit); /* write_row notes a failure */
	/* Gone rows only after a whole run: an interrupted one saw too little. */
	if (status == ENGINE_DONE && !run.write_failed)
		(void)audit_emit_gone(run.audit, write_row, &run);
	if (report_end(run.rep) != 0 && !run.write_failed)
		run.write_failed = errno ? errno : EIO;
	clock_gettime(CLOCK_MONOTONIC, &t1);

	st = engine_stats(eng);
	if (!o.quiet) {
		print_summary(eng, src,
		              (double)(t1.tv_sec - t0.tv_sec) +
		                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		              o.output, &run);
		audit_summary(run.audit, stderr);
	}
	if (status == ENGINE_INPUT_ERROR || status == ENGINE_RUNTIME_ERROR)
		fprintf(stderr, "smtpprobe: %s\n", engine_error(eng));
	if (st->cut > 0 && !run.write_failed && status != ENGINE_OUTPUT_ERROR)
		fprintf(stderr,
		        "smtpprobe: %zu dialogue%s cut by the %s %s not written; --resume probes "
		        "%s again\n",
		        st->cut, st->cut == 1 ? "" : "s",
		        status == ENGINE_INTERRUPTED ? "signal" : "failure",
		        st->cut == 1 ? "was" : "were", st->cut == 1 ? "it" : "them");
	if (run.write_failed)
		fprintf(stderr, "smtpprobe: writing %s: %s\n", o.output ? o.output : "the report",
		        strerror(run.write_failed));
	if (status == ENGINE_INTERRUPTED && !o.quiet)
		fprintf(stderr, "smtpprobe: interrupted; %zu finished rows written\n", st->results);

	if (run.write_failed || status == ENGINE_OUTPUT_ERROR || status == ENGINE_RUNTIME_ERROR)
		rc = EXIT_RUNTIME;
	else if (status == ENGINE_INPUT_ERROR)
		rc = EXIT_USAGE;
	else if (status == ENGINE_INTERRUPTED)
		rc = EXIT_INTERRUPTED;
	else if (st->verdicts[VERDICT_ACCEPTS_RELAY] + st->verdicts[VERDICT_ACCEPTS_LOCALHOST] > 0)
		rc = EXIT_FOUND_OPEN;
	else if (all_skipped(&run))
		rc = EXIT_ALL_SKIPPED;
	else
		rc = EXIT_NOTHING_OPEN;

done:
	/* Every way out comes here: each is freed only if it was made. */
	if (sigint_ev != NULL)
		event_free(sigint_ev);
	if (sigterm_ev != NULL)
		event_free(sigterm_ev);
	engine_free(eng);
	dns_free(dns); /* after the engine: its requests are dropped, never called back */
	tls_client_ctx_free(o.eng.probe.tls);
	report_free(run.rep);
	audit_free(run.audit);
	if (base != NULL)
		event_base_free(base);
	target_source_free(src);
	cidr_list_free(allow);
	cidr_list_free(exclude);
	trust_free(trust);
	free(files);
	free(messages);
	free(mx);
	if (out != stdout && out != NULL && fclose(out) != 0 && rc != EXIT_RUNTIME) {
		fprintf(stderr, "smtpprobe: %s: %s\n", o.output, strerror(errno));
		rc = EXIT_RUNTIME;
	}
	return rc;
}
