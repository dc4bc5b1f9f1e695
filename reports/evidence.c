/*
 * evidence.c: the evidence directory and its files; see evidence.h.
 */
#include "reports/evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/bounds.h"

int
evidence_dir_open(const char *dir, const char *option, size_t name_room, char *err, size_t errlen)
{
	struct stat st;
	size_t n = strlen(dir);
	int fd;

	if (n == 0 || n + 1 + name_room >= TRANSCRIPT_PATH_MAX) {
		snprintf(err, errlen, "%s: directory name too long or empty", option);
		return -1;
	}
	if (stat(dir, &st) != 0 && errno == ENOENT && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create %s: %s", option, dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) != 0 || (S_ISDIR(st.st_mode) && access(dir, W_OK | X_OK) != 0)) {
		snprintf(err, errlen, "%s: %s: %s", option, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s: not a directory", option, dir);
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s: %s", option, dir, strerror(errno));
		return -1;
	}
	return fd;
}

/* Writes all of buf to fd: 0, or -1 with errno. */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * 0 when the file open at fd may be replaced: a regular file with no other
 * name, empty (just made) or one of ours (it starts with magic). Else an
 * errno, with *why saying what the file is.
 */
static int
replaceable(int fd, const char *magic, const char **why)
{
	char head[64];
	size_t n = strlen(magic);
	struct stat st;

	if (n > sizeof(head))
		n = sizeof(head);
	if (fstat(fd, &st) != 0)
		return errno;
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file: refused";
		return EPERM;
	}
	/* A hard link planted in a shared directory would pass the write on. */
	if (st.st_nlink > 1) {
		*why = "a file with other hard links: refused";
		return EPERM;
	}
	if (st.st_size > 0 &&
	    (pread(fd, head, n, 0) != (ssize_t)n || memcmp(head, magic, n) != 0)) {
		*why = "not a file of smtpprobe: left as it is";
		return EEXIST;
	}
	return 0;
}

int
evidence_write(int dirfd, const char *name, const char *buf, size_t len, const char *magic,
               const char **why)
{
	int fd, e = 0, tries = 0;

	/* Short of descriptors or memory is our side's state, not the file's:
	 * the loop frees some as dialogues end, so wait a little and try again. */
	while ((fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	                    0644)) < 0) {
		struct timespec pause = {0, TRANSCRIPT_RETRY_MS * 1000000L};

		if ((errno != EMFILE && errno != ENFILE && errno != ENOMEM) ||
		    ++tries > TRANSCRIPT_RETRIES_MAX) {
			if (errno == ELOOP)
				*why = "a symbolic link: refused";
			return errno;
		}
		nanosleep(&pause, NULL);
	}
	if ((e = replaceable(fd, magic, why)) != 0) {
		close(fd);
		return e;
	}
	if (ftruncate(fd, 0) != 0 || write_all(fd, buf, len) != 0)
		e = errno;
	if (close(fd) != 0 && e == 0)
		e = errno;
	if (e != 0)
		unlinkat(dirfd, name, 0);
	return e;
}
