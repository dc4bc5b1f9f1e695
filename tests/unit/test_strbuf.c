/*
 * test_strbuf.c: the bounded string builder and its escaping.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "tests/tap.h"

struct esc_case {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
};

static const struct esc_case esc_cases[] = {
    {"plain", "220 ok", 6, "220 ok"},
    {"CR LF TAB", "a\r\n\tb", 5, "a\\r\\n\\tb"},
    {"ESC sequence", "\x1b[2J", 4, "\\x1b[2J"},
    {"NUL", "a\0b", 3, "a\\x00b"},
    {"DEL", "\x7f", 1, "\\x7f"},
    {"backslash", "a\\b", 3, "a\\\\b"},
    {"valid UTF-8 kept", "caf\xc3\xa9", 5, "caf\xc3\xa9"},
    {"Japanese kept", "\xe4\xbf\xba", 3, "\xe4\xbf\xba"},
    {"invalid byte", "a\xffz", 3, "a\\xffz"},
    {"truncated sequence", "\xe4\xbf", 2, "\\xe4\\xbf"},
    {"overlong form", "\xc0\xaf", 2, "\\xc0\\xaf"},
    {"C1 control (CSI)", "\xc2\x9b", 2, "\\xc2\\x9b"},
    {"surrogate", "\xed\xa0\x80", 3, "\\xed\\xa0\\x80"},
    /* Characters that reorder or hide text ("Trojan Source"): shown, not obeyed.
     * The inputs hold them on purpose, hence the lint exception. */
    /* NOLINTBEGIN(misc-misleading-bidirectional) */
    {"RLO U+202E",
     "a\xe2\x80\xae"
     "b",
     5, "a\\u{202E}b"},
    {"LRE U+202A", "\xe2\x80\xaa", 3, "\\u{202A}"},
    {"PDF U+202C", "\xe2\x80\xac", 3, "\\u{202C}"},
    {"LRI U+2066", "\xe2\x81\xa6", 3, "\\u{2066}"},
    {"PDI U+2069", "\xe2\x81\xa9", 3, "\\u{2069}"},
    {"ZWSP U+200B", "x\xe2\x80\x8by", 5, "x\\u{200B}y"},
    {"RLM U+200F", "\xe2\x80\x8f", 3, "\\u{200F}"},
    {"ALM U+061C", "\xd8\x9c", 2, "\\u{061C}"},
    {"LINE SEPARATOR U+2028", "\xe2\x80\xa8", 3, "\\u{2028}"},
    {"PARAGRAPH SEPARATOR U+2029", "\xe2\x80\xa9", 3, "\\u{2029}"},
    {"BOM U+FEFF", "\xef\xbb\xbf", 3, "\\u{FEFF}"},
    {"neighbours kept: U+2010 U+2030 U+2065", "\xe2\x80\x90\xe2\x80\xb0\xe2\x81\xa5", 9,
     "\xe2\x80\x90\xe2\x80\xb0\xe2\x81\xa5"},
    {"U+200A (hair space) kept", "\xe2\x80\x8a", 3, "\xe2\x80\x8a"},
    {"a cut U+202E is bytes", "\xe2\x80", 2, "\\xe2\\x80"},
    /* NOLINTEND(misc-misleading-bidirectional) */
};

int
main(void)
{
	char buf[64], small[8];
	struct strbuf sb;
	size_t i;

	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		sb_init(&sb, buf, sizeof(buf));
		sb_append_escaped(&sb, esc_cases[i].in, esc_cases[i].len);
		is_str(buf, esc_cases[i].want, "escape: %s", esc_cases[i].name);
	}

	sb_init(&sb, small, sizeof(small));
	sb_puts(&sb, "0123456789");
	is_str(small, "0123456", "append truncates to the buffer");
	ok(sb.truncated, "and says so");

	/* Numbers as "%lld" writes them, cut like any text. */
	{
		static const long long nums[] = {0,         7,        -7, 2799, 4294967295LL,
		                                 LLONG_MAX, LLONG_MIN};
		char want[32];

		for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
			sb_init(&sb, buf, sizeof(buf));
			sb_puts(&sb, "t.txt:");
			sb_put_int(&sb, nums[i]);
			snprintf(want, sizeof(want), "t.txt:%lld", nums[i]);
			is_str(buf, want, "sb_put_int %s", want + 6);
		}
		sb_init(&sb, small, sizeof(small));
		sb_puts(&sb, "line ");
		sb_put_int(&sb, 12345);
		ok(strcmp(small, "line 12") == 0 && sb.truncated, "a number cut at the end: \"%s\"",
		   small);
	}

	sb_init(&sb, small, sizeof(small));
	sb_puts(&sb, "ab");
	sb_append_escaped(&sb, "\xe4\xbf\xba\xe4\xbf\xba", 6);
	is_str(small, "ab\xe4\xbf\xba", "escaping never cuts a character in two");

	sb_init(&sb, small, sizeof(small));
	sb_puts(&sb, "ab");
	sb_append_escaped(&sb, "\xe2\x80\xae", 3); /* NOLINT(misc-misleading-bidirectional) */
	is_str(small, "ab", "a \\u{XXXX} escape is never cut either");
	ok(sb.truncated, "and says it truncated");

	sb_init(&sb, small, sizeof(small));
	sb_puts(&sb, "abcd");
	sb_append_escaped(&sb, "\x01\x02", 2);
	is_str(small, "abcd", "escaping never cuts an escape in two");
	ok(sb.truncated, "and says it truncated");

	sb_init(&sb, buf, sizeof(buf));
	sb_printf(&sb, "%d-%s", 42, "x");
	is_str(buf, "42-x", "printf");
	sb_resume(&sb, buf, sizeof(buf));
	sb_putc(&sb, '!');
	is_str(buf, "42-x!", "resume appends to what is there");
	return tap_done();
}
