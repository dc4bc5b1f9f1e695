/*
 * paths.c: an output that is one of the inputs; see paths.h.
 */
#include "config.h"

#include "cli/paths.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"

/* The regular file behind a path, "-" or NULL being the standard stream fd. */
static int
regular_file(const char *path, int fd, struct stat *st)
{
	int r = path == NULL || strcmp(path, "-") == 0 ? fstat(fd, st) : stat(path, st);

	return r == 0 && S_ISREG(st->st_mode) ? 0 : -1;
}

/* "-o X", "-f -": how a path shows in a message, escaped (it reaches a terminal). */
static void
describe(struct strbuf *sb, const struct path_arg *a, const char *stream)
{
	if (a->path == NULL || strcmp(a->path, "-") == 0) {
		sb_puts(sb, stream);
		if (a->path != NULL)
			sb_printf(sb, " (%s -)", a->opt);
		return;
	}
	sb_printf(sb, "%s ", a->opt);
	sb_append_escaped(sb, a->path, strlen(a->path));
}

int
paths_check_distinct(const struct path_arg *out, const struct path_arg *in, size_t nin, char *err,
                     size_t errlen)
{
	struct stat o, i;
	struct strbuf sb;
	size_t k;

	if (regular_file(out->path, STDOUT_FILENO, &o) != 0)
		return 0;
	for (k = 0; k < nin; k++) {
		if (regular_file(in[k].path, STDIN_FILENO, &i) != 0 || i.st_dev != o.st_dev ||
		    i.st_ino != o.st_ino)
			continue;
		sb_init(&sb, err, errlen);
		describe(&sb, out, "standard output");
		sb_puts(&sb, " is the same file as ");
		describe(&sb, &in[k], "standard input");
		sb_puts(&sb,
		        ": it would be overwritten while it is read; write the report elsewhere");
		return -1;
	}
	return 0;
}
