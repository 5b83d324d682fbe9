/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dns.c: DNS lookups through libunbound, an in-process validating resolver
 * (RFC 4033-4035), and pure decoders of the rdata the plugins read.
 *
 * The context forwards every query to --resolver or the servers of
 * /etc/resolv.conf and validates locally from the trust anchor file
 * (CONFORMANCE DANE-01: never trust an upstream AD bit). Each owner name
 * of the anchor file becomes a transparent local zone, so libunbound's
 * built-in RFC 6761 answers (NXDOMAIN for "test.") never hide a zone the
 * user gave an anchor for (INTERFACE.md). Queries run concurrently in
 * libunbound's thread; dns_wait() polls its descriptor with the time the
 * run's deadline leaves (deadline.h), and at the deadline cancels what is
 * still pending and completes it with DNS_TIMEOUT, so every submitted
 * query gets exactly one callback. Outcomes follow RFC 4035 4.3 and
 * RFC 7672 2.1: answer, NXDOMAIN and NODATA carry their security status;
 * SERVFAIL, bogus and timeout are lookup failures, kept apart.
 *
 * Decoders: names per RFC 1035 3.1 and 5.1 (presentation form with \. \\
 * and \DDD escapes, no compression, at most 255 octets), MX (RFC 1035
 * 3.3.9), TXT (3.3.14; strings joined as RFC 8461 3.1 asks), A (3.4.1),
 * AAAA (RFC 3596 2.2), TLSA (RFC 6698 2.1).
 *
 * Callbacks run on the caller's thread inside dns_wait()/dns_query() and
 * own the result they get. dns_ctx_free() drops queries still pending
 * without calling their callbacks. A context is used from one thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>

#include "deadline.h"
#include "dns.h"
#include "output.h"
#include "util.h"

#define DNS_DEFAULT_ANCHOR "/usr/share/dns/root.key"
#define DNS_RESOLV_CONF "/etc/resolv.conf"
#define DNS_CLASS_IN 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_PROBE_MS 2000     /* dns_resolver_ok()'s own budget at most */
#define DNS_WIRE_NAME_MAX 255 /* RFC 1035 2.3.4 */
#define DNS_LABEL_MAX 63
#define DESCRIBE_RR_MAX 8    /* RRs listed by dns_result_describe() */
#define DESCRIBE_TXT_MAX 200 /* bytes of one TXT shown */
#define DESCRIBE_WHY_MAX 400 /* bytes of a reason shown */
#define TLSA_HEX_SHOWN 8     /* bytes of association data shown */

struct dns_query {
	struct dns_ctx *ctx;
	char *name; /* no trailing dot, "" for the root */
	int qtype;
	dns_callback *cb;
	void *arg;
	int async_id;
	int64_t started; /* clock_mono_ms() at submission */
	int64_t expires; /* clock_mono_ms() of its own time-out, or -1 */
	bool orphan;	 /* completed, but libunbound may still answer */
	struct dns_query *prev, *next;
};

struct dns_ctx {
	struct ub_ctx *ub;
	int fd;			   /* ub_fd() */
	struct dns_query *pending; /* submitted, not completed */
	struct dns_query *orphans; /* completed, not cancelled */
	char **anchors;		   /* owner names of the anchor file, "x." */
	size_t nanchors;
	char resolver[128]; /* for messages: "127.0.0.1, ::1" */
	struct dns_result *probe; /* dns_probe_submit()'s answer */
	bool probe_pending;
};

/* A completion waiting for its callback (see end_queries()). */
struct ending {
	dns_callback *cb;
	void *arg;
	struct dns_result *res;
};

/* The options set on every context; see dns_ctx_new(). */
static const struct {
	const char *opt;
	const char *val;
} ub_options[] = {
    /* forwarders and resolvers on loopback (systemd-resolved's
     * 127.0.0.53, the test lab) are reachable */
    {"do-not-query-localhost:", "no"},
    /* the forwarder sees whole names anyway; minimising would only add
     * round trips where libunbound iterates below a forwarder */
    {"qname-minimisation:", "no"},
    /* why_bogus gets unbound's detailed reason (logging is off) */
    {"val-log-level:", "2"},
    /* answers to 50+ concurrent queries without queueing for ports */
    {"outgoing-range:", "256"},
    {"outgoing-num-tcp:", "16"},
    /* 256 MX hosts (common/mx.h) ask 512 address queries at once; past
     * this limit unbound jostles out older queries with SERVFAIL */
    {"num-queries-per-thread:", "4096"},
};

const char *
dns_outcome_name(enum dns_outcome o)
{
	switch (o) {
	case DNS_ANSWER:
		return "ANSWER";
	case DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DNS_NODATA:
		return "NODATA";
	case DNS_SERVFAIL:
		return "SERVFAIL";
	case DNS_BOGUS:
		return "BOGUS";
	case DNS_TIMEOUT:
		return "TIMEOUT";
	case DNS_ERROR:
		return "ERROR";
	}
	return "?";
}

const char *
dns_security_name(enum dns_security s)
{
	switch (s) {
	case DNS_INSECURE:
		return "insecure";
	case DNS_SECURE:
		return "secure";
	case DNS_SEC_BOGUS:
		return "bogus";
	}
	return "?";
}

const char *
dns_type_name(int qtype)
{
	static _Thread_local char other[16];

	switch (qtype) {
	case DNS_T_A:
		return "A";
	case DNS_T_NS:
		return "NS";
	case DNS_T_CNAME:
		return "CNAME";
	case DNS_T_SOA:
		return "SOA";
	case DNS_T_MX:
		return "MX";
	case DNS_T_TXT:
		return "TXT";
	case DNS_T_AAAA:
		return "AAAA";
	case DNS_T_DS:
		return "DS";
	case DNS_T_DNSKEY:
		return "DNSKEY";
	case DNS_T_TLSA:
		return "TLSA";
	}
	/* RFC 3597 5 */
	snprintf(other, sizeof(other), "TYPE%d", qtype);
	return other;
}

static const char *
rcode_name(int rcode)
{
	static const char *const names[] = {
	    "NOERROR",	"FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	    "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};

	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	return "unassigned";
}

/* ---------------------------------------------------------------------
 * Decoders (pure)
 */

static int
put_text(char *dst, size_t dstsz, size_t *o, const char *s, size_t n)
{
	if (n >= dstsz - *o)
		return -1;
	memcpy(dst + *o, s, n);
	*o += n;
	return 0;
}

int
dns_name_to_text(const unsigned char *buf, size_t len, size_t off, size_t *next,
		 char *name, size_t namesz)
{
	size_t o = 0, wire = 0, i;
	unsigned l;
	char esc[8];

	if (buf == NULL || name == NULL || namesz == 0)
		return -1;
	name[0] = '\0';
	for (;;) {
		if (off >= len)
			return -1; /* truncated */
		l = buf[off++];
		wire += l + 1;
		if (wire > DNS_WIRE_NAME_MAX)
			return -1;
		if (l == 0)
			break;
		/* 0xC0: a compression pointer; 0x40, 0x80: RFC 6891 6.2 */
		if (l > DNS_LABEL_MAX || l > len - off)
			return -1;
		if (o > 0 && put_text(name, namesz, &o, ".", 1) == -1)
			return -1;
		for (i = 0; i < l; i++) {
			unsigned char c = buf[off + i];
			int n;

			if (c == '.' || c == '\\')
				n = snprintf(esc, sizeof(esc), "\\%c", c);
			else if (c < 0x21 || c > 0x7e)
				n = snprintf(esc, sizeof(esc), "\\%03u", c);
			else
				n = snprintf(esc, sizeof(esc), "%c", c);
			if (put_text(name, namesz, &o, esc, (size_t)n) == -1)
				return -1;
		}
		off += l;
	}
	name[o] = '\0';
	if (next != NULL)
		*next = off;
	return 0;
}

int
dns_rr_mx(const struct dns_rr *rr, unsigned *pref, char *name, size_t namesz)
{
	size_t next;

	if (rr == NULL || rr->len < 3)
		return -1;
	if (dns_name_to_text(rr->data, rr->len, 2, &next, name, namesz) == -1 ||
	    next != rr->len)
		return -1;
	*pref = (unsigned)rr->data[0] << 8 | rr->data[1];
	return 0;
}

int
dns_rr_cname(const struct dns_rr *rr, char *name, size_t namesz)
{
	size_t next;

	if (rr == NULL ||
	    dns_name_to_text(rr->data, rr->len, 0, &next, name, namesz) == -1 ||
	    next != rr->len)
		return -1;
	return 0;
}

int
dns_rr_txt(const struct dns_rr *rr, char **out, size_t *outlen)
{
	size_t off, total = 0;
	char *p;

	*out = NULL;
	*outlen = 0;
	/* RFC 1035 3.3.14: one or more <character-string>s */
	if (rr == NULL || rr->len == 0)
		return -1;
	for (off = 0; off < rr->len; off += 1 + rr->data[off]) {
		if (rr->data[off] > rr->len - off - 1)
			return -1; /* a string runs past the rdata */
		total += rr->data[off];
	}
	p = xmalloc(total + 1);
	total = 0;
	for (off = 0; off < rr->len; off += 1 + rr->data[off]) {
		memcpy(p + total, rr->data + off + 1, rr->data[off]);
		total += rr->data[off];
	}
	p[total] = '\0';
	*out = p;
	*outlen = total;
	return 0;
}

int
dns_rr_addr(const struct dns_rr *rr, int qtype, unsigned port,
	    struct sockaddr_storage *ss, socklen_t *sslen)
{
	if (rr == NULL || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (qtype == DNS_T_A && rr->len == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, rr->data, 4);
		*sslen = sizeof(*sin);
		return 0;
	}
	if (qtype == DNS_T_AAAA && rr->len == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, rr->data, 16);
		*sslen = sizeof(*sin6);
		return 0;
	}
	return -1;
}

int
dns_rr_tlsa(const struct dns_rr *rr, uint8_t *usage, uint8_t *selector,
	    uint8_t *mtype, const unsigned char **data, size_t *datalen)
{
	/* RFC 6698 2.1: three octets, then association data (not empty) */
	if (rr == NULL || rr->len < 4)
		return -1;
	*usage = rr->data[0];
	*selector = rr->data[1];
	*mtype = rr->data[2];
	*data = rr->data + 3;
	*datalen = rr->len - 3;
	return 0;
}

/* ---------------------------------------------------------------------
 * Results
 */

void
dns_result_free(struct dns_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->n; i++)
		free(res->rr[i].data);
	free(res->rr);
	free(res->qname);
	free(res->why);
	free(res->canonname);
	free(res);
}

/* Whether a name in presentation form ends with an unescaped dot. */
static bool
name_absolute(const char *s)
{
	size_t n = strlen(s), k = 0;

	if (n == 0 || s[n - 1] != '.')
		return false;
	while (k < n - 1 && s[n - 2 - k] == '\\')
		k++;
	return k % 2 == 0;
}

/* Copies a name without its trailing dot ("." becomes ""). */
static char *
name_nodot(const char *s)
{
	return xstrndup(s, strlen(s) - (name_absolute(s) ? 1 : 0));
}

static struct dns_result *
res_new(const struct dns_query *q, enum dns_outcome outcome, const char *why)
{
	struct dns_result *res = xcalloc(1, sizeof(*res));

	res->qname = xstrdup(q->name);
	res->qtype = q->qtype;
	res->outcome = outcome;
	res->security = DNS_INSECURE;
	if (why != NULL)
		res->why = xstrdup(why);
	res->elapsed_ms = clock_mono_ms() - q->started;
	return res;
}

void
dns_result_fill(struct dns_result *res, const struct ub_result *ub)
{
	size_t i, n = 0;

	res->rcode = ub->rcode;
	res->ttl = ub->ttl;
	res->security = ub->secure ? DNS_SECURE : DNS_INSECURE;
	if (ub->canonname != NULL)
		res->canonname = name_nodot(ub->canonname);
	if (ub->why_bogus != NULL)
		res->why = xstrdup(ub->why_bogus);
	if (ub->bogus) {
		res->outcome = DNS_BOGUS;
		res->security = DNS_SEC_BOGUS;
		if (res->why == NULL)
			res->why = xstrdup("validation failure");
		return;
	}
	if (ub->rcode != 0 && ub->rcode != DNS_RCODE_NXDOMAIN) {
		res->outcome = DNS_SERVFAIL;
		return;
	}
	if (ub->nxdomain || ub->rcode == DNS_RCODE_NXDOMAIN) {
		res->outcome = DNS_NXDOMAIN;
		return;
	}
	if (!ub->havedata || ub->data == NULL) {
		res->outcome = DNS_NODATA;
		return;
	}
	res->outcome = DNS_ANSWER;
	while (ub->data[n] != NULL)
		n++;
	res->rr = xcalloc(n, sizeof(*res->rr));
	for (i = 0; i < n; i++) {
		size_t len = ub->len[i] > 0 ? (size_t)ub->len[i] : 0;

		res->rr[i].data = xmalloc(len > 0 ? len : 1);
		memcpy(res->rr[i].data, ub->data[i], len);
		res->rr[i].len = len;
	}
	res->n = n;
}

/* ---------------------------------------------------------------------
 * Queries
 */

static void
query_link(struct dns_query **head, struct dns_query *q)
{
	q->prev = NULL;
	q->next = *head;
	if (*head != NULL)
		(*head)->prev = q;
	*head = q;
}

static void
query_unlink(struct dns_query **head, struct dns_query *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		*head = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

static void
query_free(struct dns_query *q)
{
	free(q->name);
	free(q);
}

/* libunbound's callback, called from ub_process() on our thread. */
static void
ub_done(void *arg, int err, struct ub_result *ub)
{
	struct dns_query *q = arg;
	struct dns_ctx *ctx = q->ctx;
	struct dns_result *res;
	dns_callback *cb = q->cb;
	void *cbarg = q->arg;

	if (q->orphan) {
		query_unlink(&ctx->orphans, q);
		query_free(q);
		ub_resolve_free(ub);
		return;
	}
	query_unlink(&ctx->pending, q);
	if (err != 0 || ub == NULL) {
		res = res_new(q, DNS_ERROR,
			      err != 0 ? ub_strerror(err) : "no result");
	} else {
		res = res_new(q, DNS_ANSWER, NULL);
		dns_result_fill(res, ub);
	}
	ub_resolve_free(ub);
	query_free(q);
	cb(cbarg, res);
}

/*
 * Completes with `outcome` every pending query when `all`, else those
 * whose own time-out has come, and calls their callbacks once all are
 * off the list (a callback may submit or wait itself).
 */
static void
end_queries(struct dns_ctx *ctx, bool all, enum dns_outcome outcome,
	    const char *why)
{
	struct dns_query *q, *next;
	struct ending *e;
	size_t n = 0, i = 0;
	int64_t now = clock_mono_ms();

	for (q = ctx->pending; q != NULL; q = q->next)
		if (all || (q->expires >= 0 && q->expires <= now))
			n++;
	if (n == 0)
		return;
	e = xcalloc(n, sizeof(*e));
	for (q = ctx->pending; q != NULL; q = next) {
		next = q->next;
		if (!all && (q->expires < 0 || q->expires > now))
			continue;
		query_unlink(&ctx->pending, q);
		e[i].cb = q->cb;
		e[i].arg = q->arg;
		e[i].res = res_new(q, outcome, why);
		i++;
		if (ub_cancel(ctx->ub, q->async_id) == 0) {
			query_free(q);
		} else {
			/* libunbound may still answer: ub_done() frees it */
			q->orphan = true;
			query_link(&ctx->orphans, q);
		}
	}
	for (i = 0; i < n; i++)
		e[i].cb(e[i].arg, e[i].res);
	free(e);
}

static int
submit(struct dns_ctx *ctx, const char *name, int qtype, dns_callback *cb,
       void *arg, int64_t expires)
{
	struct dns_query *q = xcalloc(1, sizeof(*q));
	int r;

	q->ctx = ctx;
	q->name = name_nodot(name);
	q->qtype = qtype;
	q->cb = cb;
	q->arg = arg;
	q->started = clock_mono_ms();
	q->expires = expires;
	query_link(&ctx->pending, q);
	r = ub_resolve_async(ctx->ub, q->name[0] != '\0' ? q->name : ".", qtype,
			     DNS_CLASS_IN, q, ub_done, &q->async_id);
	if (r != 0) {
		struct dns_result *res = res_new(q, DNS_ERROR, ub_strerror(r));

		query_unlink(&ctx->pending, q);
		query_free(q);
		cb(arg, res);
		return -1;
	}
	return 0;
}

int
dns_submit(struct dns_ctx *ctx, const char *name, int qtype, dns_callback *cb,
	   void *arg)
{
	return submit(ctx, name, qtype, cb, arg, -1);
}

/* What poll() may wait: the run's deadline or the nearest own time-out. */
static int
poll_timeout(const struct dns_ctx *ctx)
{
	const struct dns_query *q;
	int wait = deadline_left_ms(); /* -1: no deadline */
	int64_t now = clock_mono_ms();

	for (q = ctx->pending; q != NULL; q = q->next) {
		int64_t d;

		if (q->expires < 0)
			continue;
		d = q->expires > now ? q->expires - now : 0;
		if (wait < 0 || d < wait)
			wait = (int)d;
	}
	return wait;
}

/* Runs until nothing is pending, or until *done when done is given. */
static void
run(struct dns_ctx *ctx, const bool *done)
{
	while (ctx->pending != NULL && (done == NULL || !*done)) {
		struct pollfd pfd = {.fd = ctx->fd, .events = POLLIN};
		int r = poll(&pfd, 1, poll_timeout(ctx));

		if (r < 0 && errno != EINTR) {
			char why[128];

			snprintf(why, sizeof(why), "poll: %s", strerror(errno));
			end_queries(ctx, true, DNS_ERROR, why);
			continue;
		}
		if (r > 0) {
			/* answers that came in time count, even at the
			 * deadline: process before timing out */
			int e = ub_process(ctx->ub);

			if (e != 0) {
				end_queries(ctx, true, DNS_ERROR,
					    ub_strerror(e));
				continue;
			}
		}
		end_queries(ctx, deadline_left_ms() == 0, DNS_TIMEOUT, NULL);
	}
}

void
dns_wait(struct dns_ctx *ctx)
{
	run(ctx, NULL);
}

struct sync_query {
	bool done;
	struct dns_result *res;
};

static void
sync_done(void *arg, struct dns_result *res)
{
	struct sync_query *s = arg;

	s->res = res;
	s->done = true;
}

static struct dns_result *
query_sync(struct dns_ctx *ctx, const char *name, int qtype, int64_t expires)
{
	struct sync_query s = {false, NULL};

	submit(ctx, name, qtype, sync_done, &s, expires);
	run(ctx, &s.done);
	return s.res;
}

void
dns_keep(void *arg, struct dns_result *res)
{
	*(struct dns_result **)arg = res;
}

void
dns_keep_addr(void *arg, struct dns_result *res)
{
	((struct dns_result **)arg)[res->qtype == DNS_T_AAAA] = res;
}

struct dns_result *
dns_query(struct dns_ctx *ctx, const char *name, int qtype)
{
	return query_sync(ctx, name, qtype, -1);
}

/* Judges the answer to the anchor's DNSKEY query (see dns_resolver_ok). */
static bool
probe_judge(struct dns_ctx *ctx, const struct dns_result *res, int budget,
	    int left, char *why, size_t whylen)
{
	const char *zone = ctx->anchors[0];
	char reason[DESCRIBE_WHY_MAX + 8] = "";
	bool ok = false;

	if (res->why != NULL)
		text_sanitize(reason, sizeof(reason), res->why,
			      strlen(res->why), DESCRIBE_WHY_MAX);
	switch (res->outcome) {
	case DNS_ANSWER:
		ok = res->security == DNS_SECURE;
		if (ok)
			snprintf(why, whylen,
				 "resolver %s validates %s DNSKEY (%lld ms)",
				 ctx->resolver, zone,
				 (long long)res->elapsed_ms);
		else
			snprintf(why, whylen,
				 "resolver %s: %s DNSKEY is insecure, the "
				 "trust anchor is not in use",
				 ctx->resolver, zone);
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		snprintf(why, whylen,
			 "resolver %s has no DNSKEY for %s (%s %s): the trust "
			 "anchor does not match what it serves",
			 ctx->resolver, zone, dns_outcome_name(res->outcome),
			 dns_security_name(res->security));
		break;
	case DNS_SERVFAIL:
		/* libunbound says SERVFAIL too when no server answers */
		snprintf(why, whylen,
			 "resolver %s: %s for %s DNSKEY (unreachable or "
			 "failing)%s%s",
			 ctx->resolver, rcode_name(res->rcode), zone,
			 reason[0] != '\0' ? ": " : "", reason);
		break;
	case DNS_BOGUS:
		snprintf(why, whylen,
			 "trust anchor for %s does not validate: %s", zone,
			 reason);
		break;
	case DNS_TIMEOUT:
		if (budget == left)
			snprintf(why, whylen,
				 "resolver %s did not answer %s DNSKEY within "
				 "the deadline",
				 ctx->resolver, zone);
		else
			snprintf(why, whylen,
				 "resolver %s did not answer %s DNSKEY within "
				 "%d ms",
				 ctx->resolver, zone, budget);
		break;
	case DNS_ERROR:
		snprintf(why, whylen, "libunbound error asking %s DNSKEY: %s",
			 zone, reason);
		break;
	}
	return ok;
}

static void
probe_done(void *arg, struct dns_result *res)
{
	struct dns_ctx *ctx = arg;

	ctx->probe = res;
	ctx->probe_pending = false;
}

void
dns_probe_submit(struct dns_ctx *ctx)
{
	if (ctx->probe != NULL || ctx->probe_pending)
		return;
	ctx->probe_pending = true;
	dns_submit(ctx, ctx->anchors[0], DNS_T_DNSKEY, probe_done, ctx);
}

bool
dns_resolver_ok(struct dns_ctx *ctx, char *why, size_t whylen)
{
	int left = deadline_left_ms();
	int budget = left < 0 || left > DNS_PROBE_MS ? DNS_PROBE_MS : left;
	struct dns_result *res;
	bool ok;

	/* An answer to dns_probe_submit() counts, whatever it was. */
	if (ctx->probe != NULL)
		return probe_judge(ctx, ctx->probe, left, left, why, whylen);
	res = query_sync(ctx, ctx->anchors[0], DNS_T_DNSKEY,
			 clock_mono_ms() + budget);
	ok = probe_judge(ctx, res, budget, left, why, whylen);
	dns_result_free(res);
	return ok;
}

/* ---------------------------------------------------------------------
 * Describing results
 */

static void
put_sanitized(struct buf *out, const char *s, size_t len, size_t max)
{
	char tmp[DESCRIBE_WHY_MAX + 8];

	text_sanitize(tmp, sizeof(tmp), s, len, max);
	buf_puts(out, tmp);
}

static void
describe_rdata(struct buf *out, int qtype, const struct dns_rr *rr)
{
	char name[DNS_NAME_MAX], addr[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned pref;
	char *txt;
	size_t txtlen, datalen, i;
	const unsigned char *data;
	uint8_t usage, selector, mtype;

	switch (qtype) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (dns_rr_addr(rr, qtype, 0, &ss, &sslen) == -1)
			break;
		if (qtype == DNS_T_A)
			inet_ntop(AF_INET,
				  &((struct sockaddr_in *)&ss)->sin_addr, addr,
				  sizeof(addr));
		else
			inet_ntop(AF_INET6,
				  &((struct sockaddr_in6 *)&ss)->sin6_addr,
				  addr, sizeof(addr));
		buf_puts(out, addr);
		return;
	case DNS_T_MX:
		if (dns_rr_mx(rr, &pref, name, sizeof(name)) == -1)
			break;
		buf_printf(out, "%u ", pref);
		put_sanitized(out, name[0] != '\0' ? name : ".",
			      strlen(name[0] != '\0' ? name : "."),
			      DNS_NAME_MAX);
		return;
	case DNS_T_CNAME:
	case DNS_T_NS:
		if (dns_rr_cname(rr, name, sizeof(name)) == -1)
			break;
		put_sanitized(out, name[0] != '\0' ? name : ".",
			      strlen(name[0] != '\0' ? name : "."),
			      DNS_NAME_MAX);
		return;
	case DNS_T_TXT:
		if (dns_rr_txt(rr, &txt, &txtlen) == -1)
			break;
		buf_putc(out, '"');
		put_sanitized(out, txt, txtlen, DESCRIBE_TXT_MAX);
		buf_putc(out, '"');
		free(txt);
		return;
	case DNS_T_TLSA:
		if (dns_rr_tlsa(rr, &usage, &selector, &mtype, &data,
				&datalen) == -1)
			break;
		buf_printf(out, "%u %u %u ", usage, selector, mtype);
		for (i = 0; i < datalen && i < TLSA_HEX_SHOWN; i++)
			buf_printf(out, "%02x", data[i]);
		if (datalen > TLSA_HEX_SHOWN)
			buf_puts(out, "...");
		return;
	default:
		buf_printf(out, "%zu bytes", rr->len);
		return;
	}
	buf_printf(out, "malformed, %zu bytes", rr->len);
}

void
dns_result_describe(const struct dns_result *res, struct buf *out)
{
	const char *qname = res->qname[0] != '\0' ? res->qname : ".";
	size_t i;

	put_sanitized(out, qname, strlen(qname), DNS_NAME_MAX);
	buf_printf(out, " %s: %s", dns_type_name(res->qtype),
		   dns_outcome_name(res->outcome));
	switch (res->outcome) {
	case DNS_ANSWER:
		buf_printf(out, " %s,", dns_security_name(res->security));
		if (res->canonname != NULL) {
			buf_puts(out, " CNAME ");
			put_sanitized(out, res->canonname,
				      strlen(res->canonname), DNS_NAME_MAX);
			buf_putc(out, ',');
		}
		buf_printf(out, " %zu RR%s (", res->n, res->n == 1 ? "" : "s");
		for (i = 0; i < res->n && i < DESCRIBE_RR_MAX; i++) {
			if (i > 0)
				buf_puts(out, "; ");
			describe_rdata(out, res->qtype, &res->rr[i]);
		}
		if (res->n > DESCRIBE_RR_MAX)
			buf_printf(out, "; %zu more", res->n - DESCRIBE_RR_MAX);
		buf_putc(out, ')');
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		buf_printf(out, " %s", dns_security_name(res->security));
		break;
	case DNS_SERVFAIL:
		if (res->rcode != DNS_RCODE_SERVFAIL)
			buf_printf(out, " (rcode %s)", rcode_name(res->rcode));
		break;
	case DNS_TIMEOUT:
		buf_puts(out, " after");
		break;
	case DNS_BOGUS:
	case DNS_ERROR:
		break;
	}
	if (res->why != NULL && res->outcome != DNS_ANSWER) {
		buf_puts(out, " (");
		put_sanitized(out, res->why, strlen(res->why),
			      DESCRIBE_WHY_MAX);
		buf_putc(out, ')');
	}
	buf_printf(out, " %lldms", (long long)res->elapsed_ms);
}

/* ---------------------------------------------------------------------
 * Context
 */

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Next whitespace-separated token of *p, or NULL; *p moves past it. */
static char *
next_token(char **p)
{
	char *s = *p, *t;

	while (is_space((unsigned char)*s))
		s++;
	if (*s == '\0')
		return NULL;
	t = s;
	while (*s != '\0' && !is_space((unsigned char)*s))
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return t;
}

/* A TTL: "3600", or with BIND's units, "1h30m". */
static bool
is_ttl(const char *s)
{
	if (*s < '0' || *s > '9')
		return false;
	for (; *s != '\0'; s++)
		if ((*s < '0' || *s > '9') && strchr("smhdwSMHDW", *s) == NULL)
			return false;
	return true;
}

static bool
is_class(const char *s)
{
	return util_strcasecmp(s, "IN") == 0 || util_strcasecmp(s, "CH") == 0 ||
	       util_strcasecmp(s, "HS") == 0 || util_strcasecmp(s, "CS") == 0;
}

/* An owner name as absolute text ("test.", "."), per RFC 1035 5.1. */
static char *
owner_absolute(const char *owner, const char *origin)
{
	if (strcmp(owner, "@") == 0)
		return xstrdup(origin);
	if (name_absolute(owner))
		return xstrdup(owner);
	if (strcmp(origin, ".") == 0)
		return xasprintf("%s.", owner);
	return xasprintf("%s.%s", owner, origin);
}

static void
anchors_add(struct dns_ctx *ctx, char *name)
{
	size_t i;

	for (i = 0; i < ctx->nanchors; i++) {
		if (util_strcasecmp(ctx->anchors[i], name) == 0) {
			free(name);
			return;
		}
	}
	ctx->anchors =
	    xrealloc(ctx->anchors, (ctx->nanchors + 1) * sizeof(*ctx->anchors));
	ctx->anchors[ctx->nanchors++] = name;
}

bool
dns_anchor_covers(const struct dns_ctx *ctx, const char *name,
		  const char **first)
{
	size_t nl = strlen(name);

	if (nl > 0 && name[nl - 1] == '.')
		nl--;
	*first = ctx->nanchors > 0 ? ctx->anchors[0] : ".";
	for (size_t i = 0; i < ctx->nanchors; i++) {
		const char *a = ctx->anchors[i];
		size_t al = strlen(a);

		if (al > 0 && a[al - 1] == '.')
			al--;
		if (al == 0)
			return true; /* the root */
		if (al > nl || util_strncasecmp(name + nl - al, a, al) != 0)
			continue;
		/* the whole name, or a whole label of it (no "xtest") */
		if (al == nl || name[nl - al - 1] == '.')
			return true;
	}
	return false;
}

/*
 * Collects the owner names of the DS and DNSKEY records of a zone-file
 * anchor (RFC 1035 5.1: ';' comments, '(' ')' continuations, $ORIGIN,
 * lines starting with blanks keep the previous owner).
 */
static void
anchors_read(struct dns_ctx *ctx, FILE *f)
{
	char *line = NULL, *origin = xstrdup(".");
	size_t cap = 0;
	int depth = 0;

	while (getline(&line, &cap, f) != -1) {
		char *p = line, *c, *owner, *tok;
		bool cont = depth > 0 || is_space((unsigned char)line[0]);

		if ((c = strchr(line, ';')) != NULL)
			*c = '\0';
		for (c = line; *c != '\0'; c++)
			depth += *c == '(' ? 1 : *c == ')' ? -1 : 0;
		if (depth < 0)
			depth = 0;
		if (cont || (owner = next_token(&p)) == NULL)
			continue;
		if (util_strcasecmp(owner, "$ORIGIN") == 0) {
			if ((tok = next_token(&p)) != NULL) {
				char *o = owner_absolute(tok, origin);

				free(origin);
				origin = o;
			}
			continue;
		}
		if (owner[0] == '$') /* $TTL, $INCLUDE */
			continue;
		while ((tok = next_token(&p)) != NULL &&
		       (is_ttl(tok) || is_class(tok) || tok[0] == '('))
			;
		if (tok != NULL && (util_strcasecmp(tok, "DS") == 0 ||
				    util_strcasecmp(tok, "DNSKEY") == 0))
			anchors_add(ctx, owner_absolute(owner, origin));
	}
	free(line);
	free(origin);
}

enum { FAM_4 = 1, FAM_6 = 2 };

/*
 * The name servers of resolv.conf, for messages (libunbound's default,
 * 127.0.0.1, when it names none); *fam gets their families (a scoped
 * "fe80::1%eth0" is IPv6 too).
 */
static void
resolvconf_describe(char *dst, size_t dstsz, unsigned *fam)
{
	FILE *f = fopen(DNS_RESOLV_CONF, "r");
	char *line = NULL;
	size_t cap = 0, o = 0;

	dst[0] = '\0';
	while (f != NULL && getline(&line, &cap, f) != -1) {
		char *p = line, *key = next_token(&p), *addr;

		if (key == NULL || strcmp(key, "nameserver") != 0 ||
		    (addr = next_token(&p)) == NULL)
			continue;
		*fam |= strchr(addr, ':') != NULL ? FAM_6 : FAM_4;
		if (o > 0)
			o += (size_t)snprintf(dst + o, dstsz - o, ", ");
		if (o < dstsz)
			o += (size_t)snprintf(dst + o, dstsz - o, "%s", addr);
		if (o >= dstsz)
			break;
	}
	if (dst[0] == '\0') {
		util_strlcpy(dst, "127.0.0.1", dstsz);
		*fam |= FAM_4;
	}
	free(line);
	if (f != NULL)
		fclose(f);
}

/* Checks "ADDR[@PORT]" before libunbound sees it; *fam |= its family. */
static int
resolver_check(const char *s, unsigned *fam, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	const char *at = strrchr(s, '@'), *why;
	size_t alen = at != NULL ? (size_t)(at - s) : strlen(s);
	long long port;
	bool valid = false;

	if (alen < sizeof(addr)) {
		memcpy(addr, s, alen);
		addr[alen] = '\0';
		if (inet_pton(AF_INET, addr, bin) == 1)
			*fam |= FAM_4, valid = true;
		else if (inet_pton(AF_INET6, addr, bin) == 1)
			*fam |= FAM_6, valid = true;
	}
	if (!valid) {
		snprintf(err, errlen,
			 "bad resolver '%.100s': not an IPv4 or IPv6 address "
			 "(expected ADDR[@PORT])",
			 s);
		return -1;
	}
	if (at != NULL && util_parse_ll(at + 1, 1, 65535, &port, &why) == -1) {
		snprintf(err, errlen,
			 "bad resolver '%.100s': port '%.20s': %s (expected "
			 "1-65535)",
			 s, at + 1, why);
		return -1;
	}
	return 0;
}

static int
ub_check(int r, const char *what, const char *arg, char *err, size_t errlen)
{
	if (r == 0)
		return 0;
	snprintf(err, errlen, "libunbound: %s %.200s: %s", what, arg,
		 ub_strerror(r));
	return -1;
}

/*
 * libunbound waits for a server with a timeout that starts at 376 ms and
 * doubles up to infra-cache-max-rtt (default 120 s); when it reaches the
 * cap, libunbound gives up on the server and answers SERVFAIL at once
 * from then on. Measured with a silent forwarder: after 0.8 s for a cap
 * up to 752 ms, 2.3 s up to 1504, 5.3 s up to 3008, 11.3 s up to 6016,
 * 17 s by default: at most 3.4 times the cap. A fifth of the time the run
 * has left keeps that inside the deadline, so a dead resolver shows as
 * SERVFAIL with time left for dns_resolver_ok() to say so (UNKNOWN)
 * rather than as a timeout; lost packets are still retried. Not below
 * 500 ms.
 */
static int
set_max_rtt(struct dns_ctx *ctx, char *err, size_t errlen)
{
	char val[16];
	int left = deadline_left_ms();

	if (left < 0)
		return 0;
	snprintf(val, sizeof(val), "%d", left / 5 < 500 ? 500 : left / 5);
	return ub_check(ub_ctx_set_option(ctx->ub, "infra-cache-max-rtt:", val),
			"option infra-cache-max-rtt:", val, err, errlen);
}

struct dns_ctx *
dns_ctx_new(const char *const *resolvers, size_t n, const char *anchor,
	    char *err, size_t errlen)
{
	struct dns_ctx *ctx;
	const char *ta = anchor != NULL ? anchor : DNS_DEFAULT_ANCHOR;
	FILE *f;
	size_t i, o = 0;
	unsigned fam = 0;
	int r;

	err[0] = '\0';
	for (i = 0; i < n; i++)
		if (resolver_check(resolvers[i], &fam, err, errlen) == -1)
			return NULL;
	if ((f = fopen(ta, "r")) == NULL) {
		snprintf(err, errlen, "cannot read trust anchor %s: %s", ta,
			 strerror(errno));
		return NULL;
	}
	ctx = xcalloc(1, sizeof(*ctx));
	anchors_read(ctx, f);
	fclose(f);
	if (ctx->nanchors == 0) {
		snprintf(err, errlen,
			 "trust anchor %s holds no DS or DNSKEY record", ta);
		goto fail;
	}
	if ((ctx->ub = ub_ctx_create()) == NULL) {
		snprintf(err, errlen, "libunbound: cannot create a context");
		goto fail;
	}
	/* libunbound logs bogus answers and errors to stderr: we report */
	ub_ctx_debugout(ctx->ub, NULL);
	if (ub_check(ub_ctx_async(ctx->ub, 1), "threads", "", err, errlen))
		goto fail;
	for (i = 0; i < sizeof(ub_options) / sizeof(ub_options[0]); i++)
		if (ub_check(ub_ctx_set_option(ctx->ub, ub_options[i].opt,
					       ub_options[i].val),
			     "option", ub_options[i].opt, err, errlen))
			goto fail;
	if (set_max_rtt(ctx, err, errlen) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (ub_check(ub_ctx_set_fwd(ctx->ub, resolvers[i]), "resolver",
			     resolvers[i], err, errlen))
			goto fail;
		if (o < sizeof(ctx->resolver))
			o += (size_t)snprintf(ctx->resolver + o,
					      sizeof(ctx->resolver) - o, "%s%s",
					      i > 0 ? ", " : "", resolvers[i]);
	}
	if (n == 0) {
		r = ub_ctx_resolvconf(ctx->ub, NULL);
		if (r != 0) {
			snprintf(err, errlen, "cannot use %s: %s",
				 DNS_RESOLV_CONF,
				 r == UB_READFILE ? strerror(errno)
						  : ub_strerror(r));
			goto fail;
		}
		resolvconf_describe(ctx->resolver, sizeof(ctx->resolver), &fam);
	}
	/*
	 * Every query goes to the forwarders, so a transport none of them
	 * uses is never needed; turned off, libunbound skips its table of
	 * outgoing ports for it (a 64k-entry copy, some 60 page faults).
	 * This is the transport only: AAAA lookups are unaffected.
	 */
	if (fam == FAM_4 && ub_check(ub_ctx_set_option(ctx->ub, "do-ip6:", "no"),
				     "option", "do-ip6:", err, errlen))
		goto fail;
	if (fam == FAM_6 && ub_check(ub_ctx_set_option(ctx->ub, "do-ip4:", "no"),
				     "option", "do-ip4:", err, errlen))
		goto fail;
	if (ub_check(ub_ctx_add_ta_file(ctx->ub, ta), "trust anchor", ta, err,
		     errlen))
		goto fail;
	/*
	 * A transparent local zone for each anchor's owner. Set as an option,
	 * before libunbound enters its defaults, it replaces a built-in zone
	 * (RFC 6761 "test." is static, with its own SOA and NS at the apex)
	 * instead of keeping its data.
	 */
	for (i = 0; i < ctx->nanchors; i++) {
		char *zone = xasprintf("%s transparent", ctx->anchors[i]);
		r = ub_ctx_set_option(ctx->ub, "local-zone:", zone);

		free(zone);
		if (r != 0) {
			snprintf(err, errlen,
				 "trust anchor %s: bad owner name '%.100s'", ta,
				 ctx->anchors[i]);
			goto fail;
		}
	}
	/*
	 * ub_ctx_zone_add() finalises the context, which loads the anchor
	 * file now, so a file libunbound cannot parse fails here and not at
	 * the first query; the zone is already transparent, nothing changes.
	 */
	r = ub_ctx_zone_add(ctx->ub, ctx->anchors[0], "transparent");
	if (r != 0) {
		snprintf(err, errlen,
			 "trust anchor %s: libunbound cannot load it: %s", ta,
			 ub_strerror(r));
		goto fail;
	}
	if ((ctx->fd = ub_fd(ctx->ub)) < 0) {
		snprintf(err, errlen, "libunbound: no descriptor to wait on");
		goto fail;
	}
	return ctx;
fail:
	dns_ctx_free(ctx);
	return NULL;
}

static void
queries_free(struct dns_query *q)
{
	struct dns_query *next;

	for (; q != NULL; q = next) {
		next = q->next;
		query_free(q);
	}
}

void
dns_ctx_free(struct dns_ctx *ctx)
{
	size_t i;

	if (ctx == NULL)
		return;
	dns_result_free(ctx->probe);
	/* stops libunbound's thread: no callback comes after this */
	if (ctx->ub != NULL)
		ub_ctx_delete(ctx->ub);
	queries_free(ctx->pending);
	queries_free(ctx->orphans);
	for (i = 0; i < ctx->nanchors; i++)
		free(ctx->anchors[i]);
	free(ctx->anchors);
	free(ctx);
}
