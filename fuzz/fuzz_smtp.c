/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer: SMTP reply lines and EHLO keywords (common/smtp.c). The input
 * is split into lines at LF (a CR before it dropped) the way the reader
 * hands them over, including lines cut short; a reply that ends is parsed
 * for EHLO keywords and a new one begins. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply r;
	size_t pos = 0;

	smtp_reply_init(&r);
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : size - pos;
		size_t len = n;
		char *line = malloc(n ? n : 1); /* exactly n: no NUL */
		enum smtp_feed f;

		memcpy(line, data + pos, n);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		f = smtp_reply_feed(&r, line, len);
		free(line);
		pos += nl ? n + 1 : n;
		if (f != SMTP_FEED_MORE) {
			if (f == SMTP_FEED_DONE)
				smtp_ehlo_parse(&r);
			smtp_reply_free(&r);
			smtp_reply_init(&r);
		}
	}
	smtp_reply_free(&r);
	return 0;
}
