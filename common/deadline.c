/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * deadline.c: the run's single deadline and the two clocks it is measured
 * with (STYLE.md 6; INTERFACE.md: the whole run ends within --timeout plus
 * one second). clock_mono_ms() reads CLOCK_MONOTONIC, clock_wall()
 * CLOCK_REALTIME; tests fix either with clock_fix_*(). The state is a few
 * plain globals written by the main thread before any worker thread
 * starts (deadline_start() and clock_fix_*() are called from main or from
 * a single-threaded test) and only read afterwards, so reads from any
 * thread are safe.
 */
#include <stdint.h>
#include <time.h>

#include "deadline.h"

static int64_t fixed_mono = -1; /* -1: the real clock */
static time_t fixed_wall = -1;
static bool started;
static int64_t start_ms;
static int64_t end_ms;

int64_t
clock_mono_ms(void)
{
	struct timespec ts;

	if (fixed_mono >= 0)
		return fixed_mono;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return (int64_t)time(NULL) * 1000;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

time_t
clock_wall(void)
{
	struct timespec ts;

	if (fixed_wall >= 0)
		return fixed_wall;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return time(NULL);
	return ts.tv_sec;
}

void
clock_fix_mono(int64_t ms)
{
	fixed_mono = ms < 0 ? -1 : ms;
}

void
clock_fix_wall(time_t t)
{
	fixed_wall = t < 0 ? -1 : t;
}

/* A negative timeout counts as 0 (already passed); huge ones saturate. */
void
deadline_start(int64_t timeout_ms)
{
	start_ms = clock_mono_ms();
	if (timeout_ms < 0)
		timeout_ms = 0;
	if (timeout_ms > INT64_MAX - start_ms)
		end_ms = INT64_MAX;
	else
		end_ms = start_ms + timeout_ms;
	started = true;
}

int
deadline_left_ms(void)
{
	int64_t now, left;

	if (!started)
		return -1;
	now = clock_mono_ms();
	if (now >= end_ms)
		return 0;
	left = end_ms - now;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* False while no deadline was started. */
bool
deadline_passed(void)
{
	return started && deadline_left_ms() == 0;
}

/* 0 while no deadline was started. */
int64_t
deadline_elapsed_ms(void)
{
	if (!started)
		return 0;
	return clock_mono_ms() - start_ms;
}
