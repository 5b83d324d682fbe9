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

#include "mtasts.h"
#include "tls.h"
#include "util.h"

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

/*
 * Issue 13 item 14: a name in presentation form with an escaped dot
 * inside a label ("mx\.a.example.org": labels "mx.a", "example", "org")
 * is compared label by label, never split at that dot.
 */
static void
test_escaped_dot(void **state)
{
	struct util_name n;

	(void)state;
	/* RFC 9525 DNS-ID */
	assert_false(names_match_dnsid("*.a.example.org", "mx\\.a.example.org"));
	assert_false(names_match_dnsid("mx.a.example.org", "mx\\.a.example.org"));
	assert_false(names_match_dnsid("*.example.org", "x.mx\\.a.example.org"));
	assert_true(names_match_dnsid("*.example.org", "mx\\.a.example.org"));
	/* \046 is '.' inside the label too; \049 is '1' */
	assert_true(names_match_dnsid("*.example.org", "mx\\046a.example.org"));
	assert_false(names_match_dnsid("*.a.example.org", "mx\\046a.example.org"));
	assert_true(names_match_dnsid("mx1.example.org", "mx\\049.example.org"));
	assert_true(names_match_dnsid("mx1.example.org", "MX1.example.org."));
	assert_false(names_match_dnsid("mx1.example.org.", "mx1.example.org\\."));
	/* RFC 8461 4.1 mx patterns */
	assert_false(mtasts_mx_match("*.a.example.org", "mx\\.a.example.org"));
	assert_false(mtasts_mx_match("mx.a.example.org", "mx\\.a.example.org"));
	assert_true(mtasts_mx_match("*.example.org", "mx\\.a.example.org"));
	assert_true(mtasts_mx_match("*.example.org", "MX1.Example.ORG."));
	assert_false(mtasts_mx_match("*.example.org", "a.b.example.org"));
	assert_true(mtasts_mx_match("*.com", "example.com"));
	assert_false(mtasts_mx_match("*.example.org", "example.org"));
	/* the splitter */
	assert_int_equal(util_name_split("mx\\.a.example.org.", 18, true, &n),
			 0);
	assert_int_equal(n.n, 3);
	assert_int_equal(n.len[0], 4);
	assert_memory_equal(n.buf + n.off[0], "mx.a", 4);
	assert_int_equal(util_name_split("a\\\\.b", 5, true, &n), 0);
	assert_int_equal(n.n, 2); /* "\\" is a backslash, then a real dot */
	assert_int_equal(util_name_split("a\\000b.c", 8, true, &n), 0);
	assert_int_equal(n.len[0], 3); /* a NUL byte inside a label */
	assert_int_equal(util_name_split("a\\256.b", 7, true, &n), -1);
	assert_int_equal(util_name_split("a\\", 2, true, &n), -1);
	assert_int_equal(util_name_split("a..b", 4, true, &n), -1);
	assert_int_equal(util_name_split(".", 1, false, &n), -1);
	assert_int_equal(util_name_split("mx\\.a.b", 7, false, &n), 0);
	assert_int_equal(n.n, 3); /* plain text: the backslash is a byte */
}

/* RPT-31: address literals are told apart from names, in both families. */
static void
test_ip_literal(void **state)
{
	unsigned char ip[16];

	(void)state;
	assert_int_equal(tls_ip_literal("127.3.0.62", ip), 4);
	assert_memory_equal(ip, "\x7f\x03\x00\x3e", 4);
	assert_int_equal(tls_ip_literal("::1", ip), 16);
	assert_int_equal(ip[15], 1);
	assert_int_equal(tls_ip_literal("[2001:db8::25]", ip), 16);
	assert_int_equal(ip[0], 0x20);
	assert_int_equal(ip[15], 0x25);
	assert_int_equal(tls_ip_literal("rua.example.com", ip), 0);
	assert_int_equal(tls_ip_literal("127.3.0", ip), 0);
	assert_int_equal(tls_ip_literal("127.3.0.256", ip), 0);
	assert_int_equal(tls_ip_literal("[127.0.0.1", ip), 0);
	assert_int_equal(tls_ip_literal("", ip), 0);
	assert_int_equal(tls_ip_literal("[]", ip), 0);
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
		cmocka_unit_test(test_escaped_dot),
		cmocka_unit_test(test_ip_literal),
		cmocka_unit_test(test_version),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
