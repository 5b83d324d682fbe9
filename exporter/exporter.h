/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exporter.h: mailtls_exporter, Prometheus' multi-target exporter pattern
 * over the suite's plugins (INTERFACE.md, "The Prometheus exporter").
 * Prototypes grouped by file:
 *   exp_config.c  the modules: the built-in ones and the YAML file (libyaml),
 *                 and the argv a module gives a plugin;
 *   exp_query.c   the untrusted inputs of a probe: the query string, the
 *                 target, X-Prometheus-Scrape-Timeout-Seconds, durations;
 *   exp_child.c   one plugin run in a child process under a deadline, and
 *                 the gate that bounds concurrent runs;
 *   exp_stats.c   the exporter's own metrics, the last probes, logfmt logs;
 *   mailtls_exporter.c  main(), flags, the HTTP daemon, reloads.
 * The parsers (exp_config_parse, exp_query_parse, exp_target_check,
 * exp_timeout_compute) are pure: bytes in, a struct and a reason out, no
 * I/O, no globals; the unit tests (tests/unit/test_exporter_*.c) run them.
 */
#ifndef MAILTLS_EXPORTER_H
#define MAILTLS_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* Bounds on untrusted and configured strings. */
#define EXP_MODULE_MAX 64   /* a module name, bytes */
#define EXP_TARGET_MAX 260  /* a target: a 253-byte name, ':' and a port */
#define EXP_WHY_MAX 256     /* a reason */
#define EXP_OPT_VALUE_MAX 1024
#define EXP_OPTS_MAX 64     /* options (argv entries) per module */
#define EXP_MODULES_MAX 256
#define EXP_TIMEOUT_MAX 600.0 /* seconds */
#define EXP_TIMEOUT_DEFAULT 10.0

/* ---- exp_config.c ---- */

/* The checks a module may run: the plugin is check_<name>. */
enum exp_check {
	EXP_CHECK_SMTP_STARTTLS,
	EXP_CHECK_MTA_STS,
	EXP_CHECK_TLSA,
	EXP_CHECK_TLSRPT_RECORD,
	EXP_CHECK_MAILTLS,
	EXP_CHECK_TLSRPT_REPORTS,
	EXP_CHECK_COUNT
};

struct exp_check_info {
	const char *name;   /* "smtp_starttls" */
	const char *plugin; /* "check_smtp_starttls" */
	bool takes_host;    /* host:port becomes -H host -p port */
	bool builtin;       /* a module of its own name without a config */
};
const struct exp_check_info *exp_check_info(enum exp_check c);
/* Returns 0 and sets *c, or -1 for a name that is no check. */
int exp_check_lookup(const char *name, enum exp_check *c);

/* One argv entry a module adds: "--name=value", or "--name" for a flag. */
struct exp_option {
	char *arg;
};

struct exp_module {
	char *name;
	enum exp_check check;
	double timeout_s;
	struct exp_option *opts;
	size_t nopts;
};

struct exp_config {
	struct exp_module *mods;
	size_t n;
};

/*
 * Parses a config file's bytes (YAML, blackbox_exporter's shape:
 * `modules: {NAME: {check: C, timeout: 15s, options: {...}}}`). Unknown
 * keys, wrong types, a check that does not exist, options the exporter
 * sets itself (domain, hostname, port, timeout, output-format, help,
 * version) and values over EXP_OPT_VALUE_MAX fail. An empty document is
 * a config without modules. Returns a config to free with
 * exp_config_free(), or NULL with the reason (line and column) in why.
 */
struct exp_config *exp_config_parse(const char *buf, size_t len, char *why,
				    size_t whysz);
/* Reads FILE (at most 1 MiB) and parses it; NULL and why on failure. */
struct exp_config *exp_config_load(const char *path, char *why, size_t whysz);
/* A config of the built-in modules only. */
struct exp_config *exp_config_builtin(void);
void exp_config_free(struct exp_config *c);
/* The module called name: the config's first, else a built-in one (the
 * checks under their names, default options, EXP_TIMEOUT_DEFAULT). NULL
 * when neither has it. The pointer lives as long as c (built-ins: always). */
const struct exp_module *exp_config_find(const struct exp_config *c,
					 const char *name);

/*
 * The argv of one run: PLUGINDIR/check_X, -D target (or -H host -p port),
 * -t plugin_t, --output-format openmetrics unless nagios is true, then the
 * module's options. Returns a NULL-terminated array to free with
 * exp_argv_free(), or NULL with why (a host:port target for a check that
 * takes a domain only).
 */
char **exp_argv_build(const char *plugindir, const struct exp_module *m,
		      const char *target, int plugin_t, bool nagios,
		      char *why, size_t whysz);
void exp_argv_free(char **argv);

/* ---- exp_query.c ---- */

struct exp_query {
	char module[EXP_MODULE_MAX + 1];
	char target[EXP_TARGET_MAX + 1];
	bool has_module;
	bool has_target;
	bool debug;
};

/*
 * Parses a raw query string (what follows '?', may be NULL or ""):
 * `module`, `target` and `debug` (true, false, 1, 0), percent-decoded, '+'
 * as a space. A bad escape, %00, a control character, a key given twice,
 * a value over its bound or a bad debug value fail with a reason; other
 * keys are ignored (Prometheus adds none, users add their own). Returns 0
 * or -1.
 */
int exp_query_parse(const char *query, struct exp_query *q, char *why,
		    size_t whysz);

/* A target split: host (a DNS name, no trailing dot kept) and port (0
 * when none was given). */
struct exp_target {
	char host[254];
	int port;
};
/*
 * Checks a target: a host name (RFC 1123 labels of letters, digits, '-'
 * and '_', 1-63 bytes each, no label starting or ending with '-', at most
 * 253 bytes, one trailing dot allowed) optionally followed by ":PORT"
 * (1-65535, digits only). Nothing else: no IP literal in brackets, no
 * space, no leading '-'. Returns 0 or -1 with why.
 */
int exp_target_check(const char *s, struct exp_target *t, char *why,
		     size_t whysz);

/*
 * A duration: "15s", "1.5s", "500ms", "2m", or a bare number of seconds;
 * more than 0, at most EXP_TIMEOUT_MAX. Returns 0 or -1 with why.
 */
int exp_duration_parse(const char *s, double *out, const char **why);

struct exp_timeout {
	double probe_s; /* the probe's deadline, from its start */
	int plugin_t;   /* the plugin's -t: whole seconds, at least 1 */
};
/*
 * The probe's timeout as blackbox_exporter computes it: the module's
 * timeout, bounded by X-Prometheus-Scrape-Timeout-Seconds (header, NULL
 * when absent) minus offset; when the header minus the offset is not
 * positive, the header itself bounds it. The plugin gets -t of
 * ceil(probe_s - 1), at least 1, so it ends (within -t + 1 s, INTERFACE.md)
 * with its own timeout result and metrics before the exporter kills it at
 * probe_s. A header that is not a positive number fails. Returns 0 or -1.
 */
int exp_timeout_compute(double module_s, const char *header, double offset,
			struct exp_timeout *t, char *why, size_t whysz);

/* ---- exp_child.c ---- */

enum exp_run_status {
	EXP_RUN_EXITED,   /* exit_code holds the exit status */
	EXP_RUN_KILLED,   /* killed at the deadline */
	EXP_RUN_SIGNALED, /* died of a signal of its own */
	EXP_RUN_SPAWN,    /* could not be started */
	EXP_RUN_OVERSIZE, /* wrote more than the output bound: killed */
};
const char *exp_run_status_name(enum exp_run_status s);

struct exp_run {
	enum exp_run_status status;
	int exit_code; /* EXP_RUN_EXITED */
	int signo;     /* EXP_RUN_SIGNALED */
	char *out;     /* stdout, NUL-terminated (xmalloc'ed; free) */
	size_t outlen;
	double seconds;
};
#define EXP_OUTPUT_MAX (4u << 20)

/*
 * Runs argv[0] with argv (no shell, no PATH search) in a new process
 * group, stdin and stderr on /dev/null, stdout into a pipe, for at most
 * deadline_s seconds; then kills the group and reaps the child. Every fd
 * it opens is closed and every child is reaped before it returns.
 */
void exp_run(char *const argv[], double deadline_s, struct exp_run *r);
void exp_run_free(struct exp_run *r);

/* The gate: at most `limit` runs at once; others wait (in no set order). */
void exp_gate_init(int limit);
/* Waits for a slot until start_by (CLOCK_MONOTONIC seconds). Returns 0
 * with a slot taken, or -1 when start_by passed first (the caller
 * answers 503). */
int exp_gate_enter(double start_by);
void exp_gate_leave(void);
void exp_gate_counts(int *running, int *waiting, int *limit);

/* CLOCK_MONOTONIC in seconds. */
double exp_now(void);

/* ---- exp_stats.c ---- */

enum exp_log_level { EXP_LOG_DEBUG, EXP_LOG_INFO, EXP_LOG_WARN, EXP_LOG_ERROR };
int exp_log_level_parse(const char *s, enum exp_log_level *l);
void exp_log_set_level(enum exp_log_level l);
/* One logfmt line on stderr: ts=... level=... msg="..." then the key/value
 * pairs (const char *), ended by NULL; values are quoted and escaped. */
void exp_log(enum exp_log_level l, const char *msg, ...)
	__attribute__((sentinel));

/* A probe's outcome for the counters: "ok", "warning", "critical",
 * "unknown", "timeout", "error" or "rejected". */
void exp_stats_probe(const char *module, const char *target,
		     const char *outcome, double seconds);
void exp_stats_reload(bool ok);
/* The exporter's own metrics (text format 0.0.4). */
void exp_stats_render(struct buf *b);
/* The HTML page's list of the last probes, escaped. */
void exp_stats_render_last(struct buf *b);
/* Appends s with &, <, >, " and ' escaped. */
void exp_html_escape(struct buf *b, const char *s);

#endif
