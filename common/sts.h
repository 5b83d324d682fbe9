/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sts.h: the MTA-STS mechanism (RFC 8461; CONFORMANCE STS, STP, STB, MXM):
 * record, policy, drift, and MX hosts judged as MTA-STS senders judge them.
 * check_mta_sts is this module and its options.
 *
 * sts_run() does the whole check. The steps, for a caller that shares the
 * MX set and its sessions (check_mailtls, CONFORMANCE CON-01, CON-02):
 * sts_submit() asks for the record and the policy host's addresses;
 * after dns_wait(), sts_process() judges the record; sts_fetch() fetches
 * the policy (while the sessions run); sts_judge() judges the policy, its
 * other addresses, the drift against the MX set, the state file and, with
 * check_mx, the sessions: all of them in a plugin of its own, those of the
 * hosts the policy covers when it shares them.
 */
#ifndef MAILTLS_STS_H
#define MAILTLS_STS_H

#include <stdbool.h>
#include <stddef.h>

#include "dns.h"
#include "https.h"
#include "mech.h"
#include "mtasts.h"
#include "range.h"
#include "util.h"

#define STS_HOST_ADDRS 16 /* addresses of the policy host fetched from */
#define STS_POLICY_CAP 65536 /* STP-08: senders read at most 64 KiB */

struct sts_opts {
	struct range warn, crit;   /* max_age, seconds */
	bool crit_set;		   /* -c given (max_age has no default) */
	struct range cwarn, ccrit; /* certificate lifetime, days */
	struct range fwarn, fcrit; /* fetch time, seconds */
	bool allow_testing;	   /* mode testing is OK */
	bool check_mx;		   /* judge the MX sessions */
	bool all_certs;		   /* (line 1's wording) */
	const char *state_file;
};

enum txt_status {
	TXT_NONE,    /* lookup failed */
	TXT_ABSENT,  /* NXDOMAIN, NODATA, or no STS record among the TXT */
	TXT_INVALID, /* one STS record, invalid; or more than one */
	TXT_OK,	     /* valid, perhaps with remarks */
};

struct sts {
	struct mech *c;
	const struct sts_opts *o;
	const char *domain;
	char policy_host[DNS_NAME_MAX + 8];
	char qname[DNS_NAME_MAX + 16];

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
	struct https_result alt[STS_HOST_ADDRS];
	size_t nalt;
	struct mtasts_policy pol;
	bool cert_seen;
	double cert_left;
	size_t uncovered, covered;
	bool covers[MX_MAX_HOSTS];  /* the policy covers this MX host */
	bool judged[MX_MAX_ADDRS];  /* this session judged (check_mx) */
};

void sts_submit(struct sts *r, struct mech *c, const struct sts_opts *o,
		const char *domain);
void sts_process(struct sts *r);
void sts_fetch(struct sts *r);
void sts_judge(struct sts *r);
/* The whole check of check_mta_sts (all_certs: --all-certs sessions). */
void sts_run(struct sts *r, struct mech *c, const struct sts_opts *o,
	     const char *domain, bool all_certs);
/* Line 1 after "STATE - ". */
void sts_summary(struct sts *r, enum mt_state worst, struct buf *out);
void sts_free(struct sts *r);

#endif
