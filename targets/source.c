/*
 * source.c: the stream of targets from arguments and list files; see source.h.
 *
 * Inputs form a queue consumed front to back. List files share one read
 * buffer sized for a line and a read's worth of bytes: a line is handed out
 * in place, and a line that outgrows TARGET_LINE_MAX is reported at once and
 * its remaining bytes thrown away as they arrive, so no input makes memory
 * grow except the set of distinct targets kept for dedupe.
 */
#include "targets/source.h"

#include "targets/range.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bounds.h"
#include "common/strbuf.h"
#include "targets/doneset.h"
#include "targets/message.h"
#include "targets/parse.h"
#include "targets/suspects.h"

#define SOURCE_BUF_SIZE    (4 * TARGET_LINE_MAX)    /* one line and room to read */
#define SOURCE_NAME_MAX    (TARGET_ORIGIN_MAX - 24) /* leaves room for ":LINE" */
#define SOURCE_ERR_MAX     (TARGET_ORIGIN_MAX + TARGET_REASON_MAX)
#define SEEN_INITIAL_SLOTS 1024

/* take_line() result: nothing to hand out for this line, read the next. */
#define NEXT_LINE 100

enum input_kind {
	INPUT_ARG,
	INPUT_FILE,
	INPUT_MESSAGE, /* --message: targets from Received chains */
};

struct input {
	struct input *next;
	enum input_kind kind;
	char *text;                 /* the argument; NULL for a file */
	size_t argno;               /* 1-based among arguments */
	char name[SOURCE_NAME_MAX]; /* a file's path as given, escaped; "stdin" for "-" */
	int fd;                     /* -1 once closed */
	int own_fd;                 /* opened here, so closed here */
	int saved_flags;            /* fd flags to put back, or -1 */
	struct message_file *mf;    /* INPUT_MESSAGE */
};

enum read_status {
	RL_LINE,
	RL_TOO_LONG,
	RL_WAIT,
	RL_EOF,
	RL_ERROR,
	RL_YIELD, /* SOURCE_STEPS_MAX reads in this call: yield to the loop */
};

/* One distinct (family, address, port); family 0 marks a free slot. times
 * counts how often it came (saturating): a message's nth sighting is its
 * nth row. */
struct seen {
	unsigned char family;
	unsigned char times;
	unsigned char addr[16];
	uint16_t port;
};

struct target_source {
	struct target_source_config cfg;
	struct input *head, *tail;
	size_t nargs;

	/* The file at the head of the queue. */
	char *buf;
	size_t start, end;    /* unread bytes are buf[start..end) */
	unsigned long lineno; /* lines handed out so far */
	int discarding;       /* inside a too-long line: drop bytes until '\n' */
	int eof;
	int read_errno;
	int waiting;  /* the last answer was TS_WAIT */
	size_t steps; /* lines and reads in this call of target_source_next */

	struct seen *seen;
	size_t seen_cap, seen_n;
	/* --resume: the targets the output file already has, kept apart from
	 * the dedupe set so that a range's addresses are checked against it
	 * without being stored. NULL until the first is marked. */
	struct doneset *done;

	/* The range being handed out, if any. */
	struct range range;
	int in_range;
	uint64_t range_next; /* the next index of the range this shard takes */
	uint64_t seq;        /* items numbered so far in the run, for sharding */
	uint64_t emitted;    /* targets handed out, for max_targets */

	/* The targets of the message being read (INPUT_MESSAGE). */
	struct message_chain *chain;
	struct target mq[MESSAGE_RECEIVED_MAX + 1];
	size_t mq_n, mq_i;

	size_t duplicates, bad_lines;
	size_t already_done; /* targets skipped because an earlier run reported them */
	int oom;
	int failed;
	char fatal[SOURCE_ERR_MAX];
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void input_close(struct input *in);
static void input_done(struct target_source *src);
static enum read_status read_line(struct target_source *src, struct input *in, const char **line,
                                  size_t *len);
static void set_origin(struct target *t, const struct input *in, unsigned long lineno);
static uint64_t seen_hash(const struct seen *k);
static int seen_add(struct target_source *src, const struct seen *k, unsigned int *times);
static void seen_key(const struct target *t, struct seen *k);
static enum target_source_status fatal(struct target_source *src, char *err, size_t errlen,
                                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad_line(struct target_source *src, struct target *t, const char *msg, char *err,
                    size_t errlen);
static int dedupe(struct target_source *src, const struct target *t);
static int reported(struct target_source *src, const struct target *t, unsigned int nth);
static int origin_reported(struct target_source *src, const struct target *t);
static void apply_policy(const struct target_source *src, struct target *t);
static int my_turn(struct target_source *src);
static int range_start(struct target_source *src, struct target *t, char *err, size_t errlen);
static int range_take(struct target_source *src, struct target *t);
static int take_message(struct target_source *src, struct input *in, struct target *t, char *err,
                        size_t errlen);
static int take_line(struct target_source *src, const struct input *in, const char *line,
                     size_t len, struct target *t, char *err, size_t errlen);

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	char tmp[SOURCE_ERR_MAX];
	struct strbuf sb;
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sb_init(&sb, err, errlen);
	sb_puts(&sb, tmp);
}

struct target_source *
target_source_new(const struct target_source_config *cfg)
{
	struct target_source *src = calloc(1, sizeof(*src));

	if (src == NULL)
		return NULL;
	src->cfg = *cfg;
	return src;
}

static void
input_close(struct input *in)
{
	if (in->fd < 0)
		return;
	/* Put a shared descriptor (stdin from a pipe) back as it was given. */
	if (in->saved_flags != -1)
		(void)fcntl(in->fd, F_SETFL, in->saved_flags);
	if (in->own_fd)
		(void)close(in->fd);
	in->fd = -1;
}

void
target_source_free(struct target_source *src)
{
	struct input *in, *next;

	if (src == NULL)
		return;
	for (in = src->head; in != NULL; in = next) {
		next = in->next;
		input_close(in);
		message_file_free(in->mf);
		free(in->text);
		free(in);
	}
	free(src->chain);
	free(src->buf);
	free(src->seen);
	doneset_free(src->done);
	free(src);
}

static void
enqueue(struct target_source *src, struct input *in)
{
	if (src->tail != NULL)
		src->tail->next = in;
	else
		src->head = in;
	src->tail = in;
}

void
target_source_add_arg(struct target_source *src, const char *text)
{
	struct input *in = calloc(1, sizeof(*in));

	/* No error to return here: target_source_next() reports it. */
	if (in == NULL || (in->text = strdup(text)) == NULL) {
		free(in);
		src->oom = 1;
		return;
	}
	in->kind = INPUT_ARG;
	in->argno = ++src->nargs;
	in->fd = -1;
	in->saved_flags = -1;
	enqueue(src, in);
}

int
target_source_add_file(struct target_source *src, const char *path, char *err, size_t errlen)
{
	struct input *in;
	struct strbuf sb;
	struct stat st;
	int fd, own;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	in = calloc(1, sizeof(*in));
	if (in == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	in->kind = INPUT_FILE;
	in->saved_flags = -1;
	/* "stdin:3", not "-:3": an origin must not read as a formula or an option. */
	sb_init(&sb, in->name, sizeof(in->name));
	if (strcmp(path, "-") == 0)
		sb_puts(&sb, "stdin");
	else
		sb_append_escaped(&sb, path, strlen(path));

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		own = 0;
	} else {
		do
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		while (fd < 0 && errno == EINTR);
		own = 1;
	}
	if (fd >= 0 && fstat(fd, &st) < 0) {
		int saved = errno;

		if (own)
			(void)close(fd);
		fd = -1;
		errno = saved;
	} else if (fd >= 0 && S_ISDIR(st.st_mode)) {
		/* open(2) takes a directory; read(2) would only fail later. */
		if (own)
			(void)close(fd);
		fd = -1;
		errno = EISDIR;
	}
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", in->name, strerror(errno));
		free(in);
		return -1;
	}
	in->fd = fd;
	in->own_fd = own;
	/*
	 * A pipe or socket may hold half a line for a long time (zmap is still
	 * scanning): read it without blocking so the prober's loop keeps going.
	 */
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		int flags = fcntl(fd, F_GETFL);
		if (flags < 0 ||
		    (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)) {
			set_err(err, errlen, "%s: %s", in->name, strerror(errno));
			if (own)
				(void)close(fd);
			free(in);
			return -1;
		}
		if (!(flags & O_NONBLOCK))
			in->saved_flags = flags;
	}
	enqueue(src, in);
	return 0;
}

/* Drops the input at the head of the queue and resets the reader. */
static void
input_done(struct target_source *src)
{
	struct input *in = src->head;

	src->head = in->next;
	if (src->head == NULL)
		src->tail = NULL;
	input_close(in);
	message_file_free(in->mf);
	free(in->text);
	free(in);
	src->mq_n = src->mq_i = 0;
	src->start = src->end = 0;
	src->lineno = 0;
	src->discarding = 0;
	src->eof = 0;
}

/*
 * The next line of the file at the head, without its '\n', in place in the
 * buffer (valid until the next call). RL_TOO_LONG hands out the first bytes
 * of a line longer than TARGET_LINE_MAX, '\r' before '\n' not counted.
 */
static enum read_status
read_line(struct target_source *src, struct input *in, const char **line, size_t *len)
{
	if (src->buf == NULL) {
		src->buf = malloc(SOURCE_BUF_SIZE);
		if (src->buf == NULL) {
			src->oom = 1;
			src->read_errno = ENOMEM;
			return RL_ERROR;
		}
	}
	for (;;) {
		char *p = src->buf + src->start;
		size_t pending = src->end - src->start;
		char *nl = memchr(p, '\n', pending);
		ssize_t r;

		if (nl != NULL) {
			size_t n = (size_t)(nl - p);

			src->start += n + 1;
			if (src->discarding) {
				src->discarding = 0;
				continue;
			}
			src->lineno++;
			*line = p;
			*len = n;
			/* p[0..n) came from read(); the analyzer cannot see it. */
			/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
			if (n > TARGET_LINE_MAX && !(n == TARGET_LINE_MAX + 1 && p[n - 1] == '\r'))
				return RL_TOO_LONG;
			return RL_LINE;
		}
		if (src->discarding) {
			src->start = src->end = 0;
		} else if (pending > TARGET_LINE_MAX + 1) {
			/* Report it now; its end is dropped as it comes. */
			src->lineno++;
			src->discarding = 1;
			src->start = src->end = 0;
			*line = p;
			*len = pending;
			return RL_TOO_LONG;
		}
		if (src->eof) {
			/* A last line without '\n' still counts. */
			if (src->discarding || pending == 0)
				return RL_EOF;
			src->start = src->end;
			src->lineno++;
			*line = p;
			*len = pending;
			return pending > TARGET_LINE_MAX &&
			               !(pending == TARGET_LINE_MAX + 1 && p[pending - 1] == '\r')
			           ? RL_TOO_LONG
			           : RL_LINE;
		}
		if (src->start > 0) {
			memmove(src->buf, p, pending);
			src->start = 0;
			src->end = pending;
		}
		if (++src->steps > SOURCE_STEPS_MAX)
			return RL_YIELD;
		r = read(in->fd, src->buf + src->end, SOURCE_BUF_SIZE - src->end);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return RL_WAIT;
			src->read_errno = errno;
			return RL_ERROR;
		}
		if (r == 0)
			src->eof = 1;
		src->end += (size_t)r;
	}
}

static void
set_origin(struct target *t, const struct input *in, unsigned long lineno)
{
	struct strbuf sb;

	sb_init(&sb, t->origin, sizeof(t->origin));
	if (in->kind == INPUT_ARG) {
		sb_puts(&sb, "arg:");
		sb_put_int(&sb, (long long)in->argno);
	} else {
		sb_puts(&sb, in->name);
		sb_putc(&sb, ':');
		sb_put_int(&sb, (long long)lineno);
	}
}

/* splitmix64's finisher over the key's words. */
static uint64_t
mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static uint64_t
seen_hash(const struct seen *k)
{
	uint64_t a, b;

	memcpy(&a, k->addr, 8);
	memcpy(&b, k->addr + 8, 8);
	return mix(mix(mix(a) ^ b) ^ ((uint64_t)k->port << 8 | k->family));
}

static int
seen_equal(const struct seen *a, const struct seen *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Returns 1 when k is new (and now kept), 0 for a duplicate, -1 out of
 * memory. *times (when not NULL) is how often k has come, this time counted. */
static int
seen_add(struct target_source *src, const struct seen *k, unsigned int *times)
{
	size_t i, mask;

	if ((src->seen_n + 1) * 4 > src->seen_cap * 3) {
		size_t cap = src->seen_cap ? src->seen_cap * 2 : SEEN_INITIAL_SLOTS;
		struct seen *v;

		if (cap > SIZE_MAX / sizeof(*v))
			return -1;
		v = calloc(cap, sizeof(*v));
		if (v == NULL)
			return -1;
		for (i = 0; i < src->seen_cap; i++) {
			size_t j;

			if (src->seen[i].family == 0)
				continue;
			for (j = seen_hash(&src->seen[i]) & (cap - 1); v[j].family != 0;
			     j = (j + 1) & (cap - 1))
				;
			v[j] = src->seen[i];
		}
		free(src->seen);
		src->seen = v;
		src->seen_cap = cap;
	}
	mask = src->seen_cap - 1;
	for (i = seen_hash(k) & mask; src->seen[i].family != 0; i = (i + 1) & mask) {
		if (seen_equal(&src->seen[i], k)) {
			if (src->seen[i].times < UCHAR_MAX)
				src->seen[i].times++;
			if (times != NULL)
				*times = src->seen[i].times;
			return 0;
		}
	}
	src->seen[i] = *k;
	src->seen[i].times = 1;
	src->seen_n++;
	if (times != NULL)
		*times = 1;
	return 1;
}

/* An IPv4-mapped IPv6 address is the same host as its IPv4 address. */
static void
seen_key(const struct target *t, struct seen *k)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(k, 0, sizeof(*k));
	k->port = t->port;
	if (t->sa.ss_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, &t->sa, sizeof(sin));
		k->family = 4;
		memcpy(k->addr, &sin.sin_addr, 4);
	} else {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, &t->sa, sizeof(sin6));
		if (memcmp(sin6.sin6_addr.s6_addr, mapped, sizeof(mapped)) == 0) {
			k->family = 4;
			memcpy(k->addr, sin6.sin6_addr.s6_addr + 12, 4);
		} else {
			k->family = 6;
			memcpy(k->addr, sin6.sin6_addr.s6_addr, 16);
		}
	}
}

/* Every later call answers the same: the stream stops at its first fatal error. */
static enum target_source_status
fatal(struct target_source *src, char *err, size_t errlen, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(src->fatal, sizeof(src->fatal), fmt, ap);
	va_end(ap);
	src->failed = 1;
	if (err != NULL && errlen > 0) {
		sb_init(&sb, err, errlen);
		sb_puts(&sb, src->fatal);
	}
	return TS_FATAL;
}

static enum target_source_status
out_of_memory(struct target_source *src, char *err, size_t errlen)
{
	src->oom = 1;
	return fatal(src, err, errlen, "out of memory");
}

/* A line that names no target: a skipped row, a warning, or the end (strict). */
static int
bad_line(struct target_source *src, struct target *t, const char *msg, char *err, size_t errlen)
{
	struct strbuf sb;

	/* --resume: the file already reports this line; no row, no warning. */
	if (origin_reported(src, t))
		return NEXT_LINE;
	src->bad_lines++;
	sb_init(&sb, t->skip_reason, sizeof(t->skip_reason));
	sb_puts(&sb, msg);
	if (src->cfg.strict)
		return fatal(src, err, errlen, "%s: %s", t->origin, msg);
	if (src->cfg.warn != NULL)
		fprintf(src->cfg.warn, "smtpprobe: %s: %s\n", t->origin, msg);
	return TS_TARGET;
}

/* Parses one line (origin already set) and applies dedupe and policy. */
static int
take_line(struct target_source *src, const struct input *in, const char *line, size_t len,
          struct target *t, char *err, size_t errlen)
{
	char msg[TARGET_REASON_MAX];

	switch (target_parse_line(line, len, src->cfg.default_port, t, msg, sizeof(msg))) {
	case TP_EMPTY:
		/* A blank argument is a mistake ("$IP" unset), not a comment. */
		if (in->kind == INPUT_ARG)
			return bad_line(src, t, "empty target", err, errlen);
		return NEXT_LINE;
	case TP_ERROR:
		if (!my_turn(src))
			return NEXT_LINE;
		return bad_line(src, t, msg, err, errlen);
	case TP_RANGE:
		return range_start(src, t, err, errlen);
	case TP_TARGET:
		if (msg[0] != '\0' && src->cfg.warn != NULL)
			fprintf(src->cfg.warn, "smtpprobe: %s: warning: %s\n", t->origin, msg);
		break;
	}
	/* A name has no address yet: it takes its shard turn as one item, and
	 * the prober resolves it and brings each address back through
	 * target_source_admit. */
	if (t->name_kind != TARGET_NAME_NONE)
		return my_turn(src) ? TS_TARGET : NEXT_LINE;

	switch (dedupe(src, t)) {
	case -1:
		return out_of_memory(src, err, errlen);
	case 0:
		return NEXT_LINE;
	}
	/* Already reported: it still took its shard turn, so a resumed shard
	 * takes the same items as the run it resumes. */
	if (!my_turn(src) || reported(src, t, 1))
		return NEXT_LINE;
	apply_policy(src, t);
	return TS_TARGET;
}

/* 1 for an address not seen before in this run, 0 for a duplicate (counted);
 * -1 out of memory. */
static int
dedupe(struct target_source *src, const struct target *t)
{
	struct seen k;

	seen_key(t, &k);
	switch (seen_add(src, &k, NULL)) {
	case -1:
		return -1;
	case 0:
		src->duplicates++;
		return 0;
	}
	return 1;
}

/* 1 (counted) when the output file already holds the nth row of t
 * (--resume): its row, policy's skipped row included, is not made again. */
static int
reported(struct target_source *src, const struct target *t, unsigned int nth)
{
	if (src->done == NULL ||
	    doneset_count(src->done, (const struct sockaddr *)&t->sa, t->port) < nth)
		return 0;
	src->already_done++;
	return 1;
}

/* 1 (counted) when the output file already holds a row without an address
 * from t's origin (--resume): a bad line, a message without a suspect. */
static int
origin_reported(struct target_source *src, const struct target *t)
{
	if (src->done == NULL || !doneset_has_origin(src->done, t->origin))
		return 0;
	src->already_done++;
	return 1;
}

/* What DNS gave passes the same dedupe, resume set and policy as a listed
 * address; it took its shard turn as the name it came from. */
int
target_source_admit(struct target_source *src, struct target *t)
{
	int r = dedupe(src, t);

	if (r == 1 && reported(src, t, 1))
		return 0;
	if (r == 1)
		apply_policy(src, t);
	return r;
}

int
target_source_add_message(struct target_source *src, const char *path, char *err, size_t errlen)
{
	struct input *in = calloc(1, sizeof(*in));

	if (in == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	if (src->chain == NULL && (src->chain = malloc(sizeof(*src->chain))) == NULL) {
		free(in);
		set_err(err, errlen, "out of memory");
		return -1;
	}
	if ((in->mf = message_file_open(path, err, errlen)) == NULL) {
		free(in);
		return -1;
	}
	message_file_set_outer(in->mf, src->cfg.outer);
	in->kind = INPUT_MESSAGE;
	in->fd = -1;
	in->saved_flags = -1;
	enqueue(src, in);
	return 0;
}

/*
 * The next target of a message input: what is left of the current
 * message's targets, else the next message's. A suspect seen before (two
 * spams from one host) still gives its row, skipped as a duplicate, so every
 * message shows in the report.
 */
static int
take_message(struct target_source *src, struct input *in, struct target *t, char *err,
             size_t errlen)
{
	char name[TARGET_ORIGIN_MAX], why[TARGET_REASON_MAX];
	const char *hdr;
	size_t len;
	int too_big, r;

	if (src->mq_i < src->mq_n) {
		unsigned int times = 0;
		struct seen k;

		*t = src->mq[src->mq_i++];
		if (t->skip_reason[0] != '\0' && src->chain->error[0] != '\0') {
			/* Not a readable message: bad input, like a bad line. */
			set_err(why, sizeof(why), "%s", t->skip_reason);
			return bad_line(src, t, why, err, errlen);
		}
		if (t->skip_reason[0] != '\0') {
			/* A message whose chain names no suspect: said, never fatal. */
			if (origin_reported(src, t))
				return NEXT_LINE;
			if (src->cfg.warn != NULL)
				fprintf(src->cfg.warn, "smtpprobe: %s: %s\n", t->origin,
				        t->skip_reason);
			return TS_TARGET;
		}
		seen_key(t, &k);
		switch (seen_add(src, &k, &times)) {
		case -1:
			return out_of_memory(src, err, errlen);
		case 0:
			/* The nth message to name it gives its nth row: --resume
			 * skips the rows the file already has, no more. */
			if (reported(src, t, times))
				return NEXT_LINE;
			src->duplicates++;
			set_err(t->skip_reason, sizeof(t->skip_reason),
			        "duplicate: already a target of this run");
			return TS_TARGET;
		}
		if (!my_turn(src))
			return NEXT_LINE; /* another shard's target (--shard) */
		if (reported(src, t, 1))
			return NEXT_LINE;
		apply_policy(src, t);
		return TS_TARGET;
	}
	src->mq_n = src->mq_i = 0;
	r = message_file_next(in->mf, &hdr, &len, &too_big, name, sizeof(name), why, sizeof(why));
	if (r == 0) {
		input_done(src);
		return NEXT_LINE;
	}
	if (r < 0) {
		set_err(t->origin, sizeof(t->origin), "%s", name);
		set_err(t->input, sizeof(t->input), "%s", name);
		return bad_line(src, t, why, err, errlen);
	}
	chain_read(src->chain, hdr, len, too_big, name, src->cfg.trust);
	src->mq_n = chain_targets(src->chain, src->cfg.probe_claimed, src->cfg.default_port,
	                          src->mq, sizeof(src->mq) / sizeof(src->mq[0]));
	return NEXT_LINE;
}

/* Sets t->skip_reason when policy says the address is not to be probed. */
static void
apply_policy(const struct target_source *src, struct target *t)
{
	const struct sockaddr *sa = (const struct sockaddr *)&t->sa;
	const char *why, *via;
	struct strbuf sb;

	sb_init(&sb, t->skip_reason, sizeof(t->skip_reason));
	if (cidr_list_count(src->cfg.allowlist) > 0 && !cidr_list_contains(src->cfg.allowlist, sa))
		sb_puts(&sb, "outside allowlist");
	else if ((why = cidr_list_match(src->cfg.exclude, sa)) != NULL)
		sb_printf(&sb, "excluded: %s", why);
	else if (!src->cfg.allow_private && (why = policy_special_why(sa, &via)) != NULL)
		sb_printf(&sb, "special-purpose range: %s%s%s; use --allow-private", why,
		          via != NULL ? " inside " : "", via != NULL ? via : "");
}

/* Numbers one item; 1 when it belongs to this shard. */
static int
my_turn(struct target_source *src)
{
	uint64_t n = src->cfg.shard_count > 1 ? src->cfg.shard_count : 1;

	return src->seq++ % n == src->cfg.shard_index;
}

/*
 * Starts handing out a range. What policy forbids in it is cut first and is
 * one skipped row, numbered before the range's addresses (so one shard
 * writes it); only the rest is walked. Returns TS_TARGET with that row in
 * *t, NEXT_LINE, or TS_FATAL.
 */
static int
range_start(struct target_source *src, struct target *t, char *err, size_t errlen)
{
	uint64_t n = src->cfg.shard_count > 1 ? src->cfg.shard_count : 1;
	struct range_policy p = {src->cfg.allowlist, src->cfg.exclude, src->cfg.allow_private};
	struct range_cut cut;
	int row = 0;

	range_init(&src->range, t, src->cfg.seed);
	if (range_apply_policy(&src->range, &p, &cut) < 0)
		return fatal(src, err, errlen, "out of memory");
	src->in_range = 1;
	/* The cut's row still takes its shard turn when --resume finds it in
	 * the file already. */
	if (cut.outside_allowlist + cut.excluded + cut.special > 0 && my_turn(src) &&
	    !origin_reported(src, t)) {
		policy_cut_reason(&cut, t->skip_reason, sizeof(t->skip_reason));
		t->ip[0] = '\0'; /* a row for many addresses names none */
		t->salen = 0;
		row = 1;
	}
	src->range_next = (src->cfg.shard_index + n - src->seq % n) % n;
	return row ? TS_TARGET : NEXT_LINE;
}

/*
 * The next address of the range in progress: 1, or 0 when it is used up
 * (in_range cleared) or the address is passed over. Ranges are not
 * deduplicated (that would store every address), but an address the output
 * file already reports (--resume) is passed over, one step of the caller's
 * bounded batch each, so a range already done holds the loop no longer.
 */
static int
range_take(struct target_source *src, struct target *t)
{
	uint64_t n = src->cfg.shard_count > 1 ? src->cfg.shard_count : 1;
	uint64_t size = range_size(&src->range);

	if (src->range_next >= size) {
		src->in_range = 0;
		src->seq += size;
		return 0;
	}
	range_nth(&src->range, src->range_next, t);
	src->range_next += n;
	if (reported(src, t, 1))
		return 0;
	apply_policy(src, t);
	return 1;
}

enum target_source_status
target_source_next(struct target_source *src, struct target *t, char *err, size_t errlen)
{
	src->waiting = 0;
	src->steps = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (src->failed) {
		set_err(err, errlen, "%s", src->fatal);
		return TS_FATAL;
	}
	if (src->oom)
		return fatal(src, err, errlen, "out of memory");

	for (;;) {
		struct input *in = src->head;
		const char *line = NULL;
		size_t len = 0;
		int r;

		if (src->cfg.max_targets > 0 && src->emitted >= src->cfg.max_targets)
			return TS_END;
		if (++src->steps > SOURCE_STEPS_MAX)
			return TS_YIELD;
		if (src->in_range) {
			if (range_take(src, t)) {
				src->emitted++;
				return TS_TARGET;
			}
			continue;
		}
		if (in == NULL)
			return TS_END;
		memset(t, 0, sizeof(*t));
		if (in->kind == INPUT_MESSAGE) {
			r = take_message(src, in, t, err, errlen);
			if (r == NEXT_LINE)
				continue;
			src->emitted += r == TS_TARGET;
			return (enum target_source_status)r;
		}
		if (in->kind == INPUT_ARG) {
			set_origin(t, in, 0);
			r = take_line(src, in, in->text, strlen(in->text), t, err, errlen);
			input_done(src);
			if (r == NEXT_LINE)
				continue;
			src->emitted += r == TS_TARGET;
			return (enum target_source_status)r;
		}

		switch (read_line(src, in, &line, &len)) {
		case RL_WAIT:
			src->waiting = 1;
			return TS_WAIT;
		case RL_YIELD:
			return TS_YIELD;
		case RL_EOF:
			input_done(src);
			continue;
		case RL_ERROR:
			return fatal(src, err, errlen, "%s: %s", in->name,
			             strerror(src->read_errno));
		case RL_TOO_LONG: {
			struct strbuf sb;
			char msg[TARGET_REASON_MAX];

			set_origin(t, in, src->lineno);
			sb_init(&sb, t->input, sizeof(t->input));
			while (len > 0 && (*line == ' ' || *line == '\t')) {
				line++;
				len--;
			}
			sb_append_escaped(&sb, line,
			                  len < TARGET_INPUT_MAX ? len : TARGET_INPUT_MAX);
			snprintf(msg, sizeof(msg), "line too long (more than %d bytes)",
			         TARGET_LINE_MAX);
			if (!my_turn(src))
				continue;
			r = bad_line(src, t, msg, err, errlen);
			if (r == NEXT_LINE)
				continue;
			src->emitted += r == TS_TARGET;
			return (enum target_source_status)r;
		}
		case RL_LINE:
			/* A UTF-8 byte-order mark (Windows editors) opens the file; it is
			 * no part of the first target. */
			if (src->lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
				line += 3;
				len -= 3;
			}
			set_origin(t, in, src->lineno);
			r = take_line(src, in, line, len, t, err, errlen);
			if (r == NEXT_LINE)
				continue;
			src->emitted += r == TS_TARGET;
			return (enum target_source_status)r;
		}
	}
}

int
target_source_fd(const struct target_source *src)
{
	if (!src->waiting || src->head == NULL || src->head->kind != INPUT_FILE)
		return -1;
	return src->head->fd;
}

size_t
target_source_duplicates(const struct target_source *src)
{
	return src->duplicates;
}

size_t
target_source_bad_lines(const struct target_source *src)
{
	return src->bad_lines;
}

int
target_source_out_of_memory(const struct target_source *src)
{
	return src->oom;
}

/* Audit reports: --resume fills the set of reported targets. */
int
target_source_mark_done(struct target_source *src, const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
	} else if (inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
	} else {
		errno = EINVAL;
		return -1;
	}
	if (src->done == NULL && (src->done = doneset_new()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return doneset_add(src->done, (const struct sockaddr *)&ss, port);
}

int
target_source_mark_origin_done(struct target_source *src, const char *origin)
{
	if (src->done == NULL && (src->done = doneset_new()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return doneset_add_origin(src->done, origin);
}

int
target_source_origin_done(struct target_source *src, const char *origin)
{
	return doneset_has_origin(src->done, origin);
}

size_t
target_source_already_done(const struct target_source *src)
{
	return src->already_done;
}
