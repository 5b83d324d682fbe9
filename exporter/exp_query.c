/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exp_query.c: the untrusted inputs of a probe, checked before anything
 * runs. The query string (RFC 3986 3.4, with HTML forms' '+' for a space),
 * the target (a host name by RFC 1123 2.1 and RFC 1035 2.3.4, optionally
 * ":PORT"), X-Prometheus-Scrape-Timeout-Seconds and the timeout arithmetic
 * blackbox_exporter users expect, and the durations of the config file.
 * Pure functions: no I/O, no globals; every reason is bounded.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exporter.h"

/* Decodes s[0..n) into out (outsz bytes with the NUL). Returns 0, or -1
 * with why. */
static int
pct_decode(const char *s, size_t n, char *out, size_t outsz, const char *key,
	   char *why, size_t whysz)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= n) {
				snprintf(why, whysz,
					 "%s: '%%' without two hex digits", key);
				return -1;
			}
			h = util_hexval(s[i + 1]);
			l = util_hexval(s[i + 2]);
			if (h < 0 || l < 0) {
				snprintf(why, whysz,
					 "%s: '%%' without two hex digits",
					 key);
				return -1;
			}
			c = (unsigned char)(h * 16 + l);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c < 0x20 || c == 0x7f) {
			snprintf(why, whysz, "%s: a control character", key);
			return -1;
		}
		if (o + 1 >= outsz) {
			snprintf(why, whysz, "%s: longer than %zu bytes", key,
				 outsz - 1);
			return -1;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

int
exp_query_parse(const char *query, struct exp_query *q, char *why,
		size_t whysz)
{
	const char *p = query;
	bool has_debug = false;

	memset(q, 0, sizeof(*q));
	if (p == NULL)
		return 0;
	if (strlen(p) > 4096) {
		snprintf(why, whysz, "query string over 4096 bytes");
		return -1;
	}
	while (*p != '\0') {
		const char *amp = strchr(p, '&');
		size_t plen = amp != NULL ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', plen);
		size_t klen = eq != NULL ? (size_t)(eq - p) : plen;
		const char *v = eq != NULL ? eq + 1 : p + plen;
		size_t vlen = eq != NULL ? plen - klen - 1 : 0;
		char key[16];

		if (plen == 0) { /* "a=1&&b=2" or a trailing '&' */
			p += amp != NULL ? 1 : 0;
			continue;
		}
		if (klen >= sizeof(key) ||
		    pct_decode(p, klen, key, sizeof(key), "key", why, whysz) <
			    0) {
			/* a long or odd key is none of ours: skip it */
			key[0] = '\0';
		}
		if (strcmp(key, "module") == 0) {
			if (q->has_module) {
				snprintf(why, whysz, "module given twice");
				return -1;
			}
			if (pct_decode(v, vlen, q->module, sizeof(q->module),
				       "module", why, whysz) < 0)
				return -1;
			q->has_module = true;
		} else if (strcmp(key, "target") == 0) {
			if (q->has_target) {
				snprintf(why, whysz, "target given twice");
				return -1;
			}
			if (pct_decode(v, vlen, q->target, sizeof(q->target),
				       "target", why, whysz) < 0)
				return -1;
			q->has_target = true;
		} else if (strcmp(key, "debug") == 0) {
			char val[8];
			if (has_debug) {
				snprintf(why, whysz, "debug given twice");
				return -1;
			}
			if (pct_decode(v, vlen, val, sizeof(val), "debug", why,
				       whysz) < 0)
				return -1;
			if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
				q->debug = true;
			else if (strcmp(val, "false") == 0 ||
				 strcmp(val, "0") == 0 || val[0] == '\0')
				q->debug = false;
			else {
				snprintf(why, whysz,
					 "debug must be true or false");
				return -1;
			}
			has_debug = true;
		}
		p += plen;
		if (*p == '&')
			p++;
	}
	return 0;
}

static bool
label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
exp_target_check(const char *s, struct exp_target *t, char *why,
		 size_t whysz)
{
	const char *colon;
	size_t hlen, lab = 0;
	const char *reason;

	memset(t, 0, sizeof(*t));
	if (s == NULL || *s == '\0') {
		snprintf(why, whysz, "target: empty");
		return -1;
	}
	colon = strchr(s, ':');
	hlen = colon != NULL ? (size_t)(colon - s) : strlen(s);
	if (colon != NULL) {
		long long port;
		if (util_parse_ll(colon + 1, 1, 65535, &port, &reason) < 0) {
			snprintf(why, whysz,
				 "target: port must be 1 to 65535 (%s)",
				 reason);
			return -1;
		}
		t->port = (int)port;
	}
	if (hlen > 0 && s[hlen - 1] == '.')
		hlen--; /* one trailing dot: the root */
	if (hlen == 0 || hlen > 253) {
		snprintf(why, whysz,
			 "target: a host name of 1 to 253 bytes (RFC 1035 "
			 "2.3.4)");
		return -1;
	}
	for (size_t i = 0; i < hlen; i++) {
		char c = s[i];
		if (c == '.') {
			if (lab == 0 || s[i - 1] == '-') {
				snprintf(why, whysz,
					 "target: empty label, or a label "
					 "ending in '-' (RFC 1123 2.1)");
				return -1;
			}
			lab = 0;
			continue;
		}
		if (!label_char(c)) {
			snprintf(why, whysz,
				 "target: only letters, digits, '-', '_' and "
				 "'.' in a host name, optionally :PORT");
			return -1;
		}
		if (lab == 0 && c == '-') {
			snprintf(why, whysz,
				 "target: a label starts with '-' (RFC 1123 "
				 "2.1)");
			return -1;
		}
		if (++lab > 63) {
			snprintf(why, whysz,
				 "target: a label over 63 bytes (RFC 1035 "
				 "2.3.4)");
			return -1;
		}
	}
	if (lab == 0) {
		snprintf(why, whysz, "target: empty label (RFC 1035 2.3.4)");
		return -1;
	}
	if (s[hlen - 1] == '-') {
		snprintf(why, whysz,
			 "target: a label ends with '-' (RFC 1123 2.1)");
		return -1;
	}
	memcpy(t->host, s, hlen);
	t->host[hlen] = '\0';
	return 0;
}

int
exp_duration_parse(const char *s, double *out, const char **why)
{
	char num[32];
	size_t n = s != NULL ? strlen(s) : 0;
	double mult = 1.0, v;

	*why = NULL;
	if (n == 0 || n >= sizeof(num)) {
		*why = "a duration such as 15s, 500ms or 1m";
		return -1;
	}
	if (n > 2 && strcmp(s + n - 2, "ms") == 0) {
		mult = 0.001;
		n -= 2;
	} else if (s[n - 1] == 's') {
		n -= 1;
	} else if (s[n - 1] == 'm') {
		mult = 60.0;
		n -= 1;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	if (util_parse_double(num, 0.0, 1e9, &v, why) < 0) {
		*why = "a duration such as 15s, 500ms or 1m";
		return -1;
	}
	v *= mult;
	if (!(v > 0.0) || v > EXP_TIMEOUT_MAX) {
		*why = "a duration above 0 and at most 600s";
		return -1;
	}
	*out = v;
	return 0;
}

int
exp_timeout_compute(double module_s, const char *header, double offset,
		    struct exp_timeout *t, char *why, size_t whysz)
{
	double probe = module_s;

	if (header != NULL) {
		double h;
		const char *reason;
		if (util_parse_double(header, 0.0, 1e6, &h, &reason) < 0 ||
		    !(h > 0.0)) {
			snprintf(why, whysz,
				 "X-Prometheus-Scrape-Timeout-Seconds: not a "
				 "positive number of seconds");
			return -1;
		}
		if (h - offset > 0.0)
			h -= offset;
		if (h < probe)
			probe = h;
	}
	t->probe_s = probe;
	t->plugin_t = (int)ceil(probe - 1.0);
	if (t->plugin_t < 1)
		t->plugin_t = 1;
	return 0;
}
