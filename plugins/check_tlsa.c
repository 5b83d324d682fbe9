/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_tlsa: DANE for SMTP (RFC 7672) the way a DANE-speaking sending MTA
 * applies it, for every MX host of a domain (-D) or one host (-H). The
 * mechanism is common/tlsa.c; this is its options, the run and the print.
 */
#include <stdio.h>

#include "deadline.h"
#include "dns.h"
#include "mx.h"
#include "options.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "tlsa.h"
#include "util.h"

#define LABEL "TLSA"

enum {
	OPT_DNS_ONLY = OPT_PLUGIN,
	OPT_ROLLOVER,
	OPT_EE_EXPIRY,
	OPT_HELO,
	OPT_ALL_CERTS,
};

static const struct opt_def options[] = {
    OPTDEF_HOSTNAME,
    {OPT_DOMAIN, "domain", 'D', "DOMAIN",
     "the mail domain: check every MX host of it (its MX RRset must\n"
     "be DNSSEC-secure)"},
    {OPT_PORT, "port", 'p', "PORT",
     "SMTP port, default 25; TLSA records are looked up at\n"
     "_PORT._tcp.HOST"},
    OPTDEF_IPV4,
    OPTDEF_IPV6,
    {OPT_WARNING, "warning", 'w', "DAYS",
     "warn when a certificate of a DANE-TA path (with --ee-expiry,\n"
     "also a DANE-EE leaf) expires in fewer than DAYS days (Nagios\n"
     "range; a bare N means N:, default 28)"},
    {OPT_CRITICAL, "critical", 'c', "DAYS",
     "critical below DAYS days (default 14)"},
    {OPT_DNS_ONLY, "dns-only", 0, NULL,
     "check DNSSEC and the TLSA records without connecting (for\n"
     "monitoring hosts that may not open port 25)"},
    {OPT_ROLLOVER, "rollover", 0, NULL,
     "warn when a host has a single usable TLSA record (no next key\n"
     "or issuer published) or only 3 0 x records (they break at\n"
     "every certificate renewal)"},
    {OPT_EE_EXPIRY, "ee-expiry", 0, NULL,
     "apply -w/-c to DANE-EE leaves too (DANE ignores their dates;\n"
     "other senders may not)"},
    {OPT_HELO, "helo", 0, "NAME",
     "name to send with EHLO (default: this machine's FQDN, or the\n"
     "address literal of our end of the connection)"},
    {OPT_ALL_CERTS, "all-certs", 0, NULL,
     "one handshake per key type, asking for the ECDSA and for the\n"
     "RSA certificate, each matched against the records (a sender that\n"
     "offers only one type gets that one); one type of key only is fine"},
    OPTDEF_TAIL,
};

static const char *const examples[] = {
    "check_tlsa -D example.com",
    "check_tlsa -H mx1.example.com --rollover",
    "check_tlsa -D example.com --dns-only",
    NULL,
};

static const struct plugin_desc desc = {
    .prog = "check_tlsa",
    .label = LABEL,
    .purpose =
	"Checks DANE for SMTP (RFC 7672) as a DANE-speaking sender applies "
	"it: the\nDNSSEC status of the MX RRset (-D), of each host's "
	"addresses and of its TLSA\nrecords, the usability of each record, "
	"and on every address the certificate\nchain the server presents "
	"after STARTTLS, matched against the records.",
    .usage = "-H HOST or -D DOMAIN [-p PORT] [-4 or -6] [--dns-only] "
	     "[--rollover] [options]",
    .thresholds = "  -w and -c measure the days until the first certificate "
		  "of a DANE-TA path\n  (leaf up to the matched trust anchor) "
		  "expires; with --ee-expiry also a\n  DANE-EE leaf. Perfdata "
		  "carries them in seconds.",
    .opts = options,
    .examples = examples,
};

struct plugin_opts {
	bool dns_only, rollover, ee_expiry, all_certs;
	const char *helo;
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct tlsa_opts to;
	struct pctx p;
	struct tls_ctx *tls;
	const char *target;
	char name[DNS_NAME_MAX]; /* -D or -H as given, checked */
	struct mx_set m;
	struct mech c;
	struct tlsa t;
	char helo[256];
};

static int
handle_opt(void *ctx, int id, const char *arg, const char **why)
{
	struct plugin_opts *po = ctx;

	switch (id) {
	case OPT_DNS_ONLY:
		po->dns_only = true;
		return 0;
	case OPT_ROLLOVER:
		po->rollover = true;
		return 0;
	case OPT_ALL_CERTS:
		po->all_certs = true;
		return 0;
	case OPT_EE_EXPIRY:
		po->ee_expiry = true;
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
	char why[600];
	int code;

	util_set_label(LABEL);
	if (opts_parse(&desc, argc, argv, &r->co, handle_opt, &r->po, &code) !=
	    OPTS_OK)
		return code;
	if ((r->co.domain == NULL) == (r->co.hostname == NULL))
		return opts_fail(&desc, "give exactly one of -H HOST and "
					"-D DOMAIN");
	if (plugin_take_name(r->co.domain ? "-D" : "-H",
			     r->co.domain ? r->co.domain : r->co.hostname,
			     false, r->name, sizeof(r->name) - 20, why,
			     sizeof(why)) < 0)
		return opts_fail(&desc, "%s", why);
	r->target = r->name;
	if (r->co.domain != NULL)
		r->co.domain = r->name;
	else
		r->co.hostname = r->name;
	if (range_parse(r->co.warning ? r->co.warning : "28", RANGE_LOW_IS_BAD,
			&r->to.warn, &(const char *){NULL}) < 0)
		return opts_fail(&desc, "-w: not a Nagios range: %.60s",
				 r->co.warning);
	if (range_parse(r->co.critical ? r->co.critical : "14",
			RANGE_LOW_IS_BAD, &r->to.crit, &(const char *){NULL}) < 0)
		return opts_fail(&desc, "-c: not a Nagios range: %.60s",
				 r->co.critical);

	if (plugin_open(&r->p, LABEL, &r->co, NULL, false, &r->tls, r->target) != 0)
		return MT_UNKNOWN;
	plugin_default_helo(r->po.helo, r->helo, sizeof(r->helo));
	mx_init(&r->m, &r->p, r->target);
	mech_init(&r->c, &r->p, r->tls, clock_wall(), r->helo, &r->m, NULL);
	/* Every answer would be insecure for want of an anchor: our
	 * configuration, not the domain's failure (issue 13 item 18). */
	if (!tlsa_anchor_ok(&r->c, r->target, why, sizeof(why))) {
		code = plugin_unknown(LABEL, "%s", why);
		goto out;
	}
	r->to.dns_only = r->po.dns_only;
	r->to.rollover = r->po.rollover;
	r->to.ee_expiry = r->po.ee_expiry;
	r->to.all_certs = r->po.all_certs;
	tlsa_run(&r->t, &r->c, &r->to, r->co.domain, r->co.hostname);

	buf_init(&sum);
	buf_printf(&sum, "%s: ", r->target);
	tlsa_summary(&r->t, r->p.root->worst, &sum);
	code = plugin_print(&r->p, LABEL, sum.p);
	buf_free(&sum);
out:
	tlsa_free(&r->t);
	mech_free(&r->c);
	mx_free(&r->m);
	plugin_close(&r->p, r->tls);
	return code;
}
