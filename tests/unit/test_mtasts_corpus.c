/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_mtasts_corpus.c: the MTA-STS TXT record and policy parsers run over
 * the corpus tests/corpus/mta-sts/ (CONFORMANCE STS-03..STS-11,
 * STB-01..STB-12, MXM-01; real-world shapes and hostile inputs).
 *
 * tests/corpus/mta-sts/MANIFEST lists every case with its expected verdict
 * and expectations; its header documents the syntax. A case is either a
 * plain-ASCII file under txt/ or policy/, or, for bytes that should not be
 * committed (NUL, CR, TAB, BOM, bytes 0x80-0xff, trailing blanks, large
 * sizes), synthesised here: the table gens[] below, named "gen:txt/NAME" or
 * "gen:policy/NAME" in the manifest.
 *
 * One cmocka test per manifest line, named by the case's path, plus two
 * that check the manifest itself: its syntax, and that it names every
 * corpus file and every generated case, and nothing else. The driver,
 * shared with test_tlsrpt_corpus.c, is corpus.c; what is here is the
 * generators, the expectations the two parsers take (mtasts_expect) and
 * the checks of one case (run_txt, run_policy).
 *
 * The corpus directory is $MTASTS_CORPUS if set, else tests/corpus/mta-sts
 * from the working directory (tests/run.sh runs from the repository top),
 * else ../../../tests/corpus/mta-sts from the binary (build/tests/unit/).
 * MTASTS_CORPUS_DUMP=DIR also writes the generated cases to DIR/txt/ and
 * DIR/policy/, to look at them with xxd or to seed a fuzzer.
 *
 * Each case's bytes are parsed from a heap block of exactly their length,
 * so that the sanitizer build catches a read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "corpus.h"
#include "mtasts.h"
#include "util.h"

/* ---- generated cases ------------------------------------------------- */

#define LIT CORPUS_LIT
#define FN CORPUS_FN

/* A valid policy, LF line ends. */
#define POL                                                                  \
	"version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n"

static void
g_txt_long_ext_value(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=1; x=");
	corpus_put_rep(b, 'a', 100 * 1024);
}

static void
g_txt_long_id(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=");
	corpus_put_rep(b, '7', 100 * 1024);
}

static void
g_txt_long_name(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=1; ");
	corpus_put_rep(b, 'n', 100 * 1024);
	buf_puts(b, "=1");
}

static void
g_txt_many_fields(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=1");
	for (int i = 0; i < 10000; i++)
		buf_printf(b, "; e%05d=v", i);
}

/* 65535 bytes: the most one TXT RR's strings can hold, joined */
static void
g_txt_64k(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=64k; x=");
	corpus_put_rep(b, 'a', 65535 - b->len);
}

static void
g_txt_high_bytes(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=1; x=");
	corpus_put_high(b);
}

static void
g_txt_garbage(struct buf *b)
{
	corpus_put_garbage(b, 4096);
}

static void
g_txt_garbage_after_prefix(struct buf *b)
{
	buf_puts(b, "v=STSv1;");
	corpus_put_garbage(b, 4096);
}

static void
g_pol_long_ext_value(struct buf *b)
{
	buf_puts(b, POL "x: ");
	corpus_put_rep(b, 'a', 100 * 1024);
	buf_putc(b, '\n');
}

static void
g_pol_long_key(struct buf *b)
{
	buf_puts(b, POL);
	corpus_put_rep(b, 'k', 100 * 1024);
	buf_puts(b, ": 1\n");
}

static void
g_pol_long_mx(struct buf *b)
{
	buf_puts(b, "version: STSv1\nmode: enforce\nmax_age: 86400\nmx: ");
	for (int i = 0; i < 50 * 1024; i++)
		buf_puts(b, "a.");
	buf_puts(b, "example\n");
}

static void
g_pol_long_no_colon(struct buf *b)
{
	corpus_put_rep(b, 'x', 100 * 1024);
}

static void
g_pol_long_max_age(struct buf *b)
{
	buf_puts(b, "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
		    "max_age: ");
	corpus_put_rep(b, '9', 100 * 1024);
	buf_putc(b, '\n');
}

/* exactly 65536 bytes: mx lines, then an extension line as padding */
static void
g_pol_mx_64k(struct buf *b)
{
	size_t i = 0, pad;

	buf_puts(b, "version: STSv1\nmode: enforce\nmax_age: 86400\n");
	while (b->len + 24 + 5 <= 65536)
		buf_printf(b, "mx: mx%05zu.example.com\n", ++i);
	pad = 65536 - b->len;
	buf_puts(b, "x: ");
	corpus_put_rep(b, 'p', pad - 4);
	buf_putc(b, '\n');
}

static void
g_pol_mx_64k_last_invalid(struct buf *b)
{
	g_pol_mx_64k(b);
	buf_puts(b, "mx: mx_bad.example.com\n");
}

static void
g_pol_blank_64k(struct buf *b)
{
	buf_puts(b, "version: STSv1\n");
	corpus_put_rep(b, '\n', 65536);
	buf_puts(b, "mode: enforce\nmx: mx1.example.com\nmax_age: 86400\n");
}

static void
g_pol_dup_many(struct buf *b)
{
	buf_puts(b, "version: STSv1\n");
	for (int i = 0; i < 20; i++)
		buf_puts(b, "mode: enforce\n");
	buf_puts(b, "mx: mx1.example.com\nmax_age: 86400\n");
}

static void
g_pol_garbage(struct buf *b)
{
	corpus_put_garbage(b, 4096);
}

static void
g_pol_garbage_after_valid(struct buf *b)
{
	buf_puts(b, POL);
	corpus_put_garbage(b, 4096);
}

static void
g_pol_high_bytes_ext_value(struct buf *b)
{
	buf_puts(b, POL "x: ");
	corpus_put_high(b);
	buf_putc(b, '\n');
}

static void
g_pol_high_bytes_mx(struct buf *b)
{
	buf_puts(b, "version: STSv1\nmode: enforce\nmax_age: 86400\nmx: ");
	corpus_put_high(b);
	buf_putc(b, '\n');
}

/*
 * Beware C's hex escapes: "\xe9" "abc", not "\xe9abc", which is one
 * (out-of-range) escape.
 */
static const struct corpus_gen gens[] = {
	/* TXT records */
	LIT("txt/trailing-delimiter-spaces.txt", "v=STSv1; id=1 ; "),
	LIT("txt/trailing-space.txt", "v=STSv1; id=1 "),
	LIT("txt/tabs.txt", "v=STSv1;\tid=1\t;\tfoo=bar"),
	LIT("txt/tab-before-semicolon.txt", "v=STSv1\t; id=1"),
	LIT("txt/only-spaces.txt", "   "),
	LIT("txt/version-semicolon-space.txt", "v=STSv1; "),
	LIT("txt/nul-end.txt", "v=STSv1; id=1\0"),
	LIT("txt/nul-mid.txt", "v=STSv1;\0id=1"),
	LIT("txt/nul-only.txt", "\0"),
	LIT("txt/bom.txt", "\xef\xbb\xbf" "v=STSv1; id=1"),
	LIT("txt/utf8-ext-value.txt", "v=STSv1; id=1; x=caf\xc3\xa9"),
	LIT("txt/utf8-id.txt", "v=STSv1; id=\xd9\xa1"),
	LIT("txt/latin1-ext-value.txt", "v=STSv1; id=1; x=caf\xe9"),
	FN("txt/high-bytes.txt", g_txt_high_bytes),
	LIT("txt/control-char.txt", "v=STSv1; id=1\x01"),
	LIT("txt/control-in-name.txt", "v=STSv1; id=1; f\x07o=1"),
	LIT("txt/del.txt", "v=STSv1; id=1; x=a\x7f"),
	LIT("txt/esc-sequence.txt", "v=STSv1; id=1; x=\x1b[31m"),
	LIT("txt/crlf-end.txt", "v=STSv1; id=1\r\n"),
	LIT("txt/cr-after-semicolon.txt", "v=STSv1;\rid=1"),
	FN("txt/long-ext-value-100k.txt", g_txt_long_ext_value),
	FN("txt/long-id-100k.txt", g_txt_long_id),
	FN("txt/long-name-100k.txt", g_txt_long_name),
	FN("txt/many-fields.txt", g_txt_many_fields),
	FN("txt/64k.txt", g_txt_64k),
	FN("txt/garbage.txt", g_txt_garbage),
	FN("txt/garbage-after-prefix.txt", g_txt_garbage_after_prefix),

	/* policies: line ends (STB-10) */
	LIT("policy/crlf.txt", "version: STSv1\r\nmode: enforce\r\n"
			       "mx: mx1.example.com\r\nmx: *.example.net\r\n"
			       "max_age: 604800\r\n"),
	LIT("policy/crlf-no-final-newline.txt",
	    "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\n"
	    "max_age: 604800"),
	LIT("policy/microsoft-style.txt",
	    "version: STSv1\r\nmode: enforce\r\n"
	    "mx: *.mail.protection.outlook.com\r\nmax_age: 604800\r\n"),
	LIT("policy/mixed-line-ends.txt", "version: STSv1\nmode: enforce\r\n"
					  "mx: mx1.example.com\n"
					  "max_age: 86400\r\n"),
	LIT("policy/crlf-blank-line.txt",
	    "version: STSv1\r\n\r\nmode: enforce\r\nmx: mx1.example.com\r\n"
	    "max_age: 86400\r\n"),
	LIT("policy/bare-cr-mid.txt", "version: STSv1\rmode: enforce\n"
				      "mx: mx1.example.com\nmax_age: 86400\n"),
	LIT("policy/bare-cr-end.txt", "version: STSv1\nmode: enforce\n"
				      "mx: mx1.example.com\nmax_age: 86400\r"),
	LIT("policy/cr-only.txt", "version: STSv1\rmode: enforce\r"
				  "mx: mx1.example.com\rmax_age: 86400\r"),
	LIT("policy/cr-cr-lf.txt", "version: STSv1\r\r\nmode: enforce\r\r\n"
				   "mx: mx1.example.com\r\r\n"
				   "max_age: 86400\r\r\n"),
	LIT("policy/lf-cr.txt", "version: STSv1\n\rmode: enforce\n\r"
				"mx: mx1.example.com\n\rmax_age: 86400\n\r"),
	LIT("policy/only-newlines.txt", "\n\n\n"),
	LIT("policy/only-crlf.txt", "\r\n\r\n"),
	LIT("policy/cr.txt", "\r"),
	/* whitespace (STB-09) */
	LIT("policy/tab-after-colon.txt", "version:\tSTSv1\nmode:\tenforce\n"
					  "mx:\tmx1.example.com\n"
					  "max_age:\t86400\n"),
	LIT("policy/trailing-whitespace.txt",
	    "version: STSv1  \nmode: enforce\t\nmx: mx1.example.com \t \n"
	    "max_age: 86400 \n"),
	LIT("policy/tab-before-colon.txt",
	    "version: STSv1\nmode\t: enforce\nmx: mx1.example.com\n"
	    "max_age: 86400\n"),
	LIT("policy/whitespace-only-line.txt",
	    "version: STSv1\n   \nmode: enforce\nmx: mx1.example.com\n"
	    "max_age: 86400\n"),
	LIT("policy/only-spaces.txt", "   \n  \n"),
	LIT("policy/only-tabs.txt", "\t\t"),
	LIT("policy/ext-value-tab-inside.txt", POL "x: a\tb\n"),
	/* NUL, BOM, UTF-8 and other bytes (STB-10, STB-12, STB-08) */
	LIT("policy/nul-in-value.txt", "version: STSv1\nmode: enf\0orce\n"
				       "mx: mx1.example.com\nmax_age: 86400\n"),
	LIT("policy/nul-end.txt", POL "\0"),
	LIT("policy/nul-before-newline.txt",
	    "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
	    "max_age: 86400\0\n"),
	LIT("policy/nul-only.txt", "\0"),
	LIT("policy/bom.txt", "\xef\xbb\xbf" POL),
	LIT("policy/bom-crlf.txt", "\xef\xbb\xbf"
				   "version: STSv1\r\nmode: enforce\r\n"
				   "mx: mx1.example.com\r\nmax_age: 86400\r\n"),
	LIT("policy/utf8-ext-value.txt", POL "owner: M\xc3\xbcller GmbH\n"),
	LIT("policy/utf8-mode-value.txt",
	    "version: STSv1\nmode: enforc\xc3\xa9\nmx: mx1.example.com\n"
	    "max_age: 86400\n"),
	LIT("policy/utf8-key.txt", POL "cl\xc3\xa9: x\n"),
	LIT("policy/mx-ulabel.txt", "version: STSv1\nmode: enforce\n"
				    "mx: b\xc3\xbc" "cher.example\n"
				    "max_age: 86400\n"),
	LIT("policy/latin1-ext-value.txt", POL "owner: M\xfcller\n"),
	FN("policy/high-bytes-ext-value.txt", g_pol_high_bytes_ext_value),
	FN("policy/high-bytes-mx.txt", g_pol_high_bytes_mx),
	LIT("policy/control-in-mode.txt", "version: STSv1\nmode: enf\x01orce\n"
					  "mx: mx1.example.com\n"
					  "max_age: 86400\n"),
	LIT("policy/control-in-ext-value.txt", POL "x: a\x02z\n"),
	LIT("policy/del-in-value.txt", "version: STSv1\nmode: enforce\n"
				       "mx: mx1.example.com\x7f\n"
				       "max_age: 86400\n"),
	LIT("policy/esc-in-ext-value.txt", POL "x: \x1b[2J\x1b[31mred\n"),
	LIT("policy/vertical-tab-after-colon.txt",
	    "version: STSv1\nmode:\x0b" "enforce\nmx: mx1.example.com\n"
	    "max_age: 86400\n"),
	LIT("policy/control-in-key.txt", POL "x\x01y: 1\n"),
	/* sizes */
	FN("policy/long-ext-value-100k.txt", g_pol_long_ext_value),
	FN("policy/long-key-100k.txt", g_pol_long_key),
	FN("policy/long-mx-100k.txt", g_pol_long_mx),
	FN("policy/long-no-colon-100k.txt", g_pol_long_no_colon),
	FN("policy/long-max-age-100k.txt", g_pol_long_max_age),
	FN("policy/mx-64k.txt", g_pol_mx_64k),
	FN("policy/mx-64k-last-invalid.txt", g_pol_mx_64k_last_invalid),
	FN("policy/blank-lines-64k.txt", g_pol_blank_64k),
	FN("policy/dup-keys-many.txt", g_pol_dup_many),
	FN("policy/garbage.txt", g_pol_garbage),
	FN("policy/garbage-after-valid.txt", g_pol_garbage_after_valid),
};

/* ---- the manifest ----------------------------------------------------- */

static const char *const subdirs[] = {"txt", "policy", NULL};

#define IS_TXT(e) ((e)->sub == 0) /* else policy */

/* Checks one expectation token against the entry's kind; false: error */
static bool
mtasts_expect(const struct corpus_entry *e, struct corpus_expect *x,
	      size_t line)
{
	const char *k = x->key;
	bool txt = IS_TXT(e), num = false;

	if (x->op == 0) {
		if (txt && (strcmp(k, "dropped") == 0 ||
			    strcmp(k, "wsp-kept") == 0))
			return true;
		corpus_merr(line, "unknown flag '%s'", k);
		return false;
	}
	if (x->op == '~') {
		if (strcmp(k, "why") != 0) {
			corpus_merr(line, "'~' only follows 'why', not '%s'",
				    k);
			return false;
		}
		if (e->verdict == CORPUS_VALID) {
			corpus_merr(line,
				    "why~ on a valid case (no why, no notes)");
			return false;
		}
		if (x->val[0] == '\0') {
			corpus_merr(line, "empty why~");
			return false;
		}
		return true;
	}
	if (strcmp(k, "notes") == 0)
		num = true;
	else if (txt && strcmp(k, "id") == 0)
		return true;
	else if (txt && strcmp(k, "next") == 0)
		num = true;
	else if (!txt && (strcmp(k, "max_age") == 0 || strcmp(k, "nmx") == 0))
		num = true;
	else if (!txt && strcmp(k, "mode") == 0) {
		static const char *const modes[] = {"enforce", "testing",
						    "none", "unset"};

		for (size_t i = 0; i < 4; i++)
			if (strcmp(x->val, modes[i]) == 0)
				return true;
		corpus_merr(line,
			    "mode=%s: not enforce, testing, none or unset",
			    x->val);
		return false;
	} else if (!txt && strcmp(k, "capped") == 0) {
		if (strcmp(x->val, "yes") == 0 || strcmp(x->val, "no") == 0)
			return true;
		corpus_merr(line, "capped=%s: not yes or no", x->val);
		return false;
	} else if (!txt &&
		   (strcmp(k, "match") == 0 || strcmp(k, "nomatch") == 0)) {
		if (x->val[0] != '\0')
			return true;
		corpus_merr(line, "empty %s=", k);
		return false;
	} else if (!txt && x->idx >= 0 && strcmp(x->base, "mx") == 0)
		return true; /* mx[I], I checked by corpus.c */
	else {
		corpus_merr(line, "unknown key '%s' for a %s case", k,
			    txt ? "txt" : "policy");
		return false;
	}
	return !num || corpus_expect_num(x, -1, line);
}

/* ---- checking a case ----------------------------------------------------- */

static enum corpus_verdict
verdict(enum mtasts_verdict v)
{
	return v == MTASTS_VALID  ? CORPUS_VALID
	       : v == MTASTS_WARN ? CORPUS_WARN
				  : CORPUS_INVALID;
}

static void
check_why(struct corpus_ctx *c, const struct corpus_expect *x, const char *why,
	  const struct mtasts_notes *notes)
{
	corpus_check_why(c, x, why, (const char *)notes->text, MTASTS_NOTE_LEN,
			 notes->n < MTASTS_NOTES_MAX ? notes->n
						     : MTASTS_NOTES_MAX);
}

/* What holds for every result, whatever the manifest says. */
static void
check_common(struct corpus_ctx *c, enum corpus_verdict got, const char *why,
	     size_t whysz, const struct mtasts_notes *notes, const char *rfc)
{
	corpus_check_verdict(c, got, why, notes->n ? notes->text[0] : "");
	if (memchr(why, '\0', whysz) == NULL)
		corpus_miss(c, "why is not NUL-terminated");
	else if (got == CORPUS_INVALID && strstr(why, rfc) == NULL)
		corpus_miss(c, "invalid, but why \"%s\" does not name \"%s\"",
			    why, rfc);
	else if (got != CORPUS_INVALID && why[0] != '\0')
		corpus_miss(c, "%s, but why is set: \"%s\"",
			    corpus_verdict_name(got), why);
	if (notes->n > MTASTS_NOTES_MAX) {
		corpus_miss(c, "%zu notes, at most %d", notes->n,
			    MTASTS_NOTES_MAX);
		return;
	}
	if (got == CORPUS_VALID && notes->n != 0)
		corpus_miss(c, "valid with %zu note(s): \"%s\"", notes->n,
			    notes->text[0]);
	if (got == CORPUS_WARN && notes->n == 0)
		corpus_miss(c, "warn without a note");
	for (size_t i = 0; i < notes->n; i++)
		if (memchr(notes->text[i], '\0', MTASTS_NOTE_LEN) == NULL ||
		    notes->text[i][0] == '\0')
			corpus_miss(c,
				    "note %zu is empty or not NUL-terminated",
				    i);
}

static void
run_txt(struct corpus_ctx *c, const char *rec, size_t len)
{
	const struct corpus_entry *e = c->e;
	struct mtasts_txt t, t2;
	bool want_kept = true, kept = mtasts_txt_is_sts(rec, len);
	bool want_wsp = false, wsp = mtasts_txt_is_sts_wsp(rec, len);
	enum corpus_verdict v = verdict(mtasts_txt_parse(rec, len, &t));

	if (verdict(mtasts_txt_parse(rec, len, &t2)) != v ||
	    memcmp(&t, &t2, sizeof(t)) != 0)
		corpus_miss(c, "a second parse of the same bytes differs");
	check_common(c, v, t.why, sizeof(t.why), &t.notes, "RFC 8461 3.1");
	if (memchr(t.id, '\0', sizeof(t.id)) == NULL) {
		corpus_miss(c, "id is not NUL-terminated");
		return;
	}
	if (v != CORPUS_INVALID) {
		size_t n = strlen(t.id);

		if (n < 1 || n > 32 || strspn(t.id, "0123456789abcdefghijklmn"
						    "opqrstuvwxyzABCDEFGHIJKLM"
						    "NOPQRSTUVWXYZ") != n)
			corpus_miss(c,
				    "%s with id \"%s\": not 1-32 letters and "
				    "digits",
				    corpus_verdict_name(v), t.id);
	}
	for (size_t i = 0; i < e->nexp; i++) {
		const struct corpus_expect *x = &e->exp[i];

		if (strcmp(x->key, "dropped") == 0)
			want_kept = false;
		else if (strcmp(x->key, "wsp-kept") == 0)
			want_wsp = true;
		else if (strcmp(x->key, "why") == 0)
			check_why(c, x, t.why, &t.notes);
		else if (strcmp(x->key, "id") == 0) {
			if (strcmp(t.id, x->val) != 0)
				corpus_miss(c, "id \"%s\", expected \"%s\"",
					    t.id, x->val);
		} else if (strcmp(x->key, "next") == 0) {
			if (t.nextensions != (size_t)x->num)
				corpus_miss(c, "next=%zu, expected %lld",
					    t.nextensions, x->num);
		} else if (strcmp(x->key, "notes") == 0) {
			if (t.notes.n != (size_t)x->num)
				corpus_miss(c, "notes=%zu, expected %lld",
					    t.notes.n, x->num);
		}
	}
	if (kept != want_kept)
		corpus_miss(c,
			    "the STS-03 filter (mtasts_txt_is_sts) %s it, "
			    "expected it %s",
			    kept ? "keeps" : "drops",
			    want_kept ? "kept" : "dropped (flag 'dropped')");
	if (wsp != want_wsp)
		corpus_miss(c,
			    "STS-30: a parser with *WSP around ';' %s it "
			    "(mtasts_txt_is_sts_wsp), expected %s",
			    wsp ? "counts" : "does not count",
			    want_wsp ? "counted (flag 'wsp-kept')" : "not");
	if (wsp && kept)
		corpus_miss(c, "STS-30: kept by both filters");
}

static bool
any_match(const struct mtasts_policy *p, const char *host)
{
	for (size_t i = 0; i < p->nmx && i < MTASTS_MX_MAX; i++)
		if (mtasts_mx_match(p->mx[i], host))
			return true;
	return false;
}

static void
run_policy(struct corpus_ctx *c, const char *body, size_t len)
{
	const struct corpus_entry *e = c->e;
	struct mtasts_policy p, p2;
	enum corpus_verdict v = verdict(mtasts_policy_parse(body, len, &p));
	const char *vn = corpus_verdict_name(v);

	if (verdict(mtasts_policy_parse(body, len, &p2)) != v ||
	    memcmp(&p, &p2, sizeof(p)) != 0)
		corpus_miss(c, "a second parse of the same bytes differs");
	check_common(c, v, p.why, sizeof(p.why), &p.notes, "RFC 8461 3.2");
	if (p.nmx > MTASTS_MX_MAX) {
		corpus_miss(c, "nmx=%zu, more than MTASTS_MX_MAX", p.nmx);
		return;
	}
	for (size_t i = 0; i < p.nmx; i++)
		if (memchr(p.mx[i], '\0', sizeof(p.mx[i])) == NULL ||
		    p.mx[i][0] == '\0')
			corpus_miss(c, "mx[%zu] is empty or not NUL-terminated",
				    i);
	if (p.mx_capped && p.nmx != MTASTS_MX_MAX)
		corpus_miss(c, "capped with nmx=%zu", p.nmx);
	if (v != CORPUS_INVALID) {
		if (p.mode == MTASTS_MODE_UNSET)
			corpus_miss(c, "%s without a mode", vn);
		if (p.max_age < 0 || p.max_age > MTASTS_MAX_AGE_MAX)
			corpus_miss(c, "%s with max_age %lld", vn, p.max_age);
		if (p.nmx == 0 && p.mode != MTASTS_MODE_NONE)
			corpus_miss(c, "%s without mx in %s mode", vn,
				    mtasts_mode_name(p.mode));
	}
	for (size_t i = 0; i < e->nexp; i++) {
		const struct corpus_expect *x = &e->exp[i];

		if (strcmp(x->key, "why") == 0)
			check_why(c, x, p.why, &p.notes);
		else if (strcmp(x->key, "mode") == 0) {
			if (strcmp(mtasts_mode_name(p.mode), x->val) != 0)
				corpus_miss(c, "mode=%s, expected %s",
					    mtasts_mode_name(p.mode), x->val);
		} else if (strcmp(x->key, "max_age") == 0) {
			if (p.max_age != x->num)
				corpus_miss(c, "max_age=%lld, expected %lld",
					    p.max_age, x->num);
		} else if (strcmp(x->key, "nmx") == 0) {
			if (p.nmx != (size_t)x->num)
				corpus_miss(c, "nmx=%zu, expected %lld", p.nmx,
					    x->num);
		} else if (x->idx >= 0) { /* mx[I] */
			if ((size_t)x->idx >= p.nmx)
				corpus_miss(c, "%s=%s, but nmx=%zu", x->key,
					    x->val, p.nmx);
			else if (strcmp(p.mx[x->idx], x->val) != 0)
				corpus_miss(c, "%s=%s, expected %s", x->key,
					    p.mx[x->idx], x->val);
		} else if (strcmp(x->key, "capped") == 0) {
			if (p.mx_capped != (strcmp(x->val, "yes") == 0))
				corpus_miss(c, "capped=%s, expected %s",
					    p.mx_capped ? "yes" : "no", x->val);
		} else if (strcmp(x->key, "match") == 0) {
			if (!any_match(&p, x->val))
				corpus_miss(c, "no mx pattern matches %s",
					    x->val);
		} else if (strcmp(x->key, "nomatch") == 0) {
			if (any_match(&p, x->val))
				corpus_miss(c, "an mx pattern matches %s",
					    x->val);
		} else if (strcmp(x->key, "notes") == 0) {
			if (p.notes.n != (size_t)x->num)
				corpus_miss(c, "notes=%zu, expected %lld",
					    p.notes.n, x->num);
		}
	}
}

static void
run(struct corpus_ctx *c, const char *bytes, size_t len)
{
	if (IS_TXT(c->e))
		run_txt(c, bytes, len);
	else
		run_policy(c, bytes, len);
}

int
main(int argc, char **argv)
{
	static const struct corpus t = {
	    .name = "mtasts_corpus",
	    .env = "MTASTS_CORPUS",
	    .rel = "tests/corpus/mta-sts",
	    .subdirs = subdirs,
	    .gens = gens,
	    .ngens = sizeof(gens) / sizeof(gens[0]),
	    .index_max = MTASTS_MX_MAX,
	    .bugs = false,
	    .expect = mtasts_expect,
	    .run = run,
	};

	(void)argc;
	return corpus_main(&t, argv[0]);
}
