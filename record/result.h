/*
 * result.h: what one probe found, the record handed from prober/ to reports/.
 *
 * The record (struct probe_result) is plain data, fixed size: copy by
 * assignment, nothing to free. Text fields hold the server's bytes as
 * received (control bytes included, up to their caps; a NUL, which a C
 * string cannot hold, as U+2400); writers escape them, never the prober.
 * While a dialogue talks it holds a compact struct probe_dialogue instead
 * (below), which owns its texts' arena: probe_dialogue_free.
 */
#ifndef SMTPPROBE_RESULT_H
#define SMTPPROBE_RESULT_H

#include <stddef.h>
#include <sys/time.h>

#include "common/arena.h"
#include "common/bounds.h"
#include "record/tlsfacts.h"
#include "targets/pack.h"
#include "targets/target.h"

/* Most severe first: a lower value wins when results are combined. */
enum verdict {
	VERDICT_ACCEPTS_RELAY = 0,
	VERDICT_ACCEPTS_LOCALHOST,
	VERDICT_AUTH_REQUIRED,
	VERDICT_SMTP_CLOSED,
	VERDICT_TEMPFAIL,
	VERDICT_REFUSED_SERVICE,
	VERDICT_NOT_SMTP,
	VERDICT_UNREACHABLE,
	VERDICT_SKIPPED,
	VERDICT_COUNT
};

/* What stopped a dialogue early; PROBE_OK when it ran to QUIT. */
enum probe_error {
	PROBE_OK = 0,
	PROBE_CONNECTION_REFUSED,
	PROBE_CONNECTION_TIMEOUT,
	PROBE_NETWORK_UNREACHABLE, /* no route, address not available, other connect errors */
	PROBE_RESET,               /* the peer reset the connection */
	PROBE_CLOSED,              /* the peer closed before the dialogue ended */
	PROBE_GREETING_TIMEOUT,
	PROBE_IO_TIMEOUT,     /* no whole reply to a command in time */
	PROBE_PROTOCOL_ERROR, /* bytes that are not an SMTP reply */
	PROBE_LINE_TOO_LONG,  /* a reply line longer than SMTP_LINE_MAX */
	PROBE_TOO_MANY_LINES, /* a reply of more than SMTP_REPLY_LINES_MAX lines */
	PROBE_TOO_MUCH_DATA,  /* more than SMTP_SESSION_BYTES_MAX in one dialogue */
	PROBE_TLS_FAILED,
	PROBE_SESSION_DEADLINE,
	PROBE_SERVER_SHUTDOWN, /* 421 during the dialogue */
	PROBE_INTERRUPTED,     /* SIGINT/SIGTERM before the dialogue ended */
	/* Our side ran out of descriptors, ports or memory: nothing about the
	 * target. Never a row: the engine probes the target again. */
	PROBE_LOCAL_FAILURE,
	/* Our bug: a broken invariant of the dialogue, never the server's
	 * doing (a debug build aborts instead). */
	PROBE_INTERNAL_ERROR,
	PROBE_ERROR_COUNT
};

/* Context flags, one bit each; names in result.c. */
enum probe_flag {
	FLAG_STARTTLS = 1u << 0,           /* EHLO offered STARTTLS */
	FLAG_STARTTLS_REQUIRED = 1u << 1,  /* 530 "STARTTLS first": the session upgrades */
	FLAG_HELO_FALLBACK = 1u << 2,      /* EHLO refused, HELO used */
	FLAG_LOCALHOST_NAME = 1u << 3,     /* greeting or EHLO names itself localhost */
	FLAG_NO_FQDN = 1u << 4,            /* greeting or EHLO name has no dot */
	FLAG_RCPT_3XX = 1u << 5,           /* a 3xx (354 or any other) answered RCPT: never DATA */
	FLAG_UNSOLICITED = 1u << 6,        /* bytes arrived before our command (early talker) */
	FLAG_POSTMASTER_REFUSED = 1u << 7, /* RCPT TO:<postmaster> refused (RFC 5321 4.5.1) */
	/* TLS */
	FLAG_TLS_FAILED = 1u << 8,          /* a TLS handshake failed (tls_error says why) */
	FLAG_SELF_SIGNED = 1u << 9,         /* the server's certificate signs itself */
	FLAG_STARTTLS_INJECTION = 1u << 10, /* bytes followed the 220 to STARTTLS */
	/* Reverse DNS (prober/rdns.c). */
	FLAG_NO_PTR = 1u << 11,          /* the address has no PTR name */
	FLAG_FCRDNS_MISMATCH = 1u << 12, /* no PTR name resolves back to the address */
	FLAG_DYNAMIC_RDNS = 1u << 13,    /* a PTR name looks like a consumer pool's */
	FLAG_NAME_NOT_PTR = 1u << 14,    /* greeting or EHLO name is none of the PTR names */
	/* A relay denial deferred (4xx) rather than refused: read as closed (verdict.c). */
	FLAG_RELAY_DEFERRED = 1u << 15,
	FLAG_COUNT_BITS = 16
};

/* Reverse DNS: whether a PTR name of the address resolves back to
 * it (forward-confirmed reverse DNS). FCRDNS_UNKNOWN: not looked up. */
enum fcrdns {
	FCRDNS_UNKNOWN = 0,
	FCRDNS_YES,
	FCRDNS_NO,      /* PTR names, none resolves back to the address */
	FCRDNS_NONE,    /* no PTR name */
	FCRDNS_TIMEOUT, /* the server did not answer in time */
	FCRDNS_ERROR,   /* the server failed or refused */
	FCRDNS_COUNT
};

enum relay_kind {
	RELAY_THIRD_PARTY, /* outside sender to outside domain: accepts-relay */
	RELAY_LOCALHOST,   /* a RCPT to @localhost from outside: accepts-localhost */
	RELAY_POSTMASTER,  /* a RCPT every server must accept: no verdict, a flag if refused */
};

/*
 * One relay test: one MAIL transaction. A code of 0 means "not reached".
 * Its addresses are not stored: relay_address() makes them again from the
 * row of the matrix and the plan_* fields of the probe.
 */
struct relay_result {
	const char *name; /* static, e.g. "third-party" */
	enum relay_kind kind;
	unsigned int row; /* the test's row in relay.c's matrix */
	int mail_code;
	int rcpt_code;
	char reply[RELAY_REPLY_MAX]; /* the deciding reply's first line, as received */
	int retried;                 /* a 4xx was retried once (--retry-after) */
	int first_mail_code;         /* the codes before the retry */
	int first_rcpt_code;
};

/*
 * What the abuse desk asks DNS about an address (--dnsbl, --asn,
 * --abuse-contact), looked up beside the dialogue (prober/abuse.c and
 * prober/lookup.c). Every text is "" when not asked or nothing was found;
 * lists are ';'-joined. Only opted-in runs have one: the record points to
 * it (see probe_result.abuse), so a session does not carry it.
 */
struct abuse_facts {
	char dnsbl[ABUSE_DNSBL_TEXT_MAX]; /* listings: ZONE=ANSWER or ZONE=ANSWER (words) */
	/* Zones that answered an operator's error code (127.255.255.0/24)
	 * or something that is no list answer, ZONE=ANSWER (words): never a listing. */
	char dnsbl_error[ABUSE_DNSBL_TEXT_MAX];
	int listed;                            /* some zone lists the address */
	char asn[ABUSE_ASN_TEXT_MAX];          /* origin AS numbers, "64496;64497" */
	char as_prefix[ABUSE_PREFIX_TEXT_MAX]; /* the announced prefixes */
	char as_country[ABUSE_CC_TEXT_MAX];    /* registry country codes */
	char as_name[ABUSE_NAME_TEXT_MAX];     /* the AS names, in asn's order */
	char abuse_contact[ABUSE_CONTACT_MAX]; /* abuse mailboxes */
};

/*
 * The record: what a probe found, plain data, fixed arrays, copied by
 * assignment. What the readers (verdict, fingerprint, reports) see. A
 * dialogue does not hold it while it talks (struct probe_dialogue below):
 * it is made, on the stack, when the dialogue ends.
 */
struct probe_result {
	struct target target;
	struct timeval started;
	unsigned int duration_ms;
	char source_ip[INET6_ADDRSTRLEN]; /* our side of the connection, "" if none */
	enum verdict verdict;
	enum probe_error error;
	int local_errno; /* PROBE_LOCAL_FAILURE: what our side ran out of */
	unsigned int flags;
	int connected;
	int greeting_code;                    /* 0 when none came */
	char banner[SMTP_TEXT_MAX];           /* greeting lines, code included, '\n'-joined */
	char ehlo_name[SMTP_NAME_MAX];        /* the name in the first EHLO/HELO reply line */
	char extensions[SMTP_EXTENSIONS_MAX]; /* EHLO keywords with parameters, ';'-joined */
	char last_reply[SMTP_TEXT_MAX];       /* the last reply line received, code included */
	size_t ntests;
	struct relay_result tests[RELAY_TESTS_MAX];
	/* What the tests' addresses are made of (relay_plan, relay_address). */
	char plan_mail_from[SMTP_ADDR_MAX];     /* {F}: --mail-from */
	char plan_rcpt_domain[SMTP_DOMAIN_MAX]; /* {D}: --rcpt-domain */
	char plan_name[SMTP_NAME_MAX];          /* {B}: the greeting's name, "" if unusable */
	unsigned int connections;               /* connections the dialogue needed (RCPT cap) */
	/* What the fingerprint reads. */
	char ehlo_line[RELAY_REPLY_MAX];  /* the first line of the EHLO/HELO reply */
	char mail_reply[RELAY_REPLY_MAX]; /* the first accepted MAIL's reply */
	char rset_reply[RELAY_REPLY_MAX]; /* the first RSET's reply */
	char quit_reply[RELAY_REPLY_MAX]; /* the reply to QUIT */

	/* TLS: STARTTLS or SMTPS, and the certificate shown. */
	struct tls_facts tls;

	/* What the fingerprint found (fingerprint_apply, at the end). */
	const char *mta;                            /* static name, NULL when unknown */
	int mta_confidence;                         /* 0..100 */
	char mta_rules[FINGERPRINT_RULES_TEXT_MAX]; /* ids of the rules that matched, ';'-joined */

	/* Audit reports, filled outside the session: */
	char transcript[TRANSCRIPT_PATH_MAX]; /* the evidence file (--transcripts), "" if none */
	unsigned long long transcript_job;    /* its place in the writer's queue, 0 if none */
	char change[CHANGE_MAX]; /* vs --baseline: new, same, changed:<old>, gone; "" if none */
	/* Reverse DNS (prober/dns.c, prober/rdns.c). */
	char ptr[DNS_PTR_TEXT_MAX]; /* the PTR names, ';'-joined, "" for none */
	enum fcrdns fcrdns;
	/* The abuse desk's DNS facts, NULL when none was asked for. Set only
	 * on the row handed to the writers, valid during that call: a writer
	 * that keeps a row copies the facts too (cli/audit.c). */
	const struct abuse_facts *abuse;
};

/*
 * What a dialogue writes while it talks, compact: every open session holds
 * one (prober/session.c, under SESSION_BYTES_BUDGET), and most of the
 * record's text is empty or short. Scalars stay; a relay test keeps its row,
 * its codes as small ints and whether it was retried; every text (the
 * target's, the server's replies, the plan's name) lives in one arena sized
 * to what the server sent, under the same cap as the record's array, so it
 * is cut exactly as the record would cut it. The plan's sender and domain
 * are the run's settings, which outlive every session: pointed to, not
 * copied. probe_result_from_dialogue unpacks it all into the record.
 *
 * Read a text with dialogue_text, write one with dialogue_set; a write the
 * arena cannot hold (out of memory) sets nomem, and the dialogue ends as a
 * local failure (ENOMEM): the engine probes the target again.
 */
enum dialogue_text {
	DT_TARGET = 0,           /* the target's texts, TT_COUNT of them (targets/pack.h) */
	DT_SOURCE_IP = TT_COUNT, /* source_ip */
	DT_BANNER,               /* banner */
	DT_EHLO_NAME,            /* ehlo_name */
	DT_EXTENSIONS,           /* extensions */
	DT_LAST_REPLY,           /* last_reply */
	DT_PLAN_NAME,            /* plan_name */
	DT_EHLO_LINE,            /* ehlo_line */
	DT_MAIL_REPLY,           /* mail_reply */
	DT_RSET_REPLY,           /* rset_reply */
	DT_QUIT_REPLY,           /* quit_reply */
	DT_TEST_REPLY,           /* tests[i].reply is DT_TEST_REPLY + i */
	DT_COUNT = DT_TEST_REPLY + RELAY_TESTS_MAX
};

/* One relay test while it runs (struct relay_result's fields but name,
 * kind and reply: the row gives the first two, the arena holds the third). */
struct dialogue_test {
	unsigned char row; /* the test's row in relay.c's matrix */
	unsigned char retried;
	short mail_code; /* reply codes are 200..599 */
	short rcpt_code;
	short first_mail_code;
	short first_rcpt_code;
};

struct probe_dialogue {
	struct target_packed target;
	struct timeval started;
	unsigned int duration_ms;
	enum verdict verdict;
	enum probe_error error;
	int local_errno;
	unsigned int flags;
	int connected;
	int greeting_code;
	unsigned int connections;
	size_t ntests;
	struct dialogue_test tests[RELAY_TESTS_MAX];
	const char *plan_mail_from;   /* the settings' mail_from, NULL before relay_plan */
	const char *plan_rcpt_domain; /* the settings' rcpt_domain */
	/* TLS: the starttls column's value, and the facts of a handshake in
	 * their own allocation once one is tried (NULL before). */
	enum tls_use tls_use;
	struct tls_facts *tls_tried;
	int nomem; /* a text could not be stored: the dialogue is a local failure */
	struct arena text;
	struct arena_ref refs[DT_COUNT];
};

const char *verdict_name(enum verdict v);
/* Returns the verdict of a name, or -1. */
int verdict_from_name(const char *name);
const char *probe_error_name(enum probe_error e);
/* "yes", "no", "none", "timeout", "error"; "" when not looked up. */
const char *fcrdns_name(enum fcrdns f);
/* Name of a single flag bit, or NULL. */
const char *probe_flag_name(unsigned int bit);

/* 1 when r is a row to write: 0 for a dialogue that a local failure or a
 * signal cut before it reached a verdict (an acceptance already seen is a
 * verdict, and kept). */
int probe_result_finished(const struct probe_result *r);

/* Sets r to an empty result for t: verdict unreachable, nothing found. */
void probe_result_init(struct probe_result *r, const struct target *t);
/* Sets d to an empty dialogue with t: t packed, verdict unreachable (or
 * skipped). Returns 0, or -1 when memory ran out (d holds nothing to free). */
int probe_dialogue_init(struct probe_dialogue *d, const struct target *t);
/* Frees what d holds: its arena and its TLS facts. */
void probe_dialogue_free(struct probe_dialogue *d);
/* Sets r to the record of a dialogue that wrote d: every field unpacked,
 * its TLS facts copied in (d keeps its own), nothing found after it. */
void probe_result_from_dialogue(struct probe_result *r, const struct probe_dialogue *d);

/* Text f of d, NUL-terminated ("" when unset); valid until d's next write. */
const char *dialogue_text(const struct probe_dialogue *d, enum dialogue_text f);
/* Its length. */
size_t dialogue_text_len(const struct probe_dialogue *d, enum dialogue_text f);
/* Sets text f of d to s (len bytes), cut to f's cap. Returns 0, or -1 when
 * memory ran out: the text is unchanged, d->nomem set, d->local_errno ENOMEM. */
int dialogue_set(struct probe_dialogue *d, enum dialogue_text f, const char *s, size_t len);
int dialogue_set_str(struct probe_dialogue *d, enum dialogue_text f, const char *s);

#endif
