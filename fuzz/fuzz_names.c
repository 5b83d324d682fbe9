/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer: host-name and wildcard matching (RFC 9525 DNS-IDs, RFC 8461
 * mx patterns), Nagios ranges, and DNS rdata decoders. The input is split
 * at its first NUL into two strings. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "mtasts.h"
#include "range.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = malloc(size + 1), *b;
	struct dns_rr rr = {(unsigned char *)data, size};
	struct range w, c;
	struct sockaddr_storage ss;
	socklen_t sl;
	const char *why;
	char name[DNS_NAME_MAX], txt[64], *t = NULL;
	unsigned pref;
	size_t tl, next;

	memcpy(a, data, size);
	a[size] = '\0';
	b = a + strlen(a);
	if (b < a + size)
		b++;
	names_match_dnsid(a, b);
	mtasts_mx_match(a, b);
	if (range_parse(a, RANGE_LOW_IS_BAD, &w, &why) == 0 &&
	    range_parse(b, RANGE_DEFAULT, &c, &why) == 0) {
		range_state(&w, &c, 42.5);
		range_format(&w, 86400, txt, sizeof(txt));
		range_format(&c, 1, txt, sizeof(txt));
	}
	dns_rr_mx(&rr, &pref, name, sizeof(name));
	dns_rr_cname(&rr, name, sizeof(name));
	if (dns_rr_txt(&rr, &t, &tl) == 0)
		free(t);
	dns_rr_addr(&rr, DNS_T_A, 25, &ss, &sl);
	dns_rr_addr(&rr, DNS_T_AAAA, 25, &ss, &sl);
	dns_name_to_text(data, size, 0, &next, name, sizeof(name));
	free(a);
	return 0;
}
