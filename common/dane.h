/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dane.h: TLSA records judged and matched the way a DANE SMTP client does
 * (RFC 7672, RFC 7671, RFC 6698; CONFORMANCE DANE-11..DANE-17, DANE-30,
 * DANE-35, PKIX-02).
 *
 * A dane_set holds the TLSA RRset of one host. dane_set_add() judges each
 * record as it comes: usable means usage DANE-TA(2) or DANE-EE(3),
 * selector Cert(0) or SPKI(1), matching type Full(0), SHA2-256(1) or
 * SHA2-512(2), a digest of the right length, full data that parses as a
 * certificate or an SPKI (DANE-11, DANE-12); an unusable record says why.
 * dane_set_agility() then applies digest algorithm agility (RFC 7671 9,
 * DANE-13): per usage and selector, Full(0) records and only the strongest
 * digest present are used; weaker ones are "superseded".
 *
 * Selector SPKI(1) means the SubjectPublicKeyInfo bytes as they stand in
 * the certificate DER (RFC 6698 2.1.3, DANE-30): dane_cert_spki() cuts
 * them out with a bounded DER walk, never a re-encoding by the TLS
 * library, so RSA-PSS keys and EC keys it cannot import (compressed
 * points, explicit curves) match; full SPKI data is judged as DER.
 *
 * dane_match() matches a chain as sent (leaf first, DER) against the used
 * records: DANE-EE against the leaf only, no name, date or key purpose
 * checks (DANE-15); DANE-TA against a certificate the server sent above
 * the leaf, then the
 * path from the leaf up to it verified (signatures; dates at `now` of
 * every certificate from the leaf up to and including the matched one,
 * under 2 0 x and 2 1 x alike, the one out of date named in why; the
 * TLS server purpose: an extendedKeyUsage on the leaf or a certificate
 * below the anchor must include serverAuth or anyExtendedKeyUsage,
 * PKIX-02) and the leaf's names checked against the reference names
 * (DNS-IDs, or the CN
 * when there are none; '*' only as the whole left-most label; DANE-16,
 * DANE-17). A 2 1 0 record whose key no certificate sent carries
 * (DANE-35; RFC 7671 5.2.2, OpenSSL's check_dane_pkeys) is checked as a
 * bare key: the top of the chain as sent (the last certificate that links
 * up from the leaf by issuer name, the leaf when alone) must be signed by
 * it (gnutls_pubkey_verify_data2 over its tbsCertificate as it stands),
 * then the path below it, its own CA constraints, dates, purpose and the
 * leaf's names as for DANE-TA; dane_result.anchor_not_sent says so, for
 * the caller's warning (RFC 7672 3.1.2: the anchor SHOULD be sent). 2 1 1
 * and 2 1 2 cannot be checked so: their key is unknown unless sent.
 * Every record that matches is flagged in hits[], for the caller's
 * accounting across addresses (DANE-14, stale records).
 *
 * No I/O and no globals; thread-safe.
 */
#ifndef MAILTLS_DANE_H
#define MAILTLS_DANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tls.h"

#define DANE_WHY_LEN 200

enum {
	DANE_USAGE_PKIX_TA = 0,
	DANE_USAGE_PKIX_EE = 1,
	DANE_USAGE_DANE_TA = 2,
	DANE_USAGE_DANE_EE = 3,
	DANE_SEL_CERT = 0,
	DANE_SEL_SPKI = 1,
	DANE_MT_FULL = 0,
	DANE_MT_SHA256 = 1,
	DANE_MT_SHA512 = 2,
};

struct dane_rec {
	uint8_t usage, selector, mtype;
	unsigned char *data;
	size_t len;
	bool usable;	 /* DANE-11, DANE-12 */
	bool superseded; /* usable, but a stronger digest is present (13) */
	char why[DANE_WHY_LEN]; /* why unusable or superseded */
};

struct dane_set {
	struct dane_rec *rec;
	size_t n;
	size_t nusable; /* usable and not superseded: the records used */
};

/* Adds one record (data copied) and judges it. */
void dane_set_add(struct dane_set *s, uint8_t usage, uint8_t selector,
		  uint8_t mtype, const unsigned char *data, size_t len);
/* Marks the digests that a stronger one supersedes (DANE-13); call once
 * after the last dane_set_add(). */
void dane_set_agility(struct dane_set *s);
void dane_set_free(struct dane_set *s);

/* RFC 7218 acronyms: "DANE-EE", "SPKI", "SHA2-256"; "PrivCert" and the
 * like for 255, "unassigned" for other values. */
const char *dane_usage_name(uint8_t u);
const char *dane_selector_name(uint8_t s);
const char *dane_mtype_name(uint8_t m);
/*
 * "3 1 1 (DANE-EE SPKI SHA2-256) 1f2e...c0d1": the numbers, the acronyms,
 * and the data in hex, shortened to its first and last `keep` hex digits
 * when longer (keep 0: whole when it fits in out, else 64 of each end).
 * Returns out.
 */
char *dane_rec_text(const struct dane_rec *r, size_t keep, char *out,
		    size_t outsz);

struct dane_result {
	bool ok;	  /* a used record matched, and its checks passed */
	size_t rec;	  /* the record that matched (when ok) */
	size_t depth;	  /* the chain position it matched */
	bool ta;	  /* it was a DANE-TA match */
	/*
	 * DANE-35: the match is a 2 1 0 whose key no certificate sent
	 * carries: it signed chain[depth], the top of the chain as sent
	 * (RFC 7671 5.2.2). Senders deliver, but the server SHOULD send the
	 * trust anchor (RFC 7672 3.1.2): callers warn. Set only when no
	 * other record matched the usual way.
	 */
	bool anchor_not_sent;
	double remaining; /* seconds to the first expiry of the path
			     (leaf .. matched certificate) */
	char why[800];	  /* when not ok: what was tried and seen */
};

/*
 * Matches chain (ncerts certificates as sent, leaf first) against s's
 * used records. names: the reference names for DANE-TA (the TLSA base
 * domain first; nnames >= 1). hits: s->n flags, set for every record that
 * matched on this chain (left alone otherwise); may be NULL.
 */
void dane_match(const struct dane_set *s, const struct tls_cert *chain,
		size_t ncerts, const char *const *names, size_t nnames,
		time_t now, bool *hits, struct dane_result *out);

/*
 * The digest a record of this selector and matching type would hold for
 * cert (the DER itself for Full), into out (at most outsz bytes).
 * Selector SPKI(1) takes the SubjectPublicKeyInfo bytes as they stand in
 * the DER (dane_cert_spki(), DANE-30), whatever key they hold.
 * Returns the length, or 0 when cert does not parse (for SPKI(1): as
 * DER, see dane_cert_spki(); for Cert(0): by the TLS library).
 */
size_t dane_cert_data(const unsigned char *der, size_t derlen, uint8_t selector,
		      uint8_t mtype, unsigned char *out, size_t outsz);

/*
 * DANE-30 (RFC 6698 2.1.3): where the SubjectPublicKeyInfo stands in the
 * DER certificate der[0..derlen): *off and *len of its whole TLV. A
 * bounded walk of the structure only (RFC 5280 4.1: the Certificate
 * SEQUENCE fills derlen exactly; tbsCertificate = [0] version OPTIONAL,
 * serialNumber, signature, issuer, validity, subject,
 * subjectPublicKeyInfo = SEQUENCE { SEQUENCE { OID, params OPTIONAL },
 * BIT STRING }), never a read past derlen; neither the key nor the
 * signature is looked at. Returns 0, or -1 (*off, *len untouched) when
 * der is not such a DER certificate.
 */
int dane_cert_spki(const unsigned char *der, size_t derlen, size_t *off,
		   size_t *len);

#endif
