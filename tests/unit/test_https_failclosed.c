/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_https_failclosed.c: common/https.c fails closed (CONFORMANCE
 * PKIX-03). The module is compiled here and its libcurl table filled with
 * stand-ins, so that the libcurl behaviours no machine of ours has can be
 * played: a libcurl older than 7.80 that refuses CURLOPT_PREREQFUNCTION
 * (the hook our certificate verdict runs in), one that refuses any other
 * option the check rests on, and one that answers 200 with a body without
 * ever calling the hook (a transfer that never finished TLS under our
 * eyes). Each must end in HTTPS_SETUP (the plugins' UNKNOWN: our side),
 * never in a body taken as fetched. The real library's paths are covered
 * by the integration cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "https.c"

/* What the stand-in libcurl does. */
static struct {
	CURLoption refuse; /* setopt answers CURLE_UNKNOWN_OPTION; 0: none */
	bool call_body;	   /* perform delivers a body through WRITEFUNCTION */
	curl_write_callback write;
	void *write_data;
	int setopts;
} fake;

static CURL *
fake_init(void)
{
	static char handle;

	return (CURL *)&handle;
}

static CURLcode
fake_setopt(CURL *h, CURLoption o, ...)
{
	va_list ap;

	(void)h;
	fake.setopts++;
	if (fake.refuse != 0 && o == fake.refuse)
		return CURLE_UNKNOWN_OPTION;
	va_start(ap, o);
	if (o == CURLOPT_WRITEFUNCTION)
		fake.write = va_arg(ap, curl_write_callback);
	else if (o == CURLOPT_WRITEDATA)
		fake.write_data = va_arg(ap, void *);
	va_end(ap);
	return CURLE_OK;
}

static CURLcode
fake_perform(CURL *h)
{
	static char body[] = "version: STSv1\nmode: enforce\n";

	(void)h;
	if (fake.call_body)
		fake.write(body, 1, sizeof(body) - 1, fake.write_data);
	return CURLE_OK;
}

static CURLcode
fake_getinfo(CURL *h, CURLINFO i, ...)
{
	va_list ap;

	(void)h;
	va_start(ap, i);
	if (i == CURLINFO_RESPONSE_CODE)
		*va_arg(ap, long *) = 200;
	else if (i == CURLINFO_CONTENT_TYPE)
		*va_arg(ap, const char **) = "text/plain";
	else if (i == CURLINFO_TOTAL_TIME)
		*va_arg(ap, double *) = 0.001;
	else if (i == CURLINFO_HTTP_VERSION)
		*va_arg(ap, long *) = CURL_HTTP_VERSION_1_1;
	else {
		va_end(ap);
		return CURLE_UNKNOWN_OPTION;
	}
	va_end(ap);
	return CURLE_OK;
}

static void
fake_cleanup(CURL *h)
{
	(void)h;
}

static const char *
fake_strerror(CURLcode c)
{
	return c == CURLE_UNKNOWN_OPTION ? "An unknown option was passed in "
					   "to libcurl"
					 : "fake";
}

static struct curl_slist *
fake_slist_append(struct curl_slist *l, const char *s)
{
	static struct curl_slist one;

	(void)l;
	one.data = (char *)s;
	return &one;
}

static void
fake_slist_free_all(struct curl_slist *l)
{
	(void)l;
}

static int
setup(void **state)
{
	static char lib; /* never dlclose()d: curl_load() sees it loaded */

	(void)state;
	memset(&fake, 0, sizeof(fake));
	cu.lib = &lib;
	cu.easy_init = fake_init;
	cu.easy_setopt = fake_setopt;
	cu.easy_perform = fake_perform;
	cu.easy_getinfo = fake_getinfo;
	cu.easy_cleanup = fake_cleanup;
	cu.easy_strerror = fake_strerror;
	cu.slist_append = fake_slist_append;
	cu.slist_free_all = fake_slist_free_all;
	return 0;
}

static void
fetch(struct https_result *res)
{
	const char *addrs[] = {"127.0.0.1"};

	https_get("mta-sts.example.test", 443, "/.well-known/mta-sts.txt",
		  addrs, 1, NULL, 0, 1024, res);
}

/* libcurl < 7.80 has no CURLOPT_PREREQFUNCTION: nothing is fetched. */
static void
test_hook_refused(void **state)
{
	struct https_result res;

	(void)state;
	fake.refuse = CURLOPT_PREREQFUNCTION;
	fake.call_body = true;
	fetch(&res);
	assert_int_equal(res.fail, HTTPS_SETUP);
	assert_non_null(strstr(res.why, "libcurl refused "
					"CURLOPT_PREREQFUNCTION"));
	assert_non_null(strstr(res.why, "(PKIX-03)"));
	assert_null(res.body);
	https_result_free(&res);
}

/* Any option the check rests on: the pinning, the protocol, the version. */
static void
test_other_options_refused(void **state)
{
	static const struct {
		CURLoption o;
		const char *name;
	} opts[] = {
	    {CURLOPT_RESOLVE, "CURLOPT_RESOLVE"},
	    {CURLOPT_PROTOCOLS_STR, "CURLOPT_PROTOCOLS_STR"},
	    {CURLOPT_FOLLOWLOCATION, "CURLOPT_FOLLOWLOCATION"},
	    {CURLOPT_HTTP_VERSION, "CURLOPT_HTTP_VERSION"},
	    {CURLOPT_PREREQDATA, "CURLOPT_PREREQDATA"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		struct https_result res;

		fake.refuse = opts[i].o;
		fetch(&res);
		assert_int_equal(res.fail, HTTPS_SETUP);
		assert_non_null(strstr(res.why, opts[i].name));
		https_result_free(&res);
	}
}

/* 200 and a body, but the hook never ran: not a pass. */
static void
test_answer_without_verdict(void **state)
{
	struct https_result res;

	(void)state;
	fake.call_body = true;
	fetch(&res);
	assert_true(fake.setopts > 10);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.fail, HTTPS_SETUP);
	assert_false(res.tls_done);
	assert_non_null(strstr(res.why, "the certificate check did not run "
					"(PKIX-03)"));
	assert_string_equal(res.http_version, "HTTP/1.1");
	https_result_free(&res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_hook_refused, setup),
	    cmocka_unit_test_setup(test_other_options_refused, setup),
	    cmocka_unit_test_setup(test_answer_without_verdict, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
