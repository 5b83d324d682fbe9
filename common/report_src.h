/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_src.h: where TLSRPT reports come from (CONFORMANCE RPTR-01,
 * RPTR-03, RPTR-07): files in a folder (.json, .json.gz, .gz, .eml) and
 * messages in a Maildir (new/ and cur/), read-only.
 *
 * The decoders are pure (bytes in, bytes and a reason out, no I/O):
 *   rsrc_gunzip()  gzip (RFC 1952; members one after another are joined)
 *                  with zlib, refused past out_max bytes of output or past
 *                  a ratio of ratio_max to 1 (RPTR-07);
 *   rsrc_mime()    an RFC 5322 message read with GMime 3: the first part,
 *                  depth-first and at most RSRC_MIME_DEPTH levels down, of
 *                  type application/tlsrpt+gzip or application/tlsrpt+json
 *                  (RFC 8460 5.3), or the non-standard application/tlsrpt
 *                  (gzip when it starts with the gzip magic, else JSON),
 *                  its transfer encoding (base64, quoted-printable)
 *                  undone by GMime; a gzip part then goes through
 *                  rsrc_gunzip(). The Subject and the file name are not
 *                  read: the JSON's report-id is the one that counts
 *                  (Google's Subject names another). A message that is not
 *                  multipart/report with report-type=tlsrpt but holds such
 *                  a part is read, with a note;
 *   rsrc_extract() by kind: JSON as is, gzip, or a message.
 * Each returns RSRC_OK with the report's JSON in out (appended to the
 * buffer, which the caller empties and frees), RSRC_NOT_REPORT (no report
 * in it: skipped with a note, RPTR-01) or RSRC_REFUSED (a report we will
 * not read: corrupt or over a limit); why says which.
 *
 * The I/O: rsrc_read() reads one file of a folder with O_RDONLY |
 * O_NOFOLLOW | O_NONBLOCK (never a FIFO that blocks, never a link out of
 * the folder, never a write), of at most max bytes; rsrc_walk() lists a
 * folder (or a Maildir's new/ and cur/) and calls back for each regular
 * entry, never renaming, flagging or deleting anything.
 *
 * GMime is initialised on first use; rsrc_shutdown() releases it (call it
 * once at the end of a run; GLib keeps a few one-time allocations).
 */
#ifndef MAILTLS_REPORT_SRC_H
#define MAILTLS_REPORT_SRC_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define RSRC_FILE_MAX (24u * 1024 * 1024) /* a 10 MiB report, base64'd */
#define RSRC_OUT_MAX (10u * 1024 * 1024)  /* RPTR-07 */
#define RSRC_RATIO_MAX 100u		  /* RPTR-07 */
#define RSRC_MIME_DEPTH 8
#define RSRC_MIME_PARTS 64

enum rsrc_kind {
	RSRC_JSON,  /* .json */
	RSRC_GZIP,  /* .json.gz, .gz */
	RSRC_EML,   /* .eml, and every Maildir message */
	RSRC_OTHER, /* skipped with a note */
};

enum rsrc_status {
	RSRC_OK,
	RSRC_NOT_REPORT,
	RSRC_REFUSED,
};

struct rsrc_limits {
	size_t out_max;	    /* bytes of JSON after decompression */
	unsigned ratio_max; /* output / compressed input */
};

/* The kind a folder's file has, by its name. */
enum rsrc_kind rsrc_kind_of(const char *name);

enum rsrc_status rsrc_gunzip(const unsigned char *in, size_t n,
			     const struct rsrc_limits *l, struct buf *out,
			     char *why, size_t whysz);
/* note: "" or a remark on the message's form (not multipart/report). */
enum rsrc_status rsrc_mime(const char *msg, size_t n,
			   const struct rsrc_limits *l, struct buf *out,
			   char *why, size_t whysz, char *note, size_t notesz);
enum rsrc_status rsrc_extract(enum rsrc_kind k, const char *bytes, size_t n,
			      const struct rsrc_limits *l, struct buf *out,
			      char *why, size_t whysz, char *note,
			      size_t notesz);
void rsrc_shutdown(void);

enum rsrc_read_status {
	RSRC_READ_OK,
	RSRC_READ_FAIL,	   /* cannot open or read it: why */
	RSRC_READ_TOOBIG,  /* over max bytes (RPTR-07) */
	RSRC_READ_SPECIAL, /* not a regular file (a FIFO, a device) */
};

/* Reads name in the folder dirfd into out (emptied first). */
enum rsrc_read_status rsrc_read(int dirfd, const char *name, size_t max,
				struct buf *out, char *why, size_t whysz);

/* Called for each entry: dirfd and name to read it, path to show it.
 * Returns false to stop the walk (the deadline). */
typedef bool rsrc_visit(void *ctx, int dirfd, const char *name,
			const char *path, enum rsrc_kind kind);

/*
 * Lists dir (maildir false: its entries, by kind of name; true: the
 * entries of dir/new and dir/cur, each RSRC_EML) and calls fn for each
 * entry not starting with '.', in the order readdir gives. Returns 0; or
 * -1 with why when dir (or, for a Maildir, both new/ and cur/) cannot be
 * opened. Entries that are folders are passed too: rsrc_read() says
 * RSRC_READ_SPECIAL for them.
 */
int rsrc_walk(const char *dir, bool maildir, rsrc_visit *fn, void *ctx,
	      char *why, size_t whysz);

#endif
