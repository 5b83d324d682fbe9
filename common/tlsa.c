/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tlsa.c: the DANE mechanism (tlsa.h): DANE for SMTP (RFC 7672) the way a
 * DANE-speaking sending MTA applies it. For every MX host of a domain or
 * one host:
 *
 * 1. DNSSEC, validated in-process from --trust-anchor: the MX RRset must be
 *    secure for DANE to protect the domain (DANE-03, -04); a host's address
 *    records must be secure, or DANE does not apply to it (DANE-05), unless
 *    the host name is a secure alias of insecure addresses (DANE-31);
 * 2. the TLSA base name: a secure CNAME chain's target first, then the
 *    original name, never a name in between (DANE-07, DANE-32);
 *    _PORT._tcp.BASE (DANE-06); a CNAME at the TLSA name does not change
 *    the base (DANE-08);
 * 3. the TLSA RRset: secure with a usable record, or the exact reason
 *    (none, insecure, bogus, failed); unusable records named (DANE-09..13);
 * 4. every address, all at once: STARTTLS (required by any secure TLSA,
 *    DANE-10), SNI = the base name (DANE-18), the chain as sent matched
 *    against the used records (dane.h; DANE-15..17, DANE-33, DANE-35), a
 *    failure after the handshake (DANE-34);
 * 5. per-record accounting across addresses (DANE-14), rollover safety,
 *    DNS only, and certificate lifetimes where dates matter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "tlsa.h"

#define DAY 86400.0

/* DANE-03: the MX RRset (or its denial, for the implicit MX) is secure. */
void
tlsa_mx_security(struct tlsa *r)
{
	const struct dns_result *mx = r->c->m->mx;

	if (mx == NULL || (r->c->m->kind != MX_LIST && r->c->m->kind != MX_IMPLICIT))
		return;
	result_fact(r->c->root, "mx_dnssec", "%s",
		    dns_security_name(mx->security));
	r->mx_secure = mx->security == DNS_SECURE;
	if (!r->mx_secure)
		result_add(r->c->root, MT_CRITICAL, "RFC 7672 2.2.1 (DANE-03)",
			   "dnssec-invalid",
			   "the MX RRset of %s is insecure: DANE does not "
			   "protect this domain",
			   r->target);
}

/*
 * DANE-05: every address answer of the host must be secure, or no TLSA is
 * asked for. Returns true when TLSA lookups should go out. An alias whose
 * target's addresses are insecure is left to judge_alias() (DANE-31):
 * false, no finding, *insecure_type set.
 */
static bool
addresses_secure(struct mx_host *h, struct node *hn, int *insecure_type)
{
	bool any = false;

	for (int k = 0; k < 2; k++) {
		const struct dns_result *res = h->res[k];

		if (res == NULL)
			continue;
		if (res->outcome != DNS_ANSWER && res->outcome != DNS_NODATA &&
		    res->outcome != DNS_NXDOMAIN)
			return false; /* reported as a failed lookup */
		result_log(hn, "DNSSEC: %s %s%s",
			   dns_type_name(res->qtype),
			   dns_security_name(res->security),
			   res->outcome == DNS_ANSWER	? ""
			   : res->outcome == DNS_NODATA ? " (no data)"
							: " (NXDOMAIN)");
		if (res->outcome == DNS_ANSWER)
			any = true;
		if (res->security != DNS_SECURE) {
			*insecure_type = res->qtype;
			if (h->canon[0] != '\0')
				return false; /* judge_alias() */
			result_add(hn, MT_CRITICAL,
				   "RFC 7672 2.2.2 (DANE-05)", "dnssec-invalid",
				   "DANE not applicable: the %s records of "
				   "%s are insecure",
				   dns_type_name(res->qtype), h->name);
			return false;
		}
	}
	return any;
}

/*
 * DANE-31: the host name is an alias whose target's addresses are
 * insecure. Senders (Postfix's qname_secure, KumoMTA) still apply DANE
 * when the alias itself is secure, with the original name as TLSA base,
 * SNI and reference identifier (RFC 7672 2.2.2). True when TLSA lookups
 * should go out for it.
 */
static bool
judge_alias(struct mx_host *h, struct node *hn, struct tlsa_host *x)
{
	const struct dns_result *c = x->cname;

	if (c != NULL && c->outcome == DNS_ANSWER &&
	    c->security == DNS_SECURE) {
		x->original_only = true;
		result_log(hn, "DNSSEC: CNAME secure");
		result_add(hn, MT_OK, "RFC 7672 2.2.2 (DANE-31)", NULL,
			   "secure CNAME to %s, whose %s records are "
			   "insecure: DANE applies with the original name",
			   h->canon, dns_type_name(x->insecure_type));
		return true;
	}
	result_add(hn, MT_CRITICAL, "RFC 7672 2.2.2 (DANE-05)",
		   "dnssec-invalid",
		   "DANE not applicable: the %s records of %s are insecure "
		   "(and the CNAME to %s is not secure)",
		   dns_type_name(x->insecure_type), h->name, h->canon);
	return false;
}

static void
submit_tlsa(struct tlsa *r, size_t i)
{
	struct mx_host *h = &r->c->m->hosts[i];
	struct tlsa_host *x = &r->hx[i];
	const char *names[2];
	size_t n = 0;

	/* DANE-07: the expanded name first, then the original; the original
	 * alone behind a secure alias to insecure addresses (DANE-31). */
	if (h->canon[0] != '\0' && !x->original_only)
		names[n++] = h->canon;
	names[n++] = h->name;
	for (size_t k = 0; k < n; k++) {
		snprintf(x->qname[k], sizeof(x->qname[k]), "_%u._tcp.%.240s",
			 r->c->p->co->port, names[k]);
		dns_submit(r->c->p->dns, x->qname[k], DNS_T_TLSA, dns_keep,
			   &x->tlsa[k]);
	}
	x->ncand = n;
}

static void
list_records(struct node *hn, struct tlsa_host *x)
{
	char t[300];

	for (size_t i = 0; i < x->set.n; i++) {
		const struct dane_rec *rec = &x->set.rec[i];

		result_log(hn, "TLSA %s%s",
			   dane_rec_text(rec, 16, t, sizeof(t)),
			   !rec->usable	     ? " [unusable]"
			   : rec->superseded ? " [superseded]"
					     : "");
		if (!rec->usable)
			result_add(hn, MT_WARNING, NULL, NULL, "%s: %s",
				   dane_rec_text(rec, 8, t, sizeof(t)),
				   rec->why);
		else if (rec->superseded)
			result_add(hn, MT_OK, NULL, NULL, "%s: %s",
				   dane_rec_text(rec, 8, t, sizeof(t)),
				   rec->why);
	}
}

/* The TLSA answers of one host: its base name and its records. */
static void
process_tlsa(struct tlsa *r, size_t i)
{
	struct mx_host *h = &r->c->m->hosts[i];
	struct node *hn = mech_host(r->c, h);
	struct tlsa_host *x = &r->hx[i];
	struct dns_result *res = NULL;
	size_t pick = 0;
	bool fell_back = false; /* DANE-32 */

	for (size_t k = 0; k < x->ncand; k++) {
		res = x->tlsa[k];
		pick = k;
		if (res == NULL)
			continue;
		plugin_log_dns(r->c->p, hn, res);
		/* DANE-32: insecure records at the expanded name count as
		 * none: the original name is tried, as for NODATA. */
		if (res->outcome == DNS_ANSWER && res->security != DNS_SECURE &&
		    k + 1 < x->ncand) {
			result_add(hn, MT_OK, "RFC 7672 2.2.2 (DANE-32)",
				   NULL,
				   "the TLSA records at %s are insecure: the "
				   "original name is tried",
				   res->qname);
			fell_back = true;
			continue;
		}
		if (res->outcome != DNS_NXDOMAIN && res->outcome != DNS_NODATA)
			break; /* records, or a failure: no fallback */
	}
	if (res == NULL)
		return;
	util_strlcpy(x->base, pick == 0 && x->ncand == 2 ? h->canon : h->name,
		     sizeof(x->base));
	if (x->ncand == 2 || x->original_only) {
		result_fact(hn, "tlsa_base", "%s", x->base);
		result_text(hn, "CNAME to %s; TLSA base %s (%s)",
			    h->canon, x->base,
			    x->original_only ? "DANE-31: a secure alias to "
					       "insecure addresses"
			    : fell_back ? "DANE-07, DANE-32"
					: "DANE-07");
	}
	switch (res->outcome) {
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		x->ts = TS_ABSENT;
		result_log(hn, "DNSSEC: TLSA %s (%s)",
			   dns_security_name(res->security),
			   res->outcome == DNS_NODATA ? "no data" : "NXDOMAIN");
		return; /* judged with the other hosts (DANE-19) */
	case DNS_ANSWER:
		break;
	default:
		x->ts = TS_FAILED;
		result_add(hn, plugin_lookup_fail_state(r->c->p, res),
			   "RFC 7672 2.2 (DANE-09)", "dnssec-invalid",
			   "TLSA lookup for %s failed: %s%s%s: senders defer "
			   "mail to this host",
			   res->qname, dns_outcome_name(res->outcome),
			   res->why ? ": " : "", res->why ? res->why : "");
		return;
	}
	result_log(hn, "DNSSEC: TLSA %s%s%s",
		   dns_security_name(res->security),
		   res->canonname ? " via CNAME " : "",
		   res->canonname ? res->canonname : "");
	if (res->security != DNS_SECURE) {
		x->ts = TS_INSECURE;
		result_add(hn, MT_CRITICAL, "RFC 7672 2.2 (DANE-09)",
			   "dnssec-invalid",
			   "the TLSA records at %s are insecure: no DANE",
			   res->qname);
		return;
	}
	x->ts = TS_SECURE;
	for (size_t k = 0; k < res->n; k++) {
		uint8_t u, s, m;
		const unsigned char *d;
		size_t dl;

		if (dns_rr_tlsa(&res->rr[k], &u, &s, &m, &d, &dl) == 0)
			dane_set_add(&x->set, u, s, m, d, dl);
		else
			result_add(hn, MT_WARNING, NULL, NULL,
				   "malformed TLSA rdata ignored");
	}
	dane_set_agility(&x->set);
	x->hits = xcalloc(x->set.n ? x->set.n : 1, sizeof(bool));
	list_records(hn, x);
	if (x->set.nusable == 0)
		result_add(hn, MT_WARNING, "RFC 7672 2.2 (DANE-09)",
			   "tlsa-invalid",
			   "no usable TLSA record: senders require TLS but "
			   "cannot authenticate the server");
}

/* DANE-19 and GEN-05: hosts without TLSA. */
static void
judge_absent(struct tlsa *r)
{
	size_t dane = 0;

	for (size_t i = 0; i < r->c->m->nhosts; i++)
		dane += r->hx[i].ts == TS_SECURE;
	for (size_t i = 0; i < r->c->m->nhosts; i++) {
		struct mx_host *h = &r->c->m->hosts[i];
		struct node *hn = mech_host(r->c, h);

		if (r->hx[i].ts != TS_ABSENT)
			continue;
		if (r->c->p->co->domain != NULL && dane > 0)
			result_add(hn, MT_WARNING,
				   "RFC 7672 2.2.1 (DANE-19)", NULL,
				   "no TLSA records at _%u._tcp.%s: DANE "
				   "protects only some MX hosts",
				   r->c->p->co->port, r->hx[i].base);
		else
			result_add(hn, MT_CRITICAL, "GEN-05", NULL,
				   "no TLSA records at _%u._tcp.%s", r->c->p->co->port,
				   r->hx[i].base);
	}
}

/* One address after its session: STARTTLS, version, the DANE match. */
static void
judge_addr(struct tlsa *r, size_t ai, double *min_left, bool *seen)
{
	struct mx_addr *a = &r->c->m->addrs[ai];
	struct smtp_session *s = &a->sess;
	struct tlsa_host *x = &r->hx[a->host - r->c->m->hosts];
	struct dane_result *dr = &r->dr[ai];
	const char *names[4];
	size_t nnames = 0;
	char t[200], w[32], c[32], label[160], date[16];
	enum mt_state st;
	struct node *an;

	/* Sessions of hosts without secure TLSA (check_mailtls connects to
	 * every host) are not DANE's to judge. */
	if (x->ts != TS_SECURE)
		return;
	an = mech_addr(r->c, a);
	mx_judge_dialogue(r->c->m, a, mech_alone(r->c) ? NULL : an,
			  MT_CRITICAL);
	if (!s->tls_done) {
		if (s->fail == SMTP_OK)
			result_add(
			    an, MT_CRITICAL, "RFC 7672 2.2 (DANE-10)",
			    "starttls-not-supported",
			    "no TLS although TLSA records are published");
		return;
	}
	x->tls_addrs++;
	result_fact(an, "tls_version", "%s", s->peer.version);
	/* DANE-34: a session that fails after the handshake (EHLO refused,
	 * the connection dropped, the deadline) delivers nothing, whatever
	 * matched. */
	if (s->fail != SMTP_OK)
		result_add(an,
			   s->fail == SMTP_FAIL_TIMEOUT ? r->c->p->co->timeout_result
							: MT_CRITICAL,
			   s->rule, s->token, "%s (DANE-34)", s->why);
	if (s->peer.version_num > 0 && s->peer.version_num < 12)
		result_add(an, MT_WARNING, "RFC 8996 (DANE-20)", NULL,
			   "%s negotiated: deprecated", s->peer.version);
	if (x->set.nusable == 0)
		return;
	names[nnames++] = x->base;
	if (r->c->p->co->domain != NULL && r->mx_secure &&
	    util_strcasecmp(r->c->p->co->domain, x->base) != 0)
		names[nnames++] = r->c->p->co->domain; /* DANE-17: the next hop */
	/* DANE-33: and its CNAME expansion from the secure MX lookup, as
	 * Postfix adds both qname and rname. */
	if (r->c->p->co->domain != NULL && r->mx_secure && r->c->m->mx != NULL &&
	    r->c->m->mx->canonname != NULL &&
	    util_strcasecmp(r->c->m->mx->canonname, r->c->p->co->domain) != 0 &&
	    util_strcasecmp(r->c->m->mx->canonname, x->base) != 0)
		names[nnames++] = r->c->m->mx->canonname;
	dane_match(&x->set, s->peer.cert, s->peer.ncerts, names, nnames, r->c->now,
		   x->hits, dr);
	if (!dr->ok) {
		result_add(an, MT_CRITICAL,
			   "RFC 7672 3 (DANE-15, DANE-16)", "tlsa-invalid",
			   "%s", dr->why);
		result_text(an, "%s, no TLSA match", s->peer.version);
		return;
	}
	dane_rec_text(&x->set.rec[dr->rec], 8, t, sizeof(t));
	result_fact(an, "tlsa_match", "%u %u %u",
		    x->set.rec[dr->rec].usage, x->set.rec[dr->rec].selector,
		    x->set.rec[dr->rec].mtype);
	if (s->peer.ncerts > 0) {
		util_fmt_utc(date, sizeof(date), "%Y-%m-%d",
			     s->peer.cert[0].not_after);
		result_fact(an, "subject", "%s", s->peer.cert[0].subject);
		result_fact(an, "not_after", "%s", date);
	}
	if (dr->anchor_not_sent) {
		/* DANE-35: a bare key signed the top certificate sent */
		result_text(
		    an, "%s, matched %s, the key that signed %.60s",
		    s->peer.version, t, s->peer.cert[dr->depth].subject);
		/* no token: senders deliver, RFC 8460 has no result type
		 * for it */
		result_add(
		    an, MT_WARNING, "RFC 7672 3.1.2 (DANE-35)", NULL,
		    "the server SHOULD send the trust anchor: the key of "
		    "%u %u %u signed '%.60s', but no certificate sent "
		    "carries it",
		    x->set.rec[dr->rec].usage, x->set.rec[dr->rec].selector,
		    x->set.rec[dr->rec].mtype, s->peer.cert[dr->depth].subject);
	} else
		result_text(an, "%s, matched %s%s%.60s", s->peer.version,
			    t, dr->ta ? " at " : "",
			    dr->ta ? s->peer.cert[dr->depth].subject : "");
	/* Dates matter on a DANE-TA path, and with --ee-expiry. */
	if (dr->ta || r->o->ee_expiry) {
		st = range_state(&r->o->warn, &r->o->crit, dr->remaining / DAY);
		if (dr->remaining >= 0)
			result_add(an, st, NULL, NULL,
				   "%s expires in %.0f days",
				   dr->ta ? "the DANE-TA path" : "the leaf",
				   dr->remaining / DAY);
		else
			result_add(an, MT_CRITICAL, NULL,
				   "certificate-expired", "%s expired",
				   dr->ta ? "a certificate of the DANE-TA path"
					  : "the leaf");
		snprintf(label, sizeof(label), "%s_cert_remaining",
			 an->name);
		if (mx_addr_first(r->c->m, a))
			result_perf(an, label, dr->remaining, "s",
			    range_format(&r->o->warn, DAY, w, sizeof(w)),
			    range_format(&r->o->crit, DAY, c, sizeof(c)));
		if (dr->remaining < *min_left)
			*min_left = dr->remaining;
		*seen = true;
	} else if (s->peer.ncerts > 0) {
		result_add(an, MT_OK, "RFC 7672 3.1.1 (DANE-15)", NULL,
			   "DANE-EE: the leaf's dates do not count (it expires "
			   "in %.0f days)",
			   (double)(s->peer.cert[0].not_after - r->c->now) / DAY);
	}
}

/* DANE-14, stale records, mixed matches, --rollover: per host. */
static void
account(struct tlsa *r, size_t i)
{
	struct mx_host *h = &r->c->m->hosts[i];
	struct node *hn = mech_host(r->c, h);
	struct tlsa_host *x = &r->hx[i];
	const struct dane_set *s = &x->set;
	char t[200];
	size_t used = 0, only301 = 0;
	ssize_t first_rec = -1;
	bool mixed = false;

	if (x->ts != TS_SECURE || s->nusable == 0)
		return;
	for (size_t k = 0; k < s->n; k++) {
		const struct dane_rec *rec = &s->rec[k];

		if (!rec->usable || rec->superseded)
			continue;
		used++;
		only301 += rec->usage == DANE_USAGE_DANE_EE &&
			   rec->selector == DANE_SEL_CERT;
	}
	if (r->o->rollover && used == 1)
		result_add(hn, MT_WARNING, "RFC 7671 8.1 (--rollover)",
			   NULL,
			   "a single usable TLSA record: the next key (or the "
			   "issuing CA) is not published ahead of a rollover");
	if (r->o->rollover && only301 == used)
		result_add(
		    hn, MT_WARNING, "RFC 7671 5.1 (--rollover)", NULL,
		    "only DANE-EE Cert (3 0 x) records: they break at "
		    "every certificate renewal; 3 1 1 survives a renewal "
		    "with the same key");
	if (x->tls_addrs == 0 || r->o->dns_only)
		return;
	/* DANE-14: every usage/selector/matching-type combination needs a
	 * record that matches the current chain. */
	for (size_t k = 0; k < s->n; k++) {
		const struct dane_rec *rec = &s->rec[k];
		bool combo_hit = false, first = true;

		if (!rec->usable || rec->superseded)
			continue;
		for (size_t j = 0; j < s->n; j++) {
			const struct dane_rec *o = &s->rec[j];

			if (!o->usable || o->superseded ||
			    o->usage != rec->usage ||
			    o->selector != rec->selector ||
			    o->mtype != rec->mtype)
				continue;
			if (j < k)
				first = false;
			combo_hit |= x->hits[j];
		}
		if (!combo_hit && first)
			result_add(
			    hn, MT_WARNING, "RFC 7671 8 (DANE-14)", NULL,
			    "no %u %u %u record matches the certificates "
			    "served (stale: %s)",
			    rec->usage, rec->selector, rec->mtype,
			    dane_rec_text(rec, 8, t, sizeof(t)));
		else if (!x->hits[k])
			result_add(
			    hn, MT_OK, "RFC 7672 4", NULL,
			    "%s matches nothing served yet (a next key?)",
			    dane_rec_text(rec, 8, t, sizeof(t)));
	}
	/* The addresses of one host matched by different records. */
	for (size_t ai = 0; ai < r->c->m->naddrs; ai++) {
		if (r->c->m->addrs[ai].host != h || !r->dr[ai].ok)
			continue;
		if (first_rec < 0)
			first_rec = (ssize_t)r->dr[ai].rec;
		else if ((size_t)first_rec != r->dr[ai].rec)
			mixed = true;
	}
	if (mixed)
		result_add(hn, MT_WARNING, NULL, NULL,
			   "the addresses of %s match different TLSA records: "
			   "they serve different keys",
			   h->name);
}

/*
 * The sessions DANE judged: every address of a host with secure TLSA (with
 * --all-certs each certificate; a key type the server lacks left out);
 * *ok those that matched with no finding.
 */
static size_t
dane_sessions(const struct tlsa *r, size_t *ok)
{
	size_t n = 0, good = 0;

	for (size_t ai = 0; ai < r->c->m->naddrs; ai++) {
		const struct mx_addr *a = &r->c->m->addrs[ai];

		if (a->keytype_absent ||
		    r->hx[a->host - r->c->m->hosts].ts != TS_SECURE)
			continue;
		n++;
		good += r->dr[ai].ok &&
			mech_addr(r->c, a)->worst == MT_OK;
	}
	if (ok != NULL)
		*ok = good;
	return n;
}

void
tlsa_summary(struct tlsa *r, enum mt_state worst, struct buf *out)
{
	size_t dane_hosts = 0, matched = 0, n = dane_sessions(r, NULL);
	char combos[64] = "";

	if (worst != MT_OK)
		output_name_worst(r->c->root, worst, 3, out);
	for (size_t i = 0; i < r->c->m->nhosts; i++)
		dane_hosts += r->hx[i].ts == TS_SECURE && r->hx[i].set.nusable;
	buf_printf(out, "%zu/%zu %s with usable TLSA", dane_hosts, r->c->m->nhosts,
		   r->c->p->co->domain ? (r->c->m->nhosts == 1 ? "MX host" : "MX hosts")
				: "host");
	if (r->o->dns_only) {
		buf_puts(out, " (DNS only)");
		return;
	}
	/* The combinations that matched, e.g. "(3 1 1, 2 0 1)", from the
	 * highest down, whatever order the addresses came in. */
	for (int c = 3 * 100 + 1 * 10 + 2; c >= 0; c--) {
		for (size_t ai = 0; ai < r->c->m->naddrs; ai++) {
			const struct tlsa_host *x =
			    &r->hx[r->c->m->addrs[ai].host - r->c->m->hosts];
			const struct dane_rec *rec;

			if (!r->dr[ai].ok)
				continue;
			rec = &x->set.rec[r->dr[ai].rec];
			if (rec->usage * 100 + rec->selector * 10 +
				rec->mtype !=
			    c)
				continue;
			if (strlen(combos) + 8 < sizeof(combos))
				snprintf(combos + strlen(combos),
					 sizeof(combos) - strlen(combos),
					 "%s%u %u %u", combos[0] ? ", " : "",
					 rec->usage, rec->selector, rec->mtype);
			break;
		}
	}
	for (size_t ai = 0; ai < r->c->m->naddrs; ai++)
		matched += r->dr[ai].ok;
	buf_printf(out, ", %zu/%zu address%s match", matched, n,
		   n == 1 ? "" : "es");
	if (combos[0])
		buf_printf(out, " (%s)", combos);
}

void
tlsa_judge(struct tlsa *r)
{
	struct node *root = r->c->root;
	double min_left = 1e18;
	bool seen = false;
	size_t ok = 0, records = 0, usable = 0, matched = 0;
	char w[32], c[32];
	struct perf *p;

	judge_absent(r);
	for (size_t ai = 0; ai < r->c->m->naddrs; ai++)
		judge_addr(r, ai, &min_left, &seen);
	for (size_t i = 0; i < r->c->m->nhosts; i++) {
		account(r, i);
		records += r->hx[i].set.n;
		usable += r->hx[i].set.nusable;
		for (size_t k = 0; k < r->hx[i].set.n; k++)
			matched += r->hx[i].hits && r->hx[i].hits[k];
	}
	result_finish(root);
	/* with --all-certs each address counts once per certificate */
	dane_sessions(r, &ok);

	p = result_perf(root, "hosts", (double)r->c->m->nhosts, "", NULL, NULL);
	result_perf_minmax(p, true, 0, false, 0);
	if (!r->o->dns_only) {
		p = result_perf(root, "addresses_ok", (double)ok, "", NULL,
				NULL);
		result_perf_minmax(p, true, 0, true,
				   (double)dane_sessions(r, NULL));
	}
	p = result_perf(root, "tlsa_records", (double)records, "", NULL, NULL);
	result_perf_minmax(p, true, 0, false, 0);
	p = result_perf(root, "tlsa_usable", (double)usable, "", NULL, NULL);
	result_perf_minmax(p, true, 0, true, (double)records);
	if (!r->o->dns_only) {
		p = result_perf(root, "tlsa_matched", (double)matched, "", NULL,
				NULL);
		result_perf_minmax(p, true, 0, true, (double)usable);
	}
	if (seen)
		result_perf(root, "cert_remaining", min_left, "s",
			    range_format(&r->o->warn, DAY, w, sizeof(w)),
			    range_format(&r->o->crit, DAY, c, sizeof(c)));
}

bool
tlsa_anchor_ok(const struct mech *c, const char *target, char *why,
	       size_t whylen)
{
	const char *anchor;

	if (dns_anchor_covers(c->p->dns, target, &anchor))
		return true;
	snprintf(why, whylen,
		 "the trust anchor (%.200s, for %.100s) does not cover "
		 "%.200s: DNSSEC cannot be validated there, so DANE cannot "
		 "be judged (check --trust-anchor)",
		 c->p->co->trust_anchor ? c->p->co->trust_anchor
					: "the system's root key",
		 anchor, target);
	return false;
}

void
tlsa_init(struct tlsa *r, struct mech *c, const struct tlsa_opts *o,
	  const char *target)
{
	r->c = c;
	r->o = o;
	r->target = target;
}

void
tlsa_lookup(struct tlsa *r)
{
	struct mx_set *m = r->c->m;

	for (size_t i = 0; i < m->nhosts; i++) {
		struct node *hn = mech_host(r->c, &m->hosts[i]);

		/* The DNSSEC statuses and the records belong in the long
		 * output at every verbosity. */
		result_show_log(hn);
		r->hx[i].addr_secure = addresses_secure(
		    &m->hosts[i], hn, &r->hx[i].insecure_type);
		if (r->hx[i].addr_secure)
			submit_tlsa(r, i);
		else if (r->hx[i].insecure_type != 0)
			dns_submit(r->c->p->dns, m->hosts[i].name, DNS_T_CNAME,
				   dns_keep, &r->hx[i].cname);
	}
	dns_wait(r->c->p->dns);
	/* DANE-31: aliases to insecure addresses, then their TLSA. */
	for (size_t i = 0; i < m->nhosts; i++) {
		if (r->hx[i].addr_secure || r->hx[i].insecure_type == 0)
			continue;
		r->hx[i].addr_secure = judge_alias(
		    &m->hosts[i], mech_host(r->c, &m->hosts[i]), &r->hx[i]);
		if (r->hx[i].addr_secure)
			submit_tlsa(r, i);
	}
	dns_wait(r->c->p->dns);
	for (size_t i = 0; i < m->nhosts; i++)
		if (r->hx[i].addr_secure)
			process_tlsa(r, i);
}

bool
tlsa_applies(const struct tlsa *r, const struct mx_host *h)
{
	return r->hx[h - r->c->m->hosts].ts == TS_SECURE;
}

void
tlsa_set_sni(struct tlsa *r)
{
	/* Any secure TLSA commits the host to STARTTLS (DANE-10); SNI is
	 * the base name (DANE-18). */
	for (size_t a = 0; a < r->c->m->naddrs; a++) {
		struct mx_addr *ad = &r->c->m->addrs[a];

		if (tlsa_applies(r, ad->host))
			ad->sopts.sni = r->hx[ad->host - r->c->m->hosts].base;
	}
}

void
tlsa_run(struct tlsa *r, struct mech *c, const struct tlsa_opts *o,
	 const char *domain, const char *host)
{
	struct mx_set *m = c->m;
	struct mx_conn conn = {.helo = c->helo,
			       .tls = c->tls,
			       .now = c->now,
			       .pkix = false,
			       .all_certs = o->all_certs};

	tlsa_init(r, c, o, domain != NULL ? domain : host);
	m->need_addrs = true;
	dns_probe_submit(c->p->dns);
	if (domain != NULL) {
		mx_submit(m);
		dns_wait(c->p->dns);
		mx_process(m);
		tlsa_mx_security(r);
	} else {
		mx_add_host(m, host, 0);
	}
	mx_submit_addrs(m);
	dns_wait(c->p->dns);
	mx_collect(m, NULL);
	tlsa_lookup(r);
	if (!o->dns_only)
		for (size_t i = 0; i < m->nhosts; i++)
			if (tlsa_applies(r, &m->hosts[i]))
				mx_add_host_addrs(m, &m->hosts[i], &conn);
	tlsa_set_sni(r);
	mx_connect_all(m);
	tlsa_judge(r);
}

void
tlsa_free(struct tlsa *r)
{
	for (size_t i = 0; r->c != NULL && i < r->c->m->nhosts; i++) {
		dane_set_free(&r->hx[i].set);
		free(r->hx[i].hits);
		dns_result_free(r->hx[i].tlsa[0]);
		dns_result_free(r->hx[i].tlsa[1]);
		dns_result_free(r->hx[i].cname);
	}
}
