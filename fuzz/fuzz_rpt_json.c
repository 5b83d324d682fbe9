/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer: a TLSRPT report's JSON (common/tlsrpt_report.c, RPTR-07),
 * and the same bytes as gzip (common/report_src.c). */
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
	char why[300];

	if (rpt_parse((const char *)data, size, &r) == RPT_OK) {
		uint64_t failed = 0;

		for (size_t i = 0; i < r.np; i++) {
			if (r.p[i].type >= RPT_PTYPES ||
			    memchr(r.p[i].domain, 0, sizeof(r.p[i].domain)) ==
				NULL)
				__builtin_trap();
			failed += r.p[i].failed;
		}
		if (r.end < r.start || r.org[0] == '\0' || r.id[0] == '\0' ||
		    r.nnotes > RPT_NOTES_MAX)
			__builtin_trap();
		(void)failed;
	} else if (r.why[0] == '\0') {
		__builtin_trap();
	}
	rpt_free(&r);
	buf_init(&out);
	if (rsrc_gunzip(data, size, &lim, &out, why, sizeof(why)) == RSRC_OK &&
	    out.len > lim.out_max)
		__builtin_trap();
	buf_free(&out);
	return 0;
}
