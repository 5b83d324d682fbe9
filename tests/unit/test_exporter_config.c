/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_exporter_config.c: unit tests of exporter/exp_config.c: the YAML
 * config of blackbox_exporter's shape (INTERFACE.md, "The Prometheus
 * exporter"): good files with lists, flags, false and durations; bad ones
 * (broken YAML, unknown keys, wrong types, unknown checks, options the
 * exporter sets itself, duplicate modules, bad names, two documents) each
 * with a reason naming the line; the built-in modules; and the argv one
 * run gets (domain against host:port, options as --name=value).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter.h"

static struct exp_config *
parse(const char *y, char *why)
{
	return exp_config_parse(y, strlen(y), why, EXP_WHY_MAX);
}

static void
test_good(void **state)
{
	char why[EXP_WHY_MAX] = "";
	const char *y = "modules:\n"
			"  strict_sts:\n"
			"    check: mta_sts\n"
			"    timeout: 15s\n"
			"    options:\n"
			"      resolver: [192.0.2.53, 192.0.2.54]\n"
			"      trust-anchor: /etc/mailtls/root.key\n"
			"      check-mx: true\n"
			"      allow-testing: false\n"
			"      cert-warning: 21\n"
			"  fast:\n"
			"    check: smtp_starttls\n"
			"    timeout: 500ms\n"
			"  bare:\n"
			"    check: tlsa\n"
			"    options:\n";
	struct exp_config *c = parse(y, why);
	const struct exp_module *m;

	(void)state;
	if (c == NULL)
		fail_msg("rejected: %s", why);
	assert_int_equal(c->n, 3);
	m = exp_config_find(c, "strict_sts");
	assert_non_null(m);
	assert_int_equal(m->check, EXP_CHECK_MTA_STS);
	assert_true(m->timeout_s == 15.0);
	assert_int_equal(m->nopts, 5);
	assert_string_equal(m->opts[0].arg, "--resolver=192.0.2.53");
	assert_string_equal(m->opts[1].arg, "--resolver=192.0.2.54");
	assert_string_equal(m->opts[2].arg,
			    "--trust-anchor=/etc/mailtls/root.key");
	assert_string_equal(m->opts[3].arg, "--check-mx");
	assert_string_equal(m->opts[4].arg, "--cert-warning=21");
	m = exp_config_find(c, "fast");
	assert_true(m->timeout_s > 0.4999 && m->timeout_s < 0.5001);
	assert_int_equal(m->nopts, 0);
	m = exp_config_find(c, "bare");
	assert_true(m->timeout_s == EXP_TIMEOUT_DEFAULT);
	/* built-ins stay reachable beside the file's modules */
	m = exp_config_find(c, "mailtls");
	assert_non_null(m);
	assert_int_equal(m->check, EXP_CHECK_MAILTLS);
	assert_null(exp_config_find(c, "tlsrpt_reports"));
	assert_null(exp_config_find(c, "nope"));
	exp_config_free(c);
}

static void
test_override_and_empty(void **state)
{
	char why[EXP_WHY_MAX] = "";
	struct exp_config *c;
	const struct exp_module *m;

	(void)state;
	/* a file's module shadows the built-in of the same name */
	c = parse("modules:\n  mailtls:\n    check: mailtls\n    timeout: 3s\n"
		  "    options: {resolver: 127.0.0.1}\n",
		  why);
	assert_non_null(c);
	m = exp_config_find(c, "mailtls");
	assert_true(m->timeout_s == 3.0);
	assert_int_equal(m->nopts, 1);
	exp_config_free(c);
	/* an empty file, "modules:" alone and a comment: no modules */
	for (size_t i = 0; i < 3; i++) {
		static const char *const empty[] = {"", "modules:\n",
						    "# nothing\n"};
		c = parse(empty[i], why);
		if (c == NULL)
			fail_msg("\"%s\" rejected: %s", empty[i], why);
		assert_int_equal(c->n, 0);
		exp_config_free(c);
	}
	/* tlsrpt_reports is a check for the file's modules */
	c = parse("modules:\n  rr:\n    check: tlsrpt_reports\n"
		  "    options: {maildir: /var/mail/tlsrpt}\n",
		  why);
	assert_non_null(c);
	exp_config_free(c);
}

struct bad {
	const char *yaml;
	const char *why; /* a substring of the reason */
};

static void
test_bad(void **state)
{
	static const struct bad bad[] = {
	    {"modules: [a, b]\n", "modules must be a mapping"},
	    {"- a\n- b\n", "must be a mapping"},
	    {"modulez:\n  a: {check: tlsa}\n", "unknown key 'modulez'"},
	    {"modules:\n  a:\n    check: tlsa\n    color: blue\n",
	     "unknown key 'color'"},
	    {"modules:\n  a:\n    timeout: 5s\n", "no check"},
	    {"modules:\n  a:\n    check: http_2xx\n", "check must be one of"},
	    {"modules:\n  a:\n    check: [tlsa]\n", "check must be one of"},
	    {"modules:\n  a:\n    check: tlsa\n    timeout: soon\n",
	     "timeout"},
	    {"modules:\n  a:\n    check: tlsa\n    timeout: 0s\n", "above 0"},
	    {"modules:\n  a:\n    check: tlsa\n    timeout: 601s\n",
	     "at most 600s"},
	    {"modules:\n  a:\n    check: tlsa\n    timeout: -1s\n", "timeout"},
	    {"modules:\n  a:\n    check: tlsa\n    options: [resolver]\n",
	     "options must be a mapping"},
	    {"modules:\n  a:\n    check: tlsa\n    options:\n"
	     "      resolver: {x: 1}\n",
	     "not a mapping"},
	    {"modules:\n  a:\n    check: tlsa\n    options:\n"
	     "      resolver: [[1]]\n",
	     "scalars only"},
	    {"modules:\n  a:\n    check: tlsa\n    options:\n"
	     "      --resolver: 1.2.3.4\n",
	     "no long option name"},
	    {"modules:\n  a:\n    check: tlsa\n    options:\n"
	     "      Resolver: 1.2.3.4\n",
	     "no long option name"},
	    {"modules:\n  a:\n    check: tlsa\n    options:\n"
	     "      output-format: json\n",
	     "set by the exporter"},
	    {"modules:\n  a:\n    check: tlsa\n    options:\n"
	     "      timeout: 5\n",
	     "set by the exporter"},
	    {"modules:\n  a:\n    check: tlsa\n    options:\n"
	     "      hostname: evil\n",
	     "set by the exporter"},
	    {"modules:\n  a:\n    check: tlsa\n    options:\n"
	     "      helo: \"a\\nb\"\n",
	     "control character"},
	    {"modules:\n  a: {check: tlsa}\n  a: {check: mta_sts}\n",
	     "defined twice"},
	    {"modules:\n  \"a b\": {check: tlsa}\n", "module name"},
	    {"modules:\n  a: tlsa\n", "must be a mapping"},
	    {"modules:\n  a: {check: tlsa\n", "YAML: line"},
	    {"modules:\n\ta: {check: tlsa}\n", "YAML"},
	    {"modules: {}\n---\nmodules: {}\n", "more than one YAML document"},
	};
	char why[EXP_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct exp_config *c;
		why[0] = '\0';
		c = parse(bad[i].yaml, why);
		if (c != NULL) {
			exp_config_free(c);
			fail_msg("accepted: %s", bad[i].yaml);
		}
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("%s: reason \"%s\" lacks \"%s\"", bad[i].yaml,
				 why, bad[i].why);
	}
}

static void
test_bad_line(void **state)
{
	char why[EXP_WHY_MAX] = "";
	struct exp_config *c = parse("modules:\n  a:\n    check: tlsa\n"
				     "    bogus: 1\n",
				     why);

	(void)state;
	assert_null(c);
	assert_non_null(strstr(why, "line 4 column 5"));
}

static void
test_long_value(void **state)
{
	char why[EXP_WHY_MAX] = "";
	char *y = malloc(EXP_OPT_VALUE_MAX + 200);
	struct exp_config *c;
	int n;

	(void)state;
	n = snprintf(y, 200, "modules:\n  a:\n    check: tlsa\n    options:\n"
			     "      helo: ");
	memset(y + n, 'x', EXP_OPT_VALUE_MAX + 1);
	y[n + EXP_OPT_VALUE_MAX + 1] = '\n';
	y[n + EXP_OPT_VALUE_MAX + 2] = '\0';
	c = parse(y, why);
	assert_null(c);
	assert_non_null(strstr(why, "over 1024 bytes"));
	/* a value at the bound passes */
	y[n + EXP_OPT_VALUE_MAX] = '\n';
	y[n + EXP_OPT_VALUE_MAX + 1] = '\0';
	c = parse(y, why);
	assert_non_null(c);
	exp_config_free(c);
	free(y);
}

static void
test_argv(void **state)
{
	char why[EXP_WHY_MAX] = "";
	struct exp_config *c = parse("modules:\n  m:\n    check: tlsa\n"
				     "    options:\n      resolver: 10.0.0.1\n"
				     "      dns-only: true\n",
				     why);
	const struct exp_module *m = exp_config_find(c, "m");
	char **argv;

	(void)state;
	argv = exp_argv_build("/p", m, "mx1.example.com:2525", 4, false, why,
			      sizeof(why));
	assert_non_null(argv);
	assert_string_equal(argv[0], "/p/check_tlsa");
	assert_string_equal(argv[1], "-H");
	assert_string_equal(argv[2], "mx1.example.com");
	assert_string_equal(argv[3], "--port=2525");
	assert_string_equal(argv[4], "--timeout=4");
	assert_string_equal(argv[5], "--output-format=openmetrics");
	assert_string_equal(argv[6], "--resolver=10.0.0.1");
	assert_string_equal(argv[7], "--dns-only");
	assert_null(argv[8]);
	exp_argv_free(argv);

	argv = exp_argv_build("/p", m, "example.com", 2, true, why,
			      sizeof(why));
	assert_string_equal(argv[1], "-D");
	assert_string_equal(argv[2], "example.com");
	assert_string_equal(argv[3], "--timeout=2");
	assert_string_equal(argv[4], "--resolver=10.0.0.1");
	exp_argv_free(argv);

	/* host:port where the check takes a domain only */
	argv = exp_argv_build("/p", exp_config_find(c, "mta_sts"),
			      "example.com:25", 2, false, why, sizeof(why));
	assert_null(argv);
	assert_non_null(strstr(why, "takes a domain"));
	/* a bad target never reaches an argv */
	argv = exp_argv_build("/p", m, "-oProxyCommand=x", 2, false, why,
			      sizeof(why));
	assert_null(argv);
	exp_config_free(c);
}

static void
test_checks(void **state)
{
	enum exp_check ch;

	(void)state;
	assert_int_equal(exp_check_lookup("mailtls", &ch), 0);
	assert_int_equal(ch, EXP_CHECK_MAILTLS);
	assert_string_equal(exp_check_info(ch)->plugin, "check_mailtls");
	assert_true(exp_check_info(EXP_CHECK_SMTP_STARTTLS)->takes_host);
	assert_true(exp_check_info(EXP_CHECK_TLSA)->takes_host);
	assert_false(exp_check_info(EXP_CHECK_MTA_STS)->takes_host);
	assert_int_equal(exp_check_lookup("MAILTLS", &ch), -1);
	assert_int_equal(exp_check_lookup("", &ch), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_override_and_empty),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_bad_line),
	    cmocka_unit_test(test_long_value),
	    cmocka_unit_test(test_argv),
	    cmocka_unit_test(test_checks),
	};

	exp_config_free(exp_config_builtin());
	return cmocka_run_group_tests_name("exporter_config", tests, NULL,
					   NULL);
}
