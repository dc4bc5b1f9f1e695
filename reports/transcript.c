/*
 * transcript.c: evidence files; see transcript.h.
 *
 * Files are written by one writer thread, not on the event loop: creating a
 * file costs 100 to 500 microseconds on ext4 (bench/RESULTS.md), which on
 * the loop would hold up every running dialogue. The loop hands a finished
 * transcript over (a pointer, under a mutex) and goes on. The queue is
 * bounded in bytes: when the disk cannot keep up, the loop waits for it,
 * so memory cannot grow without bound. The thread only writes files; it
 * touches nothing of the loop's.
 */
#include "config.h"

#include "reports/transcript.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record/result.h"
#include "reports/evidence.h"

#define TRANSCRIPT_CHUNK 2048                     /* a dialogue's buffer grows by this much */
#define LINE_ROOM        (SMTP_LINE_MAX * 4 + 64) /* one line, escaped, stamped */
#define QUEUE_BYTES_MAX  (16 * 1024 * 1024)       /* transcripts waiting for the disk */

/* A cut notice and the end line must fit in the room kept for one line. */
_Static_assert(SMTP_TEXT_MAX * 4 + 128 + 64 <= LINE_ROOM, "end line room");

/* A finished transcript, waiting for the writer thread. */
struct job {
	struct job *next;
	unsigned long long seq; /* 1, 2, ... in the order queued */
	char *buf;
	size_t len;
	char path[TRANSCRIPT_PATH_MAX];
	const char *name; /* its last component, in path */
};

struct transcripts {
	char dir[TRANSCRIPT_PATH_MAX];
	int dirfd; /* files are opened under it, never through a link */
	struct session_observer obs;

	/* Shared with the writer thread, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t work; /* a job was queued, or stop */
	pthread_cond_t room; /* queued bytes went down */
	struct job *head, *tail;
	size_t queued; /* bytes of the queued jobs */
	int stop;
	size_t failed;
	int first_errno;
	char first_failure[TRANSCRIPT_PATH_MAX + 64]; /* "PATH: why" */
	unsigned long long done;                      /* every job up to this one is finished */
	unsigned long long *fails; /* the jobs whose file was not written, ascending */
	size_t nfails, fails_cap;
	unsigned long long unknown_from; /* no memory to note failures: from here on, */
	                                 /* a job is counted as failed (0: none) */

	unsigned long long last_seq; /* the loop's: the last job queued */

	pthread_t thread;
	int running;
};

/* One dialogue's transcript, until it ends. */
struct dialogue {
	struct transcripts *tr;
	char *buf;
	size_t len, cap;
	int cut;
	char name[INET6_ADDRSTRLEN + 16];
};

static void *obs_open(void *arg, const struct target *t);
static void obs_line(void *handle, enum observe_kind kind, const char *bytes, size_t len);
static void obs_close(void *handle, struct probe_result *r);
static void *writer_main(void *arg);

struct transcripts *
transcripts_new(const char *dir, char *err, size_t errlen)
{
	struct transcripts *tr;
	size_t n = strlen(dir);
	/* Room for the longest file name of an IPv6 target. */
	int dirfd = evidence_dir_open(dir, "--transcripts", INET6_ADDRSTRLEN + 16 + 8, err, errlen);

	if (dirfd < 0)
		return NULL;
	if ((tr = calloc(1, sizeof(*tr))) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(dirfd);
		return NULL;
	}
	tr->dirfd = dirfd;
	memcpy(tr->dir, dir, n + 1);
	while (n > 1 && tr->dir[n - 1] == '/')
		tr->dir[--n] = '\0';
	tr->obs.open = obs_open;
	tr->obs.line = obs_line;
	tr->obs.close = obs_close;
	tr->obs.arg = tr;
	pthread_mutex_init(&tr->mu, NULL);
	pthread_cond_init(&tr->work, NULL);
	pthread_cond_init(&tr->room, NULL);
	if ((errno = pthread_create(&tr->thread, NULL, writer_main, tr)) != 0) {
		snprintf(err, errlen, "--transcripts: cannot start the writer: %s",
		         strerror(errno));
		transcripts_free(tr);
		return NULL;
	}
	tr->running = 1;
	return tr;
}

void
transcripts_finish(struct transcripts *tr)
{
	if (tr == NULL || !tr->running)
		return;
	pthread_mutex_lock(&tr->mu);
	tr->stop = 1;
	pthread_cond_signal(&tr->work);
	pthread_mutex_unlock(&tr->mu);
	pthread_join(tr->thread, NULL);
	tr->running = 0;
}

void
transcripts_free(struct transcripts *tr)
{
	if (tr == NULL)
		return;
	transcripts_finish(tr);
	pthread_cond_destroy(&tr->room);
	pthread_cond_destroy(&tr->work);
	pthread_mutex_destroy(&tr->mu);
	close(tr->dirfd);
	free(tr->fails);
	free(tr);
}

const struct session_observer *
transcripts_observer(struct transcripts *tr)
{
	return &tr->obs;
}

size_t
transcripts_failed(struct transcripts *tr, int *first_errno)
{
	size_t n;

	pthread_mutex_lock(&tr->mu);
	if (first_errno != NULL)
		*first_errno = tr->first_errno;
	n = tr->failed;
	pthread_mutex_unlock(&tr->mu);
	return n;
}

const char *
transcripts_first_failure(struct transcripts *tr)
{
	return tr->first_failure;
}

/* Counts a file that could not be written (the caller holds mu); why, when
 * not NULL, says it better than errno. */
static void
count_failure(struct transcripts *tr, int e, const char *path, const char *why)
{
	tr->failed++;
	if (tr->first_errno != 0)
		return;
	tr->first_errno = e;
	snprintf(tr->first_failure, sizeof(tr->first_failure), "%s%s%s", path ? path : "",
	         path ? ": " : "", why != NULL ? why : strerror(e));
}

void
transcript_file_name(const struct target *t, struct strbuf *sb)
{
	size_t i, n = strnlen(t->ip, sizeof(t->ip));

	for (i = 0; i < n; i++) {
		char c = t->ip[i];
		int safe = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		           (c >= 'A' && c <= 'Z') || c == '.';

		if (!safe)
			c = '-';
		sb_putc(sb, c);
	}
	sb_printf(sb, "_%u.txt", (unsigned)t->port);
}

void
transcript_format_line(struct strbuf *sb, const struct timeval *tv, char kind, const char *bytes,
                       size_t len)
{
	time_t sec = tv->tv_sec;
	struct tm tm;
	char when[32];

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	sb_printf(sb, "%s.%03ldZ %c: ", when, (long)(tv->tv_usec / 1000) % 1000, kind);
	sb_append_escaped(sb, bytes, len);
	sb_putc(sb, '\n');
}

void
transcript_append_line(char *buf, size_t *len, size_t cap, char kind, const char *bytes, size_t n)
{
	struct timeval tv;
	struct strbuf sb;

	/* One line is at most SMTP_LINE_MAX bytes, 4 each escaped. */
	if (n > SMTP_LINE_MAX)
		n = SMTP_LINE_MAX;
	gettimeofday(&tv, NULL);
	sb_init(&sb, buf + *len, cap - *len);
	transcript_format_line(&sb, &tv, kind, bytes, n);
	*len += sb.len;
}

/*
 * Makes room for one more line, and keeps room for the end line after it:
 * so the cut notice and the end line always fit. A transcript that would
 * pass its cap is cut, once, and says so.
 */
static int
reserve(struct dialogue *d)
{
	static const char msg[] = "# ... transcript cut here: longer than its cap\n";
	size_t need = d->len + 2 * LINE_ROOM, cap;
	char *nb;

	if (d->cut)
		return -1;
	if (need > TRANSCRIPT_BYTES_MAX) {
		d->cut = 1;
		memcpy(d->buf + d->len, msg, sizeof(msg) - 1);
		d->len += sizeof(msg) - 1;
		return -1;
	}
	if (need <= d->cap)
		return 0;
	cap = (need + TRANSCRIPT_CHUNK - 1) / TRANSCRIPT_CHUNK * TRANSCRIPT_CHUNK;
	if ((nb = realloc(d->buf, cap)) == NULL) {
		d->cut = 1;
		return -1;
	}
	d->buf = nb;
	d->cap = cap;
	return 0;
}

static void
add_line(struct dialogue *d, char kind, const char *bytes, size_t len)
{
	if (reserve(d) != 0)
		return;
	transcript_append_line(d->buf, &d->len, d->cap, kind, bytes, len);
}

static void *
obs_open(void *arg, const struct target *t)
{
	struct transcripts *tr = arg;
	struct dialogue *d = calloc(1, sizeof(*d));
	struct strbuf sb;

	if (d == NULL) {
		pthread_mutex_lock(&tr->mu);
		count_failure(tr, ENOMEM, NULL, NULL);
		pthread_mutex_unlock(&tr->mu);
		return NULL;
	}
	d->tr = tr;
	sb_init(&sb, d->name, sizeof(d->name));
	transcript_file_name(t, &sb);
	if (reserve(d) == 0) {
		sb_init(&sb, d->buf, d->cap);
		sb_printf(&sb, "# smtpprobe %s transcript of %s port %u (", PACKAGE_VERSION, t->ip,
		          (unsigned)t->port);
		sb_append_escaped(&sb, t->origin, strnlen(t->origin, sizeof(t->origin)));
		sb_puts(&sb, ")\n");
		d->len = sb.len;
		add_line(d, OBSERVE_NOTE, "connecting", 10);
	}
	return d;
}

static void
obs_line(void *handle, enum observe_kind kind, const char *bytes, size_t len)
{
	add_line(handle, (char)kind, bytes, len);
}

static void
obs_close(void *handle, struct probe_result *r)
{
	struct dialogue *d = handle;
	struct transcripts *tr = d->tr;
	char end[SMTP_TEXT_MAX];
	struct strbuf sb;
	struct job *job;

	if (!probe_result_finished(r)) {
		/* No row is written for it: the target is probed again (now,
		 * or by --resume), and that dialogue is the evidence. */
		free(d->buf);
		free(d);
		return;
	}
	snprintf(end, sizeof(end), "end: %s%s%s", verdict_name(r->verdict),
	         r->error != PROBE_OK ? ", " : "", probe_error_name(r->error));
	if (r->verdict == VERDICT_ACCEPTS_RELAY || r->verdict == VERDICT_ACCEPTS_LOCALHOST)
		snprintf(end + strlen(end), sizeof(end) - strlen(end),
		         " (RCPT accepted; delivery not tested: DATA is never sent)");
	if (d->buf != NULL && d->len + LINE_ROOM <= d->cap) {
		/* reserve() kept this room, cut or not. */
		struct timeval tv;

		gettimeofday(&tv, NULL);
		sb_init(&sb, d->buf + d->len, d->cap - d->len);
		transcript_format_line(&sb, &tv, OBSERVE_NOTE, end, strlen(end));
		d->len += sb.len;
	}

	job = calloc(1, sizeof(*job));
	pthread_mutex_lock(&tr->mu);
	if (job == NULL || d->buf == NULL) {
		count_failure(tr, ENOMEM, NULL, NULL);
		pthread_mutex_unlock(&tr->mu);
		free(job);
		free(d->buf);
		free(d);
		return;
	}
	/* transcripts_new() checked that the name fits. */
	sb_init(&sb, job->path, sizeof(job->path));
	sb_printf(&sb, "%s/", tr->dir);
	job->name = job->path + sb.len;
	sb_puts(&sb, d->name);
	/* Give back the room kept for more lines: queued memory is what counts. */
	if ((job->buf = realloc(d->buf, d->len)) == NULL)
		job->buf = d->buf;
	job->len = d->len;
	/* Named now, and numbered: the row waits for transcripts_job_state()
	 * to say the file was written before it names it. */
	snprintf(r->transcript, sizeof(r->transcript), "%s", job->path);
	job->seq = ++tr->last_seq;
	r->transcript_job = job->seq;

	/* The disk is behind: wait for it rather than grow without bound. */
	while (tr->queued > 0 && tr->queued + job->len > QUEUE_BYTES_MAX)
		pthread_cond_wait(&tr->room, &tr->mu);
	if (tr->tail != NULL)
		tr->tail->next = job;
	else
		tr->head = job;
	tr->tail = job;
	tr->queued += job->len;
	pthread_cond_signal(&tr->work);
	pthread_mutex_unlock(&tr->mu);
	free(d);
}

/*
 * Writes one file in place (not to a temporary name renamed over it: on
 * ext4 that rename costs five times the create, bench/RESULTS.md), under
 * the directory's descriptor and never through a link (evidence.h).
 */
static int
write_file(const struct transcripts *tr, const struct job *job, const char **why)
{
	return evidence_write(tr->dirfd, job->name, job->buf, job->len, "# smtpprobe ", why);
}

/* Notes a job whose file was not written (the caller holds mu). */
static void
note_failed_job(struct transcripts *tr, unsigned long long seq)
{
	if (tr->unknown_from != 0)
		return;
	if (tr->nfails == tr->fails_cap) {
		size_t cap = tr->fails_cap ? tr->fails_cap * 2 : 64;
		unsigned long long *v = realloc(tr->fails, cap * sizeof(*v));

		if (v == NULL) {
			tr->unknown_from = seq;
			return;
		}
		tr->fails = v;
		tr->fails_cap = cap;
	}
	tr->fails[tr->nfails++] = seq;
}

static int
seq_cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

int
transcripts_job_state(struct transcripts *tr, unsigned long long job)
{
	int state;

	pthread_mutex_lock(&tr->mu);
	if (tr->done < job)
		state = 0;
	else if ((tr->unknown_from != 0 && job >= tr->unknown_from) ||
	         (tr->nfails > 0 &&
	          bsearch(&job, tr->fails, tr->nfails, sizeof(*tr->fails), seq_cmp) != NULL))
		state = -1;
	else
		state = 1;
	pthread_mutex_unlock(&tr->mu);
	return state;
}

void
transcripts_wait_job(struct transcripts *tr, unsigned long long job)
{
	pthread_mutex_lock(&tr->mu);
	while (tr->done < job && tr->running)
		pthread_cond_wait(&tr->room, &tr->mu);
	pthread_mutex_unlock(&tr->mu);
}

static void *
writer_main(void *arg)
{
	struct transcripts *tr = arg;
	struct job *job;

	pthread_mutex_lock(&tr->mu);
	for (;;) {
		const char *why = NULL;
		int e;

		while (tr->head == NULL && !tr->stop)
			pthread_cond_wait(&tr->work, &tr->mu);
		if ((job = tr->head) == NULL)
			break; /* stopped, and nothing left */
		tr->head = job->next;
		if (tr->head == NULL)
			tr->tail = NULL;
		pthread_mutex_unlock(&tr->mu);

		e = write_file(tr, job, &why);

		pthread_mutex_lock(&tr->mu);
		if (e != 0) {
			count_failure(tr, e, job->path, why);
			note_failed_job(tr, job->seq);
		}
		tr->done = job->seq;
		tr->queued -= job->len;
		pthread_cond_broadcast(&tr->room);
		free(job->buf);
		free(job);
	}
	pthread_mutex_unlock(&tr->mu);
	return NULL;
}
