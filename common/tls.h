/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tls.h: GnuTLS client sessions, the facts of a peer's chain, and PKIX
 * verification with RFC 9525 name checks.
 *
 * tls_ctx_new() loads the trust store (--cafile, or the system store) only
 * when asked to, so a check that never verifies a chain never parses one.
 * tls_handshake() runs a client handshake on a connected struct conn with
 * SNI always set (RFC 8461 7.1, RFC 7672 8.1, CONFORMANCE SMTP-12) and
 * every TLS version GnuTLS allows from 1.0 up, so that a server stuck on an
 * old version is reported as such rather than as a failed handshake; it
 * never waits past the deadline. tls_peer_info() copies the negotiated
 * protocol and cipher suite and, per certificate of the chain as sent, the
 * subject, issuer, DNS-IDs, validity, key and signature algorithm and the
 * DER bytes (for DANE matching). tls_verify_pkix() checks the chain against
 * the trust store and the reference host name, and says which of
 * untrusted, expired, not yet valid or name mismatch went wrong.
 *
 * Host-name matching (names_match_dnsid) follows RFC 9525 6.3: DNS-IDs
 * only, no CN fallback, '*' only as the whole left-most label, matching
 * exactly one label, case-insensitive, a trailing dot ignored.
 */
#ifndef MAILTLS_TLS_H
#define MAILTLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "net.h"

#define TLS_CHAIN_MAX 16
#define TLS_SAN_MAX 16

struct tls_ctx;

/*
 * load_trust: load cafile (PEM bundle) or, when cafile is NULL, the system
 * store. Returns NULL with a message in err (UNKNOWN for the caller) when
 * the store cannot be loaded or holds no certificate.
 */
struct tls_ctx *tls_ctx_new(const char *cafile, bool load_trust, char *err,
			    size_t errlen);
/*
 * Loads the trust store into a context made without it, once a run knows
 * it will verify a chain (check_tlsrpt_record: an https: destination).
 * 0 when loaded (now or before); -1 with a message in err.
 */
int tls_ctx_load_trust(struct tls_ctx *t, const char *cafile, char *err,
		       size_t errlen);
void tls_ctx_free(struct tls_ctx *t);

struct tls_cert {
	char subject[256];
	char issuer[256];
	char san[TLS_SAN_MAX][256]; /* dNSName entries */
	size_t nsan;
	time_t not_before, not_after;
	char key_alg[16];  /* "RSA", "ECDSA", "EdDSA (Ed25519)", ... */
	unsigned key_bits;
	char sig_alg[48];  /* "RSA-SHA256", ... */
	bool self_signed;  /* issuer DN == subject DN */
	unsigned char *der;
	size_t derlen;
	/* on the path a verifier builds from the leaf (PKIX-01): the leaf,
	 * then each issuer among the certificates sent, up to the one a
	 * trust anchor issued (the anchor itself, sent or not, excluded) */
	bool on_path;
};

struct tls_peer {
	char version[16]; /* "TLSv1.3" */
	int version_num;  /* 10, 11, 12, 13 for TLS 1.0 .. 1.3, 0 unknown */
	char cipher[128];
	size_t ncerts; /* certificates as sent, leaf first */
	/* ncerts of them (NULL when none), allocated by tls_peer_info() and
	 * freed by tls_peer_free(): a session that never got a chain pays
	 * nothing for the 16 it could hold */
	struct tls_cert *cert;
	bool chain_truncated; /* more than TLS_CHAIN_MAX were sent */
};

/*
 * The server's certificate to ask for (issue 13 item 19): any (what our
 * library prefers), or only one whose key signs with ECDSA or with RSA
 * (RSA-PSS included), by offering only those signature algorithms. A
 * server with an ECDSA and an RSA certificate shows each to the senders
 * that offer its algorithms.
 */
enum tls_keytype {
	TLS_KEY_ANY = 0,
	TLS_KEY_ECDSA,
	TLS_KEY_RSA,
};
const char *tls_keytype_name(enum tls_keytype k); /* "ECDSA", "RSA", "" */

enum pkix_result {
	PKIX_OK = 0,
	PKIX_NO_CERT,	   /* the peer sent none */
	PKIX_UNTRUSTED,	   /* no path to a trusted root */
	PKIX_EXPIRED,	   /* a certificate of the path has expired */
	PKIX_NOT_YET_VALID,
	PKIX_NAME_MISMATCH, /* chain fine, no DNS-ID matches the name */
	PKIX_INVALID,	   /* bad signature, revoked, insecure algorithm... */
	PKIX_PURPOSE,	   /* a certificate not for TLS servers (PKIX-02) */
};

/*
 * Handshake on c (already connected, plain buffer drained by the caller
 * with conn_attach_tls semantics done here). On success *out is the live
 * session (also attached to c) and NET_OK is returned; on failure c->err
 * says why ("TLS alert: handshake failure", "peer closed during the
 * handshake").
 */
enum net_status tls_handshake(struct conn *c, struct tls_ctx *t,
			      const char *sni, enum tls_keytype key,
			      gnutls_session_t *out);
/*
 * Fills *p (empty: zeroed or tls_peer_free()d) from a live session;
 * tls_peer_free() frees what it allocates. The certificates of the path
 * are flagged on_path (PKIX-01): from the leaf, each next one is a
 * certificate sent that issued the one before (names and signature),
 * until t's trust store (t NULL or without a store: none) holds the
 * issuer. So an extra certificate sent (an expired cross-signed copy of a
 * trusted root, an unused intermediate) is off the path.
 */
void tls_peer_info(gnutls_session_t s, const struct tls_ctx *t,
		   struct tls_peer *p);
/*
 * Seconds from now to the first expiry on p's path (negative: expired),
 * *first the position of that certificate in the chain; 0 with *first 0
 * when p holds no certificate.
 */
double tls_peer_path_left(const struct tls_peer *p, time_t now,
			  size_t *first);
void tls_peer_free(struct tls_peer *p);
/*
 * Verifies the chain sent in s against t's trust store for a TLS server
 * (extendedKeyUsage serverAuth where present, PKIX-02), the dates at
 * `now` of the certificates on p's path only (p filled by tls_peer_info()
 * with the same t; PKIX-01), then the host name against the leaf's
 * DNS-IDs. why gets a sentence.
 */
enum pkix_result tls_verify_pkix(gnutls_session_t s, struct tls_ctx *t,
				 const struct tls_peer *p,
				 const char *hostname, time_t now, char *why,
				 size_t whylen);
const char *pkix_result_name(enum pkix_result r); /* "untrusted", ... */
/* Sends close_notify (best effort) and frees the session. */
void tls_close(struct conn *c);

/* Does any dNSName SAN of the DER certificate match host (RFC 9525 6.3)?
 * All of them are read, however many. *has_dnsid (may be NULL): whether
 * it has any. */
bool tls_cert_has_dnsid(const unsigned char *der, size_t derlen,
			const char *host, bool *has_dnsid);
/* The address of an IPv4 or IPv6 literal (IPv6 in brackets or not) into
 * out: 4 or 16, or 0 when s is not one. */
size_t tls_ip_literal(const char *s, unsigned char out[16]);
/* Does any iPAddress SAN of the DER certificate equal ip (iplen 4 or 16
 * octets; RFC 9525 6.4 IP-ID)? */
bool tls_cert_has_ipid(const unsigned char *der, size_t derlen,
		       const unsigned char *ip, size_t iplen);
/* RFC 9525 6.3 matching of one DNS-ID pattern against a host name. */
bool names_match_dnsid(const char *pattern, const char *host);
/* Parses "1.2" / "1.3" / "1.0" / "1.1" into 12 / 13 / 10 / 11, or -1. */
int tls_version_parse(const char *s);

#endif
