/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tlsrpt.c: the TLSRPT record of RFC 8460 3 parsed to its ABNF, and its
 * rua URIs taken apart (tlsrpt.h). Rules: CONFORMANCE RPT-01..RPT-07.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlsrpt.h"
#include "txtrec.h"
#include "util.h"

static void note(struct tlsrpt_record *r, const char *fmt, ...)
    UTIL_PRINTF(2, 3);

static void
note(struct tlsrpt_record *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nnotes == TLSRPT_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nnotes++], TLSRPT_NOTE_LEN, fmt, ap);
	va_end(ap);
}

/* Sets a why (TLSRPT_NOTE_LEN bytes); its arguments may live in the same
 * struct as dst. */
static void setwhy(char *dst, const char *fmt, ...) UTIL_PRINTF(2, 3);

static void
setwhy(char *dst, const char *fmt, ...)
{
	char tmp[TLSRPT_NOTE_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	util_strlcpy(dst, tmp, TLSRPT_NOTE_LEN);
}

const char *
tlsrpt_scheme_name(enum tlsrpt_scheme s)
{
	return s == TLSRPT_MAILTO  ? "mailto"
	       : s == TLSRPT_HTTPS ? "https"
				   : "other";
}

bool
tlsrpt_txt_is_rpt(const char *rec, size_t len)
{
	return len >= 11 && memcmp(rec, "v=TLSRPTv1;", 11) == 0;
}

/* RFC 3986 characters, less '!' (RPT-05: it must be percent-encoded). */
static bool
uri_char(int c)
{
	return txt_is_alpha(c) || txt_is_digit(c) ||
	       (c != 0 && strchr("-._~:/?#[]@$&'()*+;=%", c) != NULL);
}

/* LDH labels, 1-63 each, 253 in all, no trailing dot. */
static bool
hostname_ok(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > 253 || s[n - 1] == '.' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(txt_is_alpha(c) || txt_is_digit(c) || c == '-') ||
		    (label == 0 && c == '-') || ++label > 63)
			return false;
	}
	return s[n - 1] != '-';
}

/* RFC 5321 4.1.2 atext: ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~" */
static bool
atext(int c)
{
	return txt_is_alpha(c) || txt_is_digit(c) ||
	       (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

bool
tlsrpt_local_part_ok(const char *s, size_t n)
{
	size_t atom = 0;

	if (n == 0 || n > 64)
		return false;
	if (s[0] == '"') {
		/* Quoted-string = DQUOTE *QcontentSMTP DQUOTE */
		if (n < 2 || s[n - 1] != '"')
			return false;
		for (size_t i = 1; i < n - 1; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '\\') {
				/* quoted-pairSMTP = %d92 %d32-126 */
				if (++i == n - 1 || s[i] < 32 || s[i] > 126)
					return false;
			} else if (c < 32 || c > 126 || c == '"') {
				return false;
			}
		}
		return true;
	}
	/* Dot-string = Atom *("." Atom) */
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (atom == 0)
				return false;
			atom = 0;
		} else if (atext((unsigned char)s[i])) {
			atom++;
		} else {
			return false;
		}
	}
	return atom > 0;
}

/* mailto:addr[?query]: one addr-spec, its domain a host name. */
static void
take_mailto(struct tlsrpt_uri *u, const char *rest, size_t n)
{
	size_t k = 0, end = 0, i;
	const char *at;

	while (end < n && rest[end] != '?')
		end++;
	for (i = 0; i < end && k + 1 < sizeof(u->addr); i++) {
		int c = (unsigned char)rest[i];

		if (c == '%' && i + 2 < end && util_hexval(rest[i + 1]) >= 0 &&
		    util_hexval(rest[i + 2]) >= 0) {
			c = util_hexval(rest[i + 1]) * 16 + util_hexval(rest[i + 2]);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f) {
			setwhy(u->why, "RFC 6068: a NUL or control character "
				       "in the address");
			return;
		}
		u->addr[k++] = (char)c;
	}
	u->addr[k] = '\0';
	if (i < end) {
		setwhy(u->why, "RFC 6068: the address is longer than %zu bytes",
		       sizeof(u->addr) - 1);
		return;
	}
	/* RPT-30: an RFC 5321 Mailbox, the domain after the last '@' (a
	 * Quoted-string local part may hold one) */
	at = strrchr(u->addr, '@');
	if (at == NULL ||
	    !tlsrpt_local_part_ok(u->addr, (size_t)(at - u->addr))) {
		setwhy(u->why,
		       "RFC 5321 4.1.2 (RPT-30): '%.60s' is not one address "
		       "local@domain (a Dot-string or Quoted-string local "
		       "part, 64 octets at most): it cannot receive",
		       u->addr);
		return;
	}
	util_strlcpy(u->host, at + 1, sizeof(u->host));
	if (!hostname_ok(u->host)) {
		setwhy(u->why, "RFC 6068: '%.60s' is not a mail domain",
		       u->host);
		return;
	}
	u->ok = true;
}

/* https://[userinfo@]host[:port][/path]: the host and the port. */
static void
take_https(struct tlsrpt_uri *u, const char *rest, size_t n)
{
	size_t a = 0, end, hs, he;
	long long port = 443;
	struct in6_addr a6;

	if (n < 2 || rest[0] != '/' || rest[1] != '/') {
		setwhy(u->why, "RFC 3986: no //host after https:");
		return;
	}
	a = 2;
	end = a;
	while (end < n && rest[end] != '/' && rest[end] != '?' &&
	       rest[end] != '#')
		end++;
	for (size_t i = a; i < end; i++)
		if (rest[i] == '@')
			a = i + 1; /* userinfo dropped */
	hs = a;
	if (hs < end && rest[hs] == '[') {
		he = hs;
		while (he < end && rest[he] != ']')
			he++;
		if (he == end) {
			setwhy(u->why, "RFC 3986: an unclosed '[' in the host");
			return;
		}
		hs++;
	} else {
		he = hs;
		while (he < end && rest[he] != ':')
			he++;
	}
	if (he - hs == 0 || he - hs >= sizeof(u->host)) {
		setwhy(u->why, "RFC 3986: no host");
		return;
	}
	memcpy(u->host, rest + hs, he - hs);
	u->host[he - hs] = '\0';
	if (he < end && rest[he] == ']')
		he++;
	if (he < end && rest[he] == ':') {
		char num[8];
		size_t pl = end - he - 1;

		if (pl == 0 || pl >= sizeof(num)) {
			setwhy(u->why, "RFC 3986: bad port");
			return;
		}
		memcpy(num, rest + he + 1, pl);
		num[pl] = '\0';
		if (util_parse_ll(num, 1, 65535, &port, NULL) < 0) {
			setwhy(u->why, "RFC 3986: bad port '%s'", num);
			return;
		}
	} else if (he != end) {
		setwhy(u->why, "RFC 3986: bad authority");
		return;
	}
	u->port = (unsigned)port;
	if (rest[a] == '[' ? inet_pton(AF_INET6, u->host, &a6) != 1
			   : !hostname_ok(u->host)) {
		setwhy(u->why, "RFC 3986: '%.60s' is not a host name", u->host);
		return;
	}
	u->ok = true;
}

/* One URI of the rua list; returns false when the record is invalid. */
static bool
take_uri(struct tlsrpt_record *r, const char *s, size_t n)
{
	struct tlsrpt_uri *u;
	size_t colon = 0;

	if (n == 0) {
		util_strlcpy(
		    r->why, "RFC 8460 3 (RPT-03): an empty URI in the rua list",
		    sizeof(r->why));
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '!') {
setwhy(r->why,
			       "RFC 8460 3 (RPT-05): an unencoded '!' in "
			       "'%.*s' (write %%21)",
			       (int)(n > 60 ? 60 : n), s);
			return false;
		}
		if (!uri_char((unsigned char)s[i]) ||
		    (s[i] == '%' && (i + 2 >= n || util_hexval(s[i + 1]) < 0 ||
				     util_hexval(s[i + 2]) < 0))) {
			setwhy(r->why,
			       "RFC 3986: byte 0x%02x at offset %zu of a rua "
			       "URI is not allowed there",
			       (unsigned char)s[i], i);
			return false;
		}
	}
	while (colon < n && s[colon] != ':')
		colon++;
	if (colon == n || colon == 0 || !txt_is_alpha(s[0])) {
		util_strlcpy(r->why,
			     "RFC 8460 3 (RPT-03): a rua entry is not a URI "
			     "(scheme:...)",
			     sizeof(r->why));
		return false;
	}
	for (size_t i = 1; i < colon; i++)
		if (!txt_is_alpha(s[i]) && !txt_is_digit(s[i]) &&
		    strchr("+-.", s[i]) == NULL) {
			util_strlcpy(r->why,
				     "RFC 3986: a bad URI scheme in rua",
				     sizeof(r->why));
			return false;
		}
	if (r->nrua == TLSRPT_RUA_MAX) {
		r->rua_capped = true;
		return true;
	}
	u = &r->rua[r->nrua++];
	memset(u, 0, sizeof(*u));
	snprintf(u->uri, sizeof(u->uri), "%.*s", (int)n, s);
	snprintf(u->scheme_name, sizeof(u->scheme_name), "%.*s",
		 (int)(colon < 15 ? colon : 15), s);
	if (colon == 6 && util_strncasecmp(s, "mailto", 6) == 0) {
		u->scheme = TLSRPT_MAILTO;
		take_mailto(u, s + 7, n - 7);
	} else if (colon == 5 && util_strncasecmp(s, "https", 5) == 0) {
		u->scheme = TLSRPT_HTTPS;
		take_https(u, s + 6, n - 6);
	} else {
		u->scheme = TLSRPT_OTHER;
		setwhy(u->why,
		       "RFC 8460 3 (RPT-04): reports go to mailto: and "
		       "https: only, not %s:",
		       u->scheme_name);
	}
	return true;
}

/* rua = URI *(*WSP "," *WSP URI), up to the next ';'. */
static bool
take_rua(struct tlsrpt_record *r, const char *v, size_t n)
{
	size_t i = 0;

	while (n > 0 && txt_is_wsp(v[n - 1]))
		n--;
	if (n == 0) {
		util_strlcpy(r->why, "RFC 8460 3 (RPT-03): rua= is empty",
			     sizeof(r->why));
		return false;
	}
	for (;;) {
		size_t s = i, e;

		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && txt_is_wsp(v[e - 1]))
			e--;
		while (s < e && txt_is_wsp(v[s]))
			s++;
		if (!take_uri(r, v + s, e - s))
			return false;
		if (i == n)
			return true;
		i++;
	}
}

enum tlsrpt_verdict
tlsrpt_parse(const char *rec, size_t len, struct tlsrpt_record *out)
{
	size_t i;
	bool have_rua = false;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < len; i++)
		if ((unsigned char)rec[i] >= 0x80 || rec[i] == '\0') {
			setwhy(out->why,
			       "RFC 8460 3: byte 0x%02x at offset %zu is not "
			       "US-ASCII text",
			       (unsigned char)rec[i], i);
			return TLSRPT_INVALID;
		}
	if (len < 10 || memcmp(rec, "v=TLSRPTv1", 10) != 0) {
		util_strlcpy(out->why,
			     "RFC 8460 3 (RPT-02): the record must begin with "
			     "v=TLSRPTv1 (case-sensitive)",
			     sizeof(out->why));
		return TLSRPT_INVALID;
	}
	i = 10;
	if (i < len && rec[i] != ';')
		note(out, "RFC 8460 3 (RPT-07): space before the first ';': "
			  "valid ABNF, but reporters that look for the literal "
			  "'v=TLSRPTv1;' ignore the record");
	for (;;) {
		size_t name, nlen, val, before = i;

		while (i < len && txt_is_wsp(rec[i]))
			i++;
		if (i == len) {
			if (i > before && before > 10)
				note(out, "RFC 8460 3: trailing blanks without "
					  "a ';' (not in the ABNF)");
			break;
		}
		if (rec[i] != ';') {
			setwhy(out->why,
			       "RFC 8460 3: expected ';' at offset %zu", i);
			return TLSRPT_INVALID;
		}
		i++;
		while (i < len && txt_is_wsp(rec[i]))
			i++;
		if (i == len)
			break;
		name = i;
		while (i < len && rec[i] != '=' && rec[i] != ';' &&
		       !txt_is_wsp(rec[i]))
			i++;
		nlen = i - name;
		if (i == len || rec[i] != '=' ||
		    !txt_ext_name_ok(rec + name, nlen)) {
			setwhy(out->why,
			       "RFC 8460 3 (RPT-06): malformed field '%.*s'",
			       (int)(nlen > 40 ? 40 : nlen), rec + name);
			return TLSRPT_INVALID;
		}
		val = ++i;
		if (nlen == 3 && memcmp(rec + name, "rua", 3) == 0) {
			while (i < len && rec[i] != ';')
				i++;
			if (have_rua) {
				note(out, "RFC 8460 3: rua repeated; the first "
					  "one counts");
				continue;
			}
			have_rua = true;
			if (!take_rua(out, rec + val, i - val))
				return TLSRPT_INVALID;
			if (i == len && i > val && txt_is_wsp(rec[i - 1]))
				note(out, "RFC 8460 3: trailing blanks without "
					  "a ';' (not in the ABNF)");
			continue;
		}
		while (i < len && txt_ext_value_char(rec[i]))
			i++;
		if (i == val ||
		    (i < len && rec[i] != ';' && !txt_is_wsp(rec[i]))) {
			setwhy(out->why,
			       "RFC 8460 3 (RPT-06): malformed value of "
			       "extension '%.*s'",
			       (int)(nlen > 40 ? 40 : nlen), rec + name);
			return TLSRPT_INVALID;
		}
		out->nextensions++;
	}
	if (!have_rua) {
		util_strlcpy(out->why, "RFC 8460 3 (RPT-03): no rua= field",
			     sizeof(out->why));
		return TLSRPT_INVALID;
	}
	if (out->rua_capped)
		note(out, "more than %d rua URIs; only the first %d kept",
		     TLSRPT_RUA_MAX, TLSRPT_RUA_MAX);
	return out->nnotes ? TLSRPT_WARN : TLSRPT_VALID;
}
