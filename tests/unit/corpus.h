/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * corpus.h: the driver shared by the parser corpus tests
 * (test_mtasts_corpus.c, test_tlsrpt_corpus.c). It finds the corpus
 * directory, reads its MANIFEST (one case a line: PATH VERDICT
 * [EXPECTATION...] [# comment], documented in each MANIFEST's header),
 * loads each case (a committed file, or bytes a generator makes), runs one
 * cmocka test per case plus two that check the manifest itself, and writes
 * the generated cases out on request.
 *
 * A test describes what is its own in a struct corpus (its generators, the
 * expectations its parser takes, how it checks one case) and returns
 * corpus_main() from main(). Everything here reports through cmocka:
 * manifest errors fail the test "MANIFEST syntax", a case's unmet
 * expectations (corpus_miss) fail that case's test. Nothing returns NULL;
 * allocation failures exit (util.h).
 */
#ifndef MAILTLS_TESTS_CORPUS_H
#define MAILTLS_TESTS_CORPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* ---- generated cases ------------------------------------------------- */

/*
 * A case not committed as a file: its bytes are lit (len of them), or fn
 * appends them to an initialised buffer. name is "SUBDIR/NAME", as the
 * manifest names it after "gen:".
 */
struct corpus_gen {
	const char *name;
	const char *lit;
	size_t len;
	void (*fn)(struct buf *b);
};

#define CORPUS_LIT(n, s) {n, s, sizeof(s) - 1, NULL}
#define CORPUS_FN(n, f) {n, NULL, 0, f}

/* xorshift32: the same "random" bytes on every run, from the seed given. */
void corpus_rng_seed(uint32_t seed);
unsigned char corpus_rng_byte(void);
/* n bytes of noise, the same on every run (reseeds). */
void corpus_put_garbage(struct buf *b, size_t n);
/* c, n times. */
void corpus_put_rep(struct buf *b, char c, size_t n);
/* every byte from 0x80 to 0xff, in order. */
void corpus_put_high(struct buf *b);

/* ---- the manifest ----------------------------------------------------- */

/* A case's verdict, whatever the parser's own enum. */
enum corpus_verdict {
	CORPUS_VALID,
	CORPUS_WARN,
	CORPUS_INVALID,
};

/* "valid", "warn" or "invalid". */
const char *corpus_verdict_name(enum corpus_verdict v);

/*
 * One expectation of a manifest line: KEY=VALUE, KEY~TEXT or a flag KEY.
 * KEY may end in an index "[I]", 0 <= I < the test's index_max. "size=N"
 * is checked here; every other key goes to the test's expect().
 */
struct corpus_expect {
	char *key;  /* as written: "nrua", "mx[3]", "dropped" */
	char *base; /* key without its index: "mx" */
	int idx;    /* the index, -1 when none */
	char op;    /* '=', '~', or 0 for a flag */
	char *val;  /* unescaped (\xHH, \\), NUL-terminated; "" for a flag */
	long long num; /* when a number: set by corpus_expect_num() */
};

/* One manifest line. */
struct corpus_entry {
	char *path;	  /* as written: "txt/x.txt", "gen:policy/y.txt" */
	const char *name; /* path without "gen:" */
	bool gen;	  /* made by a generator, not a file */
	size_t sub;	  /* its directory: the index in the test's subdirs */
	size_t line;	  /* in the MANIFEST, from 1 */
	enum corpus_verdict verdict;
	struct corpus_expect *exp;
	size_t nexp;
	char *bug; /* the text after "# BUG:", or NULL */
};

/* Reports a manifest error: the test "MANIFEST syntax" fails. */
void corpus_merr(size_t line, const char *fmt, ...) UTIL_PRINTF(2, 3);

/*
 * Parses x->val as a decimal number in [min, 2^40] into x->num; false
 * (reported with corpus_merr) when it is not one.
 */
bool corpus_expect_num(struct corpus_expect *x, long long min,
		       size_t line);

/* ---- checking a case ----------------------------------------------------- */

/* One case under test: its entry, and how many expectations it missed. */
struct corpus_ctx {
	const struct corpus_entry *e;
	int fails;
};

/* Prints what the case missed, with its path and manifest line; counts it. */
void corpus_miss(struct corpus_ctx *c, const char *fmt, ...) UTIL_PRINTF(2, 3);

/*
 * The verdict the manifest states, else a miss that gives the parser's why
 * and its first note ("" for none).
 */
void corpus_check_verdict(struct corpus_ctx *c, enum corpus_verdict got,
			  const char *why, const char *first_note);

/*
 * why~TEXT (x): TEXT is in why if the case should be invalid, else in one
 * of the n notes, which are note_len bytes apart (char [][note_len]).
 */
void corpus_check_why(struct corpus_ctx *c, const struct corpus_expect *x,
		      const char *why, const char *notes, size_t note_len,
		      size_t n);

/* ---- a corpus test ------------------------------------------------------- */

struct corpus {
	/* "tlsrpt_corpus": the cmocka group; the program is test_NAME.c */
	const char *name;
	/*
	 * "TLSRPT_CORPUS": the corpus directory when set, with no fallback.
	 * ENV_DUMP=DIR writes the generated cases under DIR; ENV_BUGS=1 runs
	 * the BUG cases like the others.
	 */
	const char *env;
	/* "tests/corpus/tlsrpt": from the working directory, else from the
	 * binary as ../../../REL (build/tests/unit/) */
	const char *rel;
	/* the case directories, NULL-terminated: {"txt", "policy", NULL} */
	const char *const *subdirs;
	const struct corpus_gen *gens;
	size_t ngens;
	/* KEY[I] takes I from 0 to index_max - 1 */
	int index_max;
	/*
	 * A manifest line whose comment begins "# BUG:" states the correct
	 * expectation for a known parser bug: its test is skipped while some
	 * expectation fails, and fails once all hold. Without bugs, "# BUG:"
	 * is an ordinary comment.
	 */
	bool bugs;
	/*
	 * Checks one expectation x of entry e (its path, sub and verdict set)
	 * on MANIFEST line line; false, reported with corpus_merr(), drops it.
	 */
	bool (*expect)(const struct corpus_entry *e, struct corpus_expect *x,
		       size_t line);
	/*
	 * Parses the case's len bytes and checks the result, reporting each
	 * miss with corpus_miss(). The bytes are a heap block of exactly len,
	 * so that the sanitizer build catches a read past the end; but for a
	 * known BUG case (not run with ENV_BUGS=1), where CORPUS_PAD NULs
	 * follow, so that the bug cannot abort the sanitizer build.
	 */
	void (*run)(struct corpus_ctx *c, const char *bytes, size_t len);
};

#define CORPUS_PAD 128

/*
 * Finds the corpus, reads its manifest, writes the generated cases if asked
 * and runs the tests "MANIFEST syntax", "MANIFEST lists the whole corpus"
 * (every file under subdirs and every generator listed once, nothing else;
 * committed files under 4 KiB of LF and printable ASCII) and one a case,
 * named by its path. Returns what main() should: the failed tests.
 */
int corpus_main(const struct corpus *t, const char *argv0);

#endif
