/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exp_stats.c: what mailtls_exporter says about itself. Counters of probes
 * by module and outcome, a histogram of probe time by module, the gate's
 * gauges, the config reloads, and the process metrics every Prometheus
 * client library exports (process_cpu_seconds_total and friends, from
 * /proc/self); the last probes for the HTML page; and logfmt logs on
 * stderr (ts, level, msg, then key="value" pairs, values escaped). All
 * state sits behind one mutex; rendering copies nothing it does not print.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "exporter.h"

static const char *const outcomes[] = {"ok",      "warning", "critical",
				       "unknown", "timeout", "error",
				       "rejected"};
#define NOUT (sizeof(outcomes) / sizeof(outcomes[0]))
static const double buckets[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
#define NBUCKET (sizeof(buckets) / sizeof(buckets[0]))
#define NMODSTAT 512
#define NLAST 20

struct modstat {
	char name[EXP_MODULE_MAX + 1];
	unsigned long long count[NOUT];
	unsigned long long bucket[NBUCKET];
	unsigned long long n;
	double sum;
};

struct lastprobe {
	time_t when;
	char module[EXP_MODULE_MAX + 1];
	char target[EXP_TARGET_MAX + 1];
	char outcome[16];
	double seconds;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct modstat *mods;
static size_t nmods;
static struct lastprobe last[NLAST];
static size_t nlast, lastpos;
static unsigned long long reloads_ok, reloads_failed;
static int last_reload_ok = 1;
static time_t last_reload_ts;
static time_t start_ts;
static enum exp_log_level log_level = EXP_LOG_INFO;

/* ---- logs ---- */

int
exp_log_level_parse(const char *s, enum exp_log_level *l)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};

	for (size_t i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*l = (enum exp_log_level)i;
			return 0;
		}
	return -1;
}

void
exp_log_set_level(enum exp_log_level l)
{
	log_level = l;
	if (start_ts == 0)
		start_ts = time(NULL);
}

static void
logfmt_value(struct buf *b, const char *v)
{
	buf_putc(b, '"');
	for (size_t i = 0; v[i] != '\0' && i < 1024; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c == '\n') {
			buf_puts(b, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\x%02x", c);
		} else {
			buf_putc(b, (char)c);
		}
	}
	buf_putc(b, '"');
}

void
exp_log(enum exp_log_level l, const char *msg, ...)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	struct buf b;
	struct timeval tv;
	struct tm tm;
	char ts[40];
	va_list ap;
	const char *k;

	if (l < log_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_init(&b);
	buf_printf(&b, "ts=%s.%03dZ level=%s msg=", ts,
		   (int)(tv.tv_usec / 1000), names[l]);
	logfmt_value(&b, msg);
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		buf_printf(&b, " %s=", k);
		logfmt_value(&b, v != NULL ? v : "");
	}
	va_end(ap);
	buf_putc(&b, '\n');
	/* one write: lines of concurrent probes do not interleave */
	if (write(2, b.p, b.len) < 0) {
		/* nowhere left to say it */
	}
	buf_free(&b);
}

/* ---- probes ---- */

static struct modstat *
modstat_get(const char *module)
{
	for (size_t i = 0; i < nmods; i++)
		if (strcmp(mods[i].name, module) == 0)
			return &mods[i];
	if (nmods >= NMODSTAT) {
		/* modules come and go across reloads: bounded */
		module = "other";
		for (size_t i = 0; i < nmods; i++)
			if (strcmp(mods[i].name, module) == 0)
				return &mods[i];
		return &mods[nmods - 1];
	}
	if (mods == NULL)
		mods = xcalloc(NMODSTAT, sizeof(*mods));
	util_strlcpy(mods[nmods].name, module, sizeof(mods[nmods].name));
	return &mods[nmods++];
}

void
exp_stats_probe(const char *module, const char *target, const char *outcome,
		double seconds)
{
	struct modstat *m;
	struct lastprobe *lp;
	size_t o = NOUT - 1;

	for (size_t i = 0; i < NOUT; i++)
		if (strcmp(outcomes[i], outcome) == 0)
			o = i;
	pthread_mutex_lock(&mu);
	m = modstat_get(module);
	m->count[o]++;
	if (strcmp(outcome, "rejected") != 0) {
		for (size_t i = 0; i < NBUCKET; i++)
			if (seconds <= buckets[i])
				m->bucket[i]++;
		m->n++;
		m->sum += seconds;
	}
	lp = &last[lastpos];
	lastpos = (lastpos + 1) % NLAST;
	if (nlast < NLAST)
		nlast++;
	lp->when = time(NULL);
	util_strlcpy(lp->module, module, sizeof(lp->module));
	util_strlcpy(lp->target, target, sizeof(lp->target));
	util_strlcpy(lp->outcome, outcome, sizeof(lp->outcome));
	lp->seconds = seconds;
	pthread_mutex_unlock(&mu);
}

void
exp_stats_reload(bool ok)
{
	pthread_mutex_lock(&mu);
	if (ok) {
		reloads_ok++;
		last_reload_ts = time(NULL);
	} else {
		reloads_failed++;
	}
	last_reload_ok = ok ? 1 : 0;
	pthread_mutex_unlock(&mu);
}

/* ---- /metrics ---- */

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
process_metrics(struct buf *b)
{
	char stat[1024], num[32];
	FILE *f;
	size_t n = 0;
	unsigned long utime = 0, stime = 0, vsize = 0;
	long rss = 0;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	DIR *d;
	struct rlimit rl;
	long fds = 0;

	f = fopen("/proc/self/stat", "re");
	if (f != NULL) {
		n = fread(stat, 1, sizeof(stat) - 1, f);
		fclose(f);
	}
	stat[n] = '\0';
	/* fields after the command's ')': state is field 3; utime 14,
	 * stime 15, vsize 23, rss 24 */
	{
		char *p = strrchr(stat, ')');
		if (p != NULL &&
		    sscanf(p + 2,
			   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			   "%lu %lu %*d %*d %*d %*d %*d %*d %*u %lu %ld",
			   &utime, &stime, &vsize, &rss) == 4) {
			family(b, "process_cpu_seconds_total", "counter",
			       "Total user and system CPU time spent in "
			       "seconds.");
			buf_printf(b, "process_cpu_seconds_total %s\n",
				   util_fmt_double(num, sizeof(num),
						   (double)(utime + stime) /
							   (double)tck));
			family(b, "process_resident_memory_bytes", "gauge",
			       "Resident memory size in bytes.");
			buf_printf(b, "process_resident_memory_bytes %ld\n",
				   rss * page);
			family(b, "process_virtual_memory_bytes", "gauge",
			       "Virtual memory size in bytes.");
			buf_printf(b, "process_virtual_memory_bytes %lu\n",
				   vsize);
		}
	}
	d = opendir("/proc/self/fd");
	if (d != NULL) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				fds++;
		closedir(d);
		family(b, "process_open_fds", "gauge",
		       "Number of open file descriptors.");
		buf_printf(b, "process_open_fds %ld\n", fds - 1);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		family(b, "process_max_fds", "gauge",
		       "Maximum number of open file descriptors.");
		buf_printf(b, "process_max_fds %llu\n",
			   (unsigned long long)rl.rlim_cur);
	}
	family(b, "process_start_time_seconds", "gauge",
	       "Start time of the process since unix epoch in seconds.");
	buf_printf(b, "process_start_time_seconds %lld\n", (long long)start_ts);
}

void
exp_stats_render(struct buf *b)
{
	char num[32];
	int running, waiting, limit;

	exp_gate_counts(&running, &waiting, &limit);
	family(b, "mailtls_exporter_build_info", "gauge",
	       "The exporter's version.");
	buf_printf(b, "mailtls_exporter_build_info{version=\"%s\"} 1\n",
		   MAILTLS_VERSION);
	pthread_mutex_lock(&mu);
	family(b, "mailtls_exporter_probes_total", "counter",
	       "Probes answered, by module and outcome (the check's state; "
	       "timeout: killed at the deadline; error: no answer from the "
	       "plugin; rejected: 503, no slot in time).");
	for (size_t i = 0; i < nmods; i++)
		for (size_t o = 0; o < NOUT; o++)
			buf_printf(b,
				   "mailtls_exporter_probes_total{module=\"%s\","
				   "outcome=\"%s\"} %llu\n",
				   mods[i].name, outcomes[o],
				   mods[i].count[o]);
	family(b, "mailtls_exporter_probe_duration_seconds", "histogram",
	       "Time from a probe's start to its answer, slot waits "
	       "included.");
	for (size_t i = 0; i < nmods; i++) {
		for (size_t k = 0; k < NBUCKET; k++)
			buf_printf(b,
				   "mailtls_exporter_probe_duration_seconds_"
				   "bucket{module=\"%s\",le=\"%s\"} %llu\n",
				   mods[i].name,
				   util_fmt_double(num, sizeof(num),
						   buckets[k]),
				   mods[i].bucket[k]);
		buf_printf(b,
			   "mailtls_exporter_probe_duration_seconds_bucket{"
			   "module=\"%s\",le=\"+Inf\"} %llu\n",
			   mods[i].name, mods[i].n);
		buf_printf(b,
			   "mailtls_exporter_probe_duration_seconds_sum{"
			   "module=\"%s\"} %s\n",
			   mods[i].name,
			   util_fmt_double(num, sizeof(num), mods[i].sum));
		buf_printf(b,
			   "mailtls_exporter_probe_duration_seconds_count{"
			   "module=\"%s\"} %llu\n",
			   mods[i].name, mods[i].n);
	}
	family(b, "mailtls_exporter_config_reloads_total", "counter",
	       "Config reloads (SIGHUP, POST /-/reload), by result.");
	buf_printf(b,
		   "mailtls_exporter_config_reloads_total{result=\"success\"} "
		   "%llu\n"
		   "mailtls_exporter_config_reloads_total{result=\"failure\"} "
		   "%llu\n",
		   reloads_ok, reloads_failed);
	family(b, "mailtls_exporter_config_last_reload_successful", "gauge",
	       "1 when the last load of the config file succeeded.");
	buf_printf(b, "mailtls_exporter_config_last_reload_successful %d\n",
		   last_reload_ok);
	family(b,
	       "mailtls_exporter_config_last_reload_success_timestamp_seconds",
	       "gauge", "When the config file was last loaded.");
	buf_printf(b,
		   "mailtls_exporter_config_last_reload_success_timestamp_"
		   "seconds %lld\n",
		   (long long)last_reload_ts);
	pthread_mutex_unlock(&mu);
	family(b, "mailtls_exporter_probes_running", "gauge",
	       "Plugin runs now.");
	buf_printf(b, "mailtls_exporter_probes_running %d\n", running);
	family(b, "mailtls_exporter_probes_waiting", "gauge",
	       "Probes waiting for a slot now.");
	buf_printf(b, "mailtls_exporter_probes_waiting %d\n", waiting);
	family(b, "mailtls_exporter_probe_concurrency", "gauge",
	       "--probe.concurrency.");
	buf_printf(b, "mailtls_exporter_probe_concurrency %d\n", limit);
	process_metrics(b);
}

void
exp_html_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			buf_putc(b, *s);
		}
	}
}

void
exp_stats_render_last(struct buf *b)
{
	char num[32], when[40];

	pthread_mutex_lock(&mu);
	buf_puts(b, "<table>\n<tr><th>time (UTC)</th><th>module</th>"
		    "<th>target</th><th>outcome</th><th>seconds</th></tr>\n");
	for (size_t i = 0; i < nlast; i++) {
		/* newest first */
		struct lastprobe *lp = &last[(lastpos + NLAST - 1 - i) % NLAST];
		util_fmt_utc(when, sizeof(when), "%Y-%m-%d %H:%M:%S", lp->when);
		buf_printf(b, "<tr><td>%s</td><td>", when);
		exp_html_escape(b, lp->module);
		buf_puts(b, "</td><td>");
		exp_html_escape(b, lp->target);
		buf_puts(b, "</td><td>");
		exp_html_escape(b, lp->outcome);
		buf_printf(b, "</td><td>%s</td></tr>\n",
			   util_fmt_double(num, sizeof(num), lp->seconds));
	}
	buf_puts(b, "</table>\n");
	pthread_mutex_unlock(&mu);
}
