/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_rpt_shared.c: the report reader and parser over the 59 reports
 * that other projects publish as samples, in ../shared/reports-corpus/
 * (SOURCES.md there says where each came from). Optional: when that
 * folder is absent (it is not part of this project, and none of its
 * files is copied here) the test prints a "skipped" note and passes.
 * $RPT_SHARED_CORPUS names another folder.
 *
 * Each file must give the verdict SOURCES.md implies: a report (real
 * sender output, the RFC example and its copies, synthetic ones) is
 * read; the four "malformed on purpose" are refused with a reason that
 * cites a rule; the one "not a report" (a cron mail) is skipped as not a
 * report (RPTR-01). mail-tls-rpt/report.json.gz.b64 is the base64 text of
 * a gzip (that project's storage form, not a wire form): decoded here
 * first, then read as gzip. A few files are checked for what they are
 * known for (Mail.ru's details over its summary, Microsoft's dates
 * without a zone, Postfix's no-policy-found without a domain).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "report_src.h"
#include "tlsrpt_report.h"
#include "util.h"

#define SAMPLES 59

static const char *const malformed[] = {
    "mail-auth/rpt03.json",
    "smtp_tls_reporting/date_error.json",
    "DomainDetective/tlsrpt.json",
    "DomainDetective/tlsrpt-invalid.json",
    NULL,
};
static const char *const not_report[] = {"tlsrpt-rs/empty.eml", NULL};

/* file, a note it must carry */
static const char *const known[][2] = {
    {"parsedmarc/mail.ru.json", "the summary counts"},
    {"mox/microsoft.eml", "without a time zone"},
    {"mta-sts-exporter/microsoft-2.json", "without a time zone"},
    {"issue-threads/tlsrpt-reporter-51-postfix.json", "no policy-domain"},
    {"smtp_tls_reporting/no-policies.json", "policies is empty"},
    {"mail-auth/rpt02.eml", "application/tlsrpt"},
    {NULL, NULL},
};

static const char *dir;

static bool
listed(const char *rel, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(rel, *set) == 0)
			return true;
	return false;
}

static void
test_sample(void **state)
{
	const char *rel = *state;
	struct rsrc_limits lim = {RSRC_OUT_MAX, RSRC_RATIO_MAX};
	struct buf raw, out;
	struct rpt_report r;
	char why[300] = "", note[200] = "", path[1024];
	enum rsrc_status st;
	enum rsrc_kind kind = rsrc_kind_of(rel);
	bool parsed = false, want_note_found = false;
	const char *want_note = NULL;
	int dfd;

	snprintf(path, sizeof(path), "%s", dir);
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	buf_init(&raw);
	buf_init(&out);
	assert_int_equal(rsrc_read(dfd, rel, RSRC_FILE_MAX, &raw, why,
				   sizeof(why)),
			 RSRC_READ_OK);
	close(dfd);
	if (strlen(rel) > 4 && strcmp(rel + strlen(rel) - 4, ".b64") == 0) {
		gsize n = 0;
		guchar *bin = g_base64_decode(raw.p, &n);

		raw.len = 0;
		buf_add(&raw, (const char *)bin, n);
		g_free(bin);
		kind = RSRC_GZIP;
	}
	memset(&r, 0, sizeof(r));
	st = rsrc_extract(kind, raw.p, raw.len, &lim, &out, why, sizeof(why),
			  note, sizeof(note));
	if (st == RSRC_OK) {
		parsed = rpt_parse(out.p, out.len, &r) == RPT_OK;
		if (!parsed)
			util_strlcpy(why, r.why, sizeof(why));
	}
	for (size_t i = 0; known[i][0] != NULL; i++)
		if (strcmp(known[i][0], rel) == 0)
			want_note = known[i][1];
	if (want_note != NULL) {
		want_note_found = strstr(note, want_note) != NULL;
		for (size_t i = 0; i < r.nnotes; i++)
			want_note_found |= strstr(r.notes[i], want_note) != NULL;
	}
	if (listed(rel, not_report)) {
		if (st != RSRC_NOT_REPORT)
			fail_msg("%s: not a report, but not skipped as one "
				 "(RPTR-01): %s",
				 rel, parsed ? "read" : why);
	} else if (listed(rel, malformed)) {
		if (parsed)
			fail_msg("%s: malformed on purpose, but read", rel);
		if (strstr(why, "RPTR-") == NULL)
			fail_msg("%s: refused, but \"%s\" cites no rule", rel,
				 why);
		print_message("refused %s: %s\n", rel, why);
	} else if (!parsed) {
		fail_msg("%s: a report, refused: %s", rel, why);
	} else if (want_note != NULL && !want_note_found) {
		fail_msg("%s: read, but without the note \"%s\"", rel,
			 want_note);
	}
	rpt_free(&r);
	buf_free(&raw);
	buf_free(&out);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	struct CMUnitTest *tests;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *top;
	struct dirent *e;
	int rc;

	dir = getenv("RPT_SHARED_CORPUS");
	if (dir == NULL)
		dir = "../shared/reports-corpus";
	top = opendir(dir);
	if (top == NULL) {
		printf("skipped: %s is absent (optional: the samples other "
		       "projects publish, see issue 15)\n",
		       dir);
		printf("[==========] 0 test(s) run.\n[  PASSED  ] 0 test(s).\n");
		return 0;
	}
	while ((e = readdir(top)) != NULL) {
		char sub[1024];
		DIR *d;
		struct dirent *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if ((d = opendir(sub)) == NULL)
			continue;
		while ((f = readdir(d)) != NULL) {
			if (f->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				names = xrealloc(names, cap * sizeof(*names));
			}
			names[n++] = xasprintf("%s/%s", e->d_name, f->d_name);
		}
		closedir(d);
	}
	closedir(top);
	if (n != SAMPLES)
		printf("note: %zu samples, SOURCES.md lists %d\n", n, SAMPLES);
	qsort(names, n, sizeof(*names), by_name);
	tests = xcalloc(n + 1, sizeof(*tests));
	for (size_t i = 0; i < n; i++) {
		tests[i].name = names[i];
		tests[i].test_func = test_sample;
		tests[i].initial_state = names[i];
	}
	rc = _cmocka_run_group_tests("rpt_shared", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	rsrc_shutdown();
	/* every sample SOURCES.md lists, none missing */
	return rc != 0 ? rc : n == SAMPLES ? 0 : 1;
}
