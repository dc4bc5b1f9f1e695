/*
 * csvread.h: the CSV record reader, pure (no I/O), for reading back what the
 * CSV writer wrote (--baseline, --resume, --append) and for tests and
 * fuzzers.
 *
 * smtpprobe's CSV never spans lines (csv.c escapes line ends inside cells),
 * so a record is one line. Cells come back unquoted with "" undoubled, but
 * still escaped as the writer escaped them (\n, \xNN, a leading ' before a
 * formula): the round-trip rule is that a cell reads back as the escaped
 * text, not as the server's raw bytes. The columns read back (ip, port,
 * verdict, origin) never need unescaping.
 */
#ifndef SMTPPROBE_CSVREAD_H
#define SMTPPROBE_CSVREAD_H

#include <stddef.h>

#include "common/bounds.h"

struct csv_record {
	size_t n;                         /* cells */
	const char *cell[CSV_FIELDS_MAX]; /* NUL-terminated, pointing into the caller's buf */
	size_t len[CSV_FIELDS_MAX];
};

/*
 * Parses line[0..len) (no line end; a trailing CR is taken as part of the
 * line end and dropped) into rec, the cells written to buf, which needs
 * len + CSV_FIELDS_MAX bytes at most. Returns 0, or -1 with err filled: a
 * quote left open, bytes after a closing quote, more than CSV_FIELDS_MAX
 * cells, or buf too small.
 */
int csv_parse_record(const char *line, size_t len, struct csv_record *rec, char *buf,
                     size_t bufsize, char *err, size_t errlen);

/* Index of the cell equal to name, or -1 (a header lookup). */
int csv_record_find(const struct csv_record *rec, const char *name);

/*
 * Checks a header record against the column table: 0 when it names the
 * current columns in order, else -1 with err saying the first difference.
 */
int csv_header_check(const struct csv_record *rec, char *err, size_t errlen);

#endif
