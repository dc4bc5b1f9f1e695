/*
 * test_cli.c: the command line's pure parts: name_code tables, options
 * parsed into struct settings, and the progress line's count of a target
 * file (audit_count_targets, which reads lines with targets/parse.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/audit.h"
#include "cli/options.h"
#include "tests/tap.h"

static void
test_name_code(void)
{
	static const struct name_code t[] = {{"auto", 0}, {"never", 1}, {"always", 2}, {NULL, 0}};

	is_int(name_code(t, "auto", -1), 0, "name_code: first row");
	is_int(name_code(t, "always", -1), 2, "name_code: last row");
	is_int(name_code(t, "Always", -1), -1, "name_code: case matters");
	is_int(name_code(t, "", -1), -1, "name_code: empty is no name");
}

static void
test_options(void)
{
	char *argv[] = {"smtpprobe", "-f",   "a.txt",       "--starttls",      "never", "-f",
	                "b.txt",     "--mx", "example.com", "--format",        "jsonl", "--exclude",
	                "x.txt",     "-c",   "7",           "--resume",        "-o",    "out.csv",
	                "--format",  "csv",  "192.0.2.1",   "198.51.100.0/24", NULL};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	struct settings s;

	optind = 1;
	is_int(options_parse(argc, argv, &s), OPTIONS_RUN, "options: a probe run");
	is_int(s.nfiles, 2, "options: -f twice");
	is_str(s.files[1], "b.txt", "options: -f in order");
	is_int(s.nexcludes, 1, "options: --exclude");
	is_int(s.nmx, 1, "options: --mx");
	is_int(s.ntargets, 2, "options: the operands");
	is_str(s.targets[1], "198.51.100.0/24", "options: operands in order");
	is_int(s.eng.probe.starttls, STARTTLS_NEVER, "options: --starttls from its table");
	is_int(s.eng.concurrency, 7, "options: -c");
	is_str(s.format, "csv", "options: the last --format wins");
	ok(s.audit.resume && s.audit.append, "options: --resume is --append too");
	settings_free(&s);
}

struct count_case {
	const char *what;
	const char *text;
	size_t want;
};

static const struct count_case counts[] = {
    {"addresses", "192.0.2.1\n192.0.2.2:2525\n[2001:db8::1]:25\n", 3},
    {"blanks and comments", "\n  # x\n\t\r\n192.0.2.1 # one\n  192.0.2.2\n", 2},
    {"no final line end", "192.0.2.1\n192.0.2.2", 2},
    {"a bad line is a (skipped) row", "192.0.2.1\nnot an address!\n", 2},
    {"a name counts once", "mail.example.com\nmx:example.net\n", 2},
    {"fields after a blank or comma", "192.0.2.1 a/b\n192.0.2.2,c/d\n", 2},
    {"a range: unknown", "192.0.2.1\n198.51.100.0/24\n", 0},
    {"empty file: unknown", "", 0},
};

static void
test_count_targets(void)
{
	char path[] = "/tmp/test_cli.XXXXXX";
	size_t i;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		FILE *fp;
		int fd;

		if ((fd = mkstemp(path)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
			ok(0, "count: temporary file");
			return;
		}
		fputs(counts[i].text, fp);
		fclose(fp);
		is_int(audit_count_targets(path), counts[i].want, "count: %s", counts[i].what);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
	is_int(audit_count_targets("-"), 0, "count: stdin is unknown");
	is_int(audit_count_targets("/nonexistent/targets.txt"), 0, "count: unreadable is unknown");
}

int
main(void)
{
	test_name_code();
	test_options();
	test_count_targets();
	return tap_done();
}
