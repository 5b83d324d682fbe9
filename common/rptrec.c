/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rptrec.c: the TLSRPT record mechanism (rptrec.h; RFC 8460 3):
 *
 * 1. the _smtp._tls TXT record, CNAMEs followed: exactly one record
 *    beginning with the literal v=TLSRPTv1; (RPT-01, RPT-02), rua with
 *    one or more URIs, only mailto: and https: counted (RPT-03, RPT-04),
 *    ',' '!' ';' percent-encoded (RPT-05), extensions (RPT-06);
 * 2. unless no_check_rua, each destination as a reporter uses it: a
 *    mailto: domain has MX records (or an address, the implicit MX), its
 *    address a valid Mailbox (RPT-30); an https: host resolves (or is an
 *    address literal, RPT-31) and presents a PKIX-valid certificate
 *    (RPT-08). One that cannot receive is WARNING, all of them CRITICAL,
 *    or what -w/-c say;
 * 3. the record's DNSSEC status, reported without judging.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "https.h"
#include "net.h"
#include "rptrec.h"
#include "tls.h"
#include "txtrec.h"
#include "util.h"

#define HOST_ADDRS 16
#define PROBE_CAP 4096

/* Notes why d cannot receive; the state comes from -w/-c in finish(). */
static void dest_fail(struct rptrec_dest *d, const char *rule, const char *fmt, ...)
    UTIL_PRINTF(3, 4);

static void
dest_fail(struct rptrec_dest *d, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	d->rule = rule;
}


static void
judge_record(struct rptrec *r, const char *rec, size_t len)
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
process_txt(struct rptrec *r)
{
	struct dns_result *res = r->txt;
	struct txt_pick t;

	r->rec_node = result_child(r->c->root, NODE_RECORD, res->qname);
	plugin_log_dns(r->c->p, r->rec_node, res);
	result_fact(r->c->root, "dnssec", "%s",
		    dns_security_name(res->security));
	if (res->outcome == DNS_NXDOMAIN || res->outcome == DNS_NODATA) {
		result_add(r->rec_node, MT_CRITICAL, "RFC 8460 3 (RPT-01)",
			   NULL, "no TLSRPT record at %s (%s)", res->qname,
			   res->outcome == DNS_NXDOMAIN ? "NXDOMAIN"
							: "no TXT data");
		return;
	}
	if (res->outcome != DNS_ANSWER) {
		plugin_dns_failure(r->c->p, r->rec_node, res, "TXT");
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
		/* As STS-30: parsers that allow blanks before ';' see
		 * two records and no TLSRPT. */
		txt_note_wsp(r->rec_node, &t, "RPT-01",
			     "RFC 8460 3 (RPT-01, as STS-30)", "reporters",
			     "TLSRPT");
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
submit_dests(struct rptrec *r)
{
	for (size_t i = 0; i < r->rec.nrua; i++) {
		struct rptrec_dest *d = &r->dest[r->ndest++];

		d->u = &r->rec.rua[i];
		d->node = result_child(r->c->root, NODE_RECORD, d->u->uri);
		if (!d->u->ok) {
			dest_fail(d, NULL, "%s", d->u->why);
			continue;
		}
		if (r->o->no_check_rua) {
			d->ok = true;
			result_text(d->node, "%s, not checked (--no-check-rua)",
				    tlsrpt_scheme_name(d->u->scheme));
			continue;
		}
		if (d->u->scheme == TLSRPT_MAILTO) {
			dns_submit(r->c->p->dns, d->u->host, DNS_T_MX, dns_keep,
				   &d->mx);
		} else if ((d->literal = tls_ip_literal(d->u->host,
							(unsigned char[16]){0})) >
			   0) {
			/* RPT-31: reached at that address, no lookup */
		} else {
			if (!r->c->p->co->only6)
				dns_submit(r->c->p->dns, d->u->host, DNS_T_A,
					   dns_keep_addr, d->addr);
			if (!r->c->p->co->only4)
				dns_submit(r->c->p->dns, d->u->host, DNS_T_AAAA,
					   dns_keep_addr, d->addr);
		}
	}
}

/* mailto: after the MX answer; may ask for the implicit MX's address. */
static void
judge_mailto_mx(struct rptrec *r, struct rptrec_dest *d)
{
	const struct dns_result *mx = d->mx;
	char name[DNS_NAME_MAX];
	unsigned pref;
	size_t hosts = 0;

	if (mx == NULL)
		return;
	plugin_log_dns(r->c->p, d->node, mx);
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
		dns_submit(r->c->p->dns, d->u->host, DNS_T_A, dns_keep_addr,
			   d->addr);
		dns_submit(r->c->p->dns, d->u->host, DNS_T_AAAA, dns_keep_addr,
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
addrs_of(struct rptrec *r, struct rptrec_dest *d, char text[][NET_ADDR_MAX],
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
		plugin_log_dns(r->c->p, d->node, res);
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
judge_dest(struct rptrec *r, struct rptrec_dest *d)
{
	char text[HOST_ADDRS][NET_ADDR_MAX];
	const char *addrs[HOST_ADDRS];
	struct https_result h;
	bool failed;
	size_t n;

	if (!d->u->ok || r->o->no_check_rua)
		return;
	if (d->literal > 0) {
		/* RPT-31: the address itself, judged on its IP-ID */
		if ((d->literal == 4 && r->c->p->co->only6) ||
		    (d->literal == 16 && r->c->p->co->only4)) {
			dest_fail(d, "RPT-31", "the address %s is not IPv%d "
				  "(-%d given)", d->u->host,
				  r->c->p->co->only4 ? 4 : 6, r->c->p->co->only4 ? 4 : 6);
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
	https_get(d->u->host, d->u->port, uri_path(d->u->uri), addrs, n, r->c->tls,
		  r->c->now, PROBE_CAP, &h);
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

void
rptrec_summary(const struct rptrec *r, enum mt_state worst, struct buf *out)
{
	size_t kinds[3] = {0, 0, 0};
	size_t ok = r->ok;

	if (worst != MT_OK)
		output_name_worst(r->c->root, worst, 3, out);
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
	if (r->o->no_check_rua)
		buf_puts(out, ", not checked");
	else if (ok == r->ndest)
		buf_puts(out, ", all reachable");
	else
		buf_printf(out, ", %zu reachable", ok);
}

static void
judge(struct rptrec *r)
{
	struct node *root = r->c->root;
	enum mt_state st;
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
		else if (!r->o->no_check_rua &&
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
		st = r->o->no_check_rua ? MT_WARNING
		     : range_state(r->warn_set ? &r->warn : NULL, &r->crit,
				   (double)ok) == MT_OK
			 ? MT_OK
			 : MT_WARNING;
		for (size_t i = 0; i < r->ndest; i++) {
			struct rptrec_dest *d = &r->dest[i];

			if (d->ok || d->why[0] == '\0')
				continue;
			result_add(d->node,
				   d->timed_out ? r->c->p->co->timeout_result : st,
				   d->rule, NULL, "%s", d->why);
		}
	}
	result_finish(root);
	r->ok = ok;
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
}

/* The trust store, when a destination is https:; -1 with why in
 * r->setup_why. */
static int
load_trust_for_https(struct rptrec *r)
{
	char *err = r->setup_why;
	size_t errlen = sizeof(r->setup_why);

	for (size_t i = 0; i < r->rec.nrua; i++) {
		if (!r->rec.rua[i].ok || r->rec.rua[i].scheme != TLSRPT_HTTPS)
			continue;
		if (tls_ctx_load_trust(r->c->tls, r->c->p->co->cafile, err,
				       errlen) == -1)
			return -1;
		return 0;
	}
	return 0;
}


void
rptrec_submit(struct rptrec *r, struct mech *c, const struct rptrec_opts *o,
	      const char *domain)
{
	memset(r, 0, sizeof(*r));
	r->c = c;
	r->o = o;
	r->warn = o->warn;
	r->crit = o->crit;
	r->warn_set = o->warn_set;
	snprintf(r->qname, sizeof(r->qname), "_smtp._tls.%.240s", domain);
	dns_submit(c->p->dns, r->qname, DNS_T_TXT, dns_keep, &r->txt);
}

int
rptrec_process(struct rptrec *r)
{
	process_txt(r);
	if (r->have_record && !r->o->no_check_rua &&
	    load_trust_for_https(r) == -1)
		return -1;
	if (r->have_record)
		submit_dests(r);
	return 0;
}

void
rptrec_mailto(struct rptrec *r)
{
	for (size_t i = 0; i < r->ndest; i++)
		if (r->dest[i].u->scheme == TLSRPT_MAILTO)
			judge_mailto_mx(r, &r->dest[i]);
}

int
rptrec_judge(struct rptrec *r)
{
	const char *why = NULL;
	char wdef[32];

	if (r->have_record) {
		for (size_t i = 0; i < r->ndest; i++)
			judge_dest(r, &r->dest[i]);
		if (r->setup_why[0] != '\0')
			return -1;
	}
	/* By default one destination that cannot receive is a WARNING. */
	if (!r->warn_set && r->have_record) {
		snprintf(wdef, sizeof(wdef), "%zu", r->ndest);
		range_parse(wdef, RANGE_LOW_IS_BAD, &r->warn, &why);
		r->warn_set = true;
	}
	judge(r);
	return 0;
}

int
rptrec_run(struct rptrec *r, struct mech *c, const struct rptrec_opts *o,
	   const char *domain)
{
	dns_probe_submit(c->p->dns);
	rptrec_submit(r, c, o, domain);
	dns_wait(c->p->dns);
	if (rptrec_process(r) == -1)
		return -1;
	if (r->have_record) {
		dns_wait(c->p->dns);
		rptrec_mailto(r);
		dns_wait(c->p->dns);
	}
	return rptrec_judge(r);
}

void
rptrec_free(struct rptrec *r)
{
	for (size_t i = 0; i < r->ndest; i++) {
		dns_result_free(r->dest[i].mx);
		dns_result_free(r->dest[i].addr[0]);
		dns_result_free(r->dest[i].addr[1]);
	}
	dns_result_free(r->txt);
	r->txt = NULL;
	r->ndest = 0;
}
