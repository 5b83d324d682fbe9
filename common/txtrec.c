/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * txtrec.c: a TXT RRset sorted against a record kind's version tag
 * (txtrec.h): the filter of RFC 8461 3.1 and RFC 8460 3, which keep only
 * records that begin with the literal "TAG;", and the records that
 * parsers allowing blanks before the ';' count too (STS-30).
 */
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "output.h"
#include "txtrec.h"
#include "util.h"

/* Keeps r in slot k when it is the first of its kind, else frees it. */
static void
keep(struct txt_pick *out, size_t *count, size_t k, char *r, size_t len)
{
	if ((*count)++ == 0) {
		out->rec[k] = r;
		out->len[k] = len;
	} else {
		free(r);
	}
}

void
txt_pick(const struct dns_result *res, const char *tag, struct txt_pick *out)
{
	size_t tl = strlen(tag);

	memset(out, 0, sizeof(*out));
	out->exact = 0;
	out->spaced = 1;
	out->look = 2;
	out->wsp = 3;
	for (size_t i = 0; i < res->n; i++) {
		char *r;
		size_t len;
		bool look = false;

		if (dns_rr_txt(&res->rr[i], &r, &len) < 0) {
			out->nbad++;
			continue;
		}
		out->n++;
		if (len > tl && memcmp(r, tag, tl) == 0 && r[tl] == ';') {
			keep(out, &out->nexact, out->exact, r, len);
			continue;
		}
		if (len > tl && memcmp(r, tag, tl) == 0 && txt_is_wsp(r[tl])) {
			if (txt_tag_wsp_delim(r, len, tag, tl))
				keep(out, &out->nwsp, out->wsp,
				     xstrndup(r, len), len);
			keep(out, &out->nspaced, out->spaced, r, len);
			continue;
		}
		for (size_t j = 0; j + tl <= len && !look; j++)
			look = util_strncasecmp(r + j, tag, tl) == 0;
		if (look)
			keep(out, &out->nlook, out->look, r, len);
		else
			free(r);
	}
}

void
txt_pick_free(struct txt_pick *p)
{
	for (size_t i = 0; i < 4; i++) {
		free(p->rec[i]);
		p->rec[i] = NULL;
	}
}

void
txt_note_wsp(struct node *n, const struct txt_pick *p, const char *rule,
	     const char *cite, const char *who, const char *kind)
{
	char a[120], b[120];

	if (p->nwsp == 0)
		return;
	text_sanitize(a, sizeof(a), p->rec[p->exact], p->len[p->exact], 80);
	text_sanitize(b, sizeof(b), p->rec[p->wsp], p->len[p->wsp], 80);
	result_add(n, MT_WARNING, cite, NULL,
		   "%s: \"%s\" and \"%s\"%s: %s that allow blanks before "
		   "';'%s see %zu %s records and no %s; others see only the "
		   "first",
		   rule, a, b, p->nwsp > 1 ? " and more" : "", who,
		   strcmp(kind, "MTA-STS") == 0 ? " (mox)" : "", 1 + p->nwsp,
		   kind, kind);
}
