/*
 * json.c: the JSON Lines writer, one object per result and per line, with
 * the fields of the column table in its order (RFC 8259; JSON Lines:
 * https://jsonlines.org). A column's kind says how its cell is written:
 * strings as strings, numbers as numbers (null when empty), lists as arrays
 * of strings, split at ';'.
 *
 * Unlike CSV, cells are not pre-escaped with sb_append_escaped: JSON has its
 * own escapes, and a parser gives back the server's bytes (those that were
 * valid UTF-8 exactly; the others as U+0080..U+00FF, see json.h).
 */
#include "reports/json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reports/columns.h"
#include "reports/report_impl.h"

static int jsonl_row(struct report *rep, const struct probe_result *r);
static int jsonl_end(struct report *rep);

const struct report_writer jsonl_writer = {
    .name = "jsonl",
    .begin = NULL,
    .row = jsonl_row,
    .end = jsonl_end,
};

int
json_escape_string(const char *raw, size_t len, struct strbuf *out)
{
	const unsigned char *p = (const unsigned char *)raw;
	size_t i = 0;
	char esc[8];
	const char *u;
	unsigned int cp;

	/* Room for both quotes, or nothing at all. */
	if (out->cap == 0 || out->cap - 1 - out->len < 2) {
		out->truncated = 1;
		return -1;
	}
	out->buf[out->len++] = '"';
	while (i < len) {
		size_t seq = utf8_decode(p + i, len - i, &cp), unit;

		if (seq == 0) {
			cp = p[i]; /* an invalid byte, read as Latin-1 */
			seq = 1;
		}
		u = esc;
		switch (cp) {
		case '"':
			u = "\\\"";
			break;
		case '\\':
			u = "\\\\";
			break;
		case '\n':
			u = "\\n";
			break;
		case '\r':
			u = "\\r";
			break;
		case '\t':
			u = "\\t";
			break;
		case '\b':
			u = "\\b";
			break;
		case '\f':
			u = "\\f";
			break;
		default:
			if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || utf8_is_invisible(cp) ||
			    (seq == 1 && cp >= 0x80))
				snprintf(esc, sizeof(esc), "\\u%04x", cp);
			else
				u = NULL; /* the bytes as they are */
			break;
		}
		unit = u != NULL ? strlen(u) : seq;
		/* Keep one byte for the closing quote: a cut string still ends. */
		if (out->len + unit + 1 > out->cap - 1) {
			out->truncated = 1;
			break;
		}
		memcpy(out->buf + out->len, u != NULL ? u : raw + i, unit);
		out->len += unit;
		i += seq;
	}
	out->buf[out->len++] = '"';
	out->buf[out->len] = '\0';
	return i < len ? -1 : 0;
}

/* A number cell: digits only, else it is written as a string (never bad JSON). */
static void
put_number(struct report *rep, const struct strbuf *cell)
{
	if (cell->len == 0)
		sb_puts(&rep->line, "null");
	else if (strspn(cell->buf, "0123456789") == cell->len && cell->len < 20)
		sb_append(&rep->line, cell->buf, cell->len);
	else
		(void)json_escape_string(cell->buf, cell->len, &rep->line);
}

static void
put_list(struct report *rep, const struct strbuf *cell)
{
	const char *p = cell->buf, *end = cell->buf + cell->len, *semi;

	sb_putc(&rep->line, '[');
	while (p < end) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		if (p != cell->buf)
			sb_putc(&rep->line, ',');
		(void)json_escape_string(p, (size_t)(semi - p), &rep->line);
		p = semi + 1;
	}
	sb_putc(&rep->line, ']');
}

static int
jsonl_row(struct report *rep, const struct probe_result *r)
{
	size_t j;

	sb_reset(&rep->line);
	sb_putc(&rep->line, '{');
	for (j = 0; j < report_nselected(); j++) {
		size_t i = report_selected(j);
		const struct strbuf *cell = report_cell(rep, i, r);

		if (j > 0)
			sb_putc(&rep->line, ',');
		(void)json_escape_string(report_columns[i].name, strlen(report_columns[i].name),
		                         &rep->line);
		sb_putc(&rep->line, ':');
		switch (report_columns[i].kind) {
		case COL_NUMBER:
			put_number(rep, cell);
			break;
		case COL_LIST:
			put_list(rep, cell);
			break;
		case COL_STRING:
		default:
			(void)json_escape_string(cell->buf, cell->len, &rep->line);
			break;
		}
	}
	sb_puts(&rep->line, "}\n");
	if (rep->line.truncated) {
		/* Cannot happen with the caps in bounds.h (every escaped field
		 * fits the line); if it ever does, write no broken object. */
		errno = EOVERFLOW;
		return -1;
	}
	return report_put_row(rep, rep->line.buf, rep->line.len);
}

static int
jsonl_end(struct report *rep)
{
	return report_flush(rep);
}
