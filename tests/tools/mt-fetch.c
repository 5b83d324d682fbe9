/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mt-fetch: a test driver for common/https.c. Fetches
 * https://HOST/PATH from the given addresses, as check_mta_sts will, and
 * prints the outcome, status, Content-Type, PKIX verdict, the leaf's
 * subject and the body length, so integration cases can assert each of
 * STP-01..STP-08 against the lab's nginx.
 *
 *   mt-fetch [--cafile F] [--cap N] [-t S] HOST PATH ADDR...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "https.h"
#include "util.h"

int
main(int argc, char **argv)
{
	const char *cafile = NULL, *why;
	long long cap = 65536, timeout = 5;
	struct https_result res;
	struct tls_ctx *t;
	char err[256];
	int i;

	util_set_label("mt-fetch");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--cafile") == 0 && i + 1 < argc)
			cafile = argv[++i];
		else if (strcmp(argv[i], "--cap") == 0 && i + 1 < argc) {
			if (util_parse_ll(argv[++i], 1, 1 << 30, &cap, &why) <
			    0)
				return 3;
		} else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			if (util_parse_ll(argv[++i], 1, 600, &timeout, &why) <
			    0)
				return 3;
		} else
			break;
	}
	if (argc - i < 3) {
		printf("usage: mt-fetch [--cafile F] [--cap N] [-t S] HOST "
		       "PATH ADDR...\n");
		return 3;
	}
	deadline_start(timeout * 1000);
	t = tls_ctx_new(cafile, true, err, sizeof(err));
	if (t == NULL) {
		printf("setup failed: %s\n", err);
		return 3;
	}
	https_get(argv[i], 443, argv[i + 1], (const char *const *)argv + i + 2,
		  (size_t)(argc - i - 2), t, clock_wall(), (size_t)cap, &res);
	printf("fail=%d why=%s\n", res.fail, res.why);
	printf("status=%ld content_type=%s location=%s\n", res.status,
	       res.content_type, res.location);
	printf("addr=%s tls=%s pkix=%s\n", res.addr,
	       res.tls_done ? res.peer.version : "-",
	       res.tls_done ? pkix_result_name(res.pkix) : "-");
	if (res.tls_done && res.peer.ncerts > 0)
		printf("subject=%s\n", res.peer.cert[0].subject);
	printf("bytes=%zu\n", res.len);
	https_result_free(&res);
	tls_ctx_free(t);
	return res.fail == HTTPS_OK ? 0 : 2;
}
