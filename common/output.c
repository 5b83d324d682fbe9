/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * output.c: the result tree (check -> host -> address/record -> finding),
 * the state arithmetic and the three renderers (STYLE.md 5).
 *
 * Rules implemented: exit states 0-3 and their ranking CRITICAL > WARNING >
 * UNKNOWN > OK (MP max_state_alt; CONFORMANCE GEN-01, GEN-04); line 1
 * "LABEL STATE - summary | perfdata" with all perfdata there and '|'
 * nowhere else (OUT-01 to OUT-03); perfdata syntax with quoted labels,
 * '.' as the decimal separator and trailing empty fields dropped (OUT-04);
 * peer text sanitised and bounded, and the whole Nagios output under
 * OUTPUT_CAP bytes with long output cut from its end (INTERFACE.md
 * "Output"). Every string is sanitised when stored, so the renderers only
 * assemble; they never allocate the tree or change it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "output.h"

#define TEXT_MAX (SANITIZE_MAX * 4) /* result_add, result_text, summary */
#define LOG_MAX 600		    /* one transcript line */

static const char *const state_names[] = {"OK", "WARNING", "CRITICAL",
					  "UNKNOWN"};

const char *
state_name(enum mt_state s)
{
	if ((unsigned)s > MT_UNKNOWN)
		return "UNKNOWN";
	return state_names[s];
}

/* max_state_alt order; anything out of range counts as UNKNOWN. */
static int
state_rank(enum mt_state s)
{
	switch (s) {
	case MT_OK:
		return 0;
	case MT_WARNING:
		return 2;
	case MT_CRITICAL:
		return 3;
	default:
		return 1;
	}
}

enum mt_state
state_worst(enum mt_state a, enum mt_state b)
{
	enum mt_state w = state_rank(a) >= state_rank(b) ? a : b;

	return (unsigned)w > MT_UNKNOWN ? MT_UNKNOWN : w;
}

int
state_parse(const char *s, enum mt_state *out)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i <= MT_UNKNOWN; i++) {
		if (util_strcasecmp(s, state_names[i]) == 0 ||
		    (s[0] == '0' + i && s[1] == '\0')) {
			*out = (enum mt_state)i;
			return 0;
		}
	}
	return -1;
}

size_t
text_sanitize(char *dst, size_t dstsz, const char *src, size_t srclen,
	      size_t maxlen)
{
	size_t n, avail, i, o;
	bool cut;

	if (dstsz == 0)
		return 0;
	if (src == NULL)
		srclen = 0;
	avail = dstsz - 1;
	n = srclen < maxlen ? srclen : maxlen;
	cut = srclen > maxlen;
	if (n > avail || (cut && n + 3 > avail)) {
		cut = true;
		n = avail >= 3 ? avail - 3 : 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c >= 0x7f || c == '|') ? '?' : (char)c;
	}
	o = n;
	if (cut)
		for (i = 0; i < 3 && o < avail; i++)
			dst[o++] = '.';
	dst[o] = '\0';
	return o;
}

/* A sanitised heap copy of s bounded to max input bytes; NULL stays NULL. */
static char *
clean_dup(const char *s, size_t max)
{
	size_t len, sz;
	char *d;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	sz = (len < max ? len : max) + 4;
	d = xmalloc(sz);
	text_sanitize(d, sz, s, len, max);
	return d;
}

static char *clean_vfmt(size_t max, const char *fmt, va_list ap)
    UTIL_PRINTF(2, 0);

static char *
clean_vfmt(size_t max, const char *fmt, va_list ap)
{
	struct buf b;
	char *d;

	buf_init(&b);
	buf_vprintf(&b, fmt, ap);
	d = clean_dup(b.p, max);
	buf_free(&b);
	return d;
}

struct node *
result_new(enum node_kind kind, const char *name)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->name = clean_dup(name, SANITIZE_MAX);
	n->state = MT_OK;
	n->worst = MT_OK;
	return n;
}

void
result_adopt(struct node *parent, struct node *n)
{
	n->parent = parent;
	n->next = NULL;
	if (parent->children_tail != NULL)
		parent->children_tail->next = n;
	else
		parent->children = n;
	parent->children_tail = n;
}

struct node *
result_child(struct node *parent, enum node_kind kind, const char *name)
{
	struct node *n = result_new(kind, name);

	n->parent = parent;
	if (parent->children_tail != NULL)
		parent->children_tail->next = n;
	else
		parent->children = n;
	parent->children_tail = n;
	return n;
}

void
result_add(struct node *n, enum mt_state st, const char *rule,
	   const char *token, const char *fmt, ...)
{
	struct finding *f = xcalloc(1, sizeof(*f));
	va_list ap;

	f->state = st;
	f->rule = clean_dup(rule, SANITIZE_MAX);
	f->token = clean_dup(token, SANITIZE_MAX);
	va_start(ap, fmt);
	f->text = clean_vfmt(TEXT_MAX, fmt, ap);
	va_end(ap);
	if (n->findings_tail != NULL)
		n->findings_tail->next = f;
	else
		n->findings = f;
	n->findings_tail = f;
	n->state = state_worst(n->state, st);
}

void
result_text(struct node *n, const char *fmt, ...)
{
	va_list ap;

	free(n->text);
	va_start(ap, fmt);
	n->text = clean_vfmt(TEXT_MAX, fmt, ap);
	va_end(ap);
}

void
result_fact(struct node *n, const char *key, const char *fmt, ...)
{
	char *k = clean_dup(key != NULL ? key : "", SANITIZE_MAX), *v;
	struct fact *f;
	va_list ap;

	va_start(ap, fmt);
	v = clean_vfmt(SANITIZE_MAX, fmt, ap);
	va_end(ap);
	for (f = n->facts; f != NULL; f = f->next) {
		if (strcmp(f->key, k) == 0) {
			free(k);
			free(f->value);
			f->value = v;
			return;
		}
	}
	f = xcalloc(1, sizeof(*f));
	f->key = k;
	f->value = v;
	if (n->facts_tail != NULL)
		n->facts_tail->next = f;
	else
		n->facts = f;
	n->facts_tail = f;
}

const char *
result_fact_get(const struct node *n, const char *key)
{
	const struct fact *f;

	for (f = n->facts; f != NULL; f = f->next)
		if (strcmp(f->key, key) == 0)
			return f->value;
	return NULL;
}

void
result_log(struct node *n, const char *fmt, ...)
{
	va_list ap;

	/* Capacity doubles whenever nlog reaches a power of two. */
	if (n->nlog == 0 || (n->nlog & (n->nlog - 1)) == 0) {
		if (n->nlog > SIZE_MAX / 2 / sizeof(*n->log))
			util_oom();
		n->log = xrealloc(n->log, (n->nlog ? n->nlog * 2 : 1) *
					      sizeof(*n->log));
	}
	va_start(ap, fmt);
	n->log[n->nlog++] = clean_vfmt(LOG_MAX, fmt, ap);
	va_end(ap);
}

static void
name_worst(const struct node *n, enum mt_state worst, size_t max,
	   size_t root_max, size_t *named, struct buf *out)
{
	size_t here = 0;

	for (const struct finding *f = n->findings; f && *named < max;
	     f = f->next) {
		struct buf item;
		bool again;

		if (f->state != worst)
			continue;
		if (n->parent == NULL && here == root_max)
			break;
		buf_init(&item);
		if (n->kind == NODE_HOST)
			buf_printf(&item, "%s: ", n->name);
		else if (n->kind == NODE_ADDRESS && n->parent != NULL)
			buf_printf(&item, "%s[%s]: ", n->parent->name, n->name);
		buf_puts(&item, f->text);
		/* the same words from another mechanism's subtree once
		 * (check_mailtls) */
		again = *named > 0 && strstr(out->p, item.p) != NULL;
		if (!again) {
			buf_puts(out, *named ? "; " : "");
			buf_puts(out, item.p);
		}
		buf_free(&item);
		if (again)
			continue;
		(*named)++;
		here++;
		if (n->kind == NODE_ADDRESS)
			break;
	}
	for (const struct node *c = n->children; c && *named < max; c = c->next)
		name_worst(c, worst, max, root_max, named, out);
}

size_t
output_name_worst(const struct node *root, enum mt_state worst, size_t max,
		  struct buf *out)
{
	size_t named = 0;

	name_worst(root, worst, max, max > 1 ? max - 1 : max, &named, out);
	if (named)
		buf_puts(out, "; ");
	return named;
}

void
result_show_log(struct node *n)
{
	n->log_always = true;
}

/* Units of INTERFACE.md; anything else is dropped (no unit). */
static const char *
uom_check(const char *uom)
{
	static const char *const ok[] = {"s",  "ms", "us", "%", "B",
					 "KB", "MB", "TB", "c"};
	size_t i;

	if (uom == NULL)
		return "";
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(uom, ok[i]) == 0)
			return ok[i];
	return "";
}

struct perf *
result_perf(struct node *n, const char *label, double value, const char *uom,
	    const char *warn, const char *crit)
{
	struct perf *p = xcalloc(1, sizeof(*p));

	p->label = clean_dup(label != NULL ? label : "", SANITIZE_MAX);
	p->value = value;
	util_strlcpy(p->uom, uom_check(uom), sizeof(p->uom));
	p->warn = clean_dup(warn, SANITIZE_MAX);
	p->crit = clean_dup(crit, SANITIZE_MAX);
	if (n->perf_tail != NULL)
		n->perf_tail->next = p;
	else
		n->perf = p;
	n->perf_tail = p;
	return p;
}

void
result_perf_om_skip(struct perf *p)
{
	p->om_skip = true;
}

void
result_series(struct node *n, const char *name, bool counter,
	      const char *help, double value, ...)
{
	struct series *s = xcalloc(1, sizeof(*s));
	const char *k, *v;
	size_t cap = 0;
	va_list ap;

	s->name = clean_dup(name, SANITIZE_MAX);
	s->help = clean_dup(help != NULL ? help : "", TEXT_MAX);
	s->counter = counter;
	s->value = value;
	va_start(ap, value);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (s->nlab + 2 > cap) {
			cap = cap ? cap * 2 : 8;
			s->kv = xrealloc(s->kv, cap * sizeof(*s->kv));
		}
		s->kv[s->nlab++] = clean_dup(k, SANITIZE_MAX);
		s->kv[s->nlab++] = clean_dup(v != NULL ? v : "", SANITIZE_MAX);
	}
	va_end(ap);
	s->nlab /= 2;
	if (n->series_tail != NULL)
		n->series_tail->next = s;
	else
		n->series = s;
	n->series_tail = s;
}

void
result_perf_minmax(struct perf *p, bool has_min, double min, bool has_max,
		   double max)
{
	p->has_min = has_min;
	p->min = min;
	p->has_max = has_max;
	p->max = max;
}

enum mt_state
result_finish(struct node *root)
{
	const struct finding *f;
	struct node *c;
	enum mt_state w;

	if (root == NULL)
		return MT_UNKNOWN;
	w = state_worst(MT_OK, root->state);
	for (f = root->findings; f != NULL; f = f->next)
		w = state_worst(w, f->state);
	for (c = root->children; c != NULL; c = c->next)
		w = state_worst(w, result_finish(c));
	root->worst = w;
	return w;
}

void
result_free(struct node *n)
{
	struct finding *f, *fn;
	struct fact *a, *an;
	struct perf *p, *pn;
	struct node *c, *cn;
	size_t i;

	if (n == NULL)
		return;
	for (f = n->findings; f != NULL; f = fn) {
		fn = f->next;
		free(f->rule);
		free(f->token);
		free(f->text);
		free(f);
	}
	for (a = n->facts; a != NULL; a = an) {
		an = a->next;
		free(a->key);
		free(a->value);
		free(a);
	}
	for (p = n->perf; p != NULL; p = pn) {
		pn = p->next;
		free(p->label);
		free(p->warn);
		free(p->crit);
		free(p);
	}
	for (c = n->children; c != NULL; c = cn) {
		cn = c->next;
		result_free(c);
	}
	while (n->series != NULL) {
		struct series *s = n->series;

		n->series = s->next;
		for (i = 0; i < s->nlab * 2; i++)
			free(s->kv[i]);
		free(s->kv);
		free(s->name);
		free(s->help);
		free(s);
	}
	for (i = 0; i < n->nlog; i++)
		free(n->log[i]);
	free(n->log);
	free(n->name);
	free(n->text);
	free(n);
}

int
output_format_parse(const char *s, enum out_format *out)
{
	static const struct {
		const char *name;
		enum out_format fmt;
	} tab[] = {
	    {"nagios", OUT_NAGIOS},
	    {"json", OUT_JSON},
	    {"openmetrics", OUT_OPENMETRICS},
	};
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (util_strcasecmp(s, tab[i].name) == 0) {
			*out = tab[i].fmt;
			return 0;
		}
	}
	return -1;
}

/* ---- rendering helpers ---- */

/* Grows an array of pointers by doubling when full. */
static void *
grow(void *v, size_t n, size_t *cap, size_t elsz)
{
	if (n < *cap)
		return v;
	if (*cap > SIZE_MAX / 2 / elsz)
		util_oom();
	*cap = *cap ? *cap * 2 : 16;
	return xrealloc(v, *cap * elsz);
}

/* Perfdata entries to print, in tree order. */
struct plist {
	const struct perf **v;
	size_t n, cap;
};

/* Long-output lines without their newline, owned by the list. */
struct lines {
	char **v;
	size_t n, cap;
};

static void
plist_add(struct plist *l, const struct perf *p)
{
	l->v = grow(l->v, l->n, &l->cap, sizeof(*l->v));
	l->v[l->n++] = p;
}

static void
lines_take(struct lines *l, struct buf *b)
{
	l->v = grow(l->v, l->n, &l->cap, sizeof(*l->v));
	l->v[l->n++] = buf_take(b);
}

/* Perfdata in tree order (node, then its children depth-first); entries
 * whose value is not finite are left out (never "U"). */
static void
collect_perf(const struct node *n, struct plist *l)
{
	const struct perf *p;
	const struct node *c;

	for (p = n->perf; p != NULL; p = p->next)
		if (isfinite(p->value))
			plist_add(l, p);
	for (c = n->children; c != NULL; c = c->next)
		collect_perf(c, l);
}

static void
buf_num(struct buf *b, double v)
{
	char num[64];

	buf_puts(b, util_fmt_double(num, sizeof(num), v));
}

/* 'label'=value[uom];[warn];[crit];[min];[max], trailing empties dropped. */
static void
perf_nagios(struct buf *b, const struct perf *p)
{
	char mn[64] = "", mx[64] = "";
	const char *f[4], *s;
	int i, last = -1;

	buf_putc(b, '\'');
	for (s = p->label; *s != '\0'; s++)
		buf_putc(b, (*s == '\'' || *s == '=') ? '_' : *s);
	buf_puts(b, "'=");
	buf_num(b, p->value);
	buf_puts(b, p->uom);
	if (p->has_min && isfinite(p->min))
		util_fmt_double(mn, sizeof(mn), p->min);
	if (p->has_max && isfinite(p->max))
		util_fmt_double(mx, sizeof(mx), p->max);
	f[0] = p->warn != NULL ? p->warn : "";
	f[1] = p->crit != NULL ? p->crit : "";
	f[2] = mn;
	f[3] = mx;
	for (i = 0; i < 4; i++)
		if (f[i][0] != '\0')
			last = i;
	for (i = 0; i <= last; i++) {
		buf_putc(b, ';');
		buf_puts(b, f[i]);
	}
}

static void lines_add(struct lines *l, const char *fmt, ...) UTIL_PRINTF(2, 3);

static void
lines_add(struct lines *l, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	lines_take(l, &b);
}

/* A node's own findings, facts and transcript, each line indented. */
static void
lines_content(struct lines *l, const struct node *n, int indent, int verbose)
{
	const struct finding *f;
	const struct fact *a;
	struct buf b;
	size_t i;

	for (f = n->findings; f != NULL; f = f->next) {
		if (f->state == MT_OK && verbose < 1)
			continue;
		buf_init(&b);
		buf_printf(&b, "%*s- %s: %s", indent, "", state_name(f->state),
			   f->text);
		if (f->rule != NULL)
			buf_printf(&b, " (%s)", f->rule);
		if (f->token != NULL)
			buf_printf(&b, " [%s]", f->token);
		lines_take(l, &b);
	}
	if (verbose >= 1)
		for (a = n->facts; a != NULL; a = a->next)
			lines_add(l, "%*s%s: %s", indent, "", a->key, a->value);
	if (verbose >= 2 || n->log_always)
		for (i = 0; i < n->nlog; i++)
			lines_add(l, "%*s> %s", indent, "", n->log[i]);
}

static void
lines_node(struct lines *l, const struct node *n, int indent, int verbose)
{
	const struct node *c;
	bool has_text = n->text != NULL && n->text[0] != '\0';

	lines_add(l, "%*s[%s] %s%s%s", indent, "", state_name(n->worst),
		  n->name != NULL ? n->name : "(unnamed)", has_text ? ": " : "",
		  has_text ? n->text : "");
	lines_content(l, n, indent + 2, verbose);
	for (c = n->children; c != NULL; c = c->next)
		lines_node(l, c, indent + 2, verbose);
}

static size_t
trunc_len(size_t more)
{
	char tmp[96];
	int n = snprintf(tmp, sizeof(tmp),
			 "... (output truncated, %zu more lines)\n", more);

	return n < 0 ? sizeof(tmp) : (size_t)n;
}

static void
render_nagios(const struct node *root, const char *label, const char *summary,
	      int verbose, struct buf *out)
{
	struct plist perf = {0};
	struct lines lines = {0};
	struct buf head, ent;
	size_t *ends = NULL, i, k, lo_total = 0, len, budget, total;
	char *clean;
	const struct node *c;

	/* "LABEL STATE - summary" */
	buf_init(&head);
	clean = clean_dup(label != NULL ? label : "", SANITIZE_MAX);
	buf_puts(&head, clean);
	free(clean);
	buf_putc(&head, ' ');
	buf_puts(&head, state_name(root->worst));
	if (summary != NULL && summary[0] != '\0') {
		clean = clean_dup(summary, TEXT_MAX);
		buf_puts(&head, " - ");
		buf_puts(&head, clean);
		free(clean);
	}

	/* Perfdata entries, joined in ent; ends[i] is where entry i ends. */
	collect_perf(root, &perf);
	buf_init(&ent);
	if (perf.n > 0)
		ends = xcalloc(perf.n, sizeof(*ends));
	for (i = 0; i < perf.n; i++) {
		if (i > 0)
			buf_putc(&ent, ' ');
		perf_nagios(&ent, perf.v[i]);
		ends[i] = ent.len;
	}

	/* Long output. */
	lines_content(&lines, root, 0, verbose);
	for (c = root->children; c != NULL; c = c->next)
		lines_node(&lines, c, 0, verbose);
	for (i = 0; i < lines.n; i++)
		lo_total += strlen(lines.v[i]) + 1;

	/* Line 1 keeps as many perfdata entries as fit (OUTPUT_CAP - 1 bytes
	 * of text in all, leaving room for the truncation line). */
	k = perf.n;
	len = head.len + (k > 0 ? 3 + ends[k - 1] : 0) + 1;
	if (len + lo_total > OUTPUT_CAP - 1) {
		budget =
		    OUTPUT_CAP - 1 - (lines.n > 0 ? trunc_len(lines.n) : 0);
		while (k > 0 && len > budget) {
			k--;
			len = head.len + (k > 0 ? 3 + ends[k - 1] : 0) + 1;
		}
	}
	buf_add(out, head.p, head.len);
	if (k > 0) {
		buf_puts(out, " | ");
		buf_add(out, ent.p, ends[k - 1]);
	}
	buf_putc(out, '\n');

	/* Long output, cut at a line boundary: while the rest does not fit,
	 * every line shown leaves room for the truncation line after it. */
	total = len;
	for (i = 0; i < lines.n; i++) {
		size_t l = strlen(lines.v[i]) + 1, need = l;

		if (total + lo_total > OUTPUT_CAP - 1 && i + 1 < lines.n)
			need += trunc_len(lines.n - i - 1);
		if (total + need > OUTPUT_CAP - 1)
			break;
		buf_add(out, lines.v[i], l - 1);
		buf_putc(out, '\n');
		total += l;
		lo_total -= l;
	}
	if (i < lines.n)
		buf_printf(out, "... (output truncated, %zu more lines)\n",
			   lines.n - i);

	for (i = 0; i < lines.n; i++)
		free(lines.v[i]);
	free(lines.v);
	free(perf.v);
	free(ends);
	buf_free(&ent);
	buf_free(&head);
}

/* ---- JSON ---- */

static void
json_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		default:
			if (c < 0x20 || c >= 0x7f)
				buf_printf(b, "\\u%04x", c);
			else
				buf_putc(b, (char)c);
		}
	}
	buf_putc(b, '"');
}

static void
json_perf(struct buf *b, const struct perf *p)
{
	buf_puts(b, "{\"label\":");
	json_str(b, p->label);
	buf_puts(b, ",\"value\":");
	buf_num(b, p->value);
	buf_puts(b, ",\"uom\":");
	json_str(b, p->uom);
	if (p->warn != NULL) {
		buf_puts(b, ",\"warn\":");
		json_str(b, p->warn);
	}
	if (p->crit != NULL) {
		buf_puts(b, ",\"crit\":");
		json_str(b, p->crit);
	}
	if (p->has_min && isfinite(p->min)) {
		buf_puts(b, ",\"min\":");
		buf_num(b, p->min);
	}
	if (p->has_max && isfinite(p->max)) {
		buf_puts(b, ",\"max\":");
		buf_num(b, p->max);
	}
	buf_putc(b, '}');
}

static const char *
kind_name(enum node_kind k)
{
	switch (k) {
	case NODE_CHECK:
		return "check";
	case NODE_HOST:
		return "host";
	case NODE_ADDRESS:
		return "address";
	case NODE_RECORD:
		return "record";
	}
	return "node";
}

static void
json_node(struct buf *b, const struct node *n)
{
	const struct finding *f;
	const struct fact *a;
	const struct perf *p;
	const struct node *c;
	size_t i;
	const char *sep;

	buf_puts(b, "{\"kind\":");
	json_str(b, kind_name(n->kind));
	buf_puts(b, ",\"name\":");
	json_str(b, n->name);
	buf_puts(b, ",\"state\":");
	json_str(b, state_name(n->worst));
	buf_puts(b, ",\"text\":");
	json_str(b, n->text);
	buf_puts(b, ",\"findings\":[");
	for (f = n->findings, sep = ""; f != NULL; f = f->next, sep = ",") {
		buf_puts(b, sep);
		buf_puts(b, "{\"state\":");
		json_str(b, state_name(f->state));
		buf_puts(b, ",\"rule\":");
		json_str(b, f->rule);
		buf_puts(b, ",\"token\":");
		json_str(b, f->token);
		/* the same, by the name CONFORMANCE CON-03 gives it */
		buf_puts(b, ",\"result_type\":");
		json_str(b, f->token);
		buf_puts(b, ",\"text\":");
		json_str(b, f->text);
		buf_putc(b, '}');
	}
	buf_puts(b, "],\"facts\":{");
	for (a = n->facts, sep = ""; a != NULL; a = a->next, sep = ",") {
		buf_puts(b, sep);
		json_str(b, a->key);
		buf_putc(b, ':');
		json_str(b, a->value);
	}
	buf_puts(b, "},\"perfdata\":[");
	for (p = n->perf, sep = ""; p != NULL; p = p->next) {
		if (!isfinite(p->value))
			continue;
		buf_puts(b, sep);
		json_perf(b, p);
		sep = ",";
	}
	buf_puts(b, "],\"log\":[");
	for (i = 0; i < n->nlog; i++) {
		if (i > 0)
			buf_putc(b, ',');
		json_str(b, n->log[i]);
	}
	buf_putc(b, ']');
	if (n->series != NULL) {
		buf_puts(b, ",\"series\":[");
		sep = "";
		for (const struct series *s = n->series; s; s = s->next) {
			if (!isfinite(s->value))
				continue;
			buf_puts(b, sep);
			buf_puts(b, "{\"name\":");
			json_str(b, s->name);
			buf_puts(b, ",\"labels\":{");
			for (i = 0; i < s->nlab; i++) {
				if (i > 0)
					buf_putc(b, ',');
				json_str(b, s->kv[2 * i]);
				buf_putc(b, ':');
				json_str(b, s->kv[2 * i + 1]);
			}
			buf_puts(b, "},\"value\":");
			buf_num(b, s->value);
			buf_putc(b, '}');
			sep = ",";
		}
		buf_putc(b, ']');
	}
	buf_puts(b, ",\"children\":[");
	for (c = n->children, sep = ""; c != NULL; c = c->next, sep = ",") {
		buf_puts(b, sep);
		json_node(b, c);
	}
	buf_puts(b, "]}");
}

static void
render_json(const struct node *root, const char *label, const char *summary,
	    struct buf *out)
{
	struct plist perf = {0};
	char *clean;
	size_t i;

	buf_puts(out, "{\"label\":");
	clean = clean_dup(label != NULL ? label : "", SANITIZE_MAX);
	json_str(out, clean);
	free(clean);
	buf_puts(out, ",\"state\":");
	json_str(out, state_name(root->worst));
	buf_printf(out, ",\"exit_code\":%d",
		   (int)state_worst(root->worst, MT_OK));
	buf_puts(out, ",\"summary\":");
	clean = clean_dup(summary != NULL ? summary : "", TEXT_MAX);
	json_str(out, clean);
	free(clean);
	buf_puts(out, ",\"perfdata\":[");
	collect_perf(root, &perf);
	for (i = 0; i < perf.n; i++) {
		if (i > 0)
			buf_putc(out, ',');
		json_perf(out, perf.v[i]);
	}
	free(perf.v);
	buf_puts(out, "],\"tree\":");
	json_node(out, root);
	buf_puts(out, "}\n");
}

/* ---- OpenMetrics ---- */

/* A label value or HELP text: '\\', '"' and newline escaped. */
static void
om_escape(struct buf *b, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_puts(b, "\\\\");
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else if (*s == '"' && quote)
			buf_puts(b, "\\\"");
		else
			buf_putc(b, *s);
	}
}

/* One OpenMetrics family: its name, HELP, TYPE and sample lines. */
struct om_family {
	char *name;
	char *help;
	bool counter;
	struct buf samples;
};

struct om {
	struct om_family *f;
	size_t n;
	struct buf base;	/* {plugin="...",target="..." without '}' */
	time_t now;
};

static struct om_family *
om_family(struct om *m, const char *name, const char *help)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->f[i].name, name) == 0)
			return &m->f[i];
	m->f = xrealloc(m->f, (m->n + 1) * sizeof(*m->f));
	m->f[m->n].name = xstrdup(name);
	m->f[m->n].help = xstrdup(help);
	m->f[m->n].counter = false;
	buf_init(&m->f[m->n].samples);
	return &m->f[m->n++];
}

/* A metric-name fragment: [a-z0-9_], lower case, runs of others as '_'. */
static void
om_name_part(struct buf *b, const char *s)
{
	bool under = false;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			buf_putc(b, c);
			under = false;
		} else if (!under) {
			buf_putc(b, '_');
			under = true;
		}
	}
}

/* The labels of node n: the base, then host/address/record by where n
 * stands; extra ("key","value") appended when key is not NULL. */
static void
om_labels(struct om *m, const struct node *n, const char *key,
	  const char *value, struct buf *b)
{
	buf_puts(b, m->base.p);
	/* check_mailtls: the mechanism a node belongs to (a check node
	 * below the root), so that its hosts and addresses, which every
	 * mechanism has, make distinct series */
	for (const struct node *c = n; c != NULL && c->parent != NULL;
	     c = c->parent)
		if (c->kind == NODE_CHECK) {
			buf_puts(b, ",check=\"");
			om_escape(b, c->name, true);
			buf_putc(b, '"');
			break;
		}
	if (n->kind == NODE_HOST) {
		buf_puts(b, ",host=\"");
		om_escape(b, n->name, true);
		buf_putc(b, '"');
	} else if (n->kind == NODE_ADDRESS) {
		if (n->parent != NULL && n->parent->kind == NODE_HOST) {
			buf_puts(b, ",host=\"");
			om_escape(b, n->parent->name, true);
			buf_putc(b, '"');
		}
		buf_puts(b, ",address=\"");
		om_escape(b, n->name, true);
		buf_putc(b, '"');
		/* blackbox_exporter users' names for the same: the MX host,
		 * and the address family ("/ecdsa", "/rsa" of --all-certs
		 * aside) */
		if (n->parent != NULL && n->parent->kind == NODE_HOST) {
			buf_puts(b, ",mx=\"");
			om_escape(b, n->parent->name, true);
			buf_putc(b, '"');
		}
		buf_printf(b, ",ip_protocol=\"%s\"",
			   memchr(n->name, ':', strcspn(n->name, "/")) != NULL
			       ? "ipv6"
			       : "ipv4");
	} else if (n->kind == NODE_RECORD) {
		buf_puts(b, ",record=\"");
		om_escape(b, n->name, true);
		buf_putc(b, '"');
	}
	if (key != NULL) {
		buf_printf(b, ",%s=\"", key);
		om_escape(b, value, true);
		buf_putc(b, '"');
	}
	buf_putc(b, '}');
}

static void
om_sample(struct om_family *f, const char *labels, double v)
{
	buf_printf(&f->samples, "%s%s ", f->name, labels);
	buf_num(&f->samples, v);
	buf_putc(&f->samples, '\n');
}

/* The TLSA record that matched on an address ("3 1 1"), its fields as
 * labels: mailtls_tlsa_record_match{...,usage,selector,matching_type}. */
static void
om_tlsa_match(struct om *m, const struct node *n, const char *v)
{
	unsigned u, sel, mt;
	struct om_family *f;
	struct buf lab;

	if (sscanf(v, "%u %u %u", &u, &sel, &mt) != 3)
		return;
	f = om_family(m, "mailtls_tlsa_record_match",
		      "1 for the TLSA record (usage, selector, matching type) "
		      "that matched the chain of this address.");
	buf_init(&lab);
	om_labels(m, n, NULL, NULL, &lab);
	lab.p[--lab.len] = '\0'; /* drop the '}' */
	buf_printf(&lab, ",usage=\"%u\",selector=\"%u\",matching_type=\"%u\"}",
		   u, sel, mt);
	om_sample(f, lab.p, 1);
	buf_free(&lab);
}

/* Facts that are categorical and worth a series: an _info gauge each. */
static const char *const om_info_facts[] = {
    "tls_version", "cipher", "mode", "tlsa_match", "tlsa_base",
    "dnssec",	   "mx_dnssec", "id", NULL,
};

/* One perfdata entry: base units, a name without the node's prefix. */
static void
om_perf(struct om *m, const struct node *n, const struct perf *p)
{
	struct buf name, help, lab;
	const char *label = p->label;
	size_t pl = n->name != NULL ? strlen(n->name) : 0;
	double v = p->value, scale = 1;
	const char *suffix = "";
	struct om_family *f;

	if (!isfinite(v) || p->om_skip)
		return;
	/* Per-host series carry "<host>_" in Nagios; here it is a label. */
	if (n->parent != NULL && pl > 0 && strncmp(label, n->name, pl) == 0 &&
	    label[pl] == '_')
		label += pl + 1;
	if (strcmp(p->uom, "s") == 0) {
		suffix = "_seconds";
	} else if (strcmp(p->uom, "ms") == 0) {
		suffix = "_seconds";
		scale = 1e-3;
	} else if (strcmp(p->uom, "us") == 0) {
		suffix = "_seconds";
		scale = 1e-6;
	} else if (strcmp(p->uom, "B") == 0) {
		suffix = "_bytes";
	} else if (strcmp(p->uom, "KB") == 0) {
		suffix = "_bytes";
		scale = 1024;
	} else if (strcmp(p->uom, "MB") == 0) {
		suffix = "_bytes";
		scale = 1024.0 * 1024;
	} else if (strcmp(p->uom, "TB") == 0) {
		suffix = "_bytes";
		scale = 1024.0 * 1024 * 1024 * 1024;
	} else if (strcmp(p->uom, "%") == 0) {
		suffix = "_ratio";
		scale = 0.01;
	}
	buf_init(&name);
	buf_init(&help);
	buf_init(&lab);
	buf_puts(&name, "mailtls_");
	om_name_part(&name, label);
	/* "_total" (counters) and "_count" (histograms, summaries) are
	 * not for gauges: "x_total" becomes "x_all". */
	if (name.len > 6 && strcmp(name.p + name.len - 6, "_total") == 0) {
		name.len -= 6;
		name.p[name.len] = '\0';
		buf_puts(&name, "_all");
	}
	/* The families this renderer writes itself stay its own. */
	if (strcmp(name.p, "mailtls_check_state") == 0 ||
	    strcmp(name.p, "mailtls_node_state") == 0 ||
	    (name.len > 5 && strcmp(name.p + name.len - 5, "_info") == 0))
		buf_puts(&name, "_value");
	if (name.len < strlen(suffix) ||
	    strcmp(name.p + name.len - strlen(suffix), suffix) != 0)
		buf_puts(&name, suffix);
	buf_printf(&help, "Perfdata '%s'%s%s.", label,
		   suffix[0] ? " in " : "", suffix[0] ? suffix + 1 : "");
	om_labels(m, n, NULL, NULL, &lab);
	f = om_family(m, name.p, help.p);
	om_sample(f, lab.p, v * scale);
	/* A lifetime left is also an instant: when the certificate expires. */
	if (strcmp(suffix, "_seconds") == 0 && name.len > 26 &&
	    strstr(name.p, "cert_remaining_seconds") != NULL) {
		struct buf ts;
		size_t cut = (size_t)(strstr(name.p, "remaining_seconds") -
				      name.p);

		buf_init(&ts);
		buf_add(&ts, name.p, cut);
		buf_puts(&ts, "expiry_timestamp_seconds");
		f = om_family(m, ts.p,
			      "When the first certificate of the chain expires "
			      "(Unix time).");
		om_sample(f, lab.p, (double)m->now + v * scale);
		buf_free(&ts);
	}
	buf_free(&name);
	buf_free(&help);
	buf_free(&lab);
}

static void
om_node(struct om *m, const struct node *n)
{
	struct buf lab;

	if (n->parent != NULL) {
		struct om_family *f = om_family(
		    m, "mailtls_node_state",
		    "The state of one host, address or record: 0 OK, 1 "
		    "WARNING, 2 CRITICAL, 3 UNKNOWN.");

		buf_init(&lab);
		om_labels(m, n, NULL, NULL, &lab);
		om_sample(f, lab.p, (double)n->worst);
		buf_free(&lab);
	}
	for (const struct perf *p = n->perf; p != NULL; p = p->next)
		om_perf(m, n, p);
	for (const struct series *s = n->series; s != NULL; s = s->next) {
		struct om_family *f;

		if (!isfinite(s->value))
			continue;
		f = om_family(m, s->name, s->help);
		f->counter = s->counter;
		buf_init(&lab);
		om_labels(m, n, NULL, NULL, &lab);
		lab.p[--lab.len] = '\0'; /* drop the '}' */
		for (size_t i = 0; i < s->nlab; i++) {
			buf_printf(&lab, ",%s=\"", s->kv[2 * i]);
			om_escape(&lab, s->kv[2 * i + 1], true);
			buf_putc(&lab, '"');
		}
		buf_putc(&lab, '}');
		om_sample(f, lab.p, s->value);
		buf_free(&lab);
	}
	for (const struct fact *a = n->facts; a != NULL; a = a->next)
		for (size_t i = 0; om_info_facts[i] != NULL; i++) {
			struct buf name, help;
			struct om_family *f;

			if (strcmp(a->key, om_info_facts[i]) != 0)
				continue;
			buf_init(&name);
			buf_init(&help);
			buf_init(&lab);
			buf_printf(&name, "mailtls_%s_info", a->key);
			buf_printf(&help, "The %s found (the value is in the "
					  "label of the same name).",
				   a->key);
			om_labels(m, n, a->key, a->value, &lab);
			f = om_family(m, name.p, help.p);
			om_sample(f, lab.p, 1);
			buf_free(&name);
			buf_free(&help);
			buf_free(&lab);
			if (strcmp(a->key, "tlsa_match") == 0)
				om_tlsa_match(m, n, a->value);
		}
	for (const struct node *c = n->children; c != NULL; c = c->next)
		om_node(m, c);
}

static void
render_openmetrics(const struct node *root, const char *label, struct buf *out)
{
	struct om m = {NULL, 0, {0}, 0};
	struct om_family *f;
	struct buf plugin, lab;
	char *clean;

	m.now = clock_wall();
	buf_init(&plugin);
	clean = clean_dup(label != NULL ? label : "", SANITIZE_MAX);
	om_name_part(&plugin, clean);
	free(clean);
	buf_init(&m.base);
	buf_puts(&m.base, "{plugin=\"");
	buf_puts(&m.base, plugin.p);
	buf_puts(&m.base, "\",target=\"");
	om_escape(&m.base, root->name != NULL ? root->name : "", true);
	buf_putc(&m.base, '"');

	f = om_family(&m, "mailtls_check_state",
		      "The check's state as its exit code: 0 OK, 1 WARNING, 2 "
		      "CRITICAL, 3 UNKNOWN.");
	buf_init(&lab);
	buf_puts(&lab, m.base.p);
	buf_putc(&lab, '}');
	om_sample(f, lab.p, (double)state_worst(root->worst, MT_OK));
	buf_free(&lab);
	om_node(&m, root);

	for (size_t i = 0; i < m.n; i++) {
		buf_printf(out, "# HELP %s ", m.f[i].name);
		om_escape(out, m.f[i].help, false);
		buf_printf(out, "\n# TYPE %s %s\n", m.f[i].name,
			   m.f[i].counter ? "counter" : "gauge");
		buf_puts(out, m.f[i].samples.p);
		free(m.f[i].name);
		free(m.f[i].help);
		buf_free(&m.f[i].samples);
	}
	buf_puts(out, "# EOF\n");
	free(m.f);
	buf_free(&m.base);
	buf_free(&plugin);
}

void
output_render(const struct node *root, const char *label, const char *summary,
	      enum out_format fmt, int verbose, struct buf *out)
{
	switch (fmt) {
	case OUT_JSON:
		render_json(root, label, summary, out);
		break;
	case OUT_OPENMETRICS:
		render_openmetrics(root, label, out);
		break;
	case OUT_NAGIOS:
	default:
		render_nagios(root, label, summary, verbose, out);
		break;
	}
}
