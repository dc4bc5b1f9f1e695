/*
 * fuzz_csvread.c: the CSV record reader on any line. It must never read or
 * write out of bounds, and every cell it returns must lie in the caller's
 * buffer, NUL-terminated at its length.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "reports/csvread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct csv_record rec;
	char *buf, err[128];
	size_t cap = size + CSV_FIELDS_MAX;

	if ((buf = malloc(cap)) == NULL)
		return 0;
	if (csv_parse_record((const char *)data, size, &rec, buf, cap, err, sizeof(err)) == 0) {
		if (rec.n == 0 || rec.n > CSV_FIELDS_MAX)
			abort();
		for (size_t i = 0; i < rec.n; i++)
			if (rec.cell[i] < buf || rec.cell[i] + rec.len[i] >= buf + cap ||
			    rec.cell[i][rec.len[i]] != '\0')
				abort();
	} else if (err[0] == '\0') {
		abort(); /* a refusal says why */
	}
	free(buf);
	return 0;
}
