/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * net.c: non-blocking TCP connections with a bounded line reader, plain or
 * under GnuTLS, every wait limited by the run's deadline (deadline.h).
 * Implements the transport under RFC 5321 and RFC 3207 4.2's rule that
 * plain text buffered before the TLS handshake is discarded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "net.h"
#include "util.h"

void
conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void
net_addr_text(const struct sockaddr *sa, char *dst, size_t dstsz)
{
	const void *a;

	if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	if (inet_ntop(sa->sa_family, a, dst, dstsz) == NULL)
		util_strlcpy(dst, "?", dstsz);
}

/* Waits for events on fd until the deadline or, when set, c->limit_ms. */
static int
wait_fd(const struct conn *c, short events)
{
	struct pollfd p = {.fd = c->fd, .events = events};
	int left, r;

	for (;;) {
		left = deadline_left_ms();
		if (c->limit_ms > 0) {
			int64_t lim = c->limit_ms - clock_mono_ms();

			if (lim < 0)
				lim = 0;
			if (left < 0 || lim < left)
				left = (int)lim;
		}
		if (left == 0)
			return 0;
		r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

enum net_status
conn_wait(struct conn *c, bool in)
{
	int r = wait_fd(c, in ? POLLIN : POLLOUT);

	if (r == 0)
		return NET_TIMEOUT;
	if (r < 0) {
		snprintf(c->err, sizeof(c->err), "poll: %s", strerror(errno));
		return NET_ERROR;
	}
	return NET_OK;
}

enum net_status
conn_connect(struct conn *c, const struct sockaddr *sa, socklen_t salen)
{
	int err = 0, one = 1;
	socklen_t errlen = sizeof(err);
	enum net_status st;

	net_addr_text(sa, c->addr, sizeof(c->addr));
	c->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (c->fd < 0) {
		snprintf(c->err, sizeof(c->err), "socket: %s", strerror(errno));
		return NET_ERROR;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, sa, salen) == 0)
		return NET_OK;
	if (errno != EINPROGRESS) {
		err = errno;
		goto fail;
	}
	if ((st = conn_wait(c, false)) != NET_OK) {
		if (st == NET_TIMEOUT)
			util_strlcpy(c->err, "no answer to the TCP connect",
				     sizeof(c->err));
		return st;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
		err = errno;
	if (err == 0)
		return NET_OK;
fail:
	snprintf(c->err, sizeof(c->err), "connect: %s", strerror(err));
	return err == ECONNREFUSED ? NET_REFUSED : NET_ERROR;
}

/* Reads what is available into the buffer after waiting for it. */
static enum net_status
fill(struct conn *c)
{
	size_t room = NET_LINE_MAX - c->len;
	ssize_t n;
	enum net_status st;

	for (;;) {
		if (c->tls != NULL) {
			if (gnutls_record_check_pending(c->tls) == 0 &&
			    (st = conn_wait(c, true)) != NET_OK)
				return st;
			n = gnutls_record_recv(c->tls, c->buf + c->len, room);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				continue;
			if (n == GNUTLS_E_PREMATURE_TERMINATION || n == 0)
				return NET_EOF;
			if (n < 0) {
				snprintf(c->err, sizeof(c->err), "TLS: %s",
					 gnutls_strerror((int)n));
				return NET_ERROR;
			}
		} else {
			if ((st = conn_wait(c, true)) != NET_OK)
				return st;
			n = recv(c->fd, c->buf + c->len, room, 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n == 0)
				return NET_EOF;
			if (n < 0) {
				snprintf(c->err, sizeof(c->err), "recv: %s",
					 strerror(errno));
				return errno == ECONNRESET ? NET_EOF
							   : NET_ERROR;
			}
		}
		c->len += (size_t)n;
		return NET_OK;
	}
}

enum net_status
conn_readline(struct conn *c, char *line, size_t linesz, size_t *len)
{
	char *nl;
	size_t n, keep;
	enum net_status st;

	while ((nl = memchr(c->buf, '\n', c->len)) == NULL) {
		if (c->len >= NET_LINE_MAX) {
			snprintf(c->err, sizeof(c->err),
				 "a line longer than %d octets", NET_LINE_MAX);
			return NET_TOOLONG;
		}
		if ((st = fill(c)) != NET_OK)
			return st;
	}
	n = (size_t)(nl - c->buf);
	*len = n > 0 && c->buf[n - 1] == '\r' ? n - 1 : n;
	keep = *len < linesz - 1 ? *len : linesz - 1;
	memcpy(line, c->buf, keep);
	line[keep] = '\0';
	c->len -= n + 1;
	memmove(c->buf, nl + 1, c->len);
	return NET_OK;
}

bool
conn_pending(const struct conn *c)
{
	return c->len > 0;
}

enum net_status
conn_write(struct conn *c, const char *data, size_t n)
{
	ssize_t w;
	enum net_status st;

	while (n > 0) {
		if (c->tls != NULL) {
			w = gnutls_record_send(c->tls, data, n);
			if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED) {
				if ((st = conn_wait(c, false)) != NET_OK)
					return st;
				continue;
			}
			if (w < 0) {
				snprintf(c->err, sizeof(c->err), "TLS: %s",
					 gnutls_strerror((int)w));
				return NET_ERROR;
			}
		} else {
			w = send(c->fd, data, n, MSG_NOSIGNAL);
			if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				if ((st = conn_wait(c, false)) != NET_OK)
					return st;
				continue;
			}
			if (w < 0) {
				snprintf(c->err, sizeof(c->err), "send: %s",
					 strerror(errno));
				return errno == EPIPE || errno == ECONNRESET
					       ? NET_EOF
					       : NET_ERROR;
			}
		}
		data += w;
		n -= (size_t)w;
	}
	return NET_OK;
}

void
conn_attach_tls(struct conn *c, gnutls_session_t s)
{
	c->discarded += c->len;
	c->len = 0;
	c->tls = s;
}

void
conn_limit(struct conn *c, int ms)
{
	c->limit_ms = clock_mono_ms() + ms;
}

void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

const char *
net_status_name(enum net_status s)
{
	switch (s) {
	case NET_OK:
		return "ok";
	case NET_EOF:
		return "connection closed by the peer";
	case NET_TIMEOUT:
		return "timeout";
	case NET_TOOLONG:
		return "line too long";
	case NET_REFUSED:
		return "connection refused";
	case NET_ERROR:
		return "error";
	}
	return "?";
}
