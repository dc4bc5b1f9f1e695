/*
 * previous.h: a previous run's CSV, read back. --baseline compares a run with
 * it (baseline.h); --resume and --append add rows to it.
 *
 * Rows are written whole and flushed, but a run killed by SIGKILL can still
 * leave a last line cut short (a long row takes more than one write). Such a
 * line, one without its newline, is never taken as a row: it is reported
 * so that --resume and --append cut it off and probe its target again.
 */
#ifndef SMTPPROBE_PREVIOUS_H
#define SMTPPROBE_PREVIOUS_H

#include <stddef.h>
#include <stdio.h>

/* One row's cells that matter across runs, as written ("" when absent). */
struct previous_row {
	const char *ip;
	const char *port;
	const char *verdict;
	const char *origin;
	unsigned long lineno; /* 1 is the header */
};

/* Called for every row; returns 0, or -1 to stop (the reader returns -1). */
typedef int (*previous_row_cb)(const struct previous_row *row, void *arg);

/*
 * Reads f from its current position: the header, then every row to cb (which
 * may be NULL). With exact, the header must name this version's columns in
 * order; without, it needs the ip, port, verdict and origin columns only, so a
 * baseline from an older version still reads. Without exact, a file whose
 * first line is a JSON object is JSON Lines: no header, each line a row
 * with those members. *partial is set to the offset
 * of a last line without its newline, else to -1. Returns 0, or -1 with err
 * filled ("NAME:LINE: why").
 */
int previous_read(FILE *f, const char *name, int exact, previous_row_cb cb, void *arg,
                  long *partial, char *err, size_t errlen);

/*
 * Opens path to add rows to (--append, --resume), created if absent. A file
 * with rows must have this version's header (-1 otherwise: never a mixed
 * file); each of its rows goes to cb. A cut last line is removed from the
 * file and *dropped set, only when the file is ours: a file whose first
 * line is cut and is no prefix of our header is refused and left as it is. *need_header is set when
 * the file holds no header yet. Returns the stream positioned at the end, or NULL with err filled.
 */
FILE *previous_open_append(const char *path, previous_row_cb cb, void *arg, int *need_header,
                           int *dropped, char *err, size_t errlen);

/*
 * The same for a JSON Lines report (--append, --resume with --format
 * jsonl): a file that is not empty must start like one of our rows; each of
 * its rows goes to cb, a cut last one is removed and *dropped set.
 */
FILE *previous_open_append_jsonl(const char *path, previous_row_cb cb, void *arg, int *need_header,
                                 int *dropped, char *err, size_t errlen);

#endif
