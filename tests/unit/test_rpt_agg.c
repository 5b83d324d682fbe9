/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_rpt_agg.c: the window, duplicates, conflicts and sums of
 * common/report_agg.c (CONFORMANCE RPTR-03, RPTR-04, RPTR-05), the
 * date-times of common/tlsrpt_report.c, --window's durations, and the
 * OpenMetrics series of common/output.c that check_tlsrpt_reports uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "report_agg.h"
#include "tlsrpt_report.h"
#include "util.h"

#define NOW 1796083200 /* 2026-12-01T00:00:00Z */

/* A report ending `ago` seconds before NOW. */
static void
mk(struct rpt_report *r, const char *org, const char *id, long ago,
   const char *domain, const char *type, unsigned ok, unsigned failed,
   const char *result)
{
	struct buf b;
	char end[32], start[32];

	util_fmt_utc(end, sizeof(end), "%Y-%m-%dT%H:%M:%SZ",
		     (time_t)(NOW - ago));
	util_fmt_utc(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ",
		     (time_t)(NOW - ago - 86400));
	buf_init(&b);
	buf_printf(&b,
		   "{\"organization-name\":\"%s\",\"report-id\":\"%s\","
		   "\"date-range\":{\"start-datetime\":\"%s\","
		   "\"end-datetime\":\"%s\"},\"policies\":[{\"policy\":{"
		   "\"policy-type\":\"%s\",\"policy-domain\":\"%s\"},"
		   "\"summary\":{\"total-successful-session-count\":%u,"
		   "\"total-failure-session-count\":%u}",
		   org, id, start, end, type, domain, ok, failed);
	if (result != NULL)
		buf_printf(&b,
			   ",\"failure-details\":[{\"result-type\":\"%s\","
			   "\"receiving-mx-hostname\":\"mx1.%s\","
			   "\"failed-session-count\":%u}]",
			   result, domain, failed);
	buf_puts(&b, "}]}");
	assert_int_equal(rpt_parse(b.p, b.len, r), RPT_OK);
	buf_free(&b);
}

static void
opts(struct ragg_opts *o, const char *domain, int expect)
{
	o->now = NOW;
	o->window = 2 * 86400;
	o->domain = domain;
	o->expect_policy = expect;
}

/* RPTR-04: by the end of the date-range, within the window only. */
static void
test_window(void **state)
{
	struct ragg a;
	struct ragg_opts o;
	struct rpt_report r;

	(void)state;
	opts(&o, NULL, -1);
	ragg_init(&a, &o);
	mk(&r, "A", "1", 3600, "example.com", "sts", 10, 0, NULL);
	assert_int_equal(ragg_add(&a, &r, "a"), RAGG_COUNTED);
	rpt_free(&r);
	mk(&r, "A", "2", 2 * 86400, "example.com", "sts", 10, 0, NULL);
	assert_int_equal(ragg_add(&a, &r, "b"), RAGG_OUTSIDE);
	rpt_free(&r);
	mk(&r, "A", "3", 2 * 86400 - 1, "example.com", "sts", 10, 0, NULL);
	assert_int_equal(ragg_add(&a, &r, "c"), RAGG_COUNTED);
	rpt_free(&r);
	mk(&r, "A", "4", -2 * 86400, "example.com", "sts", 10, 0, NULL);
	assert_int_equal(ragg_add(&a, &r, "d"), RAGG_FUTURE);
	rpt_free(&r);
	assert_int_equal(a.counted, 2);
	assert_int_equal(a.outside, 1);
	assert_int_equal(a.future, 1);
	assert_int_equal(a.nb, 1);
	assert_int_equal(a.b[0].ok, 20);
	ragg_free(&a);
}

/* RPTR-03: one report delivered twice counts once; other content under
 * the same id is a conflict, named with both paths. */
static void
test_duplicates(void **state)
{
	struct ragg a;
	struct ragg_opts o;
	struct rpt_report r;

	(void)state;
	opts(&o, NULL, -1);
	ragg_init(&a, &o);
	mk(&r, "Google Inc.", "r1", 3600, "example.com", "sts", 90, 10,
	   "certificate-expired");
	assert_int_equal(ragg_add(&a, &r, "new/1"), RAGG_COUNTED);
	assert_int_equal(ragg_add(&a, &r, "cur/2"), RAGG_DUPLICATE);
	rpt_free(&r);
	mk(&r, "Google Inc.", "r1", 3600, "example.com", "sts", 90, 11,
	   "certificate-expired");
	assert_int_equal(ragg_add(&a, &r, "cur/3"), RAGG_CONFLICT);
	rpt_free(&r);
	/* the same id from another organisation is another report */
	mk(&r, "Microsoft Corporation", "r1", 3600, "example.com", "sts", 5,
	   0, NULL);
	assert_int_equal(ragg_add(&a, &r, "new/4"), RAGG_COUNTED);
	rpt_free(&r);
	assert_int_equal(a.counted, 2);
	assert_int_equal(a.duplicates, 1);
	assert_int_equal(a.conflicts, 1);
	assert_int_equal(a.nconflict, 1);
	assert_string_equal(a.conflict[0].first, "new/1");
	assert_string_equal(a.conflict[0].second, "cur/3");
	ragg_sort(&a);
	assert_int_equal(a.b[0].ok, 95);
	assert_int_equal(a.b[0].failed, 10);
	assert_int_equal(a.b[0].orgs.n, 2);
	assert_string_equal(a.b[0].orgs.v[0].name, "Google Inc.");
	assert_string_equal(a.b[0].results.v[0].name, "certificate-expired");
	assert_int_equal(a.b[0].results.v[0].n, 10);
	assert_string_equal(a.b[0].mx.v[0].name, "mx1.example.com");
	assert_int_equal(ragg_org_reports(&a, "google inc."), 1);
	assert_int_equal(ragg_org_reports(&a, "Yahoo"), 0);
	ragg_free(&a);
}

/* Many reports: the table grows, each counts once. */
static void
test_many(void **state)
{
	struct ragg a;
	struct ragg_opts o;
	struct rpt_report r;
	char id[32];

	(void)state;
	opts(&o, NULL, -1);
	ragg_init(&a, &o);
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "id-%d", i % 2500);
		mk(&r, "A", id, 3600, "example.com", "sts", 1, 0, NULL);
		ragg_add(&a, &r, "x");
		rpt_free(&r);
	}
	assert_int_equal(a.counted, 2500);
	assert_int_equal(a.duplicates, 2500);
	assert_int_equal(a.b[0].ok, 2500);
	ragg_free(&a);
}

/* -D: policies of other domains are left out; a report without one of
 * the domain's is not counted. */
static void
test_domain(void **state)
{
	struct ragg a;
	struct ragg_opts o;
	struct rpt_report r;

	(void)state;
	opts(&o, "example.com", -1);
	ragg_init(&a, &o);
	mk(&r, "A", "1", 3600, "example.org", "sts", 10, 0, NULL);
	assert_int_equal(ragg_add(&a, &r, "a"), RAGG_OTHER_DOMAIN);
	rpt_free(&r);
	mk(&r, "A", "2", 3600, "Example.COM", "tlsa", 10, 3,
	   "dnssec-invalid");
	assert_int_equal(ragg_add(&a, &r, "b"), RAGG_COUNTED);
	rpt_free(&r);
	assert_int_equal(a.nb, 1);
	assert_int_equal(a.b[0].type, RPT_TLSA);
	assert_int_equal(a.b[0].failed, 3);
	ragg_free(&a);
}

/* --expect-policy sts: no-policy-found sessions are sts failures. */
static void
test_expect_policy(void **state)
{
	struct ragg a;
	struct ragg_opts o;
	struct rpt_report r;

	(void)state;
	opts(&o, NULL, RPT_STS);
	ragg_init(&a, &o);
	mk(&r, "A", "1", 3600, "example.com", "sts", 90, 0, NULL);
	ragg_add(&a, &r, "a");
	rpt_free(&r);
	mk(&r, "B", "2", 3600, "example.com", "no-policy-found", 8, 2,
	   "starttls-not-supported");
	ragg_add(&a, &r, "b");
	rpt_free(&r);
	ragg_sort(&a);
	assert_int_equal(a.nb, 1);
	assert_int_equal(a.b[0].type, RPT_STS);
	assert_int_equal(a.b[0].ok, 90);
	assert_int_equal(a.b[0].failed, 10);
	assert_int_equal(a.b[0].npf_moved, 10);
	assert_string_equal(a.b[0].results.v[0].name, "no-policy-found");
	ragg_free(&a);

	/* without it, no-policy-found is a bucket of its own */
	opts(&o, NULL, -1);
	ragg_init(&a, &o);
	mk(&r, "B", "2", 3600, "example.com", "no-policy-found", 8, 2,
	   "starttls-not-supported");
	ragg_add(&a, &r, "b");
	rpt_free(&r);
	assert_int_equal(a.b[0].type, RPT_NOPOLICY);
	assert_int_equal(a.b[0].failed, 2);
	ragg_free(&a);
}

/* Failures the details do not explain are "unspecified"; a Mail.ru
 * report (details over the summary) counts the summary. */
static void
test_unspecified_and_mismatch(void **state)
{
	static const char mailru[] =
	    "{\"organization-name\":\"Mail.ru\",\"report-id\":\"m1\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-30T00:00:00Z\","
	    "\"end-datetime\":\"2026-12-01T00:00:00Z\"},\"policies\":[{"
	    "\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":"
	    "\"example.com\"},\"summary\":{\"total-successful-session-count\":"
	    "0,\"total-failure-session-count\":1},\"failure-details\":["
	    "{\"result-type\":\"sts-policy-fetch-error\","
	    "\"failed-session-count\":1},{\"result-type\":"
	    "\"sts-policy-fetch-error\",\"failed-session-count\":1}]}]}";
	struct ragg a;
	struct ragg_opts o;
	struct rpt_report r;

	(void)state;
	opts(&o, NULL, -1);
	ragg_init(&a, &o);
	assert_int_equal(rpt_parse(mailru, sizeof(mailru) - 1, &r), RPT_OK);
	assert_true(r.p[0].details_mismatch);
	ragg_add(&a, &r, "m");
	rpt_free(&r);
	mk(&r, "A", "2", 3600, "example.com", "sts", 10, 4, NULL);
	ragg_add(&a, &r, "a");
	rpt_free(&r);
	ragg_sort(&a);
	assert_int_equal(a.b[0].failed, 5);
	assert_int_equal(a.b[0].mismatches, 1);
	assert_string_equal(a.b[0].results.v[0].name, "unspecified");
	assert_int_equal(a.b[0].results.v[0].n, 4);
	ragg_free(&a);
}

/* At most RAGG_NAMES_MAX names a list; the rest under "(others)". */
static void
test_names_bounded(void **state)
{
	struct ragg a;
	struct ragg_opts o;
	struct rpt_report r;
	char org[32];

	(void)state;
	opts(&o, NULL, -1);
	ragg_init(&a, &o);
	for (int i = 0; i < 100; i++) {
		snprintf(org, sizeof(org), "org-%03d", i);
		mk(&r, org, "x", 3600, "example.com", "sts", 1, 0, NULL);
		ragg_add(&a, &r, "p");
		rpt_free(&r);
	}
	ragg_sort(&a);
	assert_int_equal(a.counted, 100);
	assert_int_equal(a.b[0].orgs.n, RAGG_NAMES_MAX);
	assert_true(a.b[0].orgs.overflow);
	assert_string_equal(a.b[0].orgs.v[RAGG_NAMES_MAX - 1].name,
			    "(others)");
	assert_int_equal(a.b[0].orgs.v[RAGG_NAMES_MAX - 1].reports,
			 100 - RAGG_NAMES_MAX + 1);
	ragg_free(&a);
}

static void
test_time(void **state)
{
	time_t t;
	bool nz;

	(void)state;
	assert_int_equal(rpt_time_parse("2026-12-01T00:00:00Z", &t, &nz), 0);
	assert_int_equal(t, NOW);
	assert_false(nz);
	/* Microsoft: no zone, taken as UTC */
	assert_int_equal(rpt_time_parse("2026-12-01T00:00:00", &t, &nz), 0);
	assert_int_equal(t, NOW);
	assert_true(nz);
	assert_int_equal(rpt_time_parse("2026-12-01T02:00:00.5+02:00", &t, &nz),
			 0);
	assert_int_equal(t, NOW);
	assert_int_equal(rpt_time_parse("2026-11-30t19:00:00-05:00", &t, &nz),
			 0);
	assert_int_equal(t, NOW);
	assert_int_equal(rpt_time_parse("2024-02-29T00:00:00Z", &t, &nz), 0);
	assert_int_equal(rpt_time_parse("2023-02-29T00:00:00Z", &t, &nz), -1);
	assert_int_equal(rpt_time_parse("2026-12-01T24:00:00Z", &t, &nz), -1);
	assert_int_equal(rpt_time_parse("2026-12-01", &t, &nz), -1);
	assert_int_equal(rpt_time_parse("April fools", &t, &nz), -1);
	assert_int_equal(rpt_time_parse("2026-12-01T00:00:00Zjunk", &t, &nz),
			 -1);
	assert_int_equal(rpt_time_parse("2026-12-01T00:00:00+2:00", &t, &nz),
			 -1);
	assert_int_equal(rpt_time_parse("", &t, &nz), -1);
}

static void
test_duration(void **state)
{
	time_t t;
	const char *why;
	char s[48];

	(void)state;
	assert_int_equal(ragg_parse_duration("2d", &t, &why), 0);
	assert_int_equal(t, 2 * 86400);
	assert_int_equal(ragg_parse_duration("36h", &t, &why), 0);
	assert_int_equal(t, 36 * 3600);
	assert_int_equal(ragg_parse_duration("1w", &t, &why), 0);
	assert_int_equal(t, 7 * 86400);
	assert_int_equal(ragg_parse_duration("90m", &t, &why), 0);
	assert_int_equal(ragg_parse_duration("59s", &t, &why), -1);
	assert_int_equal(ragg_parse_duration("367d", &t, &why), -1);
	assert_int_equal(ragg_parse_duration("2", &t, &why), -1);
	assert_int_equal(ragg_parse_duration("d", &t, &why), -1);
	assert_int_equal(ragg_parse_duration("-2d", &t, &why), -1);
	assert_int_equal(ragg_parse_duration("2x", &t, &why), -1);
	assert_int_equal(ragg_parse_duration("1.5d", &t, &why), -1);
	assert_non_null(why);
	assert_string_equal(ragg_fmt_duration(s, sizeof(s), 2 * 86400),
			    "2 days");
	assert_string_equal(ragg_fmt_duration(s, sizeof(s), 36 * 3600),
			    "36 hours");
	assert_string_equal(ragg_fmt_duration(s, sizeof(s), 86400), "1 day");
	assert_string_equal(ragg_fmt_duration(s, sizeof(s), 7 * 86400),
			    "7 days");
	assert_string_equal(ragg_fmt_duration(s, sizeof(s), 90 * 60),
			    "90 minutes");
}

/* result_series: labelled samples, a counter's TYPE, escaping; a perf
 * entry marked om_skip stays out of OpenMetrics but not of Nagios. */
static void
test_series(void **state)
{
	struct node *root = result_new(NODE_CHECK, "example.com");
	struct buf out;
	struct perf *p;

	(void)state;
	p = result_perf(root, "sts_sessions_ok", 5, "", NULL, NULL);
	result_perf_om_skip(p);
	result_series(root, "mailtls_tlsrpt_sessions_total", true, "Sessions.",
		      5, "policy_type", "sts", "result", "successful", NULL);
	result_series(root, "mailtls_tlsrpt_reporter_reports", false, "R.", 2,
		      "organization", "Evil \"Org\"|\\", NULL);
	result_finish(root);
	buf_init(&out);
	output_render(root, "TLSRPT REPORTS", "s", OUT_OPENMETRICS, 0, &out);
	assert_non_null(strstr(out.p, "# TYPE mailtls_tlsrpt_sessions_total "
				      "counter\n"));
	assert_non_null(strstr(
	    out.p, "mailtls_tlsrpt_sessions_total{plugin=\"tlsrpt_reports\","
		   "target=\"example.com\",policy_type=\"sts\","
		   "result=\"successful\"} 5\n"));
	assert_non_null(strstr(out.p, "organization=\"Evil \\\"Org\\\"?\\\\\""));
	assert_null(strstr(out.p, "sts_sessions_ok"));
	buf_free(&out);
	buf_init(&out);
	output_render(root, "TLSRPT REPORTS", "s", OUT_NAGIOS, 0, &out);
	assert_non_null(strstr(out.p, "'sts_sessions_ok'=5"));
	assert_null(strstr(out.p, "mailtls_"));
	buf_free(&out);
	buf_init(&out);
	output_render(root, "TLSRPT REPORTS", "s", OUT_JSON, 0, &out);
	assert_non_null(strstr(out.p, "\"series\":[{\"name\":"
				      "\"mailtls_tlsrpt_sessions_total\","
				      "\"labels\":{\"policy_type\":\"sts\","
				      "\"result\":\"successful\"},\"value\":5}"));
	buf_free(&out);
	result_free(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_many),
	    cmocka_unit_test(test_domain),
	    cmocka_unit_test(test_expect_policy),
	    cmocka_unit_test(test_unspecified_and_mismatch),
	    cmocka_unit_test(test_names_bounded),
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_series),
	};

	return cmocka_run_group_tests_name("rpt_agg", tests, NULL, NULL);
}
