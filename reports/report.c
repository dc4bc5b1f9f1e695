/*
 * report.c: the table of writers and what every report shares: its output
 * stream and scratch buffers (report_impl.h). The formats are in csv.c and
 * text.c.
 */
#include "reports/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reports/columns.h"
#include "reports/report_impl.h"

static const struct report_writer *const writers[] = {
    &csv_writer,
    &text_writer,
    &jsonl_writer,
};

const struct report_writer *
report_writer_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(writers[i]->name, name) == 0)
			return writers[i];
	return NULL;
}

struct report *
report_new(const struct report_writer *w, FILE *out)
{
	struct report *rep;
	size_t linecap = REPORT_LINE_MAX(report_ncolumns);
	char *cell, *line;

	if ((rep = calloc(1, sizeof(*rep))) == NULL)
		return NULL;
	cell = malloc(REPORT_CELL_MAX);
	line = malloc(linecap);
	if (cell == NULL || line == NULL) {
		free(cell);
		free(line);
		free(rep);
		return NULL;
	}
	rep->writer = w;
	rep->out = out;
	sb_init(&rep->cell, cell, REPORT_CELL_MAX);
	sb_init(&rep->line, line, linecap);
	return rep;
}

void
report_free(struct report *rep)
{
	if (rep == NULL)
		return;
	free(rep->cell.buf);
	free(rep->line.buf);
	free(rep->held.buf);
	free(rep);
}

int
report_begin(struct report *rep)
{
	return rep->writer->begin != NULL ? rep->writer->begin(rep) : 0;
}

int
report_row(struct report *rep, const struct probe_result *r)
{
	return rep->writer->row(rep, r);
}

int
report_end(struct report *rep)
{
	return rep->writer->end != NULL ? rep->writer->end(rep) : 0;
}

FILE *
report_out(const struct report *rep)
{
	return rep->out;
}

const struct strbuf *
report_cell(struct report *rep, size_t i, const struct probe_result *r)
{
	sb_reset(&rep->cell);
	if (i < report_ncolumns)
		report_columns[i].format(r, &rep->cell);
	return &rep->cell;
}

int
report_write(struct report *rep, const char *s, size_t len)
{
	if (len == 0)
		return 0;
	errno = 0;
	if (fwrite(s, 1, len, rep->out) != len) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int
report_hold_rows(struct report *rep)
{
	char *buf;

	if (rep->held.buf != NULL)
		return 0;
	if ((buf = malloc(REPORT_HOLD_BYTES)) == NULL)
		return -1;
	sb_init(&rep->held, buf, REPORT_HOLD_BYTES);
	return 0;
}

int
report_sync(struct report *rep)
{
	return report_flush(rep);
}

int
report_put_row(struct report *rep, const char *s, size_t len)
{
	if (rep->held.buf != NULL && rep->held.len + len > rep->held.cap && report_flush(rep) < 0)
		return -1;
	if (rep->held.buf == NULL || len > rep->held.cap)
		return report_write(rep, s, len) < 0 ? -1 : report_flush(rep);
	memcpy(rep->held.buf + rep->held.len, s, len);
	rep->held.len += len;
	return 0;
}

int
report_flush(struct report *rep)
{
	size_t held = rep->held.len;

	rep->held.len = 0; /* written or failed: never twice */
	if (held > 0 && report_write(rep, rep->held.buf, held) < 0)
		return -1;
	errno = 0;
	if (fflush(rep->out) != 0 || ferror(rep->out)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
