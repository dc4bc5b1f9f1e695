/*
 * runfiles.h: what a nightly run leaves for machines besides its report:
 * Prometheus text for node_exporter's textfile collector (--metrics) and
 * one JSON object describing the run (--metadata), and the start-up check
 * of -S's addresses.
 */
#ifndef SMTPPROBE_CLI_RUNFILES_H
#define SMTPPROBE_CLI_RUNFILES_H

#include <stddef.h>
#include <stdio.h>

#include "record/result.h"
#include "record/settings.h"
#include "targets/policy.h"

/* The facts of one run, as main.c knows them at its end. */
struct run_facts {
	double start, end;              /* wall clock, seconds since the epoch */
	double secs;                    /* duration */
	size_t results;                 /* rows of probed and skipped targets */
	size_t verdicts[VERDICT_COUNT]; /* by verdict */
	size_t skipped[POLICY_SKIP_CLASSES];
	int has_baseline;
	size_t newly_open, changed; /* since the baseline */
	int exit_status;
};

/* Binds a socket once to each -S address, so a wrong one is a usage error
 * at start-up. 0, or -1 with err. */
int source_check(const struct probe_settings *p, char *err, size_t errlen);

/* The Prometheus text exposition of f on fp. */
void metrics_print(FILE *fp, const struct run_facts *f);
/* The JSON object of the run on fp (one line); argv: the command line. */
void metadata_print(FILE *fp, const struct run_facts *f, int argc, char **argv);

/* Writes through print into PATH.tmp and renames it PATH, so a reader never
 * sees half a file. 0, or -1 with err (the .tmp file removed). */
int runfile_write(const char *path, void (*print)(FILE *fp, void *arg), void *arg, char *err,
                  size_t errlen);

#endif
