/*
 * report.h: writers of probe results (CSV, text), in the shape of zmap's
 * output modules: one struct of function pointers per format, one table.
 *
 * Rows are written and flushed as results arrive, so `tail -f` and a crash
 * both see whole rows only. A caller that writes many rows in one turn of
 * its loop can hold them (report_hold_rows) and write them together at the
 * turn's end (report_sync). Every cell comes from the one column table
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

/*
 * From now on, CSV and JSONL rows wait in a buffer of REPORT_HOLD_BYTES
 * until report_sync, report_end, or a row that does not fit; text rows
 * still go one by one. Returns 0, or -1 when memory ran out (nothing held).
 */
int report_hold_rows(struct report *rep);
/* Writes the rows held and flushes: 0, or -1 when writing failed. */
int report_sync(struct report *rep);

FILE *report_out(const struct report *rep);

#endif
