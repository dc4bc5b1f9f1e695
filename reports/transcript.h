/*
 * transcript.h: evidence files (--transcripts DIR), one per probed target,
 * DIR/<ip>_<port>.txt, for an abuse desk to paste into a reply:
 *
 *   # smtpprobe 0.1.0 transcript of 192.0.2.25 port 25 (ips.txt:12)
 *   2026-11-29T01:39:54.123Z *: connected from 198.51.100.7
 *   2026-11-29T01:39:54.125Z S: 220 localhost ESMTP
 *   2026-11-29T01:39:54.125Z C: EHLO smtpprobe.example.com
 *   ...
 *   2026-11-29T01:39:54.135Z *: end: accepts-localhost (RCPT accepted; delivery not tested)
 *
 * Each line is stamped to the millisecond (UTC), C: for what we sent, S: for
 * what the server sent, *: for notes (the connection, a TLS upgrade, the
 * end). Server bytes are escaped as in the CSV (sb_append_escaped), so a
 * transcript is plain printable UTF-8 that is safe to cat on a terminal.
 *
 * A dialogue's lines are kept in memory (at most TRANSCRIPT_BYTES_MAX) and
 * the file is written once, when the dialogue ends, by a writer thread: no
 * descriptor is held per session and the event loop never waits for the
 * disk (unless 16 MiB of transcripts are queued). Its path goes in the
 * transcript column with the number of its job (transcript_job); the row is
 * for the caller to hold until transcripts_job_state() says the file was
 * written (or not: then the row names no file, and it is counted by
 * transcripts_failed()).
 */
#ifndef SMTPPROBE_TRANSCRIPT_H
#define SMTPPROBE_TRANSCRIPT_H

#include <stddef.h>
#include <sys/time.h>

#include "common/strbuf.h"
#include "record/observer.h"
#include "targets/target.h"

struct transcripts;

/* dir must be a writable directory; made (mode 0700) when it does not
 * exist. Files in it are never written through a symlink or a hard link,
 * and a file there that is not a transcript is left alone (counted as not
 * written). Returns NULL with err filled. */
struct transcripts *transcripts_new(const char *dir, char *err, size_t errlen);
void transcripts_free(struct transcripts *tr);

/* The observer to put in probe_settings; valid while tr is. */
const struct session_observer *transcripts_observer(struct transcripts *tr);

/* Waits until every queued file is written; the observer must not be used
 * after. transcripts_free() calls it too. */
void transcripts_finish(struct transcripts *tr);

/* A job (a row's transcript_job): 1 its file is written, -1 it could not
 * be, 0 not yet. Every job is 1 or -1 after transcripts_finish(). */
int transcripts_job_state(struct transcripts *tr, unsigned long long job);
/* Waits until the job is written or failed (for a caller whose held rows
 * are at their cap). */
void transcripts_wait_job(struct transcripts *tr, unsigned long long job);

/* Files that could not be written, and why the first one failed (errno);
 * final after transcripts_finish(). */
size_t transcripts_failed(struct transcripts *tr, int *first_errno);
/* The first of them, "PATH: why", or "" (after transcripts_finish()). */
const char *transcripts_first_failure(struct transcripts *tr);

/* Pure helpers, for tests. */

/* "<ip>_<port>.txt" with every byte but [0-9A-Za-z.] of the address as '-'
 * (IPv6 colons, a scope's %): a name safe in any shell and file system. */
void transcript_file_name(const struct target *t, struct strbuf *sb);

/* Appends one transcript line: "<UTC time, ms> <kind>: <bytes escaped>\n". */
void transcript_format_line(struct strbuf *sb, const struct timeval *tv, char kind,
                            const char *bytes, size_t len);

/*
 * Appends one line as transcript_format_line does, stamped now and cut at
 * SMTP_LINE_MAX bytes, so room for that many escaped bytes always holds it.
 * The dialogue's buffer of a transcript and of an abuse report use it.
 */
void transcript_append_line(char *buf, size_t *len, size_t cap, char kind, const char *bytes,
                            size_t n);

#endif
