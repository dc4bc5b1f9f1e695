/*
 * audit.c: transcripts, baseline, append and resume, progress; see audit.h.
 */
#include "config.h"

#include "cli/audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/bounds.h"
#include "reports/arf.h"
#include "reports/baseline.h"
#include "reports/previous.h"
#include "reports/transcript.h"
#include "targets/parse.h"

struct audit {
	struct audit_options o;
	struct baseline *base;
	struct transcripts *tr;
	struct arf *arf;           /* --abuse-report */
	struct target_source *src; /* --resume: the stream, told what the file has */
	size_t resumed;            /* rows already in the output file */
	int dropped;               /* a cut last row was removed */
	const char *output;

	/* The progress line. */
	struct event *tick;
	const struct engine *eng;
	const struct target_source *psrc;
	size_t total;
	long long start_ms;
	int drawn;

	struct probe_result row; /* a result with its change set */

	/* Rows whose transcript is still being written, oldest first (a ring). */
	struct probe_result *held;
	struct abuse_facts *held_abuse; /* the held rows' facts (row.abuse points here) */
	size_t held_first, nheld;
	struct event *drain; /* looks again while rows are held */
	int (*emit)(const struct probe_result *r, void *arg);
	void *emit_arg;
};

struct audit *
audit_new(const struct audit_options *ao, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof(*a));

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->o = *ao;
	if (ao->transcripts != NULL &&
	    (a->tr = transcripts_new(ao->transcripts, err, errlen)) == NULL)
		goto fail;
	if (ao->abuse_report != NULL) {
		struct arf_options o = {ao->abuse_report, ao->report_from, ao->report_headers_only,
		                        ao->outer};

		/* It passes each dialogue on to the transcripts. */
		if ((a->arf = arf_new(&o, a->tr != NULL ? transcripts_observer(a->tr) : NULL, err,
		                      errlen)) == NULL)
			goto fail;
	}
	if (ao->baseline != NULL) {
		char why[512];

		if ((a->base = baseline_load(ao->baseline, why, sizeof(why))) == NULL) {
			snprintf(err, errlen, "--baseline: %s", why);
			goto fail;
		}
	}
	return a;
fail:
	audit_free(a);
	return NULL;
}

void
audit_free(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->tick != NULL)
		event_free(a->tick);
	if (a->drain != NULL)
		event_free(a->drain);
	free(a->held);
	free(a->held_abuse);
	baseline_free(a->base);
	arf_free(a->arf);
	transcripts_free(a->tr);
	free(a);
}

const struct session_observer *
audit_observer(struct audit *a)
{
	if (a->arf != NULL)
		return arf_observer(a->arf);
	return a->tr != NULL ? transcripts_observer(a->tr) : NULL;
}

/* A row of the output file that --resume keeps: its target is done. */
static int
resume_row(const struct previous_row *row, void *arg)
{
	struct audit *a = arg;
	char *end;
	unsigned long port;

	a->resumed++;
	/* A row without an address (a bad input line) is known by its origin,
	 * so --resume does not report that line twice. */
	if (row->ip[0] == '\0')
		return a->o.resume && a->src != NULL && row->origin[0] != '\0'
		           ? target_source_mark_origin_done(a->src, row->origin)
		           : 0;
	port = strtoul(row->port, &end, 10);
	if (row->port[0] == '\0' || *end != '\0' || port == 0 || port > 65535)
		return 0;
	if (a->o.resume && a->src != NULL &&
	    target_source_mark_done(a->src, row->ip, (uint16_t)port) != 0 && errno == ENOMEM)
		return -1;
	if (a->base != NULL)
		baseline_mark_present(a->base, row->ip, row->port);
	return 0;
}

FILE *
audit_open_output(struct audit *a, const char *path, const char *format, struct target_source *src,
                  int *need_header, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;

	a->output = path;
	if (strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0) {
		/* Text has no header to know it by; appending deletes nothing. */
		if ((f = fopen(path, "a")) == NULL)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		*need_header = f != NULL && fstat(fileno(f), &st) == 0 && st.st_size == 0;
		return f;
	}
	a->src = src;
	if (strcmp(format, "jsonl") == 0)
		f = previous_open_append_jsonl(path, resume_row, a, need_header, &a->dropped, err,
		                               errlen);
	else
		f = previous_open_append(path, resume_row, a, need_header, &a->dropped, err,
		                         errlen);
	if (!a->o.resume)
		a->src = NULL;
	return f;
}

const struct probe_result *
audit_result(struct audit *a, const struct probe_result *r)
{
	/* A row without an address made after the stream (a name that does not
	 * resolve) that the file already reports: no second row. */
	if (a->src != NULL && r->target.salen == 0 &&
	    target_source_origin_done(a->src, r->target.origin))
		return NULL;
	if (a->base == NULL)
		return r;
	a->row = *r;
	baseline_compare(a->base, &a->row);
	return &a->row;
}

int
audit_baseline_counts(const struct audit *a, size_t *newly_open, size_t *changed)
{
	*newly_open = a->base != NULL ? baseline_newly_open(a->base) : 0;
	*changed = a->base != NULL ? baseline_changed(a->base) : 0;
	return a->base != NULL;
}

int
audit_emit_gone(struct audit *a, int (*emit)(const struct probe_result *r, void *arg), void *arg)
{
	return a->base != NULL ? baseline_emit_gone(a->base, emit, arg) : 0;
}

/*
 * Writes the held rows whose transcript is done, in order, each naming its
 * file only if it was written; with wait, waits for the first one. Returns
 * -1 when emit failed.
 */
static int
drain_rows(struct audit *a, int wait)
{
	while (a->nheld > 0) {
		struct probe_result *r = &a->held[a->held_first];
		int state = transcripts_job_state(a->tr, r->transcript_job);

		if (state == 0 && wait) {
			transcripts_wait_job(a->tr, r->transcript_job);
			state = transcripts_job_state(a->tr, r->transcript_job);
		}
		if (state == 0)
			break;
		if (state < 0)
			r->transcript[0] = '\0';
		a->held_first = (a->held_first + 1) % TRANSCRIPT_ROWS_HELD_MAX;
		a->nheld--;
		wait = 0;
		if (a->emit(r, a->emit_arg) != 0)
			return -1;
	}
	return 0;
}

static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct audit *a = arg;
	struct timeval tv = {0, TRANSCRIPT_ROWS_POLL_MS * 1000};

	if (drain_rows(a, 0) == 0 && a->nheld > 0)
		evtimer_add(a->drain, &tv);
}

int
audit_set_writer(struct audit *a, struct event_base *base,
                 int (*emit)(const struct probe_result *r, void *arg), void *arg)
{
	a->emit = emit;
	a->emit_arg = arg;
	if (a->tr == NULL)
		return 0;
	a->held = malloc(TRANSCRIPT_ROWS_HELD_MAX * sizeof(*a->held));
	a->drain = evtimer_new(base, drain_cb, a);
	return a->held != NULL && a->drain != NULL ? 0 : -1;
}

int
audit_write(struct audit *a, const struct probe_result *row)
{
	struct timeval tv = {0, TRANSCRIPT_ROWS_POLL_MS * 1000};
	size_t i;

	/* The row is final here, its facts valid: its report can be written. */
	if (a->arf != NULL)
		arf_row(a->arf, row);
	if (a->held == NULL || row->transcript_job == 0)
		return a->emit(row, a->emit_arg);
	/* The disk is behind: the oldest row waits for its file. */
	if (a->nheld == TRANSCRIPT_ROWS_HELD_MAX && drain_rows(a, 1) != 0)
		return -1;
	i = (a->held_first + a->nheld) % TRANSCRIPT_ROWS_HELD_MAX;
	a->held[i] = *row;
	/* The facts are the engine's until this call returns: a held row keeps a copy. */
	if (row->abuse != NULL) {
		if (a->held_abuse == NULL)
			a->held_abuse = malloc(TRANSCRIPT_ROWS_HELD_MAX * sizeof(*a->held_abuse));
		a->held[i].abuse = NULL; /* without memory, the row goes without them */
		if (a->held_abuse != NULL) {
			a->held_abuse[i] = *row->abuse;
			a->held[i].abuse = &a->held_abuse[i];
		}
	}
	a->nheld++;
	if (drain_rows(a, 0) != 0)
		return -1;
	if (a->nheld > 0 && !evtimer_pending(a->drain, NULL))
		evtimer_add(a->drain, &tv);
	return 0;
}

static void
draw(struct audit *a)
{
	const struct engine_stats *st = engine_stats(a->eng);
	long long ms = clock_now_ms() - a->start_ms;
	double secs = ms > 0 ? (double)ms / 1000 : 0.001;
	double rate = (double)st->results / secs;
	size_t done =
	    st->results + target_source_duplicates(a->psrc) + target_source_already_done(a->psrc);
	size_t open = st->verdicts[VERDICT_ACCEPTS_RELAY] + st->verdicts[VERDICT_ACCEPTS_LOCALHOST];

	fprintf(stderr, "\rsmtpprobe: %zu", done);
	if (a->total > 0 && done <= a->total)
		fprintf(stderr, "/%zu", a->total);
	fprintf(stderr, " done, %.0f/s, %zu accepting", rate, open);
	if (a->total > done && rate > 0) {
		long eta = (long)((double)(a->total - done) / rate + 0.5);

		fprintf(stderr, ", ETA %ld:%02ld", eta / 60, eta % 60);
	}
	fputs("\033[K", stderr); /* erase what a longer line left */
	fflush(stderr);
	a->drawn = 1;
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	draw(arg);
}

void
audit_progress_clear(struct audit *a)
{
	if (!a->drawn)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	a->drawn = 0;
}

void
audit_progress_start(struct audit *a, struct event_base *base, const struct engine *e,
                     const struct target_source *src, size_t total)
{
	struct timeval tv = {PROGRESS_INTERVAL_MS / 1000, (PROGRESS_INTERVAL_MS % 1000) * 1000};

	a->eng = e;
	a->psrc = src;
	a->total = total;
	a->start_ms = clock_now_ms();
	if (!a->o.progress)
		return;
	/* A persistent timer does not keep the loop alive: the engine ends it. */
	a->tick = event_new(base, -1, EV_PERSIST, tick_cb, a);
	if (a->tick != NULL)
		event_add(a->tick, &tv);
}

int
audit_end_run(struct audit *a)
{
	int rc = 0;

	if (a->tr != NULL)
		transcripts_finish(a->tr);
	if (a->tick != NULL)
		event_del(a->tick);
	if (a->drain != NULL)
		event_del(a->drain);
	audit_progress_clear(a);
	/* Every file is written or failed now: the rest of the rows go. */
	if (a->held != NULL)
		rc = drain_rows(a, 1);
	if (a->arf != NULL)
		arf_flush(a->arf); /* before the summary counts the reports */
	return rc;
}

void
audit_summary(struct audit *a, FILE *fp)
{
	int e = 0;
	size_t n;

	if (a->dropped)
		fprintf(fp,
		        "smtpprobe: %s: a half-written last row (killed run) was removed and its "
		        "target probed again\n",
		        a->output);
	if (a->o.resume)
		fprintf(fp, "smtpprobe: resumed: %zu row%s already in %s, not probed again\n",
		        a->resumed, a->resumed == 1 ? "" : "s", a->output);
	if (a->tr != NULL && (n = transcripts_failed(a->tr, &e)) > 0)
		fprintf(fp, "smtpprobe: %zu transcript%s could not be written: %s\n", n,
		        n == 1 ? "" : "s", transcripts_first_failure(a->tr));
	if (a->arf != NULL) {
		const char *first;

		n = arf_written(a->arf);
		if (n > 0)
			fprintf(fp, "smtpprobe: %zu abuse report%s written in %s (not sent)\n", n,
			        n == 1 ? "" : "s", a->o.abuse_report);
		if ((n = arf_failed(a->arf, &first)) > 0)
			fprintf(fp, "smtpprobe: %zu abuse report%s could not be written: %s\n", n,
			        n == 1 ? "" : "s", first);
	}
	if (a->base != NULL)
		baseline_summary(a->base, fp);
}

size_t
audit_count_targets(const char *path)
{
	char *line = NULL, err[TARGET_REASON_MAX];
	size_t cap = 0, n = 0;
	struct target t;
	struct stat st;
	ssize_t len;
	FILE *fp;

	if (strcmp(path, "-") == 0 || (fp = fopen(path, "re")) == NULL)
		return 0;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		return 0;
	}
	/* One row a line the parser reads as a target or as an error (a
	 * skipped row); a range's size is the source's business. */
	while ((len = getline(&line, &cap, fp)) > 0) {
		enum target_parse r;

		if (line[len - 1] == '\n')
			len--;
		r = target_parse_line(line, (size_t)len, DEFAULT_PORT, &t, err, sizeof(err));
		if (r == TP_RANGE) {
			n = 0;
			break;
		}
		n += r != TP_EMPTY;
	}
	free(line);
	fclose(fp);
	return n;
}
