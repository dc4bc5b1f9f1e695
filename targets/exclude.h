/*
 * exclude.h: --exclude files, in zmap's blocklist format: one range or
 * address a line ("192.0.2.0/24", "2001:db8::/32", "192.0.2.7"), '#' starts
 * a comment, and the comment on a range's line is its reason, shown in the
 * skipped row ("excluded: 192.0.2.0/24 (customer asked, ticket 12)").
 */
#ifndef SMTPPROBE_TARGETS_EXCLUDE_H
#define SMTPPROBE_TARGETS_EXCLUDE_H

#include <stddef.h>

#include "targets/policy.h"

/* Adds every range of the file at path to l. Returns 0, or -1 with err
 * naming path:line and what is wrong; the caller ends the run then, before
 * anything is probed. */
int exclude_load(struct cidr_list *l, const char *path, char *err, size_t errlen);

/* Parses one line of such a file into l (pure; origin names it in the
 * reason when the line has no comment). Returns 0 (blank and comment lines
 * included), or -1 with err set. */
int exclude_line(struct cidr_list *l, const char *line, size_t len, const char *origin, char *err,
                 size_t errlen);

#endif
