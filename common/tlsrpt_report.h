/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tlsrpt_report.h: one TLSRPT aggregate report, the JSON object of RFC 8460
 * section 4.4, parsed into a struct (CONFORMANCE RPTR-02, RPTR-03, RPTR-06,
 * RPTR-07).
 *
 * rpt_parse() is pure: bytes in, a struct and a reason out; no I/O, no
 * globals, no exit. The JSON is read with jansson, strictly: duplicate
 * keys refuse the report (JSON_REJECT_DUPLICATES), nesting deeper than
 * RPT_DEPTH_MAX is refused before jansson sees it, input over
 * RPT_BYTES_MAX is refused, and the counts of policies and failure
 * details are bounded. A UTF-8 byte order mark before the object is
 * skipped (with a note).
 *
 * What makes a report invalid (why says which, citing the rule):
 * not one JSON object; organization-name, report-id missing, empty or not
 * a string; date-range or its start-datetime / end-datetime missing, not
 * RFC 3339, or ending before it starts; policies missing or not an array;
 * a policy without a policy object, a policy-type other than sts, tlsa or
 * no-policy-found, an sts or tlsa policy without policy-domain; a summary
 * missing either count; a count that is not a JSON integer from 0 to
 * RPT_COUNT_MAX (a string "5", 1.5, -1); failure-details not an array, an
 * entry that is not an object, or one without result-type or
 * failed-session-count.
 *
 * What real senders send and is taken (a note each where it says
 * something):
 * date-times without a time zone (Microsoft) are UTC; fractions of a
 * second are dropped; contact-info null or absent; policies [] (a report
 * of no sessions); policy-string as an array of lines, one string
 * (Microsoft's JSON-encoded tlsa array) or null; mx-host as a string, an
 * array or absent, and the draft name mx-host-pattern; failure details
 * with only result-type and failed-session-count (Microsoft), with the
 * draft names additional-info-uri and failure-error-code; no-policy-found
 * without policy-domain (Postfix with tlsrpt-reporter 0.5), kept with an
 * empty domain; a failure total that differs from the sum of the details
 * (Mail.ru): the summary counts, the difference is a note and
 * details_mismatch is set; a result type outside the RFC 8460 4.3
 * registry (counted under its own name; rpt_result_registered()).
 *
 * Strings kept are cut to their arrays' size (a note when cut); they are
 * the sender's bytes, not sanitised: print them through output.h.
 * rpt_free() frees what rpt_parse() allocated, on either outcome, and may
 * be called again.
 */
#ifndef MAILTLS_TLSRPT_REPORT_H
#define MAILTLS_TLSRPT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define RPT_BYTES_MAX (10u * 1024 * 1024) /* RPTR-07: 10 MiB of JSON */
#define RPT_DEPTH_MAX 16		  /* a report nests 5 deep */
#define RPT_POLICIES_MAX 1000
#define RPT_DETAILS_MAX 10000 /* per policy */
#define RPT_COUNT_MAX 1000000000000LL /* 10^12 sessions in one count */
#define RPT_NOTES_MAX 8
#define RPT_NOTE_LEN 160

enum rpt_status {
	RPT_OK,
	RPT_INVALID,
};

enum rpt_ptype {
	RPT_STS,
	RPT_TLSA,
	RPT_NOPOLICY,
	RPT_PTYPES, /* how many */
};

struct rpt_detail {
	char result_type[64];
	char mx[256]; /* receiving-mx-hostname, "" when not given */
	uint64_t count;
};

struct rpt_policy {
	enum rpt_ptype type;
	char domain[256]; /* policy-domain: lower case, no final dot;
			     "" for a no-policy-found without one */
	uint64_t ok, failed;  /* the summary */
	uint64_t details_sum; /* sum of the failure details' counts */
	bool details_mismatch; /* details_sum != failed (RPTR-03) */
	struct rpt_detail *d;
	size_t nd;
};

struct rpt_report {
	char org[128]; /* organization-name */
	char id[256];  /* report-id */
	time_t start, end;
	struct rpt_policy *p;
	size_t np;
	uint64_t digest; /* of the content that counts: the same report
			    delivered twice has the same digest */
	char notes[RPT_NOTES_MAX][RPT_NOTE_LEN];
	size_t nnotes;
	char why[200]; /* RPT_INVALID: why, citing the rule */
};

/* Parses len bytes (not NUL-terminated). On RPT_INVALID, why is set and
 * the struct holds what was read before; call rpt_free() either way. */
enum rpt_status rpt_parse(const char *bytes, size_t len, struct rpt_report *r);
void rpt_free(struct rpt_report *r);

/* "sts", "tlsa", "no-policy-found". */
const char *rpt_ptype_name(enum rpt_ptype t);
/* Is s one of the result types of RFC 8460 4.3 and its registry? */
bool rpt_result_registered(const char *s);

/*
 * An RFC 3339 date-time ("2016-04-01T00:00:00Z", "...T23:59:59.5+02:00",
 * 't' and 'z' in either case, a space for 'T') into *out (UTC). Without
 * a zone (Microsoft) it is taken as UTC and *no_zone set. Returns 0, or -1
 * for anything else (a date that does not exist, "24:00:00", junk after).
 */
int rpt_time_parse(const char *s, time_t *out, bool *no_zone);

#endif
