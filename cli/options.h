/*
 * options.h: smtpprobe's command line, parsed into one settings struct.
 * Parsing only: nothing is opened, resolved or probed here (the files named
 * are read later by main.c, except --trusted-file, which fills the trust set
 * as it is met so its errors name the option).
 */
#ifndef SMTPPROBE_CLI_OPTIONS_H
#define SMTPPROBE_CLI_OPTIONS_H

#include <stddef.h>

#include "cli/audit.h"
#include "prober/engine.h"
#include "targets/source.h"

/* The exit status of the program (see --help). */
enum {
	EXIT_NOTHING_OPEN = 0,
	EXIT_FOUND_OPEN = 1,
	EXIT_USAGE = 2,
	EXIT_RUNTIME = 3,
	EXIT_INTERRUPTED = 4,
	EXIT_ALL_SKIPPED = 5,
};

/* --fail-on: when the run exits 1. */
enum fail_on {
	FAIL_ON_ANY = 0, /* any target accepts relay or localhost RCPTs */
	FAIL_ON_NEW,     /* one accepts that did not in --baseline */
	FAIL_ON_CHANGED, /* any verdict changed since --baseline */
};

/* A name and the value it stands for: one row of an option's value table. */
struct name_code {
	const char *name;
	int code;
};

/* The code of name in table (ended by a row with a NULL name), or dflt. */
int name_code(const struct name_code *table, const char *name, int dflt);

struct settings {
	/* Inputs: each list has room for every argument. */
	const char **files; /* -f */
	size_t nfiles;
	const char **excludes; /* --exclude */
	size_t nexcludes;
	const char **messages; /* --message */
	size_t nmessages;
	const char **mx; /* --mx */
	size_t nmx;
	char **targets; /* the operands */
	size_t ntargets;
	struct trust *trust;        /* --trusted, --trusted-file */
	const char **trusted_files; /* --trusted-file, read as parsed */
	size_t ntrusted_files;
	int extract_only;
	/* Output. */
	const char *output;
	const char *format; /* set to the default when no --format */
	int quiet;
	struct audit_options audit; /* audit reports */
	/* The nightly audit. */
	const char *metrics;  /* --metrics FILE, or NULL */
	const char *metadata; /* --metadata FILE, or NULL */
	int fail_on;          /* enum fail_on */
	const char *columns;  /* --columns LIST (reports/columns.h holds it), or NULL */
	/* What the other layers are given. */
	struct target_source_config src;
	struct engine_config eng;
	const char *allowlist;
	const char *allowlist_from; /* where it came from, for errors */
	const char *ca_file;        /* TLS */
	const char *dns_server;     /* NULL: resolv.conf's servers */
	int no_dns;
	struct dns_config dns;
	struct abuse_config abuse; /* --dnsbl, --asn, --abuse-contact */
};

/* The value options_parse returns when the program goes on to probe. */
#define OPTIONS_RUN (-1)

/*
 * Fills *s from the environment (SMTPPROBE_ALLOWLIST, SMTPPROBE_DNS_SERVER)
 * and argv. Returns OPTIONS_RUN, or the exit status when the program is done
 * (0 after --help, --help-columns or --version, EXIT_USAGE, EXIT_RUNTIME).
 * A usage error is printed and exits at once. settings_free releases what
 * it made, whatever it returned.
 */
int options_parse(int argc, char **argv, struct settings *s);
void settings_free(struct settings *s);

/* Whether --extract-only writes the text table (else CSV). */
int options_hops_text(const struct settings *s);

#endif
