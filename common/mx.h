/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mx.h: the mail hosts of a domain and what a sending MTA finds on them.
 *
 * Shared by the plugins that look at a domain's MX hosts:
 *  - mx_submit()/mx_process(): the MX RRset into hosts, sorted by
 *    preference, with RFC 5321 5.1 (no MX: the domain is its own implicit
 *    MX) and RFC 7505 (null MX, alone or beside others) judged on the root;
 *  - mx_submit_addrs()/mx_collect(): every host's A and AAAA (per -4/-6)
 *    into a host node, a missing address CRITICAL when the caller is to
 *    connect (an OK note otherwise), an MX target that is
 *    a CNAME WARNING (RFC 5321 5.1, CONFORMANCE MXM-06), and, when asked,
 *    one address node and SMTP session per address;
 *  - mx_connect_all(): every session, at most MX_CONCURRENCY at once (a
 *    pool of threads that take the next session as they finish one);
 *  - mx_judge_addr(): one address judged as check_smtp_starttls does
 *    (STARTTLS, TLS version, PKIX for the host name, chain lifetimes).
 *
 * Findings name the rules they apply; failures that would make a sender
 * give up are judge->fail (CRITICAL, or WARNING where a policy only asks
 * for reports: MTA-STS testing mode); a timeout is --timeout-result.
 */
#ifndef MAILTLS_MX_H
#define MAILTLS_MX_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "plugin.h"
#include "range.h"
#include "smtp.h"

/* Resource bounds, far above any real domain's MX set; going over one is
 * stated on line 1 with what was left out and makes the run at least
 * WARNING (CONFORMANCE DANE-36). */
#define MX_MAX_HOSTS 256
#define MX_MAX_ADDRS 512
/* Sessions at once; the rest wait for a thread (SMTP servers and the
 * machine running the check both have limits). */
#define MX_CONCURRENCY 64

struct mx_host {
	char name[DNS_NAME_MAX];
	unsigned pref;
	bool from_mx;		  /* an MX target (not -H, not implicit) */
	char canon[DNS_NAME_MAX]; /* CNAME target, "" if none (MXM-06) */
	struct node *node;
	struct dns_result *res[2]; /* A, AAAA */
	size_t naddrs;
	bool absent; /* no address at all */
};

struct mx_addr {
	struct mx_host *host;
	struct node *node;
	struct smtp_session sess;
	struct smtp_opts sopts;
	/* --all-certs: the session of the same address asking for the
	 * other key type; keytype_absent: this one found no certificate of
	 * its type while the other did (a note, not a failure) */
	struct mx_addr *pair;
	bool keytype_absent;
};

enum mx_kind {
	MX_UNSET,    /* not looked up, or the lookup failed */
	MX_LIST,     /* MX records (null MX beside others included) */
	MX_IMPLICIT, /* no MX: the domain itself (RFC 5321 5.1) */
	MX_NULL,     /* only a null MX (RFC 7505) */
	MX_NXDOMAIN, /* the domain does not exist */
};

/* How sessions connect: EHLO name, trust store, PKIX on or off. */
struct mx_conn {
	const char *helo;
	struct tls_ctx *tls;
	time_t now;
	bool pkix; /* verify the chain for the host name */
	/* --all-certs (issue 13 item 19): two sessions per address, one
	 * asking for an ECDSA certificate and one for an RSA certificate;
	 * their nodes are "ADDRESS/ecdsa" and "ADDRESS/rsa" */
	bool all_certs;
};

struct mx_set {
	struct pctx *p;
	const char *domain;
	enum mx_kind kind;
	bool null_mx;
	bool hosts_capped; /* more than MX_MAX_HOSTS; the most preferred kept */
	size_t hosts_left; /* MX hosts over the cap, not checked */
	bool need_addrs; /* a host without address is CRITICAL even when
			    mx_collect() is not to connect (DANE) */
	struct dns_result *mx;
	struct mx_host hosts[MX_MAX_HOSTS];
	size_t nhosts;
	/*
	 * MX_MAX_ADDRS entries, calloc'ed by mx_init(): the kernel's zero
	 * pages until an address is added, so a run pays only for the
	 * addresses it has.
	 */
	struct mx_addr *addrs;
	size_t naddrs;
	bool addrs_capped;
	size_t addrs_left;     /* addresses over the cap, not checked */
	bool addrs_cap_noted;  /* its WARNING added */
	/* the session pool of mx_connect_start() */
	pthread_t pool[MX_CONCURRENCY];
	size_t npool;
	size_t next; /* the next session to run (atomic) */
};

/* How an address is judged. */
struct mx_judge {
	const struct range *warn, *crit; /* days of chain lifetime */
	int min_tls;			 /* 10..13 */
	bool no_pkix;
	enum mt_state fail;    /* state of what breaks delivery: CRITICAL */
	const char *pkix_rule; /* the rule cited for a PKIX failure */
	time_t now;
	/* where the findings go: NULL, the address's own node; a node of
	 * a mechanism's subtree in check_mailtls (mech.h) */
	struct node *node;
	const char *pkix_skip; /* why no_pkix (NULL: "--no-pkix") */
	/* lifetimes at most WARNING: the mechanisms that authenticate the
	 * server judge them in full (check_mailtls's STARTTLS, where an
	 * expired leaf under DANE-EE is delivered to by every sender) */
	bool lifetime_warn_only;
};

/* m->p and m->domain set, the rest zero; mx_free() releases it. */
void mx_init(struct mx_set *m, struct pctx *p, const char *domain);
/* Submits the MX query of m->domain; answered in dns_wait(). */
void mx_submit(struct mx_set *m);
/* The MX answer into hosts and root findings; sets m->kind. */
void mx_process(struct mx_set *m);
/* A host to check (the -H host, say); NULL if a duplicate or over cap. */
struct mx_host *mx_add_host(struct mx_set *m, const char *name, unsigned pref);
/* Submits every host's A/AAAA query (per -4/-6). */
void mx_submit_addrs(struct mx_set *m);
/*
 * Makes a node under the root for every host and judges its addresses;
 * with conn, also an address node and a session for each address.
 */
void mx_collect(struct mx_set *m, const struct mx_conn *conn);
/* One address to connect to, for host h (two sessions with
 * conn->all_certs); false when over the cap. */
bool mx_add_addr(struct mx_set *m, struct mx_host *h,
		 const struct sockaddr_storage *ss, socklen_t sslen,
		 const struct mx_conn *conn);
/* Every address of host h (from its A/AAAA answers) to connect to. */
void mx_add_host_addrs(struct mx_set *m, struct mx_host *h,
		       const struct mx_conn *conn);
/* Runs every session, MX_CONCURRENCY at once, and waits for all. A cap
 * on addresses met on the way is stated (a WARNING on the root). */
void mx_connect_all(struct mx_set *m);
/* The same in two steps, for work of the caller's own in between: start
 * the pool (what no thread could take runs in _join, in the caller's
 * thread), then wait for all. */
void mx_connect_start(struct mx_set *m);
void mx_connect_join(struct mx_set *m);
/*
 * Judges one address into its node (or j->node); returns the seconds until
 * the first certificate of its verified path expires, *seen false when
 * none was seen. Per-address perfdata is labelled by that node's name.
 */
double mx_judge_addr(const struct mx_set *m, struct mx_addr *a,
		     const struct mx_judge *j, bool *seen);
/*
 * The SMTP part of mx_judge_addr() alone: the -vv transcript, the greeting
 * and step facts, a session that failed before TLS (fail, or
 * --timeout-result for a timeout), over-long lines and injection. For
 * plugins that judge the chain their own way (DANE).
 */
void mx_judge_dialogue(const struct mx_set *m, struct mx_addr *a,
		       struct node *n, enum mt_state fail);
/*
 * The sessions that count on line 1: every address, and with --all-certs
 * every certificate of it (a key type the server lacks left out); *ok
 * (may be NULL) those whose node ended OK. Call after result_finish().
 */
size_t mx_sessions(const struct mx_set *m, size_t *ok);
/* Is a the first address of the set with its text (MX hosts may share an
 * address)? Per-address perfdata is written for the first only, so that
 * each label stands once on line 1. */
bool mx_addr_first(const struct mx_set *m, const struct mx_addr *a);
void mx_free(struct mx_set *m);

#endif
