/*
 * clock.c: the monotonic clock; see clock.h.
 */
#include "config.h"

#include "common/clock.h"

#include <time.h>

long long
clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
