/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mech.h: what every mechanism check (starttls.h, sts.h, dane.h's
 * dane_check.h, rptrec.h) shares in one run: the options and resolver
 * (struct pctx), the trust store, "now", the EHLO name, the domain's MX
 * set with one SMTP session per address (mx.h; CONFORMANCE CON-01,
 * CON-02), and the node its findings go under.
 *
 * Layering (STYLE.md): parsers are pure (mtasts.c, tlsrpt.c, dane.c's
 * record judging, smtp.c's reply parser); the I/O modules (dns.c, net.c,
 * tls.c, smtp.c, https.c, mx.c) fetch; a mechanism module judges on top of
 * them and adds its subtree to the result tree; a plugin's main() only
 * parses its options, makes the context, calls the mechanism and prints.
 *
 * In a plugin of its own a mechanism writes under the run's root, into the
 * host and address nodes that mx.c made there (mech_host(), mech_addr()
 * return them), so each plugin's output is what it always was. In
 * check_mailtls each mechanism has a node of its own under the domain's
 * root, and mech_host()/mech_addr() make (once) its own host and address
 * nodes below it, with the same names.
 */
#ifndef MAILTLS_MECH_H
#define MAILTLS_MECH_H

#include <stdbool.h>
#include <time.h>

#include "mx.h"
#include "output.h"
#include "plugin.h"

struct tls_ctx;

struct mech {
	struct pctx *p;	      /* options, resolver, the tree's root */
	struct tls_ctx *tls;  /* the trust store (may be loaded late) */
	time_t now;	      /* the run's "now" */
	const char *helo;     /* the EHLO name */
	struct mx_set *m;     /* the MX set and its sessions */
	struct node *root;    /* this mechanism's subtree */
	struct node **hnode;  /* its host nodes (check_mailtls), by index */
	struct node **anode;  /* its address nodes (check_mailtls) */
};

/*
 * root NULL: the run's root (a plugin of its own); else a node of its own
 * (check_mailtls). mech_free() releases what mech_host()/mech_addr() keep.
 */
void mech_init(struct mech *c, struct pctx *p, struct tls_ctx *tls,
	       time_t now, const char *helo, struct mx_set *m,
	       struct node *root);
void mech_free(struct mech *c);
/* The node of MX host h (or MX address a) in this mechanism's subtree. */
struct node *mech_host(struct mech *c, const struct mx_host *h);
struct node *mech_addr(struct mech *c, const struct mx_addr *a);
/* Is this mechanism the whole run (a plugin of its own)? */
bool mech_alone(const struct mech *c);

#endif
