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
 * corpus file and every generated case, and nothing else.
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

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mtasts.h"
#include "util.h"

#define CORPUS_ENV "MTASTS_CORPUS"
#define CORPUS_REL "tests/corpus/mta-sts"
#define COMMITTED_MAX 4096 /* committed corpus files stay under 4 KiB */

/* ---- generated cases ------------------------------------------------- */

typedef void gen_fn(struct buf *b);

struct gen {
	const char *name; /* "txt/..." or "policy/..." */
	const char *lit;  /* the bytes, or NULL when fn builds them */
	size_t len;
	gen_fn *fn;
};

#define LIT(n, s) {n, s, sizeof(s) - 1, NULL}
#define FN(n, f) {n, NULL, 0, f}

/* A valid policy, LF line ends. */
#define POL                                                                  \
	"version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n"

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
put_high(struct buf *b)
{
	for (int c = 0x80; c <= 0xff; c++)
		buf_putc(b, (char)c);
}

static void
g_txt_long_ext_value(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=1; x=");
	put_rep(b, 'a', 100 * 1024);
}

static void
g_txt_long_id(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=");
	put_rep(b, '7', 100 * 1024);
}

static void
g_txt_long_name(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=1; ");
	put_rep(b, 'n', 100 * 1024);
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
	put_rep(b, 'a', 65535 - b->len);
}

static void
g_txt_high_bytes(struct buf *b)
{
	buf_puts(b, "v=STSv1; id=1; x=");
	put_high(b);
}

static void
g_txt_garbage(struct buf *b)
{
	put_garbage(b, 4096);
}

static void
g_txt_garbage_after_prefix(struct buf *b)
{
	buf_puts(b, "v=STSv1;");
	put_garbage(b, 4096);
}

static void
g_pol_long_ext_value(struct buf *b)
{
	buf_puts(b, POL "x: ");
	put_rep(b, 'a', 100 * 1024);
	buf_putc(b, '\n');
}

static void
g_pol_long_key(struct buf *b)
{
	buf_puts(b, POL);
	put_rep(b, 'k', 100 * 1024);
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
	put_rep(b, 'x', 100 * 1024);
}

static void
g_pol_long_max_age(struct buf *b)
{
	buf_puts(b, "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
		    "max_age: ");
	put_rep(b, '9', 100 * 1024);
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
	put_rep(b, 'p', pad - 4);
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
	put_rep(b, '\n', 65536);
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
	put_garbage(b, 4096);
}

static void
g_pol_garbage_after_valid(struct buf *b)
{
	buf_puts(b, POL);
	put_garbage(b, 4096);
}

static void
g_pol_high_bytes_ext_value(struct buf *b)
{
	buf_puts(b, POL "x: ");
	put_high(b);
	buf_putc(b, '\n');
}

static void
g_pol_high_bytes_mx(struct buf *b)
{
	buf_puts(b, "version: STSv1\nmode: enforce\nmax_age: 86400\nmx: ");
	put_high(b);
	buf_putc(b, '\n');
}

/*
 * Beware C's hex escapes: "\xe9" "abc", not "\xe9abc", which is one
 * (out-of-range) escape.
 */
static const struct gen gens[] = {
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
	char *key; /* "id", "mx[3]", "dropped", ... */
	char op;   /* '=', '~', or 0 for a flag */
	char *val; /* unescaped, NUL-terminated */
	long num;  /* when the value is a number */
};

struct entry {
	char *path;	  /* as written: "policy/x.txt", "gen:txt/y.txt" */
	const char *name; /* path without "gen:" */
	bool gen, txt;
	size_t line;
	enum mtasts_verdict verdict;
	struct expect *exp;
	size_t nexp;
};

static struct {
	char *dir;	     /* the corpus; NULL when not found */
	struct buf tried;    /* where it was looked for */
	struct buf errors;   /* manifest syntax errors, one a line */
	struct entry *e;
	size_t n;
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

	if (util_parse_ll(s, -1, 1L << 40, &v, &why) != 0)
		return false;
	*out = (long)v;
	return true;
}

/* Checks one expectation token against the entry's kind; false: error */
static bool
check_expect(const struct entry *e, struct expect *x, size_t line)
{
	const char *k = x->key;
	bool num = false;

	if (x->op == 0) {
		if (e->txt && strcmp(k, "dropped") == 0)
			return true;
		merr(line, "unknown flag '%s'", k);
		return false;
	}
	if (x->op == '~') {
		if (strcmp(k, "why") != 0) {
			merr(line, "'~' only follows 'why', not '%s'", k);
			return false;
		}
		if (e->verdict == MTASTS_VALID) {
			merr(line, "why~ on a valid case (no why, no notes)");
			return false;
		}
		if (x->val[0] == '\0') {
			merr(line, "empty why~");
			return false;
		}
		return true;
	}
	if (strcmp(k, "notes") == 0 || strcmp(k, "size") == 0)
		num = true;
	else if (e->txt && strcmp(k, "id") == 0)
		return true;
	else if (e->txt && strcmp(k, "next") == 0)
		num = true;
	else if (!e->txt && (strcmp(k, "max_age") == 0 ||
			     strcmp(k, "nmx") == 0))
		num = true;
	else if (!e->txt && strcmp(k, "mode") == 0) {
		static const char *const modes[] = {"enforce", "testing",
						    "none", "unset"};

		for (size_t i = 0; i < 4; i++)
			if (strcmp(x->val, modes[i]) == 0)
				return true;
		merr(line, "mode=%s: not enforce, testing, none or unset",
		     x->val);
		return false;
	} else if (!e->txt && strcmp(k, "capped") == 0) {
		if (strcmp(x->val, "yes") == 0 || strcmp(x->val, "no") == 0)
			return true;
		merr(line, "capped=%s: not yes or no", x->val);
		return false;
	} else if (!e->txt &&
		   (strcmp(k, "match") == 0 || strcmp(k, "nomatch") == 0)) {
		if (x->val[0] != '\0')
			return true;
		merr(line, "empty %s=", k);
		return false;
	} else if (!e->txt && strncmp(k, "mx[", 3) == 0) {
		char *end;
		long i = strtol(k + 3, &end, 10);

		if (end == k + 3 || strcmp(end, "]") != 0 || i < 0 ||
		    i >= MTASTS_MX_MAX) {
			merr(line, "%s: want mx[0] to mx[%d]", k,
			     MTASTS_MX_MAX - 1);
			return false;
		}
		x->num = i;
		return true;
	} else {
		merr(line, "unknown key '%s' for a %s case", k,
		     e->txt ? "txt" : "policy");
		return false;
	}
	if (num && !parse_num(x->val, &x->num)) {
		merr(line, "%s=%s: not a number", k, x->val);
		return false;
	}
	return true;
}

static void
parse_line(char *s, size_t line)
{
	char *tok[64];
	size_t ntok = 0;
	struct entry e;

	/* a '#' at the start of a token begins a comment */
	for (char *p = s; *p; p++)
		if (*p == '#' && (p == s || *(p - 1) == ' ' || *(p - 1) == '\t')) {
			*p = '\0';
			break;
		}
	for (char *p = strtok(s, " \t\r"); p; p = strtok(NULL, " \t\r")) {
		if (ntok == sizeof(tok) / sizeof(tok[0])) {
			merr(line, "too many tokens");
			return;
		}
		tok[ntok++] = p;
	}
	if (ntok == 0)
		return;
	if (ntok < 2) {
		merr(line, "want: PATH VERDICT [EXPECTATION...]");
		return;
	}
	memset(&e, 0, sizeof(e));
	e.line = line;
	e.path = xstrdup(tok[0]);
	e.gen = strncmp(e.path, "gen:", 4) == 0;
	e.name = e.path + (e.gen ? 4 : 0);
	e.txt = strncmp(e.name, "txt/", 4) == 0;
	if (!e.txt && strncmp(e.name, "policy/", 7) != 0) {
		merr(line, "%s: not [gen:]txt/NAME or [gen:]policy/NAME",
		     e.path);
		free(e.path);
		return;
	}
	{
		const char *base = strchr(e.name, '/') + 1;

		if (*base == '\0' || *base == '.' || strchr(base, '/')) {
			merr(line, "%s: bad file name", e.path);
			free(e.path);
			return;
		}
	}
	for (size_t i = 0; i < M.n; i++)
		if (strcmp(M.e[i].path, e.path) == 0) {
			merr(line, "%s: listed again (first on line %zu)",
			     e.path, M.e[i].line);
			free(e.path);
			return;
		}
	if (strcmp(tok[1], "valid") == 0)
		e.verdict = MTASTS_VALID;
	else if (strcmp(tok[1], "warn") == 0)
		e.verdict = MTASTS_WARN;
	else if (strcmp(tok[1], "invalid") == 0)
		e.verdict = MTASTS_INVALID;
	else {
		merr(line, "%s: verdict '%s' is not valid, warn or invalid",
		     e.path, tok[1]);
		free(e.path);
		return;
	}
	e.exp = xcalloc(ntok, sizeof(*e.exp));
	for (size_t i = 2; i < ntok; i++) {
		struct expect *x = &e.exp[e.nexp];
		size_t kl = strcspn(tok[i], "=~");

		x->key = xstrndup(tok[i], kl);
		x->op = tok[i][kl];
		x->val = xstrdup(x->op ? tok[i] + kl + 1 : "");
		e.nexp++;
		if (kl == 0 || !unescape(x->val)) {
			merr(line, "%s: bad expectation '%s'", e.path, tok[i]);
			continue;
		}
		check_expect(&e, x, line);
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
				    "test_mtasts_corpus.c\n",
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
	print_error("%s (MANIFEST line %zu): %s\n", c->e->path, c->e->line,
		    msg);
	c->fails++;
}

static const char *
verdict_name(enum mtasts_verdict v)
{
	return v == MTASTS_VALID ? "valid"
	       : v == MTASTS_WARN ? "warn"
				  : "invalid";
}

static void
check_verdict(struct ctx *c, enum mtasts_verdict got, const char *why,
	      const struct mtasts_notes *notes)
{
	if (got == c->e->verdict)
		return;
	miss(c, "verdict %s, expected %s; why: \"%s\"; first note: \"%s\"",
	     verdict_name(got), verdict_name(c->e->verdict), why,
	     notes->n ? notes->text[0] : "");
}

/* why~TEXT: in why if the case should be invalid, else in a note */
static void
check_why(struct ctx *c, const struct expect *x, const char *why,
	  const struct mtasts_notes *notes)
{
	if (c->e->verdict == MTASTS_INVALID) {
		if (strstr(why, x->val) == NULL)
			miss(c, "why~%s: why is \"%s\"", x->val, why);
		return;
	}
	for (size_t i = 0; i < notes->n; i++)
		if (strstr(notes->text[i], x->val) != NULL)
			return;
	miss(c, "why~%s: in none of the %zu note(s)%s%s", x->val, notes->n,
	     notes->n ? ", the first: " : "",
	     notes->n ? notes->text[0] : "");
}

/* What holds for every result, whatever the manifest says. */
static void
check_common(struct ctx *c, enum mtasts_verdict got, const char *why,
	     size_t whysz, const struct mtasts_notes *notes, const char *rfc)
{
	if (memchr(why, '\0', whysz) == NULL)
		miss(c, "why is not NUL-terminated");
	else if (got == MTASTS_INVALID && strstr(why, rfc) == NULL)
		miss(c, "invalid, but why \"%s\" does not name \"%s\"", why,
		     rfc);
	else if (got != MTASTS_INVALID && why[0] != '\0')
		miss(c, "%s, but why is set: \"%s\"", verdict_name(got), why);
	if (notes->n > MTASTS_NOTES_MAX) {
		miss(c, "%zu notes, at most %d", notes->n, MTASTS_NOTES_MAX);
		return;
	}
	if (got == MTASTS_VALID && notes->n != 0)
		miss(c, "valid with %zu note(s): \"%s\"", notes->n,
		     notes->text[0]);
	if (got == MTASTS_WARN && notes->n == 0)
		miss(c, "warn without a note");
	for (size_t i = 0; i < notes->n; i++)
		if (memchr(notes->text[i], '\0', MTASTS_NOTE_LEN) == NULL ||
		    notes->text[i][0] == '\0')
			miss(c, "note %zu is empty or not NUL-terminated", i);
}

static void
run_txt(struct ctx *c, const char *rec, size_t len)
{
	const struct entry *e = c->e;
	struct mtasts_txt t, t2;
	bool want_kept = true, kept = mtasts_txt_is_sts(rec, len);
	enum mtasts_verdict v = mtasts_txt_parse(rec, len, &t);

	if (mtasts_txt_parse(rec, len, &t2) != v ||
	    memcmp(&t, &t2, sizeof(t)) != 0)
		miss(c, "a second parse of the same bytes differs");
	check_verdict(c, v, t.why, &t.notes);
	check_common(c, v, t.why, sizeof(t.why), &t.notes, "RFC 8461 3.1");
	if (memchr(t.id, '\0', sizeof(t.id)) == NULL) {
		miss(c, "id is not NUL-terminated");
		return;
	}
	if (v != MTASTS_INVALID) {
		size_t n = strlen(t.id);

		if (n < 1 || n > 32 || strspn(t.id, "0123456789abcdefghijklmn"
						    "opqrstuvwxyzABCDEFGHIJKLM"
						    "NOPQRSTUVWXYZ") != n)
			miss(c, "%s with id \"%s\": not 1-32 letters and digits",
			     verdict_name(v), t.id);
	}
	for (size_t i = 0; i < e->nexp; i++) {
		const struct expect *x = &e->exp[i];

		if (strcmp(x->key, "dropped") == 0)
			want_kept = false;
		else if (strcmp(x->key, "why") == 0)
			check_why(c, x, t.why, &t.notes);
		else if (strcmp(x->key, "id") == 0) {
			if (strcmp(t.id, x->val) != 0)
				miss(c, "id \"%s\", expected \"%s\"", t.id,
				     x->val);
		} else if (strcmp(x->key, "next") == 0) {
			if (t.nextensions != (size_t)x->num)
				miss(c, "next=%zu, expected %ld",
				     t.nextensions, x->num);
		} else if (strcmp(x->key, "notes") == 0) {
			if (t.notes.n != (size_t)x->num)
				miss(c, "notes=%zu, expected %ld", t.notes.n,
				     x->num);
		}
	}
	if (kept != want_kept)
		miss(c, "the STS-03 filter (mtasts_txt_is_sts) %s it, "
			"expected it %s",
		     kept ? "keeps" : "drops",
		     want_kept ? "kept" : "dropped (flag 'dropped')");
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
run_policy(struct ctx *c, const char *body, size_t len)
{
	const struct entry *e = c->e;
	struct mtasts_policy p, p2;
	enum mtasts_verdict v = mtasts_policy_parse(body, len, &p);

	if (mtasts_policy_parse(body, len, &p2) != v ||
	    memcmp(&p, &p2, sizeof(p)) != 0)
		miss(c, "a second parse of the same bytes differs");
	check_verdict(c, v, p.why, &p.notes);
	check_common(c, v, p.why, sizeof(p.why), &p.notes, "RFC 8461 3.2");
	if (p.nmx > MTASTS_MX_MAX) {
		miss(c, "nmx=%zu, more than MTASTS_MX_MAX", p.nmx);
		return;
	}
	for (size_t i = 0; i < p.nmx; i++)
		if (memchr(p.mx[i], '\0', sizeof(p.mx[i])) == NULL ||
		    p.mx[i][0] == '\0')
			miss(c, "mx[%zu] is empty or not NUL-terminated", i);
	if (p.mx_capped && p.nmx != MTASTS_MX_MAX)
		miss(c, "capped with nmx=%zu", p.nmx);
	if (v != MTASTS_INVALID) {
		if (p.mode == MTASTS_MODE_UNSET)
			miss(c, "%s without a mode", verdict_name(v));
		if (p.max_age < 0 || p.max_age > MTASTS_MAX_AGE_MAX)
			miss(c, "%s with max_age %ld", verdict_name(v),
			     p.max_age);
		if (p.nmx == 0 && p.mode != MTASTS_MODE_NONE)
			miss(c, "%s without mx in %s mode", verdict_name(v),
			     mtasts_mode_name(p.mode));
	}
	for (size_t i = 0; i < e->nexp; i++) {
		const struct expect *x = &e->exp[i];

		if (strcmp(x->key, "why") == 0)
			check_why(c, x, p.why, &p.notes);
		else if (strcmp(x->key, "mode") == 0) {
			if (strcmp(mtasts_mode_name(p.mode), x->val) != 0)
				miss(c, "mode=%s, expected %s",
				     mtasts_mode_name(p.mode), x->val);
		} else if (strcmp(x->key, "max_age") == 0) {
			if (p.max_age != x->num)
				miss(c, "max_age=%ld, expected %ld", p.max_age,
				     x->num);
		} else if (strcmp(x->key, "nmx") == 0) {
			if (p.nmx != (size_t)x->num)
				miss(c, "nmx=%zu, expected %ld", p.nmx, x->num);
		} else if (strncmp(x->key, "mx[", 3) == 0) {
			if ((size_t)x->num >= p.nmx)
				miss(c, "%s=%s, but nmx=%zu", x->key, x->val,
				     p.nmx);
			else if (strcmp(p.mx[x->num], x->val) != 0)
				miss(c, "%s=%s, expected %s", x->key,
				     p.mx[x->num], x->val);
		} else if (strcmp(x->key, "capped") == 0) {
			if (p.mx_capped != (strcmp(x->val, "yes") == 0))
				miss(c, "capped=%s, expected %s",
				     p.mx_capped ? "yes" : "no", x->val);
		} else if (strcmp(x->key, "match") == 0) {
			if (!any_match(&p, x->val))
				miss(c, "no mx pattern matches %s", x->val);
		} else if (strcmp(x->key, "nomatch") == 0) {
			if (any_match(&p, x->val))
				miss(c, "an mx pattern matches %s", x->val);
		} else if (strcmp(x->key, "notes") == 0) {
			if (p.notes.n != (size_t)x->num)
				miss(c, "notes=%zu, expected %ld", p.notes.n,
				     x->num);
		}
	}
}

static void
test_case(void **state)
{
	const struct entry *e = *state;
	struct ctx c = {e, 0};
	char *bytes;
	size_t len;

	if (!load_case(e, &bytes, &len))
		fail_msg("%s: cannot load the case", e->path);
	for (size_t i = 0; i < e->nexp; i++)
		if (strcmp(e->exp[i].key, "size") == 0 &&
		    len != (size_t)e->exp[i].num)
			miss(&c, "size=%zu, expected %ld", len, e->exp[i].num);
	if (e->txt)
		run_txt(&c, bytes, len);
	else
		run_policy(&c, bytes, len);
	free(bytes);
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

/* Every file and generator in the manifest, and nothing else in it. */
static void
test_complete(void **state)
{
	static const char *const subdirs[] = {"txt", "policy"};
	int fails = 0;

	(void)state;
	if (M.dir == NULL)
		fail_msg("no corpus directory (see test_manifest)");
	for (size_t d = 0; d < 2; d++) {
		char *dir = xasprintf("%s/%s", M.dir, subdirs[d]);
		DIR *dh = opendir(dir);
		struct dirent *de;

		if (dh == NULL) {
			print_error("cannot open %s: %s\n", dir,
				    strerror(errno));
			fails++;
			free(dir);
			continue;
		}
		while ((de = readdir(dh)) != NULL) {
			char *name, *full, *bytes;
			size_t len;
			struct stat st;

			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			name = xasprintf("%s/%s", subdirs[d], de->d_name);
			full = xasprintf("%s/%s", M.dir, name);
			if (entry_find(false, name) == NULL) {
				print_error("%s is not in the MANIFEST\n",
					    name);
				fails++;
			}
			if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
				print_error("%s is not a regular file\n", name);
				fails++;
			} else if (slurp(full, &bytes, &len) == 0) {
				/* committed files: small, plain ASCII */
				if (len >= COMMITTED_MAX) {
					print_error("%s: %zu bytes; generate "
						    "cases of %d or more\n",
						    name, len, COMMITTED_MAX);
					fails++;
				}
				for (size_t i = 0; i < len; i++)
					if (bytes[i] != '\n' &&
					    ((unsigned char)bytes[i] < 0x20 ||
					     (unsigned char)bytes[i] > 0x7e)) {
						print_error(
						    "%s: byte 0x%02x at offset "
						    "%zu; generate cases with "
						    "bytes other than LF and "
						    "printable ASCII\n",
						    name,
						    (unsigned char)bytes[i], i);
						fails++;
						break;
					}
				free(bytes);
			}
			free(name);
			free(full);
		}
		closedir(dh);
		free(dir);
	}
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
	char *sub;

	for (size_t d = 0; d < 2; d++) {
		sub = xasprintf("%s/%s", dir, d ? "policy" : "txt");
		mkdir(dir, 0777);
		mkdir(sub, 0777);
		free(sub);
	}
	for (size_t i = 0; i < NGENS; i++) {
		struct entry e = {0};
		char *bytes, *p;
		size_t len;
		FILE *f;

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
	const char *dump = getenv("MTASTS_CORPUS_DUMP");
	int rc;

	(void)argc;
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
	rc = _cmocka_run_group_tests("mtasts_corpus", tests, n, NULL, NULL);
	for (size_t i = 0; i < M.n; i++) {
		for (size_t j = 0; j < M.e[i].nexp; j++) {
			free(M.e[i].exp[j].key);
			free(M.e[i].exp[j].val);
		}
		free(M.e[i].exp);
		free(M.e[i].path);
	}
	free(M.e);
	free(tests);
	free(M.dir);
	buf_free(&M.tried);
	buf_free(&M.errors);
	return rc;
}
