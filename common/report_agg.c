/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_agg.c: TLSRPT reports summed per policy domain and type over a
 * window, duplicates counted once (report_agg.h; CONFORMANCE RPTR-03,
 * RPTR-04, RPTR-05).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_agg.h"
#include "util.h"

void
ragg_init(struct ragg *a, const struct ragg_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->o = *o;
}

/* ---- name lists ---- */

static struct ragg_name *
list_get(struct ragg_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	if (l->n == RAGG_NAMES_MAX) {
		/* the last slot becomes "(others)" */
		struct ragg_name *o = &l->v[l->n - 1];

		if (!l->overflow) {
			free(o->name);
			o->name = xstrdup("(others)");
			l->overflow = true;
		}
		return o;
	}
	if (l->n == 0)
		l->v = xcalloc(RAGG_NAMES_MAX, sizeof(*l->v));
	l->v[l->n].name = xstrdup(name);
	return &l->v[l->n++];
}

static void
list_free(struct ragg_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
name_cmp(const void *x, const void *y)
{
	const struct ragg_name *a = x, *b = y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	if (a->reports != b->reports)
		return a->reports > b->reports ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void
list_sort(struct ragg_list *l)
{
	size_t n = l->overflow ? l->n - 1 : l->n;

	if (n > 1)
		qsort(l->v, n, sizeof(*l->v), name_cmp);
}

/* ---- duplicates ---- */

static uint64_t
key_of(const char *org, const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *s = org; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL; /* not a byte of a string */
	for (const char *s = id; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h ? h : 1;
}

static struct ragg_dedup *
dedup_slot(struct ragg_dedup *tab, size_t sz, uint64_t key, const char *org,
	   const char *id)
{
	size_t i = (size_t)key & (sz - 1);

	for (;; i = (i + 1) & (sz - 1)) {
		struct ragg_dedup *e = &tab[i];

		if (e->key == 0)
			return e;
		if (e->key == key && strcmp(e->org, org) == 0 &&
		    strcmp(e->id, id) == 0)
			return e;
	}
}

static void
dedup_grow(struct ragg *a)
{
	size_t nsz = a->tabsz ? a->tabsz * 2 : 1024;
	struct ragg_dedup *n = xcalloc(nsz, sizeof(*n));

	for (size_t i = 0; i < a->tabsz; i++)
		if (a->tab[i].key != 0)
			*dedup_slot(n, nsz, a->tab[i].key, a->tab[i].org,
				    a->tab[i].id) = a->tab[i];
	free(a->tab);
	a->tab = n;
	a->tabsz = nsz;
}

/* ---- buckets ---- */

static struct ragg_bucket *
bucket(struct ragg *a, const char *domain, enum rpt_ptype t)
{
	for (size_t i = 0; i < a->nb; i++)
		if (a->b[i].type == t && strcmp(a->b[i].domain, domain) == 0)
			return &a->b[i];
	if (a->nb == RAGG_BUCKETS_MAX)
		return NULL;
	if (a->nb == 0)
		a->b = xcalloc(RAGG_BUCKETS_MAX, sizeof(*a->b));
	util_strlcpy(a->b[a->nb].domain, domain, sizeof(a->b[a->nb].domain));
	a->b[a->nb].type = t;
	return &a->b[a->nb++];
}

static bool
wanted(const struct ragg *a, const struct rpt_policy *p)
{
	return a->o.domain == NULL || strcmp(p->domain, a->o.domain) == 0;
}

/* Adds v to *x without wrapping (counts are at most 10^12 each, but a
 * window of millions of reports must not overflow either). */
static void
add_sat(uint64_t *x, uint64_t v)
{
	*x = *x > UINT64_MAX - v ? UINT64_MAX : *x + v;
}

static void
add_policy(struct ragg *a, const struct rpt_report *r,
	   const struct rpt_policy *p, bool *dropped)
{
	struct ragg_bucket *b;
	struct ragg_name *nm;
	bool moved = p->type == RPT_NOPOLICY && a->o.expect_policy >= 0 &&
		     p->domain[0] != '\0';

	b = bucket(a, p->domain,
		   moved ? (enum rpt_ptype)a->o.expect_policy : p->type);
	if (b == NULL) {
		*dropped = true;
		return;
	}
	b->reports++;
	nm = list_get(&b->orgs, r->org);
	nm->reports++;
	if (moved) {
		uint64_t all = p->ok;

		add_sat(&all, p->failed);
		add_sat(&b->failed, all);
		add_sat(&b->npf_moved, all);
		nm = list_get(&b->results, "no-policy-found");
		add_sat(&nm->n, all);
		nm->reports++;
		nm = list_get(&b->orgs, r->org);
		add_sat(&nm->n, all);
		add_sat(&nm->failed, all);
		return;
	}
	add_sat(&b->ok, p->ok);
	add_sat(&b->failed, p->failed);
	add_sat(&nm->n, p->ok);
	add_sat(&nm->n, p->failed);
	add_sat(&nm->failed, p->failed);
	b->mismatches += p->details_mismatch;
	for (size_t k = 0; k < p->nd; k++) {
		const struct rpt_detail *d = &p->d[k];

		nm = list_get(&b->results, d->result_type);
		add_sat(&nm->n, d->count);
		nm->reports++;
		if (d->mx[0] != '\0') {
			nm = list_get(&b->mx, d->mx);
			add_sat(&nm->n, d->count);
			nm->reports++;
		}
	}
	/* failures the details do not explain */
	if (p->details_sum < p->failed) {
		nm = list_get(&b->results, "unspecified");
		add_sat(&nm->n, p->failed - p->details_sum);
		nm->reports++;
	}
}

enum ragg_outcome
ragg_add(struct ragg *a, const struct rpt_report *r, const char *path)
{
	struct ragg_dedup *e;
	uint64_t key;
	bool any = false, dropped = false;

	if (r->end <= a->o.now - a->o.window) {
		a->outside++;
		return RAGG_OUTSIDE;
	}
	if (r->end > a->o.now + RAGG_FUTURE_SLACK) {
		a->future++;
		return RAGG_FUTURE;
	}
	if (a->o.domain != NULL) {
		for (size_t i = 0; i < r->np && !any; i++)
			any = wanted(a, &r->p[i]);
		if (!any) {
			a->other_domain++;
			return RAGG_OTHER_DOMAIN;
		}
	}
	if (a->tabused + 1 > a->tabsz / 2)
		dedup_grow(a);
	key = key_of(r->org, r->id);
	e = dedup_slot(a->tab, a->tabsz, key, r->org, r->id);
	if (e->key != 0) {
		if (e->digest == r->digest) {
			a->duplicates++;
			return RAGG_DUPLICATE;
		}
		a->conflicts++;
		if (a->nconflict < RAGG_CONFLICTS_MAX) {
			struct ragg_conflict *c = &a->conflict[a->nconflict++];

			util_strlcpy(c->org, r->org, sizeof(c->org));
			util_strlcpy(c->id, r->id, sizeof(c->id));
			c->first = xstrdup(e->path);
			c->second = xstrdup(path);
		}
		return RAGG_CONFLICT;
	}
	e->key = key;
	e->digest = r->digest;
	e->org = xstrdup(r->org);
	e->id = xstrdup(r->id);
	e->path = xstrdup(path);
	a->tabused++;

	a->counted++;
	list_get(&a->orgs, r->org)->reports++;
	for (size_t i = 0; i < r->np; i++)
		if (wanted(a, &r->p[i]))
			add_policy(a, r, &r->p[i], &dropped);
	a->dropped_buckets += dropped;
	return RAGG_COUNTED;
}

static int
bucket_cmp(const void *x, const void *y)
{
	const struct ragg_bucket *a = x, *b = y;
	int c = strcmp(a->domain, b->domain);

	if (c != 0)
		return c;
	return (int)a->type - (int)b->type;
}

void
ragg_sort(struct ragg *a)
{
	if (a->nb > 1)
		qsort(a->b, a->nb, sizeof(*a->b), bucket_cmp);
	for (size_t i = 0; i < a->nb; i++) {
		list_sort(&a->b[i].results);
		list_sort(&a->b[i].orgs);
		list_sort(&a->b[i].mx);
	}
	list_sort(&a->orgs);
}

uint64_t
ragg_org_reports(const struct ragg *a, const char *org)
{
	for (size_t i = 0; i < a->orgs.n; i++)
		if (util_strcasecmp(a->orgs.v[i].name, org) == 0)
			return a->orgs.v[i].reports;
	return 0;
}

void
ragg_free(struct ragg *a)
{
	for (size_t i = 0; i < a->nb; i++) {
		list_free(&a->b[i].results);
		list_free(&a->b[i].orgs);
		list_free(&a->b[i].mx);
	}
	free(a->b);
	list_free(&a->orgs);
	for (size_t i = 0; i < a->nconflict; i++) {
		free(a->conflict[i].first);
		free(a->conflict[i].second);
	}
	for (size_t i = 0; i < a->tabsz; i++)
		if (a->tab[i].key != 0) {
			free(a->tab[i].org);
			free(a->tab[i].id);
			free(a->tab[i].path);
		}
	free(a->tab);
	memset(a, 0, sizeof(*a));
}

int
ragg_parse_duration(const char *s, time_t *out, const char **why)
{
	static const struct {
		char unit;
		long long secs;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400},
		     {'w', 604800}};
	char num[24];
	size_t n = s != NULL ? strlen(s) : 0;
	long long v;

	*why = "--window takes a number and a unit: 2d, 36h, 90m, 1w";
	if (n < 2 || n - 1 >= sizeof(num))
		return -1;
	memcpy(num, s, n - 1);
	num[n - 1] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		const char *w;

		if (s[n - 1] != units[i].unit)
			continue;
		if (util_parse_ll(num, 1, 366LL * 86400, &v, &w) < 0)
			return -1;
		v *= units[i].secs;
		if (v < 60 || v > 366LL * 86400) {
			*why = "--window must be from 1 minute to 366 days";
			return -1;
		}
		*out = (time_t)v;
		*why = NULL;
		return 0;
	}
	return -1;
}

char *
ragg_fmt_duration(char *dst, size_t dstsz, time_t d)
{
	static const struct {
		const char *name;
		long long secs;
	} units[] = {{"week", 604800}, {"day", 86400}, {"hour", 3600},
		     {"minute", 60}, {"second", 1}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long long n;

		if ((long long)d % units[i].secs != 0)
			continue;
		n = (long long)d / units[i].secs;
		/* 14 days reads better than 2 weeks for a window */
		if (units[i].secs == 604800)
			continue;
		snprintf(dst, dstsz, "%lld %s%s", n, units[i].name,
			 n == 1 ? "" : "s");
		return dst;
	}
	snprintf(dst, dstsz, "%lld seconds", (long long)d);
	return dst;
}
