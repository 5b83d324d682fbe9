/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests of RFC 9525 6.3 DNS-ID matching (CONFORMANCE MXM-07, STP-04,
 * DANE-17) and TLS version parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tls.h"

static void
test_exact(void **state)
{
	(void)state;
	assert_true(names_match_dnsid("mx1.example.com", "mx1.example.com"));
	assert_true(names_match_dnsid("MX1.Example.COM", "mx1.example.com"));
	assert_true(names_match_dnsid("mx1.example.com.", "mx1.example.com"));
	assert_true(names_match_dnsid("mx1.example.com", "MX1.EXAMPLE.COM."));
	assert_false(names_match_dnsid("mx1.example.com", "mx2.example.com"));
	assert_false(names_match_dnsid("example.com", "mx1.example.com"));
	assert_false(names_match_dnsid("mx1.example.co", "mx1.example.com"));
	assert_false(names_match_dnsid("", "mx1.example.com"));
	assert_false(names_match_dnsid("mx1.example.com", ""));
}

static void
test_wildcard(void **state)
{
	(void)state;
	assert_true(names_match_dnsid("*.example.com", "mail.example.com"));
	assert_true(names_match_dnsid("*.example.com", "MAIL.EXAMPLE.COM."));
	assert_false(names_match_dnsid("*.example.com", "example.com"));
	assert_false(names_match_dnsid("*.example.com", "a.b.example.com"));
	assert_false(names_match_dnsid("*.example.com", ".example.com"));
	/* '*' only as the whole left-most label */
	assert_false(names_match_dnsid("mta*.example.com", "mta1.example.com"));
	assert_false(names_match_dnsid("smtp*.example.com",
				       "smtp1.example.com"));
	assert_false(names_match_dnsid("mail.*.example.com",
				       "mail.a.example.com"));
	assert_false(names_match_dnsid("*", "com"));
	assert_false(names_match_dnsid("*.com", "example.com"));
	assert_false(names_match_dnsid("**.example.com", "a.example.com"));
	assert_false(names_match_dnsid("*.*.example.com", "a.b.example.com"));
}

static void
test_version(void **state)
{
	(void)state;
	assert_int_equal(tls_version_parse("1.2"), 12);
	assert_int_equal(tls_version_parse("1.3"), 13);
	assert_int_equal(tls_version_parse("TLSv1.0"), 10);
	assert_int_equal(tls_version_parse("tls1.1"), 11);
	assert_int_equal(tls_version_parse("1.4"), -1);
	assert_int_equal(tls_version_parse(""), -1);
	assert_int_equal(tls_version_parse("12"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_version),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
