/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_src.c: TLSRPT reports from files, gzip and mail (report_src.h;
 * RFC 8460 5.3; CONFORMANCE RPTR-01, RPTR-03, RPTR-07).
 */
#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <zlib.h>

#include "report_src.h"

static bool
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && util_strcasecmp(s + n - m, suf) == 0;
}

enum rsrc_kind
rsrc_kind_of(const char *name)
{
	if (has_suffix(name, ".json"))
		return RSRC_JSON;
	if (has_suffix(name, ".gz"))
		return RSRC_GZIP;
	if (has_suffix(name, ".eml"))
		return RSRC_EML;
	return RSRC_OTHER;
}

/* ---- gzip ---- */

enum rsrc_status
rsrc_gunzip(const unsigned char *in, size_t n, const struct rsrc_limits *l,
	    struct buf *out, char *why, size_t whysz)
{
	unsigned char chunk[65536];
	z_stream z;
	size_t total = 0, cap = l->out_max;
	enum rsrc_status st = RSRC_REFUSED;
	int rc;

	if (n < 18 || in[0] != 0x1f || in[1] != 0x8b) {
		snprintf(why, whysz, "not gzip (RFC 1952): no gzip header");
		return RSRC_REFUSED;
	}
	if (n > UINT32_MAX / 2) {
		snprintf(why, whysz, "RPTR-07: %zu bytes of gzip", n);
		return RSRC_REFUSED;
	}
	/* RPTR-07: never more than ratio_max times the input */
	if (l->ratio_max > 0 && n < cap / l->ratio_max)
		cap = n * l->ratio_max;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		snprintf(why, whysz, "zlib: cannot start inflate");
		return RSRC_REFUSED;
	}
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	for (;;) {
		size_t got;

		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			snprintf(why, whysz, "corrupt gzip (RFC 1952): %s",
				 z.msg ? z.msg : "inflate failed");
			goto out;
		}
		got = sizeof(chunk) - z.avail_out;
		total += got;
		if (total > cap) {
			if (cap < l->out_max)
				snprintf(why, whysz,
					 "RPTR-07: gzip of %zu bytes expands "
					 "more than %u:1",
					 n, l->ratio_max);
			else
				snprintf(why, whysz,
					 "RPTR-07: gzip expands past %zu "
					 "bytes",
					 l->out_max);
			goto out;
		}
		buf_add(out, (const char *)chunk, got);
		if (rc == Z_STREAM_END) {
			/* another member may follow (RFC 1952 2.2); other
			 * bytes after the last one (padding) are ignored */
			if (z.avail_in >= 2 && z.next_in[0] == 0x1f &&
			    z.next_in[1] == 0x8b && inflateReset(&z) == Z_OK)
				continue;
			break;
		}
		if (rc == Z_BUF_ERROR || (got == 0 && z.avail_in == 0)) {
			snprintf(why, whysz, "corrupt gzip (RFC 1952): the data ends early");
			goto out;
		}
	}
	st = RSRC_OK;
out:
	inflateEnd(&z);
	return st;
}

/* ---- MIME ---- */

static bool mime_ready;

void
rsrc_shutdown(void)
{
	if (mime_ready)
		g_mime_shutdown();
	mime_ready = false;
}

enum part_kind {
	PART_NONE,
	PART_GZIP,
	PART_JSON,
	PART_RAW, /* application/tlsrpt: sniffed */
};

static enum part_kind
part_kind(GMimeObject *o)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);

	if (ct == NULL)
		return PART_NONE;
	if (g_mime_content_type_is_type(ct, "application", "tlsrpt+gzip"))
		return PART_GZIP;
	if (g_mime_content_type_is_type(ct, "application", "tlsrpt+json"))
		return PART_JSON;
	if (g_mime_content_type_is_type(ct, "application", "tlsrpt"))
		return PART_RAW;
	return PART_NONE;
}

/* The first report part, depth-first; *seen counts parts visited. */
static GMimeObject *
find_part(GMimeObject *o, int depth, size_t *seen, enum part_kind *kind)
{
	if (o == NULL || depth > RSRC_MIME_DEPTH || ++*seen > RSRC_MIME_PARTS)
		return NULL;
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n; i++) {
			GMimeObject *f = find_part(
			    g_mime_multipart_get_part(mp, i), depth + 1,
			    seen, kind);

			if (f != NULL)
				return f;
		}
		return NULL;
	}
	if (GMIME_IS_PART(o) && (*kind = part_kind(o)) != PART_NONE)
		return o;
	return NULL;
}

enum rsrc_status
rsrc_mime(const char *msg, size_t n, const struct rsrc_limits *l,
	  struct buf *out, char *why, size_t whysz, char *note, size_t notesz)
{
	GMimeStream *in, *mem;
	GMimeParser *parser;
	GMimeMessage *m;
	GMimeObject *top, *part;
	GMimeDataWrapper *dw;
	GMimeContentType *ct;
	GByteArray *ba;
	enum part_kind kind = PART_NONE;
	enum rsrc_status st = RSRC_NOT_REPORT;
	size_t seen = 0;

	note[0] = '\0';
	if (!mime_ready) {
		g_mime_init();
		mime_ready = true;
	}
	in = g_mime_stream_mem_new_with_buffer(msg, n);
	parser = g_mime_parser_new_with_stream(in);
	g_object_unref(in);
	m = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	if (m == NULL) {
		snprintf(why, whysz, "not a mail message (RFC 5322)");
		return RSRC_NOT_REPORT;
	}
	top = g_mime_message_get_mime_part(m);
	part = find_part(top, 0, &seen, &kind);
	if (part == NULL) {
		snprintf(why, whysz,
			 "no application/tlsrpt+gzip or +json part (RFC 8460 "
			 "5.3)");
		goto out;
	}
	ct = g_mime_object_get_content_type(top);
	if (ct == NULL || !g_mime_content_type_is_type(ct, "multipart",
							"report") ||
	    g_mime_content_type_get_parameter(ct, "report-type") == NULL ||
	    util_strcasecmp(g_mime_content_type_get_parameter(ct,
							      "report-type"),
			    "tlsrpt") != 0)
		snprintf(note, notesz,
			 "not multipart/report; report-type=tlsrpt (RFC 8460 "
			 "5.3), read all the same");
	else if (kind == PART_RAW)
		snprintf(note, notesz,
			 "the report is application/tlsrpt, not "
			 "application/tlsrpt+gzip or +json (RFC 8460 5.3)");
	dw = g_mime_part_get_content(GMIME_PART(part));
	if (dw == NULL) {
		snprintf(why, whysz, "the report part is empty");
		st = RSRC_REFUSED;
		goto out;
	}
	mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(dw, mem) < 0) {
		snprintf(why, whysz, "the report part cannot be decoded");
		st = RSRC_REFUSED;
		g_object_unref(mem);
		goto out;
	}
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (kind == PART_RAW)
		kind = ba->len >= 2 && ba->data[0] == 0x1f && ba->data[1] == 0x8b
			   ? PART_GZIP
			   : PART_JSON;
	if (kind == PART_GZIP) {
		st = rsrc_gunzip(ba->data, ba->len, l, out, why, whysz);
	} else if (ba->len > l->out_max) {
		snprintf(why, whysz, "RPTR-07: the report is over %zu bytes",
			 l->out_max);
		st = RSRC_REFUSED;
	} else {
		buf_add(out, (const char *)ba->data, ba->len);
		st = RSRC_OK;
	}
	g_object_unref(mem);
out:
	g_object_unref(m);
	return st;
}

enum rsrc_status
rsrc_extract(enum rsrc_kind k, const char *bytes, size_t n,
	     const struct rsrc_limits *l, struct buf *out, char *why,
	     size_t whysz, char *note, size_t notesz)
{
	note[0] = '\0';
	why[0] = '\0';
	switch (k) {
	case RSRC_JSON:
		if (n > l->out_max) {
			snprintf(why, whysz,
				 "RPTR-07: the report is over %zu bytes",
				 l->out_max);
			return RSRC_REFUSED;
		}
		buf_add(out, bytes, n);
		return RSRC_OK;
	case RSRC_GZIP:
		return rsrc_gunzip((const unsigned char *)bytes, n, l, out, why,
				   whysz);
	case RSRC_EML:
		return rsrc_mime(bytes, n, l, out, why, whysz, note, notesz);
	case RSRC_OTHER:
		break;
	}
	snprintf(why, whysz,
		 "not .json, .json.gz, .gz or .eml: skipped (RPTR-01)");
	return RSRC_NOT_REPORT;
}

/* ---- files ---- */

enum rsrc_read_status
rsrc_read(int dirfd, const char *name, size_t max, struct buf *out, char *why,
	  size_t whysz)
{
	struct stat st;
	int fd;
	size_t want, got = 0;

	out->len = 0;
	if (out->cap > 0)
		out->p[0] = '\0';
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whysz, "cannot open: %s", strerror(errno));
		return errno == ELOOP ? RSRC_READ_SPECIAL : RSRC_READ_FAIL;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(why, whysz, "cannot stat: %s", strerror(errno));
		close(fd);
		return RSRC_READ_FAIL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whysz, "not a regular file");
		close(fd);
		return RSRC_READ_SPECIAL;
	}
	if ((unsigned long long)st.st_size > max) {
		snprintf(why, whysz, "RPTR-07: %lld bytes, over the limit of %zu",
			 (long long)st.st_size, max);
		close(fd);
		return RSRC_READ_TOOBIG;
	}
	want = (size_t)st.st_size;
	/* room for want bytes and a NUL, then read into it */
	if (out->cap < want + 1) {
		out->p = xrealloc(out->cap ? out->p : NULL, want + 1);
		out->cap = want + 1;
	}
	while (got < want) {
		ssize_t r = read(fd, out->p + got, want - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, whysz, "cannot read: %s",
				 strerror(errno));
			close(fd);
			return RSRC_READ_FAIL;
		}
		if (r == 0)
			break; /* shrank while read: take what is there */
		got += (size_t)r;
	}
	close(fd);
	out->len = got;
	out->p[got] = '\0';
	return RSRC_READ_OK;
}

static int
walk_one(const char *dir, const char *show, bool maildir, rsrc_visit *fn,
	 void *ctx, bool *stop)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (d == NULL)
		return -1;
	while (!*stop && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", show, e->d_name);
		if (!fn(ctx, dirfd(d), e->d_name, path,
			maildir ? RSRC_EML : rsrc_kind_of(e->d_name)))
			*stop = true;
	}
	closedir(d);
	return 0;
}

int
rsrc_walk(const char *dir, bool maildir, rsrc_visit *fn, void *ctx, char *why,
	  size_t whysz)
{
	char sub[4096];
	bool stop = false;
	int opened = 0;
	int err = 0;

	if (!maildir) {
		if (walk_one(dir, dir, false, fn, ctx, &stop) < 0) {
			snprintf(why, whysz, "cannot read the folder %s: %s",
				 dir, strerror(errno));
			return -1;
		}
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		const char *s = i == 0 ? "new" : "cur";

		snprintf(sub, sizeof(sub), "%s/%s", dir, s);
		if (walk_one(sub, sub, true, fn, ctx, &stop) == 0)
			opened++;
		else
			err = errno;
	}
	if (opened == 0) {
		snprintf(why, whysz,
			 "%s is not a Maildir: cannot read new/ or cur/: %s",
			 dir, strerror(err));
		return -1;
	}
	return 0;
}
