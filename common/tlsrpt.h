/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tlsrpt.h: the pure parser of the TLSRPT record (RFC 8460 3;
 * CONFORMANCE RPT-01..RPT-07) and of its report URIs.
 *
 * Bytes in, a struct and a verdict out: no I/O, no globals, nothing
 * allocated. A record is valid, valid with remarks (TLSRPT_WARN: each in
 * notes[]), or invalid (why names the rule broken). Each rua URI is kept
 * with its scheme and, for mailto: and https:, what a reporter needs:
 * the address and its domain, or the host and port.
 */
#ifndef MAILTLS_TLSRPT_H
#define MAILTLS_TLSRPT_H

#include <stdbool.h>
#include <stddef.h>

#define TLSRPT_NOTES_MAX 8
#define TLSRPT_NOTE_LEN 160
#define TLSRPT_RUA_MAX 16
#define TLSRPT_URI_LEN 256

enum tlsrpt_verdict {
	TLSRPT_VALID,
	TLSRPT_WARN,
	TLSRPT_INVALID,
};

enum tlsrpt_scheme {
	TLSRPT_OTHER, /* a URI scheme reports cannot go to (RPT-04) */
	TLSRPT_MAILTO,
	TLSRPT_HTTPS,
};

struct tlsrpt_uri {
	char uri[TLSRPT_URI_LEN]; /* as written (cut if longer) */
	enum tlsrpt_scheme scheme;
	char scheme_name[16];
	bool ok;		   /* well-formed for its scheme */
	char why[TLSRPT_NOTE_LEN]; /* when not ok */
	char addr[TLSRPT_URI_LEN]; /* mailto: the address, %XX decoded */
	char host[256];		   /* mailto: the domain; https: the host */
	unsigned port;		   /* https: 443 unless given */
};

struct tlsrpt_record {
	size_t nrua;
	struct tlsrpt_uri rua[TLSRPT_RUA_MAX];
	bool rua_capped;
	size_t nextensions;
	char why[TLSRPT_NOTE_LEN];
	size_t nnotes;
	char notes[TLSRPT_NOTES_MAX][TLSRPT_NOTE_LEN];
};

/* RPT-01: does this TXT record begin with the literal "v=TLSRPTv1;"? */
bool tlsrpt_txt_is_rpt(const char *rec, size_t len);
/*
 * Parses one joined TXT record. A URI that breaks RFC 8460's rules for
 * every URI (an unencoded '!', a blank, a byte outside US-ASCII) makes the
 * record invalid (RPT-05); a URI of another scheme, or a mailto:/https:
 * URI that does not say where to send, is kept with ok false and a why
 * for the caller to judge (RPT-04).
 */
enum tlsrpt_verdict tlsrpt_parse(const char *rec, size_t len,
				 struct tlsrpt_record *out);
const char *tlsrpt_scheme_name(enum tlsrpt_scheme s); /* "mailto", ... */
/*
 * RPT-30: is the local part (n bytes) of a decoded mailto: address one an
 * SMTP server can be given, RFC 5321 4.1.2 Local-part: a Dot-string
 * (atoms of atext joined by single dots) or a Quoted-string (qtextSMTP
 * and quoted pairs between DQUOTEs), 1 to 64 octets (4.5.3.1.1)?
 */
bool tlsrpt_local_part_ok(const char *s, size_t n);

#endif
