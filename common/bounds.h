/*
 * bounds.h: every size, count and time limit of smtpprobe, in one place.
 *
 * Whatever a server, a target list or a message sends us is untrusted; each
 * buffer that holds such bytes is capped by one of these names, and tests and
 * fuzzers refer to them instead of repeating numbers.
 */
#ifndef SMTPPROBE_BOUNDS_H
#define SMTPPROBE_BOUNDS_H

/* SMTP replies (prober/reply.c, prober/session.c). */
#define SMTP_LINE_MAX          1000  /* one reply line, CRLF included (RFC 5321 4.5.3.1.5) */
#define SMTP_REPLY_LINES_MAX   64    /* lines in one multi-line reply */
#define SMTP_SESSION_BYTES_MAX 65536 /* everything a server may send in one dialogue */
#define SMTP_TEXT_MAX          512   /* reply text kept for a report (banner, last reply) */
#define SMTP_READ_MAX          4096  /* one read from a plaintext socket, on the stack */
#define SMTP_EXTENSIONS_MAX    1024  /* EHLO keywords kept, space-joined */
#define SMTP_NAME_MAX          256   /* a host name taken from a greeting or EHLO */
#define ARENA_START_BYTES      512   /* a dialogue's text buffer at first; it doubles */
/* A mailbox we build. Ours are short, and every probe keeps RELAY_TESTS_MAX
 * pairs of them; a test whose address would not fit is left out. */
#define SMTP_ADDR_MAX   128
#define SMTP_DOMAIN_MAX 96  /* --rcpt-domain: room for the tests' local parts */
#define SMTP_CMD_MAX    512 /* one command we send, CRLF included */

/* Relay tests (record/relay.c) and the fingerprint (prober/fingerprint.c). */
#define FINGERPRINT_RULES_TEXT_MAX 256 /* the matched rules' ids, ';'-joined */
#define RELAY_TESTS_MAX            19  /* tests one probe may record: every row of relay.c */
#define RELAY_REPLY_MAX            160 /* the deciding reply line kept per test */
#define RCPTS_PER_CONNECTION       20  /* RCPT commands on one connection, at most */

/* Targets (targets/). */
#define TARGET_LINE_MAX       4096 /* one line of a target list; longer lines are rejected */
#define TARGET_INPUT_MAX      128  /* the input text kept for a skipped row or a message */
#define TARGET_ORIGIN_MAX     256  /* "file:line" */
#define TARGET_REASON_MAX     160  /* why a target was skipped */
#define TARGET_QUOTE_MAX      (TARGET_REASON_MAX / 2) /* input quoted in a reason */
#define TARGET_HOSTNAME_MAX   256                     /* a host name given as a target */
#define TARGET_RANGE_BITS_MAX 32    /* host bits of one range: IPv6 /96 or wider is refused */
#define EXCLUDE_LINE_MAX      1024  /* one line of an --exclude file */
#define CIDR_LIST_MAX         65536 /* ranges in one allowlist or exclude list */
/* Pieces one range may be cut into by the allowlist, --exclude and the
 * special ranges; a rule that would cut more is checked address by address. */
#define RANGE_PARTS_MAX 1024

/* Engine defaults (prober/engine.c, cli/main.c). */
#define DEFAULT_PORT               25
#define DEFAULT_CONCURRENCY        256
#define CONCURRENCY_MAX            100000
#define DEFAULT_RATE               100 /* new connections per second; 0 = unlimited */
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_TIMEOUT_MS         30000  /* one command's reply */
#define DEFAULT_DEADLINE_MS        120000 /* a whole dialogue */
#define TIMEOUT_MS_MAX             3600000
#define SHUTDOWN_GRACE_MS          2000 /* running sessions get this long after SIGINT */
#define FD_RESERVE                 32   /* descriptors kept for files, DNS and the loop */
#define PUMP_BATCH_MAX             512  /* targets taken in one turn of the loop */
#define PER_NET_DEFER_MAX          1024 /* targets held back by --per-net at once */
#define RATE_BURST_MS              100  /* the token bucket holds this much of --rate */

/* TLS (prober/tls.c): facts kept per target, each capped. */
#define TLS_VERSION_MAX       16  /* "TLSv1.3" */
#define TLS_CIPHER_MAX        64  /* an IANA/OpenSSL cipher suite name */
#define TLS_REASON_MAX        160 /* why a handshake failed, from OpenSSL */
#define CERT_NAME_MAX         256 /* a subject or issuer, one line */
#define CERT_SAN_MAX          512 /* DNS names of subjectAltName, ';'-joined */
#define CERT_DATE_MAX         32  /* "2026-11-29 02:00:43Z" */
#define CERT_SHA256_MAX       96  /* "AB:CD:..." 32 bytes, colon-separated */
#define CERT_VERIFY_MAX       96  /* X509_verify_cert_error_string() */
#define SMTPS_WELL_KNOWN_PORT 465 /* implicit TLS unless --no-smtps (RFC 8314) */
/* Messages and their Received chains (targets/message.c, received.c, trust.c). */
#define MESSAGE_HEADER_MAX      (256 * 1024) /* header section of one message */
#define MESSAGE_RECEIVED_MAX    100          /* Received lines read from one message */
#define RECEIVED_LINE_MAX       4096         /* one Received header, unfolded */
#define RECEIVED_FIELD_MAX      256          /* one field of a hop: HELO, rDNS, by, with, id, for */
#define RECEIVED_DATE_MAX       80           /* the date after the last ';' */
#define RECEIVED_TOKENS_MAX     64           /* words and comments read from one line */
#define RECEIVED_CLOCK_SKEW_MAX 600          /* seconds a lower hop may be later: time-travel */
#define MESSAGE_ID_MAX          256          /* a Message-ID kept as a row's origin */
#define MAILDIR_FILES_MAX       100000       /* messages read from one Maildir */
#define TRUSTED_NAMES_MAX       256          /* host names given to --trusted */
#define HOP_TEXT_MAX            40           /* the hop column: "2:compromised-account" */

/* One whole message, kept to find a forwarded or reported message inside it
 * (--message without --outer) and to attach it to an abuse report; the rest
 * of a longer one is not read into memory (its attachment may be cut). */
#define MESSAGE_BYTES_MAX (4 * 1024 * 1024)
/* DNS (prober/dns.c, prober/rdns.c). */
#define DNS_HOSTNAME_MAX       256 /* a domain name as text, NUL included (RFC 1035: 253) */
#define DNS_PTR_NAMES_MAX      4   /* PTR names kept, and forward-checked, per address */
#define DNS_PTR_TEXT_MAX       (DNS_PTR_NAMES_MAX * DNS_HOSTNAME_MAX) /* the ptr column */
#define DNS_MX_HOSTS_MAX       16   /* MX hosts of one domain that are probed */
#define DNS_HOST_ADDRS_MAX     64   /* addresses (or failed MX hosts) one name yields */
#define DNS_ERROR_MAX          96   /* a resolver's error text kept for a row */
#define DEFAULT_DNS_TIMEOUT_MS 3000 /* one try; c-ares doubles it on the retry */
#define DNS_TRIES              2    /* tries per query and server */
#define DNS_NAMES_AT_ONCE      64   /* host names and MX domains resolved at once */
#define DNS_QUERIES_MAX        64   /* queries in flight; more wait their turn */
/* The abuse desk's lookups (--dnsbl, --asn, --abuse-contact). Answers are
 * untrusted bytes: each is capped here before any parser reads it. */
#define DNSBL_ZONES_MAX       8    /* zones one run asks */
#define DNS_TXT_MAX           256  /* one TXT record's text kept, NUL included */
#define DNS_TXT_RECORDS_MAX   4    /* TXT records kept per answer */
#define DNS_A_RECORDS_MAX     4    /* A records kept per DNSBL answer */
#define ASN_ORIGINS_MAX       4    /* origin ASNs kept (and named) per address */
#define ABUSE_CACHE_MAX       1024 /* addresses whose answers are kept (the oldest go) */
#define ABUSE_DNSBL_TEXT_MAX  512  /* the dnsbl and dnsbl_error columns */
#define ABUSE_ASN_TEXT_MAX    64   /* the asn column */
#define ABUSE_PREFIX_TEXT_MAX 160  /* the as_prefix column */
#define ABUSE_CC_TEXT_MAX     24   /* the as_country column */
#define ABUSE_NAME_TEXT_MAX   256  /* the as_name column */
#define ABUSE_CONTACT_MAX     256  /* the abuse_contact column */

/* Reports (reports/). */
#define REPORT_CELL_MAX 4096 /* one formatted CSV cell or text field */
/* Whole CSV or JSONL rows held for one write at the end of a loop turn: no
 * more than the 4 KiB block a stream's buffer has, so stdio sends them in
 * one write, never cut mid-row. */
#define REPORT_HOLD_BYTES 4096

/* Audit reports: transcripts, baseline, resume, progress. */
#define TRANSCRIPT_PATH_MAX  1024     /* DIR/<ip>_<port>.txt, the transcript column */
#define TRANSCRIPT_BYTES_MAX 262144   /* one target's transcript; the rest is cut, and said so */
#define CHANGE_MAX           32       /* "changed:accepts-localhost" */
#define CSV_READ_LINE_MAX    131072   /* one line of a CSV we read back (baseline, resume) */
#define CSV_FIELDS_MAX       64       /* cells in one CSV record we read back */
#define BASELINE_ROWS_MAX    50000000 /* rows kept from a baseline CSV */
#define PROGRESS_INTERVAL_MS 250      /* the terminal progress line, at most 4 a second */

/* Local failures and a loop that always turns (prober/engine.c, targets/source.c). */
/* A session holds one socket; libevent closes a finished session's socket at
 * the loop's next turn, after the next session opened its own: two a slot. */
#define FD_PER_SESSION 2
/* Input lines or reads one target_source_next() call may consume without a
 * target (comments, duplicates, an endless line) before it yields to the loop. */
#define SOURCE_STEPS_MAX 1024
/* A connect that failed for want of descriptors, ports or memory is retried:
 * after this pause when nothing else runs, at most this many times in a row. */
#define RESOURCE_BACKOFF_MS  100
#define RESOURCE_RETRIES_MAX 100
/* A transcript file that found no descriptor is tried again after
 * TRANSCRIPT_RETRY_MS, TRANSCRIPT_RETRIES_MAX times at most (5 s). */
#define TRANSCRIPT_RETRY_MS    10
#define TRANSCRIPT_RETRIES_MAX 500
/* Rows wait for their transcript file to be written before they name it:
 * at most this many (then the loop waits for the disk), looked at again
 * every TRANSCRIPT_ROWS_POLL_MS while any waits. */
#define TRANSCRIPT_ROWS_HELD_MAX 256
#define TRANSCRIPT_ROWS_POLL_MS  10

/* The nightly audit's run files (--metrics, --metadata). */
#define RUNFILE_PATH_MAX   4096 /* FILE.tmp, written then renamed FILE */
#define REPORT_COLUMNS_MAX 64   /* columns --columns can name (CSV_FIELDS_MAX: read back) */
#define METADATA_ARG_MAX   8192 /* one argument, JSON-escaped; longer is shown "" */

#endif
