/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * plugin.h: what every plugin's main() does the same way: the deadline
 * watchdog, and the verdict on a failed DNS lookup.
 *
 * struct pctx bundles the run's options, resolver and result tree so that
 * the shared checks (mx.h) and a plugin's own code judge lookups alike:
 * a DNS failure is CRITICAL (the target's zone, GEN-02), a timeout is
 * --timeout-result (GEN-03), and either becomes UNKNOWN when our own
 * resolver fails to validate its trust anchor (INTERFACE.md). The resolver
 * is asked once, on the first failure; its verdict is added to the root.
 */
#ifndef MAILTLS_PLUGIN_H
#define MAILTLS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "dns.h"
#include "options.h"
#include "output.h"

struct pctx {
	const struct common_opts *co;
	struct dns_ctx *dns;
	struct node *root;
	int resolver_checked; /* 0 not yet, 1 fine, 2 broken */
	bool no_dns; /* set before plugin_open(): the run looks nothing up,
			so no resolver is made (dns stays NULL) */
};

struct tls_ctx;

/*
 * Starts a run: the deadline (-t) and its watchdog, SIGPIPE ignored (a
 * peer that drops the connection must not kill us), the TLS context
 * (cafile and load_trust as for tls_ctx_new()), the resolver (unless
 * p->no_dns), and the result tree's root named root_name. Returns 0; or prints
 * "LABEL UNKNOWN - why" and returns MT_UNKNOWN (nothing to free).
 */
int plugin_open(struct pctx *p, const char *label,
		const struct common_opts *co, const char *cafile,
		bool load_trust, struct tls_ctx **tls, const char *root_name);
/*
 * Prints "LABEL UNKNOWN - why" for a failure on our side before the result
 * tree exists, why sanitised as peer text is (no '|', no control
 * characters, 400 bytes at most: OUT-30), and returns MT_UNKNOWN.
 */
int plugin_unknown(const char *label, const char *fmt, ...) UTIL_PRINTF(2, 3);
/* Frees what plugin_open() made. */
void plugin_close(struct pctx *p, struct tls_ctx *tls);
/* Adds the run's time to the root's perfdata ('time', last of the
 * aggregates), renders the finished tree with line 1's summary in the
 * format asked for, prints it, and returns the exit code (the root's
 * worst state). */
int plugin_print(const struct pctx *p, const char *label, const char *summary);

/*
 * Arms a SIGALRM at the deadline plus half a second that prints
 * "LABEL STATE - deadline of N s passed (watchdog)" and exits with
 * --timeout-result. Every wait is bounded already; this only guards
 * against a library that blocks where it should not.
 */
void plugin_watchdog(const char *label, const struct common_opts *co);

/* The state of a failed lookup (see above). */
enum mt_state plugin_lookup_fail_state(struct pctx *p,
				       const struct dns_result *res);
/* Adds the finding for a DNS failure (not an absence) of res to n:
 * "WHAT lookup for NAME failed: OUTCOME: why" (GEN-06). */
void plugin_dns_failure(struct pctx *p, struct node *n,
			const struct dns_result *res, const char *what);
/* With -vv, the answer as a transcript line of n. */
void plugin_log_dns(const struct pctx *p, struct node *n,
		    const struct dns_result *res);

/*
 * A host or domain name as given on the command line to option opt ("-D"
 * or "-H"): letters, digits, '-' and '_' in labels of 1 to 63, at most 253
 * in all, a trailing dot dropped, into out. Returns 0; or -1 with the
 * message to print as UNKNOWN in why ("-H: not a host name: ..."). An
 * address literal (IPv4, IPv6, with or without brackets or "IPv6:") is
 * refused with a message of its own (issue 13 item 17): with has_address
 * (the plugin takes --address) it points at "-H NAME --address ADDR".
 */
int plugin_take_name(const char *opt, const char *in, bool has_address,
		     char *out, size_t outsz, char *why, size_t whysz);
/* Is s an IPv4 or IPv6 address literal, bare, in brackets, with an
 * "IPv6:" tag (RFC 5321 4.1.3) or a "%zone"? */
bool plugin_is_addr_literal(const char *s);
/* --helo: one word of 1 to 255 characters into *out; else -1 and *why. */
int plugin_opt_helo(const char *arg, const char **out, const char **why);
/*
 * The EHLO name: the one given, else this machine's FQDN when
 * gethostname() gives one, else "" (smtp.c then sends the address literal
 * of our end of each connection, RFC 5321 4.1.1.1, so no DNS is spent on
 * our own name).
 */
void plugin_default_helo(const char *given, char *out, size_t outsz);

#endif
