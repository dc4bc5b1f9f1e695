/*
 * audit.h: what main.c wires in for audit-grade runs, in one
 * place: evidence transcripts (--transcripts), the comparison with a
 * previous run (--baseline), adding to an earlier report (--append,
 * --resume), and the progress line on a terminal.
 *
 * Ownership: the audit owns its baseline, transcripts and progress timer;
 * the event base, engine and target source stay main's and must outlive it.
 */
#ifndef SMTPPROBE_AUDIT_H
#define SMTPPROBE_AUDIT_H

#include <event2/event.h>
#include <stddef.h>
#include <stdio.h>

#include "prober/engine.h"
#include "record/observer.h"
#include "targets/source.h"

struct audit_options {
	const char *transcripts; /* DIR, or NULL */
	const char *baseline;    /* PREVIOUS.csv, or NULL */
	int append;              /* add rows to -o FILE, header once */
	int resume;              /* --append, and skip targets FILE already has */
	int progress;            /* draw the progress line on stderr */
	/* Forwarded spam and abuse reports (reports/arf.h). */
	const char *abuse_report; /* DIR, or NULL */
	const char *report_from;  /* its From: */
	int report_headers_only;  /* attach the spam's header only */
	int outer;                /* --outer: the messages as they are */
};

struct audit;

/* Loads the baseline and checks the transcript directory: NULL with err. */
struct audit *audit_new(const struct audit_options *ao, char *err, size_t errlen);
void audit_free(struct audit *a);

/* The observer for probe_settings, or NULL without --transcripts. */
const struct session_observer *audit_observer(struct audit *a);

/*
 * Opens -o FILE for --append or --resume: its header must be this version's;
 * with --resume each of its targets is marked done in src. format is the
 * report's: CSV and JSON Lines are read back (a JSON Lines file must start
 * like one of our rows); text is appended as is. A file that is not our
 * report is refused and left as it is. *need_header is set when the file has
 * no header yet. NULL with err.
 */
FILE *audit_open_output(struct audit *a, const char *path, const char *format,
                        struct target_source *src, int *need_header, char *err, size_t errlen);

/* The row to write for r: r itself, or a copy with its change column set;
 * NULL when --resume's file already has it (a bad input line, by origin). */
const struct probe_result *audit_result(struct audit *a, const struct probe_result *r);

/* Rows for baseline targets this run did not report, through emit. */
int audit_emit_gone(struct audit *a, int (*emit)(const struct probe_result *r, void *arg),
                    void *arg);

/* Starts the progress line (if asked for); total is 0 when unknown. */
void audit_progress_start(struct audit *a, struct event_base *base, const struct engine *e,
                          const struct target_source *src, size_t total);
/*
 * Where rows go: emit writes one (0, or -1 when the output failed). With
 * --transcripts, a row waits (in order, TRANSCRIPT_ROWS_HELD_MAX at most)
 * until its transcript file is written, and then names it only if it was.
 * Returns -1 out of memory.
 */
int audit_set_writer(struct audit *a, struct event_base *base,
                     int (*emit)(const struct probe_result *r, void *arg), void *arg);
/* Writes a row (audit_result's) through emit, now or when its transcript is
 * written. Returns -1 when emit failed. */
int audit_write(struct audit *a, const struct probe_result *row);
/* Erases the progress line, if drawn, so that a report written to the same
 * terminal starts on a clean line; the next tick draws it again. */
void audit_progress_clear(struct audit *a);
/* The loop is over: waits for the transcript writer, erases the progress
 * line so the summary starts on a clean line, writes the rows still held.
 * Returns -1 when emit failed. */
int audit_end_run(struct audit *a);

/* With --baseline: 1, and the targets newly accepting relay or localhost
 * RCPTs and those whose verdict changed; 0 without. */
int audit_baseline_counts(const struct audit *a, size_t *newly_open, size_t *changed);

/* Lines for the end of run summary (baseline changes, resume, transcripts). */
void audit_summary(struct audit *a, FILE *fp);

/* Counts the target lines of a regular file as targets/parse.h reads them
 * (a bad line is a row too; blank and comment lines are not): the progress
 * line's total. 0 for a pipe, an unreadable file or one with a range:
 * unknown. */
size_t audit_count_targets(const char *path);

#endif
