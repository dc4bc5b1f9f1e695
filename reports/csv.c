/*
 * csv.c: the CSV writer, a header row of column names, then one row per
 * result, as RFC 4180 describes, with two departures on purpose:
 *
 *  - Lines end in LF, not CRLF. The file is read by grep, awk, cut and
 *    `tail -f` far more often than by anything that needs CRLF, and
 *    spreadsheets and RFC 4180 parsers accept LF.
 *  - Every cell is escaped first (sb_append_escaped: \n, \r, \\, \xNN,
 *    \u{XXXX} for characters that reorder or hide text), so a
 *    cell never spans lines: a row is always exactly one line of printable
 *    UTF-8, whatever bytes a server sent.
 *
 * A cell a spreadsheet would take for a formula (OWASP "CSV injection":
 * = + - @ tab CR first) gets a leading ' inside quotes.
 */
#include "reports/csv.h"

#include <string.h>

#include "reports/columns.h"
#include "reports/report_impl.h"

static int csv_begin(struct report *rep);
static int csv_row(struct report *rep, const struct probe_result *r);
static int csv_end(struct report *rep);

const struct report_writer csv_writer = {
    .name = "csv",
    .begin = csv_begin,
    .row = csv_row,
    .end = csv_end,
};

static int
formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* A byte that is itself in a cell: printable ASCII, not an escape's
 * backslash, nor a quote or comma that would want the cell quoted. */
#define PLAIN_BYTE(b) ((b) >= 0x20 && (b) < 0x7f && (b) != '\\' && (b) != '"' && (b) != ',')
#define PLAIN_ROW(b)                                                                               \
	PLAIN_BYTE(b), PLAIN_BYTE((b) + 1), PLAIN_BYTE((b) + 2), PLAIN_BYTE((b) + 3),              \
	    PLAIN_BYTE((b) + 4), PLAIN_BYTE((b) + 5), PLAIN_BYTE((b) + 6), PLAIN_BYTE((b) + 7),    \
	    PLAIN_BYTE((b) + 8), PLAIN_BYTE((b) + 9), PLAIN_BYTE((b) + 10), PLAIN_BYTE((b) + 11),  \
	    PLAIN_BYTE((b) + 12), PLAIN_BYTE((b) + 13), PLAIN_BYTE((b) + 14), PLAIN_BYTE((b) + 15)
/* PLAIN_BYTE for each byte value: every byte of every cell is looked up. */
static const unsigned char plain_bytes[256] = {
    PLAIN_ROW(0x00), PLAIN_ROW(0x10), PLAIN_ROW(0x20), PLAIN_ROW(0x30),
    PLAIN_ROW(0x40), PLAIN_ROW(0x50), PLAIN_ROW(0x60), PLAIN_ROW(0x70),
    PLAIN_ROW(0x80), PLAIN_ROW(0x90), PLAIN_ROW(0xa0), PLAIN_ROW(0xb0),
    PLAIN_ROW(0xc0), PLAIN_ROW(0xd0), PLAIN_ROW(0xe0), PLAIN_ROW(0xf0),
};
#undef PLAIN_ROW
#undef PLAIN_BYTE

/* 1 for a cell that is its own encoding, as most are: empty, or printable
 * ASCII with nothing to escape or quote and no formula start. */
static int
plain_cell(const char *raw, size_t len)
{
	size_t i;

	for (i = 0; i < len && plain_bytes[(unsigned char)raw[i]]; i++)
		;
	return i == len &&
	       (len == 0 || (!formula_start(raw[0]) && raw[0] != ' ' && raw[len - 1] != ' '));
}

/* Length of the escape at cell[i] (a backslash): \xNN, \u{XXXX} or \n. */
static size_t
escape_len(const char *cell, size_t i, size_t n)
{
	if (i + 1 < n && cell[i + 1] == 'x')
		return 4;
	if (i + 1 < n && cell[i + 1] == 'u')
		return 8;
	return 2;
}

/*
 * Length of cell without an escape that truncation cut short ("\x1" of
 * "\x1b"): a cut cell must still decode. Escapes are read from the start,
 * since "\\" makes a backslash ambiguous when read backwards.
 */
static size_t
drop_partial_escape(const char *cell, size_t n)
{
	size_t i = 0, esc;

	while (i < n) {
		if (cell[i] != '\\') {
			i++;
			continue;
		}
		esc = escape_len(cell, i, n);
		if (i + esc > n)
			return i;
		i += esc;
	}
	return n;
}

/* Length of the unit at cell[i]: an escape, or one UTF-8 character. */
static size_t
unit_len(const char *cell, size_t i, size_t n)
{
	size_t u = 1;

	if (cell[i] == '\\')
		u = escape_len(cell, i, n);
	else if ((unsigned char)cell[i] >= 0xc0)
		while (i + u < n && ((unsigned char)cell[i + u] & 0xc0) == 0x80)
			u++;
	return i + u <= n ? u : n - i;
}

int
csv_escape_cell(const char *raw, size_t len, struct strbuf *out)
{
	size_t start = out->len, n, i, quotes = 0;
	int was_truncated = out->truncated, cut, inject, quote;
	char *cell;

	if (out->cap == 0) {
		out->truncated |= len > 0;
		return len > 0 ? -1 : 0;
	}
	if (plain_cell(raw, len) && len <= out->cap - 1 - start) {
		memcpy(out->buf + start, raw, len);
		out->len = start + len;
		out->buf[out->len] = '\0';
		return 0;
	}
	out->truncated = 0;
	sb_append_escaped(out, raw, len);
	cut = out->truncated;
	cell = out->buf + start;
	n = out->len - start;
	if (cut)
		n = drop_partial_escape(cell, n);

	/* The raw byte catches tab and CR, which escaping turns into "\t", "\r". */
	inject = (len > 0 && formula_start(raw[0])) || (n > 0 && formula_start(cell[0]));
	quote = inject || (n > 0 && (cell[0] == ' ' || cell[n - 1] == ' '));
	for (i = 0; i < n; i++) {
		if (cell[i] == '"') {
			quotes++;
			quote = 1;
		} else if (cell[i] == ',') {
			quote = 1;
		}
	}
	if (quote) {
		size_t extra = 2 + (size_t)inject + quotes, room = out->cap - 1 - start, w;

		if (n + extra > room) {
			/* Keep the longest prefix of whole units that fits, quoted. */
			for (i = 0, quotes = 0; i < n; i++) {
				size_t u = unit_len(cell, i, n), q = cell[i] == '"';

				if (i + u + 2 + (size_t)inject + quotes + q > room)
					break;
				i += u - 1;
				quotes += q;
			}
			n = i;
			extra = 2 + (size_t)inject + quotes;
			cut = 1;
		}
		if (n + extra > room) {
			/* Not even the quotes fit: leave no half cell behind. */
			out->len = start;
			out->buf[start] = '\0';
			out->truncated = 1;
			return -1;
		}
		/*
		 * Expand in place from the end: the write position stays above
		 * every byte not read yet, by the opening quote at least.
		 */
		w = start + n + extra;
		out->buf[w] = '\0';
		out->buf[--w] = '"';
		for (i = n; i > 0; i--) {
			char c = cell[i - 1];

			out->buf[--w] = c;
			if (c == '"')
				out->buf[--w] = '"';
		}
		if (inject)
			out->buf[--w] = '\'';
		out->buf[--w] = '"';
		out->len = start + n + extra;
	} else {
		out->len = start + n;
		out->buf[out->len] = '\0';
	}
	out->truncated = was_truncated || cut;
	return cut ? -1 : 0;
}

/* Ends the line in rep->line and writes it, whole. */
static int
put_line(struct report *rep)
{
	sb_putc(&rep->line, '\n');
	return report_put_row(rep, rep->line.buf, rep->line.len);
}

/* Appends one encoded cell to rep->line; each is capped at REPORT_CELL_MAX. */
static void
put_cell(struct report *rep, size_t col, const char *raw, size_t len)
{
	struct strbuf cell;
	size_t room;

	if (col > 0)
		sb_putc(&rep->line, ',');
	/* Encoded straight onto the row's end (no copy), capped as one cell. */
	room = rep->line.cap - rep->line.len;
	sb_init(&cell, rep->line.buf + rep->line.len,
	        room < REPORT_CELL_MAX ? room : REPORT_CELL_MAX);
	(void)csv_escape_cell(raw, len, &cell);
	rep->line.len += cell.len;
	rep->line.truncated |= cell.truncated && room < REPORT_CELL_MAX;
}

/*
 * Appends column c of r as the row's cell number col. The raw value is
 * formatted straight onto the row's end, where a plain one that fits whole
 * is already its encoding; any other is formatted again apart and encoded
 * from there by put_cell.
 */
static void
put_column(struct report *rep, size_t col, size_t c, const struct probe_result *r)
{
	size_t sep = col > 0, room = rep->line.cap - rep->line.len; /* >= 1: the NUL */
	const struct strbuf *raw;
	struct strbuf cell;

	if (room > sep) {
		room -= sep;
		sb_init(&cell, rep->line.buf + rep->line.len + sep,
		        room < REPORT_CELL_MAX ? room : REPORT_CELL_MAX);
		report_columns[c].format(r, &cell);
		if (!cell.truncated && plain_cell(cell.buf, cell.len)) {
			if (sep)
				rep->line.buf[rep->line.len] = ',';
			rep->line.len += sep + cell.len;
			return;
		}
		rep->line.buf[rep->line.len] = '\0';
	}
	raw = report_cell(rep, c, r);
	put_cell(rep, col, raw->buf, raw->len);
}

static int
csv_begin(struct report *rep)
{
	size_t i;

	sb_reset(&rep->line);
	for (i = 0; i < report_nselected(); i++) {
		const char *name = report_columns[report_selected(i)].name;

		put_cell(rep, i, name, strlen(name));
	}
	return put_line(rep);
}

static int
csv_row(struct report *rep, const struct probe_result *r)
{
	size_t i, n = report_nselected();

	sb_reset(&rep->line);
	for (i = 0; i < n; i++)
		put_column(rep, i, report_selected(i), r);
	return put_line(rep);
}

static int
csv_end(struct report *rep)
{
	return report_flush(rep);
}
