/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_smtp_starttls: does every MX host of a domain (-D) or one host
 * (-H), on every address, offer STARTTLS (RFC 3207), negotiate TLS at or
 * above --min-tls, and present a PKIX-valid certificate for its name that
 * is not about to expire? All addresses are checked at once, one thread
 * each, within one deadline. Rules: CONFORMANCE GEN, SMTP and OUT; null MX
 * per RFC 7505, the implicit MX per RFC 5321 5.1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "deadline.h"
#include "dns.h"
#include "options.h"
#include "output.h"
#include "range.h"
#include "smtp.h"
#include "tls.h"
#include "util.h"

#define LABEL "SMTP STARTTLS"
#define MAX_HOSTS 32
#define MAX_ADDRS 64
#define DAY 86400.0

enum {
	OPT_MIN_TLS = OPT_PLUGIN,
	OPT_NO_PKIX,
	OPT_HELO,
	OPT_ADDRESS,
};

static const struct opt_def options[] = {
    OPTDEF_HOSTNAME,
    OPTDEF_DOMAIN,
    OPTDEF_PORT,
    OPTDEF_IPV4,
    OPTDEF_IPV6,
    {OPT_WARNING, "warning", 'w', "DAYS",
     "warn when a certificate of the chain expires in fewer than DAYS\n"
     "days (Nagios range; a bare N means N:, default 28)"},
    {OPT_CRITICAL, "critical", 'c', "DAYS",
     "critical when a certificate of the chain expires in fewer than\n"
     "DAYS days (Nagios range; a bare N means N:, default 14)"},
    {OPT_MIN_TLS, "min-tls", 0, "VERSION",
     "lowest acceptable TLS version: 1.0, 1.1, 1.2 (default) or 1.3"},
    {OPT_NO_PKIX, "no-pkix", 0, NULL,
     "skip the chain and name verdict (servers that rely on DANE\n"
     "alone; check them with check_tlsa); lifetimes still count"},
    {OPT_ADDRESS, "address", 0, "ADDR",
     "with -H: connect to this IPv4 or IPv6 address instead of the\n"
     "host's A/AAAA records; SNI and the PKIX name stay HOST"},
    {OPT_HELO, "helo", 0, "NAME",
     "name to send with EHLO (default: this machine's FQDN, or the\n"
     "address literal of our end of the connection)"},
    OPTDEF_TIMEOUT,
    OPTDEF_TIMEOUT_RESULT,
    OPTDEF_RESOLVER,
    OPTDEF_TRUST_ANCHOR,
    OPTDEF_CAFILE,
    OPTDEF_OUTPUT_FORMAT,
    OPTDEF_VERBOSE,
    OPTDEF_HELP,
    OPTDEF_VERSION,
    {0, NULL, 0, NULL, NULL},
};

static const char *const examples[] = {
    "check_smtp_starttls -D example.com",
    "check_smtp_starttls -H mx1.example.com -w 30 -c 10 --min-tls 1.3",
    "check_smtp_starttls -D example.com -6 -t 20:unknown",
    NULL,
};

static const struct plugin_desc desc = {
    .prog = "check_smtp_starttls",
    .label = LABEL,
    .purpose = "Checks that every MX host of a domain (-D), or one mail "
	       "server (-H), on each\nof its addresses, offers STARTTLS, "
	       "negotiates TLS at or above --min-tls and\npresents a "
	       "certificate chain that is PKIX-valid for the host name and "
	       "not\nabout to expire. All addresses are checked at once.",
    .usage = "-H HOST | -D DOMAIN [-p PORT] [-4|-6] [-w DAYS] [-c DAYS] "
	     "[options]",
    .thresholds = "  -w and -c measure the days until the first certificate "
		  "of a chain expires\n  (leaf or intermediate), over every "
		  "address. Perfdata carries them in seconds.",
    .opts = options,
    .examples = examples,
};

struct plugin_opts {
	int min_tls;
	bool no_pkix;
	const char *helo;
	const char *address; /* --address, parsed into addr_ss */
	struct sockaddr_storage addr_ss;
	socklen_t addr_len;
};

struct addr;

struct host {
	char name[DNS_NAME_MAX];
	unsigned pref;
	struct node *node;
	struct dns_result *res[2]; /* A, AAAA */
	size_t naddrs;
};

struct addr {
	struct host *host;
	struct node *node;
	struct smtp_session sess;
	struct smtp_opts sopts;
	pthread_t thread;
	bool started;
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct range warn, crit;
	struct dns_ctx *dns;
	struct tls_ctx *tls;
	struct node *root;
	const char *target;
	struct host hosts[MAX_HOSTS];
	size_t nhosts;
	struct addr addrs[MAX_ADDRS];
	size_t naddrs;
	bool addrs_capped;
	int resolver_checked; /* 0 not yet, 1 fine, 2 broken */
	struct dns_result *mx;
	char helo[256];
	time_t now;
};

/* An address literal into a sockaddr; the port is set later. */
static int
parse_address(const char *s, struct plugin_opts *po)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&po->addr_ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&po->addr_ss;

	memset(&po->addr_ss, 0, sizeof(po->addr_ss));
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		po->addr_len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		po->addr_len = sizeof(*in6);
		return 0;
	}
	return -1;
}

static int
handle_opt(void *ctx, int id, const char *arg, const char **why)
{
	struct plugin_opts *po = ctx;

	switch (id) {
	case OPT_MIN_TLS:
		po->min_tls = tls_version_parse(arg);
		if (po->min_tls < 0) {
			*why = "--min-tls must be 1.0, 1.1, 1.2 or 1.3";
			return -1;
		}
		return 0;
	case OPT_NO_PKIX:
		po->no_pkix = true;
		return 0;
	case OPT_ADDRESS:
		if (parse_address(arg, po) < 0) {
			*why = "--address must be an IPv4 or IPv6 address";
			return -1;
		}
		po->address = arg;
		return 0;
	case OPT_HELO:
		if (*arg == '\0' || strlen(arg) > 255 ||
		    strpbrk(arg, " \t\r\n") != NULL) {
			*why = "--helo must be a host name or address literal";
			return -1;
		}
		po->helo = arg;
		return 0;
	}
	*why = "unknown option";
	return -1;
}

/* Deadline safety net: every wait is bounded already; this only guards
 * against a library that blocks where it should not. Async-signal-safe. */
static char alarm_msg[160];
static size_t alarm_len;
static int alarm_code;

static void
on_alarm(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, alarm_msg, alarm_len) < 0)
		_exit(alarm_code);
	_exit(alarm_code);
}

static void
arm_watchdog(const struct common_opts *co)
{
	alarm_code = (int)co->timeout_result;
	alarm_len = (size_t)snprintf(alarm_msg, sizeof(alarm_msg),
				     "%s %s - deadline of %d s passed "
				     "(watchdog)\n",
				     LABEL, state_name(co->timeout_result),
				     co->timeout_s);
	if (alarm_len >= sizeof(alarm_msg))
		alarm_len = sizeof(alarm_msg) - 1;
	signal(SIGALRM, on_alarm);
	/* Half a second past the deadline: the run still ends within -t + 1. */
	setitimer(ITIMER_REAL,
		  &(struct itimerval){.it_value = {co->timeout_s, 500000}},
		  NULL);
}

static void
default_helo(struct run *r)
{
	if (r->po.helo != NULL) {
		util_strlcpy(r->helo, r->po.helo, sizeof(r->helo));
		return;
	}
	/* This machine's FQDN when gethostname() gives one; otherwise an
	 * address literal of our end, chosen per connection (RFC 5321
	 * 4.1.1.1), so no DNS is spent on our own name. */
	if (gethostname(r->helo, sizeof(r->helo) - 1) != 0 ||
	    strchr(r->helo, '.') == NULL)
		r->helo[0] = '\0';
}

static void
log_dns(struct run *r, struct node *n, const struct dns_result *res)
{
	struct buf b;

	if (r->co.verbose < 2)
		return;
	buf_init(&b);
	dns_result_describe(res, &b);
	result_log(n, "DNS %s", b.p ? b.p : "");
	buf_free(&b);
}

/*
 * The state of a failed lookup: a timeout is --timeout-result; otherwise
 * CRITICAL, the target zone's fault (GEN-02), unless our own resolver
 * fails to validate its trust anchor, which makes it UNKNOWN (INTERFACE.md).
 * The resolver is probed once, on the first failure.
 */
static enum mt_state
lookup_fail_state(struct run *r, const struct dns_result *res)
{
	char why[256];

	if (r->resolver_checked == 0) {
		r->resolver_checked = 1;
		if (!dns_resolver_ok(r->dns, why, sizeof(why))) {
			r->resolver_checked = 2;
			result_add(r->root, MT_UNKNOWN, "GEN-02", NULL,
				   "our resolver is not usable: %s", why);
		}
	}
	if (r->resolver_checked == 2)
		return MT_UNKNOWN;
	if (res->outcome == DNS_TIMEOUT)
		return r->co.timeout_result;
	return MT_CRITICAL;
}

/* A DNS failure (not an absence) of a lookup, for node n. */
static void
dns_failure(struct run *r, struct node *n, const struct dns_result *res,
	    const char *what)
{
	result_add(n, lookup_fail_state(r, res), "GEN-06", NULL,
		   "%s lookup for %s failed: %s%s%s", what, res->qname,
		   dns_outcome_name(res->outcome), res->why ? ": " : "",
		   res->why ? res->why : "");
}

static void
on_addr(void *arg, struct dns_result *res)
{
	struct host *h = arg;

	h->res[res->qtype == DNS_T_AAAA] = res;
}

static struct host *
add_host(struct run *r, const char *name, unsigned pref)
{
	struct host *h;

	for (size_t i = 0; i < r->nhosts; i++)
		if (util_strcasecmp(r->hosts[i].name, name) == 0)
			return NULL;
	if (r->nhosts == MAX_HOSTS) {
		result_add(r->root, MT_WARNING, NULL, NULL,
			   "more than %d MX hosts; only the first %d checked",
			   MAX_HOSTS, MAX_HOSTS);
		return NULL;
	}
	h = &r->hosts[r->nhosts++];
	util_strlcpy(h->name, name, sizeof(h->name));
	h->pref = pref;
	return h;
}

static void
submit_addrs(struct run *r, struct host *h)
{
	if (!r->co.only6)
		dns_submit(r->dns, h->name, DNS_T_A, on_addr, h);
	if (!r->co.only4)
		dns_submit(r->dns, h->name, DNS_T_AAAA, on_addr, h);
}

static int
cmp_host(const void *a, const void *b)
{
	const struct host *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return util_strcasecmp(x->name, y->name);
}

static void
on_mx(void *arg, struct dns_result *res)
{
	struct run *r = arg;

	r->mx = res;
}

/* Turns the MX answer into hosts (RFC 5321 5.1, RFC 7505). */
static void
process_mx(struct run *r)
{
	struct dns_result *res = r->mx;
	char name[DNS_NAME_MAX];
	unsigned pref;
	bool null_mx = false;
	size_t others = 0;

	if (res == NULL)
		return;

	log_dns(r, r->root, res);
	switch (res->outcome) {
	case DNS_ANSWER:
		break;
	case DNS_NXDOMAIN:
		result_add(r->root, MT_CRITICAL, "GEN-05", NULL,
			   "domain %s does not exist (NXDOMAIN)", r->target);
		return;
	case DNS_NODATA:
		/* RFC 5321 5.1: no MX, the domain is its own mail host. */
		result_add(r->root, MT_OK, "RFC 5321 5.1", NULL,
			   "no MX records: %s itself is the implicit MX",
			   r->target);
		add_host(r, r->target, 0);
		return;
	default:
		dns_failure(r, r->root, res, "MX");
		return;
	}
	for (size_t i = 0; i < res->n; i++) {
		if (dns_rr_mx(&res->rr[i], &pref, name, sizeof(name)) < 0) {
			result_add(r->root, MT_WARNING, NULL, NULL,
				   "malformed MX record ignored");
			continue;
		}
		if (name[0] == '\0') {
			null_mx = true;
			continue;
		}
		others++;
		add_host(r, name, pref);
	}
	if (null_mx && others == 0)
		result_add(r->root, MT_WARNING, "RFC 7505 3", NULL,
			   "null MX: %s accepts no mail, nothing to check",
			   r->target);
	else if (null_mx)
		result_add(r->root, MT_CRITICAL, "RFC 7505 3", NULL,
			   "null MX published beside %zu other MX record%s: "
			   "senders may treat the domain as accepting no mail",
			   others, others == 1 ? "" : "s");
	qsort(r->hosts, r->nhosts, sizeof(r->hosts[0]), cmp_host);
}

/* Adds one address of host h to connect to; false when the cap is hit. */
static bool
add_addr(struct run *r, struct host *h, const struct sockaddr_storage *ss,
	 socklen_t sslen)
{
	char text[NET_ADDR_MAX];
	struct addr *a;

	if (r->naddrs == MAX_ADDRS) {
		r->addrs_capped = true;
		return false;
	}
	a = &r->addrs[r->naddrs++];
	a->host = h;
	net_addr_text((const struct sockaddr *)ss, text, sizeof(text));
	a->node = result_child(h->node, NODE_ADDRESS, text);
	a->sopts.helo = r->helo;
	a->sopts.sni = h->name;
	a->sopts.verify_name = r->po.no_pkix ? NULL : h->name;
	a->sopts.tls = r->tls;
	a->sopts.now = r->now;
	smtp_session_init(&a->sess, (const struct sockaddr *)ss, sslen,
			  &a->sopts);
	h->naddrs++;
	return true;
}

/* Turns the A/AAAA answers of every host into addresses to connect to;
 * with --address, that address alone, and no lookup. */
static void
collect_addrs(struct run *r)
{
	struct sockaddr_storage ss;
	socklen_t sslen;

	if (r->po.address != NULL) {
		struct host *h = &r->hosts[0];

		h->node = result_child(r->root, NODE_HOST, h->name);
		memcpy(&ss, &r->po.addr_ss, sizeof(ss));
		add_addr(r, h, &ss, r->po.addr_len);
		return;
	}
	for (size_t i = 0; i < r->nhosts; i++) {
		struct host *h = &r->hosts[i];
		bool absent = true;

		h->node = result_child(r->root, NODE_HOST, h->name);
		for (int k = 0; k < 2; k++) {
			struct dns_result *res = h->res[k];

			if (res == NULL)
				continue;
			log_dns(r, h->node, res);
			if (res->outcome == DNS_NXDOMAIN ||
			    res->outcome == DNS_NODATA)
				continue;
			absent = false;
			if (res->outcome != DNS_ANSWER) {
				dns_failure(r, h->node, res,
					    dns_type_name(res->qtype));
				continue;
			}
			for (size_t j = 0; j < res->n; j++)
				if (dns_rr_addr(&res->rr[j], res->qtype,
						r->co.port, &ss, &sslen) == 0 &&
				    !add_addr(r, h, &ss, sslen))
					break;
		}
		if (h->naddrs == 0 && absent) {
			bool nx =
			    (h->res[0] && h->res[0]->outcome == DNS_NXDOMAIN) ||
			    (h->res[1] && h->res[1]->outcome == DNS_NXDOMAIN);

			result_add(h->node, MT_CRITICAL, "RFC 5321 5.1", NULL,
				   "%s has no %s address%s", h->name,
				   r->co.only4	 ? "IPv4"
				   : r->co.only6 ? "IPv6"
						 : "IPv4 or IPv6",
				   nx ? " (the name does not exist)" : "");
		}
	}
	if (r->addrs_capped)
		result_add(r->root, MT_WARNING, NULL, NULL,
			   "more than %d addresses; only the first %d checked",
			   MAX_ADDRS, MAX_ADDRS);
}

static void *
run_session(void *arg)
{
	struct addr *a = arg;

	smtp_session_run(&a->sess);
	return NULL;
}

static void
run_sessions(struct run *r)
{
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	for (size_t i = 0; i < r->naddrs; i++)
		r->addrs[i].started =
		    pthread_create(&r->addrs[i].thread, &attr, run_session,
				   &r->addrs[i]) == 0;
	pthread_attr_destroy(&attr);
	for (size_t i = 0; i < r->naddrs; i++) {
		if (r->addrs[i].started)
			pthread_join(r->addrs[i].thread, NULL);
		else
			smtp_session_run(&r->addrs[i].sess);
	}
}

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
	default:
		return "validation-failure";
	}
}

/* Judges one address; returns its remaining lifetime in seconds (or a
 * huge value when no certificate was seen). */
static double
judge_addr(struct run *r, struct addr *a, bool *lifetime_seen)
{
	struct smtp_session *s = &a->sess;
	struct node *n = a->node;
	const struct tls_cert *leaf = &s->peer.cert[0];
	char w[32], c[32], label[160], date[16];
	double remaining = 1e18;
	size_t first = 0;
	enum mt_state st;

	*lifetime_seen = false;
	if (s->log.p != NULL && r->co.verbose >= 2) {
		char *line = s->log.p, *nl;

		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			result_log(n, "%s", line);
			line = nl + 1;
		}
	}
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
	if (s->fail != SMTP_OK && !s->tls_done) {
		st = s->fail == SMTP_FAIL_TIMEOUT ? r->co.timeout_result
						  : MT_CRITICAL;
		result_add(n, st, s->rule, s->token, "%s", s->why);
	}
	if (s->overlong)
		result_add(n, MT_WARNING, "RFC 5321 4.5.3.1.5 (SMTP-04)", NULL,
			   "a reply line exceeds 512 octets");
	if (s->injected > 0)
		result_add(n, MT_WARNING, "RFC 3207 4.2 (SMTP-09)", NULL,
			   "%zu plaintext bytes after the 220 to STARTTLS "
			   "(discarded; possible command injection)",
			   s->injected);
	if (!s->tls_done)
		return remaining;

	result_fact(n, "tls_version", "%s", s->peer.version);
	result_fact(n, "cipher", "%s", s->peer.cipher);
	if (s->peer.version_num < r->po.min_tls)
		result_add(n, MT_CRITICAL, "RFC 8996; RFC 8461 7.2 (MXM-08)",
			   "validation-failure",
			   "%s negotiated, below the minimum TLSv%d.%d",
			   s->peer.version, r->po.min_tls / 10,
			   r->po.min_tls % 10);
	if (s->peer.ncerts == 0) {
		result_add(n, MT_CRITICAL, NULL, "validation-failure",
			   "the server sent no certificate");
	} else {
		/* Days to the first expiry anywhere in the chain as sent. */
		for (size_t i = 0; i < s->peer.ncerts; i++) {
			double left =
			    (double)(s->peer.cert[i].not_after - r->now);

			if (left < remaining) {
				remaining = left;
				first = i;
			}
		}
		*lifetime_seen = true;
		result_fact(n, "subject", "%s", leaf->subject);
		result_fact(n, "issuer", "%s", leaf->issuer);
		util_fmt_utc(date, sizeof(date), "%Y-%m-%d", leaf->not_after);
		result_fact(n, "not_after", "%s", date);
		result_fact(n, "key", "%s %u", leaf->key_alg, leaf->key_bits);
		result_fact(n, "signature", "%s", leaf->sig_alg);
		st = range_state(&r->warn, &r->crit, remaining / DAY);
		util_fmt_utc(date, sizeof(date), "%Y-%m-%d",
			     s->peer.cert[first].not_after);
		if (remaining < 0)
			result_add(n, MT_CRITICAL, NULL, "certificate-expired",
				   "%s '%.80s' expired on %s",
				   first ? "chain certificate" : "certificate",
				   s->peer.cert[first].subject, date);
		else
			result_add(n, st, NULL, NULL,
				   "%s '%.80s' expires in %.0f days (%s)",
				   first ? "chain certificate" : "certificate",
				   s->peer.cert[first].subject, remaining / DAY,
				   date);
		snprintf(label, sizeof(label), "%s_cert_remaining", n->name);
		result_perf(n, label, remaining, "s",
			    range_format(&r->warn, DAY, w, sizeof(w)),
			    range_format(&r->crit, DAY, c, sizeof(c)));
	}
	if (r->po.no_pkix)
		result_add(n, MT_OK, NULL, NULL,
			   "PKIX verdict skipped (--no-pkix)");
	else if (s->pkix != PKIX_OK)
		result_add(n, MT_CRITICAL, "RFC 9525; RFC 8461 4.2 (MXM-07)",
			   pkix_token(s->pkix), "certificate %s", s->pkix_why);
	if (s->t_tls >= 0) {
		snprintf(label, sizeof(label), "%s_handshake_time", n->name);
		result_perf(n, label, (double)s->t_tls / 1000.0, "s", NULL,
			    NULL);
	}
	if (s->fail != SMTP_OK)
		result_add(n,
			   s->fail == SMTP_FAIL_TIMEOUT ? r->co.timeout_result
							: MT_CRITICAL,
			   s->rule, s->token, "%s", s->why);
	if (s->readvertised)
		result_add(n, MT_WARNING, "RFC 3207 4.2 (SMTP-10)", NULL,
			   "STARTTLS advertised again after TLS");
	util_fmt_utc(date, sizeof(date), "%Y-%m-%d", leaf->not_after);
	result_text(n, "%s, %s, subject %.80s, issuer %.80s, expires %s",
		    s->peer.version, s->peer.cipher,
		    s->peer.ncerts ? leaf->subject : "-",
		    s->peer.ncerts ? leaf->issuer : "-",
		    s->peer.ncerts ? date : "-");
	return remaining;
}

/* Line 1 after "STATE - ". */
static void
summarize(struct run *r, enum mt_state worst, size_t ok, double min_left,
	  bool seen, struct buf *out)
{
	size_t named = 0;

	buf_printf(out, "%s: ", r->target);
	if (worst != MT_OK) {
		/* Name what failed, worst first: root findings, then
		 * hosts and addresses. */
		for (const struct finding *f = r->root->findings; f;
		     f = f->next)
			if (f->state == worst && named < 2) {
				buf_printf(out, "%s%s", named++ ? "; " : "",
					   f->text);
			}
		for (size_t i = 0; i < r->nhosts && named < 3; i++) {
			const struct node *h = r->hosts[i].node;

			if (h == NULL)
				continue;
			for (const struct finding *f = h->findings; f;
			     f = f->next)
				if (f->state == worst && named < 3)
					buf_printf(out, "%s%s: %s",
						   named++ ? "; " : "", h->name,
						   f->text);
			for (const struct node *a = h->children; a; a = a->next)
				for (const struct finding *f = a->findings; f;
				     f = f->next)
					if (f->state == worst && named < 3) {
						buf_printf(out, "%s%s[%s]: %s",
							   named++ ? "; " : "",
							   h->name, a->name,
							   f->text);
						break;
					}
		}
		if (named)
			buf_puts(out, "; ");
	}
	if (r->naddrs > 0)
		buf_printf(out, "%zu/%zu address%s of %zu host%s OK", ok,
			   r->naddrs, r->naddrs == 1 ? "" : "es", r->nhosts,
			   r->nhosts == 1 ? "" : "s");
	else
		buf_puts(out, "no address checked");
	if (seen)
		buf_printf(out, ", shortest certificate lifetime %.0f days",
			   min_left / DAY);
}

static int
finish(struct run *r)
{
	struct buf out, sum;
	enum mt_state worst;
	double min_left = 1e18;
	bool any_seen = false, seen;
	size_t ok = 0;
	char w[32], c[32];
	struct perf *p;

	for (size_t i = 0; i < r->naddrs; i++) {
		double left = judge_addr(r, &r->addrs[i], &seen);

		if (seen && left < min_left)
			min_left = left;
		any_seen |= seen;
	}
	worst = result_finish(r->root);
	for (size_t i = 0; i < r->naddrs; i++)
		ok += r->addrs[i].node->worst == MT_OK;
	/* Aggregates go first on line 1: the root's perfdata. */
	if (any_seen)
		result_perf(r->root, "cert_remaining", min_left, "s",
			    range_format(&r->warn, DAY, w, sizeof(w)),
			    range_format(&r->crit, DAY, c, sizeof(c)));
	p = result_perf(r->root, "addresses_ok", (double)ok, "", NULL, NULL);
	result_perf_minmax(p, true, 0, true, (double)r->naddrs);
	p = result_perf(r->root, "time", (double)deadline_elapsed_ms() / 1000.0,
			"s", NULL, NULL);
	result_perf_minmax(p, true, 0, false, 0);

	buf_init(&sum);
	summarize(r, worst, ok, min_left, any_seen, &sum);
	buf_init(&out);
	output_render(r->root, LABEL, sum.p, r->co.format, r->co.verbose, &out);
	fputs(out.p, stdout);
	fflush(stdout);
	buf_free(&out);
	buf_free(&sum);
	return (int)worst;
}

int
main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	char err[256];
	int code;

	util_set_label(LABEL);
	r->po.min_tls = 12;
	if (opts_parse(&desc, argc, argv, &r->co, handle_opt, &r->po, &code) !=
	    OPTS_OK)
		return code;
	if ((r->co.domain == NULL) == (r->co.hostname == NULL))
		return opts_fail(&desc, "give exactly one of -H HOST and "
					"-D DOMAIN");
	r->target = r->co.domain ? r->co.domain : r->co.hostname;
	if (r->po.address != NULL) {
		struct sockaddr_in *in = (struct sockaddr_in *)&r->po.addr_ss;
		struct sockaddr_in6 *in6 =
		    (struct sockaddr_in6 *)&r->po.addr_ss;

		if (r->co.hostname == NULL)
			return opts_fail(&desc, "--address goes with -H HOST");
		if ((r->co.only4 && in->sin_family != AF_INET) ||
		    (r->co.only6 && in->sin_family != AF_INET6))
			return opts_fail(&desc,
					 "--address %s is not of the "
					 "family -4/-6 asks for",
					 r->po.address);
		if (in->sin_family == AF_INET)
			in->sin_port = htons((uint16_t)r->co.port);
		else
			in6->sin6_port = htons((uint16_t)r->co.port);
	}
	if (strlen(r->target) >= DNS_NAME_MAX - 1)
		return opts_fail(&desc, "name too long");
	if (range_parse(r->co.warning ? r->co.warning : "28", RANGE_LOW_IS_BAD,
			&r->warn, &(const char *){NULL}) < 0)
		return opts_fail(&desc, "-w: not a Nagios range: %.60s",
				 r->co.warning);
	if (range_parse(r->co.critical ? r->co.critical : "14",
			RANGE_LOW_IS_BAD, &r->crit, &(const char *){NULL}) < 0)
		return opts_fail(&desc, "-c: not a Nagios range: %.60s",
				 r->co.critical);

	deadline_start((int64_t)r->co.timeout_s * 1000);
	arm_watchdog(&r->co);
	/* A peer that drops the connection must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	r->now = clock_wall();
	default_helo(r);

	r->tls = tls_ctx_new(r->co.cafile, !r->po.no_pkix, err, sizeof(err));
	if (r->tls == NULL) {
		printf("%s UNKNOWN - %s\n", LABEL, err);
		return MT_UNKNOWN;
	}
	r->dns = dns_ctx_new(r->co.resolvers, r->co.nresolvers,
			     r->co.trust_anchor, err, sizeof(err));
	if (r->dns == NULL) {
		printf("%s UNKNOWN - %s\n", LABEL, err);
		tls_ctx_free(r->tls);
		return MT_UNKNOWN;
	}
	r->root = result_new(NODE_CHECK, r->target);

	/* Asked beside the run's lookups: if they fail, its answer tells
	 * our resolver's fault (UNKNOWN) from the target's (CRITICAL). */
	dns_probe_submit(r->dns);
	if (r->co.domain != NULL) {
		dns_submit(r->dns, r->co.domain, DNS_T_MX, on_mx, r);
		dns_wait(r->dns);
		process_mx(r);
		for (size_t i = 0; i < r->nhosts; i++)
			submit_addrs(r, &r->hosts[i]);
	} else {
		add_host(r, r->co.hostname, 0);
		if (r->po.address == NULL)
			submit_addrs(r, &r->hosts[0]);
	}
	dns_wait(r->dns);
	collect_addrs(r);

	run_sessions(r);
	code = finish(r);

	for (size_t i = 0; i < r->naddrs; i++)
		smtp_session_free(&r->addrs[i].sess);
	for (size_t i = 0; i < r->nhosts; i++) {
		dns_result_free(r->hosts[i].res[0]);
		dns_result_free(r->hosts[i].res[1]);
	}
	dns_result_free(r->mx);
	result_free(r->root);
	dns_ctx_free(r->dns);
	tls_ctx_free(r->tls);
	return code;
}
