/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * deadline.h: the one deadline of a run, and the clocks.
 *
 * A plugin calls deadline_start() once after parsing its options; every wait
 * in the suite (poll, libunbound, GnuTLS, libcurl) asks deadline_left_ms()
 * for the time it may take. Nothing else keeps time. "Now" comes from
 * clock_mono_ms() and clock_wall(), which tests can fix (clock_fix_*), so
 * the deadline and certificate lifetimes are reproducible. Readable from
 * any thread once started.
 */
#ifndef MAILTLS_DEADLINE_H
#define MAILTLS_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Monotonic milliseconds (CLOCK_MONOTONIC) unless fixed. */
int64_t clock_mono_ms(void);
/* Seconds since the epoch (CLOCK_REALTIME) unless fixed. */
time_t clock_wall(void);
/* Fix the clocks for tests; a negative value releases them. */
void clock_fix_mono(int64_t ms);
void clock_fix_wall(time_t t);

/* Starts the run's deadline timeout_ms from now. */
void deadline_start(int64_t timeout_ms);
/* Milliseconds left, 0 when passed, INT32_MAX-capped; -1 if never started. */
int deadline_left_ms(void);
bool deadline_passed(void);
/* Milliseconds since deadline_start(). */
int64_t deadline_elapsed_ms(void);

#endif
