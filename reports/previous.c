/*
 * previous.c: a previous run's CSV read back; see previous.h.
 */
#include "config.h"

#include "reports/previous.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/strbuf.h"
#include "reports/columns.h"
#include "reports/csvread.h"
#include "reports/jsonread.h"

#define NOT_OURS                                                                                   \
	"not smtpprobe's report (its first line is not this version's header); it is left as it "  \
	"is"

/* The columns read back, and where they are in this file's header. */
struct layout {
	int ip, port, verdict, origin;
};

static void
set_err(char *err, size_t errlen, const char *name, unsigned long lineno, const char *why)
{
	char shown[256];
	struct strbuf sb;

	/* The path is the user's; escaped all the same, it reaches a terminal. */
	sb_init(&sb, shown, sizeof(shown));
	sb_append_escaped(&sb, name, strlen(name));
	if (lineno > 0)
		snprintf(err, errlen, "%s:%lu: %s", shown, lineno, why);
	else
		snprintf(err, errlen, "%s: %s", shown, why);
}

/* A JSON Lines row of ours: its members that matter across runs. */
static int
json_row(const char *line, size_t len, struct previous_row *row, char *buf, char *why,
         size_t whylen)
{
	static const char *const names[] = {"ip", "port", "verdict", "origin"};
	const char *vals[4];

	if (json_object_fields(line, len, names, 4, vals, buf, CSV_READ_LINE_MAX + CSV_FIELDS_MAX,
	                       why, whylen) != 0)
		return -1;
	if (vals[0] == NULL || vals[1] == NULL || vals[2] == NULL || vals[3] == NULL) {
		snprintf(why, whylen,
		         "not smtpprobe's JSON Lines: no ip, port, verdict or origin member");
		return -1;
	}
	row->ip = vals[0];
	row->port = vals[1];
	row->verdict = vals[2];
	row->origin = vals[3];
	return 0;
}

static const char *
cell_at(const struct csv_record *rec, int i)
{
	return i >= 0 && (size_t)i < rec->n ? rec->cell[i] : "";
}

int
previous_read(FILE *f, const char *name, int exact, previous_row_cb cb, void *arg, long *partial,
              char *err, size_t errlen)
{
	struct csv_record rec;
	struct layout lay = {-1, -1, -1, -1};
	struct previous_row row;
	char *line = NULL, *buf = NULL, why[160];
	size_t cap = 0, ncells = 0;
	unsigned long lineno = 0;
	ssize_t n;
	long at;
	int rc = -1, json = 0;

	*partial = -1;
	buf = malloc(CSV_READ_LINE_MAX + CSV_FIELDS_MAX);
	if (buf == NULL) {
		set_err(err, errlen, name, 0, "out of memory");
		return -1;
	}
	for (;;) {
		at = ftell(f);
		errno = 0;
		if ((n = getline(&line, &cap, f)) < 0) {
			if (ferror(f)) {
				set_err(err, errlen, name, 0, strerror(errno ? errno : EIO));
				goto out;
			}
			break;
		}
		lineno++;
		if (line[n - 1] != '\n') {
			*partial = at; /* a row cut short: not a row */
			break;
		}
		n--;
		if ((size_t)n > CSV_READ_LINE_MAX) {
			set_err(err, errlen, name, lineno, "line too long");
			goto out;
		}
		/* JSON Lines (its first line is an object): no header, every
		 * line a row. */
		if (lineno == 1)
			json = !exact && n > 0 && line[0] == '{';
		if (json) {
			if (json_row(line, (size_t)n, &row, buf, why, sizeof(why)) != 0) {
				set_err(err, errlen, name, lineno, why);
				goto out;
			}
			row.lineno = lineno;
			if (cb != NULL && cb(&row, arg) != 0) {
				set_err(err, errlen, name, lineno,
				        "cannot keep this row (out of memory?)");
				goto out;
			}
			continue;
		}
		if (csv_parse_record(line, (size_t)n, &rec, buf, CSV_READ_LINE_MAX + CSV_FIELDS_MAX,
		                     why, sizeof(why)) != 0) {
			set_err(err, errlen, name, lineno, why);
			goto out;
		}
		if (lineno == 1) {
			if (exact && csv_header_check(&rec, why, sizeof(why)) != 0) {
				char msg[240];

				snprintf(msg, sizeof(msg),
				         "header does not match this version's columns (%s)", why);
				set_err(err, errlen, name, lineno, msg);
				goto out;
			}
			lay.ip = csv_record_find(&rec, "ip");
			lay.port = csv_record_find(&rec, "port");
			lay.verdict = csv_record_find(&rec, "verdict");
			lay.origin = csv_record_find(&rec, "origin");
			if (lay.ip < 0 || lay.port < 0 || lay.verdict < 0 || lay.origin < 0) {
				set_err(
				    err, errlen, name, lineno,
				    "not smtpprobe's CSV: no ip, port, verdict or origin column");
				goto out;
			}
			ncells = rec.n;
			continue;
		}
		if (rec.n != ncells) {
			snprintf(why, sizeof(why), "%zu cells, the header has %zu", rec.n, ncells);
			set_err(err, errlen, name, lineno, why);
			goto out;
		}
		row.ip = cell_at(&rec, lay.ip);
		row.port = cell_at(&rec, lay.port);
		row.verdict = cell_at(&rec, lay.verdict);
		row.origin = cell_at(&rec, lay.origin);
		row.lineno = lineno;
		if (cb != NULL && cb(&row, arg) != 0) {
			set_err(err, errlen, name, lineno, "cannot keep this row (out of memory?)");
			goto out;
		}
	}
	rc = 0;
out:
	free(line);
	free(buf);
	return rc;
}

/*
 * 1 when the len bytes at f's start are a prefix of what this version writes
 * first: its CSV header line, or (json) a JSON Lines row's opening. A run
 * killed while writing its first line leaves such a prefix; a user's notes
 * are not one.
 */
static int
starts_like_ours(FILE *f, size_t len, int json)
{
	char want[CSV_READ_LINE_MAX], got[CSV_READ_LINE_MAX];
	struct strbuf sb;

	sb_init(&sb, want, sizeof(want));
	if (json) {
		sb_printf(&sb, "{\"%s\":", report_columns[report_selected(0)].name);
	} else {
		size_t i;

		for (i = 0; i < report_nselected(); i++)
			sb_printf(&sb, "%s%s", i > 0 ? "," : "",
			          report_columns[report_selected(i)].name);
		sb_putc(&sb, '\n');
	}
	if (json && len > sb.len)
		len = sb.len; /* the row's opening is enough */
	if (len > sb.len || fseek(f, 0, SEEK_SET) != 0 || fread(got, 1, len, f) != len)
		return 0;
	return memcmp(got, want, len) == 0;
}

/*
 * Cuts f at partial (a last row cut short, or -1 for none) and puts it at
 * its end, ready to append; *need_header when it is empty. Returns 0, or -1
 * with f closed and the reason in err.
 */
static int
cut_and_seek_end(FILE *f, const char *path, long partial, int *need_header, char *err,
                 size_t errlen)
{
	if ((partial >= 0 && (fflush(f) != 0 || ftruncate(fileno(f), (off_t)partial) != 0)) ||
	    fseek(f, 0, SEEK_END) != 0) {
		set_err(err, errlen, path, 0, strerror(errno));
		fclose(f);
		return -1;
	}
	*need_header = ftell(f) == 0;
	return 0;
}

FILE *
previous_open_append_jsonl(const char *path, previous_row_cb cb, void *arg, int *need_header,
                           int *dropped, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	long partial;

	*need_header = 0;
	*dropped = 0;
	if ((f = fopen(path, "a+")) == NULL) {
		set_err(err, errlen, path, 0, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0) {
		set_err(err, errlen, path, 0, strerror(errno));
		fclose(f);
		return NULL;
	}
	if (st.st_size > 0 && !starts_like_ours(f, (size_t)st.st_size, 1)) {
		set_err(err, errlen, path, 0, NOT_OURS);
		fclose(f);
		return NULL;
	}
	/* Its rows, told to cb; a last row cut short (a killed run) is removed. */
	rewind(f);
	if (previous_read(f, path, 0, cb, arg, &partial, err, errlen) != 0) {
		fclose(f);
		return NULL;
	}
	if (cut_and_seek_end(f, path, partial, need_header, err, errlen) != 0)
		return NULL;
	*dropped = partial > 0;
	return f;
}

FILE *
previous_open_append(const char *path, previous_row_cb cb, void *arg, int *need_header,
                     int *dropped, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	long partial;

	*need_header = 0;
	*dropped = 0;
	/* "a+" creates the file, reads from the start, and writes at the end. */
	if ((f = fopen(path, "a+")) == NULL) {
		set_err(err, errlen, path, 0, strerror(errno));
		return NULL;
	}
	rewind(f);
	if (previous_read(f, path, 1, cb, arg, &partial, err, errlen) != 0) {
		fclose(f);
		return NULL;
	}
	/* Only a file that is ours is repaired: a first line cut short must be
	 * the start of our header, or the file is someone's notes. */
	if (partial == 0 &&
	    (fstat(fileno(f), &st) != 0 || !starts_like_ours(f, (size_t)st.st_size, 0))) {
		set_err(err, errlen, path, 0, NOT_OURS);
		fclose(f);
		return NULL;
	}
	if (cut_and_seek_end(f, path, partial, need_header, err, errlen) != 0)
		return NULL;
	*dropped = partial >= 0;
	return f;
}
