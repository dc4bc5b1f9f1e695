/*
 * report_impl.h: what report.c shares with the writers (csv.c, text.c).
 * Private to reports/: nothing outside this folder includes it.
 *
 * A report owns its scratch buffers, allocated once in report_new, so writing
 * a row allocates nothing.
 */
#ifndef SMTPPROBE_REPORT_IMPL_H
#define SMTPPROBE_REPORT_IMPL_H

#include <stdio.h>

#include "common/strbuf.h"
#include "reports/report.h"

struct report {
	const struct report_writer *writer;
	FILE *out;          /* the caller's; never closed here */
	struct strbuf cell; /* one column's raw value, REPORT_CELL_MAX */
	struct strbuf line; /* a whole row or output line, REPORT_LINE_MAX */
	struct strbuf held; /* whole rows not written yet (report_hold_rows) */
};

/* Room for every column's encoded cell, the separators and the line end. */
#define REPORT_LINE_MAX(ncolumns) ((ncolumns) * (REPORT_CELL_MAX + 1) + 1)

extern const struct report_writer csv_writer;
extern const struct report_writer text_writer;
extern const struct report_writer jsonl_writer; /* json.c */

/* Formats column i of r into rep->cell (reset first); returns rep->cell. */
const struct strbuf *report_cell(struct report *rep, size_t i, const struct probe_result *r);

/* Writes len bytes to the report's output: 0, or -1 (errno set). */
int report_write(struct report *rep, const char *s, size_t len);
/* Writes the held rows, if any, and flushes the output, so readers see
 * whole rows only: 0, or -1. */
int report_flush(struct report *rep);
/* Writes one whole row (or line): held when rows are held and it fits,
 * else written and flushed with the rows held before it. 0, or -1. */
int report_put_row(struct report *rep, const char *s, size_t len);

#endif
