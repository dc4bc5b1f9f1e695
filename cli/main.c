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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/audit.h"
#include "cli/hops.h"
#include "cli/options.h"
#include "cli/runfiles.h"
#include "prober/engine.h"
#include "prober/tls.h"
#include "record/relay.h"
#include "reports/report.h"
#include "targets/exclude.h"
#include "targets/message.h"
#include "targets/parse.h"
#include "targets/source.h"

struct run {
	struct report *rep;
	struct audit *audit;
	int write_failed;
	size_t skipped[POLICY_SKIP_CLASSES]; /* skipped rows written, by kind */
	size_t probed;                       /* other rows written */
	int out_tty; /* the report goes to a terminal, where the progress line is */
	/* Rows finished in one turn of the loop are held and written together
	 * when the turn's other callbacks have run (sync_cb); NULL when each
	 * row is written at once. */
	struct event *sync_ev;
};

/* Everything the run made, freed by app_free whatever was made. */
struct app {
	struct settings *s;
	struct cidr_list *allow, *exclude;
	struct target_source *src;
	struct event_base *base;
	struct dns *dns;
	struct lookup *lookup; /* --dnsbl, --asn, --abuse-contact */
	struct engine *eng;
	struct event *sigint_ev, *sigterm_ev;
	struct run run;
	FILE *out;
	int need_header;
	/* The nightly audit: the run's wall clock and command line. */
	double start, end;
	int argc;
	char **argv;
};

/*
 * Raises the descriptor limit to its hard limit and clamps the concurrency
 * to what it allows: FD_RESERVE for the run (standard streams, input and
 * output files, the transcript being written, DNS sockets, the loop's own)
 * and FD_PER_SESSION for each dialogue (its socket, and the one libevent
 * has yet to close when the next dialogue takes the slot; TLS adds none).
 * Whatever else runs short later is the engine's to back off from.
 */
static void
fit_descriptors(struct settings *o)
{
	struct rlimit rl;
	rlim_t soft;
	long room;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	soft = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Said when the old soft limit would have clamped the concurrency. */
	if (rl.rlim_cur != soft && soft != RLIM_INFINITY && !o->quiet &&
	    o->eng.concurrency > ((long)soft - FD_RESERVE) / FD_PER_SESSION) {
		if (rl.rlim_cur == RLIM_INFINITY)
			fprintf(stderr,
			        "smtpprobe: descriptor limit raised from %llu to unlimited\n",
			        (unsigned long long)soft);
		else
			fprintf(stderr, "smtpprobe: descriptor limit raised from %llu to %llu\n",
			        (unsigned long long)soft, (unsigned long long)rl.rlim_cur);
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
	/* Runs after this turn's other callbacks, once however many rows
	 * activate it. */
	if (run->sync_ev != NULL)
		event_active(run->sync_ev, EV_TIMEOUT, 0);
	return 0;
}

/* The rows held this turn: written before the loop waits again. */
static void
sync_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run *run = arg;

	(void)fd;
	(void)what;
	if (!run->write_failed && report_sync(run->rep) != 0)
		run->write_failed = errno ? errno : EIO;
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

/* The progress line's total: known for addresses in arguments and regular
 * files, not for ranges or a shard; 0 when unknown (a pipe). */
static size_t
progress_total(const struct settings *s)
{
	size_t total = s->ntargets, i;

	for (i = 0; i < s->ntargets; i++)
		if (strchr(s->targets[i], '/') != NULL)
			return 0;
	if (s->src.shard_count > 1)
		return 0;
	for (i = 0; s->audit.progress && i < s->nfiles; i++) {
		size_t n = audit_count_targets(s->files[i]);

		if (n == 0)
			return 0;
		total += n;
	}
	return total;
}

/* The allowlist and --exclude ranges, into the source's settings. */
static int
load_ranges(struct app *a)
{
	struct settings *s = a->s;
	char err[512];
	size_t i;

	if (s->allowlist != NULL) {
		/* Set but empty is a mistake (a variable that lost its value), not
		 * "no bound": only an unset variable means that. */
		if (s->allowlist[strspn(s->allowlist, " \t")] == '\0') {
			fprintf(stderr, "smtpprobe: %s is empty: name the ranges to probe%s\n",
			        s->allowlist_from,
			        s->allowlist_from[0] == '-' ? "" : " (unset it for no allowlist)");
			return EXIT_USAGE;
		}
		if ((a->allow = cidr_list_new()) == NULL)
			return EXIT_RUNTIME;
		if (cidr_list_add(a->allow, s->allowlist, err, sizeof(err)) != 0) {
			fprintf(stderr, "smtpprobe: allowlist: %s\n", err);
			return EXIT_USAGE;
		}
	}
	s->src.allowlist = a->allow;
	if (s->nexcludes > 0 && (a->exclude = cidr_list_new()) == NULL)
		return EXIT_RUNTIME;
	for (i = 0; i < s->nexcludes; i++) {
		if (exclude_load(a->exclude, s->excludes[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "smtpprobe: --exclude: %s\n", err);
			return EXIT_USAGE;
		}
	}
	s->src.exclude = a->exclude;
	return 0;
}

/* The target source, fed with --mx, the operands, -f files and messages. */
static int
make_source(struct app *a)
{
	struct settings *s = a->s;
	char err[512];
	size_t i;

	s->src.trust = s->trust;
	s->src.warn = s->quiet ? NULL : stderr;
	if ((a->src = target_source_new(&s->src)) == NULL)
		return EXIT_RUNTIME;
	for (i = 0; i < s->nmx; i++) { /* DNS: --mx DOMAIN is mx:DOMAIN */
		char arg[TARGET_LINE_MAX];

		snprintf(arg, sizeof(arg), "mx:%s", s->mx[i]);
		target_source_add_arg(a->src, arg);
	}
	for (i = 0; i < s->ntargets; i++)
		target_source_add_arg(a->src, s->targets[i]);
	for (i = 0; i < s->nfiles; i++) {
		if (target_source_add_file(a->src, s->files[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "smtpprobe: %s\n", err);
			return EXIT_USAGE;
		}
	}
	for (i = 0; i < s->nmessages; i++) {
		if (target_source_add_message(a->src, s->messages[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "smtpprobe: %s\n", err);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* The audit (transcripts, baseline, resume) and the report's stream. */
static int
open_output(struct app *a)
{
	struct settings *s = a->s;
	char err[512];

	if ((a->run.audit = audit_new(&s->audit, err, sizeof(err))) == NULL) {
		fprintf(stderr, "smtpprobe: %s\n", err);
		return EXIT_USAGE;
	}
	s->eng.probe.observer = audit_observer(a->run.audit);
	if (s->audit.append) {
		a->out = audit_open_output(a->run.audit, s->output, s->format, a->src,
		                           &a->need_header, err, sizeof(err));
		if (a->out == NULL) {
			fprintf(stderr, "smtpprobe: %s\n", err);
			return EXIT_USAGE;
		}
	} else if (s->output != NULL && (a->out = fopen(s->output, "w")) == NULL) {
		fprintf(stderr, "smtpprobe: %s: %s\n", s->output, strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}

/* The loop, TLS, DNS, the report, the engine and the signals it stops on:
 * every call that makes the engine is here. */
static int
start_engine(struct app *a)
{
	struct settings *s = a->s;
	char err[512];

	signal(SIGPIPE, SIG_IGN);
	fit_descriptors(s);
	s->eng.warn = s->quiet ? NULL : on_warn;
	s->eng.warn_arg = &a->run;
	/* TLS: one client context for the run, borrowed by sessions
	 * and made when the first of them needs it (at once with --ca-file). */
	if ((s->eng.probe.tls = tls_client_ctx_new(s->ca_file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "smtpprobe: %s\n", err);
		return s->ca_file != NULL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	a->base = event_base_new();
	/* DNS. */
	if (a->base != NULL && !s->no_dns) {
		s->dns.servers = s->dns_server;
		if ((a->dns = dns_new(a->base, &s->dns, err, sizeof(err))) == NULL) {
			fprintf(stderr, "smtpprobe: --dns-server: %s\n", err);
			return EXIT_USAGE;
		}
		s->eng.dns = a->dns;
		if (abuse_config_on(&s->abuse) &&
		    (s->eng.lookup = a->lookup = lookup_new(a->dns, &s->abuse)) == NULL) {
			fprintf(stderr, "smtpprobe: out of memory\n");
			return EXIT_RUNTIME;
		}
	}
	a->run.rep = report_new(report_writer_find(s->format), a->out);
	a->eng = a->base && a->run.rep &&
	                 audit_set_writer(a->run.audit, a->base, write_row, &a->run) == 0
	             ? engine_new(a->base, &s->eng, a->src, on_result, &a->run)
	             : NULL;
	if (a->eng == NULL) {
		fprintf(stderr, "smtpprobe: cannot start: out of memory\n");
		return EXIT_RUNTIME;
	}
	a->sigint_ev = evsignal_new(a->base, SIGINT, on_signal, a->eng);
	a->sigterm_ev = evsignal_new(a->base, SIGTERM, on_signal, a->eng);
	event_add(a->sigint_ev, NULL);
	event_add(a->sigterm_ev, NULL);
	return 0;
}

/* Seconds since the epoch. */
static double
wall_clock(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Probes every target and ends the report; returns the engine's status. */
static enum engine_status
run_engine(struct app *a, size_t total, double *secs)
{
	struct run *run = &a->run;
	enum engine_status status;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	a->start = wall_clock();
	if (a->need_header && report_begin(run->rep) != 0)
		run->write_failed = errno ? errno : EIO;
	run->out_tty = isatty(fileno(a->out));
	/* A terminal sees each row at once, before the progress line. */
	if (!run->out_tty && (run->sync_ev = event_new(a->base, -1, 0, sync_cb, run)) != NULL &&
	    report_hold_rows(run->rep) != 0) {
		event_free(run->sync_ev);
		run->sync_ev = NULL;
	}
	audit_progress_start(run->audit, a->base, a->eng, a->src, total);
	status = run->write_failed ? ENGINE_OUTPUT_ERROR : engine_run(a->eng);
	(void)audit_end_run(run->audit); /* write_row notes a failure */
	/* Gone rows only after a whole run: an interrupted one saw too little. */
	if (status == ENGINE_DONE && !run->write_failed)
		(void)audit_emit_gone(run->audit, write_row, run);
	if (report_end(run->rep) != 0 && !run->write_failed)
		run->write_failed = errno ? errno : EIO;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	a->end = wall_clock();
	*secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return status;
}

static int found_open(const struct app *a);

/* What the run came to, on stderr; returns the exit status. */
static int
finish(struct app *a, enum engine_status status, double secs)
{
	const struct engine_stats *st = engine_stats(a->eng);
	const struct settings *s = a->s;
	const struct run *run = &a->run;

	if (!s->quiet) {
		print_summary(a->eng, a->src, secs, s->output, run);
		audit_summary(run->audit, stderr);
	}
	if (status == ENGINE_INPUT_ERROR || status == ENGINE_RUNTIME_ERROR)
		fprintf(stderr, "smtpprobe: %s\n", engine_error(a->eng));
	if (st->cut > 0 && !run->write_failed && status != ENGINE_OUTPUT_ERROR)
		fprintf(stderr,
		        "smtpprobe: %zu dialogue%s cut by the %s %s not written; --resume probes "
		        "%s again\n",
		        st->cut, st->cut == 1 ? "" : "s",
		        status == ENGINE_INTERRUPTED ? "signal" : "failure",
		        st->cut == 1 ? "was" : "were", st->cut == 1 ? "it" : "them");
	if (run->write_failed)
		fprintf(stderr, "smtpprobe: writing %s: %s\n", s->output ? s->output : "the report",
		        strerror(run->write_failed));
	if (status == ENGINE_INTERRUPTED && !s->quiet)
		fprintf(stderr, "smtpprobe: interrupted; %zu finished rows written\n", st->results);

	if (run->write_failed || status == ENGINE_OUTPUT_ERROR || status == ENGINE_RUNTIME_ERROR)
		return EXIT_RUNTIME;
	if (status == ENGINE_INPUT_ERROR)
		return EXIT_USAGE;
	if (status == ENGINE_INTERRUPTED)
		return EXIT_INTERRUPTED;
	if (found_open(a))
		return EXIT_FOUND_OPEN;
	return all_skipped(run) ? EXIT_ALL_SKIPPED : EXIT_NOTHING_OPEN;
}

/* Whether the run found what --fail-on alerts on. */
static int
found_open(const struct app *a)
{
	const struct engine_stats *st = engine_stats(a->eng);
	size_t newly_open, changed;

	audit_baseline_counts(a->run.audit, &newly_open, &changed);
	switch (a->s->fail_on) {
	case FAIL_ON_NEW:
		return newly_open > 0;
	case FAIL_ON_CHANGED:
		return newly_open > 0 || changed > 0;
	default:
		return st->verdicts[VERDICT_ACCEPTS_RELAY] +
		           st->verdicts[VERDICT_ACCEPTS_LOCALHOST] >
		       0;
	}
}

static void
print_metrics(FILE *fp, void *arg)
{
	metrics_print(fp, arg);
}

struct metadata_args {
	const struct run_facts *f;
	int argc;
	char **argv;
};

static void
print_metadata(FILE *fp, void *arg)
{
	const struct metadata_args *m = arg;

	metadata_print(fp, m->f, m->argc, m->argv);
}

/* --metrics and --metadata, once the exit status is known, also for a run
 * that failed before the engine ran (its counts are 0); a file that cannot
 * be written makes it EXIT_RUNTIME. */
static int
write_run_files(const struct app *a, double secs, int rc)
{
	const struct engine_stats *st = a->eng != NULL ? engine_stats(a->eng) : NULL;
	struct run_facts f;
	struct metadata_args m = {&f, a->argc, a->argv};
	char err[1024];

	memset(&f, 0, sizeof(f));
	f.start = a->start;
	f.end = a->end;
	if (f.start == 0)
		f.start = f.end = wall_clock();
	f.secs = secs;
	if (st != NULL) {
		f.results = st->results;
		memcpy(f.verdicts, st->verdicts, sizeof(f.verdicts));
	}
	memcpy(f.skipped, a->run.skipped, sizeof(f.skipped));
	if (a->run.audit != NULL)
		f.has_baseline = audit_baseline_counts(a->run.audit, &f.newly_open, &f.changed);
	f.exit_status = rc;
	if (a->s->metadata != NULL &&
	    runfile_write(a->s->metadata, print_metadata, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "smtpprobe: --metadata: %s\n", err);
		rc = f.exit_status = EXIT_RUNTIME;
	}
	if (a->s->metrics != NULL &&
	    runfile_write(a->s->metrics, print_metrics, &f, err, sizeof(err)) != 0) {
		fprintf(stderr, "smtpprobe: --metrics: %s\n", err);
		rc = EXIT_RUNTIME;
	}
	return rc;
}

/* --extract-only: the hop tables, nothing probed. */
static int
extract_hops(struct app *a)
{
	const struct settings *s = a->s;
	struct hops_dnsbl bl;

	if (s->output != NULL && (a->out = fopen(s->output, "w")) == NULL) {
		fprintf(stderr, "smtpprobe: %s: %s\n", s->output, strerror(errno));
		return EXIT_RUNTIME;
	}
	/* --dnsbl: each suspect's listings, on a loop of its own. */
	if (s->abuse.nzones > 0) {
		struct abuse_config cfg = s->abuse;
		struct dns_config dc = s->dns;
		char err[256];

		cfg.asn = cfg.contact = 0; /* the hop table has a dnsbl column only */
		dc.servers = s->dns_server;
		if ((a->base = event_base_new()) == NULL) {
			fprintf(stderr, "smtpprobe: out of memory\n");
			return EXIT_RUNTIME;
		}
		if ((a->dns = dns_new(a->base, &dc, err, sizeof(err))) == NULL) {
			fprintf(stderr, "smtpprobe: --dns-server: %s\n", err);
			return EXIT_USAGE;
		}
		if ((a->lookup = lookup_new(a->dns, &cfg)) == NULL) {
			fprintf(stderr, "smtpprobe: out of memory\n");
			return EXIT_RUNTIME;
		}
		bl.base = a->base;
		bl.lookup = a->lookup;
	}
	return hops_extract(a->out, options_hops_text(s), s->messages, s->nmessages, s->trust,
	                    s->src.outer, s->quiet ? NULL : stderr, a->lookup != NULL ? &bl : NULL);
}

/* Sets up and runs the probe; returns the exit status. */
static int
probe(struct app *a)
{
	struct settings *s = a->s;
	enum engine_status status;
	char err[512];
	size_t total;
	double secs;
	int rc;

	s->audit.progress = !s->quiet && isatty(STDERR_FILENO);
	total = progress_total(s);
	if (source_check(&s->eng.probe, err, sizeof(err)) != 0) {
		fprintf(stderr, "smtpprobe: %s\n", err);
		return EXIT_USAGE;
	}
	if ((rc = load_ranges(a)) != 0 || (rc = make_source(a)) != 0 ||
	    (rc = open_output(a)) != 0 || (rc = start_engine(a)) != 0)
		return rc == EXIT_USAGE ? rc : write_run_files(a, 0, rc);
	status = run_engine(a, total, &secs);
	return write_run_files(a, secs, finish(a, status, secs));
}

/* Every way out comes here: each is freed only if it was made. Returns
 * the exit status, EXIT_RUNTIME if the report could not be closed. */
static int
app_free(struct app *a, int rc)
{
	if (a->sigint_ev != NULL)
		event_free(a->sigint_ev);
	if (a->sigterm_ev != NULL)
		event_free(a->sigterm_ev);
	if (a->run.sync_ev != NULL)
		event_free(a->run.sync_ev);
	engine_free(a->eng);
	lookup_free(a->lookup); /* before DNS: its answers are dropped */
	dns_free(a->dns);       /* after the engine: its requests are dropped, never called back */
	tls_client_ctx_free(a->s->eng.probe.tls);
	report_free(a->run.rep);
	audit_free(a->run.audit);
	if (a->base != NULL)
		event_base_free(a->base);
	target_source_free(a->src);
	cidr_list_free(a->allow);
	cidr_list_free(a->exclude);
	if (a->out != stdout && a->out != NULL && fclose(a->out) != 0 && rc != EXIT_RUNTIME) {
		fprintf(stderr, "smtpprobe: %s: %s\n", a->s->output, strerror(errno));
		rc = EXIT_RUNTIME;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct settings s;
	struct app a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.s = &s;
	a.out = stdout;
	a.need_header = 1;
	a.argc = argc;
	a.argv = argv;
	rc = options_parse(argc, argv, &s);
	if (rc == OPTIONS_RUN)
		rc = s.extract_only ? extract_hops(&a) : probe(&a);
	rc = app_free(&a, rc);
	settings_free(&s);
	message_mime_shutdown(); /* GMime's, when --message or --abuse-report used it */
	return rc;
}
