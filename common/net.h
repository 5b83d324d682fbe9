/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * net.h: a TCP connection to one address, plain or under TLS, that never
 * waits past the run's deadline.
 *
 * conn_connect() opens a non-blocking socket and waits for the connect
 * within deadline_left_ms(). conn_readline() reads one CRLF- or LF-ended
 * line through a fixed buffer: a line longer than the hard limit
 * (NET_LINE_MAX) is reported as NET_TOOLONG and the connection is no longer
 * usable, so a peer that sends megabytes without a newline costs a bounded
 * amount of memory. After conn_attach_tls() every read and write goes
 * through the GnuTLS session; bytes that were already buffered in plain
 * text are discarded first and counted (RFC 3207 4.2, CONFORMANCE SMTP-09).
 * Every function returns an enum net_status; conn_strerror() names it.
 */
#ifndef MAILTLS_NET_H
#define MAILTLS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>

#define NET_LINE_MAX 4096 /* hard limit; SMTP allows 512 (RFC 5321 4.5.3.1.5) */
#define NET_ADDR_MAX 64	  /* text form of an address with port */

enum net_status {
	NET_OK = 0,
	NET_EOF,     /* the peer closed */
	NET_TIMEOUT, /* the deadline passed */
	NET_TOOLONG, /* a line exceeded NET_LINE_MAX */
	NET_REFUSED, /* connection refused */
	NET_ERROR,   /* another socket or TLS error (see conn->err) */
};

struct conn {
	int fd;
	gnutls_session_t tls; /* NULL while plain */
	char buf[NET_LINE_MAX + 1];
	size_t len;		/* bytes buffered */
	size_t discarded;	/* plain bytes dropped by conn_attach_tls */
	char err[128];		/* the last error, for messages */
	char addr[NET_ADDR_MAX]; /* "192.0.2.1" or "2001:db8::1" */
	int64_t limit_ms;	/* clock_mono_ms() bound below the deadline */
};

void conn_init(struct conn *c);
/* Connects to ss; fills c->addr. */
enum net_status conn_connect(struct conn *c, const struct sockaddr *sa,
			     socklen_t salen);
/*
 * Reads one line without its line end into line (NUL-terminated, at most
 * linesz-1 bytes kept, *len the full length, bytes past linesz-1 dropped).
 */
enum net_status conn_readline(struct conn *c, char *line, size_t linesz,
			      size_t *len);
/* True when bytes are buffered beyond the line last read. */
bool conn_pending(const struct conn *c);
enum net_status conn_write(struct conn *c, const char *data, size_t n);
/*
 * Drops buffered plain bytes (counted in c->discarded) and hands the
 * socket to a TLS session whose transport is c->fd.
 */
void conn_attach_tls(struct conn *c, gnutls_session_t s);
/*
 * Bounds every later wait on c to ms from now as well as the deadline: for
 * courtesies such as QUIT that must not spend the run's time.
 */
void conn_limit(struct conn *c, int ms);
/* Waits until the socket is readable (in) or writable (!in). */
enum net_status conn_wait(struct conn *c, bool in);
void conn_close(struct conn *c);
const char *net_status_name(enum net_status s);
/* Text form of an address ("127.0.0.1", "::1"). */
void net_addr_text(const struct sockaddr *sa, char *dst, size_t dstsz);

#endif
