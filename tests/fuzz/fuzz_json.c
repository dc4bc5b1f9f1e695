/*
 * fuzz_json.c: the JSON string encoder. Whatever the bytes, the output must
 * be one quoted JSON string of ASCII and valid UTF-8 with no raw control
 * byte, whole or cut to fit a small buffer.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bounds.h"
#include "common/strbuf.h"
#include "reports/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless s[0..n) is "..." of valid UTF-8 with no byte below 0x20 or DEL. */
static void
check(const unsigned char *s, size_t n)
{
	size_t i = 1, k, len;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		abort();
	while (i < n - 1) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			abort();
		if (s[i] < 0x80) {
			i += s[i] == '\\' ? 2 : 1;
			continue;
		}
		len = s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : s[i] >= 0xc2 ? 2 : 0;
		if (len == 0 || s[i] > 0xf4 || i + len > n - 1)
			abort();
		for (k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				abort();
		i += len;
	}
	if (i != n - 1)
		abort(); /* an escape ran into the closing quote */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[REPORT_CELL_MAX * 6 + 3], small[24];
	struct strbuf sb;

	if (size > REPORT_CELL_MAX)
		size = REPORT_CELL_MAX;
	sb_init(&sb, buf, sizeof(buf));
	if (json_escape_string((const char *)data, size, &sb) != 0)
		abort(); /* six bytes a byte always fit */
	check((const unsigned char *)buf, sb.len);
	sb_init(&sb, small, sizeof(small));
	json_escape_string((const char *)data, size, &sb);
	check((const unsigned char *)small, sb.len);
	return 0;
}
