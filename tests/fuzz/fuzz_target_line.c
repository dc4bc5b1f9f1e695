/*
 * fuzz_target_line.c: the target-line parser and the allowlist parser on
 * arbitrary bytes.
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
	char *s;

	memset(&t, 0, sizeof(t));
	if (target_parse_line((const char *)data, size, 25, &t, err, sizeof(err)) == TP_TARGET)
		(void)policy_special_range((const struct sockaddr *)&t.sa);
	if ((s = malloc(size + 1)) == NULL || (l = cidr_list_new()) == NULL) {
		free(s);
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	if (cidr_list_add(l, s, err, sizeof(err)) == 0 && t.salen > 0)
		(void)cidr_list_contains(l, (const struct sockaddr *)&t.sa);
	cidr_list_free(l);
	free(s);
	return 0;
}
