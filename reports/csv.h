/*
 * csv.h: the CSV cell encoder, pure (no I/O), for tests and fuzzers. The CSV
 * writer itself is reached through report_writer_find("csv").
 */
#ifndef SMTPPROBE_CSV_H
#define SMTPPROBE_CSV_H

#include <stddef.h>

#include "common/strbuf.h"

/*
 * Appends raw[0..len) to out as one CSV cell: escaped with sb_append_escaped
 * (so the cell is printable UTF-8 on one line, whatever the bytes), quoted
 * when needed, and guarded against formula injection. Returns 0, or -1 when
 * the cell did not fit and was cut; a cut cell is still well formed (quotes
 * balanced, no character split) and out->truncated is set.
 */
int csv_escape_cell(const char *raw, size_t len, struct strbuf *out);

#endif
