/*
 * evidence.h: the directory of evidence files (--transcripts, --abuse-report)
 * and writing one file in it safely: shared by reports/transcript.c and
 * reports/arf.c.
 *
 * The directory is made 0700 when it does not exist (evidence is the
 * owner's alone). A file is opened under the directory's descriptor, never
 * through a symlink (O_NOFOLLOW) and never when it has other hard links,
 * so a link planted in a shared directory cannot send the write (as root,
 * perhaps) elsewhere; a file there that is not ours (it does not start with
 * the writer's magic) is left as it is.
 */
#ifndef SMTPPROBE_EVIDENCE_H
#define SMTPPROBE_EVIDENCE_H

#include <stddef.h>

/*
 * Makes dir when absent (0700), checks it is a writable directory and
 * opens it: its descriptor, or -1 with err filled ("OPTION: why"). name_room
 * is the longest file name to go in it: a directory name leaving no room
 * for it in EVIDENCE_PATH_MAX is refused.
 */
int evidence_dir_open(const char *dir, const char *option, size_t name_room, char *err,
                      size_t errlen);

/*
 * Writes buf as the file `name` under dirfd, in place: 0, or an errno with
 * *why set when errno alone would not say it (a symlink, a hard link, a
 * file that is not ours). A file that does not start with magic and is not
 * empty is not replaced. A file cut short is removed. Short of descriptors
 * or memory, it waits and tries again (TRANSCRIPT_RETRY_MS, at most
 * TRANSCRIPT_RETRIES_MAX times).
 */
int evidence_write(int dirfd, const char *name, const char *buf, size_t len, const char *magic,
                   const char **why);

#endif
