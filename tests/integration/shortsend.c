/*
 * shortsend.c: an LD_PRELOAD shim for shortsend.sh, never part of the
 * product. Its send() takes nothing on every other call (EAGAIN, as a full
 * socket would) and at most SHORTSEND_BYTES bytes (default 1) on the others,
 * so every command the prober sends leaves an unsent tail that must wait for
 * room and go out whole, in order. At exit, a process that sent writes to
 * SHORTSEND_LOG how many calls it cut short, so the test knows the path ran
 * (timeout(1), which runs the prober, sends nothing and writes nothing).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>

static unsigned long calls, cut;

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	static ssize_t (*real)(int, const void *, size_t, int);
	static size_t most;

	if (real == NULL) {
		const char *e = getenv("SHORTSEND_BYTES");

		real = (ssize_t(*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
		most = e != NULL ? strtoul(e, NULL, 10) : 1;
		if (most == 0)
			most = 1;
		if (real == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	if (len > 0 && calls++ % 2 == 0) {
		cut++;
		errno = EAGAIN;
		return -1;
	}
	if (len > most)
		cut++;
	return real(fd, buf, len < most ? len : most, flags);
}

__attribute__((destructor)) static void
shortsend_report(void)
{
	const char *path = getenv("SHORTSEND_LOG");
	FILE *f;

	if (calls > 0 && path != NULL && (f = fopen(path, "w")) != NULL) {
		fprintf(f, "%lu %lu\n", calls, cut);
		fclose(f);
	}
}
