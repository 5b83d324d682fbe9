/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * https.h: one HTTPS GET the way an MTA-STS sender does it (RFC 8461 3.3,
 * CONFORMANCE STP-01..STP-08), through libcurl's GnuTLS backend.
 *
 * The connection goes only to the addresses our own resolver returned
 * (CURLOPT_RESOLVE pins host:port to them), with SNI set to the host,
 * redirects never followed, no conditional or caching headers, no
 * compression asked for, the body read up to a cap (more is reported, not
 * stored), and the whole transfer within the run's deadline. The server's
 * chain is verified by tls_verify_pkix() (RFC 9525 names, no CN fallback)
 * as soon as the connection is up; a chain that fails aborts the request,
 * as a sender would. The facts of the chain are kept for lifetime checks.
 * It fails closed (CONFORMANCE PKIX-03): an option libcurl refuses (the
 * verification hook needs 7.80) or an answer that arrived without our
 * verdict on a finished handshake is HTTPS_SETUP, never a pass. It asks
 * for HTTP/1.1, what MTAs' fetchers speak (STS-33).
 * libcurl is loaded at the first call (https.c says why).
 */
#ifndef MAILTLS_HTTPS_H
#define MAILTLS_HTTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "tls.h"

enum https_fail {
	HTTPS_OK = 0,
	HTTPS_CONNECT,	/* no address reachable, refused, reset */
	HTTPS_TLS,	/* handshake failed */
	HTTPS_PKIX,	/* chain or name invalid (see pkix) */
	HTTPS_TIMEOUT,	/* the deadline passed */
	HTTPS_TOOBIG,	/* the body exceeded the cap */
	HTTPS_PROTOCOL, /* bad HTTP */
	HTTPS_SETUP,	/* we cannot fetch at all (libcurl missing): UNKNOWN */
};

struct https_result {
	enum https_fail fail;
	char why[256];
	long status;		/* HTTP status, 0 if none */
	char content_type[128]; /* as sent, "" if none */
	char location[256];	/* a redirect's target, never followed */
	char *body;		/* NUL-terminated; may hold NULs: use len */
	size_t len;
	size_t cap;
	bool tls_done;
	struct tls_peer peer;
	enum pkix_result pkix;
	char pkix_why[256];
	char addr[64];	     /* the address used */
	char http_version[12]; /* "HTTP/1.1" (STS-33), "" if unknown */
	double time_s;	     /* total transfer time */
};

/*
 * GETs https://host:port/path from one of addrs (text forms, IPv6 without
 * brackets). cafile NULL: the system store; t: the trust store (tls.h).
 * cap: body bytes kept, more is HTTPS_TOOBIG. Free with https_result_free.
 */
void https_get(const char *host, unsigned port, const char *path,
	       const char *const *addrs, size_t naddrs, struct tls_ctx *t,
	       time_t now, size_t cap, struct https_result *res);
void https_result_free(struct https_result *res);

#endif
