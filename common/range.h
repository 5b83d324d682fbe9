/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * range.h: Nagios threshold ranges (monitoring-plugins developer guidelines,
 * "Threshold and ranges"; CONFORMANCE OUT-07).
 *
 *   "10"     alert when x < 0 or x > 10
 *   "10:"    alert when x < 10
 *   "~:10"   alert when x > 10
 *   "10:20"  alert when x < 10 or x > 20
 *   "@10:20" alert when 10 <= x <= 20
 *
 * Endpoints are inclusive. A start greater than its end is an error.
 * For measures where less is worse (days of certificate lifetime left,
 * max_age), RANGE_LOW_IS_BAD makes a bare "N" mean "N:" (INTERFACE.md).
 * range_parse() is pure; the struct owns no memory.
 *
 * Also: "~:" is no bound at all (never alerts; "@~:" always does), "@N"
 * is "@0:N" with or without RANGE_LOW_IS_BAD, numbers are plain decimals
 * ("-5:5", "0.5:1.5"; no exponent, no spaces). Errors (*why): "empty
 * range" ("", "@"), "empty start (use ~ for no lower bound)" (":",
 * ":10"), "not a number", "start is not a number", "end is not a number"
 * ("10:x", "10:~"), "start greater than end", "range too long" (64 bytes
 * or more, as text[] must hold it).
 */
#ifndef MAILTLS_RANGE_H
#define MAILTLS_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "output.h"

struct range {
	double start;
	double end;
	bool start_inf; /* "~:" : no lower bound */
	bool end_inf;	/* "N:" : no upper bound */
	bool inside;	/* "@" : alert inside the range */
	char text[64];	/* the range as given, for perfdata */
};

enum range_flags {
	RANGE_DEFAULT = 0,
	RANGE_LOW_IS_BAD = 1, /* a bare "N" means "N:" */
};

/* Returns 0 and fills *r, or -1 with *why naming the problem. */
int range_parse(const char *s, int flags, struct range *r, const char **why);
/* True when x lies where the range raises an alert. */
bool range_alert(const struct range *r, double x);
/*
 * The state of x against optional warning and critical ranges (either may
 * be NULL); critical is evaluated first (OUT-07).
 */
enum mt_state range_state(const struct range *warn, const struct range *crit,
			  double x);
/*
 * Writes the range for perfdata, scaled by factor (days given on the
 * command line, seconds in perfdata): "2419200:" for "28" with
 * RANGE_LOW_IS_BAD and factor 86400. Returns dst.
 * Numbers via util_fmt_double; "0:N" prints as "N"; factor > 0.
 */
char *range_format(const struct range *r, double factor, char *dst,
		   size_t dstsz);

#endif
