/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * options.h: one option table per plugin drives getopt_long, --help and
 * the man-page check (STYLE.md 8).
 *
 * A plugin lists its options as struct opt_def entries: the shared ones of
 * INTERFACE.md come from opts_common (the plugin picks them by id with
 * OPT_USE), its own follow. opts_parse() parses argv into struct
 * common_opts and hands every plugin-specific option to the plugin's
 * handler. Numbers are parsed with bounds (util_parse_ll). Bad arguments
 * print "LABEL UNKNOWN - <why>" and the usage line and return OPTS_EXIT
 * with *code 3; -h / -V print and return OPTS_EXIT with *code 0 (OUT-06).
 */
#ifndef MAILTLS_OPTIONS_H
#define MAILTLS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "output.h"

enum opt_id {
	OPT_DOMAIN = 'D',
	OPT_HOSTNAME = 'H',
	OPT_PORT = 'p',
	OPT_IPV4 = '4',
	OPT_IPV6 = '6',
	OPT_TIMEOUT = 't',
	OPT_WARNING = 'w',
	OPT_CRITICAL = 'c',
	OPT_VERBOSE = 'v',
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_TIMEOUT_RESULT = 256,
	OPT_RESOLVER,
	OPT_TRUST_ANCHOR,
	OPT_CAFILE,
	OPT_OUTPUT_FORMAT,
	OPT_PLUGIN = 512, /* plugin-specific ids start here */
};

struct opt_def {
	int id;
	const char *name;    /* long name without "--" */
	int short_name;	     /* 0 when none */
	const char *metavar; /* NULL: takes no argument */
	const char *help;    /* may contain "\n" for more lines */
};

#define OPTS_RESOLVERS_MAX 8

struct common_opts {
	const char *domain;
	const char *hostname;
	unsigned port;
	bool only4, only6;
	int timeout_s;
	enum mt_state timeout_result;
	const char *warning, *critical; /* raw ranges; the plugin parses */
	const char *resolvers[OPTS_RESOLVERS_MAX];
	size_t nresolvers;
	const char *trust_anchor;
	const char *cafile;
	enum out_format format;
	int verbose;
};

struct plugin_desc {
	const char *prog;	/* "check_smtp_starttls" */
	const char *label;	/* "SMTP STARTTLS" */
	const char *purpose;	/* one paragraph for --help */
	const char *usage;	/* "-H HOST | -D DOMAIN [options]" */
	const char *thresholds; /* what -w / -c measure */
	const struct opt_def *opts; /* ends with {0} */
	const char *const *examples;
};

/* The shared entries of INTERFACE.md, for a plugin's table. */
#define OPTDEF_DOMAIN                                                        \
	{OPT_DOMAIN, "domain", 'D', "DOMAIN",                                \
	 "the mail domain: check every MX host of it"}
#define OPTDEF_HOSTNAME                                                      \
	{OPT_HOSTNAME, "hostname", 'H', "HOST", "check this one mail server"}
#define OPTDEF_PORT                                                          \
	{OPT_PORT, "port", 'p', "PORT", "SMTP port (default 25)"}
#define OPTDEF_IPV4                                                          \
	{OPT_IPV4, "ipv4", '4', NULL, "only IPv4 addresses"}
#define OPTDEF_IPV6                                                          \
	{OPT_IPV6, "ipv6", '6', NULL, "only IPv6 addresses"}
#define OPTDEF_TIMEOUT                                                       \
	{OPT_TIMEOUT, "timeout", 't', "SECONDS[:STATE]",                     \
	 "deadline for the whole run (default 10); STATE as for\n"           \
	 "--timeout-result"}
#define OPTDEF_TIMEOUT_RESULT                                                \
	{OPT_TIMEOUT_RESULT, "timeout-result", 0, "STATE",                   \
	 "state when the deadline cuts the run short: ok, warning,\n"        \
	 "critical (default), unknown"}
#define OPTDEF_RESOLVER                                                      \
	{OPT_RESOLVER, "resolver", 0, "ADDR[@PORT]",                         \
	 "send DNS queries to this resolver (repeatable; default:\n"         \
	 "the servers in /etc/resolv.conf)"}
#define OPTDEF_TRUST_ANCHOR                                                  \
	{OPT_TRUST_ANCHOR, "trust-anchor", 0, "FILE",                        \
	 "DNSSEC trust anchor file, DS or DNSKEY records (default:\n"        \
	 "/usr/share/dns/root.key)"}
#define OPTDEF_CAFILE                                                        \
	{OPT_CAFILE, "cafile", 0, "FILE",                                    \
	 "PEM bundle of trusted CAs for PKIX checks (default: the\n"         \
	 "system trust store)"}
#define OPTDEF_OUTPUT_FORMAT                                                 \
	{OPT_OUTPUT_FORMAT, "output-format", 0, "FORMAT",                    \
	 "nagios (default), json (the result tree) or openmetrics"}
#define OPTDEF_VERBOSE                                                       \
	{OPT_VERBOSE, "verbose", 'v', NULL,                                  \
	 "more detail; repeatable (-vv shows the SMTP dialogue and\n"        \
	 "DNS answers)"}
#define OPTDEF_HELP {OPT_HELP, "help", 'h', NULL, "print this help and exit"}
#define OPTDEF_VERSION                                                       \
	{OPT_VERSION, "version", 'V', NULL, "print the version and exit"}

/* The handler returns 0, or -1 with *why set (an UNKNOWN exit). */
typedef int opts_handler(void *ctx, int id, const char *arg,
			 const char **why);

enum opts_result {
	OPTS_OK,
	OPTS_EXIT, /* stop with exit code *code (help, version, bad args) */
};

enum opts_result opts_parse(const struct plugin_desc *d, int argc,
			    char **argv, struct common_opts *co,
			    opts_handler *h, void *ctx, int *code);
void opts_help(const struct plugin_desc *d, FILE *f);
void opts_usage(const struct plugin_desc *d, FILE *f);
/* Prints "LABEL UNKNOWN - <msg>" and the usage to stdout; returns 3. */
int opts_fail(const struct plugin_desc *d, const char *fmt, ...)
	UTIL_PRINTF(2, 3);

/* The entries every table ends with, in this order, and the end mark. */
#define OPTDEF_TAIL                                                          \
	OPTDEF_TIMEOUT, OPTDEF_TIMEOUT_RESULT, OPTDEF_RESOLVER,              \
	    OPTDEF_TRUST_ANCHOR, OPTDEF_CAFILE, OPTDEF_OUTPUT_FORMAT,        \
	    OPTDEF_VERBOSE, OPTDEF_HELP, OPTDEF_VERSION, {0, NULL, 0, NULL, NULL}

#endif
