/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * range.c: Nagios threshold ranges (monitoring-plugins developer
 * guidelines "Threshold and ranges", Icinga "Threshold Ranges";
 * CONFORMANCE OUT-06, OUT-07; INTERFACE.md "-w, -c").
 *
 * Grammar: ["@"] ( NUM | START ":" [END] ), START is NUM or "~", END is
 * NUM; NUM is a plain decimal (util_parse_double: no exponent, no spaces).
 * A bare "N" means "0:N", or "N:" with RANGE_LOW_IS_BAD; "@N" always
 * means "@0:N" (alert for 0 <= x <= N). "~:" alone is accepted: no bound
 * (never alerts; "@~:" always alerts). Rejected, with *why: "", "@", ":",
 * an empty start (":10", write "~:10"), "10:~", junk, a start greater
 * than its end, and input of 64 bytes or more. Endpoints are inclusive;
 * range_state() tries critical before warning (OUT-07).
 */
#include <stdio.h>
#include <string.h>

#include "range.h"
#include "util.h"

static int
parse_num(const char *s, double *out)
{
	return util_parse_double(s, -1e300, 1e300, out, NULL);
}

int
range_parse(const char *s, int flags, struct range *r, const char **why)
{
	char tmp[sizeof(r->text)];
	const char *msg;
	char *p, *colon;
	size_t len;

	memset(r, 0, sizeof(*r));
	if (s == NULL || *s == '\0') {
		msg = "empty range";
		goto fail;
	}
	len = strnlen(s, sizeof(tmp));
	if (len >= sizeof(tmp)) {
		msg = "range too long";
		goto fail;
	}
	memcpy(tmp, s, len + 1);
	p = tmp;
	if (*p == '@') {
		r->inside = true;
		p++;
	}
	if (*p == '\0') {
		msg = "empty range";
		goto fail;
	}
	if ((colon = strchr(p, ':')) == NULL) {
		/* A bare number. */
		if (parse_num(p, &r->end) != 0) {
			msg = "not a number";
			goto fail;
		}
		if ((flags & RANGE_LOW_IS_BAD) && !r->inside) {
			r->start = r->end;
			r->end = 0;
			r->end_inf = true;
		} else {
			r->start = 0;
		}
	} else {
		*colon = '\0';
		if (strcmp(p, "~") == 0) {
			r->start_inf = true;
		} else if (*p == '\0') {
			msg = "empty start (use ~ for no lower bound)";
			goto fail;
		} else if (parse_num(p, &r->start) != 0) {
			msg = "start is not a number";
			goto fail;
		}
		p = colon + 1;
		if (*p == '\0')
			r->end_inf = true;
		else if (parse_num(p, &r->end) != 0) {
			msg = "end is not a number";
			goto fail;
		}
	}
	if (!r->start_inf && !r->end_inf && r->start > r->end) {
		msg = "start greater than end";
		goto fail;
	}
	memcpy(r->text, s, len + 1);
	if (why != NULL)
		*why = NULL;
	return 0;
fail:
	memset(r, 0, sizeof(*r));
	if (why != NULL)
		*why = msg;
	return -1;
}

bool
range_alert(const struct range *r, double x)
{
	bool in =
	    (r->start_inf || x >= r->start) && (r->end_inf || x <= r->end);

	return r->inside ? in : !in;
}

enum mt_state
range_state(const struct range *warn, const struct range *crit, double x)
{
	if (crit != NULL && range_alert(crit, x))
		return MT_CRITICAL;
	if (warn != NULL && range_alert(warn, x))
		return MT_WARNING;
	return MT_OK;
}

/*
 * "0:N" prints as "N" (the same range, the form users write); factor is
 * expected to be positive.
 */
char *
range_format(const struct range *r, double factor, char *dst, size_t dstsz)
{
	char a[48], b[48];

	if (dstsz == 0)
		return dst;
	if (r->start_inf)
		util_strlcpy(a, "~", sizeof(a));
	else
		util_fmt_double(a, sizeof(a), r->start * factor);
	if (r->end_inf)
		b[0] = '\0';
	else
		util_fmt_double(b, sizeof(b), r->end * factor);
	if (!r->start_inf && !r->end_inf && r->start == 0)
		snprintf(dst, dstsz, "%s%s", r->inside ? "@" : "", b);
	else
		snprintf(dst, dstsz, "%s%s:%s", r->inside ? "@" : "", a, b);
	return dst;
}
