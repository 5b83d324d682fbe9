/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer: the TLSRPT record and its rua URIs (common/tlsrpt.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_record r;

	tlsrpt_txt_is_rpt((const char *)data, size);
	if (tlsrpt_parse((const char *)data, size, &r) != TLSRPT_INVALID)
		for (size_t i = 0; i < r.nrua; i++)
			if (strlen(r.rua[i].host) >= sizeof(r.rua[i].host))
				__builtin_trap();
	return 0;
}
