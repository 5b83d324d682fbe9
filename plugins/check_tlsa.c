/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_tlsa: DANE for SMTP (RFC 7672) the way a DANE-speaking sending MTA
 * applies it. For every MX host of a domain (-D) or one host (-H):
 *
 * 1. DNSSEC, validated in-process from --trust-anchor: the MX RRset must be
 *    secure for DANE to protect the domain (DANE-03, -04); a host's address
 *    records must be secure, or DANE does not apply to it (DANE-05);
 * 2. the TLSA base name: a secure CNAME chain's target first, then the
 *    original name, never a name in between (DANE-07); _PORT._tcp.BASE
 *    (DANE-06); a CNAME at the TLSA name does not change the base (DANE-08);
 * 3. the TLSA RRset: secure with a usable record, or the exact reason
 *    (none, insecure, bogus, failed); unusable records named (DANE-09..13);
 * 4. every address, all at once: STARTTLS (required by any secure TLSA,
 *    DANE-10), SNI = the base name (DANE-18), the chain as sent matched
 *    against the used records (dane.h; DANE-15..17);
 * 5. per-record accounting across addresses (DANE-14), --rollover safety,
 *    --dns-only, and certificate lifetimes where dates matter.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dane.h"
#include "deadline.h"
#include "dns.h"
#include "mx.h"
#include "options.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "tls.h"
#include "util.h"

#define LABEL "TLSA"
#define DAY 86400.0

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

enum tlsa_state {
	TS_NONE,     /* not looked up (no secure address) */
	TS_ABSENT,   /* NXDOMAIN or NODATA */
	TS_INSECURE, /* records, not secure */
	TS_FAILED,   /* SERVFAIL, bogus, timeout */
	TS_SECURE,   /* secure records (usable or not) */
};

struct hostx {
	char base[DNS_NAME_MAX]; /* the TLSA base name */
	char qname[2][DNS_NAME_MAX + 16];
	struct dns_result *tlsa[2]; /* [0] expanded name, [1] original */
	size_t ncand;
	bool addr_secure;
	/* DANE-31: the addresses are insecure, the host name an alias; its
	 * CNAME RRset, asked for to see whether the alias itself is secure */
	struct dns_result *cname;
	int insecure_type; /* the address type found insecure */
	bool original_only; /* DANE-31: TLSA at the original name alone */
	enum tlsa_state ts;
	struct dane_set set;
	bool *hits; /* per record, over all addresses */
	size_t tls_addrs;
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct range warn, crit;
	struct pctx p;
	struct tls_ctx *tls;
	const char *target;
	char name[DNS_NAME_MAX]; /* -D or -H as given, checked */
	struct mx_set m;
	struct hostx hx[MX_MAX_HOSTS];
	struct dane_result dr[MX_MAX_ADDRS];
	bool mx_secure;
	char helo[256];
	time_t now;
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

/* DANE-03: the MX RRset (or its denial, for the implicit MX) is secure. */
static void
judge_mx_security(struct run *r)
{
	const struct dns_result *mx = r->m.mx;

	if (mx == NULL || (r->m.kind != MX_LIST && r->m.kind != MX_IMPLICIT))
		return;
	result_fact(r->p.root, "mx_dnssec", "%s",
		    dns_security_name(mx->security));
	r->mx_secure = mx->security == DNS_SECURE;
	if (!r->mx_secure)
		result_add(r->p.root, MT_CRITICAL, "RFC 7672 2.2.1 (DANE-03)",
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
addresses_secure(struct mx_host *h, int *insecure_type)
{
	bool any = false;

	for (int k = 0; k < 2; k++) {
		const struct dns_result *res = h->res[k];

		if (res == NULL)
			continue;
		if (res->outcome != DNS_ANSWER && res->outcome != DNS_NODATA &&
		    res->outcome != DNS_NXDOMAIN)
			return false; /* reported as a failed lookup */
		result_log(h->node, "DNSSEC: %s %s%s",
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
			result_add(h->node, MT_CRITICAL,
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
judge_alias(struct mx_host *h, struct hostx *x)
{
	const struct dns_result *c = x->cname;

	if (c != NULL && c->outcome == DNS_ANSWER &&
	    c->security == DNS_SECURE) {
		x->original_only = true;
		result_log(h->node, "DNSSEC: CNAME secure");
		result_add(h->node, MT_OK, "RFC 7672 2.2.2 (DANE-31)", NULL,
			   "secure CNAME to %s, whose %s records are "
			   "insecure: DANE applies with the original name",
			   h->canon, dns_type_name(x->insecure_type));
		return true;
	}
	result_add(h->node, MT_CRITICAL, "RFC 7672 2.2.2 (DANE-05)",
		   "dnssec-invalid",
		   "DANE not applicable: the %s records of %s are insecure "
		   "(and the CNAME to %s is not secure)",
		   dns_type_name(x->insecure_type), h->name, h->canon);
	return false;
}

static void
submit_tlsa(struct run *r, size_t i)
{
	struct mx_host *h = &r->m.hosts[i];
	struct hostx *x = &r->hx[i];
	const char *names[2];
	size_t n = 0;

	/* DANE-07: the expanded name first, then the original; the original
	 * alone behind a secure alias to insecure addresses (DANE-31). */
	if (h->canon[0] != '\0' && !x->original_only)
		names[n++] = h->canon;
	names[n++] = h->name;
	for (size_t k = 0; k < n; k++) {
		snprintf(x->qname[k], sizeof(x->qname[k]), "_%u._tcp.%.240s",
			 r->co.port, names[k]);
		dns_submit(r->p.dns, x->qname[k], DNS_T_TLSA, dns_keep,
			   &x->tlsa[k]);
	}
	x->ncand = n;
}

static void
list_records(struct mx_host *h, struct hostx *x)
{
	char t[300];

	for (size_t i = 0; i < x->set.n; i++) {
		const struct dane_rec *rec = &x->set.rec[i];

		result_log(h->node, "TLSA %s%s",
			   dane_rec_text(rec, 16, t, sizeof(t)),
			   !rec->usable	     ? " [unusable]"
			   : rec->superseded ? " [superseded]"
					     : "");
		if (!rec->usable)
			result_add(h->node, MT_WARNING, NULL, NULL, "%s: %s",
				   dane_rec_text(rec, 8, t, sizeof(t)),
				   rec->why);
		else if (rec->superseded)
			result_add(h->node, MT_OK, NULL, NULL, "%s: %s",
				   dane_rec_text(rec, 8, t, sizeof(t)),
				   rec->why);
	}
}

/* The TLSA answers of one host: its base name and its records. */
static void
process_tlsa(struct run *r, size_t i)
{
	struct mx_host *h = &r->m.hosts[i];
	struct hostx *x = &r->hx[i];
	struct dns_result *res = NULL;
	size_t pick = 0;
	bool fell_back = false; /* DANE-32 */

	for (size_t k = 0; k < x->ncand; k++) {
		res = x->tlsa[k];
		pick = k;
		if (res == NULL)
			continue;
		plugin_log_dns(&r->p, h->node, res);
		/* DANE-32: insecure records at the expanded name count as
		 * none: the original name is tried, as for NODATA. */
		if (res->outcome == DNS_ANSWER && res->security != DNS_SECURE &&
		    k + 1 < x->ncand) {
			result_add(h->node, MT_OK, "RFC 7672 2.2.2 (DANE-32)",
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
		result_fact(h->node, "tlsa_base", "%s", x->base);
		result_text(h->node, "CNAME to %s; TLSA base %s (%s)",
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
		result_log(h->node, "DNSSEC: TLSA %s (%s)",
			   dns_security_name(res->security),
			   res->outcome == DNS_NODATA ? "no data" : "NXDOMAIN");
		return; /* judged with the other hosts (DANE-19) */
	case DNS_ANSWER:
		break;
	default:
		x->ts = TS_FAILED;
		result_add(h->node, plugin_lookup_fail_state(&r->p, res),
			   "RFC 7672 2.2 (DANE-09)", "dnssec-invalid",
			   "TLSA lookup for %s failed: %s%s%s: senders defer "
			   "mail to this host",
			   res->qname, dns_outcome_name(res->outcome),
			   res->why ? ": " : "", res->why ? res->why : "");
		return;
	}
	result_log(h->node, "DNSSEC: TLSA %s%s%s",
		   dns_security_name(res->security),
		   res->canonname ? " via CNAME " : "",
		   res->canonname ? res->canonname : "");
	if (res->security != DNS_SECURE) {
		x->ts = TS_INSECURE;
		result_add(h->node, MT_CRITICAL, "RFC 7672 2.2 (DANE-09)",
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
			result_add(h->node, MT_WARNING, NULL, NULL,
				   "malformed TLSA rdata ignored");
	}
	dane_set_agility(&x->set);
	x->hits = xcalloc(x->set.n ? x->set.n : 1, sizeof(bool));
	list_records(h, x);
	if (x->set.nusable == 0)
		result_add(h->node, MT_WARNING, "RFC 7672 2.2 (DANE-09)",
			   "tlsa-invalid",
			   "no usable TLSA record: senders require TLS but "
			   "cannot authenticate the server");
}

/* DANE-19 and GEN-05: hosts without TLSA. */
static void
judge_absent(struct run *r)
{
	size_t dane = 0;

	for (size_t i = 0; i < r->m.nhosts; i++)
		dane += r->hx[i].ts == TS_SECURE;
	for (size_t i = 0; i < r->m.nhosts; i++) {
		struct mx_host *h = &r->m.hosts[i];

		if (r->hx[i].ts != TS_ABSENT)
			continue;
		if (r->co.domain != NULL && dane > 0)
			result_add(h->node, MT_WARNING,
				   "RFC 7672 2.2.1 (DANE-19)", NULL,
				   "no TLSA records at _%u._tcp.%s: DANE "
				   "protects only some MX hosts",
				   r->co.port, r->hx[i].base);
		else
			result_add(h->node, MT_CRITICAL, "GEN-05", NULL,
				   "no TLSA records at _%u._tcp.%s", r->co.port,
				   r->hx[i].base);
	}
}

/* One address after its session: STARTTLS, version, the DANE match. */
static void
judge_addr(struct run *r, size_t ai, double *min_left, bool *seen)
{
	struct mx_addr *a = &r->m.addrs[ai];
	struct smtp_session *s = &a->sess;
	struct hostx *x = &r->hx[a->host - r->m.hosts];
	struct dane_result *dr = &r->dr[ai];
	const char *names[4];
	size_t nnames = 0;
	char t[200], w[32], c[32], label[160], date[16];
	enum mt_state st;

	mx_judge_dialogue(&r->m, a, NULL, MT_CRITICAL);
	if (!s->tls_done) {
		if (s->fail == SMTP_OK)
			result_add(
			    a->node, MT_CRITICAL, "RFC 7672 2.2 (DANE-10)",
			    "starttls-not-supported",
			    "no TLS although TLSA records are published");
		return;
	}
	x->tls_addrs++;
	result_fact(a->node, "tls_version", "%s", s->peer.version);
	/* DANE-34: a session that fails after the handshake (EHLO refused,
	 * the connection dropped, the deadline) delivers nothing, whatever
	 * matched. */
	if (s->fail != SMTP_OK)
		result_add(a->node,
			   s->fail == SMTP_FAIL_TIMEOUT ? r->co.timeout_result
							: MT_CRITICAL,
			   s->rule, s->token, "%s (DANE-34)", s->why);
	if (s->peer.version_num > 0 && s->peer.version_num < 12)
		result_add(a->node, MT_WARNING, "RFC 8996 (DANE-20)", NULL,
			   "%s negotiated: deprecated", s->peer.version);
	if (x->set.nusable == 0)
		return;
	names[nnames++] = x->base;
	if (r->co.domain != NULL && r->mx_secure &&
	    util_strcasecmp(r->co.domain, x->base) != 0)
		names[nnames++] = r->co.domain; /* DANE-17: the next hop */
	/* DANE-33: and its CNAME expansion from the secure MX lookup, as
	 * Postfix adds both qname and rname. */
	if (r->co.domain != NULL && r->mx_secure && r->m.mx != NULL &&
	    r->m.mx->canonname != NULL &&
	    util_strcasecmp(r->m.mx->canonname, r->co.domain) != 0 &&
	    util_strcasecmp(r->m.mx->canonname, x->base) != 0)
		names[nnames++] = r->m.mx->canonname;
	dane_match(&x->set, s->peer.cert, s->peer.ncerts, names, nnames, r->now,
		   x->hits, dr);
	if (!dr->ok) {
		result_add(a->node, MT_CRITICAL,
			   "RFC 7672 3 (DANE-15, DANE-16)", "tlsa-invalid",
			   "%s", dr->why);
		result_text(a->node, "%s, no TLSA match", s->peer.version);
		return;
	}
	dane_rec_text(&x->set.rec[dr->rec], 8, t, sizeof(t));
	result_fact(a->node, "tlsa_match", "%u %u %u",
		    x->set.rec[dr->rec].usage, x->set.rec[dr->rec].selector,
		    x->set.rec[dr->rec].mtype);
	if (s->peer.ncerts > 0) {
		util_fmt_utc(date, sizeof(date), "%Y-%m-%d",
			     s->peer.cert[0].not_after);
		result_fact(a->node, "subject", "%s", s->peer.cert[0].subject);
		result_fact(a->node, "not_after", "%s", date);
	}
	if (dr->anchor_not_sent) {
		/* DANE-35: a bare key signed the top certificate sent */
		result_text(
		    a->node, "%s, matched %s, the key that signed %.60s",
		    s->peer.version, t, s->peer.cert[dr->depth].subject);
		/* no token: senders deliver, RFC 8460 has no result type
		 * for it */
		result_add(
		    a->node, MT_WARNING, "RFC 7672 3.1.2 (DANE-35)", NULL,
		    "the server SHOULD send the trust anchor: the key of "
		    "%u %u %u signed '%.60s', but no certificate sent "
		    "carries it",
		    x->set.rec[dr->rec].usage, x->set.rec[dr->rec].selector,
		    x->set.rec[dr->rec].mtype, s->peer.cert[dr->depth].subject);
	} else
		result_text(a->node, "%s, matched %s%s%.60s", s->peer.version,
			    t, dr->ta ? " at " : "",
			    dr->ta ? s->peer.cert[dr->depth].subject : "");
	/* Dates matter on a DANE-TA path, and with --ee-expiry. */
	if (dr->ta || r->po.ee_expiry) {
		st = range_state(&r->warn, &r->crit, dr->remaining / DAY);
		if (dr->remaining >= 0)
			result_add(a->node, st, NULL, NULL,
				   "%s expires in %.0f days",
				   dr->ta ? "the DANE-TA path" : "the leaf",
				   dr->remaining / DAY);
		else
			result_add(a->node, MT_CRITICAL, NULL,
				   "certificate-expired", "%s expired",
				   dr->ta ? "a certificate of the DANE-TA path"
					  : "the leaf");
		snprintf(label, sizeof(label), "%s_cert_remaining",
			 a->node->name);
		if (mx_addr_first(&r->m, a))
			result_perf(a->node, label, dr->remaining, "s",
			    range_format(&r->warn, DAY, w, sizeof(w)),
			    range_format(&r->crit, DAY, c, sizeof(c)));
		if (dr->remaining < *min_left)
			*min_left = dr->remaining;
		*seen = true;
	} else if (s->peer.ncerts > 0) {
		result_add(a->node, MT_OK, "RFC 7672 3.1.1 (DANE-15)", NULL,
			   "DANE-EE: the leaf's dates do not count (it expires "
			   "in %.0f days)",
			   (double)(s->peer.cert[0].not_after - r->now) / DAY);
	}
}

/* DANE-14, stale records, mixed matches, --rollover: per host. */
static void
account(struct run *r, size_t i)
{
	struct mx_host *h = &r->m.hosts[i];
	struct hostx *x = &r->hx[i];
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
	if (r->po.rollover && used == 1)
		result_add(h->node, MT_WARNING, "RFC 7671 8.1 (--rollover)",
			   NULL,
			   "a single usable TLSA record: the next key (or the "
			   "issuing CA) is not published ahead of a rollover");
	if (r->po.rollover && only301 == used)
		result_add(
		    h->node, MT_WARNING, "RFC 7671 5.1 (--rollover)", NULL,
		    "only DANE-EE Cert (3 0 x) records: they break at "
		    "every certificate renewal; 3 1 1 survives a renewal "
		    "with the same key");
	if (x->tls_addrs == 0 || r->po.dns_only)
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
			    h->node, MT_WARNING, "RFC 7671 8 (DANE-14)", NULL,
			    "no %u %u %u record matches the certificates "
			    "served (stale: %s)",
			    rec->usage, rec->selector, rec->mtype,
			    dane_rec_text(rec, 8, t, sizeof(t)));
		else if (!x->hits[k])
			result_add(
			    h->node, MT_OK, "RFC 7672 4", NULL,
			    "%s matches nothing served yet (a next key?)",
			    dane_rec_text(rec, 8, t, sizeof(t)));
	}
	/* The addresses of one host matched by different records. */
	for (size_t ai = 0; ai < r->m.naddrs; ai++) {
		if (r->m.addrs[ai].host != h || !r->dr[ai].ok)
			continue;
		if (first_rec < 0)
			first_rec = (ssize_t)r->dr[ai].rec;
		else if ((size_t)first_rec != r->dr[ai].rec)
			mixed = true;
	}
	if (mixed)
		result_add(h->node, MT_WARNING, NULL, NULL,
			   "the addresses of %s match different TLSA records: "
			   "they serve different keys",
			   h->name);
}

/* Line 1 after "STATE - ". */
static void
summarize(struct run *r, enum mt_state worst, struct buf *out)
{
	size_t dane_hosts = 0, matched = 0;
	char combos[64] = "";

	buf_printf(out, "%s: ", r->target);
	if (worst != MT_OK)
		output_name_worst(r->p.root, worst, 3, out);
	for (size_t i = 0; i < r->m.nhosts; i++)
		dane_hosts += r->hx[i].ts == TS_SECURE && r->hx[i].set.nusable;
	buf_printf(out, "%zu/%zu %s with usable TLSA", dane_hosts, r->m.nhosts,
		   r->co.domain ? (r->m.nhosts == 1 ? "MX host" : "MX hosts")
				: "host");
	if (r->po.dns_only) {
		buf_puts(out, " (DNS only)");
		return;
	}
	/* The combinations that matched, e.g. "(3 1 1, 2 0 1)", from the
	 * highest down, whatever order the addresses came in. */
	for (int c = 3 * 100 + 1 * 10 + 2; c >= 0; c--) {
		for (size_t ai = 0; ai < r->m.naddrs; ai++) {
			const struct hostx *x =
			    &r->hx[r->m.addrs[ai].host - r->m.hosts];
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
	for (size_t ai = 0; ai < r->m.naddrs; ai++)
		matched += r->dr[ai].ok;
	buf_printf(out, ", %zu/%zu address%s match", matched, mx_sessions(&r->m, NULL),
		   mx_sessions(&r->m, NULL) == 1 ? "" : "es");
	if (combos[0])
		buf_printf(out, " (%s)", combos);
}

static int
finish(struct run *r)
{
	struct node *root = r->p.root;
	struct buf sum;
	int code;
	enum mt_state worst;
	double min_left = 1e18;
	bool seen = false;
	size_t ok = 0, records = 0, usable = 0, matched = 0;
	char w[32], c[32];
	struct perf *p;

	for (size_t ai = 0; ai < r->m.naddrs; ai++)
		judge_addr(r, ai, &min_left, &seen);
	for (size_t i = 0; i < r->m.nhosts; i++) {
		account(r, i);
		records += r->hx[i].set.n;
		usable += r->hx[i].set.nusable;
		for (size_t k = 0; k < r->hx[i].set.n; k++)
			matched += r->hx[i].hits && r->hx[i].hits[k];
	}
	worst = result_finish(root);
	for (size_t ai = 0; ai < r->m.naddrs; ai++)
		ok += r->dr[ai].ok && r->m.addrs[ai].node->worst == MT_OK;
	/* with --all-certs each address counts once per certificate */

	p = result_perf(root, "hosts", (double)r->m.nhosts, "", NULL, NULL);
	result_perf_minmax(p, true, 0, false, 0);
	if (!r->po.dns_only) {
		p = result_perf(root, "addresses_ok", (double)ok, "", NULL,
				NULL);
		result_perf_minmax(p, true, 0, true, (double)mx_sessions(&r->m, NULL));
	}
	p = result_perf(root, "tlsa_records", (double)records, "", NULL, NULL);
	result_perf_minmax(p, true, 0, false, 0);
	p = result_perf(root, "tlsa_usable", (double)usable, "", NULL, NULL);
	result_perf_minmax(p, true, 0, true, (double)records);
	if (!r->po.dns_only) {
		p = result_perf(root, "tlsa_matched", (double)matched, "", NULL,
				NULL);
		result_perf_minmax(p, true, 0, true, (double)usable);
	}
	if (seen)
		result_perf(root, "cert_remaining", min_left, "s",
			    range_format(&r->warn, DAY, w, sizeof(w)),
			    range_format(&r->crit, DAY, c, sizeof(c)));

	buf_init(&sum);
	summarize(r, worst, &sum);
	code = plugin_print(&r->p, LABEL, sum.p);
	buf_free(&sum);
	return code;
}

int
main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	struct mx_conn conn;
	char why[200];
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
			&r->warn, &(const char *){NULL}) < 0)
		return opts_fail(&desc, "-w: not a Nagios range: %.60s",
				 r->co.warning);
	if (range_parse(r->co.critical ? r->co.critical : "14",
			RANGE_LOW_IS_BAD, &r->crit, &(const char *){NULL}) < 0)
		return opts_fail(&desc, "-c: not a Nagios range: %.60s",
				 r->co.critical);

	if (plugin_open(&r->p, LABEL, &r->co, NULL, false, &r->tls, r->target) != 0)
		return MT_UNKNOWN;
	{
		const char *anchor;

		/* Every answer would be insecure for want of an anchor: our
		 * configuration, not the domain's failure (item 18). */
		if (!dns_anchor_covers(r->p.dns, r->target, &anchor)) {
			code = plugin_unknown(
			    LABEL,
			    "the trust anchor (%.200s, for %.100s) does not "
			    "cover %.200s: DNSSEC cannot be validated there, "
			    "so DANE cannot be judged (check --trust-anchor)",
			    r->co.trust_anchor ? r->co.trust_anchor
					       : "the system's root key",
			    anchor, r->target);
			plugin_close(&r->p, r->tls);
			return code;
		}
	}
	r->now = clock_wall();
	plugin_default_helo(r->po.helo, r->helo, sizeof(r->helo));
	mx_init(&r->m, &r->p, r->target);
	r->m.need_addrs = true;
	conn = (struct mx_conn){
	    .helo = r->helo, .tls = r->tls, .now = r->now, .pkix = false,
	    .all_certs = r->po.all_certs};

	dns_probe_submit(r->p.dns);
	if (r->co.domain != NULL) {
		mx_submit(&r->m);
		dns_wait(r->p.dns);
		mx_process(&r->m);
		judge_mx_security(r);
	} else {
		mx_add_host(&r->m, r->co.hostname, 0);
	}
	mx_submit_addrs(&r->m);
	dns_wait(r->p.dns);
	mx_collect(&r->m, NULL);
	for (size_t i = 0; i < r->m.nhosts; i++) {
		/* The DNSSEC statuses and the records belong in the long
		 * output at every verbosity. */
		result_show_log(r->m.hosts[i].node);
		r->hx[i].addr_secure = addresses_secure(&r->m.hosts[i],
							&r->hx[i].insecure_type);
		if (r->hx[i].addr_secure)
			submit_tlsa(r, i);
		else if (r->hx[i].insecure_type != 0)
			dns_submit(r->p.dns, r->m.hosts[i].name, DNS_T_CNAME,
				   dns_keep, &r->hx[i].cname);
	}
	dns_wait(r->p.dns);
	/* DANE-31: aliases to insecure addresses, then their TLSA. */
	for (size_t i = 0; i < r->m.nhosts; i++) {
		if (r->hx[i].addr_secure || r->hx[i].insecure_type == 0)
			continue;
		r->hx[i].addr_secure =
		    judge_alias(&r->m.hosts[i], &r->hx[i]);
		if (r->hx[i].addr_secure)
			submit_tlsa(r, i);
	}
	dns_wait(r->p.dns);
	for (size_t i = 0; i < r->m.nhosts; i++) {
		if (!r->hx[i].addr_secure)
			continue;
		process_tlsa(r, i);
		if (r->hx[i].ts == TS_SECURE && !r->po.dns_only) {
			/* Any secure TLSA commits the host to STARTTLS
			 * (DANE-10); SNI is the base name (DANE-18). */
			size_t first = r->m.naddrs;

			mx_add_host_addrs(&r->m, &r->m.hosts[i], &conn);
			for (size_t a = first; a < r->m.naddrs; a++)
				r->m.addrs[a].sopts.sni = r->hx[i].base;
		}
	}
	judge_absent(r);
	mx_connect_all(&r->m);
	code = finish(r);

	for (size_t i = 0; i < r->m.nhosts; i++) {
		dane_set_free(&r->hx[i].set);
		free(r->hx[i].hits);
		dns_result_free(r->hx[i].tlsa[0]);
		dns_result_free(r->hx[i].tlsa[1]);
		dns_result_free(r->hx[i].cname);
	}
	mx_free(&r->m);
	plugin_close(&r->p, r->tls);
	return code;
}
