/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_range.c: unit tests of common/range.c: every range form of
 * CONFORMANCE OUT-07 at its boundaries, "~:", "@~:10", negative and
 * decimal endpoints, RANGE_LOW_IS_BAD (INTERFACE.md: -w 28 -c 14 on days
 * left), the errors of OUT-06 (start greater than end) and garbage,
 * critical before warning, and range_format() with a unit factor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "range.h"

struct probe {
	double x;
	bool alert;
};

static void
check(const char *spec, int flags, const struct probe *p, size_t n)
{
	struct range r;
	const char *why = "unset";
	size_t i;

	if (range_parse(spec, flags, &r, &why) != 0)
		fail_msg("\"%s\" rejected: %s", spec, why);
	assert_null(why);
	assert_string_equal(r.text, spec);
	for (i = 0; i < n; i++)
		if (range_alert(&r, p[i].x) != p[i].alert)
			fail_msg("\"%s\" at %.6g: alert should be %d", spec,
				 p[i].x, p[i].alert);
}

#define CHECK(spec, flags, ...)                                                \
	do {                                                                   \
		const struct probe pr_[] = {__VA_ARGS__};                      \
		check(spec, flags, pr_, sizeof(pr_) / sizeof(pr_[0]));         \
	} while (0)

static void
test_out07_forms(void **state)
{
	(void)state;
	/* "10": alert when x < 0 or x > 10 */
	CHECK("10", 0, {10, false}, {10.001, true}, {-1, true}, {0, false},
	      {-0.001, true}, {5, false}, {1e9, true});
	/* "10:": alert when x < 10 */
	CHECK("10:", 0, {10, false}, {9.999, true}, {-1e9, true}, {1e9, false});
	/* "~:10": alert when x > 10 */
	CHECK("~:10", 0, {-1e9, false}, {10, false}, {10.001, true});
	/* "10:20": alert when x < 10 or x > 20 */
	CHECK("10:20", 0, {9.999, true}, {10, false}, {15, false}, {20, false},
	      {20.001, true});
	/* "@10:20": alert when 10 <= x <= 20 */
	CHECK("@10:20", 0, {9.999, false}, {10, true}, {15, true}, {20, true},
	      {20.001, false});
}

static void
test_more_forms(void **state)
{
	(void)state;
	CHECK("~:", 0, {-1e300, false}, {0, false}, {1e300, false});
	CHECK("@~:", 0, {-1e300, true}, {0, true}, {1e300, true});
	CHECK("@~:10", 0, {-1e9, true}, {10, true}, {10.001, false});
	CHECK("@10:", 0, {9.999, false}, {10, true}, {1e9, true});
	CHECK("@10", 0, {-0.001, false}, {0, true}, {10, true},
	      {10.001, false});
	CHECK("-5:5", 0, {-5.001, true}, {-5, false}, {0, false}, {5, false},
	      {5.001, true});
	CHECK("-10:-5", 0, {-10.5, true}, {-7, false}, {-4.9, true});
	CHECK("0.5:1.5", 0, {0.499, true}, {0.5, false}, {1.5, false},
	      {1.501, true});
	CHECK("5:5", 0, {4.999, true}, {5, false}, {5.001, true});
	CHECK("0", 0, {0, false}, {0.001, true}, {-0.001, true});
	CHECK("~:-3", 0, {-3, false}, {-2.999, true});
	CHECK("+10", 0, {10, false}, {11, true});
}

static void
test_low_is_bad(void **state)
{
	(void)state;
	/* "28" means "28:": alert when x < 28 */
	CHECK("28", RANGE_LOW_IS_BAD, {27.999, true}, {28, false}, {1e9, false},
	      {0, true}, {-1, true});
	/* explicit forms keep their meaning */
	CHECK("10:20", RANGE_LOW_IS_BAD, {9.999, true}, {10, false},
	      {20.001, true});
	CHECK("~:10", RANGE_LOW_IS_BAD, {-1e9, false}, {10.001, true});
	CHECK("10:", RANGE_LOW_IS_BAD, {9, true}, {10, false});
	CHECK("@10:20", RANGE_LOW_IS_BAD, {10, true}, {21, false});
	/* "@N" keeps "@0:N" */
	CHECK("@10", RANGE_LOW_IS_BAD, {-1, false}, {0, true}, {10, true},
	      {10.5, false});
	/* a negative bare number is fine here ("-5:") */
	CHECK("-5", RANGE_LOW_IS_BAD, {-5.5, true}, {-5, false});
}

static void
bad(const char *spec, int flags, const char *want)
{
	struct range r;
	const char *why = NULL;

	memset(&r, 0x55, sizeof(r));
	if (range_parse(spec, flags, &r, &why) == 0)
		fail_msg("\"%s\" accepted", spec ? spec : "(null)");
	assert_non_null(why);
	assert_string_equal(why, want);
	assert_string_equal(r.text, "");
}

static void
test_errors(void **state)
{
	char longs[200];

	(void)state;
	bad("20:10", 0, "start greater than end");
	bad("@20:10", 0, "start greater than end");
	bad("10.5:10.4", 0, "start greater than end");
	bad("-5", 0, "start greater than end"); /* "0:-5" */
	bad("abc", 0, "not a number");
	bad("10:x", 0, "end is not a number");
	bad("x:10", 0, "start is not a number");
	bad("10:~", 0, "end is not a number");
	bad("10:20:30", 0, "end is not a number");
	bad("", 0, "empty range");
	bad(NULL, 0, "empty range");
	bad("@", 0, "empty range");
	bad("@", RANGE_LOW_IS_BAD, "empty range");
	bad(":", 0, "empty start (use ~ for no lower bound)");
	bad(":10", 0, "empty start (use ~ for no lower bound)");
	bad("~", 0, "not a number");
	bad("@@10", 0, "not a number");
	bad("~~:10", 0, "start is not a number");
	bad(" 10", 0, "not a number");
	bad("10 ", 0, "not a number");
	bad("10 :20", 0, "start is not a number");
	bad("1e3", 0, "not a number");
	bad("0x10", 0, "not a number");
	bad("inf", 0, "not a number");
	bad("nan:", 0, "start is not a number");
	bad("10,5", 0, "not a number");
	bad("10d", RANGE_LOW_IS_BAD, "not a number");

	/* 63 bytes fit text[64]; 64 and more are refused */
	memset(longs, '1', sizeof(longs));
	longs[63] = '\0';
	{
		struct range r;

		assert_int_equal(range_parse(longs, 0, &r, NULL), 0);
		assert_string_equal(r.text, longs);
	}
	longs[63] = '1';
	longs[64] = '\0';
	bad(longs, 0, "range too long");
	longs[sizeof(longs) - 1] = '\0';
	bad(longs, 0, "range too long");
}

/* OUT-07 tests, through range_state (critical first). */
static void
test_state(void **state)
{
	struct range w, c;

	(void)state;
	assert_int_equal(range_parse("10", 0, &w, NULL), 0);
	assert_int_equal(range_state(&w, NULL, 10), MT_OK);
	assert_int_equal(range_state(&w, NULL, 10.001), MT_WARNING);
	assert_int_equal(range_state(&w, NULL, -1), MT_WARNING);

	assert_int_equal(range_parse("@10:20", 0, &c, NULL), 0);
	assert_int_equal(range_state(NULL, &c, 20), MT_CRITICAL);
	assert_int_equal(range_state(NULL, &c, 20.5), MT_OK);

	/* -w 30: -c 7: on days until expiry */
	assert_int_equal(range_parse("30:", 0, &w, NULL), 0);
	assert_int_equal(range_parse("7:", 0, &c, NULL), 0);
	assert_int_equal(range_state(&w, &c, 20), MT_WARNING);
	assert_int_equal(range_state(&w, &c, 5), MT_CRITICAL);
	assert_int_equal(range_state(&w, &c, 30), MT_OK);
	assert_int_equal(range_state(&w, &c, 7), MT_WARNING);

	/* -w 28 -c 14 where less is worse */
	assert_int_equal(range_parse("28", RANGE_LOW_IS_BAD, &w, NULL), 0);
	assert_int_equal(range_parse("14", RANGE_LOW_IS_BAD, &c, NULL), 0);
	assert_int_equal(range_state(&w, &c, 20), MT_WARNING);
	assert_int_equal(range_state(&w, &c, 10), MT_CRITICAL);
	assert_int_equal(range_state(&w, &c, 60), MT_OK);
	assert_int_equal(range_state(&w, &c, 14), MT_WARNING);
	assert_int_equal(range_state(&w, &c, 28), MT_OK);

	/* critical wins when both alert, whatever the ranges */
	assert_int_equal(range_parse("5", 0, &w, NULL), 0);
	assert_int_equal(range_parse("10", 0, &c, NULL), 0);
	assert_int_equal(range_state(&w, &c, 11), MT_CRITICAL);
	assert_int_equal(range_state(&w, &c, 7), MT_WARNING);
	assert_int_equal(range_state(NULL, NULL, 1e9), MT_OK);
}

static void
fmt(const char *spec, int flags, double factor, const char *want)
{
	struct range r;
	char b[64];

	if (range_parse(spec, flags, &r, NULL) != 0)
		fail_msg("\"%s\" rejected", spec);
	assert_ptr_equal(range_format(&r, factor, b, sizeof(b)), b);
	assert_string_equal(b, want);
}

static void
test_format(void **state)
{
	struct range r;
	char small[5];

	(void)state;
	fmt("28", RANGE_LOW_IS_BAD, 86400, "2419200:");
	fmt("14", RANGE_LOW_IS_BAD, 86400, "1209600:");
	fmt("~:10", 0, 86400, "~:864000");
	fmt("@10:20", 0, 86400, "@864000:1728000");
	fmt("10", 0, 86400, "864000");
	fmt("10", 0, 1, "10");
	fmt("0:10", 0, 1, "10");
	fmt("@10", 0, 1, "@10");
	fmt("10:", 0, 1, "10:");
	fmt("~:", 0, 86400, "~:");
	fmt("@~:10", 0, 1, "@~:10");
	fmt("-5:5", 0, 1, "-5:5");
	fmt("0.5:1.5", 0, 1, "0.5:1.5");
	fmt("0.5:1.5", 0, 0.001, "0.001:0.002");
	fmt("1.25", RANGE_LOW_IS_BAD, 1000, "1250:");
	fmt("-0.0001:0", 0, 1, "0:0");

	assert_int_equal(range_parse("~:864000", 0, &r, NULL), 0);
	range_format(&r, 1, small, sizeof(small));
	assert_string_equal(small, "~:86");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_out07_forms),
	    cmocka_unit_test(test_more_forms),
	    cmocka_unit_test(test_low_is_bad),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_state),
	    cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests_name("range", tests, NULL, NULL);
}
