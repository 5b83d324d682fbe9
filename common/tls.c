/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tls.c: GnuTLS client handshakes within the deadline, the facts of the
 * peer's chain, and PKIX verification. Host names are checked by our own
 * RFC 9525 6.3 matcher (DNS-IDs only, no CN fallback, '*' only as the whole
 * left-most label), not GnuTLS's, which falls back to the CN. Dates are
 * checked against the caller's "now" (deadline.h's clock), so tests can fix
 * time; GnuTLS is told to skip its own time checks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509.h>

#include "deadline.h"
#include "tls.h"
#include "util.h"

struct tls_ctx {
	gnutls_certificate_credentials_t cred;
	bool trust_loaded;
};

/* TLS 1.0 and 1.1 are allowed so that a server stuck on them is reported
 * by version (SMTP --min-tls, RFC 8996) instead of as a failed handshake. */
static const char *const PRIORITY = "NORMAL:+VERS-TLS1.1:+VERS-TLS1.0";
/* The same, offering the signature algorithms of one key type only. */
static const char *const PRIORITY_ECDSA =
    "NORMAL:+VERS-TLS1.1:+VERS-TLS1.0:-SIGN-ALL:+SIGN-ECDSA-SHA256:"
    "+SIGN-ECDSA-SHA384:+SIGN-ECDSA-SHA512:+SIGN-ECDSA-SECP256R1-SHA256:"
    "+SIGN-ECDSA-SECP384R1-SHA384:+SIGN-ECDSA-SECP521R1-SHA512:"
    "+SIGN-ECDSA-SHA1";
static const char *const PRIORITY_RSA =
    "NORMAL:+VERS-TLS1.1:+VERS-TLS1.0:-SIGN-ALL:+SIGN-RSA-PSS-RSAE-SHA256:"
    "+SIGN-RSA-PSS-RSAE-SHA384:+SIGN-RSA-PSS-RSAE-SHA512:"
    "+SIGN-RSA-PSS-SHA256:+SIGN-RSA-PSS-SHA384:+SIGN-RSA-PSS-SHA512:"
    "+SIGN-RSA-SHA256:+SIGN-RSA-SHA384:+SIGN-RSA-SHA512:+SIGN-RSA-SHA1";

const char *
tls_keytype_name(enum tls_keytype k)
{
	return k == TLS_KEY_ECDSA ? "ECDSA" : k == TLS_KEY_RSA ? "RSA" : "";
}

struct tls_ctx *
tls_ctx_new(const char *cafile, bool load_trust, char *err, size_t errlen)
{
	struct tls_ctx *t = xcalloc(1, sizeof(*t));

	if (gnutls_certificate_allocate_credentials(&t->cred) < 0)
		util_oom();
	gnutls_certificate_set_verify_flags(
	    t->cred, GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
			 GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS);
	if (load_trust && tls_ctx_load_trust(t, cafile, err, errlen) == -1) {
		tls_ctx_free(t);
		return NULL;
	}
	return t;
}

int
tls_ctx_load_trust(struct tls_ctx *t, const char *cafile, char *err,
		   size_t errlen)
{
	int r;

	if (t->trust_loaded)
		return 0;
	if (cafile != NULL) {
		r = gnutls_certificate_set_x509_trust_file(t->cred, cafile,
							   GNUTLS_X509_FMT_PEM);
		if (r <= 0) {
			snprintf(err, errlen, "cannot load CA file %.200s: %s",
				 cafile,
				 r == 0 ? "no certificate in it"
					: gnutls_strerror(r));
			return -1;
		}
	} else {
		r = gnutls_certificate_set_x509_system_trust(t->cred);
		if (r <= 0) {
			snprintf(err, errlen,
				 "cannot load the system trust store: %s",
				 r == 0 ? "no certificate in it"
					: gnutls_strerror(r));
			return -1;
		}
	}
	t->trust_loaded = true;
	return 0;
}

void
tls_ctx_free(struct tls_ctx *t)
{
	if (t == NULL)
		return;
	gnutls_certificate_free_credentials(t->cred);
	free(t);
}

enum net_status
tls_handshake(struct conn *c, struct tls_ctx *t, const char *sni,
	      enum tls_keytype key, gnutls_session_t *out)
{
	const char *prio = key == TLS_KEY_ECDSA ? PRIORITY_ECDSA
			   : key == TLS_KEY_RSA ? PRIORITY_RSA
						: PRIORITY;
	gnutls_session_t s;
	enum net_status st;
	int r;

	*out = NULL;
	if (gnutls_init(&s,
			GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL) < 0)
		util_oom();
	if (gnutls_priority_set_direct(s, prio, NULL) < 0) {
		if (key != TLS_KEY_ANY) {
			/* never a handshake that would show another key */
			gnutls_deinit(s);
			snprintf(c->err, sizeof(c->err),
				 "our TLS library refused the %s-only "
				 "signature algorithms",
				 tls_keytype_name(key));
			return NET_ERROR;
		}
		gnutls_set_default_priority(s);
	}
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred);
	if (sni != NULL && *sni != '\0')
		gnutls_server_name_set(s, GNUTLS_NAME_DNS, sni, strlen(sni));
	gnutls_transport_set_int(s, c->fd);
	conn_attach_tls(c, s);

	for (;;) {
		r = gnutls_handshake(s);
		if (r == GNUTLS_E_SUCCESS)
			break;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED ||
		    !gnutls_error_is_fatal(r)) {
			st = conn_wait(c, gnutls_record_get_direction(s) == 0);
			if (st != NET_OK) {
				if (st == NET_TIMEOUT)
					util_strlcpy(c->err,
						     "no TLS handshake before "
						     "the deadline",
						     sizeof(c->err));
				return st;
			}
			continue;
		}
		if (r == GNUTLS_E_FATAL_ALERT_RECEIVED)
			snprintf(c->err, sizeof(c->err),
				 "TLS alert from the "
				 "server: %s",
				 gnutls_alert_get_name(gnutls_alert_get(s)));
		else if (r == GNUTLS_E_PREMATURE_TERMINATION ||
			 r == GNUTLS_E_PUSH_ERROR || r == GNUTLS_E_PULL_ERROR)
			util_strlcpy(c->err,
				     "the server closed the connection during "
				     "the TLS handshake",
				     sizeof(c->err));
		else
			snprintf(c->err, sizeof(c->err), "TLS handshake: %s",
				 gnutls_strerror(r));
		return NET_ERROR;
	}
	*out = s;
	return NET_OK;
}

void
tls_close(struct conn *c)
{
	if (c->tls == NULL)
		return;
	/* Best effort, never waits: the socket is non-blocking. */
	gnutls_bye(c->tls, GNUTLS_SHUT_WR);
	gnutls_deinit(c->tls);
	c->tls = NULL;
}

static void
copy_dn(char *dst, size_t dstsz,
	int (*get)(gnutls_x509_crt_t, gnutls_datum_t *, unsigned),
	gnutls_x509_crt_t crt)
{
	gnutls_datum_t d = {NULL, 0};

	if (get(crt, &d, 0) < 0 || d.data == NULL) {
		util_strlcpy(dst, "", dstsz);
		return;
	}
	util_strlcpy(dst, (const char *)d.data, dstsz);
	gnutls_free(d.data);
}

static void
cert_info(const gnutls_datum_t *der, struct tls_cert *tc)
{
	gnutls_x509_crt_t crt;
	char san[256];
	size_t sz;
	unsigned bits = 0, crit;
	int r, pk, sig;

	memset(tc, 0, sizeof(*tc));
	tc->der = xmalloc(der->size ? der->size : 1);
	memcpy(tc->der, der->data, der->size);
	tc->derlen = der->size;
	if (gnutls_x509_crt_init(&crt) < 0)
		util_oom();
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0) {
		util_strlcpy(tc->subject, "(unparsable certificate)",
			     sizeof(tc->subject));
		gnutls_x509_crt_deinit(crt);
		return;
	}
	copy_dn(tc->subject, sizeof(tc->subject), gnutls_x509_crt_get_dn3, crt);
	copy_dn(tc->issuer, sizeof(tc->issuer), gnutls_x509_crt_get_issuer_dn3,
		crt);
	tc->self_signed = strcmp(tc->subject, tc->issuer) == 0;
	for (unsigned i = 0; tc->nsan < TLS_SAN_MAX; i++) {
		sz = sizeof(san) - 1;
		r = gnutls_x509_crt_get_subject_alt_name(crt, i, san, &sz,
							 &crit);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (r == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (r < 0)
			break;
		if (r != GNUTLS_SAN_DNSNAME)
			continue;
		san[sz < sizeof(san) ? sz : sizeof(san) - 1] = '\0';
		util_strlcpy(tc->san[tc->nsan++], san, sizeof(tc->san[0]));
	}
	tc->not_before = gnutls_x509_crt_get_activation_time(crt);
	tc->not_after = gnutls_x509_crt_get_expiration_time(crt);
	pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
	util_strlcpy(tc->key_alg,
		     pk >= 0 && gnutls_pk_algorithm_get_name(pk) != NULL
			 ? gnutls_pk_algorithm_get_name(pk)
			 : "unknown",
		     sizeof(tc->key_alg));
	tc->key_bits = bits;
	sig = gnutls_x509_crt_get_signature_algorithm(crt);
	util_strlcpy(tc->sig_alg,
		     sig >= 0 && gnutls_sign_get_name(sig) != NULL
			 ? gnutls_sign_get_name(sig)
			 : "unknown",
		     sizeof(tc->sig_alg));
	gnutls_x509_crt_deinit(crt);
}

/* Imports the DER certificates of p; *ok[i] false for one that does not
 * parse. */
static void
import_chain(const struct tls_peer *p, gnutls_x509_crt_t *crts, bool *ok)
{
	for (size_t i = 0; i < p->ncerts; i++) {
		gnutls_datum_t d = {p->cert[i].der, (unsigned)p->cert[i].derlen};

		if (gnutls_x509_crt_init(&crts[i]) < 0)
			util_oom();
		ok[i] = gnutls_x509_crt_import(crts[i], &d,
					       GNUTLS_X509_FMT_DER) == 0;
	}
}

/* Did cand issue c: the names chain (and key identifiers agree), and
 * cand's key verifies c's signature? Dates are not looked at here. */
static bool
issued_by(gnutls_x509_crt_t c, gnutls_x509_crt_t cand)
{
	unsigned status = 0;

	if (!gnutls_x509_crt_check_issuer(c, cand))
		return false;
	if (gnutls_x509_crt_verify(c, &cand, 1,
				   GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
				       GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
				       GNUTLS_VERIFY_ALLOW_UNSORTED_CHAIN,
				   &status) < 0)
		return false;
	return (status & GNUTLS_CERT_SIGNATURE_FAILURE) == 0;
}

/* PKIX-01: flags the path a verifier builds (see tls.h). */
static void
mark_path(struct tls_peer *p, const struct tls_ctx *t)
{
	gnutls_x509_crt_t crts[TLS_CHAIN_MAX];
	bool ok[TLS_CHAIN_MAX];
	gnutls_x509_trust_list_t tl = NULL;
	size_t cur = 0;

	if (p->ncerts == 0)
		return;
	p->cert[0].on_path = true;
	import_chain(p, crts, ok);
	if (t != NULL && t->trust_loaded)
		gnutls_certificate_get_trust_list(t->cred, &tl);
	while (ok[cur]) {
		gnutls_x509_crt_t anchor = NULL;
		size_t next = p->ncerts;

		/* The trust store holds the issuer: the path ends here, the
		 * anchor (a copy sent, too) excluded. */
		if (tl != NULL &&
		    gnutls_x509_trust_list_get_issuer(
			tl, crts[cur], &anchor, GNUTLS_TL_GET_COPY) == 0) {
			gnutls_x509_crt_deinit(anchor);
			break;
		}
		if (gnutls_x509_crt_check_issuer(crts[cur], crts[cur]))
			break; /* self-issued: nothing above it */
		for (size_t j = 0; j < p->ncerts; j++)
			if (!p->cert[j].on_path && ok[j] &&
			    issued_by(crts[cur], crts[j])) {
				next = j;
				break;
			}
		if (next == p->ncerts)
			break;
		p->cert[next].on_path = true;
		cur = next;
	}
	for (size_t i = 0; i < p->ncerts; i++)
		gnutls_x509_crt_deinit(crts[i]);
}

double
tls_peer_path_left(const struct tls_peer *p, time_t now, size_t *first)
{
	double left = 0;
	bool any = false;

	*first = 0;
	for (size_t i = 0; i < p->ncerts; i++) {
		double l = (double)(p->cert[i].not_after - now);

		if (!p->cert[i].on_path || (any && l >= left))
			continue;
		left = l;
		*first = i;
		any = true;
	}
	return left;
}

void
tls_peer_info(gnutls_session_t s, const struct tls_ctx *t,
	      struct tls_peer *p)
{
	const gnutls_datum_t *chain;
	unsigned n = 0;
	char *desc;
	int v;

	memset(p, 0, sizeof(*p));
	v = gnutls_protocol_get_version(s);
	switch (v) {
	case GNUTLS_TLS1_0:
		p->version_num = 10;
		break;
	case GNUTLS_TLS1_1:
		p->version_num = 11;
		break;
	case GNUTLS_TLS1_2:
		p->version_num = 12;
		break;
	case GNUTLS_TLS1_3:
		p->version_num = 13;
		break;
	default:
		p->version_num = 0;
	}
	if (p->version_num)
		snprintf(p->version, sizeof(p->version), "TLSv%d.%d",
			 p->version_num / 10, p->version_num % 10);
	else
		util_strlcpy(p->version, "unknown", sizeof(p->version));
	desc = gnutls_session_get_desc(s);
	util_strlcpy(p->cipher, desc != NULL ? desc : "unknown",
		     sizeof(p->cipher));
	gnutls_free(desc);
	chain = gnutls_certificate_get_peers(s, &n);
	if (chain == NULL)
		n = 0;
	if (n > TLS_CHAIN_MAX) {
		p->chain_truncated = true;
		n = TLS_CHAIN_MAX;
	}
	if (n > 0)
		p->cert = xcalloc(n, sizeof(*p->cert));
	for (unsigned i = 0; i < n; i++)
		cert_info(&chain[i], &p->cert[i]);
	p->ncerts = n;
	mark_path(p, t);
}

void
tls_peer_free(struct tls_peer *p)
{
	for (size_t i = 0; i < p->ncerts; i++)
		free(p->cert[i].der);
	free(p->cert);
	p->cert = NULL;
	p->ncerts = 0;
}

/* Verifies the chain as sent (leaf first) against t's trust list;
 * dates are checked by the caller against its own clock. */
static int
verify_chain(struct tls_ctx *t, const gnutls_datum_t *chain, unsigned n,
	     unsigned *status)
{
	gnutls_x509_trust_list_t tl;
	gnutls_x509_crt_t crts[TLS_CHAIN_MAX];
	unsigned k = 0;
	int r;

	gnutls_certificate_get_trust_list(t->cred, &tl);
	if (n > TLS_CHAIN_MAX)
		n = TLS_CHAIN_MAX;
	for (; k < n; k++) {
		if (gnutls_x509_crt_init(&crts[k]) < 0)
			util_oom();
		r = gnutls_x509_crt_import(crts[k], &chain[k],
					   GNUTLS_X509_FMT_DER);
		if (r < 0) {
			gnutls_x509_crt_deinit(crts[k]);
			goto out;
		}
	}
	/* PKIX-02: a certificate for TLS servers (OpenSSL's sslserver
	 * purpose, which Postfix, Exim and Go apply). */
	gnutls_typed_vdata_st purpose = {
	    .type = GNUTLS_DT_KEY_PURPOSE_OID,
	    .data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER};

	r = gnutls_x509_trust_list_verify_crt2(
	    tl, crts, n, &purpose, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
		GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
	    status, NULL);
out:
	while (k > 0)
		gnutls_x509_crt_deinit(crts[--k]);
	return r;
}

enum pkix_result
tls_verify_pkix(gnutls_session_t s, struct tls_ctx *t, const struct tls_peer *p,
		const char *hostname, time_t now, char *why, size_t whylen)
{
	const gnutls_datum_t *chain;
	unsigned n = 0, status = 0;
	struct tls_cert tc;
	char when[40];
	bool matched = false;
	int r;

	chain = gnutls_certificate_get_peers(s, &n);
	if (chain == NULL || n == 0) {
		util_strlcpy(why, "the server sent no certificate", whylen);
		return PKIX_NO_CERT;
	}
	if (!t->trust_loaded) {
		util_strlcpy(why, "no trust store loaded", whylen);
		return PKIX_UNTRUSTED;
	}
	if (n > TLS_CHAIN_MAX) {
		snprintf(why, whylen,
			 "invalid chain: the server sent %u certificates; at "
			 "most %d are followed (senders limit the depth: "
			 "Postfix to 9)",
			 n, TLS_CHAIN_MAX);
		return PKIX_INVALID;
	}
	/* Against our trust store, not the session's credentials: a session
	 * libcurl made carries its own. */
	r = verify_chain(t, chain, n, &status);
	if (r < 0) {
		snprintf(why, whylen, "chain not verifiable: %s",
			 gnutls_strerror(r));
		return PKIX_INVALID;
	}
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND) {
		cert_info(&chain[n - 1], &tc);
		snprintf(why, whylen,
			 "untrusted: no path to a trusted root (%s issued by "
			 "'%.80s'%s)",
			 n > 1 ? "last certificate sent" : "certificate",
			 tc.issuer, tc.self_signed ? ", self-signed" : "");
		free(tc.der);
		return PKIX_UNTRUSTED;
	}
	if (status & GNUTLS_CERT_PURPOSE_MISMATCH) {
		util_strlcpy(why,
			     "not for a TLS server: its extendedKeyUsage lacks "
			     "serverAuth (RFC 5280 4.2.1.12, PKIX-02)",
			     whylen);
		return PKIX_PURPOSE;
	}
	if (status &
	    (GNUTLS_CERT_SIGNER_NOT_CA | GNUTLS_CERT_SIGNATURE_FAILURE |
	     GNUTLS_CERT_REVOKED | GNUTLS_CERT_INSECURE_ALGORITHM |
	     GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE |
	     GNUTLS_CERT_UNEXPECTED_OWNER | GNUTLS_CERT_PURPOSE_MISMATCH |
	     GNUTLS_CERT_MISMATCH | GNUTLS_CERT_INVALID)) {
		gnutls_datum_t d = {NULL, 0};

		if (gnutls_certificate_verification_status_print(
			status, GNUTLS_CRT_X509, &d, 0) == 0) {
			snprintf(why, whylen, "invalid chain: %.200s", d.data);
			gnutls_free(d.data);
		} else
			util_strlcpy(why, "invalid chain", whylen);
		return PKIX_INVALID;
	}
	/* Dates of the certificates on the path, against our clock: one
	 * sent beside it (an expired cross-signed root) counts for no sender
	 * (PKIX-01). */
	for (size_t i = 0; i < p->ncerts; i++) {
		const struct tls_cert *c = &p->cert[i];

		if (!c->on_path)
			continue;
		if (now > c->not_after) {
			util_fmt_utc(when, sizeof(when),
				     "%Y-%m-%d %H:%M:%S UTC", c->not_after);
			snprintf(why, whylen, "expired: %s '%.80s' expired %s",
				 i == 0 ? "certificate" : "chain certificate",
				 c->subject, when);
			return PKIX_EXPIRED;
		}
		if (now < c->not_before) {
			util_fmt_utc(when, sizeof(when),
				     "%Y-%m-%d %H:%M:%S UTC", c->not_before);
			snprintf(why, whylen,
				 "not yet valid: %s '%.80s' valid from %s",
				 i == 0 ? "certificate" : "chain certificate",
				 c->subject, when);
			return PKIX_NOT_YET_VALID;
		}
	}
	cert_info(&chain[0], &tc);
	free(tc.der);
	/* An address literal is matched against the IP-IDs (RFC 9525 6.2,
	 * 6.4: iPAddress SANs, never a DNS-ID or the CN; RPT-31). */
	{
		unsigned char ip[16];
		size_t iplen = tls_ip_literal(hostname, ip);

		if (iplen > 0) {
			if (tls_cert_has_ipid(chain[0].data, chain[0].size, ip,
					      iplen)) {
				snprintf(why, whylen,
					 "chain valid for the address %.100s",
					 hostname);
				return PKIX_OK;
			}
			snprintf(why, whylen,
				 "name mismatch: the address %.100s is not "
				 "among the certificate's IP addresses (RFC "
				 "9525 6.4: an address is matched against "
				 "iPAddress names only)",
				 hostname);
			return PKIX_NAME_MISMATCH;
		}
	}
	/* Every DNS-ID counts (RFC 9525 6.3), not only those kept in tc. */
	matched = tls_cert_has_dnsid(chain[0].data, chain[0].size, hostname,
				     NULL);
	if (!matched) {
		struct buf b;

		buf_init(&b);
		for (size_t i = 0; i < tc.nsan && i < 4; i++)
			buf_printf(&b, "%s%.60s", i ? ", " : "", tc.san[i]);
		snprintf(why, whylen,
			 "name mismatch: %.100s is not among the certificate's "
			 "DNS names (%s)",
			 hostname, tc.nsan ? b.p : "none; no CN fallback");
		buf_free(&b);
		return PKIX_NAME_MISMATCH;
	}
	snprintf(why, whylen, "chain valid for %.100s", hostname);
	return PKIX_OK;
}

const char *
pkix_result_name(enum pkix_result r)
{
	static const char *const names[] = {
	    [PKIX_OK] = "valid",
	    [PKIX_NO_CERT] = "no certificate",
	    [PKIX_UNTRUSTED] = "untrusted",
	    [PKIX_EXPIRED] = "expired",
	    [PKIX_NOT_YET_VALID] = "not yet valid",
	    [PKIX_NAME_MISMATCH] = "name mismatch",
	    [PKIX_INVALID] = "invalid",
	    [PKIX_PURPOSE] = "not for a TLS server",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

size_t
tls_ip_literal(const char *s, unsigned char out[16])
{
	char b[64];
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(b))
		return 0;
	memcpy(b, s, n);
	b[n] = '\0';
	if (inet_pton(AF_INET, b, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, b, out) == 1)
		return 16;
	return 0;
}

bool
tls_cert_has_ipid(const unsigned char *der, size_t derlen,
		  const unsigned char *ip, size_t iplen)
{
	gnutls_datum_t d = {(unsigned char *)der, (unsigned)derlen};
	gnutls_x509_crt_t c;
	bool matched = false;

	if (gnutls_x509_crt_init(&c) < 0)
		util_oom();
	if (gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_DER) == 0) {
		for (unsigned i = 0; !matched; i++) {
			unsigned char a[64];
			size_t sz = sizeof(a);
			unsigned crit;
			int t = gnutls_x509_crt_get_subject_alt_name(c, i, a,
								     &sz, &crit);

			if (t == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
				break;
			if (t == GNUTLS_SAN_IPADDRESS && sz == iplen &&
			    memcmp(a, ip, iplen) == 0)
				matched = true;
		}
	}
	gnutls_x509_crt_deinit(c);
	return matched;
}

bool
tls_cert_has_dnsid(const unsigned char *der, size_t derlen, const char *host,
		   bool *has_dnsid)
{
	gnutls_datum_t d = {(unsigned char *)der, (unsigned)derlen};
	gnutls_x509_crt_t c;
	bool matched = false, any = false;

	if (gnutls_x509_crt_init(&c) < 0)
		util_oom();
	if (gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_DER) == 0) {
		for (unsigned i = 0; !matched; i++) {
			char name[256];
			size_t sz = sizeof(name) - 1;
			unsigned crit;
			int t = gnutls_x509_crt_get_subject_alt_name(c, i, name,
								     &sz, &crit);

			if (t == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
				break;
			if (t != GNUTLS_SAN_DNSNAME)
				continue; /* other types, or one too long */
			name[sz < sizeof(name) ? sz : sizeof(name) - 1] = '\0';
			if (strlen(name) != sz)
				continue; /* an embedded NUL: not a name */
			any = true;
			matched = names_match_dnsid(name, host);
		}
	}
	gnutls_x509_crt_deinit(c);
	if (has_dnsid != NULL)
		*has_dnsid = any || matched;
	return matched;
}

/*
 * Labels, not bytes (issue 13 item 14): the host comes in presentation
 * form, where "mx\.a" is one label holding a dot; a pattern (a dNSName)
 * is plain text. "*" as the whole left-most label of a pattern with at
 * least two more labels stands for exactly one label.
 */
bool
names_match_dnsid(const char *pattern, const char *host)
{
	/* "*.com" never matches: two labels after the wildcard */
	return util_name_wildcard(pattern, host, 3, true);
}

int
tls_version_parse(const char *s)
{
	static const struct {
		const char *name;
		int v;
	} tab[] = {
	    {"1.0", 10},     {"1.1", 11},     {"1.2", 12},     {"1.3", 13},
	    {"tls1.0", 10},  {"tls1.1", 11},  {"tls1.2", 12},  {"tls1.3", 13},
	    {"tlsv1.0", 10}, {"tlsv1.1", 11}, {"tlsv1.2", 12}, {"tlsv1.3", 13},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (util_strcasecmp(s, tab[i].name) == 0)
			return tab[i].v;
	return -1;
}
