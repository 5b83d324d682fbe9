/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tlsrpt_report.c: the TLSRPT aggregate report of RFC 8460 4.4, read
 * strictly with jansson and tolerantly where real senders differ
 * (tlsrpt_report.h; CONFORMANCE RPTR-02, RPTR-03, RPTR-06, RPTR-07).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tlsrpt_report.h"
#include "util.h"

static const char *const registered[] = {
    "starttls-not-supported", "certificate-host-mismatch",
    "certificate-expired",    "certificate-not-trusted",
    "validation-failure",     "tlsa-invalid",
    "dnssec-invalid",	      "dane-required",
    "sts-policy-fetch-error", "sts-policy-invalid",
    "sts-webpki-invalid",     NULL,
};

bool
rpt_result_registered(const char *s)
{
	for (size_t i = 0; registered[i] != NULL; i++)
		if (strcmp(s, registered[i]) == 0)
			return true;
	return false;
}

const char *
rpt_ptype_name(enum rpt_ptype t)
{
	switch (t) {
	case RPT_STS:
		return "sts";
	case RPT_TLSA:
		return "tlsa";
	case RPT_NOPOLICY:
	case RPT_PTYPES:
		break;
	}
	return "no-policy-found";
}

/* ---- RFC 3339 date-times ---- */

static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant). */
static long long
days_from_civil(int y, int m, int d)
{
	long long yy = y - (m <= 2);
	long long era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

int
rpt_time_parse(const char *s, time_t *out, bool *no_zone)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p = s;
	bool leap;

	*no_zone = false;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) ||
	    *p++ != ':' || digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (int n = 0; *p >= '0' && *p <= '9'; p++)
			if (++n > 12)
				return -1;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
	} else if (*p == '\0') {
		*no_zone = true;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	if (sec == 60)
		sec = 59; /* a leap second: the second before will do */
	*out = (time_t)(days_from_civil(y, mo, d) * 86400LL + h * 3600LL +
			mi * 60LL + sec - sign * (oh * 3600LL + om * 60LL));
	return 0;
}

/* ---- helpers ---- */

static void note(struct rpt_report *r, const char *fmt, ...)
    UTIL_PRINTF(2, 3);

static void
note(struct rpt_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nnotes == RPT_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nnotes++], RPT_NOTE_LEN, fmt, ap);
	va_end(ap);
}

static enum rpt_status invalid(struct rpt_report *r, const char *fmt, ...)
    UTIL_PRINTF(2, 3);

static enum rpt_status
invalid(struct rpt_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return RPT_INVALID;
}

/* A string member, copied (cut to dstsz - 1 bytes); 1 when absent or
 * null, -1 when of another type or empty (and not allow_empty). */
static int
get_str(json_t *o, const char *key, char *dst, size_t dstsz, bool allow_empty,
	bool *cut)
{
	json_t *v = json_object_get(o, key);
	size_t n;

	dst[0] = '\0';
	if (cut != NULL)
		*cut = false;
	if (v == NULL || json_is_null(v))
		return 1;
	if (!json_is_string(v))
		return -1;
	n = json_string_length(v);
	if (n == 0 && !allow_empty)
		return -1;
	if (cut != NULL)
		*cut = n >= dstsz;
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, json_string_value(v), n);
	dst[n] = '\0';
	/* a NUL inside (\u0000) ends the string here */
	return 0;
}

/* A count: a JSON integer in [0, RPT_COUNT_MAX]. 1 absent, -1 bad. */
static int
get_count(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	json_int_t i;

	if (v == NULL)
		return 1;
	if (!json_is_integer(v))
		return -1;
	i = json_integer_value(v);
	if (i < 0 || i > RPT_COUNT_MAX)
		return -1;
	*out = (uint64_t)i;
	return 0;
}

static const char *
json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/*
 * RPTR-07: the nesting depth of the JSON text, counted over '[' and '{'
 * outside strings, before jansson (whose own limit is 2048) sees it.
 * Returns false when it goes over max.
 */
static bool
depth_ok(const char *s, size_t n, int max)
{
	int depth = 0;
	bool str = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = false;
		} else if (c == '"') {
			str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return false;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return true;
}

/* FNV-1a 64 over the content that counts (duplicate detection). */
static void
fnv(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ULL;
	}
}

static void
fnv_u64(uint64_t *h, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	fnv(h, b, 8);
}

static uint64_t
digest(const struct rpt_report *r)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	fnv_u64(&h, (uint64_t)r->start);
	fnv_u64(&h, (uint64_t)r->end);
	for (size_t i = 0; i < r->np; i++) {
		const struct rpt_policy *p = &r->p[i];

		fnv_u64(&h, (uint64_t)p->type);
		fnv(&h, p->domain, strlen(p->domain) + 1);
		fnv_u64(&h, p->ok);
		fnv_u64(&h, p->failed);
		for (size_t k = 0; k < p->nd; k++) {
			fnv(&h, p->d[k].result_type,
			    strlen(p->d[k].result_type) + 1);
			fnv(&h, p->d[k].mx, strlen(p->d[k].mx) + 1);
			fnv_u64(&h, p->d[k].count);
		}
	}
	return h;
}

/* ---- the parts of a report ---- */

static enum rpt_status
parse_dates(struct rpt_report *r, json_t *root)
{
	json_t *dr = json_object_get(root, "date-range");
	const char *names[2] = {"start-datetime", "end-datetime"};
	time_t *t[2] = {&r->start, &r->end};
	bool no_zone, any_no_zone = false;

	if (dr == NULL || !json_is_object(dr))
		return invalid(r, "RFC 8460 4.4 (RPTR-02): date-range %s",
			       dr == NULL ? "missing" : "is not an object");
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(dr, names[i]);
		char shown[48];

		if (v == NULL || !json_is_string(v))
			return invalid(r,
				       "RFC 8460 4.4 (RPTR-02): %s %s",
				       names[i],
				       v == NULL ? "missing"
						 : "is not a string");
		if (rpt_time_parse(json_string_value(v), t[i], &no_zone) < 0) {
			util_strlcpy(shown, json_string_value(v),
				     sizeof(shown));
			return invalid(r,
				       "RFC 8460 4.4 (RPTR-02): %s \"%s\" is "
				       "not an RFC 3339 date-time",
				       names[i], shown);
		}
		any_no_zone |= no_zone;
	}
	if (any_no_zone)
		note(r, "date-range without a time zone, taken as UTC");
	if (r->end < r->start)
		return invalid(r, "RFC 8460 4.4 (RPTR-02): the date-range ends "
				  "before it starts");
	return RPT_OK;
}

/* policy-string, mx-host: what senders send, checked for shape only. */
static void
check_strings(struct rpt_report *r, json_t *pol, const char *key)
{
	json_t *v = json_object_get(pol, key), *e;
	size_t i;

	if (v == NULL || json_is_null(v) || json_is_string(v))
		return; /* a string: Microsoft's tlsa policy-string,
			   RFC 8460's own mx-host example */
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) if (!json_is_string(e))
		{
			note(r, "%s holds %s; ignored", key,
			     json_type_name(e));
			return;
		}
		return;
	}
	note(r, "%s is %s, not a string or an array; ignored", key,
	     json_type_name(v));
}

static enum rpt_status
parse_details(struct rpt_report *r, struct rpt_policy *p, json_t *fd,
	      size_t pi)
{
	json_t *e;
	size_t i;
	bool cut;

	if (fd == NULL || json_is_null(fd))
		return RPT_OK;
	if (!json_is_array(fd))
		return invalid(r,
			       "RFC 8460 4.4 (RPTR-02): policy %zu: "
			       "failure-details is %s, not an array",
			       pi + 1, json_type_name(fd));
	if (json_array_size(fd) > RPT_DETAILS_MAX)
		return invalid(r,
			       "RPTR-07: policy %zu: more than %d failure "
			       "details",
			       pi + 1, RPT_DETAILS_MAX);
	p->d = xcalloc(json_array_size(fd) + 1, sizeof(*p->d));
	json_array_foreach(fd, i, e)
	{
		struct rpt_detail *d = &p->d[p->nd];
		int rc;

		if (!json_is_object(e))
			return invalid(r,
				       "RFC 8460 4.4 (RPTR-02): policy %zu: "
				       "failure detail %zu is %s",
				       pi + 1, i + 1, json_type_name(e));
		rc = get_str(e, "result-type", d->result_type,
			     sizeof(d->result_type), false, &cut);
		if (rc != 0)
			return invalid(r,
				       "RFC 8460 4.4 (RPTR-02): policy %zu: "
				       "failure detail %zu: result-type %s",
				       pi + 1, i + 1,
				       rc > 0 ? "missing"
					      : "is not a non-empty string");
		if (cut)
			note(r, "a result-type was cut to %zu bytes",
			     sizeof(d->result_type) - 1);
		rc = get_count(e, "failed-session-count", &d->count);
		if (rc != 0)
			return invalid(r,
				       "RFC 8460 4.4 (RPTR-02, RPTR-03): policy "
				       "%zu: failure detail %zu: "
				       "failed-session-count %s",
				       pi + 1, i + 1,
				       rc > 0 ? "missing"
					      : "is not a JSON integer from 0 "
						"to 10^12");
		/* optional: an MX name to show; other fields are ignored
		 * (sending-mta-ip, receiving-ip, additional-information and
		 * the draft additional-info-uri, failure-reason-code and the
		 * draft failure-error-code) */
		if (get_str(e, "receiving-mx-hostname", d->mx, sizeof(d->mx),
			    true, NULL) < 0)
			d->mx[0] = '\0';
		else {
			size_t n = strlen(d->mx);

			if (n > 0 && d->mx[n - 1] == '.')
				d->mx[n - 1] = '\0';
			for (char *c = d->mx; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
		}
		p->details_sum += d->count;
		p->nd++;
	}
	return RPT_OK;
}

static enum rpt_status
parse_policy(struct rpt_report *r, json_t *item, size_t pi)
{
	struct rpt_policy *p = &r->p[r->np];
	json_t *pol, *sum, *pt;
	const char *t;
	bool cut;
	int rc;

	if (!json_is_object(item))
		return invalid(r, "RFC 8460 4.4 (RPTR-02): policy %zu is %s",
			       pi + 1, json_type_name(item));
	pol = json_object_get(item, "policy");
	if (pol == NULL || !json_is_object(pol))
		return invalid(r,
			       "RFC 8460 4.4 (RPTR-02): policy %zu: the "
			       "policy object is %s",
			       pi + 1,
			       pol == NULL ? "missing" : json_type_name(pol));
	pt = json_object_get(pol, "policy-type");
	t = json_is_string(pt) ? json_string_value(pt) : NULL;
	if (t != NULL && strcmp(t, "sts") == 0)
		p->type = RPT_STS;
	else if (t != NULL && strcmp(t, "tlsa") == 0)
		p->type = RPT_TLSA;
	else if (t != NULL && strcmp(t, "no-policy-found") == 0)
		p->type = RPT_NOPOLICY;
	else {
		char shown[40] = "";

		if (t != NULL)
			util_strlcpy(shown, t, sizeof(shown));
		return invalid(r,
			       "RFC 8460 4.4 (RPTR-02): policy %zu: "
			       "policy-type %s%s%s is not sts, tlsa or "
			       "no-policy-found",
			       pi + 1, t ? "\"" : "",
			       t ? shown : (pt ? json_type_name(pt) : "missing"),
			       t ? "\"" : "");
	}
	rc = get_str(pol, "policy-domain", p->domain, sizeof(p->domain), false,
		     &cut);
	if (rc < 0 || cut)
		return invalid(r,
			       "RFC 8460 4.4 (RPTR-02): policy %zu: "
			       "policy-domain is not a domain name",
			       pi + 1);
	if (rc > 0 && p->type != RPT_NOPOLICY)
		return invalid(r,
			       "RFC 8460 4.4 (RPTR-02): policy %zu: "
			       "policy-domain missing",
			       pi + 1);
	if (rc > 0)
		note(r, "a no-policy-found policy names no policy-domain "
			"(tlsrpt-reporter 0.5)");
	else {
		size_t n = strlen(p->domain);

		if (n > 1 && p->domain[n - 1] == '.')
			p->domain[--n] = '\0';
		for (char *c = p->domain; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	check_strings(r, pol, "policy-string");
	check_strings(r, pol, "mx-host");
	check_strings(r, pol, "mx-host-pattern");

	sum = json_object_get(item, "summary");
	if (sum == NULL || !json_is_object(sum))
		return invalid(r,
			       "RFC 8460 4.4 (RPTR-02): policy %zu: summary %s",
			       pi + 1,
			       sum == NULL ? "missing" : "is not an object");
	if ((rc = get_count(sum, "total-successful-session-count", &p->ok)) !=
	    0)
		return invalid(r,
			       "RFC 8460 4.4 (RPTR-02, RPTR-03): policy %zu: "
			       "total-successful-session-count %s",
			       pi + 1,
			       rc > 0 ? "missing"
				      : "is not a JSON integer from 0 to 10^12");
	if ((rc = get_count(sum, "total-failure-session-count", &p->failed)) !=
	    0)
		return invalid(r,
			       "RFC 8460 4.4 (RPTR-02, RPTR-03): policy %zu: "
			       "total-failure-session-count %s",
			       pi + 1,
			       rc > 0 ? "missing"
				      : "is not a JSON integer from 0 to 10^12");
	r->np++; /* from here p->d belongs to the report */
	if (parse_details(r, p, json_object_get(item, "failure-details"),
			  pi) != RPT_OK)
		return RPT_INVALID;
	if (p->nd > 0 && p->details_sum != p->failed) {
		p->details_mismatch = true;
		note(r,
		     "policy %zu: %llu failed sessions in the summary, %llu in "
		     "the failure details; the summary counts (RPTR-03)",
		     pi + 1, (unsigned long long)p->failed,
		     (unsigned long long)p->details_sum);
	}
	return RPT_OK;
}

enum rpt_status
rpt_parse(const char *bytes, size_t len, struct rpt_report *r)
{
	json_error_t err;
	json_t *root, *pols, *item;
	enum rpt_status st = RPT_INVALID;
	size_t i;
	int rc;
	bool cut;

	memset(r, 0, sizeof(*r));
	if (len > RPT_BYTES_MAX)
		return invalid(r, "RPTR-07: %zu bytes of JSON, over the limit "
				  "of 10 MiB",
			       len);
	if (len >= 3 && memcmp(bytes, "\xef\xbb\xbf", 3) == 0) {
		bytes += 3;
		len -= 3;
		note(r, "a UTF-8 byte order mark before the JSON, skipped");
	}
	if (!depth_ok(bytes, len, RPT_DEPTH_MAX))
		return invalid(r, "RPTR-07: JSON nested deeper than %d levels",
			       RPT_DEPTH_MAX);
	root = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL)
		return invalid(r, "RFC 8460 4.4 (RPTR-02): not JSON: %.80s "
				  "(line %d)",
			       err.text, err.line);
	if (!json_is_object(root)) {
		invalid(r, "RFC 8460 4.4 (RPTR-02): the report is %s, not an "
			   "object",
			json_type_name(root));
		goto out;
	}
	rc = get_str(root, "organization-name", r->org, sizeof(r->org), false,
		     &cut);
	if (rc != 0) {
		invalid(r, "RFC 8460 4.4 (RPTR-02): organization-name %s",
			rc > 0 ? "missing" : "is not a non-empty string");
		goto out;
	}
	if (cut)
		note(r, "organization-name cut to %zu bytes",
		     sizeof(r->org) - 1);
	rc = get_str(root, "report-id", r->id, sizeof(r->id), false, &cut);
	if (rc != 0) {
		invalid(r, "RFC 8460 4.4 (RPTR-02): report-id %s",
			rc > 0 ? "missing" : "is not a non-empty string");
		goto out;
	}
	if (cut)
		note(r, "report-id cut to %zu bytes", sizeof(r->id) - 1);
	if (parse_dates(r, root) != RPT_OK)
		goto out;
	item = json_object_get(root, "contact-info");
	if (item != NULL && !json_is_string(item) && !json_is_null(item))
		note(r, "contact-info is %s; ignored", json_type_name(item));
	pols = json_object_get(root, "policies");
	if (pols == NULL || !json_is_array(pols)) {
		invalid(r, "RFC 8460 4.4 (RPTR-02): policies %s",
			pols == NULL ? "missing" : "is not an array");
		goto out;
	}
	if (json_array_size(pols) > RPT_POLICIES_MAX) {
		invalid(r, "RPTR-07: more than %d policies",
			RPT_POLICIES_MAX);
		goto out;
	}
	if (json_array_size(pols) == 0)
		note(r, "policies is empty: a report of no sessions");
	r->p = xcalloc(json_array_size(pols) + 1, sizeof(*r->p));
	json_array_foreach(pols, i, item) if (parse_policy(r, item, i) !=
					      RPT_OK) goto out;
	r->digest = digest(r);
	st = RPT_OK;
out:
	json_decref(root);
	return st;
}

void
rpt_free(struct rpt_report *r)
{
	if (r->p != NULL)
		for (size_t i = 0; i < r->np; i++)
			free(r->p[i].d);
	free(r->p);
	r->p = NULL;
	r->np = 0;
}
