/*
 * replay.c: a main() for the fuzz targets when they are not built with
 * libFuzzer. It feeds every file named on the command line (or found in a
 * directory named there) to LLVMFuzzerTestOneInput once, so `make check`
 * replays the seed corpus and every past crash under the sanitizers.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_FILE_MAX (1024 * 1024) /* a corpus file larger than this is an error */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	static uint8_t buf[REPLAY_FILE_MAX];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (!feof(f)) {
		fprintf(stderr, "%s: larger than %d bytes\n", path, REPLAY_FILE_MAX);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* A copy of exactly n bytes, so ASan sees reads past the input. */
	{
		uint8_t *copy = malloc(n ? n : 1);

		if (copy == NULL)
			return -1;
		memcpy(copy, buf, n);
		LLVMFuzzerTestOneInput(copy, n);
		free(copy);
	}
	return 0;
}

static int
replay_path(const char *path, size_t *count)
{
	struct stat st;
	struct dirent *de;
	char sub[4096];
	DIR *d;
	int rc = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (replay_path(sub, count) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i, rc = 0;

	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			rc = 1;
	printf("%s: %zu inputs replayed\n", argv[0], count);
	return rc != 0 || count == 0;
}
