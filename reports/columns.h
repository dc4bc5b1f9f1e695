/*
 * columns.h: the one table of report columns. CSV's header, its cells, the
 * text report's fields and the man page's list all come from it; names are
 * stable once released.
 */
#ifndef SMTPPROBE_COLUMNS_H
#define SMTPPROBE_COLUMNS_H

#include <stddef.h>

#include "common/strbuf.h"
#include "record/result.h"

/* What a cell holds, for formats with types (JSON): CSV and text ignore it. */
enum column_kind {
	COL_STRING = 0,
	COL_NUMBER, /* decimal digits, or empty for none (JSON null) */
	COL_LIST,   /* items ';'-joined (JSON array of strings); empty is [] */
};

struct column {
	const char *name;
	const char *doc; /* one line, for --help-columns and the man page */
	/* Appends the cell's raw value (server bytes unescaped) to sb. */
	void (*format)(const struct probe_result *r, struct strbuf *sb);
	enum column_kind kind;
};

extern const struct column report_columns[];
extern const size_t report_ncolumns;

/* Index of a column by name, or -1. */
int report_column_index(const char *name);

/*
 * --columns: the columns CSV and JSON Lines write, and read back, in order;
 * all of them unless report_columns_select was given a list (comma-separated
 * names, each once). One selection for the process. Returns 0, or -1 with
 * err (an unknown or repeated name; the selection is then unchanged).
 */
int report_columns_select(const char *list, char *err, size_t errlen);
size_t report_nselected(void);
/* The index in report_columns of the j-th selected column. */
size_t report_selected(size_t j);

#endif
