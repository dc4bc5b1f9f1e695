/*
 * relay.h: the relay-test matrix (pure: no I/O).
 *
 * A relay test is one MAIL transaction: MAIL FROM a sender, RCPT TO an
 * address the server has no business accepting from us. The matrix is one
 * table in relay.c: each row names a test and gives its sender and recipient
 * as templates, so adding a trick is adding a row. Some addresses name the
 * target itself (RFC 5321 4.1.3 address literals: "[192.0.2.1]",
 * "[IPv6:2001:db8::1]") or the name its greeting gave, so the plan is built
 * per target, and again once the greeting is known.
 */
#ifndef SMTPPROBE_RELAY_H
#define SMTPPROBE_RELAY_H

#include <stddef.h>
#include <sys/socket.h>

#include "record/result.h"
#include "record/settings.h"

/* --tests basic: the spine's two tests and postmaster. */
#define RELAY_TESTS_BASIC 0x7u

/*
 * Parses "basic", "full" or a comma-separated list of test names into a
 * mask of tests. Returns 0, or -1 with the reason in err.
 */
int relay_tests_parse(const char *text, unsigned int *mask, char *err, size_t errlen);

/* The names of all tests ("full": every row of the table), comma-separated,
 * for --help and errors. */
const char *relay_tests_names(void);

/*
 * Plans r's relay tests: the tests of set->tests, row set, codes zero and
 * reply "", in r->tests and r->ntests. banner_name is the name the greeting
 * gave ("" before it); it is kept as r's plan name (DT_PLAN_NAME) when it is
 * fit for an address (relay_name_ok), and r points to set->mail_from and
 * set->rcpt_domain (set outlives r). Tests that need a part that is missing,
 * or whose address would not fit SMTP_ADDR_MAX, are left out. Returns the
 * number of tests.
 */
size_t relay_plan(struct probe_dialogue *r, const struct probe_settings *set,
                  const char *banner_name);
/*
 * Gives r, planned by relay_plan before the greeting ("" for its name), the
 * name the greeting gave: the plan is made again when a test of set->tests
 * names the server ({B}); the others' addresses stay as they were planned,
 * and only the plan name is kept. Returns the number of tests.
 */
size_t relay_plan_named(struct probe_dialogue *r, const struct probe_settings *set,
                        const char *banner_name);

enum relay_side { RELAY_SENDER, RELAY_RECIPIENT };

/*
 * Writes the sender or recipient address of test i (without angle
 * brackets), made from its row's template and the plan's parts and the
 * target: of a dialogue while it talks, of a record after. Returns 0, or -1
 * (buf "") when i is not a planned test or it does not fit.
 */
int relay_dialogue_address(const struct probe_dialogue *r, size_t i, enum relay_side side,
                           char *buf, size_t size);
int relay_address(const struct probe_result *r, size_t i, enum relay_side side, char *buf,
                  size_t size);

/* A row's test name (static) and kind; NULL and RELAY_THIRD_PARTY past the table. */
const char *relay_row_name(unsigned int row);
enum relay_kind relay_row_kind(unsigned int row);

/* Writes the RFC 5321 address literal of ip, a target's canonical address
 * text ("[192.0.2.1]", "[IPv6:2001:db8::1]"): no formatting, the text is
 * the target's. Returns 0, or -1 when it does not fit or ip is "". */
int relay_address_literal(const char *ip, char *buf, size_t size);

/* 1 when s is safe inside an SMTP command: printable ASCII, no blanks or
 * angle brackets, 1..max-1 bytes. Used to check --ehlo, --mail-from and
 * --rcpt-domain before any byte is sent. */
int relay_word_ok(const char *s, size_t max);

/* 1 when a name a server gave (greeting) may go into our addresses: letters,
 * digits, '-' and '.', 1 to SMTP_NAME_MAX-1 bytes. Server bytes are never
 * put into a command unchecked. */
int relay_name_ok(const char *s);

#endif
