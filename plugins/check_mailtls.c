/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_mailtls: a whole mail domain in one run (CONFORMANCE section 12).
 * One MX lookup and one SMTP session per MX address (CON-01, CON-02) serve
 * every mechanism: STARTTLS (common/starttls.c), MTA-STS (common/sts.c,
 * the hosts its policy covers judged as MTA-STS senders judge them), DANE
 * (common/tlsa.c) and the TLSRPT record (common/rptrec.c), each judged in
 * full in a subtree of its own as its own plugin judges it (CON-05). Then
 * what the domain must publish (CON-06) and whether the mechanisms agree
 * (CON-04), in a "consistency" subtree. Failures carry the RFC 8460 result
 * type a sender would report (CON-03).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "dns.h"
#include "mech.h"
#include "mx.h"
#include "options.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "rptrec.h"
#include "starttls.h"
#include "sts.h"
#include "tlsa.h"
#include "util.h"

#define LABEL "MAILTLS"

enum mechanism { M_STARTTLS, M_STS, M_DANE, M_TLSRPT, M_COUNT };

static const char *const mech_names[M_COUNT] = {"starttls", "mta-sts",
						"dane", "tlsrpt"};
/* Perfdata labels of a mechanism that clash with another's get this
 * prefix (INTERFACE.md); STARTTLS keeps its labels. */
static const char *const mech_prefix[M_COUNT] = {"", "sts_", "dane_",
						 "tlsrpt_"};

enum {
	OPT_MIN_TLS = OPT_PLUGIN,
	OPT_HELO,
	OPT_ALL_CERTS,
	OPT_ALLOW_TESTING,
	OPT_STATE_FILE,
	OPT_CERT_WARNING,
	OPT_CERT_CRITICAL,
	OPT_MAX_AGE_WARNING,
	OPT_MAX_AGE_CRITICAL,
	OPT_FETCH_WARNING,
	OPT_FETCH_CRITICAL,
	OPT_ROLLOVER,
	OPT_EE_EXPIRY,
	OPT_NO_CHECK_RUA,
	OPT_REQUIRE,
	OPT_SKIP,
};

static const struct opt_def options[] = {
    {OPT_DOMAIN, "domain", 'D', "DOMAIN",
     "the mail domain: its MX hosts, MTA-STS, DANE and TLSRPT"},
    OPTDEF_PORT,
    OPTDEF_IPV4,
    OPTDEF_IPV6,
    {OPT_WARNING, "warning", 'w', "DAYS",
     "warn when a certificate of an MX host's verified path (or of\n"
     "a DANE-TA path) expires in fewer than DAYS days (Nagios range;\n"
     "a bare N means N:, default 28)"},
    {OPT_CRITICAL, "critical", 'c', "DAYS",
     "critical below DAYS days (default 14)"},
    {OPT_CERT_WARNING, "cert-warning", 0, "DAYS",
     "the same for the MTA-STS policy host's certificate and MX hosts\n"
     "judged under MTA-STS (default: -w)"},
    {OPT_CERT_CRITICAL, "cert-critical", 0, "DAYS",
     "the same, critical (default: -c)"},
    {OPT_MAX_AGE_WARNING, "max-age-warning", 0, "SECONDS",
     "warn when the MTA-STS policy's max_age is below SECONDS\n"
     "(check_mta_sts -w; default 86400)"},
    {OPT_MAX_AGE_CRITICAL, "max-age-critical", 0, "SECONDS",
     "critical when max_age is below SECONDS (check_mta_sts -c;\n"
     "default none)"},
    {OPT_FETCH_WARNING, "fetch-warning", 0, "SECONDS",
     "warn when fetching the MTA-STS policy takes longer (default 2)"},
    {OPT_FETCH_CRITICAL, "fetch-critical", 0, "SECONDS",
     "critical when it takes longer than SECONDS (default 5)"},
    {OPT_MIN_TLS, "min-tls", 0, "VERSION",
     "lowest acceptable TLS version for STARTTLS: 1.0, 1.1, 1.2\n"
     "(default) or 1.3"},
    {OPT_ALLOW_TESTING, "allow-testing", 0, NULL,
     "MTA-STS mode testing is OK, not WARNING"},
    {OPT_STATE_FILE, "state-file", 0, "FILE",
     "remember the MTA-STS policy id and policy (check_mta_sts)"},
    {OPT_ROLLOVER, "rollover", 0, NULL,
     "warn about DANE rollover hazards (check_tlsa)"},
    {OPT_EE_EXPIRY, "ee-expiry", 0, NULL,
     "apply -w/-c to DANE-EE leaves too"},
    {OPT_NO_CHECK_RUA, "no-check-rua", 0, NULL,
     "the TLSRPT record only: no lookups of its destinations"},
    {OPT_ALL_CERTS, "all-certs", 0, NULL,
     "one session per key type per address (ECDSA and RSA), each\n"
     "certificate judged by every mechanism"},
    {OPT_HELO, "helo", 0, "NAME",
     "name to send with EHLO (default: this machine's FQDN, or the\n"
     "address literal of our end of the connection)"},
    {OPT_REQUIRE, "require", 0, "MECH",
     "mta-sts, dane or tlsrpt must be published: its absence is\n"
     "CRITICAL (repeatable; CON-06)"},
    {OPT_SKIP, "skip", 0, "MECH",
     "leave starttls, mta-sts, dane or tlsrpt out entirely\n"
     "(repeatable)"},
    OPTDEF_TAIL,
};

static const char *const examples[] = {
    "check_mailtls -D example.com",
    "check_mailtls -D example.com --require dane --state-file "
    "/var/lib/mailtls/example.com.sts",
    "check_mailtls -D example.com --skip tlsrpt -w 21 -c 7",
    NULL,
};

static const struct plugin_desc desc = {
    .prog = "check_mailtls",
    .label = LABEL,
    .purpose =
	"Checks a whole mail domain in one run: one MX lookup and one SMTP\n"
	"session per MX address serve every verdict. STARTTLS on every "
	"address;\nMTA-STS (record, policy from every address of its host, "
	"drift, the MX\nhosts it covers judged as its senders judge them); "
	"DANE (DNSSEC, TLSA,\nevery address matched); the TLSRPT record and "
	"its destinations. Then\nwhat the domain must publish (MTA-STS in "
	"enforce mode or DANE on every\nMX host) and whether the mechanisms "
	"agree.",
    .usage = "-D DOMAIN [--require MECH] [--skip MECH] [options]",
    .thresholds = "  -w and -c measure the days until the first certificate "
		  "of an MX host's\n  verified path (or DANE-TA path) expires; "
		  "--cert-warning and --cert-critical\n  the same under "
		  "MTA-STS; --max-age-warning and --max-age-critical the\n"
		  "  policy's max_age. Perfdata carries them in seconds.",
    .opts = options,
    .examples = examples,
};

struct plugin_opts {
	int min_tls;
	bool all_certs, allow_testing, rollover, ee_expiry, no_check_rua;
	const char *helo, *state_file;
	const char *cert_warning, *cert_critical;
	const char *max_age_warning, *max_age_critical;
	const char *fetch_warning, *fetch_critical;
	bool require[M_COUNT], skip[M_COUNT];
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct starttls_opts so;
	struct sts_opts sto;
	struct tlsa_opts to;
	struct rptrec_opts ro;
	struct pctx p;
	struct tls_ctx *tls;
	char domain[DNS_NAME_MAX];
	char helo[256];
	time_t now;
	struct mx_set m;
	struct node *node[M_COUNT]; /* each mechanism's subtree */
	struct node *cons;	    /* the consistency subtree */
	struct mech c[M_COUNT];
	bool published[M_COUNT];
	bool adopted; /* node[] and cons belong to the tree */
	struct starttls st;
	struct sts sts;
	struct tlsa tlsa;
	struct rptrec rr;
};

static int
mech_by_name(const char *s)
{
	for (int i = 0; i < M_COUNT; i++)
		if (util_strcasecmp(s, mech_names[i]) == 0)
			return i;
	return -1;
}

static int
handle_opt(void *ctx, int id, const char *arg, const char **why)
{
	struct plugin_opts *po = ctx;
	int k;

	switch (id) {
	case OPT_MIN_TLS:
		if ((po->min_tls = tls_version_parse(arg)) < 0) {
			*why = "--min-tls must be 1.0, 1.1, 1.2 or 1.3";
			return -1;
		}
		return 0;
	case OPT_HELO:
		return plugin_opt_helo(arg, &po->helo, why);
	case OPT_ALL_CERTS:
		po->all_certs = true;
		return 0;
	case OPT_ALLOW_TESTING:
		po->allow_testing = true;
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
	case OPT_MAX_AGE_WARNING:
		po->max_age_warning = arg;
		return 0;
	case OPT_MAX_AGE_CRITICAL:
		po->max_age_critical = arg;
		return 0;
	case OPT_FETCH_WARNING:
		po->fetch_warning = arg;
		return 0;
	case OPT_FETCH_CRITICAL:
		po->fetch_critical = arg;
		return 0;
	case OPT_ROLLOVER:
		po->rollover = true;
		return 0;
	case OPT_EE_EXPIRY:
		po->ee_expiry = true;
		return 0;
	case OPT_NO_CHECK_RUA:
		po->no_check_rua = true;
		return 0;
	case OPT_REQUIRE:
		k = mech_by_name(arg);
		if (k < 0 || k == M_STARTTLS) {
			*why = "--require takes mta-sts, dane or tlsrpt "
			       "(STARTTLS is always required)";
			return -1;
		}
		po->require[k] = true;
		return 0;
	case OPT_SKIP:
		if ((k = mech_by_name(arg)) < 0) {
			*why = "--skip takes starttls, mta-sts, dane or tlsrpt";
			return -1;
		}
		po->skip[k] = true;
		return 0;
	}
	*why = "unknown option";
	return -1;
}

static int
parse_ranges(struct run *r)
{
	const char *w = r->co.warning ? r->co.warning : "28";
	const char *c = r->co.critical ? r->co.critical : "14";
	struct {
		const char *arg, *name;
		int flags;
		struct range *out;
	} t[] = {
	    {w, "-w", RANGE_LOW_IS_BAD, &r->so.warn},
	    {c, "-c", RANGE_LOW_IS_BAD, &r->so.crit},
	    {w, "-w", RANGE_LOW_IS_BAD, &r->to.warn},
	    {c, "-c", RANGE_LOW_IS_BAD, &r->to.crit},
	    {r->po.cert_warning ? r->po.cert_warning : w, "--cert-warning",
	     RANGE_LOW_IS_BAD, &r->sto.cwarn},
	    {r->po.cert_critical ? r->po.cert_critical : c, "--cert-critical",
	     RANGE_LOW_IS_BAD, &r->sto.ccrit},
	    {r->po.max_age_warning ? r->po.max_age_warning : "86400",
	     "--max-age-warning", RANGE_LOW_IS_BAD, &r->sto.warn},
	    {r->po.max_age_critical, "--max-age-critical", RANGE_LOW_IS_BAD,
	     &r->sto.crit},
	    {r->po.fetch_warning ? r->po.fetch_warning : "2",
	     "--fetch-warning", RANGE_DEFAULT, &r->sto.fwarn},
	    {r->po.fetch_critical ? r->po.fetch_critical : "5",
	     "--fetch-critical", RANGE_DEFAULT, &r->sto.fcrit},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *why = NULL;

		if (t[i].arg == NULL)
			continue; /* --max-age-critical: no default */
		if (range_parse(t[i].arg, t[i].flags, t[i].out, &why) < 0)
			return opts_fail(&desc, "%s: not a Nagios range: %.60s",
					 t[i].name, t[i].arg);
	}
	r->sto.crit_set = r->po.max_age_critical != NULL;
	/* RPT: the default (warn when any destination cannot receive,
	 * critical when none can) */
	range_parse("1", RANGE_LOW_IS_BAD, &r->ro.crit, &(const char *){NULL});
	return 0;
}

/* The first result type among the findings of n's subtree in state st. */
static const char *
first_token(const struct node *n, enum mt_state st)
{
	const char *t;

	for (const struct finding *f = n->findings; f != NULL; f = f->next)
		if (f->state == st && f->token != NULL)
			return f->token;
	for (const struct node *c = n->children; c != NULL; c = c->next)
		if ((t = first_token(c, st)) != NULL)
			return t;
	return NULL;
}

/* The host node named name under n (a mechanism's subtree), or NULL. */
static const struct node *
host_under(const struct node *n, const char *name)
{
	for (const struct node *c = n->children; c != NULL; c = c->next)
		if (c->kind == NODE_HOST && util_strcasecmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Does DANE protect every MX host (secure, usable TLSA; CON-06)? */
static bool
dane_everywhere(const struct run *r)
{
	if (!r->published[M_DANE] || r->m.nhosts == 0)
		return false;
	for (size_t i = 0; i < r->m.nhosts; i++)
		if (!tlsa_applies(&r->tlsa, &r->m.hosts[i]) ||
		    r->tlsa.hx[i].set.nusable == 0)
			return false;
	return true;
}

/* CON-04, CON-06: what the domain publishes, and whether it agrees. */
static void
judge_domain(struct run *r)
{
	struct node *n = r->cons;
	bool sts_on = r->published[M_STS] && r->sts.policy_ok;
	bool enforce = sts_on && r->sts.pol.mode == MTASTS_MODE_ENFORCE;
	bool testing = sts_on && r->sts.pol.mode == MTASTS_MODE_TESTING;
	bool dane_all = dane_everywhere(r);
	bool dane_any = r->published[M_DANE];
	/* nothing to protect where no mail goes (null MX, no domain) */
	bool protect_judged =
	    (!r->po.skip[M_STS] || !r->po.skip[M_DANE]) &&
	    (r->m.kind == MX_LIST || r->m.kind == MX_IMPLICIT);

	for (int k = M_STS; k < M_COUNT; k++)
		if (r->po.require[k] && !r->published[k])
			result_add(n, MT_CRITICAL, "CON-06", NULL,
				   "%s is required (--require) and not "
				   "published",
				   mech_names[k]);
	/* Downgrade protection (CON-06). */
	if (protect_judged && !enforce && !dane_all) {
		if (testing)
			result_add(n, MT_WARNING, "CON-06", NULL,
				   "no downgrade protection in force: MTA-STS "
				   "is in testing mode and DANE does not cover "
				   "every MX host");
		else
			result_add(n, MT_CRITICAL, "CON-06", NULL,
				   "no downgrade protection: neither MTA-STS "
				   "in enforce mode nor DANE on every MX host; "
				   "an attacker on the path can strip "
				   "STARTTLS");
	} else if (protect_judged) {
		result_text(n, "downgrade protection: %s%s%s",
			    enforce ? "MTA-STS (enforce)" : "",
			    enforce && dane_all ? " and " : "",
			    dane_all ? "DANE on every MX host" : "");
	}
	/* A mechanism not published beside one that protects: a note. */
	if (!r->po.skip[M_STS] && !r->published[M_STS] && dane_all)
		result_add(n, MT_OK, "CON-06", NULL,
			   "MTA-STS is not published; DANE protects every MX "
			   "host");
	if (!r->po.skip[M_DANE] && !dane_any && enforce)
		result_add(n, MT_OK, "CON-06", NULL,
			   "DANE is not published; MTA-STS in enforce mode "
			   "protects");
	/* CON-04: protection without reports. */
	if (!r->po.skip[M_TLSRPT] && (enforce || dane_any) &&
	    (!r->published[M_TLSRPT] || !r->rr.have_record))
		result_add(n, MT_WARNING, "RFC 8460 (CON-04)", NULL,
			   "%s in use without a valid TLSRPT record: senders' "
			   "failures would go unreported",
			   enforce && dane_any ? "MTA-STS and DANE"
			   : enforce	       ? "MTA-STS"
					       : "DANE");
	/* CON-04: the hosts, mechanism by mechanism. */
	for (size_t i = 0; sts_on && i < r->m.nhosts; i++) {
		const struct mx_host *h = &r->m.hosts[i];
		bool dane = dane_any && tlsa_applies(&r->tlsa, h);
		const struct node *a, *b;

		if (dane && !r->sts.covers[i] &&
		    r->sts.pol.mode != MTASTS_MODE_NONE)
			result_add(n, MT_WARNING, "CON-04", NULL,
				   "%s has TLSA records but is outside the "
				   "MTA-STS policy: MTA-STS senders refuse it "
				   "where DANE senders deliver",
				   h->name);
		if (!dane || !r->sts.covers[i] ||
		    r->sts.pol.mode == MTASTS_MODE_NONE)
			continue;
		a = host_under(r->node[M_STS], h->name);
		b = host_under(r->node[M_DANE], h->name);
		if (a == NULL || b == NULL || (a->worst == MT_OK) ==
						  (b->worst == MT_OK))
			continue;
		result_add(n, a->worst == MT_OK ? b->worst : a->worst,
			   "CON-04", NULL,
			   "%s passes %s but fails %s: senders that use %s do "
			   "not deliver to it",
			   h->name, a->worst == MT_OK ? "MTA-STS" : "DANE",
			   a->worst == MT_OK ? "DANE" : "MTA-STS",
			   a->worst == MT_OK ? "DANE" : "MTA-STS");
	}
	if (testing && dane_all && r->node[M_DANE]->worst == MT_OK)
		result_add(n, MT_OK, "CON-04", NULL,
			   "MTA-STS is in testing mode while DANE is valid on "
			   "every MX host: the policy could be enforce");
}

/*
 * Perfdata labels that two mechanisms share get the later mechanism's
 * prefix (INTERFACE.md), after the "<address>_" of a per-node series.
 */
static bool
label_in(const struct node *n, const char *label)
{
	for (const struct perf *p = n->perf; p != NULL; p = p->next)
		if (strcmp(p->label, label) == 0)
			return true;
	for (const struct node *c = n->children; c != NULL; c = c->next)
		if (label_in(c, label))
			return true;
	return false;
}

static void
prefix_labels(struct run *r, int k, struct node *n)
{
	for (struct perf *p = n->perf; p != NULL; p = p->next) {
		bool clash = false;
		size_t nl = strlen(n->name);
		char *l;

		for (int o = 0; o < k && !clash; o++)
			clash = r->node[o] != NULL && label_in(r->node[o],
							       p->label);
		if (!clash)
			continue;
		if (n->kind != NODE_CHECK && strncmp(p->label, n->name, nl) ==
						     0 &&
		    p->label[nl] == '_')
			l = xasprintf("%.*s_%s%s", (int)nl, p->label,
				      mech_prefix[k], p->label + nl + 1);
		else
			l = xasprintf("%s%s", mech_prefix[k], p->label);
		free(p->label);
		p->label = l;
	}
	for (struct node *c = n->children; c != NULL; c = c->next)
		prefix_labels(r, k, c);
}

/* Line 1 after "STATE - ": a word per mechanism, then what failed. */
static void
summarize(struct run *r, enum mt_state worst, struct buf *out)
{
	const char *sep = "";

	buf_printf(out, "%s: ", r->domain);
	for (int k = 0; k < M_COUNT; k++) {
		const char *t;

		buf_printf(out, "%s%s ", sep, mech_names[k]);
		sep = ", ";
		if (r->po.skip[k]) {
			buf_puts(out, "skipped");
			continue;
		}
		if (!r->published[k]) {
			buf_puts(out, "none");
			continue;
		}
		buf_puts(out, state_name(r->node[k]->worst));
		if (r->node[k]->worst != MT_OK &&
		    (t = first_token(r->node[k], r->node[k]->worst)) != NULL)
			buf_printf(out, " (%s)", t);
	}
	if (worst != MT_OK) {
		size_t at = out->len;

		buf_puts(out, "; ");
		if (output_name_worst(r->p.root, worst, 2, out) > 0)
			out->p[out->len -= 2] = '\0'; /* its "; " */
		else {
			out->len = at;
			out->p[at] = '\0';
		}
	}
}

/* A mechanism's subtree: kept aside, attached at the end if it counts. */
static void
mech_open(struct run *r, int k)
{
	r->node[k] = result_new(NODE_CHECK, mech_names[k]);
	mech_init(&r->c[k], &r->p, r->tls, r->now, r->helo, &r->m,
		  r->node[k]);
}

static void
mech_note(struct run *r, int k, const char *why)
{
	result_free(r->node[k]);
	r->node[k] = result_new(NODE_CHECK, mech_names[k]);
	result_text(r->node[k], "%s", why);
}

static int
run_domain(struct run *r)
{
	struct mx_conn conn = {.helo = r->helo,
			       .tls = r->tls,
			       .now = r->now,
			       .pkix = true,
			       .all_certs = r->po.all_certs};
	struct node *root = r->p.root;
	char why[600];
	int code;

	for (int k = 0; k < M_COUNT; k++)
		mech_open(r, k);
	r->cons = result_new(NODE_CHECK, "consistency");
	if (!r->po.skip[M_DANE] &&
	    !tlsa_anchor_ok(&r->c[M_DANE], r->domain, why, sizeof(why)))
		return plugin_unknown(LABEL, "%s", why);

	/* One round of lookups for everything that needs none before it. */
	dns_probe_submit(r->p.dns);
	mx_submit(&r->m);
	if (!r->po.skip[M_STS])
		sts_submit(&r->sts, &r->c[M_STS], &r->sto, r->domain);
	if (!r->po.skip[M_TLSRPT])
		rptrec_submit(&r->rr, &r->c[M_TLSRPT], &r->ro, r->domain);
	dns_wait(r->p.dns);
	mx_process(&r->m);
	if (!r->po.skip[M_STS]) {
		sts_process(&r->sts);
		r->published[M_STS] = r->sts.txt_status != TXT_ABSENT;
	}
	if (!r->po.skip[M_TLSRPT]) {
		const struct dns_result *t = r->rr.txt;

		r->published[M_TLSRPT] =
		    t != NULL && t->outcome != DNS_NXDOMAIN &&
		    t->outcome != DNS_NODATA;
		if (rptrec_process(&r->rr) == -1)
			return plugin_unknown(LABEL, "%s", r->rr.setup_why);
	}
	tlsa_init(&r->tlsa, &r->c[M_DANE], &r->to, r->domain);
	if (!r->po.skip[M_DANE])
		tlsa_mx_security(&r->tlsa);

	/* The hosts' addresses (and the TLSRPT destinations'); every
	 * host's nodes under STARTTLS, one session per address. */
	mx_submit_addrs(&r->m);
	dns_wait(r->p.dns);
	for (size_t i = 0; i < r->m.nhosts; i++)
		r->m.hosts[i].node = result_child(r->node[M_STARTTLS],
						  NODE_HOST, r->m.hosts[i].name);
	if (!r->po.skip[M_STARTTLS] || !r->po.skip[M_STS] ||
	    !r->po.skip[M_DANE])
		mx_collect(&r->m, &conn);
	if (!r->po.skip[M_TLSRPT])
		rptrec_mailto(&r->rr);
	if (!r->po.skip[M_DANE]) {
		tlsa_lookup(&r->tlsa);
		for (size_t i = 0; i < r->m.nhosts; i++) {
			enum tlsa_state ts = r->tlsa.hx[i].ts;

			r->published[M_DANE] |= ts == TS_SECURE ||
						ts == TS_INSECURE ||
						ts == TS_FAILED;
		}
		tlsa_set_sni(&r->tlsa);
	} else {
		dns_wait(r->p.dns);
	}

	/* The sessions run while the policy is fetched. */
	mx_connect_start(&r->m);
	if (r->published[M_STS])
		sts_fetch(&r->sts);
	mx_connect_join(&r->m);

	if (!r->po.skip[M_STARTTLS])
		starttls_judge(&r->st, &r->c[M_STARTTLS], &r->so);
	if (r->published[M_STS])
		sts_judge(&r->sts);
	if (r->published[M_DANE])
		tlsa_judge(&r->tlsa);
	if (!r->po.skip[M_TLSRPT] && rptrec_judge(&r->rr) == -1)
		return plugin_unknown(LABEL, "%s", r->rr.setup_why);

	/* What is not published (or skipped) counts for nothing. */
	for (int k = 0; k < M_COUNT; k++) {
		if (r->po.skip[k] && k == M_STARTTLS)
			/* the hosts' nodes go with it */
			for (size_t i = 0; i < r->m.nhosts; i++)
				r->m.hosts[i].node = NULL;
		if (r->po.skip[k])
			mech_note(r, k, "skipped (--skip)");
		else if (k != M_STARTTLS && !r->published[k])
			mech_note(r, k, "not published");
		else
			result_finish(r->node[k]);
		if (k == M_STARTTLS)
			r->published[k] = !r->po.skip[k];
	}
	judge_domain(r);
	for (int k = 0; k < M_COUNT; k++)
		result_adopt(root, r->node[k]);
	result_adopt(root, r->cons);
	r->adopted = true; /* the tree frees them now */
	for (int k = 1; k < M_COUNT; k++)
		if (r->published[k])
			prefix_labels(r, k, r->node[k]);
	{
		struct buf sum;

		buf_init(&sum);
		summarize(r, result_finish(root), &sum);
		code = plugin_print(&r->p, LABEL, sum.p);
		buf_free(&sum);
	}
	return code;
}

int
main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	char why[200];
	int code;

	util_set_label(LABEL);
	r->po.min_tls = 12;
	if (opts_parse(&desc, argc, argv, &r->co, handle_opt, &r->po, &code) !=
	    OPTS_OK)
		return code;
	if (r->co.domain == NULL)
		return opts_fail(&desc, "-D DOMAIN is required");
	if (plugin_take_name("-D", r->co.domain, false, r->domain,
			     sizeof(r->domain) - 20, why, sizeof(why)) < 0)
		return opts_fail(&desc, "%s", why);
	r->co.domain = r->domain;
	if ((code = parse_ranges(r)) != 0)
		return code;
	r->so.min_tls = r->po.min_tls;
	r->so.no_pkix = true; /* PKIX is MTA-STS's to judge (CON-06) */
	r->so.pkix_skip = "judged under mta-sts for the hosts its policy "
			  "covers";
	/* no sender refuses a server for its dates alone unless it
	 * authenticates it: MTA-STS and DANE-TA judge those in full, and
	 * DANE-EE ignores them (DANE-15); so at most WARNING here */
	r->so.lifetime_warn_only = true;
	r->so.all_certs = r->po.all_certs;
	r->sto.allow_testing = r->po.allow_testing;
	r->sto.check_mx = true;
	r->sto.all_certs = r->po.all_certs;
	r->sto.state_file = r->po.state_file;
	r->to.rollover = r->po.rollover;
	r->to.ee_expiry = r->po.ee_expiry;
	r->to.all_certs = r->po.all_certs;
	r->ro.no_check_rua = r->po.no_check_rua;

	if (plugin_open(&r->p, LABEL, &r->co, r->co.cafile, true, &r->tls,
			r->domain) != 0)
		return MT_UNKNOWN;
	plugin_default_helo(r->po.helo, r->helo, sizeof(r->helo));
	mx_init(&r->m, &r->p, r->domain);
	r->now = clock_wall();
	code = run_domain(r);
	if (!r->adopted) { /* an UNKNOWN before the tree was whole */
		for (int k = 0; k < M_COUNT; k++)
			result_free(r->node[k]);
		result_free(r->cons);
	}

	if (!r->po.skip[M_STS])
		sts_free(&r->sts);
	tlsa_free(&r->tlsa);
	if (!r->po.skip[M_TLSRPT])
		rptrec_free(&r->rr);
	for (int k = 0; k < M_COUNT; k++)
		mech_free(&r->c[k]);
	mx_free(&r->m);
	plugin_close(&r->p, r->tls);
	return code;
}
