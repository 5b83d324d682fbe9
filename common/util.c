/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * util.c: allocation that never returns NULL, bounded copies, strtonum-style
 * number parsing and locale-independent number formatting (INTERFACE.md
 * "Output": '.' is the decimal separator whatever the locale; CONFORMANCE
 * OUT-04), and a growing text buffer. Out of memory is UNKNOWN (GEN-02):
 * util_oom() writes "<label> UNKNOWN - out of memory" with write(2), which
 * allocates nothing, and _exit(3)s.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static char oom_label[64] = "MAILTLS";

void
util_set_label(const char *label)
{
	if (label == NULL)
		return;
	util_strlcpy(oom_label, label, sizeof(oom_label));
}

static void
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

void
util_oom(void)
{
	static const char msg[] = " UNKNOWN - out of memory\n";

	write_all(STDOUT_FILENO, oom_label, strlen(oom_label));
	write_all(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(3);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		util_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		util_oom();
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p;

	if (len == SIZE_MAX)
		util_oom();
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_take(&b);
}

size_t
util_strlcpy(char *dst, const char *src, size_t dstsz)
{
	size_t len = strlen(src);

	if (dstsz > 0) {
		size_t n = len < dstsz - 1 ? len : dstsz - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/*
 * Signs: '-' and '+' are taken only when min < 0 (the header: signs where
 * min >= 0 fail); "-3" against min 0 says "too small", "+3" "not a number".
 */
int
util_parse_ll(const char *s, long long min, long long max, long long *out,
	      const char **why)
{
	const char *p = s, *msg = "not a number";
	unsigned long long acc = 0, lim;
	long long v;
	int neg = 0, sign = 0, over = 0;

	if (p == NULL)
		goto fail;
	if (*p == '-' || *p == '+') {
		sign = 1;
		neg = *p == '-';
		p++;
	}
	if (*p < '0' || *p > '9')
		goto fail;
	/* Magnitude limit: LLONG_MAX, or |LLONG_MIN| for negatives. */
	lim = (unsigned long long)LLONG_MAX + (neg ? 1 : 0);
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (over || acc > (lim - d) / 10)
			over = 1;
		else
			acc = acc * 10 + d;
	}
	if (*p != '\0')
		goto fail;
	if (sign && min >= 0) {
		if (neg)
			msg = "too small";
		goto fail;
	}
	if (over) {
		msg = neg ? "too small" : "too large";
		goto fail;
	}
	if (neg)
		v = acc > (unsigned long long)LLONG_MAX ? LLONG_MIN
							: -(long long)acc;
	else
		v = (long long)acc;
	if (v < min || v > max) {
		msg = v < min ? "too small" : "too large";
		goto fail;
	}
	if (out != NULL)
		*out = v;
	if (why != NULL)
		*why = NULL;
	return 0;
fail:
	if (why != NULL)
		*why = msg;
	return -1;
}

/*
 * Accepts [+-]digits[.digits], ".5" and "5." too; no exponent, no
 * whitespace, no hex, no inf/nan. The digits are handed to strtod() as
 * "DIGITSe-N" (the '.' removed), so the locale's decimal separator never
 * matters and the result is strtod's correctly rounded value.
 */
int
util_parse_double(const char *s, double min, double max, double *out,
		  const char **why)
{
	const char *p = s, *msg = "not a number";
	size_t ndig = 0, nfrac = 0, i = 0, len;
	char *tmp;
	double v;

	if (p == NULL)
		goto fail;
	if (*p == '-' || *p == '+')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		ndig++;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			nfrac++;
	}
	if (*p != '\0' || ndig + nfrac == 0)
		goto fail;

	len = strlen(s);
	tmp = xmalloc(len + 32);
	for (p = s; *p != '\0'; p++)
		if (*p != '.')
			tmp[i++] = *p;
	snprintf(tmp + i, len + 32 - i, "e-%zu", nfrac);
	v = strtod(tmp, NULL);
	free(tmp);
	if (!isfinite(v)) {
		msg = v < 0 ? "too small" : "too large";
		goto fail;
	}
	if (v == 0)
		v = 0; /* no -0 */
	if (v < min || v > max) {
		msg = v < min ? "too small" : "too large";
		goto fail;
	}
	if (out != NULL)
		*out = v;
	if (why != NULL)
		*why = NULL;
	return 0;
fail:
	if (why != NULL)
		*why = msg;
	return -1;
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
util_strcasecmp(const char *a, const char *b)
{
	return util_strncasecmp(a, b, SIZE_MAX);
}

int
util_strncasecmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; a++, b++, n--) {
		int ca = ascii_lower((unsigned char)*a);
		int cb = ascii_lower((unsigned char)*b);

		if (ca != cb)
			return ca - cb;
		if (ca == '\0')
			break;
	}
	return 0;
}

/* Rounds half away from zero, |x| < 2^63; no libm needed. */
static long long
round_ll(double x)
{
	long long m = (long long)x; /* truncates toward zero */
	double frac = x - (double)m;

	if (frac >= 0.5)
		m++;
	else if (frac <= -0.5)
		m--;
	return m;
}

/*
 * Rounds to thousandths and prints the integer and fraction parts with
 * %lld, which no locale changes; trailing zeros of the fraction are
 * dropped and a value that rounds to zero prints as "0". Magnitudes from
 * 9e15 up have no fraction at double precision and print as "%.0f" (no
 * separator either); non-finite values print as "nan", "inf", "-inf".
 */
char *
util_fmt_double(char *dst, size_t dstsz, double v)
{
	long long m, ip, fp;
	char frac[8];
	int k;

	if (dstsz == 0)
		return dst;
	if (isnan(v)) {
		util_strlcpy(dst, "nan", dstsz);
		return dst;
	}
	if (isinf(v)) {
		util_strlcpy(dst, v < 0 ? "-inf" : "inf", dstsz);
		return dst;
	}
	if (v >= 9e15 || v <= -9e15) {
		snprintf(dst, dstsz, "%.0f", v);
		return dst;
	}
	m = round_ll(v * 1000.0);
	if (m == 0) {
		util_strlcpy(dst, "0", dstsz);
		return dst;
	}
	ip = (m < 0 ? -m : m) / 1000;
	fp = (m < 0 ? -m : m) % 1000;
	if (fp == 0) {
		snprintf(dst, dstsz, "%s%lld", m < 0 ? "-" : "", ip);
		return dst;
	}
	snprintf(frac, sizeof(frac), "%03lld", fp);
	for (k = 2; k > 0 && frac[k] == '0'; k--)
		frac[k] = '\0';
	snprintf(dst, dstsz, "%s%lld.%s", m < 0 ? "-" : "", ip, frac);
	return dst;
}

/*
 * struct buf: cap == 0 means nothing is allocated; buf_init() points p at
 * a constant "" so b->p is always a valid string, never written until the
 * first append allocates.
 */
void
buf_init(struct buf *b)
{
	b->p = (char *)(uintptr_t) "";
	b->len = 0;
	b->cap = 0;
}

void
buf_free(struct buf *b)
{
	if (b->cap > 0)
		free(b->p);
	buf_init(b);
}

static void
buf_reserve(struct buf *b, size_t n)
{
	size_t need, cap;

	if (n > SIZE_MAX - b->len - 1)
		util_oom();
	need = b->len + n + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->cap == 0) {
		b->p = xmalloc(cap);
		b->p[0] = '\0';
		b->len = 0;
	} else {
		b->p = xrealloc(b->p, cap);
	}
	b->cap = cap;
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	buf_reserve(b, 0);
	va_copy(ap2, ap);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->p[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		if (n < 0) {
			b->p[b->len] = '\0';
			return;
		}
	}
	b->len += (size_t)n;
}

char *
buf_take(struct buf *b)
{
	char *s;

	if (b->cap == 0)
		return xstrdup("");
	s = b->p;
	buf_init(b);
	return s;
}

char *
util_fmt_utc(char *dst, size_t dstsz, const char *fmt, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		util_strlcpy(dst, "?", dstsz);
		return dst;
	}
	/* fmt is the caller's literal, checked by the prototype's attribute */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(dst, dstsz, fmt, &tm) == 0)
		util_strlcpy(dst, "?", dstsz);
#pragma GCC diagnostic pop
	return dst;
}

/* "\DDD": three digits at s; -1 when over 255, 0 when not digits. */
static int
name_ddd(const char *s, size_t n, unsigned *c)
{
	if (n < 3 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9')
		return 0;
	*c = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
	     (unsigned)(s[2] - '0');
	return *c <= 255 ? 1 : -1;
}

int
util_name_split(const char *s, size_t n, bool escapes, struct util_name *out)
{
	size_t o = 0, start = 0, i = 0;

	out->n = 0;
	for (;;) {
		unsigned c;
		int d;

		if (i == n || s[i] == '.') {
			if (o == start || o - start > 63 ||
			    out->n == UTIL_NAME_LABELS)
				return -1;
			out->off[out->n] = (unsigned short)start;
			out->len[out->n++] = (unsigned char)(o - start);
			start = o;
			/* the end, or a trailing dot that ends it */
			if (i == n || i + 1 == n)
				return 0;
			i++;
			continue;
		}
		c = (unsigned char)s[i++];
		if (escapes && c == '\\') {
			if (i == n)
				return -1;
			if ((d = name_ddd(s + i, n - i, &c)) < 0)
				return -1;
			if (d > 0)
				i += 3;
			else
				c = (unsigned char)s[i++];
		}
		if (o >= sizeof(out->buf) - 1)
			return -1;
		out->buf[o++] = (char)c;
	}
}

bool
util_name_label_eq(const struct util_name *a, size_t i,
		   const struct util_name *b, size_t j)
{
	const char *p = a->buf + a->off[i], *q = b->buf + b->off[j];

	if (a->len[i] != b->len[j])
		return false;
	for (size_t k = 0; k < a->len[i]; k++) {
		unsigned char x = (unsigned char)p[k], y = (unsigned char)q[k];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

void
util_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

bool
util_name_wildcard(const char *pattern, const char *host, size_t min_labels,
		   bool no_star)
{
	struct util_name p, h;
	size_t first = 0;

	if (util_name_split(pattern, strlen(pattern), false, &p) == -1 ||
	    util_name_split(host, strlen(host), true, &h) == -1 ||
	    p.n != h.n)
		return false;
	if (p.len[0] == 1 && p.buf[p.off[0]] == '*') {
		if (p.n < min_labels)
			return false;
		first = 1;
	}
	for (size_t i = first; i < p.n; i++)
		if ((no_star &&
		     memchr(p.buf + p.off[i], '*', p.len[i]) != NULL) ||
		    !util_name_label_eq(&p, i, &h, i))
			return false;
	return true;
}

int
util_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
