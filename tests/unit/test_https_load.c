/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_https_load.c: common/https.c when libcurl cannot be loaded. The
 * module is compiled here with a soname no system has, so its dlopen()
 * fails as it would on a machine without libcurl3-gnutls: the fetch must
 * end with HTTPS_SETUP (the plugins' UNKNOWN) and a sentence naming the
 * library and its package, not crash or report the server. The real
 * library's path is covered by the integration cases (mt-fetch,
 * check_mta_sts, check_tlsrpt_record).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#define HTTPS_CURL_SONAME "libcurl-mailtls-absent.so.4"
#include "https.c"

static void
test_missing_libcurl(void **state)
{
	const char *addrs[] = {"127.0.0.1"};
	struct https_result res;

	(void)state;
	for (int i = 0; i < 2; i++) { /* a second call fails the same way */
		https_get("mta-sts.example.test", 443, "/.well-known/mta-sts.txt",
			  addrs, 1, NULL, 0, 1024, &res);
		assert_int_equal(res.fail, HTTPS_SETUP);
		assert_non_null(strstr(res.why, "cannot load libcurl "
						"(libcurl-mailtls-absent.so.4, "
						"Debian package libcurl3-gnutls)"));
		assert_false(res.tls_done);
		assert_int_equal(res.status, 0);
		assert_null(res.body);
		https_result_free(&res);
	}
	assert_null(cu.lib);
}

/* No address: refused before anything is loaded. */
static void
test_no_address_first(void **state)
{
	struct https_result res;

	(void)state;
	https_get("mta-sts.example.test", 443, "/", NULL, 0, NULL, 0, 1024,
		  &res);
	assert_int_equal(res.fail, HTTPS_CONNECT);
	assert_string_equal(res.why, "no address to connect to");
	https_result_free(&res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_address_first),
	    cmocka_unit_test(test_missing_libcurl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
