/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tlsa.h: the DANE mechanism (RFC 7672, RFC 7671, RFC 6698; CONFORMANCE
 * DANE): the MX RRset's, each host's addresses' and its TLSA RRset's
 * DNSSEC status, the usable records, and every address's chain matched as
 * a DANE sender matches it (dane.h). check_tlsa is this module and its
 * options.
 *
 * tlsa_run() does the whole check. The steps, for a caller that shares
 * the MX set and its sessions with other mechanisms (check_mailtls,
 * CONFORMANCE CON-01): tlsa_init(); tlsa_mx_security() after the MX
 * answer; tlsa_lookup() once the hosts' addresses are in (it asks for and
 * judges the TLSA RRsets, waiting itself); tlsa_set_sni() once the
 * sessions exist (SNI = the TLSA base name where DANE applies); after the
 * sessions ran, tlsa_judge(). tlsa_applies() tells the hosts DANE
 * applies to (secure TLSA). tlsa_anchor_ok() says whether the trust anchor
 * covers the target at all (else every answer is insecure for want of an
 * anchor: UNKNOWN, our configuration).
 */
#ifndef MAILTLS_TLSA_H
#define MAILTLS_TLSA_H

#include <stdbool.h>
#include <stddef.h>

#include "dane.h"
#include "dns.h"
#include "mech.h"
#include "range.h"
#include "util.h"

struct tlsa_opts {
	struct range warn, crit; /* days of a DANE-TA path's lifetime */
	bool dns_only, rollover, ee_expiry, all_certs;
};

enum tlsa_state {
	TS_NONE,     /* not looked up (no secure address) */
	TS_ABSENT,   /* NXDOMAIN or NODATA */
	TS_INSECURE, /* records, not secure */
	TS_FAILED,   /* SERVFAIL, bogus, timeout */
	TS_SECURE,   /* secure records (usable or not) */
};

struct tlsa_host {
	char base[DNS_NAME_MAX]; /* the TLSA base name */
	char qname[2][DNS_NAME_MAX + 16];
	struct dns_result *tlsa[2]; /* [0] expanded name, [1] original */
	size_t ncand;
	bool addr_secure;
	/* DANE-31: the addresses are insecure, the host name an alias; its
	 * CNAME RRset, asked for to see whether the alias itself is secure */
	struct dns_result *cname;
	int insecure_type; /* the address type found insecure */
	bool original_only; /* DANE-31: TLSA at the original name alone */
	enum tlsa_state ts;
	struct dane_set set;
	bool *hits; /* per record, over all addresses */
	size_t tls_addrs;
};

struct tlsa {
	struct mech *c;
	const struct tlsa_opts *o;
	const char *target;
	struct tlsa_host hx[MX_MAX_HOSTS];
	struct dane_result dr[MX_MAX_ADDRS];
	bool mx_secure;
};

bool tlsa_anchor_ok(const struct mech *c, const char *target, char *why,
		    size_t whylen);
void tlsa_init(struct tlsa *r, struct mech *c, const struct tlsa_opts *o,
	       const char *target);
void tlsa_mx_security(struct tlsa *r);
void tlsa_lookup(struct tlsa *r);
bool tlsa_applies(const struct tlsa *r, const struct mx_host *h);
void tlsa_set_sni(struct tlsa *r);
void tlsa_judge(struct tlsa *r);
/* The whole check of check_tlsa: domain's MX hosts, or host. */
void tlsa_run(struct tlsa *r, struct mech *c, const struct tlsa_opts *o,
	      const char *domain, const char *host);
/* Line 1 after "STATE - ". */
void tlsa_summary(struct tlsa *r, enum mt_state worst, struct buf *out);
void tlsa_free(struct tlsa *r);

#endif
