/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mx.c: a domain's mail hosts, their addresses, and one SMTP session per
 * address, judged (mx.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "mx.h"
#include "net.h"
#include "util.h"

#define DAY 86400.0

void
mx_init(struct mx_set *m, struct pctx *p, const char *domain)
{
	memset(m, 0, sizeof(*m));
	m->p = p;
	m->domain = domain;
	m->addrs = xcalloc(MX_MAX_ADDRS, sizeof(*m->addrs));
}

void
mx_submit(struct mx_set *m)
{
	dns_submit(m->p->dns, m->domain, DNS_T_MX, dns_keep, &m->mx);
}

struct mx_host *
mx_add_host(struct mx_set *m, const char *name, unsigned pref)
{
	struct mx_host *h;

	for (size_t i = 0; i < m->nhosts; i++)
		if (util_strcasecmp(m->hosts[i].name, name) == 0)
			return NULL;
	if (m->nhosts == MX_MAX_HOSTS) {
		m->hosts_capped = true;
		m->hosts_left++;
		return NULL;
	}
	h = &m->hosts[m->nhosts++];
	util_strlcpy(h->name, name, sizeof(h->name));
	h->pref = pref;
	return h;
}

static int
cmp_host(const void *a, const void *b)
{
	const struct mx_host *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return util_strcasecmp(x->name, y->name);
}

void
mx_process(struct mx_set *m)
{
	struct dns_result *res = m->mx;
	struct node *root = m->p->root;
	char name[DNS_NAME_MAX];
	unsigned pref;
	size_t others = 0, nall = 0;
	struct mx_host *h, *all;

	if (res == NULL)
		return;
	plugin_log_dns(m->p, root, res);
	switch (res->outcome) {
	case DNS_ANSWER:
		break;
	case DNS_NXDOMAIN:
		m->kind = MX_NXDOMAIN;
		result_add(root, MT_CRITICAL, "GEN-05", NULL,
			   "domain %s does not exist (NXDOMAIN)", m->domain);
		return;
	case DNS_NODATA:
		/* RFC 5321 5.1: no MX, the domain is its own mail host. */
		m->kind = MX_IMPLICIT;
		result_add(root, MT_OK, "RFC 5321 5.1", NULL,
			   "no MX records: %s itself is the implicit MX",
			   m->domain);
		mx_add_host(m, m->domain, 0);
		return;
	default:
		plugin_dns_failure(m->p, root, res, "MX");
		return;
	}
	/* All of them sorted by preference first, so that a cap keeps the
	 * most preferred (RFC 5321 5.1), whatever order the answer had. */
	all = xcalloc(res->n ? res->n : 1, sizeof(*all));
	for (size_t i = 0; i < res->n; i++) {
		if (dns_rr_mx(&res->rr[i], &pref, name, sizeof(name)) < 0) {
			result_add(root, MT_WARNING, NULL, NULL,
				   "malformed MX record ignored");
			continue;
		}
		if (name[0] == '\0') {
			m->null_mx = true;
			continue;
		}
		all[nall].pref = pref;
		util_strlcpy(all[nall].name, name, sizeof(all[nall].name));
		nall++;
	}
	qsort(all, nall, sizeof(*all), cmp_host);
	for (size_t i = 0; i < nall; i++) {
		others++;
		if ((h = mx_add_host(m, all[i].name, all[i].pref)) != NULL)
			h->from_mx = true;
	}
	if (m->hosts_capped)
		result_add(root, MT_WARNING, "DANE-36", NULL,
			   "%zu MX hosts: only the %d most preferred checked, "
			   "%zu left out (preference %u and above)",
			   nall, MX_MAX_HOSTS, m->hosts_left,
			   all[MX_MAX_HOSTS].pref);
	free(all);
	m->kind = m->null_mx && others == 0 ? MX_NULL : MX_LIST;
	if (m->kind == MX_NULL)
		result_add(root, MT_WARNING, "RFC 7505 3", NULL,
			   "null MX: %s accepts no mail, nothing to check",
			   m->domain);
	else if (m->null_mx)
		result_add(root, MT_CRITICAL, "RFC 7505 3", NULL,
			   "null MX published beside %zu other MX record%s: "
			   "senders may treat the domain as accepting no mail",
			   others, others == 1 ? "" : "s");
	qsort(m->hosts, m->nhosts, sizeof(m->hosts[0]), cmp_host);
}

void
mx_submit_addrs(struct mx_set *m)
{
	const struct common_opts *co = m->p->co;

	for (size_t i = 0; i < m->nhosts; i++) {
		if (!co->only6)
			dns_submit(m->p->dns, m->hosts[i].name, DNS_T_A,
				   dns_keep_addr, m->hosts[i].res);
		if (!co->only4)
			dns_submit(m->p->dns, m->hosts[i].name, DNS_T_AAAA,
				   dns_keep_addr, m->hosts[i].res);
	}
}

/* One session to ss asking for key type k, in a node of its own. */
static struct mx_addr *
add_session(struct mx_set *m, struct mx_host *h,
	    const struct sockaddr_storage *ss, socklen_t sslen,
	    const struct mx_conn *conn, enum tls_keytype k)
{
	char text[NET_ADDR_MAX + 8];
	struct mx_addr *a;

	if (m->naddrs == MX_MAX_ADDRS) {
		m->addrs_capped = true;
		m->addrs_left++;
		return NULL;
	}
	a = &m->addrs[m->naddrs++];
	a->host = h;
	net_addr_text((const struct sockaddr *)ss, text, NET_ADDR_MAX);
	if (k != TLS_KEY_ANY)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "/%s", k == TLS_KEY_ECDSA ? "ecdsa" : "rsa");
	a->node = result_child(h->node, NODE_ADDRESS, text);
	if (k != TLS_KEY_ANY)
		result_fact(a->node, "key_type", "%s", tls_keytype_name(k));
	a->sopts.helo = conn->helo;
	a->sopts.sni = h->name;
	a->sopts.verify_name = conn->pkix ? h->name : NULL;
	a->sopts.tls = conn->tls;
	a->sopts.now = conn->now;
	a->sopts.keytype = k;
	smtp_session_init(&a->sess, (const struct sockaddr *)ss, sslen,
			  &a->sopts);
	return a;
}

bool
mx_add_addr(struct mx_set *m, struct mx_host *h,
	    const struct sockaddr_storage *ss, socklen_t sslen,
	    const struct mx_conn *conn)
{
	struct mx_addr *a, *b;

	if (!conn->all_certs) {
		if (add_session(m, h, ss, sslen, conn, TLS_KEY_ANY) == NULL)
			return false;
		h->naddrs++;
		return true;
	}
	if (m->naddrs + 2 > MX_MAX_ADDRS) {
		m->addrs_capped = true;
		m->addrs_left += 2;
		return false;
	}
	a = add_session(m, h, ss, sslen, conn, TLS_KEY_ECDSA);
	b = add_session(m, h, ss, sslen, conn, TLS_KEY_RSA);
	a->pair = b;
	b->pair = a;
	h->naddrs++;
	return true;
}

void
mx_add_host_addrs(struct mx_set *m, struct mx_host *h,
		  const struct mx_conn *conn)
{
	struct sockaddr_storage ss;
	socklen_t sslen;

	for (int k = 0; k < 2; k++) {
		const struct dns_result *res = h->res[k];

		if (res == NULL || res->outcome != DNS_ANSWER)
			continue;
		for (size_t j = 0; j < res->n; j++)
			if (dns_rr_addr(&res->rr[j], res->qtype, m->p->co->port,
					&ss, &sslen) == 0)
				mx_add_addr(m, h, &ss, sslen, conn);
	}
}

/* One host's answers: addresses (to connect to, with conn), CNAME, absence. */
static void
collect_host(struct mx_set *m, struct mx_host *h, const struct mx_conn *conn)
{
	const struct common_opts *co = m->p->co;
	struct sockaddr_storage ss;
	socklen_t sslen;
	size_t found = 0;
	bool absent = true, nx = false;

	for (int k = 0; k < 2; k++) {
		struct dns_result *res = h->res[k];

		if (res == NULL)
			continue;
		plugin_log_dns(m->p, h->node, res);
		if (res->canonname != NULL && h->canon[0] == '\0' &&
		    util_strcasecmp(res->canonname, h->name) != 0)
			util_strlcpy(h->canon, res->canonname,
				     sizeof(h->canon));
		if (res->outcome == DNS_NXDOMAIN ||
		    res->outcome == DNS_NODATA) {
			nx |= res->outcome == DNS_NXDOMAIN;
			continue;
		}
		absent = false;
		if (res->outcome != DNS_ANSWER) {
			plugin_dns_failure(m->p, h->node, res,
					   dns_type_name(res->qtype));
			continue;
		}
		for (size_t j = 0; j < res->n; j++)
			if (dns_rr_addr(&res->rr[j], res->qtype, co->port, &ss,
					&sslen) == 0)
				found++;
	}
	if (conn != NULL)
		mx_add_host_addrs(m, h, conn);
	if (h->canon[0] != '\0' && h->from_mx)
		result_add(h->node, MT_WARNING, "RFC 5321 5.1 (MXM-06)", NULL,
			   "the MX target is an alias (CNAME) of %s", h->canon);
	if (found == 0 && absent) {
		/* Only a failure where we were to connect to it. */
		h->absent = true;
		result_add(h->node,
			   conn != NULL || m->need_addrs ? MT_CRITICAL : MT_OK,
			   "RFC 5321 5.1", NULL, "no %s address%s",
			   co->only4   ? "IPv4"
			   : co->only6 ? "IPv6"
				       : "IPv4 or IPv6",
			   nx ? " (the name does not exist)" : "");
	}
}

void
mx_collect(struct mx_set *m, const struct mx_conn *conn)
{
	for (size_t i = 0; i < m->nhosts; i++) {
		struct mx_host *h = &m->hosts[i];

		if (h->node == NULL)
			h->node = result_child(m->p->root, NODE_HOST, h->name);
		collect_host(m, h, conn);
	}
}

/* A pool thread: the next session not yet taken, until none is left. */
static void *
run_pool(void *arg)
{
	struct mx_set *m = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&m->next, 1, __ATOMIC_RELAXED)) <
	       m->naddrs)
		smtp_session_run(&m->addrs[i].sess);
	return NULL;
}

void
mx_connect_start(struct mx_set *m)
{
	pthread_attr_t attr;
	size_t want = m->naddrs < MX_CONCURRENCY ? m->naddrs : MX_CONCURRENCY;

	if (m->addrs_capped && !m->addrs_cap_noted) {
		m->addrs_cap_noted = true;
		result_add(m->p->root, MT_WARNING, "DANE-36", NULL,
			   "%zu addresses: only the first %d checked, %zu "
			   "left out",
			   m->naddrs + m->addrs_left, MX_MAX_ADDRS,
			   m->addrs_left);
	}
	m->next = 0;
	m->npool = 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	while (m->npool < want &&
	       pthread_create(&m->pool[m->npool], &attr, run_pool, m) == 0)
		m->npool++;
	pthread_attr_destroy(&attr);
}

void
mx_connect_join(struct mx_set *m)
{
	/* What no thread took (none could start): here, in order. */
	run_pool(m);
	for (size_t i = 0; i < m->npool; i++)
		pthread_join(m->pool[i], NULL);
	m->npool = 0;
}

void
mx_connect_all(struct mx_set *m)
{
	mx_connect_start(m);
	mx_connect_join(m);
}

size_t
mx_sessions(const struct mx_set *m, size_t *ok)
{
	size_t n = 0, good = 0;

	for (size_t i = 0; i < m->naddrs; i++) {
		if (m->addrs[i].keytype_absent)
			continue;
		n++;
		good += m->addrs[i].node->worst == MT_OK;
	}
	if (ok != NULL)
		*ok = good;
	return n;
}

bool
mx_addr_first(const struct mx_set *m, const struct mx_addr *a)
{
	for (const struct mx_addr *b = m->addrs; b < a; b++)
		if (strcmp(b->node->name, a->node->name) == 0)
			return false;
	return true;
}

static void judge_session(const struct mx_set *m, struct mx_addr *a,
			  const struct mx_judge *j);

static const char *
pkix_token(enum pkix_result p)
{
	switch (p) {
	case PKIX_EXPIRED:
		return "certificate-expired";
	case PKIX_NAME_MISMATCH:
		return "certificate-host-mismatch";
	case PKIX_UNTRUSTED:
		return "certificate-not-trusted";
	case PKIX_PURPOSE:
		return "validation-failure";
	default:
		return "validation-failure";
	}
}

/* A CRITICAL that the judge tones down (MTA-STS testing mode). */
static enum mt_state
failing(const struct mx_judge *j, enum mt_state st)
{
	return st == MT_CRITICAL ? j->fail : st;
}

/* The node the judge writes into: its own, or the address's. */
static struct node *
judge_node(const struct mx_judge *j, const struct mx_addr *a)
{
	return j->node != NULL ? j->node : a->node;
}

static void
log_transcript(const struct mx_set *m, struct mx_addr *a, struct node *n)
{
	char *line, *nl;

	if (a->sess.log.p == NULL || m->p->co->verbose < 2)
		return;
	line = a->sess.log.p;
	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		result_log(n, "%s", line);
		line = nl + 1;
	}
}

void
mx_judge_dialogue(const struct mx_set *m, struct mx_addr *a, struct node *n,
		  enum mt_state fail)
{
	struct mx_judge j = {.fail = fail, .node = n};

	log_transcript(m, a, judge_node(&j, a));
	judge_session(m, a, &j);
}

static void
judge_session(const struct mx_set *m, struct mx_addr *a,
	      const struct mx_judge *j)
{
	struct smtp_session *s = &a->sess;
	struct node *n = judge_node(j, a);

	if (s->greeting_code > 0)
		result_fact(n, "greeting", "%d %s", s->greeting_code,
			    s->greeting);
	/* SMTP-15: the steps' times, for -v and json (perfdata keeps to the
	 * handshake so that line 1 stays short with many addresses). */
	if (s->t_connect >= 0)
		result_fact(n, "connect_ms", "%lld", (long long)s->t_connect);
	if (s->t_greeting >= 0)
		result_fact(n, "greeting_ms", "%lld", (long long)s->t_greeting);
	result_fact(n, "total_ms", "%lld", (long long)s->t_total);
	result_fact(n, "quit", "%s", s->quit_ok ? "221" : "no 221");
	/* --all-certs: no certificate of this key type where the other
	 * session found one: the server has one kind of key, and every
	 * sender can use it (item 19). */
	if (a->sopts.keytype != TLS_KEY_ANY && s->fail == SMTP_FAIL_TLS &&
	    a->pair != NULL && a->pair->sess.tls_done) {
		a->keytype_absent = true;
		result_text(n, "no %s certificate",
			    tls_keytype_name(a->sopts.keytype));
		result_add(n, MT_OK, NULL, NULL,
			   "no %s certificate: the handshake offering %s "
			   "signatures only failed (%s); the server has a %s "
			   "one, which senders use",
			   tls_keytype_name(a->sopts.keytype),
			   tls_keytype_name(a->sopts.keytype), s->why,
			   tls_keytype_name(a->pair->sopts.keytype));
	} else if (s->fail != SMTP_OK && !s->tls_done)
		result_add(n,
			   s->fail == SMTP_FAIL_TIMEOUT
			       ? m->p->co->timeout_result
			       : j->fail,
			   s->rule, s->token, "%s", s->why);
	if (s->overlong)
		result_add(n, MT_WARNING, "RFC 5321 4.5.3.1.5 (SMTP-04)", NULL,
			   "a reply line exceeds 512 octets");
	if (s->injected > 0)
		result_add(n, MT_WARNING, "RFC 3207 4.2 (SMTP-09)", NULL,
			   "%zu plaintext bytes after the 220 to STARTTLS "
			   "(discarded; possible command injection)",
			   s->injected);
}

/* The chain's lifetimes; returns the shortest, in seconds. */
static double
judge_lifetime(const struct mx_set *m, struct mx_addr *a,
	       const struct mx_judge *j)
{
	struct smtp_session *s = &a->sess;
	struct node *n = judge_node(j, a);
	const struct tls_cert *leaf = &s->peer.cert[0];
	char w[32], c[32], label[160], date[16];
	double remaining;
	size_t first;

	/* Days to the first expiry on the path a sender builds (PKIX-01). */
	remaining = tls_peer_path_left(&s->peer, j->now, &first);
	result_fact(n, "subject", "%s", leaf->subject);
	result_fact(n, "issuer", "%s", leaf->issuer);
	util_fmt_utc(date, sizeof(date), "%Y-%m-%d", leaf->not_after);
	result_fact(n, "not_after", "%s", date);
	result_fact(n, "key", "%s %u", leaf->key_alg, leaf->key_bits);
	result_fact(n, "signature", "%s", leaf->sig_alg);
	for (size_t i = 1; i < s->peer.ncerts; i++)
		if (!s->peer.cert[i].on_path)
			result_fact(n, "off_path",
				    "'%.80s' (issuer '%.80s') sent, not on the "
				    "verified path: its dates do not count "
				    "(PKIX-01)",
				    s->peer.cert[i].subject,
				    s->peer.cert[i].issuer);
	util_fmt_utc(date, sizeof(date), "%Y-%m-%d",
		     s->peer.cert[first].not_after);
	if (remaining < 0)
		result_add(n, j->lifetime_warn_only ? MT_WARNING : j->fail,
			   NULL, "certificate-expired",
			   "%s '%.80s' expired on %s%s",
			   first ? "chain certificate" : "certificate",
			   s->peer.cert[first].subject, date,
			   j->lifetime_warn_only
			       ? " (senders that authenticate the server: "
				 "see mta-sts and dane)"
			       : "");
	else {
		enum mt_state st =
		    failing(j, range_state(j->warn, j->crit, remaining / DAY));

		if (j->lifetime_warn_only && st == MT_CRITICAL)
			st = MT_WARNING;
		result_add(n, st, NULL, NULL,
			   "%s '%.80s' expires in %.0f days (%s)",
			   first ? "chain certificate" : "certificate",
			   s->peer.cert[first].subject, remaining / DAY, date);
	}
	snprintf(label, sizeof(label), "%s_cert_remaining", n->name);
	if (mx_addr_first(m, a))
		result_perf(n, label, remaining, "s",
			    range_format(j->warn, DAY, w, sizeof(w)),
			    range_format(j->crit, DAY, c, sizeof(c)));
	return remaining;
}

double
mx_judge_addr(const struct mx_set *m, struct mx_addr *a,
	      const struct mx_judge *j, bool *seen)
{
	struct smtp_session *s = &a->sess;
	struct node *n = judge_node(j, a);
	const struct tls_cert *leaf = s->peer.ncerts ? &s->peer.cert[0] : NULL;
	char label[160], date[16] = "-";
	double remaining = 1e18;

	*seen = false;
	log_transcript(m, a, n);
	judge_session(m, a, j);
	if (!s->tls_done)
		return remaining;

	result_fact(n, "tls_version", "%s", s->peer.version);
	result_fact(n, "cipher", "%s", s->peer.cipher);
	if (s->peer.version_num < j->min_tls)
		result_add(n, j->fail, "RFC 8996; RFC 8461 7.2 (MXM-08)",
			   "validation-failure",
			   "%s negotiated, below the minimum TLSv%d.%d",
			   s->peer.version, j->min_tls / 10, j->min_tls % 10);
	if (s->peer.ncerts == 0) {
		result_add(n, j->fail, NULL, "validation-failure",
			   "the server sent no certificate");
	} else {
		remaining = judge_lifetime(m, a, j);
		*seen = true;
	}
	if (j->no_pkix)
		result_add(n, MT_OK, NULL, NULL,
			   "PKIX verdict skipped (%s)",
			   j->pkix_skip != NULL ? j->pkix_skip : "--no-pkix");
	else if (s->pkix != PKIX_OK)
		result_add(n, j->fail, j->pkix_rule, pkix_token(s->pkix),
			   "certificate %s", s->pkix_why);
	if (s->t_tls >= 0 && mx_addr_first(m, a)) {
		snprintf(label, sizeof(label), "%s_handshake_time", n->name);
		result_perf(n, label, (double)s->t_tls / 1000.0, "s", NULL,
			    NULL);
	}
	if (s->fail != SMTP_OK)
		result_add(n,
			   s->fail == SMTP_FAIL_TIMEOUT
			       ? m->p->co->timeout_result
			       : j->fail,
			   s->rule, s->token, "%s", s->why);
	if (s->readvertised)
		result_add(n, MT_WARNING, "RFC 3207 4.2 (SMTP-10)", NULL,
			   "STARTTLS advertised again after TLS");
	if (leaf != NULL)
		util_fmt_utc(date, sizeof(date), "%Y-%m-%d", leaf->not_after);
	result_text(n, "%s, %s, subject %.80s, issuer %.80s, expires %s",
		    s->peer.version, s->peer.cipher,
		    leaf != NULL ? leaf->subject : "-",
		    leaf != NULL ? leaf->issuer : "-", date);
	return remaining;
}

void
mx_free(struct mx_set *m)
{
	for (size_t i = 0; i < m->naddrs; i++)
		smtp_session_free(&m->addrs[i].sess);
	for (size_t i = 0; i < m->nhosts; i++) {
		dns_result_free(m->hosts[i].res[0]);
		dns_result_free(m->hosts[i].res[1]);
	}
	dns_result_free(m->mx);
	m->mx = NULL;
	free(m->addrs);
	m->addrs = NULL;
	m->naddrs = m->nhosts = 0;
}
