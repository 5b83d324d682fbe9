/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_mta_sts: is the MTA-STS of a domain (RFC 8461) in working order,
 * as a sending MTA sees it, and does its policy still cover the MX hosts
 * actually published?
 *
 * 1. the _mta-sts TXT record, CNAMEs followed (CONFORMANCE STS-01..13);
 * 2. the policy fetched from https://mta-sts.DOMAIN/.well-known/mta-sts.txt
 *    exactly as a sender does: our resolver's addresses, SNI, PKIX for the
 *    policy host, 200 only, no redirects, text/plain, 64 KiB (STP-01..09);
 * 3. the policy body (STB-01..12), mode and max_age;
 * 4. drift both ways between the mx patterns and the MX RRset (MXM-01..06);
 * 5. with --check-mx, every address of every MX as an MTA-STS sender
 *    demands it: STARTTLS, TLS 1.2+, PKIX for the MX name (MXM-07, 08);
 * 6. with --state-file, a policy that changed under an unchanged id (STS-14,
 *    STS-34: the parsed policy, not its bytes).
 * Lookups, the fetch and the SMTP sessions share one deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deadline.h"
#include "dns.h"
#include "https.h"
#include "mtasts.h"
#include "mx.h"
#include "net.h"
#include "options.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "tls.h"
#include "txtrec.h"
#include "util.h"

#define LABEL "MTA-STS"
#define DAY 86400.0
#define POLICY_PATH "/.well-known/mta-sts.txt"
#define POLICY_CAP 65536 /* STP-08: senders read at most 64 KiB */
#define POLICY_SHOWN 40	 /* policy lines in the long output */
#define HOST_ADDRS 16

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

enum txt_status {
	TXT_NONE,    /* lookup failed */
	TXT_ABSENT,  /* NXDOMAIN, NODATA, or no STS record among the TXT */
	TXT_INVALID, /* one STS record, invalid; or more than one */
	TXT_OK,	     /* valid, perhaps with remarks */
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct range warn, crit;   /* max_age, seconds */
	struct range cwarn, ccrit; /* certificate lifetime, days */
	struct range fwarn, fcrit; /* fetch time, seconds */
	struct pctx p;
	struct tls_ctx *tls;
	char domain[DNS_NAME_MAX];
	char policy_host[DNS_NAME_MAX + 8];
	struct mx_set m;
	char helo[256];
	time_t now;

	struct dns_result *txt;
	struct dns_result *phost[2]; /* A, AAAA of the policy host */
	enum txt_status txt_status;
	char id[33];

	struct node *txt_node, *policy_node;
	bool fetched; /* a body arrived with status 200 */
	bool policy_ok;
	struct https_result http;
	/* STS-32: the policy fetched again from each other address of the
	 * policy host (a sender picks any) */
	struct https_result alt[HOST_ADDRS];
	size_t nalt;
	struct mtasts_policy pol;
	unsigned char sha256[32];
	bool cert_seen;
	double cert_left;
	size_t uncovered, covered;
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

static void
judge_txt(struct run *r, const char *rec, size_t len)
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
process_txt(struct run *r)
{
	struct dns_result *res = r->txt;
	struct txt_pick t;

	r->txt_node = result_child(r->p.root, NODE_RECORD, res->qname);
	plugin_log_dns(&r->p, r->txt_node, res);
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
		plugin_dns_failure(&r->p, r->txt_node, res, "TXT");
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
		if (t.nwsp > 0) {
			char a[120], b[120];

			/* Senders split: literal-prefix ones see one record,
			 * *WSP parsers (mox) two and no MTA-STS. */
			text_sanitize(a, sizeof(a), t.rec[t.exact],
				      t.len[t.exact], 80);
			text_sanitize(b, sizeof(b), t.rec[t.wsp], t.len[t.wsp],
				      80);
			result_add(r->txt_node, MT_WARNING,
				   "RFC 8461 3.1 (STS-30)", NULL,
				   "STS-30: \"%s\" and \"%s\"%s: senders that "
				   "allow "
				   "blanks before ';' (mox) see %zu MTA-STS "
				   "records and no MTA-STS; others see only "
				   "the first",
				   a, b, t.nwsp > 1 ? " and more" : "",
				   1 + t.nwsp);
		}
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
judge_policy_cert(struct run *r)
{
	struct node *n = r->policy_node;
	const struct tls_peer *peer = &r->http.peer;
	char date[16];
	size_t first;

	if (!r->http.tls_done || peer->ncerts == 0)
		return;
	/* The path a sender builds, not every certificate sent (PKIX-01). */
	r->cert_left = tls_peer_path_left(peer, r->now, &first);
	r->cert_seen = true;
	util_fmt_utc(date, sizeof(date), "%Y-%m-%d",
		     peer->cert[first].not_after);
	result_fact(n, "subject", "%s", peer->cert[0].subject);
	result_fact(n, "issuer", "%s", peer->cert[0].issuer);
	result_fact(n, "tls_version", "%s", peer->version);
	if (r->cert_left >= 0)
		result_add(
		    n, range_state(&r->cwarn, &r->ccrit, r->cert_left / DAY),
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
fetch_policy(struct run *r)
{
	const char *addrs[HOST_ADDRS];
	char text[HOST_ADDRS][NET_ADDR_MAX];
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
		plugin_log_dns(&r->p, n, res);
		if (res->outcome == DNS_NXDOMAIN) {
			nx = true;
			continue;
		}
		if (res->outcome == DNS_NODATA)
			continue;
		if (res->outcome != DNS_ANSWER) {
			failed = true;
			plugin_dns_failure(&r->p, n, res,
					   dns_type_name(res->qtype));
			continue;
		}
		for (size_t i = 0; i < res->n && naddrs < HOST_ADDRS; i++) {
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
				   r->co.only4	 ? "IPv4"
				   : r->co.only6 ? "IPv6"
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
			  r->tls, r->now, POLICY_CAP, &r->alt[i]);
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
		result_add(n, r->co.timeout_result, "RFC 8461 3.3 (STP-08)",
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
			   POLICY_CAP);
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
		enum mt_state st = range_state(&r->fwarn, &r->fcrit, h->time_s);

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
judge_other_addrs(struct run *r)
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
			double left = tls_peer_path_left(&h->peer, r->now,
							 &first);

			if (left < r->cert_left)
				r->cert_left = left;
			if (left >= 0 &&
			    range_state(&r->cwarn, &r->ccrit, left / DAY) !=
				MT_OK)
				result_add(
				    n,
				    range_state(&r->cwarn, &r->ccrit,
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
			result_add(n, r->co.timeout_result,
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
show_policy(struct run *r, struct node *n)
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
judge_policy(struct run *r)
{
	struct mtasts_policy *pol = &r->pol;
	struct node *n;
	enum mt_state st;
	char w[32], c[32];

	n = result_child(r->policy_node, NODE_RECORD, "policy");
	show_policy(r, n);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, r->http.body, r->http.len,
			 r->sha256);
	if (mtasts_policy_parse(r->http.body, r->http.len, pol) ==
	    MTASTS_INVALID) {
		result_add(n, MT_CRITICAL, NULL, "sts-policy-invalid", "%s",
			   pol->why);
		return;
	}
	r->policy_ok = true;
	result_fact(r->p.root, "mode", "%s", mtasts_mode_name(pol->mode));
	for (size_t i = 0; i < pol->notes.n; i++)
		result_add(n, MT_WARNING, NULL, NULL, "%s", pol->notes.text[i]);
	result_text(n, "mode %s, max_age %lld, %zu mx pattern%s",
		    mtasts_mode_name(pol->mode), pol->max_age, pol->nmx,
		    pol->nmx == 1 ? "" : "s");
	switch (pol->mode) {
	case MTASTS_MODE_TESTING:
		if (r->po.allow_testing)
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
	else if ((st = range_state(&r->warn, r->co.critical ? &r->crit : NULL,
				   (double)pol->max_age)) != MT_OK)
		result_add(n, st, "RFC 8461 3.2 (STB-05)", NULL,
			   "max_age %lld s is outside %s (weeks or more "
			   "suggested)",
			   pol->max_age,
			   st == MT_CRITICAL
			       ? range_format(&r->crit, 1, c, sizeof(c))
			       : range_format(&r->warn, 1, w, sizeof(w)));
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
judge_drift(struct run *r)
{
	const struct mtasts_policy *pol = &r->pol;
	enum mt_state miss;

	if (!r->policy_ok || r->m.kind == MX_UNSET ||
	    r->m.kind == MX_NXDOMAIN || r->m.kind == MX_NULL)
		return;
	miss = pol->mode == MTASTS_MODE_ENFORCE	  ? MT_CRITICAL
	       : pol->mode == MTASTS_MODE_TESTING ? MT_WARNING
						  : MT_OK;
	for (size_t i = 0; i < r->m.nhosts; i++) {
		struct mx_host *h = &r->m.hosts[i];
		const char *by = NULL;

		for (size_t k = 0; k < pol->nmx && by == NULL; k++)
			if (mtasts_mx_match(pol->mx[k], h->name))
				by = pol->mx[k];
		if (by != NULL) {
			r->covered++;
			result_text(h->node, "MX %u, covered by mx: %s",
				    h->pref, by);
			continue;
		}
		r->uncovered++;
		result_text(h->node, "MX %u, not covered", h->pref);
		if (pol->mode == MTASTS_MODE_NONE)
			continue;
		result_add(h->node, miss, "RFC 8461 4.1 (MXM-02)",
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

		for (size_t i = 0; i < r->m.nhosts && !used; i++)
			used = mtasts_mx_match(pol->mx[k], r->m.hosts[i].name);
		if (!used && !mx_is_ip(pol->mx[k]))
			result_add(r->p.root, MT_WARNING,
				   "RFC 8461 4.1 (MXM-03)", NULL,
				   "mx pattern %s matches no published MX "
				   "host (stale)",
				   pol->mx[k]);
	}
}

/* ------------------------------------------------------------ state */


static void
hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

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
use_state(struct run *r)
{
	struct mtasts_state old, now;
	unsigned char digest[32];
	struct node *n;
	struct buf canon;
	char why[256], date[32];
	int got;
	bool write_it = true;

	if (r->po.state_file == NULL || !r->policy_ok ||
	    r->txt_status != TXT_OK)
		return;
	n = result_child(r->p.root, NODE_RECORD, "state");
	memset(&now, 0, sizeof(now));
	now.format = 2;
	util_strlcpy(now.domain, r->domain, sizeof(now.domain));
	util_strlcpy(now.id, r->id, sizeof(now.id));
	buf_init(&canon);
	mtasts_policy_canonical(&r->pol, &canon);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, canon.p, canon.len, digest);
	buf_free(&canon);
	hex(digest, sizeof(digest), now.sha256);
	now.since = (long long)r->now;
	got = state_read(r->po.state_file, &old, why, sizeof(why));
	if (got > 0)
		util_fmt_utc(date, sizeof(date), "%Y-%m-%d %H:%M UTC",
			     (time_t)old.since);
	if (got == 0) {
		result_text(n, "%s: first run, id %s and policy remembered",
			    r->po.state_file, r->id);
	} else if (got < 0) {
		result_text(n, "%s unreadable (%s): starting afresh",
			    r->po.state_file, why);
	} else if (old.format < 2) {
		result_text(n,
			    "%s is of the old format (a hash of the raw body, "
			    "no domain): starting afresh",
			    r->po.state_file);
	} else if (util_strcasecmp(old.domain, now.domain) != 0) {
		result_text(n,
			    "%s was written for %s, not %s: ignored and left "
			    "as it is (STS-34)",
			    r->po.state_file, old.domain, now.domain);
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
		   (long long)r->now - old.since >= r->pol.max_age) {
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
	    state_write(r->po.state_file, &now, why, sizeof(why)) < 0)
		result_add(n, MT_WARNING, NULL, NULL,
			   "state file not written: %s", why);
}

/* ------------------------------------------------------------ output */

static void
judge_mx_addrs(struct run *r, double *min_left, bool *seen)
{
	struct mx_judge j = {
	    .warn = &r->cwarn,
	    .crit = &r->ccrit,
	    .min_tls = 12,
	    .no_pkix = false,
	    .fail = MT_CRITICAL,
	    .pkix_rule = "RFC 8461 4.2 (MXM-07)",
	    .now = r->now,
	};
	bool s;

	if (r->policy_ok && r->pol.mode != MTASTS_MODE_ENFORCE)
		j.fail = MT_WARNING;
	*seen = false;
	*min_left = 1e18;
	for (size_t i = 0; i < r->m.naddrs; i++) {
		double left = mx_judge_addr(&r->m, &r->m.addrs[i], &j, &s);

		if (s && left < *min_left)
			*min_left = left;
		*seen |= s;
	}
}

/* Line 1 after "STATE - ": the worst findings first, then the facts. */
static void
summarize(struct run *r, enum mt_state worst, struct buf *out)
{
	buf_printf(out, "%s: ", r->domain);
	if (worst != MT_OK)
		output_name_worst(r->p.root, worst, 3, out);
	if (r->policy_ok) {
		buf_printf(out, "%s", mtasts_mode_name(r->pol.mode));
		if ((r->m.kind == MX_LIST || r->m.kind == MX_IMPLICIT) &&
		    r->pol.mode != MTASTS_MODE_NONE)
			buf_printf(out, ", %zu/%zu MX covered", r->covered,
				   r->m.nhosts);
		buf_printf(out, ", max_age %llds", r->pol.max_age);
	} else if (r->fetched) {
		buf_puts(out, "policy invalid");
	} else {
		buf_puts(out, "no policy");
	}
	if (r->id[0] != '\0')
		buf_printf(out, ", id %s", r->id);
	if (r->po.check_mx && r->m.naddrs > 0) {
		size_t ok, n = mx_sessions(&r->m, &ok);

		buf_printf(out, ", %zu/%zu MX %s OK", ok, n,
			   r->po.all_certs ? (n == 1 ? "certificate"
						     : "certificates")
			   : n == 1	   ? "address"
					   : "addresses");
	}
}

static int
finish(struct run *r)
{
	struct node *root = r->p.root;
	struct buf sum;
	int code;
	enum mt_state worst;
	char w[32], c[32];
	double mx_left;
	bool mx_seen;
	struct perf *p;

	judge_mx_addrs(r, &mx_left, &mx_seen);
	worst = result_finish(root);
	if (r->policy_ok) {
		p = result_perf(root, "max_age", (double)r->pol.max_age, "s",
				range_format(&r->warn, 1, w, sizeof(w)),
				r->co.critical
				    ? range_format(&r->crit, 1, c, sizeof(c))
				    : NULL);
		result_perf_minmax(p, true, 0, true, MTASTS_MAX_AGE_MAX);
		p = result_perf(root, "mx_patterns", (double)r->pol.nmx, "",
				NULL, NULL);
		result_perf_minmax(p, true, 0, false, 0);
	}
	if (r->m.kind == MX_LIST || r->m.kind == MX_IMPLICIT) {
		p = result_perf(root, "mx_hosts", (double)r->m.nhosts, "", NULL,
				NULL);
		result_perf_minmax(p, true, 0, false, 0);
		if (r->policy_ok) {
			/* mx_covered: INTERFACE.md's example line. */
			p = result_perf(root, "mx_covered", (double)r->covered,
					"", NULL, NULL);
			result_perf_minmax(p, true, 0, true,
					   (double)r->m.nhosts);
			p = result_perf(root, "mx_uncovered",
					(double)r->uncovered, "", NULL, NULL);
			result_perf_minmax(p, true, 0, true,
					   (double)r->m.nhosts);
		}
	}
	if (r->fetched) {
		p = result_perf(root, "policy_bytes", (double)r->http.len, "B",
				NULL, NULL);
		result_perf_minmax(p, true, 0, true, POLICY_CAP);
		p = result_perf(root, "policy_fetch_time", r->http.time_s, "s",
				r->fwarn.text, r->fcrit.text);
		result_perf_minmax(p, true, 0, false, 0);
	}
	if (r->cert_seen)
		result_perf(root, "policy_cert_remaining", r->cert_left, "s",
			    range_format(&r->cwarn, DAY, w, sizeof(w)),
			    range_format(&r->ccrit, DAY, c, sizeof(c)));
	if (mx_seen)
		result_perf(root, "mx_cert_remaining", mx_left, "s",
			    range_format(&r->cwarn, DAY, w, sizeof(w)),
			    range_format(&r->ccrit, DAY, c, sizeof(c)));

	buf_init(&sum);
	summarize(r, worst, &sum);
	code = plugin_print(&r->p, LABEL, sum.p);
	buf_free(&sum);
	return code;
}

/* ------------------------------------------------------------ main */

static int
parse_ranges(struct run *r)
{
	struct {
		const char *arg, *def, *name;
		int flags;
		struct range *out;
	} t[] = {
	    {r->co.warning, "86400", "-w", RANGE_LOW_IS_BAD, &r->warn},
	    {r->co.critical, NULL, "-c", RANGE_LOW_IS_BAD, &r->crit},
	    {r->po.cert_warning, "28", "--cert-warning", RANGE_LOW_IS_BAD,
	     &r->cwarn},
	    {r->po.cert_critical, "14", "--cert-critical", RANGE_LOW_IS_BAD,
	     &r->ccrit},
	    {r->po.fetch_warning, "2", "--fetch-warning", RANGE_DEFAULT,
	     &r->fwarn},
	    {r->po.fetch_critical, "5", "--fetch-critical", RANGE_DEFAULT,
	     &r->fcrit},
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
	struct mx_conn conn;
	char qname[DNS_NAME_MAX + 16];
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
	snprintf(r->policy_host, sizeof(r->policy_host), "mta-sts.%.240s",
		 r->domain);
	snprintf(qname, sizeof(qname), "_mta-sts.%.240s", r->domain);

	if (plugin_open(&r->p, LABEL, &r->co, r->co.cafile, true, &r->tls,
			r->domain) != 0)
		return MT_UNKNOWN;
	r->now = clock_wall();
	plugin_default_helo(r->po.helo, r->helo, sizeof(r->helo));
	mx_init(&r->m, &r->p, r->domain);
	conn = (struct mx_conn){
	    .helo = r->helo, .tls = r->tls, .now = r->now, .pkix = true,
	    .all_certs = r->po.all_certs};

	/* Everything DNS at once: the record, the MX RRset, the policy
	 * host's addresses, and the resolver probe. */
	dns_probe_submit(r->p.dns);
	dns_submit(r->p.dns, qname, DNS_T_TXT, dns_keep, &r->txt);
	mx_submit(&r->m);
	if (!r->co.only6)
		dns_submit(r->p.dns, r->policy_host, DNS_T_A, dns_keep_addr,
			   r->phost);
	if (!r->co.only4)
		dns_submit(r->p.dns, r->policy_host, DNS_T_AAAA, dns_keep_addr,
			   r->phost);
	dns_wait(r->p.dns);
	process_txt(r);
	/* The policy host's node before the MX hosts' in the long output. */
	r->policy_node = result_child(r->p.root, NODE_HOST, r->policy_host);
	mx_process(&r->m);
	mx_submit_addrs(&r->m);
	dns_wait(r->p.dns);
	mx_collect(&r->m, r->po.check_mx ? &conn : NULL);

	/* The SMTP sessions run while the policy is fetched. */
	mx_connect_start(&r->m);
	fetch_policy(r);
	mx_connect_join(&r->m);
	if (r->fetched) {
		judge_policy(r);
		judge_other_addrs(r);
	}
	judge_drift(r);
	use_state(r);
	code = finish(r);

	https_result_free(&r->http);
	for (size_t i = 0; i < r->nalt; i++)
		https_result_free(&r->alt[i]);
	mx_free(&r->m);
	dns_result_free(r->txt);
	dns_result_free(r->phost[0]);
	dns_result_free(r->phost[1]);
	plugin_close(&r->p, r->tls);
	return code;
}
