/*
 * test_csvread.c: the CSV record reader (a table of records, good and
 * malformed), the round trip of the writer's cells through the reader
 * (random hostile bytes: every cell comes back as its escaped text), the
 * header check against the column table, and previous_read on files: a run
 * killed mid-row leaves a cut last line that is never taken as a row.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/columns.h"
#include "reports/csv.h"
#include "reports/csvread.h"
#include "reports/previous.h"
#include "tests/tap.h"

#define S(lit) lit, sizeof(lit) - 1

struct rec_case {
	const char *what;
	const char *line;
	size_t len;
	int rc;
	size_t n;
	const char *cells[4];
};

static const struct rec_case cases[] = {
    {"one cell", S("a"), 0, 1, {"a"}},
    {"empty line is one empty cell", S(""), 0, 1, {""}},
    {"three cells", S("a,b,c"), 0, 3, {"a", "b", "c"}},
    {"empty cells", S(",,"), 0, 3, {"", "", ""}},
    {"quoted comma", S("\"a,b\",c"), 0, 2, {"a,b", "c"}},
    {"doubled quotes", S("\"say \"\"hi\"\"\""), 0, 1, {"say \"hi\""}},
    {"injection guard kept", S("\"'=1+2\",x"), 0, 2, {"'=1+2", "x"}},
    {"escapes kept as text", S("220-a\\n220 b"), 0, 1, {"220-a\\n220 b"}},
    {"CR of CRLF dropped", S("a,b\r"), 0, 2, {"a", "b"}},
    {"quoted empty", S("\"\",x"), 0, 2, {"", "x"}},
    {"open quote", S("\"abc"), -1, 0, {NULL}},
    {"text after closing quote", S("\"a\"b,c"), -1, 0, {NULL}},
    {"quote in a bare cell", S("a\"b"), -1, 0, {NULL}},
};

static void
test_cases(void)
{
	char buf[256], err[128];
	struct csv_record rec;
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rec_case *c = &cases[i];
		int rc =
		    csv_parse_record(c->line, c->len, &rec, buf, sizeof(buf), err, sizeof(err));

		is_int(rc, c->rc, "record: %s: %s", c->what, rc == 0 ? "parsed" : err);
		if (rc != 0 || c->rc != 0)
			continue;
		is_int(rec.n, c->n, "record: %s: %zu cells", c->what, c->n);
		for (k = 0; k < rec.n && k < c->n; k++)
			is_str(rec.cell[k], c->cells[k], "record: %s: cell %zu", c->what, k);
	}

	{
		char line[CSV_FIELDS_MAX * 2 + 4];

		memset(line, ',', sizeof(line));
		ok(csv_parse_record(line, sizeof(line), &rec, buf, sizeof(buf), err, sizeof(err)) ==
		       -1,
		   "more than CSV_FIELDS_MAX cells: -1 (%s)", err);
	}
	ok(csv_parse_record(S("abcdef"), &rec, buf, 4, err, sizeof(err)) == -1,
	   "a buffer too small: -1, not an overflow");
}

static uint32_t rng = 88172645u;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static int
formula(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* The writer's cells read back: each is the escaped text, guard included. */
static void
test_round_trip(void)
{
	static const char alphabet[] = "\"\",,\n\r\t =+-@\\'aZ\x1b\xff\xc3\xa9";
	char raw[4][32], line[2048], buf[4096], want[256], err[128];
	size_t rl[4], i, k, j;
	struct csv_record rec;
	struct strbuf sb, wb;
	int bad = 0;

	for (i = 0; i < 5000; i++) {
		sb_init(&sb, line, sizeof(line));
		for (k = 0; k < 4; k++) {
			rl[k] = next_rand() % sizeof(raw[k]);
			for (j = 0; j < rl[k]; j++)
				raw[k][j] = alphabet[next_rand() % (sizeof(alphabet) - 1)];
			if (k > 0)
				sb_putc(&sb, ',');
			csv_escape_cell(raw[k], rl[k], &sb);
		}
		if (csv_parse_record(line, sb.len, &rec, buf, sizeof(buf), err, sizeof(err)) != 0 ||
		    rec.n != 4) {
			if (bad++ == 0)
				printf("# not read back: %s (%s)\n", line, err);
			continue;
		}
		for (k = 0; k < 4; k++) {
			sb_init(&wb, want, sizeof(want));
			sb_append_escaped(&wb, raw[k], rl[k]);
			if (rl[k] > 0 && (formula(raw[k][0]) || formula(want[0]))) {
				memmove(want + 1, want, wb.len + 1);
				want[0] = '\'';
			}
			if (strcmp(rec.cell[k], want) != 0 && bad++ == 0)
				printf("# cell %zu: got \"%s\", want \"%s\"\n", k, rec.cell[k],
				       want);
		}
	}
	is_int(bad, 0, "5000 rows of hostile cells read back as the escaped text");
}

static void
test_header(void)
{
	char line[2048], buf[4096], err[128];
	struct csv_record rec;
	struct strbuf sb;
	size_t i;

	sb_init(&sb, line, sizeof(line));
	for (i = 0; i < report_ncolumns; i++) {
		if (i > 0)
			sb_putc(&sb, ',');
		sb_puts(&sb, report_columns[i].name);
	}
	csv_parse_record(line, sb.len, &rec, buf, sizeof(buf), err, sizeof(err));
	is_int(csv_header_check(&rec, err, sizeof(err)), 0, "this version's header matches");
	is_int(csv_record_find(&rec, "verdict"), 5, "verdict found in the header");

	rec.n--;
	is_int(csv_header_check(&rec, err, sizeof(err)), -1, "a column fewer: no match (%s)", err);
	csv_parse_record(S("timestamp,ip,port,x\x1b[2J"), &rec, buf, sizeof(buf), err, sizeof(err));
	is_int(csv_header_check(&rec, err, sizeof(err)), -1, "another header: no match");
	ok(strchr(err, '\x1b') == NULL, "the message escapes the file's bytes: %s", err);
}

static int
count_row(const struct previous_row *row, void *arg)
{
	size_t *n = arg;

	(*n)++;
	return strcmp(row->verdict, "accepts-relay") == 0 && strcmp(row->port, "25") == 0 ? 0 : -1;
}

static void
test_previous(void)
{
	char row1[256] = "t,192.0.2.1,25,,a:1,accepts-relay",
	     row2[256] = "t,192.0.2.2,25,,a:2,accepts-relay";
	char path[] = "/tmp/smtpprobe-csvread.XXXXXX", err[256], line[2048];
	struct strbuf sb;
	size_t i, rows = 0;
	long partial;
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0 || (f = fdopen(fd, "w+")) == NULL) {
		ok(0, "temporary file");
		return;
	}
	sb_init(&sb, line, sizeof(line));
	for (i = 0; i < report_ncolumns; i++) {
		if (i > 0)
			sb_putc(&sb, ',');
		sb_puts(&sb, report_columns[i].name);
	}
	fprintf(f, "%s\n", line);
	/* Rows of this version's width: the first six cells, the rest empty. */
	for (i = 6; i < report_ncolumns; i++) {
		snprintf(row1 + strlen(row1), sizeof(row1) - strlen(row1), ",");
		snprintf(row2 + strlen(row2), sizeof(row2) - strlen(row2), ",");
	}
	snprintf(row1 + strlen(row1), sizeof(row1) - strlen(row1), "\n");
	snprintf(row2 + strlen(row2), sizeof(row2) - strlen(row2), "\n");
	fputs(row1, f);
	fputs(row2, f);
	fprintf(f, "t,192.0.2.3,25,,a:3,accepts-rel"); /* killed mid-row */
	fflush(f);
	rewind(f);
	is_int(previous_read(f, "out.csv", 1, count_row, &rows, &partial, err, sizeof(err)), 0,
	       "a file with a cut last line reads");
	is_int(rows, 2, "whole rows only");
	ok(partial == (long)(strlen(line) + 1 + strlen(row1) + strlen(row2)),
	   "the cut line's offset is reported");

	rewind(f);
	fprintf(f, "timestamp,ip,port,origin,verdict\n"); /* an older version's header */
	fflush(f);
	rewind(f);
	rows = 0;
	is_int(previous_read(f, "old.csv", 1, NULL, NULL, &partial, err, sizeof(err)), -1,
	       "exact: another header is an error");
	ok(strstr(err, "old.csv:1:") != NULL, "naming file and line: %s", err);
	fclose(f);
	unlink(path);
}

int
main(void)
{
	test_cases();
	test_round_trip();
	test_header();
	test_previous();
	return tap_done();
}
