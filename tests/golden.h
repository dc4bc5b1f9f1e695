/*
 * golden.h: golden-file checks for the unit tests (Postfix's *.ref files).
 * is_golden(out, len, name) compares output with tests/unit/golden/NAME
 * under $top_srcdir; UPDATE_GOLDEN=1 rewrites the file from the output.
 * Header only, like tap.h; include tap.h first.
 */
#ifndef SMTPPROBE_GOLDEN_H
#define SMTPPROBE_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *
read_whole(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, len = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		size_t n;

		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = len + 4096 + 1);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* Compares out with a golden file, or rewrites it when UPDATE_GOLDEN is set. */
static inline void
is_golden(const char *out, size_t len, const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	char *want;
	size_t wlen = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/unit/golden/%s", top != NULL ? top : ".", name);
	if (getenv("UPDATE_GOLDEN") != NULL && (f = fopen(path, "wb")) != NULL) {
		fwrite(out, 1, len, f);
		fclose(f);
	}
	want = read_whole(path, &wlen);
	ok(want != NULL, "golden file %s readable", path);
	if (want == NULL)
		return;
	ok(wlen == len && memcmp(want, out, len) == 0, "output equals %s", name);
	if (wlen != len || memcmp(want, out, len) != 0)
		printf("#   got:\n%.*s#  want:\n%s", (int)len, out, want);
	free(want);
}

#endif
