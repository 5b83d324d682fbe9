/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_smtp_starttls: does every MX host of a domain (-D) or one host
 * (-H), on every address, offer STARTTLS (RFC 3207), negotiate TLS at or
 * above --min-tls, and present a PKIX-valid certificate for its name that
 * is not about to expire? All addresses are checked at once, one thread
 * each, within one deadline. Rules: CONFORMANCE GEN, SMTP and OUT; null MX
 * per RFC 7505, the implicit MX per RFC 5321 5.1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "dns.h"
#include "mx.h"
#include "options.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "smtp.h"
#include "starttls.h"
#include "tls.h"
#include "util.h"

#define LABEL "SMTP STARTTLS"
#define DAY 86400.0

enum {
	OPT_MIN_TLS = OPT_PLUGIN,
	OPT_NO_PKIX,
	OPT_HELO,
	OPT_ADDRESS,
	OPT_ALL_CERTS,
};

static const struct opt_def options[] = {
    OPTDEF_HOSTNAME,
    OPTDEF_DOMAIN,
    OPTDEF_PORT,
    OPTDEF_IPV4,
    OPTDEF_IPV6,
    {OPT_WARNING, "warning", 'w', "DAYS",
     "warn when a certificate of the chain expires in fewer than DAYS\n"
     "days (Nagios range; a bare N means N:, default 28)"},
    {OPT_CRITICAL, "critical", 'c', "DAYS",
     "critical when a certificate of the chain expires in fewer than\n"
     "DAYS days (Nagios range; a bare N means N:, default 14)"},
    {OPT_MIN_TLS, "min-tls", 0, "VERSION",
     "lowest acceptable TLS version: 1.0, 1.1, 1.2 (default) or 1.3"},
    {OPT_NO_PKIX, "no-pkix", 0, NULL,
     "skip the chain and name verdict (servers that rely on DANE\n"
     "alone; check them with check_tlsa); lifetimes still count"},
    {OPT_ADDRESS, "address", 0, "ADDR",
     "with -H: connect to this IPv4 or IPv6 address instead of the\n"
     "host's A/AAAA records; SNI and the PKIX name stay HOST; nothing\n"
     "is looked up, so --resolver and --trust-anchor go unused"},
    {OPT_HELO, "helo", 0, "NAME",
     "name to send with EHLO (default: this machine's FQDN, or the\n"
     "address literal of our end of the connection)"},
    {OPT_ALL_CERTS, "all-certs", 0, NULL,
     "one handshake per key type: ask for the ECDSA and for the RSA\n"
     "certificate (offering only that type's signature algorithms) and\n"
     "judge each; a server with one type of key only is fine"},
    OPTDEF_TAIL,
};

static const char *const examples[] = {
    "check_smtp_starttls -D example.com",
    "check_smtp_starttls -H mx1.example.com -w 30 -c 10 --min-tls 1.3",
    "check_smtp_starttls -D example.com -6 -t 20:unknown",
    NULL,
};

static const struct plugin_desc desc = {
    .prog = "check_smtp_starttls",
    .label = LABEL,
    .purpose = "Checks that every MX host of a domain (-D), or one mail "
	       "server (-H), on each\nof its addresses, offers STARTTLS, "
	       "negotiates TLS at or above --min-tls and\npresents a "
	       "certificate chain that is PKIX-valid for the host name and "
	       "not\nabout to expire. All addresses are checked at once.",
    .usage = "-H HOST or -D DOMAIN [-p PORT] [-4 or -6] [-w DAYS] "
	     "[-c DAYS] [options]",
    .thresholds = "  -w and -c measure the days until the first certificate "
		  "of the verified\n  path expires (leaf or intermediate; "
		  "PKIX-01), over every "
		  "address. Perfdata carries them in seconds.",
    .opts = options,
    .examples = examples,
};

struct plugin_opts {
	int min_tls;
	bool no_pkix;
	bool all_certs;
	const char *helo;
	const char *address; /* --address, parsed into addr_ss */
	struct sockaddr_storage addr_ss;
	socklen_t addr_len;
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct starttls_opts so;
	struct pctx p;
	struct tls_ctx *tls;
	const char *target;
	char name[DNS_NAME_MAX]; /* -D or -H as given, checked */
	struct mx_set m;
	struct mech c;
	struct starttls st;
	char helo[256];
};

/* An address literal into a sockaddr; the port is set later. */
static int
parse_address(const char *s, struct plugin_opts *po)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&po->addr_ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&po->addr_ss;

	memset(&po->addr_ss, 0, sizeof(po->addr_ss));
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		po->addr_len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		po->addr_len = sizeof(*in6);
		return 0;
	}
	return -1;
}

static int
handle_opt(void *ctx, int id, const char *arg, const char **why)
{
	struct plugin_opts *po = ctx;

	switch (id) {
	case OPT_MIN_TLS:
		po->min_tls = tls_version_parse(arg);
		if (po->min_tls < 0) {
			*why = "--min-tls must be 1.0, 1.1, 1.2 or 1.3";
			return -1;
		}
		return 0;
	case OPT_NO_PKIX:
		po->no_pkix = true;
		return 0;
	case OPT_ALL_CERTS:
		po->all_certs = true;
		return 0;
	case OPT_ADDRESS:
		if (parse_address(arg, po) < 0) {
			*why = "--address must be an IPv4 or IPv6 address";
			return -1;
		}
		po->address = arg;
		return 0;
	case OPT_HELO:
		return plugin_opt_helo(arg, &po->helo, why);
	}
	*why = "unknown option";
	return -1;
}

int
main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	struct buf sum;
	char why[200];
	int code;

	util_set_label(LABEL);
	r->po.min_tls = 12;
	if (opts_parse(&desc, argc, argv, &r->co, handle_opt, &r->po, &code) !=
	    OPTS_OK)
		return code;
	if ((r->co.domain == NULL) == (r->co.hostname == NULL))
		return opts_fail(&desc, "give exactly one of -H HOST and "
					"-D DOMAIN");
	r->target = r->co.domain ? r->co.domain : r->co.hostname;
	if (r->po.address != NULL) {
		struct sockaddr_in *in = (struct sockaddr_in *)&r->po.addr_ss;
		struct sockaddr_in6 *in6 =
		    (struct sockaddr_in6 *)&r->po.addr_ss;

		if (r->co.hostname == NULL)
			return opts_fail(&desc, "--address goes with -H HOST");
		if ((r->co.only4 && in->sin_family != AF_INET) ||
		    (r->co.only6 && in->sin_family != AF_INET6))
			return opts_fail(&desc,
					 "--address %s is not of the "
					 "family -4/-6 asks for",
					 r->po.address);
		if (in->sin_family == AF_INET)
			in->sin_port = htons((uint16_t)r->co.port);
		else
			in6->sin6_port = htons((uint16_t)r->co.port);
	}
	if (plugin_take_name(r->co.domain ? "-D" : "-H", r->target, true,
			     r->name, sizeof(r->name), why, sizeof(why)) < 0)
		return opts_fail(&desc, "%s", why);
	r->target = r->name;
	if (r->co.domain != NULL)
		r->co.domain = r->name;
	else
		r->co.hostname = r->name;
	if (range_parse(r->co.warning ? r->co.warning : "28", RANGE_LOW_IS_BAD,
			&r->so.warn, &(const char *){NULL}) < 0)
		return opts_fail(&desc, "-w: not a Nagios range: %.60s",
				 r->co.warning);
	if (range_parse(r->co.critical ? r->co.critical : "14",
			RANGE_LOW_IS_BAD, &r->so.crit, &(const char *){NULL}) < 0)
		return opts_fail(&desc, "-c: not a Nagios range: %.60s",
				 r->co.critical);

	/* --address looks nothing up: no resolver to set up (some 11 ms of
	 * CPU and 500 page faults, bench/README.md) */
	r->p.no_dns = r->po.address != NULL;
	if (plugin_open(&r->p, LABEL, &r->co, r->co.cafile, !r->po.no_pkix,
			&r->tls, r->target) != 0)
		return MT_UNKNOWN;
	plugin_default_helo(r->po.helo, r->helo, sizeof(r->helo));
	r->so.min_tls = r->po.min_tls;
	r->so.no_pkix = r->po.no_pkix;
	r->so.all_certs = r->po.all_certs;
	if (r->po.address != NULL) {
		r->so.address = &r->po.addr_ss;
		r->so.address_len = r->po.addr_len;
	}
	mx_init(&r->m, &r->p, r->target);
	mech_init(&r->c, &r->p, r->tls, clock_wall(), r->helo, &r->m, NULL);
	starttls_run(&r->st, &r->c, &r->so, r->co.domain, r->co.hostname);

	buf_init(&sum);
	buf_printf(&sum, "%s: ", r->target);
	starttls_summary(&r->st, r->p.root->worst, &sum);
	code = plugin_print(&r->p, LABEL, sum.p);
	buf_free(&sum);

	mech_free(&r->c);
	mx_free(&r->m);
	plugin_close(&r->p, r->tls);
	return code;
}
