/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_tlsrpt_corpus.c: the TLSRPT record parser (common/tlsrpt.c) run over
 * the corpus tests/corpus/tlsrpt/ (CONFORMANCE RPT-01..RPT-07; the rua URIs
 * by RFC 3986 and RFC 6068; real-world shapes and hostile inputs).
 *
 * tests/corpus/tlsrpt/MANIFEST lists every case with its expected verdict
 * and expectations; its header documents the syntax. A case is either a
 * plain-ASCII file under txt/, or, for bytes that should not be committed
 * (NUL, CR, TAB, a BOM, bytes 0x80-0xff, trailing blanks, large sizes),
 * synthesised here: the table gens[] below, named "gen:txt/NAME" in the
 * manifest.
 *
 * One cmocka test per manifest line, named by the case's path, plus two
 * that check the manifest itself: its syntax, and that it names every
 * corpus file and every generated case, and nothing else. The driver,
 * shared with test_mtasts_corpus.c, is corpus.c; what is here is the
 * generators, the expectations the parser takes (tlsrpt_expect) and the
 * checks of one case (run).
 *
 * A manifest line whose comment begins "# BUG:" states the correct
 * expectation for a known parser bug. Its test is skipped while the bug is
 * there and fails once every expectation holds, so that the marker goes
 * when the bug does. Its bytes are parsed with NULs after them, not from
 * a block of exactly their length, where the bug's out-of-bounds read
 * would abort the sanitizer build; TLSRPT_CORPUS_BUGS=1 runs the BUG cases
 * like any other.
 *
 * The corpus directory is $TLSRPT_CORPUS if set, else tests/corpus/tlsrpt
 * from the working directory (tests/run.sh runs from the repository top),
 * else ../../../tests/corpus/tlsrpt from the binary (build/tests/unit/).
 * TLSRPT_CORPUS_DUMP=DIR also writes the generated cases to DIR/txt/, to
 * look at them with xxd or to seed a fuzzer.
 *
 * Each case's bytes are parsed from a heap block of exactly their length,
 * so that the sanitizer build catches a read past the end; and again with
 * each of a few different bytes repeated past the end, in bounds, so that
 * any build catches a result that depends on them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "tlsrpt.h"
#include "util.h"

/* ---- generated cases ------------------------------------------------- */

#define LIT CORPUS_LIT
#define FN CORPUS_FN

/* A valid record, and its start. */
#define V "v=TLSRPTv1; "
#define REC V "rua=mailto:tlsrpt@example.com"

static void
g_high_bytes(struct buf *b)
{
	buf_puts(b, REC "; x=");
	corpus_put_high(b);
}

static void
g_record_100k(struct buf *b)
{
	buf_puts(b, REC "; x=");
	corpus_put_rep(b, 'a', 100 * 1024);
}

static void
g_ext_name_100k(struct buf *b)
{
	buf_puts(b, REC "; ");
	corpus_put_rep(b, 'n', 100 * 1024);
	buf_puts(b, "=1");
}

static void
g_many_extensions(struct buf *b)
{
	buf_puts(b, REC);
	for (int i = 0; i < 10000; i++)
		buf_printf(b, "; e%05d=v", i);
}

/* 65535 bytes: the most one TXT RR's strings can hold, joined */
static void
g_64k(struct buf *b)
{
	buf_puts(b, REC "; x=");
	corpus_put_rep(b, 'a', 65535 - b->len);
}

static void
g_uri_100k_mailto(struct buf *b)
{
	buf_puts(b, V "rua=mailto:");
	corpus_put_rep(b, 'a', 100 * 1024);
	buf_puts(b, "@example.com");
}

static void
g_uri_100k_https_path(struct buf *b)
{
	buf_puts(b, V "rua=https://reports.example/");
	corpus_put_rep(b, 'p', 100 * 1024);
}

static void
g_uri_100k_https_host(struct buf *b)
{
	buf_puts(b, V "rua=https://");
	corpus_put_rep(b, 'h', 100 * 1024);
	buf_puts(b, "/v1");
}

static void
g_uri_100k_https_port(struct buf *b)
{
	buf_puts(b, V "rua=https://reports.example:");
	corpus_put_rep(b, '4', 100 * 1024);
	buf_puts(b, "/v1");
}

static void
g_uri_100k_scheme(struct buf *b)
{
	buf_puts(b, V "rua=");
	corpus_put_rep(b, 'x', 100 * 1024);
	buf_puts(b, ":y");
}

static void
g_uri_100k_then_mailto(struct buf *b)
{
	g_uri_100k_https_path(b);
	buf_puts(b, ", mailto:tlsrpt@example.com");
}

/* an https: URI of n bytes: "https://reports.example/" (24) then 'p's */
static void
put_https_uri(struct buf *b, size_t n)
{
	buf_puts(b, V "rua=https://reports.example/");
	corpus_put_rep(b, 'p', n - 24);
}

static void
g_uri_254(struct buf *b)
{
	put_https_uri(b, 254);
}

static void
g_uri_255(struct buf *b)
{
	put_https_uri(b, 255);
}

static void
g_uri_256(struct buf *b)
{
	put_https_uri(b, 256);
}

static void
put_uris(struct buf *b, int n)
{
	buf_puts(b, V "rua=");
	for (int i = 1; i <= n; i++)
		buf_printf(b, "%smailto:r%d@example.com", i > 1 ? ", " : "", i);
}

static void
g_rua_5000(struct buf *b)
{
	put_uris(b, 5000);
}

static void
g_rua_5000_last_invalid(struct buf *b)
{
	put_uris(b, 5000);
	buf_puts(b, ", mailto:r5001@example.com|");
}

static void
g_commas_5000(struct buf *b)
{
	buf_puts(b, REC);
	corpus_put_rep(b, ',', 5000);
}

static void
g_blanks_100k(struct buf *b)
{
	buf_puts(b, V "rua=mailto:a@x.example");
	corpus_put_rep(b, ' ', 50 * 1024);
	buf_putc(b, ',');
	corpus_put_rep(b, '\t', 50 * 1024);
	buf_puts(b, "mailto:b@y.example");
}

static void
g_dup_rua_many(struct buf *b)
{
	buf_puts(b, REC);
	for (int i = 0; i < 19; i++)
		buf_printf(b, "; rua=mailto:r%d@example.com", i);
}

static void
g_garbage(struct buf *b)
{
	corpus_put_garbage(b, 4096);
}

static void
g_garbage_after_prefix(struct buf *b)
{
	buf_puts(b, "v=TLSRPTv1;");
	corpus_put_garbage(b, 4096);
}

/*
 * 16 random URIs: random schemes, bodies of random bytes that RFC 3986
 * allows (no '%', and none of ',', ';', '!' or blanks): whatever each one
 * is judged, the checks every case gets must hold.
 */
static void
g_uri_noise(struct buf *b)
{
	static const char *const schemes[] = {"mailto:", "https://", "https:",
					      "MAILTO:", "http://",  "x-y+z.1:"};
	static const char body[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
				   "OPQRSTUVWXYZ0123456789-._~:/?#[]@$&'()*+="
				   "@@@..:";

	corpus_rng_seed(0x9e3779b9u);
	buf_puts(b, V "rua=");
	for (int i = 0; i < 16; i++) {
		int n = 1 + corpus_rng_byte() % 40;

		if (i > 0)
			buf_puts(b, corpus_rng_byte() & 1 ? " , " : ",");
		buf_puts(b, schemes[corpus_rng_byte() % 6]);
		for (int j = 0; j < n; j++)
			buf_putc(b,
				 body[corpus_rng_byte() % (sizeof(body) - 1)]);
	}
}

/*
 * Beware C's hex escapes: "\xc3" "abc", not "\xc3abc", which is one
 * (out-of-range) escape.
 */
static const struct corpus_gen gens[] = {
	/* blanks (RPT-03, RPT-07) */
	LIT("txt/only-spaces.txt", "   "),
	LIT("txt/only-tabs.txt", "\t\t \t"),
	LIT("txt/version-space.txt", "v=TLSRPTv1 "),
	LIT("txt/version-semicolon-space.txt", "v=TLSRPTv1; "),
	LIT("txt/rua-blank.txt", V "rua= "),
	LIT("txt/rua-trailing-blank.txt", REC " "),
	LIT("txt/trailing-delimiter-blanks.txt", REC " ; "),
	LIT("txt/ext-trailing-blank.txt", REC "; foo=bar "),
	LIT("txt/tabs.txt", "v=TLSRPTv1;\trua=mailto:a@x.example\t,\t"
			    "https://r.example/v1\t;\tfoo=bar"),
	LIT("txt/uris-tabs-around-commas.txt",
	    V "rua=mailto:a@x.example\t,\t mailto:b@y.example \t, "
	      "https://r.example/v1"),
	LIT("txt/tab-before-semicolon.txt",
	    "v=TLSRPTv1\t; rua=mailto:tlsrpt@example.com"),
	/* line ends and control characters */
	LIT("txt/crlf-end.txt", REC "\r\n"),
	LIT("txt/cr-end.txt", REC "\r"),
	LIT("txt/crlf-after-ext.txt", REC "; foo=bar\r\n"),
	LIT("txt/uri-control.txt", V "rua=mailto:tls\x01rpt@example.com"),
	LIT("txt/uri-tab-inside.txt", V "rua=mailto:tls\trpt@example.com"),
	LIT("txt/uri-del.txt", V "rua=https://reports.example/\x7f/v1"),
	LIT("txt/uri-esc.txt", V "rua=https://reports.example/\x1b[31m"),
	LIT("txt/uri-vtab.txt",
	    V "rua=mailto:a@x.example\x0b,mailto:b@y.example"),
	LIT("txt/uri-crlf-between.txt",
	    V "rua=mailto:a@x.example,\r\nmailto:b@y.example"),
	LIT("txt/ext-control-in-value.txt", REC "; foo=a\x01" "b"),
	LIT("txt/ext-tab-in-value.txt", REC "; foo=a\tb"),
	LIT("txt/ext-control-in-name.txt", REC "; f\x07o=1"),
	LIT("txt/ext-del-in-value.txt", REC "; foo=a\x7f"),
	/* NUL, BOM, bytes 0x80-0xff */
	LIT("txt/nul-end.txt", REC "\0"),
	LIT("txt/nul-in-uri.txt", V "rua=mailto:tls\0rpt@example.com"),
	LIT("txt/nul-only.txt", "\0"),
	LIT("txt/nul-after-prefix.txt",
	    "v=TLSRPTv1;\0rua=mailto:tlsrpt@example.com"),
	LIT("txt/nul-in-version.txt",
	    "v=TLSRPT\0v1; rua=mailto:tlsrpt@example.com"),
	LIT("txt/bom.txt", "\xef\xbb\xbf" REC),
	LIT("txt/utf8-mailto-domain.txt",
	    V "rua=mailto:r@b\xc3\xbc" "cher.example"),
	LIT("txt/utf8-ext-value.txt", REC "; owner=M\xc3\xbcller"),
	LIT("txt/latin1-ext-value.txt", REC "; owner=M\xfcller"),
	LIT("txt/utf8-nbsp-before-comma.txt",
	    V "rua=mailto:a@x.example\xc2\xa0,mailto:b@y.example"),
	FN("txt/high-bytes.txt", g_high_bytes),
	/* sizes */
	FN("txt/record-100k.txt", g_record_100k),
	FN("txt/ext-name-100k.txt", g_ext_name_100k),
	FN("txt/many-extensions.txt", g_many_extensions),
	FN("txt/64k.txt", g_64k),
	FN("txt/uri-100k-mailto.txt", g_uri_100k_mailto),
	FN("txt/uri-100k-https-path.txt", g_uri_100k_https_path),
	FN("txt/uri-100k-https-host.txt", g_uri_100k_https_host),
	FN("txt/uri-100k-https-port.txt", g_uri_100k_https_port),
	FN("txt/uri-100k-scheme.txt", g_uri_100k_scheme),
	FN("txt/uri-100k-then-mailto.txt", g_uri_100k_then_mailto),
	FN("txt/uri-254.txt", g_uri_254),
	FN("txt/uri-255.txt", g_uri_255),
	FN("txt/uri-256.txt", g_uri_256),
	FN("txt/rua-5000.txt", g_rua_5000),
	FN("txt/rua-5000-last-invalid.txt", g_rua_5000_last_invalid),
	FN("txt/commas-5000.txt", g_commas_5000),
	FN("txt/blanks-100k.txt", g_blanks_100k),
	FN("txt/dup-rua-many.txt", g_dup_rua_many),
	FN("txt/garbage.txt", g_garbage),
	FN("txt/garbage-after-prefix.txt", g_garbage_after_prefix),
	FN("txt/uri-noise.txt", g_uri_noise),
};


/* ---- the manifest ----------------------------------------------------- */

static const char *const subdirs[] = {"txt", NULL};

static bool
one_of(const char *s, const char *a, const char *b, const char *c)
{
	return strcmp(s, a) == 0 || strcmp(s, b) == 0 ||
	       (c != NULL && strcmp(s, c) == 0);
}

/* Checks one expectation token; false: an error (reported). */
static bool
tlsrpt_expect(const struct corpus_entry *e, struct corpus_expect *x,
	      size_t line)
{
	const char *k = x->base;
	bool per_uri;

	per_uri = one_of(k, "scheme", "ok", "addr") ||
		  one_of(k, "host", "port", "uriwhy") ||
		  one_of(k, "uri", "urilen", "sname");
	if (per_uri != (x->idx >= 0)) {
		corpus_merr(line, "%s: %s", x->key,
			    per_uri ? "a URI expectation wants an index, as "
				      "host[0]"
				    : "unknown key, or an index on a record "
				      "expectation");
		return false;
	}
	if (x->op == 0) {
		if (strcmp(k, "dropped") == 0)
			return true;
		corpus_merr(line, "unknown flag '%s'", x->key);
		return false;
	}
	if (x->op == '~') {
		if (strcmp(k, "why") != 0 && strcmp(k, "uriwhy") != 0) {
			corpus_merr(line,
				    "'~' only follows why or uriwhy[I], not "
				    "'%s'",
				    x->key);
			return false;
		}
		if (strcmp(k, "why") == 0 && e->verdict == CORPUS_VALID) {
			corpus_merr(line,
				    "why~ on a valid case (no why, no notes)");
			return false;
		}
		if (x->val[0] == '\0') {
			corpus_merr(line, "empty %s~", x->key);
			return false;
		}
		return true;
	}
	if (one_of(k, "notes", "nrua", "next") ||
	    one_of(k, "port", "urilen", NULL))
		return corpus_expect_num(x, 0, line);
	if (one_of(k, "capped", "ok", NULL)) {
		if (one_of(x->val, "yes", "no", NULL))
			return true;
		corpus_merr(line, "%s=%s: not yes or no", x->key, x->val);
		return false;
	}
	if (strcmp(k, "scheme") == 0) {
		if (one_of(x->val, "mailto", "https", "other"))
			return true;
		corpus_merr(line, "%s=%s: not mailto, https or other", x->key,
			    x->val);
		return false;
	}
	if (one_of(k, "addr", "host", NULL))
		return true; /* may be empty */
	if (one_of(k, "uri", "sname", NULL)) {
		if (x->val[0] != '\0')
			return true;
		corpus_merr(line, "empty %s=", x->key);
		return false;
	}
	corpus_merr(line, "unknown key '%s'", x->key);
	return false;
}

/* ---- checking a case ----------------------------------------------------- */

static enum corpus_verdict
verdict(enum tlsrpt_verdict v)
{
	return v == TLSRPT_VALID  ? CORPUS_VALID
	       : v == TLSRPT_WARN ? CORPUS_WARN
				  : CORPUS_INVALID;
}

struct result {
	enum corpus_verdict v;
	bool kept; /* tlsrpt_txt_is_rpt() */
	struct tlsrpt_record r;
};

static void
parse_into(const char *rec, size_t len, struct result *res)
{
	memset(res, 0, sizeof(*res));
	res->kept = tlsrpt_txt_is_rpt(rec, len);
	res->v = verdict(tlsrpt_parse(rec, len, &res->r));
}

static bool
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* What holds for every URI kept, whatever the manifest says. */
static void
check_uri(struct corpus_ctx *c, size_t i, const struct tlsrpt_uri *u)
{
	size_t sl;
	const char *at;

	if (!terminated(u->uri, sizeof(u->uri)) ||
	    !terminated(u->scheme_name, sizeof(u->scheme_name)) ||
	    !terminated(u->why, sizeof(u->why)) ||
	    !terminated(u->addr, sizeof(u->addr)) ||
	    !terminated(u->host, sizeof(u->host))) {
		corpus_miss(c, "rua[%zu]: a string is not NUL-terminated", i);
		return;
	}
	sl = strlen(u->scheme_name);
	if (u->uri[0] == '\0' || sl == 0)
		corpus_miss(c, "rua[%zu]: empty uri or scheme_name", i);
	else if (strncmp(u->uri, u->scheme_name, sl) != 0 ||
		 (sl < sizeof(u->scheme_name) - 1 && u->uri[sl] != ':'))
		corpus_miss(c,
			    "rua[%zu]: scheme_name \"%s\" is not the scheme of "
			    "\"%s\"",
			    i, u->scheme_name, u->uri);
	if ((u->scheme == TLSRPT_MAILTO) !=
		(util_strcasecmp(u->scheme_name, "mailto") == 0) ||
	    (u->scheme == TLSRPT_HTTPS) !=
		(util_strcasecmp(u->scheme_name, "https") == 0))
		corpus_miss(c, "rua[%zu]: scheme %s for \"%s:\"", i,
			    tlsrpt_scheme_name(u->scheme), u->scheme_name);
	if (u->ok && u->why[0] != '\0')
		corpus_miss(c, "rua[%zu]: ok, but why is set: \"%s\"", i,
			    u->why);
	if (!u->ok && strncmp(u->why, "RFC ", 4) != 0)
		corpus_miss(c, "rua[%zu]: not ok, and why \"%s\" names no RFC",
			    i, u->why);
	switch (u->scheme) {
	case TLSRPT_OTHER:
		if (u->ok || u->addr[0] || u->host[0] || u->port)
			corpus_miss(c,
				    "rua[%zu]: scheme other, yet ok, an "
				    "address, a host or a port",
				    i);
		break;
	case TLSRPT_MAILTO:
		if (u->port != 0)
			corpus_miss(c, "rua[%zu]: mailto with port %u", i,
				    u->port);
		if (!u->ok)
			break;
		/* the domain after the last '@': a Quoted-string local
		 * part may hold one (RPT-30) */
		at = strrchr(u->addr, '@');
		if (at == NULL ||
		    !tlsrpt_local_part_ok(u->addr, (size_t)(at - u->addr)) ||
		    strcmp(at + 1, u->host) != 0 || u->host[0] == '\0' ||
		    strlen(u->host) > 253)
			corpus_miss(c,
				    "rua[%zu]: ok, but addr \"%s\" and host "
				    "\"%s\" are not local@host",
				    i, u->addr, u->host);
		break;
	case TLSRPT_HTTPS:
		if (u->addr[0] != '\0')
			corpus_miss(c, "rua[%zu]: https with addr \"%s\"", i,
				    u->addr);
		if (u->ok &&
		    (u->host[0] == '\0' || u->port < 1 || u->port > 65535))
			corpus_miss(c, "rua[%zu]: ok with host \"%s\", port %u",
				    i, u->host, u->port);
		break;
	default:
		corpus_miss(c, "rua[%zu]: scheme %d out of range", i,
			    (int)u->scheme);
	}
}

/* What holds for every result, whatever the manifest says. */
static void
check_common(struct corpus_ctx *c, const struct result *res)
{
	static const struct tlsrpt_uri zero_uri;
	static const char zero_note[TLSRPT_NOTE_LEN];
	const struct tlsrpt_record *r = &res->r;

	if (!terminated(r->why, sizeof(r->why)))
		corpus_miss(c, "why is not NUL-terminated");
	else if (res->v == CORPUS_INVALID && strncmp(r->why, "RFC ", 4) != 0)
		corpus_miss(c, "invalid, but why \"%s\" names no RFC", r->why);
	else if (res->v != CORPUS_INVALID && r->why[0] != '\0')
		corpus_miss(c, "%s, but why is set: \"%s\"",
			    corpus_verdict_name(res->v), r->why);
	if (r->nnotes > TLSRPT_NOTES_MAX) {
		corpus_miss(c, "%zu notes, at most %d", r->nnotes,
			    TLSRPT_NOTES_MAX);
		return;
	}
	if (res->v == CORPUS_VALID && r->nnotes != 0)
		corpus_miss(c, "valid with %zu note(s): \"%s\"", r->nnotes,
			    r->notes[0]);
	if (res->v == CORPUS_WARN && r->nnotes == 0)
		corpus_miss(c, "warn without a note");
	for (size_t i = 0; i < TLSRPT_NOTES_MAX; i++)
		if (i < r->nnotes
			? !terminated(r->notes[i], TLSRPT_NOTE_LEN) ||
			      r->notes[i][0] == '\0'
			: memcmp(r->notes[i], zero_note, TLSRPT_NOTE_LEN) != 0)
			corpus_miss(c, "note %zu is %s", i,
				    i < r->nnotes
					? "empty or not NUL-terminated"
					: "written past nnotes");
	if (r->nrua > TLSRPT_RUA_MAX) {
		corpus_miss(c, "nrua=%zu, more than TLSRPT_RUA_MAX", r->nrua);
		return;
	}
	if (r->rua_capped && r->nrua != TLSRPT_RUA_MAX)
		corpus_miss(c, "capped with nrua=%zu", r->nrua);
	if (res->v != CORPUS_INVALID && r->nrua == 0)
		corpus_miss(c, "%s without a rua URI",
			    corpus_verdict_name(res->v));
	for (size_t i = 0; i < TLSRPT_RUA_MAX; i++)
		if (i < r->nrua)
			check_uri(c, i, &r->rua[i]);
		else if (memcmp(&r->rua[i], &zero_uri, sizeof(zero_uri)) != 0)
			corpus_miss(c, "rua[%zu] written past nrua=%zu", i,
				    r->nrua);
}

/* why~TEXT: in why if the case should be invalid, else in a note */
static void
check_why(struct corpus_ctx *c, const struct corpus_expect *x,
	  const struct tlsrpt_record *r)
{
	corpus_check_why(c, x, r->why, (const char *)r->notes, TLSRPT_NOTE_LEN,
			 r->nnotes < TLSRPT_NOTES_MAX ? r->nnotes
						      : TLSRPT_NOTES_MAX);
}

static void
check_uri_expect(struct corpus_ctx *c, const struct corpus_expect *x,
		 const struct tlsrpt_record *r)
{
	const struct tlsrpt_uri *u;
	const char *k = x->base;

	if ((size_t)x->idx >= r->nrua || r->nrua > TLSRPT_RUA_MAX) {
		corpus_miss(c, "%s%c%s, but nrua=%zu", x->key, x->op, x->val,
			    r->nrua);
		return;
	}
	u = &r->rua[x->idx];
	if (strcmp(k, "scheme") == 0) {
		if (strcmp(tlsrpt_scheme_name(u->scheme), x->val) != 0)
			corpus_miss(c, "%s=%s, expected %s", x->key,
				    tlsrpt_scheme_name(u->scheme), x->val);
	} else if (strcmp(k, "ok") == 0) {
		if (u->ok != (strcmp(x->val, "yes") == 0))
			corpus_miss(c, "%s=%s, expected %s (why: \"%s\")",
				    x->key, u->ok ? "yes" : "no", x->val,
				    u->why);
	} else if (strcmp(k, "addr") == 0 || strcmp(k, "host") == 0 ||
		   strcmp(k, "uri") == 0 || strcmp(k, "sname") == 0) {
		const char *got = k[0] == 'a'	? u->addr
				  : k[0] == 'h' ? u->host
				  : k[0] == 'u' ? u->uri
						: u->scheme_name;

		if (strcmp(got, x->val) != 0)
			corpus_miss(c, "%s=\"%s\", expected \"%s\"", x->key,
				    got, x->val);
	} else if (strcmp(k, "port") == 0) {
		if (u->port != (unsigned long)x->num)
			corpus_miss(c, "%s=%u, expected %lld", x->key, u->port,
				    x->num);
	} else if (strcmp(k, "urilen") == 0) {
		if (strlen(u->uri) != (size_t)x->num)
			corpus_miss(c, "%s=%zu, expected %lld", x->key,
				    strlen(u->uri), x->num);
	} else if (strcmp(k, "uriwhy") == 0) {
		if (strstr(u->why, x->val) == NULL)
			corpus_miss(c, "%s~%s: its why is \"%s\"", x->key,
				    x->val, u->why);
	}
}

static void
check_expectations(struct corpus_ctx *c, const struct result *res)
{
	const struct corpus_entry *e = c->e;
	const struct tlsrpt_record *r = &res->r;
	bool want_kept = true;

	corpus_check_verdict(c, res->v, r->why, r->nnotes ? r->notes[0] : "");
	for (size_t i = 0; i < e->nexp; i++) {
		const struct corpus_expect *x = &e->exp[i];
		const char *k = x->base;

		if (x->idx >= 0)
			check_uri_expect(c, x, r);
		else if (strcmp(k, "dropped") == 0)
			want_kept = false;
		else if (strcmp(k, "why") == 0)
			check_why(c, x, r);
		else if (strcmp(k, "notes") == 0) {
			if (r->nnotes != (size_t)x->num)
				corpus_miss(c, "notes=%zu, expected %lld",
					    r->nnotes, x->num);
		} else if (strcmp(k, "nrua") == 0) {
			if (r->nrua != (size_t)x->num)
				corpus_miss(c, "nrua=%zu, expected %lld",
					    r->nrua, x->num);
		} else if (strcmp(k, "next") == 0) {
			if (r->nextensions != (size_t)x->num)
				corpus_miss(c, "next=%zu, expected %lld",
					    r->nextensions, x->num);
		} else if (strcmp(k, "capped") == 0) {
			if (r->rua_capped != (strcmp(x->val, "yes") == 0))
				corpus_miss(c, "capped=%s, expected %s",
					    r->rua_capped ? "yes" : "no",
					    x->val);
		}
	}
	if (res->kept != want_kept)
		corpus_miss(c,
			    "the RPT-01 filter (tlsrpt_txt_is_rpt) %s it, "
			    "expected it %s",
			    res->kept ? "keeps" : "drops",
			    want_kept ? "kept" : "dropped (flag 'dropped')");
}

static bool
same_str(const char *a, const char *b, size_t size)
{
	return strncmp(a, b, size) == 0;
}

/*
 * The same result, field by field; strings up to their NUL (setwhy() copies
 * a whole stack buffer, whose bytes after the NUL vary from call to call).
 */
static bool
same_result(const struct result *a, const struct result *b)
{
	const struct tlsrpt_record *x = &a->r, *y = &b->r;

	if (a->v != b->v || a->kept != b->kept || x->nrua != y->nrua ||
	    x->rua_capped != y->rua_capped ||
	    x->nextensions != y->nextensions || x->nnotes != y->nnotes ||
	    !same_str(x->why, y->why, sizeof(x->why)) ||
	    x->nrua > TLSRPT_RUA_MAX || x->nnotes > TLSRPT_NOTES_MAX)
		return false;
	for (size_t i = 0; i < x->nnotes; i++)
		if (!same_str(x->notes[i], y->notes[i], TLSRPT_NOTE_LEN))
			return false;
	for (size_t i = 0; i < x->nrua; i++) {
		const struct tlsrpt_uri *u = &x->rua[i], *w = &y->rua[i];

		if (u->scheme != w->scheme || u->ok != w->ok ||
		    u->port != w->port ||
		    !same_str(u->uri, w->uri, sizeof(u->uri)) ||
		    !same_str(u->scheme_name, w->scheme_name,
			      sizeof(u->scheme_name)) ||
		    !same_str(u->why, w->why, sizeof(u->why)) ||
		    !same_str(u->addr, w->addr, sizeof(u->addr)) ||
		    !same_str(u->host, w->host, sizeof(u->host)))
			return false;
	}
	return true;
}

/*
 * Bytes that could sit just past a record: a parser that reads there gives
 * a result that depends on which. GUARD_LEN of them, then a NUL, so that a
 * read that runs on (a "%.60s" of an unterminated string) stays in bounds.
 */
#define GUARD_LEN 127
static const char guards[] = {'\0', ']', ':', '/', '@', ';', ',',
			      ' ',  '!', '%', 'a', '9', '\n'};

/*
 * Parses the case twice as given (corpus.c: a block of exactly len bytes,
 * so that the sanitizer sees a read past the end), then with each guard
 * byte (and more of it) just past the end. *out is the first parse.
 */
static void
parse_case(struct corpus_ctx *c, const char *bytes, size_t len,
	   struct result *out)
{
	struct result *tmp = xmalloc(sizeof(*tmp));

	parse_into(bytes, len, out);
	parse_into(bytes, len, tmp);
	if (!same_result(out, tmp))
		corpus_miss(c, "a second parse of the same bytes differs");
	for (size_t g = 0; g < sizeof(guards); g++) {
		char *q = xmalloc(len + GUARD_LEN + 1);

		memcpy(q, bytes, len);
		memset(q + len, guards[g], GUARD_LEN);
		q[len + GUARD_LEN] = '\0';
		parse_into(q, len, tmp);
		free(q);
		if (!same_result(out, tmp)) {
			corpus_miss(c,
				    "reads past the end: with byte 0x%02x "
				    "after it, verdict %s, why \"%s\"; "
				    "otherwise %s, \"%s\"",
				    (unsigned char)guards[g],
				    corpus_verdict_name(tmp->v), tmp->r.why,
				    corpus_verdict_name(out->v), out->r.why);
			break;
		}
	}
	free(tmp);
}

static void
run(struct corpus_ctx *c, const char *bytes, size_t len)
{
	struct result *res = xmalloc(sizeof(*res));

	parse_case(c, bytes, len, res);
	check_common(c, res);
	check_expectations(c, res);
	free(res);
}

int
main(int argc, char **argv)
{
	static const struct corpus t = {
	    .name = "tlsrpt_corpus",
	    .env = "TLSRPT_CORPUS",
	    .rel = "tests/corpus/tlsrpt",
	    .subdirs = subdirs,
	    .gens = gens,
	    .ngens = sizeof(gens) / sizeof(gens[0]),
	    .index_max = TLSRPT_RUA_MAX,
	    .bugs = true,
	    .expect = tlsrpt_expect,
	    .run = run,
	};

	(void)argc;
	return corpus_main(&t, argv[0]);
}
