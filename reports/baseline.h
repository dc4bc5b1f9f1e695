/*
 * baseline.h: what changed since a previous run (--baseline PREVIOUS.csv).
 *
 * The baseline's targets are kept by (address, port) with their verdict.
 * Each result of this run gets a change: new (not in the baseline), same,
 * or changed:<old verdict>; at the end, every baseline target this run did
 * not report comes back as a row of its own, change gone. The summary names
 * what a nightly cron job alerts on: targets newly accepting relay.
 *
 * Ownership: the baseline is the caller's (baseline_free); results passed in
 * are the caller's and only their change field is written.
 */
#ifndef SMTPPROBE_BASELINE_H
#define SMTPPROBE_BASELINE_H

#include <stddef.h>
#include <stdio.h>

#include "record/result.h"

struct baseline;

/* Reads a previous run's CSV; a file that does not exist (the first night)
 * is an empty baseline, and the summary says so. Returns NULL with err filled ("PATH:LINE: why"),
 * also for a file without a whole header line (binary, cut). An empty or
 * header-only file, or one whose last row is cut, is read, and the summary
 * says so (every target then counts as new). */
struct baseline *baseline_load(const char *path, char *err, size_t errlen);
void baseline_free(struct baseline *b);

/* Sets r->change and marks r's target as present in this run. Rows without
 * an address (bad input lines) get no change. */
void baseline_compare(struct baseline *b, struct probe_result *r);

/* Marks a target present without a result (rows a --resume keeps): it is
 * neither new nor gone. ip and port as written in a CSV. */
void baseline_mark_present(struct baseline *b, const char *ip, const char *port);

/* Hands every baseline target not present in this run to emit as a skipped
 * row (change gone, origin PATH:LINE). Returns 0, or the first -1 of emit. */
int baseline_emit_gone(struct baseline *b, int (*emit)(const struct probe_result *r, void *arg),
                       void *arg);

/* Lines on fp: what was wrong with the file (empty, no rows, cut), the
 * counts of changes, then the targets newly accepting relay or localhost
 * RCPTs, if any. */
void baseline_summary(const struct baseline *b, FILE *fp);

/* Targets that accept relay or localhost RCPTs now and did not in the baseline. */
size_t baseline_newly_open(const struct baseline *b);
/* Targets whose verdict changed since the baseline. */
size_t baseline_changed(const struct baseline *b);

#endif
