/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mt-dig: a test driver for common/dns.c. Resolves every NAME/TYPE pair
 * given, all at once, through the suite's libunbound context and prints one
 * dns_result_describe() line each, then "resolver: ok|broken (why)" when
 * asked with -r. Integration cases run it against the lab to show the
 * outcomes and DNSSEC states the plugins rely on (GEN-06, DANE-02).
 *
 *   mt-dig [--resolver A[@P]]... [--trust-anchor F] [-t S] [-r] NAME/TYPE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "dns.h"
#include "util.h"

#define MAX_Q 128

static const struct {
	const char *name;
	int type;
} types[] = {
	{"A", DNS_T_A},	    {"AAAA", DNS_T_AAAA},     {"MX", DNS_T_MX},
	{"TXT", DNS_T_TXT}, {"TLSA", DNS_T_TLSA},     {"CNAME", DNS_T_CNAME},
	{"NS", DNS_T_NS},   {"DNSKEY", DNS_T_DNSKEY}, {"SOA", DNS_T_SOA},
};

static struct dns_result *results[MAX_Q];

static void
on_result(void *arg, struct dns_result *res)
{
	results[(size_t)arg] = res;
}

int
main(int argc, char **argv)
{
	const char *resolvers[8], *anchor = NULL;
	size_t nres = 0, nq = 0;
	long long timeout = 5;
	const char *why;
	bool probe = false;
	char err[256];
	struct dns_ctx *ctx;
	struct buf b;
	int i;

	util_set_label("mt-dig");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--resolver") == 0 && i + 1 < argc &&
		    nres < 8)
			resolvers[nres++] = argv[++i];
		else if (strcmp(argv[i], "--trust-anchor") == 0 && i + 1 < argc)
			anchor = argv[++i];
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			if (util_parse_ll(argv[++i], 1, 600, &timeout, &why) <
			    0) {
				printf("bad -t: %s\n", why);
				return 3;
			}
		} else if (strcmp(argv[i], "-r") == 0)
			probe = true;
		else {
			printf("usage: mt-dig [--resolver A] [--trust-anchor F] "
			       "[-t S] [-r] NAME/TYPE...\n");
			return 3;
		}
	}
	deadline_start(timeout * 1000);
	ctx = dns_ctx_new(resolvers, nres, anchor, err, sizeof(err));
	if (ctx == NULL) {
		printf("setup failed: %s\n", err);
		return 3;
	}
	for (; i < argc && nq < MAX_Q; i++) {
		char *slash = strrchr(argv[i], '/');
		int type = -1;

		if (slash == NULL) {
			printf("not NAME/TYPE: %s\n", argv[i]);
			return 3;
		}
		*slash = '\0';
		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			if (strcmp(slash + 1, types[k].name) == 0)
				type = types[k].type;
		if (type < 0) {
			printf("unknown type %s\n", slash + 1);
			return 3;
		}
		dns_submit(ctx, argv[i], type, on_result, (void *)nq++);
	}
	dns_wait(ctx);
	for (size_t k = 0; k < nq; k++) {
		buf_init(&b);
		dns_result_describe(results[k], &b);
		printf("%s\n", b.p);
		buf_free(&b);
		dns_result_free(results[k]);
	}
	if (probe) {
		bool ok = dns_resolver_ok(ctx, err, sizeof(err));

		printf("resolver: %s (%s)\n", ok ? "ok" : "broken", err);
	}
	dns_ctx_free(ctx);
	return 0;
}
