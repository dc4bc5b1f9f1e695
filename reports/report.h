/*
 * report.h: writers of probe results (CSV, text), in the shape of zmap's
 * output modules: one struct of function pointers per format, one table.
 *
 * Rows are written and flushed as results arrive, so `tail -f` and a crash
 * both see whole rows only. Every cell comes from the one column table
 * (columns.h); no writer invents fields of its own.
 */
#ifndef SMTPPROBE_REPORT_H
#define SMTPPROBE_REPORT_H

#include <stdio.h>

#include "record/result.h"

struct report;

struct report_writer {
	const char *name; /* "csv", "text" */
	int (*begin)(struct report *rep);
	int (*row)(struct report *rep, const struct probe_result *r);
	int (*end)(struct report *rep);
};

/* Looks a writer up by name; NULL when there is none. */
const struct report_writer *report_writer_find(const char *name);

/*
 * Opens a report of the given writer on out (not closed by report_free).
 * Returns NULL on allocation failure.
 */
struct report *report_new(const struct report_writer *w, FILE *out);
void report_free(struct report *rep);

/* Each returns 0, or -1 when writing failed (errno set). */
int report_begin(struct report *rep);
int report_row(struct report *rep, const struct probe_result *r);
int report_end(struct report *rep);

FILE *report_out(const struct report *rep);

#endif
