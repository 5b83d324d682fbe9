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
 * The state check_mta_sts --state-file keeps: the policy id and the
 * SHA-256 (hex) of the policy body seen with it, and since when (Unix
 * time). The file is lines "id ID", "sha256 HEX", "since N" and '#'
 * comments; unknown lines are ignored. Returns 0, or -1 when the id (1-32
 * letters and digits) or the hash (64 lower-case hex digits) is missing
 * or malformed, or a line is longer than 511 bytes: a corrupt file.
 */
struct mtasts_state {
	char id[33];
	char sha256[65];
	long long since;
};
int mtasts_state_parse(const char *text, size_t len, struct mtasts_state *st);

#endif
