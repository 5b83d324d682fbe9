/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_rpt_corpus.c: the TLSRPT report reader (common/report_src.c) and
 * parser (common/tlsrpt_report.c) run over the corpus
 * tests/corpus/tlsrpt-reports/ (CONFORMANCE RPTR-01, RPTR-02, RPTR-03,
 * RPTR-06, RPTR-07; the shapes real senders send, and hostile input).
 *
 * tests/corpus/tlsrpt-reports/MANIFEST lists every case with its verdict
 * and expectations; its header documents the syntax. Committed cases are
 * LF, printable-ASCII files under json/ and wire/; the rest (CRLF mail,
 * gzip, big and deep inputs) are made here by gens[], named
 * "gen:SUBDIR/NAME". The name's suffix says how the bytes are read, as
 * check_tlsrpt_reports reads a folder: .json as JSON, .gz as gzip, .eml
 * as a message. The verdict: valid (a report, no note), warn (a report,
 * with notes on what the sender did), invalid (refused: not a report, or
 * a report we will not read). The shared driver is corpus.c;
 * TLSRPT_REPORTS_CORPUS_DUMP=DIR writes the generated cases to DIR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "corpus.h"
#include "report_src.h"
#include "tlsrpt_report.h"
#include "util.h"

/* ---- generated cases ------------------------------------------------- */

#define REPORT(id, extra)                                                   \
	"{\"organization-name\":\"Example Sender\",\"date-range\":"         \
	"{\"start-datetime\":\"2026-11-30T00:00:00Z\",\"end-datetime\":"   \
	"\"2026-11-30T23:59:59Z\"},\"contact-info\":\"x@sender.example\","  \
	"\"report-id\":\"" id "\",\"policies\":[{\"policy\":{\"policy-type\":" \
	"\"sts\",\"policy-domain\":\"example.com\"},\"summary\":{"          \
	"\"total-successful-session-count\":90,"                            \
	"\"total-failure-session-count\":10},\"failure-details\":[{"        \
	"\"result-type\":\"certificate-expired\",\"receiving-mx-hostname\":" \
	"\"mx1.example.com\",\"failed-session-count\":10}]}]" extra "}"

/* gzip of s (n bytes), with a file name in the header as senders do */
static void
put_gzip(struct buf *b, const char *s, size_t n, const char *fname)
{
	z_stream z;
	unsigned char out[65536];
	gz_header h;

	memset(&z, 0, sizeof(z));
	memset(&h, 0, sizeof(h));
	h.name = (Bytef *)(uintptr_t)fname;
	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	if (fname != NULL)
		deflateSetHeader(&z, &h);
	z.next_in = (Bytef *)(uintptr_t)s;
	z.avail_in = (uInt)n;
	for (;;) {
		int rc;

		z.next_out = out;
		z.avail_out = sizeof(out);
		rc = deflate(&z, Z_FINISH);
		buf_add(b, (const char *)out, sizeof(out) - z.avail_out);
		if (rc == Z_STREAM_END)
			break;
	}
	deflateEnd(&z);
}

static void
put_b64(struct buf *b, const unsigned char *s, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 |
			     (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);

		buf_putc(b, t[v >> 18 & 63]);
		buf_putc(b, t[v >> 12 & 63]);
		buf_putc(b, i + 1 < n ? t[v >> 6 & 63] : '=');
		buf_putc(b, i + 2 < n ? t[v & 63] : '=');
		if ((col += 4) == 76) {
			buf_puts(b, "\r\n");
			col = 0;
		}
	}
	buf_puts(b, "\r\n");
}

#define HEAD                                                                \
	"Received: from mail-sor-f69.google.example by mx1.example.com\r\n" \
	"From: noreply-smtp-tls-reporting@google.example\r\n"              \
	"To: tlsrpt@example.com\r\n"                                        \
	"Date: Tue, 01 Dec 2026 04:00:00 +0000\r\n"                         \
	"MIME-Version: 1.0\r\n"

/* Google: gzip in base64; the Subject's report id is not the JSON's */
static void
g_google_gz(struct buf *b)
{
	struct buf z;

	buf_init(&z);
	put_gzip(&z, REPORT("2026-11-30T00:00:00Z_example.com", ""),
		 strlen(REPORT("2026-11-30T00:00:00Z_example.com", "")),
		 "google.com!example.com!1796083199!1796169599.json");
	buf_puts(b, HEAD "Subject: Report Domain: example.com Submitter: "
			 "google.com Report-ID: <000000000000a1b2c3>\r\n"
			 "Content-Type: multipart/report; boundary=\"b1\"; "
			 "report-type=tlsrpt\r\n\r\n--b1\r\nContent-Type: "
			 "text/plain; charset=\"UTF-8\"\r\n\r\nThis is an "
			 "aggregate TLS report from google.com\r\n--b1\r\n"
			 "Content-Type: application/tlsrpt+gzip; \r\n"
			 "\tname=\"google.com!example.com.json.gz\"\r\n"
			 "Content-Disposition: attachment; \r\n"
			 "\tfilename=\"google.com!example.com.json.gz\"\r\n"
			 "Content-Transfer-Encoding: base64\r\n\r\n");
	put_b64(b, (const unsigned char *)z.p, z.len);
	buf_puts(b, "--b1--\r\n");
	buf_free(&z);
}

/* Microsoft: an HTML part first, dates without a zone */
static void
g_microsoft_html(struct buf *b)
{
	static const char js[] =
	    "{\"organization-name\":\"Microsoft Corporation\",\"date-range\":"
	    "{\"start-datetime\":\"2026-11-30T00:00:00\",\"end-datetime\":"
	    "\"2026-11-30T23:59:59\"},\"contact-info\":"
	    "\"tlsrpt-noreply@microsoft.example\",\"report-id\":"
	    "\"133925885310113267+example.com\",\"policies\":[{\"policy\":"
	    "{\"policy-type\":\"tlsa\",\"policy-string\":[\"[\\\"3 1 1 "
	    "AB\\\",\\\"3 1 1 CD\\\"]\"],\"policy-domain\":\"example.com\"},"
	    "\"summary\":{\"total-successful-session-count\":2,"
	    "\"total-failure-session-count\":3},\"failure-details\":[{"
	    "\"result-type\":\"sts-policy-fetch-error\","
	    "\"failed-session-count\":3}]}]}";
	struct buf z;

	buf_init(&z);
	put_gzip(&z, js, sizeof(js) - 1, NULL);
	buf_puts(b, HEAD "Subject: Report Domain: example.com Submitter: "
			 "microsoft.com\r\nContent-Type: multipart/report; "
			 "report-type=\"tlsrpt\"; boundary=\"_x_\"\r\n\r\n"
			 "--_x_\r\nContent-Type: text/html; charset=\"us-ascii\""
			 "\r\nContent-Transfer-Encoding: quoted-printable\r\n"
			 "\r\n<div>This is a report=3D</div>\r\n--_x_\r\n"
			 "Content-Type: application/tlsrpt+gzip\r\n"
			 "Content-Transfer-Encoding: base64\r\n\r\n");
	put_b64(b, (const unsigned char *)z.p, z.len);
	buf_puts(b, "--_x_--\r\n");
	buf_free(&z);
}

static void
mail_with_part(struct buf *b, const char *top, const char *ptype,
	       const char *cte, const char *body)
{
	buf_printf(b,
		   HEAD "Subject: report\r\nContent-Type: %s; "
			"boundary=\"b\"\r\n\r\n--b\r\nContent-Type: "
			"text/plain\r\n\r\nA report.\r\n--b\r\nContent-Type: "
			"%s\r\n%s%s\r\n\r\n%s\r\n--b\r\nContent-Type: "
			"text/plain\r\n\r\nA second text part after the report "
			"(Mail.ru).\r\n--b--\r\n",
		   top, ptype, cte ? "Content-Transfer-Encoding: " : "",
		   cte ? cte : "", body);
}

static void
g_tlsrpt_json(struct buf *b)
{
	mail_with_part(b, "multipart/report; report-type=tlsrpt",
		       "application/tlsrpt+json", "7bit", REPORT("json-1", ""));
}

static void
g_raw_tlsrpt(struct buf *b)
{
	mail_with_part(b, "multipart/report; report-type=tlsrpt",
		       "application/tlsrpt", NULL, REPORT("raw-1", ""));
}

static void
g_related(struct buf *b)
{
	mail_with_part(b, "multipart/related", "application/tlsrpt+json", NULL,
		       REPORT("related-1", ""));
}

static void
g_application_json(struct buf *b)
{
	mail_with_part(b, "multipart/report; report-type=tlsrpt",
		       "application/json", NULL, REPORT("appjson-1", ""));
}

static void
g_whole_body(struct buf *b)
{
	buf_puts(b, HEAD "Subject: report\r\nContent-Type: "
			 "application/tlsrpt+json\r\n\r\n" REPORT("whole-1", "")
			     "\r\n");
}

static void
g_quoted_printable(struct buf *b)
{
	/* '=' as =3D: the JSON holds none, so this is the report as is,
	 * with a soft line break in the middle */
	mail_with_part(b, "multipart/report; report-type=tlsrpt",
		       "application/tlsrpt+json", "quoted-printable",
		       "{\"organization-name\":\"Example Sender\",=\r\n"
		       "\"date-range\":{\"start-datetime\":"
		       "\"2026-11-30T00:00:00Z\",\"end-datetime\":"
		       "\"2026-11-30T23:59:59Z\"},\"report-id\":\"qp-1\","
		       "\"policies\":[]}");
}

static void
g_cron(struct buf *b)
{
	buf_puts(b, "From: root@mx1.example.com\r\nTo: tlsrpt@example.com\r\n"
		    "Subject: Cron <root@mx1> run-parts /etc/cron.daily\r\n"
		    "\r\n/etc/cron.daily/logrotate: done\r\n");
}

static void
g_not_mail(struct buf *b)
{
	corpus_put_garbage(b, 2048);
}

static void
g_gzip_bad_base64(struct buf *b)
{
	mail_with_part(b, "multipart/report; report-type=tlsrpt",
		       "application/tlsrpt+gzip", "base64",
		       "H4sIAAAAAAAA/////this is not the gzip it claims!!");
}

static void
g_gz(struct buf *b)
{
	put_gzip(b, REPORT("gz-1", ""), strlen(REPORT("gz-1", "")),
		 "report.json");
}

static void
g_gz_two_members(struct buf *b)
{
	static const char js[] = REPORT("gz-2", "");

	put_gzip(b, js, 100, NULL);
	put_gzip(b, js + 100, sizeof(js) - 1 - 100, NULL);
}

static void
g_gz_bomb(struct buf *b)
{
	/* 4 MiB of blanks in a JSON object: over 100:1 */
	size_t n = 4u << 20;
	char *s = xmalloc(n);

	memset(s, ' ', n);
	s[0] = '{';
	s[n - 1] = '}';
	put_gzip(b, s, n, NULL);
	free(s);
}

static void
g_gz_over_10mib(struct buf *b)
{
	/* 11 MiB of text that compresses less than 100:1 */
	size_t n = 11u << 20;
	char *s = xmalloc(n);

	corpus_rng_seed(7);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + corpus_rng_byte() % 16);
	s[0] = '"';
	s[n - 1] = '"';
	put_gzip(b, s, n, NULL);
	free(s);
}

static void
g_gz_truncated(struct buf *b)
{
	put_gzip(b, REPORT("gz-3", ""), strlen(REPORT("gz-3", "")), NULL);
	b->len -= 12;
}

static void
g_gz_magic_only(struct buf *b)
{
	buf_add(b, "\x1f\x8b", 2);
}

static void
g_json_deep(struct buf *b)
{
	buf_puts(b, REPORT("deep-1", ",\"x\":"));
	b->len--; /* the closing brace */
	corpus_put_rep(b, '[', 5000);
	corpus_put_rep(b, ']', 5000);
	buf_putc(b, '}');
}

static void
g_json_depth_16(struct buf *b)
{
	/* 16 levels in all: the object, then 15 arrays */
	buf_puts(b, REPORT("depth-16", ",\"x\":"));
	b->len--;
	corpus_put_rep(b, '[', 15);
	corpus_put_rep(b, ']', 15);
	buf_putc(b, '}');
}

static void
g_json_depth_17(struct buf *b)
{
	buf_puts(b, REPORT("depth-17", ",\"x\":"));
	b->len--;
	corpus_put_rep(b, '[', 16);
	corpus_put_rep(b, ']', 16);
	buf_putc(b, '}');
}

static void
g_json_brackets_in_strings(struct buf *b)
{
	/* brackets inside strings do not nest */
	buf_puts(b, REPORT("strings-1", ",\"x\":\"[[[[[[[[[[[[[[[[[[[[[\\\"["
					 "[[[[[[[[[[[\""));
}

static void
g_json_11mib(struct buf *b)
{
	buf_puts(b, REPORT("big-1", ",\"pad\":\""));
	b->len--;
	corpus_put_rep(b, 'x', 11u << 20);
	buf_puts(b, "\"}");
}

static void
g_json_bom(struct buf *b)
{
	buf_puts(b, "\xef\xbb\xbf" REPORT("bom-1", ""));
}

static void
g_json_crlf(struct buf *b)
{
	buf_puts(b, "{\r\n\"organization-name\": \"Example Sender\",\r\n"
		    "\"date-range\": {\"start-datetime\": "
		    "\"2026-11-30T00:00:00Z\",\r\n\"end-datetime\": "
		    "\"2026-12-01T00:00:00Z\"},\r\n\"contact-info\": null,\r\n"
		    "\"report-id\": \"crlf-1\",\r\n\"policies\": []\r\n}\r\n");
}

static void
g_json_nul(struct buf *b)
{
	buf_add(b, "{\"organization-name\":\"A\0B\"}", 27);
}

static void
g_json_high_bytes(struct buf *b)
{
	buf_puts(b, REPORT("high-1", ",\"x\":\""));
	b->len--;
	corpus_put_high(b);
	buf_puts(b, "\"}");
}

static void
g_json_1001_policies(struct buf *b)
{
	buf_puts(b, "{\"organization-name\":\"E\",\"report-id\":\"p\","
		    "\"date-range\":{\"start-datetime\":\"2026-11-30T00:00:00Z\","
		    "\"end-datetime\":\"2026-11-30T23:59:59Z\"},\"policies\":[");
	for (int i = 0; i < 1001; i++)
		buf_printf(b, "%s{\"policy\":{\"policy-type\":\"sts\","
			      "\"policy-domain\":\"d%d.example\"},\"summary\":"
			      "{\"total-successful-session-count\":1,"
			      "\"total-failure-session-count\":0}}",
			   i ? "," : "", i);
	buf_puts(b, "]}");
}

static void
g_json_1000_policies(struct buf *b)
{
	buf_puts(b, "{\"organization-name\":\"E\",\"report-id\":\"p\","
		    "\"date-range\":{\"start-datetime\":\"2026-11-30T00:00:00Z\","
		    "\"end-datetime\":\"2026-11-30T23:59:59Z\"},\"policies\":[");
	for (int i = 0; i < 1000; i++)
		buf_printf(b, "%s{\"policy\":{\"policy-type\":\"sts\","
			      "\"policy-domain\":\"d%d.example\"},\"summary\":"
			      "{\"total-successful-session-count\":1,"
			      "\"total-failure-session-count\":0}}",
			   i ? "," : "", i);
	buf_puts(b, "]}");
}

static void
g_json_garbage(struct buf *b)
{
	corpus_put_garbage(b, 4096);
}

#define FN CORPUS_FN

static const struct corpus_gen gens[] = {
    FN("wire/google-gzip-base64.eml", g_google_gz),
    FN("wire/microsoft-html.eml", g_microsoft_html),
    FN("wire/tlsrpt-json.eml", g_tlsrpt_json),
    FN("wire/raw-application-tlsrpt.eml", g_raw_tlsrpt),
    FN("wire/multipart-related.eml", g_related),
    FN("wire/application-json.eml", g_application_json),
    FN("wire/whole-body.eml", g_whole_body),
    FN("wire/quoted-printable.eml", g_quoted_printable),
    FN("wire/cron-mail.eml", g_cron),
    FN("wire/not-mail.eml", g_not_mail),
    FN("wire/gzip-bad-base64.eml", g_gzip_bad_base64),
    FN("wire/report.json.gz", g_gz),
    FN("wire/two-members.json.gz", g_gz_two_members),
    FN("wire/bomb.json.gz", g_gz_bomb),
    FN("wire/over-10mib.json.gz", g_gz_over_10mib),
    FN("wire/truncated.json.gz", g_gz_truncated),
    FN("wire/magic-only.gz", g_gz_magic_only),
    FN("json/deep-5000.json", g_json_deep),
    FN("json/depth-16.json", g_json_depth_16),
    FN("json/depth-17.json", g_json_depth_17),
    FN("json/brackets-in-strings.json", g_json_brackets_in_strings),
    FN("json/over-10mib.json", g_json_11mib),
    FN("json/bom.json", g_json_bom),
    FN("json/crlf.json", g_json_crlf),
    FN("json/nul-byte.json", g_json_nul),
    FN("json/high-bytes.json", g_json_high_bytes),
    FN("json/1000-policies.json", g_json_1000_policies),
    FN("json/1001-policies.json", g_json_1001_policies),
    FN("json/garbage.json", g_json_garbage),
};

/* ---- the manifest ----------------------------------------------------- */

static const char *const subdirs[] = {"json", "wire", NULL};

static bool
one_of(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static bool
rpt_expect(const struct corpus_entry *e, struct corpus_expect *x, size_t line)
{
	static const char *const flags[] = {"notreport", "mimenote", NULL};
	static const char *const nums[] = {"policies", "ok",	"failed",
					   "details",  "start", "end",
					   "notes",    NULL};
	static const char *const strs[] = {"org", "id", "type", "domain",
					   "result", "mx", NULL};
	const char *k = x->base;

	(void)e;
	if (strcmp(k, "why") == 0 && x->op == '~')
		return true;
	if (strcmp(k, "mismatch") == 0 && x->op == 0 && x->idx >= 0)
		return true;
	if (one_of(k, flags) && x->op == 0 && x->idx < 0)
		return true;
	if (one_of(k, nums) && x->op == '=')
		return corpus_expect_num(x, 0, line);
	if (one_of(k, strs) && x->op == '=')
		return true;
	corpus_merr(line, "unknown or malformed expectation '%s'", x->key);
	return false;
}

/* ---- checking a case ----------------------------------------------------- */

static void
run(struct corpus_ctx *c, const char *bytes, size_t len)
{
	const struct corpus_entry *e = c->e;
	struct rsrc_limits lim = {RSRC_OUT_MAX, RSRC_RATIO_MAX};
	struct rpt_report r;
	struct buf out;
	char why[300] = "", mnote[200] = "";
	char notes[RPT_NOTES_MAX + 1][RPT_NOTE_LEN];
	size_t nnotes = 0;
	enum rsrc_status st;
	enum corpus_verdict v;
	bool parsed = false;
	uint64_t ok = 0, failed = 0;

	memset(&r, 0, sizeof(r));
	buf_init(&out);
	st = rsrc_extract(rsrc_kind_of(e->name), bytes, len, &lim, &out, why,
			  sizeof(why), mnote, sizeof(mnote));
	if (st == RSRC_OK) {
		parsed = rpt_parse(out.p, out.len, &r) == RPT_OK;
		if (!parsed)
			util_strlcpy(why, r.why, sizeof(why));
		for (size_t i = 0; i < r.nnotes; i++)
			util_strlcpy(notes[nnotes++], r.notes[i],
				     RPT_NOTE_LEN);
		if (parsed && mnote[0] != '\0')
			util_strlcpy(notes[nnotes++], mnote, RPT_NOTE_LEN);
	}
	v = !parsed ? CORPUS_INVALID : nnotes ? CORPUS_WARN : CORPUS_VALID;
	corpus_check_verdict(c, v, why, nnotes ? notes[0] : "");
	if (!parsed && strstr(why, "RPTR-") == NULL &&
	    strstr(why, "RFC ") == NULL)
		corpus_miss(c, "refused, but why \"%s\" names no rule", why);
	if (parsed)
		for (size_t i = 0; i < r.np; i++) {
			ok += r.p[i].ok;
			failed += r.p[i].failed;
		}

	for (size_t i = 0; i < e->nexp; i++) {
		const struct corpus_expect *x = &e->exp[i];
		const char *k = x->base;
		bool found = false;

		if (strcmp(k, "why") == 0) {
			corpus_check_why(c, x, why, (const char *)notes,
					 RPT_NOTE_LEN, nnotes);
		} else if (strcmp(k, "notreport") == 0) {
			if (st != RSRC_NOT_REPORT)
				corpus_miss(c, "not skipped as not a report "
					       "(RPTR-01)");
		} else if (strcmp(k, "mimenote") == 0) {
			if (mnote[0] == '\0')
				corpus_miss(c, "no note on the message's form");
		} else if (!parsed) {
			corpus_miss(c, "%s: the report did not parse", x->key);
		} else if (strcmp(k, "policies") == 0) {
			if (r.np != (size_t)x->num)
				corpus_miss(c, "policies=%zu", r.np);
		} else if (strcmp(k, "ok") == 0) {
			if (ok != (uint64_t)x->num)
				corpus_miss(c, "ok=%llu",
					    (unsigned long long)ok);
		} else if (strcmp(k, "failed") == 0) {
			if (failed != (uint64_t)x->num)
				corpus_miss(c, "failed=%llu",
					    (unsigned long long)failed);
		} else if (strcmp(k, "notes") == 0) {
			if (nnotes != (size_t)x->num)
				corpus_miss(c, "notes=%zu", nnotes);
		} else if (strcmp(k, "start") == 0 || strcmp(k, "end") == 0) {
			long long t = k[0] == 's' ? (long long)r.start
						  : (long long)r.end;

			if (t != x->num)
				corpus_miss(c, "%s=%lld", k, t);
		} else if (strcmp(k, "org") == 0) {
			if (strcmp(r.org, x->val) != 0)
				corpus_miss(c, "org=%s", r.org);
		} else if (strcmp(k, "id") == 0) {
			if (strcmp(r.id, x->val) != 0)
				corpus_miss(c, "id=%s", r.id);
		} else if (strcmp(k, "details") == 0 ||
			   strcmp(k, "type") == 0 || strcmp(k, "domain") == 0 ||
			   strcmp(k, "mismatch") == 0) {
			size_t pi = x->idx < 0 ? 0 : (size_t)x->idx;

			if (pi >= r.np)
				corpus_miss(c, "%s: no policy %zu", x->key, pi);
			else if (k[0] == 'd' && k[1] == 'e' &&
				 r.p[pi].nd != (size_t)x->num)
				corpus_miss(c, "%s=%zu", x->key, r.p[pi].nd);
			else if (k[0] == 't' &&
				 strcmp(rpt_ptype_name(r.p[pi].type),
					x->val) != 0)
				corpus_miss(c, "%s=%s", x->key,
					    rpt_ptype_name(r.p[pi].type));
			else if (k[0] == 'd' && k[1] == 'o' &&
				 strcmp(r.p[pi].domain, x->val) != 0)
				corpus_miss(c, "%s=%s", x->key,
					    r.p[pi].domain);
			else if (k[0] == 'm' && !r.p[pi].details_mismatch)
				corpus_miss(c, "%s: no mismatch", x->key);
		} else if (strcmp(k, "result") == 0 || strcmp(k, "mx") == 0) {
			for (size_t i2 = 0; i2 < r.np; i2++)
				for (size_t j = 0; j < r.p[i2].nd; j++)
					found |= strcmp(k[0] == 'r'
							    ? r.p[i2].d[j]
								  .result_type
							    : r.p[i2].d[j].mx,
							x->val) == 0;
			if (!found)
				corpus_miss(c, "no failure detail with %s=%s",
					    k, x->val);
		}
	}
	rpt_free(&r);
	buf_free(&out);
}

int
main(int argc, char **argv)
{
	static const struct corpus t = {
	    .name = "rpt_corpus",
	    .env = "TLSRPT_REPORTS_CORPUS",
	    .rel = "tests/corpus/tlsrpt-reports",
	    .subdirs = subdirs,
	    .gens = gens,
	    .ngens = sizeof(gens) / sizeof(gens[0]),
	    .index_max = 4,
	    .bugs = false,
	    .expect = rpt_expect,
	    .run = run,
	};
	int rc;

	(void)argc;
	rc = corpus_main(&t, argv[0]);
	rsrc_shutdown();
	return rc;
}
