/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer: the MTA-STS TXT record, policy and state file parsers, and
 * mx matching of every pattern a policy yields (common/mtasts.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mtasts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct mtasts_txt t;
	struct mtasts_policy p;
	struct mtasts_state st;

	if (mtasts_txt_is_sts(s, size) || size < 64)
		mtasts_txt_parse(s, size, &t);
	if (mtasts_policy_parse(s, size, &p) != MTASTS_INVALID)
		for (size_t i = 0; i < p.nmx; i++) {
			mtasts_mx_match(p.mx[i], "mx1.example.com");
			mtasts_mx_match(p.mx[i], p.mx[i]);
		}
	mtasts_state_parse(s, size, &st);
	return 0;
}
