/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_deadline.c: unit tests of common/deadline.c: the fixed clocks,
 * the one deadline of a run (left, passed, elapsed, saturation at
 * INT32_MAX, "never started" = -1), the real monotonic clock, and reads
 * from a second thread (STYLE.md 6).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "deadline.h"

/* Must run first: nothing started yet. */
static void
test_not_started(void **state)
{
	(void)state;
	assert_int_equal(deadline_left_ms(), -1);
	assert_false(deadline_passed());
	assert_int_equal(deadline_elapsed_ms(), 0);
}

static void
test_fixed_mono(void **state)
{
	(void)state;
	clock_fix_mono(1000);
	assert_int_equal(clock_mono_ms(), 1000);
	deadline_start(5000);
	assert_int_equal(deadline_left_ms(), 5000);
	assert_int_equal(deadline_elapsed_ms(), 0);
	assert_false(deadline_passed());

	clock_fix_mono(3500);
	assert_int_equal(deadline_left_ms(), 2500);
	assert_int_equal(deadline_elapsed_ms(), 2500);
	assert_false(deadline_passed());

	clock_fix_mono(5999);
	assert_int_equal(deadline_left_ms(), 1);
	assert_false(deadline_passed());

	clock_fix_mono(6000);
	assert_int_equal(deadline_left_ms(), 0);
	assert_true(deadline_passed());

	clock_fix_mono(100000);
	assert_int_equal(deadline_left_ms(), 0);
	assert_true(deadline_passed());
	assert_int_equal(deadline_elapsed_ms(), 99000);

	/* a new start replaces the old deadline */
	deadline_start(10);
	assert_int_equal(deadline_left_ms(), 10);
	clock_fix_mono(-1);
}

static void
test_limits(void **state)
{
	(void)state;
	clock_fix_mono(0);
	deadline_start(0);
	assert_int_equal(deadline_left_ms(), 0);
	assert_true(deadline_passed());

	deadline_start(-5);
	assert_int_equal(deadline_left_ms(), 0);
	assert_true(deadline_passed());

	deadline_start((int64_t)INT32_MAX + 1000);
	assert_int_equal(deadline_left_ms(), INT32_MAX);
	clock_fix_mono(1000);
	assert_int_equal(deadline_left_ms(), INT32_MAX);
	clock_fix_mono(2000);
	assert_int_equal(deadline_left_ms(), INT32_MAX - 1000);

	clock_fix_mono(INT64_MAX - 10);
	deadline_start(INT64_MAX); /* saturates, no overflow */
	assert_int_equal(deadline_left_ms(), 10);
	assert_false(deadline_passed());
	clock_fix_mono(-1);
}

static void
test_wall(void **state)
{
	time_t now;

	(void)state;
	clock_fix_wall(1700000000);
	assert_true(clock_wall() == 1700000000);
	clock_fix_wall(0);
	assert_true(clock_wall() == 0);
	clock_fix_wall(-1);
	now = time(NULL);
	assert_true(clock_wall() >= now && clock_wall() <= now + 2);
}

static void
test_real_clock(void **state)
{
	struct timespec ts = {0, 60 * 1000 * 1000};
	int64_t a, b;
	int left;

	(void)state;
	clock_fix_mono(-1);
	a = clock_mono_ms();
	assert_true(a >= 0);
	deadline_start(10000);
	left = deadline_left_ms();
	assert_true(left > 9000 && left <= 10000);
	nanosleep(&ts, NULL);
	b = clock_mono_ms();
	assert_true(b - a >= 60);
	assert_true(deadline_elapsed_ms() >= 60);
	assert_true(deadline_left_ms() <= 10000 - 60);
	assert_false(deadline_passed());
}

static void *
reader(void *arg)
{
	int *out = arg;

	out[0] = deadline_left_ms();
	out[1] = (int)deadline_elapsed_ms();
	out[2] = deadline_passed();
	return NULL;
}

static void
test_thread_reads(void **state)
{
	pthread_t t;
	int got[3] = {-7, -7, -7};

	(void)state;
	clock_fix_mono(50000);
	deadline_start(3000);
	clock_fix_mono(51000);
	assert_int_equal(pthread_create(&t, NULL, reader, got), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(got[0], 2000);
	assert_int_equal(got[1], 1000);
	assert_int_equal(got[2], 0);
	clock_fix_mono(-1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_started),
	    cmocka_unit_test(test_fixed_mono),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_wall),
	    cmocka_unit_test(test_real_clock),
	    cmocka_unit_test(test_thread_reads),
	};

	return cmocka_run_group_tests_name("deadline", tests, NULL, NULL);
}
