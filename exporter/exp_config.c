/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * exp_config.c: mailtls_exporter's modules. The checks are modules of
 * their own name with their defaults; a YAML file (libyaml's document
 * API) in blackbox_exporter's shape adds named modules, each with its
 * check, a timeout and the plugin's long options without their dashes (a
 * list for a repeatable option, true for a flag, false to leave it out):
 *
 *   modules:
 *     strict_sts:
 *       check: mta_sts
 *       timeout: 15s
 *       options: {resolver: [192.0.2.53], check-mx: true}
 *
 * The parser is pure (bytes in, a config or a reason with line and column
 * out). exp_argv_build() turns a module and a validated target into the
 * argv of one run; option values go as "--name=value", one argv entry,
 * so a value can never be read as another option, and nothing passes
 * through a shell.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "exporter.h"

static const struct exp_check_info checks[EXP_CHECK_COUNT] = {
	[EXP_CHECK_SMTP_STARTTLS] = {"smtp_starttls", "check_smtp_starttls",
				     true, true},
	[EXP_CHECK_MTA_STS] = {"mta_sts", "check_mta_sts", false, true},
	[EXP_CHECK_TLSA] = {"tlsa", "check_tlsa", true, true},
	[EXP_CHECK_TLSRPT_RECORD] = {"tlsrpt_record", "check_tlsrpt_record",
				     false, true},
	[EXP_CHECK_MAILTLS] = {"mailtls", "check_mailtls", false, true},
	/* reads a Maildir: needs `maildir` or `dir` in options, so it is a
	 * check for config modules only */
	[EXP_CHECK_TLSRPT_REPORTS] = {"tlsrpt_reports", "check_tlsrpt_reports",
				      false, false},
};

/* Options the exporter sets itself: a module may not. */
static const char *const reserved_opts[] = {
	"domain", "hostname", "port", "timeout", "output-format", "help",
	"version", NULL,
};

const struct exp_check_info *
exp_check_info(enum exp_check c)
{
	return &checks[c];
}

int
exp_check_lookup(const char *name, enum exp_check *c)
{
	for (size_t i = 0; i < EXP_CHECK_COUNT; i++) {
		if (strcmp(checks[i].name, name) == 0) {
			*c = (enum exp_check)i;
			return 0;
		}
	}
	return -1;
}

static struct exp_module builtin_mods[EXP_CHECK_COUNT];
static size_t builtin_n;

static void
builtin_init(void)
{
	/* called from main() before threads start (exp_config_builtin) */
	if (builtin_n != 0)
		return;
	for (size_t i = 0; i < EXP_CHECK_COUNT; i++) {
		if (!checks[i].builtin)
			continue;
		builtin_mods[builtin_n].name = (char *)checks[i].name;
		builtin_mods[builtin_n].check = (enum exp_check)i;
		builtin_mods[builtin_n].timeout_s = EXP_TIMEOUT_DEFAULT;
		builtin_n++;
	}
}

static void
module_clear(struct exp_module *m)
{
	free(m->name);
	for (size_t i = 0; i < m->nopts; i++)
		free(m->opts[i].arg);
	free(m->opts);
	memset(m, 0, sizeof(*m));
}

void
exp_config_free(struct exp_config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		module_clear(&c->mods[i]);
	free(c->mods);
	free(c);
}

struct exp_config *
exp_config_builtin(void)
{
	builtin_init();
	return xcalloc(1, sizeof(struct exp_config));
}

const struct exp_module *
exp_config_find(const struct exp_config *c, const char *name)
{
	if (c != NULL) {
		for (size_t i = 0; i < c->n; i++)
			if (strcmp(c->mods[i].name, name) == 0)
				return &c->mods[i];
	}
	builtin_init();
	for (size_t i = 0; i < builtin_n; i++)
		if (strcmp(builtin_mods[i].name, name) == 0)
			return &builtin_mods[i];
	return NULL;
}

/* ---- the YAML file ---- */

struct pctx {
	yaml_document_t *doc;
	char *why;
	size_t whysz;
};

static int
perr(struct pctx *p, const yaml_node_t *n, const char *fmt, ...)
	UTIL_PRINTF(3, 4);

static int
perr(struct pctx *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[EXP_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n != NULL)
		snprintf(p->why, p->whysz, "line %zu column %zu: %s",
			 (size_t)n->start_mark.line + 1,
			 (size_t)n->start_mark.column + 1, msg);
	else
		snprintf(p->why, p->whysz, "%s", msg);
	return -1;
}

static const char *
scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* A module name: letters, digits, '_' and '-', 1 to EXP_MODULE_MAX. */
static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > EXP_MODULE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* A long option name: lower-case letters, digits and '-', not starting
 * with '-' (the dashes are ours), at most 40 bytes. */
static bool
optname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 40 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

/* A value: printable bytes (UTF-8 allowed), no control characters. */
static bool
value_ok(const char *s)
{
	size_t n = strlen(s);

	if (n > EXP_OPT_VALUE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

/* YAML 1.1 booleans as libyaml leaves them: plain scalars only. */
static int
scalar_bool(const yaml_node_t *n, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes",
					  "YES", "on", "On", "ON", NULL};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No",
					 "NO", "off", "Off", "OFF", NULL};
	const char *s = scalar(n);

	if (s == NULL || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return -1;
	for (size_t i = 0; yes[i] != NULL; i++)
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
	for (size_t i = 0; no[i] != NULL; i++)
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	return -1;
}

static int
opt_add(struct pctx *p, struct exp_module *m, const yaml_node_t *at,
	const char *name, const char *value)
{
	if (m->nopts >= EXP_OPTS_MAX)
		return perr(p, at, "module %s: more than %d options", m->name,
			    EXP_OPTS_MAX);
	m->opts = xrealloc(m->opts, (m->nopts + 1) * sizeof(*m->opts));
	m->opts[m->nopts].arg = value == NULL
					? xasprintf("--%s", name)
					: xasprintf("--%s=%s", name, value);
	m->nopts++;
	return 0;
}

static int
opt_value(struct pctx *p, struct exp_module *m, const char *name,
	  const yaml_node_t *v)
{
	bool flag;

	if (v->type == YAML_SCALAR_NODE) {
		if (scalar_bool(v, &flag) == 0)
			return flag ? opt_add(p, m, v, name, NULL) : 0;
		if (!value_ok(scalar(v)))
			return perr(p, v,
				    "module %s: option %s: value over %d "
				    "bytes or with a control character",
				    m->name, name, EXP_OPT_VALUE_MAX);
		return opt_add(p, m, v, name, scalar(v));
	}
	if (v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(p->doc, *it);
			if (e == NULL || e->type != YAML_SCALAR_NODE)
				return perr(p, e,
					    "module %s: option %s: a list "
					    "holds scalars only",
					    m->name, name);
			if (!value_ok(scalar(e)))
				return perr(p, e,
					    "module %s: option %s: value over "
					    "%d bytes or with a control "
					    "character",
					    m->name, name, EXP_OPT_VALUE_MAX);
			if (opt_add(p, m, e, name, scalar(e)) < 0)
				return -1;
		}
		return 0;
	}
	return perr(p, v,
		    "module %s: option %s: a value, a list or true, not a "
		    "mapping",
		    m->name, name);
}

static int
parse_options(struct pctx *p, struct exp_module *m, const yaml_node_t *n)
{
	if (n->type == YAML_SCALAR_NODE && scalar(n)[0] == '\0')
		return 0; /* "options:" with nothing under it */
	if (n->type != YAML_MAPPING_NODE)
		return perr(p, n, "module %s: options must be a mapping",
			    m->name);
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
		const char *name = scalar(k);

		if (name == NULL || v == NULL)
			return perr(p, k, "module %s: an option name must be "
					  "a scalar", m->name);
		if (!optname_ok(name))
			return perr(p, k,
				    "module %s: '%.40s' is no long option "
				    "name (lower-case letters, digits, '-'; "
				    "no leading dashes)",
				    m->name, name);
		for (size_t i = 0; reserved_opts[i] != NULL; i++)
			if (strcmp(name, reserved_opts[i]) == 0)
				return perr(p, k,
					    "module %s: option %s is set by "
					    "the exporter (the target, the "
					    "timeout, the output format)",
					    m->name, name);
		if (opt_value(p, m, name, v) < 0)
			return -1;
	}
	return 0;
}

static int
parse_module(struct pctx *p, struct exp_module *m, const yaml_node_t *n)
{
	bool have_check = false;
	const char *why;

	m->timeout_s = EXP_TIMEOUT_DEFAULT;
	if (n->type != YAML_MAPPING_NODE)
		return perr(p, n, "module %s must be a mapping", m->name);
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
		const char *key = scalar(k);

		if (key == NULL || v == NULL)
			return perr(p, k, "module %s: keys must be scalars",
				    m->name);
		if (strcmp(key, "check") == 0 || strcmp(key, "prober") == 0) {
			if (scalar(v) == NULL ||
			    exp_check_lookup(scalar(v), &m->check) < 0)
				return perr(p, v,
					    "module %s: check must be one of "
					    "smtp_starttls, mta_sts, tlsa, "
					    "tlsrpt_record, mailtls, "
					    "tlsrpt_reports",
					    m->name);
			have_check = true;
		} else if (strcmp(key, "timeout") == 0) {
			if (scalar(v) == NULL ||
			    exp_duration_parse(scalar(v), &m->timeout_s, &why) <
				    0)
				return perr(p, v, "module %s: timeout: %s",
					    m->name,
					    scalar(v) == NULL ? "not a scalar"
							      : why);
		} else if (strcmp(key, "options") == 0) {
			if (parse_options(p, m, v) < 0)
				return -1;
		} else {
			return perr(p, k,
				    "module %s: unknown key '%.40s' (check, "
				    "timeout, options)",
				    m->name, key);
		}
	}
	if (!have_check)
		return perr(p, n, "module %s: no check", m->name);
	return 0;
}

static int
parse_root(struct pctx *p, struct exp_config *c)
{
	yaml_node_t *root = yaml_document_get_root_node(p->doc);

	if (root == NULL)
		return 0; /* an empty file: no modules */
	if (root->type == YAML_SCALAR_NODE && scalar(root)[0] == '\0')
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return perr(p, root, "the file must be a mapping with "
				     "'modules'");
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
		const char *key = scalar(k);

		if (key == NULL || strcmp(key, "modules") != 0)
			return perr(p, k, "unknown key '%.40s' (modules)",
				    key == NULL ? "(not a scalar)" : key);
		if (v->type == YAML_SCALAR_NODE && scalar(v)[0] == '\0')
			continue;
		if (v->type != YAML_MAPPING_NODE)
			return perr(p, v, "modules must be a mapping");
		for (yaml_node_pair_t *mp = v->data.mapping.pairs.start;
		     mp < v->data.mapping.pairs.top; mp++) {
			yaml_node_t *mk =
				yaml_document_get_node(p->doc, mp->key);
			yaml_node_t *mv =
				yaml_document_get_node(p->doc, mp->value);
			const char *name = scalar(mk);
			struct exp_module *m;

			if (name == NULL || !name_ok(name))
				return perr(p, mk,
					    "a module name is 1 to %d letters, "
					    "digits, '_' or '-'",
					    EXP_MODULE_MAX);
			for (size_t i = 0; i < c->n; i++)
				if (strcmp(c->mods[i].name, name) == 0)
					return perr(p, mk,
						    "module %s defined twice",
						    name);
			if (c->n >= EXP_MODULES_MAX)
				return perr(p, mk, "more than %d modules",
					    EXP_MODULES_MAX);
			c->mods = xrealloc(c->mods,
					   (c->n + 1) * sizeof(*c->mods));
			m = &c->mods[c->n++];
			memset(m, 0, sizeof(*m));
			m->name = xstrdup(name);
			if (parse_module(p, m, mv) < 0)
				return -1;
		}
	}
	return 0;
}

struct exp_config *
exp_config_parse(const char *buf, size_t len, char *why, size_t whysz)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct exp_config *c;
	struct pctx p = {&doc, why, whysz};
	int rc;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(why, whysz, "libyaml: out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(why, whysz, "YAML: line %zu column %zu: %.100s",
			 (size_t)parser.problem_mark.line + 1,
			 (size_t)parser.problem_mark.column + 1,
			 parser.problem != NULL ? parser.problem : "error");
		yaml_parser_delete(&parser);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	rc = parse_root(&p, c);
	if (rc == 0) {
		/* a second document is a mistake, not something to ignore */
		yaml_document_t extra;
		if (yaml_parser_load(&parser, &extra)) {
			if (yaml_document_get_root_node(&extra) != NULL)
				rc = perr(&p, NULL,
					  "more than one YAML document");
			yaml_document_delete(&extra);
		} else {
			rc = perr(&p, NULL, "YAML: %.100s after the document",
				  parser.problem != NULL ? parser.problem
							 : "error");
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc < 0) {
		exp_config_free(c);
		return NULL;
	}
	return c;
}

struct exp_config *
exp_config_load(const char *path, char *why, size_t whysz)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	struct exp_config *c;

	if (f == NULL) {
		snprintf(why, whysz, "%.200s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc((1u << 20) + 1);
	n = fread(buf, 1, (1u << 20) + 1, f);
	if (ferror(f) || n > (1u << 20)) {
		snprintf(why, whysz, "%.200s: %s", path,
			 ferror(f) ? "read error" : "over 1 MiB");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	c = exp_config_parse(buf, n, why, whysz);
	free(buf);
	return c;
}

/* ---- one run's argv ---- */

char **
exp_argv_build(const char *plugindir, const struct exp_module *m,
	       const char *target, int plugin_t, bool nagios, char *why,
	       size_t whysz)
{
	const struct exp_check_info *ci = &checks[m->check];
	struct exp_target t;
	char **argv;
	size_t n = 0;

	if (exp_target_check(target, &t, why, whysz) < 0)
		return NULL;
	if (t.port != 0 && !ci->takes_host) {
		snprintf(why, whysz,
			 "check %s takes a domain, not host:port", ci->name);
		return NULL;
	}
	argv = xcalloc(m->nopts + 10, sizeof(char *));
	argv[n++] = xasprintf("%s/%s", plugindir, ci->plugin);
	if (t.port != 0) {
		argv[n++] = xstrdup("-H");
		argv[n++] = xstrdup(t.host);
		argv[n++] = xasprintf("--port=%d", t.port);
	} else {
		argv[n++] = xstrdup("-D");
		argv[n++] = xstrdup(t.host);
	}
	argv[n++] = xasprintf("--timeout=%d", plugin_t);
	if (!nagios)
		argv[n++] = xstrdup("--output-format=openmetrics");
	for (size_t i = 0; i < m->nopts; i++)
		argv[n++] = xstrdup(m->opts[i].arg);
	argv[n] = NULL;
	return argv;
}

void
exp_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (size_t i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}
