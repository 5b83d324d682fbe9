/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * starttls.c: the STARTTLS mechanism (starttls.h): every address of every
 * MX host offers STARTTLS (RFC 3207), negotiates TLS at or above the floor
 * (RFC 8996), presents a PKIX-valid certificate for the host name (RFC
 * 9525) whose verified path is not about to expire (CONFORMANCE PKIX-01).
 * Null MX per RFC 7505, the implicit MX per RFC 5321 5.1 (mx.c).
 */
#include <string.h>

#include "dns.h"
#include "starttls.h"

#define DAY 86400.0

void
starttls_judge(struct starttls *s, struct mech *c,
	       const struct starttls_opts *o)
{
	struct mx_judge j = {
	    .warn = &o->warn,
	    .crit = &o->crit,
	    .min_tls = o->min_tls,
	    .no_pkix = o->no_pkix,
	    .fail = MT_CRITICAL,
	    .pkix_rule = "RFC 9525; RFC 8461 4.2 (MXM-07)",
	    .now = c->now,
	    .pkix_skip = o->pkix_skip,
	    .lifetime_warn_only = o->lifetime_warn_only,
	};
	char w[32], cr[32];
	struct perf *p;
	bool seen;

	s->c = c;
	s->o = o;
	s->min_left = 1e18;
	s->seen = false;
	for (size_t i = 0; i < c->m->naddrs; i++) {
		double left;

		j.node = mech_alone(c) ? NULL : mech_addr(c, &c->m->addrs[i]);
		left = mx_judge_addr(c->m, &c->m->addrs[i], &j, &seen);
		if (seen && left < s->min_left)
			s->min_left = left;
		s->seen |= seen;
	}
	result_finish(c->root);
	mx_sessions(c->m, &s->ok);
	/* Aggregates go first on line 1: the root's perfdata. */
	if (s->seen)
		result_perf(c->root, "cert_remaining", s->min_left, "s",
			    range_format(&o->warn, DAY, w, sizeof(w)),
			    range_format(&o->crit, DAY, cr, sizeof(cr)));
	p = result_perf(c->root, "addresses_ok", (double)s->ok, "", NULL,
			NULL);
	result_perf_minmax(p, true, 0, true, (double)mx_sessions(c->m, NULL));
}

void
starttls_run(struct starttls *s, struct mech *c, const struct starttls_opts *o,
	     const char *domain, const char *host)
{
	struct mx_set *m = c->m;
	struct mx_conn conn = {.helo = c->helo,
			       .tls = c->tls,
			       .now = c->now,
			       .pkix = !o->no_pkix,
			       .all_certs = o->all_certs};

	/* Asked beside the run's lookups: if they fail, its answer tells
	 * our resolver's fault (UNKNOWN) from the target's (CRITICAL). */
	if (c->p->dns != NULL)
		dns_probe_submit(c->p->dns);
	if (domain != NULL) {
		mx_submit(m);
		dns_wait(c->p->dns);
		mx_process(m);
	} else {
		mx_add_host(m, host, 0);
	}
	if (o->address != NULL) {
		/* --address: that address alone, and no lookup. */
		struct mx_host *h = &m->hosts[0];

		h->node = result_child(c->root, NODE_HOST, h->name);
		mx_add_addr(m, h, o->address, o->address_len, &conn);
	} else {
		mx_submit_addrs(m);
		dns_wait(c->p->dns);
		mx_collect(m, &conn);
	}
	mx_connect_all(m);
	starttls_judge(s, c, o);
}

void
starttls_summary(const struct starttls *s, enum mt_state worst,
		 struct buf *out)
{
	const struct mx_set *m = s->c->m;
	size_t n = mx_sessions(m, NULL);

	if (worst != MT_OK)
		output_name_worst(s->c->root, worst, 3, out);
	if (m->naddrs > 0)
		buf_printf(out, "%zu/%zu %s of %zu host%s OK", s->ok, n,
			   s->o->all_certs ? (n == 1 ? "certificate"
						     : "certificates")
			   : m->naddrs == 1 ? "address"
					    : "addresses",
			   m->nhosts, m->nhosts == 1 ? "" : "s");
	else
		buf_puts(out, "no address checked");
	if (s->seen)
		buf_printf(out, ", shortest certificate lifetime %.0f days",
			   s->min_left / DAY);
}
