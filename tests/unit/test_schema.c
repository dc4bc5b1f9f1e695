/*
 * test_schema.c: doc/smtpprobe-record.schema.json, the JSON Schema of a
 * --format jsonl record, says what the column table (reports/columns.c)
 * makes the JSON Lines writer write: every column, in order, with the type
 * of its kind (string; integer or null; array of strings), and nothing
 * else. The schema keeps one property a line so this needs no JSON parser;
 * tests/integration/schema.sh validates real output against it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/columns.h"
#include "tests/tap.h"

#define SCHEMA_LINES_MAX 256
#define SCHEMA_LINE_MAX  1024

static const char *
kind_type(enum column_kind k)
{
	switch (k) {
	case COL_NUMBER:
		return "{\"type\": [\"integer\", \"null\"], ";
	case COL_LIST:
		return "{\"type\": \"array\", \"items\": {\"type\": \"string\"}, ";
	case COL_STRING:
	default:
		return "{\"type\": \"string\", ";
	}
}

int
main(void)
{
	static char lines[SCHEMA_LINES_MAX][SCHEMA_LINE_MAX];
	const char *top = getenv("top_srcdir");
	char path[1024], want[256];
	size_t n = 0, nprops = 0, i, first = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/doc/smtpprobe-record.schema.json", top ? top : ".");
	f = fopen(path, "r");
	ok(f != NULL, "the schema is at %s", path);
	if (f == NULL)
		return tap_done();
	while (n < SCHEMA_LINES_MAX && fgets(lines[n], sizeof(lines[n]), f) != NULL)
		n++;
	fclose(f);
	ok(strstr(lines[1], "\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"") !=
	       NULL,
	   "draft 2020-12");
	for (i = 0; i < n; i++) {
		if (strncmp(lines[i], "    \"", 5) != 0)
			continue;
		if (nprops == 0)
			first = i;
		nprops++;
	}
	is_int((long)nprops, (long)report_ncolumns, "one property for each column, no other");
	for (i = 0; i < report_ncolumns && first + i < n; i++) {
		snprintf(want, sizeof(want), "    \"%s\": %s", report_columns[i].name,
		         kind_type(report_columns[i].kind));
		ok(strncmp(lines[first + i], want, strlen(want)) == 0,
		   "property %zu is %s with the JSONL writer's type", i + 1,
		   report_columns[i].name);
	}
	ok(strstr(lines[first - 1], "\"properties\": {") != NULL &&
	       strstr(lines[first - 2], "\"additionalProperties\": false") != NULL,
	   "no property outside the table");
	return tap_done();
}
