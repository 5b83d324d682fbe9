/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_exporter_query.c: unit tests of exporter/exp_query.c: the probe's
 * query string (percent-decoding, '+', duplicates, bounds, control
 * characters, debug values, unknown keys), the target (host names by RFC
 * 1123 2.1 and RFC 1035 2.3.4, host:port, everything a shell or getopt
 * could misread), durations, and the timeout arithmetic with
 * X-Prometheus-Scrape-Timeout-Seconds and --timeout-offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "exporter.h"

static void
test_query_good(void **state)
{
	struct exp_query q;
	char why[EXP_WHY_MAX];

	(void)state;
	assert_int_equal(exp_query_parse("module=mailtls&target=example.com",
					 &q, why, sizeof(why)),
			 0);
	assert_true(q.has_module && q.has_target && !q.debug);
	assert_string_equal(q.module, "mailtls");
	assert_string_equal(q.target, "example.com");

	assert_int_equal(exp_query_parse("target=mx1.example.com%3A25&debug="
					 "true&module=tls%61",
					 &q, why, sizeof(why)),
			 0);
	assert_string_equal(q.target, "mx1.example.com:25");
	assert_string_equal(q.module, "tlsa");
	assert_true(q.debug);

	/* unknown keys are ignored, empty pairs skipped, '+' is a space */
	assert_int_equal(exp_query_parse("&foo=bar&&target=a+b&x&debug=0&",
					 &q, why, sizeof(why)),
			 0);
	assert_false(q.has_module);
	assert_string_equal(q.target, "a b");
	assert_false(q.debug);

	assert_int_equal(exp_query_parse(NULL, &q, why, sizeof(why)), 0);
	assert_false(q.has_target);
	assert_int_equal(exp_query_parse("", &q, why, sizeof(why)), 0);
	/* a key with no '=' is an empty value */
	assert_int_equal(exp_query_parse("target", &q, why, sizeof(why)), 0);
	assert_true(q.has_target);
	assert_string_equal(q.target, "");
}

static void
test_query_bad(void **state)
{
	static const struct {
		const char *qs;
		const char *why;
	} bad[] = {
	    {"target=a%", "without two hex digits"},
	    {"target=a%4", "without two hex digits"},
	    {"target=a%zz", "without two hex digits"},
	    {"target=a%00b", "control character"},
	    {"target=a%0ab", "control character"},
	    {"module=a%7f", "control character"},
	    {"target=a&target=b", "target given twice"},
	    {"module=a&module=a", "module given twice"},
	    {"debug=true&debug=true", "debug given twice"},
	    {"debug=yes", "debug must be true or false"},
	    {"debug=truex", "debug"},
	};
	struct exp_query q;
	char why[EXP_WHY_MAX], big[6000];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (exp_query_parse(bad[i].qs, &q, why, sizeof(why)) == 0)
			fail_msg("accepted: %s", bad[i].qs);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].qs, why,
				 bad[i].why);
	}
	/* bounds: a module over 64 bytes, a target over 260, a query over
	 * 4096 */
	memcpy(big, "module=", 7);
	memset(big + 7, 'm', 65);
	big[72] = '\0';
	assert_int_equal(exp_query_parse(big, &q, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "longer than 64"));
	big[71] = '\0';
	assert_int_equal(exp_query_parse(big, &q, why, sizeof(why)), 0);
	memcpy(big, "target=", 7);
	memset(big + 7, 'a', 261);
	big[268] = '\0';
	assert_int_equal(exp_query_parse(big, &q, why, sizeof(why)), -1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(exp_query_parse(big, &q, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "over 4096"));
}

static void
test_target(void **state)
{
	static const char *const good[] = {
	    "example.com", "EXAMPLE.com.", "mx1.example.com:25",
	    "a", "xn--bcher-kva.example", "_mta-sts.example.com",
	    "a-b.c-d.e:65535", "1.2.3.4", "stall.secure.test:1",
	};
	static const char *const bad[] = {
	    "",           "-H",          "-oProxyCommand=x", "a..b",
	    ".a",         "a.-b",        "a-.b",             "a-",
	    "a b",        "a;rm -rf /",  "$(id)",            "a`id`",
	    "a/b",        "a\\b",        "[::1]:25",         "::1",
	    "a:0",        "a:65536",     "a:",               "a:25x",
	    "a:+25",      "a:-1",        "a:25:25",          "é.example",
	    "a\tb",       "a..",         ".",                "a:25 ",
	};
	struct exp_target t;
	char why[EXP_WHY_MAX], longname[300];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (exp_target_check(good[i], &t, why, sizeof(why)) != 0)
			fail_msg("\"%s\" rejected: %s", good[i], why);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (exp_target_check(bad[i], &t, why, sizeof(why)) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
	assert_int_equal(exp_target_check("mx.example.com:587", &t, why,
					  sizeof(why)),
			 0);
	assert_string_equal(t.host, "mx.example.com");
	assert_int_equal(t.port, 587);
	assert_int_equal(exp_target_check("example.com.", &t, why,
					  sizeof(why)),
			 0);
	assert_string_equal(t.host, "example.com");
	assert_int_equal(t.port, 0);
	/* labels of 63 pass, 64 fail; names of 253 pass, 254 fail */
	memset(longname, 'a', 63);
	longname[63] = '\0';
	assert_int_equal(exp_target_check(longname, &t, why, sizeof(why)), 0);
	memset(longname, 'a', 64);
	longname[64] = '\0';
	assert_int_equal(exp_target_check(longname, &t, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "63"));
	for (size_t i = 0; i < 253; i++)
		longname[i] = (i % 50 == 49) ? '.' : 'a';
	longname[253] = '\0';
	assert_int_equal(exp_target_check(longname, &t, why, sizeof(why)), 0);
	longname[253] = 'a';
	longname[254] = '\0';
	assert_int_equal(exp_target_check(longname, &t, why, sizeof(why)),
			 -1);
}

static void
test_duration(void **state)
{
	static const struct {
		const char *s;
		double v;
	} good[] = {{"15s", 15}, {"1.5s", 1.5}, {"500ms", 0.5}, {"2m", 120},
		    {"7", 7},    {"600s", 600}, {"10m", 600}};
	static const char *const bad[] = {"", "s", "ms", "0", "0s", "-1s",
					  "10h", "1e3s", " 5s", "5 s", "601",
					  "11m", "abc", "5sec"};
	double v;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (exp_duration_parse(good[i].s, &v, &why) != 0)
			fail_msg("\"%s\" rejected: %s", good[i].s, why);
		if (v < good[i].v - 1e-9 || v > good[i].v + 1e-9)
			fail_msg("\"%s\": %g", good[i].s, v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (exp_duration_parse(bad[i], &v, &why) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
}

static void
expect(double module_s, const char *hdr, double offset, double probe,
       int plugin_t)
{
	struct exp_timeout t;
	char why[EXP_WHY_MAX];

	if (exp_timeout_compute(module_s, hdr, offset, &t, why, sizeof(why)) !=
	    0)
		fail_msg("%g %s %g rejected: %s", module_s, hdr, offset, why);
	if (t.probe_s < probe - 1e-9 || t.probe_s > probe + 1e-9 ||
	    t.plugin_t != plugin_t)
		fail_msg("%g, header %s, offset %g: probe %g plugin %d, want "
			 "%g %d",
			 module_s, hdr ? hdr : "-", offset, t.probe_s,
			 t.plugin_t, probe, plugin_t);
}

static void
test_timeout(void **state)
{
	struct exp_timeout t;
	char why[EXP_WHY_MAX];

	(void)state;
	/* no header: the module's timeout */
	expect(10, NULL, 0.5, 10, 9);
	expect(15, NULL, 0.5, 15, 14);
	/* the header minus the offset bounds it */
	expect(15, "10", 0.5, 9.5, 9);
	expect(10, "10", 0.5, 9.5, 9);
	expect(10, "4.5", 0.5, 4, 3);
	expect(10, "5", 0, 5, 4);
	/* the module's timeout when it is the smaller */
	expect(3, "10", 0.5, 3, 2);
	/* short ones: the plugin gets at least -t 1 */
	expect(1.5, NULL, 0.5, 1.5, 1);
	expect(0.5, NULL, 0.5, 0.5, 1);
	expect(10, "1.2", 0.5, 0.7, 1);
	/* header minus offset not positive: the header itself */
	expect(10, "0.5", 0.5, 0.5, 1);
	expect(10, "0.3", 1, 0.3, 1);
	/* fractions round up to whole seconds less one */
	expect(10, "3.7", 0.5, 3.2, 3);
	/* bad headers */
	assert_int_equal(exp_timeout_compute(10, "0", 0.5, &t, why,
					     sizeof(why)),
			 -1);
	assert_int_equal(exp_timeout_compute(10, "-5", 0.5, &t, why,
					     sizeof(why)),
			 -1);
	assert_int_equal(exp_timeout_compute(10, "ten", 0.5, &t, why,
					     sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "X-Prometheus-Scrape-Timeout-Seconds"));
	assert_int_equal(exp_timeout_compute(10, "", 0.5, &t, why,
					     sizeof(why)),
			 -1);
	assert_int_equal(exp_timeout_compute(10, "1e9", 0.5, &t, why,
					     sizeof(why)),
			 -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_good),
	    cmocka_unit_test(test_query_bad),
	    cmocka_unit_test(test_target),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_timeout),
	};

	return cmocka_run_group_tests_name("exporter_query", tests, NULL,
					   NULL);
}
