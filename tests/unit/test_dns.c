/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_dns.c: unit tests of dns.c's pure parts: the wire-format name
 * decoder (RFC 1035 3.1, 5.1 escapes, no compression, 255-octet limit),
 * the rdata decoders (MX, CNAME, TXT, A/AAAA, TLSA), the names of
 * outcomes and types, dns_result_describe() and dns_ctx_new()'s error
 * paths, and the mapping of libunbound's results to outcomes (RFC 4035
 * 4.3, CONFORMANCE DANE-02, GEN-06). Nothing here sends a query; the resolver
 * itself is tested against the loopback lab.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unbound.h>

#include "dns.h"

#define RR(s)                                                                  \
	{                                                                      \
		(unsigned char *)(s), sizeof(s) - 1                            \
	}

/* ---- dns_name_to_text ---- */

static void
name_ok(const char *wire, size_t len, const char *want)
{
	char name[DNS_NAME_MAX];
	size_t next = 0;

	assert_int_equal(dns_name_to_text((const unsigned char *)wire, len, 0,
					  &next, name, sizeof(name)),
			 0);
	assert_string_equal(name, want);
	assert_int_equal(next, len);
}

static int
name_rc(const char *wire, size_t len)
{
	char name[DNS_NAME_MAX];
	size_t next = 0;

	return dns_name_to_text((const unsigned char *)wire, len, 0, &next,
				name, sizeof(name));
}

static void
test_name_plain(void **state)
{
	(void)state;
	name_ok("\3www\7example\3com\0", 17, "www.example.com");
	name_ok("\1a\0", 3, "a");
	/* case is kept */
	name_ok("\2Mx\4TEST\0", 9, "Mx.TEST");
}

static void
test_name_root(void **state)
{
	(void)state;
	name_ok("\0", 1, "");
}

static void
test_name_escapes(void **state)
{
	(void)state;
	/* a dot inside a label, a backslash, a space */
	name_ok("\3a.b\4test\0", 10, "a\\.b.test");
	name_ok("\3a\\b\0", 5, "a\\\\b");
	name_ok("\3a b\0", 5, "a\\032b");
	/* bytes outside 0x21-0x7e as \DDD; the bounds pass as they are */
	name_ok("\4\x7f\xff\x01\x00\0", 6, "\\127\\255\\001\\000");
	name_ok("\2!~\0", 4, "!~");
	/* RFC 2782 style labels need no escape */
	name_ok("\3_25\4_tcp\0", 10, "_25._tcp");
}

static void
test_name_offset(void **state)
{
	const unsigned char wire[] = "\0\12\2mx\4test\0";
	char name[DNS_NAME_MAX];
	size_t next = 0;

	(void)state;
	assert_int_equal(dns_name_to_text(wire, sizeof(wire) - 1, 2, &next,
					  name, sizeof(name)),
			 0);
	assert_string_equal(name, "mx.test");
	assert_int_equal(next, sizeof(wire) - 1);
	/* offset at or past the end */
	assert_int_equal(dns_name_to_text(wire, sizeof(wire) - 1,
					  sizeof(wire) - 1, &next, name,
					  sizeof(name)),
			 -1);
	assert_int_equal(dns_name_to_text(wire, sizeof(wire) - 1, 100, &next,
					  name, sizeof(name)),
			 -1);
}

static void
test_name_truncated(void **state)
{
	(void)state;
	/* a label longer than what is left */
	assert_int_equal(name_rc("\5abc", 4), -1);
	/* no terminating root label */
	assert_int_equal(name_rc("\3www", 4), -1);
	assert_int_equal(name_rc("\3www\3com", 8), -1);
	/* nothing at all */
	assert_int_equal(name_rc("", 0), -1);
}

static void
test_name_pointer(void **state)
{
	(void)state;
	/* a compression pointer, also after a first label */
	assert_int_equal(name_rc("\xc0\x0c", 2), -1);
	assert_int_equal(name_rc("\3www\xc0\x0c", 6), -1);
	/* extended label types 0x40 and 0x80 (RFC 6891 6.2) */
	assert_int_equal(name_rc("\x41x\0", 3), -1);
	assert_int_equal(name_rc("\x80\0", 2), -1);
}

static void
test_name_label_64(void **state)
{
	unsigned char wire[300];
	char name[DNS_NAME_MAX];
	size_t next;

	(void)state;
	/* a length byte of 64 or more is no label even when the bytes are
	 * there: 64 is over the limit, 0xC0 a pointer */
	memset(wire, 'a', sizeof(wire));
	wire[0] = 64;
	wire[65] = 0;
	assert_int_equal(
	    dns_name_to_text(wire, 66, 0, &next, name, sizeof(name)), -1);
	wire[0] = 63;
	wire[64] = 0;
	assert_int_equal(
	    dns_name_to_text(wire, 65, 0, &next, name, sizeof(name)), 0);
	assert_int_equal(strlen(name), 63);
	memset(wire, 'a', sizeof(wire));
	wire[0] = 0xc0;
	wire[193] = 0;
	assert_int_equal(
	    dns_name_to_text(wire, 194, 0, &next, name, sizeof(name)), -1);
}

/* n labels of `l` 'a's, then the root; returns the wire length. */
static size_t
long_name(unsigned char *wire, size_t n, size_t l)
{
	size_t i, off = 0;

	for (i = 0; i < n; i++) {
		wire[off++] = (unsigned char)l;
		memset(wire + off, 'a', l);
		off += l;
	}
	wire[off++] = 0;
	return off;
}

static void
test_name_length(void **state)
{
	unsigned char wire[600];
	char name[DNS_NAME_MAX];
	size_t len, next;

	(void)state;
	/* 3 x 63 + 61: 255 octets on the wire, 253 characters */
	len = long_name(wire, 3, 63);
	wire[len - 1] = 61;
	memset(wire + len, 'b', 61);
	len += 61;
	wire[len++] = 0;
	assert_int_equal(len, 255);
	assert_int_equal(
	    dns_name_to_text(wire, len, 0, &next, name, sizeof(name)), 0);
	assert_int_equal(strlen(name), 253);
	assert_int_equal(next, 255);
	/* one octet more */
	len = long_name(wire, 3, 63);
	wire[len - 1] = 62;
	memset(wire + len, 'b', 62);
	len += 62;
	wire[len++] = 0;
	assert_int_equal(len, 256);
	assert_int_equal(
	    dns_name_to_text(wire, len, 0, &next, name, sizeof(name)), -1);
	/* far too long */
	len = long_name(wire, 8, 63);
	assert_int_equal(
	    dns_name_to_text(wire, len, 0, &next, name, sizeof(name)), -1);
}

static void
test_name_buffer(void **state)
{
	char small[8];
	size_t next;
	const unsigned char wire[] = "\3www\7example\0";

	(void)state;
	assert_int_equal(dns_name_to_text(wire, sizeof(wire) - 1, 0, &next,
					  small, sizeof(small)),
			 -1);
	/* "www" and its NUL fit in 4 */
	assert_int_equal(dns_name_to_text((const unsigned char *)"\3www\0", 5,
					  0, &next, small, 4),
			 0);
	assert_string_equal(small, "www");
	assert_int_equal(dns_name_to_text((const unsigned char *)"\3www\0", 5,
					  0, &next, small, 3),
			 -1);
}

/* ---- rdata ---- */

static void
test_rr_mx(void **state)
{
	struct dns_rr good = RR("\0\12\3mx1\7example\3com\0");
	struct dns_rr null = RR("\0\0\0");
	struct dns_rr short2 = RR("\0\12");
	struct dns_rr junk = RR("\0\12\2mx\0X");
	struct dns_rr ptr = RR("\0\12\xc0\x0c");
	struct dns_rr cut = RR("\0\12\3mx1");
	char name[DNS_NAME_MAX];
	unsigned pref = 0;

	(void)state;
	assert_int_equal(dns_rr_mx(&good, &pref, name, sizeof(name)), 0);
	assert_int_equal(pref, 10);
	assert_string_equal(name, "mx1.example.com");
	/* RFC 7505 null MX: preference 0, the root */
	assert_int_equal(dns_rr_mx(&null, &pref, name, sizeof(name)), 0);
	assert_int_equal(pref, 0);
	assert_string_equal(name, "");
	assert_int_equal(dns_rr_mx(&short2, &pref, name, sizeof(name)), -1);
	assert_int_equal(dns_rr_mx(&junk, &pref, name, sizeof(name)), -1);
	assert_int_equal(dns_rr_mx(&ptr, &pref, name, sizeof(name)), -1);
	assert_int_equal(dns_rr_mx(&cut, &pref, name, sizeof(name)), -1);
	/* preference uses both octets */
	struct dns_rr big = RR("\xff\xfe\0");
	assert_int_equal(dns_rr_mx(&big, &pref, name, sizeof(name)), 0);
	assert_int_equal(pref, 65534);
}

static void
test_rr_cname(void **state)
{
	struct dns_rr good = RR("\1a\6hoster\3net\0");
	struct dns_rr junk = RR("\1a\0\0");
	struct dns_rr empty = {(unsigned char *)"", 0};
	char name[DNS_NAME_MAX];

	(void)state;
	assert_int_equal(dns_rr_cname(&good, name, sizeof(name)), 0);
	assert_string_equal(name, "a.hoster.net");
	assert_int_equal(dns_rr_cname(&junk, name, sizeof(name)), -1);
	assert_int_equal(dns_rr_cname(&empty, name, sizeof(name)), -1);
}

static void
txt_ok(const struct dns_rr *rr, const char *want, size_t wantlen)
{
	char *out = NULL;
	size_t outlen = 99;

	assert_int_equal(dns_rr_txt(rr, &out, &outlen), 0);
	assert_non_null(out);
	assert_int_equal(outlen, wantlen);
	assert_memory_equal(out, want, wantlen + 1); /* NUL-terminated */
	free(out);
}

static void
test_rr_txt(void **state)
{
	struct dns_rr one = RR("\7v=STSv1");
	struct dns_rr multi = RR("\11v=STSv1; \14id=20240101;");
	struct dns_rr empty_str = RR("\0");
	struct dns_rr empties = RR("\0\3abc\0");
	struct dns_rr nul = RR("\3a\0b");
	struct dns_rr cut = RR("\5ab");
	struct dns_rr cut2 = RR("\2ab\3c");
	struct dns_rr none = {(unsigned char *)"", 0};
	char *out = (char *)"untouched";
	size_t outlen = 7;

	(void)state;
	txt_ok(&one, "v=STSv1", 7);
	/* RFC 8461 3.1: strings joined with nothing between */
	txt_ok(&multi, "v=STSv1; id=20240101;", 21);
	txt_ok(&empty_str, "", 0);
	txt_ok(&empties, "abc", 3);
	txt_ok(&nul, "a\0b", 3);
	assert_int_equal(dns_rr_txt(&cut, &out, &outlen), -1);
	assert_null(out);
	assert_int_equal(outlen, 0);
	assert_int_equal(dns_rr_txt(&cut2, &out, &outlen), -1);
	assert_int_equal(dns_rr_txt(&none, &out, &outlen), -1);
}

static void
test_rr_addr(void **state)
{
	struct dns_rr a = RR("\x7f\x02\x00\x01");
	struct dns_rr aaaa = RR("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01");
	struct dns_rr a5 = RR("\x7f\x02\x00\x01\x00");
	struct dns_rr a3 = RR("\x7f\x02\x00");
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	char txt[INET6_ADDRSTRLEN];
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	(void)state;
	assert_int_equal(dns_rr_addr(&a, DNS_T_A, 25, &ss, &sslen), 0);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 25);
	assert_int_equal(sslen, sizeof(struct sockaddr_in));
	inet_ntop(AF_INET, &sin->sin_addr, txt, sizeof(txt));
	assert_string_equal(txt, "127.2.0.1");

	assert_int_equal(dns_rr_addr(&aaaa, DNS_T_AAAA, 587, &ss, &sslen), 0);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 587);
	assert_int_equal(sslen, sizeof(struct sockaddr_in6));
	inet_ntop(AF_INET6, &sin6->sin6_addr, txt, sizeof(txt));
	assert_string_equal(txt, "2001:db8::1");

	/* wrong lengths for the type */
	assert_int_equal(dns_rr_addr(&a5, DNS_T_A, 25, &ss, &sslen), -1);
	assert_int_equal(dns_rr_addr(&a3, DNS_T_A, 25, &ss, &sslen), -1);
	assert_int_equal(dns_rr_addr(&aaaa, DNS_T_A, 25, &ss, &sslen), -1);
	assert_int_equal(dns_rr_addr(&a, DNS_T_AAAA, 25, &ss, &sslen), -1);
	/* not an address type, a port out of range */
	assert_int_equal(dns_rr_addr(&a, DNS_T_MX, 25, &ss, &sslen), -1);
	assert_int_equal(dns_rr_addr(&a, DNS_T_A, 65536, &ss, &sslen), -1);
}

static void
test_rr_tlsa(void **state)
{
	struct dns_rr good = RR("\3\1\1"
				"\x01\x23\x45\x67\x89\xab\xcd\xef"
				"\x01\x23\x45\x67\x89\xab\xcd\xef"
				"\x01\x23\x45\x67\x89\xab\xcd\xef"
				"\x01\x23\x45\x67\x89\xab\xcd\xef");
	struct dns_rr one = RR("\2\0\0\x30");
	struct dns_rr no_data = RR("\3\1\1");
	struct dns_rr two = RR("\3\1");
	struct dns_rr none = {(unsigned char *)"", 0};
	uint8_t u = 9, s = 9, m = 9;
	const unsigned char *data = NULL;
	size_t datalen = 0;

	(void)state;
	assert_int_equal(dns_rr_tlsa(&good, &u, &s, &m, &data, &datalen), 0);
	assert_int_equal(u, 3);
	assert_int_equal(s, 1);
	assert_int_equal(m, 1);
	assert_int_equal(datalen, 32);
	assert_ptr_equal(data, good.data + 3);
	assert_int_equal(dns_rr_tlsa(&one, &u, &s, &m, &data, &datalen), 0);
	assert_int_equal(u, 2);
	assert_int_equal(datalen, 1);
	/* RFC 6698 2.1: the association data is not optional */
	assert_int_equal(dns_rr_tlsa(&no_data, &u, &s, &m, &data, &datalen),
			 -1);
	assert_int_equal(dns_rr_tlsa(&two, &u, &s, &m, &data, &datalen), -1);
	assert_int_equal(dns_rr_tlsa(&none, &u, &s, &m, &data, &datalen), -1);
}

/* ---- dns_result_fill: libunbound's result to an outcome ---- */

static struct dns_result *
fill(const struct ub_result *ub)
{
	struct dns_result *res = calloc(1, sizeof(*res));

	assert_non_null(res);
	res->qname = strdup("x.test");
	res->qtype = DNS_T_A;
	dns_result_fill(res, ub);
	return res;
}

static void
test_fill_bogus(void **state)
{
	struct ub_result ub = {0};
	struct dns_result *res;

	(void)state;
	/* bogus wins over the SERVFAIL rcode that comes with it */
	ub.rcode = 2;
	ub.bogus = 1;
	ub.why_bogus = (char *)"validation failure <x.test. A IN>: "
			       "signature expired";
	res = fill(&ub);
	assert_int_equal(res->outcome, DNS_BOGUS);
	assert_int_equal(res->security, DNS_SEC_BOGUS);
	assert_string_equal(res->why, ub.why_bogus);
	assert_int_equal(res->n, 0);
	dns_result_free(res);
	ub.why_bogus = NULL;
	res = fill(&ub);
	assert_int_equal(res->outcome, DNS_BOGUS);
	assert_string_equal(res->why, "validation failure");
	dns_result_free(res);
}

static void
test_fill_servfail(void **state)
{
	struct ub_result ub = {0};
	struct dns_result *res;

	(void)state;
	ub.rcode = 2;
	res = fill(&ub);
	assert_int_equal(res->outcome, DNS_SERVFAIL);
	assert_int_equal(res->rcode, 2);
	assert_int_equal(res->security, DNS_INSECURE);
	dns_result_free(res);
	/* other error rcodes are failures too, never "absent" (GEN-06) */
	ub.rcode = 5;
	res = fill(&ub);
	assert_int_equal(res->outcome, DNS_SERVFAIL);
	assert_int_equal(res->rcode, 5);
	dns_result_free(res);
}

static void
test_fill_denials(void **state)
{
	struct ub_result ub = {0};
	struct dns_result *res;

	(void)state;
	ub.rcode = 3;
	ub.nxdomain = 1;
	ub.secure = 1;
	ub.ttl = 300;
	res = fill(&ub);
	assert_int_equal(res->outcome, DNS_NXDOMAIN);
	assert_int_equal(res->security, DNS_SECURE);
	assert_int_equal(res->ttl, 300);
	assert_null(res->why);
	dns_result_free(res);

	memset(&ub, 0, sizeof(ub));
	ub.secure = 0;
	ub.canonname = (char *)"target.insecure.test.";
	res = fill(&ub);
	assert_int_equal(res->outcome, DNS_NODATA);
	assert_int_equal(res->security, DNS_INSECURE);
	assert_string_equal(res->canonname, "target.insecure.test");
	assert_int_equal(res->n, 0);
	dns_result_free(res);
}

static void
test_fill_answer(void **state)
{
	char a1[] = "\x7f\x02\x00\x01", a2[] = "\x7f\x02\x00\x02";
	char *data[] = {a1, a2, NULL};
	int len[] = {4, 4, 0};
	struct ub_result ub = {0};
	struct dns_result *res;

	(void)state;
	ub.havedata = 1;
	ub.secure = 1;
	ub.data = data;
	ub.len = len;
	ub.ttl = 60;
	ub.canonname = (char *)"good.secure.test.";
	res = fill(&ub);
	assert_int_equal(res->outcome, DNS_ANSWER);
	assert_int_equal(res->security, DNS_SECURE);
	assert_int_equal(res->ttl, 60);
	assert_string_equal(res->canonname, "good.secure.test");
	assert_int_equal(res->n, 2);
	/* copies: the ub_result is freed after the mapping */
	assert_ptr_not_equal(res->rr[0].data, a1);
	assert_int_equal(res->rr[1].len, 4);
	assert_memory_equal(res->rr[1].data, a2, 4);
	dns_result_free(res);

	ub.secure = 0;
	ub.canonname = (char *)".";
	res = fill(&ub);
	assert_int_equal(res->outcome, DNS_ANSWER);
	assert_int_equal(res->security, DNS_INSECURE);
	assert_string_equal(res->canonname, "");
	dns_result_free(res);
	/* an escaped dot stays; after an escaped backslash it goes */
	ub.canonname = (char *)"a\\.";
	res = fill(&ub);
	assert_string_equal(res->canonname, "a\\.");
	dns_result_free(res);
	ub.canonname = (char *)"a\\\\.";
	res = fill(&ub);
	assert_string_equal(res->canonname, "a\\\\");
	dns_result_free(res);
}

/* ---- names of things ---- */

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(dns_outcome_name(DNS_ANSWER), "ANSWER");
	assert_string_equal(dns_outcome_name(DNS_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(dns_outcome_name(DNS_NODATA), "NODATA");
	assert_string_equal(dns_outcome_name(DNS_SERVFAIL), "SERVFAIL");
	assert_string_equal(dns_outcome_name(DNS_BOGUS), "BOGUS");
	assert_string_equal(dns_outcome_name(DNS_TIMEOUT), "TIMEOUT");
	assert_string_equal(dns_outcome_name(DNS_ERROR), "ERROR");
	assert_string_equal(dns_security_name(DNS_SECURE), "secure");
	assert_string_equal(dns_security_name(DNS_INSECURE), "insecure");
	assert_string_equal(dns_security_name(DNS_SEC_BOGUS), "bogus");
	assert_string_equal(dns_type_name(DNS_T_MX), "MX");
	assert_string_equal(dns_type_name(DNS_T_TLSA), "TLSA");
	assert_string_equal(dns_type_name(DNS_T_DNSKEY), "DNSKEY");
	assert_string_equal(dns_type_name(DNS_T_AAAA), "AAAA");
	/* RFC 3597 5 */
	assert_string_equal(dns_type_name(99), "TYPE99");
}

/* ---- dns_result_describe ---- */

static char *
describe(const struct dns_result *res)
{
	struct buf b;

	buf_init(&b);
	dns_result_describe(res, &b);
	return buf_take(&b);
}

static void
test_describe_answer(void **state)
{
	struct dns_rr a[] = {RR("\x7f\x02\x00\x01"), RR("\x7f\x02\x00\x02")};
	struct dns_rr mx[] = {RR("\0\12\3mx1\4test\0"), RR("\0\0\0"),
			      RR("\0\1\xc0\x0c")};
	struct dns_rr tlsa[] = {RR("\3\1\1\x01\x23\x45\x67\x89\xab\xcd\xef"
				   "\x99")};
	struct dns_result res = {0};
	char *s;

	(void)state;
	res.qname = (char *)"good.secure.test";
	res.qtype = DNS_T_A;
	res.outcome = DNS_ANSWER;
	res.security = DNS_SECURE;
	res.n = 1;
	res.rr = a;
	res.elapsed_ms = 12;
	s = describe(&res);
	assert_string_equal(s, "good.secure.test A: ANSWER secure, 1 RR "
			       "(127.2.0.1) 12ms");
	free(s);

	res.n = 2;
	res.canonname = (char *)"a.hoster.test";
	s = describe(&res);
	assert_string_equal(s,
			    "good.secure.test A: ANSWER secure, CNAME "
			    "a.hoster.test, 2 RRs (127.2.0.1; 127.2.0.2) 12ms");
	free(s);

	/* at most 8 RRs are listed */
	struct dns_rr many[10];
	for (size_t i = 0; i < 10; i++)
		many[i] = a[i % 2];
	res.canonname = NULL;
	res.rr = many;
	res.n = 10;
	s = describe(&res);
	assert_string_equal(s, "good.secure.test A: ANSWER secure, 10 RRs "
			       "(127.2.0.1; 127.2.0.2; 127.2.0.1; 127.2.0.2; "
			       "127.2.0.1; 127.2.0.2; 127.2.0.1; 127.2.0.2; "
			       "2 more) 12ms");
	free(s);

	res.qname = (char *)"x.test";
	res.qtype = DNS_T_MX;
	res.security = DNS_INSECURE;
	res.rr = mx;
	res.n = 3;
	res.elapsed_ms = 3;
	s = describe(&res);
	assert_string_equal(s,
			    "x.test MX: ANSWER insecure, 3 RRs (10 mx1.test; "
			    "0 .; malformed, 4 bytes) 3ms");
	free(s);

	res.qname = (char *)"_25._tcp.mx1.test";
	res.qtype = DNS_T_TLSA;
	res.rr = tlsa;
	res.n = 1;
	s = describe(&res);
	assert_string_equal(s, "_25._tcp.mx1.test TLSA: ANSWER insecure, 1 RR "
			       "(3 1 1 0123456789abcdef...) 3ms");
	free(s);
}

static void
test_describe_txt_sanitised(void **state)
{
	unsigned char raw[300];
	struct dns_rr txt[2];
	struct dns_result res = {0};
	char *s;

	(void)state;
	/* a string with '|', a control character and non-ASCII */
	txt[0] = (struct dns_rr)RR("\10v=1|x\n\xc3\xa9");
	/* and one of 255 + 20 bytes in two strings: cut */
	raw[0] = 255;
	memset(raw + 1, 'a', 255);
	raw[256] = 20;
	memset(raw + 257, 'b', 20);
	txt[1].data = raw;
	txt[1].len = 277;
	res.qname = (char *)"_mta-sts.x.test";
	res.qtype = DNS_T_TXT;
	res.outcome = DNS_ANSWER;
	res.security = DNS_SECURE;
	res.rr = txt;
	res.n = 2;
	s = describe(&res);
	assert_null(strchr(s, '|'));
	assert_null(strchr(s, '\n'));
	assert_non_null(strstr(s, "\"v=1?x???\""));
	/* the long one is cut: no 'b' from past byte 200 shows */
	assert_null(strchr(s, 'b'));
	assert_true(strlen(s) < 300);
	free(s);
}

static void
test_describe_failures(void **state)
{
	struct dns_result res = {0};
	char *s;

	(void)state;
	res.qname = (char *)"x.test";
	res.qtype = DNS_T_MX;
	res.outcome = DNS_NXDOMAIN;
	res.rcode = 3;
	res.security = DNS_INSECURE;
	res.elapsed_ms = 4;
	s = describe(&res);
	assert_string_equal(s, "x.test MX: NXDOMAIN insecure 4ms");
	free(s);

	res.outcome = DNS_NODATA;
	res.rcode = 0;
	res.security = DNS_SECURE;
	s = describe(&res);
	assert_string_equal(s, "x.test MX: NODATA secure 4ms");
	free(s);

	res.outcome = DNS_BOGUS;
	res.security = DNS_SEC_BOGUS;
	res.why = (char *)"signature expired | from 127.0.0.1";
	s = describe(&res);
	assert_string_equal(s, "x.test MX: BOGUS (signature expired ? from "
			       "127.0.0.1) 4ms");
	free(s);

	res.outcome = DNS_SERVFAIL;
	res.security = DNS_INSECURE;
	res.rcode = 5;
	res.why = NULL;
	s = describe(&res);
	assert_string_equal(s, "x.test MX: SERVFAIL (rcode REFUSED) 4ms");
	free(s);
	res.rcode = 2;
	s = describe(&res);
	assert_string_equal(s, "x.test MX: SERVFAIL 4ms");
	free(s);

	res.outcome = DNS_TIMEOUT;
	res.rcode = 0;
	res.elapsed_ms = 2000;
	s = describe(&res);
	assert_string_equal(s, "x.test MX: TIMEOUT after 2000ms");
	free(s);

	res.qname = (char *)"";
	res.qtype = DNS_T_DNSKEY;
	res.outcome = DNS_ERROR;
	res.why = (char *)"syntax error";
	res.elapsed_ms = 0;
	s = describe(&res);
	assert_string_equal(s, ". DNSKEY: ERROR (syntax error) 0ms");
	free(s);
}

/* ---- dns_ctx_new error paths ---- */

static char anchor_path[64];

static int
anchor_setup(void **state)
{
	int fd;

	(void)state;
	snprintf(anchor_path, sizeof(anchor_path), "/tmp/test_dns.XXXXXX");
	fd = mkstemp(anchor_path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
anchor_teardown(void **state)
{
	(void)state;
	unlink(anchor_path);
	return 0;
}

static void
anchor_write(const char *text)
{
	FILE *f = fopen(anchor_path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char good_anchor[] =
    "; the lab's key\n"
    "$TTL 3600\n"
    "$ORIGIN test.\n"
    "@ IN DS 36874 13 2 "
    "f76f202afdf4aaf749c3d59eaf99f03dbdad635ac48f0a9b2aa5db38a233789e\n";

static void
test_ctx_anchor_unreadable(void **state)
{
	const char *res[] = {"127.0.0.1"};
	char err[256];
	struct dns_ctx *ctx;

	(void)state;
	ctx =
	    dns_ctx_new(res, 1, "/nonexistent/dir/root.key", err, sizeof(err));
	assert_null(ctx);
	assert_string_equal(err, "cannot read trust anchor "
				 "/nonexistent/dir/root.key: No such file or "
				 "directory");
}

static void
test_ctx_anchor_empty(void **state)
{
	const char *res[] = {"127.0.0.1"};
	char err[256];

	(void)state;
	anchor_write("; only a comment\n\n$TTL 300\n");
	assert_null(dns_ctx_new(res, 1, anchor_path, err, sizeof(err)));
	assert_non_null(strstr(err, anchor_path));
	assert_non_null(strstr(err, "no DS or DNSKEY"));
	/* records of other types are no anchor either */
	anchor_write("test. IN NS ns.test.\n");
	assert_null(dns_ctx_new(res, 1, anchor_path, err, sizeof(err)));
	assert_non_null(strstr(err, "no DS or DNSKEY"));
}

static void
test_ctx_anchor_garbage(void **state)
{
	const char *res[] = {"127.0.0.1"};
	char err[256];

	(void)state;
	anchor_write("test. IN DS 12345 13 2 zz\n");
	assert_null(dns_ctx_new(res, 1, anchor_path, err, sizeof(err)));
	assert_non_null(strstr(err, anchor_path));
	assert_non_null(strstr(err, "cannot load"));
}

static void
test_ctx_good(void **state)
{
	const char *res[] = {"127.0.0.1", "::1@5353", "192.0.2.1@53"};
	char err[256];
	struct dns_ctx *ctx;

	(void)state;
	anchor_write(good_anchor);
	ctx = dns_ctx_new(res, 3, anchor_path, err, sizeof(err));
	assert_non_null(ctx);
	dns_ctx_free(ctx);
	/* multi-line record, relative owner, a second owner */
	anchor_write("$ORIGIN test.\n"
		     "secure 3600 IN DS ( 47187 13 2\n"
		     "  9697b20fa059c38f2cc878a6f598696b"
		     "8a35b081132c74a4fb23ff16d6df7ed7 )\n"
		     "test. IN DS 36874 13 2 "
		     "f76f202afdf4aaf749c3d59eaf99f03dbdad635ac48f0a9b2aa5db38"
		     "a233789e\n");
	ctx = dns_ctx_new(res, 1, anchor_path, err, sizeof(err));
	assert_non_null(ctx);
	dns_ctx_free(ctx);
	dns_ctx_free(NULL);
}

static void
bad_resolver(const char *r, const char *want)
{
	const char *res[] = {"127.0.0.1", r};
	char err[256];

	assert_null(dns_ctx_new(res, 2, anchor_path, err, sizeof(err)));
	assert_non_null(strstr(err, r));
	assert_non_null(strstr(err, want));
}

static void
test_ctx_bad_resolver(void **state)
{
	(void)state;
	anchor_write(good_anchor);
	bad_resolver("1.2.3", "not an IPv4 or IPv6 address");
	bad_resolver("resolver.example", "not an IPv4 or IPv6 address");
	bad_resolver("", "not an IPv4 or IPv6 address");
	bad_resolver("@53", "not an IPv4 or IPv6 address");
	bad_resolver("[::1]:53", "not an IPv4 or IPv6 address");
	bad_resolver("127.0.0.1@0", "1-65535");
	bad_resolver("127.0.0.1@65536", "1-65535");
	bad_resolver("127.0.0.1@", "1-65535");
	bad_resolver("127.0.0.1@53x", "1-65535");
	bad_resolver("::1@-1", "1-65535");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name_plain),
	    cmocka_unit_test(test_name_root),
	    cmocka_unit_test(test_name_escapes),
	    cmocka_unit_test(test_name_offset),
	    cmocka_unit_test(test_name_truncated),
	    cmocka_unit_test(test_name_pointer),
	    cmocka_unit_test(test_name_label_64),
	    cmocka_unit_test(test_name_length),
	    cmocka_unit_test(test_name_buffer),
	    cmocka_unit_test(test_rr_mx),
	    cmocka_unit_test(test_rr_cname),
	    cmocka_unit_test(test_rr_txt),
	    cmocka_unit_test(test_rr_addr),
	    cmocka_unit_test(test_rr_tlsa),
	    cmocka_unit_test(test_fill_bogus),
	    cmocka_unit_test(test_fill_servfail),
	    cmocka_unit_test(test_fill_denials),
	    cmocka_unit_test(test_fill_answer),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_describe_answer),
	    cmocka_unit_test(test_describe_txt_sanitised),
	    cmocka_unit_test(test_describe_failures),
	    cmocka_unit_test(test_ctx_anchor_unreadable),
	    cmocka_unit_test(test_ctx_anchor_empty),
	    cmocka_unit_test(test_ctx_anchor_garbage),
	    cmocka_unit_test(test_ctx_good),
	    cmocka_unit_test(test_ctx_bad_resolver),
	};

	return cmocka_run_group_tests(tests, anchor_setup, anchor_teardown);
}
