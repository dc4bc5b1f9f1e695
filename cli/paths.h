/*
 * paths.h: the one check that keeps a run from eating its own input. An
 * output (-o, or a standard output redirected to a file) that is the same
 * file as an input (-f, --exclude, --message, or a standard input redirected
 * from a file) would be cut to nothing, or read back as input while it grows
 * (a list that reads its own rows forever). Files are compared by device and
 * inode after links are resolved, so a hard link or a symlink is the same
 * file too. Only regular files are compared: a terminal or /dev/null on both
 * sides is normal.
 *
 * main.c calls it before anything is opened for writing. --baseline is not
 * an input here: it is read whole before the output is opened, so
 * `--baseline last.csv -o last.csv` is the nightly cron line, not a mistake.
 */
#ifndef SMTPPROBE_PATHS_H
#define SMTPPROBE_PATHS_H

#include <stddef.h>

/* A file named on the command line: the option that named it and its path;
 * path "-" (or NULL for an output) is the standard stream. */
struct path_arg {
	const char *opt;
	const char *path;
};

/*
 * 0 when the output is none of the inputs; -1 with err filled ("-o X is the
 * same file as -f Y") when it is. An output or input that does not exist
 * (yet) or cannot be looked at is no match: opening it says what is wrong.
 */
int paths_check_distinct(const struct path_arg *out, const struct path_arg *in, size_t nin,
                         char *err, size_t errlen);

#endif
