/*
 * test_received.c: the Received parser against a table of single lines,
 * one or more per MTA format and every tricky form, each with the fields
 * it must give; then the message reader fed in chunks of every size, and
 * the message inside a forward or a feedback report.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets/message.h"
#include "targets/received.h"
#include "tests/tap.h"

struct rcase {
	const char *what;
	const char *line;
	enum hop_kind kind;
	const char *ip, *helo, *rdns, *by, *with;
	int auth;
	const char *id, *for_; /* NULL: not checked */
};

static const struct rcase cases[] = {
    /* The seed. */
    {"seed top line (folded)",
     "from localhost (d102.GtokyoFL38.vectant.ne.jp [202.215.137.102])\n        by mx.example.com "
     "with SMTP id k23BseD16587\n        for <abuse@example.com>; Fri, 3 Mar 2006 20:54:40 +0900 "
     "(JST)",
     HOP_RELAY, "202.215.137.102", "localhost", "d102.GtokyoFL38.vectant.ne.jp", "mx.example.com",
     "SMTP", 0, "k23BseD16587", "abuse@example.com"},
    {"qmail invoked from network", "(qmail 12756 invoked from network); 3 Mar 2006 11:54:27 -0000",
     HOP_LOCAL, "", "", "", "", "", 0, NULL, NULL},
    {"qmail HELO and (ip)",
     "from unknown (HELO 192.168.0.1) (192.168.0.70)\r\n  by localhost with SMTP; 3 Mar 2006 "
     "11:54:27 -0000",
     HOP_RELAY, "192.168.0.70", "192.168.0.1", "", "localhost", "SMTP", 0, NULL, NULL},
    {"qmail host (ip)",
     "from mail.example.org (198.51.100.5) by mx.example.com with SMTP; 3 Mar 2006 11:54:27 -0000",
     HOP_RELAY, "198.51.100.5", "mail.example.org", "", "mx.example.com", "SMTP", 0, NULL, NULL},
    {"qmail rdns (HELO x) (user@ip)",
     "from host.example.org (HELO helo.example.org) (joe@198.51.100.6) by mx.example.com with "
     "SMTP; 3 Mar 2006 11:54:27 -0000",
     HOP_RELAY, "198.51.100.6", "helo.example.org", "host.example.org", "mx.example.com", "SMTP", 0,
     NULL, NULL},
    {"qmail invoked by uid", "(qmail 27981 invoked by uid 225); 14 Mar 2003 07:24:34 -0000",
     HOP_LOCAL, "", "", "", "", "", 0, NULL, NULL},
    /* Postfix. */
    {"postfix",
     "from mail.example.org (mail.example.org [198.51.100.7]) by mx.example.com (Postfix) with "
     "ESMTPS id 4Xy2Z for <a@example.com>; Sat, 28 Nov 2026 10:00:00 +0000 (UTC)",
     HOP_RELAY, "198.51.100.7", "mail.example.org", "mail.example.org", "mx.example.com", "ESMTPS",
     0, "4Xy2Z", "a@example.com"},
    {"postfix unknown [ip]",
     "from helo.example (unknown [203.0.113.8]) by mx.example.com (Postfix) with ESMTP id 1; Sat, "
     "28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "203.0.113.8", "helo.example", "", "mx.example.com", "ESMTP", 0, "1", NULL},
    {"postfix IPv6 literal",
     "from mail.example.org (mail.example.org [IPv6:2001:db8::25]) by mx.example.com (Postfix) "
     "with ESMTPS id 2; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "2001:db8::25", "mail.example.org", "mail.example.org", "mx.example.com", "ESMTPS",
     0, NULL, NULL},
    {"postfix TLS comment",
     "from mail.example.org (mail.example.org [198.51.100.9]) (using TLSv1.3 with cipher "
     "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519) (No client certificate requested) "
     "by mx.example.com (Postfix) with ESMTPS id 3; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.9", "mail.example.org", "mail.example.org", "mx.example.com", "ESMTPS",
     0, "3", NULL},
    {"postfix authenticated sender",
     "from [192.0.2.77] (client.example.net [192.0.2.77]) (Authenticated sender: alice) by "
     "smtp.example.com (Postfix) with ESMTPSA id 7F; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "192.0.2.77", "[192.0.2.77]", "client.example.net", "smtp.example.com", "ESMTPSA",
     1, NULL, NULL},
    {"postfix pickup",
     "by mx.example.com (Postfix, from userid 1000) id 123; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_LOCAL, "", "", "", "mx.example.com", "", 0, "123", NULL},
    /* Sendmail. */
    {"sendmail",
     "from helo.example.org (host.example.org [198.51.100.10]) by mx.example.com (8.15.2/8.15.2) "
     "with ESMTP id 2ASA0000123; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.10", "helo.example.org", "host.example.org", "mx.example.com", "ESMTP",
     0, "2ASA0000123", NULL},
    {"sendmail may be forged",
     "from friendly.example.org (dyn.example.net [198.51.100.11] (may be forged)) by "
     "mx.example.com (8.15.2/8.15.2) with SMTP id x; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.11", "friendly.example.org", "dyn.example.net", "mx.example.com",
     "SMTP", 0, NULL, NULL},
    {"sendmail authenticated bits",
     "from gandalf ([198.51.100.12]) (authenticated bits=0) by herald.example.com (8.12.5/8.12.5) "
     "with ESMTP id g9; Sat, 19 Oct 2002 16:40:41 -0500 (EST)",
     HOP_RELAY, "198.51.100.12", "gandalf", "", "herald.example.com", "ESMTP", 1, NULL, NULL},
    {"sendmail submit",
     "(from user@localhost) by home.example.com (8.12.11/8.12.11/Submit) id iBAD; Fri, 10 Dec 2004 "
     "13:17:27 GMT",
     HOP_LOCAL, "", "", "", "home.example.com", "", 0, NULL, NULL},
    /* Exim. */
    {"exim rdns ([ip]:port helo=)",
     "from mail.example.org ([203.0.113.9]:51234 helo=foo.example.org) by mx.example.com with "
     "esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@example.org>) id "
     "1abc-000123-AB for x@example.com; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "203.0.113.9", "foo.example.org", "mail.example.org", "mx.example.com", "esmtps", 0,
     "1abc-000123-AB", "x@example.com"},
    {"exim [ip] (helo=)",
     "from [198.51.100.13] (helo=WIN-PC) by mx.example.com with smtp (Exim 4.96) id 1x; Sat, 28 "
     "Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.13", "WIN-PC", "", "mx.example.com", "smtp", 0, NULL, NULL},
    {"exim esmtpsa",
     "from host.example.net ([198.51.100.14] helo=[192.168.1.5]) by mx.example.com with esmtpsa "
     "(TLS1.2) (Exim 4.94) id 1y; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.14", "[192.168.1.5]", "host.example.net", "mx.example.com", "esmtpsa",
     1, NULL, NULL},
    {"exim IPv6 port",
     "from mail6.example.org ([2001:db8:25::9]:40001 helo=mail6.example.org) by mx.example.com "
     "with esmtp id 1z; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "2001:db8:25::9", "mail6.example.org", "mail6.example.org", "mx.example.com",
     "esmtp", 0, NULL, NULL},
    {"exim local",
     "from www-data by web.example.com with local (Exim 4.50) for <a@example.com> id 1G; Tue, 22 "
     "Aug 2006 21:06:04 +0200",
     HOP_LOCAL, "", "www-data", "", "web.example.com", "local", 0, NULL, NULL},
    {"old exim bare [ip] after name",
     "from host.example.net ([helo.example.net]) [198.51.100.15] by mx.example.com with smtp; Sat, "
     "28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.15", "host.example.net", "", "mx.example.com", "smtp", 0, NULL, NULL},
    /* Exchange and Microsoft 365. */
    {"exchange (ip)",
     "from EXCH01.contoso.example (198.51.100.5) by EXCH02.contoso.example (198.51.100.6) with "
     "Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
     "15.1.2044.4; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.5", "EXCH01.contoso.example", "", "EXCH02.contoso.example",
     "Microsoft SMTP Server", 0, "15.1.2044.4", NULL},
    {"microsoft 365 IPv6 (ip)",
     "from NAM11-DM6-obe.outbound.protection.outlook.com (2001:db8:10b6:5:2::) by "
     "SN6PR.namprd.prod.outlook.com (2001:db8:10b6:805::2) with Microsoft SMTP Server "
     "(version=TLS1_2) id 15.20.7; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "2001:db8:10b6:5:2::", "NAM11-DM6-obe.outbound.protection.outlook.com", "",
     "SN6PR.namprd.prod.outlook.com", "Microsoft SMTP Server", 0, NULL, NULL},
    {"microsoft 365 zone id",
     "from DM6PR.namprd.prod.outlook.com ([fe80::1%5]) by DM6PR.namprd.prod.outlook.com "
     "([fe80::1%5]) with mapi id 15.20.7; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "fe80::1", "DM6PR.namprd.prod.outlook.com", "", "DM6PR.namprd.prod.outlook.com",
     "mapi", 0, NULL, NULL},
    /* Gmail. */
    {"gmail inbound",
     "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com "
     "with SMTPS id x1; Sat, 28 Nov 2026 02:00:00 -0800 (PST)",
     HOP_RELAY, "209.85.220.41", "mail-sor-f41.google.com", "mail-sor-f41.google.com",
     "mx.google.com", "SMTPS", 0, NULL, NULL},
    {"gmail submission",
     "from [192.168.1.2] ([198.51.100.3]) by smtp.gmail.com with ESMTPSA id x1sm; Sat, 28 Nov 2026 "
     "02:00:00 -0800 (PST)",
     HOP_RELAY, "198.51.100.3", "[192.168.1.2]", "", "smtp.gmail.com", "ESMTPSA", 1, NULL, NULL},
    {"gmail internal by-only",
     "by 2002:a05:6402:3c1::1 with SMTP id y; Sat, 28 Nov 2026 02:00:00 -0800 (PST)", HOP_LOCAL, "",
     "", "", "2002:a05:6402:3c1::1", "SMTP", 0, NULL, NULL},
    /* Courier, OpenSMTPD. */
    {"courier ::ffff: and AUTH",
     "from host.example.org (host.example.org [::ffff:192.0.2.1]) (AUTH: LOGIN user) by "
     "mail.example.com with ESMTPA; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "192.0.2.1", "host.example.org", "host.example.org", "mail.example.com", "ESMTPA",
     1, NULL, NULL},
    {"courier plain",
     "from helo.example.org ([::ffff:198.51.100.16]) by mail.example.com with esmtp; Sat, 28 Nov "
     "2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.16", "helo.example.org", "", "mail.example.com", "esmtp", 0, NULL,
     NULL},
    {"opensmtpd",
     "from helo.example.org (rdns.example.org [198.51.100.17]) by mx.example.com (OpenSMTPD) with "
     "ESMTPS id 1a2b3c4d (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) for <a@example.com>; Sat, 28 Nov "
     "2026 10:00:00 +0000 (UTC)",
     HOP_RELAY, "198.51.100.17", "helo.example.org", "rdns.example.org", "mx.example.com", "ESMTPS",
     0, "1a2b3c4d", "a@example.com"},
    /* Tricky forms. */
    {"generic [ip] fallback",
     "from [198.51.100.18] by mta2.example.com; Thu, 2 Aug 2007 21:50:04 -0200", HOP_RELAY,
     "198.51.100.18", "[198.51.100.18]", "", "mta2.example.com", "", 0, NULL, NULL},
    {"[ip]:port in a comment",
     "from x.example.net (x.example.net [198.51.100.19]:2525) by mx.example.com with SMTP; Sat, 28 "
     "Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.19", "x.example.net", "x.example.net", "mx.example.com", "SMTP", 0,
     NULL, NULL},
    {"HELO that is an IP",
     "from 198.51.100.99 (host.example.net [198.51.100.20]) by mx.example.com with SMTP; Sat, 28 "
     "Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.20", "198.51.100.99", "host.example.net", "mx.example.com", "SMTP", 0,
     NULL, NULL},
    {"missing brackets, bare (ip)",
     "from y.example.net (y.example.net 198.51.100.21) by mx.example.com with SMTP; Sat, 28 Nov "
     "2026 10:00:00 +0000",
     HOP_NOADDR, "", "y.example.net", "", "mx.example.com", "SMTP", 0, NULL, NULL},
    {"raw UTF-8 HELO",
     "from caf\xc3\xa9.example (x.example.net [198.51.100.22]) by mx.example.com with SMTP; Sat, "
     "28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.22", "caf\xc3\xa9.example", "x.example.net", "mx.example.com", "SMTP",
     0, NULL, NULL},
    {"encoded-word HELO",
     "from =?UTF-8?B?Y2Fmw6k=?= (x.example.net [198.51.100.23]) by mx.example.com with SMTP; Sat, "
     "28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.23", "=?UTF-8?B?Y2Fmw6k=?=", "x.example.net", "mx.example.com", "SMTP",
     0, NULL, NULL},
    {"[300.1.2.3] is no address",
     "from weird ([300.1.2.3]) by mx.example.com; Sat, 28 Nov 2026 10:00:00 +0000", HOP_UNPARSED,
     "", "weird", "", "mx.example.com", "", 0, NULL, NULL},
    {"empty []", "from unknown ([]) by mx.example.com with SMTP; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_NOADDR, "", "unknown", "", "mx.example.com", "SMTP", 0, NULL, NULL},
    {"(may be forged) and IPv6:",
     "from a.example (b.example [IPv6:2001:db8::bad] (may be forged)) by mx.example.com with "
     "ESMTP; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "2001:db8::bad", "a.example", "b.example", "mx.example.com", "ESMTP", 0, NULL,
     NULL},
    {"unknown [ip]",
     "from unknown (unknown [198.51.100.24]) by mx.example.com with SMTP; Sat, 28 Nov 2026 "
     "10:00:00 +0000",
     HOP_RELAY, "198.51.100.24", "unknown", "", "mx.example.com", "SMTP", 0, NULL, NULL},
    {"IPv6 mapped, uncompressed",
     "from h ([0:0:0:0:0:ffff:c633:6419]) by mx.example.com with SMTP; Sat, 28 Nov 2026 10:00:00 "
     "+0000",
     HOP_RELAY, "198.51.100.25", "h", "", "mx.example.com", "SMTP", 0, NULL, NULL},
    {"with the field name",
     "Received: from z (z [198.51.100.26]) by mx.example.com with ESMTPSA; Sat, 28 Nov 2026 "
     "10:00:00 +0000",
     HOP_RELAY, "198.51.100.26", "z", "z", "mx.example.com", "ESMTPSA", 1, NULL, NULL},
    {"tabs and CRLF folding",
     "from\tt.example\r\n\t(t.example\r\n [198.51.100.27])\r\n\tby mx.example.com\twith "
     "ESMTP;\r\n\tSat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.27", "t.example", "t.example", "mx.example.com", "ESMTP", 0, NULL,
     NULL},
    {"unbalanced parenthesis", "from u.example (u.example [198.51.100.28] by mx.example.com",
     HOP_RELAY, "198.51.100.28", "u.example", "u.example", "", "", 0, NULL, NULL},
    {"no from, no by",
     "Message by Barricade x.example with ESMTP id h1; Tue, 18 Feb 2003 09:43:16 +0200", HOP_LOCAL,
     "", "", "", "Barricade", "ESMTP", 0, NULL, NULL},
    {"empty", "   ", HOP_UNPARSED, "", "", "", "", "", 0, NULL, NULL},
    /* Sendmail's ident comment: the name after "user@" is the rDNS. */
    {"sendmail IDENT:user@rdns [ip]",
     "from ran-out.example.org (IDENT:qmailr@one.example.org [198.51.100.40]) by mx.example.com "
     "(8.11.6/8.11.6) with SMTP id h381Vvf19860; Tue, 8 Apr 2003 02:31:57 +0100",
     HOP_RELAY, "198.51.100.40", "ran-out.example.org", "one.example.org", "mx.example.com", "SMTP",
     0, "h381Vvf19860", NULL},
    {"sendmail user@rdns [ip]",
     "from helo.example.org (joe@host.example.org [198.51.100.41]) by mx.example.com "
     "(8.15.2/8.15.2) with ESMTP id 2AS; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "198.51.100.41", "helo.example.org", "host.example.org", "mx.example.com", "ESMTP",
     0, NULL, NULL},
};

/*
 * Lines that record no relay, one or more per row of received.c's shape
 * table, each quoting the format its tool writes (names and addresses
 * changed to documentation ones). `note` is the row's name, as the hop
 * table shows it.
 */
struct scase {
	const char *what;
	const char *line;
	enum hop_kind kind;
	const char *note, *ip, *by, *with;
};

static const struct scase shapes[] = {
    /* fetchmail's transact.c: "from TRUENAME [ADDR]", "by HOST with PROTO (fetchmail-V...)". */
    {"fetchmail POP3",
     "from mail.example.net [198.51.100.219]\n\tby localhost with POP3 (fetchmail-5.9.0)\n\tfor "
     "user@localhost (single-drop); Tue, 06 Aug 2002 10:56:29 +0100 (IST)",
     HOP_RETRIEVAL, "fetchmail", "198.51.100.219", "localhost", "POP3"},
    {"fetchmail IMAP, IPv6, tracepolls",
     "from imap.example.net [2001:db8::143]\r\n\tby laptop.example.com with IMAP "
     "(fetchmail-6.4.38 polling imap.example.net account alice folder INBOX)\r\n\tfor "
     "<alice@example.com> (single-drop); Sat, 28 Nov 2026 10:00:00 +0000 (UTC)",
     HOP_RETRIEVAL, "fetchmail", "2001:db8::143", "laptop.example.com", "IMAP"},
    {"fetchmail ETRN",
     "from mail.example.net [198.51.100.25]\r\n\tby localhost with ETRN (fetchmail-6.4.0)\r\n\tfor "
     "<postmaster@localhost> (by default); Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RETRIEVAL, "fetchmail", "198.51.100.25", "localhost", "ETRN"},
    {"fetchmail 4, no address",
     "from pop.example.net\n\tby localhost (fetchmail-4.3.9 POP3 run by joe)\n\tfor "
     "<joe@localhost> (single-drop); Mon, 5 Aug 2002 12:04:58 +0100",
     HOP_RETRIEVAL, "fetchmail", "", "localhost", ""},
    /* getmail6's message.py: "from SERVER (ADDR:PORT) by HOST with PROTO getmail6 for <R>". */
    {"getmail6 POP3-SSL",
     "from pop.example.net (198.51.100.30:995) by laptop.example.com with POP3-SSL getmail6 for "
     "<alice@example.com>; 28 Nov 2026 10:00:00 -0000",
     HOP_RETRIEVAL, "getmail", "198.51.100.30", "laptop.example.com", "POP3-SSL getmail6"},
    {"getmail 4 IMAP4-SSL over IPv6",
     "from imap.example.net ([2001:db8::31]:993) by laptop.example.com with IMAP4-SSL for "
     "<alice@example.com>; 28 Nov 2026 10:00:00 -0000",
     HOP_RETRIEVAL, "IMAP retrieval", "2001:db8::31", "laptop.example.com", "IMAP4-SSL"},
    {"getmail 4 POP3 (SpamAssassin's example)",
     "from pop3.example.net (192.0.2.251) by loki.example.com with POP3; 14 Apr 2010 11:14:29 "
     "-0000",
     HOP_RETRIEVAL, "POP3 retrieval", "192.0.2.251", "loki.example.com", "POP3"},
    /* Local delivery. */
    {"Dovecot LMTP, no address",
     "from mx.example.com\r\n\tby store.example.com with LMTP\r\n\tid 0Kx1NwDfA2RbGAAA0J78UA\r\n\t"
     "(envelope-from <a@example.org>)\r\n\tfor <u@example.com>; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_LOCAL, "LMTP delivery", "", "store.example.com", "LMTP"},
    {"Dovecot LMTP with TLS and an address",
     "from mx.example.com ([198.51.100.27])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
     "(256/256 bits))\r\n\tby store.example.com with LMTPS\r\n\tid 1; Sat, 28 Nov 2026 10:00:00 "
     "+0000",
     HOP_LOCAL, "LMTP delivery", "198.51.100.27", "store.example.com", "LMTPS"},
    {"Cyrus LMTPA over a unix socket",
     "from store.example.com ([unix socket]) by store.example.com (Cyrus v2.3.14) with LMTPA; "
     "Tue, 21 Jul 2009 14:34:14 +0200",
     HOP_LOCAL, "LMTP delivery", "", "store.example.com", "LMTPA"},
    {"sieve LMTP (with before by)",
     "from senmail2.example.com with LMTP by senmail2 (3.0.2/sieved-3-0-build-942) for "
     "<u@example.com>; Fri, 30 Jun 2006 10:58:41 -0400",
     HOP_LOCAL, "LMTP delivery", "", "senmail2", "LMTP"},
    {"Exim local",
     "from www-data by web.example.com with local (Exim 4.96) (envelope-from <w@example.com>) "
     "id 1t2; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_LOCAL, "local submission", "", "web.example.com", "local"},
    {"Exim local-esmtp",
     "from paul (helo=felix) by felix.example.org with local-esmtp (Exim 4.43) id 1Ccq0j; Fri, "
     "10 Dec 2004 19:01:01 +0000",
     HOP_LOCAL, "local submission", "", "felix.example.org", "local-esmtp"},
    {"Exim local-bsmtp",
     "from root (helo=localhost) by mx.example.com with local-bsmtp (Exim 4.96) id 1G; Sat, 28 "
     "Nov 2026 10:00:00 +0000",
     HOP_LOCAL, "local submission", "", "mx.example.com", "local-bsmtp"},
    {"batched SMTP",
     "from uucp.example.org by mx.example.com with BSMTP (rsmtp-qm-ot 0.4) for <u@example.com>; "
     "7 Mar 2003 21:10:38 -0000",
     HOP_LOCAL, "batched SMTP", "", "mx.example.com", "BSMTP"},
    {"Microsoft SMTPSVC pickup",
     "from mail pickup service by mail.example.com with Microsoft SMTPSVC; Thu, 13 Feb 2003 "
     "19:05:39 -0500",
     HOP_LOCAL, "SMTPSVC pickup", "", "mail.example.com", "Microsoft SMTPSVC"},
    {"sendmail user@localhost",
     "from mail.example.com (joe@localhost) by mail.example.com (8.15.2/8.15.2) with ESMTP id "
     "2AS; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_LOCAL, "sendmail local submission", "", "mail.example.com", "ESMTP"},
    {"sendmail unix socket",
     "from localhost (localhost [[UNIX: localhost]]) by home.example.com "
     "(8.12.11/8.12.11/Submit) id iBADHRP6011034; Fri, 10 Dec 2004 13:17:27 GMT",
     HOP_LOCAL, "unix socket", "", "home.example.com", ""},
    {"OpenSMTPD local enqueue",
     "from localhost (mx.example.com [local]) by mx.example.com (OpenSMTPD) with ESMTPA id "
     "5db34e0d for <u@example.com>; Tue, 7 Apr 2020 01:38:29 -0600 (MDT)",
     HOP_LOCAL, "OpenSMTPD local", "", "mx.example.com", "ESMTPA"},
    {"AVG SMTP scanner",
     "from 127.0.0.1 (AVG SMTP 7.0.299 [265.6.8]); Wed, 05 Jan 2005 15:06:48 -0800", HOP_LOCAL,
     "AVG SMTP scanner", "", "", ""},
    {"qmail-scanner",
     "from 198.51.100.196 by mx.example.com (envelope-from <a@example.org>, uid 502) with "
     "qmail-scanner-1.24 (clamdscan: 0.80/594. Clear:RC:0(198.51.100.196):. Processed in 0.29 "
     "secs); 06 Feb 2005 21:11:38 -0000",
     HOP_LOCAL, "qmail-scanner", "", "mx.example.com", "qmail-scanner-1.24"},
    {"user@host, no address",
     "from joe@example.org by imo-m09.mx.example.org (mail_out_v34.13.) id 7.53.208064a0 (4394); "
     "Sat, 11 Jan 2003 23:24:31 -0500 (EST)",
     HOP_LOCAL, "user submission", "", "imo-m09.mx.example.org", ""},
    {"Novell GroupWise",
     "from GWGC6-MTA by gc6.example.com with Novell_GroupWise; Tue, 30 Nov 2004 10:09:15 -0700",
     HOP_LOCAL, "GroupWise", "", "gc6.example.com", "Novell_GroupWise"},
    /* Near misses: a relay line stays a relay. */
    {"a HELO that says POP3 is still a relay",
     "from x with POP3 (host.example.net [203.0.113.9]) by mx.example.com (Postfix) with ESMTP "
     "id 1; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "", "203.0.113.9", "mx.example.com", ""},
    {"a HELO that says (fetchmail-) is still a relay",
     "from (fetchmail-6.4.0) (host.example.net [203.0.113.9]) by mx.example.com (Postfix) with "
     "ESMTP id 1; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "", "203.0.113.9", "mx.example.com", "ESMTP"},
    {"a HELO user@localhost with an address is a relay",
     "from x (joe@localhost [203.0.113.9]) by mx.example.com (8.15.2/8.15.2) with SMTP id 1; "
     "Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "", "203.0.113.9", "mx.example.com", "SMTP"},
    {"a HELO with spaces, by and with POP3, is no retrieval",
     "from x by localhost with POP3 (host.example.net [203.0.113.9]) by mx.example.com (Postfix) "
     "with ESMTP id 1; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_NOADDR, "", "", "mx.example.com", ""},
    {"a HELO with spaces, by and (fetchmail-), is no retrieval",
     "from x by y (fetchmail-6.4.0) (host.example.net [203.0.113.9]) by mx.example.com (Postfix) "
     "with ESMTP id 1; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_NOADDR, "", "", "mx.example.com", ""},
    {"a HELO with spaces, mail pickup service by, is no pickup",
     "from mail pickup service by x (host.example.net [203.0.113.9]) by mx.example.com (Postfix) "
     "with ESMTP id 1; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_NOADDR, "", "", "mx.example.com", ""},
    {"a MAIL FROM that closes Exim's comment is no fetchmail",
     "from host.example.net ([203.0.113.9] helo=x) by mx.example.com with esmtp (Exim 4.96) "
     "(envelope-from <\"a)(fetchmail-6.4.0\"@example.org>) id 1t for u@example.com; Sat, 28 Nov "
     "2026 10:00:00 +0000",
     HOP_RELAY, "", "203.0.113.9", "mx.example.com", "esmtp"},
    {"a MAIL FROM that closes Exim's comment is no getmail",
     "from host.example.net ([203.0.113.9] helo=x) by mx.example.com with esmtp (Exim 4.96) "
     "(envelope-from <\"a) getmail6 (b\"@example.org>) id 1t for u@example.com; Sat, 28 Nov "
     "2026 10:00:00 +0000",
     HOP_RELAY, "", "203.0.113.9", "mx.example.com", "esmtp"},
    {"a RCPT that says with POP3 is no retrieval",
     "from h (host.example.net [203.0.113.9]) by mx.example.com (Postfix) with ESMTP id 1 for "
     "<a with POP3 b@example.com>; Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "", "203.0.113.9", "mx.example.com", ""},
    {"Microsoft SMTPSVC relay",
     "from relay.example.org ([203.0.113.70]) by mail.example.com with Microsoft "
     "SMTPSVC(6.0.3790.4675); Sat, 28 Nov 2026 10:00:00 +0000",
     HOP_RELAY, "", "203.0.113.70", "mail.example.com", "Microsoft SMTPSVC"},
};

static void
test_shapes(void)
{
	size_t i;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const struct scase *c = &shapes[i];
		struct hop h;
		int pass;

		received_parse(c->line, strlen(c->line), &h);
		pass = h.kind == c->kind && strcmp(h.ip, c->ip) == 0 && strcmp(h.by, c->by) == 0 &&
		       ((c->kind != HOP_LOCAL && c->kind != HOP_RETRIEVAL) ||
		        strcmp(h.reason, c->note) == 0) &&
		       (c->with[0] == '\0' || strcmp(h.with, c->with) == 0);
		ok(pass, "%s: %s", c->what, hop_kind_name(c->kind));
		if (!pass)
			printf("#   got kind=%s ip=[%s] by=[%s] with=[%s] reason=[%s]\n",
			       hop_kind_name(h.kind), h.ip, h.by, h.with, h.reason);
	}
}

static void
test_lines(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		struct hop h;
		int pass;

		received_parse(c->line, strlen(c->line), &h);
		pass = h.kind == c->kind && strcmp(h.ip, c->ip) == 0 &&
		       strcmp(h.helo, c->helo) == 0 && strcmp(h.rdns, c->rdns) == 0 &&
		       strcmp(h.by, c->by) == 0 && strcmp(h.with, c->with) == 0 &&
		       h.authenticated == c->auth && (c->id == NULL || strcmp(h.id, c->id) == 0) &&
		       (c->for_ == NULL || strcmp(h.for_, c->for_) == 0);
		ok(pass, "%s", c->what);
		if (!pass)
			printf(
			    "#   got kind=%s ip=[%s] helo=[%s] rdns=[%s] by=[%s] with=[%s] auth=%d "
			    "id=[%s] for=[%s] reason=[%s]\n",
			    hop_kind_name(h.kind), h.ip, h.helo, h.rdns, h.by, h.with,
			    h.authenticated, h.id, h.for_, h.reason);
	}
}

static void
test_bounds(void)
{
	static char big[RECEIVED_LINE_MAX + 2];
	struct hop h;

	memset(big, 'a', sizeof(big) - 1);
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): a prefix, not a string */
	memcpy(big, "from ", 5);
	is_int(received_parse(big, sizeof(big) - 1, &h), HOP_UNPARSED, "a line over the cap");
	is_str(h.reason, "longer than 4096 bytes", "with its reason");
	is_int(received_parse("from a\0b ([198.51.100.1]) by x", 30, &h), HOP_UNPARSED,
	       "a NUL byte");
}

static void
test_dates(void)
{
	int64_t a, b;
	int z;

	ok(received_parse_date("Fri, 3 Mar 2006 20:54:40 +0900 (JST)", 37, &a, &z) == 0 && z == 0,
	   "an RFC 5322 date with a comment");
	ok(received_parse_date("3 Mar 2006 11:54:27 -0000", 25, &b, &z) == 0 && z == 1,
	   "qmail's -0000 is an unknown zone");
	is_int(b - a, -13, "and both are the same instant, 13 s apart");
	ok(received_parse_date("Sat, 28 Nov 26 10:00 GMT", 24, &a, &z) == 0, "two-digit year, GMT");
	ok(received_parse_date("Sat, 28 Foo 2026 10:00:00 +0000", 31, &a, &z) != 0, "a bad month");
	ok(received_parse_date("28 Nov 2026 25:00:00 +0000", 26, &a, &z) != 0, "a bad hour");
}

/* The mbox of the fixtures, fed in chunks of every size from 1 to 64. */
static const char mbox[] =
    "From a@example.net Sat Nov 28 10:00:00 2026\n"
    "Received: from a (a [198.51.100.71]) by mx; Sat, 28 Nov 2026 10:00:00 +0000\n"
    "Message-ID: <1@x>\n"
    "\n"
    ">From quoted\n"
    "text\n"
    "From not a separator\n"
    "\n"
    "From b@example.net Sat Nov 28 10:01:00 2026\r\n"
    "Received: from b (b [198.51.100.72]) by mx; Sat, 28 Nov 2026 10:01:00 +0000\r\n"
    "\r\n"
    "body\r\n"
    "\n"
    "From c Sat Nov 28 10:02:00 2026\n"
    "Subject: headers only, no empty line";

static void
test_reader(void)
{
	size_t chunk;
	int all = 1;

	for (chunk = 1; chunk <= 64; chunk++) {
		struct message_reader *r = message_reader_new(MESSAGE_AUTO);
		size_t pos = 0, n = 0, len, msgno, total = sizeof(mbox) - 1;
		const char *hdr;
		int too_big;
		char got[3][200];

		memset(got, 0, sizeof(got));
		while (pos < total || n < 3) {
			size_t want = total - pos < chunk ? total - pos : chunk;

			if (pos < total)
				pos += message_reader_feed(r, mbox + pos, want);
			else
				message_reader_end(r);
			while (message_reader_take(r, &hdr, &len, &too_big, &msgno)) {
				if (n < 3)
					snprintf(got[n], sizeof(got[n]), "%.*s", (int)len, hdr);
				n++;
			}
			if (pos >= total && n >= 3)
				break;
			if (pos >= total) {
				message_reader_end(r);
				if (!message_reader_take(r, &hdr, &len, &too_big, &msgno))
					break;
				if (n < 3)
					snprintf(got[n], sizeof(got[n]), "%.*s", (int)len, hdr);
				n++;
			}
		}
		if (n != 3 || strncmp(got[0], "Received: from a", 16) != 0 ||
		    strncmp(got[1], "Received: from b", 16) != 0 ||
		    strcmp(got[2], "Subject: headers only, no empty line") != 0) {
			all = 0;
			printf("# chunk %zu: %zu messages: [%s] [%s] [%s]\n", chunk, n, got[0],
			       got[1], got[2]);
		}
		message_reader_free(r);
	}
	ok(all, "an mbox gives its three header sections whatever the chunk size");
}

/* Whole messages: each ends at the next separator or the input's end,
 * with its body, whatever the chunk size. */
static void
test_reader_whole(void)
{
	size_t chunk;
	int all = 1;

	for (chunk = 1; chunk <= 64; chunk++) {
		struct message_reader *r = message_reader_new(MESSAGE_AUTO);
		size_t pos = 0, n = 0, len, msgno, total = sizeof(mbox) - 1;
		const char *hdr;
		int too_big, ended = 0;
		char got[3][400];

		memset(got, 0, sizeof(got));
		message_reader_keep_body(r);
		for (;;) {
			while (message_reader_take(r, &hdr, &len, &too_big, &msgno)) {
				if (n < 3)
					snprintf(got[n], sizeof(got[n]), "%.*s", (int)len, hdr);
				n++;
			}
			if (ended)
				break;
			if (pos < total) {
				size_t want = total - pos < chunk ? total - pos : chunk;

				pos += message_reader_feed(r, mbox + pos, want);
			} else {
				message_reader_end(r);
				ended = 1;
			}
		}
		if (n != 3 ||
		    strstr(got[0],
		           "Message-ID: <1@x>\n\n>From quoted\ntext\nFrom not a separator\n") ==
		        NULL ||
		    strstr(got[0], "From b@") != NULL ||
		    strstr(got[1], "\r\n\r\nbody\r\n") == NULL ||
		    strcmp(got[2], "Subject: headers only, no empty line") != 0) {
			all = 0;
			printf("# chunk %zu: %zu messages: [%s] [%s] [%s]\n", chunk, n, got[0],
			       got[1], got[2]);
		}
		message_reader_free(r);
	}
	ok(all, "kept whole, an mbox gives its three messages with their bodies whatever the chunk "
	        "size");
}

/* The inner message of a forward or a feedback report (GMime). */
static void
test_inner(void)
{
	static const char spam[] = "Received: from s (s [198.51.100.9]) by mx; Sat, 28 Nov 2026 "
	                           "10:00:00 +0000\nMessage-ID: <in@x>\n\nbuy\n";
	static const struct {
		const char *name, *msg;
		int want; /* 1: the inner <in@x> message, 0: none; '@': the body */
	} inner_cases[] = {
	    {"a message/rfc822 attachment, 7bit",
	     "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee "
	     "below\n--b\nContent-Type: message/rfc822\n\n@\n--b--\n",
	     1},
	    {"base64",
	     "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: "
	     "message/rfc822\nContent-Transfer-Encoding: base64\n\n@\n--b--\n",
	     1},
	    {"quoted-printable, inside a nested multipart",
	     "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; "
	     "boundary=c\n\n--c\nContent-Type: message/rfc822\nContent-Transfer-Encoding: "
	     "quoted-printable\n\n@\n--c--\n--b--\n",
	     1},
	    {"an ARF report's text/rfc822-headers",
	     "Content-Type: multipart/report; report-type=\"Feedback-Report\"; boundary=b\n\n--b\n"
	     "Content-Type: text/plain\n\nabuse\n--b\nContent-Type: "
	     "message/feedback-report\n\nFeedback-Type: abuse\nVersion: 1\n\n--b\nContent-Type: "
	     "text/rfc822-headers\n\n@\n--b--\n",
	     1},
	    {"two attached messages: none",
	     "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: "
	     "message/rfc822\n\n@\n--b\nContent-Type: message/rfc822\n\n@\n--b--\n",
	     0},
	    {"a delivery report is no feedback report",
	     "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n"
	     "Content-Type: text/plain\n\nbounced\n--b\nContent-Type: text/rfc822-headers\n\n@\n"
	     "--b--\n",
	     0},
	    {"a plain message: none", "Content-Type: text/plain\n\n@\n", 0},
	    {"not MIME at all: none", "garbage without a header\n@", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(inner_cases) / sizeof(inner_cases[0]); i++) {
		char body[2048], msg[4096], *out = NULL;
		size_t outlen = 0;
		int rc;

		if (strstr(inner_cases[i].name, "base64") != NULL) {
			/* spam, base64 (RFC 4648), by hand: no encoder in the library. */
			static const char tbl[] =
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
			size_t j, k = 0, n = sizeof(spam) - 1;

			for (j = 0; j < n; j += 3) {
				unsigned v = (unsigned char)spam[j] << 16 |
				             (j + 1 < n ? (unsigned char)spam[j + 1] << 8 : 0) |
				             (j + 2 < n ? (unsigned char)spam[j + 2] : 0);

				body[k++] = tbl[v >> 18 & 63];
				body[k++] = tbl[v >> 12 & 63];
				body[k++] = tbl[v >> 6 & 63];
				body[k++] = tbl[v & 63];
				if (j + 1 >= n)
					body[k - 2] = '=';
				if (j + 2 >= n)
					body[k - 1] = '=';
				if (k % 77 == 76)
					body[k++] = '\n';
			}
			body[k] = '\0';
		} else {
			snprintf(body, sizeof(body), "%s", spam);
		}
		snprintf(msg, sizeof(msg),
		         "Received: from outer (o [192.0.2.1]) by mx; Sat, 28 Nov 2026 11:00:00 "
		         "+0000\nMIME-Version: 1.0\n");
		/* Each '@' of the case is the body. */
		for (const char *c = inner_cases[i].msg; *c != '\0'; c++) {
			size_t at = strlen(msg);

			if (*c == '@')
				snprintf(msg + at, sizeof(msg) - at, "%s", body);
			else if (at + 1 < sizeof(msg)) {
				msg[at] = *c;
				msg[at + 1] = '\0';
			}
		}
		rc = message_inner(msg, strlen(msg), &out, &outlen);
		if (inner_cases[i].want)
			ok(rc == 1 && outlen > 0 &&
			       memmem(out, outlen, "Message-ID: <in@x>", 18) != NULL &&
			       memmem(out, outlen, "198.51.100.9", 12) != NULL,
			   "inner message: %s", inner_cases[i].name);
		else
			ok(rc == 0 && out == NULL, "no inner message: %s", inner_cases[i].name);
		free(out);
	}
}

int
main(void)
{
	test_lines();
	test_shapes();
	test_bounds();
	test_dates();
	test_reader();
	test_reader_whole();
	test_inner();
	message_mime_shutdown();
	return tap_done();
}
