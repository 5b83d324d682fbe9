/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_mta_sts: is the MTA-STS of a domain (RFC 8461) in working order,
 * as a sending MTA sees it, and does its policy still cover the MX hosts
 * actually published? The mechanism is common/sts.c (the record, the
 * policy from every address of its host, drift, --check-mx, the state
 * file); this is its options, the run and the print.
 */
#include <stdio.h>

#include "deadline.h"
#include "dns.h"
#include "mech.h"
#include "mx.h"
#include "options.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "sts.h"
#include "util.h"

#define LABEL "MTA-STS"

enum {
	OPT_ALLOW_TESTING = OPT_PLUGIN,
	OPT_CHECK_MX,
	OPT_STATE_FILE,
	OPT_CERT_WARNING,
	OPT_CERT_CRITICAL,
	OPT_FETCH_WARNING,
	OPT_FETCH_CRITICAL,
	OPT_HELO,
	OPT_ALL_CERTS,
};

static const struct opt_def options[] = {
    {OPT_DOMAIN, "domain", 'D', "DOMAIN",
     "the mail domain whose MTA-STS is checked"},
    {OPT_PORT, "port", 'p', "PORT", "SMTP port for --check-mx (default 25)"},
    {OPT_IPV4, "ipv4", '4', NULL,
     "only IPv4 addresses (policy host and MX hosts)"},
    {OPT_IPV6, "ipv6", '6', NULL,
     "only IPv6 addresses (policy host and MX hosts)"},
    {OPT_WARNING, "warning", 'w', "SECONDS",
     "warn when the policy's max_age is below SECONDS (Nagios range;\n"
     "a bare N means N:, default 86400)"},
    {OPT_CRITICAL, "critical", 'c', "SECONDS",
     "critical when the policy's max_age is below SECONDS (Nagios\n"
     "range; a bare N means N:, default none)"},
    {OPT_ALLOW_TESTING, "allow-testing", 0, NULL,
     "mode testing is OK, not WARNING (for domains that stay in\n"
     "testing on purpose)"},
    {OPT_CHECK_MX, "check-mx", 0, NULL,
     "also connect to every address of every MX host and demand\n"
     "what MTA-STS senders demand: STARTTLS, TLS 1.2 or newer and a\n"
     "PKIX-valid certificate for the MX host name"},
    {OPT_STATE_FILE, "state-file", 0, "FILE",
     "remember the domain, the policy id and a hash of the parsed\n"
     "policy in FILE; warn when the policy changed but its id did not"},
    {OPT_CERT_WARNING, "cert-warning", 0, "DAYS",
     "warn when a certificate of the policy host's chain (and with\n"
     "--check-mx, of an MX's) expires in fewer than DAYS days\n"
     "(Nagios range; a bare N means N:, default 28)"},
    {OPT_CERT_CRITICAL, "cert-critical", 0, "DAYS",
     "critical when such a certificate expires in fewer than DAYS\n"
     "days (Nagios range; a bare N means N:, default 14)"},
    {OPT_FETCH_WARNING, "fetch-warning", 0, "SECONDS",
     "warn when fetching the policy takes longer than SECONDS\n"
     "(Nagios range, default 2)"},
    {OPT_FETCH_CRITICAL, "fetch-critical", 0, "SECONDS",
     "critical when fetching the policy takes longer than SECONDS\n"
     "(Nagios range, default 5)"},
    {OPT_HELO, "helo", 0, "NAME",
     "name to send with EHLO for --check-mx (default: this machine's\n"
     "FQDN, or the address literal of our end of the connection)"},
    {OPT_ALL_CERTS, "all-certs", 0, NULL,
     "with --check-mx: one handshake per key type, asking for the\n"
     "ECDSA and for the RSA certificate, each judged; a server with\n"
     "one type of key only is fine"},
    OPTDEF_TAIL,
};

static const char *const examples[] = {
    "check_mta_sts -D example.com",
    "check_mta_sts -D example.com --check-mx -w 604800 "
    "--state-file /var/lib/mailtls/example.com.sts",
    "check_mta_sts -D example.org --allow-testing --cert-warning 21",
    NULL,
};

static const struct plugin_desc desc = {
    .prog = "check_mta_sts",
    .label = LABEL,
    .purpose =
	"Checks the MTA-STS (RFC 8461) of a mail domain as a sending MTA "
	"sees it: the\n_mta-sts TXT record, the policy fetched over HTTPS "
	"from mta-sts.DOMAIN (PKIX,\nstatus 200, text/plain, 64 KiB), "
	"its mode and max_age, and drift: every MX host\npublished must "
	"match an mx pattern, and every pattern an MX host. --check-mx\n"
	"also tests every MX address the way MTA-STS senders do.",
    .usage = "-D DOMAIN [-w SECONDS] [-c SECONDS] [--check-mx] "
	     "[--state-file FILE] [options]",
    .thresholds =
	"  -w and -c measure the policy's max_age in seconds (RFC 8461 3.2 "
	"suggests\n  weeks or more). --cert-warning and --cert-critical "
	"measure days of certificate\n  lifetime, --fetch-warning and "
	"--fetch-critical the seconds the fetch took.\n  Perfdata carries "
	"lifetimes in seconds.",
    .opts = options,
    .examples = examples,
};

struct plugin_opts {
	bool allow_testing;
	bool check_mx;
	bool all_certs;
	const char *state_file;
	const char *cert_warning, *cert_critical;
	const char *fetch_warning, *fetch_critical;
	const char *helo;
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct sts_opts so;
	struct pctx p;
	struct tls_ctx *tls;
	char domain[DNS_NAME_MAX];
	struct mx_set m;
	struct mech c;
	struct sts st;
	char helo[256];
};

static int
handle_opt(void *ctx, int id, const char *arg, const char **why)
{
	struct plugin_opts *po = ctx;

	switch (id) {
	case OPT_ALLOW_TESTING:
		po->allow_testing = true;
		return 0;
	case OPT_CHECK_MX:
		po->check_mx = true;
		return 0;
	case OPT_ALL_CERTS:
		po->all_certs = true;
		return 0;
	case OPT_STATE_FILE:
		if (*arg == '\0') {
			*why = "--state-file needs a file name";
			return -1;
		}
		po->state_file = arg;
		return 0;
	case OPT_CERT_WARNING:
		po->cert_warning = arg;
		return 0;
	case OPT_CERT_CRITICAL:
		po->cert_critical = arg;
		return 0;
	case OPT_FETCH_WARNING:
		po->fetch_warning = arg;
		return 0;
	case OPT_FETCH_CRITICAL:
		po->fetch_critical = arg;
		return 0;
	case OPT_HELO:
		return plugin_opt_helo(arg, &po->helo, why);
	}
	*why = "unknown option";
	return -1;
}



/* ------------------------------------------------------------ TXT */

/* ------------------------------------------------------------ main */

static int
parse_ranges(struct run *r)
{
	struct {
		const char *arg, *def, *name;
		int flags;
		struct range *out;
	} t[] = {
	    {r->co.warning, "86400", "-w", RANGE_LOW_IS_BAD, &r->so.warn},
	    {r->co.critical, NULL, "-c", RANGE_LOW_IS_BAD, &r->so.crit},
	    {r->po.cert_warning, "28", "--cert-warning", RANGE_LOW_IS_BAD,
	     &r->so.cwarn},
	    {r->po.cert_critical, "14", "--cert-critical", RANGE_LOW_IS_BAD,
	     &r->so.ccrit},
	    {r->po.fetch_warning, "2", "--fetch-warning", RANGE_DEFAULT,
	     &r->so.fwarn},
	    {r->po.fetch_critical, "5", "--fetch-critical", RANGE_DEFAULT,
	     &r->so.fcrit},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *s = t[i].arg ? t[i].arg : t[i].def;
		const char *why = NULL;

		if (s == NULL)
			continue; /* -c: no default */
		if (range_parse(s, t[i].flags, t[i].out, &why) < 0)
			return opts_fail(&desc, "%s: not a Nagios range: %.60s",
					 t[i].name, s);
	}
	return 0;
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
	if (opts_parse(&desc, argc, argv, &r->co, handle_opt, &r->po, &code) !=
	    OPTS_OK)
		return code;
	if (r->co.domain == NULL)
		return opts_fail(&desc, "-D DOMAIN is required");
	if (plugin_take_name("-D", r->co.domain, false, r->domain,
			     sizeof(r->domain) - 16, why, sizeof(why)) < 0)
		return opts_fail(&desc, "%s", why);
	if ((code = parse_ranges(r)) != 0)
		return code;
	r->so.crit_set = r->co.critical != NULL;
	r->so.allow_testing = r->po.allow_testing;
	r->so.check_mx = r->po.check_mx;
	r->so.all_certs = r->po.all_certs;
	r->so.state_file = r->po.state_file;

	if (plugin_open(&r->p, LABEL, &r->co, r->co.cafile, true, &r->tls,
			r->domain) != 0)
		return MT_UNKNOWN;
	plugin_default_helo(r->po.helo, r->helo, sizeof(r->helo));
	mx_init(&r->m, &r->p, r->domain);
	mech_init(&r->c, &r->p, r->tls, clock_wall(), r->helo, &r->m, NULL);
	sts_run(&r->st, &r->c, &r->so, r->domain, r->po.all_certs);

	buf_init(&sum);
	buf_printf(&sum, "%s: ", r->domain);
	sts_summary(&r->st, r->p.root->worst, &sum);
	code = plugin_print(&r->p, LABEL, sum.p);
	buf_free(&sum);

	sts_free(&r->st);
	mech_free(&r->c);
	mx_free(&r->m);
	plugin_close(&r->p, r->tls);
	return code;
}
