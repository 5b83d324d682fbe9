/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * starttls.h: the STARTTLS mechanism (RFC 3207; CONFORMANCE GEN, SMTP,
 * OUT): does every address of every MX host (or of one host) offer
 * STARTTLS, negotiate TLS at or above a floor, and present a certificate
 * that is PKIX-valid for its name (unless no_pkix) and not about to
 * expire? check_smtp_starttls is this module and its options.
 *
 * starttls_run() does the whole check as check_smtp_starttls does: the MX
 * lookup of a domain (or the one host, or the one pinned address), every
 * address, one session each, all at once (mx.h), then the verdicts.
 * starttls_judge() is the verdict part alone, over sessions the caller has
 * run (check_mailtls shares them between mechanisms, CONFORMANCE CON-01).
 * starttls_summary() writes line 1's text after "STATE - ".
 */
#ifndef MAILTLS_STARTTLS_H
#define MAILTLS_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "mech.h"
#include "range.h"
#include "util.h"

struct starttls_opts {
	struct range warn, crit; /* days of certificate lifetime */
	int min_tls;		 /* 10..13 */
	bool no_pkix;		 /* no chain and name verdict (DANE-only) */
	const char *pkix_skip;	 /* why, for the note (NULL: --no-pkix) */
	bool lifetime_warn_only; /* see mx.h (check_mailtls) */
	bool all_certs;		 /* one session per key type (tls.h) */
	/* --address: this address alone, under the host's name */
	const struct sockaddr_storage *address;
	socklen_t address_len;
};

struct starttls {
	struct mech *c;
	const struct starttls_opts *o;
	double min_left; /* seconds, over every address */
	bool seen;	 /* some certificate was seen */
	size_t ok;	 /* sessions without a finding */
};

/*
 * The whole check: domain (its MX hosts) or host (one host) as the target;
 * c's MX set is set up (mx_init()) and filled here. The findings go under
 * c->root; the aggregate perfdata on it.
 */
void starttls_run(struct starttls *s, struct mech *c,
		  const struct starttls_opts *o, const char *domain,
		  const char *host);
/* The verdicts on the sessions of c->m, run already. */
void starttls_judge(struct starttls *s, struct mech *c,
		    const struct starttls_opts *o);
/* Line 1 after "STATE - ", worst being the state of c->root's subtree. */
void starttls_summary(const struct starttls *s, enum mt_state worst,
		      struct buf *out);

#endif
