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
 * corpus file and every generated case, and nothing else.
 *
 * A manifest line whose comment begins "# BUG:" states the correct
 * expectation for a known parser bug. Its test is skipped while the bug is
 * there and fails once every expectation holds, so that the marker goes
 * when the bug does. It runs without the heap-exact parse (below), which
 * would abort the sanitizer build on an out-of-bounds read;
 * TLSRPT_CORPUS_BUGS=1 runs the BUG cases like any other.
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

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlsrpt.h"
#include "util.h"

#define CORPUS_ENV "TLSRPT_CORPUS"
#define CORPUS_REL "tests/corpus/tlsrpt"
#define COMMITTED_MAX 4096 /* committed corpus files stay under 4 KiB */

/* ---- generated cases ------------------------------------------------- */

typedef void gen_fn(struct buf *b);

struct gen {
	const char *name; /* "txt/..." */
	const char *lit;  /* the bytes, or NULL when fn builds them */
	size_t len;
	gen_fn *fn;
};

#define LIT(n, s) {n, s, sizeof(s) - 1, NULL}
#define FN(n, f) {n, NULL, 0, f}

/* A valid record, and its start. */
#define V "v=TLSRPTv1; "
#define REC V "rua=mailto:tlsrpt@example.com"

static uint32_t rng_state;

/* xorshift32: the same "random" bytes on every run */
static unsigned char
rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (unsigned char)(rng_state >> 24);
}

static void
put_garbage(struct buf *b, size_t n)
{
	rng_state = 0x2545f491u;
	for (size_t i = 0; i < n; i++)
		buf_putc(b, (char)rng_byte());
}

static void
put_rep(struct buf *b, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_putc(b, c);
}

static void
g_high_bytes(struct buf *b)
{
	buf_puts(b, REC "; x=");
	for (int c = 0x80; c <= 0xff; c++)
		buf_putc(b, (char)c);
}

static void
g_record_100k(struct buf *b)
{
	buf_puts(b, REC "; x=");
	put_rep(b, 'a', 100 * 1024);
}

static void
g_ext_name_100k(struct buf *b)
{
	buf_puts(b, REC "; ");
	put_rep(b, 'n', 100 * 1024);
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
	put_rep(b, 'a', 65535 - b->len);
}

static void
g_uri_100k_mailto(struct buf *b)
{
	buf_puts(b, V "rua=mailto:");
	put_rep(b, 'a', 100 * 1024);
	buf_puts(b, "@example.com");
}

static void
g_uri_100k_https_path(struct buf *b)
{
	buf_puts(b, V "rua=https://reports.example/");
	put_rep(b, 'p', 100 * 1024);
}

static void
g_uri_100k_https_host(struct buf *b)
{
	buf_puts(b, V "rua=https://");
	put_rep(b, 'h', 100 * 1024);
	buf_puts(b, "/v1");
}

static void
g_uri_100k_https_port(struct buf *b)
{
	buf_puts(b, V "rua=https://reports.example:");
	put_rep(b, '4', 100 * 1024);
	buf_puts(b, "/v1");
}

static void
g_uri_100k_scheme(struct buf *b)
{
	buf_puts(b, V "rua=");
	put_rep(b, 'x', 100 * 1024);
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
	put_rep(b, 'p', n - 24);
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
	put_rep(b, ',', 5000);
}

static void
g_blanks_100k(struct buf *b)
{
	buf_puts(b, V "rua=mailto:a@x.example");
	put_rep(b, ' ', 50 * 1024);
	buf_putc(b, ',');
	put_rep(b, '\t', 50 * 1024);
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
	put_garbage(b, 4096);
}

static void
g_garbage_after_prefix(struct buf *b)
{
	buf_puts(b, "v=TLSRPTv1;");
	put_garbage(b, 4096);
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

	rng_state = 0x9e3779b9u;
	buf_puts(b, V "rua=");
	for (int i = 0; i < 16; i++) {
		int n = 1 + rng_byte() % 40;

		if (i > 0)
			buf_puts(b, rng_byte() & 1 ? " , " : ",");
		buf_puts(b, schemes[rng_byte() % 6]);
		for (int j = 0; j < n; j++)
			buf_putc(b, body[rng_byte() % (sizeof(body) - 1)]);
	}
}

/*
 * Beware C's hex escapes: "\xc3" "abc", not "\xc3abc", which is one
 * (out-of-range) escape.
 */
static const struct gen gens[] = {
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

#define NGENS (sizeof(gens) / sizeof(gens[0]))

static const struct gen *
gen_find(const char *name)
{
	for (size_t i = 0; i < NGENS; i++)
		if (strcmp(gens[i].name, name) == 0)
			return &gens[i];
	return NULL;
}

/* ---- the manifest ----------------------------------------------------- */

struct expect {
	char *key;  /* as written: "nrua", "host[3]", "dropped", ... */
	char *base; /* without the index: "host" */
	int idx;    /* the URI index, -1 when none */
	char op;    /* '=', '~', or 0 for a flag */
	char *val;  /* unescaped, NUL-terminated */
	long num;   /* when the value is a number */
};

struct entry {
	char *path;	  /* as written: "txt/x.txt", "gen:txt/y.txt" */
	const char *name; /* path without "gen:" */
	bool gen;
	size_t line;
	enum tlsrpt_verdict verdict;
	struct expect *exp;
	size_t nexp;
	char *bug; /* the text after "# BUG:", or NULL */
};

static struct {
	char *dir;	   /* the corpus; NULL when not found */
	struct buf tried;  /* where it was looked for */
	struct buf errors; /* manifest syntax errors, one a line */
	struct entry *e;
	size_t n;
	bool run_bugs; /* TLSRPT_CORPUS_BUGS=1 */
} M;

static void
merr(size_t line, const char *fmt, ...) UTIL_PRINTF(2, 3);

static void
merr(size_t line, const char *fmt, ...)
{
	va_list ap;

	buf_printf(&M.errors, "MANIFEST line %zu: ", line);
	va_start(ap, fmt);
	buf_vprintf(&M.errors, fmt, ap);
	va_end(ap);
	buf_putc(&M.errors, '\n');
}

/* Reads a whole file into an exact-size heap block; -1 with errno. */
static int
slurp(const char *path, char **out, size_t *outlen)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return -1;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		buf_free(&b);
		errno = EIO;
		return -1;
	}
	fclose(f);
	*out = xmalloc(b.len ? b.len : 1);
	memcpy(*out, b.p, b.len);
	*outlen = b.len;
	buf_free(&b);
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "\xHH" (not \x00) and "\\" escapes, in place; false on a bad one */
static bool
unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r != '\\') {
			*w++ = *r;
			continue;
		}
		if (r[1] == '\\') {
			*w++ = '\\';
			r++;
		} else if (r[1] == 'x' && hexval(r[2]) >= 0 &&
			   hexval(r[3]) >= 0 &&
			   hexval(r[2]) * 16 + hexval(r[3]) != 0) {
			*w++ = (char)(hexval(r[2]) * 16 + hexval(r[3]));
			r += 3;
		} else
			return false;
	}
	*w = '\0';
	return true;
}

static bool
parse_num(const char *s, long *out)
{
	long long v;
	const char *why;

	if (util_parse_ll(s, 0, 1L << 40, &v, &why) != 0)
		return false;
	*out = (long)v;
	return true;
}

static bool
one_of(const char *s, const char *a, const char *b, const char *c)
{
	return strcmp(s, a) == 0 || strcmp(s, b) == 0 ||
	       (c != NULL && strcmp(s, c) == 0);
}

/* Splits "base[N]" into x->base and x->idx; false on a bad index. */
static bool
split_index(struct expect *x, size_t line)
{
	char *open = strchr(x->key, '['), *end;
	long i;

	if (open == NULL) {
		x->base = xstrdup(x->key);
		x->idx = -1;
		return true;
	}
	x->base = xstrndup(x->key, (size_t)(open - x->key));
	x->idx = -1;
	i = strtol(open + 1, &end, 10);
	if (end == open + 1 || strcmp(end, "]") != 0 || i < 0 ||
	    i >= TLSRPT_RUA_MAX || open[1] == '+' || open[1] == '-' ||
	    open[1] == ' ') {
		merr(line, "%s: want %s[0] to %s[%d]", x->key, x->base,
		     x->base, TLSRPT_RUA_MAX - 1);
		return false;
	}
	x->idx = (int)i;
	return true;
}

/* Checks one expectation token; false: an error (reported). */
static bool
check_expect(const struct entry *e, struct expect *x, size_t line)
{
	const char *k;
	bool per_uri;

	if (!split_index(x, line))
		return false;
	k = x->base;
	per_uri = one_of(k, "scheme", "ok", "addr") ||
		  one_of(k, "host", "port", "uriwhy") ||
		  one_of(k, "uri", "urilen", "sname");
	if (per_uri != (x->idx >= 0)) {
		merr(line, "%s: %s", x->key,
		     per_uri ? "a URI expectation wants an index, as "
			       "host[0]"
			     : "unknown key, or an index on a record "
			       "expectation");
		return false;
	}
	if (x->op == 0) {
		if (strcmp(k, "dropped") == 0)
			return true;
		merr(line, "unknown flag '%s'", x->key);
		return false;
	}
	if (x->op == '~') {
		if (strcmp(k, "why") != 0 && strcmp(k, "uriwhy") != 0) {
			merr(line, "'~' only follows why or uriwhy[I], not "
				   "'%s'",
			     x->key);
			return false;
		}
		if (strcmp(k, "why") == 0 && e->verdict == TLSRPT_VALID) {
			merr(line, "why~ on a valid case (no why, no notes)");
			return false;
		}
		if (x->val[0] == '\0') {
			merr(line, "empty %s~", x->key);
			return false;
		}
		return true;
	}
	if (one_of(k, "notes", "size", "nrua") || one_of(k, "next", "port",
							   "urilen")) {
		if (!parse_num(x->val, &x->num)) {
			merr(line, "%s=%s: not a number", x->key, x->val);
			return false;
		}
		return true;
	}
	if (one_of(k, "capped", "ok", NULL)) {
		if (one_of(x->val, "yes", "no", NULL))
			return true;
		merr(line, "%s=%s: not yes or no", x->key, x->val);
		return false;
	}
	if (strcmp(k, "scheme") == 0) {
		if (one_of(x->val, "mailto", "https", "other"))
			return true;
		merr(line, "%s=%s: not mailto, https or other", x->key,
		     x->val);
		return false;
	}
	if (one_of(k, "addr", "host", NULL))
		return true; /* may be empty */
	if (one_of(k, "uri", "sname", NULL)) {
		if (x->val[0] != '\0')
			return true;
		merr(line, "empty %s=", x->key);
		return false;
	}
	merr(line, "unknown key '%s'", x->key);
	return false;
}

static void
free_entry(struct entry *e)
{
	for (size_t j = 0; j < e->nexp; j++) {
		free(e->exp[j].key);
		free(e->exp[j].base);
		free(e->exp[j].val);
	}
	free(e->exp);
	free(e->path);
	free(e->bug);
}

static void
parse_line(char *s, size_t line)
{
	char *tok[64];
	size_t ntok = 0;
	struct entry e;
	char *bug = NULL;

	/* a '#' at the start of a token begins a comment */
	for (char *p = s; *p; p++)
		if (*p == '#' &&
		    (p == s || *(p - 1) == ' ' || *(p - 1) == '\t')) {
			char *c = p + 1;

			*p = '\0';
			c += strspn(c, " \t");
			if (strncmp(c, "BUG:", 4) == 0) {
				size_t n;

				c += 4;
				c += strspn(c, " \t");
				n = strlen(c);
				while (n > 0 && (c[n - 1] == ' ' ||
						 c[n - 1] == '\t' ||
						 c[n - 1] == '\r'))
					n--;
				bug = xstrndup(c, n);
			}
			break;
		}
	for (char *p = strtok(s, " \t\r"); p; p = strtok(NULL, " \t\r")) {
		if (ntok == sizeof(tok) / sizeof(tok[0])) {
			merr(line, "too many tokens");
			free(bug);
			return;
		}
		tok[ntok++] = p;
	}
	if (ntok == 0) {
		if (bug != NULL)
			merr(line, "a BUG: comment without a case");
		free(bug);
		return;
	}
	if (ntok < 2) {
		merr(line, "want: PATH VERDICT [EXPECTATION...]");
		free(bug);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.line = line;
	e.bug = bug;
	e.path = xstrdup(tok[0]);
	e.gen = strncmp(e.path, "gen:", 4) == 0;
	e.name = e.path + (e.gen ? 4 : 0);
	if (bug != NULL && bug[0] == '\0')
		merr(line, "%s: say what the bug is after BUG:", e.path);
	if (strncmp(e.name, "txt/", 4) != 0 || e.name[4] == '\0' ||
	    e.name[4] == '.' || strchr(e.name + 4, '/') != NULL) {
		merr(line, "%s: not [gen:]txt/NAME", e.path);
		free_entry(&e);
		return;
	}
	for (size_t i = 0; i < M.n; i++)
		if (strcmp(M.e[i].path, e.path) == 0) {
			merr(line, "%s: listed again (first on line %zu)",
			     e.path, M.e[i].line);
			free_entry(&e);
			return;
		}
	if (strcmp(tok[1], "valid") == 0)
		e.verdict = TLSRPT_VALID;
	else if (strcmp(tok[1], "warn") == 0)
		e.verdict = TLSRPT_WARN;
	else if (strcmp(tok[1], "invalid") == 0)
		e.verdict = TLSRPT_INVALID;
	else {
		merr(line, "%s: verdict '%s' is not valid, warn or invalid",
		     e.path, tok[1]);
		free_entry(&e);
		return;
	}
	e.exp = xcalloc(ntok, sizeof(*e.exp));
	for (size_t i = 2; i < ntok; i++) {
		struct expect *x = &e.exp[e.nexp];
		size_t kl = strcspn(tok[i], "=~");

		x->key = xstrndup(tok[i], kl);
		x->op = tok[i][kl];
		x->val = xstrdup(x->op ? tok[i] + kl + 1 : "");
		x->idx = -1;
		e.nexp++;
		if (kl == 0 || !unescape(x->val)) {
			merr(line, "%s: bad expectation '%s'", e.path, tok[i]);
		} else if (check_expect(&e, x, line))
			continue;
		/* reported: test_manifest fails; the case runs without it */
		e.nexp--;
		free(x->key);
		free(x->base);
		free(x->val);
		memset(x, 0, sizeof(*x));
	}
	M.e = xrealloc(M.e, (M.n + 1) * sizeof(*M.e));
	M.e[M.n++] = e;
}

static void
load_manifest(void)
{
	char *path = xasprintf("%s/MANIFEST", M.dir), *text, *s, *nl;
	size_t len, line = 0;

	if (slurp(path, &text, &len) != 0) {
		merr(0, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return;
	}
	free(path);
	text = xrealloc(text, len + 1);
	text[len] = '\0';
	if (strlen(text) != len)
		merr(0, "the manifest holds a NUL byte");
	for (s = text; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		line++;
		if (nl == NULL) {
			parse_line(s, line);
			break;
		}
		*nl = '\0';
		parse_line(s, line);
	}
	free(text);
}

static bool
try_dir(const char *dir)
{
	char *m = xasprintf("%s/MANIFEST", dir);
	bool ok = access(m, R_OK) == 0;

	buf_printf(&M.tried, " %s", dir);
	free(m);
	if (ok)
		M.dir = xstrdup(dir);
	return ok;
}

static void
find_corpus(const char *argv0)
{
	const char *env = getenv(CORPUS_ENV);
	const char *slash;

	buf_init(&M.tried);
	if (env != NULL && *env != '\0') {
		try_dir(env); /* set: no fallback, a typo should fail */
		return;
	}
	if (try_dir(CORPUS_REL))
		return;
	if (argv0 != NULL && (slash = strrchr(argv0, '/')) != NULL) {
		char *d = xasprintf("%.*s/../../../%s", (int)(slash - argv0),
				    argv0, CORPUS_REL);

		try_dir(d);
		free(d);
	}
}

/* ---- loading a case ------------------------------------------------------ */

static bool
load_case(const struct entry *e, char **bytes, size_t *len)
{
	if (e->gen) {
		const struct gen *g = gen_find(e->name);
		struct buf b;

		if (g == NULL) {
			print_error("%s: no generator named %s in "
				    "test_tlsrpt_corpus.c\n",
				    e->path, e->name);
			return false;
		}
		buf_init(&b);
		if (g->fn != NULL)
			g->fn(&b);
		else
			buf_add(&b, g->lit, g->len);
		*len = b.len;
		*bytes = xmalloc(b.len ? b.len : 1);
		memcpy(*bytes, b.p, b.len);
		buf_free(&b);
		return true;
	} else {
		char *p = xasprintf("%s/%s", M.dir, e->name);
		int rc = slurp(p, bytes, len);

		if (rc != 0)
			print_error("%s: cannot read %s: %s\n", e->path, p,
				    strerror(errno));
		free(p);
		return rc == 0;
	}
}

/* ---- checking a case ----------------------------------------------------- */

struct ctx {
	const struct entry *e;
	int fails;
};

static void
miss(struct ctx *c, const char *fmt, ...) UTIL_PRINTF(2, 3);

static void
miss(struct ctx *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("%s (MANIFEST line %zu)%s: %s\n", c->e->path, c->e->line,
		    c->e->bug != NULL && !M.run_bugs ? " [known bug]" : "",
		    msg);
	c->fails++;
}

struct result {
	enum tlsrpt_verdict v;
	bool kept; /* tlsrpt_txt_is_rpt() */
	struct tlsrpt_record r;
};

static void
parse_into(const char *rec, size_t len, struct result *res)
{
	memset(res, 0, sizeof(*res));
	res->kept = tlsrpt_txt_is_rpt(rec, len);
	res->v = tlsrpt_parse(rec, len, &res->r);
}

static const char *
verdict_name(enum tlsrpt_verdict v)
{
	return v == TLSRPT_VALID  ? "valid"
	       : v == TLSRPT_WARN ? "warn"
				  : "invalid";
}

static bool
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* What holds for every URI kept, whatever the manifest says. */
static void
check_uri(struct ctx *c, size_t i, const struct tlsrpt_uri *u)
{
	size_t sl;
	const char *at;

	if (!terminated(u->uri, sizeof(u->uri)) ||
	    !terminated(u->scheme_name, sizeof(u->scheme_name)) ||
	    !terminated(u->why, sizeof(u->why)) ||
	    !terminated(u->addr, sizeof(u->addr)) ||
	    !terminated(u->host, sizeof(u->host))) {
		miss(c, "rua[%zu]: a string is not NUL-terminated", i);
		return;
	}
	sl = strlen(u->scheme_name);
	if (u->uri[0] == '\0' || sl == 0)
		miss(c, "rua[%zu]: empty uri or scheme_name", i);
	else if (strncmp(u->uri, u->scheme_name, sl) != 0 ||
		 (sl < sizeof(u->scheme_name) - 1 && u->uri[sl] != ':'))
		miss(c, "rua[%zu]: scheme_name \"%s\" is not the scheme of "
			"\"%s\"",
		     i, u->scheme_name, u->uri);
	if ((u->scheme == TLSRPT_MAILTO) !=
		(util_strcasecmp(u->scheme_name, "mailto") == 0) ||
	    (u->scheme == TLSRPT_HTTPS) !=
		(util_strcasecmp(u->scheme_name, "https") == 0))
		miss(c, "rua[%zu]: scheme %s for \"%s:\"", i,
		     tlsrpt_scheme_name(u->scheme), u->scheme_name);
	if (u->ok && u->why[0] != '\0')
		miss(c, "rua[%zu]: ok, but why is set: \"%s\"", i, u->why);
	if (!u->ok && strncmp(u->why, "RFC ", 4) != 0)
		miss(c, "rua[%zu]: not ok, and why \"%s\" names no RFC", i,
		     u->why);
	switch (u->scheme) {
	case TLSRPT_OTHER:
		if (u->ok || u->addr[0] || u->host[0] || u->port)
			miss(c, "rua[%zu]: scheme other, yet ok, an address, "
				"a host or a port",
			     i);
		break;
	case TLSRPT_MAILTO:
		if (u->port != 0)
			miss(c, "rua[%zu]: mailto with port %u", i, u->port);
		if (!u->ok)
			break;
		at = strchr(u->addr, '@');
		if (at == NULL || at == u->addr || strchr(at + 1, '@') ||
		    strcmp(at + 1, u->host) != 0 || u->host[0] == '\0' ||
		    strlen(u->host) > 253)
			miss(c, "rua[%zu]: ok, but addr \"%s\" and host \"%s\" "
				"are not local@host",
			     i, u->addr, u->host);
		break;
	case TLSRPT_HTTPS:
		if (u->addr[0] != '\0')
			miss(c, "rua[%zu]: https with addr \"%s\"", i,
			     u->addr);
		if (u->ok && (u->host[0] == '\0' || u->port < 1 ||
			      u->port > 65535))
			miss(c, "rua[%zu]: ok with host \"%s\", port %u", i,
			     u->host, u->port);
		break;
	default:
		miss(c, "rua[%zu]: scheme %d out of range", i, (int)u->scheme);
	}
}

/* What holds for every result, whatever the manifest says. */
static void
check_common(struct ctx *c, const struct result *res)
{
	static const struct tlsrpt_uri zero_uri;
	static const char zero_note[TLSRPT_NOTE_LEN];
	const struct tlsrpt_record *r = &res->r;

	if (!terminated(r->why, sizeof(r->why)))
		miss(c, "why is not NUL-terminated");
	else if (res->v == TLSRPT_INVALID && strncmp(r->why, "RFC ", 4) != 0)
		miss(c, "invalid, but why \"%s\" names no RFC", r->why);
	else if (res->v != TLSRPT_INVALID && r->why[0] != '\0')
		miss(c, "%s, but why is set: \"%s\"", verdict_name(res->v),
		     r->why);
	if (r->nnotes > TLSRPT_NOTES_MAX) {
		miss(c, "%zu notes, at most %d", r->nnotes, TLSRPT_NOTES_MAX);
		return;
	}
	if (res->v == TLSRPT_VALID && r->nnotes != 0)
		miss(c, "valid with %zu note(s): \"%s\"", r->nnotes,
		     r->notes[0]);
	if (res->v == TLSRPT_WARN && r->nnotes == 0)
		miss(c, "warn without a note");
	for (size_t i = 0; i < TLSRPT_NOTES_MAX; i++)
		if (i < r->nnotes
			? !terminated(r->notes[i], TLSRPT_NOTE_LEN) ||
			      r->notes[i][0] == '\0'
			: memcmp(r->notes[i], zero_note, TLSRPT_NOTE_LEN) != 0)
			miss(c, "note %zu is %s", i,
			     i < r->nnotes ? "empty or not NUL-terminated"
					   : "written past nnotes");
	if (r->nrua > TLSRPT_RUA_MAX) {
		miss(c, "nrua=%zu, more than TLSRPT_RUA_MAX", r->nrua);
		return;
	}
	if (r->rua_capped && r->nrua != TLSRPT_RUA_MAX)
		miss(c, "capped with nrua=%zu", r->nrua);
	if (res->v != TLSRPT_INVALID && r->nrua == 0)
		miss(c, "%s without a rua URI", verdict_name(res->v));
	for (size_t i = 0; i < TLSRPT_RUA_MAX; i++)
		if (i < r->nrua)
			check_uri(c, i, &r->rua[i]);
		else if (memcmp(&r->rua[i], &zero_uri, sizeof(zero_uri)) != 0)
			miss(c, "rua[%zu] written past nrua=%zu", i, r->nrua);
}

/* why~TEXT: in why if the case should be invalid, else in a note */
static void
check_why(struct ctx *c, const struct expect *x, const struct tlsrpt_record *r)
{
	if (c->e->verdict == TLSRPT_INVALID) {
		if (strstr(r->why, x->val) == NULL)
			miss(c, "why~%s: why is \"%s\"", x->val, r->why);
		return;
	}
	for (size_t i = 0; i < r->nnotes && i < TLSRPT_NOTES_MAX; i++)
		if (strstr(r->notes[i], x->val) != NULL)
			return;
	miss(c, "why~%s: in none of the %zu note(s)%s%s", x->val, r->nnotes,
	     r->nnotes ? ", the first: " : "", r->nnotes ? r->notes[0] : "");
}

static void
check_uri_expect(struct ctx *c, const struct expect *x,
		 const struct tlsrpt_record *r)
{
	const struct tlsrpt_uri *u;
	const char *k = x->base;

	if ((size_t)x->idx >= r->nrua || r->nrua > TLSRPT_RUA_MAX) {
		miss(c, "%s%c%s, but nrua=%zu", x->key, x->op, x->val,
		     r->nrua);
		return;
	}
	u = &r->rua[x->idx];
	if (strcmp(k, "scheme") == 0) {
		if (strcmp(tlsrpt_scheme_name(u->scheme), x->val) != 0)
			miss(c, "%s=%s, expected %s", x->key,
			     tlsrpt_scheme_name(u->scheme), x->val);
	} else if (strcmp(k, "ok") == 0) {
		if (u->ok != (strcmp(x->val, "yes") == 0))
			miss(c, "%s=%s, expected %s (why: \"%s\")", x->key,
			     u->ok ? "yes" : "no", x->val, u->why);
	} else if (strcmp(k, "addr") == 0 || strcmp(k, "host") == 0 ||
		   strcmp(k, "uri") == 0 || strcmp(k, "sname") == 0) {
		const char *got = k[0] == 'a'	? u->addr
				  : k[0] == 'h' ? u->host
				  : k[0] == 'u' ? u->uri
						: u->scheme_name;

		if (strcmp(got, x->val) != 0)
			miss(c, "%s=\"%s\", expected \"%s\"", x->key, got,
			     x->val);
	} else if (strcmp(k, "port") == 0) {
		if (u->port != (unsigned long)x->num)
			miss(c, "%s=%u, expected %ld", x->key, u->port, x->num);
	} else if (strcmp(k, "urilen") == 0) {
		if (strlen(u->uri) != (size_t)x->num)
			miss(c, "%s=%zu, expected %ld", x->key, strlen(u->uri),
			     x->num);
	} else if (strcmp(k, "uriwhy") == 0) {
		if (strstr(u->why, x->val) == NULL)
			miss(c, "%s~%s: its why is \"%s\"", x->key, x->val,
			     u->why);
	}
}

static void
check_expectations(struct ctx *c, const struct result *res, size_t len)
{
	const struct entry *e = c->e;
	const struct tlsrpt_record *r = &res->r;
	bool want_kept = true;

	if (res->v != e->verdict)
		miss(c, "verdict %s, expected %s; why: \"%s\"; first note: "
			"\"%s\"",
		     verdict_name(res->v), verdict_name(e->verdict), r->why,
		     r->nnotes ? r->notes[0] : "");
	for (size_t i = 0; i < e->nexp; i++) {
		const struct expect *x = &e->exp[i];
		const char *k = x->base;

		if (x->idx >= 0)
			check_uri_expect(c, x, r);
		else if (strcmp(k, "dropped") == 0)
			want_kept = false;
		else if (strcmp(k, "why") == 0)
			check_why(c, x, r);
		else if (strcmp(k, "size") == 0) {
			if (len != (size_t)x->num)
				miss(c, "size=%zu, expected %ld", len, x->num);
		} else if (strcmp(k, "notes") == 0) {
			if (r->nnotes != (size_t)x->num)
				miss(c, "notes=%zu, expected %ld", r->nnotes,
				     x->num);
		} else if (strcmp(k, "nrua") == 0) {
			if (r->nrua != (size_t)x->num)
				miss(c, "nrua=%zu, expected %ld", r->nrua,
				     x->num);
		} else if (strcmp(k, "next") == 0) {
			if (r->nextensions != (size_t)x->num)
				miss(c, "next=%zu, expected %ld",
				     r->nextensions, x->num);
		} else if (strcmp(k, "capped") == 0) {
			if (r->rua_capped != (strcmp(x->val, "yes") == 0))
				miss(c, "capped=%s, expected %s",
				     r->rua_capped ? "yes" : "no", x->val);
		}
	}
	if (res->kept != want_kept)
		miss(c, "the RPT-01 filter (tlsrpt_txt_is_rpt) %s it, "
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
 * Parses the case: from a block of exactly len bytes when exact (so that
 * the sanitizer sees a read past the end), and with each guard byte (and
 * more of it) just past the end. *out is the exact parse, or the one with
 * NULs after.
 */
static void
parse_case(struct ctx *c, const char *bytes, size_t len, bool exact,
	   struct result *out)
{
	struct result *tmp = xmalloc(sizeof(*tmp));
	bool have = false;

	if (exact) {
		char *p = xmalloc(len ? len : 1);

		memcpy(p, bytes, len);
		parse_into(p, len, out);
		parse_into(p, len, tmp);
		if (!same_result(out, tmp))
			miss(c, "a second parse of the same bytes differs");
		free(p);
		have = true;
	}
	for (size_t g = 0; g < sizeof(guards); g++) {
		char *q = xmalloc(len + GUARD_LEN + 1);

		memcpy(q, bytes, len);
		memset(q + len, guards[g], GUARD_LEN);
		q[len + GUARD_LEN] = '\0';
		parse_into(q, len, have ? tmp : out);
		free(q);
		if (!have) {
			have = true;
			continue;
		}
		if (!same_result(out, tmp)) {
			miss(c, "reads past the end: with byte 0x%02x after "
				"it, verdict %s, why \"%s\"; otherwise %s, "
				"\"%s\"",
			     (unsigned char)guards[g], verdict_name(tmp->v),
			     tmp->r.why, verdict_name(out->v), out->r.why);
			break;
		}
	}
	free(tmp);
}

static void
test_case(void **state)
{
	const struct entry *e = *state;
	struct ctx c = {e, 0};
	bool known_bug = e->bug != NULL && !M.run_bugs;
	struct result *res;
	char *bytes;
	size_t len;

	if (!load_case(e, &bytes, &len))
		fail_msg("%s: cannot load the case", e->path);
	res = xmalloc(sizeof(*res));
	parse_case(&c, bytes, len, !known_bug, res);
	check_common(&c, res);
	check_expectations(&c, res, len);
	free(res);
	free(bytes);
	if (known_bug) {
		if (c.fails == 0)
			fail_msg("%s: marked BUG on MANIFEST line %zu, but "
				 "every expectation holds now: remove the "
				 "marker",
				 e->path, e->line);
		print_message("%s: known bug, skipped: %s\n", e->path, e->bug);
		skip();
	}
	if (c.fails)
		fail_msg("%s: %d expectation(s) not met (%zu bytes)", e->path,
			 c.fails, len);
}

/* ---- the manifest itself -------------------------------------------------- */

static void
test_manifest(void **state)
{
	(void)state;
	if (M.dir == NULL)
		fail_msg("no corpus (a directory holding MANIFEST) in:%s; set "
			 "%s to the corpus directory",
			 M.tried.p, CORPUS_ENV);
	if (M.errors.len > 0)
		fail_msg("%s/MANIFEST:\n%s", M.dir, M.errors.p);
	if (M.n == 0)
		fail_msg("%s/MANIFEST lists no case", M.dir);
}

static const struct entry *
entry_find(bool gen, const char *name)
{
	for (size_t i = 0; i < M.n; i++)
		if (M.e[i].gen == gen && strcmp(M.e[i].name, name) == 0)
			return &M.e[i];
	return NULL;
}

/* A committed file: small, only LF and printable ASCII; 0 or 1 failure. */
static int
check_committed(const char *name, const char *full)
{
	char *bytes;
	size_t len;
	int fails = 0;

	if (slurp(full, &bytes, &len) != 0) {
		print_error("%s: cannot read: %s\n", name, strerror(errno));
		return 1;
	}
	if (len >= COMMITTED_MAX) {
		print_error("%s: %zu bytes; generate cases of %d or more\n",
			    name, len, COMMITTED_MAX);
		fails = 1;
	}
	for (size_t i = 0; i < len && !fails; i++)
		if (bytes[i] != '\n' && ((unsigned char)bytes[i] < 0x20 ||
					 (unsigned char)bytes[i] > 0x7e)) {
			print_error("%s: byte 0x%02x at offset %zu; generate "
				    "cases with bytes other than LF and "
				    "printable ASCII\n",
				    name, (unsigned char)bytes[i], i);
			fails = 1;
		}
	free(bytes);
	return fails;
}

/* Every file and generator in the manifest, and nothing else in it. */
static void
test_complete(void **state)
{
	int fails = 0;
	char *dir;
	DIR *dh;
	struct dirent *de;

	(void)state;
	if (M.dir == NULL)
		fail_msg("no corpus directory (see test_manifest)");
	/* the corpus holds MANIFEST and txt/, nothing else */
	if ((dh = opendir(M.dir)) != NULL) {
		while ((de = readdir(dh)) != NULL)
			if (!one_of(de->d_name, ".", "..", "MANIFEST") &&
			    strcmp(de->d_name, "txt") != 0) {
				print_error("%s/%s: not MANIFEST or txt/\n",
					    M.dir, de->d_name);
				fails++;
			}
		closedir(dh);
	}
	dir = xasprintf("%s/txt", M.dir);
	if ((dh = opendir(dir)) == NULL) {
		print_error("cannot open %s: %s\n", dir, strerror(errno));
		fails++;
	}
	while (dh != NULL && (de = readdir(dh)) != NULL) {
		char *name, *full;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		name = xasprintf("txt/%s", de->d_name);
		full = xasprintf("%s/%s", M.dir, name);
		if (entry_find(false, name) == NULL) {
			print_error("%s is not in the MANIFEST\n", name);
			fails++;
		}
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			print_error("%s is not a regular file\n", name);
			fails++;
		} else
			fails += check_committed(name, full);
		free(name);
		free(full);
	}
	if (dh != NULL)
		closedir(dh);
	free(dir);
	for (size_t i = 0; i < M.n; i++) {
		const struct entry *e = &M.e[i];
		char *full;

		if (e->gen) {
			if (gen_find(e->name) == NULL) {
				print_error("MANIFEST line %zu: %s: no such "
					    "generator\n",
					    e->line, e->path);
				fails++;
			}
			continue;
		}
		full = xasprintf("%s/%s", M.dir, e->name);
		if (access(full, R_OK) != 0) {
			print_error("MANIFEST line %zu: %s: no such file\n",
				    e->line, e->path);
			fails++;
		}
		free(full);
	}
	for (size_t i = 0; i < NGENS; i++) {
		if (entry_find(true, gens[i].name) == NULL) {
			print_error("generator %s is not in the MANIFEST as "
				    "gen:%s\n",
				    gens[i].name, gens[i].name);
			fails++;
		}
		if (entry_find(false, gens[i].name) != NULL) {
			print_error("%s is both a file and a generator\n",
				    gens[i].name);
			fails++;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(gens[i].name, gens[j].name) == 0) {
				print_error("generator %s defined twice\n",
					    gens[i].name);
				fails++;
			}
	}
	if (fails)
		fail_msg("%d gap(s) between the corpus and its MANIFEST", fails);
}

/* ---- main ---------------------------------------------------------------- */

static void
dump_gens(const char *dir)
{
	char *sub = xasprintf("%s/txt", dir);

	mkdir(dir, 0777);
	mkdir(sub, 0777);
	free(sub);
	for (size_t i = 0; i < NGENS; i++) {
		struct entry e;
		char *bytes, *p;
		size_t len;
		FILE *f;

		memset(&e, 0, sizeof(e));
		e.gen = true;
		e.name = gens[i].name;
		e.path = (char *)gens[i].name;
		if (!load_case(&e, &bytes, &len))
			continue;
		p = xasprintf("%s/%s", dir, gens[i].name);
		if ((f = fopen(p, "wb")) == NULL ||
		    fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
			fprintf(stderr, "cannot write %s\n", p);
		free(p);
		free(bytes);
	}
}

int
main(int argc, char **argv)
{
	struct CMUnitTest *tests;
	size_t n = 0;
	const char *dump = getenv("TLSRPT_CORPUS_DUMP");
	const char *bugs = getenv("TLSRPT_CORPUS_BUGS");
	int rc;

	(void)argc;
	M.run_bugs = bugs != NULL && strcmp(bugs, "1") == 0;
	buf_init(&M.errors);
	find_corpus(argv[0]);
	if (M.dir != NULL)
		load_manifest();
	if (dump != NULL && *dump != '\0')
		dump_gens(dump);
	tests = xcalloc(M.n + 2, sizeof(*tests));
	tests[n++] = (struct CMUnitTest){"MANIFEST syntax", test_manifest,
					 NULL, NULL, NULL};
	tests[n++] = (struct CMUnitTest){"MANIFEST lists the whole corpus",
					 test_complete, NULL, NULL, NULL};
	for (size_t i = 0; i < M.n; i++)
		tests[n++] = (struct CMUnitTest){M.e[i].path, test_case, NULL,
						 NULL, &M.e[i]};
	rc = _cmocka_run_group_tests("tlsrpt_corpus", tests, n, NULL, NULL);
	for (size_t i = 0; i < M.n; i++)
		free_entry(&M.e[i]);
	free(M.e);
	free(tests);
	free(M.dir);
	buf_free(&M.tried);
	buf_free(&M.errors);
	return rc;
}
