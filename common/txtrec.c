/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * txtrec.c: a TXT RRset sorted against a record kind's version tag
 * (txtrec.h): the filter of RFC 8461 3.1 and RFC 8460 3, which keep only
 * records that begin with the literal "TAG;".
 */
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "txtrec.h"
#include "util.h"

void
txt_pick(const struct dns_result *res, const char *tag, struct txt_pick *out)
{
	size_t tl = strlen(tag);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < res->n && out->n < TXT_PICK_MAX; i++) {
		char *r;
		size_t len, k = out->n;

		if (dns_rr_txt(&res->rr[i], &r, &len) < 0) {
			out->nbad++;
			continue;
		}
		out->rec[k] = r;
		out->len[k] = len;
		out->n++;
		if (len > tl && memcmp(r, tag, tl) == 0 && r[tl] == ';') {
			if (out->nexact++ == 0)
				out->exact = k;
		} else if (len > tl && memcmp(r, tag, tl) == 0 &&
			   txt_is_wsp(r[tl])) {
			if (out->nspaced++ == 0)
				out->spaced = k;
		} else {
			for (size_t j = 0; j + tl <= len; j++)
				if (util_strncasecmp(r + j, tag, tl) == 0) {
					if (out->nlook++ == 0)
						out->look = k;
					break;
				}
		}
	}
}

void
txt_pick_free(struct txt_pick *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->rec[i]);
	p->n = 0;
}
