/*
 * result.h: what one probe found, the record handed from prober/ to reports/.
 *
 * Plain data, fixed size: copy by assignment, nothing to free. Text fields
 * hold the server's bytes as received (control bytes included, up to their
 * caps; a NUL, which a C string cannot hold, as U+2400); writers escape
 * them, never the prober.
 */
#ifndef SMTPPROBE_RESULT_H
#define SMTPPROBE_RESULT_H

#include <stddef.h>
#include <sys/time.h>

#include "common/bounds.h"
#include "record/tlsfacts.h"
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
 * row of the matrix and the plan_* fields of the probe (a session holds
 * this record while it talks, and 15 tests' addresses were a quarter of it).
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
	int listed;                               /* some zone lists the address */
	char asn[ABUSE_ASN_TEXT_MAX];             /* origin AS numbers, "64496;64497" */
	char as_prefix[ABUSE_PREFIX_TEXT_MAX];    /* the announced prefixes */
	char as_country[ABUSE_CC_TEXT_MAX];       /* registry country codes */
	char as_name[ABUSE_NAME_TEXT_MAX];        /* the AS names, in asn's order */
	char abuse_contact[ABUSE_CONTACT_MAX];    /* abuse mailboxes */
};

/*
 * What a dialogue writes while it talks: every field of the record that the
 * prober fills between the connection and QUIT, and nothing else. A session
 * holds only this (prober/session.c, under SESSION_BYTES_BUDGET); the whole
 * record is built from it when the dialogue ends. One list, so struct
 * probe_dialogue and the front of struct probe_result cannot drift apart.
 */
#define PROBE_DIALOGUE_FIELDS                                                                      \
	struct target target;                                                                      \
	struct timeval started;                                                                    \
	unsigned int duration_ms;                                                                  \
	char source_ip[INET6_ADDRSTRLEN]; /* our side of the connection, "" if none */             \
	enum verdict verdict;                                                                      \
	enum probe_error error;                                                                    \
	int local_errno; /* PROBE_LOCAL_FAILURE: what our side ran out of */                       \
	unsigned int flags;                                                                        \
	int connected;                                                                             \
	int greeting_code;                    /* 0 when none came */                               \
	char banner[SMTP_TEXT_MAX];           /* greeting lines, code included, '\n'-joined */     \
	char ehlo_name[SMTP_NAME_MAX];        /* the name in the first EHLO/HELO reply line */     \
	char extensions[SMTP_EXTENSIONS_MAX]; /* EHLO keywords with parameters, ';'-joined */      \
	char last_reply[SMTP_TEXT_MAX];       /* the last reply line received, code included */    \
	size_t ntests;                                                                             \
	struct relay_result tests[RELAY_TESTS_MAX];                                                \
	/* What the tests' addresses are made of (relay_plan, relay_address). */                   \
	char plan_mail_from[SMTP_ADDR_MAX];     /* {F}: --mail-from */                             \
	char plan_rcpt_domain[SMTP_DOMAIN_MAX]; /* {D}: --rcpt-domain */                           \
	char plan_name[SMTP_NAME_MAX];          /* {B}: the greeting's name, "" if unusable */     \
	unsigned int connections;               /* connections the dialogue needed (RCPT cap) */   \
	/* What the fingerprint reads. */                                                          \
	char ehlo_line[RELAY_REPLY_MAX];  /* the first line of the EHLO/HELO reply */              \
	char mail_reply[RELAY_REPLY_MAX]; /* the first accepted MAIL's reply */                    \
	char rset_reply[RELAY_REPLY_MAX]; /* the first RSET's reply */                             \
	char quit_reply[RELAY_REPLY_MAX]; /* the reply to QUIT */                                  \
	/* TLS: the starttls column's value, and the facts of a handshake in                       \
	 * their own allocation once one is tried (NULL before). The record's                      \
	 * tls holds both when the dialogue ends; tls_tried is then NULL. */                       \
	enum tls_use tls_use;                                                                      \
	struct tls_facts *tls_tried;

struct probe_dialogue {
	PROBE_DIALOGUE_FIELDS
};

/*
 * The record: the dialogue's fields (by their names, or all at once as
 * `dialogue`), then what is found after the dialogue ends. A new field
 * that the dialogue does not write goes at the end, below; one it writes
 * goes into PROBE_DIALOGUE_FIELDS and costs every open session its size.
 */
struct probe_result {
	union {
		struct {
			PROBE_DIALOGUE_FIELDS
		};
		struct probe_dialogue dialogue;
	};

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

/* The anonymous fields and `dialogue` lie on each other. */
_Static_assert(offsetof(struct probe_result, target) == offsetof(struct probe_dialogue, target) &&
                   offsetof(struct probe_result, ntests) ==
                       offsetof(struct probe_dialogue, ntests) &&
                   offsetof(struct probe_result, tls_tried) ==
                       offsetof(struct probe_dialogue, tls_tried) &&
                   offsetof(struct probe_result, tls) >= sizeof(struct probe_dialogue),
               "the dialogue's fields and the record's front differ");

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
/* The same for the dialogue's fields alone. */
void probe_dialogue_init(struct probe_dialogue *d, const struct target *t);
/* Sets r to the record of a dialogue that wrote d: its TLS facts copied
 * in (d keeps its own, for its owner to free), nothing found after it. */
void probe_result_from_dialogue(struct probe_result *r, const struct probe_dialogue *d);

#endif
