/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_tlsrpt_record: is the TLSRPT record of a domain (RFC 8460 3)
 * valid, and can its report destinations receive?
 *
 * 1. the _smtp._tls TXT record, CNAMEs followed: exactly one record
 *    beginning with the literal v=TLSRPTv1; (RPT-01, RPT-02), rua with
 *    one or more URIs, only mailto: and https: counted (RPT-03, RPT-04),
 *    ',' '!' ';' percent-encoded (RPT-05), extensions (RPT-06);
 * 2. with --check-rua (the default), each destination as a reporter uses
 *    it: a mailto: domain has MX records (or an address, the implicit
 *    MX); an https: host resolves and presents a PKIX-valid certificate
 *    (RPT-08). One that cannot receive is WARNING, all of them CRITICAL;
 * 3. the record's DNSSEC status, reported without judging.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "dns.h"
#include "https.h"
#include "net.h"
#include "options.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "tls.h"
#include "tlsrpt.h"
#include "txtrec.h"
#include "util.h"

#define LABEL "TLSRPT"
#define HOST_ADDRS 16
#define PROBE_CAP 4096

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

struct dest {
	const struct tlsrpt_uri *u;
	struct node *node;
	struct dns_result *mx, *addr[2];
	bool ok;       /* can receive (or, unchecked, well-formed) */
	char why[300]; /* why not, judged in finish() against -w/-c */
	const char *rule;
	bool timed_out;
	size_t literal; /* an https: host given as an address: 4 or 16 */
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct range warn, crit;
	bool warn_set;
	struct pctx p;
	struct tls_ctx *tls;
	char domain[DNS_NAME_MAX];
	struct dns_result *txt;
	struct node *rec_node;
	bool have_record;
	struct tlsrpt_record rec;
	char setup_why[256]; /* we could not check at all (no libcurl) */
	struct dest dest[TLSRPT_RUA_MAX];
	size_t ndest;
	time_t now;
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

/* Notes why d cannot receive; the state comes from -w/-c in finish(). */
static void dest_fail(struct dest *d, const char *rule, const char *fmt, ...)
    UTIL_PRINTF(3, 4);

static void
dest_fail(struct dest *d, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	d->rule = rule;
}


static void
judge_record(struct run *r, const char *rec, size_t len)
{
	char shown[300];

	text_sanitize(shown, sizeof(shown), rec, len, 200);
	result_text(r->rec_node, "\"%s\" (DNSSEC: %s)", shown,
		    dns_security_name(r->txt->security));
	if (tlsrpt_parse(rec, len, &r->rec) == TLSRPT_INVALID) {
		result_add(r->rec_node, MT_CRITICAL, NULL, NULL, "%s",
			   r->rec.why);
		return;
	}
	r->have_record = true;
	for (size_t i = 0; i < r->rec.nnotes; i++)
		result_add(r->rec_node, MT_WARNING, NULL, NULL, "%s",
			   r->rec.notes[i]);
}

/* The _smtp._tls TXT RRset (RPT-01, RPT-02). */
static void
process_txt(struct run *r)
{
	struct dns_result *res = r->txt;
	struct txt_pick t;

	r->rec_node = result_child(r->p.root, NODE_RECORD, res->qname);
	plugin_log_dns(&r->p, r->rec_node, res);
	result_fact(r->p.root, "dnssec", "%s",
		    dns_security_name(res->security));
	if (res->outcome == DNS_NXDOMAIN || res->outcome == DNS_NODATA) {
		result_add(r->rec_node, MT_CRITICAL, "RFC 8460 3 (RPT-01)",
			   NULL, "no TLSRPT record at %s (%s)", res->qname,
			   res->outcome == DNS_NXDOMAIN ? "NXDOMAIN"
							: "no TXT data");
		return;
	}
	if (res->outcome != DNS_ANSWER) {
		plugin_dns_failure(&r->p, r->rec_node, res, "TXT");
		return;
	}
	if (res->canonname != NULL &&
	    util_strcasecmp(res->canonname, res->qname) != 0) {
		result_add(r->rec_node, MT_OK, "RFC 8460 3", NULL,
			   "delegated by CNAME to %s", res->canonname);
		result_fact(r->rec_node, "cname", "%s", res->canonname);
	}
	txt_pick(res, "v=TLSRPTv1", &t);
	if (t.nexact > 1) {
		result_add(r->rec_node, MT_CRITICAL, "RFC 8460 3 (RPT-01)",
			   NULL,
			   "%zu TXT records begin with v=TLSRPTv1;: the domain "
			   "does not implement TLSRPT",
			   t.nexact);
	} else if (t.nexact == 1) {
		judge_record(r, t.rec[t.exact], t.len[t.exact]);
		if (t.nwsp > 0) {
			char a[120], b[120];

			/* As STS-30: parsers that allow blanks before ';'
			 * see two records and no TLSRPT. */
			text_sanitize(a, sizeof(a), t.rec[t.exact],
				      t.len[t.exact], 80);
			text_sanitize(b, sizeof(b), t.rec[t.wsp], t.len[t.wsp],
				      80);
			result_add(r->rec_node, MT_WARNING,
				   "RFC 8460 3 (RPT-01, as STS-30)", NULL,
				   "RPT-01: \"%s\" and \"%s\"%s: reporters "
				   "that allow blanks before ';' see %zu TLSRPT "
				   "records and no TLSRPT; others see only the "
				   "first",
				   a, b, t.nwsp > 1 ? " and more" : "",
				   1 + t.nwsp);
		}
	} else if (t.nspaced == 1) {
		judge_record(r, t.rec[t.spaced], t.len[t.spaced]);
	} else if (t.nlook > 0) {
		char shown[120];

		text_sanitize(shown, sizeof(shown), t.rec[t.look],
			      t.len[t.look], 80);
		result_add(r->rec_node, MT_CRITICAL,
			   "RFC 8460 3 (RPT-01, RPT-02)", NULL,
			   "no TXT record begins with the literal v=TLSRPTv1; "
			   "(case-sensitive): \"%s\" is ignored",
			   shown);
	} else {
		result_add(r->rec_node, MT_CRITICAL, "RFC 8460 3 (RPT-01)",
			   NULL,
			   "none of the %zu TXT records at %s is a TLSRPT "
			   "record",
			   t.n, res->qname);
	}
	txt_pick_free(&t);
}

/* ------------------------------------------------------------ rua */

static void
submit_dests(struct run *r)
{
	for (size_t i = 0; i < r->rec.nrua; i++) {
		struct dest *d = &r->dest[r->ndest++];

		d->u = &r->rec.rua[i];
		d->node = result_child(r->p.root, NODE_RECORD, d->u->uri);
		if (!d->u->ok) {
			dest_fail(d, NULL, "%s", d->u->why);
			continue;
		}
		if (r->po.no_check_rua) {
			d->ok = true;
			result_text(d->node, "%s, not checked (--no-check-rua)",
				    tlsrpt_scheme_name(d->u->scheme));
			continue;
		}
		if (d->u->scheme == TLSRPT_MAILTO) {
			dns_submit(r->p.dns, d->u->host, DNS_T_MX, dns_keep,
				   &d->mx);
		} else if ((d->literal = tls_ip_literal(d->u->host,
							(unsigned char[16]){0})) >
			   0) {
			/* RPT-31: reached at that address, no lookup */
		} else {
			if (!r->co.only6)
				dns_submit(r->p.dns, d->u->host, DNS_T_A,
					   dns_keep_addr, d->addr);
			if (!r->co.only4)
				dns_submit(r->p.dns, d->u->host, DNS_T_AAAA,
					   dns_keep_addr, d->addr);
		}
	}
}

/* mailto: after the MX answer; may ask for the implicit MX's address. */
static void
judge_mailto_mx(struct run *r, struct dest *d)
{
	const struct dns_result *mx = d->mx;
	char name[DNS_NAME_MAX];
	unsigned pref;
	size_t hosts = 0;

	if (mx == NULL)
		return;
	plugin_log_dns(&r->p, d->node, mx);
	switch (mx->outcome) {
	case DNS_ANSWER:
		for (size_t i = 0; i < mx->n; i++)
			if (dns_rr_mx(&mx->rr[i], &pref, name, sizeof(name)) ==
				0 &&
			    name[0] != '\0')
				hosts++;
		if (hosts == 0) {
			dest_fail(d, "RFC 7505 (RPT-08)",
				  "%s has a null MX: it accepts no mail",
				  d->u->host);
			return;
		}
		d->ok = true;
		result_text(d->node, "mailto, %s has %zu MX host%s", d->u->host,
			    hosts, hosts == 1 ? "" : "s");
		return;
	case DNS_NODATA:
		/* RFC 5321 5.1: the domain itself, if it has an address. */
		dns_submit(r->p.dns, d->u->host, DNS_T_A, dns_keep_addr,
			   d->addr);
		dns_submit(r->p.dns, d->u->host, DNS_T_AAAA, dns_keep_addr,
			   d->addr);
		return;
	case DNS_NXDOMAIN:
		dest_fail(d, "RPT-08", "the mail domain %s does not exist",
			  d->u->host);
		return;
	default:
		dest_fail(d, "RPT-08", "MX lookup for %s failed: %s",
			  d->u->host, dns_outcome_name(mx->outcome));
		return;
	}
}

static size_t
addrs_of(struct run *r, struct dest *d, char text[][NET_ADDR_MAX],
	 const char **addrs, bool *failed)
{
	size_t n = 0;

	*failed = false;
	for (int k = 0; k < 2; k++) {
		const struct dns_result *res = d->addr[k];
		struct sockaddr_storage ss;
		socklen_t sslen;

		if (res == NULL)
			continue;
		plugin_log_dns(&r->p, d->node, res);
		if (res->outcome != DNS_ANSWER) {
			*failed |= res->outcome != DNS_NXDOMAIN &&
				   res->outcome != DNS_NODATA;
			continue;
		}
		for (size_t i = 0; i < res->n && n < HOST_ADDRS; i++)
			if (dns_rr_addr(&res->rr[i], res->qtype, 443, &ss,
					&sslen) == 0) {
				net_addr_text((const struct sockaddr *)&ss,
					      text[n], NET_ADDR_MAX);
				addrs[n] = text[n];
				n++;
			}
	}
	return n;
}

/* The path (and query) of an https: URI, "/" when none. */
static const char *
uri_path(const char *uri)
{
	const char *p = strstr(uri, "//");

	p = p ? strpbrk(p + 2, "/?") : NULL;
	return p && *p == '/' ? p : "/";
}

static void
judge_dest(struct run *r, struct dest *d)
{
	char text[HOST_ADDRS][NET_ADDR_MAX];
	const char *addrs[HOST_ADDRS];
	struct https_result h;
	bool failed;
	size_t n;

	if (!d->u->ok || r->po.no_check_rua)
		return;
	if (d->literal > 0) {
		/* RPT-31: the address itself, judged on its IP-ID */
		if ((d->literal == 4 && r->co.only6) ||
		    (d->literal == 16 && r->co.only4)) {
			dest_fail(d, "RPT-31", "the address %s is not IPv%d "
				  "(-%d given)", d->u->host,
				  r->co.only4 ? 4 : 6, r->co.only4 ? 4 : 6);
			return;
		}
		util_strlcpy(text[0], d->u->host, sizeof(text[0]));
		addrs[0] = text[0];
		n = 1;
		failed = false;
	} else
		n = addrs_of(r, d, text, addrs, &failed);
	if (d->u->scheme == TLSRPT_MAILTO) {
		if (d->mx == NULL || d->mx->outcome != DNS_NODATA)
			return; /* judged on the MX answer */
		if (n > 0) {
			d->ok = true;
			result_text(d->node,
				    "mailto, no MX: %s itself (%s) "
				    "is the implicit MX",
				    d->u->host, addrs[0]);
		} else {
			dest_fail(d, "RFC 5321 5.1 (RPT-08)",
				  "%s has no MX record and no address: mail "
				  "to it cannot be delivered",
				  d->u->host);
		}
		return;
	}
	if (n == 0) {
		dest_fail(d, "RPT-08", "the host %s %s", d->u->host,
			  failed ? "cannot be resolved (lookup failed)"
				 : "does not resolve");
		return;
	}
	https_get(d->u->host, d->u->port, uri_path(d->u->uri), addrs, n, r->tls,
		  r->now, PROBE_CAP, &h);
	if (h.fail == HTTPS_SETUP) {
		/* our side, not the destination's: the run is UNKNOWN */
		if (r->setup_why[0] == '\0')
			util_strlcpy(r->setup_why, h.why, sizeof(r->setup_why));
	} else if (h.fail != HTTPS_OK && h.fail != HTTPS_TOOBIG &&
	    h.fail != HTTPS_PROTOCOL) {
		d->timed_out = h.fail == HTTPS_TIMEOUT;
		dest_fail(d, "RPT-08", "https://%s:%u: %s", d->u->host,
			  d->u->port, h.why);
	} else {
		d->ok = true;
		result_text(d->node,
			    "https, %s:%u presents a valid certificate%s (HTTP "
			    "%ld to GET)",
			    h.addr, d->u->port,
			    !h.peer.ncerts  ? ""
			    : d->literal > 0 ? " for the address (RPT-31)"
					     : " for the host",
			    h.status);
	}
	https_result_free(&h);
}

/* ------------------------------------------------------------ output */

static void
summarize(struct run *r, enum mt_state worst, size_t ok, struct buf *out)
{
	size_t kinds[3] = {0, 0, 0};

	buf_printf(out, "%s: ", r->domain);
	if (worst != MT_OK)
		output_name_worst(r->p.root, worst, 3, out);
	if (!r->have_record) {
		buf_puts(out, "no valid record");
		return;
	}
	for (size_t i = 0; i < r->ndest; i++)
		kinds[r->dest[i].u->scheme]++;
	buf_printf(out, "%zu destination%s (", r->ndest,
		   r->ndest == 1 ? "" : "s");
	{
		const char *sep = "";

		if (kinds[TLSRPT_MAILTO]) {
			buf_printf(out, "%smailto", sep);
			sep = ", ";
		}
		if (kinds[TLSRPT_HTTPS]) {
			buf_printf(out, "%shttps", sep);
			sep = ", ";
		}
		if (kinds[TLSRPT_OTHER])
			buf_printf(out, "%s%zu other", sep,
				   kinds[TLSRPT_OTHER]);
	}
	buf_puts(out, ")");
	if (r->po.no_check_rua)
		buf_puts(out, ", not checked");
	else if (ok == r->ndest)
		buf_puts(out, ", all reachable");
	else
		buf_printf(out, ", %zu reachable", ok);
}

static int
finish(struct run *r)
{
	struct node *root = r->p.root;
	struct buf sum;
	int code;
	enum mt_state worst, st;
	size_t ok = 0, usable = 0;
	char w[32], c[32];
	struct perf *p;

	if (r->have_record) {
		for (size_t i = 0; i < r->ndest; i++) {
			ok += r->dest[i].ok;
			usable += r->dest[i].u->scheme != TLSRPT_OTHER;
		}
		if (usable == 0)
			result_add(root, MT_CRITICAL, "RFC 8460 3 (RPT-04)",
				   NULL,
				   "no mailto: or https: destination: reports "
				   "have nowhere to go");
		else if (!r->po.no_check_rua &&
			 (st = range_state(r->warn_set ? &r->warn : NULL,
					   &r->crit, (double)ok)) != MT_OK) {
			const char *why = NULL;

			/* Name the first destination that failed, and why. */
			for (size_t i = 0; i < r->ndest && why == NULL; i++)
				if (!r->dest[i].ok && r->dest[i].why[0])
					why = r->dest[i].why;
			result_add(root, st, "RPT-08", NULL,
				   "%zu of %zu destinations can receive "
				   "reports%s%s",
				   ok, r->ndest, why ? ": " : "",
				   why ? why : "");
		}
		/* Each failed destination: WARNING, or OK when -w/-c are
		 * content with the others; a timeout is --timeout-result. */
		st = r->po.no_check_rua ? MT_WARNING
		     : range_state(r->warn_set ? &r->warn : NULL, &r->crit,
				   (double)ok) == MT_OK
			 ? MT_OK
			 : MT_WARNING;
		for (size_t i = 0; i < r->ndest; i++) {
			struct dest *d = &r->dest[i];

			if (d->ok || d->why[0] == '\0')
				continue;
			result_add(d->node,
				   d->timed_out ? r->co.timeout_result : st,
				   d->rule, NULL, "%s", d->why);
		}
	}
	worst = result_finish(root);
	if (r->have_record) {
		p = result_perf(root, "rua_total", (double)r->ndest, "", NULL,
				NULL);
		result_perf_minmax(p, true, 0, false, 0);
		p = result_perf(root, "rua_ok", (double)ok, "",
				r->warn_set
				    ? range_format(&r->warn, 1, w, sizeof(w))
				    : NULL,
				range_format(&r->crit, 1, c, sizeof(c)));
		result_perf_minmax(p, true, 0, true, (double)r->ndest);
	}

	buf_init(&sum);
	summarize(r, worst, ok, &sum);
	code = plugin_print(&r->p, LABEL, sum.p);
	buf_free(&sum);
	return code;
}

/* The trust store, when a destination is https:; -1 after saying why. */
static int
load_trust_for_https(struct run *r)
{
	char err[256];

	for (size_t i = 0; i < r->rec.nrua; i++) {
		if (!r->rec.rua[i].ok || r->rec.rua[i].scheme != TLSRPT_HTTPS)
			continue;
		if (tls_ctx_load_trust(r->tls, r->co.cafile, err,
				       sizeof(err)) == -1) {
			plugin_unknown(LABEL, "%s", err);
			return -1;
		}
		return 0;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	char qname[DNS_NAME_MAX + 16];
	const char *why = NULL;
	char whybuf[200];
	char wdef[32];
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
		if (range_parse(r->co.warning, RANGE_LOW_IS_BAD, &r->warn,
				&why) < 0)
			return opts_fail(&desc, "-w: not a Nagios range: %.60s",
					 r->co.warning);
		r->warn_set = true;
	}
	if (range_parse(r->co.critical ? r->co.critical : "1", RANGE_LOW_IS_BAD,
			&r->crit, &why) < 0)
		return opts_fail(&desc, "-c: not a Nagios range: %.60s",
				 r->co.critical);
	snprintf(qname, sizeof(qname), "_smtp._tls.%.240s", r->domain);

	/* The trust store is loaded once an https: destination is to be
	 * checked: a record with mailto: ones only is a DNS-only check. */
	if (plugin_open(&r->p, LABEL, &r->co, r->co.cafile, false, &r->tls,
			r->domain) != 0)
		return MT_UNKNOWN;
	r->now = clock_wall();

	dns_probe_submit(r->p.dns);
	dns_submit(r->p.dns, qname, DNS_T_TXT, dns_keep, &r->txt);
	dns_wait(r->p.dns);
	process_txt(r);
	if (r->have_record && !r->po.no_check_rua &&
	    load_trust_for_https(r) == -1) {
		code = MT_UNKNOWN;
		goto out;
	}
	if (r->have_record) {
		submit_dests(r);
		dns_wait(r->p.dns);
		for (size_t i = 0; i < r->ndest; i++)
			if (r->dest[i].u->scheme == TLSRPT_MAILTO)
				judge_mailto_mx(r, &r->dest[i]);
		dns_wait(r->p.dns);
		for (size_t i = 0; i < r->ndest; i++)
			judge_dest(r, &r->dest[i]);
		if (r->setup_why[0] != '\0') {
			plugin_unknown(LABEL, "%s", r->setup_why);
			code = MT_UNKNOWN;
			goto out;
		}
	}
	/* By default one destination that cannot receive is a WARNING. */
	if (!r->warn_set && r->have_record) {
		snprintf(wdef, sizeof(wdef), "%zu", r->ndest);
		range_parse(wdef, RANGE_LOW_IS_BAD, &r->warn, &why);
		r->warn_set = true;
	}
	code = finish(r);
out:
	for (size_t i = 0; i < r->ndest; i++) {
		dns_result_free(r->dest[i].mx);
		dns_result_free(r->dest[i].addr[0]);
		dns_result_free(r->dest[i].addr[1]);
	}
	dns_result_free(r->txt);
	plugin_close(&r->p, r->tls);
	return code;
}
