/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_tlsrpt_reports: what the senders saw. Reads the TLSRPT aggregate
 * reports (RFC 8460 4) that senders mailed or posted to a domain, from a
 * folder of files or a Maildir, and alerts on the share of TLS sessions
 * that failed (CONFORMANCE section 11, RPTR-01..RPTR-07):
 *
 * 1. every file of --dir (.json, .json.gz, .gz, .eml) and every message of
 *    --maildir (new/ and cur/, opened read-only, never moved or flagged),
 *    one at a time (report_src.h), each report parsed (tlsrpt_report.h);
 * 2. the reports whose date-range ends within --window summed per policy
 *    domain and policy type (report_agg.h), duplicates counted once;
 * 3. the verdict per domain and type: -w/-c on the failure ratio in
 *    percent, once --min-sessions sessions are in; no report at all is a
 *    WARNING unless --allow-none; a reporter of --expect-org that sent
 *    nothing is a WARNING; invalid reports are counted and named, never
 *    fatal; files that cannot be read are UNKNOWN only when none can.
 * No DNS and no network: the run reads files only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "options.h"
#include "output.h"
#include "plugin.h"
#include "range.h"
#include "report_agg.h"
#include "report_src.h"
#include "tlsrpt_report.h"
#include "util.h"

#define LABEL "TLSRPT REPORTS"
#define SOURCES_MAX 8
#define EXPECT_MAX 16
#define NAMED_MAX 20 /* invalid, skipped, unreadable files named */

enum {
	OPT_DIR = OPT_PLUGIN,
	OPT_MAILDIR,
	OPT_WINDOW,
	OPT_MIN_SESSIONS,
	OPT_EXPECT_ORG,
	OPT_EXPECT_POLICY,
	OPT_ALLOW_NONE,
};

static const struct opt_def options[] = {
    {OPT_DIR, "dir", 0, "DIR",
     "read the reports in this folder: .json, .json.gz, .gz and\n"
     ".eml files (repeatable); other files are skipped"},
    {OPT_MAILDIR, "maildir", 0, "DIR",
     "read the messages of this Maildir (new/ and cur/), where the\n"
     "rua mailto: address delivers (repeatable); read-only"},
    {OPT_DOMAIN, "domain", 'D', "DOMAIN",
     "only the reports' policies for this policy domain (default:\n"
     "every domain, each judged)"},
    {OPT_WINDOW, "window", 0, "DURATION",
     "count reports whose date-range ends within this time: 2d,\n"
     "36h, 90m, 1w (default 2d)"},
    {OPT_MIN_SESSIONS, "min-sessions", 0, "N",
     "below N sessions of a domain and policy type, the failure\n"
     "ratio alone never alerts (default 10)"},
    {OPT_EXPECT_ORG, "expect-org", 0, "NAME",
     "WARNING when this reporter (organization-name, any case) sent\n"
     "no report in the window (repeatable)"},
    {OPT_EXPECT_POLICY, "expect-policy", 0, "TYPE",
     "sts or tlsa: the domain publishes this policy, so sessions\n"
     "reported as no-policy-found count as its failures"},
    {OPT_ALLOW_NONE, "allow-none", 0, NULL,
     "no report in the window is OK (default: WARNING)"},
    {OPT_WARNING, "warning", 'w', "PERCENT",
     "WARNING when more than this share of sessions failed (Nagios\n"
     "range; default 1)"},
    {OPT_CRITICAL, "critical", 'c', "PERCENT",
     "CRITICAL when more than this share of sessions failed (Nagios\n"
     "range; default 5)"},
    OPTDEF_TIMEOUT,
    OPTDEF_TIMEOUT_RESULT,
    OPTDEF_OUTPUT_FORMAT,
    {OPT_VERBOSE, "verbose", 'v', NULL,
     "more detail; repeatable (-v adds facts, -vv names each file\n"
     "read)"},
    OPTDEF_HELP,
    OPTDEF_VERSION,
    {0, NULL, 0, NULL, NULL},
};

static const char *const examples[] = {
    "check_tlsrpt_reports --maildir /var/mail/tlsrpt/Maildir -D example.com",
    "check_tlsrpt_reports --dir /srv/tlsrpt -D example.com --window 36h "
    "--expect-org 'Google Inc.' --expect-policy sts",
    NULL,
};

static const struct plugin_desc desc = {
    .prog = "check_tlsrpt_reports",
    .label = LABEL,
    .purpose =
	"Reads the TLSRPT reports (RFC 8460) that senders send to a domain's "
	"rua\ndestinations, from a folder or a Maildir, and alerts when too "
	"many of the\nTLS sessions they report failed, when no report "
	"arrives, or when a usual\nreporter goes silent. No DNS, no "
	"network: it reads files only, and never\nchanges them.",
    .usage = "--dir DIR or --maildir DIR [-D DOMAIN] [options]",
    .thresholds =
	"  -w and -c take the failure ratio in percent: failed sessions of "
	"all\n  sessions of a policy domain and type over the window. "
	"Defaults -w 1\n  -c 5 (more than 1% failed is WARNING, more than "
	"5% CRITICAL). Below\n  --min-sessions sessions the ratio alone "
	"never alerts.",
    .opts = options,
    .examples = examples,
};

struct src {
	const char *path;
	bool maildir;
};

struct plugin_opts {
	struct src src[SOURCES_MAX];
	size_t nsrc;
	const char *window_arg;
	long long min_sessions;
	const char *expect_org[EXPECT_MAX];
	size_t nexpect;
	int expect_policy;
	bool allow_none;
	bool too_many;
};

struct run {
	struct common_opts co;
	struct plugin_opts po;
	struct range warn, crit;
	time_t window;
	char domain[256];
	struct pctx p;
	struct tls_ctx *tls;
	struct ragg agg;
	struct rsrc_limits lim;
	struct buf raw, json;
	/* what became of the files */
	size_t files, readable, unreadable, invalid, skipped, parsed;
	size_t mime_notes;
	bool cut_short;
	struct node *files_node;
	struct buf named; /* scratch */
	size_t nnamed_invalid, nnamed_skipped, nnamed_unreadable;
	char first_unreadable[300];
};

static int
handle_opt(void *ctx, int id, const char *arg, const char **why)
{
	struct plugin_opts *po = ctx;

	switch (id) {
	case OPT_DIR:
	case OPT_MAILDIR:
		if (po->nsrc == SOURCES_MAX) {
			*why = "at most 8 --dir and --maildir in all";
			return -1;
		}
		po->src[po->nsrc].path = arg;
		po->src[po->nsrc++].maildir = id == OPT_MAILDIR;
		return 0;
	case OPT_WINDOW:
		po->window_arg = arg;
		return 0;
	case OPT_MIN_SESSIONS:
		if (util_parse_ll(arg, 0, 1000000000, &po->min_sessions, why) <
		    0) {
			*why = "--min-sessions takes a whole number from 0";
			return -1;
		}
		return 0;
	case OPT_EXPECT_ORG:
		if (po->nexpect == EXPECT_MAX) {
			*why = "at most 16 --expect-org";
			return -1;
		}
		if (arg[0] == '\0') {
			*why = "--expect-org takes an organization-name";
			return -1;
		}
		po->expect_org[po->nexpect++] = arg;
		return 0;
	case OPT_EXPECT_POLICY:
		if (util_strcasecmp(arg, "sts") == 0)
			po->expect_policy = RPT_STS;
		else if (util_strcasecmp(arg, "tlsa") == 0)
			po->expect_policy = RPT_TLSA;
		else {
			*why = "--expect-policy takes sts or tlsa";
			return -1;
		}
		return 0;
	case OPT_ALLOW_NONE:
		po->allow_none = true;
		return 0;
	}
	*why = "unknown option";
	return -1;
}

/* ---- reading ---- */

/* A file named in the long output (at most NAMED_MAX of each kind). */
static void
name_file(struct run *r, size_t *count, const char *kind, const char *path,
	  const char *why)
{
	if (++*count <= NAMED_MAX)
		result_log(r->files_node, "%s: %s: %s", kind, path, why);
	else if (*count == NAMED_MAX + 1)
		result_log(r->files_node, "%s: more files not named", kind);
}

static bool
visit(void *ctx, int dirfd, const char *name, const char *path,
      enum rsrc_kind kind)
{
	struct run *r = ctx;
	struct rpt_report rep;
	enum rsrc_read_status rs;
	enum rsrc_status es;
	enum ragg_outcome out;
	char why[300], note[200];

	if (deadline_passed()) {
		r->cut_short = true;
		return false;
	}
	r->files++;
	if (kind == RSRC_OTHER) {
		r->skipped++;
		name_file(r, &r->nnamed_skipped, "skipped", path,
			  "not .json, .json.gz, .gz or .eml (RPTR-01)");
		return true;
	}
	rs = rsrc_read(dirfd, name, RSRC_FILE_MAX, &r->raw, why, sizeof(why));
	if (rs == RSRC_READ_SPECIAL) {
		r->skipped++;
		name_file(r, &r->nnamed_skipped, "skipped", path, why);
		return true;
	}
	if (rs == RSRC_READ_FAIL) {
		r->unreadable++;
		if (r->first_unreadable[0] == '\0')
			snprintf(r->first_unreadable,
				 sizeof(r->first_unreadable), "%.200s: %.90s",
				 path, why);
		name_file(r, &r->nnamed_unreadable, "unreadable", path, why);
		return true;
	}
	r->readable++;
	if (rs == RSRC_READ_TOOBIG) {
		r->invalid++;
		name_file(r, &r->nnamed_invalid, "invalid", path, why);
		return true;
	}
	r->json.len = 0;
	es = rsrc_extract(kind, r->raw.p, r->raw.len, &r->lim, &r->json, why,
			  sizeof(why), note, sizeof(note));
	if (es == RSRC_NOT_REPORT) {
		r->skipped++;
		name_file(r, &r->nnamed_skipped, "skipped", path, why);
		return true;
	}
	if (es == RSRC_REFUSED) {
		r->invalid++;
		name_file(r, &r->nnamed_invalid, "invalid", path, why);
		return true;
	}
	r->mime_notes += note[0] != '\0';
	if (rpt_parse(r->json.p, r->json.len, &rep) != RPT_OK) {
		r->invalid++;
		name_file(r, &r->nnamed_invalid, "invalid", path, rep.why);
		rpt_free(&rep);
		return true;
	}
	r->parsed++;
	out = ragg_add(&r->agg, &rep, path);
	if (r->co.verbose >= 2) {
		static const char *const what[] = {
		    "counted", "duplicate", "conflict", "outside the window",
		    "dated in the future", "for another domain"};

		result_log(r->files_node, "%s: %s report %s: %s", path,
			   rep.org, rep.id, what[out]);
		for (size_t i = 0; i < rep.nnotes; i++)
			result_log(r->files_node, "  note: %s", rep.notes[i]);
		if (note[0] != '\0')
			result_log(r->files_node, "  note: %s", note);
	}
	rpt_free(&rep);
	return true;
}

/* ---- judging ---- */

/* 12431 -> "12,431" (ASCII, whatever the locale). */
static char *
fmt_count(char *dst, size_t dstsz, uint64_t v)
{
	char tmp[32];
	size_t n = (size_t)snprintf(tmp, sizeof(tmp), "%llu",
				    (unsigned long long)v),
	       o = 0;

	for (size_t i = 0; i < n && o + 2 < dstsz; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			dst[o++] = ',';
		dst[o++] = tmp[i];
	}
	dst[o] = '\0';
	return dst;
}

/* The ratio with one decimal, '.' whatever the locale: "7.2". */
static char *
fmt_pct(char *dst, size_t dstsz, double pct)
{
	long long t = (long long)(pct * 10 + 0.5);

	snprintf(dst, dstsz, "%lld.%lld", t / 10, t % 10);
	return dst;
}

static double
ratio_of(uint64_t ok, uint64_t failed)
{
	double all = (double)ok + (double)failed;

	return all > 0 ? 100.0 * (double)failed / all : 0;
}

struct judged {
	struct ragg_bucket *b;
	enum mt_state st;
	double pct;
	struct node *node;
};

/* A perfdata label from a result type: [a-z0-9_]. */
static void
label_part(char *dst, size_t dstsz, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < dstsz; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		dst[o++] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			       ? c
			       : '_';
	}
	dst[o] = '\0';
}

static const char *
perf_prefix(enum rpt_ptype t)
{
	return t == RPT_STS ? "sts" : t == RPT_TLSA ? "tlsa" : "nopolicy";
}

static void
judge_bucket(struct run *r, struct judged *j)
{
	struct ragg_bucket *b = j->b;
	uint64_t all = b->ok;
	char n1[32], n2[32], pc[48], name[300];
	const char *dom = b->domain[0] ? b->domain : "(no policy-domain)";
	struct buf line;

	all = all + b->failed < all ? UINT64_MAX : all + b->failed;
	j->pct = ratio_of(b->ok, b->failed);
	snprintf(name, sizeof(name), "%s %s", dom, rpt_ptype_name(b->type));
	j->node = result_child(r->p.root, NODE_RECORD, name);
	result_text(j->node,
		    "%s of %s sessions failed (%s%%) in %zu report%s from %zu "
		    "reporter%s",
		    fmt_count(n1, sizeof(n1), b->failed),
		    fmt_count(n2, sizeof(n2), all),
		    fmt_pct(pc, sizeof(pc), j->pct), b->reports,
		    b->reports == 1 ? "" : "s", b->orgs.n,
		    b->orgs.n == 1 ? "" : "s");
	result_fact(j->node, "policy_domain", "%s", b->domain);
	result_fact(j->node, "policy_type", "%s", rpt_ptype_name(b->type));
	result_fact(j->node, "sessions_ok", "%llu", (unsigned long long)b->ok);
	result_fact(j->node, "sessions_failed", "%llu",
		    (unsigned long long)b->failed);
	result_show_log(j->node);

	j->st = MT_OK;
	if (all < (uint64_t)r->po.min_sessions) {
		if (b->failed > 0)
			result_add(j->node, MT_OK, "RPTR-05", NULL,
				   "%llu sessions, fewer than --min-sessions "
				   "%lld: the ratio alone does not alert",
				   (unsigned long long)all, r->po.min_sessions);
	} else {
		j->st = range_state(&r->warn, &r->crit, j->pct);
		if (j->st != MT_OK)
			result_add(j->node, j->st, "RFC 8460 4.3 (RPTR-05)",
				   b->results.n ? b->results.v[0].name : NULL,
				   "%s%% of %s sessions failed, outside -%c %s",
				   pc, n2, j->st == MT_CRITICAL ? 'c' : 'w',
				   j->st == MT_CRITICAL ? r->crit.text
							: r->warn.text);
	}

	buf_init(&line);
	for (size_t i = 0; i < b->results.n && i < 8; i++)
		buf_printf(&line, "%s%s %s", i ? ", " : "",
			   b->results.v[i].name,
			   fmt_count(n1, sizeof(n1), b->results.v[i].n));
	if (line.len)
		result_log(j->node, "result types: %s", line.p);
	buf_free(&line);
	for (size_t i = 0; i < b->results.n; i++) {
		const char *t = b->results.v[i].name;

		if (!rpt_result_registered(t) &&
		    strcmp(t, "no-policy-found") != 0 &&
		    strcmp(t, "unspecified") != 0 && strcmp(t, "(others)") != 0)
			result_log(j->node,
				   "\"%s\" is not a result type of RFC 8460 "
				   "4.3: counted under its own name (RPTR-06)",
				   t);
	}
	buf_init(&line);
	for (size_t i = 0; i < b->orgs.n && i < 8; i++)
		buf_printf(&line, "%s%s (%llu report%s, %s sessions, %llu failed)",
			   i ? "; " : "", b->orgs.v[i].name,
			   (unsigned long long)b->orgs.v[i].reports,
			   b->orgs.v[i].reports == 1 ? "" : "s",
			   fmt_count(n1, sizeof(n1), b->orgs.v[i].n),
			   (unsigned long long)b->orgs.v[i].failed);
	if (b->orgs.n > 8)
		buf_printf(&line, "; %zu more", b->orgs.n - 8);
	if (line.len)
		result_log(j->node, "reporters: %s", line.p);
	buf_free(&line);
	buf_init(&line);
	for (size_t i = 0; i < b->mx.n && i < 8; i++)
		buf_printf(&line, "%s%s %s", i ? ", " : "", b->mx.v[i].name,
			   fmt_count(n1, sizeof(n1), b->mx.v[i].n));
	if (line.len)
		result_log(j->node, "receiving MX hosts in failures: %s",
			   line.p);
	buf_free(&line);
	if (b->mismatches > 0)
		result_log(j->node,
			   "%zu report%s: the failure details do not add up to "
			   "the summary's failed sessions; the summary counts "
			   "(RPTR-03)",
			   b->mismatches, b->mismatches == 1 ? "" : "s");
	if (b->npf_moved > 0)
		result_log(j->node,
			   "%s sessions reported as no-policy-found count as "
			   "failed (--expect-policy %s)",
			   fmt_count(n1, sizeof(n1), b->npf_moved),
			   rpt_ptype_name(b->type));

	/* OpenMetrics: per domain and type */
	result_series(r->p.root, "mailtls_tlsrpt_sessions_total", true,
		      "Sessions reported in the window, by policy domain, "
		      "policy type and result (successful or failed).",
		      (double)b->ok, "policy_domain", b->domain, "policy_type",
		      rpt_ptype_name(b->type), "result", "successful", NULL);
	result_series(r->p.root, "mailtls_tlsrpt_sessions_total", true,
		      "Sessions reported in the window, by policy domain, "
		      "policy type and result (successful or failed).",
		      (double)b->failed, "policy_domain", b->domain,
		      "policy_type", rpt_ptype_name(b->type), "result",
		      "failed", NULL);
	result_series(r->p.root, "mailtls_tlsrpt_failure_ratio", false,
		      "Failed sessions of all sessions in the window (0 to 1).",
		      j->pct / 100.0, "policy_domain", b->domain,
		      "policy_type", rpt_ptype_name(b->type), NULL);
	for (size_t i = 0; i < b->results.n; i++)
		result_series(r->p.root, "mailtls_tlsrpt_failed_sessions_total",
			      true,
			      "Failed sessions in the window by RFC 8460 "
			      "result type (from the failure details).",
			      (double)b->results.v[i].n, "policy_domain",
			      b->domain, "policy_type",
			      rpt_ptype_name(b->type), "result_type",
			      b->results.v[i].name, NULL);
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(((const struct ragg_name *)x)->name,
		      ((const struct ragg_name *)y)->name);
}

/* Line 1 and perfdata: per policy type, over the domains counted. */
static void
add_perf(struct run *r)
{
	struct node *root = r->p.root;
	char label[96], part[64];
	struct perf *p;

	for (int t = 0; t < RPT_PTYPES; t++) {
		uint64_t ok = 0, failed = 0;
		bool any = false;
		struct ragg_list res = {0};

		for (size_t i = 0; i < r->agg.nb; i++) {
			struct ragg_bucket *b = &r->agg.b[i];

			if ((int)b->type != t)
				continue;
			any = true;
			ok += b->ok;
			failed += b->failed;
		}
		if (!any)
			continue;
		snprintf(label, sizeof(label), "%s_sessions_ok", perf_prefix(t));
		p = result_perf(root, label, (double)ok, "", NULL, NULL);
		result_perf_minmax(p, true, 0, false, 0);
		result_perf_om_skip(p);
		snprintf(label, sizeof(label), "%s_sessions_failed",
			 perf_prefix(t));
		p = result_perf(root, label, (double)failed, "", NULL, NULL);
		result_perf_minmax(p, true, 0, false, 0);
		result_perf_om_skip(p);
		snprintf(label, sizeof(label), "%s_failure_ratio",
			 perf_prefix(t));
		p = result_perf(root, label, ratio_of(ok, failed), "%",
				r->warn.text, r->crit.text);
		result_perf_minmax(p, true, 0, true, 100);
		result_perf_om_skip(p);
		/* per result type, summed over domains, in name order */
		for (size_t i = 0; i < r->agg.nb; i++) {
			struct ragg_bucket *b = &r->agg.b[i];

			if ((int)b->type != t)
				continue;
			for (size_t k = 0; k < b->results.n; k++) {
				size_t m;

				for (m = 0; m < res.n; m++)
					if (strcmp(res.v[m].name,
						   b->results.v[k].name) == 0)
						break;
				if (m == res.n) {
					if (res.n == RAGG_NAMES_MAX)
						continue;
					res.v = xrealloc(res.v,
							 (res.n + 1) *
							     sizeof(*res.v));
					res.v[res.n].name =
					    b->results.v[k].name;
					res.v[res.n++].n = 0;
				}
				res.v[m].n += b->results.v[k].n;
			}
		}
		if (res.n > 1)
			qsort(res.v, res.n, sizeof(*res.v), by_name);
		for (size_t m = 0; m < res.n; m++) {
			label_part(part, sizeof(part), res.v[m].name);
			snprintf(label, sizeof(label), "%s_%s",
				 perf_prefix(t), part);
			p = result_perf(root, label, (double)res.v[m].n, "",
					NULL, NULL);
			result_perf_minmax(p, true, 0, false, 0);
			result_perf_om_skip(p);
		}
		free(res.v);
	}
	p = result_perf(root, "reports", (double)r->agg.counted, "", NULL,
			NULL);
	result_perf_minmax(p, true, 0, false, 0);
	result_perf_om_skip(p);
	p = result_perf(root, "reports_invalid", (double)r->invalid, "", NULL,
			NULL);
	result_perf_minmax(p, true, 0, false, 0);
	result_perf_om_skip(p);
}

static void
series_reports(struct run *r)
{
	static const char *help =
	    "Report files by what became of them in this run.";
	const struct {
		const char *what;
		size_t n;
	} k[] = {
	    {"counted", r->agg.counted},
	    {"duplicate", r->agg.duplicates},
	    {"conflict", r->agg.conflicts},
	    {"outside_window", r->agg.outside},
	    {"future", r->agg.future},
	    {"other_domain", r->agg.other_domain},
	    {"invalid", r->invalid},
	    {"skipped", r->skipped},
	    {"unreadable", r->unreadable},
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		result_series(r->p.root, "mailtls_tlsrpt_reports", false, help,
			      (double)k[i].n, "outcome", k[i].what, NULL);
	for (size_t i = 0; i < r->agg.orgs.n; i++)
		result_series(r->p.root, "mailtls_tlsrpt_reporter_reports",
			      false,
			      "Reports counted in the window, by reporting "
			      "organisation.",
			      (double)r->agg.orgs.v[i].reports, "organization",
			      r->agg.orgs.v[i].name, NULL);
	for (size_t i = 0; i < r->po.nexpect; i++)
		result_series(r->p.root, "mailtls_tlsrpt_expected_reporter_silent",
			      false,
			      "1 when an --expect-org reporter sent no report "
			      "in the window.",
			      ragg_org_reports(&r->agg, r->po.expect_org[i]) ? 0
									     : 1,
			      "organization", r->po.expect_org[i], NULL);
}

static int
state_rank(enum mt_state s)
{
	return s == MT_CRITICAL ? 3 : s == MT_WARNING ? 2 : s == MT_UNKNOWN ? 1
									 : 0;
}

static int
finish(struct run *r)
{
	struct node *root = r->p.root;
	struct judged *j = NULL;
	struct buf sum, files;
	char wtxt[48], n1[32], n2[32], pc[48];
	size_t ndom = 0, shown = 0;
	bool *done;
	int code;

	ragg_fmt_duration(wtxt, sizeof(wtxt), r->window);
	ragg_sort(&r->agg);
	if (r->agg.nb > 0)
		j = xcalloc(r->agg.nb, sizeof(*j));
	for (size_t i = 0; i < r->agg.nb; i++) {
		j[i].b = &r->agg.b[i];
		judge_bucket(r, &j[i]);
	}

	/* what became of the files */
	buf_init(&files);
	buf_printf(&files, "%zu file%s read: %zu report%s counted", r->files,
		   r->files == 1 ? "" : "s", r->agg.counted,
		   r->agg.counted == 1 ? "" : "s");
	if (r->agg.duplicates)
		buf_printf(&files, ", %zu duplicate%s", r->agg.duplicates,
			   r->agg.duplicates == 1 ? "" : "s");
	if (r->agg.conflicts)
		buf_printf(&files, ", %zu conflict%s", r->agg.conflicts,
			   r->agg.conflicts == 1 ? "" : "s");
	if (r->agg.outside)
		buf_printf(&files, ", %zu outside the window", r->agg.outside);
	if (r->agg.future)
		buf_printf(&files, ", %zu dated in the future", r->agg.future);
	if (r->agg.other_domain)
		buf_printf(&files, ", %zu for other domains",
			   r->agg.other_domain);
	if (r->invalid)
		buf_printf(&files, ", %zu invalid", r->invalid);
	if (r->skipped)
		buf_printf(&files, ", %zu not reports", r->skipped);
	if (r->unreadable)
		buf_printf(&files, ", %zu unreadable", r->unreadable);
	result_text(r->files_node, "%s", files.p);
	buf_free(&files);
	for (size_t i = 0; i < r->agg.nconflict; i++)
		result_log(r->files_node,
			   "conflict: %s report-id %s: %s and %s differ; the "
			   "first read counts (RPTR-03)",
			   r->agg.conflict[i].org, r->agg.conflict[i].id,
			   r->agg.conflict[i].first, r->agg.conflict[i].second);
	if (r->mime_notes)
		result_log(r->files_node,
			   "%zu message%s not in the form of RFC 8460 5.3 "
			   "(multipart/report, application/tlsrpt+gzip or "
			   "+json), read all the same",
			   r->mime_notes, r->mime_notes == 1 ? "" : "s");
	if (r->agg.dropped_buckets)
		result_log(r->files_node,
			   "%zu report%s had policies past %d domains and "
			   "types: not counted (RPTR-07)",
			   r->agg.dropped_buckets,
			   r->agg.dropped_buckets == 1 ? "" : "s",
			   RAGG_BUCKETS_MAX);
	result_show_log(r->files_node);
	/* the files last, after the domains */
	if (root->children == r->files_node && r->files_node->next != NULL) {
		root->children = r->files_node->next;
		r->files_node->next = NULL;
		root->children_tail->next = r->files_node;
		root->children_tail = r->files_node;
	}

	if (r->cut_short)
		result_add(root, r->co.timeout_result, "GEN-03", NULL,
			   "the deadline of %d s passed after %zu files: the "
			   "counts are partial",
			   r->co.timeout_s, r->files);
	if (r->agg.counted == 0)
		result_add(root, r->po.allow_none ? MT_OK : MT_WARNING,
			   "RPTR-04", NULL,
			   "no reports received in %s%s", wtxt,
			   r->po.allow_none ? " (--allow-none)" : "");
	for (size_t i = 0; i < r->po.nexpect; i++)
		if (ragg_org_reports(&r->agg, r->po.expect_org[i]) == 0)
			result_add(root, MT_WARNING, "RPTR-04", NULL,
				   "%s sent no report in %s (--expect-org)",
				   r->po.expect_org[i], wtxt);
	if (r->unreadable > 0 && r->readable > 0)
		result_add(root, MT_OK, NULL, NULL,
			   "%zu file%s could not be read", r->unreadable,
			   r->unreadable == 1 ? "" : "s");

	add_perf(r);
	series_reports(r);
	result_finish(root);

	/* Line 1: each domain (worst first, at most 3), then the root's
	 * own alerts. */
	buf_init(&sum);
	done = xcalloc(r->agg.nb + 1, sizeof(*done));
	for (size_t i = 0; i < r->agg.nb; i++)
		if (i == 0 || strcmp(r->agg.b[i].domain,
				     r->agg.b[i - 1].domain) != 0)
			ndom++;
	for (;;) {
		size_t best = SIZE_MAX;
		uint64_t ok = 0, failed = 0;
		size_t orgs = 0;
		struct judged *w = NULL;

		/* the worst domain not yet named: its worst bucket */
		for (size_t i = 0; i < r->agg.nb; i++)
			if (!done[i] &&
			    (best == SIZE_MAX ||
			     state_rank(j[i].st) > state_rank(j[best].st) ||
			     (j[i].st == j[best].st && j[i].pct > j[best].pct)))
				best = i;
		if (best == SIZE_MAX)
			break;
		for (size_t i = 0; i < r->agg.nb; i++) {
			if (strcmp(r->agg.b[i].domain, j[best].b->domain) != 0)
				continue;
			done[i] = true;
			ok += r->agg.b[i].ok;
			failed += r->agg.b[i].failed;
			if (w == NULL || state_rank(j[i].st) > state_rank(w->st) ||
			    (j[i].st == w->st && j[i].pct > w->pct))
				w = &j[i];
			if (r->agg.b[i].orgs.n > orgs)
				orgs = r->agg.b[i].orgs.n;
		}
		if (shown == 3) {
			buf_printf(&sum, "; and %zu more domain%s",
				   ndom - shown, ndom - shown == 1 ? "" : "s");
			break;
		}
		buf_printf(&sum, "%s%s: %s%% of %s sessions failed in %s (%s",
			   shown ? "; " : "",
			   w->b->domain[0] ? w->b->domain : "(no policy-domain)",
			   fmt_pct(pc, sizeof(pc), ratio_of(ok, failed)),
			   fmt_count(n1, sizeof(n1), ok + failed), wtxt,
			   rpt_ptype_name(w->b->type));
		if (w->b->failed > 0 && w->b->results.n > 0)
			buf_printf(&sum, ": %s %s,", w->b->results.v[0].name,
				   fmt_count(n2, sizeof(n2),
					     w->b->results.v[0].n));
		else
			buf_putc(&sum, ',');
		buf_printf(&sum, " %zu reporter%s)", orgs, orgs == 1 ? "" : "s");
		shown++;
	}
	if (shown == 0 && r->domain[0] != '\0')
		buf_printf(&sum, "%s: ", r->domain);
	for (const struct finding *f = root->findings; f != NULL; f = f->next) {
		if (f->state == MT_OK && !(r->agg.counted == 0 && shown == 0))
			continue;
		if (f->rule == NULL && f->state == MT_OK)
			continue;
		buf_printf(&sum, "%s%s", sum.len && sum.p[sum.len - 1] != ' '
					     ? "; "
					     : "",
			   f->text);
	}
	free(done);
	free(j);
	code = plugin_print(&r->p, LABEL, sum.p);
	buf_free(&sum);
	return code;
}

int
main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	struct ragg_opts ao;
	const char *why = NULL;
	char whybuf[300], target[300];
	int code;
	size_t opened = 0;

	util_set_label(LABEL);
	r->po.min_sessions = 10;
	r->po.expect_policy = -1;
	if (opts_parse(&desc, argc, argv, &r->co, handle_opt, &r->po, &code) !=
	    OPTS_OK)
		return code;
	if (r->po.nsrc == 0)
		return opts_fail(&desc, "--dir DIR or --maildir DIR is required");
	if (r->co.domain != NULL) {
		if (plugin_take_name("-D", r->co.domain, false, r->domain,
				     sizeof(r->domain), whybuf,
				     sizeof(whybuf)) < 0)
			return opts_fail(&desc, "%s", whybuf);
		for (char *c = r->domain; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	r->window = 2 * 86400;
	if (r->po.window_arg != NULL &&
	    ragg_parse_duration(r->po.window_arg, &r->window, &why) < 0)
		return opts_fail(&desc, "%s", why);
	if (range_parse(r->co.warning ? r->co.warning : "1", RANGE_DEFAULT,
			&r->warn, &why) < 0)
		return opts_fail(&desc, "-w: not a Nagios range: %.60s",
				 r->co.warning);
	if (range_parse(r->co.critical ? r->co.critical : "5", RANGE_DEFAULT,
			&r->crit, &why) < 0)
		return opts_fail(&desc, "-c: not a Nagios range: %.60s",
				 r->co.critical);

	if (r->domain[0] != '\0')
		util_strlcpy(target, r->domain, sizeof(target));
	else
		snprintf(target, sizeof(target), "%s", r->po.src[0].path);
	r->p.no_dns = true;
	if (plugin_open(&r->p, LABEL, &r->co, NULL, false, &r->tls, target) !=
	    0)
		return MT_UNKNOWN;
	ao.now = clock_wall();
	ao.window = r->window;
	ao.domain = r->domain[0] ? r->domain : NULL;
	ao.expect_policy = r->po.expect_policy;
	ragg_init(&r->agg, &ao);
	r->lim.out_max = RSRC_OUT_MAX;
	r->lim.ratio_max = RSRC_RATIO_MAX;
	buf_init(&r->raw);
	buf_init(&r->json);
	r->files_node = result_child(r->p.root, NODE_RECORD, "files");

	for (size_t i = 0; i < r->po.nsrc; i++) {
		if (rsrc_walk(r->po.src[i].path, r->po.src[i].maildir, visit, r,
			      whybuf, sizeof(whybuf)) < 0) {
			result_log(r->files_node, "%s", whybuf);
			if (r->first_unreadable[0] == '\0')
				util_strlcpy(r->first_unreadable, whybuf,
					     sizeof(r->first_unreadable));
			continue;
		}
		opened++;
	}
	/* Our side: nothing to read at all (INTERFACE.md: UNKNOWN only when
	 * no file can be read). */
	if (opened == 0 || (r->readable == 0 && r->unreadable > 0)) {
		code = plugin_unknown(LABEL, "%s%s",
				      opened == 0 ? ""
						  : "no file could be read: ",
				      r->first_unreadable);
		goto out;
	}
	code = finish(r);
out:
	buf_free(&r->raw);
	buf_free(&r->json);
	ragg_free(&r->agg);
	rsrc_shutdown();
	plugin_close(&r->p, r->tls);
	return code;
}
