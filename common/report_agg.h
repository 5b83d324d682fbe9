/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_agg.h: TLSRPT reports summed per policy domain and policy type
 * over a window of time (CONFORMANCE RPTR-03, RPTR-04, RPTR-05, RPTR-06).
 *
 * ragg_add() takes one parsed report (tlsrpt_report.h) and says what
 * became of it:
 *   RAGG_OUTSIDE  its date-range ends before now - window: ignored
 *                 (RPTR-04, by the end of the range);
 *   RAGG_FUTURE   it ends more than RAGG_FUTURE_SLACK after now: ignored
 *                 (a clock far off; it would stay in every window);
 *   RAGG_OTHER_DOMAIN  with a domain given, no policy of it is for that
 *                 domain (a report with no policies is for none);
 *   RAGG_DUPLICATE the same organization-name and report-id came before
 *                 with the same content (RPTR-03: counted once);
 *   RAGG_CONFLICT the same organization-name and report-id came before
 *                 with other content: the first one read counts, both are
 *                 named (conflict[]);
 *   RAGG_COUNTED  summed: each policy (for the domain, when one is given)
 *                 into the bucket of its domain and type: the summary's
 *                 successful and failed sessions, each failure detail's
 *                 result type and receiving MX host, the organisation.
 * With expect_policy set to RPT_STS or RPT_TLSA, a no-policy-found policy
 * of a domain goes into that domain's bucket of the expected type: all
 * its sessions count as failed, under the result type "no-policy-found"
 * (the senders did not see the policy the domain publishes).
 *
 * Memory: one small entry per report counted (for the duplicates), one
 * bucket per domain and type (at most RAGG_BUCKETS_MAX; past it the
 * reports are counted in dropped_buckets), lists of names of at most
 * RAGG_NAMES_MAX entries each (the rest summed under "(others)"). Names
 * are the senders' bytes: print them through output.h.
 */
#ifndef MAILTLS_REPORT_AGG_H
#define MAILTLS_REPORT_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tlsrpt_report.h"

#define RAGG_FUTURE_SLACK 86400
#define RAGG_BUCKETS_MAX 256
#define RAGG_NAMES_MAX 64
#define RAGG_CONFLICTS_MAX 16

struct ragg_opts {
	time_t now;
	time_t window;	    /* seconds */
	const char *domain; /* lower case, no final dot; NULL: every one */
	int expect_policy;  /* -1, RPT_STS or RPT_TLSA */
};

struct ragg_name {
	char *name;
	uint64_t n;	  /* sessions (failed, for results and MX hosts) */
	uint64_t reports; /* reports that named it */
	uint64_t failed;  /* organisations: failed sessions among n */
};

struct ragg_list {
	struct ragg_name *v;
	size_t n;
	bool overflow; /* "(others)" is the last entry */
};

struct ragg_bucket {
	char domain[256];
	enum rpt_ptype type;
	uint64_t ok, failed;
	size_t reports;
	size_t mismatches; /* reports whose details disagree (RPTR-03) */
	struct ragg_list results, orgs, mx;
	uint64_t npf_moved; /* sessions of no-policy-found counted here */
};

struct ragg_conflict {
	char org[128];
	char id[256];
	char *first, *second; /* paths */
};

struct ragg_dedup {
	uint64_t key; /* hash of org and id; 0 = free slot */
	uint64_t digest;
	char *org, *id, *path;
};

struct ragg {
	struct ragg_opts o;
	struct ragg_bucket *b;
	size_t nb;
	struct ragg_list orgs; /* organisations with a report counted */
	size_t counted, duplicates, conflicts, outside, future, other_domain,
	    dropped_buckets;
	struct ragg_conflict conflict[RAGG_CONFLICTS_MAX];
	size_t nconflict;
	struct ragg_dedup *tab;
	size_t tabsz, tabused;
};

enum ragg_outcome {
	RAGG_COUNTED,
	RAGG_DUPLICATE,
	RAGG_CONFLICT,
	RAGG_OUTSIDE,
	RAGG_FUTURE,
	RAGG_OTHER_DOMAIN,
};

void ragg_init(struct ragg *a, const struct ragg_opts *o);
/* r must have parsed as RPT_OK; path names where it came from. */
enum ragg_outcome ragg_add(struct ragg *a, const struct rpt_report *r,
			   const char *path);
/* Orders buckets by domain and type, and every list by count, highest
 * first ("(others)" stays last). Call once all reports are in. */
void ragg_sort(struct ragg *a);
/* Reports counted from organisation org (ASCII case-insensitive). */
uint64_t ragg_org_reports(const struct ragg *a, const char *org);
void ragg_free(struct ragg *a);

/*
 * --window: a whole number and a unit, "2d", "36h", "90m", "1w", "3600s",
 * from 60 s to 366 days, into *out seconds. Returns 0, or -1 with *why.
 */
int ragg_parse_duration(const char *s, time_t *out, const char **why);
/* "2 days", "36 hours", "90 minutes", "45 seconds": the largest unit up
 * to days that divides d exactly (a week is "7 days"). Returns dst. */
char *ragg_fmt_duration(char *dst, size_t dstsz, time_t d);

#endif
