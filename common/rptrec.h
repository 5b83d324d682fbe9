/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rptrec.h: the TLSRPT record mechanism (RFC 8460 3; CONFORMANCE RPT):
 * the _smtp._tls record, and whether each report destination can receive.
 * check_tlsrpt_record is this module and its options.
 *
 * rptrec_run() does the whole check. The steps, for a caller that
 * interleaves them with other mechanisms' lookups (check_mailtls):
 * rptrec_submit() asks for the record; after dns_wait(), rptrec_process()
 * judges it, loads the trust store when an https: destination is to be
 * checked and asks for the destinations' MX or addresses; after
 * dns_wait(), rptrec_mailto() judges the mailto: MX answers (a domain with
 * no MX: its addresses are asked for); after dns_wait(), rptrec_judge()
 * fetches the https: ones and adds every verdict. rptrec_process() and
 * rptrec_judge() return -1 when the check cannot run on our side (the trust
 * store does not load, libcurl is missing): setup_why says why, the run is
 * UNKNOWN.
 */
#ifndef MAILTLS_RPTREC_H
#define MAILTLS_RPTREC_H

#include <stdbool.h>
#include <stddef.h>

#include "dns.h"
#include "mech.h"
#include "range.h"
#include "tlsrpt.h"
#include "util.h"

struct rptrec_opts {
	struct range warn, crit; /* destinations that can receive */
	bool warn_set;		 /* -w given (else: warn when any cannot) */
	bool no_check_rua;	 /* the record only */
};

struct rptrec_dest {
	const struct tlsrpt_uri *u;
	struct node *node;
	struct dns_result *mx, *addr[2];
	bool ok;       /* can receive (or, unchecked, well-formed) */
	char why[300]; /* why not, judged against -w/-c */
	const char *rule;
	bool timed_out;
	size_t literal; /* an https: host given as an address: 4 or 16 */
};

struct rptrec {
	struct mech *c;
	const struct rptrec_opts *o;
	struct range warn, crit;
	bool warn_set;
	char qname[DNS_NAME_MAX + 16];
	struct dns_result *txt;
	struct node *rec_node;
	bool have_record; /* a valid record */
	struct tlsrpt_record rec;
	char setup_why[256]; /* we could not check at all */
	struct rptrec_dest dest[TLSRPT_RUA_MAX];
	size_t ndest;
	size_t ok; /* destinations that can receive */
};

void rptrec_submit(struct rptrec *r, struct mech *c,
		   const struct rptrec_opts *o, const char *domain);
int rptrec_process(struct rptrec *r);
void rptrec_mailto(struct rptrec *r);
int rptrec_judge(struct rptrec *r);
/* The whole check; -1: UNKNOWN, r->setup_why says why. */
int rptrec_run(struct rptrec *r, struct mech *c, const struct rptrec_opts *o,
	       const char *domain);
/* Line 1 after "STATE - ". */
void rptrec_summary(const struct rptrec *r, enum mt_state worst,
		    struct buf *out);
void rptrec_free(struct rptrec *r);

#endif
