/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * smtp.c: the SMTP client of the suite, one explicit state machine per
 * address: greeting (RFC 5321 3.1, 4.2), EHLO (4.1.1.1) with HELO as a last
 * resort, STARTTLS (RFC 3207 4), the TLS handshake, EHLO again after TLS
 * (RFC 3207 4.2), QUIT (4.1.1.10). Reply lines are checked strictly
 * (CONFORMANCE SMTP-03, SMTP-04), keywords matched exactly (SMTP-06),
 * plaintext injected after STARTTLS's 220 discarded and counted (SMTP-09).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "output.h"
#include "smtp.h"

#define SMTP_QUIT_MS 1000 /* QUIT is a courtesy: never wait longer */


void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->code = -1;
}

void
smtp_reply_free(struct smtp_reply *r)
{
	for (size_t i = 0; i < r->nkept; i++)
		free(r->lines[i]);
	free(r->lines);
	smtp_reply_init(r);
}

enum smtp_feed
smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
{
	size_t have = strnlen(line, len);
	int code;
	char sep;

	/* RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39 */
	if (have < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '5' || !isdigit((unsigned char)line[2])) {
		util_strlcpy(r->bad, "not an SMTP reply line (RFC 5321 4.2)",
			     sizeof(r->bad));
		return SMTP_FEED_BAD;
	}
	sep = have > 3 ? line[3] : ' ';
	if (sep != ' ' && sep != '-') {
		util_strlcpy(r->bad, "reply code not followed by space or '-'",
			     sizeof(r->bad));
		return SMTP_FEED_BAD;
	}
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->code >= 0 && code != r->code) {
		snprintf(r->bad, sizeof(r->bad),
			 "reply code changed from %d to %d within one reply",
			 r->code, code);
		return SMTP_FEED_BAD;
	}
	r->code = code;
	r->nlines++;
	if (len + 2 > SMTP_LINE_MAX)
		r->overlong = true;
	if (r->nlines == 1) {
		size_t n = have > 4 ? have - 4 : 0;

		if (n >= sizeof(r->first))
			n = sizeof(r->first) - 1;
		memcpy(r->first, line + (n > 0 ? 4 : 0), n);
		r->first[n] = '\0';
	}
	if (r->nkept < SMTP_REPLY_MAX_LINES) {
		r->lines = xrealloc(r->lines,
				    (r->nkept + 1) * sizeof(r->lines[0]));
		r->lines[r->nkept++] = xstrndup(have > 4 ? line + 4 : "",
						have > 4 ? have - 4 : 0);
	}
	if (r->nlines > SMTP_REPLY_MAX_LINES) {
		r->too_many = true;
		snprintf(r->bad, sizeof(r->bad),
			 "more than %d lines in one reply (SMTP-04)",
			 SMTP_REPLY_MAX_LINES);
		return SMTP_FEED_BAD;
	}
	return sep == '-' ? SMTP_FEED_MORE : SMTP_FEED_DONE;
}

unsigned
smtp_ehlo_parse(const struct smtp_reply *r)
{
	static const struct {
		const char *kw;
		unsigned flag;
	} kws[] = {
		{"STARTTLS", SMTP_EXT_STARTTLS},
		{"PIPELINING", SMTP_EXT_PIPELINING},
		{"8BITMIME", SMTP_EXT_8BITMIME},
		{"SIZE", SMTP_EXT_SIZE},
		{"SMTPUTF8", SMTP_EXT_SMTPUTF8},
		{"CHUNKING", SMTP_EXT_CHUNKING},
		{"REQUIRETLS", SMTP_EXT_REQUIRETLS},
	};
	unsigned ext = 0;

	if (r->code != 250)
		return 0;
	/* Line 1 is the server's domain and greeting, never a keyword. */
	for (size_t i = 1; i < r->nkept; i++) {
		const char *l = r->lines[i];
		size_t n = strcspn(l, " ");

		for (size_t k = 0; k < sizeof(kws) / sizeof(kws[0]); k++)
			if (n == strlen(kws[k].kw) &&
			    util_strncasecmp(l, kws[k].kw, n) == 0)
				ext |= kws[k].flag;
	}
	return ext;
}

const char *
smtp_step_name(enum smtp_step st)
{
	static const char *const names[] = {
		[SMTP_STEP_CONNECT] = "connect",
		[SMTP_STEP_GREETING] = "greeting",
		[SMTP_STEP_EHLO] = "EHLO",
		[SMTP_STEP_STARTTLS] = "STARTTLS",
		[SMTP_STEP_TLS] = "TLS handshake",
		[SMTP_STEP_EHLO_TLS] = "EHLO after TLS",
		[SMTP_STEP_QUIT] = "QUIT",
		[SMTP_STEP_DONE] = "done",
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st]
							       : "?";
}

void
smtp_session_init(struct smtp_session *s, const struct sockaddr *sa,
		  socklen_t salen, const struct smtp_opts *o)
{
	memset(s, 0, sizeof(*s));
	memcpy(&s->ss, sa, salen);
	s->sslen = salen;
	s->opts = o;
	s->t_connect = s->t_greeting = s->t_tls = s->t_total = -1;
	s->greeting_code = -1;
	buf_init(&s->log);
	net_addr_text(sa, s->addr, sizeof(s->addr));
}

void
smtp_session_free(struct smtp_session *s)
{
	tls_peer_free(&s->peer);
	buf_free(&s->log);
}

static void
logline(struct smtp_session *s, const char *dir, const char *line, size_t len)
{
	char clean[SMTP_TEXT_MAX + 8];

	text_sanitize(clean, sizeof(clean), line, len, SMTP_TEXT_MAX);
	buf_printf(&s->log, "%s %s\n", dir, clean);
}

static void
fail(struct smtp_session *s, enum smtp_fail f, const char *rule,
     const char *token, const char *fmt, ...) UTIL_PRINTF(5, 6);

static void
fail(struct smtp_session *s, enum smtp_fail f, const char *rule,
     const char *token, const char *fmt, ...)
{
	char raw[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	s->fail = f;
	s->rule = rule;
	s->token = token;
	text_sanitize(s->why, sizeof(s->why), raw, strlen(raw),
		      sizeof(s->why) - 4);
}

/* Maps a transport failure in the current step to a session failure. */
static void
fail_net(struct smtp_session *s, struct conn *c, enum net_status st)
{
	switch (st) {
	case NET_TIMEOUT:
		fail(s, SMTP_FAIL_TIMEOUT, "GEN-03", NULL,
		     "timed out waiting for the %s", smtp_step_name(s->step));
		break;
	case NET_EOF:
		fail(s, SMTP_FAIL_EOF, "RFC 5321 3.8 (SMTP-14)", NULL,
		     "connection closed by the server during the %s",
		     smtp_step_name(s->step));
		break;
	case NET_TOOLONG:
		fail(s, SMTP_FAIL_PROTOCOL, "RFC 5321 4.5.3.1.5 (SMTP-04)",
		     NULL, "%s: %s", smtp_step_name(s->step), c->err);
		break;
	case NET_REFUSED:
		fail(s, SMTP_FAIL_CONNECT, NULL, NULL, "connection refused");
		break;
	default:
		fail(s, s->step == SMTP_STEP_CONNECT ? SMTP_FAIL_CONNECT
						     : SMTP_FAIL_PROTOCOL,
		     NULL, NULL, "%s: %s", smtp_step_name(s->step), c->err);
		break;
	}
}

/* Reads one whole reply into r; returns false after recording a failure. */
static bool
read_reply(struct smtp_session *s, struct conn *c, struct smtp_reply *r)
{
	char line[SMTP_LINE_MAX * 2];
	size_t len;
	enum net_status st;
	enum smtp_feed f;

	smtp_reply_init(r);
	for (;;) {
		st = conn_readline(c, line, sizeof(line), &len);
		if (st != NET_OK) {
			fail_net(s, c, st);
			return false;
		}
		logline(s, "S:", line, len < sizeof(line) ? len : sizeof(line));
		f = smtp_reply_feed(r, line, len);
		if (r->overlong)
			s->overlong = true;
		if (f == SMTP_FEED_DONE)
			return true;
		if (f == SMTP_FEED_BAD) {
			fail(s, SMTP_FAIL_PROTOCOL,
			     r->too_many ? "RFC 5321 4.5.3.1.5 (SMTP-04)"
					 : "RFC 5321 4.2 (SMTP-03)",
			     NULL, "%s: %s", smtp_step_name(s->step), r->bad);
			return false;
		}
	}
}

static bool
send_cmd(struct smtp_session *s, struct conn *c, const char *cmd)
{
	char line[600];
	int n = snprintf(line, sizeof(line), "%s\r\n", cmd);
	enum net_status st;

	logline(s, "C:", cmd, strlen(cmd));
	st = conn_write(c, line, (size_t)n);
	if (st != NET_OK) {
		fail_net(s, c, st);
		return false;
	}
	return true;
}

/*
 * The EHLO argument: the configured name, or else the address literal of
 * our end of the connection (RFC 5321 4.1.1.1, 4.1.3).
 */
static void
helo_name(struct smtp_session *s, struct conn *c, char *dst, size_t dstsz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[NET_ADDR_MAX];

	if (s->opts->helo != NULL && s->opts->helo[0] != '\0') {
		util_strlcpy(dst, s->opts->helo, dstsz);
		return;
	}
	if (getsockname(c->fd, (struct sockaddr *)&ss, &len) < 0) {
		util_strlcpy(dst, "[127.0.0.1]", dstsz);
		return;
	}
	net_addr_text((struct sockaddr *)&ss, a, sizeof(a));
	snprintf(dst, dstsz, ss.ss_family == AF_INET6 ? "[IPv6:%s]" : "[%s]",
		 a);
}

/* EHLO, falling back to HELO once if EHLO gets a 5xx (SMTP-05). */
static bool
do_ehlo(struct smtp_session *s, struct conn *c, unsigned *ext)
{
	struct smtp_reply r;
	char cmd[300], helo[280];
	bool tls = s->step == SMTP_STEP_EHLO_TLS;

	helo_name(s, c, helo, sizeof(helo));
	snprintf(cmd, sizeof(cmd), "EHLO %s", helo);
	if (!send_cmd(s, c, cmd) || !read_reply(s, c, &r)) {
		smtp_reply_free(&r);
		return false;
	}
	if (r.code == 250) {
		*ext = smtp_ehlo_parse(&r);
		smtp_reply_free(&r);
		return true;
	}
	if (!tls && r.code >= 500) {
		int code = r.code;

		smtp_reply_free(&r);
		snprintf(cmd, sizeof(cmd), "HELO %s", helo);
		if (!send_cmd(s, c, cmd) || !read_reply(s, c, &r)) {
			smtp_reply_free(&r);
			return false;
		}
		if (r.code == 250) {
			*ext = 0;
			smtp_reply_free(&r);
			fail(s, SMTP_FAIL_EHLO, "RFC 5321 4.1.1.1 (SMTP-05)",
			     "starttls-not-supported",
			     "EHLO refused with %d, HELO accepted: no "
			     "extensions, so no STARTTLS",
			     code);
			return false;
		}
	}
	fail(s, tls ? SMTP_FAIL_EHLO_TLS : SMTP_FAIL_EHLO,
	     tls ? "RFC 3207 4.2 (SMTP-10)" : "RFC 5321 4.1.1.1 (SMTP-05)",
	     NULL, "%s answered %d %.100s", tls ? "EHLO after TLS" : "EHLO",
	     r.code, r.first);
	smtp_reply_free(&r);
	return false;
}

static void
quit(struct smtp_session *s, struct conn *c)
{
	struct smtp_reply r;
	enum smtp_fail f = s->fail;
	enum smtp_step step = s->step;
	const char *rule = s->rule, *token = s->token;
	char why[sizeof(s->why)];

	/* QUIT is a courtesy (SMTP-13): it never changes the verdict. */
	memcpy(why, s->why, sizeof(why));
	smtp_reply_init(&r);
	s->step = SMTP_STEP_QUIT;
	conn_limit(c, SMTP_QUIT_MS);
	if (send_cmd(s, c, "QUIT") && read_reply(s, c, &r))
		s->quit_ok = r.code == 221;
	smtp_reply_free(&r);
	s->fail = f;
	s->rule = rule;
	s->token = token;
	memcpy(s->why, why, sizeof(why));
	if (f != SMTP_OK)
		s->step = step;
}

void
smtp_session_run(struct smtp_session *s)
{
	const struct smtp_opts *o = s->opts;
	struct conn c;
	struct smtp_reply r;
	gnutls_session_t tls = NULL;
	enum net_status st;
	int64_t t0 = clock_mono_ms(), t;

	conn_init(&c);
	smtp_reply_init(&r);

	s->step = SMTP_STEP_CONNECT;
	st = conn_connect(&c, (struct sockaddr *)&s->ss, s->sslen);
	if (st != NET_OK) {
		fail_net(s, &c, st);
		if (st == NET_TIMEOUT)
			fail(s, SMTP_FAIL_TIMEOUT, "GEN-03", NULL,
			     "no answer to the TCP connect before the "
			     "deadline");
		goto out;
	}
	s->t_connect = clock_mono_ms() - t0;

	s->step = SMTP_STEP_GREETING;
	if (!read_reply(s, &c, &r))
		goto out;
	s->t_greeting = clock_mono_ms() - t0;
	s->greeting_code = r.code;
	text_sanitize(s->greeting, sizeof(s->greeting), r.first,
		      strlen(r.first), 120);
	if (r.code != 220) {
		fail(s, SMTP_FAIL_GREETING, "RFC 5321 3.1 (SMTP-02)", NULL,
		     "greeting %d %s%s", r.code, s->greeting,
		     r.code == 554 ? " (session refused)" : "");
		if (r.code != 421)
			quit(s, &c);
		goto out;
	}
	smtp_reply_free(&r);

	s->step = SMTP_STEP_EHLO;
	if (!do_ehlo(s, &c, &s->ext))
		goto quit;
	if (!(s->ext & SMTP_EXT_STARTTLS)) {
		fail(s, SMTP_FAIL_NO_STARTTLS, "RFC 3207 4 (SMTP-07)",
		     "starttls-not-supported",
		     "STARTTLS not offered: mail to this server can travel "
		     "in clear text");
		goto quit;
	}

	s->step = SMTP_STEP_STARTTLS;
	if (!send_cmd(s, &c, "STARTTLS") || !read_reply(s, &c, &r))
		goto out;
	if (r.code != 220) {
		fail(s, SMTP_FAIL_STARTTLS, "RFC 3207 4 (SMTP-08)",
		     "starttls-not-supported", "STARTTLS refused: %d %.100s",
		     r.code, r.first);
		smtp_reply_free(&r);
		goto quit;
	}
	smtp_reply_free(&r);

	s->step = SMTP_STEP_TLS;
	t = clock_mono_ms();
	st = tls_handshake(&c, o->tls, o->sni, o->keytype, &tls);
	s->injected = c.discarded;
	if (st != NET_OK) {
		if (st == NET_TIMEOUT)
			fail_net(s, &c, st);
		else
			fail(s, SMTP_FAIL_TLS, "RFC 3207 4.1 (SMTP-11)",
			     "validation-failure", "%s", c.err);
		goto out;
	}
	s->t_tls = clock_mono_ms() - t;
	s->tls_done = true;
	tls_peer_info(tls, o->tls, &s->peer);
	if (o->verify_name != NULL)
		s->pkix = tls_verify_pkix(tls, o->tls, &s->peer,
					  o->verify_name, o->now, s->pkix_why,
					  sizeof(s->pkix_why));
	logline(s, "--", s->peer.version, strlen(s->peer.version));

	s->step = SMTP_STEP_EHLO_TLS;
	if (!do_ehlo(s, &c, &s->ext_tls))
		goto out;
	if (s->ext_tls & SMTP_EXT_STARTTLS)
		s->readvertised = true;
quit:
	quit(s, &c);
out:
	smtp_reply_free(&r);
	if (s->fail == SMTP_OK)
		s->step = SMTP_STEP_DONE;
	tls_close(&c);
	conn_close(&c);
	s->t_total = clock_mono_ms() - t0;
}
