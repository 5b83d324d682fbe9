/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dane.c: TLSA records judged (RFC 6698 2.1, RFC 7671 9, RFC 7672 3.1)
 * and matched against a chain as sent (RFC 7672 3.1.1, 3.1.2, 3.2),
 * see dane.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "dane.h"
#include "util.h"

const char *
dane_usage_name(uint8_t u)
{
	static const char *const n[] = {"PKIX-TA", "PKIX-EE", "DANE-TA",
					"DANE-EE"};

	return u < 4 ? n[u] : u == 255 ? "PrivCert" : "unassigned";
}

const char *
dane_selector_name(uint8_t s)
{
	return s == 0	  ? "Cert"
	       : s == 1	  ? "SPKI"
	       : s == 255 ? "PrivSel"
			  : "unassigned";
}

const char *
dane_mtype_name(uint8_t m)
{
	return m == 0	  ? "Full"
	       : m == 1	  ? "SHA2-256"
	       : m == 2	  ? "SHA2-512"
	       : m == 255 ? "PrivMatch"
			  : "unassigned";
}

/* Hex of n bytes, shortened to "head..tail" of keep digits each. */
static void
hex_short(const unsigned char *p, size_t n, size_t keep, char *out,
	  size_t outsz)
{
	char *full = xmalloc(2 * n + 1);

	util_hex(p, n, full);
	if (keep == 0 || 2 * n <= 2 * keep + 2)
		snprintf(out, outsz, "%s", full);
	else
		snprintf(out, outsz, "%.*s..%s", (int)keep, full,
			 full + 2 * n - keep);
	free(full);
}

char *
dane_rec_text(const struct dane_rec *r, size_t keep, char *out, size_t outsz)
{
	char head[80];
	char *data;
	size_t hl, room;

	hl = (size_t)snprintf(
	    head, sizeof(head), "%u %u %u (%s %s %s) ", r->usage, r->selector,
	    r->mtype, dane_usage_name(r->usage),
	    dane_selector_name(r->selector), dane_mtype_name(r->mtype));
	if (r->len == 0) {
		snprintf(out, outsz, "%s(no data)", head);
		return out;
	}
	/* keep 0: the whole data when it fits in out, else 64 digits of
	 * each end. */
	room = outsz > hl ? outsz - hl : 0;
	if (keep == 0 && 2 * r->len < room)
		keep = r->len;
	else if (keep == 0)
		keep = 64;
	data = xmalloc(2 * r->len + 1);
	hex_short(r->data, r->len, keep == r->len ? 0 : keep, data,
		  2 * r->len + 1);
	snprintf(out, outsz, "%s%s", head, data);
	free(data);
	return out;
}

/* ---- a bounded DER walker (DANE-30) ------------------------------------
 *
 * Selector SPKI(1) hashes the SubjectPublicKeyInfo as it stands in the
 * certificate (RFC 6698 2.1.3), so the bytes are cut out of the DER here,
 * never re-encoded by the TLS library (which re-encodes RSA-PSS
 * parameters its own way and cannot import every EC key: compressed
 * points, explicit curve parameters). Only the structure is read: tags,
 * lengths, and that each element lies inside its parent; nothing is read
 * past the length given.
 */

/*
 * The DER element at p[0..n): its tag (one octet: low tag numbers only),
 * header and contents lengths. -1 when it is not one: no room for the
 * header, an indefinite or over four octets long length, contents
 * running past n.
 */
static int
der_tlv(const unsigned char *p, size_t n, unsigned *tag, size_t *hdr,
	size_t *len)
{
	size_t h = 2, l, k;

	if (n < 2 || (p[0] & 0x1f) == 0x1f)
		return -1;
	l = p[1];
	if (l & 0x80) {
		k = l & 0x7f;
		if (k == 0 || k > 4 || n - 2 < k)
			return -1;
		l = 0;
		for (size_t i = 0; i < k; i++)
			l = l << 8 | p[2 + i];
		h += k;
	}
	if (l > n - h)
		return -1;
	*tag = p[0];
	*hdr = h;
	*len = l;
	return 0;
}

/* The element at p[*pos] inside p[..end) has tag `want` (0: any); on
 * success *pos moves past it and *start / *clen give its contents. */
static bool
der_take(const unsigned char *p, size_t end, size_t *pos, unsigned want,
	 size_t *start, size_t *clen)
{
	unsigned tag;
	size_t h, l;

	if (*pos >= end || der_tlv(p + *pos, end - *pos, &tag, &h, &l) < 0 ||
	    (want != 0 && tag != want))
		return false;
	if (start != NULL)
		*start = *pos + h;
	if (clen != NULL)
		*clen = l;
	*pos += h + l;
	return true;
}

enum {
	DER_INT = 0x02,
	DER_BITS = 0x03,
	DER_OID = 0x06,
	DER_SEQ = 0x30,
	DER_CTX0 = 0xa0,
};

/*
 * p[0..n) is exactly one SubjectPublicKeyInfo (RFC 5280 4.1.2.7):
 * SEQUENCE { AlgorithmIdentifier SEQUENCE { OID, parameters ANY
 * OPTIONAL }, subjectPublicKey BIT STRING }. The key itself is not read.
 */
static bool
der_spki_ok(const unsigned char *p, size_t n)
{
	size_t pos = 0, in, inlen, a, alen, bits, blen, apos;

	if (!der_take(p, n, &pos, DER_SEQ, &in, &inlen) || pos != n)
		return false;
	pos = in;
	if (!der_take(p, in + inlen, &pos, DER_SEQ, &a, &alen))
		return false;
	apos = a;
	if (!der_take(p, a + alen, &apos, DER_OID, NULL, NULL))
		return false;
	if (apos < a + alen && !der_take(p, a + alen, &apos, 0, NULL, NULL))
		return false;
	if (apos != a + alen)
		return false; /* more than OID and parameters */
	if (!der_take(p, in + inlen, &pos, DER_BITS, &bits, &blen) ||
	    blen < 1 || p[bits] > 7)
		return false;
	return pos == in + inlen;
}

/* Where the parts of a DER certificate stand (offsets into it). */
struct der_cert {
	size_t tbs, tbslen;   /* tbsCertificate, whole TLV */
	size_t spki, spkilen; /* subjectPublicKeyInfo, whole TLV */
	size_t sig, siglen;   /* signatureValue's octets (after the
				 unused-bits octet) */
};

static int
der_cert_parts(const unsigned char *der, size_t derlen, struct der_cert *c)
{
	size_t pos = 0, in, inlen, tbs, tbslen, spki, sig, siglen;

	/* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
	 * signatureValue }, filling der exactly */
	if (der == NULL || !der_take(der, derlen, &pos, DER_SEQ, &in, &inlen) ||
	    pos != derlen)
		return -1;
	pos = in;
	c->tbs = pos;
	if (!der_take(der, in + inlen, &pos, DER_SEQ, &tbs, &tbslen))
		return -1;
	c->tbslen = pos - c->tbs;
	if (!der_take(der, in + inlen, &pos, DER_SEQ, NULL, NULL) ||
	    !der_take(der, in + inlen, &pos, DER_BITS, &sig, &siglen) ||
	    pos != in + inlen || siglen < 1 || der[sig] != 0)
		return -1;
	c->sig = sig + 1;
	c->siglen = siglen - 1;
	/* tbsCertificate: [0] version OPTIONAL, serialNumber, signature,
	 * issuer, validity, subject, subjectPublicKeyInfo, ... */
	pos = tbs;
	if (pos < tbs + tbslen && der[pos] == DER_CTX0 &&
	    !der_take(der, tbs + tbslen, &pos, DER_CTX0, NULL, NULL))
		return -1;
	if (!der_take(der, tbs + tbslen, &pos, DER_INT, NULL, NULL))
		return -1;
	for (int i = 0; i < 4; i++) /* signature, issuer, validity, subject */
		if (!der_take(der, tbs + tbslen, &pos, DER_SEQ, NULL, NULL))
			return -1;
	spki = pos;
	if (!der_take(der, tbs + tbslen, &pos, DER_SEQ, NULL, NULL) ||
	    !der_spki_ok(der + spki, pos - spki))
		return -1;
	c->spki = spki;
	c->spkilen = pos - spki;
	return 0;
}

int
dane_cert_spki(const unsigned char *der, size_t derlen, size_t *off,
	       size_t *len)
{
	struct der_cert c;

	if (der_cert_parts(der, derlen, &c) < 0)
		return -1;
	*off = c.spki;
	*len = c.spkilen;
	return 0;
}

/* d is a certificate the library can read (selector Cert(0)). */
static bool
cert_parses(const unsigned char *d, size_t len)
{
	gnutls_datum_t dt = {(unsigned char *)d, (unsigned)len};
	gnutls_x509_crt_t c;
	bool ok;

	if (gnutls_x509_crt_init(&c) < 0)
		util_oom();
	ok = gnutls_x509_crt_import(c, &dt, GNUTLS_X509_FMT_DER) == 0;
	gnutls_x509_crt_deinit(c);
	return ok;
}

/* Full data (matching type 0) parses as what the selector names? A
 * certificate through the library; an SPKI as DER only (DANE-30: a key
 * the library cannot import is still a key). */
static bool
full_parses(uint8_t selector, const unsigned char *d, size_t len)
{
	return selector == DANE_SEL_SPKI ? der_spki_ok(d, len)
					 : cert_parses(d, len);
}

static void
judge(struct dane_rec *r)
{
	r->usable = false;
	if (r->usage == DANE_USAGE_PKIX_TA || r->usage == DANE_USAGE_PKIX_EE) {
		snprintf(r->why, sizeof(r->why),
			 "RFC 7672 3.1.3 (DANE-11): usage %u (%s) is not used "
			 "for SMTP",
			 r->usage, dane_usage_name(r->usage));
		return;
	}
	if (r->usage != DANE_USAGE_DANE_TA && r->usage != DANE_USAGE_DANE_EE) {
		snprintf(r->why, sizeof(r->why),
			 "RFC 6698 2.1.1 (DANE-11): unknown usage %u",
			 r->usage);
		return;
	}
	if (r->selector > DANE_SEL_SPKI) {
		snprintf(r->why, sizeof(r->why),
			 "RFC 6698 2.1.2 (DANE-11): unknown selector %u",
			 r->selector);
		return;
	}
	switch (r->mtype) {
	case DANE_MT_FULL:
		if (!full_parses(r->selector, r->data, r->len)) {
			snprintf(r->why, sizeof(r->why),
				 "RFC 7671 9 (DANE-12): the full data (%zu "
				 "octets) is not a DER %s",
				 r->len,
				 r->selector == DANE_SEL_CERT
				     ? "certificate"
				     : "SubjectPublicKeyInfo");
			return;
		}
		break;
	case DANE_MT_SHA256:
	case DANE_MT_SHA512: {
		size_t want = r->mtype == DANE_MT_SHA256 ? 32 : 64;

		if (r->len != want) {
			snprintf(r->why, sizeof(r->why),
				 "RFC 7671 9 (DANE-12): a %s digest is %zu "
				 "octets, this one %zu",
				 dane_mtype_name(r->mtype), want, r->len);
			return;
		}
		break;
	}
	default:
		snprintf(r->why, sizeof(r->why),
			 "RFC 6698 2.1.3 (DANE-11): unknown matching type %u",
			 r->mtype);
		return;
	}
	r->usable = true;
}

void
dane_set_add(struct dane_set *s, uint8_t usage, uint8_t selector, uint8_t mtype,
	     const unsigned char *data, size_t len)
{
	struct dane_rec *r;

	s->rec = xrealloc(s->rec, (s->n + 1) * sizeof(*s->rec));
	r = &s->rec[s->n++];
	memset(r, 0, sizeof(*r));
	r->usage = usage;
	r->selector = selector;
	r->mtype = mtype;
	r->len = len;
	r->data = xmalloc(len ? len : 1);
	if (len)
		memcpy(r->data, data, len);
	judge(r);
	s->nusable += r->usable;
}

void
dane_set_agility(struct dane_set *s)
{
	/* Per usage and selector, the strongest digest present wins. */
	for (size_t i = 0; i < s->n; i++) {
		struct dane_rec *r = &s->rec[i];

		if (!r->usable || r->superseded || r->mtype != DANE_MT_SHA256)
			continue;
		for (size_t k = 0; k < s->n; k++) {
			const struct dane_rec *o = &s->rec[k];

			if (o->usable && o->usage == r->usage &&
			    o->selector == r->selector &&
			    o->mtype == DANE_MT_SHA512) {
				r->superseded = true;
				snprintf(r->why, sizeof(r->why),
					 "RFC 7671 9 (DANE-13): superseded by "
					 "the %u %u 2 (SHA2-512) record%s",
					 r->usage, r->selector,
					 " of the same usage and selector");
				s->nusable--;
				break;
			}
		}
	}
}

void
dane_set_free(struct dane_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->rec[i].data);
	free(s->rec);
	memset(s, 0, sizeof(*s));
}

size_t
dane_cert_data(const unsigned char *der, size_t derlen, uint8_t selector,
	       uint8_t mtype, unsigned char *out, size_t outsz)
{
	const unsigned char *src = der;
	size_t srclen = derlen, off, n = 0;

	if (selector == DANE_SEL_SPKI) {
		/* DANE-30: the bytes as they stand in the certificate */
		if (dane_cert_spki(der, derlen, &off, &srclen) < 0)
			return 0;
		src = der + off;
	} else if (selector != DANE_SEL_CERT || !cert_parses(der, derlen))
		return 0; /* not a certificate: nothing can match it */
	switch (mtype) {
	case DANE_MT_FULL:
		if (srclen <= outsz) {
			memcpy(out, src, srclen);
			n = srclen;
		}
		break;
	case DANE_MT_SHA256:
		if (outsz >= 32 &&
		    gnutls_hash_fast(GNUTLS_DIG_SHA256, src, srclen, out) == 0)
			n = 32;
		break;
	case DANE_MT_SHA512:
		if (outsz >= 64 &&
		    gnutls_hash_fast(GNUTLS_DIG_SHA512, src, srclen, out) == 0)
			n = 64;
		break;
	}
	return n;
}

/* Does certificate der match record r? */
static bool
rec_matches(const struct dane_rec *r, const struct tls_cert *cert)
{
	/* Full data is at most the certificate itself; digests 64. */
	size_t sz = cert->derlen + 64, n;
	unsigned char *buf = xmalloc(sz);
	bool ok;

	n = dane_cert_data(cert->der, cert->derlen, r->selector, r->mtype, buf,
			   sz);
	ok = n > 0 && n == r->len && memcmp(buf, r->data, n) == 0;
	free(buf);
	return ok;
}

/* The leaf's CN, for DANE-17 when it has no DNS-ID. */
static void
leaf_cn(const struct tls_cert *leaf, char *out, size_t outsz)
{
	gnutls_datum_t in = {leaf->der, (unsigned)leaf->derlen};
	gnutls_x509_crt_t c;
	size_t sz = outsz;

	out[0] = '\0';
	if (gnutls_x509_crt_init(&c) < 0)
		util_oom();
	if (gnutls_x509_crt_import(c, &in, GNUTLS_X509_FMT_DER) == 0 &&
	    gnutls_x509_crt_get_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
					  out, &sz) < 0)
		out[0] = '\0';
	gnutls_x509_crt_deinit(c);
}

/* PKIX-02 (RFC 5280 4.2.1.12): crt has no extendedKeyUsage, or one that
 * includes serverAuth or anyExtendedKeyUsage. */
static bool
serves_tls_server(gnutls_x509_crt_t crt)
{
	char oid[128];

	for (unsigned i = 0; i < 256; i++) {
		size_t sz = sizeof(oid);
		int r =
		    gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &sz, NULL);

		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return i == 0; /* none at all: any purpose */
		if (r == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue; /* an OID longer than any we look for */
		if (r < 0)
			return false; /* an extension that does not parse */
		if (strcmp(oid, GNUTLS_KP_TLS_WWW_SERVER) == 0 ||
		    strcmp(oid, GNUTLS_KP_ANY) == 0)
			return true;
	}
	return false;
}

/*
 * DANE-TA (DANE-16, DANE-17): the path from the leaf up to chain[depth],
 * that certificate taken as the trust anchor; signatures, then dates of
 * the certificates below it at `now`, then the leaf's names.
 */
static bool
ta_path_ok(const struct tls_cert *chain, size_t depth, uint8_t selector,
	   bool bare, const char *const *names, size_t nnames, time_t now,
	   char *why, size_t whysz)
{
	gnutls_x509_trust_list_t tl;
	gnutls_x509_crt_t crts[TLS_CHAIN_MAX], ta;
	gnutls_typed_vdata_st server_purpose = {
	    GNUTLS_DT_KEY_PURPOSE_OID,
	    (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER, 0};
	gnutls_datum_t d;
	unsigned status = 0, k = 0;
	char when[40], cn[256];
	bool ok = false, named = false;
	int r;

	if (depth >= TLS_CHAIN_MAX) {
		snprintf(why, whysz,
			 "the trust anchor is %zu certificates above the leaf "
			 "(at most %d are followed)",
			 depth, TLS_CHAIN_MAX - 1);
		return false;
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0 ||
	    gnutls_x509_crt_init(&ta) < 0)
		util_oom();
	d = (gnutls_datum_t){chain[depth].der, (unsigned)chain[depth].derlen};
	if (gnutls_x509_crt_import(ta, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(ta);
		snprintf(why, whysz, "the trust anchor does not parse");
		goto out;
	}
	gnutls_x509_trust_list_add_cas(tl, &ta, 1, 0); /* tl owns ta */
	for (; k < depth; k++) {
		if (gnutls_x509_crt_init(&crts[k]) < 0)
			util_oom();
		d = (gnutls_datum_t){chain[k].der, (unsigned)chain[k].derlen};
		if (gnutls_x509_crt_import(crts[k], &d, GNUTLS_X509_FMT_DER) <
		    0) {
			gnutls_x509_crt_deinit(crts[k]);
			snprintf(why, whysz,
				 "chain certificate %u does not "
				 "parse",
				 k);
			goto out;
		}
	}
	/* DANE-35: the leaf itself signed by a bare key (its signature
	 * checked by the caller): no path to verify, its purpose only */
	if (depth == 0 && !serves_tls_server(ta)) {
		snprintf(why, whysz,
			 "RFC 5280 4.2.1.12 (PKIX-02): the leaf '%.80s' has an "
			 "extendedKeyUsage without serverAuth: not for a TLS "
			 "server",
			 chain[0].subject);
		goto out;
	}
	/* PKIX-02: the path is for a TLS server (RFC 7672 3.2 leaves DANE-TA
	 * to PKIX path rules): an extendedKeyUsage without serverAuth (or
	 * anyExtendedKeyUsage) fails it. */
	r = depth == 0 ? 0
		       : gnutls_x509_trust_list_verify_crt2(
			     tl, crts, depth, &server_purpose, 1,
			     GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
				 GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
				 GNUTLS_VERIFY_ALLOW_UNSORTED_CHAIN,
			     &status, NULL);
	/* DANE-16: with selector SPKI(1) the anchor is a bare key: the
	 * constraints of the certificate that carried it do not count. */
	if (r == 0 && selector == DANE_SEL_SPKI && depth == 1)
		status &= ~(unsigned)(GNUTLS_CERT_SIGNER_NOT_CA |
				      GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE |
				      GNUTLS_CERT_INVALID);
	if (r == 0 && (status & GNUTLS_CERT_PURPOSE_MISMATCH)) {
		unsigned bad = 0;

		while (bad < depth && serves_tls_server(crts[bad]))
			bad++;
		/* only the anchor's own EKU: a bare key (2 1 x) has none */
		if (bad == depth && selector == DANE_SEL_SPKI)
			status &= ~(unsigned)(GNUTLS_CERT_PURPOSE_MISMATCH |
					      GNUTLS_CERT_INVALID);
		else {
			snprintf(
			    why, whysz,
			    "RFC 5280 4.2.1.12 (PKIX-02): %s '%.80s' has an "
			    "extendedKeyUsage without serverAuth: not for "
			    "a TLS server",
			    bad == 0	   ? "the leaf"
			    : bad == depth ? "the trust anchor"
					   : "a chain certificate",
			    chain[bad].subject);
			goto out;
		}
	}
	if (r < 0 || status != 0) {
		gnutls_datum_t p = {NULL, 0};

		if (r == 0 && gnutls_certificate_verification_status_print(
				  status, GNUTLS_CRT_X509, &p, 0) == 0) {
			snprintf(why, whysz,
				 "the path to it does not verify: "
				 "%.150s",
				 p.data);
			gnutls_free(p.data);
		} else
			snprintf(why, whysz, "the path to it does not verify");
		goto out;
	}
	/* Dates from the leaf up to the trust anchor sent, whatever the
	 * selector (item 11 of issue 13: under 2 1 x the certificate that
	 * carries the key is sent, and its dates count as under 2 0 x, as
	 * OpenSSL checks a trust anchor found in the chain); the one that
	 * is out of date is named. */
	for (size_t i = 0; i <= depth; i++) {
		if (now > chain[i].not_after || now < chain[i].not_before) {
			char what[40];

			util_fmt_utc(when, sizeof(when), "%Y-%m-%d",
				     now > chain[i].not_after
					 ? chain[i].not_after
					 : chain[i].not_before);
			if (i == depth)
				snprintf(what, sizeof(what), "%s",
					 bare ? "the top certificate sent"
					      : "the trust anchor");
			else
				snprintf(what, sizeof(what),
					 "chain certificate %zu", i);
			/* "the leaf 'X' expired on D" as before; the one
			 * above it named as a DANE-TA certificate */
			snprintf(why, whysz, "%s '%.80s'%s%s%s %s %s (DANE-16)",
				 i ? "the DANE-TA certificate" : "the leaf",
				 chain[i].subject, i || bare ? " (" : "",
				 i || bare ? what : "", i || bare ? ")" : "",
				 now > chain[i].not_after
				     ? "expired on"
				     : "is valid only from",
				 when);
			goto out;
		}
	}
	/* DANE-17: DNS-IDs when there are any, else the CN. */
	bool has_dnsid = chain[0].nsan > 0;

	for (size_t j = 0; j < nnames && !named; j++)
		named = tls_cert_has_dnsid(chain[0].der, chain[0].derlen,
					   names[j], &has_dnsid);
	if (!has_dnsid) {
		leaf_cn(&chain[0], cn, sizeof(cn));
		for (size_t j = 0; j < nnames && !named && cn[0]; j++)
			named = names_match_dnsid(cn, names[j]);
	}
	if (!named) {
		snprintf(
		    why, whysz,
		    "RFC 7672 3.2.2 (DANE-17): the leaf names %.50s%s, not "
		    "%.50s%s",
		    chain[0].nsan ? chain[0].san[0] : "no DNS-ID",
		    chain[0].nsan > 1 ? " ..." : "", names[0],
		    nnames > 1 ? " or the next-hop domain" : "");
		goto out;
	}
	ok = true;
out:
	while (k > 0)
		gnutls_x509_crt_deinit(crts[--k]);
	gnutls_x509_trust_list_deinit(tl, 1);
	return ok;
}

/* What the chain offers, for a "no match" message. */
static void
describe_seen(const struct dane_set *s, const struct tls_cert *chain,
	      size_t ncerts, struct buf *b)
{
	bool want[2][3] = {{false}};
	unsigned char d[64];
	char h[40];

	for (size_t i = 0; i < s->n; i++)
		if (s->rec[i].usable && !s->rec[i].superseded &&
		    s->rec[i].usage == DANE_USAGE_DANE_EE &&
		    s->rec[i].mtype != DANE_MT_FULL)
			want[s->rec[i].selector][s->rec[i].mtype] = true;
	for (int sel = 0; sel < 2; sel++)
		for (int mt = 1; mt < 3; mt++) {
			size_t n;

			if (!want[sel][mt])
				continue;
			n = dane_cert_data(chain[0].der, chain[0].derlen,
					   (uint8_t)sel, (uint8_t)mt, d,
					   sizeof(d));
			if (n == 0)
				continue;
			hex_short(d, n, 8, h, sizeof(h));
			buf_printf(b, "; the leaf's %s %s is %s",
				   dane_selector_name((uint8_t)sel),
				   dane_mtype_name((uint8_t)mt), h);
		}
	for (size_t i = 0; i < s->n; i++)
		if (s->rec[i].usable && !s->rec[i].superseded &&
		    s->rec[i].usage == DANE_USAGE_DANE_TA) {
			buf_puts(b, "; a DANE-TA record must match a "
				    "certificate the server sends (RFC 7672 "
				    "3.1.2)");
			break;
		}
	if (ncerts > 1)
		buf_printf(b,
			   "; %zu certificate%s sent above the leaf, the "
			   "last '%.60s'",
			   ncerts - 1, ncerts == 2 ? "" : "s",
			   chain[ncerts - 1].subject);
	else
		buf_puts(b, "; no certificate sent above the leaf");
}

/*
 * DANE-35 (RFC 7671 5.2.2; OpenSSL's check_dane_pkeys): a 2 1 0 record
 * whose key no certificate sent carries. The top of the chain as sent
 * (the last certificate that links up from the leaf by issuer name) must
 * be signed by that key; then it is taken as issued by that anchor: the
 * path from the leaf up to it, its constraints, dates, purpose and the
 * leaf's names as for DANE-TA. *top: its depth. *signed_by: the key did
 * sign it (a failure after that is worth reporting; before, the record is
 * merely another key).
 */
static bool
bare_key_ok(const struct dane_rec *r, const struct tls_cert *chain,
	    size_t ncerts, const char *const *names, size_t nnames, time_t now,
	    size_t *top, bool *signed_by, char *why, size_t whysz)
{
	gnutls_datum_t key = {r->data, (unsigned)r->len}, tbs, sig, d;
	gnutls_pubkey_t k;
	gnutls_x509_crt_t crt;
	struct der_cert dc;
	size_t t = 0;
	int algo;
	bool ok;

	*signed_by = false;
	while (t + 1 < ncerts && t + 1 < TLS_CHAIN_MAX &&
	       !chain[t].self_signed &&
	       strcmp(chain[t].issuer, chain[t + 1].subject) == 0)
		t++;
	*top = t;
	/* a certificate sent carries the key: not a bare key (matched, or
	 * refused for the leaf, above) */
	for (size_t i = 0; i <= t; i++)
		if (rec_matches(r, &chain[i]))
			return false;
	if (chain[t].self_signed ||
	    der_cert_parts(chain[t].der, chain[t].derlen, &dc) < 0)
		return false;
	if (gnutls_pubkey_init(&k) < 0 || gnutls_x509_crt_init(&crt) < 0)
		util_oom();
	d = (gnutls_datum_t){chain[t].der, (unsigned)chain[t].derlen};
	tbs = (gnutls_datum_t){chain[t].der + dc.tbs, (unsigned)dc.tbslen};
	sig = (gnutls_datum_t){chain[t].der + dc.sig, (unsigned)dc.siglen};
	ok = gnutls_pubkey_import(k, &key, GNUTLS_X509_FMT_DER) == 0 &&
	     gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0 &&
	     (algo = gnutls_x509_crt_get_signature_algorithm(crt)) > 0 &&
	     gnutls_pubkey_verify_data2(k, (gnutls_sign_algorithm_t)algo, 0,
					&tbs, &sig) >= 0;
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(k);
	if (!ok)
		return false;
	*signed_by = true;
	return ta_path_ok(chain, t, DANE_SEL_CERT, true, names, nnames, now,
			  why, whysz);
}

/* The first expiry of chain[0..depth]. */
static double
path_remaining(const struct tls_cert *chain, size_t depth, time_t now)
{
	double left = 1e18;

	for (size_t k = 0; k <= depth; k++)
		if ((double)(chain[k].not_after - now) < left)
			left = (double)(chain[k].not_after - now);
	return left;
}

void
dane_match(const struct dane_set *s, const struct tls_cert *chain,
	   size_t ncerts, const char *const *names, size_t nnames, time_t now,
	   bool *hits, struct dane_result *out)
{
	char ta_why[480] = "", t[200], why[320];
	struct buf b;
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (ncerts == 0) {
		util_strlcpy(out->why, "the server sent no certificate",
			     sizeof(out->why));
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct dane_rec *r = &s->rec[i];
		bool sent = false, signed_by;
		size_t top;

		if (!r->usable || r->superseded)
			continue;
		if (r->usage == DANE_USAGE_DANE_EE) {
			/* DANE-15: the leaf only; no names, no dates. */
			if (!rec_matches(r, &chain[0]))
				continue;
			if (hits)
				hits[i] = true;
			/* the first match, or the first that needs no bare
			 * key (DANE-35) */
			if (!found || out->anchor_not_sent) {
				memset(out, 0, sizeof(*out));
				found = true;
				out->ok = true;
				out->rec = i;
				out->remaining =
				    (double)(chain[0].not_after - now);
			}
			continue;
		}
		/* DANE-TA: a certificate sent above the leaf (DANE-16). */
		for (size_t dpt = 1; dpt < ncerts && !sent; dpt++) {
			if (!rec_matches(r, &chain[dpt]))
				continue;
			sent = true;
			if (!ta_path_ok(chain, dpt, r->selector, false, names,
					nnames, now, why, sizeof(why))) {
				if (ta_why[0] == '\0')
					snprintf(
					    ta_why, sizeof(ta_why),
					    "%u %u %u matched '%.60s', but "
					    "%.320s",
					    r->usage, r->selector, r->mtype,
					    chain[dpt].subject, why);
				break;
			}
			if (hits)
				hits[i] = true;
			if (!found || out->anchor_not_sent) {
				memset(out, 0, sizeof(*out));
				found = true;
				out->ok = true;
				out->rec = i;
				out->depth = dpt;
				out->ta = true;
				out->remaining =
				    path_remaining(chain, dpt, now);
			}
		}
		/* DANE-35: a 2 1 0 whose key no certificate sent carries
		 * signs the top of the chain sent. */
		if (sent || r->selector != DANE_SEL_SPKI ||
		    r->mtype != DANE_MT_FULL)
			continue;
		if (!bare_key_ok(r, chain, ncerts, names, nnames, now, &top,
				 &signed_by, why, sizeof(why))) {
			if (signed_by && ta_why[0] == '\0')
				snprintf(ta_why, sizeof(ta_why),
					 "%u %u %u: its key signed '%.60s', "
					 "but %.320s",
					 r->usage, r->selector, r->mtype,
					 chain[top].subject, why);
			continue;
		}
		if (hits)
			hits[i] = true;
		if (!found) {
			found = true;
			out->ok = true;
			out->rec = i;
			out->depth = top;
			out->ta = true;
			out->anchor_not_sent = true;
			out->remaining = path_remaining(chain, top, now);
		}
	}
	if (found)
		return;
	buf_init(&b);
	if (ta_why[0] != '\0') {
		buf_puts(&b, ta_why);
	} else {
		size_t tried = 0;

		buf_puts(&b, "no TLSA record matches: tried ");
		for (size_t i = 0; i < s->n; i++)
			if (s->rec[i].usable && !s->rec[i].superseded)
				buf_printf(
				    &b, "%s%s", tried++ ? ", " : "",
				    dane_rec_text(&s->rec[i], 8, t, sizeof(t)));
		describe_seen(s, chain, ncerts, &b);
	}
	util_strlcpy(out->why, b.p, sizeof(out->why));
	buf_free(&b);
}
