/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * plugin.c: the watchdog and the verdict on failed lookups (plugin.h).
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "deadline.h"
#include "plugin.h"
#include "tls.h"

/* Async-signal-safe: the message is formatted before the timer is set. */
static char alarm_msg[160];
static size_t alarm_len;
static int alarm_code;

static void
on_alarm(int sig)
{
	(void)sig;
	if (alarm_len > 0 && write(STDOUT_FILENO, alarm_msg, alarm_len) < 0)
		_exit(alarm_code);
	_exit(alarm_code);
}

void
plugin_watchdog(const char *label, const struct common_opts *co)
{
	alarm_code = (int)co->timeout_result;
	alarm_len = (size_t)snprintf(alarm_msg, sizeof(alarm_msg),
				     "%s %s - deadline of %d s passed "
				     "(watchdog)\n",
				     label, state_name(co->timeout_result),
				     co->timeout_s);
	if (alarm_len >= sizeof(alarm_msg))
		alarm_len = sizeof(alarm_msg) - 1;
	signal(SIGALRM, on_alarm);
	/* Half a second past the deadline: the run still ends within -t + 1. */
	setitimer(ITIMER_REAL,
		  &(struct itimerval){.it_value = {co->timeout_s, 500000}},
		  NULL);
}

enum mt_state
plugin_lookup_fail_state(struct pctx *p, const struct dns_result *res)
{
	char why[256];

	if (p->resolver_checked == 0) {
		p->resolver_checked = 1;
		if (!dns_resolver_ok(p->dns, why, sizeof(why))) {
			p->resolver_checked = 2;
			result_add(p->root, MT_UNKNOWN, "GEN-02", NULL,
				   "our resolver is not usable: %s", why);
		}
	}
	if (p->resolver_checked == 2)
		return MT_UNKNOWN;
	if (res->outcome == DNS_TIMEOUT)
		return p->co->timeout_result;
	return MT_CRITICAL;
}

void
plugin_dns_failure(struct pctx *p, struct node *n, const struct dns_result *res,
		   const char *what)
{
	result_add(n, plugin_lookup_fail_state(p, res), "GEN-06", NULL,
		   "%s lookup for %s failed: %s%s%s", what, res->qname,
		   dns_outcome_name(res->outcome), res->why ? ": " : "",
		   res->why ? res->why : "");
}

void
plugin_log_dns(const struct pctx *p, struct node *n,
	       const struct dns_result *res)
{
	struct buf b;

	if (p->co->verbose < 2)
		return;
	buf_init(&b);
	dns_result_describe(res, &b);
	result_log(n, "DNS %s", b.p ? b.p : "");
	buf_free(&b);
}

int
plugin_opt_helo(const char *arg, const char **out, const char **why)
{
	if (*arg == '\0' || strlen(arg) > 255 ||
	    strpbrk(arg, " \t\r\n") != NULL) {
		*why = "--helo must be a host name or address literal";
		return -1;
	}
	*out = arg;
	return 0;
}

void
plugin_default_helo(const char *given, char *out, size_t outsz)
{
	if (given != NULL) {
		util_strlcpy(out, given, outsz);
		return;
	}
	if (gethostname(out, outsz - 1) != 0 || strchr(out, '.') == NULL)
		out[0] = '\0';
	out[outsz - 1] = '\0';
}

int
plugin_unknown(const char *label, const char *fmt, ...)
{
	char raw[512], clean[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	text_sanitize(clean, sizeof(clean), raw, strlen(raw), 400);
	printf("%s UNKNOWN - %s\n", label, clean);
	return MT_UNKNOWN;
}

int
plugin_open(struct pctx *p, const char *label, const struct common_opts *co,
	    const char *cafile, bool load_trust, struct tls_ctx **tls,
	    const char *root_name)
{
	char err[256];

	/*
	 * Before any thread: glibc gives each thread its own malloc arena
	 * (up to 8 per CPU), some 100 KiB resident each once touched. Our
	 * threads (libunbound's, one per SMTP session) mostly wait on the
	 * network and allocate little; two arenas keep 8 MX x 2 addresses
	 * under 10 MiB (bench/) at no measurable cost in wall time.
	 */
	mallopt(M_ARENA_MAX, 2);
	deadline_start((int64_t)co->timeout_s * 1000);
	plugin_watchdog(label, co);
	signal(SIGPIPE, SIG_IGN);
	*tls = tls_ctx_new(cafile, load_trust, err, sizeof(err));
	if (*tls == NULL) {
		plugin_unknown(label, "%s", err);
		return MT_UNKNOWN;
	}
	p->co = co;
	p->dns = NULL;
	if (!p->no_dns &&
	    (p->dns = dns_ctx_new(co->resolvers, co->nresolvers,
				  co->trust_anchor, err, sizeof(err))) == NULL) {
		plugin_unknown(label, "%s", err);
		tls_ctx_free(*tls);
		*tls = NULL;
		return MT_UNKNOWN;
	}
	p->root = result_new(NODE_CHECK, root_name);
	return 0;
}

void
plugin_close(struct pctx *p, struct tls_ctx *tls)
{
	result_free(p->root);
	dns_ctx_free(p->dns);
	tls_ctx_free(tls);
	p->root = NULL;
	p->dns = NULL;
}

int
plugin_print(const struct pctx *p, const char *label, const char *summary)
{
	struct perf *perf;
	struct buf out;

	/* The run's own time, last on line 1. */
	perf =
	    result_perf(p->root, "time", (double)deadline_elapsed_ms() / 1000.0,
			"s", NULL, NULL);
	result_perf_minmax(perf, true, 0, false, 0);
	buf_init(&out);
	output_render(p->root, label, summary, p->co->format, p->co->verbose,
		      &out);
	/* The result stands: from here the watchdog must not print a second
	 * one. It only ends a clean-up that hangs, silently, with this exit
	 * code, within a second. */
	setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
	fputs(out.p, stdout);
	fflush(stdout);
	buf_free(&out);
	alarm_len = 0;
	alarm_code = (int)p->root->worst;
	setitimer(ITIMER_REAL, &(struct itimerval){.it_value = {1, 0}}, NULL);
	return (int)p->root->worst;
}

bool
plugin_is_addr_literal(const char *s)
{
	char tmp[80];
	unsigned char bin[16];
	size_t n = strlen(s);
	char *pct;

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n >= 5 && util_strncasecmp(s, "IPv6:", 5) == 0) {
		s += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (n > 1 && tmp[n - 1] == '.' && strchr(tmp, ':') == NULL)
		tmp[n - 1] = '\0'; /* "192.0.2.1." */
	if ((pct = strchr(tmp, '%')) != NULL)
		*pct = '\0'; /* fe80::1%eth0 */
	return inet_pton(AF_INET, tmp, bin) == 1 ||
	       inet_pton(AF_INET6, tmp, bin) == 1;
}

int
plugin_take_name(const char *opt, const char *in, bool has_address, char *out,
		 size_t outsz, char *why, size_t whysz)
{
	size_t n = strlen(in), label = 0;
	bool host = strcmp(opt, "-H") == 0;

	if (plugin_is_addr_literal(in)) {
		if (!host)
			snprintf(why, whysz,
				 "%s takes a mail domain, not the address "
				 "literal %.60s",
				 opt, in);
		else if (has_address)
			snprintf(why, whysz,
				 "-H takes a host name, not the address "
				 "literal %.60s; to pin an address use "
				 "-H NAME --address ADDR",
				 in);
		else
			snprintf(why, whysz,
				 "-H takes a host name, not the address "
				 "literal %.60s: certificates and TLSA "
				 "records are judged by the name",
				 in);
		return -1;
	}
	snprintf(why, whysz, "%s: not a %s name: %.80s", opt,
		 host ? "host" : "domain", in);
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || n >= outsz)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_') ||
		    ++label > 63)
			return -1;
	}
	memcpy(out, in, n);
	out[n] = '\0';
	why[0] = '\0';
	return 0;
}
