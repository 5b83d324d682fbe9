/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * smtp.h: an SMTP client for one address, as an explicit state machine
 * (RFC 5321, RFC 3207), and the pure reply and EHLO parsers under it.
 *
 * smtp_reply_feed() takes one line at a time and says whether the reply is
 * complete, following RFC 5321 4.2 (CONFORMANCE SMTP-03): a code of
 * [2-5][0-5][0-9], '-' for more lines, every line of one reply with the
 * same code, a bare code accepted. Lines over 512 octets (SMTP-04) and
 * replies of more than SMTP_REPLY_MAX_LINES lines are flagged.
 * smtp_ehlo_parse() finds keywords by exact, case-insensitive comparison
 * of the first token of every line but the first (SMTP-06).
 *
 * smtp_session_run() walks CONNECT -> GREETING -> EHLO -> STARTTLS -> TLS
 * -> EHLO_TLS -> QUIT for one address, within the run's deadline, and
 * records what happened: the step it stopped at and why, the RFC rule
 * behind it, the oddities that do not stop it (SMTP-04, SMTP-09, SMTP-10),
 * timings, the TLS facts and the PKIX verdict, and the dialogue for -vv.
 * It decides no monitoring state: the plugin does. Safe to run in many
 * threads at once, one session each.
 */
#ifndef MAILTLS_SMTP_H
#define MAILTLS_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net.h"
#include "tls.h"
#include "util.h"

#define SMTP_LINE_MAX 512	  /* RFC 5321 4.5.3.1.5, incl. CRLF */
#define SMTP_REPLY_MAX_LINES 100 /* more is hostile (SMTP-04) */
#define SMTP_TEXT_MAX 200	  /* reply text kept for messages */

enum smtp_feed {
	SMTP_FEED_MORE, /* a continuation line, read on */
	SMTP_FEED_DONE, /* the last line of the reply */
	SMTP_FEED_BAD,	/* not a reply line, or a code that changed */
};

struct smtp_reply {
	int code;
	size_t nlines;
	bool overlong;	/* a line over SMTP_LINE_MAX octets */
	bool too_many;	/* more than SMTP_REPLY_MAX_LINES lines */
	char first[SMTP_TEXT_MAX]; /* text of line 1, raw (unsanitised) */
	char bad[64];	/* why SMTP_FEED_BAD */
	/* the lines' texts after "NNN-", kept for EHLO parsing */
	char **lines;
	size_t nkept;
};

void smtp_reply_init(struct smtp_reply *r);
void smtp_reply_free(struct smtp_reply *r);
/*
 * len is the line length without CRLF. line holds len bytes, or fewer and
 * NUL-terminated when the reader cut an over-long line; it need not be
 * NUL-terminated otherwise.
 */
enum smtp_feed smtp_reply_feed(struct smtp_reply *r, const char *line,
			       size_t len);

enum smtp_ext {
	SMTP_EXT_STARTTLS = 1 << 0,
	SMTP_EXT_PIPELINING = 1 << 1,
	SMTP_EXT_8BITMIME = 1 << 2,
	SMTP_EXT_SIZE = 1 << 3,
	SMTP_EXT_SMTPUTF8 = 1 << 4,
	SMTP_EXT_CHUNKING = 1 << 5,
	SMTP_EXT_REQUIRETLS = 1 << 6,
};
/* Returns the extension flags of a complete 250 EHLO reply. */
unsigned smtp_ehlo_parse(const struct smtp_reply *r);

enum smtp_step {
	SMTP_STEP_CONNECT,
	SMTP_STEP_GREETING,
	SMTP_STEP_EHLO,
	SMTP_STEP_STARTTLS,
	SMTP_STEP_TLS,
	SMTP_STEP_EHLO_TLS,
	SMTP_STEP_QUIT,
	SMTP_STEP_DONE,
};

enum smtp_fail {
	SMTP_OK = 0,
	SMTP_FAIL_CONNECT,	 /* refused, unreachable */
	SMTP_FAIL_TIMEOUT,	 /* the deadline passed in `step` */
	SMTP_FAIL_EOF,		 /* the peer closed in mid-dialogue */
	SMTP_FAIL_PROTOCOL,	 /* malformed reply, mixed codes, huge line */
	SMTP_FAIL_GREETING,	 /* greeting other than 220 */
	SMTP_FAIL_EHLO,		 /* EHLO refused */
	SMTP_FAIL_NO_STARTTLS,	 /* STARTTLS not offered */
	SMTP_FAIL_STARTTLS,	 /* STARTTLS refused */
	SMTP_FAIL_TLS,		 /* handshake failed */
	SMTP_FAIL_EHLO_TLS,	 /* EHLO after TLS failed */
};

struct smtp_opts {
	const char *helo;     /* EHLO argument */
	const char *sni;      /* server name for TLS */
	const char *verify_name; /* PKIX reference name, NULL: skip PKIX */
	struct tls_ctx *tls;
	time_t now;	      /* for the PKIX dates */
	enum tls_keytype keytype; /* the certificate asked for (item 19) */
};

struct smtp_session {
	/* in */
	struct sockaddr_storage ss;
	socklen_t sslen;
	const struct smtp_opts *opts;
	/* out */
	char addr[NET_ADDR_MAX];
	enum smtp_step step;  /* where it stopped */
	enum smtp_fail fail;
	const char *rule;     /* rule broken, e.g. "RFC 3207 4 (SMTP-08)" */
	const char *token;    /* RFC 8460 result type or NULL */
	char why[256];	      /* sanitised sentence */
	int greeting_code;
	char greeting[SMTP_TEXT_MAX]; /* sanitised greeting text */
	unsigned ext;	      /* extensions before TLS */
	unsigned ext_tls;     /* extensions after TLS */
	bool overlong;	      /* a reply line over 512 octets (SMTP-04) */
	size_t injected;      /* plain bytes after STARTTLS's 220 (SMTP-09) */
	bool readvertised;    /* STARTTLS offered again (SMTP-10) */
	bool quit_ok;	      /* 221 to QUIT */
	int64_t t_connect, t_greeting, t_tls, t_total; /* ms, -1 unset */
	bool tls_done;
	struct tls_peer peer;
	enum pkix_result pkix;
	char pkix_why[256];
	struct buf log;	      /* the dialogue, one "C: "/"S: " line each */
};

void smtp_session_init(struct smtp_session *s, const struct sockaddr *sa,
		       socklen_t salen, const struct smtp_opts *o);
void smtp_session_run(struct smtp_session *s);
void smtp_session_free(struct smtp_session *s);
const char *smtp_step_name(enum smtp_step st); /* "greeting", ... */

#endif
