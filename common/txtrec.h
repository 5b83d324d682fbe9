/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * txtrec.h: the character classes shared by the "v=...; key=value" TXT
 * records of RFC 8461 3.1 (MTA-STS) and RFC 8460 3 (TLSRPT), whose
 * extension names and values have the same ABNF.
 */
#ifndef MAILTLS_TXTREC_H
#define MAILTLS_TXTREC_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool
txt_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
txt_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool
txt_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static inline bool
txt_ext_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !(txt_is_alpha(s[0]) || txt_is_digit(s[0])))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!txt_is_alpha(s[i]) && !txt_is_digit(s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* ext-value = 1*(%x21-3A / %x3C / %x3E-7E): no '=', ';', blank or CTL */
static inline bool
txt_ext_value_char(int c)
{
	return c >= 0x21 && c <= 0x7e && c != ';' && c != '=';
}

/*
 * Is r "TAG", one or more blanks, then ';' (STS-30)? Such a record is
 * dropped by senders that keep only the literal "TAG;" (RFC 8461 3.1,
 * STS-03), but parsers that allow *WSP around every ';' (mox) count it
 * as a record of the kind, and two records of the kind as no record.
 */
static inline bool
txt_tag_wsp_delim(const char *r, size_t len, const char *tag, size_t tl)
{
	size_t i = tl;

	if (len <= tl || memcmp(r, tag, tl) != 0 || !txt_is_wsp(r[tl]))
		return false;
	while (i < len && txt_is_wsp(r[i]))
		i++;
	return i < len && r[i] == ';';
}

struct dns_result;

/*
 * A TXT RRset sorted against a version tag such as "v=STSv1". Every
 * record is read and counted; the first of each kind is kept, in rec[] at
 * the index named by exact, spaced, look and wsp (valid when its count >
 * 0). The wsp records are a subset of the spaced ones, with a copy of
 * their own.
 */
struct txt_pick {
	size_t n;		/* records read */
	char *rec[4];		/* the first of each kind, allocated */
	size_t len[4];
	size_t nbad;		/* malformed rdata, skipped */
	size_t nexact, exact;	/* "TAG;...": count, index in rec[] */
	size_t nspaced, spaced; /* "TAG ;...": valid ABNF that literal-prefix
				   readers drop */
	size_t nlook, look;	/* the tag elsewhere or in another case: not
				   a record of the kind */
	size_t nwsp, wsp;	/* of the spaced, "TAG *WSP ;": a record of
				   the kind for *WSP parsers (STS-30) */
};

/* Reads res (a TXT answer) into *out; free with txt_pick_free(). */
void txt_pick(const struct dns_result *res, const char *tag,
	      struct txt_pick *out);
void txt_pick_free(struct txt_pick *p);
/*
 * STS-30 and its TLSRPT twin: an exact record beside one that *WSP parsers
 * take for a record too ("TAG ;..."): parsers that allow blanks before the
 * ';' (mox) see two records and none of the kind; literal-prefix ones see
 * the first. Adds that WARNING to n, naming both records, citing rule
 * (e.g. "STS-30") with the full reference cite; who says who reads the
 * records ("senders", "reporters"), kind the mechanism ("MTA-STS").
 * Nothing when p has no such record.
 */
struct node;
void txt_note_wsp(struct node *n, const struct txt_pick *p, const char *rule,
		  const char *cite, const char *who, const char *kind);

#endif
