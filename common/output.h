/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * output.h: the result tree and its renderers.
 *
 * A run builds a tree: the check (root) -> hosts -> addresses (or records)
 * -> findings. Each node carries a one-line text, findings (state, rule,
 * RFC 8460 result token, text), facts (key/value pairs for json and
 * openmetrics) and perfdata. result_finish() computes the worst state of
 * every subtree once (CRITICAL > WARNING > UNKNOWN > OK, CONFORMANCE
 * GEN-04); output_render() renders the finished tree once, in one format.
 *
 * Nagios format (INTERFACE.md "Output"): line 1 is
 * "LABEL STATE - summary | perfdata", all perfdata on line 1, then the long
 * output. Every peer-supplied string is sanitised when stored (no '|', no
 * control or non-ASCII bytes, bounded length), so no '|' can appear past
 * the one on line 1. The whole text stays under OUTPUT_CAP bytes; long
 * output is cut from its end, never line 1.
 *
 * Strings passed in are copied; the tree owns its memory; result_free()
 * frees a whole tree.
 *
 * Sanitising bounds: finding and node texts SANITIZE_MAX * 4 bytes,
 * names, rules, tokens, fact keys and values, perfdata labels and ranges
 * SANITIZE_MAX, transcript lines 600 (each then "..." when cut).
 *
 * Nagios long output (indent: two spaces per level):
 *
 *   SMTP STARTTLS CRITICAL - summary | 'days'=5;28:;14:;0 'mx1_time'=0.512s
 *   - WARNING: text of a finding of the root (RULE) [token]
 *   key: value                                  root facts, -v
 *   > transcript line                           root log, -vv
 *   [CRITICAL] mx1.example.com: node text       a host: [worst] name: text
 *     - CRITICAL: finding text (RFC 5280 4.1.2.5) [certificate-expired]
 *     - OK: finding text                        OK findings only with -v
 *     tls: TLSv1.3                              facts, -v
 *     > S: 220 mx1 ESMTP                        log, -vv
 *     [CRITICAL] 192.0.2.1: node text           its children, same format
 *   [OK] mx2.example.com                        ": text" only when set
 *
 * A node's own lines (findings, facts, log) come before its children.
 * Perfdata of the whole tree (root, then children depth-first) is on
 * line 1; labels are single-quoted with ' and = turned into _; trailing
 * empty fields dropped; entries whose value is not finite are left out.
 * Over OUTPUT_CAP, line 1 drops perfdata entries from its end until it
 * fits, and long output ends at a line boundary with
 * "... (output truncated, N more lines)".
 *
 * JSON (all levels of detail whatever verbose, no size cap), one line:
 *   {"label":"SMTP STARTTLS","state":"CRITICAL","exit_code":2,
 *    "summary":"...","perfdata":[PERF...],"tree":NODE}
 *   NODE  {"kind":"check"|"host"|"address"|"record","name":S|null,
 *          "state":worst,"text":S|null,"findings":[FIND...],
 *          "facts":{"key":"value",...},"perfdata":[PERF...],
 *          "log":["line",...],"children":[NODE...]}
 *   FIND  {"state":"WARNING","rule":S|null,"token":S|null,"text":S}
 *   PERF  {"label":S,"value":N,"uom":"s"|"",["warn":S,]["crit":S,]
 *          ["min":N,]["max":N]}
 * The top-level perfdata lists every node's entries in tree order.
 *
 * OpenMetrics (docs/openmetrics.md): every family a gauge with HELP and
 * TYPE, written once, "# EOF" last. Base labels plugin (the label in
 * lower case, '_' for the rest: "smtp_starttls", "mta_sts", "tlsa",
 * "tlsrpt") and target (the root's name); a host node adds host=, an
 * address node host= (its parent) and address=, a record node record=.
 *   mailtls_check_state          the exit code
 *   mailtls_node_state           each host, address and record's state
 *   mailtls_<perfdata label>     each perfdata entry, the node's "<name>_"
 *                                prefix dropped, in base units: s, ms and
 *                                us as _seconds, B..TB as _bytes, % as
 *                                _ratio; "_total" becomes "_all"; a name
 *                                of the renderer's own gets "_value"
 *   mailtls_..._expiry_timestamp_seconds  for each *cert_remaining: the
 *                                instant (clock_wall() + remaining)
 *   mailtls_<fact>_info          1, the value in the label <fact>, for the
 *                                facts tls_version, cipher, mode,
 *                                tlsa_match, tlsa_base, dnssec, mx_dnssec, id
 *   series of result_series()    by their own name, type and labels, after
 *                                the node's perfdata (a perf entry marked
 *                                with result_perf_om_skip() is left out)
 * Non-finite values are left out. In JSON a node with series adds
 * "series":[{"name":S,"labels":{"k":"v",...},"value":N},...].
 */
#ifndef MAILTLS_OUTPUT_H
#define MAILTLS_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum mt_state {
	MT_OK = 0,
	MT_WARNING = 1,
	MT_CRITICAL = 2,
	MT_UNKNOWN = 3,
};

#define OUTPUT_CAP 8192	   /* Nagios' output limit, bytes incl. newline */
#define SANITIZE_MAX 200   /* default bound for one peer string */

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *state_name(enum mt_state s);
/* MP max_state_alt: CRITICAL > WARNING > UNKNOWN > OK. */
enum mt_state state_worst(enum mt_state a, enum mt_state b);
/* "ok", "warning", "critical", "unknown" in any case, or "0".."3". */
int state_parse(const char *s, enum mt_state *out);

/*
 * Copies src (srclen bytes, NULs included) into dst for printing: control
 * characters, DEL, bytes >= 0x80 and '|' become '?' (so runs of binary
 * stay visible but harmless), at most maxlen input bytes are taken and
 * "..." marks a cut. dst always NUL-terminated. Returns strlen(dst).
 */
size_t text_sanitize(char *dst, size_t dstsz, const char *src, size_t srclen,
		     size_t maxlen);

enum node_kind {
	NODE_CHECK,
	NODE_HOST,
	NODE_ADDRESS,
	NODE_RECORD,
};

struct finding {
	enum mt_state state;
	char *rule;  /* e.g. "RFC 3207 4" or "SMTP-07"; may be NULL */
	char *token; /* RFC 8460 result type, e.g. "starttls-not-supported" */
	char *text;
	struct finding *next;
};

struct fact {
	char *key;
	char *value;
	struct fact *next;
};

struct perf {
	char *label;
	double value;
	char uom[3];
	char *warn; /* range text, may be NULL */
	char *crit;
	bool has_min, has_max;
	double min, max;
	bool om_skip; /* a series (below) says it in OpenMetrics */
	struct perf *next;
};

/* A labelled OpenMetrics sample (result_series). */
struct series {
	char *name;   /* the sample name, e.g. mailtls_tlsrpt_sessions_total */
	char *help;
	bool counter; /* TYPE counter (name ends in _total), else gauge */
	char **kv;    /* nlab label names and values, alternating */
	size_t nlab;
	double value;
	struct series *next;
};

struct node {
	enum node_kind kind;
	char *name;
	char *text;	     /* one line, may be NULL */
	enum mt_state state; /* worst of own findings (kept as added) */
	enum mt_state worst; /* of the subtree, set by result_finish() */
	struct finding *findings, *findings_tail;
	struct fact *facts, *facts_tail;
	struct perf *perf, *perf_tail;
	struct node *children, *children_tail;
	struct series *series, *series_tail;
	struct node *next;
	struct node *parent;
	char **log; /* transcript lines for -vv (sanitised) */
	size_t nlog;
	bool log_always; /* show the log at every verbosity */
};

struct node *result_new(enum node_kind kind, const char *name);
struct node *result_child(struct node *parent, enum node_kind kind,
			  const char *name);
/* Appends n (made by result_new(), with its subtree) to parent's
 * children. */
void result_adopt(struct node *parent, struct node *n);
/* Adds a finding; rule and token may be NULL. The text is sanitised. */
void result_add(struct node *n, enum mt_state st, const char *rule,
		const char *token, const char *fmt, ...) UTIL_PRINTF(5, 6);
/* Sets the node's one-line text (sanitised). */
void result_text(struct node *n, const char *fmt, ...) UTIL_PRINTF(2, 3);
/* Adds a fact (value sanitised); a key added again replaces its value. */
void result_fact(struct node *n, const char *key, const char *fmt, ...)
	UTIL_PRINTF(3, 4);
/* Looks up a fact's value, or NULL. */
const char *result_fact_get(const struct node *n, const char *key);
/* Adds a transcript line, shown with -vv (sanitised, bounded). */
void result_log(struct node *n, const char *fmt, ...) UTIL_PRINTF(2, 3);
/* Shows n's transcript lines at every verbosity (a fetched document that
 * belongs in the long output, such as an MTA-STS policy). */
void result_show_log(struct node *n);
/*
 * Adds perfdata. label: stable ASCII, quoted on output; uom: "", "s",
 * "ms", "us", "%", "B", "KB", "MB", "TB", "c"; warn/crit: range text or
 * NULL. min/max are printed when the matching has_ flag is set.
 * Any other uom is stored as "". A NaN or infinite value is never
 * printed (INTERFACE.md: omit what is unknown, never "U").
 */
struct perf *result_perf(struct node *n, const char *label, double value,
			 const char *uom, const char *warn, const char *crit);
void result_perf_minmax(struct perf *p, bool has_min, double min, bool has_max,
			double max);
/* Leaves p out of the OpenMetrics rendering: a series says the same. */
void result_perf_om_skip(struct perf *p);
/*
 * Adds a labelled sample for OpenMetrics (and JSON's "series"; Nagios
 * output ignores it): name is the whole sample name ("mailtls_..."),
 * [a-z0-9_] only; counter makes the family a counter, and then name must
 * end in "_total" (Prometheus' text format, which promtool checks, names
 * a counter's family with it). The varargs are label name and value
 * pairs (const char *), ended by NULL; names are [a-z_], values are
 * sanitised as peer text. The samples follow the node's own labels
 * (plugin, target, host...). A non-finite value is never rendered.
 */
void result_series(struct node *n, const char *name, bool counter,
		   const char *help, double value, ...)
	__attribute__((sentinel));
/* Computes n->worst for every node of the tree (own state, findings,
 * children), returns the root's. */
enum mt_state result_finish(struct node *root);
void result_free(struct node *n);

/*
 * For line 1: appends up to max findings in state `worst`, depth-first
 * from root, each "; "-separated and named by where it stands: a host's
 * as "HOST: text", an address's as "HOST[ADDR]: text" (one per address),
 * the root's and a record's as the text alone; the root gives at most
 * max - 1 so that a host's failure is named too. Appends "; " after the
 * last one. Returns how many it named. Call after result_finish().
 */
size_t output_name_worst(const struct node *root, enum mt_state worst,
			 size_t max, struct buf *out);

enum out_format {
	OUT_NAGIOS,
	OUT_JSON,
	OUT_OPENMETRICS,
};
/* "nagios", "json", "openmetrics" (ASCII case-insensitive); 0 or -1. */
int output_format_parse(const char *s, enum out_format *out);

/*
 * Renders a finished tree. label: the plugin's fixed label ("SMTP
 * STARTTLS"); summary: line 1 after "STATE - " (sanitised again here);
 * verbose: 0 long output of hosts/addresses and non-OK findings, 1 adds OK
 * findings and facts, 2 adds transcripts. Perfdata of every node goes on
 * line 1. The result is NUL-terminated in *out (caller frees).
 * The text is appended to *out, normally a fresh buf_init() buffer; the
 * state printed is root->worst and the exit code a plugin returns.
 */
void output_render(const struct node *root, const char *label,
		   const char *summary, enum out_format fmt, int verbose,
		   struct buf *out);

#endif
