/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests of plugin_take_name(), the one check of -D and -H: names
 * kept, bad names refused, and address literals refused with a message
 * that points at --address (issue 13 item 17).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "plugin.h"

static int
take(const char *opt, const char *in, bool has_address, char *out,
     size_t outsz, char *why, size_t whysz)
{
	return plugin_take_name(opt, in, has_address, out, outsz, why, whysz);
}

static void
test_names(void **state)
{
	char out[256], why[200];

	(void)state;
	assert_int_equal(take("-H", "mx1.example.org.", true, out, sizeof(out),
			      why, sizeof(why)),
			 0);
	assert_string_equal(out, "mx1.example.org");
	assert_string_equal(why, "");
	/* all-digit labels that are no IPv4 address stay names */
	assert_int_equal(take("-D", "1.2.3.4.example", false, out, sizeof(out),
			      why, sizeof(why)),
			 0);
	assert_int_equal(take("-D", "a..b", false, out, sizeof(out), why,
			      sizeof(why)),
			 -1);
	assert_string_equal(why, "-D: not a domain name: a..b");
	assert_int_equal(take("-H", "a b", false, out, sizeof(out), why,
			      sizeof(why)),
			 -1);
	assert_string_equal(why, "-H: not a host name: a b");
}

static void
test_addr_literals(void **state)
{
	static const char *const lits[] = {
	    "192.0.2.1", "192.0.2.1.",	       "::1",	    "[::1]",
	    "2001:db8::25", "[IPv6:2001:db8::25]", "[192.0.2.1]",
	    "fe80::1%eth0", "::ffff:192.0.2.1",
	};
	char out[256], why[200];

	(void)state;
	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		assert_true(plugin_is_addr_literal(lits[i]));
		/* -H with --address to point at */
		assert_int_equal(take("-H", lits[i], true, out, sizeof(out),
				      why, sizeof(why)),
				 -1);
		assert_non_null(strstr(why, "-H takes a host name"));
		assert_non_null(strstr(why, "-H NAME --address ADDR"));
		assert_non_null(strstr(why, lits[i]));
		/* a plugin without --address does not point at it */
		assert_int_equal(take("-H", lits[i], false, out, sizeof(out),
				      why, sizeof(why)),
				 -1);
		assert_non_null(strstr(why, "-H takes a host name"));
		assert_null(strstr(why, "--address"));
		assert_int_equal(take("-D", lits[i], false, out, sizeof(out),
				      why, sizeof(why)),
				 -1);
		assert_non_null(strstr(why, "-D takes a mail domain"));
	}
	assert_false(plugin_is_addr_literal("mx.example.org"));
	assert_false(plugin_is_addr_literal("1.2.3.4.5"));
	assert_false(plugin_is_addr_literal("[]"));
	assert_false(plugin_is_addr_literal(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_addr_literals),
	};

	return cmocka_run_group_tests_name("plugin", tests, NULL, NULL);
}
