/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * options.c: getopt_long, --help and usage, all from a plugin's option
 * table; the shared options of INTERFACE.md parsed with bounds
 * (monitoring-plugins "Option Processing", CONFORMANCE OUT-05, OUT-06).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "util.h"

void
opts_usage(const struct plugin_desc *d, FILE *f)
{
	fprintf(f, "Usage: %s %s\n", d->prog, d->usage);
}

int
opts_fail(const struct plugin_desc *d, const char *fmt, ...)
{
	char raw[512], clean[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	text_sanitize(clean, sizeof(clean), raw, strlen(raw), 400);
	printf("%s UNKNOWN - %s\n", d->label, clean);
	opts_usage(d, stdout);
	return MT_UNKNOWN;
}

void
opts_help(const struct plugin_desc *d, FILE *f)
{
	char head[96];
	const char *h, *nl;

	fprintf(f, "%s %s\n\n%s\n\n", d->prog, MAILTLS_VERSION, d->purpose);
	opts_usage(d, f);
	fprintf(f, "\nOptions:\n");
	for (const struct opt_def *o = d->opts; o->id != 0; o++) {
		if (o->short_name)
			snprintf(head, sizeof(head), "-%c, --%s%s%s",
				 o->short_name, o->name, o->metavar ? " " : "",
				 o->metavar ? o->metavar : "");
		else
			snprintf(head, sizeof(head), "    --%s%s%s", o->name,
				 o->metavar ? " " : "",
				 o->metavar ? o->metavar : "");
		fprintf(f, "  %s\n", head);
		for (h = o->help; h != NULL && *h != '\0'; h = nl + 1) {
			nl = strchr(h, '\n');
			if (nl == NULL)
				nl = h + strlen(h);
			fprintf(f, "        %.*s\n", (int)(nl - h), h);
			if (*nl == '\0')
				break;
		}
	}
	if (d->thresholds != NULL)
		fprintf(f, "\nThresholds:\n%s\n", d->thresholds);
	fprintf(f, "\nExit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN "
		   "(problems on the\nmonitoring side only). -h and -V exit "
		   "0.\n");
	if (d->examples != NULL && d->examples[0] != NULL) {
		fprintf(f, "\nExamples:\n");
		for (const char *const *e = d->examples; *e != NULL; e++)
			fprintf(f, "  %s\n", *e);
	}
	fprintf(f, "\nSee %s(1). Report bugs to the mailtls-plugins "
		   "project.\n",
		d->prog);
}

static int
parse_timeout(struct common_opts *co, const char *arg, const char **why)
{
	char num[32];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	long long v;

	if (n >= sizeof(num)) {
		*why = "timeout: not a number of seconds";
		return -1;
	}
	memcpy(num, arg, n);
	num[n] = '\0';
	if (util_parse_ll(num, 1, 86400, &v, why) < 0) {
		*why = "timeout must be a whole number of seconds from 1 to "
		       "86400";
		return -1;
	}
	co->timeout_s = (int)v;
	if (colon != NULL && state_parse(colon + 1, &co->timeout_result) < 0) {
		*why = "timeout state must be ok, warning, critical or unknown";
		return -1;
	}
	return 0;
}

static int
parse_common(struct common_opts *co, int id, const char *arg,
	     const char **why)
{
	long long v;

	switch (id) {
	case OPT_DOMAIN:
		co->domain = arg;
		return 0;
	case OPT_HOSTNAME:
		co->hostname = arg;
		return 0;
	case OPT_PORT:
		if (util_parse_ll(arg, 1, 65535, &v, why) < 0) {
			*why = "port must be a number from 1 to 65535";
			return -1;
		}
		co->port = (unsigned)v;
		return 0;
	case OPT_IPV4:
		co->only4 = true;
		return 0;
	case OPT_IPV6:
		co->only6 = true;
		return 0;
	case OPT_TIMEOUT:
		return parse_timeout(co, arg, why);
	case OPT_TIMEOUT_RESULT:
		if (state_parse(arg, &co->timeout_result) < 0) {
			*why = "--timeout-result must be ok, warning, critical "
			       "or unknown";
			return -1;
		}
		return 0;
	case OPT_WARNING:
		co->warning = arg;
		return 0;
	case OPT_CRITICAL:
		co->critical = arg;
		return 0;
	case OPT_RESOLVER:
		if (co->nresolvers == OPTS_RESOLVERS_MAX) {
			*why = "too many --resolver options (at most 8)";
			return -1;
		}
		co->resolvers[co->nresolvers++] = arg;
		return 0;
	case OPT_TRUST_ANCHOR:
		co->trust_anchor = arg;
		return 0;
	case OPT_CAFILE:
		co->cafile = arg;
		return 0;
	case OPT_OUTPUT_FORMAT:
		if (output_format_parse(arg, &co->format) < 0) {
			*why = "--output-format must be nagios, json or "
			       "openmetrics";
			return -1;
		}
		return 0;
	case OPT_VERBOSE:
		if (co->verbose < 3)
			co->verbose++;
		return 0;
	}
	return 1; /* not a shared option */
}

enum opts_result
opts_parse(const struct plugin_desc *d, int argc, char **argv,
	   struct common_opts *co, opts_handler *h, void *ctx, int *code)
{
	struct option lopts[64];
	char shorts[128];
	size_t nl = 0, ns = 0;
	const char *why = NULL;
	int c, r;

	memset(co, 0, sizeof(*co));
	co->port = 25;
	co->timeout_s = 10;
	co->timeout_result = MT_CRITICAL;
	co->format = OUT_NAGIOS;

	shorts[ns++] = ':';
	for (const struct opt_def *o = d->opts; o->id != 0; o++) {
		if (nl + 1 >= sizeof(lopts) / sizeof(lopts[0]))
			break;
		lopts[nl].name = o->name;
		lopts[nl].has_arg = o->metavar ? required_argument : no_argument;
		lopts[nl].flag = NULL;
		lopts[nl].val = o->id;
		nl++;
		if (o->short_name && ns + 3 < sizeof(shorts)) {
			shorts[ns++] = (char)o->short_name;
			if (o->metavar)
				shorts[ns++] = ':';
		}
	}
	memset(&lopts[nl], 0, sizeof(lopts[nl]));
	shorts[ns] = '\0';

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		if (c == '?') {
			if (optopt)
				*code = opts_fail(d, "unknown option -%c",
						  optopt);
			else
				*code = opts_fail(d, "unknown option %.100s",
						  argv[optind - 1]);
			return OPTS_EXIT;
		}
		if (c == ':') {
			*code = opts_fail(d, "option %.100s needs an argument",
					  argv[optind - 1]);
			return OPTS_EXIT;
		}
		if (c == OPT_HELP) {
			opts_help(d, stdout);
			*code = 0;
			return OPTS_EXIT;
		}
		if (c == OPT_VERSION) {
			printf("%s %s\n", d->prog, MAILTLS_VERSION);
			*code = 0;
			return OPTS_EXIT;
		}
		r = parse_common(co, c, optarg, &why);
		if (r == 1)
			r = h != NULL ? h(ctx, c, optarg, &why) : -1;
		if (r != 0) {
			*code = opts_fail(d, "%s",
					  why ? why : "invalid option");
			return OPTS_EXIT;
		}
	}
	if (optind < argc) {
		*code = opts_fail(d, "unexpected argument %.100s",
				  argv[optind]);
		return OPTS_EXIT;
	}
	if (co->only4 && co->only6) {
		*code = opts_fail(d, "-4 and -6 exclude each other");
		return OPTS_EXIT;
	}
	return OPTS_OK;
}
