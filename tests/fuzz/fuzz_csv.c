/*
 * fuzz_csv.c: the CSV cell encoder and the escaper under it. Whatever the
 * bytes, a cell must come out as one line of printable UTF-8.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/strbuf.h"
#include "reports/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[REPORT_CELL_MAX], small[16];
	struct strbuf sb;
	size_t i;

	sb_init(&sb, buf, sizeof(buf));
	csv_escape_cell((const char *)data, size, &sb);
	for (i = 0; i < sb.len; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			abort(); /* a control byte escaped the encoder */
	sb_init(&sb, small, sizeof(small));
	sb_append_escaped(&sb, (const char *)data, size);
	if (strlen(small) != sb.len)
		abort();
	return 0;
}
