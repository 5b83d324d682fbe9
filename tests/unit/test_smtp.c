/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests of the pure SMTP reply reader and EHLO keyword parser
 * (CONFORMANCE SMTP-03, SMTP-04, SMTP-06).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "smtp.h"

static enum smtp_feed
feed(struct smtp_reply *r, const char *line)
{
	return smtp_reply_feed(r, line, strlen(line));
}

/* Feeds lines until one is not MORE; returns that result. */
static enum smtp_feed
feed_all(struct smtp_reply *r, const char *const *lines)
{
	enum smtp_feed f = SMTP_FEED_MORE;

	smtp_reply_init(r);
	for (; *lines != NULL; lines++)
		if ((f = feed(r, *lines)) != SMTP_FEED_MORE)
			break;
	return f;
}

static void
test_single_line(void **state)
{
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	assert_int_equal(feed(&r, "220 mx.example.com ESMTP"), SMTP_FEED_DONE);
	assert_int_equal(r.code, 220);
	assert_string_equal(r.first, "mx.example.com ESMTP");
	assert_false(r.overlong);
	smtp_reply_free(&r);
}

static void
test_bare_code(void **state)
{
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	assert_int_equal(feed(&r, "250"), SMTP_FEED_DONE);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.first, "");
	smtp_reply_free(&r);
}

static void
test_multiline_greeting(void **state)
{
	const char *const lines[] = {"220-a", "220-b", "220 c", NULL};
	struct smtp_reply r;

	(void)state;
	assert_int_equal(feed_all(&r, lines), SMTP_FEED_DONE);
	assert_int_equal(r.nlines, 3);
	assert_string_equal(r.first, "a");
	smtp_reply_free(&r);
}

static void
test_code_changes(void **state)
{
	const char *const lines[] = {"250-a", "251 b", NULL};
	struct smtp_reply r;

	(void)state;
	assert_int_equal(feed_all(&r, lines), SMTP_FEED_BAD);
	assert_non_null(strstr(r.bad, "changed from 250 to 251"));
	smtp_reply_free(&r);
}

static void
test_bad_codes(void **state)
{
	static const char *const bad[] = {"600 x", "25 x", "2x0 x", "160 x",
					  "260 x", "250x", "", "abc", "2",
					  NULL};
	struct smtp_reply r;

	(void)state;
	for (const char *const *b = bad; *b != NULL; b++) {
		smtp_reply_init(&r);
		assert_int_equal(feed(&r, *b), SMTP_FEED_BAD);
		smtp_reply_free(&r);
	}
	smtp_reply_init(&r);
	assert_int_equal(feed(&r, "559 x"), SMTP_FEED_DONE);
	smtp_reply_free(&r);
}

static void
test_overlong(void **state)
{
	char line[700];
	struct smtp_reply r;

	(void)state;
	memset(line, 'x', sizeof(line));
	memcpy(line, "250 ", 4);
	smtp_reply_init(&r);
	/* 510 octets + CRLF = 512: allowed */
	assert_int_equal(smtp_reply_feed(&r, line, 510), SMTP_FEED_DONE);
	assert_false(r.overlong);
	smtp_reply_free(&r);
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, line, 511), SMTP_FEED_DONE);
	assert_true(r.overlong);
	smtp_reply_free(&r);
}

static void
test_too_many_lines(void **state)
{
	struct smtp_reply r;
	enum smtp_feed f = SMTP_FEED_MORE;
	int i;

	(void)state;
	smtp_reply_init(&r);
	for (i = 0; i < 150 && f == SMTP_FEED_MORE; i++)
		f = feed(&r, "250-X");
	assert_int_equal(f, SMTP_FEED_BAD);
	assert_true(r.too_many);
	assert_int_equal(i, SMTP_REPLY_MAX_LINES + 1);
	smtp_reply_free(&r);
}

static unsigned
ehlo(const char *const *lines)
{
	struct smtp_reply r;
	unsigned ext;

	assert_int_equal(feed_all(&r, lines), SMTP_FEED_DONE);
	ext = smtp_ehlo_parse(&r);
	smtp_reply_free(&r);
	return ext;
}

static void
test_ehlo_keywords(void **state)
{
	const char *const plain[] = {"250-mx.example.com", "250-PIPELINING",
				     "250-SIZE 10240000", "250-STARTTLS",
				     "250 8BITMIME", NULL};
	const char *const last[] = {"250-mx", "250 STARTTLS", NULL};
	const char *const lower[] = {"250-mx", "250-starttls", "250 SIZE",
				     NULL};
	const char *const x[] = {"250-mx", "250-XSTARTTLS", "250 SIZE", NULL};
	const char *const cisco[] = {"250-STARTTLS", "250-SIZE", "250 8BITMIME",
				     NULL};
	const char *const arg[] = {"250-mx", "250-STARTTLS foo", "250 X", NULL};
	const char *const prefix[] = {"250-mx", "250-STARTTLSX", "250 X",
				      NULL};

	(void)state;
	assert_int_equal(ehlo(plain), SMTP_EXT_STARTTLS | SMTP_EXT_PIPELINING |
					      SMTP_EXT_SIZE |
					      SMTP_EXT_8BITMIME);
	assert_int_equal(ehlo(last), SMTP_EXT_STARTTLS);
	assert_int_equal(ehlo(lower) & SMTP_EXT_STARTTLS, SMTP_EXT_STARTTLS);
	assert_int_equal(ehlo(x) & SMTP_EXT_STARTTLS, 0);
	/* line 1 is the server's name, not a keyword (SMTP-06) */
	assert_int_equal(ehlo(cisco) & SMTP_EXT_STARTTLS, 0);
	assert_int_equal(ehlo(arg) & SMTP_EXT_STARTTLS, SMTP_EXT_STARTTLS);
	assert_int_equal(ehlo(prefix) & SMTP_EXT_STARTTLS, 0);
}

static void
test_ehlo_not_250(void **state)
{
	const char *const lines[] = {"502 5.5.2 no", NULL};

	(void)state;
	assert_int_equal(ehlo(lines), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_line),
		cmocka_unit_test(test_bare_code),
		cmocka_unit_test(test_multiline_greeting),
		cmocka_unit_test(test_code_changes),
		cmocka_unit_test(test_bad_codes),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_too_many_lines),
		cmocka_unit_test(test_ehlo_keywords),
		cmocka_unit_test(test_ehlo_not_250),
	};

	return cmocka_run_group_tests_name("smtp", tests, NULL, NULL);
}
