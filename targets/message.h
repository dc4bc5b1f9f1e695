/*
 * message.h: RFC 5322 messages as smtpprobe reads them: the header section
 * only, of a single message (.eml), of each message of an mbox, or of each
 * file of a Maildir (cur/ and new/).
 *
 * Three layers, so tests and fuzzers need no files:
 *   message_parse_header  pure: a header section's bytes to its Received
 *                         fields and Message-ID, with the caps applied;
 *   message_reader        pure: bytes pushed in any chunks, header sections
 *                         out, one per message (mbox "From " separators);
 *   message_file          I/O: a path ("-" is stdin, a directory is a
 *                         Maildir) read through a message_reader.
 * Bodies are skipped as they stream past, so memory is bounded by
 * MESSAGE_HEADER_MAX whatever the size of a mailbox; unless the reader
 * keeps them (message_reader_keep_body, up to MESSAGE_BYTES_MAX a message),
 * which message_file does to find the message inside a forward or an ARF
 * report (message_inner, with GMime): that inner message's Received chain
 * is the spam's, the outer one is only the reporter's own mail path.
 */
#ifndef SMTPPROBE_TARGETS_MESSAGE_H
#define SMTPPROBE_TARGETS_MESSAGE_H

#include <stddef.h>

#include "common/bounds.h"

struct message_header {
	char message_id[MESSAGE_ID_MAX]; /* as written, blanks trimmed; "" if none */
	size_t nreceived;
	/* Each Received field's value (folded, as in the buffer), newest first. */
	size_t received_off[MESSAGE_RECEIVED_MAX];
	size_t received_len[MESSAGE_RECEIVED_MAX];
};

/*
 * Reads a header section (it may run on into a body: reading stops at the
 * first empty line). Lines end in LF or CRLF. Returns 0, or -1 with a
 * one-line reason in err: not a message (the first line is no header
 * field), a NUL byte, no Received field, more than MESSAGE_RECEIVED_MAX of
 * them, a Received field with 8-bit bytes that are not UTF-8.
 */
int message_parse_header(const char *buf, size_t len, struct message_header *m, char *err,
                         size_t errlen);

enum message_format {
	MESSAGE_AUTO = 0, /* an mbox when the first line starts "From ", else one message */
	MESSAGE_SINGLE,
	MESSAGE_MBOX,
};

struct message_reader;

struct message_reader *message_reader_new(enum message_format fmt);
void message_reader_free(struct message_reader *r);

/*
 * Feeds bytes. Returns how many were consumed: fewer than len when a
 * message's header section is complete; take it with message_reader_take,
 * then feed the rest.
 */
size_t message_reader_feed(struct message_reader *r, const char *data, size_t len);
/* No more bytes: a last header section still open becomes ready. */
void message_reader_end(struct message_reader *r);
/*
 * 1 when a header section is ready, then *hdr and *len hold it (valid until
 * the next feed or end), *too_big says it was cut at MESSAGE_HEADER_MAX, and
 * *msgno is its 1-based number in the input. The section is handed out once.
 */
int message_reader_take(struct message_reader *r, const char **hdr, size_t *len, int *too_big,
                        size_t *msgno);

/*
 * Keeps whole messages: a section is ready at the message's end (the end
 * of the input, or the next mbox separator), and holds its header, the
 * empty line and its body (cut at MESSAGE_BYTES_MAX; *too_big still only
 * says the header section passed MESSAGE_HEADER_MAX). Set before feeding.
 */
void message_reader_keep_body(struct message_reader *r);

/*
 * The message inside msg, parsed with GMime: when msg's body is a
 * multipart/report with report-type=feedback-report (RFC 5965), its
 * message/rfc822 or text/rfc822-headers part; else when it is a multipart
 * holding exactly one attached message (message/rfc822, any transfer
 * encoding, at any depth), that one. Returns 1 with *out (malloc'd, the
 * caller frees it) and *outlen set, 0 when msg has no such inner message,
 * -1 when out of memory.
 */
int message_inner(const char *msg, size_t len, char **out, size_t *outlen);

/* The length of msg's header section, its empty line not counted; *body
 * (when not NULL) is where the body starts, after that line (len when
 * there is none). */
size_t message_header_length(const char *msg, size_t len, size_t *body);

/* GMime's set-up, once per process (message_inner and reports call it),
 * and its release at exit. */
void message_mime_init(void);
void message_mime_shutdown(void);

/* 1 once the input is known to be an mbox. */
int message_reader_is_mbox(const struct message_reader *r);

struct message_file;

/*
 * Opens a message source: a file (.eml or mbox), "-" for stdin, or a Maildir
 * directory (its cur/ and new/ files, in name order). Returns NULL with err
 * filled when it cannot be opened.
 */
struct message_file *message_file_open(const char *path, char *err, size_t errlen);
void message_file_free(struct message_file *f);

/*
 * With outer, each message's own header is handed out, as it is written
 * (--outer); without (the default), a forward's or an ARF report's inner
 * message is, when it has one (message_inner). Set before the first
 * message_file_next.
 */
void message_file_set_outer(struct message_file *f, int outer);

/*
 * The whole message that message_file_next named `name` ("spam.eml",
 * "box.mbox#3", "Maildir/new/123.host"), read again from its file, inner
 * or outer as above: 1 with *buf (malloc'd) and *len, or -1 with err
 * filled (stdin cannot be read again; a file that changed since may name
 * another message).
 */
int message_file_read_again(const char *name, int outer, char **buf, size_t *len, char *err,
                            size_t errlen);

/*
 * The next message: 1 and its header section (valid until the next call),
 * with `name` set to where it came from ("spam.eml", "box.mbox#3",
 * "Maildir/new/123.host"); 0 at the end; -1 on a read error (err filled,
 * `name` names the file). A Maildir file that cannot be read is -1 too, and
 * the next call goes on with the next file.
 */
int message_file_next(struct message_file *f, const char **hdr, size_t *len, int *too_big,
                      char *name, size_t namelen, char *err, size_t errlen);

#endif
