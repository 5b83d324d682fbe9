/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sts.c: the MTA-STS mechanism (sts.h; RFC 8461, CONFORMANCE STS, STP,
 * STB, MXM): the _mta-sts TXT record (CNAMEs followed, STS-30), the policy
 * fetched from every address of mta-sts.DOMAIN as a sender fetches it
 * (https.h; STS-32, STS-33), the policy itself, drift both ways against
 * the MX hosts published, optionally every MX address judged as MTA-STS
 * senders judge it, and the policy and id remembered in a state file
 * (STS-14, STS-34).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "dns.h"
#include "net.h"
#include "sts.h"
#include "tls.h"
#include "txtrec.h"

#define DAY 86400.0
#define POLICY_PATH "/.well-known/mta-sts.txt"
#define POLICY_SHOWN 40	 /* policy lines in the long output */

static void
judge_txt(struct sts *r, const char *rec, size_t len)
{
	struct mtasts_txt t;
	char shown[300];

	text_sanitize(shown, sizeof(shown), rec, len, 200);
	result_text(r->txt_node, "\"%s\"", shown);
	switch (mtasts_txt_parse(rec, len, &t)) {
	case MTASTS_INVALID:
		r->txt_status = TXT_INVALID;
		result_add(r->txt_node, MT_CRITICAL, NULL, NULL, "%s", t.why);
		return;
	case MTASTS_WARN:
	case MTASTS_VALID:
		break;
	}
	r->txt_status = TXT_OK;
	util_strlcpy(r->id, t.id, sizeof(r->id));
	for (size_t i = 0; i < t.notes.n; i++)
		result_add(r->txt_node, MT_WARNING, NULL, NULL, "%s",
			   t.notes.text[i]);
	result_fact(r->txt_node, "id", "%s", t.id);
	if (t.nextensions > 0)
		result_fact(r->txt_node, "extensions", "%zu", t.nextensions);
}

/* The _mta-sts TXT RRset (STS-01..12). */
static void
process_txt(struct sts *r)
{
	struct dns_result *res = r->txt;
	struct txt_pick t;

	r->txt_node = result_child(r->c->root, NODE_RECORD, res->qname);
	plugin_log_dns(r->c->p, r->txt_node, res);
	if (res->outcome == DNS_NXDOMAIN || res->outcome == DNS_NODATA) {
		r->txt_status = TXT_ABSENT;
		result_add(r->txt_node, MT_CRITICAL, "RFC 8461 3.1 (STS-12)",
			   NULL, "no MTA-STS TXT record at %s (%s)", res->qname,
			   res->outcome == DNS_NXDOMAIN ? "NXDOMAIN"
							: "no TXT data");
		return;
	}
	if (res->outcome != DNS_ANSWER) {
		r->txt_status = TXT_NONE;
		plugin_dns_failure(r->c->p, r->txt_node, res, "TXT");
		return;
	}
	if (res->canonname != NULL &&
	    util_strcasecmp(res->canonname, res->qname) != 0) {
		result_add(r->txt_node, MT_OK, "RFC 8461 3.1 (STS-01)", NULL,
			   "delegated by CNAME to %s", res->canonname);
		result_fact(r->txt_node, "cname", "%s", res->canonname);
	}
	txt_pick(res, "v=STSv1", &t);
	if (t.nbad > 0)
		result_add(r->txt_node, MT_WARNING, NULL, NULL,
			   "%zu malformed TXT record%s ignored", t.nbad,
			   t.nbad == 1 ? "" : "s");
	if (t.nexact > 1) {
		r->txt_status = TXT_INVALID;
		result_add(r->txt_node, MT_CRITICAL, "RFC 8461 3.1 (STS-03)",
			   NULL,
			   "%zu TXT records begin with v=STSv1;: senders "
			   "treat the domain as having no MTA-STS",
			   t.nexact);
	} else if (t.nexact == 1) {
		judge_txt(r, t.rec[t.exact], t.len[t.exact]);
		/* Senders split: literal-prefix ones see one record,
		 * *WSP parsers (mox) two and no MTA-STS. */
		txt_note_wsp(r->txt_node, &t, "STS-30", "RFC 8461 3.1 (STS-30)",
			     "senders", "MTA-STS");
	} else if (t.nspaced == 1) {
		/* Valid ABNF that literal-prefix senders drop (STS-08):
		 * judged, with the parser's warning. */
		judge_txt(r, t.rec[t.spaced], t.len[t.spaced]);
	} else {
		char shown[120];

		r->txt_status = TXT_ABSENT;
		if (t.nlook > 0) {
			text_sanitize(shown, sizeof(shown), t.rec[t.look],
				      t.len[t.look], 80);
			result_add(r->txt_node, MT_CRITICAL,
				   "RFC 8461 3.1 (STS-03, STS-05)", NULL,
				   "no TXT record begins with the literal "
				   "v=STSv1; (case-sensitive, first): \"%s\" "
				   "is ignored",
				   shown);
		} else {
			result_add(r->txt_node, MT_CRITICAL,
				   "RFC 8461 3.1 (STS-03)", NULL,
				   "none of the %zu TXT records at %s is an "
				   "MTA-STS record (v=STSv1;)",
				   t.n, res->qname);
		}
	}
	if (t.n > 1 && t.nexact == 1)
		result_fact(r->txt_node, "other_txt", "%zu ignored", t.n - 1);
	txt_pick_free(&t);
}

/* ------------------------------------------------------------ policy */

/* STP-07: "text/plain", any case, parameters allowed; a charset other
 * than utf-8 or us-ascii noted. Returns 0 OK, 1 odd charset, -1 wrong. */
static int
content_type_ok(const char *ct, char *charset, size_t csz)
{
	const char *p;
	size_t n;

	charset[0] = '\0';
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (util_strncasecmp(ct, "text/plain", 10) != 0)
		return -1;
	p = ct + 10;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' && *p != ';')
		return -1;
	while (*p == ';') {
		const char *name;

		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		n = strcspn(p, ";");
		if (util_strncasecmp(name, "charset=", 8) == 0) {
			size_t v = n - 8;
			const char *val = name + 8;

			if (v >= 2 && val[0] == '"' && val[v - 1] == '"') {
				val++;
				v -= 2;
			}
			while (v > 0 &&
			       (val[v - 1] == ' ' || val[v - 1] == '\t'))
				v--;
			if (v >= csz)
				v = csz - 1;
			memcpy(charset, val, v);
			charset[v] = '\0';
		}
		p += n;
	}
	if (charset[0] != '\0' && util_strcasecmp(charset, "utf-8") != 0 &&
	    util_strcasecmp(charset, "us-ascii") != 0)
		return 1;
	return 0;
}

static const char *
fail_token(enum https_fail f)
{
	return f == HTTPS_PKIX ? "sts-webpki-invalid"
			       : "sts-policy-fetch-error";
}

/* The policy host's certificate lifetimes (policy_cert_remaining). */
static void
judge_policy_cert(struct sts *r)
{
	struct node *n = r->policy_node;
	const struct tls_peer *peer = &r->http.peer;
	char date[16];
	size_t first;

	if (!r->http.tls_done || peer->ncerts == 0)
		return;
	/* The path a sender builds, not every certificate sent (PKIX-01). */
	r->cert_left = tls_peer_path_left(peer, r->c->now, &first);
	r->cert_seen = true;
	util_fmt_utc(date, sizeof(date), "%Y-%m-%d",
		     peer->cert[first].not_after);
	result_fact(n, "subject", "%s", peer->cert[0].subject);
	result_fact(n, "issuer", "%s", peer->cert[0].issuer);
	result_fact(n, "tls_version", "%s", peer->version);
	if (r->cert_left >= 0)
		result_add(
		    n, range_state(&r->o->cwarn, &r->o->ccrit, r->cert_left / DAY),
		    NULL, NULL, "%s '%.80s' expires in %.0f days (%s)",
		    first ? "chain certificate" : "certificate",
		    peer->cert[first].subject, r->cert_left / DAY, date);
	/* An expired one fails PKIX: that finding says it. */
}

static int
cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
fetch_policy(struct sts *r)
{
	const char *addrs[STS_HOST_ADDRS];
	char text[STS_HOST_ADDRS][NET_ADDR_MAX];
	size_t naddrs = 0;
	bool nx = false, failed = false;
	struct https_result *h = &r->http;
	size_t pick;
	struct node *n;
	char charset[64];

	n = r->policy_node;
	for (int k = 0; k < 2; k++) {
		struct dns_result *res = r->phost[k];
		struct sockaddr_storage ss;
		socklen_t sslen;

		if (res == NULL)
			continue;
		plugin_log_dns(r->c->p, n, res);
		if (res->outcome == DNS_NXDOMAIN) {
			nx = true;
			continue;
		}
		if (res->outcome == DNS_NODATA)
			continue;
		if (res->outcome != DNS_ANSWER) {
			failed = true;
			plugin_dns_failure(r->c->p, n, res,
					   dns_type_name(res->qtype));
			continue;
		}
		for (size_t i = 0; i < res->n && naddrs < STS_HOST_ADDRS; i++) {
			if (dns_rr_addr(&res->rr[i], res->qtype, 443, &ss,
					&sslen) < 0)
				continue;
			net_addr_text((const struct sockaddr *)&ss,
				      text[naddrs], sizeof(text[naddrs]));
			addrs[naddrs] = text[naddrs];
			naddrs++;
		}
	}
	if (naddrs == 0) {
		if (r->txt_status == TXT_ABSENT && !failed) {
			/* No record and no policy host: nothing here. */
			result_text(n, "no address (no MTA-STS here)");
			return;
		}
		if (!failed)
			result_add(n, MT_CRITICAL, "RFC 8461 3.3 (STP-09)",
				   "sts-policy-fetch-error", "no %s address%s",
				   r->c->p->co->only4	 ? "IPv4"
				   : r->c->p->co->only6 ? "IPv6"
						 : "IPv4 or IPv6",
				   nx ? " (the name does not exist)" : "");
		return;
	}
	/* STS-32: a sender picks any address, so each is fetched on its
	 * own, in a fixed order; the first that answers 200 is judged in
	 * full, the others against it (judge_other_addrs()). */
	qsort(addrs, naddrs, sizeof(addrs[0]), cmp_text);
	for (size_t i = 0; i < naddrs; i++)
		https_get(r->policy_host, 443, POLICY_PATH, &addrs[i], 1,
			  r->c->tls, r->c->now, STS_POLICY_CAP, &r->alt[i]);
	pick = 0;
	for (size_t i = naddrs; i-- > 0;)
		if (r->alt[i].fail == HTTPS_OK && r->alt[i].status == 200)
			pick = i;
	*h = r->alt[pick];
	r->alt[pick] = r->alt[naddrs - 1];
	r->nalt = naddrs - 1;
	if (h->addr[0] != '\0')
		result_fact(n, "address", "%s", h->addr);
	judge_policy_cert(r);
	if (h->status != 0)
		result_fact(n, "status", "%ld", h->status);
	if (h->content_type[0] != '\0')
		result_fact(n, "content_type", "%s", h->content_type);
	if (h->fail == HTTPS_SETUP) {
		result_add(n, MT_UNKNOWN, NULL, NULL, "policy fetch: %s",
			   h->why);
		return;
	}
	if (h->fail == HTTPS_TIMEOUT) {
		result_add(n, r->c->p->co->timeout_result, "RFC 8461 3.3 (STP-08)",
			   "sts-policy-fetch-error", "policy fetch: %s",
			   h->why);
		return;
	}
	if (h->fail == HTTPS_PKIX) {
		result_add(n, MT_CRITICAL, "RFC 8461 3.3 (STP-04)",
			   fail_token(h->fail),
			   "%s; senders do not use the policy", h->why);
		return;
	}
	if (h->status != 0 && h->status != 200) {
		if (h->location[0] != '\0')
			result_add(n, MT_CRITICAL, "RFC 8461 3.3 (STP-05)",
				   "sts-policy-fetch-error",
				   "HTTP %ld redirect to %s: senders must not "
				   "follow redirects",
				   h->status, h->location);
		else
			result_add(n, MT_CRITICAL, "RFC 8461 3.3 (STP-05)",
				   "sts-policy-fetch-error",
				   "HTTP status %ld for https://%s%s (only 200 "
				   "is a policy)",
				   h->status, r->policy_host, POLICY_PATH);
		return;
	}
	if (h->fail == HTTPS_TOOBIG) {
		result_add(n, MT_CRITICAL, "RFC 8461 3.3 (STP-08)",
			   "sts-policy-fetch-error",
			   "the policy is larger than %d bytes: senders "
			   "reject it",
			   STS_POLICY_CAP);
		return;
	}
	if (h->fail != HTTPS_OK) {
		result_add(n, MT_CRITICAL, "RFC 8461 3.3", fail_token(h->fail),
			   "policy fetch from %s%s: %s",
			   h->addr[0] ? h->addr : addrs[0],
			   h->addr[0] || naddrs == 1 ? "" : " and others",
			   h->why);
		return;
	}
	switch (content_type_ok(h->content_type, charset, sizeof(charset))) {
	case -1:
		result_add(n, MT_CRITICAL, "RFC 8461 3.2 (STP-07)",
			   "sts-policy-fetch-error",
			   "Content-Type is %s%s%s, not text/plain: senders "
			   "reject the policy",
			   h->content_type[0] ? "'" : "",
			   h->content_type[0] ? h->content_type : "missing",
			   h->content_type[0] ? "'" : "");
		return;
	case 1:
		result_add(n, MT_WARNING, "RFC 8461 3.2 (STP-07)", NULL,
			   "charset %s: the policy is US-ASCII or UTF-8",
			   charset);
		break;
	}
	r->fetched = true;
	result_text(n, "HTTP 200, %s, %zu bytes from %s in %.3f s",
		    h->content_type, h->len, h->addr, h->time_s);
	{
		char date[16];

		if (r->cert_seen) {
			util_fmt_utc(date, sizeof(date), "%Y-%m-%d",
				     h->peer.cert[0].not_after);
			result_fact(n, "not_after", "%s", date);
		}
	}
	{
		enum mt_state st = range_state(&r->o->fwarn, &r->o->fcrit, h->time_s);

		if (st != MT_OK)
			result_add(n, st, "RFC 8461 3.3 (STP-08)", NULL,
				   "the fetch took %.2f s", h->time_s);
	}
	if (h->http_version[0] != '\0')
		result_fact(n, "http_version", "%s", h->http_version);
}

/* Do two parsed policies say the same (STS-34: fields, not bytes)? */
static bool
policy_same(const struct mtasts_policy *a, const struct mtasts_policy *b)
{
	if (a->mode != b->mode || a->max_age != b->max_age || a->nmx != b->nmx)
		return false;
	for (size_t i = 0; i < a->nmx; i++)
		if (util_strcasecmp(a->mx[i], b->mx[i]) != 0)
			return false;
	return true;
}

/*
 * STS-32: the policy host's other addresses, each fetched on its own. One
 * that fails, or serves another policy, gives the senders that pick it
 * another answer: drift, CRITICAL in enforce mode, WARNING otherwise.
 */
static void
judge_other_addrs(struct sts *r)
{
	bool enforce = r->policy_ok && r->pol.mode == MTASTS_MODE_ENFORCE;
	enum mt_state drift = enforce ? MT_CRITICAL : MT_WARNING;
	char charset[64];

	for (size_t i = 0; i < r->nalt; i++) {
		const struct https_result *h = &r->alt[i];
		struct node *n = result_child(r->policy_node, NODE_ADDRESS,
					      h->addr[0] ? h->addr : "?");
		struct mtasts_policy other;
		size_t first;

		if (h->status != 0)
			result_text(n, "HTTP %ld, %.60s, %zu bytes in %.3f s",
				    h->status,
				    h->content_type[0] ? h->content_type
						       : "no Content-Type",
				    h->len, h->time_s);
		else
			result_text(n, "no answer");

		if (h->tls_done && h->peer.ncerts > 0) {
			double left = tls_peer_path_left(&h->peer, r->c->now,
							 &first);

			if (left < r->cert_left)
				r->cert_left = left;
			if (left >= 0 &&
			    range_state(&r->o->cwarn, &r->o->ccrit, left / DAY) !=
				MT_OK)
				result_add(
				    n,
				    range_state(&r->o->cwarn, &r->o->ccrit,
						left / DAY),
				    NULL, NULL,
				    "%s '%.80s' expires in %.0f days",
				    first ? "chain certificate" : "certificate",
				    h->peer.cert[first].subject, left / DAY);
		}
		if (h->fail == HTTPS_SETUP) {
			result_add(n, MT_UNKNOWN, NULL, NULL,
				   "policy fetch: %s", h->why);
			continue;
		}
		if (h->fail == HTTPS_TIMEOUT) {
			result_add(n, r->c->p->co->timeout_result,
				   "RFC 8461 3.3 (STS-32)",
				   "sts-policy-fetch-error",
				   "policy fetch: %s", h->why);
			continue;
		}
		if (h->fail != HTTPS_OK) {
			result_add(n, drift, "RFC 8461 3.3 (STS-32)",
				   fail_token(h->fail),
				   "%s; senders that pick this address get no "
				   "policy",
				   h->why);
			continue;
		}
		if (h->status != 200 ||
		    content_type_ok(h->content_type, charset,
				    sizeof(charset)) < 0) {
			result_add(n, drift, "RFC 8461 3.3 (STS-32)",
				   "sts-policy-fetch-error",
				   "HTTP %ld, Content-Type '%.60s': senders that "
				   "pick this address get no policy",
				   h->status, h->content_type);
			continue;
		}
		if (h->len == r->http.len &&
		    memcmp(h->body, r->http.body, h->len) == 0) {
			result_text(n, "HTTP 200, the same policy (%zu bytes)",
				    h->len);
			continue;
		}
		if (mtasts_policy_parse(h->body, h->len, &other) ==
		    MTASTS_INVALID) {
			result_add(n, drift, "RFC 8461 3.3 (STS-32)",
				   "sts-policy-invalid",
				   "serves an invalid policy (%.100s) where %s "
				   "serves a valid one",
				   other.why, r->http.addr);
			continue;
		}
		if (!r->policy_ok || !policy_same(&other, &r->pol)) {
			/* either policy in enforce: senders that see it
			 * refuse what the other lets through */
			result_add(n,
				   enforce || other.mode == MTASTS_MODE_ENFORCE
				       ? MT_CRITICAL
				       : MT_WARNING,
				   "RFC 8461 3.3 (STS-32)",
				   "sts-policy-invalid",
				   "serves another policy than %s (mode %s, "
				   "max_age %lld, %zu mx): senders see one or "
				   "the other",
				   r->http.addr, mtasts_mode_name(other.mode),
				   (long long)other.max_age, other.nmx);
			continue;
		}
		result_text(n, "HTTP 200, the same policy in other bytes (%zu)",
			    h->len);
	}
}

/* An mx pattern that is an IPv4 address (valid LDH labels, all digits). */
static bool
mx_is_ip(const char *s)
{
	return strspn(s, "0123456789.") == strlen(s);
}

/* The policy as fetched, sanitised, into the long output. */
static void
show_policy(struct sts *r, struct node *n)
{
	const char *p = r->http.body, *end = p + r->http.len;
	size_t lines = 0, more = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (lines < POLICY_SHOWN) {
			char shown[200];

			text_sanitize(shown, sizeof(shown), p, len, 120);
			result_log(n, "%s", shown);
			lines++;
		} else {
			more++;
		}
		p = nl ? nl + 1 : end;
	}
	if (more)
		result_log(n, "... %zu more line%s", more,
			   more == 1 ? "" : "s");
	result_show_log(n);
}

static void
judge_policy(struct sts *r)
{
	struct mtasts_policy *pol = &r->pol;
	struct node *n;
	enum mt_state st;
	char w[32], c[32];

	n = result_child(r->policy_node, NODE_RECORD, "policy");
	show_policy(r, n);
	if (mtasts_policy_parse(r->http.body, r->http.len, pol) ==
	    MTASTS_INVALID) {
		result_add(n, MT_CRITICAL, NULL, "sts-policy-invalid", "%s",
			   pol->why);
		return;
	}
	r->policy_ok = true;
	result_fact(r->c->root, "mode", "%s", mtasts_mode_name(pol->mode));
	for (size_t i = 0; i < pol->notes.n; i++)
		result_add(n, MT_WARNING, NULL, NULL, "%s", pol->notes.text[i]);
	result_text(n, "mode %s, max_age %lld, %zu mx pattern%s",
		    mtasts_mode_name(pol->mode), pol->max_age, pol->nmx,
		    pol->nmx == 1 ? "" : "s");
	switch (pol->mode) {
	case MTASTS_MODE_TESTING:
		if (r->o->allow_testing)
			result_add(n, MT_OK, "RFC 8461 5 (STB-04)", NULL,
				   "mode testing (allowed by --allow-testing)");
		else
			result_add(n, MT_WARNING, "RFC 8461 5 (STB-04)", NULL,
				   "mode testing: failures are only reported, "
				   "mail is not protected");
		break;
	case MTASTS_MODE_NONE:
		result_add(n, MT_WARNING, "RFC 8461 5, 8.3 (STB-04)", NULL,
			   "mode none: the policy is being withdrawn");
		break;
	default:
		break;
	}
	if (pol->max_age == 0)
		result_add(n, MT_WARNING, "RFC 8461 3.2 (STB-05)", NULL,
			   "max_age 0: senders cache nothing, so the policy "
			   "protects no delivery beyond the first");
	else if ((st = range_state(&r->o->warn, r->o->crit_set ? &r->o->crit : NULL,
				   (double)pol->max_age)) != MT_OK)
		result_add(n, st, "RFC 8461 3.2 (STB-05)", NULL,
			   "max_age %lld s is outside %s (weeks or more "
			   "suggested)",
			   pol->max_age,
			   st == MT_CRITICAL
			       ? range_format(&r->o->crit, 1, c, sizeof(c))
			       : range_format(&r->o->warn, 1, w, sizeof(w)));
	if (pol->mx_capped)
		result_add(n, MT_WARNING, NULL, NULL,
			   "more than %d mx patterns; only the first %d "
			   "matched",
			   MTASTS_MX_MAX, MTASTS_MX_MAX);
	for (size_t i = 0; i < pol->nmx; i++) {
		const char *s = pol->mx[i];

		if (mx_is_ip(s))
			result_add(n, MT_WARNING, "RFC 8461 4.1", NULL,
				   "mx pattern %s is an IP address: senders "
				   "match MX host names only",
				   s);
	}
}

/* ------------------------------------------------------------ drift */

static void
judge_drift(struct sts *r)
{
	const struct mtasts_policy *pol = &r->pol;
	enum mt_state miss;

	if (!r->policy_ok || r->c->m->kind == MX_UNSET ||
	    r->c->m->kind == MX_NXDOMAIN || r->c->m->kind == MX_NULL)
		return;
	miss = pol->mode == MTASTS_MODE_ENFORCE	  ? MT_CRITICAL
	       : pol->mode == MTASTS_MODE_TESTING ? MT_WARNING
						  : MT_OK;
	for (size_t i = 0; i < r->c->m->nhosts; i++) {
		struct mx_host *h = &r->c->m->hosts[i];
		const char *by = NULL;

		for (size_t k = 0; k < pol->nmx && by == NULL; k++)
			if (mtasts_mx_match(pol->mx[k], h->name))
				by = pol->mx[k];
		if (by != NULL) {
			r->covered++;
			r->covers[i] = true;
			result_text(mech_host(r->c, h), "MX %u, covered by mx: %s",
				    h->pref, by);
			continue;
		}
		r->uncovered++;
		result_text(mech_host(r->c, h), "MX %u, not covered", h->pref);
		if (pol->mode == MTASTS_MODE_NONE)
			continue;
		result_add(mech_host(r->c, h), miss, "RFC 8461 4.1 (MXM-02)",
			   miss == MT_CRITICAL ? "validation-failure" : NULL,
			   "matches no mx pattern of the policy: %s",
			   miss == MT_CRITICAL
			       ? "senders refuse to deliver to it"
			       : "senders report failures for it");
	}
	if (pol->mode == MTASTS_MODE_NONE)
		return;
	for (size_t k = 0; k < pol->nmx; k++) {
		bool used = false;

		for (size_t i = 0; i < r->c->m->nhosts && !used; i++)
			used = mtasts_mx_match(pol->mx[k], r->c->m->hosts[i].name);
		if (!used && !mx_is_ip(pol->mx[k]))
			result_add(r->c->root, MT_WARNING,
				   "RFC 8461 4.1 (MXM-03)", NULL,
				   "mx pattern %s matches no published MX "
				   "host (stale)",
				   pol->mx[k]);
	}
}

/* ------------------------------------------------------------ state */


/* Reads the state file: 1 read, 0 missing, -1 unreadable or corrupt. */
static int
state_read(const char *path, struct mtasts_state *st, char *why,
	   size_t whysz)
{
	char text[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	memset(st, 0, sizeof(*st));
	if (f == NULL) {
		snprintf(why, whysz, "%s", strerror(errno));
		return errno == ENOENT ? 0 : -1;
	}
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (n == sizeof(text) || mtasts_state_parse(text, n, st) < 0) {
		snprintf(why, whysz, "no valid id and sha256 lines");
		return -1;
	}
	return 1;
}

/*
 * Writes the state atomically (STS-34): a temporary file made by mkstemp()
 * beside the target (O_EXCL: no predictable name, no symlink followed),
 * written and fsync()ed, renamed over the target, and the directory
 * fsync()ed so that the rename survives a crash.
 */
static int
state_write(const char *path, const struct mtasts_state *st, char *why,
	    size_t whysz)
{
	char tmp[4096], dir[4096];
	char text[768];
	const char *slash;
	int fd, len;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	    sizeof(tmp)) {
		snprintf(why, whysz, "path too long");
		return -1;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		util_strlcpy(dir, ".", sizeof(dir));
	else if (slash == path)
		util_strlcpy(dir, "/", sizeof(dir));
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	len = snprintf(text, sizeof(text),
		       "# check_mta_sts state: the policy id and the SHA-256 "
		       "of the policy as parsed\n# (version, mode, mx in "
		       "order, max_age), and since when\n"
		       "format 2\ndomain %s\nid %s\npolicy-sha256 %s\n"
		       "since %lld\n",
		       st->domain, st->id, st->sha256, st->since);
	if (len < 0 || (size_t)len >= sizeof(text)) {
		snprintf(why, whysz, "state too long");
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(why, whysz, "%.180s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write(fd, text, (size_t)len) != len || fsync(fd) != 0) {
		snprintf(why, whysz, "%.180s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(why, whysz, "%.180s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		snprintf(why, whysz, "%.180s: fsync: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* STS-14, STS-34: the policy as parsed changed, the id did not. */
static void
use_state(struct sts *r)
{
	struct mtasts_state old, now;
	unsigned char digest[32];
	struct node *n;
	struct buf canon;
	char why[256], date[32];
	int got;
	bool write_it = true;

	if (r->o->state_file == NULL || !r->policy_ok ||
	    r->txt_status != TXT_OK)
		return;
	n = result_child(r->c->root, NODE_RECORD, "state");
	memset(&now, 0, sizeof(now));
	now.format = 2;
	util_strlcpy(now.domain, r->domain, sizeof(now.domain));
	util_strlcpy(now.id, r->id, sizeof(now.id));
	buf_init(&canon);
	mtasts_policy_canonical(&r->pol, &canon);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, canon.p, canon.len, digest);
	buf_free(&canon);
	util_hex(digest, sizeof(digest), now.sha256);
	now.since = (long long)r->c->now;
	got = state_read(r->o->state_file, &old, why, sizeof(why));
	if (got > 0)
		util_fmt_utc(date, sizeof(date), "%Y-%m-%d %H:%M UTC",
			     (time_t)old.since);
	if (got == 0) {
		result_text(n, "%s: first run, id %s and policy remembered",
			    r->o->state_file, r->id);
	} else if (got < 0) {
		result_text(n, "%s unreadable (%s): starting afresh",
			    r->o->state_file, why);
	} else if (old.format < 2) {
		result_text(n,
			    "%s is of the old format (a hash of the raw body, "
			    "no domain): starting afresh",
			    r->o->state_file);
	} else if (util_strcasecmp(old.domain, now.domain) != 0) {
		result_text(n,
			    "%s was written for %s, not %s: ignored and left "
			    "as it is (STS-34)",
			    r->o->state_file, old.domain, now.domain);
		write_it = false;
	} else if (strcmp(old.id, now.id) != 0) {
		result_text(n,
			    "policy id changed from %s (seen since %s) to "
			    "%s: %s",
			    old.id, date, now.id,
			    strcmp(old.sha256, now.sha256) == 0
				? "the policy is the same as parsed (STS-34)"
				: "senders fetch the new policy");
	} else if (strcmp(old.sha256, now.sha256) != 0) {
		result_text(n, "policy changed under id %s", now.id);
		result_add(n, MT_WARNING, "RFC 8461 3.1 (STS-14)", NULL,
			   "the policy changed but its id %s did not (id "
			   "seen since %s): senders keep the old policy until "
			   "the id changes",
			   now.id, date);
		write_it = false; /* keep the policy that goes with the id */
	} else if (r->pol.mode == MTASTS_MODE_NONE && r->pol.max_age >= 0 &&
		   (long long)r->c->now - old.since >= r->pol.max_age) {
		/* RFC 8461 8.3: after mode none has been served for max_age,
		 * no sender holds an older policy any more (STS-34). */
		result_text(n,
			    "id %s, mode none held for max_age (%lld s) since "
			    "%s: every cached policy has expired, the "
			    "_mta-sts record and the policy host can go "
			    "(RFC 8461 8.3, STS-34)",
			    now.id, r->pol.max_age, date);
		write_it = false;
	} else {
		result_text(n, "id %s, policy unchanged", now.id);
		write_it = false;
	}
	if (write_it &&
	    state_write(r->o->state_file, &now, why, sizeof(why)) < 0)
		result_add(n, MT_WARNING, NULL, NULL,
			   "state file not written: %s", why);
}

/* ------------------------------------------------------------ output */

static void
judge_mx_addrs(struct sts *r, double *min_left, bool *seen)
{
	struct mx_judge j = {
	    .warn = &r->o->cwarn,
	    .crit = &r->o->ccrit,
	    .min_tls = 12,
	    .no_pkix = false,
	    .fail = MT_CRITICAL,
	    .pkix_rule = "RFC 8461 4.2 (MXM-07)",
	    .now = r->c->now,
	};
	bool s;

	if (r->policy_ok && r->pol.mode != MTASTS_MODE_ENFORCE)
		j.fail = MT_WARNING;
	*seen = false;
	*min_left = 1e18;
	for (size_t i = 0; i < r->c->m->naddrs; i++) {
		struct mx_addr *a = &r->c->m->addrs[i];
		double left;

		/* Sharing the sessions (check_mailtls): the hosts the policy
		 * covers, under a policy that is in force. */
		if (!mech_alone(r->c) &&
		    (!r->policy_ok || r->pol.mode == MTASTS_MODE_NONE ||
		     !r->covers[a->host - r->c->m->hosts]))
			continue;
		r->judged[i] = true;
		j.node = mech_alone(r->c) ? NULL : mech_addr(r->c, a);
		left = mx_judge_addr(r->c->m, a, &j, &s);
		if (s && left < *min_left)
			*min_left = left;
		*seen |= s;
	}
}

/* The sessions judged as MTA-STS senders would (--check-mx); *ok those
 * with no finding. */
static size_t
sts_sessions(struct sts *r, size_t *ok)
{
	size_t n = 0, good = 0;

	for (size_t i = 0; i < r->c->m->naddrs; i++) {
		const struct mx_addr *a = &r->c->m->addrs[i];

		if (!r->judged[i] || a->keytype_absent)
			continue;
		n++;
		good += mech_addr(r->c, a)->worst == MT_OK;
	}
	*ok = good;
	return n;
}

void
sts_summary(struct sts *r, enum mt_state worst, struct buf *out)
{
	if (worst != MT_OK)
		output_name_worst(r->c->root, worst, 3, out);
	if (r->policy_ok) {
		buf_printf(out, "%s", mtasts_mode_name(r->pol.mode));
		if ((r->c->m->kind == MX_LIST || r->c->m->kind == MX_IMPLICIT) &&
		    r->pol.mode != MTASTS_MODE_NONE)
			buf_printf(out, ", %zu/%zu MX covered", r->covered,
				   r->c->m->nhosts);
		buf_printf(out, ", max_age %llds", r->pol.max_age);
	} else if (r->fetched) {
		buf_puts(out, "policy invalid");
	} else {
		buf_puts(out, "no policy");
	}
	if (r->id[0] != '\0')
		buf_printf(out, ", id %s", r->id);
	if (r->o->check_mx && r->c->m->naddrs > 0) {
		size_t ok, n = sts_sessions(r, &ok);

		buf_printf(out, ", %zu/%zu MX %s OK", ok, n,
			   r->o->all_certs ? (n == 1 ? "certificate"
						     : "certificates")
			   : n == 1	   ? "address"
					   : "addresses");
	}
}

static void
finish(struct sts *r)
{
	struct node *root = r->c->root;
	char w[32], c[32];
	double mx_left;
	bool mx_seen;
	struct perf *p;

	judge_mx_addrs(r, &mx_left, &mx_seen);
	result_finish(root);
	if (r->policy_ok) {
		p = result_perf(root, "max_age", (double)r->pol.max_age, "s",
				range_format(&r->o->warn, 1, w, sizeof(w)),
				r->o->crit_set
				    ? range_format(&r->o->crit, 1, c, sizeof(c))
				    : NULL);
		result_perf_minmax(p, true, 0, true, MTASTS_MAX_AGE_MAX);
		p = result_perf(root, "mx_patterns", (double)r->pol.nmx, "",
				NULL, NULL);
		result_perf_minmax(p, true, 0, false, 0);
	}
	if (r->c->m->kind == MX_LIST || r->c->m->kind == MX_IMPLICIT) {
		p = result_perf(root, "mx_hosts", (double)r->c->m->nhosts, "", NULL,
				NULL);
		result_perf_minmax(p, true, 0, false, 0);
		if (r->policy_ok) {
			/* mx_covered: INTERFACE.md's example line. */
			p = result_perf(root, "mx_covered", (double)r->covered,
					"", NULL, NULL);
			result_perf_minmax(p, true, 0, true,
					   (double)r->c->m->nhosts);
			p = result_perf(root, "mx_uncovered",
					(double)r->uncovered, "", NULL, NULL);
			result_perf_minmax(p, true, 0, true,
					   (double)r->c->m->nhosts);
		}
	}
	if (r->fetched) {
		p = result_perf(root, "policy_bytes", (double)r->http.len, "B",
				NULL, NULL);
		result_perf_minmax(p, true, 0, true, STS_POLICY_CAP);
		p = result_perf(root, "policy_fetch_time", r->http.time_s, "s",
				r->o->fwarn.text, r->o->fcrit.text);
		result_perf_minmax(p, true, 0, false, 0);
	}
	if (r->cert_seen)
		result_perf(root, "policy_cert_remaining", r->cert_left, "s",
			    range_format(&r->o->cwarn, DAY, w, sizeof(w)),
			    range_format(&r->o->ccrit, DAY, c, sizeof(c)));
	if (mx_seen)
		result_perf(root, "mx_cert_remaining", mx_left, "s",
			    range_format(&r->o->cwarn, DAY, w, sizeof(w)),
			    range_format(&r->o->ccrit, DAY, c, sizeof(c)));
}


void
sts_submit(struct sts *r, struct mech *c, const struct sts_opts *o,
	   const char *domain)
{
	const struct common_opts *co = c->p->co;

	r->c = c;
	r->o = o;
	r->domain = domain;
	snprintf(r->policy_host, sizeof(r->policy_host), "mta-sts.%.240s",
		 domain);
	snprintf(r->qname, sizeof(r->qname), "_mta-sts.%.240s", domain);
	dns_submit(c->p->dns, r->qname, DNS_T_TXT, dns_keep, &r->txt);
	if (!co->only6)
		dns_submit(c->p->dns, r->policy_host, DNS_T_A, dns_keep_addr,
			   r->phost);
	if (!co->only4)
		dns_submit(c->p->dns, r->policy_host, DNS_T_AAAA, dns_keep_addr,
			   r->phost);
}

void
sts_process(struct sts *r)
{
	process_txt(r);
	/* The policy host's node before the MX hosts' in the long output. */
	r->policy_node = result_child(r->c->root, NODE_HOST, r->policy_host);
}

void
sts_fetch(struct sts *r)
{
	fetch_policy(r);
}

void
sts_judge(struct sts *r)
{
	if (r->fetched) {
		judge_policy(r);
		judge_other_addrs(r);
	}
	judge_drift(r);
	use_state(r);
	finish(r);
}

void
sts_run(struct sts *r, struct mech *c, const struct sts_opts *o,
	const char *domain, bool all_certs)
{
	struct mx_conn conn = {.helo = c->helo,
			       .tls = c->tls,
			       .now = c->now,
			       .pkix = true,
			       .all_certs = all_certs};

	/* Everything DNS at once: the record, the MX RRset, the policy
	 * host's addresses, and the resolver probe. */
	dns_probe_submit(c->p->dns);
	sts_submit(r, c, o, domain);
	mx_submit(c->m);
	dns_wait(c->p->dns);
	sts_process(r);
	mx_process(c->m);
	mx_submit_addrs(c->m);
	dns_wait(c->p->dns);
	mx_collect(c->m, o->check_mx ? &conn : NULL);

	/* The SMTP sessions run while the policy is fetched. */
	mx_connect_start(c->m);
	sts_fetch(r);
	mx_connect_join(c->m);
	sts_judge(r);
}

void
sts_free(struct sts *r)
{
	https_result_free(&r->http);
	for (size_t i = 0; i < r->nalt; i++)
		https_result_free(&r->alt[i]);
	r->nalt = 0;
	dns_result_free(r->txt);
	dns_result_free(r->phost[0]);
	dns_result_free(r->phost[1]);
	r->txt = r->phost[0] = r->phost[1] = NULL;
}
