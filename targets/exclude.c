/*
 * exclude.c: --exclude files in zmap's blocklist format; see exclude.h.
 */
#include "config.h"

#include "targets/exclude.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/bounds.h"
#include "common/strbuf.h"
#include "targets/parse.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
exclude_line(struct cidr_list *l, const char *line, size_t len, const char *origin, char *err,
             size_t errlen)
{
	char reason[TARGET_REASON_MAX];
	const char *hash = memchr(line, '#', len), *s = line, *e;
	struct strbuf sb;
	size_t n;

	e = hash != NULL ? hash : line + len;
	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	if (s == e)
		return 0; /* blank or comment only */
	n = (size_t)(e - s);
	if (memchr(s, ' ', n) != NULL || memchr(s, '\t', n) != NULL) {
		target_quote_error(err, errlen, "one range a line", s, n);
		return -1;
	}
	sb_init(&sb, reason, sizeof(reason));
	sb_append(&sb, s, n);
	if (hash != NULL) {
		const char *c = hash + 1, *ce = line + len;

		while (c < ce && is_blank(*c))
			c++;
		while (ce > c && is_blank(ce[-1]))
			ce--;
		if (c < ce) {
			sb_puts(&sb, " (");
			sb_append_escaped(&sb, c, (size_t)(ce - c));
			sb_putc(&sb, ')');
		}
	}
	if (hash == NULL || sb.len == n)
		sb_printf(&sb, " (%s)", origin);
	return cidr_list_add_reason(l, s, n, reason, err, errlen);
}

int
exclude_load(struct cidr_list *l, const char *path, char *err, size_t errlen)
{
	char line[EXCLUDE_LINE_MAX + 2], origin[TARGET_ORIGIN_MAX], why[TARGET_REASON_MAX];
	unsigned long lineno = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);

		lineno++;
		snprintf(origin, sizeof(origin), "%s:%lu", path, lineno);
		if (len > EXCLUDE_LINE_MAX) {
			snprintf(err, errlen, "%s: line too long (more than %d bytes)", origin,
			         EXCLUDE_LINE_MAX);
			fclose(f);
			return -1;
		}
		if (exclude_line(l, line, len, origin, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: %s", origin, why);
			fclose(f);
			return -1;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}
