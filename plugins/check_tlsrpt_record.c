/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_tlsrpt_record: is the TLSRPT record of a domain (RFC 8460 3)
 * valid, and can its report destinations receive? The mechanism is
 * common/rptrec.c; this is its options, the run and the print.
 */
#include <stdio.h>

#include "deadline.h"
#include "dns.h"
#include "options.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "rptrec.h"
#include "util.h"

#define LABEL "TLSRPT"

enum {
	OPT_CHECK_RUA = OPT_PLUGIN,
	OPT_NO_CHECK_RUA,
};

static const struct opt_def options[] = {
    {OPT_DOMAIN, "domain", 'D', "DOMAIN",
     "the mail domain whose TLSRPT record is checked"},
    {OPT_IPV4, "ipv4", '4', NULL, "only IPv4 addresses (https: hosts)"},
    {OPT_IPV6, "ipv6", '6', NULL, "only IPv6 addresses (https: hosts)"},
    {OPT_WARNING, "warning", 'w', "COUNT",
     "warn when fewer than COUNT destinations can receive (Nagios\n"
     "range; a bare N means N:; default: warn when any cannot)"},
    {OPT_CRITICAL, "critical", 'c', "COUNT",
     "critical when fewer than COUNT destinations can receive\n"
     "(default 1: critical when none can)"},
    {OPT_CHECK_RUA, "check-rua", 0, NULL,
     "check that each destination can receive (the default)"},
    {OPT_NO_CHECK_RUA, "no-check-rua", 0, NULL,
     "check the record only: no lookups of the destinations, no\n"
     "connection"},
    OPTDEF_TAIL,
};

static const char *const examples[] = {
    "check_tlsrpt_record -D example.com",
    "check_tlsrpt_record -D example.com --no-check-rua",
    NULL,
};

static const struct plugin_desc desc = {
    .prog = "check_tlsrpt_record",
    .label = LABEL,
    .purpose =
	"Checks the TLSRPT record (RFC 8460) of a mail domain: exactly one "
	"valid\n_smtp._tls TXT record with rua destinations, and (unless "
	"--no-check-rua) that\neach destination can receive reports: a "
	"mailto: domain with MX records, an\nhttps: host that resolves and "
	"presents a PKIX-valid certificate.",
    .usage = "-D DOMAIN [--no-check-rua] [options]",
    .thresholds = "  -w and -c count the destinations that can receive "
		  "reports. By default one\n  that cannot is a WARNING and "
		  "none that can is CRITICAL.",
    .opts = options,
    .examples = examples,
};

struct plugin_opts {
	bool no_check_rua;
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct rptrec_opts ro;
	struct pctx p;
	struct tls_ctx *tls;
	char domain[DNS_NAME_MAX];
	struct mech c;
	struct rptrec rr;
};

static int
handle_opt(void *ctx, int id, const char *arg, const char **why)
{
	struct plugin_opts *po = ctx;

	(void)arg;
	switch (id) {
	case OPT_CHECK_RUA:
		po->no_check_rua = false;
		return 0;
	case OPT_NO_CHECK_RUA:
		po->no_check_rua = true;
		return 0;
	}
	*why = "unknown option";
	return -1;
}

int
main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	const char *why = NULL;
	char whybuf[200];
	struct buf sum;
	int code;

	util_set_label(LABEL);
	if (opts_parse(&desc, argc, argv, &r->co, handle_opt, &r->po, &code) !=
	    OPTS_OK)
		return code;
	if (r->co.domain == NULL)
		return opts_fail(&desc, "-D DOMAIN is required");
	if (plugin_take_name("-D", r->co.domain, false, r->domain,
			     sizeof(r->domain) - 16, whybuf, sizeof(whybuf)) < 0)
		return opts_fail(&desc, "%s", whybuf);
	if (r->co.warning != NULL) {
		if (range_parse(r->co.warning, RANGE_LOW_IS_BAD, &r->ro.warn,
				&why) < 0)
			return opts_fail(&desc, "-w: not a Nagios range: %.60s",
					 r->co.warning);
		r->ro.warn_set = true;
	}
	if (range_parse(r->co.critical ? r->co.critical : "1", RANGE_LOW_IS_BAD,
			&r->ro.crit, &why) < 0)
		return opts_fail(&desc, "-c: not a Nagios range: %.60s",
				 r->co.critical);

	/* The trust store is loaded once an https: destination is to be
	 * checked: a record with mailto: ones only is a DNS-only check. */
	if (plugin_open(&r->p, LABEL, &r->co, r->co.cafile, false, &r->tls,
			r->domain) != 0)
		return MT_UNKNOWN;
	r->ro.no_check_rua = r->po.no_check_rua;
	mech_init(&r->c, &r->p, r->tls, clock_wall(), NULL, NULL, NULL);
	if (rptrec_run(&r->rr, &r->c, &r->ro, r->domain) == -1) {
		/* our side, not the destination's: the run is UNKNOWN */
		code = plugin_unknown(LABEL, "%s", r->rr.setup_why);
	} else {
		buf_init(&sum);
		buf_printf(&sum, "%s: ", r->domain);
		rptrec_summary(&r->rr, r->p.root->worst, &sum);
		code = plugin_print(&r->p, LABEL, sum.p);
		buf_free(&sum);
	}
	rptrec_free(&r->rr);
	mech_free(&r->c);
	plugin_close(&r->p, r->tls);
	return code;
}
