/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * https.c: the policy fetch of RFC 8461 3.3 with libcurl (GnuTLS backend):
 * pinned addresses (CURLOPT_RESOLVE), no redirects (STP-05), no caching
 * headers (STP-06), a size cap (STP-08), our own PKIX verdict (STP-04) taken
 * in CURLOPT_PREREQFUNCTION, and the run's deadline as the timeout.
 *
 * libcurl is loaded with dlopen() at the first fetch, not linked: Debian's
 * libcurl3-gnutls brings some twenty libraries (libssh2 and with it
 * OpenSSL's libcrypto, Kerberos, LDAP, RTMP...) whose loading alone costs
 * about 5 MiB of resident memory and 9 ms of CPU (bench/README.md). A run
 * that fetches nothing (a TLSRPT record with mailto: destinations only,
 * --no-check-rua) does not pay for it.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "deadline.h"
#include "https.h"
#include "util.h"

/* The soname of Debian's libcurl3-gnutls (the GnuTLS flavour). */
#ifndef HTTPS_CURL_SONAME
#define HTTPS_CURL_SONAME "libcurl-gnutls.so.4"
#endif

/* The libcurl functions we call, from the library loaded at first use. */
static struct {
	void *lib;
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} cu;

/*
 * Loads libcurl once; kept loaded until the process exits. Called from the
 * run's main thread only (curl_easy_init() makes libcurl's global set-up,
 * which is not thread-safe either). -1 with a sentence in why.
 */
static int
curl_load(char *why, size_t whylen)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define SYM(f, m) {"curl_" #f, offsetof(__typeof__(cu), m)}
	    SYM(easy_init, easy_init),
	    SYM(easy_setopt, easy_setopt),
	    SYM(easy_perform, easy_perform),
	    SYM(easy_getinfo, easy_getinfo),
	    SYM(easy_cleanup, easy_cleanup),
	    SYM(easy_strerror, easy_strerror),
	    SYM(slist_append, slist_append),
	    SYM(slist_free_all, slist_free_all),
#undef SYM
	};
	const char *e;
	void *lib;

	if (cu.lib != NULL)
		return 0;
	if ((lib = dlopen(HTTPS_CURL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(why, whylen,
			 "cannot load libcurl (%s, Debian package "
			 "libcurl3-gnutls): %.150s",
			 HTTPS_CURL_SONAME, e != NULL ? e : "unknown error");
		return -1;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(lib, syms[i].name);

		if (f == NULL) {
			snprintf(why, whylen, "%s has no %s: too old a libcurl",
				 HTTPS_CURL_SONAME, syms[i].name);
			dlclose(lib);
			return -1;
		}
		/* POSIX: a function pointer converts to and from void * */
		memcpy((char *)&cu + syms[i].off, &f, sizeof(f));
	}
	cu.lib = lib;
	return 0;
}

struct fetch {
	struct https_result *res;
	struct tls_ctx *t;
	const char *host;
	time_t now;
	bool toobig;
	CURL *h;
};

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	struct https_result *res = f->res;
	size_t n = size * nmemb;

	if (res->len + n > res->cap) {
		f->toobig = true;
		return 0; /* stop: CURLE_WRITE_ERROR */
	}
	res->body = xrealloc(res->body, res->len + n + 1);
	memcpy(res->body + res->len, p, n);
	res->len += n;
	res->body[res->len] = '\0';
	return n;
}

static int
on_connected(void *arg, char *conn_primary_ip, char *conn_local_ip,
	     int conn_primary_port, int conn_local_port)
{
	struct fetch *f = arg;
	struct https_result *res = f->res;
	const struct curl_tlssessioninfo *ti = NULL;

	(void)conn_local_ip;
	(void)conn_primary_port;
	(void)conn_local_port;
	util_strlcpy(res->addr, conn_primary_ip, sizeof(res->addr));
	if (cu.easy_getinfo(f->h, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK ||
	    ti == NULL || ti->backend != CURLSSLBACKEND_GNUTLS ||
	    ti->internals == NULL) {
		util_strlcpy(res->why, "libcurl is not built with GnuTLS",
			     sizeof(res->why));
		res->fail = HTTPS_TLS;
		return CURL_PREREQFUNC_ABORT;
	}
	res->tls_done = true;
	tls_peer_info((gnutls_session_t)ti->internals, f->t, &res->peer);
	res->pkix = tls_verify_pkix((gnutls_session_t)ti->internals, f->t,
				    &res->peer, f->host, f->now, res->pkix_why,
				    sizeof(res->pkix_why));
	if (res->pkix != PKIX_OK) {
		res->fail = HTTPS_PKIX;
		snprintf(res->why, sizeof(res->why), "certificate %.200s",
			 res->pkix_why);
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

void
https_get(const char *host, unsigned port, const char *path,
	  const char *const *addrs, size_t naddrs, struct tls_ctx *t,
	  time_t now, size_t cap, struct https_result *res)
{
	struct fetch f = {res, t, host, now, false, NULL};
	struct curl_slist *resolve = NULL;
	struct buf b;
	char url[512], errbuf[CURL_ERROR_SIZE] = "";
	const char *ct = NULL, *loc = NULL;
	CURL *h;
	CURLcode rc = CURLE_OK;
	int left;

	memset(res, 0, sizeof(*res));
	res->cap = cap;
	if (naddrs == 0) {
		res->fail = HTTPS_CONNECT;
		util_strlcpy(res->why, "no address to connect to",
			     sizeof(res->why));
		return;
	}
	left = deadline_left_ms();
	if (left == 0) {
		res->fail = HTTPS_TIMEOUT;
		util_strlcpy(res->why, "no time left before the deadline",
			     sizeof(res->why));
		return;
	}
	if (curl_load(res->why, sizeof(res->why)) == -1) {
		res->fail = HTTPS_SETUP;
		return;
	}
	if ((h = cu.easy_init()) == NULL)
		util_oom();
	f.h = h;
	buf_init(&b);
	/* an IPv6 literal (RPT-31) in brackets, as in the URL */
	buf_printf(&b, strchr(host, ':') ? "[%s]:%u:" : "%s:%u:", host, port);
	for (size_t i = 0; i < naddrs; i++)
		buf_printf(&b, strchr(addrs[i], ':') ? "%s[%s]" : "%s%s",
			   i ? "," : "", addrs[i]);
	resolve = cu.slist_append(NULL, b.p);
	buf_free(&b);
	snprintf(url, sizeof(url),
		 strchr(host, ':') ? "https://[%s]:%u%s" : "https://%s:%u%s",
		 host, port, path);

	/* PKIX-03: every option that the verdict or the pinning rests on
	 * must take; a libcurl that refuses one (the PREREQFUNCTION hook
	 * needs 7.80) fetches nothing rather than fetch unchecked. */
	{
		const struct opt {
			CURLoption o;
			const char *name;
			enum { O_PTR, O_LONG, O_FN } kind;
			const void *p;
			long l;
		} opts[] = {
		    {CURLOPT_URL, "URL", O_PTR, url, 0},
		    {CURLOPT_RESOLVE, "RESOLVE", O_PTR, resolve, 0},
		    {CURLOPT_PROTOCOLS_STR, "PROTOCOLS_STR", O_PTR, "https", 0},
		    {CURLOPT_FOLLOWLOCATION, "FOLLOWLOCATION", O_LONG, NULL,
		     0L},
		    {CURLOPT_NOSIGNAL, "NOSIGNAL", O_LONG, NULL, 1L},
		    {CURLOPT_NOPROXY, "NOPROXY", O_PTR, "*", 0},
		    {CURLOPT_USERAGENT, "USERAGENT", O_PTR,
		     "mailtls-plugins/" MAILTLS_VERSION, 0},
		    /* STS-33: what MTAs' fetchers speak */
		    {CURLOPT_HTTP_VERSION, "HTTP_VERSION", O_LONG, NULL,
		     (long)CURL_HTTP_VERSION_1_1},
		    /* Our own verdict in on_connected (RFC 9525, no CN
		     * fallback) ... */
		    {CURLOPT_SSL_VERIFYPEER, "SSL_VERIFYPEER", O_LONG, NULL,
		     0L},
		    {CURLOPT_SSL_VERIFYHOST, "SSL_VERIFYHOST", O_LONG, NULL,
		     0L},
		    /* ... so libcurl need not read a CA bundle or directory
		     * at all: it would otherwise parse the whole system store
		     * on every fetch. */
		    {CURLOPT_CAINFO, "CAINFO", O_PTR, NULL, 0},
		    {CURLOPT_CAPATH, "CAPATH", O_PTR, NULL, 0},
		    {CURLOPT_PREREQFUNCTION, "PREREQFUNCTION", O_FN, NULL, 0},
		    {CURLOPT_PREREQDATA, "PREREQDATA", O_PTR, &f, 0},
		    {CURLOPT_WRITEFUNCTION, "WRITEFUNCTION", O_FN, NULL, 1},
		    {CURLOPT_WRITEDATA, "WRITEDATA", O_PTR, &f, 0},
		    {CURLOPT_ERRORBUFFER, "ERRORBUFFER", O_PTR, errbuf, 0},
		    {CURLOPT_TIMEOUT_MS, "TIMEOUT_MS", O_LONG, NULL,
		     (long)left},
		    {CURLOPT_CONNECTTIMEOUT_MS, "CONNECTTIMEOUT_MS", O_LONG,
		     NULL, (long)left},
		};

		for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
			const struct opt *o = &opts[i];

			if ((o->o == CURLOPT_TIMEOUT_MS ||
			     o->o == CURLOPT_CONNECTTIMEOUT_MS) &&
			    left < 0)
				continue; /* no deadline */
			if (o->kind == O_LONG)
				rc = cu.easy_setopt(h, o->o, o->l);
			else if (o->kind == O_FN && o->l == 0)
				rc = cu.easy_setopt(h, o->o, on_connected);
			else if (o->kind == O_FN)
				rc = cu.easy_setopt(h, o->o, on_body);
			else
				rc = cu.easy_setopt(h, o->o, o->p);
			if (rc != CURLE_OK) {
				res->fail = HTTPS_SETUP;
				snprintf(res->why, sizeof(res->why),
					 "libcurl refused CURLOPT_%s (%.100s): "
					 "the certificate check cannot run "
					 "(PKIX-03)",
					 o->name, cu.easy_strerror(rc));
				cu.easy_cleanup(h);
				cu.slist_free_all(resolve);
				return;
			}
		}
	}
	rc = cu.easy_perform(h);
	cu.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	if (cu.easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		util_strlcpy(res->content_type, ct, sizeof(res->content_type));
	if (cu.easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc != NULL)
		util_strlcpy(res->location, loc, sizeof(res->location));
	cu.easy_getinfo(h, CURLINFO_TOTAL_TIME, &res->time_s);
	{
		long v = 0;

		if (cu.easy_getinfo(h, CURLINFO_HTTP_VERSION, &v) == CURLE_OK)
			util_strlcpy(res->http_version,
				     v == CURL_HTTP_VERSION_1_0   ? "HTTP/1.0"
				     : v == CURL_HTTP_VERSION_1_1 ? "HTTP/1.1"
				     : v == CURL_HTTP_VERSION_2_0 ? "HTTP/2"
				     : v == CURL_HTTP_VERSION_3	  ? "HTTP/3"
								  : "",
				     sizeof(res->http_version));
	}

	if (res->fail != HTTPS_OK)
		; /* set by on_connected */
	else if (rc == CURLE_OK && (!res->tls_done || res->pkix != PKIX_OK)) {
		/* PKIX-03: an answer without our verdict on a finished
		 * handshake is never a pass. */
		res->fail = HTTPS_SETUP;
		util_strlcpy(res->why,
			     "an answer arrived but the certificate check did "
			     "not run (PKIX-03): not used",
			     sizeof(res->why));
	}
	else if (f.toobig) {
		res->fail = HTTPS_TOOBIG;
		snprintf(res->why, sizeof(res->why),
			 "body larger than %zu bytes", cap);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		res->fail = HTTPS_TIMEOUT;
		util_strlcpy(res->why, "no complete answer before the deadline",
			     sizeof(res->why));
	} else if (rc == CURLE_COULDNT_CONNECT) {
		res->fail = HTTPS_CONNECT;
		snprintf(res->why, sizeof(res->why), "cannot connect: %.200s",
			 errbuf[0] ? errbuf : cu.easy_strerror(rc));
	} else if (rc == CURLE_SSL_CONNECT_ERROR) {
		res->fail = HTTPS_TLS;
		snprintf(res->why, sizeof(res->why), "TLS handshake: %.200s",
			 errbuf[0] ? errbuf : cu.easy_strerror(rc));
	} else if (rc != CURLE_OK) {
		res->fail = HTTPS_PROTOCOL;
		snprintf(res->why, sizeof(res->why), "%.200s",
			 errbuf[0] ? errbuf : cu.easy_strerror(rc));
	}
	cu.easy_cleanup(h);
	cu.slist_free_all(resolve);
}

void
https_result_free(struct https_result *res)
{
	free(res->body);
	res->body = NULL;
	tls_peer_free(&res->peer);
}
