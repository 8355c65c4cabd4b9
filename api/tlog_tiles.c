/*
 * C2SP tlog-tiles endpoints (see tlog_tiles.h): paths parsed by
 * merkle/tile.c, availability judged against the latest signed
 * checkpoint (nothing past it is served), bytes read by db/tiles.c from
 * the hashes and leaves PostgreSQL already holds. Full tiles never change
 * and are cached for a year; partial tiles are replaced by full ones and
 * the checkpoint moves, so both are cached briefly. Entry bundles (text,
 * which compresses about fivefold) go out gzipped to clients that accept
 * gzip, as the specification recommends; hash tiles do not compress.
 */
#include "api/tlog_tiles.h"
#include "api/log.h"
#include "db/tiles.h"
#include "merkle/tile.h"
#include "sequencer/logstore.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define CACHE_FULL       "public, max-age=31536000, immutable"
#define CACHE_PARTIAL    "public, max-age=60"
#define CACHE_CHECKPOINT "public, max-age=5"

int
mf_h_tlog_checkpoint(struct mf_request *req)
{
	struct mf_logstore_checkpoint c;
	int rc;

	if ((rc = mf_logstore_checkpoint_latest(&c, &req->err)) != 0)
		return rc;
	if (c.note == NULL) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                  "the log has no checkpoint yet");
		goto done;
	}
	/* With its witnesses' cosignatures; briefly cached, with an ETag
	 * of the bytes, which change as cosignatures arrive. */
	rc = mf_h_log_respond_cosigned(req, &c, CACHE_CHECKPOINT);
done:
	mf_logstore_checkpoint_dispose(&c);
	return rc;
}

/*
 * Whether Accept-Encoding accepts gzip: a "gzip" (or "*") element whose
 * q is not zero.
 */
static bool
accepts_gzip(const char *h)
{
	const char *p = h, *e;
	size_t n;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		for (n = 0; p[n] && p[n] != ',' && p[n] != ';' && p[n] != ' ' &&
		            p[n] != '\t';
		     n++)
			;
		e = strchr(p, ',');
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 1 && *p == '*')) {
			const char *q = strstr(p, "q=");

			/* q=0, q=0.0, q=0.000: refused */
			if (q == NULL || (e != NULL && q > e))
				return true;
			for (q += 2; *q == '0' || *q == '.'; q++)
				;
			return isdigit((unsigned char)*q) != 0;
		}
		p = e;
	}
	return false;
}

/* gzip of in appended to out; 0 or MF_E_NOMEM. */
static int
gzip_buf(struct mf_buf *out, const struct mf_buf *in)
{
	z_stream z;
	int rc = 0;

	memset(&z, 0, sizeof(z));
	/* 1. windowBits 15 + 16: the gzip wrapper. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return MF_E_NOMEM;
	if (mf_buf_reserve(out, deflateBound(&z, in->len)) != 0) {
		rc = MF_E_NOMEM;
		goto done;
	}
	/* 2. In one call: the output has room for the worst case. */
	z.next_in = (Bytef *)in->data;
	z.avail_in = (uInt)in->len;
	z.next_out = (Bytef *)out->data + out->len;
	z.avail_out = (uInt)(out->cap - out->len);
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		rc = MF_E_NOMEM;
		goto done;
	}
	out->len += z.total_out;
done:
	deflateEnd(&z);
	return rc;
}

int
mf_h_tlog_tile(struct mf_request *req)
{
	struct mf_logstore_checkpoint c = {0};
	struct mf_buf body = MF_BUF_INIT, gz = MF_BUF_INIT, *out = &body;
	const char *ae;
	struct mf_tile t;
	int rc;

	/* 1. A well-formed tile path, else 400. */
	if ((rc = mf_tile_parse(&t, mf_http_param(req, 0), &req->err)) != 0)
		return rc;
	/* 2. In the tree of the latest checkpoint, else 404. */
	if ((rc = mf_logstore_checkpoint_latest(&c, &req->err)) != 0)
		goto done;
	if (!mf_tile_available(&t, c.size)) {
		rc = mf_error_set(&req->err, MF_E_NOT_FOUND, NULL,
		                  "no such tile in the tree of size %" PRIu64,
		                  c.size);
		goto done;
	}
	/* 3. The hashes or the entries, as stored. */
	if (t.entries)
		rc = mf_db_tlog_bundle(&body, mf_tile_first_node(&t), t.width,
		                       &req->err);
	else
		rc =
		    mf_db_tlog_tile(&body, mf_tile_node_level(&t),
		                    mf_tile_first_node(&t), t.width, &req->err);
	if (rc != 0)
		goto done;
	/* 4. Cached for good once full. */
	if ((rc = mf_http_set_header(
	         req, "Cache-Control",
	         t.width == MF_TILE_WIDTH ? CACHE_FULL : CACHE_PARTIAL)) != 0)
		goto done;
	/* 5. Bundles gzipped for clients that take it. */
	if (t.entries) {
		ae = mf_http_header(req, "Accept-Encoding");
		if ((rc = mf_http_set_header(req, "Vary", "Accept-Encoding")) !=
		        0 ||
		    (ae != NULL && accepts_gzip(ae) && body.len > 0 &&
		     ((rc = gzip_buf(&gz, &body)) != 0 ||
		      (rc = mf_http_set_header(req, "Content-Encoding",
		                               "gzip")) != 0))) {
			rc = mf_error_set(&req->err, MF_E_NOMEM, NULL,
			                  "out of memory");
			goto done;
		}
		if (gz.len > 0)
			out = &gz;
	}
	rc = mf_http_respond(req, 200, "application/octet-stream",
	                     out->data ? out->data : "", out->len, false);
done:
	mf_buf_dispose(&gz);
	mf_buf_dispose(&body);
	mf_logstore_checkpoint_dispose(&c);
	return rc;
}
