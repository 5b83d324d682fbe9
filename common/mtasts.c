/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mtasts.c: the MTA-STS TXT record (RFC 8461 3.1) and policy (3.2)
 * parsed to their ABNF, and mx patterns matched (4.1). The rules and their
 * test cases are CONFORMANCE STS-03..STS-11, STB-01..STB-12 and MXM-01;
 * every "why" and note names the one it applies.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtasts.h"
#include "txtrec.h"
#include "util.h"

static void
note(struct mtasts_notes *n, const char *fmt, ...) UTIL_PRINTF(2, 3);

static void
note(struct mtasts_notes *n, const char *fmt, ...)
{
	va_list ap;

	if (n->n == MTASTS_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(n->text[n->n++], MTASTS_NOTE_LEN, fmt, ap);
	va_end(ap);
}

bool
mtasts_txt_is_sts(const char *rec, size_t len)
{
	return len >= 8 && memcmp(rec, "v=STSv1;", 8) == 0;
}

bool
mtasts_txt_is_sts_wsp(const char *rec, size_t len)
{
	return txt_tag_wsp_delim(rec, len, "v=STSv1", 7);
}

enum mtasts_verdict
mtasts_txt_parse(const char *rec, size_t len, struct mtasts_txt *out)
{
	size_t i, fields = 0;
	bool have_id = false;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < len; i++)
		if ((unsigned char)rec[i] >= 0x80 || rec[i] == '\0') {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.1 (STS-11): byte 0x%02x at offset "
				 "%zu is not US-ASCII text",
				 (unsigned char)rec[i], i);
			return MTASTS_INVALID;
		}
	if (len < 7 || memcmp(rec, "v=STSv1", 7) != 0) {
		util_strlcpy(out->why,
			     "RFC 8461 3.1 (STS-05): the record must begin with "
			     "v=STSv1 (case-sensitive)",
			     sizeof(out->why));
		return MTASTS_INVALID;
	}
	i = 7;
	if (i < len && rec[i] != ';')
		note(&out->notes,
		     "RFC 8461 3.1 (STS-08): space before the first ';': valid "
		     "ABNF, but senders that look for the literal 'v=STSv1;' "
		     "ignore the record");
	for (;;) {
		size_t name, nlen, val, vlen;

		size_t before = i;

		/* sts-field-delim = *WSP ";" *WSP */
		while (i < len && txt_is_wsp(rec[i]))
			i++;
		if (i == len) {
			if (i > before)
				note(&out->notes,
				     "RFC 8461 3.1 (STS-07): trailing blanks "
				     "without a ';' (not in the ABNF)");
			break;
		}
		if (rec[i] != ';') {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.1 (STS-07): expected ';' at offset "
				 "%zu",
				 i);
			return MTASTS_INVALID;
		}
		i++;
		while (i < len && txt_is_wsp(rec[i]))
			i++;
		if (i == len)
			break; /* a trailing delimiter is allowed */
		name = i;
		while (i < len && rec[i] != '=' && rec[i] != ';' &&
		       !txt_is_wsp(rec[i]))
			i++;
		nlen = i - name;
		if (i == len || rec[i] != '=' || !txt_ext_name_ok(rec + name, nlen)) {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.1 (STS-09): malformed field '%.*s'",
				 (int)(nlen > 40 ? 40 : nlen), rec + name);
			return MTASTS_INVALID;
		}
		val = ++i;
		while (i < len && txt_ext_value_char(rec[i]))
			i++;
		vlen = i - val;
		if (vlen == 0 || (i < len && rec[i] != ';' && !txt_is_wsp(rec[i]))) {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.1 (STS-09): malformed value of "
				 "'%.*s'",
				 (int)(nlen > 40 ? 40 : nlen), rec + name);
			return MTASTS_INVALID;
		}
		fields++;
		if (nlen == 2 && memcmp(rec + name, "id", 2) == 0) {
			if (have_id)
				continue; /* STS-10: the first one counts */
			bool alnum = true;

			for (size_t k = 0; k < vlen; k++)
				alnum &= txt_is_alpha(rec[val + k]) ||
					 txt_is_digit(rec[val + k]);
			if (!alnum || vlen > 32) {
				util_strlcpy(out->why,
					     "RFC 8461 3.1 (STS-06): id must be "
					     "1 to 32 letters and digits",
					     sizeof(out->why));
				return MTASTS_INVALID;
			}
			memcpy(out->id, rec + val, vlen);
			out->id[vlen] = '\0';
			have_id = true;
		} else
			out->nextensions++;
	}
	if (fields == 0) {
		util_strlcpy(out->why,
			     "RFC 8461 3.1 (STS-07): no field after the version",
			     sizeof(out->why));
		return MTASTS_INVALID;
	}
	if (!have_id) {
		util_strlcpy(out->why, "RFC 8461 3.1 (STS-06): no id field",
			     sizeof(out->why));
		return MTASTS_INVALID;
	}
	return out->notes.n ? MTASTS_WARN : MTASTS_VALID;
}

const char *
mtasts_mode_name(enum mtasts_mode m)
{
	switch (m) {
	case MTASTS_MODE_NONE:
		return "none";
	case MTASTS_MODE_TESTING:
		return "testing";
	case MTASTS_MODE_ENFORCE:
		return "enforce";
	default:
		return "unset";
	}
}

/*
 * sts-policy-mx-value = ["*."] Domain (RFC 8461 3.2; RFC 5321 4.1.2:
 * letter-digit-hyphen labels, A-labels for IDNs, no trailing dot).
 */
static bool
mx_pattern_ok(const char *s, size_t n)
{
	size_t label = 0;

	if (n >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		n -= 2;
	}
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!txt_is_alpha(s[i]) && !txt_is_digit(s[i]) &&
		    !(s[i] == '-' && label > 0))
			return false;
		label++;
	}
	return true;
}

/* Handles one "key: value" line; false with out->why on a fatal error. */
/* Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
static bool
utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], need, min, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			min = 0x80;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			min = 0x800;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			min = 0x10000;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i - 1 < need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static bool
policy_line(const char *l, size_t n, size_t lineno, unsigned *seen,
	    struct mtasts_policy *out)
{
	static const char *const keys[] = {"version", "mode", "max_age", "mx"};
	const char *colon = memchr(l, ':', n);
	size_t klen, vlen;
	const char *v;
	int key = -1;

	if (colon == NULL || !txt_ext_name_ok(l, (size_t)(colon - l))) {
		snprintf(out->why, sizeof(out->why),
			 "RFC 8461 3.2 (STB-09): line %zu is not 'key: value' "
			 "(no space before the colon or at the line start)",
			 lineno);
		return false;
	}
	klen = (size_t)(colon - l);
	v = colon + 1;
	vlen = n - klen - 1;
	while (vlen > 0 && txt_is_wsp(*v)) {
		v++;
		vlen--;
	}
	while (vlen > 0 && txt_is_wsp(v[vlen - 1]))
		vlen--;
	for (int k = 0; k < 4; k++)
		if (klen == strlen(keys[k]) && memcmp(l, keys[k], klen) == 0)
			key = k;
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];

		/* STB-12: UTF-8 only in extension values */
		if ((c < 0x20 && c != '\t') || c == 0x7f ||
		    (c >= 0x80 && key >= 0)) {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.2 (STB-12): byte 0x%02x in the "
				 "value on line %zu",
				 c, lineno);
			return false;
		}
	}
	if (key < 0) {
		if (vlen == 0) {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.2: extension '%.*s' on line %zu "
				 "has no value",
				 (int)klen, l, lineno);
			return false;
		}
		/* sts-policy-ext-value: UTF-8, inner blanks only %x20. Not
		 * fatal (the extension is ignored), but noted. */
		if (memchr(v, '\t', vlen) != NULL)
			note(&out->notes,
			     "RFC 8461 3.2 (STB-12): a TAB inside the value of "
			     "extension '%.*s' on line %zu (only spaces are "
			     "allowed)",
			     (int)(klen > 40 ? 40 : klen), l, lineno);
		if (!utf8_ok(v, vlen))
			note(&out->notes,
			     "RFC 8461 3.2 (STB-12): the value of extension "
			     "'%.*s' on line %zu is not UTF-8",
			     (int)(klen > 40 ? 40 : klen), l, lineno);
		return true; /* STB-11: unknown keys are ignored */
	}
	if (key != 3 && (*seen & (1u << key))) {
		note(&out->notes,
		     "RFC 8461 3.2 (STB-11): '%s' repeated on line %zu; the "
		     "first one counts",
		     keys[key], lineno);
		return true;
	}
	*seen |= 1u << key;
	switch (key) {
	case 0:
		if (vlen != 5 || memcmp(v, "STSv1", 5) != 0) {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.2 (STB-01): version must be STSv1, "
				 "not '%.*s'",
				 (int)(vlen > 20 ? 20 : vlen), v);
			return false;
		}
		return true;
	case 1:
		if (vlen == 7 && memcmp(v, "enforce", 7) == 0)
			out->mode = MTASTS_MODE_ENFORCE;
		else if (vlen == 7 && memcmp(v, "testing", 7) == 0)
			out->mode = MTASTS_MODE_TESTING;
		else if (vlen == 4 && memcmp(v, "none", 4) == 0)
			out->mode = MTASTS_MODE_NONE;
		else {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.2 (STB-03): mode must be enforce, "
				 "testing or none (case-sensitive), not '%.*s'",
				 (int)(vlen > 20 ? 20 : vlen), v);
			return false;
		}
		return true;
	case 2:
		out->max_age = 0;
		bool digits = true;

		for (size_t i = 0; i < vlen; i++)
			digits &= txt_is_digit(v[i]);
		if (!digits || vlen == 0 || vlen > 10) {
			util_strlcpy(out->why,
				     "RFC 8461 3.2 (STB-05): max_age must be 1 to "
				     "10 digits",
				     sizeof(out->why));
			return false;
		}
		for (size_t i = 0; i < vlen; i++)
			out->max_age = out->max_age * 10 + (v[i] - '0');
		if (out->max_age > MTASTS_MAX_AGE_MAX) {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.2 (STB-05): max_age %lld exceeds "
				 "%lld",
				 out->max_age, MTASTS_MAX_AGE_MAX);
			return false;
		}
		return true;
	default:
		if (!mx_pattern_ok(v, vlen)) {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.2 (STB-06): '%.*s' on line %zu is "
				 "not ['*.'] and a host name (one per line, "
				 "A-labels, no trailing dot)",
				 (int)(vlen > 60 ? 60 : vlen), v, lineno);
			return false;
		}
		if (out->nmx == MTASTS_MX_MAX) {
			out->mx_capped = true;
			return true;
		}
		memcpy(out->mx[out->nmx], v, vlen);
		out->mx[out->nmx++][vlen] = '\0';
		return true;
	}
}

enum mtasts_verdict
mtasts_policy_parse(const char *body, size_t len, struct mtasts_policy *out)
{
	size_t pos = 0, lineno = 0;
	unsigned seen = 0;
	bool blank_noted = false;

	memset(out, 0, sizeof(*out));
	out->max_age = -1;
	while (pos < len) {
		const char *l = body + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;

		pos += n + (nl != NULL);
		lineno++;
		if (nl != NULL && n > 0 && l[n - 1] == '\r')
			n--; /* CRLF (STB-10); a CR without LF stays bare */
		if (memchr(l, '\r', n) != NULL || memchr(l, '\0', n) != NULL) {
			snprintf(out->why, sizeof(out->why),
				 "RFC 8461 3.2 (STB-10): a bare CR or a NUL on "
				 "line %zu",
				 lineno);
			return MTASTS_INVALID;
		}
		if (n == 0) {
			if (!blank_noted)
				note(&out->notes,
				     "RFC 8461 3.2 (STB-10): blank line %zu is "
				     "not in the ABNF",
				     lineno);
			blank_noted = true;
			continue;
		}
		if (!policy_line(l, n, lineno, &seen, out))
			return MTASTS_INVALID;
	}
	if (!(seen & 1u)) {
		util_strlcpy(out->why,
			     "RFC 8461 3.2 (STB-01): no 'version: STSv1'",
			     sizeof(out->why));
		return MTASTS_INVALID;
	}
	if (out->mode == MTASTS_MODE_UNSET) {
		util_strlcpy(out->why, "RFC 8461 3.2 (STB-01): no 'mode'",
			     sizeof(out->why));
		return MTASTS_INVALID;
	}
	if (out->max_age < 0) {
		util_strlcpy(out->why, "RFC 8461 3.2 (STB-01): no 'max_age'",
			     sizeof(out->why));
		return MTASTS_INVALID;
	}
	if (out->nmx == 0 && out->mode != MTASTS_MODE_NONE) {
		snprintf(out->why, sizeof(out->why),
			 "RFC 8461 3.2 (STB-01): no 'mx' in %s mode",
			 mtasts_mode_name(out->mode));
		return MTASTS_INVALID;
	}
	return out->notes.n ? MTASTS_WARN : MTASTS_VALID;
}

/*
 * Not names_match_dnsid() (tls.c): RFC 8461 4.1 lets "*.com" match
 * "example.com", where RFC 9525 refuses a wildcard over a public suffix.
 * Labels, not bytes (issue 13 item 14): the host comes in presentation
 * form, where "mx\.a" is one label holding a dot, and "*." stands for
 * exactly one label.
 */
bool
mtasts_mx_match(const char *pattern, const char *host)
{
	return util_name_wildcard(pattern, host, 2, false);
}

void
mtasts_policy_canonical(const struct mtasts_policy *p, struct buf *out)
{
	buf_printf(out, "version: STSv1\nmode: %s\n",
		   mtasts_mode_name(p->mode));
	for (size_t i = 0; i < p->nmx; i++) {
		buf_puts(out, "mx: ");
		for (const char *c = p->mx[i]; *c != '\0'; c++)
			buf_putc(out, (*c >= 'A' && *c <= 'Z')
					  ? (char)(*c - 'A' + 'a')
					  : *c);
		buf_putc(out, '\n');
	}
	buf_printf(out, "max_age: %lld\n", p->max_age);
}

/* "key VALUE" where VALUE is n bytes from the set, 1 to max long. */
static bool
state_value(const char *line, const char *key, const char *set, size_t max,
	    char *out)
{
	size_t kl = strlen(key), n = strlen(line);

	if (n <= kl + 1 || n - kl - 1 > max ||
	    strspn(line + kl + 1, set) != n - kl - 1)
		return false;
	memcpy(out, line + kl + 1, n - kl);
	return true;
}

int
mtasts_state_parse(const char *text, size_t len, struct mtasts_state *st)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static const char hexd[] = "0123456789abcdef";
	static const char dname[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
	bool id = false, sha = false, psha = false, dom = false;
	size_t pos = 0;

	memset(st, 0, sizeof(*st));
	st->format = 1;
	while (pos < len) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		char line[512];
		long long v;

		pos += n + (nl != NULL);
		if (n >= sizeof(line) || memchr(l, '\0', n) != NULL)
			return -1;
		memcpy(line, l, n);
		line[n] = '\0';
		if (strncmp(line, "format ", 7) == 0) {
			if (strcmp(line + 7, "2") != 0)
				return -1; /* a format we do not know */
			st->format = 2;
		} else if (strncmp(line, "domain ", 7) == 0) {
			if (!state_value(line, "domain", dname, 253,
					 st->domain))
				return -1;
			dom = true;
		} else if (strncmp(line, "id ", 3) == 0) {
			if (!state_value(line, "id", alnum, 32, st->id))
				return -1;
			id = true;
		} else if (strncmp(line, "sha256 ", 7) == 0) {
			if (n != 71 || !state_value(line, "sha256", hexd, 64,
						    st->sha256))
				return -1;
			sha = true;
		} else if (strncmp(line, "policy-sha256 ", 14) == 0) {
			if (n != 78 || !state_value(line, "policy-sha256", hexd,
						    64, st->sha256))
				return -1;
			psha = true;
		} else if (strncmp(line, "since ", 6) == 0 &&
			   util_parse_ll(line + 6, 0, 1LL << 40, &v, NULL) == 0) {
			st->since = v;
		}
	}
	if (st->format == 2)
		return id && psha && dom ? 0 : -1;
	return id && sha ? 0 : -1;
}
