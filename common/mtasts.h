/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mtasts.h: pure parsers of the MTA-STS TXT record (RFC 8461 3.1) and
 * policy (RFC 8461 3.2), and MX pattern matching (RFC 8461 4.1).
 *
 * Bytes in, a struct and a verdict out: no I/O, no globals. A record or a
 * policy is valid (MTASTS_VALID), valid with remarks a sender tolerates
 * (MTASTS_WARN: each remark in notes[]), or invalid (MTASTS_INVALID: why
 * names the rule broken, CONFORMANCE STS-xx / STB-xx). Nothing allocated:
 * the structs are self-contained and need no _free().
 */
#ifndef MAILTLS_MTASTS_H
#define MAILTLS_MTASTS_H

#include <stdbool.h>
#include <stddef.h>

#define MTASTS_NOTES_MAX 8
#define MTASTS_NOTE_LEN 160
#define MTASTS_MX_MAX 32
#define MTASTS_MAX_AGE_MAX 31557600LL /* RFC 8461 3.2 */

enum mtasts_verdict {
	MTASTS_VALID,
	MTASTS_WARN,
	MTASTS_INVALID,
};

struct mtasts_notes {
	size_t n;
	char text[MTASTS_NOTES_MAX][MTASTS_NOTE_LEN];
};

struct mtasts_txt {
	char id[33];		/* 1-32 ALPHA/DIGIT (STS-06) */
	size_t nextensions;	/* well-formed extensions, ignored */
	char why[MTASTS_NOTE_LEN]; /* when invalid */
	struct mtasts_notes notes;
};

/*
 * Is this TXT record one a sender keeps (STS-03: it begins with the
 * literal "v=STSv1;")? Records that fail are dropped before counting.
 */
bool mtasts_txt_is_sts(const char *rec, size_t len);
/*
 * Is it "v=STSv1", blanks, then ';' (STS-30)? Dropped by the STS-03
 * filter, but a parser with *WSP around ';' (mox) counts it as an MTA-STS
 * record: beside one that the filter keeps, such a sender sees two
 * records and no MTA-STS.
 */
bool mtasts_txt_is_sts_wsp(const char *rec, size_t len);
/* Parses one (joined) TXT record. */
enum mtasts_verdict mtasts_txt_parse(const char *rec, size_t len,
				     struct mtasts_txt *out);

enum mtasts_mode {
	MTASTS_MODE_UNSET,
	MTASTS_MODE_NONE,
	MTASTS_MODE_TESTING,
	MTASTS_MODE_ENFORCE,
};

struct mtasts_policy {
	enum mtasts_mode mode;
	long long max_age; /* -1 unset; up to 10 digits: 64 bits even where
			      long has 32 (i386, armhf) */
	size_t nmx;
	char mx[MTASTS_MX_MAX][256]; /* patterns as written */
	bool mx_capped;		     /* more than MTASTS_MX_MAX */
	char why[MTASTS_NOTE_LEN];   /* when invalid */
	struct mtasts_notes notes;
};

/* Parses a policy body (len bytes, NULs count as invalid bytes). */
enum mtasts_verdict mtasts_policy_parse(const char *body, size_t len,
					struct mtasts_policy *out);
const char *mtasts_mode_name(enum mtasts_mode m); /* "enforce", ... */

/*
 * RFC 8461 4.1 (MXM-01): does the MX host name match the policy's mx
 * pattern? Case-insensitive, a trailing dot ignored, "*." matching exactly
 * one left-most label.
 */
bool mtasts_mx_match(const char *pattern, const char *host);

/*
 * The policy as senders apply it, in one canonical text (STS-34): lines
 * "version: STSv1", "mode: M", "mx: P" for each pattern in order (lower
 * case), "max_age: N", each ending in LF. Line ends, blanks, repeated
 * keys, extensions and the case of mx patterns do not show. Appended to
 * out; check_mta_sts hashes it for --state-file.
 */
struct buf;
void mtasts_policy_canonical(const struct mtasts_policy *p, struct buf *out);

/*
 * The state check_mta_sts --state-file keeps (STS-14, STS-34). Format 2,
 * written since issue 13 item 13, is lines "format 2", "domain D",
 * "id ID", "policy-sha256 HEX" (SHA-256 of mtasts_policy_canonical(),
 * not of the raw body) and "since N" (Unix time), and '#' comments;
 * unknown lines are ignored. Format 1 (no "format" line: "id", "sha256"
 * of the raw body, "since") is still read, as format 1, so the caller
 * can start afresh. Returns 0; or -1 when a line is longer than 511 bytes
 * or holds a NUL, or the id (1-32 letters and digits), the domain (1-253
 * letters, digits, '.', '-', '_') or the hash (64 lower-case hex digits)
 * of the format is missing or malformed: a corrupt file.
 */
struct mtasts_state {
	int format;	   /* 1 or 2 */
	char domain[254];  /* format 2 */
	char id[33];
	char sha256[65];   /* format 1: of the body; 2: of the canonical text */
	long long since;
};
int mtasts_state_parse(const char *text, size_t len, struct mtasts_state *st);

#endif
