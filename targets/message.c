/*
 * message.c: header sections of .eml, mbox and Maildir; see message.h.
 *
 * The reader is a line state machine over pushed bytes. In a header it
 * keeps the bytes (up to MESSAGE_HEADER_MAX); at the empty line that ends
 * it, the section is ready. In a body it keeps only the first bytes of the
 * current line, enough to see an mbox separator: a line starting "From "
 * at the start of the input or after an empty line (mboxrd writes body
 * lines that start so as ">From ", which is therefore never a separator).
 */
#include "targets/message.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"

#define READ_CHUNK 65536
#define LEAD_MAX   5 /* "From " */

enum reader_state {
	RS_HEADER,
	RS_ENVELOPE, /* the rest of an mbox "From " line */
	RS_BODY,
	RS_READY, /* a section waits to be taken */
	RS_DONE,  /* nothing more to read */
};

struct message_reader {
	enum message_format fmt;
	enum reader_state state, after_take;
	char *hdr; /* MESSAGE_HEADER_MAX bytes */
	size_t hdr_len;
	int too_big;
	int section_open; /* a message has begun (an mbox "From " line, or bytes) */
	size_t msgno;     /* sections made ready so far */
	/* The current line: where it began in hdr, its first bytes, its length. */
	size_t line_start, line_len, lead_n;
	char lead[LEAD_MAX];
	int prev_empty; /* the line before the current one was empty */
	int first_line; /* the current line is the input's first */
	int keep_body;  /* whole messages (message_reader_keep_body) */
	size_t cap;     /* hdr's size */
};

static void set_err(char *err, size_t errlen, const char *msg);

static void
set_err(char *err, size_t errlen, const char *msg)
{
	struct strbuf sb;

	if (err == NULL || errlen == 0)
		return;
	sb_init(&sb, err, errlen);
	sb_puts(&sb, msg);
}

static int
utf8_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned int cp;
		size_t k;

		if ((k = utf8_decode((const unsigned char *)s + i, n - i, &cp)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* A line's length without the CR of a CRLF. */
static size_t
without_cr(const char *line, size_t n)
{
	return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
}

/* A field name: printable ASCII but ':' (RFC 5322 3.6.8), then ':'. */
static size_t
field_name_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= 33 && s[i] <= 126 && s[i] != ':')
		i++;
	if (i == 0 || i >= n || s[i] != ':')
		return 0;
	return i;
}

int
message_parse_header(const char *buf, size_t len, struct message_header *m, char *err,
                     size_t errlen)
{
	size_t pos = 0, lineno = 0;
	int in_received = 0, in_msgid = 0, more = 0;
	size_t msgid_off = 0, msgid_len = 0;

	memset(m, 0, sizeof(*m));
	if (memchr(buf, '\0', len) != NULL) {
		set_err(err, errlen, "NUL byte in the header section");
		return -1;
	}
	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos, content, name;

		pos += n + (nl != NULL);
		content = without_cr(line, n);
		lineno++;
		if (content == 0)
			break; /* the empty line: the body follows */
		if (line[0] == ' ' || line[0] == '\t') {
			if (lineno == 1) {
				set_err(err, errlen,
				        "not a message: it starts with a continuation line");
				return -1;
			}
			/* A folded field goes on: extend what it belongs to. */
			if (in_received)
				m->received_len[m->nreceived - 1] =
				    (size_t)(line + n - buf) - m->received_off[m->nreceived - 1];
			if (in_msgid)
				msgid_len = (size_t)(line + n - buf) - msgid_off;
			continue;
		}
		in_received = in_msgid = 0;
		if ((name = field_name_len(line, content)) == 0) {
			if (lineno == 1) {
				set_err(err, errlen,
				        "not a message: the first line is not a header field");
				return -1;
			}
			break; /* not a field: the header section ended without its empty line */
		}
		if (name == 8 && strncasecmp(line, "Received", 8) == 0) {
			if (m->nreceived == MESSAGE_RECEIVED_MAX) {
				more = 1;
				continue;
			}
			m->received_off[m->nreceived] = (size_t)(line - buf) + name + 1;
			m->received_len[m->nreceived] = n - name - 1;
			m->nreceived++;
			in_received = 1;
		} else if (name == 10 && strncasecmp(line, "Message-ID", 10) == 0 &&
		           msgid_len == 0) {
			msgid_off = (size_t)(line - buf) + name + 1;
			msgid_len = n - name - 1;
			in_msgid = 1;
		}
	}
	if (more) {
		char msg[96];

		snprintf(msg, sizeof(msg), "more than %d Received fields", MESSAGE_RECEIVED_MAX);
		set_err(err, errlen, msg);
		return -1;
	}
	if (m->nreceived == 0) {
		set_err(err, errlen, lineno == 0 ? "not a message: empty" : "no Received fields");
		return -1;
	}
	for (size_t i = 0; i < m->nreceived; i++) {
		if (!utf8_valid(buf + m->received_off[i], m->received_len[i])) {
			char msg[96];

			snprintf(msg, sizeof(msg),
			         "Received field %zu: 8-bit bytes that are not UTF-8", i + 1);
			set_err(err, errlen, msg);
			return -1;
		}
	}
	if (msgid_len > 0) {
		/* Unfolded, trimmed; kept as bytes (writers escape them). */
		struct strbuf sb;
		const char *s = buf + msgid_off;
		size_t i;
		int blank = 0;

		sb_init(&sb, m->message_id, sizeof(m->message_id));
		for (i = 0; i < msgid_len; i++) {
			if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
				blank = sb.len > 0;
				continue;
			}
			if (blank)
				sb_putc(&sb, ' ');
			blank = 0;
			sb_putc(&sb, s[i]);
		}
	}
	return 0;
}

struct message_reader *
message_reader_new(enum message_format fmt)
{
	struct message_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->hdr = malloc(MESSAGE_HEADER_MAX);
	if (r->hdr == NULL) {
		free(r);
		return NULL;
	}
	r->fmt = fmt;
	r->cap = MESSAGE_HEADER_MAX;
	r->state = RS_HEADER;
	r->prev_empty = 1;
	r->first_line = 1;
	return r;
}

void
message_reader_keep_body(struct message_reader *r)
{
	char *nb = realloc(r->hdr, MESSAGE_BYTES_MAX);

	/* Without the memory, headers only: the outer chain is read. */
	if (nb == NULL)
		return;
	r->hdr = nb;
	r->cap = MESSAGE_BYTES_MAX;
	r->keep_body = 1;
}

void
message_reader_free(struct message_reader *r)
{
	if (r == NULL)
		return;
	free(r->hdr);
	free(r);
}

static int
lead_is_from(const struct message_reader *r)
{
	return r->lead_n == LEAD_MAX && memcmp(r->lead, "From ", LEAD_MAX) == 0;
}

static int
line_is_empty(const struct message_reader *r)
{
	return r->line_len == 1 || (r->line_len == 2 && r->lead[0] == '\r');
}

/* The section in hdr is complete; once taken, reading goes on in `next`. */
static void
make_ready(struct message_reader *r, enum reader_state next)
{
	r->msgno++;
	r->state = RS_READY;
	r->after_take = next;
}

static void
end_line(struct message_reader *r)
{
	r->prev_empty = line_is_empty(r);
	r->line_len = 0;
	r->lead_n = 0;
	r->first_line = 0;
}

/* Keeps the first bytes of a line; decides AUTO on the input's first line. */
static void
line_byte(struct message_reader *r, char c)
{
	if (r->lead_n < LEAD_MAX)
		r->lead[r->lead_n++] = c;
	r->line_len++;
	if (r->fmt == MESSAGE_AUTO && r->first_line && (r->line_len == LEAD_MAX || c == '\n'))
		r->fmt = lead_is_from(r) ? MESSAGE_MBOX : MESSAGE_SINGLE;
}

/* One byte in a header section; 1 when a section became ready. */
static int
header_byte(struct message_reader *r, char c)
{
	if (r->line_len == 0)
		r->line_start = r->hdr_len;
	if (r->hdr_len < MESSAGE_HEADER_MAX)
		r->hdr[r->hdr_len++] = c;
	else
		r->too_big = 1;
	r->section_open = 1;
	line_byte(r, c);

	if (r->fmt == MESSAGE_MBOX && r->line_len == LEAD_MAX && lead_is_from(r)) {
		/* "From " in a header: an envelope line, this message's or the next's. */
		if (r->line_start < r->hdr_len)
			r->hdr_len = r->line_start;
		if (r->hdr_len > 0 || r->too_big) {
			/* A header section that never reached its empty line ends here. */
			make_ready(r, RS_ENVELOPE);
			return 1;
		}
		r->state = RS_ENVELOPE;
		return 0;
	}
	if (c != '\n')
		return 0;
	if (line_is_empty(r)) {
		if (r->keep_body) {
			/* The body follows, kept: the message ends at its end. */
			end_line(r);
			r->state = RS_BODY;
			return 0;
		}
		if (r->line_start < r->hdr_len)
			r->hdr_len = r->line_start;
		end_line(r);
		/* One message: its body holds nothing more to read. */
		make_ready(r, r->fmt == MESSAGE_MBOX ? RS_BODY : RS_DONE);
		return 1;
	}
	end_line(r);
	return 0;
}

/* One byte of a body: kept (keep_body), else only an mbox separator
 * matters. 1 when a whole message became ready. */
static int
body_byte(struct message_reader *r, char c)
{
	int prev_empty = r->prev_empty;

	if (r->keep_body) {
		if (r->line_len == 0)
			r->line_start = r->hdr_len;
		if (r->hdr_len < r->cap)
			r->hdr[r->hdr_len++] = c;
	}
	line_byte(r, c);
	if (r->fmt == MESSAGE_MBOX && r->line_len == LEAD_MAX && prev_empty && lead_is_from(r)) {
		if (r->keep_body) {
			/* The next message's separator: this one is whole. */
			if (r->line_start < r->hdr_len)
				r->hdr_len = r->line_start;
			make_ready(r, RS_ENVELOPE);
			return 1;
		}
		r->state = RS_ENVELOPE;
		r->hdr_len = 0;
		r->too_big = 0;
		r->section_open = 1;
		return 0;
	}
	if (c == '\n')
		end_line(r);
	return 0;
}

size_t
message_reader_feed(struct message_reader *r, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = data[i];

		switch (r->state) {
		case RS_READY:
		case RS_DONE:
			return r->state == RS_DONE ? len : i;
		case RS_ENVELOPE:
			if (c == '\n') {
				end_line(r);
				r->state = RS_HEADER;
			}
			break;
		case RS_HEADER:
			if (header_byte(r, c))
				return i + 1;
			break;
		case RS_BODY:
			if (body_byte(r, c))
				return i + 1;
			break;
		}
	}
	return len;
}

void
message_reader_end(struct message_reader *r)
{
	if (r->state == RS_READY) {
		r->after_take = RS_DONE;
		return;
	}
	/* A whole message ends with the input. */
	if (r->state == RS_BODY && r->keep_body) {
		make_ready(r, RS_DONE);
		return;
	}
	/* A last section without its empty line, or an input with no message at all. */
	if ((r->state == RS_HEADER || r->state == RS_ENVELOPE) &&
	    (r->hdr_len > 0 || r->section_open || r->msgno == 0)) {
		make_ready(r, RS_DONE);
		return;
	}
	r->state = RS_DONE;
}

int
message_reader_is_mbox(const struct message_reader *r)
{
	return r->fmt == MESSAGE_MBOX;
}

int
message_reader_take(struct message_reader *r, const char **hdr, size_t *len, int *too_big,
                    size_t *msgno)
{
	if (r->state != RS_READY)
		return 0;
	*hdr = r->hdr;
	*len = r->hdr_len;
	*too_big = r->too_big;
	*msgno = r->msgno;
	r->state = r->after_take;
	r->hdr_len = 0;
	r->too_big = 0;
	r->section_open = r->state == RS_ENVELOPE;
	return 1;
}

/* ---- The message inside a forward or a feedback report (GMime). ---- */

static pthread_once_t mime_once = PTHREAD_ONCE_INIT;
static int mime_ready;

static void
mime_init(void)
{
	g_mime_init();
	mime_ready = 1;
}

void
message_mime_init(void)
{
	pthread_once(&mime_once, mime_init);
}

void
message_mime_shutdown(void)
{
	if (mime_ready)
		g_mime_shutdown();
	mime_ready = 0;
}

/* An attached message: a message/rfc822 part (GMime parses it as a message
 * part when it is not transfer-encoded, as a leaf part when it is), or
 * with headers_too a text/rfc822-headers part. */
static int
is_attached_message(GMimeObject *o, int headers_too)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);

	if (GMIME_IS_MESSAGE_PART(o))
		return 1;
	if (!GMIME_IS_PART(o) || ct == NULL)
		return 0;
	return g_mime_content_type_is_type(ct, "message", "rfc822") ||
	       (headers_too && g_mime_content_type_is_type(ct, "text", "rfc822-headers"));
}

/* Counts the attached messages under a multipart (nested multiparts
 * included, not the insides of attached messages), keeping the first. */
static size_t
count_attached(GMimeMultipart *mp, GMimeObject **first)
{
	int i, n = g_mime_multipart_get_count(mp);
	size_t found = 0;

	for (i = 0; i < n; i++) {
		GMimeObject *o = g_mime_multipart_get_part(mp, i);

		if (GMIME_IS_MULTIPART(o)) {
			found += count_attached(GMIME_MULTIPART(o), first);
		} else if (is_attached_message(o, 0)) {
			if (found == 0 && *first == NULL)
				*first = o;
			found++;
		}
	}
	return found;
}

/* The part that holds the inner message, or NULL. */
static GMimeObject *
inner_part(GMimeObject *body)
{
	GMimeContentType *ct;
	GMimeObject *first = NULL;
	const char *rt;

	if (body == NULL || !GMIME_IS_MULTIPART(body))
		return NULL;
	ct = g_mime_object_get_content_type(body);
	rt = ct != NULL ? g_mime_content_type_get_parameter(ct, "report-type") : NULL;
	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart", "report") && rt != NULL &&
	    g_ascii_strcasecmp(rt, "feedback-report") == 0) {
		/* RFC 5965: the human part, the machine part, then the message. */
		int i, n = g_mime_multipart_get_count(GMIME_MULTIPART(body));

		for (i = 0; i < n; i++) {
			GMimeObject *o = g_mime_multipart_get_part(GMIME_MULTIPART(body), i);

			if (is_attached_message(o, 1))
				return o;
		}
		return NULL;
	}
	return count_attached(GMIME_MULTIPART(body), &first) == 1 ? first : NULL;
}

/* The bytes of the inner message in part o, decoded, into a new buffer. */
static int
part_bytes(GMimeObject *o, char **out, size_t *outlen)
{
	GMimeStream *ms = g_mime_stream_mem_new();
	GByteArray *ba;
	int rc = 0;

	if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));

		if (m != NULL)
			g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, ms);
	} else {
		GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(o));

		if (dw != NULL)
			g_mime_data_wrapper_write_to_stream(dw, ms);
	}
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
	if (ba != NULL && ba->len > 0) {
		if ((*out = malloc(ba->len)) == NULL) {
			rc = -1;
		} else {
			memcpy(*out, ba->data, ba->len);
			*outlen = ba->len;
			rc = 1;
		}
	}
	g_object_unref(ms);
	return rc;
}

int
message_inner(const char *msg, size_t len, char **out, size_t *outlen)
{
	GMimeStream *s;
	GMimeParser *p;
	GMimeMessage *m;
	GMimeObject *o;
	int rc = 0;

	message_mime_init();
	*out = NULL;
	*outlen = 0;
	s = g_mime_stream_mem_new_with_buffer(msg, len);
	p = g_mime_parser_new_with_stream(s);
	g_mime_parser_set_format(p, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(p, NULL);
	if (m != NULL && (o = inner_part(g_mime_message_get_mime_part(m))) != NULL)
		rc = part_bytes(o, out, outlen);
	if (m != NULL)
		g_object_unref(m);
	g_object_unref(p);
	g_object_unref(s);
	return rc;
}

/* ---- Files: one message, an mbox, a Maildir. ---- */

struct message_file {
	char *path;   /* as given; "stdin" for "-" */
	int maildir;  /* path is a Maildir: read names[] one by one */
	char **names; /* Maildir files, "cur/x" and "new/y", sorted */
	size_t nnames, next_name;
	int fd, own_fd;              /* the file being read, -1 when none */
	char cur[TARGET_ORIGIN_MAX]; /* its name for origins */
	int is_mbox;
	struct message_reader *reader;
	char *buf;
	size_t start, end;
	int eof;
	int outer;   /* hand out each message's own header (--outer) */
	char *inner; /* the last inner message handed out, or NULL */
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the regular files of dir/sub to f->names (hidden files skipped). */
static int
maildir_list(struct message_file *f, const char *sub, char *err, size_t errlen)
{
	char dirpath[4096];
	DIR *d;
	struct dirent *e;

	snprintf(dirpath, sizeof(dirpath), "%s/%s", f->path, sub);
	if ((d = opendir(dirpath)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		char **v;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		if (f->nnames == MAILDIR_FILES_MAX) {
			char msg[128];

			snprintf(msg, sizeof(msg), "%s: more than %d messages", f->path,
			         MAILDIR_FILES_MAX);
			set_err(err, errlen, msg);
			closedir(d);
			errno = 0;
			return -1;
		}
		if ((f->nnames & (f->nnames - 1)) == 0 || f->nnames == 0) {
			n = f->nnames ? f->nnames * 2 : 64;
			if ((v = realloc(f->names, n * sizeof(*v))) == NULL)
				break;
			f->names = v;
		}
		n = strlen(sub) + strlen(e->d_name) + 2;
		if ((f->names[f->nnames] = malloc(n)) == NULL)
			break;
		snprintf(f->names[f->nnames], n, "%s/%s", sub, e->d_name);
		f->nnames++;
	}
	closedir(d);
	return 0;
}

struct message_file *
message_file_open(const char *path, char *err, size_t errlen)
{
	struct message_file *f = calloc(1, sizeof(*f));
	struct stat st;
	char msg[TARGET_ORIGIN_MAX + 128];

	if (f == NULL || (f->path = strdup(strcmp(path, "-") == 0 ? "stdin" : path)) == NULL ||
	    (f->buf = malloc(READ_CHUNK)) == NULL) {
		set_err(err, errlen, "out of memory");
		message_file_free(f);
		return NULL;
	}
	f->fd = -1;
	if (strcmp(path, "-") == 0) {
		f->fd = STDIN_FILENO;
		snprintf(f->cur, sizeof(f->cur), "stdin");
		return f;
	}
	if (stat(path, &st) != 0) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		set_err(err, errlen, msg);
		message_file_free(f);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		msg[0] = '\0';
		f->maildir = 1;
		if (maildir_list(f, "cur", msg, sizeof(msg)) != 0 ||
		    maildir_list(f, "new", msg, sizeof(msg)) != 0) {
			if (msg[0] == '\0')
				snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
			set_err(err, errlen, msg);
			message_file_free(f);
			return NULL;
		}
		if (f->nnames == 0) {
			snprintf(msg, sizeof(msg),
			         "%s: a directory, but no Maildir messages in cur/ or new/", path);
			set_err(err, errlen, msg);
			message_file_free(f);
			return NULL;
		}
		qsort(f->names, f->nnames, sizeof(*f->names), cmp_names);
		return f;
	}
	if ((f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		set_err(err, errlen, msg);
		message_file_free(f);
		return NULL;
	}
	f->own_fd = 1;
	snprintf(f->cur, sizeof(f->cur), "%s", path);
	return f;
}

static void
close_current(struct message_file *f)
{
	if (f->fd >= 0 && f->own_fd)
		(void)close(f->fd);
	f->fd = -1;
	message_reader_free(f->reader);
	f->reader = NULL;
	f->start = f->end = 0;
	f->eof = 0;
}

void
message_file_free(struct message_file *f)
{
	size_t i;

	if (f == NULL)
		return;
	close_current(f);
	for (i = 0; i < f->nnames; i++)
		free(f->names[i]);
	free(f->names);
	free(f->buf);
	free(f->inner);
	free(f->path);
	free(f);
}

void
message_file_set_outer(struct message_file *f, int outer)
{
	f->outer = outer;
}

size_t
message_header_length(const char *msg, size_t len, size_t *body)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(msg + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (msg + pos)) : len - pos;

		if (without_cr(msg + pos, n) == 0) {
			if (body != NULL)
				*body = pos + n + (nl != NULL);
			return pos;
		}
		pos += n + (nl != NULL);
	}
	if (body != NULL)
		*body = len;
	return len;
}

/* Swaps a whole message taken from the reader for its inner message, when
 * it has one (and we look for one). */
static void
use_inner(struct message_file *f, const char **hdr, size_t *len, int *too_big)
{
	char *in;
	size_t inlen;

	if (f->outer || *too_big || message_inner(*hdr, *len, &in, &inlen) != 1)
		return;
	free(f->inner);
	f->inner = in;
	*hdr = in;
	*len = inlen;
	*too_big = message_header_length(in, inlen, NULL) > MESSAGE_HEADER_MAX;
}

int
message_file_next(struct message_file *f, const char **hdr, size_t *len, int *too_big, char *name,
                  size_t namelen, char *err, size_t errlen)
{
	char msg[TARGET_ORIGIN_MAX + 128];
	size_t msgno;

	for (;;) {
		if (f->fd < 0 && f->reader == NULL) {
			char p[4096];

			if (!f->maildir || f->next_name >= f->nnames)
				return 0;
			snprintf(f->cur, sizeof(f->cur), "%s/%s", f->path, f->names[f->next_name]);
			snprintf(p, sizeof(p), "%s/%s", f->path, f->names[f->next_name]);
			f->next_name++;
			if ((f->fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
				snprintf(msg, sizeof(msg), "%s", strerror(errno));
				set_err(err, errlen, msg);
				snprintf(name, namelen, "%s", f->cur);
				return -1;
			}
			f->own_fd = 1;
		}
		if (f->reader == NULL) {
			f->reader = message_reader_new(f->maildir ? MESSAGE_SINGLE : MESSAGE_AUTO);
			if (f->reader == NULL) {
				set_err(err, errlen, "out of memory");
				snprintf(name, namelen, "%s", f->cur);
				return -1;
			}
			if (!f->outer)
				message_reader_keep_body(f->reader);
		}
		if (message_reader_take(f->reader, hdr, len, too_big, &msgno)) {
			use_inner(f, hdr, len, too_big);
			/* "box.mbox#3" for the messages of an mbox, the file name otherwise. */
			if (f->is_mbox)
				snprintf(name, namelen, "%s#%zu", f->cur, msgno);
			else
				snprintf(name, namelen, "%s", f->cur);
			return 1;
		}
		if (f->start < f->end) {
			f->start +=
			    message_reader_feed(f->reader, f->buf + f->start, f->end - f->start);
			f->is_mbox = f->is_mbox || message_reader_is_mbox(f->reader);
			continue;
		}
		if (f->eof) {
			/* Everything is fed and taken: the next file of a Maildir. */
			close_current(f);
			if (!f->maildir)
				return 0;
			continue;
		}
		{
			ssize_t r = read(f->fd, f->buf, READ_CHUNK);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				set_err(err, errlen, strerror(errno));
				snprintf(name, namelen, "%s", f->cur);
				close_current(f);
				return -1;
			}
			f->start = 0;
			f->end = (size_t)r;
			if (r == 0) {
				f->eof = 1;
				message_reader_end(f->reader);
			}
		}
	}
}

int
message_file_read_again(const char *name, int outer, char **buf, size_t *len, char *err,
                        size_t errlen)
{
	char path[TARGET_ORIGIN_MAX], nm[TARGET_ORIGIN_MAX], why[TARGET_REASON_MAX];
	const char *hdr, *hash;
	unsigned long want = 0;
	struct message_file *f;
	struct stat st;
	size_t hlen;
	int too_big, r;

	/* "box.mbox#3": the third message of box.mbox (unless a file is
	 * really named so). */
	snprintf(path, sizeof(path), "%s", name);
	if (stat(path, &st) != 0 && (hash = strrchr(name, '#')) != NULL) {
		char *end;

		want = strtoul(hash + 1, &end, 10);
		if (*end != '\0' || want == 0)
			want = 0;
		else
			path[hash - name] = '\0';
	}
	if (strcmp(name, "stdin") == 0 && stat(path, &st) != 0) {
		set_err(err, errlen, "read from stdin: not kept to be read again");
		return -1;
	}
	if ((f = message_file_open(path, err, errlen)) == NULL)
		return -1;
	f->outer = outer;
	while ((r = message_file_next(f, &hdr, &hlen, &too_big, nm, sizeof(nm), why,
	                              sizeof(why))) != 0) {
		if (r < 0)
			continue;
		if (strcmp(nm, name) != 0 && !(want == 0 && strcmp(nm, path) == 0))
			continue;
		if ((*buf = malloc(hlen ? hlen : 1)) == NULL) {
			set_err(err, errlen, "out of memory");
			message_file_free(f);
			return -1;
		}
		memcpy(*buf, hdr, hlen);
		*len = hlen;
		message_file_free(f);
		return 1;
	}
	message_file_free(f);
	snprintf(why, sizeof(why), "%s: the message is no longer there", name);
	set_err(err, errlen, why);
	return -1;
}
