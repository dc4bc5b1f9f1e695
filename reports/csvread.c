/*
 * csvread.c: the CSV record reader; see csvread.h.
 *
 * A small state machine over one line, after RFC 4180 section 2: a cell is
 * either bare (no quote in it) or quoted from its first byte to a closing
 * quote followed by a comma or the end, with "" standing for one quote.
 */
#include "reports/csvread.h"

#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "reports/columns.h"

int
csv_parse_record(const char *line, size_t len, struct csv_record *rec, char *buf, size_t bufsize,
                 char *err, size_t errlen)
{
	size_t i = 0, w = 0;

	rec->n = 0;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	for (;;) {
		size_t start = w;

		if (rec->n >= CSV_FIELDS_MAX) {
			snprintf(err, errlen, "more than %d cells", CSV_FIELDS_MAX);
			return -1;
		}
		if (i < len && line[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					snprintf(err, errlen, "cell %zu: quote not closed",
					         rec->n + 1);
					return -1;
				}
				if (line[i] == '"') {
					if (i + 1 < len && line[i + 1] == '"') {
						i++;
					} else {
						i++;
						break;
					}
				}
				if (w + 1 >= bufsize)
					goto too_long;
				buf[w++] = line[i++];
			}
			if (i < len && line[i] != ',') {
				snprintf(err, errlen, "cell %zu: text after the closing quote",
				         rec->n + 1);
				return -1;
			}
		} else {
			while (i < len && line[i] != ',') {
				if (line[i] == '"') {
					snprintf(err, errlen, "cell %zu: quote inside a bare cell",
					         rec->n + 1);
					return -1;
				}
				if (w + 1 >= bufsize)
					goto too_long;
				buf[w++] = line[i++];
			}
		}
		if (w >= bufsize)
			goto too_long;
		buf[w++] = '\0';
		rec->cell[rec->n] = buf + start;
		rec->len[rec->n] = w - 1 - start;
		rec->n++;
		if (i >= len)
			return 0;
		i++; /* the comma */
	}
too_long:
	snprintf(err, errlen, "record too long");
	return -1;
}

int
csv_record_find(const struct csv_record *rec, const char *name)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		if (strcmp(rec->cell[i], name) == 0)
			return (int)i;
	return -1;
}

int
csv_header_check(const struct csv_record *rec, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < rec->n && i < report_nselected(); i++) {
		const char *want = report_columns[report_selected(i)].name;

		if (strcmp(rec->cell[i], want) != 0) {
			char shown[64];
			struct strbuf sb;

			/* A file's bytes, about to reach a terminal: escaped. */
			sb_init(&sb, shown, sizeof(shown));
			sb_append_escaped(&sb, rec->cell[i], rec->len[i] < 40 ? rec->len[i] : 40);
			snprintf(err, errlen, "column %zu is \"%s\", not \"%s\"", i + 1, shown,
			         want);
			return -1;
		}
	}
	if (rec->n != report_nselected()) {
		snprintf(err, errlen, "%zu columns, not the %zu of this version%s", rec->n,
		         report_nselected(),
		         report_nselected() < report_ncolumns ? "'s --columns" : "");
		return -1;
	}
	return 0;
}
