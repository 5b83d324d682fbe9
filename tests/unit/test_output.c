/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_output.c: unit tests of common/output.c: the state table of
 * max_state_alt (GEN-04), state and format names, the sanitiser (OUT-03:
 * no '|' past line 1), the tree and its worst states, and the three
 * renderers: exact Nagios text at each verbosity with perfdata on line 1
 * (OUT-04), the 8 KiB cap (line 1 kept, long output cut at a line with a
 * count, perfdata dropped from the end when line 1 alone is too long),
 * exact JSON and exact OpenMetrics for a small tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "output.h"

static void
test_state_worst(void **state)
{
	/* rows a, columns b: OK WARNING CRITICAL UNKNOWN */
	static const enum mt_state want[4][4] = {
	    {MT_OK, MT_WARNING, MT_CRITICAL, MT_UNKNOWN},
	    {MT_WARNING, MT_WARNING, MT_CRITICAL, MT_WARNING},
	    {MT_CRITICAL, MT_CRITICAL, MT_CRITICAL, MT_CRITICAL},
	    {MT_UNKNOWN, MT_WARNING, MT_CRITICAL, MT_UNKNOWN},
	};
	int a, b;

	(void)state;
	for (a = 0; a < 4; a++)
		for (b = 0; b < 4; b++)
			if (state_worst((enum mt_state)a, (enum mt_state)b) !=
			    want[a][b])
				fail_msg("state_worst(%d, %d) = %d, want %d", a,
					 b,
					 state_worst((enum mt_state)a,
						     (enum mt_state)b),
					 want[a][b]);
	/* GEN-04: MX1 OK + MX2 UNKNOWN -> UNKNOWN */
	assert_int_equal(state_worst(MT_OK, MT_UNKNOWN), MT_UNKNOWN);
	assert_int_equal(state_worst(MT_UNKNOWN, MT_OK), MT_UNKNOWN);
}

static void
test_state_names(void **state)
{
	enum mt_state s = MT_OK;

	(void)state;
	assert_string_equal(state_name(MT_OK), "OK");
	assert_string_equal(state_name(MT_WARNING), "WARNING");
	assert_string_equal(state_name(MT_CRITICAL), "CRITICAL");
	assert_string_equal(state_name(MT_UNKNOWN), "UNKNOWN");
	assert_string_equal(state_name((enum mt_state)7), "UNKNOWN");

	assert_int_equal(state_parse("ok", &s), 0);
	assert_int_equal(s, MT_OK);
	assert_int_equal(state_parse("WARNING", &s), 0);
	assert_int_equal(s, MT_WARNING);
	assert_int_equal(state_parse("Critical", &s), 0);
	assert_int_equal(s, MT_CRITICAL);
	assert_int_equal(state_parse("unknown", &s), 0);
	assert_int_equal(s, MT_UNKNOWN);
	assert_int_equal(state_parse("0", &s), 0);
	assert_int_equal(s, MT_OK);
	assert_int_equal(state_parse("2", &s), 0);
	assert_int_equal(s, MT_CRITICAL);
	assert_int_equal(state_parse("3", &s), 0);
	assert_int_equal(s, MT_UNKNOWN);
	s = MT_WARNING;
	assert_int_equal(state_parse("4", &s), -1);
	assert_int_equal(state_parse("", &s), -1);
	assert_int_equal(state_parse("okay", &s), -1);
	assert_int_equal(state_parse("crit", &s), -1);
	assert_int_equal(state_parse("00", &s), -1);
	assert_int_equal(state_parse(" ok", &s), -1);
	assert_int_equal(state_parse(NULL, &s), -1);
	assert_int_equal(s, MT_WARNING);
}

static void
test_format_parse(void **state)
{
	enum out_format f = OUT_NAGIOS;

	(void)state;
	assert_int_equal(output_format_parse("json", &f), 0);
	assert_int_equal(f, OUT_JSON);
	assert_int_equal(output_format_parse("openmetrics", &f), 0);
	assert_int_equal(f, OUT_OPENMETRICS);
	assert_int_equal(output_format_parse("nagios", &f), 0);
	assert_int_equal(f, OUT_NAGIOS);
	assert_int_equal(output_format_parse("JSON", &f), 0);
	assert_int_equal(f, OUT_JSON);
	assert_int_equal(output_format_parse("xml", &f), -1);
	assert_int_equal(output_format_parse("", &f), -1);
	assert_int_equal(output_format_parse("jsonx", &f), -1);
	assert_int_equal(output_format_parse(NULL, &f), -1);
	assert_int_equal(f, OUT_JSON);
}

static void
test_sanitize(void **state)
{
	static const char banner[] = "220 mx | x=1\x1b[31m\x00";
	char d[64];
	size_t n;

	(void)state;
	/* srclen includes the trailing NUL */
	n = text_sanitize(d, sizeof(d), banner, sizeof(banner) - 1, 200);
	assert_string_equal(d, "220 mx ? x=1?[31m?");
	assert_int_equal(n, 18);

	n = text_sanitize(d, sizeof(d), "a\tb\r\nc\x7f\x80\xff|", 10, 200);
	assert_string_equal(d, "a?b??c????");
	assert_int_equal(n, 10);

	/* a NUL inside srclen does not end the copy */
	n = text_sanitize(d, sizeof(d), "ab\0cd", 5, 200);
	assert_string_equal(d, "ab?cd");

	/* maxlen bounds the input, "..." marks the cut */
	n = text_sanitize(d, sizeof(d), "abcdefgh", 8, 5);
	assert_string_equal(d, "abcde...");
	assert_int_equal(n, 8);
	n = text_sanitize(d, sizeof(d), "abcde", 5, 5);
	assert_string_equal(d, "abcde");

	/* the destination bounds it too */
	n = text_sanitize(d, 6, "abcdefgh", 8, 200);
	assert_string_equal(d, "ab...");
	assert_int_equal(n, 5);
	n = text_sanitize(d, 6, "abcde", 5, 200);
	assert_string_equal(d, "abcde");
	n = text_sanitize(d, 6, "abcdef", 6, 200);
	assert_string_equal(d, "ab...");
	n = text_sanitize(d, 3, "abcdef", 6, 200);
	assert_string_equal(d, "..");
	n = text_sanitize(d, 1, "abcdef", 6, 200);
	assert_string_equal(d, "");
	assert_int_equal(n, 0);
	d[0] = 'q';
	assert_int_equal(text_sanitize(d, 0, "abc", 3, 200), 0);
	assert_int_equal(d[0], 'q');
	n = text_sanitize(d, sizeof(d), NULL, 5, 200);
	assert_string_equal(d, "");
	n = text_sanitize(d, sizeof(d), "", 0, 200);
	assert_string_equal(d, "");
}

static void
test_tree(void **state)
{
	struct node *root, *h1, *h2, *a1, *a2;
	char big[2000];

	(void)state;
	root = result_new(NODE_CHECK, "example.com");
	h1 = result_child(root, NODE_HOST, "mx1.example.com");
	h2 = result_child(root, NODE_HOST, "mx2.example.com");
	a1 = result_child(h1, NODE_ADDRESS, "192.0.2.1");
	a2 = result_child(h2, NODE_ADDRESS, "192.0.2.2");
	assert_ptr_equal(root->children, h1);
	assert_ptr_equal(h1->next, h2);
	assert_ptr_equal(a1->parent, h1);
	assert_ptr_equal(h2->parent, root);

	result_add(a1, MT_OK, NULL, NULL, "fine");
	assert_int_equal(a1->state, MT_OK);
	result_add(a2, MT_UNKNOWN, NULL, NULL, "no route");
	assert_int_equal(a2->state, MT_UNKNOWN);
	/* GEN-04: OK + UNKNOWN -> UNKNOWN */
	assert_int_equal(result_finish(root), MT_UNKNOWN);
	assert_int_equal(h1->worst, MT_OK);
	assert_int_equal(h2->worst, MT_UNKNOWN);

	result_add(a1, MT_WARNING, NULL, NULL, "weak");
	assert_int_equal(a1->state, MT_WARNING);
	result_add(a1, MT_OK, NULL, NULL, "still");
	assert_int_equal(a1->state, MT_WARNING);
	assert_int_equal(result_finish(root), MT_WARNING);
	assert_int_equal(h1->worst, MT_WARNING);
	assert_int_equal(root->state, MT_OK);

	/* a node's own state counts too */
	h2->state = MT_CRITICAL;
	assert_int_equal(result_finish(root), MT_CRITICAL);
	assert_int_equal(h2->worst, MT_CRITICAL);
	assert_int_equal(a2->worst, MT_UNKNOWN);

	/* facts: lookup, replacement, sanitised */
	result_fact(h1, "tls", "TLSv1.%d", 3);
	result_fact(h1, "banner", "220 a|b\r\n");
	assert_string_equal(result_fact_get(h1, "tls"), "TLSv1.3");
	assert_string_equal(result_fact_get(h1, "banner"), "220 a?b??");
	assert_null(result_fact_get(h1, "none"));
	result_fact(h1, "tls", "TLSv1.2");
	assert_string_equal(result_fact_get(h1, "tls"), "TLSv1.2");
	assert_null(h1->facts->next->next);

	/* texts are sanitised and bounded */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	result_text(h1, "%s", big);
	assert_int_equal(strlen(h1->text), SANITIZE_MAX * 4 + 3);
	assert_string_equal(h1->text + SANITIZE_MAX * 4, "...");
	result_text(h1, "x|%c", 1);
	assert_string_equal(h1->text, "x??");
	result_add(h1, MT_OK, "R|1", "t|k", "%s", big);
	assert_int_equal(strlen(h1->findings_tail->text), SANITIZE_MAX * 4 + 3);
	assert_string_equal(h1->findings_tail->rule, "R?1");
	assert_string_equal(h1->findings_tail->token, "t?k");
	result_fact(h1, "long", "%s", big);
	assert_int_equal(strlen(result_fact_get(h1, "long")), SANITIZE_MAX + 3);
	result_log(h1, "%s", big);
	assert_int_equal(strlen(h1->log[0]), 603);
	result_log(h1, "S: 250 |\x1b");
	assert_string_equal(h1->log[1], "S: 250 ??");
	assert_int_equal(h1->nlog, 2);

	/* unknown units are dropped, known ones kept */
	assert_string_equal(result_perf(a1, "a", 1, "s", NULL, NULL)->uom, "s");
	assert_string_equal(result_perf(a1, "b", 1, "KB", NULL, NULL)->uom,
			    "KB");
	assert_string_equal(result_perf(a1, "c", 1, "days", NULL, NULL)->uom,
			    "");
	assert_string_equal(result_perf(a1, "d", 1, NULL, NULL, NULL)->uom, "");

	result_free(root);
	result_free(NULL);
}

static void
test_log_growth(void **state)
{
	struct node *n = result_new(NODE_ADDRESS, "x");
	size_t i;
	char want[32];

	(void)state;
	for (i = 0; i < 1000; i++)
		result_log(n, "line %zu", i);
	assert_int_equal(n->nlog, 1000);
	for (i = 0; i < 1000; i++) {
		snprintf(want, sizeof(want), "line %zu", i);
		assert_string_equal(n->log[i], want);
	}
	result_free(n);
}

/* result_show_log: a node's transcript at verbosity 0, others' not. */
static void
test_show_log(void **state)
{
	struct node *root = result_new(NODE_CHECK, "example.com");
	struct node *pol = result_child(root, NODE_RECORD, "policy");
	struct node *h = result_child(root, NODE_HOST, "mx1");
	struct buf b;

	(void)state;
	result_log(pol, "version: STSv1");
	result_log(pol, "mode: enforce");
	result_log(h, "S: 220 mx1 ESMTP");
	result_show_log(pol);
	result_finish(root);
	buf_init(&b);
	output_render(root, "MTA-STS", "sum", OUT_NAGIOS, 0, &b);
	assert_string_equal(b.p, "MTA-STS OK - sum\n"
				 "[OK] policy\n"
				 "  > version: STSv1\n"
				 "  > mode: enforce\n"
				 "[OK] mx1\n");
	buf_free(&b);
	result_free(root);
}

/* output_name_worst: where each finding stands, root capped at max - 1,
 * one per address, depth-first. */
static void
test_name_worst(void **state)
{
	struct node *root = result_new(NODE_CHECK, "example.com");
	struct node *h = result_child(root, NODE_HOST, "mx1");
	struct node *a = result_child(h, NODE_ADDRESS, "192.0.2.1");
	struct node *rec = result_child(root, NODE_RECORD, "_mta-sts");
	struct buf b;

	(void)state;
	result_add(root, MT_CRITICAL, NULL, NULL, "r1");
	result_add(root, MT_CRITICAL, NULL, NULL, "r2");
	result_add(root, MT_CRITICAL, NULL, NULL, "r3");
	result_add(root, MT_WARNING, NULL, NULL, "not worst");
	result_add(a, MT_CRITICAL, NULL, NULL, "a1");
	result_add(a, MT_CRITICAL, NULL, NULL, "a2");
	result_add(h, MT_CRITICAL, NULL, NULL, "h1");
	result_add(rec, MT_CRITICAL, NULL, NULL, "rec1");
	result_finish(root);
	buf_init(&b);
	assert_int_equal(output_name_worst(root, MT_CRITICAL, 3, &b), 3);
	assert_string_equal(b.p, "r1; r2; mx1: h1; ");
	buf_free(&b);
	buf_init(&b);
	assert_int_equal(output_name_worst(root, MT_CRITICAL, 6, &b), 6);
	assert_string_equal(b.p, "r1; r2; r3; mx1: h1; mx1[192.0.2.1]: a1; "
				 "rec1; ");
	buf_free(&b);
	buf_init(&b);
	assert_int_equal(output_name_worst(root, MT_UNKNOWN, 3, &b), 0);
	assert_string_equal(b.p, "");
	buf_free(&b);
	result_free(root);
}

/* The small tree of the exact-output tests. */
static struct node *
small_tree(void)
{
	struct node *root, *h1, *h2, *a1;
	struct perf *p;

	root = result_new(NODE_CHECK, "example.com");
	result_add(root, MT_WARNING, "RFC 8461 3.2", "sts-policy-invalid",
		   "max_age %d exceeds %d", 31557601, 31557600);
	result_fact(root, "mode", "enforce");
	result_log(root, "policy fetched");
	p = result_perf(root, "days", 5, "", "28:", "14:");
	result_perf_minmax(p, true, 0, false, 0);

	h1 = result_child(root, NODE_HOST, "mx1.example.com");
	result_text(h1, "STARTTLS ok");
	result_fact(h1, "tls", "TLSv1.3");
	result_perf(h1, "mx1.example.com_time", 0.512, "s", NULL, NULL);

	a1 = result_child(h1, NODE_ADDRESS, "192.0.2.1");
	result_text(a1, "certificate valid");
	result_add(a1, MT_CRITICAL, "RFC 5280 4.1.2.5", "certificate-expired",
		   "certificate expires in %d days", 5);
	result_add(a1, MT_OK, NULL, NULL, "TLSv1.3");
	result_add(a1, MT_OK, "RFC 3207 4", NULL, "STARTTLS offered");
	result_log(a1, "S: 220 mx1 ESMTP");
	result_log(a1, "C: EHLO \"monitor\"");

	h2 = result_child(root, NODE_HOST, "mx2.example.com");
	p = result_perf(h2, "it's=odd", 1, NULL, NULL, NULL);
	(void)p;
	result_perf(h2, "unknown", NAN, "s", NULL, NULL);
	result_finish(root);
	return root;
}

static void
render_eq(const struct node *root, const char *summary, enum out_format f,
	  int verbose, const char *want)
{
	struct buf b;

	buf_init(&b);
	output_render(root, "SMTP STARTTLS", summary, f, verbose, &b);
	if (strcmp(b.p, want) != 0)
		fail_msg("render (format %d, -v%d):\n--- got ---\n%s--- want "
			 "---\n%s",
			 f, verbose, b.p, want);
	buf_free(&b);
}

#define LINE1                                                                  \
	"SMTP STARTTLS CRITICAL - mx1.example.com: certificate expires in 5 "  \
	"days | 'days'=5;28:;14:;0 'mx1.example.com_time'=0.512s "             \
	"'it_s_odd'=1\n"

static void
test_nagios_small(void **state)
{
	struct node *root = small_tree();

	(void)state;
	render_eq(root, "mx1.example.com: certificate expires in 5 days",
		  OUT_NAGIOS, 0,
		  LINE1
		  "- WARNING: max_age 31557601 exceeds 31557600 (RFC 8461 "
		  "3.2) [sts-policy-invalid]\n"
		  "[CRITICAL] mx1.example.com: STARTTLS ok\n"
		  "  [CRITICAL] 192.0.2.1: certificate valid\n"
		  "    - CRITICAL: certificate expires in 5 days (RFC 5280 "
		  "4.1.2.5) [certificate-expired]\n"
		  "[OK] mx2.example.com\n");
	render_eq(root, "mx1.example.com: certificate expires in 5 days",
		  OUT_NAGIOS, 1,
		  LINE1
		  "- WARNING: max_age 31557601 exceeds 31557600 (RFC 8461 "
		  "3.2) [sts-policy-invalid]\n"
		  "mode: enforce\n"
		  "[CRITICAL] mx1.example.com: STARTTLS ok\n"
		  "  tls: TLSv1.3\n"
		  "  [CRITICAL] 192.0.2.1: certificate valid\n"
		  "    - CRITICAL: certificate expires in 5 days (RFC 5280 "
		  "4.1.2.5) [certificate-expired]\n"
		  "    - OK: TLSv1.3\n"
		  "    - OK: STARTTLS offered (RFC 3207 4)\n"
		  "[OK] mx2.example.com\n");
	render_eq(root, "mx1.example.com: certificate expires in 5 days",
		  OUT_NAGIOS, 2,
		  LINE1
		  "- WARNING: max_age 31557601 exceeds 31557600 (RFC 8461 "
		  "3.2) [sts-policy-invalid]\n"
		  "mode: enforce\n"
		  "> policy fetched\n"
		  "[CRITICAL] mx1.example.com: STARTTLS ok\n"
		  "  tls: TLSv1.3\n"
		  "  [CRITICAL] 192.0.2.1: certificate valid\n"
		  "    - CRITICAL: certificate expires in 5 days (RFC 5280 "
		  "4.1.2.5) [certificate-expired]\n"
		  "    - OK: TLSv1.3\n"
		  "    - OK: STARTTLS offered (RFC 3207 4)\n"
		  "    > S: 220 mx1 ESMTP\n"
		  "    > C: EHLO \"monitor\"\n"
		  "[OK] mx2.example.com\n");
	/* the summary is sanitised; NULL or "" leaves "LABEL STATE" */
	render_eq(root, "a | b\n", OUT_NAGIOS, 0,
		  "SMTP STARTTLS CRITICAL - a ? b? | 'days'=5;28:;14:;0 "
		  "'mx1.example.com_time'=0.512s 'it_s_odd'=1\n"
		  "- WARNING: max_age 31557601 exceeds 31557600 (RFC 8461 "
		  "3.2) [sts-policy-invalid]\n"
		  "[CRITICAL] mx1.example.com: STARTTLS ok\n"
		  "  [CRITICAL] 192.0.2.1: certificate valid\n"
		  "    - CRITICAL: certificate expires in 5 days (RFC 5280 "
		  "4.1.2.5) [certificate-expired]\n"
		  "[OK] mx2.example.com\n");
	result_free(root);

	root = result_new(NODE_CHECK, "x");
	result_finish(root);
	render_eq(root, NULL, OUT_NAGIOS, 2, "SMTP STARTTLS OK\n");
	render_eq(root, "", OUT_NAGIOS, 2, "SMTP STARTTLS OK\n");
	render_eq(root, "all good", OUT_NAGIOS, 2,
		  "SMTP STARTTLS OK - all good\n");
	result_free(root);
}

/* Trailing empty perfdata fields are dropped, inner ones kept. */
static void
test_perf_fields(void **state)
{
	struct node *root = result_new(NODE_CHECK, "x");

	(void)state;
	result_perf(root, "a", 1, NULL, "5", NULL);
	result_perf(root, "b", 2, "ms", NULL, "10");
	result_perf_minmax(result_perf(root, "c", 3, "%", NULL, NULL), false, 0,
			   true, 100);
	result_perf_minmax(result_perf(root, "d", -0.25, "B", NULL, NULL), true,
			   -1.5, false, 0);
	result_perf_minmax(result_perf(root, "e", 1e6, "c", "~:10", "@1:2"),
			   true, 0, true, 31557600);
	result_perf(root, "f", INFINITY, NULL, NULL, NULL);
	result_perf(root, "g h", 0.0004, "us", NULL, NULL);
	result_finish(root);
	render_eq(root, "s", OUT_NAGIOS, 0,
		  "SMTP STARTTLS OK - s | 'a'=1;5 'b'=2ms;;10 'c'=3%;;;;100 "
		  "'d'=-0.25B;;;-1.5 'e'=1000000c;~:10;@1:2;0;31557600 "
		  "'g h'=0us\n");
	result_free(root);
}

static size_t
count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

/* OUT-03: banner "220 mx | x=1" -> exactly one '|' in the output. */
static void
test_one_pipe(void **state)
{
	static const char ban[] = "220 mx | x=1\x1b[31m";
	struct node *root = result_new(NODE_CHECK, "a|b");
	struct node *h = result_child(root, NODE_HOST, "mx|1");
	struct node *a = result_child(h, NODE_ADDRESS, ban);
	struct buf b;
	int v;

	(void)state;
	result_text(h, "%s", ban);
	result_add(a, MT_CRITICAL, "r|1", "t|1", "banner %s", ban);
	result_add(a, MT_OK, NULL, NULL, "banner %s", ban);
	result_fact(a, "k|ey", "%s", ban);
	result_log(a, "S: %s", ban);
	result_perf(a, "p|x", 1, "s", "1|2", "3|4");
	result_finish(root);
	for (v = 0; v <= 2; v++) {
		buf_init(&b);
		output_render(root, "SMTP | STARTTLS", ban, OUT_NAGIOS, v, &b);
		assert_int_equal(count_char(b.p, '|'), 1);
		assert_int_equal(count_char(b.p, '\x1b'), 0);
		assert_non_null(strstr(b.p, " | 'p?x'=1s;1?2;3?4\n"));
		buf_free(&b);
	}
	buf_init(&b);
	output_render(root, "SMTP STARTTLS", ban, OUT_NAGIOS, 2, &b);
	assert_string_equal(
	    b.p, "SMTP STARTTLS CRITICAL - 220 mx ? x=1?[31m | "
		 "'p?x'=1s;1?2;3?4\n"
		 "[CRITICAL] mx?1: 220 mx ? x=1?[31m\n"
		 "  [CRITICAL] 220 mx ? x=1?[31m\n"
		 "    - CRITICAL: banner 220 mx ? x=1?[31m (r?1) [t?1]\n"
		 "    - OK: banner 220 mx ? x=1?[31m\n"
		 "    k?ey: 220 mx ? x=1?[31m\n"
		 "    > S: 220 mx ? x=1?[31m\n");
	buf_free(&b);
	result_free(root);
}

static const char *
nth_line(const char *s, size_t n)
{
	while (n-- > 0 && s != NULL)
		if ((s = strchr(s, '\n')) != NULL)
			s++;
	return s;
}

static size_t
count_lines(const char *s)
{
	return count_char(s, '\n');
}

/* 500 hosts: line 1 intact, total < 8192, a truncation line with a count. */
static void
test_cap_hosts(void **state)
{
	struct node *root = result_new(NODE_CHECK, "example.com");
	struct buf b;
	char name[64], want1[256], tail[80];
	const char *last;
	size_t nl, shown, more;
	int i;

	(void)state;
	for (i = 0; i < 500; i++) {
		struct node *h;

		snprintf(name, sizeof(name), "mx%03d.example.com", i);
		h = result_child(root, NODE_HOST, name);
		result_text(h, "STARTTLS refused by the server");
		result_add(h, MT_CRITICAL, "RFC 3207 4",
			   "starttls-not-supported",
			   "no STARTTLS in the EHLO reply");
	}
	result_perf(root, "mx_total", 500, NULL, NULL, NULL);
	result_finish(root);
	buf_init(&b);
	output_render(root, "SMTP STARTTLS", "500/500 MX without STARTTLS",
		      OUT_NAGIOS, 0, &b);
	snprintf(want1, sizeof(want1), "%s",
		 "SMTP STARTTLS CRITICAL - 500/500 MX without STARTTLS | "
		 "'mx_total'=500\n");
	assert_true(b.len < OUTPUT_CAP);
	assert_int_equal(strlen(b.p), b.len);
	assert_memory_equal(b.p, want1, strlen(want1));
	assert_int_equal(b.p[b.len - 1], '\n');
	assert_int_equal(count_char(b.p, '|'), 1);

	nl = count_lines(b.p);
	/* line 1, shown long-output lines, the truncation line */
	shown = nl - 2;
	more = 1000 - shown;
	snprintf(tail, sizeof(tail), "... (output truncated, %zu more lines)\n",
		 more);
	last = nth_line(b.p, nl - 1);
	assert_string_equal(last, tail);
	assert_true(shown > 100 && shown < 1000);
	/* cut at a line boundary: the last shown line is whole */
	assert_true(strncmp(nth_line(b.p, 1),
			    "[CRITICAL] mx000.example.com: "
			    "STARTTLS refused by the "
			    "server\n",
			    60) == 0);
	{
		/* the next line would not have fitted with its trailer */
		size_t next = (shown % 2 == 0)
				  ? strlen("[CRITICAL] mx000.example.com: "
					   "STARTTLS refused by the server\n")
				  : strlen("  - CRITICAL: no STARTTLS in the "
					   "EHLO reply (RFC 3207 4) "
					   "[starttls-not-supported]\n");
		char t2[80];
		int tl = snprintf(t2, sizeof(t2),
				  "... (output truncated, %zu more lines)\n",
				  more - 1);

		assert_true(b.len - strlen(tail) + next + (size_t)tl >
			    OUTPUT_CAP - 1);
	}
	buf_free(&b);
	result_free(root);
}

/* Output of exactly OUTPUT_CAP - 1 bytes is whole; one more byte cuts. */
static void
test_cap_exact(void **state)
{
	struct node *root;
	struct buf b;
	char text[1000];
	int i, extra;

	(void)state;
	for (extra = 0; extra <= 1; extra++) {
		root = result_new(NODE_CHECK, "x");
		/* line 1 "L OK - s\n": 9 bytes */
		for (i = 0; i < 11; i++) {
			struct node *h = result_child(root, NODE_HOST, "h");
			/* "[OK] h: " + text + "\n" = 9 + len */
			size_t len = i < 10 ? 791 : 173 + (size_t)extra;

			memset(text, 't', len);
			text[len] = '\0';
			/* texts are bounded to 800 bytes: still whole */
			result_text(h, "%s", text);
		}
		result_finish(root);
		buf_init(&b);
		output_render(root, "L", "s", OUT_NAGIOS, 0, &b);
		if (extra == 0) {
			assert_int_equal(b.len, OUTPUT_CAP - 1);
			assert_int_equal(count_lines(b.p), 12);
			assert_null(strstr(b.p, "truncated"));
		} else {
			assert_true(b.len < OUTPUT_CAP);
			/* only the last host line is cut */
			assert_int_equal(count_lines(b.p), 12);
			assert_string_equal(nth_line(b.p, 11),
					    "... (output truncated, 1 more "
					    "lines)\n");
		}
		buf_free(&b);
		result_free(root);
	}
}

/* Line 1 alone too long: perfdata entries dropped from the end. */
static void
test_cap_perfdata(void **state)
{
	static const char head[] = "SMTP STARTTLS WARNING - many";
	struct node *root = result_new(NODE_CHECK, "x");
	struct node *h;
	struct buf b;
	char label[32], ent[64];
	const char *p, *nl;
	size_t kept = 0, line1, i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(label, sizeof(label), "metric_%04zu", i);
		result_perf(root, label, (double)i, "s", NULL, NULL);
	}
	for (i = 0; i < 10; i++) {
		h = result_child(root, NODE_HOST, "mx.example.com");
		result_add(h, MT_WARNING, NULL, NULL, "slow");
	}
	result_finish(root);

	buf_init(&b);
	output_render(root, "SMTP STARTTLS", "many", OUT_NAGIOS, 0, &b);
	assert_true(b.len < OUTPUT_CAP);
	assert_int_equal(count_char(b.p, '|'), 1);
	assert_memory_equal(b.p, head, strlen(head));
	p = b.p + strlen(head);
	assert_memory_equal(p, " | ", 3);
	p += 3;
	nl = strchr(b.p, '\n');
	line1 = (size_t)(nl - b.p) + 1;
	/* the kept entries are the first ones, in order, whole */
	while (p < nl) {
		int n = snprintf(ent, sizeof(ent), "'metric_%04zu'=%zus", kept,
				 kept);

		assert_memory_equal(p, ent, (size_t)n);
		p += n;
		assert_true(*p == ' ' || *p == '\n');
		if (*p == ' ')
			p++;
		kept++;
	}
	assert_true(kept > 100 && kept < 1000);
	/* one more entry would not have fitted next to the trailer */
	{
		int n = snprintf(ent, sizeof(ent), " 'metric_%04zu'=%zus", kept,
				 kept);

		assert_true(line1 <= OUTPUT_CAP - 1 -
					 strlen("... (output truncated, 20 "
						"more lines)\n"));
		assert_true(line1 + (size_t)n >
			    OUTPUT_CAP - 1 -
				strlen("... (output truncated, "
				       "20 more lines)\n"));
	}
	/* the long output did not fit after it either */
	assert_non_null(strstr(nl, "... (output truncated, "));
	buf_free(&b);

	/* without long output the whole cap is line 1's */
	result_free(root);
	root = result_new(NODE_CHECK, "x");
	for (i = 0; i < 1000; i++) {
		snprintf(label, sizeof(label), "metric_%04zu", i);
		result_perf(root, label, (double)i, "s", NULL, NULL);
	}
	result_finish(root);
	buf_init(&b);
	output_render(root, "SMTP STARTTLS", "many", OUT_NAGIOS, 0, &b);
	assert_true(b.len < OUTPUT_CAP);
	assert_true(b.len > OUTPUT_CAP - 20);
	assert_int_equal(count_lines(b.p), 1);
	buf_free(&b);
	result_free(root);
}

static void
test_json_small(void **state)
{
	struct node *root = small_tree();

	(void)state;
	render_eq(
	    root, "mx1: \"expired\" | soon", OUT_JSON, 0,
	    "{\"label\":\"SMTP STARTTLS\",\"state\":\"CRITICAL\","
	    "\"exit_code\":2,\"summary\":\"mx1: \\\"expired\\\" ? soon\","
	    "\"perfdata\":["
	    "{\"label\":\"days\",\"value\":5,\"uom\":\"\",\"warn\":\"28:\","
	    "\"crit\":\"14:\",\"min\":0},"
	    "{\"label\":\"mx1.example.com_time\",\"value\":0.512,"
	    "\"uom\":\"s\"},"
	    "{\"label\":\"it's=odd\",\"value\":1,\"uom\":\"\"}],"
	    "\"tree\":{\"kind\":\"check\",\"name\":\"example.com\","
	    "\"state\":\"CRITICAL\",\"text\":null,"
	    "\"findings\":[{\"state\":\"WARNING\",\"rule\":\"RFC 8461 3.2\","
	    "\"token\":\"sts-policy-invalid\","
	    "\"result_type\":\"sts-policy-invalid\",\"text\":\"max_age 31557601 "
	    "exceeds 31557600\"}],"
	    "\"facts\":{\"mode\":\"enforce\"},"
	    "\"perfdata\":[{\"label\":\"days\",\"value\":5,\"uom\":\"\","
	    "\"warn\":\"28:\",\"crit\":\"14:\",\"min\":0}],"
	    "\"log\":[\"policy fetched\"],"
	    "\"children\":["
	    "{\"kind\":\"host\",\"name\":\"mx1.example.com\","
	    "\"state\":\"CRITICAL\",\"text\":\"STARTTLS ok\","
	    "\"findings\":[],\"facts\":{\"tls\":\"TLSv1.3\"},"
	    "\"perfdata\":[{\"label\":\"mx1.example.com_time\","
	    "\"value\":0.512,\"uom\":\"s\"}],\"log\":[],"
	    "\"children\":["
	    "{\"kind\":\"address\",\"name\":\"192.0.2.1\","
	    "\"state\":\"CRITICAL\",\"text\":\"certificate valid\","
	    "\"findings\":["
	    "{\"state\":\"CRITICAL\",\"rule\":\"RFC 5280 4.1.2.5\","
	    "\"token\":\"certificate-expired\","
	    "\"result_type\":\"certificate-expired\",\"text\":\"certificate "
	    "expires in 5 days\"},"
	    "{\"state\":\"OK\",\"rule\":null,\"token\":null,"
	    "\"result_type\":null,"
	    "\"text\":\"TLSv1.3\"},"
	    "{\"state\":\"OK\",\"rule\":\"RFC 3207 4\",\"token\":null,"
	    "\"result_type\":null,"
	    "\"text\":\"STARTTLS offered\"}],"
	    "\"facts\":{},\"perfdata\":[],"
	    "\"log\":[\"S: 220 mx1 ESMTP\",\"C: EHLO \\\"monitor\\\"\"],"
	    "\"children\":[]}]},"
	    "{\"kind\":\"host\",\"name\":\"mx2.example.com\","
	    "\"state\":\"OK\",\"text\":null,\"findings\":[],\"facts\":{},"
	    "\"perfdata\":[{\"label\":\"it's=odd\",\"value\":1,"
	    "\"uom\":\"\"}],\"log\":[],\"children\":[]}]}}\n");
	result_free(root);
}

/* Strings set behind the API's back still come out as valid JSON. */
static void
test_json_escape(void **state)
{
	struct node *root = result_new(NODE_CHECK, NULL);

	(void)state;
	root->text = strdup("a\x01\tb\n\\c\"\x7f");
	result_finish(root);
	render_eq(root, NULL, OUT_JSON, 0,
		  "{\"label\":\"SMTP STARTTLS\",\"state\":\"OK\","
		  "\"exit_code\":0,\"summary\":\"\",\"perfdata\":[],"
		  "\"tree\":{\"kind\":\"check\",\"name\":null,\"state\":\"OK\","
		  "\"text\":\"a\\u0001\\tb\\n\\\\c\\\"\\u007f\","
		  "\"findings\":[],\"facts\":{},\"perfdata\":[],\"log\":[],"
		  "\"children\":[]}}\n");
	result_free(root);
}

static void
test_openmetrics_small(void **state)
{
	struct node *root = small_tree();

	(void)state;
	/* The same perfdata label on another node is another sample of the
	 * same family; a perfdata label that would take one of the
	 * renderer's own family names gets "_value". */
	result_perf(root->children, "days", 7, NULL, NULL, NULL);
	result_perf(root->children, "check_state", 7, NULL, NULL, NULL);
	render_eq(root, "ignored", OUT_OPENMETRICS, 0,
		  "# HELP mailtls_check_state The check's state as its exit "
		  "code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
		  "# TYPE mailtls_check_state gauge\n"
		  "mailtls_check_state{plugin=\"smtp_starttls\",target=\"example.com\"} 2\n"
		  "# HELP mailtls_days Perfdata 'days'.\n"
		  "# TYPE mailtls_days gauge\n"
		  "mailtls_days{plugin=\"smtp_starttls\",target=\"example.com\"} 5\n"
		  "mailtls_days{plugin=\"smtp_starttls\",target=\"example.com\",host=\"mx1.example.com\"} 7\n"
		  "# HELP mailtls_mode_info The mode found (the value is in "
		  "the label of the same name).\n"
		  "# TYPE mailtls_mode_info gauge\n"
		  "mailtls_mode_info{plugin=\"smtp_starttls\",target=\"example.com\",mode=\"enforce\"} 1\n"
		  "# HELP mailtls_node_state The state of one host, address or "
		  "record: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
		  "# TYPE mailtls_node_state gauge\n"
		  "mailtls_node_state{plugin=\"smtp_starttls\",target=\"example.com\",host=\"mx1.example.com\"} 2\n"
		  "mailtls_node_state{plugin=\"smtp_starttls\",target=\"example.com\",host=\"mx1.example.com\","
		  "address=\"192.0.2.1\",mx=\"mx1.example.com\",ip_protocol=\"ipv4\"} 2\n"
		  "mailtls_node_state{plugin=\"smtp_starttls\",target=\"example.com\",host=\"mx2.example.com\"} 0\n"
		  "# HELP mailtls_time_seconds Perfdata 'time' in seconds.\n"
		  "# TYPE mailtls_time_seconds gauge\n"
		  "mailtls_time_seconds{plugin=\"smtp_starttls\",target=\"example.com\",host=\"mx1.example.com\"} 0.512\n"
		  "# HELP mailtls_check_state_value Perfdata 'check_state'.\n"
		  "# TYPE mailtls_check_state_value gauge\n"
		  "mailtls_check_state_value{plugin=\"smtp_starttls\",target=\"example.com\",host=\"mx1.example.com\"} 7\n"
		  "# HELP mailtls_it_s_odd Perfdata 'it's=odd'.\n"
		  "# TYPE mailtls_it_s_odd gauge\n"
		  "mailtls_it_s_odd{plugin=\"smtp_starttls\",target=\"example.com\",host=\"mx2.example.com\"} 1\n"
		  "# EOF\n");
	result_free(root);
}

/* OpenMetrics units: s, ms and us in seconds, B and KB in bytes, % as a
 * ratio; a *cert_remaining lifetime also as an expiry instant; the node's
 * "<name>_" prefix dropped for a host/address label; _info facts. */
static void
test_openmetrics_units(void **state)
{
	struct node *root = result_new(NODE_CHECK, "d.example");
	struct node *h = result_child(root, NODE_HOST, "mx.d.example");
	struct node *a = result_child(h, NODE_ADDRESS, "192.0.2.7");
	struct buf b;

	(void)state;
	clock_fix_wall(1800000000);
	result_perf(root, "cert_remaining", 86400, "s", NULL, NULL);
	result_perf(root, "fetch", 250, "ms", NULL, NULL);
	result_perf(root, "rtt", 1500000, "us", NULL, NULL);
	result_perf(root, "policy_bytes", 81, "B", NULL, NULL);
	result_perf(root, "size", 2, "KB", NULL, NULL);
	result_perf(root, "ok", 50, "%", NULL, NULL);
	result_perf(a, "192.0.2.7_cert_remaining", 10, "s", NULL, NULL);
	result_fact(a, "tls_version", "TLSv1.3");
	result_fact(a, "subject", "CN=not an info fact");
	result_fact(a, "tlsa_match", "3 1 1");
	result_child(h, NODE_ADDRESS, "2001:db8::7/rsa");
	result_finish(root);
	buf_init(&b);
	output_render(root, "TLSA", "x", OUT_OPENMETRICS, 0, &b);
	assert_non_null(strstr(b.p, "# TYPE mailtls_cert_remaining_seconds "
				    "gauge\nmailtls_cert_remaining_seconds{"
				    "plugin=\"tlsa\",target=\"d.example\"} 86400\n"
				    "mailtls_cert_remaining_seconds{plugin=\"tlsa\","
				    "target=\"d.example\",host=\"mx.d.example\","
				    "address=\"192.0.2.7\",mx=\"mx.d.example\","
				    "ip_protocol=\"ipv4\"} 10\n"));
	assert_non_null(strstr(b.p, "mailtls_cert_expiry_timestamp_seconds{"
				    "plugin=\"tlsa\",target=\"d.example\"} "
				    "1800086400\n"));
	assert_non_null(strstr(b.p, "address=\"192.0.2.7\",mx=\"mx.d.example\","
				    "ip_protocol=\"ipv4\"} 1800000010\n"));
	assert_non_null(strstr(b.p, "mailtls_fetch_seconds{plugin=\"tlsa\","
				    "target=\"d.example\"} 0.25\n"));
	assert_non_null(strstr(b.p, "mailtls_rtt_seconds{plugin=\"tlsa\","
				    "target=\"d.example\"} 1.5\n"));
	assert_non_null(strstr(b.p, "mailtls_policy_bytes{plugin=\"tlsa\","
				    "target=\"d.example\"} 81\n"));
	assert_non_null(strstr(b.p, "mailtls_size_bytes{plugin=\"tlsa\","
				    "target=\"d.example\"} 2048\n"));
	assert_non_null(strstr(b.p, "mailtls_ok_ratio{plugin=\"tlsa\","
				    "target=\"d.example\"} 0.5\n"));
	assert_non_null(strstr(b.p, "mailtls_tls_version_info{plugin=\"tlsa\","
				    "target=\"d.example\",host=\"mx.d.example\","
				    "address=\"192.0.2.7\",mx=\"mx.d.example\","
				    "ip_protocol=\"ipv4\",tls_version=\"TLSv1.3\"} "
				    "1\n"));
	/* the record that matched, its fields as labels (issue 16) */
	assert_non_null(strstr(b.p, "mailtls_tlsa_record_match{plugin=\"tlsa\","
				    "target=\"d.example\",host=\"mx.d.example\","
				    "address=\"192.0.2.7\",mx=\"mx.d.example\","
				    "ip_protocol=\"ipv4\",usage=\"3\",selector=\"1\","
				    "matching_type=\"1\"} 1\n"));
	/* an IPv6 address (of --all-certs' RSA session) */
	assert_non_null(strstr(b.p, "address=\"2001:db8::7/rsa\","
				    "mx=\"mx.d.example\",ip_protocol=\"ipv6\"} 0\n"));
	assert_null(strstr(b.p, "subject"));
	assert_null(strstr(b.p, "192_0_2_7"));
	/* every family once, however many nodes feed it */
	{
		const char *t = "# TYPE mailtls_cert_remaining_seconds";
		const char *first = strstr(b.p, t);

		assert_non_null(first);
		assert_null(strstr(first + 1, t));
	}
	buf_free(&b);
	result_free(root);
	clock_fix_wall(-1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_worst),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_format_parse),
	    cmocka_unit_test(test_sanitize),
	    cmocka_unit_test(test_tree),
	    cmocka_unit_test(test_log_growth),
	    cmocka_unit_test(test_show_log),
	    cmocka_unit_test(test_name_worst),
	    cmocka_unit_test(test_nagios_small),
	    cmocka_unit_test(test_perf_fields),
	    cmocka_unit_test(test_one_pipe),
	    cmocka_unit_test(test_cap_hosts),
	    cmocka_unit_test(test_cap_exact),
	    cmocka_unit_test(test_cap_perfdata),
	    cmocka_unit_test(test_json_small),
	    cmocka_unit_test(test_json_escape),
	    cmocka_unit_test(test_openmetrics_small),
	    cmocka_unit_test(test_openmetrics_units),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
