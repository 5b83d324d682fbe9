/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests of common/net.c over a real loopback TCP connection: line
 * splitting (CRLF and LF), the hard line limit (SMTP-04), EOF, a refused
 * connect, the deadline on a silent peer (GEN-03), and plain bytes dropped
 * and counted when TLS takes over (RFC 3207 4.2, SMTP-09).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "deadline.h"
#include "net.h"

struct pair {
	struct conn c;
	int peer; /* the server's end */
};

/* Connects a conn to a listener on 127.0.0.1 and accepts the peer. */
static void
pair_open(struct pair *p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(l >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	conn_init(&p->c);
	assert_int_equal(conn_connect(&p->c, (struct sockaddr *)&sa, len),
			 NET_OK);
	assert_string_equal(p->c.addr, "127.0.0.1");
	p->peer = accept(l, NULL, NULL);
	assert_true(p->peer >= 0);
	close(l);
}

static void
pair_close(struct pair *p)
{
	conn_close(&p->c);
	if (p->peer >= 0)
		close(p->peer);
}

static void
peer_send(struct pair *p, const char *s, size_t n)
{
	assert_int_equal(send(p->peer, s, n, 0), (ssize_t)n);
}

static void
test_lines(void **state)
{
	struct pair p;
	char line[64];
	size_t len;

	(void)state;
	deadline_start(5000);
	pair_open(&p);
	peer_send(&p, "220-a\r\n220 b\nrest", 18);
	assert_int_equal(conn_readline(&p.c, line, sizeof(line), &len), NET_OK);
	assert_string_equal(line, "220-a");
	assert_int_equal(len, 5);
	assert_int_equal(conn_readline(&p.c, line, sizeof(line), &len), NET_OK);
	assert_string_equal(line, "220 b");
	assert_true(conn_pending(&p.c));
	close(p.peer);
	p.peer = -1;
	assert_int_equal(conn_readline(&p.c, line, sizeof(line), &len),
			 NET_EOF);
	pair_close(&p);
}

static void
test_cut_line_keeps_length(void **state)
{
	struct pair p;
	char line[8];
	size_t len;

	(void)state;
	deadline_start(5000);
	pair_open(&p);
	peer_send(&p, "250 0123456789\r\n", 16);
	assert_int_equal(conn_readline(&p.c, line, sizeof(line), &len), NET_OK);
	assert_string_equal(line, "250 012");
	assert_int_equal(len, 14);
	pair_close(&p);
}

static void
test_toolong(void **state)
{
	static char big[NET_LINE_MAX + 100];
	struct pair p;
	char line[64];
	size_t len;

	(void)state;
	deadline_start(5000);
	pair_open(&p);
	memset(big, 'A', sizeof(big));
	peer_send(&p, big, sizeof(big));
	assert_int_equal(conn_readline(&p.c, line, sizeof(line), &len),
			 NET_TOOLONG);
	assert_non_null(strstr(p.c.err, "longer than 4096"));
	pair_close(&p);
}

static void
test_deadline(void **state)
{
	struct pair p;
	char line[64];
	size_t len;
	int64_t t0;

	(void)state;
	deadline_start(300);
	pair_open(&p);
	t0 = clock_mono_ms();
	assert_int_equal(conn_readline(&p.c, line, sizeof(line), &len),
			 NET_TIMEOUT);
	assert_true(clock_mono_ms() - t0 < 1000);
	assert_true(deadline_passed());
	pair_close(&p);
}

static void
test_limit(void **state)
{
	struct pair p;
	char line[64];
	size_t len;
	int64_t t0;

	(void)state;
	deadline_start(5000);
	pair_open(&p);
	conn_limit(&p.c, 200);
	t0 = clock_mono_ms();
	assert_int_equal(conn_readline(&p.c, line, sizeof(line), &len),
			 NET_TIMEOUT);
	assert_true(clock_mono_ms() - t0 < 1000);
	assert_false(deadline_passed()); /* the run's time is not spent */
	pair_close(&p);
}

static void
test_refused(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	struct conn c;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	deadline_start(5000);
	/* a port that was just free: bind, learn it, close */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	close(l);
	conn_init(&c);
	assert_int_equal(conn_connect(&c, (struct sockaddr *)&sa, len),
			 NET_REFUSED);
	conn_close(&c);
}

static void
test_attach_discards(void **state)
{
	struct pair p;
	char line[64];
	size_t len;

	(void)state;
	deadline_start(5000);
	pair_open(&p);
	peer_send(&p, "220 go\r\n250 injected\r\n", 22);
	assert_int_equal(conn_readline(&p.c, line, sizeof(line), &len), NET_OK);
	assert_string_equal(line, "220 go");
	/* a dummy session pointer: only the buffer bookkeeping is tested */
	conn_attach_tls(&p.c, NULL);
	assert_int_equal(p.c.discarded, 14);
	assert_false(conn_pending(&p.c));
	pair_close(&p);
}

static void
test_write(void **state)
{
	struct pair p;
	char got[16] = "";

	(void)state;
	deadline_start(5000);
	pair_open(&p);
	assert_int_equal(conn_write(&p.c, "QUIT\r\n", 6), NET_OK);
	assert_int_equal(recv(p.peer, got, sizeof(got) - 1, 0), 6);
	assert_string_equal(got, "QUIT\r\n");
	pair_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_cut_line_keeps_length),
		cmocka_unit_test(test_toolong),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_attach_discards),
		cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
