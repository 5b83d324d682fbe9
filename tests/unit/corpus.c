/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * corpus.c: the driver the parser corpus tests share (corpus.h): finding
 * the corpus, reading and checking its MANIFEST, loading a case from its
 * file or generator into a heap block of exactly its size, the known-BUG
 * markers, the tests of the manifest itself, and writing the generated
 * cases out. Not a test program itself: the Makefile links it into each
 * tests/unit/test_* (only test_*.c are programs).
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

#include "corpus.h"
#include "util.h"

#define COMMITTED_MAX 4096 /* committed corpus files stay under 4 KiB */

/* ---- generated cases ------------------------------------------------- */

static uint32_t rng_state;

void
corpus_rng_seed(uint32_t seed)
{
	rng_state = seed;
}

unsigned char
corpus_rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (unsigned char)(rng_state >> 24);
}

void
corpus_put_garbage(struct buf *b, size_t n)
{
	corpus_rng_seed(0x2545f491u);
	for (size_t i = 0; i < n; i++)
		buf_putc(b, (char)corpus_rng_byte());
}

void
corpus_put_rep(struct buf *b, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_putc(b, c);
}

void
corpus_put_high(struct buf *b)
{
	for (int c = 0x80; c <= 0xff; c++)
		buf_putc(b, (char)c);
}

/* ---- the manifest ----------------------------------------------------- */

static struct {
	const struct corpus *t;
	size_t nsub;	   /* entries in t->subdirs */
	char *dir;	   /* the corpus; NULL when not found */
	struct buf tried;  /* where it was looked for */
	struct buf errors; /* manifest syntax errors, one a line */
	struct corpus_entry *e;
	size_t n;
	bool run_bugs; /* ENV_BUGS=1 */
} M;

const char *
corpus_verdict_name(enum corpus_verdict v)
{
	return v == CORPUS_VALID  ? "valid"
	       : v == CORPUS_WARN ? "warn"
				  : "invalid";
}

void
corpus_merr(size_t line, const char *fmt, ...)
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
		} else if (r[1] == 'x' && util_hexval(r[2]) >= 0 &&
			   util_hexval(r[3]) >= 0 &&
			   util_hexval(r[2]) * 16 + util_hexval(r[3]) != 0) {
			*w++ = (char)(util_hexval(r[2]) * 16 + util_hexval(r[3]));
			r += 3;
		} else
			return false;
	}
	*w = '\0';
	return true;
}

bool
corpus_expect_num(struct corpus_expect *x, long long min, size_t line)
{
	long long v;
	const char *why;

	if (util_parse_ll(x->val, min, 1LL << 40, &v, &why) != 0) {
		corpus_merr(line, "%s=%s: not a number", x->key, x->val);
		return false;
	}
	x->num = v;
	return true;
}

/* Splits "base[N]" into x->base and x->idx; false on a bad index. */
static bool
split_index(struct corpus_expect *x, size_t line)
{
	char *open = strchr(x->key, '['), *end;
	long i;

	x->idx = -1;
	if (open == NULL) {
		x->base = xstrdup(x->key);
		return true;
	}
	x->base = xstrndup(x->key, (size_t)(open - x->key));
	i = strtol(open + 1, &end, 10);
	if (end == open + 1 || strcmp(end, "]") != 0 || i < 0 ||
	    i >= M.t->index_max || open[1] == '+' || open[1] == '-' ||
	    open[1] == ' ') {
		corpus_merr(line, "%s: want %s[0] to %s[%d]", x->key, x->base,
			    x->base, M.t->index_max - 1);
		return false;
	}
	x->idx = (int)i;
	return true;
}

/* size=N here, every other expectation by the test; false: reported */
static bool
check_expect(const struct corpus_entry *e, struct corpus_expect *x, size_t line)
{
	if (!split_index(x, line))
		return false;
	if (strcmp(x->key, "size") == 0 && x->op == '=')
		return corpus_expect_num(x, 0, line);
	return M.t->expect(e, x, line);
}

static void
free_expect(struct corpus_expect *x)
{
	free(x->key);
	free(x->base);
	free(x->val);
	memset(x, 0, sizeof(*x));
}

static void
free_entry(struct corpus_entry *e)
{
	for (size_t j = 0; j < e->nexp; j++)
		free_expect(&e->exp[j]);
	free(e->exp);
	free(e->path);
	free(e->bug);
}

/* The subdirectory that path starts with ("txt/..."), or M.nsub. */
static size_t
subdir_of(const char *path)
{
	for (size_t i = 0; i < M.nsub; i++) {
		size_t n = strlen(M.t->subdirs[i]);

		if (strncmp(path, M.t->subdirs[i], n) == 0 && path[n] == '/')
			return i;
	}
	return M.nsub;
}

/* "A, B or C": first if not NULL, then each subdirectory in pre and post. */
static char *
subdir_list(const char *first, const char *pre, const char *post)
{
	struct buf b;
	size_t skip = first != NULL, n = M.nsub + skip;

	buf_init(&b);
	for (size_t j = 0; j < n; j++) {
		if (j > 0)
			buf_puts(&b, j + 1 < n ? ", " : " or ");
		if (j < skip)
			buf_puts(&b, first);
		else
			buf_printf(&b, "%s%s%s", pre, M.t->subdirs[j - skip],
				   post);
	}
	return buf_take(&b);
}

/* The text of a "# BUG: text" comment (c follows the '#'), or NULL. */
static char *
bug_text(const char *c)
{
	size_t n;

	c += strspn(c, " \t");
	if (strncmp(c, "BUG:", 4) != 0)
		return NULL;
	c += 4;
	c += strspn(c, " \t");
	n = strlen(c);
	while (n > 0 &&
	       (c[n - 1] == ' ' || c[n - 1] == '\t' || c[n - 1] == '\r'))
		n--;
	return xstrndup(c, n);
}

/* e->path is [gen:]SUBDIR/NAME; sets gen, name and sub. */
static bool
parse_path(struct corpus_entry *e, size_t line)
{
	const char *base;
	char *l;

	e->gen = strncmp(e->path, "gen:", 4) == 0;
	e->name = e->path + (e->gen ? 4 : 0);
	e->sub = subdir_of(e->name);
	if (e->sub == M.nsub) {
		l = subdir_list(NULL, "[gen:]", "/NAME");
		corpus_merr(line, "%s: not %s", e->path, l);
		free(l);
		return false;
	}
	base = e->name + strlen(M.t->subdirs[e->sub]) + 1;
	if (*base == '\0' || *base == '.' || strchr(base, '/')) {
		corpus_merr(line, "%s: bad file name", e->path);
		return false;
	}
	return true;
}

static void
parse_line(char *s, size_t line)
{
	char *tok[64];
	size_t ntok = 0;
	struct corpus_entry e;
	char *bug = NULL;

	/* a '#' at the start of a token begins a comment */
	for (char *p = s; *p; p++)
		if (*p == '#' &&
		    (p == s || *(p - 1) == ' ' || *(p - 1) == '\t')) {
			*p = '\0';
			if (M.t->bugs)
				bug = bug_text(p + 1);
			break;
		}
	for (char *p = strtok(s, " \t\r"); p; p = strtok(NULL, " \t\r")) {
		if (ntok == sizeof(tok) / sizeof(tok[0])) {
			corpus_merr(line, "too many tokens");
			free(bug);
			return;
		}
		tok[ntok++] = p;
	}
	if (ntok == 0) {
		if (bug != NULL)
			corpus_merr(line, "a BUG: comment without a case");
		free(bug);
		return;
	}
	if (ntok < 2) {
		corpus_merr(line, "want: PATH VERDICT [EXPECTATION...]");
		free(bug);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.line = line;
	e.bug = bug;
	e.path = xstrdup(tok[0]);
	if (bug != NULL && bug[0] == '\0')
		corpus_merr(line, "%s: say what the bug is after BUG:", e.path);
	if (!parse_path(&e, line)) {
		free_entry(&e);
		return;
	}
	for (size_t i = 0; i < M.n; i++)
		if (strcmp(M.e[i].path, e.path) == 0) {
			corpus_merr(line,
				    "%s: listed again (first on line %zu)",
				    e.path, M.e[i].line);
			free_entry(&e);
			return;
		}
	if (strcmp(tok[1], "valid") == 0)
		e.verdict = CORPUS_VALID;
	else if (strcmp(tok[1], "warn") == 0)
		e.verdict = CORPUS_WARN;
	else if (strcmp(tok[1], "invalid") == 0)
		e.verdict = CORPUS_INVALID;
	else {
		corpus_merr(line,
			    "%s: verdict '%s' is not valid, warn or invalid",
			    e.path, tok[1]);
		free_entry(&e);
		return;
	}
	e.exp = xcalloc(ntok, sizeof(*e.exp));
	for (size_t i = 2; i < ntok; i++) {
		struct corpus_expect *x = &e.exp[e.nexp];
		size_t kl = strcspn(tok[i], "=~");

		x->key = xstrndup(tok[i], kl);
		x->op = tok[i][kl];
		x->val = xstrdup(x->op ? tok[i] + kl + 1 : "");
		x->idx = -1;
		e.nexp++;
		if (kl == 0 || !unescape(x->val)) {
			corpus_merr(line, "%s: bad expectation '%s'", e.path,
				    tok[i]);
		} else if (check_expect(&e, x, line))
			continue;
		/* reported: test_manifest fails; the case runs without it */
		e.nexp--;
		free_expect(x);
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
		corpus_merr(0, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return;
	}
	free(path);
	text = xrealloc(text, len + 1);
	text[len] = '\0';
	if (strlen(text) != len)
		corpus_merr(0, "the manifest holds a NUL byte");
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
	const char *env = getenv(M.t->env);
	const char *slash;

	if (env != NULL && *env != '\0') {
		try_dir(env); /* set: no fallback, a typo should fail */
		return;
	}
	if (try_dir(M.t->rel))
		return;
	if (argv0 != NULL && (slash = strrchr(argv0, '/')) != NULL) {
		char *d = xasprintf("%.*s/../../../%s", (int)(slash - argv0),
				    argv0, M.t->rel);

		try_dir(d);
		free(d);
	}
}

/* ---- loading a case ------------------------------------------------------ */

static const struct corpus_gen *
gen_find(const char *name)
{
	for (size_t i = 0; i < M.t->ngens; i++)
		if (strcmp(M.t->gens[i].name, name) == 0)
			return &M.t->gens[i];
	return NULL;
}

/* The case's bytes in an exact-size heap block; false: reported. */
static bool
load_case(const struct corpus_entry *e, char **bytes, size_t *len)
{
	if (e->gen) {
		const struct corpus_gen *g = gen_find(e->name);
		struct buf b;

		if (g == NULL) {
			print_error("%s: no generator named %s in test_%s.c\n",
				    e->path, e->name, M.t->name);
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

void
corpus_miss(struct corpus_ctx *c, const char *fmt, ...)
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

void
corpus_check_verdict(struct corpus_ctx *c, enum corpus_verdict got,
		     const char *why, const char *first_note)
{
	if (got == c->e->verdict)
		return;
	corpus_miss(c,
		    "verdict %s, expected %s; why: \"%s\"; first note: \"%s\"",
		    corpus_verdict_name(got),
		    corpus_verdict_name(c->e->verdict), why, first_note);
}

void
corpus_check_why(struct corpus_ctx *c, const struct corpus_expect *x,
		 const char *why, const char *notes, size_t note_len, size_t n)
{
	if (c->e->verdict == CORPUS_INVALID) {
		if (strstr(why, x->val) == NULL)
			corpus_miss(c, "why~%s: why is \"%s\"", x->val, why);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (strstr(notes + i * note_len, x->val) != NULL)
			return;
	corpus_miss(c, "why~%s: in none of the %zu note(s)%s%s", x->val, n,
		    n ? ", the first: " : "", n ? notes : "");
}

static void
test_case(void **state)
{
	const struct corpus_entry *e = *state;
	struct corpus_ctx c = {e, 0};
	bool known_bug = e->bug != NULL && !M.run_bugs;
	char *bytes;
	size_t len;

	if (!load_case(e, &bytes, &len))
		fail_msg("%s: cannot load the case", e->path);
	if (known_bug) {
		bytes = xrealloc(bytes, len + CORPUS_PAD);
		memset(bytes + len, '\0', CORPUS_PAD);
	}
	for (size_t i = 0; i < e->nexp; i++)
		if (strcmp(e->exp[i].key, "size") == 0 &&
		    len != (size_t)e->exp[i].num)
			corpus_miss(&c, "size=%zu, expected %lld", len,
				    e->exp[i].num);
	M.t->run(&c, bytes, len);
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

/* ---- the manifest itself ------------------------------------------------ */

static void
test_manifest(void **state)
{
	(void)state;
	if (M.dir == NULL)
		fail_msg("no corpus (a directory holding MANIFEST) in:%s; set "
			 "%s to the corpus directory",
			 M.tried.p, M.t->env);
	if (M.errors.len > 0)
		fail_msg("%s/MANIFEST:\n%s", M.dir, M.errors.p);
	if (M.n == 0)
		fail_msg("%s/MANIFEST lists no case", M.dir);
}

static const struct corpus_entry *
entry_find(bool gen, const char *name)
{
	for (size_t i = 0; i < M.n; i++)
		if (M.e[i].gen == gen && strcmp(M.e[i].name, name) == 0)
			return &M.e[i];
	return NULL;
}

static bool
is_dot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
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

/* The corpus directory holds MANIFEST and the subdirectories only. */
static int
check_top(void)
{
	int fails = 0;
	DIR *dh = opendir(M.dir);
	struct dirent *de;

	while (dh != NULL && (de = readdir(dh)) != NULL) {
		size_t d = 0;

		while (d < M.nsub && strcmp(de->d_name, M.t->subdirs[d]) != 0)
			d++;
		if (d == M.nsub && !is_dot(de->d_name) &&
		    strcmp(de->d_name, "MANIFEST") != 0) {
			char *l = subdir_list("MANIFEST", "", "/");

			print_error("%s/%s: not %s\n", M.dir, de->d_name, l);
			free(l);
			fails++;
		}
	}
	if (dh != NULL)
		closedir(dh);
	return fails;
}

/* Each file in subdirectory sub is a committed case in the manifest. */
static int
check_files(const char *sub)
{
	int fails = 0;
	char *dir = xasprintf("%s/%s", M.dir, sub);
	DIR *dh = opendir(dir);
	struct dirent *de;

	if (dh == NULL) {
		print_error("cannot open %s: %s\n", dir, strerror(errno));
		fails++;
	}
	while (dh != NULL && (de = readdir(dh)) != NULL) {
		char *name, *full;
		struct stat st;

		if (is_dot(de->d_name))
			continue;
		name = xasprintf("%s/%s", sub, de->d_name);
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
	return fails;
}

/* Each case in the manifest has its file or generator. */
static int
check_entries(void)
{
	int fails = 0;

	for (size_t i = 0; i < M.n; i++) {
		const struct corpus_entry *e = &M.e[i];
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
	return fails;
}

/* Each generator is in the manifest once, as gen:NAME and not NAME. */
static int
check_gens(void)
{
	const struct corpus_gen *g = M.t->gens;
	int fails = 0;

	for (size_t i = 0; i < M.t->ngens; i++) {
		if (entry_find(true, g[i].name) == NULL) {
			print_error("generator %s is not in the MANIFEST as "
				    "gen:%s\n",
				    g[i].name, g[i].name);
			fails++;
		}
		if (entry_find(false, g[i].name) != NULL) {
			print_error("%s is both a file and a generator\n",
				    g[i].name);
			fails++;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(g[i].name, g[j].name) == 0) {
				print_error("generator %s defined twice\n",
					    g[i].name);
				fails++;
			}
	}
	return fails;
}

/* Every file and generator in the manifest, and nothing else in it. */
static void
test_complete(void **state)
{
	int fails;

	(void)state;
	if (M.dir == NULL)
		fail_msg("no corpus directory (see test_manifest)");
	fails = check_top();
	for (size_t d = 0; d < M.nsub; d++)
		fails += check_files(M.t->subdirs[d]);
	fails += check_entries();
	fails += check_gens();
	if (fails)
		fail_msg("%d gap(s) between the corpus and its MANIFEST",
			 fails);
}

/* ---- main ---------------------------------------------------------------- */

static void
dump_gens(const char *dir)
{
	mkdir(dir, 0777);
	for (size_t d = 0; d < M.nsub; d++) {
		char *sub = xasprintf("%s/%s", dir, M.t->subdirs[d]);

		mkdir(sub, 0777);
		free(sub);
	}
	for (size_t i = 0; i < M.t->ngens; i++) {
		struct corpus_entry e;
		char *bytes, *p;
		size_t len;
		FILE *f;

		memset(&e, 0, sizeof(e));
		e.gen = true;
		e.name = M.t->gens[i].name;
		e.path = (char *)M.t->gens[i].name;
		if (!load_case(&e, &bytes, &len))
			continue;
		p = xasprintf("%s/%s", dir, M.t->gens[i].name);
		if ((f = fopen(p, "wb")) == NULL ||
		    fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
			fprintf(stderr, "cannot write %s\n", p);
		free(p);
		free(bytes);
	}
}

/* getenv(ENV_suffix) */
static const char *
getenv_suffix(const char *suffix)
{
	char *name = xasprintf("%s_%s", M.t->env, suffix);
	const char *v = getenv(name);

	free(name);
	return v;
}

int
corpus_main(const struct corpus *t, const char *argv0)
{
	struct CMUnitTest *tests;
	size_t n = 0;
	const char *dump, *bugs;
	int rc;

	M.t = t;
	while (t->subdirs[M.nsub] != NULL)
		M.nsub++;
	dump = getenv_suffix("DUMP");
	bugs = t->bugs ? getenv_suffix("BUGS") : NULL;
	M.run_bugs = bugs != NULL && strcmp(bugs, "1") == 0;
	buf_init(&M.tried);
	buf_init(&M.errors);
	find_corpus(argv0);
	if (M.dir != NULL)
		load_manifest();
	if (dump != NULL && *dump != '\0')
		dump_gens(dump);
	tests = xcalloc(M.n + 2, sizeof(*tests));
	tests[n++] = (struct CMUnitTest){"MANIFEST syntax", test_manifest, NULL,
					 NULL, NULL};
	tests[n++] = (struct CMUnitTest){"MANIFEST lists the whole corpus",
					 test_complete, NULL, NULL, NULL};
	for (size_t i = 0; i < M.n; i++)
		tests[n++] = (struct CMUnitTest){M.e[i].path, test_case, NULL,
						 NULL, &M.e[i]};
	rc = _cmocka_run_group_tests(t->name, tests, n, NULL, NULL);
	for (size_t i = 0; i < M.n; i++)
		free_entry(&M.e[i]);
	free(M.e);
	free(tests);
	free(M.dir);
	buf_free(&M.tried);
	buf_free(&M.errors);
	return rc;
}
