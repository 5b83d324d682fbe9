/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dns.h: DNS lookups through an in-process validating resolver (libunbound).
 *
 * dns_ctx_new() builds a libunbound context from --resolver (forwarders,
 * "ADDR[@PORT]", repeatable; default: /etc/resolv.conf) and --trust-anchor
 * (zone-file DS/DNSKEY records; default /usr/share/dns/root.key). Every
 * owner name in the trust-anchor file is made a transparent local zone so
 * that libunbound's built-in answers (it answers the RFC 6761 "test." TLD
 * with NXDOMAIN) never hide a zone the user gave an anchor for.
 *
 * Queries are asynchronous (ub_resolve_async): dns_submit() queues one,
 * dns_wait() runs until none is pending or the run's deadline passes
 * (deadline.h); queries still pending then complete with DNS_TIMEOUT.
 * Callbacks run inside dns_wait() on the calling thread and may submit
 * further queries. A callback owns the result it is handed and frees it
 * with dns_result_free().
 *
 * Outcomes keep apart what RFC 7672 2.1 and CONFORMANCE GEN-06/DANE-02
 * keep apart: an answer, NXDOMAIN, NODATA (both "absent", with their
 * DNSSEC status), SERVFAIL/other rcodes, bogus data (with unbound's
 * reason) and no answer in time. dns_resolver_ok() tells "our resolver is
 * unreachable or broken" (UNKNOWN) from "the target's zone is broken"
 * (CRITICAL) by asking the resolver for the trust anchor's own DNSKEY.
 */
#ifndef MAILTLS_DNS_H
#define MAILTLS_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util.h"

#define DNS_T_A 1
#define DNS_T_NS 2
#define DNS_T_CNAME 5
#define DNS_T_SOA 6
#define DNS_T_MX 15
#define DNS_T_TXT 16
#define DNS_T_AAAA 28
#define DNS_T_DS 43
#define DNS_T_DNSKEY 48
#define DNS_T_TLSA 52

#define DNS_NAME_MAX 256 /* presentation form incl. NUL, no trailing dot */

enum dns_outcome {
	DNS_ANSWER,   /* data of the asked type (after CNAMEs) */
	DNS_NXDOMAIN, /* the name does not exist */
	DNS_NODATA,   /* the name exists, no data of this type */
	DNS_SERVFAIL, /* SERVFAIL or another error rcode (see rcode) */
	DNS_BOGUS,    /* DNSSEC validation failed (see why_bogus) */
	DNS_TIMEOUT,  /* no answer before the deadline */
	DNS_ERROR,    /* libunbound error (see why) */
};

enum dns_security {
	DNS_INSECURE, /* not signed, or not validated */
	DNS_SECURE,   /* validated from the trust anchor */
	DNS_SEC_BOGUS,
};

struct dns_rr {
	unsigned char *data; /* rdata, uncompressed wire format */
	size_t len;
};

struct dns_result {
	char *qname; /* as asked, no trailing dot */
	int qtype;
	enum dns_outcome outcome;
	int rcode;
	enum dns_security security;
	char *why;	 /* why_bogus or the libunbound error; may be NULL */
	char *canonname; /* after CNAMEs, no trailing dot; NULL if none */
	int ttl;
	size_t n;
	struct dns_rr *rr;
	int64_t elapsed_ms;
};

struct dns_ctx;

typedef void dns_callback(void *arg, struct dns_result *res);

/*
 * resolvers: n strings "ADDR[@PORT]" or n == 0 for resolv.conf;
 * anchor: file path or NULL for the default. Returns NULL with a message in
 * err (the caller reports UNKNOWN) when libunbound cannot be set up or the
 * anchor file cannot be read.
 */
struct dns_ctx *dns_ctx_new(const char *const *resolvers, size_t n,
			    const char *anchor, char *err, size_t errlen);
void dns_ctx_free(struct dns_ctx *ctx);

/* Queues a query; returns 0, or -1 if it could not be queued (the
 * callback is then called at once with DNS_ERROR). */
int dns_submit(struct dns_ctx *ctx, const char *name, int qtype,
	       dns_callback *cb, void *arg);
/* Runs until nothing is pending or the deadline passes. */
void dns_wait(struct dns_ctx *ctx);
/*
 * Callbacks that only keep the answer: dns_keep stores it in
 * *(struct dns_result **)arg; dns_keep_addr in ((struct dns_result **)arg)
 * [0] for an A query, [1] for AAAA (arg: a pair of slots).
 */
void dns_keep(void *arg, struct dns_result *res);
void dns_keep_addr(void *arg, struct dns_result *res);
/* Synchronous convenience: submit one query and wait for it. */
struct dns_result *dns_query(struct dns_ctx *ctx, const char *name,
			     int qtype);
void dns_result_free(struct dns_result *res);

/*
 * True when the resolver answers and validates: the trust anchor's owner
 * name's DNSKEY comes back secure within the deadline.
 */
bool dns_resolver_ok(struct dns_ctx *ctx, char *why, size_t whylen);
/*
 * Asks the same question asynchronously, beside the run's own queries, so
 * that a resolver that never answers is recognised even when the deadline
 * leaves no time for dns_resolver_ok()'s own query; dns_resolver_ok() then
 * judges that answer (a timeout included) instead of asking again.
 */
void dns_probe_submit(struct dns_ctx *ctx);

/*
 * Does a trust anchor cover name (the anchor's owner is the root, or name
 * itself, or one of its parents; labels compared, case ignored)? When
 * none does, every answer about name is insecure for want of an anchor:
 * our configuration, not the name's zone (CONFORMANCE, issue 13 item 18).
 * *first gets the first anchor's owner, for the message.
 */
bool dns_anchor_covers(const struct dns_ctx *ctx, const char *name,
		       const char **first);

const char *dns_outcome_name(enum dns_outcome o); /* "NXDOMAIN", ... */
const char *dns_security_name(enum dns_security s); /* "secure", ... */
const char *dns_type_name(int qtype);		    /* "MX", "TXT", ... */

/* Decoders of one rdata; each returns 0, or -1 when the rdata is malformed.
 * Names come out in presentation form without the trailing dot ("" for the
 * root, as in a null MX). */
int dns_rr_mx(const struct dns_rr *rr, unsigned *pref, char *name,
	      size_t namesz);
int dns_rr_cname(const struct dns_rr *rr, char *name, size_t namesz);
/* TXT: the character-strings joined with nothing between (RFC 8461 3.1);
 * *out is allocated (may hold NULs: use *outlen). */
int dns_rr_txt(const struct dns_rr *rr, char **out, size_t *outlen);
/* A / AAAA into a sockaddr with the given port. */
int dns_rr_addr(const struct dns_rr *rr, int qtype, unsigned port,
		struct sockaddr_storage *ss, socklen_t *sslen);
int dns_rr_tlsa(const struct dns_rr *rr, uint8_t *usage, uint8_t *selector,
		uint8_t *mtype, const unsigned char **data, size_t *datalen);
/* Wire-format name at buf[off] (no compression) to presentation form. */
int dns_name_to_text(const unsigned char *buf, size_t len, size_t off,
		     size_t *next, char *name, size_t namesz);

/*
 * Fills res (zeroed but for qname, qtype, elapsed_ms) from libunbound's
 * result: outcome, rcode, security, why, canonname, ttl and, for an
 * answer, a copy of the rdata (RFC 4035 4.3 states, CONFORMANCE DANE-02).
 * Used by dns.c; public so the unit tests can feed it crafted results.
 */
struct ub_result;
void dns_result_fill(struct dns_result *res, const struct ub_result *ub);

/*
 * Formats one result for -vv, peer text sanitised and bounded:
 * "good.secure.test A: ANSWER secure, 1 RR (127.2.0.1) 12ms",
 * "x.test MX: NXDOMAIN insecure 3ms", "x.test A: BOGUS (why) 5ms".
 */
void dns_result_describe(const struct dns_result *res, struct buf *out);

#endif
