/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mailtls_exporter: Prometheus' multi-target exporter pattern over the
 * suite's plugins (INTERFACE.md, "The Prometheus exporter"). An HTTP
 * daemon (libmicrohttpd, a thread per connection) answers
 *   GET /probe?module=M&target=T  a plugin run's OpenMetrics plus
 *                                 probe_success and probe_duration_seconds
 *   GET /metrics                  the exporter's own metrics
 *   GET /                         modules and the last probes (HTML)
 *   POST /-/reload                the config file read again
 * Each probe runs its plugin in a child process (exp_child.c) under the
 * probe's deadline and a concurrency gate. Signals are taken by the main
 * thread from a signalfd (SIGHUP: reload; SIGTERM, SIGINT: stop): no
 * work in a signal handler. A bad config file at reload keeps the old one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exporter.h"

#ifndef EXP_PLUGINDIR
#define EXP_PLUGINDIR "/usr/lib/nagios/plugins"
#endif
#define DEFAULT_LISTEN ":10025"
#define DEFAULT_CONFIG "/etc/mailtls-plugins/exporter.yml"
#define TEXT_CT "text/plain; version=0.0.4; charset=utf-8"

/* ---- flags: one table drives getopt_long and --help ---- */

enum {
	F_LISTEN = 256,
	F_CONFIG,
	F_CONFIG_CHECK,
	F_LOG_LEVEL,
	F_TIMEOUT_OFFSET,
	F_CONCURRENCY,
	F_PLUGIN_DIR,
};

static const struct flag {
	const char *name;
	int has_arg;
	int val;
	const char *metavar;
	const char *help;
} flags[] = {
	{"web.listen-address", required_argument, F_LISTEN, "ADDR",
	 "address to listen on, [HOST]:PORT (default " DEFAULT_LISTEN
	 ": every address, port 10025)"},
	{"config.file", required_argument, F_CONFIG, "FILE",
	 "the modules (YAML; default " DEFAULT_CONFIG
	 ", the built-in modules alone when it does not exist)"},
	{"config.check", no_argument, F_CONFIG_CHECK, NULL,
	 "check the config file, print the modules and exit"},
	{"log.level", required_argument, F_LOG_LEVEL, "LEVEL",
	 "debug, info (default), warn or error"},
	{"timeout-offset", required_argument, F_TIMEOUT_OFFSET, "SECONDS",
	 "subtracted from X-Prometheus-Scrape-Timeout-Seconds (default 0.5)"},
	{"probe.concurrency", required_argument, F_CONCURRENCY, "N",
	 "plugin runs at once; more probes wait (default 2 x CPUs)"},
	{"plugin.dir", required_argument, F_PLUGIN_DIR, "DIR",
	 "where the check_* plugins are (default " EXP_PLUGINDIR ")"},
	{"help", no_argument, 'h', NULL, "this help"},
	{"version", no_argument, 'V', NULL, "the version"},
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static void
usage(FILE *f)
{
	fprintf(f, "mailtls_exporter %s\n\n"
		   "Prometheus exporter for the mailtls plugins: GET "
		   "/probe?module=M&target=T runs check M on T\n"
		   "(a domain, or host:port for smtp_starttls and tlsa) and "
		   "answers its metrics.\n\n"
		   "Usage: mailtls_exporter [options]\n\nOptions:\n",
		MAILTLS_VERSION);
	for (size_t i = 0; i < NFLAGS; i++) {
		const struct flag *fl = &flags[i];
		if (fl->val == 'h' || fl->val == 'V')
			fprintf(f, "  -%c, --%s\n        %s\n", fl->val,
				fl->name, fl->help);
		else
			fprintf(f, "      --%s%s%s\n        %s\n", fl->name,
				fl->metavar != NULL ? " " : "",
				fl->metavar != NULL ? fl->metavar : "",
				fl->help);
	}
	fprintf(f, "\nModules without a config file: smtp_starttls, mta_sts, "
		   "tlsa, tlsrpt_record, mailtls.\n"
		   "Signals: SIGHUP reloads the config file; SIGTERM stops.\n");
}

/* ---- state ---- */

static struct {
	const char *listen;
	const char *config_path;
	bool config_given;
	double timeout_offset;
	const char *plugindir;
} opt = {DEFAULT_LISTEN, DEFAULT_CONFIG, false, 0.5, EXP_PLUGINDIR};

static pthread_mutex_t cfg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct exp_config *cfg;

/* Reads the config file; on success it replaces the current one. Returns 0
 * or -1 with why; the old config stays on failure. */
static int
config_reload(char *why, size_t whysz)
{
	struct exp_config *c, *old;

	if (!opt.config_given && access(opt.config_path, F_OK) != 0) {
		c = exp_config_builtin();
		exp_log(EXP_LOG_INFO, "no config file: the built-in modules "
				      "only",
			"file", opt.config_path, NULL);
	} else {
		c = exp_config_load(opt.config_path, why, whysz);
		if (c == NULL) {
			exp_stats_reload(false);
			exp_log(EXP_LOG_ERROR,
				"config not loaded, the old one stays",
				"file", opt.config_path, "err", why, NULL);
			return -1;
		}
	}
	pthread_mutex_lock(&cfg_mu);
	old = cfg;
	cfg = c;
	pthread_mutex_unlock(&cfg_mu);
	exp_config_free(old);
	exp_stats_reload(true);
	{
		char n[16];
		snprintf(n, sizeof(n), "%zu", c->n);
		exp_log(EXP_LOG_INFO, "config loaded", "file",
			opt.config_path, "modules", n, NULL);
	}
	return 0;
}

/* ---- HTTP ---- */

struct req {
	char *uri; /* raw, as the client sent it */
	bool started;
};

static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *r = xcalloc(1, sizeof(*r));

	(void)cls;
	(void)c;
	r->uri = xstrndup(uri != NULL ? uri : "", 8192);
	return r;
}

static void
req_done(void *cls, struct MHD_Connection *c, void **req_cls,
	 enum MHD_RequestTerminationCode toe)
{
	struct req *r = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r != NULL) {
		free(r->uri);
		free(r);
		*req_cls = NULL;
	}
}

/* Queues the buffer's text (taken) with a status and a content type. */
static enum MHD_Result
answer(struct MHD_Connection *c, unsigned int status, const char *ctype,
       struct buf *b)
{
	size_t len = b->len;
	char *text = buf_take(b);
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, text, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result
answer_text(struct MHD_Connection *c, unsigned int status, const char *fmt,
	    ...) UTIL_PRINTF(3, 4);

static enum MHD_Result
answer_text(struct MHD_Connection *c, unsigned int status, const char *fmt,
	    ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	buf_putc(&b, '\n');
	return answer(c, status, "text/plain; charset=utf-8", &b);
}

static const char *
outcome_of(const struct exp_run *r)
{
	static const char *const st[] = {"ok", "warning", "critical",
					 "unknown"};

	if (r->status == EXP_RUN_KILLED)
		return "timeout";
	if (r->status == EXP_RUN_EXITED && r->exit_code >= 0 &&
	    r->exit_code <= 3)
		return st[r->exit_code];
	return "error";
}

/* The plugin's exposition without its "# EOF" line, or NULL when it is not
 * a complete one. */
static bool
exposition_ok(const struct exp_run *r, size_t *keep)
{
	static const char eof[] = "# EOF\n";
	size_t n = sizeof(eof) - 1;

	if (r->status != EXP_RUN_EXITED || r->exit_code < 0 ||
	    r->exit_code > 3 || r->outlen < n ||
	    strlen(r->out) != r->outlen ||
	    memcmp(r->out + r->outlen - n, eof, n) != 0 ||
	    (r->outlen > n && r->out[r->outlen - n - 1] != '\n'))
		return false;
	*keep = r->outlen - n;
	return true;
}

static void
debug_answer(struct buf *b, const struct exp_module *m, const char *target,
	     const struct exp_timeout *t, char **argv, const struct exp_run *r)
{
	char num[32];

	buf_printf(b, "Module: %s (check %s, timeout %s s)\n", m->name,
		   exp_check_info(m->check)->name,
		   util_fmt_double(num, sizeof(num), m->timeout_s));
	buf_printf(b, "Target: %s\n", target);
	buf_printf(b, "Timeout: probe %s s, plugin -t %d\n",
		   util_fmt_double(num, sizeof(num), t->probe_s), t->plugin_t);
	buf_puts(b, "Command:");
	for (size_t i = 0; argv[i] != NULL; i++)
		buf_printf(b, " %s", argv[i]);
	buf_printf(b, "\nResult: %s", exp_run_status_name(r->status));
	if (r->status == EXP_RUN_EXITED)
		buf_printf(b, ", exit code %d", r->exit_code);
	else if (r->status == EXP_RUN_SIGNALED)
		buf_printf(b, ", signal %d", r->signo);
	buf_printf(b, " after %s s; probe_success %d\n\nPlugin output:\n",
		   util_fmt_double(num, sizeof(num), r->seconds),
		   r->status == EXP_RUN_EXITED &&
			   (r->exit_code == 0 || r->exit_code == 1));
	buf_add(b, r->out, strnlen(r->out, r->outlen));
}

static enum MHD_Result
do_probe(struct MHD_Connection *c, const char *uri)
{
	const char *qs = strchr(uri, '?');
	struct exp_query q;
	struct exp_target tg;
	struct exp_timeout to;
	const struct exp_module *m;
	struct exp_module mcopy;
	char why[EXP_WHY_MAX], num[32];
	char **argv;
	struct exp_run r;
	struct buf b;
	double t0 = exp_now(), deadline, start_by;
	const char *outcome, *hdr;
	size_t keep;
	bool success;

	if (exp_query_parse(qs != NULL ? qs + 1 : NULL, &q, why,
			    sizeof(why)) < 0)
		return answer_text(c, 400, "bad query: %s", why);
	if (!q.has_target)
		return answer_text(c, 400, "target parameter is missing");
	if (!q.has_module)
		util_strlcpy(q.module, "mailtls", sizeof(q.module));
	if (exp_target_check(q.target, &tg, why, sizeof(why)) < 0)
		return answer_text(c, 400, "bad %s", why);
	hdr = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					  "X-Prometheus-Scrape-Timeout-Seconds");

	pthread_mutex_lock(&cfg_mu);
	m = exp_config_find(cfg, q.module);
	if (m == NULL) {
		pthread_mutex_unlock(&cfg_mu);
		return answer_text(c, 400, "unknown module \"%.64s\"",
				   q.module);
	}
	mcopy = *m; /* the scalars; argv copies the strings */
	if (exp_timeout_compute(m->timeout_s, hdr, opt.timeout_offset, &to,
				why, sizeof(why)) < 0) {
		pthread_mutex_unlock(&cfg_mu);
		return answer_text(c, 400, "%s", why);
	}
	argv = exp_argv_build(opt.plugindir, m, q.target, to.plugin_t,
			      q.debug, why, sizeof(why));
	mcopy.name = xstrdup(m->name);
	pthread_mutex_unlock(&cfg_mu);
	if (argv == NULL) {
		free(mcopy.name);
		return answer_text(c, 400, "%s", why);
	}

	/* A slot in time to run for at least min(1 s, half the timeout),
	 * else 503 now rather than an answer after Prometheus gave up. */
	deadline = t0 + to.probe_s;
	start_by = deadline - (to.probe_s / 2 < 1.0 ? to.probe_s / 2 : 1.0);
	if (exp_gate_enter(start_by) < 0) {
		exp_stats_probe(mcopy.name, q.target, "rejected",
				exp_now() - t0);
		exp_log(EXP_LOG_WARN, "probe rejected: no slot before its "
				      "deadline",
			"module", mcopy.name, "target", q.target, NULL);
		exp_argv_free(argv);
		free(mcopy.name);
		return answer_text(c, 503,
				   "no probe slot free before the deadline "
				   "(--probe.concurrency)");
	}
	exp_run(argv, deadline - exp_now(), &r);
	exp_gate_leave();
	outcome = outcome_of(&r);
	exp_stats_probe(mcopy.name, q.target, outcome, exp_now() - t0);
	exp_log(strcmp(outcome, "timeout") == 0 ||
				strcmp(outcome, "error") == 0
			? EXP_LOG_WARN
			: EXP_LOG_DEBUG,
		"probe", "module", mcopy.name, "target", q.target, "outcome",
		outcome, "run", exp_run_status_name(r.status), "seconds",
		util_fmt_double(num, sizeof(num), r.seconds), NULL);

	buf_init(&b);
	if (q.debug) {
		debug_answer(&b, &mcopy, q.target, &to, argv, &r);
		exp_argv_free(argv);
		exp_run_free(&r);
		free(mcopy.name);
		return answer(c, 200, "text/plain; charset=utf-8", &b);
	}
	exp_argv_free(argv);
	if (exposition_ok(&r, &keep)) {
		buf_add(&b, r.out, keep);
		success = r.exit_code <= 1;
	} else {
		const char *reason = exp_run_status_name(r.status);
		if (r.status == EXP_RUN_EXITED)
			reason = "incomplete_output";
		buf_puts(&b, "# HELP mailtls_probe_error_info Why the plugin "
			     "gave no metrics: 1 with the reason.\n"
			     "# TYPE mailtls_probe_error_info gauge\n");
		buf_printf(&b, "mailtls_probe_error_info{reason=\"%s\"} 1\n",
			   reason);
		success = false;
	}
	exp_run_free(&r);
	free(mcopy.name);
	buf_printf(&b,
		   "# HELP probe_success 1 when the check's state is OK or "
		   "WARNING, 0 when CRITICAL, UNKNOWN or no answer.\n"
		   "# TYPE probe_success gauge\nprobe_success %d\n"
		   "# HELP probe_duration_seconds How long the probe took "
		   "in seconds.\n"
		   "# TYPE probe_duration_seconds gauge\n"
		   "probe_duration_seconds %s\n",
		   success ? 1 : 0,
		   util_fmt_double(num, sizeof(num), exp_now() - t0));
	return answer(c, 200, TEXT_CT, &b);
}

static void
module_row(struct buf *b, const struct exp_module *m)
{
	char num[32];

	buf_puts(b, "<tr><td>");
	exp_html_escape(b, m->name);
	buf_printf(b, "</td><td>%s</td><td>%s s</td><td>",
		   exp_check_info(m->check)->name,
		   util_fmt_double(num, sizeof(num), m->timeout_s));
	for (size_t i = 0; i < m->nopts; i++) {
		if (i > 0)
			buf_putc(b, ' ');
		exp_html_escape(b, m->opts[i].arg);
	}
	buf_puts(b, "</td></tr>\n");
}

static enum MHD_Result
do_index(struct MHD_Connection *c)
{
	struct buf b;
	static const char *const builtins[] = {"smtp_starttls", "mta_sts",
					       "tlsa", "tlsrpt_record",
					       "mailtls"};

	buf_init(&b);
	buf_printf(&b,
		   "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		   "<title>mailtls_exporter</title></head><body>\n"
		   "<h1>mailtls_exporter %s</h1>\n"
		   "<p><a href=\"/metrics\">Metrics</a> &middot; probe: "
		   "<code>/probe?module=mailtls&amp;target=example.com"
		   "</code> (<code>&amp;debug=true</code>: the plugin's "
		   "long output)</p>\n<h2>Modules</h2>\n<table>\n"
		   "<tr><th>module</th><th>check</th><th>timeout</th>"
		   "<th>options</th></tr>\n",
		   MAILTLS_VERSION);
	pthread_mutex_lock(&cfg_mu);
	for (size_t i = 0; i < cfg->n; i++)
		module_row(&b, &cfg->mods[i]);
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		bool shadowed = false;
		for (size_t k = 0; k < cfg->n; k++)
			if (strcmp(cfg->mods[k].name, builtins[i]) == 0)
				shadowed = true;
		if (!shadowed)
			module_row(&b, exp_config_find(NULL, builtins[i]));
	}
	pthread_mutex_unlock(&cfg_mu);
	buf_puts(&b, "</table>\n<h2>Last probes</h2>\n");
	exp_stats_render_last(&b);
	buf_puts(&b, "</body></html>\n");
	return answer(c, 200, "text/html; charset=utf-8", &b);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
	const char *method, const char *version, const char *upload_data,
	size_t *upload_data_size, void **req_cls)
{
	struct req *r = *req_cls;
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	bool post = strcmp(method, "POST") == 0;

	(void)cls;
	(void)version;
	(void)upload_data;
	if (r == NULL)
		return MHD_NO;
	if (!r->started) {
		r->started = true;
		return MHD_YES; /* headers only; a body, if any, comes next */
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* no endpoint reads a body */
		return MHD_YES;
	}
	if (strcmp(url, "/probe") == 0) {
		if (!get)
			return answer_text(c, 405, "GET /probe");
		return do_probe(c, r->uri);
	}
	if (strcmp(url, "/metrics") == 0) {
		struct buf b;
		if (!get)
			return answer_text(c, 405, "GET /metrics");
		buf_init(&b);
		exp_stats_render(&b);
		return answer(c, 200, TEXT_CT, &b);
	}
	if (strcmp(url, "/-/reload") == 0) {
		char why[EXP_WHY_MAX + 256];
		if (!post && strcmp(method, "PUT") != 0)
			return answer_text(c, 405, "POST /-/reload");
		exp_log(EXP_LOG_INFO, "reload asked over HTTP", NULL);
		if (config_reload(why, sizeof(why)) < 0)
			return answer_text(c, 500,
					   "config not loaded, the old one "
					   "stays: %s",
					   why);
		return answer_text(c, 200, "config reloaded");
	}
	if (strcmp(url, "/-/healthy") == 0 || strcmp(url, "/-/ready") == 0)
		return answer_text(c, 200, "OK");
	if (strcmp(url, "/") == 0) {
		if (!get)
			return answer_text(c, 405, "GET /");
		return do_index(c);
	}
	return answer_text(c, 404, "not found: /probe, /metrics, /, "
				   "/-/reload");
}

/* ---- start-up ---- */

/* "[HOST]:PORT", "HOST:PORT", ":PORT": a bound, listening socket or -1. */
static int
listen_on(const char *addr, char *why, size_t whysz)
{
	char host[256];
	const char *port, *colon = strrchr(addr, ':');
	struct addrinfo hints, *res = NULL, *ai;
	size_t hl;
	int fd = -1, rc, one = 1;

	if (colon == NULL || colon[1] == '\0') {
		snprintf(why, whysz, "%.100s: [HOST]:PORT expected", addr);
		return -1;
	}
	port = colon + 1;
	hl = (size_t)(colon - addr);
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
		addr++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		snprintf(why, whysz, "host name too long");
		return -1;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(hl == 0 ? NULL : host, port, &hints, &res);
	if (rc != 0) {
		snprintf(why, whysz, "%.100s: %s", addr, gai_strerror(rc));
		return -1;
	}
	/* with no host, prefer IPv6's wildcard (it takes IPv4 too) */
	for (int pass = 0; pass < 2 && fd < 0; pass++) {
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			if (hl == 0 && pass == 0 && ai->ai_family != AF_INET6)
				continue;
			fd = socket(ai->ai_family,
				    ai->ai_socktype | SOCK_CLOEXEC, 0);
			if (fd < 0)
				continue;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one));
			if (ai->ai_family == AF_INET6 && hl == 0) {
				int zero = 0;
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
					   &zero, sizeof(zero));
			}
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
			    listen(fd, 128) == 0)
				break;
			snprintf(why, whysz, "%.100s: %s", addr,
				 strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

int
main(int argc, char **argv)
{
	struct option lo[NFLAGS + 1];
	char why[EXP_WHY_MAX + 256];
	enum exp_log_level level = EXP_LOG_INFO;
	long long conc = 2 * sysconf(_SC_NPROCESSORS_ONLN);
	bool check_only = false;
	const char *reason;
	struct MHD_Daemon *d;
	sigset_t sigs;
	int sfd, lfd, c;

	util_set_label("MAILTLS_EXPORTER");
	memset(lo, 0, sizeof(lo));
	for (size_t i = 0; i < NFLAGS; i++) {
		lo[i].name = flags[i].name;
		lo[i].has_arg = flags[i].has_arg;
		lo[i].val = flags[i].val;
	}
	if (conc < 1)
		conc = 2;
	while ((c = getopt_long(argc, argv, "hV", lo, NULL)) != -1) {
		switch (c) {
		case F_LISTEN:
			opt.listen = optarg;
			break;
		case F_CONFIG:
			opt.config_path = optarg;
			opt.config_given = true;
			break;
		case F_CONFIG_CHECK:
			check_only = true;
			break;
		case F_LOG_LEVEL:
			if (exp_log_level_parse(optarg, &level) < 0) {
				fprintf(stderr, "mailtls_exporter: "
						"--log.level: debug, info, "
						"warn or error\n");
				return 2;
			}
			break;
		case F_TIMEOUT_OFFSET:
			if (util_parse_double(optarg, 0.0, 60.0,
					      &opt.timeout_offset,
					      &reason) < 0) {
				fprintf(stderr,
					"mailtls_exporter: --timeout-offset: "
					"%s (0 to 60 seconds)\n",
					reason);
				return 2;
			}
			break;
		case F_CONCURRENCY:
			if (util_parse_ll(optarg, 1, 4096, &conc, &reason) <
			    0) {
				fprintf(stderr,
					"mailtls_exporter: "
					"--probe.concurrency: %s (1 to "
					"4096)\n",
					reason);
				return 2;
			}
			break;
		case F_PLUGIN_DIR:
			opt.plugindir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mailtls_exporter %s\n", MAILTLS_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mailtls_exporter: no arguments, only "
				"options\n");
		usage(stderr);
		return 2;
	}
	exp_log_set_level(level);
	cfg = exp_config_builtin();
	if (check_only) {
		struct exp_config *t =
			exp_config_load(opt.config_path, why, sizeof(why));
		if (t == NULL) {
			fprintf(stderr, "mailtls_exporter: %s\n", why);
			return 1;
		}
		printf("%s: %zu modules\n", opt.config_path, t->n);
		for (size_t i = 0; i < t->n; i++) {
			printf("  %s: check %s, timeout %g s", t->mods[i].name,
			       exp_check_info(t->mods[i].check)->name,
			       t->mods[i].timeout_s);
			for (size_t k = 0; k < t->mods[i].nopts; k++)
				printf(" %s", t->mods[i].opts[k].arg);
			printf("\n");
		}
		exp_config_free(t);
		exp_config_free(cfg);
		return 0;
	}
	if (config_reload(why, sizeof(why)) < 0) {
		exp_config_free(cfg);
		return 1;
	}

	/* every thread inherits the mask; the main thread reads the
	 * signals from a signalfd */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		exp_log(EXP_LOG_ERROR, "signalfd failed", "err",
			strerror(errno), NULL);
		return 1;
	}
	exp_gate_init((int)conc);

	lfd = listen_on(opt.listen, why, sizeof(why));
	if (lfd < 0) {
		exp_log(EXP_LOG_ERROR, "cannot listen", "address", opt.listen,
			"err", why, NULL);
		return 1;
	}
	d = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			MHD_USE_POLL | MHD_USE_ERROR_LOG,
		0, NULL, NULL, handler, NULL, MHD_OPTION_LISTEN_SOCKET, lfd,
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, req_done, NULL,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
		MHD_OPTION_END);
	if (d == NULL) {
		exp_log(EXP_LOG_ERROR, "libmicrohttpd did not start", NULL);
		close(lfd);
		return 1;
	}
	{
		char n[16];
		snprintf(n, sizeof(n), "%lld", conc);
		exp_log(EXP_LOG_INFO, "listening", "address", opt.listen,
			"plugin_dir", opt.plugindir, "probe_concurrency", n,
			"version", MAILTLS_VERSION, NULL);
	}
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si))
			break;
		if (si.ssi_signo == SIGHUP) {
			exp_log(EXP_LOG_INFO, "reload on SIGHUP", NULL);
			config_reload(why, sizeof(why));
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			exp_log(EXP_LOG_INFO, "stopping", "signal",
				si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT",
				NULL);
			break;
		}
	}
	MHD_stop_daemon(d);
	close(lfd);
	close(sfd);
	pthread_mutex_lock(&cfg_mu);
	exp_config_free(cfg);
	cfg = NULL;
	pthread_mutex_unlock(&cfg_mu);
	return 0;
}
