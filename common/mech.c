/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mech.c: the context a mechanism check judges in (mech.h): its subtree,
 * and its own host and address nodes where it shares the run with others
 * (check_mailtls, CONFORMANCE CON-05).
 */
#include <stdlib.h>

#include "mech.h"
#include "util.h"

void
mech_init(struct mech *c, struct pctx *p, struct tls_ctx *tls, time_t now,
	  const char *helo, struct mx_set *m, struct node *root)
{
	c->p = p;
	c->tls = tls;
	c->now = now;
	c->helo = helo;
	c->m = m;
	c->root = root != NULL ? root : p->root;
	c->hnode = NULL;
	c->anode = NULL;
}

void
mech_free(struct mech *c)
{
	free(c->hnode);
	free(c->anode);
	c->hnode = c->anode = NULL;
}

bool
mech_alone(const struct mech *c)
{
	return c->root == c->p->root;
}

struct node *
mech_host(struct mech *c, const struct mx_host *h)
{
	size_t i = (size_t)(h - c->m->hosts);

	/* alone, or mx.c made the host's node under this mechanism's root
	 * (check_mailtls's STARTTLS) */
	if (mech_alone(c) || (h->node != NULL && h->node->parent == c->root))
		return h->node;
	if (c->hnode == NULL)
		c->hnode = xcalloc(MX_MAX_HOSTS, sizeof(*c->hnode));
	if (c->hnode[i] == NULL)
		c->hnode[i] = result_child(c->root, NODE_HOST, h->name);
	return c->hnode[i];
}

struct node *
mech_addr(struct mech *c, const struct mx_addr *a)
{
	size_t i = (size_t)(a - c->m->addrs);

	if (mech_alone(c) || a->node->parent == mech_host(c, a->host))
		return a->node;
	if (c->anode == NULL)
		c->anode = xcalloc(MX_MAX_ADDRS, sizeof(*c->anode));
	if (c->anode[i] == NULL)
		c->anode[i] = result_child(mech_host(c, a->host),
					   NODE_ADDRESS, a->node->name);
	return c->anode[i];
}
