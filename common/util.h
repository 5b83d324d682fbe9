/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * util.h: memory, bounded strings and numbers, a growing text buffer.
 *
 * Allocation never returns NULL: on exhaustion util_oom() prints an UNKNOWN
 * line naming the plugin (util_set_label) and exits 3 (INTERFACE.md: out of
 * memory is UNKNOWN). Number parsing is strtonum-style: the whole string
 * must be a number inside [min, max]; on failure *why names the problem and
 * the function returns -1.
 */
#ifndef MAILTLS_UTIL_H
#define MAILTLS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define UTIL_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Label for the out-of-memory line, e.g. "SMTP STARTTLS" (copied, at most
 * 63 bytes; "MAILTLS" until set). */
void util_set_label(const char *label);
__attribute__((noreturn)) void util_oom(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) UTIL_PRINTF(1, 2);

/* The value of one hex digit (either case), or -1. */
int util_hexval(int c);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void util_hex(const unsigned char *in, size_t n, char *out);
/* Copies at most dstsz-1 bytes and NUL-terminates; returns strlen(src). */
size_t util_strlcpy(char *dst, const char *src, size_t dstsz);

/*
 * Parses a decimal integer in [min, max]. Leading/trailing junk, empty
 * strings, signs where min >= 0 and overflow fail. Returns 0 or -1.
 * A sign ('-' or '+') is taken only when min < 0. *why is "not a number"
 * (junk, "", NULL, " 1", "0x10", "+1" where min >= 0), "too small" (also
 * "-1" where min >= 0) or "too large" (also overflow); NULL on success.
 */
int util_parse_ll(const char *s, long long min, long long max, long long *out,
		  const char **why);
/*
 * Parses a finite decimal number ("1", "-2.5", "0.25") in [min, max]:
 * [+-]digits[.digits], ".5" and "5." too; no exponent, whitespace, hex,
 * inf or nan. '.' is the separator whatever the locale. *why as above.
 */
int util_parse_double(const char *s, double min, double max, double *out,
		      const char **why);

/* ASCII case-insensitive comparison, locale-independent. */
int util_strcasecmp(const char *a, const char *b);
int util_strncasecmp(const char *a, const char *b, size_t n);

/*
 * A domain name split into its labels (issue 13 item 14): compare labels,
 * never bytes of the text, where a label may hold a dot. From the
 * presentation form of RFC 1035 5.1 (as dns_name_to_text() and
 * libunbound print names) when escapes is true: "\\." and "\\\\" stand for
 * the character, "\\DDD" for the byte DDD; from plain text (a certificate's
 * dNSName, an mx pattern) when false. A trailing dot is dropped. Labels
 * are bytes (a decoded label may hold '.' or NUL), label i is
 * buf[off[i]] for len[i] bytes.
 */
#define UTIL_NAME_LABELS 128
struct util_name {
	size_t n;
	unsigned short off[UTIL_NAME_LABELS];
	unsigned char len[UTIL_NAME_LABELS];
	char buf[256];
};
/* Returns 0, or -1 for an empty name or label, a label over 63 bytes, a
 * name over 255, or a bad escape. */
int util_name_split(const char *s, size_t n, bool escapes,
		    struct util_name *out);
/* Labels i of a and j of b equal, ignoring ASCII case? */
bool util_name_label_eq(const struct util_name *a, size_t i,
			const struct util_name *b, size_t j);
/*
 * Does pattern match host, label by label (host in presentation form,
 * "mx\.a" one label; pattern plain text)? A pattern whose left-most label
 * is "*" stands for exactly one label and needs at least min_labels labels
 * in all (RFC 8461 4.1: 2, "*.com"; RFC 9525 6.3: 3). no_star: a '*'
 * anywhere else makes it no match. Case is ignored, a trailing dot too.
 */
bool util_name_wildcard(const char *pattern, const char *host,
			size_t min_labels, bool no_star);

/* Formats a double with '.' as the decimal separator whatever the locale,
 * without trailing zeros ("0.512", "14", "-3.25"). Returns dst.
 * Rounded to 3 decimals (half away from zero), never "-0"; |v| >= 9e15
 * prints as an integer, non-finite values as "nan", "inf", "-inf".
 * 32 bytes hold any |v| < 1e28; a smaller dst truncates. */
char *util_fmt_double(char *dst, size_t dstsz, double v);

/* Formats t in UTC with strftime's fmt; "?" when it cannot. Returns dst. */
char *util_fmt_utc(char *dst, size_t dstsz, const char *fmt, time_t t)
	__attribute__((format(strftime, 3, 0)));

/* A growing NUL-terminated text buffer. buf_init() allocates nothing and
 * leaves p pointing at a constant "", so p is always a valid string;
 * buf_free() may be called on an initialised buffer any number of times. */
struct buf {
	char *p;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_add(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) UTIL_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	UTIL_PRINTF(2, 0);
/* Detaches the string (caller frees); the buffer is empty afterwards. */
char *buf_take(struct buf *b);

#endif
