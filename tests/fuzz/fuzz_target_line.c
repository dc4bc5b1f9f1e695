/*
 * fuzz_target_line.c: the target-line parser and the allowlist parser on
 * arbitrary bytes, and a parsed range cut by the parsed list: what is
 * walked and what is cut always add up to the range.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "targets/parse.h"
#include "targets/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target t;
	char err[TARGET_REASON_MAX];
	struct cidr_list *l;
	enum target_parse tp;
	char *s;

	memset(&t, 0, sizeof(t));
	tp = target_parse_line((const char *)data, size, 25, &t, err, sizeof(err));
	if (tp == TP_TARGET)
		(void)policy_special_range((const struct sockaddr *)&t.sa);
	if ((s = malloc(size + 1)) == NULL || (l = cidr_list_new()) == NULL) {
		free(s);
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	if (cidr_list_add(l, s, err, sizeof(err)) == 0 && t.salen > 0)
		(void)cidr_list_contains(l, (const struct sockaddr *)&t.sa);
	if (tp == TP_RANGE) {
		static struct addr_span parts[RANGE_PARTS_MAX];
		struct range_policy p = {l, l, (int)(size & 1)};
		struct range_cut cut;
		long n = policy_range_parts(&p, (const struct sockaddr *)&t.sa, t.range_prefix,
		                            parts, RANGE_PARTS_MAX, &cut);
		uint64_t walked = 0;
		long i;

		for (i = 0; i < n; i++)
			walked += parts[i].hi - parts[i].lo;
		if (n >= 0 &&
		    walked + cut.outside_allowlist + cut.excluded + cut.special != cut.size)
			abort();
	}
	cidr_list_free(l);
	free(s);
	return 0;
}
