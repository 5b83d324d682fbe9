/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_util.c: unit tests of common/util.c: strtonum-style bounds and junk
 * in util_parse_ll and util_parse_double, locale-independent number
 * formatting (OUT-04, also under de_DE.UTF-8 when that locale exists),
 * bounded copies, case-insensitive comparison, the growing buffer and the
 * out-of-memory exit (GEN-02: "LABEL UNKNOWN - out of memory", exit 3).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static void
ll_ok(const char *s, long long min, long long max, long long want)
{
	long long v = -12345;
	const char *why = "unset";

	if (util_parse_ll(s, min, max, &v, &why) != 0)
		fail_msg("\"%s\" rejected: %s", s, why);
	assert_true(v == want);
	assert_null(why);
}

static void
ll_bad(const char *s, long long min, long long max, const char *want)
{
	long long v = -12345;
	const char *why = NULL;

	if (util_parse_ll(s, min, max, &v, &why) == 0)
		fail_msg("\"%s\" accepted as %lld", s ? s : "(null)", v);
	assert_non_null(why);
	assert_string_equal(why, want);
	assert_true(v == -12345);
}

static void
test_parse_ll(void **state)
{
	(void)state;
	ll_ok("0", 0, 10, 0);
	ll_ok("10", 0, 10, 10);
	ll_ok("007", 0, 10, 7);
	ll_ok("25", 1, 65535, 25);
	ll_ok("65535", 1, 65535, 65535);
	ll_ok("-5", -10, 10, -5);
	ll_ok("-10", -10, 10, -10);
	ll_ok("+7", -10, 10, 7); /* '+' only where negatives are allowed */
	ll_ok("9223372036854775807", 0, LLONG_MAX, LLONG_MAX);
	ll_ok("-9223372036854775808", LLONG_MIN, 0, LLONG_MIN);

	ll_bad("65536", 1, 65535, "too large");
	ll_bad("0", 1, 65535, "too small");
	ll_bad("11", 0, 10, "too large");
	ll_bad("-11", -10, 10, "too small");
	ll_bad("-1", 0, 10, "too small");
	ll_bad("-0", 0, 10, "too small");
	ll_bad("+1", 0, 10, "not a number");
	ll_bad("9223372036854775808", 0, LLONG_MAX, "too large");
	ll_bad("99999999999999999999999", 0, LLONG_MAX, "too large");
	ll_bad("-9223372036854775809", LLONG_MIN, 0, "too small");
	ll_bad("99999999999999999999999x", 0, LLONG_MAX, "not a number");
	ll_bad("", 0, 10, "not a number");
	ll_bad(NULL, 0, 10, "not a number");
	ll_bad(" 1", 0, 10, "not a number");
	ll_bad("1 ", 0, 10, "not a number");
	ll_bad("1\n", 0, 10, "not a number");
	ll_bad("0x10", 0, 100, "not a number");
	ll_bad("1a", 0, 100, "not a number");
	ll_bad("1.0", 0, 100, "not a number");
	ll_bad("-", -10, 10, "not a number");
	ll_bad("+", -10, 10, "not a number");
	ll_bad("--1", -10, 10, "not a number");
	ll_bad("+-1", -10, 10, "not a number");
	ll_bad("1e3", 0, 10000, "not a number");

	/* out and why may be NULL */
	assert_int_equal(util_parse_ll("3", 0, 5, NULL, NULL), 0);
	assert_int_equal(util_parse_ll("x", 0, 5, NULL, NULL), -1);
}

static void
dbl_ok(const char *s, double want)
{
	double v = -12345;
	const char *why = "unset";

	if (util_parse_double(s, -1e9, 1e9, &v, &why) != 0)
		fail_msg("\"%s\" rejected: %s", s, why);
	assert_true(v == want);
	assert_null(why);
}

static void
dbl_bad(const char *s, double min, double max, const char *want)
{
	double v = -12345;
	const char *why = NULL;

	if (util_parse_double(s, min, max, &v, &why) == 0)
		fail_msg("\"%s\" accepted as %g", s ? s : "(null)", v);
	assert_string_equal(why, want);
	assert_true(v == -12345);
}

static void
test_parse_double(void **state)
{
	char huge[420];

	(void)state;
	dbl_ok("1", 1);
	dbl_ok("-2.5", -2.5);
	dbl_ok("0.25", 0.25);
	dbl_ok("+3", 3);
	dbl_ok(".5", 0.5);
	dbl_ok("5.", 5);
	dbl_ok("0.1", 0.1);
	dbl_ok("123456.789", 123456.789);
	dbl_ok("-0", 0);
	dbl_ok("000010", 10);

	dbl_bad("", -1e9, 1e9, "not a number");
	dbl_bad(NULL, -1e9, 1e9, "not a number");
	dbl_bad(".", -1e9, 1e9, "not a number");
	dbl_bad("-", -1e9, 1e9, "not a number");
	dbl_bad("1e3", -1e9, 1e9, "not a number");
	dbl_bad("1E3", -1e9, 1e9, "not a number");
	dbl_bad("inf", -1e9, 1e9, "not a number");
	dbl_bad("-infinity", -1e9, 1e9, "not a number");
	dbl_bad("nan", -1e9, 1e9, "not a number");
	dbl_bad("NAN", -1e9, 1e9, "not a number");
	dbl_bad("0x10", -1e9, 1e9, "not a number");
	dbl_bad("0x1p3", -1e9, 1e9, "not a number");
	dbl_bad(" 1", -1e9, 1e9, "not a number");
	dbl_bad("1 ", -1e9, 1e9, "not a number");
	dbl_bad("1.2.3", -1e9, 1e9, "not a number");
	dbl_bad("1,5", -1e9, 1e9, "not a number");
	dbl_bad("--1", -1e9, 1e9, "not a number");
	dbl_bad("10", 0, 9.5, "too large");
	dbl_bad("-0.001", 0, 10, "too small");

	memset(huge, '9', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	dbl_bad(huge, -1e300, 1e300, "too large");
	huge[0] = '-';
	dbl_bad(huge, -1e300, 1e300, "too small");
}

static void
fmt_eq(double v, const char *want)
{
	char b[64];

	memset(b, 'x', sizeof(b));
	assert_ptr_equal(util_fmt_double(b, sizeof(b), v), b);
	assert_string_equal(b, want);
}

static void
test_fmt_double(void **state)
{
	char small[4];

	(void)state;
	fmt_eq(0, "0");
	fmt_eq(-0.0, "0");
	fmt_eq(-0.0004, "0");
	fmt_eq(0.0004, "0");
	fmt_eq(14, "14");
	fmt_eq(-14, "-14");
	fmt_eq(0.512, "0.512");
	fmt_eq(-3.25, "-3.25");
	fmt_eq(0.1, "0.1");
	fmt_eq(0.1 + 0.2, "0.3");
	fmt_eq(2.5, "2.5");
	fmt_eq(10.001, "10.001");
	fmt_eq(1.0006, "1.001");
	fmt_eq(1.9996, "2");
	fmt_eq(-1.9996, "-2");
	fmt_eq(0.05, "0.05");
	fmt_eq(2419200, "2419200");
	fmt_eq(31557600, "31557600");
	fmt_eq(1234567.125, "1234567.125");
	fmt_eq(1e16, "10000000000000000");
	fmt_eq(-1e16, "-10000000000000000");
	fmt_eq(9007199254740993.0, "9007199254740992");
	fmt_eq(NAN, "nan");
	fmt_eq(INFINITY, "inf");
	fmt_eq(-INFINITY, "-inf");

	util_fmt_double(small, sizeof(small), 12345);
	assert_string_equal(small, "123");
	small[0] = 'q';
	util_fmt_double(small, 0, 1);
	assert_int_equal(small[0], 'q');
}

/* OUT-04: with LC_ALL=de_DE.UTF-8 the output still prints 0.512. */
static void
test_german_locale(void **state)
{
	char b[32];
	double v = 0;

	(void)state;
	if (setlocale(LC_ALL, "de_DE.UTF-8") == NULL &&
	    setlocale(LC_ALL, "de_DE.utf8") == NULL) {
		print_message("de_DE.UTF-8 not installed, skipped\n");
		skip();
	}
	/* the locale really uses ',' */
	snprintf(b, sizeof(b), "%.3f", 0.512);
	assert_string_equal(b, "0,512");

	fmt_eq(0.512, "0.512");
	fmt_eq(-3.25, "-3.25");
	fmt_eq(1234567.5, "1234567.5");
	assert_int_equal(util_parse_double("0.512", 0, 1, &v, NULL), 0);
	assert_true(v == 0.512);
	assert_int_equal(util_parse_double("0,5", 0, 1, &v, NULL), -1);
	setlocale(LC_ALL, "C");
}

static void
test_strlcpy(void **state)
{
	char b[6];

	(void)state;
	assert_int_equal(util_strlcpy(b, "abc", sizeof(b)), 3);
	assert_string_equal(b, "abc");
	assert_int_equal(util_strlcpy(b, "abcdefgh", sizeof(b)), 8);
	assert_string_equal(b, "abcde");
	assert_int_equal(util_strlcpy(b, "", sizeof(b)), 0);
	assert_string_equal(b, "");
	b[0] = 'z';
	assert_int_equal(util_strlcpy(b, "abc", 0), 3);
	assert_int_equal(b[0], 'z');
	assert_int_equal(util_strlcpy(b, "abc", 1), 3);
	assert_string_equal(b, "");
}

static void
test_strcasecmp(void **state)
{
	(void)state;
	assert_int_equal(util_strcasecmp("STARTTLS", "starttls"), 0);
	assert_int_equal(util_strcasecmp("", ""), 0);
	assert_true(util_strcasecmp("a", "b") < 0);
	assert_true(util_strcasecmp("B", "a") > 0);
	assert_true(util_strcasecmp("abc", "ab") > 0);
	assert_true(util_strcasecmp("ab", "abc") < 0);
	/* ASCII only: bytes >= 0x80 compare as they are */
	assert_true(util_strcasecmp("\xc4", "\xe4") != 0);
	assert_int_equal(util_strncasecmp("250-STARTTLS", "250-starttlsX", 12),
			 0);
	assert_true(util_strncasecmp("250-STARTTLS", "250-starttlsX", 13) != 0);
	assert_int_equal(util_strncasecmp("abc", "xyz", 0), 0);
	assert_int_equal(util_strncasecmp("ab", "AB", 10), 0);
}

static void
test_alloc(void **state)
{
	char *s;
	void *p;

	(void)state;
	s = xstrdup("hello");
	assert_string_equal(s, "hello");
	free(s);
	s = xstrndup("hello", 3);
	assert_string_equal(s, "hel");
	free(s);
	s = xstrndup("hi", 10);
	assert_string_equal(s, "hi");
	free(s);
	s = xasprintf("%s=%d;%05.1f", "x", 42, 2.5);
	assert_string_equal(s, "x=42;002.5");
	free(s);
	s = xasprintf("%s", "");
	assert_string_equal(s, "");
	free(s);
	p = xcalloc(16, 4);
	assert_true(((unsigned char *)p)[63] == 0);
	p = xrealloc(p, 1024);
	free(p);
	p = xmalloc(0);
	assert_non_null(p);
	free(p);
	p = xcalloc(0, 8);
	assert_non_null(p);
	free(p);
}

static void
test_buf(void **state)
{
	struct buf b;
	char *s, big[5000];
	int i;

	(void)state;
	buf_init(&b);
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	assert_int_equal(b.len, 0);
	buf_free(&b); /* nothing allocated: fine */

	buf_init(&b);
	buf_puts(&b, "ab");
	buf_putc(&b, 'c');
	buf_add(&b, "defXX", 3);
	buf_printf(&b, "-%d-", 7);
	assert_string_equal(b.p, "abcdef-7-");
	assert_int_equal(b.len, 9);

	/* growth through printf and add */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_printf(&b, "%s|", big);
	assert_int_equal(b.len, 9 + 4999 + 1);
	assert_int_equal(b.p[b.len - 1], '|');
	assert_int_equal(b.p[b.len], '\0');
	for (i = 0; i < 1000; i++)
		buf_add(&b, "0123456789", 10);
	assert_int_equal(b.len, 9 + 5000 + 10000);
	assert_int_equal(strlen(b.p), b.len);

	s = buf_take(&b);
	assert_int_equal(strlen(s), 15009);
	free(s);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");

	/* take on an empty buffer still returns a string */
	s = buf_take(&b);
	assert_string_equal(s, "");
	free(s);
	buf_add(&b, "", 0);
	assert_string_equal(b.p, "");
	buf_free(&b);
	buf_free(&b);
}

/* util_oom() in a child: the UNKNOWN line on stdout, exit code 3. */
static void
test_oom(void **state)
{
	int fds[2], st;
	char got[128];
	ssize_t n, off = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		util_set_label("SMTP STARTTLS");
		util_oom();
	}
	close(fds[1]);
	while ((n = read(fds[0], got + off, sizeof(got) - 1 - (size_t)off)) > 0)
		off += n;
	got[off] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 3);
	assert_string_equal(got, "SMTP STARTTLS UNKNOWN - out of memory\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ll),
	    cmocka_unit_test(test_parse_double),
	    cmocka_unit_test(test_fmt_double),
	    cmocka_unit_test(test_german_locale),
	    cmocka_unit_test(test_strlcpy),
	    cmocka_unit_test(test_strcasecmp),
	    cmocka_unit_test(test_alloc),
	    cmocka_unit_test(test_buf),
	    cmocka_unit_test(test_oom),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
