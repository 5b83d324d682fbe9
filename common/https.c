/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * https.c: the policy fetch of RFC 8461 3.3 with libcurl (GnuTLS backend):
 * pinned addresses (CURLOPT_RESOLVE), no redirects (STP-05), no caching
 * headers (STP-06), a size cap (STP-08), our own PKIX verdict (STP-04) taken
 * in CURLOPT_PREREQFUNCTION, and the run's deadline as the timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "deadline.h"
#include "https.h"
#include "util.h"

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
	if (curl_easy_getinfo(f->h, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK ||
	    ti == NULL || ti->backend != CURLSSLBACKEND_GNUTLS ||
	    ti->internals == NULL) {
		util_strlcpy(res->why, "libcurl is not built with GnuTLS",
			     sizeof(res->why));
		res->fail = HTTPS_TLS;
		return CURL_PREREQFUNC_ABORT;
	}
	res->tls_done = true;
	tls_peer_info((gnutls_session_t)ti->internals, &res->peer);
	res->pkix = tls_verify_pkix((gnutls_session_t)ti->internals, f->t,
				    f->host, f->now, res->pkix_why,
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
	CURLcode rc;
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
	if ((h = curl_easy_init()) == NULL)
		util_oom();
	f.h = h;
	buf_init(&b);
	buf_printf(&b, "%s:%u:", host, port);
	for (size_t i = 0; i < naddrs; i++)
		buf_printf(&b, strchr(addrs[i], ':') ? "%s[%s]" : "%s%s",
			   i ? "," : "", addrs[i]);
	resolve = curl_slist_append(NULL, b.p);
	buf_free(&b);
	snprintf(url, sizeof(url), "https://%s:%u%s", host, port, path);

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mailtls-plugins/" MAILTLS_VERSION);
	/* Our own verdict in on_connected (RFC 9525, no CN fallback). */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	/* ... so libcurl need not read a CA bundle or directory at all: it
	 * would otherwise parse the whole system store on every fetch. */
	curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
	curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_connected);
	curl_easy_setopt(h, CURLOPT_PREREQDATA, &f);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &f);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	if (left > 0) {
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)left);
	}
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		util_strlcpy(res->content_type, ct, sizeof(res->content_type));
	if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
	    loc != NULL)
		util_strlcpy(res->location, loc, sizeof(res->location));
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &res->time_s);

	if (res->fail != HTTPS_OK)
		; /* set by on_connected */
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
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (rc == CURLE_SSL_CONNECT_ERROR) {
		res->fail = HTTPS_TLS;
		snprintf(res->why, sizeof(res->why), "TLS handshake: %.200s",
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (rc != CURLE_OK) {
		res->fail = HTTPS_PROTOCOL;
		snprintf(res->why, sizeof(res->why), "%.200s",
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(resolve);
}

void
https_result_free(struct https_result *res)
{
	free(res->body);
	res->body = NULL;
	tls_peer_free(&res->peer);
}
