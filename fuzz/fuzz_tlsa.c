/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer: TLSA rdata decoded and judged, agility, the RFC 7218 text,
 * and dane_cert_spki (the DER walker, DANE-30) / dane_cert_data /
 * dane_match over the input taken as a certificate (common/dane.c, dns.c's
 * TLSA decoder). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dane.h"
#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_rr rr = {(unsigned char *)data, size};
	struct dane_set set = {0};
	struct dane_result res;
	struct tls_cert chain[2];
	const char *names[] = {"mx.example.com"};
	const unsigned char *d;
	unsigned char out[128];
	char text[600];
	uint8_t u, s, m;
	size_t dl;

	/* The input as one TLSA rdata, then as the rest of a set. */
	if (dns_rr_tlsa(&rr, &u, &s, &m, &d, &dl) == 0)
		dane_set_add(&set, u, s, m, d, dl);
	if (size > 3)
		dane_set_add(&set, data[0] & 3, data[1] & 1, data[2] % 3,
			     data + 3, size - 3);
	dane_set_agility(&set);
	for (size_t i = 0; i < set.n; i++) {
		dane_rec_text(&set.rec[i], 0, text, sizeof(text));
		dane_rec_text(&set.rec[i], 8, text, sizeof(text));
	}
	/* The input as a certificate: its SPKI (inside the input, or none),
	 * digests, and a two-certificate chain. */
	{
		size_t off = 0, len = 0;

		if (dane_cert_spki(data, size, &off, &len) == 0 &&
		    (off >= size || len > size - off || len < 2))
			__builtin_trap();
	}
	for (uint8_t sel = 0; sel < 3; sel++)
		for (uint8_t mt = 0; mt < 4; mt++)
			dane_cert_data(data, size, sel, mt, out, sizeof(out));
	memset(chain, 0, sizeof(chain));
	for (int i = 0; i < 2; i++) {
		chain[i].der = (unsigned char *)data;
		chain[i].derlen = size;
		chain[i].not_after = 2000000000;
	}
	dane_match(&set, chain, 2, names, 1, 1800000000, NULL, &res);
	dane_set_free(&set);
	return 0;
}
