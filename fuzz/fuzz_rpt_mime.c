/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer: a mail message carrying a TLSRPT report (common/report_src.c:
 * GMime 3, base64, gzip; RFC 8460 5.3, RPTR-07), then its report parsed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "report_src.h"
#include "tlsrpt_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsrc_limits lim = {1u << 20, RSRC_RATIO_MAX};
	struct rpt_report r;
	struct buf out;
	char why[300], note[200];
	enum rsrc_status st;

	buf_init(&out);
	st = rsrc_extract(RSRC_EML, (const char *)data, size, &lim, &out, why,
			  sizeof(why), note, sizeof(note));
	if (st == RSRC_OK) {
		if (out.len > lim.out_max)
			__builtin_trap();
		rpt_parse(out.p, out.len, &r);
		rpt_free(&r);
	}
	buf_free(&out);
	return 0;
}
