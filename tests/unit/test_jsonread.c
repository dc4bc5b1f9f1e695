/*
 * test_jsonread.c: json_object_fields, the reader of our JSON Lines rows
 * (--baseline, --append, --resume): a table of objects, good and malformed,
 * and the round trip of the writer's escapes (every string comes back as the
 * bytes it was).
 */
#include <string.h>

#include "common/strbuf.h"
#include "reports/json.h"
#include "reports/jsonread.h"
#include "tests/tap.h"

struct obj_case {
	const char *what;
	const char *json;
	int rc;
	const char *ip, *port; /* NULL: absent */
};

static const struct obj_case cases[] = {
    {"a row", "{\"ip\":\"192.0.2.1\",\"port\":25,\"flags\":[\"a\",\"b\"]}", 0, "192.0.2.1", "25"},
    {"blanks around everything", " { \"port\" : 587 , \"ip\" : \"2001:db8::1\" } ", 0,
     "2001:db8::1", "587"},
    {"null is empty", "{\"ip\":\"\",\"port\":null}", 0, "", ""},
    {"absent members", "{\"verdict\":\"skipped\"}", 0, NULL, NULL},
    {"an empty object", "{}", 0, NULL, NULL},
    {"empty and nested-free arrays", "{\"ptr\":[],\"ip\":\"x\",\"port\":1}", 0, "x", "1"},
    {"escapes", "{\"ip\":\"a\\\"b\\\\c\\/d\\n\",\"port\":2}", 0, "a\"b\\c/d\n", "2"},
    {"\\u and a surrogate pair", "{\"ip\":\"\\u00e9\\ud83d\\ude00\",\"port\":3}", 0,
     "\xc3\xa9\xf0\x9f\x98\x80", "3"},
    {"not an object", "[1]", -1, NULL, NULL},
    {"a CSV line", "timestamp,ip,port", -1, NULL, NULL},
    {"a string not closed", "{\"ip\":\"abc}", -1, NULL, NULL},
    {"a cut row", "{\"ip\":\"192.0.2.1\",\"po", -1, NULL, NULL},
    {"text after the object", "{\"ip\":\"x\"} x", -1, NULL, NULL},
    {"a nested object", "{\"ip\":{\"a\":1}}", -1, NULL, NULL},
    {"a nested array", "{\"ip\":[[1]]}", -1, NULL, NULL},
    {"a lone surrogate", "{\"ip\":\"\\ud800\"}", -1, NULL, NULL},
    {"a bad escape", "{\"ip\":\"\\x41\"}", -1, NULL, NULL},
    {"a raw control character", "{\"ip\":\"a\tb\"}", -1, NULL, NULL},
    {"no colon", "{\"ip\" \"x\"}", -1, NULL, NULL},
};

static int
same(const char *got, const char *want)
{
	if (got == NULL || want == NULL)
		return got == want;
	return strcmp(got, want) == 0;
}

int
main(void)
{
	static const char *const names[] = {"ip", "port"};
	char buf[4096], err[256], raw[256], esc[2048], line[2200];
	const char *vals[2];
	struct strbuf sb;
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct obj_case *c = &cases[i];
		int rc = json_object_fields(c->json, strlen(c->json), names, 2, vals, buf,
		                            sizeof(buf), err, sizeof(err));

		ok(rc == c->rc && (rc != 0 || (same(vals[0], c->ip) && same(vals[1], c->port))),
		   "%s (%s)", c->what, rc != 0 ? err : "read");
	}
	/* Every byte value the writer escapes comes back (invalid UTF-8 bytes
	 * are written as U+00XX, so only 0x01..0x7f round-trip byte for byte). */
	for (k = 0; k < 127; k++)
		raw[k] = (char)(k + 1);
	raw[127] = '\0';
	sb_init(&sb, esc, sizeof(esc));
	ok(json_escape_string(raw, 127, &sb) == 0, "the writer escapes every ASCII byte");
	snprintf(line, sizeof(line), "{\"ip\":%.*s,\"port\":null}", (int)sb.len, sb.buf);
	ok(json_object_fields(line, strlen(line), names, 2, vals, buf, sizeof(buf), err,
	                      sizeof(err)) == 0 &&
	       same(vals[0], raw),
	   "and the reader gives every one of them back");
	ok(json_object_fields("{\"ip\":\"0123456789\"}", 19, names, 2, vals, buf, 8, err,
	                      sizeof(err)) == -1,
	   "a buffer too small is an error, never an overflow");
	return tap_done();
}
