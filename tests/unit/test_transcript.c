/*
 * test_transcript.c: evidence transcripts. File names safe for IPv4 and IPv6
 * targets; lines stamped and escaped (hostile server bytes never reach the
 * file raw); and the writer driven through its observer as a session drives
 * it, against a golden transcript (timestamps masked).
 *
 * UPDATE_GOLDEN=1 rewrites tests/unit/golden/transcript.txt from the output.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/result.h"
#include "reports/transcript.h"
#include "tests/fixture.h"
#include "tests/tap.h"
#include "tests/golden.h"

#define S(lit) lit, sizeof(lit) - 1

static void
test_names(void)
{
	static const struct {
		const char *ip;
		unsigned port;
		const char *want;
	} names[] = {
	    {"192.0.2.25", 25, "192.0.2.25_25.txt"},
	    {"2001:db8::25", 2525, "2001-db8--25_2525.txt"},
	    {"fe80::1%eth0", 25, "fe80--1-eth0_25.txt"},
	    {"../../etc/x", 25, "..-..-etc-x_25.txt"},
	};
	char buf[128];
	struct strbuf sb;
	struct target t;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fixture_target(&t, "192.0.2.1", names[i].port, "arg:1");
		snprintf(t.ip, sizeof(t.ip), "%s", names[i].ip);
		sb_init(&sb, buf, sizeof(buf));
		transcript_file_name(&t, &sb);
		is_str(buf, names[i].want, "file name for %s", names[i].ip);
		ok(strchr(buf, '/') == NULL, "no slash in the name for %s", names[i].ip);
	}
}

static void
test_line(void)
{
	struct timeval tv = {1795916394, 123456};
	char buf[256];
	struct strbuf sb;

	sb_init(&sb, buf, sizeof(buf));
	transcript_format_line(&sb, &tv, 'S', S("220 localhost ESMTP"));
	is_str(buf, "2026-11-29T01:39:54.123Z S: 220 localhost ESMTP\n", "a server line");
	sb_init(&sb, buf, sizeof(buf));
	transcript_format_line(&sb, &tv, 'S', S("220 \x1b]0;pwned\x07 \xff\r"));
	is_str(buf, "2026-11-29T01:39:54.123Z S: 220 \\x1b]0;pwned\\x07 \\xff\\r\n",
	       "hostile bytes escaped");
	sb_init(&sb, buf, sizeof(buf));
	transcript_format_line(&sb, &tv, 'S',
	                       S("220 \xe2\x80\xaegnp.exe\xe2\x80\xac \xef\xbb\xbf"
	                         "bom"));
	is_str(buf, "2026-11-29T01:39:54.123Z S: 220 \\u{202E}gnp.exe\\u{202C} \\u{FEFF}bom\n",
	       "bidirectional and invisible characters escaped");
}

/* Replaces every "YYYY-MM-DDTHH:MM:SS.mmmZ " at a line start with a mask. */
static void
mask_times(char *s)
{
	char *p = s;

	while (p != NULL && *p != '\0') {
		if (strlen(p) > 25 && p[4] == '-' && p[10] == 'T' && p[23] == 'Z')
			memcpy(p, "YYYY-MM-DDTHH:MM:SS.mmmZ", 24);
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
}

/* The seed's dialogue, as session.c reports it to the observer. */
static void
test_observer(void)
{
	static const struct {
		char kind;
		const char *line;
	} dialogue[] = {
	    {'*', "connected from 127.0.0.1"},
	    {'S', "220 localhost ESMTP"},
	    {'C', "EHLO smtpprobe.example.com"},
	    {'S', "250-localhost"},
	    {'S', "250-PIPELINING"},
	    {'S', "250 8BITMIME"},
	    {'C', "MAIL FROM:<probe@localhost>"},
	    {'S', "250 ok"},
	    {'C', "RCPT TO:<probe@localhost>"},
	    {'S', "250 ok"},
	    {'C', "QUIT"},
	    {'S', "221 localhost \x1b[2J"},
	};
	char dir[] = "/tmp/smtpprobe-transcript.XXXXXX", err[256], path[512];
	static struct probe_result r;
	const struct session_observer *obs;
	struct transcripts *tr;
	struct target t;
	struct stat st;
	void *h;
	size_t i, len = 0;
	char *text;

	ok(mkdtemp(dir) != NULL, "temporary directory");
	snprintf(path, sizeof(path), "%s/missing/ev", dir);
	ok(transcripts_new(path, err, sizeof(err)) == NULL, "a directory in a missing one: %s",
	   err);
	snprintf(path, sizeof(path), "%s/ev", dir);
	tr = transcripts_new(path, err, sizeof(err));
	ok(tr != NULL, "a missing directory is made");
	ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
	   "with mode 0700");
	transcripts_free(tr);
	rmdir(path);
	tr = transcripts_new(dir, err, sizeof(err));
	ok(tr != NULL, "a writable directory is taken");
	if (tr == NULL)
		return;
	obs = transcripts_observer(tr);
	fixture_target(&t, "127.0.0.11", 2525, "suspects.txt:2");
	h = obs->open(obs->arg, &t);
	for (i = 0; i < sizeof(dialogue) / sizeof(dialogue[0]); i++)
		obs->line(h, (enum observe_kind)dialogue[i].kind, dialogue[i].line,
		          strlen(dialogue[i].line));
	probe_result_init(&r, &t);
	r.verdict = VERDICT_ACCEPTS_LOCALHOST;
	obs->close(h, &r);
	transcripts_finish(tr);

	snprintf(path, sizeof(path), "%s/127.0.0.11_2525.txt", dir);
	is_str(r.transcript, path, "the transcript column names the file");
	text = read_whole(path, &len);
	ok(text != NULL, "the file is there");
	if (text != NULL) {
		mask_times(text);
		is_golden(text, len, "transcript.txt");
		ok(strchr(text, '\x1b') == NULL, "no raw escape byte in the file");
		free(text);
	}
	is_int(transcripts_failed(tr, NULL), 0, "no failures");
	unlink(path);
	transcripts_free(tr);

	/* A dialogue far past the cap is cut, says so, and still ends. */
	tr = transcripts_new(dir, err, sizeof(err));
	ok(tr != NULL, "a second writer");
	if (tr == NULL)
		return;
	obs = transcripts_observer(tr);
	h = obs->open(obs->arg, &t);
	for (i = 0; i < TRANSCRIPT_BYTES_MAX / 100; i++)
		obs->line(h, OBSERVE_RECEIVED,
		          "250-\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b"
		          "\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b",
		          34);
	r.verdict = VERDICT_SMTP_CLOSED;
	obs->close(h, &r);
	transcripts_finish(tr);
	text = read_whole(path, &len);
	ok(text != NULL && len <= TRANSCRIPT_BYTES_MAX, "a long dialogue stays under the cap (%zu)",
	   len);
	ok(text != NULL && strstr(text, "transcript cut here") != NULL, "and says it was cut");
	ok(text != NULL && strstr(text, "*: end: smtp-closed\n") != NULL, "and still ends");
	free(text);
	unlink(path);

	transcripts_free(tr);

	/* A file that cannot be written is counted, not silently lost. */
	tr = transcripts_new(dir, err, sizeof(err));
	ok(tr != NULL, "a third writer");
	if (tr == NULL)
		return;
	obs = transcripts_observer(tr);
	rmdir(dir); /* gone before the file is written */
	h = obs->open(obs->arg, &t);
	obs->close(h, &r);
	transcripts_finish(tr);
	ok(transcripts_failed(tr, NULL) == 1, "a file that cannot be written is counted");
	transcripts_free(tr);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_names();
	test_line();
	test_observer();
	return tap_done();
}
