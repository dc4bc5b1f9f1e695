/*
 * json.h: the JSON string encoder, pure (no I/O), for tests and fuzzers. The
 * JSON Lines writer itself is reached through report_writer_find("jsonl").
 */
#ifndef SMTPPROBE_JSON_H
#define SMTPPROBE_JSON_H

#include <stddef.h>

#include "common/strbuf.h"

/*
 * Appends raw[0..len) to out as one JSON string, its quotes included. The
 * result is ASCII plus valid UTF-8, whatever the bytes: '"' and '\' are
 * escaped, control bytes, DEL, C1 controls (U+0080..U+009F), U+2028 and
 * U+2029 become \uXXXX (\n, \r, \t, \b, \f as such), and each byte that is
 * not part of valid UTF-8 becomes \u00XX, the code point of that byte read as
 * Latin-1 (so 0xff comes back as U+00FF: valid JSON, never a decoder error).
 *
 * Returns 0, or -1 when the string did not fit and was cut: a cut string is
 * still closed and valid (no escape or character split) and out->truncated
 * is set; when not even "" fits, nothing is appended.
 */
int json_escape_string(const char *raw, size_t len, struct strbuf *out);

#endif
