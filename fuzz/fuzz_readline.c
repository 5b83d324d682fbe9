/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer: the line reader and the SMTP reply parser together, the
 * bytes arriving split at arbitrary boundaries (common/net.c conn_readline,
 * common/smtp.c). The first input byte seeds the chunk sizes; the rest is
 * written through a SOCK_SEQPACKET socketpair in chunks of 1 to 64 bytes,
 * so that each read of the reader gets one chunk, then the writing end is
 * closed. Every line read is fed to smtp_reply_feed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "deadline.h"
#include "net.h"
#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	struct conn c;
	struct smtp_reply r;
	char line[SMTP_LINE_MAX + 1];
	unsigned seed;
	size_t pos = 1, len;

	if (size < 1 || size > 65536 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return 0;
	seed = data[0];
	while (pos < size) {
		size_t n = 1 + (seed = seed * 1103515245u + 12345u) % 64;

		if (n > size - pos)
			n = size - pos;
		if (write(sv[1], data + pos, n) != (ssize_t)n)
			break;
		pos += n;
	}
	close(sv[1]);
	sv[1] = -1;
	deadline_start(5000);
	conn_init(&c);
	c.fd = sv[0];
	smtp_reply_init(&r);
	while (conn_readline(&c, line, sizeof(line), &len) == NET_OK) {
		size_t n = len < sizeof(line) ? len : sizeof(line) - 1;

		if (smtp_reply_feed(&r, line, n) != SMTP_FEED_MORE) {
			smtp_ehlo_parse(&r);
			smtp_reply_free(&r);
			smtp_reply_init(&r);
		}
	}
	smtp_reply_free(&r);
	if (sv[1] >= 0)
		close(sv[1]);
	close(sv[0]);
	return 0;
}
