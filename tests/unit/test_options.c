/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests of the shared option parser (INTERFACE.md options, OUT-05,
 * OUT-06): bounds, -t N:STATE, repeatable --resolver, exit codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

enum { OPT_FLAG = OPT_PLUGIN };

static const struct opt_def table[] = {
	OPTDEF_DOMAIN,	OPTDEF_HOSTNAME,      OPTDEF_PORT,
	OPTDEF_IPV4,	OPTDEF_IPV6,	      OPTDEF_TIMEOUT,
	OPTDEF_TIMEOUT_RESULT, OPTDEF_RESOLVER, OPTDEF_TRUST_ANCHOR,
	OPTDEF_CAFILE,	OPTDEF_OUTPUT_FORMAT, OPTDEF_VERBOSE,
	OPTDEF_HELP,	OPTDEF_VERSION,
	{OPT_WARNING, "warning", 'w', "RANGE", "w"},
	{OPT_CRITICAL, "critical", 'c', "RANGE", "c"},
	{OPT_FLAG, "flag", 0, NULL, "a plugin flag"},
	{0, NULL, 0, NULL, NULL},
};

static const struct plugin_desc desc = {
	.prog = "check_test",
	.label = "TEST",
	.purpose = "test",
	.usage = "-D DOMAIN",
	.opts = table,
};

static int flag_seen;

static int
handler(void *ctx, int id, const char *arg, const char **why)
{
	(void)ctx;
	(void)arg;
	if (id == OPT_FLAG) {
		flag_seen++;
		return 0;
	}
	*why = "unexpected";
	return -1;
}

static enum opts_result
parse(struct common_opts *co, int *code, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = (char *)"check_test";
	va_start(ap, code);
	while ((a = va_arg(ap, char *)) != NULL && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	*code = -1;
	fflush(stdout);
	return opts_parse(&desc, argc, argv, co, handler, NULL, code);
}

static void
test_defaults(void **state)
{
	struct common_opts co;
	int code;

	(void)state;
	assert_int_equal(parse(&co, &code, "-D", "example.com", NULL), OPTS_OK);
	assert_string_equal(co.domain, "example.com");
	assert_int_equal(co.port, 25);
	assert_int_equal(co.timeout_s, 10);
	assert_int_equal(co.timeout_result, MT_CRITICAL);
	assert_int_equal(co.format, OUT_NAGIOS);
	assert_int_equal(co.nresolvers, 0);
	assert_null(co.warning);
}

static void
test_everything(void **state)
{
	struct common_opts co;
	int code;

	(void)state;
	flag_seen = 0;
	assert_int_equal(parse(&co, &code, "-H", "mx.example.com", "-p", "587",
			       "-4", "-t", "20:unknown", "--resolver",
			       "127.0.0.1", "--resolver", "::1@5353",
			       "--trust-anchor", "/a", "--cafile", "/c",
			       "--output-format", "json", "-vvv", "-v", "-w",
			       "30:", "-c", "@1:2", "--flag", NULL),
			 OPTS_OK);
	assert_string_equal(co.hostname, "mx.example.com");
	assert_int_equal(co.port, 587);
	assert_true(co.only4);
	assert_false(co.only6);
	assert_int_equal(co.timeout_s, 20);
	assert_int_equal(co.timeout_result, MT_UNKNOWN);
	assert_int_equal(co.nresolvers, 2);
	assert_string_equal(co.resolvers[1], "::1@5353");
	assert_string_equal(co.trust_anchor, "/a");
	assert_string_equal(co.cafile, "/c");
	assert_int_equal(co.format, OUT_JSON);
	assert_int_equal(co.verbose, 3); /* capped */
	assert_string_equal(co.warning, "30:");
	assert_string_equal(co.critical, "@1:2");
	assert_int_equal(flag_seen, 1);
}

static void
test_timeout_result(void **state)
{
	struct common_opts co;
	int code;

	(void)state;
	assert_int_equal(parse(&co, &code, "--timeout-result", "WARNING", NULL),
			 OPTS_OK);
	assert_int_equal(co.timeout_result, MT_WARNING);
	assert_int_equal(parse(&co, &code, "-t", "5:ok", NULL), OPTS_OK);
	assert_int_equal(co.timeout_result, MT_OK);
	assert_int_equal(co.timeout_s, 5);
}

static void
test_bad(void **state)
{
	static const char *const bad[][3] = {
		{"-p", "0", NULL},	    {"-p", "65536", NULL},
		{"-p", "25x", NULL},	    {"-p", "", NULL},
		{"-t", "0", NULL},	    {"-t", "-5", NULL},
		{"-t", "10:maybe", NULL},   {"-t", "1e3", NULL},
		{"--timeout-result", "x", NULL},
		{"--output-format", "xml", NULL},
		{"--nope", NULL, NULL},	    {"-Z", NULL, NULL},
		{"-4", "-6", NULL},	    {"stray", NULL, NULL},
		{"-p", NULL, NULL},
	};
	struct common_opts co;
	int code;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&co, &code, bad[i][0], bad[i][1],
				       bad[i][2], NULL),
				 OPTS_EXIT);
		assert_int_equal(code, 3);
	}
}

static void
test_help_version(void **state)
{
	struct common_opts co;
	int code;

	(void)state;
	assert_int_equal(parse(&co, &code, "-h", NULL), OPTS_EXIT);
	assert_int_equal(code, 0);
	assert_int_equal(parse(&co, &code, "--version", NULL), OPTS_EXIT);
	assert_int_equal(code, 0);
}

static void
test_too_many_resolvers(void **state)
{
	struct common_opts co;
	int code;

	(void)state;
	assert_int_equal(parse(&co, &code, "--resolver", "1", "--resolver", "2",
			       "--resolver", "3", "--resolver", "4",
			       "--resolver", "5", "--resolver", "6",
			       "--resolver", "7", "--resolver", "8",
			       "--resolver", "9", NULL),
			 OPTS_EXIT);
	assert_int_equal(code, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_everything),
		cmocka_unit_test(test_timeout_result),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_too_many_resolvers),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
