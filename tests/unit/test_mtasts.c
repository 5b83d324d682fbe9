/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests of the MTA-STS parsers: every test case of CONFORMANCE
 * STS-03..STS-11 (TXT record), STB-01..STB-12 (policy) and MXM-01 (mx
 * pattern matching).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "dns.h"
#include "mtasts.h"
#include "txtrec.h"
#include "util.h"

static enum mtasts_verdict
txt(const char *s, struct mtasts_txt *t)
{
	return mtasts_txt_parse(s, strlen(s), t);
}

static void
test_txt_valid(void **state)
{
	static const char id32[] = "v=STSv1; id=0123456789abcdefABCDEF0123456789";
	struct mtasts_txt t;

	(void)state;
	assert_int_equal(txt("v=STSv1; id=20240101", &t), MTASTS_VALID);
	assert_string_equal(t.id, "20240101");
	assert_int_equal(txt("v=STSv1;id=1", &t), MTASTS_VALID);  /* STS-07 */
	assert_int_equal(txt("v=STSv1; id=1;", &t), MTASTS_VALID); /* trailing */
	assert_int_equal(txt(id32, &t), MTASTS_VALID);		    /* STS-06 */
	assert_int_equal(strlen(t.id), 32);
	assert_int_equal(txt("v=STSv1; id=1; foo=bar", &t), MTASTS_VALID);
	assert_int_equal(t.nextensions, 1); /* STS-09: ignored */
	assert_int_equal(txt("v=STSv1; foo=bar; id=7", &t), MTASTS_VALID);
	assert_string_equal(t.id, "7");
	assert_int_equal(txt("v=STSv1; id=a; id=b", &t), MTASTS_VALID);
	assert_string_equal(t.id, "a"); /* STS-10: the first counts */
	assert_int_equal(txt("v=STSv1; id=2019" "0101", &t), MTASTS_VALID);
	assert_string_equal(t.id, "20190101"); /* STS-04: joined */
}

static void
test_txt_invalid(void **state)
{
	static const char *const bad[] = {
		"id=1; v=STSv1",  /* STS-05 */
		"V=STSv1; id=1",  /* STS-05 */
		"v=STSv1;",	  /* STS-07 */
		"v=STSv1",	  /* STS-07 */
		"v=STSv1; id=",	  /* STS-06 */
		"v=STSv1; id=2024-01-01",
		"v=STSv1; id=0123456789abcdefABCDEF01234567890", /* 33 */
		"v=STSv1; ID=abc",				   /* id missing */
		"v=STSv1; id=1; foo=",				   /* STS-09 */
		"v=STSv1; id=1; foo=a=b",
		"v=STSv1; id=1; _x=1",
		"v=STSv1; id=1 x",
		"v=STSv1; id=1; caf\xc3\xa9=1", /* STS-11 */
		"v=STSv1; id=1 extra",
		"",
	};
	struct mtasts_txt t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(txt(bad[i], &t), MTASTS_INVALID);
		assert_true(strstr(t.why, "RFC 8461 3.1") != NULL);
	}
	assert_int_equal(mtasts_txt_parse("v=STSv1; id=1\0", 14, &t),
			 MTASTS_INVALID);
}

static void
test_txt_prefix(void **state)
{
	struct mtasts_txt t;

	(void)state;
	/* STS-03 */
	assert_true(mtasts_txt_is_sts("v=STSv1; id=1", 13));
	assert_false(mtasts_txt_is_sts("v=spf1 -all", 11));
	assert_false(mtasts_txt_is_sts("v=STSv1 ; id=1", 14));
	/* STS-08: valid ABNF, but senders drop it: a warning */
	assert_int_equal(txt("v=STSv1 ; id=1", &t), MTASTS_WARN);
	assert_string_equal(t.id, "1");
	assert_non_null(strstr(t.notes.text[0], "STS-08"));
}

static enum mtasts_verdict
pol(const char *s, struct mtasts_policy *p)
{
	return mtasts_policy_parse(s, strlen(s), p);
}

static void
test_policy_valid(void **state)
{
	struct mtasts_policy p;

	(void)state;
	assert_int_equal(pol("version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
			     "mx: *.example.net\nmax_age: 604800\n",
			     &p),
			 MTASTS_VALID);
	assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.nmx, 2);
	assert_string_equal(p.mx[1], "*.example.net");
	/* CRLF, no final newline, version not first, trailing space */
	assert_int_equal(pol("mode: testing\r\nmx: a.example\r\nversion: STSv1  "
			     "\r\nmax_age: 31557600",
			     &p),
			 MTASTS_VALID);
	assert_int_equal(p.mode, MTASTS_MODE_TESTING);
	assert_int_equal(p.max_age, 31557600);
	/* STB-09: no space after the colon is fine */
	assert_int_equal(pol("version:STSv1\nmode:none\nmax_age:0\n", &p),
			 MTASTS_VALID);
	assert_int_equal(p.nmx, 0); /* allowed in none mode */
	/* STB-11: unknown keys ignored; UTF-8 in an extension value */
	assert_int_equal(pol("version: STSv1\nmode: enforce\nmx: xn--bcher-kva."
			     "example\nmax_age: 86400\nfoo: b\xc3\xbcr\n"
			     "Mode: none\n",
			     &p),
			 MTASTS_VALID);
	assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
}

static void
test_policy_warn(void **state)
{
	struct mtasts_policy p;

	(void)state;
	/* STB-11: repeated key, the first counts */
	assert_int_equal(pol("version: STSv1\nmode: enforce\nmode: none\nmx: a.b\n"
			     "max_age: 1\n",
			     &p),
			 MTASTS_WARN);
	assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
	assert_non_null(strstr(p.notes.text[0], "STB-11"));
	/* STB-10: a blank line */
	assert_int_equal(pol("version: STSv1\n\nmode: enforce\nmx: a.b\n"
			     "max_age: 1\n",
			     &p),
			 MTASTS_WARN);
	assert_non_null(strstr(p.notes.text[0], "STB-10"));
}

static void
test_policy_invalid(void **state)
{
	static const char *const bad[] = {
		"version: STSv1\nmode: enforce\nmx: a.b\n",	 /* no max_age */
		"mode: enforce\nmx: a.b\nmax_age: 1\n",		 /* no version */
		"version: STSv1\nmx: a.b\nmax_age: 1\n",	 /* no mode */
		"version: STSv1\nmode: enforce\nmax_age: 1\n",	 /* no mx */
		"version: STSv1\nMode: enforce\nmx: a.b\nmax_age: 1\n",
		"version: STSv1\nmode: Enforce\nmx: a.b\nmax_age: 1\n",
		"version: STSv2\nmode: enforce\nmx: a.b\nmax_age: 1\n",
		"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 31557601\n",
		"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: -1\n",
		"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 1e6\n",
		"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 86400s\n",
		"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 12345678901\n",
		"version: STSv1\nmode: enforce\nmx: mail.*.example.net\nmax_age: 1\n",
		"version: STSv1\nmode: enforce\nmx: *example.net\nmax_age: 1\n",
		"version: STSv1\nmode: enforce\nmx: mx_1.example.net\nmax_age: 1\n",
		"version: STSv1\nmode: enforce\nmx: mail.example.com.\nmax_age: 1\n",
		"version: STSv1\nmode: enforce\nmx: a.example, b.example\nmax_age: "
		"1\n",
		"version: STSv1\nmode: enforce\nmx: b\xc3\xbc" "cher.example\n"
		"max_age: 1\n",
		"version: STSv1\nmode : enforce\nmx: a.b\nmax_age: 1\n",
		"version: STSv1\n mode: enforce\nmx: a.b\nmax_age: 1\n",
		"version: STSv1\rmode: enforce\nmx: a.b\nmax_age: 1\n",
		"\xef\xbb\xbfversion: STSv1\nmode: enforce\nmx: a.b\nmax_age: 1\n",
		"version: STSv1\nmode: enforce\nmx: -a.b\nmax_age: 1\n",
		"version: STSv1\nmode: enforce\nmx: a-.b\nmax_age: 1\n",
		"version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 1\nfoo:\n",
		"<html>not a policy</html>",
		"",
	};
	struct mtasts_policy p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pol(bad[i], &p) != MTASTS_INVALID)
			fail_msg("case %zu parsed as valid: %s", i, bad[i]);
		assert_non_null(strstr(p.why, "RFC 8461 3.2"));
	}
}

static void
test_mx_match(void **state)
{
	(void)state;
	/* MXM-01 */
	assert_true(mtasts_mx_match("*.example.com", "mail.example.com"));
	assert_true(mtasts_mx_match("*.example.com", "MAIL.EXAMPLE.COM."));
	assert_false(mtasts_mx_match("*.example.com", "example.com"));
	assert_false(mtasts_mx_match("*.example.com", "foo.bar.example.com"));
	assert_false(mtasts_mx_match("*.example.com", ".example.com"));
	assert_true(mtasts_mx_match("mx1.example.com", "MX1.example.com."));
	assert_false(mtasts_mx_match("mx1.example.com", "mx2.example.com"));
	assert_false(mtasts_mx_match("mx1.example.com", "x.mx1.example.com"));
}

/*
 * Issue 13 item 15: max_age and every 10-digit number parse into 64 bits,
 * never into a long (32 bits on i386 and armhf, where 9999999999 and
 * 4294967296 wrap and a long overflow is undefined).
 */
static void
test_max_age_64bit(void **state)
{
	struct mtasts_policy p;
	struct mtasts_txt t;

	(void)state;
	/* the type itself: long long, whatever long is on this machine */
	assert_true(_Generic(p.max_age, long long: 1, default: 0));
	assert_true(_Generic(MTASTS_MAX_AGE_MAX, long long: 1, default: 0));
	assert_int_equal(pol("version: STSv1\nmode: enforce\nmx: a.example\n"
			     "max_age: 31557600\n",
			     &p),
			 MTASTS_VALID);
	assert_true(p.max_age == 31557600LL);
	/* 10 digits over 2^31 and 2^32: refused with the number as written */
	assert_int_equal(pol("version: STSv1\nmode: enforce\nmx: a.example\n"
			     "max_age: 9999999999\n",
			     &p),
			 MTASTS_INVALID);
	assert_true(p.max_age == 9999999999LL);
	assert_non_null(strstr(p.why, "max_age 9999999999 exceeds 31557600"));
	assert_int_equal(pol("version: STSv1\nmode: enforce\nmx: a.example\n"
			     "max_age: 4294967296\n",
			     &p),
			 MTASTS_INVALID);
	assert_non_null(strstr(p.why, "max_age 4294967296 exceeds"));
	/* 10 digits with leading zeros: 31557600 */
	assert_int_equal(pol("version: STSv1\nmode: enforce\nmx: a.example\n"
			     "max_age: 0031557600\n",
			     &p),
			 MTASTS_VALID);
	assert_true(p.max_age == 31557600LL);
	/* a 10-digit id stays the text it is */
	assert_int_equal(txt("v=STSv1; id=4294967296", &t), MTASTS_VALID);
	assert_string_equal(t.id, "4294967296");
}

/* One TXT RR of one string s, in wire form, into buf. */
static struct dns_rr
txt_rr(unsigned char *buf, const char *s)
{
	size_t n = strlen(s);

	buf[0] = (unsigned char)n;
	memcpy(buf + 1, s, n);
	return (struct dns_rr){buf, n + 1};
}

/* The RRset as senders sort it: STS-03 exact, STS-08 spaced, STS-30. */
static void
pick(struct txt_pick *t, const char *const *recs, size_t n)
{
	static unsigned char bufs[8][256];
	struct dns_rr rr[8];
	struct dns_result res = {.qname = (char *)"_mta-sts.example.org",
				 .outcome = DNS_ANSWER};

	for (size_t i = 0; i < n && i < 8; i++)
		rr[i] = txt_rr(bufs[i], recs[i]);
	res.n = n;
	res.rr = rr;
	txt_pick(&res, "v=STSv1", t);
}

/*
 * STS-30: "v=STSv1 ; id=b" and "v=STSv1 ;id=b" beside an exact record
 * are a second record for *WSP parsers (mox); "v=STSv1 id=b" is not.
 */
static void
test_txt_rrset_sts30(void **state)
{
	static const char *const two[] = {"v=STSv1; id=a", "v=STSv1 ; id=b"};
	static const char *const nosp[] = {"v=STSv1 ;id=b", "v=STSv1; id=a"};
	static const char *const tab[] = {"v=STSv1; id=a", "v=STSv1\t \t;id=b",
					  "v=STSv1 ; id=c"};
	static const char *const nodelim[] = {"v=STSv1; id=a", "v=STSv1 id=b"};
	static const char *const one[] = {"v=STSv1; id=a", "foo bar"};
	struct txt_pick t;

	(void)state;
	pick(&t, two, 2);
	assert_int_equal(t.nexact, 1);
	assert_int_equal(t.nwsp, 1);
	assert_int_equal(t.nspaced, 1);
	assert_memory_equal(t.rec[t.exact], "v=STSv1; id=a", 13);
	assert_int_equal(t.len[t.wsp], 14);
	assert_memory_equal(t.rec[t.wsp], "v=STSv1 ; id=b", 14);
	txt_pick_free(&t);
	pick(&t, nosp, 2);
	assert_int_equal(t.nexact, 1);
	assert_int_equal(t.nwsp, 1);
	assert_memory_equal(t.rec[t.wsp], "v=STSv1 ;id=b", 13);
	txt_pick_free(&t);
	pick(&t, tab, 3);
	assert_int_equal(t.nwsp, 2);
	assert_int_equal(t.nspaced, 2);
	assert_memory_equal(t.rec[t.wsp], "v=STSv1\t \t;id=b", 15);
	txt_pick_free(&t);
	pick(&t, nodelim, 2);
	assert_int_equal(t.nexact, 1);
	assert_int_equal(t.nspaced, 1);
	assert_int_equal(t.nwsp, 0);
	txt_pick_free(&t);
	pick(&t, one, 2);
	assert_int_equal(t.nexact, 1);
	assert_int_equal(t.nwsp, 0);
	txt_pick_free(&t);
	/* the record-level test the pick uses */
	assert_true(mtasts_txt_is_sts_wsp("v=STSv1 ;id=b", 13));
	assert_false(mtasts_txt_is_sts_wsp("v=STSv1;id=b", 12));
	assert_false(mtasts_txt_is_sts_wsp("v=STSv1 ", 8));
	assert_false(mtasts_txt_is_sts_wsp("v=stsv1 ;id=b", 13));
}

/* The --state-file text (mtasts_state_parse). */
static void
test_state_parse(void **state)
{
	struct mtasts_state st;
	const char *good = "# check_mta_sts state for example.com\n"
			   "id 20240101\n"
			   "sha256 "
			   "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n"
			   "since 1795943087\n"
			   "unknown line\n";
	const char *bad[] = {
	    "",
	    "id 1\n",
	    "sha256 "
	    "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n",
	    "id 2024-01-01\nsha256 "
	    "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n",
	    "id 1\nsha256 3D84F48A2A0E53B6C1EC68A466C51214C0F84E393FCA07A4DBA3EEC10"
	    "2314747\n",
	    "id 1\nsha256 abc\n",
	    "id 123456789012345678901234567890123\nsha256 "
	    "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n",
	};

	(void)state;
	assert_int_equal(mtasts_state_parse(good, strlen(good), &st), 0);
	assert_string_equal(st.id, "20240101");
	assert_string_equal(st.sha256, "3d84f48a2a0e53b6c1ec68a466c51214c0f84e3"
					"93fca07a4dba3eec102314747");
	assert_int_equal(st.since, 1795943087LL);
	/* no final newline, no since */
	{
		const char *t = "id abc\nsha256 3d84f48a2a0e53b6c1ec68a466c5121"
				"4c0f84e393fca07a4dba3eec102314747";

		assert_int_equal(mtasts_state_parse(t, strlen(t), &st), 0);
	}
	assert_int_equal(st.since, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mtasts_state_parse(bad[i], strlen(bad[i]), &st),
				 -1);
	/* a NUL inside, and a 600-byte line */
	assert_int_equal(mtasts_state_parse("id a\0b\n", 7, &st), -1);
	{
		char big[700];

		memset(big, 'x', sizeof(big));
		assert_int_equal(mtasts_state_parse(big, sizeof(big), &st), -1);
	}
}

/*
 * STS-34: the state file of format 2 (domain, hash of the parsed policy),
 * and format 1 read as such so that the plugin starts afresh.
 */
static void
test_state_format2(void **state)
{
	struct mtasts_state st;
	const char *good = "# comment\nformat 2\ndomain Example.COM\nid 1\n"
			   "policy-sha256 "
			   "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n"
			   "since 1795943087\n";
	const char *bad[] = {
	    /* no domain */
	    "format 2\nid 1\npolicy-sha256 "
	    "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n",
	    /* a raw-body hash is not the policy's */
	    "format 2\ndomain a.b\nid 1\nsha256 "
	    "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n",
	    "format 2\ndomain a b\nid 1\npolicy-sha256 "
	    "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n",
	    "format 2\ndomain \nid 1\npolicy-sha256 "
	    "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n",
	    "format 3\ndomain a.b\nid 1\npolicy-sha256 "
	    "3d84f48a2a0e53b6c1ec68a466c51214c0f84e393fca07a4dba3eec102314747\n",
	    "format 2\ndomain a.b\nid 1\npolicy-sha256 abc\n",
	};

	(void)state;
	assert_int_equal(mtasts_state_parse(good, strlen(good), &st), 0);
	assert_int_equal(st.format, 2);
	assert_string_equal(st.domain, "Example.COM");
	assert_string_equal(st.id, "1");
	assert_true(st.since == 1795943087LL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mtasts_state_parse(bad[i], strlen(bad[i]), &st),
				 -1);
	/* the old format: read, and said to be old */
	{
		const char *t = "id abc\nsha256 3d84f48a2a0e53b6c1ec68a466c5121"
				"4c0f84e393fca07a4dba3eec102314747\nsince 1\n";

		assert_int_equal(mtasts_state_parse(t, strlen(t), &st), 0);
		assert_int_equal(st.format, 1);
		assert_string_equal(st.domain, "");
	}
}

/* STS-34: CRLF, blanks, repeats, extensions and mx case are no change;
 * mx order, mode, max_age and a pattern are. */
static void
test_policy_canonical(void **state)
{
	static const char *const same[] = {
	    "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
	    "mx: *.example.net\nmax_age: 604800\n",
	    "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\n"
	    "mx: *.example.net\r\nmax_age: 604800\r\n",
	    "max_age:604800\nmode:   enforce  \nversion: STSv1\t\n"
	    "mx: MX1.Example.com\nfoo: bar\nmx: *.example.net",
	    "version: STSv1\nmode: enforce\nmode: none\nmx: mx1.example.com\n"
	    "mx: *.example.net\nmax_age: 604800\n",
	};
	static const char *const other[] = {
	    "version: STSv1\nmode: enforce\nmx: *.example.net\n"
	    "mx: mx1.example.com\nmax_age: 604800\n",
	    "version: STSv1\nmode: testing\nmx: mx1.example.com\n"
	    "mx: *.example.net\nmax_age: 604800\n",
	    "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
	    "mx: *.example.net\nmax_age: 604801\n",
	    "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
	    "max_age: 604800\n",
	};
	struct mtasts_policy p;
	struct buf ref, b;

	(void)state;
	buf_init(&ref);
	assert_int_not_equal(pol(same[0], &p), MTASTS_INVALID);
	mtasts_policy_canonical(&p, &ref);
	assert_string_equal(ref.p, "version: STSv1\nmode: enforce\n"
				   "mx: mx1.example.com\nmx: *.example.net\n"
				   "max_age: 604800\n");
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		buf_init(&b);
		assert_int_not_equal(pol(same[i], &p), MTASTS_INVALID);
		mtasts_policy_canonical(&p, &b);
		assert_string_equal(b.p, ref.p);
		buf_free(&b);
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		buf_init(&b);
		assert_int_not_equal(pol(other[i], &p), MTASTS_INVALID);
		mtasts_policy_canonical(&p, &b);
		assert_string_not_equal(b.p, ref.p);
		buf_free(&b);
	}
	buf_free(&ref);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_parse),
		cmocka_unit_test(test_txt_valid),
		cmocka_unit_test(test_max_age_64bit),
		cmocka_unit_test(test_txt_rrset_sts30),
		cmocka_unit_test(test_state_format2),
		cmocka_unit_test(test_policy_canonical),
		cmocka_unit_test(test_txt_invalid),
		cmocka_unit_test(test_txt_prefix),
		cmocka_unit_test(test_policy_valid),
		cmocka_unit_test(test_policy_warn),
		cmocka_unit_test(test_policy_invalid),
		cmocka_unit_test(test_mx_match),
	};

	return cmocka_run_group_tests_name("mtasts", tests, NULL, NULL);
}
